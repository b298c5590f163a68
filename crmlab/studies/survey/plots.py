"""Figures of the survey-regression study, labelled in the current language (labels from :mod:`.text`)."""
from __future__ import annotations

import pandas as pd

from crmlab.drivers import QUADRANTS
from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import term
from crmlab.studies.survey.text import CATALOG
from crmlab.survey import plot_correlation, plot_diverging


def item_distributions(dist: pd.DataFrame):
    """Diverging stacked bars of the answers per item (``dist``: :func:`crmlab.survey.item_distribution`)."""
    return plot_diverging(dist, title=CATALOG.text("fig_diverging_title"), xlabel=CATALOG.text("fig_diverging_xlabel"))


def item_correlations(df: pd.DataFrame, items):
    """Heatmap of the Pearson correlations between the items."""
    return plot_correlation(df, items, title=CATALOG.text("fig_correlation_title"))


def driver_shares(kda, ax=None):
    """Horizontal bars of the Shapley shares of a fitted :class:`crmlab.drivers.KeyDriverAnalysis`,
    with their bootstrap intervals when it has them."""
    import matplotlib.pyplot as plt

    imp = kda.importance_.sort_values("shapley")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.4 * len(imp) + 1.5))
    names = imp.index.astype(str)
    ax.barh(names, imp["shapley"])
    if "shapley_ci_low" in imp:
        # the interval is drawn from its own ends: a percentile interval need not contain the estimate
        lo, hi = imp["shapley_ci_low"].to_numpy(), imp["shapley_ci_high"].to_numpy()
        ax.errorbar((lo + hi) / 2, names, xerr=(hi - lo) / 2, fmt="none", ecolor="k", capsize=3, label="_nolegend_")
    ax.set_xlabel(CATALOG.text("fig_shares_xlabel", r2=fmt_num(kda.r2_)))
    ax.set_title(CATALOG.text("fig_shares_title", outcome=kda.outcome_))
    return ax.figure


def importance_performance(ipm: pd.DataFrame, ax=None):
    """Importance-performance map (:func:`crmlab.drivers.importance_performance`): drivers, the lines at
    the averages and the names of the four quadrants (Martilla & James 1977)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    ax.scatter(ipm["performance"], ipm["importance"], s=40)
    for d, row in ipm.iterrows():
        ax.annotate(str(d), (row["performance"], row["importance"]), xytext=(4, 3), textcoords="offset points")
    ax.margins(0.18)
    ax.axvline(ipm["performance"].mean(), color="grey", lw=1, ls="--")
    ax.axhline(ipm["importance"].mean(), color="grey", lw=1, ls="--")
    ax.set_xlabel(CATALOG.text("fig_ipm_xlabel"))
    ax.set_ylabel(CATALOG.text("fig_ipm_ylabel"))
    corners = {"Concentrate here": dict(x=0.02, y=0.98, va="top", color="#c23b3b"),
               "Keep up the good work": dict(x=0.98, y=0.98, va="top", ha="right"),
               "Low priority": dict(x=0.02, y=0.02),
               "Possible overkill": dict(x=0.98, y=0.02, ha="right")}
    for name in QUADRANTS:
        kw = dict(corners[name])
        ax.text(kw.pop("x"), kw.pop("y"), term(name), transform=ax.transAxes, fontsize=9, **kw)
    ax.set_title(CATALOG.text("fig_ipm_title"))
    return ax.figure
