"""Pareto/NBD with time-invariant covariates on purchasing and dropout (Fader & Hardie 2007, note 019)."""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln, hyp2f1

from crmlab.clv.covariates import CovariateModel
from crmlab.clv.paretonbd import ParetoNBD, _a0_moments

__all__ = ["ParetoNBDCovariates"]


def _log_a0_rows(r, alpha, s, beta, x, tx, T):
    """log A0 of the Pareto/NBD likelihood with per-customer ``alpha`` and ``beta`` (arrays).

    The same expression as :func:`crmlab.clv.paretonbd._log_a0` (Fader & Hardie
    2005 note, eq. 22, with Euler's transformation), the branch on
    ``alpha >= beta`` taken row by row.
    """
    alpha, beta = np.broadcast_arrays(np.asarray(alpha, dtype=float), np.asarray(beta, dtype=float))
    rsx = r + s + x
    ge = alpha >= beta
    big = np.where(ge, alpha, beta)
    b2 = np.where(ge, s + 1.0, r + x)
    diff = np.abs(alpha - beta)

    def log_f(z):
        return -b2 * np.log1p(-z) + np.log(hyp2f1(1.0, b2, rsx + 1, z / (z - 1)))

    l1 = log_f(diff / (big + tx)) - rsx * np.log(big + tx)
    l2 = log_f(diff / (big + T)) - rsx * np.log(big + T)
    with np.errstate(divide="ignore"):
        return l1 + np.log(-np.expm1(l2 - l1))


