"""Sentences about study 1's answers, written from the numbers in the current language: the hygiene checks
(what was excluded and flagged, answer scales and where they come from, answers outside a scale by item and
respondent), the cut-offs of the overall items, groups the cut-offs leave empty, and the headline results
without the flagged respondents. Items and constructs are named by their labels (:mod:`.text`)."""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import pct
from crmlab.studies.common import hygiene
from crmlab.studies.common.hygiene import flag_words, nothing_flagged, scales_words
from crmlab.studies.common.words import span as _scale
from crmlab.studies.loyalty.text import item_label, md_name, path_name

__all__ = ["scales_words", "hygiene_findings", "cutoffs_line", "empty_groups_line", "flagged_findings",
           "respondents_words", "interval_pct"]


def _zh() -> bool:
    return current_lang() == "zh"


def _people(n: int, what: str = "respondent") -> str:
    """``1 respondent`` / ``2 respondents`` (English)."""
    return f"{n:,} {what}" + ("" if n == 1 else "s")


def respondents_words(hyg, file_rows) -> str:
    """Respondents named by file row, and by pseudonymised id when the survey has an id column:
    ``file rows 5, 9`` / ``respondents r_1a2b (file row 5), r_3c4d (file row 9)``; at most five, then a count."""
    from crmlab.core.privacy import pseudonymize

    rows = list(file_rows)
    shown, more = rows[:5], len(rows) - 5
    table = pd.concat([hyg.exclusions, hyg.flags], ignore_index=True).set_index("file_row")["respondent"]
    ids = [table.get(r) for r in shown]
    if all(i is not None and not pd.isna(i) for i in ids) and ids:
        pseud = pseudonymize(pd.Series(ids), prefix="r_").tolist()
        words = [pick(en=f"{p} (file row {r})", zh=f"{p}（文件第 {r} 行）") for p, r in zip(pseud, shown)]
        head = pick(en="respondents ", zh="受访者 ")
        body = head + ("、".join(words) if _zh() else ", ".join(words))
    else:
        body = pick(en="file rows " + ", ".join(map(str, shown)), zh="文件第 " + "、".join(map(str, shown)) + " 行")
    if more > 0:
        body += pick(en=f" and {more:,} more", zh=f"等（另有 {more:,} 名）")
    return body


def _out_of_scale(hyg, w) -> str:
    """Answers outside an item's scale, by respondent (``w``: an ``out_of_scale`` warning of ``hyg``)."""
    who = respondents_words(hyg, w["file_rows"])
    vals = ", ".join(f"{v:g}" for v in w["values"])
    return pick(en=f"**Answers outside the scale** of {item_label(w['item'])} ({_scale(*w['scale'])}): {vals}, from "
                   f"{who}; those respondents are excluded (if such a value means “no answer”, list it in "
                   "`missing_codes`).",
                zh=f"**超出量表的答案**：{item_label(w['item'])}（{_scale(*w['scale'])} 分）出现 {vals}，来自{who}；"
                   "这些受访者已被排除（若该取值表示“未作答”，请列入 `missing_codes`）。")


def hygiene_findings(hyg, items) -> str:
    """Section 1 in words (:func:`crmlab.studies.common.hygiene.hygiene_findings`): respondents read and used, what
    was excluded and flagged (and what is done with the flagged), the answer scales and where they come from,
    codes for "no answer", answers outside a scale by item and respondent, the speeder limit and reverse-keyed
    items (``hyg``: :class:`crmlab.survey.HygieneReport`)."""
    return hygiene.hygiene_findings(
        hyg, items, out_of_scale=_out_of_scale, repeated_in=("section 10", "第 10 节"), appendix=("the appendix", "附录"),
        inferred_note=("the cut-offs of the overall items follow these scales", "总体题项的分界值按这些量表确定"),
        wrong_scale=("on a wrong scale the cut-offs put every respondent in the lowest group",
                     "量表有误时，分界值会把所有受访者都归入最低的一组"))


def _points(lo, hi) -> str:
    return f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"


def cutoffs_line(cut, sat_item: str, loy_item: str, empty=()) -> str:
    """The cut-offs of the overall items in one sentence, saying which follow the items' scales and which
    were given (:class:`.inputs.Cutoffs`), followed by :func:`empty_groups_line` when ``empty``
    (:func:`.inputs.empty_groups`) names groups no respondent falls in."""
    line = _cutoffs(cut, sat_item, loy_item)
    tail = empty_groups_line(list(empty), cut, sat_item, loy_item)
    return line + ("\n\n" + tail if tail else "")


def _cutoffs(cut, sat_item: str, loy_item: str) -> str:
    zh = _zh()
    levels = ("、" if zh else ", ").join(f"{term(n)} {_points(lo, hi)}" for n, lo, hi in cut.levels)
    given = [p for p in ("loyal_min", "satisfied_min", "completely_min", "merely", "levels") if p not in cut.derived]
    s, l_ = item_label(sat_item), item_label(loy_item)
    ss, ls = _scale(*cut.sat_scale), _scale(*cut.loy_scale)
    if zh:
        src = ("均按量表确定" if not given else
               ("均由参数给出" if not cut.derived else f"除参数 {'、'.join(f'`{p}`' for p in given)} 外均按量表确定"))
        return (f"**分界值**（{src}）：忠诚为{l_} ≥ {cut.loyal_min:g}（{ls} 分量表）；满意为{s} ≥ "
                f"{cut.satisfied_min:g}，完全满意 ≥ {cut.completely_min:g}，仅仅满意为 "
                f"{_points(*cut.merely)} 分（{ss} 分量表）；满意度等级：{levels}。")
    src = ("all derived from the answer scales" if not given else
           ("all given as parameters" if not cut.derived else
            "derived from the answer scales except " + ", ".join(f"`{p}`" for p in given)))
    return (f"**Cut-offs** ({src}): loyal is {l_} ≥ {cut.loyal_min:g} (on {ls}); satisfied is {s} ≥ "
            f"{cut.satisfied_min:g}, completely satisfied ≥ {cut.completely_min:g}, merely satisfied "
            f"{_points(*cut.merely)} (on {ss}); satisfaction levels: {levels}.")


