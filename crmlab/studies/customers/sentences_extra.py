"""Sentences of study 3's optional sections (covariates, a joined campaign, BG/BB), in the report's language."""
from __future__ import annotations

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, term
from crmlab.report.narrative import interval, md_escape, p_phrase
from crmlab.studies.customers.text import money_range, period_word, signed_money, unit_word


def _zh() -> bool:
    return current_lang() == "zh"


def _name(design_col: str) -> str:
    col, _, lev = design_col.partition("=")
    name = md_escape(term(col))
    return f"“{name} = {md_escape(term(lev))}”" if lev else f"“{name}”"


def not_requested(what: str) -> str:
    """An optional section that was not asked for, with the parameter that asks for it."""
    words = {
        "covariates": ("No covariates were named (parameter `covariates`: columns of the log, or of a customer table "
                       "given as `customers`, that may shift purchasing and drop-out).",
                       "未指定协变量（参数 `covariates`：交易记录中或客户表 `customers` 中可能影响购买与流失的列）。"),
        "campaign": ("No experiment was joined (parameter `assignment`: a table with each customer's arm).",
                     "未关联实验（参数 `assignment`：记录每位客户所属实验组的表）。"),
        "bgbb": ("The discrete-time view was not asked for (parameter `bgbb_period`: weeks, months, quarters or "
                 "years as purchase opportunities).",
                 "未要求离散时间分析（参数 `bgbb_period`：以周、月、季度或年为购买机会）。"),
    }
    en, zh = words[what]
    return zh if _zh() else en


def covariates_text(cf, level: float = 0.95) -> str:
    """Section 8: where the covariates come from, and each covariate's effect on the purchase rate and the
    drop-out rate (Pareto/NBD; BG/NBD's purchase rate when the Pareto/NBD did not converge)."""
    model = cf.paretonbd if cf.paretonbd is not None else cf.bgnbd
    src = ("交易记录（每位客户首次购买当天的取值）" if cf.source == "log" else md_escape(cf.source)) if _zh() else \
        ("the log (each customer's value on the first purchase day)" if cf.source == "log" else md_escape(cf.source))
    parts = []
    if _zh():
        parts.append(f"协变量来自{src}；使用 {cf.n_used:,} 位客户"
                     + (f"（{cf.n_missing:,} 位缺少协变量取值，未纳入）" if cf.n_missing else "") + "。"
                     + (f"{cf.varying:,} 位客户的协变量在不同购买之间有变化，取首次购买当天的值。" if cf.varying else ""))
    else:
        parts.append(f"Covariates from {src}; {cf.n_used:,} customers used"
                     + (f" ({cf.n_missing:,} without a value left out)" if cf.n_missing else "") + "."
                     + (f" {cf.varying:,} customers' covariate changes between purchases; the first day's value is "
                        "used." if cf.varying else ""))
    if model is None:
        err = "; ".join(cf.errors.values())
        return " ".join(parts) + (f"\n\n两个模型都未收敛：{err}" if _zh() else f"\n\nNeither model converged: {err}")
    tab = model.summary(level)
    name = "Pareto/NBD" if model is cf.paretonbd else "BG/NBD"
    bullets = []
    for col in cf.design:
        pr = tab.loc[f"purchase:{col}"] if f"purchase:{col}" in tab.index else None
        dr = tab.loc[f"dropout:{col}"] if f"dropout:{col}" in tab.index else None
        bits = []
        for row, en, zh in ((pr, "purchase rate", "购买率"), (dr, "drop-out rate", "流失率")):
            if row is not None:
                est = interval(row["ratio"], row["ratio_ci_low"], row["ratio_ci_high"])
                bits.append(f"{zh} ×{est}（{p_phrase(row['p_value'])}）" if _zh()
                            else f"{en} ×{est} ({p_phrase(row['p_value'])})")
        bullets.append(f"- {_name(col)}：" + "，".join(bits) if _zh() else f"- {_name(col)}: " + ", ".join(bits))
    ref = ", ".join(f"{md_escape(term(c))} = {md_escape(term(v))}" for c, v in cf.reference.items())
    if _zh():
        head = (f"{name} 模型估计的效应（倍数及 {level:.0%} 置信区间；1 表示没有效应"
                + (f"；类别变量的参照类别：{ref}" if ref else "") + "）：")
        sig = [c for c in cf.design if _excludes_one(tab, c)]
        meaning = ("**含义**：" + ("、".join(_name(c) for c in sig) + "不同的客户，购买或流失确有差异（效应区间不包含 1）。"
                                 if sig else "没有哪个协变量的效应区间排除 1：这些特征并不能区分客户的购买与流失。"))
    else:
        head = (f"Effects in the {name} model (ratios with {level:.0%} confidence intervals; 1 means no effect"
                + (f"; categories against {ref}" if ref else "") + "):")
        sig = [c for c in cf.design if _excludes_one(tab, c)]
        meaning = ("**What this means:** " + (", ".join(_name(c) for c in sig) + " shift purchasing or drop-out: "
                                             "their intervals exclude 1." if sig else
                                             "no covariate's interval excludes 1: these characteristics do not tell "
                                             "customers' purchasing or drop-out apart."))
    return " ".join(parts) + "\n\n" + head + "\n\n" + "\n".join(bullets) + "\n\n" + meaning


