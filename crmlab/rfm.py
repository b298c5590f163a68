"""RFM scores, named segments from an editable rule table, and value tiers.

Recency here is the marketing sense: time since the last purchase at the
end of the calibration period (``T - t_x``), scored so that *recent*
customers get the highest score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError

__all__ = ["quantile_scores", "rfm_table", "SEGMENT_RULES", "assign_segments", "value_tiers"]


def quantile_scores(values, n_bins: int = 5, *, higher_is_better: bool = True) -> np.ndarray:
    r"""Quantile bin scores 1..n_bins with deterministic tie handling.

    Notes
    -----
    ``score = floor(n_bins * (midrank - 1/2) / n) + 1`` where ``midrank`` is the
    average rank of the value among the ``n`` customers.  Tied values always
    get the same score (whatever the row order), and on tie-free data the
    bins equal ``pandas.qcut(values, n_bins)``.  With many ties (e.g. most
    customers buying once) some scores stay unused; that is reported, not hidden.
    """
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 2:
        raise ParameterError(f"n_bins must be a whole number >= 2; got {n_bins!r}")
    v = pd.Series(np.asarray(values, dtype=float))
    if v.isna().any():
        raise DataError(f"cannot score missing values (rows {np.flatnonzero(v.isna())[:5].tolist()})")
    rank = v.rank(method="average").to_numpy()
    n = len(v)
    s = np.floor(n_bins * (rank - 0.5) / n).astype(int) + 1
    s = np.clip(s, 1, n_bins)
    return s if higher_is_better else n_bins + 1 - s


def rfm_table(summary: pd.DataFrame, n_bins: int = 5) -> pd.DataFrame:
    """RFM values and scores per customer from a customer summary.

    Columns: ``recency`` (time since last purchase = T - recency),
    ``frequency`` (transactions in calibration = x + 1), ``monetary``
    (average spend per transaction = spend / (x + 1)), scores ``R, F, M``
    (1..n_bins, higher is better) and the ``RFM`` code string (e.g. ``"545"``).
    """
    need = ["frequency", "recency", "T", "spend"]
    missing = [c for c in need if c not in summary.columns]
    if missing:
        raise DataError(f"customer summary lacks column(s) {missing}; use crmlab.transactions.summarize")
    out = pd.DataFrame(index=summary.index)
    out["recency"] = summary["T"] - summary["recency"]
    out["frequency"] = summary["frequency"] + 1
    out["monetary"] = summary["spend"] / out["frequency"]
    out["R"] = quantile_scores(out["recency"], n_bins, higher_is_better=False)
    out["F"] = quantile_scores(out["frequency"], n_bins)
    out["M"] = quantile_scores(out["monetary"], n_bins)
    out["RFM"] = out["R"].astype(str) + out["F"].astype(str) + out["M"].astype(str)
    return out


#: Default rule table for 5-point scores: first matching row wins (edit a copy to change the segments).
SEGMENT_RULES = pd.DataFrame(
    [
        ("champions", 4, 5, 4, 5, 1, 5, "bought recently and buy often"),
        ("loyal", 3, 5, 3, 5, 1, 5, "buy regularly"),
        ("at risk", 1, 2, 3, 5, 1, 5, "used to buy often, not lately"),
        ("recent", 5, 5, 1, 2, 1, 5, "bought very recently, not (yet) often"),
        ("promising", 4, 4, 1, 2, 1, 5, "fairly recent, infrequent"),
        ("needs attention", 3, 3, 1, 2, 1, 5, "middling recency, infrequent"),
        ("hibernating", 2, 2, 1, 2, 1, 5, "long since the last purchase, infrequent"),
        ("lost", 1, 1, 1, 2, 1, 5, "longest since the last purchase, infrequent"),
    ],
    columns=["segment", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max", "description"],
)


def assign_segments(rfm: pd.DataFrame, rules: pd.DataFrame | None = None, *, other: str = "other") -> pd.Series:
    """Name each customer's segment from an ordered rule table (first match wins).

    ``rules`` has columns ``segment, r_min, r_max, f_min, f_max, m_min, m_max``
    (inclusive score bounds); customers matched by no rule get ``other``.
    """
    rules = SEGMENT_RULES if rules is None else rules
    cols = ["segment", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]
    missing = [c for c in cols if c not in rules.columns]
    if missing:
        raise ParameterError(f"segment rule table lacks column(s) {missing}; expected {cols}")
    for i, row in rules.reset_index(drop=True).iterrows():
        for k in ("r", "f", "m"):
            lo, hi = row[f"{k}_min"], row[f"{k}_max"]
            if not (pd.notna(lo) and pd.notna(hi)) or lo > hi:
                raise ParameterError(f"segment rule {i} ('{row['segment']}'): {k}_min={lo} must be <= {k}_max={hi}")
    label = np.full(len(rfm), other, dtype=object)
    done = np.zeros(len(rfm), dtype=bool)
    R, F, M = rfm["R"].to_numpy(), rfm["F"].to_numpy(), rfm["M"].to_numpy()
    for _, row in rules.iterrows():
        hit = (~done & (R >= row["r_min"]) & (R <= row["r_max"]) & (F >= row["f_min"]) & (F <= row["f_max"])
               & (M >= row["m_min"]) & (M <= row["m_max"]))
        label[hit] = row["segment"]
        done |= hit
    order = list(dict.fromkeys(list(rules["segment"]) + [other]))
    return pd.Series(pd.Categorical(label, categories=order), index=rfm.index, name="segment")


def value_tiers(values, shares=(0.2, 0.3), labels=("high", "medium", "low")) -> pd.Series:
    """High / medium / low value tiers: top ``shares[0]``, next ``shares[1]``, the rest.

    Ties are resolved by midrank (equal values share a tier), so the tier
    sizes are approximately, not exactly, the requested shares.
    """
    if len(shares) != len(labels) - 1 or any(s <= 0 for s in shares) or sum(shares) >= 1:
        raise ParameterError(f"shares {shares} must be {len(labels) - 1} positive numbers summing to < 1")
    idx = values.index if isinstance(values, pd.Series) else None
    v = pd.Series(np.asarray(values, dtype=float))
    if v.isna().any():
        raise DataError(f"cannot tier missing values (rows {np.flatnonzero(v.isna())[:5].tolist()})")
    top = 1 - (v.rank(method="average", ascending=False).to_numpy() - 0.5) / len(v)  # share at or below
    cut = np.cumsum(shares)
    tier = np.full(len(v), labels[-1], dtype=object)
    for lab, c in zip(reversed(labels[:-1]), reversed(cut)):
        tier[top >= 1 - c] = lab
    return pd.Series(pd.Categorical(tier, categories=list(labels)), index=idx, name="value_tier")
