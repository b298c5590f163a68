"""Covariance-based SEM of the same model description, via semopy (ML)."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.sem.data import prepare_items
from crmlab.sem.syntax import parse_model

__all__ = ["CBSEMResult", "fit_cbsem", "srmr", "problem_text"]


def problem_text(kind: str, info: dict, lang: str = "en") -> str:
    """An admissibility problem in words (``kind``: inadmissible, heywood, near_singular, not_finite)."""
    zh = lang == "zh"
    if kind == "inadmissible":
        what = ("路径" if info["path"] else "载荷") if zh else ("path" if info["path"] else "loading")
        return (f"不可接受的解：标准化{what} {info['lval']} ~ {info['rval']} = {info['value']:.2f}，超出 ±1。" if zh else
                f"Inadmissible: standardized {what} {info['lval']} ~ {info['rval']} = "
                f"{info['value']:.2f} lies beyond ±1.")
    if kind == "heywood":
        return (f"Heywood 情形：{info['var']} 的方差估计为负（{info['value']:.3f}）。" if zh else
                f"Heywood case: the variance of {info['var']} is estimated negative ({info['value']:.3f}).")
    if kind == "near_singular":
        return (f"近似奇异：模型隐含的 {info['a']} 与 {info['b']} 的相关系数为 {info['value']:.3f}；这两个构念在经验上"
                "无法区分，涉及它们的路径无法解释。" if zh else
                f"Near-singular: the model-implied correlation of {info['a']} and {info['b']} is "
                f"{info['value']:.3f}; the two constructs are empirically indistinguishable, so the paths "
                "involving them are not interpretable.")
    if kind == "not_finite":
        return ("部分拟合指标不是有限值：优化器没有得到正常的解。" if zh else
                "Some fit statistics are not finite: the optimiser did not reach a proper solution.")
    raise ValueError(f"unknown problem kind {kind!r}")


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
    """Covariance-based SEM estimates, fit and admissibility.

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
    problems : list of str
        Plain-language admissibility warnings (empty when the solution is proper).
    issues : list of (kind, info)
        The same problems as data, for :meth:`findings` in another language.
    """

    estimates: pd.DataFrame
    paths: pd.DataFrame
    fit: dict
    latent_corr: pd.DataFrame
    problems: list = field(default_factory=list)
    n: int = 0
    issues: list = field(default_factory=list)

    @property
    def admissible(self) -> bool:
        return not self.problems

    def findings(self, lang: str = "en") -> list:
        """Admissibility in words (``lang``: en or zh)."""
        if not self.problems:
            if lang == "zh":
                return ["最大似然解是可接受的（没有超出 ±1 的标准化系数，没有负方差，也没有接近 ±1 的构念相关）。"]
            return ["The ML solution is admissible (no standardized coefficient beyond ±1, "
                    "no negative variance, no construct correlation near ±1)."]
        if lang == "en" or len(self.issues) != len(self.problems):
            return list(self.problems)
        return [problem_text(kind, info, lang) for kind, info in self.issues]

    def fit_summary(self, lang: str = "en") -> str:
        """The fit verdict and statistics in one sentence (CFI >= 0.95 and RMSEA <= 0.06: acceptable;
        CFI >= 0.90 and RMSEA <= 0.08: mediocre; otherwise poor)."""
        f = self.fit
        verdict = "acceptable" if f["cfi"] >= 0.95 and f["rmsea"] <= 0.06 else (
            "mediocre" if f["cfi"] >= 0.90 and f["rmsea"] <= 0.08 else "poor")
        stats = (f"χ²({f['df']}) = {f['chisq']:.1f}, CFI {f['cfi']:.3f}, TLI {f['tli']:.3f}, "
                 f"RMSEA {f['rmsea']:.3f}, SRMR {f['srmr']:.3f}")
        if lang == "zh":
            word = {"acceptable": "可以接受", "mediocre": "一般", "poor": "较差"}[verdict]
            return f"**模型拟合**{word}：{stats}。"
        return f"**Fit** is {verdict}: {stats}."

    def _repr_html_(self):
        fit = ", ".join(f"{k} = {v:.3f}" if isinstance(v, float) else f"{k} = {v}" for k, v in self.fit.items())
        warn = "".join(f"<li>{p}</li>" for p in self.findings())
        return (f"<b>CB-SEM (ML, semopy)</b> n = {self.n}: {fit}<ul>{warn}</ul>"
                + self.paths.to_html(index=False, float_format="%.3f"))


def fit_cbsem(data: pd.DataFrame, model, near_one: float = 0.95) -> CBSEMResult:
    """Fit the model by maximum likelihood with semopy and check admissibility.

    Parameters
    ----------
    data : DataFrame
        Respondent-level items (listwise deletion of missing values).
    model : str or ModelSpec
    near_one : float
        Absolute construct correlation above which the constructs are reported
        as empirically indistinguishable (near-singular solution).

    Notes
    -----
    Objective ``F_ML = log|Sigma| + tr(S Sigma^{-1}) - log|S| - p``; chi-square,
    CFI, TLI and RMSEA are semopy's ``calc_stats``; SRMR is computed from the
    sample and model-implied covariance matrices (:func:`srmr`).  A solution is
    flagged inadmissible when a standardized coefficient exceeds 1 in absolute
    value, a variance estimate is negative (Heywood case), or two constructs
    correlate beyond ``near_one`` (Kline 2016, *Principles and Practice of SEM*,
    ch. 12).
    """
    import semopy

    spec = parse_model(model)
    prep = prepare_items(data, spec)
    X = prep.items
    m = semopy.Model(spec.to_lavaan())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X, obj="MLW")
        est = m.inspect(std_est=True)
        stats = semopy.calc_stats(m).T["Value"]
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
    problems = [problem_text(kind, info) for kind, info in issues]
    return CBSEMResult(estimates=est, paths=paths, fit=fit, latent_corr=lcorr,
                       problems=problems, n=prep.n_used, issues=issues)
