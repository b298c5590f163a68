"""Steps of the satisfaction-loyalty study between estimator calls: checking the parameters against the
model, choosing the overall items, assembling tables and the dictionaries recorded in ``results.json``."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from crmlab.core.errors import ParameterError
from crmlab.loyalty import KOTLER_LOSS
from crmlab.sem.data import prepare_items
from crmlab.sem.micom import micom
from crmlab.sem.predict import predictive_power
from crmlab.core.modeltext import parse_model

__all__ = [
    "copula_table",
    "data_record",
    "diagram_nodes",
    "estimation_record",
    "fit_record",
    "group_pairs",
    "htmt_bootstrap",
    "interpretable_paths",
    "intervals",
    "ipma_record",
    "ipma_scale",
    "ipma_scale_argument",
    "ipma_target",
    "measurement_table",
    "mediation_record",
    "mediation_shown",
    "micom_record",
    "micom_table",
    "minimum_sample",
    "model_spec",
    "multigroup_record",
    "multigroup_table",
    "plspredict_record",
    "plspredict_table",
    "overall_items",
    "prca_attributes",
    "prca_record",
    "prca_source",
    "prepare",
    "contrast",
    "without_flagged",
    "rho_a_record",
    "run_micom",
    "run_multigroup",
    "shape_table",
    "shares",
    "target_items",
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


def prepare(survey: pd.DataFrame, spec, satisfaction_item: str | None = None, loyalty_item: str | None = None,
            file: str | None = None):
    """The model's items, complete cases only (:func:`crmlab.sem.prepare_items`); the overall items, when
    given, must exist and be complete too. A DataError (a constant item, too few complete rows) names ``file``
    and the parameter that changes the items (``model``)."""
    from crmlab.core.errors import DataError

    try:
        return prepare_items(survey, spec, extra=[c for c in (satisfaction_item, loyalty_item) if c])
    except DataError as exc:
        if file is None:
            raise
        raise DataError(f"{file}: {exc} (parameter 'model' names the items)") from None


def run_multigroup(survey: pd.DataFrame, spec, group: str | None, **kwargs):
    """:func:`crmlab.sem.multigroup` over the levels of ``group`` (``kwargs``: its settings); None without a group
    or when fewer than two of its levels have 20 complete respondents (said by
    :func:`~crmlab.studies.loyalty.sentences.multigroup_line`)."""
    from crmlab.sem import multigroup

    if not group or not group_pairs(survey, spec, group):
        return None
    return multigroup(survey, spec, group, **kwargs)


def overall_items(spec, satisfaction: str, loyalty: str, satisfaction_item: str | None = None,
                  loyalty_item: str | None = None) -> tuple[str, str]:
    """The raw overall satisfaction and loyalty items: the ones given, else each construct's first item (of its
    first lower-order construct when it is a higher-order construct)."""
    def first(construct):
        item = spec.constructs[construct][0]
        while item in spec.constructs:
            item = spec.constructs[item][0]
        return item
    return (satisfaction_item or first(satisfaction), loyalty_item or first(loyalty))


def diagram_nodes(spec) -> list:
    """The constructs the path diagram draws: all but the lower-order components of a higher-order construct
    (they take no structural paths)."""
    lower = {c for hoc in spec.higher_order.values() for c in hoc}
    return [c for c in spec.names if c not in lower]


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


# --------------------------------------------------------------------------
# estimation (PLS or PLSc, survey weights), measurement with rho_A
# --------------------------------------------------------------------------
def estimation_record(pls, boot, weights: str | None = None) -> dict:
    """How the PLS model was estimated: admissibility of the solution, the weights column and the Kish
    effective n, and the bootstrap resamples used and dropped (not converged / inadmissible PLSc)."""
    return {"admissible": bool(pls.admissible_), "weights": weights,
            "n_eff": float(pls.n_eff_), "n": int(pls.data_.n_used),
            "bootstrap_used": int(boot.n_resamples),
            "bootstrap_not_converged": int(boot.n_failed - boot.n_inadmissible),
            "bootstrap_inadmissible": int(boot.n_inadmissible)}


def measurement_table(meas, pls) -> pd.DataFrame:
    """The reliability table with Dijkstra-Henseler's rho_A of each construct (column ``rho_a``, after ``rho_c``)."""
    table = meas.table.copy()
    table.insert(table.columns.get_loc("rho_c") + 1, "rho_a", pls.rho_a_.reindex(table.index))
    return table


