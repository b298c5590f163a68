"""Study 3, segmentation and customer lifetime value: who the customers are, what they are worth and
who is slipping away, from a transaction log."""
from crmlab.studies.customers import plots, sentences, steps, tables, text

__all__ = ["plots", "sentences", "steps", "tables", "text", "setup"]


def setup(lang: str = "en") -> None:
    """Start the study in ``lang`` (``en`` or ``zh``) and show its title and introduction."""
    from crmlab.report import start

    start(text.CATALOG, lang)
