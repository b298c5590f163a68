"""Proportional-hazards check of a Cox model as R's ``survival::cox.zph`` (survival >= 3.0).

The Grambsch-Therneau score test: per term (a factor with k levels is one
term on k-1 df) and globally, with the time transforms ``"km"`` (default),
``"identity"``, ``"rank"`` and ``"log"``, tied event times handled as groups
(so the result does not depend on the order of the rows), Efron or Breslow
ties, optional strata; plus the scaled Schoenfeld residuals and the smooth
R's ``plot.cox.zph`` draws through them.

All sums are taken once over the time-sorted data: risk-set sums by reverse
cumulative sums, the Efron corrections per tied group from a few scalars, and
the information blocks as :math:`X' \\operatorname{diag}(v) X` with per-row
weights, so a million rows take well under a second per block.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from crmlab._design import (
    check_columns,
    design_matrix,
    event_indicator,
    numeric_column,
    rows_1based,
)
from crmlab.core.errors import ConvergenceError, DataError, ParameterError

__all__ = ["TRANSFORMS", "ZphResult", "cox_newton", "cox_zph", "plot_zph", "zph_from_lifelines", "zph_smooth",
           "zph_test"]

TRANSFORMS = ("km", "identity", "rank", "log")


# --------------------------------------------------------------------------- time transforms
def _time_transform(time, event, transform):
    """g(t) for every row (R: ``ttimes``)."""
    if transform == "identity":
        return time.copy()
    if transform == "log":
        if (time[event == 1] <= 0).any():
            raise DataError("transform='log' needs positive event times; some events occur at time <= 0 "
                            f"(rows {rows_1based((event == 1) & (time <= 0))}, 1-based); use transform='km'")
        with np.errstate(divide="ignore"):
            return np.log(time)  # censored rows at time 0 give -inf, never used (no event there)
    if transform == "rank":
        return stats.rankdata(time)  # average ranks over all rows, as R's rank()
    if transform == "km":
        inv, uniq = pd.factorize(time, sort=True)
        d = np.bincount(inv, weights=event, minlength=uniq.size)
        at_risk = np.bincount(inv, minlength=uniq.size)[::-1].cumsum()[::-1]
        surv = np.cumprod(1.0 - d / at_risk)
        s_left = np.concatenate([[1.0], surv[:-1]])  # S(t-), left-continuous
        return 1.0 - s_left[inv]
    raise ParameterError(f"transform must be one of {TRANSFORMS}, got {transform!r}")


# --------------------------------------------------------------------------- one pass over the data
def _revcumsum(a):
    return np.cumsum(a[::-1], axis=0)[::-1]


def _group_add(out, g, values):
    """out[g] += values for sorted group ids g (one reduceat per call)."""
    if g.size:
        first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        out[g[first]] += np.add.reduceat(values, first, axis=0)


def _cox_pass(time, event, X, eta, strata, g, *, efron=True, time_blocks=True):
    """Score, information and Schoenfeld residuals at fixed coefficients.

    Returns ``loglik``, ``u`` (2p: score, time-weighted score), ``imat`` (2p x
    2p, or p x p without the time blocks), the Schoenfeld residuals of the
    events (rows sorted by stratum then time, stable in the input order) and
    the index of those events in the input.
    """
    p = X.shape[1]
    order = np.argsort(time, kind="stable") if strata.max() == 0 else np.lexsort((time, strata))
    t, e, s = time[order], event[order], strata[order]
    x = X[order] - X.mean(axis=0)
    r = np.exp(eta[order] - eta.mean())
    gt = g[order]
    nb = 2 if time_blocks else 1
    u = np.zeros(nb * p)
    imat = np.zeros((nb * p, nb * p))
    loglik = 0.0
    res_rows, res_idx = [], []
    bounds = np.flatnonzero(np.r_[True, s[1:] != s[:-1], True])
    for a, b in itertools.pairwise(bounds):
        ts, es, xs, rs = t[a:b], e[a:b], x[a:b], r[a:b]
        new = np.r_[True, ts[1:] != ts[:-1]]
        starts = np.flatnonzero(new)
        grp = np.cumsum(new) - 1
        m = starts.size
        d = np.add.reduceat(es, starts)
        ev = d > 0
        if not ev.any():
            continue
        rx = xs * rs[:, None]
        S0 = _revcumsum(np.add.reduceat(rs, starts))  # risk-set sums: reverse cumulative sums over times
        S1 = _revcumsum(np.add.reduceat(rx, starts, axis=0))
        dead = np.flatnonzero(es == 1)
        gd = grp[dead]
        D0 = np.bincount(gd, rs[dead], minlength=m)[ev]
        D1 = np.zeros((m, p))
        Xd = np.zeros((m, p))
        _group_add(D1, gd, rx[dead])
        _group_add(Xd, gd, xs[dead])
        D1, Xd = D1[ev], Xd[ev]
        S0, S1, de = S0[ev], S1[ev], d[ev].astype(int)
        # Efron: the k-th of d tied deaths sees the risk set minus k/d of the deaths (k = 0..d-1)
        rep = np.repeat(np.arange(de.size), de)
        k = np.arange(rep.size) - np.repeat(np.cumsum(de) - de, de)
        f = k / de[rep] if efron else np.zeros(rep.size)
        den = S0[rep] - f * D0[rep]
        h1 = np.bincount(rep, 1 / den)
        h2 = np.bincount(rep, f / den)
        q0, q1, q2 = (np.bincount(rep, f**j / den**2) for j in range(3))
        loglik += float(np.log(rs[es == 1]).sum() - np.log(den).sum())
        xbar_sum = S1 * h1[:, None] - D1 * h2[:, None]  # sum over the d Efron terms of the mean
        dev = Xd - xbar_sum
        gg = gt[a:b][starts][ev]
        u[:p] += dev.sum(axis=0)
        weights = [np.ones(de.size)] + ([gg, gg**2] if time_blocks else [])
        V = np.empty((xs.shape[0], len(weights)))
        for j, w in enumerate(weights):
            W = np.zeros(m)
            W[ev] = w * h1
            H2 = np.zeros(m)
            H2[ev] = w * h2
            V[:, j] = rs * (np.cumsum(W)[grp] - es * H2[grp])
        blocks = []
        for j, w in enumerate(weights):
            A = (xs * V[:, j : j + 1]).T @ xs  # sum_i v_ij x_i x_i'
            A -= (S1 * (w * q0)[:, None]).T @ S1
            B = (S1 * (w * q1)[:, None]).T @ D1
            A += B + B.T
            A -= (D1 * (w * q2)[:, None]).T @ D1
            blocks.append(A)
        imat[:p, :p] += blocks[0]
        if time_blocks:
            u[p:] += (dev * gg[:, None]).sum(axis=0)
            imat[:p, p:] += blocks[1]
            imat[p:, :p] += blocks[1].T
            imat[p:, p:] += blocks[2]
        ev_groups = np.cumsum(ev) - 1  # group -> index among event groups
        res_rows.append(xs[dead] - (xbar_sum / de[:, None])[ev_groups[grp[dead]]])
        res_idx.append(order[a:b][dead])
    schoen = np.vstack(res_rows) if res_rows else np.zeros((0, p))
    idx = np.concatenate(res_idx) if res_idx else np.zeros(0, dtype=int)
    return loglik, u, imat, schoen, idx


def cox_newton(durations, events, X, *, start=None, strata=None, ties="efron", max_iter=30, tol=1e-10):
    """Maximise the Cox partial likelihood by Newton-Raphson from ``start`` (default 0).

    Returns ``(coef, information, loglik)`` at the maximum (steps < ``tol``).
    Used to polish a lifelines fit: lifelines stops on its Newton decrement
    with damped steps, which can leave coefficients 1e-4 away from the
    maximum R's ``coxph`` reports.

    Notes
    -----
    Efron's (1977) approximation for tied times (or Breslow's), the same
    sufficient-statistic pass as :func:`zph_test`; step halving when the
    log partial likelihood falls.
    """
    X = np.asarray(X, dtype=float)
    t, e = np.asarray(durations, dtype=float), np.asarray(events, dtype=float)
    codes = np.zeros(t.size, dtype=int) if strata is None else pd.factorize(np.asarray(strata), sort=True)[0]
    efron = ties == "efron"
    beta = np.zeros(X.shape[1]) if start is None else np.asarray(start, dtype=float).copy()
    zero = np.zeros(t.size)

    def evaluate(b):
        ll, u, info, _, _ = _cox_pass(t, e, X, X @ b, codes, zero, efron=efron, time_blocks=False)
        return ll, u, info

    ll, u, info = evaluate(beta)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(info, u)
        except np.linalg.LinAlgError as exc:
            raise ConvergenceError(f"Cox model: the information matrix is singular ({exc}); a covariate is "
                                   "constant or collinear with others") from exc
        for _ in range(40):
            ll_new, u_new, info_new = evaluate(beta + step)
            if ll_new >= ll - 1e-9 * abs(ll):
                break
            step = step / 2
        beta, ll, u, info = beta + step, ll_new, u_new, info_new
        if np.max(np.abs(step)) < tol:
            return beta, info, ll
    raise ConvergenceError(f"Cox model: Newton-Raphson did not converge in {max_iter} steps "
                           f"(last step {np.max(np.abs(step)):.3g}; coefficients {np.round(beta, 4).tolist()})")


# --------------------------------------------------------------------------- result
@dataclass
class ZphResult:
    """Grambsch-Therneau test (``table``: term, chisq, df, p; last row ``GLOBAL``) and scaled residuals.

    ``residuals`` has one row per event (sorted by stratum, then time): ``time``,
    ``x`` (the transformed time), ``stratum`` when stratified, and one column
    per term holding the scaled Schoenfeld residual plus the coefficient
    (for a multi-column term: of the linear predictor, centred at 1), i.e. an
    estimate of :math:`\\beta(t)` scattered around ``centre``; ``var`` is the
    matrix R's plot uses for its bands.
    """
    table: pd.DataFrame
    residuals: pd.DataFrame = field(repr=False)
    var: pd.DataFrame = field(repr=False)
    coef: pd.Series = field(repr=False)
    centre: pd.Series = field(repr=False)
    transform: str = "km"
    n: int = 0
    n_events: int = 0

    def summary(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict:
        """``{term: {"chisq", "df", "p"}}`` including ``"GLOBAL"`` (for the results record)."""
        return {r.term: {"chisq": float(r.chisq), "df": int(r.df), "p": float(r.p)} for r in self.table.itertuples()}


def zph_test(durations, events, X, coef, *, strata=None, transform="km", assign=None, terms=True,
             global_test=True, ties="efron"):
    """Grambsch-Therneau proportional-hazards test at given Cox coefficients (R ``cox.zph``).

    Parameters
    ----------
    durations, events : array-like
        Follow-up times and 0/1 event indicators.
    X : DataFrame or 2-d array
        Design matrix of the Cox model (columns in the order of ``coef``).
    coef : array-like
        Fitted Cox coefficients (the maximum partial likelihood estimate).
    strata : array-like, optional
        Stratum labels (risk sets within strata, as ``strata()`` in R).
    transform : {"km", "identity", "rank", "log"}
        Function of time the residuals are regressed on.
    assign : dict, optional
        ``{term: [column names]}``; default one term per column.
    terms : bool
        False tests every design column separately (R ``terms=FALSE``).
    global_test : bool
        Add the ``GLOBAL`` row.
    ties : {"efron", "breslow"}

    Returns
    -------
    ZphResult

    Notes
    -----
    With :math:`g(t)` the transformed time centred at its mean over the
    events, the model :math:`\\beta(t) = \\beta + \\theta g(t)` has score for
    :math:`\\theta` at :math:`(\\hat\\beta, 0)`
    :math:`U_\\theta = \\sum_{\\text{events}} g(t_i)\\,(x_i - \\bar x(t_i))`
    and the 2p x 2p information :math:`\\mathcal I = \\sum_i w \\begin{pmatrix} V & gV \\\\ gV & g^2V
    \\end{pmatrix}` (V the weighted covariance of x over the risk set, Efron's
    average over tied deaths). A term with columns J is tested with the
    score statistic :math:`(0, U_J)' [\\mathcal I_{(\\beta,J)}]^{-1} (0, U_J)`
    on |J| df; GLOBAL uses all columns. ``"km"`` is
    :math:`g(t) = 1 - \\hat S(t-)` of the pooled Kaplan-Meier curve;
    ``"rank"`` the average rank of t among all rows. Scaled residuals:
    :math:`\\hat\\beta + (\\mathcal I_{\\beta\\beta}/d)^{-1} r_i` per stratum
    (d = events in the stratum). Grambsch & Therneau (1994), *Biometrika*
    81:515-526; Therneau & Grambsch (2000), *Modeling Survival Data*, §6.2;
    the score-test form of survival 3.0 (Therneau, ``cox.zph`` documentation).
    """
    if transform not in TRANSFORMS:
        raise ParameterError(f"transform must be one of {TRANSFORMS}, got {transform!r}")
    if ties not in ("efron", "breslow"):
        raise ParameterError(f"ties must be 'efron' or 'breslow', got {ties!r}")
    names = list(X.columns) if isinstance(X, pd.DataFrame) else [f"x{j + 1}" for j in range(np.shape(X)[1])]
    Xa = np.asarray(X, dtype=float)
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=float)
    beta = np.asarray(coef, dtype=float)
    n, p = Xa.shape
    if t.shape != (n,) or e.shape != (n,) or beta.shape != (p,):
        raise DataError(f"shapes differ: {t.size} durations, {e.size} events, X {Xa.shape}, {beta.size} coefficients")
    if not np.isin(e, [0, 1]).all():
        raise DataError(f"events must be 0/1; rows {rows_1based(~np.isin(e, [0, 1]))} (1-based) are not")
    if e.sum() == 0:
        raise DataError("no events: the proportional-hazards test needs at least one event")
    if strata is None:
        scodes, slabels = np.zeros(n, dtype=int), None
    else:
        scodes, slabels = pd.factorize(np.asarray(strata), sort=True)
    if not terms or assign is None:
        assign = {c: [c] for c in names}
    col = {c: j for j, c in enumerate(names)}
    groups = {term: [col[c] for c in cols] for term, cols in assign.items()}

    tt = _time_transform(t, e, transform)
    g = tt - tt[e == 1].mean()
    _, u, imat, schoen, idx = _cox_pass(t, e, Xa, Xa @ beta, scodes, g, efron=ties == "efron")
    u0 = np.r_[np.zeros(p), u[p:]]
    rows = []
    for term, jj in groups.items():
        kk = np.r_[np.arange(p), p + np.asarray(jj)]
        chisq = float(u0[kk] @ np.linalg.solve(imat[np.ix_(kk, kk)], u0[kk]))
        rows.append((term, chisq, len(jj)))
    if global_test:
        rows.append(("GLOBAL", float(u0 @ np.linalg.solve(imat, u0)), p))
    table = pd.DataFrame(rows, columns=["term", "chisq", "df"])
    table["p"] = stats.chi2.sf(table["chisq"], table["df"])

    resid, var, shift = _scaled_residuals(schoen, scodes[idx], scodes, Xa, e, imat[:p, :p], beta, groups)
    out = pd.DataFrame({"time": t[idx], "x": tt[idx]})
    if slabels is not None:
        out["stratum"] = np.asarray(slabels)[scodes[idx]]
    terms_ = list(groups)
    out = pd.concat([out, pd.DataFrame(resid, columns=terms_)], axis=1)
    return ZphResult(table, out, pd.DataFrame(var, index=terms_, columns=terms_),
                     pd.Series(beta, index=names), pd.Series(shift, index=terms_), transform, n, int(e.sum()))


def _scaled_residuals(schoen, res_strata, scodes, X, e, info, beta, groups):
    """R's scaling of Schoenfeld residuals (per stratum, events-weighted average information)."""
    p = X.shape[1]
    ns = scodes.max() + 1
    used = np.zeros((ns, p))
    for s in range(ns):
        m = scodes == s
        varies = (X[m] != X[m][0]).any(axis=0)
        used[s] = np.where(varies, e[m].sum(), 0.0)
    for jj in groups.values():
        if len(jj) > 1:
            used[:, jj] = used[:, jj].max(axis=1, keepdims=True)
    wtmat = sum(np.minimum.outer(u_s, u_s) for u_s in used)
    vmean = info / np.where(wtmat == 0, 1.0, wtmat)
    multi = any(len(jj) > 1 for jj in groups.values())
    T = np.zeros((p, len(groups)))
    for i, jj in enumerate(groups.values()):
        T[jj, i] = beta[jj] if len(jj) > 1 else 1.0
    if multi:
        schoen, vmean = schoen @ T, T.T @ vmean @ T
        used = used[:, [jj[0] for jj in groups.values()]]
    else:
        schoen = schoen @ T
    out = np.full(schoen.shape, np.nan)
    for s in range(ns):
        k = np.flatnonzero(used[s] > 0)
        rows = np.flatnonzero(res_strata == s)
        if k.size and rows.size:
            out[np.ix_(rows, k)] = np.linalg.solve(vmean[np.ix_(k, k)], schoen[np.ix_(rows, k)].T).T
    shift = np.array([beta[jj[0]] if len(jj) == 1 else 1.0 for jj in groups.values()])
    return out + shift, np.linalg.inv(vmean), shift


