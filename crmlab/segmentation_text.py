"""Words of study 3 (segmentation and customer lifetime value) in English and Simplified Chinese.

The sentences the report writes from numbers (one function per section), the
display names of table columns, row labels and rule tables (:func:`show`,
:func:`segment_rules`, :func:`lifecycle_rules`) and the time-unit words.
Only words change with ``lang``: numbers, saved tables and ``results.json``
keep their stable English names (the RFM segment names are keys there).
Terms follow the field's usage: 客户细分, 客户价值评估, 客户画像, 客户终身价值
(CLV), RFM 模型 (最近一次消费, 消费频率, 消费金额), 高/中/低价值客户, 存活概率,
重复购买, 校准期/验证期, 客户生命周期, 流失预警, 聚类, 轮廓系数.
"""
from __future__ import annotations

import pandas as pd

from crmlab.i18n import translate_columns

__all__ = ["COLUMNS", "SUMMARY_COLUMNS", "VALUES", "term", "column", "unit_word", "method_name", "show",
           "segment_rules", "lifecycle_rules", "summary_text", "segments_text", "pareto_failed_text",
           "models_text", "no_holdout_text", "holdout_text", "clv_text", "clusters_text", "lifecycle_text",
           "early_warning_text"]

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
    "upper95": "95% 置信上限",
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


def models_text(bg, pn, gg, indep: dict, lang: str = "en") -> str:
    """Section 3: fit of the purchase and spend models and the Gamma-Gamma independence check.

    ``bg``, ``pn`` (or None) and ``gg`` are fitted :class:`crmlab.clv.BGNBD`, :class:`crmlab.clv.ParetoNBD`
    and :class:`crmlab.clv.GammaGamma`; ``indep`` is :func:`crmlab.clv.independence_check`.
    """
    small = abs(indep["pearson"]) < 0.3
    if lang == "zh":
        return (f"BG/NBD 模型的对数似然为 {bg.loglik_:,.1f}"
                + (f"，Pareto/NBD 为 {pn.loglik_:,.1f}" if pn is not None else "")
                + f"，基于 {bg.n_customers_:,} 位客户（{bg.n_rows_:,} 个不同的 (x, t_x, T) 组合）。"
                f"Gamma-Gamma 模型基于 {gg.n_customers_:,} 位重复购买客户：每次交易的平均消费额为 "
                f"{gg.mean_spend():.2f}。Gamma-Gamma 模型独立性假设的检验：在重复购买客户中，消费频率与平均消费额的"
                f"相关系数为 {indep['pearson']:.2f}（Spearman 相关 {indep['spearman']:.2f}）；"
                + ("相关很弱，该假设可以成立。" if small else "**相关不弱：基于 Gamma-Gamma 模型的 CLV 应谨慎解读。**"))
    return (f"BG/NBD log-likelihood {bg.loglik_:,.1f}" + (f", Pareto/NBD {pn.loglik_:,.1f}" if pn is not None else "")
            + f" on {bg.n_customers_:,} customers ({bg.n_rows_:,} distinct (x, t_x, T) rows). "
            f"Gamma-Gamma on {gg.n_customers_:,} repeat buyers: mean spend per transaction "
            f"{gg.mean_spend():.2f}. Independence check of the Gamma-Gamma assumption: the correlation between "
            f"frequency and average spend among repeat buyers is {indep['pearson']:.2f} (Spearman {indep['spearman']:.2f}); "
            + ("small, so the assumption is tenable." if small else
               "**not small: CLV from Gamma-Gamma should be read with caution.**"))


def no_holdout_text(lang: str = "en") -> str:
    """Section 4 without a holdout period."""
    if lang == "zh":
        return "未指定验证期（`holdout_end = None`），跳过模型验证。"
    return "No holdout period was given (`holdout_end = None`); validation is skipped."


def holdout_text(duration: float, time_unit: str, err: dict, lang: str = "en") -> str:
    """Section 4: holdout validation of the BG/NBD (``err`` is :func:`crmlab.clv.holdout_errors`)."""
    act, pred = err["actual_repeat"], err["predicted_repeat"]
    rel = pred / act - 1 if act else float("nan")
    if lang == "zh":
        return (f"在验证期（{duration:.0f} {unit_word(time_unit, lang)}）内，客户共进行了 **{act:,.0f} 次重复购买，"
                f"BG/NBD 模型预测为 {pred:,.0f} 次**（{rel:+.1%}）；每位客户的平均绝对误差 (MAE) 为 "
                f"{err['mae_per_customer']:.2f}，均方根误差 (RMSE) 为 {err['rmse_per_customer']:.2f}，"
                f"预测值与实际值的相关系数为 {err['correlation']:.2f}。")
    return (f"Over the holdout ({duration:.0f} {unit_word(time_unit)}s) the customers made "
            f"**{act:,.0f} repeat purchases; the BG/NBD predicted {pred:,.0f}** "
            f"({rel:+.1%}); mean absolute error per customer "
            f"{err['mae_per_customer']:.2f}, RMSE {err['rmse_per_customer']:.2f}, correlation of predicted and actual "
            f"{err['correlation']:.2f}.")


