"""Key-driver analysis: which attributes matter most for an overall rating.

Exact Shapley / LMG decomposition of R² from the correlation matrix (all
``2**p`` subset R² values by a vectorised sweep tree), Johnson's relative
weights, batched bootstrap intervals of shares and ranks, a sampled Shapley
estimate with error bounds for many drivers, multicollinearity diagnostics and
an importance-performance map.

Everything works on sufficient statistics: the (weighted) correlation matrix of
``[drivers..., outcome]``. Shares are therefore invariant to rescaling or
shifting any variable.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError

#: Largest number of drivers decomposed exactly by default (2**20 subsets).
MAX_EXACT_DRIVERS = 20


# ---------------------------------------------------------------------------------------------
# moments and input checks
# ---------------------------------------------------------------------------------------------

def _example_rows(mask: np.ndarray, index, k: int = 5) -> str:
    rows = list(np.asarray(index)[np.asarray(mask)][:k])
    return ", ".join(str(r) for r in rows)


def prepare_matrix(df: pd.DataFrame, columns, *, what: str = "item") -> np.ndarray:
    """Numeric float matrix of ``df[columns]`` with clear errors.

    Raises
    ------
    DataError
        A column is missing, holds text, or has missing values (the message
        names the column and example rows).
    """
    columns = list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"{what}(s) {missing} not in the data (columns: {list(df.columns)[:20]})")
    out = np.empty((len(df), len(columns)))
    for k, c in enumerate(columns):
        col = df[c]
        num = pd.to_numeric(col, errors="coerce")
        bad_text = num.isna() & col.notna()
        if bad_text.any():
            vals = col[bad_text].astype(str).unique()[:3].tolist()
            raise DataError(
                f"{what} {c!r} holds non-numeric answers {vals} in rows "
                f"{_example_rows(bad_text, df.index)}; clean the survey first (crmlab.survey.clean_survey)"
            )
        if num.isna().any():
            raise DataError(
                f"{what} {c!r} has missing values in rows {_example_rows(num.isna(), df.index)}; "
                "clean the survey first (crmlab.survey.clean_survey)"
            )
        out[:, k] = num.to_numpy(dtype=float)
    return out


def check_weights(weights, n: int, index=None) -> np.ndarray | None:
    """Validate survey weights: numeric, no missing, none negative, positive sum.

    Returns a float array (or None when ``weights`` is None); raises
    DataError naming example rows.
    """
    if weights is None:
        return None
    w = pd.to_numeric(pd.Series(np.asarray(weights).ravel()), errors="coerce").to_numpy(dtype=float)
    if w.shape[0] != n:
        raise DataError(f"weights have {w.shape[0]} values for {n} respondents")
    idx = np.arange(n) if index is None else np.asarray(index)
    if np.isnan(w).any():
        raise DataError(f"weights are missing or non-numeric in rows {_example_rows(np.isnan(w), idx)}")
    if (w < 0).any():
        raise DataError(f"weights are negative in rows {_example_rows(w < 0, idx)}")
    if w.sum() <= 0:
        raise DataError("weights sum to zero")
    return w


def weighted_corr(Z: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """(Weighted) Pearson correlation matrix of the columns of ``Z``."""
    Z = np.asarray(Z, dtype=float)
    w = np.ones(Z.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    mu = w @ Z / w.sum()
    D = Z - mu
    C = (D * w[:, None]).T @ D / w.sum()
    s = np.sqrt(np.diag(C))
    return C / np.outer(s, s)


def check_sample_size(n: int, p: int) -> None:
    """Refuse fewer respondents than a regression on ``p`` drivers needs (``p + 2``: intercept, slopes and
    a residual variance; with fewer the drivers would look "perfectly collinear", which is not the problem).
    About 10-20 respondents per driver are the usual rule for stable estimates. Raises DataError."""
    if n < p + 2:
        raise DataError(f"too few respondents for {p} drivers: {n} respondent(s); a regression on {p} drivers "
                        f"needs at least {p + 2} (and about 10-20 per driver, {10 * p:,}-{20 * p:,}, for stable "
                        "estimates). Add respondents or use fewer drivers")


def check_design(corr: np.ndarray, names, *, outcome: str = "outcome", sd=None, tol: float = 1e-10) -> None:
    """Refuse constant drivers and perfectly collinear driver sets.

    Raises
    ------
    DataError
        Naming the constant driver, or the drivers in the (near-)exact
        linear dependency.
    """
    names = list(names)
    if sd is not None:
        sd = np.asarray(sd)
        if sd[-1] <= 0:
            raise DataError(f"outcome {outcome!r} is constant; nothing to explain")
        const = [n for n, s in zip(names, sd[:-1]) if not s > 0]
        if const:
            raise DataError(f"driver(s) {const} are constant (zero variance); drop them from `drivers`")
    if corr is None:
        return
    R = np.asarray(corr)[:-1, :-1]
    ev, vec = np.linalg.eigh(R)
    if ev[0] < tol * max(1.0, ev[-1]):
        v = vec[:, 0]
        involved = [n for n, a in zip(names, v) if abs(a) > 1e-3]
        raise DataError(
            f"drivers {involved} are perfectly collinear (one is a linear combination of the others); "
            "drop one of them"
        )


# ---------------------------------------------------------------------------------------------
# all-subsets R² and exact Shapley
# ---------------------------------------------------------------------------------------------

def all_subsets_r2(corr: np.ndarray) -> np.ndarray:
    """R² of the regression of the last variable on every subset of the others.

    Parameters
    ----------
    corr : array (..., q, q)
        Correlation (or covariance) matrices; the outcome is the last
        variable, the ``p = q - 1`` drivers come first. Leading dimensions
        are batched (e.g. bootstrap replicates).

    Returns
    -------
    array (..., 2**p)
        Entry ``m`` is R² of the subset whose members are the set bits of
        ``m`` (bit ``j`` = driver ``j``); entry 0 is 0.

    Notes
    -----
    The sweep operator on driver ``j`` replaces the remaining block by its
    Schur complement, ``A <- A - a_j a_j' / a_jj``; after sweeping the
    drivers in ``S`` the outcome's diagonal entry is its residual variance
    ``1 - R²(S)``. The subsets form a binary tree over the drivers: at depth
    ``j`` every node branches into "skip ``j``" (drop row/column ``j``) and
    "sweep ``j``" (Schur complement), and row/column ``j`` is never needed
    again. Depth ``j`` holds ``2**j`` matrices of size ``(q - j)**2``, so the
    whole tree costs ``O(2**p)`` memory and about ``3 * 2**p`` flops per
    subset, all as batched numpy array operations (no Python loop over
    subsets). See Goodnight (1979), "A tutorial on the SWEEP operator",
    The American Statistician 33(3).
    """
    C = np.asarray(corr, dtype=float)
    q = C.shape[-1]
    batch = C.shape[:-2]
    C = C / np.sqrt(np.einsum("...ii->...i", C)[..., :, None] * np.einsum("...ii->...i", C)[..., None, :])
    A = C.reshape((-1, 1, q, q))
    for _ in range(q - 1):
        piv = A[:, :, 0, 0]
        col = A[:, :, 1:, 0]
        rest = A[:, :, 1:, 1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            swept = rest - col[..., :, None] * col[..., None, :] / piv[..., None, None]
        A = np.concatenate([rest, swept], axis=1)
    r2 = 1.0 - A[:, :, 0, 0]
    r2[:, 0] = 0.0
    return r2.reshape(batch + (r2.shape[-1],))


def _shapley_weights(p: int) -> np.ndarray:
    """w(s) = s! (p - s - 1)! / p! for s = 0..p-1."""
    return np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)])


def shapley_from_subsets(v: np.ndarray, p: int) -> np.ndarray:
    """Shapley values of the game ``v`` given on all ``2**p`` subsets (bitmask order).

    ``phi_j = sum_{S not containing j} w(|S|) [v(S + j) - v(S)]`` with
    ``w(s) = s! (p-s-1)! / p!`` (Shapley 1953). Batched over leading axes.
    """
    v = np.asarray(v, dtype=float)
    idx = np.arange(2**p, dtype=np.int64)
    size = np.bitwise_count(idx)
    w = _shapley_weights(p)
    out = np.empty(v.shape[:-1] + (p,))
    for j in range(p):
        without = idx[((idx >> j) & 1) == 0]
        out[..., j] = (v[..., without | (1 << j)] - v[..., without]) @ w[size[without]]
    return out


def shapley_r2_from_corr(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact Shapley (LMG) shares of R² and full-model R² from correlation matrices.

    Returns ``(shares (..., p), r2 (...))``; shares sum to R².
    """
    C = np.asarray(corr, dtype=float)
    p = C.shape[-1] - 1
    v = all_subsets_r2(C)
    return shapley_from_subsets(v, p), v[..., -1]


