"""Reliability and validity of reflective measurement models."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from crmlab.core.errors import DataError

__all__ = [
    "MEASUREMENT_CHECKS",
    "MeasurementResult",
    "assess_measurement",
    "average_variance_extracted",
    "composite_reliability",
    "cronbach_alpha",
    "fornell_larcker",
    "htmt",
    "htmt_from_corr",
    "mcdonald_omega",
    "one_factor_loadings",
]


def _need_items(items, construct, k_min=2, what="reliability"):
    k = items.shape[1] if hasattr(items, "shape") and np.ndim(items) == 2 else len(items)
    if k < k_min:
        raise DataError(f"construct {construct!r} has {k} item(s); {what} needs at least {k_min}")


def cronbach_alpha(items, construct: str = "construct", standardized: bool = False) -> float:
    """Cronbach's alpha (raw, or standardized on z-scored items as R plspm reports it).

    Notes
    -----
    ``alpha = k/(k-1) * (1 - sum_i var(x_i) / var(sum_i x_i))`` (Cronbach 1951,
    *Psychometrika* 16, 297-334); standardized alpha applies it to z-scores.
    """
    X = np.asarray(items, dtype=float)
    _need_items(X, construct, what="Cronbach's alpha")
    if standardized:
        X = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    k = X.shape[1]
    return float(k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / X.sum(axis=1).var(ddof=1)))


def composite_reliability(loadings) -> float:
    """Composite reliability rho_c (Dillon-Goldstein rho / Joereskog's rho).

    Notes
    -----
    ``rho_c = (sum l_i)^2 / ((sum l_i)^2 + sum (1 - l_i^2))`` for standardised
    loadings l (Werts, Linn & Joereskog 1974).
    """
    lam = np.asarray(loadings, dtype=float)
    s = lam.sum() ** 2
    return float(s / (s + (1 - lam ** 2).sum()))


def average_variance_extracted(loadings) -> float:
    """AVE = mean of squared standardised loadings (Fornell & Larcker 1981)."""
    lam = np.asarray(loadings, dtype=float)
    return float(np.mean(lam ** 2))


def one_factor_loadings(items, construct: str = "construct") -> np.ndarray:
    """Standardised loadings of a one-factor model fitted by maximum likelihood.

    Minimises ``F = log|L L' + Psi| + tr(R (L L' + Psi)^{-1})`` over the
    loadings L with ``Psi = diag(1 - L^2)`` on the item correlation matrix R.
    """
    X = np.asarray(items, dtype=float)
    _need_items(X, construct, k_min=3, what="a one-factor model")
    R = np.corrcoef(X, rowvar=False)
    k = R.shape[0]

    def f(lam):
        psi = np.clip(1 - lam ** 2, 1e-6, None)
        sig = np.outer(lam, lam) + np.diag(psi)
        _, logdet = np.linalg.slogdet(sig)
        return logdet + np.trace(np.linalg.solve(sig, R))

    ev, evec = np.linalg.eigh(R)
    start = np.clip(np.abs(evec[:, -1]) * np.sqrt(ev[-1]), 0.1, 0.95)
    res = optimize.minimize(f, start, method="L-BFGS-B", bounds=[(-0.9995, 0.9995)] * k,
                            options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000})
    lam = res.x
    if lam.sum() < 0:
        lam = -lam
    return lam


def mcdonald_omega(items, construct: str = "construct") -> float:
    """McDonald's omega (total) from a one-factor ML model on standardised items.

    Notes
    -----
    ``omega = (sum l_i)^2 / ((sum l_i)^2 + sum psi_i)`` with ``psi_i = 1 - l_i^2``
    (McDonald 1999, *Test Theory*, ch. 6).  Needs at least three items for the
    one-factor model to be identified.
    """
    X = np.asarray(items, dtype=float)
    if X.shape[1] < 3:
        raise DataError(f"construct {construct!r} has {X.shape[1]} item(s); "
                        "McDonald's omega needs at least 3 (one-factor model identification)")
    return composite_reliability(one_factor_loadings(X, construct))


def htmt_from_corr(R, M):
    """HTMT matrices from a stack of item correlation matrices (batched).

    With block membership M (p x L) and ``C = M' R M`` (sums of correlations
    between and within blocks): heterotrait mean ``C_ab / (k_a k_b)``,
    monotrait mean ``(C_aa - k_a) / (k_a (k_a - 1))``.  Single-item blocks give NaN.
    """
    R = np.asarray(R, float)
    if R.ndim == 2:
        R = R[None]
    k = M.sum(axis=0)
    C = M.T @ R @ M
    with np.errstate(invalid="ignore", divide="ignore"):
        het = C / np.outer(k, k)
        mono = (np.einsum("bii->bi", C) - k) / (k * (k - 1))
        out = het / np.sqrt(mono[:, :, None] * mono[:, None, :])
    idx = np.arange(len(k))
    out[:, idx, idx] = np.nan
    return out


def htmt(data: pd.DataFrame, constructs: dict) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations for every pair of constructs.

    Notes
    -----
    ``HTMT_ij = mean(r(x_i, x_j)) / sqrt(mean(r within i) * mean(r within j))``
    where the numerator averages all item correlations across the two blocks
    and the denominator the off-diagonal correlations within each block
    (Henseler, Ringle & Sarstedt 2015, *JAMS* 43, 115-135).  Constructs with a
    single item get NaN.
    """
    names = list(constructs)
    items = [it for c in names for it in constructs[c]]
    M = np.zeros((len(items), len(names)))
    i = 0
    for j, c in enumerate(names):
        M[i:i + len(constructs[c]), j] = 1
        i += len(constructs[c])
    R = data[items].corr().to_numpy()
    return pd.DataFrame(htmt_from_corr(R, M)[0], index=names, columns=names)


