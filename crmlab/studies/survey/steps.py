"""Steps of the survey-regression study between estimator calls: which columns, which rows, the
tables built from several fits, the driver profiles of the ordinal model, the survey weights and the
dicts recorded in ``results.json``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from crmlab.core import datasets
from crmlab.core.errors import ParameterError
from crmlab.drivers import check_weights
from crmlab.survey import clean_survey
from crmlab.survey_models import compare_models, fit_ols
from crmlab.weighting import load_margins, rake, weight_diagnostics, weighted_vs_unweighted

#: names of the default driver profiles of the ordinal model (translated by the study's catalog)
PROFILES = ("all drivers at 25th pct", "all at median", "all at 75th pct")


def survey_items(outcome: str, drivers) -> list[str]:
    """The rated items of the study: the outcome, then the drivers.

    Raises
    ------
    ParameterError
        When ``outcome`` is also listed in ``drivers``.
    """
    items = [outcome] + [d for d in drivers if d != outcome]
    if len(items) != len(drivers) + 1:
        raise ParameterError(f"outcome {outcome!r} is also listed in drivers")
    return items


def load_survey(data: str, outcome: str, drivers, *, nps_item: str | None = None, columns=()):
    """Read the survey file ``data`` and check that it has every column the study will use.

    Parameters
    ----------
    data : path of the respondent-level survey (CSV or any format :func:`crmlab.core.datasets.read_table` reads).
    outcome, drivers : the rated items.
    nps_item : the 0-10 recommendation item, if any.
    columns : further columns named by parameters (weights, segment, id, duration); ``None`` entries are skipped.

    Returns
    -------
    (raw, items, check_items): the data as read, the rated items (:func:`survey_items`) and the items
    the hygiene checks cover (the rated items and the NPS item).
    """
    raw = datasets.read_table(datasets.resolve_path(data))
    items = survey_items(outcome, drivers)
    check_items = items + ([nps_item] if nps_item else [])
    datasets.require_columns(raw, check_items + [c for c in columns if c], data)
    return raw, items, check_items


def clean(raw: pd.DataFrame, items, check_items, *, scale_min, scale_max, missing_codes=(), reverse_items=(),
          id_column=None, duration_column=None, duplicates="row", nps_item=None):
    """The study's hygiene checks (:func:`crmlab.survey.clean_survey`): every item in ``check_items`` is
    checked, the rated ``items`` must be answered, and the NPS item has its own 0-10 range."""
    return clean_survey(raw, check_items, required=items, scale_min=scale_min, scale_max=scale_max,
                        missing_codes=missing_codes, reverse_items=reverse_items, id_column=id_column,
                        duration_column=duration_column, duplicates=duplicates,
                        extra_ranges={nps_item: (0, 10)} if nps_item else None)


def exclusions_table(hyg) -> pd.DataFrame:
    """The excluded rows of a :class:`crmlab.survey.HygieneReport` as saved (``row`` named ``row_number``)."""
    return hyg.exclusions.rename(columns={"row": "row_number"})


class OrdinalComparison(NamedTuple):
    """Ordinal logit beside OLS (see :func:`ordinal_vs_ols`)."""

    table: pd.DataFrame             # saved as ordinal_vs_ols
    marginal_effects: pd.DataFrame  # saved as ordinal_marginal_effects
    with_intervals: pd.DataFrame    # table + the two intervals, for the reader


def ordinal_vs_ols(ordfit, olsfit, df: pd.DataFrame) -> OrdinalComparison:
    """Ordinal logit and OLS side by side, with the ordinal model's average effect of one point.

    ``table`` is :func:`crmlab.survey_models.compare_models` plus ``ordinal_d_expected`` (the average
    change of the expected answer per point of the driver, comparable to the OLS coefficient, from
    :meth:`~crmlab.survey_models.OrdinalFit.marginal_effects` on ``df``); ``with_intervals`` adds the
    odds ratio's interval (``odds_ratio_ci_low``, ``odds_ratio_ci_high``) and the OLS coefficient's
    (``ols_coef_ci_low``, ``ols_coef_ci_high``).
    """
    table = compare_models(ordfit, olsfit)
    me = ordfit.marginal_effects(df)
    table["ordinal_d_expected"] = me["d_expected"]
    with_intervals = (table.join(ordfit.coef[["ci_low", "ci_high"]].add_prefix("odds_ratio_"))
                      .join(olsfit.coef[["ci_low", "ci_high"]].add_prefix("ols_coef_")))
    return OrdinalComparison(table, me, with_intervals)


def driver_profiles(df: pd.DataFrame, drivers, profiles: dict | None = None) -> pd.DataFrame:
    """Driver profiles at which the ordinal model's answer probabilities are shown.

    Three default rows (:data:`PROFILES`): every driver at its 25th percentile, median and 75th
    percentile, rounded to whole scale points. ``profiles`` adds named rows ``{name: {driver: value}}``;
    the drivers a profile does not name stay at their (rounded) median.

    Raises
    ------
    ParameterError
        When ``profiles`` names a driver that is not in ``drivers``.
    """
    drivers = list(drivers)
    q = df[drivers].quantile([0.25, 0.5, 0.75]).round()
    prof = pd.DataFrame(q.to_numpy(), columns=drivers, index=list(PROFILES))
    if profiles:
        unknown = sorted({d for p in profiles.values() for d in p} - set(drivers))
        if unknown:
            raise ParameterError(f"profiles name drivers {unknown} that are not in `drivers`")
        extra = pd.DataFrame([{**q.loc[0.5].to_dict(), **p} for p in profiles.values()], index=list(profiles))
        prof = pd.concat([prof, extra[drivers]])
    return prof


@dataclass
class SurveyWeights:
    """The survey weights of the study: from raking to margins, from a weight column, or none.

    ``weights`` (a Series on the kept rows, or None), ``raking`` (the
    :class:`crmlab.weighting.RakingResult` when margins were given) and ``diagnostics``
    (:class:`crmlab.weighting.WeightDiagnostics`, or None when unweighted).
    """

    weights: pd.Series | None = None
    raking: object | None = None
    diagnostics: object | None = None

    @property
    def weighted(self) -> bool:
        return self.weights is not None

    @property
    def array(self) -> np.ndarray | None:
        """The weights as an array for the estimators' ``weights`` argument (None when unweighted)."""
        return None if self.weights is None else self.weights.to_numpy()

    def record(self) -> dict:
        """The ``weights`` entry of ``results.json``: the diagnostics (and, after raking, ``converged``)."""
        if self.raking is not None:
            return {"converged": self.raking.converged, **self.diagnostics.to_record()}
        return self.diagnostics.to_record()


