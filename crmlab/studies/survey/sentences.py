"""Sentences of the survey-regression study written from its numbers, in the current language
(one function per paragraph of the report; :func:`crmlab.report.i18n.use_lang` sets the language).
Items are named by their labels (:func:`.text.label`), never by their codes. The key findings and the
closing summary are in :mod:`.findings`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.drivers import collinearity_level
from crmlab.report.fmt import fmt_ci, fmt_num
from crmlab.report.i18n import current_lang, pick
from crmlab.report.narrative import p_phrase, pct
from crmlab.studies.common import hygiene
from crmlab.studies.common.hygiene import scales_words  # noqa: F401 - the study's API
from crmlab.studies.common.words import span as _scale
from crmlab.studies.survey.text import label, labels


def _zh() -> bool:
    return current_lang() == "zh"


def _count(x) -> str:
    """An effective number of people (a float): whole people, with thousands separators."""
    return fmt_num(x, 2) if abs(x) < 10 else f"{round(float(x)):,}"


def _out_of_scale(hyg, w) -> str:
    """Answers outside an item's scale, by file row (``w``: an ``out_of_scale`` warning of ``hyg``)."""
    rows = ", ".join(str(r) for r in w["file_rows"][:5]) + (" …" if len(w["file_rows"]) > 5 else "")
    vals = ", ".join(f"{v:g}" for v in w["values"])
    return pick(en=f"Answers outside the scale of {label(w['item'])} ({_scale(*w['scale'])}): {vals} at file rows "
                   f"{rows}; those respondents are excluded.",
                zh=f"{label(w['item'])}有超出量表（{_scale(*w['scale'])}）的答案：{vals}，位于文件第 {rows} 行；"
                   "这些受访者已被排除。")


def hygiene_findings(hyg, items) -> str:
    """Section 1 (survey hygiene / 数据清洗) in words (:func:`crmlab.studies.common.hygiene.hygiene_findings`):
    rows read and used, what was excluded and flagged (and what is done with the flagged), answer scales and
    where they come from, codes for "no answer", answers outside a scale by item and file row, the speeder
    limit, reverse-keyed items. ``hyg`` is :class:`crmlab.survey.HygieneReport`, ``items`` the items checked."""
    return hygiene.hygiene_findings(
        hyg, items, out_of_scale=_out_of_scale,
        repeated_in=("the section “Results without the flagged respondents”", "“去掉被标记受访者的结果”一节"),
        appendix=("the variables appendix", "附录“变量”"),
        wrong_scale=("on a wrong scale the top-2-box share is 0%", "量表有误时高分两档占比为 0%"),
        colon=False, singular=False)


def small_sample(n: int, p: int) -> str:
    """A caution when there are fewer than 10 respondents per driver (empty otherwise)."""
    if n >= 10 * p:
        return ""
    return pick(en=f"**Small sample:** {n:,} respondents for {p} drivers (fewer than 10 per driver): estimates are "
                   "unstable and their intervals wide; read the rankings as tentative.",
                zh=f"**样本较小**：{p} 个驱动因素只有 {n:,} 名受访者（每个驱动因素不足 10 人）：估计不稳定、区间较宽，"
                   "排名只能作为初步结论。")


