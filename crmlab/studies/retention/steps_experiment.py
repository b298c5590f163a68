"""Steps of study 4 for the experiment analyses added by issue #16: sequential monitoring with always-valid
confidence sequences, ratio metrics by the delta method (with CUPED), and budgeted targeting evaluated on
held-out folds; with the dicts each result is recorded under in ``results.json`` (``sequential``, ``ratio``,
``budget_policy``). Re-exported by :mod:`crmlab.studies.retention.steps`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab import ratio_metrics as rm
from crmlab import sequential as sq
from crmlab import targeting as tg
from crmlab.core.errors import DataError, ParameterError


# --------------------------------------------------------------------------- sequential monitoring
@dataclass
class Arrivals:
    """When each customer entered the experiment: ``days`` (one per row), ``simulated`` (no arrival column in the
    data: uniform days drawn with the seed), ``n_looks`` (distinct arrival times = daily looks) and ``column``."""
    days: np.ndarray
    simulated: bool
    n_looks: int
    column: str | None = None


def arrivals(exp: pd.DataFrame, arrival_col: str | None, monitoring_days: int, seed) -> Arrivals:
    """Arrival day of each customer: the ``arrival_col`` values, or (None) simulated days 1..``monitoring_days``.

    Without an arrival column the days are drawn uniformly with ``seed``: as assignment is random and the outcome
    does not depend on the order of arrival, this is one history the experiment could have had (its looks show
    what daily monitoring would have shown, not what happened).
    """
    if arrival_col:
        if arrival_col not in exp.columns:
            raise DataError(f"arrival_col {arrival_col!r} not found in the experiment table; columns are "
                            f"{list(exp.columns)}")
        col = exp[arrival_col]
        if col.isna().any():
            rows = (np.flatnonzero(col.isna().to_numpy())[:5] + 1).tolist()
            raise DataError(f"arrival_col {arrival_col!r} is missing at rows {rows} (1-based; "
                            f"{int(col.isna().sum())} rows)")
        return Arrivals(col.to_numpy(), False, int(col.nunique()), arrival_col)
    if int(monitoring_days) < 2:
        raise ParameterError(f"monitoring_days must be at least 2, got {monitoring_days}")
    days = np.random.default_rng(seed).integers(1, int(monitoring_days) + 1, len(exp))
    return Arrivals(days, True, int(monitoring_days))


def sequential_effects(exp: pd.DataFrame, arm_col: str, control, outcomes, binary_outcomes, arrival: Arrivals, *,
                       level: float) -> dict:
    """Confidence sequence of every arm vs control on each outcome (:func:`crmlab.sequential.confidence_sequence`),
    one look per arrival day: ``{outcome: SequentialResult}``."""
    df = exp[[arm_col, *outcomes]].assign(__day=arrival.days)
    return {o: sq.confidence_sequence(df, arm_col, control, o, "__day", binary=o in set(binary_outcomes),
                                      level=level) for o in outcomes}


SEQ_FIELDS = ("first_look", "first_time", "n_at_first_look", "naive_first_look", "estimate", "ci_low", "ci_high",
              "fixed_ci_low", "fixed_ci_high", "fixed_p", "p_anytime", "width_ratio")


def sequential_summary(results: dict) -> pd.DataFrame:
    """One row per outcome and arm: the first look whose confidence sequence excludes 0 (``first_time``: its day),
    the first look of naive repeated testing, and the last look's CS beside the fixed-horizon interval."""
    return pd.concat([r.summary().assign(outcome=o) for o, r in results.items()], ignore_index=True)[
        ["outcome", "arm", "n_looks", *SEQ_FIELDS]]


def aa_outcome(outcomes, binary_outcomes) -> tuple[str, bool]:
    """The outcome of the A/A simulation: the first binary outcome (a rate), else the first outcome (a mean);
    returns ``(outcome, binary)``."""
    binary = [o for o in outcomes if o in set(binary_outcomes)]
    return (binary[0], True) if binary else (outcomes[0], False)


def aa_simulation(exp: pd.DataFrame, arm_col: str, control, arm, outcome: str, binary: bool, n_looks: int,
                  n_reps: int, *, level: float, seed) -> dict | None:
    """Type I error under daily looks in A/A experiments shaped like this one (None when ``n_reps`` is 0).

    Each simulated experiment has ``n_looks`` looks, the customers of ``arm`` and the control spread evenly over
    them, the share treated of the real experiment, and an outcome with the control arm's rate (binary) or mean
    and standard deviation; :func:`crmlab.sequential.sequential_error_rates` with no effect.
    """
    if not n_reps:
        return None
    sub = exp[exp[arm_col].isin([control, arm])]
    y = sub[outcome].to_numpy(dtype=float)
    ctl = sub[arm_col].to_numpy() == control
    n_pair = len(sub)
    shape = dict(outcome="binary", p_control=float(y[ctl].mean())) if binary else dict(
        outcome="normal", mean_control=float(y[ctl].mean()), sd=float(y[ctl].std(ddof=1)))
    res = sq.sequential_error_rates(int(n_reps), int(n_looks), max(1, round(n_pair / n_looks)),
                                    share_treated=float(1 - ctl.mean()), level=level, seed=seed, **shape)
    return {**res, "outcome_name": outcome, "arm": str(arm), "base": shape.get("p_control", shape.get("mean_control"))}


def aa_table(aa: dict) -> pd.DataFrame:
    """The A/A error rates as a table: ``method`` (confidence_sequence, naive_daily, fixed_end), ``error`` and its
    Monte Carlo standard error ``mc_se``."""
    return pd.DataFrame({"method": ["confidence_sequence", "naive_daily", "fixed_end"],
                         "error": [aa["cs_error"], aa["naive_error"], aa["fixed_error"]],
                         "mc_se": [np.sqrt(e * (1 - e) / aa["n_reps"]) for e in
                                   (aa["cs_error"], aa["naive_error"], aa["fixed_error"])]})


