"""Words of study 3 (segmentation and customer lifetime value) in English and Simplified Chinese:
the catalog (column and value names, captions), time-unit words and method names.

Sentences written from the numbers are in :mod:`.sentences` and :mod:`.findings`, readable display copies
of the tables in :mod:`.tables`, the narrative sections in ``narrative.yaml``. Saved tables and
``results.json`` keep their stable English names (the RFM segment names are keys there); every header a
reader sees has a readable name in both languages (``p_alive`` -> "P(alive)", ``clv_mean`` -> "Mean CLV").
Terms follow the field's usage: 客户细分, 客户价值评估, 客户画像, 客户终身价值 (CLV),
RFM 模型 (最近一次消费, 消费频率, 消费金额), 高/中/低价值客户, 存活概率, 重复购买,
校准期/验证期, 客户生命周期, 流失预警, 流失风险价值, 聚类, 轮廓系数, 协变量, 营销活动,
实验组/对照组, 购买机会 (BG/BB).

Two columns carry the same English name in two senses: ``frequency`` and ``recency`` are RFM
quantities in the RFM tables (transactions x + 1; time since the last purchase) and the
buy-till-you-die quantities x and t_x in the customer summary. The summary sense has its own
terms, ``x_frequency`` and ``x_recency``, which :func:`crmlab.studies.customers.tables.readable`
uses for summary tables.
"""
from __future__ import annotations

from pathlib import Path

from crmlab.report.i18n import Catalog, current_lang
from crmlab.studies.customers.steps import unit_name

_SUFFIXES = {"_gmm": ("(GMM)", "（GMM）"), "_kmeans": ("(k-means)", "（k-means）")}

#: column names -> (English, Chinese)
_COLUMNS = {
    # data report (index "item") and describe()
    "item": ("Data rule", "数据规则"), "measure": ("Measure", "指标"), "value": ("Rows or count", "行数或计数"),
    "count": ("Customers", "客户数"), "25%": ("25th percentile", "25% 分位数"), "50%": ("Median", "中位数"),
    "75%": ("75th percentile", "75% 分位数"),
    # RFM segments and their rules
    "segment": ("RFM segment", "RFM 客户群"), "customers": ("Customers", "客户数"),
    "share": ("Share of customers", "客户占比"),
    "recency": ("Time since last purchase", "最近一次消费（距今时长）"),
    "frequency": ("Purchases", "消费频率（交易次数）"), "monetary": ("Spend per purchase", "消费金额（每次平均）"),
    "r_min": ("R from", "R 得分下限"), "r_max": ("R to", "R 得分上限"), "f_min": ("F from", "F 得分下限"),
    "f_max": ("F to", "F 得分上限"), "m_min": ("M from", "M 得分下限"), "m_max": ("M to", "M 得分上限"),
    "description": ("Description", "说明"),
    # holdout
    "calibration_frequency": ("Repeat purchases in calibration", "校准期重复购买次数"),
    "actual": ("Actual (mean)", "实际值（均值）"), "predicted": ("Predicted (mean)", "预测值（均值）"),
    "BG/NBD": ("BG/NBD (mean)", "BG/NBD 预测（均值）"), "Pareto/NBD": ("Pareto/NBD (mean)", "Pareto/NBD 预测（均值）"),
    # value tiers
    "value_tier": ("Value tier", "价值等级"), "clv_mean": ("Mean CLV", "CLV 均值"), "clv_total": ("Total CLV", "CLV 合计"),
    "p_alive": ("P(alive)", "存活概率 P(alive)"), "p_alive_bgnbd": ("P(alive), BG/NBD", "存活概率（BG/NBD）"),
    "past_spend": ("Mean past spend", "历史消费额（均值）"), "value_share": ("Share of value", "价值占比"),
    # CLV with its interval
    "quantity": ("Quantity", "指标"), "clv_total_all": ("Total CLV of all customers", "全部客户的 CLV 合计"),
    "top20_share": ("Value share of the top 20%", "前 20% 客户的价值占比"),
    "top10_share": ("Value share of the top 10%", "前 10% 客户的价值占比"),
    # clustering and portraits
    "k": ("Clusters k", "聚类数 k"), "silhouette": ("Silhouette", "轮廓系数"), "bic": ("BIC", "BIC"),
    "inertia": ("Within-cluster sum of squares", "簇内平方和"), "cluster": ("Cluster", "聚类"),
    "spend": ("Past spend", "历史消费额"), "expected_purchases": ("Expected purchases", "预期购买次数"),
    # lifecycle and early warning
    "lifecycle": ("Lifecycle stage", "生命周期阶段"), "stage": ("Stage", "阶段"), "rule": ("Rule", "规则"),
    "customer": ("Customer (pseudonym)", "客户（假名）"), "value_at_risk": ("Value at risk", "流失风险价值"),
    # the customer summary (buy-till-you-die sense)
    "T": ("Customer age T", "客户年龄 T"), "monetary_value": ("Mean repeat spend", "重复购买平均金额"),
    "frequency_early": ("Repeat purchases, first half", "前半段重复购买次数"),
    "frequency_late": ("Repeat purchases, second half", "后半段重复购买次数"),
    "frequency_holdout": ("Purchases in the holdout", "验证期购买次数"),
    "spend_holdout": ("Spend in the holdout", "验证期消费额"), "duration_holdout": ("Holdout length", "验证期时长"),
    "x_frequency": ("Repeat purchases x", "重复购买次数 x"), "x_recency": ("Last purchase t_x", "末次购买时点 t_x"),
    "clv": ("CLV", "客户终身价值 CLV"),
    # covariates, campaign, BG/BB
    "model": ("Model", "模型"), "process": ("Process", "过程"), "covariate": ("Covariate", "协变量"),
    "ratio": ("Rate ratio", "比率"), "p_value": ("p", "p 值"), "arm": ("Arm", "实验组"),
    "effect": ("Effect", "效应"), "n_customers": ("Customers", "客户数"),
    "purchases_campaign": ("Expected purchases, with the campaign", "预期购买次数（参与活动）"),
    "purchases_counterfactual": ("Expected purchases, without", "预期购买次数（未参与）"),
    "clv_campaign": ("CLV per customer, with the campaign", "每位客户 CLV（参与活动）"),
    "clv_counterfactual": ("CLV per customer, without", "每位客户 CLV（未参与）"),
    "clv_effect": ("CLV difference per customer", "每位客户 CLV 差异"),
    "clv_total_effect": ("CLV difference, all the arm's customers", "该组全部客户的 CLV 差异"),
    # the variables appendix
    "variable": ("Column", "列"), "label": ("Label", "名称"), "role": ("Role", "角色"), "unit": ("Unit", "单位"),
}

