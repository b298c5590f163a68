"""Sentences of study 3 written from the numbers, one function per section, in the report's language
(:func:`crmlab.report.i18n.current_lang`). Numbers go through :mod:`crmlab.report.fmt`; money carries the
study's currency (``$72,439`` / ``72,439 美元``), times their unit."""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, term
from crmlab.report.narrative import pct
from crmlab.studies.customers.text import method_name, money, money_range, unit_word


def _zh() -> bool:
    return current_lang() == "zh"


def _units(time_unit) -> str:
    u = unit_word(time_unit)
    return u if _zh() else u + "s"


#: what each data rule did, in words: rule -> (English, Chinese), {n} the count
_NOTES = {
    "header_lines_dropped": ("dropped {n:,} repeated header lines (the export was put together from several files)",
                             "删除了 {n:,} 行重复的标题行（导出文件由多个文件拼接而成）"),
    "status_excluded": ("left out {n:,} rows whose status says they are not purchases (refunded, cancelled...)",
                        "排除了 {n:,} 行状态为已退款、已取消等的记录（不是购买）"),
    "after_holdout_dropped": ("dropped {n:,} rows dated after the holdout end", "删除了 {n:,} 行日期晚于验证期结束日的记录"),
    "returns_dropped": ("dropped {n:,} refund rows without netting them (returns='drop': the refunded purchases "
                        "count in full)", "删除了 {n:,} 行退款记录但未与原购买相抵（returns='drop'：被退款的购买仍按全额计）"),
    "refund_rows_netted": ("netted {n:,} refund rows against their purchase", "将 {n:,} 行退款与其原购买相抵"),
    "purchases_refunded": ("{n:,} purchases were refunded in full and do not count as purchases",
                           "{n:,} 次购买被全额退款，不计为购买"),
    "refunds_unmatched": ("dropped {n:,} refund rows with no purchase to net against",
                          "删除了 {n:,} 行找不到原购买的退款记录"),
    "customers_first_after_calibration": ("left out {n:,} customers whose first purchase is after the calibration end",
                                          "排除了 {n:,} 位首次购买晚于校准期结束日的客户"),
    "zero_amount_rows": ("kept {n:,} zero-amount rows as transactions", "保留了 {n:,} 行零金额记录，计为交易"),
}


def data_notes(summary) -> list[str]:
    """What the data rules did to the log, one clause per rule that changed something.

    ``summary`` is a :class:`crmlab.transactions.CustomerSummary` or :class:`.data.Run` (its ``report`` counts).
    """
    rep, zh = summary.report, _zh()
    out = []
    for key in ("header_lines_dropped", "status_excluded", "after_holdout_dropped", "returns_dropped",
                "refund_rows_netted", "purchases_refunded", "refunds_unmatched"):
        if rep.get(key):
            out.append(_NOTES[key][1 if zh else 0].format(n=rep[key]))
    if rep.get("duplicate_rows"):
        n, dropped = rep["duplicate_rows"], rep.get("duplicates_dropped")
        if zh:
            out.append(f"发现 {n:,} 行完全重复的记录，" + (
                "已删除" if dropped else "予以保留（没有交易编号的记录无法区分重复录入与两件相同的商品）"))
        else:
            out.append(f"found {n:,} exact duplicate rows and " + (
                "dropped them" if dropped else
                "kept them (a log without transaction ids cannot tell a double entry from two equal items)"))
    for key in ("customers_first_after_calibration", "zero_amount_rows"):
        if rep.get(key):
            out.append(_NOTES[key][1 if zh else 0].format(n=rep[key]))
    return out


