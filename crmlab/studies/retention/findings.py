"""What study 4 found, in words: the key findings under the title (3-6, each with its interval and unit and,
where the study can say, what to do) and the closing summary, both from the results a run collects in a
:class:`Found` as its sections run (a part without its table leaves its fields None)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, pick
from crmlab.report.narrative import interval, md_escape, p_phrase, pct
from crmlab.studies.retention import sentences as s
from crmlab.studies.retention.text import (
    arm_name,
    effect_text,
    level_text,
    md_money,
    model_name,
    money_interval,
    name,
    names,
    time_unit,
    with_time,
)


def _zh() -> bool:
    return current_lang() == "zh"


def arm_(label) -> str:
    return md_escape(arm_name(label))


@dataclass
class Found:
    """The results a run has reached, filled section by section with :meth:`add` (None: not run)."""

    parts: object
    level: float = 0.95
    alpha: float = 0.05
    srm: object = None
    max_smd: float | None = None
    itt: pd.DataFrame | None = None
    cuped: pd.DataFrame | None = None
    arm: object = None
    outcome: str | None = None
    learner: str | None = None
    qini: pd.DataFrame | None = None
    qb: dict | None = None
    policy: object = None
    budget: object = None
    sequential: pd.DataFrame | None = None
    aa: dict | None = None
    ratio: pd.DataFrame | None = None
    ratio_covariates: list = field(default_factory=list)
    km: object = None
    logrank: object = None
    cox: object = None
    ph_alpha: float = 0.01
    rmst: pd.DataFrame | None = None
    rmst_tau: float | None = None
    reasons: tuple | None = None
    times: list = field(default_factory=list)
    remaining: pd.DataFrame | None = None
    aft_best: str | None = None
    aft_horizon: float | None = None
    sbg: object = None
    sbg_compare: pd.DataFrame | None = None
    churn: object = None
    lift: pd.DataFrame | None = None

    def add(self, **results) -> None:
        """Keep the results of a section (names as the fields)."""
        for k, v in results.items():
            if not hasattr(self, k):
                raise AttributeError(f"Found has no field {k!r}")
            setattr(self, k, v)


# --------------------------------------------------------------------------- the experiment
def _best_row(f: Found):
    if f.itt is None:
        return None
    rows = f.itt[(f.itt["outcome"] == f.outcome) & (f.itt["arm"] == str(f.arm))]
    return rows.iloc[0] if len(rows) else None


def effect_finding(f: Found) -> str | None:
    """The target arm's effect on the main outcome, in its unit with the interval, and what it means."""
    r = _best_row(f)
    if r is None:
        return None
    kind = r["kind"] if "kind" in r else "continuous"
    ci = effect_text(r["estimate"], r["ci_low"], r["ci_high"], r["outcome"], kind)
    base, after = (level_text(r["mean_control"], r["outcome"], kind), level_text(r["mean_treated"], r["outcome"], kind))
    sure = r["p_holm"] < f.alpha
    ctl = arm_(f.parts.exp.control)
    if _zh():
        verdict = "效应在 Holm 校正后仍然显著" if sure else "数据不能证明存在效应"
        out = (f"{arm_(f.arm)}对{name(f.outcome)}的效应最大：{ci}（{pct(f.level, 0)} 置信区间），从{ctl}的 {base} "
               f"到 {after}；{verdict}（Holm 校正 {p_phrase(r['p_holm'])}）。")
    else:
        verdict = "it holds after the Holm correction" if sure else "the data do not establish an effect"
        out = (f"{arm_(f.arm)} has the largest effect on {name(f.outcome)}: {ci} ({pct(f.level, 0)} interval), from "
               f"{base} under {ctl} to {after}; {verdict} (Holm {p_phrase(r['p_holm'])}).")
    if f.srm is not None and f.srm.alert:
        out = pick(en="**Sample-ratio mismatch: the arms are not as designed, so do not trust the effects.** ",
                   zh="**样本比例失衡：各组人数与设计不符，以下效应不可信。**") + out
    return md_money(out)