def descriptives_findings(tb: pd.DataFrame, outcome: str, drivers, driver_corr, scales: dict) -> str:
    """Section 2 (descriptives) in words; ``tb`` is :func:`crmlab.survey.top_box`, ``driver_corr`` the
    correlation matrix of the drivers, ``scales`` item -> (lowest, highest)."""
    drivers = list(drivers)
    C = np.asarray(driver_corr)
    off = C[~np.eye(len(C), dtype=bool)]
    mixed = len({tuple(scales[d]) for d in drivers}) > 1
    m = tb.loc[drivers, "mean_0_100" if mixed else "mean"]
    hi, lo = m.idxmax(), m.idxmin()
    top_lo, top_hi = scales[outcome][1] - 1, scales[outcome][1]

    def rated(d):
        return fmt_num(tb.loc[d, "mean"]) + (pick(en=f" on {_scale(*scales[d])}, {fmt_num(m[d], 2)} of 100",
                                                  zh=f"，{_scale(*scales[d])} 分量表，相当于 {fmt_num(m[d], 2)}/100")
                                             if mixed else "")
    mean_y, top2 = fmt_num(tb.loc[outcome, "mean"]), pct(tb.loc[outcome, "top2box"])
    r_lo, r_hi, r_mean = (fmt_num(x, 2) for x in (off.min(), off.max(), off.mean()))
    if _zh():
        return (f"**结果解读**：{label(outcome)}的均值为 {mean_y}（{_scale(*scales[outcome])} 分量表），{top2} 的受访者"
                f"给出高分两档（{top_lo:g}-{top_hi:g} 分）答案。评分最高的属性：{label(hi)}（{rated(hi)}）；"
                f"最低：{label(lo)}（{rated(lo)}）。各属性之间的相关系数在 {r_lo} 到 {r_hi} 之间（均值 {r_mean}）："
                "区分它们各自的作用，正是有序模型和关键驱动因素分析的任务。")
    return (f"**What the numbers say.** The mean of {label(outcome)} is {mean_y} on its {_scale(*scales[outcome])} "
            f"scale; {top2} give a top-2-box answer ({top_lo:g}-{top_hi:g}). "
            f"Highest-rated attribute: {label(hi)} ({rated(hi)}); lowest: {label(lo)} ({rated(lo)}). "
            f"The attributes correlate {r_lo} to {r_hi} with one another (mean {r_mean}): "
            "separating their effects is the job of the ordinal model and the key-driver analysis.")


def nps_findings(res) -> str:
    """Section 3: the Net Promoter Score with its interval (``res`` is :class:`crmlab.survey.NPSResult`)."""
    est = fmt_ci(res.score, res.ci_low, res.ci_high)
    prom, det = fmt_num(res.promoters), fmt_num(res.detractors)
    side = "more" if res.ci_low > 0 else "fewer" if res.ci_high < 0 else "unclear"
    if _zh():
        meaning = {"more": "整个区间都在 0 以上：推荐者多于贬损者，这一点超出了抽样误差。",
                   "fewer": "整个区间都在 0 以下：贬损者多于推荐者，这一点超出了抽样误差。",
                   "unclear": "区间包含 0：这个样本无法判断推荐者与贬损者哪一方更多。"}[side]
        return (f"**净推荐值 NPS = {est}**（95% 置信区间；推荐者 {prom}%，贬损者 {det}%，n = {res.n:,}）。"
                + meaning)
    meaning = {"more": "The whole interval is above 0: promoters outnumber detractors beyond sampling error.",
               "fewer": "The whole interval is below 0: detractors outnumber promoters beyond sampling error.",
               "unclear": "The interval includes 0: this sample cannot tell whether promoters or detractors "
                          "are more numerous."}[side]
    return f"**NPS = {est}** (95% CI; {prom}% promoters, {det}% detractors, n = {res.n:,}). " + meaning


def no_nps() -> str:
    """Section 3 when the survey has no recommendation item."""
    return pick(en="No `nps_item` given: this survey has no 0-10 recommendation question, so no NPS is "
                   "reported (set `nps_item` to the column name to add it).",
                zh="未指定 `nps_item`：本问卷没有 0-10 分的推荐意愿题，因此不报告净推荐值"
                   "（将 `nps_item` 设为该列的列名即可加入）。")


