"""Randomised retention experiments: design, checks and effects.

Design (power, sample size, minimum detectable effect; in
:mod:`crmlab.experiment_design`, re-exported here), randomisation checks
(sample-ratio mismatch, covariate balance), intention-to-treat effects with
intervals and Holm-adjusted p-values, and regression-adjusted (CUPED / ANCOVA)
estimates with heteroskedasticity-robust standard errors.

All tables are tidy DataFrames with stable column names. Multi-arm designs
compare each arm with the control; the design functions protect the
family-wise error rate with a Bonferroni split of ``alpha`` over the
``n_arms - 1`` comparisons (conservative; Dunnett would be slightly less so).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.core.errors import DataError, ParameterError, file_rows
from crmlab.core.levels import alpha_of as _alpha
from crmlab.experiment_design import (  # noqa: F401  (design functions, re-exported)
    POWER,
    cohens_h,
    mde_means,
    mde_proportions,
    power_curve,
    power_means,
    power_proportions,
    sample_size_means,
    sample_size_proportions,
)

__all__ = [
    "POWER",
    "SRMResult",
    "NO_VALUES",
    "YES_VALUES",
    "balance_table",
    "binary_codes",
    "check_experiment",
    "cuped_effects",
    "diff_proportions_ci",
    "holm",
    "itt_effects",
    "mde_means",
    "mde_proportions",
    "ols_robust",
    "power_curve",
    "power_means",
    "power_proportions",
    "sample_size_means",
    "sample_size_proportions",
    "segment_effects",
    "srm_test",
    "welch_ci",
]


# --------------------------------------------------------------------------- checks
#: answers read as 1 in a yes/no column (compared after stripping, case-insensitively)
YES_VALUES = ("1", "1.0", "yes", "y", "true", "t", "是")
#: answers read as 0 in a yes/no column
NO_VALUES = ("0", "0.0", "no", "n", "false", "f", "否")


def binary_codes(values, extra=None):
    """Read a yes/no column as 1/0, as exports code it: booleans, 0/1, and ``是/否``, ``yes/no``, ``Y/N``,
    ``true/false`` in any case (:data:`YES_VALUES`, :data:`NO_VALUES`), plus ``extra`` answers.

    Parameters
    ----------
    values : array-like
        The column.
    extra : mapping, optional
        Further answers and the code (1 or 0) each means, e.g. ``{"已领取": 1, "未领取": 0}``.

    Returns
    -------
    (codes, mapping) or None
        ``codes``: float array of 1/0 (NaN where the value is missing); ``mapping``: each distinct
        non-numeric answer found -> its code (empty for a numeric or boolean column). None when some
        non-missing value is not a recognised answer (a column is binary only if every value reads as
        yes or no).
    """
    s = (values if isinstance(values, pd.Series) else pd.Series(values)).reset_index(drop=True)
    na = s.isna().to_numpy()
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float).to_numpy(), {}
    if pd.api.types.is_numeric_dtype(s):
        x = s.to_numpy(dtype=float)
        return (x, {}) if np.isin(x[~na], [0.0, 1.0]).all() else None
    extra = {str(k).strip().lower(): int(v) for k, v in (extra or {}).items()}
    table = {**{v: 1 for v in YES_VALUES}, **{v: 0 for v in NO_VALUES}, **extra}
    keys = s.astype(str).str.strip().str.lower()
    codes = keys.map(table)
    if codes[~na].isna().any():
        return None
    mapping = {}
    for raw, key in zip(s[~na], keys[~na]):
        if isinstance(raw, (bool, np.bool_)) or not isinstance(raw, str) or raw in mapping:
            continue
        mapping[raw] = int(table[key])
    out = codes.to_numpy(dtype=float)
    out[na] = np.nan
    return out, mapping


def _same_label(control, present):
    """The label of ``present`` written like ``control`` (``0`` for ``"0"``, ``"A"`` for ``" A "``), or None."""
    want = str(control).strip()
    hits = [a for a in present if str(a).strip() == want or (isinstance(a, (float, np.floating))
                                                             and float(a).is_integer() and str(int(a)) == want)]
    return hits[0] if len(hits) == 1 else None


def check_experiment(df, arm_col, control, outcomes=(), binary=None, *, arms=None, source="experiment"):
    """Validate an experiment table; return the list of treated arms.

    Raises :class:`DataError` naming the column and the rows as numbered in the file
    (:func:`crmlab.core.errors.file_rows`) for a missing column, a missing arm label, a missing control
    label, an arm with no customers, or a declared-binary outcome with other values. A control given
    as text for a column of numbers (``"0"`` for ``0``) is named as such rather than "not found".
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{source}: expected a DataFrame, got {type(df).__name__}")
    missing = [c for c in [arm_col, *outcomes] if c not in df.columns]
    if missing:
        raise DataError(f"{source}: column(s) {missing} not found; columns are {list(df.columns)}")
    arm = df[arm_col]
    if arm.isna().any():
        pos = np.flatnonzero(arm.isna().to_numpy())
        raise DataError(f"{source}: column {arm_col!r} has {pos.size} missing arm label(s) ({file_rows(pos)})")
    present = pd.unique(arm)
    if control not in set(present):
        near = _same_label(control, present)
        if near is not None:
            held = near.item() if isinstance(near, np.generic) else near
            raise DataError(f"{source}: the control label is given as {control!r} ({type(control).__name__}) but "
                            f"column {arm_col!r} holds {held!r} ({type(held).__name__}); give the control as "
                            f"it is stored, or read the arm labels as text")
        raise DataError(f"{source}: control label {control!r} does not occur in column {arm_col!r}; "
                        f"labels present: {sorted(map(str, present))}")
    if arms is None:
        levels = arm.cat.categories if isinstance(arm.dtype, pd.CategoricalDtype) else present
        arms = sorted((a for a in levels if a != control), key=str)
    counts = arm.value_counts()
    empty = [a for a in [control, *arms] if counts.get(a, 0) == 0]
    if empty:
        raise DataError(f"{source}: arm(s) {empty} in column {arm_col!r} have no customers")
    if not arms:
        raise DataError(f"{source}: column {arm_col!r} holds only the control arm {control!r}")
    binary = {} if binary is None else binary
    for col in outcomes:
        y = df[col]
        if not pd.api.types.is_numeric_dtype(y):
            bad = np.flatnonzero(pd.to_numeric(y, errors="coerce").isna().to_numpy())
            raise DataError(f"{source}: outcome {col!r} is not numeric: it holds {list(y.iloc[bad[:5]])} at "
                            f"{file_rows(bad)}")
        if y.isna().any():
            pos = np.flatnonzero(y.isna().to_numpy())
            raise DataError(f"{source}: outcome {col!r} has {pos.size} missing value(s) ({file_rows(pos)})")
        if binary.get(col, False):
            bad = np.flatnonzero(~y.isin([0, 1]).to_numpy())
            if bad.size:
                raise DataError(f"{source}: outcome {col!r} is declared binary but holds "
                                f"{list(dict.fromkeys(y.iloc[bad]))[:5]} at {file_rows(bad)} (expected 0/1)")
    return list(arms)


