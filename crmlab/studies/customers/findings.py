"""What study 3 found, in words: the key findings under the title (3-6, each with its interval and unit and,
where the study can say, what to do), the closing summary, the introduction's values for the user's own log
and the variables appendix."""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, term
from crmlab.report.narrative import md_escape, pct
from crmlab.studies.customers.text import label, money, money_range, period_word, signed_money, unit_word


def _zh() -> bool:
    return current_lang() == "zh"


def _units(time_unit) -> str:
    return unit_word(time_unit) if _zh() else unit_word(time_unit) + "s"


def _value(val, n: int, horizon: float, discount_rate: float, time_unit) -> str:
    ci = ""
    if val.interval is not None:
        t = val.interval.summary.loc["total"]
        ci = (f"95% 区间 {money_range(t['ci_low'], t['ci_high'])}；" if _zh()
              else f"95% interval {money_range(t['ci_low'], t['ci_high'])}; ")
    if _zh():
        return (f"未来 {fmt_num(horizon)} {_units(time_unit)}内，现有 {n:,} 位客户的预期价值为 **{money(val.worth.total)}**"
                f"（{ci}按收入计，年折现率 {discount_rate:.0%}）。")
    return (f"Over the next {fmt_num(horizon)} {_units(time_unit)} the {n:,} customers are worth "
            f"**{money(val.worth.total)}** ({ci}revenue, discounted at {discount_rate:.0%} a year).")


def _top(val) -> str:
    share = val.worth.concentration["top20_share"]
    amount = money(share * val.worth.total)
    ci = ""
    if val.interval is not None:
        s = val.interval.summary.loc["top20_share"]
        ci = (f"；95% 区间 {pct(s['ci_low'], 0)} 至 {pct(s['ci_high'], 0)}" if _zh()
              else f"; 95% interval {pct(s['ci_low'], 0)} to {pct(s['ci_high'], 0)}")
    if _zh():
        return (f"价值最高的 20% 客户占预期价值的 **{pct(share, 0)}**（{amount}{ci}）：客户保留投入应首先用在他们身上。")
    return (f"The most valuable 20% of customers hold **{pct(share, 0)}** of that value ({amount}{ci}): retention "
            "spending pays first there.")


def _risk(life, p_alive_below: float) -> str:
    n, var = life.record["customers"], life.record["value_at_risk"]
    if n == 0:
        return (f"没有高价值客户（历史消费额前 20%）的存活概率 P(alive) 低于 {p_alive_below:g}：目前没有需要紧急挽留的客户"
                f"（流失风险价值 {money(0.0)}）。" if _zh() else
                f"No valuable customer (top 20% by past spend) has P(alive) below {p_alive_below:g}: nobody needs "
                f"urgent attention ({money(0.0)} of past spend at risk).")
    if _zh():
        return (f"**{n:,}** 位高价值客户（历史消费额前 20%）的存活概率 P(alive) 低于 {p_alive_below:g}：他们迄今的消费中有 "
                f"**{money(var)}** 面临流失风险。请优先联系这些客户，流失预警名单以假名列出了他们。")
    return (f"**{n:,}** valuable customers (top 20% by past spend) have P(alive) below {p_alive_below:g}: "
            f"**{money(var)}** of their past spend is at risk. Contact them first; the early-warning list names them "
            "by pseudonym.")


def _holdout(check, duration: float, time_unit) -> str:
    err = check.errors
    act, pred = err["actual_repeat"], err["predicted_repeat"]
    rel = pred / act - 1 if act else float("nan")
    d = f"{fmt_num(duration, 2)} {_units(time_unit)}" if _zh() else f"{fmt_num(duration, 2)}-{unit_word(time_unit)}"
    if _zh():
        how = ("与实际相差不到 10%，预测可信" if abs(rel) <= 0.1 else
               "低估了重复购买，上述预测偏保守" if rel < 0 else "高估了重复购买，上述预测偏乐观")
        return (f"在 {d}的验证期内，模型预测 {fmt_num(pred)} 次重复购买，实际为 {fmt_num(act)} 次（{rel:+.0%}；"
                f"每位客户平均误差 {fmt_num(err['mae_per_customer'], 2)} 次）：{how}。")
    how = ("within 10% of what happened, so the forecasts can be relied on" if abs(rel) <= 0.1 else
           "it under-predicts, so the forecasts above are on the conservative side" if rel < 0 else
           "it over-predicts, so the forecasts above are on the optimistic side")
    return (f"Checked on a {d} holdout, the model predicted {fmt_num(pred)} repeat purchases against {fmt_num(act)} "
            f"actual ({rel:+.0%}; mean error {fmt_num(err['mae_per_customer'], 2)} purchases per customer): {how}.")


