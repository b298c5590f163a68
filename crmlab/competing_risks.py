"""Competing risks: cumulative incidence (Aalen-Johansen) per group with Gray's test.

Customers leave for different reasons (voluntary cancellation, payment
failure, moving away): the probability of leaving *for a given reason* by
time t is the cumulative incidence function (CIF), not one minus a
Kaplan-Meier curve that treats the other reasons as censoring. Both the
estimates with Gray's (1988) variance and the k-sample test are computed as
R's ``cmprsk::cuminc`` does, vectorised over the distinct times.

Regression (Fine-Gray subdistribution hazards beside cause-specific Cox) is
in :mod:`crmlab.fine_gray`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from crmlab._design import rows_1based
from crmlab.core.errors import DataError, ParameterError

__all__ = ["CumIncResult", "competing_status", "cumulative_incidence", "gray_test"]


def competing_status(durations, status, *, censor_value=0, groups=None, strata=None):
    """Validate competing-risks data; return (times, status codes 0/1..K, cause labels, groups, strata).

    ``status`` holds ``censor_value`` for censored rows and one value per cause
    (numbers or labels). Causes are the sorted distinct other values, coded 1..K.
    """
    t = np.asarray(durations, dtype=float)
    s = np.asarray(status)
    if t.ndim != 1 or s.shape != t.shape:
        raise DataError(f"durations ({t.size}) and status ({s.size}) must be 1-d and of equal length")
    bad = ~np.isfinite(t) | (t < 0)
    if bad.any():
        raise DataError(f"durations must be present, numeric and >= 0; rows {rows_1based(bad)} (1-based) are not")
    scode, suniq = pd.factorize(s)
    if (scode < 0).any():
        raise DataError(f"status is missing at rows {rows_1based(scode < 0)} (1-based)")
    suniq = [v.item() if isinstance(v, np.generic) else v for v in suniq]
    cens = [v == censor_value for v in suniq]
    labels = sorted((v for v, c in zip(suniq, cens) if not c), key=lambda v: (str(type(v)), v))
    if not labels:
        raise DataError(f"no events: every status equals the censoring value {censor_value!r}")
    lookup = np.array([0 if c else labels.index(v) + 1 for v, c in zip(suniq, cens)])
    code = lookup[scode]
    out = [t, code, labels]
    for name, g in (("groups", groups), ("strata", strata)):
        if g is not None:
            g = np.asarray(g)
            if g.shape != t.shape:
                raise DataError(f"{name} must have the same length as durations")
            if pd.isna(g).any():
                raise DataError(f"{name} are missing at rows {rows_1based(pd.isna(g))} (1-based)")
        out.append(g)
    return tuple(out)


# --------------------------------------------------------------------------- CIF
def _cif_one(uniq, cnt, cause):
    """Aalen-Johansen CIF of ``cause`` and Gray's variance in one group (cmprsk ``cinc``).

    ``cnt[j, c]``: customers of the group with time ``uniq[j]`` and status code c
    (0 censored). Returns times of the cause's events, the CIF after each and its variance.
    """
    d1 = cnt[:, cause].astype(float)
    nd = cnt[:, 1:].sum(axis=1).astype(float)
    rs = cnt.sum(axis=1)[::-1].cumsum()[::-1].astype(float)
    d2 = nd - d1
    act = nd > 0
    uniq, d1, d2, nd, rs = uniq[act], d1[act], d2[act], nd[act], rs[act]
    fkn = np.cumprod((rs - nd) / rs)  # overall KM after each time
    fk = np.r_[1.0, fkn[:-1]]  # ... and just before it
    F = np.cumsum(fk * d1 / rs)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_fkn = np.where(fkn > 0, 1 / fkn, 0.0)
        t5_2 = np.where(d2 > 1, 1 - (d2 - 1) / (rs - 1), 1.0)
        t5_1 = np.where(d1 > 1, 1 - (d1 - 1) / (rs - 1), 1.0)
    # other-cause events (skipped when the overall KM drops to 0)
    t6 = np.where((d2 > 0) & (fkn > 0), fk**2 * t5_2 * d2 / rs**2, 0.0)
    t4 = F * inv_fkn
    v1, v2, v3 = t4**2 * t6, inv_fkn * t4 * t6, inv_fkn**2 * t6
    # events of the cause
    t6 = np.where(d1 > 0, fk**2 * t5_1 * d1 / rs**2, 0.0)
    t4 = 1 + inv_fkn * F
    v1, v2, v3 = (np.cumsum(a + b) for a, b in ((v1, t4**2 * t6), (v2, inv_fkn * t4 * t6), (v3, inv_fkn**2 * t6)))
    var = v1 + F**2 * v3 - 2 * F * v2
    jump = d1 > 0
    return uniq[jump], F[jump], var[jump]


@dataclass
class CumIncResult:
    """Cumulative incidence per group and cause (``table``) and Gray's tests (``tests``).

    ``table``: one row per group, cause and time at which the cause's CIF jumps:
    ``group, cause, time, cif, var, se``; ``max_time`` per group bounds where
    the step function is defined (as ``cmprsk::timepoints``).
    """
    table: pd.DataFrame
    tests: pd.DataFrame
    max_time: dict = field(repr=False)
    n: int = 0

    def at(self, times) -> pd.DataFrame:
        """CIF and variance at ``times`` (right-continuous step; NaN after the group's last follow-up)."""
        times = np.asarray(times, dtype=float)
        rows = []
        for (g, c), tab in self.table.groupby(["group", "cause"], sort=False):
            idx = np.searchsorted(tab["time"].to_numpy(), times, side="right") - 1
            ok = idx >= 0
            cif = np.where(ok, tab["cif"].to_numpy()[np.maximum(idx, 0)], 0.0)
            var = np.where(ok, tab["var"].to_numpy()[np.maximum(idx, 0)], 0.0)
            beyond = times > self.max_time[g]
            cif, var = np.where(beyond, np.nan, cif), np.where(beyond, np.nan, var)
            rows.append(pd.DataFrame({"group": g, "cause": c, "time": times, "cif": cif, "var": var,
                                      "se": np.sqrt(var)}))
        return pd.concat(rows, ignore_index=True)


def cumulative_incidence(durations, status, groups=None, *, censor_value=0, strata=None, rho=0.0):
    """Cumulative incidence of each cause per group, with Gray's test across groups.

    Parameters
    ----------
    durations : array-like
        Follow-up times (>= 0).
    status : array-like
        ``censor_value`` for censored customers, else the cause (number or label).
    groups : array-like, optional
        Group labels (sorted order); Gray's test compares the groups per cause.
    strata : array-like, optional
        Strata for a stratified Gray test (as ``cuminc(strata=)``).
    rho : float
        Power of the weight :math:`(1 - \\hat F(t-))^{\\rho}` of the test (0: cmprsk's default).

    Returns
    -------
    CumIncResult

    Notes
    -----
    Aalen-Johansen estimate
    :math:`\\hat F_k(t) = \\sum_{t_j \\le t} \\hat S(t_j-)\\, d_{kj} / n_j`
    with :math:`\\hat S` the Kaplan-Meier estimate of leaving for any cause
    (Kalbfleisch & Prentice 1980, §7.2); variance by Gray's (1988)
    delta-method formula, as ``cmprsk::cuminc``. Gray's test compares the
    subdistribution hazards :math:`d\\hat F_k / (1 - \\hat F_k(t-))` of the
    groups with weights :math:`(1-\\hat F(t-))^{\\rho}` and is chi-square on
    groups-1 df. Gray (1988), *Annals of Statistics* 16:1141-1154.
    """
    t, code, labels, g, st = competing_status(durations, status, censor_value=censor_value, groups=groups,
                                              strata=strata)
    tcode, tuniq = pd.factorize(t, sort=True)
    if g is None:
        gcode, glabels = np.zeros(t.size, dtype=int), np.array(["all"])
    else:
        gcode, glabels = pd.factorize(g, sort=True)
        glabels = np.asarray(glabels).astype(str)
    K, T = len(labels), tuniq.size
    rows, max_time = [], {}
    for j, gl in enumerate(glabels):
        m = gcode == j
        cnt = np.bincount(tcode[m] * (K + 1) + code[m], minlength=T * (K + 1)).reshape(T, K + 1)
        present = cnt.sum(axis=1) > 0
        max_time[gl] = float(tuniq[present][-1])
        for k, cl in enumerate(labels, 1):
            tt, F, v = _cif_one(tuniq[present], cnt[present], k)
            rows.append(pd.DataFrame({"group": gl, "cause": cl, "time": tt, "cif": F, "var": v, "se": np.sqrt(v)}))
    table = pd.concat(rows, ignore_index=True)
    tests = pd.DataFrame(columns=["cause", "stat", "p", "df"])
    if glabels.size > 1:
        tests = _gray(tcode, T, code, gcode, glabels.size, st, rho, labels)
    return CumIncResult(table, tests, max_time, int(t.size))


# --------------------------------------------------------------------------- Gray's test
def gray_test(durations, status, groups, *, censor_value=0, strata=None, rho=0.0):
    """Gray's k-sample test of equal cumulative incidence, one row per cause.

    Returns a DataFrame ``cause, stat, p, df`` (chi-square on groups-1 df).
    See :func:`cumulative_incidence` for the Notes.
    """
    t, code, labels, g, st = competing_status(durations, status, censor_value=censor_value, groups=groups,
                                              strata=strata)
    if g is None:
        raise ParameterError("gray_test needs groups")
    tcode, tuniq = pd.factorize(t, sort=True)
    gcode, glabels = pd.factorize(g, sort=True)
    return _gray(tcode, tuniq.size, code, gcode, len(glabels), st, rho, labels)


def _gray(tcode, T, code, gcode, ng, strata, rho, labels):
    if ng < 2:
        raise DataError("Gray's test needs at least two groups")
    if rho < 0:
        raise ParameterError(f"rho must be >= 0, got {rho}")
    scodes = np.zeros(tcode.size, dtype=int) if strata is None else pd.factorize(strata, sort=True)[0]
    rows = []
    for k, lab in enumerate(labels, 1):
        s, v = np.zeros(ng - 1), np.zeros((ng - 1, ng - 1))
        for h in range(scodes.max() + 1):
            m = scodes == h
            m_code = np.where(code[m] == k, 1, np.where(code[m] > 0, 2, 0))
            d = np.bincount((m_code * T + tcode[m]) * ng + gcode[m], minlength=3 * T * ng).reshape(3, T, ng)
            s_h, v_h = _gray_stratum(d.astype(float), ng, rho)
            s, v = s + s_h, v + v_h
        try:
            stat = float(s @ np.linalg.solve(v, s))
        except np.linalg.LinAlgError:
            stat = np.nan  # cmprsk reports -1 when the variance is singular
        rows.append({"cause": lab, "stat": stat, "p": float(stats.chi2.sf(stat, ng - 1)), "df": int(ng - 1)})
    return pd.DataFrame(rows)


def _gray_stratum(d, ng, rho):
    """Score and variance of Gray's test in one stratum (the recursion of cmprsk ``crst``, vectorised).

    ``d[c, j, i]``: customers with status c (0 censored, 1 cause, 2 other) at time j in group i.
    """
    tot = d.sum(axis=0)
    rs = tot[::-1].cumsum(axis=0)[::-1]  # at risk per group at each time
    act = (d[1] + d[2]).sum(axis=1) > 0
    d1, d2, rs = d[1][act], d[2][act], rs[act]
    pos = rs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pos, (rs - d1 - d2) / rs, 1.0)
        skm = np.cumprod(ratio, axis=0)
        skmm = np.vstack([np.ones((1, ng)), skm[:-1]])
        f1 = np.cumsum(np.where(pos, skmm * d1 / rs, 0.0), axis=0)
        f1m = np.vstack([np.zeros((1, ng)), f1[:-1]])
        t1 = np.where(pos, rs / skmm, 0.0)
    tr = t1.sum(axis=1)
    tq = np.where(pos, rs * (1 - f1m) / np.where(pos, skmm, 1), 0.0).sum(axis=1)
    nd1 = d1.sum(axis=1)
    f = np.cumsum(nd1 / tr)
    fm = np.r_[0.0, f[:-1]]
    fb = (1 - fm) ** rho
    # a(i, j) at each time; c = its running sum weighted by nd1 / (tr (1 - fm))
    a = -fb[:, None, None] * t1[:, :, None] * t1[:, None, :] / tr[:, None, None]
    idx = np.arange(ng)
    a[:, idx, idx] += fb[:, None] * t1
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(nd1 > 0, nd1 / (tr * (1 - fm)), 0.0)
    c = np.cumsum(a * w[:, None, None], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (fb[:, None] * np.where(pos, d1 - nd1[:, None] * rs * (1 - f1m) / (skmm * tq[:, None]), 0.0)).sum(0)
        # cause-of-interest events
        t4 = np.where(skm > 0, 1 - (1 - f)[:, None] / skm, 1.0)
        t5 = np.where(nd1[:, None] > 1, 1 - (nd1[:, None] - 1) / (tr[:, None] * skmm - 1), 1.0)
        t3 = np.where(pos & (nd1[:, None] > 0), t5 * skmm * nd1[:, None] / (tr[:, None] * rs), 0.0)
        B = a - t4[:, None, :] * c
        v = np.einsum("tik,tjk,tk->ij", B, B, t3)
        v2 = np.einsum("tik,tk->ik", B, t4 * t3)
        v3 = (t4**2 * t3).sum(axis=0)
        # other-cause events
        ok = (skm > 0) & (d2 > 0)
        t4 = np.where(ok, (1 - f)[:, None] / np.where(skm > 0, skm, 1), 0.0)
        t5 = np.where(d2 > 1, 1 - (d2 - 1) / (rs - 1), 1.0)
        t3 = np.where(ok, t5 * skmm**2 * d2 / np.where(pos, rs, 1) ** 2, 0.0)
    B = t4[:, None, :] * c
    v += np.einsum("tik,tjk,tk->ij", B, B, t3)
    v2 -= np.einsum("tik,tk->ik", B, t4 * t3)
    v3 += (t4**2 * t3).sum(axis=0)
    C = c[-1]
    v += (C * v3) @ C.T + C @ v2.T + v2 @ C.T
    return s[: ng - 1], v[: ng - 1, : ng - 1]