def sampled_shapley_r2_from_corr(corr: np.ndarray, n_permutations: int = 2000, *, seed=0,
                                 delta: float = 0.05, batch: int = 500) -> dict:
    """Permutation-sampling estimate of the Shapley shares of R² (for many drivers).

    Returns a dict with ``shares``, ``se`` (Monte-Carlo standard error per
    driver), ``bound`` (Hoeffding half-width holding for all drivers at once
    with probability ``1 - delta``), ``r2`` and ``n_permutations``.

    Notes
    -----
    For a uniformly random order ``pi`` the marginal contribution of ``j``,
    ``R²(pre_pi(j) + j) - R²(pre_pi(j))``, is unbiased for ``phi_j``
    (Castro, Gomez & Tejada 2009, Computers & OR 36). Each contribution
    lies in ``[0, R²_full]``, so Hoeffding's inequality with a union bound
    over ``p`` drivers gives ``|phi_hat_j - phi_j| <= R² sqrt(log(2p/delta)
    / (2M))`` for all ``j`` with probability at least ``1 - delta``. Every
    permutation's contributions sum to R², so the estimates do too.
    Orders are processed in batches by sweeping each order's next driver.
    """
    C = np.asarray(corr, dtype=float)
    C = C / np.sqrt(np.outer(np.diag(C), np.diag(C)))
    q = C.shape[0]
    p = q - 1
    rng = np.random.default_rng(seed)
    contrib_sum = np.zeros(p)
    contrib_sq = np.zeros(p)
    done = 0
    while done < n_permutations:
        m = min(batch, n_permutations - done)
        perms = np.argsort(rng.random((m, p)), axis=1)
        A = np.broadcast_to(C, (m, q, q)).copy()
        rows = np.arange(m)
        resid = np.ones(m)
        contrib = np.empty((m, p))
        for k in range(p):
            j = perms[:, k]
            col = A[rows, :, j]                       # (m, q)
            piv = col[rows, j]
            A -= col[:, :, None] * col[:, None, :] / piv[:, None, None]
            new = A[:, -1, -1]
            contrib[rows, j] = resid - new
            resid = new.copy()
        contrib_sum += contrib.sum(0)
        contrib_sq += (contrib**2).sum(0)
        done += m
    M = n_permutations
    shares = contrib_sum / M
    var = np.maximum(contrib_sq / M - shares**2, 0.0) * M / max(M - 1, 1)
    r2 = float(shares.sum())
    return {
        "shares": shares,
        "se": np.sqrt(var / M),
        "bound": r2 * math.sqrt(math.log(2 * p / delta) / (2 * M)),
        "r2": r2,
        "n_permutations": M,
        "delta": delta,
    }


