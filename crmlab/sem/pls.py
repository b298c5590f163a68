"""PLS path modelling (Lohmoeller / Wold algorithm, Mode A) with a batched bootstrap.

The whole algorithm is written on the item covariance matrix ``S`` (p x p):
with block-diagonal outer weights ``W`` (p x L) the construct correlations are
``W' S W``; a Mode A update is ``w_j <- S[j, :] W e_j``.  Because nothing needs
the raw rows, a bootstrap reduces to computing one covariance matrix per
resample -- a single matrix product of the (B x n) resample-count matrix with
the (n x p^2) matrix of item cross-products -- and then running the iteration
on a stack of B covariance matrices at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import ParameterError
from crmlab.sem.data import PreparedData, prepare_items
from crmlab.sem.measurement import htmt_from_corr
from crmlab.sem.syntax import ModelSpec, parse_model

__all__ = ["PLSPM", "PLSBootstrap", "pls_core", "SCHEMES", "resample_covariances"]

SCHEMES = ("centroid", "factorial", "path")


# --------------------------------------------------------------------------
# batched core
# --------------------------------------------------------------------------
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


def _path_coefficients(R, preds, L):
    """OLS path coefficients ``Bm[:, j, k]`` (j -> k) and R^2 per construct."""
    Bn = R.shape[0]
    Bm = np.zeros((Bn, L, L))
    r2 = np.zeros((Bn, L))
    for k, p in enumerate(preds):
        if len(p):
            beta = _solve(R[:, p][:, :, p], R[:, p, k])
            Bm[:, p, k] = beta
            r2[:, k] = np.einsum("bi,bi->b", beta, R[:, p, k])
    return Bm, r2


def pls_core(S, M, A, scheme="path", tol=1e-10, max_iter=500):
    """Run PLS-PM Mode A on a stack of covariance matrices.

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
    successors); Mode A update ``w_j ∝ cov(X_j, Z_j) = S_j. W e_j``.
    Path coefficients are OLS on the construct correlations.  Reference:
    Lohmoeller (1989), *Latent Variable Path Modeling with Partial Least
    Squares*; Tenenhaus et al. (2005), *Computational Statistics & Data
    Analysis* 48, 159-205; Sanchez (2013), *PLS Path Modeling with R*.
    """
    if scheme not in SCHEMES:
        raise ParameterError(f"pls scheme {scheme!r} is not one of {SCHEMES}")
    S = np.asarray(S, dtype=float)
    if S.ndim == 2:
        S = S[None]
    Bn, p, _ = S.shape
    L = M.shape[1]
    preds = [np.flatnonzero(A[:, k]) for k in range(L)]
    W, SW = _normalise(np.broadcast_to(M, (Bn, p, L)).copy(), S)
    converged = np.zeros(Bn, dtype=bool)
    it = 0
    for it in range(1, max_iter + 1):
        R = np.matmul(W.transpose(0, 2, 1), SW)
        E = _inner_weights(R, A, scheme, preds)
        Wn, SWn = _normalise((SW @ E) * M, S)
        delta = np.abs(Wn - W).max(axis=(1, 2))
        W, SW = Wn, SWn
        converged = delta < tol
        if converged.all():
            break
    R = np.matmul(W.transpose(0, 2, 1), SW)
    Bm, r2 = _path_coefficients(R, preds, L)
    sd = np.sqrt(np.einsum("bii->bi", S))
    loadings = SW / sd[:, :, None]
    return {"W": W, "R": R, "paths": Bm, "r2": r2, "loadings": loadings,
            "iterations": it, "converged": converged}


def _total_effects(Bm):
    L = Bm.shape[-1]
    eye = np.eye(L)
    return np.linalg.inv(eye - Bm) - eye


def resample_covariances(X, counts, scaled):
    """Covariance matrices of resamples given by a (B x n) count/weight matrix.

    ``S_b = sum_i c_bi x_i x_i' / n - m_b m_b'`` with ``m_b = sum_i c_bi x_i / n``:
    one (B x n) @ (n x p^2) product.  With ``scaled`` the result is the
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


