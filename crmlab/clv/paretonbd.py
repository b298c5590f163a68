"""Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987)."""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1

from crmlab.clv.purchase import PurchaseModel, check_rfm

__all__ = ["ParetoNBD"]


def _log_a0(r, alpha, s, beta, x, tx, T):
    """log of the A0 term of the Pareto/NBD likelihood (Fader & Hardie 2005 note, eq. 22)."""
    rsx = r + s + x
    if alpha >= beta:
        big, b2 = alpha, s + 1
    else:
        big, b2 = beta, r + x
    diff = abs(alpha - beta)

    def log_f(z):
        # Euler's transformation 2F1(a, b; a+1; z) = (1-z)^(-b) 2F1(1, b; a+1; z/(z-1)): no overflow for large x
        return -b2 * np.log1p(-z) + np.log(hyp2f1(1.0, b2, rsx + 1, z / (z - 1)))

    l1 = log_f(diff / (big + tx)) - rsx * np.log(big + tx)
    l2 = log_f(diff / (big + T)) - rsx * np.log(big + T)
    with np.errstate(divide="ignore"):
        return l1 + np.log(-np.expm1(l2 - l1))


class ParetoNBD(PurchaseModel):
    r"""Pareto/NBD model, fitted by maximum likelihood.

    Notes
    -----
    Purchasing while alive is Poisson with ``lambda ~ Gamma(r, alpha)``;
    lifetimes are exponential with ``mu ~ Gamma(s, beta)``.  The individual
    likelihood (Fader & Hardie 2005, "A note on deriving the Pareto/NBD
    model and related expressions", eq. 22) is

    .. math::
        L = \frac{\Gamma(r+x)\alpha^r\beta^s}{\Gamma(r)}
            \left[\frac{1}{(\alpha+T)^{r+x}(\beta+T)^s} + \frac{s}{r+s+x} A_0\right]

    where :math:`A_0` is a difference of two Gauss hypergeometric terms.  It
    is evaluated in log space (``logaddexp``, ``log1p``); gradients are
    central finite differences of the log-likelihood (autograd-free) and the
    Hessian for standard errors is a second-order finite difference.

    References
    ----------
    Schmittlein, Morrison & Colombo (1987), Management Science 33, 1-24.
    Fader, Hardie & Lee (2005), Marketing Science 24(2): on the CDNOW sample
    r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669.
    """

    param_names = ("r", "alpha", "s", "beta")
    model_name = "Pareto/NBD"
    analytic_gradient = False

    def _start(self, data, counts):
        mt = max(float(np.average(data["T"], weights=counts)) / 4, 0.1)
        return (0.5, mt, 0.5, mt)

    @staticmethod
    def _terms(theta, d):
        r, alpha, s, beta = theta
        x, tx, T = d["x"], d["tx"], d["T"]
        head = (gammaln(r + d["xs"]) - gammaln(r))[d["xi"]] + r * np.log(alpha) + s * np.log(beta)
        t1 = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        t2 = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, tx, T)
        return head, t1, t2

    def _loglik(self, theta, d):
        head, t1, t2 = self._terms(theta, d)
        return head + np.logaddexp(t1, t2)

    def p_alive(self, frequency, recency, T, params=None) -> np.ndarray:
        """P(alive | x, t_x, T): the share of the likelihood from 'still alive at T'."""
        x, tx, T_ = check_rfm(frequency, recency, T)
        _, t1, t2 = self._terms(self._theta(params), self._prepare(x, tx, T_))
        return np.exp(t1 - np.logaddexp(t1, t2))

    def expected_purchases(self, t, params=None) -> np.ndarray:
        r"""E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^{s-1}] for a new customer."""
        r, alpha, s, beta = self._theta(params)
        t = np.asarray(t, dtype=float)
        if abs(s - 1) < 1e-8:
            return r * beta / alpha * np.log((beta + t) / beta)
        return r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))

    def conditional_expected_purchases(self, t, frequency, recency, T, params=None) -> np.ndarray:
        r"""E[Y(t) | x, t_x, T] = P(alive) (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^{s-1}]."""
        r, alpha, s, beta = self._theta(params)
        x, tx, T_ = check_rfm(frequency, recency, T)
        pa = self.p_alive(x, tx, T_, params=params)
        t = np.asarray(t, dtype=float)
        if abs(s - 1) < 1e-8:
            rate = (r + x) * (beta + T_) / (alpha + T_) * np.log((beta + T_ + t) / (beta + T_))
        else:
            rate = (r + x) * (beta + T_) / ((alpha + T_) * (s - 1)) * (1 - ((beta + T_) / (beta + T_ + t)) ** (s - 1))
        return pa * rate
