"""crmlab.churn: metrics against exact recomputation, lift/gain by hand, calibration on
data whose true probabilities are known, pseudonymous ranking."""
import numpy as np
import pandas as pd
import pytest

from crmlab import churn
from crmlab.core.errors import DataError, ParameterError
from tests.conftest import ROOT


def _data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"tenure": rng.integers(0, 72, n), "charges": rng.uniform(20, 110, n),
                      "contract": rng.choice(["Month-to-month", "One year", "Two year"], n)})
    lin = -1.0 - 0.04 * X.tenure + 0.015 * X.charges + 1.2 * (X.contract == "Month-to-month")
    p = 1 / (1 + np.exp(-lin))
    y = (rng.uniform(size=n) < p).astype(int)
    return X, y, p


def _auc_by_pairs(y, p):
    pos, neg = p[y == 1], p[y == 0]
    d = pos[:, None] - neg[None, :]
    return ((d > 0).sum() + 0.5 * (d == 0).sum()) / (pos.size * neg.size)


def test_churn_models_metrics_match_exact_recomputation_and_are_calibrated():
    X, y, p_true = _data(2000)
    r = churn.churn_models(X, y, n_folds=3, seed=0)
    m = r.metrics.set_index("model")
    for name in ("gbm", "logistic"):
        p = r.oof[name].to_numpy()
        assert m.loc[name, "auc"] == pytest.approx(_auc_by_pairs(y, p), rel=1e-12)
        assert m.loc[name, "brier"] == pytest.approx(np.mean((p - y) ** 2), rel=1e-12)
        # close to the Bayes-optimal AUC computed from the true probabilities
        assert abs(m.loc[name, "auc"] - _auc_by_pairs(y, p_true.to_numpy())) < 0.05
    # well-specified logistic model: calibration curve follows the diagonal
    cal = churn.calibration_table(y, r.oof["logistic"], n_bins=5)
    assert np.abs(cal["mean_predicted"] - cal["observed"]).max() < 0.05


def test_auc_interval_matches_R_survival_3_5_concordance_on_telco():
    # R 4.2.2, survival 3.5.3 (for a binary outcome the concordance is the AUC and its infinitesimal-jackknife
    # variance is DeLong's with 1/m, 1/n):
    #   d <- read.csv("data/telco_churn/telco_churn.csv"); y <- as.integer(d$churn == "Yes")
    #   cc <- concordance(y ~ d$monthly_charges)   # 0.6207856896, var 4.89977456363e-05 (tied scores)
    #   cc <- concordance(y ~ d$tenure)            # 0.2601328245, var 4.22631138375e-05
    d = pd.read_csv(ROOT / "data" / "telco_churn" / "telco_churn.csv")
    y = (d["churn"] == "Yes").to_numpy().astype(int)
    for col, auc, var in (("monthly_charges", 0.6207856896, 4.89977456363e-05),
                          ("tenure", 0.2601328245, 4.22631138375e-05)):
        r = churn.auc_interval(y, d[col].to_numpy())
        assert r["auc"] == pytest.approx(auc, abs=1e-10)
        assert r["se"] ** 2 == pytest.approx(var, rel=1e-9)
        assert r["ci_low"] == pytest.approx(auc - 1.959963984540054 * np.sqrt(var), rel=1e-9)
    X, y, _ = _data(600)
    r = churn.churn_models(X, y, n_folds=3, seed=0)
    m, ci = r.metrics.set_index("model"), churn.auc_interval(y, r.oof["gbm"].to_numpy())
    assert (m.loc["gbm", "auc_ci_low"], m.loc["gbm", "auc_ci_high"]) == pytest.approx((ci["ci_low"], ci["ci_high"]))
    with pytest.raises(DataError, match="both churners"):
        churn.auc_interval(np.zeros(5), np.arange(5.0))


