"""Time to churn: Kaplan-Meier, log-rank, Cox proportional hazards, RMST.

Kaplan-Meier, the log-rank test and the restricted mean survival time are
computed here from sufficient statistics (distinct times, numbers at risk and
events); the Cox model is fitted with lifelines (Efron ties, as R's
``survival::coxph``), its coefficients polished by exact Newton steps, and checked with the
Grambsch-Therneau test as R's ``cox.zph`` computes it (:mod:`crmlab.ph_test`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.core.errors import ConvergenceError, DataError, ParameterError, file_rows
from crmlab.core.levels import alpha_of as _alpha

__all__ = [
    "CoxResult",
    "KMResult",
    "LogrankResult",
    "check_survival",
    "cox_ph",
    "encode_event",
    "kaplan_meier",
    "logrank_test",
    "rmst",
    "rmst_difference",
]


# --------------------------------------------------------------------------- validation
def _key(v) -> str:
    """A value as written (stripped, case-folded; ``1.0`` as ``1``) for matching declared labels."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        v = int(v)
    return str(v).strip().casefold()


def encode_event(values, *, event_values=None, censor_values=None, column="event", source=None):
    """Map an event column to 0/1, refusing values that are neither an event nor a censoring label.

    With ``event_values`` and ``censor_values`` None the labels are recognised as exports write them:
    booleans, 1/0, ``Yes/No``, ``是/否``, ``Y/N``, ``true/false`` (any case;
    :func:`crmlab.experiments.binary_codes`). Declared labels are matched as written (stripped, any case;
    ``1`` matches ``"1"`` and ``1.0``); numeric 0/1 or booleans pass whatever is declared when the declared
    labels do not occur (a 0/1 column under the default ``Yes``/``No`` declaration).

    Raises
    ------
    DataError
        Missing values or unknown labels, naming the column and the rows as numbered in the file
        (:func:`crmlab.core.errors.file_rows`) and the parameters ``event_values`` / ``censor_values``.
    """
    from crmlab.experiments import NO_VALUES, YES_VALUES, binary_codes

    s = pd.Series(values).reset_index(drop=True)
    where = f"{source}: " if source else ""
    na = s.isna().to_numpy()
    if na.any():
        pos = np.flatnonzero(na)
        raise DataError(f"{where}event column {column!r} is empty at {file_rows(pos)} ({pos.size} in all); every "
                        "customer needs a churn label")
    if event_values is None and censor_values is None:
        res = binary_codes(s)
        if res is not None:
            return res[0].astype(int)
        known = f"{list(YES_VALUES)} for churn and {list(NO_VALUES)} for still a customer"
        keys = s.map(_key)
        bad = np.flatnonzero(~keys.isin(set(YES_VALUES) | set(NO_VALUES)).to_numpy())
        raise DataError(f"{where}event column {column!r} holds labels that are neither recognised event nor "
                        f"censoring labels ({known}): {list(dict.fromkeys(s.iloc[bad]))[:5]} at {file_rows(bad)}; "
                        "name them with the parameters event_values and censor_values")
    ev = {_key(v) for v in (event_values or ())}
    ce = {_key(v) for v in (censor_values or ())}
    both = ev & ce
    if both:
        raise DataError(f"{where}event_values and censor_values share {sorted(both)}")
    keys = s.map(_key)
    ok = keys.isin(ev | ce).to_numpy()
    zero_one = pd.api.types.is_bool_dtype(s) or (pd.api.types.is_numeric_dtype(s) and s.isin([0, 1]).all())
    if not ok.all() and zero_one and not keys.isin(ev | ce).any():
        return s.astype(int).to_numpy()
    if not ok.all():
        bad = np.flatnonzero(~ok)
        declared_ev, declared_ce = [str(v) for v in event_values or ()], [str(v) for v in censor_values or ()]
        raise DataError(f"{where}event column {column!r} holds values other than the declared event {declared_ev} "
                        f"and censoring {declared_ce} labels: {list(dict.fromkeys(s.iloc[bad]))[:5]} at "
                        f"{file_rows(bad)} (parameters event_values and censor_values)")
    return keys.isin(ev).astype(int).to_numpy()


