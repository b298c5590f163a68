"""Words of the satisfaction-loyalty study (study 1) in English and Simplified Chinese.

Display names of table columns (:data:`TERMS`, passed to :func:`crmlab.report.i18n.translate_columns`)
and the interpretation sentences the notebook writes from the numbers. Saved tables and
``results.json`` keep their English names; only what the reader sees changes with ``lang``.
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.i18n import translate_columns
from crmlab.loyalty import label, p_text
from crmlab.report import fmt_ci, fmt_num, fmt_p

__all__ = ["TERMS", "VALUE_COLUMNS", "P_COLUMNS", "show", "readable", "describe_data", "pls_heading",
           "describe_pls", "cbsem_heading", "describe_mediation", "describe_multigroup"]

#: Column and index names of the study's displayed tables (en keeps the stable English name).
TERMS: dict[str, dict[str, str]] = {k: {"en": k, "zh": v} for k, v in {
    # measurement
    "construct": "构念", "items": "题项数", "alpha": "Cronbach's α", "omega": "McDonald's ω",
    "rho_c": "组合信度 ρc", "ave": "平均方差抽取量 AVE", "item": "题项", "loading": "载荷", "weight": "权重",
    "communality": "共同度",
    # bootstrap and path tables
    "term": "参数", "original": "估计值", "mean": "自助法均值", "se": "标准误", "t": "t 值",
    "ci_low": "置信区间下限", "ci_high": "置信区间上限", "path": "路径", "source": "起点",
    "target": "终点", "estimate": "估计值", "std_estimate": "标准化估计值", "p": "p 值",
    # shape of satisfaction -> loyalty
    "model": "模型", "params": "参数个数", "rss": "残差平方和", "aic": "AIC", "bic": "BIC",
    "cv_mse": "交叉验证均方误差", "cv_se": "交叉验证标准误", "scores": "得分类型",
    # not loyal by level, typology
    "level": "满意度等级", "low": "下限", "high": "上限", "not_loyal": "不忠诚人数", "share": "占比",
    "kotler": "Kotler 流失率", "type": "类型",
    # penalty-reward contrast analysis
    "attribute": "属性", "low_cut": "低绩效分界值", "high_cut": "高绩效分界值", "n_low": "低绩效人数",
    "n_high": "高绩效人数", "penalty": "罚分", "reward": "奖励", "se_penalty": "罚分标准误",
    "se_reward": "奖励标准误", "p_asymmetry": "非对称性 p 值", "factor": "因素类型",
    # mediation, multi-group
    "chain": "中介路径", "direct": "直接效应", "share_mediated": "中介效应占比", "group_a": "组 A",
    "group_b": "组 B", "estimate_a": "组 A 估计值", "estimate_b": "组 B 估计值", "difference": "差异",
    "p_value": "置换检验 p 值",
    # columns of the display copies made by readable(): an estimate with its 95% interval
    "estimate [95% CI]": "估计值 [95% 置信区间]", "HTMT [95% CI]": "HTMT [95% 置信区间]",
    "share [95% CI]": "占比 [95% 置信区间]", "pair": "构念对",
}.items()}

#: Columns whose values are words with a Chinese display name (:data:`crmlab.loyalty.LABELS_ZH`).
VALUE_COLUMNS = ("level", "type", "factor", "model", "scores", "group_a", "group_b")


def show(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy of a study table for display: headers and word values in ``lang`` (numbers unchanged)."""
    if lang != "zh":
        return df
    out = df.copy()
    for c in VALUE_COLUMNS:
        if c in out.columns:
            out[c] = out[c].map(lambda v: label(v, lang))
    return translate_columns(out, lang, extra=TERMS)


#: Columns that hold p-values (shown with :func:`crmlab.report.fmt_p`).
P_COLUMNS = ("p", "p_value", "p_asymmetry")
_TABLE_P = ("p", "p_value", "p_holm", "pvalue")  # the p columns crmlab.report.format_table knows


