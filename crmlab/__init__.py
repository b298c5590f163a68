"""crmlab: a notebook-based research workbench for customer-relationship research."""
from crmlab.core.results import output_dir, record, save_figure, save_table

__version__ = "0.1.0"
__all__ = ["record", "save_table", "save_figure", "output_dir", "set_theme", "__version__"]


def set_theme(**kwargs) -> None:
    """Set crmlab's seaborn/matplotlib theme (see :func:`crmlab.report.theme.set_theme`)."""
    from crmlab.report.theme import set_theme as _set_theme

    _set_theme(**kwargs)
