"""Shared input handling of the survival estimators: validation and the design matrix.

Categorical covariates (object, string, category or bool dtype) become treatment
dummies named ``"column=level"`` with the first level (sorted, or the category
order) as reference, the coding of ``pd.get_dummies(drop_first=True,
prefix_sep="=")`` and of R's default contrasts for a factor. ``assign`` maps each
covariate (term) to its design columns, as R's ``attr(model.matrix, "assign")``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError

__all__ = ["check_columns", "design_levels", "design_matrix", "event_indicator", "numeric_column", "rows_1based"]


def rows_1based(mask, k=5):
    """The first ``k`` 1-based row numbers where ``mask`` is true."""
    return (np.flatnonzero(np.asarray(mask)) + 1)[:k].tolist()


def check_columns(df, columns, source):
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise DataError(f"{source}: column(s) {missing} not found; columns are {list(df.columns)}")


def numeric_column(df, col, source, *, nonnegative=False, positive=False):
    """A column as float, refusing missing / non-numeric / negative values with their 1-based rows."""
    x = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(x)
    if bad.any():
        raise DataError(f"{source}: column {col!r} is missing or not numeric at rows {rows_1based(bad)} "
                        f"(1-based; {int(bad.sum())} rows); drop or fill those rows")
    if nonnegative and (x < 0).any():
        raise DataError(f"{source}: column {col!r} is negative at rows {rows_1based(x < 0)} (1-based)")
    if positive and (x <= 0).any():
        raise DataError(f"{source}: column {col!r} must be positive but is <= 0 at rows {rows_1based(x <= 0)} "
                        f"(1-based; {int((x <= 0).sum())} rows); drop them or add a small offset")
    return x


def event_indicator(df, col, source):
    """A 0/1 (or boolean) event column as an int array."""
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy().astype(int)
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(v, [0.0, 1.0])
    if bad.any():
        raise DataError(f"{source}: event column {col!r} must hold 0/1 but has {list(s[bad].iloc[:3])} at rows "
                        f"{rows_1based(bad)} (1-based); encode it first (crmlab.survival.encode_event)")
    return v.astype(int)


def _is_categorical(s):
    return not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def design_levels(df, covariates):
    """``{covariate: levels}`` of the categorical covariates (first level = reference)."""
    out = {}
    for c in covariates:
        s = df[c]
        if _is_categorical(s):
            if isinstance(s.dtype, pd.CategoricalDtype):
                present = set(s.dropna().unique())
                out[c] = [str(v) for v in s.cat.categories if v in present]
            else:
                out[c] = sorted(s.dropna().astype(str).unique())
    return out


def design_matrix(df, covariates, source="model", levels=None):
    """Design matrix (float DataFrame) and ``assign`` {covariate: [design columns]}.

    Numeric covariates enter as they are; categorical ones as treatment dummies
    ``"column=level"`` (first level the reference; ``levels`` fixes them, e.g.
    those of the data a model was fitted on). Missing values and levels not in
    ``levels`` raise :class:`DataError` naming the column and the 1-based rows.
    """
    check_columns(df, covariates, source)
    cols, assign = {}, {}
    for c in covariates:
        s = df[c]
        if s.isna().any():
            raise DataError(f"{source}: covariate {c!r} is missing at rows {rows_1based(s.isna())} (1-based; "
                            f"{int(s.isna().sum())} rows); drop or impute them")
        if _is_categorical(s):
            cat = s.astype(str)
            levs = levels[c] if levels and c in levels else design_levels(df, [c])[c]
            unseen = ~cat.isin(levs)
            if unseen.any():
                raise DataError(f"{source}: covariate {c!r} has levels {sorted(cat[unseen].unique())[:5]} at rows "
                                f"{rows_1based(unseen)} (1-based) that the model does not know; it knows {levs}")
            if len(levs) < 2:
                raise DataError(f"{source}: covariate {c!r} has a single level {levs}; drop it from the covariates")
            names = []
            for lev in levs[1:]:
                name = f"{c}={lev}"
                cols[name] = (cat == lev).to_numpy(dtype=float)
                names.append(name)
            assign[c] = names
        else:
            cols[c] = s.to_numpy(dtype=float)
            assign[c] = [c]
    return pd.DataFrame(cols, index=df.index), assign
