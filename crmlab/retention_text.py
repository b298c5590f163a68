"""Words of study 4 (retention experiments and time to churn) in English and Simplified Chinese.

The sentences a report writes from numbers (:func:`summary_lines` and the short
"what this means" notes under each result), the display names of table columns,
outcomes and models, :func:`readable` for the display copy of a result table
(an estimate and its interval as ``0.42 [0.31, 0.53]``, shares as percentages,
p-values as ``< 0.001``, other numbers to three significant digits; the numbers
in sentences follow the same rules via :mod:`crmlab.report`) and
:func:`table_html` for the result objects' HTML. Only words and the display of
numbers change: saved tables and ``results.json`` keep their stable English
names and full precision. Terms follow the field's usage: 客户保留, 流失, 流失预警,
随机实验, 样本比例失衡, 协变量平衡, 提升, 增益模型, Qini 曲线, 投资回报率 (ROI),
生存分析, Kaplan-Meier 生存曲线, 对数秩检验, Cox 比例风险模型, 限制平均生存时间 (RMST).
"""
from __future__ import annotations

import math

import pandas as pd

from crmlab.report.i18n import pick, translate_columns
from crmlab.report import fmt_ci, fmt_num, fmt_p, format_table, show_table

__all__ = ["COLUMNS", "VALUES", "term", "show", "readable", "table_html", "show_extra_table", "interval", "pct",
           "p_eq", "model_name", "learner_name", "experiment_line", "design_line", "balance_line", "srm_note",
           "target_arm_line", "itt_line", "cuped_line", "segment_line", "qini_line", "policy_note", "policy_line",
           "logrank_note", "km_line", "ph_line", "rmst_line", "churn_line", "summary_lines"]

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


#: (estimate, low, high) columns shown as one "estimate [low, high]" column; the first trio present is used
INTERVALS = (("estimate", "ci_low", "ci_high"), ("diff", "ci_low", "ci_high"), ("hr", "ci_low", "ci_high"),
             ("net_value", "ci_low", "ci_high"), ("median", "median_ci_low", "median_ci_high"))
#: columns holding shares or relative changes, shown as percentages (``lift`` with its sign)
PERCENT = ("fraction", "lift", "variance_reduction", "share_observed", "share_expected", "churn_rate",
           "share_targeted", "cumulative_gain", "base_rate")
#: shares on a grid (5%, 10%, ...), shown without decimals
WHOLE_PERCENT = ("fraction", "share_targeted")
#: p-value columns (shown with :func:`crmlab.report.fmt_p`)
P_COLUMNS = ("p", "p_holm", "p_not_better")
_REPORT_P = ("p", "p_value", "p_holm", "pvalue")  # the names crmlab.report.format_table formats as p-values

for _est, _lo, _hi in INTERVALS:
    COLUMNS[f"{_est} [CI]"] = f"{COLUMNS[_est]} [置信区间]"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or (not isinstance(x, str) and pd.isna(x))


def interval(estimate, low, high, sig: int = 2, sign: bool = False) -> str:
    """``estimate [low, high]`` at the precision the interval supports (:func:`crmlab.report.fmt_ci`);
    a missing bound is shown as ``-`` (a median not reached, an open interval). ``sign`` adds ``+``.

    >>> interval(0.0766, 0.0700, 0.0832, sign=True), interval(float("nan"), 72.0, float("nan"))
    ('+0.077 [0.070, 0.083]', '- [72, -]')
    """
    if _missing(estimate) and _missing(low) and _missing(high):
        return "-"
    if _missing(estimate) or _missing(low) or _missing(high):
        return f"{fmt_num(estimate)} [{fmt_num(low)}, {fmt_num(high)}]"
    out = fmt_ci(estimate, low, high, sig=sig)
    return "+" + out if sign and float(estimate) > 0 else out


