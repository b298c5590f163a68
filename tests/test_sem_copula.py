"""Gaussian-copula endogeneity check (Park & Gupta 2012; Hult et al. 2018).

References: statsmodels OLS (the point estimates with the copula column),
statsmodels' Lilliefors test and scipy's Shapiro-Wilk (the pre-tests), exact
recomputation (batched bootstrap = a loop over the same resamples, copula terms
recomputed inside each), and simulation (a planted endogenous non-normal
regressor is flagged, an exogenous one is not).
"""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.sem.copula import _boot_counts, copula_regression, copula_term, copula_test, normality_test
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.simulate.sem_groups import composite_items

MODEL = "X1 =~ a1 + a2 + a3\nX2 =~ b1 + b2 + b3\nY =~ y1 + y2 + y3\nY ~ X1 + X2"


def _endogenous_data(n, seed, x2_normal=False):
    """Y = 0.4 X1 + 0.4 X2 + 0.7 e; X1 = F^-1(Phi(u1)) with corr(u1, e) = 0.5 (endogenous),
    X2 independent of e (exogenous); F exponential (non-normal) unless x2_normal."""
    rng = np.random.default_rng(seed)
    u = rng.multivariate_normal(np.zeros(3), [[1, 0, 0.5], [0, 1, 0], [0.5, 0, 1]], size=n)
    x1 = stats.expon.ppf(stats.norm.cdf(u[:, 0]))
    x2 = u[:, 1] if x2_normal else stats.expon.ppf(stats.norm.cdf(u[:, 1]))
    y = 0.4 * x1 + 0.4 * x2 + 0.7 * u[:, 2]
    lat = pd.DataFrame({"X1": x1, "X2": x2, "Y": y})
    return (lat - lat.mean()) / lat.std(ddof=0), rng


def test_copula_term_is_the_normal_quantile_of_the_adjusted_ecdf():
    x = np.array([3.0, 1.0, 2.0, 2.0, 5.0])
    expected = stats.norm.ppf(stats.rankdata(x, method="max") / (len(x) + 1))
    np.testing.assert_allclose(copula_term(x), expected)
    assert np.isfinite(copula_term(np.arange(100.0))).all()


def test_point_estimates_equal_statsmodels_ols_with_the_copula_column():
    lat, _ = _endogenous_data(500, 1)
    res = copula_regression(lat["Y"], lat[["X1", "X2"]], ["X1"], n_boot=50, seed=1)
    design = sm.add_constant(lat[["X1", "X2"]].assign(c=copula_term(lat["X1"])))
    ref = sm.OLS(lat["Y"], design).fit()
    np.testing.assert_allclose(res["estimate"], ref.params.to_numpy(), atol=1e-10)
    assert list(res["term"]) == ["intercept", "X1", "X2", "copula_X1"]
    assert list(res["kind"]) == ["intercept", "path", "path", "copula"]


def test_batched_bootstrap_equals_a_loop_over_the_same_resamples():
    lat, _ = _endogenous_data(120, 2)
    res = copula_regression(lat["Y"], lat[["X1", "X2"]], ["X1", "X2"], n_boot=30, seed=9, level=0.9)
    counts = _boot_counts(120, 30, np.random.default_rng(9))
    draws = []
    for c in counts:
        rows = np.repeat(np.arange(120), c)
        d = lat.iloc[rows]
        X = np.column_stack([np.ones(120), d[["X1", "X2"]], copula_term(d["X1"]), copula_term(d["X2"])])
        draws.append(np.linalg.lstsq(X, d["Y"], rcond=None)[0])
    draws = np.array(draws)
    np.testing.assert_allclose(res["se"], draws.std(axis=0, ddof=1), atol=1e-10)
    np.testing.assert_allclose(res["ci_low"], np.quantile(draws, 0.05, axis=0), atol=1e-10)
    np.testing.assert_allclose(res["t"], res["estimate"] / res["se"])
    np.testing.assert_allclose(res["p_value"], 2 * stats.norm.sf(np.abs(res["t"])))


def test_copula_flags_the_planted_endogenous_regressor_in_a_pls_model():
    lat, rng = _endogenous_data(1000, 11)
    items, _ = composite_items(lat, MODEL, within_corr=0.5, seed=rng)
    res = copula_test(PLSPM(MODEL).fit(items), n_boot=500, seed=3)
    assert res.normality["non_normal"].all()
    s = res.summary().set_index(["copulas", "term"])
    assert s.loc[("X1", "copula_X1"), "p_value"] < 0.001 and s.loc[("X1", "copula_X1"), "estimate"] > 0
    assert s.loc[("X2", "copula_X2"), "p_value"] > 0.05
    assert s.loc[("X1+X2", "copula_X1"), "significant"] and not s.loc[("X1+X2", "copula_X2"), "significant"]


def test_normal_predictors_get_no_copula_term():
    lat, rng = _endogenous_data(1000, 12, x2_normal=True)
    items, _ = composite_items(lat, MODEL, within_corr=0.5, seed=rng)
    m = PLSPM(MODEL).fit(items)
    res = copula_test(m, normality="shapiro", n_boot=100, seed=3)
    norm = res.normality.set_index("construct")
    ref = stats.shapiro(m.scores_["X2"])
    assert norm.loc["X2", "p_value"] == pytest.approx(ref.pvalue)
    assert not norm.loc["X2", "non_normal"] and norm.loc["X1", "non_normal"]
    assert res.skipped.to_dict(orient="records") == [{"target": "Y", "predictor": "X2"}]
    assert set(res.summary()["term"]) == {"copula_X1"}


def test_normality_pre_tests_match_their_reference_implementations():
    from statsmodels.stats.diagnostic import lilliefors

    x = np.random.default_rng(4).gamma(3.0, size=300)
    assert normality_test(x, "lilliefors") == pytest.approx(lilliefors(x, dist="norm", pvalmethod="table"))
    assert normality_test(x, "shapiro") == pytest.approx(tuple(stats.shapiro(x)))
    st, p = normality_test(x, "cramervonmises", seed=1)
    assert p < 0.01 and st == pytest.approx(stats.goodness_of_fit(stats.norm, x, statistic="cvm",
                                                                   n_mc_samples=99, rng=1).statistic)
    with pytest.raises(ParameterError, match="not one of"):
        normality_test(x, "jarque")


def test_ecsi_copula_check_runs_and_records():
    m = PLSPM(ECSI_MODEL).fit(datasets.load_ecsi())
    res = copula_test(m, n_boot=200, seed=1)
    assert list(res.normality["construct"]) == ["IMAG", "EXPE", "QUAL", "VAL", "SAT"]
    summ = res.summary()
    assert set(summ["target"]) <= {"EXPE", "QUAL", "VAL", "SAT", "LOY"}
    assert (summ["se"] > 0).all() and (summ["ci_low"] < summ["ci_high"]).all()
    rec = res.to_dict()
    assert rec["n_boot"] == 200 and len(rec["copulas"]) == len(summ)


def test_copula_input_errors():
    with pytest.raises(DataError, match="finite"):
        copula_regression([1.0, 2.0, np.nan], [[1.0], [2.0], [3.0]], [0])
    with pytest.raises(ParameterError, match="at least one"):
        copula_regression([1.0, 2.0, 3.0], [[1.0], [2.0], [3.0]], [])
    with pytest.raises(ParameterError, match="fitted"):
        copula_test(PLSPM(MODEL))
