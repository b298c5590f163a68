"""Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987)."""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln, hyp2f1

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


# Gauss-Legendre rule for the expectations under the A0 integrand (see ``_a0_moments``)
_GL_PANELS = 1
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(20)
_GL_U = ((np.arange(_GL_PANELS)[:, None] + (_GL_NODES[None, :] + 1.0) / 2.0) / _GL_PANELS).ravel()
_GL_W = np.tile(_GL_WEIGHTS, _GL_PANELS)


def _a0_moments(r, alpha, s, beta, x, tx, T):
    r"""Expectations of log(alpha+tau), log(beta+tau), 1/(alpha+tau), 1/(beta+tau) under the A0 density.

    The "dropped out between t_x and T" part of the likelihood is
    :math:`s \int_{t_x}^{T} f(\tau) d\tau`,
    :math:`f(\tau) = (\alpha+\tau)^{-(r+x)} (\beta+\tau)^{-(s+1)}` (integrate
    :math:`\lambda^x \mu e^{-(\lambda+\mu)\tau}` over the two gamma mixing laws), so the
    derivatives of its logarithm in r, alpha, s, beta are expectations of smooth functions of tau
    under the normalised density f / int f (differentiation under the integral sign).

    They are computed by a 20-node Gauss-Legendre rule (geometrically graded, see below) in
    ``y = log(c + tau)``, where ``c`` belongs to the factor with the larger power: that factor
    becomes the entire function ``exp(-p y)``; the other one, ``(e^y + c' - c)^(-p')``, is analytic
    except at ``e^y = c - c'``, which is either off the real axis (distance pi) or, when
    ``c' < c``, on it to the left of the range -- then the nodes are graded geometrically towards
    it (uniform in ``log(y - y_sing)``).  The range is cut where the integrand has fallen below
    exp(-50) of its value at t_x (it decays at least like ``exp(-kappa (y - y0))``).  Against
    30-digit mpmath quadrature the relative error is ~1e-12 or better for r, alpha, s, beta in
    (0.05, 20), x < 200, T <= 100 (tests/test_clv.py); nothing here is a finite difference.
    Returns an array of shape (rows, 4); rows with t_x == T get zeros (their A0 is 0).
    """
    pa = r + x
    ps = s + 1.0
    use_a = pa >= ps
    cv = np.where(use_a, alpha, beta)
    co = np.where(use_a, beta, alpha)
    pv = np.where(use_a, pa, ps)
    po = np.where(use_a, ps, pa)
    y0 = np.log(cv + tx)
    y1 = np.log(cv + T)
    # on the range, d log(integrand)/dy <= 1 - pv - po * min((cv+t_x)/(co+t_x), 1) = -kappa
    kappa = pv + po * np.minimum((cv + tx) / (co + tx), 1.0) - 1.0
    with np.errstate(divide="ignore"):
        cut = np.where(kappa > 0, y0 + 50.0 / np.where(kappa > 0, kappa, 1.0), np.inf)
    y1 = np.minimum(y1, cut)
    L = y1 - y0
    # geometric grading (uniform in log(y - y_s)) towards y_s = y0 - delta: the real singularity
    # log(c - c') when c' < c and it is close, otherwise a mild grading towards t_x (delta = 4 L)
    gap = cv - co
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(gap > 0, y0 - np.log(np.where(gap > 0, gap, 1.0)), np.inf)
    delta = np.minimum(delta, 4.0 * L)
    delta = np.where(delta > 0, delta, 1.0)
    q = np.log1p(L / delta)  # range of log(y - y_s)
    e = np.exp(q[:, None] * _GL_U[None, :])
    y = y0[:, None] + delta[:, None] * (e - 1.0)
    v = np.exp(y)                       # c + tau
    o = v + (co - cv)[:, None]          # c' + tau
    lo = np.log(o)
    logf = (1.0 - pv)[:, None] * y - po[:, None] * lo
    logf -= logf.max(axis=1, keepdims=True)
    f = np.exp(logf) * e * _GL_W[None, :]   # dy/du = delta q e^{qu}; the constant delta q cancels
    tot = f.sum(axis=1)
    tot = np.where(tot > 0, tot, 1.0)
    m_lv = np.einsum('ij,ij->i', f, y) / tot
    m_lo = np.einsum('ij,ij->i', f, lo) / tot
    m_iv = (f / v).sum(axis=1) / tot
    m_io = (f / o).sum(axis=1) / tot
    out = np.empty((len(x), 4))
    out[:, 0] = np.where(use_a, m_lv, m_lo)
    out[:, 1] = np.where(use_a, m_lo, m_lv)
    out[:, 2] = np.where(use_a, m_iv, m_io)
    out[:, 3] = np.where(use_a, m_io, m_iv)
    out[~(T > tx)] = 0.0
    return out

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
    is evaluated in log space (``logaddexp``, ``log1p``).  The gradient is
    analytic: writing the second term as
    :math:`s\int_{t_x}^{T}(\alpha+\tau)^{-(r+x)}(\beta+\tau)^{-(s+1)}d\tau`, its
    log-derivatives are expectations of ``-log(alpha+tau)``, ``-(r+x)/(alpha+tau)``,
    ``1/s - log(beta+tau)`` and ``-(s+1)/(beta+tau)`` under the normalised integrand,
    computed by Gauss-Legendre quadrature (relative error ~1e-12, see ``_a0_moments``);
    the Hessian for standard errors is a central difference of this gradient.

    References
    ----------
    Schmittlein, Morrison & Colombo (1987), Management Science 33, 1-24.
    Fader, Hardie & Lee (2005), Marketing Science 24(2): on the CDNOW sample
    r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669.
    """

    param_names = ("r", "alpha", "s", "beta")
    model_name = "Pareto/NBD"

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

    def _grad(self, theta, d):
        return self._loglik_grad(theta, d)[1]

    def _loglik_grad(self, theta, d):
        r, alpha, s, beta = theta
        x, tx, T = d["x"], d["tx"], d["T"]
        head, t1, t2 = self._terms(theta, d)
        lse = np.logaddexp(t1, t2)
        w = np.exp(t2 - lse)  # posterior weight of "dropped out between t_x and T"
        m = _a0_moments(r, alpha, s, beta, x, tx, T)
        g = np.empty((len(x), 4))
        g[:, 0] = ((digamma(r + d["xs"]) - digamma(r))[d["xi"]] + np.log(alpha)
                   - (1 - w) * np.log(alpha + T) - w * m[:, 0])
        g[:, 1] = r / alpha - (r + x) * ((1 - w) / (alpha + T) + w * m[:, 2])
        g[:, 2] = np.log(beta) - (1 - w) * np.log(beta + T) + w * (1.0 / s - m[:, 1])
        g[:, 3] = s / beta - (1 - w) * s / (beta + T) - w * (s + 1.0) * m[:, 3]
        return head + lse, g

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
