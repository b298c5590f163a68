"""Words of the survey-regression study (study 2) in English and Simplified Chinese: the catalog
(display names of columns and values, captions, figure labels) and the readable display copies of
its tables. Sentences written from the numbers are in :mod:`.sentences`; the narrative sections in
``narrative.yaml``.

Terms follow the field's usage: 问卷调查, 回归分析, 顾客满意度, 总体满意度, 关键驱动因素分析,
相对重要性, Shapley 值分解, 有序 logistic 回归, 优势比, 阈值, 稳健标准误, 净推荐值 NPS
(推荐者/被动者/贬损者), 加权, 迭代比例拟合 (raking), 设计效应, 有效样本量, 多重共线性 (VIF, 条件数),
重要性-绩效分析, 量表使用异质性, 直线作答, 数据清洗. Saved tables and ``results.json`` keep their
stable English names; only what the reader sees is translated.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from crmlab.report.i18n import Catalog, pick
from crmlab.report.narrative import readable

#: display names of columns and values (English shows the stable name unless "en" is given)
TERMS: dict[str, dict[str, str]] = {
    # hygiene: columns, exclusion reasons (crmlab.survey.REASONS) and the kept rows
    "reason": {"zh": "排除原因"}, "example_rows": {"zh": "示例行号"},
    "non_numeric": {"zh": "非数值作答"}, "out_of_range": {"zh": "超出量表范围"}, "missing": {"zh": "缺失作答"},
    "straight_liner": {"zh": "直线作答"}, "speeder": {"zh": "作答过快"}, "duplicate": {"zh": "重复受访者"},
    "kept": {"zh": "保留"},
    # descriptives
    "item": {"zh": "题项"}, "top2box": {"zh": "高分两档占比 (Top-2-box)"},
    "bottom2box": {"zh": "低分两档占比 (Bottom-2-box)"},
    # Net Promoter Score
    "promoters": {"zh": "推荐者 (%)"}, "passives": {"zh": "被动者 (%)"}, "detractors": {"zh": "贬损者 (%)"},
    "score": {"zh": "净推荐值 NPS"}, "all": {"zh": "全部"},
    "score [CI]": {"en": "score [95% CI]", "zh": "净推荐值 NPS [95% 置信区间]"},
    # ordinal logit vs OLS
    "driver": {"zh": "驱动因素"}, "ordinal_coef": {"zh": "有序 logistic 系数"}, "odds_ratio": {"zh": "优势比"},
    "ordinal_p": {"zh": "有序 logistic p 值"}, "ols_coef": {"zh": "OLS 系数"},
    "ols_p_hc3": {"zh": "OLS p 值（HC3 稳健标准误）"}, "ordinal_d_expected": {"zh": "期望得分变化（有序模型）"},
    "odds_ratio [CI]": {"en": "odds_ratio [95% CI]", "zh": "优势比 [95% 置信区间]"},
    "ols_coef [CI]": {"en": "ols_coef [95% CI]", "zh": "OLS 系数 [95% 置信区间]"},
    "threshold": {"zh": "阈值"}, "profile": {"zh": "驱动因素组合"}, "const": {"zh": "常数项"},
    # default driver profiles of the ordinal model (steps.driver_profiles)
    "all drivers at 25th pct": {"zh": "所有驱动因素取第 25 百分位"}, "all at median": {"zh": "所有驱动因素取中位数"},
    "all at 75th pct": {"zh": "所有驱动因素取第 75 百分位"},
    # weights
    "variable": {"zh": "变量"}, "sample_share": {"zh": "样本占比"}, "target_share": {"zh": "总体目标占比"},
    "weighted_share": {"zh": "加权后占比"}, "unweighted": {"zh": "未加权"}, "weighted": {"zh": "加权"},
    "shift": {"zh": "变化"}, "ols_unweighted": {"zh": "OLS 系数（未加权）"}, "ols_weighted": {"zh": "OLS 系数（加权）"},
    # key drivers
    "shapley": {"zh": "Shapley 值"}, "share_pct": {"zh": "占 R² 比例 (%)"}, "relative_weight": {"zh": "相对权重"},
    "p_top_rank": {"zh": "排名第一的概率"}, "vif": {"zh": "VIF"},
    "shapley [CI]": {"en": "shapley [95% CI]", "zh": "Shapley 值 [95% 置信区间]"},
    "relative_weight [CI]": {"en": "relative_weight [95% CI]", "zh": "相对权重 [95% 置信区间]"},
    "rank [CI]": {"en": "rank [95% CI]", "zh": "排名 [95% 置信区间]"},
    "shapley_weighted": {"zh": "Shapley 值（加权）"}, "shapley_unweighted": {"zh": "Shapley 值（未加权）"},
    "rank_weighted": {"zh": "排名（加权）"}, "rank_unweighted": {"zh": "排名（未加权）"},
    "importance": {"zh": "重要性"}, "performance": {"zh": "绩效"}, "quadrant": {"zh": "象限"},
    # importance-performance quadrants (Martilla & James 1977; crmlab.drivers.QUADRANTS)
    "Concentrate here": {"zh": "重点改进"}, "Keep up the good work": {"zh": "继续保持"},
    "Low priority": {"zh": "低优先级"}, "Possible overkill": {"zh": "过度投入"},
    # scale usage
    "share_pct_raw": {"zh": "占 R² 比例 (%)，原始评分"}, "rank_raw": {"zh": "排名，原始评分"},
    "share_pct_within": {"zh": "占 R² 比例 (%)，受访者内标准化"}, "rank_within": {"zh": "排名，受访者内标准化"},
    "rank_change": {"zh": "排名变化"},
}

#: captions (keyed by the saved table or figure) and figure labels
TEXTS: dict[str, dict[str, str]] = {
    "hygiene_summary": {
        "en": "Rows excluded by each check (first failed check per row) and rows kept.",
        "zh": "各项检查排除的行数（每行按第一个未通过的检查计）与保留的行数。"},
    "item_distributions": {
        "en": "Share of answers at each scale point, per item; answers in the lower half of the "
              "{scale_min}-{scale_max} scale to the left of zero.",
        "zh": "各题项在每个量表分值上的作答比例；{scale_min}-{scale_max} 分量表下半部分的答案位于零的左侧。"},
    "item_correlations": {
        "en": "Pearson correlations between the outcome `{outcome}` and the drivers.",
        "zh": "结果变量 `{outcome}` 与各驱动因素之间的 Pearson 相关系数。"},
    "top_box": {
        "en": "Mean answer per item, and the shares of answers in the two highest (top-2-box) and two "
              "lowest (bottom-2-box) scale points.",
        "zh": "各题项的平均得分，以及量表最高两档（高分两档）和最低两档（低分两档）答案的占比。"},
    "nps_by_segment": {
        "en": "Net Promoter Score by `{segment}`, with 95% intervals; promoters, passives and "
              "detractors in % of the segment.",
        "zh": "按 `{segment}` 划分的净推荐值 NPS 及其 95% 置信区间；推荐者、被动者、贬损者为占该群体的百分比。"},
    "ordinal_vs_ols": {
        "en": "Effect of one scale point of each driver on `{outcome}`: ordinal logit (coefficient, odds "
              "ratio with 95% interval) beside OLS with HC3 robust standard errors.",
        "zh": "各驱动因素每提高一个量表分对 `{outcome}` 的效应：有序 logistic 回归（系数、优势比及其 95% 置信区间）"
              "与采用 HC3 稳健标准误的 OLS 回归并列。"},
    "ordinal_thresholds": {
        "en": "Thresholds θ_k of the ordinal model (log-odds scale) between adjacent answers.",
        "zh": "有序模型在相邻评分之间的阈值 θ_k（对数优势尺度）。"},
    "ordinal_profile_probabilities": {
        "en": "Predicted probability of each `{outcome}` answer for driver profiles (rows sum to 100%).",
        "zh": "各驱动因素组合下 `{outcome}` 每个评分的预测概率（每行合计 100%）。"},
    "raking_margins": {
        "en": "Sample, target and weighted shares of each raking variable.",
        "zh": "各加权变量取值的样本占比、总体目标占比与加权后占比。"},
    "weighted_means": {
        "en": "Mean answer per item, unweighted and weighted, and the shift weighting makes.",
        "zh": "各题项未加权与加权的平均得分，以及加权带来的变化。"},
    "weighted_ols": {
        "en": "OLS coefficients of the drivers of `{outcome}`, unweighted and weighted.",
        "zh": "`{outcome}` 各驱动因素的 OLS 系数：未加权与加权。"},
    # {intervals} and {details}: bootstrap_words()
    "driver_shares": {
        "en": "Shapley share of R² per driver of `{outcome}`{intervals}.",
        "zh": "`{outcome}` 各驱动因素的 Shapley 值（对 R² 的贡献）{intervals}。"},
    "driver_importance_weighted_vs_unweighted": {
        "en": "Shapley shares and ranks of the drivers with and without survey weights.",
        "zh": "加权与未加权时各驱动因素的 Shapley 值与排名。"},
    "driver_importance": {
        "en": "Importance of each driver of `{outcome}`: Shapley share of R² and relative weight{details} and VIF.",
        "zh": "`{outcome}` 各驱动因素的重要性：Shapley 值（对 R² 的贡献）与相对权重{details}以及 VIF。"},
    "importance_performance": {
        "en": "Importance (share of R², %) against performance (mean rating, % of the scale) per driver; "
              "the lines at the averages split the four quadrants.",
        "zh": "各驱动因素的重要性（占 R² 的百分比）与绩效（平均评分，占量表的百分比）；"
              "平均值处的两条线划分出四个象限。"},
    "scale_usage_sensitivity": {
        "en": "Share of R² (%) and rank of each driver on raw answers and after standardising within "
              "respondent; rank change = raw rank minus standardised rank.",
        "zh": "各驱动因素在原始评分与受访者内标准化后占 R² 的比例 (%) 与排名；排名变化 = 原始排名减去标准化后排名。"},
    # figure labels (plots.py)
    "fig_diverging_title": {"en": "Distribution of answers per item", "zh": "各题项的作答分布"},
    "fig_diverging_xlabel": {"en": "% of answers (left: lower half of the scale, right: upper half)",
                             "zh": "作答比例（%；左：量表下半部分，右：上半部分）"},
    "fig_correlation_title": {"en": "Item correlations", "zh": "题项间的相关系数"},
    "fig_shares_title": {"en": "Key drivers of {outcome}", "zh": "{outcome} 的关键驱动因素"},
    "fig_shares_xlabel": {"en": "Shapley share of R² (R² = {r2})", "zh": "Shapley 值：对 R² 的贡献（R² = {r2}）"},
    "fig_ipm_title": {"en": "Importance-performance map", "zh": "重要性-绩效分析图"},
    "fig_ipm_xlabel": {"en": "performance (mean rating, 0-100)", "zh": "绩效（平均评分，换算为 0-100）"},
    "fig_ipm_ylabel": {"en": "importance (% of R²)", "zh": "重要性（占 R² 的百分比）"},
}

CATALOG = Catalog("survey_regression", terms=TERMS, texts=TEXTS,
                  narrative=Path(__file__).with_name("narrative.yaml"))


def bootstrap_words(kda) -> dict[str, str]:
    """The caption pieces that depend on whether the key-driver analysis has bootstrap intervals:
    ``intervals`` (caption ``driver_shares``) and ``details`` (caption ``driver_importance``)."""
    if "shapley_ci_low" in kda.importance_:
        return {"intervals": pick(en=" with 95% bootstrap intervals", zh="及其 95% bootstrap 置信区间"),
                "details": pick(en=" with 95% bootstrap intervals, rank with its 95% interval, share of resamples "
                                   "where the driver ranks first,",
                                zh="及其 95% bootstrap 置信区间、排名及其 95% 区间、在重抽样中排名第一的比例")}
    return {"intervals": "", "details": pick(en=", rank,", zh="、排名")}


# ---------------------------------------------------------------------------------------------
# readable display copies of the study's tables (never saved; headers and values in the current language)
# ---------------------------------------------------------------------------------------------

def plain_table(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers to 3 significant digits, names in the current language (no p-value columns)."""
    return readable(df, p_columns=(), index_words=True)


