"""Figures of the data-overview study."""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def plot_distributions(df: pd.DataFrame, *, max_columns: int = 12, ncols: int = 4, title: str = ""):
    """Small multiples: a histogram per numeric column, a bar chart of the top levels otherwise.

    Identifier-like columns (all values distinct) are skipped: a histogram of ids says nothing
    and would show raw identifiers.
    """
    cols = [c for c in df.columns if df[c].nunique(dropna=True) < len(df)][:max_columns]
    nrows = max(1, math.ceil(len(cols) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.0 * ncols, 2.3 * nrows), squeeze=False)
    for ax, col in zip(axes.flat, cols):
        s = df[col].dropna()
        if pd.api.types.is_datetime64_any_dtype(s):
            s.dt.to_period("M").value_counts().sort_index().plot.bar(ax=ax, width=0.9)
            ax.tick_params(axis="x", labelsize=6)
        elif pd.api.types.is_numeric_dtype(s) and s.nunique() > 12:
            ax.hist(s.to_numpy(dtype=float), bins=30)
        else:
            counts = s.astype(str).value_counts()
            if pd.api.types.is_numeric_dtype(s):
                counts = counts.loc[sorted(counts.index, key=float)]
            counts = counts.head(12)
            ax.bar(np.arange(len(counts)), counts.to_numpy())
            ax.set_xticks(np.arange(len(counts)), counts.index, rotation=45 if len(counts) > 5 else 0,
                          ha="right" if len(counts) > 5 else "center", fontsize=7)
        ax.set_title(str(col), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(cols):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
