"""What a study parameter means, declared in the notebook's parameters cell.

A parameters cell declares each parameter with a literal default, a type and a one-line
description in a trailing comment; the annotations below say what a value must mean, and
``crmlab run`` checks them before any kernel starts (:mod:`crmlab.run.params`)::

    from typing import Literal
    from crmlab.core.params import AtLeast, Between, Column, Columns, Date, File, ModelText

    data: File = "data/ecsi/satisfaction.csv"          # the survey export (CSV, Excel or Parquet)
    outcome: Column("data") = "q1"                     # overall satisfaction item
    drivers: Columns("data") = ["q2", "q3"]            # attribute items
    bootstrap: AtLeast(0) = 2000                       # bootstrap resamples (0: none)
    alpha: Between(0, 1) = 0.05                        # significance level
    model: ModelText = "SAT =~ s1 + s2"                # lavaan-style model text
    holdout_end: Date(after="calibration_end") | None = "1998-06-30"  # end of the holdout period
    lang: Literal["en", "zh"] = "en"                   # language of the report

In the kernel these names only have to exist (annotations are evaluated); the runner reads
the cell's source and never imports the notebook.
"""
from __future__ import annotations

__all__ = ["File", "Column", "Columns", "Between", "AtLeast", "AtMost", "ModelText", "Date"]


class _Marker:
    """An annotation that says what a parameter's value means (only its source text matters)."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def __or__(self, other):
        return self

    __ror__ = __or__

    def __repr__(self) -> str:
        inner = ", ".join([repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()])
        return f"{type(self).__name__}({inner})"


class _Flag(type):
    """Lets a marker be written without parentheses (``File``) and still be or-ed with None."""

    def __or__(cls, other):
        return cls

    __ror__ = __or__


class File(_Marker, metaclass=_Flag):
    """A data file that must exist and be readable: CSV, Excel (.xlsx) or Parquet (a file, folder or glob)."""


class Column(_Marker):
    """The name of one column in the header of the file named by parameter ``file_param``."""


class Columns(_Marker):
    """A list of column names, all in the header of the file named by parameter ``file_param``."""


class Between(_Marker):
    """A number in ``[low, high]`` (``low``/``high`` None: unbounded); int or float as the default is."""


class AtLeast(_Marker):
    """A number ``>= low``."""


class AtMost(_Marker):
    """A number ``<= high``."""


class ModelText(_Marker, metaclass=_Flag):
    """A lavaan-style model description that must parse (:mod:`crmlab.core.modeltext`)."""


class Date(_Marker, metaclass=_Flag):
    """An ISO date (``1997-09-30``); ``after="other"`` requires it later than parameter ``other``."""
