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
from crmlab.report.i18n import pick, translate_columns
from crmlab.report import fmt_ci, fmt_num, fmt_p, format_table

__all__ = ["COLUMNS", "VALUES", "QUADRANTS", "term", "quadrant", "show", "pct", "p_text", "interval",
           "display_table", "data_line", "hygiene_text",
           "descriptives_text", "nps_text", "no_nps_text", "ordinal_text", "raking_text",
           "weighted_nps_text", "weights_text", "no_weights_text", "sampled_text", "weighted_drivers_intro", "weighted_drivers_text",
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
    # display-only columns (an estimate with its 95% interval, see display_table)
    "score [95% CI]": "净推荐值 NPS [95% 置信区间]", "odds_ratio [95% CI]": "优势比 [95% 置信区间]",
    "ols_coef [95% CI]": "OLS 系数 [95% 置信区间]", "shapley [95% CI]": "Shapley 值 [95% 置信区间]",
    "relative_weight [95% CI]": "相对权重 [95% 置信区间]", "rank [95% CI]": "排名 [95% 置信区间]",
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


def pct(share, digits: int = 1) -> str:
    """A share (0-1) as a percentage with ``digits`` decimals; tiny non-zero shares as ``< 0.1%``.

    >>> pct(0.1453), pct(0.0004), pct(0.0), pct(1.0)
    ('14.5%', '< 0.1%', '0.0%', '100.0%')
    """
    if share is None or (isinstance(share, float) and np.isnan(share)):
        return "-"
    x = 100 * float(share)
    floor = 10.0 ** -digits
    if 0 < abs(x) < floor / 2:
        return f"< {floor:.{digits}f}%" if x > 0 else f"> -{floor:.{digits}f}%"
    return f"{x:.{digits}f}%"


def p_text(p) -> str:
    """A p-value for a sentence: ``p < 0.001`` or ``p = 0.023`` (:func:`crmlab.report.fmt_p`)."""
    s = fmt_p(p)
    return f"p {s}" if s.startswith("<") else f"p = {s}"


def interval(estimate, low, high) -> str:
    """An estimate with its interval, ``0.42 [0.31, 0.53]``; whole numbers (ranks) as ``3 [2, 4]``."""
    vals = [estimate, low, high]
    if all(v is not None and np.isfinite(float(v)) and float(v).is_integer() for v in vals):
        return f"{int(estimate):,} [{int(low):,}, {int(high):,}]"
    return fmt_ci(estimate, low, high)


def display_table(df: pd.DataFrame, lang: str = "en", *, intervals=(), p_columns=(), percent=(),
                  columns=None, sig: int = 3) -> pd.DataFrame:
    """A readable display copy of ``df`` in ``lang`` (never saved).

    ``intervals``: ``(column, low, high)`` triples; the column becomes ``"<column> [95% CI]"`` with
    :func:`interval` strings and ``low``/``high`` are dropped. ``p_columns`` go through
    :func:`crmlab.report.fmt_p`, ``percent`` columns (shares 0-1) through :func:`pct`; ``columns``
    picks and orders the columns shown (by their stable names, after the intervals are made).
    Other numbers get ``sig`` significant digits; names are translated by :func:`show`.
    """
    if isinstance(df, pd.Series):
        df = df.to_frame()
    out = df.copy()
    for col, lo, hi in intervals:
        out[col] = [interval(e, a, b) for e, a, b in zip(df[col], df[lo], df[hi])]
        out = out.drop(columns=[lo, hi]).rename(columns={col: f"{col} [95% CI]"})
    for col in percent:
        out[col] = out[col].map(pct)
    if columns is not None:
        out = out[list(columns)]
    return show(format_table(out, sig=sig, p_columns=tuple(p_columns)), lang)


def _count(x) -> str:
    """An effective number of people (a float): whole people, with thousands separators."""
    return fmt_num(x, 2) if abs(x) < 10 else f"{round(float(x)):,}"


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
    share = fmt_num(100 * rows_used / rows_in if rows_in else 0.0)
    if lang == "zh":
        parts = [f"{v} 行因{VALUES.get(k, k)}被排除" for k, v in excluded_by_reason.items() if v]
        return (f"**结果解读**：共读入 {rows_in:,} 行，使用 {rows_used:,} 行（{share}%）。"
                + ("；".join(parts) + "。" if parts else "没有行被排除。")
                + (f"已反向计分的题项：{_zh_list(reverse_items)}。" if reverse_items else "")
                + "直线作答者（对所有题项给出相同答案）不能说明哪个属性更重要，还会抬高所有相关系数；"
                  "以下所有模型都不包括他们。")
    parts = [f"{v} excluded as {_REASONS_EN.get(k, k.replace('_', ' '))}" for k, v in excluded_by_reason.items() if v]
    return (f"**What the numbers say.** {rows_in:,} rows in, {rows_used:,} used ({share}%). "
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
    mean_y, top2 = fmt_num(tb.loc[outcome, "mean"]), pct(tb.loc[outcome, "top2box"])
    r_lo, r_hi, r_mean = (fmt_num(x, 2) for x in (off.min(), off.max(), off.mean()))
    if lang == "zh":
        return (f"**结果解读**：`{outcome}` 的均值为 {mean_y}"
                f"（{scale_min}-{scale_max} 量表），{top2} 的受访者给出高分两档"
                f"（top-2-box）答案。评分最高的属性：`{hi}`（{fmt_num(m.max())}）；最低：`{lo}`（{fmt_num(m.min())}）。"
                f"各属性之间的相关系数在 {r_lo} 到 {r_hi} 之间（均值 {r_mean}）："
                "区分它们各自的作用，正是第 4 节和第 6 节的任务。")
    return (f"**What the numbers say.** Mean `{outcome}` is {mean_y} on the "
            f"{scale_min}-{scale_max} scale; {top2} give a top-2-box answer. "
            f"Highest-rated attribute: `{hi}` ({fmt_num(m.max())}); lowest: `{lo}` ({fmt_num(m.min())}). "
            f"The attributes correlate {r_lo} to {r_hi} with one another (mean {r_mean}): "
            "separating their effects is the job of sections 4 and 6.")


def nps_text(res, lang: str = "en") -> str:
    """Section 3: the Net Promoter Score with its interval (``res`` is :class:`crmlab.survey.NPSResult`)."""
    est = fmt_ci(res.score, res.ci_low, res.ci_high)
    prom, det = fmt_num(res.promoters), fmt_num(res.detractors)
    side = "more" if res.ci_low > 0 else "fewer" if res.ci_high < 0 else "unclear"
    if lang == "zh":
        meaning = {"more": "整个区间都在 0 以上：推荐者多于贬损者，这一点超出了抽样误差。",
                   "fewer": "整个区间都在 0 以下：贬损者多于推荐者，这一点超出了抽样误差。",
                   "unclear": "区间包含 0：这个样本无法判断推荐者与贬损者哪一方更多。"}[side]
        return (f"**净推荐值 NPS = {est}**（95% 置信区间；推荐者 {prom}%，贬损者 {det}%，n = {res.n:,}）。"
                + meaning)
    meaning = {"more": "The whole interval is above 0: promoters outnumber detractors beyond sampling error.",
               "fewer": "The whole interval is below 0: detractors outnumber promoters beyond sampling error.",
               "unclear": "The interval includes 0: this sample cannot tell whether promoters or detractors "
                          "are more numerous."}[side]
    return (f"**NPS = {est}** (95% CI; {prom}% promoters, {det}% detractors, n = {res.n:,}). " + meaning)


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
    p75, p25 = pct(probs.iloc[2, -1]), pct(probs.iloc[0, -1])
    or_ = fmt_ci(or_, cmp.loc[top, "or_lo"], cmp.loc[top, "or_hi"]) if {"or_lo", "or_hi"} <= set(cmp) else fmt_num(or_)
    de, ols = fmt_num(de, 2), fmt_num(ols, 2)
    p = f"，{p_text(cmp.loc[top, 'ordinal_p'])}" if "ordinal_p" in cmp else ""
    p_en = f", {p_text(cmp.loc[top, 'ordinal_p'])}" if "ordinal_p" in cmp else ""
    agree_pct, rank_corr = f"{100 * agree:.0f}%", fmt_num(rank_corr, 2)
    if lang == "zh":
        return (f"**结果解读**：有序 logistic 回归中效应最强的是 `{top}`：该项每提高一个量表分，"
                f"`{outcome}` 给出更高评分的优势（odds）乘以 {or_}（优势比{p}），期望评分平均提高 {de} 分"
                f"（OLS：{ols}）。{agree_pct} 的驱动因素在两个模型中符号一致，两者对系数的排序也相近"
                f"（Spearman 相关 {rank_corr}），因此熟悉的 OLS 解读在这里仍然成立；有序模型还给出了 OLS "
                f"无法给出的信息：每个评分等级的概率。所有驱动因素取第 75 百分位时，给出最高评分（{top_level:g}）"
                f"的概率为 {p75}，取第 25 百分位时为 {p25}。")
    return (f"**What the numbers say.** The strongest ordinal effect is `{top}`: one more scale point multiplies the "
            f"odds of a higher `{outcome}` answer by {or_} (odds ratio{p_en}) and raises the expected "
            f"answer by {de} points on average (OLS: {ols}). "
            f"Signs agree for {agree_pct} of the drivers and the two models rank the coefficients alike "
            f"(Spearman {rank_corr}), so the familiar OLS reading survives here; the ordinal model adds what OLS "
            f"cannot give: the probability of each answer. With every driver at its 75th percentile the chance of a "
            f"top answer ({top_level:g}) is {p75}, against {p25} at the 25th.")


def raking_text(rk, lang: str = "en") -> str:
    """Section 5: one line on the raking run (``rk`` is :class:`crmlab.weighting.RakingResult`)."""
    d = rk.diagnostics
    if lang == "zh":
        return (f"**迭代比例拟合（raking）**：{'已收敛' if rk.converged else '未收敛'}（{rk.iterations} 次迭代）；"
                f"设计效应 {fmt_num(d.deff)}，有效样本量 {_count(d.n_eff)}（共 {d.n:,} 人）；"
                f"{rk.trimmed} 个权重被截尾。")
    done = "converged" if rk.converged else "did not converge"
    return (f"**Raking**: {done} in {rk.iterations} iterations; design effect {fmt_num(d.deff)}, "
            f"effective n {_count(d.n_eff)} of {d.n:,}; {rk.trimmed} weights trimmed.")


def weighted_nps_text(nps_w, nps_u, lang: str = "en") -> str:
    if lang == "zh":
        return (f"加权净推荐值 NPS {fmt_ci(nps_w.score, nps_w.ci_low, nps_w.ci_high)}（95% 置信区间），"
                f"未加权为 {fmt_ci(nps_u.score, nps_u.ci_low, nps_u.ci_high)}。")
    return (f"Weighted NPS {fmt_ci(nps_w.score, nps_w.ci_low, nps_w.ci_high)} (95% CI) "
            f"against {fmt_ci(nps_u.score, nps_u.ci_low, nps_u.ci_high)} unweighted.")


def weights_text(deff: float, n_eff: float, wv: pd.DataFrame, lang: str = "en") -> str:
    """Section 5: the cost of weighting (design effect, effective n) and the largest shift of a mean."""
    shift = wv["shift"].abs()
    deff_s, n_eff_s, big = fmt_num(deff), _count(n_eff), fmt_num(shift.max(), 2)
    if lang == "zh":
        return (f"**结果解读**：设计效应 {deff_s}：加权样本所含的信息相当于 {n_eff_s} 名未加权受访者"
                f"（有效样本量）。均值的最大变化为 {big} 分（`{shift.idxmax()}`）。")
    return (f"**What the numbers say.** Design effect {deff_s}: the weighted sample carries the "
            f"information of {n_eff_s} unweighted respondents. The largest shift of a mean is "
            f"{big} points (`{shift.idxmax()}`).")


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
                f"不超过 ±{fmt_num(bound, 2)}（R² 单位，Hoeffding 界）；蒙特卡洛标准误最大为 {fmt_num(se, 2)}。")
    return (f"{n_drivers} drivers: Shapley shares estimated from {n_perm:,} random "
            f"orders; every share is within ±{fmt_num(bound, 2)} (R² units) of the exact value with "
            f"95% probability (Hoeffding bound); Monte-Carlo SE at most {fmt_num(se, 2)}.")


def weighted_drivers_intro(lang: str = "en") -> str:
    return pick(lang, en="Shares with survey weights (used throughout this section) beside the unweighted ones:",
                zh="加权（本节全部使用问卷权重）与未加权的 Shapley 值对比：")


def weighted_drivers_text(wu: pd.DataFrame, lang: str = "en") -> str:
    """Section 6 with weights: what weighting does to the ranking (``wu`` has ``shapley_weighted``,
    ``shapley_unweighted``, ``rank_weighted`` and ``rank_unweighted`` per driver)."""
    moved = wu.index[wu["rank_weighted"] != wu["rank_unweighted"]].tolist()
    top_w, top_u = wu["rank_weighted"].idxmin(), wu["rank_unweighted"].idxmin()
    diff = (wu["shapley_weighted"] - wu["shapley_unweighted"]).abs()
    big = fmt_num(diff.max(), 2)
    if lang == "zh":
        first = (f"加权与未加权时排名第一的都是 `{top_w}`" if top_w == top_u
                 else f"加权后排名第一的是 `{top_w}`，未加权时是 `{top_u}`")
        return (f"**结果解读**：{first}；"
                + (f"排名发生变化的驱动因素：{_zh_list(moved)}" if moved else "所有驱动因素的排名都不变")
                + f"；Shapley 值的最大变化为 {big}（`{diff.idxmax()}`，R² 单位）。")
    first = (f"`{top_w}` ranks first with and without weights" if top_w == top_u
             else f"`{top_w}` ranks first with weights, `{top_u}` without")
    return (f"**What the numbers say.** {first}; "
            + (f"drivers whose rank changes: {', '.join(moved)}" if moved else "no driver changes rank")
            + f"; the largest change of a Shapley share is {big} (`{diff.idxmax()}`, R² units).")


def drivers_text(kda, ipm: pd.DataFrame, outcome: str, lang: str = "en") -> str:
    """Section 6 (key-driver analysis / 关键驱动因素分析) in words, from a fitted
    :class:`crmlab.drivers.KeyDriverAnalysis` (with bootstrap) and its importance-performance table."""
    imp = kda.importance_
    r1, r2_ = kda.rank_[0], kda.rank_[1]
    focus = ipm.index[ipm["quadrant"] == "Concentrate here"].tolist()
    rw_rank = imp["relative_weight"].rank(ascending=False).astype(int)
    same_top = set(rw_rank.nsmallest(2).index) == {r1, r2_}
    r2 = fmt_num(kda.r2_)
    share1, share2 = fmt_num(imp.loc[r1, "share_pct"]), fmt_num(imp.loc[r2_, "share_pct"])
    ci1 = (fmt_ci(imp.loc[r1, "shapley"], imp.loc[r1, "shapley_lo"], imp.loc[r1, "shapley_hi"])
           if "shapley_lo" in imp else fmt_num(imp.loc[r1, "shapley"]))
    top_pct = f"{100 * imp.loc[r1, 'p_top_rank']:.0f}%"
    if lang == "zh":
        return (f"**结果解读**：各驱动因素共解释了 `{outcome}` 方差的 R² = {r2}。"
                f"`{r1}`（占 R² 的 {share1}%；Shapley 值 {ci1}，R² 单位，95% 置信区间）和 `{r2_}`（{share2}%）居前；"
                f"在 {top_pct} 的 bootstrap 重抽样中 `{r1}` 排名第一。"
                f"相对权重法{'给出相同的前两名' if same_top else '对前几名驱动因素的排序不同'}。"
                + (f"重点改进对象（重要性高、评分低于平均）：{_zh_list(focus)}。" if focus
                   else "没有哪个驱动因素既重要、评分又低于平均。")
                + kda.collinearity_text(lang))
    return (f"**What the numbers say.** The drivers explain R² = {r2} of the variance of `{outcome}`. "
            f"`{r1}` ({share1}% of R²; Shapley share {ci1} in R² units, 95% CI) and `{r2_}` ({share2}%) lead; "
            f"`{r1}` ranks first in {top_pct} of bootstrap resamples. "
            f"Relative weights {'give the same top two' if same_top else 'order the top drivers differently'}. "
            + (f"Improvement candidates (high importance, below-average rating): {', '.join(focus)}. " if focus
               else "No driver is both important and below-average rated. ")
            + kda.collinearity_text(lang))


def scale_usage_text(summ: dict, sens: pd.DataFrame, outcome: str, lang: str = "en") -> str:
    """Section 7 (scale-usage heterogeneity / 量表使用异质性) in words, from
    :func:`crmlab.scale_usage.scale_usage_sensitivity`."""
    moved = sens.index[sens["rank_change"].abs() >= 2].tolist()
    lost = fmt_num(100 * (1 - summ["r2_within"] / summ["r2_raw"]), 2)
    c_mean, c_raw, c_within = (fmt_num(summ[k], 2) for k in ("corr_scale_mean_outcome", "mean_item_corr_raw",
                                                               "mean_item_corr_within"))
    r2_raw, r2_within = fmt_num(summ["r2_raw"]), fmt_num(summ["r2_within"])
    if lang == "zh":
        return (f"**结果解读**：受访者对各驱动因素的平均评分与 `{outcome}` 的相关系数为 "
                f"{c_mean}；驱动因素之间的平均相关系数在原始评分上为 "
                f"{c_raw}，标准化后为 {c_within}；"
                f"R² 从 {r2_raw} 降至 {r2_within}：被解释方差中有 {lost}% "
                "来自受访者使用量表的方式，而不是他们给哪个属性打了高分。"
                f"原始评分下的前三位驱动因素：{_zh_list(summ['rank_raw'][:3])}；"
                f"受访者内标准化后：{_zh_list(summ['rank_within'][:3])}。"
                + (f"排名变动两位或以上的驱动因素：{_zh_list(moved)}。" if moved else "排名保持稳定。")
                + f"{summ['rows_not_standardisable']} 名受访者（答案几乎不变）无法标准化。"
                "标准化也会去除满意度的真实整体差异，因此它是敏感性检验而不是校正："
                "在两种口径下都居前的驱动因素才是稳健的结论。")
    return (f"**What the numbers say.** A respondent's mean driver rating correlates "
            f"{c_mean} with `{outcome}`; the average correlation between drivers is "
            f"{c_raw} on raw answers and {c_within} after "
            f"standardisation, and R² falls from {r2_raw} to {r2_within}: "
            f"{lost}% of the explained variance rode on how respondents "
            f"use the scale rather than on which attribute they rate high. "
            f"Top drivers raw: {', '.join(summ['rank_raw'][:3])}; "
            f"within respondent: {', '.join(summ['rank_within'][:3])}. "
            + (f"Drivers whose rank moves by two places or more: {', '.join(moved)}. " if moved
               else "Ranks are stable. ")
            + f"{summ['rows_not_standardisable']} respondents (near-constant answers) could not be standardised. "
            "Standardisation also removes genuine overall differences in satisfaction, so it is a sensitivity "
            "check, not a correction: drivers that stay on top under both readings are the robust findings.")
