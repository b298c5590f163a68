"""Words of the satisfaction-loyalty study (study 1) in English and Simplified Chinese: the catalog
(display names of columns and values, captions) and the labels its figures and sentences share.

Sentences written from the numbers are in :mod:`.sentences`, the readable copies of the tables in
:mod:`.tables`, the narrative sections in ``narrative.yaml``. Saved tables and ``results.json`` keep
their stable English names; only what the reader sees follows the language.
"""
from __future__ import annotations

from pathlib import Path

from crmlab.report.i18n import Catalog, pick, term

#: Display names of the study's columns and values ("en" only where English differs from the stable name).
#: Shared terms (estimate, se, ci_low, ci_high, p, n, model) come from the report glossary.
TERMS: dict[str, dict[str, str]] = {
    # measurement
    "construct": {"zh": "构念"}, "items": {"zh": "题项数"}, "alpha": {"zh": "Cronbach's α"},
    "omega": {"zh": "McDonald's ω"}, "rho_c": {"zh": "组合信度 ρc"}, "ave": {"zh": "平均方差抽取量 AVE"},
    "item": {"zh": "题项"}, "loading": {"zh": "载荷"}, "weight": {"zh": "权重"}, "communality": {"zh": "共同度"},
    "pair": {"zh": "构念对"}, "bootstrap_mean": {"en": "mean", "zh": "自助法均值"},
    # path tables
    "original": {"zh": "估计值"}, "t": {"zh": "t 值"}, "path": {"zh": "路径"}, "source": {"zh": "起点"},
    "target": {"zh": "终点"}, "std_estimate": {"zh": "标准化估计值"},
    # shape of satisfaction -> loyalty
    "params": {"zh": "参数个数"}, "rss": {"zh": "残差平方和"}, "aic": {"zh": "AIC"}, "bic": {"zh": "BIC"},
    "cv_mse": {"zh": "交叉验证均方误差"}, "cv_se": {"zh": "交叉验证标准误"}, "scores": {"zh": "得分类型"},
    # not loyal by level, typology
    "satisfaction_level": {"en": "level", "zh": "满意度等级"}, "low": {"zh": "下限"}, "high": {"zh": "上限"},
    "not_loyal": {"zh": "不忠诚人数"}, "share": {"zh": "占比"}, "kotler": {"zh": "Kotler 流失率"},
    "type": {"zh": "类型"},
    # penalty-reward contrast analysis
    "attribute": {"zh": "属性"}, "low_cut": {"zh": "低绩效分界值"}, "high_cut": {"zh": "高绩效分界值"},
    "n_low": {"zh": "低绩效人数"}, "n_high": {"zh": "高绩效人数"}, "penalty": {"zh": "罚分"},
    "reward": {"zh": "奖励"}, "se_penalty": {"zh": "罚分标准误"}, "se_reward": {"zh": "奖励标准误"},
    "p_asymmetry": {"zh": "非对称性 p 值"}, "factor": {"zh": "因素类型"},
    # mediation, multi-group
    "chain": {"zh": "中介路径"}, "direct": {"zh": "直接效应"}, "share_mediated": {"zh": "中介效应占比"},
    "group_a": {"zh": "组 A"}, "group_b": {"zh": "组 B"}, "estimate_a": {"zh": "组 A 估计值"},
    "estimate_b": {"zh": "组 B 估计值"}, "difference": {"zh": "差异"}, "p_value": {"zh": "置换检验 p 值"},
    # an estimate with its 95% interval in one column (crmlab.report.narrative.readable names it "<estimate> [CI]")
    "estimate [CI]": {"en": "estimate [95% CI]", "zh": "估计值 [95% 置信区间]"},
    "HTMT [CI]": {"en": "HTMT [95% CI]", "zh": "HTMT [95% 置信区间]"},
    "share [CI]": {"en": "share [95% CI]", "zh": "占比 [95% 置信区间]"},
    # values the study writes into its tables: typology types, Kotler levels, three-factor classes,
    # shape models, kinds of score, groups of the default data
    "apostle": {"zh": "使徒"}, "mercenary": {"zh": "雇佣兵"}, "hostage": {"zh": "人质"}, "defector": {"zh": "叛逃者"},
    "very dissatisfied": {"zh": "非常不满意"}, "somewhat dissatisfied": {"zh": "有些不满意"}, "neutral": {"zh": "中立"},
    "satisfied": {"zh": "满意"}, "highly satisfied": {"zh": "非常满意"},
    "basic": {"zh": "基本因素"}, "excitement": {"zh": "兴奋因素"}, "performance": {"zh": "绩效因素"},
    "linear": {"zh": "线性"}, "piecewise": {"zh": "分段线性（阈值）"}, "spline": {"zh": "样条"},
    "PLS scores": {"zh": "PLS 得分"}, "raw means": {"zh": "题项均值"},
    "male": {"zh": "男性"}, "female": {"zh": "女性"},
    # inner weighting schemes of PLS
    "path_scheme": {"en": "path", "zh": "路径加权"}, "centroid_scheme": {"en": "centroid", "zh": "形心加权"},
    "factorial_scheme": {"en": "factorial", "zh": "因子加权"},
}

