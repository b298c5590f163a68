"""Sentences of the PLS-SEM assessment in study 1, written from the numbers in the current language:
how the model was estimated (PLS or PLSc, survey weights), out-of-sample prediction (PLSpredict, CVPAT),
the Gaussian-copula endogeneity check, measurement invariance (MICOM) and the importance-performance map.

Numbers go through :mod:`crmlab.report.fmt` and :mod:`crmlab.report.narrative`; the language is the one
set by the study's ``setup`` (:func:`crmlab.report.i18n.current_lang`).
"""
from __future__ import annotations

import math

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, term
from crmlab.report.narrative import interval, join_words, p_phrase, pct
from crmlab.sem.predict import predictive_power
from crmlab.studies.loyalty.text import item_label, md_name, names, path_name

__all__ = ["copula_line", "cvpat_line", "estimation_line", "ipma_line", "micom_line", "plspredict_line",
           "skipped_line", "verdict_word"]

#: Shmueli et al.'s (2019) verdicts in words.
VERDICTS = {"none": {"en": "none", "zh": "无"}, "low": {"en": "low", "zh": "低"},
            "medium": {"en": "medium", "zh": "中等"}, "high": {"en": "high", "zh": "高"}}


def _zh() -> bool:
    return current_lang() == "zh"


def _n(x) -> str:
    """A count with thousands separators (``5,000``)."""
    return f"{int(x):,}"


def _paths(keys) -> str:
    """Path keys (``LOY~SAT``) for a sentence, by name (``Satisfaction → Loyalty``), escaped for Markdown."""
    return ("；" if _zh() else "; ").join(path_name(k, md=True) for k in keys)


def verdict_word(verdict: str) -> str:
    """A PLSpredict verdict (none, low, medium, high) in the current language."""
    return VERDICTS[verdict][current_lang()]


def skipped_line(what: str, parameter: str) -> str:
    """An analysis that did not run because its parameter is off (``what`` is its key: plspredict, micom,
    ipma, copula)."""
    names = {"plspredict": ("Out-of-sample prediction (PLSpredict)", "样本外预测（PLSpredict）"),
             "micom": ("The measurement invariance check (MICOM)", "组合测量不变性检验（MICOM）"),
             "ipma": ("The importance-performance map", "重要性-绩效矩阵分析（IPMA）"),
             "copula": ("The Gaussian-copula endogeneity check", "高斯 Copula 内生性检验")}
    en, zh = names[what]
    if _zh():
        return f"{zh}未运行（参数 `{parameter}` 为 false）。"
    return f"{en} was not run (parameter `{parameter}` is false)."