def _segments(seg, portrait, total: float) -> str:
    big = seg.counts.idxmax()
    share = seg.counts.max() / seg.counts.sum()
    top = portrait["value_share"].idxmax()
    row = portrait.loc[top]
    if _zh():
        return (f"最大的 RFM 客户群是**{term(big)}**（占客户的 {pct(share, 0)}）；{pct(seg.one_timers, 0)} 的客户只购买过一次。"
                f"价值最高的聚类（{int(row['customers']):,} 位客户，{pct(row['share'], 0)}）占预期价值的 "
                f"{pct(row['value_share'], 0)}（{money(row['value_share'] * total)}）。")
    return (f"The largest RFM segment is **{term(big)}** ({pct(share, 0)} of customers); {pct(seg.one_timers, 0)} bought "
            f"only once. The most valuable cluster ({int(row['customers']):,} customers, {pct(row['share'], 0)}) "
            f"holds {pct(row['value_share'], 0)} of expected value ({money(row['value_share'] * total)}).")


def _campaign(res) -> str:
    arm, row = next(iter(res.value.iterrows()))
    e = res.effects[(res.effects["arm"] == arm) & (res.effects["effect"] == "purchase_rate_ratio")]
    r, lo, hi = ((fmt_num(e[c].iloc[0], 2) for c in ("ratio", "ci_low", "ci_high")) if len(e)
                 else ("-", "-", "-"))
    per, per_ci = signed_money(row["clv_effect"]), money_range(row["clv_ci_low"], row["clv_ci_high"], signed=True)
    tot = signed_money(row["clv_total_effect"])
    tot_ci = money_range(row["clv_total_ci_low"], row["clv_total_ci_high"], signed=True)
    paid, lost = row["clv_total_ci_low"] > 0, row["clv_total_ci_high"] < 0
    a = md_escape(term(str(arm)))
    if _zh():
        verdict = "活动提高了客户价值" if paid else "活动降低了客户价值" if lost else "尚不能判断活动是否提高了客户价值"
        return (f"营销活动（{a}）使购买率变为原来的 {r} 倍（95% 置信区间 {lo} 至 {hi}）；每位客户的 CLV 变化 {per}"
                f"（{per_ci}），该组合计 {tot}（{tot_ci}）：{verdict}。")
    verdict = ("the campaign raised customer value" if paid else "the campaign lowered customer value" if lost
               else "the data cannot yet tell whether the campaign raised customer value")
    return (f"The campaign ({a}) multiplied the purchase rate by {r} (95% CI {lo} to {hi}) and changed CLV by {per} "
            f"per customer ({per_ci}), {tot} for the whole arm ({tot_ci}): {verdict}.")


def key_findings(*, run, seg, val, life, portrait, check=None, campaign=None, horizon: float, discount_rate: float,
                 time_unit, warning_p_alive: float) -> list[tuple[str, str]]:
    """The 3-6 key findings under the title, each with its section: total CLV with its interval and currency, the
    top 20%'s share with its interval, the valuable customers at risk and their value at risk, the holdout accuracy
    in words, the segments in words and, with a joined experiment, the campaign's effect."""
    out = [(_value(val, run.n_customers, horizon, discount_rate, time_unit), "value"), (_top(val), "value"),
           (_risk(life, warning_p_alive), "lifecycle")]
    if check is not None:
        out.append((_holdout(check, (run.holdout_end - run.calibration_end).days / run.time_unit_days, time_unit),
                    "holdout"))
    out.append((_segments(seg, portrait, val.worth.total), "clusters"))
    if campaign is not None:
        out.append((_campaign(campaign), "campaign"))
    return out[:6]