_GROUPS = {"completely": ("completely satisfied", "完全满意"), "merely": ("merely satisfied", "仅仅满意"),
           "satisfied": ("satisfied", "满意"), "dissatisfied": ("below the satisfied cut-off", "低于满意分界值"),
           "loyal": ("loyal", "忠诚"), "not_loyal": ("not loyal", "不忠诚")}


def empty_groups_line(groups, cut, sat_item: str, loy_item: str) -> str:
    """The groups no respondent falls in (:func:`.inputs.empty_groups`), with the parameters to change;
    empty when every group has respondents."""
    if not groups:
        return ""
    zh = _zh()
    parts = []
    for g, params in groups:
        en, zh_word = _GROUPS[g]
        p = ("、" if zh else " or ").join(f"`{x}`" for x in params)
        parts.append(f"{zh_word}（请调整 {p}）" if zh else f"{en} (change {p})")
    scales = pick(en=f"{item_label(sat_item)} on {_scale(*cut.sat_scale)}, {item_label(loy_item)} on "
                     f"{_scale(*cut.loy_scale)}",
                  zh=f"{item_label(sat_item)}为 {_scale(*cut.sat_scale)} 分，{item_label(loy_item)}为 "
                     f"{_scale(*cut.loy_scale)} 分")
    if zh:
        return (f"**空组**：没有受访者属于以下组：{'；'.join(parts)}。相关的比较无法计算；请检查分界值是否符合量表"
                f"（{scales}），或设为 None 按量表确定。")
    return (f"**Empty groups**: no respondent is {'; '.join(parts)}. The comparisons that need them cannot be made; "
            f"check that the cut-offs fit the scales ({scales}), or set them to None to derive them from the scales.")


def _result_name(key: str) -> str:
    if key.startswith("path:"):
        return path_name(key[5:], md=True)
    if key.startswith("r2:"):
        return pick(en=f"R² of {md_name(key[3:])}", zh=f"{md_name(key[3:])}的 R²")
    return {"not_loyal_merely": pick(en="not-loyal share of the merely satisfied", zh="仅仅满意者的不忠诚比例"),
            "not_loyal_completely": pick(en="not-loyal share of the completely satisfied",
                                         zh="完全满意者的不忠诚比例")}.get(key, key)


def flagged_findings(cmp, hyg, satisfaction: str, loyalty: str) -> str:
    """Section 10 in words (``cmp``: :func:`.steps.without_flagged`, None when nobody is flagged or too few
    remain): the key path and the R² of loyalty without the flagged respondents, and whether any headline
    result leaves its 95% interval."""
    if cmp is None:
        if hyg.rows_flagged == 0:
            return nothing_flagged()
        return pick(en=f"Without the {_people(hyg.rows_flagged, 'flagged respondent')} too few remain to refit the "
                       "model.",
                    zh=f"去掉 {hyg.rows_flagged:,} 名被标记的受访者后，剩余人数不足以重新估计模型。")
    t = cmp.table
    key = f"path:{loyalty}~{satisfaction}"
    r2 = f"r2:{loyalty}"
    n = hyg.rows_flagged
    path = ""
    if key in t.index:
        a, b = fmt_num(t.loc[key, "with_flagged"], 2), fmt_num(t.loc[key, "without_flagged"], 2)
        path = pick(en=f"the path {path_name(key[5:], md=True)} is {b} (all respondents: {a})",
                    zh=f"从{md_name(satisfaction)}到{md_name(loyalty)}的路径系数为 {b}（全部受访者为 {a}）")
    fit = pick(en=f"R² of {md_name(loyalty)} {fmt_num(t.loc[r2, 'without_flagged'], 2)} "
                  f"(all: {fmt_num(t.loc[r2, 'with_flagged'], 2)})",
               zh=f"{md_name(loyalty)}的 R² 为 {fmt_num(t.loc[r2, 'without_flagged'], 2)}"
                  f"（全部受访者为 {fmt_num(t.loc[r2, 'with_flagged'], 2)}）")
    if cmp.changed:
        moved = ("、" if _zh() else ", ").join(_result_name(k) for k in cmp.changed)
        verdict = pick(en=f"Outside the 95% interval of the result on all respondents: {moved}. The conclusions move "
                          "with these respondents: check their answers before acting.",
                       zh=f"超出全部受访者结果 95% 置信区间的有：{moved}。结论随这些受访者而变：行动之前请先核查他们的作答。")
    else:
        verdict = pick(en="Every headline result stays inside the 95% interval of the result on all respondents: "
                          "the conclusions do not depend on them.",
                       zh="所有主要结果都在全部受访者结果的 95% 置信区间之内：结论不取决于这些受访者。")
    if _zh():
        return (f"**结果解读**：去掉 {n:,} 名被标记的受访者（{flag_words(hyg)}）后，" + "，".join(x for x in (path, fit)
                                                                                  if x) + "。" + verdict)
    return (f"**What the numbers say.** Without the {_people(n, 'flagged respondent')} ({flag_words(hyg)}), "
            + ", ".join(x for x in (path, fit) if x) + ". " + verdict)


def interval_pct(share, low, high) -> str:
    """A share with its interval in percent: ``20% [14%, 28%]``."""
    return f"{pct(share, 0)} [{pct(low, 0)}, {pct(high, 0)}]" if share == share else "-"