def pct(x, sign: bool = False, decimals: int = 1) -> str:
    """A share as a percentage with ``decimals`` decimals (none from 100% up; ``-`` when missing).

    >>> pct(0.721404), pct(0.0029453), pct(0.78), pct(1.1884, sign=True), pct(0.15, decimals=0)
    ('72.1%', '0.3%', '78.0%', '+119%', '15%')
    """
    if _missing(x):
        return "-"
    v = float(x) * 100
    d = decimals if abs(v) < 99.95 else 0
    text = f"{v:.{d}f}"
    text = f"{0:.{d}f}" if float(text) == 0 else text  # no "-0.0%"
    return ("+" if sign and v > 0 else "") + text + "%"


def _whole(share) -> int:
    """Decimals for a percentage: none when the share is a whole percent (10%, 15%), else one."""
    return 0 if abs(float(share) * 100 - round(float(share) * 100)) < 1e-9 else 1


def p_eq(p) -> str:
    """``p = 0.023`` or ``p < 0.001`` (for sentences)."""
    text = fmt_p(p)
    return "p " + text if text.startswith("<") else "p = " + text


def readable(df: pd.DataFrame, lang: str = "en", values=_WORD_COLUMNS, *, index_words: bool = False,
             sig: int = 3) -> pd.DataFrame:
    """A display copy of a result table, for ``show_table(..., display_df=readable(df, lang))``: an estimate
    and its interval in one ``estimate [CI]`` column, shares as percentages, p-values with
    :func:`~crmlab.report.fmt_p`, other numbers with ``sig`` significant digits; then headers and words in
    ``lang`` (:func:`show`). The input is not changed.

    p-value columns whose shown name :func:`crmlab.report.format_table` knows (``p``, ``p_holm`` in English)
    are left as numbers, since formatting text twice fails: pass the result through ``format_table`` (as
    ``show_table``, :func:`table_html` and :func:`show_extra_table` do) for a fully formatted table."""
    out = df.copy()
    for est, lo, hi in INTERVALS:
        if {est, lo, hi} <= set(out.columns):
            sign = est == "estimate"
            out[est] = [interval(e, a, b, sign=sign) for e, a, b in zip(out[est], out[lo], out[hi])]
            out = out.drop(columns=[lo, hi]).rename(columns={est: f"{est} [CI]"})
            break
    for c in PERCENT:
        # ``lift`` is a relative change next to an effect estimate, a ratio elsewhere (the churn lift table)
        if c in out.columns and pd.api.types.is_numeric_dtype(out[c]) and (c != "lift" or "estimate" in df):
            out[c] = out[c].map(lambda v, c=c: pct(v, sign=c == "lift", decimals=0 if c in WHOLE_PERCENT else 1))
    # p-values that keep a name format_table knows stay numbers (show_table formats them again); others are text
    keep = [c for c in P_COLUMNS if c in out.columns and lang != "zh" and c in _REPORT_P]
    done = format_table(out.drop(columns=keep), sig=sig, p_columns=P_COLUMNS)
    for c in keep:
        done[c] = out[c]
    shown = show(done[list(out.columns)], lang, values, index_words=index_words)
    if lang == "zh" and "lift" in df and "estimate" not in df:  # a ratio to the average, not a relative change
        shown = shown.rename(columns={COLUMNS["lift"]: "提升度（倍）"})
    return shown


def table_html(df: pd.DataFrame, lang: str = "en", float_format=None, sig: int = 3) -> str:
    """HTML of a result table with readable numbers (:func:`readable`) and headers (and known words) in
    ``lang``. ``float_format`` is ignored (kept for old callers)."""
    return format_table(readable(df, lang, sig=sig), sig=sig).to_html()


def show_extra_table(df: pd.DataFrame, text: str, lang: str = "en", **kwargs):
    """Display a table that is not saved (a view of a saved one) under the next numbered table caption,
    readable as in :func:`readable` (``kwargs`` go there)."""
    show_table(readable(df, lang, **kwargs), None, text, lang=lang)