#: values -> (English, Chinese)
_VALUES = {
    # RFM segments (crmlab.rfm.SEGMENT_RULES): English keeps the rule table's names
    "champions": ("champions", "冠军客户"), "loyal": ("loyal", "忠诚客户"), "at risk": ("at risk", "流失风险"),
    "recent": ("recent", "新近客户"), "promising": ("promising", "潜力客户"),
    "needs attention": ("needs attention", "需要关注"), "hibernating": ("hibernating", "沉睡客户"),
    "lost": ("lost", "已流失"), "other": ("other", "其他"),
    # value tiers (crmlab.rfm.value_tiers)
    "high": ("high value", "高价值客户"), "medium": ("medium value", "中价值客户"), "low": ("low value", "低价值客户"),
    # lifecycle stages (crmlab.segment.lifecycle)
    "new": ("new", "新客户"), "active/growing": ("active/growing", "成长/活跃"), "mature": ("mature", "成熟"),
    "declining": ("declining", "衰退"), "lapsed": ("lapsed", "流失/休眠"),
    # data rules (crmlab.transactions.common.REPORT_RULES) and totals
    "rows_read": ("Rows read", "读入行数"), "header_lines_dropped": ("Repeated header lines dropped", "删除的重复标题行"),
    "status_excluded": ("Rows with an excluded status (e.g. refunded, cancelled)", "状态为已退款/已取消等而排除的行"),
    "after_holdout_dropped": ("Rows after the holdout end dropped", "删除的验证期之后的行"),
    "returns_dropped": ("Refund rows dropped (not netted)", "删除的退款行（未相抵）"),
    "refund_rows_netted": ("Refund rows netted against their purchase", "与原购买相抵的退款行"),
    "refunds_unmatched": ("Refund rows without a purchase to net against (dropped)", "找不到原购买的退款行（已删除）"),
    "purchases_refunded": ("Purchases refunded in full (not purchases)", "全额退款的购买（不计为购买）"),
    "zero_amount_rows": ("Zero-amount rows kept as transactions", "保留为交易的零金额行"),
    "duplicate_rows": ("Exact duplicate rows found", "完全重复的行"),
    "duplicates_dropped": ("Exact duplicate rows dropped", "删除的重复行"),
    "customers_first_after_calibration": ("Customers whose first purchase is after the calibration end",
                                          "首次购买晚于校准期的客户"),
    "attributes_varying": ("Customers whose covariate changes between purchases", "协变量在不同购买间变化的客户"),
    "customers": ("Customers", "客户数"), "repeaters": ("Repeat buyers", "重复购买客户数"),
    "transactions_calibration": ("Transactions in calibration (purchase days)", "校准期交易次数（按购买日）"),
    "repeat_transactions_calibration": ("Repeat transactions in calibration", "校准期重复交易次数"),
    "transactions_holdout": ("Transactions in the holdout", "验证期交易次数"),
    # covariate processes and campaign effects
    "purchase": ("purchase rate", "购买率"), "dropout": ("drop-out rate", "流失率"),
    "dropout_a": ("drop-out, a", "流失（参数 a）"), "dropout_b": ("drop-out, b", "流失（参数 b）"),
    "purchase_rate_ratio": ("purchase rate", "购买率"), "dropout_rate_ratio": ("drop-out rate", "流失率"),
    "dropout_probability_ratio": ("drop-out chance per purchase", "每次购买后的流失概率"),
    "dropout_a_ratio": ("drop-out, beta parameter a", "流失（贝塔参数 a）"),
    "dropout_b_ratio": ("drop-out, beta parameter b", "流失（贝塔参数 b）"),
    # variables appendix roles
    "customer_col": ("customer id", "客户编号"), "date_col": ("purchase date", "购买日期"),
    "amount_col": ("amount", "金额"), "order_col": ("order id", "订单编号"), "status_col": ("order status", "订单状态"),
    "covariates": ("covariate", "协变量"), "kind_money": ("money", "货币"), "kind_date": ("date", "日期"),
    "kind_id": ("identifier", "编号"), "kind_text": ("text or number", "文本或数值"),
}

