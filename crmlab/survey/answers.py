"""Answers as survey platforms export them: codes for "no answer", text durations, answer scales.

- :func:`to_numeric_answers`: one item's answers as numbers, with text codes such as ``(跳过)``,
  ``-``, ``N/A`` or ``不适用`` and numeric codes such as 99 or -1 set to missing *before* the
  conversion, and full-width digits (``１０``) read as digits.
- :func:`parse_durations`: completion times as seconds from ``129``, ``129秒``, ``2分10秒``,
  ``00:02:09``, ``2m10s`` or a time-of-day cell of a spreadsheet.
- :func:`infer_scale` / :func:`infer_scales`: an item's answer scale from its answers when none is
  declared, refusing a value that looks like a code for "no answer" (99, -1...).
- :func:`declared_scales`: the scales a caller declares (per item, one for every item, a codebook, fixed
  ones) merged in order of precedence, each with its source.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError

#: Text that survey platforms write for "no answer" (compared after Unicode NFKC folding and
#: lower-casing, so ``（跳过）`` with full-width brackets and ``n/a`` match too).
TEXT_MISSING = frozenset({
    "", "-", "--", "---", "—", "–", ".", "n/a", "na", "n.a.", "#n/a", "null", "none", "nan",
    "(跳过)", "跳过", "(skipped)", "skipped", "(skip)", "不适用", "(不适用)", "not applicable",
    "(空)", "空", "(无)", "(未回答)", "未回答", "(未作答)", "未作答", "(no answer)", "no answer",
})

#: Values that stand for "no answer" in many exports and are refused when a scale is inferred.
SUSPECT_CODES = (-999, -99, -9, -1, 97, 98, 99, 999, 9999)


def fold(text) -> str:
    """Text as compared with missing codes: NFKC (full-width -> ASCII), stripped, lower case."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def file_rows(mask, first_row: int = 2, k: int = 5) -> str:
    """The first ``k`` positions where ``mask`` holds, as 1-based file rows (``first_row``: the row of the
    first data line; 2 below one header line), with a count when there are more."""
    pos = np.flatnonzero(np.asarray(mask, dtype=bool))
    shown = ", ".join(str(int(p) + first_row) for p in pos[:k])
    return shown + (f" (and {pos.size - k:,} more)" if pos.size > k else "")


def to_numeric_answers(values: pd.Series, missing_codes=()) -> tuple[pd.Series, pd.Series, pd.Series]:
    """One item's answers as numbers.

    Parameters
    ----------
    values : Series of answers as read (numbers, text, or both).
    missing_codes : numbers or texts meaning "no answer" (99, -1, "不知道"), in addition to
        :data:`TEXT_MISSING`.

    Returns
    -------
    (numbers, coded, text): the answers as floats (NaN where missing or not a number), a mask of
    answers that were a missing code (text or numeric), and a mask of answers that are text but
    not a number and not a code (``"seven"``, ``"非常满意"``).
    """
    codes_num, codes_text = set(), set(TEXT_MISSING)
    for c in missing_codes or ():
        if isinstance(c, (int, float)) and not isinstance(c, bool):
            codes_num.add(float(c))
        else:
            codes_text.add(fold(c))
            try:
                codes_num.add(float(fold(c)))
            except ValueError:
                pass
    s = pd.Series(values)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        x = s.astype(float)
        coded = x.isin(codes_num)
        return x.mask(coded), coded, pd.Series(False, index=s.index)
    present = s.notna()
    folded = s[present].map(fold)
    is_code = folded.isin(codes_text)
    x = pd.to_numeric(folded.where(~is_code), errors="coerce")
    text = pd.Series(False, index=s.index)
    text[present] = (x.isna() & ~is_code).to_numpy()
    num = pd.Series(np.nan, index=s.index)
    num[present] = x.to_numpy(dtype=float)
    coded = pd.Series(False, index=s.index)
    coded[present] = is_code.to_numpy()
    numeric_code = num.isin(codes_num)
    return num.mask(numeric_code), coded | numeric_code, text


