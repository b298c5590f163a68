"""Sentences of study 4 for the proportional-hazards check, churn by reason (competing risks) and parametric time
to churn, written from the numbers in the current report language (re-exported by
:mod:`crmlab.studies.retention.sentences`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import interval, join_words, md_escape, p_phrase, pct
from crmlab.studies.retention.text import md_money, money, names, term_label, with_time

__all__ = ["aft_line", "aft_skipped", "cif_line", "cr_line", "ph_line", "ph_summary_line", "reasons_note",
           "reasons_skipped", "reasons_summary_line", "remaining_line", "sbg_line", "sbg_skipped"]


def _zh() -> bool:
    return current_lang() == "zh"


def _words(items) -> str:
    return names(items)


def _global(ph_test: pd.DataFrame) -> str:
    """The GLOBAL test, led by its separator (empty without a GLOBAL row)."""
    g = ph_test[ph_test["term"] == "GLOBAL"]
    if g.empty:
        return ""
    r = g.iloc[0]
    chi, p = fmt_num(r["chisq"]), p_phrase(r["p"])
    return (f"；整体检验卡方 {chi}（自由度 {int(r['df'])}），{p}" if _zh() else
            f"; global test chi-square {chi} on {int(r['df'])} df, {p}")


def _trend(r, duration: str) -> str:
    """One term's effect early and late in tenure (:func:`crmlab.studies.retention.steps.ph_trends` row)."""
    zh = _zh()
    early, late = with_time(r.early_until), with_time(r.late_from)
    if r.kind == "coef":
        e, la, a = (fmt_num(float(np.exp(v))) for v in (r.early, r.late, r.average))
        if zh:
            return (f"{term(r.term)}：风险比在前三分之一的流失事件中（{term(duration)}不超过 {early}）为 {e}，"
                    f"在后三分之一中（{late}及以上）为 {la}，平均为 {a}")
        return (f"{term(r.term)}: hazard ratio {e} over the first third of churn events ({term(duration)} up to "
                f"{early}) against {la} over the last third (from {late}), {a} on average")
    e, la = fmt_num(r.early), fmt_num(r.late)
    if zh:
        return (f"{term(r.term)}：其效应在前三分之一的流失事件中是平均效应的 {e} 倍（{term(duration)}不超过 {early}），"
                f"在后三分之一中为 {la} 倍（{late}及以上）")
    return (f"{term(r.term)}: its effect is {e} times its average over the first third of churn events "
            f"({term(duration)} up to {early}) and {la} times over the last third (from {late})")


def ph_line(ph_test: pd.DataFrame, trends: pd.DataFrame, alpha: float, duration_col: str) -> str:
    """Which terms violate proportional hazards (R's ``cox.zph`` test), how their effect moves with tenure, and
    what that means for reading their hazard ratios."""
    viol = trends["term"].tolist()
    glob = _global(ph_test)
    a = f"{alpha:g}"
    if not viol:
        return pick(en=f"Proportional hazards is not rejected for any term (p < {a}{glob}): the hazard ratios can be "
                       "read as constant over tenure.",
                    zh=f"所有变量的比例风险假设均未被拒绝（p < {a}{glob}）：风险比可以理解为不随{term(duration_col)}变化。")
    trend = [_trend(r, duration_col) for r in trends.itertuples()]
    if _zh():
        return (f"比例风险假设在以下变量上被拒绝（p < {a}{glob}）：{_words(viol)}。它们的风险比只是随"
                f"{term(duration_col)}变化的效应的平均值：" + "；".join(trend) + "。解读时宜谨慎：可按该变量对 Cox 模型"
                "分层（每个取值有各自的基准风险，不再给出该变量的风险比；数值变量可先分段），或为其设定时变效应"
                f"（系数乘以{term(duration_col)}的某个函数，形状可参照下图）；KM 曲线和 RMST 则不依赖这一假设即可比较各组。")
    return (f"Proportional hazards is rejected (p < {a}{glob}) for {_words(viol)}. Their hazard ratios are averages "
            "over tenure of effects that change with it: " + md_escape("; ".join(trend)) + ". Read them with care: "
            "stratify the Cox model by such a term (each level gets its own baseline hazard and no hazard ratio; a "
            "numeric term in bands), or give it a time-varying effect (its coefficient times a function of tenure, "
            "shaped as the plots below suggest); the KM curves and the RMST compare groups without the assumption.")