def check_survival(df, duration_col, event_col, *, event_values=None, censor_values=None, strata_col=None,
                   source="survival data"):
    """Validate a time-to-event table; return (durations, events 0/1, strata or None).

    Raises :class:`DataError` naming the column and the rows as numbered in the file
    (:func:`crmlab.core.errors.file_rows`) for missing columns, negative / missing / non-numeric
    durations, event labels that are neither events nor censorings (:func:`encode_event`) and
    missing strata.
    """
    cols = [duration_col, event_col] + ([strata_col] if strata_col else [])
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"{source}: column(s) {missing} not found; columns are {list(df.columns)}")
    d = pd.to_numeric(df[duration_col], errors="coerce")
    bad = np.flatnonzero(d.isna().to_numpy())
    if bad.size:
        raise DataError(f"{source}: duration column {duration_col!r} is missing or not numeric at {file_rows(bad)} "
                        f"(values {list(df[duration_col].iloc[bad[:5]])})")
    neg = np.flatnonzero((d < 0).to_numpy())
    if neg.size:
        raise DataError(f"{source}: duration column {duration_col!r} is negative at {file_rows(neg)} "
                        f"(values {list(d.iloc[neg[:5]])})")
    e = encode_event(df[event_col], event_values=event_values, censor_values=censor_values, column=event_col,
                     source=source)
    g = None
    if strata_col:
        g = df[strata_col]
        gone = np.flatnonzero(g.isna().to_numpy())
        if gone.size:
            raise DataError(f"{source}: strata column {strata_col!r} is missing at {file_rows(gone)}")
        g = g.astype(str).to_numpy()
    return d.to_numpy(dtype=float), e, g


def _as_arrays(durations, events, groups=None):
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=float)
    if t.shape != e.shape or t.ndim != 1:
        raise DataError("durations and events must be 1-d and of equal length")
    if np.isnan(t).any() or (t < 0).any():
        rows = np.flatnonzero(np.isnan(t) | (t < 0))[:5]
        raise DataError(f"durations must be non-negative and present; bad rows {rows.tolist()}")
    if not np.isin(e, [0, 1]).all():
        rows = np.flatnonzero(~np.isin(e, [0, 1]))[:5]
        raise DataError(f"events must be 0/1; bad rows {rows.tolist()} hold {e[rows].tolist()}")
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != t.shape:
            raise DataError("groups must have the same length as durations")
        na = pd.isna(groups)
        if na.any():
            raise DataError(f"groups are missing at rows {np.flatnonzero(na)[:5].tolist()}")
    return t, e, groups


def _codes(x):
    """Sorted distinct values and integer codes (hash-based, faster than np.unique)."""
    codes, uniques = pd.factorize(np.asarray(x), sort=True)
    return np.asarray(uniques), codes


def _risk_table(t, e):
    """Distinct times with n at risk, events and censorings (sufficient statistics)."""
    times, inv = _codes(t)
    d = np.bincount(inv, weights=e, minlength=times.size)
    c = np.bincount(inv, minlength=times.size) - d
    n = t.size - np.concatenate([[0], np.cumsum(d + c)[:-1]])
    return times, n, d, c


# --------------------------------------------------------------------------- Kaplan-Meier
@dataclass
class KMResult:
    """Kaplan-Meier curves; ``table`` holds one row per stratum and distinct time, ``summary`` one row
    per stratum (``stratum, n, events, median, median_ci_low, median_ci_high``)."""
    table: pd.DataFrame
    level: float
    conf_type: str
    summary: pd.DataFrame = field(repr=False)

    def survival_at(self, times) -> pd.DataFrame:
        """S(t) (right-continuous step function) per stratum; rows = strata, columns = times."""
        out = {}
        for s, g in self.table.groupby("stratum", sort=False):
            idx = np.searchsorted(g["time"].to_numpy(), np.asarray(times, dtype=float), side="right") - 1
            surv = np.where(idx >= 0, g["survival"].to_numpy()[np.maximum(idx, 0)], 1.0)
            last = g["time"].max()
            surv = np.where(np.asarray(times) > last, np.nan if g["survival"].iloc[-1] > 0 else 0.0, surv)
            out[s] = surv
        return pd.DataFrame(out, index=list(times)).T