def checks_finding(f: Found) -> str | None:
    """The randomisation checks in one finding (used when the experiment is the only part, or on an alert)."""
    if f.srm is None:
        return None
    smd = fmt_num(f.max_smd) if f.max_smd is not None else "-"
    if f.srm.alert:
        return pick(en=f"Randomisation check failed: the arm sizes depart from the design ({p_phrase(f.srm.p)}); find "
                       "the cause in assignment or logging before acting on the effects.",
                    zh=f"随机化检查未通过：各组人数偏离设计（{p_phrase(f.srm.p)}）；在依据效应采取行动之前，"
                       "请先查明分组或日志记录的问题。")
    return pick(en=f"The randomisation checks pass: arm sizes as designed ({p_phrase(f.srm.p)}) and covariates "
                   f"balanced (largest |SMD| {smd}), so the arms can be compared.",
                zh=f"随机化检查通过：各组人数符合设计（{p_phrase(f.srm.p)}），协变量平衡（最大 |SMD| 为 {smd}），"
                   "各组可以比较。")


def targeting_finding(f: Found) -> str | None:
    """Whether targeting beats contacting everyone, with the net value per customer in money."""
    pol = f.policy
    if pol is None:
        return None
    ev = pol.everyone
    k = s.whole_pct(pol.best_k)
    nv = money_interval(pol.net_value, pol.ci_low, pol.ci_high)
    e_nv = money_interval(ev.get("net_value"), ev.get("ci_low"), ev.get("ci_high"))
    gain = money_interval(ev.get("gain_of_best"), ev.get("gain_ci_low"), ev.get("gain_ci_high"), sign=True)
    beats = ev.get("gain_ci_low") is not None and ev.get("gain_ci_low") > 0
    everyone = pol.best_k >= 0.999
    zh = _zh()
    if pol.best_k <= 0:
        out = (f"没有值得联系的客户：按预测增益联系任何比例的客户，增量价值都抵不上联系成本（联系全部客户的每位客户净价值为 "
               f"{e_nv}）。" if zh else
               f"No one is worth contacting: at every share contacted by predicted uplift the incremental value falls "
               f"short of the contact cost (contacting everyone nets {e_nv} per customer).")
    elif everyone:
        out = (f"精准投放不如联系全部客户：联系所有人的每位客户净价值最高，为 {nv}。" if zh else
               f"Targeting does not beat contacting everyone: contacting all customers nets the most, {nv} per "
               "customer.")
    elif beats:
        out = (f"只联系预测增益最高的前 {k} 客户，每位客户净价值 {nv}，高于联系全部客户的 {e_nv}（每位客户多 "
               f"{gain}）：应精准投放。" if zh else
               f"Contacting only the top {k} by predicted uplift nets {nv} per customer against {e_nv} for contacting "
               f"everyone (a gain of {gain} per customer): target.")
    else:
        out = (f"只联系预测增益最高的前 {k} 客户，每位客户净价值 {nv}，联系全部客户为 {e_nv}；二者之差 {gain} "
               "的区间包含 0，数据不能证明精准投放优于联系全部客户。" if zh else
               f"Contacting only the top {k} by predicted uplift nets {nv} per customer, contacting everyone {e_nv}; "
               f"the gain, {gain}, includes zero, so the data do not show that targeting beats contacting everyone.")
    return md_money(out)


def budget_finding(f: Found) -> str | None:
    """The budgeted policy in one finding."""
    return None if f.budget is None else md_money(s.budget_summary_line(f.budget))


