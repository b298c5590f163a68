"""Steps of the data-overview study: load the chosen datasets, size them, profile each column."""
from __future__ import annotations

import math

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
