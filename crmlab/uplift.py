"""Who responds, and is targeting worth it: uplift models, Qini, policy value.

Meta-learners for the conditional average treatment effect (CATE)
:math:`\\tau(x) = E[Y(1) - Y(0) | X = x]` on any scikit-learn regressor,
honest (cross-fitted, out-of-fold) CATE scores, the Qini curve with its area
against random targeting, and the net value of "contact the top k%" policies
with Poisson-bootstrap intervals.

References: Kunzel, Sekhon, Bickel & Yu (2019), *PNAS* 116:4156 (T- and
X-learner); Kennedy (2023), *Electron J Stat* 17:3008 (DR-learner);
Radcliffe (2007) and Diemert et al. (2018, AdKDD) for Qini curves.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from crmlab.core.errors import DataError, ParameterError
from crmlab.core.levels import alpha_of as _alpha

__all__ = [
    "LEARNERS",
    "DRLearner",
    "PolicyResult",
    "TLearner",
    "XLearner",
    "check_uplift_inputs",
    "cross_fit_cate",
    "default_regressor",
    "policy_value",
    "qini_bootstrap",
    "qini_curve",
    "qini_summary",
]


def _sklearn_seed(seed):
    """``seed`` for scikit-learn's ``random_state``: an int (or None) as is; a numpy Generator gives an int."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**31 - 1))
    return seed


def default_regressor(seed=None):
    """A regularised gradient-boosting regressor (works for 0/1 and continuous outcomes).

    ``seed`` (int or numpy Generator) fixes its random state."""
    return HistGradientBoostingRegressor(max_iter=150, learning_rate=0.05, max_leaf_nodes=15,
                                         min_samples_leaf=200, l2_regularization=1.0,
                                         random_state=_sklearn_seed(seed))


def check_uplift_inputs(X, t, y):
    """Arrays of matching length; ``t`` 0/1 with both groups present; finite ``y``."""
    X = np.asarray(X, dtype=float)
    t = np.asarray(t)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[0] != t.shape[0] or t.shape[0] != y.shape[0]:
        raise DataError(f"X ({X.shape}), t ({t.shape}) and y ({y.shape}) must have the same number of rows")
    if not np.isin(t, [0, 1]).all():
        rows = np.flatnonzero(~np.isin(t, [0, 1]))[:5]
        raise DataError(f"treatment indicator must be 0/1; rows {rows.tolist()} hold {t[rows].tolist()}")
    if t.sum() == 0 or t.sum() == t.size:
        raise DataError("treatment indicator holds a single group: need treated and control customers")
    if not np.isfinite(y).all():
        raise DataError(f"outcome has missing/infinite values at rows {np.flatnonzero(~np.isfinite(y))[:5].tolist()}")
    return X, t.astype(int), y


class _Base:
    """Meta-learner base: ``model`` (any scikit-learn regressor; default :func:`default_regressor`),
    ``propensity`` (the randomisation share treated; default: the observed share) and ``seed``."""

    def __init__(self, model=None, *, propensity=None, seed=None):
        self.model = model
        self.propensity = propensity
        self.seed = seed

    def _new(self):
        return clone(self.model) if self.model is not None else default_regressor(self._seed)

    def _fix_seed(self):
        self._seed = _sklearn_seed(self.seed)  # one draw per fit when seed is a Generator

    def _e(self, t):
        e = float(np.mean(t)) if self.propensity is None else float(self.propensity)
        if not 0 < e < 1:
            raise ParameterError(f"propensity must be in (0, 1), got {e}")
        return e


class TLearner(_Base):
    """T-learner: separate outcome models per arm, :math:`\\hat\\tau(x) = \\hat\\mu_1(x) - \\hat\\mu_0(x)`."""

    def fit(self, X, t, y):
        X, t, y = check_uplift_inputs(X, t, y)
        self._fix_seed()
        self.mu0_ = self._new().fit(X[t == 0], y[t == 0])
        self.mu1_ = self._new().fit(X[t == 1], y[t == 1])
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        return self.mu1_.predict(X) - self.mu0_.predict(X)


class XLearner(_Base):
    """X-learner (Kunzel et al. 2019).

    Notes
    -----
    Imputed effects :math:`D^1_i = Y_i - \\hat\\mu_0(X_i)` (treated) and
    :math:`D^0_i = \\hat\\mu_1(X_i) - Y_i` (control), regressed on X to give
    :math:`\\hat\\tau_1, \\hat\\tau_0`; combined as
    :math:`\\hat\\tau = e\\,\\hat\\tau_0 + (1-e)\\,\\hat\\tau_1` with the
    (randomisation) propensity e.
    """

    def fit(self, X, t, y):
        X, t, y = check_uplift_inputs(X, t, y)
        self._fix_seed()
        self.e_ = self._e(t)
        mu0 = self._new().fit(X[t == 0], y[t == 0])
        mu1 = self._new().fit(X[t == 1], y[t == 1])
        self.tau1_ = self._new().fit(X[t == 1], y[t == 1] - mu0.predict(X[t == 1]))
        self.tau0_ = self._new().fit(X[t == 0], mu1.predict(X[t == 0]) - y[t == 0])
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        return self.e_ * self.tau0_.predict(X) + (1 - self.e_) * self.tau1_.predict(X)


