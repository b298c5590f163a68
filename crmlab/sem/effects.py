"""Mediation (specific indirect effects) and multi-group comparison of PLS path models."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations, pairwise

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError
from crmlab.sem.data import prepare_items
from crmlab.core.modeltext import make_spec, parse_model
from crmlab.sem.hoc import METHODS, expand_model, run_design
from crmlab.sem.pls import PLSPM, SCHEMES, resample_covariances, resolve_weights

__all__ = ["MultiGroupResult", "mediation", "multigroup"]


def mediation(pls: PLSPM, boot=None, level: float = 0.95) -> pd.DataFrame:
    """Specific indirect effects along every chain the model implies, with bootstrap CIs.

    Parameters
    ----------
    pls : PLSPM
        Fitted model.
    boot : PLSBootstrap, optional
        Defaults to ``pls.bootstrap_`` (call ``pls.bootstrap`` first).
    level : float

    Returns
    -------
    DataFrame with chain (``"A->M->B"``), source, target, estimate, se,
    ci_low, ci_high, direct (the direct path source -> target, 0 if none) and
    share_mediated (indirect / total of the chain's source -> target pair).

    Notes
    -----
    A specific indirect effect is the product of the path coefficients along
    the chain; its sampling distribution is taken from the same bootstrap
    resamples (percentile interval), which avoids the normality assumption of
    the Sobel test (Preacher & Hayes 2008, *Behavior Research Methods* 40,
    879-891; Nitzl, Roldan & Cepeda 2016, *IMDS* 116, 1849-1864).
    """
    boot = boot if boot is not None else getattr(pls, "bootstrap_", None)
    if boot is None:
        raise ParameterError("mediation needs a bootstrap: call pls.bootstrap(...) first")
    names = pls.spec_.names
    B0 = pls.path_matrix_.to_numpy()
    Bd = boot.draws["B"]
    T0 = np.linalg.inv(np.eye(len(names)) - B0) - np.eye(len(names))
    a = (1 - level) / 2
    rows = []
    for chain in pls.spec_.indirect_paths():
        ix = [names.index(c) for c in chain]
        est = np.prod([B0[i, j] for i, j in pairwise(ix)])
        draws = np.prod([Bd[:, i, j] for i, j in pairwise(ix)], axis=0)
        lo, hi = np.quantile(draws, [a, 1 - a])
        tot = T0[ix[0], ix[-1]]
        rows.append({"chain": "->".join(chain), "source": chain[0], "target": chain[-1],
                     "estimate": est, "se": draws.std(ddof=1), "ci_low": lo, "ci_high": hi,
                     "direct": B0[ix[0], ix[-1]],
                     "share_mediated": est / tot if tot != 0 else np.nan})
    return pd.DataFrame(rows)


@dataclass
class MultiGroupResult:
    """Per-group path coefficients and permutation tests of their differences.

    Attributes
    ----------
    paths : DataFrame
        path, group, estimate, n (one row per path and group).
    tests : DataFrame
        path, group_a, group_b, estimate_a, estimate_b, difference, p_value.
    n_permutations : int
        Permutations requested per pair of groups.
    n_failed : int
        Permutations dropped (summed over the pairs of groups): PLS did not
        converge in a permuted group, or (PLSc) its solution was inadmissible.
    inadmissible : list of str
        Groups whose own PLSc solution is inadmissible (their estimates are
        shown but are no findings).
    weighted : bool
        True when survey weights were used.
    """

    paths: pd.DataFrame
    tests: pd.DataFrame
    n_permutations: int
    n_failed: int = 0
    inadmissible: list = field(default_factory=list)
    weighted: bool = False

    def _repr_html_(self):
        return self.tests.to_html(index=False, float_format="%.3f")


def multigroup(data: pd.DataFrame, model, group: str, scheme: str = "path", scaled: bool = True,
               n_permutations: int = 1000, seed=None, min_group: int = 20, weights=None, method: str = "pls",
               hoc: str = "embedded") -> MultiGroupResult:
    """Path coefficients per level of ``group`` and permutation tests of pairwise differences.

    Parameters
    ----------
    data : DataFrame
    model : str or ModelSpec
        As for :class:`~crmlab.sem.pls.PLSPM`: Mode A (``=~``) and Mode B
        (``<~``) blocks and higher-order constructs are estimated as there.
    group : str
        Grouping column (levels with fewer than ``min_group`` complete rows are dropped).
    scheme, scaled, method, hoc : see :class:`~crmlab.sem.pls.PLSPM`
    n_permutations : int
    seed : int or numpy Generator, optional
    min_group : int
    weights : str or array-like, optional
        Survey weights (a column of ``data`` or one value per row): each
        group's model is the weighted fit of :class:`~crmlab.sem.pls.PLSPM`,
        and every respondent keeps its weight when the labels are permuted.

    Notes
    -----
    For each pair of groups the labels are permuted within the pooled
    sample; each permutation's two group covariance matrices are built by one
    matrix product (group indicator times survey weight) and all permutations
    are estimated as one stacked PLS run.
    ``p = (1 + #{|d*| >= |d|}) / (1 + P)`` over the ``P`` permutations whose
    two groups converged (and, for PLSc, are admissible; NaN when there are
    none) (Chin & Dibbern 2010, in *Handbook of Partial Least Squares*, 171-193).
    A group difference is only interpretable when the composites are
    invariant across the groups (MICOM, :func:`crmlab.sem.micom.micom`).
    """
    if n_permutations < 1:
        raise ParameterError("n_permutations must be at least 1")
    if scheme not in SCHEMES:
        raise ParameterError(f"pls scheme {scheme!r} is not one of {SCHEMES}")
    if method not in METHODS:
        raise ParameterError(f"method={method!r} is not one of {METHODS}")
    spec = parse_model(model)
    design = expand_model(spec, hoc)
    if group not in data.columns:
        raise DataError(f"group column {group!r} is missing from the data")
    raw_spec = make_spec({c: its for c, its in spec.constructs.items() if c not in spec.higher_order}, [])
    prep = prepare_items(data, raw_spec, extra=[group])
    w = None
    if weights is not None:
        if not data.index.is_unique:
            raise DataError("data has duplicate index labels; call data.reset_index(drop=True) before "
                            "a weighted multigroup comparison")
        w = resolve_weights(data, weights, data.index.get_indexer(prep.index))
    g = data.loc[prep.index, group].astype(str).to_numpy()
    levels, counts = np.unique(g, return_counts=True)
    keep = [lv for lv, c in zip(levels, counts) if c >= min_group]
    if len(keep) < 2:
        raise DataError(f"group column {group!r} needs at least two levels with >= {min_group} "
                        f"complete rows; counts: {dict(zip(levels, counts.tolist()))}")
    X = prep.items[design.raw_items].to_numpy(float)
    wv = np.ones(len(X)) if w is None else w
    fin = design.final.spec
    names = fin.names
    keys = [(names.index(s), names.index(t), f"{t}~{s}") for t in fin.endogenous
            for s in fin.predecessors(t)]

    def paths_for(member):
        S = resample_covariances(X, member * wv[None, :], scaled)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = run_design(S, design, scheme, method=method)
        est = np.stack([out["final"]["paths"][:, i, j] for i, j, _ in keys], axis=1)
        return est, out["converged"] & out["admissible"]

    est, inadmissible = {}, []
    for lv in keep:
        e, ok = paths_for((g == lv)[None, :].astype(float))
        est[lv] = e[0]
        if not ok[0]:
            inadmissible.append(lv)
    prow = [{"path": k, "group": lv, "estimate": est[lv][q], "n": int((g == lv).sum())}
            for lv in keep for q, (_, _, k) in enumerate(keys)]
    rng = np.random.default_rng(seed)
    trows = []
    failed = 0
    for a, b in combinations(keep, 2):
        sel = (g == a) | (g == b)
        ga = (g[sel] == a)
        Xsel_idx = np.flatnonzero(sel)
        perms = np.stack([rng.permutation(ga) for _ in range(n_permutations)])
        wa = np.zeros((n_permutations, len(g)))
        wb = np.zeros((n_permutations, len(g)))
        wa[:, Xsel_idx] = perms
        wb[:, Xsel_idx] = ~perms
        (pa, oka), (pb, okb) = paths_for(wa), paths_for(wb)
        ok = oka & okb
        failed += int((~ok).sum())
        diff_perm = (pa - pb)[ok]
        d_obs = est[a] - est[b]
        p = (1 + (np.abs(diff_perm) >= np.abs(d_obs) - 1e-12).sum(axis=0)) / (1 + len(diff_perm))
        if not len(diff_perm):
            p = np.full(len(keys), np.nan)    # no permutation could be estimated: no test
        for q, (_, _, k) in enumerate(keys):
            trows.append({"path": k, "group_a": a, "group_b": b, "estimate_a": est[a][q],
                          "estimate_b": est[b][q], "difference": d_obs[q], "p_value": p[q]})
    return MultiGroupResult(paths=pd.DataFrame(prow), tests=pd.DataFrame(trows),
                            n_permutations=n_permutations, n_failed=failed, inadmissible=inadmissible,
                            weighted=w is not None)
