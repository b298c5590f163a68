"""PLS path modelling: Mode A/B blocks, consistent PLS, higher-order constructs, survey weights.

The algorithm itself (Lohmoeller / Wold, batched over stacks of covariance
matrices) lives in :mod:`crmlab.sem.pls_algo`; PLSc in :mod:`crmlab.sem.plsc`;
higher-order designs in :mod:`crmlab.sem.hoc`; the batched bootstrap in
:mod:`crmlab.sem.pls_boot`.  This module holds the estimator class and
re-exports the public names that used to live here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.core.errors import ConvergenceError, DataError, ParameterError
from crmlab.sem.data import PreparedData, prepare_items
from crmlab.sem.hoc import HOC_APPROACHES, METHODS, expand_model, run_design, stage_transform
from crmlab.sem.pls_algo import SCHEMES, _path_coefficients, pls_core, resample_covariances, total_effects  # noqa: F401
from crmlab.sem.pls_boot import PLSBootstrap, outer_arrays, outer_index, rho_arrays, run_bootstrap
from crmlab.sem.pls_modeb import block_vif, redundancy_analysis
from crmlab.core.modeltext import make_spec, parse_model

__all__ = ["PLSPM", "PLSBootstrap", "pls_core", "SCHEMES", "METHODS", "HOC_APPROACHES", "resample_covariances"]

_total_effects = total_effects  # backward-compatible private name


def _weighted_moments(X, w):
    tot = w.sum()
    m = w @ X / tot
    sd = np.sqrt(w @ (X - m) ** 2 / tot)
    return m, sd


def resolve_weights(data, weights, positions):
    """Survey weights of the rows used: a column name or an array aligned with ``data``'s rows."""
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in data.columns:
            raise DataError(f"weights column {weights!r} is missing from the data")
        raw = pd.to_numeric(data[weights], errors="coerce").to_numpy(float)
        what = f"weights column {weights!r}"
    else:
        raw = np.asarray(weights, dtype=float).ravel()
        if len(raw) != len(data):
            raise DataError(f"weights has {len(raw)} values but the data has {len(data)} rows; pass one "
                            "weight per row of data (parameter weights)")
        what = "weights"
    w = raw[positions]
    for bad, why in ((~np.isfinite(w), "missing or non-numeric"), (np.isfinite(w) & (w < 0), "negative")):
        if bad.any():
            rows = (positions[bad] + 1)[:5].tolist()
            raise DataError(f"{what} has {int(bad.sum())} {why} value(s) among the respondents used, e.g. "
                            f"rows {rows} (1-based); fix or drop them (parameter weights)")
    if w.sum() <= 0:
        raise DataError(f"{what}: the weights of the respondents used sum to 0")
    return w


