"""Speed goals of study 2 (survey regression and key drivers).

1. Exact Shapley / LMG with 15 drivers on 10,000 respondents: goal < 1 s.
2. Exact Shapley with 20 drivers on 10,000 respondents: goal < 30 s.
3. Beyond 20 drivers: sampled Shapley (30 drivers) with its Hoeffding bound.
4. Bootstrap of the shares (2,000 resamples, customer_sat, 9 drivers).
5. Johnson's relative weights against the relativeImp package.

Reference for Shapley: subset refitting, one least-squares regression per
subset of drivers (what the popular Python packages, e.g. dominance-analysis,
do). ``dominance-analysis`` 1.1.9 itself does not import under numpy 2
(``np.bool8``); when it imports it is timed too. The refitting reference is
timed on a random sample of 1,024 subsets and extrapolated to all 2**15 or
2**20 subsets (marked "extrapolated").

Each line prints our time, the reference's time in the same run and the
ratio (reference / ours; > 1 means we are faster).
Run: ``.venv/bin/python benchmarks/bench_drivers.py`` (or ``make bench``).
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from crmlab.core import datasets
from crmlab.drivers import KeyDriverAnalysis, sampled_shapley_r2_from_corr, shapley_r2_from_corr
from crmlab.simulate.likert import simulate_likert
from _common import line, timed  # noqa: E402




def survey(p, n=10_000, seed=0):
    beta = np.linspace(0.6, 0.05, p)
    sim = simulate_likert(n, beta=beta, levels=10, seed=seed)
    return sim.data, sim.truth["drivers"], sim.truth["outcome"]


def refit_subsets(df, drivers, outcome, subsets):
    """Reference: R^2 of one least-squares fit per subset (bitmask list)."""
    X = df[drivers].to_numpy(float)
    y = df[outcome].to_numpy(float)
    yc = y - y.mean()
    tss = yc @ yc
    one = np.ones((len(y), 1))
    out = np.empty(len(subsets))
    for k, m in enumerate(subsets):
        cols = [j for j in range(len(drivers)) if m >> j & 1]
        A = np.hstack([one, X[:, cols]])
        b, *_ = np.linalg.lstsq(A, y, rcond=None)
        r = y - A @ b
        out[k] = 1 - r @ r / tss
    return out


def ours_exact(df, drivers, outcome):
    return KeyDriverAnalysis(method="exact").fit(df, outcome, drivers)


def main():
    print("== exact Shapley / LMG decomposition of R^2 (10,000 respondents)")
    df15, d15, o15 = survey(15)
    ours_exact(df15.iloc[:500], d15[:3], o15)          # warm-up: first-call import / BLAS start-up
    k15, t15 = timed(ours_exact, df15, d15, o15)
    rng = np.random.default_rng(0)
    subsets = rng.choice(2**15, size=1024, replace=False).tolist() + [2**15 - 1]
    ref_v, t_ref15 = timed(refit_subsets, df15, d15, o15, subsets)
    assert abs(ref_v[-1] - k15.r2_) < 1e-10           # same full-model R^2
    line("15 drivers, exact (2^15 subsets)", t15, t_ref15 * 2**15 / len(subsets), "subset refitting",
         goal=1, note=" (extrapolated)")

    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from dominance_analysis import Dominance  # noqa: F401
        print("   dominance-analysis importable: timing 12 drivers")
        df12 = df15[d15[:12] + [o15]]
        t0 = time.perf_counter()
        Dominance(data=df12, target=o15, objective=1, top_k=12).incremental_rsquare()
        t_dom = time.perf_counter() - t0
        _, t12 = timed(ours_exact, df12, d15[:12], o15)
        line("12 drivers, exact", t12, t_dom, "dominance-analysis")
    except Exception as exc:  # noqa: BLE001 - report why the reference is missing
        print(f"   dominance-analysis not usable here ({type(exc).__name__}: {exc}); "
              "subset refitting is the reference")

    df20, d20, o20 = survey(20)
    k20, t20 = timed(ours_exact, df20, d20, o20)
    rng = np.random.default_rng(1)
    sample = rng.choice(2**20, size=1024, replace=False).tolist()
    _, t_s = timed(refit_subsets, df20, d20, o20, sample)
    line("20 drivers, exact (2^20 subsets)", t20, t_s * 2**20 / len(sample), "subset refitting",
         goal=30, note=" (extrapolated)")
    assert abs(k20.importance_["shapley"].sum() - k20.r2_) < 1e-10

    print("== beyond 20 drivers: sampled Shapley")
    df30, d30, o30 = survey(30)
    C = np.corrcoef(df30[d30 + [o30]].to_numpy(float), rowvar=False)
    est, t30 = timed(sampled_shapley_r2_from_corr, C, 5000, seed=2)
    line("30 drivers, 5,000 permutations", t30)
    print(f"   max Monte-Carlo SE {est['se'].max():.5f}; Hoeffding bound (all drivers, 95%) "
          f"{est['bound']:.5f} in R^2 units (R^2 = {est['r2']:.3f})")
    # accuracy check on 20 drivers where the exact answer is known
    C20 = np.corrcoef(df20[d20 + [o20]].to_numpy(float), rowvar=False)
    exact20, _ = shapley_r2_from_corr(C20)
    est20 = sampled_shapley_r2_from_corr(C20, 5000, seed=3)
    print(f"   20 drivers: max |sampled - exact| = {np.abs(est20['shares'] - exact20).max():.5f} "
          f"(bound {est20['bound']:.5f})")

    print("== bootstrap of shares and ranks")
    sat = datasets.load_customer_sat()
    drivers = [f"q{i}" for i in range(2, 11)]
    kb, tb = timed(lambda: KeyDriverAnalysis(bootstrap=2000, seed=1).fit(sat, "q1", drivers))
    rows = np.random.default_rng(1).integers(0, len(sat), size=(20, len(sat)))
    t0 = time.perf_counter()
    for r in rows:
        KeyDriverAnalysis().fit(sat.iloc[r], "q1", drivers)
    t_loop = (time.perf_counter() - t0) * 2000 / 20
    line("2,000 resamples, 9 drivers (customer_sat)", tb, t_loop, "refit per resample", note=" (extrapolated)")

    print("== Johnson's relative weights (20 drivers, 10,000 respondents)")
    try:
        import relativeImp

        from crmlab.drivers import relative_weights_from_corr

        def ours_rw():
            return relative_weights_from_corr(np.corrcoef(df20[d20 + [o20]].to_numpy(float), rowvar=False))

        # best of 5 for both (sub-millisecond work: first-call LAPACK start-up would dominate)
        ref, t_ref = min((timed(relativeImp.relativeImp, df20, o20, list(d20)) for _ in range(5)),
                         key=lambda r: r[1])
        ours, t_ours = min((timed(ours_rw) for _ in range(5)), key=lambda r: r[1])
        assert np.allclose(ours, ref["rawRelaImpt"].to_numpy(), atol=1e-10)
        line("relative weights", t_ours, t_ref, "relativeImp 0.0.2")
    except ImportError:
        print("   relativeImp not installed (pip install relativeImp==0.0.2): skipped")


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