# --------------------------------------------------------------------------
# estimation: PLS or PLSc, survey weights
# --------------------------------------------------------------------------
def estimation_line(pls, boot, weights: str | None = None) -> str:
    """How the model was estimated: PLS or consistent PLS (with the full-sample admissibility and the
    bootstrap resamples dropped as inadmissible), and the survey weights with the Kish effective n and the
    analyses they enter."""
    zh = _zh()
    total = boot.n_resamples + boot.n_failed
    out = []
    if pls.method == "plsc":
        out.append("**估计方法**：一致性 PLS（PLSc；Dijkstra & Henseler 2015）：反映型构念之间的相关系数"
                   "用 ρA 校正测量误差，因此路径系数与载荷估计的是共同因子模型。" if zh else
                   "**Estimation.** Consistent PLS (PLSc; Dijkstra & Henseler 2015): the correlations of reflective "
                   "constructs are corrected for measurement error with ρA, so paths and loadings estimate a "
                   "common-factor model.")
        if not pls.admissible_:
            out.append("全样本上的 PLSc 解**不可接受**（某个 ρA 或载荷大于 1，或构念相关矩阵不是正定的）："
                       "其路径系数不能作为结论；请改用 `pls_method = pls` 或修改模型。" if zh else
                       "The PLSc solution on the full sample is **inadmissible** (a ρA or loading above 1, or a "
                       "construct correlation matrix that is not positive definite): its paths are no findings; use "
                       "`pls_method = pls` or revise the model.")
        if boot.n_inadmissible:
            share = pct(boot.n_inadmissible / total, 0)
            out.append(f"{_n(total)} 次自助抽样中有 {_n(boot.n_inadmissible)} 次（{share}）得到不可接受的"
                       f" PLSc 解，已被剔除（与 cSEM 的做法相同）；置信区间只基于其余 {_n(boot.n_resamples)} 次，"
                       "可能低估不确定性。" if zh else
                       f"Of the {_n(total)} bootstrap resamples, {_n(boot.n_inadmissible)} ({share}) gave an "
                       f"inadmissible PLSc solution and were dropped (as cSEM does); the intervals rest on the "
                       f"{_n(boot.n_resamples)} admissible ones and may understate the uncertainty.")
    else:
        out.append("**估计方法**：PLS（每个构念是其题项的加权组合）。" if zh else
                   "**Estimation.** PLS (each construct a weighted composite of its items).")
    if weights:
        n, neff = pls.data_.n_used, pls.n_eff_
        weights = item_label(weights)
        out.append(f"估计按调查权重列{weights}加权（Kish 有效样本量 {fmt_num(neff, 3)}，受访者 {n} 名）："
                   "PLS 估计值、自助法（每个被抽中的受访者保留自己的权重）、中介效应、多群组检验与 IPMA 均为加权结果；"
                   "Cronbach's α、ω、HTMT、CB-SEM、关系形状、不忠诚比例、顾客类型、罚分-奖励分析、MICOM、PLSpredict "
                   "与 Copula 检验不加权。" if zh else
                   f"The estimates are weighted by the survey weights in {weights} (Kish effective n = "
                   f"{fmt_num(neff, 3)} of {n} respondents): the PLS estimates, the bootstrap (each resampled "
                   "respondent keeps its weight), mediation, the multi-group test and the IPMA are weighted; "
                   "Cronbach's alpha, omega, HTMT, CB-SEM, the shape, not-loyal, typology and penalty-reward "
                   "analyses, MICOM, PLSpredict and the copula check are not.")
    else:
        out.append("未使用调查权重。" if zh else "No survey weights.")
    return ("" if zh else " ").join(out)


# --------------------------------------------------------------------------
# PLSpredict and CVPAT
# --------------------------------------------------------------------------
def plspredict_line(pp, target: str) -> str:
    """The verdict of PLSpredict in words: Q²predict > 0, PLS against the LM benchmark (RMSE), the verdict on
    the items of the key target construct ``target`` (when it is endogenous), and what the verdict means
    (Shmueli et al. 2019)."""
    m = pp.metrics_
    target_power = predictive_power(m[m["construct"] == target]) if (m["construct"] == target).any() else None
    k, q2 = len(m), m["q2_predict"]
    better = m[m["pls_rmse"] < m["lm_rmse"]]["item"].tolist()
    bad_q2 = m[q2 <= 0]["item"].tolist()
    tname = md_name(target)
    verdict = pp.predictive_power()
    t = m[m["construct"] == target]
    bt = int((t["pls_rmse"] < t["lm_rmse"]).sum())
    zh = _zh()
    rng = f"{fmt_num(q2.min(), 2)} – {fmt_num(q2.max(), 2)}"
    shown = 0 < len(better) <= 6
    listed = (f"（{names(better, items=True)}）" if zh else f" ({names(better, items=True)})") if shown else ""
    if zh:
        txt = [f"**预测能力：{verdict_word(verdict)}**（Shmueli 等 2019；{pp.folds} 折交叉验证，"
               f"重复 {pp.repetitions} 次）。"]
        txt.append(f"{k} 个内生题项中有 {k - len(bad_q2)} 个的 Q²predict 为正（{rng}），"
                   "即 PLS 对它们的预测优于训练样本均值。"
                   + (f"Q²predict ≤ 0 的题项：{names(bad_q2, items=True)}。" if bad_q2 else ""))
        txt.append(f"在 {k} 个题项中，PLS 的 RMSE 低于线性模型基准的有 {len(better)} 个{listed}。")
        if target_power is not None:
            txt.append(f"关键目标构念{tname}的题项：预测能力{verdict_word(target_power)}"
                       f"（PLS 在 {len(t)} 个题项中有 {bt} 个更好）。")
        txt.append({"high": "含义：PLS 对每个题项的预测都优于线性模型，模型适合用于样本外预测。",
                    "medium": "含义：PLS 对多数题项的预测优于线性模型，模型具有中等的样本外预测能力。",
                    "low": "含义：线性模型对多数题项预测得更好，模型结构带来的约束损失了预测精度；"
                           "模型主要用于解释而非预测。",
                    "none": "含义：按这一规则模型没有样本外预测能力，不应用于预测。"}[verdict])
        return "".join(txt)
    txt = [f"**Predictive power: {verdict_word(verdict)}** (Shmueli et al. 2019; {pp.folds}-fold cross-validation "
           f"repeated {pp.repetitions} times)."]
    txt.append(f"Q²predict is positive for {k - len(bad_q2)} of {k} endogenous indicators ({rng}), so PLS predicts "
               "them better than their training means." + (f" Q²predict ≤ 0: {names(bad_q2, items=True)}." if bad_q2
                                                           else ""))
    txt.append(f"PLS has a lower RMSE than the linear-model benchmark for {len(better)} of {k} indicators{listed}.")
    if target_power is not None:
        txt.append(f"For the items of {tname}, the key target construct, the predictive power is "
                   f"{verdict_word(target_power)} (PLS better for {bt} of {len(t)}).")
    txt.append({"high": "What this means: PLS predicts every indicator better than the linear model; the model is fit "
                        "for out-of-sample prediction.",
                "medium": "What this means: PLS beats the linear model for most indicators; the model has medium "
                          "out-of-sample predictive power.",
                "low": "What this means: the linear model predicts most indicators better, so the structure the model "
                       "imposes costs predictive accuracy; use the model to explain rather than to predict.",
                "none": "What this means: by this rule the model has no out-of-sample predictive power and should not "
                        "be used for prediction."}[verdict])
    return " ".join(txt)


