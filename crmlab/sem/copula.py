"""Gaussian-copula check for endogenous regressors in the structural model (IV-free).

The bootstrap recomputes the copula terms inside every resample and solves
all resamples' weighted least-squares problems as one stacked system.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from crmlab.core.errors import DataError, ParameterError

__all__ = ["NORMALITY_TESTS", "normality_test", "copula_term", "copula_regression", "CopulaResult",
           "copula_test"]

#: Normality pre-tests: Kolmogorov-Smirnov with Lilliefors' correction (Hult
#: et al. 2018), Shapiro-Wilk, and Cramer-von Mises with estimated mean and
#: standard deviation (Monte Carlo p-value; Becker, Proksch & Ringle 2022).
NORMALITY_TESTS = ("lilliefors", "shapiro", "cramervonmises")


def normality_test(x, method: str = "lilliefors", seed=None) -> tuple:
    """``(statistic, p_value)`` of a test of normality with estimated mean and variance.

    Notes
    -----
    ``lilliefors``: statsmodels' Kolmogorov-Smirnov test with Lilliefors'
    (1967) null distribution; ``shapiro``: scipy's Shapiro-Wilk (1965);
    ``cramervonmises``: scipy's ``goodness_of_fit`` (normal family with
    estimated parameters, 999 Monte Carlo samples drawn with ``seed``).
    """
    x = np.asarray(x, float)
    if method == "lilliefors":
        from statsmodels.stats.diagnostic import lilliefors

        st, p = lilliefors(x, dist="norm", pvalmethod="table")
    elif method == "shapiro":
        st, p = stats.shapiro(x)
    elif method == "cramervonmises":
        res = stats.goodness_of_fit(stats.norm, x, statistic="cvm", n_mc_samples=999,
                                    rng=np.random.default_rng(seed))
        st, p = res.statistic, res.pvalue
    else:
        raise ParameterError(f"normality test {method!r} is not one of {NORMALITY_TESTS}")
    return float(st), float(p)


def copula_term(x) -> np.ndarray:
    """``Phi^{-1}(H(x))`` with ``H(x_i) = #{x_j <= x_i} / (n + 1)`` (never 0 or 1)."""
    x = np.asarray(x, float)
    H = np.searchsorted(np.sort(x), x, side="right") / (len(x) + 1)
    return special.ndtri(H)


def _boot_counts(n, n_boot, rng):
    idx = rng.integers(0, n, size=(n_boot, n))
    return np.bincount((idx + n * np.arange(n_boot)[:, None]).ravel(), minlength=n_boot * n).reshape(n_boot, n)


def copula_regression(y, X, endogenous, n_boot: int = 1000, seed=None, level: float = 0.95,
                      names: "list | None" = None) -> pd.DataFrame:
    """OLS of ``y`` on ``X`` plus Gaussian-copula terms of the ``endogenous`` columns.

    Parameters
    ----------
    y : array-like (n,)
    X : array-like or DataFrame (n, k)
        Regressors (an intercept is added).
    endogenous : list
        Columns of ``X`` (names or positions) that get a copula term.
    n_boot : int
        Bootstrap resamples for the standard errors (copula terms recomputed
        in each resample).
    seed : int or numpy Generator, optional
    level : float
        Percentile interval coverage.
    names : list of str, optional
        Column names when ``X`` is an array.

    Returns
    -------
    DataFrame with term, kind ("intercept", "path" or "copula"), estimate, se,
    t, p_value (two-sided, normal reference), ci_low, ci_high.

    Notes
    -----
    Park & Gupta (2012), "Handling endogenous regressors by joint estimation
    using copulas", *Marketing Science* 31, 567-586: with ``c_j =
    Phi^{-1}(H(x_j))`` for the empirical CDF ``H``, the regression
    ``y = b0 + X b + c g + e`` corrects ``b`` for the correlation between
    ``x_j`` and ``e``; ``g != 0`` signals endogeneity.  The copula terms need
    non-normal ``x_j`` (identification).  Standard errors are the standard
    deviation of the bootstrap estimates (ddof = 1).
    """
    if isinstance(X, pd.DataFrame):
        names = list(X.columns)
        Xa = X.to_numpy(float)
    else:
        Xa = np.asarray(X, float)
        if Xa.ndim == 1:
            Xa = Xa[:, None]
        names = list(names) if names is not None else [f"x{j + 1}" for j in range(Xa.shape[1])]
    ya = np.asarray(y, float)
    n = Xa.shape[0]
    if len(ya) != n:
        raise DataError(f"y has {len(ya)} rows but X has {n}")
    if not np.isfinite(Xa).all() or not np.isfinite(ya).all():
        raise DataError("copula_regression needs complete, finite y and X")
    endo = [names.index(e) if not isinstance(e, (int, np.integer)) else int(e) for e in endogenous]
    if not endo:
        raise ParameterError("endogenous must name at least one column of X")
    if int(n_boot) < 2:
        raise ParameterError("n_boot must be at least 2")
    C = _boot_counts(n, int(n_boot), np.random.default_rng(seed)).astype(float)
    return _fit(ya, Xa, names, endo, C, level, {})