#: Captions of the study's tables and figures (key = saved file name; figures end in ``_plot``).
TEXTS: dict[str, dict[str, str]] = {
    "measurement": {
        "en": "Reliability and convergent validity of each construct (rules of thumb: α, ω, ρc ≥ 0.70; AVE ≥ 0.50).",
        "zh": "各构念的信度与聚合效度（经验标准：α、ω、ρc ≥ 0.70；AVE ≥ 0.50）。"},
    "htmt_bootstrap": {
        "en": "HTMT of each pair of constructs with its 95% bootstrap interval (above 0.85-0.90, or an interval "
              "reaching 1: not distinct).",
        "zh": "每对构念的 HTMT 及其 95% 自助法置信区间（高于 0.85-0.90，或区间达到 1：二者无法区分）。"},
    "findings_heading": {"en": "**What the numbers say.**", "zh": "**数据说明了什么。**"},
    "pls_paths": {
        "en": "PLS path coefficients with 95% bootstrap intervals, standard errors and t values.",
        "zh": "PLS 路径系数及其 95% 自助法置信区间、标准误与 t 值。"},
    "pls_paths_plot": {
        "en": "PLS path coefficients (dots) with their 95% bootstrap intervals (lines); an interval crossing the "
              "dashed zero line means the path is not distinguishable from zero.",
        "zh": "PLS 路径系数（点）及其 95% 自助法置信区间（线）；区间跨过零虚线的路径与零无法区分。"},
    "cbsem_paths": {
        "en": "CB-SEM (ML) path estimates, standardised estimates, standard errors and p-values.",
        "zh": "CB-SEM（最大似然）路径估计值、标准化估计值、标准误与 p 值。"},
    "shape_fit": {
        "en": "Fit of the three shapes of satisfaction → loyalty on each kind of score (lower AIC, BIC and "
              "cross-validated error are better).",
        "zh": "三种满意度 → 忠诚度关系形状在各类得分上的拟合（AIC、BIC 与交叉验证误差越小越好）。"},
    "shape_fit_plot": {
        "en": "Loyalty against satisfaction with the three fitted shapes; the form chosen by cross-validation is "
              "drawn thicker.",
        "zh": "忠诚度对满意度的散点及三种拟合形状；交叉验证选出的形式以粗线表示。"},
    "not_loyal_by_level": {
        "en": "Share of respondents not loyal ({loy_item} < {loyal_min:g}) at each level of {sat_item}, with 95% "
              "Wilson intervals.",
        "zh": "{sat_item} 各等级中不忠诚（{loy_item} < {loyal_min:g}）受访者的占比，附 95% Wilson 置信区间。"},
    "not_loyal_by_level_plot": {
        "en": "Share not loyal by satisfaction level (bars) with 95% Wilson intervals and group sizes.",
        "zh": "各满意度等级的不忠诚比例（柱）、95% Wilson 置信区间与各组人数。"},
    "typology": {
        "en": "Jones & Sasser types: respondents and share (satisfied: {sat_item} ≥ {satisfied_min:g}; loyal: "
              "{loy_item} ≥ {loyal_min:g}).",
        "zh": "Jones & Sasser 顾客类型：人数与占比（满意：{sat_item} ≥ {satisfied_min:g}；"
              "忠诚：{loy_item} ≥ {loyal_min:g}）。"},
    "typology_plot": {
        "en": "Respondents by satisfaction and loyalty, coloured by type (points jittered; dashed lines are the "
              "cut-offs).",
        "zh": "按满意度与忠诚度分布的受访者，颜色表示类型（点有轻微抖动；虚线为分界值）。"},
    "penalty_reward": {
        "en": "Penalty (low performance) and reward (high performance) of each attribute on overall satisfaction, "
              "with the test of their asymmetry.",
        "zh": "各属性低绩效的罚分与高绩效的奖励对总体满意度的影响，及二者非对称性的检验。"},
    "mediation_through": {
        "en": "Indirect effects through {satisfaction} with 95% bootstrap intervals (all chains are in "
              "tables/mediation.csv).",
        "zh": "经过 {satisfaction} 的间接效应及其 95% 自助法置信区间（全部路径见 tables/mediation.csv）。"},
    "mediation_all": {"en": "Indirect effects with 95% bootstrap intervals.", "zh": "间接效应及其 95% 自助法置信区间。"},
    "multigroup": {
        "en": "Path coefficients by {group} and the permutation test of each difference.",
        "zh": "按 {group} 分组的路径系数及其差异的置换检验。"},
}

CATALOG = Catalog("satisfaction_loyalty", terms=TERMS, texts=TEXTS,
                  narrative=Path(__file__).with_name("narrative.yaml"))


def score_label(value) -> str:
    """Display name of a kind of score in the shape table: ``items sat1/loy1`` reads ``总体题项 sat1/loy1`` in Chinese."""
    if isinstance(value, str) and value.startswith("items "):
        return pick(en="items ", zh="总体题项 ") + value[len("items "):]
    return term(value)


def scheme_label(scheme: str) -> str:
    """Display name of a PLS inner weighting scheme (``path`` reads 路径加权 in Chinese)."""
    key = f"{scheme}_scheme"
    return term(key) if key in TERMS else scheme
