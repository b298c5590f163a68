"""Words of study 4 (retention experiments and time to churn) in English and Simplified Chinese: display
names of columns and values, word helpers for money, time, effects and model terms, and the study's catalog.

Captions are in :mod:`.captions`, sentences written from the numbers in :mod:`.sentences` (and the key findings
and summary in :mod:`.findings`), readable table copies in :mod:`.tables`, the narrative sections in
``narrative.yaml``. The data's own columns and values are named by the codebook of the run (the bundled tables
ship theirs), which :func:`crmlab.report.i18n.term` consults before these terms. Chinese terms, one per concept:
客户保留, 流失, 流失预警, 随机实验, 分组 (an arm), 实验组 (a treated arm), 对照组, 样本比例失衡, 协变量平衡, 效应,
相对提升, 增益 (a customer's uplift), 增益模型, Qini 曲线, 净价值, 投资回报率 (ROI), 生存分析, 仍为客户的比例,
Kaplan-Meier 生存曲线, 对数秩检验, Cox 比例风险模型, 风险比, 限制平均生存时间 (RMST), 保留率, 风险价值.
"""
from __future__ import annotations

import re
from pathlib import Path

from crmlab.report.fmt import currency_unit, fmt_money, fmt_num
from crmlab.report.i18n import Catalog, current_lang, pick, term
from crmlab.report.narrative import interval, md_escape
from crmlab.studies.retention.captions import TEXTS

