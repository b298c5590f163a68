"""Profiles of a table: the data-overview study's building blocks."""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def profile(df: pd.DataFrame) -> pd.DataFrame:
    """One row per column: type, missingness, distinct values and a numeric summary.

    Returns
    -------
    DataFrame with columns ``column, dtype, n, n_missing, pct_missing, n_unique,
    min, mean, max, top`` (``top``: most frequent value of a non-numeric column).
    """
    rows = []
    for col in df.columns:
        s = df[col]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        dated = pd.api.types.is_datetime64_any_dtype(s)
        n_missing = int(s.isna().sum())
        row = {
            "column": col,
            "dtype": str(s.dtype),
            "n": int(len(s)),
            "n_missing": n_missing,
            "pct_missing": 100.0 * n_missing / len(s) if len(s) else math.nan,
            "n_unique": int(s.nunique(dropna=True)),
            "min": s.min() if (numeric or dated) and s.notna().any() else None,
            "mean": float(s.mean()) if numeric and s.notna().any() else None,
            "max": s.max() if (numeric or dated) and s.notna().any() else None,
            "top": None if numeric or dated or s.dropna().empty else str(s.mode(dropna=True).iloc[0]),
        }
        rows.append(row)
    return pd.DataFrame(rows, columns=["column", "dtype", "n", "n_missing", "pct_missing", "n_unique",
                                       "min", "mean", "max", "top"])


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


def describe_missingness(frames: dict[str, pd.DataFrame], lang: str = "en") -> str:
    """One paragraph, written from the data, on where values are missing (``lang``: en or zh).

    Example: "6 datasets, 151,642 rows in all. 11 cells are missing, all in
    telco_churn: total_charges (11 rows)."
    """
    total_rows = sum(len(f) for f in frames.values())
    parts = []
    n_missing = 0
    for name, frame in frames.items():
        counts = frame.isna().sum()
        counts = counts[counts > 0]
        n_missing += int(counts.sum())
        if len(counts):
            unit = " 行" if lang == "zh" else " rows"
            cols = ", ".join(f"{c} ({int(n):,}{unit})" for c, n in counts.items())
            parts.append(f"{name}: {cols}")
    if lang == "zh":
        head = f"共 {len(frames)} 个数据集，合计 {total_rows:,} 行。"
        if not parts:
            return head + "没有缺失值。"
        where = ("全部在 " + parts[0]) if len(parts) == 1 else "分布在 " + "；".join(parts)
        return f"{head}缺失 {n_missing:,} 个单元格，{where}。"
    head = f"{len(frames)} dataset{'s' if len(frames) != 1 else ''}, {total_rows:,} rows in all."
    if not parts:
        return head + " No cell is missing."
    where = "all in " + parts[0] if len(parts) == 1 else "in " + "; ".join(parts)
    return f"{head} {n_missing:,} cell{'s are' if n_missing != 1 else ' is'} missing, {where}."


def dataset_heading(name: str, frame: pd.DataFrame, lang: str = "en") -> str:
    """Markdown heading of one dataset's section."""
    if lang == "zh":
        return f"### {name}：{len(frame):,} 行 × {frame.shape[1]} 列"
    return f"### {name}: {len(frame):,} rows x {frame.shape[1]} columns"


def load_datasets(names) -> dict[str, pd.DataFrame]:
    """Load bundled datasets by name (see :data:`crmlab.core.datasets.LOADERS`), in the order given."""
    from crmlab.core import datasets
    from crmlab.core.errors import ParameterError

    unknown = [n for n in names if n not in datasets.LOADERS]
    if unknown:
        raise ParameterError(f"unknown dataset(s) {unknown}; choose from {sorted(datasets.LOADERS)}")
    return {name: datasets.LOADERS[name]() for name in names}


def size_table(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows, columns and missing cells per dataset (index ``dataset``)."""
    rows = [{"dataset": n, "rows": len(f), "columns": f.shape[1], "missing_cells": int(f.isna().sum().sum())}
            for n, f in frames.items()]
    return pd.DataFrame(rows, columns=["dataset", "rows", "columns", "missing_cells"]).set_index("dataset")
