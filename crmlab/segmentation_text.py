"""Words of study 3 (segmentation and customer lifetime value) in English and Simplified Chinese.

The sentences the report writes from numbers (one function per section), the
display names of table columns, row labels and rule tables (:func:`show`,
:func:`segment_rules`, :func:`lifecycle_rules`), the time-unit words, and readable numbers in the
displayed tables (:func:`readable`, :func:`parameters_table`: amounts, probabilities, percentages,
estimates with their 95% interval as ``0.243 [0.218, 0.267]``).
Only words change with ``lang``: numbers, saved tables and ``results.json``
keep their stable English names (the RFM segment names are keys there).
Terms follow the field's usage: 客户细分, 客户价值评估, 客户画像, 客户终身价值
(CLV), RFM 模型 (最近一次消费, 消费频率, 消费金额), 高/中/低价值客户, 存活概率,
重复购买, 校准期/验证期, 客户生命周期, 流失预警, 聚类, 轮廓系数.
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.i18n import translate_columns
from crmlab.report import fmt_ci, fmt_num

__all__ = ["COLUMNS", "SUMMARY_COLUMNS", "VALUES", "term", "column", "unit_word", "method_name", "show",
           "fmt_money", "fmt_prob", "fmt_pct", "readable", "parameters_table",
           "segment_rules", "lifecycle_rules", "summary_text", "segments_text", "pareto_failed_text",
           "models_text", "no_holdout_text", "holdout_text", "clv_text", "clusters_text", "portraits_text",
           "lifecycle_text", "early_warning_text"]

#: Chinese display names of table columns and index names (RFM sense of recency/frequency/monetary)
COLUMNS: dict[str, str] = {
    # data report
    "item": "项目", "value": "数值",
    # describe()
    "count": "计数", "mean": "均值", "std": "标准差", "min": "最小值", "25%": "25% 分位数", "50%": "中位数",
    "75%": "75% 分位数", "max": "最大值",
    # RFM segments and rules
    "segment": "RFM 客户群", "customers": "客户数", "share": "占比",
    "recency": "最近一次消费（距今时长）", "frequency": "消费频率（交易次数）", "monetary": "消费金额（每次平均）",
    "r_min": "R 得分下限", "r_max": "R 得分上限", "f_min": "F 得分下限", "f_max": "F 得分上限",
    "m_min": "M 得分下限", "m_max": "M 得分上限", "description": "说明",
    # model parameters
    "model": "模型", "parameter": "参数", "estimate": "估计值", "se": "标准误", "lower95": "95% 置信下限",
    "upper95": "95% 置信上限", "estimate [95% CI]": "估计值 [95% 置信区间]",
    # holdout
    "calibration_frequency": "校准期重复购买次数", "actual": "实际值（均值）", "predicted": "预测值（均值）",
    # value tiers
    "value_tier": "价值等级", "clv_mean": "CLV 均值", "clv_total": "CLV 合计", "p_alive": "存活概率 P(alive)",
    "past_spend": "历史消费额（均值）", "value_share": "价值占比",
    # clustering and portraits
    "k": "聚类数 k", "silhouette": "轮廓系数", "bic": "BIC", "inertia": "簇内平方和",
    "cluster": "聚类", "clv": "客户终身价值 CLV", "spend": "历史消费额", "expected_purchases": "预期购买次数",
    # lifecycle and early warning
    "lifecycle": "生命周期阶段", "stage": "阶段", "rule": "规则",
    "customer": "客户（假名）", "value_at_risk": "流失风险价值",
}

#: names that mean something else in the customer summary (BTYD sense: x, t_x, T) than in the RFM tables
SUMMARY_COLUMNS: dict[str, str] = {
    "frequency": "重复购买次数 x", "recency": "末次购买时点 t_x", "T": "客户年龄 T",
    "monetary_value": "重复购买平均金额", "spend": "校准期消费额",
    "frequency_early": "前半段重复购买次数", "frequency_late": "后半段重复购买次数",
    "frequency_holdout": "验证期购买次数", "spend_holdout": "验证期消费额", "duration_holdout": "验证期时长",
}

#: Chinese display names of row labels and values (unknown values are shown as they are)
VALUES: dict[str, str] = {
    # RFM segments (crmlab.rfm.SEGMENT_RULES)
    "champions": "冠军客户", "loyal": "忠诚客户", "at risk": "流失风险", "recent": "新近客户",
    "promising": "潜力客户", "needs attention": "需要关注", "hibernating": "沉睡客户", "lost": "已流失",
    "other": "其他",
    # value tiers (crmlab.rfm.value_tiers)
    "high": "高价值客户", "medium": "中价值客户", "low": "低价值客户",
    # lifecycle stages (crmlab.segment.lifecycle)
    "new": "新客户", "active/growing": "成长/活跃", "mature": "成熟", "declining": "衰退", "lapsed": "流失/休眠",
    # data report items (crmlab.transactions.CustomerSummary.report)
    "rows_read": "读入行数", "returns_dropped": "删除的退货行", "zero_amount_rows": "零金额行",
    "after_holdout_dropped": "删除的验证期之后的行", "duplicate_rows": "完全重复的行",
    "duplicates_dropped": "删除的重复行", "customers_first_after_calibration": "首次购买晚于校准期的客户",
    "customers": "客户数", "repeaters": "重复购买客户数", "transactions_calibration": "校准期交易次数",
    "repeat_transactions_calibration": "校准期重复交易次数", "transactions_holdout": "验证期交易次数",
}

#: descriptions of the default RFM segment rules
_SEGMENT_DESCRIPTIONS: dict[str, str] = {
    "bought recently and buy often": "最近购买过且经常购买",
    "buy regularly": "定期购买",
    "used to buy often, not lately": "过去经常购买，最近没有",
    "bought very recently, not (yet) often": "刚刚购买过，但（尚）不频繁",
    "fairly recent, infrequent": "较近购买过，购买不频繁",
    "middling recency, infrequent": "最近一次消费时间居中，购买不频繁",
    "long since the last purchase, infrequent": "距上次购买已久，购买不频繁",
    "longest since the last purchase, infrequent": "距上次购买最久，购买不频繁",
}

#: lifecycle rules (crmlab.segment.LIFECYCLE_RULES) in Chinese
_LIFECYCLE_RULES_ZH: dict[str, str] = {
    "lapsed": "存活概率 P(alive) < lapsed_below",
    "new": "客户年龄 T <= new_within（首次购买发生在近期）",
    "declining": "P(alive) < declining_below，或客户年龄后半段的重复购买次数少于前半段",
    "active/growing": "客户年龄后半段的重复购买次数多于前半段",
    "mature": "其余客户：仍存活且购买节奏稳定",
}

#: time unit parameter -> (English singular, Chinese count word, Chinese axis word)
_UNITS = {"weeks": ("week", "周", "周"), "W": ("week", "周", "周"), "week": ("week", "周", "周"),
          "days": ("day", "天", "天"), "D": ("day", "天", "天"), "day": ("day", "天", "天"),
          "months": ("month", "个月", "月"), "M": ("month", "个月", "月"), "month": ("month", "个月", "月")}


def term(name, lang: str = "en") -> str:
    """Display name of a row label or value (English: the name itself)."""
    s = str(name)
    return VALUES.get(s, s) if lang == "zh" else s


def column(name, lang: str = "en", *, summary: bool = False) -> str:
    """Display name of a column (``summary=True``: the BTYD sense of frequency/recency)."""
    s = str(name)
    if lang != "zh":
        return s
    if summary and s in SUMMARY_COLUMNS:
        return SUMMARY_COLUMNS[s]
    for suffix, word in (("_gmm", "（GMM）"), ("_kmeans", "（k-means）")):
        if s.endswith(suffix) and s[: -len(suffix)] in COLUMNS:
            return COLUMNS[s[: -len(suffix)]] + word
    if s.endswith("s_since_last") and s[: -len("s_since_last")] in {"week", "day", "month", "unit"}:
        u = s[: -len("s_since_last")]
        return f"距上次购买（{_UNITS.get(u, (u, u, u))[2] if u != 'unit' else '时间单位'}）"
    return COLUMNS.get(s, s)


def unit_word(time_unit: str, lang: str = "en", *, axis: bool = False) -> str:
    """The time unit in words: English singular (``week``), Chinese count word (``周``, ``个月``) or,
    with ``axis=True``, the Chinese axis word (``周``, ``月``)."""
    en, zh, zh_axis = _UNITS.get(time_unit, ("unit", "个时间单位", "时间单位"))
    if lang != "zh":
        return en
    return zh_axis if axis else zh


def method_name(method: str, lang: str = "en") -> str:
    """Display name of a clustering method (English keeps the parameter value)."""
    if lang != "zh":
        return method
    return {"kmeans": "k-means", "gmm": "高斯混合模型 (GMM)"}.get(method, method)


def show(df: pd.DataFrame | pd.Series, lang: str = "en", *, summary: bool = False) -> pd.DataFrame:
    """A copy of ``df`` for display: column names, index names and known row labels in ``lang``.

    ``summary=True`` names the customer-summary columns (repeat purchases x, t_x, T) instead of the
    RFM sense. English returns ``df`` unchanged (as a frame). Saved tables are never passed through this.
    """
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if lang != "zh":
        return df
    names = set(map(str, df.columns)) | {str(n) for n in df.index.names if n is not None}
    extra = {k: {"en": k, "zh": column(k, lang, summary=summary)} for k in names}
    out = df.copy()
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_names([column(n, lang, summary=summary) if n else n for n in out.index.names])
        out = translate_columns(out.reset_index(drop=False), lang, extra=extra).set_index(
            list(out.index.names))
    else:
        out = translate_columns(out, lang, extra=extra)
        labels = [term(x, lang) for x in out.index]
        if summary or df.index.name is None:
            labels = [column(x, lang, summary=summary) if str(x) == lab else lab
                      for x, lab in zip(out.index, labels)]
        out.index = pd.Index(labels, name=out.index.name)
    return out


# ---------------------------------------------------------------------------------------------
# readable numbers in the displayed tables (saved tables keep full precision)
# ---------------------------------------------------------------------------------------------

#: columns holding amounts of money (3 significant digits, at most 2 decimals)
MONEY_COLUMNS = frozenset({"monetary", "monetary_value", "spend", "spend_holdout", "clv", "clv_mean", "clv_total",
                           "past_spend", "value_at_risk"})
#: columns holding probabilities (3 decimals, "< 0.001" below)
PROBABILITY_COLUMNS = frozenset({"p_alive", "p_alive_bgnbd"})
#: columns holding shares of a whole (percent, one decimal)
SHARE_COLUMNS = frozenset({"share", "value_share"})


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and x != x) or bool(pd.isna(x))


def fmt_money(x, sig: int = 3) -> str:
    """An amount with ``sig`` significant digits but never more than 2 decimals.

    >>> fmt_money(6552.7), fmt_money(33.286), fmt_money(1.6e-07), fmt_money(0.0123)
    ('6,553', '33.3', '0.00', '0.01')
    """
    if _missing(x):
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
    if _missing(p):
        return "-"
    p = float(p)
    return "< 0.001" if 0 < p < 0.001 else f"{p:.3f}"


def fmt_pct(x) -> str:
    """A share of a whole as a percentage with one decimal.

    >>> fmt_pct(0.33644), fmt_pct(0.0297), fmt_pct(0.0)
    ('33.6%', '3.0%', '0.0%')
    """
    return "-" if _missing(x) else f"{100 * float(x):.1f}%"


def readable(df: pd.DataFrame | pd.Series, lang: str = "en", *, summary: bool = False) -> pd.DataFrame:
    """A display copy of a study table: money, probabilities and shares as readable strings, names in ``lang``.

    Columns are recognised by their stable English names (amounts :data:`MONEY_COLUMNS`, probabilities
    :data:`PROBABILITY_COLUMNS`, shares :data:`SHARE_COLUMNS`, ``*_since_last`` durations with one
    decimal); the other numbers are left for :func:`crmlab.report.format_table` (3 significant digits).
    Pass the result as ``display_df`` to :func:`crmlab.report.show_table`; the saved table is untouched.
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
        elif name in SHARE_COLUMNS:
            out[col] = out[col].map(fmt_pct)
        elif name.endswith("s_since_last"):
            out[col] = out[col].map(lambda v: "-" if _missing(v) else f"{float(v):,.1f}")
    return show(out, lang, summary=summary)


