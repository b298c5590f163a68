"""Words of study 4 (retention experiments and time to churn) in English and Simplified Chinese: display
names of columns and values, keyed captions of every table and figure, and small word helpers.

Sentences written from the numbers are in :mod:`.sentences`, readable table copies in :mod:`.tables`,
the narrative sections in ``narrative.yaml``. Terms follow the field's usage: 客户保留, 流失, 流失预警,
随机实验, 样本比例失衡, 协变量平衡, 提升, 增益模型, Qini 曲线, 投资回报率 (ROI), 生存分析,
Kaplan-Meier 生存曲线, 对数秩检验, Cox 比例风险模型, 限制平均生存时间 (RMST). Shared columns
(``estimate``, ``ci_low``, ``p``, ``n`` ...) use the report glossary's terms.
"""
from __future__ import annotations

from pathlib import Path

from crmlab.report.i18n import Catalog, current_lang, pick, term

#: display names of this study's columns and values ("en" only where English differs from the stable name)
TERMS: dict[str, dict[str, str]] = {
    # design
    "outcome": {"zh": "结果变量"}, "effect": {"zh": "效应"}, "n_per_arm": {"zh": "每组样本量"},
    "n_total": {"zh": "总样本量"},
    # randomisation checks
    "arm": {"zh": "实验组"}, "observed": {"zh": "实际数"}, "expected": {"zh": "期望数"},
    "share_observed": {"zh": "实际占比"}, "share_expected": {"zh": "设计占比"}, "covariate": {"zh": "协变量"},
    "mean_treated": {"zh": "处理组均值"}, "mean_control": {"zh": "对照组均值"}, "smd": {"zh": "标准化均值差 (SMD)"},
    # effects
    "kind": {"zh": "类型"}, "method": {"zh": "方法"}, "n_treated": {"zh": "处理组样本数"},
    "n_control": {"zh": "对照组样本数"}, "lift": {"zh": "相对提升"}, "p_holm": {"zh": "Holm 校正 p 值"},
    "estimate_unadjusted": {"zh": "未调整估计值"}, "se_unadjusted": {"zh": "未调整标准误"},
    "variance_reduction": {"zh": "方差缩减"}, "segment": {"zh": "细分变量"},
    # uplift and policy
    "learner": {"zh": "学习器"}, "auuc": {"zh": "AUUC"}, "qini_random": {"zh": "随机投放面积"},
    "qini_coefficient": {"zh": "Qini 系数"}, "fraction": {"zh": "联系比例"}, "incremental_value": {"zh": "增量价值"},
    "cost": {"zh": "联系成本"}, "net_value": {"zh": "净价值"}, "roi": {"zh": "投资回报率 ROI"},
    # survival
    "stratum": {"zh": "分层"}, "events": {"zh": "事件数"}, "median": {"zh": "中位生存时间"},
    "median_ci_low": {"zh": "中位数区间下限"}, "median_ci_high": {"zh": "中位数区间上限"}, "group": {"zh": "组别"},
    "o_minus_e_sq_over_v": {"zh": "(O-E)²/V"}, "tau": {"zh": "截止时间 τ"}, "rmst": {"zh": "限制平均生存时间 (RMST)"},
    "diff": {"zh": "差值"}, "diff_se": {"zh": "差值标准误"}, "coef": {"zh": "系数"}, "hr": {"zh": "风险比 (HR)"},
    "chi2": {"zh": "卡方"},
    # churn early warning
    "auc": {"zh": "AUC"}, "auc_fold_sd": {"zh": "AUC 折间标准差"}, "pr_auc": {"zh": "PR-AUC"},
    "brier": {"zh": "Brier 分数"}, "base_rate": {"zh": "基准流失率"}, "bin": {"zh": "分组（十分位）"},
    "churners": {"zh": "流失客户数"}, "churn_rate": {"zh": "流失率"}, "share_targeted": {"zh": "覆盖客户比例"},
    "cumulative_gain": {"zh": "累计捕获率"}, "customer": {"zh": "客户（假名）"}, "p_churn": {"zh": "流失概率"},
    "value": {"zh": "客户价值"}, "value_at_risk": {"zh": "风险价值"},
    "lift_ratio": {"en": "lift", "zh": "提升度（倍）"},  # the churn lift table: a ratio to the average rate
    # values and the default data's variables
    "rate": {"zh": "比率"}, "binary": {"zh": "二元"}, "continuous": {"zh": "连续"}, "visit": {"zh": "到访"},
    "conversion": {"zh": "转化"}, "spend": {"zh": "消费金额"}, "retained": {"zh": "保留"}, "channel": {"zh": "渠道"},
    "newbie": {"zh": "新客户"}, "zip_code": {"zh": "地区类型"}, "recency": {"zh": "距上次购买月数"},
    "history": {"zh": "历史消费额"}, "tenure": {"zh": "在网时长（月）"}, "contract": {"zh": "合同类型"},
    "churn": {"en": "churn", "zh": "流失"}, "monthly_charges": {"zh": "月费"},
    "No E-Mail": {"zh": "不发邮件"}, "Mens E-Mail": {"zh": "男装邮件"}, "Womens E-Mail": {"zh": "女装邮件"},
    "newcombe CI, pooled z test": {"zh": "Newcombe 区间，合并 z 检验"},
    "wald CI, pooled z test": {"zh": "Wald 区间，合并 z 检验"}, "Welch t": {"zh": "Welch t 检验"},
    "Month-to-month": {"zh": "按月合同"}, "One year": {"zh": "一年合同"}, "Two year": {"zh": "两年合同"},
    # churn models
    "gbm": {"zh": "梯度提升"}, "logistic": {"zh": "逻辑回归"},
}

