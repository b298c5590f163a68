"""What the survey study found, in words: the results without the flagged respondents, the key findings
under the title (3-6, each with its interval and what to do about it) and the closing summary."""
from __future__ import annotations

from crmlab.report.fmt import fmt_ci, fmt_num
from crmlab.report.i18n import current_lang, pick
from crmlab.report.narrative import pct
from crmlab.studies.common.hygiene import flag_words, nothing_flagged
from crmlab.studies.survey.sentences import r2_words
from crmlab.studies.survey.text import label, labels


def _zh() -> bool:
    return current_lang() == "zh"


def flagged_findings(cmp, hyg) -> str:
    """The section "results without the flagged respondents" in words; ``cmp`` is
    :func:`.steps.without_flagged` (None when nothing is flagged or too few respondents remain)."""
    if cmp is None:
        if hyg.rows_flagged == 0:
            return nothing_flagged()
        return pick(en=f"Without the {hyg.rows_flagged:,} flagged respondents too few remain to refit the models.",
                    zh=f"去掉 {hyg.rows_flagged:,} 名被标记的受访者后，剩余人数不足以重新估计模型。")
    t = cmp.table
    r2a, r2b = fmt_num(t.loc["r2", "with_flagged"]), fmt_num(t.loc["r2", "without_flagged"])
    (top_a, top_b), (cand_a, cand_b) = cmp.top_drivers, cmp.candidates
    n = hyg.rows_flagged
    if _zh():
        tops = ("前三位驱动因素不变" if top_a == top_b else f"前三位驱动因素变为{labels(top_b)}（原为{labels(top_a)}）")
        cands = ("重点改进对象不变" if cand_a == cand_b else
                 f"重点改进对象变为{labels(cand_b) if cand_b else '无'}（原为{labels(cand_a) if cand_a else '无'}）")
        verdict = ("主要结论不取决于这些受访者。" if top_a == top_b and cand_a == cand_b
                   else "结论随这些受访者而变：行动之前请先核查他们的作答。")
        return (f"**结果解读**：去掉 {n:,} 名被标记的受访者（{flag_words(hyg)}）后，R² 为 {r2b}（全部受访者为 {r2a}），"
                f"{tops}，{cands}。{verdict}")
    tops = ("the top three drivers stay the same" if top_a == top_b
            else f"the top three drivers become {labels(top_b)} (instead of {labels(top_a)})")
    cands = ("the improvement candidates stay the same" if cand_a == cand_b else
             f"the improvement candidates become {labels(cand_b) if cand_b else 'none'} "
             f"(instead of {labels(cand_a) if cand_a else 'none'})")
    verdict = ("The headline conclusions do not depend on them." if top_a == top_b and cand_a == cand_b
               else "The conclusions move with them: check their answers before acting.")
    return (f"**What the numbers say.** Without the {n:,} flagged respondents ({flag_words(hyg)}), R² is {r2b} "
            f"(all respondents: {r2a}), {tops}, and {cands}. {verdict}")


def _top_two(kda, outcome) -> str:
    imp = kda.importance_
    r1, r2 = kda.rank_[:2]
    boot = "shapley_ci_low" in imp

    def share(d):
        ci = (fmt_ci(imp.loc[d, "shapley"], imp.loc[d, "shapley_ci_low"], imp.loc[d, "shapley_ci_high"]) if boot
              else fmt_num(imp.loc[d, "shapley"]))
        return ci
    s1, s2 = fmt_num(imp.loc[r1, "share_pct"]), fmt_num(imp.loc[r2, "share_pct"])
    if _zh():
        return (f"对{label(outcome)}影响最大的是{label(r1)}和{label(r2)}：分别占被解释方差的 {s1}% 和 {s2}%"
                f"（Shapley 值 {share(r1)} 和 {share(r2)}{'，95% 置信区间' if boot else ''}）。")
    return (f"{label(r1)} and {label(r2)} matter most for {label(outcome)}: {s1}% and {s2}% of the explained "
            f"variance (Shapley shares {share(r1)} and {share(r2)}{', 95% CI' if boot else ''}).")


def _candidates(candidates, kda) -> str:
    if candidates:
        return pick(en=f"Improvement candidates (important, but rated below average): {labels(candidates)}: work on "
                       "these first.",
                    zh=f"重点改进对象（重要但评分低于平均）：{labels(candidates)}，应优先改进。")
    return pick(en=f"No attribute is both important and rated below average: keep {label(kda.rank_[0])}, the most "
                   "important one, where it is.",
                zh=f"没有哪个属性既重要、评分又低于平均：保持最重要的{label(kda.rank_[0])}现有的水平。")


