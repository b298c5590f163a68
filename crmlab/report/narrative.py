"""The pieces every study's sentences and readable tables are made of.

- :func:`pct`: a share as a percentage; a tiny non-zero share is ``< 0.1%``, never ``0.0%``.
- :func:`interval`: an estimate with its interval, ``0.42 [0.31, 0.53]`` (ranks ``3 [2, 4]``).
- :func:`p_phrase`: ``p = 0.023`` or ``p < 0.001`` for a sentence.
- :func:`join_words`: ``a, b and c`` / ``a、b 和 c``.
- :func:`md_escape`: text that Markdown must show as typed (``LOY~SAT``, ``q_1``, ``*``).
- :func:`readable`: the display copy of a result table (intervals in one column, shares as
  percentages, p-values, numbers to significant digits, headers and known values in the
  current language).

Numbers go through :mod:`crmlab.report.fmt`; words through :mod:`crmlab.report.i18n`.
"""
from __future__ import annotations

import re

import pandas as pd

from crmlab.report.fmt import fmt_ci, fmt_num, fmt_p, format_table
from crmlab.report.i18n import current_lang, term, translate_columns


def missing(x) -> bool:
    """True for None, NaN and pandas' missing values."""
    if x is None:
        return True
    if isinstance(x, str):
        return False
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def pct(x, digits: int = 1, *, sign: bool = False) -> str:
    """A share (0-1) as a percentage with ``digits`` decimals.

    A non-zero share that would round to zero is shown as ``< 0.1%`` (``> -0.1%``),
    never ``0.0%``; from 100% up no decimals; ``-`` when missing; ``sign`` adds ``+``.

    >>> pct(0.1453), pct(0.0004), pct(0.0), pct(1.1884, sign=True), pct(0.15, 0)
    ('14.5%', '< 0.1%', '0.0%', '+119%', '15%')
    """
    if missing(x):
        return "-"
    v = 100 * float(x)
    floor = 10.0 ** -digits
    if 0 < abs(v) < floor / 2:
        return f"< {floor:.{digits}f}%" if v > 0 else f"> -{floor:.{digits}f}%"
    d = digits if abs(v) < 99.95 else 0
    text = f"{v:.{d}f}"
    if float(text) == 0:
        text = f"{0:.{d}f}"  # no "-0.0%"
    return ("+" if sign and v > 0 else "") + text + "%"


def interval(estimate, low, high, sig: int = 2, *, sign: bool = False) -> str:
    """``estimate [low, high]`` at the precision the interval supports (:func:`~crmlab.report.fmt.fmt_ci`).

    Whole numbers (ranks, counts) stay whole: ``3 [2, 4]``. A missing bound is shown as ``-``
    (a median not reached); ``sign`` puts ``+`` before a positive estimate.

    >>> interval(0.0766, 0.0700, 0.0832, sign=True), interval(3, 2, 4), interval(float("nan"), 72.0, None)
    ('+0.077 [0.070, 0.083]', '3 [2, 4]', '- [72, -]')
    """
    vals = [estimate, low, high]
    if all(missing(v) for v in vals):
        return "-"
    if any(missing(v) for v in vals):
        return f"{fmt_num(estimate)} [{fmt_num(low)}, {fmt_num(high)}]"
    if all(float(v).is_integer() for v in vals):
        out = f"{int(estimate):,} [{int(low):,}, {int(high):,}]"
    else:
        out = fmt_ci(estimate, low, high, sig=sig)
    return "+" + out if sign and float(estimate) > 0 else out


def p_phrase(p, name: str = "p") -> str:
    """A p-value for a sentence: ``p = 0.023`` or ``p < 0.001``.

    >>> p_phrase(0.0234), p_phrase(1e-9)
    ('p = 0.023', 'p < 0.001')
    """
    s = fmt_p(p)
    return f"{name} {s}" if s.startswith("<") else f"{name} = {s}"


def join_words(items, *, code: bool = False) -> str:
    """Items joined for a sentence in the current language: ``a, b and c`` / ``a、b 和 c``.

    ``code`` shows each item as inline code.

    >>> join_words(["a", "b", "c"])
    'a, b and c'
    """
    words = [f"`{x}`" if code else str(x) for x in items]
    if current_lang() == "zh":
        return words[0] if len(words) == 1 else "、".join(words[:-1]) + " 和 " + words[-1] if words else ""
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


_MD_SPECIAL = re.compile(r"([\\`*_~\[\]<>|#])")


def md_escape(text) -> str:
    r"""Text that Markdown shows as typed: ``LOY~SAT`` stays ``LOY~SAT`` (not strikethrough).

    >>> md_escape("LOY~SAT and q_1*")
    'LOY\\~SAT and q\\_1\\*'
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def readable(df: pd.DataFrame | pd.Series, *, intervals=(), percent=(), p_columns=None, words=(),
             columns=None, index_words: bool = False, sig: int = 3, ci_sig: int = 2,
             sign=(), whole_percent=()) -> pd.DataFrame:
    """A display copy of a result table for a reader (never saved).

    Parameters
    ----------
    intervals : ``(estimate, low, high)`` column triples. Each becomes one column named
        ``"<estimate> [CI]"`` holding :func:`interval` strings; ``low`` and ``high`` are dropped.
    percent : columns of shares (0-1) shown with :func:`pct` (``whole_percent``: without decimals).
    p_columns : p-value columns shown with :func:`~crmlab.report.fmt.fmt_p` (default: ``p``, ``p_value``,
        ``p_holm``, ``pvalue``).
    words : columns whose values are names to show in the current language (:func:`term`).
    columns : the columns to show, in order (stable names, after intervals are made).
    index_words : also show the index labels with :func:`term`.
    sign : estimate columns (of ``intervals``) or percent columns shown with ``+`` when positive.

    Other numbers get ``sig`` significant digits; headers go through the glossary and the
    study's catalog (:func:`~crmlab.report.i18n.translate_columns`).
    """
    out = df.to_frame() if isinstance(df, pd.Series) else df.copy()
    for est, lo, hi in intervals:
        if {est, lo, hi} <= set(out.columns):
            out[est] = [interval(e, a, b, ci_sig, sign=est in sign) for e, a, b in zip(out[est], out[lo], out[hi])]
            out = out.drop(columns=[lo, hi]).rename(columns={est: f"{est} [CI]"})
    for c in percent:
        if c in out.columns:
            out[c] = out[c].map(lambda v, c=c: pct(v, 0 if c in whole_percent else 1, sign=c in sign))
    for c in words:
        if c in out.columns:
            out[c] = out[c].map(lambda v: v if missing(v) else term(v))
    if index_words:
        out.index = pd.Index([term(v) if isinstance(v, str) else v for v in out.index], name=out.index.name)
    if columns is not None:
        out = out[[c if c in out.columns else f"{c} [CI]" for c in columns]]
    out = format_table(out, sig=sig) if p_columns is None else format_table(out, sig=sig, p_columns=tuple(p_columns))
    return translate_columns(out)