@dataclass
class SRMResult:
    """Sample-ratio mismatch test result."""
    chi2: float
    df: int
    p: float
    alert: bool
    table: pd.DataFrame = field(repr=False)


def srm_test(arms, expected_split=None, *, threshold=0.001, counts=False):
    """Sample-ratio mismatch: Pearson chi-square of arm counts against the design split.

    Parameters
    ----------
    arms : Series/array of arm labels (one per customer), or a mapping label -> count
        (or a Series of counts with ``counts=True``)
    expected_split : mapping label -> share (normalised), or None for equal shares
    threshold : float
        p below this raises the alert (0.001, the convention of large
        experimentation platforms; Fabijan et al. 2019, KDD).

    Notes
    -----
    :math:`\\chi^2 = \\sum_a (O_a - N\\pi_a)^2 / (N\\pi_a)` on :math:`k-1` df.
    """
    if isinstance(arms, dict) or counts:
        counts = pd.Series(arms, dtype=float)
    else:
        counts = pd.Series(arms).value_counts(sort=False).astype(float)
    if expected_split is None:
        share = pd.Series(1.0, index=counts.index)
    else:
        share = pd.Series(expected_split, dtype=float)
        unknown = sorted(map(str, set(counts.index) - set(share.index)))
        if unknown:
            raise DataError(f"arm label(s) {unknown} occur in the data but not in expected_split "
                            f"{dict(expected_split)}")
        if (share < 0).any() or share.sum() <= 0:
            raise ParameterError(f"expected_split must hold non-negative shares, got {dict(expected_split)}")
        counts = counts.reindex(share.index, fill_value=0.0)
    share = share / share.sum()
    n = counts.sum()
    exp = n * share.reindex(counts.index)
    chi2 = float(((counts - exp) ** 2 / exp).sum())
    dof = len(counts) - 1
    p = float(stats.chi2.sf(chi2, dof))
    table = pd.DataFrame({"arm": counts.index.astype(str), "observed": counts.values.astype(int),
                          "expected": exp.values, "share_observed": (counts / n).values,
                          "share_expected": share.reindex(counts.index).values})
    return SRMResult(chi2, dof, p, p < threshold, table)


