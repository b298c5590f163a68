"""Words of study 3 (segmentation and customer lifetime value) in English and Simplified Chinese:
the catalog (column and value names, captions), time-unit words and method names.

Sentences written from the numbers are in :mod:`.sentences`, readable display copies of the
tables in :mod:`.tables`, the narrative sections in ``narrative.yaml``. Saved tables and
``results.json`` keep their stable English names (the RFM segment names are keys there).
Terms follow the field's usage: 客户细分, 客户价值评估, 客户画像, 客户终身价值 (CLV),
RFM 模型 (最近一次消费, 消费频率, 消费金额), 高/中/低价值客户, 存活概率, 重复购买,
校准期/验证期, 客户生命周期, 流失预警, 聚类, 轮廓系数.

Two columns carry the same English name in two senses: ``frequency`` and ``recency`` are RFM
quantities in the RFM tables (transactions x + 1; time since the last purchase) and the
buy-till-you-die quantities x and t_x in the customer summary. The summary sense has its own
terms, ``x_frequency`` and ``x_recency`` (shown as "frequency" and "recency" in English), which
:func:`crmlab.studies.customers.tables.readable` uses for summary tables.
"""
from __future__ import annotations

from pathlib import Path

from crmlab.report.i18n import Catalog, current_lang
from crmlab.studies.customers.steps import unit_name

_SUFFIXES = {"_gmm": "（GMM）", "_kmeans": "（k-means）"}

_COLUMNS_ZH = {
    # data report (index "item") and describe()
    "item": "项目", "value": "数值", "25%": "25% 分位数", "50%": "中位数", "75%": "75% 分位数",
    # RFM segments and their rules
    "segment": "RFM 客户群", "customers": "客户数", "share": "占比",
    "recency": "最近一次消费（距今时长）", "frequency": "消费频率（交易次数）", "monetary": "消费金额（每次平均）",
    "r_min": "R 得分下限", "r_max": "R 得分上限", "f_min": "F 得分下限", "f_max": "F 得分上限",
    "m_min": "M 得分下限", "m_max": "M 得分上限", "description": "说明",
    # holdout
    "calibration_frequency": "校准期重复购买次数", "actual": "实际值（均值）", "predicted": "预测值（均值）",
    # value tiers
    "value_tier": "价值等级", "clv_mean": "CLV 均值", "clv_total": "CLV 合计", "p_alive": "存活概率 P(alive)",
    "past_spend": "历史消费额（均值）", "value_share": "价值占比",
    # clustering and portraits
    "k": "聚类数 k", "silhouette": "轮廓系数", "bic": "BIC", "inertia": "簇内平方和",
    "cluster": "聚类", "spend": "历史消费额", "expected_purchases": "预期购买次数",
    # lifecycle and early warning
    "lifecycle": "生命周期阶段", "stage": "阶段", "rule": "规则",
    "customer": "客户（假名）", "value_at_risk": "流失风险价值",
    # the customer summary (buy-till-you-die sense)
    "T": "客户年龄 T", "monetary_value": "重复购买平均金额",
    "frequency_early": "前半段重复购买次数", "frequency_late": "后半段重复购买次数",
    "frequency_holdout": "验证期购买次数", "spend_holdout": "验证期消费额", "duration_holdout": "验证期时长",
}

_VALUES_ZH = {
    # RFM segments (crmlab.rfm.SEGMENT_RULES)
    "champions": "冠军客户", "loyal": "忠诚客户", "at risk": "流失风险", "recent": "新近客户",
    "promising": "潜力客户", "needs attention": "需要关注", "hibernating": "沉睡客户", "lost": "已流失",
    "other": "其他",
    # value tiers (crmlab.rfm.value_tiers)
    "high": "高价值客户", "medium": "中价值客户", "low": "低价值客户",
    # lifecycle stages (crmlab.segment.lifecycle)
    "new": "新客户", "active/growing": "成长/活跃", "mature": "成熟", "declining": "衰退", "lapsed": "流失/休眠",
    # data report items (crmlab.transactions.CustomerSummary.report)
    "rows_read": "读入行数", "returns_dropped": "删除的退货行", "zero_amount_rows": "零金额行",
    "after_holdout_dropped": "删除的验证期之后的行", "duplicate_rows": "完全重复的行",
    "duplicates_dropped": "删除的重复行", "customers_first_after_calibration": "首次购买晚于校准期的客户",
    "repeaters": "重复购买客户数", "transactions_calibration": "校准期交易次数",
    "repeat_transactions_calibration": "校准期重复交易次数", "transactions_holdout": "验证期交易次数",
}

