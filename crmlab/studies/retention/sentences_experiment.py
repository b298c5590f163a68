"""Sentences of study 4 for sequential monitoring, ratio metrics and budgeted targeting, written from the numbers
in the current report language (re-exported by :mod:`crmlab.studies.retention.sentences`)."""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import interval, join_words, md_escape, pct
from crmlab.studies.retention.text import arm_name, is_money, md_money, money, money_interval

__all__ = ["aa_line", "arrival_note", "budget_line", "budget_skipped", "budget_summary_line", "ratio_line",
           "ratio_skipped", "sequential_line", "sequential_skipped", "sequential_summary_line", "when"]


def _zh() -> bool:
    return current_lang() == "zh"


def when(t) -> str:
    """A look's time for a sentence: ``day 3`` / ``第 3 天`` for a day number, the date for a date."""
    if pd.isna(t):
        return "-"
    if isinstance(t, (int, float)) or hasattr(t, "dtype") and getattr(t.dtype, "kind", "") in "iuf":
        d = fmt_num(t)
        return f"第 {d} 天" if _zh() else f"day {d}"
    return str(t)[:10]


def arrival_note(simulated: bool, n_looks: int, seed, column: str | None = None) -> str:
    """Where the arrival days come from; with simulated days, what that means for the reading."""
    if not simulated:
        return pick(en=f"Customers are counted from their arrival day ({md_escape(term(column))}); one look per "
                       f"arrival time ({n_looks} looks).",
                    zh=f"按{md_escape(term(column))}记录的进入时间累计客户；每个进入时间查看一次（共 {n_looks} 次）。")
    return pick(en=f"**The experiment table has no arrival day, so each customer is given a simulated one**, uniform "
                   f"over {n_looks} days (seed {seed}). Assignment is random and the outcomes do not depend on the "
                   "order of arrival, so the looks below show what daily monitoring *could* have shown - one "
                   "possible history, not the real one. Set `arrival_col` to the column holding each customer's "
                   "arrival day to monitor the real sequence.",
                zh=f"**实验表中没有客户进入实验的日期，因此为每位客户模拟了一个进入日**，在 {n_looks} 天内均匀分布"
                   f"（随机种子 {seed}）。分组是随机的，结果也不取决于进入顺序，所以下面的逐日查看展示的是每天监控"
                   "*可能*看到的情形——一种可能的历史，而非真实经过。将 `arrival_col` 设为记录每位客户进入日期的列，"
                   "即可监控真实的进程。")


def _effect(arm, outcome) -> str:
    return f"{arm_name(arm)}对{term(outcome)}" if _zh() else f"{arm_name(arm)} on {term(outcome)}"


def sequential_line(summary: pd.DataFrame, level: float) -> str:
    """When each effect could have been called (its confidence sequence excludes 0), how many naive daily
    intervals would have called earlier, and what the always-valid interval costs in width at the end."""
    zh = _zh()
    called = summary[summary["first_look"].notna()]
    never = summary[summary["first_look"].isna()]
    parts = [f"{_effect(r.arm, r.outcome)}：{when(r.first_time)}" if zh else
             f"{_effect(r.arm, r.outcome)} from {when(r.first_time)}" for r in called.itertuples()]
    earlier = int(((summary["naive_first_look"].notna())
                   & (summary["first_look"].isna() | (summary["naive_first_look"] < summary["first_look"]))).sum())
    ratio = fmt_num(float(summary["width_ratio"].max()), 3)
    lv = pct(level, 0)
    if zh:
        out = ("每天查看一次时，随时有效的置信序列排除 0（效应可以宣布成立）的时间为：" + "；".join(parts) + "。"
               if parts else "在整个监控期内，没有一个置信序列排除 0。")
        if len(never) and parts:
            out += "直到最后一次查看仍未排除 0 的有：" + "、".join(_effect(r.arm, r.outcome)
                                                    for r in never.itertuples()) + "。"
        return (out + f"若每天重复计算常规的 {lv} 置信区间，有 {earlier} 个效应会更早被宣布——但代价是下文模拟的误报率。"
                f"最后一天置信序列的宽度是固定样本量区间的 {ratio} 倍，这是允许每天查看所付出的代价。")
    out = ("Looking every day, the always-valid interval excludes zero (the effect could have been called) for "
           + "; ".join(parts) + "." if parts else "No confidence sequence excludes zero during the monitoring.")
    if len(never) and parts:
        out += " Still open at the last look: " + join_words([_effect(r.arm, r.outcome)
                                                            for r in never.itertuples()]) + "."
    return md_escape(out) + (f" Naive daily {lv} intervals would have called {earlier} of them earlier - at the "
                             f"false-alarm risk simulated below. On the last day the confidence sequence is {ratio} "
                             "times as wide as the fixed-horizon interval: the price of being allowed to look every "
                             "day.")


