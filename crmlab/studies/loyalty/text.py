"""Words of the satisfaction-loyalty study (study 1) in English and Simplified Chinese: the catalog
(display names of columns and values, captions) and the way constructs, items, paths and chains are named for
a reader (:func:`name`, :func:`path_name`, :func:`chain_name`: codebook labels, never codes).

Sentences written from the numbers are in :mod:`.sentences`, :mod:`.assessment` and :mod:`.findings`, the
readable copies of the tables in :mod:`.tables`, the narrative sections in ``narrative.yaml``. Saved tables and
``results.json`` keep their stable English names and codes; only what the reader sees follows the language.

Chinese terms (one per concept, shared with study 2 where the concept is the same): 顾客满意度, 顾客忠诚度,
构念, 题项, 路径系数, 自助法, 置信区间, 决定系数 R², 数据清洗, 直线作答, 作答过快, 标记, 量表, 编码表.
"""
from __future__ import annotations

from pathlib import Path

from crmlab.report.i18n import Catalog, pick, term
from crmlab.report.narrative import md_escape
from crmlab.studies.common import hygiene
from crmlab.studies.common.words import join, label, name

#: Display names of the study's columns and values ("en" only where English differs from the stable name).
#: Shared terms (estimate, se, ci_low, ci_high, p, n, model) come from the report glossary; the survey hygiene's,
#: the results without the flagged respondents' and the variables appendix's from :mod:`crmlab.studies.common`.
TERMS: dict[str, dict[str, str]] = {
    **hygiene.TERMS,
    # measurement
    "construct": {"zh": "构念"}, "items": {"zh": "题项数"}, "alpha": {"en": "Cronbach's α", "zh": "Cronbach's α"},
    "omega": {"en": "McDonald's ω", "zh": "McDonald's ω"}, "rho_c": {"en": "ρc (composite reliability)", "zh": "组合信度 ρc"},
    "ave": {"en": "AVE", "zh": "平均方差抽取量 AVE"}, "se": {"en": "SE", "zh": "标准误"},
    "ci_low": {"en": "95% CI, low", "zh": "置信区间下限"}, "ci_high": {"en": "95% CI, high", "zh": "置信区间上限"},
    "loading": {"zh": "载荷"}, "weight": {"zh": "权重"}, "communality": {"zh": "共同度"},
    "pair": {"zh": "构念对"}, "bootstrap_mean": {"en": "mean", "zh": "自助法均值"},
    # path tables
    "original": {"en": "estimate", "zh": "估计值"}, "t": {"zh": "t 值"}, "path": {"zh": "路径"},
    "source": {"zh": "起点"}, "target": {"zh": "终点"},
    "std_estimate": {"en": "standardised estimate", "zh": "标准化估计值"},
    # shape of satisfaction -> loyalty
    "params": {"en": "number of parameters", "zh": "参数个数"}, "rss": {"en": "residual sum of squares", "zh": "残差平方和"},
    "aic": {"en": "AIC", "zh": "AIC"}, "bic": {"en": "BIC", "zh": "BIC"},
    "cv_mse": {"en": "cross-validated MSE", "zh": "交叉验证均方误差"},
    "cv_se": {"en": "SE of the cross-validated MSE", "zh": "交叉验证标准误"}, "scores": {"zh": "得分类型"},
    # not loyal by level, typology
    "satisfaction_level": {"en": "satisfaction level", "zh": "满意度等级"}, "low": {"en": "lowest answer", "zh": "下限"},
    "high": {"en": "highest answer", "zh": "上限"}, "not_loyal": {"en": "not loyal", "zh": "不忠诚人数"},
    "share": {"zh": "占比"}, "kotler": {"en": "Kotler's loss", "zh": "Kotler 流失率"},
    "type": {"zh": "类型"},
    # penalty-reward contrast analysis
    "attribute": {"zh": "属性"}, "low_cut": {"en": "low-performance cut-off", "zh": "低绩效分界值"},
    "high_cut": {"en": "high-performance cut-off", "zh": "高绩效分界值"}, "n_low": {"en": "n low", "zh": "低绩效人数"},
    "n_high": {"en": "n high", "zh": "高绩效人数"}, "penalty": {"zh": "罚分"}, "reward": {"zh": "奖励"},
    "se_penalty": {"en": "SE of the penalty", "zh": "罚分标准误"}, "se_reward": {"en": "SE of the reward", "zh": "奖励标准误"},
    "p_asymmetry": {"en": "p (asymmetry)", "zh": "非对称性 p 值"}, "factor": {"zh": "因素类型"},
    # mediation, multi-group
    "chain": {"zh": "中介路径"}, "direct": {"en": "direct effect", "zh": "直接效应"},
    "share_mediated": {"en": "share mediated", "zh": "中介效应占比"},
    "group_a": {"en": "group A", "zh": "组 A"}, "group_b": {"en": "group B", "zh": "组 B"},
    "estimate_a": {"en": "estimate, group A", "zh": "组 A 估计值"}, "estimate_b": {"en": "estimate, group B", "zh": "组 B 估计值"},
    "difference": {"zh": "差异"}, "p_value": {"en": "p (permutation)", "zh": "置换检验 p 值"},
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
    # reliability: Dijkstra-Henseler rho_A
    "rho_a": {"en": "ρA (Dijkstra-Henseler)", "zh": "Dijkstra-Henseler ρA"},
    # PLSpredict
    "q2_predict": {"en": "Q²predict", "zh": "预测 Q²（Q²predict）"},
    "pls_rmse": {"en": "PLS RMSE", "zh": "PLS 均方根误差"},
    "lm_rmse": {"en": "LM RMSE", "zh": "线性模型均方根误差"}, "pls_mae": {"en": "PLS MAE", "zh": "PLS 平均绝对误差"},
    "lm_mae": {"en": "LM MAE", "zh": "线性模型平均绝对误差"},
    # Gaussian copula
    "normality_p": {"en": "normality p (Lilliefors)", "zh": "正态性检验 p 值（Lilliefors）"},
    "copula [CI]": {"en": "copula term [95% CI]", "zh": "Copula 项 [95% 置信区间]"},
    "p_joint": {"en": "p (joint)", "zh": "p 值（联合）"}, "path_estimate": {"en": "path estimate", "zh": "路径估计值"},
    "path_with_copula": {"en": "path with copula", "zh": "加入 Copula 项后的路径"},
    # MICOM
    "groups": {"zh": "群组"}, "c": {"en": "c", "zh": "组合相关 c"},
    "c_quantile": {"en": "5% quantile of c", "zh": "c 的 5% 分位数"},
    "p_composition": {"en": "p (step 2)", "zh": "p 值（第 2 步）"},
    "mean_diff": {"en": "mean difference", "zh": "均值差"},
    "mean_range": {"en": "95% permutation range (means)", "zh": "均值差的 95% 置换区间"},
    "p_mean": {"en": "p (means)", "zh": "p 值（均值）"},
    "logvar_diff": {"en": "log-variance difference", "zh": "对数方差差"},
    "logvar_range": {"en": "95% permutation range (log variances)", "zh": "对数方差差的 95% 置换区间"},
    "p_logvar": {"en": "p (variances)", "zh": "p 值（方差）"}, "invariance": {"zh": "不变性"},
    "full": {"zh": "完全不变性"}, "partial": {"zh": "部分不变性"}, "none": {"zh": "不具备不变性"},
    "interpretable": {"zh": "可解释"},
    # IPMA
    "importance": {"zh": "重要性"}, "performance_0_100": {"en": "performance (0-100)", "zh": "绩效（0-100）"},
    "rescaled_weight": {"en": "rescaled weight", "zh": "换算后权重"},
    "negative_weight": {"en": "negative weight", "zh": "负权重"},
    # results with and without the flagged respondents (steps.without_flagged; its other terms are shared)
    "interval_all": {"en": "95% interval (all respondents)", "zh": "95% 置信区间（全部受访者）"},
    # the variables and constructs appendix (inputs.variables_table, inputs.constructs_table; the columns
    # it shares with study 2 are in crmlab.studies.common.hygiene.TERMS)
    "code": {"en": "code", "zh": "代码"},
    "model_item": {"en": "item of the model", "zh": "模型题项"},
    "satisfaction_item": {"en": "overall satisfaction item", "zh": "总体满意度题项"},
    "loyalty_item": {"en": "overall loyalty item", "zh": "总体忠诚度题项"},
    "group": {"en": "groups compared", "zh": "分组变量"}, "weights": {"en": "survey weights", "zh": "调查权重"},
    "id_column": {"en": "respondent id", "zh": "受访者编号"}, "duration_column": {"en": "completion time", "zh": "完成时间"},
    "measurement": {"en": "measurement", "zh": "测量方式"}, "reflective": {"en": "reflective", "zh": "反映型"},
    "formative": {"en": "formative", "zh": "形成型"}, "predictors": {"en": "structural predictors", "zh": "结构前因数"},
    # inner weighting schemes of PLS
    "path_scheme": {"en": "path", "zh": "路径加权"}, "centroid_scheme": {"en": "centroid", "zh": "形心加权"},
    "factorial_scheme": {"en": "factorial", "zh": "因子加权"},
}

