"""Steps of study 4 between estimator calls: the design table, the target arm, the uplift sample, the value per
customer, the churn predictors, and the dicts each result is recorded under in ``results.json`` (keys and order
are stable).

The steps that read and check the tables (:mod:`.steps_data`), those of sequential monitoring, ratio metrics and
budgeted targeting (:mod:`.steps_experiment`) and of the proportional-hazards reading, churn by reason, the AFT
models and the contractual sBG model (:mod:`.steps_time`) are re-exported here, so a notebook calls them all as
``steps.<name>``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab import experiments as ex
from crmlab import uplift as up
from crmlab.core.errors import DataError, ParameterError
from crmlab.studies.retention.steps_data import (  # noqa: F401 - re-exported for the notebook
    Experiment,
    Parts,
    Survival,
    merged_codebook,
    open_experiment,
    open_parts,
    open_survival,
    split_labels,
    time_unit_of,
    variables_table,
)
from crmlab.studies.retention.steps_experiment import (  # noqa: F401 - re-exported for the notebook
    RATIO_FIELDS,
    SEQ_FIELDS,
    Arrivals,
    aa_outcome,
    aa_simulation,
    aa_table,
    arrivals,
    budget_record,
    budget_run,
    parse_ratios,
    ratio_record,
    ratio_table,
    sequential_effects,
    sequential_record,
    sequential_summary,
    value_scores,
)
from crmlab.studies.retention.steps_time import (  # noqa: F401 - re-exported for the notebook
    ReasonData,
    SbgResult,
    aft_comparison,
    aft_coefficients,
    aft_models,
    aft_record,
    best_aft,
    cif_run,
    cif_table,
    competing_record,
    cr_regression,
    ph_test_record,
    ph_trends,
    ph_violations,
    reason_data,
    remaining_table,
    sbg_compare,
    sbg_fits,
    sbg_record,
    true_cif,
)


# --------------------------------------------------------------------------- data
def binary_map(binary_outcomes) -> dict:
    """``{outcome: True}`` for each outcome declared binary (the form the estimators take)."""
    return {o: True for o in binary_outcomes}


# --------------------------------------------------------------------------- design
def design_table(p_control: float, effects, delta: float, sd: float, *, power: float, alpha: float,
                 n_arms: int) -> pd.DataFrame:
    """Customers needed per arm: one row per rate effect (``p_control`` -> ``p_control + effect``) and one for
    the mean difference ``delta`` (standard deviation ``sd``).

    Returns ``outcome`` (``rate`` / ``mean``), ``effect``, ``n_per_arm``, ``n_total = n_per_arm * n_arms``.
    """
    rows = [{"outcome": "rate", "effect": e, "n_per_arm": ex.sample_size_proportions(
                p_control, p_control + e, power=power, alpha=alpha, n_arms=n_arms)} for e in effects]
    rows.append({"outcome": "mean", "effect": delta, "n_per_arm": ex.sample_size_means(
        delta, sd, power=power, alpha=alpha, n_arms=n_arms)})
    design = pd.DataFrame(rows)
    design["n_total"] = design["n_per_arm"] * n_arms
    return design


def design_mde(p_control: float, sd: float, n_per_arm: int, *, power: float, alpha: float, n_arms: int) -> dict:
    """Minimum detectable effects of a design with ``n_per_arm`` customers per arm (the ``design`` record):
    ``n_arms, mde_rate, mde_mean, n_per_arm_for_mde``."""
    return {"n_arms": n_arms,
            "mde_rate": ex.mde_proportions(p_control, n_per_arm, power=power, alpha=alpha, n_arms=n_arms),
            "mde_mean": ex.mde_means(sd, n_per_arm, power=power, alpha=alpha, n_arms=n_arms),
            "n_per_arm_for_mde": n_per_arm}


def power_grid() -> np.ndarray:
    """Control-arm sizes of the power curves: 60 log-spaced integers from 200 to 200,000 (duplicates dropped)."""
    return np.unique(np.geomspace(200, 200_000, 60).astype(int))


def power_curves(p_control: float, effects, *, alpha: float, n_arms: int, n_grid=None) -> pd.DataFrame:
    """Power curves for each rate ``effect`` (:func:`crmlab.experiments.power_curve`) stacked, with an
    ``effect`` column."""
    grid = power_grid() if n_grid is None else n_grid
    return pd.concat([ex.power_curve("proportion", p_control, p_control + e, n_grid=grid, alpha=alpha,
                                     n_arms=n_arms).assign(effect=e) for e in effects], ignore_index=True)


# --------------------------------------------------------------------------- checks and effects
def srm_record(srm) -> dict:
    """The ``srm`` record of a :class:`~crmlab.experiments.SRMResult`."""
    return {"chi2": srm.chi2, "p": srm.p, "alert": srm.alert}


def max_abs_smd(balance: pd.DataFrame) -> float:
    """The largest |standardized mean difference| of a balance table."""
    return float(balance["smd"].abs().max())


def effects_record(table: pd.DataFrame, fields) -> dict:
    """``{"<arm>|<outcome>": {field: value}}`` for each row of an effect table (the ``itt`` / ``cuped`` records)."""
    return {f"{arm}|{outcome}": {f: row[f] for f in fields}
            for arm, outcome, row in zip(table["arm"], table["outcome"], table[list(fields)].to_dict("records"))}


def money_columns(value_per_outcome: dict | None, value_col: str | None = None) -> list[str]:
    """Columns that hold money without a codebook saying so: the outcomes worth exactly 1 of the currency per
    unit in ``value_per_outcome`` (a spend column) and ``value_col`` (the value a customer brings per period)."""
    out = [str(o) for o, w in (value_per_outcome or {}).items() if float(w) == 1.0]
    return out + ([str(value_col)] if value_col else [])


def outcome_kinds(itt: pd.DataFrame) -> dict:
    """``{outcome: "binary" or "continuous"}`` from an effect table."""
    return dict(zip(itt["outcome"], itt["kind"]))


ITT_FIELDS = ("estimate", "ci_low", "ci_high", "p", "p_holm", "lift")
CUPED_FIELDS = ("estimate", "se", "variance_reduction")


def target_arm(itt: pd.DataFrame, outcome: str, chosen=None):
    """The arm of the targeting analyses: ``chosen`` if given (as text, e.g. ``1``), else the arm with the largest
    effect on ``outcome``."""
    arms = sorted(set(itt["arm"]), key=str)
    if chosen is not None and str(chosen).strip():
        arm = str(chosen).strip()
        if arm not in arms:
            raise ParameterError(f"parameter 'target_arm' = {arm!r} is not a treated arm; the treated arms: {arms}")
        return arm
    rows = itt[itt["outcome"] == outcome]
    if rows.empty:
        raise ParameterError(f"parameter 'uplift_outcome' = {outcome!r} is not among the outcomes "
                             f"{sorted(set(itt['outcome']))}")
    return rows.sort_values("estimate", ascending=False).iloc[0]["arm"]


# --------------------------------------------------------------------------- uplift and policy
def uplift_sample(exp: pd.DataFrame, arm_col: str, control, arm, covariates):
    """Customers of ``arm`` and control: ``(rows, X, treated)`` with ``X`` the covariates one-hot encoded
    (every level, float) and ``treated`` 0/1."""
    sub = exp[exp[arm_col].isin([control, arm])].reset_index(drop=True)
    X = pd.get_dummies(sub[list(covariates)], dtype=float)
    treated = (sub[arm_col] == arm).astype(int).to_numpy()
    return sub, X, treated


def learners(main: str, compare) -> list[str]:
    """The main learner first, then the comparison learners (the main one not repeated)."""
    return [main] + [name for name in compare if name != main]


def fit_uplift(X, treated, y, names, *, n_folds: int, seed):
    """Cross-fitted CATE scores, Qini curves and Qini areas of each learner in ``names``.

    Returns ``(scores, curves, qini)``: dicts learner -> scores / :func:`crmlab.uplift.qini_curve`
    frame, and a table ``learner, auuc, qini_random, qini_coefficient`` (one row per learner).
    """
    scores, curves, rows = {}, {}, []
    for name in names:
        scores[name] = up.cross_fit_cate(X, treated, y, learner=name, n_folds=n_folds, seed=seed)
        curves[name] = up.qini_curve(y, treated, scores[name])
        rows.append({"learner": name, **up.qini_summary(curves[name])})
    return scores, curves, pd.DataFrame(rows)


def uplift_record(qini: pd.DataFrame, qb: dict, learner: str, arm, outcome: str) -> dict:
    """The ``uplift`` record: the main learner's Qini areas (first row of ``qini``) and bootstrap interval."""
    head = qini.iloc[0]
    return {"auuc": head["auuc"], "qini_random": head["qini_random"], "qini_coefficient": head["qini_coefficient"],
            "qini_ci_low": qb["ci_low"], "qini_ci_high": qb["ci_high"], "learner": learner, "arm": str(arm),
            "outcome": outcome}


