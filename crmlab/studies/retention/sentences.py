"""Sentences of study 4 written from the numbers, in the current report language.

Every number goes through :mod:`crmlab.report.narrative` / :mod:`crmlab.report.fmt`: intervals as
``0.42 [0.31, 0.53]``, shares as percentages (a tiny non-zero share as ``< 0.1%``), p-values as
``p = 0.023`` / ``p < 0.001``. English sentences name columns and values as they are; Chinese ones
use the study's terms (:data:`.text.TERMS`). The sentences of sequential monitoring, ratio metrics and
budgeted targeting (:mod:`.sentences_experiment`) and of the proportional-hazards check, churn by reason
and the AFT models (:mod:`.sentences_time`) are re-exported here.
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import interval, md_escape, p_phrase, pct
from crmlab.studies.retention.sentences_experiment import (
    aa_line,
    arrival_note,
    budget_line,
    budget_skipped,
    budget_summary_line,
    ratio_line,
    ratio_skipped,
    sequential_line,
    sequential_skipped,
    sequential_summary_line,
    when,
)
from crmlab.studies.retention.sentences_time import (
    aft_line,
    aft_skipped,
    cif_line,
    cr_line,
    ph_line,
    ph_summary_line,
    reasons_note,
    reasons_skipped,
    reasons_summary_line,
    remaining_line,
)
from crmlab.studies.retention.text import learner_name, model_name

__all__ = [
    "balance_line",
    "bullets",
    "churn_line",
    "churn_note",
    "cox_note",
    "cuped_line",
    "design_line",
    "experiment_line",
    "itt_line",
    "km_line",
    "logrank_note",
    "policy_line",
    "policy_note",
    "qini_line",
    "rmst_line",
    "segment_line",
    "srm_note",
    "summary_lines",
    "target_arm_line",
    "whole_pct",
    # re-exported from .sentences_experiment and .sentences_time
    "aa_line", "arrival_note", "budget_line", "budget_skipped", "budget_summary_line", "ratio_line", "ratio_skipped",
    "sequential_line", "sequential_skipped", "sequential_summary_line", "when", "aft_line", "aft_skipped", "cif_line",
    "cr_line", "ph_line", "ph_summary_line", "reasons_note", "reasons_skipped", "reasons_summary_line",
    "remaining_line",
]


def _zh() -> bool:
    return current_lang() == "zh"


def whole_pct(share) -> str:
    """A share on a grid as a percentage: no decimals for a whole percent (10%, 15%), else one (12.5%)."""
    whole = abs(float(share) * 100 - round(float(share) * 100)) < 1e-9
    return pct(share, 0 if whole else 1)


def experiment_line(n: int, arms, outcomes) -> str:
    """What the experiment table holds."""
    if _zh():
        return (f"共 {n:,} 位客户；实验组：{'、'.join(term(a) for a in arms)}；"
                f"结果变量：{'、'.join(term(o) for o in outcomes)}")
    return md_escape(f"{n:,} customers; arms: {list(arms)}; outcomes: {list(outcomes)}")


def design_line(n_per_arm: int, mde_rate: float, p_control: float, mde_mean: float, sd: float) -> str:
    """The minimum detectable effects of the planned design."""
    rate, mean, sd_, base = fmt_num(mde_rate), fmt_num(mde_mean), fmt_num(sd), whole_pct(p_control)
    return pick(en=f"With {n_per_arm:,} customers per arm the minimum detectable effect is {rate} on a {base} rate "
                   f"and {mean} on a mean with sd {sd_}.",
                zh=f"每组 {n_per_arm:,} 位客户时，在 {base} 的基准率上最小可检测效应为 {rate}，"
                   f"在标准差为 {sd_} 的均值上为 {mean}。")


def balance_line(max_abs_smd: float) -> str:
    """The largest covariate imbalance."""
    return pick(en=f"largest |SMD| = {fmt_num(max_abs_smd)}", zh=f"协变量最大 |SMD| = {fmt_num(max_abs_smd)}")


def srm_note(srm) -> str:
    """The sample-ratio mismatch test (:class:`~crmlab.experiments.SRMResult`) in one sentence, the alert in bold."""
    chi2, p = fmt_num(srm.chi2), p_phrase(srm.p)
    if _zh():
        flag = "**警报：样本比例失衡**" if srm.alert else "未发现样本比例失衡"
        return f"SRM 卡方 = {chi2}，自由度 {srm.df}，{p}：{flag}"
    flag = "**ALERT: sample-ratio mismatch**" if srm.alert else "no mismatch"
    return f"SRM chi-square = {chi2} on {srm.df} df, {p}: {flag}"


def target_arm_line(arm, outcome: str) -> str:
    """The arm the targeting analyses use."""
    return pick(en=f"Target arm for targeting analyses: {arm} (outcome {outcome})",
                zh=f"精准投放分析所用的实验组：{term(arm)}（结果变量：{term(outcome)}）")


def itt_line(itt: pd.DataFrame, control, alpha: float = 0.05) -> str:
    """What the effect table means: how many effects hold after the Holm correction, and the largest lift."""
    sig = int((itt["p_holm"] < alpha).sum())
    n = len(itt)
    r = itt.loc[itt["lift"].abs().idxmax()] if itt["lift"].notna().any() else itt.iloc[0]
    ci = interval(r["estimate"], r["ci_low"], r["ci_high"], sign=True)
    if _zh():
        return (f"{n} 个效应中有 {sig} 个在 Holm 校正后显著（p < {alpha:g}）。相对提升最大的是"
                f"{term(r['arm'])}对{term(r['outcome'])}的效应：{ci}，"
                f"比{term(control)}组{'低' if r['lift'] < 0 else '高'} {pct(abs(r['lift']))}"
                f"（Holm 校正 {p_phrase(r['p_holm'])}）。")
    return (f"{sig} of {n} effects hold after the Holm correction (p < {alpha:g}). The largest relative "
            f"lift is {r['arm']} on {r['outcome']}: {ci}, {pct(r['lift'], sign=True)} over {control} "
            f"(Holm {p_phrase(r['p_holm'])}).")


def cuped_line(cuped: pd.DataFrame) -> str:
    """What the regression adjustment bought: variance reduction and how far the estimates moved."""
    vmin, vmax = pct(cuped["variance_reduction"].min()), pct(cuped["variance_reduction"].max())
    moved = (cuped["estimate"] - cuped["estimate_unadjusted"]).abs() / cuped["se_unadjusted"]
    m = fmt_num(float(moved.max()), 2)
    small = moved.max() < 1
    if _zh():
        return (f"CUPED 回归调整使方差缩减 {vmin} 至 {vmax}；调整后的估计值与未调整值最多相差 {m} 个标准误"
                + ("，结论不受调整影响。" if small else "。"))
    return (f"CUPED reduces the variance by {vmin} to {vmax}; the adjusted estimates move by at most {m} "
            f"standard errors" + (", so the conclusions do not depend on the adjustment." if small else "."))


def segment_line(seg: pd.DataFrame, arm, outcome: str) -> str:
    """The smallest and largest segment effects, and whether their intervals overlap."""
    s = seg.dropna(subset=["estimate"])
    if s.empty:
        return ""
    lo, hi = s.loc[s["estimate"].idxmin()], s.loc[s["estimate"].idxmax()]
    zh = _zh()

    def one(r):
        ci = interval(r["estimate"], r["ci_low"], r["ci_high"], sign=True)
        return f"{term(r['segment'])} = {term(r['level'])}：{ci}" if zh else f"{r['segment']} = {r['level']}: {ci}"
    overlap = lo["ci_high"] >= hi["ci_low"]
    if zh:
        tail = ("区间相互重叠，按这些变量细分难以找到响应明显更强的客户。" if overlap else
                f"区间不重叠：{term(hi['segment'])} = {term(hi['level'])} 的客户响应更强。")
        return f"{term(arm)}对{term(outcome)}的效应在各细分客户中从 {one(lo)} 到 {one(hi)}；{tail}"
    tail = ("the intervals overlap, so these segments do not single out customers who respond more." if overlap else
            f"the intervals do not overlap: customers with {hi['segment']} = {hi['level']} respond more.")
    return f"The effect of {arm} on {outcome} ranges across segments from {one(lo)} to {one(hi)}; {tail}"


def qini_line(learner: str, qb: dict) -> str:
    """The Qini coefficient of the main learner with its bootstrap interval."""
    ci = interval(qb["qini_coefficient"], qb["ci_low"], qb["ci_high"])
    better = qb["ci_low"] > 0
    if _zh():
        return (f"{learner_name(learner)}的 Qini 系数：{ci}（固定排序的泊松自助法区间）："
                f"{'优于随机投放' if better else '与随机投放无法区分'}。")
    return (f"Qini coefficient of the {learner}-learner: {ci} (Poisson bootstrap with the ranking held fixed): "
            f"{'better than random targeting' if better else 'not distinguishable from random targeting'}.")


def policy_note(policy) -> str:
    """The best 'contact the top k%' policy (the head of :class:`~crmlab.uplift.PolicyResult`)."""
    ci = interval(policy.net_value, policy.ci_low, policy.ci_high)
    k = whole_pct(policy.best_k)
    return pick(en=f"best policy: contact top {k}; net value per customer {ci}",
                zh=f"最优策略：联系前 {k} 的客户；每位客户净价值 {ci}")


def policy_line(policy) -> str:
    """The best policy against contacting everyone and no one."""
    ev = policy.everyone
    k, nv = whole_pct(policy.best_k), interval(policy.net_value, policy.ci_low, policy.ci_high)
    e_nv = (interval(ev["net_value"], ev["ci_low"], ev["ci_high"]) if {"ci_low", "ci_high"} <= set(ev)
            else fmt_num(ev.get("net_value", float("nan"))))
    g = interval(*(ev.get(key, float("nan")) for key in ("gain_of_best", "gain_ci_low", "gain_ci_high")))
    return pick(en=f"Best policy: contact the top {k}; net value {nv} per customer; "
                   f"contacting everyone nets {e_nv}, no one 0; gain of the best k over everyone {g}.",
                zh=f"最优策略：联系预测增益最高的前 {k} 客户；每位客户净价值 {nv}；"
                   f"联系全部客户的净价值为 {e_nv}，不联系任何客户为 0；最优比例相对于联系全部客户的增益为 {g}。")


def logrank_note(logrank) -> str:
    """The log-rank test (:class:`~crmlab.survival.LogrankResult`) in one sentence."""
    chi2, p = fmt_num(logrank.chi2), p_phrase(logrank.p)
    return pick(en=f"log-rank chi-square = {chi2} on {logrank.df} df, {p}",
                zh=f"对数秩检验卡方 = {chi2}，自由度 {logrank.df}，{p}")


def km_line(km_summary: pd.DataFrame, logrank, duration_col: str, strata_col: str) -> str:
    """Median time by stratum and the log-rank test."""
    chi, p = fmt_num(logrank.chi2), p_phrase(logrank.p)
    if _zh():
        med = "，".join(f"{term(r.stratum)}为 {fmt_num(r.median)}" if pd.notna(r.median) else f"{term(r.stratum)}未达到"
                       for r in km_summary.itertuples())
        return (f"各{term(strata_col)}的{term(duration_col)}中位数：{med}；"
                f"对数秩检验卡方 {chi}（自由度 {logrank.df}），{p}。")
    med = ", ".join(f"{r.stratum}: {fmt_num(r.median)}" if pd.notna(r.median) else f"{r.stratum}: not reached"
                    for r in km_summary.itertuples())
    return f"Median {duration_col} by {strata_col}: {med}; log-rank chi-square {chi} on {logrank.df} df, {p}."


def cox_note(cox) -> str:
    """The Cox model's concordance (:class:`~crmlab.survival.CoxResult`) in one sentence."""
    c = fmt_num(cox.concordance)
    return pick(en=f"Cox PH, concordance {c}", zh=f"Cox 比例风险模型，一致性指数（C 指数）{c}")


