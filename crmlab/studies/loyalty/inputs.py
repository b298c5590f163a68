"""Study 1's survey as it comes: the file and its codebook, each item's answer scale, the hygiene checks it
shares with study 2 (:func:`crmlab.survey.clean_survey`), the cut-offs of the overall items derived from
their scales, and the refusal of a survey too small for its model.

Nothing here writes words for readers; :mod:`.sentences` and :mod:`.findings` do.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError
from crmlab.studies.loyalty.steps import minimum_sample
from crmlab.survey import declared_scales as survey_scales
from crmlab.survey import exclusions_table  # the table saved as hygiene_exclusions

__all__ = ["LoyaltySurvey", "Cutoffs", "SCALE_SOURCES", "open_survey", "declared_scales", "clean", "data_record",
           "exclusions_table", "check_sample", "minimum_sample", "cutoffs", "derived_levels", "empty_groups",
           "variables_table", "constructs_table", "intro_values", "SATISFIED_SHARE", "COMPLETELY_SHARE"]

#: where an item's answer scale comes from (terms of the study's catalog)
SCALE_SOURCES = ("scales_parameter", "codebook", "inferred")

#: the satisfied / loyal cut-off lies at this share of the scale from its lowest point (the top 30%)
SATISFIED_SHARE = 0.7
#: the completely satisfied cut-off lies at this share of the scale (the top 10%)
COMPLETELY_SHARE = 0.9


@dataclass
class LoyaltySurvey:
    """The survey a run studies: the data as read, where from, its codebook, the model and its items.

    ``raw`` (as read), ``data`` (the path as given), ``file`` (its name), ``bundled`` (the ECSI survey shipped
    in ``data/``), ``codebook`` (:class:`crmlab.core.codebook.Codebook` or None), ``spec`` (the parsed model),
    ``satisfaction``/``loyalty`` (constructs), ``sat_item``/``loy_item`` (the raw overall items), ``items``
    (the model's items, then the overall items outside the model) and ``columns`` (further parameters and
    the columns they name: group, weights, id_column, duration_column).
    """

    raw: pd.DataFrame
    data: str
    file: str
    bundled: bool
    codebook: object
    spec: object
    satisfaction: str
    loyalty: str
    sat_item: str
    loy_item: str
    items: list
    columns: dict = field(default_factory=dict)


def _columns_list(df: pd.DataFrame, k: int = 40) -> str:
    cols = [str(c) for c in df.columns]
    return ", ".join(cols[:k]) + (f" (and {len(cols) - k} more)" if len(cols) > k else "")


def open_survey(data: str, model, satisfaction: str = "SAT", loyalty: str = "LOY", *, sheet=None,
                codebook: str | None = None, satisfaction_item: str | None = None, loyalty_item: str | None = None,
                columns: dict | None = None) -> LoyaltySurvey:
    """Read the survey ``data`` (sheet ``sheet`` of a workbook) and its codebook, parse ``model`` and check that
    the file has every column the study will use.

    ``codebook`` is a YAML or CSV codebook; None uses the ``codebook.yaml`` beside the data, if any.
    ``columns`` maps further parameters to the columns they name (``{"group": "gender"}``; None skipped).

    Raises
    ------
    ParameterError
        A model that does not parse or lacks the ``satisfaction`` / ``loyalty`` construct.
    DataError
        An unreadable file, or a column named by the model or a parameter that the file does not have
        (naming the file, the parameter and the file's columns).
    """
    from crmlab.core import datasets
    from crmlab.core.codebook import find_codebook, is_bundled
    from crmlab.sem.data import load_survey
    from crmlab.studies.loyalty.steps import model_spec, overall_items

    spec = model_spec(model, satisfaction, loyalty)
    path = datasets.resolve_path(data)
    raw = load_survey(path, sheet=sheet)
    absent = [it for it in spec.items if it not in raw.columns]
    if absent:
        raise DataError(f"{path.name}: the model (parameter 'model') names item(s) {absent} that the file does not "
                        f"have; its columns: {_columns_list(raw)}")
    named = {"satisfaction_item": satisfaction_item, "loyalty_item": loyalty_item, **(columns or {})}
    for param, col in named.items():
        if col and col not in raw.columns:
            raise DataError(f"{path.name}: parameter {param!r} names column {col!r}, which the file does not have; "
                            f"its columns: {_columns_list(raw)}")
    sat_item, loy_item = overall_items(spec, satisfaction, loyalty, satisfaction_item, loyalty_item)
    items = list(spec.items) + [c for c in dict.fromkeys((sat_item, loy_item)) if c not in spec.items]
    cb = find_codebook(codebook, data)
    return LoyaltySurvey(raw, str(data), path.name, is_bundled(data), cb, spec, satisfaction, loyalty, sat_item,
                         loy_item, items, {k: v for k, v in (columns or {}).items() if v})


# --------------------------------------------------------------------------
# answer scales and hygiene (the checks of crmlab.survey, shared with study 2)
# --------------------------------------------------------------------------
def declared_scales(sv: LoyaltySurvey, scales: dict | None = None):
    """``(scales, sources)``: the answer scale (lowest, highest) of each item that has one declared, and where it
    comes from (one of :data:`SCALE_SOURCES`), by :func:`crmlab.survey.declared_scales` on the model's and the
    overall items: ``scales`` (item -> [lowest, highest]) first, then the codebook. Items left out are inferred
    from the answers by the hygiene step (:func:`crmlab.survey.answers.infer_scales`).

    Raises
    ------
    ParameterError
        ``scales`` naming a column that is not an item of the model or an overall item, or a scale that is
        not [lowest, highest].
    """
    return survey_scales(sv.items, scales=scales, codebook=sv.codebook, what="items of the model or the overall items")


def clean(sv: LoyaltySurvey, *, scales: dict | None = None, missing_codes=(), id_column: str | None = None,
          duration_column: str | None = None, min_duration: float | None = None, straightliners: str = "flag",
          speeders: str = "exclude", duplicates: str = "flag"):
    """The hygiene checks of :func:`crmlab.survey.clean_survey` on every item (the model's and the overall
    items): scales from :func:`declared_scales` (the rest inferred), codes for "no answer" set to missing,
    answers outside an item's scale excluded (or refused when many), every item required (listwise), the
    codebook's reverse-keyed items recoded, straight-lining judged on all items, repeated ids excluded,
    straight-liners / speeders / repeated answer patterns flagged or excluded as chosen, rows named by file
    row. A DataError names the file too.

    Returns
    -------
    :class:`crmlab.survey.HygieneReport`
    """
    from crmlab.survey import clean_survey

    declared, sources = declared_scales(sv, scales)
    reverse = [c for c in (sv.codebook.reversed() if sv.codebook is not None else []) if c in sv.items]
    try:
        return clean_survey(sv.raw, sv.items, scales=declared, scale_sources=sources, missing_codes=missing_codes,
                            reverse_items=reverse, straightliners=straightliners, id_column=id_column,
                            duplicates=duplicates, duration_column=duration_column, min_duration=min_duration,
                            speeders=speeders, first_row=2)
    except DataError as exc:
        raise DataError(f"{sv.file}: {exc}") from None


def data_record(hyg, prep) -> dict:
    """The ``data`` entry of results.json: respondents read, used, and excluded for missing answers."""
    return {"respondents": int(hyg.rows_in), "used": int(prep.n_used),
            "dropped_missing": int(hyg.excluded_by_reason.get("missing", 0) + prep.n_dropped)}


def check_sample(sv: LoyaltySurvey, hyg) -> str | None:
    """Refuse a survey too small to estimate its model; warn (a sentence for the report) below the ten-times rule.

    The models cannot be estimated from no more respondents than the model has items (the item covariance
    matrix is singular); below ten times the largest number of arrows pointing at a construct (Hair,
    Ringle & Sarstedt 2011) they can, but the estimates are unstable and the report says so.

    Raises
    ------
    DataError
        "too few respondents for this model", with the counts read, excluded and used, the minimum and why,
        naming the parameters that fix it (``data``, ``model``).
    """
    need, construct, k = minimum_sample(sv.spec)
    n, items = hyg.rows_used, len(sv.spec.items)
    if n <= items:
        raise DataError(f"{sv.file}: too few respondents for this model: {n:,} usable of {hyg.rows_in:,} read "
                        f"({hyg.rows_in - n:,} excluded by the hygiene checks). A model with {items} items needs "
                        f"more respondents than items (and at least {need:,} by the ten-times rule: {k} arrows "
                        f"point at {construct!r}): give more respondents (parameter 'data') or a smaller model "
                        f"(parameter 'model')")
    if n < need:
        from crmlab.report.i18n import pick, term

        return pick(en=f"**Few respondents for this model:** {n:,} usable, fewer than the {need:,} the ten-times "
                       f"rule asks for ({k} arrows point at {term(construct)}). The estimates below are unstable: "
                       f"read their intervals, not the point values.",
                    zh=f"**样本量偏小：** 可用受访者 {n:,} 人，少于“十倍法则”要求的 {need:,} 人（指向{term(construct)}"
                       f"的箭头有 {k} 个）。以下估计不够稳定：请看区间，而不是点估计。")
    return None


# --------------------------------------------------------------------------
# cut-offs of the overall items, from their answer scales
# --------------------------------------------------------------------------
def _half_up(x: float) -> int:
    return int(math.floor(x + 0.5 + 1e-9))


def derived_levels(low: float, satisfied_min: float, completely_min: float, high: float) -> list:
    """Kotler's satisfaction levels on a scale ``low``-``high``: highly satisfied from ``completely_min``,
    satisfied from ``satisfied_min``, and the points below ``satisfied_min`` split into very dissatisfied,
    somewhat dissatisfied and neutral (neutral and somewhat dissatisfied take a third each, rounded down; very
    dissatisfied the rest). On 0-10 with cut-offs 7 and 9: 0-2, 3-4, 5-6, 7-8, 9-10; on 1-5 with 4 and 5:
    1, 2, 3, 4, 5. Levels with no point of the scale are left out."""
    below = int(satisfied_min - low)
    third = below // 3
    sizes = [below - 2 * third, third, third] if below >= 3 else [1, 1, 0][:below] + [0] * (3 - below)
    out, start = [], low
    for name, size in zip(("very dissatisfied", "somewhat dissatisfied", "neutral"), sizes):
        if size:
            out.append([name, start, start + size - 1])
            start += size
    if completely_min > satisfied_min:
        out.append(["satisfied", satisfied_min, completely_min - 1])
    out.append(["highly satisfied", completely_min, high])
    return out


@dataclass
class Cutoffs:
    """The cut-offs of the overall items: given, or derived from the items' answer scales.

    ``loyal_min``, ``satisfied_min``, ``completely_min``, ``merely`` (lowest, highest), ``levels``
    ([name, lowest, highest] each), the scales ``sat_scale`` and ``loy_scale``, and ``derived``: the names of
    the parameters that were not given and follow the scale.
    """

    loyal_min: float
    satisfied_min: float
    completely_min: float
    merely: tuple
    levels: list
    sat_scale: tuple
    loy_scale: tuple
    derived: list

    def record(self) -> dict:
        """The ``cutoffs`` entry of results.json."""
        return {"loyal_min": self.loyal_min, "satisfied_min": self.satisfied_min,
                "completely_min": self.completely_min, "merely": list(self.merely),
                "levels": [list(lv) for lv in self.levels], "satisfaction_scale": list(self.sat_scale),
                "loyalty_scale": list(self.loy_scale), "derived": list(self.derived)}


def _within(name: str, value, scale: tuple, item: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"parameter {name!r} must be a number, got {value!r}") from None
    lo, hi = scale
    if not lo < v <= hi:
        raise ParameterError(f"parameter {name!r} = {v:g} does not lie above the lowest point and within the "
                             f"{lo:g}-{hi:g} answer scale of {item!r}; give a value in ({lo:g}, {hi:g}], or None "
                             f"to derive it from the scale")
    return v


def cutoffs(sat_scale: tuple, loy_scale: tuple, *, sat_item: str = "satisfaction item",
            loy_item: str = "loyalty item", loyal_min=None, satisfied_min=None, completely_min=None, merely=None,
            levels=None) -> Cutoffs:
    """The cut-offs of the study, each the parameter given or derived from the overall item's answer scale.

    Rule (scale ``low``-``high``, range r = high - low, rounded half up to whole points): loyal and satisfied
    from ``low + round(0.7 r)`` (the top 30% of the scale), completely satisfied from ``low + round(0.9 r)``
    (the top 10%; at least one point above satisfied), merely satisfied from the satisfied cut-off to one
    point below completely satisfied, levels by :func:`derived_levels`. On 0-10 this gives 7, 7, 9, 7-8 and
    Kotler's five levels 0-2, 3-4, 5-6, 7-8, 9-10; on 1-10: 7, 7, 9, 7-8; on 1-5: 4, 4, 5, 4-4 and one
    level per point; on 1-7: 5, 5, 6, 5-5.

    Raises
    ------
    ParameterError
        A given cut-off outside its item's scale, ``merely`` not [lowest, highest] below ``completely_min``,
        or ``levels`` that leave part of the satisfaction item's scale uncovered (naming the parameter and
        the scale).
    """
    s_lo, s_hi = (float(v) for v in sat_scale)
    l_lo, l_hi = (float(v) for v in loy_scale)
    derived = []
    if loyal_min is None:
        loyal_min, _ = l_lo + _half_up(SATISFIED_SHARE * (l_hi - l_lo)), derived.append("loyal_min")
    loyal_min = _within("loyal_min", loyal_min, (l_lo, l_hi), loy_item)
    if satisfied_min is None:
        satisfied_min, _ = s_lo + _half_up(SATISFIED_SHARE * (s_hi - s_lo)), derived.append("satisfied_min")
    satisfied_min = _within("satisfied_min", satisfied_min, (s_lo, s_hi), sat_item)
    if completely_min is None:
        completely_min = min(s_hi, max(s_lo + _half_up(COMPLETELY_SHARE * (s_hi - s_lo)), satisfied_min + 1))
        derived.append("completely_min")
    completely_min = _within("completely_min", completely_min, (s_lo, s_hi), sat_item)
    if merely is None:
        merely = (satisfied_min, max(satisfied_min, completely_min - 1))
        derived.append("merely")
    try:
        merely = tuple(float(v) for v in merely)
    except (TypeError, ValueError):
        raise ParameterError(f"parameter 'merely' must be [lowest, highest], e.g. [7, 8]; got {merely!r}") from None
    if len(merely) != 2 or not merely[0] <= merely[1] < completely_min or merely[0] < s_lo:
        raise ParameterError(f"parameter 'merely' = {list(merely)} must be [lowest, highest] within the "
                             f"{s_lo:g}-{s_hi:g} scale of {sat_item!r} and below completely_min = {completely_min:g}"
                             "; None derives it from the scale")
    if levels is None:
        levels = derived_levels(s_lo, satisfied_min, completely_min, s_hi)
        derived.append("levels")
    else:
        try:
            levels = [[str(lv[0]), float(lv[1]), float(lv[2])] for lv in levels]
        except (TypeError, ValueError, IndexError):
            raise ParameterError(f"parameter 'levels' must be a list of [name, lowest, highest]; got {levels!r}") \
                from None
        outside = [lv for lv in levels if lv[2] < s_lo or lv[1] > s_hi]
        if not levels or levels[0][1] > s_lo or levels[-1][2] < s_hi or outside:
            span = f"{levels[0][1]:g}-{levels[-1][2]:g}" if levels else "nothing"
            raise ParameterError(f"parameter 'levels' covers {span}, but {sat_item!r} is answered on "
                                 f"{s_lo:g}-{s_hi:g}: give levels from {s_lo:g} to {s_hi:g}, or None to derive "
                                 "Kotler's five levels from the scale")
    return Cutoffs(loyal_min, satisfied_min, completely_min, merely, levels, (s_lo, s_hi), (l_lo, l_hi), derived)


def empty_groups(sat, loy, cut: Cutoffs) -> list[tuple[str, tuple[str, ...]]]:
    """The groups of the cut-offs that no respondent falls in, each with the parameters that would change it:
    ``[("completely", ("completely_min",)), ...]`` for completely satisfied, merely satisfied, satisfied,
    dissatisfied, loyal and not loyal."""
    s, l_ = np.asarray(sat, float), np.asarray(loy, float)
    groups = [("completely", s >= cut.completely_min, ("completely_min",)),
              ("merely", (s >= cut.merely[0]) & (s <= cut.merely[1]), ("merely", "completely_min")),
              ("satisfied", s >= cut.satisfied_min, ("satisfied_min",)),
              ("dissatisfied", s < cut.satisfied_min, ("satisfied_min",)),
              ("loyal", l_ >= cut.loyal_min, ("loyal_min",)),
              ("not_loyal", l_ < cut.loyal_min, ("loyal_min",))]
    return [(name, params) for name, mask, params in groups if not mask.any()]


# --------------------------------------------------------------------------
# the variables appendix and the introduction
# --------------------------------------------------------------------------
def variables_table(sv: LoyaltySurvey, hyg) -> pd.DataFrame:
    """One row per column the study used (index: the code): ``label_en``, ``label_zh`` (from the codebook;
    empty without one), ``construct`` (its code; empty for a column outside the model), ``role`` (item,
    satisfaction_item, loyalty_item, group, weights, id_column, duration_column), ``scale_min``,
    ``scale_max``, ``scale_source`` (:data:`SCALE_SOURCES`; empty for columns that are not rated) and
    ``reverse``."""
    cb = sv.codebook
    owner = {it: c for c, its in sv.spec.constructs.items() for it in its}
    roles = {c: "item" for c in sv.spec.items}
    for c, role in ((sv.sat_item, "satisfaction_item"), (sv.loy_item, "loyalty_item")):
        roles[c] = role
    for param, col in sv.columns.items():
        roles.setdefault(col, param)
    rows = []
    for c, role in roles.items():
        entry = cb.columns.get(c) if cb is not None else None
        lo, hi = hyg.scales.get(c, (np.nan, np.nan))
        rows.append({"variable": c, "label_en": entry.en if entry is not None and entry.en else "",
                     "label_zh": entry.zh if entry is not None and entry.zh else "", "construct": owner.get(c, ""),
                     "role": role, "scale_min": lo, "scale_max": hi,
                     "scale_source": hyg.scale_source.get(c, "inferred") if c in hyg.scales else "",
                     "reverse": c in hyg.recoded["reverse_items"]})
    return pd.DataFrame(rows).set_index("variable")


def constructs_table(sv: LoyaltySurvey) -> pd.DataFrame:
    """One row per construct of the model (index: the code): ``label_en``, ``label_zh`` (codebook),
    ``measurement`` (reflective / formative), ``items`` (their number) and ``predictors`` (structural)."""
    cb = sv.codebook
    rows = []
    for c in sv.spec.names:
        entry = (cb.constructs.get(c) or {}) if cb is not None else {}
        mode = getattr(sv.spec, "modes", {}).get(c, "A")
        rows.append({"construct": c, "label_en": entry.get("en", ""), "label_zh": entry.get("zh", ""),
                     "measurement": "formative" if mode == "B" else "reflective",
                     "items": len(sv.spec.constructs[c]), "predictors": len(sv.spec.predecessors(c))})
    return pd.DataFrame(rows).set_index("construct")


def intro_values(sv: LoyaltySurvey) -> dict[str, str]:
    """The placeholders of the introductions (``intro``: ``rows``; ``intro_own``: ``file``, ``rows``,
    ``columns``, ``satisfaction``, ``loyalty``, ``n_constructs``, ``constructs``, ``n_items``, ``sat_item``,
    ``loy_item``, ``extra``), constructs and items by name in the current language."""
    from crmlab.report.i18n import pick
    from crmlab.report.narrative import md_escape
    from crmlab.studies.loyalty.text import item_label, md_name, names

    words = {"group": ("groups compared by", "分组变量为"), "weights": ("survey weights from", "调查权重来自"),
             "id_column": ("respondent ids from", "受访者编号来自"), "duration_column": ("completion times from",
                                                                            "完成时间来自")}
    extra = [pick(en=f"{words[k][0]} {item_label(c)}", zh=f"{words[k][1]}{item_label(c)}")
             for k, c in sv.columns.items() if k in words]
    tail = (pick(en="; ", zh="；") + pick(en="; ".join(extra), zh="；".join(extra))) if extra else ""
    return {"file": md_escape(sv.file), "rows": f"{len(sv.raw):,}", "columns": f"{sv.raw.shape[1]:,}",
            "satisfaction": md_name(sv.satisfaction), "loyalty": md_name(sv.loyalty),
            "n_constructs": str(len(sv.spec.names)), "constructs": names(sv.spec.names),
            "n_items": str(len(sv.spec.items)), "sat_item": item_label(sv.sat_item),
            "loy_item": item_label(sv.loy_item), "extra": tail}
