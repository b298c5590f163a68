"""Steps of the satisfaction-loyalty study between estimator calls: checking the parameters against the
model, choosing the overall items, assembling tables and the dictionaries recorded in ``results.json``."""
from __future__ import annotations

import pandas as pd

from crmlab.core.errors import ParameterError
from crmlab.loyalty import KOTLER_LOSS
from crmlab.sem.data import prepare_items
from crmlab.core.modeltext import parse_model

__all__ = [
    "data_record",
    "fit_record",
    "htmt_bootstrap",
    "intervals",
    "mediation_record",
    "mediation_shown",
    "model_spec",
    "multigroup_record",
    "overall_items",
    "prca_attributes",
    "prca_record",
    "prca_source",
    "prepare",
    "shape_table",
    "shares",
    "through",
    "with_kotler",
]


def model_spec(model, satisfaction: str, loyalty: str):
    """Parse the model description and check that it names the satisfaction and loyalty constructs.

    Raises
    ------
    ParameterError
        Naming the parameter (``satisfaction`` or ``loyalty``) and the model's constructs.
    """
    spec = parse_model(model)
    for name, role in ((satisfaction, "satisfaction"), (loyalty, "loyalty")):
        if name not in spec.constructs:
            raise ParameterError(f"{role} construct {name!r} is not in the model; constructs: {spec.names}")
    return spec


def prepare(survey: pd.DataFrame, spec, satisfaction_item: str | None = None, loyalty_item: str | None = None):
    """The model's items, complete cases only (:func:`crmlab.sem.prepare_items`); the overall items, when
    given, must exist and be complete too."""
    return prepare_items(survey, spec, extra=[c for c in (satisfaction_item, loyalty_item) if c])


def overall_items(spec, satisfaction: str, loyalty: str, satisfaction_item: str | None = None,
                  loyalty_item: str | None = None) -> tuple[str, str]:
    """The raw overall satisfaction and loyalty items: the ones given, else each construct's first item."""
    return (satisfaction_item or spec.constructs[satisfaction][0], loyalty_item or spec.constructs[loyalty][0])


def data_record(prep) -> dict:
    """Respondents in the data, used and dropped for missing item values."""
    return {"respondents": prep.n_total, "used": prep.n_used, "dropped_missing": prep.n_dropped}


def intervals(table: pd.DataFrame) -> dict:
    """``{row: [ci_low, ci_high]}`` of a table with interval columns (e.g. a bootstrap summary)."""
    return {k: [r.ci_low, r.ci_high] for k, r in table.iterrows()}


def htmt_bootstrap(boot) -> pd.DataFrame:
    """The bootstrap summary of HTMT (original, mean, se, ci_low, ci_high; a t value means nothing for HTMT)."""
    return boot.htmt.drop(columns="t")


def fit_record(cb) -> dict:
    """The CB-SEM fit statistics recorded: chisq, df, cfi, tli, rmsea, srmr."""
    return {k: cb.fit[k] for k in ("chisq", "df", "cfi", "tli", "rmsea", "srmr")}


def shape_table(latent, raw, items, sat_item: str, loy_item: str) -> pd.DataFrame:
    """The three shape comparisons in one table, with a column ``scores`` naming the kind of score."""
    return pd.concat([latent.table.assign(scores="PLS scores"), raw.table.assign(scores="raw means"),
                      items.table.assign(scores=f"items {sat_item}/{loy_item}")], ignore_index=True)


def with_kotler(table: pd.DataFrame, levels) -> pd.DataFrame:
    """The not-loyal table with Kotler's loss figures (column ``kotler``) when the levels are Kotler's five."""
    if [lv[0] for lv in levels] == list(KOTLER_LOSS):
        return table.assign(kotler=table["level"].map(KOTLER_LOSS))
    return table


def shares(table: pd.DataFrame, by: str) -> dict:
    """``{value of by: share}`` of a table with a ``share`` column."""
    return dict(zip(table[by], table["share"].astype(float)))


def prca_attributes(spec, satisfaction: str, attributes=None) -> list:
    """The attributes of the penalty-reward analysis: the ones given, else the predictors of satisfaction."""
    return list(attributes) if attributes else spec.predecessors(satisfaction)


def prca_source(raw: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Summated construct scores and raw items side by side (a column in both is taken from the scores)."""
    source = pd.concat([raw, items], axis=1)
    return source.loc[:, ~source.columns.duplicated()]


def prca_record(prca: pd.DataFrame) -> dict:
    """``{attribute: {penalty, reward, factor}}`` of a penalty-reward table."""
    return {r.attribute: {"penalty": r.penalty, "reward": r.reward, "factor": r.factor} for r in prca.itertuples()}


def through(mediation: pd.DataFrame, construct: str) -> pd.DataFrame:
    """The indirect chains that pass through ``construct`` (not starting or ending there)."""
    return mediation[mediation["chain"].str.contains(f"->{construct}->", regex=False)]


def mediation_shown(mediation: pd.DataFrame, through_satisfaction: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """What the mediation table shows: the chains through satisfaction when there are any (caption key
    ``mediation_through``), else every chain (``mediation_all``)."""
    if len(through_satisfaction):
        return "mediation_through", through_satisfaction
    return "mediation_all", mediation


def mediation_record(mediation: pd.DataFrame) -> dict:
    """``{chain: {estimate, ci_low, ci_high}}`` of every indirect chain."""
    return {r.chain: {"estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high}
            for r in mediation.itertuples()}


def multigroup_record(mg) -> dict:
    """``{"path|group_a-group_b": {difference, p}}`` of the permutation tests."""
    return {f"{r.path}|{r.group_a}-{r.group_b}": {"difference": r.difference, "p": r.p_value}
            for r in mg.tests.itertuples()}
