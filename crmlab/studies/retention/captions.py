"""Captions of study 4's tables and figures (``show_table(df, key, ...)`` / ``show_figure(fig, key, ...)``) and the
keyed paragraphs its introduction is built from, in English and Simplified Chinese. Placeholders holding money
or time arrive formatted (``{cost}`` = ``$0.10`` / ``0.10 美元``, ``{tau}`` = ``48 months`` / ``48 个月``)."""
from __future__ import annotations

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
                   "zh": "各组的客户数：实际数与设计比例对比。"},
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
        "en": "Value per customer of contacting the top k% by predicted uplift, net of {cost} per contact, with "
              "{level:.0%} bootstrap intervals and ROI.",
        "zh": "按预测增益联系前 k% 客户时的每位客户价值（每次联系扣除 {cost}），附 {level:.0%} 自助法区间和 ROI。"},
    "policy_roi": {
        "en": "Net value per customer with its bootstrap band (left) and ROI (right) against the share of "
              "customers contacted.",
        "zh": "每位客户净价值及其自助法区间带（左）与 ROI（右）随联系客户比例的变化。"},
    "km_summary": {
        "en": "Customers, churn events and median time to churn in {unit} (with its 95% interval; - where the curve "
              "does not fall to 50%) by {strata}.",
        "zh": "各{strata}的客户数、流失客户数与流失时间中位数（单位：{unit}；附 95% 置信区间；曲线未降到 50% 时记为 -）。"},
    "km_at": {"en": "Share still a customer after {times}, by {strata}.",
              "zh": "各{strata}在 {times}后仍为客户的比例。"},
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
        "en": "Restricted mean time as a customer within the first {tau} (RMST) by {strata}, and its difference to "
              "the first group with {level:.0%} intervals.",
        "zh": "前 {tau}内的限制平均生存时间（RMST，按{strata}），及其与第一组之差和 {level:.0%} 置信区间。"},
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
        "en": "The budgeted policy among {n:,} customers: contacts (highest predicted net value first, {cost} per "
              "contact), cost, and net value on held-out folds with its {level:.0%} interval and ROI (totals).",
        "zh": "{n:,} 位客户中预算约束下的投放策略：联系客户数（按预测净价值从高到低，每次联系 {cost}）、成本，"
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
        "en": "Share of customers lost to each reason within {times}, per {group}; in brackets the true "
              "value when the data are simulated.",
        "zh": "{times}内因各原因流失的客户比例（按{group}）；数据为模拟时括号内为真实值。"},
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
        "en": "Expected remaining time as a customer (in {unit}) of the customers still active, within the next "
              "{horizon}, by {strata}, under each AFT model.",
        "zh": "现有客户在未来 {horizon}内的预期剩余时长（单位：{unit}；按{strata}），分别按两个 AFT 模型计算。"},
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
    "sbg_table": {
        "en": "Shifted-beta-geometric model per {strata} where it fits: α and β of the churn probability's beta "
              "distribution, first-period retention, the discounted expected residual lifetime (DERL) of a new "
              "customer in {unit} at {rate} a period, and the discounted expected value ({value}) still to come from "
              "the active customers.",
        "zh": "可以拟合的各{strata}的移位贝塔几何（sBG）模型：流失概率所服从贝塔分布的 α 和 β、首期保留率、"
              "新客户的折现预期剩余期数（DERL，单位：{unit}，每期折现率 {rate}），以及现有客户未来价值（{value}）的折现期望值。"},
    "sbg_plot": {
        "en": "Share still a customer against {duration} by {strata}: observed (steps) and the sBG model (dashed) "
              "where it fits.",
        "zh": "各{strata}仍为客户的比例随{duration}的变化：实际值（阶梯线）与 sBG 模型（虚线，仅限可以拟合的组）。"},
    "variables": {
        "en": "The columns this run used: code in the data, role, labels from the codebook and unit.",
        "zh": "本次运行所用的各列：数据中的代码、用途、代码本中的名称和单位。"},
}


