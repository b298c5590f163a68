"""How anything is shown: numbers (:mod:`.fmt`), words (:mod:`.i18n`), sentence pieces and readable
tables (:mod:`.narrative`), sections, tables and figures (:mod:`.display`), the figures' look
(:mod:`.theme`) and the report's CJK font (:mod:`.htmlfont`). A study starts with :func:`start`."""
from crmlab.report.display import (caption, key_findings, reset_numbering, say, section, show_figure,
                                   show_table)
from crmlab.report.fmt import fmt_ci, fmt_num, fmt_p, format_table
from crmlab.report.i18n import Catalog, current_lang, term, text, use_lang

__all__ = ["caption", "key_findings", "reset_numbering", "say", "section", "show_figure", "show_table", "fmt_ci",
           "fmt_num", "fmt_p", "format_table", "Catalog", "current_lang", "term", "text", "use_lang", "start"]


def start(catalog: Catalog, lang: str, *, intro: str | None = "intro", codebook=None, currency: str | None = None,
          **values) -> None:
    """Begin a study: its language and words, figure theme, numbering from 1, its output folder, and
    its title with the key-findings box under it followed by the introduction (section ``intro`` of
    the catalog, filled with ``values``; None shows none).

    ``codebook`` (a :class:`crmlab.core.codebook.Codebook`) names the data's columns, constructs and
    values everywhere; ``currency`` (``USD``, ``CNY``...; default the codebook's) is the unit of every
    money figure. Run interactively (no ``crmlab run``), a study writes to ``crmlab_output/<study>/``
    next to the notebook, so studies do not overwrite each other's results.
    """
    from crmlab.core.results import use_default_output
    from crmlab.report.i18n import use_catalog
    from crmlab.report.theme import set_theme

    from crmlab.report.fmt import use_currency
    from crmlab.report.i18n import use_codebook

    use_lang(lang)
    use_catalog(catalog)
    use_codebook(codebook.terms() if codebook is not None else None)
    use_currency(currency or (codebook.currency if codebook is not None else None))
    reset_numbering()
    set_theme()
    use_default_output(catalog.name)
    if intro is not None and intro in catalog.sections:
        from crmlab.report.display import title_and_findings
        from crmlab.report.i18n import section_text

        title_and_findings(section_text(intro, **values))