# --------------------------------------------------------------------------- time to churn
def churn_time_finding(f: Found) -> str | None:
    """The group that leaves soonest: its restricted mean time as a customer with the gap to the others, and its
    median time to churn when reached."""
    if f.rmst is None or f.km is None:
        return None
    rm = f.rmst
    worst = rm.loc[rm["rmst"].idxmin()]
    med = f.km.summary.set_index("stratum")["median"]
    m = med.get(worst["group"])
    others = rm[rm["group"] != worst["group"]]
    best = others.loc[others["rmst"].idxmax()] if len(others) else None
    zh = _zh()
    strata = name(f.parts.surv.strata_col)
    tau = with_time(f.rmst_tau)
    head = (f"按{strata}看，{name(worst['group'])}客户流失最快：前 {tau}内平均仍为客户 {with_time(worst['rmst'])}"
            if zh else f"{name(worst['group'])} customers churn soonest ({strata}): within the first {tau} they stay "
            f"{with_time(worst['rmst'])} on average")
    if best is not None:
        gap = best["rmst"] - worst["rmst"]
        if worst["group"] == rm.iloc[0]["group"] and pd.notna(best["diff"]):
            g = interval(best["diff"], best["ci_low"], best["ci_high"])
        else:
            g = fmt_num(gap)
        head += (f"，比{name(best['group'])}客户少 {g} {time_unit()}" if zh else
                 f", {g} {time_unit()} less than {name(best['group'])} customers")
    if pd.notna(m):
        km = f.km.summary.set_index("stratum").loc[worst["group"]]
        ci = interval(m, km["median_ci_low"], km["median_ci_high"])
        head += (f"；一半客户在 {ci} {time_unit()}内流失" if zh else
                 f"; half of them are gone within {ci} {time_unit()}")
    return head + ("。" if zh else ".")


def ph_finding(f: Found) -> str | None:
    """The proportional-hazards caveat, when a term of the Cox model violates it."""
    if f.cox is None:
        return None
    ph = f.cox.ph_test
    viol = ph[(ph["term"] != "GLOBAL") & (ph["p"] < f.ph_alpha)].sort_values("p", kind="stable")["term"].tolist()
    if not viol:
        return None
    return pick(en=f"The Cox hazard ratios of {names(viol)} change with tenure (proportional-hazards test p < "
                   f"{f.ph_alpha:g}): read them as averages; the survival curves and RMST above do not rely on "
                   "that assumption.",
                zh=f"{names(viol)}的 Cox 风险比随时间变化（比例风险检验 p < {f.ph_alpha:g}）：应理解为平均值；"
                   "上文的生存曲线和 RMST 不依赖这一假设。")


def sbg_finding(f: Found) -> str | None:
    """The contractual model: the DERL of the groups it fits, and the groups it cannot describe."""
    res = f.sbg
    if res is None or (res.table.empty and not res.not_fitted):
        return None
    zh = _zh()
    rate = pct(res.discount_rate, 1)
    fits = [(f"{name(r['group'])}首期保留率 {pct(r['retention_1'])}，新客户折现预期剩余期数 {with_time(r['derl'])}"
             if zh else f"{name(r['group'])}: {pct(r['retention_1'])} renew after the first period and a new "
             f"customer's discounted expected residual lifetime is {with_time(r['derl'])}")
            for r in res.table.to_dict("records")]
    out = ""
    if fits:
        out = ((f"合同续约模型（sBG，每期折现 {rate}）：" + "；".join(fits) + "。") if zh else
               f"Contract renewals (sBG, discounted at {rate} a period): " + "; ".join(fits) + ".")
    if res.not_fitted:
        groups = names(list(res.not_fitted))
        out += (f"{groups}的流失率随时长上升，sBG 模型无法描述。" if zh else
                f" {groups}: churn rises with tenure, which the sBG cannot describe.")
    return md_money(out.strip())