def ph_summary_line(ph_test: pd.DataFrame, alpha: float) -> str:
    """The proportional-hazards finding in one sentence (for the summary)."""
    t = ph_test[(ph_test["term"] != "GLOBAL") & (ph_test["p"] < alpha)].sort_values("p", kind="stable")
    viol = t["term"].tolist()
    glob = _global(ph_test)
    a = f"{alpha:g}"
    if not viol:
        return pick(en=f"Proportional hazards (R's cox.zph test): not rejected for any term (p < {a}{glob}).",
                    zh=f"比例风险检验（与 R 的 cox.zph 一致）：所有变量均未被拒绝（p < {a}{glob}）。")
    return pick(en=f"Proportional hazards (R's cox.zph test): rejected for {_words(viol)} (p < {a}{glob}); read "
                   "their hazard ratios as averages over tenure, or stratify / model time-varying effects.",
                zh=f"比例风险检验（与 R 的 cox.zph 一致）：{_words(viol)}的假设被拒绝（p < {a}{glob}）；它们的风险比"
                   f"应理解为随时间变化的效应的平均值，或改用分层 / 时变效应模型。")


# --------------------------------------------------------------------------- competing risks
def reasons_note(simulated: bool, n: int, events: dict, reason_col: str | None = None) -> str:
    """Where the churn reasons come from; simulated data are said to be simulated."""
    ev = "，".join(f"{term(c)} {k:,}" for c, k in events.items()) if _zh() else \
        ", ".join(f"{term(c)} {k:,}" for c, k in events.items())
    if not simulated:
        return pick(en=f"Churn reasons from {md_escape(term(reason_col))}: {n:,} customers; churn events by reason: "
                       f"{md_escape(ev)}.",
                    zh=f"流失原因取自{md_escape(term(reason_col))}：共 {n:,} 位客户；各原因的流失事件数：{ev}。")
    return pick(en=f"**The churn table records no churn reasons, so this section runs on simulated data**: {n:,} "
                   f"customers whose voluntary and involuntary churn follow known cause-specific hazards (contract, "
                   f"senior, standardised charges); churn events: {ev}. The true values are shown beside the "
                   "estimates, so the section shows what the methods recover, not facts about the telco customers. Set "
                   "`reason_col` to run it on real churn reasons.",
                zh=f"**流失表中没有记录流失原因，因此本节使用模拟数据**：{n:,} 位客户，其主动流失和被动流失服从已知的"
                   f"特定原因风险（合同类型、是否老年用户、标准化月费）；流失事件数：{ev}。估计值旁列出了真实值，"
                   "因此本节展示的是方法能否还原真相，而不是关于电信客户的事实。将 `reason_col` 设为记录流失原因的列，"
                   "即可在真实数据上运行。")


def cif_line(ci, times, duration_col: str) -> str:
    """Cumulative incidence of each reason per group at the last time all groups reach, with Gray's test."""
    at = ci.at(times)
    ok = at.groupby("time")["cif"].apply(lambda s: s.notna().all())
    t = max(ok.index[ok.to_numpy()]) if ok.any() else min(times)
    sub = at[at["time"] == t]
    tests = ci.tests.set_index("cause") if len(ci.tests) else None
    zh = _zh()
    parts = []
    for cause, g in sub.groupby("cause", sort=False):
        vals = [f"{term(r.group)} {pct(r.cif)}" for r in g.itertuples()]
        test = f"Gray 检验 {p_phrase(tests.loc[cause, 'p'])}" if zh and tests is not None else \
            f"Gray's test {p_phrase(tests.loc[cause, 'p'])}" if tests is not None else ""
        parts.append(f"{term(cause)}：" + "，".join(vals) + (f"（{test}）" if test else "") if zh else
                     f"{term(cause)}: " + ", ".join(vals) + (f" ({test})" if test else ""))
    if zh:
        return f"前 {with_time(t)}内各原因的累积流失比例——" + "；".join(parts) + "。"
    return md_escape(f"Share lost within the first {with_time(t)}, by reason - " + "; ".join(parts) + ".")