#: time unit (English singular, see :func:`~crmlab.studies.customers.steps.unit_name`) ->
#: (Chinese count word "52 周" / "9 个月", Chinese axis word "每周" / "每月")
UNIT_WORDS_ZH = {"week": ("周", "周"), "day": ("天", "天"), "month": ("个月", "月"), "unit": ("个时间单位", "时间单位")}

TERMS: dict[str, dict[str, str]] = {
    **{k: {"zh": v} for k, v in _COLUMNS_ZH.items()},
    **{k + suffix: {"zh": _COLUMNS_ZH[k] + word} for k in ("silhouette", "bic", "inertia")
       for suffix, word in _SUFFIXES.items()},
    **{f"{u}s_since_last": {"zh": f"距上次购买（{axis}）"} for u, (_, axis) in UNIT_WORDS_ZH.items()},
    **{k: {"zh": v} for k, v in _VALUES_ZH.items()},
    # the summary (BTYD) sense of two RFM column names
    "x_frequency": {"en": "frequency", "zh": "重复购买次数 x"},
    "x_recency": {"en": "recency", "zh": "末次购买时点 t_x"},
    # the shared glossary calls "clv" "Customer lifetime value"; as a column it keeps its short name
    "clv": {"en": "clv", "zh": "客户终身价值 CLV"},
}

