"""Readable display copies of study 4's result tables (never saved: saved tables keep their stable
names and full precision).

One rule set for every table of the study, built on :func:`crmlab.report.narrative.readable`:
an estimate and its interval in one ``<estimate> [CI]`` column (the first of :data:`INTERVALS`
present), shares as percentages (:data:`PERCENT`; ``lift`` with its sign when it is a relative
change next to an effect estimate), p-values with :func:`~crmlab.report.fmt.fmt_p`, other numbers
to three significant digits, known words (arms, outcomes, strata, models, learners) and headers in
the current language.
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import term
from crmlab.report.narrative import pct
from crmlab.report.narrative import readable as _readable
from crmlab.studies.retention.sentences_experiment import when
from crmlab.studies.retention.text import learner_name, model_name

#: (estimate, low, high) columns shown as one "estimate [low, high]" column; the first trio present is used
INTERVALS = (("estimate", "ci_low", "ci_high"), ("diff", "ci_low", "ci_high"), ("hr", "ci_low", "ci_high"),
             ("net_value", "ci_low", "ci_high"), ("median", "median_ci_low", "median_ci_high"))
#: columns holding shares or relative changes, shown as percentages
PERCENT = ("fraction", "lift", "variance_reduction", "share_observed", "share_expected", "churn_rate",
           "share_targeted", "cumulative_gain", "base_rate")
#: shares on a grid (5%, 10%, ...), shown without decimals
WHOLE_PERCENT = ("fraction", "share_targeted")
#: p-value columns
P_COLUMNS = ("p", "p_holm", "p_not_better")
#: columns whose values are names shown in the current language
WORDS = ("outcome", "kind", "method", "segment", "arm", "stratum", "group")


def readable(df: pd.DataFrame, *, index_words: bool = False) -> pd.DataFrame:
    """The reader's copy of a result table of this study (the input is not changed).

    ``lift`` next to an ``estimate`` is a relative change (``+72.1%``); without one (the churn lift
    table) it is a ratio to the average rate, shown as a number under its own header. Index labels
    are shown in the current language with ``index_words`` or when the index is named after a
    word column.
    """
    out = df.copy()
    if "model" in out.columns:
        out["model"] = out["model"].map(model_name)
    if "learner" in out.columns:
        out["learner"] = out["learner"].map(learner_name)
    if "lift" in out.columns and "estimate" not in out.columns:
        out = out.rename(columns={"lift": "lift_ratio"})
    trio = next((t for t in INTERVALS if set(t) <= set(out.columns)), None)
    percent = [c for c in PERCENT if c in out.columns and pd.api.types.is_numeric_dtype(out[c])]
    return _readable(out, intervals=[trio] if trio else (), percent=percent, whole_percent=WHOLE_PERCENT,
                     sign=("estimate", "lift"), words=WORDS, p_columns=P_COLUMNS,
                     index_words=index_words or out.index.name in WORDS)


# --------------------------------------------------------------------------- tables added by issue #16
def ph_check(ph: pd.DataFrame) -> pd.DataFrame:
    """The proportional-hazards check (``term, chisq, df, p``), terms in the current language."""
    return _readable(ph, words=("term",), p_columns=("p",))


def _lift_ci(lift, low, high) -> str:
    return f"{pct(lift, sign=True)} [{pct(low)}, {pct(high)}]"


def sequential(summary: pd.DataFrame) -> pd.DataFrame:
    """When each effect could be called, and the last look's confidence sequence beside the fixed-horizon interval."""
    out = summary.rename(columns={"estimate": "cs"}).assign(fixed=summary["estimate"])
    out["first_time"] = out["first_time"].map(lambda t: "-" if pd.isna(t) else when(t))
    out["naive_first_look"] = out["naive_first_look"].map(lambda v: "-" if pd.isna(v) else f"{int(v)}")
    cols = ["outcome", "arm", "first_time", "naive_first_look", "cs", "ci_low", "ci_high", "fixed", "fixed_ci_low",
            "fixed_ci_high", "p_anytime", "width_ratio"]
    return _readable(out[cols], intervals=[("cs", "ci_low", "ci_high"), ("fixed", "fixed_ci_low", "fixed_ci_high")],
                     words=("outcome", "arm"), p_columns=("p_anytime",), sign=("cs", "fixed"))