def ordinal_findings(cmp: pd.DataFrame, outcome: str, probs: pd.DataFrame, top_level: float) -> str:
    """Section 4 (ordinal logit vs OLS) in words.

    ``cmp`` is :func:`.steps.ordinal_vs_ols` (``with_intervals``: the odds ratio's interval
    ``odds_ratio_ci_low``/``odds_ratio_ci_high`` and ``ordinal_p`` are used when present);
    ``probs`` the predicted probabilities of the profiles (rows 0 and 2: 25th and 75th percentile).
    """
    top = cmp["ordinal_coef"].idxmax()
    agree = (np.sign(cmp["ordinal_coef"]) == np.sign(cmp["ols_coef"])).mean()
    rank_corr = fmt_num(cmp["ordinal_coef"].rank().corr(cmp["ols_coef"].rank()), 2)
    or_, de, ols = cmp.loc[top, "odds_ratio"], cmp.loc[top, "ordinal_d_expected"], cmp.loc[top, "ols_coef"]
    p75, p25 = pct(probs.iloc[2, -1]), pct(probs.iloc[0, -1])
    if {"odds_ratio_ci_low", "odds_ratio_ci_high"} <= set(cmp):
        or_ = fmt_ci(or_, cmp.loc[top, "odds_ratio_ci_low"], cmp.loc[top, "odds_ratio_ci_high"])
    else:
        or_ = fmt_num(or_)
    de, ols = fmt_num(de, 2), fmt_num(ols, 2)
    p = p_phrase(cmp.loc[top, "ordinal_p"]) if "ordinal_p" in cmp else ""
    agree_pct = pct(agree, 0)
    if _zh():
        return (f"**结果解读**：有序 logistic 回归中效应最强的是{label(top)}：该项每提高一个量表分，"
                f"{label(outcome)}给出更高评分的优势（odds）乘以 {or_}（优势比{'，' + p if p else ''}），期望评分平均提高 "
                f"{de} 分（OLS：{ols}）。{agree_pct} 的驱动因素在两个模型中符号一致，两者对系数的排序也相近"
                f"（Spearman 相关 {rank_corr}），因此常用的 OLS 解读在这里仍然成立；有序模型还能给出 OLS "
                f"给不出的信息：每个评分等级的概率。所有驱动因素取第 75 百分位时，给出最高评分（{top_level:g}）"
                f"的概率为 {p75}，取第 25 百分位时为 {p25}。")
    return (f"**What the numbers say.** The strongest ordinal effect is {label(top)}: one more scale point multiplies "
            f"the odds of a higher answer to {label(outcome)} by {or_} (odds ratio{', ' + p if p else ''}) and raises "
            f"the expected answer by {de} points on average (OLS: {ols}). "
            f"Signs agree for {agree_pct} of the drivers and the two models rank the coefficients alike "
            f"(Spearman {rank_corr}), so the familiar OLS reading survives here; the ordinal model adds what OLS "
            f"cannot give: the probability of each answer. With every driver at its 75th percentile the chance of a "
            f"top answer ({top_level:g}) is {p75}, against {p25} at the 25th.")


def raking_line(rk) -> str:
    """Section 5: one line on the raking run (``rk`` is :class:`crmlab.weighting.RakingResult`)."""
    d = rk.diagnostics
    if _zh():
        return (f"**迭代比例拟合（raking）**：{'已收敛' if rk.converged else '未收敛'}（{rk.iterations} 次迭代）；"
                f"设计效应 {fmt_num(d.deff)}，有效样本量 {_count(d.n_eff)}（共 {d.n:,} 人）；"
                f"{rk.trimmed} 个权重被截尾。")
    done = "converged" if rk.converged else "did not converge"
    return (f"**Raking**: {done} in {rk.iterations} iterations; design effect {fmt_num(d.deff)}, "
            f"effective n {_count(d.n_eff)} of {d.n:,}; {rk.trimmed} weights trimmed.")


def weighted_nps_line(nps_w, nps_u) -> str:
    """Section 5: the weighted NPS beside the unweighted one."""
    w, u = fmt_ci(nps_w.score, nps_w.ci_low, nps_w.ci_high), fmt_ci(nps_u.score, nps_u.ci_low, nps_u.ci_high)
    return pick(en=f"Weighted NPS {w} (95% CI) against {u} unweighted.",
                zh=f"加权净推荐值 NPS {w}（95% 置信区间），未加权为 {u}。")