def kaplan_meier(durations, events, groups=None, *, level=0.95, conf_type="log"):
    """Kaplan-Meier estimate with Greenwood standard errors and pointwise bands at confidence ``level``,
    per stratum.

    Notes
    -----
    :math:`\\hat S(t) = \\prod_{t_i \\le t} (1 - d_i/n_i)`;
    Greenwood: :math:`\\widehat{Var}(\\log \\hat S) = \\sum_{t_i\\le t} d_i/(n_i(n_i-d_i))`.
    ``conf_type="log"`` (R ``survfit`` default):
    :math:`\\hat S \\exp(\\pm z\\,\\sigma)` capped at 1; ``"log-log"``:
    :math:`\\hat S^{\\exp(\\pm z \\sigma / \\log \\hat S)}`; ``"plain"``.
    ``std_err`` is the standard error of :math:`\\hat S` (as in
    ``summary.survfit``). Median: first time with :math:`\\hat S \\le 0.5`;
    its limits are where the confidence bands cross 0.5 (Brookmeyer & Crowley
    1982, as R). Kaplan & Meier (1958), *JASA* 53:457.
    """
    t, e, g = _as_arrays(durations, events, groups)
    if conf_type not in ("log", "log-log", "plain"):
        raise ParameterError(f"conf_type must be 'log', 'log-log' or 'plain', got {conf_type!r}")
    if not 0 < level < 1:
        raise ParameterError(f"level must be a confidence level in (0, 1), got {level!r}")
    z = stats.norm.isf((1 - level) / 2)
    if g is None:
        labels, gc = np.array(["all"]), np.zeros(t.size, dtype=int)
    else:
        labels, gc = _codes(g)
    frames, summ = [], []
    for j, lab in enumerate(labels):
        m = gc == j
        times, n, d, c = _risk_table(t[m], e[m])
        with np.errstate(divide="ignore", invalid="ignore"):
            surv = np.cumprod(1 - d / n)
            gw = np.cumsum(np.where(n > d, d / (n * (n - d)), np.inf))
            gw = np.where(d.cumsum() == 0, 0.0, gw)
            sig = np.sqrt(gw)
            if conf_type == "log":
                lo, hi = surv * np.exp(-z * sig), np.minimum(1.0, surv * np.exp(z * sig))
            elif conf_type == "log-log":
                a = z * sig / np.log(surv)
                lo, hi = surv ** np.exp(-a), surv ** np.exp(a)
            else:
                lo, hi = np.clip(surv - z * sig * surv, 0, 1), np.clip(surv + z * sig * surv, 0, 1)
        lo = np.where(np.isfinite(lo), lo, 0.0 if conf_type != "log-log" else np.nan)
        std_err = np.full(surv.shape, np.nan)
        std_err[np.isfinite(sig)] = (surv * sig)[np.isfinite(sig)] if np.isfinite(sig).all() else \
            surv[np.isfinite(sig)] * sig[np.isfinite(sig)]
        frames.append(pd.DataFrame({"stratum": str(lab), "time": times, "n_risk": n.astype(int),
                                    "n_event": d.astype(int), "n_censor": c.astype(int), "survival": surv,
                                    "std_err": std_err, "ci_low": lo, "ci_high": hi}))
        summ.append({"stratum": str(lab), "n": int(n[0]) if n.size else 0, "events": int(d.sum()),
                     "median": _cross(times, surv), "median_ci_low": _cross(times, lo),
                     "median_ci_high": _cross(times, hi)})
    return KMResult(pd.concat(frames, ignore_index=True), level, conf_type, pd.DataFrame(summ))


