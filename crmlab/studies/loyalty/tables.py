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
from crmlab.studies.common.hygiene import hygiene_table
from crmlab.studies.loyalty.text import chain_name, name, pair_name, path_name, score_label

__all__ = [
    "P_COLUMNS",
    "constructs",
    "hygiene",
    "variables",
    "without_flagged",
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


def _index(df: pd.DataFrame, how) -> pd.DataFrame:
    """``df`` with its index labels named for a reader by ``how`` (:func:`.text.path_name`, ...)."""
    out = df.copy()
    out.index = pd.Index([how(v) for v in out.index], name=out.index.name)
    return out


def measurement(table: pd.DataFrame) -> pd.DataFrame:
    """Reliability table (index construct, by name)."""
    return _read(_index(table, name))


def htmt(boot_htmt: pd.DataFrame) -> pd.DataFrame:
    """HTMT of each pair (index ``A|B``) with its bootstrap interval, mean and standard error."""
    df = boot_htmt.drop(columns=[c for c in ("t",) if c in boot_htmt.columns])
    df = df.rename(columns={"original": "HTMT", "mean": "bootstrap_mean"}).rename_axis("pair")
    return _read(_index(df, pair_name), intervals=[("HTMT", "ci_low", "ci_high")])


def pls_paths(summary: pd.DataFrame) -> pd.DataFrame:
    """PLS paths from :meth:`crmlab.sem.PLSPM.summary` (with bootstrap columns), one row per path named
    ``Source → Target`` (the source and target columns are then redundant and left out)."""
    df = _index(summary.set_index("path").drop(columns=["source", "target"], errors="ignore"), path_name)
    return _read(df, intervals=[("estimate", "ci_low", "ci_high")])


def cbsem_paths(paths: pd.DataFrame) -> pd.DataFrame:
    """CB-SEM structural paths, one row per path (``Source → Target``)."""
    return _read(_index(paths.set_index("path"), path_name))


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
    """Jones & Sasser types (rows) with respondents and share (as a percentage)."""
    return readable(table.set_index("type"), percent=["share"], p_columns=P_COLUMNS, index_words=True)


def penalty_reward(table: pd.DataFrame) -> pd.DataFrame:
    """Penalty-reward contrast analysis, one row per attribute (by name)."""
    return _read(_index(table.set_index("attribute"), name), words=["factor"])


def mediation(table: pd.DataFrame) -> pd.DataFrame:
    """Indirect effects, one row per chain (``Image → Expectations → Satisfaction``), each with its bootstrap
    interval (the source and target columns are in the chain and left out)."""
    df = _index(table.set_index("chain").drop(columns=["source", "target"], errors="ignore"), chain_name)
    return _read(df, intervals=[("estimate", "ci_low", "ci_high")])


def _yes_no(v) -> str:
    return "-" if v is None or (isinstance(v, float) and pd.isna(v)) else term("yes" if v else "no")


def multigroup(tests: pd.DataFrame) -> pd.DataFrame:
    """Permutation tests of the path differences between groups, one row per path and pair of groups (with
    MICOM's verdict in ``interpretable`` when present)."""
    df = _index(tests.set_index("path"), path_name)
    if "interpretable" in df:
        df = df.assign(interpretable=df["interpretable"].map(_yes_no))
    return _read(df, words=["group_a", "group_b"])


def plspredict(table: pd.DataFrame) -> pd.DataFrame:
    """PLSpredict metrics, one row per endogenous item (items and constructs by name)."""
    return _read(_index(table.set_index("item"), name), words=["construct"])


def copula(table: pd.DataFrame) -> pd.DataFrame:
    """The copula check, one row per structural path; predictors with normal scores show ``-`` (no term)."""
    df = _index(table.set_index("path"), path_name).rename(columns={"estimate": "copula", "p_value": "p"})
    cols = ["normality_p", "copula", "ci_low", "ci_high", "p"] + (["p_joint"] if df["p_joint"].notna().any() else []) \
        + ["path_estimate", "path_with_copula"]
    return _read(df[cols], intervals=[("copula", "ci_low", "ci_high")])


def _range(lo, hi) -> str:
    return f"[{fmt_num(lo)}, {fmt_num(hi)}]"


def micom(table: pd.DataFrame) -> pd.DataFrame:
    """MICOM, one row per construct (and pair of groups when there are several): c and its quantile to four
    significant digits (they differ in the third decimal), the permutation ranges as ``[low, high]``."""
    df = _index(table.set_index("construct"), name)
    df["groups"] = [" – ".join(name(g) for g in str(v).split("-", 1)) for v in df["groups"]]
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
    df = _index(table.set_index("item"), name).rename(columns={"performance": "performance_0_100"})
    cols = ["construct", "rescaled_weight", "importance", "performance_0_100"]
    if df["negative_weight"].any():
        df = df.assign(negative_weight=df["negative_weight"].map(_yes_no))
        cols.append("negative_weight")
    return _read(df[cols], words=["construct"])


#: :meth:`crmlab.survey.HygieneReport.summary`: reasons and what was done to them in words
hygiene = hygiene_table


def without_flagged(table: pd.DataFrame, rows=None) -> pd.DataFrame:
    """:func:`.steps.without_flagged` ``table`` (only ``rows`` when given: its ``headline``): one row per result
    by name (``Satisfaction → Loyalty``, ``R² of Loyalty``), the values with and without the flagged
    respondents and the 95% interval of the result on all respondents; shares as percentages."""
    if rows is not None:
        table = table.loc[list(rows)]
    from crmlab.report.i18n import pick
    from crmlab.report.narrative import pct

    def row_name(key: str) -> str:
        if key.startswith("path:"):
            return path_name(key[5:])
        if key.startswith("r2:"):
            return pick(en=f"R² of {name(key[3:])}", zh=f"{name(key[3:])}的 R²")
        return {"not_loyal_merely": pick(en="not loyal among the merely satisfied", zh="仅仅满意者中的不忠诚比例"),
                "not_loyal_completely": pick(en="not loyal among the completely satisfied",
                                             zh="完全满意者中的不忠诚比例")}.get(key, term(key))

    def cell(key, v) -> str:
        if v is None or v != v:
            return "-"
        if key == "respondents":
            return f"{int(v):,}"
        return pct(v, 0) if key.startswith("not_loyal") else fmt_num(v, 3)

    shown = pd.DataFrame({"with_flagged": [cell(k, v) for k, v in table["with_flagged"].items()],
                          "without_flagged": [cell(k, v) for k, v in table["without_flagged"].items()],
                          "interval_all": [("-" if lo != lo else f"[{cell(k, lo)}, {cell(k, hi)}]")
                                           for k, lo, hi in zip(table.index, table["ci_low"], table["ci_high"])]},
                         index=pd.Index([row_name(k) for k in table.index], name="result"))
    return readable(shown, p_columns=())


def variables(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`.inputs.variables_table`: code, label in the report's language, construct (label and code), role,
    scale (``0-10``) and where it comes from, reverse keying in words."""
    from crmlab.report.i18n import current_lang

    label_col = "label_zh" if current_lang() == "zh" else "label_en"
    shown = pd.DataFrame({
        "variable": table.index,
        "label": [lab if isinstance(lab, str) and lab else "-" for lab in table[label_col]],
        "construct": [f"{name(c)} ({c})" if c and name(c) != c else (c or "-") for c in table["construct"]],
        "role": [term("model_item" if r == "item" else r) for r in table["role"]],
        "scale": ["-" if lo != lo else f"{lo:g}-{hi:g}" for lo, hi in zip(table["scale_min"], table["scale_max"])],
        "scale_source": [term(s) if s else "-" for s in table["scale_source"]],
        "reverse": [term("yes" if r else "no") for r in table["reverse"]],
    })
    return readable(shown, p_columns=())


def constructs(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`.inputs.constructs_table`: code, label in the report's language, measurement in words, items and
    structural predictors."""
    from crmlab.report.i18n import current_lang

    label_col = "label_zh" if current_lang() == "zh" else "label_en"
    shown = pd.DataFrame({
        "code": table.index,
        "label": [lab if isinstance(lab, str) and lab else "-" for lab in table[label_col]],
        "measurement": [term(m) for m in table["measurement"]],
        "items": table["items"].to_numpy(), "predictors": table["predictors"].to_numpy()})
    return readable(shown, p_columns=())
