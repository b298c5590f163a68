"""Words of the survey-regression study (study 2) in English and Simplified Chinese: the catalog
(display names of columns and values, captions, figure labels) and :func:`label`, the way an item is
named for a reader (its codebook label, never its code). Readable display copies of the tables are in
:mod:`.tables`, sentences written from the numbers in :mod:`.sentences`, the narrative sections in
``narrative.yaml``.

Terms follow the field's usage: 问卷调查, 回归分析, 顾客满意度, 总体满意度, 关键驱动因素分析,
相对重要性, Shapley 值分解, 有序 logistic 回归, 优势比, 阈值, 稳健标准误, 净推荐值 NPS
(推荐者/被动者/贬损者), 加权, 迭代比例拟合 (raking), 设计效应, 有效样本量, 多重共线性 (VIF, 条件数),
重要性-绩效分析, 量表使用异质性, 直线作答, 作答过快, 重复作答模式, 数据清洗, 标记. Saved tables and
``results.json`` keep their stable English names; only what the reader sees is translated.
"""
from __future__ import annotations

from pathlib import Path

from crmlab.report.i18n import Catalog, pick
from crmlab.studies.common import hygiene
from crmlab.studies.common.words import join, label, name  # noqa: F401 - name: the study's API (tables, plots)

#: display names of columns and values in both languages
TERMS: dict[str, dict[str, str]] = {
    # the hygiene's terms, the results without the flagged respondents' and the variables appendix's columns
    **hygiene.TERMS,
    # descriptives
    "top2box": {"en": "top-2-box", "zh": "高分两档占比"},
    "bottom2box": {"en": "bottom-2-box", "zh": "低分两档占比"},
    "mean_0_100": {"en": "mean (0-100)", "zh": "均值（换算为 0-100）"},
    # Net Promoter Score
    "promoters": {"en": "promoters (%)", "zh": "推荐者 (%)"}, "passives": {"en": "passives (%)", "zh": "被动者 (%)"},
    "detractors": {"en": "detractors (%)", "zh": "贬损者 (%)"},
    "score": {"en": "NPS", "zh": "净推荐值 NPS"}, "all": {"en": "all", "zh": "全部"},
    "score [CI]": {"en": "NPS [95% CI]", "zh": "净推荐值 NPS [95% 置信区间]"},
    # ordinal logit vs OLS
    "driver": {"en": "driver", "zh": "驱动因素"},
    "ordinal_coef": {"en": "ordinal logit coefficient", "zh": "有序 logistic 系数"},
    "odds_ratio": {"en": "odds ratio", "zh": "优势比"},
    "ordinal_p": {"en": "ordinal logit p", "zh": "有序 logistic p 值"}, "ols_coef": {"en": "OLS coefficient", "zh": "OLS 系数"},
    "ols_p_hc3": {"en": "OLS p (HC3)", "zh": "OLS p 值（HC3 稳健标准误）"},
    "ordinal_d_expected": {"en": "change of the expected answer (ordinal)", "zh": "期望得分变化（有序模型）"},
    "odds_ratio [CI]": {"en": "odds ratio [95% CI]", "zh": "优势比 [95% 置信区间]"},
    "ols_coef [CI]": {"en": "OLS coefficient [95% CI]", "zh": "OLS 系数 [95% 置信区间]"},
    "threshold": {"en": "threshold", "zh": "阈值"}, "profile": {"en": "profile", "zh": "驱动因素组合"},
    "const": {"en": "intercept", "zh": "常数项"},
    # default driver profiles of the ordinal model (steps.driver_profiles)
    "all drivers at 25th pct": {"en": "every driver at its 25th percentile", "zh": "所有驱动因素取第 25 百分位"},
    "all at median": {"en": "every driver at its median", "zh": "所有驱动因素取中位数"},
    "all at 75th pct": {"en": "every driver at its 75th percentile", "zh": "所有驱动因素取第 75 百分位"},
    # weights
    "sample_share": {"en": "sample share", "zh": "样本占比"},
    "target_share": {"en": "target share", "zh": "总体目标占比"},
    "weighted_share": {"en": "weighted share", "zh": "加权后占比"}, "unweighted": {"en": "unweighted", "zh": "未加权"},
    "weighted": {"en": "weighted", "zh": "加权"}, "shift": {"en": "shift", "zh": "变化"},
    "ols_unweighted": {"en": "OLS coefficient, unweighted", "zh": "OLS 系数（未加权）"},
    "ols_weighted": {"en": "OLS coefficient, weighted", "zh": "OLS 系数（加权）"},
    # key drivers
    "shapley": {"en": "Shapley share (R² units)", "zh": "Shapley 值"},
    "share_pct": {"en": "share of R² (%)", "zh": "占 R² 比例 (%)"},
    "relative_weight": {"en": "relative weight", "zh": "相对权重"},
    "p_top_rank": {"en": "ranks first in", "zh": "排名第一的概率"}, "vif": {"en": "VIF", "zh": "VIF"},
    "shapley [CI]": {"en": "Shapley share [95% CI]", "zh": "Shapley 值 [95% 置信区间]"},
    "relative_weight [CI]": {"en": "relative weight [95% CI]", "zh": "相对权重 [95% 置信区间]"},
    "rank [CI]": {"en": "rank [95% CI]", "zh": "排名 [95% 置信区间]"},
    "shapley_weighted": {"en": "Shapley share, weighted", "zh": "Shapley 值（加权）"},
    "shapley_unweighted": {"en": "Shapley share, unweighted", "zh": "Shapley 值（未加权）"},
    "rank_weighted": {"en": "rank, weighted", "zh": "排名（加权）"},
    "rank_unweighted": {"en": "rank, unweighted", "zh": "排名（未加权）"},
    "importance": {"en": "importance (% of R²)", "zh": "重要性（占 R² 的百分比）"},
    "performance": {"en": "performance (0-100)", "zh": "绩效（0-100）"}, "quadrant": {"en": "quadrant", "zh": "象限"},
    # importance-performance quadrants (Martilla & James 1977; crmlab.drivers.QUADRANTS)
    "Concentrate here": {"en": "Concentrate here", "zh": "重点改进"},
    "Keep up the good work": {"en": "Keep up the good work", "zh": "继续保持"},
    "Low priority": {"en": "Low priority", "zh": "低优先级"}, "Possible overkill": {"en": "Possible overkill", "zh": "过度投入"},
    # scale usage
    "share_pct_raw": {"en": "share of R² (%), raw answers", "zh": "占 R² 比例 (%)，原始评分"},
    "rank_raw": {"en": "rank, raw answers", "zh": "排名，原始评分"},
    "share_pct_within": {"en": "share of R² (%), within respondent", "zh": "占 R² 比例 (%)，受访者内标准化"},
    "rank_within": {"en": "rank, within respondent", "zh": "排名，受访者内标准化"},
    "rank_change": {"en": "rank change", "zh": "排名变化"},
    # results with and without the flagged respondents (steps.without_flagged; its other terms are shared)
    "r2": {"en": "R² explained by the drivers", "zh": "驱动因素解释的 R²"},
    "ols_r2": {"en": "OLS R²", "zh": "OLS 的 R²"},
    "outcome_mean": {"en": "mean of the outcome", "zh": "结果变量均值"},
    "outcome_top2box": {"en": "top-2-box of the outcome", "zh": "结果变量的高分两档占比"},
    # the variables appendix (steps.variables_table; its other columns and scale sources are shared)
    "outcome": {"en": "outcome", "zh": "结果变量"}, "nps_item": {"en": "recommendation (NPS)", "zh": "推荐意愿（NPS）"},
    "scale_min/scale_max": {"en": "parameters scale_min/scale_max", "zh": "参数 scale_min/scale_max"},
    "nps_scale": {"en": "NPS (0-10)", "zh": "NPS（0-10）"},
}