def sequential_record(summary: pd.DataFrame, arrival: Arrivals, aa: dict | None, level: float) -> dict:
    """The ``sequential`` record: how arrivals were obtained, the looks, per ``"arm|outcome"`` the first day the CS
    excludes 0 (None: never) and the final CS beside the fixed-horizon interval, and the A/A error rates."""
    effects = {f"{r['arm']}|{r['outcome']}": {f: (None if pd.isna(r[f]) else r[f]) for f in SEQ_FIELDS}
               for r in summary.to_dict("records")}
    out = {"arrival": "simulated" if arrival.simulated else arrival.column, "n_looks": arrival.n_looks,
           "level": level, "effects": effects}
    if aa is not None:
        out["aa"] = {k: aa[k] for k in ("cs_error", "naive_error", "fixed_error", "mc_se", "n_reps", "n_looks",
                                        "n_per_look", "outcome")}
    return out


# --------------------------------------------------------------------------- ratio metrics
def parse_ratios(ratio_metrics) -> list[tuple[str, str]]:
    """``(numerator, denominator)`` pairs from ``"numerator/denominator"`` texts (or two-item lists)."""
    out = []
    for m in ratio_metrics or []:
        parts = list(m) if isinstance(m, (list, tuple)) else str(m).split("/")
        parts = [str(p).strip() for p in parts]
        if len(parts) != 2 or not all(parts):
            raise ParameterError(f"ratio_metrics: {m!r} is not 'numerator/denominator' (for example 'spend/visit')")
        out.append((parts[0], parts[1]))
    return out


def ratio_table(exp: pd.DataFrame, arm_col: str, control, ratios, covariates, *, level: float) -> pd.DataFrame:
    """Delta-method effect of every arm on each ratio (:func:`crmlab.ratio_metrics.ratio_effects`), CUPED-adjusted
    on the numeric pre-period ``covariates``; one row per ratio and arm, ``metric`` = ``"numerator/denominator"``."""
    rows = []
    for num, den in ratios:
        missing = [c for c in (num, den) if c not in exp.columns]
        if missing:
            raise DataError(f"ratio_metrics: {num}/{den} names column(s) {missing} not in the experiment table; "
                            f"columns are {list(exp.columns)}")
        t = rm.ratio_effects(exp, arm_col, control, num, den, covariates=list(covariates), level=level)
        rows.append(t.assign(metric=f"{num}/{den}", numerator=num, denominator=den))
    out = pd.concat(rows, ignore_index=True)
    return out[["metric", "numerator", "denominator", *[c for c in out.columns
                                                         if c not in ("metric", "numerator", "denominator")]]]


RATIO_FIELDS = ("ratio_control", "ratio_treated", "estimate", "ci_low", "ci_high", "p", "lift", "lift_ci_low",
                "lift_ci_high", "estimate_unadjusted", "se_unadjusted", "variance_reduction")


def ratio_record(table: pd.DataFrame) -> dict:
    """The ``ratio`` record: ``{"<arm>|<numerator>/<denominator>": {field: value}}``."""
    return {f"{r['arm']}|{r['metric']}": {f: r[f] for f in RATIO_FIELDS} for r in table.to_dict("records")}


# --------------------------------------------------------------------------- budgeted targeting
def value_scores(X, treated, value, *, learner: str, n_folds: int, seed):
    """Cross-fitted predicted incremental value (money) per customer and the fold of each customer
    (:func:`crmlab.targeting.cross_fit_scores`): the ranking a budgeted policy needs, in the units of the cost."""
    return tg.cross_fit_scores(X, treated, value, learner=learner, n_folds=n_folds, seed=int(seed))


def budget_run(value, treated, score, folds, *, cost: float, budget=None, n_contacts=None, level: float,
               n_points: int = 21):
    """The policy for ``budget`` (or ``n_contacts``) and the net value / ROI curve across budgets, both evaluated
    fold by fold on held-out scores and contacting only customers whose predicted net value is positive.

    Returns ``(policy, curve)``: a :class:`~crmlab.targeting.BudgetPolicy` (totals over the customers of the
    sample) and the :func:`~crmlab.targeting.budget_curve` table, whose budgets run from 0 to the cost of
    contacting everyone and include the policy's own.
    """
    policy = tg.budget_policy(value, treated, score, cost=cost, budget=budget, n_contacts=n_contacts, folds=folds,
                              level=level, only_positive=True)
    grid = np.unique(np.r_[np.linspace(0.0, cost * len(value), n_points), policy.cost])
    curve = tg.budget_curve(value, treated, score, cost=cost, folds=folds, budgets=grid, level=level,
                            only_positive=True)
    return policy, curve


def budget_record(policy, curve: pd.DataFrame, learner: str) -> dict:
    """The ``budget_policy`` record: the policy's budget, contacts, cost, held-out net value with its interval and
    ROI (totals over the sample), the value model, and the budget of the curve's largest net value."""
    best = curve.loc[curve["net_value"].idxmax()]
    return {"budget": policy.budget, "n_contacts": int(round(policy.n_contacts)),
            "share_contacted": policy.share_contacted,
            "cost": policy.cost, "incremental_value": policy.incremental_value, "net_value": policy.net_value,
            "ci_low": policy.ci_low, "ci_high": policy.ci_high, "roi": policy.roi, "level": policy.level,
            "value_learner": learner, "curve_best_budget": best["budget"], "curve_best_net_value": best["net_value"],
            "per": "total"}