#: time unit (English singular, see :func:`~crmlab.studies.customers.steps.unit_name`) ->
#: (Chinese count word "52 周" / "9 个月", Chinese axis word "每周" / "每月")
UNIT_WORDS_ZH = {"week": ("周", "周"), "day": ("天", "天"), "month": ("个月", "月"), "unit": ("个时间单位", "时间单位")}

TERMS: dict[str, dict[str, str]] = {
    **{k: {"en": en, "zh": zh} for k, (en, zh) in _COLUMNS.items()},
    **{k + suffix: {"en": f"{_COLUMNS[k][0]} {en}", "zh": _COLUMNS[k][1] + zh} for k in ("silhouette", "bic", "inertia")
       for suffix, (en, zh) in _SUFFIXES.items()},
    **{f"{u}s_since_last": {"en": f"{u.capitalize()}s since last purchase", "zh": f"距上次购买（{axis}）"}
       for u, (_, axis) in UNIT_WORDS_ZH.items()},
    **{k: {"en": en, "zh": zh} for k, (en, zh) in _VALUES.items()},
    "mean": {"en": "Mean", "zh": "均值"}, "std": {"en": "SD", "zh": "标准差"}, "min": {"en": "Min", "zh": "最小值"},
    "max": {"en": "Max", "zh": "最大值"}, "estimate": {"en": "Estimate", "zh": "估计值"},
    "se": {"en": "SE", "zh": "标准误"}, "parameter": {"en": "Parameter", "zh": "参数"},
}

