"""Sentences of the satisfaction-loyalty study, written from the numbers in the current language.

Every function reads the language set by the study's ``setup`` (:func:`crmlab.report.i18n.current_lang`);
numbers go through :mod:`crmlab.report.fmt` and :mod:`crmlab.report.narrative`.
"""
from __future__ import annotations

import math

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, term
from crmlab.report.narrative import interval, p_phrase, pct
from crmlab.studies.loyalty.text import TEXTS, chain_name, item_label, md_name, names, path_name, scheme_label

__all__ = [
    "bullets",
    "cbsem_findings",
    "cbsem_fit",
    "cbsem_heading",
    "cbsem_problem",
    "cbsem_verdict",
    "data_line",
    "measurement_findings",
    "measurement_problems",
    "mediation_line",
    "multigroup_findings",
    "multigroup_line",
    "not_loyal_line",
    "pct_points",
    "pls_heading",
    "pls_line",
    "prca_line",
    "shapes_line",
    "typology_line",
]


def _zh() -> bool:
    return current_lang() == "zh"


def bullets(lines) -> str:
    """A Markdown list, one item per line."""
    return "\n".join(f"- {s}" for s in lines)


def pct_points(diff, low, high) -> str:
    """A difference of two shares with its interval, in percentage points: ``15 [5, 24]``.

    >>> pct_points(0.1534, 0.0461, 0.2411), pct_points(0.0153, 0.0046, 0.0241)
    ('15 [5, 24]', '1.5 [0.5, 2.4]')
    """
    return interval(100 * diff, 100 * low, 100 * high)


# --------------------------------------------------------------------------
# data and measurement
# --------------------------------------------------------------------------
def data_line(prep, spec) -> str:
    """The size of the model and the respondents it is estimated from (and, when rows were dropped for missing
    values after the hygiene checks, how many and the three items with most missing values)."""
    worst = prep.summary().head(3)
    if _zh():
        worst_s = "，".join(f"{item_label(r.item)} {r.n_missing} 个" for r in worst.itertuples() if r.n_missing)
        used = (f"{prep.n_used} 名作答完整的受访者。" if prep.n_dropped == 0 else
                f"共 {prep.n_total} 名受访者；其中 {prep.n_dropped} 名因题项缺失被整行删除（{worst_s}），"
                f"实际使用 {prep.n_used} 名。")
        return (f"**模型**：{len(spec.names)} 个构念、{len(spec.items)} 个题项、{len(spec.paths)} 条路径；"
                f"估计所用数据：{used}")
    worst_s = ", ".join(f"{item_label(r.item)}: {r.n_missing}" for r in worst.itertuples() if r.n_missing)
    used = (f"{prep.n_used} respondents with complete answers." if prep.n_dropped == 0 else
            f"{prep.n_total} respondents; {prep.n_dropped} dropped listwise for missing item values ({worst_s}); "
            f"{prep.n_used} used.")
    return (f"**Model.** {len(spec.names)} constructs, {len(spec.items)} items and {len(spec.paths)} paths, "
            f"estimated from {used}")