# --------------------------------------------------------------------------- sentences
def experiment_line(n: int, arms: list, outcomes: list, lang: str = "en") -> str:
    """What the experiment table holds."""
    if lang == "zh":
        return (f"共 {n:,} 位客户；实验组：{'、'.join(term(a, lang) for a in arms)}；"
                f"结果变量：{'、'.join(term(o, lang) for o in outcomes)}")
    return f"{n:,} customers; arms: {list(arms)}; outcomes: {list(outcomes)}"


def design_line(n_per_arm: int, mde_rate: float, p_control: float, mde_mean: float, sd: float,
                lang: str = "en") -> str:
    """The minimum detectable effects of the planned design."""
    rate, mean, sd_ = fmt_num(mde_rate), fmt_num(mde_mean), fmt_num(sd)
    if lang == "zh":
        return (f"每组 {n_per_arm:,} 位客户时，在 {pct(p_control, decimals=_whole(p_control))} 的基准率上最小可检测效应为 {rate}，"
                f"在标准差为 {sd_} 的均值上为 {mean}。")
    return (f"With {n_per_arm:,} customers per arm the minimum detectable effect is "
            f"{rate} on a {pct(p_control, decimals=_whole(p_control))} rate and {mean} on a mean with sd {sd_}.")


def balance_line(max_abs_smd: float, lang: str = "en") -> str:
    return pick(lang, en=f"largest |SMD| = {fmt_num(max_abs_smd)}",
                zh=f"协变量最大 |SMD| = {fmt_num(max_abs_smd)}")


def srm_note(chi2: float, df: int, p: float, alert: bool, lang: str = "en") -> str:
    """The sample-ratio mismatch test in one sentence (Markdown; the alert in bold)."""
    if lang == "zh":
        flag = "**警报：样本比例失衡**" if alert else "未发现样本比例失衡"
        return f"SRM 卡方 = {fmt_num(chi2)}，自由度 {df}，{p_eq(p)}：{flag}"
    flag = "**ALERT: sample-ratio mismatch**" if alert else "no mismatch"
    return f"SRM chi-square = {fmt_num(chi2)} on {df} df, {p_eq(p)}: {flag}"


def target_arm_line(arm, outcome: str, lang: str = "en") -> str:
    return pick(lang, en=f"Target arm for targeting analyses: {arm} (outcome {outcome})",
                zh=f"精准投放分析所用的实验组：{term(arm, lang)}（结果变量：{term(outcome, lang)}）")


def itt_line(itt: pd.DataFrame, control, alpha: float = 0.05, lang: str = "en") -> str:
    """What the effect table means: how many effects hold after the Holm correction, and the largest lift."""
    sig = int((itt["p_holm"] < alpha).sum())
    n = len(itt)
    r = itt.loc[itt["lift"].abs().idxmax()] if itt["lift"].notna().any() else itt.iloc[0]
    ci = interval(r["estimate"], r["ci_low"], r["ci_high"], sign=True)
    if lang == "zh":
        return (f"{n} 个效应中有 {sig} 个在 Holm 校正后显著（p < {alpha:g}）。相对提升最大的是"
                f"{term(r['arm'], lang)}对{term(r['outcome'], lang)}的效应：{ci}，"
                f"比{term(control, lang)}组{'低' if r['lift'] < 0 else '高'} {pct(abs(r['lift']))}"
                f"（Holm 校正 {p_eq(r['p_holm'])}）。")
    return (f"{sig} of {n} effects hold after the Holm correction (p < {alpha:g}). The largest relative "
            f"lift is {r['arm']} on {r['outcome']}: {ci}, {pct(r['lift'], sign=True)} over {control} "
            f"(Holm {p_eq(r['p_holm'])}).")


