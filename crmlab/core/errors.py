"""Exceptions raised for bad input, with messages written for researchers.

Messages name the file, the column, the rows (as numbered in the file: the header is row 1, see
:func:`file_rows`) and the parameter that fixes the problem. They never carry a customer's e-mail
address or phone number: a message that quotes one (an example row of an id column, say) has it
replaced by its keyed pseudonym (:func:`crmlab.core.privacy.pseudonymize`) when the error is made.
"""
from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# a phone number: 10 or more digits, optionally led by + and split by spaces, dots or dashes
_PHONE = re.compile(r"(?<![\w.])\+?\d(?:[ .-]?\d){9,}(?![\w.])")


def scrub(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by their pseudonyms."""
    if not isinstance(text, str) or not (_EMAIL.search(text) or _PHONE.search(text)):
        return text
    from crmlab.core.privacy import pseudonymize

    def repl(m):
        return str(pseudonymize([m.group(0)]).iloc[0])

    return _PHONE.sub(repl, _EMAIL.sub(repl, text))


def file_rows(positions, limit: int = 5) -> str:
    """Rows as a reader finds them in the file or spreadsheet (0-based data positions + 2: the header is
    row 1): ``rows 3, 7 and 12`` or ``rows 3, 7, 12, 15, 20 and 43 more``."""
    rows = [int(p) + 2 for p in positions]
    if not rows:
        return "no rows"
    shown = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        return f"rows {shown} and {len(rows) - limit} more"
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}"


class CrmlabError(ValueError):
    """Base class of crmlab's input errors (a ``ValueError``); the message is scrubbed of e-mails and phones."""

    def __init__(self, *args):
        super().__init__(*(scrub(a) if isinstance(a, str) else a for a in args))


class DataError(CrmlabError):
    """A data file or frame is missing, unreadable or fails validation.

    The message names the file, the column and example rows.
    """


class ParameterError(CrmlabError):
    """A study parameter is unknown or cannot be converted to its declared type."""


class ConvergenceError(DataError):
    """An estimator's optimiser did not reach a proper solution.

    Every estimator raises this one class (a ``DataError``: non-convergence is
    almost always a data problem such as too few repeat buyers, a degenerate
    sample or a model the data cannot identify). The message names the model,
    the optimiser's message and, where useful, the parameters at the last iterate.
    """
