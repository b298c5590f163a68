"""Readable display copies of the study's tables (never saved): amounts, probabilities, shares and
intervals as a reader wants them, row labels and headers in the report's language, money headers with
their currency (``Mean CLV ($)``) and time headers with their unit (``Customer age T (weeks)``).

Numbers go through :mod:`crmlab.report.fmt` and :mod:`crmlab.report.narrative` (shares with
:func:`~crmlab.report.narrative.pct`, so a tiny share reads ``< 0.1%``); this module adds two rules
for cells: amounts of money (:func:`fmt_money`, the currency is in the header) and probabilities
(:func:`fmt_prob`).
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import currency_unit, fmt_num
from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import interval, missing, pct, readable as _readable
from crmlab.studies.customers.text import level_words, unit_words

#: columns holding amounts of money (3 significant digits, at most 2 decimals)
MONEY_COLUMNS = frozenset({"monetary", "monetary_value", "spend", "spend_holdout", "clv", "clv_mean", "clv_total",
                           "past_spend", "value_at_risk", "clv_campaign", "clv_counterfactual", "clv_effect",
                           "clv_total_effect"})
#: columns holding times in the summary's time unit
TIME_COLUMNS = frozenset({"recency", "T", "duration_holdout", "x_recency"})
#: columns holding probabilities (3 decimals, "< 0.001" below)
PROBABILITY_COLUMNS = frozenset({"p_alive", "p_alive_bgnbd"})
#: columns holding shares of a whole (percent, one decimal)
SHARE_COLUMNS = ("share", "value_share")
#: columns named in the RFM sense by default and in the customer-summary (x, t_x) sense by ``summary=True``
SUMMARY_SENSE = {"frequency": "x_frequency", "recency": "x_recency"}

#: Chinese descriptions of the default RFM segment rules (crmlab.rfm.SEGMENT_RULES)
SEGMENT_DESCRIPTIONS_ZH: dict[str, str] = {
    "bought recently and buy often": "最近购买过且经常购买",
    "buy regularly": "定期购买",
    "used to buy often, not lately": "过去经常购买，最近没有",
    "bought very recently, not (yet) often": "刚刚购买过，但（尚）不频繁",
    "fairly recent, infrequent": "较近购买过，购买不频繁",
    "middling recency, infrequent": "最近一次消费时间居中，购买不频繁",
    "long since the last purchase, infrequent": "距上次购买已久，购买不频繁",
    "longest since the last purchase, infrequent": "距上次购买最久，购买不频繁",
}

#: lifecycle rules (crmlab.segment.LIFECYCLE_RULES) in Chinese, by stage
LIFECYCLE_RULES_ZH: dict[str, str] = {
    "lapsed": "存活概率 P(alive) < lapsed_below",
    "new": "客户年龄 T <= new_within（首次购买发生在近期）",
    "declining": "P(alive) < declining_below，或客户年龄后半段的重复购买次数少于前半段",
    "active/growing": "客户年龄后半段的重复购买次数多于前半段",
    "mature": "其余客户：仍存活且购买节奏稳定",
}


def fmt_money(x, sig: int = 3) -> str:
    """An amount in a table cell (its currency is in the header): ``sig`` significant digits but never more
    than 2 decimals.

    >>> fmt_money(6552.7), fmt_money(33.286), fmt_money(1.6e-07), fmt_money(0.0123)
    ('6,553', '33.3', '0.00', '0.01')
    """
    if missing(x):
        return "-"
    s = fmt_num(float(x), sig)
    if "." in s and len(s.split(".")[1]) > 2:
        s = f"{float(x):,.2f}"
    return s


def fmt_prob(p) -> str:
    """A probability with 3 decimals; ``< 0.001`` below 0.001 (not 0.0000000240).

    >>> fmt_prob(0.78612), fmt_prob(2.4e-08), fmt_prob(1.0)
    ('0.786', '< 0.001', '1.000')
    """
    if missing(p):
        return "-"
    p = float(p)
    return "< 0.001" if 0 < p < 0.001 else f"{p:.3f}"


def with_unit(label: str, unit: str) -> str:
    """A header with its unit in brackets, inside the label's own brackets when it has some:
    ``Mean CLV ($)``, ``Actual (mean, $)``, ``CLV 均值（美元）``, ``消费金额（每次平均，美元）``."""
    if not unit:
        return label
    if current_lang() == "zh":
        return label[:-1] + f"，{unit}）" if label.endswith("）") else f"{label}（{unit}）"
    return label[:-1] + f", {unit})" if label.endswith(")") else f"{label} ({unit})"


def money_header(col: str) -> str:
    """A money column's header with its currency: ``Mean CLV ($)`` / ``CLV 均值（美元）`` (no unit when none)."""
    return with_unit(term(col), currency_unit())


