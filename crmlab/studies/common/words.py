"""Naming things for a reader, shared by the studies: a column by its codebook label (never its code),
quoted and escaped inside a sentence, several of them as ``a, b and c`` / ``a、b和c``."""
from __future__ import annotations

from crmlab.report.i18n import current_lang, term
from crmlab.report.narrative import md_escape

__all__ = ["name", "label", "join", "span"]


def name(code) -> str:
    """A column's, construct's or value's name for a reader, plain (table cells, figure labels): its codebook
    label in the report's language, else the code itself."""
    return term(str(code))


def label(code) -> str:
    """An item inside a sentence or caption (Markdown): “label”, escaped (``~``, ``*`` and ``_`` show as typed)."""
    return f"“{md_escape(name(code))}”"


def join(words) -> str:
    """Words already formatted, listed for a sentence: ``a``, ``a and b``, ``a, b and c`` / ``a、b和c``."""
    words = list(words)
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    if current_lang() == "zh":
        return "、".join(words[:-1]) + "和" + words[-1]
    return (", ".join(words[:-1]) + " and " + words[-1]) if len(words) > 2 else " and ".join(words)


def span(lo, hi) -> str:
    """An answer scale as written in sentences: ``1-5``, ``0-10``."""
    return f"{lo:g}-{hi:g}"