#: paragraphs of the introduction, chosen by the parts a run has (:func:`crmlab.studies.retention.setup`)
INTRO: dict[str, dict[str, str]] = {
    "hillstrom": {
        "en": "**The experiment**: Kevin Hillstrom's e-mail experiment ({rows} customers who bought in the past "
              "year, randomised to a men's merchandise e-mail, a women's merchandise e-mail or no e-mail); the "
              "outcomes are a website visit, a purchase and the spend within two weeks.",
        "zh": "**实验**：Kevin Hillstrom 的电子邮件实验（{rows} 位过去一年有购买的客户，被随机分配到男装邮件、女装邮件"
              "和不发邮件三组），结果变量为两周内是否访问网站、是否购买及消费额。"},
    "telco": {
        "en": "**The churn table**: the IBM telco customer churn sample ({rows} customers), with each customer's "
              "tenure in months, whether they churned, their contract type and {n_cols} further columns.",
        "zh": "**流失表**：IBM 电信客户流失样本（{rows} 位客户），包含每位客户的在网时长（月）、是否流失、"
              "合同类型及另外 {n_cols} 列。"},
    "experiment": {
        "en": "**The experiment**: {file}, {rows} customers in {k} arms ({arms}; control: {control}); outcomes "
              "{outcomes}.",
        "zh": "**实验**：{file}，{rows} 位客户，共 {k} 组（{arms}；对照组：{control}）；结果变量：{outcomes}。"},
    "survival": {
        "en": "**The churn table**: {file}, {rows} customers ({churned} churned); time as a customer from "
              "{duration} ({unit}), churn from {event}, groups from {strata}.",
        "zh": "**流失表**：{file}，{rows} 位客户（其中 {churned} 位已流失）；客户时长取自{duration}（单位：{unit}），"
              "是否流失取自{event}，分组取自{strata}。"},
    "no_experiment": {
        "en": "No experiment table was given (parameter `experiment` is None), so this report covers time to churn "
              "and churn early warning only.",
        "zh": "未提供实验表（参数 `experiment` 为 None），因此本报告只包括流失时间和流失预警部分。"},
    "no_survival": {
        "en": "No churn table was given (parameter `survival_data` is None), so this report covers the retention "
              "experiment only.",
        "zh": "未提供流失表（参数 `survival_data` 为 None），因此本报告只包括客户保留实验部分。"},
    "values": {
        "en": "Answers read as yes (1) and no (0): {maps}.",
        "zh": "按“是”（1）和“否”（0）读取的答案：{maps}。"},
    "steps_experiment": {
        "en": "For the experiment: **design** (power, sample size, minimum detectable effect), **randomisation "
              "checks** (sample-ratio mismatch, covariate balance), **effects with intervals** (per arm and outcome, "
              "Holm-adjusted, and regression-adjusted with CUPED), **sequential monitoring** (always-valid confidence "
              "sequences, so a team may look every day), **ratio metrics** (spend per visit and the like, by the "
              "delta method), **who responds** (cross-fitted uplift models, Qini curves), **is it worth it** (net "
              "value and ROI of targeting) and **targeting on a budget** (whom to contact for a given budget, valued "
              "on held-out folds); monitoring, ratio metrics and the budget run when their parameters ask for them.",
        "zh": "实验部分：**实验设计**（统计功效、样本量、最小可检测效应）、**随机化检查**（样本比例失衡、协变量平衡）、"
              "**带区间的效应估计**（按实验组和结果变量，Holm 校正，以及 CUPED 回归调整）、**序贯监控**（随时有效的"
              "置信序列，允许团队每天查看）、**比率指标**（如每次到访的消费额，采用 Delta 方法）、**谁会响应**（交叉"
              "拟合的增益模型、Qini 曲线）、**是否值得**（精准投放的净价值与投资回报率 ROI）和**预算约束下的精准投放**"
              "（给定预算时联系哪些客户，在留出样本上评估价值）；序贯监控、比率指标和预算约束下的投放在相应参数要求时运行。"},
    "steps_survival": {
        "en": "For the churn table: **time to churn** (Kaplan-Meier, log-rank, Cox with R's proportional-hazards "
              "check, RMST), **churn by reason** (cumulative incidence, Gray's test, Fine-Gray beside cause-specific "
              "Cox), **parametric time to churn** (Weibull and log-logistic models, expected remaining time), "
              "**contract renewals** (the shifted-beta-geometric model: retention curves and discounted expected "
              "residual lifetime) and **churn early warning** (calibrated classifiers, lift, customers ranked by "
              "value at risk); churn by reason, the parametric models and contract renewals run when their parameters "
              "ask for them.",
        "zh": "流失表部分：**流失时间**（Kaplan-Meier 生存曲线、对数秩检验、Cox 比例风险模型及与 R 一致的比例风险检验、"
              "限制平均生存时间 RMST）、**按原因划分的流失**（累积发生率、Gray 检验、Fine-Gray 模型与特定原因 Cox 模型"
              "并列）、**参数化的流失时间模型**（Weibull 与对数逻辑斯蒂模型、预期剩余时长）、**合同续约**（移位贝塔几何"
              "模型：保留曲线与折现预期剩余期数）以及**流失预警**（经过校准的分类模型、提升度、按风险价值排序的客户）；"
              "按原因划分的流失、参数化模型和合同续约在相应参数要求时运行。"},
}
