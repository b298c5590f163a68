"""Speed of the contractual / discrete-time models and of CLV intervals (issue 15).

Goals: sBG and BG/BB fits < 0.1 s (``lifetimes``' BG/BB fitter timed alongside); CLV intervals
(BG/NBD + Gamma-Gamma, P(alive) x horizon sum x spend per customer, total and top-20% share) for
1,000,000 customers with 1,000 parameter draws < 30 s and < 4 GB peak memory.

Run: ``python benchmarks/bench_clv_models.py`` (``make bench``).  Options: ``--customers``
(default 1,000,000), ``--draws`` (1,000), ``--no-reference`` (skip ``lifetimes`` and the naive
draw-by-draw baseline), ``--pareto`` (also Pareto/NBD intervals at ``--pareto-customers``).

The interval run happens in a fresh process on a Parquet summary (day-resolution RFM of simulated
FHL-parameter customers, as in ``bench_clv.py``); it reports wall and CPU time (the two differ on a
shared machine), the process's peak RSS (data, fits and intervals) and the intervals' own peak
allocation (tracemalloc).  The baseline is ``customer_value`` evaluated once per draw, timed for
one draw on a subsample and scaled (marked "scaled").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import line  # noqa: E402

from crmlab.clv.bgbb import BGBB  # noqa: E402
from crmlab.clv.sbg import ShiftedBetaGeometric  # noqa: E402

FHL = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
PNBD = dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


def best_of(fn, repeat=5):
    """Best wall time of ``repeat`` calls (fits take milliseconds: one call is mostly noise); also
    stores the best CPU time in ``best_of.cpu``."""
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    best_of.cpu = min(cpus)
    return min(walls)


INTERVAL_CODE = r"""
import json, resource, sys, time, tracemalloc
import numpy as np, pandas as pd
sys.path.insert(0, {root!r})
from crmlab.clv import BGNBD, ParetoNBD, GammaGamma
from crmlab.clv.intervals import clv_interval
s = pd.read_parquet({path!r})
f, r, T, m = (s[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))
Model = ParetoNBD if {pareto!r} else BGNBD
t = time.perf_counter()
pm = Model().fit(f, r, T)
gg = GammaGamma().fit(f[f > 0], m[f > 0])
fit = time.perf_counter() - t
tracemalloc.start()
t, c = time.perf_counter(), time.process_time()
res = clv_interval(pm, gg, f, r, T, m, horizon=52, discount_rate=0.1, draws={draws}, seed=1)
wall, cpu = time.perf_counter() - t, time.process_time() - c
peak = tracemalloc.get_traced_memory()[1] / 2**30
tracemalloc.stop()
print(json.dumps({{"wall": wall, "cpu": cpu, "fit": fit, "traced_gb": peak,
                  "rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                  "info": res.info, "summary": res.summary.round(6).to_dict()}}))
"""


def interval_subprocess(path, draws, pareto=False):
    code = INTERVAL_CODE.format(root=str(ROOT), path=str(path), draws=draws, pareto=pareto)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def simulated_summary(n, model, params, seed):
    from crmlab import transactions as tr
    from crmlab.simulate.transactions import simulate_transactions

    sim = simulate_transactions(n, model=model, **params, seed=seed)
    return tr.summarize(sim.log, calibration_end="1998-06-30", period_counts=False).table


def naive_baseline(summ, n_sub):
    """customer_value once per draw: one draw timed on ``n_sub`` customers."""
    from crmlab.clv import BGNBD, GammaGamma, customer_value

    s = summ.iloc[:n_sub]
    f, r, T, m = (s[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))
    bg = BGNBD().fit(f, r, T)
    gg = GammaGamma().fit(f[f > 0], m[f > 0])
    t = time.perf_counter()
    customer_value(bg, gg, f, r, T, m, horizon=52, discount_rate=0.1)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--pareto", action="store_true")
    ap.add_argument("--pareto-customers", type=int, default=200_000)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    lifetimes = None
    if not args.no_reference:
        try:
            import lifetimes
        except ImportError:
            print("lifetimes not installed: reference timings skipped (pip install lifetimes==0.11.3)")
    print(f"crmlab CLV-model benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")

    # 1. sBG: Fader & Hardie's regular cohort (years 1-7) and the telco month-to-month table
    t_sbg = best_of(lambda: ShiftedBetaGeometric().fit_survivors(REGULAR))
    line("sBG fit, FH 2007 regular cohort (8 counts)", t_sbg, goal=0.1, note=f"(CPU {best_of.cpu:.3f} s)")
    telco = pd.read_csv(ROOT / "data" / "telco_churn" / "telco_churn.csv")
    mtm = telco[telco["contract"] == "Month-to-month"]
    t_tel = best_of(lambda: ShiftedBetaGeometric().fit(mtm["tenure"], mtm["churn"],
                                                       entry=np.maximum(mtm["tenure"] - 1, 0)))
    line(f"sBG fit, telco month-to-month ({len(mtm):,}, truncated)", t_tel, goal=0.1,
         note=f"(CPU {best_of.cpu:.3f} s)")

    # 2. BG/BB on the donations data (11,104 donors, 22 rows)
    don = pd.read_csv(ROOT / "tests" / "fixtures" / "donations.csv")
    args_bb = (don["frequency"], don["recency"], don["periods"])
    t_bb = best_of(lambda: BGBB().fit(*args_bb, weights=don["weights"]))
    cpu_bb, ref_bb = best_of.cpu, None
    if lifetimes is not None:
        ref_bb = best_of(lambda: lifetimes.BetaGeoBetaBinomFitter().fit(*args_bb, weights=don["weights"]), 3)
    line("BG/BB fit, donations (11,104 donors)", t_bb, ref_bb, "lifetimes", goal=0.1, note=f" (our CPU {cpu_bb:.3f} s)")

    # 3. CLV intervals for n customers x draws
    n = args.customers
    summ = simulated_summary(n, "bgnbd", FHL, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "summary.parquet"
        summ.to_parquet(path)
        res = interval_subprocess(path, args.draws)
        ref, note = None, ""
        if not args.no_reference:
            m = min(50_000, n)
            ref = naive_baseline(summ, m) * (n / m) * args.draws
            note = f" (customer_value per draw, 1 draw timed at {m:,}, scaled x{n / m * args.draws:,.0f})"
        info = res["info"]
        line(f"CLV intervals BG/NBD+GG, {n:,} x {args.draws:,} draws (wall)", res["wall"], ref, "naive", goal=30,
             note=note)
        line("  same, CPU time of the process", res["cpu"], goal=30)
        print(f"{'':<4}peak memory: process RSS {res['rss_gb']:.2f} GB (data + fits + intervals), intervals "
              f"traced {res['traced_gb']:.2f} GB [goal < 4 GB: {'met' if res['rss_gb'] < 4 else 'NOT met'}]")
        print(f"{'':<4}rows: {info['value_rows']:,} value rows, {info['rfm_rows']:,} (x, t_x, T), "
              f"{info['xT_rows']:,} (x, T); horizon sum: {info['horizon_sum']}; top-20% boundary set "
              f"{info['top_boundary']:,} rows")
        print(f"{'':<4}summary: {res['summary']}")
        if args.pareto:
            pn = simulated_summary(args.pareto_customers, "paretonbd", PNBD, seed=2)
            pn.to_parquet(path)
            res = interval_subprocess(path, args.draws, pareto=True)
            line(f"CLV intervals Pareto/NBD+GG, {args.pareto_customers:,} x {args.draws:,} (wall)", res["wall"])
            line("  same, CPU time of the process", res["cpu"])
            print(f"{'':<4}peak RSS {res['rss_gb']:.2f} GB; P(alive): {res['info']['p_alive']}")
    print(f"{'':<4}load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
