"""Words of study 4 (retention experiments and time to churn) in English and Simplified Chinese.

The sentences a report writes from numbers (:func:`summary_lines` and the short
notes under each section), the display names of table columns, outcomes and
models, and :func:`table_html` for the result objects' HTML. Only words change
with ``lang``: numbers, saved tables and ``results.json`` keep their stable
English names. Terms follow the field's usage: 客户保留, 流失, 流失预警,
随机实验, 样本比例失衡, 协变量平衡, 提升, 增益模型, Qini 曲线, 投资回报率 (ROI),
生存分析, Kaplan-Meier 生存曲线, 对数秩检验, Cox 比例风险模型, 限制平均生存时间 (RMST).
"""
from __future__ import annotations

import math

import pandas as pd

from crmlab.i18n import pick, translate_columns

__all__ = ["COLUMNS", "VALUES", "term", "show", "table_html", "model_name", "learner_name",
           "experiment_line", "design_line", "balance_line", "target_arm_line", "qini_line", "summary_lines"]

#: display names of table columns (English keeps the stable column name)
COLUMNS: dict[str, str] = {
    # design
    "outcome": "结果变量", "effect": "效应", "n_per_arm": "每组样本量", "n_total": "总样本量",
    # randomisation checks
    "arm": "实验组", "observed": "实际数", "expected": "期望数", "share_observed": "实际占比",
    "share_expected": "设计占比", "covariate": "协变量", "mean_treated": "处理组均值",
    "mean_control": "对照组均值", "smd": "标准化均值差 (SMD)",
    # effects
    "kind": "类型", "method": "方法", "n_treated": "处理组样本数", "n_control": "对照组样本数",
    "estimate": "估计值", "se": "标准误", "ci_low": "区间下限", "ci_high": "区间上限", "p": "p 值",
    "lift": "相对提升", "p_holm": "Holm 校正 p 值", "estimate_unadjusted": "未调整估计值",
    "se_unadjusted": "未调整标准误", "variance_reduction": "方差缩减", "segment": "细分变量", "level": "取值",
    # uplift and policy
    "learner": "学习器", "auuc": "AUUC", "qini_random": "随机投放面积", "qini_coefficient": "Qini 系数",
    "fraction": "联系比例", "incremental_value": "增量价值", "cost": "联系成本", "net_value": "净价值",
    "roi": "投资回报率 ROI",
    # survival
    "stratum": "分层", "events": "事件数", "median": "中位生存时间", "median_ci_low": "中位数区间下限",
    "median_ci_high": "中位数区间上限", "group": "组别", "o_minus_e_sq_over_v": "(O-E)²/V",
    "tau": "截止时间 τ", "rmst": "限制平均生存时间 (RMST)", "diff": "差值", "diff_se": "差值标准误",
    "term": "变量", "coef": "系数", "hr": "风险比 (HR)", "z": "z 值", "chi2": "卡方",
    # churn early warning
    "model": "模型", "auc": "AUC", "auc_fold_sd": "AUC 折间标准差", "pr_auc": "PR-AUC",
    "brier": "Brier 分数", "base_rate": "基准流失率", "bin": "分组（十分位）", "churners": "流失客户数",
    "churn_rate": "流失率", "share_targeted": "覆盖客户比例", "cumulative_gain": "累计捕获率",
    "customer": "客户（假名）", "p_churn": "流失概率", "value": "客户价值", "value_at_risk": "风险价值",
    "rank": "排名",
}

#: display names of values and of the default data's variables (unknown names are shown as they are)
VALUES: dict[str, str] = {
    "rate": "比率", "mean": "均值", "binary": "二元", "continuous": "连续",
    "visit": "到访", "conversion": "转化", "spend": "消费金额", "retained": "保留",
    "channel": "渠道", "newbie": "新客户", "zip_code": "地区类型", "recency": "距上次购买月数",
    "history": "历史消费额", "tenure": "在网时长（月）", "contract": "合同类型", "churn": "流失",
    "monthly_charges": "月费",
    # labels of the bundled data (Hillstrom arms, telco contract types)
    "No E-Mail": "不发邮件", "Mens E-Mail": "男装邮件", "Womens E-Mail": "女装邮件",
    "newcombe CI, pooled z test": "Newcombe 区间，合并 z 检验", "wald CI, pooled z test": "Wald 区间，合并 z 检验",
    "Welch t": "Welch t 检验",
    "Month-to-month": "按月合同", "One year": "一年合同", "Two year": "两年合同",
}