def cvpat_line(cv, alpha: float = 0.05) -> str:
    """The CVPAT comparison of the study's model with the alternative model text in words (Liengaard et al. 2021):
    average losses, their difference with its interval, p and which model predicts better."""
    d = interval(cv.difference, cv.ci_low, cv.ci_high, 3)
    zh = _zh()
    if cv.p_value < alpha:
        win = ("本研究模型" if cv.difference > 0 else "备选模型") if zh else (
            "this study's model" if cv.difference > 0 else "the alternative model")
        verdict = (f"{win}的样本外预测显著更好。" if zh else f"{win} predicts significantly better out of sample.")
    else:
        verdict = ("两个模型的预测能力没有显著差异；按简约原则可选更简单的模型。" if zh else
                   "neither model predicts significantly better; parsimony favours the simpler one.")
    if zh:
        return (f"**CVPAT**（Liengaard 等 2021）与参数 `cvpat_model` 给出的备选模型比较：平均损失为 "
                f"{fmt_num(cv.loss_established, 3)}（本研究模型）与 {fmt_num(cv.loss_alternative, 3)}（备选模型），"
                f"差值 {d}（95% 置信区间，{p_phrase(cv.p_value)}）：" + verdict)
    return (f"**CVPAT** (Liengaard et al. 2021) against the alternative model of parameter `cvpat_model`: average loss "
            f"{fmt_num(cv.loss_established, 3)} (this study's model) vs {fmt_num(cv.loss_alternative, 3)} "
            f"(alternative); difference {d} (95% CI, {p_phrase(cv.p_value)}): " + verdict)