#: Captions of the study's tables and figures (key = saved file name; figures end in ``_plot``).
TEXTS: dict[str, dict[str, str]] = {
    "measurement": {
        "en": "Reliability and convergent validity of each construct (rules of thumb: α, ω, ρc, ρA ≥ 0.70; "
              "AVE ≥ 0.50).",
        "zh": "各构念的信度与聚合效度（经验标准：α、ω、ρc、ρA ≥ 0.70；AVE ≥ 0.50）。"},
    "htmt_bootstrap": {
        "en": "HTMT of each pair of constructs with its 95% bootstrap interval (above 0.85-0.90, or an interval "
              "reaching 1: not distinct).",
        "zh": "每对构念的 HTMT 及其 95% 自助法置信区间（高于 0.85-0.90，或区间达到 1：二者无法区分）。"},
    "findings_heading": {"en": "**What the numbers say.**", "zh": "**结果解读**："},
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
        "zh": "{sat_item}各等级中不忠诚（{loy_item} < {loyal_min:g}）受访者的占比，附 95% Wilson 置信区间。"},
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
        "zh": "经过{satisfaction}的间接效应及其 95% 自助法置信区间（全部路径见 tables/mediation.csv）。"},
    "mediation_all": {"en": "Indirect effects with 95% bootstrap intervals.",
                      "zh": "间接效应及其 95% 自助法置信区间。"},
    "multigroup": {
        "en": "Path coefficients by {group}, the permutation test of each difference and whether MICOM allows "
              "interpreting it.",
        "zh": "按{group}分组的路径系数、其差异的置换检验，以及 MICOM 是否允许解释该差异。"},
    "plspredict": {
        "en": "PLSpredict: Q²predict and prediction errors (RMSE, MAE) of each endogenous indicator, PLS against the "
              "linear-model (LM) benchmark ({folds}-fold cross-validation, {repetitions} repetitions).",
        "zh": "PLSpredict：各内生题项的 Q²predict 与预测误差（RMSE、MAE），PLS 与线性模型基准对比"
              "（{folds} 折交叉验证，重复 {repetitions} 次）。"},
    "copula": {
        "en": "Gaussian-copula check of each structural path: normality pre-test of the predictor's scores, the "
              "copula term with its 95% bootstrap interval and p-value (alone and with all copula terms of the "
              "target), and the path of the same regression of the construct scores without and with the copula "
              "term (unweighted least squares on the composite scores, also under PLSc or survey weights).",
        "zh": "每条结构路径的高斯 Copula 检验：前因构念得分的正态性预检验、Copula 项及其 95% 自助法置信区间与 p 值"
              "（单独加入以及与该目标构念的全部 Copula 项一起加入），以及同一构念得分回归在加入 Copula 项前后的路径系数"
              "（对组合得分做不加权的最小二乘，PLSc 或调查权重下亦然）。"},
    "micom": {
        "en": "MICOM by {group}: step 2 (the correlation c of the composites built with each group's weights "
              "against its 5% permutation quantile) and step 3 (differences of the composites' means and log "
              "variances with their 95% permutation ranges) for each construct, and the invariance reached.",
        "zh": "按{group}分组的 MICOM：各构念的第 2 步（用两组权重构成的组合得分之相关 c 与其 5% 置换分位数比较）"
              "与第 3 步（组合得分均值差与对数方差差及其 95% 置换区间），以及达到的不变性程度。"},
    "ipma_plot": {
        "en": "Importance-performance map of {target}: importance (total effect) across, performance (0-100) up; "
              "dashed lines are the averages, so the lower right holds the priorities.",
        "zh": "{target}的重要性-绩效矩阵：横轴为重要性（总效应），纵轴为绩效（0-100）；"
              "虚线为平均值，右下区域为应优先改进的构念。"},
    "ipma_indicators": {
        "en": "Indicator-level IPMA of {target}: each item's rescaled weight, importance (weight × its construct's "
              "importance) and performance (mean on 0-100).",
        "zh": "{target}的题项层面 IPMA：各题项的换算后权重、重要性（权重 × 所属构念的重要性）"
              "与绩效（0-100 的均值）。"},
}

