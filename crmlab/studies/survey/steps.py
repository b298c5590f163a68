"""Steps of the survey-regression study between estimator calls: which columns, which rows, the
tables built from several fits, the driver profiles of the ordinal model, the survey weights and the
dicts recorded in ``results.json``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.drivers import check_weights
from crmlab.survey import clean_survey
from crmlab.survey import declared_scales as survey_scales
from crmlab.survey import exclusions_table  # noqa: F401 - the table saved as hygiene_exclusions
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


@dataclass
class Survey:
    """The survey a run studies: the data as read, where from, its codebook and the items.

    ``raw`` (the data frame as read), ``data`` (the path as given), ``file`` (its file name),
    ``bundled`` (True for the dataset shipped in ``data/``), ``codebook`` (a
    :class:`crmlab.core.codebook.Codebook` or None), ``outcome``, ``drivers``, ``nps_item``,
    ``items`` (the rated items: outcome, then drivers) and ``check_items`` (the items the hygiene checks
    cover: the rated items and the NPS item).
    """

    raw: pd.DataFrame
    data: str
    file: str
    bundled: bool
    codebook: object
    outcome: str
    drivers: list
    nps_item: str | None
    items: list
    check_items: list


def open_survey(data: str, outcome: str, drivers, *, sheet=None, codebook: str | None = None,
                nps_item: str | None = None, columns=()) -> Survey:
    """Read the survey file ``data`` (sheet ``sheet`` of an Excel workbook) and its codebook, and check
    that it has every column the study will use.

    ``codebook`` is a YAML or CSV codebook; None uses the ``codebook.yaml`` beside the data, if any
    (:func:`crmlab.core.codebook.find_codebook`). ``columns`` are further columns named by parameters
    (weights, segment, id, duration; ``None`` entries are skipped).

    Raises
    ------
    ParameterError
        ``outcome`` also among ``drivers``, or fewer than 2 drivers.
    DataError
        A file that cannot be read, or a column a parameter names that the file lacks (listing the
        file's columns).
    """
    from crmlab.core.codebook import find_codebook, is_bundled

    drivers = list(drivers)
    items = survey_items(outcome, drivers)
    if len(drivers) < 2:
        raise ParameterError(f"parameter 'drivers' names {len(drivers)} driver(s); a key-driver analysis needs "
                             "at least 2")
    path = datasets.resolve_path(data)
    raw = datasets.read_table(path, sheet=sheet)
    check_items = items + ([nps_item] if nps_item else [])
    named = {"outcome": [outcome], "drivers": drivers, "nps_item": [nps_item] if nps_item else []}
    for param, cols in named.items():
        missing = [c for c in cols if c not in raw.columns]
        if missing:
            raise DataError(f"{path.name}: parameter {param!r} names column(s) {missing} that the file does not have; "
                            f"its columns: {', '.join(map(str, raw.columns[:40]))}")
    datasets.require_columns(raw, [c for c in columns if c], path.name)
    cb = find_codebook(codebook, data)
    return Survey(raw, str(data), path.name, is_bundled(data), cb, outcome, drivers, nps_item, items, check_items)


#: where a declared scale comes from (the words are terms of the study's catalog)
SCALE_SOURCES = ("scales_parameter", "scale_min/scale_max", "codebook", "nps_scale", "inferred")


def declared_scales(sv: Survey, scales: dict | None = None, scale_min=None, scale_max=None):
    """The answer scale of each item that has one declared, and where it comes from
    (:func:`crmlab.survey.declared_scales`).

    In order: ``scales`` (item -> [lowest, highest]), then ``scale_min``/``scale_max`` for every rated
    item, then the codebook; the NPS item is always 0-10. Items left out are inferred from the answers
    by the hygiene step.

    Returns
    -------
    (scales, sources): dicts item -> (lowest, highest) and item -> one of :data:`SCALE_SOURCES`.

    Raises
    ------
    ParameterError
        ``scales`` naming a column that is not a survey item, or a scale that is not [lowest, highest].
    """
    return survey_scales(sv.items, scales=scales, scale_min=scale_min, scale_max=scale_max, codebook=sv.codebook,
                         fixed={sv.nps_item: ((0.0, 10.0), "nps_scale")} if sv.nps_item else None,
                         what="the outcome, a driver or the NPS item")


def reverse_keyed(sv: Survey, reverse_items=()) -> list[str]:
    """The reverse-keyed items: ``reverse_items`` when given, else the codebook's among the rated items."""
    if reverse_items:
        bad = [c for c in reverse_items if c not in sv.items]
        if bad:
            raise ParameterError(f"parameter 'reverse_items' names {bad}, which are not the outcome or a driver "
                                 f"({', '.join(sv.items)})")
        return list(reverse_items)
    return [c for c in (sv.codebook.reversed() if sv.codebook is not None else []) if c in sv.items]


def clean(sv: Survey, *, scales=None, scale_min=None, scale_max=None, missing_codes=(), reverse_items=(),
          id_column=None, duration_column=None, min_duration=None, straightliners="flag", speeders="exclude",
          duplicates="flag"):
    """The study's hygiene checks (:func:`crmlab.survey.clean_survey`) on every item of ``sv.check_items``:
    scales from :func:`declared_scales` (the rest inferred), the rated items must be answered, straight-
    lining judged on the rated items, rows named by file row. A DataError names the file too."""
    declared, sources = declared_scales(sv, scales, scale_min, scale_max)
    try:
        return clean_survey(sv.raw, sv.check_items, scales=declared, scale_sources=sources, required=sv.items,
                            missing_codes=missing_codes, reverse_items=reverse_keyed(sv, reverse_items),
                            straightliners=straightliners, straightline_items=sv.items, id_column=id_column,
                            duplicates=duplicates, duration_column=duration_column, min_duration=min_duration,
                            speeders=speeders, first_row=2)
    except DataError as exc:
        raise DataError(f"{sv.file}: {exc}") from None


def check_sample(sv: Survey, hyg) -> None:
    """Refuse a survey with too few usable respondents for its drivers, before any model.

    Raises
    ------
    DataError
        "too few respondents for p drivers", with the counts read, excluded and used, naming the
        parameters that fix it (``data``, ``drivers``).
    """
    p, n = len(sv.drivers), hyg.rows_used
    if n < p + 2:
        raise DataError(f"{sv.file}: too few respondents for {p} drivers: {n:,} usable of {hyg.rows_in:,} read "
                        f"({hyg.rows_in - n:,} excluded by the hygiene checks). A regression on {p} drivers needs at "
                        f"least {p + 2} respondents, and about 10-20 per driver ({10 * p:,}-{20 * p:,}) for stable "
                        "results: give more respondents (parameter 'data') or fewer drivers (parameter 'drivers')")
    y = hyg.data[sv.outcome].dropna()
    if y.nunique() < 2:
        raise DataError(f"{sv.file}: the outcome {sv.outcome!r} (parameter 'outcome') has the same answer "
                        f"({y.iloc[0]:g}) from all {n:,} usable respondents: there is nothing for the drivers to "
                        "explain; choose another outcome item")


def improvement_candidates(ipm: pd.DataFrame) -> list[str]:
    """Drivers in the "Concentrate here" quadrant (important, rated below average), most important first."""
    focus = ipm[ipm["quadrant"] == "Concentrate here"]
    return focus.sort_values("importance", ascending=False).index.tolist()


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


def drivers_record(kda, candidates=None) -> dict:
    """The ``drivers`` entry of ``results.json``: :meth:`~crmlab.drivers.KeyDriverAnalysis.to_record` (with
    ``r2_ci`` after a bootstrap), ``sampled_bound`` when the Shapley shares were estimated from random
    orders, and ``improvement_candidates`` (:func:`improvement_candidates`) when given."""
    rec = kda.to_record()
    if kda.sampled_ is not None:
        rec["sampled_bound"] = kda.sampled_["bound"]
    if candidates is not None:
        rec["improvement_candidates"] = list(candidates)
    return rec


def drivers_weighted_vs_unweighted(kda, kda_u) -> pd.DataFrame:
    """Shapley shares and ranks per driver with weights (``kda``) and without (``kda_u``)."""
    return pd.DataFrame({"shapley_weighted": kda.importance_["shapley"],
                         "shapley_unweighted": kda_u.importance_["shapley"],
                         "rank_weighted": kda.importance_["rank"], "rank_unweighted": kda_u.importance_["rank"]})


class FlaggedComparison(NamedTuple):
    """Headline results with and without the flagged respondents (see :func:`without_flagged`)."""

    table: pd.DataFrame   # saved as without_flagged: one row per result, columns with_flagged / without_flagged
    record: dict          # the ``without_flagged`` entry of results.json
    changed: list         # the results that differ (r2, ols_r2, outcome_mean, outcome_top2box, nps, top_drivers,
                          # improvement_candidates)
    top_drivers: tuple    # (with, without): the three most important drivers
    candidates: tuple     # (with, without): the improvement candidates


def without_flagged(hyg, sv: Survey, kda, olsfit, tb: pd.DataFrame, ipm: pd.DataFrame, *, nps_result=None,
                    weights: pd.Series | None = None) -> FlaggedComparison | None:
    """The headline results again without the respondents the hygiene checks flagged (and kept).

    Refits the key-driver analysis (no bootstrap), the OLS model, the outcome's mean and top-2-box and,
    with an NPS item, the NPS on ``hyg.data_unflagged``, with the same scales and the weights of those
    respondents (not re-raked). The table has one row per number (``respondents``, ``r2``, ``ols_r2``,
    ``outcome_mean``, ``outcome_top2box``, ``nps``) and per place (``top_driver_1``..3,
    ``improvement_candidate_1``..k, holding driver codes). Returns None when nothing is flagged or too
    few respondents remain (``n < drivers + 2``).
    """
    from crmlab.drivers import KeyDriverAnalysis
    from crmlab.survey import nps, top_box

    if hyg.rows_flagged == 0:
        return None
    rest = hyg.data_unflagged
    if len(rest) < len(sv.drivers) + 2:
        return None
    w = None if weights is None else weights.loc[rest.index].to_numpy()
    kda2 = KeyDriverAnalysis().fit(rest, sv.outcome, sv.drivers, weights=w)
    ols2 = fit_ols(rest, sv.outcome, sv.drivers, weights=w)
    tb2 = top_box(rest, [sv.outcome], scales={sv.outcome: hyg.scales[sv.outcome]}, weights=w)
    numbers = {
        "respondents": (hyg.rows_used, len(rest)),
        "r2": (kda.r2_, kda2.r2_),
        "ols_r2": (olsfit.r2, ols2.r2),
        "outcome_mean": (tb.loc[sv.outcome, "mean"], tb2.loc[sv.outcome, "mean"]),
        "outcome_top2box": (tb.loc[sv.outcome, "top2box"], tb2.loc[sv.outcome, "top2box"]),
    }
    if nps_result is not None and sv.nps_item:
        numbers["nps"] = (nps_result.score, nps(rest[sv.nps_item], weights=w).score)
    top = (list(kda.rank_[:3]), list(kda2.rank_[:3]))
    cands = (improvement_candidates(ipm), improvement_candidates(kda2.importance_performance(scales=hyg.scales)))
    rows = dict(numbers)
    rows.update({f"top_driver_{i + 1}": (top[0][i], top[1][i]) for i in range(len(top[0]))})
    k = max(len(cands[0]), len(cands[1]))
    rows.update({f"improvement_candidate_{i + 1}": tuple(c[i] if i < len(c) else None for c in cands)
                 for i in range(k)})
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["with_flagged", "without_flagged"], dtype=object)
    table.index.name = "result"
    changed = [key for key, (a, b) in numbers.items() if key != "respondents"
               and not np.isclose(a, b, rtol=0, atol=5e-4)]
    changed += [key for key, (a, b) in (("top_drivers", top), ("improvement_candidates", cands)) if a != b]
    rec = {"rows_used": len(rest), "drivers": {"r2": kda2.r2_, "rank": list(kda2.rank_)}, "ols": {"r2": ols2.r2},
           "top2box": float(tb2.loc[sv.outcome, "top2box"]), "improvement_candidates": cands[1], "changed": changed}
    if "nps" in numbers:
        rec["nps"] = {"score": numbers["nps"][1]}
    return FlaggedComparison(table, rec, changed, top, cands)