def time_header(col: str, time_unit) -> str:
    """A time column's header with its unit: ``Customer age T (weeks)`` / ``客户年龄 T（周）``."""
    return with_unit(term(col), unit_words(time_unit)["units"])


def readable(df: pd.DataFrame | pd.Series, *, summary: bool = False, time_unit=None) -> pd.DataFrame:
    """A display copy of a study table: amounts, probabilities and shares as readable strings,
    row labels and headers in the report's language, money headers with the currency and, with
    ``time_unit``, time headers with their unit.

    Columns are recognised by their stable names (amounts :data:`MONEY_COLUMNS`, probabilities
    :data:`PROBABILITY_COLUMNS`, shares :data:`SHARE_COLUMNS`, times :data:`TIME_COLUMNS`, ``*_since_last``
    durations with one decimal); other numbers get 3 significant digits. ``summary=True`` names
    ``frequency`` and ``recency`` (columns, and row labels of an unnamed index) in the customer-summary sense
    (repeat purchases x, time of the last purchase t_x) instead of the RFM sense.
    """
    out = df.to_frame() if isinstance(df, pd.Series) else df.copy()
    for col in out.columns:
        name = str(col)
        if not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            continue
        if name in MONEY_COLUMNS:
            out[col] = out[col].map(fmt_money)
        elif name in PROBABILITY_COLUMNS:
            out[col] = out[col].map(fmt_prob)
        elif name.endswith("s_since_last"):
            out[col] = out[col].map(lambda v: "-" if missing(v) else f"{float(v):,.1f}")
    if summary:
        out = out.rename(columns=SUMMARY_SENSE)
        if out.index.name is None:
            out = out.rename(index=SUMMARY_SENSE)

    def header(c):
        c = str(c)
        if c in MONEY_COLUMNS:
            return money_header(c)
        if c in TIME_COLUMNS and time_unit is not None:
            return time_header(c, time_unit)
        return c

    out = out.rename(columns=header)
    if out.index.name is None and not isinstance(out.index, pd.MultiIndex):
        out.index = pd.Index([header(v) if isinstance(v, str) else v for v in out.index],
                             name="measure" if summary else None)
    flat = not isinstance(out.index, pd.MultiIndex)
    return _readable(out, percent=[c for c in SHARE_COLUMNS if c in out.columns], index_words=flat)


def data_rules(rules: pd.DataFrame) -> pd.DataFrame:
    """The data-rules table (index ``item``: rule or total; ``value``): each rule in words, counts with separators."""
    out = rules.copy()
    out["value"] = [f"{int(v):,}" for v in out["value"]]
    return _readable(out, index_words=True)


def clv_interval_table(value, level: float = 0.95) -> pd.DataFrame:
    """Total CLV (money) and the top-20% share (percent), each ``estimate [low, high]``."""
    from crmlab.report.fmt import fmt_money as money

    tab = value.interval.summary
    t, s = tab.loc["total"], tab.loc["top20_share"]
    head = pick(en=f"estimate [{level_words(level)} interval]", zh=f"估计值 [{level_words(level)} 区间]")
    shown = pd.DataFrame({head: [f"{money(t['estimate'])} [{money(t['ci_low'])}, {money(t['ci_high'])}]",
                                 f"{pct(s['estimate'])} [{pct(s['ci_low'])}, {pct(s['ci_high'])}]"]},
                         index=pd.Index(["clv_total_all", "top20_share"], name="quantity"))
    return _readable(shown, index_words=True)


