r"""Time-invariant covariates in buy-till-you-die models: shared machinery.

Fader & Hardie (2007, note 019) let the *scale* parameters of the mixing
distributions depend on customer characteristics through a log link while
the shape parameters stay common:

.. math::
    \alpha_i = \alpha_0 \exp(-\gamma_1' x_{1i})  \quad\text{(purchase process, both models)}

and, for the dropout process, :math:`\beta_i = \beta_0 \exp(-\gamma_2' x_{2i})`
(Pareto/NBD) or :math:`a_i = a_0 \exp(\gamma_2' x_{2i})`,
:math:`b_i = b_0 \exp(\gamma_3' x_{2i})` (BG/NBD).  The individual
likelihood is the no-covariate one evaluated at the customer's own
parameters.  This module holds what both models share: reading and checking
the covariate columns, compressing customers to unique
``(x, t_x, T, covariate row)``, maximum likelihood over the log base
parameters and the coefficients with an analytic gradient, Newton polishing
and standard errors from the observed information.  The models live in
:mod:`crmlab.clv.bgnbd_cov` and :mod:`crmlab.clv.paretonbd_cov`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import optimize, stats
from threadpoolctl import threadpool_limits

from crmlab.clv.base import as_array, compress
from crmlab.clv.purchase import check_rfm
from crmlab.core.errors import ConvergenceError, DataError, ParameterError

__all__ = ["CovariateModel", "covariate_matrix"]


def _names(value, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    out = tuple(value)
    if not all(isinstance(v, str) for v in out):
        raise ParameterError(f"'{what}' takes column names (strings); got {out!r}")
    if len(set(out)) != len(out):
        raise ParameterError(f"'{what}' names a column twice: {out!r}")
    return out


def covariate_matrix(covariates, names, n: int, *, like=None) -> np.ndarray:
    """Columns ``names`` of ``covariates`` (DataFrame or mapping of arrays) as an ``(n, k)`` float matrix.

    Raises ``DataError`` naming the column and 1-based rows for missing,
    non-numeric or non-finite values, a wrong length, or (when ``like`` is a
    pandas object) an index that does not line up with the customers.
    """
    names = tuple(names)
    if not names:
        return np.zeros((n, 0))
    if covariates is None:
        raise DataError(f"the model uses covariate column(s) {list(names)} but no covariates were given "
                        "(pass covariates=<DataFrame with those columns>)")
    if not isinstance(covariates, (pd.DataFrame, Mapping)):
        raise DataError(f"covariates must be a DataFrame or a mapping of column name -> values; "
                        f"got {type(covariates).__name__}")
    if (isinstance(covariates, pd.DataFrame) and isinstance(like, (pd.Series, pd.DataFrame))
            and len(like.index) == len(covariates.index) and not like.index.equals(covariates.index)):
        raise DataError("the covariates' index does not match the customers' index (rows would be paired by "
                        "position with different customers); align them, e.g. covariates.loc[summary.index]")
    cols = []
    for name in names:
        if name not in covariates:
            avail = list(covariates.columns) if isinstance(covariates, pd.DataFrame) else list(covariates)
            raise DataError(f"covariate column '{name}' is missing; available columns: {avail[:20]}")
        raw = covariates[name]
        if isinstance(raw, pd.Series) and not (pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw)):
            raise DataError(f"covariate column '{name}' is not numeric (dtype {raw.dtype}); code categories as "
                            "0/1 dummy columns, e.g. pandas.get_dummies(df['{name}'], drop_first=True)")
        try:
            col = as_array(raw, name, nonnegative=False)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, DataError):
                raise
            raise DataError(f"covariate column '{name}' is not numeric: {exc}") from None
        if len(col) != n:
            raise DataError(f"covariate column '{name}' has {len(col)} values for {n} customers")
        cols.append(col)
    return np.column_stack(cols)


class CovariateModel:
    """Base class of the covariate BTYD models (maximum likelihood, log-linear scale parameters).

    Subclasses set ``base_names`` (4 base parameters, all positive),
    ``links`` (per base parameter ``None`` or ``(process, sign, prefix)``:
    its log is shifted by ``sign * x' gamma`` with the ``process`` covariates),
    ``model_name``, ``nocov_class`` (the model without covariates, used for
    start values) and ``_rows(params, data)`` returning the per-row
    log-likelihood and its derivatives with respect to the log of each base
    parameter at the row's own parameter values (array of shape ``(4, rows)``).
    """

    base_names: tuple[str, ...] = ()
    links: tuple = ()
    model_name = "model"
    nocov_class = None

    def __init__(self, purchase=(), dropout=(), *, max_iter: int = 1000, tol: float = 1e-8,
                 initial: dict | None = None):
        """``purchase`` / ``dropout``: names of the covariate columns acting on each process;
        ``max_iter``: L-BFGS iterations; ``tol``: Newton step (internal scale) that ends polishing;
        ``initial``: starting values by parameter name (default: the no-covariate fit, coefficients 0)."""
        self.purchase = purchase
        self.dropout = dropout
        self.max_iter = max_iter
        self.tol = tol
        self.initial = initial

    # -- layout of the parameter vector -------------------------------------------------------
    def _spec(self):
        return {"purchase": _names(self.purchase, "purchase"), "dropout": _names(self.dropout, "dropout")}

    def _blocks(self, spec):
        """[(base index, process, sign, slice into the coefficient vector)] for the linked base parameters."""
        out, pos = [], len(self.base_names)
        for j, link in enumerate(self.links):
            if link is None:
                continue
            k = len(spec[link[0]])
            out.append((j, link[0], link[1], slice(pos, pos + k)))
            pos += k
        return out, pos

    def _param_names(self, spec):
        names = list(self.base_names)
        for link in self.links:
            if link is not None:
                names += [f"{link[2]}:{c}" for c in spec[link[0]]]
        return names

    def _pattern_params(self, phi, d):
        """Base parameters per covariate pattern (arrays) or common (scalars) at log-linear parameters ``phi``."""
        out = [np.exp(phi[j]) for j in range(len(self.base_names))]
        for j, proc, sign, sl in d["blocks"]:
            M = d["P"] if proc == "purchase" else d["D"]
            out[j] = np.exp(phi[j] + sign * (M @ phi[sl]))
        return out

    def _ll_grad(self, phi, d, counts):
        ll, G = self._rows(self._pattern_params(phi, d), d)
        total = float(np.dot(counts, ll))
        g = np.empty(len(phi))
        g[:len(self.base_names)] = G @ counts
        for j, proc, sign, sl in d["blocks"]:
            if sl.stop > sl.start:
                idx, M = (d["pi"], d["P"]) if proc == "purchase" else (d["di"], d["D"])
                g[sl] = sign * (M.T @ np.bincount(idx, weights=G[j] * counts, minlength=M.shape[0]))
        return total, g

    # -- data -----------------------------------------------------------------------------------
    def _data(self, x, tx, T, P, D, spec):
        """Index structures for rows ``(x, t_x, T)`` with purchase / dropout design matrices ``P``, ``D``."""
        blocks, _ = self._blocks(spec)
        d = {"x": x, "tx": tx, "T": T, "blocks": blocks}
        d["xs"], d["xi"] = np.unique(x, return_inverse=True)
        for key, M, idx in (("P", P, "pi"), ("D", D, "di")):
            if M.shape[1] == 0:
                d[key], d[idx] = np.zeros((1, 0)), np.zeros(len(x), dtype=np.int64)
            else:
                cols, _, inv = compress(*M.T)
                d[key], d[idx] = np.column_stack(cols), inv
        self._prepare_extra(d)
        return d

    def _prepare_extra(self, d):
        """Model-specific index structures (default: none)."""

    def _design(self, covariates, n, like=None):
        spec = self._spec()
        used = list(dict.fromkeys(spec["purchase"] + spec["dropout"]))
        U = covariate_matrix(covariates, used, n, like=like)
        P = U[:, [used.index(c) for c in spec["purchase"]]]
        D = U[:, [used.index(c) for c in spec["dropout"]]]
        return spec, used, U, P, D

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, frequency, recency, T, covariates=None, weights=None):
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases ``x``, time of the last repeat purchase ``t_x`` and
            age ``T`` at the end of calibration (same time unit).
        covariates : DataFrame or mapping, optional
            One row per customer (same order) holding the columns named in
            ``purchase`` and ``dropout``; numeric (code categories as 0/1 dummies).
        weights : array-like, optional
            Number of customers each row stands for (default 1).

        Returns
        -------
        self
        """
        x, tx, T_ = check_rfm(frequency, recency, T)
        n = len(x)
        if n == 0:
            raise DataError(f"{self.model_name}: no customers to fit")
        if not (x > 0).any():
            raise DataError(f"{self.model_name}: the calibration period has no repeat buyers (every frequency is 0), "
                            "so the dropout process cannot be estimated; lengthen the calibration period")
        spec, used, U, _, _ = self._design(covariates, n, like=frequency)
        w = None if weights is None else as_array(weights, "weights")
        if w is not None and len(w) != n:
            raise DataError(f"weights has {len(w)} values for {n} customers")
        cols, counts, _ = compress(x, tx, T_, *U.T, weights=w)
        ux, utx, uT = cols[:3]
        Uu = np.column_stack(cols[3:]) if used else np.zeros((len(ux), 0))
        # centre and scale every covariate (an exact linear reparametrisation, undone below)
        tot = counts.sum()
        mean = counts @ Uu / tot if used else np.zeros(0)
        sd = np.sqrt(counts @ (Uu - mean) ** 2 / tot) if used else np.zeros(0)
        const = [c for c, s in zip(used, sd) if not s > 1e-12 * max(1.0, abs(mean[used.index(c)]))]
        if const:
            raise DataError(f"covariate column(s) {const} take one value for every customer, so their effect is not "
                            "identified (it is absorbed by the base parameters); drop them from 'purchase'/'dropout'")
        Z = (Uu - mean) / sd if used else Uu
        for proc in ("purchase", "dropout"):
            names = spec[proc]
            if len(names) > 1:
                Zb = Z[:, [used.index(c) for c in names]]
                if np.linalg.matrix_rank(np.sqrt(counts)[:, None] * Zb) < len(names):
                    raise DataError(f"the {proc} covariates {list(names)} are collinear (one is a linear combination "
                                    "of the others and the intercept); drop one, e.g. one dummy per categorical")
        P = Z[:, [used.index(c) for c in spec["purchase"]]]
        D = Z[:, [used.index(c) for c in spec["dropout"]]]
        d = self._data(ux, utx, uT, P, D, spec)
        A = self._to_natural(spec, used, mean, sd)
        with threadpool_limits(limits=1):
            self._optimise(d, counts, A, spec, ux, utx, uT)
        self.n_customers_ = int(round(tot))
        self.n_rows_ = int(len(counts))
        self.n_repeaters_ = int(round(np.sum(counts[ux > 0])))
        self.covariate_means_ = pd.Series(mean, index=used, dtype=float)
        return self

    def _to_natural(self, spec, used, mean, sd):
        """Matrix A with natural parameters = A @ internal (centred, scaled) parameters."""
        blocks, k = self._blocks(spec)
        A = np.eye(k)
        for j, proc, sign, sl in blocks:
            cols = [used.index(c) for c in spec[proc]]
            A[sl, sl] = np.diag(1.0 / sd[cols])
            A[j, sl] = -sign * mean[cols] / sd[cols]
        return A

    def _start(self, ux, utx, uT, counts, spec, A):
        names = self._param_names(spec)
        nb = len(self.base_names)
        if self.initial is not None:
            unknown = set(self.initial) - set(names)
            missing = [p for p in names[:nb] if p not in self.initial]
            if unknown or missing:
                raise ParameterError(f"initial: unknown parameter(s) {sorted(unknown)}, missing base parameter(s) "
                                     f"{missing}; it takes {names[:nb]} and optionally the coefficients {names[nb:]}")
            nat = np.array([np.log(float(self.initial[p])) if i < nb else float(self.initial.get(p, 0.0))
                            for i, p in enumerate(names)])
            return np.linalg.solve(A, nat)
        # the no-covariate model fitted on at most 20,000 of the compressed rows: a start, not an estimate
        keep = np.unique(np.linspace(0, len(ux) - 1, min(len(ux), 20_000)).astype(np.int64))
        try:
            base = self.nocov_class().fit(ux[keep], utx[keep], uT[keep], weights=counts[keep]).params_.to_numpy()
        except DataError:
            base = np.asarray(self.nocov_class()._start({"T": uT}, counts), dtype=float)
        return np.concatenate([np.log(base), np.zeros(len(names) - nb)])

    def _hessian(self, phi, d, counts, g0=None, h=1e-6):
        """Hessian of the total log-likelihood: forward differences of the analytic gradient, symmetrised
        (k gradient evaluations; relative error ~1e-6, ample for standard errors and Newton steps)."""
        k = len(phi)
        if g0 is None:
            g0 = self._ll_grad(phi, d, counts)[1]
        H = np.empty((k, k))
        for j in range(k):
            e = np.zeros(k)
            e[j] = h
            H[:, j] = (self._ll_grad(phi + e, d, counts)[1] - g0) / h
        return (H + H.T) / 2

    def _optimise(self, d, counts, A, spec, ux, utx, uT):
        total = counts.sum()
        names = self._param_names(spec)
        nb = len(self.base_names)
        phi0 = self._start(ux, utx, uT, counts, spec, A)

        def objective(phi):
            ll, g = self._ll_grad(phi, d, counts)
            if not np.isfinite(ll) or not np.all(np.isfinite(g)):
                return 1e100, np.zeros_like(phi)
            return -ll / total, -g / total

        bounds = [(-18.0, 18.0)] * nb + [(-40.0, 40.0)] * (len(phi0) - nb)
        res = optimize.minimize(objective, phi0, jac=True, method="L-BFGS-B", bounds=bounds,
                                options={"maxiter": self.max_iter, "ftol": 1e-10, "gtol": 1e-6})
        phi = res.x
        # L-BFGS stops early on purpose: Newton steps with one Hessian (refreshed if the iterate moves far)
        # finish the job in a few gradient evaluations
        loglik, g = self._ll_grad(phi, d, counts)
        hess = self._hessian(phi, d, counts, g)
        moved = 0.0
        for _ in range(8):
            try:
                step = np.linalg.solve(hess, -g)
            except np.linalg.LinAlgError:
                break
            if not np.all(np.isfinite(step)) or np.max(np.abs(step)) > 1.0:
                break
            ll_new, g_new = self._ll_grad(phi + step, d, counts)
            if not np.isfinite(ll_new) or ll_new < loglik - 1e-9 * max(1.0, abs(loglik)):
                break
            phi, loglik, g = phi + step, ll_new, g_new
            moved += float(np.max(np.abs(step)))
            if np.max(np.abs(step)) < self.tol:
                break
        if moved > 1e-3:
            hess = self._hessian(phi, d, counts, g)
        nat = A @ phi
        at_bound = np.zeros(len(phi), dtype=bool)
        at_bound[:nb] = np.abs(nat[:nb]) > 15.0
        at_bound[nb:] = np.abs(phi[nb:]) > 25.0
        grad_ok = np.max(np.abs(g)) / total < 1e-4 if len(g) else True
        if not np.isfinite(loglik) or at_bound.any() or not grad_ok:
            bad = [n for n, b in zip(names, at_bound) if b]
            detail = (f"parameter(s) {bad} ran to the edge of the parameter space (a coefficient running off "
                      "usually means a covariate group with no repeat buyers or no dropout)"
                      if bad else f"optimiser stopped with: {res.message}")
            raise ConvergenceError(f"{self.model_name} fit did not converge: {detail}; last iterate "
                                   f"{dict(zip(names, np.round(nat, 6).tolist()))} (log base parameters, "
                                   f"coefficients), log-likelihood {loglik:.3f}")
        try:
            cov_int = np.linalg.inv(-hess)
        except np.linalg.LinAlgError:
            cov_int = np.full_like(hess, np.nan)
        vcov = A @ cov_int @ A.T
        se_nat = np.sqrt(np.clip(np.diag(vcov), 0, None))
        se_nat[np.diag(vcov) < 0] = np.nan
        est = nat.copy()
        est[:nb] = np.exp(nat[:nb])
        se = se_nat.copy()
        se[:nb] = est[:nb] * se_nat[:nb]
        self.spec_ = spec
        self.coef_ = pd.Series(nat, index=names, name="coef")
        self.vcov_ = pd.DataFrame(vcov, index=names, columns=names)
        self.params_ = pd.Series(est, index=names, name="estimate")
        self.se_ = pd.Series(se, index=names, name="se")
        self.loglik_ = float(loglik)
        self.aic_ = 2 * len(names) - 2 * self.loglik_
        self.optimizer_ = res
        self.hessian_ = hess

    # -- results ----------------------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise AttributeError(f"{self.model_name} is not fitted yet; call fit() first")

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Tidy parameter table.

        Columns: ``process``, ``covariate``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high`` (base parameters: interval on the log scale, so it stays
        positive; coefficients: Wald), ``ratio`` = exp(coefficient) with
        ``ratio_ci_low`` / ``ratio_ci_high``, ``z`` and ``p_value`` (coefficients only).
        For ``purchase:*`` the ratio multiplies the mean purchase rate
        E(lambda) = r / alpha_i; see the model's Notes for the dropout ratios.
        """
        self._check_fitted()
        if not 0 < level < 1:
            raise ParameterError(f"level must be between 0 and 1; got {level}")
        zq = stats.norm.ppf(0.5 + level / 2)
        nb = len(self.base_names)
        coef, se_c = self.coef_.to_numpy(), np.sqrt(np.clip(np.diag(self.vcov_.to_numpy()), 0, None))
        rows = []
        for i, name in enumerate(self.coef_.index):
            if i < nb:
                rows.append({"parameter": name, "process": "base", "covariate": "", "estimate": np.exp(coef[i]),
                             "se": self.se_.iloc[i], "ci_low": np.exp(coef[i] - zq * se_c[i]),
                             "ci_high": np.exp(coef[i] + zq * se_c[i]), "ratio": np.nan, "ratio_ci_low": np.nan,
                             "ratio_ci_high": np.nan, "z": np.nan, "p_value": np.nan})
            else:
                prefix, cov = name.split(":", 1)
                lo, hi = coef[i] - zq * se_c[i], coef[i] + zq * se_c[i]
                z = coef[i] / se_c[i] if se_c[i] > 0 else np.nan
                rows.append({"parameter": name, "process": prefix, "covariate": cov, "estimate": coef[i],
                             "se": se_c[i], "ci_low": lo, "ci_high": hi, "ratio": np.exp(coef[i]),
                             "ratio_ci_low": np.exp(lo), "ratio_ci_high": np.exp(hi), "z": z,
                             "p_value": 2 * stats.norm.sf(abs(z))})
        return pd.DataFrame(rows).set_index("parameter")

    def as_dict(self, level: float = 0.95) -> dict:
        """Headline figures as plain numbers (for ``crmlab.core.results.record``)."""
        tab = self.summary(level)
        return {"model": self.model_name, "n_customers": self.n_customers_, "n_rows": self.n_rows_,
                "n_repeaters": self.n_repeaters_, "loglik": self.loglik_, "aic": self.aic_,
                "params": {k: {c: float(tab.loc[k, c]) for c in ("estimate", "se", "ci_low", "ci_high")}
                           for k in tab.index},
                "ratios": {k: {c: float(tab.loc[k, c]) for c in ("ratio", "ratio_ci_low", "ratio_ci_high", "p_value")}
                           for k in tab.index[len(self.base_names):]}}

    # -- per-customer quantities -------------------------------------------------------------------
    def _coef(self, coef):
        if coef is None:
            self._check_fitted()
            return self.coef_.to_numpy()
        if isinstance(coef, (pd.Series, dict)):
            return np.array([float(coef[p]) for p in self.coef_.index])
        return np.asarray(coef, dtype=float)

    def individual_params(self, covariates=None, n: int | None = None, coef=None) -> pd.DataFrame:
        """Each customer's own base parameters (e.g. ``r, alpha, a, b``) given the covariates.

        ``coef`` (default: fitted) is the log-linear parameter vector of ``coef_``
        (log base parameters, then coefficients); ``n`` is needed only when the
        model has no covariates.
        """
        spec = self._spec() if not hasattr(self, "spec_") else self.spec_
        if n is None:
            if covariates is None:
                raise ParameterError("individual_params needs covariates or n (the number of customers)")
            n = len(covariates) if isinstance(covariates, pd.DataFrame) else len(next(iter(covariates.values())))
        vals = self._row_params(self._coef(coef), covariates, n, spec)
        names = [b.rstrip("0") for b in self.base_names]
        return pd.DataFrame({k: np.broadcast_to(v, (n,)) for k, v in zip(names, vals)},
                            index=covariates.index if isinstance(covariates, pd.DataFrame) else None)

    @staticmethod
    def _n_rows(covariates, t) -> int:
        """Number of customers in ``covariates`` (1 when there are none: the result broadcasts with ``t``)."""
        if covariates is None:
            return 1
        if isinstance(covariates, pd.DataFrame):
            return len(covariates)
        return len(np.asarray(next(iter(covariates.values()))))

    def _row_params(self, phi, covariates, n, spec, like=None):
        used = list(dict.fromkeys(spec["purchase"] + spec["dropout"]))
        U = covariate_matrix(covariates, used, n, like=like)
        d = {"P": U[:, [used.index(c) for c in spec["purchase"]]],
             "D": U[:, [used.index(c) for c in spec["dropout"]]], "blocks": self._blocks(spec)[0]}
        return self._pattern_params(phi, d)

    def _rows_for(self, frequency, recency, T, covariates, coef):
        """Validated ``(x, t_x, T)`` and the base parameters: arrays per customer for the linked ones
        (scale parameters), scalars for the common ones (shapes)."""
        x, tx, T_ = check_rfm(frequency, recency, T)
        self._check_fitted()
        vals = self._row_params(self._coef(coef), covariates, len(x), self.spec_, like=frequency)
        return x, tx, T_, vals

    def loglik(self, frequency, recency, T, covariates=None, coef=None) -> np.ndarray:
        """Per-customer log-likelihood at ``coef`` (default: fitted)."""
        x, tx, T_, vals = self._rows_for(frequency, recency, T, covariates, coef)
        d = {"x": x, "tx": tx, "T": T_, "pi": np.arange(len(x)), "di": np.arange(len(x))}
        d["xs"], d["xi"] = np.unique(x, return_inverse=True)
        self._prepare_extra(d)
        return self._rows(vals, d)[0]

    def bind(self, covariates=None, coef=None):
        """This model with the covariates fixed: an object with ``p_alive``, ``expected_purchases`` and
        ``conditional_expected_purchases`` taking the no-covariate arguments, so it can be passed to
        :func:`crmlab.clv.value.customer_value` and the holdout helpers."""
        return _Bound(self, covariates, coef)


class _Bound:
    """A fitted covariate model with the covariates (and optionally the parameters) fixed."""

    def __init__(self, model, covariates, coef):
        self.model, self.covariates, self.coef = model, covariates, coef

    def p_alive(self, frequency, recency, T):
        return self.model.p_alive(frequency, recency, T, self.covariates, coef=self.coef)

    def conditional_expected_purchases(self, t, frequency, recency, T):
        return self.model.conditional_expected_purchases(t, frequency, recency, T, self.covariates, coef=self.coef)

    def expected_purchases(self, t):
        return self.model.expected_purchases(t, self.covariates, coef=self.coef)
