"""The classic BTYD validation and value plots (matplotlib; return the Figure)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["plot_holdout_by_frequency", "plot_tracking", "plot_concentration", "plot_segments"]


def plot_holdout_by_frequency(table: pd.DataFrame, title: str = "Holdout: actual vs predicted repeat purchases"):
    """Bar/line chart of :func:`crmlab.clv.holdout_by_frequency` (FHL 2005, Figure 4)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(table))
    ax.plot(x, table["actual"], "o-", label="actual")
    for col, style in (("predicted", "s--"), ("BG/NBD", "s--"), ("Pareto/NBD", "^:")):
        if col in table.columns:
            ax.plot(x, table[col], style, label=col if col != "predicted" else "predicted")
    ax.set_xticks(x, table.index)
    ax.set_xlabel("repeat purchases in calibration")
    ax.set_ylabel("mean repeat purchases in holdout")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_tracking(table: pd.DataFrame, calibration_periods: float | None = None, *, unit: str = "week",
                  cumulative: bool = True):
    """Cumulative (or per-period) actual vs expected repeat transactions (FHL 2005, Figure 3)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    pre = "cumulative_" if cumulative else ""
    ax.plot(table.index, table[pre + "actual"], label="actual")
    for col in table.columns:
        if col.startswith(pre + "expected"):
            ax.plot(table.index, table[col], "--", label=col.replace(pre, "").replace("_", " "))
    if calibration_periods is not None:
        ax.axvline(calibration_periods, color="grey", lw=1)
        lo, hi = ax.get_ylim()
        ax.text(calibration_periods, lo + 0.03 * (hi - lo), " end of calibration", color="grey", va="bottom")
    ax.set_xlabel(unit)
    ax.set_ylabel(("cumulative " if cumulative else "") + "repeat transactions")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_concentration(values, title: str = "Concentration of customer value"):
    """Histogram of CLV (log scale) and the Lorenz-type concentration curve."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.hist(np.log10(np.clip(v, 1e-2, None)), bins=40)
    a1.set_xlabel("log10 expected residual value")
    a1.set_ylabel("customers")
    share_c = np.arange(1, len(v) + 1) / len(v)
    share_v = np.cumsum(v) / v.sum() if v.sum() > 0 else share_c
    a2.plot(share_c, share_v)
    a2.plot([0, 1], [0, 1], color="grey", lw=1)
    a2.set_xlabel("share of customers (highest value first)")
    a2.set_ylabel("share of value")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_segments(portrait: pd.DataFrame, columns, title: str = "Segment portraits"):
    """Heat map of segment means, each column scaled to its share of the column maximum."""
    cols = [c for c in columns if c in portrait.columns]
    data = portrait[cols].astype(float)
    scaled = data / data.abs().max().replace(0, 1)
    fig, ax = plt.subplots(figsize=(1.3 * len(cols) + 2, 0.5 * len(portrait) + 1.5))
    ax.imshow(scaled.to_numpy(), cmap="Blues", aspect="auto", vmin=0, vmax=1)
    ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
    ax.set_yticks(range(len(portrait)), [f"{i} (n={n:,})" for i, n in zip(portrait.index, portrait["customers"])])
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            dark = scaled.iat[i, j] > 0.6
            ax.text(j, i, f"{data.iat[i, j]:.3g}", ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    ax.grid(False)
    ax.set_title(title)
    fig.tight_layout()
    return fig