def parameters_table(params: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Display copy of the model parameter table: ``estimate [95% CI]`` as ``0.243 [0.218, 0.267]`` and the SE.

    ``params`` has columns ``estimate, se, ci_low, ci_high`` (from the models' ``summary(level)``).
    """
    header = pick(en=f"Estimate [{level_words(level)} CI]", zh=f"估计值 [{level_words(level)} 置信区间]")
    out = pd.DataFrame({header: [interval(e, lo, hi) for e, lo, hi in
                                 zip(params["estimate"], params["ci_low"], params["ci_high"])],
                        "se": [fmt_num(v, 2) for v in params["se"]]}, index=params.index)
    return _readable(out)


def early_warning_display(table: pd.DataFrame, time_unit, level: float = 0.95) -> pd.DataFrame:
    """The early-warning rows shown: money with the currency in the header, CLV with its interval when known."""
    out = table.copy()
    if {"clv_ci_low", "clv_ci_high"} <= set(out.columns):
        out["clv"] = [f"{fmt_money(v)} [{fmt_money(lo)}, {fmt_money(hi)}]"
                      for v, lo, hi in zip(out["clv"], out.pop("clv_ci_low"), out.pop("clv_ci_high"))]
        out = out.rename(columns={"clv": money_header("clv") + f" [{level_words(level)}]"})
    return readable(out, summary=True, time_unit=time_unit)


def segment_rules(rules: pd.DataFrame) -> pd.DataFrame:
    """The RFM segment rule table for display (segment names and descriptions in the report's language)."""
    out = rules.copy()
    if "description" in out.columns:
        out["description"] = [pick(en=d, zh=SEGMENT_DESCRIPTIONS_ZH.get(d, d)) for d in out["description"]]
    return _readable(out, words=["segment"])


def lifecycle_rules(rules: pd.DataFrame) -> pd.DataFrame:
    """The lifecycle rule table for display (stages and rules in the report's language)."""
    out = rules.copy()
    out["rule"] = [pick(en=r, zh=LIFECYCLE_RULES_ZH.get(s, r)) for s, r in zip(out["stage"], out["rule"])]
    out["stage"] = [term(s) for s in out["stage"]]
    return _readable(out)


def covariate_table(tab: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """:meth:`.extras.CovariateFits.table`: model, process, covariate (by name), ratio [CI], p."""
    from crmlab.report.fmt import fmt_p

    def cov_name(c):
        col, _, lev = str(c).partition("=")
        return f"{term(col)} = {term(lev)}" if lev else term(col)

    shown = pd.DataFrame({
        "model": tab["model"].to_numpy(), "process": [term(p) for p in tab["process"]],
        "covariate": [cov_name(c) for c in tab["covariate"]],
        f"ratio [{level_words(level)}]": [interval(r, lo, hi) for r, lo, hi in
                                          zip(tab["ratio"], tab["ratio_ci_low"], tab["ratio_ci_high"])],
        "p_value": [fmt_p(p) for p in tab["p_value"]]})
    shown = shown.rename(columns={f"ratio [{level_words(level)}]": term("ratio") + f" [{level_words(level)}]"})
    return _readable(shown, p_columns=())


def campaign_tables(res, level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The campaign's rate ratios (arm, effect, ratio [CI], p) and its value table (purchases and CLV per customer
    with and without, the difference per customer and in total, each difference with its interval)."""
    from crmlab.report.fmt import fmt_p

    lv = level_words(level)
    eff = res.effects
    e = pd.DataFrame({"arm": [term(str(a)) for a in eff["arm"]], "effect": [term(x) for x in eff["effect"]],
                      term("ratio") + f" [{lv}]": [interval(r, lo, hi) for r, lo, hi in
                                                 zip(eff["ratio"], eff["ci_low"], eff["ci_high"])],
                      "p_value": [fmt_p(p) for p in eff["p_value"]]})
    v = res.value
    rows = []
    for arm, r in v.iterrows():
        rows.append({"arm": term(str(arm)), "n_customers": f"{int(r['n_customers']):,}",
                     term("purchases_campaign"): fmt_num(r["purchases_campaign"]),
                     term("purchases_counterfactual"): fmt_num(r["purchases_counterfactual"]),
                     money_header("clv_campaign"): fmt_money(r["clv_campaign"]),
                     money_header("clv_counterfactual"): fmt_money(r["clv_counterfactual"]),
                     money_header("clv_effect") + f" [{lv}]":
                         f"{_signed(r['clv_effect'])} [{_signed(r['clv_ci_low'])}, {_signed(r['clv_ci_high'])}]",
                     money_header("clv_total_effect") + f" [{lv}]":
                         f"{_signed(r['clv_total_effect'])} [{_signed(r['clv_total_ci_low'])}, "
                         f"{_signed(r['clv_total_ci_high'])}]"})
    return _readable(e, p_columns=()), _readable(pd.DataFrame(rows), p_columns=())


def _signed(x) -> str:
    s = fmt_money(x)
    return ("+" + s) if not missing(x) and float(x) > 0 else s


def bgbb_table(res, level: float = 0.95) -> pd.DataFrame:
    """The BG/BB parameters with their intervals and SEs."""
    return parameters_table(res.model.summary(level), level)


def variables_table(variables: pd.DataFrame) -> pd.DataFrame:
    """:func:`.findings.variables`: the column's name in the data, its label, role and unit, in words."""
    shown = variables.copy()
    shown["role"] = [term(r) for r in shown["role"]]
    shown["unit"] = [term(u) if u.startswith("kind_") else u for u in shown["unit"]]
    shown["label"] = [lab if lab else "-" for lab in shown["label"]]
    return _readable(shown.reset_index(), p_columns=())