def clv_text(total: float, mean: float, total_paretonbd: float | None, conc: dict, horizon: float,
             time_unit: str, lang: str = "en") -> str:
    """Section 5: total and mean CLV and its concentration (``conc`` is :func:`crmlab.clv.concentration`)."""
    if lang == "zh":
        return (f"现有客户在未来 {horizon:g} {unit_word(time_unit, lang)}内的预期价值：**{total:,.0f}**"
                f"（平均每位客户 {mean:,.2f}；BG/NBD + Gamma-Gamma 模型"
                + (f"；若改用 Pareto/NBD 模型：{total_paretonbd:,.0f}" if total_paretonbd is not None else "")
                + f"）。客户价值高度集中：价值最高的 10% 客户占 **{conc['top10_share']:.0%}**，"
                f"前 20% 客户占 **{conc['top20_share']:.0%}**。高价值客户（前 20%）是客户保留投入回报最高的群体。")
    return (f"Expected value of the current customers over the next {horizon:g} {unit_word(time_unit)}s: "
            f"**{total:,.0f}** (mean {mean:,.2f} per customer; BG/NBD + Gamma-Gamma"
            + (f"; with the Pareto/NBD instead: {total_paretonbd:,.0f}" if total_paretonbd is not None else "")
            + "). Value is concentrated: the top 10% of customers hold "
            f"**{conc['top10_share']:.0%}** and the top 20% hold **{conc['top20_share']:.0%}** of it. "
            f"The high-value tier (top 20%) is where retention effort pays.")


def clusters_text(method: str, k: int, silhouette: float, other: str, alt_k: int, ari: pd.Series,
                  lang: str = "en") -> str:
    """Section 6: chosen number of clusters, the other method's choice and bootstrap stability."""
    stable = ari.mean() > 0.8
    if lang == "zh":
        crit = "依据 BIC" if other == "gmm" else "依据轮廓系数"
        return (f"{method_name(method, lang)} 选择了 **k = {k}**（轮廓系数 {silhouette:.2f}）；"
                f"{method_name(other, lang)} 会选择 k = {alt_k}（{crit}）。自助法稳定性：{len(ari)} 次重抽样的"
                f"调整兰德指数 (ARI) 均值为 {ari.mean():.2f}（最小值 {ari.min():.2f}）"
                + ("——聚类划分可以复现。" if stable else "——**聚类划分不稳定，只宜把这些聚类当作粗略的概括。**"))
    return (f"{method} chose **k = {k}** (silhouette {silhouette:.2f}); "
            f"{other} would choose k = {alt_k} ({'BIC' if other == 'gmm' else 'silhouette'}). Bootstrap stability: "
            f"mean adjusted Rand index {ari.mean():.2f} (min {ari.min():.2f}) over {len(ari)} resamples"
            + (" - a reproducible partition." if stable else
               " - **the partition is not stable; treat the clusters as a rough summary.**"))


def lifecycle_text(life: pd.DataFrame, n_customers: int, lang: str = "en") -> str:
    """Section 7: lifecycle stages (``life`` has ``customers`` and ``value_share`` per stage)."""
    big = life["customers"].idxmax()
    share = life.loc[big, "customers"] / n_customers
    n_act, v_act = life.loc["active/growing", "customers"], life.loc["active/growing", "value_share"]
    n_lapsed, n_new = life.loc["lapsed", "customers"], life.loc["new", "customers"]
    if lang == "zh":
        return (f"大多数客户处于**{term(big, lang)}**阶段（{share:.0%}）；{n_act:,} 位客户处于成长/活跃阶段，"
                f"占预期价值的 {v_act:.0%}；{n_lapsed:,} 位客户已流失/休眠"
                + ("；没有新客户（所有客户的首次购买都在 13 周以前）。" if n_new == 0 else f"；{n_new:,} 位是新客户。"))
    return (f"Most customers are **{big}** ({share:.0%}); "
            f"{n_act:,} are active/growing and hold {v_act:.0%} "
            f"of expected value, {n_lapsed:,} have lapsed"
            + (" and no customer is new (all first purchases are older than 13 weeks)." if n_new == 0
               else f" and {n_new:,} are new."))


def early_warning_text(n: int, spend: float, p_alive_below: float, shown: int = 15, lang: str = "en") -> str:
    """Section 7: the early-warning list (valuable customers whose P(alive) has fallen)."""
    if lang == "zh":
        return (f"**流失预警**：按历史消费额排名前 20% 的客户中，有 {n:,} 位的存活概率 P(alive) 低于 "
                f"{p_alive_below:g}；他们迄今共消费 {spend:,.0f}。下表列出流失风险价值最高的 {shown} 位客户"
                "（客户编号为加密假名；P(alive) 来自 Pareto/NBD 模型，CLV 来自 BG/NBD + Gamma-Gamma 模型）：")
    return (f"**Early warning:** {n:,} of the top-20% customers by past spend have P(alive) below "
            f"{p_alive_below:g}; together they spent {spend:,.0f} so far. The {shown} with most past value at risk "
            "(ids are keyed pseudonyms; P(alive) from the Pareto/NBD, CLV from BG/NBD + Gamma-Gamma):")
