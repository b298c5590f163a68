"""Readable copies of the satisfaction-loyalty study's tables (what the reader sees; never saved).

Each function takes the table as computed and returns the display copy made by
:func:`crmlab.report.narrative.readable`: every estimate joined with its 95% interval, p-values as
``< 0.001``, numbers to significant digits, headers and known values in the current language.
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import term
from crmlab.report.narrative import readable
from crmlab.studies.loyalty.text import score_label

__all__ = [
    "P_COLUMNS",
    "cbsem_paths",
    "copula",
    "htmt",
    "ipma_indicators",
    "measurement",
    "mediation",
    "micom",
    "multigroup",
    "not_loyal",
    "penalty_reward",
    "pls_paths",
    "plspredict",
    "shape_fit",
    "typology",
]

#: Columns of the study's tables that hold p-values.
P_COLUMNS = ("p", "p_value", "p_asymmetry", "normality_p", "p_joint", "p_composition", "p_mean", "p_logvar")


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


def _yes_no(v) -> str:
    return "-" if v is None or (isinstance(v, float) and pd.isna(v)) else term("yes" if v else "no")


def multigroup(tests: pd.DataFrame) -> pd.DataFrame:
    """Permutation tests of the path differences between groups, one row per path and pair of groups (with
    MICOM's verdict in ``interpretable`` when present)."""
    df = tests.set_index("path")
    if "interpretable" in df:
        df = df.assign(interpretable=df["interpretable"].map(_yes_no))
    return _read(df, words=["group_a", "group_b"])


def plspredict(table: pd.DataFrame) -> pd.DataFrame:
    """PLSpredict metrics, one row per endogenous item."""
    return _read(table.set_index("item"))


def copula(table: pd.DataFrame) -> pd.DataFrame:
    """The copula check, one row per structural path; predictors with normal scores show ``-`` (no term)."""
    df = table.set_index("path").rename(columns={"estimate": "copula", "p_value": "p"})
    cols = ["normality_p", "copula", "ci_low", "ci_high", "p"] + (["p_joint"] if df["p_joint"].notna().any() else []) \
        + ["path_estimate", "path_with_copula"]
    return _read(df[cols], intervals=[("copula", "ci_low", "ci_high")])


def _range(lo, hi) -> str:
    return f"[{fmt_num(lo)}, {fmt_num(hi)}]"


def micom(table: pd.DataFrame) -> pd.DataFrame:
    """MICOM, one row per construct (and pair of groups when there are several): c and its quantile to four
    significant digits (they differ in the third decimal), the permutation ranges as ``[low, high]``."""
    df = table.set_index("construct").copy()
    for c in ("c", "c_quantile"):
        df[c] = df[c].map(lambda v: fmt_num(v, 4))
    df["mean_range"] = [_range(a, b) for a, b in zip(df["mean_low"], df["mean_high"])]
    df["logvar_range"] = [_range(a, b) for a, b in zip(df["logvar_low"], df["logvar_high"])]
    cols = (["groups"] if df["groups"].nunique() > 1 else []) + [
        "c", "c_quantile", "p_composition", "mean_diff", "mean_range", "p_mean", "logvar_diff", "logvar_range",
        "p_logvar", "invariance"]
    return _read(df[cols], words=["invariance"])


def ipma_indicators(table: pd.DataFrame) -> pd.DataFrame:
    """Indicator-level IPMA, one row per item (``negative_weight`` only when some weight is negative)."""
    df = table.set_index("item").rename(columns={"performance": "performance_0_100"})
    cols = ["construct", "rescaled_weight", "importance", "performance_0_100"]
    if df["negative_weight"].any():
        df = df.assign(negative_weight=df["negative_weight"].map(_yes_no))
        cols.append("negative_weight")
    return _read(df[cols])