def readable(df: pd.DataFrame, lang: str = "en", intervals: dict | None = None, drop=(),
             sig: dict | None = None, index: str | None = None) -> pd.DataFrame:
    """A display copy of a study table: p-values formatted, each estimate joined with its interval, in ``lang``.

    ``intervals`` maps a new column name to ``(estimate, low, high)`` columns; the three are replaced
    by one text column ``"0.42 [0.31, 0.53]"`` (:func:`crmlab.report.fmt_ci`) where the estimate was.
    ``drop`` removes columns from the display, ``sig`` gives columns their own significant digits,
    ``index`` makes a column (e.g. ``level``, its values translated too) the row labels.
    The rest of the numbers are left to :func:`crmlab.report.format_table` (in ``show_table``).
    The saved table is not touched.

    >>> df = pd.DataFrame({"original": [0.4213], "ci_low": [0.3087], "ci_high": [0.5321], "p": [0.0002]})
    >>> readable(df, "zh", intervals={"estimate [95% CI]": ("original", "ci_low", "ci_high")}).iloc[0].to_dict()
    {'估计值 [95% 置信区间]': '0.42 [0.31, 0.53]', 'p 值': '< 0.001'}
    """
    out = df.drop(columns=list(drop)).copy()
    for c in P_COLUMNS:
        # format_table formats "p" and "p_value" itself, but only under their English names
        if c in out.columns and (lang == "zh" or c not in _TABLE_P):
            out[c] = out[c].map(fmt_p)
    for c, d in (sig or {}).items():
        if c in out.columns:
            out[c] = out[c].map(lambda v, d=d: fmt_num(v, d))
    for name, (est, lo, hi) in (intervals or {}).items():
        joined = [fmt_ci(e, a, b) for e, a, b in zip(out[est], out[lo], out[hi])]
        pos = list(out.columns).index(est)
        out = out.drop(columns=[est, lo, hi])
        out.insert(min(pos, len(out.columns)), name, joined)
    pos = list(out.columns).index(index) if index is not None else None
    out = show(out, lang)
    return out if pos is None else out.set_index(out.columns[pos])


def describe_data(prep, spec, lang: str = "en") -> str:
    """Respondents used and dropped, and the size of the model."""
    if lang == "zh":
        return (f"**数据**：{prep.summary(lang)}模型：{len(spec.names)} 个构念、{len(spec.items)} 个题项、"
                f"{len(spec.paths)} 条路径。缺失值按列表删除法（listwise）处理。")
    return (f"**Data.** {prep.summary()} Model: {len(spec.names)} constructs, {len(spec.items)} items, "
            f"{len(spec.paths)} paths. Missing values are handled by listwise deletion.")


_SCHEMES_ZH = {"path": "路径加权", "centroid": "形心加权", "factorial": "因子加权"}


def pls_heading(pls, lang: str = "en") -> str:
    """The PLS model in one line: scheme, n, GoF and R² of each endogenous construct."""
    r2 = ", ".join(f"{k}: {fmt_num(v)}" for k, v in pls.r2_.items())
    if lang == "zh":
        return (f"**PLS 路径模型**（内部权重：{_SCHEMES_ZH.get(pls.scheme, pls.scheme)}，n = {pls.data_.n_used}，"
                f"GoF = {fmt_num(pls.gof_)}）。决定系数 R²：{r2}")
    return f"**PLS path model** ({pls.scheme} scheme, n = {pls.data_.n_used}, GoF = {fmt_num(pls.gof_)}). R²: {r2}"


def describe_pls(pls, boot, satisfaction: str, loyalty: str, lang: str = "en") -> str:
    """R² of satisfaction and loyalty, the direct satisfaction -> loyalty path, which intervals exclude zero."""
    paths = boot.paths
    sig = paths[(paths["ci_low"] > 0) | (paths["ci_high"] < 0)]
    nonsig = paths.drop(sig.index)
    key = f"{loyalty}~{satisfaction}"
    r2s, r2l = pls.r2_.get(satisfaction, float("nan")), pls.r2_.get(loyalty, float("nan"))
    r = paths.loc[key] if key in paths.index else None
    ci = fmt_ci(r.original, r.ci_low, r.ci_high) if r is not None else ""
    if lang == "zh":
        txt = [f"模型对 {satisfaction} 的决定系数 R² = {fmt_num(r2s, 2)}，对 {loyalty} 的 R² = {fmt_num(r2l, 2)}"
               f"（GoF {fmt_num(pls.gof_, 2)}；自助抽样 {boot.n_resamples} 次，其中 {boot.n_failed} 次未收敛）。"]
        if r is not None:
            txt.append(f"直接路径 {satisfaction} → {loyalty} 的系数为 {ci}（95% 自助法置信区间；标准误 "
                       f"{fmt_num(r.se, 2)}）。")
        txt.append("置信区间不含零的路径：" + ("、".join(sig.index) or "无") + "。"
                   "置信区间包含零的路径：" + ("、".join(nonsig.index) or "无") + "。")
        if r is not None:
            txt.append(_meaning_pls(r, satisfaction, loyalty, lang))
        return "".join(txt)
    txt = [f"The model explains R² = {fmt_num(r2s, 2)} of {satisfaction} and {fmt_num(r2l, 2)} of {loyalty} "
           f"(GoF {fmt_num(pls.gof_, 2)}; {boot.n_resamples} resamples, {boot.n_failed} not converged)."]
    if r is not None:
        txt.append(f"The direct path {satisfaction} → {loyalty} is {ci} (95% bootstrap CI; SE {fmt_num(r.se, 2)}).")
    txt.append("Paths whose interval excludes zero: " + (", ".join(sig.index) or "none") + ". "
               "Paths whose interval includes zero: " + (", ".join(nonsig.index) or "none") + ".")
    if r is not None:
        txt.append(_meaning_pls(r, satisfaction, loyalty, lang))
    return " ".join(txt)