def summary_text(summary) -> str:
    """Section 1: the customer summary in words, with what the data rules did (:func:`data_notes`)."""
    rep = summary.report
    notes = data_notes(summary)
    n, rpt = rep["customers"], rep["repeaters"]
    share = rpt / n if n else 0.0
    day = summary.calibration_end.date()
    if _zh():
        return (f"截至 {day}，**{n:,} 位客户**共产生 {rep['transactions_calibration']:,} 次交易（按购买日计）；"
                f"其中 {rpt:,} 位（{share:.0%}）再次购买（共 {rep['repeat_transactions_calibration']:,} 次重复购买）。"
                f"验证期共有 {rep['transactions_holdout']:,} 次交易。"
                + ("对交易记录所做的处理：" + "；".join(notes) + "。" if notes else "没有任何一行触发数据规则。"))
    return (f"**{n:,} customers** made {rep['transactions_calibration']:,} transactions (purchase days) up to "
            f"{day}; {rpt:,} of them ({share:.0%}) bought again "
            f"({rep['repeat_transactions_calibration']:,} repeat purchases). The holdout has "
            f"{rep['transactions_holdout']:,} transactions. "
            + ("What was done to the log: " + "; ".join(notes) + "." if notes else "No row needed a data rule."))


def engine_text(run) -> str:
    """Section 1: which engine summarised the log and, when the customers stay in the engine, what that means."""
    name = {"duckdb": "DuckDB", "spark": "Apache Spark", "pandas": "pandas"}.get(run.engine, run.engine)
    n = run.n_customers
    if run.in_engine:
        if _zh():
            return (f"交易记录由 {name} 汇总。{n:,} 位客户的逐客户数据保留在 {name} 中：模型在压缩后的计数上估计，"
                    "每位客户的得分在数据所在处计算，并以假名编号按价值等级写入 Parquet 文件（scores 文件夹）；"
                    "本报告只显示汇总结果和流失预警名单的前几位，聚类基于客户样本。")
        return (f"{name} summarised the log. The {n:,} customers' rows stayed in {name}: the models were fitted on "
                "compressed counts, every customer was scored where the data is and written as Parquet by value tier "
                "with pseudonymous ids (the scores folder); this report shows aggregates, the top of the "
                "early-warning list, and clusters of a sample of customers.")
    return (f"交易记录由 {name} 汇总，{n:,} 位客户的汇总表在本机内存中分析。" if _zh()
            else f"{name} summarised the log; the {n:,} customers' summary is analysed in memory.")


def segments_text(seg) -> str:
    """Section 2: the largest RFM segment and the caveat on tied frequency scores (``seg``:
    :class:`.steps.Segments`)."""
    counts = seg.counts
    big = counts.idxmax()
    share = counts.max() / counts.sum()
    if _zh():
        return (f"最大的客户群是**{term(big)}**（占客户的 {share:.0%}）。{seg.one_timers:.0%} 的客户只购买过一次，"
                f"因此消费频率得分 F 只取 {seg.f_scores} 这几个值（取值相同的客户得分相同）；解读客户细分时请注意这一点。")
    return (f"The largest segment is **{term(big)}** ({share:.0%} of customers). "
            f"{seg.one_timers:.0%} of customers bought only once, so the frequency score takes only the values "
            f"{seg.f_scores} (tied customers share a score); read the segments with that in mind.")


def pareto_failed_text(exc) -> str:
    """Section 3: the Pareto/NBD did not converge."""
    if _zh():
        return f"**Pareto/NBD 模型未收敛**，以下分析不包含该模型：{exc}"
    return f"**Pareto/NBD did not converge** and is left out below: {exc}"


