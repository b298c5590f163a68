"""Study 1, satisfaction and loyalty: does satisfaction drive loyalty, how strongly, and in what shape."""
from crmlab.studies.loyalty import assessment, plots, sentences, steps, tables, text

__all__ = ["assessment", "plots", "sentences", "setup", "steps", "tables", "text"]


def setup(lang: str = "en") -> None:
    """Start the study in ``lang`` (``en`` or ``zh``) and show its title and introduction."""
    from crmlab.report import start

    start(text.CATALOG, lang)
