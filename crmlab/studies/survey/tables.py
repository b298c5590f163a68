"""Readable display copies of the survey study's tables (never saved): items by their names, shares as
percentages, intervals in one column, headers and values in the report's language."""
from __future__ import annotations

import pandas as pd

from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import term
from crmlab.report.narrative import pct, readable
from crmlab.studies.common.hygiene import hygiene_table  # noqa: F401 - the hygiene summary for a reader
from crmlab.studies.survey.text import name


def plain_table(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers to 3 significant digits, names in the current language (no p-value columns)."""
    return readable(df, p_columns=(), index_words=True)


def top_box_table(tb: pd.DataFrame) -> pd.DataFrame:
    """:func:`crmlab.survey.top_box` with the box shares as percentages."""
    return readable(tb, percent=["top2box", "bottom2box"], p_columns=(), index_words=True)


def nps_segment_table(t: pd.DataFrame) -> pd.DataFrame:
    """:func:`crmlab.survey.nps_by_segment` with the score and its interval in one column."""
    return readable(t, intervals=[("score", "ci_low", "ci_high")], p_columns=(), index_words=True)


def ordinal_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """:func:`.steps.ordinal_vs_ols` ``with_intervals``: odds ratio and OLS coefficient with their intervals."""
    return readable(cmp, intervals=[("odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high"),
                                    ("ols_coef", "ols_coef_ci_low", "ols_coef_ci_high")],
                    p_columns=["ordinal_p", "ols_p_hc3"], index_words=True)


def thresholds_table(thresholds: pd.Series) -> pd.DataFrame:
    """The ordinal model's thresholds as one row."""
    return readable(thresholds.to_frame().T, p_columns=(), index_words=True)


def profile_table(probs: pd.DataFrame) -> pd.DataFrame:
    """Predicted probabilities per profile (:meth:`crmlab.survey_models.OrdinalFit.predict_proba`) as percentages."""
    shown = probs.rename(columns=lambda k: f"{k:g}")
    return readable(shown, percent=list(shown.columns), p_columns=(), index_words=True)


def margins_table(check: pd.DataFrame) -> pd.DataFrame:
    """:attr:`crmlab.weighting.RakingResult.margins_check` with the shares as percentages."""
    return readable(check, percent=["sample_share", "target_share", "weighted_share"], p_columns=(), index_words=True)


def importance_table(imp: pd.DataFrame) -> pd.DataFrame:
    """:attr:`crmlab.drivers.KeyDriverAnalysis.importance_`: shares, ranks (with their bootstrap intervals
    when there are any), the share of resamples where a driver ranks first, and VIF."""
    if "shapley_ci_low" in imp:
        return readable(imp, intervals=[("shapley", "shapley_ci_low", "shapley_ci_high"),
                                        ("relative_weight", "relative_weight_ci_low", "relative_weight_ci_high"),
                                        ("rank", "rank_ci_low", "rank_ci_high")],
                        percent=["p_top_rank"], p_columns=(), index_words=True,
                        columns=["shapley", "share_pct", "relative_weight", "rank", "p_top_rank", "vif"])
    return readable(imp, p_columns=(), index_words=True,
                    columns=["shapley", "share_pct", "relative_weight", "rank", "vif"])


def without_flagged_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """:func:`.steps.without_flagged` ``table``: numbers formatted, drivers by name, rows and headers in words
    (``top_driver_2`` -> "2nd driver" / "第 2 位驱动因素")."""
    from crmlab.report.i18n import pick

    def row_name(key: str) -> str:
        if key.startswith("top_driver_"):
            i = int(key.rsplit("_", 1)[1])
            return pick(en=f"driver ranked {i}", zh=f"排名第 {i} 的驱动因素")
        if key.startswith("improvement_candidate_"):
            i = int(key.rsplit("_", 1)[1])
            return pick(en=f"improvement candidate {i}", zh=f"重点改进对象 {i}")
        return term(key)

    def cell(key: str, value) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return "-"
        if key.startswith(("top_driver_", "improvement_candidate_")):
            return name(value)
        if key == "outcome_top2box":
            return pct(value)
        if key == "respondents":
            return f"{int(value):,}"
        return fmt_num(value)

    shown = pd.DataFrame({c: [cell(k, v) for k, v in cmp[c].items()] for c in cmp.columns},
                         index=pd.Index([row_name(k) for k in cmp.index], name="result"))
    return readable(shown, p_columns=())


def variables_table(variables: pd.DataFrame) -> pd.DataFrame:
    """:func:`.steps.variables_table`: the code, the label in the report's language, the role, the scale
    (``1-10``) and where it comes from, reverse keying in words."""
    from crmlab.report.i18n import current_lang

    label_col = "label_zh" if current_lang() == "zh" else "label_en"
    shown = pd.DataFrame({
        "variable": variables.index,
        "label": [lab if isinstance(lab, str) and lab else "-" for lab in variables[label_col]],
        "role": [term(r) for r in variables["role"]],
        "scale": [f"{lo:g}-{hi:g}" for lo, hi in zip(variables["scale_min"], variables["scale_max"])],
        "scale_source": [term(s) for s in variables["scale_source"]],
        "reverse": [term("yes" if r else "no") for r in variables["reverse"]],
    })
    return readable(shown, p_columns=())