#: display names of this study's result columns and values, both languages
TERMS: dict[str, dict[str, str]] = {
    # design
    "outcome": {"en": "outcome", "zh": "结果变量"}, "effect": {"en": "effect", "zh": "效应"},
    "n_per_arm": {"en": "customers per arm", "zh": "每组客户数"}, "n_total": {"en": "customers in all", "zh": "客户总数"},
    "rate": {"en": "rate", "zh": "比率"},
    # randomisation checks
    "arm": {"en": "arm", "zh": "分组"}, "observed": {"en": "observed", "zh": "实际数"},
    "expected": {"en": "expected", "zh": "期望数"}, "share_observed": {"en": "observed share", "zh": "实际占比"},
    "share_expected": {"en": "design share", "zh": "设计占比"}, "covariate": {"en": "covariate", "zh": "协变量"},
    "mean_treated": {"en": "treated mean", "zh": "实验组均值"}, "mean_control": {"en": "control mean", "zh": "对照组均值"},
    "smd": {"en": "SMD", "zh": "标准化均值差"},
    # effects
    "kind": {"en": "kind", "zh": "类型"}, "method": {"en": "method", "zh": "方法"},
    "n_treated": {"en": "treated n", "zh": "实验组客户数"}, "n_control": {"en": "control n", "zh": "对照组客户数"},
    "lift": {"en": "relative lift", "zh": "相对提升"}, "p_holm": {"en": "Holm p", "zh": "Holm 校正 p 值"},
    "estimate_unadjusted": {"en": "unadjusted estimate", "zh": "未调整估计值"},
    "se_unadjusted": {"en": "unadjusted SE", "zh": "未调整标准误"},
    "variance_reduction": {"en": "variance reduction", "zh": "方差缩减"},
    "segment_variable": {"en": "segmented by", "zh": "细分变量"},
    "segment_level": {"en": "customer segment", "zh": "细分群体"},
    "effect_ci": {"en": "effect [CI]", "zh": "效应 [置信区间]"},
    "se": {"en": "SE", "zh": "标准误"},
    "ci_low": {"en": "CI low", "zh": "置信区间下限"}, "ci_high": {"en": "CI high", "zh": "置信区间上限"},
    "n": {"en": "customers", "zh": "客户数"},
    # uplift and policy
    "learner": {"en": "learner", "zh": "学习器"}, "auuc": {"en": "AUUC", "zh": "AUUC"},
    "qini_random": {"en": "random targeting", "zh": "随机投放面积"},
    "qini_coefficient": {"en": "Qini coefficient", "zh": "Qini 系数"},
    "fraction": {"en": "share contacted", "zh": "联系客户比例"},
    "incremental_value": {"en": "incremental value", "zh": "增量价值"}, "cost": {"en": "contact cost", "zh": "联系成本"},
    "net_value": {"en": "net value", "zh": "净价值"}, "roi": {"en": "ROI", "zh": "投资回报率 ROI"},
    # survival
    "stratum": {"en": "group", "zh": "组别"}, "group": {"en": "group", "zh": "组别"},
    "events": {"en": "churned", "zh": "流失客户数"}, "median": {"en": "median", "zh": "中位数"},
    "median_ci_low": {"en": "median CI low", "zh": "中位数区间下限"},
    "median_ci_high": {"en": "median CI high", "zh": "中位数区间上限"},
    "o_minus_e_sq_over_v": {"en": "(O−E)²/V", "zh": "(O−E)²/V"}, "tau": {"en": "horizon", "zh": "截止时间"},
    "rmst": {"en": "RMST", "zh": "限制平均生存时间"},
    "diff": {"en": "difference", "zh": "差值"}, "diff_se": {"en": "SE (difference)", "zh": "差值标准误"},
    "coef": {"en": "coefficient", "zh": "系数"}, "hr": {"en": "HR", "zh": "风险比"},
    "chi2": {"en": "chi-square", "zh": "卡方"},
    # churn early warning
    "auc": {"en": "AUC", "zh": "AUC"}, "auc_fold_sd": {"en": "AUC sd across folds", "zh": "AUC 折间标准差"},
    "pr_auc": {"en": "PR-AUC", "zh": "PR-AUC"}, "brier": {"en": "Brier score", "zh": "Brier 分数"},
    "base_rate": {"en": "churn rate", "zh": "基准流失率"}, "bin": {"en": "risk decile", "zh": "风险十分位"},
    "churners": {"en": "churned", "zh": "流失客户数"}, "churn_rate": {"en": "churn rate", "zh": "流失率"},
    "share_targeted": {"en": "share of customers", "zh": "覆盖客户比例"},
    "cumulative_gain": {"en": "churners caught", "zh": "累计捕获率"},
    "customer": {"en": "customer (pseudonym)", "zh": "客户（假名）"}, "p_churn": {"en": "P(churn)", "zh": "流失概率"},
    "value": {"en": "value at stake", "zh": "客户价值"}, "value_at_risk": {"en": "value at risk", "zh": "风险价值"},
    "lift_ratio": {"en": "lift (x average)", "zh": "提升度（倍）"},
    # values of the result tables
    "binary": {"en": "yes/no", "zh": "是/否"}, "continuous": {"en": "amount", "zh": "数值"},
    "newcombe CI, pooled z test": {"en": "Newcombe interval, pooled z test", "zh": "Newcombe 区间，合并 z 检验"},
    "wald CI, pooled z test": {"en": "Wald interval, pooled z test", "zh": "Wald 区间，合并 z 检验"},
    "Welch t": {"en": "Welch t test", "zh": "Welch t 检验"},
    "gbm": {"en": "gradient boosting", "zh": "梯度提升"}, "logistic": {"en": "logistic regression", "zh": "逻辑回归"},
    # proportional-hazards check
    "chisq": {"en": "chi-square", "zh": "卡方"}, "df": {"en": "df", "zh": "自由度"},
    "GLOBAL": {"en": "GLOBAL (all terms)", "zh": "整体（全部变量）"},
    # sequential monitoring
    "first_time": {"en": "called on", "zh": "宣布时间"},
    "naive_first_look": {"en": "naive call (look)", "zh": "常规区间宣布（查看次序）"},
    "cs": {"en": "confidence sequence", "zh": "置信序列"},
    "fixed": {"en": "fixed interval", "zh": "固定样本量区间"},
    "p_anytime": {"en": "always-valid p", "zh": "随时有效 p 值"},
    "width_ratio": {"en": "width ratio", "zh": "宽度倍数"},
    "confidence_sequence": {"en": "confidence sequence", "zh": "置信序列"},
    "naive_daily": {"en": "naive daily intervals", "zh": "每日常规区间"},
    "fixed_end": {"en": "one look at the end", "zh": "仅在最后查看一次"},
    "error": {"en": "false-alarm rate", "zh": "误报率（第一类错误）"},
    "mc_se": {"en": "Monte Carlo SE", "zh": "蒙特卡洛标准误"},
    # ratio metrics
    "metric": {"en": "metric", "zh": "指标"}, "ratio_control": {"en": "control ratio", "zh": "对照组比率"},
    "ratio_treated": {"en": "treated ratio", "zh": "实验组比率"},
    "lift_ci": {"en": "lift [CI]", "zh": "相对提升 [置信区间]"},
    # budgeted targeting
    "budget": {"en": "budget", "zh": "预算"}, "n_contacts": {"en": "customers contacted", "zh": "联系客户数"},
    "share_contacted": {"en": "share contacted", "zh": "联系客户比例"},
    # churn by reason (the simulated data's values and covariates)
    "cause": {"en": "reason", "zh": "流失原因"}, "cif": {"en": "cumulative incidence", "zh": "累积发生率"},
    "cif_true": {"en": "true", "zh": "真实值"}, "time": {"en": "time", "zh": "时间"},
    "stat": {"en": "chi-square", "zh": "卡方"},
    "voluntary": {"en": "voluntary", "zh": "主动流失"}, "involuntary": {"en": "involuntary", "zh": "被动流失"},
    "senior": {"en": "senior", "zh": "老年客户"}, "charges": {"en": "charges (standardised)", "zh": "月费（标准化）"},
    "contract": {"en": "contract", "zh": "合同类型"}, "Month-to-month": {"en": "Month-to-month", "zh": "按月合同"},
    "One year": {"en": "One year", "zh": "一年合同"}, "Two year": {"en": "Two year", "zh": "两年合同"},
    "hr_true": {"en": "true HR", "zh": "真实风险比"}, "cs_hr": {"en": "cause-specific HR", "zh": "特定原因风险比"},
    "shr": {"en": "Fine-Gray HR", "zh": "Fine-Gray 子分布风险比"},
    # parametric time to churn
    "likelihood": {"en": "likelihood", "zh": "似然类型"}, "partial": {"en": "partial", "zh": "偏似然"},
    "full": {"en": "full", "zh": "完全似然"}, "loglik": {"en": "log-likelihood", "zh": "对数似然"},
    "aic": {"en": "AIC", "zh": "AIC"}, "concordance": {"en": "concordance", "zh": "一致性指数"},
    "shape": {"en": "shape", "zh": "形状参数"},
    "aft_cox": {"en": "Cox", "zh": "Cox"}, "aft_weibull": {"en": "Weibull", "zh": "Weibull"},
    "aft_loglogistic": {"en": "log-logistic", "zh": "对数逻辑斯蒂"},
    "hr_weibull": {"en": "Weibull HR", "zh": "Weibull 隐含风险比"},
    "time_ratio_weibull": {"en": "time ratio (Weibull)", "zh": "时间比（Weibull）"},
    "time_ratio_loglogistic": {"en": "time ratio (log-logistic)", "zh": "时间比（对数逻辑斯蒂）"},
    "n_active": {"en": "active customers", "zh": "现有客户数"},
    "mean_tenure": {"en": "mean time so far", "zh": "平均已有时长"},
    "remaining_weibull": {"en": "remaining, Weibull", "zh": "预期剩余时长（Weibull）"},
    "remaining_loglogistic": {"en": "remaining, log-logistic", "zh": "预期剩余时长（对数逻辑斯蒂）"},
    # contractual renewals (sBG)
    "customers": {"en": "customers", "zh": "客户数"}, "churned": {"en": "churned", "zh": "流失客户数"},
    "alpha": {"en": "α", "zh": "α"}, "beta": {"en": "β", "zh": "β"},
    "retention_1": {"en": "retention, period 1", "zh": "首期保留率"},
    "derl": {"en": "DERL", "zh": "折现预期剩余期数"},
    "active": {"en": "active customers", "zh": "现有客户数"},
    "residual_value": {"en": "residual value", "zh": "现有客户剩余价值"},
    "fitted": {"en": "sBG model", "zh": "sBG 模型"},
    # variables appendix
    "variable": {"en": "code", "zh": "代码"}, "data_table": {"en": "table", "zh": "数据表"}, "role": {"en": "role", "zh": "用途"},
    "label_en": {"en": "label (English)", "zh": "英文名称"}, "label_zh": {"en": "label (Chinese)", "zh": "中文名称"},
    "unit": {"en": "unit", "zh": "单位"}, "experiment": {"en": "experiment", "zh": "实验表"},
    "survival": {"en": "churn table", "zh": "流失表"},
    "role_arm": {"en": "arm", "zh": "分组"}, "role_outcome": {"en": "outcome", "zh": "结果变量"},
    "role_covariate": {"en": "covariate", "zh": "协变量"}, "role_segment": {"en": "segment", "zh": "细分变量"},
    "role_arrival": {"en": "arrival day", "zh": "进入日期"}, "role_duration": {"en": "time as a customer", "zh": "客户时长"},
    "role_event": {"en": "churn", "zh": "是否流失"}, "role_strata": {"en": "groups", "zh": "分组变量"},
    "role_cox": {"en": "Cox and AFT covariate", "zh": "Cox 与 AFT 协变量"}, "role_value": {"en": "value per period",
                                                                                       "zh": "每期价值"},
    "role_reason": {"en": "churn reason", "zh": "流失原因"}, "role_id": {"en": "customer id (pseudonymised)",
                                                                       "zh": "客户编号（假名化）"},
    "role_predictor": {"en": "churn predictor", "zh": "流失预测变量"},
    "money": {"en": "money", "zh": "金额"}, "days": {"en": "days", "zh": "天"}, "weeks": {"en": "weeks", "zh": "周"},
    "months": {"en": "months", "zh": "月"}, "years": {"en": "years", "zh": "年"},
}

