"""Experiment design before data: power, sample size, minimum detectable effect.

Two-sided tests of one treated arm against control; designs with several
treated arms split ``alpha`` over the ``n_arms - 1`` comparisons with control
(Bonferroni; conservative, Dunnett would be slightly less so). Re-exported by
:mod:`crmlab.experiments`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from crmlab.core.errors import ConvergenceError, ParameterError

__all__ = [
    "POWER",
    "cohens_h",
    "mde_means",
    "mde_proportions",
    "power_curve",
    "power_means",
    "power_proportions",
    "sample_size_means",
    "sample_size_proportions",
]


# --------------------------------------------------------------------------- helpers
def _check_prob(name, p):
    p = np.asarray(p, dtype=float)
    if np.any(~np.isfinite(p)) or np.any((p <= 0) | (p >= 1)):
        raise ParameterError(f"{name} must be a probability strictly between 0 and 1, got {p!r}")
    return p


def _check_design(alpha, ratio, n_arms, power=None):
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be in (0, 1), got {alpha!r}")
    if power is not None and not 0 < power < 1:
        raise ParameterError(f"power must be in (0, 1), got {power!r}")
    if ratio <= 0:
        raise ParameterError(f"ratio (treated per control) must be positive, got {ratio!r}")
    if int(n_arms) != n_arms or n_arms < 2:
        raise ParameterError(f"n_arms must be an integer >= 2 (control included), got {n_arms!r}")
    return alpha / (n_arms - 1)  # Bonferroni over comparisons with control


def _normal_power(es, n_control, ratio, alpha):
    """Two-sided power of a z test with standardised effect ``es``."""
    n_control = np.asarray(n_control, dtype=float)
    crit = stats.norm.isf(alpha / 2)
    shift = np.abs(es) * np.sqrt(n_control * ratio / (1.0 + ratio))
    return stats.norm.sf(crit - shift) + stats.norm.cdf(-crit - shift)


def _t_power(d, n_control, ratio, alpha):
    """Two-sided power of the two-sample t test (equal variances) at effect size d."""
    n_control = np.asarray(n_control, dtype=float)
    n_t = n_control * ratio
    df = n_control + n_t - 2
    crit = stats.t.isf(alpha / 2, df)
    nc = np.abs(d) * np.sqrt(n_control * n_t / (n_control + n_t))
    lower = stats.nct.cdf(-crit, df, nc)  # can underflow to NaN far in the tail
    return stats.nct.sf(crit, df, nc) + np.nan_to_num(lower, nan=0.0)


def _root(f, lo, hi, xtol, what):
    """Brent's root of ``f`` on ``[lo, hi]``; :class:`ConvergenceError` if it does not converge."""
    root, info = optimize.brentq(f, lo, hi, xtol=xtol, full_output=True, disp=False)
    if not info.converged:
        raise ConvergenceError(f"{what}: Brent's method did not converge in {info.iterations} iterations "
                               f"({info.flag}); last value {root!r} on [{lo!r}, {hi!r}]")
    return root


def _solve_n(power_fn, target):
    f = lambda n: power_fn(n) - target  # noqa: E731
    hi = 4.0
    while f(hi) < 0:
        hi *= 2
        if hi > 1e12:
            raise ParameterError("no finite sample size reaches the requested power")
    return _root(f, 2.0 if f(2.0) < 0 else 1.0 + 1e-9, hi, 1e-8, "sample size")


def cohens_h(p_control, p_treatment):
    """Cohen's h = 2 asin(sqrt(p_t)) - 2 asin(sqrt(p_c))."""
    return 2 * np.arcsin(np.sqrt(p_treatment)) - 2 * np.arcsin(np.sqrt(p_control))


# --------------------------------------------------------------------------- design
def power_proportions(p_control, p_treatment, n_control, *, alpha=0.05, ratio=1.0, n_arms=2):
    """Power to detect a difference in two proportions (retention, conversion).

    Parameters
    ----------
    p_control, p_treatment : float
        Rates under control and under treatment.
    n_control : int or array
        Customers in the control arm; each treated arm has ``ratio * n_control``.
    alpha : float
        Family-wise two-sided level; split over ``n_arms - 1`` comparisons.
    n_arms : int
        Number of arms including control.

    Notes
    -----
    Arcsine (variance-stabilising) normal approximation with Cohen's effect
    size :math:`h = 2\\arcsin\\sqrt{p_t} - 2\\arcsin\\sqrt{p_c}`:
    :math:`1-\\beta = \\Phi(|h| r - z_{1-\\alpha'/2}) + \\Phi(-|h| r - z_{1-\\alpha'/2})`,
    :math:`r = \\sqrt{n_c n_t/(n_c+n_t)}`
    with :math:`\\alpha' = \\alpha/(k-1)`. Cohen (1988), *Statistical Power
    Analysis*, ch. 6; identical to ``statsmodels.stats.power.NormalIndPower``.
    """
    a = _check_design(alpha, ratio, n_arms)
    _check_prob("p_control", p_control), _check_prob("p_treatment", p_treatment)
    return _normal_power(cohens_h(p_control, p_treatment), n_control, ratio, a)