def customer_value(rows: pd.DataFrame, value_per_outcome: dict) -> np.ndarray:
    """Value per customer = sum over outcomes of ``value_per_outcome[outcome] * outcome``."""
    missing = [o for o in value_per_outcome if o not in rows.columns]
    if missing:
        raise DataError(f"parameter 'value_per_outcome' names column(s) {missing} that the experiment table does not "
                        f"have; its columns: {', '.join(map(str, rows.columns[:40]))}")
    return sum(float(v) * rows[o].to_numpy(dtype=float) for o, v in value_per_outcome.items())


def policy_record(pol) -> dict:
    """The ``policy`` record of a :class:`~crmlab.uplift.PolicyResult` (values per customer)."""
    ev = pol.everyone
    return {"best_k": pol.best_k, "net_value": pol.net_value, "ci_low": pol.ci_low, "ci_high": pol.ci_high,
            "everyone_net_value": ev.get("net_value"), "gain_vs_everyone": ev.get("gain_of_best"),
            "gain_ci_low": ev.get("gain_ci_low"), "gain_ci_high": ev.get("gain_ci_high"), "per": "customer"}


# --------------------------------------------------------------------------- time to churn
def km_record(km_at: pd.DataFrame) -> dict:
    """``{stratum: {time: S(time) or None}}`` from :meth:`~crmlab.survival.KMResult.survival_at`."""
    return {s: {str(tt): (None if pd.isna(v) else float(v)) for tt, v in row.items()} for s, row in km_at.iterrows()}