# --------------------------------------------------------------------------- the data's units
_DATA: dict = {"codebook": None, "time_unit": None, "control": None, "money": set()}

#: a unit of time: (English plural, Chinese after a number, Chinese in a header)
TIME_WORDS = {"days": ("days", "天", "天"), "weeks": ("weeks", "周", "周"), "months": ("months", "个月", "月"),
              "years": ("years", "年", "年"), None: ("periods", "期", "期")}


def use_data(codebook=None, time_unit: str | None = None, *, control=None, money_columns=()) -> None:
    """The codebook, the unit of time, the control arm's label and further money columns of the run (set by the
    study's :func:`~crmlab.studies.retention.begin`)."""
    _DATA.update(codebook=codebook, time_unit=time_unit, control=None if control is None else str(control),
                 money={str(c) for c in money_columns or ()})


def arm_name(label) -> str:
    """An arm in words: its label from the codebook, else the label itself, unless the label is a bare code
    (``0``, ``1``, ``A``): then ``control (0)`` / ``对照组（0）`` or ``arm 1`` / ``实验组 1``."""
    text_ = term(label)
    code = str(label).strip()
    if text_ != code or not (code.isdigit() or len(code) <= 2):
        return text_
    if code == _DATA["control"]:
        return pick(en=f"control ({code})", zh=f"对照组（{code}）")
    return pick(en=f"arm {code}", zh=f"实验组 {code}")