def weights_findings(deff: float, n_eff: float, wv: pd.DataFrame) -> str:
    """Section 5: the cost of weighting (design effect, effective n) and the largest shift of a mean."""
    shift = wv["shift"].abs()
    deff_s, n_eff_s, big = fmt_num(deff), _count(n_eff), fmt_num(shift.max(), 2)
    return pick(en=f"**What the numbers say.** Design effect {deff_s}: the weighted sample carries the "
                   f"information of {n_eff_s} unweighted respondents. The largest shift of a mean is "
                   f"{big} points ({label(shift.idxmax())}).",
                zh=f"**结果解读**：设计效应 {deff_s}：加权样本所含的信息相当于 {n_eff_s} 名未加权受访者"
                   f"（有效样本量）。均值的最大变化为 {big} 分（{label(shift.idxmax())}）。")


def no_weights() -> str:
    """Section 5 without weights or margins."""
    return pick(en="No `weights` column or `margins` file given: estimates are unweighted. (For a survey with "
                   "demographic variables, pass `margins: path/to/margins.yaml` with e.g. "
                   "`region: {north: 0.4, south: 0.6}` to rake to the population.)",
                zh="未指定 `weights` 列或 `margins` 文件：所有估计均未加权。（若问卷含有人口统计变量，可传入 "
                   "`margins: path/to/margins.yaml`，例如 `region: {north: 0.4, south: 0.6}`，按总体分布加权。）")


def sampled_accuracy(n_drivers: int, sampled: dict) -> str:
    """Section 6: accuracy of Shapley shares estimated from random orders (many drivers)."""
    n_perm, bound = sampled["n_permutations"], fmt_num(sampled["bound"], 2)
    se = fmt_num(float(np.max(sampled["se"])), 2)
    return pick(en=f"{n_drivers} drivers: Shapley shares estimated from {n_perm:,} random "
                   f"orders; every share is within ±{bound} (R² units) of the exact value with "
                   f"95% probability (Hoeffding bound); Monte-Carlo SE at most {se}.",
                zh=f"{n_drivers} 个驱动因素：Shapley 值由 {n_perm:,} 个随机排列估计；以 95% 的概率，"
                   f"每个值与精确值的差距不超过 ±{bound}（R² 单位，Hoeffding 界）；蒙特卡洛标准误最大为 {se}。")


def weighted_drivers_intro() -> str:
    return pick(en="Shares with survey weights (used throughout this section) beside the unweighted ones:",
                zh="加权（本节全部使用问卷权重）与未加权的 Shapley 值对比：")


def weighted_drivers_findings(wu: pd.DataFrame) -> str:
    """Section 6 with weights: what weighting does to the ranking (``wu`` is
    :func:`.steps.drivers_weighted_vs_unweighted`)."""
    moved = wu.index[wu["rank_weighted"] != wu["rank_unweighted"]].tolist()
    top_w, top_u = wu["rank_weighted"].idxmin(), wu["rank_unweighted"].idxmin()
    diff = (wu["shapley_weighted"] - wu["shapley_unweighted"]).abs()
    big = fmt_num(diff.max(), 2)
    if _zh():
        first = (f"加权与未加权时排名第一的都是{label(top_w)}" if top_w == top_u
                 else f"加权后排名第一的是{label(top_w)}，未加权时是{label(top_u)}")
        return (f"**结果解读**：{first}；"
                + (f"排名发生变化的驱动因素：{labels(moved)}" if moved else "所有驱动因素的排名都不变")
                + f"；Shapley 值的最大变化为 {big}（{label(diff.idxmax())}，R² 单位）。")
    first = (f"{label(top_w)} ranks first with and without weights" if top_w == top_u
             else f"{label(top_w)} ranks first with weights, {label(top_u)} without")
    return (f"**What the numbers say.** {first}; "
            + (f"drivers whose rank changes: {labels(moved)}" if moved else "no driver changes rank")
            + f"; the largest change of a Shapley share is {big} ({label(diff.idxmax())}, R² units).")


