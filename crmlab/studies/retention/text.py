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
    # the telco covariates of the Cox and AFT models
    "senior_citizen": {"zh": "老年用户"}, "partner": {"zh": "有伴侣"}, "dependents": {"zh": "有受抚养人"},
    "internet_service": {"zh": "互联网服务"}, "paperless_billing": {"zh": "无纸化账单"},
    # proportional-hazards check
    "chisq": {"en": "chi-square", "zh": "卡方"}, "df": {"zh": "自由度"},
    "GLOBAL": {"en": "GLOBAL (all terms)", "zh": "整体（全部变量）"},
    # sequential monitoring
    "first_time": {"en": "called on", "zh": "宣布时间"},
    "naive_first_look": {"en": "naive call (look)", "zh": "常规区间宣布（第几次查看）"},
    "cs": {"en": "confidence sequence (last look)", "zh": "置信序列（最后一次查看）"},
    "fixed": {"en": "fixed-horizon interval", "zh": "固定样本量区间"},
    "p_anytime": {"en": "always-valid p", "zh": "随时有效 p 值"},
    "width_ratio": {"en": "width vs fixed", "zh": "宽度倍数"},
    "confidence_sequence": {"en": "confidence sequence", "zh": "置信序列"},
    "naive_daily": {"en": "naive daily intervals", "zh": "每日常规区间"},
    "fixed_end": {"en": "one look at the end", "zh": "仅在最后查看一次"},
    "error": {"en": "false-alarm rate", "zh": "误报率（第一类错误）"},
    "mc_se": {"en": "Monte Carlo se", "zh": "蒙特卡洛标准误"},
    # ratio metrics
    "metric": {"zh": "指标"}, "ratio_control": {"en": "control ratio", "zh": "对照组比率"},
    "ratio_treated": {"en": "treated ratio", "zh": "处理组比率"},
    "lift_ci": {"en": "relative lift [CI]", "zh": "相对提升 [置信区间]"},
    # budgeted targeting
    "budget": {"zh": "预算"}, "n_contacts": {"en": "customers contacted", "zh": "联系客户数"},
    "share_contacted": {"en": "share contacted", "zh": "联系客户比例"},
    # churn by reason
    "cause": {"en": "reason", "zh": "流失原因"}, "cif": {"en": "cumulative incidence", "zh": "累积发生率"},
    "cif_true": {"en": "true", "zh": "真实值"}, "time": {"zh": "时间"}, "stat": {"en": "chi-square", "zh": "卡方"},
    "voluntary": {"zh": "主动流失"}, "involuntary": {"zh": "被动流失"}, "senior": {"zh": "老年用户"},
    "charges": {"en": "charges (standardised)", "zh": "月费（标准化）"},
    "hr_true": {"en": "true HR", "zh": "真实风险比"},
    "cs_hr": {"en": "cause-specific HR", "zh": "特定原因风险比"},
    "shr": {"en": "Fine-Gray subdistribution HR", "zh": "Fine-Gray 子分布风险比"},
    # parametric time to churn
    "likelihood": {"zh": "似然类型"}, "partial": {"zh": "偏似然"}, "full": {"zh": "完全似然"},
    "loglik": {"en": "log-likelihood", "zh": "对数似然"}, "aic": {"en": "AIC", "zh": "AIC"},
    "concordance": {"zh": "一致性指数"}, "shape": {"zh": "形状参数"},
    "aft_cox": {"en": "Cox", "zh": "Cox"}, "aft_weibull": {"en": "Weibull", "zh": "Weibull"},
    "aft_loglogistic": {"en": "log-logistic", "zh": "对数逻辑斯蒂"},
    "hr_weibull": {"en": "HR implied by Weibull", "zh": "Weibull 隐含风险比"},
    "time_ratio_weibull": {"en": "time ratio (Weibull)", "zh": "时间比（Weibull）"},
    "time_ratio_loglogistic": {"en": "time ratio (log-logistic)", "zh": "时间比（对数逻辑斯蒂）"},
    "n_active": {"en": "active customers", "zh": "在网客户数"},
    "mean_tenure": {"en": "mean time so far", "zh": "平均已在网时长"},
    "remaining_weibull": {"en": "expected remaining (Weibull)", "zh": "预期剩余时长（Weibull）"},
    "remaining_loglogistic": {"en": "expected remaining (log-logistic)", "zh": "预期剩余时长（对数逻辑斯蒂）"},
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
    "cox_ph_check": {
        "en": "Proportional-hazards check per covariate: the Grambsch-Therneau score test as R's cox.zph computes it "
              "(time transform \"{transform}\"); a factor is one test on levels-1 df, GLOBAL tests all terms at once.",
        "zh": "各协变量的比例风险假设检验：与 R 的 cox.zph 相同的 Grambsch-Therneau 得分检验"
              "（时间变换 \"{transform}\"）；分类变量作为一个整体检验（自由度为水平数减 1），"
              "“整体”一行同时检验全部变量。"},
    "ph_residuals": {
        "en": "Scaled Schoenfeld residuals of the terms that violate proportional hazards ({shown}) against {duration} "
              "(on the Kaplan-Meier time scale), with R's spline smooth and a ±2 SE band. A flat curve at the dotted "
              "line (the Cox estimate) is a constant effect; for a one-column term the curve is its log hazard ratio "
              "over time, for a factor its effect relative to its average (1 = average).",
        "zh": "违反比例风险假设的变量（{shown}）的标度化 Schoenfeld 残差随{duration}的变化"
              "（按 Kaplan-Meier 时间尺度），附 R 的样条平滑曲线和 ±2 倍标准误带。"
              "平滑曲线若沿点线（Cox 估计值）保持水平，说明效应不随时间变化；"
              "单列变量的曲线是其对数风险比随时间的变化，分类变量的曲线是其效应相对于平均效应的倍数（1 = 平均）。"},
    "rmst": {
        "en": "Restricted mean survival time up to {tau:g} ({duration}) by {strata}, and its difference to the "
              "first group with {level:.0%} intervals.",
        "zh": "{duration}以 {tau:g} 为上限的限制平均生存时间（按{strata}），及其与第一组之差和 {level:.0%} 置信区间。"},
    "sequential_plot": {
        "en": "Always-valid {level:.0%} confidence sequences of each arm against control, look by look (bands), "
              "with the fixed-horizon {level:.0%} interval at the last look (bar on the right) and the look at which "
              "each effect could first be called (dot).",
        "zh": "各实验组相对于对照组的随时有效 {level:.0%} 置信序列（逐次查看的区间带），右侧竖线为最后一次查看时的"
              "固定样本量 {level:.0%} 置信区间，圆点为效应最早可以宣布成立的查看时点。"},
    "sequential_summary": {
        "en": "When each effect could be called: the first look whose confidence sequence excludes 0, the first "
              "look of naive daily intervals, and at the last look the confidence sequence beside the fixed-horizon "
              "interval ({level:.0%}).",
        "zh": "各效应何时可以宣布成立：置信序列首次排除 0 的查看时点、每日常规区间首次排除 0 的查看次序，"
              "以及最后一次查看时的置信序列与固定样本量区间（{level:.0%}）。"},
    "aa_errors": {
        "en": "False alarms in {reps} simulated A/A experiments with {looks} daily looks: share in which the interval "
              "ever excludes 0 (stopping at the first such look), for the confidence sequence, naive daily "
              "{level:.0%} intervals and a single look at the end.",
        "zh": "{reps} 次模拟 A/A 实验（每天查看一次，共 {looks} 次）中的误报：区间曾经排除 0 的比例"
              "（在首次排除时即停止），分别为置信序列、每日常规 {level:.0%} 区间和仅在最后查看一次。"},
    "ratio_effects": {
        "en": "Ratio metrics (sum of the numerator over sum of the denominator in each arm): difference to {control} "
              "with {level:.0%} delta-method intervals (CUPED-adjusted), relative lift and variance reduction.",
        "zh": "比率指标（各组分子之和除以分母之和）：相对于{control}的差值及 {level:.0%} Delta 方法置信区间"
              "（经 CUPED 调整）、相对提升和方差缩减。"},
    "budget_policy": {
        "en": "The budgeted policy among {n:,} customers: contacts (highest predicted net value first, {cost:g} per "
              "contact), cost, and net value on held-out folds with its {level:.0%} interval and ROI (totals).",
        "zh": "{n:,} 位客户中预算约束下的投放策略：联系客户数（按预测净价值从高到低，每次联系 {cost:g}）、成本，"
              "以及留出样本上的净价值（附 {level:.0%} 置信区间）和 ROI（均为总额）。"},
    "budget_plot": {
        "en": "Held-out net value (left, with its {level:.0%} band) and ROI (right) against the budget; the dotted "
              "line marks the chosen policy.",
        "zh": "留出样本净价值（左，附 {level:.0%} 置信带）与 ROI（右）随预算的变化；点线为所选策略。"},
    "cif_plot": {
        "en": "Cumulative incidence of churn by reason (Aalen-Johansen) per {group} against {duration}; dashed lines "
              "are the true curves when the data are simulated.",
        "zh": "按原因划分的累积流失发生率（Aalen-Johansen 估计，按{group}）随{duration}的变化；数据为模拟时，"
              "虚线为真实曲线。"},
    "cif_table": {
        "en": "Share of customers lost to each reason by {times} ({duration}), per {group}; in brackets the true "
              "value when the data are simulated.",
        "zh": "{duration}为 {times} 时因各原因流失的客户比例（按{group}）；数据为模拟时括号内为真实值。"},
    "gray_test": {"en": "Gray's test of equal cumulative incidence across {group}, per reason.",
                  "zh": "各流失原因的 Gray 检验：各{group}的累积发生率是否相同。"},
    "cr_regression": {
        "en": "Churn by reason: cause-specific Cox hazard ratios beside Fine-Gray subdistribution hazard ratios "
              "({level:.0%} intervals), with the true cause-specific hazard ratio when the data are simulated.",
        "zh": "按原因划分的流失：特定原因 Cox 风险比与 Fine-Gray 子分布风险比并列（{level:.0%} 置信区间）；"
              "数据为模拟时附真实的特定原因风险比。"},
    "aft_comparison": {
        "en": "Cox and the accelerated failure time (AFT) models: log-likelihood, AIC (AFT models only: Cox's partial "
              "likelihood is on another scale), concordance and shape of the baseline.",
        "zh": "Cox 模型与加速失效时间（AFT）模型：对数似然、AIC（仅 AFT 模型：Cox 的偏似然不在同一尺度上）、"
              "一致性指数和基准分布的形状参数。"},
    "aft_coefficients": {
        "en": "Per term: Cox hazard ratio, the hazard ratio the Weibull model implies, and the time ratios of both "
              "AFT models (> 1: churn later).",
        "zh": "各变量的 Cox 风险比、Weibull 模型隐含的风险比，以及两个 AFT 模型的时间比（> 1 表示流失更晚）。"},
    "remaining_tenure": {
        "en": "Expected remaining {duration} of the customers still active, within a horizon of {horizon:g}, by "
              "{strata}, under each AFT model.",
        "zh": "仍在网客户的预期剩余{duration}（以 {horizon:g} 为上限，按{strata}），分别按两个 AFT 模型计算。"},
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


def zph_ylabel(name: str, multi: bool) -> str:
    """Y label of a scaled Schoenfeld residual plot: the term's effect over time (a factor relative to its average)."""
    if multi:
        return pick(en=f"{name}: effect / its average", zh=f"{term(name)}：效应 / 平均效应")
    return pick(en=f"β(t) of {name} (log HR)", zh=f"{term(name)} 的 β(t)（对数风险比）")


def term_listing(items) -> str:
    """Names listed in a caption in the current language: ``contract, partner`` / ``合同类型、有伴侣``."""
    return listing([term(x) for x in items])


def listing(items) -> str:
    """Items listed in a caption: ``12, 24, 48`` / ``12、24、48``."""
    return ("、" if current_lang() == "zh" else ", ").join(map(str, items))
