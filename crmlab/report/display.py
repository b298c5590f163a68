"""Tables and figures in a report, numbered and captioned.

- :func:`show_table`, :func:`show_figure`: save the table (raw numbers, stable
  names) or figure, then display it with a numbered caption ("Table 2." /
  "表 2.") in the report's language. Numbering restarts with the kernel.
"""
from __future__ import annotations

from itertools import count

import pandas as pd

from crmlab.report.fmt import format_table

_counters = {"table": count(1), "figure": count(1)}
_WORDS = {"table": {"en": "Table", "zh": "表"}, "figure": {"en": "Figure", "zh": "图"}}


def reset_numbering() -> None:
    """Start figure and table numbers again at 1."""
    _counters["table"] = count(1)
    _counters["figure"] = count(1)


def caption(kind: str, text: str, lang: str = "en") -> str:
    """The next numbered caption of ``kind`` ('table' or 'figure') as Markdown."""
    n = next(_counters[kind])
    word = _WORDS[kind].get(lang, _WORDS[kind]["en"])
    return f"**{word} {n}.** {text}"


def show_table(df: pd.DataFrame, name: str | None, text: str, *, lang: str = "en", sig: int = 3, display_df=None):
    """Save ``df`` as ``tables/<name>.csv`` and display it, formatted, under a numbered caption.

    ``name=None`` displays without saving (a view of a saved table, a rule table).
    ``display_df`` replaces what is shown (for instance a translated copy); the saved
    table is always ``df`` with its stable column names and full precision.
    """
    from IPython.display import Markdown, display

    from crmlab.core.results import save_table

    if name is not None:
        save_table(df, name)
    display(Markdown(caption("table", text, lang)))
    display(format_table(df if display_df is None else display_df, sig=sig))


def show_figure(fig, name: str, text: str, *, lang: str = "en"):
    """Save ``fig`` as ``figures/<name>.png``, show it, and put a numbered caption under it."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    from crmlab.core.results import save_figure

    save_figure(fig, name)
    display(fig)
    plt.close(fig)
    display(Markdown(caption("figure", text, lang)))