class DRLearner(_Base):
    """Doubly robust learner (Kennedy 2023) with internal cross-fitting of the nuisances.

    Notes
    -----
    Pseudo-outcome
    :math:`\\phi = \\hat\\mu_1(X) - \\hat\\mu_0(X) + T(Y-\\hat\\mu_1(X))/e - (1-T)(Y-\\hat\\mu_0(X))/(1-e)`,
    with :math:`\\hat\\mu` fitted on folds not containing the row; :math:`\\phi`
    regressed on X. Its mean is the AIPW estimate of the ATE.
    """

    def __init__(self, model=None, *, propensity=None, n_folds=2, seed=None):
        super().__init__(model, propensity=propensity, seed=seed)
        self.n_folds = n_folds

    def fit(self, X, t, y):
        X, t, y = check_uplift_inputs(X, t, y)
        self._fix_seed()
        self.e_ = e = self._e(t)
        mu0, mu1 = np.empty(len(y)), np.empty(len(y))
        skf = StratifiedKFold(self.n_folds, shuffle=True, random_state=self._seed)
        for tr, te in skf.split(X, t):
            m0 = self._new().fit(X[tr][t[tr] == 0], y[tr][t[tr] == 0])
            m1 = self._new().fit(X[tr][t[tr] == 1], y[tr][t[tr] == 1])
            mu0[te], mu1[te] = m0.predict(X[te]), m1.predict(X[te])
        phi = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
        self.pseudo_outcome_ = phi
        self.tau_ = self._new().fit(X, phi)
        return self

    def predict(self, X):
        return self.tau_.predict(np.asarray(X, dtype=float))


#: registry name -> learner class
LEARNERS = {"t": TLearner, "x": XLearner, "dr": DRLearner}


def cross_fit_cate(X, t, y, *, learner="t", model=None, n_folds=5, seed=None, n_threads=1):
    """Honest CATE scores: each row scored by a learner fitted without it.

    Folds are stratified on treatment (``StratifiedKFold(n_folds, shuffle=True,
    random_state=seed)``) and each fold's learner gets the same ``seed``. Returns an
    array of out-of-fold :math:`\\hat\\tau(x_i)` suitable for held-out Qini curves
    and policy values. ``n_threads`` caps OpenMP threads (None: library default).
    """
    if learner not in LEARNERS:
        raise ParameterError(f"learner must be one of {sorted(LEARNERS)}, got {learner!r}")
    X, t, y = check_uplift_inputs(X, t, y)
    if n_folds < 2:
        raise ParameterError(f"n_folds must be >= 2, got {n_folds}")
    out = np.empty(len(y))
    seed = _sklearn_seed(seed)
    skf = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    with threadpool_limits(limits=n_threads, user_api="openmp"):
        for tr, te in skf.split(X, t):
            est = LEARNERS[learner](model, seed=seed).fit(X[tr], t[tr], y[tr])
            out[te] = est.predict(X[te])
    return out


# --------------------------------------------------------------------------- Qini
def _sorted_cums(y, t, score):
    order = np.argsort(-np.asarray(score, dtype=float), kind="mergesort")
    y, t = np.asarray(y, dtype=float)[order], np.asarray(t)[order]
    return y, t, np.cumsum(y * t), np.cumsum(t), np.cumsum(y * (1 - t)), np.cumsum(1 - t)


def qini_curve(y, t, score, *, n_points=101):
    """Qini curve of a held-out score.

    Notes
    -----
    Customers sorted by decreasing score; for the top fraction
    :math:`\\varphi` (k customers),
    :math:`Q(\\varphi) = Y_T(k)/N_T - Y_C(k)/N_C`, where :math:`Y_T(k)` is the
    sum of outcomes of treated customers among the top k and :math:`N_T` the
    number of treated overall (Diemert et al. 2018, normalised form of
    Radcliffe's 2007 Qini). :math:`Q(1)` is the average effect; random
    targeting is the line :math:`\\varphi Q(1)`. Ties in the score are broken
    by row order. Returns ``fraction, qini, random``.
    """
    _, tt, cyt, cnt, cyc, cnc = _sorted_cums(y, t, score)
    n = tt.size
    nt, nc = cnt[-1], cnc[-1]
    if nt == 0 or nc == 0:
        raise DataError("Qini curve needs treated and control customers")
    frac = np.linspace(0, 1, n_points)
    k = np.round(frac * n).astype(int)
    q = np.where(k > 0, cyt[np.maximum(k - 1, 0)] / nt - cyc[np.maximum(k - 1, 0)] / nc, 0.0)
    return pd.DataFrame({"fraction": frac, "qini": q, "random": frac * q[-1]})