def _boot_copula(x, C):
    """Copula terms of ``x`` inside each resample: ``H_b(x_i) = sum_j c_bj [x_j <= x_i] / (n + 1)``."""
    n = len(x)
    le = (x[:, None] <= x[None, :]).astype(float)          # le[j, i] = [x_j <= x_i]
    return special.ndtri(np.clip((C @ le) / (n + 1), 1 / (n + 1), n / (n + 1)))


def _fit(ya, Xa, names, endo, C, level, cache):
    """Estimates and bootstrap summaries; ``cache`` keeps resample copula terms per column."""
    n, k = Xa.shape
    terms = ["intercept"] + names + [f"copula_{names[j]}" for j in endo]
    kinds = ["intercept"] + ["path"] * k + ["copula"] * len(endo)
    D0 = np.column_stack([np.ones(n), Xa, np.column_stack([copula_term(Xa[:, j]) for j in endo])])
    est, *_ = np.linalg.lstsq(D0, ya, rcond=None)
    for j in endo:
        if j not in cache:
            cache[j] = _boot_copula(Xa[:, j], C)
    base = np.column_stack([np.ones(n), Xa])
    D = np.concatenate([np.broadcast_to(base, (len(C), n, k + 1)), np.stack([cache[j] for j in endo], axis=2)],
                       axis=2)
    CD = D * C[:, :, None]
    G = CD.transpose(0, 2, 1) @ D
    r = CD.transpose(0, 2, 1) @ ya
    ok = np.linalg.matrix_rank(G) == G.shape[1]
    draws = np.linalg.solve(G[ok], r[ok][..., None])[..., 0]
    se = draws.std(axis=0, ddof=1)
    a = (1 - level) / 2
    lo, hi = np.quantile(draws, [a, 1 - a], axis=0)
    t = est / se
    return pd.DataFrame({"term": terms, "kind": kinds, "estimate": est, "se": se, "t": t,
                         "p_value": 2 * stats.norm.sf(np.abs(t)), "ci_low": lo, "ci_high": hi})


@dataclass
class CopulaResult:
    """Normality pre-tests of the construct scores and copula regressions.

    Attributes
    ----------
    normality : DataFrame
        construct, statistic, p_value, non_normal (p < alpha), method.
    terms : DataFrame
        One row per regression (target), copula specification (``copulas``,
        e.g. ``"IMAG+SAT"``) and term: term, kind, estimate, se, t, p_value,
        ci_low, ci_high.
    skipped : DataFrame
        target, predictor: predictors without a copula term because their
        scores are not distinguishable from normal.
    """

    normality: pd.DataFrame
    terms: pd.DataFrame
    skipped: pd.DataFrame
    alpha: float
    n_boot: int

    def summary(self) -> pd.DataFrame:
        """The copula terms only (target, copulas, term, estimate, se, p_value, significant)."""
        cop = self.terms[self.terms["kind"] == "copula"].copy()
        cop["significant"] = cop["p_value"] < self.alpha
        return cop[["target", "copulas", "term", "estimate", "se", "t", "p_value", "ci_low", "ci_high",
                    "significant"]].reset_index(drop=True)

    def to_dict(self) -> dict:
        return {"alpha": self.alpha, "n_boot": self.n_boot,
                "normality": self.normality.round(6).to_dict(orient="records"),
                "copulas": self.summary().round(6).to_dict(orient="records")}

    def _repr_html_(self):
        return "<b>Gaussian copula endogeneity check</b>" + self.summary().to_html(index=False, float_format="%.4f")