# --------------------------------------------------------------------------- from data / from lifelines
def cox_zph(df, duration_col, event_col, covariates, *, strata=None, transform="km", terms=True,
            global_test=True, coef=None):
    """Fit a Cox model (Efron ties) and test proportional hazards as R's ``cox.zph``.

    ``event_col`` holds 0/1 (see :func:`crmlab.survival.encode_event`).
    Categorical covariates become treatment dummies ``"column=level"`` (first
    level the reference, as R's factor contrasts); a factor is one term on
    levels-1 df unless ``terms=False``. The model is fitted with lifelines'
    ``CoxPHFitter`` and its coefficients are then polished by Newton steps on
    the exact Efron partial likelihood (steps < 1e-10) unless ``coef`` is given.

    Returns
    -------
    ZphResult

    Notes
    -----
    See :func:`zph_test` for the statistic. Reference: R ``survival::cox.zph``
    (survival >= 3.0; Therneau 2024, package survival).
    """
    source = "Cox PH test"
    check_columns(df, [duration_col, event_col, strata], source)
    t = numeric_column(df, duration_col, source, nonnegative=True)
    e = event_indicator(df, event_col, source)
    X, assign = design_matrix(df, covariates, source)
    s = None
    if strata is not None:
        s = df[strata]
        if s.isna().any():
            raise DataError(f"{source}: strata column {strata!r} is missing at rows {rows_1based(s.isna())} "
                            "(1-based)")
        s = s.astype(str).to_numpy()
    if coef is None:
        coef = _fit_cox(t, e, X, s)
    return zph_test(t, e, X, coef, strata=s, transform=transform, assign=assign, terms=terms,
                    global_test=global_test)