def logrank_record(lr) -> dict:
    """The ``survival.logrank`` record."""
    return {"chi2": lr.chi2, "p": lr.p, "df": lr.df}


def cox_data(df: pd.DataFrame, duration_col: str, event_col: str, durations, events) -> pd.DataFrame:
    """The table with its checked durations and 0/1 events in place (what :func:`crmlab.survival.cox_ph` takes)."""
    return df.assign(**{event_col: events, duration_col: durations})


def cox_records(cox) -> tuple[dict, dict]:
    """``(coefficients, PH-check p-values)`` by term: the ``survival.cox`` and ``survival.ph_check`` records
    (the check per covariate as R's ``cox.zph``, a factor as one term, and ``GLOBAL``)."""
    return (dict(zip(cox.summary["term"], cox.summary["coef"])), dict(zip(cox.ph_test["term"], cox.ph_test["p"])))


def rmst_record(rm: pd.DataFrame) -> dict:
    """``{group: {rmst, diff, ci_low, ci_high}}`` from :func:`crmlab.survival.rmst_difference`."""
    return {r.group: {"rmst": r.rmst, "diff": r.diff, "ci_low": r.ci_low, "ci_high": r.ci_high}
            for r in rm.itertuples()}


# --------------------------------------------------------------------------- churn early warning
def churn_features(df: pd.DataFrame, event_col: str, exclude=(), id_col: str | None = None,
                   reason_col: str | None = None) -> pd.DataFrame:
    """Predictors of the churn models: every column but the event, the ``exclude`` columns present, the id and
    the churn reason (known only once a customer has left: it would leak the outcome)."""
    drop = [event_col, *[c for c in exclude if c in df.columns], *([id_col] if id_col else []),
            *([reason_col] if reason_col else [])]
    return df.drop(columns=drop)


def best_metrics(churn) -> pd.Series:
    """The out-of-fold metrics of the chosen model of a :class:`~crmlab.churn.ChurnModelResult`."""
    return churn.metrics.set_index("model").loc[churn.best]


def churn_record(churn) -> dict:
    """The ``churn_model`` record: the chosen model's AUC (with its 95% DeLong interval), PR-AUC and Brier score."""
    bm = best_metrics(churn)
    return {"auc": bm["auc"], "pr_auc": bm["pr_auc"], "brier": bm["brier"], "model": churn.best,
            "auc_ci_low": bm["auc_ci_low"], "auc_ci_high": bm["auc_ci_high"]}


def customer_ids(df: pd.DataFrame, id_col: str | None = None) -> pd.Series:
    """Customer ids (``id_col``, or the row index); pseudonymised by the ranking before any table shows them."""
    return df[id_col] if id_col else df.index.to_series()


def value_at_stake(df: pd.DataFrame, value_col: str, horizon: float) -> np.ndarray:
    """Value a customer brings over ``horizon`` (``value_col`` per period x horizon)."""
    if value_col not in df.columns:
        raise DataError(f"parameter 'value_col' names column {value_col!r}, which the churn table does not have; its "
                        f"columns: {', '.join(map(str, df.columns[:40]))}")
    v = pd.to_numeric(df[value_col], errors="coerce")
    bad = np.flatnonzero(v.isna().to_numpy())
    if bad.size:
        from crmlab.core.errors import file_rows

        raise DataError(f"column {value_col!r} (parameter value_col) is empty or not a number at {file_rows(bad)}: "
                        "every customer needs a value per period")
    return v.to_numpy(dtype=float) * horizon
