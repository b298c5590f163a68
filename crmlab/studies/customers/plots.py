"""Figures of the segmentation and CLV study (matplotlib; each returns the Figure), labelled in the
report's language. The classic BTYD checks follow Fader, Hardie & Lee (2005), Figures 3 and 4."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab.report.i18n import current_lang, pick, term
from crmlab.studies.customers.text import unit_word

_MODELS = {"bgnbd": "BG/NBD", "paretonbd": "Pareto/NBD"}


def _series_label(name: str) -> str:
    """Legend text of a plotted series: ``actual``, ``predicted``, ``expected_bgnbd`` (English: ``expected bgnbd``)."""
    if name == "actual":
        return pick(en="actual", zh="实际")
    if name == "predicted":
        return pick(en="predicted", zh="预测")
    if name.startswith("expected"):
        model = _MODELS.get(name.replace("expected", "").strip(" _"), "")
        if current_lang() == "zh":
            return f"预期（{model}）" if model else "预期"
        return f"expected ({model})" if model else "expected"
    return name


def holdout_by_frequency(table: pd.DataFrame):
    """Actual and predicted mean holdout repeat purchases by calibration frequency
    (:func:`crmlab.clv.holdout_by_frequency`, one column per model)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(table))
    ax.plot(x, table["actual"], "o-", label=_series_label("actual"))
    for col, style in (("predicted", "s--"), ("BG/NBD", "s--"), ("Pareto/NBD", "^:")):
        if col in table.columns:
            label = _series_label(col) if col == "predicted" else pick(en=col, zh=f"{col} 预测")
            ax.plot(x, table[col], style, label=label)
    ax.set_xticks(x, table.index)
    ax.set_xlabel(pick(en="repeat purchases in calibration", zh="校准期重复购买次数"))
    ax.set_ylabel(pick(en="mean repeat purchases in holdout", zh="验证期平均重复购买次数"))
    ax.set_title(pick(en="Holdout: actual vs predicted repeat purchases", zh="验证期：实际与预测的重复购买次数"))
    ax.legend()
    fig.tight_layout()
    return fig


def tracking(table: pd.DataFrame, calibration_periods: float | None, time_unit, *, cumulative: bool = True):
    """Cumulative (or per-period) actual vs expected repeat transactions of the cohort
    (:func:`crmlab.clv.tracking` with ``expected_<model>`` columns); a vertical line ends calibration."""
    fig, ax = plt.subplots(figsize=(7, 4))
    pre = "cumulative_" if cumulative else ""
    ax.plot(table.index, table[pre + "actual"], label=_series_label("actual"))
    for col in table.columns:
        if col.startswith(pre + "expected"):
            ax.plot(table.index, table[col], "--", label=_series_label(col.replace(pre, "")))
    if calibration_periods is not None:
        ax.axvline(calibration_periods, color="grey", lw=1)
        lo, hi = ax.get_ylim()
        ax.text(calibration_periods, lo + 0.03 * (hi - lo), pick(en=" end of calibration", zh=" 校准期结束"),
                color="grey", va="bottom")
    unit = unit_word(time_unit, axis=True)
    ax.set_xlabel(pick(en=unit, zh=f"时间（{unit}）"))
    if cumulative:
        ax.set_ylabel(pick(en="cumulative repeat transactions", zh="累计重复购买次数"))
    else:
        ax.set_ylabel(pick(en="repeat transactions", zh="每期重复购买次数"))
    ax.legend()
    fig.tight_layout()
    return fig


def concentration(values):
    """Histogram of expected customer value (log scale) and the Lorenz-type concentration curve."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.hist(np.log10(np.clip(v, 1e-2, None)), bins=40)
    a1.set_xlabel(pick(en="log10 expected residual value", zh="预期剩余价值（log10）"))
    a1.set_ylabel(pick(en="customers", zh="客户数"))
    share_c = np.arange(1, len(v) + 1) / len(v)
    share_v = np.cumsum(v) / v.sum() if v.sum() > 0 else share_c
    a2.plot(share_c, share_v)
    a2.plot([0, 1], [0, 1], color="grey", lw=1)
    a2.set_xlabel(pick(en="share of customers (highest value first)", zh="客户累计占比（按价值从高到低）"))
    a2.set_ylabel(pick(en="share of value", zh="价值累计占比"))
    fig.suptitle(pick(en="Concentration of customer value", zh="客户价值集中度"))
    fig.tight_layout()
    return fig


def portraits(portrait: pd.DataFrame, columns):
    """Heat map of cluster means, each column scaled to its share of the column maximum."""
    cols = [c for c in columns if c in portrait.columns]
    data = portrait[cols].astype(float)
    scaled = data / data.abs().max().replace(0, 1)
    fig, ax = plt.subplots(figsize=(1.3 * len(cols) + 2, 0.5 * len(portrait) + 1.5))
    ax.imshow(scaled.to_numpy(), cmap="Blues", aspect="auto", vmin=0, vmax=1)
    ax.set_xticks(range(len(cols)), [term(c) for c in cols], rotation=30, ha="right")
    rows = [pick(en=f"{i} (n={n:,})", zh=f"第 {i} 类（n={n:,}）")
            for i, n in zip(portrait.index, portrait["customers"])]
    ax.set_yticks(range(len(portrait)), rows)
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            dark = scaled.iat[i, j] > 0.6
            ax.text(j, i, f"{data.iat[i, j]:.3g}", ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    ax.grid(False)
    ax.set_title(pick(en="Segment portraits", zh="客户画像"))
    fig.tight_layout()
    return fig


def segment_counts(counts: pd.Series):
    """Horizontal bars of customers per RFM segment."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    shown = pd.Series(counts.to_numpy(), index=[term(s) for s in counts.index])
    shown.plot.barh(ax=ax)
    ax.invert_yaxis()
    ax.set_xlabel(pick(en="customers", zh="客户数"))
    ax.set_ylabel("")
    ax.set_title(pick(en="RFM segments", zh="RFM 客户细分"))
    fig.tight_layout()
    return fig