def top_box_table(tb: pd.DataFrame) -> pd.DataFrame:
    """:func:`crmlab.survey.top_box` with the box shares as percentages."""
    return readable(tb, percent=["top2box", "bottom2box"], p_columns=(), index_words=True)


def nps_segment_table(t: pd.DataFrame) -> pd.DataFrame:
    """:func:`crmlab.survey.nps_by_segment` with the score and its interval in one column."""
    return readable(t, intervals=[("score", "ci_low", "ci_high")], p_columns=(), index_words=True)


def ordinal_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """:func:`.steps.ordinal_vs_ols` ``with_intervals``: odds ratio and OLS coefficient with their intervals."""
    return readable(cmp, intervals=[("odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high"),
                                    ("ols_coef", "ols_coef_ci_low", "ols_coef_ci_high")],
                    p_columns=["ordinal_p", "ols_p_hc3"], index_words=True)


def thresholds_table(thresholds: pd.Series) -> pd.DataFrame:
    """The ordinal model's thresholds as one row."""
    return readable(thresholds.to_frame().T, p_columns=(), index_words=True)


def profile_table(probs: pd.DataFrame) -> pd.DataFrame:
    """Predicted probabilities per profile (:meth:`crmlab.survey_models.OrdinalFit.predict_proba`) as percentages."""
    shown = probs.rename(columns=lambda k: f"{k:g}")
    return readable(shown, percent=list(shown.columns), p_columns=(), index_words=True)


def margins_table(check: pd.DataFrame) -> pd.DataFrame:
    """:attr:`crmlab.weighting.RakingResult.margins_check` with the shares as percentages."""
    return readable(check, percent=["sample_share", "target_share", "weighted_share"], p_columns=())


def importance_table(imp: pd.DataFrame) -> pd.DataFrame:
    """:attr:`crmlab.drivers.KeyDriverAnalysis.importance_`: shares, ranks (with their bootstrap intervals
    when there are any), the share of resamples where a driver ranks first, and VIF."""
    if "shapley_ci_low" in imp:
        return readable(imp, intervals=[("shapley", "shapley_ci_low", "shapley_ci_high"),
                                        ("relative_weight", "relative_weight_ci_low", "relative_weight_ci_high"),
                                        ("rank", "rank_ci_low", "rank_ci_high")],
                        percent=["p_top_rank"], p_columns=(), index_words=True,
                        columns=["shapley", "share_pct", "relative_weight", "rank", "p_top_rank", "vif"])
    return readable(imp, p_columns=(), index_words=True,
                    columns=["shapley", "share_pct", "relative_weight", "rank", "vif"])