def rho_a_record(pls) -> dict:
    """``{construct: rho_A}`` (None where it is not defined: Mode B blocks)."""
    return {c: (None if pd.isna(v) else float(v)) for c, v in pls.rho_a_.items()}


# --------------------------------------------------------------------------
# PLSpredict and CVPAT
# --------------------------------------------------------------------------
def target_items(pp, construct: str) -> pd.DataFrame:
    """The PLSpredict rows of the items of ``construct`` (empty when it is not endogenous)."""
    return pp.metrics_[pp.metrics_["construct"] == construct]


def plspredict_record(pp, target: str, cv=None) -> dict:
    """PLSpredict settings, verdict and per-item metrics, with the verdict on the items of the key target
    construct (``target_power``; None when it has no predicted items) and the CVPAT test (``cvpat``)."""
    rows = target_items(pp, target)
    return {**pp.to_dict(), "target": target,
            "target_power": predictive_power(rows) if len(rows) else None,
            "cvpat": None if cv is None else cv.to_dict()}


def plspredict_table(pp) -> pd.DataFrame:
    """One row per endogenous item: construct, Q²predict, RMSE and MAE of PLS and of the LM benchmark."""
    return pp.metrics_[["item", "construct", "q2_predict", "pls_rmse", "lm_rmse", "pls_mae", "lm_mae"]]


# --------------------------------------------------------------------------
# Gaussian copula
# --------------------------------------------------------------------------
def copula_table(cp, pls) -> pd.DataFrame:
    """One row per structural path (target ~ predictor): the predictor's normality pre-test, the copula term
    of its own regression (estimate, interval, p), the p of the same term with all copula terms of the
    target together (``p_joint``; NaN without a joint regression), and the path of the same OLS regression of
    the construct scores without and with the copula term (without it: the PLS path, unless PLSc or weights)."""
    norm = cp.normality.set_index("construct")
    terms = cp.terms
    rows = []
    scores = pls.scores_
    for t in pls.spec_.endogenous:
        preds = pls.spec_.predecessors(t)
        D = np.column_stack([np.ones(len(scores)), scores[preds].to_numpy(float)])
        base = dict(zip(preds, np.linalg.lstsq(D, scores[t].to_numpy(float), rcond=None)[0][1:]))
        joint = "+".join(c for c in pls.spec_.predecessors(t) if norm.loc[c, "non_normal"])
        for c in pls.spec_.predecessors(t):
            row = {"path": f"{t}~{c}", "target": t, "predictor": c, "normality_p": norm.loc[c, "p_value"],
                   "non_normal": bool(norm.loc[c, "non_normal"]), "estimate": np.nan, "ci_low": np.nan,
                   "ci_high": np.nan, "p_value": np.nan, "p_joint": np.nan,
                   "path_estimate": float(base[c]), "path_with_copula": np.nan}
            own = terms[(terms["target"] == t) & (terms["copulas"] == c)]
            if len(own):
                cop = own[own["term"] == f"copula_{c}"].iloc[0]
                row.update(estimate=cop["estimate"], ci_low=cop["ci_low"], ci_high=cop["ci_high"],
                           p_value=cop["p_value"],
                           path_with_copula=float(own.loc[own["term"] == c, "estimate"].iloc[0]))
            both = terms[(terms["target"] == t) & (terms["copulas"] == joint) & (terms["term"] == f"copula_{c}")]
            if "+" in joint and len(both):
                row["p_joint"] = both["p_value"].iloc[0]
            rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# MICOM before the multi-group test
