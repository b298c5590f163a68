"""Checking and preparing respondent-level item data for a :class:`ModelSpec`."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError
from crmlab.core.modeltext import ModelSpec, parse_model

__all__ = ["PreparedData", "load_survey", "prepare_items", "summated_scores"]


@dataclass
class PreparedData:
    """Items ready for estimation plus an account of what was dropped.

    Attributes
    ----------
    items : DataFrame
        Float item columns in model order, complete cases only.
    index : Index
        Index labels of the rows kept (to align other columns, e.g. a group).
    n_total, n_used : int
        Rows before and after listwise deletion.
    missing_by_item : dict
        Item -> number of missing values before deletion.
    """

    items: pd.DataFrame
    index: pd.Index
    n_total: int
    n_used: int
    missing_by_item: dict

    @property
    def n_dropped(self) -> int:
        return self.n_total - self.n_used

    def summary(self) -> pd.DataFrame:
        """Missing values by item before listwise deletion: item, n_missing (most missing first)."""
        tab = pd.DataFrame({"item": list(self.missing_by_item), "n_missing": list(self.missing_by_item.values())},
                           columns=["item", "n_missing"])
        # a stable sort: items with as many missing values keep the model's order
        return tab.sort_values("n_missing", ascending=False, kind="stable").reset_index(drop=True)


def _examples(mask: pd.Series, k: int = 3) -> list:
    return [str(i) for i in mask[mask].index[:k]]


def prepare_items(data: pd.DataFrame, model, extra: list | None = None,
                  missing: str = "listwise", min_rows: int = 10) -> PreparedData:
    """Validate the item columns a model needs and return complete cases.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    model : str or ModelSpec
        The model description.
    extra : list of str, optional
        Further columns that must exist and be complete (e.g. the group column).
    missing : {"listwise"}
        Missing-value handling.  Only listwise deletion is implemented; the
        counts are reported in the result.
    min_rows : int
        Fewer complete rows than this is an error.

    Raises
    ------
    DataError
        Naming the construct and item for missing columns, non-numeric answers
        (with example rows), constant items and too few complete rows.
    """
    spec: ModelSpec = parse_model(model)
    if not isinstance(data, pd.DataFrame):
        raise DataError("data must be a pandas DataFrame")
    if missing != "listwise":
        raise DataError(f"missing={missing!r}: only 'listwise' deletion is supported")
    absent = [(c, it) for c, its in spec.constructs.items() for it in its if it not in data.columns]
    if absent:
        desc = "; ".join(f"item {it!r} of construct {c!r}" for c, it in absent)
        raise DataError(f"columns missing from the data: {desc}. Available columns: "
                        f"{list(data.columns)[:30]}")
    extra = [e for e in (extra or []) if e is not None]
    for e in extra:
        if e not in data.columns:
            raise DataError(f"column {e!r} is missing from the data")
    owner = {it: c for c, its in spec.constructs.items() for it in its}
    cols = {}
    for it in spec.items:
        s = data[it]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(float)
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna() & s.notna()
        if bad.any():
            rows = _examples(bad)
            vals = [repr(s[r]) for r in bad[bad].index[:3]]
            raise DataError(
                f"item {it!r} of construct {owner[it]!r} has non-numeric answers, e.g. rows "
                f"{rows} with values {vals}")
        cols[it] = num.astype(float)
    items = pd.DataFrame(cols, index=data.index)
    miss = items.isna().sum()
    keep = items.notna().all(axis=1)
    for e in extra:
        keep &= data[e].notna()
    used = items[keep]
    if len(used) < min_rows:
        raise DataError(f"only {len(used)} complete rows (of {len(items)}) for the model items; "
                        f"need at least {min_rows}")
    sd = used.std(ddof=0)
    const = [it for it in spec.items if not np.isfinite(sd[it]) or sd[it] == 0]
    if const:
        desc = "; ".join(f"item {it!r} of construct {owner[it]!r} (always {used[it].iloc[0]:g})"
                         for it in const)
        raise DataError(f"constant items carry no information: {desc}")
    return PreparedData(items=used, index=used.index, n_total=len(items), n_used=len(used),
                        missing_by_item={k: int(v) for k, v in miss.items()})


def load_survey(path, sheet=None) -> pd.DataFrame:
    """Read a respondent-level survey (CSV, Excel or Parquet; any columns) for a model.

    Uses :func:`crmlab.core.datasets.read_table` (delimiter sniffing, UTF-8/GBK; ``sheet``: the sheet of an
    Excel workbook, by name or position from 0, default the first) and drops an unnamed leading row-number
    column such as R's ``write.csv`` or a spreadsheet's index adds.
    """
    from crmlab.core import datasets

    df = datasets.read_table(datasets.resolve_path(path), sheet=sheet)
    unnamed = [c for c in df.columns if str(c) == "" or str(c).startswith("Unnamed: ")]
    return df.drop(columns=unnamed)


def summated_scores(items: pd.DataFrame, model) -> pd.DataFrame:
    """Raw construct scores: the mean of each construct's items (answer-scale units)."""
    spec = parse_model(model)
    return pd.DataFrame({c: items[list(its)].mean(axis=1) for c, its in spec.constructs.items()},
                        index=items.index)