def models_text(bg, pn, gg, indep: dict, time_unit="weeks") -> str:
    """Section 3: fit of the purchase and spend models, the Gamma-Gamma independence check and what the
    BG/NBD parameters mean (mean purchase rate r/alpha per time unit, mean drop-out chance a/(a+b) per purchase).

    ``bg``, ``pn`` (or None) and ``gg`` are fitted :class:`crmlab.clv.BGNBD`, :class:`crmlab.clv.ParetoNBD`
    and :class:`crmlab.clv.GammaGamma`; ``indep`` is :func:`crmlab.clv.independence_check` (Spearman may be NaN).
    """
    small = abs(indep["pearson"]) < 0.3
    par = bg.params_
    rate = par["r"] / par["alpha"]
    drop = par["a"] / (par["a"] + par["b"])

    def ll(m):  # one decimal at the size of a CDNOW log-likelihood
        return fmt_num(m.loglik_, 5)

    pearson, spearman = fmt_num(indep["pearson"], 2), fmt_num(indep.get("spearman", float("nan")), 2)
    has_sp = indep.get("spearman") == indep.get("spearman")
    u = unit_word(time_unit)
    if _zh():
        return (f"BG/NBD 模型的对数似然为 {ll(bg)}"
                + (f"，Pareto/NBD 为 {ll(pn)}" if pn is not None else "")
                + f"，基于 {bg.n_customers_:,} 位客户（{bg.n_rows_:,} 个不同的 (x, t_x, T) 组合）。"
                f"Gamma-Gamma 模型基于 {gg.n_customers_:,} 位重复购买客户：每次交易的平均消费额为 "
                f"{money(gg.mean_spend())}。Gamma-Gamma 模型独立性假设的检验：在重复购买客户中，"
                f"消费频率与平均消费额的相关系数为 {pearson}" + (f"（Spearman 相关 {spearman}）" if has_sp else "") + "；"
                + ("相关很弱，该假设可以成立。" if small else "**相关不弱：基于 Gamma-Gamma 模型的 CLV 应谨慎解读。**")
                + f"\n\n**含义**：仍然活跃的客户平均每{u}重复购买 {fmt_num(rate, 2)} 次（约每 {fmt_num(1 / rate, 2)} "
                f"{u}一次）；每次购买之后，客户平均有 {drop:.0%} 的可能从此不再购买。")
    return (f"BG/NBD log-likelihood {ll(bg)}" + (f", Pareto/NBD {ll(pn)}" if pn is not None else "")
            + f" on {bg.n_customers_:,} customers ({bg.n_rows_:,} distinct (x, t_x, T) rows). "
            f"Gamma-Gamma on {gg.n_customers_:,} repeat buyers: mean spend per transaction "
            f"{money(gg.mean_spend())}. Independence check of the Gamma-Gamma assumption: the correlation between "
            f"frequency and average spend among repeat buyers is {pearson}" + (f" (Spearman {spearman})" if has_sp
                                                                                else "") + "; "
            + ("small, so the assumption is tenable." if small else
               "**not small: CLV from Gamma-Gamma should be read with caution.**")
            + f"\n\n**What this means:** while still active, the average customer makes {fmt_num(rate, 2)} repeat "
            f"purchases per {u} (about one every {fmt_num(1 / rate, 2)} {u}s), and after each purchase a customer "
            f"stops buying for good with a {drop:.0%} chance on average.")


def no_holdout_text() -> str:
    """Section 4 without a holdout period."""
    if _zh():
        return "未指定验证期（`holdout_end = None`），跳过模型验证。"
    return "No holdout period was given (`holdout_end = None`); validation is skipped."


