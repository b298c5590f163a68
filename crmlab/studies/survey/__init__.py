"""Study 2, survey regression and key drivers: hygiene, descriptives, NPS, ordinal logit beside OLS,
survey weights, key-driver analysis and scale-usage sensitivity of a respondent-level survey."""
from crmlab.studies.survey import findings, plots, sentences, steps, tables, text

__all__ = ["findings", "plots", "sentences", "steps", "tables", "text", "setup"]


def setup(lang: str = "en", *, data: str | None = None, sheet=None, codebook: str | None = None,
          outcome: str | None = None, drivers=(), nps_item: str | None = None, columns: dict | None = None):
    """Start the study in ``lang`` (``en`` or ``zh``): read the survey and its codebook
    (:func:`.steps.open_survey`), then show the title, the key-findings box and the introduction, which
    describes the bundled survey when it is the data and otherwise the user's file (name, respondents,
    columns used). ``columns`` maps further parameters to the columns they name (``{"weights": "w"}``).

    Returns the :class:`.steps.Survey` (None without ``data``: the title and the bundled introduction only).
    """
    from crmlab.report import start
    from crmlab.report.i18n import use_codebook, use_lang

    if data is None:
        start(text.CATALOG, lang, rows="1,811")
        return None
    columns = {k: v for k, v in (columns or {}).items() if v}
    use_lang(lang)
    sv = steps.open_survey(data, outcome, drivers, sheet=sheet, codebook=codebook, nps_item=nps_item,
                           columns=tuple(columns.values()))
    use_codebook(sv.codebook.terms() if sv.codebook is not None else None)
    start(text.CATALOG, lang, intro="intro" if sv.bundled else "intro_own", codebook=sv.codebook,
          **steps.intro_values(sv, columns))
    return sv