def _design_matrix(df, covariates, source="experiment", drop_first=False):
    """Numeric covariates as is, categorical ones one-hot (all levels, or all but the first)."""
    missing = [c for c in covariates if c not in df.columns]
    if missing:
        raise DataError(f"{source}: covariate column(s) {missing} not found")
    parts = []
    for c in covariates:
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            if s.isna().any():
                raise DataError(f"{source}: covariate {c!r} has missing values at rows "
                                f"{list(df.index[s.isna()][:5])}")
            parts.append(s.astype(float).rename(c))
        else:
            parts.append(pd.get_dummies(s.astype("category"), prefix=c, prefix_sep="=", dtype=float,
                                        drop_first=drop_first))
    return pd.concat(parts, axis=1)


def balance_table(df, arm_col, control, covariates):
    """Covariate balance: standardized mean differences, each arm vs control.

    Notes
    -----
    :math:`SMD = (\\bar x_t - \\bar x_c)/\\sqrt{(s_t^2 + s_c^2)/2}`; categorical
    covariates enter as one indicator per level. |SMD| < 0.1 is the usual
    threshold for balance (Austin 2009, *Stat Med* 28:3083).
    """
    arms = check_experiment(df, arm_col, control)
    X = _design_matrix(df, covariates)
    g = df[arm_col]
    xc = X[g == control]
    mc, vc = xc.mean(), xc.var(ddof=1)
    rows = []
    for a in arms:
        xt = X[g == a]
        mt, vt = xt.mean(), xt.var(ddof=1)
        pooled = np.sqrt((vt + vc) / 2)
        smd = (mt - mc) / pooled.replace(0, np.nan)
        rows.append(pd.DataFrame({"arm": str(a), "covariate": X.columns, "mean_treated": mt.values,
                                  "mean_control": mc.values, "smd": smd.values}))
    return pd.concat(rows, ignore_index=True)


# --------------------------------------------------------------------------- effects
def _wilson(x, n, z):
    p = x / n
    den = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return centre - half, centre + half


