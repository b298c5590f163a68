"""Descriptives of rating items on their own answer scales: distributions, top- and bottom-box shares,
diverging bars and a correlation heatmap (labels drawn as given)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.survey.answers import infer_scales
from crmlab.survey.hygiene import _check_items


def _w(df, weights):
    if weights is None:
        return np.ones(len(df))
    return df[weights].to_numpy(dtype=float) if isinstance(weights, str) else np.asarray(weights, dtype=float)


def resolve_scales(df: pd.DataFrame, items, scales: dict | None = None, scale_min=None,
                   scale_max=None) -> dict[str, tuple[float, float]]:
    """The answer scale of each item: ``scales[item]``, else ``(scale_min, scale_max)`` when both are
    given, else inferred from the answers (:func:`crmlab.survey.answers.infer_scales`)."""
    items = _check_items(df, items)
    scales = dict(scales or {})
    out = {c: tuple(float(v) for v in scales[c]) for c in items if c in scales}
    rest = [c for c in items if c not in out]
    if rest and scale_min is not None and scale_max is not None:
        out.update({c: (float(scale_min), float(scale_max)) for c in rest})
    elif rest:
        out.update(infer_scales(df, rest))
    return {c: out[c] for c in items}


def item_distribution(df: pd.DataFrame, items, scale_min: int | None = None, scale_max: int | None = None,
                      weights=None, *, scales: dict | None = None) -> pd.DataFrame:
    """Share of answers at each scale point, one row per item.

    Columns are the whole points from the lowest to the highest point of any item; a point outside
    an item's own scale (a 6 for a 1-5 item beside 1-7 items) is NaN. Scales as :func:`resolve_scales`.
    """
    items = _check_items(df, items)
    sc = resolve_scales(df, items, scales, scale_min, scale_max)
    w = _w(df, weights)
    levels = np.arange(int(min(lo for lo, _ in sc.values())), int(max(hi for _, hi in sc.values())) + 1)
    out = {}
    for c in items:
        x = df[c].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        lo, hi = sc[c]
        total = w[ok].sum()
        out[c] = [w[ok][x[ok] == k].sum() / total if lo <= k <= hi and total > 0 else np.nan for k in levels]
    res = pd.DataFrame.from_dict(out, orient="index", columns=levels)
    res.index.name = "item"
    return res


def top_box(df: pd.DataFrame, items, scale_max: float | None = None, k: int = 2, scale_min: float | None = None,
            weights=None, *, scales: dict | None = None) -> pd.DataFrame:
    """Mean, top-k-box and bottom-k-box shares per item on its own scale, optionally weighted.

    Returns columns ``mean``, ``mean_0_100`` (the mean's position on the item's scale, 0 = lowest,
    100 = highest point: comparable across items with different scales), ``top{k}box`` (answers in
    the ``k`` highest points) and ``bottom{k}box``. With only ``scale_max`` given (the old form) the
    bottom box is left out. Scales as :func:`resolve_scales`.
    """
    items = _check_items(df, items)
    legacy = scale_max is not None and scale_min is None and not scales
    if legacy:
        sc = {c: (np.nan, float(scale_max)) for c in items}
    else:
        sc = resolve_scales(df, items, scales, scale_min, scale_max)
    w = _w(df, weights)
    rows = []
    for c in items:
        lo, hi = sc[c]
        x = df[c].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        ww = w[ok] / w[ok].sum()
        mean = float(ww @ x[ok])
        row = {"item": c, "mean": mean, "mean_0_100": 100 * (mean - lo) / (hi - lo),
               f"top{k}box": float(ww @ (x[ok] > hi - k))}
        if not legacy:
            row[f"bottom{k}box"] = float(ww @ (x[ok] < lo + k))
        rows.append(row)
    out = pd.DataFrame(rows).set_index("item")
    return out.drop(columns="mean_0_100") if legacy else out


def plot_diverging(dist: pd.DataFrame, ax=None, title: str | None = None, *, xlabel: str | None = None,
                   labels=None, legend_ends: tuple[str, str] = ("lowest point", "highest point")):
    """Diverging stacked bars: low answers to the left of zero, high answers to the right.

    ``dist`` is :func:`item_distribution`; each item is split on its own scale (the points that are
    not NaN in its row): the middle point half/half for odd scales, the lower half of the points to
    the left for even scales. Colours run from the lowest to the highest point of each item's scale.
    ``labels`` (one per row; default the index), ``title`` and ``xlabel`` are drawn as given. With
    one scale for all items the legend names its points; with several, ``legend_ends`` name the
    colours of the two ends.
    """
    import matplotlib.pyplot as plt
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    levels = list(dist.columns)
    valid = dist.notna().to_numpy()
    one_scale = bool((valid == valid[0]).all())
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(dist) + 1.5))
    cmap = colormaps["RdBu"]
    vals = 100 * dist.fillna(0).to_numpy()
    y = np.arange(len(dist))
    for r in range(len(dist)):
        pts = np.flatnonzero(valid[r])
        K = pts.size
        row = vals[r, pts]
        half = K // 2
        left = -(row[:half].sum() + (row[half] / 2 if K % 2 else 0))
        for i, j in enumerate(pts):
            ax.barh(y[r], row[i], left=left, color=cmap(0.1 + 0.8 * i / max(K - 1, 1)), edgecolor="white",
                    linewidth=0.5, label=str(levels[j]) if one_scale and r == 0 else "_nolegend_")
            left += row[i]
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [str(i) for i in (dist.index if labels is None else labels)])
    ax.invert_yaxis()
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if one_scale:
        K = int(valid[0].sum())
        ax.legend(ncol=min(K, 11), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    else:
        ax.legend(handles=[Patch(color=cmap(0.1), label=legend_ends[0]), Patch(color=cmap(0.9), label=legend_ends[1])],
                  ncol=2, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    if title is not None:
        ax.set_title(title)
    return ax.figure


def plot_correlation(df: pd.DataFrame, items, ax=None, title: str | None = None, *, labels=None):
    """Heatmap of Pearson correlations between items (``labels``: one per item, default the item names;
    ``title`` drawn as given)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    items = list(items)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * len(items) + 2.5, 0.5 * len(items) + 2))
    names = items if labels is None else [str(x) for x in labels]
    corr = df[items].corr()
    corr.index, corr.columns = names, names
    sns.heatmap(corr, annot=True, fmt=".2f", cmap="vlag", vmin=-1, vmax=1, ax=ax, annot_kws={"size": 7})
    if title is not None:
        ax.set_title(title)
    return ax.figure
