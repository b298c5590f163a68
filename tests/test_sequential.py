"""crmlab.sequential: the boundary of Waudby-Smith et al. (2024, Ann. Statist., Theorem 2.2) written out,
Robbins' mixture-martingale identity, the exact optimum of rho (Lambert W), the last look against
statsmodels' fixed-horizon intervals, per-look sums against a naive recomputation, and simulated
time-uniform error under daily looks (A/A) against naive repeated testing."""
import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from crmlab import sequential as sq
from crmlab.core.errors import DataError, ParameterError


def _experiment(n=6000, days=20, effect=0.0, seed=0, kind="binary"):
    rng = np.random.default_rng(seed)
    arm = rng.choice(["control", "offer", "call"], size=n)
    day = rng.integers(1, days + 1, n)
    t = arm != "control"
    if kind == "binary":
        y = (rng.uniform(size=n) < 0.3 + effect * t).astype(int)
    else:
        y = rng.lognormal(3.0, 1.0, n) + effect * t
    return pd.DataFrame({"arm": arm, "day": day, "y": y})


@pytest.mark.parametrize("level", [0.95, 0.9, 0.99])
def test_cs_multiplier_is_waudby_smith_theorem_2_2_and_robbins_mixture_boundary(level):
    alpha = 1 - level
    t = np.array([10.0, 250.0, 1e4, 3e6])
    rho2 = 0.002
    sigma = 2.7
    # Theorem 2.2: mu_t +- sigma_t * sqrt(2 (t rho^2 + 1) / (t^2 rho^2) * log(sqrt(t rho^2 + 1) / alpha))
    paper = sigma * np.sqrt(2 * (t * rho2 + 1) / (t**2 * rho2) * np.log(np.sqrt(t * rho2 + 1) / alpha))
    ours = sq.cs_multiplier(t, rho2, level) * sigma / np.sqrt(t)
    assert ours == pytest.approx(paper, rel=1e-13)
    # on the boundary (S_t = t * half-width / sigma), Robbins' N(0, rho^2) mixture of exp(l S - l^2 t / 2)
    # equals 1/alpha: (1 + t rho^2)^(-1/2) exp(rho^2 S^2 / (2 (1 + t rho^2)))
    s = t * ours / sigma
    mixture = (1 + t * rho2) ** -0.5 * np.exp(rho2 * s**2 / (2 * (1 + t * rho2)))
    assert mixture == pytest.approx(1 / alpha, rel=1e-12)
    # ... and the mixture, computed by quadrature over lambda, agrees (t = 250)
    from scipy.integrate import quad
    def f(lam):
        return np.exp(lam * s[1] - lam**2 * t[1] / 2) * stats.norm.pdf(lam, 0, np.sqrt(rho2))
    assert quad(f, -1, 1, points=[s[1] / t[1]])[0] == pytest.approx(1 / alpha, rel=1e-8)


def test_optimal_rho2_lambert_w_identity_width_at_n_opt_is_sqrt_1_plus_x():
    n_opt = 50_000
    big_l = -2 * np.log(0.05)
    rho2 = sq.optimal_rho2(n_opt, 0.95)
    x = n_opt * rho2
    assert x == pytest.approx(big_l + np.log1p(x), rel=1e-13)  # stationarity: x = L + log(1 + x)
    c = sq.cs_multiplier(n_opt, rho2, 0.95)
    assert c == pytest.approx(np.sqrt(1 + x), rel=1e-13)
    assert c == pytest.approx(3.0351, abs=1e-4)
    # rho2 minimises the width at n_opt (numerical optimum of the multiplier)
    num = optimize.minimize_scalar(lambda r: sq.cs_multiplier(n_opt, r, 0.95), bounds=(1e-7, 1e-2),
                                   method="bounded", options={"xatol": 1e-12})
    assert num.x == pytest.approx(rho2, rel=1e-3)
    # the closed-form approximation (-2 log a + log(-2 log a + 1)) / n of the paper costs < 0.1% width
    approx = sq.optimal_rho2(n_opt, 0.95, exact=False)
    assert approx == pytest.approx((big_l + np.log(big_l + 1)) / n_opt, rel=1e-14)
    assert 1 < sq.cs_multiplier(n_opt, approx, 0.95) / c < 1.001