def diff_proportions_ci(x_t, n_t, x_c, n_c, *, level=0.95, method="newcombe"):
    """Interval for :math:`p_t - p_c` (vectorised over arrays).

    Parameters
    ----------
    level : confidence level of the two-sided interval
    method : {"newcombe", "wald"}

    Notes
    -----
    Newcombe's hybrid score interval (method 10 of Newcombe 1998, *Stat Med*
    17:873): with Wilson limits :math:`(l_i, u_i)`,
    :math:`L = d - \\sqrt{(p_t-l_t)^2 + (u_c-p_c)^2}`,
    :math:`U = d + \\sqrt{(u_t-p_t)^2 + (p_c-l_c)^2}`. Wald:
    :math:`d \\pm z\\sqrt{p_t q_t/n_t + p_c q_c/n_c}`.
    """
    x_t, n_t, x_c, n_c = (np.asarray(v, dtype=float) for v in (x_t, n_t, x_c, n_c))
    z = stats.norm.isf(_alpha(level) / 2)
    pt, pc = x_t / n_t, x_c / n_c
    d = pt - pc
    if method == "newcombe":
        lt, ut = _wilson(x_t, n_t, z)
        lc, uc = _wilson(x_c, n_c, z)
        return d - np.sqrt((pt - lt) ** 2 + (uc - pc) ** 2), d + np.sqrt((ut - pt) ** 2 + (pc - lc) ** 2)
    if method == "wald":
        se = np.sqrt(pt * (1 - pt) / n_t + pc * (1 - pc) / n_c)
        return d - z * se, d + z * se
    raise ParameterError(f"ci method must be 'newcombe' or 'wald', got {method!r}")


def welch_ci(mean_t, var_t, n_t, mean_c, var_c, n_c, *, level=0.95):
    """Welch interval (confidence ``level``) and p-value for a difference in means.

    Notes
    -----
    :math:`se^2 = s_t^2/n_t + s_c^2/n_c`, Welch-Satterthwaite
    :math:`\\nu = se^4 / [(s_t^2/n_t)^2/(n_t-1) + (s_c^2/n_c)^2/(n_c-1)]`
    (Welch 1947, *Biometrika* 34:28). Returns (diff, se, low, high, p, df).
    """
    vt, vc = var_t / n_t, var_c / n_c
    se = np.sqrt(vt + vc)
    dof = (vt + vc) ** 2 / (vt**2 / (n_t - 1) + vc**2 / (n_c - 1))
    d = mean_t - mean_c
    q = stats.t.isf(_alpha(level) / 2, dof)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.t.sf(np.abs(d / se), dof)
    return d, se, d - q * se, d + q * se, p, dof


def holm(pvalues):
    """Holm (1979) step-down adjusted p-values (family-wise error control).

    Notes
    -----
    Sorted :math:`p_{(1)} \\le \\dots \\le p_{(m)}`:
    :math:`\\tilde p_{(i)} = \\max_{j \\le i} \\min(1, (m-j+1) p_{(j)})`.
    """
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    order = np.argsort(p, kind="mergesort")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adj
    return out


def _is_binary(y):
    return bool(np.isin(pd.unique(y), [0, 1]).all())