def _fit(kda, outcome) -> str:
    boot = getattr(kda, "r2_ci_", None) is not None
    p = len(kda.drivers_)
    return pick(en=f"The {p} attributes together explain R² = {r2_words(kda)} of the variance of {label(outcome)}"
                   f"{' (95% bootstrap interval)' if boot else ''}.",
                zh=f"{p} 个属性共解释了{label(outcome)}方差的 R² = {r2_words(kda)}{'（95% bootstrap 置信区间）' if boot else ''}。")


def _nps(res) -> str:
    est = fmt_ci(res.score, res.ci_low, res.ci_high)
    if _zh():
        side = ("推荐者多于贬损者" if res.ci_low > 0 else "贬损者多于推荐者" if res.ci_high < 0
                else "无法判断推荐者与贬损者哪一方更多")
        return f"净推荐值 NPS = {est}（95% 置信区间，n = {res.n:,}）：{side}。"
    side = ("promoters outnumber detractors" if res.ci_low > 0 else "detractors outnumber promoters"
            if res.ci_high < 0 else "the sample cannot tell whether promoters or detractors are more numerous")
    return f"Net Promoter Score {est} (95% CI, n = {res.n:,}): {side}."


def _flagged(cmp, hyg) -> str:
    same = cmp.top_drivers[0] == cmp.top_drivers[1]
    r2b = fmt_num(cmp.table.loc["r2", "without_flagged"])
    if _zh():
        return (f"{hyg.rows_flagged:,} 名受访者被标记但保留（{flag_words(hyg)}）；去掉他们后 R² 为 {r2b}，"
                + ("前三位驱动因素不变。" if same else "前三位驱动因素有变化：行动之前请先核查。"))
    return (f"{hyg.rows_flagged:,} respondents are flagged and kept ({flag_words(hyg)}); without them R² is {r2b} and "
            + ("the top three drivers are the same." if same else "the top three drivers change: check them first."))


def _robust(summ) -> str:
    both = [d for d in summ["rank_raw"][:3] if d in summ["rank_within"][:3]]
    if both:
        return pick(en=f"{labels(both)} stay among the top three drivers when each respondent's use of the scale is "
                       "removed: the most robust result.",
                    zh=f"排除受访者量表使用方式的影响后，{labels(both)}仍居前三位：这是最稳健的结论。")
    return pick(en="No driver stays in the top three once each respondent's use of the scale is removed: read the "
                   "ranking with care.",
                zh="排除受访者量表使用方式的影响后，原来的前三位驱动因素无一保持在前三位：解读排名时需谨慎。")


def key_findings(*, sv, kda, candidates, nps_result=None, flagged=None, hyg=None, scale=None) -> list[tuple[str, str]]:
    """The 3-6 key findings under the title, each with its section: the drivers that matter most (shares
    and intervals), the improvement candidates by name, the model fit with its interval, the NPS when
    there is one, the flagged respondents when any, and the drivers robust to scale use."""
    out = [(_top_two(kda, sv.outcome), "drivers"), (_candidates(candidates, kda), "drivers"),
           (_fit(kda, sv.outcome), "drivers")]
    if nps_result is not None:
        out.append((_nps(nps_result), "nps"))
    if flagged is not None and hyg is not None:
        out.append((_flagged(flagged, hyg), "flagged"))
    if scale is not None:
        out.append((_robust(scale), "scale_usage"))
    return out[:6]


def summary(*, sv, hyg, tb, kda, candidates, nps_result=None, flagged=None, scale=None) -> str:
    """The closing summary in words, under the section's heading (what was used, what drives the outcome,
    what to work on, how sure)."""
    mean = fmt_num(tb.loc[sv.outcome, "mean"])
    lo, hi = hyg.scales[sv.outcome]
    parts = []
    if _zh():
        parts.append(f"本研究使用了 {hyg.rows_used:,} 名受访者（共读入 {hyg.rows_in:,} 名"
                     + (f"，其中 {hyg.rows_flagged:,} 名被标记但保留" if hyg.rows_flagged else "") + "）。"
                     f"{label(sv.outcome)}的均值为 {mean}（{lo:g}-{hi:g} 分），"
                     f"{pct(tb.loc[sv.outcome, 'top2box'])} 的受访者给出高分两档答案。")
    else:
        parts.append(f"This study used {hyg.rows_used:,} of {hyg.rows_in:,} respondents"
                     + (f" ({hyg.rows_flagged:,} of them flagged and kept)" if hyg.rows_flagged else "") + ". "
                     f"{label(sv.outcome)} averages {mean} on its {lo:g}-{hi:g} scale, with "
                     f"{pct(tb.loc[sv.outcome, 'top2box'])} in the top two points.")
    parts += [_fit(kda, sv.outcome), _top_two(kda, sv.outcome), _candidates(candidates, kda)]
    if nps_result is not None:
        parts.append(_nps(nps_result))
    if flagged is not None:
        parts.append(_flagged(flagged, hyg))
    if scale is not None:
        parts.append(_robust(scale))
    return ("" if _zh() else " ").join(parts)
