"""Benchmark: PLS-PM of the ECSI model with 5,000 bootstrap resamples (goal: < 10 s on 2 cores).

Reference: the `plspm` package (test/benchmark-only dependency), run with fewer
resamples in the same process and extrapolated linearly to the same number.
Usage: python benchmarks/bench_sem.py [--resamples 5000] [--ref-resamples 20]
"""
from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

from crmlab.core import datasets
from crmlab.sem.pls import PLSPM
from crmlab.sem.syntax import ECSI_MODEL


def ours(df, resamples, seed=1):
    t0 = time.perf_counter()
    m = PLSPM(ECSI_MODEL, scheme="path", scaled=False).fit(df)
    boot = m.bootstrap(resamples, seed=seed)
    return time.perf_counter() - t0, m, boot


def reference(df, spec, resamples):
    try:
        import plspm.config as c
        from plspm.mode import Mode
        from plspm.plspm import Plspm
        from plspm.scheme import Scheme
    except ImportError:
        return None, None
    lvs = spec.names
    pm = pd.DataFrame(spec.adjacency().T.astype(int), index=lvs, columns=lvs)
    config = c.Config(pm, scaled=False)
    for lv in lvs:
        config.add_lv(lv, Mode.A, *[c.MV(it) for it in spec.constructs[lv]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        res = Plspm(df[spec.items], config, Scheme.PATH, bootstrap=True, bootstrap_iterations=resamples)
        boot = res.bootstrap().paths()
        return time.perf_counter() - t0, boot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--resamples", type=int, default=5000)
    ap.add_argument("--ref-resamples", type=int, default=20)
    args = ap.parse_args()
    df = datasets.load_ecsi()
    ours(df, 50)  # warm-up (imports, BLAS threads)
    t_ours, m, boot = ours(df, args.resamples)
    print(f"crmlab PLSPM: ECSI model, n={len(df)}, {args.resamples} bootstrap resamples: {t_ours:.2f} s "
          f"({boot.n_failed} not converged)  goal < 10 s: {'OK' if t_ours < 10 else 'MISSED'}")
    t_ref, ref_boot = reference(df, m.spec_, args.ref_resamples)
    if t_ref is None:
        print("reference package plspm not installed: no comparison")
        return
    per = t_ref / args.ref_resamples
    extrap = per * args.resamples
    print(f"plspm {args.ref_resamples} resamples: {t_ref:.2f} s -> extrapolated to {args.resamples}: "
          f"{extrap:.0f} s ({extrap / 60:.1f} min)")
    print(f"speed-up (plspm extrapolated / crmlab): {extrap / t_ours:.0f}x")
    se_ref = {f"{k.split(' -> ')[1]}~{k.split(' -> ')[0]}": v for k, v in ref_boot["std.error"].items()}
    diff = max(abs(boot.paths.loc[k, "se"] - v) for k, v in se_ref.items())
    print(f"largest |SE difference| vs plspm ({args.ref_resamples} resamples, so noisy): {diff:.3f}")


if __name__ == "__main__":
    main()
