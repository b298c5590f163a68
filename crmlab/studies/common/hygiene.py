"""The survey hygiene in words, shared by the studies that run :func:`crmlab.survey.clean_survey` (studies 1
and 2): the terms of its tables, the caption of its summary, its display table and its sentences (what was
excluded and flagged, the answer scales and where they come from, codes for "no answer", warnings, the flagged
respondents). Where the studies' sentences really differ (which section repeats the results without the
flagged, what a wrong scale spoils, how answers outside a scale are reported) the study passes its wording in.

Chinese terms, one per concept: 数据清洗, 排除, 标记并保留, 直线作答, 作答过快, 量表, 量表来源, 编码表.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import readable
from crmlab.studies.common.words import join, label, span

__all__ = ["TERMS", "TEXTS", "hygiene_table", "scales_words", "flag_words", "nothing_flagged", "hygiene_findings"]

#: Display names of the hygiene's columns and values, the scale sources, the results with and without the
#: flagged respondents and the variables appendix (a study's catalog merges them with its own terms).
TERMS: dict[str, dict[str, str]] = {
    # columns of the summary and exclusions tables, reasons (crmlab.survey.REASONS), what was done, the kept rows
    "reason": {"en": "reason", "zh": "原因"}, "action": {"en": "action", "zh": "处理"},
    "example_rows": {"en": "example file rows", "zh": "示例（文件行号）"},
    "file_row": {"en": "file row", "zh": "文件行号"}, "respondent": {"en": "respondent", "zh": "受访者"},
    "detail": {"en": "detail", "zh": "详情"},
    "non_numeric": {"en": "text, not a number", "zh": "非数值作答"},
    "out_of_range": {"en": "outside the answer scale", "zh": "超出量表范围"},
    "missing": {"en": "missing answer", "zh": "缺失作答"},
    "duplicate": {"en": "repeated respondent id", "zh": "受访者编号重复"},
    "straight_liner": {"en": "straight-liner", "zh": "直线作答"},
    "speeder": {"en": "speeder", "zh": "作答过快"},
    "same_answers": {"en": "same answers as an earlier respondent", "zh": "与先前受访者作答完全相同"},
    "excluded": {"en": "excluded", "zh": "排除"}, "flagged": {"en": "flagged, kept", "zh": "标记并保留"},
    "used": {"en": "used", "zh": "使用"}, "kept": {"en": "respondents used", "zh": "使用的受访者"},
    # where a declared scale comes from (crmlab.survey.declared_scales; "inferred": crmlab.survey.infer_scales)
    "codebook": {"en": "codebook", "zh": "编码表"}, "scales_parameter": {"en": "parameter scales", "zh": "参数 scales"},
    "inferred": {"en": "inferred from the answers", "zh": "由作答推断"},
    # results with and without the flagged respondents (each study's steps.without_flagged)
    "result": {"en": "result", "zh": "结果"},
    "with_flagged": {"en": "all respondents used", "zh": "全部使用的受访者"},
    "without_flagged": {"en": "without the flagged", "zh": "去掉被标记者"},
    "respondents": {"en": "respondents", "zh": "受访者人数"},
    # the variables appendix (each study's variables_table)
    "variable": {"en": "variable", "zh": "变量"}, "item": {"en": "item", "zh": "题项"},
    "label": {"en": "label", "zh": "名称"}, "role": {"en": "role", "zh": "角色"},
    "scale": {"en": "answer scale", "zh": "量表"}, "scale_source": {"en": "scale from", "zh": "量表来源"},
    "reverse": {"en": "reverse-keyed", "zh": "反向计分"}, "yes": {"en": "yes", "zh": "是"}, "no": {"en": "no", "zh": "否"},
}

#: Captions (key = saved table name).
TEXTS: dict[str, dict[str, str]] = {
    "hygiene_summary": {
        "en": "Respondents excluded or flagged by each check (first check per respondent; file rows count the "
              "header as row 1) and respondents used.",
        "zh": "各项检查排除或标记的受访者人数（每人按第一个未通过的检查计；文件行号中标题行为第 1 行）与使用的受访者人数。"},
}


def _zh() -> bool:
    return current_lang() == "zh"


def hygiene_table(summary: pd.DataFrame) -> pd.DataFrame:
    """:meth:`crmlab.survey.HygieneReport.summary`: reasons and what was done to them in words."""
    return readable(summary, words=["action"], p_columns=(), index_words=True)


def scales_words(scales: dict, sources: dict, items) -> str:
    """The answer scales in words, grouped: ``1-10 for all 10 items (source: codebook)`` / ``1-5 for 3 items
    (source: inferred from the answers); 1-7 for “Overall satisfaction” (source: parameter scales)``."""
    groups: dict = {}
    for c in items:
        groups.setdefault((tuple(scales[c]), sources.get(c, "inferred")), []).append(c)
    parts = []
    for ((lo, hi), src), cols in groups.items():
        who = (pick(en=f"all {len(cols)} items", zh=f"全部 {len(cols)} 个题项均") if len(groups) == 1 and len(cols) > 1
               else join(label(c) for c in cols) if len(cols) <= 3
               else pick(en=f"{len(cols)} items", zh=f"{len(cols)} 个题项"))
        parts.append(pick(en=f"{span(lo, hi)} for {who} (source: {term(src)})",
                          zh=f"{who}为 {span(lo, hi)} 分（来源：{term(src)}）"))
    return ("；" if _zh() else "; ").join(parts)


def _counts(counts: dict, colon: bool = True) -> str:
    """Respondents per reason: ``straight-liner: 3; speeder: 1`` (``straight-liner 3`` without ``colon``) /
    ``直线作答 3 人；作答过快 1 人``."""
    if _zh():
        return "；".join(f"{term(k)} {v:,} 人" for k, v in counts.items())
    return "; ".join(f"{term(k)}{':' if colon else ''} {v:,}" for k, v in counts.items())


def flag_words(hyg) -> str:
    """The flagged respondents per reason (``hyg``: :class:`crmlab.survey.HygieneReport`):
    ``straight-liner: 102; same answers as an earlier respondent: 32`` / ``直线作答 102 人；…``."""
    return _counts({k: v for k, v in hyg.flagged_by_reason.items() if v})


def nothing_flagged() -> str:
    """The section on the results without the flagged respondents when nobody was flagged."""
    return pick(en="No respondent was flagged: every result above stands as it is.",
                zh="没有受访者被标记：以上结果无需对照。")


def hygiene_findings(hyg, items, *, repeated_in: tuple[str, str], appendix: tuple[str, str],
                     wrong_scale: tuple[str, str], out_of_scale: Callable[[object, dict], str],
                     inferred_note: tuple[str, str] | None = None, colon: bool = True, singular: bool = True) -> str:
    """The hygiene section in words: respondents read and used, what was excluded and flagged (and what is done
    with the flagged), the answer scales and where they come from, codes for "no answer", answers outside a
    scale, scales left half unused, unreadable completion times, the speeder limit and reverse-keyed items.

    ``hyg`` is :class:`crmlab.survey.HygieneReport`, ``items`` the items checked. The study's own wording, each
    ``(English, Chinese)``: ``repeated_in``, the section that repeats the headline results without the flagged
    (``("section 10", "第 10 节")``); ``appendix``, where inferred scales can be checked (``("the appendix",
    "附录")``); ``wrong_scale``, what a wrong declared scale spoils (``("on a wrong scale the top-2-box share is
    0%", "量表有误时高分两档占比为 0%")``); ``inferred_note``, a clause after the advice on inferred scales.
    ``out_of_scale(hyg, warning)`` writes the sentence on one item's answers outside its scale. ``colon`` writes
    the excluded counts ``reason: n`` (else ``reason n``); ``singular`` writes ``1 respondent is flagged`` (else
    ``1 respondents are``).
    """
    zh = _zh()
    share = fmt_num(100 * hyg.rows_used / hyg.rows_in if hyg.rows_in else 0.0)
    excluded = {k: v for k, v in hyg.excluded_by_reason.items() if v}
    flagged = any(hyg.flagged_by_reason.values())
    sep = "；" if zh else "; "
    if zh:
        out = [f"**结果解读**：共读入 {hyg.rows_in:,} 名受访者，使用 {hyg.rows_used:,} 名（{share}%）。",
               "排除：" + _counts(excluded) + "。" if excluded else "没有受访者被排除。"]
        if flagged:
            out.append(f"{hyg.rows_flagged:,} 名受访者被标记但保留（{flag_words(hyg)}）：这类作答模式也可能是真实的，"
                       f"因此以下模型包括他们，{repeated_in[1]}给出不含他们的主要结果。")
    else:
        out = [f"**What the numbers say.** {hyg.rows_in:,} respondents read, {hyg.rows_used:,} used ({share}%).",
               "Excluded: " + _counts(excluded, colon) + "." if excluded else "No respondent was excluded."]
        if flagged:
            n = hyg.rows_flagged
            who = (f"{n:,} respondent is" if n == 1 and singular else f"{n:,} respondents are")
            out.append(f"{who} flagged and kept ({flag_words(hyg)}): such patterns can be genuine, so the models "
                       f"below use them, and {repeated_in[0]} repeats the headline results without them.")
    words = scales_words(hyg.scales, hyg.scale_source, items)
    out.append(pick(en=f"Answer scales: {words}.", zh=f"量表：{words}。"))
    if any(hyg.scale_source.get(c) == "inferred" for c in items):
        note_en, note_zh = (f"; {inferred_note[0]}", f"；{inferred_note[1]}") if inferred_note else ("", "")
        out.append(pick(en=f"Scales inferred from the answers (no codebook entry, no `scales`): check them in "
                           f"{appendix[0]}, and declare them with `scales` (e.g. `{{item: [1, 5]}}`) when an end of "
                           f"a scale was never chosen{note_en}.",
                        zh=f"由作答推断的量表（编码表与参数 `scales` 均未给出）：请在{appendix[1]}中核对；若某一端的分值"
                           f"无人选择，请用 `scales` 声明（例如 `{{题项: [1, 5]}}`）{note_zh}。"))
    coded = {c: n for c, n in hyg.recoded["missing_codes"].items() if n}
    if coded:
        listed = sep.join(f"{label(c)} {n:,}" for c, n in coded.items())
        out.append(pick(en=f"Codes for “no answer” (such as (跳过), -, N/A, 不适用 or `missing_codes`) set to missing "
                           f"before reading the numbers: {listed}.",
                        zh=f"表示“未作答”的代码（如 (跳过)、-、N/A、不适用或 `missing_codes` 中的取值）在读取数值之前设为缺失："
                           f"{listed}。"))
    for w in hyg.warnings:
        if w["kind"] == "out_of_scale":
            out.append(out_of_scale(hyg, w))
        elif w["kind"] == "scale_unused":
            lo, hi = w["observed"]
            out.append(pick(en=f"Every answer to {label(w['item'])} lies between {lo:g} and {hi:g}, in the lower "
                               f"half of its declared scale {span(*w['scale'])}: check that scale (`scales` or the "
                               f"codebook); {wrong_scale[0]}.",
                            zh=f"{label(w['item'])}的所有答案都在 {lo:g} 到 {hi:g} 之间，即所声明量表 "
                               f"{span(*w['scale'])} 的下半部分：请核对该量表（`scales` 或编码表）；{wrong_scale[1]}。"))
        elif w["kind"] == "no_durations":
            out.append(pick(en=f"No completion time could be read in `{w['column']}`: the speeder check is off.",
                            zh=f"`{w['column']}` 列中没有可读的完成时间：未进行作答过快检查。"))
    if hyg.min_duration is not None:
        out.append(pick(en=f"Speeders: faster than {fmt_num(hyg.min_duration)} seconds.",
                        zh=f"作答过快：用时少于 {fmt_num(hyg.min_duration)} 秒。"))
    if hyg.recoded["reverse_items"]:
        reversed_ = join(label(c) for c in hyg.recoded["reverse_items"])
        out.append(pick(en=f"Reverse-keyed items recoded: {reversed_}.", zh=f"已反向计分的题项：{reversed_}。"))
    return ("" if zh else " ").join(out)