def cuped_line(cuped: pd.DataFrame, lang: str = "en") -> str:
    """What the regression adjustment bought: variance reduction and how far the estimates moved."""
    vmin, vmax = pct(cuped["variance_reduction"].min()), pct(cuped["variance_reduction"].max())
    moved = (cuped["estimate"] - cuped["estimate_unadjusted"]).abs() / cuped["se_unadjusted"]
    m = fmt_num(float(moved.max()), 2)
    if lang == "zh":
        return (f"CUPED 回归调整使方差缩减 {vmin} 至 {vmax}；调整后的估计值与未调整值最多相差 {m} 个标准误，"
                f"结论不受调整影响。" if moved.max() < 1 else
                f"CUPED 回归调整使方差缩减 {vmin} 至 {vmax}；调整后的估计值与未调整值最多相差 {m} 个标准误。")
    return (f"CUPED reduces the variance by {vmin} to {vmax}; the adjusted estimates move by at most {m} "
            f"standard errors" + (", so the conclusions do not depend on the adjustment." if moved.max() < 1
                                 else "."))


def segment_line(seg: pd.DataFrame, arm, outcome: str, lang: str = "en") -> str:
    """The smallest and largest segment effects."""
    s = seg.dropna(subset=["estimate"])
    if s.empty:
        return ""
    lo, hi = s.loc[s["estimate"].idxmin()], s.loc[s["estimate"].idxmax()]

    def one(r):
        ci = interval(r["estimate"], r["ci_low"], r["ci_high"], sign=True)
        return (f"{term(r['segment'], lang)} = {term(r['level'], lang)}：{ci}" if lang == "zh" else
                f"{r['segment']} = {r['level']}: {ci}")
    overlap = lo["ci_high"] >= hi["ci_low"]
    if lang == "zh":
        tail = ("区间相互重叠，按这些变量细分难以找到响应明显更强的客户。" if overlap else
                f"区间不重叠：{term(hi['segment'], lang)} = {term(hi['level'], lang)} 的客户响应更强。")
        return f"{term(arm, lang)}对{term(outcome, lang)}的效应在各细分客户中从 {one(lo)} 到 {one(hi)}；{tail}"
    tail = ("the intervals overlap, so these segments do not single out customers who respond more." if overlap else
            f"the intervals do not overlap: customers with {hi['segment']} = {hi['level']} respond more.")
    return f"The effect of {arm} on {outcome} ranges across segments from {one(lo)} to {one(hi)}; {tail}"


def qini_line(learner: str, qb: dict, lang: str = "en") -> str:
    """The Qini coefficient of the main learner with its bootstrap interval."""
    ci = interval(qb["qini_coefficient"], qb["ci_low"], qb["ci_high"])
    better = qb["ci_low"] > 0
    if lang == "zh":
        return (f"{learner_name(learner, lang)}的 Qini 系数：{ci}（固定排序的泊松自助法区间）："
                f"{'优于随机投放' if better else '与随机投放无法区分'}。")
    return (f"Qini coefficient of the {learner}-learner: {ci} (Poisson bootstrap with the ranking held fixed): "
            f"{'better than random targeting' if better else 'not distinguishable from random targeting'}.")


def policy_note(best_k: float, net_value: float, ci_low: float, ci_high: float, lang: str = "en") -> str:
    """The best 'contact the top k%' policy (the head of :class:`~crmlab.uplift.PolicyResult`)."""
    ci = interval(net_value, ci_low, ci_high)
    return pick(lang, en=f"best policy: contact top {pct(best_k, decimals=_whole(best_k))}; net value per customer {ci}",
                zh=f"最优策略：联系前 {pct(best_k, decimals=_whole(best_k))} 的客户；每位客户净价值 {ci}")