# --------------------------------------------------------------------------
# estimator
# --------------------------------------------------------------------------
@dataclass
class PLSBootstrap:
    """Bootstrap summaries; each table has original, mean, se, t, ci_low, ci_high."""

    paths: pd.DataFrame
    r2: pd.DataFrame
    weights: pd.DataFrame
    loadings: pd.DataFrame
    total_effects: pd.DataFrame
    indirect: pd.DataFrame
    htmt: pd.DataFrame
    n_resamples: int
    n_failed: int
    level: float
    draws: dict = field(repr=False, default_factory=dict)

    def _repr_html_(self):
        return ("<b>PLS bootstrap</b> ({} resamples, {} not converged)".format(
            self.n_resamples, self.n_failed) + self.paths.to_html(float_format="%.4f"))


def _summarise(original, draws, names, level):
    draws = np.asarray(draws)
    se = draws.std(axis=0, ddof=1)
    a = (1 - level) / 2
    lo, hi = np.quantile(draws, [a, 1 - a], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, original / se, np.nan)
    return pd.DataFrame({"original": original, "mean": draws.mean(axis=0), "se": se,
                         "t": t, "ci_low": lo, "ci_high": hi}, index=pd.Index(names, name="term"))


class PLSPM:
    """PLS path model (Mode A) defined by a lavaan-style description.

    Parameters
    ----------
    model : str or ModelSpec
        ``Construct =~ items`` and ``Target ~ Sources`` statements.
    scheme : {"path", "centroid", "factorial"}
        Inner weighting scheme.
    scaled : bool
        Standardise items (True) or only centre them (False, R plspm's
        ``scaled = FALSE``).  Mode A weights follow item covariances, so
        items with larger variance weigh more when unscaled; the estimates
        (not only the weights' scale) therefore differ between the two.
    tol, max_iter : float, int
        Convergence criterion on the normalised outer weights.

    Attributes (after ``fit``)
    --------------------------
    spec_ : ModelSpec
    data_ : PreparedData
    weights_, loadings_ : Series indexed by item
    outer_ : DataFrame (item, construct, weight, loading, communality, redundancy)
    crossloadings_ : DataFrame items x constructs
    path_matrix_ : DataFrame (rows source, columns target)
    paths_ : Series keyed ``"TARGET~SOURCE"``
    r2_ : Series over endogenous constructs
    effects_ : DataFrame (source, target, direct, indirect, total)
    construct_corr_ : DataFrame
    scores_ : DataFrame of standardised construct scores
    gof_ : float
    n_iter_ : int

    Notes
    -----
    GoF = sqrt(mean communality of items in multi-item blocks x mean R^2 of
    endogenous constructs) (Tenenhaus et al. 2005).  Total effects
    ``T = (I - B)^{-1} - I``, indirect = total - direct.
    """

    def __init__(self, model, scheme: str = "path", scaled: bool = True,
                 tol: float = 1e-10, max_iter: int = 500):
        self.model = model
        self.scheme = scheme
        self.scaled = scaled
        self.tol = tol
        self.max_iter = max_iter

    # -- fitting -------------------------------------------------------
    def fit(self, data: pd.DataFrame, prepared: "PreparedData | None" = None):
        """Estimate the model on respondent-level ``data`` (listwise deletion)."""
        if self.scheme not in SCHEMES:
            raise ParameterError(f"pls scheme {self.scheme!r} is not one of {SCHEMES}")
        spec = parse_model(self.model)
        if not spec.paths:
            raise ParameterError("the model has no structural paths ('Target ~ Source')")
        linked = {c for pth in spec.paths for c in pth}
        lonely = [c for c in spec.names if c not in linked]
        if lonely:
            raise ParameterError(f"construct(s) {lonely} take part in no structural path; PLS needs every "
                                 "construct connected (add a path or drop the construct)")
        prep = prepared if prepared is not None else prepare_items(data, spec)
        self.spec_, self.data_ = spec, prep
        X = prep.items.to_numpy(float)
        self._X = X
        self._M, self._A = spec.block_matrix(), spec.adjacency()
        S = resample_covariances(X, np.ones((1, len(X))), self.scaled)
        res = pls_core(S, self._M, self._A, self.scheme, self.tol, self.max_iter)
        if not res["converged"][0]:
            raise ParameterError(f"PLS did not converge in {self.max_iter} iterations")
        self.n_iter_ = int(res["iterations"])
        self._store(res, S[0], X)
        return self

    def _store(self, res, S, X):
        spec, M = self.spec_, self._M
        names, items = spec.names, spec.items
        W = res["W"][0]
        blk = M.argmax(axis=1)
        rows = np.arange(len(items))
        self.weights_ = pd.Series(W[rows, blk], index=items, name="weight")
        load = res["loadings"][0]
        self.loadings_ = pd.Series(load[rows, blk], index=items, name="loading")
        self.crossloadings_ = pd.DataFrame(load, index=items, columns=names)
        r2_all = pd.Series(res["r2"][0], index=names)
        self.r2_ = r2_all[spec.endogenous].rename("r2")
        comm = self.loadings_ ** 2
        self.outer_ = pd.DataFrame({
            "item": items, "construct": [names[b] for b in blk],
            "weight": self.weights_.to_numpy(), "loading": self.loadings_.to_numpy(),
            "communality": comm.to_numpy(),
            "redundancy": comm.to_numpy() * r2_all.to_numpy()[blk]})
        Bm = res["paths"][0]
        self.path_matrix_ = pd.DataFrame(Bm, index=names, columns=names)
        self.paths_ = pd.Series({f"{t}~{s}": Bm[names.index(s), names.index(t)]
                                 for t in spec.endogenous for s in spec.predecessors(t)},
                                name="estimate")
        T = _total_effects(res["paths"])[0]
        eff = []
        for i, s in enumerate(names):
            for j, t in enumerate(names):
                if T[i, j] != 0 or Bm[i, j] != 0:
                    eff.append((s, t, Bm[i, j], T[i, j] - Bm[i, j], T[i, j]))
        self.effects_ = pd.DataFrame(eff, columns=["source", "target", "direct", "indirect", "total"])
        self.construct_corr_ = pd.DataFrame(res["R"][0], index=names, columns=names)
        Xs = X - X.mean(axis=0)
        if self.scaled:
            Xs = Xs / X.std(axis=0)
        self.scores_ = pd.DataFrame(Xs @ W, index=self.data_.index, columns=names)
        multi = [c for c, its in spec.constructs.items() if len(its) > 1]
        comm_multi = comm[[it for c in multi for it in spec.constructs[c]]]
        self.gof_ = float(np.sqrt(comm_multi.mean() * self.r2_.mean())) if multi else float("nan")
        self.block_summary_ = pd.DataFrame({
            "r2": r2_all.where(r2_all.index.isin(spec.endogenous), 0.0),
            "ave": comm.groupby(self.outer_["construct"].to_numpy()).mean().reindex(names)})

    # -- bootstrap -----------------------------------------------------
    def bootstrap(self, n_resamples: int = 5000, seed: "int | None" = None, level: float = 0.95,
                  chunk: int = 1000) -> PLSBootstrap:
        """Nonparametric bootstrap, all resamples solved as stacked linear algebra.

        Parameters
        ----------
        n_resamples : int
        seed : int, optional
            Seed of ``numpy.random.default_rng``.
        level : float
            Percentile interval coverage.
        chunk : int
            Resamples per batch (memory: ``chunk * p^2`` floats).

        Returns
        -------
        PLSBootstrap
            Standard errors are the standard deviation of the bootstrap draws
            (ddof=1), ``t = original / se``, intervals are percentiles.
            Resamples that do not converge are dropped and counted.
        """
        self._check_fitted()
        if int(n_resamples) < 2:
            raise ParameterError("bootstrap needs at least 2 resamples")
        rng = np.random.default_rng(seed)
        n = len(self._X)
        spec, names = self.spec_, self.spec_.names
        keys = [(names.index(s), names.index(t)) for t in spec.endogenous for s in spec.predecessors(t)]
        endo = [names.index(c) for c in spec.endogenous]
        blk = self._M.argmax(axis=1)
        rows = np.arange(len(blk))
        eff_pairs = [(names.index(s), names.index(t)) for s, t in
                     zip(self.effects_["source"], self.effects_["target"])]
        draws = {k: [] for k in ("paths", "r2", "weights", "loadings", "total", "B", "htmt")}
        L = len(names)
        pairs = [(i, j) for i in range(L) for j in range(i + 1, L)
                 if self._M[:, i].sum() > 1 and self._M[:, j].sum() > 1]
        failed = 0
        done = 0
        while done < n_resamples:
            b = min(chunk, n_resamples - done)
            idx = rng.integers(0, n, size=(b, n))
            counts = np.bincount((idx + n * np.arange(b)[:, None]).ravel(),
                                 minlength=b * n).reshape(b, n)
            # a resample in which an item is constant cannot be estimated: count it as failed
            S = resample_covariances(self._X, counts, False)
            var = S[:, rows, rows]
            degenerate = (var <= 1e-10 * self._X.var(axis=0)).any(axis=1)
            S[degenerate] = np.eye(len(rows))
            if self.scaled:
                sd = np.sqrt(S[:, rows, rows])
                S = S / sd[:, :, None] / sd[:, None, :]
            with np.errstate(invalid="ignore", divide="ignore"):
                res = pls_core(S, self._M, self._A, self.scheme, self.tol, self.max_iter)
            ok = res["converged"] & ~degenerate
            failed += int((~ok).sum())
            Bm = res["paths"][ok]
            T = _total_effects(Bm)
            draws["paths"].append(np.stack([Bm[:, i, j] for i, j in keys], axis=1))
            draws["r2"].append(res["r2"][ok][:, endo])
            draws["weights"].append(res["W"][ok][:, rows, blk])
            draws["loadings"].append(res["loadings"][ok][:, rows, blk])
            draws["total"].append(np.stack([T[:, i, j] for i, j in eff_pairs], axis=1))
            draws["B"].append(Bm)
            sd = np.sqrt(S[:, rows, rows])
            H = htmt_from_corr(S[ok] / sd[ok][:, :, None] / sd[ok][:, None, :], self._M)
            draws["htmt"].append(np.stack([H[:, i, j] for i, j in pairs], axis=1)
                                 if pairs else np.zeros((int(ok.sum()), 0)))
            done += b
        d = {k: np.concatenate(v) for k, v in draws.items()}
        eff_names = [f"{t}~{s}" for s, t in zip(self.effects_["source"], self.effects_["target"])]
        ind_orig = self.effects_["indirect"].to_numpy()
        S0 = resample_covariances(self._X, np.ones((1, n)), True)
        H0 = htmt_from_corr(S0, self._M)[0]
        htmt_names = [f"{names[i]}|{names[j]}" for i, j in pairs]
        ind_draw = d["total"] - np.stack([d["B"][:, i, j] for i, j in eff_pairs], axis=1)
        out = PLSBootstrap(
            paths=_summarise(self.paths_.to_numpy(), d["paths"], list(self.paths_.index), level),
            r2=_summarise(self.r2_.to_numpy(), d["r2"], list(self.r2_.index), level),
            weights=_summarise(self.weights_.to_numpy(), d["weights"], spec.items, level),
            loadings=_summarise(self.loadings_.to_numpy(), d["loadings"], spec.items, level),
            total_effects=_summarise(self.effects_["total"].to_numpy(), d["total"], eff_names, level),
            indirect=_summarise(ind_orig, ind_draw, eff_names, level),
            htmt=_summarise(np.array([H0[i, j] for i, j in pairs]), d["htmt"], htmt_names, level),
            n_resamples=int(len(d["paths"])), n_failed=failed, level=level,
            draws={"B": d["B"], "names": names})
        self.bootstrap_ = out
        return out

    # -- presentation --------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "paths_"):
            raise ParameterError("call fit() before using the PLS results")

    def summary(self) -> pd.DataFrame:
        """Path table: source, target, estimate (+ bootstrap columns when available)."""
        self._check_fitted()
        tab = pd.DataFrame({"path": self.paths_.index,
                            "source": [k.split("~")[1] for k in self.paths_.index],
                            "target": [k.split("~")[0] for k in self.paths_.index],
                            "estimate": self.paths_.to_numpy()})
        if hasattr(self, "bootstrap_"):
            bt = self.bootstrap_.paths
            for c in ("se", "t", "ci_low", "ci_high"):
                tab[c] = bt[c].to_numpy()
        return tab

    def _repr_html_(self):
        if not hasattr(self, "paths_"):
            return "<i>PLSPM (not fitted)</i>"
        r2 = ", ".join(f"{k}: {v:.3f}" for k, v in self.r2_.items())
        return (f"<b>PLS path model</b> ({self.scheme} scheme, n = {self.data_.n_used}, "
                f"GoF = {self.gof_:.3f})<br>R²: {r2}"
                + self.summary().to_html(index=False, float_format="%.4f"))