def _cross(times, curve):
    """First time the step curve is <= 0.5 (NaN if never); R's median convention
    averages the two times when the curve equals 0.5 exactly on an interval."""
    below = np.flatnonzero(curve <= 0.5 + 1e-12)
    if below.size == 0:
        return np.nan
    i = below[0]
    if np.isclose(curve[i], 0.5) and i + 1 < times.size:
        return float((times[i] + times[i + 1]) / 2)
    return float(times[i])


# --------------------------------------------------------------------------- log-rank
@dataclass
class LogrankResult:
    """Log-rank test: ``chi2`` on ``df`` degrees of freedom, ``p``, and observed/expected events per group."""
    chi2: float
    df: int
    p: float
    table: pd.DataFrame = field(repr=False)


def logrank_test(durations, events, groups):
    """k-sample log-rank (Mantel-Haenszel) test.

    Notes
    -----
    At each distinct event time with :math:`n` at risk and :math:`d` events,
    expected events in group j are :math:`n_j d/n`, with hypergeometric
    covariance :math:`V_{jl} = d (n-d)/(n-1) \\cdot (n_j/n)(\\delta_{jl} - n_l/n)`.
    :math:`\\chi^2 = (O-E)' V^- (O-E)` on :math:`k-1` df (first k-1 groups).
    Mantel (1966); R ``survival::survdiff`` with ``rho = 0``.
    """
    t, e, g = _as_arrays(durations, events, groups)
    if g is None:
        raise ParameterError("logrank_test needs groups")
    labels, gi = _codes(g)
    labels = labels.astype(str)
    k = labels.size
    if k < 2:
        raise DataError(f"log-rank test needs at least two groups, found {list(labels)}")
    times, ti = _codes(t)
    m = times.size
    # event and at-risk counts per (time, group)
    d = np.zeros((m, k))
    np.add.at(d, (ti, gi), e)
    tot = np.zeros((m, k))
    np.add.at(tot, (ti, gi), 1.0)
    n = tot[::-1].cumsum(axis=0)[::-1]  # at risk = subjects with time >= t
    N = n.sum(axis=1)
    D = d.sum(axis=1)
    keep = D > 0
    n, d, N, D = n[keep], d[keep], N[keep], D[keep]
    E = n * (D / N)[:, None]
    obs = d
    w = np.where(N > 1, D * (N - D) / (N - 1), 0.0) / N
    # V = sum_t w_t (diag(n_j) - n n'/N)
    V = np.diag((w[:, None] * n).sum(axis=0)) - (n * (w / N)[:, None]).T @ n
    diff = (obs - E).sum(axis=0)
    chi2 = float(diff[:-1] @ np.linalg.solve(V[:-1, :-1], diff[:-1]))
    p = float(stats.chi2.sf(chi2, k - 1))
    table = pd.DataFrame({"group": labels, "n": tot.sum(axis=0).astype(int), "observed": obs.sum(axis=0),
                          "expected": E.sum(axis=0), "o_minus_e_sq_over_v": diff**2 / np.diag(V)})
    return LogrankResult(chi2, k - 1, p, table)


# --------------------------------------------------------------------------- RMST
def rmst(durations, events, tau):
    """Restricted mean survival time up to ``tau`` with its standard error.

    Notes
    -----
    :math:`\\hat\\mu(\\tau) = \\int_0^\\tau \\hat S(u)\\,du` (area under the KM
    step curve). Greenwood-type (delta-method) variance:
    :math:`\\widehat{Var} = \\sum_{t_i \\le \\tau} A_i^2 \\, d_i / (n_i (n_i - d_i))`,
    :math:`A_i = \\int_{t_i}^{\\tau} \\hat S(u)\\,du`
    (Klein & Moeschberger 2003, *Survival Analysis*, §4.5; the variance R's
    ``print.survfit(rmean=tau)`` and survRM2 report). Returns (rmst, se).
    """
    t, e, _ = _as_arrays(durations, events)
    if not tau > 0:
        raise ParameterError(f"tau must be positive, got {tau!r}")
    times, n, d, _ = _risk_table(t, e)
    keep = times <= tau
    times, n, d = times[keep], n[keep], d[keep]
    surv = np.cumprod(1 - d / n)
    grid = np.concatenate([[0.0], times, [tau]])
    s_left = np.concatenate([[1.0], surv])  # S on [grid_j, grid_{j+1})
    areas = s_left * np.diff(grid)
    mu = float(areas.sum())
    # A_i = area from t_i to tau = sum of areas of pieces j >= i+1
    tail = areas[::-1].cumsum()[::-1][1:]  # tail[i] = area from times[i] to tau
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where((d > 0) & (n > d), tail**2 * d / (n * (n - d)), 0.0)
    return mu, float(np.sqrt(term.sum()))