def parameters_table(fits: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Display copy of the model parameter table: ``estimate [95% CI]`` as ``0.243 [0.218, 0.267]`` and the SE.

    ``fits`` has columns ``estimate, se, lower95, upper95`` (missing interval: the estimate alone).
    """
    out = pd.DataFrame({"estimate [95% CI]": [fmt_ci(e, lo, hi) for e, lo, hi in
                                              zip(fits["estimate"], fits["lower95"], fits["upper95"])],
                        "se": [fmt_num(v, 2) for v in fits["se"]]}, index=fits.index)
    return show(out, lang)


def segment_rules(rules: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The RFM segment rule table for display (segment names and descriptions in ``lang``)."""
    if lang != "zh":
        return rules
    out = rules.copy()
    if "segment" in out.columns:
        out["segment"] = [term(s, lang) for s in out["segment"]]
    if "description" in out.columns:
        out["description"] = [_SEGMENT_DESCRIPTIONS.get(d, d) for d in out["description"]]
    return show(out, lang)


def lifecycle_rules(rules: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The lifecycle rule table for display (stages and rules in ``lang``)."""
    if lang != "zh":
        return rules
    out = rules.copy()
    out["rule"] = [_LIFECYCLE_RULES_ZH.get(s, r) for s, r in zip(out["stage"], out["rule"])]
    out["stage"] = [term(s, lang) for s in out["stage"]]
    return show(out, lang)


# ---------------------------------------------------------------------------------------------
# sentences, one function per section of the notebook
# ---------------------------------------------------------------------------------------------

def summary_text(summary, lang: str = "en") -> str:
    """Section 1: the customer summary in words (``summary`` is :class:`crmlab.transactions.CustomerSummary`)."""
    rep = summary.report
    notes = summary.notes(lang=lang)
    n, rpt = rep["customers"], rep["repeaters"]
    share = rpt / n if n else 0.0
    day = summary.calibration_end.date()
    if lang == "zh":
        return (f"截至 {day}，**{n:,} 位客户**共产生 {rep['transactions_calibration']:,} 次交易（按购买日计）；"
                f"其中 {rpt:,} 位（{share:.0%}）再次购买（共 {rep['repeat_transactions_calibration']:,} 次重复购买）。"
                f"验证期共有 {rep['transactions_holdout']:,} 次交易。"
                + ("对交易记录所做的处理：" + "；".join(notes) + "。" if notes else "没有任何一行触发数据规则。"))
    return (f"**{n:,} customers** made {rep['transactions_calibration']:,} transactions (purchase days) up to "
            f"{day}; {rpt:,} of them ({share:.0%}) bought again "
            f"({rep['repeat_transactions_calibration']:,} repeat purchases). The holdout has "
            f"{rep['transactions_holdout']:,} transactions. "
            + ("What was done to the log: " + "; ".join(notes) + "." if notes else "No row needed a data rule."))


def segments_text(seg_counts: pd.Series, n_customers: int, one_timers: float, f_scores, lang: str = "en") -> str:
    """Section 2: the largest RFM segment and the caveat on tied frequency scores."""
    big = seg_counts.idxmax()
    share = seg_counts.max() / n_customers
    scores = sorted(int(s) for s in f_scores)
    if lang == "zh":
        return (f"最大的客户群是**{term(big, lang)}**（占客户的 {share:.0%}）。{one_timers:.0%} 的客户只购买过一次，"
                f"因此消费频率得分 F 只取 {scores} 这几个值（取值相同的客户得分相同）；解读客户细分时请注意这一点。")
    return (f"The largest segment is **{big}** ({share:.0%} of customers). "
            f"{one_timers:.0%} of customers bought only once, so the frequency score takes only the values "
            f"{scores} (tied customers share a score); read the segments with that in mind.")


def pareto_failed_text(exc, lang: str = "en") -> str:
    """Section 3: the Pareto/NBD did not converge."""
    if lang == "zh":
        return f"**Pareto/NBD 模型未收敛**，以下分析不包含该模型：{exc}"
    return f"**Pareto/NBD did not converge** and is left out below: {exc}"


def models_text(bg, pn, gg, indep: dict, lang: str = "en", time_unit: str = "weeks") -> str:
    """Section 3: fit of the purchase and spend models, the Gamma-Gamma independence check and what the
    BG/NBD parameters mean (mean purchase rate r/alpha per time unit, mean drop-out chance a/(a+b) per purchase).

    ``bg``, ``pn`` (or None) and ``gg`` are fitted :class:`crmlab.clv.BGNBD`, :class:`crmlab.clv.ParetoNBD`
    and :class:`crmlab.clv.GammaGamma`; ``indep`` is :func:`crmlab.clv.independence_check`.
    """
    small = abs(indep["pearson"]) < 0.3
    par = bg.params_
    rate = par["r"] / par["alpha"]
    drop = par["a"] / (par["a"] + par["b"])
    ll = lambda m: fmt_num(m.loglik_, 5)  # noqa: E731  (one decimal at the size of a CDNOW log-likelihood)
    pearson, spearman = fmt_num(indep["pearson"], 2), fmt_num(indep["spearman"], 2)
    if lang == "zh":
        u = unit_word(time_unit, lang)
        return (f"BG/NBD 模型的对数似然为 {ll(bg)}"
                + (f"，Pareto/NBD 为 {ll(pn)}" if pn is not None else "")
                + f"，基于 {bg.n_customers_:,} 位客户（{bg.n_rows_:,} 个不同的 (x, t_x, T) 组合）。"
                f"Gamma-Gamma 模型基于 {gg.n_customers_:,} 位重复购买客户：每次交易的平均消费额为 "
                f"{fmt_money(gg.mean_spend())}。Gamma-Gamma 模型独立性假设的检验：在重复购买客户中，消费频率与平均消费额的"
                f"相关系数为 {pearson}（Spearman 相关 {spearman}）；"
                + ("相关很弱，该假设可以成立。" if small else "**相关不弱：基于 Gamma-Gamma 模型的 CLV 应谨慎解读。**")
                + f"\n\n**含义**：仍然活跃的客户平均每{u}重复购买 {fmt_num(rate, 2)} 次（约每 {fmt_num(1 / rate, 2)} "
                f"{u}一次）；每次购买之后，客户平均有 {drop:.0%} 的可能从此不再购买。")
    u = unit_word(time_unit)
    return (f"BG/NBD log-likelihood {ll(bg)}" + (f", Pareto/NBD {ll(pn)}" if pn is not None else "")
            + f" on {bg.n_customers_:,} customers ({bg.n_rows_:,} distinct (x, t_x, T) rows). "
            f"Gamma-Gamma on {gg.n_customers_:,} repeat buyers: mean spend per transaction "
            f"{fmt_money(gg.mean_spend())}. Independence check of the Gamma-Gamma assumption: the correlation between "
            f"frequency and average spend among repeat buyers is {pearson} (Spearman {spearman}); "
            + ("small, so the assumption is tenable." if small else
               "**not small: CLV from Gamma-Gamma should be read with caution.**")
            + f"\n\n**What this means:** while still active, the average customer makes {fmt_num(rate, 2)} repeat "
            f"purchases per {u} (about one every {fmt_num(1 / rate, 2)} {u}s), and after each purchase a customer "
            f"stops buying for good with a {drop:.0%} chance on average.")


def no_holdout_text(lang: str = "en") -> str:
    """Section 4 without a holdout period."""
    if lang == "zh":
        return "未指定验证期（`holdout_end = None`），跳过模型验证。"
    return "No holdout period was given (`holdout_end = None`); validation is skipped."


def holdout_text(duration: float, time_unit: str, err: dict, lang: str = "en") -> str:
    """Section 4: holdout validation of the BG/NBD (``err`` is :func:`crmlab.clv.holdout_errors`) and what
    the gap between predicted and actual repeat purchases means for the value forecasts."""
    act, pred = err["actual_repeat"], err["predicted_repeat"]
    rel = pred / act - 1 if act else float("nan")
    mae, rmse, cor = (fmt_num(err[k], 2) for k in ("mae_per_customer", "rmse_per_customer", "correlation"))
    close = abs(rel) <= 0.1
    if lang == "zh":
        meaning = ("模型对整个客户群的预测与实际相差不到 10%，可以用来预测下文的客户价值。" if close else
                   f"模型{'低估' if rel < 0 else '高估'}了验证期的重复购买（{rel:+.0%}），因此下文的客户价值预测"
                   f"{'偏保守' if rel < 0 else '偏乐观'}。") if rel == rel else ""
        return (f"在验证期（{fmt_num(duration, 2)} {unit_word(time_unit, lang)}）内，客户共进行了 **{fmt_num(act)} 次重复购买，"
                f"BG/NBD 模型预测为 {fmt_num(pred)} 次**（{rel:+.1%}）；每位客户的平均绝对误差 (MAE) 为 "
                f"{mae}，均方根误差 (RMSE) 为 {rmse}，预测值与实际值的相关系数为 {cor}。"
                + (f"\n\n**含义**：{meaning}" if meaning else ""))
    meaning = ("the model forecasts the cohort's repeat buying within 10%, close enough for the value forecasts below."
               if close else
               f"the model {'under' if rel < 0 else 'over'}-predicts repeat buying in the holdout ({rel:+.0%}), so the "
               f"value forecasts below are on the {'conservative' if rel < 0 else 'optimistic'} side."
               ) if rel == rel else ""
    return (f"Over the holdout ({fmt_num(duration, 2)} {unit_word(time_unit)}s) the customers made "
            f"**{fmt_num(act)} repeat purchases; the BG/NBD predicted {fmt_num(pred)}** "
            f"({rel:+.1%}); mean absolute error per customer {mae}, RMSE {rmse}, correlation of predicted and actual "
            f"{cor}." + (f"\n\n**What this means:** {meaning}" if meaning else ""))


def clv_text(total: float, mean: float, total_paretonbd: float | None, conc: dict, horizon: float,
             time_unit: str, lang: str = "en") -> str:
    """Section 5: total and mean CLV, its concentration (``conc`` is :func:`crmlab.clv.concentration`) and
    how many times a top-20% customer is worth a customer outside the top 20%."""
    top20 = conc["top20_share"]
    ratio = 4 * top20 / (1 - top20) if top20 < 1 else float("inf")
    if lang == "zh":
        return (f"现有客户在未来 {fmt_num(horizon)} {unit_word(time_unit, lang)}内的预期价值：**{fmt_num(total)}**"
                f"（平均每位客户 {fmt_money(mean)}；BG/NBD + Gamma-Gamma 模型"
                + (f"；若改用 Pareto/NBD 模型：{fmt_num(total_paretonbd)}" if total_paretonbd is not None else "")
                + f"）。客户价值高度集中：价值最高的 10% 客户占 **{conc['top10_share']:.0%}**，"
                f"前 20% 客户占 **{top20:.0%}**。\n\n**含义**：一位高价值客户（前 20%）的预期价值平均相当于其余客户的 "
                f"{fmt_num(ratio, 2)} 倍，客户保留投入应首先用在这些客户身上。")
    return (f"Expected value of the current customers over the next {fmt_num(horizon)} {unit_word(time_unit)}s: "
            f"**{fmt_num(total)}** (mean {fmt_money(mean)} per customer; BG/NBD + Gamma-Gamma"
            + (f"; with the Pareto/NBD instead: {fmt_num(total_paretonbd)}" if total_paretonbd is not None else "")
            + "). Value is concentrated: the top 10% of customers hold "
            f"**{conc['top10_share']:.0%}** and the top 20% hold **{top20:.0%}** of it.\n\n**What this means:** a "
            f"customer in the high-value tier (top 20%) is worth {fmt_num(ratio, 2)} times a customer outside it "
            "on average; that tier is where retention effort pays first.")


def clusters_text(method: str, k: int, silhouette: float, other: str, alt_k: int, ari: pd.Series,
                  lang: str = "en") -> str:
    """Section 6: chosen number of clusters, the other method's choice and bootstrap stability."""
    stable = ari.mean() > 0.8
    sil, mean, low = fmt_num(silhouette, 2), fmt_num(ari.mean(), 2), fmt_num(ari.min(), 2)
    if lang == "zh":
        crit = "依据 BIC" if other == "gmm" else "依据轮廓系数"
        return (f"{method_name(method, lang)} 选择了 **k = {k}**（轮廓系数 {sil}）；"
                f"{method_name(other, lang)} 会选择 k = {alt_k}（{crit}）。自助法稳定性：{len(ari)} 次重抽样的"
                f"调整兰德指数 (ARI) 均值为 {mean}（最小值 {low}）"
                + ("——聚类划分可以复现。" if stable else "——**聚类划分不稳定，只宜把这些聚类当作粗略的概括。**"))
    return (f"{method} chose **k = {k}** (silhouette {sil}); "
            f"{other} would choose k = {alt_k} ({'BIC' if other == 'gmm' else 'silhouette'}). Bootstrap stability: "
            f"mean adjusted Rand index {mean} (min {low}) over {len(ari)} resamples"
            + (" - a reproducible partition." if stable else
               " - **the partition is not stable; treat the clusters as a rough summary.**"))


def portraits_text(portrait: pd.DataFrame, time_unit: str = "weeks", lang: str = "en") -> str:
    """Section 6: what the clusters mean - the cluster holding most expected value against the rest.

    ``portrait`` is :func:`crmlab.segment.portraits` (columns ``customers, share, value_share, frequency,
    recency, p_alive``; ``recency`` is the time since the last purchase).
    """
    top = portrait["value_share"].idxmax()
    row = portrait.loc[top]
    rest = portrait.drop(index=top)
    n_rest = int(rest["customers"].sum())
    rest_freq = (rest["frequency"] * rest["customers"]).sum() / n_rest if n_rest else float("nan")
    rest_p = (rest["p_alive"] * rest["customers"]).sum() / n_rest if n_rest else float("nan")
    if lang == "zh":
        u = unit_word(time_unit, lang)
        return (f"**含义**：第 {top} 类是价值最高的客户群：{int(row['customers']):,} 位客户（{row['share']:.0%}）"
                f"占预期价值的 **{row['value_share']:.0%}**；他们平均购买 {fmt_num(row['frequency'], 2)} 次，"
                f"距上次购买 {fmt_num(row['recency'], 2)} {u}，存活概率 P(alive) 为 {fmt_num(row['p_alive'], 2)}。"
                + (f"其余 {n_rest:,} 位客户平均只购买 {fmt_num(rest_freq, 2)} 次，P(alive) 为 {fmt_num(rest_p, 2)}。"
                   if n_rest else ""))
    u = unit_word(time_unit)
    return (f"**What this means:** cluster {top} is the valuable group: {int(row['customers']):,} customers "
            f"({row['share']:.0%}) hold **{row['value_share']:.0%}** of expected value; they bought "
            f"{fmt_num(row['frequency'], 2)} times on average, last {fmt_num(row['recency'], 2)} {u}s ago, with "
            f"P(alive) {fmt_num(row['p_alive'], 2)}."
            + (f" The other {n_rest:,} customers bought {fmt_num(rest_freq, 2)} times on average, with P(alive) "
               f"{fmt_num(rest_p, 2)}." if n_rest else ""))


def lifecycle_text(life: pd.DataFrame, n_customers: int, lang: str = "en") -> str:
    """Section 7: lifecycle stages (``life`` has ``customers`` and ``value_share`` per stage) and what they mean:
    the stage holding most expected value, and whether that value is slipping (declining or lapsed stage)."""
    big = life["customers"].idxmax()
    share = life.loc[big, "customers"] / n_customers
    n_act, v_act = life.loc["active/growing", "customers"], life.loc["active/growing", "value_share"]
    n_lapsed, n_new = life.loc["lapsed", "customers"], life.loc["new", "customers"]
    top = life["value_share"].idxmax()
    v_top = life.loc[top, "value_share"]
    slipping = top in ("declining", "lapsed")
    if lang == "zh":
        return (f"大多数客户处于**{term(big, lang)}**阶段（{share:.0%}）；{n_act:,} 位客户处于成长/活跃阶段，"
                f"占预期价值的 {v_act:.0%}；{n_lapsed:,} 位客户已流失/休眠"
                + ("；没有新客户（所有客户的首次购买都在 13 周以前）。" if n_new == 0 else f"；{n_new:,} 位是新客户。")
                + f"\n\n**含义**：预期价值最多的是**{term(top, lang)}**阶段的客户（{v_top:.0%}）"
                + ("——这部分价值正在流失，下面的流失预警名单正是针对这些客户。" if slipping else "。"))
    return (f"Most customers are **{big}** ({share:.0%}); "
            f"{n_act:,} are active/growing and hold {v_act:.0%} "
            f"of expected value, {n_lapsed:,} have lapsed"
            + (" and no customer is new (all first purchases are older than 13 weeks)." if n_new == 0
               else f" and {n_new:,} are new.")
            + f"\n\n**What this means:** the **{top}** customers hold the largest share of expected value ({v_top:.0%})"
            + (" - value that is slipping away, which is what the early-warning list below is for." if slipping
               else "."))


def early_warning_text(n: int, spend: float, p_alive_below: float, shown: int = 15, lang: str = "en") -> str:
    """Section 7: the early-warning list (valuable customers whose P(alive) has fallen)."""
    if lang == "zh":
        return (f"**流失预警**：按历史消费额排名前 20% 的客户中，有 {n:,} 位的存活概率 P(alive) 低于 "
                f"{p_alive_below:g}；他们迄今共消费 {fmt_num(spend)}。下表列出流失风险价值最高的 {shown} 位客户"
                "（客户编号为加密假名；P(alive) 来自 Pareto/NBD 模型，CLV 来自 BG/NBD + Gamma-Gamma 模型）：")
    return (f"**Early warning:** {n:,} of the top-20% customers by past spend have P(alive) below "
            f"{p_alive_below:g}; together they spent {fmt_num(spend)} so far. The {shown} with most past value at risk "
            "(ids are keyed pseudonyms; P(alive) from the Pareto/NBD, CLV from BG/NBD + Gamma-Gamma):")
