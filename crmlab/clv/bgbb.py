"""BG/BB model of discrete-time non-contractual repeat transactions (Fader, Hardie & Shang 2010).

Customers have discrete transaction opportunities (annual donation drives, weekly events).
While alive a customer transacts at each opportunity with probability ``p ~ Beta(alpha, beta)``;
before each opportunity an alive customer dies with probability ``theta ~ Beta(gamma, delta)``.
The sufficient statistics are ``(x, t_x, n)``: transactions, the opportunity of the last one
(recency) and the number of opportunities, so a whole customer base compresses to at most
``(n+1)(n+2)/2`` rows per ``n``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1

from crmlab.clv.base import MLEstimator, as_array, compress
from crmlab.core.errors import DataError, ParameterError

__all__ = ["BGBB", "check_xtn"]

_BLOCK = 2_000_000  # rows x opportunities evaluated at once (memory bound of the likelihood)


def check_xtn(frequency, recency, n_periods):
    """Validate ``(x, t_x, n)``: whole numbers, ``x <= t_x <= n``, ``t_x = 0`` exactly when ``x = 0``."""
    x = as_array(frequency, "frequency", integer=True)
    tx = as_array(recency, "recency", integer=True)
    n = as_array(n_periods, "n_periods", integer=True)
    if not (len(x) == len(tx) == len(n)):
        raise DataError(f"frequency, recency and n_periods differ in length ({len(x)}, {len(tx)}, {len(n)})")
    bad = (tx > n) | (x > tx) | ((x == 0) & (tx > 0)) | ((x > 0) & (tx < 1))
    if bad.any():
        idx = np.flatnonzero(bad)[:5]
        raise DataError(
            "BG/BB needs frequency <= recency <= n_periods, recency = 0 exactly when frequency = 0 "
            f"(recency is the opportunity of the last transaction); {int(bad.sum())} row(s) break this, "
            f"e.g. rows {(idx + 1).tolist()}: frequency={x[idx].tolist()}, recency={tx[idx].tolist()}, "
            f"n_periods={n[idx].tolist()}"
        )
    return x, tx, n


class BGBB(MLEstimator):
    r"""Beta-geometric / beta-Bernoulli (BG/BB) model, fitted by maximum likelihood.

    Notes
    -----
    The likelihood of ``(x, t_x, n)`` (Fader, Hardie & Shang 2010, eq. 5) is

    .. math::
        L = \frac{B(\alpha+x, \beta+n-x)}{B(\alpha,\beta)} \frac{B(\gamma, \delta+n)}{B(\gamma,\delta)}
          + \sum_{i=0}^{n-t_x-1} \frac{B(\alpha+x, \beta+t_x-x+i)}{B(\alpha,\beta)}
            \frac{B(\gamma+1, \delta+t_x+i)}{B(\gamma,\delta)}

    (alive through ``n``, or died just after opportunity ``t_x + i``).  All terms are combined
    in log space (log-sum-exp); the gradient is analytic (each term's digamma derivative
    weighted by its share of ``L``).  Predictions: P(alive at ``n + m``) (eq. 11 for
    ``m = 1``), expected transactions in the next ``n*`` opportunities (eq. 13), for a new
    customer (eq. 7), the frequency distribution (eq. 8) and the discounted expected
    residual transactions

    .. math::
        DERT(d) = \frac{B(\alpha+x+1, \beta+n-x)}{B(\alpha,\beta)}
                  \frac{B(\gamma, \delta+n+1)}{B(\gamma,\delta)(1+d)}
                  \frac{{}_2F_1(1, \delta+n+1; \gamma+\delta+n+1; 1/(1+d))}{L}

    (eq. 14; transactions at ``n+1, n+2, ...`` discounted by ``(1+d)^{-(t-n)}``).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a
    discrete-time noncontractual setting. Marketing Science 29(6), 1086-1108.  On the
    donations data (11,104 donors of 1995, n = 6): alpha = 1.204, beta = 0.750,
    gamma = 0.657, delta = 2.783, LL = -33,225.6.
    """

    param_names = ("alpha", "beta", "gamma", "delta")
    model_name = "BG/BB"

    def fit(self, frequency, recency, n_periods, weights=None):
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency, recency, n_periods : array-like
            Transactions ``x`` (repeat transactions, opportunities 1..n), the opportunity
            ``t_x`` of the last one (0 if none) and the number of opportunities ``n``.
        weights : array-like, optional
            Customers per row (e.g. a recency-frequency table).

        Returns
        -------
        self
        """
        x, tx, n = check_xtn(frequency, recency, n_periods)
        if len(x) == 0:
            raise DataError("BG/BB: no customers to fit")
        w = None if weights is None else as_array(weights, "weights")
        ww = np.ones(len(x)) if w is None else w
        if not (ww * x).sum() > 0 or not (ww * (n - x)).sum() > 0:
            raise DataError("BG/BB needs both transactions and opportunities without one; "
                            "check the frequency and n_periods columns")
        (ux, utx, un), counts, _ = compress(x, tx, n, weights=w)
        self._fit_data(self._prepare(ux, utx, un), counts)
        return self

    @staticmethod
    def _prepare(x, tx, n):
        return {"x": x, "tx": tx, "n": n, "m": (n - tx).astype(np.int64)}

    def _start(self, data, counts):
        return (1.0, 1.0, 1.0, 1.0)

    # -- likelihood ------------------------------------------------------------
    @staticmethod
    def _blocks(d):
        m_max = int(d["m"].max()) + 1 if len(d["m"]) else 1
        step = max(1, _BLOCK // m_max)
        for s in range(0, len(d["x"]), step):
            yield slice(s, s + step), m_max

    @staticmethod
    def _log_terms(theta, x, tx, n, m, m_max):
        """Log of the alive term (column 0) and of the 'died after t_x + i' terms (columns 1..)."""
        a, b, g, dl = theta
        i = np.arange(m_max - 1, dtype=float)[None, :]
        bx = (tx - x)[:, None] + i
        dx = tx[:, None] + i
        lab, lgd = betaln(a, b), betaln(g, dl)
        out = np.empty((len(x), m_max))
        out[:, 0] = betaln(a + x, b + n - x) - lab + betaln(g, dl + n) - lgd
        with np.errstate(invalid="ignore"):
            out[:, 1:] = betaln(a + x[:, None], b + bx) - lab + betaln(g + 1, dl + dx) - lgd
        out[:, 1:][i >= m[:, None]] = -np.inf
        return out, bx, dx

    def _loglik(self, theta, d):
        out = np.empty(len(d["x"]))
        for sl, m_max in self._blocks(d):
            lt, _, _ = self._log_terms(theta, d["x"][sl], d["tx"][sl], d["n"][sl], d["m"][sl], m_max)
            top = lt.max(axis=1)
            out[sl] = top + np.log(np.exp(lt - top[:, None]).sum(axis=1))
        return out

    def _grad(self, theta, d):
        return self._loglik_grad(theta, d)[1]

    def _loglik_grad(self, theta, d):
        a, b, g, dl = theta
        ll = np.empty(len(d["x"]))
        grad = np.empty((len(d["x"]), 4))
        dab, dgd = digamma(a + b), digamma(g + dl)
        for sl, m_max in self._blocks(d):
            x, tx, n = d["x"][sl], d["tx"][sl], d["n"][sl]
            lt, bx, dx = self._log_terms(theta, x, tx, n, d["m"][sl], m_max)
            top = lt.max(axis=1)
            w = np.exp(lt - top[:, None])
            tot = w.sum(axis=1)
            ll[sl] = top + np.log(tot)
            w /= tot[:, None]
            # beta-offsets, gamma-offsets and delta-offsets of every term
            boff = np.concatenate([(n - x)[:, None], bx], axis=1)
            goff = np.concatenate([np.zeros((len(x), 1)), np.ones_like(bx)], axis=1)
            doff = np.concatenate([n[:, None], dx], axis=1)
            with np.errstate(invalid="ignore"):
                dsum_ab = digamma(a + b + x[:, None] + boff)
                dsum_gd = digamma(g + dl + goff + doff)
                ga = digamma(a + x)[:, None] - dsum_ab
                gb = digamma(b + boff) - dsum_ab
                gg = digamma(g + goff) - dsum_gd
                gd = digamma(dl + doff) - dsum_gd
            mask = w > 0
            grad[sl, 0] = np.where(mask, w * ga, 0).sum(axis=1) - digamma(a) + dab
            grad[sl, 1] = np.where(mask, w * gb, 0).sum(axis=1) - digamma(b) + dab
            grad[sl, 2] = np.where(mask, w * gg, 0).sum(axis=1) - digamma(g) + dgd
            grad[sl, 3] = np.where(mask, w * gd, 0).sum(axis=1) - digamma(dl) + dgd
        return ll, grad

    def loglik(self, frequency, recency, n_periods, params=None) -> np.ndarray:
        """Per-customer log-likelihood at ``params`` (default: the fitted ones)."""
        x, tx, n = check_xtn(frequency, recency, n_periods)
        return self._loglik(self._theta(params), self._prepare(x, tx, n))

    # -- predictions -------------------------------------------------------------
    def _data(self, frequency, recency, n_periods, params):
        theta = self._theta(params)
        x, tx, n = check_xtn(frequency, recency, n_periods)
        return theta, x, tx, n, self._loglik(theta, self._prepare(x, tx, n))

    def p_alive(self, frequency, recency, n_periods, m_periods: int = 1, params=None) -> np.ndarray:
        """P(alive at opportunity ``n + m_periods`` | x, t_x, n) (FHS 2010, eq. 11 for ``m_periods = 1``)."""
        (a, b, g, dl), x, tx, n, ll = self._data(frequency, recency, n_periods, params)
        m = self._count(m_periods, "m_periods")
        return np.exp(betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, dl + n + m) - betaln(g, dl) - ll)

    def conditional_expected_purchases(self, n_star, frequency, recency, n_periods, params=None) -> np.ndarray:
        r"""E[X(n, n + n*) | x, t_x, n]: expected transactions in the next ``n_star`` opportunities (eq. 13)."""
        (a, b, g, dl), x, tx, n, ll = self._data(frequency, recency, n_periods, params)
        ns = self._count(n_star, "n_star")
        head = betaln(a + x + 1, b + n - x) - betaln(a, b) - ll
        return np.exp(head) * self._alive_sum(g, dl, n, ns)

    @staticmethod
    def _alive_sum(g, dl, n, ns):
        """sum_{t=n+1}^{n+n*} B(gamma, delta+t) / B(gamma, delta) = delta/(gamma-1) Gamma(gamma+delta)/Gamma(1+delta)
        [Gamma(1+delta+n)/Gamma(gamma+delta+n) - Gamma(1+delta+n+n*)/Gamma(gamma+delta+n+n*)] (eqs. 7, 13)."""
        l1 = gammaln(1 + dl + n) - gammaln(g + dl + n)
        l2 = gammaln(1 + dl + n + ns) - gammaln(g + dl + n + ns)
        c = np.log(dl) + gammaln(g + dl) - gammaln(1 + dl)
        # (e^l1 - e^l2) / (gamma - 1), stable near gamma = 1
        return np.exp(c + l1) * (-np.expm1(l2 - l1)) / (g - 1) if abs(g - 1) > 1e-8 else \
            np.exp(c + l1) * (digamma(g + dl + n + ns) - digamma(g + dl + n))

    def expected_purchases(self, n, params=None) -> np.ndarray:
        """E[X(n)] for a new customer: alpha/(alpha+beta) sum_{t=1}^{n} P(alive at t) (eq. 7)."""
        a, b, g, dl = self._theta(params)
        n = self._count(n, "n", zero=True)
        return a / (a + b) * self._alive_sum(g, dl, 0.0, n)

    def frequency_pmf(self, n: int, params=None):
        """P(X(n) = x) for x = 0..n for a new customer (eq. 8): the calibration-period frequency histogram."""
        a, b, g, dl = self._theta(params)
        n = int(self._count(n, "n", zero=True))
        x = np.arange(n + 1, dtype=float)
        lab, lgd = betaln(a, b), betaln(g, dl)
        lbinom = gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1)
        p = np.exp(lbinom + betaln(a + x, b + n - x) - lab + betaln(g, dl + n) - lgd)
        for i in range(n):  # died just after opportunity i, having transacted x times in 1..i
            xs = x[x <= i]
            lb = gammaln(i + 1) - gammaln(xs + 1) - gammaln(i - xs + 1)
            p[: len(xs)] += np.exp(lb + betaln(a + xs, b + i - xs) - lab + betaln(g + 1, dl + i) - lgd)
        return p

    def dert(self, discount_rate: float, frequency, recency, n_periods, params=None) -> np.ndarray:
        """Discounted expected residual transactions (eq. 14); ``discount_rate`` per opportunity."""
        (a, b, g, dl), x, tx, n, ll = self._data(frequency, recency, n_periods, params)
        d = float(discount_rate)
        if not np.isfinite(d) or d <= 0 or d >= 10:
            raise ParameterError("discount_rate is a positive rate per opportunity such as 0.10; "
                                 f"got {discount_rate!r}")
        head = (betaln(a + x + 1, b + n - x) - betaln(a, b) + betaln(g, dl + n + 1) - betaln(g, dl)
                - np.log1p(d) - ll)
        return np.exp(head) * hyp2f1(1.0, dl + n + 1, g + dl + n + 1, 1.0 / (1.0 + d))

    @staticmethod
    def _count(v, name, zero=False):
        arr = np.asarray(v, dtype=float)
        lo = 0 if zero else 1
        if np.any(~np.isfinite(arr)) or np.any(arr < lo) or np.any(arr != np.round(arr)):
            raise ParameterError(f"{name} must hold whole numbers >= {lo}; got {v!r}")
        return arr