_MODELS = {"gbm": ("gbm", "梯度提升"), "logistic": ("logistic", "逻辑回归")}


def term(name, lang: str = "en") -> str:
    """Display name of a value or variable (English: the name itself)."""
    s = str(name)
    return VALUES.get(s, s) if lang == "zh" else s


def model_name(name: str, lang: str = "en") -> str:
    """Display name of a churn model (``gbm``, ``logistic``)."""
    en, zh = _MODELS.get(name, (name, name))
    return zh if lang == "zh" else en


def learner_name(name: str, lang: str = "en") -> str:
    """Display name of an uplift meta-learner (``t``, ``x``, ``dr``)."""
    return f"{name.upper()} 学习器" if lang == "zh" else name


def _extra():
    return {k: {"en": k, "zh": v} for k, v in COLUMNS.items()}


_WORD_COLUMNS = ("outcome", "kind", "method", "segment", "arm", "stratum", "group")


def show(df: pd.DataFrame, lang: str = "en", values=_WORD_COLUMNS, *, index_words: bool = False) -> pd.DataFrame:
    """A copy of ``df`` for display: column names and the words in ``values`` columns in ``lang`` (also the
    index labels with ``index_words``, or when the index is named after one of ``values``)."""
    out = df.copy()
    if lang == "zh":
        for c in values:
            if c in out.columns:
                out[c] = out[c].map(lambda v: term(v, lang))
        if index_words or out.index.name in values:
            out.index = out.index.map(lambda v: term(v, lang)).rename(out.index.name)
        if "model" in out.columns:
            out["model"] = out["model"].map(lambda v: model_name(v, lang))
        if "learner" in out.columns:
            out["learner"] = out["learner"].map(lambda v: learner_name(v, lang))
    return translate_columns(out, lang, extra=_extra())


def table_html(df: pd.DataFrame, lang: str = "en", float_format: str = "%.4f") -> str:
    """HTML of a result table with headers (and known words) in ``lang``."""
    return show(df, lang).to_html(float_format=float_format)


# --------------------------------------------------------------------------- sentences
def _fmt(x, spec):
    return "nan" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def experiment_line(n: int, arms: list, outcomes: list, lang: str = "en") -> str:
    """What the experiment table holds."""
    if lang == "zh":
        return (f"共 {n:,} 位客户；实验组：{'、'.join(term(a, lang) for a in arms)}；"
                f"结果变量：{'、'.join(term(o, lang) for o in outcomes)}")
    return f"{n:,} customers; arms: {list(arms)}; outcomes: {list(outcomes)}"


def design_line(n_per_arm: int, mde_rate: float, p_control: float, mde_mean: float, sd: float,
                lang: str = "en") -> str:
    """The minimum detectable effects of the planned design."""
    if lang == "zh":
        return (f"每组 {n_per_arm:,} 位客户时，在 {p_control:.0%} 的基准率上最小可检测效应为 {mde_rate:.4f}，"
                f"在标准差为 {sd} 的均值上为 {mde_mean:.3f}。")
    return (f"With {n_per_arm:,} customers per arm the minimum detectable effect is "
            f"{mde_rate:.4f} on a {p_control:.0%} rate and {mde_mean:.3f} on a mean with sd {sd}.")


def balance_line(max_abs_smd: float, lang: str = "en") -> str:
    return pick(lang, en=f"largest |SMD| = {max_abs_smd:.4f}",
                zh=f"协变量最大 |SMD| = {max_abs_smd:.4f}")