#: captions (keyed by the saved table or figure) and figure labels; {outcome} and {segment} are names
TEXTS: dict[str, dict[str, str]] = {
    **hygiene.TEXTS,   # hygiene_summary
    "item_distributions": {
        "en": "Share of answers at each point of the item's scale; answers in the lower half of the scale to the "
              "left of zero.",
        "zh": "各题项在其量表每个分值上的作答比例；量表下半部分的答案位于零的左侧。"},
    "item_correlations": {
        "en": "Pearson correlations between the outcome {outcome} and the drivers.",
        "zh": "结果变量{outcome}与各驱动因素之间的 Pearson 相关系数。"},
    "top_box": {
        "en": "Mean answer per item, its position on the item's scale (0 = lowest, 100 = highest point), and the "
              "shares of answers in the two highest (top-2-box) and two lowest (bottom-2-box) points.",
        "zh": "各题项的平均得分、均值在该题量表上的位置（0 = 最低分，100 = 最高分），以及量表最高两档（高分两档）"
              "和最低两档（低分两档）答案的占比。"},
    "nps_by_segment": {
        "en": "Net Promoter Score by {segment}, with 95% intervals; promoters, passives and "
              "detractors in % of the segment.",
        "zh": "按{segment}划分的净推荐值 NPS 及其 95% 置信区间；推荐者、被动者、贬损者为占该群体的百分比。"},
    "ordinal_vs_ols": {
        "en": "Effect of one scale point of each driver on {outcome}: ordinal logit (coefficient, odds "
              "ratio with 95% interval) beside OLS with HC3 robust standard errors.",
        "zh": "各驱动因素每提高一个量表分对{outcome}的效应：有序 logistic 回归（系数、优势比及其 95% 置信区间）"
              "与采用 HC3 稳健标准误的 OLS 回归对照。"},
    "ordinal_thresholds": {
        "en": "Thresholds θ_k of the ordinal model (log-odds scale) between adjacent answers.",
        "zh": "有序模型在相邻评分之间的阈值 θ_k（对数优势尺度）。"},
    "ordinal_profile_probabilities": {
        "en": "Predicted probability of each answer to {outcome} for driver profiles (rows sum to 100%).",
        "zh": "各驱动因素组合下{outcome}每个评分的预测概率（每行合计 100%）。"},
    "raking_margins": {
        "en": "Sample, target and weighted shares of each raking variable.",
        "zh": "各加权变量取值的样本占比、总体目标占比与加权后占比。"},
    "weighted_means": {
        "en": "Mean answer per item, unweighted and weighted, and the shift weighting makes.",
        "zh": "各题项未加权与加权的平均得分，以及加权带来的变化。"},
    "weighted_ols": {
        "en": "OLS coefficients of the drivers of {outcome}, unweighted and weighted.",
        "zh": "{outcome}各驱动因素的 OLS 系数：未加权与加权。"},
    # {intervals} and {details}: bootstrap_words()
    "driver_shares": {
        "en": "Shapley share of R² per driver of {outcome}{intervals}.",
        "zh": "{outcome}各驱动因素的 Shapley 值（对 R² 的贡献）{intervals}。"},
    "driver_importance_weighted_vs_unweighted": {
        "en": "Shapley shares and ranks of the drivers with and without survey weights.",
        "zh": "加权与未加权时各驱动因素的 Shapley 值与排名。"},
    "driver_importance": {
        "en": "Importance of each driver of {outcome}: Shapley share of R² and relative weight{details} and VIF.",
        "zh": "{outcome}各驱动因素的重要性：Shapley 值（对 R² 的贡献）与相对权重{details}以及 VIF。"},
    "importance_performance": {
        "en": "Importance (share of R², %) against performance (mean rating on the driver's scale, 0-100); "
              "the lines at the averages split the four quadrants.",
        "zh": "各驱动因素的重要性（占 R² 的百分比）与绩效（在该题量表上的平均评分，换算为 0-100）；"
              "平均值处的两条线划分出四个象限。"},
    "scale_usage_sensitivity": {
        "en": "Share of R² (%) and rank of each driver on raw answers and after standardising within "
              "respondent; rank change = raw rank minus standardised rank.",
        "zh": "各驱动因素在原始评分与受访者内标准化后占 R² 的比例 (%) 与排名；排名变化 = 原始排名减去标准化后排名。"},
    "without_flagged": {
        "en": "Headline results with all respondents used and without the {n} flagged ones.",
        "zh": "使用全部受访者与去掉 {n} 名被标记受访者时的主要结果。"},
    "variables": {
        "en": "The columns this study used: code in the data, label, role, answer scale and where it comes from.",
        "zh": "本研究使用的列：数据中的代码、名称、角色、量表及其来源。"},
    # figure labels (plots.py)
    "fig_diverging_title": {"en": "Distribution of answers per item", "zh": "各题项的作答分布"},
    "fig_diverging_xlabel": {"en": "% of answers (left: lower half of the scale, right: upper half)",
                             "zh": "作答比例（%；左：量表下半部分，右：上半部分）"},
    "fig_diverging_low": {"en": "lowest point", "zh": "最低分"},
    "fig_diverging_high": {"en": "highest point", "zh": "最高分"},
    "fig_correlation_title": {"en": "Item correlations", "zh": "题项间的相关系数"},
    "fig_shares_title": {"en": "Key drivers of {outcome}", "zh": "{outcome}的关键驱动因素"},
    "fig_shares_xlabel": {"en": "Shapley share of R² (R² = {r2})", "zh": "Shapley 值：对 R² 的贡献（R² = {r2}）"},
    "fig_ipm_title": {"en": "Importance-performance map", "zh": "重要性-绩效分析图"},
    "fig_ipm_xlabel": {"en": "performance (mean rating on the driver's scale, 0-100)", "zh": "绩效（平均评分，换算为 0-100）"},
    "fig_ipm_ylabel": {"en": "importance (% of R²)", "zh": "重要性（占 R² 的百分比）"},
}

CATALOG = Catalog("survey_regression", terms=TERMS, texts=TEXTS,
                  narrative=Path(__file__).with_name("narrative.yaml"))


# name(code) and label(code), imported above: an item's name for a reader, plain (figures and table cells) and
# inside a sentence or caption (“label”, escaped): its codebook label in the report's language, else the column.


def labels(codes) -> str:
    """Several names for a sentence: “a”, “b” and “c” / “a”、“b”和“c”."""
    return join(label(c) for c in codes)


def bootstrap_words(kda) -> dict[str, str]:
    """The caption pieces that depend on whether the key-driver analysis has bootstrap intervals:
    ``intervals`` (caption ``driver_shares``) and ``details`` (caption ``driver_importance``)."""
    if "shapley_ci_low" in kda.importance_:
        return {"intervals": pick(en=" with 95% bootstrap intervals", zh="及其 95% bootstrap 置信区间"),
                "details": pick(en=" with 95% bootstrap intervals, rank with its 95% interval, share of resamples "
                                   "where the driver ranks first,",
                                zh="及其 95% bootstrap 置信区间、排名及其 95% 区间、在重抽样中排名第一的比例")}
    return {"intervals": "", "details": pick(en=", rank,", zh="、排名")}