def itt_effects(df, arm_col, control, outcomes, *, binary=None, level=0.95, ci_method="newcombe"):
    """Intention-to-treat effect of each arm vs control on each outcome, intervals at confidence ``level``.

    Binary outcomes: difference in proportions with ``ci_method`` interval and
    the two-proportion pooled z-test p-value. Continuous outcomes: Welch
    difference in means, interval and p-value. Relative lift = estimate /
    control mean. ``p_holm`` adjusts across all arm x outcome tests.

    ``binary`` maps outcome -> bool; by default an outcome holding only 0/1 is binary.

    Returns a DataFrame with columns ``arm, outcome, kind, method, n_treated,
    n_control, mean_treated, mean_control, estimate, se, ci_low, ci_high, p,
    lift, p_holm``.
    """
    outcomes = list(outcomes)
    arms = check_experiment(df, arm_col, control, outcomes, binary)
    binary = {c: (binary or {}).get(c, _is_binary(df[c])) for c in outcomes}
    g = df[arm_col].to_numpy()
    rows = []
    for col in outcomes:
        y = df[col].to_numpy(dtype=float)
        yc = y[g == control]
        nc, mc, vc = yc.size, yc.mean(), yc.var(ddof=1)
        for a in arms:
            yt = y[g == a]
            nt, mt, vt = yt.size, yt.mean(), yt.var(ddof=1)
            if binary[col]:
                xt, xc = yt.sum(), yc.sum()
                lo, hi = diff_proportions_ci(xt, nt, xc, nc, level=level, method=ci_method)
                pool = (xt + xc) / (nt + nc)
                se0 = np.sqrt(pool * (1 - pool) * (1 / nt + 1 / nc))
                p = float(2 * stats.norm.sf(abs(mt - mc) / se0)) if se0 > 0 else 1.0
                se = np.sqrt(mt * (1 - mt) / nt + mc * (1 - mc) / nc)
                kind, method = "binary", f"{ci_method} CI, pooled z test"
            else:
                _, se, lo, hi, p, _ = welch_ci(mt, vt, nt, mc, vc, nc, level=level)
                kind, method = "continuous", "Welch t"
            rows.append({"arm": str(a), "outcome": col, "kind": kind, "method": method,
                         "n_treated": nt, "n_control": nc, "mean_treated": mt, "mean_control": mc,
                         "estimate": mt - mc, "se": float(se), "ci_low": float(lo), "ci_high": float(hi),
                         "p": float(p), "lift": (mt - mc) / mc if mc != 0 else np.nan})
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["p"].to_numpy())
    return out