def target_arm_line(arm, outcome: str, lang: str = "en") -> str:
    return pick(lang, en=f"Target arm for targeting analyses: {arm} (outcome {outcome})",
                zh=f"精准投放分析所用的实验组：{term(arm, lang)}（结果变量：{term(outcome, lang)}）")


def qini_line(learner: str, qb: dict, lang: str = "en") -> str:
    """The Qini coefficient of the main learner with its bootstrap interval."""
    q, lo, hi = qb["qini_coefficient"], qb["ci_low"], qb["ci_high"]
    if lang == "zh":
        return (f"{learner_name(learner, lang)}的 Qini 系数：{q:.4f}（{lo:.4f} 至 {hi:.4f}，"
                f"固定排序的泊松自助法区间）")
    return (f"Qini coefficient of the {learner}-learner: {q:.4f} "
            f"({lo:.4f} to {hi:.4f}, Poisson bootstrap with the ranking held fixed)")


def summary_lines(*, srm, max_abs_smd, itt, control, cuped, uplift_learner, arm, uplift_outcome, qini_row, qb,
                  policy, km_summary, logrank, ph_test, duration_col, strata_col, churn_best, churn_metrics,
                  top_decile_lift, lang: str = "en") -> list[str]:
    """The run's findings in sentences written from the numbers (one string per finding).

    ``srm`` has ``chi2, p, alert``; ``itt`` and ``cuped`` are the effect tables; ``qini_row`` holds
    ``auuc, qini_random``; ``qb`` the Qini bootstrap dict; ``policy`` a :class:`~crmlab.uplift.PolicyResult`;
    ``km_summary`` the Kaplan-Meier summary (``stratum, median``); ``logrank`` has ``chi2, df, p``;
    ``ph_test`` the PH check (``term, p``); ``churn_metrics`` holds ``auc, pr_auc, brier``.
    """
    zh = lang == "zh"
    lines = []
    smd = f"{max_abs_smd:.3f}"
    if zh:
        verdict = "警报：以下效应不可信" if srm.alert else "未发现样本比例失衡"
        lines.append(f"随机化检查：样本比例失衡（SRM）卡方 {srm.chi2:.2f}，p = {srm.p:.3g}（{verdict}）；"
                     f"协变量最大 |SMD| 为 {smd}。")
    else:
        verdict = "ALERT: do not trust the effects below" if srm.alert else "no mismatch"
        lines.append(f"Randomisation: SRM chi-square {srm.chi2:.2f}, p = {srm.p:.3g} ({verdict}); "
                     f"largest covariate |SMD| {smd}.")
    for r in itt.itertuples():
        est, lo, hi = f"{r.estimate:+.4g}", f"{r.ci_low:+.4g}", f"{r.ci_high:+.4g}"
        lift, ph = f"{r.lift:+.0%}", f"{r.p_holm:.2g}"
        if zh:
            lines.append(f"{term(r.arm, lang)} 对比 {term(control, lang)}，{term(r.outcome, lang)}：{est}（{lo} 至 {hi}），"
                         f"相对提升 {lift}，Holm 校正 p = {ph}。")
        else:
            lines.append(f"{r.arm} vs {control}, {r.outcome}: {est} ({lo} to {hi}), "
                         f"relative lift {lift}, Holm p = {ph}.")
    vmin, vmax = f"{cuped['variance_reduction'].min():.1%}", f"{cuped['variance_reduction'].max():.1%}"
    lines.append(pick(lang, en=f"CUPED variance reduction: {vmin} to {vmax} (pre-treatment covariates explain "
                               f"little of the outcome when this is small).",
                      zh=f"CUPED 回归调整的方差缩减：{vmin} 至 {vmax}（该值较小时，说明实验前协变量对结果的"
                         f"解释力很弱）。"))
    auuc, rnd = f"{qini_row['auuc']:.4f}", f"{qini_row['qini_random']:.4f}"
    qc, qlo, qhi = f"{qb['qini_coefficient']:.4f}", f"{qb['ci_low']:.4f}", f"{qb['ci_high']:.4f}"
    better = qb["ci_low"] > 0
    if zh:
        lines.append(f"增益模型（{learner_name(uplift_learner, lang)}，{term(arm, lang)}，{term(uplift_outcome, lang)}）："
                     f"留出样本 AUUC 为 {auuc}，随机投放为 {rnd}（Qini 系数 {qc}，区间 {qlo} 至 {qhi}："
                     f"{'优于随机投放' if better else '与随机投放无法区分'}）。")
    else:
        lines.append(f"Uplift ({uplift_learner}-learner, {arm}, {uplift_outcome}): held-out AUUC {auuc} vs "
                     f"{rnd} for random targeting (Qini coefficient {qc}, interval {qlo} to {qhi}: "
                     f"{'better than random' if better else 'not distinguishable from random targeting'}).")
    ev = policy.everyone
    k, nv, plo, phi = f"{policy.best_k:.0%}", f"{policy.net_value:.3f}", f"{policy.ci_low:.3f}", \
        f"{policy.ci_high:.3f}"
    e_nv, g, glo, ghi = (_fmt(ev.get(key, float("nan")), ".3f")
                         for key in ("net_value", "gain_of_best", "gain_ci_low", "gain_ci_high"))
    if zh:
        lines.append(f"最优策略：联系预测增益最高的前 {k} 客户；每位客户净价值 {nv}（{plo} 至 {phi}）；"
                     f"联系全部客户的净价值为 {e_nv}，不联系任何客户为 0；最优比例相对于联系全部客户的增益为 "
                     f"{g}（{glo} 至 {ghi}）。")
    else:
        lines.append(f"Best policy: contact the top {k}; net value {nv} per customer ({plo} to {phi}); "
                     f"contacting everyone nets {e_nv}, no one 0; gain of the best k over everyone "
                     f"{g} ({glo} to {ghi}).")
    if zh:
        med = "，".join(f"{term(r.stratum, lang)}为 {r.median:g}" if pd.notna(r.median) else
                       f"{term(r.stratum, lang)}未达到"
                       for r in km_summary.itertuples())
        lines.append(f"各{term(strata_col, lang)}的{term(duration_col, lang)}中位数：{med}；"
                     f"对数秩检验卡方 {logrank.chi2:.1f}（自由度 {logrank.df}），p = {logrank.p:.2g}。")
    else:
        med = ", ".join(f"{r.stratum}: {r.median:g}" if pd.notna(r.median) else f"{r.stratum}: not reached"
                        for r in km_summary.itertuples())
        lines.append(f"Median {duration_col} by {strata_col}: {med}; log-rank chi-square {logrank.chi2:.1f} on "
                     f"{logrank.df} df, p = {logrank.p:.2g}.")
    viol = ph_test.loc[ph_test["p"] < 0.01, "term"].tolist()
    if zh:
        lines.append(f"Cox 模型的比例风险假设在以下变量上被拒绝（p < 0.01）：{'、'.join(viol)}。这些风险比只能理解为"
                     f"整个在网期内的平均值，对这些变量宜以 KM 曲线 / RMST 为准。" if viol else
                     "Cox 模型的比例风险假设对所有变量均未被拒绝。")
    else:
        lines.append("Proportional hazards " + (f"violated (p < 0.01) for: {', '.join(viol)} - read those hazard "
                     "ratios as averages over tenure, and prefer the KM curves / RMST for them." if viol else
                                                "not rejected for any term."))
    auc, pr, br = (f"{churn_metrics[c]:.3f}" for c in ("auc", "pr_auc", "brier"))
    lift1 = f"{top_decile_lift:.1f}"
    lines.append(pick(lang, en=f"Churn model ({churn_best}): AUC {auc}, PR-AUC {pr}, Brier {br}; "
                               f"the top decile holds {lift1}x the average churn rate.",
                      zh=f"流失预警模型（{model_name(churn_best, lang)}）：AUC {auc}，PR-AUC {pr}，Brier 分数 {br}；"
                         f"风险最高的 10% 客户的流失率是平均水平的 {lift1} 倍。"))
    return lines