def churn_model_finding(f: Found) -> str | None:
    """How well the churn model ranks customers, and the list to call first."""
    if f.churn is None:
        return None
    bm = f.churn.metrics.set_index("model").loc[f.churn.best]
    auc = s.auc_text(bm)
    lift1 = fmt_num(f.lift["lift"].iloc[0], 2) if f.lift is not None else "-"
    return pick(en=f"The churn model ({model_name(f.churn.best)}) ranks customers by risk with an out-of-fold AUC of "
                   f"{auc} (95% DeLong interval); the riskiest 10% churn at {lift1} times the average rate: call them "
                   "first, in order of value at risk.",
                zh=f"流失预警模型（{model_name(f.churn.best)}）按风险为客户排序，样本外 AUC 为 {auc}（95% DeLong "
                   f"置信区间）；风险最高的 10% 客户流失率是平均水平的 {lift1} 倍：应按风险价值从高到低优先联系他们。")


# --------------------------------------------------------------------------- the box and the summary
def key_findings(f: Found) -> list[tuple[str, str]]:
    """3-6 key findings from this run's numbers, each with the section it links to."""
    exp = [(effect_finding(f), "effects"), (targeting_finding(f), "policy")]
    surv = [(churn_time_finding(f), "survival"), (ph_finding(f), "survival"), (sbg_finding(f), "contractual"),
            (churn_model_finding(f), "churn")]
    if f.parts.exp is not None and (f.parts.surv is None or (f.srm is not None and f.srm.alert)):
        exp.insert(0, (checks_finding(f), "checks"))
    if f.parts.surv is None:
        exp.append((budget_finding(f), "budget"))
    out = [(t, k) for t, k in exp + surv if t]
    return out[:6]


def summary(f: Found) -> str:
    """The closing summary in words: what each part found, with its numbers."""
    zh = _zh()
    paras = []
    note = s.parts_note(f.parts)
    if note:
        paras.append(note)
    if f.parts.exp is not None and f.itt is not None:
        lines = []
        chk = checks_finding(f)
        if chk:
            lines.append(chk)
        for r in f.itt.to_dict("records"):
            lines.append(md_money(f"{arm_(r['arm'])}对{name(r['outcome'])}：{s.mean_line(r)}，相对提升 "
                                  f"{pct(r['lift'], sign=True)}，Holm 校正 {p_phrase(r['p_holm'])}。" if zh else
                                  f"{arm_(r['arm'])} on {name(r['outcome'])}: {s.mean_line(r)}, relative lift "
                                  f"{pct(r['lift'], sign=True)}, Holm {p_phrase(r['p_holm'])}."))
        if f.cuped is not None:
            lines.append(s.cuped_line(f.cuped))
        if f.qb is not None:
            lines.append(s.qini_line(f.learner, f.qb))
        if f.sequential is not None:
            lines.append(s.sequential_summary_line(f.sequential, f.aa))
        if f.ratio is not None:
            lines.append(md_money(s.ratio_line(f.ratio, f.parts.exp.control, f.ratio_covariates)))
        for extra in (targeting_finding(f), budget_finding(f)):
            if extra:
                lines.append(extra)
        paras.append(pick(en="**The experiment.**", zh="**实验。**") + "\n\n" + s.bullets(lines))
    if f.parts.surv is not None and f.km is not None:
        sv = f.parts.surv
        lines = [s.km_line(f.km.summary, f.logrank, sv.duration_col, sv.strata_col)]
        for extra in (churn_time_finding(f),):
            if extra:
                lines.append(extra)
        if f.cox is not None:
            lines.append(s.ph_summary_line(f.cox.ph_test, f.ph_alpha))
        if f.reasons is not None:
            lines.append(s.reasons_summary_line(f.reasons[0].simulated, f.reasons[1], f.times, sv.duration_col))
        if f.remaining is not None:
            lines.append(s.remaining_line(f.remaining, f.aft_horizon, f.aft_best, sv.duration_col, explain=False))
        sb = sbg_finding(f)
        if sb:
            lines.append(sb)
        if f.churn is not None:
            lines.append(churn_model_finding(f))
        paras.append(pick(en="**Time to churn.**", zh="**流失时间。**") + "\n\n" + s.bullets(lines))
    return "\n\n".join(paras)
