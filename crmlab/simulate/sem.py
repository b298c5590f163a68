"""Synthetic survey data from a structural model with known paths and a known shape.

Constructs follow the recursive structural equations of the model; items are
generated either from the *composite* model (Dijkstra 2017; the default):
within each block the items have compound-symmetric correlation ``rho`` and a
weighted composite of the block (equal weights unless ``item_weights`` says
otherwise) reproduces the construct exactly -- under this model PLS-PM is
consistent (Mode A for equal weights, Mode B for any weights) -- or from the
*common-factor* model (``measurement="factor"``): ``x = lambda eta + e`` with
unique errors, under which PLS is biased (attenuated paths, inflated
loadings) and consistent PLS (PLSc) is consistent.  The satisfaction ->
loyalty link can be given a threshold shape instead of a straight line.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.core.errors import ParameterError
from crmlab.core.modeltext import parse_model

__all__ = ["simulate_survey", "ECSI_TRUE_PATHS"]

#: Path coefficients close to the published ECSI estimates (standardised).
ECSI_TRUE_PATHS = {"EXPE~IMAG": 0.55, "QUAL~EXPE": 0.65, "VAL~EXPE": 0.15, "VAL~QUAL": 0.55,
                   "SAT~IMAG": 0.20, "SAT~EXPE": 0.05, "SAT~QUAL": 0.20, "SAT~VAL": 0.45,
                   "LOY~IMAG": 0.25, "LOY~SAT": 0.50}


def simulate_survey(model, paths: dict, n: int = 1000, within_corr=0.6, shape: "dict | None" = None,
                    mean: float = 7.0, sd: float = 1.8, levels: "tuple | None" = None,
                    seed: "int | None" = None, measurement: str = "composite", loadings=0.75,
                    item_weights: "dict | None" = None):
    """Draw respondent-level survey data with known structure.

    Parameters
    ----------
    model : str or ModelSpec
        Lavaan-style description (constructs, items, paths).
    paths : dict
        ``{"TARGET~SOURCE": coefficient}`` for every path of the model
        (standardised coefficients; exogenous constructs are independent N(0, 1)).
    n : int
    within_corr : float or dict
        Correlation of items within a block (per construct when a dict).
    shape : dict, optional
        Threshold form for one path, e.g. ``{"path": "LOY~SAT", "threshold": 0.5,
        "slope_below": 0.1, "slope_above": 0.9, "noise": 0.5}``:
        ``eta_T = sum(other paths) + slope_below * eta_S + (slope_above - slope_below)
        * max(eta_S - threshold, 0) + noise * e``, then standardised in sample.
    mean, sd : float
        Item location and spread on the answer scale.
    levels : (low, high), optional
        Round answers to integers and clip to ``[low, high]`` (e.g. ``(0, 10)``).
    seed : int, optional
    measurement : {"composite", "factor"}
        Item model of the reflective (``=~``) blocks; formative (``<~``) blocks
        are always composites.
    loadings : float, dict or None
        Common-factor loadings (``measurement="factor"``): one value, or per
        construct a value or a sequence over its items; each in (0, 1).
    item_weights : dict, optional
        Composite blocks: construct -> relative item weights (scaled so that
        the composite has unit variance); default equal weights.

    Returns
    -------
    (data, truth) : DataFrame of items and a dict with ``paths``, ``loadings``
    (item-construct correlations), ``weights`` (population composite weights
    for composite blocks, NaN for factor blocks), ``reliability`` (per
    construct: 1 for composites, the reliability ``(sum lambda)^2 /
    ((sum lambda)^2 + sum(1 - lambda^2))`` of the equally weighted sum for
    factor blocks), ``shape`` and ``latent`` (the true construct scores).

    Notes
    -----
    Composite block j: ``x = z - lambda (w'z) + lambda eta_j`` with
    ``z ~ N(0, Sigma_j)``, ``Sigma_j`` compound symmetric, weights w scaled to
    ``w' Sigma_j w = 1`` and ``lambda = Sigma_j w``; then ``w'x = eta_j`` and
    ``cov(x) = Sigma_j`` (Dijkstra 2017, in *Partial Least Squares Path
    Modeling*, 55-79).  Factor block j: ``x_i = lambda_i eta_j +
    sqrt(1 - lambda_i^2) e_i`` with independent standard normal ``e_i``.
    """
    spec = parse_model(model)
    names = spec.names
    keys = spec.path_keys()
    missing = [k for k in keys if k not in paths]
    extra = [k for k in paths if k not in keys]
    if missing or extra:
        raise ParameterError(f"paths must give every model path exactly; missing {missing}, unknown {extra}")
    if shape is not None:
        if shape.get("path") not in keys:
            raise ParameterError(f"shape path {shape.get('path')!r} is not a path of the model")
    if n < 2:
        raise ParameterError("n must be at least 2")
    if measurement not in ("composite", "factor"):
        raise ParameterError(f"measurement={measurement!r} is not 'composite' or 'factor'")
    if spec.higher_order:
        raise ParameterError("simulate_survey does not generate higher-order constructs; write the model "
                             "with first-order constructs")
    unknown = [c for c in (item_weights or {}) if c not in spec.constructs]
    if unknown:
        raise ParameterError(f"item_weights names unknown construct(s) {unknown}")
    rng = np.random.default_rng(seed)
    L = len(names)
    eta = np.zeros((n, L))
    phi = np.eye(L)
    for k, c in enumerate(names):
        preds = spec.predecessors(c)
        if not preds:
            eta[:, k] = rng.standard_normal(n)
            continue
        idx = [names.index(p) for p in preds]
        beta = np.array([paths[f"{c}~{p}"] for p in preds], float)
        nonlin = shape is not None and shape["path"].split("~")[0] == c
        if nonlin:
            src = names.index(shape["path"].split("~")[1])
            lin = [(i, b) for i, b in zip(idx, beta) if i != src]
            u = eta[:, src]
            val = sum(b * eta[:, i] for i, b in lin) if lin else np.zeros(n)
            kink = shape.get("slope_above", 1.0) - shape.get("slope_below", 0.0)
            val = val + shape.get("slope_below", 0.0) * u + kink * np.clip(u - shape["threshold"], 0, None)
            val = val + shape.get("noise", 0.5) * rng.standard_normal(n)
            eta[:, k] = (val - val.mean()) / val.std()
            phi[k, :k] = phi[:k, k] = np.nan
            continue
        explained = beta @ phi[np.ix_(idx, idx)] @ beta
        if not np.isfinite(explained):
            raise ParameterError(f"construct {c!r} depends linearly on the nonlinear path; put the "
                                 "threshold path last or make downstream paths start elsewhere")
        if explained >= 1:
            raise ParameterError(f"paths into {c!r} explain {explained:.2f} >= 1 of its variance")
        eta[:, k] = eta[:, idx] @ beta + np.sqrt(1 - explained) * rng.standard_normal(n)
        phi[k, :k] = phi[:k, k] = beta @ phi[idx, :k]
    cols, loads, weights, reliability = {}, {}, {}, {}
    for k, (c, its) in enumerate(spec.constructs.items()):
        m = len(its)
        if measurement == "factor" and spec.mode(c) == "A":
            lam = _factor_loadings(loadings, c, m)
            x = eta[:, [k]] * lam + rng.standard_normal((n, m)) * np.sqrt(1 - lam ** 2)
            w = np.full(m, np.nan)
            reliability[c] = float(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum()))
        else:
            rho = within_corr.get(c, 0.6) if isinstance(within_corr, dict) else float(within_corr)
            if not (-1 / max(m - 1, 1) < rho < 1):
                raise ParameterError(f"within_corr for {c!r} must lie in (-1/(k-1), 1)")
            sigma = np.full((m, m), rho) + (1 - rho) * np.eye(m)
            w = np.ones(m) if not item_weights or c not in item_weights else np.asarray(item_weights[c], float)
            if w.shape != (m,):
                raise ParameterError(f"item_weights for {c!r} needs {m} values, got {w.size}")
            w = w / np.sqrt(w @ sigma @ w)
            lam = sigma @ w
            z = np.sqrt(rho) * rng.standard_normal((n, 1)) + np.sqrt(1 - rho) * rng.standard_normal((n, m))
            x = z - lam * (z @ w)[:, None] + lam * eta[:, [k]]
            reliability[c] = 1.0
        for j, it in enumerate(its):
            v = mean + sd * x[:, j]
            if levels is not None:
                v = np.clip(np.round(v), levels[0], levels[1])
            cols[it] = v
            loads[it] = float(lam[j])
            weights[it] = float(w[j])
    data = pd.DataFrame(cols)
    if levels is not None:
        data = data.astype(int)
    truth = {"paths": dict(paths), "loadings": loads, "weights": weights, "reliability": reliability,
             "shape": shape, "latent": pd.DataFrame(eta, columns=names)}
    return data, truth


def _factor_loadings(loadings, construct, m):
    val = loadings.get(construct, 0.75) if isinstance(loadings, dict) else loadings
    lam = np.broadcast_to(np.asarray(val, float), (m,)).copy() if np.ndim(val) == 0 else np.asarray(val, float)
    if lam.shape != (m,):
        raise ParameterError(f"loadings for {construct!r} need 1 or {m} values, got {lam.size}")
    if ((lam <= 0) | (lam >= 1)).any():
        raise ParameterError(f"loadings for {construct!r} must lie in (0, 1), got {lam.tolist()}")
    return lam