# --------------------------------------------------------------------------
def group_pairs(survey: pd.DataFrame, spec, group: str, min_group: int = 20) -> list:
    """The pairs of levels of ``group`` the multi-group test compares (levels with at least ``min_group``
    complete rows, sorted), as the test itself chooses them."""
    prep = prepare_items(survey, spec, extra=[group])
    levels, counts = np.unique(survey.loc[prep.index, group].astype(str).to_numpy(), return_counts=True)
    return list(combinations([lv for lv, c in zip(levels, counts) if c >= min_group], 2))


def run_micom(survey: pd.DataFrame, spec, group: str, permutations: int, scheme: str = "path",
              scaled: bool = True, seed=None) -> dict:
    """MICOM for every pair of groups the multi-group test compares: ``{"a-b": MICOMResult}``."""
    return {f"{a}-{b}": micom(survey, spec, group, groups=(a, b), n_permutations=permutations, scheme=scheme,
                              scaled=scaled, seed=seed)
            for a, b in group_pairs(survey, spec, group)}


def interpretable_paths(spec, micoms: dict | None) -> dict | None:
    """``{"target~source|a-b": bool}``: a path's group difference is interpretable when both its constructs
    are at least partially invariant (MICOM steps 1 and 2; Henseler, Ringle & Sarstedt 2016); None when
    MICOM did not run."""
    if micoms is None:
        return None
    out = {}
    for pair, res in micoms.items():
        ok = dict(zip(res.decision["construct"], res.decision["invariance"] != "none"))
        for t in spec.endogenous:
            for s in spec.predecessors(t):
                out[f"{t}~{s}|{pair}"] = bool(ok[s] and ok[t])
    return out


def micom_record(micoms: dict | None, group: str | None, interpretable: dict | None) -> dict | None:
    """The MICOM results of every pair of groups and which path differences may be interpreted (None when
    MICOM did not run)."""
    if micoms is None:
        return None
    return {"group": group, "pairs": {k: r.to_dict() for k, r in micoms.items()}, "interpretable": interpretable}


def micom_table(micoms: dict) -> pd.DataFrame:
    """One row per pair of groups and construct: step 2 (c, its 5% permutation quantile, p), step 3 (mean and
    log-variance differences with their permutation ranges and p) and the invariance reached."""
    rows = []
    for pair, r in micoms.items():
        s = r.summary()
        rows.append(pd.DataFrame({
            "groups": pair, "construct": s["construct"], "c": s["step2_c"], "c_quantile": s["step2_quantile"],
            "p_composition": s["step2_p_value"], "mean_diff": s["mean_difference"],
            "mean_low": s["mean_ci_low"], "mean_high": s["mean_ci_high"], "p_mean": s["mean_p_value"],
            "logvar_diff": s["logvar_difference"], "logvar_low": s["logvar_ci_low"],
            "logvar_high": s["logvar_ci_high"], "p_logvar": s["logvar_p_value"], "invariance": s["invariance"]}))
    return pd.concat(rows, ignore_index=True)


def multigroup_table(mg, interpretable: dict | None = None) -> pd.DataFrame:
    """The permutation tests with the MICOM verdict of each row (column ``interpretable``; None when MICOM
    did not run)."""
    keys = [f"{r.path}|{r.group_a}-{r.group_b}" for r in mg.tests.itertuples()]
    return mg.tests.assign(interpretable=[None if interpretable is None else interpretable.get(k) for k in keys])