def policy_line(policy, lang: str = "en") -> str:
    """The best policy against contacting everyone and no one."""
    ev = policy.everyone
    k, nv = pct(policy.best_k, decimals=_whole(policy.best_k)), interval(policy.net_value, policy.ci_low, policy.ci_high)
    e_nv = (interval(ev["net_value"], ev["ci_low"], ev["ci_high"]) if {"ci_low", "ci_high"} <= set(ev)
            else fmt_num(ev.get("net_value", float("nan"))))
    g = interval(*(ev.get(key, float("nan")) for key in ("gain_of_best", "gain_ci_low", "gain_ci_high")))
    if lang == "zh":
        return (f"最优策略：联系预测增益最高的前 {k} 客户；每位客户净价值 {nv}；"
                f"联系全部客户的净价值为 {e_nv}，不联系任何客户为 0；最优比例相对于联系全部客户的增益为 {g}。")
    return (f"Best policy: contact the top {k}; net value {nv} per customer; "
            f"contacting everyone nets {e_nv}, no one 0; gain of the best k over everyone {g}.")


def logrank_note(chi2: float, df: int, p: float, lang: str = "en") -> str:
    return pick(lang, en=f"log-rank chi-square = {fmt_num(chi2)} on {df} df, {p_eq(p)}",
                zh=f"对数秩检验卡方 = {fmt_num(chi2)}，自由度 {df}，{p_eq(p)}")


def km_line(km_summary: pd.DataFrame, logrank, duration_col: str, strata_col: str, lang: str = "en") -> str:
    """Median time by stratum and the log-rank test."""
    chi, p = fmt_num(logrank.chi2), p_eq(logrank.p)
    if lang == "zh":
        med = "，".join(f"{term(r.stratum, lang)}为 {fmt_num(r.median)}" if pd.notna(r.median) else
                       f"{term(r.stratum, lang)}未达到"
                       for r in km_summary.itertuples())
        return (f"各{term(strata_col, lang)}的{term(duration_col, lang)}中位数：{med}；"
                f"对数秩检验卡方 {chi}（自由度 {logrank.df}），{p}。")
    med = ", ".join(f"{r.stratum}: {fmt_num(r.median)}" if pd.notna(r.median) else f"{r.stratum}: not reached"
                    for r in km_summary.itertuples())
    return f"Median {duration_col} by {strata_col}: {med}; log-rank chi-square {chi} on {logrank.df} df, {p}."


def ph_line(ph_test: pd.DataFrame, lang: str = "en") -> str:
    """Which Cox terms break the proportional-hazards assumption (p < 0.01)."""
    viol = ph_test.loc[ph_test["p"] < 0.01, "term"].tolist()
    if lang == "zh":
        return (f"Cox 模型的比例风险假设在以下变量上被拒绝（p < 0.01）：{'、'.join(viol)}。这些风险比只能理解为"
                f"整个在网期内的平均值，对这些变量宜以 KM 曲线 / RMST 为准。" if viol else
                "Cox 模型的比例风险假设对所有变量均未被拒绝。")
    return "Proportional hazards " + (f"violated (p < 0.01) for: {', '.join(viol)} - read those hazard "
                                      "ratios as averages over tenure, and prefer the KM curves / RMST for them."
                                      if viol else "not rejected for any term.")


def rmst_line(rm: pd.DataFrame, tau: float, duration_col: str, lang: str = "en") -> str:
    """Expected time as a customer within ``tau`` per group, and the differences to the reference group."""
    ref = rm.iloc[0]
    diffs = rm.iloc[1:].dropna(subset=["diff"])
    if lang == "zh":
        parts = "；".join(f"{term(r.group, lang)}相差 {interval(r.diff, r.ci_low, r.ci_high, sign=True)}"
                         for r in diffs.itertuples())
        return (f"{term(duration_col, lang)}以 {fmt_num(tau)} 为上限时，{term(ref['group'], lang)}客户平均留存 "
                f"{fmt_num(ref['rmst'])}（限制平均生存时间）；与之相比，" + (parts or "无其他分层") + "。")
    parts = "; ".join(f"{r.group} {interval(r.diff, r.ci_low, r.ci_high, sign=True)}" for r in diffs.itertuples())
    return (f"Within {duration_col} up to {fmt_num(tau)}, {ref['group']} customers stay {fmt_num(ref['rmst'])} "
            f"on average (restricted mean); difference to them: " + (parts or "no other groups") + ".")


