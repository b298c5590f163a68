"""crmlab.ratio_metrics: delta-method variance against statsmodels (WLS HC0 of the ratio; Welch when the
denominator is 1; ANCOVA point estimate for CUPED), exact recomputation of the linearised variables,
Deng et al.'s percent-change formula, and simulated coverage / CUPED variance reduction."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from crmlab import ratio_metrics as rm
from crmlab.core.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def sim():
    df, truth = rm.simulate_ratio_experiment(6000, lift=0.08, visit_lift=0.1, seed=5)
    return df, truth


def test_ratio_delta_variance_equals_statsmodels_wls_hc0(sim):
    df, _ = sim
    r = rm.ratio_effects(df, "arm", "control", "spend", "visits").iloc[0]
    # R = sum(spend)/sum(visits) is WLS of spend/visits on a constant with weights visits; its HC0
    # sandwich sum(x^2 e^2)/(sum x)^2 is the delta-method variance with divisor n (we use n - 1)
    v = {}
    for arm in ("treatment", "control"):
        d = df[(df.arm == arm)]
        pos = d[d.visits > 0]
        fit = sm.WLS(pos.spend / pos.visits, np.ones(len(pos)), weights=pos.visits).fit(cov_type="HC0")
        assert fit.params.iloc[0] == pytest.approx(d.spend.sum() / d.visits.sum(), rel=1e-12)
        v[arm] = fit.cov_params().iloc[0, 0] * len(d) / (len(d) - 1)  # n counts zero-visit customers too
    assert r.se_unadjusted == pytest.approx(np.sqrt(v["treatment"] + v["control"]), rel=1e-10)
    assert r.se == r.se_unadjusted and r.variance_reduction == 0
    # the difference is the coefficient of T in the WLS on (1, T) (saturated: same HC0 variance, up to n/(n-1))
    pos = df[df.visits > 0]
    t = (pos.arm == "treatment").astype(float)
    fit = sm.WLS(pos.spend / pos.visits, sm.add_constant(t), weights=pos.visits).fit(cov_type="HC0")
    assert r.estimate == pytest.approx(fit.params.iloc[1], rel=1e-10)


def test_denominator_one_is_welch_difference_in_means_statsmodels(sim):
    df, _ = sim
    r = rm.ratio_effects(df, "arm", "control", "spend").iloc[0]
    cm = CompareMeans(DescrStatsW(df.spend[df.arm == "treatment"]), DescrStatsW(df.spend[df.arm == "control"]))
    assert r.se == pytest.approx(cm.std_meandiff_separatevar, rel=1e-12)
    assert (r.ci_low, r.ci_high) == pytest.approx(cm.zconfint_diff(usevar="unequal"), rel=1e-12)
    assert r.p == pytest.approx(cm.ztest_ind(usevar="unequal")[1], rel=1e-9)


def test_cuped_ratio_exact_recomputation_of_linearised_variables(sim):
    df, _ = sim
    r = rm.ratio_effects(df, "arm", "control", "spend", "visits", pre_numerator="pre_spend",
                         pre_denominator="pre_visits").iloc[0]
    lin = {}
    for arm in ("treatment", "control"):
        d = df[df.arm == arm]
        R = d.spend.sum() / d.visits.sum()
        P = d.pre_spend.sum() / d.pre_visits.sum()
        L = (d.spend - R * d.visits) / d.visits.mean()  # influence variable of the ratio
        M = (d.pre_spend - P * d.pre_visits) / d.pre_visits.mean()
        lin[arm] = (R, P, L.to_numpy(), M.to_numpy(), len(d))

    def cov(a, b, n):
        return np.cov(a, b)[0, 1] / n
    c_ll = sum(np.var(L, ddof=1) / n for _, _, L, _, n in lin.values())
    c_lm = sum(cov(L, M, n) for _, _, L, M, n in lin.values())
    c_mm = sum(np.var(M, ddof=1) / n for _, _, _, M, n in lin.values())
    theta = c_lm / c_mm
    (Rt, Pt, Lt, Mt, nt), (Rc, Pc, Lc, Mc, nc) = lin["treatment"], lin["control"]
    est = (Rt - Rc) - theta * (Pt - Pc)
    var = np.var(Lt - theta * Mt, ddof=1) / nt + np.var(Lc - theta * Mc, ddof=1) / nc
    assert r.estimate == pytest.approx(est, rel=1e-10)
    assert r.se == pytest.approx(np.sqrt(var), rel=1e-10)
    assert r.se_unadjusted == pytest.approx(np.sqrt(c_ll), rel=1e-10)
    assert r.variance_reduction == pytest.approx(1 - var / c_ll, rel=1e-9)
    # relative lift est / R_c: per-customer influence (L - theta M)/R_c (treated), -(L - theta M)/R_c - est L/R_c^2
    lift_var = (np.var((Lt - theta * Mt) / Rc, ddof=1) / nt
                + np.var(-(Lc - theta * Mc) / Rc - est * Lc / Rc**2, ddof=1) / nc)
    assert r.lift == pytest.approx(est / Rc, rel=1e-10)
    assert r.lift_se == pytest.approx(np.sqrt(lift_var), rel=1e-9)


def test_lift_variance_without_covariates_is_deng_2018_percent_change_formula(sim):
    df, _ = sim
    r = rm.ratio_effects(df, "arm", "control", "spend", "visits").iloc[0]
    v = {}
    for arm in ("treatment", "control"):
        d = df[df.arm == arm]  # Var(R) = (s_Y^2/mx^2 - 2 my s_XY/mx^3 + my^2 s_X^2/mx^4) / n, Deng et al. (2018)
        mx, my = d.visits.mean(), d.spend.mean()
        c = np.cov(d.spend, d.visits)
        v[arm] = (c[0, 0] / mx**2 - 2 * my * c[0, 1] / mx**3 + my**2 * c[1, 1] / mx**4) / len(d)
    Rt, Rc = r.ratio_treated, r.ratio_control
    assert r.se**2 == pytest.approx(v["treatment"] + v["control"], rel=1e-10)
    assert r.lift_se**2 == pytest.approx(v["treatment"] / Rc**2 + Rt**2 * v["control"] / Rc**4, rel=1e-10)


def test_cuped_mean_metric_point_estimate_equals_statsmodels_ancova_balanced_arms():
    rng = np.random.default_rng(0)
    n = 2000
    z = rng.normal(size=2 * n)
    T = np.r_[np.ones(n), np.zeros(n)]  # equal arms: the variance-minimising theta is the ANCOVA slope
    y = 2 + 1.5 * z + 0.3 * T + rng.normal(size=2 * n) * (1 + T)
    df = pd.DataFrame({"arm": np.where(T == 1, "b", "a"), "y": y, "z": z})
    r = rm.ratio_effects(df, "arm", "a", "y", pre_numerator="z").iloc[0]
    fit = sm.OLS(y, np.column_stack([np.ones(2 * n), T, z - z.mean()])).fit(cov_type="HC0")
    assert r.estimate == pytest.approx(fit.params[1], rel=1e-10)
    # same influence function: the robust se agrees up to O(1/n) degrees-of-freedom terms
    assert r.se == pytest.approx(fit.bse[1], rel=1e-3)
    # the covariates argument gives the same as pre_numerator without pre_denominator
    r2 = rm.ratio_effects(df, "arm", "a", "y", covariates=["z"]).iloc[0]
    assert r2.estimate == pytest.approx(r.estimate, rel=1e-12) and r2.se == pytest.approx(r.se, rel=1e-12)


def test_simulated_coverage_93_to_97_and_cuped_variance_reduction():
    # 1,000 experiments x 2,000 customers: MC se of a 95% coverage is 0.7 points
    c = rm.ratio_coverage(1000, 2000, lift=0.05, seed=3)
    for k in ("coverage_unadjusted", "coverage_cuped", "coverage_lift", "coverage_lift_cuped"):
        assert 0.93 <= c[k] <= 0.97, k
    # reported CUPED variance reduction agrees with the reduction of the estimates' variance across repetitions
    assert c["variance_reduction"] > 0.4
    assert c["variance_reduction_mc"] == pytest.approx(c["variance_reduction"], abs=0.06)
    assert 0.93 < c["se_ratio_unadjusted"] < 1.07 and 0.93 < c["se_ratio_cuped"] < 1.07
    truth = c["truth"]["difference"]
    assert abs(c["mean_estimate_cuped"] - truth) < 4 * 0.0435  # 4 MC se (sd of one estimate ~1.4 / sqrt(1000))


def test_simulate_ratio_experiment_recovers_planted_ratios():
    df, truth = rm.simulate_ratio_experiment(300_000, lift=0.06, visit_lift=0.2, seed=9)
    r = rm.ratio_effects(df, "arm", "control", "spend", "visits", pre_numerator="pre_spend",
                         pre_denominator="pre_visits").iloc[0]
    assert abs(r.estimate - truth["difference"]) < 3 * r.se
    assert abs(r.lift - truth["lift"]) < 3 * r.lift_se
    assert abs(r.ratio_control - truth["ratio_control"]) < 0.01 * truth["ratio_control"]
    # the visit lift does not move spend per visit, but it moves visits per customer by 20%
    v = rm.ratio_effects(df, "arm", "control", "visits").iloc[0]
    assert abs(v.lift - 0.2) < 3 * v.lift_se


def test_ratio_bad_input(sim):
    df, _ = sim
    with pytest.raises(DataError, match="'clicks' not found"):
        rm.ratio_effects(df, "arm", "control", "spend", "clicks")
    bad = df.copy()
    bad.loc[3, "spend"] = np.nan
    with pytest.raises(DataError, match=r"'spend' has 1 missing.*rows \[4\]"):
        rm.ratio_effects(bad, "arm", "control", "spend", "visits")
    with pytest.raises(DataError, match="sums to zero"):
        rm.ratio_effects(df.assign(z=0.0), "arm", "control", "spend", "z")
    with pytest.raises(ParameterError, match="pre_denominator needs pre_numerator"):
        rm.ratio_effects(df, "arm", "control", "spend", "visits", pre_denominator="pre_visits")
    with pytest.raises(ParameterError, match="unknown simulation setting"):
        rm.ratio_coverage(10, 100, visits=3)
