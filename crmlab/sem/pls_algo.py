"""The batched PLS-PM algorithm on stacks of item covariance matrices (Mode A and Mode B).

The whole algorithm is written on the item covariance matrix ``S`` (p x p):
with block-diagonal outer weights ``W`` (p x L) the construct correlations are
``W' S W``; a Mode A update is ``w_j <- S[j, :] W e_j`` and a Mode B update
``w_j <- S_jj^{-1} S[j, :] W e_j``.  Because nothing needs the raw rows, a
bootstrap (or a weighted fit) reduces to computing one covariance matrix per
resample -- a single matrix product of the (B x n) resample-count (or weight)
matrix with the (n x p^2) matrix of item cross-products -- and then running the
iteration on a stack of B covariance matrices at once.
"""
from __future__ import annotations

import numpy as np

from crmlab.core.errors import ParameterError

__all__ = ["SCHEMES", "pls_core", "resample_covariances", "path_coefficients", "total_effects"]

SCHEMES = ("centroid", "factorial", "path")


def _normalise(W, S):
    """Scale each column of W so that ``diag(W' S W) = 1`` (batched); also return ``S W``."""
    SW = S @ W
    d = np.sqrt(np.sum(W * SW, axis=1))[:, None, :]
    return W / d, SW / d


def _solve(A, b):
    """Batched ``A x = b`` that falls back to the pseudo-inverse for singular systems."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return (np.linalg.pinv(A) @ b[..., None])[..., 0]


def _inverse(A):
    """Batched inverse with a pseudo-inverse fallback for singular blocks."""
    try:
        return np.linalg.inv(A)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(A)


def _inner_weights(R, A, scheme, preds):
    """Inner weights E (B x L x L); ``Z = Y @ E``."""
    sym = A + A.T
    if scheme == "centroid":
        return np.sign(R) * sym
    if scheme == "factorial":
        return R * sym
    # path weighting: predecessors get multiple-regression coefficients,
    # successors get correlations (Lohmoeller 1989)
    E = R * A.T[None, :, :]          # E[j, k] = r_jk where k -> j (j is a successor)
    for k, p in enumerate(preds):
        if len(p):
            E[:, p, k] = _solve(R[:, p][:, :, p], R[:, p, k])
    return E


def path_coefficients(R, preds, L):
    """OLS path coefficients ``Bm[:, j, k]`` (j -> k) and R^2 per construct from correlations R."""
    Bn = R.shape[0]
    Bm = np.zeros((Bn, L, L))
    r2 = np.zeros((Bn, L))
    for k, p in enumerate(preds):
        if len(p):
            beta = _solve(R[:, p][:, :, p], R[:, p, k])
            Bm[:, p, k] = beta
            r2[:, k] = np.einsum("bi,bi->b", beta, R[:, p, k])
    return Bm, r2


_path_coefficients = path_coefficients  # backward-compatible private name


def total_effects(Bm):
    """Total effects ``(I - B)^{-1} - I`` of a stack of path matrices."""
    L = Bm.shape[-1]
    eye = np.eye(L)
    return np.linalg.inv(eye - Bm) - eye


def pls_core(S, M, A, scheme="path", tol=1e-10, max_iter=500, modes=None):
    """Run PLS-PM (Mode A and/or Mode B blocks) on a stack of covariance matrices.

    Parameters
    ----------
    S : ndarray (B, p, p)
        Item covariance (or correlation) matrices, population denominator.
    M : ndarray (p, L)
        Block membership (1 when item i measures construct j).
    A : ndarray (L, L)
        Adjacency, ``A[j, k] = 1`` for a path j -> k.
    scheme : {"centroid", "factorial", "path"}
    tol, max_iter : float, int
        Stop when the largest change of a normalised weight is below ``tol``.
    modes : array of bool (L,), optional
        True for Mode B (formative / composite, ``<~``) blocks; default all Mode A.

    Returns
    -------
    dict with ``W`` (B, p, L) weights giving unit-variance scores, ``R``
    (B, L, L) construct correlations, ``paths`` (B, L, L), ``r2`` (B, L),
    ``loadings`` (B, p, L) item-construct correlations, ``iterations`` and
    ``converged`` (B,) flags.

    Notes
    -----
    Outer estimate ``Y = X W`` with ``var(Y_j) = 1``; inner estimate
    ``Z = Y E`` with E from the scheme (centroid ``sign(r_jk)``, factorial
    ``r_jk``, path: regression weights for predecessors and correlations for
    successors); Mode A update ``w_j ∝ cov(X_j, Z_j) = S_j. W e_j``; Mode B
    update ``w_j ∝ S_jj^{-1} cov(X_j, Z_j)``, the OLS coefficients of the
    inner proxy ``Z_j`` on the block's items.  Path coefficients are OLS on
    the construct correlations.  Reference: Lohmoeller (1989), *Latent
    Variable Path Modeling with Partial Least Squares*; Tenenhaus et al.
    (2005), *Computational Statistics & Data Analysis* 48, 159-205; Sanchez
    (2013), *PLS Path Modeling with R*.
    """
    if scheme not in SCHEMES:
        raise ParameterError(f"pls scheme {scheme!r} is not one of {SCHEMES}")
    S = np.asarray(S, dtype=float)
    if S.ndim == 2:
        S = S[None]
    Bn, p, _ = S.shape
    L = M.shape[1]
    preds = [np.flatnonzero(A[:, k]) for k in range(L)]
    modes = np.zeros(L, dtype=bool) if modes is None else np.asarray(modes, dtype=bool)
    # Mode B: the inverse of each formative block's covariance, fixed over the iterations
    mode_b = [(j, np.flatnonzero(M[:, j])) for j in range(L) if modes[j]]
    inv_b = [_inverse(S[:, idx][:, :, idx]) for _, idx in mode_b]
    W, SW = _normalise(np.broadcast_to(M, (Bn, p, L)).copy(), S)
    converged = np.zeros(Bn, dtype=bool)
    it = 0
    for it in range(1, max_iter + 1):
        R = np.matmul(W.transpose(0, 2, 1), SW)
        E = _inner_weights(R, A, scheme, preds)
        Wn = (SW @ E) * M
        for (j, idx), inv in zip(mode_b, inv_b):
            Wn[:, idx, j] = np.einsum("bik,bk->bi", inv, Wn[:, idx, j])
        Wn, SWn = _normalise(Wn, S)
        delta = np.abs(Wn - W).max(axis=(1, 2))
        W, SW = Wn, SWn
        converged = delta < tol
        if converged.all():
            break
    R = np.matmul(W.transpose(0, 2, 1), SW)
    Bm, r2 = path_coefficients(R, preds, L)
    sd = np.sqrt(np.einsum("bii->bi", S))
    loadings = SW / sd[:, :, None]
    return {"W": W, "R": R, "paths": Bm, "r2": r2, "loadings": loadings,
            "iterations": it, "converged": converged}


def resample_covariances(X, counts, scaled):
    """Covariance matrices of resamples given by a (B x n) count/weight matrix.

    ``S_b = sum_i c_bi x_i x_i' / sum_i c_bi - m_b m_b'`` with
    ``m_b = sum_i c_bi x_i / sum_i c_bi``: one (B x n) @ (n x p^2) product.
    Counts may be any non-negative weights (survey weights, or bootstrap
    counts times survey weights).  With ``scaled`` the result is the
    correlation matrix of each resample.
    """
    X = np.asarray(X, dtype=float)
    X = X - X.mean(axis=0)
    n, p = X.shape
    w = np.asarray(counts, dtype=float)
    tot = w.sum(axis=1, keepdims=True)
    Q = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)
    m = (w @ X) / tot
    S = ((w @ Q) / tot).reshape(-1, p, p) - m[:, :, None] * m[:, None, :]
    if scaled:
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.sqrt(np.einsum("bii->bi", S))
            S = S / sd[:, :, None] / sd[:, None, :]
    return S
