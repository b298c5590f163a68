"""PLSpredict and CVPAT.

References: exact recomputation (leave-one-out = a loop of PLSPM refits; the LM
benchmark = scikit-learn's cross-validated OLS on the same folds; CVPAT's test =
scipy's one-sample t-test of the loss differences), the population Q2predict
of the composite model, and simulation (a true extra path is preferred).
No printed PLSpredict numbers exist for R plspm's ECSI data: seminr and cSEM
print theirs for the mobi / corporate-reputation data with R's random folds.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.sem.pls import PLSPM
from crmlab.sem.predict import PLSPredict, cvpat, fold_assignments, predictive_power
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.simulate.sem import ECSI_TRUE_PATHS, simulate_survey

CHAIN = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nB ~ A\nC ~ A + B"
CHAIN_NO_CA = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nB ~ A\nC ~ B"


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


def _brute_force_loo(df, technique, scaled, model=ECSI_MODEL):
    """Leave-one-out by refitting PLSPM without each row and predicting it by hand."""
    spec = PLSPM(model).fit(df).spec_
    names, items = spec.names, spec.items
    eitems = [it for c in spec.endogenous for it in spec.constructs[c]]
    owner = {it: c for c, its in spec.constructs.items() for it in its}
    X = df[items].to_numpy(float)
    out = np.empty((len(df), len(eitems)))
    for i in range(len(df)):
        tr = np.delete(X, i, axis=0)
        m = PLSPM(model, scaled=scaled).fit(df.drop(index=df.index[i]))
        mu, sd = tr.mean(axis=0), tr.std(axis=0)
        z = (X[i] - mu) / (sd if scaled else 1.0)
        y = {c: sum(z[items.index(it)] * m.weights_[it] for it in spec.constructs[c]) for c in names}
        B = m.path_matrix_.to_numpy()
        eta = {}
        for c in names:   # topological order
            src = eta if technique == "earliest" else y
            eta[c] = y[c] if c in spec.exogenous else sum(src[s] * B[names.index(s), names.index(c)]
                                                          for s in spec.predecessors(c))
        for q, it in enumerate(eitems):
            j = items.index(it)
            out[i, q] = mu[j] + m.crossloadings_.loc[it, owner[it]] * sd[j] * eta[owner[it]]
    return pd.DataFrame(out, columns=eitems)


@pytest.mark.parametrize("technique,scaled", [("earliest", True), ("direct", False)])
def test_leave_one_out_equals_a_loop_of_plspm_refits_on_ecsi(ecsi, technique, scaled):
    part = ecsi.iloc[:40]          # the first 40 respondents keep the loop of refits short
    pp = PLSPredict(ECSI_MODEL, folds=len(part), repetitions=1, technique=technique, scaled=scaled).fit(part)
    brute = _brute_force_loo(part, technique, scaled)
    np.testing.assert_allclose(pp.predictions_[brute.columns].to_numpy(), brute.to_numpy(), atol=1e-7)


def test_leave_one_out_with_formative_blocks_equals_a_loop_of_mode_b_refits(ecsi):
    mixed = ECSI_MODEL.replace("IMAG =~", "IMAG <~").replace("SAT  =~", "SAT  <~")
    part = ecsi.iloc[:40]
    pp = PLSPredict(mixed, folds=len(part), repetitions=1).fit(part)
    brute = _brute_force_loo(part, "earliest", True, mixed)
    np.testing.assert_allclose(pp.predictions_[brute.columns].to_numpy(), brute.to_numpy(), atol=1e-7)
    mode_a = PLSPredict(ECSI_MODEL, folds=len(part), repetitions=1).fit(part)
    assert np.abs(mode_a.predictions_ - pp.predictions_).to_numpy().max() > 1e-3


def test_lm_benchmark_equals_scikit_learn_cross_validated_ols(ecsi):
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import PredefinedSplit, cross_val_predict

    pp = PLSPredict(ECSI_MODEL, folds=10, repetitions=1, seed=4).fit(ecsi)
    spec = pp.spec_
    exo_items = [it for c in spec.exogenous for it in spec.constructs[c]]
    endo_items = list(pp.lm_predictions_.columns)
    cv = PredefinedSplit(pp.folds_[0])
    ref = cross_val_predict(LinearRegression(), ecsi[exo_items], ecsi[endo_items], cv=cv)
    np.testing.assert_allclose(pp.lm_predictions_.to_numpy(), ref, atol=1e-9)
    # seminr's variant: every item outside the predicted construct
    pa = PLSPredict(ECSI_MODEL, folds=10, repetitions=1, seed=4, lm_predictors="all_other").fit(ecsi)
    others = [it for it in spec.items if it not in spec.constructs["SAT"]]
    ref_sat = cross_val_predict(LinearRegression(), ecsi[others], ecsi[list(spec.constructs["SAT"])], cv=cv)
    np.testing.assert_allclose(pa.lm_predictions_[list(spec.constructs["SAT"])].to_numpy(), ref_sat, atol=1e-9)


def test_metrics_recomputed_from_predictions_and_training_means(ecsi):
    pp = PLSPredict(ECSI_MODEL, folds=5, repetitions=1, seed=8).fit(ecsi)
    folds = pp.folds_[0]
    y = ecsi[pp.predictions_.columns]
    naive = np.vstack([y[folds != f].mean().to_numpy() for f in folds])   # training mean of each case's fold
    e = (y - pp.predictions_).to_numpy()
    e_lm = (y - pp.lm_predictions_).to_numpy()
    m = pp.metrics_.set_index("item").loc[y.columns]
    np.testing.assert_allclose(m["q2_predict"], 1 - (e ** 2).sum(0) / ((y.to_numpy() - naive) ** 2).sum(0))
    np.testing.assert_allclose(m["pls_rmse"], np.sqrt((e ** 2).mean(0)))
    np.testing.assert_allclose(m["lm_mae"], np.abs(e_lm).mean(0))
    np.testing.assert_allclose(m["rmse_diff"], m["pls_rmse"] - m["lm_rmse"])


def test_repetitions_average_the_per_repetition_metrics(ecsi):
    pp = PLSPredict(ECSI_MODEL, folds=10, repetitions=3, seed=2).fit(ecsi)
    avg = pp.metrics_by_repetition_.groupby("item", sort=False)[["q2_predict", "pls_rmse", "lm_mae"]].mean()
    np.testing.assert_allclose(pp.metrics_.set_index("item").loc[avg.index, avg.columns], avg)
    assert pp.metrics_by_repetition_["repetition"].nunique() == 3
    assert pp.folds_.shape == (3, len(ecsi))


def test_q2predict_recovers_population_value_of_the_composite_model():
    """Earliest antecedents: under the composite model the best prediction of an endogenous item
    from the IMAG items is lambda_j * T(IMAG -> construct) * eta_IMAG, so Q2predict -> (lambda_j T)^2."""
    data, truth = simulate_survey(ECSI_MODEL, ECSI_TRUE_PATHS, n=3000, within_corr=0.5, seed=21)
    pp = PLSPredict(ECSI_MODEL, folds=10, repetitions=1, seed=1).fit(data)
    names = pp.spec_.names
    B = np.zeros((len(names), len(names)))
    for k, v in ECSI_TRUE_PATHS.items():
        t, s = k.split("~")
        B[names.index(s), names.index(t)] = v
    T = np.linalg.inv(np.eye(len(names)) - B) - np.eye(len(names))
    m = pp.metrics_
    pop = [(truth["loadings"][it] * T[names.index("IMAG"), names.index(c)]) ** 2
           for it, c in zip(m["item"], m["construct"])]
    np.testing.assert_allclose(m["q2_predict"], pop, atol=0.03)
    # with one exogenous block the LM benchmark targets the same population predictor
    np.testing.assert_allclose(m["lm_q2_predict"], pop, atol=0.03)


def test_fold_assignment_is_balanced_seeded_and_leave_one_out_at_k_equal_n():
    f = fold_assignments(23, 5, 4, seed=3)
    assert f.shape == (4, 23)
    for row in f:
        assert sorted(np.bincount(row)) == [4, 4, 5, 5, 5]
    np.testing.assert_array_equal(f, fold_assignments(23, 5, 4, seed=3))
    assert sorted(fold_assignments(7, 7, 1, seed=0)[0]) == list(range(7))


def test_predictive_power_verdict_follows_shmueli_et_al():
    pp = PLSPredict(ECSI_MODEL)
    base = pd.DataFrame({"item": list("abcd"), "q2_predict": 0.2, "pls_rmse": [1.0, 1.0, 1.0, 1.0],
                         "pls_mae": 1.0, "lm_rmse": [2.0, 2.0, 2.0, 2.0], "lm_mae": 0.5})
    pp.metrics_ = base
    assert pp.predictive_power() == "high"
    assert pp.predictive_power("mae") == "none"
    pp.metrics_ = base.assign(lm_rmse=[2.0, 2.0, 0.5, 0.5])
    assert pp.predictive_power() == "medium"
    pp.metrics_ = base.assign(lm_rmse=[2.0, 0.5, 0.5, 0.5])
    assert pp.predictive_power() == "low"
    pp.metrics_ = base.assign(q2_predict=[0.2, 0.2, -0.1, 0.2])
    assert pp.predictive_power() == "none"
    # the same rule on some rows of the table (the items of the key target construct)
    mixed = base.assign(lm_rmse=[2.0, 0.5, 0.5, 0.5])
    assert predictive_power(mixed.iloc[:1]) == "high" and predictive_power(mixed.iloc[1:]) == "none"
    assert predictive_power(mixed.iloc[:2]) == "medium"
    with pytest.raises(ParameterError, match="at least one item"):
        predictive_power(mixed.iloc[:0])


def test_ecsi_plspredict_runs_and_records(ecsi):
    pp = PLSPredict(ECSI_MODEL, folds=10, repetitions=2, seed=1).fit(ecsi)
    rec = pp.to_dict()
    assert rec["n"] == 250 and len(rec["items"]) == 22
    assert set(pp.summary()["construct"]) == {"EXPE", "QUAL", "VAL", "SAT", "LOY"}
    assert (pp.metrics_["q2_predict"] > 0).all()
    assert rec["predictive_power"] in {"high", "medium", "low", "none"}


def test_bad_arguments(ecsi):
    with pytest.raises(ParameterError, match="technique"):
        PLSPredict(ECSI_MODEL, technique="nearest").fit(ecsi)
    with pytest.raises(ParameterError, match="folds must be between 2"):
        PLSPredict(ECSI_MODEL, folds=251).fit(ecsi)
    with pytest.raises(ParameterError, match="no structural paths"):
        PLSPredict("A =~ imag1 + imag2").fit(ecsi)
    with pytest.raises(ParameterError, match="fit"):
        PLSPredict(ECSI_MODEL).summary()
    tiny = pd.DataFrame({"a1": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "a2": np.arange(12.0) % 5,
                         "b1": [0.0] * 11 + [1.0], "b2": np.arange(12.0) ** 0.5})
    with pytest.raises(DataError, match="'b1' is constant in a training fold"):
        PLSPredict("A =~ a1 + a2\nB =~ b1 + b2\nB ~ A", folds=12, repetitions=1).fit(tiny)


# -- CVPAT -----------------------------------------------------------------
def test_cvpat_identical_models_differ_by_exactly_zero(ecsi):
    res = cvpat(ecsi, ECSI_MODEL, ECSI_MODEL, folds=10, repetitions=2, seed=5)
    assert (res.losses["difference"] == 0).all()
    assert res.difference == 0 and res.t == 0 and res.p_value == 1
    assert len(res.items) == 22


def test_cvpat_t_test_equals_scipy_and_losses_equal_plspredict(ecsi):
    alt = ECSI_MODEL.replace("LOY  ~ IMAG + SAT", "LOY  ~ SAT")
    res = cvpat(ecsi, ECSI_MODEL, alt, folds=10, repetitions=3, seed=6)
    ref = stats.ttest_1samp(res.losses["difference"], 0.0)
    assert res.t == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res.df == 249
    lo, hi = ref.confidence_interval(0.95)
    assert (res.ci_low, res.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    pp = PLSPredict(ECSI_MODEL, folds=10, repetitions=3, seed=6).fit(ecsi)
    np.testing.assert_allclose(res.losses["loss_established"], pp.losses_, rtol=1e-12)
    assert res.to_dict()["alternative_hypothesis"] == "two-sided"


@pytest.mark.parametrize("technique", ["earliest", "direct"])
def test_cvpat_prefers_a_true_extra_path_and_not_a_false_one(technique):
    true_ca, _ = simulate_survey(CHAIN, {"B~A": 0.5, "C~A": 0.4, "C~B": 0.3}, n=400, seed=31)
    res = cvpat(true_ca, CHAIN, CHAIN_NO_CA, technique=technique, folds=10, repetitions=3, seed=1,
                alternative_hypothesis="greater")
    assert res.difference > 0 and res.p_value < 0.001      # the model with the true path C~A predicts better
    no_ca, _ = simulate_survey(CHAIN, {"B~A": 0.5, "C~A": 0.0, "C~B": 0.5}, n=400, seed=32)
    res0 = cvpat(no_ca, CHAIN_NO_CA, CHAIN, technique=technique, folds=10, repetitions=3, seed=1)
    assert res0.p_value > 0.05                             # a superfluous path is not preferred


def test_cvpat_needs_common_endogenous_items(ecsi):
    a = "IMAG =~ imag1 + imag2\nEXPE =~ expe1 + expe2\nEXPE ~ IMAG"
    b = "IMAG =~ imag1 + imag2\nSAT =~ sat1 + sat2\nSAT ~ IMAG"
    with pytest.raises(ParameterError, match="share no endogenous item"):
        cvpat(ecsi, a, b, folds=5, repetitions=1)
    with pytest.raises(ParameterError, match="alternative_hypothesis"):
        cvpat(ecsi, a, a, alternative_hypothesis="bigger")
