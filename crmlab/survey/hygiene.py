"""Survey hygiene: which respondents a model may use, which it should look at twice, and why.

Rows with unusable answers are excluded; patterns that can be genuine (straight-lining, identical
answers, speed) are flagged and kept by default, so that a report can show its results with and
without them. Every row is named by its 1-based file row (and respondent id when there is one).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError
from crmlab.survey.answers import file_rows, infer_scales, parse_durations, to_numeric_answers

#: Reasons in the order they are checked; a row is counted under its first reason. The first four
#: always exclude the row; the last three exclude or flag it as the caller chooses.
REASONS = ("non_numeric", "out_of_range", "missing", "duplicate", "straight_liner", "speeder", "same_answers")
#: The reasons that are a choice (``"flag"`` keeps the row and marks it, ``"exclude"`` drops it).
CHOICES = ("straight_liner", "speeder", "same_answers")
ACTIONS = ("flag", "exclude")


def _check_items(df: pd.DataFrame, items, what: str = "item") -> list:
    items = list(items)
    if not items:
        raise ParameterError(f"no {what}s given")
    missing = [c for c in items if c not in df.columns]
    if missing:
        raise DataError(f"{what}(s) {missing} not in the data (columns: {list(df.columns)[:20]})")
    return items


def _action(name: str, value: str) -> str:
    if value not in ACTIONS:
        raise ParameterError(f"parameter {name!r} must be 'flag' or 'exclude', got {value!r}")
    return value


def _scale(item, value, where: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ParameterError(f"{where}: the scale of {item!r} must be [lowest, highest], got {value!r}") from None
    if not lo < hi:
        raise ParameterError(f"{where}: the scale of {item!r} must have its lowest point below its highest, "
                             f"got [{lo:g}, {hi:g}]")
    return lo, hi


@dataclass
class HygieneReport:
    """Result of :func:`clean_survey`.

    Attributes
    ----------
    data : DataFrame
        The rows kept (flagged rows included), items numeric, missing codes set to NaN, reverse-keyed
        items recoded; no NaN in the ``required`` items.
    exclusions : DataFrame
        One row per excluded respondent: ``row`` (index label in the input), ``file_row`` (1-based row
        in the file), ``respondent`` (id, when ``id_column`` was given), ``reason`` (first failed check)
        and ``detail`` (items and values).
    flags : DataFrame
        The same columns for the rows kept but flagged (``reason``: straight_liner, speeder, same_answers).
    flagged : Series of bool on ``data.index``: the row is flagged.
    scales : dict item -> (lowest, highest) used for every item; ``scale_source`` says where each
        came from (the caller's ``scale_sources`` text, or ``"inferred"``).
    warnings : list of dict
        ``{"kind": "out_of_scale", "item", "scale", "file_rows", "values"}`` for answers outside the
        scale (those rows are excluded), ``{"kind": "scale_unused", "item", "scale", "observed"}`` when
        every answer to an item with a declared scale lies in its lower half (a 1-5 item declared 1-10:
        its top-box share would be 0), and ``{"kind": "no_durations", "column"}`` when no completion
        time could be read (the speeder check is then off).
    rows_in, rows_used : int
    recoded : dict
        ``missing_codes``: answers set to missing per item (text and numeric codes); ``reverse_items``.
    actions : dict reason -> "flag" or "exclude" for the reasons that are a choice.
    """

    data: pd.DataFrame
    exclusions: pd.DataFrame
    flags: pd.DataFrame
    flagged: pd.Series
    rows_in: int
    rows_used: int
    recoded: dict
    scales: dict = field(default_factory=dict)
    scale_source: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    actions: dict = field(default_factory=dict)
    min_duration: float | None = None

    @property
    def excluded_by_reason(self) -> dict:
        counts = self.exclusions["reason"].value_counts()
        return {r: int(counts.get(r, 0)) for r in REASONS}

    @property
    def flagged_by_reason(self) -> dict:
        counts = self.flags["reason"].value_counts()
        return {r: int(counts.get(r, 0)) for r in CHOICES}

    @property
    def rows_flagged(self) -> int:
        return int(self.flagged.sum())

    @property
    def data_unflagged(self) -> pd.DataFrame:
        """The kept rows without the flagged ones (for results "without the flagged rows")."""
        return self.data.loc[~self.flagged.to_numpy()]

    def summary(self) -> pd.DataFrame:
        """Rows per reason, with what was done to them (``excluded``, ``flagged``) and example file rows."""
        rows = []
        for r in REASONS:
            flagged = self.actions.get(r) == "flag"
            table = self.flags if flagged else self.exclusions
            sel = table[table["reason"] == r]
            rows.append({"reason": r, "action": "flagged" if flagged else "excluded", "rows": len(sel),
                         "example_rows": ", ".join(str(x) for x in sel["file_row"].head(5))})
        rows.append({"reason": "kept", "action": "used", "rows": self.rows_used, "example_rows": ""})
        return pd.DataFrame(rows).set_index("reason")

    def to_record(self) -> dict:
        return {"rows_in": int(self.rows_in), "rows_used": int(self.rows_used),
                "excluded_by_reason": self.excluded_by_reason, "flagged_by_reason": self.flagged_by_reason,
                "rows_flagged": self.rows_flagged,
                "scales": {c: [float(lo), float(hi)] for c, (lo, hi) in self.scales.items()},
                "scale_source": dict(self.scale_source),
                "missing_codes": {c: n for c, n in self.recoded["missing_codes"].items() if n}}

    def _repr_html_(self) -> str:
        return (f"<p><b>Survey hygiene</b>: {self.rows_in} rows in, {self.rows_used} used, "
                f"{self.rows_flagged} of them flagged.</p>" + self.summary().to_html())


def clean_survey(df: pd.DataFrame, items, *, scales: dict | None = None, scale_min: float | None = None,
                 scale_max: float | None = None, scale_sources: dict | None = None, required=None,
                 missing_codes=(), reverse_items=(), straightliners: str = "flag", straightline_min_items: int = 3,
                 straightline_items=None, id_column: str | None = None, duplicates: str = "flag",
                 duration_column: str | None = None, min_duration: float | None = None, speeders: str = "exclude",
                 extra_ranges: dict | None = None, max_invalid_share: float = 0.05,
                 first_row: int = 2) -> HygieneReport:
    """Check a respondent-level survey before any model; nothing is dropped silently.

    Checks, in order (a row is listed under the first it fails):

    1. ``non_numeric``: text in a numeric item that is not a code for "no answer" ("seven").
       Codes are set to missing first: the texts of :data:`crmlab.survey.answers.TEXT_MISSING`
       (``(跳过)``, ``-``, ``N/A``, ``不适用``...) and the numbers or texts in ``missing_codes``.
    2. ``out_of_range``: an answer outside the item's scale, or not a whole number.
    3. ``missing``: no answer to a ``required`` item (default: all items).
    4. ``duplicate``: the same ``id_column`` value as an earlier row (the first is kept).
    5. ``straight_liner``: the same answer to every item of a scale (zero spread across at least
       ``straightline_min_items`` answered items sharing a scale, in every such group), judged on
       the raw answers before reverse-keyed items are recoded.
    6. ``speeder``: completion time in ``duration_column`` (seconds, or text such as ``2分10秒``,
       :func:`crmlab.survey.answers.parse_durations`) below ``min_duration`` seconds (default: a
       third of the median time; Greszki, Meyer & Schoen 2015, Public Opinion Quarterly 79).
    7. ``same_answers``: the same answers to all items as an earlier row. On short scales with
       few items identical patterns also occur by chance, so this is a flag, not proof.

    Checks 1-4 exclude the row. Checks 5-7 flag it (it is kept, and listed in ``flags``) or
    exclude it, as ``straightliners``, ``speeders`` and ``duplicates`` say. Reverse-keyed items are
    then recoded ``x -> lowest + highest - x`` on their own scale.

    Parameters
    ----------
    df : DataFrame
    items : list of str
        Rating items (outcome, drivers and any other rated item).
    scales : dict item -> (lowest, highest), optional
        Answer scale per item. Items without one take ``(scale_min, scale_max)`` when both are given,
        and are otherwise inferred from the answers (:func:`crmlab.survey.answers.infer_scales`).
    scale_sources : dict item -> str, optional
        Where each declared scale comes from ("codebook", "parameter"); stored and quoted in messages.
    required : list of str, optional
        Items that must be answered (default: ``items``).
    missing_codes : numbers or texts meaning "no answer" (99, -1, "不知道").
    reverse_items : list of str
    straightliners, speeders, duplicates : "flag" or "exclude"
        What to do with straight-liners, speeders and rows repeating an earlier row's answers.
    straightline_items : list of str, optional
        Items judged for straight-lining (default: the items without an ``extra_ranges`` entry).
    id_column : str, optional
        Respondent id; a repeated id is excluded as ``duplicate`` and ids name rows in the tables.
    extra_ranges : dict item -> (lowest, highest), optional
        Scales of items outside the grid (an NPS item 0-10); merged into ``scales``.
    max_invalid_share : float
        When more than this share of an item's answers (and more than 2) are text or outside its
        scale, the scale or the export is wrong rather than a few respondents: the item is refused.
    first_row : int
        File row of the first data row (2 below one header line); rows are named ``position + first_row``.

    Raises
    ------
    DataError
        An item with many answers outside its declared scale or many text answers (naming the item,
        its scale, example values and file rows and the parameter to change), an inferred scale that
        meets a likely missing-value code, or unreadable completion times.
    ParameterError
        Unknown items, reverse items not among the items, bad scales or choices.

    Returns
    -------
    HygieneReport
    """
    items = _check_items(df, items)
    required = items if required is None else _check_items(df, required)
    actions = {"straight_liner": _action("straightliners", straightliners), "speeder": _action("speeders", speeders),
               "same_answers": _action("duplicates", duplicates)}
    reverse_items = list(reverse_items or [])
    bad_rev = [c for c in reverse_items if c not in items]
    if bad_rev:
        raise ParameterError(f"reverse_items {bad_rev} are not among the survey items {items}")
    extra_ranges = dict(extra_ranges or {})
    given = {**{c: _scale(c, v, "scales") for c, v in (scales or {}).items()},
             **{c: _scale(c, v, "extra_ranges") for c, v in extra_ranges.items()}}
    unknown = sorted(set(given) - set(items))
    if unknown:
        raise ParameterError(f"scales are given for {unknown}, which are not among the survey items {items}")
    if (scale_min is None) != (scale_max is None):
        raise ParameterError("give both scale_min and scale_max, or neither (per-item scales: `scales`)")
    if scale_min is not None:
        default = _scale("every item", (scale_min, scale_max), "scale_min/scale_max")
        given = {c: given.get(c, default) for c in items}
    sources = {c: (scale_sources or {}).get(c, "declared") for c in given}

    n, index = len(df), df.index
    if n == 0:
        raise DataError("the survey has no rows (no respondents)")
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, "", dtype=object)

    def mark(mask, name, text):
        mask = np.asarray(mask, dtype=bool) & (reason == None)  # noqa: E711 - elementwise
        reason[mask] = name
        detail[mask] = np.asarray(text, dtype=object)[mask] if not isinstance(text, str) else text

    num = pd.DataFrame(index=index)
    text_detail = np.full(n, "", dtype=object)
    recoded_missing = {}
    for c in items:
        x, coded, text = to_numeric_answers(df[c], missing_codes)
        recoded_missing[c] = int(coded.sum())
        t = text.to_numpy()
        if t.sum() > max(2, max_invalid_share * df[c].notna().sum()):
            examples = list(dict.fromkeys(df[c][t].astype(str)))[:3]
            raise DataError(f"item {c!r}: {int(t.sum()):,} of {n:,} answers are text, not numbers ({examples} at "
                            f"file rows {file_rows(t, first_row)}); export the answers as scores, or list the "
                            "texts that mean 'no answer' in `missing_codes`")
        text_detail[t] += f"{c}=" + df[c][t].astype(str).to_numpy() + "; "
        num[c] = x.to_numpy(dtype=float)
    mark(text_detail != "", "non_numeric", np.char.rstrip(text_detail.astype(str), "; "))

    todo = [c for c in items if c not in given]
    inferred = infer_scales(num, todo, first_row=first_row) if todo else {}
    used = {c: given.get(c, inferred.get(c)) for c in items}
    sources.update({c: "inferred" for c in inferred})

    warnings = []
    range_detail = np.full(n, "", dtype=object)
    for c in items:
        lo, hi = used[c]
        x = num[c].to_numpy()
        bad = ~np.isnan(x) & ((x < lo) | (x > hi) | (x != np.round(x)))
        if not bad.any():
            continue
        answered = int((~np.isnan(x)).sum())
        values = [float(v) for v in pd.unique(x[bad])[:3]]
        shown = ", ".join(f"{v:g}" for v in values)
        if bad.sum() > max(2, max_invalid_share * answered):
            raise DataError(f"item {c!r}: {int(bad.sum()):,} of {answered:,} answers ({bad.sum() / answered:.0%}) "
                            f"lie outside its scale {lo:g}-{hi:g} ({sources.get(c, 'declared')}), e.g. {shown} at "
                            f"file rows {file_rows(bad, first_row)}: the scale does not fit this item. Declare it "
                            f"in `scales` (e.g. {{{c}: [1, 5]}}) or fix the codebook, or list codes that mean "
                            "'no answer' in `missing_codes`")
        warnings.append({"kind": "out_of_scale", "item": c, "scale": (lo, hi), "values": values,
                         "file_rows": [int(p) + first_row for p in np.flatnonzero(bad)]})
        range_detail[bad] += f"{c}=" + pd.Series(x[bad]).map(lambda v: f"{v:g}").to_numpy(dtype=object) + "; "
    mark(range_detail != "", "out_of_range", np.char.rstrip(range_detail.astype(str), "; "))
    for c in given:   # a 1-5 survey declared 1-10: nothing lies outside, but every top-box share would be 0
        lo, hi = used[c]
        x = num[c].to_numpy()
        ok = x[~np.isnan(x) & (x >= lo) & (x <= hi)]
        if ok.size >= 10 and ok.max() <= lo + (hi - lo) / 2:
            warnings.append({"kind": "scale_unused", "item": c, "scale": (lo, hi),
                             "observed": (float(ok.min()), float(ok.max()))})

    miss = num[required].isna().to_numpy()
    miss_text = np.array([", ".join(np.asarray(required)[r]) for r in miss] + [""], dtype=object)[:n]
    mark(miss.any(axis=1), "missing", "missing: " + miss_text)

    if id_column is not None:
        if id_column not in df.columns:
            raise DataError(f"id_column {id_column!r} not in the data (columns: {list(df.columns)[:20]})")
        ids = df[id_column]
        mark((ids.duplicated(keep="first") & ids.notna()).to_numpy(), "duplicate", "repeated respondent id")

    sl_items = list(straightline_items) if straightline_items is not None else [c for c in items
                                                                                if c not in extra_ranges]
    groups: dict = {}
    for c in sl_items:
        groups.setdefault(used[c], []).append(c)
    judged = np.zeros(n, dtype=bool)
    same = np.ones(n, dtype=bool)
    for cols in groups.values():
        X = num[cols]
        enough = (X.notna().sum(axis=1) >= straightline_min_items).to_numpy()
        flat = ((X.max(axis=1) - X.min(axis=1)) == 0).to_numpy()
        judged |= enough
        same &= ~enough | flat
    sl_value = num[sl_items].max(axis=1).map(lambda v: f"{v:g}").to_numpy(dtype=object) if sl_items else ""
    mark(judged & same, "straight_liner", "all answers = " + sl_value if sl_items else "")

    limit = None
    if duration_column is not None:
        if duration_column not in df.columns:
            raise DataError(f"duration_column {duration_column!r} not in the data (columns: {list(df.columns)[:20]})")
        dur = parse_durations(df[duration_column], column=duration_column, first_row=first_row).to_numpy()
        if np.isnan(dur).all():
            warnings.append({"kind": "no_durations", "column": duration_column})
        else:
            limit = float(min_duration) if min_duration is not None else float(np.nanmedian(dur)) / 3
            fast = ~np.isnan(dur) & (dur < limit)
            mark(fast, "speeder", pd.Series(dur).map(lambda v: f"{duration_column} = {v:g} s < {limit:g} s")
                 .to_numpy(dtype=object))

    open_rows = reason == None  # noqa: E711
    basis = num[items][open_rows]
    dup = np.zeros(n, dtype=bool)
    dup[np.flatnonzero(open_rows)] = basis.duplicated(keep="first").to_numpy()
    mark(dup, "same_answers", "same answers as an earlier row")

    is_flag = np.array([r in actions and actions[r] == "flag" for r in reason])
    drop = (reason != None) & ~is_flag  # noqa: E711
    keep = ~drop
    data = df.loc[keep].copy()
    for c in items:
        data[c] = num[c].to_numpy()[keep]
        if c in reverse_items:
            lo, hi = used[c]
            data[c] = lo + hi - data[c]
    rows = np.arange(n) + first_row
    ids = df[id_column].to_numpy() if id_column is not None else np.full(n, None, dtype=object)

    def table(mask):
        return pd.DataFrame({"row": index[mask], "file_row": rows[mask], "respondent": ids[mask],
                             "reason": reason[mask].astype(str), "detail": detail[mask]})

    return HygieneReport(data=data, exclusions=table(drop), flags=table(is_flag),
                         flagged=pd.Series(is_flag[keep], index=data.index), rows_in=n, rows_used=int(keep.sum()),
                         recoded={"missing_codes": recoded_missing, "reverse_items": reverse_items},
                         scales=used, scale_source=sources, warnings=warnings, actions=actions, min_duration=limit)


def exclusions_table(report: HygieneReport, *, prefix: str = "r_") -> pd.DataFrame:
    """The excluded and the flagged rows of a :class:`HygieneReport` in one table, fit to be saved.

    Parameters
    ----------
    report : HygieneReport
        From :func:`clean_survey`.
    prefix : str
        Prefix of the respondents' pseudonyms.

    Returns
    -------
    DataFrame, one row per excluded or flagged row in file order: ``file_row`` (1-based, the header is
    row 1), ``respondent`` (the id pseudonymised, only when the survey has an id column), ``reason``,
    ``action`` (``excluded`` / ``flagged``) and ``detail``.

    Notes
    -----
    Ids never leave in clear: ``respondent = prefix + HMAC_SHA256(key, str(id))[:12]``
    (:func:`crmlab.core.privacy.pseudonymize`), the same pseudonym for the same id in every table of a run.
    """
    from crmlab.core.privacy import pseudonymize

    out = pd.concat([report.exclusions.assign(action="excluded"), report.flags.assign(action="flagged")],
                    ignore_index=True).sort_values("file_row", kind="stable")
    out = out[["file_row", "respondent", "reason", "action", "detail"]].reset_index(drop=True)
    if out["respondent"].notna().any():
        out["respondent"] = pseudonymize(out["respondent"], prefix=prefix).where(out["respondent"].notna())
    else:
        out = out.drop(columns="respondent")
    return out


def validate_items(df: pd.DataFrame, items, *, scale_min=None, scale_max=None, what="item",
                   first_row: int = 2) -> None:
    """Raise :class:`DataError` naming the item and file rows for text, missing or out-of-scale answers."""
    items = _check_items(df, items, what)
    for c in items:
        col = df[c]
        x = pd.to_numeric(col, errors="coerce")
        bad = (x.isna() & col.notna()).to_numpy()
        if bad.any():
            raise DataError(f"{what} {c!r} holds non-numeric answers {col[bad].astype(str).unique()[:3].tolist()} "
                            f"at file rows {file_rows(bad, first_row)}")
        if x.isna().any():
            raise DataError(f"{what} {c!r} has missing answers at file rows {file_rows(x.isna(), first_row)}")
        if scale_min is not None:
            out = ((x < scale_min) | (x > scale_max)).to_numpy()
            if out.any():
                raise DataError(f"{what} {c!r} has answers outside the {scale_min}-{scale_max} scale "
                                f"({x[out].unique()[:3].tolist()}) at file rows {file_rows(out, first_row)}")
