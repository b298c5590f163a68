"""Budgeted targeting from uplift scores: whom to contact for a given budget, and what it is worth.

Given held-out (cross-fitted) predicted uplifts, a contact cost and a budget
(money) or a number of contacts, the policy contacts the customers with the
highest predicted net value (predicted incremental value minus cost) until the
budget is spent. Its value is estimated from the randomised experiment itself:
within the contacted set, treated minus control mean value, times the number
contacted. With fold labels the ranking and the evaluation are done fold by
fold, so every customer's outcome is evaluated under a ranking from a model
that never saw it (the folds of :func:`crmlab.uplift.cross_fit_cate`, which
:func:`fold_ids` reproduces).

Everything is computed from cumulative sums along the ranking, so a whole
budget curve on a million customers costs one sort.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.model_selection import StratifiedKFold

from crmlab.core.errors import DataError, ParameterError

__all__ = ["fold_ids", "cross_fit_scores", "budget_curve", "budget_policy", "BudgetPolicy"]


def fold_ids(t, n_folds=5, seed=0):
    """Fold (0 .. n_folds - 1) of each row in :func:`crmlab.uplift.cross_fit_cate` with ``seed=seed``.

    ``cross_fit_cate`` splits with ``StratifiedKFold(n_folds, shuffle=True,
    random_state=seed)`` on the treatment indicator; the split depends only on
    ``t``, ``n_folds`` and ``seed`` (an int: with None the split is not
    reproducible).
    """
    t = np.asarray(t)
    if seed is None or not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"seed must be an int to reproduce the folds, got {seed!r}")
    out = np.empty(t.size, dtype=np.int64)
    skf = StratifiedKFold(n_folds, shuffle=True, random_state=int(seed))
    for f, (_, te) in enumerate(skf.split(np.zeros((t.size, 1)), t)):
        out[te] = f
    return out


def cross_fit_scores(X, t, y, *, learner="t", model=None, n_folds=5, seed=0, n_threads=1):
    """Out-of-fold CATE scores from :func:`crmlab.uplift.cross_fit_cate` and the fold of each row.

    Returns ``(scores, folds)``; pass both to :func:`budget_curve` /
    :func:`budget_policy` so that each fold is ranked and evaluated on its own.
    ``seed`` must be an int (it fixes the folds).
    """
    from crmlab.uplift import cross_fit_cate

    folds = fold_ids(t, n_folds, seed)
    scores = cross_fit_cate(X, t, y, learner=learner, model=model, n_folds=n_folds, seed=int(seed),
                            n_threads=n_threads)
    return scores, folds


class _Ranked:
    """Customers sorted by fold, then by decreasing predicted net value; prefix sums per fold."""

    def __init__(self, value, t, score, cost, folds, population):
        value = np.asarray(value, dtype=float)
        t = np.asarray(t)
        score = np.asarray(score, dtype=float)
        n = value.size
        if t.shape != (n,) or score.shape != (n,):
            raise DataError(f"value ({value.shape}), t ({t.shape}) and score ({score.shape}) must have equal length")
        for name, arr in (("value", value), ("score", score)):
            bad = np.flatnonzero(~np.isfinite(arr))
            if bad.size:
                raise DataError(f"{name} has {bad.size} missing/infinite entries (rows {(bad[:5] + 1).tolist()}, "
                                f"1-based)")
        if not np.isin(t, [0, 1]).all():
            bad = np.flatnonzero(~np.isin(t, [0, 1]))
            raise DataError(f"treatment indicator must be 0/1; rows {(bad[:5] + 1).tolist()} (1-based) hold "
                            f"{t[bad[:5]].tolist()}")
        cost = np.broadcast_to(np.asarray(cost, dtype=float), (n,))
        if (cost < 0).any() or not np.isfinite(cost).all():
            raise ParameterError("cost must be finite and >= 0")
        folds = np.zeros(n, dtype=np.int64) if folds is None else np.asarray(folds)
        if folds.shape != (n,):
            raise DataError(f"folds ({folds.shape}) must have one entry per customer ({n})")
        _, folds = np.unique(folds, return_inverse=True)
        self.n = n
        self.population = float(n if population is None else population)
        if self.population <= 0:
            raise ParameterError(f"population must be positive, got {population}")
        self.scale = self.population / n
        pred = score - cost
        # sort by decreasing predicted net value (stable: ties keep row order), then stably by fold (radix sort)
        order = np.argsort(-pred, kind="stable")
        order = order[np.argsort(folds[order].astype(np.int32), kind="stable")]
        self.order = order
        fs = folds[order]
        self.n_folds = int(fs[-1]) + 1
        self.start = np.searchsorted(fs, np.arange(self.n_folds + 1))
        self.size = np.diff(self.start)
        tt = t[order].astype(float)
        v = value[order] - value.mean()  # centring: differences and variances are shift-free
        cum = np.zeros((7, n + 1))  # prefix sums of t, v t, v^2 t, 1 - t, v (1 - t), v^2 (1 - t), cost
        np.cumsum(tt, out=cum[0, 1:])
        vt = v * tt
        np.cumsum(vt, out=cum[1, 1:])
        np.cumsum(vt * v, out=cum[2, 1:])
        cum[3] = np.arange(n + 1) - cum[0]
        np.cumsum(v, out=cum[4, 1:])
        cum[4] -= cum[1]
        np.cumsum(v * v, out=cum[5, 1:])
        cum[5] -= cum[2]
        np.cumsum(cost[order], out=cum[6, 1:])
        self.cum = cum
        p = pred[self.order] > 0
        self.n_positive = np.add.reduceat(p.astype(np.int64), self.start[:-1]) if n else np.zeros(0, int)
        if (self.size == 0).any():
            raise DataError("a fold holds no customers")

    def fold_cost(self, f):
        s, e = self.start[f], self.start[f + 1]
        return self.cum[6, s + 1:e + 1] - self.cum[6, s]

    def contacts_for_budget(self, budgets, only_positive):
        """(n_budgets, n_folds) prefix lengths: each fold gets its share n_f / n of the sample budget."""
        b = np.asarray(budgets, dtype=float) / self.scale
        b = b * (1 + 1e-10) + 1e-12  # a budget of exactly k contacts buys k despite rounding in the cumulative cost
        m = np.stack([np.searchsorted(self.fold_cost(f), b * self.size[f] / self.n, side="right")
                      for f in range(self.n_folds)], axis=-1)
        return np.minimum(m, self.n_positive) if only_positive else m

    def contacts_for_count(self, counts, only_positive):
        share = np.asarray(counts, dtype=float) / self.population
        m = np.round(share[:, None] * self.size[None, :]).astype(np.int64)
        m = np.minimum(m, self.size)
        return np.minimum(m, self.n_positive) if only_positive else m

    def evaluate(self, m, level):
        """Totals (population scale) for prefix lengths m (n_grid, n_folds)."""
        idx = self.start[:-1][None, :] + m
        s = self.cum[:, idx] - self.cum[:, self.start[:-1]][:, None, :]  # (7, n_grid, n_folds)
        nt, st, sst, nc, sc, ssc, cost = s
        with np.errstate(divide="ignore", invalid="ignore"):
            diff = st / nt - sc / nc
            vt = (sst - st * st / nt) / (nt - 1)
            vc = (ssc - sc * sc / nc) / (nc - 1)
            inc = np.where(m > 0, m * diff, 0.0)
            var = np.where(m > 0, m**2 * (vt / nt + vc / nc), 0.0)
        inc = np.where((m > 0) & ((nt < 2) | (nc < 2)), np.nan, inc)
        var = np.where(np.isnan(inc), np.nan, var)
        k = self.scale
        inc_tot, se, cost_tot = k * inc.sum(axis=1), k * np.sqrt(var.sum(axis=1)), k * cost.sum(axis=1)
        net = inc_tot - cost_tot
        z = stats.norm.isf((1 - level) / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            roi = np.where(cost_tot > 0, net / cost_tot, np.nan)
            roi_se = np.where(cost_tot > 0, se / cost_tot, np.nan)
        return pd.DataFrame({"n_contacts": k * m.sum(axis=1), "share_contacted": m.sum(axis=1) / self.n,
                             "cost": cost_tot, "incremental_value": inc_tot, "se": se, "net_value": net,
                             "ci_low": net - z * se, "ci_high": net + z * se, "roi": roi,
                             "roi_ci_low": roi - z * roi_se, "roi_ci_high": roi + z * roi_se})


def budget_curve(value, t, score, *, cost, folds=None, budgets=None, n_points=21, population=None, level=0.95,
                 only_positive=False):
    """Net value and ROI of the best-first contact policy across budgets.

    Parameters
    ----------
    value : per-customer value outcome in money (e.g. margin, or value of a
        retained customer x retained)
    t : 0/1 randomised contact indicator of the experiment
    score : out-of-fold predicted incremental value per customer (same units
        as ``value``; e.g. from :func:`cross_fit_scores`)
    cost : contact cost, a scalar or one per customer
    folds : fold of each customer (from :func:`cross_fit_scores`); each fold
        is ranked and evaluated separately and the totals added. None: one
        ranking of all customers (fine for scores from a separate sample).
    budgets : budgets in money for the whole ``population``; default
        ``n_points`` budgets from 0 to the cost of contacting everyone
    population : number of customers the policy is rolled out to (default the
        number in the experiment); values, costs and budgets are scaled by
        ``population / n``
    level : confidence level of the intervals
    only_positive : never contact customers with predicted net value <= 0

    Returns
    -------
    DataFrame
        One row per budget: ``budget, n_contacts, share_contacted, cost,
        incremental_value, se, net_value, ci_low, ci_high, roi, roi_ci_low,
        roi_ci_high`` (totals over the population; ROI = net value / cost).

    Notes
    -----
    Customers are sorted by predicted net value :math:`\\hat\\tau(x_i) - c_i`;
    in fold f the policy with budget B contacts the longest prefix whose cost
    is at most :math:`B\\,n_f/n`. For the contacted set S of a fold,
    incremental value :math:`|S|(\\bar v_T(S) - \\bar v_C(S))` (the
    experiment's treated and control customers inside S), variance
    :math:`|S|^2 (s_T^2/n_T + s_C^2/n_C)`; fold totals are added (variances
    too) and the interval is normal, net value :math:`\\pm z\\,se`. The cost of
    S is known, so ROI intervals are the net-value interval over the cost.
    With one fold and a scalar cost the point estimates divided by n equal
    :func:`crmlab.uplift.policy_value` at the same share contacted. The
    interval is conditional on the fitted rankings: it covers sampling of the
    outcomes and of the assignment, not the refitting of the uplift model, and
    not the choice of the best budget after looking at the curve (that choice
    is optimistic; judge it on a fresh sample).
    """
    r = _Ranked(value, t, score, cost, folds, population)
    if budgets is None:
        budgets = np.linspace(0.0, r.scale * r.cum[6, -1], n_points)
    budgets = np.asarray(budgets, dtype=float)
    if (budgets < 0).any():
        raise ParameterError("budgets must be >= 0")
    out = r.evaluate(r.contacts_for_budget(budgets, only_positive), level)
    out.insert(0, "budget", budgets)
    return out


@dataclass
class BudgetPolicy:
    """A contact policy for one budget and its estimated value (totals over the population).

    ``contact_`` marks the experiment's customers the policy contacts (row
    order of the input), e.g. to compare with a simulated truth.
    """
    budget: float
    n_contacts: float
    share_contacted: float
    cost: float
    incremental_value: float
    se: float
    net_value: float
    ci_low: float
    ci_high: float
    roi: float
    level: float
    contact_: np.ndarray

    def summary(self) -> pd.DataFrame:
        """One-row tidy table of the policy (without the contact mask)."""
        return pd.DataFrame([{k: v for k, v in self.__dict__.items() if k != "contact_"}])


def budget_policy(value, t, score, *, cost, budget=None, n_contacts=None, folds=None, population=None, level=0.95,
                  only_positive=True):
    """The best-first policy for a budget (money) or a number of contacts, with its net value.

    Contacts the customers with the highest predicted net value (score -
    cost), at most ``budget`` in total or ``n_contacts`` customers (give one),
    and by default only those whose predicted net value is positive. Other
    arguments and the estimator as in :func:`budget_curve`; returns
    :class:`BudgetPolicy`.
    """
    if (budget is None) == (n_contacts is None):
        raise ParameterError("give exactly one of budget (money) or n_contacts")
    r = _Ranked(value, t, score, cost, folds, population)
    if budget is not None:
        if budget < 0:
            raise ParameterError(f"budget must be >= 0, got {budget}")
        m = r.contacts_for_budget([budget], only_positive)
    else:
        if n_contacts < 0:
            raise ParameterError(f"n_contacts must be >= 0, got {n_contacts}")
        m = r.contacts_for_count([n_contacts], only_positive)
    row = r.evaluate(m, level).iloc[0]
    contact = np.zeros(r.n, dtype=bool)
    for f in range(r.n_folds):
        contact[r.order[r.start[f]:r.start[f] + m[0, f]]] = True
    b = float(budget) if budget is not None else float(row["cost"])
    return BudgetPolicy(b, float(row["n_contacts"]), float(row["share_contacted"]), float(row["cost"]),
                        float(row["incremental_value"]), float(row["se"]), float(row["net_value"]),
                        float(row["ci_low"]), float(row["ci_high"]), float(row["roi"]), level, contact)
