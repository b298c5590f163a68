"""The batched (optionally weighted) bootstrap of PLS path models."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import ParameterError
from crmlab.sem.hoc import run_design
from crmlab.sem.measurement import htmt_from_corr
from crmlab.sem.pls_algo import resample_covariances, total_effects

__all__ = ["PLSBootstrap", "run_bootstrap", "outer_index", "outer_arrays", "rho_arrays"]


@dataclass
class PLSBootstrap:
    """Bootstrap summaries; each table has original, mean, se, t, ci_low, ci_high.

    ``weights`` and ``loadings`` cover every reported item (Mode B weights
    included); ``rho_a`` the constructs' rho_A.  ``n_failed`` counts dropped
    resamples (not converged, degenerate, or inadmissible PLSc solutions);
    ``n_inadmissible`` the PLSc ones among them.
    """

    paths: pd.DataFrame
    r2: pd.DataFrame
    weights: pd.DataFrame
    loadings: pd.DataFrame
    total_effects: pd.DataFrame
    indirect: pd.DataFrame
    htmt: pd.DataFrame
    n_resamples: int
    n_failed: int
    level: float
    draws: dict = field(repr=False, default_factory=dict)
    rho_a: "pd.DataFrame | None" = None
    n_inadmissible: int = 0
    method: str = "pls"
    weighted: bool = False

    def _repr_html_(self):
        return ("<b>PLS bootstrap</b> ({} resamples, {} not converged)".format(
            self.n_resamples, self.n_failed) + self.paths.to_html(float_format="%.4f"))


def _summarise(original, draws, names, level):
    draws = np.asarray(draws)
    with np.errstate(invalid="ignore"):
        se = draws.std(axis=0, ddof=1)
        a = (1 - level) / 2
        lo, hi = np.quantile(draws, [a, 1 - a], axis=0)
        mean = draws.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, original / se, np.nan)
    return pd.DataFrame({"original": original, "mean": mean, "se": se,
                         "t": t, "ci_low": lo, "ci_high": hi}, index=pd.Index(names, name="term"))


def outer_index(design):
    """Reported outer-model rows: (item, construct, stage key, row, column) per item."""
    rows = []
    if design.stage1 is not None:
        st = design.stage1
        blk = st.M.argmax(axis=1)
        for i, it in enumerate(st.spec.items):
            c = st.spec.names[blk[i]]
            if c in design.reported_stage1:
                rows.append((it, c, "stage1", i, blk[i]))
    st = design.final
    blk = st.M.argmax(axis=1)
    for i, it in enumerate(st.spec.items):
        rows.append((it, st.spec.names[blk[i]], "final", i, blk[i]))
    return rows


def outer_arrays(out, idx, ok=None):
    """(B, q) weights and loadings of the reported outer rows, from a ``run_design`` result."""
    sel = slice(None) if ok is None else ok
    ws = [out[key]["W"][sel, i, j] for _, _, key, i, j in idx]
    ls = [out[key]["loadings"][sel, i, j] for _, _, key, i, j in idx]
    return np.stack(ws, axis=1), np.stack(ls, axis=1)


def rho_arrays(out, design, ok=None):
    """Names and (B, L) rho_A of the LOCs (stage 1) followed by the final constructs."""
    names, cols = [], []
    if design.stage1 is not None:
        s1 = design.stage1.spec.names
        for c in design.reported_stage1:
            names.append(c)
            cols.append(out["stage1"]["rho_a"][:, s1.index(c)])
    for j, c in enumerate(design.final.spec.names):
        names.append(c)
        cols.append(out["final"]["rho_a"][:, j])
    arr = np.stack(cols, axis=1)
    return names, (arr if ok is None else arr[ok])


def _corr(S):
    idx = np.arange(S.shape[-1])
    sd = np.sqrt(S[:, idx, idx])
    return S / sd[:, :, None] / sd[:, None, :]


def run_bootstrap(m, n_resamples=5000, seed=None, level=0.95, chunk=1000, inadmissible="drop") -> PLSBootstrap:
    """Bootstrap a fitted :class:`~crmlab.sem.pls.PLSPM` (see ``PLSPM.bootstrap``)."""
    if int(n_resamples) < 2:
        raise ParameterError("bootstrap needs at least 2 resamples")
    if inadmissible not in ("drop", "keep"):
        raise ParameterError(f"inadmissible={inadmissible!r} is not 'drop' or 'keep'")
    rng = np.random.default_rng(seed)
    X, design = m._X, m.design_
    n, p0 = X.shape
    wv = np.ones(n) if m._w is None else np.asarray(m._w, float)
    spec, names = m.spec_, m.spec_.names
    M = m._M
    keys = [(names.index(s), names.index(t)) for t in spec.endogenous for s in spec.predecessors(t)]
    endo = [names.index(c) for c in spec.endogenous]
    eff_pairs = [(names.index(s), names.index(t)) for s, t in zip(m.effects_["source"], m.effects_["target"])]
    L = len(names)
    pairs = [(i, j) for i in range(L) for j in range(i + 1, L) if M[:, i].sum() > 1 and M[:, j].sum() > 1]
    draws = {k: [] for k in ("paths", "r2", "weights", "loadings", "total", "B", "htmt", "rho")}
    failed = n_inadm = done = 0
    floor = 1e-10 * X.var(axis=0)
    rows = np.arange(p0)
    while done < n_resamples:
        b = min(chunk, n_resamples - done)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((idx + n * np.arange(b)[:, None]).ravel(), minlength=b * n).reshape(b, n)
        # a resample in which an item is constant cannot be estimated: count it as failed
        S0 = resample_covariances(X, counts * wv[None, :], False)
        degenerate = (S0[:, rows, rows] <= floor).any(axis=1)
        S0[degenerate] = np.eye(p0)
        if m.scaled:
            S0 = _corr(S0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = run_design(S0, design, m.scheme, m.tol, m.max_iter, m.method)
        good = out["converged"] & ~degenerate
        if inadmissible == "drop":
            ok = good & out["admissible"]
        else:
            ok = good & np.isfinite(out["final"]["paths"]).all(axis=(1, 2))
        n_inadm += int((good & ~out["admissible"]).sum())
        failed += int((~ok).sum())
        fin = out["final"]
        Bm = fin["paths"][ok]
        T = total_effects(Bm)
        draws["paths"].append(np.stack([Bm[:, i, j] for i, j in keys], axis=1))
        draws["r2"].append(fin["r2"][ok][:, endo])
        wts, lds = outer_arrays(out, m._outer_idx, ok)
        draws["weights"].append(wts)
        draws["loadings"].append(lds)
        draws["total"].append(np.stack([T[:, i, j] for i, j in eff_pairs], axis=1))
        draws["B"].append(Bm)
        draws["rho"].append(rho_arrays(out, design, ok)[1])
        H = htmt_from_corr(_corr(out["S"][ok]), M)
        draws["htmt"].append(np.stack([H[:, i, j] for i, j in pairs], axis=1)
                             if pairs else np.zeros((int(ok.sum()), 0)))
        done += b
    d = {k: np.concatenate(v) for k, v in draws.items()}
    eff_names = [f"{t}~{s}" for s, t in zip(m.effects_["source"], m.effects_["target"])]
    S_full = resample_covariances(X, wv[None], m.scaled)
    full = run_design(S_full, design, m.scheme, m.tol, m.max_iter, m.method)
    H0 = htmt_from_corr(_corr(full["S"]), M)[0]
    htmt_names = [f"{names[i]}|{names[j]}" for i, j in pairs]
    ind_draw = d["total"] - np.stack([d["B"][:, i, j] for i, j in eff_pairs], axis=1)
    rho_names = list(m.rho_a_.index)
    return PLSBootstrap(
        paths=_summarise(m.paths_.to_numpy(), d["paths"], list(m.paths_.index), level),
        r2=_summarise(m.r2_.to_numpy(), d["r2"], list(m.r2_.index), level),
        weights=_summarise(m.weights_.to_numpy(), d["weights"], list(m.weights_.index), level),
        loadings=_summarise(m.loadings_.to_numpy(), d["loadings"], list(m.loadings_.index), level),
        total_effects=_summarise(m.effects_["total"].to_numpy(), d["total"], eff_names, level),
        indirect=_summarise(m.effects_["indirect"].to_numpy(), ind_draw, eff_names, level),
        htmt=_summarise(np.array([H0[i, j] for i, j in pairs]), d["htmt"], htmt_names, level),
        n_resamples=int(len(d["paths"])), n_failed=failed, level=level,
        draws={"B": d["B"], "names": names}, rho_a=_summarise(m.rho_a_.to_numpy(), d["rho"], rho_names, level),
        n_inadmissible=n_inadm, method=m.method, weighted=m._w is not None)
