"""The Net Promoter Score with its interval, overall and by segment."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.core.errors import DataError
from crmlab.survey.descriptives import _check_items, _w


def _rows(mask, index, k: int = 5) -> str:
    return ", ".join(str(r) for r in list(np.asarray(index)[np.asarray(mask)][:k]))


@dataclass
class NPSResult:
    score: float
    ci_low: float
    ci_high: float
    se: float
    n: int
    n_eff: float
    promoters: float
    passives: float
    detractors: float

    def to_record(self) -> dict:
        return {"score": self.score, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "se": self.se, "n": self.n, "promoters": self.promoters, "detractors": self.detractors}


def nps(x, weights=None, level: float = 0.95) -> NPSResult:
    """Net Promoter Score with a normal-approximation confidence interval.

    Parameters
    ----------
    x : array-like of answers 0-10 to "How likely are you to recommend ...".
    weights : array-like, optional (survey weights).
    level : confidence level.

    Notes
    -----
    With ``d_i = 1`` for promoters (9-10), ``-1`` for detractors (0-6) and 0
    otherwise, NPS ``= 100 * mean(d)``. Unweighted,
    ``Var(p_P - p_D) = [p_P + p_D - (p_P - p_D)**2] / n`` (multinomial
    variance of a difference of two shares). Weighted, the linearisation
    (ratio-estimator) variance ``sum w_i**2 (d_i - dbar)**2 / (sum w_i)**2``
    is used, which reduces to the former for equal weights. References:
    Reichheld (2003), HBR; Rocks (2016), "Confidence intervals for the Net
    Promoter Score", MeasuringU.
    """
    s = pd.Series(np.asarray(x).ravel() if not isinstance(x, pd.Series) else x)
    v = pd.to_numeric(s, errors="coerce")
    bad = (v.isna() & s.notna()) | (v < 0) | (v > 10) | (v != np.round(v))
    if bad.any():
        raise DataError(f"NPS item must hold whole numbers 0-10; bad answers "
                        f"{s[bad].astype(str).unique()[:3].tolist()} in rows {_rows(bad, s.index)}")
    ok = v.notna().to_numpy()
    v = v.to_numpy(dtype=float)[ok]
    if v.size == 0:
        raise DataError("NPS item has no answers")
    w = np.ones(v.size) if weights is None else np.asarray(weights, dtype=float)[ok]
    d = np.where(v >= 9, 1.0, np.where(v <= 6, -1.0, 0.0))
    W = w.sum()
    dbar = w @ d / W
    var = (w**2) @ (d - dbar) ** 2 / W**2
    se = float(np.sqrt(var))
    z = stats.norm.ppf(0.5 + level / 2)
    pp = float(w @ (d == 1) / W)
    pd_ = float(w @ (d == -1) / W)
    return NPSResult(score=100 * dbar, ci_low=100 * (dbar - z * se), ci_high=100 * (dbar + z * se), se=100 * se,
                     n=int(v.size), n_eff=float(W**2 / (w**2).sum()), promoters=100 * pp,
                     passives=100 * (1 - pp - pd_), detractors=100 * pd_)


def nps_by_segment(df: pd.DataFrame, item: str, segment: str, weights=None, level: float = 0.95) -> pd.DataFrame:
    """NPS with interval per segment (and overall)."""
    _check_items(df, [item, segment], "column")
    rows = []
    w = _w(df, weights)
    for g, sub in df.groupby(segment, observed=True, sort=True):
        r = nps(sub[item], w[df.index.get_indexer(sub.index)], level)
        rows.append({segment: g, **{k: getattr(r, k) for k in ("n", "promoters", "passives", "detractors",
                                                               "score", "ci_low", "ci_high")}})
    r = nps(df[item], w, level)
    rows.append({segment: "all", **{k: getattr(r, k) for k in ("n", "promoters", "passives", "detractors",
                                                               "score", "ci_low", "ci_high")}})
    return pd.DataFrame(rows).set_index(segment)
