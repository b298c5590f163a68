"""Ratio metrics in experiments: delta-method effects with CUPED for ratios.

A ratio metric divides two sums over the randomised customers: spend per
visit (sum of spend / sum of visits), orders per active customer (sum of
orders / number of active customers), revenue per session. The customers, not
the visits, are the independent units, so the variance comes from the delta
method on per-customer totals (Deng, Knoblich & Lu 2018, "Applying the delta
method in metric analytics", KDD). Variance reduction with pre-period data
(CUPED; Deng, Xu, Kohavi & Walker 2013, WSDM) extends to ratios by
linearisation: each ratio is replaced by its first-order influence variable
and the usual CUPED regression is done on those.

Everything is computed from per-arm means and covariance matrices of the
per-customer columns (sufficient statistics), so the same code serves one data
set (:func:`ratio_effects`) and thousands of simulated ones at once
(:func:`ratio_coverage`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.core.errors import DataError, ParameterError
from crmlab.experiments import check_experiment

__all__ = ["ratio_effects", "arm_moments", "effect_from_moments", "simulate_ratio_experiment", "ratio_coverage"]


def arm_moments(values, mask=None):
    """Count, mean vector and covariance matrix (ddof=1) of per-customer columns.

    ``values`` has shape (..., n, k); ``mask`` (..., n) selects the customers of
    one arm (default all). Returns ``n`` (...), ``mean`` (..., k), ``cov`` (..., k, k).
    """
    v = np.asarray(values, dtype=float)
    w = np.ones(v.shape[:-1]) if mask is None else np.asarray(mask, dtype=float)
    n = w.sum(axis=-1)
    mean = (w[..., None, :] @ v)[..., 0, :] / n[..., None]
    c = (v - mean[..., None, :]) * w[..., None]
    cov = (np.swapaxes(c, -1, -2) @ c) / (n - 1)[..., None, None]
    return n, mean, cov


def _gradients(mean, spec):
    """Values and gradients (on the moment vector) of the outcome ratio and the covariate functions.

    ``spec`` lists (kind, i, j): ("ratio", i, j) is mean_i / mean_j; ("mean", i, -1) is mean_i.
    Returns h (..., q) and G (..., k, q).
    """
    k = mean.shape[-1]
    hs, gs = [], []
    for kind, i, j in spec:
        g = np.zeros(mean.shape[:-1] + (k,))
        if kind == "ratio":
            hs.append(mean[..., i] / mean[..., j])
            g[..., i] = 1.0 / mean[..., j]
            g[..., j] = -mean[..., i] / mean[..., j] ** 2
        else:
            hs.append(mean[..., i])
            g[..., i] = 1.0
        gs.append(g)
    return np.stack(hs, axis=-1), np.stack(gs, axis=-1)


def effect_from_moments(n_t, mean_t, cov_t, n_c, mean_c, cov_c, spec, *, level=0.95):
    """Delta-method (and CUPED-adjusted) difference and relative lift of a ratio, from arm moments.

    Vectorised over any leading axes. ``spec[0]`` defines the metric (usually
    ("ratio", 0, 1): column 0 over column 1), ``spec[1:]`` the pre-period
    covariates (("ratio", i, j) for a pre-period ratio, ("mean", i, -1) for a
    per-customer covariate). Returns a dict of arrays: ``ratio_treated,
    ratio_control, estimate, se, ci_low, ci_high, p, lift, lift_se,
    lift_ci_low, lift_ci_high, estimate_unadjusted, se_unadjusted,
    variance_reduction, theta``.

    Notes
    -----
    With :math:`g_a` the gradient of :math:`R = \\mu_Y/\\mu_X`,
    :math:`g_a = (1/\\mu_X, -\\mu_Y/\\mu_X^2)` (zero elsewhere), and
    :math:`\\Sigma_a` the per-customer covariance in arm a,
    :math:`\\widehat{Var}(\\hat R_a) = g_a'\\Sigma_a g_a / n_a`
    (Deng et al. 2018: :math:`\\frac{1}{n\\mu_X^2}(\\sigma_Y^2 - 2R\\sigma_{XY} + R^2\\sigma_X^2)`).
    With covariate functions :math:`H` (pre-period ratio or mean) and the
    matrix :math:`G_a = [g_a, \\nabla H_a]`, let
    :math:`C = \\sum_a G_a'\\Sigma_a G_a / n_a`. The CUPED estimate is
    :math:`(\\hat R_t - \\hat R_c) - \\theta'(\\hat H_t - \\hat H_c)` with
    :math:`\\theta = C_{HH}^{-1} C_{HR}` (the variance-minimising coefficient
    for the difference; with equal arms it is the pooled within-arm
    regression slope of the linearised metric on the linearised covariates),
    variance :math:`C_{RR} - C_{RH}\\theta`, and
    ``variance_reduction`` :math:`= 1 - (C_{RR} - C_{RH}\\theta)/C_{RR}`.
    Relative lift :math:`\\hat\\Delta/\\hat R_c` with delta-method weights
    :math:`w_t = (g_t - \\nabla H_t\\theta)/R_c` and
    :math:`w_c = -(g_c - \\nabla H_c\\theta)/R_c - \\hat\\Delta g_c/R_c^2`;
    without covariates its variance is
    :math:`Var(\\hat R_t)/R_c^2 + R_t^2 Var(\\hat R_c)/R_c^4` (Deng et al. 2018,
    percent change). :math:`\\theta` is treated as known (its estimation error is
    of smaller order). Intervals are normal: estimate :math:`\\pm z\\,se`.
    """
    z = stats.norm.isf((1 - level) / 2)
    h_t, G_t = _gradients(np.asarray(mean_t, float), spec)
    h_c, G_c = _gradients(np.asarray(mean_c, float), spec)
    n_t, n_c = np.asarray(n_t, float), np.asarray(n_c, float)
    C = (np.einsum("...ki,...kl,...lj->...ij", G_t, cov_t, G_t) / n_t[..., None, None]
         + np.einsum("...ki,...kl,...lj->...ij", G_c, cov_c, G_c) / n_c[..., None, None])
    r_t, r_c = h_t[..., 0], h_c[..., 0]
    est0 = r_t - r_c
    var0 = C[..., 0, 0]
    q = len(spec) - 1
    if q:
        theta = np.linalg.solve(C[..., 1:, 1:], C[..., 1:, :1])[..., 0]  # (..., q)
        est = est0 - np.einsum("...j,...j->...", theta, h_t[..., 1:] - h_c[..., 1:])
        var = var0 - np.einsum("...j,...j->...", C[..., 0, 1:], theta)
        adj_t = G_t[..., 0] - np.einsum("...kj,...j->...k", G_t[..., 1:], theta)
        adj_c = G_c[..., 0] - np.einsum("...kj,...j->...k", G_c[..., 1:], theta)
    else:
        theta = np.zeros(est0.shape + (0,))
        est, var = est0, var0
        adj_t, adj_c = G_t[..., 0], G_c[..., 0]
    se = np.sqrt(var)
    se0 = np.sqrt(var0)
    lift = est / r_c
    w_t = adj_t / r_c[..., None]
    w_c = -adj_c / r_c[..., None] - (est / r_c**2)[..., None] * G_c[..., 0]
    lift_var = (np.einsum("...k,...kl,...l->...", w_t, cov_t, w_t) / n_t
                + np.einsum("...k,...kl,...l->...", w_c, cov_c, w_c) / n_c)
    lift_se = np.sqrt(lift_var)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.norm.sf(np.abs(est / se))
    return {"ratio_treated": r_t, "ratio_control": r_c, "estimate": est, "se": se,
            "ci_low": est - z * se, "ci_high": est + z * se, "p": p,
            "lift": lift, "lift_se": lift_se, "lift_ci_low": lift - z * lift_se, "lift_ci_high": lift + z * lift_se,
            "estimate_unadjusted": est0, "se_unadjusted": se0, "variance_reduction": 1 - var / var0,
            "theta": theta}


def _column(df, col, source):
    if col not in df.columns:
        raise DataError(f"{source}: column {col!r} not found; columns are {list(df.columns)}")
    s = df[col]
    if not pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        raise DataError(f"{source}: column {col!r} must be numeric")
    v = s.to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        raise DataError(f"{source}: column {col!r} has {bad.size} missing/infinite values "
                        f"(rows {(bad[:5] + 1).tolist()}, 1-based)")
    return v


def ratio_effects(df, arm_col, control, numerator, denominator=None, *, pre_numerator=None, pre_denominator=None,
                  covariates=(), level=0.95):
    """Difference and relative lift of a ratio of sums, each arm vs control, with optional CUPED.

    Parameters
    ----------
    df : DataFrame, one row per randomised customer
    arm_col, control : arm column and control label
    numerator : per-customer total of the numerator (e.g. spend, orders)
    denominator : per-customer total of the denominator (e.g. visits, 1 if
        active); None for a per-customer mean (denominator 1)
    pre_numerator, pre_denominator : the same metric in the pre-period (CUPED
        covariate, linearised); ``pre_denominator=None`` uses the per-customer
        mean of ``pre_numerator``
    covariates : further numeric per-customer pre-period columns (entered linearly)
    level : confidence level

    Returns
    -------
    DataFrame
        One row per treated arm: ``arm, n_treated, n_control, ratio_treated,
        ratio_control, estimate, se, ci_low, ci_high, p, lift, lift_se,
        lift_ci_low, lift_ci_high, estimate_unadjusted, se_unadjusted,
        variance_reduction`` (``estimate`` is the CUPED-adjusted difference
        when covariates are given, else the plain delta-method difference;
        ``lift`` is estimate / control ratio).

    Notes
    -----
    See :func:`effect_from_moments` for the formulas. With ``denominator=None``
    and no covariates the result is the Welch difference in means (normal
    quantile). Customers with a zero denominator stay in the analysis (they
    add to the sums with weight zero in the ratio but count in n).
    """
    if not 0 < level < 1:
        raise ParameterError(f"level must be in (0, 1), got {level}")
    src = "ratio_effects"
    arms = check_experiment(df, arm_col, control, source=src)
    cols = [_column(df, numerator, src),
            np.ones(len(df)) if denominator is None else _column(df, denominator, src)]
    spec = [("ratio", 0, 1)]
    if pre_numerator is not None:
        cols.append(_column(df, pre_numerator, src))
        if pre_denominator is None:
            spec.append(("mean", 2, -1))
        else:
            cols.append(_column(df, pre_denominator, src))
            spec.append(("ratio", 2, 3))
    elif pre_denominator is not None:
        raise ParameterError("pre_denominator needs pre_numerator")
    for c in covariates:
        cols.append(_column(df, c, src))
        spec.append(("mean", len(cols) - 1, -1))
    V = np.column_stack(cols)
    g = df[arm_col].to_numpy()
    mc = g == control
    n_c, m_c, s_c = arm_moments(V[mc])
    for kind, i, j in spec:
        if kind == "ratio" and m_c[j] == 0:
            raise DataError(f"{src}: the denominator column sums to zero in the control arm {control!r}")
    rows = []
    for a in arms:
        ma = g == a
        n_t, m_t, s_t = arm_moments(V[ma])
        if n_t < 2 or n_c < 2:
            raise DataError(f"{src}: arm {a!r} or control has fewer than 2 customers")
        if any(kind == "ratio" and m_t[j] == 0 for kind, i, j in spec):
            raise DataError(f"{src}: the denominator sums to zero in arm {a!r}")
        r = effect_from_moments(n_t, m_t, s_t, n_c, m_c, s_c, spec, level=level)
        r.pop("theta")
        rows.append({"arm": str(a), "n_treated": int(n_t), "n_control": int(n_c),
                     **{k: float(v) for k, v in r.items()}})
    return pd.DataFrame(rows)


def _draw(rng, shape, lift, visit_lift, share_treated, mean_visits, visits_shape, log_aov_mean, log_aov_sd,
          basket_shape):
    """Arrays of the given shape: treated flag, pre visits, pre spend, visits, spend."""
    t = rng.uniform(size=shape) < share_treated
    lam = rng.gamma(visits_shape, mean_visits / visits_shape, shape)
    aov = rng.lognormal(log_aov_mean, log_aov_sd, shape)
    pre_v = rng.poisson(lam)
    vis = rng.poisson(lam * (1 + visit_lift * t))
    pre_s = rng.gamma(pre_v * basket_shape, aov / basket_shape)  # Gamma(0, .) is 0: no visit, no spend
    spend = rng.gamma(vis * basket_shape, aov * (1 + lift * t) / basket_shape)
    return t, pre_v, pre_s, vis, spend


def simulate_ratio_experiment(n=20_000, *, lift=0.05, visit_lift=0.0, share_treated=0.5, mean_visits=4.0,
                              visits_shape=2.0, log_aov_mean=3.0, log_aov_sd=0.5, basket_shape=4.0, seed=None):
    """Customers' visits and spend before and during an experiment, with a known spend-per-visit effect.

    Customer i has a visit rate :math:`\\lambda_i \\sim Gamma(shape, mean\\_visits/shape)` and an
    average spend per visit :math:`a_i \\sim LogNormal(log\\_aov\\_mean, log\\_aov\\_sd)`,
    independent. Pre-period visits :math:`\\sim Poisson(\\lambda_i)`; experiment visits
    :math:`\\sim Poisson(\\lambda_i(1 + visit\\_lift\\,T))`; the spend of k visits is
    :math:`Gamma(k \\cdot basket\\_shape,\\ a_i(1 + lift\\,T)/basket\\_shape)` (a sum of k baskets
    with mean :math:`a_i(1+lift\\,T)`), in both periods (without the lift before).

    The true spend per visit is :math:`E[a](1 + lift\\,T)` with
    :math:`E[a] = \\exp(log\\_aov\\_mean + log\\_aov\\_sd^2/2)` (visits and basket values are
    independent), so the true difference is :math:`E[a]\\,lift` and the true relative lift
    ``lift``, whatever ``visit_lift``. Returns (DataFrame with columns ``arm`` ("control" /
    "treatment"), ``pre_visits, pre_spend, visits, spend``; dict of the truth).
    """
    rng = np.random.default_rng(seed)
    t, pre_v, pre_s, vis, spend = _draw(rng, (n,), lift, visit_lift, share_treated, mean_visits, visits_shape,
                                        log_aov_mean, log_aov_sd, basket_shape)
    df = pd.DataFrame({"arm": np.where(t, "treatment", "control"), "pre_visits": pre_v, "pre_spend": pre_s,
                       "visits": vis, "spend": spend})
    e_aov = float(np.exp(log_aov_mean + log_aov_sd**2 / 2))
    truth = {"ratio_control": e_aov, "ratio_treated": e_aov * (1 + lift), "difference": e_aov * lift, "lift": lift}
    return df, truth


def ratio_coverage(n_reps=1000, n=4000, *, lift=0.05, level=0.95, seed=None, chunk=250, **sim):
    """Coverage of the delta-method intervals (plain and CUPED) over simulated experiments.

    Each repetition is :func:`simulate_ratio_experiment` with ``n`` customers
    (further settings in ``sim``); the metric is spend per visit, the CUPED
    covariate the pre-period spend per visit. Repetitions are drawn as
    ``chunk x n`` arrays and the estimates computed with
    :func:`effect_from_moments` at once.

    Returns a dict: ``coverage_unadjusted, coverage_cuped, coverage_lift,
    coverage_lift_cuped`` (shares of intervals covering the truth),
    ``variance_reduction`` (mean reported CUPED variance reduction),
    ``variance_reduction_mc`` (1 - Var(CUPED estimates) / Var(plain estimates)
    across repetitions), ``se_ratio_unadjusted`` / ``se_ratio_cuped`` (mean
    reported se over the Monte Carlo sd of the estimates), ``mc_se``.
    """
    keys = ("visit_lift", "share_treated", "mean_visits", "visits_shape", "log_aov_mean", "log_aov_sd", "basket_shape")
    unknown = sorted(set(sim) - set(keys))
    if unknown:
        raise ParameterError(f"unknown simulation setting(s) {unknown}; known: {list(keys)}")
    defaults = dict(zip(keys, (0.0, 0.5, 4.0, 2.0, 3.0, 0.5, 4.0)))
    settings = [sim.get(k, defaults[k]) for k in keys]
    truth = simulate_ratio_experiment(2, lift=lift, **sim)[1]
    rng = np.random.default_rng(seed)
    out = {k: [] for k in ("est0", "se0", "est", "se", "lift0", "lift_se0", "lift", "lift_se", "vr")}
    done = 0
    while done < n_reps:
        b = min(chunk, n_reps - done)
        T, pre_v, pre_s, vis, spend = _draw(rng, (b, n), lift, *settings)
        V = np.stack([spend, vis, pre_s, pre_v], axis=-1).astype(float)
        mt, mc = arm_moments(V, T), arm_moments(V, ~T)
        plain = effect_from_moments(*mt, *mc, [("ratio", 0, 1)], level=level)
        cup = effect_from_moments(*mt, *mc, [("ratio", 0, 1), ("ratio", 2, 3)], level=level)
        out["est0"].append(plain["estimate"])
        out["se0"].append(plain["se"])
        out["lift0"].append(plain["lift"])
        out["lift_se0"].append(plain["lift_se"])
        out["est"].append(cup["estimate"])
        out["se"].append(cup["se"])
        out["lift"].append(cup["lift"])
        out["lift_se"].append(cup["lift_se"])
        out["vr"].append(cup["variance_reduction"])
        done += b
    o = {k: np.concatenate(v) for k, v in out.items()}
    z = stats.norm.isf((1 - level) / 2)

    def cover(est, se, target):
        return float(np.mean(np.abs(est - target) <= z * se))

    d, lf = truth["difference"], truth["lift"]
    return {"coverage_unadjusted": cover(o["est0"], o["se0"], d), "coverage_cuped": cover(o["est"], o["se"], d),
            "coverage_lift": cover(o["lift0"], o["lift_se0"], lf),
            "coverage_lift_cuped": cover(o["lift"], o["lift_se"], lf),
            "variance_reduction": float(o["vr"].mean()),
            "variance_reduction_mc": float(1 - o["est"].var(ddof=1) / o["est0"].var(ddof=1)),
            "se_ratio_unadjusted": float(o["se0"].mean() / o["est0"].std(ddof=1)),
            "se_ratio_cuped": float(o["se"].mean() / o["est"].std(ddof=1)),
            "mean_estimate_cuped": float(o["est"].mean()), "truth": truth,
            "mc_se": float(np.sqrt(level * (1 - level) / n_reps)), "n_reps": n_reps, "n": n}