# --------------------------------------------------------------------------
# Gaussian copula
# --------------------------------------------------------------------------
def copula_line(table: pd.DataFrame, alpha: float = 0.05) -> str:
    """What the copula check found (:func:`crmlab.studies.loyalty.steps.copula_table`): which predictors could
    be tested (non-normal scores), which copula terms are significant, and the paths with and without them."""
    zh = _zh()
    tested = table[table["non_normal"]]
    normal = names(sorted(set(table.loc[~table["non_normal"], "predictor"])))
    if tested.empty:
        return ("所有前因构念的得分都与正态分布无法区分（Lilliefors 检验 p ≥ 0.05）：高斯 Copula 无法识别，"
                "因此这一检验无法判断是否存在内生性。" if zh else
                "No predictor's scores depart from normality (Lilliefors p ≥ 0.05): the Gaussian copula is not "
                "identified, so this check cannot say anything about endogeneity.")
    sig = tested[tested["p_value"] < alpha]
    out = []
    if normal:
        out.append(f"{normal}的得分与正态分布无法区分，不加入 Copula 项（无法识别）。" if zh else
                   f"The scores of {normal} are not distinguishable from normal and get no copula term "
                   "(not identified).")
    if sig.empty:
        out.append(f"在 {alpha * 100:g}% 的水平下，{len(tested)} 个 Copula 项均不显著："
                   "结构回归中没有内生性的证据。" if zh else
                   f"None of the {len(tested)} copula terms is significant at {alpha * 100:g}%: no evidence of "
                   "endogeneity in the structural regressions.")
        return ("" if zh else " ").join(out)
    items = []
    for r in sig.itertuples():
        if math.isnan(r.p_joint):
            joint = ""
        elif zh:
            joint = f"，与{md_name(r.target)}的全部 Copula 项一起时 {p_phrase(r.p_joint)}"
        else:
            joint = f"; with all copula terms of {md_name(r.target)} jointly {p_phrase(r.p_joint)}"
        path, before, after = path_name(r.path, md=True), fmt_num(r.path_estimate, 2), fmt_num(r.path_with_copula, 2)
        if zh:
            items.append(f"{md_name(r.target)}回归中{md_name(r.predictor)}的 Copula 项（{p_phrase(r.p_value)}{joint}）："
                         f"加入后路径 {path} 为 {after}，原估计为 {before}")
        else:
            items.append(f"the copula term of {md_name(r.predictor)} in the regression of {md_name(r.target)} "
                         f"({p_phrase(r.p_value)}{joint}); with it the path {path} is {after} instead of {before}")
    expected = f"{round(len(tested) * alpha, 1):g}"
    if zh:
        out.append("**存在内生性的证据**：" + "；".join(items) + "。这些路径可能因遗漏的共同原因或反向因果而有偏，"
                   f"解读时需谨慎。共检验了 {len(tested)} 个 Copula 项，仅凭偶然也会有约 {expected} 个显著。")
        return "".join(out)
    out.append("**Evidence of endogeneity**: " + "; ".join(items) + ". These paths may be biased by an omitted common "
               f"cause or by reverse causality; read them with caution. With {len(tested)} copula terms tested, about "
               f"{expected} would be significant by chance alone.")
    return " ".join(out)