def survey_weights(df: pd.DataFrame, *, margins: str | None = None, weights: str | None = None,
                   trim: float | None = None) -> SurveyWeights:
    """Weights for the kept respondents.

    With ``margins`` (a YAML file, :func:`crmlab.weighting.load_margins`) the sample is raked to the
    population margins, starting from the ``weights`` column when one is given and capping weights at
    ``trim`` times the mean; with only ``weights`` that column is used as it is (checked:
    numeric, none missing or negative); with neither the study is unweighted.
    """
    if margins:
        rk = rake(df, load_margins(margins), base_weights=weights, trim=trim)
        return SurveyWeights(rk.weights, rk, rk.diagnostics)
    if weights:
        w = pd.Series(check_weights(df[weights], len(df), df.index), index=df.index)
        return SurveyWeights(w, None, weight_diagnostics(w))
    return SurveyWeights()


class WeightedComparison(NamedTuple):
    """Unweighted beside weighted results (see :func:`weighted_comparison`)."""

    means: pd.DataFrame   # saved as weighted_means
    ols: object           # the weighted OLS fit
    coef: pd.DataFrame    # saved as weighted_ols


def weighted_comparison(df: pd.DataFrame, items, outcome: str, drivers, sw: SurveyWeights,
                        olsfit) -> WeightedComparison:
    """Item means and OLS coefficients unweighted and weighted with ``sw`` (``olsfit``: the unweighted OLS)."""
    means = weighted_vs_unweighted(df, items, sw.weights)
    ols_w = fit_ols(df, outcome, drivers, weights=sw.array)
    coef = pd.DataFrame({"ols_unweighted": olsfit.coef["coef"], "ols_weighted": ols_w.coef["coef"]})
    return WeightedComparison(means, ols_w, coef)


def drivers_record(kda) -> dict:
    """The ``drivers`` entry of ``results.json``: :meth:`~crmlab.drivers.KeyDriverAnalysis.to_record`, plus
    ``sampled_bound`` when the Shapley shares were estimated from random orders."""
    rec = kda.to_record()
    if kda.sampled_ is not None:
        rec["sampled_bound"] = kda.sampled_["bound"]
    return rec


def drivers_weighted_vs_unweighted(kda, kda_u) -> pd.DataFrame:
    """Shapley shares and ranks per driver with weights (``kda``) and without (``kda_u``)."""
    return pd.DataFrame({"shapley_weighted": kda.importance_["shapley"],
                         "shapley_unweighted": kda_u.importance_["shapley"],
                         "rank_weighted": kda.importance_["rank"], "rank_unweighted": kda_u.importance_["rank"]})
