"""Figures of the survey-regression study, labelled in the current language: items by their names
(codebook labels, wrapped), never by their codes; labels from :mod:`.text`."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from crmlab.drivers import QUADRANTS
from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, term
from crmlab.studies.survey.text import CATALOG, name
from crmlab.survey import plot_correlation, plot_diverging


def wrapped(code, width: int = 26) -> str:
    """An item's name on lines of about ``width`` characters (Chinese: half as many, each character is wide)."""
    text = name(code)
    w = width // 2 if current_lang() == "zh" else width
    return "\n".join(textwrap.wrap(text, w, break_long_words=current_lang() == "zh")) or text


def item_distributions(dist: pd.DataFrame):
    """Diverging stacked bars of the answers per item (``dist``: :func:`crmlab.survey.item_distribution`)."""
    import matplotlib.pyplot as plt

    lines = sum(wrapped(c).count("\n") + 1 for c in dist.index)
    _, ax = plt.subplots(figsize=(8, 0.3 * lines + 0.25 * len(dist) + 1.6))
    return plot_diverging(dist, ax=ax, title=CATALOG.text("fig_diverging_title"),
                          xlabel=CATALOG.text("fig_diverging_xlabel"), labels=[wrapped(c) for c in dist.index],
                          legend_ends=(CATALOG.text("fig_diverging_low"), CATALOG.text("fig_diverging_high")))


def item_correlations(df: pd.DataFrame, items):
    """Heatmap of the Pearson correlations between the items, named on both axes."""
    import matplotlib.pyplot as plt

    items = list(items)
    _, ax = plt.subplots(figsize=(0.6 * len(items) + 4.5, 0.55 * len(items) + 3.5))
    fig = plot_correlation(df, items, ax=ax, title=CATALOG.text("fig_correlation_title"),
                           labels=[wrapped(c, 22) for c in items])
    ax.tick_params(axis="both", labelsize=8)
    ax.set_xticklabels(ax.get_xticklabels(), rotation=90)
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    return fig


def driver_shares(kda, ax=None):
    """Horizontal bars of the Shapley shares of a fitted :class:`crmlab.drivers.KeyDriverAnalysis`,
    with their bootstrap intervals when it has them."""
    import matplotlib.pyplot as plt

    imp = kda.importance_.sort_values("shapley")
    names = [wrapped(d) for d in imp.index]
    if ax is None:
        lines = sum(n.count("\n") + 1 for n in names)
        _, ax = plt.subplots(figsize=(7.5, 0.28 * lines + 0.2 * len(imp) + 1.5))
    y = np.arange(len(imp))
    ax.barh(y, imp["shapley"])
    if "shapley_ci_low" in imp:
        # the interval is drawn from its own ends: a percentile interval need not contain the estimate
        lo, hi = imp["shapley_ci_low"].to_numpy(), imp["shapley_ci_high"].to_numpy()
        ax.errorbar((lo + hi) / 2, y, xerr=(hi - lo) / 2, fmt="none", ecolor="k", capsize=3, label="_nolegend_")
    ax.set_yticks(y, names)
    ax.set_xlabel(CATALOG.text("fig_shares_xlabel", r2=fmt_num(kda.r2_)))
    ax.set_title(CATALOG.text("fig_shares_title", outcome=name(kda.outcome_)))
    return ax.figure


def _place_labels(ax, points, texts, fontsize=8):
    """Label each point beside it, trying positions around it (further away with a leader line when needed)
    and keeping the one that covers least of the earlier labels, the points and the quadrant names."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    offsets = [(dx, dy) for dist in (3, 16, 30, 44) for dx, dy in ((5, dist), (5, -dist), (-5, dist), (-5, -dist))]
    offsets += [(dx, 0) for dx in (24, -24, 48, -48)]
    xy = ax.transData.transform(points)
    obstacles = [Bbox.from_extents(px - 5, py - 5, px + 5, py + 5) for px, py in xy]
    obstacles += [t.get_window_extent(renderer) for t in ax.texts]
    frame = ax.get_window_extent(renderer)

    def cost(box):
        inside = max(0.0, min(box.x1, frame.x1) - max(box.x0, frame.x0)) * max(
            0.0, min(box.y1, frame.y1) - max(box.y0, frame.y0))
        return box.width * box.height - inside + sum(
            max(0.0, min(box.x1, b.x1) - max(box.x0, b.x0)) * max(0.0, min(box.y1, b.y1) - max(box.y0, b.y0))
            for b in obstacles)

    for (x, y), text in zip(points, texts):
        best = None
        for dx, dy in offsets:
            kw = dict(xytext=(dx, dy), textcoords="offset points", ha="left" if dx > 0 else "right",
                      va="bottom" if dy > 0 else "top" if dy < 0 else "center", fontsize=fontsize,
                      arrowprops=None if abs(dy) < 10 and abs(dx) < 10 else dict(arrowstyle="-", lw=0.5, color="grey"))
            t = ax.annotate(text, (x, y), **kw)
            box = t.get_window_extent(renderer).expanded(1.04, 1.1)
            t.remove()
            c = cost(box)
            if best is None or c < best[0]:
                best = (c, kw, box)
            if c == 0:
                break
        ax.annotate(text, (x, y), **best[1])
        obstacles.append(best[2])


def importance_performance(ipm: pd.DataFrame, ax=None):
    """Importance-performance map (:func:`crmlab.drivers.importance_performance`): drivers by name, the
    lines at the averages and the names of the four quadrants (Martilla & James 1977)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 6))
    ax.scatter(ipm["performance"], ipm["importance"], s=40)
    ax.margins(x=0.3, y=0.18)
    ax.axvline(ipm["performance"].mean(), color="grey", lw=1, ls="--")
    ax.axhline(ipm["importance"].mean(), color="grey", lw=1, ls="--")
    ax.set_xlabel(CATALOG.text("fig_ipm_xlabel"))
    ax.set_ylabel(CATALOG.text("fig_ipm_ylabel"))
    corners = {"Concentrate here": dict(x=0.02, y=0.98, va="top", color="#c23b3b"),
               "Keep up the good work": dict(x=0.98, y=0.98, va="top", ha="right"),
               "Low priority": dict(x=0.02, y=0.02),
               "Possible overkill": dict(x=0.98, y=0.02, ha="right")}
    for quadrant in QUADRANTS:
        kw = dict(corners[quadrant])
        ax.text(kw.pop("x"), kw.pop("y"), term(quadrant), transform=ax.transAxes, fontsize=9, **kw)
    ax.set_title(CATALOG.text("fig_ipm_title"))
    order = ipm.sort_values("importance", ascending=False)
    _place_labels(ax, list(zip(order["performance"], order["importance"])), [wrapped(d, 20) for d in order.index])
    return ax.figure
