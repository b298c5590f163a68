"""Respondent-level surveys as platforms export them: hygiene, descriptives and the Net Promoter Score.

- :mod:`.answers`: codes for "no answer" (``(跳过)``, ``-``, ``N/A``, 99...), text completion
  times (``2分10秒``, ``00:02:09``), answer scales as declared (:func:`declared_scales`: parameter,
  one scale for all, codebook, fixed) and as inferred from the answers;
- :mod:`.hygiene`: :func:`clean_survey` (excluded rows, flagged rows, per-item scales) and
  :func:`exclusions_table` (those rows, respondents pseudonymised);
- :mod:`.descriptives`: distributions, top-/bottom-box shares, diverging bars, correlations;
- :mod:`.nps`: the Net Promoter Score with its interval.

Ordinal / OLS models live in :mod:`crmlab.survey_models`, weighting and raking in
:mod:`crmlab.weighting`, key-driver analysis in :mod:`crmlab.drivers`.
"""
from crmlab.survey.answers import (TEXT_MISSING, declared_scales, duration_seconds, infer_scale, infer_scales,
                                   parse_durations, to_numeric_answers)
from crmlab.survey.descriptives import (item_distribution, plot_correlation, plot_diverging, resolve_scales,
                                        top_box)
from crmlab.survey.hygiene import (ACTIONS, CHOICES, REASONS, HygieneReport, clean_survey, exclusions_table,
                                   validate_items)
from crmlab.survey.nps import NPSResult, nps, nps_by_segment

__all__ = ["TEXT_MISSING", "declared_scales", "duration_seconds", "infer_scale", "infer_scales", "parse_durations",
           "to_numeric_answers", "item_distribution", "plot_correlation", "plot_diverging", "resolve_scales",
           "top_box", "ACTIONS", "CHOICES", "REASONS", "HygieneReport", "clean_survey", "exclusions_table",
           "validate_items", "NPSResult", "nps", "nps_by_segment"]
