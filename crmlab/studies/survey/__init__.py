"""Study 2, survey regression and key drivers: hygiene, descriptives, NPS, ordinal logit beside OLS,
survey weights, key-driver analysis and scale-usage sensitivity of a respondent-level survey."""
from crmlab.studies.survey import plots, sentences, steps, text

__all__ = ["plots", "sentences", "steps", "text", "setup"]


def setup(lang: str = "en") -> None:
    """Start the study in ``lang`` (``en`` or ``zh``) and show its title and introduction."""
    from crmlab.report import start

    start(text.CATALOG, lang)
