"""Speed goals of the PLS-SEM assessment (issue #14, study 1) on the ECSI data.

1. PLSpredict, 10 folds x 10 repetitions (100 PLS fits, LM benchmark): goal < 2 s.
2. MICOM by gender, 5,000 permutations (10,000 group fits + step 3): goal < 5 s.
3. CVPAT of two models, 10 folds x 10 repetitions; IPMA; Gaussian-copula check
   with 1,000 bootstrap resamples (no goal; reported).

Reference: the same computations as a loop of ``PLSPM.fit`` calls, one per
training fold or permuted group (what seminr and cSEM do); the loop is timed
on a few folds / permutations and extrapolated (marked "extrapolated").
Run: ``.venv/bin/python benchmarks/bench_sem_assess.py``.
"""
from __future__ import annotations

import numpy as np

from crmlab.core import datasets
from crmlab.sem.copula import copula_test
from crmlab.sem.ipma import ipma
from crmlab.sem.micom import micom
from crmlab.sem.pls import PLSPM
from crmlab.sem.predict import PLSPredict, cvpat, fold_assignments
from crmlab.core.modeltext import ECSI_MODEL
from _common import line, timed  # noqa: E402


def loop_folds(df, n_fits, seed=1):
    """Reference: one PLSPM fit per training fold."""
    folds = fold_assignments(len(df), 10, max(1, n_fits // 10 + 1), seed)
    k = 0
    for row in folds:
        for f in range(10):
            if k == n_fits:
                return
            PLSPM(ECSI_MODEL).fit(df[row != f])
            k += 1


def loop_permutations(df, n_perm, seed=1):
    """Reference: both groups of a permutation fitted by PLSPM."""
    rng = np.random.default_rng(seed)
    g = df["gender"].to_numpy()
    for _ in range(n_perm):
        p = rng.permutation(g)
        PLSPM(ECSI_MODEL).fit(df[p == "female"])
        PLSPM(ECSI_MODEL).fit(df[p == "male"])


def main():
    df = datasets.load_ecsi()
    PLSPredict(ECSI_MODEL, folds=10, repetitions=1, seed=0).fit(df)      # warm-up
    pp, t = timed(PLSPredict(ECSI_MODEL, folds=10, repetitions=10, seed=1).fit, df)
    _, t_ref = timed(loop_folds, df, 10)
    line("PLSpredict 10 folds x 10 reps (ECSI)", t, t_ref * 10, "PLSPM loop", goal=2,
         note=" (extrapolated from 10 fits)")
    res, t = timed(micom, df, ECSI_MODEL, "gender", n_permutations=5000, seed=1)
    _, t_ref = timed(loop_permutations, df, 20)
    line("MICOM 5,000 permutations (ECSI by gender)", t, t_ref * 250, "PLSPM loop", goal=5,
         note=" (extrapolated from 20)")
    alt = ECSI_MODEL.replace("LOY  ~ IMAG + SAT", "LOY  ~ SAT")
    cv, t = timed(cvpat, df, ECSI_MODEL, alt, folds=10, repetitions=10, seed=1)
    line("CVPAT two models, 10 folds x 10 reps", t)
    m = PLSPM(ECSI_MODEL).fit(df)
    _, t = timed(ipma, m, "LOY", scale=(0, 10))
    line("IPMA (target LOY)", t)
    cop, t = timed(copula_test, m, n_boot=1000, seed=1)
    line("Gaussian copula check, 1,000 bootstrap resamples", t)
    print(f"  PLSpredict verdict: {pp.predictive_power()}; MICOM: "
          f"{dict(zip(res.decision['construct'], res.decision['invariance']))}; "
          f"CVPAT difference {cv.difference:.4f} (p = {cv.p_value:.3f}); "
          f"significant copulas: {int(cop.summary()['significant'].sum())}")


if __name__ == "__main__":
    main()