def _excludes_one(tab, col) -> bool:
    rows = [tab.loc[i] for i in tab.index if i.split(":", 1)[-1] == col and ":" in i]
    return any(r["ratio_ci_low"] > 1 or r["ratio_ci_high"] < 1 for r in rows)


def campaign_text(res, horizon: float, time_unit) -> str:
    """Section 9: who was matched, the campaign's effects on purchasing and drop-out and on CLV per customer and
    in total, with intervals, and what that means."""
    c = res.join.counts
    zh = _zh()
    u = unit_word(time_unit) if zh else unit_word(time_unit) + "s"
    match = (f"实验分组表与交易记录匹配到 {c['n_matched']:,} 位客户（各组：" + "，".join(
        f"{md_escape(term(k))} {v:,} 位" for k, v in c["by_arm"].items()) + "）"
        + (f"；{c['n_summary_only']:,} 位有交易记录的客户不在分组表中" if c["n_summary_only"] else "")
        + (f"；分组表中 {c['n_assignment_only']:,} 位客户在校准期结束前没有购买，未纳入" if c["n_assignment_only"] else "")
        + "。") if zh else (
        f"The assignment table matched {c['n_matched']:,} customers of the log (" + ", ".join(
            f"{md_escape(term(k))}: {v:,}" for k, v in c["by_arm"].items()) + ")"
        + (f"; {c['n_summary_only']:,} customers of the log have no arm" if c["n_summary_only"] else "")
        + (f"; {c['n_assignment_only']:,} assigned customers made no purchase by the calibration end and are left out"
           if c["n_assignment_only"] else "") + ".")
    lines = [match]
    eff = res.effects
    for arm, row in res.value.iterrows():
        e = eff[eff["arm"] == arm].set_index("effect")
        bits = []
        for key in ("purchase_rate_ratio", "dropout_rate_ratio", "dropout_probability_ratio"):
            if key in e.index:
                r = e.loc[key]
                est = interval(r["ratio"], r["ci_low"], r["ci_high"])
                bits.append(f"{term(key)} ×{est}（{p_phrase(r['p_value'])}）" if zh
                            else f"{term(key)} ×{est} ({p_phrase(r['p_value'])})")
        per_ci = money_range(row["clv_ci_low"], row["clv_ci_high"], signed=True)
        tot_ci = money_range(row["clv_total_ci_low"], row["clv_total_ci_high"], signed=True)
        per = (f"{signed_money(row['clv_effect'])}（95% 区间 {per_ci}）" if zh
               else f"{signed_money(row['clv_effect'])} (95% interval {per_ci})")
        tot = (f"{signed_money(row['clv_total_effect'])}（95% 区间 {tot_ci}）" if zh
               else f"{signed_money(row['clv_total_effect'])} (95% interval {tot_ci})")
        paid = row["clv_total_ci_low"] > 0
        lost = row["clv_total_ci_high"] < 0
        if zh:
            verdict = ("活动提高了客户价值，且区间不包含 0。" if paid else "活动降低了客户价值。" if lost
                       else "区间包含 0：尚不能判断活动是否提高了客户价值。")
            lines.append(f"**{md_escape(term(str(arm)))}**（相对于“{md_escape(term(str(res.join.control)))}”）："
                         + "，".join(bits) + f"。未来 {fmt_num(horizon)} {u}内，每位客户的 CLV 变化 {per}，"
                         f"该组 {int(row['n_customers']):,} 位客户合计 {tot}。\n\n**含义**：{verdict}")
        else:
            verdict = ("the campaign raised customer value, and the interval excludes 0." if paid else
                       "the campaign lowered customer value." if lost else
                       "the interval includes 0: the data cannot yet tell whether the campaign raised customer value.")
            lines.append(f"**{md_escape(term(str(arm)))}** (against {md_escape(term(str(res.join.control)))}): "
                         + ", ".join(bits) + f". Over the next {fmt_num(horizon)} {u} a customer's CLV changes by "
                         f"{per}; the arm's {int(row['n_customers']):,} customers' by {tot}."
                         f"\n\n**What this means:** {verdict}")
    return "\n\n".join(lines)