def rmst_difference(durations, events, groups, tau, *, reference=None, level=0.95):
    """RMST per group and the difference of each group vs ``reference``.

    Independent groups: :math:`se(\\Delta) = \\sqrt{se_1^2 + se_0^2}`;
    normal interval at confidence ``level`` and p-value (Royston & Parmar 2013, *BMC Med Res Meth* 13:152).
    Returns a DataFrame ``group, rmst, se, diff, diff_se, ci_low, ci_high, p``.
    """
    t, e, g = _as_arrays(durations, events, groups)
    labels = sorted(pd.unique(g.astype(str)))
    g = g.astype(str)
    reference = labels[0] if reference is None else str(reference)
    if reference not in labels:
        raise DataError(f"reference group {reference!r} not among {labels}")
    if tau > min(t[g == lab].max() for lab in labels):
        raise ParameterError(f"tau={tau} exceeds the largest follow-up time of some group; "
                             f"choose tau <= {min(t[g == lab].max() for lab in labels)}")
    z = stats.norm.isf(_alpha(level) / 2)
    res = {lab: rmst(t[g == lab], e[g == lab], tau) for lab in labels}
    m0, s0 = res[reference]
    rows = []
    for lab in labels:
        m, s = res[lab]
        dd, ds = (m - m0, np.sqrt(s**2 + s0**2)) if lab != reference else (np.nan, np.nan)
        rows.append({"group": lab, "tau": tau, "rmst": m, "se": s, "diff": dd, "diff_se": ds,
                     "ci_low": dd - z * ds, "ci_high": dd + z * ds,
                     "p": float(2 * stats.norm.sf(abs(dd / ds))) if lab != reference else np.nan})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- Cox
@dataclass
class CoxResult:
    """Cox model summary (``term, coef, se, hr, ci_low, ci_high, z, p``; the interval is for the hazard
    ratio), proportional-hazards check (``ph_test``: ``term, chisq, df, p`` per covariate, a factor on
    levels-1 df, and a last row ``GLOBAL``), concordance index, the fitted lifelines model and the full
    :class:`~crmlab.ph_test.ZphResult` (scaled Schoenfeld residuals for the plots; None without the check)."""
    summary: pd.DataFrame
    ph_test: pd.DataFrame
    concordance: float
    model: object = field(repr=False)
    zph: object = field(default=None, repr=False)


def _terms(covariates, columns):
    """``{covariate: [design columns]}``: a numeric covariate is its own column, a categorical one its
    ``"covariate=level"`` dummies (covariates without a column are left out)."""
    out = {}
    for c in covariates:
        cols = [c] if c in columns else [k for k in columns if k.startswith(f"{c}=")]
        if cols:
            out[c] = cols
    return out


