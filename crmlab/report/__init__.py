"""How anything is shown: numbers (:mod:`.fmt`), words (:mod:`.i18n`), tables and figures
(:mod:`.display`), the figures' look (:mod:`.theme`) and the report's CJK font (:mod:`.htmlfont`)."""
from crmlab.report.display import caption, reset_numbering, show_figure, show_table
from crmlab.report.fmt import fmt_ci, fmt_num, fmt_p, format_table

__all__ = ["caption", "reset_numbering", "show_figure", "show_table", "fmt_ci", "fmt_num", "fmt_p", "format_table"]
