"""BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

Purchasing while alive is Poisson with rate ``lambda ~ Gamma(r, alpha)``;
after every repeat purchase the customer drops out with probability
``p ~ Beta(a, b)``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1

from crmlab.clv.purchase import PurchaseModel, check_rfm

__all__ = ["BGNBD"]


class BGNBD(PurchaseModel):
    r"""BG/NBD ("beta-geometric / NBD") model, fitted by maximum likelihood.

    Notes
    -----
    The individual log-likelihood of ``(x, t_x, T)`` is
    :math:`\ell = A_1 + \log(e^{A_2} + \delta_{x>0} e^{A_3})` with

    .. math::
        A_1 &= \log\Gamma(r+x) - \log\Gamma(r) + r\log\alpha \\
        A_2 &= \log B(a, b+x) - \log B(a,b) - (r+x)\log(\alpha+T) \\
        A_3 &= \log B(a+1, b+x-1) - \log B(a,b) - (r+x)\log(\alpha+t_x)

    (Fader, Hardie & Lee 2005, eq. 6; log-space form from Fader, Hardie &
    Lee, "Computing P(alive) using the BG/NBD model", 2008).  Gradients are
    analytic (digamma functions); every term depending on ``x`` alone is
    evaluated once per distinct ``x``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your
    customers" the easy way: an alternative to the Pareto/NBD model.
    Marketing Science 24(2), 275-284.  On the CDNOW sample: r = 0.243,
    alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
    """

    param_names = ("r", "alpha", "a", "b")
    model_name = "BG/NBD"
    _default_start = (1.0, 1.0, 1.0, 1.0)

    def _start(self, data, counts):
        return (0.5, max(float(np.average(data["T"], weights=counts)) / 5, 0.1), 1.0, 2.0)

    @staticmethod
    def _parts(theta, d):
        r, alpha, a, b = theta
        xs, xi = d["xs"], d["xi"]
        lab = betaln(a, b)
        a1 = (gammaln(r + xs) - gammaln(r) + r * np.log(alpha))[xi]
        a2 = (betaln(a, b + xs) - lab)[xi] - (r + d["x"]) * np.log(alpha + d["T"])
        pos = xs > 0
        b3 = np.full(len(xs), -np.inf)
        b3[pos] = betaln(a + 1, b + xs[pos] - 1) - lab
        with np.errstate(invalid="ignore"):
            a3 = b3[xi] - (r + d["x"]) * np.log(alpha + d["tx"])
        a3 = np.where(d["x"] > 0, a3, -np.inf)
        return a1, a2, a3

    def _loglik(self, theta, d):
        a1, a2, a3 = self._parts(theta, d)
        return a1 + np.logaddexp(a2, a3)

    def _grad(self, theta, d):
        return self._loglik_grad(theta, d)[1]

    def _loglik_grad(self, theta, d):
        r, alpha, a, b = theta
        x, xs, xi = d["x"], d["xs"], d["xi"]
        a1, a2, a3 = self._parts(theta, d)
        lse = np.logaddexp(a2, a3)
        w = np.exp(a3 - lse)  # weight of the "dropped out at t_x" branch
        lT, ltx = np.log(alpha + d["T"]), np.log(alpha + d["tx"])
        dab = digamma(a + b)
        dabx = digamma(a + b + xs)[xi]
        g = np.empty((len(x), 4))
        g[:, 0] = (digamma(r + xs) - digamma(r))[xi] + np.log(alpha) - (1 - w) * lT - w * ltx
        g[:, 1] = r / alpha - (r + x) * ((1 - w) / (alpha + d["T"]) + w / (alpha + d["tx"]))
        g[:, 2] = dab - dabx + w / a
        db2 = (digamma(b + xs) - digamma(b))[xi] + dab - dabx
        pos = xs > 0
        db3s = np.zeros(len(xs))
        db3s[pos] = digamma(b + xs[pos] - 1) - digamma(b)
        db3 = db3s[xi] + dab - dabx
        g[:, 3] = (1 - w) * db2 + w * db3
        return a1 + lse, g

    # -- predictions ---------------------------------------------------------
    def p_alive(self, frequency, recency, T, params=None) -> np.ndarray:
        r"""P(alive | x, t_x, T) = 1 / (1 + \delta_{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^{r+x})."""
        r, alpha, a, b = self._theta(params)
        x, tx, T_ = check_rfm(frequency, recency, T)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (
                np.log(alpha + T_) - np.log(alpha + tx))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds)), 1.0)

    def expected_purchases(self, t, params=None) -> np.ndarray:
        r"""E[X(t)] for a new customer: (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]."""
        r, alpha, a, b = self._theta(params)
        t = np.asarray(t, dtype=float)
        z = t / (alpha + t)
        # Euler's transformation: (1-z)^r 2F1(r, b; a+b-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z)
        return (a + b - 1) / (a - 1) * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z))

    def conditional_expected_purchases(self, t, frequency, recency, T, params=None) -> np.ndarray:
        r"""E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (FHL 2005, eq. 10)."""
        r, alpha, a, b = self._theta(params)
        x, tx, T_ = check_rfm(frequency, recency, T)
        t = np.asarray(t, dtype=float)
        z = t / (alpha + T_ + t)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            head = (a + b + x - 1) / (a - 1)
            # Euler's transformation keeps this finite for any x:
            # (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)
            body = 1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
            odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300) * np.exp(
                (r + x) * (np.log(alpha + T_) - np.log(alpha + tx))), 0.0)
        return head * body / (1 + odds)