def variables_table(sv: Survey, hyg) -> pd.DataFrame:
    """The variables appendix: one row per column the study used (index: the code) with ``label_en``,
    ``label_zh`` (from the codebook; empty without one), ``role`` (outcome, driver, nps_item),
    ``scale_min``, ``scale_max``, ``scale_source`` (:data:`SCALE_SOURCES`) and ``reverse``."""
    cb = sv.codebook
    rows = []
    for c in sv.check_items:
        entry = cb.columns.get(c) if cb is not None else None
        lo, hi = hyg.scales[c]
        rows.append({"variable": c, "label_en": entry.en if entry is not None and entry.en else "",
                     "label_zh": entry.zh if entry is not None and entry.zh else "",
                     "role": "outcome" if c == sv.outcome else "nps_item" if c == sv.nps_item else "driver",
                     "scale_min": lo, "scale_max": hi, "scale_source": hyg.scale_source.get(c, "inferred"),
                     "reverse": c in hyg.recoded["reverse_items"]})
    return pd.DataFrame(rows).set_index("variable")


def scale_usage(df: pd.DataFrame, outcome: str, drivers, weights=None):
    """:func:`crmlab.scale_usage.scale_usage_sensitivity`, or None with fewer than 3 drivers (standardising a
    driver against the respondent's other drivers needs at least two others)."""
    from crmlab.scale_usage import scale_usage_sensitivity

    if len(list(drivers)) < 3:
        return None
    return scale_usage_sensitivity(df, outcome, drivers, weights)