def ols_robust(X, y, *, cov_type="HC1"):
    """OLS with a heteroskedasticity-robust sandwich covariance.

    ``y`` may be 2-d (one column per outcome): the design is factorised once.

    Notes
    -----
    :math:`\\hat\\beta = (X'X)^{-1}X'y`,
    :math:`V = (X'X)^{-1} X'\\mathrm{diag}(w_i e_i^2) X (X'X)^{-1}` with
    :math:`w_i = n/(n-p)` (HC1), :math:`1/(1-h_{ii})` (HC2) or 1 (HC0);
    White (1980), MacKinnon & White (1985).

    Returns (beta, cov): shapes (k,), (k, k) for 1-d ``y``; (k, m), (m, k, k) for 2-d.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    one = y.ndim == 1
    Y = y[:, None] if one else y
    n, k = X.shape
    q, r = np.linalg.qr(X)
    beta = np.linalg.solve(r, q.T @ Y)
    E = Y - X @ beta
    rinv = np.linalg.inv(r)
    bread = rinv @ rinv.T  # (X'X)^-1
    if cov_type == "HC0":
        w = np.ones(n)
    elif cov_type == "HC1":
        w = np.full(n, n / (n - k))
    elif cov_type == "HC2":
        w = 1 / (1 - np.einsum("ij,ij->i", q, q))
    else:
        raise ParameterError(f"cov_type must be HC0, HC1 or HC2, got {cov_type!r}")
    covs = []
    for j in range(Y.shape[1]):
        s = X * (np.sqrt(w) * np.abs(E[:, j]))[:, None]
        covs.append(bread @ (s.T @ s) @ bread)
    if one:
        return beta[:, 0], covs[0]
    return beta, np.stack(covs)


def cuped_effects(df, arm_col, control, outcomes, covariates, *, level=0.95, cov_type="HC1"):
    """Regression-adjusted (CUPED / ANCOVA) effect of each arm vs control.

    For each arm and outcome, on the arm + control customers, fits
    :math:`y = a + \\tau T + (x-\\bar x)'\\beta + T (x-\\bar x)'\\gamma + e`
    (Lin 2013, *Ann Appl Stat* 7:295: full interaction keeps the estimator
    consistent and never less precise asymptotically) with robust (HC1)
    standard errors. With one pre-period covariate and no interaction this is
    CUPED (Deng et al. 2013, WSDM). ``variance_reduction`` =
    :math:`1 - se_{adj}^2 / se_{unadj}^2`, the unadjusted se from the same
    robust regression on :math:`T` alone. Normal intervals at confidence ``level``.

    Returns columns ``arm, outcome, estimate, se, ci_low, ci_high, p,
    estimate_unadjusted, se_unadjusted, variance_reduction``.
    """
    outcomes = list(outcomes)
    arms = check_experiment(df, arm_col, control, outcomes)
    Xall = _design_matrix(df, list(covariates), drop_first=True).to_numpy()
    Yall = df[outcomes].to_numpy(dtype=float)
    g = df[arm_col].to_numpy()
    z = stats.norm.isf(_alpha(level) / 2)
    rows = []
    for a in arms:
        m = (g == a) | (g == control)
        X = Xall[m]
        X = X[:, X.std(axis=0) > 0]
        Xc = X - X.mean(axis=0)
        if np.linalg.matrix_rank(Xc) < Xc.shape[1]:
            Xc = _drop_collinear(Xc)  # e.g. dummies that add up to another covariate
        t = (g[m] == a).astype(float)[:, None]
        one = np.ones_like(t)
        Y = Yall[m]
        B, V = ols_robust(np.hstack([one, t, Xc, t * Xc]), Y, cov_type=cov_type)
        B0, V0 = ols_robust(np.hstack([one, t]), Y, cov_type=cov_type)
        for j, col in enumerate(outcomes):
            b, b0 = B[1, j], B0[1, j]
            se, se0 = np.sqrt(V[j, 1, 1]), np.sqrt(V0[j, 1, 1])
            rows.append({"arm": str(a), "outcome": col, "estimate": b, "se": se,
                         "ci_low": b - z * se, "ci_high": b + z * se,
                         "p": float(2 * stats.norm.sf(abs(b / se))),
                         "estimate_unadjusted": b0, "se_unadjusted": se0,
                         "variance_reduction": 1 - se**2 / se0**2})
    return pd.DataFrame(rows)


def _drop_collinear(X, tol=1e-9):
    """Greedy column selection keeping a full-rank design with an intercept."""
    cols = [np.ones(len(X))]
    kept = []
    for j in range(X.shape[1]):
        cand = np.column_stack(cols + [X[:, j]])
        if np.linalg.matrix_rank(cand, tol=tol * np.sqrt(len(X)) * max(1.0, np.abs(X[:, j]).max())) == cand.shape[1]:
            cols.append(X[:, j])
            kept.append(j)
    return X[:, kept]


def segment_effects(df, arm_col, control, outcomes, segments, *, arms=None, level=0.95, ci_method="newcombe"):
    """Effects of each arm vs control within pre-specified segments.

    For every segment column and level, :func:`itt_effects` on the customers
    of that level; ``p_holm`` adjusts across all segment x arm x outcome tests
    (the segments must be specified before looking at the data). Returns the
    :func:`itt_effects` columns plus ``segment, level``.
    """
    all_arms = check_experiment(df, arm_col, control, list(outcomes))
    arms = all_arms if arms is None else list(arms)
    unknown = [a for a in arms if a not in set(all_arms)]
    if unknown:
        raise DataError(f"arm(s) {unknown} not found in column {arm_col!r}")
    missing = [s for s in segments if s not in df.columns]
    if missing:
        raise DataError(f"segment column(s) {missing} not found")
    sub = df[df[arm_col].isin([control, *arms])]
    parts = []
    for seg in segments:
        for value, g in sub.groupby(seg, observed=True, sort=True):
            counts = g[arm_col].value_counts()
            if any(counts.get(a, 0) < 2 for a in [control, *arms]):
                continue  # a level without customers in some arm has no estimable effect
            r = itt_effects(g, arm_col, control, outcomes, level=level, ci_method=ci_method)
            r = r[r["arm"].isin([str(a) for a in arms])]
            parts.append(r.assign(segment=seg, level=str(value)))
    out = pd.concat(parts, ignore_index=True)
    out["p_holm"] = holm(out["p"].to_numpy())
    return out[["segment", "level", *[c for c in out.columns if c not in ("segment", "level")]]]
