"""Study 3, segmentation and customer lifetime value: who the customers are, what they are worth and
who is slipping away, from a transaction log (a file, a folder of Parquet files, a glob or an Excel sheet;
summarised by DuckDB, Spark or pandas)."""
from crmlab.studies.customers import data, extras, findings, plots, sentences, sentences_extra, steps, tables, text

__all__ = ["data", "extras", "findings", "plots", "sentences", "sentences_extra", "steps", "tables", "text", "setup"]


def setup(lang: str = "en", *, transactions: str | None = None, sheet=None, codebook: str | None = None,
          currency: str | None = None, columns: dict | None = None):
    """Start the study in ``lang`` (``en`` or ``zh``): find the log and its codebook and check its columns
    (:func:`.data.open_log`; ``columns`` maps parameters to the columns they name), then show the title, the
    key-findings box and the introduction, which describes the bundled CDNOW sample when it is the data and
    otherwise the user's log (file, rows when known, the columns used, the currency). ``currency``
    (``USD``, ``CNY``...) names the unit of every money figure (default: the codebook's).

    Returns the :class:`.data.Log` (None without ``transactions``: the title and the bundled introduction only).
    """
    from crmlab.report import start
    from crmlab.report.fmt import use_currency
    from crmlab.report.i18n import use_codebook, use_lang

    if transactions is None:
        start(text.CATALOG, lang)
        return None
    use_lang(lang)
    log = data.open_log(transactions, sheet=sheet, codebook=codebook, columns=columns)
    use_codebook(log.codebook.terms() if log.codebook is not None else None)
    code = currency or (log.codebook.currency if log.codebook is not None else None)
    use_currency(code)
    start(text.CATALOG, lang, intro="intro" if log.bundled else "intro_own", codebook=log.codebook, currency=code,
          **findings.intro_values(log, code))
    return log