def _measurement_problem(r, lo: float, hi: float) -> str:
    zh = _zh()
    c, v = md_name(r.construct), r.value
    o = md_name(r.other) if isinstance(r.other, str) else r.other
    if r.check == "single_item":
        return (f"{c}只有一个题项：α、ω、组合信度与 AVE 均无定义。" if zh else
                f"{c} has a single item: alpha, omega, ρc and AVE are not defined.")
    if r.check == "two_items":
        return (f"{c}只有两个题项：McDonald's ω 至少需要三个题项，因此不报告。" if zh else
                f"{c} has two items: McDonald's omega needs at least three and is not reported.")
    if r.check == "htmt_liberal":
        return (f"{c}与{o}的 HTMT 为 {v:.2f}，高于 {hi:.2f}：两个构念在经验上无法区分"
                "（即使按宽松标准，区分效度也不成立）。" if zh else
                f"HTMT of {c} and {o} is {v:.2f}, above {hi:.2f}: the two constructs are "
                "not empirically distinct (discriminant validity fails even by the liberal rule).")
    if r.check == "htmt_strict":
        return (f"{c}与{o}的 HTMT 为 {v:.2f}，高于严格标准 {lo:.2f}、低于 {hi:.2f}：区分效度存疑。" if zh else
                f"HTMT of {c} and {o} is {v:.2f}, above the strict {lo:.2f} cut-off but "
                f"below {hi:.2f}: discriminant validity is doubtful.")
    if r.check == "htmt_interval":
        return (f"HTMT 推断：HTMT（{c}，{o}）的自助法置信区间上限达到 {v:.2f} ≥ 1，"
                "数据无法排除二者是同一个构念。" if zh else
                f"HTMT inference: the bootstrap interval of HTMT({c}, {o}) reaches {v:.2f} >= 1, so the data "
                "cannot rule out that they are one construct.")
    if r.check == "fornell_larcker":
        return (f"Fornell-Larcker 准则：{c}与{o}的相关系数（{v:.2f}）"
                "超过了其中至少一个构念 AVE 的平方根。" if zh else
                f"Fornell-Larcker: the correlation of {c} and {o} ({v:.2f}) exceeds the square root of the AVE "
                "of at least one of them.")
    if r.check == "ave":
        return (f"{c}：平均方差抽取量 AVE 为 {v:.2f} < 0.50（题项方差中被构念解释的部分不到一半）。" if zh else
                f"{c}: AVE {v:.2f} < 0.50 (less than half of the item variance is shared).")
    if r.check == "alpha":
        return f"{c}：Cronbach's α 为 {v:.2f} < 0.70。" if zh else f"{c}: Cronbach's alpha {v:.2f} < 0.70."
    raise ValueError(f"unknown measurement check {r.check!r}")


def measurement_problems(meas) -> list:
    """Reliability and discriminant validity in plain statements (one per rule of thumb broken)."""
    lo, hi = meas.htmt_thresholds
    out = [_measurement_problem(r, lo, hi) for r in meas.problems().itertuples()]
    if not out:
        out.append("所有构念均达到常用的信度（≥ 0.70）与 AVE（≥ 0.50）标准；没有高于 0.85 的 HTMT。" if _zh() else
                   "All constructs meet the usual reliability (>= 0.70) and AVE (>= 0.50) "
                   "thresholds; no HTMT above 0.85.")
    return out


def measurement_findings(meas) -> str:
    """``What the numbers say.`` and the statements of :func:`measurement_problems` as a list."""
    return TEXTS["findings_heading"][current_lang()] + "\n\n" + bullets(measurement_problems(meas))


# --------------------------------------------------------------------------
# PLS
# --------------------------------------------------------------------------
def pls_heading(pls) -> str:
    """The PLS model in one line: method (when PLSc), scheme, n (and the effective n when weighted), GoF and
    R² of each endogenous construct."""
    r2 = ("；" if _zh() else "; ").join(f"{md_name(k)} {fmt_num(v)}" for k, v in pls.r2_.items())
    plsc = getattr(pls, "method", "pls") == "plsc"
    weighted = getattr(pls, "sample_weights_", None) is not None
    if _zh():
        neff = f"，加权有效样本量 {fmt_num(pls.n_eff_, 3)}" if weighted else ""
        return (f"**PLS 路径模型**（{'一致性 PLS（PLSc），' if plsc else ''}内部权重：{scheme_label(pls.scheme)}，"
                f"n = {pls.data_.n_used}{neff}，GoF = {fmt_num(pls.gof_)}）。决定系数 R²：{r2}")
    neff = f", weighted effective n = {fmt_num(pls.n_eff_, 3)}" if weighted else ""
    return (f"**PLS path model** ({'consistent PLS (PLSc), ' if plsc else ''}{scheme_label(pls.scheme)} scheme, "
            f"n = {pls.data_.n_used}{neff}, GoF = {fmt_num(pls.gof_)}). R²: {r2}")