def cr_line(reg: pd.DataFrame, level: float) -> str:
    """Cause-specific against subdistribution hazard ratios: where they differ most and why; with simulated data,
    how many true hazard ratios the intervals cover."""
    zh = _zh()
    gap = (np.log(reg["hr"]) - np.log(reg["shr"])).abs()
    r = reg.loc[gap.idxmax()]
    hr, shr = fmt_num(r["hr"]), fmt_num(r["shr"])
    lv = pct(level, 0)
    cover = ""
    if "hr_true" in reg.columns:
        inside = int(((reg["hr_ci_low"] <= reg["hr_true"]) & (reg["hr_true"] <= reg["hr_ci_high"])).sum())
        cover = (f"特定原因风险比的 {lv} 置信区间覆盖了 {len(reg)} 个真实值中的 {inside} 个。" if zh else
                 f"The {lv} intervals of the cause-specific hazard ratios cover {inside} of the {len(reg)} true "
                 "values. ")
    if zh:
        return (cover + "两种模型回答不同的问题：特定原因风险比表示在仍为客户的人中，"
                "该变量如何改变因这一原因流失的速度；Fine-Gray 子分布风险比表示它如何改变"
                "最终因这一原因流失的客户比例。两者差别最大的是"
                f"{term_label(r['term'])}对{term(r['cause'])}的影响：风险比 {hr}，子分布风险比 {shr}——"
                "一个变量若让客户较少因另一原因离开，就会有更多客户继续面临这一原因的流失风险。")
    return (cover + "The two models answer different questions: the cause-specific hazard ratio says how a covariate "
            "changes the rate of leaving for a reason among customers still here; the Fine-Gray subdistribution ratio "
            "how it changes the share who eventually leave for it. They differ most for "
            + md_escape(f"{term_label(r['term'])} on {term(r['cause'])} churn") + f": HR {hr} against SHR {shr} - a "
            "covariate that keeps "
            "customers from leaving for one reason leaves more of them exposed to the other.")


def reasons_summary_line(simulated: bool, ci, times, duration_col: str) -> str:
    """Churn by reason in one sentence (for the summary), saying when the data are simulated."""
    head = pick(en="Churn by reason (simulated data): " if simulated else "Churn by reason: ",
                zh="按原因划分的流失（模拟数据）：" if simulated else "按原因划分的流失：")
    return head + cif_line(ci, times, duration_col)


def reasons_skipped() -> str:
    """The section was not asked for."""
    return pick(en="Churn by reason was not analysed (`competing_risks = False`).",
                zh="未分析按原因划分的流失（`competing_risks = False`）。")


# --------------------------------------------------------------------------- AFT
def _model(name: str) -> str:
    return term(f"aft_{name}")