def fornell_larcker(ave: pd.Series, construct_corr: pd.DataFrame) -> pd.DataFrame:
    """Fornell-Larcker matrix: sqrt(AVE) on the diagonal, construct correlations off it.

    Discriminant validity holds for a pair when both square roots of AVE exceed
    the absolute correlation of the two constructs (Fornell & Larcker 1981,
    *JMR* 18, 39-50).
    """
    m = construct_corr.copy().astype(float)
    for c in m.index:
        m.loc[c, c] = np.sqrt(ave[c])
    return m


#: The rules of thumb :meth:`MeasurementResult.problems` checks, in the order it reports them.
MEASUREMENT_CHECKS = ("single_item", "two_items", "htmt_liberal", "htmt_strict", "htmt_interval", "fornell_larcker",
                      "ave", "alpha")


@dataclass
class MeasurementResult:
    """Measurement quality: one row per construct plus discriminant validity.

    Attributes
    ----------
    table : DataFrame
        Index construct; items, alpha, omega, rho_c, ave (NaN where a statistic needs more items).
    loadings : DataFrame
        item, construct, loading, weight, communality.
    htmt : DataFrame
        HTMT of every pair of constructs (NaN on the diagonal).
    fornell_larcker : DataFrame
        sqrt(AVE) on the diagonal, construct correlations off it.
    htmt_thresholds : (strict, liberal)
        HTMT cut-offs (0.85, 0.90; Henseler, Ringle & Sarstedt 2015).
    htmt_ci : DataFrame or None
        Bootstrap intervals of HTMT (index ``"A|B"``; ci_low, ci_high) when a bootstrap was given.
    """

    table: pd.DataFrame
    loadings: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    htmt_thresholds: tuple = (0.85, 0.90)
    htmt_ci: pd.DataFrame | None = None

    def htmt_pairs(self) -> dict:
        """``{"A|B": value}`` for each unordered pair (model order)."""
        names = list(self.htmt.index)
        return {f"{a}|{b}": float(self.htmt.loc[a, b])
                for i, a in enumerate(names) for b in names[i + 1:]
                if np.isfinite(self.htmt.loc[a, b])}

    def problems(self) -> pd.DataFrame:
        """Every rule of thumb the measurement model breaks, one row each (no rows: none broken).

        Returns
        -------
        DataFrame with columns ``check, construct, other, value, threshold``:

        - ``single_item`` / ``two_items``: a construct whose alpha, rho_c, AVE (one item) or
          omega (two items) are not defined; value = number of items.
        - ``htmt_liberal``: HTMT of ``construct`` and ``other`` above the liberal cut-off (0.90);
          ``htmt_strict``: above the strict (0.85) but not the liberal one.
        - ``htmt_interval``: the upper bound of the HTMT bootstrap interval (value) reaches 1.
        - ``fornell_larcker``: the absolute construct correlation (value) exceeds the square root
          of the AVE of at least one of the two.
        - ``ave`` (< 0.50) and ``alpha`` (< 0.70): value below the threshold.

        Rows come in that order (constructs and pairs in model order).
        """
        lo, hi = self.htmt_thresholds
        rows = []

        def add(check, construct, other=None, value=np.nan, threshold=np.nan):
            rows.append({"check": check, "construct": construct, "other": other, "value": float(value),
                         "threshold": float(threshold)})

        for c, row in self.table.iterrows():
            if row["items"] < 2:
                add("single_item", c, value=row["items"], threshold=2)
            elif row["items"] < 3:
                add("two_items", c, value=row["items"], threshold=3)
        for pair, v in self.htmt_pairs().items():
            a, b = pair.split("|")
            if v > hi:
                add("htmt_liberal", a, b, v, hi)
            elif v > lo:
                add("htmt_strict", a, b, v, lo)
        if self.htmt_ci is not None:
            for pair, r in self.htmt_ci[self.htmt_ci["ci_high"] >= 1].iterrows():
                a, b = pair.split("|")
                add("htmt_interval", a, b, r["ci_high"], 1.0)
        fl = self.fornell_larcker
        names = list(fl.index)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                r = abs(fl.loc[a, b])
                if r > min(fl.loc[a, a], fl.loc[b, b]):
                    add("fornell_larcker", a, b, r, min(fl.loc[a, a], fl.loc[b, b]))
        for c, row in self.table.iterrows():
            if np.isfinite(row["ave"]) and row["ave"] < 0.5:
                add("ave", c, value=row["ave"], threshold=0.5)
            if np.isfinite(row["alpha"]) and row["alpha"] < 0.7:
                add("alpha", c, value=row["alpha"], threshold=0.7)
        return pd.DataFrame(rows, columns=["check", "construct", "other", "value", "threshold"])

    def to_dict(self) -> dict:
        keep = ["alpha", "omega", "rho_c", "ave"]
        return {c: {k: (None if not np.isfinite(v) else float(v)) for k, v in row[keep].items()}
                for c, row in self.table.iterrows()}

    def _repr_html_(self):
        return self.table.to_html(float_format="%.3f")