@pytest.mark.parametrize("kind", ["binary", "continuous"])
def test_last_look_fixed_ci_matches_statsmodels_and_cs_is_wider(kind):
    df = _experiment(kind=kind, effect=0.03 if kind == "binary" else 2.0, seed=1)
    res = sq.confidence_sequence(df, "arm", "control", "y", "day")
    s = res.summary().set_index("arm")
    for arm in ("offer", "call"):
        a, b = df.y[df.arm == arm].to_numpy(float), df.y[df.arm == "control"].to_numpy(float)
        if kind == "binary":
            ref = confint_proportions_2indep(a.sum(), a.size, b.sum(), b.size, method="wald")
        else:
            ref = CompareMeans(DescrStatsW(a), DescrStatsW(b)).zconfint_diff(usevar="unequal")
        assert (s.loc[arm, "fixed_ci_low"], s.loc[arm, "fixed_ci_high"]) == pytest.approx(ref, rel=1e-10)
        assert s.loc[arm, "estimate"] == pytest.approx(a.mean() - b.mean(), rel=1e-12)
        half = sq.cs_multiplier(a.size + b.size, res.rho2[arm]) * s.loc[arm, "se"]
        assert res.n_opt[arm] == a.size + b.size
        assert s.loc[arm, "ci_high"] - s.loc[arm, "estimate"] == pytest.approx(half, rel=1e-12)
        assert s.loc[arm, "width_ratio"] > 1.5  # the price of looking every day


def test_per_look_sums_match_naive_recomputation_and_aggregates_path():
    df = _experiment(kind="continuous", effect=1.0, seed=2, days=12)
    res = sq.confidence_sequence(df, "arm", "control", "y", "day", min_n=5)
    tab = res.table[res.table.arm == "offer"].reset_index(drop=True)
    for j, d in enumerate(range(1, 13)):
        sub = df[df.day <= d]
        a, b = sub.y[sub.arm == "offer"], sub.y[sub.arm == "control"]
        assert tab.loc[j, "n_treated"] == a.size and tab.loc[j, "n_control"] == b.size
        assert tab.loc[j, "estimate"] == pytest.approx(a.mean() - b.mean(), rel=1e-10)
        assert tab.loc[j, "se"] == pytest.approx(np.sqrt(a.var() / a.size + b.var() / b.size), rel=1e-10)
    # explicit looks: customers are counted from the first look at or after their arrival; later ones are unused
    wk = sq.confidence_sequence(df, "arm", "control", "y", "day", looks=[3, 6, 9], min_n=5).table
    wk = wk[wk.arm == "offer"].reset_index(drop=True)
    assert wk[["estimate", "se"]].to_numpy() == pytest.approx(tab.loc[[2, 5, 8], ["estimate", "se"]].to_numpy(),
                                                              rel=1e-10)
    # daily aggregates (increments, then running totals) give the same table
    g = df.assign(y2=df.y**2).groupby(["day", "arm"], as_index=False).agg(n=("y", "size"), sum=("y", "sum"),
                                                                         sumsq=("y2", "sum"))
    agg = sq.confidence_sequence_from_aggregates(g, "arm", "control", "day", sumsq_col="sumsq", min_n=5)
    cols = ["estimate", "se", "ci_low", "ci_high", "p_anytime"]
    assert agg.table[cols].to_numpy() == pytest.approx(res.table[cols].to_numpy(), rel=1e-9)
    cum = g.sort_values("day").assign(n=lambda x: x.groupby("arm").n.cumsum(),
                                      sum=lambda x: x.groupby("arm")["sum"].cumsum(),
                                      sumsq=lambda x: x.groupby("arm").sumsq.cumsum())
    agg2 = sq.confidence_sequence_from_aggregates(cum, "arm", "control", "day", sumsq_col="sumsq",
                                                  cumulative=True, min_n=5)
    assert agg2.table[cols].to_numpy() == pytest.approx(res.table[cols].to_numpy(), rel=1e-9)