def arm_names(items) -> str:
    """Arms joined for a sentence (:func:`arm_name`)."""
    from crmlab.report.narrative import join_words

    words = [md_escape(arm_name(x)) for x in items]
    if current_lang() == "zh":
        return words[0] if len(words) == 1 else "、".join(words[:-1]) + "和" + words[-1] if words else ""
    return join_words(words)


def is_money(column: str) -> bool:
    """True when the codebook gives ``column`` the unit ``money``."""
    if str(column) in _DATA["money"]:
        return True
    cb = _DATA["codebook"]
    entry = cb.columns.get(column) if cb is not None else None
    return bool(entry is not None and (entry.unit or "").lower() in ("money", "currency"))


def time_unit() -> str:
    """The unit of time in words: ``months`` / ``个月`` (``periods`` / ``期`` when the run does not know it)."""
    en, zh, _ = TIME_WORDS.get(_DATA["time_unit"], TIME_WORDS[None])
    return pick(en=en, zh=zh)


def unit_name() -> str:
    """The unit of time as a caption names it: ``months`` / ``月`` (``periods`` / ``期`` when unknown)."""
    en, _, zh = TIME_WORDS.get(_DATA["time_unit"], TIME_WORDS[None])
    return pick(en=en, zh=zh)


def with_time(x, sig: int = 3) -> str:
    """A time with its unit: ``29.3 months`` / ``29.3 个月``."""
    return f"{fmt_num(x, sig)} {time_unit()}"