TEXTS.update(hygiene.TEXTS)   # hygiene_summary
TEXTS.update({
    "path_diagram": {
        "en": "The model as estimated by PLS: constructs (boxes; R² inside the explained ones) and paths (arrows) "
              "with their coefficients. Solid arrows and * mark paths whose 95% bootstrap interval excludes zero; "
              "dashed arrows, paths whose interval includes zero.",
        "zh": "PLS 估计的模型：构念（方框；被解释的构念内标出 R²）与路径（箭头）及其路径系数。"
              "实线箭头和 * 表示 95% 自助法置信区间不含零的路径；虚线箭头表示置信区间包含零的路径。"},
    "without_flagged": {
        "en": "Headline results with all respondents used and without the {n} flagged ones (PLS refitted without "
              "them, no bootstrap).",
        "zh": "使用全部受访者与去掉 {n} 名被标记受访者时的主要结果（去掉他们后重新估计 PLS，不做自助法）。"},
    "variables": {
        "en": "The columns this study used: code in the data, label, construct, role, answer scale and where it "
              "comes from.",
        "zh": "本研究使用的列：数据中的代码、名称、所属构念、角色、量表及其来源。"},
    "constructs": {
        "en": "The constructs of the model: code, label, measurement, number of items and of structural predictors.",
        "zh": "模型中的构念：代码、名称、测量方式、题项数与结构前因数。"},
})

