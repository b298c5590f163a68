"""Parameter-uncertainty intervals for P(alive), expected transactions and CLV.

The fitted models' estimates are uncertain; these functions propagate that uncertainty to
per-customer predictions and to the customer base's total value and its top-tier share.
Parameters are drawn from the asymptotic normal distribution of the maximum-likelihood
estimator on the log scale (the optimisation scale of :class:`crmlab.clv.base.MLEstimator`,
covariance = inverse observed information), every quantity is evaluated at every draw and the
interval is the central ``level`` range of the draws (percentile interval).  The interval
covers the model's expected value under the true parameters (e.g. P(alive | x, t_x, T; theta)),
not the customer's future behaviour, which varies further around it.

Work is compressed and chunked: P(alive) is evaluated once per distinct ``(x, t_x, T)``, the
horizon sum once per distinct ``(x, T)``, spend through per-``x`` coefficients (the Gamma-Gamma
mean is affine in ``m_x``) and CLV once per distinct ``(x, t_x, T, m_x)`` (non-repeaters of the
same age share one value); arrays are laid out customers x draws and never exceed
``chunk_elements`` entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import hyp2f1

from crmlab.clv.base import compress
from crmlab.clv.bgnbd import BGNBD
from crmlab.clv.paretonbd import ParetoNBD
from crmlab.clv.purchase import check_rfm
from crmlab.core.errors import DataError, ParameterError

__all__ = ["parameter_draws", "p_alive_interval", "expected_purchases_interval", "clv_interval", "CLVInterval"]

_EXACT_BUDGET = 5e7     # special-function evaluations beyond which method="auto" tries the quadratic surrogate
_SURROGATE_TOL = 2e-3   # largest surrogate error (log / logit scale) accepted at the most extreme draws
_CACHE = 2.5e7          # rows x draws kept in memory for exactly evaluated pieces


# -- parameter draws ------------------------------------------------------------------------
def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _log_scale(model):
    model._check_fitted()
    theta = model.params_.to_numpy(dtype=float)
    cov = model.covariance_.to_numpy(dtype=float) / np.outer(theta, theta)  # covariance of log-parameters
    try:
        chol = np.linalg.cholesky((cov + cov.T) / 2)
    except np.linalg.LinAlgError:
        chol = None
    if chol is None or not np.all(np.isfinite(chol)):
        raise DataError(f"{model.model_name}: the parameter covariance is not positive definite, so parameter "
                        "uncertainty cannot be propagated; the fit is not identified (see its standard errors)")
    return np.log(theta), chol


def _draw(model, draws, rng):
    if int(draws) != draws or draws < 20:
        raise ParameterError(f"draws must be a whole number >= 20; got {draws!r}")
    phi, chol = _log_scale(model)
    u = rng.standard_normal((int(draws), len(phi)))
    return np.exp(phi + u @ chol.T), u


def parameter_draws(model, draws: int = 1000, *, seed=0) -> pd.DataFrame:
    """Draws of a fitted model's parameters from the asymptotic normal of the log-parameters.

    ``log theta ~ N(log theta_hat, Sigma)`` with ``Sigma`` the inverse observed information on
    the log scale.  With the same ``seed`` the interval functions below use the same draws
    (purchase model first, spend model second).
    """
    th, _ = _draw(model, draws, _rng(seed))
    return pd.DataFrame(th, columns=list(model.param_names))


def _level(level):
    if not 0 < level < 1:
        raise ParameterError(f"level must be between 0 and 1 (e.g. 0.95); got {level!r}")
    return (1 - level) / 2, 1 - (1 - level) / 2


def _quantiles(sorted_rows, probs):
    """Linear-interpolation quantiles (numpy's default) of each row of an already sorted (rows, J) array."""
    J = sorted_rows.shape[1]
    out = []
    for q in probs:
        pos = q * (J - 1)
        i = int(np.floor(pos))
        lo = sorted_rows[:, i].astype(float)
        hi = sorted_rows[:, min(i + 1, J - 1)].astype(float)
        out.append(lo + (pos - i) * (hi - lo))
    return out


def _summarise(C, probs):
    """Quantiles, minimum and maximum over draws of each row of C (rows, draws)."""
    s = np.sort(C.astype(np.float32, copy=False), axis=1)
    return (*_quantiles(s, probs), s[:, 0].astype(float), s[:, -1].astype(float))


# -- model quantities: arrays (rows, draws) ---------------------------------------------------
def _kind(model):
    if isinstance(model, BGNBD):
        return "bgnbd"
    if isinstance(model, ParetoNBD):
        return "paretonbd"
    raise ParameterError(f"intervals support BGNBD and ParetoNBD purchase models; got {type(model).__name__}")


def _runs(v):
    """Starts and stops of the runs of equal values in ``v``."""
    cut = np.flatnonzero(np.diff(v)) + 1
    return zip(np.r_[0, cut], np.r_[cut, len(v)])


def _pareto_p_alive(thetas, x, tx, T):
    """Pareto/NBD P(alive) for every (row, draw) at once: ``ParetoNBD.p_alive`` (Fader & Hardie 2005 note,
    eq. 22: the 'alive at T' share of the likelihood, the A0 term through Euler's transformation) with
    its branch on alpha >= beta taken element-wise."""
    r, alpha, s, beta = (thetas[:, i][None, :] for i in range(4))
    x, tx, T = x[:, None], tx[:, None], T[:, None]
    rsx = r + s + x
    a_big = alpha >= beta
    big = np.where(a_big, alpha, beta)
    b2 = np.where(a_big, s + 1, r + x)
    diff = np.abs(alpha - beta)

    def log_f(z):
        return -b2 * np.log1p(-z) + np.log(hyp2f1(1.0, b2, rsx + 1, z / (z - 1)))

    with np.errstate(divide="ignore", invalid="ignore"):
        l1 = log_f(diff / (big + tx)) - rsx * np.log(big + tx)
        l2 = log_f(diff / (big + T)) - rsx * np.log(big + T)
        t2 = np.log(s) - np.log(rsx) + l1 + np.log(-np.expm1(l2 - l1))
        t1 = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        return np.exp(t1 - np.logaddexp(t1, t2))


def _p_alive(model, thetas, x, tx, T):
    r"""P(alive | x, t_x, T) at each parameter vector (rows of ``thetas``): array (rows, draws).

    BG/NBD: 1 / (1 + [x > 0] a/(b+x-1) exp((r+x) log1p((T-t_x)/(alpha+t_x)))) (FHL 2005, eq. 11), in
    single precision (relative error about 1e-7 times the log-odds, below 1e-5 in practice; the log1p
    form avoids cancellation when t_x is close to T), grouped by x; Pareto/NBD: :func:`_pareto_p_alive`.
    """
    if _kind(model) == "paretonbd":
        out = _pareto_p_alive(thetas, x, tx, T)
        bad = ~np.all(np.isfinite(out), axis=0)
        if bad.any():
            example = dict(zip(model.param_names, np.round(thetas[bad][0], 4).tolist()))
            raise DataError(
                f"Pareto/NBD P(alive) cannot be evaluated at {int(bad.sum())} of {len(thetas)} parameter draws "
                f"(e.g. {example}): the parameters are poorly determined (standard errors "
                f"{model.se_.round(3).to_dict()}); fit on more customers or use BG/NBD")
        return out
    f4 = np.float32
    o = np.argsort(x, kind="stable")
    xs, txs, Ts = x[o], tx[o], T[o]
    r, alpha, a, b = (thetas[:, i] for i in range(4))
    d = np.log1p((Ts - txs).astype(f4)[:, None] / (alpha.astype(f4)[None, :] + txs.astype(f4)[:, None]))
    out = np.empty_like(d)
    for s0, s1 in _runs(xs):
        xv = xs[s0]
        if xv == 0:
            out[s0:s1] = 1.0
            continue
        head = (np.log(a) - np.log(b + xv - 1)).astype(f4)
        with np.errstate(over="ignore"):
            out[s0:s1] = 1.0 / (1.0 + np.exp(head + (r + xv).astype(f4) * d[s0:s1]))
    if np.any(o != np.arange(len(o))):
        out[o] = out.copy()
    return out
def _rate(model, t, x, T, thetas):
    """Expected purchases in (T, T + t] of a customer alive at T: E[Y(t) | x, t_x, T] / P(alive | x, t_x, T).

    Both models factor E[Y(t)] = P(alive) * rate(t; x, T) with no t_x in the rate: BG/NBD
    (a+b+x-1)/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)], z = t/(alpha+T+t) (FHL 2005,
    eq. 10 with Euler's transformation); Pareto/NBD (r+x)(beta+T)/((alpha+T)(s-1))
    [1 - ((beta+T)/(beta+T+t))^(s-1)].  Array (rows, draws); tests/test_clv_intervals.py checks
    P(alive) * rate against the models' ``conditional_expected_purchases``.
    """
    p1, p2, p3, p4 = (thetas[:, i][None, :] for i in range(4))
    x, T = x[:, None], T[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if _kind(model) == "bgnbd":
            r, alpha, a, b = p1, p2, p3, p4
            z = t / (alpha + T + t)
            return (a + b + x - 1) / (a - 1) * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z))
        r, alpha, s, beta = p1, p2, p3, p4
        head = (r + x) * (beta + T) / (alpha + T)
        gen = head / (s - 1) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))
        lim = head * np.log((beta + T + t) / (beta + T))
        return np.where(np.abs(s - 1) < 1e-8, lim, gen)


