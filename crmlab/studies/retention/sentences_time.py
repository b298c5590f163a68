"""Sentences of study 4 for the proportional-hazards check, churn by reason (competing risks) and parametric time
to churn, written from the numbers in the current report language (re-exported by
:mod:`crmlab.studies.retention.sentences`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import join_words, md_escape, p_phrase, pct

__all__ = ["aft_line", "aft_skipped", "cif_line", "cr_line", "ph_line", "ph_summary_line", "reasons_note",
           "reasons_skipped", "reasons_summary_line", "remaining_line"]


def _zh() -> bool:
    return current_lang() == "zh"


def _words(items) -> str:
    return join_words([term(x) for x in items]) if _zh() else md_escape(join_words(items))


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
    early, late = fmt_num(r.early_until), fmt_num(r.late_from)
    if r.kind == "coef":
        e, la, a = (fmt_num(float(np.exp(v))) for v in (r.early, r.late, r.average))
        if zh:
            return (f"{term(r.term)}：风险比在前三分之一的流失事件中（{term(duration)} ≤ {early}）为 {e}，"
                    f"在后三分之一中（≥ {late}）为 {la}，平均为 {a}")
        return (f"{r.term}: hazard ratio {e} over the first third of churn events ({duration} up to {early}) "
                f"against {la} over the last third (from {late}), {a} on average")
    e, la = fmt_num(r.early), fmt_num(r.late)
    if zh:
        return (f"{term(r.term)}：其效应在前三分之一的流失事件中是平均效应的 {e} 倍（{term(duration)} ≤ {early}），"
                f"在后三分之一中为 {la} 倍（≥ {late}）")
    return (f"{r.term}: its effect is {e} times its average over the first third of churn events ({duration} up to "
            f"{early}) and {la} times over the last third (from {late})")


def ph_line(ph_test: pd.DataFrame, trends: pd.DataFrame, alpha: float, duration_col: str) -> str:
    """Which terms violate proportional hazards (R's ``cox.zph`` test), how their effect moves with tenure, and
    what that means for reading their hazard ratios."""
    viol = trends["term"].tolist()
    glob = _global(ph_test)
    a = f"{alpha:g}"
    if not viol:
        return pick(en=f"Proportional hazards is not rejected for any term (p < {a}{glob}): the hazard ratios can be "
                       "read as constant over tenure.",
                    zh=f"所有变量的比例风险假设均未被拒绝（p < {a}{glob}）：风险比可以理解为在整个在网期内不变。")
    trend = [_trend(r, duration_col) for r in trends.itertuples()]
    if _zh():
        return (f"比例风险假设在以下变量上被拒绝（p < {a}{glob}）：{_words(viol)}。它们的风险比只是随在网时长"
                f"变化的效应在整个在网期内的平均值：" + "；".join(trend) + "。解读时宜谨慎：可按该变量对 Cox 模型"
                "分层（每个取值有各自的基准风险，不再给出该变量的风险比；数值变量可先分段），或为其设定时变效应"
                "（系数乘以在网时长的某个函数，形状可参照下图）；KM 曲线和 RMST 则不依赖这一假设即可比较各组。")
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
                   f"应理解为整个在网期内的平均值，或改用分层 / 时变效应模型。")


# --------------------------------------------------------------------------- competing risks
def reasons_note(simulated: bool, n: int, events: dict, reason_col: str | None = None) -> str:
    """Where the churn reasons come from; simulated data are said to be simulated."""
    ev = "，".join(f"{term(c)} {k:,}" for c, k in events.items()) if _zh() else \
        ", ".join(f"{c} {k:,}" for c, k in events.items())
    if not simulated:
        return pick(en=f"Churn reasons from column `{reason_col}`: {n:,} customers; churn events by reason: {ev}.",
                    zh=f"流失原因取自 `{reason_col}` 列：共 {n:,} 位客户；各原因的流失事件数：{ev}。")
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
        vals = [f"{term(r.group)} {pct(r.cif)}" if zh else f"{r.group} {pct(r.cif)}" for r in g.itertuples()]
        test = f"Gray 检验 {p_phrase(tests.loc[cause, 'p'])}" if zh and tests is not None else \
            f"Gray's test {p_phrase(tests.loc[cause, 'p'])}" if tests is not None else ""
        parts.append(f"{term(cause)}：" + "，".join(vals) + (f"（{test}）" if test else "") if zh else
                     f"{cause}: " + ", ".join(vals) + (f" ({test})" if test else ""))
    if zh:
        return f"{term(duration_col)}为 {fmt_num(t)} 时，各原因的累积流失比例——" + "；".join(parts) + "。"
    return md_escape(f"Share lost by {duration_col} {fmt_num(t)}, by reason - " + "; ".join(parts) + ".")


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
                f"{term(r['term'])}对{term(r['cause'])}的影响：风险比 {hr}，子分布风险比 {shr}——"
                "一个变量若让客户较少因另一原因离开，就会有更多客户继续面临这一原因的流失风险。")
    return (cover + "The two models answer different questions: the cause-specific hazard ratio says how a covariate "
            "changes the rate of leaving for a reason among customers still here; the Fine-Gray subdistribution ratio "
            "how it changes the share who eventually leave for it. They differ most for "
            + md_escape(f"{r['term']} on {r['cause']} churn") + f": HR {hr} against SHR {shr} - a covariate that keeps "
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
                         f"from Cox's by up to {pct(float(np.expm1(gap.max())), 0)} ({r['term']}: "
                         f"{fmt_num(r['hr_weibull'])} against {fmt_num(r['hr'])}), because it also fixes the shape "
                         "of the baseline hazard."),
            zh=f"Weibull 模型同时也是比例风险模型；它隐含的风险比与 Cox 的相差最多 "
               f"{pct(float(np.expm1(gap.max())), 0)}（{r['term']}：{fmt_num(r['hr_weibull'])}，Cox 为 "
               f"{fmt_num(r['hr'])}），因为它还规定了基准风险的形状。"))
    if "loglogistic" in c.index:
        lines.append(pick(en="The log-logistic model does not assume proportional hazards: its hazard ratios move "
                             "towards 1 as tenure grows (a proportional-odds model), one way to accommodate effects "
                             "that fade with tenure.",
                          zh="对数逻辑斯蒂模型不假设比例风险：随着在网时长增加，其风险比逐渐趋向 1（比例优势模型），"
                             "这是容纳随在网时长减弱的效应的一种方式。"))
    return " ".join(lines) if not _zh() else "".join(lines)


def remaining_line(remaining: pd.DataFrame, horizon: float, best: str, duration_col: str, *,
                   explain: bool = True) -> str:
    """Expected remaining tenure of active customers per segment within the horizon (``explain``: say why only a
    restricted mean is reported)."""
    zh = _zh()
    h = fmt_num(horizon)
    col = f"remaining_{best}"
    others = [c for c in remaining.columns if c.startswith("remaining_") and c != col]
    parts = [f"{term(r['segment'])} {fmt_num(r[col])}" if zh else f"{r['segment']} {fmt_num(r[col])}"
             for _, r in remaining.iterrows()]
    alt = ("；" if zh else "; ").join(f"{_model(c[len('remaining_'):])}" + ("：" if zh else ": ")
                                      + ("、" if zh else ", ").join(fmt_num(v) for v in remaining[c]) for c in others)
    if zh:
        return (f"以 {h} 为上限（单位同{term(duration_col)}），仍在网的客户预计平均还会留存"
                f"（{_model(best)}模型，拟合更好）：" + "，".join(parts)
                + (f"（{alt}）" if alt else "") + "。" + (f"不设上限时，预期剩余{term(duration_col)}几乎完全取决于"
                                                       "模型在观察期之外的远端尾部，因此只报告限定时长内的平均值。"
                                                       if explain else ""))
    return md_escape(f"Over the next {h} units of {duration_col}, an active customer is expected to stay on average: "
                     + ", ".join(parts) + f" ({_model(best)}, the better fit" + (f"; {alt}" if alt else "") + ")."
                     ) + (" Without a horizon the expected remaining tenure depends almost entirely on the models' far "
                          "tail, beyond the follow-up observed, so only the restricted mean is reported." if explain
                          else "")


def aft_skipped() -> str:
    """The section was not asked for."""
    return pick(en="Parametric time-to-churn models were not fitted (`aft = False`).",
                zh="未拟合参数化的流失时间模型（`aft = False`）。")
