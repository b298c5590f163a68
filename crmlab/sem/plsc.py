"""Consistent PLS (PLSc): Dijkstra-Henseler rho_A and the disattenuation of reflective blocks.

Everything is batched over a stack of covariance matrices, so the bootstrap of
PLSc costs one extra pass of cheap array operations per chunk of resamples.
"""
from __future__ import annotations

import numpy as np

from crmlab.sem.pls_algo import path_coefficients

__all__ = ["rho_a", "consistent"]


def rho_a(W, S, M):
    """Dijkstra-Henseler's rho_A of every block (batched), and the correction factor c.

    Parameters
    ----------
    W : ndarray (B, p, L)
        Outer weights normalised to unit-variance composites (``w' S_jj w = 1``).
    S : ndarray (B, p, p)
        Item covariance or correlation matrices.
    M : ndarray (p, L)
        Block membership.

    Returns
    -------
    (rho, c) : ndarrays (B, L).  Single-item blocks get ``rho = 1`` and ``c = 1 / w``
    (the loading of a lone item is 1 in standard units).

    Notes
    -----
    With ``w`` the block's weights, ``c^2 = w'(S_jj - diag S_jj) w / w'(w w' - diag(w w')) w``
    and ``rho_A = (w'w)^2 c^2``; the consistent loadings are ``lambda = c w``
    (Dijkstra & Henseler 2015, "Consistent partial least squares path modeling",
    *MIS Quarterly* 39(2), 297-316, eqs. 11-13; Dijkstra & Henseler 2015,
    *Computational Statistics & Data Analysis* 81, 10-23).  For a block of a
    common factor ``x = lambda eta + e``, ``rho_A = corr(w'x, eta)^2``, the
    reliability of the composite.
    """
    SW = S @ W
    q = np.einsum("bil,bil->bl", W, SW)                      # w'S w (= 1 when normalised)
    diag = np.einsum("bii->bi", S)
    num = q - np.einsum("bil,bi->bl", W ** 2, diag)          # w'(S - diag S) w
    ww = np.einsum("bil->bl", W ** 2)
    den = ww ** 2 - np.einsum("bil->bl", W ** 4)             # w'(w w' - diag(w w')) w
    k = M.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        c2 = np.where(k > 1, num / den, np.nan)
        rho = np.where(k > 1, ww ** 2 * c2, 1.0)
        c = np.where(k > 1, np.sqrt(np.where(c2 > 0, c2, np.nan)), 1.0 / np.sqrt(ww))
    return rho, c


def consistent(res, S, M, A, modes=None):
    """Apply the PLSc correction to the output of :func:`~crmlab.sem.pls_algo.pls_core`.

    Returns a new dict with the keys of ``res`` where ``R`` is the
    disattenuated construct correlation matrix, ``paths``/``r2`` are OLS on
    it, ``loadings`` are consistent (block entries ``c_j w_ij / sd_i``; cross
    loadings divided by ``sqrt(rho_A)`` of the construct), plus ``R_proxy``
    (the composite correlations), ``rho_a`` (B, L) and ``admissible`` (B,).

    Notes
    -----
    ``r~_jk = r_jk / sqrt(rho_A,j rho_A,k)`` for reflective (Mode A) blocks;
    composites (Mode B) and single items keep ``rho_A = 1`` (they are taken as
    measured without error), as in cSEM and ADANCO.  A solution is
    inadmissible when a rho_A is not in (0, 1], a consistent loading exceeds 1
    in absolute value, or the corrected correlation matrix is not positive
    definite (cf. cSEM's ``verify()``).
    """
    W = res["W"]
    L = M.shape[1]
    k = M.sum(axis=0)
    modes = np.zeros(L, dtype=bool) if modes is None else np.asarray(modes, dtype=bool)
    refl = (~modes) & (k > 1)
    rho, c = rho_a(W, S, M)
    rho_used = np.where(refl[None, :], rho, 1.0)
    R = res["R"]
    with np.errstate(invalid="ignore", divide="ignore"):
        sq = np.sqrt(rho_used)
        Rc = R / sq[:, :, None] / sq[:, None, :]
    idx = np.arange(L)
    Rc[:, idx, idx] = 1.0
    preds = [np.flatnonzero(A[:, j]) for j in range(L)]
    good = np.isfinite(Rc).all(axis=(1, 2))
    Rsafe = np.where(good[:, None, None], Rc, np.eye(L))
    Bm, r2 = path_coefficients(Rsafe, preds, L)
    sd = np.sqrt(np.einsum("bii->bi", S))
    with np.errstate(invalid="ignore", divide="ignore"):
        load = res["loadings"] / sq[:, None, :]
        lam = c[:, None, :] * W / sd[:, :, None]
    blk = M.argmax(axis=1)
    rows = np.arange(M.shape[0])
    own = refl[blk]
    load[:, rows[own], blk[own]] = lam[:, rows[own], blk[own]]
    ok_rho = np.all(~refl[None, :] | ((rho > 0) & (rho <= 1)), axis=1)
    ok_load = np.all(np.abs(np.where(np.isfinite(lam), lam, 2.0)[:, rows[own], blk[own]]) <= 1, axis=1)
    eig = np.linalg.eigvalsh(Rsafe)
    admissible = good & ok_rho & ok_load & (eig[:, 0] > 0)
    out = dict(res)
    out.update(R=Rc, R_proxy=R, paths=Bm, r2=r2, loadings=load,
               rho_a=np.where(modes[None, :], np.nan, rho), admissible=admissible)
    return out