# --------------------------------------------------------------------------
# MICOM
# --------------------------------------------------------------------------
def _micom_pair(pair: str, r, spec) -> str:
    zh = _zh()
    comp = r.compositional
    failed = comp[~comp["invariant"]]
    a, b = r.groups
    head = (f"**{md_name(a)}与{md_name(b)}**（n = {r.n[a]} 与 {r.n[b]}；置换 {_n(r.n_permutations)} 次）：" if zh else
            f"**{md_name(a)} vs {md_name(b)}** (n = {r.n[a]} and {r.n[b]}; {_n(r.n_permutations)} permutations): ")
    if failed.empty:
        s2 = ("所有构念都具备组成不变性（第 2 步）" if zh else
              "compositional invariance (step 2) holds for every construct")
    else:
        a5 = pct(r.alpha, 0)
        det = [f"{md_name(x.Index)}（c = {fmt_num(x.c, 4)}，低于 {a5} 分位数 {fmt_num(x.quantile, 4)}，"
               f"{p_phrase(x.p_value)}）"
               if zh else f"{md_name(x.Index)} (c = {fmt_num(x.c, 4)} below its {a5} quantile {fmt_num(x.quantile, 4)}, "
                          f"{p_phrase(x.p_value)})" for x in failed.itertuples()]
        s2 = (f"组成不变性（第 2 步）不成立的构念：{join_words(det)}" if zh else
              f"compositional invariance (step 2) fails for {join_words(det)}")
    unequal_m = r.means.index[~r.means["equal"]].tolist()
    unequal_v = r.variances.index[~r.variances["equal"]].tolist()
    if not unequal_m and not unequal_v:
        s3 = ("；各构念的均值与方差在两组间相等（第 3 步）。" if zh else
              "; means and variances are equal in both groups (step 3).")
    else:
        parts = []
        if unequal_m:
            parts.append(f"均值：{names(unequal_m)}" if zh else f"means of {names(unequal_m)}")
        if unequal_v:
            parts.append(f"方差：{names(unequal_v)}" if zh else f"variances of {names(unequal_v)}")
        s3 = (f"；第 3 步中不相等的有 {'，'.join(parts)}。" if zh else f"; step 3 finds unequal {' and '.join(parts)}.")
    dec = r.decision.set_index("construct")["invariance"]
    levels = [(lv, dec.index[dec == lv].tolist()) for lv in ("full", "partial", "none")]
    words = {"full": ("full", "完全不变性"), "partial": ("partial", "部分不变性"), "none": ("none", "不具备不变性")}
    summary = [f"{words[lv][1]}：{names(cs)}" if zh else f"{words[lv][0]} for {names(cs)}"
               for lv, cs in levels if cs]
    txt = head + s2 + s3 + ("结论：" + "；".join(summary) + "。" if zh else " Invariance: " + "; ".join(summary) + ".")
    bad = [c for c in dec.index if dec[c] == "none"]
    if bad:
        paths = [f"{t}~{s}" for t in spec.endogenous for s in spec.predecessors(t) if s in bad or t in bad]
        txt += (f"因此涉及{names(bad)}的路径（{_paths(paths)}）的组间差异不予解释："
                "两组中的组合得分含义不同。" if zh else
                f" Group differences of the paths involving {names(bad)} ({_paths(paths)}) are therefore not "
                "interpreted: the composite does not mean the same in both groups.")
    elif (dec == "full").all():
        txt += ("所有构念都具备完全不变性：路径可以在组间比较，数据也可以合并分析。" if zh else
                " Every construct is fully invariant: the paths can be compared and the groups could be pooled.")
    else:
        txt += ("所有构念至少具备部分不变性：路径系数可以在组间比较。" if zh else
                " Every construct is at least partially invariant: the path coefficients can be compared.")
    if r.n_failed:
        txt += (f"有 {r.n_failed} 次置换无法估计，已剔除。" if zh else
                f" {r.n_failed} permutations could not be estimated and were dropped.")
    return txt


def micom_line(micoms: dict | None, spec, group: str | None = None) -> str:
    """MICOM's three steps for every pair of groups in words, and which path differences may be interpreted
    (:func:`crmlab.studies.loyalty.steps.run_micom`); ``micoms`` None: MICOM did not run (no ``group``, or
    parameter ``micom`` false)."""
    if micoms is None:
        if not group:
            return "未指定 `group` 列：跳过 MICOM。" if _zh() else "No `group` column given: MICOM skipped."
        return skipped_line("micom", "micom")
    if not micoms:
        return ("没有两个群组各有至少 20 名完整作答的受访者：MICOM 与多群组比较都无法进行。" if _zh() else
                "No two groups have at least 20 complete respondents: neither MICOM nor the multi-group test can run.")
    return "\n\n".join(_micom_pair(pair, r, spec) for pair, r in micoms.items())


# --------------------------------------------------------------------------
# IPMA
# --------------------------------------------------------------------------
def _scale_words(scale: dict) -> str:
    """Where the IPMA's answer scales come from, for the last sentence of :func:`ipma_line`."""
    zh = _zh()
    if scale.get("low") is not None:
        rng = f"{fmt_num(scale['low'])}-{fmt_num(scale['high'])}"
        head = f"题项按 {rng} 的答题量表换算为 0-100 分" if zh else f"Items were rescaled from the answer scale {rng} to 0-100"
    else:
        head = "各题项按各自的答题量表换算为 0-100 分" if zh else "Each item was rescaled from its own answer scale to 0-100"
    src = scale.get("source", "data" if scale.get("inferred") else "ipma_scale")
    if src == "ipma_scale":
        return head + ("（参数 `ipma_scale`）。" if zh else " (parameter `ipma_scale`).")
    if src == "data":
        return head + ("；该量表由数据推断（所有题项中最低与最高的回答），若问卷量表更宽请用参数 `ipma_scale` 指定。" if zh else
                       ", inferred from the data (the lowest and highest answer over all items); give the "
                       "questionnaire's scale with parameter `ipma_scale` if it is wider.")
    words = names([term(x) for x in src.split("+")], md=False)
    if scale.get("inferred"):
        return head + (f"（量表来源：{words}；由作答推断的量表请在附录中核对）。" if zh else
                       f" (scales from: {words}; check the inferred ones in the appendix).")
    return head + (f"（量表来源：{words}）。" if zh else f" (scales from: {words}).")