def qini_summary(curve: pd.DataFrame) -> dict:
    """Areas under the Qini curve (``auuc``) and under random targeting
    (``qini_random`` = Q(1)/2), and the Qini coefficient (their difference),
    by the trapezoid rule over the fraction targeted."""
    x = curve["fraction"].to_numpy()
    auuc = float(np.trapezoid(curve["qini"].to_numpy(), x))
    rnd = float(np.trapezoid(curve["random"].to_numpy(), x))
    return {"auuc": auuc, "qini_random": rnd, "qini_coefficient": auuc - rnd}


def qini_bootstrap(y, t, score, *, n_points=101, n_boot=500, level=0.95, seed=None, chunk=100):
    """Poisson-bootstrap interval (confidence ``level``) for the Qini coefficient (AUUC minus random targeting).

    The score ranking is held fixed (it comes from cross-fitting); customers
    are resampled with Poisson(1) weights, the Qini curve recomputed from
    weighted bin sums (a sparse matrix product per batch) and the percentile
    interval of ``auuc - qini_random`` returned as a dict ``qini_coefficient,
    ci_low, ci_high, p_not_better`` (share of replicates <= 0).
    """
    from scipy import sparse

    alpha = _alpha(level)
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    check_uplift_inputs(np.zeros((y.size, 1)), t, y)
    order = np.argsort(-np.asarray(score, dtype=float), kind="mergesort")
    yy, tt = y[order], t[order].astype(float)
    n = y.size
    frac = np.linspace(0, 1, n_points)
    k = np.round(frac * n).astype(int)
    edges = np.unique(np.concatenate([[0], k, [n]]))
    nb = edges.size - 1
    kpos = np.searchsorted(edges, k)
    rows = np.arange(n)
    b_of_row = np.searchsorted(edges, rows, side="right") - 1
    cols = [yy * tt, tt, yy * (1 - tt), 1 - tt]
    M = sparse.csr_matrix((np.concatenate(cols), (np.tile(rows, 4), np.concatenate([b_of_row + j * nb
                                                                                      for j in range(4)]))),
                          shape=(n, 4 * nb))

    def coef(sums):  # (b, 4, nb) -> qini coefficient per replicate
        c = np.concatenate([np.zeros(sums.shape[:-1] + (1,)), np.cumsum(sums, axis=-1)], axis=-1)[..., kpos]
        q = c[:, 0] / c[:, 1, -1:] - c[:, 2] / c[:, 3, -1:]
        auuc = np.trapezoid(q, frac, axis=-1)
        return auuc - q[:, -1] / 2

    point = float(coef(np.asarray(M.sum(axis=0)).reshape(1, 4, nb))[0])
    rng = np.random.default_rng(seed)
    reps = []
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        w = rng.poisson(1.0, size=(b, n)).astype(float)
        reps.append(coef(np.asarray((M.T @ w.T).T).reshape(b, 4, nb)))
    reps = np.concatenate(reps)
    lo, hi = np.quantile(reps, [alpha / 2, 1 - alpha / 2])
    return {"qini_coefficient": point, "ci_low": float(lo), "ci_high": float(hi),
            "p_not_better": float(np.mean(reps <= 0))}


# --------------------------------------------------------------------------- policy value
@dataclass
class PolicyResult:
    """Net value of 'contact the top k%' policies; ``table`` per fraction."""
    table: pd.DataFrame
    best_k: float
    net_value: float
    ci_low: float
    ci_high: float
    everyone: dict = field(default_factory=dict)