def _resamples(boot) -> str:
    """The bootstrap resamples: ``5000 resamples, 0 not converged``, or the ones used and dropped."""
    inadm = getattr(boot, "n_inadmissible", 0)
    nc = boot.n_failed - inadm
    if _zh():
        if not inadm:
            return f"自助抽样 {boot.n_resamples} 次，其中 {nc} 次未收敛"
        return (f"自助抽样 {boot.n_resamples + boot.n_failed} 次，使用 {boot.n_resamples} 次；"
                f"剔除 {inadm} 次不可接受的 PLSc 解与 {nc} 次未收敛")
    if not inadm:
        return f"{boot.n_resamples} resamples, {nc} not converged"
    return (f"{boot.n_resamples} of {boot.n_resamples + boot.n_failed} resamples used; {inadm} inadmissible PLSc "
            f"solutions and {nc} not converged dropped")


def _meaning_pls(r, satisfaction: str, loyalty: str) -> str:
    """The direct satisfaction -> loyalty path in plain words (standardised scores, other predictors fixed)."""
    excl = r.ci_low > 0 or r.ci_high < 0
    b = fmt_num(abs(r.original), 2)
    satisfaction, loyalty = md_name(satisfaction), md_name(loyalty)
    if _zh():
        return (f"含义：在{loyalty}的其他前因保持不变时，{satisfaction}每高一个标准差，{loyalty}平均"
                f"{'高' if r.original >= 0 else '低'}约 {b} 个标准差"
                + ("；置信区间不含零，这一效应明确不为零。" if excl else "；但置信区间包含零，数据无法排除没有效应。"))
    return (f"What this means: with the other predictors of {loyalty} held fixed, respondents one standard deviation "
            f"more satisfied ({satisfaction}) are about {b} SD {'more' if r.original >= 0 else 'less'} loyal "
            f"({loyalty})" + ("; the interval excludes zero, so the link is clearly non-zero." if excl else
                              "; the interval includes zero, so the data cannot rule out no effect."))


def pls_line(pls, boot, satisfaction: str, loyalty: str) -> str:
    """R² of satisfaction and loyalty, the direct satisfaction -> loyalty path, which intervals exclude zero."""
    paths = boot.paths
    sig = paths[(paths["ci_low"] > 0) | (paths["ci_high"] < 0)]
    nonsig = paths.drop(sig.index)
    key = f"{loyalty}~{satisfaction}"
    r2s, r2l = pls.r2_.get(satisfaction, float("nan")), pls.r2_.get(loyalty, float("nan"))
    r = paths.loc[key] if key in paths.index else None
    ci = interval(r.original, r.ci_low, r.ci_high) if r is not None else ""
    sat, loy = md_name(satisfaction), md_name(loyalty)
    sig_s = [path_name(k, md=True) for k in sig.index]
    nonsig_s = [path_name(k, md=True) for k in nonsig.index]
    if _zh():
        txt = [(f"模型对{sat}的决定系数 R² = {fmt_num(r2s, 2)}，对{loy}的 R² = {fmt_num(r2l, 2)}"
                f"（GoF {fmt_num(pls.gof_, 2)}；{_resamples(boot)}）。")]
        if r is not None:
            txt.append(f"从{sat}到{loy}的直接路径系数为 {ci}（95% 自助法置信区间；标准误 "
                       f"{fmt_num(r.se, 2)}）。")
        txt.append("置信区间不含零的路径：" + ("；".join(sig_s) or "无") + "。"
                   "置信区间包含零的路径：" + ("；".join(nonsig_s) or "无") + "。")
        if r is not None:
            txt.append(_meaning_pls(r, satisfaction, loyalty))
        return "".join(txt)
    txt = [(f"The model explains R² = {fmt_num(r2s, 2)} of {sat} and {fmt_num(r2l, 2)} of {loy} "
            f"(GoF {fmt_num(pls.gof_, 2)}; {_resamples(boot)}).")]
    if r is not None:
        txt.append(f"The direct path {path_name(key, md=True)} is {ci} (95% bootstrap CI; SE {fmt_num(r.se, 2)}).")
    txt.append("Paths whose interval excludes zero: " + ("; ".join(sig_s) or "none") + ". "
               "Paths whose interval includes zero: " + ("; ".join(nonsig_s) or "none") + ".")
    if r is not None:
        txt.append(_meaning_pls(r, satisfaction, loyalty))
    return " ".join(txt)