# quadratic surrogate in whitened log-parameters: evaluation points and their linear map to coefficients
def _design(k):
    e = np.eye(k)
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    pts = [np.zeros(k)] + [s * e[i] for i in range(k) for s in (1, -1)]
    pts += [si * e[i] + sj * e[j] for i, j in pairs for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
    M = np.zeros((1 + 2 * k + len(pairs), len(pts)))
    M[0, 0] = 1.0
    for i in range(k):
        M[1 + i, [1 + 2 * i, 2 + 2 * i]] = [0.5, -0.5]                  # first derivative
        M[1 + k + i, [1 + 2 * i, 2 + 2 * i, 0]] = [0.5, 0.5, -1.0]      # half the second derivative
    for p in range(len(pairs)):
        c = 1 + 2 * k + 4 * p
        M[1 + 2 * k + p, c:c + 4] = [0.25, -0.25, -0.25, 0.25]          # mixed derivative
    return np.array(pts), M, pairs


def _basis(u, pairs):
    mixed = [u[:, i] * u[:, j] for i, j in pairs]
    return np.column_stack([np.ones(len(u)), u, u ** 2, *mixed])


@dataclass
class _Evaluator:
    """Evaluates ``fn(thetas, *rows) -> (rows, draws)`` at all draws, exactly or through a surrogate.

    The surrogate expands ``log`` (or ``logit``) of ``fn`` to second order in the whitened
    log-parameters ``u`` (central differences with unit steps, i.e. one standard error:
    ``1 + 2k + 2k(k-1)`` points, 33 for four parameters); it is compared with exact values at the
    ``checks`` draws farthest from the estimate and replaced by exact evaluation when the error
    there exceeds ``_SURROGATE_TOL``.  Exact values are cached when rows x draws <= ``_CACHE``.
    """

    fn: callable
    phi: np.ndarray
    chol: np.ndarray
    u: np.ndarray
    thetas: np.ndarray
    use_surrogate: bool
    transform: str = "log"
    checks: int = 8
    info: dict = field(default_factory=dict)

    def _fwd(self, v):
        if self.transform == "log":
            return np.log(np.maximum(v, 1e-300))
        v = np.clip(v, 1e-15, 1 - 1e-15)
        return np.log(v) - np.log1p(-v)

    def _inv(self, y):
        return np.exp(y) if self.transform == "log" else 1.0 / (1.0 + np.exp(-y))

    def _eval(self, thetas, rows):
        """fn over all prepared rows, in row chunks of at most 1e6 rows x parameter vectors."""
        n = len(rows[0])
        return np.vstack([self.fn(thetas, *(r[sl] for r in rows)) for sl in _chunks(n, len(thetas), 1e6)])

    def prepare(self, *rows):
        self.rows, self.full = rows, None
        if self.use_surrogate:
            pts, M, self.pairs = _design(len(self.phi))
            F = self._fwd(self._eval(np.exp(self.phi + pts @ self.chol.T), rows))  # (rows, points)
            self.coef = F @ M.T                                                     # (rows, coefficients)
            far = np.argsort(-np.einsum("ij,ij->i", self.u, self.u))[: self.checks]
            exact = self._fwd(self._eval(self.thetas[far], rows))
            err = float(np.max(np.abs(self.coef @ _basis(self.u[far], self.pairs).T - exact)))
            self.info.update(method="quadratic surrogate", max_check_error=err)
            if np.isfinite(err) and err <= _SURROGATE_TOL:
                return self
            self.info["method"] = "exact (surrogate check failed)"
            self.use_surrogate = False
        else:
            self.info["method"] = "exact"
        if len(rows[0]) * len(self.thetas) <= _CACHE:
            self.full = self._eval(self.thetas, rows)
        return self

    def __call__(self, idx=slice(None), draws=slice(None)):
        """Values for prepared rows ``idx`` at draws ``draws``: array (rows, draws)."""
        if self.use_surrogate:
            return self._inv(self.coef[idx] @ _basis(self.u[draws], self.pairs).T)
        if self.full is not None:
            return self.full[idx][:, draws]
        return self.fn(self.thetas[draws], *(r[idx] for r in self.rows))


def _auto(method, cost):
    if method not in ("auto", "exact", "surrogate"):
        raise ParameterError(f"method must be 'auto', 'exact' or 'surrogate'; got {method!r}")
    return method == "surrogate" or (method == "auto" and cost > _EXACT_BUDGET)


def _chunks(n_rows, J, chunk_elements):
    step = max(1, int(chunk_elements) // max(J, 1))
    return [slice(s, min(s + step, n_rows)) for s in range(0, n_rows, step)]


def _p_alive_evaluator(model, rows, th, u, phi, chol, method):
    pareto = _kind(model) == "paretonbd"
    ev = _Evaluator(lambda t, *r: _p_alive(model, t, *r), phi, chol, u, th, transform="logit",
                    use_surrogate=pareto and _auto(method, 2 * len(rows[0]) * len(th)))
    return ev.prepare(*rows)


def _prepare(model, frequency, recency, T, draws, seed):
    _kind(model)
    x, tx, T_ = check_rfm(frequency, recency, T)
    th, u = _draw(model, draws, _rng(seed))
    phi, chol = _log_scale(model)
    (rx, rtx, rT), _, inv = compress(x, tx, T_)
    return th, u, phi, chol, (rx, rtx, rT), inv


def _table(est, lo, hi, inverse, index):
    return pd.DataFrame({"estimate": est[inverse], "ci_low": lo[inverse], "ci_high": hi[inverse]}, index=index)


def p_alive_interval(model, frequency, recency, T, *, draws: int = 1000, level: float = 0.95, seed=0,
                     method: str = "auto", chunk_elements: int = 4_000_000) -> pd.DataFrame:
    r"""P(alive) per customer with a parameter-uncertainty interval.

    Parameters
    ----------
    model : BGNBD or ParetoNBD
        A fitted purchase model.
    frequency, recency, T : array-like
        ``(x, t_x, T)`` per customer, as for the model's ``p_alive``.
    draws, level, seed
        Number of parameter draws, interval level, seed (int or Generator).
    method : {"auto", "exact", "surrogate"}
        How Pareto/NBD's P(alive) (hypergeometric functions) is evaluated at the draws: exactly,
        or through a checked quadratic surrogate in the log-parameters ("auto": surrogate when
        more than 5e7 evaluations would be needed).  BG/NBD's closed form is always exact.
    chunk_elements : int
        Largest rows x draws block held at once.

    Returns
    -------
    DataFrame with ``estimate`` (at the fitted parameters), ``ci_low``, ``ci_high`` per customer.

    Notes
    -----
    Percentile interval of :math:`P(alive | x, t_x, T; \theta_j)` over draws
    :math:`\log\theta_j \sim N(\log\hat\theta, -H^{-1})`, once per distinct ``(x, t_x, T)``.
    """
    th, u, phi, chol, rows, inv = _prepare(model, frequency, recency, T, draws, seed)
    ev = _p_alive_evaluator(model, rows, th, u, phi, chol, method)
    probs = _level(level)
    lo, hi = np.empty(len(rows[0])), np.empty(len(rows[0]))
    for sl in _chunks(len(lo), len(th), chunk_elements):
        lo[sl], hi[sl], _, _ = _summarise(ev(sl), probs)
    return _table(model.p_alive(*rows), lo, hi, inv, getattr(frequency, "index", None))


def expected_purchases_interval(model, t: float, frequency, recency, T, *, draws: int = 1000,
                                level: float = 0.95, seed=0, method: str = "auto",
                                chunk_elements: int = 4_000_000) -> pd.DataFrame:
    """Expected purchases in the next ``t`` time units, E[Y(t) | x, t_x, T], with a parameter-uncertainty
    interval (same draws as :func:`p_alive_interval` for the same ``seed``).

    Notes
    -----
    ``E[Y(t)] = P(alive | x, t_x, T) * rate(t; x, T)`` for both models; the rate is evaluated once per
    distinct ``(x, T)`` and draw, P(alive) as in :func:`p_alive_interval`.
    """
    t = float(t)
    if not np.isfinite(t) or t <= 0:
        raise ParameterError(f"t must be a positive time span in the model's time unit; got {t!r}")
    th, u, phi, chol, rows, inv = _prepare(model, frequency, recency, T, draws, seed)
    (ux, uT), _, u_of_r = compress(rows[0], rows[2])
    ev = _p_alive_evaluator(model, rows, th, u, phi, chol, method)
    rate = np.vstack([_rate(model, t, ux[sl], uT[sl], th) for sl in _chunks(len(ux), len(th), chunk_elements)])
    probs = _level(level)
    lo, hi = np.empty(len(rows[0])), np.empty(len(rows[0]))
    for sl in _chunks(len(lo), len(th), chunk_elements):
        lo[sl], hi[sl], _, _ = _summarise(ev(sl) * rate[u_of_r[sl]], probs)
    est = model.conditional_expected_purchases(t, *rows)
    return _table(est, lo, hi, inv, getattr(frequency, "index", None))


@dataclass
class CLVInterval:
    """Result of :func:`clv_interval`.

    Attributes
    ----------
    customers : DataFrame
        Per customer: ``estimate`` (CLV at the fitted parameters, equal to
        :func:`crmlab.clv.customer_value`), ``ci_low``, ``ci_high``.
    summary : DataFrame
        Rows ``total`` (sum of CLV) and ``top{share}_share`` (share of the total held by the top
        customers), columns ``estimate, ci_low, ci_high``.
    draws : DataFrame
        The parameter draws (purchase and spend parameters side by side).
    info : dict
        How the horizon sum and P(alive) were evaluated (exact or checked surrogate), the numbers
        of distinct rows and the sizes of the top tier's always-in and boundary sets.
    """

    customers: pd.DataFrame
    summary: pd.DataFrame
    draws: pd.DataFrame
    info: dict


def _check_value_args(horizon, step, discount_rate, time_unit_days, top_share):
    if horizon <= 0 or step <= 0:
        raise ParameterError(f"horizon ({horizon}) and step ({step}) must be positive")
    if discount_rate < 0 or discount_rate >= 10:
        raise ParameterError(f"discount_rate is an annual rate such as 0.10; got {discount_rate}")
    k = int(round(horizon / step))
    if k < 1 or abs(k * step - horizon) > 1e-9 * max(1.0, horizon):
        raise ParameterError(f"horizon ({horizon}) must be a whole number of steps ({step})")
    if not 0 < top_share < 1:
        raise ParameterError(f"top_share must be between 0 and 1 (e.g. 0.2); got {top_share!r}")
    return k, 1.0 / ((1 + discount_rate) ** (step * time_unit_days / 365.25))


def _weighted_kth_largest(values, weights, k):
    o = np.argsort(-values, kind="stable")
    cw = np.cumsum(weights[o])
    return values[o][min(int(np.searchsorted(cw, k - 1e-9)), len(o) - 1)]


def _weighted_top_sums(M, w, k):
    """Sum of the largest ``k`` units of customer weight ``w`` in each row of M (draws, items)."""
    if k <= 0:
        return np.zeros(M.shape[0])
    o = np.argsort(-M, axis=1)
    v = np.take_along_axis(M, o, axis=1)
    W = w[o]
    cw = np.cumsum(W, axis=1)
    idx = np.minimum((cw < k - 1e-9).sum(axis=1), M.shape[1] - 1)
    full = np.where(np.arange(M.shape[1])[None, :] < idx[:, None], v * W, 0.0).sum(axis=1)
    before = np.where(idx > 0, np.take_along_axis(cw, np.maximum(idx - 1, 0)[:, None], axis=1)[:, 0], 0.0)
    return full + (k - before) * np.take_along_axis(v, idx[:, None], axis=1)[:, 0]


def clv_interval(purchase_model, spend_model, frequency, recency, T, monetary_value, *, horizon: float,
                 discount_rate: float, time_unit_days: float = 7.0, step: float = 1.0, margin: float = 1.0,
                 draws: int = 1000, level: float = 0.95, seed=0, top_share: float = 0.2, method: str = "auto",
                 chunk_elements: int = 4_000_000) -> CLVInterval:
    r"""Customer lifetime value with parameter-uncertainty intervals, per customer and for the base.

    Parameters
    ----------
    purchase_model : BGNBD or ParetoNBD
        Fitted purchase model.
    spend_model : GammaGamma
        Fitted spend model.
    frequency, recency, T, monetary_value : array-like
        Per customer, as for :func:`crmlab.clv.customer_value`.
    horizon, discount_rate, time_unit_days, step, margin
        As for :func:`crmlab.clv.customer_value` (the estimates equal its values).
    draws, level, seed
        Parameter draws (purchase and spend models drawn independently: their likelihoods factor),
        interval level, seed.
    top_share : float
        Share of customers in the top tier whose share of total value is reported (0.2: top 20%).
    method : {"auto", "exact", "surrogate"}
        Evaluation of the costly pieces at the draws (BG/NBD's horizon sum, Pareto/NBD's P(alive)):
        exactly, or through a quadratic surrogate in the log-parameters checked at the most extreme
        draws ("auto": surrogate when exact evaluation needs more than 5e7 special-function calls;
        with few customers the check usually fails and exact evaluation is used).
    chunk_elements : int
        Largest customers x draws block held in memory (default 4e6, ~32 MB per array).

    Returns
    -------
    CLVInterval

    Notes
    -----
    For draw :math:`j`, :math:`CLV_{ij} = margin \cdot E(M_i; \theta^s_j)\, P(alive_i; \theta^p_j)\,
    D(x_i, T_i; \theta^p_j)` with the horizon sum
    :math:`D = \sum_{k=1}^{K} w^k [\rho(kh) - \rho((k-1)h)]`, :math:`\rho(t) = E[Y(t)] / P(alive)`
    and :math:`w = (1+d)^{-h \cdot days/365.25}`: the discrete scheme of
    :func:`crmlab.clv.customer_value`.  Per-customer intervals are percentiles over draws (sorted
    in single precision: relative rounding 6e-8); the total is :math:`\sum_i CLV_{ij}`; the top-tier
    share of draw j is the sum of its ``ceil(top_share N)`` largest values over its total.  The top
    sum is exact without holding all customers x draws: each draw's threshold lies between the
    k-th largest per-customer minimum and maximum over draws, so customers above the upper bound
    always count, those below the lower bound never, and only the boundary set is ranked draw by
    draw (the always-set sum is accumulated in the first pass for the customers in the top tier at
    the estimate, then corrected).
    """
    K, w = _check_value_args(horizon, step, discount_rate, time_unit_days, top_share)
    _kind(purchase_model)
    x, tx, T_ = check_rfm(frequency, recency, T)
    m = np.asarray(monetary_value, dtype=float).ravel()
    if len(m) != len(x):
        raise DataError(f"monetary_value has {len(m)} rows, frequency {len(x)}")
    spend_model.conditional_expected_spend(x[:1], m[:1])  # fitted?
    rng = _rng(seed)
    th_p, u_p = _draw(purchase_model, draws, rng)
    th_s, _ = _draw(spend_model, draws, rng)
    J = len(th_p)
    phi, chol = _log_scale(purchase_model)
    m0 = np.where(x > 0, m, 0.0)   # non-repeaters' spend is the population mean: one value row per age
    (vx, vtx, vT, vm), vcount, vinv = compress(x, tx, T_, m0)
    # number value rows in (x, T, t_x, m) order: then (x, t_x, T) and (x, T) rows come out sorted too,
    # and a chunk of consecutive value rows touches few distinct rows and runs of equal x
    perm = np.lexsort((vm, vtx, vT, vx))
    rank = np.empty_like(perm)
    rank[perm] = np.arange(len(perm))
    vx, vtx, vT, vm, vcount, vinv = vx[perm], vtx[perm], vT[perm], vm[perm], vcount[perm], rank[vinv]
    (rx, rtx, rT), _, r_of_v = compress(vx, vtx, vT)
    (ux, uT), _, u_of_r = compress(rx, rT)
    # E(M | x, m_x) = Sa(x) + Sb(x) m_x: the Gamma-Gamma mean p (gamma + x m) / (p x + q - 1) is affine in m
    xs, x_of_v = np.unique(vx, return_inverse=True)
    cols = tuple(th_s.T[:, :, None])
    s0 = spend_model.conditional_expected_spend(xs, np.zeros_like(xs), params=cols)
    Sa = (margin * s0.T).astype(np.float32)
    s1 = spend_model.conditional_expected_spend(xs, np.ones_like(xs), params=cols)
    Sb = (margin * (s1 - s0).T).astype(np.float32)

    def horizon_sum(thetas, xs_, Ts_):
        out, prev = 0.0, 0.0
        for k in range(1, K + 1):
            cur = _rate(purchase_model, k * step, xs_, Ts_, thetas)
            out, prev = out + w ** k * (cur - prev), cur
        return out

    cost = len(ux) * K * J * (1.0 if _kind(purchase_model) == "bgnbd" else 0.05)
    ev_d = _Evaluator(horizon_sum, phi, chol, u_p, th_p, use_surrogate=_auto(method, cost)).prepare(ux, uT)
    ev_pa = _p_alive_evaluator(purchase_model, (rx, rtx, rT), th_p, u_p, phi, chol, method)

    def block(vsel, dsel=slice(None)):
        """CLV of value rows ``vsel`` (sorted indices) at draws ``dsel``: array (rows, draws), single precision."""
        ur, rinv = np.unique(r_of_v[vsel], return_inverse=True)
        uu, uinv = np.unique(u_of_r[ur], return_inverse=True)
        V = (ev_pa(ur, dsel) * ev_d(uu, dsel)[uinv]).astype(np.float32, copy=False)
        C = V[rinv]
        xi, mv = x_of_v[vsel], vm[vsel].astype(np.float32)[:, None]
        for a0, a1 in _runs(xi):
            C[a0:a1] *= Sa[xi[a0], dsel] + Sb[xi[a0], dsel] * mv[a0:a1]
        return C

    # estimates at the fitted parameters (exact, double precision)
    d_hat = horizon_sum(purchase_model.params_.to_numpy()[None, :], ux, uT)[:, 0]
    v_hat = purchase_model.p_alive(rx, rtx, rT) * d_hat[u_of_r]
    est = margin * spend_model.conditional_expected_spend(vx, vm) * v_hat[r_of_v]
    n_cust = float(vcount.sum())
    k_top = float(np.ceil(top_share * n_cust))
    in_e = est >= _weighted_kth_largest(est, vcount, k_top)
    # pass 1: per value row quantiles, totals, and the top-tier sum at the estimate's top set
    probs = _level(level)
    nv = len(vx)
    lo, hi, vmin, vmax = (np.empty(nv) for _ in range(4))
    total, top = np.zeros(J), np.zeros(J)
    for sl in _chunks(nv, J, chunk_elements):
        idx = np.arange(sl.start, sl.stop)
        C = block(idx)
        tt = np.vstack([vcount[idx], vcount[idx] * in_e[idx]]) @ C.astype(float)
        total += tt[0]
        top += tt[1]
        lo[idx], hi[idx], vmin[idx], vmax[idx] = _summarise(C, probs)
    # pass 2: exact top-tier sum per draw
    vmin, vmax = vmin * (1 - 1e-6), vmax * (1 + 1e-6)   # cover the single-precision sort
    t_lo = _weighted_kth_largest(vmin, vcount, k_top)
    t_hi = _weighted_kth_largest(vmax, vcount, k_top)
    always = vmin > t_hi
    for sign, sel in ((-1.0, in_e & ~always), (1.0, always & ~in_e)):
        ids = np.flatnonzero(sel)
        for sl in _chunks(len(ids), J, chunk_elements):
            top += sign * (vcount[ids[sl]] @ block(ids[sl]).astype(float))
    bound = np.flatnonzero((vmax >= t_lo) & ~always)
    k_rest = k_top - vcount[always].sum()
    jstep = max(1, int(chunk_elements) // max(len(bound), 1))
    for j0 in range(0, J if len(bound) else 0, jstep):
        ds = slice(j0, min(j0 + jstep, J))
        top[ds] += _weighted_top_sums(block(bound, ds).T.astype(float), vcount[bound], k_rest)
    share = top / total
    est_total = float(est @ vcount)
    est_share = float(_weighted_top_sums(est[None, :], vcount, k_top)[0] / est_total)
    tq, sq = np.quantile(total, probs), np.quantile(share, probs)
    name = f"top{int(round(top_share * 100))}_share"
    summary = pd.DataFrame({"estimate": [est_total, est_share], "ci_low": [tq[0], sq[0]],
                            "ci_high": [tq[1], sq[1]]}, index=pd.Index(["total", name], name="quantity"))
    customers = _table(est, lo, hi, vinv, getattr(frequency, "index", None))
    drawn = pd.DataFrame(np.hstack([th_p, th_s]),
                         columns=[f"{purchase_model.model_name}:{p}" for p in purchase_model.param_names]
                         + [f"{spend_model.model_name}:{p}" for p in spend_model.param_names])
    info = {"horizon_sum": dict(ev_d.info), "p_alive": dict(ev_pa.info), "customers": int(n_cust),
            "value_rows": nv, "rfm_rows": len(rx), "xT_rows": len(ux), "top_always": int(always.sum()),
            "top_boundary": len(bound), "draws": J}
    return CLVInterval(customers=customers, summary=summary, draws=drawn, info=info)