def holdout_text(duration: float, time_unit, err: dict) -> str:
    """Section 4: holdout validation of the BG/NBD (``err`` is :func:`crmlab.clv.holdout_errors`) and what
    the gap between predicted and actual repeat purchases means for the value forecasts."""
    act, pred = err["actual_repeat"], err["predicted_repeat"]
    rel = pred / act - 1 if act else float("nan")
    mae, rmse, cor = (fmt_num(err[k], 2) for k in ("mae_per_customer", "rmse_per_customer", "correlation"))
    close = abs(rel) <= 0.1
    u = unit_word(time_unit)
    if _zh():
        meaning = ("模型对整个客户群的预测与实际相差不到 10%，可以用来预测下文的客户价值。" if close else
                   f"模型{'低估' if rel < 0 else '高估'}了验证期的重复购买（{rel:+.0%}），因此下文的客户价值预测"
                   f"{'偏保守' if rel < 0 else '偏乐观'}。") if rel == rel else ""
        return (f"在验证期（{fmt_num(duration, 2)} {u}）内，客户共进行了 **{fmt_num(act)} 次重复购买，"
                f"BG/NBD 模型预测为 {fmt_num(pred)} 次**（{rel:+.1%}）；每位客户的平均绝对误差 (MAE) 为 "
                f"{mae} 次，均方根误差 (RMSE) 为 {rmse} 次，预测值与实际值的相关系数为 {cor}。"
                + (f"\n\n**含义**：{meaning}" if meaning else ""))
    meaning = ("the model forecasts the cohort's repeat buying within 10%, close enough for the value forecasts below."
               if close else
               f"the model {'under' if rel < 0 else 'over'}-predicts repeat buying in the holdout ({rel:+.0%}), so the "
               f"value forecasts below are on the {'conservative' if rel < 0 else 'optimistic'} side."
               ) if rel == rel else ""
    return (f"Over the holdout ({fmt_num(duration, 2)} {u}s) the customers made "
            f"**{fmt_num(act)} repeat purchases; the BG/NBD predicted {fmt_num(pred)}** "
            f"({rel:+.1%}); mean absolute error per customer {mae} purchases, RMSE {rmse}, correlation of predicted "
            f"and actual {cor}." + (f"\n\n**What this means:** {meaning}" if meaning else ""))


def clv_text(total: float, mean: float, total_paretonbd: float | None, conc: dict, horizon: float,
             time_unit, interval=None) -> str:
    """Section 5: total and mean CLV (with its interval when ``interval`` is a :class:`crmlab.clv.intervals.CLVInterval`),
    its concentration (``conc`` is :func:`crmlab.clv.concentration`) and how many times a top-20% customer is
    worth a customer outside the top 20%."""
    top20 = conc["top20_share"]
    ratio = 4 * top20 / (1 - top20) if top20 < 1 else float("inf")
    u = _units(time_unit)
    ci = share_ci = ""
    if interval is not None:
        t, s = interval.summary.loc["total"], interval.summary.loc["top20_share"]
        draws = interval.info["draws"]
        ci = (f"（95% 区间 {money_range(t['ci_low'], t['ci_high'])}，由 {draws:,} 组参数抽样得到）" if _zh()
              else f" (95% interval {money_range(t['ci_low'], t['ci_high'])} from {draws:,} parameter draws)")
        share_ci = (f"（95% 区间 {pct(s['ci_low'], 0)} 至 {pct(s['ci_high'], 0)}）" if _zh()
                    else f" (95% interval {pct(s['ci_low'], 0)} to {pct(s['ci_high'], 0)})")
    if _zh():
        return (f"现有客户在未来 {fmt_num(horizon)} {u}内的预期价值：**{money(total)}**{ci}"
                f"（平均每位客户 {money(mean)}；BG/NBD + Gamma-Gamma 模型"
                + (f"；若改用 Pareto/NBD 模型：{money(total_paretonbd)}" if total_paretonbd is not None else "")
                + f"）。客户价值高度集中：价值最高的 10% 客户占 **{conc['top10_share']:.0%}**，"
                f"前 20% 客户占 **{top20:.0%}**{share_ci}。\n\n**含义**：一位高价值客户（前 20%）的预期价值平均相当于其余客户的 "
                f"{fmt_num(ratio, 2)} 倍，客户保留投入应首先用在这些客户身上。")
    return (f"Expected value of the current customers over the next {fmt_num(horizon)} {u}: "
            f"**{money(total)}**{ci} (mean {money(mean)} per customer; BG/NBD + Gamma-Gamma"
            + (f"; with the Pareto/NBD instead: {money(total_paretonbd)}" if total_paretonbd is not None else "")
            + "). Value is concentrated: the top 10% of customers hold "
            f"**{conc['top10_share']:.0%}** and the top 20% hold **{top20:.0%}**{share_ci} of it.\n\n"
            f"**What this means:** a customer in the high-value tier (top 20%) is worth {fmt_num(ratio, 2)} times a "
            "customer outside it on average; that tier is where retention effort pays first.")