def summary(*, run, seg, val, life, portrait, check=None, campaign=None, covariates=None, bgbb=None,
            horizon: float, discount_rate: float, time_unit, warning_p_alive: float) -> str:
    """The closing summary in words: what was used, what the customers are worth and how sure, who to act on,
    and what the optional analyses found."""
    rep = run.report
    fired = sum(1 for k in ("header_lines_dropped", "status_excluded", "after_holdout_dropped", "returns_dropped",
                            "refund_rows_netted", "refunds_unmatched", "purchases_refunded", "duplicates_dropped")
                if rep.get(k))
    if _zh():
        parts = [f"本研究分析了 {md_escape(run.log.file)} 中 {run.n_customers:,} 位客户截至 {run.calibration_end.date()} "
                 f"的 {rep['transactions_calibration']:,} 次交易"
                 + (f"（{fired} 条数据规则改变了交易记录，见第 1 节）" if fired else "") + "。"]
    else:
        parts = [f"This study analysed {rep['transactions_calibration']:,} transactions of {run.n_customers:,} customers "
                 f"in {md_escape(run.log.file)} up to {run.calibration_end.date()}"
                 + (f" ({fired} data rules changed the log; see section 1)" if fired else "") + "."]
    if check is not None:
        parts.append(_holdout(check, (run.holdout_end - run.calibration_end).days / run.time_unit_days, time_unit))
    parts += [_value(val, run.n_customers, horizon, discount_rate, time_unit), _top(val),
              _risk(life, warning_p_alive), _segments(seg, portrait, val.worth.total)]
    if covariates is not None:
        m = covariates.paretonbd if covariates.paretonbd is not None else covariates.bgnbd
        if m is not None:
            tab = m.summary()
            sig = sorted({i.split(":", 1)[1] for i in tab.index[len(m.base_names):]
                          if tab.loc[i, "ratio_ci_low"] > 1 or tab.loc[i, "ratio_ci_high"] < 1})
            names = [label(c.partition("=")[0]) for c in sig]
            parts.append((f"协变量中，{'、'.join(names)}的效应区间不包含 1。" if names else "没有哪个协变量的效应区间排除 1。")
                         if _zh() else (f"Among the covariates, {', '.join(names)} shift purchasing or drop-out."
                                        if names else "No covariate shifts purchasing or drop-out beyond chance."))
    if campaign is not None:
        parts.append(_campaign(campaign))
    if bgbb is not None:
        parts.append((f"以{period_word(bgbb.period)}为购买机会的 BG/BB 模型给出的下一期平均存活概率为 "
                      f"{pct(bgbb.p_alive_mean, 0)}。" if _zh() else
                      f"Seen in discrete {period_word(bgbb.period)}, the BG/BB model puts the mean P(alive) at the "
                      f"next opportunity at {pct(bgbb.p_alive_mean, 0)}."))
    return ("" if _zh() else " ").join(parts)


# -- the user's own log: introduction and variables appendix ---------------------------------------------

ROLES = ("customer_col", "date_col", "amount_col", "order_col", "status_col")


def intro_values(log, currency: str | None = None) -> dict[str, str]:
    """The placeholders of ``intro_own``: ``file``, ``rows`` (when known), ``columns`` (the roles and their
    columns by name), ``currency_note``."""
    zh = _zh()
    roles = {"customer_col": ("customers from", "客户编号来自"), "date_col": ("purchase dates from", "购买日期来自"),
             "amount_col": ("amounts from", "金额来自"), "order_col": ("order ids from", "订单编号来自"),
             "status_col": ("order statuses from", "订单状态来自")}
    said = [f"{roles[r][1 if zh else 0]}{'' if zh else ' '}{label(log.columns[r])}" for r in ROLES if log.columns.get(r)]
    covs = log.columns.get("covariates") or []
    if covs:
        said.append(("协变量" if zh else "covariates ") + ("、" if zh else ", ").join(label(c) for c in covs))
    rows = log.rows
    code = currency or (log.codebook.currency if log.codebook is not None else None)
    return {"file": md_escape(log.file),
            "rows": (f"，{rows:,} 行" if zh else f", {rows:,} rows") if rows is not None else "",
            "columns": ("，".join(said) if zh else "; ".join(said)),
            "currency_note": (f"金额单位：{code}。" if zh else f"Amounts are in {code}.") if code else
                        ("未指定货币（参数 `currency`）。" if zh else "No currency was given (parameter `currency`).")}


def variables(log, currency: str | None = None) -> pd.DataFrame:
    """The variables appendix: one row per column the study used (index: the column's name in the data) with
    ``label`` (codebook, report language; empty without one), ``role`` and ``unit``."""
    cb = log.codebook
    code = currency or (cb.currency if cb is not None else None)
    from crmlab.report.fmt import currency_unit

    cur = f"{currency_unit()} ({code})" if code and currency_unit() else code
    kinds = {"customer_col": "kind_id", "date_col": "kind_date", "amount_col": cur or "kind_money",
             "order_col": "kind_id", "status_col": "kind_text"}
    rows = []
    for role in ROLES:
        col = log.columns.get(role)
        if col:
            rows.append((col, role, kinds[role]))
    for c in log.columns.get("covariates") or []:
        rows.append((c, "covariates", "kind_text"))
    out = []
    for col, role, unit in rows:
        entry = cb.columns.get(col) if cb is not None else None
        lab = (entry.zh if _zh() else entry.en) if entry is not None else None
        out.append({"variable": col, "label": lab or "", "role": role, "unit": unit})
    return pd.DataFrame(out).set_index("variable")


def reference_words(cf) -> str:
    """The reference categories of the covariate table's caption: “Channel = app” (or, without categorical
    covariates, the words for "the most frequent category")."""
    if not cf.reference:
        return "最常见的类别" if _zh() else "the most frequent category"
    return ("、" if _zh() else ", ").join(f"“{md_escape(term(c))} = {md_escape(term(v))}”"
                                          for c, v in cf.reference.items())


def control_words(res) -> str:
    """The control arm of a campaign, named for a caption."""
    name = md_escape(term(str(res.join.control)))
    return f"对照组“{name}”" if _zh() else f"the control arm “{name}”"