def ipma_line(res, scale: dict) -> str:
    """The importance-performance map in words: the target's performance, the constructs by importance, the
    priority (above-average importance, below-average performance), the top item and the scales used."""
    zh = _zh()
    c = res.constructs.sort_values("importance", ascending=False)
    t = md_name(res.target)
    mi, mp = c["importance"].mean(), c["performance"].mean()
    prio = c[(c["importance"] > mi) & (c["performance"] < mp)]
    top = c.iloc[0]
    perf_word = "（绩效 {}）" if zh else " (performance {})"
    ranked = join_words([f"{md_name(r.construct)} {fmt_num(r.importance, 2)}"
                         + perf_word.format(fmt_num(r.performance, 3)) for r in c.itertuples()])
    ind = res.indicators.sort_values("importance", ascending=False).iloc[0]
    neg = res.indicators.loc[res.indicators["negative_weight"], "item"].tolist()
    top_name, ind_item, ind_c = md_name(top.construct), item_label(ind["item"]), md_name(ind["construct"])
    if zh:
        txt = [f"**目标构念{t}**的绩效为 {fmt_num(res.target_performance, 3)}（0-100 分）。"
               f"重要性（每个前因对{t}的总效应：前因绩效每提高 1 分，{t}的绩效提高的分数）从高到低：{ranked}。"]
        if len(prio):
            txt.append("重要性高于平均、绩效低于平均，应优先改进：" + join_words(
                [f"{md_name(r.construct)}（重要性 {fmt_num(r.importance, 2)}，绩效 {fmt_num(r.performance, 3)}）"
                 for r in prio.itertuples()]) + "。")
        else:
            txt.append(f"没有构念同时具有高于平均的重要性和低于平均的绩效；最重要的是{top_name}。")
        txt.append(f"例如{top_name}的绩效提高 1 分，{t}的绩效约提高 {fmt_num(top.importance, 2)} 分。"
                   f"题项层面最重要的是{ind_item}（{ind_c}，重要性 {fmt_num(ind['importance'], 2)}，"
                   f"绩效 {fmt_num(ind['performance'], 3)}）。")
        if neg:
            txt.append(f"权重为负的题项（{names(neg, items=True)}）无法在图上解读（IPMA 需要正权重）。")
        txt.append(_scale_words(scale))
        return "".join(txt)
    txt = [f"**Target {t}**: performance {fmt_num(res.target_performance, 3)} on the 0-100 scale. Importance (the "
           f"total effect on {t}: points of {t} performance per point of a driver's performance), highest first: "
           f"{ranked}."]
    if len(prio):
        txt.append("Above-average importance with below-average performance, the first place to improve: " + join_words(
            [f"{md_name(r.construct)} (importance {fmt_num(r.importance, 2)}, performance {fmt_num(r.performance, 3)})"
             for r in prio.itertuples()]) + ".")
    else:
        txt.append(f"No construct combines above-average importance with below-average performance; the most "
                   f"important is {top_name}.")
    txt.append(f"For example, one more point of {top_name} performance raises {t}'s performance by about "
               f"{fmt_num(top.importance, 2)} points. At the item level the most important is {ind_item} "
               f"({ind_c}, importance {fmt_num(ind['importance'], 2)}, performance "
               f"{fmt_num(ind['performance'], 3)}).")
    if neg:
        txt.append(f"Items with negative weights ({names(neg, items=True)}) cannot be read on the map (IPMA needs "
                   "positive weights).")
    txt.append(_scale_words(scale))
    return " ".join(txt)
