"""Figures of the satisfaction-loyalty study (matplotlib; each returns the Figure), labelled in the
current language (:func:`crmlab.report.i18n.pick` for words, :func:`~crmlab.report.i18n.term` for values)."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from crmlab.report.i18n import pick, term
from crmlab.studies.loyalty.text import name, path_name

__all__ = ["plot_ipma", "plot_not_loyal", "plot_path_estimates", "plot_shape", "plot_shapes", "plot_typology"]

#: Colour of each Jones & Sasser type.
TYPE_COLOURS = {"apostle": "tab:blue", "mercenary": "tab:orange", "hostage": "tab:purple", "defector": "tab:red"}


def plot_path_estimates(boot_paths: pd.DataFrame, title: str | None = None):
    """Dot-and-interval plot of path estimates (``original``) with bootstrap percentile intervals."""
    import matplotlib.pyplot as plt

    t = boot_paths.iloc[::-1]
    fig, ax = plt.subplots(figsize=(6.4, 0.4 * len(t) + 1.3))
    y = np.arange(len(t))
    ax.hlines(y, t["ci_low"], t["ci_high"], color="tab:blue", lw=2)
    ax.plot(t["original"], y, "o", color="tab:blue")
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(y, [path_name(k) for k in t.index])
    ax.set_xlabel(pick(en="standardised path coefficient (95% bootstrap interval)",
                       zh="标准化路径系数（95% 自助法置信区间）"))
    ax.set_title(title or pick(en="PLS path coefficients", zh="PLS 路径系数"))
    fig.tight_layout()
    return fig


def plot_not_loyal(table: pd.DataFrame, title: str | None = None, satisfaction: str | None = None,
                   loyalty: str | None = None, loyal_min: float | None = None):
    """Bars of the not-loyal share per satisfaction level with Wilson intervals and group sizes.

    Without a ``title`` one is written from the item names and ``loyal_min`` when given.
    """
    import matplotlib.pyplot as plt

    if title is None:
        if satisfaction and loyalty and loyal_min is not None:
            title = pick(en=f"Not loyal ({name(loyalty)} < {loyal_min:g})\nby {name(satisfaction)}",
                         zh=f"不同“{name(satisfaction)}”等级的不忠诚比例\n（{name(loyalty)} < {loyal_min:g}）")
        else:
            title = pick(en="Not loyal, by satisfaction level", zh="不同满意度等级的不忠诚比例")
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    x = np.arange(len(table))
    share = table["share"].to_numpy(float)
    ax.bar(x, share, color="tab:red", alpha=0.7)
    err = np.vstack([share - table["ci_low"], table["ci_high"] - share])
    ax.errorbar(x, share, yerr=np.nan_to_num(err), fmt="none", color="black", capsize=4)
    for xi, (hi, n) in enumerate(zip(np.nan_to_num(table["ci_high"].to_numpy(float)), table["n"])):
        ax.text(xi, hi + 0.03, f"n={n}", ha="center", fontsize=8)
    ax.set_xticks(x, [textwrap.fill(term(v), 12) for v in table["level"]])
    ax.set_ylim(0, 1.12)
    ax.set_ylabel(pick(en="share not loyal", zh="不忠诚比例"))
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_typology(sat, loy, labels, satisfied_min, loyal_min, xlabel=None, ylabel=None):
    """Scatter of respondents coloured by Jones & Sasser type, with the cut-off lines (points jittered)."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    sat, loy = np.asarray(sat, float), np.asarray(loy, float)
    for lab in labels.cat.categories:
        m = (labels == lab).to_numpy()
        ax.scatter(sat[m] + rng.uniform(-0.2, 0.2, m.sum()), loy[m] + rng.uniform(-0.2, 0.2, m.sum()),
                   s=12, alpha=0.6, color=TYPE_COLOURS.get(lab), label=f"{term(lab)} ({m.sum()})")
    ax.axvline(satisfied_min - 0.5, color="grey", ls="--", lw=0.8)
    ax.axhline(loyal_min - 0.5, color="grey", ls="--", lw=0.8)
    ax.set_xlabel(name(xlabel) if xlabel else pick(en="satisfaction", zh="满意度"))
    ax.set_ylabel(name(ylabel) if ylabel else pick(en="loyalty", zh="忠诚度"))
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.set_title(pick(en="Jones & Sasser typology", zh="Jones & Sasser 顾客类型"))
    fig.tight_layout()
    return fig


