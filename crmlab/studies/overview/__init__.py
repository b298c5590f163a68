"""Study 0, data overview: what the bundled datasets hold."""
from crmlab.studies.overview import plots, steps, text

__all__ = ["plots", "steps", "text", "setup"]


def setup(lang: str = "en") -> None:
    """Start the study in ``lang`` (``en`` or ``zh``) and show its title and introduction."""
    from crmlab.report import start

    start(text.CATALOG, lang)
