"""Shared machinery for maximum-likelihood fitting of buy-till-you-die models.

Customers are compressed to unique rows of sufficient statistics with a count
per row (``(x, t_x, T)`` for the purchase models, ``(x, m_x)`` for spend), the
log-likelihood is evaluated in log space, optimisation runs over log
parameters with analytic (or finite-difference) gradients, a few Newton steps
polish the optimum and standard errors come from the observed information
(the inverse of minus the Hessian of the log-likelihood). :meth:`MLEstimator.summary`
is the tidy parameter table (estimate, standard error, Wald interval at ``level``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats
from threadpoolctl import threadpool_limits

from crmlab.core.errors import ConvergenceError, DataError, ParameterError

__all__ = ["ConvergenceError", "compress", "as_array", "MLEstimator"]


def as_array(values, name: str, *, integer: bool = False, positive: bool = False,
             nonnegative: bool = True) -> np.ndarray:
    """Convert a column to a float array, raising ``DataError`` naming it on bad values."""
    arr = np.asarray(values, dtype=float).ravel()
    bad = ~np.isfinite(arr)
    if nonnegative:
        bad |= arr < 0
    if positive:
        bad |= arr <= 0
    if integer:
        bad |= arr != np.round(arr)
    if bad.any():
        idx = np.flatnonzero(bad)[:5]
        rule = "a positive" if positive else ("a non-negative" if nonnegative else "a finite")
        kind = " whole number" if integer else " number"
        raise DataError(
            f"column '{name}' must hold {rule}{kind} for every customer; "
            f"{int(bad.sum())} bad value(s), e.g. rows {idx.tolist()} = {arr[idx].tolist()}"
        )
    return arr


def compress(*columns: np.ndarray, weights: np.ndarray | None = None):
    """Collapse customers to unique rows of ``columns`` with a count per row.

    Returns ``(unique_columns, counts, inverse)`` where ``inverse`` maps each
    input row to its unique row.  Each column is hashed separately
    (``pandas.factorize``) and the codes are combined into one integer key,
    so the cost is O(n).
    """
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for c in columns:
        codes, uniq = pd.factorize(np.asarray(c), sort=False)
        if len(key) and int(key.max()) >= (2**62) // max(len(uniq), 1):  # re-number before it could overflow
            key = pd.factorize(key, sort=False)[0].astype(np.int64)
        key = key * np.int64(len(uniq)) + codes
    inverse, first = pd.factorize(key, sort=False)
    # representative row of each group: first occurrence
    first_row = np.full(len(first), -1, dtype=np.int64)
    order = np.arange(len(inverse))[::-1]
    first_row[inverse[order]] = order
    w = np.ones(len(inverse)) if weights is None else np.asarray(weights, dtype=float)
    counts = np.bincount(inverse, weights=w, minlength=len(first))
    uniq_cols = [np.asarray(c, dtype=float)[first_row] for c in columns]
    return uniq_cols, counts, inverse


class MLEstimator:
    """Base class: maximum likelihood over log-parameters with Newton polishing.

    Subclasses define ``param_names``, ``model_name``, ``_start(data)``,
    ``_loglik(theta, data)`` returning the per-row log-likelihood and, when
    available, ``_grad(theta, data)`` returning the per-row gradient with
    respect to the natural parameters (shape ``(rows, k)``).
    """

    param_names: tuple[str, ...] = ()
    model_name: str = "model"
    analytic_gradient: bool = True

    def __init__(self, *, max_iter: int = 1000, tol: float = 1e-10, initial: dict | None = None):
        """``max_iter``: L-BFGS-B iterations; ``tol``: Newton step size (log scale) that ends polishing;
        ``initial``: starting values by parameter name (default: a data-based guess)."""
        self.max_iter = max_iter
        self.tol = tol
        self.initial = initial

    # -- objective ---------------------------------------------------------
    def _loglik_grad(self, theta, data):
        """Per-row log-likelihood and gradient (subclasses may share work between the two)."""
        return self._loglik(theta, data), self._grad(theta, data)

    def _objective(self, phi, data, counts, total):
        theta = np.exp(phi)
        if self.analytic_gradient:
            ll, G = self._loglik_grad(theta, data)
            val = -np.dot(counts, ll) / total
            if not np.isfinite(val):
                return 1e100, np.zeros_like(phi)
            return val, -(counts @ G) * theta / total
        val = -np.dot(counts, self._loglik(theta, data)) / total
        if not np.isfinite(val):
            return 1e100, np.zeros_like(phi)
        return val, self._fd_grad(phi, data, counts, total)

    def _fd_grad(self, phi, data, counts, total):
        g = np.empty_like(phi)
        for j in range(len(phi)):
            h = 1e-6
            e = np.zeros_like(phi)
            e[j] = h
            fp = -np.dot(counts, self._loglik(np.exp(phi + e), data)) / total
            fm = -np.dot(counts, self._loglik(np.exp(phi - e), data)) / total
            g[j] = (fp - fm) / (2 * h)
        return g

    def _total_grad_phi(self, phi, data, counts):
        theta = np.exp(phi)
        if self.analytic_gradient:
            return (counts @ self._grad(theta, data)) * theta
        return -self._fd_grad(phi, data, counts, 1.0)

    def _hessian_phi(self, phi, data, counts):
        """Hessian of the total log-likelihood with respect to log-parameters."""
        k = len(phi)
        H = np.empty((k, k))
        if self.analytic_gradient:
            h = 1e-5
            for j in range(k):
                e = np.zeros(k)
                e[j] = h
                H[:, j] = (self._total_grad_phi(phi + e, data, counts)
                           - self._total_grad_phi(phi - e, data, counts)) / (2 * h)
        else:
            h = 1e-3

            def f(p):
                return np.dot(counts, self._loglik(np.exp(p), data))

            for i in range(k):
                for j in range(i, k):
                    ei = np.zeros(k)
                    ej = np.zeros(k)
                    ei[i] = h
                    ej[j] = h
                    H[i, j] = H[j, i] = (f(phi + ei + ej) - f(phi + ei - ej)
                                         - f(phi - ei + ej) + f(phi - ei - ej)) / (4 * h * h)
        return (H + H.T) / 2

    # -- fitting -------------------------------------------------------------
    def _fit_data(self, data, counts):
        # tiny dense algebra: BLAS threads only add start-up cost and oversubscription
        with threadpool_limits(limits=1):
            return self._fit_data_inner(data, counts)

    def _fit_data_inner(self, data, counts):
        total = counts.sum()
        if self.initial is not None:
            start = np.array([float(self.initial[p]) for p in self.param_names])
        else:
            start = np.asarray(self._start(data, counts), dtype=float)
        phi0 = np.log(start)
        bounds = [(-18.0, 18.0)] * len(phi0)
        res = optimize.minimize(self._objective, phi0, args=(data, counts, total), jac=True,
                                method="L-BFGS-B", bounds=bounds,
                                options={"maxiter": self.max_iter, "ftol": 1e-15, "gtol": 1e-11})
        phi = res.x
        # Newton polishing on the total log-likelihood (quadratic convergence near the optimum)
        hess = None
        # (finite-difference models: the Hessian costs ~4k^2 likelihood evaluations, so only a few steps)
        for _ in range(4 if self.analytic_gradient else 2):
            g = self._total_grad_phi(phi, data, counts)
            hess = self._hessian_phi(phi, data, counts)
            if not np.all(np.isfinite(hess)):
                break
            try:
                step = np.linalg.solve(hess, -g)
            except np.linalg.LinAlgError:
                break
            new = phi + step
            f_old = np.dot(counts, self._loglik(np.exp(phi), data))
            f_new = np.dot(counts, self._loglik(np.exp(new), data))
            if not np.isfinite(f_new) or f_new < f_old - 1e-9 or np.max(np.abs(step)) > 1.0:
                break
            phi = new
            if np.max(np.abs(step)) < self.tol:
                break
        theta = np.exp(phi)
        loglik = float(np.dot(counts, self._loglik(theta, data)))
        g = self._total_grad_phi(phi, data, counts)
        at_bound = np.abs(phi) > 15.0  # theta < 3e-7 or > 3e6: a degenerate limit
        grad_ok = np.max(np.abs(g)) / total < 1e-4
        if not np.isfinite(loglik) or at_bound.any() or not grad_ok:
            names = [n for n, b in zip(self.param_names, at_bound) if b]
            detail = (f"parameter(s) {names} ran to the edge of the parameter space"
                      if names else f"optimiser stopped with: {res.message}")
            raise ConvergenceError(
                f"{self.model_name} fit did not converge: {detail}; last iterate "
                f"{dict(zip(self.param_names, np.round(theta, 6).tolist()))}, log-likelihood {loglik:.3f}. "
                "Typical causes: very few repeat buyers, a calibration period that is too short, "
                "or data that are not individual customers' purchase histories."
            )
        if hess is None or not np.all(np.isfinite(hess)):
            hess = self._hessian_phi(phi, data, counts)
        try:
            cov_phi = np.linalg.inv(-hess)
        except np.linalg.LinAlgError:
            cov_phi = np.full_like(hess, np.nan)
        cov = cov_phi * np.outer(theta, theta)  # delta method, exact at a stationary point
        self.params_ = pd.Series(theta, index=list(self.param_names), name="estimate")
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        se[np.diag(cov) < 0] = np.nan
        self.se_ = pd.Series(se, index=list(self.param_names), name="se")
        self.covariance_ = pd.DataFrame(cov, index=list(self.param_names), columns=list(self.param_names))
        self.loglik_ = loglik
        self.n_customers_ = int(round(total))
        self.n_rows_ = int(len(counts))
        self.aic_ = 2 * len(theta) - 2 * loglik
        self.optimizer_ = res
        return self

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        r"""Parameter table: estimate, standard error and Wald interval, one row per parameter.

        Parameters
        ----------
        level : float
            Confidence level of the interval (0 < level < 1).

        Returns
        -------
        DataFrame indexed by ``parameter`` with columns ``estimate, se, ci_low, ci_high``.

        Notes
        -----
        :math:`\hat\theta \pm z_{(1+level)/2}\,\widehat{se}`, with the standard errors from the
        observed information (see the module docstring). The interval is symmetric on the
        natural scale, so a bound can cross zero when the likelihood is flat (Pareto/NBD beta
        on CDNOW: 11.7, se 6.2).
        """
        self._check_fitted()
        if not 0 < level < 1:
            raise ParameterError(f"level must lie between 0 and 1 (e.g. 0.95); got {level!r}")
        z = stats.norm.ppf(0.5 + level / 2)
        tab = pd.DataFrame({"estimate": self.params_, "se": self.se_})
        tab["ci_low"] = tab["estimate"] - z * tab["se"]
        tab["ci_high"] = tab["estimate"] + z * tab["se"]
        tab.index.name = "parameter"
        return tab

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        if not hasattr(self, "params_"):
            return f"<p>{self.model_name} (not fitted)</p>"
        head = f"<p><b>{self.model_name}</b>: log-likelihood {self.loglik_:.2f}, n = {self.n_customers_:,}</p>"
        return head + self.summary().to_html(float_format=lambda v: f"{v:.4f}")

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise AttributeError(f"{self.model_name} is not fitted yet; call fit() first")

    def _theta(self, params=None):
        if params is None:
            self._check_fitted()
            return self.params_.to_numpy()
        if isinstance(params, dict):
            return np.array([float(params[p]) for p in self.param_names])
        return np.asarray(params, dtype=float)
