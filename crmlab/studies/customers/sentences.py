"""Sentences of study 3 written from the numbers, one function per section, in the report's language
(:func:`crmlab.report.i18n.current_lang`). Numbers go through :mod:`crmlab.report.fmt`."""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, term
from crmlab.studies.customers.tables import fmt_money
from crmlab.studies.customers.text import method_name, unit_word


def _zh() -> bool:
    return current_lang() == "zh"


def data_notes(summary) -> list[str]:
    """What the data rules did to the log, one clause per rule that changed something.

    ``summary`` is a :class:`crmlab.transactions.CustomerSummary` (its ``report`` counts).
    """
    rep, out, zh = summary.report, [], _zh()
    if rep.get("returns_dropped"):
        n = rep["returns_dropped"]
        out.append(f"删除了 {n:,} 行退货记录（金额为负，未与购买相抵）" if zh else
                   f"dropped {n:,} return rows (negative amounts; not netted against purchases)")
    if rep.get("duplicate_rows"):
        n, dropped = rep["duplicate_rows"], rep.get("duplicates_dropped")
        if zh:
            out.append(f"发现 {n:,} 行完全重复的记录，" + (
                "已删除" if dropped else "予以保留（没有交易编号的记录无法区分重复录入与两件相同的商品）"))
        else:
            out.append(f"found {n:,} exact duplicate rows and " + (
                "dropped them" if dropped else
                "kept them (a log without transaction ids cannot tell a double entry from two equal items)"))
    if rep.get("after_holdout_dropped"):
        n = rep["after_holdout_dropped"]
        out.append(f"删除了 {n:,} 行日期晚于验证期结束日的记录" if zh else
                   f"dropped {n:,} rows dated after the holdout end")
    if rep.get("customers_first_after_calibration"):
        n = rep["customers_first_after_calibration"]
        out.append(f"排除了 {n:,} 位首次购买晚于校准期结束日的客户" if zh else
                   f"left out {n:,} customers whose first purchase is after the calibration end")
    if rep.get("zero_amount_rows"):
        n = rep["zero_amount_rows"]
        out.append(f"保留了 {n:,} 行零金额记录，计为交易" if zh else f"kept {n:,} zero-amount rows as transactions")
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


def segments_text(seg_counts: pd.Series, rfm_table: pd.DataFrame) -> str:
    """Section 2: the largest RFM segment and the caveat on tied frequency scores.

    ``rfm_table`` has the RFM ``frequency`` (transactions) and score ``F`` of every customer.
    """
    big = seg_counts.idxmax()
    share = seg_counts.max() / len(rfm_table)
    one_timers = float((rfm_table["frequency"] == 1).mean())
    scores = sorted(int(s) for s in rfm_table["F"].unique())
    if _zh():
        return (f"最大的客户群是**{term(big)}**（占客户的 {share:.0%}）。{one_timers:.0%} 的客户只购买过一次，"
                f"因此消费频率得分 F 只取 {scores} 这几个值（取值相同的客户得分相同）；解读客户细分时请注意这一点。")
    return (f"The largest segment is **{big}** ({share:.0%} of customers). "
            f"{one_timers:.0%} of customers bought only once, so the frequency score takes only the values "
            f"{scores} (tied customers share a score); read the segments with that in mind.")


def pareto_failed_text(exc) -> str:
    """Section 3: the Pareto/NBD did not converge."""
    if _zh():
        return f"**Pareto/NBD 模型未收敛**，以下分析不包含该模型：{exc}"
    return f"**Pareto/NBD did not converge** and is left out below: {exc}"


def models_text(bg, pn, gg, indep: dict, time_unit="weeks") -> str:
    """Section 3: fit of the purchase and spend models, the Gamma-Gamma independence check and what the
    BG/NBD parameters mean (mean purchase rate r/alpha per time unit, mean drop-out chance a/(a+b) per purchase).

    ``bg``, ``pn`` (or None) and ``gg`` are fitted :class:`crmlab.clv.BGNBD`, :class:`crmlab.clv.ParetoNBD`
    and :class:`crmlab.clv.GammaGamma`; ``indep`` is :func:`crmlab.clv.independence_check`.
    """
    small = abs(indep["pearson"]) < 0.3
    par = bg.params_
    rate = par["r"] / par["alpha"]
    drop = par["a"] / (par["a"] + par["b"])

    def ll(m):  # one decimal at the size of a CDNOW log-likelihood
        return fmt_num(m.loglik_, 5)

    pearson, spearman = fmt_num(indep["pearson"], 2), fmt_num(indep["spearman"], 2)
    u = unit_word(time_unit)
    if _zh():
        return (f"BG/NBD 模型的对数似然为 {ll(bg)}"
                + (f"，Pareto/NBD 为 {ll(pn)}" if pn is not None else "")
                + f"，基于 {bg.n_customers_:,} 位客户（{bg.n_rows_:,} 个不同的 (x, t_x, T) 组合）。"
                f"Gamma-Gamma 模型基于 {gg.n_customers_:,} 位重复购买客户：每次交易的平均消费额为 "
                f"{fmt_money(gg.mean_spend())}。Gamma-Gamma 模型独立性假设的检验：在重复购买客户中，"
                f"消费频率与平均消费额的相关系数为 {pearson}（Spearman 相关 {spearman}）；"
                + ("相关很弱，该假设可以成立。" if small else "**相关不弱：基于 Gamma-Gamma 模型的 CLV 应谨慎解读。**")
                + f"\n\n**含义**：仍然活跃的客户平均每{u}重复购买 {fmt_num(rate, 2)} 次（约每 {fmt_num(1 / rate, 2)} "
                f"{u}一次）；每次购买之后，客户平均有 {drop:.0%} 的可能从此不再购买。")
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
                f"{mae}，均方根误差 (RMSE) 为 {rmse}，预测值与实际值的相关系数为 {cor}。"
                + (f"\n\n**含义**：{meaning}" if meaning else ""))
    meaning = ("the model forecasts the cohort's repeat buying within 10%, close enough for the value forecasts below."
               if close else
               f"the model {'under' if rel < 0 else 'over'}-predicts repeat buying in the holdout ({rel:+.0%}), so the "
               f"value forecasts below are on the {'conservative' if rel < 0 else 'optimistic'} side."
               ) if rel == rel else ""
    return (f"Over the holdout ({fmt_num(duration, 2)} {u}s) the customers made "
            f"**{fmt_num(act)} repeat purchases; the BG/NBD predicted {fmt_num(pred)}** "
            f"({rel:+.1%}); mean absolute error per customer {mae}, RMSE {rmse}, correlation of predicted and actual "
            f"{cor}." + (f"\n\n**What this means:** {meaning}" if meaning else ""))


