"""Covariance-based SEM of the same model description, via semopy (ML)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import ConvergenceError, ParameterError
from crmlab.sem.data import prepare_items
from crmlab.core.modeltext import parse_model

__all__ = ["ISSUE_KINDS", "CBSEMResult", "fit_cbsem", "srmr"]

#: Kinds of problem a CB-SEM solution can have (``CBSEMResult.issues``), in the order they are checked.
ISSUE_KINDS = ("not_converged", "inadmissible", "heywood", "near_singular", "not_finite")


def srmr(sample_cov: np.ndarray, implied_cov: np.ndarray) -> float:
    """Standardised root mean square residual.

    Notes
    -----
    ``SRMR = sqrt( sum_{i<=j} ((s_ij - sigma_ij) / sqrt(s_ii s_jj))^2 / (p(p+1)/2) )``
    (Hu & Bentler 1999, *SEM* 6, 1-55; the definition used by lavaan's ``srmr_bentler``).
    """
    S = np.asarray(sample_cov, float)
    Sig = np.asarray(implied_cov, float)
    d = np.sqrt(np.diag(S))
    resid = (S - Sig) / np.outer(d, d)
    iu = np.triu_indices(len(S))
    return float(np.sqrt(np.mean(resid[iu] ** 2)))


@dataclass
class CBSEMResult:
    """Covariance-based SEM estimates, fit, convergence and admissibility.

    Attributes
    ----------
    estimates : DataFrame
        semopy's parameter table (lval, op, rval, Estimate, Est. Std, Std. Err,
        z-value, p-value).
    paths : DataFrame
        Structural paths: path key ``TARGET~SOURCE``, estimate, std_estimate, se, p.
    fit : dict
        chisq, df, pvalue, cfi, tli, rmsea, srmr (chi-square = n * F_ML, semopy's convention;
        CFI truncated to [0, 1] as in lavaan, TLI not truncated).
    latent_corr : DataFrame
        Model-implied correlations of the constructs.
    n : int
        Respondents used.
    issues : list of (kind, info)
        Every problem of the solution, as data (``kind`` one of :data:`ISSUE_KINDS`,
        ``info`` a dict of the numbers involved); empty when the solution is proper.
        ``not_converged``: ``iterations``, ``message``; ``inadmissible``: ``path`` (bool:
        a structural path, not a loading), ``lval``, ``rval``, ``value``; ``heywood``:
        ``var``, ``value``; ``near_singular``: ``a``, ``b``, ``value``; ``not_finite``: none.
    converged : bool
        Whether the optimiser reported convergence.
    iterations : int
        Iterations the optimiser used.
    """

    estimates: pd.DataFrame
    paths: pd.DataFrame
    fit: dict
    latent_corr: pd.DataFrame
    n: int = 0
    issues: list = field(default_factory=list)
    converged: bool = True
    iterations: int = 0

    @property
    def admissible(self) -> bool:
        """True when the solution converged and has no problem (``issues`` is empty)."""
        return not self.issues

    def _repr_html_(self):
        fit = ", ".join(f"{k} = {v:.3f}" if isinstance(v, float) else f"{k} = {v}" for k, v in self.fit.items())
        kinds = ", ".join(kind for kind, _ in self.issues) or "none"
        return (f"<b>CB-SEM (ML, semopy)</b> n = {self.n}: {fit}; issues: {kinds}"
                + self.paths.to_html(index=False, float_format="%.3f"))


def fit_cbsem(data: pd.DataFrame, model, near_one: float = 0.95, *, max_iter: int = 10000,
              strict: bool = False) -> CBSEMResult:
    """Fit the model by maximum likelihood with semopy and check convergence and admissibility.

    Parameters
    ----------
    data : DataFrame
        Respondent-level items (listwise deletion of missing values).
    model : str or ModelSpec
    near_one : float
        Absolute construct correlation above which the constructs are reported
        as empirically indistinguishable (near-singular solution).
    max_iter : int
        Iterations allowed to the optimiser (semopy's SLSQP; its default 10000).
    strict : bool
        Raise :class:`~crmlab.core.errors.ConvergenceError` when the optimiser does not
        converge, instead of returning the solution flagged (``converged`` False, a
        ``not_converged`` issue, ``admissible`` False).

    Returns
    -------
    CBSEMResult

    Raises
    ------
    ConvergenceError
        With ``strict=True``, when the optimiser stopped without converging; always, when
        it stopped at a point semopy cannot summarise (a singular information matrix).

    Notes
    -----
    Objective ``F_ML = log|Sigma| + tr(S Sigma^{-1}) - log|S| - p``; chi-square,
    CFI, TLI and RMSEA are semopy's ``calc_stats``; SRMR is computed from the
    sample and model-implied covariance matrices (:func:`srmr`).  A solution is
    flagged when the optimiser did not converge (its estimates and fit are those
    of the last iterate, not of the maximum-likelihood solution), when a
    standardized coefficient exceeds 1 in absolute value, a variance estimate is
    negative (Heywood case), two constructs correlate beyond ``near_one`` (Kline
    2016, *Principles and Practice of SEM*, ch. 12) or a fit statistic is not finite.
    """
    import semopy

    if int(max_iter) < 1:
        raise ParameterError(f"max_iter must be at least 1, got {max_iter}")
    spec = parse_model(model)
    prep = prepare_items(data, spec)
    X = prep.items
    m = semopy.Model(spec.to_lavaan())
    solution = m.fit(X, obj="MLW", options={"maxiter": int(max_iter)})
    converged = bool(solution.success)
    iterations = int(solution.n_it) if np.isfinite(solution.n_it) else 0
    failure = (f"CB-SEM (semopy ML) of the model with constructs {spec.names} did not converge after {iterations} "
               f"iterations: {solution.message}. Raise max_iter (now {max_iter}), check the items, or simplify the "
               "model.")
    if strict and not converged:
        raise ConvergenceError(failure)
    try:
        est = m.inspect(std_est=True)
        stats = semopy.calc_stats(m).T["Value"]
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
        if converged:
            raise
        # the last iterate cannot even be summarised: nothing to flag, only to report
        raise ConvergenceError(f"{failure} ({type(exc).__name__} at the last iterate: {exc})") from exc
    for col in ("Estimate", "Est. Std", "Std. Err", "z-value", "p-value"):
        est[col] = pd.to_numeric(est[col], errors="coerce")
    obs = m.vars["observed"]
    S = np.cov(X[obs].to_numpy(float), rowvar=False, ddof=0)
    sigma = m.calc_sigma()[0]
    fit = {"chisq": float(stats["chi2"]), "df": int(stats["DoF"]),
           "pvalue": float(stats["chi2 p-value"]), "cfi": float(np.clip(stats["CFI"], 0.0, 1.0)),
           "tli": float(stats["TLI"]), "rmsea": float(stats["RMSEA"]),
           "srmr": srmr(S, sigma)}
    lat = list(m.names_beta[0])
    Bm = np.asarray(m.mx_beta, float)
    Psi = np.asarray(m.mx_psi, float)
    inv = np.linalg.inv(np.eye(len(lat)) - Bm)
    C = inv @ Psi @ inv.T
    d = np.sqrt(np.clip(np.diag(C), 1e-300, None))
    lcorr = pd.DataFrame(C / np.outer(d, d), index=lat, columns=lat).loc[spec.names, spec.names]

    constructs = set(spec.names)
    st = est[(est["op"] == "~") & est["lval"].isin(constructs) & est["rval"].isin(constructs)]
    paths = pd.DataFrame({"path": st["lval"] + "~" + st["rval"], "estimate": st["Estimate"],
                          "std_estimate": st["Est. Std"], "se": st["Std. Err"],
                          "p": st["p-value"]}).reset_index(drop=True)
    order = {k: i for i, k in enumerate(spec.path_keys())}
    paths = paths.sort_values("path", key=lambda s: s.map(order)).reset_index(drop=True)

    issues = []
    if not converged:
        issues.append(("not_converged", {"iterations": iterations, "message": str(solution.message)}))
    big = est[(est["op"] == "~") & (est["Est. Std"].abs() > 1)]
    for _, r in big.iterrows():
        issues.append(("inadmissible", {"path": bool(r["rval"] in constructs and r["lval"] in constructs),
                                        "lval": r["lval"], "rval": r["rval"], "value": float(r["Est. Std"])}))
    neg = est[(est["op"] == "~~") & (est["lval"] == est["rval"]) & (est["Estimate"] < 0)]
    for _, r in neg.iterrows():
        issues.append(("heywood", {"var": r["lval"], "value": float(r["Estimate"])}))
    names = spec.names
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            r = lcorr.loc[a, b]
            if abs(r) > near_one:
                issues.append(("near_singular", {"a": a, "b": b, "value": float(r)}))
    if not np.isfinite(list(fit.values())).all():
        issues.append(("not_finite", {}))
    return CBSEMResult(estimates=est, paths=paths, fit=fit, latent_corr=lcorr, n=prep.n_used, issues=issues,
                       converged=converged, iterations=iterations)