#: captions of tables and figures: ``show_table(df, key, ...)`` / ``show_figure(fig, key, ...)``
TEXTS: dict[str, dict[str, str]] = {
    "design_sample_size": {
        "en": "Customers needed per arm for {power:.0%} power ({k} arms, alpha = {alpha:g} split over the "
              "comparisons), by outcome and effect size.",
        "zh": "达到 {power:.0%} 统计功效所需的每组客户数（共 {k} 组，alpha = {alpha:g} 在各比较间平分），"
              "按结果变量和效应大小。"},
    "power_curve": {
        "en": "Power against the total number of customers (log scale) for each uplift on a {p_control:.0%} base "
              "rate; the dashed line marks the {power:.0%} target.",
        "zh": "在 {p_control:.0%} 基准率上检测各提升幅度的统计功效随实验客户总数（对数刻度）的变化；"
              "虚线为 {power:.0%} 的目标功效。"},
    "srm_counts": {"en": "Customers per arm: observed against the design split.",
                   "zh": "各实验组的客户数：实际数与设计比例对比。"},
    "love_plot": {
        "en": "Covariate balance: |standardized mean difference| of each pre-treatment covariate between each arm "
              "and control; the dashed line marks 0.1 (balanced below it).",
        "zh": "协变量平衡：各实验组与对照组在每个实验前协变量上的 |标准化均值差|；虚线为 0.1（低于该值视为平衡）。"},
    "itt_effects": {
        "en": "Intention-to-treat effect of each arm against {control}, with {level:.0%} intervals, relative lift "
              "and Holm-adjusted p-values.",
        "zh": "各实验组相对于{control}的意向处理效应，附 {level:.0%} 置信区间、相对提升和 Holm 校正 p 值。"},
    "itt_forest": {
        "en": "Effect of each arm on each rate outcome against {control}, with {level:.0%} intervals "
              "(dashed line: no effect).",
        "zh": "各实验组在各比率指标上相对于{control}的效应及 {level:.0%} 置信区间（虚线：无效应）。"},
    "cuped_effects": {
        "en": "Regression-adjusted (CUPED) effects next to the unadjusted ones, with the variance reduction the "
              "pre-treatment covariates buy.",
        "zh": "回归调整（CUPED）后的效应与未调整效应对比，以及实验前协变量带来的方差缩减。"},
    "segment_effects": {
        "en": "Effect of {arm} on {outcome} within each customer segment, with {level:.0%} intervals and "
              "Holm-adjusted p-values.",
        "zh": "{arm}在各客户细分中对{outcome}的效应，附 {level:.0%} 置信区间和 Holm 校正 p 值。"},
    "segment_effects_plot": {
        "en": "Effect of {arm} on {outcome} by segment, with {level:.0%} intervals (dashed line: no effect).",
        "zh": "{arm}对{outcome}的效应（按客户细分），附 {level:.0%} 置信区间（虚线：无效应）。"},
    "qini": {
        "en": "Held-out area under the Qini curve (AUUC) of each uplift learner against random targeting.",
        "zh": "各增益学习器在留出样本上的 Qini 曲线下面积（AUUC）与随机投放的对比。"},
    "qini_curves": {
        "en": "Qini curves (cross-fitted scores): incremental {outcome} gained by targeting customers in order of "
              "predicted uplift; the dashed line is random targeting.",
        "zh": "Qini 曲线（交叉拟合得分）：按预测增益从高到低投放时累计获得的{outcome}增量；虚线为随机投放。"},
    "policy_value": {
        "en": "Value per customer of contacting the top k% by predicted uplift, net of {cost:g} per contact, with "
              "{level:.0%} bootstrap intervals and ROI.",
        "zh": "按预测增益联系前 k% 客户时的每位客户价值（每次联系扣除 {cost:g}），附 {level:.0%} 自助法区间和 ROI。"},
    "policy_roi": {
        "en": "Net value per customer with its bootstrap band (left) and ROI (right) against the share of "
              "customers contacted.",
        "zh": "每位客户净价值及其自助法区间带（左）与 ROI（右）随联系客户比例的变化。"},
    "km_summary": {
        "en": "Customers, churn events and median {duration} (with 95% interval; - where the curve does not reach "
              "50%) by {strata}.",
        "zh": "各{strata}的客户数、流失事件数与{duration}中位数（附 95% 区间；曲线未降到 50% 时记为 -）。"},
    "km_at": {"en": "Share still a customer at {times} ({duration}).",
              "zh": "{duration}为 {times} 时仍为客户的比例。"},
    "kaplan_meier": {
        "en": "Kaplan-Meier curves: share still a customer against {duration} by {strata}, with 95% bands.",
        "zh": "Kaplan-Meier 生存曲线：各{strata}仍为客户的比例随{duration}的变化，附 95% 置信带。"},
    "logrank": {"en": "Log-rank test: observed against expected churn events by {strata}.",
                "zh": "对数秩检验：各{strata}的实际与期望流失事件数。"},
    "cox": {
        "en": "Cox proportional hazards model: coefficients and hazard ratios (HR < 1: churn later) with 95% "
              "intervals.",
        "zh": "Cox 比例风险模型：系数与风险比（HR < 1 表示流失更晚），附 95% 置信区间。"},
    "cox_ph_check": {"en": "Proportional-hazards check per term (Grambsch-Therneau, rank time).",
                     "zh": "各变量的比例风险假设检验（Grambsch-Therneau，时间取秩）。"},
    "rmst": {
        "en": "Restricted mean survival time up to {tau:g} ({duration}) by {strata}, and its difference to the "
              "first group with {level:.0%} intervals.",
        "zh": "{duration}以 {tau:g} 为上限的限制平均生存时间（按{strata}），及其与第一组之差和 {level:.0%} 置信区间。"},
    "churn_models": {"en": "Out-of-fold quality of the calibrated churn models ({folds}-fold cross-validation).",
                     "zh": "经过校准的流失模型的样本外表现（{folds} 折交叉验证）。"},
    "churn_calibration_gain": {
        "en": "Out-of-fold calibration (left: predicted against observed churn rate) and cumulative gain (right: "
              "share of churners caught against share of customers targeted) of each model.",
        "zh": "各模型的样本外校准图（左：预测流失概率与实际流失率）和累计增益图"
              "（右：覆盖客户比例与捕获的流失客户比例）。"},
    "churn_lift": {"en": "Churn by decile of predicted risk ({model} model), highest risk first.",
                   "zh": "按预测风险十分位分组的流失情况（{model}模型），风险最高的组在前。"},
    "churn_risk_value_top": {"en": "The {top} customers with the highest value at risk (pseudonymous ids).",
                             "zh": "风险价值最高的 {top} 位客户（假名化编号）。"},
}

CATALOG = Catalog("retention_experiments", terms=TERMS, texts=TEXTS,
                  narrative=Path(__file__).with_name("narrative.yaml"))


def model_name(name: str) -> str:
    """Display name of a churn model (``gbm``, ``logistic``)."""
    return term(name)


def learner_name(name: str) -> str:
    """Display name of an uplift meta-learner (``t``, ``x``, ``dr``): ``t`` / ``T 学习器``."""
    return pick(en=name, zh=f"{name.upper()} 学习器")


def listing(items) -> str:
    """Items listed in a caption: ``12, 24, 48`` / ``12、24、48``."""
    return ("、" if current_lang() == "zh" else ", ").join(map(str, items))
