"""Regression models for rating-scale outcomes: ordinal logit and OLS with HC3 errors.

The ordinal model is the proportional-odds (cumulative logit) model

    P(Y <= k | x) = F(theta_k - x' beta),  k = 1..K-1,  F = logistic,

fitted by maximum likelihood with statsmodels' ``OrderedModel``; this is the
parametrisation of R ``ordinal::clm`` and ``MASS::polr`` (McCullagh 1980,
JRSS B 42). OLS with HC3 standard errors (MacKinnon & White 1985) is the
familiar baseline.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.drivers import check_design, check_sample_size, check_weights, prepare_matrix, weighted_corr
from crmlab.core.errors import ConvergenceError, DataError, ParameterError


def _design(df: pd.DataFrame, outcome: str, drivers, min_levels: int = 0):
    drivers = list(drivers)
    if not drivers:
        raise ParameterError("no drivers given")
    if outcome in drivers:
        raise ParameterError(f"outcome {outcome!r} is also listed as a driver")
    Z = prepare_matrix(df, drivers + [outcome])
    check_sample_size(len(Z), len(drivers))
    sd = Z.std(0)
    check_design(None, drivers, outcome=outcome, sd=sd)
    check_design(weighted_corr(Z), drivers, outcome=outcome)
    y = Z[:, -1]
    levels = np.unique(y)
    if min_levels and levels.size < min_levels:
        raise DataError(f"outcome {outcome!r} has only {levels.size} observed level(s) {levels.tolist()}; "
                        f"an ordinal model needs at least {min_levels}")
    return Z[:, :-1], y, drivers


@dataclass
class OrdinalFit:
    """Proportional-odds logit fit (see module docstring).

    Attributes
    ----------
    coef : DataFrame indexed by driver: coef, se, z, p, odds_ratio, and ci_low, ci_high
        (the confidence interval of the odds ratio, at the ``level`` of :func:`fit_ordinal`)
    thresholds : Series indexed "k|k+1" (cut-points theta_k on the logit scale)
    levels : observed outcome levels (sorted)
    loglik, aic, n
    """

    coef: pd.DataFrame
    thresholds: pd.Series
    levels: np.ndarray
    loglik: float
    aic: float
    n: int
    drivers: list
    outcome: str
    _result: object = None

    def predict_proba(self, profiles: pd.DataFrame) -> pd.DataFrame:
        """Predicted probability of each outcome level for driver profiles (rows)."""
        X = prepare_matrix(profiles, self.drivers, what="driver")
        eta = X @ self.coef["coef"].to_numpy()
        cuts = np.concatenate([[-np.inf], self.thresholds.to_numpy(), [np.inf]])
        F = 1 / (1 + np.exp(-(cuts[None, :] - eta[:, None])))
        P = np.diff(F, axis=1)
        return pd.DataFrame(P, index=profiles.index, columns=pd.Index(self.levels, name=self.outcome))

    def expected(self, profiles: pd.DataFrame) -> np.ndarray:
        """Expected outcome score ``sum_k level_k P(Y = k)`` per profile."""
        return self.predict_proba(profiles).to_numpy() @ self.levels

    def marginal_effects(self, data: pd.DataFrame, step: float = 1.0) -> pd.DataFrame:
        """Average effect of a ``step``-point increase in each driver.

        For each driver, the change in predicted probabilities of every level
        and in the expected score, averaged over the respondents in ``data``
        (discrete change, holding the other drivers at observed values).
        """
        base = self.predict_proba(data[self.drivers]).to_numpy()
        base_e = base @ self.levels
        rows = []
        for d in self.drivers:
            shifted = data[self.drivers].astype(float).copy()
            shifted[d] = shifted[d] + step
            P = self.predict_proba(shifted).to_numpy()
            row = {"driver": d, "d_expected": float((P @ self.levels - base_e).mean())}
            row.update({f"dP({lv:g})": float(v) for lv, v in zip(self.levels, (P - base).mean(0))})
            rows.append(row)
        return pd.DataFrame(rows).set_index("driver")

    def to_record(self) -> dict:
        return {"coef": {d: float(v) for d, v in self.coef["coef"].items()},
                "thresholds": {k: float(v) for k, v in self.thresholds.items()},
                "loglik": self.loglik, "aic": self.aic, "n": self.n}

    def _repr_html_(self) -> str:
        return (f"<p><b>Ordinal logit</b> of {self.outcome}: n = {self.n}, logLik = {self.loglik:.2f}</p>"
                + self.coef.round(4).to_html() + self.thresholds.round(4).to_frame("threshold").to_html())


def fit_ordinal(df: pd.DataFrame, outcome: str, drivers, *, level: float = 0.95, maxiter: int = 2000) -> OrdinalFit:
    """Fit the proportional-odds logit model of ``outcome`` on ``drivers``.

    Parameters
    ----------
    df : DataFrame
    outcome : str
        Ordered rating (at least 3 observed levels).
    drivers : list of str
    level : float
        Confidence level of the odds ratios' intervals (``ci_low``, ``ci_high``).
    maxiter : int
        Iterations of the BFGS optimiser (Nelder-Mead restarts get 20 times as many).

    Raises
    ------
    DataError
        Text or missing values in an item, an outcome with fewer than 3
        observed levels, a constant driver, or perfectly collinear drivers.
    ConvergenceError
        The likelihood maximisation did not converge (message names the outcome,
        ``maxiter`` and the largest score component at the last iterate).

    Notes
    -----
    ``P(Y <= k | x) = F(theta_k - x' beta)`` with ``F`` logistic (McCullagh 1980, JRSS B 42);
    the odds ratio ``exp(beta_j)`` has the Wald interval ``exp(beta_j -/+ z se_j)``.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    X, y, drivers = _design(df, outcome, drivers, min_levels=3)
    levels = np.unique(y)
    codes = np.searchsorted(levels, y)
    yc = pd.Series(pd.Categorical(codes, categories=range(levels.size), ordered=True))
    Xdf = pd.DataFrame(X, columns=drivers)
    model = OrderedModel(yc, Xdf, distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(method="bfgs", maxiter=maxiter, disp=False)
        if not res.mle_retvals.get("converged", True):
            res = model.fit(method="nm", maxiter=20 * maxiter, disp=False, start_params=res.params)
            res = model.fit(method="bfgs", maxiter=maxiter, disp=False, start_params=res.params)
    if not res.mle_retvals.get("converged", True):
        grad = res.mle_retvals.get("gopt")
        where = f"largest score {np.max(np.abs(grad)):.2g} at the last iterate" if grad is not None else "no optimum"
        raise ConvergenceError(f"ordinal model of {outcome!r} did not converge (BFGS, maxiter={maxiter}: {where}); "
                               "check for separation (a driver that predicts the outcome perfectly) or raise maxiter")
    p = len(drivers)
    params = np.asarray(res.params)
    cov = np.asarray(res.cov_params())
    beta = params[:p]
    se = np.sqrt(np.diag(cov)[:p])
    zc = stats.norm.ppf(0.5 + level / 2)
    coef = pd.DataFrame({"coef": beta, "se": se, "z": beta / se, "p": 2 * stats.norm.sf(np.abs(beta / se)),
                         "odds_ratio": np.exp(beta), "ci_low": np.exp(beta - zc * se),
                         "ci_high": np.exp(beta + zc * se)}, index=pd.Index(drivers, name="driver"))
    cuts = model.transform_threshold_params(params)[1:-1]
    names = [f"{levels[k]:g}|{levels[k + 1]:g}" for k in range(levels.size - 1)]
    thr = pd.Series(cuts, index=pd.Index(names, name="threshold"), name="threshold")
    return OrdinalFit(coef=coef, thresholds=thr, levels=levels.astype(float), loglik=float(res.llf),
                      aic=float(-2 * res.llf + 2 * params.size), n=int(y.size), drivers=drivers,
                      outcome=outcome, _result=res)


@dataclass
class OLSFit:
    """OLS fit with HC3 standard errors: ``coef`` (driver rows + const; coef, se_hc3, z, p, ci_low, ci_high),
    ``r2``, ``n``."""

    coef: pd.DataFrame
    r2: float
    n: int
    weighted: bool = False

    def to_record(self) -> dict:
        return {d: float(v) for d, v in self.coef["coef"].drop("const").items()}

    def _repr_html_(self) -> str:
        kind = "WLS" if self.weighted else "OLS"
        return f"<p><b>{kind} (HC3)</b>: R² = {self.r2:.3f}, n = {self.n}</p>" + self.coef.round(4).to_html()


def fit_ols(df: pd.DataFrame, outcome: str, drivers, *, weights=None, level: float = 0.95) -> OLSFit:
    """OLS (or WLS with survey weights) of ``outcome`` on ``drivers`` with HC3 standard errors.

    Notes
    -----
    HC3: ``Var(b) = (X'X)^-1 X' diag(e_i**2 / (1 - h_ii)**2) X (X'X)^-1``
    (MacKinnon & White 1985, J. Econometrics 29). With weights the same
    sandwich is applied to the ``sqrt(w)``-scaled regression.
    """
    import statsmodels.api as sm

    X, y, drivers = _design(df, outcome, drivers)
    Xc = sm.add_constant(pd.DataFrame(X, columns=drivers), has_constant="add")
    if weights is not None:
        w = df[weights] if isinstance(weights, str) else weights
        w = check_weights(w, len(df), df.index)
        res = sm.WLS(y, Xc, weights=w).fit(cov_type="HC3")
    else:
        res = sm.OLS(y, Xc).fit(cov_type="HC3")
    ci = res.conf_int(alpha=1 - level)
    coef = pd.DataFrame({"coef": res.params, "se_hc3": res.bse, "z": res.tvalues, "p": res.pvalues,
                         "ci_low": ci[0], "ci_high": ci[1]})
    coef.index.name = "term"
    return OLSFit(coef=coef, r2=float(res.rsquared), n=int(y.size), weighted=weights is not None)


def compare_models(ordinal: OrdinalFit, ols: OLSFit) -> pd.DataFrame:
    """Side-by-side: ordinal logit coefficient and odds ratio, OLS coefficient, and the
    ordinal model's average effect of one point on the expected score (comparable to OLS)."""
    out = ordinal.coef[["coef", "odds_ratio", "p"]].rename(columns={"coef": "ordinal_coef", "p": "ordinal_p"})
    out["ols_coef"] = ols.coef["coef"].reindex(out.index)
    out["ols_p_hc3"] = ols.coef["p"].reindex(out.index)
    return out