def sample_size_proportions(p_control, p_treatment, *, power=0.8, alpha=0.05, ratio=1.0, n_arms=2):
    """Control-arm size (rounded up) reaching ``power``; see :func:`power_proportions`."""
    _check_design(alpha, ratio, n_arms, power)
    if np.isclose(p_control, p_treatment):
        raise ParameterError("p_control equals p_treatment: no sample size detects a zero effect")
    n = _solve_n(lambda n: power_proportions(p_control, p_treatment, n, alpha=alpha, ratio=ratio,
                                             n_arms=n_arms), power)
    return int(np.ceil(n - 1e-9))


def mde_proportions(p_control, n_control, *, power=0.8, alpha=0.05, ratio=1.0, n_arms=2):
    """Minimum detectable (absolute, upward) difference in rates for a given ``n_control``.

    Notes
    -----
    Solves :func:`power_proportions` ``= power`` for :math:`p_t > p_c`.
    """
    _check_design(alpha, ratio, n_arms, power)
    _check_prob("p_control", p_control)
    f = lambda pt: power_proportions(p_control, pt, n_control, alpha=alpha, ratio=ratio,  # noqa: E731
                                     n_arms=n_arms) - power
    hi = 1 - 1e-12
    if f(hi) < 0:
        raise ParameterError(f"n_control={n_control} is too small to detect any increase from {p_control}")
    return float(_root(f, p_control + 1e-12, hi, 1e-12, "minimum detectable rate difference") - p_control)


def power_means(delta, sd, n_control, *, alpha=0.05, ratio=1.0, n_arms=2):
    """Power of the two-sample t test for a difference in means (e.g. spend).

    Notes
    -----
    Effect size :math:`d = \\delta/\\sigma`; with :math:`\\nu = n_c+n_t-2` and
    non-centrality :math:`\\lambda = d\\sqrt{n_c n_t/(n_c+n_t)}`,
    :math:`1-\\beta = P(T_{\\nu,\\lambda} > t_{\\nu,1-\\alpha'/2}) + P(T_{\\nu,\\lambda} < -t_{\\nu,1-\\alpha'/2})`
    (noncentral t). Cohen (1988) ch. 2; equals
    ``statsmodels.stats.power.TTestIndPower``.
    """
    a = _check_design(alpha, ratio, n_arms)
    if not sd > 0:
        raise ParameterError(f"sd must be positive, got {sd!r}")
    return _t_power(np.asarray(delta, dtype=float) / sd, n_control, ratio, a)


def sample_size_means(delta, sd, *, power=0.8, alpha=0.05, ratio=1.0, n_arms=2):
    """Control-arm size (rounded up) for :func:`power_means` to reach ``power``."""
    _check_design(alpha, ratio, n_arms, power)
    if delta == 0:
        raise ParameterError("delta is 0: no sample size detects a zero effect")
    n = _solve_n(lambda n: power_means(delta, sd, n, alpha=alpha, ratio=ratio, n_arms=n_arms), power)
    return int(np.ceil(n - 1e-9))


def mde_means(sd, n_control, *, power=0.8, alpha=0.05, ratio=1.0, n_arms=2):
    """Minimum detectable difference in means (same units as ``sd``)."""
    _check_design(alpha, ratio, n_arms, power)
    f = lambda d: power_means(d, sd, n_control, alpha=alpha, ratio=ratio, n_arms=n_arms) - power  # noqa: E731
    hi = sd
    while f(hi) < 0:
        hi *= 2
    return float(_root(f, 1e-12 * sd, hi, 1e-12 * sd, "minimum detectable mean difference"))


#: registry: outcome kind -> (power, sample size, mde)
POWER = {
    "proportion": (power_proportions, sample_size_proportions, mde_proportions),
    "mean": (power_means, sample_size_means, mde_means),
}


def power_curve(kind, *args, n_grid, alpha=0.05, ratio=1.0, n_arms=2):
    """Tidy power curve: columns ``n_control, n_total, power``.

    ``kind`` is ``"proportion"`` (args: p_control, p_treatment) or ``"mean"``
    (args: delta, sd).
    """
    if kind not in POWER:
        raise ParameterError(f"kind must be one of {sorted(POWER)}, got {kind!r}")
    n = np.asarray(n_grid, dtype=float)
    pw = POWER[kind][0](*args, n, alpha=alpha, ratio=ratio, n_arms=n_arms)
    return pd.DataFrame({"n_control": n.astype(int),
                         "n_total": (n + (n_arms - 1) * ratio * n).round().astype(int),
                         "power": np.asarray(pw, dtype=float)})
