"""Confidence levels, one convention for every estimator: ``level`` is the confidence level in (0, 1)."""
from __future__ import annotations

from crmlab.core.errors import ParameterError


def alpha_of(level) -> float:
    """``1 - level`` for a confidence ``level`` in (0, 1), rounded to 12 decimals so that
    ``level = 1 - alpha`` gives back ``alpha`` exactly (0.95 -> 0.05, not 0.050000000000000044).

    >>> alpha_of(0.95)
    0.05
    """
    if not 0 < level < 1:
        raise ParameterError(f"level must be a confidence level in (0, 1), got {level!r}")
    return round(1.0 - level, 12)
