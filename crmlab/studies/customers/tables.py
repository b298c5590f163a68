"""Readable display copies of the study's tables (never saved): amounts, probabilities, shares and
intervals as a reader wants them, row labels and headers in the report's language.

Numbers go through :mod:`crmlab.report.fmt` and :mod:`crmlab.report.narrative` (shares with
:func:`~crmlab.report.narrative.pct`, so a tiny share reads ``< 0.1%``); this module adds the two
rules the report floor lacks: amounts of money (:func:`fmt_money`) and probabilities (:func:`fmt_prob`).
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import pick, term
from crmlab.report.narrative import interval, missing, readable as _readable
from crmlab.studies.customers.text import level_words

#: columns holding amounts of money (3 significant digits, at most 2 decimals)
MONEY_COLUMNS = frozenset({"monetary", "monetary_value", "spend", "spend_holdout", "clv", "clv_mean", "clv_total",
                           "past_spend", "value_at_risk"})
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
    """An amount with ``sig`` significant digits but never more than 2 decimals.

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


def readable(df: pd.DataFrame | pd.Series, *, summary: bool = False) -> pd.DataFrame:
    """A display copy of a study table: amounts, probabilities and shares as readable strings,
    row labels and headers in the report's language.

    Columns are recognised by their stable names (amounts :data:`MONEY_COLUMNS`, probabilities
    :data:`PROBABILITY_COLUMNS`, shares :data:`SHARE_COLUMNS`, ``*_since_last`` durations with one
    decimal); other numbers get 3 significant digits. ``summary=True`` names ``frequency`` and
    ``recency`` (columns, and row labels of an unnamed index) in the customer-summary sense
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
    flat = not isinstance(out.index, pd.MultiIndex)
    return _readable(out, percent=[c for c in SHARE_COLUMNS if c in out.columns], index_words=flat)


def parameters_table(params: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Display copy of the model parameter table: ``estimate [95% CI]`` as ``0.243 [0.218, 0.267]`` and the SE.

    ``params`` has columns ``estimate, se, ci_low, ci_high`` (from the models' ``summary(level)``).
    """
    header = pick(en=f"estimate [{level_words(level)} CI]", zh=f"估计值 [{level_words(level)} 置信区间]")
    out = pd.DataFrame({header: [interval(e, lo, hi) for e, lo, hi in
                                 zip(params["estimate"], params["ci_low"], params["ci_high"])],
                        "se": [fmt_num(v, 2) for v in params["se"]]}, index=params.index)
    return _readable(out)


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