def bgbb_text(res, level: float = 0.95) -> str:
    """Section 10: the discrete-time view (BG/BB): what the parameters mean, P(alive), the holdout check, DERT."""
    p = res.model.params_
    buy = p["alpha"] / (p["alpha"] + p["beta"])
    die = p["gamma"] / (p["gamma"] + p["delta"])
    per = period_word(res.period)
    h = res.holdout
    if _zh():
        out = (f"把每位客户首次购买之后的每个完整{per}看作一次购买机会：{res.customers:,} 位客户，平均 "
               f"{fmt_num(res.opportunities)} 次机会。BG/BB 模型：仍然活跃的客户在一个{per}内购买的平均概率为 "
               f"{buy:.0%}，在每个{per}开始前流失的平均概率为 {die:.0%}；下一个{per}仍然活跃的平均概率为 "
               f"{res.p_alive_mean:.0%}。")
        if h:
            rel = h["predicted"] / h["actual"] - 1 if h["actual"] else float("nan")
            out += (f"验证期内，各客户有购买的{per}数合计为 {fmt_num(h['actual'])}，模型预测为 {fmt_num(h['predicted'])}"
                    f"（{rel:+.0%}），每位客户的平均绝对误差为 {fmt_num(h['mae_per_customer'], 2)}。")
        return out + (f"按年折现率折算为每{per} {res.discount_per_period:.2%} 后，每位客户的折现预期剩余交易次数"
                      f"（DERT）平均为 {fmt_num(res.dert_mean)}。")
    out = (f"Seen as purchase opportunities - each whole {per[:-1]} after a customer's first purchase - "
           f"{res.customers:,} customers had {fmt_num(res.opportunities)} opportunities on average. BG/BB: while "
           f"alive, a customer buys in a {per[:-1]} with a {buy:.0%} chance on average and drops out before each "
           f"{per[:-1]} with a {die:.0%} chance; the mean P(alive) at the next {per[:-1]} is {res.p_alive_mean:.0%}. ")
    if h:
        rel = h["predicted"] / h["actual"] - 1 if h["actual"] else float("nan")
        out += (f"In the holdout, {fmt_num(h['actual'])} customer-{per} had a purchase against "
                f"{fmt_num(h['predicted'])} predicted ({rel:+.0%}); mean absolute error per customer "
                f"{fmt_num(h['mae_per_customer'], 2)}. ")
    return out + (f"Discounted at {res.discount_per_period:.2%} per {per[:-1]} (the annual rate), the expected "
                  f"residual transactions (DERT) average {fmt_num(res.dert_mean)} per customer.")