class ParetoNBDCovariates(CovariateModel):
    r"""Pareto/NBD model whose purchase and dropout heterogeneity depend on customer covariates.

    Parameters
    ----------
    purchase, dropout : sequence of str
        Covariate columns acting on the purchase rate (through ``alpha``) and
        on the dropout rate (through ``beta``).  With neither, the model is
        :class:`~crmlab.clv.ParetoNBD`.
    max_iter, tol, initial
        Optimiser settings, see :class:`~crmlab.clv.covariates.CovariateModel`.

    Notes
    -----
    Fader & Hardie (2007, note 019):

    .. math::
        \alpha_i = \alpha_0 e^{-\gamma_1' x_{1i}},\qquad \beta_i = \beta_0 e^{-\gamma_2' x_{2i}},

    ``r`` and ``s`` common, so :math:`E(\lambda_i) = (r/\alpha_0) e^{\gamma_1' x_{1i}}`
    and :math:`E(\mu_i) = (s/\beta_0) e^{\gamma_2' x_{2i}}`: :math:`e^{\gamma}` is a
    ratio of mean purchase rates (purchase) or of mean dropout rates (dropout).
    Scaling every customer's rate by :math:`e^{\gamma}` is the same as dividing
    the gamma scale parameter by it, which is why the note puts the covariates
    on ``alpha`` and ``beta``.  The likelihood is the Pareto/NBD one
    (Fader & Hardie 2005 note, eq. 22) at :math:`(r, \alpha_i, s, \beta_i)`.

    The gradient is analytic and reuses :func:`crmlab.clv.paretonbd._a0_moments`
    (Gauss-Legendre expectations under the dropout integrand) at each
    customer's own ``alpha_i, beta_i``; the chain rule through the log link
    gives the coefficients' scores.  Standard errors come from a central
    difference of that gradient.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). Incorporating time-invariant
    covariates into the Pareto/NBD and BG/NBD models.
    http://www.brucehardie.com/notes/019/
    Schmittlein, Morrison & Colombo (1987), Management Science 33, 1-24.
    """

    base_names = ("r", "alpha0", "s", "beta0")
    links = (None, ("purchase", -1, "purchase"), None, ("dropout", -1, "dropout"))
    model_name = "Pareto/NBD with covariates"
    nocov_class = ParetoNBD

    @staticmethod
    def _terms(params, d):
        r, alpha_p, s, beta_d = params
        alpha = np.atleast_1d(alpha_p)[d["pi"]]
        beta = np.atleast_1d(beta_d)[d["di"]]
        x, tx, T = d["x"], d["tx"], d["T"]
        head = (gammaln(r + d["xs"]) - gammaln(r))[d["xi"]] + r * np.log(alpha) + s * np.log(beta)
        t1 = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        t2 = np.log(s) - np.log(r + s + x) + _log_a0_rows(r, alpha, s, beta, x, tx, T)
        return alpha, beta, head, t1, t2

    def _rows(self, params, d):
        r, _, s, _ = params
        x, tx, T = d["x"], d["tx"], d["T"]
        alpha, beta, head, t1, t2 = self._terms(params, d)
        lse = np.logaddexp(t1, t2)
        w = np.exp(t2 - lse)  # posterior weight of "dropped out between t_x and T"
        m = _a0_moments(r, alpha, s, beta, x, tx, T)
        G = np.empty((4, len(x)))
        G[0] = r * ((digamma(r + d["xs"]) - digamma(r))[d["xi"]] + np.log(alpha)
                       - (1 - w) * np.log(alpha + T) - w * m[:, 0])
        G[1] = r - (r + x) * alpha * ((1 - w) / (alpha + T) + w * m[:, 2])
        G[2] = s * (np.log(beta) - (1 - w) * np.log(beta + T) + w * (1.0 / s - m[:, 1]))
        G[3] = s - (1 - w) * s * beta / (beta + T) - w * (s + 1.0) * beta * m[:, 3]
        return head + lse, G

    # -- predictions -------------------------------------------------------------------------------
    def _alive_terms(self, frequency, recency, T, covariates, coef):
        x, tx, T_, (r, alpha, s, beta) = self._rows_for(frequency, recency, T, covariates, coef)
        n = len(x)
        d = {"x": x, "tx": tx, "T": T_, "pi": np.arange(n) if np.size(alpha) == n else np.zeros(n, dtype=int),
             "di": np.arange(n) if np.size(beta) == n else np.zeros(n, dtype=int)}
        d["xs"], d["xi"] = np.unique(x, return_inverse=True)
        alpha_r, beta_r, _, t1, t2 = self._terms((r, alpha, s, beta), d)
        return x, T_, r, s, alpha_r, beta_r, np.exp(t1 - np.logaddexp(t1, t2))

    def p_alive(self, frequency, recency, T, covariates=None, coef=None) -> np.ndarray:
        """P(alive | x, t_x, T, covariates): the share of the likelihood from 'still alive at T'."""
        return self._alive_terms(frequency, recency, T, covariates, coef)[-1]

    def conditional_expected_purchases(self, t, frequency, recency, T, covariates=None, coef=None) -> np.ndarray:
        r"""E[Y(t) | x, t_x, T, covariates].

        = P(alive) (r+x)(beta_i+T)/((alpha_i+T)(s-1)) [1 - ((beta_i+T)/(beta_i+T+t))^{s-1}]
        (Fader & Hardie 2005 note, eq. 41, at the customer's own alpha_i, beta_i).
        """
        x, T_, r, s, alpha, beta, pa = self._alive_terms(frequency, recency, T, covariates, coef)
        t = np.asarray(t, dtype=float)
        if abs(s - 1) < 1e-8:
            rate = (r + x) * (beta + T_) / (alpha + T_) * np.log((beta + T_ + t) / (beta + T_))
        else:
            rate = (r + x) * (beta + T_) / ((alpha + T_) * (s - 1)) * (1 - ((beta + T_) / (beta + T_ + t)) ** (s - 1))
        return pa * rate

    def expected_purchases(self, t, covariates=None, coef=None) -> np.ndarray:
        r"""E[X(t)] = r beta_i / (alpha_i (s-1)) [1 - (beta_i/(beta_i+t))^{s-1}] for a new customer.

        One value per row of ``covariates``; ``t`` broadcasts against them (shape ``(steps, 1)`` for a grid).
        """
        self._check_fitted()
        t = np.asarray(t, dtype=float)
        r, alpha, s, beta = self._row_params(self._coef(coef), covariates, self._n_rows(covariates, t), self.spec_)
        if abs(s - 1) < 1e-8:
            return r * beta / alpha * np.log((beta + t) / beta)
        return r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))

    def mean_dropout(self, covariates=None, coef=None, n: int | None = None) -> np.ndarray:
        """E(mu_i) = s / beta_i: each customer's mean dropout rate per time unit."""
        self._check_fitted()
        n = self._n_rows(covariates, np.zeros(1)) if n is None else n
        _, _, s, beta = self._row_params(self._coef(coef), covariates, n, self.spec_)
        return s / beta
