"""Formative (Mode B) blocks: weight collinearity (VIF) and redundancy analysis."""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError
from crmlab.sem.pls_algo import pls_core, resample_covariances
from crmlab.core.modeltext import ModelSpec, make_spec

__all__ = ["block_vif", "redundancy_analysis", "REDUNDANCY_THRESHOLD"]

#: Minimum path construct -> global item for convergent validity (Hair et al. 2022, ch. 5).
REDUNDANCY_THRESHOLD = 0.70


def block_vif(S, M):
    """Variance inflation factor of every item within its own block.

    Parameters
    ----------
    S : ndarray (p, p)
        Item covariance or correlation matrix.
    M : ndarray (p, L)
        Block membership.

    Returns
    -------
    ndarray (p,)
        NaN for single-item blocks.

    Notes
    -----
    ``VIF_i = 1 / (1 - R_i^2)`` where ``R_i^2`` is from regressing item i on
    the other items of its block; equivalently the diagonal of the inverse of
    the block's correlation matrix.  For Mode B blocks the weights are these
    regressions' coefficients, so VIF >= 5 (Hair et al. 2022, *A Primer on
    PLS-SEM*, 3rd ed., ch. 5) or >= 3.3 (Diamantopoulos & Siguaw 2006) flags
    weights that cannot be interpreted separately.
    """
    S = np.asarray(S, float)
    sd = np.sqrt(np.diag(S))
    R = S / np.outer(sd, sd)
    out = np.full(S.shape[0], np.nan)
    for j in range(M.shape[1]):
        idx = np.flatnonzero(M[:, j])
        if len(idx) > 1:
            out[idx] = np.diag(np.linalg.pinv(R[np.ix_(idx, idx)]))
    return out


def redundancy_analysis(spec: ModelSpec, items: pd.DataFrame, data: pd.DataFrame, positions, redundancy: dict,
                        weights=None, scaled: bool = True, scheme: str = "path") -> pd.DataFrame:
    """Convergent validity of constructs against a global single item (redundancy analysis).

    Parameters
    ----------
    spec : ModelSpec
        The model as written.
    items : DataFrame
        Prepared (complete) item columns of the main fit.
    data : DataFrame
        The data passed to ``fit`` (holds the global items).
    positions : ndarray of int
        Row positions in ``data`` of the rows of ``items``.
    redundancy : dict
        Construct -> name of the column with the global single item.
    weights : ndarray, optional
        Survey weights of the rows of ``items``.

    Returns
    -------
    DataFrame with construct, global_item, path, r2, n, threshold, meets.

    Notes
    -----
    For each construct a separate two-construct PLS model is estimated on the
    rows where the global item is present: the construct, measured by its
    items in its own mode, predicts a single-item construct formed by the
    global item.  The path coefficient (the correlation of the two) should be
    at least 0.70, i.e. the construct explains at least half of the global
    item's variance (Chin 1998; Cheah, Sarstedt, Ringle, Ramayah & Ting 2018,
    *International Journal of Contemporary Hospitality Management* 30,
    3192-3210; Hair et al. 2022, ch. 5).  For a Mode B block this path equals
    the multiple correlation R of the global item regressed on the block's items.
    """
    rows = []
    w_all = np.ones(len(items)) if weights is None else np.asarray(weights, float)
    for c, g in redundancy.items():
        if c not in spec.constructs:
            raise ParameterError(f"redundancy: {c!r} is not a construct of the model")
        if c in spec.higher_order:
            raise ParameterError(f"redundancy: {c!r} is a higher-order construct; redundancy analysis needs a "
                                 "construct measured by items")
        its = list(spec.constructs[c])
        if g not in data.columns:
            raise DataError(f"redundancy: global item column {g!r} for construct {c!r} is missing from the data")
        if g in its:
            raise ParameterError(f"redundancy: global item {g!r} is one of the items of {c!r}; use a separate "
                                 "global single-item question")
        gv = pd.to_numeric(data[g], errors="coerce").to_numpy(float)[positions]
        keep = np.isfinite(gv)
        if keep.sum() < 10:
            raise DataError(f"redundancy: global item {g!r} has only {int(keep.sum())} usable rows "
                            "among the respondents of the model (need at least 10)")
        X = np.column_stack([items[its].to_numpy(float)[keep], gv[keep]])
        if np.ptp(X[:, -1]) == 0:
            raise DataError(f"redundancy: global item {g!r} is constant")
        gname = f"{c}__global"
        sub = make_spec({c: tuple(its), gname: (g,)}, [(c, gname)], {c: spec.mode(c)})
        S = resample_covariances(X, w_all[keep][None], scaled)
        res = pls_core(S, sub.block_matrix(), sub.adjacency(), scheme, modes=sub.mode_b())
        path = float(res["paths"][0, 0, 1])
        rows.append({"construct": c, "global_item": g, "path": path, "r2": path ** 2, "n": int(keep.sum()),
                     "threshold": REDUNDANCY_THRESHOLD, "meets": bool(path >= REDUNDANCY_THRESHOLD)})
    return pd.DataFrame(rows, columns=["construct", "global_item", "path", "r2", "n", "threshold", "meets"])
