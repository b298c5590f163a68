"""Survey weights: raking (iterative proportional fitting) and post-stratification,
trimming, and weight diagnostics (Kish design effect, effective sample size).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError


def load_margins(path: str | os.PathLike) -> dict:
    """Read population margins from a YAML file.

    Format: one mapping per variable, level -> population share or count::

        gender: {female: 0.52, male: 0.48}
        region: {north: 300, south: 700}

    Shares of each variable are normalised to sum to 1.
    """
    import yaml

    from crmlab.core.datasets import resolve_path

    p = resolve_path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"margins file {p} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise DataError(f"margins file {p} must map each variable to {{level: share}}")
    return raw


def _normalise_margins(margins: dict) -> dict:
    out = {}
    for var, levels in margins.items():
        s = pd.Series(levels, dtype=float)
        if s.isna().any() or (s < 0).any() or s.sum() <= 0:
            raise DataError(f"margins of {var!r} must be non-negative numbers with a positive sum, got {dict(levels)}")
        out[var] = s / s.sum()
    return out


def _check_levels(df: pd.DataFrame, margins: dict) -> None:
    for var, target in margins.items():
        if var not in df.columns:
            raise DataError(f"margin variable {var!r} is not a column of the data (columns: {list(df.columns)[:20]})")
        col = df[var]
        if col.isna().any():
            rows = ", ".join(str(r) for r in df.index[col.isna()][:5])
            raise DataError(f"margin variable {var!r} is missing in rows {rows}")
        data_levels = set(col.astype(str).unique())
        target_levels = set(str(k) for k in target.index)
        extra = sorted(data_levels - target_levels)
        if extra:
            rows = ", ".join(str(r) for r in df.index[col.astype(str).isin(extra)][:5])
            raise DataError(f"margin variable {var!r}: data levels {extra} (rows {rows}) have no population "
                            f"margin; margins give {sorted(target_levels)}")
        empty = sorted(k for k in target_levels - data_levels if float(target[[i for i in target.index
                                                                               if str(i) == k]].iloc[0]) > 0)
        if empty:
            raise DataError(f"margin variable {var!r}: margin levels {empty} have no respondents in the data; "
                            "collapse them with a neighbouring level")


@dataclass
class WeightDiagnostics:
    n: int
    sum_weights: float
    min: float
    max: float
    ratio_max_min: float
    cv: float
    deff: float
    n_eff: float

    def to_record(self) -> dict:
        return {k: float(v) for k, v in self.__dict__.items()}


def weight_diagnostics(w) -> WeightDiagnostics:
    """Kish (1965) design effect of unequal weighting and effective sample size.

    ``deff = n sum w**2 / (sum w)**2 = 1 + cv**2`` (cv with ddof=0),
    ``n_eff = (sum w)**2 / sum w**2 = n / deff``.
    """
    w = np.asarray(w, dtype=float)
    n = w.size
    deff = n * (w**2).sum() / w.sum() ** 2
    return WeightDiagnostics(n=n, sum_weights=float(w.sum()), min=float(w.min()), max=float(w.max()),
                             ratio_max_min=float(w.max() / w.min()) if w.min() > 0 else float("inf"),
                             cv=float(w.std() / w.mean()), deff=float(deff), n_eff=float(n / deff))


@dataclass
class RakingResult:
    weights: pd.Series
    converged: bool
    iterations: int
    margins_check: pd.DataFrame
    diagnostics: WeightDiagnostics
    trimmed: int

    @property
    def max_margin_error(self) -> float:
        c = self.margins_check
        return float((c["weighted_share"] - c["target_share"]).abs().max())

    def _repr_html_(self) -> str:
        d = self.diagnostics
        return (f"<p><b>Raking</b>: converged={self.converged} in {self.iterations} iterations; "
                f"design effect {d.deff:.2f}, effective n {d.n_eff:.0f} of {d.n}; {self.trimmed} weights trimmed"
                "</p>" + self.margins_check.round(4).to_html())


def rake(df: pd.DataFrame, margins: dict, *, base_weights=None, max_iter: int = 1000, tol: float = 1e-10,
         trim: float | None = None) -> RakingResult:
    """Rake weights so that the weighted shares match population margins.

    Parameters
    ----------
    df : DataFrame holding the margin variables.
    margins : dict var -> {level: share or count} (see :func:`load_margins`).
    base_weights : array-like or column name, optional (design weights; default 1).
    trim : float, optional
        Cap on weights relative to the mean weight (e.g. 5). The cap is
        applied after every raking cycle (bounded raking), so at convergence
        both the margins and the cap hold; when they cannot both hold,
        ``converged`` is False and ``margins_check`` shows the remaining gaps.

    Returns
    -------
    RakingResult: ``weights`` scaled to mean 1, convergence, a table of
    sample / target / weighted shares, and diagnostics.

    Notes
    -----
    Iterative proportional fitting (Deming & Stephan 1940): cycle over the
    variables, multiplying the weights in level ``l`` of variable ``v`` by
    ``target_vl / weighted_share_vl`` until the largest margin error is below
    ``tol``. With one variable this is post-stratification in one step.
    """
    if not margins:
        raise ParameterError("no margins given")
    targets = _normalise_margins(margins)
    _check_levels(df, targets)
    n = len(df)
    if base_weights is None:
        w0 = np.ones(n)
    else:
        b = df[base_weights] if isinstance(base_weights, str) else pd.Series(np.asarray(base_weights), index=df.index)
        b = pd.to_numeric(b, errors="coerce")
        if b.isna().any() or (b < 0).any():
            bad = b.isna() | (b < 0)
            rows = ", ".join(str(r) for r in df.index[bad][:5])
            raise DataError(f"base weights are missing or negative in rows {rows}")
        w0 = b.to_numpy(dtype=float)
    codes = {}
    for var, t in targets.items():
        lv = [str(k) for k in t.index]
        codes[var] = (pd.Categorical(df[var].astype(str), categories=lv).codes, t.to_numpy())
    w = w0 / w0.mean()
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        for var, (c, t) in codes.items():
            tot = np.bincount(c, weights=w, minlength=t.size)
            with np.errstate(divide="ignore", invalid="ignore"):
                f = np.where(tot > 0, t * tot.sum() / tot, 0.0)
            w = w * f[c]
        if trim:
            w = np.minimum(w / w.mean(), trim)
        err = 0.0
        for var, (c, t) in codes.items():
            tot = np.bincount(c, weights=w, minlength=t.size)
            err = max(err, float(np.abs(tot / tot.sum() - t).max()))
        if err < tol:
            converged = True
            break
    w = w / w.mean()
    trimmed = int((w >= trim * (1 - 1e-6)).sum()) if trim else 0
    rows = []
    for var, (c, t) in codes.items():
        sample = np.bincount(c, minlength=t.size) / n
        tot = np.bincount(c, weights=w, minlength=t.size)
        for k, lv in enumerate(targets[var].index):
            rows.append({"variable": var, "level": str(lv), "sample_share": sample[k], "target_share": t[k],
                         "weighted_share": tot[k] / tot.sum()})
    check = pd.DataFrame(rows).set_index(["variable", "level"])
    max_err = float((check["weighted_share"] - check["target_share"]).abs().max())
    converged = converged and max_err < 1e-6
    return RakingResult(weights=pd.Series(w, index=df.index, name="weight"), converged=converged, iterations=it,
                        margins_check=check, diagnostics=weight_diagnostics(w), trimmed=trimmed)


def weighted_vs_unweighted(df: pd.DataFrame, items, weights) -> pd.DataFrame:
    """Means of items unweighted and weighted, side by side, with the shift."""
    w = np.asarray(df[weights] if isinstance(weights, str) else weights, dtype=float)
    rows = []
    for c in items:
        x = df[c].to_numpy(dtype=float)
        rows.append({"item": c, "unweighted": x.mean(), "weighted": w @ x / w.sum()})
    out = pd.DataFrame(rows).set_index("item")
    out["shift"] = out["weighted"] - out["unweighted"]
    return out