def aa(table: pd.DataFrame) -> pd.DataFrame:
    """The A/A false-alarm rates as percentages."""
    return _readable(table, percent=("error", "mc_se"), words=("method",))


def ratio(table: pd.DataFrame) -> pd.DataFrame:
    """Ratio effects: metric, arm, control and treated ratio, difference [CI], relative lift [CI], p, variance
    reduction."""
    out = table.assign(lift_ci=[_lift_ci(*v) for v in zip(table["lift"], table["lift_ci_low"],
                                                             table["lift_ci_high"])],
                       metric=[f"{term(a)}/{term(b)}" for a, b in zip(table["numerator"], table["denominator"])])
    cols = ["metric", "arm", "ratio_control", "ratio_treated", "estimate", "ci_low", "ci_high", "lift_ci", "p",
            "variance_reduction"]
    return _readable(out[cols], intervals=[("estimate", "ci_low", "ci_high")], percent=("variance_reduction",),
                     words=("arm",), sign=("estimate",))


def budget(summary: pd.DataFrame) -> pd.DataFrame:
    """The budgeted policy (one row of :meth:`~crmlab.targeting.BudgetPolicy.summary`)."""
    cols = ["budget", "n_contacts", "share_contacted", "cost", "incremental_value", "net_value", "ci_low", "ci_high",
            "roi"]
    out = summary[cols].assign(n_contacts=summary["n_contacts"].round().astype(int))
    return _readable(out, intervals=[("net_value", "ci_low", "ci_high")], percent=("share_contacted",))


def cif(at: pd.DataFrame) -> pd.DataFrame:
    """Cumulative incidence per reason and group (rows) and time (columns), as percentages; the true value in
    brackets when the data are simulated."""
    show = at.assign(value=[pct(c) + (f" ({pct(t)})" if "cif_true" in at.columns else "")
                            for c, t in zip(at["cif"], at.get("cif_true", at["cif"]))])
    show["column"] = [fmt_num(t) for t in show["time"]]
    show["row"] = [f"{term(c)} | {term(g)}" for c, g in zip(show["cause"], show["group"])]
    show = show.sort_values(["cause"], kind="stable")
    wide = show.pivot(index="row", columns="column", values="value")
    wide = wide.loc[list(dict.fromkeys(show["row"])), list(dict.fromkeys(show["column"]))]
    wide.index.name = f"{term('cause')} | {term('group')}"
    wide.columns.name = term("time")
    return wide


def gray(tests: pd.DataFrame) -> pd.DataFrame:
    """Gray's test per reason."""
    return _readable(tests, words=("cause",), p_columns=("p",))


def cr_regression(reg: pd.DataFrame) -> pd.DataFrame:
    """Cause-specific and subdistribution hazard ratios side by side (with the truth when simulated)."""
    out = reg.rename(columns={"hr": "cs_hr", "hr_ci_low": "cs_low", "hr_ci_high": "cs_high"})
    cols = ["cause", "term", *(["hr_true"] if "hr_true" in out.columns else []), "cs_hr", "cs_low", "cs_high", "shr",
            "shr_ci_low", "shr_ci_high"]
    return _readable(out[cols], intervals=[("cs_hr", "cs_low", "cs_high"), ("shr", "shr_ci_low", "shr_ci_high")],
                     words=("cause", "term"))


def aft_comparison(comp: pd.DataFrame) -> pd.DataFrame:
    """Cox and the AFT models side by side."""
    out = comp.assign(model=[term(f"aft_{m}") for m in comp["model"]])
    return _readable(out, words=("likelihood",), sig=4)


def aft_coefficients(coefs: pd.DataFrame) -> pd.DataFrame:
    """Hazard ratios and time ratios per term."""
    return _readable(coefs)


def remaining(rem: pd.DataFrame) -> pd.DataFrame:
    """Expected remaining time of the active customers per segment."""
    return _readable(rem.rename(columns={"segment": "group"}), words=("group",))