# --------------------------------------------------------------------------
# CB-SEM
# --------------------------------------------------------------------------
def _fit_stat(k, v) -> str:
    if k in ("pvalue", "p"):
        return p_phrase(v)
    return f"{k} = {fmt_num(v) if isinstance(v, float) else v}"


def cbsem_heading(cb) -> str:
    """The covariance-based model in one line: estimator, n and the fit statistics."""
    fit = ", ".join(_fit_stat(k, v) for k, v in cb.fit.items())
    if _zh():
        return f"**协方差结构方程模型 CB-SEM**（最大似然估计，semopy），n = {cb.n}：{fit}"
    return f"**CB-SEM (ML, semopy)** n = {cb.n}: {fit}"


def cbsem_fit(cb) -> str:
    """The fit verdict and statistics in one sentence (CFI >= 0.95 and RMSEA <= 0.06: acceptable;
    CFI >= 0.90 and RMSEA <= 0.08: mediocre; otherwise poor)."""
    f = cb.fit
    verdict = "acceptable" if f["cfi"] >= 0.95 and f["rmsea"] <= 0.06 else (
        "mediocre" if f["cfi"] >= 0.90 and f["rmsea"] <= 0.08 else "poor")
    stats = (f"χ²({f['df']}) = {f['chisq']:.1f}, CFI {f['cfi']:.3f}, TLI {f['tli']:.3f}, "
             f"RMSEA {f['rmsea']:.3f}, SRMR {f['srmr']:.3f}")
    if _zh():
        word = {"acceptable": "可以接受", "mediocre": "一般", "poor": "较差"}[verdict]
        return f"**模型拟合**{word}：{stats}。"
    return f"**Fit** is {verdict}: {stats}."


def cbsem_problem(kind: str, info: dict) -> str:
    """One problem of a CB-SEM solution in words (``kind`` from :data:`crmlab.sem.cbsem.ISSUE_KINDS`)."""
    zh = _zh()
    if kind == "not_converged":
        return (f"未收敛：优化器在 {info['iterations']} 次迭代后停止（{info['message']}）；上面的估计值与拟合指标"
                "来自最后一次迭代，而不是最大似然解，不能作为结论。" if zh else
                f"Not converged: the optimiser stopped after {info['iterations']} iterations ({info['message']}); "
                "the estimates and fit above are those of its last iterate, not a maximum-likelihood solution, "
                "and are no findings.")
    if kind == "inadmissible":
        what = ("路径" if info["path"] else "载荷") if zh else ("path" if info["path"] else "loading")
        arrow = (path_name(f"{info['lval']}~{info['rval']}", md=True) if info["path"] else
                 f"{md_name(info['lval'])} → {md_name(info['rval'])}")
        return (f"不可接受的解：标准化{what} {arrow} = {info['value']:.2f}，超出 ±1。" if zh else
                f"Inadmissible: standardized {what} {arrow} = {info['value']:.2f} lies beyond ±1.")
    if kind == "heywood":
        var = md_name(info["var"])
        return (f"Heywood 情形：{var}的方差估计为负（{info['value']:.3f}）。" if zh else
                f"Heywood case: the variance of {var} is estimated negative ({info['value']:.3f}).")
    if kind == "near_singular":
        info = {**info, "a": md_name(info["a"]), "b": md_name(info["b"])}
        return (f"近似奇异：模型隐含的{info['a']}与{info['b']}的相关系数为 {info['value']:.3f}；这两个构念在经验上"
                "无法区分，涉及它们的路径无法解释。" if zh else
                f"Near-singular: the model-implied correlation of {info['a']} and {info['b']} is "
                f"{info['value']:.3f}; the two constructs are empirically indistinguishable, so the paths "
                "involving them are not interpretable.")
    if kind == "not_finite":
        return ("部分拟合指标不是有限值：优化器没有得到正常的解。" if zh else
                "Some fit statistics are not finite: the optimiser did not reach a proper solution.")
    raise ValueError(f"unknown problem kind {kind!r}")