def rmst_line(rm: pd.DataFrame, tau: float, duration_col: str) -> str:
    """Expected time as a customer within ``tau`` per group, and the differences to the reference group."""
    ref = rm.iloc[0]
    diffs = rm.iloc[1:].dropna(subset=["diff"])
    if _zh():
        parts = "；".join(f"{term(r.group)}相差 {interval(r.diff, r.ci_low, r.ci_high, sign=True)}"
                         for r in diffs.itertuples())
        return (f"{term(duration_col)}以 {fmt_num(tau)} 为上限时，{term(ref['group'])}客户平均留存 "
                f"{fmt_num(ref['rmst'])}（限制平均生存时间）；与之相比，" + (parts or "无其他分层") + "。")
    parts = "; ".join(f"{r.group} {interval(r.diff, r.ci_low, r.ci_high, sign=True)}" for r in diffs.itertuples())
    return (f"Within {duration_col} up to {fmt_num(tau)}, {ref['group']} customers stay {fmt_num(ref['rmst'])} "
            f"on average (restricted mean); difference to them: " + (parts or "no other groups") + ".")


def churn_note(churn) -> str:
    """The chosen churn model (:class:`~crmlab.churn.ChurnModelResult`) and any identifier-like columns left
    out, as Markdown paragraphs."""
    zh = _zh()
    parts = [f"按 Brier 分数选出的最优模型：{model_name(churn.best)}" if zh else
             f"best model by Brier score: {churn.best}"]
    if churn.dropped:
        cols = md_escape(", ".join(churn.dropped))
        parts.append(f"以下字段几乎每行取值都不同（标识符、邮箱、电话等），未作为预测变量：{cols}" if zh
                     else f"Left out of the predictors as identifier-like (almost every value distinct): {cols}")
    return "\n\n".join(parts)