def aa_line(aa: dict) -> str:
    """Type I error of stopping at the first look that excludes zero, confidence sequence against naive daily
    intervals (both figures), from :func:`crmlab.studies.retention.steps.aa_simulation`."""
    cs, naive, fixed = pct(aa["cs_error"]), pct(aa["naive_error"]), pct(aa["fixed_error"])
    mcse = pct(aa["mc_se"])
    base = pct(aa["base"]) if aa["outcome"] == "binary" else fmt_num(aa["base"])
    reps, looks, per = f"{aa['n_reps']:,}", aa["n_looks"], f"{aa['n_per_look']:,}"
    lv = pct(aa["level"], 0)
    if _zh():
        what = f"基准率 {base}" if aa["outcome"] == "binary" else f"对照组均值 {base}"
        return (f"在 {reps} 次与本实验规模相同的模拟 A/A 实验中（{looks} 次逐日查看，每天 {per} 位客户，{what}），"
                f"在区间首次排除 0 时即停止并宣布效应：置信序列的误报率（第一类错误率）为 {cs}，"
                f"每天重复计算常规 {lv} 置信区间的误报率为 {naive}（只在最后查看一次：{fixed}；"
                f"蒙特卡洛标准误约 {mcse}）。")
    what = f"base rate {base}" if aa["outcome"] == "binary" else f"control mean {base}"
    return (f"In {reps} simulated A/A experiments shaped like this one ({looks} daily looks, {per} customers a day, "
            f"{what}), stopping at the first look whose interval excludes zero raised a false alarm (type I error) "
            f"in {cs} with the confidence sequence and in {naive} with naive daily {lv} intervals (one look at the "
            f"end: {fixed}; Monte Carlo standard error about {mcse}).")


def sequential_summary_line(summary: pd.DataFrame, aa: dict | None) -> str:
    """Sequential monitoring in one sentence: effects called during the monitoring and the A/A error rates."""
    called = summary[summary["first_look"].notna()]
    n, k = len(called), len(summary)
    first = when(called["first_time"].min()) if n else "-"
    if _zh():
        out = f"序贯监控：{k} 个效应中有 {n} 个在监控期内可以宣布成立" + (f"（最早在{first}）" if n else "")
        if aa is not None:
            out += (f"；模拟 A/A 实验中逐日查看的误报率：置信序列 {pct(aa['cs_error'])}，"
                    f"每日常规区间 {pct(aa['naive_error'])}")
        return out + "。"
    out = f"Sequential monitoring: {n} of {k} effects could be called during the monitoring" + (
        f" (the first on {first})" if n else "")
    if aa is not None:
        out += (f"; false alarms under daily looks in simulated A/A experiments: {pct(aa['cs_error'])} with the "
                f"confidence sequence against {pct(aa['naive_error'])} with naive daily intervals")
    return out + "."


def sequential_skipped() -> str:
    """The section was not asked for."""
    return pick(en="Sequential monitoring was not run (`sequential = False`).",
                zh="未进行序贯监控（`sequential = False`）。")