def cbsem_findings(cb) -> list:
    """Convergence and admissibility of a CB-SEM solution, one statement per problem."""
    if not cb.issues:
        return ["最大似然解是可接受的（没有超出 ±1 的标准化系数，没有负方差，也没有接近 ±1 的构念相关）。" if _zh() else
                ("The ML solution is admissible (no standardized coefficient beyond ±1, "
                 "no negative variance, no construct correlation near ±1).")]
    return [cbsem_problem(kind, info) for kind, info in cb.issues]


def cbsem_verdict(cb) -> str:
    """The fit sentence followed by the list of :func:`cbsem_findings`."""
    return cbsem_fit(cb) + "\n\n" + bullets(cbsem_findings(cb))


# --------------------------------------------------------------------------
# shape, not loyal by level, typology, penalty-reward
# --------------------------------------------------------------------------
def shapes_line(latent, raw, items, sat_item: str, loy_item: str) -> str:
    """What the shape comparison found on construct scores, raw means and the overall items."""
    sat_item, loy_item = item_label(sat_item), item_label(loy_item)
    if _zh():
        return (f"按交叉验证，PLS 得分之间的关系以**{term(latent.best)}**形式描述最好（AIC 偏好"
                f"{term(latent.best_aic)}）；在题项均值上选出的是**{term(raw.best)}**，在总体题项（{sat_item}与"
                f"{loy_item}）上是**{term(items.best)}**。分段模型在得分尺度上估计的阈值位于 "
                f"{fmt_num(latent.threshold)} 个标准差处。"
                "只有当阈值模型或样条模型的交叉验证误差比直线低出一个标准误以上时，才算非线性的证据。")
    return (f"By cross-validation the **{term(latent.best)}** form describes the PLS scores best (AIC prefers "
            f"{term(latent.best_aic)}); on the raw means the choice is **{term(raw.best)}**, on the overall items "
            f"({sat_item} and {loy_item}) **{term(items.best)}**. The fitted threshold on the "
            f"score scale lies at {fmt_num(latent.threshold)} SD. A threshold or spline only counts as evidence of "
            "non-linearity when it beats the straight line by more than one standard error of the CV error.")


def _range(low, high) -> str:
    """Answers ``low``-``high`` (one number when they are the same point)."""
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


