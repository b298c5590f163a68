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


def caption(kind: str, key, body: str) -> str:
    """``**Table N.** body`` as Markdown; ``key`` keeps its number N when shown again."""
    numbers = _numbers[kind]
    n = numbers.setdefault(key, len(numbers) + 1)
    return f"**{t(kind)} {n}.** {body}"


def _display(*objs, **kwargs) -> None:
    from IPython.display import display

    display(*objs, **kwargs)


def say(markdown: str) -> None:
    """Show Markdown (a sentence written from the numbers) in the report."""
    from IPython.display import Markdown

    _display(Markdown(markdown))


def anchor(key: str) -> str:
    """The id a section's heading can be linked to (``#sec-<key>``)."""
    return f"sec-{key}"


def section(key: str, **values) -> None:
    """Show the narrative ``key`` of the study's catalog (heading and paragraphs) in the report's language.

    The section can be linked to as ``#sec-<key>`` (key findings link to their sections)."""
    say(f'<a id="{anchor(key)}"></a>\n\n' + section_text(key, **values))


FINDINGS_ID = "crmlab-key-findings"
FINDINGS_FILE = "findings.json"


def title_and_findings(intro: str) -> None:
    """Show a study's title, an empty key-findings box right under it, then the rest of the introduction.

    :func:`key_findings` fills the box once the numbers are known (the notebook's display is
    updated in place, so the box sits under the title in JupyterLab and in the report)."""
    from IPython.display import Markdown

    head, _, rest = intro.strip().partition("\n\n") if intro.lstrip().startswith("# ") else ("", "", intro)
    if head:
        say(head)
    _display(Markdown(""), display_id=FINDINGS_ID)
    if rest.strip():
        say(rest)


def key_findings(findings) -> list[dict]:
    """Fill the key-findings box under the title with 3-6 findings written from this run's numbers.

    ``findings``: ``(markdown, section_key)`` pairs; each finding links to its section. The
    findings are also written to ``findings.json`` (with the language) for the run's index page.
    Returns them as stored.
    """
    import json

    from IPython.display import update_display

    from crmlab.core.results import output_dir
    from crmlab.report.i18n import current_catalog, current_lang

    items = []
    for text_md, key in findings:
        link = ""
        catalog = current_catalog()
        if key and catalog is not None and key in catalog.sections:
            heading = next((ln.lstrip("#").strip() for ln in section_text(key).splitlines()
                            if ln.startswith("#")), key)
            link = f" [→ {heading}](#{anchor(key)})"
        items.append({"text": text_md, "section": key, "link": link})
    import mistune
    from IPython.display import HTML

    body = "\n".join(f"- {i['text']}{i['link']}" for i in items)
    box = (f'<div class="crmlab-findings" id="key-findings"><h3>{t("key_findings")}</h3>'
           f'{mistune.html(body)}</div>')
    from IPython import get_ipython

    if get_ipython() is not None:
        update_display(HTML(box), display_id=FINDINGS_ID)
    else:  # outside a kernel (a script, the tests): show it where we are
        _display(HTML(box))
    stored = [{"text": i["text"], "section": i["section"]} for i in items]
    path = output_dir() / FINDINGS_FILE
    path.write_text(json.dumps({"lang": current_lang(), "findings": stored}, ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    return stored


def show_table(df: pd.DataFrame, key: str, *, name: str | None = "", display: pd.DataFrame | None = None,
               sig: int = 3, **values) -> None:
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
    body = text(key, **values)
    if name is not None:
        save_table(df, name or key)
    say(caption("table", name or (key, body), body))
    _display(table_html(format_table(translate_columns(df if display is None else display), sig=sig)))


_NUMBER = __import__("re").compile(r"^[-+<>~≈]?\s?[-+]?[\d,.]+(\s?%|\s?\[.*\])?$|^-$|^$")


def table_html(df: pd.DataFrame):
    """A table for readers: no row numbers unless the index means something, numbers right-aligned and
    words left-aligned, inside a frame that scrolls sideways on a narrow screen (the report shows a cue
    when it does)."""
    import html

    from IPython.display import HTML

    show_index = not (isinstance(df.index, pd.RangeIndex) and df.index.name is None)
    if show_index and df.index.nlevels == 1 and not isinstance(df.columns, pd.MultiIndex):
        df, show_index = df.reset_index(), False  # the index is the first column, not a header row
    if show_index or isinstance(df.columns, pd.MultiIndex):
        inner = df.to_html(index=show_index, border=0, classes="crmlab-table", na_rep="-", escape=True)
        return HTML(f'<div class="crmlab-frame">{inner}</div>')
    cells = df.astype(object).where(df.notna(), "-").map(str)
    numeric = [bool(cells[c].map(lambda v: bool(_NUMBER.match(v.strip()))).all()) for c in cells.columns]
    head = "".join(f'<th class="{"num" if n else "txt"}">{html.escape(str(c))}</th>'
                   for c, n in zip(cells.columns, numeric))
    rows = "".join("<tr>" + "".join(f'<td class="{"num" if n else "txt"}">{html.escape(v)}</td>'
                                    for v, n in zip(row, numeric)) + "</tr>"
                   for row in cells.itertuples(index=False))
    return HTML(f'<div class="crmlab-frame"><table class="crmlab-table"><thead><tr>{head}</tr></thead>'
                f'<tbody>{rows}</tbody></table></div>')


def show_figure(fig, key: str, *, name: str = "", **values) -> None:
    """Save ``fig`` as ``figures/<name or key>.png``, show it, and put its numbered caption ``key`` under it."""
    import matplotlib.pyplot as plt

    save_figure(fig, name or key)
    _display(fig)
    plt.close(fig)
    say(caption("figure", name or key, text(key, **values)))
