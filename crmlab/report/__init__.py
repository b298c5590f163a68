"""How anything is shown: numbers (:mod:`.fmt`), words (:mod:`.i18n`), sentence pieces and readable
tables (:mod:`.narrative`), sections, tables and figures (:mod:`.display`), the figures' look
(:mod:`.theme`) and the report's CJK font (:mod:`.htmlfont`). A study starts with :func:`start`."""
from crmlab.report.display import caption, reset_numbering, say, section, show_figure, show_table
from crmlab.report.fmt import fmt_ci, fmt_num, fmt_p, format_table
from crmlab.report.i18n import Catalog, current_lang, term, text, use_lang

__all__ = ["caption", "reset_numbering", "say", "section", "show_figure", "show_table", "fmt_ci", "fmt_num",
           "fmt_p", "format_table", "Catalog", "current_lang", "term", "text", "use_lang", "start"]


def start(catalog: Catalog, lang: str) -> None:
    """Begin a study: its language and words, figure theme, numbering from 1, and its output folder.

    Run interactively (no ``crmlab run``), a study writes to ``crmlab_output/<study>/`` next to the
    notebook, so studies do not overwrite each other's results.
    """
    from crmlab.core.results import use_default_output
    from crmlab.report.i18n import use_catalog
    from crmlab.report.theme import set_theme

    use_lang(lang)
    use_catalog(catalog)
    reset_numbering()
    set_theme()
    use_default_output(catalog.name)
