"""Synthetic Likert-scale satisfaction surveys with known driver importances.

Data-generating process (respondent ``i``, driver ``j``):

* true attribute perceptions ``z_i ~ N(0, R)`` with equicorrelation ``rho``;
* respondent scale use: a shift ``tau_i ~ N(0, shift_sd**2)`` and a spread
  ``kappa_i = exp(N(0, spread_sd**2))`` (Rossi, Gilula & Allenby 2001);
* observed driver ratings ``x_ij = 1 + #{k: c_k < kappa_i z_ij + tau_i}`` on a
  ``1..levels`` scale, cut-points ``c`` from the category shares ``driver_probs``;
* latent overall satisfaction ``s_i = sum_j beta_j (x_ij - E x_j) + g tau_i + e_i``,
  ``e_i`` standard logistic (``g = outcome_scale_use``);
* observed outcome ``y_i = 1 + #{k: theta_k < s_i}`` (proportional-odds logit in
  the observed ratings when ``g = 0``);
* a share of respondents replaced by straight-liners (one answer to all items).

Ground truth returned: ``beta`` and ``thresholds`` (exact for the ordinal
model when ``g = 0``), and the population Shapley decomposition of the R² of
the latent satisfaction ``s`` on the observed ratings ``x``, computed exactly
from the population moments of the discretised normal ratings (given when
``spread_sd = 0``, ``outcome_scale_use = 0`` and at most 20 drivers; else None).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from crmlab.core.errors import ParameterError


@dataclass
class LikertSurvey:
    """Simulated survey: ``data`` (drivers + outcome), ``latent`` (s, tau, kappa) and ``truth``."""

    data: pd.DataFrame
    latent: pd.DataFrame
    truth: dict


def _cuts(probs) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    p = p / p.sum()
    return stats.norm.ppf(np.cumsum(p)[:-1])


def _level_moments(cuts: np.ndarray, r: float):
    """Mean, variance and covariance (corr r of the underlying normals) of x = 1 + #{c_k < u}."""
    K = cuts.size + 1
    edges = np.concatenate([[-9.0], cuts, [9.0]])
    probs = np.diff(stats.norm.cdf(edges))
    levels = np.arange(1, K + 1)
    mean = probs @ levels
    var = probs @ levels**2 - mean**2
    # E[x x'] = int phi(u) g(u) E[g(v) | u] du, piecewise Gauss-Legendre on the cells of u
    gl_x, gl_w = np.polynomial.legendre.leggauss(64)
    s = np.sqrt(max(1 - r * r, 1e-300))
    total = 0.0
    for a in range(K):
        lo, hi = edges[a], edges[a + 1]
        u = 0.5 * (hi - lo) * gl_x + 0.5 * (hi + lo)
        w = 0.5 * (hi - lo) * gl_w
        cond = 1 + stats.norm.cdf((r * u[:, None] - cuts[None, :]) / s).sum(1)
        total += (a + 1) * (w * stats.norm.pdf(u)) @ cond
    return mean, var, total - mean**2