def _fit_cox(t, e, X, s):
    from lifelines import CoxPHFitter

    data = X.reset_index(drop=True).assign(__t=t, __e=e)
    if s is not None:
        data["__s"] = s
    cph = CoxPHFitter().fit(data, "__t", "__e", strata=["__s"] if s is not None else None)
    start = cph.params_.reindex(X.columns).to_numpy()
    return cox_newton(t, e, X.to_numpy(dtype=float), start=start, strata=s)[0]


def zph_from_lifelines(cph, data, *, covariates=None, transform="km", terms=True, global_test=True,
                       refine=True):
    """:func:`zph_test` for a fitted lifelines ``CoxPHFitter`` and the frame it was fitted on.

    Design columns ``"cov=level"`` (crmlab's and ``pd.get_dummies``' naming)
    are grouped into the term ``cov``; ``covariates`` fixes the order of the
    terms (default: order of first appearance). ``refine`` polishes the
    coefficients by Newton steps on the exact Efron likelihood first.
    """
    names = [str(c) for c in cph.params_.index]
    check_columns(data, [cph.duration_col, cph.event_col, *names], "Cox PH test")
    t = numeric_column(data, cph.duration_col, "Cox PH test", nonnegative=True)
    e = event_indicator(data, cph.event_col, "Cox PH test")
    X = data[names].astype(float)
    st = None
    if cph.strata:
        scols = [cph.strata] if isinstance(cph.strata, str) else list(cph.strata)
        check_columns(data, scols, "Cox PH test")
        st = data[scols].astype(str).agg("|".join, axis=1).to_numpy()
    assign = {}
    for c in names:
        term = next((v for v in (covariates or []) if c == v or c.startswith(f"{v}=")), c.split("=")[0])
        assign.setdefault(term, []).append(c)
    if covariates:
        assign = {k: assign[k] for k in covariates if k in assign} | assign
    order = [c for cols in assign.values() for c in cols]
    X = X[order]
    coef = cph.params_.reindex(order).to_numpy()
    if refine:
        ties = "breslow" if getattr(cph, "_tie_method", "Efron") == "Breslow" else "efron"
        coef = cox_newton(t, e, X.to_numpy(), start=coef, strata=st, ties=ties)[0]
    return zph_test(t, e, X, coef, strata=st, transform=transform, assign=assign, terms=terms,
                    global_test=global_test)