def assess_measurement(pls, boot=None) -> MeasurementResult:
    """Reliability and validity of every construct of a fitted :class:`~crmlab.sem.pls.PLSPM`.

    Outer loadings, rho_c and AVE use the PLS loadings; alpha and omega are
    computed from the items; HTMT from the item correlations; Fornell-Larcker
    from AVE and the PLS construct correlations.  Single-item constructs get
    NaN for the statistics that need several items (see
    :meth:`MeasurementResult.problems`).
    With a bootstrap (``boot`` or ``pls.bootstrap_``) the HTMT percentile
    intervals are added (HTMT inference: upper bound below 1).
    """
    boot = boot if boot is not None else getattr(pls, "bootstrap_", None)
    spec, X = pls.spec_, pls.data_.items
    rows = []
    for c, its in spec.constructs.items():
        lam = pls.loadings_[list(its)].to_numpy()
        k = len(its)
        alpha = cronbach_alpha(X[list(its)], c) if k >= 2 else np.nan
        omega = mcdonald_omega(X[list(its)], c) if k >= 3 else np.nan
        rows.append({"construct": c, "items": k, "alpha": alpha, "omega": omega,
                     "rho_c": composite_reliability(lam) if k >= 2 else np.nan,
                     "ave": average_variance_extracted(lam) if k >= 2 else np.nan})
    table = pd.DataFrame(rows).set_index("construct")
    ave = pd.Series({c: average_variance_extracted(pls.loadings_[list(its)])
                     for c, its in spec.constructs.items()})
    return MeasurementResult(
        table=table,
        loadings=pls.outer_[["item", "construct", "loading", "weight", "communality"]].copy(),
        htmt=htmt(X, spec.constructs),
        fornell_larcker=fornell_larcker(ave, pls.construct_corr_),
        htmt_ci=getattr(boot, "htmt", None))
