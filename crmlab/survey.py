"""Survey hygiene, descriptives and the Net Promoter Score.

Ordinal / OLS models live in :mod:`crmlab.survey_models`, weighting and raking
in :mod:`crmlab.weighting`, key-driver analysis in :mod:`crmlab.drivers`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.core.errors import DataError, ParameterError

#: Exclusion reasons in the order they are checked; a row is counted under its first reason.
REASONS = ("non_numeric", "out_of_range", "missing", "straight_liner", "speeder", "duplicate")


def _rows(mask, index, k: int = 5) -> str:
    return ", ".join(str(r) for r in list(np.asarray(index)[np.asarray(mask)][:k]))


def _check_items(df: pd.DataFrame, items, what: str = "item") -> list:
    items = list(items)
    if not items:
        raise ParameterError(f"no {what}s given")
    missing = [c for c in items if c not in df.columns]
    if missing:
        raise DataError(f"{what}(s) {missing} not in the data (columns: {list(df.columns)[:20]})")
    return items


# ---------------------------------------------------------------------------------------------
# hygiene
# ---------------------------------------------------------------------------------------------

@dataclass
class HygieneReport:
    """Result of :func:`clean_survey`.

    Attributes
    ----------
    data : DataFrame
        Rows kept, items numeric, reverse-keyed items recoded, missing codes
        set to NaN (no NaN left in ``required`` items).
    exclusions : DataFrame
        One row per excluded respondent: ``row`` (original index), ``reason``
        (first failed check) and ``detail`` (items and values).
    rows_in, rows_used : int
    recoded : dict
        Counts of missing-code replacements per item and the reverse-keyed items.
    """

    data: pd.DataFrame
    exclusions: pd.DataFrame
    rows_in: int
    rows_used: int
    recoded: dict

    @property
    def excluded_by_reason(self) -> dict:
        counts = self.exclusions["reason"].value_counts()
        return {r: int(counts.get(r, 0)) for r in REASONS}

    def summary(self) -> pd.DataFrame:
        """Table of exclusions by reason (with an example of rows)."""
        rows = []
        for r in REASONS:
            sel = self.exclusions[self.exclusions["reason"] == r]
            rows.append({"reason": r, "rows": len(sel),
                         "example_rows": ", ".join(str(x) for x in sel["row"].head(5))})
        rows.append({"reason": "kept", "rows": self.rows_used, "example_rows": ""})
        return pd.DataFrame(rows).set_index("reason")

    def to_record(self) -> dict:
        return {"rows_in": int(self.rows_in), "rows_used": int(self.rows_used),
                "excluded_by_reason": self.excluded_by_reason}

    def _repr_html_(self) -> str:
        return (f"<p><b>Survey hygiene</b>: {self.rows_in} rows in, {self.rows_used} used.</p>"
                + self.summary().to_html())


def clean_survey(df: pd.DataFrame, items, *, scale_min: float, scale_max: float, required=None,
                 missing_codes=(), reverse_items=(), straightline_min_items: int = 3,
                 id_column: str | None = None, extra_ranges: dict | None = None,
                 duration_column: str | None = None, min_duration: float | None = None,
                 duplicates: str = "row") -> HygieneReport:
    """Check a respondent-level survey before any model; nothing is dropped silently.

    Checks, in order (a row is listed under the first it fails):

    1. ``non_numeric``: text in a numeric item (e.g. "n/a", "seven").
    2. ``out_of_range``: an answer outside ``[scale_min, scale_max]`` or not
       a whole number (``missing_codes`` are first set to missing, not
       flagged). ``extra_ranges`` gives other ranges per item
       (e.g. ``{"nps": (0, 10)}``).
    3. ``missing``: a missing answer in a ``required`` item (default: all items).
    4. ``straight_liner``: the same answer to every item on the main scale
       (zero variance across at least ``straightline_min_items`` answered
       items; items with their own ``extra_ranges`` are not counted), judged
       on the raw answers before reverse-keyed items are recoded.
    5. ``speeder``: completion time in ``duration_column`` below
       ``min_duration`` (default: a third of the median time, a common rule
       of thumb; Greszki, Meyer & Schoen 2015, Public Opinion Quarterly 79).
    6. ``duplicate``: the same ``id_column`` value as an earlier row, or
       (``duplicates="row"``, the default) a row identical to an earlier one
       in every column, or (``duplicates="items"``) the same answers to all
       items; the first occurrence is kept. On short scales with few items,
       identical answer patterns also occur by chance, which is why
       ``"row"`` (all columns, e.g. ids and timestamps) is the default.

    Reverse-keyed items are then recoded ``x -> scale_min + scale_max - x``.

    Parameters
    ----------
    df : DataFrame
    items : list of str
        Rating items (outcome and drivers, any other items to check).
    scale_min, scale_max : number
    required : list of str, optional
        Items that must be answered (default: ``items``).
    missing_codes : list of numbers
        Codes meaning "no answer" (e.g. 99, -9, 0 on a 1-10 scale).
    reverse_items : list of str
    straightline_min_items : int
    id_column : str, optional
        Respondent id; duplicated ids are excluded as duplicates.

    Returns
    -------
    HygieneReport
    """
    items = _check_items(df, items)
    required = items if required is None else _check_items(df, required)
    reverse_items = list(reverse_items or [])
    bad_rev = [c for c in reverse_items if c not in items]
    if bad_rev:
        raise ParameterError(f"reverse_items {bad_rev} are not among the survey items {items}")
    if scale_min >= scale_max:
        raise ParameterError(f"scale_min ({scale_min}) must be below scale_max ({scale_max})")
    extra_ranges = dict(extra_ranges or {})
    n = len(df)
    index = df.index
    reason = pd.Series(pd.NA, index=index, dtype="object")
    detail = pd.Series("", index=index, dtype="object")

    def flag(mask, name, text):
        mask = pd.Series(mask, index=index) & reason.isna()
        reason[mask] = name
        detail[mask] = text[mask] if isinstance(text, pd.Series) else text

    num = pd.DataFrame(index=index)
    text_detail = pd.Series("", index=index)
    recoded_missing = {}
    codes = set(float(c) for c in (missing_codes or []))
    for c in items:
        col = df[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            stripped = col.astype("string").str.strip()
            x = pd.to_numeric(stripped.replace("", pd.NA), errors="coerce")
            bad = x.isna() & stripped.notna() & (stripped != "")
        else:
            x = pd.to_numeric(col, errors="coerce")
            bad = x.isna() & col.notna()
        text_detail[bad] += f"{c}=" + col[bad].astype(str) + "; "
        is_code = x.isin(codes)
        recoded_missing[c] = int(is_code.sum())
        num[c] = x.astype(float).mask(is_code)
    flag(text_detail != "", "non_numeric", text_detail.str.rstrip("; "))

    range_detail = pd.Series("", index=index)
    for c in items:
        lo, hi = extra_ranges.get(c, (scale_min, scale_max))
        x = num[c]
        bad = x.notna() & ((x < lo) | (x > hi) | (x != np.round(x)))
        range_detail[bad] += f"{c}=" + x[bad].astype(str) + "; "
    flag(range_detail != "", "out_of_range", range_detail.str.rstrip("; "))

    miss = num[required].isna()
    miss_detail = miss.apply(lambda r: ", ".join(r.index[r.to_numpy()]), axis=1) if n else pd.Series(dtype=str)
    flag(miss.any(axis=1), "missing", "missing: " + miss_detail.astype(str))

    sl_items = [c for c in items if c not in extra_ranges]   # items sharing the main scale
    answered = num[sl_items].notna().sum(axis=1)
    spread = num[sl_items].max(axis=1) - num[sl_items].min(axis=1)
    sl = (answered >= straightline_min_items) & (spread == 0)
    flag(sl, "straight_liner", "all answers = " + num[sl_items].max(axis=1).astype(str))

    if duration_column is not None:
        if duration_column not in df.columns:
            raise DataError(f"duration_column {duration_column!r} not in the data")
        dur = pd.to_numeric(df[duration_column], errors="coerce")
        limit = float(min_duration) if min_duration is not None else float(dur.median()) / 3
        fast = dur < limit
        flag(fast, "speeder", f"{duration_column} < {limit:g}: " + dur.astype(str))

    if id_column is not None:
        if id_column not in df.columns:
            raise DataError(f"id_column {id_column!r} not in the data")
        dup = df[id_column].duplicated(keep="first") & df[id_column].notna()
        flag(dup, "duplicate", "repeated respondent id")
    if duplicates not in ("row", "items", "none"):
        raise ParameterError(f"duplicates must be 'row', 'items' or 'none', got {duplicates!r}")
    if duplicates != "none":
        ok_so_far = reason.isna()
        basis = num[items] if duplicates == "items" else df.assign(**{c: num[c] for c in items})
        basis = basis[ok_so_far.to_numpy()]
        dup = pd.Series(False, index=index)
        dup[basis.index] = basis.duplicated(keep="first").to_numpy()
        text = "same answers as an earlier row" if duplicates == "items" else "identical to an earlier row"
        flag(dup, "duplicate", text)

    keep = reason.isna()
    data = df.loc[keep].copy()
    for c in items:
        data[c] = num.loc[keep, c]
        if c in reverse_items:
            data[c] = scale_min + scale_max - data[c]
    excl = pd.DataFrame({"row": index[~keep], "reason": reason[~keep].astype(str).to_numpy(),
                         "detail": detail[~keep].to_numpy()})
    return HygieneReport(data=data, exclusions=excl, rows_in=n, rows_used=int(keep.sum()),
                         recoded={"missing_codes": recoded_missing, "reverse_items": reverse_items})


def validate_items(df: pd.DataFrame, items, *, scale_min=None, scale_max=None, what="item") -> None:
    """Raise :class:`DataError` naming the item and rows for text, missing or out-of-scale answers."""
    items = _check_items(df, items, what)
    for c in items:
        col = df[c]
        x = pd.to_numeric(col, errors="coerce")
        bad = x.isna() & col.notna()
        if bad.any():
            raise DataError(f"{what} {c!r} holds non-numeric answers {col[bad].astype(str).unique()[:3].tolist()} "
                            f"in rows {_rows(bad, df.index)}")
        if x.isna().any():
            raise DataError(f"{what} {c!r} has missing answers in rows {_rows(x.isna(), df.index)}")
        if scale_min is not None:
            out = (x < scale_min) | (x > scale_max)
            if out.any():
                raise DataError(f"{what} {c!r} has answers outside the {scale_min}-{scale_max} scale "
                                f"({x[out].unique()[:3].tolist()}) in rows {_rows(out, df.index)}")


# ---------------------------------------------------------------------------------------------
# descriptives
# ---------------------------------------------------------------------------------------------

def _w(df, weights):
    if weights is None:
        return np.ones(len(df))
    w = df[weights].to_numpy(dtype=float) if isinstance(weights, str) else np.asarray(weights, dtype=float)
    return w


def item_distribution(df: pd.DataFrame, items, scale_min: int, scale_max: int, weights=None) -> pd.DataFrame:
    """Share of answers at each scale point, one row per item (columns = scale points)."""
    items = _check_items(df, items)
    w = _w(df, weights)
    levels = np.arange(int(scale_min), int(scale_max) + 1)
    out = {}
    for c in items:
        x = df[c].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        out[c] = [w[ok][x[ok] == k].sum() / w[ok].sum() for k in levels]
    res = pd.DataFrame.from_dict(out, orient="index", columns=levels)
    res.index.name = "item"
    return res


def top_box(df: pd.DataFrame, items, scale_max: float, k: int = 2, scale_min: float | None = None,
            weights=None) -> pd.DataFrame:
    """Top-k-box (and bottom-k-box) shares and means per item, optionally weighted."""
    items = _check_items(df, items)
    w = _w(df, weights)
    rows = []
    for c in items:
        x = df[c].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        ww = w[ok] / w[ok].sum()
        row = {"item": c, "mean": float(ww @ x[ok]), f"top{k}box": float(ww @ (x[ok] > scale_max - k))}
        if scale_min is not None:
            row[f"bottom{k}box"] = float(ww @ (x[ok] < scale_min + k))
        rows.append(row)
    return pd.DataFrame(rows).set_index("item")


def plot_diverging(dist: pd.DataFrame, ax=None, title: str | None = None, *, xlabel: str | None = None):
    """Diverging stacked bars: low answers to the left of zero, high answers to the right.

    The middle of the scale is split half/half for odd scales; for even
    scales the lower half of the points goes left. ``dist`` is
    :func:`item_distribution`; ``title`` and ``xlabel`` are drawn as given.
    """
    import matplotlib.pyplot as plt
    from matplotlib import colormaps

    levels = list(dist.columns)
    K = len(levels)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(dist) + 1.5))
    cmap = colormaps["RdBu"]
    colors = [cmap(0.1 + 0.8 * i / max(K - 1, 1)) for i in range(K)]
    vals = 100 * dist.to_numpy()
    half = K // 2
    y = np.arange(len(dist))
    neg = vals[:, :half].sum(1) + (vals[:, half] / 2 if K % 2 else 0)
    left = -neg
    for i in range(K):
        ax.barh(y, vals[:, i], left=left, color=colors[i], edgecolor="white", linewidth=0.5,
                label=str(levels[i]))
        left = left + vals[:, i]
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [str(i) for i in dist.index])
    ax.invert_yaxis()
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    ax.legend(ncol=min(K, 11), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    if title is not None:
        ax.set_title(title)
    return ax.figure


def plot_correlation(df: pd.DataFrame, items, ax=None, title: str | None = None):
    """Heatmap of Pearson correlations between items (``title`` drawn as given)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * len(items) + 2.5, 0.5 * len(items) + 2))
    sns.heatmap(df[list(items)].corr(), annot=True, fmt=".2f", cmap="vlag", vmin=-1, vmax=1, ax=ax,
                annot_kws={"size": 7})
    if title is not None:
        ax.set_title(title)
    return ax.figure


# ---------------------------------------------------------------------------------------------
# Net Promoter Score
# ---------------------------------------------------------------------------------------------

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
