"""The satisfaction -> loyalty relationship: shape, defection by level, typology, asymmetry.

All functions take plain arrays/Series (a satisfaction measure and a loyalty
measure, either latent scores or raw overall items) so that any survey can be
analysed by naming its columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.core.errors import DataError, ParameterError

__all__ = [
    "DEFAULT_LEVELS",
    "JS_TYPES",
    "KOTLER_LOSS",
    "SHAPE_MODELS",
    "ShapeResult",
    "fit_shapes",
    "jones_sasser",
    "not_loyal_by_level",
    "penalty_reward",
    "satisfaction_contrast",
    "wilson_interval",
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _xy(x, y, xname="satisfaction", yname="loyalty"):
    xs = pd.Series(np.asarray(x, dtype=float) if not isinstance(x, pd.Series) else x, dtype=float)
    ys = pd.Series(np.asarray(y, dtype=float) if not isinstance(y, pd.Series) else y, dtype=float)
    if len(xs) != len(ys):
        raise DataError(f"{xname} and {yname} have different lengths ({len(xs)} vs {len(ys)})")
    xv, yv = xs.to_numpy(float), ys.to_numpy(float)
    ok = np.isfinite(xv) & np.isfinite(yv)
    if ok.sum() < 10:
        raise DataError(f"need at least 10 complete pairs of {xname} and {yname}, got {int(ok.sum())}")
    if np.ptp(xv[ok]) == 0:
        raise DataError(f"{xname} is constant; no relationship can be estimated")
    return xv[ok], yv[ok]


def wilson_interval(k, n, level=0.95):
    """Wilson score interval for a binomial proportion (Wilson 1927, *JASA* 22, 209-212).

    ``(p + z^2/2n ± z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``.
    """
    k, n = np.asarray(k, float), np.asarray(n, float)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        den = 1 + z ** 2 / n
        mid = (p + z ** 2 / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / den
    return mid - half, mid + half


# --------------------------------------------------------------------------
# shape of satisfaction -> loyalty
# --------------------------------------------------------------------------
def _basis_linear(x, _state=None):
    return np.column_stack([np.ones_like(x), x]), None


def _pos3(u):
    return np.clip(u, 0, None) ** 3


def _rcs(x, knots):
    """Restricted (natural) cubic spline basis (Harrell 2015, *Regression Modeling Strategies*, 2.4.5)."""
    k = np.asarray(knots, float)
    t_last, t_pen = k[-1], k[-2]
    scale = (t_last - k[0]) ** 2
    cols = [np.ones_like(x), x]
    for j in range(len(k) - 2):
        cols.append((_pos3(x - k[j]) - _pos3(x - t_pen) * (t_last - k[j]) / (t_last - t_pen)
                     + _pos3(x - t_last) * (t_pen - k[j]) / (t_last - t_pen)) / scale)
    return np.column_stack(cols)


def _ols(Z, y):
    beta, *_ = np.linalg.lstsq(Z, y, rcond=None)
    resid = y - Z @ beta
    return beta, float(resid @ resid)


class _Linear:
    name, n_extra = "linear", 0

    def fit(self, x, y):
        self.beta_, self.rss_ = _ols(_basis_linear(x)[0], y)
        self.k_ = 2
        return self

    def predict(self, x):
        return _basis_linear(x)[0] @ self.beta_


#: Quantiles of satisfaction at which the piecewise model tries its threshold.
_THRESHOLD_GRID = np.linspace(0.1, 0.9, 33)


class _Piecewise:
    """Continuous two-segment line; the threshold is chosen by least squares on a grid."""

    name = "piecewise"

    def __init__(self, grid_q=None):
        self.grid_q = _THRESHOLD_GRID if grid_q is None else grid_q

    def fit(self, x, y):
        cands = np.unique(np.quantile(x, self.grid_q))
        best = None
        for t in cands:
            Z = np.column_stack([np.ones_like(x), x, np.clip(x - t, 0, None)])
            beta, rss = _ols(Z, y)
            if best is None or rss < best[2]:
                best = (t, beta, rss)
        self.threshold_, self.beta_, self.rss_ = best
        self.k_ = 4  # intercept, two slopes, threshold
        return self

    def predict(self, x):
        return np.column_stack([np.ones_like(x), x, np.clip(x - self.threshold_, 0, None)]) @ self.beta_


class _Spline:
    name = "spline"

    def __init__(self, n_knots=4):
        self.n_knots = n_knots

    def fit(self, x, y):
        q = {3: [0.1, 0.5, 0.9], 4: [0.05, 0.35, 0.65, 0.95],
             5: [0.05, 0.275, 0.5, 0.725, 0.95]}.get(self.n_knots)
        if q is None:
            q = np.linspace(0.05, 0.95, self.n_knots)
        knots = np.unique(np.quantile(x, q))
        if len(knots) < 3:
            knots = np.linspace(x.min(), x.max(), 3)
        self.knots_ = knots
        self.beta_, self.rss_ = _ols(_rcs(x, knots), y)
        self.k_ = len(self.beta_)
        return self

    def predict(self, x):
        return _rcs(x, self.knots_) @ self.beta_


SHAPE_MODELS = {"linear": _Linear, "piecewise": _Piecewise, "spline": _Spline}


@dataclass
class ShapeResult:
    """Comparison of functional forms of loyalty on satisfaction.

    Attributes
    ----------
    table : DataFrame
        model, params, rss, aic, bic, cv_mse, cv_se (one row per model).
    best : str
        Chosen by cross-validated error with the one-standard-error rule
        (the simplest model within one SE of the smallest CV error).
    best_aic : str
        Model with the smallest AIC.
    threshold : float
        Estimated threshold of the piecewise model (full data).
    fitted : dict
        Model name -> fitted model (``predict(x)``).
    """

    table: pd.DataFrame
    best: str
    best_aic: str
    threshold: float
    fitted: dict = field(repr=False)
    x: np.ndarray = field(repr=False, default=None)
    y: np.ndarray = field(repr=False, default=None)

    def curves(self, n: int = 200) -> pd.DataFrame:
        """Fitted curves on a grid, tidy: x, model, fitted."""
        g = np.linspace(self.x.min(), self.x.max(), n)
        return pd.concat([pd.DataFrame({"x": g, "model": k, "fitted": m.predict(g)})
                          for k, m in self.fitted.items()], ignore_index=True)

    def _repr_html_(self):
        return self.table.to_html(index=False, float_format="%.4f")


def fit_shapes(x, y, models=("linear", "piecewise", "spline"), n_splits: int = 10,
               seed: int = 0, spline_knots: int = 4) -> ShapeResult:
    """Compare linear, threshold (piecewise) and spline fits of loyalty on satisfaction.

    Parameters
    ----------
    x, y : array-like
        Satisfaction and loyalty measures (pairs with a missing value are dropped).
    models : sequence of str
        Names from :data:`SHAPE_MODELS`, from the simplest to the most flexible
        (this order breaks ties in the one-SE rule).
    n_splits : int
        Folds of the cross-validation (shuffled with ``seed``).
    seed : int
    spline_knots : int
        Knots of the restricted cubic spline (3-5 at Harrell's quantiles).

    Notes
    -----
    Gaussian AIC ``n log(RSS/n) + 2(k + 1)`` and BIC ``n log(RSS/n) + log(n)(k + 1)``
    with k regression parameters (the piecewise threshold counts as one).  The
    threshold is re-estimated inside every training fold.  One-SE rule:
    Hastie, Tibshirani & Friedman (2009), *Elements of Statistical Learning*, 7.10.
    """
    xv, yv = _xy(x, y)
    unknown = [m for m in models if m not in SHAPE_MODELS]
    if unknown:
        raise ParameterError(f"unknown shape model(s) {unknown}; choose from {list(SHAPE_MODELS)}")
    if n_splits < 2 or n_splits > len(xv):
        raise ParameterError(f"n_splits must be between 2 and the number of respondents ({len(xv)})")

    def make(name):
        return _Spline(spline_knots) if name == "spline" else SHAPE_MODELS[name]()

    n = len(xv)
    folds = np.random.default_rng(seed).permutation(n) % n_splits
    rows, fitted = [], {}
    for name in models:
        full = make(name).fit(xv, yv)
        fitted[name] = full
        errs = np.empty(n)
        for f in range(n_splits):
            tr, te = folds != f, folds == f
            errs[te] = (yv[te] - make(name).fit(xv[tr], yv[tr]).predict(xv[te])) ** 2
        fold_mse = np.array([errs[folds == f].mean() for f in range(n_splits)])
        k = full.k_
        rows.append({"model": name, "params": k, "rss": full.rss_,
                     "aic": n * np.log(full.rss_ / n) + 2 * (k + 1),
                     "bic": n * np.log(full.rss_ / n) + np.log(n) * (k + 1),
                     "cv_mse": errs.mean(), "cv_se": fold_mse.std(ddof=1) / np.sqrt(n_splits)})
    table = pd.DataFrame(rows)
    i_min = table["cv_mse"].idxmin()
    limit = table.loc[i_min, "cv_mse"] + table.loc[i_min, "cv_se"]
    best = table.loc[table["cv_mse"] <= limit, "model"].iloc[0]
    best_aic = table.loc[table["aic"].idxmin(), "model"]
    thr = fitted["piecewise"].threshold_ if "piecewise" in fitted else float("nan")
    return ShapeResult(table=table, best=str(best), best_aic=str(best_aic), threshold=float(thr),
                       fitted=fitted, x=xv, y=yv)


# --------------------------------------------------------------------------
# defection by satisfaction level (Kotler's table) and Jones & Sasser
# --------------------------------------------------------------------------
#: Kotler's figures: share of customers lost at each of the five default levels
#: (very dissatisfied ... highly satisfied; 1-2% taken as 1.5%).
KOTLER_LOSS = {"very dissatisfied": 0.80, "somewhat dissatisfied": 0.40, "neutral": 0.20,
               "satisfied": 0.10, "highly satisfied": 0.015}

#: Default satisfaction levels for a 0-10 scale: (label, lowest value, highest value).
DEFAULT_LEVELS = [("very dissatisfied", 0, 2), ("somewhat dissatisfied", 3, 4), ("neutral", 5, 6),
                  ("satisfied", 7, 8), ("highly satisfied", 9, 10)]


def _levels(levels):
    if not levels:
        raise ParameterError("levels must be a non-empty list of [label, low, high]")
    out = []
    for lv in levels:
        if len(lv) != 3 or not lv[1] <= lv[2]:
            raise ParameterError(f"level {lv!r} must be [label, low, high] with low <= high")
        out.append((str(lv[0]), float(lv[1]), float(lv[2])))
    return out


def not_loyal_by_level(satisfaction, loyalty, loyal_min: float, levels=None,
                       level: float = 0.95) -> pd.DataFrame:
    """Share of not-loyal respondents at each satisfaction level, with Wilson intervals.

    Parameters
    ----------
    satisfaction, loyalty : array-like
        Raw overall ratings (e.g. an overall satisfaction item and a
        repurchase-intention item).
    loyal_min : float
        A respondent with ``loyalty < loyal_min`` counts as not loyal.
    levels : list of [label, low, high], optional
        Inclusive satisfaction ranges; default :data:`DEFAULT_LEVELS` (0-10 scale).
        Values may be fractional (e.g. the mean of several items); a value
        between two ranges belongs to the lower one when it is below the next
        range's low end.
    level : float
        Interval coverage.

    Returns
    -------
    DataFrame with level, low, high, n, not_loyal, share, ci_low, ci_high.

    Notes
    -----
    The table Kotler describes (loss of ~80% of very dissatisfied down to 1-2%
    of highly satisfied customers); intervals by Wilson's score method.
    """
    s, l_ = _xy(satisfaction, loyalty)
    lv = _levels(levels or DEFAULT_LEVELS)
    outside = (s < lv[0][1]) | (s > lv[-1][2])
    if outside.any():
        raise DataError(f"{int(outside.sum())} satisfaction values lie outside the levels "
                        f"[{lv[0][1]:g}, {lv[-1][2]:g}], e.g. {sorted(set(s[outside].tolist()))[:5]}; "
                        "give levels that match the answer scale")
    rows = []
    for i, (lab, lo, hi) in enumerate(lv):
        upper = lv[i + 1][1] if i + 1 < len(lv) else np.inf
        m = (s >= lo) & ((s <= hi) | (s < upper)) if i + 1 < len(lv) else (s >= lo) & (s <= hi)
        n = int(m.sum())
        k = int((l_[m] < loyal_min).sum())
        lo_ci, hi_ci = wilson_interval(k, n, level) if n else (np.nan, np.nan)
        rows.append({"level": lab, "low": lo, "high": hi, "n": n, "not_loyal": k,
                     "share": k / n if n else np.nan, "ci_low": float(lo_ci), "ci_high": float(hi_ci)})
    return pd.DataFrame(rows)


def satisfaction_contrast(satisfaction, loyalty, loyal_min: float, completely_min: float,
                          merely: tuple, level: float = 0.95) -> dict:
    """Completely vs merely satisfied: not-loyal shares, difference and ratio (Jones & Sasser 1995).

    Parameters
    ----------
    completely_min : float
        Satisfaction at or above this value is "completely satisfied".
    merely : (low, high)
        Inclusive satisfaction range of the "merely satisfied".

    Returns
    -------
    dict with n and share not loyal in both groups, ``difference`` (merely -
    completely) with Newcombe's hybrid-score interval, ``ratio`` and the Fisher
    exact test p-value.

    Notes
    -----
    Newcombe (1998), *Statistics in Medicine* 17, 873-890, method 10.
    """
    s, l_ = _xy(satisfaction, loyalty)
    if merely[1] >= completely_min:
        raise ParameterError("the 'merely satisfied' range must lie below completely_min")
    c = s >= completely_min
    m = (s >= merely[0]) & (s <= merely[1])
    nc, nm = int(c.sum()), int(m.sum())
    if nc == 0 or nm == 0:
        raise DataError(f"no respondents in the {'completely' if nc == 0 else 'merely'} satisfied group")
    kc, km = int((l_[c] < loyal_min).sum()), int((l_[m] < loyal_min).sum())
    pc, pm = kc / nc, km / nm
    lc, uc = wilson_interval(kc, nc, level)
    lm, um = wilson_interval(km, nm, level)
    d = pm - pc
    lo = d - np.sqrt((pm - lm) ** 2 + (uc - pc) ** 2)
    hi = d + np.sqrt((um - pm) ** 2 + (pc - lc) ** 2)
    p = stats.fisher_exact([[km, nm - km], [kc, nc - kc]]).pvalue
    return {"n_completely": nc, "n_merely": nm, "not_loyal_completely": pc, "not_loyal_merely": pm,
            "difference": d, "ci_low": float(lo), "ci_high": float(hi),
            "ratio": pm / pc if pc > 0 else float("inf"), "p_fisher": float(p)}


JS_TYPES = ("apostle", "mercenary", "hostage", "defector")


def jones_sasser(satisfaction, loyalty, satisfied_min: float, loyal_min: float):
    """Jones & Sasser (1995) typology.

    apostle: satisfied and loyal; mercenary: satisfied, not loyal; hostage:
    dissatisfied but loyal; defector: neither.  A respondent is satisfied when
    ``satisfaction >= satisfied_min`` and loyal when ``loyalty >= loyal_min``.

    Returns
    -------
    (labels, table) : Series of type per respondent (NaN where an input is
    missing) and a DataFrame type, n, share.
    """
    s = pd.Series(np.asarray(satisfaction, float))
    l_ = pd.Series(np.asarray(loyalty, float))
    if len(s) != len(l_):
        raise DataError("satisfaction and loyalty have different lengths")
    sat, loy = s >= satisfied_min, l_ >= loyal_min
    lab = np.select([sat & loy, sat & ~loy, ~sat & loy], JS_TYPES[:3], JS_TYPES[3]).astype(object)
    lab[(s.isna() | l_.isna()).to_numpy()] = None
    index = satisfaction.index if isinstance(satisfaction, pd.Series) else None
    labels = pd.Series(pd.Categorical(lab, categories=JS_TYPES), index=index)
    cnt = labels.value_counts().reindex(JS_TYPES).fillna(0).astype(int)
    table = pd.DataFrame({"type": JS_TYPES, "n": cnt.to_numpy(), "share": (cnt / cnt.sum()).to_numpy()})
    return labels, table


# --------------------------------------------------------------------------
# penalty-reward contrast analysis
# --------------------------------------------------------------------------
def penalty_reward(data: pd.DataFrame, attributes: list, overall: str, low_q: float = 0.25,
                   high_q: float = 0.75, low=None, high=None, alpha: float = 0.05) -> pd.DataFrame:
    """Penalty-reward contrast analysis (three-factor theory).

    Each attribute is dummy-coded: ``low = 1`` when its rating is at or below
    the low cut, ``high = 1`` when at or above the high cut (the middle is the
    reference).  Overall satisfaction is regressed by OLS on all dummies.

    Parameters
    ----------
    data : DataFrame
    attributes : list of str
        Attribute performance columns (items or construct scores).
    overall : str
        Overall satisfaction column.
    low_q, high_q : float
        Quantile cut-offs used when ``low``/``high`` are not given.
    low, high : dict or float, optional
        Explicit cut values (one for all attributes, or per attribute).
    alpha : float
        Test level for the classification.

    Returns
    -------
    DataFrame attribute, low_cut, high_cut, n_low, n_high, penalty, reward,
    se_penalty, se_reward, p_asymmetry, factor.

    Notes
    -----
    penalty = coefficient of the low dummy (negative when low performance
    hurts), reward = coefficient of the high dummy.  Asymmetry is tested with
    the Wald t statistic of ``penalty + reward = 0`` (i.e. |penalty| = reward).
    factor: *basic* when |penalty| > reward significantly, *excitement* when
    reward > |penalty| significantly, *performance* otherwise (Brandt 1987;
    Mikulic & Prebezac 2008, *Managing Service Quality* 18, 559-576).
    """
    missing = [c for c in list(attributes) + [overall] if c not in data.columns]
    if missing:
        raise DataError(f"columns missing for penalty-reward analysis: {missing}")
    d = data[list(attributes) + [overall]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(d) < 2 * len(attributes) + 10:
        raise DataError(f"too few complete rows ({len(d)}) for {len(attributes)} attributes")
    cols, cuts = [np.ones(len(d))], []
    for a in attributes:
        lo = (low.get(a) if isinstance(low, dict) else low) if low is not None else d[a].quantile(low_q)
        hi = (high.get(a) if isinstance(high, dict) else high) if high is not None else d[a].quantile(high_q)
        if lo >= hi:
            raise DataError(f"attribute {a!r}: low cut {lo} is not below high cut {hi}")
        dl, dh = (d[a] <= lo).astype(float), (d[a] >= hi).astype(float)
        if dl.sum() == 0 or dh.sum() == 0:
            raise DataError(f"attribute {a!r}: no respondents in the {'low' if dl.sum() == 0 else 'high'} group")
        cols += [dl.to_numpy(), dh.to_numpy()]
        cuts.append((lo, hi, int(dl.sum()), int(dh.sum())))
    Z = np.column_stack(cols)
    y = d[overall].to_numpy(float)
    beta, rss = _ols(Z, y)
    n, k = Z.shape
    sigma2 = rss / (n - k)
    cov = sigma2 * np.linalg.pinv(Z.T @ Z)
    tcrit_df = n - k
    rows = []
    for i, a in enumerate(attributes):
        il, ih = 1 + 2 * i, 2 + 2 * i
        pen, rew = beta[il], beta[ih]
        se_d = np.sqrt(cov[il, il] + cov[ih, ih] + 2 * cov[il, ih])
        tval = (pen + rew) / se_d
        p = 2 * stats.t.sf(abs(tval), tcrit_df)
        if p < alpha and -pen > rew:
            fac = "basic"
        elif p < alpha and rew > -pen:
            fac = "excitement"
        else:
            fac = "performance"
        lo, hi, nl, nh = cuts[i]
        rows.append({"attribute": a, "low_cut": float(lo), "high_cut": float(hi), "n_low": nl, "n_high": nh,
                     "penalty": pen, "reward": rew, "se_penalty": np.sqrt(cov[il, il]),
                     "se_reward": np.sqrt(cov[ih, ih]), "p_asymmetry": p, "factor": fac})
    return pd.DataFrame(rows)