def churn_line(churn_best: str, churn_metrics, top_decile_lift: float, lang: str = "en") -> str:
    """Out-of-fold quality of the chosen churn model and the churn rate in its top decile."""
    auc, pr, br = (fmt_num(churn_metrics[c]) for c in ("auc", "pr_auc", "brier"))
    lift1 = fmt_num(top_decile_lift, 2)
    return pick(lang, en=f"Churn model ({churn_best}): AUC {auc}, PR-AUC {pr}, Brier {br}; "
                         f"the top decile holds {lift1}x the average churn rate.",
                zh=f"流失预警模型（{model_name(churn_best, lang)}）：AUC {auc}，PR-AUC {pr}，Brier 分数 {br}；"
                   f"风险最高的 10% 客户的流失率是平均水平的 {lift1} 倍。")


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
    smd, chi, p = fmt_num(max_abs_smd), fmt_num(srm.chi2), p_eq(srm.p)
    if zh:
        verdict = "警报：以下效应不可信" if srm.alert else "未发现样本比例失衡"
        lines.append(f"随机化检查：样本比例失衡（SRM）卡方 {chi}，{p}（{verdict}）；协变量最大 |SMD| 为 {smd}。")
    else:
        verdict = "ALERT: do not trust the effects below" if srm.alert else "no mismatch"
        lines.append(f"Randomisation: SRM chi-square {chi}, {p} ({verdict}); largest covariate |SMD| {smd}.")
    for r in itt.itertuples():
        est = interval(r.estimate, r.ci_low, r.ci_high, sign=True)
        lift, ph = pct(r.lift, sign=True), p_eq(r.p_holm)
        if zh:
            lines.append(f"{term(r.arm, lang)} 对比 {term(control, lang)}，{term(r.outcome, lang)}：{est}，"
                         f"相对提升 {lift}，Holm 校正 {ph}。")
        else:
            lines.append(f"{r.arm} vs {control}, {r.outcome}: {est}, relative lift {lift}, Holm {ph}.")
    vmin, vmax = pct(cuped["variance_reduction"].min()), pct(cuped["variance_reduction"].max())
    lines.append(pick(lang, en=f"CUPED variance reduction: {vmin} to {vmax} (pre-treatment covariates explain "
                               f"little of the outcome when this is small).",
                      zh=f"CUPED 回归调整的方差缩减：{vmin} 至 {vmax}（该值较小时，说明实验前协变量对结果的"
                         f"解释力很弱）。"))
    auuc, rnd = fmt_num(qini_row["auuc"]), fmt_num(qini_row["qini_random"])
    qc = interval(qb["qini_coefficient"], qb["ci_low"], qb["ci_high"])
    better = qb["ci_low"] > 0
    if zh:
        lines.append(f"增益模型（{learner_name(uplift_learner, lang)}，{term(arm, lang)}，{term(uplift_outcome, lang)}）："
                     f"留出样本 AUUC 为 {auuc}，随机投放为 {rnd}（Qini 系数 {qc}："
                     f"{'优于随机投放' if better else '与随机投放无法区分'}）。")
    else:
        lines.append(f"Uplift ({uplift_learner}-learner, {arm}, {uplift_outcome}): held-out AUUC {auuc} vs "
                     f"{rnd} for random targeting (Qini coefficient {qc}: "
                     f"{'better than random' if better else 'not distinguishable from random targeting'}).")
    lines.append(policy_line(policy, lang))
    lines.append(km_line(km_summary, logrank, duration_col, strata_col, lang))
    lines.append(ph_line(ph_test, lang))
    lines.append(churn_line(churn_best, churn_metrics, top_decile_lift, lang))
    return lines