# ---------------------------------------------------------------------------------------------
# Johnson's relative weights
# ---------------------------------------------------------------------------------------------

def relative_weights_from_corr(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights (raw, in R² units), batched.

    Notes
    -----
    With ``R_xx = V diag(e) V'`` let ``L = V diag(sqrt(e)) V'`` (the loadings
    of the drivers on their closest orthonormal counterparts ``Z``), and
    ``beta = L^{-1} r_xy`` the regression of the outcome on ``Z``. Then
    ``eps_j = sum_k L_jk**2 beta_k**2``; the weights sum to R². Johnson, J. W.
    (2000), Multivariate Behavioral Research 35(1), 1-19.
    """
    C = np.asarray(corr, dtype=float)
    R = C[..., :-1, :-1]
    r = C[..., :-1, -1]
    e, V = np.linalg.eigh(R)
    e = np.clip(e, 0, None)
    L = (V * np.sqrt(e)[..., None, :]) @ np.swapaxes(V, -1, -2)
    Linv = (V / np.sqrt(e)[..., None, :]) @ np.swapaxes(V, -1, -2)
    beta = np.einsum("...ij,...j->...i", Linv, r)
    return np.einsum("...jk,...k->...j", L**2, beta**2)


def vif_from_corr(corr_x: np.ndarray) -> np.ndarray:
    """Variance inflation factors: the diagonal of the inverse correlation matrix."""
    return np.diag(np.linalg.inv(np.asarray(corr_x, dtype=float)))


def condition_number_from_corr(corr_x: np.ndarray) -> float:
    """Condition number ``sqrt(lambda_max / lambda_min)`` of the driver correlation matrix
    (Belsley, Kuh & Welsch 1980 for the scaled design)."""
    e = np.linalg.eigvalsh(np.asarray(corr_x, dtype=float))
    return float(np.sqrt(e[-1] / e[0]))


#: name -> function(corr (..., q, q)) -> importance (..., p); one signature for the family.
IMPORTANCE_METHODS = {
    "shapley": lambda C: shapley_r2_from_corr(C)[0],
    "relative_weights": relative_weights_from_corr,
}


# ---------------------------------------------------------------------------------------------
# bootstrap as linear algebra
# ---------------------------------------------------------------------------------------------

def bootstrap_corr(Z: np.ndarray, n_boot: int, *, seed: int, weights: np.ndarray | None = None,
                   chunk: int = 500):
    """Yield (weighted) correlation matrices of nonparametric bootstrap resamples.

    Resampling with replacement = multinomial counts ``N`` (B x n); the
    resample moments are ``N w Z`` and ``N w (Z_i Z_i')``, i.e. two matrix
    products per chunk of replicates, no loop over replicates.
    """
    Z = np.asarray(Z, dtype=float)
    n, q = Z.shape
    w0 = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    Zc = Z - Z.mean(0)
    outer = (Zc[:, :, None] * Zc[:, None, :]).reshape(n, q * q)
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        Wt = rng.multinomial(n, np.full(n, 1.0 / n), size=b) * w0
        sw = Wt.sum(1)
        m1 = Wt @ Zc / sw[:, None]
        m2 = (Wt @ outer).reshape(b, q, q) / sw[:, None, None]
        cov = m2 - m1[:, :, None] * m1[:, None, :]
        s = np.sqrt(np.einsum("bii->bi", cov))
        yield cov / (s[:, :, None] * s[:, None, :])
        done += b


def _ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1 = largest, along the last axis."""
    order = np.argsort(-values, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[-1] + 1), axis=-1)
    return ranks


# ---------------------------------------------------------------------------------------------
# the estimator
# ---------------------------------------------------------------------------------------------

@dataclass
class KeyDriverAnalysis:
    """Key-driver analysis of an outcome rating on driver ratings.

    Parameters
    ----------
    bootstrap : int
        Bootstrap replicates for intervals of shares and ranks (0 = none).
    seed : int or numpy Generator
        Random seed of the bootstrap and of sampled Shapley.
    level : float
        Confidence level of the percentile intervals.
    method : {"auto", "exact", "sampled"}
        Exact Shapley up to ``max_exact`` drivers, permutation sampling beyond.
    n_permutations : int
        Orders drawn by sampled Shapley.

    Attributes
    ----------
    r2_ : float
    importance_ : DataFrame indexed by driver: shapley, share_pct,
        relative_weight, rank, vif, mean; with bootstrap also the percentile
        intervals ``shapley_ci_low``/``shapley_ci_high``,
        ``relative_weight_ci_low``/``relative_weight_ci_high``,
        ``rank_ci_low``/``rank_ci_high`` and ``p_top_rank`` (share of
        resamples in which the driver ranks first)
    rank_ : list of drivers, most important first
    condition_number_ : float
    sampled_ : dict or None
        Accuracy of sampled Shapley (see :func:`sampled_shapley_r2_from_corr`)
        when the shares were estimated from random orders; None when exact.
    boot_shapley_, boot_rw_ : arrays (B, p) of bootstrap draws (None without bootstrap)
    """

    bootstrap: int = 0
    seed: int = 0
    level: float = 0.95
    method: str = "auto"
    max_exact: int = MAX_EXACT_DRIVERS
    n_permutations: int = 2000

    def fit(self, df: pd.DataFrame, outcome: str, drivers, weights=None) -> "KeyDriverAnalysis":
        """Fit on ``df[drivers + [outcome]]``; ``weights`` is a column name or array.

        Every fitted attribute is set anew, so a refit never keeps results of an earlier fit.
        """
        drivers = list(drivers)
        if len(drivers) < 2:
            raise ParameterError("key-driver analysis needs at least 2 drivers")
        if outcome in drivers:
            raise ParameterError(f"outcome {outcome!r} is also listed as a driver")
        if len(set(drivers)) != len(drivers):
            raise ParameterError(f"drivers listed twice: {sorted({d for d in drivers if drivers.count(d) > 1})}")
        if self.method not in ("auto", "exact", "sampled"):
            raise ParameterError(f"method must be 'auto', 'exact' or 'sampled', got {self.method!r}")
        Z = prepare_matrix(df, drivers + [outcome], what="item")
        check_sample_size(len(Z), len(drivers))
        if isinstance(weights, str):
            if weights not in df.columns:
                raise DataError(f"weights column {weights!r} not in the data")
            w = check_weights(df[weights], len(df), df.index)
        else:
            w = check_weights(weights, len(df), df.index)
        ww = np.ones(len(df)) if w is None else w
        mu = ww @ Z / ww.sum()
        sd = np.sqrt(ww @ (Z - mu) ** 2 / ww.sum())
        check_design(None, drivers, outcome=outcome, sd=sd)
        C = weighted_corr(Z, w)
        check_design(C, drivers, outcome=outcome)
        p = len(drivers)
        exact = self.method == "exact" or (self.method == "auto" and p <= self.max_exact)
        self.sampled_ = self.boot_shapley_ = self.boot_rw_ = self.r2_ci_ = None
        if exact:
            shap, r2 = shapley_r2_from_corr(C)
        else:
            self.sampled_ = sampled_shapley_r2_from_corr(C, self.n_permutations, seed=self.seed)
            shap, r2 = self.sampled_["shares"], self.sampled_["r2"]
        rw = relative_weights_from_corr(C)
        Rx = C[:-1, :-1]
        self.drivers_, self.outcome_ = drivers, outcome
        self.corr_ = pd.DataFrame(C, index=drivers + [outcome], columns=drivers + [outcome])
        self.r2_ = float(r2)
        self.condition_number_ = condition_number_from_corr(Rx)
        imp = pd.DataFrame(
            {
                "shapley": shap,
                "share_pct": 100 * shap / r2,
                "relative_weight": rw,
                "rank": _ranks(shap),
                "vif": vif_from_corr(Rx),
                "mean": mu[:-1],
            },
            index=pd.Index(drivers, name="driver"),
        )
        if self.bootstrap:
            self._bootstrap(Z, w, imp, exact)
        self.importance_ = imp
        self.rank_ = imp.sort_values("rank").index.tolist()
        return self

    def _bootstrap(self, Z, w, imp, exact):
        p = Z.shape[1] - 1
        fn = IMPORTANCE_METHODS["shapley"] if exact else None
        chunk = int(max(1, min(500, 2e7 // (2**p * 4))))
        # sampled Shapley: each resample draws its own orders (a child stream of ``seed``), so the Monte-Carlo
        # error of the orders widens the percentile interval instead of shifting every resample alike
        streams = None if exact else iter(np.random.default_rng(self.seed).spawn(self.bootstrap))
        shap_draws, rw_draws = [], []
        for Cb in bootstrap_corr(Z, self.bootstrap, seed=self.seed, weights=w, chunk=chunk):
            if exact:
                shap_draws.append(fn(Cb))
            else:
                shap_draws.append(np.stack([
                    sampled_shapley_r2_from_corr(c, max(200, self.n_permutations // 10), seed=next(streams))["shares"]
                    for c in Cb
                ]))
            rw_draws.append(relative_weights_from_corr(Cb))
        self.boot_shapley_ = np.concatenate(shap_draws)
        self.boot_rw_ = np.concatenate(rw_draws)
        a = (1 - self.level) / 2
        ranks = _ranks(self.boot_shapley_)
        imp["shapley_ci_low"] = np.nanquantile(self.boot_shapley_, a, axis=0)
        imp["shapley_ci_high"] = np.nanquantile(self.boot_shapley_, 1 - a, axis=0)
        imp["relative_weight_ci_low"] = np.nanquantile(self.boot_rw_, a, axis=0)
        imp["relative_weight_ci_high"] = np.nanquantile(self.boot_rw_, 1 - a, axis=0)
        imp["rank_ci_low"] = np.quantile(ranks, a, axis=0, method="lower").astype(int)
        imp["rank_ci_high"] = np.quantile(ranks, 1 - a, axis=0, method="higher").astype(int)
        imp["p_top_rank"] = (ranks == 1).mean(0)
        r2_draws = self.boot_shapley_.sum(1)   # the shares of a resample add up to its R²
        self.r2_ci_ = (float(np.nanquantile(r2_draws, a)), float(np.nanquantile(r2_draws, 1 - a)))

    # -- tables ----------------------------------------------------------------------------
    def importance_performance(self, scale_min: float | None = None, scale_max: float | None = None, *,
                               scales: dict | None = None) -> pd.DataFrame:
        """Importance-performance map table (Martilla & James 1977).

        Importance = Shapley share of R² (percent); performance = mean rating
        rescaled to 0-100 on each driver's scale (``scales``: driver -> (lowest,
        highest); else ``scale_min``-``scale_max`` for all). Quadrants split at the
        mean importance and the mean performance across drivers.
        """
        return importance_performance(self.importance_["share_pct"], self.importance_["mean"],
                                      scale_min, scale_max, scales=scales)

    def to_record(self) -> dict:
        """The results.json entries for ``drivers``."""
        imp = self.importance_
        out = {
            "shapley": {d: float(v) for d, v in imp["shapley"].items()},
            "r2": self.r2_,
            "relative_weights": {d: float(v) for d, v in imp["relative_weight"].items()},
            "rank": list(self.rank_),
            "condition_number": self.condition_number_,
            "vif": {d: float(v) for d, v in imp["vif"].items()},
        }
        if "shapley_ci_low" in imp:
            out["shapley_ci"] = {d: [float(lo), float(hi)] for d, lo, hi in
                                 zip(imp.index, imp["shapley_ci_low"], imp["shapley_ci_high"])}
            out["r2_ci"] = list(self.r2_ci_)
        return out

    def _repr_html_(self) -> str:
        return (f"<p><b>Key-driver analysis</b> of {self.outcome_}: R² = {self.r2_:.3f}</p>"
                + self.importance_.round(4).to_html())


def collinearity_level(condition_number: float, vif) -> str:
    """How strong the multicollinearity among the drivers is: ``"none"``, ``"moderate"`` or ``"strong"``.

    Parameters
    ----------
    condition_number : float
        Condition number of the driver correlation matrix (:func:`condition_number_from_corr`).
    vif : array-like
        Variance inflation factors of the drivers (:func:`vif_from_corr`).

    Notes
    -----
    ``"none"`` when the condition number is below 10 and no VIF exceeds 5;
    ``"moderate"`` when the condition number is below 30 and no VIF exceeds 10;
    ``"strong"`` otherwise. The condition-number cut-offs 10 and 30 are those of
    Belsley, Kuh & Welsch (1980, *Regression Diagnostics*); VIF 5 and 10 are the
    usual rules of thumb (O'Brien 2007, Quality & Quantity 41).
    """
    vif = np.asarray(vif, dtype=float)
    if condition_number < 10 and not (vif > 5).any():
        return "none"
    if condition_number < 30 and not (vif > 10).any():
        return "moderate"
    return "strong"


#: importance-performance quadrants (Martilla & James 1977), as saved in tables
QUADRANTS = ("Concentrate here", "Keep up the good work", "Low priority", "Possible overkill")


def importance_performance(importance, performance, scale_min: float | None = None,
                           scale_max: float | None = None, *, scales: dict | None = None) -> pd.DataFrame:
    """Importance-performance table with quadrant labels (Martilla & James 1977).

    ``performance`` (mean ratings) is rescaled to 0-100 on each driver's own scale:
    ``scales[driver]`` = (lowest, highest), else ``scale_min``-``scale_max``, so that
    drivers rated on 1-5 and on 1-7 are comparable.

    Returns columns ``importance``, ``performance`` (0-100) and ``quadrant`` in
    {"Concentrate here", "Keep up the good work", "Low priority",
    "Possible overkill"}.
    """
    imp = pd.Series(importance, dtype=float)
    mean = pd.Series(performance, dtype=float)
    scales = dict(scales or {})
    missing = [d for d in mean.index if d not in scales] if scale_min is None or scale_max is None else []
    if missing:
        raise ParameterError(f"no answer scale for {missing}: give scales={{driver: (lowest, highest)}} "
                             "or scale_min and scale_max")
    ends = pd.DataFrame([scales.get(d, (scale_min, scale_max)) for d in mean.index], index=mean.index, dtype=float)
    perf = 100 * (mean - ends[0]) / (ends[1] - ends[0])
    hi_i = imp >= imp.mean()
    hi_p = perf >= perf.mean()
    quad = np.select(
        [hi_i & ~hi_p, hi_i & hi_p, ~hi_i & ~hi_p],
        ["Concentrate here", "Keep up the good work", "Low priority"],
        default="Possible overkill",
    )
    out = pd.DataFrame({"importance": imp, "performance": perf, "quadrant": quad})
    out.index.name = "driver"
    return out
