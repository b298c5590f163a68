"""Shape analysis, defection by level, Jones & Sasser, penalty-reward (references: statsmodels, patsy, scipy)."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from crmlab import loyalty
from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


def test_wilson_interval_matches_statsmodels():
    lo, hi = loyalty.wilson_interval(np.array([3, 0, 20]), np.array([10, 15, 20]))
    ref = proportion_confint([3, 0, 20], [10, 15, 20], method="wilson")
    np.testing.assert_allclose(lo, ref[0], atol=1e-12)
    np.testing.assert_allclose(hi, ref[1], atol=1e-12)


def test_not_loyal_by_level_counts_equal_crosstab(ecsi):
    tab = loyalty.not_loyal_by_level(ecsi["sat1"], ecsi["loy1"], loyal_min=7)
    lv = pd.cut(ecsi["sat1"], [-0.5, 2.5, 4.5, 6.5, 8.5, 10.5], labels=tab["level"])
    ref = pd.crosstab(lv, ecsi["loy1"] < 7)
    np.testing.assert_array_equal(tab["n"], ref.sum(axis=1))
    np.testing.assert_array_equal(tab["not_loyal"], ref[True])
    assert tab["n"].sum() == len(ecsi)
    # the Kotler pattern on the ECSI data: defection falls with satisfaction
    assert tab["share"].is_monotonic_decreasing


def test_custom_levels_with_fractional_scores():
    sat = np.repeat([1.0, 1.5, 2.0, 2.25, 3.0, 3.5], 2)
    loy = np.repeat([0, 0, 1, 1, 1, 1], 2)
    tab = loyalty.not_loyal_by_level(sat, loy, loyal_min=1,
                                     levels=[["low", 1, 1.5], ["mid", 2, 2.5], ["high", 3, 4]])
    assert tab["n"].tolist() == [4, 4, 4] and tab["not_loyal"].tolist() == [4, 0, 0]
    with pytest.raises(ParameterError, match="low <= high"):
        loyalty.not_loyal_by_level(sat, loy, 1, levels=[["x", 3, 1]])
    with pytest.raises(DataError, match=r"2 satisfaction values lie outside the levels \[1, 3\]"):
        loyalty.not_loyal_by_level(sat, loy, 1, levels=[["low", 1, 2], ["high", 3, 3]])


def test_satisfaction_contrast_matches_statsmodels_newcombe(ecsi):
    res = loyalty.satisfaction_contrast(ecsi["sat1"], ecsi["loy1"], loyal_min=7, completely_min=9,
                                        merely=(7, 8))
    s, l_ = ecsi["sat1"], ecsi["loy1"]
    km, nm = int(((s.between(7, 8)) & (l_ < 7)).sum()), int(s.between(7, 8).sum())
    kc, nc = int(((s >= 9) & (l_ < 7)).sum()), int((s >= 9).sum())
    lo, hi = confint_proportions_2indep(km, nm, kc, nc, method="newcomb", compare="diff")
    assert res["difference"] == pytest.approx(km / nm - kc / nc)
    assert res["ci_low"] == pytest.approx(lo, abs=1e-10) and res["ci_high"] == pytest.approx(hi, abs=1e-10)
    assert res["n_merely"] == nm and res["n_completely"] == nc


def test_jones_sasser_quadrants():
    labels, table = loyalty.jones_sasser([9, 9, 3, 3, np.nan], [9, 2, 9, 2, 5], satisfied_min=7, loyal_min=7)
    assert labels.tolist()[:4] == ["apostle", "mercenary", "hostage", "defector"]
    assert pd.isna(labels.iloc[4])
    assert table["n"].tolist() == [1, 1, 1, 1] and table["share"].sum() == pytest.approx(1)


def test_linear_fit_equals_polyfit_and_spline_equals_patsy_natural_spline():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 300)
    y = np.sin(x / 2) + rng.normal(0, 0.3, 300)
    res = loyalty.fit_shapes(x, y, seed=0)
    np.testing.assert_allclose(res.fitted["linear"].beta_[::-1], np.polyfit(x, y, 1), atol=1e-10)
    patsy = pytest.importorskip("patsy")
    k = res.fitted["spline"].knots_
    Z = patsy.dmatrix(f"cr(x, knots={list(k[1:-1])}, lower_bound={k[0]}, upper_bound={k[-1]}, constraints='center')",
                      {"x": x}, return_type="matrix")
    ref = sm.OLS(y, np.asarray(Z)).fit().fittedvalues
    np.testing.assert_allclose(res.fitted["spline"].predict(x), ref, atol=1e-8)
    n = len(x)
    assert res.table.loc[0, "aic"] == pytest.approx(n * np.log(res.table.loc[0, "rss"] / n) + 6)


def test_piecewise_recovers_an_exact_threshold():
    x = np.linspace(0, 10, 201)
    y = 1 + 0.1 * x + 0.8 * np.clip(x - 6, 0, None)
    res = loyalty.fit_shapes(x, y + np.random.default_rng(1).normal(0, 0.05, x.size), seed=0)
    assert res.threshold == pytest.approx(6, abs=0.3)
    assert res.best == "piecewise" and res.best_aic == "piecewise"
    assert set(res.curves()["model"]) == {"linear", "piecewise", "spline"}


def test_penalty_reward_coefficients_equal_statsmodels_ols(ecsi):
    attrs = ["qual1", "val1"]
    res = loyalty.penalty_reward(ecsi, attrs, "sat1", low=4, high=9)
    cols = {}
    for a in attrs:
        cols[f"{a}_lo"] = (ecsi[a] <= 4).astype(float)
        cols[f"{a}_hi"] = (ecsi[a] >= 9).astype(float)
    X = sm.add_constant(pd.DataFrame(cols))
    ols = sm.OLS(ecsi["sat1"].astype(float), X).fit()
    for a, row in res.set_index("attribute").iterrows():
        assert row["penalty"] == pytest.approx(ols.params[f"{a}_lo"])
        assert row["reward"] == pytest.approx(ols.params[f"{a}_hi"])
        assert row["se_penalty"] == pytest.approx(ols.bse[f"{a}_lo"])
        tt = ols.t_test(f"{a}_lo + {a}_hi = 0")
        assert row["p_asymmetry"] == pytest.approx(float(tt.pvalue))


def test_penalty_reward_classifies_planted_factors():
    rng = np.random.default_rng(2)
    n = 3000
    d = pd.DataFrame(rng.integers(1, 6, size=(n, 3)), columns=["basic", "perf", "excite"])
    y = (-1.0 * (d["basic"] <= 2) + 0.0 * (d["basic"] >= 4)
         - 0.5 * (d["perf"] <= 2) + 0.5 * (d["perf"] >= 4)
         + 0.0 * (d["excite"] <= 2) + 1.0 * (d["excite"] >= 4) + rng.normal(0, 1, n))
    d["overall"] = y
    res = loyalty.penalty_reward(d, ["basic", "perf", "excite"], "overall", low=2, high=4)
    assert res["factor"].tolist() == ["basic", "performance", "excitement"]


def test_bad_inputs_name_the_problem():
    with pytest.raises(DataError, match="different lengths"):
        loyalty.fit_shapes([1, 2, 3], [1, 2])
    with pytest.raises(DataError, match="constant"):
        loyalty.fit_shapes(np.ones(20), np.arange(20))
    with pytest.raises(ParameterError, match="unknown shape model"):
        loyalty.fit_shapes(np.arange(20.0), np.arange(20.0), models=("linear", "cubic"))
    with pytest.raises(DataError, match="missing for penalty-reward"):
        loyalty.penalty_reward(pd.DataFrame({"a": [1]}), ["a", "b"], "y")
    with pytest.raises(ParameterError, match="below completely_min"):
        loyalty.satisfaction_contrast(np.arange(20), np.arange(20), 5, completely_min=8, merely=(6, 9))


def test_typology_keeps_english_keys_in_model_order(ecsi):
    labels, typ = loyalty.jones_sasser(ecsi["sat1"], ecsi["loy1"], satisfied_min=7, loyal_min=7)
    assert typ["type"].tolist() == ["apostle", "mercenary", "hostage", "defector"] == list(loyalty.JS_TYPES)
    assert list(labels.cat.categories) == list(loyalty.JS_TYPES)
