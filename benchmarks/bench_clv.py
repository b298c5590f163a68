"""Speed of Study 3's heavy steps, beside the reference package measured in the same run.

Run: ``python benchmarks/bench_clv.py`` (``make bench``).  Options:
``--customers`` (default 1,000,000), ``--rows`` (default 10,000,000 transactions for the summary),
``--no-reference`` (skip ``lifetimes``), ``--reference-customers`` (size at which the slow
``lifetimes`` generator / summary are timed; their time is scaled linearly and marked "scaled").

Goals (issue 5): BG/NBD + Gamma-Gamma fit on 1M customers < 3 s; generating 1M customers'
transactions < 10 s; summary of 10M transactions < 10 s with peak memory < 4 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crmlab import transactions as tr  # noqa: E402
from crmlab.clv import BGNBD, GammaGamma  # noqa: E402
from crmlab.simulate.transactions import simulate_transactions  # noqa: E402
from _common import line, timed  # noqa: E402

FHL = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)


def summary_subprocess(path: str) -> tuple[float, float]:
    """Run the DuckDB summary in a fresh process; return (seconds, peak RSS in GB)."""
    code = (
        "import resource, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from crmlab import transactions as tr\n"
        "t = time.perf_counter()\n"
        f"s = tr.summarize({path!r}, calibration_end='1997-09-30', holdout_end='1998-06-30')\n"
        "dt = time.perf_counter() - t\n"
        "print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, len(s.table))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    dt, gb, n = out.stdout.strip().splitlines()[-1].split()
    return float(dt), float(gb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--reference-customers", type=int, default=50_000)
    ap.add_argument("--no-reference", action="store_true")
    args = ap.parse_args()
    lifetimes = None
    if not args.no_reference:
        try:
            import lifetimes  # noqa: F401
        except ImportError:
            print("lifetimes not installed: reference timings skipped (pip install lifetimes==0.11.3)")
    warnings.simplefilter("ignore")
    n = args.customers
    print(f"crmlab Study 3 benchmark: {n:,} customers, {args.rows:,} transactions, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start")

    # 1. generator
    sim, t_gen = timed(simulate_transactions, n, **FHL, seed=1)
    ref_gen, note = None, ""
    if lifetimes is not None:
        from lifetimes import generate_data as gd

        m = min(args.reference_customers, n)
        try:  # the transactional generator uses DataFrame.append, removed in pandas 2
            _, t_ref = timed(gd.beta_geometric_nbd_model_transactional_data, 78.0, FHL["r"], FHL["alpha"],
                             FHL["a"], FHL["b"], observation_period_end="1998-06-30", freq="W", size=m)
            what = "transactional generator"
        except AttributeError:
            _, t_ref = timed(gd.beta_geometric_nbd_model, 78.0, FHL["r"], FHL["alpha"], FHL["a"], FHL["b"], size=m)
            what = "summary-level generator (its transactional one fails on pandas 2)"
        ref_gen = t_ref * n / m
        note = f"(lifetimes {what}, timed at {m:,} customers, scaled x{n / m:g})"
    line(f"generate {n:,} customers ({len(sim.log):,} rows)", t_gen, ref_gen, "lifetimes", goal=10, note=note)

    # 2. fit on the day-resolution summary of those customers
    summ = tr.summarize(sim.log, calibration_end="1998-06-30", period_counts=False).table
    f, r, T, mv = (summ[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))
    rep = f > 0
    t0 = time.perf_counter()
    bg = BGNBD().fit(f, r, T)
    t_bg = time.perf_counter() - t0
    gg, t_gg = timed(GammaGamma().fit, f[rep], mv[rep])
    ref_bg = ref_gg = None
    if lifetimes is not None:
        _, ref_bg = timed(lifetimes.BetaGeoFitter().fit, f, r, T)
        _, ref_gg = timed(lifetimes.GammaGammaFitter().fit, f[rep], mv[rep])
    line(f"BG/NBD fit, {n:,} customers ({bg.n_rows_:,} rows)", t_bg, ref_bg, "lifetimes")
    line(f"Gamma-Gamma fit, {int(rep.sum()):,} repeat buyers", t_gg, ref_gg, "lifetimes")
    line("BG/NBD + Gamma-Gamma", t_bg + t_gg, None if ref_bg is None else ref_bg + ref_gg, "lifetimes", goal=3)

    # 3. summary of a large Parquet log
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.parquet"
        per_customer = len(sim.log) / n
        big_n = int(args.rows / per_customer) + 1
        big = simulate_transactions(big_n, **FHL, seed=2).log.iloc[: args.rows]
        big.to_parquet(path, index=False)
        del big
        t_sum, gb = summary_subprocess(str(path))
        ref_sum, note = None, ""
        if lifetimes is not None:
            import pandas as pd
            from lifetimes.utils import calibration_and_holdout_data

            m = min(args.reference_customers * 3, args.rows)
            small = pd.read_parquet(path).iloc[:m]
            _, t_ref = timed(calibration_and_holdout_data, small, "customer_id", "date",
                             calibration_period_end="1997-09-30", observation_period_end="1998-06-30",
                             freq="D", monetary_value_col="amount")
            ref_sum = t_ref * args.rows / m
            note = f"(lifetimes timed at {m:,} rows, scaled x{args.rows / m:g})"
        line(f"summary of {args.rows:,} transactions (Parquet)", t_sum, ref_sum, "lifetimes", goal=10, note=note)
        print(f"{'':<44} load average now {os.getloadavg()[0]:.1f}")
        print(f"{'':<44} peak memory of the summary process: {gb:.2f} GB  "
              f"[goal < 4 GB: {'met' if gb < 4 else 'NOT met'}]")


if __name__ == "__main__":
    main()