def clv_text(total: float, mean: float, total_paretonbd: float | None, conc: dict, horizon: float,
             time_unit) -> str:
    """Section 5: total and mean CLV, its concentration (``conc`` is :func:`crmlab.clv.concentration`) and
    how many times a top-20% customer is worth a customer outside the top 20%."""
    top20 = conc["top20_share"]
    ratio = 4 * top20 / (1 - top20) if top20 < 1 else float("inf")
    u = unit_word(time_unit)
    if _zh():
        return (f"现有客户在未来 {fmt_num(horizon)} {u}内的预期价值：**{fmt_num(total)}**"
                f"（平均每位客户 {fmt_money(mean)}；BG/NBD + Gamma-Gamma 模型"
                + (f"；若改用 Pareto/NBD 模型：{fmt_num(total_paretonbd)}" if total_paretonbd is not None else "")
                + f"）。客户价值高度集中：价值最高的 10% 客户占 **{conc['top10_share']:.0%}**，"
                f"前 20% 客户占 **{top20:.0%}**。\n\n**含义**：一位高价值客户（前 20%）的预期价值平均相当于其余客户的 "
                f"{fmt_num(ratio, 2)} 倍，客户保留投入应首先用在这些客户身上。")
    return (f"Expected value of the current customers over the next {fmt_num(horizon)} {u}s: "
            f"**{fmt_num(total)}** (mean {fmt_money(mean)} per customer; BG/NBD + Gamma-Gamma"
            + (f"; with the Pareto/NBD instead: {fmt_num(total_paretonbd)}" if total_paretonbd is not None else "")
            + "). Value is concentrated: the top 10% of customers hold "
            f"**{conc['top10_share']:.0%}** and the top 20% hold **{top20:.0%}** of it.\n\n**What this means:** a "
            f"customer in the high-value tier (top 20%) is worth {fmt_num(ratio, 2)} times a customer outside it "
            "on average; that tier is where retention effort pays first.")


def clusters_text(method: str, k: int, silhouette: float, other: str, alt_k: int, ari: pd.Series) -> str:
    """Section 6: chosen number of clusters, the other method's choice and bootstrap stability."""
    stable = ari.mean() > 0.8
    sil, mean, low = fmt_num(silhouette, 2), fmt_num(ari.mean(), 2), fmt_num(ari.min(), 2)
    if _zh():
        crit = "依据 BIC" if other == "gmm" else "依据轮廓系数"
        return (f"{method_name(method)} 选择了 **k = {k}**（轮廓系数 {sil}）；"
                f"{method_name(other)} 会选择 k = {alt_k}（{crit}）。自助法稳定性：{len(ari)} 次重抽样的"
                f"调整兰德指数 (ARI) 均值为 {mean}（最小值 {low}）"
                + ("——聚类划分可以复现。" if stable else "——**聚类划分不稳定，只宜把这些聚类当作粗略的概括。**"))
    return (f"{method} chose **k = {k}** (silhouette {sil}); "
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
    return (f"Most customers are **{big}** ({share:.0%}); "
            f"{n_act:,} are active/growing and hold {v_act:.0%} "
            f"of expected value, {n_lapsed:,} have lapsed"
            + (" and no customer is new (all first purchases are older than 13 weeks)." if n_new == 0
               else f" and {n_new:,} are new.")
            + f"\n\n**What this means:** the **{top}** customers hold the largest share of expected value ({v_top:.0%})"
            + (" - value that is slipping away, which is what the early-warning list below is for." if slipping
               else "."))


def early_warning_text(n: int, spend: float, p_alive_below: float, shown: int = 15) -> str:
    """Section 7: the early-warning list (valuable customers whose P(alive) has fallen)."""
    if _zh():
        return (f"**流失预警**：按历史消费额排名前 20% 的客户中，有 {n:,} 位的存活概率 P(alive) 低于 "
                f"{p_alive_below:g}；他们迄今共消费 {fmt_num(spend)}。下表列出流失风险价值最高的 {shown} 位客户"
                "（客户编号为加密假名；P(alive) 来自 Pareto/NBD 模型，CLV 来自 BG/NBD + Gamma-Gamma 模型）：")
    return (f"**Early warning:** {n:,} of the top-20% customers by past spend have P(alive) below "
            f"{p_alive_below:g}; together they spent {fmt_num(spend)} so far. The {shown} with most past value at risk "
            "(ids are keyed pseudonyms; P(alive) from the Pareto/NBD, CLV from BG/NBD + Gamma-Gamma):")
