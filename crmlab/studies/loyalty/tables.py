"""Readable copies of the satisfaction-loyalty study's tables (what the reader sees; never saved).

Each function takes the table as computed and returns the display copy made by
:func:`crmlab.report.narrative.readable`: every estimate joined with its 95% interval, p-values as
``< 0.001``, numbers to significant digits, headers and known values in the current language.
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.narrative import readable
from crmlab.studies.loyalty.text import score_label

__all__ = [
    "P_COLUMNS",
    "cbsem_paths",
    "htmt",
    "measurement",
    "mediation",
    "multigroup",
    "not_loyal",
    "penalty_reward",
    "pls_paths",
    "shape_fit",
    "typology",
]

#: Columns of the study's tables that hold p-values.
P_COLUMNS = ("p", "p_value", "p_asymmetry")


def _read(df, **kw) -> pd.DataFrame:
    return readable(df, p_columns=P_COLUMNS, **kw)


def measurement(table: pd.DataFrame) -> pd.DataFrame:
    """Reliability table (index construct)."""
    return _read(table)


def htmt(boot_htmt: pd.DataFrame) -> pd.DataFrame:
    """HTMT of each pair (index ``A|B``) with its bootstrap interval, mean and standard error."""
    df = boot_htmt.drop(columns=[c for c in ("t",) if c in boot_htmt.columns])
    df = df.rename(columns={"original": "HTMT", "mean": "bootstrap_mean"}).rename_axis("pair")
    return _read(df, intervals=[("HTMT", "ci_low", "ci_high")])


def pls_paths(summary: pd.DataFrame) -> pd.DataFrame:
    """PLS paths from :meth:`crmlab.sem.PLSPM.summary` (with bootstrap columns), one row per path."""
    return _read(summary.set_index("path"), intervals=[("estimate", "ci_low", "ci_high")])


def cbsem_paths(paths: pd.DataFrame) -> pd.DataFrame:
    """CB-SEM structural paths, one row per path."""
    return _read(paths.set_index("path"))


def shape_fit(table: pd.DataFrame) -> pd.DataFrame:
    """The shape comparison on every kind of score (four significant digits: AIC differences are small)."""
    df = table.assign(scores=table["scores"].map(score_label)) if "scores" in table else table
    return _read(df, words=["model"], sig=4)


def not_loyal(table: pd.DataFrame) -> pd.DataFrame:
    """Not-loyal share by satisfaction level (rows: the levels) with Wilson intervals; Kotler's figures to
    two significant digits."""
    df = table.copy()
    if "kotler" in df:
        df["kotler"] = df["kotler"].map(lambda v: fmt_num(v, 2))
    df = df.rename(columns={"level": "satisfaction_level"}).set_index("satisfaction_level")
    return _read(df, intervals=[("share", "ci_low", "ci_high")], index_words=True)


def typology(table: pd.DataFrame) -> pd.DataFrame:
    """Jones & Sasser types (rows) with respondents and share."""
    return _read(table.set_index("type"), index_words=True)


def penalty_reward(table: pd.DataFrame) -> pd.DataFrame:
    """Penalty-reward contrast analysis, one row per attribute."""
    return _read(table.set_index("attribute"), words=["factor"])


def mediation(table: pd.DataFrame) -> pd.DataFrame:
    """Indirect effects, one row per chain, each with its bootstrap interval."""
    return _read(table.set_index("chain"), intervals=[("estimate", "ci_low", "ci_high")])


def multigroup(tests: pd.DataFrame) -> pd.DataFrame:
    """Permutation tests of the path differences between groups, one row per path and pair of groups."""
    return _read(tests.set_index("path"), words=["group_a", "group_b"])
