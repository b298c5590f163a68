"""crmlab.experiments against statsmodels (design, intervals, Holm, robust OLS) and exact recomputation."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from crmlab import experiments as ex
from crmlab.core.errors import DataError, ParameterError


# ------------------------------------------------------------------ design vs statsmodels.stats.power
@pytest.mark.parametrize("p1,p2,n,ratio", [(0.10, 0.12, 3000, 1.0), (0.30, 0.25, 800, 2.0), (0.02, 0.03, 20000, 0.5)])
def test_power_proportions_matches_statsmodels_normalindpower(p1, p2, n, ratio):
    ref = NormalIndPower().power(proportion_effectsize(p2, p1), nobs1=n, alpha=0.05, ratio=ratio)
    assert ex.power_proportions(p1, p2, n, ratio=ratio) == pytest.approx(ref, rel=1e-10)


def test_sample_size_proportions_matches_statsmodels_solve_power():
    ref = NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), power=0.8, alpha=0.05, ratio=1)
    assert ex.sample_size_proportions(0.10, 0.12, power=0.8) == int(np.ceil(ref))


def test_multi_arm_design_uses_bonferroni_alpha_statsmodels():
    # three arms = two comparisons with control -> alpha/2 per comparison
    ref = NormalIndPower().power(proportion_effectsize(0.12, 0.10), nobs1=4000, alpha=0.025)
    assert ex.power_proportions(0.10, 0.12, 4000, n_arms=3) == pytest.approx(ref, rel=1e-10)


def test_mde_proportions_inverts_power_statsmodels():
    mde = ex.mde_proportions(0.10, 5000, power=0.8)
    ref = NormalIndPower().power(proportion_effectsize(0.10 + mde, 0.10), nobs1=5000, alpha=0.05)
    assert ref == pytest.approx(0.8, abs=1e-8)
    assert 0.01 < mde < 0.03


@pytest.mark.parametrize("delta,sd,n,ratio", [(1.0, 5.0, 300, 1.0), (0.5, 2.0, 150, 1.5)])
def test_power_means_matches_statsmodels_ttestindpower(delta, sd, n, ratio):
    ref = TTestIndPower().power(delta / sd, nobs1=n, alpha=0.05, ratio=ratio)
    assert ex.power_means(delta, sd, n, ratio=ratio) == pytest.approx(ref, rel=1e-8)


def test_sample_size_and_mde_means_match_statsmodels():
    ref = TTestIndPower().solve_power(0.2, power=0.9, alpha=0.05)
    assert ex.sample_size_means(1.0, 5.0, power=0.9) == int(np.ceil(ref))
    d = ex.mde_means(5.0, 400, power=0.8) / 5.0
    assert d == pytest.approx(TTestIndPower().solve_power(nobs1=400, power=0.8, alpha=0.05), rel=1e-6)


def test_power_curve_is_monotone_and_tidy():
    c = ex.power_curve("proportion", 0.1, 0.12, n_grid=[500, 1000, 4000], n_arms=3)
    assert list(c.columns) == ["n_control", "n_total", "power"]
    assert c["n_total"].tolist() == [1500, 3000, 12000]
    assert np.all(np.diff(c["power"]) > 0)


def test_design_bad_parameters():
    with pytest.raises(ParameterError, match="p_control"):
        ex.power_proportions(1.2, 0.1, 100)
    with pytest.raises(ParameterError, match="zero effect"):
        ex.sample_size_proportions(0.1, 0.1)
    with pytest.raises(ParameterError, match="n_arms"):
        ex.power_means(1, 1, 10, n_arms=1)
    with pytest.raises(ParameterError, match="kind"):
        ex.power_curve("ratio", 1, 2, n_grid=[10])


# ------------------------------------------------------------------ SRM and balance
def test_srm_chi2_matches_scipy_chisquare():
    from scipy.stats import chisquare
    counts = {"A": 5000, "B": 5150, "C": 4850}
    r = ex.srm_test(counts)
    ref = chisquare([5000, 5150, 4850])
    assert r.chi2 == pytest.approx(ref.statistic) and r.p == pytest.approx(ref.pvalue)
    assert r.df == 2 and not r.alert


def test_srm_alert_and_unequal_expected_split():
    arms = pd.Series(["t"] * 5400 + ["c"] * 4600)
    r = ex.srm_test(arms, {"t": 0.5, "c": 0.5})
    assert r.alert and r.p < 1e-3
    from scipy.stats import chisquare
    r2 = ex.srm_test(arms, {"t": 0.54, "c": 0.46})
    ref = chisquare([4600, 5400], [4600, 5400])  # perfect fit to a 54/46 design
    assert r2.chi2 == pytest.approx(ref.statistic, abs=1e-9) and not r2.alert
    with pytest.raises(DataError, match="not in expected_split"):
        ex.srm_test(arms, {"t": 1, "x": 1})


def test_balance_smd_exact_recomputation():
    df = pd.DataFrame({"arm": ["c", "c", "c", "t", "t", "t"], "x": [1.0, 2, 3, 2, 3, 7],
                       "ch": ["a", "b", "a", "b", "b", "a"]})
    b = ex.balance_table(df, "arm", "c", ["x", "ch"]).set_index("covariate")
    s = np.sqrt((np.var([2, 3, 7], ddof=1) + np.var([1, 2, 3], ddof=1)) / 2)
    assert b.loc["x", "smd"] == pytest.approx((4 - 2) / s)
    pa, pb = 2 / 3, 1 / 3  # share of 'a' in control vs treated
    sa = np.sqrt((np.var([1, 0, 1], ddof=1) + np.var([0, 0, 1], ddof=1)) / 2)
    assert b.loc["ch=a", "smd"] == pytest.approx((pb - pa) / sa)


# ------------------------------------------------------------------ effects
@pytest.mark.parametrize("method,sm_method", [("newcombe", "newcomb"), ("wald", "wald")])
def test_diff_proportions_ci_matches_statsmodels(method, sm_method):
    lo, hi = ex.diff_proportions_ci(56, 70, 48, 80, method=method)
    rlo, rhi = confint_proportions_2indep(56, 70, 48, 80, method=sm_method, compare="diff")
    assert (lo, hi) == pytest.approx((rlo, rhi), abs=1e-10)


def test_newcombe_published_example():
    # Newcombe (1998) Stat Med 17:873, Table II example (a): 56/70 vs 48/80 -> 0.0524 to 0.3339
    lo, hi = ex.diff_proportions_ci(56, 70, 48, 80)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.0524, 0.3339)


def test_welch_ci_matches_statsmodels_comparemeans():
    rng = np.random.default_rng(3)
    a, b = rng.normal(1, 2, 40), rng.normal(0, 1, 60)
    d, se, lo, hi, p, dof = ex.welch_ci(a.mean(), a.var(ddof=1), 40, b.mean(), b.var(ddof=1), 60)
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(b))
    assert (lo, hi) == pytest.approx(cm.tconfint_diff(usevar="unequal"), rel=1e-10)
    t, pref, dfref = cm.ttest_ind(usevar="unequal")
    assert p == pytest.approx(pref, rel=1e-10) and dof == pytest.approx(dfref)


def test_holm_matches_statsmodels_multipletests():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5, 0.04])
    assert ex.holm(p) == pytest.approx(multipletests(p, method="holm")[1])


def _toy_experiment(seed=0, n=3000):
    rng = np.random.default_rng(seed)
    arm = rng.choice(["ctl", "A", "B"], n)
    x = rng.normal(size=n)
    ch = rng.choice(["web", "phone"], n)
    conv = (rng.uniform(size=n) < 0.1 + 0.03 * (arm == "A") + 0.02 * (x > 0)).astype(int)
    spend = 10 + 3 * x + 1.0 * (arm == "B") + rng.normal(0, 2, n)
    return pd.DataFrame({"arm": arm, "x": x, "channel": ch, "conv": conv, "spend": spend})


def test_itt_effects_match_statsmodels_tests():
    df = _toy_experiment()
    out = ex.itt_effects(df, "arm", "ctl", ["conv", "spend"]).set_index(["arm", "outcome"])
    t, c = df[df.arm == "A"], df[df.arm == "ctl"]
    z, p = proportions_ztest([t.conv.sum(), c.conv.sum()], [len(t), len(c)])
    row = out.loc[("A", "conv")]
    assert row["p"] == pytest.approx(p, rel=1e-10)
    assert row["kind"] == "binary" and "newcombe" in row["method"]
    assert row["lift"] == pytest.approx(row["estimate"] / c.conv.mean())
    b = df[df.arm == "B"]
    _, pw, _ = CompareMeans(DescrStatsW(b.spend), DescrStatsW(c.spend)).ttest_ind(usevar="unequal")
    assert out.loc[("B", "spend"), "p"] == pytest.approx(pw, rel=1e-10)
    assert out["p_holm"].to_numpy() == pytest.approx(multipletests(out["p"], method="holm")[1])


def test_ols_robust_matches_statsmodels_hc1_hc2():
    df = _toy_experiment(1)
    X = sm.add_constant(np.column_stack([df.arm == "B", df.x]).astype(float))
    for cov in ("HC1", "HC2"):
        b, V = ex.ols_robust(X, df.spend, cov_type=cov)
        ref = sm.OLS(df.spend.to_numpy(), X).fit(cov_type=cov)
        assert b == pytest.approx(ref.params, rel=1e-10)
        assert np.sqrt(np.diag(V)) == pytest.approx(ref.bse, rel=1e-8)


def test_cuped_matches_statsmodels_lin_regression_and_reduces_variance():
    df = _toy_experiment(2)
    out = ex.cuped_effects(df, "arm", "ctl", ["spend"], ["x", "channel"]).set_index("arm")
    s = df[df.arm.isin(["B", "ctl"])]
    t = (s.arm == "B").astype(float).to_numpy()
    xc = np.column_stack([s.x - s.x.mean(), (s.channel == "web") - (s.channel == "web").mean()])
    X = np.column_stack([np.ones_like(t), t, xc, t[:, None] * xc])
    ref = sm.OLS(s.spend.to_numpy(), X).fit(cov_type="HC1")
    assert out.loc["B", "estimate"] == pytest.approx(ref.params[1], rel=1e-9)
    assert out.loc["B", "se"] == pytest.approx(ref.bse[1], rel=1e-8)
    # x explains 9 / (9 + 4) of the outcome variance: CUPED removes about that share
    assert out.loc["B", "variance_reduction"] == pytest.approx(9 / 13, abs=0.05)


# ------------------------------------------------------------------ bad input
def test_bad_input_messages_name_column_and_rows():
    df = _toy_experiment(4, n=200)
    with pytest.raises(DataError, match="control label 'none'.*'arm'"):
        ex.itt_effects(df, "arm", "none", ["conv"])
    bad = df.copy()
    bad.loc[7, "conv"] = 2
    with pytest.raises(DataError, match=r"'conv' is declared binary but holds \[2\] at row 9 "):
        ex.itt_effects(bad, "arm", "ctl", ["conv"], binary={"conv": True})
    with pytest.raises(DataError, match=r"arm\(s\) \['Z'\].*no customers"):
        ex.check_experiment(df, "arm", "ctl", arms=["A", "Z"])
    cat = df.assign(arm=pd.Categorical(df.arm, categories=["ctl", "A", "B", "Empty"]))
    with pytest.raises(DataError, match="'Empty'.*no customers"):
        ex.check_experiment(cat, "arm", "ctl")
    with pytest.raises(DataError, match="not found"):
        ex.itt_effects(df, "arm", "ctl", ["revenue"])
    miss = df.copy()
    miss.loc[3, "spend"] = np.nan
    with pytest.raises(DataError, match=r"'spend' has 1 missing value\(s\) \(row 5\)"):
        ex.itt_effects(miss, "arm", "ctl", ["spend"])


def test_segment_effects_equal_itt_within_each_level_with_holm_across_all():
    df = _toy_experiment(5)
    seg = ex.segment_effects(df, "arm", "ctl", ["conv"], ["channel"], arms=["A"])
    assert seg[["segment", "level"]].values.tolist() == [["channel", "phone"], ["channel", "web"]]
    for r in seg.itertuples():
        ref = ex.itt_effects(df[df.channel == r.level], "arm", "ctl", ["conv"]).set_index("arm").loc["A"]
        assert (r.estimate, r.ci_low, r.ci_high, r.p) == pytest.approx(
            (ref["estimate"], ref["ci_low"], ref["ci_high"], ref["p"]))
    assert seg["p_holm"].to_numpy() == pytest.approx(multipletests(seg["p"], method="holm")[1])
    with pytest.raises(DataError, match="segment column"):
        ex.segment_effects(df, "arm", "ctl", ["conv"], ["region"])


def test_cuped_drops_collinear_covariates():
    df = _toy_experiment(7)
    df["x_copy"] = 2 * df["x"]
    a = ex.cuped_effects(df, "arm", "ctl", ["spend"], ["x", "x_copy"]).set_index("arm")
    b = ex.cuped_effects(df, "arm", "ctl", ["spend"], ["x"]).set_index("arm")
    assert a["estimate"].to_numpy() == pytest.approx(b["estimate"].to_numpy(), rel=1e-9)
    assert a["se"].to_numpy() == pytest.approx(b["se"].to_numpy(), rel=1e-9)


def test_srm_numeric_arm_labels_are_labels_not_counts():
    arms = pd.Series([0, 1, 2] * 100 + [1] * 40)  # unnamed numeric labels
    r = ex.srm_test(arms)
    assert r.table.set_index("arm")["observed"].to_dict() == {"0": 100, "1": 140, "2": 100}
    r2 = ex.srm_test(pd.Series({"a": 100, "b": 140}), counts=True)
    assert r2.table["observed"].tolist() == [100, 140]


# ------------------------------------------------------------------ confidence level
def test_level_090_intervals_match_statsmodels_alpha_010():
    lo, hi = ex.diff_proportions_ci(56, 70, 48, 80, level=0.90)
    assert (lo, hi) == pytest.approx(confint_proportions_2indep(56, 70, 48, 80, method="newcomb", compare="diff",
                                                                alpha=0.10), abs=1e-10)
    rng = np.random.default_rng(4)
    a, b = rng.normal(1, 2, 40), rng.normal(0, 1, 60)
    _, _, lo, hi, _, _ = ex.welch_ci(a.mean(), a.var(ddof=1), 40, b.mean(), b.var(ddof=1), 60, level=0.90)
    ref = CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(alpha=0.10, usevar="unequal")
    assert (lo, hi) == pytest.approx(ref, rel=1e-10)


def test_level_one_minus_alpha_gives_the_alpha_intervals_bit_for_bit():
    # a study passes level = 1 - alpha; 1 - (1 - 0.05) is 0.050000000000000044, rounded back to 0.05
    df = _toy_experiment(8)
    a = ex.itt_effects(df, "arm", "ctl", ["conv", "spend"], level=1 - 0.05)
    b = ex.itt_effects(df, "arm", "ctl", ["conv", "spend"])
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    c = ex.cuped_effects(df, "arm", "ctl", ["spend"], ["x"], level=1 - 0.10)
    assert (c["ci_high"] - c["estimate"]).to_numpy() == pytest.approx(norm.isf(0.05) * c["se"], rel=1e-12)
    with pytest.raises(ParameterError, match="level"):
        ex.itt_effects(df, "arm", "ctl", ["conv"], level=95)


def test_binary_codes_read_exports_yes_no_answers_and_show_the_map():
    codes, mapping = ex.binary_codes(pd.Series(["是", "否", None, " 是 "]))
    assert codes[[0, 1, 3]].tolist() == [1, 0, 1] and np.isnan(codes[2])
    assert mapping == {"是": 1, "否": 0, " 是 ": 1}
    for values, expected in ((["Yes", "no", "Y", "n"], {"Yes": 1, "no": 0, "Y": 1, "n": 0}),
                             (["TRUE", "false"], {"TRUE": 1, "false": 0}), (["1", "0"], {"1": 1, "0": 0})):
        codes, mapping = ex.binary_codes(values)
        assert codes.tolist() == [float(v) for v in mapping.values()] and mapping == expected
    assert ex.binary_codes([1, 0, 1])[1] == {} and ex.binary_codes([True, False])[0].tolist() == [1.0, 0.0]
    assert ex.binary_codes([0.0, 1.0, np.nan])[0][:2].tolist() == [0.0, 1.0]
    assert ex.binary_codes(["已领取", "未领取"], {"已领取": 1, "未领取": 0})[0].tolist() == [1.0, 0.0]
    assert ex.binary_codes([0, 1, 2]) is None and ex.binary_codes(["yes", "maybe"]) is None


def test_a_control_written_as_text_for_numeric_arms_is_named_not_contradicted():
    df = pd.DataFrame({"arm": [0, 1, 0, 1], "y": [0, 1, 1, 0]})
    with pytest.raises(DataError, match=r"given as '0' \(str\) but column 'arm' holds 0 \(int\)") as err:
        ex.check_experiment(df, "arm", "0", ["y"], source="coupon.xlsx")
    assert "does not occur" not in str(err.value) and str(err.value).startswith("coupon.xlsx: ")
    assert ex.check_experiment(df, "arm", 0, ["y"]) == [1]
