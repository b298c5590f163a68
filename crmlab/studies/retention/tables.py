"""Readable display copies of study 4's result tables (never saved: saved tables keep their stable
names and full precision).

One rule set for every table of the study, built on :func:`crmlab.report.narrative.readable`:
an estimate and its interval in one ``<estimate> [CI]`` column (the first of :data:`INTERVALS`
present), shares as percentages (:data:`PERCENT`; ``lift`` with its sign when it is a relative
change next to an effect estimate), p-values with :func:`~crmlab.report.fmt.fmt_p`, other numbers
to three significant digits, known words (arms, outcomes, strata, models, learners) and headers in
the current language.
"""
from __future__ import annotations

import pandas as pd

from crmlab.report.narrative import readable as _readable
from crmlab.studies.retention.text import learner_name, model_name

#: (estimate, low, high) columns shown as one "estimate [low, high]" column; the first trio present is used
INTERVALS = (("estimate", "ci_low", "ci_high"), ("diff", "ci_low", "ci_high"), ("hr", "ci_low", "ci_high"),
             ("net_value", "ci_low", "ci_high"), ("median", "median_ci_low", "median_ci_high"))
#: columns holding shares or relative changes, shown as percentages
PERCENT = ("fraction", "lift", "variance_reduction", "share_observed", "share_expected", "churn_rate",
           "share_targeted", "cumulative_gain", "base_rate")
#: shares on a grid (5%, 10%, ...), shown without decimals
WHOLE_PERCENT = ("fraction", "share_targeted")
#: p-value columns
P_COLUMNS = ("p", "p_holm", "p_not_better")
#: columns whose values are names shown in the current language
WORDS = ("outcome", "kind", "method", "segment", "arm", "stratum", "group")


def readable(df: pd.DataFrame, *, index_words: bool = False) -> pd.DataFrame:
    """The reader's copy of a result table of this study (the input is not changed).

    ``lift`` next to an ``estimate`` is a relative change (``+72.1%``); without one (the churn lift
    table) it is a ratio to the average rate, shown as a number under its own header. Index labels
    are shown in the current language with ``index_words`` or when the index is named after a
    word column.
    """
    out = df.copy()
    if "model" in out.columns:
        out["model"] = out["model"].map(model_name)
    if "learner" in out.columns:
        out["learner"] = out["learner"].map(learner_name)
    if "lift" in out.columns and "estimate" not in out.columns:
        out = out.rename(columns={"lift": "lift_ratio"})
    trio = next((t for t in INTERVALS if set(t) <= set(out.columns)), None)
    percent = [c for c in PERCENT if c in out.columns and pd.api.types.is_numeric_dtype(out[c])]
    return _readable(out, intervals=[trio] if trio else (), percent=percent, whole_percent=WHOLE_PERCENT,
                     sign=("estimate", "lift"), words=WORDS, p_columns=P_COLUMNS,
                     index_words=index_words or out.index.name in WORDS)
