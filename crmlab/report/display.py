"""Sections, tables and figures in a report, numbered and captioned in the report's language.

A study's notebook shows its words by key; the words live in the study's
catalog (``crmlab/studies/<study>/text.py`` and ``narrative.yaml``)::

    section("effects")                          # heading and narrative of a section
    show_table(itt, "itt_effects", display=text.itt_table(itt), level=ci_level)
    show_figure(fig, "itt_forest", level=ci_level)
    say(text.itt_line(itt, control, alpha))     # a sentence written from the numbers

:func:`show_table` saves the table (raw numbers, stable names) as
``tables/<name>.csv`` and shows a readable copy under "Table N." / "表 N.";
:func:`show_figure` saves ``figures/<name>.png``. A key keeps its number when
its cell runs again, so later numbers do not drift.
"""
from __future__ import annotations

import pandas as pd

from crmlab.core.results import save_figure, save_table
from crmlab.report.fmt import format_table
from crmlab.report.i18n import section_text, t, text, translate_columns

_numbers: dict[str, dict[str, int]] = {"table": {}, "figure": {}}


def reset_numbering() -> None:
    """Start figure and table numbers again at 1."""
    _numbers["table"].clear()
    _numbers["figure"].clear()


def caption(kind: str, key, body: str | None = None, lang: str | None = None) -> str:
    """``**Table N.** body`` as Markdown; ``key`` keeps its number N when shown again.

    Transitional (until every study has a catalog): ``caption(kind, text, lang)`` numbers ``text``
    as the next of its kind."""
    numbers = _numbers[kind]
    if body is None:
        body, key = key, (key, len(numbers))
    n = numbers.setdefault(key, len(numbers) + 1)
    return f"**{t(kind, lang)} {n}.** {body}"


def _display(*objs) -> None:
    from IPython.display import display

    display(*objs)


def say(markdown: str) -> None:
    """Show Markdown (a sentence written from the numbers) in the report."""
    from IPython.display import Markdown

    _display(Markdown(markdown))


def section(key: str, **values) -> None:
    """Show the narrative ``key`` of the study's catalog (heading and paragraphs) in the report's language."""
    say(section_text(key, **values))


def show_table(df: pd.DataFrame, key: str | None, caption_text: str | None = None, *, name: str | None = "",
               display: pd.DataFrame | None = None, sig: int = 3, lang: str | None = None,
               display_df: pd.DataFrame | None = None, **values) -> None:
    """Save ``df`` and show it, readable, under the numbered caption ``key`` of the study's catalog.

    Parameters
    ----------
    df : the table as computed (saved with its stable column names and full precision).
    key : the caption's key in the study's catalog; ``values`` fill its placeholders.
    name : the saved file ``tables/<name>.csv`` (default: ``key``; ``None``: not saved, for
        a view of a table saved elsewhere).
    display : what the reader sees instead of ``df`` (for example from :func:`~crmlab.report.narrative.readable`);
        numbers left in it are formatted with ``sig`` significant digits.
    """
    if caption_text is not None:  # transitional: show_table(df, name, text, lang=, display_df=)
        if key is not None:
            save_table(df, key)
        say(caption("table", caption_text, lang=lang))
        _display(format_table(df if display_df is None else display_df, sig=sig))
        return
    body = text(key, **values)
    if name is not None:
        save_table(df, name or key)
    say(caption("table", name or (key, body), body))
    _display(format_table(translate_columns(df if display is None else display), sig=sig))


def show_figure(fig, key: str, caption_text: str | None = None, *, name: str = "", lang: str | None = None,
                **values) -> None:
    """Save ``fig`` as ``figures/<name or key>.png``, show it, and put its numbered caption ``key`` under it."""
    import matplotlib.pyplot as plt

    save_figure(fig, name or key)
    _display(fig)
    plt.close(fig)
    if caption_text is not None:  # transitional: show_figure(fig, name, text, lang=)
        say(caption("figure", caption_text, lang=lang))
    else:
        say(caption("figure", name or key, text(key, **values)))
