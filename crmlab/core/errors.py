"""Exceptions raised for bad input, with messages written for researchers."""


class CrmlabError(ValueError):
    """Base class of crmlab's input errors (a ``ValueError``)."""


class DataError(CrmlabError):
    """A data file or frame is missing, unreadable or fails validation.

    The message names the file, the column and example rows.
    """


class ParameterError(CrmlabError):
    """A study parameter is unknown or cannot be converted to its declared type."""


class ConvergenceError(DataError):
    """An estimator's optimiser did not reach a proper solution.

    Every estimator raises this one class (a ``DataError``: non-convergence is
    almost always a data problem such as too few repeat buyers, a degenerate
    sample or a model the data cannot identify). The message names the model,
    the optimiser's message and, where useful, the parameters at the last iterate.
    """