def collinearity(kda) -> str:
    """Multicollinearity diagnostics (多重共线性: VIF, 条件数) of a fitted key-driver analysis in words."""
    vif = kda.importance_["vif"]
    worst, cn = vif.idxmax(), fmt_num(kda.condition_number_)
    level = collinearity_level(kda.condition_number_, vif)
    high = vif[vif > 5].index.tolist()
    if _zh():
        words = {"none": "不存在值得担心的多重共线性", "moderate": "存在中等程度的多重共线性",
                 "strong": "存在严重的多重共线性"}
        msg = f"条件数 {cn}，最大 VIF {fmt_num(vif.max())}（{label(worst)}）：{words[level]}。"
        if high:
            return msg + (f"{labels(high)}的 VIF 超过 5：它们各自的 OLS 系数不稳定，因此用分解方法"
                          "（Shapley 值 / 相对权重）而不是回归系数来给驱动因素排序。")
        return msg + "OLS 系数可以逐一解读。"
    words = {"none": "no worrying multicollinearity", "moderate": "moderate multicollinearity",
             "strong": "strong multicollinearity"}
    msg = f"Condition number {cn}, largest VIF {fmt_num(vif.max())} ({label(worst)}): {words[level]}. "
    if high:
        return msg + (f"VIF above 5 for {labels(high)}: their individual OLS coefficients are unstable, "
                      "which is why the decomposition (Shapley/relative weights) rather than the "
                      "coefficients ranks the drivers.")
    return msg + "OLS coefficients are interpretable one by one."


def r2_words(kda) -> str:
    """R² with its bootstrap interval when there is one: ``0.717 [0.69, 0.74]``."""
    ci = getattr(kda, "r2_ci_", None)
    return fmt_ci(kda.r2_, *ci) if ci is not None else fmt_num(kda.r2_)


def drivers_findings(kda, ipm: pd.DataFrame, outcome: str, candidates) -> str:
    """Section 6 (key-driver analysis / 关键驱动因素分析) in words, from a fitted
    :class:`crmlab.drivers.KeyDriverAnalysis`, its importance-performance table and the improvement
    candidates (:func:`.steps.improvement_candidates`; the bootstrap clauses only with intervals)."""
    imp = kda.importance_
    r1, r2_ = kda.rank_[0], kda.rank_[1]
    rw_rank = imp["relative_weight"].rank(ascending=False).astype(int)
    same_top = set(rw_rank.nsmallest(2).index) == {r1, r2_}
    r2 = r2_words(kda)
    share1, share2 = fmt_num(imp.loc[r1, "share_pct"]), fmt_num(imp.loc[r2_, "share_pct"])
    boot = "shapley_ci_low" in imp
    ci1 = (fmt_ci(imp.loc[r1, "shapley"], imp.loc[r1, "shapley_ci_low"], imp.loc[r1, "shapley_ci_high"])
           if boot else fmt_num(imp.loc[r1, "shapley"]))
    top_pct = pct(imp.loc[r1, "p_top_rank"], 0) if boot else ""
    if _zh():
        return (f"**结果解读**：各驱动因素共解释了{label(outcome)}方差的 R² = {r2}。"
                f"{label(r1)}（占 R² 的 {share1}%；Shapley 值 {ci1}，R² 单位{'，95% 置信区间' if boot else ''}）"
                f"和{label(r2_)}（{share2}%）居前"
                + (f"；在 {top_pct} 的 bootstrap 重抽样中{label(r1)}排名第一。" if boot else "。")
                + f"相对权重法{'给出相同的前两名' if same_top else '对前几名驱动因素的排序不同'}。"
                + (f"重点改进对象（重要性高、评分低于平均）：{labels(candidates)}。" if candidates
                   else "没有哪个驱动因素既重要、评分又低于平均。")
                + collinearity(kda))
    return (f"**What the numbers say.** The drivers explain R² = {r2} of the variance of {label(outcome)}. "
            f"{label(r1)} ({share1}% of R²; Shapley share {ci1} in R² units{', 95% CI' if boot else ''}) "
            f"and {label(r2_)} ({share2}%) lead"
            + (f"; {label(r1)} ranks first in {top_pct} of bootstrap resamples. " if boot else ". ")
            + f"Relative weights {'give the same top two' if same_top else 'order the top drivers differently'}. "
            + (f"Improvement candidates (high importance, below-average rating): {labels(candidates)}. " if candidates
               else "No driver is both important and below-average rated. ")
            + collinearity(kda))


