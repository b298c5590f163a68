"""Study 1, satisfaction and loyalty: does satisfaction drive loyalty, how strongly, and in what shape."""
from crmlab.studies.loyalty import assessment, diagram, findings, inputs, plots, sentences, steps, tables, text

__all__ = ["assessment", "diagram", "findings", "inputs", "plots", "sentences", "setup", "steps", "tables", "text"]


def setup(lang: str = "en", *, data: str | None = None, model=None, satisfaction: str = "SAT", loyalty: str = "LOY",
          sheet=None, codebook: str | None = None, satisfaction_item: str | None = None,
          loyalty_item: str | None = None, columns: dict | None = None):
    """Start the study in ``lang`` (``en`` or ``zh``): read the survey, its codebook and the model
    (:func:`.inputs.open_survey`), then show the title, the key-findings box and the introduction, which
    describes the bundled ECSI survey when it is the data and otherwise the user's file (name, respondents,
    constructs and items). ``columns`` maps further parameters to the columns they name (``{"group": "gender"}``).

    Returns the :class:`.inputs.LoyaltySurvey` (None without ``data``: the title and the bundled introduction).
    """
    from crmlab.report import start
    from crmlab.report.i18n import use_codebook, use_lang

    if data is None:
        start(text.CATALOG, lang, rows="250")
        return None
    use_lang(lang)
    sv = inputs.open_survey(data, model, satisfaction, loyalty, sheet=sheet, codebook=codebook,
                            satisfaction_item=satisfaction_item, loyalty_item=loyalty_item, columns=columns)
    use_codebook(sv.codebook.terms() if sv.codebook is not None else None)
    start(text.CATALOG, lang, intro="intro" if sv.bundled else "intro_own", codebook=sv.codebook,
          **inputs.intro_values(sv))
    return sv
