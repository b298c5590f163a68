"""Exceptions raised for bad input, with messages written for researchers."""


class CrmlabError(ValueError):
    """Base class of crmlab's input errors (a ``ValueError``)."""


class DataError(CrmlabError):
    """A data file or frame is missing, unreadable or fails validation.

    The message names the file, the column and example rows.
    """


class ParameterError(CrmlabError):
    """A study parameter is unknown or cannot be converted to its declared type."""