def aft_line(comparison: pd.DataFrame, coefs: pd.DataFrame) -> str:
    """Fit of the AFT models (AIC) and concordance beside Cox, the Weibull's implied hazard ratios against Cox's,
    and what the log-logistic model does about non-proportional hazards."""
    c = comparison.set_index("model")
    aft = c[c["likelihood"] == "full"]
    best = aft["aic"].idxmin()
    other = [m for m in aft.index if m != best]
    aics = " / ".join(fmt_num(aft.loc[m, "aic"]) for m in [best, *other])
    conc = ("，" if _zh() else ", ").join(f"{_model(m)} {fmt_num(c.loc[m, 'concordance'])}" for m in c.index)
    lines = [pick(en=f"By AIC the {_model(best)} model fits better ({aics}; Cox's partial likelihood is on another "
                     f"scale); concordance: {conc}.",
                  zh=f"按 AIC，{_model(best)}模型拟合更好（{aics}；Cox 的偏似然不在同一尺度上）；一致性指数：{conc}。")]
    if "hr_weibull" in coefs.columns and coefs["hr_weibull"].notna().any():
        gap = (np.log(coefs["hr_weibull"]) - np.log(coefs["hr"])).abs()
        r = coefs.loc[gap.idxmax()]
        lines.append(pick(
            en=md_escape(f"The Weibull model is also a proportional-hazards model; its implied hazard ratios differ "
                         f"from Cox's by up to {pct(float(np.expm1(gap.max())), 0)} ({term_label(r['term'])}: "
                         f"{fmt_num(r['hr_weibull'])} against {fmt_num(r['hr'])}), because it also fixes the shape "
                         "of the baseline hazard."),
            zh=f"Weibull 模型同时也是比例风险模型；它隐含的风险比与 Cox 的相差最多 "
               f"{pct(float(np.expm1(gap.max())), 0)}（{term_label(r['term'])}：{fmt_num(r['hr_weibull'])}，Cox 为 "
               f"{fmt_num(r['hr'])}），因为它还规定了基准风险的形状。"))
    if "loglogistic" in c.index:
        lines.append(pick(en="The log-logistic model does not assume proportional hazards: its hazard ratios move "
                             "towards 1 as tenure grows (a proportional-odds model), one way to accommodate effects "
                             "that fade with tenure.",
                          zh="对数逻辑斯蒂模型不假设比例风险：随着客户时长增加，其风险比逐渐趋向 1（比例优势模型），"
                             "这是容纳随客户时长减弱的效应的一种方式。"))
    return " ".join(lines) if not _zh() else "".join(lines)


def remaining_line(remaining: pd.DataFrame, horizon: float, best: str, duration_col: str, *,
                   explain: bool = True) -> str:
    """Expected remaining time of active customers per group within the horizon (``explain``: say why only a
    restricted mean is reported)."""
    zh = _zh()
    col = f"remaining_{best}"
    others = [c for c in remaining.columns if c.startswith("remaining_") and c != col]
    parts = [f"{term(r['segment'])} {with_time(r[col])}" for _, r in remaining.iterrows()]
    alt = ("；" if zh else "; ").join(f"{_model(c[len('remaining_'):])}" + ("：" if zh else ": ")
                                      + ("、" if zh else ", ").join(fmt_num(v) for v in remaining[c]) for c in others)
    if zh:
        return (f"在未来 {with_time(horizon)}内，现有客户预计平均还会保留（{_model(best)}模型，拟合更好）："
                + "，".join(parts) + (f"（{alt}）" if alt else "") + "。" + (
                    "不设上限时，预期剩余时长几乎完全取决于模型在观察期之外的远端尾部，因此只报告限定时长内的平均值。"
                    if explain else ""))
    return md_escape(f"Over the next {with_time(horizon)}, an active customer is expected to stay on average: "
                     + ", ".join(parts) + f" ({_model(best)}, the better fit" + (f"; {alt}" if alt else "") + ")."
                     ) + (" Without a horizon the expected remaining time depends almost entirely on the models' far "
                          "tail, beyond the follow-up observed, so only the restricted mean is reported." if explain
                          else "")


def aft_skipped() -> str:
    """The section was not asked for."""
    return pick(en="Parametric time-to-churn models were not fitted (`aft = False`).",
                zh="未拟合参数化的流失时间模型（`aft = False`）。")


# --------------------------------------------------------------------------- contractual renewals (sBG)
def _rate_pct(x) -> str:
    return pct(x, 2) if x < 0.01 else pct(x)


