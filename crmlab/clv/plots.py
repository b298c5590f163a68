"""The classic BTYD validation and value plots (matplotlib; return the Figure).

Every plot takes ``lang`` (``"en"`` default or ``"zh"``) for its titles, axis labels and legends;
the data drawn do not change with the language.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab.report.i18n import pick

__all__ = ["plot_holdout_by_frequency", "plot_tracking", "plot_concentration", "plot_segments",
           "plot_segment_counts"]


def _series_label(name: str, lang: str) -> str:
    """Legend text of a plotted series: ``actual``, ``predicted``, ``BG/NBD``, ``expected bgnbd``, ..."""
    models = {"bgnbd": "BG/NBD", "paretonbd": "Pareto/NBD"}
    if name == "actual":
        return pick(lang, en="actual", zh="实际")
    if name == "predicted":
        return pick(lang, en="predicted", zh="预测")
    if name.startswith("expected"):
        model = models.get(name.replace("expected", "").strip(" _"), "")
        if lang == "zh":
            return f"预期（{model}）" if model else "预期"
        return name.replace("_", " ")
    return name


def plot_holdout_by_frequency(table: pd.DataFrame, title: str | None = None, *, lang: str = "en"):
    """Bar/line chart of :func:`crmlab.clv.holdout_by_frequency` (FHL 2005, Figure 4)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(table))
    ax.plot(x, table["actual"], "o-", label=_series_label("actual", lang))
    for col, style in (("predicted", "s--"), ("BG/NBD", "s--"), ("Pareto/NBD", "^:")):
        if col in table.columns:
            label = _series_label(col, lang) if col == "predicted" else pick(lang, en=col, zh=f"{col} 预测")
            ax.plot(x, table[col], style, label=label)
    ax.set_xticks(x, table.index)
    ax.set_xlabel(pick(lang, en="repeat purchases in calibration", zh="校准期重复购买次数"))
    ax.set_ylabel(pick(lang, en="mean repeat purchases in holdout", zh="验证期平均重复购买次数"))
    ax.set_title(title if title is not None else
                 pick(lang, en="Holdout: actual vs predicted repeat purchases", zh="验证期：实际与预测的重复购买次数"))
    ax.legend()
    fig.tight_layout()
    return fig


def plot_tracking(table: pd.DataFrame, calibration_periods: float | None = None, *, unit: str = "week",
                  cumulative: bool = True, lang: str = "en"):
    """Cumulative (or per-period) actual vs expected repeat transactions (FHL 2005, Figure 3).

    ``unit`` is the word of the time axis in the report's language (e.g. ``"week"`` or ``"周"``).
    """
    fig, ax = plt.subplots(figsize=(7, 4))
    pre = "cumulative_" if cumulative else ""
    ax.plot(table.index, table[pre + "actual"], label=_series_label("actual", lang))
    for col in table.columns:
        if col.startswith(pre + "expected"):
            ax.plot(table.index, table[col], "--", label=_series_label(col.replace(pre, ""), lang))
    if calibration_periods is not None:
        ax.axvline(calibration_periods, color="grey", lw=1)
        lo, hi = ax.get_ylim()
        ax.text(calibration_periods, lo + 0.03 * (hi - lo), pick(lang, en=" end of calibration", zh=" 校准期结束"),
                color="grey", va="bottom")
    ax.set_xlabel(unit if lang != "zh" else f"时间（{unit}）")
    if lang == "zh":
        ax.set_ylabel("累计重复购买次数" if cumulative else "每期重复购买次数")
    else:
        ax.set_ylabel(("cumulative " if cumulative else "") + "repeat transactions")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_concentration(values, title: str | None = None, *, lang: str = "en"):
    """Histogram of CLV (log scale) and the Lorenz-type concentration curve."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.hist(np.log10(np.clip(v, 1e-2, None)), bins=40)
    a1.set_xlabel(pick(lang, en="log10 expected residual value", zh="预期剩余价值（log10）"))
    a1.set_ylabel(pick(lang, en="customers", zh="客户数"))
    share_c = np.arange(1, len(v) + 1) / len(v)
    share_v = np.cumsum(v) / v.sum() if v.sum() > 0 else share_c
    a2.plot(share_c, share_v)
    a2.plot([0, 1], [0, 1], color="grey", lw=1)
    a2.set_xlabel(pick(lang, en="share of customers (highest value first)", zh="客户累计占比（按价值从高到低）"))
    a2.set_ylabel(pick(lang, en="share of value", zh="价值累计占比"))
    fig.suptitle(title if title is not None else pick(lang, en="Concentration of customer value", zh="客户价值集中度"))
    fig.tight_layout()
    return fig


def plot_segments(portrait: pd.DataFrame, columns, title: str | None = None, *, lang: str = "en"):
    """Heat map of segment means, each column scaled to its share of the column maximum."""
    from crmlab.segmentation_text import column

    cols = [c for c in columns if c in portrait.columns]
    data = portrait[cols].astype(float)
    scaled = data / data.abs().max().replace(0, 1)
    fig, ax = plt.subplots(figsize=(1.3 * len(cols) + 2, 0.5 * len(portrait) + 1.5))
    ax.imshow(scaled.to_numpy(), cmap="Blues", aspect="auto", vmin=0, vmax=1)
    ax.set_xticks(range(len(cols)), [column(c, lang) for c in cols], rotation=30, ha="right")
    rows = (f"{i} (n={n:,})" if lang != "zh" else f"第 {i} 类（n={n:,}）"
            for i, n in zip(portrait.index, portrait["customers"]))
    ax.set_yticks(range(len(portrait)), list(rows))
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            dark = scaled.iat[i, j] > 0.6
            ax.text(j, i, f"{data.iat[i, j]:.3g}", ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    ax.grid(False)
    ax.set_title(title if title is not None else pick(lang, en="Segment portraits", zh="客户画像"))
    fig.tight_layout()
    return fig


def plot_segment_counts(counts: pd.Series, title: str | None = None, *, lang: str = "en"):
    """Horizontal bars of customers per RFM segment (segment names shown in ``lang``)."""
    from crmlab.segmentation_text import term

    fig, ax = plt.subplots(figsize=(7, 3.5))
    shown = pd.Series(counts.to_numpy(), index=[term(s, lang) for s in counts.index])
    shown.plot.barh(ax=ax)
    ax.invert_yaxis()
    ax.set_xlabel(pick(lang, en="customers", zh="客户数"))
    ax.set_ylabel("")
    ax.set_title(title if title is not None else pick(lang, en="RFM segments", zh="RFM 客户细分"))
    fig.tight_layout()
    return fig