def scale_usage_findings(summ: dict, sens: pd.DataFrame, outcome: str) -> str:
    """Section 7 (scale-usage heterogeneity / 量表使用异质性) in words, from
    :func:`crmlab.scale_usage.scale_usage_sensitivity`."""
    moved = sens.index[sens["rank_change"].abs() >= 2].tolist()
    lost = fmt_num(100 * (1 - summ["r2_within"] / summ["r2_raw"]), 2)
    c_mean, c_raw, c_within = (fmt_num(summ[k], 2) for k in ("corr_scale_mean_outcome", "mean_item_corr_raw",
                                                               "mean_item_corr_within"))
    r2_raw, r2_within = fmt_num(summ["r2_raw"]), fmt_num(summ["r2_within"])
    n_bad = summ["rows_not_standardisable"]
    if _zh():
        return (f"**结果解读**：受访者对各驱动因素的平均评分与{label(outcome)}的相关系数为 "
                f"{c_mean}；驱动因素之间的平均相关系数在原始评分上为 "
                f"{c_raw}，标准化后为 {c_within}；"
                f"R² 从 {r2_raw} 降至 {r2_within}：被解释方差中有 {lost}% "
                "来自受访者使用量表的方式，而不是他们给哪个属性打了高分。"
                f"原始评分下的前三位驱动因素：{labels(summ['rank_raw'][:3])}；"
                f"受访者内标准化后：{labels(summ['rank_within'][:3])}。"
                + (f"排名变动两位或以上的驱动因素：{labels(moved)}。" if moved else "排名保持稳定。")
                + f"{n_bad} 名受访者（答案几乎不变）无法标准化。"
                "标准化也会去除满意度的真实整体差异，因此它是敏感性检验而不是校正："
                "在两种口径下都居前的驱动因素才是稳健的结论。")
    return (f"**What the numbers say.** A respondent's mean driver rating correlates "
            f"{c_mean} with {label(outcome)}; the average correlation between drivers is "
            f"{c_raw} on raw answers and {c_within} after "
            f"standardisation, and R² falls from {r2_raw} to {r2_within}: "
            f"{lost}% of the explained variance rode on how respondents "
            f"use the scale rather than on which attribute they rate high. "
            f"Top drivers raw: {labels(summ['rank_raw'][:3])}; "
            f"within respondent: {labels(summ['rank_within'][:3])}. "
            + (f"Drivers whose rank moves by two places or more: {labels(moved)}. " if moved
               else "Ranks are stable. ")
            + f"{n_bad} respondents (near-constant answers) could not be standardised. "
            "Standardisation also removes genuine overall differences in satisfaction, so it is a sensitivity "
            "check, not a correction: drivers that stay on top under both readings are the robust findings.")


def no_scale_usage(n_drivers: int) -> str:
    """Section 7 with fewer than 3 drivers."""
    return pick(en=f"Only {n_drivers} drivers: standardising an answer against the respondent's other drivers needs "
                   "at least 3, so this sensitivity check is skipped.",
                zh=f"只有 {n_drivers} 个驱动因素：受访者内标准化需要至少 3 个驱动因素，因此跳过这一敏感性检验。")