def simulate_likert(n: int = 2000, beta=(0.8, 0.5, 0.3, 0.15, 0.0), *, levels: int = 10,
                    outcome_levels: int | None = None, rho: float = 0.3, driver_probs=None,
                    thresholds=None, shift_sd: float = 0.0, spread_sd: float = 0.0,
                    outcome_scale_use: float = 0.0, straightliner_share: float = 0.0,
                    seed: int = 0, names=None, outcome: str = "overall") -> LikertSurvey:
    """Draw a Likert survey from the process in the module docstring.

    Parameters
    ----------
    n : respondents.
    beta : logit coefficients of the drivers (per scale point).
    levels : scale points of the drivers (1..levels); ``outcome_levels`` of
        the outcome (default ``levels``).
    rho : equicorrelation of the true perceptions.
    driver_probs : category shares of the drivers (default: a realistic
        top-heavy distribution).
    thresholds : outcome cut-points (default: quantiles of the latent
        satisfaction at equal steps of a normal of the same variance).
    shift_sd, spread_sd : respondent scale-use heterogeneity.
    outcome_scale_use : loading of the outcome on the scale-use shift.
    straightliner_share : share of respondents answering one value to all items.
    seed : random seed.
    """
    beta = np.asarray(beta, dtype=float)
    p = beta.size
    K = int(levels)
    Ky = int(outcome_levels or levels)
    if p < 1 or K < 2 or Ky < 3:
        raise ParameterError("need at least one driver, 2 driver levels and 3 outcome levels")
    if not -1 / max(p - 1, 1) < rho < 1:
        raise ParameterError(f"rho={rho} does not give a valid equicorrelation matrix for {p} drivers")
    if not 0 <= straightliner_share < 1:
        raise ParameterError("straightliner_share must be in [0, 1)")
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(p)]
    if driver_probs is None:
        t = np.arange(1, K + 1)
        driver_probs = np.exp(-0.5 * ((t - 0.7 * K) / (0.28 * K)) ** 2)
    cuts = _cuts(driver_probs) * np.sqrt(1 + shift_sd**2)
    if len(driver_probs) != K:
        raise ParameterError(f"driver_probs has {len(driver_probs)} entries for a {K}-point scale")
    rng = np.random.default_rng(seed)
    R = np.full((p, p), rho) + (1 - rho) * np.eye(p)
    z = rng.standard_normal((n, p)) @ np.linalg.cholesky(R).T
    tau = rng.normal(0, shift_sd, n) if shift_sd > 0 else np.zeros(n)
    kappa = np.exp(rng.normal(0, spread_sd, n)) if spread_sd > 0 else np.ones(n)
    u = kappa[:, None] * z + tau[:, None]
    x = 1 + (u[:, :, None] > cuts[None, None, :]).sum(-1)

    # exact population moments of the ratings (spread_sd = 0)
    r_u = (rho + shift_sd**2) / (1 + shift_sd**2)
    m, v, c = _level_moments(cuts / np.sqrt(1 + shift_sd**2), r_u)
    Sx = np.full((p, p), c) + (v - c) * np.eye(p)
    var_s = float(beta @ Sx @ beta + np.pi**2 / 3)
    if thresholds is None:
        thresholds = np.sqrt(var_s) * stats.norm.ppf(np.arange(1, Ky) / Ky) * 0.9 + 0.2 * np.sqrt(var_s)
    thresholds = np.sort(np.asarray(thresholds, dtype=float))
    if thresholds.size != Ky - 1:
        raise ParameterError(f"need {Ky - 1} thresholds for {Ky} outcome levels, got {thresholds.size}")
    eps = special.logit(rng.uniform(size=n))
    s = (x - m) @ beta + outcome_scale_use * tau + eps
    y = 1 + (s[:, None] > thresholds[None, :]).sum(1)

    data = pd.DataFrame(x, columns=names)
    data[outcome] = y
    planted = np.array([], dtype=int)
    if straightliner_share > 0:
        k = int(round(straightliner_share * n))
        planted = np.sort(rng.choice(n, size=k, replace=False))
        vals = rng.integers(1, min(K, Ky) + 1, size=k)
        data.iloc[planted, :] = np.repeat(vals[:, None], p + 1, axis=1)

    # population Shapley of the latent satisfaction on the ratings
    from crmlab.drivers import shapley_r2_from_corr

    cov = np.zeros((p + 1, p + 1))
    cov[:p, :p] = Sx
    cov[:p, p] = cov[p, :p] = Sx @ beta
    cov[p, p] = var_s
    exact = spread_sd == 0 and outcome_scale_use == 0 and p <= 20   # 2**p subsets
    shap, r2 = shapley_r2_from_corr(cov) if exact else (np.full(p, np.nan), np.nan)
    truth = {
        "beta": dict(zip(names, beta.tolist())),
        "thresholds": thresholds.tolist(),
        "driver_mean": float(m),
        "shapley_latent": dict(zip(names, shap.tolist())) if exact else None,
        "r2_latent": float(r2) if exact else None,
        "straightliners": planted.tolist(),
        "outcome": outcome,
        "drivers": names,
    }
    latent = pd.DataFrame({"s": s, "tau": tau, "kappa": kappa})
    return LikertSurvey(data=data, latent=latent, truth=truth)