# --------------------------------------------------------------------------- smooth and plot
def _ns_basis(x, knots):
    """Natural cubic spline basis (ESL eq. 5.4-5.5) with all knots incl. the two boundary ones."""
    lo, hi = knots[0], knots[-1]
    z, kz = (x - lo) / (hi - lo), (np.asarray(knots) - lo) / (hi - lo)
    K = kz.size

    def dk(k):
        return (np.clip(z - kz[k], 0, None) ** 3 - np.clip(z - kz[-1], 0, None) ** 3) / (kz[-1] - kz[k])

    return np.column_stack([np.ones_like(z), z] + [dk(k) - dk(K - 2) for k in range(K - 2)])


def zph_smooth(result: ZphResult, term, *, df=4, n_grid=40, level=None):
    """The curve R's ``plot.cox.zph`` draws: a natural-spline fit of a term's scaled residuals on ``x``.

    Returns a DataFrame ``x, fit, ci_low, ci_high`` on ``n_grid`` equally spaced
    points. The band is fit :math:`\\pm z\\sqrt{\\mathrm{var}_{jj}\\, p'(B'B)^{-1}p}`
    with R's z = 2 when ``level`` is None, else the normal quantile of ``level``.

    Notes
    -----
    Basis: natural cubic splines with ``df`` columns including the intercept,
    interior knots at the quantiles of (grid, x) as R's ``ns(df=df,
    intercept=TRUE)``; the fitted curve does not depend on the basis chosen.
    """
    if term not in result.residuals.columns:
        raise ParameterError(f"term {term!r} not among {list(result.var.columns)}")
    if df < 2:
        raise ParameterError(f"df must be at least 2, got {df}")
    x = result.residuals["x"].to_numpy()
    y = result.residuals[term].to_numpy()
    keep = ~np.isnan(y)
    grid = np.linspace(x.min(), x.max(), n_grid)
    allx = np.r_[grid, x]
    knots = np.r_[allx.min(), np.quantile(allx, np.linspace(0, 1, df)[1:-1]), allx.max()]
    B = _ns_basis(x[keep], knots)
    P = _ns_basis(grid, knots)
    coef, *_ = np.linalg.lstsq(B, y[keep], rcond=None)
    fit = P @ coef
    xtx_inv = np.linalg.inv(B.T @ B)
    se = np.sqrt(result.var.loc[term, term] * np.einsum("ij,jk,ik->i", P, xtx_inv, P))
    z = 2.0 if level is None else stats.norm.isf((1 - level) / 2)
    return pd.DataFrame({"x": grid, "fit": fit, "ci_low": fit - z * se, "ci_high": fit + z * se})