# --------------------------------------------------------------------------
# IPMA
# --------------------------------------------------------------------------
def ipma_scale(items: pd.DataFrame, scale=None, item_scales: dict | None = None,
               sources: dict | None = None) -> dict:
    """The items' answer scales for the IPMA.

    ``scale`` (``[low, high]``, parameter ``ipma_scale``) when given; else each item's own scale
    (``item_scales``, from the hygiene step, with ``sources`` saying where each came from: ``scales_parameter``,
    ``codebook`` or ``inferred``); else the lowest and the highest answer over all the model's items. Returns
    ``{"low", "high", "inferred", "source"}`` (``low``/``high`` None when the items' scales differ; then
    ``items`` holds ``{item: [low, high]}``); ``inferred`` is True when a scale was read off the answers.

    Raises
    ------
    ParameterError
        When ``scale`` is not two increasing numbers (parameter ``ipma_scale``).
    """
    if scale is None and item_scales:
        sc = {it: tuple(float(v) for v in item_scales[it]) for it in items.columns}
        src = sorted({(sources or {}).get(it, "inferred") for it in items.columns})
        out = {"inferred": "inferred" in src, "source": "+".join(src)}
        if len(set(sc.values())) == 1:
            low, high = next(iter(sc.values()))
            return {"low": low, "high": high, **out}
        return {"low": None, "high": None, **out, "items": {it: list(v) for it, v in sc.items()}}
    if scale is None:
        return {"low": float(np.nanmin(items.to_numpy(float))), "high": float(np.nanmax(items.to_numpy(float))),
                "inferred": True, "source": "data"}
    try:
        low, high = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise ParameterError(f"ipma_scale must be [lowest, highest] answer, e.g. [0, 10]; got {scale!r}") from None
    if not high > low:
        raise ParameterError(f"ipma_scale must be [lowest, highest] with lowest < highest; got {scale!r}")
    return {"low": low, "high": high, "inferred": False, "source": "ipma_scale"}


def ipma_scale_argument(scale: dict):
    """The ``scale`` argument of :func:`crmlab.sem.ipma` for an :func:`ipma_scale` result: ``(low, high)``, or
    ``{item: (low, high)}`` when the items' scales differ."""
    if scale.get("items"):
        return {it: tuple(v) for it, v in scale["items"].items()}
    return (scale["low"], scale["high"])


def ipma_target(spec, target: str | None, loyalty: str) -> str:
    """The IPMA's target construct: the one given, else the loyalty construct; it must be endogenous.

    Raises
    ------
    ParameterError
        Naming parameter ``ipma_target`` and the model's endogenous constructs.
    """
    name = target or loyalty
    if name not in spec.endogenous:
        raise ParameterError(f"ipma_target {name!r} is not an endogenous construct of the model; "
                             f"endogenous constructs: {spec.endogenous}")
    return name


def ipma_record(res, scale: dict) -> dict:
    """The IPMA results (target, its performance, the construct and indicator maps) and the scale used."""
    out = res.to_dict()
    out.pop("scale_from_data", None)
    return {**out, "scale": scale}


# --------------------------------------------------------------------------
# completely vs merely satisfied; the headline results without the flagged respondents
# --------------------------------------------------------------------------
def minimum_sample(spec) -> tuple[int, str, int]:
    """The fewest respondents a model can be estimated from: ``(n, construct, arrows)``.

    The ten-times rule (Hair, Ringle & Sarstedt 2011): ten times the largest number of arrows pointing at a
    construct (its structural predecessors, or the items of a formative block); and more respondents than
    the model has items, or the item covariance matrix the CB-SEM fits is singular.
    """
    arrows = {c: len(spec.predecessors(c)) for c in spec.names}
    for c, mode in getattr(spec, "modes", {}).items():
        if mode == "B":
            arrows[c] = max(arrows.get(c, 0), len(spec.constructs[c]))
    construct = max(arrows, key=lambda c: arrows[c])
    return max(10 * arrows[construct], len(spec.items) + 1), construct, arrows[construct]


def contrast(sat, loy, cut) -> dict | None:
    """:func:`crmlab.loyalty.satisfaction_contrast` with the cut-offs ``cut`` (:class:`.inputs.Cutoffs`); None
    when the completely or the merely satisfied group is empty (:func:`.inputs.empty_groups` names the
    parameters to change)."""
    from crmlab.loyalty import satisfaction_contrast

    s = np.asarray(sat, float)
    if not (s >= cut.completely_min).any() or not ((s >= cut.merely[0]) & (s <= cut.merely[1])).any():
        return None
    return satisfaction_contrast(sat, loy, loyal_min=cut.loyal_min, completely_min=cut.completely_min,
                                 merely=tuple(cut.merely))