def churn_line(churn_best: str, churn_metrics, top_decile_lift: float) -> str:
    """Out-of-fold quality of the chosen churn model and the churn rate in its top decile."""
    auc, pr, br = (fmt_num(churn_metrics[c]) for c in ("auc", "pr_auc", "brier"))
    lift1 = fmt_num(top_decile_lift, 2)
    return pick(en=f"Churn model ({churn_best}): AUC {auc}, PR-AUC {pr}, Brier {br}; "
                   f"the top decile holds {lift1}x the average churn rate.",
                zh=f"流失预警模型（{model_name(churn_best)}）：AUC {auc}，PR-AUC {pr}，Brier 分数 {br}；"
                   f"风险最高的 10% 客户的流失率是平均水平的 {lift1} 倍。")


def summary_lines(*, srm, max_abs_smd, itt, control, cuped, uplift_learner, arm, uplift_outcome, qini_row, qb,
                  policy, km_summary, logrank, ph_test, duration_col, strata_col, churn_best, churn_metrics,
                  top_decile_lift, ph_alpha=0.01, sequential=None, ratio=None, budget=None, reasons=None,
                  remaining=None) -> list[str]:
    """The run's findings in sentences written from the numbers (one string per finding).

    The arguments come from :func:`crmlab.studies.retention.steps.summary_inputs`: ``srm`` has
    ``chi2, p, alert``; ``itt`` and ``cuped`` are the effect tables; ``qini_row`` holds ``auuc,
    qini_random``; ``qb`` the Qini bootstrap dict; ``policy`` a :class:`~crmlab.uplift.PolicyResult`;
    ``km_summary`` the Kaplan-Meier summary (``stratum, median``); ``logrank`` has ``chi2, df, p``;
    ``ph_test`` the PH check (``term, chisq, df, p`` with ``GLOBAL``); ``churn_metrics`` holds ``auc,
    pr_auc, brier``. Analyses not run are None: ``sequential`` ``(summary, aa)``, ``ratio``
    ``(table, control, covariates)``, ``budget`` (the policy), ``reasons`` ``(simulated, cumulative
    incidence, times)``, ``remaining`` ``(table, horizon, best model)``.
    """
    zh = _zh()
    lines = []
    smd, chi, p = fmt_num(max_abs_smd), fmt_num(srm.chi2), p_phrase(srm.p)
    if zh:
        verdict = "警报：以下效应不可信" if srm.alert else "未发现样本比例失衡"
        lines.append(f"随机化检查：样本比例失衡（SRM）卡方 {chi}，{p}（{verdict}）；协变量最大 |SMD| 为 {smd}。")
    else:
        verdict = "ALERT: do not trust the effects below" if srm.alert else "no mismatch"
        lines.append(f"Randomisation: SRM chi-square {chi}, {p} ({verdict}); largest covariate |SMD| {smd}.")
    for r in itt.itertuples():
        est = interval(r.estimate, r.ci_low, r.ci_high, sign=True)
        lift, ph = pct(r.lift, sign=True), p_phrase(r.p_holm)
        lines.append(f"{term(r.arm)} 对比 {term(control)}，{term(r.outcome)}：{est}，相对提升 {lift}，Holm 校正 {ph}。"
                     if zh else f"{r.arm} vs {control}, {r.outcome}: {est}, relative lift {lift}, Holm {ph}.")
    vmin, vmax = pct(cuped["variance_reduction"].min()), pct(cuped["variance_reduction"].max())
    lines.append(pick(en=f"CUPED variance reduction: {vmin} to {vmax} (pre-treatment covariates explain "
                         f"little of the outcome when this is small).",
                      zh=f"CUPED 回归调整的方差缩减：{vmin} 至 {vmax}（该值较小时，说明实验前协变量对结果的"
                         f"解释力很弱）。"))
    auuc, rnd = fmt_num(qini_row["auuc"]), fmt_num(qini_row["qini_random"])
    qc = interval(qb["qini_coefficient"], qb["ci_low"], qb["ci_high"])
    better = qb["ci_low"] > 0
    if zh:
        lines.append(f"增益模型（{learner_name(uplift_learner)}，{term(arm)}，{term(uplift_outcome)}）："
                     f"留出样本 AUUC 为 {auuc}，随机投放为 {rnd}（Qini 系数 {qc}："
                     f"{'优于随机投放' if better else '与随机投放无法区分'}）。")
    else:
        lines.append(f"Uplift ({uplift_learner}-learner, {arm}, {uplift_outcome}): held-out AUUC {auuc} vs "
                     f"{rnd} for random targeting (Qini coefficient {qc}: "
                     f"{'better than random' if better else 'not distinguishable from random targeting'}).")
    if sequential is not None:
        lines.append(sequential_summary_line(*sequential))
    if ratio is not None:
        lines.append(ratio_line(*ratio))
    lines.append(policy_line(policy))
    if budget is not None:
        lines.append(budget_summary_line(budget))
    lines.append(km_line(km_summary, logrank, duration_col, strata_col))
    lines.append(ph_summary_line(ph_test, ph_alpha))
    if reasons is not None:
        lines.append(reasons_summary_line(*reasons, duration_col))
    if remaining is not None:
        lines.append(remaining_line(remaining[0], remaining[1], remaining[2], duration_col, explain=False))
    lines.append(churn_line(churn_best, churn_metrics, top_decile_lift))
    return lines


def bullets(lines) -> str:
    """Lines as a Markdown bullet list."""
    return "\n".join("- " + line for line in lines)
