"""Speed of the survival additions of study 4 (issue #16), beside R measured in the same run.

1. Proportional-hazards test (R ``cox.zph``, transform "km") on 1,000,000 customers with
   10 covariates and whole-month tenure: goal < 5 s. The Cox fit is timed separately
   (lifelines + exact Newton polish against R ``coxph``).
2. Cumulative incidence (2 causes x 3 groups) with Gray's test on 1,000,000 customers:
   goal < 1 s (R ``cmprsk::cuminc``).
3. Fine-Gray regression on 10,000 customers (R ``cmprsk::crr``, whose variance step is
   quadratic in n) and ours alone on 1,000,000.

R runs via ``Rscript`` in a subprocess when it is installed (survival and cmprsk
needed); reading the CSV in R is not timed. Wall times on a shared machine are inflated by
other load; the CPU time of our process is printed beside the goal lines. Run:
``.venv/bin/python benchmarks/bench_survival.py``.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import line, timed


def cpu_timed(fn, *args, **kwargs):
    """Call ``fn``; return (result, wall seconds, CPU seconds of this process)."""
    c0 = time.process_time()
    out, wall = timed(fn, *args, **kwargs)
    return out, wall, time.process_time() - c0


def cox_data(n=1_000_000, p=10, seed=1):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=(n, p - 2)), rng.integers(0, 2, (n, 2))]).astype(float)
    beta = np.linspace(-0.3, 0.3, p)
    t = rng.weibull(0.9, n) * 30 / np.exp(X @ beta) ** (1 / 0.9)
    c = rng.uniform(1, 72, n)
    df = pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(p)])
    df["tenure"] = np.ceil(np.minimum(t, c))
    df["event"] = (t <= c).astype(int)
    return df


def run_r(script: str, csv: Path) -> dict:
    """Run an R script that prints lines 'TIME name seconds'; return {name: seconds}."""
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as f:
        f.write(script.replace("@CSV@", str(csv)))
    out = subprocess.run(["Rscript", f.name], capture_output=True, text=True, timeout=3600, check=False)
    if out.returncode != 0:
        print("R failed:", out.stderr[-500:])
        return {}
    return {w[1]: float(w[2]) for w in (ln.split() for ln in out.stdout.splitlines()) if w and w[0] == "TIME"}


R_COX = """
suppressMessages(library(survival))
d <- read.csv("@CSV@")
f <- as.formula(paste("Surv(tenure, event) ~", paste(paste0("x", 1:10), collapse = " + ")))
t0 <- proc.time()[["elapsed"]]; fit <- coxph(f, data = d); t1 <- proc.time()[["elapsed"]]
z <- cox.zph(fit, transform = "km"); t2 <- proc.time()[["elapsed"]]
cat("TIME coxph", t1 - t0, "\\n"); cat("TIME zph", t2 - t1, "\\n")
cat("GLOBAL", z$table["GLOBAL", "chisq"], "\\n")
"""

R_CIF = """
suppressMessages(library(cmprsk))
d <- read.csv("@CSV@")
t0 <- proc.time()[["elapsed"]]; ci <- cuminc(d$tenure, d$status, d$contract); t1 <- proc.time()[["elapsed"]]
cat("TIME cuminc", t1 - t0, "\\n")
if (nrow(d) <= 20000) {
  X <- model.matrix(~ contract + senior + charges, d)[, -1]
  t0 <- proc.time()[["elapsed"]]; f <- crr(d$tenure, d$status, X, failcode = 1); t1 <- proc.time()[["elapsed"]]
  cat("TIME crr", t1 - t0, "\\n")
}
"""


def main():
    from lifelines import CoxPHFitter

    from crmlab import competing_risks as cr
    from crmlab.fine_gray import FineGray
    from crmlab.ph_test import cox_newton, zph_test
    from crmlab.simulate.competing_risks import simulate_competing_risks

    have_r = shutil.which("Rscript") is not None
    tmp = Path(tempfile.mkdtemp())

    # 1. cox.zph on 1M x 10
    df = cox_data()
    covs = [f"x{j + 1}" for j in range(10)]
    t, e, X = df.tenure.to_numpy(), df.event.to_numpy(), df[covs]

    def fit(frame):
        start = CoxPHFitter().fit(frame[[*covs, "tenure", "event"]], "tenure", "event").params_[covs].to_numpy()
        return cox_newton(t, e, X.to_numpy(), start=start)[0]

    coef, fit_s = timed(fit, df)
    z, ours, cpu = cpu_timed(zph_test, t, e, X, coef, transform="km")
    r = {}
    if have_r:
        df.to_csv(tmp / "cox.csv", index=False)
        r = run_r(R_COX, tmp / "cox.csv")
    line("Cox fit (lifelines + Newton polish), 1M x 10", fit_s, r.get("coxph"), "R coxph")
    print(f"  (cox.zph GLOBAL chisq {z.table.chisq.iloc[-1]:.2f}; CPU time of our test {cpu:.2f} s)")
    line("cox.zph km, 1M x 10", ours, r.get("zph"), "R cox.zph", goal=5)
    del df

    # 2. cumulative incidence with Gray's test on 1M
    big = simulate_competing_risks(1_000_000, seed=3).data
    _, ours, cpu = cpu_timed(cr.cumulative_incidence, big.tenure, big.status, big.contract)
    _, ours_cif = timed(cr.cumulative_incidence, big.tenure, big.status)
    r = {}
    if have_r:
        big[["tenure", "status", "contract"]].to_csv(tmp / "cif.csv", index=False)
        r = run_r(R_CIF, tmp / "cif.csv")
    print(f"  (CPU time of our cumulative incidence + Gray test {cpu:.2f} s)")
    line("CIF 2 causes x 3 groups + Gray test, 1M", ours, r.get("cuminc"), "R cmprsk::cuminc", goal=1)
    line("CIF 2 causes, one group (no test), 1M", ours_cif)
    cont = simulate_competing_risks(1_000_000, seed=3, whole_months=False).data
    _, ours = timed(cr.cumulative_incidence, cont.tenure, cont.status, cont.contract)
    line("  same with continuous times (1M distinct)", ours)
    del cont

    # 3. Fine-Gray
    small = simulate_competing_risks(10_000, seed=4).data
    covs = ["contract", "senior", "charges"]
    _, ours = timed(FineGray(1).fit, small, "tenure", "status", covs)
    r = {}
    if have_r:
        small.to_csv(tmp / "fg.csv", index=False)
        r = run_r(R_CIF, tmp / "fg.csv")
    line("Fine-Gray (crr), 10k customers", ours, r.get("crr"), "R cmprsk::crr")
    _, ours = timed(FineGray(1).fit, big, "tenure", "status", covs)
    line("Fine-Gray, 1M customers (R crr: quadratic, not run)", ours)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
