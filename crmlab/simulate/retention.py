"""Synthetic retention experiments and churn times with known truth.

* :func:`simulate_experiment` - a randomised retention action with a known
  average effect and a known, covariate-driven heterogeneous effect on a
  binary outcome (retained) and a continuous one (spend), plus a pre-period
  covariate for CUPED.
* :func:`simulate_churn` - time to churn with known exponential hazards per
  stratum, a known treatment hazard ratio and administrative censoring.
* :func:`ate_coverage` - vectorised repetition of the experiment to check the
  coverage of the intervals for the average effect.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import ParameterError

__all__ = ["SimulatedExperiment", "ate_coverage", "simulate_churn", "simulate_experiment"]


@dataclass
class SimulatedExperiment:
    """Data and the truth that generated it."""
    data: pd.DataFrame
    ate: dict
    truth: dict = field(default_factory=dict)


def _check_rates(base_rate, baseline_slope, ate, heterogeneity):
    lo = base_rate - abs(baseline_slope) - abs(heterogeneity) + min(0.0, ate)
    hi = base_rate + abs(baseline_slope) + abs(heterogeneity) + max(0.0, ate)
    if lo < 0 or hi > 1:
        raise ParameterError(f"base_rate={base_rate}, baseline_slope={baseline_slope}, ate={ate}, "
                             f"heterogeneity={heterogeneity} give probabilities outside [0, 1] "
                             f"(range {lo:.3f}..{hi:.3f})")


def simulate_experiment(n=20_000, *, arms=("control", "offer"), shares=None, base_rate=0.30,
                        baseline_slope=0.10, ate=0.04, heterogeneity=0.06, spend_ate=2.0, seed=None):
    """Randomised retention experiment with known effects.

    Model (for each customer, covariates :math:`x_1, x_2 \\sim U(-1, 1)`,
    :math:`x_3 \\sim N(0, 1)`):

    * P(retained | control) = ``base_rate + baseline_slope * x2``;
    * effect of arm a on P(retained): :math:`\\tau_a(x) = ate_a + het \\cdot x_1`,
      so the population average effect is exactly :math:`ate_a` and customers
      with :math:`x_1 > 0` ("high" segment) respond more;
    * spend = 50 + 20 x2 + 10 x3 + T * spend_ate_a + N(0, 10^2); the
      pre-period spend shares the 20 x2 + 10 x3 part with independent noise,
      so CUPED's variance reduction is :math:`\\rho^2 = 0.49`.

    ``ate`` and ``spend_ate`` are scalars (same for all treated arms) or
    dicts arm -> effect. Returns :class:`SimulatedExperiment` with the data
    (columns ``arm, x1, x2, x3, segment, pre_spend, retained, spend,
    true_uplift``) and the true average effects.
    """
    arms = list(arms)
    if len(arms) < 2:
        raise ParameterError("need a control and at least one treated arm")
    treated = arms[1:]
    ate = {a: float(ate) for a in treated} if np.isscalar(ate) else {a: float(ate[a]) for a in treated}
    spend_ate = ({a: float(spend_ate) for a in treated} if np.isscalar(spend_ate)
                 else {a: float(spend_ate[a]) for a in treated})
    for a in treated:
        _check_rates(base_rate, baseline_slope, ate[a], heterogeneity)
    shares = np.full(len(arms), 1 / len(arms)) if shares is None else np.asarray(shares, dtype=float)
    shares = shares / shares.sum()
    rng = np.random.default_rng(seed)
    x1, x2 = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
    x3 = rng.normal(size=n)
    arm_idx = rng.choice(len(arms), size=n, p=shares)
    arm = np.asarray(arms, dtype=object)[arm_idx]
    tau = np.zeros(n)
    sp = np.zeros(n)
    for j, a in enumerate(treated, 1):
        m = arm_idx == j
        tau[m] = ate[a] + heterogeneity * x1[m]
        sp[m] = spend_ate[a]
    p = base_rate + baseline_slope * x2 + tau
    retained = (rng.uniform(size=n) < p).astype(int)
    common = 50 + 20 * x2 + 10 * x3
    pre = common + rng.normal(0, 10, n)
    spend = common + sp + rng.normal(0, 10, n)
    data = pd.DataFrame({"arm": arm, "x1": x1, "x2": x2, "x3": x3,
                         "segment": np.where(x1 > 0, "high", "low"), "pre_spend": pre,
                         "retained": retained, "spend": spend,
                         "true_uplift": np.where(arm_idx == 0, np.nan, tau)})
    # the uplift each customer WOULD have under the first treated arm (defined for all)
    data["true_uplift_if_treated"] = ate[treated[0]] + heterogeneity * x1
    truth = {"spend_ate": spend_ate, "segment_ate": {a: {"high": ate[a] + heterogeneity / 2,
                                                         "low": ate[a] - heterogeneity / 2} for a in treated},
             "cuped_variance_reduction": 0.49}
    return SimulatedExperiment(data, ate, truth)


def simulate_churn(n=5_000, *, hazards=None, treatment_hr=0.7, treated_share=0.5, follow_up=(24.0, 72.0),
                   seed=None):
    """Time to churn with known exponential hazards.

    Customer i in stratum s, with retention action :math:`T_i`, churns at rate
    :math:`\\lambda_s \\cdot HR^{T_i}` per month; follow-up ends at
    :math:`C_i \\sim U(follow\\_up)` (administrative censoring). True survival
    :math:`S_s(t) = \\exp(-\\lambda_s t)` for the untreated, the true Cox
    coefficient of ``treated`` is :math:`\\log HR`, and the true RMST to
    :math:`\\tau` is :math:`(1 - e^{-\\lambda\\tau})/\\lambda`.

    Returns a DataFrame ``stratum, treated, tenure, churn ('Yes'/'No')``.
    """
    hazards = hazards or {"Month-to-month": 0.05, "One year": 0.012, "Two year": 0.004}
    if any(h <= 0 for h in hazards.values()):
        raise ParameterError(f"hazards must be positive, got {hazards}")
    if treatment_hr <= 0:
        raise ParameterError(f"treatment_hr must be positive, got {treatment_hr}")
    rng = np.random.default_rng(seed)
    names = list(hazards)
    s = rng.integers(0, len(names), n)
    tr = (rng.uniform(size=n) < treated_share).astype(int)
    lam = np.asarray([hazards[k] for k in names])[s] * treatment_hr ** tr
    t_event = rng.exponential(1 / lam)
    cens = rng.uniform(follow_up[0], follow_up[1], n)
    return pd.DataFrame({"stratum": np.asarray(names, dtype=object)[s], "treated": tr,
                         "tenure": np.minimum(t_event, cens),
                         "churn": np.where(t_event <= cens, "Yes", "No")})


def ate_coverage(n_reps=1000, n=2000, *, base_rate=0.30, baseline_slope=0.10, ate=0.04, heterogeneity=0.06,
                 alpha=0.05, method="newcombe", seed=None):
    """Share of repetitions whose interval for the average effect covers the truth.

    All repetitions are drawn at once (an ``n_reps x n`` matrix) and the
    intervals computed with the vectorised
    :func:`crmlab.experiments.diff_proportions_ci` (binary outcome) and
    :func:`crmlab.experiments.welch_ci` (spend, true effect 2.0).
    Returns a dict ``{"binary": coverage, "continuous": coverage}``.
    """
    from crmlab.experiments import diff_proportions_ci, welch_ci

    _check_rates(base_rate, baseline_slope, ate, heterogeneity)
    rng = np.random.default_rng(seed)
    shape = (n_reps, n)
    x1, x2 = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    t = rng.uniform(size=shape) < 0.5
    p = base_rate + baseline_slope * x2 + t * (ate + heterogeneity * x1)
    y = rng.uniform(size=shape) < p
    nt, nc = t.sum(1), (~t).sum(1)
    lo, hi = diff_proportions_ci((y & t).sum(1), nt, (y & ~t).sum(1), nc, level=1 - alpha, method=method)
    cov_bin = float(np.mean((lo <= ate) & (ate <= hi)))
    spend_ate = 2.0
    s = 50 + 20 * x2 + 10 * rng.normal(size=shape) + t * spend_ate + rng.normal(0, 10, shape)
    mt = (s * t).sum(1) / nt
    mc = (s * ~t).sum(1) / nc
    vt = ((s - mt[:, None]) ** 2 * t).sum(1) / (nt - 1)
    vc = ((s - mc[:, None]) ** 2 * ~t).sum(1) / (nc - 1)
    _, _, lo2, hi2, _, _ = welch_ci(mt, vt, nt, mc, vc, nc, level=1 - alpha)
    cov_cont = float(np.mean((lo2 <= spend_ate) & (spend_ate <= hi2)))
    return {"binary": cov_bin, "continuous": cov_cont}
