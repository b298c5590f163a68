"""Composite-model survey data with chosen weights, per group, or from given construct scores.

Two building blocks for checking PLS assessment tools against a known truth:

* :func:`composite_items` turns construct scores into items whose weighted
  composite reproduces each score exactly, with any (positive or negative)
  weights and compound-symmetric item correlations;
* :func:`simulate_groups` draws several groups from a structural model, each
  with its own paths, composite weights and construct means and spreads -- a
  planted measurement (non-)invariance for MICOM or a planted path
  difference for multi-group analysis.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.core.errors import ParameterError
from crmlab.core.modeltext import parse_model

__all__ = ["composite_items", "simulate_groups"]


def _block_sigma(m, rho, name):
    if not (-1 / max(m - 1, 1) < rho < 1):
        raise ParameterError(f"within_corr for {name!r} must lie in (-1/(k-1), 1); got {rho}")
    return np.full((m, m), rho) + (1 - rho) * np.eye(m)


def composite_items(scores: pd.DataFrame, model, weights: "dict | None" = None, within_corr=0.5,
                    item_mean: float = 5.0, item_sd: float = 1.5, levels: "tuple | None" = None,
                    seed=None):
    """Items for given construct scores under the composite model (Dijkstra 2017).

    Parameters
    ----------
    scores : DataFrame
        One column per construct of ``model`` (any distribution, mean and variance).
    model : str or ModelSpec
        Gives the items of every construct.
    weights : dict, optional
        Construct -> relative weights of its items (default equal).  They are
        rescaled so that the composite of standardised item deviations has
        unit variance when the score has.
    within_corr : float or dict
        Correlation of the item "noise" within a block (per construct when a dict).
    item_mean, item_sd : float
        Location and spread of the items on the answer scale.
    levels : (low, high), optional
        Round to integers and clip (the exact composite identity is then lost).
    seed : int or numpy Generator, optional

    Returns
    -------
    (items, truth) : DataFrame of items and a dict with ``weights`` (the
    normalised true weights on the standardised-deviation scale),
    ``loadings`` (``Sigma w``, the item-score covariances for a unit-variance
    score) and ``sigma`` (block correlation matrices).

    Notes
    -----
    For block j with correlation ``Sigma`` and weights ``w`` (``w' Sigma w = 1``):
    ``z ~ N(0, Sigma)``, ``lambda = Sigma w`` and ``u = z - lambda (w'z) +
    lambda eta_j``; then ``w'u = eta_j`` exactly and, for a unit-variance
    ``eta_j``, ``cov(u) = Sigma``.  Items are ``item_mean + item_sd * u``.
    """
    spec = parse_model(model)
    missing = [c for c in spec.names if c not in scores.columns]
    if missing:
        raise ParameterError(f"scores lack the construct column(s) {missing}")
    rng = np.random.default_rng(seed)
    n = len(scores)
    cols, w_out, l_out, sig_out = {}, {}, {}, {}
    for c, its in spec.constructs.items():
        m = len(its)
        rho = within_corr.get(c, 0.5) if isinstance(within_corr, dict) else float(within_corr)
        sigma = _block_sigma(m, rho, c)
        w = np.ones(m) if weights is None or c not in weights else np.asarray(weights[c], float)
        if w.shape != (m,):
            raise ParameterError(f"weights for {c!r} must have {m} values (one per item)")
        q = w @ sigma @ w
        if q <= 0:
            raise ParameterError(f"weights for {c!r} give a composite without variance")
        w = w / np.sqrt(q)
        lam = sigma @ w
        z = rng.multivariate_normal(np.zeros(m), sigma, size=n, method="cholesky")
        eta = scores[c].to_numpy(float)
        u = z - np.outer(z @ w, lam) + np.outer(eta, lam)
        for j, it in enumerate(its):
            v = item_mean + item_sd * u[:, j]
            if levels is not None:
                v = np.clip(np.round(v), levels[0], levels[1])
            cols[it] = v
        w_out[c], l_out[c], sig_out[c] = w, lam, sigma
    items = pd.DataFrame(cols, index=scores.index)
    return items, {"weights": w_out, "loadings": l_out, "sigma": sig_out}


def _latent(spec, paths, n, rng):
    names = spec.names
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
        explained = beta @ phi[np.ix_(idx, idx)] @ beta
        if explained >= 1:
            raise ParameterError(f"paths into {c!r} explain {explained:.2f} >= 1 of its variance")
        eta[:, k] = eta[:, idx] @ beta + np.sqrt(1 - explained) * rng.standard_normal(n)
        phi[k, :k] = phi[:k, k] = beta @ phi[idx, :k]
    return pd.DataFrame(eta, columns=names)


def simulate_groups(model, groups: dict, within_corr=0.5, item_mean: float = 5.0, item_sd: float = 1.5,
                    levels: "tuple | None" = None, group_column: str = "group", seed=None):
    """Draw several groups from one model with group-specific paths, weights, means and spreads.

    Parameters
    ----------
    model : str or ModelSpec
    groups : dict
        Group label -> spec with keys ``n`` (required), ``paths``
        (``{"TARGET~SOURCE": standardised coefficient}`` for every path),
        and optionally ``weights`` (construct -> item weights), ``means``
        (construct -> mean of the construct score, default 0) and ``sds``
        (construct -> its standard deviation, default 1).
    within_corr, item_mean, item_sd, levels : see :func:`composite_items`
    group_column : str
        Name of the group label column in the output.
    seed : int or numpy Generator, optional

    Returns
    -------
    (data, truth) : items plus the group column, and a dict group ->
    ``{"latent": scores, "weights", "loadings", "paths", "means", "sds"}``.

    Notes
    -----
    Within a group the standardised construct scores follow the recursive
    structural equations with independent N(0, 1) exogenous constructs;
    each score is then moved to ``mean + sd * score`` (so standardised paths
    stay as given) and turned into items by :func:`composite_items`.
    """
    spec = parse_model(model)
    keys = spec.path_keys()
    if not groups:
        raise ParameterError("groups must name at least one group")
    rng = np.random.default_rng(seed)
    frames, truth = [], {}
    for label, g in groups.items():
        if "n" not in g or int(g["n"]) < 2:
            raise ParameterError(f"group {label!r} needs n >= 2")
        paths = g.get("paths", {})
        missing = [k for k in keys if k not in paths]
        extra = [k for k in paths if k not in keys]
        if missing or extra:
            raise ParameterError(f"group {label!r}: paths must give every model path exactly; "
                                 f"missing {missing}, unknown {extra}")
        eta = _latent(spec, paths, int(g["n"]), rng)
        means, sds = g.get("means", {}), g.get("sds", {})
        for c in spec.names:
            eta[c] = means.get(c, 0.0) + sds.get(c, 1.0) * eta[c]
        items, tr = composite_items(eta, spec, g.get("weights"), within_corr, item_mean, item_sd,
                                    levels, rng)
        items[group_column] = label
        frames.append(items)
        truth[label] = {"latent": eta, "weights": tr["weights"], "loadings": tr["loadings"],
                        "paths": dict(paths), "means": {c: means.get(c, 0.0) for c in spec.names},
                        "sds": {c: sds.get(c, 1.0) for c in spec.names}}
    data = pd.concat(frames, ignore_index=True)
    if levels is not None:
        data[spec.items] = data[spec.items].astype(int)
    return data, truth