def cox_ph(df, duration_col, event_col, covariates, *, strata=None, ph_check=True, ph_transform="km",
           penalizer=0.0, level=0.95):
    """Cox proportional hazards (Efron ties, as R ``coxph``) with R's proportional-hazards check.

    Categorical covariates are one-hot encoded with the first level dropped.
    ``event_col`` must already be 0/1 (see :func:`encode_event`). Hazard-ratio
    intervals at confidence ``level``. The model is fitted by lifelines and,
    without a ``penalizer``, its coefficients are polished by Newton steps on
    the exact Efron partial likelihood (:func:`crmlab.ph_test.cox_newton`:
    lifelines stops on its own criterion up to ~1e-4 away from the maximum R
    reports); standard errors come from the observed information at the
    maximum. Raises :class:`~crmlab.core.errors.ConvergenceError` when the
    partial likelihood cannot be maximised (e.g. a covariate that separates
    the events: add a ``penalizer`` or drop it).

    Notes
    -----
    Partial likelihood
    :math:`L(\\beta) = \\prod_i [\\exp(x_i'\\beta)/\\sum_{j \\in R(t_i)} \\exp(x_j'\\beta)]^{\\delta_i}`
    (Cox 1972), Efron's tie correction. PH check: the Grambsch-Therneau score
    test of R's ``cox.zph`` (survival >= 3.0; :func:`crmlab.ph_test.zph_test`)
    per covariate (a factor is one term on levels-1 df) and globally, with time
    transform ``ph_transform`` (R's default ``"km"``; ``"identity"``, ``"rank"``,
    ``"log"``); tied times are handled as groups, so the result does not depend
    on the order of the rows (Grambsch & Therneau 1994, *Biometrika* 81:515).
    With a penalizer the test is computed at the penalized coefficients.
    """
    from lifelines import CoxPHFitter

    from crmlab.ph_test import TRANSFORMS, cox_newton, zph_test

    if ph_check and ph_transform not in TRANSFORMS:
        raise ParameterError(f"ph_transform must be one of {TRANSFORMS}, got {ph_transform!r}")
    cols = [duration_col, event_col, *covariates] + ([strata] if strata else [])
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"Cox model: column(s) {missing} not found")
    X = pd.get_dummies(df[list(covariates)], drop_first=True, dtype=float, prefix_sep="=")
    data = pd.concat([df[[duration_col, event_col]].astype(float), X], axis=1)
    if strata:
        data[strata] = df[strata].to_numpy()
    na = data.isna().any(axis=1)
    if na.any():
        raise DataError(f"Cox model: missing values at rows {list(data.index[na][:5])}")
    from lifelines.exceptions import ConvergenceError as LifelinesConvergenceError

    cph = CoxPHFitter(penalizer=penalizer, alpha=_alpha(level))
    try:
        cph.fit(data, duration_col=duration_col, event_col=event_col, strata=[strata] if strata else None)
    except LifelinesConvergenceError as exc:
        raise ConvergenceError(f"Cox model on {list(covariates)} did not converge (lifelines: "
                               f"{str(exc).splitlines()[0]}); try penalizer > 0 or drop a covariate "
                               "that separates the events") from exc
    names = [str(c) for c in cph.params_.index]
    Xa = data[names].to_numpy(dtype=float)
    t, e = data[duration_col].to_numpy(dtype=float), data[event_col].to_numpy(dtype=float)
    st = data[strata].astype(str).to_numpy() if strata else None
    coef = cph.params_.to_numpy(dtype=float)
    s = cph.summary
    if penalizer == 0:
        coef, info, _ = cox_newton(t, e, Xa, start=coef, strata=st)
        se = np.sqrt(np.diag(np.linalg.inv(info)))
        zq = stats.norm.isf(_alpha(level) / 2)
        z = coef / se
        summary = pd.DataFrame({"term": names, "coef": coef, "se": se, "hr": np.exp(coef),
                                "ci_low": np.exp(coef - zq * se), "ci_high": np.exp(coef + zq * se), "z": z,
                                "p": 2 * stats.norm.sf(np.abs(z))})
    else:
        lower = next(c for c in s.columns if c.startswith("exp(coef) lower"))
        upper = next(c for c in s.columns if c.startswith("exp(coef) upper"))
        summary = pd.DataFrame({"term": names, "coef": s["coef"].values, "se": s["se(coef)"].values,
                                "hr": s["exp(coef)"].values, "ci_low": s[lower].values,
                                "ci_high": s[upper].values, "z": s["z"].values, "p": s["p"].values})
    ph = pd.DataFrame(columns=["term", "chisq", "df", "p"])
    zph = None
    if ph_check:
        zph = zph_test(t, e, pd.DataFrame(Xa, columns=names), coef, strata=st, transform=ph_transform,
                       assign=_terms(covariates, names))
        ph = zph.table.copy()
    return CoxResult(summary, ph, float(cph.concordance_index_), cph, zph)