def plot_zph(result: ZphResult, term, *, ax=None, xlabel=None, ylabel=None, title=None, df=4):
    """Scaled Schoenfeld residuals of ``term`` against transformed time with R's smooth and +-2 SE band.

    Tick labels show the original time (as R); labels and title are the caller's.
    """
    import matplotlib.pyplot as plt

    sm = zph_smooth(result, term, df=df)
    r = result.residuals
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    ax.scatter(r["x"], r[term], s=6, alpha=0.35, color="0.4", linewidths=0)
    ax.plot(sm["x"], sm["fit"], color="C0")
    ax.plot(sm["x"], sm["ci_low"], color="C0", ls="--", lw=0.8)
    ax.plot(sm["x"], sm["ci_high"], color="C0", ls="--", lw=0.8)
    ax.axhline(result.centre[term], color="0.6", lw=0.6, ls=":")
    if result.transform in ("km", "rank"):
        xt = r.drop_duplicates("x").sort_values("x")
        ticks = np.unique(np.round(np.quantile(xt["time"], [0.05, 0.25, 0.5, 0.75, 0.95]), 0))
        ax.set_xticks(np.interp(ticks, xt["time"], xt["x"]))
        ax.set_xticklabels([f"{v:g}" for v in ticks])
    elif result.transform == "log":
        ticks = np.unique(np.round(np.quantile(r["time"], [0.05, 0.25, 0.5, 0.75, 0.95]), 0))
        ticks = ticks[ticks > 0]
        ax.set_xticks(np.log(ticks))
        ax.set_xticklabels([f"{v:g}" for v in ticks])
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel if ylabel is not None else str(term))
    if title:
        ax.set_title(title)
    return ax.figure