@dataclass
class FlaggedComparison:
    """Headline results with and without the flagged respondents (see :func:`without_flagged`).

    ``table`` (saved as ``without_flagged``: one row per result, columns ``with_flagged`` and
    ``without_flagged``, plus ``ci_low``/``ci_high``: the 95% interval of the result on all respondents),
    ``record`` (the ``without_flagged`` entry of results.json), ``changed`` (the results whose value
    without the flagged respondents leaves that interval) and ``headline`` (the rows a reader is shown: the
    respondents, the paths into satisfaction and loyalty, their R², the not-loyal shares, and any changed row).
    """

    table: pd.DataFrame
    record: dict
    changed: list
    headline: list


def without_flagged(hyg, sv, pls, boot, cut, con: dict | None = None, *, scheme: str = "path", scaled: bool = True,
                    method: str = "pls", weights: str | None = None) -> FlaggedComparison | None:
    """The headline results again without the respondents the hygiene checks flagged (and kept): the PLS model
    refitted on :attr:`crmlab.survey.HygieneReport.data_unflagged` (same settings, no bootstrap), its paths and
    R², and the not-loyal shares of the merely and the completely satisfied (``con``: the contrast on all
    respondents). Each is compared with the 95% interval of the same result on all respondents (bootstrap for
    paths and R², Wilson for the shares). None when nobody is flagged or too few respondents remain for the
    model (:func:`minimum_sample`)."""
    from crmlab.sem import PLSPM

    if hyg.rows_flagged == 0:
        return None
    rest = hyg.data_unflagged
    if len(rest) < minimum_sample(sv.spec)[0]:
        return None
    refit = PLSPM(sv.spec, scheme=scheme, scaled=scaled, method=method).fit(rest, weights=weights)
    rows = {"respondents": (hyg.rows_used, len(rest), np.nan, np.nan)}
    for k in pls.paths_.index:
        b = boot.paths.loc[k]
        rows[f"path:{k}"] = (float(pls.paths_[k]), float(refit.paths_[k]), float(b["ci_low"]), float(b["ci_high"]))
    for k in pls.r2_.index:
        b = boot.r2.loc[k] if k in boot.r2.index else {"ci_low": np.nan, "ci_high": np.nan}
        rows[f"r2:{k}"] = (float(pls.r2_[k]), float(refit.r2_[k]), float(b["ci_low"]), float(b["ci_high"]))
    con2 = contrast(rest[sv.sat_item], rest[sv.loy_item], cut) if con is not None else None
    if con is not None and con2 is not None:
        from crmlab.loyalty import wilson_interval

        for grp in ("merely", "completely"):
            n, share = con[f"n_{grp}"], con[f"not_loyal_{grp}"]
            lo, hi = wilson_interval(round(share * n), n)
            rows[f"not_loyal_{grp}"] = (share, con2[f"not_loyal_{grp}"], float(lo), float(hi))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["with_flagged", "without_flagged", "ci_low",
                                                                   "ci_high"])
    table.index.name = "result"
    t = table.drop(index="respondents")
    changed = t.index[(t["without_flagged"] < t["ci_low"]) | (t["without_flagged"] > t["ci_high"])].tolist()
    rec = {"rows_used": len(rest), "pls": {"paths": refit.paths_.to_dict(), "r2": refit.r2_.to_dict()},
           "completely_vs_merely": con2, "changed": changed}
    ends = (sv.satisfaction, sv.loyalty)
    headline = [k for k in table.index if k == "respondents" or k in changed or k.startswith("not_loyal_")
                or (k.startswith("path:") and k[5:].split("~")[0] in ends) or k[3:] in ends and k.startswith("r2:")]
    return FlaggedComparison(table, rec, changed, headline)