TEXTS: dict[str, dict[str, str]] = {
    "data_report": {
        "en": "What the data rules did: rows read, each rule's count (0: the rule changed nothing), then the customers "
              "and transactions used.",
        "zh": "数据规则的处理结果：读入的行数、每条规则涉及的行数（0 表示该规则未改变任何数据），以及使用的客户数和交易次数。"},
    "customer_summary": {
        "en": "Customer summary at the end of calibration: distribution of each measure across customers "
              "(times in {units}, money in {money}).",
        "zh": "校准期结束时的客户汇总：各指标在客户之间的分布（时间以{units}计，金额单位：{money}）。"},
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
    "clv_interval": {
        "en": "Total expected value of the customers over the next {horizon:g} {units} and the share held by the top "
              "20%, with {level} intervals from {draws} draws of the model parameters.",
        "zh": "现有客户在未来 {horizon:g} {units}内的预期价值合计及前 20% 客户所占比例，附由 {draws} 组模型参数抽样得到的 "
              "{level} 区间。"},
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
              "(pseudonymous ids; the saved table holds the whole list).",
        "zh": "流失预警名单：{n:,} 位有价值客户中流失风险价值最高的 {shown} 位（假名编号；保存的表格包含完整名单）。"},
    "covariate_effects": {
        "en": "Effects of the covariates: each is a ratio of the rate for customers with the covariate one unit "
              "higher (or in the named category rather than {reference}) with its {level} confidence interval; "
              "1 means no effect.",
        "zh": "各协变量的效应：协变量每增加一个单位（或属于所列类别而非{reference}）时相应比率的倍数及其 {level} "
              "置信区间；1 表示没有效应。"},
    "campaign_effects": {
        "en": "The campaign's effects on purchasing and drop-out against {control}: rate ratios with {level} "
              "confidence intervals (1: no effect).",
        "zh": "营销活动相对于{control}对购买与流失的效应：比率及其 {level} 置信区间（1 表示没有效应）。"},
    "campaign_value": {
        "en": "Expected purchases and CLV per customer over the next {horizon:g} {units}, with and without the "
              "campaign, and the difference per customer and for all of the arm's customers ({level} intervals).",
        "zh": "未来 {horizon:g} {units}内每位客户的预期购买次数与 CLV：参与与未参与活动两种情形，以及每位客户和该组全部"
              "客户的差异（{level} 区间）。"},
    "bgbb_parameters": {
        "en": "BG/BB estimates ({period} as purchase opportunities) with {level} confidence intervals.",
        "zh": "BG/BB 模型的估计值（以{period}为购买机会）及其 {level} 置信区间。"},
    "variables": {
        "en": "The columns of the log this study used: name in the data, label, role and unit.",
        "zh": "本研究使用的交易记录各列：数据中的列名、名称、角色和单位。"},
}

CATALOG = Catalog("segmentation_clv", terms=TERMS, texts=TEXTS, narrative=Path(__file__).with_name("narrative.yaml"))

#: BG/BB periods in words: (English plural, Chinese)
PERIOD_WORDS = {"weeks": ("weeks", "周"), "months": ("months", "月"), "quarters": ("quarters", "季度"),
                "years": ("years", "年")}


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


def money_word() -> str:
    """The currency for a caption: ``$`` / ``美元``; ``the data's currency`` / ``数据中的货币`` when none is known."""
    from crmlab.report.fmt import currency_unit

    unit = currency_unit()
    if unit:
        return unit.replace("$", "\\$")
    return "数据中的货币" if current_lang() == "zh" else "the data's currency"


def money(x) -> str:
    """An amount with its currency for Markdown (:func:`crmlab.report.fmt.fmt_money`, ``$`` escaped: Jupyter
    reads ``$...$`` as mathematics): ``\\$72,439`` shows as $72,439; ``72,439 美元``."""
    from crmlab.report.fmt import fmt_money

    return fmt_money(x).replace("$", "\\$")


def signed_money(x) -> str:
    """:func:`money` with ``+`` before a positive amount (a difference)."""
    return ("+" if float(x) > 0 else "") + money(x)


def money_range(low, high, *, signed: bool = False) -> str:
    """An interval of amounts for a sentence: ``$65,255 to $80,079`` / ``65,255 至 80,079 美元`` (the Chinese
    currency word once, after the upper end)."""
    from crmlab.report.fmt import currency_unit

    fmt = signed_money if signed else money
    a, b = fmt(low), fmt(high)
    if current_lang() == "zh":
        if currency_unit():
            a = a.rsplit(" ", 1)[0]
        return f"{a} 至 {b}"
    return f"{a} to {b}"


def period_word(period: str) -> str:
    """A BG/BB period in words (``months`` / ``月``)."""
    en, zh = PERIOD_WORDS.get(period, (period, period))
    return zh if current_lang() == "zh" else en


def method_name(method: str) -> str:
    """Display name of a clustering method (English keeps the parameter value)."""
    if current_lang() != "zh":
        return method
    return {"kmeans": "k-means", "gmm": "高斯混合模型 (GMM)"}.get(method, method)


def level_words(level: float) -> str:
    """A confidence level for a caption or header: ``95%`` (``97.5%``)."""
    return f"{100 * level:g}%"


def label(code) -> str:
    """A column of the log by its codebook label in the report's language (the column name without one),
    escaped for Markdown and quoted: “Purchase date”."""
    from crmlab.report.i18n import term
    from crmlab.report.narrative import md_escape

    return f"“{md_escape(term(str(code)))}”"
