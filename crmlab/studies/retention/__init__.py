"""Study 4, retention experiments and time to churn: design, randomisation checks, effects, sequential
monitoring, ratio metrics, uplift, targeting value, budgeted targeting, survival (with R's proportional-hazards
check), churn by reason, parametric time to churn and churn early warning."""
from crmlab.studies.retention import plots, sentences, steps, tables, text

__all__ = ["plots", "sentences", "setup", "steps", "tables", "text"]


def setup(lang: str = "en") -> None:
    """Start the study in ``lang`` (``en`` or ``zh``) and show its title and introduction."""
    from crmlab.report import start

    start(text.CATALOG, lang)