def copula_test(pls, normality: str = "lilliefors", alpha: float = 0.05, n_boot: int = 1000, seed=None,
                level: float = 0.95, joint: bool = True) -> CopulaResult:
    """Gaussian-copula endogeneity check of every structural regression of a fitted PLS model.

    Parameters
    ----------
    pls : PLSPM
        Fitted model; its standardised construct scores are the data.
    normality : {"lilliefors", "shapiro", "cramervonmises"}
        Pre-test of each predictor's scores; only non-normal predictors
        (p < ``alpha``) get a copula term.
    alpha : float
    n_boot : int
    seed : int or numpy Generator, optional
    level : float
    joint : bool
        Besides one regression per non-normal predictor, fit one with the
        copula terms of all non-normal predictors of the target together.

    Returns
    -------
    CopulaResult

    Notes
    -----
    For each endogenous construct ``t`` with predecessors ``P``:
    ``Y_t = b0 + Y_P b + c_j g_j + e`` for each non-normal ``j`` in ``P``
    (and all of them jointly), with ``c_j = Phi^{-1}(H(Y_j))``; the copula
    coefficient is tested with bootstrap standard errors
    (:func:`copula_regression`).  Hult, Hair, Proksch, Sarstedt, Pinkwart &
    Ringle (2018), "Addressing endogeneity in international marketing
    applications of partial least squares structural equation modeling",
    *Journal of International Marketing* 26(3), 1-21; Park & Gupta (2012).
    """
    if not hasattr(pls, "scores_"):
        raise ParameterError("copula_test needs a fitted PLSPM (call fit() first)")
    if normality not in NORMALITY_TESTS:
        raise ParameterError(f"normality test {normality!r} is not one of {NORMALITY_TESTS}")
    spec = pls.spec_
    scores = pls.scores_
    rng = np.random.default_rng(seed)
    preds_all = [c for c in spec.names if any(s == c for s, _ in spec.paths)]
    norm_rows = []
    for c in preds_all:
        st, p = normality_test(scores[c], normality, seed=rng)
        norm_rows.append({"construct": c, "statistic": st, "p_value": p, "non_normal": p < alpha,
                          "method": normality})
    norm = pd.DataFrame(norm_rows)
    non_normal = set(norm.loc[norm["non_normal"], "construct"])
    rows, skipped = [], []
    for t in spec.endogenous:
        P = spec.predecessors(t)
        nn = [c for c in P if c in non_normal]
        skipped += [{"target": t, "predictor": c} for c in P if c not in non_normal]
        specs = [[c] for c in nn] + ([nn] if joint and len(nn) > 1 else [])
        C = _boot_counts(len(scores), int(n_boot), rng).astype(float)
        cache: dict = {}
        for cs in specs:
            tab = _fit(scores[t].to_numpy(float), scores[P].to_numpy(float), list(P), [P.index(c) for c in cs],
                       C, level, cache)
            tab.insert(0, "copulas", "+".join(cs))
            tab.insert(0, "target", t)
            rows.append(tab)
    cols = ["target", "copulas", "term", "kind", "estimate", "se", "t", "p_value", "ci_low", "ci_high"]
    terms = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    return CopulaResult(normality=norm, terms=terms, skipped=pd.DataFrame(skipped, columns=["target", "predictor"]),
                        alpha=alpha, n_boot=int(n_boot))
