"""Speed of the experiment estimators of study 4 (issue #16): sequential monitoring, ratio metrics, targeting.

1. Confidence sequences at 100 daily looks on 1,000,000 customers (goal < 1 s), against a naive loop
   that recomputes the arm statistics from the customer rows at every look.
2. The A/A simulation of daily looks (2,000 experiments x 60 looks).
3. Spend per visit with CUPED (pre-period spend per visit) on 1,000,000 customers, against statsmodels
   (WLS with HC0 for the ratio, OLS with HC0 on the linearised variables for CUPED).
4. Budget curve (101 budgets, 5 folds) on 1,000,000 scores, against a loop that recomputes each budget's
   contacted set from the sorted rows.

Each line prints our time, the reference's time on the same work in the same run, and the ratio
(reference / ours; > 1 means we are faster).
Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_experiments.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from _common import line, timed


def naive_cs_loop(df, looks, level=0.95):
    """Reference: per look, select the customers arrived so far and recompute means, variances and the CS."""
    from scipy import stats

    from crmlab.sequential import cs_multiplier, optimal_rho2
    z = stats.norm.isf((1 - level) / 2)
    day = df["day"].to_numpy()
    t = (df["arm"] == "offer").to_numpy()
    y = df["retained"].to_numpy(float)
    rho2 = optimal_rho2(np.sum(day <= looks[-1]), level)
    out = []
    for d in looks:
        m = day <= d
        a, b = y[m & t], y[m & ~t]
        se = np.sqrt(a.var() / a.size + b.var() / b.size)
        est = a.mean() - b.mean()
        h = cs_multiplier(a.size + b.size, rho2, level) * se
        out.append((est, est - h, est + h, est - z * se, est + z * se))
    return np.array(out)


def statsmodels_ratio_cuped(df):
    """Reference: the ratio by WLS (HC0) and CUPED as OLS (HC0) of the linearised metric on the linearised covariate."""
    import statsmodels.api as sm
    t = (df["arm"] == "treatment").to_numpy(float)
    pos = df["visits"].to_numpy() > 0
    y = df["spend"].to_numpy(float)
    x = df["visits"].to_numpy(float)
    sm.WLS(y[pos] / x[pos], sm.add_constant(t[pos]), weights=x[pos]).fit(cov_type="HC0")
    u, w = df["pre_spend"].to_numpy(float), df["pre_visits"].to_numpy(float)
    lin_y, lin_u = np.empty_like(y), np.empty_like(y)
    for g in (t == 1, t == 0):
        lin_y[g] = (y[g] - y[g].sum() / x[g].sum() * x[g]) / x[g].mean()
        lin_u[g] = (u[g] - u[g].sum() / w[g].sum() * w[g]) / w[g].mean()
    sm.OLS(lin_y, np.column_stack([np.ones_like(t), t, lin_u])).fit(cov_type="HC0")


def naive_budget_loop(value, t, score, folds, cost, budgets):
    """Reference: sort each fold once, then for every budget recompute the contacted set's arm means."""
    n = value.size
    parts = []
    for f in np.unique(folds):
        idx = np.flatnonzero(folds == f)
        idx = idx[np.argsort(-score[idx], kind="stable")]
        parts.append(idx)
    rows = []
    for b in budgets:
        inc = var = 0.0
        for idx in parts:
            m = int(np.floor(b * idx.size / n / cost + 1e-9))
            s = idx[:m]
            if m == 0:
                continue
            tt = t[s] == 1
            a, c = value[s][tt], value[s][~tt]
            inc += m * (a.mean() - c.mean())
            var += m**2 * (a.var(ddof=1) / a.size + c.var(ddof=1) / c.size)
        rows.append((inc, np.sqrt(var)))
    return np.array(rows)


def main():
    # import everything first: the timings below measure work, not module imports
    import statsmodels.api  # noqa: F401

    from crmlab import ratio_metrics as rm
    from crmlab import sequential as sq
    from crmlab import targeting as tg

    rng = np.random.default_rng(20261129)
    n = 1_000_000
    df = pd.DataFrame({"arm": np.where(rng.uniform(size=n) < 0.5, "control", "offer"),
                       "day": rng.integers(1, 101, n)})
    df["retained"] = (rng.uniform(size=n) < 0.30 + 0.005 * (df["arm"] == "offer")).astype(int)
    res, ours = timed(sq.confidence_sequence, df, "arm", "control", "retained", "day")
    ref, t_ref = timed(naive_cs_loop, df, np.arange(1, 101))
    tab = res.table
    agree = np.allclose(ref[:, 1], tab["ci_low"].to_numpy(), rtol=1e-9, atol=1e-12)
    first = res.summary()["first_look"].iloc[0]
    line(f"CS 100 daily looks, 1M customers (same CS: {agree}, called day {first})", ours, t_ref,
         "naive loop", goal=1)

    sim, o2 = timed(sq.sequential_error_rates, 2000, 60, 200, seed=1)
    line(f"A/A simulation 2000 x 60 looks (CS {sim['cs_error']:.3f}, naive {sim['naive_error']:.3f})", o2)

    rdf, _ = rm.simulate_ratio_experiment(n, lift=0.03, seed=2)
    r, o3 = timed(rm.ratio_effects, rdf, "arm", "control", "spend", "visits", pre_numerator="pre_spend",
                  pre_denominator="pre_visits")
    _, r3 = timed(statsmodels_ratio_cuped, rdf)
    line(f"ratio + CUPED, 1M customers (VR {r['variance_reduction'].iloc[0]:.2f})", o3, r3, "statsmodels")

    t = rng.integers(0, 2, n)
    x = rng.uniform(size=n)
    value = rng.normal(1.0, 1.0, n) + t * 2.0 * x
    folds = rng.integers(0, 5, n)
    budgets = np.linspace(0, 0.5 * n, 101)
    cur, o4 = timed(tg.budget_curve, value, t, x, cost=0.5, folds=folds, budgets=budgets)
    ref4, r4 = timed(naive_budget_loop, value, t, x, folds, 0.5, budgets)
    same = np.allclose(ref4[:, 0], cur["incremental_value"].to_numpy(), rtol=1e-8, atol=1e-6)
    line(f"budget curve 101 budgets, 1M scores (same: {same})", o4, r4, "naive loop")


if __name__ == "__main__":
    main()