def not_loyal_line(table: pd.DataFrame, contrast: dict | None, merely, completely_min: float) -> str:
    """Not-loyal share from the lowest to the highest satisfaction level, and completely vs merely satisfied.

    ``table`` is :func:`crmlab.loyalty.not_loyal_by_level` (with an optional ``kotler`` column),
    ``contrast`` :func:`crmlab.loyalty.satisfaction_contrast` (None: a group is empty, said by
    :func:`crmlab.studies.loyalty.answers.empty_groups_line`).
    """
    ok = table[table["n"] > 0]
    first, last = ok.iloc[0], ok.iloc[-1]
    c = contrast
    kotler = "kotler" in table
    merely_s = _range(float(merely[0]), float(merely[1]))
    if _zh():
        txt = (f"不忠诚比例从 {pct(first['share'], 0)}（{term(first['level'])}，n = {first['n']}）变化到 "
               f"{pct(last['share'], 0)}（{term(last['level'])}，n = {last['n']}）；样本少的组置信区间较宽。")
        if c is not None:
            diff = pct_points(c["difference"], c["ci_low"], c["ci_high"])
            txt += (f"仅仅满意（{merely_s} 分）的受访者中 {pct(c['not_loyal_merely'], 0)} 不忠诚"
                    f"（n = {c['n_merely']}）；完全满意（≥ {completely_min:g} 分）的受访者中为 "
                    f"{pct(c['not_loyal_completely'], 0)}（n = {c['n_completely']}）。两者相差 {diff} 个百分点"
                    f"（95% 置信区间；Fisher 精确检验 {p_phrase(c['p_fisher'])}）。")
        return txt + ("Kotler 的数字（“Kotler 流失率”列）说的是*流失*的顾客；这里的忠诚度是受访者表述的意向，"
                      "因此可以比较的是各等级之间的变化趋势，而不是具体的百分比。" if kotler else "")
    txt = (f"Not-loyal share runs from {pct(first['share'], 0)} ({term(first['level'])}, n = {first['n']}) to "
           f"{pct(last['share'], 0)} ({term(last['level'])}, n = {last['n']}); small groups have wide intervals.")
    if c is not None:
        diff = pct_points(c["difference"], c["ci_low"], c["ci_high"])
        txt += (f" Merely satisfied ({merely_s}): {pct(c['not_loyal_merely'], 0)} not loyal "
                f"(n = {c['n_merely']}); completely satisfied (≥ {completely_min:g}): "
                f"{pct(c['not_loyal_completely'], 0)} (n = {c['n_completely']}). Difference {diff} percentage "
                f"points (95% CI; Fisher {p_phrase(c['p_fisher'])}).")
    return txt + (" Kotler's figures (column “Kotler's loss”) are a claim about customers *lost*; here loyalty is a "
                  "stated intention, so the levels, not the exact percentages, are what can be compared." if kotler
                  else "")


def typology_line(table: pd.DataFrame, satisfied_min: float, loyal_min: float) -> str:
    """What the Jones & Sasser shares mean: apostles, the satisfied who are not loyal, and the defectors.

    ``table`` is the table of :func:`crmlab.loyalty.jones_sasser` (type, n, share).
    """
    t = table.set_index("type")
    kinds = ("apostle", "mercenary", "hostage", "defector")
    n = {k: int(t.loc[k, "n"]) if k in t.index else 0 for k in kinds}
    sh = {k: pct(float(t.loc[k, "share"]) if k in t.index else 0.0, 0) for k in kinds}
    satisfied = n["apostle"] + n["mercenary"]
    merc = pct(n["mercenary"] / satisfied if satisfied else math.nan, 0)
    if _zh():
        txt = (f"{sh['apostle']} 的受访者是使徒（满意度 ≥ {satisfied_min:g} 且忠诚度 ≥ {loyal_min:g}，"
               f"n = {n['apostle']}），{sh['defector']} 是叛逃者（n = {n['defector']}），{sh['hostage']} 是人质"
               f"（n = {n['hostage']}）。")
        if satisfied:
            txt += (f"满意的受访者中有 {merc}（{n['mercenary']}/{satisfied}）是雇佣兵：满意本身并不能保证忠诚，"
                    "这部分顾客需要满意度之外的留存手段。")
        return txt
    txt = (f"{sh['apostle']} of respondents are apostles (satisfaction ≥ {satisfied_min:g} and loyalty ≥ "
           f"{loyal_min:g}, n = {n['apostle']}), {sh['defector']} defectors (n = {n['defector']}) and "
           f"{sh['hostage']} hostages (n = {n['hostage']}).")
    if satisfied:
        txt += (f" {merc} of the satisfied ({n['mercenary']} of {satisfied}) are mercenaries: satisfaction alone "
                "does not secure their loyalty, so they need retention levers beyond satisfaction.")
    return txt