CATALOG = Catalog("satisfaction_loyalty", terms=TERMS, texts=TEXTS,
                  narrative=Path(__file__).with_name("narrative.yaml"))


ARROW = " → "


# name(code), imported above: a construct's, item's or value's name for a reader, plain (table cells, figure
# labels): its codebook label in the report's language, else the code itself.


def md_name(code) -> str:
    """:func:`name` inside a sentence (Markdown): escaped, so ``~``, ``*`` and ``_`` show as typed."""
    return md_escape(name(code))


#: an item inside a sentence: “label”, escaped (:func:`crmlab.studies.common.words.label`)
item_label = label


def names(codes, *, md: bool = True, items: bool = False) -> str:
    """Several names for a sentence: ``a, b and c`` / ``a、b和c`` (items in quotes)."""
    return join(item_label(c) if items else (md_name(c) if md else name(c)) for c in codes)


def path_name(key: str, *, md: bool = False) -> str:
    """A structural path ``target~source`` (``LOY~SAT``) as a reader reads it: ``Satisfaction → Loyalty``."""
    if "~" not in str(key):
        return md_name(key) if md else name(key)
    target, source = str(key).split("~", 1)
    nm = md_name if md else name
    return nm(source.strip()) + ARROW + nm(target.strip())


def chain_name(chain: str, *, md: bool = False) -> str:
    """An indirect chain ``IMAG->EXPE->SAT`` as ``Image → Expectations → Satisfaction``."""
    nm = md_name if md else name
    return ARROW.join(nm(c.strip()) for c in str(chain).split("->"))


def pair_name(pair: str, *, md: bool = False) -> str:
    """A pair of constructs ``EXPE|QUAL`` as ``Expectations ↔ Perceived quality``."""
    nm = md_name if md else name
    return " ↔ ".join(nm(c.strip()) for c in str(pair).split("|"))


def score_label(value) -> str:
    """Display name of a kind of score in the shape table: ``items sat1/loy1`` reads ``overall items
    Satisfaction: overall / Loyalty: ...`` (``总体题项 ...`` in Chinese), by the items' names."""
    if isinstance(value, str) and value.startswith("items "):
        codes = value[len("items "):].split("/")
        return pick(en="overall items ", zh="总体题项 ") + " / ".join(name(c) for c in codes)
    return term(value)


def scheme_label(scheme: str) -> str:
    """Display name of a PLS inner weighting scheme (``path`` reads 路径加权 in Chinese)."""
    key = f"{scheme}_scheme"
    return term(key) if key in TERMS else scheme


def caption_values(sv, group: str | None = None) -> dict[str, str]:
    """Names the captions are filled with: ``sat_item`` and ``loy_item`` (“label”), ``satisfaction`` and
    ``group`` (labels), escaped for Markdown (``sv``: :class:`.inputs.LoyaltySurvey`)."""
    return {"sat_item": item_label(sv.sat_item), "loy_item": item_label(sv.loy_item),
            "satisfaction": md_name(sv.satisfaction), "group": md_name(group) if group else ""}