TEXTS: dict[str, dict[str, str]] = {
    "data_report": {
        "en": "What the data rules did: rows read, dropped and kept; customers and transactions.",
        "zh": "数据规则的处理结果：读入、删除和保留的行数；客户数和交易次数。"},
    "customer_summary": {
        "en": "Customer summary at the end of calibration: distribution of each measure across customers "
              "(times in {units}).",
        "zh": "校准期结束时的客户汇总：各指标在客户之间的分布（时间以{units}计）。"},
    "segment_rules": {
        "en": "RFM segment rules: score ranges of R, F and M (1-5); the first matching row wins.",
        "zh": "RFM 客户群规则：R、F、M 得分（1-5）的范围；按顺序第一条匹配的规则生效。"},
    "rfm_segments": {
        "en": "RFM segments: customers, mean {units} since the last purchase, transactions and spend per transaction.",
        "zh": "RFM 客户群：客户数，以及距上次购买的平均时长（{units}）、交易次数和每次平均消费额。"},
    "rfm_segments_figure": {
        "en": "Number of customers in each RFM segment.",
        "zh": "各 RFM 客户群的客户数。"},
    "model_parameters": {
        "en": "Maximum-likelihood estimates of the purchase and spend models with {level} confidence intervals "
              "and standard errors (from the Hessian).",
        "zh": "购买模型与消费模型的极大似然估计值、{level} 置信区间和标准误（来自 Hessian 矩阵）。"},
    "holdout_by_frequency": {
        "en": "Mean repeat purchases in the holdout, actual and predicted, by repeat purchases in calibration.",
        "zh": "按校准期重复购买次数分组的验证期平均重复购买次数：实际值与预测值。"},
    "holdout_by_frequency_figure": {
        "en": "Holdout check: actual and predicted mean repeat purchases by calibration frequency.",
        "zh": "验证期检验：按校准期重复购买次数分组的实际与预测平均重复购买次数。"},
    "tracking_cumulative": {
        "en": "Cumulative repeat transactions of the cohort per {unit}, actual and expected; "
              "the vertical line ends the calibration period.",
        "zh": "客户群按{unit}累计的重复交易次数：实际值与预期值；竖线为校准期结束。"},
    "tracking_per_period": {
        "en": "Repeat transactions in each {unit}, actual and expected.",
        "zh": "每{unit}的重复交易次数：实际值与预期值。"},
    "value_tiers": {
        "en": "Value tiers by expected value over the next {horizon:g} {units}: customers, CLV, mean P(alive), "
              "mean past spend and share of total value.",
        "zh": "按未来 {horizon:g} {units}预期价值划分的价值等级：客户数、CLV、平均存活概率、平均历史消费额"
              "和价值占比。"},
    "clv_concentration": {
        "en": "Distribution of expected customer value (left, log scale) and the share of value held by the most "
              "valuable customers (right).",
        "zh": "客户预期价值的分布（左，对数刻度）以及价值最高的客户所占的价值比例（右）。"},
    "cluster_selection": {
        "en": "Choosing the number of clusters k: silhouette (higher is better), BIC (lower is better) and "
              "within-cluster sum of squares for {method} and {other}.",
        "zh": "聚类数 k 的选择：{method} 与 {other} 的轮廓系数（越高越好）、BIC（越低越好）和簇内平方和。"},
    "customer_portraits": {
        "en": "Customer portraits: size and mean behaviour of each cluster, and its share of expected value.",
        "zh": "客户画像：各聚类的规模、平均行为特征及其占预期价值的比例。"},
    "customer_portraits_figure": {
        "en": "Cluster means side by side (shading: each column relative to its largest value).",
        "zh": "各聚类的均值对比（颜色深浅：每列相对于该列最大值的比例）。"},
    "lifecycle_rules": {
        "en": "Lifecycle rules, applied in this order (the first matching rule wins).",
        "zh": "生命周期阶段规则，按此顺序应用（第一条匹配的规则生效）。"},
    "lifecycle": {
        "en": "Lifecycle stages: customers, expected value, mean P(alive), mean repeat purchases and share of "
              "expected value.",
        "zh": "客户生命周期阶段：客户数、预期价值、平均存活概率、平均重复购买次数和预期价值占比。"},
    "early_warning": {
        "en": "Early-warning list: the {shown} of {n:,} valuable customers with most past spend at risk "
              "(pseudonymous ids; the full list is in tables/early_warning.csv).",
        "zh": "流失预警名单：{n:,} 位有价值客户中流失风险价值最高的 {shown} 位（假名编号；完整名单见 "
              "tables/early_warning.csv）。"},
}

CATALOG = Catalog("segmentation_clv", terms=TERMS, texts=TEXTS, narrative=Path(__file__).with_name("narrative.yaml"))


def unit_word(time_unit, *, axis: bool = False) -> str:
    """The time unit in words: English singular (``week``); Chinese count word (``周``, ``个月``) or,
    with ``axis=True``, the word after 每/按 and on an axis (``周``, ``月``)."""
    en = unit_name(time_unit)
    if current_lang() != "zh":
        return en
    count, per = UNIT_WORDS_ZH[en]
    return per if axis else count


def unit_words(time_unit) -> dict[str, str]:
    """Caption values for the time unit: ``unit`` (``week`` / ``周``) and ``units`` (``weeks`` / ``周``)."""
    if current_lang() == "zh":
        return {"unit": unit_word(time_unit, axis=True), "units": unit_word(time_unit)}
    return {"unit": unit_name(time_unit), "units": unit_name(time_unit) + "s"}


def method_name(method: str) -> str:
    """Display name of a clustering method (English keeps the parameter value)."""
    if current_lang() != "zh":
        return method
    return {"kmeans": "k-means", "gmm": "高斯混合模型 (GMM)"}.get(method, method)


def level_words(level: float) -> str:
    """A confidence level for a caption or header: ``95%`` (``97.5%``)."""
    return f"{100 * level:g}%"
