"""Words of study 2 (survey regression and key drivers) in English and Simplified Chinese.

The sentences a report writes from numbers (one function per section), the
display names of table columns and row labels (:func:`show`) and the
importance-performance quadrants. Only words change with ``lang``: numbers,
saved tables and ``results.json`` keep their stable English names. Terms
follow the field's usage: 问卷调查, 回归分析, 顾客满意度, 总体满意度,
关键驱动因素分析, 相对重要性, Shapley 值分解, 有序 logistic 回归, 优势比, 阈值,
稳健标准误, 净推荐值 NPS (推荐者/被动者/贬损者), 加权, 迭代比例拟合 (raking),
设计效应, 有效样本量, 多重共线性 (VIF, 条件数), 重要性-绩效分析,
量表使用异质性, 直线作答, 数据清洗.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.drivers import QUADRANTS_ZH
from crmlab.i18n import pick, translate_columns

__all__ = ["COLUMNS", "VALUES", "QUADRANTS", "term", "quadrant", "show", "data_line", "hygiene_text",
           "descriptives_text", "nps_text", "no_nps_text", "ordinal_text", "raking_text",
           "weighted_nps_text", "weights_text", "no_weights_text", "sampled_text", "weighted_drivers_intro",
           "drivers_text", "scale_usage_text"]

#: Chinese display names of table columns and index names (English keeps the stable name)
COLUMNS: dict[str, str] = {
    # hygiene
    "reason": "排除原因", "rows": "行数", "example_rows": "示例行号",
    # descriptives
    "item": "题项", "mean": "均值", "top2box": "高分两档占比 (Top-2-box)",
    "bottom2box": "低分两档占比 (Bottom-2-box)",
    # NPS
    "n": "样本数", "promoters": "推荐者 (%)", "passives": "被动者 (%)", "detractors": "贬损者 (%)",
    "score": "净推荐值 NPS", "ci_low": "区间下限", "ci_high": "区间上限",
    # ordinal logit vs OLS
    "driver": "驱动因素", "ordinal_coef": "有序 logistic 系数", "odds_ratio": "优势比",
    "ordinal_p": "有序 logistic p 值", "ols_coef": "OLS 系数", "ols_p_hc3": "OLS p 值（HC3 稳健标准误）",
    "ordinal_d_expected": "期望得分变化（有序模型）", "threshold": "阈值", "profile": "驱动因素组合",
    # weights
    "variable": "变量", "level": "取值", "sample_share": "样本占比", "target_share": "总体目标占比",
    "weighted_share": "加权后占比", "unweighted": "未加权", "weighted": "加权", "shift": "变化",
    "term": "变量", "ols_unweighted": "OLS 系数（未加权）", "ols_weighted": "OLS 系数（加权）",
    # key drivers
    "shapley": "Shapley 值", "share_pct": "占 R² 比例 (%)", "shapley_lo": "Shapley 区间下限",
    "shapley_hi": "Shapley 区间上限", "relative_weight": "相对权重", "rank": "排名", "rank_lo": "排名下限",
    "rank_hi": "排名上限", "p_top_rank": "排名第一的概率", "vif": "VIF",
    "shapley_weighted": "Shapley 值（加权）", "shapley_unweighted": "Shapley 值（未加权）",
    "rank_weighted": "排名（加权）", "rank_unweighted": "排名（未加权）",
    "importance": "重要性", "performance": "绩效", "quadrant": "象限",
    # scale usage
    "share_pct_raw": "占 R² 比例 (%)，原始评分", "rank_raw": "排名，原始评分",
    "share_pct_within": "占 R² 比例 (%)，受访者内标准化", "rank_within": "排名，受访者内标准化",
    "rank_change": "排名变化",
}

#: Chinese display names of row labels and values (unknown values are shown as they are)
VALUES: dict[str, str] = {
    # exclusion reasons (crmlab.survey.REASONS) and the kept rows
    "non_numeric": "非数值作答", "out_of_range": "超出量表范围", "missing": "缺失作答",
    "straight_liner": "直线作答", "speeder": "作答过快", "duplicate": "重复受访者", "kept": "保留",
    # default driver profiles of the ordinal model
    "all drivers at 25th pct": "所有驱动因素取第 25 百分位", "all at median": "所有驱动因素取中位数",
    "all at 75th pct": "所有驱动因素取第 75 百分位",
    "threshold": "阈值", "all": "全部", "const": "常数项",
}

#: importance-performance quadrants (Martilla & James 1977): stable English name -> Chinese
QUADRANTS: dict[str, str] = QUADRANTS_ZH

_REASONS_EN = {"non_numeric": "non numeric", "out_of_range": "out of range", "missing": "missing",
               "straight_liner": "straight liner", "speeder": "speeder", "duplicate": "duplicate"}


def term(name, lang: str = "en") -> str:
    """Display name of a row label or value (English: the name itself)."""
    s = str(name)
    return VALUES.get(s, s) if lang == "zh" else s


def quadrant(name: str, lang: str = "en") -> str:
    """Display name of an importance-performance quadrant."""
    return QUADRANTS.get(name, name) if lang == "zh" else name


def show(df: pd.DataFrame | pd.Series, lang: str = "en") -> pd.DataFrame:
    """A copy of ``df`` for display: column names, index name and known row labels in ``lang``.

    English returns ``df`` unchanged (as a frame). Saved tables are never passed through this.
    """
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if lang != "zh":
        return df
    extra = {k: {"en": k, "zh": v} for k, v in COLUMNS.items()}
    if isinstance(df.index, pd.MultiIndex):
        # translate_columns renames a single index name; level names go through the columns instead
        flat = translate_columns(df.reset_index(), lang, extra=extra)
        out = flat.set_index(list(flat.columns[:df.index.nlevels]))
    else:
        out = translate_columns(df, lang, extra=extra)
    if not isinstance(out.index, pd.MultiIndex):
        out.index = pd.Index([term(x, lang) if isinstance(x, str) else x for x in out.index], name=out.index.name)
    if "quadrant" in df.columns:
        out[COLUMNS["quadrant"]] = [quadrant(q, lang) for q in df["quadrant"]]
    if isinstance(out.columns.name, str):
        out.columns.name = COLUMNS.get(out.columns.name, out.columns.name)
    return out


def _ticks(names) -> str:
    return ", ".join(f"`{x}`" for x in names)


def _zh_list(names) -> str:
    return "、".join(f"`{x}`" for x in names)


# ---------------------------------------------------------------------------------------------
# sentences, one function per section of the notebook
# ---------------------------------------------------------------------------------------------

def data_line(data: str, n_rows: int, n_cols: int, outcome: str, n_drivers: int, scale_min, scale_max,
              lang: str = "en") -> str:
    """The line under the imports: which data, how large, which outcome and scale."""
    if lang == "zh":
        return (f"**数据**：`{data}`：{n_rows:,} 行，{n_cols} 列。结果变量 `{outcome}`，"
                f"{n_drivers} 个驱动因素，量表 {scale_min}-{scale_max}。")
    return (f"**Data:** `{data}`: {n_rows:,} rows, {n_cols} columns. Outcome `{outcome}`, "
            f"{n_drivers} drivers, scale {scale_min}-{scale_max}.")


def hygiene_text(rows_in: int, rows_used: int, excluded_by_reason: dict, reverse_items=(), lang: str = "en") -> str:
    """Section 1 (survey hygiene / 数据清洗) in words."""
    pct = 100 * rows_used / rows_in if rows_in else 0.0
    if lang == "zh":
        parts = [f"{v} 行因{VALUES.get(k, k)}被排除" for k, v in excluded_by_reason.items() if v]
        return (f"**结果解读**：共读入 {rows_in:,} 行，使用 {rows_used:,} 行（{pct:.1f}%）。"
                + ("；".join(parts) + "。" if parts else "没有行被排除。")
                + (f"已反向计分的题项：{_zh_list(reverse_items)}。" if reverse_items else "")
                + "直线作答者（对所有题项给出相同答案）不能说明哪个属性更重要，还会抬高所有相关系数；"
                  "以下所有模型都不包括他们。")
    parts = [f"{v} excluded as {_REASONS_EN.get(k, k.replace('_', ' '))}" for k, v in excluded_by_reason.items() if v]
    return (f"**What the numbers say.** {rows_in:,} rows in, {rows_used:,} used ({pct:.1f}%). "
            + "; ".join(parts) + ". "
            + (f"Reverse-keyed items recoded: {', '.join(reverse_items)}. " if reverse_items else "")
            + "Straight-liners carry no information about which attribute matters and would inflate every "
              "correlation; they are left out of all models below.")


def descriptives_text(tb: pd.DataFrame, outcome: str, drivers, driver_corr: np.ndarray, scale_min, scale_max,
                      lang: str = "en") -> str:
    """Section 2 (descriptives) in words; ``tb`` is :func:`crmlab.survey.top_box`, ``driver_corr``
    the correlation matrix of the drivers."""
    drivers = list(drivers)
    C = np.asarray(driver_corr)
    off = C[~np.eye(len(C), dtype=bool)]
    m = tb.loc[drivers, "mean"]
    hi, lo = m.idxmax(), m.idxmin()
    if lang == "zh":
        return (f"**结果解读**：`{outcome}` 的均值为 {tb.loc[outcome, 'mean']:.2f}"
                f"（{scale_min}-{scale_max} 量表），{100 * tb.loc[outcome, 'top2box']:.1f}% 的受访者给出高分两档"
                f"（top-2-box）答案。评分最高的属性：`{hi}`（{m.max():.2f}）；最低：`{lo}`（{m.min():.2f}）。"
                f"各属性之间的相关系数在 {off.min():.2f} 到 {off.max():.2f} 之间（均值 {off.mean():.2f}）："
                "区分它们各自的作用，正是第 4 节和第 6 节的任务。")
    return (f"**What the numbers say.** Mean `{outcome}` is {tb.loc[outcome, 'mean']:.2f} on the "
            f"{scale_min}-{scale_max} scale; {100 * tb.loc[outcome, 'top2box']:.1f}% give a top-2-box answer. "
            f"Highest-rated attribute: `{hi}` ({m.max():.2f}); lowest: `{lo}` ({m.min():.2f}). "
            f"The attributes correlate {off.min():.2f} to {off.max():.2f} with one another (mean {off.mean():.2f}): "
            "separating their effects is the job of sections 4 and 6.")


def nps_text(res, lang: str = "en") -> str:
    """Section 3: the Net Promoter Score with its interval (``res`` is :class:`crmlab.survey.NPSResult`)."""
    if lang == "zh":
        return (f"**净推荐值 NPS = {res.score:.1f}**（95% 置信区间 {res.ci_low:.1f} 至 {res.ci_high:.1f}；"
                f"推荐者 {res.promoters:.1f}%，贬损者 {res.detractors:.1f}%，n = {res.n:,}）。")
    return (f"**NPS = {res.score:.1f}** (95% CI {res.ci_low:.1f} to {res.ci_high:.1f}; "
            f"{res.promoters:.1f}% promoters, {res.detractors:.1f}% detractors, n = {res.n:,}).")


def no_nps_text(lang: str = "en") -> str:
    if lang == "zh":
        return ("未指定 `nps_item`：本问卷没有 0-10 分的推荐意愿题，因此不报告净推荐值"
                "（将 `nps_item` 设为该列的列名即可加入）。")
    return ("No `nps_item` given: this survey has no 0-10 recommendation question, so no NPS is "
            "reported (set `nps_item` to the column name to add it).")


def ordinal_text(cmp: pd.DataFrame, outcome: str, probs: pd.DataFrame, top_level: float, lang: str = "en") -> str:
    """Section 4 (ordinal logit vs OLS) in words.

    ``cmp`` is :func:`crmlab.survey_models.compare_models` with an ``ordinal_d_expected`` column;
    ``probs`` the predicted probabilities of the profiles (rows 0 and 2: 25th and 75th percentile).
    """
    top = cmp["ordinal_coef"].idxmax()
    agree = (np.sign(cmp["ordinal_coef"]) == np.sign(cmp["ols_coef"])).mean()
    rank_corr = cmp["ordinal_coef"].rank().corr(cmp["ols_coef"].rank())
    or_, de, ols = cmp.loc[top, "odds_ratio"], cmp.loc[top, "ordinal_d_expected"], cmp.loc[top, "ols_coef"]
    p75, p25 = probs.iloc[2, -1], probs.iloc[0, -1]
    if lang == "zh":
        return (f"**结果解读**：有序 logistic 回归中效应最强的是 `{top}`：该项每提高一个量表分，"
                f"`{outcome}` 给出更高评分的优势（odds）乘以 {or_:.2f}（优势比），期望评分平均提高 {de:.2f} 分"
                f"（OLS：{ols:.2f}）。{100 * agree:.0f}% 的驱动因素在两个模型中符号一致，两者对系数的排序也相近"
                f"（Spearman 相关 {rank_corr:.2f}），因此熟悉的 OLS 解读在这里仍然成立；有序模型还给出了 OLS "
                f"无法给出的信息：每个评分等级的概率。所有驱动因素取第 75 百分位时，给出最高评分（{top_level:g}）"
                f"的概率为 {p75:.1%}，取第 25 百分位时为 {p25:.1%}。")
    return (f"**What the numbers say.** The strongest ordinal effect is `{top}`: one more scale point multiplies the "
            f"odds of a higher `{outcome}` answer by {or_:.2f} and raises the expected answer by "
            f"{de:.2f} points on average (OLS: {ols:.2f}). "
            f"Signs agree for {100 * agree:.0f}% of the drivers and the two models rank the coefficients alike "
            f"(Spearman {rank_corr:.2f}), so the familiar OLS reading survives here; the ordinal model adds what OLS "
            f"cannot give: the probability of each answer. With every driver at its 75th percentile the chance of a "
            f"top answer ({top_level:g}) is {p75:.1%}, against {p25:.1%} at the 25th.")


def raking_text(rk, lang: str = "en") -> str:
    """Section 5: one line on the raking run (``rk`` is :class:`crmlab.weighting.RakingResult`)."""
    d = rk.diagnostics
    if lang == "zh":
        return (f"**迭代比例拟合（raking）**：{'已收敛' if rk.converged else '未收敛'}（{rk.iterations} 次迭代）；"
                f"设计效应 {d.deff:.2f}，有效样本量 {d.n_eff:.0f}（共 {d.n} 人）；{rk.trimmed} 个权重被截尾。")
    return (f"**Raking**: converged={rk.converged} in {rk.iterations} iterations; design effect {d.deff:.2f}, "
            f"effective n {d.n_eff:.0f} of {d.n}; {rk.trimmed} weights trimmed.")


def weighted_nps_text(nps_w, nps_u, lang: str = "en") -> str:
    if lang == "zh":
        return (f"加权净推荐值 NPS {nps_w.score:.1f}（95% 置信区间 {nps_w.ci_low:.1f} 至 {nps_w.ci_high:.1f}），"
                f"未加权为 {nps_u.score:.1f}。")
    return (f"Weighted NPS {nps_w.score:.1f} (95% CI {nps_w.ci_low:.1f} to {nps_w.ci_high:.1f}) "
            f"against {nps_u.score:.1f} unweighted.")


def weights_text(deff: float, n_eff: float, wv: pd.DataFrame, lang: str = "en") -> str:
    """Section 5: the cost of weighting (design effect, effective n) and the largest shift of a mean."""
    shift = wv["shift"].abs()
    if lang == "zh":
        return (f"**结果解读**：设计效应 {deff:.2f}：加权样本所含的信息相当于 {n_eff:,.0f} 名未加权受访者"
                f"（有效样本量）。均值的最大变化为 {shift.max():.2f} 分（`{shift.idxmax()}`）。")
    return (f"**What the numbers say.** Design effect {deff:.2f}: the weighted sample carries the "
            f"information of {n_eff:,.0f} unweighted respondents. The largest shift of a mean is "
            f"{shift.max():.2f} points (`{shift.idxmax()}`).")


def no_weights_text(lang: str = "en") -> str:
    if lang == "zh":
        return ("未指定 `weights` 列或 `margins` 文件：所有估计均未加权。（本问卷没有可用于事后分层或迭代比例拟合的"
                "人口统计变量；对于有这些变量的问卷，可传入 `margins: path/to/margins.yaml`，例如 "
                "`region: {north: 0.4, south: 0.6}`。）")
    return ("No `weights` column or `margins` file given: estimates are unweighted. (This survey has "
            "no demographic variables to rake on; pass `margins: path/to/margins.yaml` with e.g. "
            "`region: {north: 0.4, south: 0.6}` for a survey that has them.)")


def sampled_text(n_drivers: int, sampled: dict, lang: str = "en") -> str:
    """Section 6: accuracy of Shapley shares estimated from random orders (many drivers)."""
    n_perm, bound, se = sampled["n_permutations"], sampled["bound"], float(np.max(sampled["se"]))
    if lang == "zh":
        return (f"{n_drivers} 个驱动因素：Shapley 值由 {n_perm:,} 个随机排列估计；以 95% 的概率，每个值与精确值的差距"
                f"不超过 ±{bound:.4f}（R² 单位，Hoeffding 界）；蒙特卡洛标准误最大为 {se:.4f}。")
    return (f"{n_drivers} drivers: Shapley shares estimated from {n_perm:,} random "
            f"orders; every share is within ±{bound:.4f} (R² units) of the exact value with "
            f"95% probability (Hoeffding bound); Monte-Carlo SE at most {se:.4f}.")


def weighted_drivers_intro(lang: str = "en") -> str:
    return pick(lang, en="Shares with survey weights (used throughout this section) beside the unweighted ones:",
                zh="加权（本节全部使用问卷权重）与未加权的 Shapley 值对比：")


def drivers_text(kda, ipm: pd.DataFrame, outcome: str, lang: str = "en") -> str:
    """Section 6 (key-driver analysis / 关键驱动因素分析) in words, from a fitted
    :class:`crmlab.drivers.KeyDriverAnalysis` (with bootstrap) and its importance-performance table."""
    imp = kda.importance_
    r1, r2_ = kda.rank_[0], kda.rank_[1]
    focus = ipm.index[ipm["quadrant"] == "Concentrate here"].tolist()
    rw_rank = imp["relative_weight"].rank(ascending=False).astype(int)
    same_top = set(rw_rank.nsmallest(2).index) == {r1, r2_}
    if lang == "zh":
        return (f"**结果解读**：各驱动因素共解释了 `{outcome}` 方差的 R² = {kda.r2_:.3f}。"
                f"`{r1}`（占 R² 的 {imp.loc[r1, 'share_pct']:.1f}%，95% 置信区间 {imp.loc[r1, 'shapley_lo']:.3f}-"
                f"{imp.loc[r1, 'shapley_hi']:.3f}，R² 单位）和 `{r2_}`（{imp.loc[r2_, 'share_pct']:.1f}%）居前；"
                f"在 {100 * imp.loc[r1, 'p_top_rank']:.0f}% 的 bootstrap 重抽样中 `{r1}` 排名第一。"
                f"相对权重法{'给出相同的前两名' if same_top else '对前几名驱动因素的排序不同'}。"
                + (f"重点改进对象（重要性高、评分低于平均）：{_zh_list(focus)}。" if focus
                   else "没有哪个驱动因素既重要、评分又低于平均。")
                + kda.collinearity_text(lang))
    return (f"**What the numbers say.** The drivers explain R² = {kda.r2_:.3f} of the variance of `{outcome}`. "
            f"`{r1}` ({imp.loc[r1, 'share_pct']:.1f}% of R², 95% CI {imp.loc[r1, 'shapley_lo']:.3f}-"
            f"{imp.loc[r1, 'shapley_hi']:.3f} in R² units) and `{r2_}` ({imp.loc[r2_, 'share_pct']:.1f}%) lead; "
            f"`{r1}` ranks first in {100 * imp.loc[r1, 'p_top_rank']:.0f}% of bootstrap resamples. "
            f"Relative weights {'give the same top two' if same_top else 'order the top drivers differently'}. "
            + (f"Improvement candidates (high importance, below-average rating): {', '.join(focus)}. " if focus
               else "No driver is both important and below-average rated. ")
            + kda.collinearity_text(lang))


def scale_usage_text(summ: dict, sens: pd.DataFrame, outcome: str, lang: str = "en") -> str:
    """Section 7 (scale-usage heterogeneity / 量表使用异质性) in words, from
    :func:`crmlab.scale_usage.scale_usage_sensitivity`."""
    moved = sens.index[sens["rank_change"].abs() >= 2].tolist()
    lost = 100 * (1 - summ["r2_within"] / summ["r2_raw"])
    if lang == "zh":
        return (f"**结果解读**：受访者对各驱动因素的平均评分与 `{outcome}` 的相关系数为 "
                f"{summ['corr_scale_mean_outcome']:.2f}；驱动因素之间的平均相关系数在原始评分上为 "
                f"{summ['mean_item_corr_raw']:.2f}，标准化后为 {summ['mean_item_corr_within']:.2f}；"
                f"R² 从 {summ['r2_raw']:.3f} 降至 {summ['r2_within']:.3f}：被解释方差中有 {lost:.0f}% "
                "来自受访者使用量表的方式，而不是他们给哪个属性打了高分。"
                f"原始评分下的前三位驱动因素：{_zh_list(summ['rank_raw'][:3])}；"
                f"受访者内标准化后：{_zh_list(summ['rank_within'][:3])}。"
                + (f"排名变动两位或以上的驱动因素：{_zh_list(moved)}。" if moved else "排名保持稳定。")
                + f"{summ['rows_not_standardisable']} 名受访者（答案几乎不变）无法标准化。"
                "标准化也会去除满意度的真实整体差异，因此它是敏感性检验而不是校正："
                "在两种口径下都居前的驱动因素才是稳健的结论。")
    return (f"**What the numbers say.** A respondent's mean driver rating correlates "
            f"{summ['corr_scale_mean_outcome']:.2f} with `{outcome}`; the average correlation between drivers is "
            f"{summ['mean_item_corr_raw']:.2f} on raw answers and {summ['mean_item_corr_within']:.2f} after "
            f"standardisation, and R² falls from {summ['r2_raw']:.3f} to {summ['r2_within']:.3f}: "
            f"{lost:.0f}% of the explained variance rode on how respondents "
            f"use the scale rather than on which attribute they rate high. "
            f"Top drivers raw: {', '.join(summ['rank_raw'][:3])}; "
            f"within respondent: {', '.join(summ['rank_within'][:3])}. "
            + (f"Drivers whose rank moves by two places or more: {', '.join(moved)}. " if moved
               else "Ranks are stable. ")
            + f"{summ['rows_not_standardisable']} respondents (near-constant answers) could not be standardised. "
            "Standardisation also removes genuine overall differences in satisfaction, so it is a sensitivity "
            "check, not a correction: drivers that stay on top under both readings are the robust findings.")