def time_header(name: str) -> str:
    """A header or axis label of a time figure: ``median time to churn (months)`` / ``流失时间中位数（月）``."""
    en, _, zh = TIME_WORDS.get(_DATA["time_unit"], TIME_WORDS[None])
    return pick(en=f"{name} ({en})", zh=f"{name}（{zh}）")


def money_header(name: str) -> str:
    """A header or axis label of a money figure: ``net value ($)`` / ``净价值（美元）`` (as it is without a currency)."""
    unit = currency_unit()
    if not unit:
        return name
    return pick(en=f"{name} ({unit})", zh=f"{name}（{unit}）")


def md_money(markdown: str) -> str:
    """Markdown with its dollar signs escaped (``\\$``), so that ``$0.30 [$0.12, $0.46]`` is not read as
    mathematics in JupyterLab; tables take the plain amounts."""
    return re.sub(r"(?<!\\)\$", r"\\$", markdown)


def money(x) -> str:
    """An amount with the run's currency (:func:`crmlab.report.fmt.fmt_money`)."""
    return fmt_money(x)


def money_interval(est, low, high, *, sign: bool = False) -> str:
    """An amount with its interval, currency once: ``$0.30 [$0.12, $0.46]`` / ``0.30 [0.12, 0.46] 美元``."""
    core = interval(est, low, high, sign=sign)
    unit = currency_unit()
    if not unit:
        return core
    if current_lang() == "zh":
        return f"{core} {unit}"
    head, _, rest = core.partition(" [")
    lo, _, hi = rest.rstrip("]").partition(", ")

    def cur(v):
        v = v.strip()
        sgn = v[0] if v[:1] in "+-" else ""
        return f"{sgn}{unit}{v[len(sgn):]}" if v != "-" else v
    return f"{cur(head)} [{cur(lo)}, {cur(hi)}]" if rest else cur(head)


def pp_interval(est, low, high, *, sign: bool = True) -> str:
    """A difference of two rates in percentage points: ``+7.7 pp [7.0, 8.3]`` / ``+7.7 个百分点 [7.0, 8.3]``."""
    core = interval(100 * est, 100 * low, 100 * high, sign=sign)
    head, sep, rest = core.partition(" [")
    return f"{head} {pick(en='pp', zh='个百分点')}{sep}{rest}"


def effect_text(est, low, high, outcome: str, kind: str) -> str:
    """An effect with its interval in its unit: percentage points for a yes/no outcome, money for a money
    outcome (codebook unit ``money``), the plain number otherwise."""
    if kind == "binary":
        return pp_interval(est, low, high)
    if is_money(outcome):
        return money_interval(est, low, high, sign=True)
    return interval(est, low, high, sign=True)