def test_average_precision_exact_recomputation():
    X, y, _ = _data(800, 1)
    r = churn.churn_models(X, y, models=("logistic",), n_folds=3, seed=0)
    p = r.oof["logistic"].to_numpy()
    # AP = sum over distinct thresholds of (recall step) x precision; isotonic calibration makes ties
    thr = np.unique(p)[::-1]
    tp = np.array([y[p >= c].sum() for c in thr])
    npred = np.array([(p >= c).sum() for c in thr])
    recall = np.r_[0, tp / y.sum()]
    ap = np.sum(np.diff(recall) * tp / npred)
    assert r.metrics["pr_auc"].iloc[0] == pytest.approx(ap, rel=1e-10)


def test_lift_table_by_hand():
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1, 0])
    p = np.arange(10, 0, -1) / 10  # already sorted by risk
    lt = churn.lift_table(y, p, n_bins=5)
    assert lt["churners"].tolist() == [2, 1, 0, 0, 1]
    assert lt["lift"].tolist() == pytest.approx([1.0 / 0.4, 0.5 / 0.4, 0, 0, 0.5 / 0.4])
    assert lt["cumulative_gain"].tolist() == pytest.approx([0.5, 0.75, 0.75, 0.75, 1.0])


def test_risk_value_ranking_is_pseudonymous_and_sorted():
    ids = ["alice@example.com", "bob", "carol", "dave"]
    r = churn.risk_value_ranking(ids, [0.9, 0.1, 0.5, 0.5], [100, 1000, 300, 100], top=3)
    assert r["value_at_risk"].tolist() == [150, 100, 90]
    assert not set(r["customer"]) & set(ids)
    assert all(c.startswith("c_") for c in r["customer"])
    assert r["rank"].tolist() == [1, 2, 3]


def test_churn_bad_input():
    X, y, _ = _data(100)
    with pytest.raises(DataError, match="0/1"):
        churn.churn_models(X, np.where(y == 1, "Yes", "No"))
    Xn = X.copy()
    Xn.loc[5, "charges"] = np.nan
    with pytest.raises(DataError, match=r"\['charges'\].*at row 7 .*churn_exclude"):
        churn.churn_models(Xn, y)  # data position 5 is row 7 of the file (header = row 1)
    with pytest.raises(DataError, match="same churn label.*nothing for a churn model to learn"):
        churn.churn_models(X, np.zeros(len(X), dtype=int))
    few = np.zeros(len(X), dtype=int)
    few[:2] = 1
    with pytest.raises(DataError, match="2 churned.*5 folds.*cv_folds"):
        churn.churn_models(X, few, n_folds=5)
    with pytest.raises(ParameterError, match="model"):
        churn.make_model("svm", X)


def test_identifier_like_columns_are_left_out_of_the_predictors():
    X, y, _ = _data(600)
    n = len(X)
    X = X.assign(email=[f"u{i}@example.org" for i in range(n)],
                 phone=[f"138{i:08d}" for i in range(n)],
                 region=np.where(np.arange(n) % 2, "north", "south"))
    assert churn.identifier_like_columns(X) == ["email", "phone"]
    r = churn.churn_models(X, y, models=("logistic",), n_folds=3, seed=0)
    ref = churn.churn_models(X.drop(columns=["email", "phone"]), y, models=("logistic",), n_folds=3, seed=0)
    assert r.dropped == ["email", "phone"]
    np.testing.assert_allclose(r.oof["logistic"], ref.oof["logistic"])  # exactly the model without them
    with pytest.raises(DataError, match="no predictors left"):
        churn.churn_models(X[["email", "phone"]], y, n_folds=3)


def test_seed_generator_reproduces_the_folds_and_the_models():
    X, y, _ = _data(400)

    def fit(seed):
        return churn.churn_models(X, y, models=("logistic",), n_folds=3, seed=seed).oof

    a = fit(np.random.default_rng(5))
    pd.testing.assert_frame_equal(a, fit(np.random.default_rng(5)), check_exact=True)
    assert not a.equals(fit(np.random.default_rng(6)))
