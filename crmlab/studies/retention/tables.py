"""Readable display copies of study 4's result tables (never saved: saved tables keep their stable
names and full precision).

One rule set for every table of the study, built on :func:`crmlab.report.narrative.readable`:
an estimate and its interval in one ``<estimate> [CI]`` column, effects in their unit (percentage points for
a yes/no outcome, money for a money outcome), shares as percentages, p-values with
:func:`~crmlab.report.fmt.fmt_p`, other numbers to three significant digits, names of columns and values from
the codebook (model terms as ``Contract: One year``), headers in the current language with the currency or the
unit of time where the column holds one.
"""
from __future__ import annotations

import re

import pandas as pd

from crmlab.report.fmt import currency_unit, fmt_money, fmt_num
from crmlab.report.i18n import current_lang, term
from crmlab.report.narrative import interval, pct
from crmlab.report.narrative import readable as _narrative_readable
from crmlab.studies.retention.sentences_experiment import when
from crmlab.studies.retention.text import (
    arm_name,
    effect_text,
    effect_value,
    is_money,
    learner_name,
    level_text,
    model_name,
    money_header,
    money_interval,
    term_label,
    time_header,
    with_time,
)

#: (estimate, low, high) columns shown as one "estimate [low, high]" column; the first trio present is used
INTERVALS = (("estimate", "ci_low", "ci_high"), ("diff", "ci_low", "ci_high"), ("hr", "ci_low", "ci_high"),
             ("net_value", "ci_low", "ci_high"), ("median", "median_ci_low", "median_ci_high"),
             ("auc", "auc_ci_low", "auc_ci_high"))
#: columns holding shares or relative changes, shown as percentages
PERCENT = ("fraction", "lift", "variance_reduction", "share_observed", "share_expected", "churn_rate",
           "share_targeted", "cumulative_gain", "base_rate", "retention_1", "p_churn", "share_contacted")
#: shares on a grid (5%, 10%, ...), shown without decimals
WHOLE_PERCENT = ("fraction", "share_targeted")
#: p-value columns
P_COLUMNS = ("p", "p_holm", "p_not_better")
#: columns whose values are names shown in the current language
WORDS = ("outcome", "kind", "method", "arm", "stratum", "group", "segment_variable", "segment_level", "data_table",
         "role")
#: columns of money and of time (their headers carry the currency or the unit of time)
MONEY = ("incremental_value", "cost", "net_value", "budget", "value", "value_at_risk", "residual_value")
TIME = ("median", "rmst", "diff", "tau", "mean_tenure", "remaining_weibull", "remaining_loglogistic", "derl")


def _ci() -> str:
    return " [置信区间]" if current_lang() == "zh" else " [CI]"


def amount(v) -> str:
    """An amount for a table cell whose header carries the currency: ``0.30``, ``6,354``."""
    if pd.isna(v):
        return "-"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.2f}"


def nowrap(out: pd.DataFrame) -> pd.DataFrame:
    """Headers that a narrow screen does not break into a tall header row: in Chinese never inside a header (its
    spaces made non-breaking), in English not before ``[CI]`` or a unit in brackets."""
    nb, joiner = "\u00a0", "\u2060"

    def one(h):
        if not isinstance(h, str):
            return h
        if current_lang() == "zh":  # no break at a space or next to a bracket: the header stays on one line
            return re.sub(r"(?=[（(\[])|(?<=[）)\]])", joiner, h.replace(" ", nb)).strip(joiner)
        return h.replace(" [", nb + "[").replace(" (", nb + "(")
    return out.rename(columns=one)


def units(out: pd.DataFrame, money=MONEY, time=TIME) -> pd.DataFrame:
    """Headers of a readable table with the currency or the unit of time (``net value ($) [CI]``)."""
    names = {}
    for cols, add in ((money, money_header), (time, time_header)):
        for c in cols:
            head = term(c)
            names[head] = add(head)
            names[head + _ci()] = add(head) + _ci()
    return out.rename(columns={k: v for k, v in names.items() if k in out.columns})