def no_interval_text(in_engine: bool) -> str:
    """Section 5 without an interval (no draws asked for, or the table stays in the engine)."""
    if in_engine:
        return ("客户数据保留在计算引擎中时，不计算 CLV 的参数不确定性区间。" if _zh() else
                "With the customers kept in the engine, the CLV interval (parameter uncertainty) is not computed.")
    return ("未计算 CLV 的区间（`interval_draws = 0`）。" if _zh() else
            "No CLV interval was asked for (`interval_draws = 0`).")


def clusters_text(method: str, k: int, silhouette: float, other: str, alt_k: int, ari: pd.Series,
                  sampled: int | None = None) -> str:
    """Section 6: chosen number of clusters, the other method's choice and bootstrap stability (on a sample of
    ``sampled`` customers when the table stays in the engine)."""
    stable = ari.mean() > 0.8
    sil, mean, low = fmt_num(silhouette, 2), fmt_num(ari.mean(), 2), fmt_num(ari.min(), 2)
    if _zh():
        crit = "依据 BIC" if other == "gmm" else "依据轮廓系数"
        return ((f"聚类基于 {sampled:,} 位客户的系统抽样样本（按客户编号每隔若干位取一位）。" if sampled else "")
                + f"{method_name(method)} 选择了 **k = {k}**（轮廓系数 {sil}）；"
                f"{method_name(other)} 会选择 k = {alt_k}（{crit}）。自助法稳定性：{len(ari)} 次重抽样的"
                f"调整兰德指数 (ARI) 均值为 {mean}（最小值 {low}）"
                + ("——聚类划分可以复现。" if stable else "——**聚类划分不稳定，只宜把这些聚类当作粗略的概括。**"))
    return ((f"The clusters are found on a systematic sample of {sampled:,} customers (every k-th by id). "
             if sampled else "")
            + f"{method} chose **k = {k}** (silhouette {sil}); "
            f"{other} would choose k = {alt_k} ({'BIC' if other == 'gmm' else 'silhouette'}). Bootstrap stability: "
            f"mean adjusted Rand index {mean} (min {low}) over {len(ari)} resamples"
            + (" - a reproducible partition." if stable else
               " - **the partition is not stable; treat the clusters as a rough summary.**"))


def portraits_text(portrait: pd.DataFrame, time_unit="weeks") -> str:
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
    u = unit_word(time_unit)
    if _zh():
        return (f"**含义**：第 {top} 类是价值最高的客户群：{int(row['customers']):,} 位客户（{row['share']:.0%}）"
                f"占预期价值的 **{row['value_share']:.0%}**；他们平均购买 {fmt_num(row['frequency'], 2)} 次，"
                f"距上次购买 {fmt_num(row['recency'], 2)} {u}，存活概率 P(alive) 为 {fmt_num(row['p_alive'], 2)}。"
                + (f"其余 {n_rest:,} 位客户平均只购买 {fmt_num(rest_freq, 2)} 次，P(alive) 为 {fmt_num(rest_p, 2)}。"
                   if n_rest else ""))
    return (f"**What this means:** cluster {top} is the valuable group: {int(row['customers']):,} customers "
            f"({row['share']:.0%}) hold **{row['value_share']:.0%}** of expected value; they bought "
            f"{fmt_num(row['frequency'], 2)} times on average, last {fmt_num(row['recency'], 2)} {u}s ago, with "
            f"P(alive) {fmt_num(row['p_alive'], 2)}."
            + (f" The other {n_rest:,} customers bought {fmt_num(rest_freq, 2)} times on average, with P(alive) "
               f"{fmt_num(rest_p, 2)}." if n_rest else ""))


