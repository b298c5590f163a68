"""Speed goals of study 4 (retention experiments and time to churn).

1. Full analysis of the 64,000-customer Hillstrom experiment, cross-fitted
   uplift included: goal < 60 s.
2. The coverage simulation (2,000 repetitions x 2,000 customers): goal < 60 s.
3. Kaplan-Meier + log-rank on 1,000,000 customers.

Each line prints our time, the reference package's time on the same work in
the same run, and the ratio (reference / ours; > 1 means we are faster).
Run: ``.venv/bin/python benchmarks/bench_retention.py`` (or ``make bench``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from _common import line, timed


def full_experiment_analysis(df, seed=1):
    from crmlab import experiments as ex, uplift as up
    arm_col, control, outcomes = "segment", "No E-Mail", ["visit", "conversion", "spend"]
    covs = ["recency", "history", "mens", "womens", "newbie", "zip_code", "channel"]
    ex.srm_test(df[arm_col])
    ex.balance_table(df, arm_col, control, covs)
    ex.itt_effects(df, arm_col, control, outcomes)
    ex.cuped_effects(df, arm_col, control, outcomes, covs)
    ex.segment_effects(df, arm_col, control, ["visit"], ["channel", "newbie", "zip_code"])
    for arm in ["Mens E-Mail", "Womens E-Mail"]:
        sub = df[df[arm_col].isin([control, arm])].reset_index(drop=True)
        X = pd.get_dummies(sub[covs], dtype=float)
        t = (sub[arm_col] == arm).astype(int).to_numpy()
        s = up.cross_fit_cate(X, t, sub["visit"], learner="t", n_folds=5, seed=seed)
        up.qini_summary(up.qini_curve(sub["visit"], t, s))
        up.policy_value(sub["spend"], t, s, cost_per_contact=0.1, n_boot=1000, seed=seed)


def statsmodels_effects(df):
    """Reference for the ITT + CUPED part: statsmodels tests and robust OLS fits."""
    import statsmodels.api as sm
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW
    covs = ["recency", "history", "mens", "womens", "newbie", "zip_code", "channel"]
    for arm in ["Mens E-Mail", "Womens E-Mail"]:
        sub = df[df.segment.isin(["No E-Mail", arm])]
        t = (sub.segment == arm).astype(float).to_numpy()
        Xc = pd.get_dummies(sub[covs], drop_first=True, dtype=float)
        Xc = (Xc - Xc.mean()).to_numpy()
        D = np.column_stack([np.ones_like(t), t, Xc, t[:, None] * Xc])
        for col in ["visit", "conversion", "spend"]:
            y = sub[col].to_numpy(dtype=float)
            a, b = y[t == 1], y[t == 0]
            if col != "spend":
                proportions_ztest([a.sum(), b.sum()], [a.size, b.size])
                confint_proportions_2indep(a.sum(), a.size, b.sum(), b.size, method="newcomb")
            else:
                CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(usevar="unequal")
            sm.OLS(y, D).fit(cov_type="HC1")
            sm.OLS(y, D[:, :2]).fit(cov_type="HC1")


def ours_effects(df):
    from crmlab import experiments as ex
    covs = ["recency", "history", "mens", "womens", "newbie", "zip_code", "channel"]
    ex.itt_effects(df, "segment", "No E-Mail", ["visit", "conversion", "spend"])
    ex.cuped_effects(df, "segment", "No E-Mail", ["visit", "conversion", "spend"], covs)


def statsmodels_coverage(n_reps, n, seed):
    """Reference: the same simulation with one statsmodels interval per repetition."""
    from statsmodels.stats.proportion import confint_proportions_2indep
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(n_reps):
        x1, x2 = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
        t = rng.uniform(size=n) < 0.5
        y = rng.uniform(size=n) < 0.3 + 0.1 * x2 + t * (0.04 + 0.06 * x1)
        lo, hi = confint_proportions_2indep((y & t).sum(), t.sum(), (y & ~t).sum(), (~t).sum(), method="newcomb")
        hits += lo <= 0.04 <= hi
    return hits / n_reps


def main():
    # import everything first: the timings below measure work, not module imports
    import statsmodels.api  # noqa: F401
    import statsmodels.stats.proportion  # noqa: F401
    import statsmodels.stats.weightstats  # noqa: F401
    from crmlab.core import datasets  # noqa: F401
    from crmlab import survival as sv, experiments, uplift  # noqa: F401
    from crmlab.simulate import retention as sim

    df = datasets.load_hillstrom()
    _, ours = timed(full_experiment_analysis, df)
    line("Hillstrom 64k full analysis (uplift cross-fit)", ours, goal=60)
    _, o2 = timed(ours_effects, df)
    _, r2 = timed(statsmodels_effects, df)
    line("  of which ITT + CUPED (6 arm x outcome)", o2, r2, "statsmodels")

    cov, o3 = timed(sim.ate_coverage, 2000, 2000, seed=20261124)
    _, r3 = timed(statsmodels_coverage, 2000, 2000, 20261124)
    line(f"coverage simulation 2000 reps (cov {cov['binary']:.3f})", o3, r3, "statsmodels loop", goal=60)

    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test
    big = sim.simulate_churn(1_000_000, seed=5)
    big["tenure"] = np.ceil(big["tenure"])  # monthly data, like tenure in months
    ev = (big["churn"] == "Yes").astype(int).to_numpy()

    def ours_km():
        sv.kaplan_meier(big.tenure, ev, big.stratum)
        sv.logrank_test(big.tenure, ev, big.stratum)

    def ref_km():
        for s, g in big.groupby("stratum"):
            KaplanMeierFitter().fit(g.tenure, ev[g.index])
        multivariate_logrank_test(big.tenure, big.stratum, ev)

    _, o4 = timed(ours_km)
    _, r4 = timed(ref_km)
    line("KM + log-rank, 1M customers, 3 strata", o4, r4, "lifelines")


if __name__ == "__main__":
    main()