def _arms(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with the arm column in words (:func:`.text.arm_name`)."""
    out = df.copy()
    if "arm" in out.columns:
        out["arm"] = out["arm"].map(arm_name)
    return out


def readable(df: pd.DataFrame, *, index_words: bool = False) -> pd.DataFrame:
    """The reader's copy of a result table of this study (the input is not changed).

    ``lift`` next to an ``estimate`` is a relative change (``+72.1%``); without one (the churn lift
    table) it is a ratio to the average rate, shown as a number under its own header. Index labels
    are shown in the current language with ``index_words`` or when the index is named after a
    word column.
    """
    out = _arms(df)
    if "model" in out.columns:
        out["model"] = out["model"].map(model_name)
    if "learner" in out.columns:
        out["learner"] = out["learner"].map(learner_name)
    if "term" in out.columns:
        out["term"] = out["term"].map(term_label)
    if "lift" in out.columns and "estimate" not in out.columns:
        out = out.rename(columns={"lift": "lift_ratio"})
    if "auc_fold_sd" in out.columns:
        out = out.drop(columns="auc_fold_sd")
    trio = next((t for t in INTERVALS if set(t) <= set(out.columns)), None)
    percent = [c for c in PERCENT if c in out.columns and pd.api.types.is_numeric_dtype(out[c])]
    for c in MONEY:
        if c in out.columns and c not in (trio or ()) and pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].map(amount)
    shown = _narrative_readable(out, intervals=[trio] if trio else (), percent=percent, whole_percent=WHOLE_PERCENT,
                                sign=("estimate", "lift"), words=WORDS, p_columns=P_COLUMNS,
                                index_words=index_words or out.index.name in WORDS)
    return nowrap(units(shown))


def _readable(df, **kw) -> pd.DataFrame:
    """:func:`crmlab.report.narrative.readable` with headers that do not break (:func:`nowrap`)."""
    return nowrap(_narrative_readable(df, **kw))


def itt(table: pd.DataFrame) -> pd.DataFrame:
    """Effects per arm and outcome: arm, outcome, control level, effect [CI] in its unit, relative lift, p."""
    out = _arms(table).assign(
        mean_control=[level_text(v, o, k) for v, o, k in zip(table["mean_control"], table["outcome"], table["kind"])],
        effect=[effect_text(e, lo, hi, o, k) for e, lo, hi, o, k in
                zip(table["estimate"], table["ci_low"], table["ci_high"], table["outcome"], table["kind"])])
    out = out.rename(columns={"effect": "effect_ci"})
    cols = ["arm", "outcome", "mean_control", "effect_ci", "lift", "p", "p_holm", "method"]
    return _readable(out[cols], percent=("lift",), sign=("lift",), words=("arm", "outcome", "method"),
                     p_columns=P_COLUMNS)


def segments(seg: pd.DataFrame) -> pd.DataFrame:
    """Effects within segments: segmented by, segment, customers per arm, effect [CI] in its unit, Holm p."""
    out = seg.rename(columns={"segment": "segment_variable", "level": "segment_level"})
    out = out.assign(effect_ci=[effect_text(e, lo, hi, o, k) for e, lo, hi, o, k in
                                zip(seg["estimate"], seg["ci_low"], seg["ci_high"], seg["outcome"], seg["kind"])])
    cols = ["segment_variable", "segment_level", "n_treated", "n_control", "effect_ci", "p_holm"]
    return _readable(out[cols], words=("segment_variable", "segment_level"), p_columns=P_COLUMNS)


def cuped(table: pd.DataFrame, kinds: dict) -> pd.DataFrame:
    """Regression-adjusted effects beside the unadjusted ones, in the outcome's unit, and the variance reduction."""
    def kind(o):
        return kinds.get(o, "continuous")
    out = _arms(table).assign(effect_ci=[effect_text(e, lo, hi, o, kind(o)) for e, lo, hi, o in
                                  zip(table["estimate"], table["ci_low"], table["ci_high"], table["outcome"])],
                       estimate_unadjusted=[effect_value(e, o, kind(o)) for e, o in
                                            zip(table["estimate_unadjusted"], table["outcome"])])
    cols = ["arm", "outcome", "effect_ci", "estimate_unadjusted", "p", "variance_reduction"]
    return _readable(out[cols], percent=("variance_reduction",), words=("arm", "outcome"), p_columns=P_COLUMNS)


def km_at(table: pd.DataFrame) -> pd.DataFrame:
    """Share still a customer per group (rows) after each time (columns with their unit)."""
    out = table.copy()
    out.columns = [with_time(c) for c in out.columns]
    out = out.map(lambda v: pct(v) if pd.notna(v) else "-")
    out.index = pd.Index([term(v) for v in out.index], name=term("group"))
    return nowrap(out)


def risk_top(rank: pd.DataFrame) -> pd.DataFrame:
    """The customers with the highest value at risk: rank first, pseudonyms, P(churn) and money."""
    return readable(rank[["rank", "customer", "p_churn", "value", "value_at_risk"]])


# --------------------------------------------------------------------------- tables added by issue #16
def ph_check(ph: pd.DataFrame) -> pd.DataFrame:
    """The proportional-hazards check (``term, chisq, df, p``), terms in the current language."""
    return _readable(ph.assign(term=ph["term"].map(term_label)), p_columns=("p",))


def _lift_ci(lift, low, high) -> str:
    return f"{pct(lift, sign=True)} [{pct(low)}, {pct(high)}]"


def sequential(summary: pd.DataFrame, kinds: dict | None = None) -> pd.DataFrame:
    """When each effect could be called, and the last look's confidence sequence beside the fixed-horizon interval
    (in the outcome's unit: percentage points for a yes/no outcome, money for a money outcome)."""
    kinds = kinds or {}
    out = _arms(summary)
    out["first_time"] = out["first_time"].map(lambda t: "-" if pd.isna(t) else when(t))
    out["naive_first_look"] = out["naive_first_look"].map(lambda v: "-" if pd.isna(v) else f"{int(v)}")
    out["cs"] = [effect_text(e, lo, hi, o, kinds.get(o, "continuous")) for e, lo, hi, o in
                 zip(out["estimate"], out["ci_low"], out["ci_high"], out["outcome"])]
    out["fixed"] = [effect_text(e, lo, hi, o, kinds.get(o, "continuous")) for e, lo, hi, o in
                    zip(out["estimate"], out["fixed_ci_low"], out["fixed_ci_high"], out["outcome"])]
    cols = ["outcome", "arm", "first_time", "naive_first_look", "cs", "fixed", "p_anytime", "width_ratio"]
    return _readable(out[cols], words=("outcome", "arm"), p_columns=("p_anytime",))


def aa(table: pd.DataFrame) -> pd.DataFrame:
    """The A/A false-alarm rates as percentages."""
    return _readable(table, percent=("error", "mc_se"), words=("method",))


def ratio(table: pd.DataFrame) -> pd.DataFrame:
    """Ratio effects: metric, arm, control and treated ratio, difference [CI], relative lift [CI], p, variance
    reduction."""
    out = _arms(table).assign(lift_ci=[_lift_ci(*v) for v in zip(table["lift"], table["lift_ci_low"],
                                                             table["lift_ci_high"])],
                       metric=[f"{term(a)}/{term(b)}" for a, b in zip(table["numerator"], table["denominator"])])
    cash = [is_money(a) and not is_money(b) for a, b in zip(table["numerator"], table["denominator"])]
    for c in ("ratio_control", "ratio_treated"):
        out[c] = [fmt_money(v) if m else fmt_num(v) for v, m in zip(table[c], cash)]
    out["effect_ci"] = [money_interval(e, lo, hi, sign=True) if m else interval(e, lo, hi, sign=True)
                        for e, lo, hi, m in zip(table["estimate"], table["ci_low"], table["ci_high"], cash)]
    cols = ["metric", "arm", "ratio_control", "ratio_treated", "effect_ci", "lift_ci", "p", "variance_reduction"]
    return _readable(out[cols], percent=("variance_reduction",), words=("arm",))


def design(table: pd.DataFrame) -> pd.DataFrame:
    """Customers needed per arm: a rate's effect in percentage points, a mean's as it is."""
    out = table.assign(effect=[effect_value(e, "", "binary") if o == "rate" else fmt_num(e)
                               for e, o in zip(table["effect"], table["outcome"])])
    return readable(out)


def budget(summary: pd.DataFrame) -> pd.DataFrame:
    """The budgeted policy (one row of :meth:`~crmlab.targeting.BudgetPolicy.summary`)."""
    cols = ["budget", "n_contacts", "share_contacted", "cost", "incremental_value", "net_value", "ci_low", "ci_high",
            "roi"]
    return readable(summary[cols].assign(n_contacts=summary["n_contacts"].round().astype(int)))


def cif(at: pd.DataFrame) -> pd.DataFrame:
    """Cumulative incidence per reason and group (rows) and time (columns), as percentages; the true value in
    brackets when the data are simulated."""
    show = at.assign(value=[pct(c) + (f" ({pct(t)})" if "cif_true" in at.columns else "")
                            for c, t in zip(at["cif"], at.get("cif_true", at["cif"]))])
    show["column"] = [with_time(t) for t in show["time"]]
    show["row"] = [f"{term(c)} | {term(g)}" for c, g in zip(show["cause"], show["group"])]
    show = show.sort_values(["cause"], kind="stable")
    wide = show.pivot(index="row", columns="column", values="value")
    wide = wide.loc[list(dict.fromkeys(show["row"])), list(dict.fromkeys(show["column"]))]
    wide.index.name = f"{term('cause')} | {term('group')}"
    wide.columns.name = None
    return nowrap(wide)


def gray(tests: pd.DataFrame) -> pd.DataFrame:
    """Gray's test per reason."""
    return _readable(tests, words=("cause",), p_columns=("p",))


def cr_regression(reg: pd.DataFrame) -> pd.DataFrame:
    """Cause-specific and subdistribution hazard ratios side by side (with the truth when simulated)."""
    out = reg.rename(columns={"hr": "cs_hr", "hr_ci_low": "cs_low", "hr_ci_high": "cs_high"})
    out["term"] = out["term"].map(term_label)
    cols = ["cause", "term", *(["hr_true"] if "hr_true" in out.columns else []), "cs_hr", "cs_low", "cs_high", "shr",
            "shr_ci_low", "shr_ci_high"]
    return _readable(out[cols], intervals=[("cs_hr", "cs_low", "cs_high"), ("shr", "shr_ci_low", "shr_ci_high")],
                     words=("cause",))


def aft_comparison(comp: pd.DataFrame) -> pd.DataFrame:
    """Cox and the AFT models side by side."""
    out = comp.assign(model=[term(f"aft_{m}") for m in comp["model"]])
    return _readable(out, words=("likelihood",), sig=4)


def aft_coefficients(coefs: pd.DataFrame) -> pd.DataFrame:
    """Hazard ratios and time ratios per term."""
    return readable(coefs)


def remaining(rem: pd.DataFrame) -> pd.DataFrame:
    """Expected remaining time of the active customers per group."""
    return readable(rem.rename(columns={"segment": "group"}))


def sbg(table: pd.DataFrame) -> pd.DataFrame:
    """The sBG fits per group: customers, churned, α and β, first-period retention, DERL and residual value."""
    cols = ["group", "customers", "churned", "alpha", "beta", "retention_1", "derl", "residual_value"]
    out = table[cols].copy()
    if out["residual_value"].isna().all():
        out = out.drop(columns="residual_value")
    return readable(out)


def variables(table: pd.DataFrame) -> pd.DataFrame:
    """The variables appendix: code, table, role, labels and unit (codes shown as they are)."""
    out = table.assign(unit=[(currency_unit() or term(u)) if u == "money" else term(u) if u else ""
                             for u in table["unit"]])
    return _readable(out, words=("data_table", "role"))