def intro_values(sv: Survey, columns: dict | None = None) -> dict[str, str]:
    """The placeholders of the introductions (``intro``: ``rows``; ``intro_own``: ``file``, ``rows``,
    ``columns``, ``outcome``, ``n_drivers``, ``drivers``, ``extra``), items by name in the current language.
    ``columns`` maps the parameters weights, segment, id_column, duration_column to the columns they name."""
    from crmlab.report.i18n import pick
    from crmlab.report.narrative import md_escape
    from crmlab.studies.survey.text import label, labels

    extra = []
    if sv.nps_item:
        extra.append(pick(en=f"the recommendation item {label(sv.nps_item)}", zh=f"推荐意愿题{label(sv.nps_item)}"))
    words = {"weights": ("weights", "权重"), "segment": ("segments", "细分群体"), "id_column": ("respondent ids", "受访者编号"),
             "duration_column": ("completion times", "完成时间")}
    for key, col in (columns or {}).items():
        if col and key in words:
            en, zh = words[key]
            extra.append(pick(en=f"{en} from {label(col)}", zh=f"{zh}来自{label(col)}"))
    tail = (pick(en="; also ", zh="；另用到") + pick(en=", ".join(extra), zh="、".join(extra))) if extra else ""
    return {"file": md_escape(sv.file), "rows": f"{len(sv.raw):,}", "columns": f"{sv.raw.shape[1]:,}",
            "outcome": label(sv.outcome), "n_drivers": str(len(sv.drivers)), "drivers": labels(sv.drivers),
            "extra": tail}