def prca_line(table: pd.DataFrame) -> str:
    """One clause per attribute of a :func:`crmlab.loyalty.penalty_reward` table: factor class, penalty, reward, p."""
    if _zh():
        return "；".join(f"**{md_name(r.attribute)}** 属于{term(r.factor)}（罚分 {fmt_num(r.penalty)}，"
                        f"奖励 {fmt_num(r.reward)}，非对称性检验 {p_phrase(r.p_asymmetry)}）"
                        for r in table.itertuples()) + "。"
    return "; ".join(f"**{md_name(r.attribute)}** acts as {'an' if r.factor[0] in 'aeiou' else 'a'} {r.factor} factor "
                     f"(penalty {fmt_num(r.penalty)}, reward {fmt_num(r.reward)}, "
                     f"asymmetry {p_phrase(r.p_asymmetry)})"
                     for r in table.itertuples()) + "."


# --------------------------------------------------------------------------
# mediation, multi-group
# --------------------------------------------------------------------------
def mediation_line(through: pd.DataFrame, satisfaction: str) -> str:
    """How many indirect chains through satisfaction have a bootstrap interval excluding zero, and what that means."""
    sig = through[(through["ci_low"] > 0) | (through["ci_high"] < 0)]
    items = [f"{chain_name(r.chain, md=True)} = {interval(r.estimate, r.ci_low, r.ci_high)}" for r in sig.itertuples()]
    top = sig.loc[sig["estimate"].abs().idxmax()] if len(sig) else None
    ends = ([str(c).split("->") for c in sig["chain"]] if len(sig) else [])
    sources = names(dict.fromkeys(e[0] for e in ends))
    targets = names(dict.fromkeys(e[-1] for e in ends))
    sat = md_name(satisfaction)
    if _zh():
        if not len(sig):
            return f"经过{sat}的 {len(through)} 条中介路径，其置信区间都包含零。"
        return (f"经过{sat}的 {len(through)} 条中介路径中，有 {len(sig)} 条的置信区间不含零："
                + "；".join(items) + "。"
                + f"含义：{sources}与{targets}的关联有一部分经由{sat}传递；"
                  f"间接效应最大的是 {chain_name(top['chain'], md=True)}。")
    return (f"{len(sig)} of {len(through)} chains through {sat} have an interval excluding zero"
            + (": " + "; ".join(items) if len(sig) else "") + "."
            + (f" What this means: part of the link from {sources} to {targets} runs "
               f"through {sat}; the largest indirect effect is {chain_name(top['chain'], md=True)}." if len(sig)
               else ""))


def _group(g) -> str:
    """A group for a Chinese sentence: ``女性组``, ``online 组``."""
    g = md_name(g)
    return g + ("组" if g and "\u4e00" <= g[-1] <= "\u9fff" else " 组")


def multigroup_findings(mg, alpha: float = 0.05, interpretable: dict | None = None) -> list:
    """One statement per path that differs between groups at ``alpha`` (:class:`crmlab.sem.MultiGroupResult`).

    ``interpretable`` (``{"path|a-b": bool}`` from MICOM, :func:`~crmlab.studies.loyalty.steps.interpretable_paths`)
    marks the differences that are not interpreted because a construct of the path is not invariant.
    """
    tests = mg.tests
    sig = tests[tests["p_value"] < alpha]
    zh = _zh()
    if tests["p_value"].isna().all():
        return ["没有一次置换能够估计：无法检验组间差异。" if zh else
                "No permutation could be estimated: the group differences cannot be tested."]
    if sig.empty:
        if zh:
            return [f"在 {alpha * 100:g}% 的显著性水平下，没有路径在组间存在差异（置换 {mg.n_permutations} 次）。"]
        return [f"No path differs between groups at the {alpha * 100:g}% level ({mg.n_permutations} permutations)."]
    out = []
    for r in sig.itertuples():
        ok = True if interpretable is None else interpretable.get(f"{r.path}|{r.group_a}-{r.group_b}", True)
        if zh:
            out.append(f"{path_name(r.path, md=True)}：{_group(r.group_a)} {r.estimate_a:.3f}，"
                       f"{_group(r.group_b)} {r.estimate_b:.3f}"
                       f"（置换检验 {p_phrase(r.p_value)}）"
                       + ("。" if ok else "，但不予解释：该路径涉及的构念不具备组成不变性（MICOM）。"))
        else:
            out.append(f"{path_name(r.path, md=True)}: {md_name(r.group_a)} {r.estimate_a:.3f} vs "
                       f"{md_name(r.group_b)} {r.estimate_b:.3f} "
                       f"(permutation {p_phrase(r.p_value)})" + ("." if ok else
                                                                 ", not interpreted: a construct of this path is not "
                                                                 "compositionally invariant (MICOM)."))
    return out