def lifecycle_text(life: pd.DataFrame, n_customers: int) -> str:
    """Section 7: lifecycle stages (``life`` has ``customers`` and ``value_share`` per stage) and what they mean:
    the stage holding most expected value, and whether that value is slipping (declining or lapsed stage)."""
    big = life["customers"].idxmax()
    share = life.loc[big, "customers"] / n_customers
    n_act, v_act = life.loc["active/growing", "customers"], life.loc["active/growing", "value_share"]
    n_lapsed, n_new = life.loc["lapsed", "customers"], life.loc["new", "customers"]
    top = life["value_share"].idxmax()
    v_top = life.loc[top, "value_share"]
    slipping = top in ("declining", "lapsed")
    if _zh():
        return (f"大多数客户处于**{term(big)}**阶段（{share:.0%}）；{n_act:,} 位客户处于成长/活跃阶段，"
                f"占预期价值的 {v_act:.0%}；{n_lapsed:,} 位客户已流失/休眠"
                + ("；没有新客户（所有客户的首次购买都在 13 周以前）。" if n_new == 0 else f"；{n_new:,} 位是新客户。")
                + f"\n\n**含义**：预期价值最多的是**{term(top)}**阶段的客户（{v_top:.0%}）"
                + ("——这部分价值正在流失，下面的流失预警名单正是针对这些客户。" if slipping else "。"))
    return (f"Most customers are **{term(big)}** ({share:.0%}); "
            f"{n_act:,} are active/growing and hold {v_act:.0%} "
            f"of expected value, {n_lapsed:,} have lapsed"
            + (" and no customer is new (all first purchases are older than 13 weeks)." if n_new == 0
               else f" and {n_new:,} are new.")
            + f"\n\n**What this means:** the **{term(top)}** customers hold the largest share of expected value "
            f"({v_top:.0%})"
            + (" - value that is slipping away, which is what the early-warning list below is for." if slipping
               else "."))


def early_warning_text(n: int, spend: float, p_alive_below: float, shown: int = 15,
                       value_at_risk: float | None = None) -> str:
    """Section 7: the early-warning list (valuable customers whose P(alive) has fallen) and, when given, the
    value at risk (past spend times 1 - P(alive))."""
    if _zh():
        risk = f"，流失风险价值合计 {money(value_at_risk)}" if value_at_risk is not None else ""
        return (f"**流失预警**：按历史消费额排名前 20% 的客户中，有 {n:,} 位的存活概率 P(alive) 低于 "
                f"{p_alive_below:g}；他们迄今共消费 {money(spend)}{risk}。下表列出流失风险价值最高的 {shown} 位客户"
                "（客户编号为加密假名；P(alive) 来自 Pareto/NBD 模型，CLV 来自 BG/NBD + Gamma-Gamma 模型）：")
    risk = f", {money(value_at_risk)} of it at risk" if value_at_risk is not None else ""
    return (f"**Early warning:** {n:,} of the top-20% customers by past spend have P(alive) below "
            f"{p_alive_below:g}; together they spent {money(spend)} so far{risk}. The {shown} with most past value at "
            "risk (ids are keyed pseudonyms; P(alive) from the Pareto/NBD, CLV from BG/NBD + Gamma-Gamma):")


def not_on_driver_text() -> str:
    """Sections 8-10 when the per-customer table stays in the engine."""
    if _zh():
        return ("该分析需要在本机内存中使用逐客户汇总表；客户数据保留在计算引擎中时（`keep_in_engine`）不运行。"
                "如需运行，请设置 `keep_in_engine='never'`。")
    return ("This analysis needs the per-customer summary in memory; it does not run while the customers stay in "
            "the engine (`keep_in_engine`). Set `keep_in_engine='never'` to run it.")