def sbg_line(res, compare: pd.DataFrame, strata_col: str) -> str:
    """What the sBG says where it fits (first-period retention, DERL, the residual value of the active customers,
    how its curve compares with the observed one at the last time compared) and, where it does not, why: churn per
    period over the first and second half of the periods observed."""
    zh = _zh()
    rate = pct(res.discount_rate, 1)
    out = []
    for r in res.table.to_dict("records"):
        g = term(r["group"])
        ab = (f"α = {interval(r['alpha'], r['alpha'] - 1.96 * r['alpha_se'], r['alpha'] + 1.96 * r['alpha_se'])}"
              + ("，" if zh else ", ")
              + f"β = {interval(r['beta'], r['beta'] - 1.96 * r['beta_se'], r['beta'] + 1.96 * r['beta_se'])}")
        value = ""
        if pd.notna(r["residual_value"]):
            value = (f"其 {r['active']:,} 位现有客户未来{term('value')}的折现期望值合计 {money(r['residual_value'])}"
                     if zh else f"its {r['active']:,} active customers hold {money(r['residual_value'])} of "
                     "discounted expected value still to come")
        cmp = compare[compare["group"] == r["group"]]
        tail = ""
        if len(cmp):
            last = cmp.iloc[-1]
            off = abs(last["fitted"] - last["observed"]) > 0.05
            if zh:
                tail = (f"{with_time(last['time'])}后模型预计仍有 {pct(last['fitted'])} 为客户，实际为 "
                        f"{pct(last['observed'])}" + ("：在这一时长上模型偏离实际，远期外推应谨慎。" if off else "。"))
            else:
                tail = (f" After {with_time(last['time'])} the model expects {pct(last['fitted'])} still to be "
                        f"customers against {pct(last['observed'])} observed" + (
                            ": that far out it misses, so read its long-run projection with care." if off else "."))
        if zh:
            out.append(f"{g}：sBG 模型拟合结果 {ab}；首期保留率 {pct(r['retention_1'])}，此后随时长上升（最可能流失的"
                       f"客户最先离开）。按每期 {rate} 折现，新客户的折现预期剩余期数（DERL）为 {with_time(r['derl'])}"
                       + (f"；{value}" if value else "") + "。" + tail)
        else:
            out.append(f"{md_escape(g)}: the sBG fits {ab}; {pct(r['retention_1'])} renew after the first period, "
                       "and renewal grows more likely with tenure as the customers most prone to leave go first. At "
                       f"{rate} a period a new customer's discounted expected residual lifetime (DERL) is "
                       f"{with_time(r['derl'])}" + (f", and {value}" if value else "") + "." + tail)
    if res.not_fitted:
        rises = {g: v for g, v in res.not_fitted.items() if v["reason"] == "churn_rises_with_tenure"}
        other = [g for g in res.not_fitted if g not in rises]
        if rises:
            detail = ("；" if zh else "; ").join(
                term(g) + (f"从每期 {_rate_pct(v['churn_early'])} 升至 {_rate_pct(v['churn_late'])}" if zh else " " +
                                 f"{_rate_pct(v['churn_early'])} a period in the first half against "
                                 f"{_rate_pct(v['churn_late'])} in the second") for g, v in rises.items())
            out.append(
                f"{names(list(rises))}无法用 sBG 模型描述：其流失率随时长上升（前半段与后半段观察期相比：{detail}），"
                "而 sBG 模型只允许续约随时长变得更可能。固定期限合同只能在到期日结束；可以合同期限为一期重新拟合，"
                "或直接使用上文的 Kaplan-Meier 曲线。" if zh else
                md_escape(f"{join_words([term(g) for g in rises])} cannot be described by the sBG: their churn rises "
                          f"with tenure ({detail}), while the sBG lets renewal only grow more likely with tenure. "
                          "Fixed-term contracts end at their renewal dates; fit them with the contract term as the "
                          "period, or read their Kaplan-Meier curves above."))
        if other:
            out.append(f"{names(other)}没有足够的流失客户来拟合 sBG 模型。" if zh else
                       md_escape(f"{join_words([term(g) for g in other])}: too few churned customers for the sBG."))
    if res.table.empty and not res.not_fitted:
        return ""
    return md_money(("" if zh else " ").join(out))


def sbg_skipped(reason: str) -> str:
    """The contractual section did not run: not asked for (``off``) or durations not in whole periods
    (``fractional``)."""
    if reason == "fractional":
        return pick(en="The sBG model needs whole periods (contract renewals), and the durations of this table have "
                       "fractions: the section is left out.",
                    zh="sBG 模型需要以整期计的时长（合同续约），而本表的时长含小数，因此略去本节。")
    return pick(en="The contractual model was not fitted (`sbg = False`).",
                zh="未拟合合同续约模型（`sbg = False`）。")
