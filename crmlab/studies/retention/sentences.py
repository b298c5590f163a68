"""Sentences of study 4 written from the numbers, in the current report language.

Every number goes through :mod:`crmlab.report.narrative` / :mod:`crmlab.report.fmt`: intervals as
``0.42 [0.31, 0.53]``, differences of rates in percentage points, money with the run's currency, times with
their unit, shares as percentages (a tiny non-zero share as ``< 0.1%``), p-values as ``p = 0.023`` /
``p < 0.001``. Columns and values are named by the codebook in both languages (the column name itself when
there is none). The sentences of sequential monitoring, ratio metrics and budgeted targeting
(:mod:`.sentences_experiment`), of the proportional-hazards check, churn by reason, the AFT and sBG models
(:mod:`.sentences_time`) and about the data (:mod:`.sentences_data`) are re-exported here.
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import interval, md_escape, p_phrase, pct
from crmlab.studies.retention.sentences_data import intro_values, parts_note, used_columns, value_maps_line
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
    sbg_line,
    sbg_skipped,
)
from crmlab.studies.retention.text import (
    arm_name,
    effect_text,
    learner_name,
    level_text,
    md_money,
    model_name,
    money,
    money_interval,
    name,
    time_unit,
    with_time,
)

__all__ = [
    "balance_line",
    "bullets",
    "churn_line",
    "churn_note",
    "cox_note",
    "cuped_line",
    "design_line",
    "itt_line",
    "km_line",
    "logrank_note",
    "policy_line",
    "policy_note",
    "qini_line",
    "rmst_line",
    "segment_line",
    "srm_note",
    "target_arm_line",
    "whole_pct",
    # re-exported from .sentences_data, .sentences_experiment and .sentences_time
    "intro_values", "parts_note", "used_columns", "value_maps_line",
    "aa_line", "arrival_note", "budget_line", "budget_skipped", "budget_summary_line", "ratio_line", "ratio_skipped",
    "sequential_line", "sequential_skipped", "sequential_summary_line", "when", "aft_line", "aft_skipped", "cif_line",
    "cr_line", "ph_line", "ph_summary_line", "reasons_note", "reasons_skipped", "reasons_summary_line",
    "remaining_line", "sbg_line", "sbg_skipped",
]


def _zh() -> bool:
    return current_lang() == "zh"


def arm_text(label) -> str:
    """An arm in words, escaped for Markdown (:func:`.text.arm_name`)."""
    return md_escape(arm_name(label))


def whole_pct(share) -> str:
    """A share on a grid as a percentage: no decimals for a whole percent (10%, 15%), else one (12.5%)."""
    whole = abs(float(share) * 100 - round(float(share) * 100)) < 1e-9
    return pct(share, 0 if whole else 1)


def design_line(n_per_arm: int, mde_rate: float, p_control: float, mde_mean: float, sd: float) -> str:
    """The minimum detectable effects of the planned design (a rate's in percentage points)."""
    rate, mean, sd_, base = fmt_num(100 * mde_rate), fmt_num(mde_mean), fmt_num(sd), whole_pct(p_control)
    return pick(en=f"With {n_per_arm:,} customers per arm the minimum detectable effect is {rate} percentage points "
                   f"on a {base} rate and {mean} on a mean with standard deviation {sd_}.",
                zh=f"每组 {n_per_arm:,} 位客户时，在 {base} 的基准率上最小可检测效应为 {rate} 个百分点，"
                   f"在标准差为 {sd_} 的均值上为 {mean}。")


def balance_line(max_abs_smd: float) -> str:
    """The largest covariate imbalance."""
    return pick(en=f"Largest covariate |SMD| = {fmt_num(max_abs_smd)}.",
                zh=f"协变量最大 |SMD| = {fmt_num(max_abs_smd)}。")


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
    return pick(en=f"Arm of the targeting analyses: {arm_text(arm)} (outcome: {name(outcome)}).",
                zh=f"精准投放分析所用的实验组：{arm_text(arm)}（结果变量：{name(outcome)}）。")


def _kind(row) -> str:
    return row["kind"] if "kind" in row and isinstance(row["kind"], str) else "continuous"


def itt_line(itt: pd.DataFrame, control, alpha: float = 0.05) -> str:
    """What the effect table means: how many effects hold after the Holm correction, and the largest lift."""
    sig = int((itt["p_holm"] < alpha).sum())
    n = len(itt)
    r = itt.loc[itt["lift"].abs().idxmax()] if itt["lift"].notna().any() else itt.iloc[0]
    ci = effect_text(r["estimate"], r["ci_low"], r["ci_high"], r["outcome"], _kind(r))
    if _zh():
        return md_money(f"{n} 个效应中有 {sig} 个在 Holm 校正后显著（p < {alpha:g}）。相对提升最大的是"
                f"{arm_text(r['arm'])}对{name(r['outcome'])}的效应：{ci}，"
                f"比{arm_text(control)}组{'低' if r['lift'] < 0 else '高'} {pct(abs(r['lift']))}"
                f"（Holm 校正 {p_phrase(r['p_holm'])}）。")
    return md_money(f"{sig} of {n} effects hold after the Holm correction (p < {alpha:g}). The largest relative "
                    f"lift is {arm_text(r['arm'])} on {name(r['outcome'])}: {ci}, {pct(r['lift'], sign=True)} over "
                    f"{arm_text(control)} (Holm {p_phrase(r['p_holm'])}).")


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
        ci = effect_text(r["estimate"], r["ci_low"], r["ci_high"], outcome, _kind(r))
        if zh:
            return f"{name(r['segment'])}为{name(r['level'])}的客户（{ci}）"
        return f"{name(r['segment'])} = {name(r['level'])}: {ci}"
    overlap = lo["ci_high"] >= hi["ci_low"]
    if zh:
        tail = ("区间相互重叠，按这些变量细分难以找到响应明显更强的客户。" if overlap else
                f"区间不重叠：{name(hi['segment'])}为{name(hi['level'])}的客户响应更强。")
        return md_money(f"{arm_text(arm)}对{name(outcome)}的效应在各细分客户中从{one(lo)}到{one(hi)}不等；{tail}")
    tail = ("the intervals overlap, so these segments do not single out customers who respond more." if overlap else
            f"the intervals do not overlap: customers with {name(hi['segment'])} = {name(hi['level'])} respond more.")
    return md_money(f"The effect of {arm_text(arm)} on {name(outcome)} ranges across segments from {one(lo)} to {one(hi)}; "
                    f"{tail}")


def qini_line(learner: str, qb: dict) -> str:
    """The Qini coefficient of the main learner with its bootstrap interval."""
    ci = interval(qb["qini_coefficient"], qb["ci_low"], qb["ci_high"])
    better = qb["ci_low"] > 0
    if _zh():
        return (f"{learner_name(learner)}的 Qini 系数：{ci}（固定排序的泊松自助法区间）："
                f"{'优于随机投放' if better else '与随机投放无法区分'}。")
    return (f"Qini coefficient of the {learner_name(learner)}: {ci} (Poisson bootstrap with the ranking held fixed): "
            f"{'better than random targeting' if better else 'not distinguishable from random targeting'}.")


def policy_note(policy) -> str:
    """The best 'contact the top k%' policy (the head of :class:`~crmlab.uplift.PolicyResult`)."""
    ci = money_interval(policy.net_value, policy.ci_low, policy.ci_high)
    k = whole_pct(policy.best_k)
    if policy.best_k <= 0:
        return pick(en="Best policy: contact no one (no share contacted pays for its contacts).",
                    zh="最优策略：不联系任何客户（联系任何比例的客户都抵不上联系成本）。")
    if policy.best_k >= 0.999:
        return md_money(pick(en=f"Best policy: contact everyone; net value {ci} per customer.",
                             zh=f"最优策略：联系全部客户；每位客户净价值 {ci}。"))
    return md_money(pick(en=f"Best policy: contact the top {k}; net value {ci} per customer.",
                         zh=f"最优策略：联系前 {k} 的客户；每位客户净价值 {ci}。"))


def policy_line(policy) -> str:
    """The best policy against contacting everyone and no one."""
    ev = policy.everyone
    k, nv = whole_pct(policy.best_k), money_interval(policy.net_value, policy.ci_low, policy.ci_high)
    zero = money(0.0)
    if policy.best_k <= 0:
        e_nv = money_interval(ev.get("net_value"), ev.get("ci_low"), ev.get("ci_high"))
        return md_money(pick(en=f"Contacting no one is the best of these policies: every share contacted by predicted "
                                f"uplift nets less than {zero}; contacting everyone nets {e_nv} per customer.",
                             zh=f"在这些策略中，不联系任何客户最好：按预测增益联系任何比例的客户，净价值都低于 {zero}；"
                                f"联系全部客户的每位客户净价值为 {e_nv}。"))
    if policy.best_k >= 0.999:
        return md_money(pick(en=f"Contacting everyone is the best of these policies: net value {nv} per customer, "
                                f"against {zero} for contacting no one; no smaller share by predicted uplift does "
                                "better.",
                             zh=f"在这些策略中，联系全部客户最好：每位客户净价值 {nv}，不联系任何客户为 {zero}；"
                                "按预测增益只联系一部分客户都不会更好。"))
    e_nv = (money_interval(ev["net_value"], ev["ci_low"], ev["ci_high"]) if {"ci_low", "ci_high"} <= set(ev)
            else money(ev.get("net_value", float("nan"))))
    g = money_interval(*(ev.get(key, float("nan")) for key in ("gain_of_best", "gain_ci_low", "gain_ci_high")),
                       sign=True)
    return md_money(pick(
        en=f"Best policy: contact the top {k}; net value {nv} per customer; contacting everyone nets {e_nv}, no one "
           f"{zero}; gain of the best share over contacting everyone {g} per customer.",
        zh=f"最优策略：联系预测增益最高的前 {k} 客户；每位客户净价值 {nv}；联系全部客户的净价值为 {e_nv}，"
           f"不联系任何客户为 {zero}；最优比例相对于联系全部客户，每位客户多得 {g}。"))


def logrank_note(logrank) -> str:
    """The log-rank test (:class:`~crmlab.survival.LogrankResult`) in one sentence."""
    chi2, p = fmt_num(logrank.chi2), p_phrase(logrank.p)
    return pick(en=f"log-rank chi-square = {chi2} on {logrank.df} df, {p}",
                zh=f"对数秩检验卡方 = {chi2}，自由度 {logrank.df}，{p}")


def km_line(km_summary: pd.DataFrame, logrank, duration_col: str, strata_col: str) -> str:
    """Median time to churn by group and the log-rank test."""
    chi, p = fmt_num(logrank.chi2), p_phrase(logrank.p)
    if _zh():
        med = "，".join(f"{name(r.stratum)}为 {with_time(r.median)}" if pd.notna(r.median) else
                       f"{name(r.stratum)}未降到 50%" for r in km_summary.itertuples())
        return (f"各{name(strata_col)}的流失时间中位数：{med}；对数秩检验卡方 {chi}（自由度 {logrank.df}），{p}。")
    med = ", ".join(f"{name(r.stratum)}: {with_time(r.median)}" if pd.notna(r.median) else
                    f"{name(r.stratum)}: not reached (more than half still customers)" for r in km_summary.itertuples())
    return f"Median time to churn by {name(strata_col)}: {med}; log-rank chi-square {chi} on {logrank.df} df, {p}."


def cox_note(cox) -> str:
    """The Cox model's concordance (:class:`~crmlab.survival.CoxResult`) in one sentence."""
    c = fmt_num(cox.concordance)
    return pick(en=f"Cox proportional hazards model, concordance {c}.",
                zh=f"Cox 比例风险模型，一致性指数（C 指数）{c}。")


def rmst_line(rm: pd.DataFrame, tau: float, duration_col: str) -> str:
    """Expected time as a customer within ``tau`` per group, and the differences to the reference group."""
    ref = rm.iloc[0]
    diffs = rm.iloc[1:].dropna(subset=["diff"])
    unit = time_unit()
    if _zh():
        parts = "；".join(f"{name(r.group)}相差 {interval(r.diff, r.ci_low, r.ci_high, sign=True)} {unit}"
                         for r in diffs.itertuples())
        return (f"在前 {with_time(tau)}内，{name(ref['group'])}客户平均仍为客户 {with_time(ref['rmst'])}"
                "（限制平均生存时间）；与之相比，" + (parts or "无其他组") + "。")
    parts = "; ".join(f"{name(r.group)} {interval(r.diff, r.ci_low, r.ci_high, sign=True)} {unit}"
                      for r in diffs.itertuples())
    return (f"Within the first {with_time(tau)}, {name(ref['group'])} customers stay {with_time(ref['rmst'])} on "
            "average (restricted mean); difference to them: " + (parts or "no other groups") + ".")


def churn_note(churn) -> str:
    """The chosen churn model (:class:`~crmlab.churn.ChurnModelResult`) and any identifier-like columns left
    out, as Markdown paragraphs."""
    zh = _zh()
    parts = [f"按 Brier 分数选出的最优模型：{model_name(churn.best)}。" if zh else
             f"Best model by Brier score: {model_name(churn.best)}."]
    if churn.dropped:
        cols = md_escape(("、" if zh else ", ").join(term(c) for c in churn.dropped))
        parts.append(f"以下字段几乎每行取值都不同（标识符、邮箱、电话等），未作为预测变量：{cols}。" if zh
                     else f"Left out of the predictors as identifier-like (almost every value distinct): {cols}.")
    return "\n\n".join(parts)


def auc_text(metrics) -> str:
    """The AUC with its DeLong interval when the metrics hold one."""
    if "auc_ci_low" in metrics and pd.notna(metrics.get("auc_ci_low")):
        return interval(metrics["auc"], metrics["auc_ci_low"], metrics["auc_ci_high"])
    return fmt_num(metrics["auc"])


def churn_line(churn_best: str, churn_metrics, top_decile_lift: float) -> str:
    """Out-of-fold quality of the chosen churn model and the churn rate in its top decile."""
    auc = auc_text(churn_metrics)
    pr, br = (fmt_num(churn_metrics[c]) for c in ("pr_auc", "brier"))
    lift1 = fmt_num(top_decile_lift, 2)
    return pick(en=f"Churn model ({model_name(churn_best)}): AUC {auc}, PR-AUC {pr}, Brier score {br}; "
                   f"the riskiest 10% of customers churn at {lift1} times the average rate.",
                zh=f"流失预警模型（{model_name(churn_best)}）：AUC {auc}，PR-AUC {pr}，Brier 分数 {br}；"
                   f"风险最高的 10% 客户的流失率是平均水平的 {lift1} 倍。")


def mean_line(row) -> str:
    """An arm's effect in one phrase with the control level: ``+7.7 pp [7.0, 8.3] (from 10.6%)``."""
    ci = effect_text(row["estimate"], row["ci_low"], row["ci_high"], row["outcome"], _kind(row))
    base = level_text(row["mean_control"], row["outcome"], _kind(row))
    return md_money(pick(en=f"{ci} (control: {base})", zh=f"{ci}（对照组：{base}）"))


def bullets(lines) -> str:
    """Lines as a Markdown bullet list."""
    return "\n".join("- " + line for line in lines if line)
