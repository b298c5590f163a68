"""Shape analysis, defection by level, Jones & Sasser, penalty-reward (references: statsmodels, patsy, scipy)."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from crmlab.core import datasets
from crmlab import loyalty
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


# --------------------------------------------------------------------------
# sentences and labels in Chinese (lang="zh"): same numbers, other words
# --------------------------------------------------------------------------
def _shape(best, best_aic="linear", threshold=float("nan")):
    return loyalty.ShapeResult(table=pd.DataFrame(), best=best, best_aic=best_aic, threshold=threshold, fitted={})


def test_describe_shapes_in_chinese():
    text = loyalty.describe_shapes(_shape("piecewise", "spline", -1.234), _shape("linear"), _shape("spline"),
                                   "sat1", "loy1", lang="zh")
    assert text.startswith("按交叉验证，PLS 得分之间的关系以**分段线性（阈值）** 形式描述最好（AIC 偏好样条）；"
                           "在题项均值上选出的是**线性**，在总体题项（sat1、loy1）上是**样条**。"
                           "分段模型在得分尺度上估计的阈值位于 -1.23 个标准差处。")
    en = loyalty.describe_shapes(_shape("piecewise", "spline", -1.234), _shape("linear"), _shape("spline"),
                                 "sat1", "loy1")
    assert en.startswith("By cross-validation the **piecewise** form") and "-1.23 SD" in en


def test_describe_not_loyal_in_chinese():
    tab = pd.DataFrame({"level": ["very dissatisfied", "neutral", "highly satisfied"], "n": [8, 0, 60],
                        "share": [1.0, np.nan, 0.05]})
    con = {"n_completely": 60, "n_merely": 118, "not_loyal_completely": 0.05, "not_loyal_merely": 0.2034,
           "difference": 0.1534, "ci_low": 0.0461, "ci_high": 0.2411, "p_fisher": 0.007243}
    text = loyalty.describe_not_loyal(tab, con, [7, 8], 9, lang="zh")
    assert text == ("不忠诚比例从 100%（非常不满意，n = 8）变化到 5%（非常满意，n = 60）；样本少的组置信区间较宽。"
                    "仅仅满意（7-8 分）的受访者中 20% 不忠诚（n = 118）；完全满意（≥ 9 分）的受访者中为 5%"
                    "（n = 60）。两者相差 15 [5, 24] 个百分点（95% 置信区间；Fisher 精确检验 p = 0.007）。")
    assert "Difference 15 [5, 24] percentage points (95% CI; Fisher p = 0.007)." in \
        loyalty.describe_not_loyal(tab, con, [7, 8], 9)
    tab["kotler"] = [0.8, 0.2, 0.015]
    assert "“Kotler 流失率”列" in loyalty.describe_not_loyal(tab, con, [7, 8], 9, lang="zh")
    assert "Kotler's figures (column `kotler`)" in loyalty.describe_not_loyal(tab, con, [7, 8], 9)


def test_describe_prca_in_chinese():
    tab = pd.DataFrame({"attribute": ["QUAL", "VAL"], "penalty": [-0.487, -1.689], "reward": [0.124, 1.006],
                        "p_asymmetry": [0.367, 0.012], "factor": ["performance", "basic"]})
    assert loyalty.describe_prca(tab, lang="zh") == (
        "**QUAL** 属于绩效因素（罚分 -0.487，奖励 0.124，非对称性检验 p = 0.37）；"
        "**VAL** 属于基本因素（罚分 -1.69，奖励 1.01，非对称性检验 p = 0.012）。")
    tab.loc[1, "factor"] = "excitement"
    assert "**VAL** acts as an excitement factor (penalty -1.69" in loyalty.describe_prca(tab)
    tab.loc[1, "p_asymmetry"] = 0.0002
    assert loyalty.describe_prca(tab).endswith("(penalty -1.69, reward 1.01, asymmetry p < 0.001).")


def test_p_text_and_percentage_point_intervals():
    import doctest

    assert loyalty.p_text(0.0234) == "p = 0.023" and loyalty.p_text(0.51) == "p = 0.51"
    assert loyalty.p_text(1e-9, "Fisher p") == "Fisher p < 0.001" and loyalty.p_text(float("nan")) == "p = -"
    assert loyalty.pct_points_ci(0.1534, 0.0461, 0.2411) == "15 [5, 24]"
    assert loyalty.pct_points_ci(0.0153, 0.0046, 0.0241) == "1.5 [0.5, 2.4]"
    assert doctest.testmod(loyalty).failed == 0


def test_describe_typology_from_the_shares():
    typ = pd.DataFrame({"type": ["apostle", "mercenary", "hostage", "defector"], "n": [151, 27, 23, 49],
                        "share": [0.604, 0.108, 0.092, 0.196]})
    assert loyalty.describe_typology(typ, 7, 7) == (
        "60% of respondents are apostles (satisfaction ≥ 7 and loyalty ≥ 7, n = 151), 20% defectors (n = 49) and "
        "9% hostages (n = 23). 15% of the satisfied (27 of 178) are mercenaries: satisfaction alone does not "
        "secure their loyalty, so they need retention levers beyond satisfaction.")
    assert loyalty.describe_typology(typ, 7, 7, lang="zh") == (
        "60% 的受访者是使徒（满意度 ≥ 7 且忠诚度 ≥ 7，n = 151），20% 是叛逃者（n = 49），9% 是人质（n = 23）。"
        "满意的受访者中有 15%（27/178）是雇佣兵：满意本身并不能保证忠诚，这部分顾客需要满意度之外的留存手段。")
    none_satisfied = typ.assign(n=[0, 0, 23, 49], share=[0.0, 0.0, 0.32, 0.68])
    assert "mercenaries" not in loyalty.describe_typology(none_satisfied, 7, 7)


def test_typology_labels_in_chinese_keep_english_keys(ecsi):
    labels, typ = loyalty.jones_sasser(ecsi["sat1"], ecsi["loy1"], satisfied_min=7, loyal_min=7)
    assert typ["type"].tolist() == ["apostle", "mercenary", "hostage", "defector"]
    assert [loyalty.label(v, "zh") for v in typ["type"]] == ["使徒", "雇佣兵", "人质", "叛逃者"]
    assert loyalty.label("apostle", "en") == "apostle" and loyalty.label("my level", "zh") == "my level"
    assert loyalty.label("items sat1/loy1", "zh") == "总体题项 sat1/loy1"