def multigroup_line(mg, interpretable: dict | None = None, micom_ran: bool = False, group: str | None = None) -> str:
    """The multi-group findings as a list with the multiplicity caveat (``mg`` None: no group given, or, with
    ``group``, fewer than two groups large enough), what MICOM allows to interpret (or that it did not run), and
    the groups whose PLSc solution is inadmissible."""
    zh = _zh()
    if mg is None and group:
        return (f"{md_name(group)}中没有两个群组各有至少 20 名作答完整的受访者：无法进行多群组比较"
                "（参数 `group`；设为 None 则不比较）。" if zh else
                f"No two groups of {md_name(group)} have at least 20 complete respondents: the multi-group comparison "
                "cannot run (parameter `group`; None: no comparison).")
    if mg is None:
        return ("未指定 `group` 列：跳过多群组比较。" if zh else
                "No `group` column given: multi-group comparison skipped.")
    caveat = ("由于同时检验了多条路径，单个接近 0.05 的 p 值只是较弱的证据。" if zh else
              "With several paths tested, a single p-value near 0.05 is weak evidence.")
    notes = []
    if not micom_ran:
        notes.append("MICOM 未运行（参数 `micom`）：以下差异假定各组的组合得分含义相同，这一假定未经检验。" if zh else
                     "MICOM did not run (parameter `micom`): the differences assume, untested, that the composites "
                     "mean the same in every group.")
    elif interpretable is not None and not all(interpretable.values()):
        notes.append("按 MICOM 的结果，涉及不具备组成不变性构念的路径差异不予解释（表中“可解释”一列为否）。" if zh else
                     "Following MICOM, differences of paths that involve a construct without compositional invariance "
                     "are not interpreted (column `interpretable` is no).")
    bad = getattr(mg, "inadmissible", [])
    if bad:
        groups = "、".join(_group(g) for g in bad) if zh else ", ".join(md_name(g) for g in bad)
        notes.append(f"{groups}的 PLSc 解不可接受：其路径系数不能作为结论。" if zh else
                     f"The PLSc solution of group {groups} is inadmissible: its paths are no findings.")
    if getattr(mg, "n_failed", 0):
        pairs = len(mg.tests[["group_a", "group_b"]].drop_duplicates())
        left = (pairs * mg.n_permutations - mg.n_failed) // pairs
        notes.append(f"有 {mg.n_failed} 次置换未收敛或得到不可接受的 PLSc 解，已剔除；"
                     f"每对群组的 p 值只基于其余约 {left} 次置换"
                     + ("，太少，无法在 5% 水平上检验。" if left < 20 else "。") if zh else
                     f"{mg.n_failed} permutations did not converge or gave an inadmissible PLSc solution and were "
                     f"dropped; the p-values of each pair of groups rest on the about {left} left"
                     + (", too few for a test at 5%." if left < 20 else "."))
    head = (("" if zh else " ").join(notes) + "\n\n") if notes else ""
    return head + bullets(multigroup_findings(mg, interpretable=interpretable)) + "\n\n" + caveat
