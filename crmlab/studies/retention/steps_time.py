"""Steps of study 4 for the time-to-churn analyses added by issue #16: reading the proportional-hazards check
(which terms violate it and how their effect changes with tenure), churn by reason (cumulative incidence, Gray's
test, Fine-Gray beside cause-specific Cox) and parametric time to churn (Weibull and log-logistic AFT beside Cox,
expected remaining tenure); with the dicts recorded in ``results.json`` (``cox.ph_test``, ``competing_risks``,
``aft``). Re-exported by :mod:`crmlab.studies.retention.steps`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab import aft as aftm
from crmlab import competing_risks as cr
from crmlab import fine_gray as fg
from crmlab.core.errors import DataError


# --------------------------------------------------------------------------- proportional hazards
def ph_violations(ph_test: pd.DataFrame, alpha: float = 0.01) -> list[str]:
    """Terms (not ``GLOBAL``) whose proportional-hazards test has p < ``alpha``, smallest p first."""
    t = ph_test[(ph_test["term"] != "GLOBAL") & (ph_test["p"] < alpha)]
    return t.sort_values("p", kind="stable")["term"].tolist()


def ph_test_record(ph_test: pd.DataFrame, transform: str) -> dict:
    """The ``cox.ph_test`` record: ``{term: {chisq, df, p}}`` with ``GLOBAL``, and the time ``transform``."""
    out = {r.term: {"chisq": float(r.chisq), "df": int(r.df), "p": float(r.p)} for r in ph_test.itertuples()}
    return {**out, "transform": transform}


def ph_trends(zph, terms) -> pd.DataFrame:
    """How each term's effect moves with time: mean scaled Schoenfeld residual (an estimate of the effect
    :math:`\\beta(t)`) over the first and the last third of the events, beside the fitted average.

    Returns ``term, kind, early, late, average, early_until, late_from``: ``kind`` is ``"coef"`` for a one-column
    term (values are log hazard ratios) and ``"multiplier"`` for a factor on several columns (values are its
    effect relative to its average, 1 = average, as R's ``cox.zph`` scales it); ``early_until`` is the last time
    of the first third of events, ``late_from`` the first time of the last third.
    """
    r = zph.residuals.sort_values("time", kind="stable").reset_index(drop=True)
    k = max(1, len(r) // 3)
    early, late = r.iloc[:k], r.iloc[-k:]
    rows = []
    for term in terms:
        multi = term not in zph.coef.index  # a factor on several design columns
        rows.append({"term": term, "kind": "multiplier" if multi else "coef",
                     "early": float(np.nanmean(early[term])), "late": float(np.nanmean(late[term])),
                     "average": float(zph.centre[term]), "early_until": float(early["time"].max()),
                     "late_from": float(late["time"].min())})
    return pd.DataFrame(rows, columns=["term", "kind", "early", "late", "average", "early_until", "late_from"])


# --------------------------------------------------------------------------- competing risks
@dataclass
class ReasonData:
    """Churn by reason ready for the estimators: ``data`` with ``duration``, ``status`` (the reason, or
    ``censor_value`` for customers still here), ``group`` and the ``covariates``; ``sim`` holds the simulated truth
    when the table has no reasons (``simulated``)."""
    data: pd.DataFrame
    covariates: list
    censor_value: str
    simulated: bool
    group_col: str
    sim: object = field(default=None, repr=False)

    @property
    def causes(self) -> list:
        """The churn reasons, sorted."""
        return sorted(set(self.data["status"]) - {self.censor_value})

    @property
    def events(self) -> dict:
        """Churn events per reason."""
        return {c: int((self.data["status"] == c).sum()) for c in self.causes}


def reason_data(surv_df: pd.DataFrame, durations, events, reason_col: str | None, strata_col: str | None,
                covariates, *, n_simulated: int, seed) -> ReasonData:
    """Churn reasons from ``reason_col`` (one per churned customer), or simulated data with known cause-specific
    hazards (:func:`crmlab.simulate.competing_risks.simulate_competing_risks`) when the table has none."""
    if not reason_col:
        from crmlab.simulate.competing_risks import simulate_competing_risks

        sim = simulate_competing_risks(int(n_simulated), seed=seed)
        d = sim.data
        data = pd.DataFrame({"duration": d["tenure"], "status": d["reason"], "group": d["contract"],
                             "contract": d["contract"], "senior": d["senior"], "charges": d["charges"]})
        return ReasonData(data, ["contract", "senior", "charges"], "none", True, "contract", sim)
    if reason_col not in surv_df.columns:
        raise DataError(f"reason_col {reason_col!r} not found in the churn table; columns are {list(surv_df.columns)}")
    reason = surv_df[reason_col]
    ev = np.asarray(events) == 1
    gone = ev & (reason.isna().to_numpy() | (reason.astype(str).str.strip() == "").to_numpy())
    if gone.any():
        rows = (np.flatnonzero(gone)[:5] + 1).tolist()
        raise DataError(f"reason_col {reason_col!r} is empty for {int(gone.sum())} churned customers (rows {rows}, "
                        "1-based); every churned customer needs a reason")
    censor = "(still a customer)"
    status = np.where(ev, reason.astype(str).str.strip().to_numpy(), censor)
    group = surv_df[strata_col].astype(str).to_numpy() if strata_col else np.full(len(surv_df), "all")
    data = pd.concat([pd.DataFrame({"duration": np.asarray(durations, dtype=float), "status": status,
                                    "group": group}, index=surv_df.index), surv_df[list(covariates)]], axis=1)
    return ReasonData(data.reset_index(drop=True), list(covariates), censor, False, strata_col or "group")


def cif_run(rd: ReasonData):
    """Aalen-Johansen cumulative incidence of each reason per group with Gray's test
    (:func:`crmlab.competing_risks.cumulative_incidence`)."""
    d = rd.data
    return cr.cumulative_incidence(d["duration"], d["status"], d["group"], censor_value=rd.censor_value)


def cr_regression(rd: ReasonData, *, level: float) -> pd.DataFrame:
    """Cause-specific Cox and Fine-Gray for every reason, side by side in one row per reason and term:
    ``cause, term, hr, hr_ci_low, hr_ci_high, hr_p, shr, shr_ci_low, shr_ci_high, shr_p`` and, for simulated data,
    ``hr_true`` (the generator's cause-specific hazard ratio)."""
    long = fg.competing_risks_regression(rd.data, "duration", "status", rd.covariates, censor_value=rd.censor_value,
                                         level=level)
    parts = []
    for model, pre in (("cause_specific", "hr"), ("fine_gray", "shr")):
        t = long[long["model"] == model].set_index(["cause", "term"])[["ratio", "ci_low", "ci_high", "p"]]
        parts.append(t.set_axis([pre, f"{pre}_ci_low", f"{pre}_ci_high", f"{pre}_p"], axis=1))
    out = pd.concat(parts, axis=1).reset_index()
    if rd.simulated:
        out.insert(2, "hr_true", [float(np.exp(rd.sim.truth[c][t])) for c, t in zip(out["cause"], out["term"])])
    return out


def _time_key(t) -> str:
    return str(int(t)) if float(t).is_integer() else str(t)


def competing_record(rd: ReasonData, ci, reg: pd.DataFrame, times) -> dict:
    """The ``competing_risks`` record: data source, customers and events per reason, Gray's test per reason,
    cumulative incidence per group, reason and time, and the regression side by side (with the truth when
    simulated)."""
    at = ci.at(times)
    cif = {}
    for r in at.itertuples():
        cif.setdefault(r.group, {}).setdefault(r.cause, {})[_time_key(r.time)] = None if pd.isna(r.cif) else r.cif
    fields = [c for c in reg.columns if c not in ("cause", "term")]
    regression = {}
    for r in reg.to_dict("records"):
        regression.setdefault(r["cause"], {})[r["term"]] = {f: r[f] for f in fields}
    return {"data": "simulated" if rd.simulated else "observed", "n": len(rd.data),
            "events": rd.events,
            "gray": {r.cause: {"stat": r.stat, "df": int(r.df), "p": r.p} for r in ci.tests.itertuples()},
            "cif": cif, "regression": regression}


def cif_table(ci, times, rd: ReasonData) -> pd.DataFrame:
    """Cumulative incidence per group, reason and time (``group, cause, time, cif, se``), with the generator's true
    value ``cif_true`` beside it for simulated data."""
    at = ci.at(times)
    truth = true_cif(rd, times)
    if truth is not None:
        at = at.merge(truth.rename(columns={"cif": "cif_true"}), on=["group", "cause", "time"], how="left")
    return at.drop(columns="var")


def true_cif(rd: ReasonData, times=None) -> pd.DataFrame | None:
    """The generator's true cumulative incidence per group and reason (None for observed data):
    ``group, cause, time, cif``, on ``times`` (default 0 to the longest follow-up in 60 steps)."""
    if not rd.simulated:
        return None
    if times is None:
        times = np.linspace(0.0, float(rd.data["duration"].max()), 61)
    rows = [pd.DataFrame({"group": g, "cause": c, "time": np.asarray(times, dtype=float),
                          "cif": rd.sim.true_cif(times, c, g)})
            for g in sorted(rd.data["group"].unique()) for c in rd.causes]
    return pd.concat(rows, ignore_index=True)


# --------------------------------------------------------------------------- parametric time to churn
AFT_DISTS = ("weibull", "loglogistic")


def aft_models(df: pd.DataFrame, duration_col: str, event_col: str, covariates, *, level: float) -> dict:
    """Weibull and log-logistic AFT models (:class:`crmlab.aft.AFTModel`) on the Cox model's covariates."""
    return {d: aftm.AFTModel(d, level=level).fit(df, duration_col, event_col, covariates) for d in AFT_DISTS}


def aft_comparison(models: dict, cox) -> pd.DataFrame:
    """Cox and the AFT models side by side: ``model, likelihood, n, loglik, aic, concordance, shape``.

    AIC compares the AFT models with each other (full likelihood); Cox's partial likelihood is on another scale,
    so its AIC is left empty and only the concordance compares it with them.
    """
    rows = [{"model": "cox", "likelihood": "partial", "n": len(cox.model.durations),
             "loglik": float(cox.model.log_likelihood_), "aic": np.nan, "concordance": cox.concordance,
             "shape": np.nan}]
    for d, m in models.items():
        rows.append({"model": d, "likelihood": "full", "n": m.n_, "loglik": m.loglik_, "aic": m.aic_,
                     "concordance": m.concordance_, "shape": m.shape_})
    return pd.DataFrame(rows)


def best_aft(models: dict) -> str:
    """The AFT distribution with the smallest AIC."""
    return min(models, key=lambda d: models[d].aic_)


def aft_coefficients(models: dict, cox) -> pd.DataFrame:
    """Per term: Cox hazard ratio, the hazard ratio the Weibull model implies (time ratio to the power -shape:
    the Weibull AFT is also a proportional-hazards model) and each model's time ratio (> 1: churn later).

    Columns ``term, hr, hr_weibull, time_ratio_weibull, time_ratio_loglogistic``.
    """
    out = cox.summary[["term", "hr"]].copy()
    for d, m in models.items():
        tr = np.exp(m.coef_.drop("Intercept"))
        out[f"time_ratio_{d}"] = out["term"].map(tr)
        if d == "weibull":
            out["hr_weibull"] = out["term"].map(tr ** (-m.shape_))
    return out[["term", "hr", "hr_weibull", *[f"time_ratio_{d}" for d in models]]]


def remaining_table(models: dict, df: pd.DataFrame, duration_col: str, event_col: str, segment_col: str, *,
                    horizon: float) -> pd.DataFrame:
    """Mean expected remaining tenure within ``horizon`` of the active customers per segment, for each model:
    ``segment, n_active, mean_tenure, remaining_weibull, remaining_loglogistic``."""
    out = None
    for d, m in models.items():
        r = aftm.remaining_tenure_by_segment(m, df, duration_col, event_col, segment_col, horizon=horizon)
        r = r[["segment", "n_active", "mean_tenure", "mean_remaining"]].rename(
            columns={"mean_remaining": f"remaining_{d}"})
        out = r if out is None else out.merge(r[["segment", f"remaining_{d}"]], on="segment")
    return out


def aft_record(models: dict, comparison: pd.DataFrame, coefs: pd.DataFrame, remaining: pd.DataFrame,
               horizon: float) -> dict:
    """The ``aft`` record: fit of each model (and Cox's concordance), the best AFT by AIC, time ratios by term,
    and the expected remaining tenure per segment within ``horizon``."""
    comp = comparison.set_index("model")
    return {"horizon": horizon, "best": best_aft(models),
            "models": {d: {"loglik": comp.loc[d, "loglik"], "aic": comp.loc[d, "aic"],
                           "concordance": comp.loc[d, "concordance"], "shape": comp.loc[d, "shape"]}
                       for d in models},
            "cox_concordance": comp.loc["cox", "concordance"],
            "time_ratio": {d: dict(zip(coefs["term"], coefs[f"time_ratio_{d}"])) for d in models},
            "hr_weibull": dict(zip(coefs["term"], coefs["hr_weibull"])),
            "remaining": {r["segment"]: {"n_active": r["n_active"], "mean_tenure": r["mean_tenure"],
                                         **{d: r[f"remaining_{d}"] for d in models}}
                          for r in remaining.to_dict("records")}}


# --------------------------------------------------------------------------- contractual renewals (sBG)
@dataclass
class SbgResult:
    """Shifted-beta-geometric fits per group: ``table`` (one row per fitted group), ``not_fitted`` (group -> why:
    ``reason`` with the churn per period over the first and the second half of the periods observed),
    ``curves`` (observed share still a customer per group and period beside the model's, NaN where not fitted)
    and the ``discount_rate`` per period of the DERL."""
    table: pd.DataFrame
    not_fitted: dict
    curves: pd.DataFrame
    discount_rate: float
    models: dict = field(default_factory=dict, repr=False)


def _churn_halves(st: pd.DataFrame) -> tuple[float, float]:
    """Churn per period at risk over the first and the second half of the periods of a survivor table."""
    body = st.iloc[1:]
    half = max(1, len(body) // 2)
    first, second = body.iloc[:half], body.iloc[half:]

    def rate(b):
        return float(b["churned"].sum() / b["at_risk"].sum()) if b["at_risk"].sum() > 0 else float("nan")
    return rate(first), rate(second)


def sbg_fits(durations, events, groups, *, discount_rate: float, values=None) -> SbgResult:
    """The contractual sBG model (:class:`crmlab.clv.sbg.ShiftedBetaGeometric`) fitted per group on right-censored
    whole-period durations, where it can be.

    For each group: the observed life table (:func:`crmlab.clv.sbg.survivor_table`); the fit (alpha, beta with
    their standard errors, log-likelihood, first-period retention ``beta / (alpha + beta)``); the DERL of a new
    customer at ``discount_rate`` per period and, with ``values`` (value per period of each customer), the
    ``residual_value`` of the group's active customers: the sum over them of DERL (given the periods each has
    survived) times their value per period. A group whose fit does not converge (churn that does not fall with
    tenure: the sBG can only let renewal become more likely as the customers most prone to leave go first) or
    that has no churn is listed in ``not_fitted`` with the reason and its churn per period over the first and
    second half of the periods observed.
    """
    from crmlab.clv.sbg import ShiftedBetaGeometric, survivor_table
    from crmlab.core.errors import ConvergenceError

    t = np.asarray(durations, dtype=float)
    ev = np.asarray(events, dtype=int)
    g = np.asarray(groups).astype(str)
    v = None if values is None else np.asarray(values, dtype=float)
    rows, not_fitted, curves, models = [], {}, [], {}
    for grp in sorted(pd.unique(g), key=str):
        m = g == grp
        st = survivor_table(t[m], ev[m])
        early, late = _churn_halves(st)
        curve = pd.DataFrame({"group": grp, "period": st.index.to_numpy(), "observed": st["survival"].to_numpy(),
                              "fitted": np.nan})
        try:
            fit = ShiftedBetaGeometric().fit(t[m], ev[m])
        except ConvergenceError:
            not_fitted[grp] = {"reason": "churn_rises_with_tenure" if late > early else "no_convergence",
                               "churn_early": early, "churn_late": late}
            curves.append(curve)
            continue
        except DataError:
            not_fitted[grp] = {"reason": "no_churn" if ev[m].sum() == 0 else "too_few", "churn_early": early,
                               "churn_late": late}
            curves.append(curve)
            continue
        models[grp] = fit
        a, b = fit.params_["alpha"], fit.params_["beta"]
        curve["fitted"] = fit.survival(curve["period"].to_numpy())
        curves.append(curve)
        active = m & (ev == 0)
        residual = np.nan
        if v is not None and active.any():
            residual = float(np.sum(fit.derl(discount_rate, renewals=t[active]) * v[active]))
        rows.append({"group": grp, "customers": int(m.sum()), "churned": int(ev[m].sum()), "alpha": float(a),
                     "alpha_se": float(fit.se_["alpha"]), "beta": float(b), "beta_se": float(fit.se_["beta"]),
                     "retention_1": float(b / (a + b)), "loglik": float(fit.loglik_),
                     "derl": float(fit.derl(discount_rate)), "active": int(active.sum()),
                     "residual_value": residual, "churn_early": early, "churn_late": late})
    cols = ["group", "customers", "churned", "alpha", "alpha_se", "beta", "beta_se", "retention_1", "loglik", "derl",
            "active", "residual_value", "churn_early", "churn_late"]
    return SbgResult(pd.DataFrame(rows, columns=cols), not_fitted, pd.concat(curves, ignore_index=True),
                     float(discount_rate), models)


def sbg_compare(res: SbgResult, times) -> pd.DataFrame:
    """Observed and fitted share still a customer of each fitted group at ``times`` (those within the periods
    observed): ``group, time, observed, fitted``."""
    c = res.curves.dropna(subset=["fitted"])
    keep = c[c["period"].isin([int(x) for x in times])]
    return keep.rename(columns={"period": "time"})[["group", "time", "observed", "fitted"]].reset_index(drop=True)


def sbg_record(res: SbgResult) -> dict:
    """The ``sbg`` record: ``{group: {alpha, beta, loglik, retention_1, derl, alpha_se, beta_se, customers, churned,
    residual_value}}`` for the fitted groups, ``not_fitted`` (group -> reason and churn per period over the first
    and second half of the periods observed) and the ``discount_rate`` per period."""
    out = {r["group"]: {k: r[k] for k in ("alpha", "beta", "loglik", "retention_1", "derl", "alpha_se", "beta_se",
                                          "customers", "churned", "residual_value")}
           for r in res.table.to_dict("records")}
    return {**out, "not_fitted": res.not_fitted, "discount_rate": res.discount_rate}