_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0}
_WORDS = {"小时": "h", "时": "h", "钟头": "h", "hours": "h", "hour": "h", "hrs": "h", "hr": "h", "h": "h",
          "分钟": "m", "分": "m", "minutes": "m", "minute": "m", "mins": "m", "min": "m", "m": "m",
          "秒钟": "s", "秒": "s", "seconds": "s", "second": "s", "secs": "s", "sec": "s", "s": "s"}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)) + r")")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def duration_seconds(value) -> float:
    """One completion time in seconds (NaN for a missing value); raises ValueError when unreadable.

    >>> [duration_seconds(v) for v in (129, "129秒", "2分10秒", "00:02:09", "2:09", "1h2m", "1小时")]
    [129.0, 129.0, 130.0, 129.0, 129.0, 3720.0, 3600.0]
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        return pd.Timedelta(value).total_seconds()
    if isinstance(value, dt.time):  # a spreadsheet cell formatted as a time of day
        return value.hour * 3600.0 + value.minute * 60.0 + value.second + value.microsecond / 1e6
    text = fold(value)
    if text in TEXT_MISSING:
        return math.nan
    try:
        return float(text)
    except ValueError:
        pass
    m = _CLOCK.match(text)
    if m:
        h, mnt, sec = m.groups()
        return (int(h) if h else 0) * 3600.0 + int(mnt) * 60.0 + float(sec)
    compact = text.replace(" ", "")
    parts = _PART.findall(compact)
    if parts and _PART.sub("", compact) == "":
        return sum(float(n) * _UNITS[_WORDS[u]] for n, u in parts)
    raise ValueError(f"not a duration: {value!r}")


def parse_durations(values: pd.Series, *, column: str = "duration", first_row: int = 2) -> pd.Series:
    """Completion times in seconds, from numbers or text as platforms export them.

    Accepted: plain seconds (``129``), ``129秒``, ``129s``, ``2分10秒``, ``2分钟10秒``, ``1小时2分``,
    ``2m10s``, ``00:02:09``, ``2:09`` (minutes:seconds), spreadsheet time cells, and the codes of
    :data:`TEXT_MISSING` (read as missing).

    Raises
    ------
    DataError
        Naming the column, the unreadable values and their 1-based file rows.
    """
    s = pd.Series(values)
    out = np.full(len(s), np.nan)
    bad = np.zeros(len(s), dtype=bool)
    for i, v in enumerate(s.to_numpy(dtype=object)):
        try:
            out[i] = duration_seconds(v)
        except ValueError:
            bad[i] = True
    if bad.any():
        examples = list(dict.fromkeys(str(v) for v in s.to_numpy(dtype=object)[bad]))[:3]
        raise DataError(f"column {column!r}: completion times {examples} are not durations (file rows "
                        f"{file_rows(bad, first_row)}); write them as seconds (129), 129秒, 2分10秒 or 00:02:09")
    if (out < 0).any():
        raise DataError(f"column {column!r}: negative completion times at file rows {file_rows(out < 0, first_row)}")
    return pd.Series(out, index=s.index, name=s.name)


def infer_scale(values, *, item: str = "item", first_row: int = 2) -> tuple[float, float]:
    """The answer scale of an item from its answers, when none is declared.

    The lowest point is 0 when someone answered 0 and 1 otherwise (a 1-5 item where nobody chose
    1 is still 1-5); the highest is the largest answer (the caller may round it up to the scale of
    similar items, see :func:`infer_scales`). Negative lowest answers are kept (-3..3 scales).

    Raises
    ------
    DataError
        When the lowest or highest answer looks like a code for "no answer" (:data:`SUSPECT_CODES`:
        99 among answers of 1-10, -1 among answers of 1-5), naming the item and file rows: such a
        value must be declared in ``missing_codes``, or the scale given.
    """
    x = pd.Series(values, dtype=float)
    ok = x.dropna()
    if ok.empty:
        raise DataError(f"item {item!r} has no numeric answers: its scale cannot be inferred")
    lo, hi = float(ok.min()), float(ok.max())
    rest_hi = ok[ok < hi].max() if (ok < hi).any() else hi
    rest_lo = ok[ok > lo].min() if (ok > lo).any() else lo
    # 99 far above the other answers, or -1 below answers that are all 0 or more
    for value, other, side, odd in ((hi, rest_hi, "highest", hi - rest_hi >= 5),
                                    (lo, rest_lo, "lowest", lo < 0 <= rest_lo)):
        if value in SUSPECT_CODES and odd and ok.nunique() > 1:
            rows = file_rows(x.to_numpy() == value, first_row)
            raise DataError(f"item {item!r}: the {side} answer {value:g} (file rows {rows}) looks like a code for "
                            f"'no answer', far from the other answers ({other:g}); list it in `missing_codes`, "
                            f"or declare the item's scale in `scales` (e.g. {{{item}: [1, 10]}})")
    low = 0.0 if lo == 0 else 1.0 if lo > 0 else lo
    return low, max(hi, low + 1)


def infer_scales(df: pd.DataFrame, items, *, first_row: int = 2) -> dict[str, tuple[float, float]]:
    """:func:`infer_scale` for each item, with the highest point rounded up to the scale of other items
    when it is one short of it (a 1-5 item whose 5 nobody chose is read as 1-5 when other items are
    1-5, but a 1-4 item among 1-7 items stays 1-4)."""
    raw = {c: infer_scale(df[c], item=c, first_row=first_row) for c in items}
    tops = sorted({hi for _, hi in raw.values()})
    out = {}
    for c, (lo, hi) in raw.items():
        up = [t for t in tops if t == hi + 1]
        out[c] = (lo, up[0] if up else hi)
    return out


def declared_scales(items, *, scales: dict | None = None, scale_min: float | None = None,
                    scale_max: float | None = None, codebook=None, fixed: dict | None = None,
                    what: str = "survey items") -> tuple[dict, dict]:
    """The declared answer scale of each item, and where it comes from.

    Parameters
    ----------
    items : list of str
        The rated items: those that ``scale_min``/``scale_max`` and the codebook apply to.
    scales : dict item -> [lowest, highest], optional
        Per-item scales (the parameter ``scales``); may also name an item of ``fixed``.
    scale_min, scale_max : float, optional
        One scale for every rated item without an entry in ``scales`` (both or neither).
    codebook : mapping item -> (lowest, highest), or an object with a ``scales()`` method returning one
        (:class:`crmlab.core.codebook.Codebook`), optional
    fixed : dict item -> ((lowest, highest), source), optional
        Items outside ``items`` whose scale is set by their kind unless ``scales`` names them
        (an NPS item: ``{"rec": ((0, 10), "nps_scale")}``).
    what : str
        What ``items`` and ``fixed`` are, for the error naming an unknown item in ``scales``
        (``"the outcome, a driver or the NPS item"``).

    Returns
    -------
    (scales, sources) : dicts item -> (lowest, highest) as floats and item -> source, one of
        ``"scales_parameter"``, ``"scale_min/scale_max"``, ``"codebook"`` or a source of ``fixed``.
        Items without a declared scale are left out (:func:`infer_scales` infers them).

    Raises
    ------
    ParameterError
        ``scales`` naming a column that is neither in ``items`` nor in ``fixed`` (listing them), a scale that
        is not [lowest, highest] with lowest below highest, only one of ``scale_min``/``scale_max``, or
        ``scale_min`` not below ``scale_max``.

    Notes
    -----
    Precedence, first match wins: ``scales[item]``, then ``(scale_min, scale_max)``, then ``codebook[item]``
    (rated items only), then ``fixed[item]``. The result is ordered as that precedence is applied:
    the entries of ``scales``, then the rated items in order, then the fixed items.
    """
    items, fixed = list(items), dict(fixed or {})
    allowed = items + list(fixed)
    scales = dict(scales or {})
    unknown = [c for c in scales if c not in allowed]
    if unknown:
        raise ParameterError(f"parameter 'scales' names {unknown}, which are not {what} ({', '.join(allowed)})")
    out, src = {}, {}
    for c, v in scales.items():
        if not (isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v)
                and v[0] < v[1]):
            raise ParameterError(f"parameter 'scales': the scale of {c!r} must be [lowest, highest], e.g. [1, 5]; "
                                 f"got {v!r}")
        out[c], src[c] = (float(v[0]), float(v[1])), "scales_parameter"
    if (scale_min is None) != (scale_max is None):
        raise ParameterError("give both 'scale_min' and 'scale_max', or neither (per-item scales: 'scales')")
    if scale_min is not None and not scale_min < scale_max:
        raise ParameterError(f"parameter 'scale_min' ({scale_min}) must be below 'scale_max' ({scale_max})")
    book = codebook.scales() if hasattr(codebook, "scales") else dict(codebook or {})
    for c in items:
        if c in out:
            continue
        if scale_min is not None:
            out[c], src[c] = (float(scale_min), float(scale_max)), "scale_min/scale_max"
        elif c in book:
            out[c], src[c] = tuple(float(v) for v in book[c]), "codebook"
    for c, ((lo, hi), source) in fixed.items():
        if c not in out:
            out[c], src[c] = (float(lo), float(hi)), source
    return out, src
