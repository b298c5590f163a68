"""MICOM: measurement invariance of composites across two groups (permutation tests).

All permutations are estimated as one stacked PLS run: a permutation only
changes which rows form group 1, so group 1's cross-product sums are one
(P x n) @ (n x p^2) product and group 2's are the pooled sums minus them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import ConvergenceError, DataError, ParameterError
from crmlab.sem.data import prepare_items
from crmlab.sem.pls import SCHEMES
from crmlab.sem.predict import stacked_pls
from crmlab.core.modeltext import parse_model

__all__ = ["MICOMResult", "micom"]


@dataclass
class MICOMResult:
    """Outcome of the three MICOM steps for two groups.

    Attributes
    ----------
    compositional : DataFrame
        Step 2 per construct: c (correlation of the composites built with
        group-1 and group-2 weights), quantile (the ``alpha`` quantile of the
        permutation distribution of c), p_value, invariant (c >= quantile).
    means : DataFrame
        Step 3a: difference (group 1 - group 2 mean of the pooled-model
        standardised scores), ci_low, ci_high (permutation interval), p_value,
        equal.
    variances : DataFrame
        Step 3b: difference of the log variances, ci_low, ci_high, p_value, equal.
    decision : DataFrame
        construct, configural, compositional, equal_means, equal_variances and
        invariance ("full", "partial" or "none").
    groups : tuple of str
    n : dict
        Complete rows per group.
    n_permutations : int
        Permutations used (requested minus ``n_failed``).
    alpha : float
    n_failed : int
        Permutations dropped because an item was constant in a permuted group
        or PLS did not converge there within ``max_iter`` iterations.
    """

    compositional: pd.DataFrame
    means: pd.DataFrame
    variances: pd.DataFrame
    decision: pd.DataFrame
    groups: tuple
    n: dict
    n_permutations: int
    alpha: float
    n_failed: int = 0
    draws: dict = field(repr=False, default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """One row per construct with the statistics of the three steps and the decision."""
        c = self.compositional.add_prefix("step2_")
        m = self.means.add_prefix("mean_")
        v = self.variances.add_prefix("logvar_")
        d = self.decision.set_index("construct")
        return pd.concat([c, m, v, d], axis=1).rename_axis("construct").reset_index()

    def to_dict(self) -> dict:
        return {"groups": [str(g) for g in self.groups], "n": {str(k): int(v) for k, v in self.n.items()},
                "n_permutations": int(self.n_permutations), "n_failed": int(self.n_failed),
                "alpha": float(self.alpha),
                "constructs": self.summary().round(6).to_dict(orient="records")}

    def _repr_html_(self):
        return (f"<b>MICOM</b> ({self.groups[0]} vs {self.groups[1]}, {self.n_permutations} permutations)"
                + self.summary().to_html(index=False, float_format="%.4f"))


def _group_covariances(X, member):
    """Covariance matrices of the rows flagged by each row of ``member`` (a P x n 0/1
    matrix) and of the complementary rows (population denominator)."""
    n, p = X.shape
    Q = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)
    n1 = member.sum(axis=1, keepdims=True)
    n2 = n - n1
    s1, q1 = member @ X, member @ Q
    s2, q2 = X.sum(axis=0) - s1, Q.sum(axis=0) - q1
    out = []
    for s, q, k in ((s1, q1, n1), (s2, q2, n2)):
        m = s / k
        out.append((q / k).reshape(-1, p, p) - m[:, :, None] * m[:, None, :])
    return out


def _composite_corr(W1, W2, S):
    """Per construct, corr(Z w1, Z w2) on the pooled data with covariance S; W (B, p, L)."""
    SW2 = S @ W2
    SW1 = S @ W1
    num = np.einsum("bpl,bpl->bl", W1, SW2)
    v1 = np.einsum("bpl,bpl->bl", W1, SW1)
    v2 = np.einsum("bpl,bpl->bl", W2, SW2)
    return num / np.sqrt(v1 * v2)


def micom(data: pd.DataFrame, model, group: str, groups: "tuple | None" = None, n_permutations: int = 5000,
          scheme: str = "path", scaled: bool = True, alpha: float = 0.05, seed=None, tol: float = 1e-10,
          max_iter: int = 3000, chunk: int = 1000, min_group: int = 10) -> MICOMResult:
    """Measurement invariance of composites (MICOM) between two groups.

    Parameters
    ----------
    data : DataFrame
    model : str or ModelSpec
    group : str
        Grouping column.
    groups : (str, str), optional
        The two levels to compare (required when the column has more than two).
    n_permutations : int
    scheme, scaled, tol, max_iter : see :class:`~crmlab.sem.pls.PLSPM`
    alpha : float
        Step 2 fails when c is below the ``alpha`` quantile of its permutation
        distribution; step 3 intervals cover ``1 - alpha``.
    seed : int or numpy Generator, optional
    chunk : int
        Permuted groups per stacked PLS batch.
    min_group : int
        Fewer complete rows in a group is an error.

    Returns
    -------
    MICOMResult

    Notes
    -----
    Step 1 (configural invariance) holds by construction: one model, the same
    items and the same algorithm settings in both groups; the function checks
    that no item is constant within a group and that PLS converges in each.
    Step 2: with the group weights ``w1, w2`` applied to the pooled data
    ``Z`` (standardised when ``scaled``), ``c = corr(Z w1, Z w2)``; group labels
    are permuted ``P`` times, both groups re-estimated, and compositional
    invariance fails when ``c < q_alpha`` (the alpha quantile of the permuted
    c); ``p = (1 + #{c* <= c}) / (1 + P)``.  Step 3: the pooled model's
    standardised scores give the mean difference and the difference of the
    log variances (sample variances, ddof = 1) between the groups; equality
    holds when the statistic lies within the ``[alpha/2, 1 - alpha/2]``
    quantiles of its permutation distribution; ``p = (1 + #{|d*| >= |d|}) /
    (1 + P)``.  Invariance is "none" when step 2 fails, "full" when step 2
    holds and means and variances are equal, else "partial" (group path
    coefficients can then be compared).  Henseler, Ringle & Sarstedt (2016),
    "Testing measurement invariance of composites using partial least
    squares", *International Marketing Review* 33, 405-431.
    """
    if scheme not in SCHEMES:
        raise ParameterError(f"pls scheme {scheme!r} is not one of {SCHEMES}")
    if int(n_permutations) < 1:
        raise ParameterError("n_permutations must be at least 1")
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must lie in (0, 1); got {alpha}")
    spec = parse_model(model)
    if not spec.paths:
        raise ParameterError("the model has no structural paths ('Target ~ Source')")
    if group not in data.columns:
        raise DataError(f"group column {group!r} is missing from the data")
    prep = prepare_items(data, spec, extra=[group])
    g = data.loc[prep.index, group].astype(str).to_numpy()
    levels = list(dict.fromkeys(sorted(g)))
    if groups is None:
        if len(levels) != 2:
            raise ParameterError(f"group column {group!r} has {len(levels)} levels {levels}; "
                                 "choose two with groups=(a, b)")
        groups = tuple(levels)
    groups = tuple(str(x) for x in groups)
    if len(groups) != 2 or groups[0] == groups[1] or any(x not in levels for x in groups):
        raise ParameterError(f"groups must name two different levels of {group!r} among {levels}; got {groups}")
    sel = np.isin(g, groups)
    X = prep.items.to_numpy(float)[sel]
    g = g[sel]
    in1 = (g == groups[0]).astype(float)
    n = len(g)
    counts = {groups[0]: int(in1.sum()), groups[1]: int(n - in1.sum())}
    for lv, k in counts.items():
        if k < min_group:
            raise DataError(f"group {lv!r} of {group!r} has {k} complete rows; MICOM needs at least "
                            f"{min_group} (parameter min_group)")
    for lv in groups:
        sd = X[g == lv].std(axis=0)
        flat = [it for it, s in zip(spec.items, sd) if s == 0]
        if flat:
            raise DataError(f"item(s) {flat} are constant in group {lv!r} of {group!r}: step 1 "
                            "(configural invariance) fails, the composite cannot be formed there")
    M, A = spec.block_matrix(), spec.adjacency()
    names = spec.names
    Xc = X - X.mean(axis=0)
    sd_all = Xc.std(axis=0)
    Z = Xc / sd_all if scaled else Xc
    S_pool = (Z.T @ Z) / n
    rng = np.random.default_rng(seed)
    P = int(n_permutations)
    member = np.vstack([in1, rng.permuted(np.tile(in1, (P, 1)), axis=1)])   # row 0: observed labels
    S12 = np.concatenate(_group_covariances(Xc, member))
    var = np.einsum("bii->bi", S12)
    # a permuted group in which an item is constant cannot be estimated: drop that permutation
    flat = (var <= 1e-10 * sd_all ** 2).any(axis=1)
    bad = flat[:P + 1] | flat[P + 1:]
    S12[np.r_[bad, bad]] = np.eye(X.shape[1])
    if scaled:
        sd12 = np.sqrt(np.einsum("bii->bi", S12))
        S12 = S12 / sd12[:, :, None] / sd12[:, None, :]
    res = stacked_pls(S12, M, A, scheme, tol, max_iter, chunk, modes=spec.mode_b())
    conv = res["converged"]
    if not (conv[0] and conv[P + 1]):
        raise ConvergenceError(f"PLS did not converge in {max_iter} iterations in group "
                               f"{groups[0] if not conv[0] else groups[1]!r}; raise max_iter")
    bad |= ~(conv[:P + 1] & conv[P + 1:])
    W = res["W"]
    W1, W2 = W[:P + 1], W[P + 1:]
    c_all = _composite_corr(W1, W2, S_pool[None])
    c_obs, c_perm = c_all[0], c_all[1:][~bad[1:]]
    P = len(c_perm)
    q = np.quantile(c_perm, alpha, axis=0)
    p2 = (1 + (c_perm <= c_obs + 1e-12).sum(axis=0)) / (1 + P)
    # (tolerance: a single-item construct has c = 1 in every permutation, up to rounding)
    compositional = pd.DataFrame({"c": c_obs, "quantile": q, "p_value": p2, "invariant": c_obs >= q - 1e-12},
                                 index=pd.Index(names, name="construct"))
    # step 3: pooled model scores, group means and log variances under the same permutations
    pooled = stacked_pls(S_pool[None], M, A, scheme, tol, max_iter, chunk, modes=spec.mode_b())
    if not pooled["converged"][0]:
        raise ConvergenceError(f"PLS did not converge in {max_iter} iterations on the pooled data; raise max_iter")
    Wp = pooled["W"][0]
    scores = Z @ Wp
    member = member[~bad]
    k1 = member.sum(axis=1, keepdims=True)
    k2 = n - k1
    s1, q1 = member @ scores, member @ scores ** 2
    s2, q2 = scores.sum(axis=0) - s1, (scores ** 2).sum(axis=0) - q1
    m1, m2 = s1 / k1, s2 / k2
    v1 = (q1 - k1 * m1 ** 2) / (k1 - 1)
    v2 = (q2 - k2 * m2 ** 2) / (k2 - 1)
    stats = {"means": m1 - m2, "variances": np.log(v1) - np.log(v2)}
    tables = {}
    for key, d in stats.items():
        obs, perm = d[0], d[1:]
        lo, hi = np.quantile(perm, [alpha / 2, 1 - alpha / 2], axis=0)
        pv = (1 + (np.abs(perm) >= np.abs(obs) - 1e-12).sum(axis=0)) / (1 + P)
        tables[key] = pd.DataFrame({"difference": obs, "ci_low": lo, "ci_high": hi, "p_value": pv,
                                    "equal": (obs >= lo) & (obs <= hi)},
                                   index=pd.Index(names, name="construct"))
    comp_ok = compositional["invariant"].to_numpy()
    eq = tables["means"]["equal"].to_numpy() & tables["variances"]["equal"].to_numpy()
    decision = pd.DataFrame({"construct": names, "configural": True, "compositional": comp_ok,
                             "equal_means": tables["means"]["equal"].to_numpy(),
                             "equal_variances": tables["variances"]["equal"].to_numpy(),
                             "invariance": np.where(~comp_ok, "none", np.where(eq, "full", "partial"))})
    return MICOMResult(compositional=compositional, means=tables["means"], variances=tables["variances"],
                       decision=decision, groups=groups, n=counts, n_permutations=P, alpha=alpha,
                       n_failed=int(bad.sum()),
                       draws={"c": c_perm, "means": stats["means"][1:], "variances": stats["variances"][1:],
                              "weights_group1": W1[0], "weights_group2": W2[0], "weights_pooled": Wp})