def test_first_look_called_is_first_anytime_p_below_alpha():
    df = _experiment(n=20_000, days=30, effect=0.04, seed=3)
    res = sq.confidence_sequence(df, "arm", "control", "y", "day")
    s = res.summary().set_index("arm")
    for arm in ("offer", "call"):
        tab = res.table[res.table.arm == arm]
        raw = sq.anytime_p(tab.estimate / tab.se, tab.n_treated + tab.n_control, res.rho2[arm])
        # the CS excludes 0 exactly when the (un-minimised) anytime p-value is below alpha
        assert np.array_equal(tab.excludes_zero.to_numpy(), np.nan_to_num(np.asarray(raw), nan=1) < 0.05)
        assert s.loc[arm, "first_look"] == int(np.argmax(tab.p_anytime.to_numpy() < 0.05)) + 1
        assert s.loc[arm, "naive_first_look"] <= s.loc[arm, "first_look"]


@pytest.mark.parametrize("outcome", ["binary", "normal"])
def test_aa_daily_looks_type1_error_cs_below_5pct_naive_far_above(outcome):
    # 2,000 A/A experiments, 60 daily looks of 200 customers: the Monte Carlo se of a 5% rate is 0.5 points
    r = sq.sequential_error_rates(2000, 60, 200, outcome=outcome, seed=20261129)
    assert r["cs_error"] <= 0.05 + 2 * r["mc_se"]
    assert r["naive_error"] > 0.20  # repeated fixed-horizon testing: about 30%
    # the fixed-horizon interval at the last look alone keeps its 5% (checks the simulation itself)
    assert abs(r["fixed_error"] - 0.05) < 3 * r["mc_se"]


def test_cs_covers_nonzero_effect_at_all_looks_and_has_power():
    r = sq.sequential_error_rates(2000, 40, 300, effect=0.03, p_control=0.2, seed=7)
    assert r["cs_error"] <= 0.05 + 2 * r["mc_se"]
    assert r["cs_called"] > 0.8 and r["naive_called"] > r["cs_called"]


def test_per_customer_skewed_spend_cs_coverage_simulation():
    # 200 experiments on customer rows (lognormal spend, true effect 1.5): CS misses somewhere <= 5% + MC error
    rng = np.random.default_rng(11)
    miss = 0
    for _ in range(200):
        n = 8000
        t = rng.uniform(size=n) < 0.5
        df = pd.DataFrame({"arm": np.where(t, "b", "a"), "day": rng.integers(1, 31, n),
                           "spend": rng.lognormal(2.5, 1.0, n) + 1.5 * t})
        tab = sq.confidence_sequence(df, "arm", "a", "spend", "day").table.dropna()
        miss += bool(((tab.ci_low > 1.5) | (tab.ci_high < 1.5)).any())
    assert miss / 200 <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 200)


def test_sequential_bad_input():
    df = _experiment(500)
    with pytest.raises(DataError, match="'date' not found"):
        sq.confidence_sequence(df, "arm", "control", "y", "date")
    with pytest.raises(DataError, match="control label"):
        sq.confidence_sequence(df, "arm", "ctrl", "y", "day")
    with pytest.raises(ParameterError, match="level"):
        sq.confidence_sequence(df, "arm", "control", "y", "day", level=95)
    g = df.groupby(["day", "arm"], as_index=False).agg(n=("y", "size"), sum=("y", "sum"))
    with pytest.raises(DataError, match="cumulative=False"):
        sq.confidence_sequence_from_aggregates(g, "arm", "control", "day", cumulative=True)
    with pytest.raises(ParameterError, match="sumsq_col"):
        sq.confidence_sequence_from_aggregates(g, "arm", "control", "day", binary=False)