def policy_value(value, t, score, *, cost_per_contact, fractions=None, n_boot=1000, level=0.95,
                 seed=None, chunk=200):
    """Value of contacting the top fraction k of customers by a held-out score.

    Parameters
    ----------
    value : array
        Value outcome per customer (e.g. margin per customer, or
        sum of value_per_outcome x outcome).
    t : array of 0/1
        Randomised contact indicator (1 = contacted).
    score : array
        Held-out predicted uplift (higher = contact first).
    cost_per_contact : float
    fractions : grid of k in [0, 1] (default 0, 0.05, ..., 1).
    n_boot : bootstrap replicates (0: no intervals).
    level : confidence level of the percentile intervals.
    seed : int or numpy Generator for the Poisson weights.

    Notes
    -----
    For the top-k set :math:`S_k`, the incremental value per customer of the
    whole base is
    :math:`V(k) = k\\,[\\bar v_{T}(S_k) - \\bar v_{C}(S_k)]` and the net value
    :math:`V(k) - c\\,k`; ROI = :math:`(V(k) - ck)/(ck)`. :math:`k = 0`
    (contact no one) is 0, :math:`k = 1` is contacting everyone. Intervals:
    Poisson bootstrap (weights ~ Poisson(1); Hanley & MacGibbon 2006), computed
    as batched weighted sums over score bins, percentile limits; ``everyone``
    holds the contact-everyone value and the paired-bootstrap gain of the best
    k over it. The score
    ranking is held fixed (model refit uncertainty is not included), and the
    interval at ``best_k`` ignores the choice of k (slightly optimistic).
    """
    alpha = _alpha(level)
    value = np.asarray(value, dtype=float)
    t = np.asarray(t)
    check_uplift_inputs(np.zeros((len(value), 1)), t, value)
    if cost_per_contact < 0:
        raise ParameterError(f"cost_per_contact must be >= 0, got {cost_per_contact}")
    fr = np.round(np.linspace(0, 1, 21), 6) if fractions is None else np.asarray(fractions, dtype=float)
    if (fr < 0).any() or (fr > 1).any():
        raise ParameterError("fractions must lie in [0, 1]")
    n = value.size
    order = np.argsort(-np.asarray(score, dtype=float), kind="mergesort")
    v, tt = value[order], t[order].astype(float)
    k = np.round(fr * n).astype(int)
    # bin boundaries: rows [edges[j], edges[j+1]) ; cumulative sums at each k via bins
    edges = np.unique(np.concatenate([[0], k, [n]]))
    kpos = np.searchsorted(edges, k)  # cumulative over first kpos bins

    def stats_from_bins(sums):  # sums: (..., 4, nbins) -> net value per fraction
        c = np.concatenate([np.zeros(sums.shape[:-1] + (1,)), np.cumsum(sums, axis=-1)], axis=-1)
        c = c[..., kpos]  # (..., 4, nfr)
        syt, snt, syc, snc = c[..., 0, :], c[..., 1, :], c[..., 2, :], c[..., 3, :]
        ntot = c[..., 1, -1:] + c[..., 3, -1:]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (snt + snc) / ntot
            diff = np.where((snt > 0) & (snc > 0), syt / snt - syc / snc, 0.0)
        return share * diff

    cols = np.stack([v * tt, tt, v * (1 - tt), 1 - tt])  # (4, n)
    point_incr = stats_from_bins(np.add.reduceat(cols, edges[:-1], axis=1))
    rng = np.random.default_rng(seed)
    nb = edges.size - 1
    ind = np.zeros((n, nb))
    ind[np.arange(n), np.searchsorted(edges, np.arange(n), side="right") - 1] = 1.0
    M = np.concatenate([c[:, None] * ind for c in cols], axis=1)  # (n, 4 * nbins)
    boots = []
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        w = rng.poisson(1.0, size=(b, n)).astype(float)
        boots.append(stats_from_bins((w @ M).reshape(b, 4, nb)))
    boots = np.concatenate(boots) if boots else np.empty((0, fr.size))
    cost = cost_per_contact * fr
    net = point_incr - cost
    net_b = boots - cost
    lo, hi = (np.nanquantile(net_b, [alpha / 2, 1 - alpha / 2], axis=0) if n_boot
              else (np.full(fr.size, np.nan), np.full(fr.size, np.nan)))  # n_boot=0: no intervals
    with np.errstate(invalid="ignore", divide="ignore"):
        roi = np.where(cost > 0, net / cost, np.nan)
    table = pd.DataFrame({"fraction": fr, "incremental_value": point_incr, "cost": cost, "net_value": net,
                          "ci_low": lo, "ci_high": hi, "roi": roi})
    i = int(np.argmax(net))
    everyone = {}
    j = np.flatnonzero(np.isclose(fr, 1.0))
    if j.size:
        j = int(j[0])
        everyone = {"net_value": float(net[j]), "ci_low": float(lo[j]), "ci_high": float(hi[j])}
        # paired bootstrap of the gain of the best policy over contacting everyone
        gain_b = net_b[:, i] - net_b[:, j]
        glo, ghi = np.nanquantile(gain_b, [alpha / 2, 1 - alpha / 2]) if n_boot else (np.nan, np.nan)
        everyone.update({"gain_of_best": float(net[i] - net[j]), "gain_ci_low": float(glo),
                         "gain_ci_high": float(ghi)})
    return PolicyResult(table, float(fr[i]), float(net[i]), float(lo[i]), float(hi[i]), everyone)