def _meaning_pls(r, satisfaction: str, loyalty: str, lang: str = "en") -> str:
    """The direct satisfaction -> loyalty path in plain words (standardised scores, other predictors fixed)."""
    excl = r.ci_low > 0 or r.ci_high < 0
    b = fmt_num(abs(r.original), 2)
    if lang == "zh":
        return (f"含义：在 {loyalty} 的其他前因保持不变时，{satisfaction} 每高一个标准差，{loyalty} 平均"
                f"{'高' if r.original >= 0 else '低'}约 {b} 个标准差"
                + ("；置信区间不含零，这一效应明确不为零。" if excl else "；但置信区间包含零，数据无法排除没有效应。"))
    return (f"What this means: with the other predictors of {loyalty} held fixed, respondents one standard deviation "
            f"more satisfied ({satisfaction}) are about {b} SD {'more' if r.original >= 0 else 'less'} loyal "
            f"({loyalty})" + ("; the interval excludes zero, so the link is clearly non-zero." if excl else
                              "; the interval includes zero, so the data cannot rule out no effect."))


def _fit_stat(k, v) -> str:
    if k in ("pvalue", "p"):
        return p_text(v)
    return f"{k} = {fmt_num(v) if isinstance(v, float) else v}"


def cbsem_heading(cb, lang: str = "en") -> str:
    """The covariance-based model in one line: estimator, n and the fit statistics."""
    fit = ", ".join(_fit_stat(k, v) for k, v in cb.fit.items())
    if lang == "zh":
        return f"**协方差结构方程模型 CB-SEM**（最大似然估计，semopy），n = {cb.n}：{fit}"
    return f"**CB-SEM (ML, semopy)** n = {cb.n}: {fit}"


def describe_mediation(through: pd.DataFrame, satisfaction: str, lang: str = "en") -> str:
    """How many indirect chains through satisfaction have a bootstrap interval excluding zero, and what that means."""
    sig = through[(through["ci_low"] > 0) | (through["ci_high"] < 0)]
    items = [f"{r.chain} = {fmt_ci(r.estimate, r.ci_low, r.ci_high)}" for r in sig.itertuples()]
    top = sig.loc[sig["estimate"].abs().idxmax()] if len(sig) else None
    ends = ([str(c).split("->") for c in sig["chain"]] if len(sig) else [])
    sources = list(dict.fromkeys(e[0] for e in ends))
    targets = list(dict.fromkeys(e[-1] for e in ends))
    if lang == "zh":
        if not len(sig):
            return f"经过 {satisfaction} 的 {len(through)} 条中介路径，其置信区间都包含零。"
        return (f"经过 {satisfaction} 的 {len(through)} 条中介路径中，有 {len(sig)} 条的置信区间不含零："
                + "；".join(items) + "。"
                + f"含义：{'、'.join(sources)} 与 {'、'.join(targets)} 的关联有一部分经由 {satisfaction} 传递；"
                  f"间接效应最大的是 {top['chain']}。")
    return (f"{len(sig)} of {len(through)} chains through {satisfaction} have an interval excluding zero"
            + (": " + ", ".join(items) if len(sig) else "") + "."
            + (f" What this means: part of the link from {', '.join(sources)} to {', '.join(targets)} runs "
               f"through {satisfaction}; the largest indirect effect is {top['chain']}." if len(sig) else ""))


def describe_multigroup(mg, lang: str = "en") -> str:
    """The multi-group findings as a list, with the multiplicity caveat (``mg`` None: no group given)."""
    if mg is None:
        return "未指定 `group` 列：跳过多群组比较。" if lang == "zh" else \
            "No `group` column given: multi-group comparison skipped."
    caveat = ("由于同时检验了多条路径，单个接近 0.05 的 p 值只是较弱的证据。" if lang == "zh" else
              "With several paths tested, a single p-value near 0.05 is weak evidence.")
    return "\n".join(f"- {s}" for s in mg.findings(lang=lang)) + "\n\n" + caveat