def ratio_line(table: pd.DataFrame, control, covariates) -> str:
    """Each ratio's effect per arm with its relative lift, and what CUPED bought."""
    zh = _zh()
    parts = []
    for metric, g in table.groupby("metric", sort=False):
        ctl = fmt_num(g["ratio_control"].iloc[0])
        num, den = g["numerator"].iloc[0], g["denominator"].iloc[0]
        cash = is_money(num) and not is_money(den)
        ctl = money(g["ratio_control"].iloc[0]) if cash else ctl

        def est(r):
            return (money_interval(r.estimate, r.ci_low, r.ci_high, sign=True) if cash
                    else interval(r.estimate, r.ci_low, r.ci_high, sign=True))
        arms = [(f"{arm_name(r.arm)} {est(r)}"
                 f"（相对提升 {pct(r.lift, sign=True)} [{pct(r.lift_ci_low)}, {pct(r.lift_ci_high)}]）") if zh else
                (f"{arm_name(r.arm)} {est(r)} ({pct(r.lift, sign=True)} "
                 f"[{pct(r.lift_ci_low)}, {pct(r.lift_ci_high)}])") for r in g.itertuples()]
        if zh:
            parts.append(f"{term(num)}/{term(den)}（{arm_name(control)}为 {ctl}）：" + "，".join(arms))
        else:
            parts.append(f"{term(num)} per {term(den)} ({arm_name(control)}: {ctl}): " + ", ".join(arms))
    lo, hi = pct(table["variance_reduction"].min()), pct(table["variance_reduction"].max())
    vr = lo if lo == hi else (f"{lo} 至 {hi}" if zh else f"{lo} to {hi}")
    if zh:
        cup = (f"以{'、'.join(term(c) for c in covariates)}做 CUPED 调整，方差缩减 {vr}。" if len(covariates)
               else "未做 CUPED 调整（`ratio_covariates` 为空）。")
        return md_money("比率指标（Delta 方法，按客户加总后相除）：" + "；".join(parts) + "。" + cup)
    cup = (f" CUPED on {md_escape(join_words([term(c) for c in covariates]))} reduces the variance by {vr}."
           if len(covariates)
           else " No CUPED adjustment (`ratio_covariates` is empty).")
    return md_money(md_escape("Ratio metrics (delta method, sums over customers): " + "; ".join(parts) + ".") + cup)


def ratio_skipped() -> str:
    """The section was not asked for."""
    return pick(en="No ratio metrics were asked for (`ratio_metrics` is empty).",
                zh="未指定比率指标（`ratio_metrics` 为空）。")


def budget_line(policy, curve: pd.DataFrame, cost: float, n_customers: int) -> str:
    """The budgeted policy: whom it contacts, its held-out net value with the interval and ROI, whether the value is
    established, and where the curve across budgets peaks."""
    zh = _zh()
    nv = money_interval(policy.net_value, policy.ci_low, policy.ci_high)
    n, share = f"{round(policy.n_contacts):,}", pct(policy.share_contacted)
    roi, lv = fmt_num(policy.roi), pct(policy.level, 0)
    best = curve.loc[curve["net_value"].idxmax()]
    peak = money_interval(best["net_value"], best["ci_low"], best["ci_high"])
    short = policy.cost < policy.budget * 0.99
    if zh:
        ok = (f"在 {lv} 水平上其价值得到确认" if policy.ci_low > 0 else
              "区间包含 0：数据不能证明该策略能带来正的净价值")
        out = (f"预算 {money(policy.budget)}、每次联系成本 {money(cost)}时，策略联系预测净价值最高的 "
               f"{n} 位客户（占 {n_customers:,} 位的 {share}）；在留出样本上总净价值为 {nv}，ROI {roi}；{ok}。")
        if short:
            out += f"只有这些客户的预测净价值为正，因此只花费 {money(policy.cost)}。"
        return md_money(out + f"在各预算水平中，留出样本净价值最高的预算为 {money(best['budget'])}（净价值 {peak}）。")
    ok = (f"its value is established at the {lv} level" if policy.ci_low > 0 else
          "the interval includes zero: the data do not establish that this policy pays")
    out = (f"With a budget of {money(policy.budget)} at {money(cost)} per contact, the policy contacts the {n} "
           f"customers ({share} of {n_customers:,}) with the highest predicted net value; on held-out folds it nets "
           f"{nv} in total, ROI {roi}; {ok}.")
    if short:
        out += f" Only these customers have a positive predicted net value, so it spends {money(policy.cost)}."
    return md_money(out + f" Across budgets the held-out net value is highest at {money(best['budget'])} ({peak}).")


def budget_summary_line(policy) -> str:
    """The budgeted policy in one sentence (for the summary)."""
    nv = money_interval(policy.net_value, policy.ci_low, policy.ci_high)
    n, share, b = f"{round(policy.n_contacts):,}", pct(policy.share_contacted), money(policy.budget)
    return md_money(pick(en=f"Budgeted targeting (budget {b}): contact {n} customers ({share}); held-out net value "
                            f"{nv} in total, ROI {fmt_num(policy.roi)}.",
                         zh=f"预算约束下的精准投放（预算 {b}）：联系 {n} 位客户（{share}）；留出样本总净价值 {nv}，"
                            f"ROI {fmt_num(policy.roi)}。"))


def budget_skipped() -> str:
    """The section was not asked for."""
    return pick(en="No budgeted policy was asked for (`budget` and `n_contacts` are both None).",
                zh="未指定预算约束下的投放策略（`budget` 与 `n_contacts` 均为 None）。")