def effect_value(est, outcome: str, kind: str) -> str:
    """An effect without its interval, in its unit: ``+7.66 pp``, ``+$0.77`` / ``+0.77 美元``, ``+0.770``."""
    from crmlab.report.narrative import pct

    if kind == "binary":
        return pct(est, 2, sign=True).replace("%", " " + pick(en="pp", zh="个百分点"))
    if is_money(outcome):
        return ("+" if est > 0 else "") + money(est)
    return ("+" if est > 0 else "") + fmt_num(est)


def level_text(value, outcome: str, kind: str) -> str:
    """A mean or rate of an outcome in its unit: ``10.6%``, ``$1.06`` or the number."""
    from crmlab.report.narrative import pct

    if kind == "binary":
        return pct(value)
    return money(value) if is_money(outcome) else fmt_num(value)


# --------------------------------------------------------------------------- names
def name(x) -> str:
    """A column or value name for a sentence, in the current language, escaped for Markdown."""
    return md_escape(term(x))


def names(items) -> str:
    """Names joined for a sentence: ``a, b and c`` / ``a、b和c``."""
    from crmlab.report.narrative import join_words

    words = [name(x) for x in items]
    if current_lang() == "zh":
        return words[0] if len(words) == 1 else "、".join(words[:-1]) + "和" + words[-1] if words else ""
    return join_words(words)


def term_label(t: str) -> str:
    """A model term in words: ``contract=One year`` -> ``Contract (One year)`` / ``合同类型（一年合同）``."""
    if isinstance(t, str) and "=" in t:
        col, _, lvl = t.partition("=")
        return f"{term(col)}（{term(lvl)}）" if current_lang() == "zh" else f"{term(col)} ({term(lvl)})"
    return term(t)


def model_name(key: str) -> str:
    """Display name of a churn model (``gbm``, ``logistic``)."""
    return term(key)


def learner_name(key: str) -> str:
    """Display name of an uplift meta-learner (``t``, ``x``, ``dr``): ``T-learner`` / ``T 学习器``."""
    return pick(en=f"{key.upper()}-learner", zh=f"{key.upper()} 学习器")


def zph_ylabel(key: str, multi: bool) -> str:
    """Y label of a scaled Schoenfeld residual plot: the term's effect over time (a factor relative to its average)."""
    if multi:
        return pick(en=f"{term(key)}: effect / its average", zh=f"{term(key)}：效应 / 平均效应")
    return pick(en=f"β(t) of {term(key)} (log HR)", zh=f"{term(key)} 的 β(t)（对数风险比）")


def term_listing(items) -> str:
    """Names listed in a caption in the current language: ``Contract, Has a partner`` / ``合同类型、有伴侣``."""
    return listing([term_label(x) for x in items])


def listing(items) -> str:
    """Items listed in a caption: ``12, 24, 48`` / ``12、24、48``."""
    return ("、" if current_lang() == "zh" else ", ").join(map(str, items))


def times_listing(times) -> str:
    """Times listed with their unit: ``12, 24 and 48 months`` / ``12、24 和 48 个月``."""
    from crmlab.report.narrative import join_words

    return f"{join_words([fmt_num(t) for t in times])} {time_unit()}"


CATALOG = Catalog("retention_experiments", terms=TERMS, texts=TEXTS,
                  narrative=Path(__file__).with_name("narrative.yaml"))


def share(x) -> str:
    """A share or rate for a caption: ``1.0%``."""
    from crmlab.report.narrative import pct

    return pct(x)


def reading(parts) -> str:
    """The "how to read it" notes of the parts that ran."""
    from crmlab.report.i18n import section_text

    keys = (["reading_experiment"] if parts.exp is not None else []) + (
        ["reading_survival"] if parts.surv is not None else [])
    return "\n".join(section_text(k).rstrip() for k in keys)
