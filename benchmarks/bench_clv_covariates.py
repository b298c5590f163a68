"""Speed of the covariate BTYD models (issue 15), beside references measured in the same run.

Run: ``python benchmarks/bench_clv_covariates.py`` (options ``--customers`` (default 1,000,000),
``--pareto-customers`` (default 100,000), ``--no-reference`` (skip ``lifetimes``)).

Goal (issue 15): BG/NBD with 3 covariates on 1M customers < 10 s.  The 3 covariates (two binary customer
traits and the campaign arm) act on purchasing *and* dropout: 4 + 3 x 3 = 13 parameters, fitted on the
day-resolution summary of a simulated log (compressed to unique (x, t_x, T, covariate row)).

References in the same run: crmlab's BG/NBD without covariates on the same customers (what the covariates
cost), and ``lifetimes`` 0.11.3, which has no covariate models, so its lines are (a) ``BetaGeoFitter`` on the
same customers without covariates and (b) the usual workaround, one ``BetaGeoFitter`` per covariate group
(8 groups) -- a different model (every parameter group-specific, no shared r), timed as what a user would run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crmlab import transactions as tr  # noqa: E402
from crmlab.clv import BGNBD, ParetoNBD  # noqa: E402
from crmlab.clv.bgnbd_cov import BGNBDCovariates  # noqa: E402
from crmlab.clv.campaign import campaign_effect  # noqa: E402
from crmlab.clv.paretonbd_cov import ParetoNBDCovariates  # noqa: E402
from crmlab.simulate.campaign import simulate_campaign  # noqa: E402
from crmlab.simulate.transactions import simulate_transactions  # noqa: E402
from _common import line, timed  # noqa: E402

FHL = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
PN = dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)
COVS = ["mobile", "referred", "treated"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--pareto-customers", type=int, default=100_000)
    ap.add_argument("--no-reference", action="store_true")
    args = ap.parse_args()
    lifetimes = None
    if not args.no_reference:
        try:
            import lifetimes
        except ImportError:
            print("lifetimes not installed: reference timings skipped (pip install lifetimes==0.11.3)")
    warnings.simplefilter("ignore")
    n = args.customers
    print(f"crmlab covariate-BTYD benchmark: {n:,} customers, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start")

    # 1. generator (reference: the no-covariate generator it calls once per covariate row)
    sim, t_gen = timed(simulate_campaign, n, model="bgnbd", **FHL, seed=1)
    _, t_plain = timed(simulate_transactions, n, **FHL, seed=1)
    line(f"generate {n:,} customers with 3 covariates", t_gen, t_plain, "crmlab no covariates")

    # 2. fits on the day-resolution summary
    summ = tr.summarize(sim.log, calibration_end="1998-06-30", period_counts=False).table
    cov = sim.covariates.loc[summ.index]
    f, r, T = (summ[c].to_numpy() for c in ("frequency", "recency", "T"))
    c0 = time.process_time()
    bg, t_bg = timed(BGNBD().fit, f, r, T)
    c1 = time.process_time()
    m = BGNBDCovariates(purchase=COVS, dropout=COVS)
    _, t_cov = timed(m.fit, f, r, T, covariates=cov)
    c2 = time.process_time()
    line(f"BG/NBD, no covariates ({bg.n_rows_:,} rows)", t_bg)
    line(f"BG/NBD, 3 covariates x 2 processes ({m.n_rows_:,} rows)", t_cov, t_bg, "crmlab no covariates", goal=10)
    # CPU seconds of this process (single-threaded fits): what the wall time would be on an idle machine
    print(f"{'':<4}CPU time: no covariates {c1 - c0:.2f} s, 3 covariates {c2 - c1:.2f} s "
          f"({m.optimizer_.nit} L-BFGS iterations)")
    if lifetimes is not None:
        _, t_lt = timed(lifetimes.BetaGeoFitter().fit, f, r, T)
        line("  vs lifetimes BetaGeoFitter, no covariates", t_cov, t_lt, "lifetimes")
        t0 = time.perf_counter()
        for _, idx in cov.groupby(COVS).indices.items():
            try:
                lifetimes.BetaGeoFitter().fit(f[idx], r[idx], T[idx])
            except Exception as exc:  # noqa: BLE001 - a reference run, report and go on
                print(f"    lifetimes failed on one group: {exc}")
        line("  vs lifetimes, one BG/NBD per covariate group (8)", t_cov, time.perf_counter() - t0, "lifetimes")
    planted = sim.params["coef"]
    tab = m.summary()
    worst = max(abs(tab.loc[k, "estimate"] - v) / tab.loc[k, "se"] for k, v in planted.items())
    print(f"{'':<4}planted coefficients recovered: largest |estimate - planted| / se = {worst:.2f}")

    # 3. a continuous covariate: no compression possible
    rng = np.random.default_rng(0)
    cov_c = cov.assign(spend_index=rng.normal(size=len(cov)))
    mc = BGNBDCovariates(purchase=["mobile", "spend_index", "treated"], dropout=["mobile", "spend_index", "treated"])
    _, t_c = timed(mc.fit, f, r, T, covariates=cov_c)
    line(f"BG/NBD, continuous covariate ({mc.n_rows_:,} rows)", t_c, t_bg, "crmlab no covariates")

    # 4. the campaign's effect (rate ratios + CLV effect with delta-method intervals)
    summ_c = summ.join(cov[["mobile", "referred"]])
    _, t_camp = timed(campaign_effect, summ_c, sim.assignment, purchase_covariates=["mobile", "referred"],
                      dropout_covariates=["mobile", "referred"], horizon=52.0, step=4.0, per_customer=False)
    line(f"campaign_effect, {n:,} customers (fit + spend + CLV effect)", t_camp)

    # 5. Pareto/NBD at a smaller size (its gradient integrates numerically per customer)
    npn = args.pareto_customers
    simp = simulate_campaign(npn, model="paretonbd", **PN, seed=2)
    sp = tr.summarize(simp.log, calibration_end="1998-06-30", period_counts=False).table
    fp, rp, Tp = (sp[c].to_numpy() for c in ("frequency", "recency", "T"))
    pn, t_pn = timed(ParetoNBD().fit, fp, rp, Tp)
    mp = ParetoNBDCovariates(purchase=COVS, dropout=COVS)
    _, t_pc = timed(mp.fit, fp, rp, Tp, covariates=simp.covariates.loc[sp.index])
    line(f"Pareto/NBD, 3 covariates x 2, {npn:,} customers ({mp.n_rows_:,} rows)", t_pc, t_pn,
         "crmlab no covariates")
    if lifetimes is not None:
        _, t_lp = timed(lifetimes.ParetoNBDFitter().fit, fp, rp, Tp)
        line("  vs lifetimes ParetoNBDFitter, no covariates", t_pc, t_lp, "lifetimes")
    print(f"{'':<48} load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