class PLSPM:
    """PLS path model defined by a lavaan-style description.

    Parameters
    ----------
    model : str or ModelSpec
        ``Construct =~ items`` (reflective, Mode A), ``Construct <~ items``
        (formative/composite, Mode B), ``Target ~ Sources`` statements, and
        optionally higher-order constructs (``HOC =~ LOC1 + LOC2``).
    scheme : {"path", "centroid", "factorial"}
        Inner weighting scheme.
    scaled : bool
        Standardise items (True) or only centre them (False, R plspm's
        ``scaled = FALSE``).  Mode A weights follow item covariances, so
        items with larger variance weigh more when unscaled; the estimates
        (not only the weights' scale) therefore differ between the two.
    tol, max_iter : float, int
        Convergence criterion on the normalised outer weights.
    method : {"pls", "plsc"}
        ``"plsc"``: consistent PLS (Dijkstra & Henseler 2015) -- reflective
        blocks are disattenuated by rho_A; loadings, construct correlations,
        paths, R^2 and effects are consistent for common-factor models.
    hoc : {"embedded", "disjoint", "repeated"}
        Approach for higher-order constructs (see :mod:`crmlab.sem.hoc`);
        ignored by first-order models.  Default: embedded two-stage.
    redundancy : dict, optional
        ``{"IMAG": "imag_global"}``: construct -> column with a global
        single item, for the redundancy analysis (convergent validity of
        formative constructs; path >= 0.70, see :func:`~crmlab.sem.pls_modeb.redundancy_analysis`).

    Attributes (after ``fit``)
    --------------------------
    spec_ : ModelSpec
        The (final-stage) first-order model that was estimated.
    model_spec_ : ModelSpec
        The model as written (with higher-order constructs, if any).
    design_ : crmlab.sem.hoc.Design
    data_ : PreparedData
        Final-stage columns (raw items and, for two-stage HOCs, LOC scores).
    weights_, loadings_ : Series indexed by item
        Include the LOC items (from stage 1) for two-stage HOC designs.
    weights_matrix_ : DataFrame
        Final-stage items x constructs outer weights (unit-variance scores).
    outer_ : DataFrame (item, construct, weight, loading, communality, redundancy, mode)
    crossloadings_ : DataFrame items x constructs
    path_matrix_ : DataFrame (rows source, columns target)
    paths_ : Series keyed ``"TARGET~SOURCE"``
    r2_ : Series over endogenous constructs
    effects_ : DataFrame (source, target, direct, indirect, total)
    construct_corr_ : DataFrame
        Construct correlations (PLSc: disattenuated; the composite
        correlations are in ``proxy_corr_``).
    rho_a_ : Series
        Dijkstra-Henseler rho_A per construct (NaN for Mode B, 1 for single items).
    modes_ : Series
        "A" or "B" per construct.
    weight_vif_ : Series
        Within-block VIF of the items of Mode B blocks.
    redundancy_ : DataFrame or None
    admissible_ : bool
        False when a PLSc solution is inadmissible (rho_A > 1, |loading| > 1,
        correlation matrix not positive definite).
    sample_weights_ : ndarray or None
    n_eff_ : float
        Kish effective sample size ``(sum w)^2 / sum w^2`` (n when unweighted).
    scores_ : DataFrame of standardised construct scores (final stage)
    stage1_ : PLSPM or None
        The fitted first stage of a two-stage HOC design.
    gof_ : float
    n_iter_ : int

    Notes
    -----
    GoF = sqrt(mean communality of items in multi-item blocks x mean R^2 of
    endogenous constructs) (Tenenhaus et al. 2005).  Total effects
    ``T = (I - B)^{-1} - I``, indirect = total - direct.

    Mode B (``<~``): ``w_j ∝ S_jj^{-1} cov(X_j, Z_j)``, the OLS coefficients of
    the inner proxy on the block's items (Wold 1982; Tenenhaus et al. 2005).

    PLSc (``method="plsc"``, Dijkstra & Henseler 2015, "Consistent partial
    least squares path modeling", *MIS Quarterly* 39(2), 297-316): with the
    PLS weights ``w`` of a reflective block (``w' S_jj w = 1``),
    ``c^2 = w'(S_jj - diag S_jj) w / w'(w w' - diag(w w')) w`` and
    ``rho_A = (w'w)^2 c^2``; consistent loadings ``lambda = c w``; construct
    correlations ``r_jk / sqrt(rho_A,j rho_A,k)`` (composites and single items
    keep rho_A = 1); paths and R^2 are OLS on the corrected correlations.

    Survey weights (``fit(..., weights=)``) enter every step: the item means,
    standard deviations and covariances are weighted
    (``S = sum_i w_i (x_i - m)(x_i - m)' / sum_i w_i``); since PLS only uses
    ``S``, the outer (Mode A covariances, Mode B regressions) and inner
    estimation and the OLS path coefficients are all weighted (the latter are
    WLS).  Integer weights give exactly the estimates on the data with each
    row repeated ``w_i`` times.
    """

    def __init__(self, model, scheme: str = "path", scaled: bool = True, tol: float = 1e-10,
                 max_iter: int = 500, method: str = "pls", hoc: str = "embedded",
                 redundancy: "dict | None" = None):
        self.model = model
        self.scheme = scheme
        self.scaled = scaled
        self.tol = tol
        self.max_iter = max_iter
        self.method = method
        self.hoc = hoc
        self.redundancy = redundancy

    # -- fitting -------------------------------------------------------
    def _check_options(self):
        if self.scheme not in SCHEMES:
            raise ParameterError(f"pls scheme {self.scheme!r} is not one of {SCHEMES}")
        if self.method not in METHODS:
            raise ParameterError(f"method={self.method!r} is not one of {METHODS}")
        if self.hoc not in HOC_APPROACHES:
            raise ParameterError(f"hoc={self.hoc!r} is not one of {HOC_APPROACHES}")

    def fit(self, data: pd.DataFrame, prepared: "PreparedData | None" = None, weights=None):
        """Estimate the model on respondent-level ``data`` (listwise deletion).

        Parameters
        ----------
        data : DataFrame
        prepared : PreparedData, optional
            Result of :func:`~crmlab.sem.data.prepare_items` for the model's items.
        weights : str or array-like, optional
            Survey weights: a column of ``data`` or one non-negative value per
            row of ``data``.  See the class Notes.
        """
        self._check_options()
        spec = parse_model(self.model)
        design = expand_model(spec, self.hoc)
        raw_spec = make_spec({c: its for c, its in spec.constructs.items() if c not in spec.higher_order}, [])
        if not isinstance(data, pd.DataFrame):
            raise DataError("data must be a pandas DataFrame")
        prep = prepared if prepared is not None else prepare_items(data, raw_spec)
        positions = None
        if weights is not None or self.redundancy:
            if not data.index.is_unique:
                raise DataError("data has duplicate index labels; call data.reset_index(drop=True) before "
                                "fitting with weights or redundancy")
            positions = data.index.get_indexer(prep.index)
            if (positions < 0).any():
                raise DataError("prepared rows are not rows of data (parameter prepared)")
        w = resolve_weights(data, weights, positions)
        X = prep.items[design.raw_items].to_numpy(float)
        self.model_spec_, self.design_ = spec, design
        self._fit_arrays(X, prep, w)
        self.redundancy_ = None
        if self.redundancy:
            self.redundancy_ = redundancy_analysis(spec, prep.items, data, positions, dict(self.redundancy), w,
                                                   self.scaled, self.scheme)
        return self

    def _fit_arrays(self, X, prep, w):
        design = self.design_
        self._X, self._w = X, w
        self._raw_prep = prep
        fin = design.final
        self._M, self._A = fin.M, fin.A
        wv = np.ones(len(X)) if w is None else w
        S0 = resample_covariances(X, wv[None], self.scaled)
        out = run_design(S0, design, self.scheme, self.tol, self.max_iter, self.method)
        if not out["converged"][0]:
            raise ConvergenceError(f"PLS did not converge in {self.max_iter} iterations (model constructs "
                                   f"{fin.spec.names}); raise max_iter or check for near-constant items")
        self.n_iter_ = int(out["final"]["iterations"])
        self.sample_weights_ = None if w is None else np.asarray(w, float)
        self.n_eff_ = float(wv.sum() ** 2 / (wv ** 2).sum())
        m, sd = _weighted_moments(X, wv)
        Xs = (X - m) / sd if self.scaled else X - m
        self._Xs = Xs
        T = stage_transform(fin, X.shape[1], None if out["stage1"] is None else out["stage1"]["W"],
                            design.stage1)[0]
        X2 = Xs @ T
        self.spec_ = fin.spec
        self.data_ = self._final_data(prep, X, X2)
        self._outer_idx = outer_index(design)
        self._store(out, X2)
        self.stage1_ = self._stage1(out, Xs, prep, w) if design.stage1 is not None else None

    def _final_data(self, prep, X, X2):
        fin = self.design_.final
        if not fin.has_scores and [r for _, r in fin.cols] == list(range(X.shape[1])):
            return prep
        cols = {name: X[:, r] if kind == "item" else X2[:, j]
                for j, (name, (kind, r)) in enumerate(zip(fin.spec.items, fin.cols))}
        items = pd.DataFrame(cols, index=prep.index)
        return PreparedData(items=items, index=prep.index, n_total=prep.n_total, n_used=prep.n_used,
                            missing_by_item=prep.missing_by_item)

    def _stage1(self, out, Xs, prep, w):
        """A fitted PLSPM of the first stage (for measurement assessment of the LOCs)."""
        st1 = self.design_.stage1
        first = PLSPM(st1.spec, self.scheme, self.scaled, self.tol, self.max_iter, self.method)
        first.model_spec_ = st1.spec
        first.design_ = expand_model(st1.spec)
        X1 = prep.items[self.design_.raw_items].to_numpy(float)[:, [r for _, r in st1.cols]]
        first._fit_arrays(X1, PreparedData(items=pd.DataFrame(X1, index=prep.index, columns=st1.spec.items),
                                           index=prep.index, n_total=prep.n_total, n_used=prep.n_used,
                                           missing_by_item=prep.missing_by_item), w)
        first.redundancy_ = None
        return first

    def _store(self, out, X2):
        spec = self.spec_
        res = out["final"]
        names, items = spec.names, spec.items
        W = res["W"][0]
        idx = self._outer_idx
        wts, lds = outer_arrays(out, idx)
        keys = [k[0] for k in idx]
        self.weights_ = pd.Series(wts[0], index=keys, name="weight")
        self.loadings_ = pd.Series(lds[0], index=keys, name="loading")
        self.weights_matrix_ = pd.DataFrame(W, index=items, columns=names)
        self.crossloadings_ = pd.DataFrame(res["loadings"][0], index=items, columns=names)
        r2_all = pd.Series(res["r2"][0], index=names)
        r2_stage1 = {}
        if out["stage1"] is not None:
            s1 = self.design_.stage1.spec.names
            r2_stage1 = {c: out["stage1"]["r2"][0][s1.index(c)] for c in self.design_.reported_stage1}
        self.r2_ = r2_all[spec.endogenous].rename("r2")
        comm = self.loadings_ ** 2
        cons = [k[1] for k in idx]
        r2_of = [r2_stage1[c] if c in r2_stage1 else r2_all[c] for c in cons]
        mspec = self.model_spec_
        self.outer_ = pd.DataFrame({
            "item": keys, "construct": cons, "weight": wts[0], "loading": lds[0],
            "communality": comm.to_numpy(), "redundancy": comm.to_numpy() * np.asarray(r2_of),
            "mode": [mspec.mode(c) for c in cons]})
        Bm = res["paths"][0]
        self.path_matrix_ = pd.DataFrame(Bm, index=names, columns=names)
        self.paths_ = pd.Series({f"{t}~{s}": Bm[names.index(s), names.index(t)]
                                 for t in spec.endogenous for s in spec.predecessors(t)},
                                name="estimate")
        T = total_effects(res["paths"])[0]
        eff = []
        for i, s in enumerate(names):
            for j, t in enumerate(names):
                if T[i, j] != 0 or Bm[i, j] != 0:
                    eff.append((s, t, Bm[i, j], T[i, j] - Bm[i, j], T[i, j]))
        self.effects_ = pd.DataFrame(eff, columns=["source", "target", "direct", "indirect", "total"])
        self.construct_corr_ = pd.DataFrame(res["R"][0], index=names, columns=names)
        self.proxy_corr_ = pd.DataFrame(res.get("R_proxy", res["R"])[0], index=names, columns=names)
        self.scores_ = pd.DataFrame(X2 @ W, index=self.data_.index, columns=names)
        rho_names, rho_vals = rho_arrays(out, self.design_)
        self.rho_a_ = pd.Series(rho_vals[0], index=rho_names, name="rho_a")
        self.modes_ = pd.Series({c: mspec.mode(c) for c in mspec.names}, name="mode")
        self.admissible_ = bool(out["admissible"][0])
        vif = []
        for stage_key, st in (("stage1", self.design_.stage1), ("final", self.design_.final)):
            if st is None or not st.modes.any():
                continue
            S = out["S1" if stage_key == "stage1" else "S"][0]
            v = block_vif(S, st.M)
            blk = st.M.argmax(axis=1)
            for i, it in enumerate(st.spec.items):
                c = st.spec.names[blk[i]]
                if st.modes[blk[i]] and (stage_key == "final" or c in self.design_.reported_stage1):
                    vif.append((it, v[i]))
        self.weight_vif_ = pd.Series(dict(vif), name="vif", dtype=float)
        multi = [c for c in set(cons) if (np.asarray(cons) == c).sum() > 1]
        comm_multi = comm[[k for k, c in zip(keys, cons) if c in multi]]
        prod = comm_multi.mean() * self.r2_.mean() if multi else np.nan
        self.gof_ = float(np.sqrt(prod)) if prod >= 0 else float("nan")  # NaN: no multi-item block / bad PLSc
        self.block_summary_ = pd.DataFrame({
            "r2": r2_all.where(r2_all.index.isin(spec.endogenous), 0.0),
            "ave": comm.groupby(np.asarray(cons)).mean().reindex(names)})

    # -- bootstrap -----------------------------------------------------
    def bootstrap(self, n_resamples: int = 5000, seed: "int | None" = None, level: float = 0.95,
                  chunk: int = 1000, inadmissible: str = "drop") -> PLSBootstrap:
        """Nonparametric (optionally weighted) bootstrap, all resamples solved as stacked linear algebra.

        Parameters
        ----------
        n_resamples : int
        seed : int or numpy Generator, optional
        level : float
            Percentile interval coverage.
        chunk : int
            Resamples per batch (memory: ``chunk * p^2`` floats).
        inadmissible : {"drop", "keep"}
            PLSc resamples whose solution is inadmissible (rho_A > 1, a
            loading above 1, a construct correlation matrix that is not
            positive definite) are dropped (cSEM's default) or kept; either
            way they are counted in ``n_inadmissible``.

        Returns
        -------
        PLSBootstrap
            Standard errors are the standard deviation of the bootstrap draws
            (ddof=1), ``t = original / se``, intervals are percentiles.
            Resamples that do not converge (and, with ``inadmissible="drop"``,
            inadmissible PLSc ones) are dropped and counted in ``n_failed``.

        Notes
        -----
        Each resample draws n respondents with replacement and equal
        probability (counts ``c_bi``).  With survey weights the resample's
        estimate uses the replicate weights ``c_bi w_i``: each drawn
        respondent keeps its survey weight, so every resample estimates the
        same weighted (population) quantity as the full-sample fit.  This is
        the with-replacement case bootstrap of a weighted estimator (Rao & Wu
        1988, *JASA* 83, 231-241, with one stratum, respondents as primary
        units and ``m = n``); it does not reproduce strata or clusters.
        Drawing respondents with probability proportional to their weight
        and then fitting unweighted would instead mix the design into the
        resampling and is not used.
        """
        self._check_fitted()
        out = run_bootstrap(self, n_resamples, seed, level, chunk, inadmissible)
        self.bootstrap_ = out
        return out

    # -- presentation --------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "paths_"):
            raise ParameterError("call fit() before using the PLS results")

    def summary(self) -> pd.DataFrame:
        """Path table: source, target, estimate (+ bootstrap columns when available)."""
        self._check_fitted()
        tab = pd.DataFrame({"path": self.paths_.index,
                            "source": [k.split("~")[1] for k in self.paths_.index],
                            "target": [k.split("~")[0] for k in self.paths_.index],
                            "estimate": self.paths_.to_numpy()})
        if hasattr(self, "bootstrap_"):
            bt = self.bootstrap_.paths
            for c in ("se", "t", "ci_low", "ci_high"):
                tab[c] = bt[c].to_numpy()
        return tab

    def _repr_html_(self):
        if not hasattr(self, "paths_"):
            return "<i>PLSPM (not fitted)</i>"
        r2 = ", ".join(f"{k}: {v:.3f}" for k, v in self.r2_.items())
        return (f"<b>PLS path model</b> ({self.method}, {self.scheme} scheme, n = {self.data_.n_used}, "
                f"GoF = {self.gof_:.3f})<br>R²: {r2}"
                + self.summary().to_html(index=False, float_format="%.4f"))