def plot_shape(shape, ax=None, xlabel=None, ylabel=None, title=None):
    """Respondents and the fitted curves of a :class:`crmlab.loyalty.ShapeResult`; the best model
    (one-SE rule) is drawn thicker."""
    import matplotlib.pyplot as plt

    xlabel = xlabel or pick(en="satisfaction", zh="满意度")
    ylabel = ylabel or pick(en="loyalty", zh="忠诚度")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    jitter = np.random.default_rng(0).uniform(-0.08, 0.08, len(shape.x)) * np.ptp(shape.x) / 10
    ax.scatter(shape.x + jitter, shape.y, s=10, alpha=0.35, color="grey", label=pick(en="respondents", zh="受访者"))
    best = pick(en=" (best)", zh="（最优）")
    for k, d in shape.curves().groupby("model", sort=False):
        lw = 2.5 if k == shape.best else 1.3
        ax.plot(d["x"], d["fitted"], lw=lw, label=f"{term(k)}{best if k == shape.best else ''}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_shapes(latent, raw, items, satisfaction: str, loyalty: str, sat_item: str, loy_item: str):
    """The three shape comparisons side by side: PLS scores, raw means of items, overall items."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    score = pick(en="PLS score", zh="PLS 得分")
    mean = pick(en="mean of items", zh="题项均值")
    sat, loy = name(satisfaction), name(loyalty)
    plot_shape(latent, ax=axes[0], xlabel=f"{sat} ({score})", ylabel=f"{loy} ({score})",
               title=pick(en="PLS scores", zh="PLS 得分"))
    plot_shape(raw, ax=axes[1], xlabel=f"{sat} ({mean})", ylabel=f"{loy} ({mean})",
               title=pick(en="raw means", zh="题项均值"))
    plot_shape(items, ax=axes[2], xlabel=name(sat_item), ylabel=name(loy_item),
               title=pick(en="overall items", zh="总体题项"))
    fig.tight_layout()
    return fig


def plot_ipma(constructs: pd.DataFrame, target: str):
    """Importance-performance map of the constructs that drive ``target`` (:attr:`crmlab.sem.IPMAResult.constructs`):
    importance across, performance (0-100) up, dashed lines at the averages of both."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    x, y = constructs["importance"].to_numpy(float), constructs["performance"].to_numpy(float)
    ax.scatter(x, y, s=60, color="tab:blue", zorder=3)
    for xi, yi, label in zip(x, y, constructs["construct"]):
        ax.annotate(name(label), (xi, yi), xytext=(5, 4), textcoords="offset points", fontsize=9)
    ax.axvline(x.mean(), color="grey", lw=0.8, ls="--")
    ax.axhline(y.mean(), color="grey", lw=0.8, ls="--")
    pad_x = 0.25 * (np.ptp(x) or abs(x.mean()) or 1.0)      # room for the labels right of the points
    pad_y = max(5.0, 0.3 * np.ptp(y))
    ax.set_xlim(min(0.0, x.min() - pad_x), x.max() + pad_x)
    ax.set_ylim(max(0.0, y.min() - pad_y), min(100.0, y.max() + pad_y))
    tname = name(target)
    ax.set_xlabel(pick(en=f"importance (total effect on {tname})", zh=f"重要性（对{tname}的总效应）"))
    ax.set_ylabel(pick(en="performance (0-100)", zh="绩效（0-100）"))
    ax.set_title(pick(en=f"Importance-performance map: {tname}", zh=f"{tname}的重要性-绩效矩阵"))
    fig.tight_layout()
    return fig
