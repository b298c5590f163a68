"""Out-of-sample prediction of PLS path models: PLSpredict and CVPAT.

Every training fold of a k-fold cross-validation (repeated ``repetitions``
times) is one more covariance matrix, so all folds are estimated as one
stacked PLS run (:func:`crmlab.sem.pls.pls_core`), exactly as the bootstrap
is.  Predictions for the hold-out cases are then gathered per case from the
parameters of the fold that held it out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.core.errors import ConvergenceError, DataError, ParameterError
from crmlab.sem.data import prepare_items
from crmlab.sem.pls import SCHEMES, pls_core, resample_covariances
from crmlab.core.modeltext import parse_model

__all__ = ["PLSPredict", "CVPATResult", "cvpat", "fold_assignments", "predictive_power", "stacked_pls",
           "TECHNIQUES"]

#: Prediction techniques: earliest antecedents (Shmueli et al. 2016/2019) or
#: direct antecedents (Danks 2021; seminr's default).
TECHNIQUES = ("earliest", "direct")


def fold_assignments(n: int, folds: int, repetitions: int = 1, seed=None) -> np.ndarray:
    """Fold number of every case in every repetition, shape ``(repetitions, n)``.

    Each repetition shuffles the cases and cuts the shuffled order into
    ``folds`` blocks whose sizes differ by at most one (as seminr's
    ``cut(seq(1, n), breaks = folds)``).  ``folds = n`` is leave-one-out.
    """
    if not 2 <= int(folds) <= n:
        raise ParameterError(f"folds must be between 2 and the number of complete rows ({n}); got {folds}")
    if int(repetitions) < 1:
        raise ParameterError(f"repetitions must be at least 1; got {repetitions}")
    rng = np.random.default_rng(seed)
    out = np.empty((int(repetitions), n), dtype=int)
    block = np.arange(n) * int(folds) // n
    for r in range(int(repetitions)):
        out[r, rng.permutation(n)] = block
    return out


def _check_options(technique, scheme):
    if technique not in TECHNIQUES:
        raise ParameterError(f"technique {technique!r} is not one of {TECHNIQUES}")
    if scheme not in SCHEMES:
        raise ParameterError(f"pls scheme {scheme!r} is not one of {SCHEMES}")


def _check_structure(spec, what="the model"):
    if not spec.paths:
        raise ParameterError(f"{what} has no structural paths ('Target ~ Source'); nothing to predict")
    linked = {c for pth in spec.paths for c in pth}
    lonely = [c for c in spec.names if c not in linked]
    if lonely:
        raise ParameterError(f"construct(s) {lonely} of {what} take part in no structural path; PLS needs "
                             "every construct connected (add a path or drop the construct)")


def stacked_pls(S, M, A, scheme="path", tol=1e-10, max_iter=500, chunk=1000, first_pass=100, modes=None):
    """PLS on a stack of covariance matrices in chunks; slow cases are re-run alone.

    :func:`~crmlab.sem.pls.pls_core` iterates a batch until every member has
    converged, so one slowly converging member would make its whole chunk
    iterate ``max_iter`` times.  Each chunk therefore runs at most
    ``first_pass`` iterations; members not converged by then are re-estimated
    on their own with ``max_iter``.  ``modes`` (True for Mode B blocks, see
    :func:`~crmlab.sem.pls.pls_core`) defaults to all Mode A.  Returns ``W``,
    ``paths``, ``loadings`` and the ``converged`` flags.
    """
    B = S.shape[0]
    p, L = M.shape
    out = {"W": np.empty((B, p, L)), "paths": np.empty((B, L, L)), "loadings": np.empty((B, p, L)),
           "converged": np.zeros(B, dtype=bool)}
    for s in range(0, B, chunk):
        sl = slice(s, min(s + chunk, B))
        with np.errstate(invalid="ignore", divide="ignore"):
            res = pls_core(S[sl], M, A, scheme, tol, min(first_pass, max_iter), modes=modes)
            slow = np.flatnonzero(~res["converged"])
            if len(slow) and max_iter > first_pass:
                again = pls_core(S[sl][slow], M, A, scheme, tol, max_iter, modes=modes)
                for k in ("W", "paths", "loadings", "converged"):
                    res[k][slow] = again[k]
        for k in out:
            out[k][sl] = res[k]
    return out


def _endogenous_items(spec):
    return [it for c in spec.endogenous for it in spec.constructs[c]]


def _cv_predict(X, spec, fold_ids, technique="earliest", scheme="path", scaled=True, tol=1e-10,
                max_iter=500, lm_predictors="exogenous", chunk=1000, item_names=None):
    """Cross-validated predictions of the endogenous items of ``spec``.

    ``X`` holds the columns ``item_names`` (default: ``spec.items``).  Returns a dict
    with ``items`` (endogenous item names), ``actual`` (n, q) and ``pls``,
    ``lm``, ``naive`` predictions (R, n, q).
    """
    item_names = list(item_names or spec.items)
    col = [item_names.index(it) for it in spec.items]
    Xm = np.asarray(X, float)[:, col]
    n, p = Xm.shape
    R = fold_ids.shape[0]
    k = int(fold_ids.max()) + 1
    M, A = spec.block_matrix(), spec.adjacency()
    names = spec.names
    L = len(names)
    blk = M.argmax(axis=1)
    endo_items = _endogenous_items(spec)
    E = np.array([spec.items.index(it) for it in endo_items])
    # one training set per (repetition, fold): weight 1 for the rows it keeps
    train = (fold_ids[:, None, :] != np.arange(k)[None, :, None]).reshape(R * k, n).astype(float)
    cnt = train.sum(axis=1, keepdims=True)
    means = (train @ Xm) / cnt
    S = resample_covariances(Xm, train, scaled=False)
    sd = np.sqrt(np.einsum("bii->bi", S))
    flat = sd ** 2 <= 1e-10 * Xm.var(axis=0)
    if flat.any():
        b, j = np.argwhere(flat)[0]
        raise DataError(f"item {spec.items[j]!r} is constant in a training fold ({int(cnt[b, 0])} rows); "
                        "use fewer folds (parameter folds)")
    Sc = S / sd[:, :, None] / sd[:, None, :] if scaled else S
    res = stacked_pls(Sc, M, A, scheme, tol, max_iter, chunk, modes=spec.mode_b())
    if not res["converged"].all():
        raise ConvergenceError(f"PLS did not converge in {max_iter} iterations in "
                               f"{int((~res['converged']).sum())} training fold(s); raise max_iter")
    W, Bm, load = res["W"], res["paths"], res["loadings"]
    Wraw = W / sd[:, :, None] if scaled else W            # weights per raw item unit
    C = load * sd[:, :, None]                              # cov(raw item, unit-variance score)
    bidx = np.arange(R)[:, None] * k + fold_ids            # (R, n): the fold that held out case i
    dev = Xm[None] - means[bidx]                           # (R, n, p)
    Y = np.einsum("rip,ripl->ril", dev, Wraw[bidx])
    if technique == "earliest":
        T = np.linalg.inv(np.eye(L) - Bm) - np.eye(L)
        exo = np.isin(np.arange(L), [names.index(c) for c in spec.exogenous]).astype(float)
        eta = np.einsum("ril,rilk->rik", Y * exo, T[bidx])
    else:
        eta = np.einsum("ril,rilk->rik", Y, Bm[bidx])
    cE = blk[E]
    pls_pred = means[bidx][:, :, E] + eta[:, :, cE] * C[bidx][:, :, E, cE]
    # linear-model benchmark: OLS of every endogenous item on the predictor items (training rows)
    lm_pred = np.empty_like(pls_pred)
    if lm_predictors == "exogenous":
        groups = [(np.arange(len(E)), np.array([spec.items.index(it) for c in spec.exogenous
                                                for it in spec.constructs[c]]))]
    elif lm_predictors == "all_other":
        groups = []
        for c in spec.endogenous:
            own = [q for q, it in enumerate(endo_items) if it in spec.constructs[c]]
            groups.append((np.array(own), np.array([j for j in range(p) if blk[j] != names.index(c)])))
    else:
        raise ParameterError(f"lm_predictors {lm_predictors!r} is not 'exogenous' or 'all_other'")
    for cols, P in groups:
        Spp = S[:, P][:, :, P]
        Spe = S[:, P][:, :, E[cols]]
        try:
            beta = np.linalg.solve(Spp, Spe)
        except np.linalg.LinAlgError:
            beta = np.linalg.pinv(Spp) @ Spe
        lm_pred[:, :, cols] = means[bidx][:, :, E[cols]] + np.einsum(
            "rip,ripq->riq", dev[:, :, P], beta[bidx])
    return {"items": endo_items, "actual": Xm[:, E], "pls": pls_pred, "lm": lm_pred,
            "naive": means[bidx][:, :, E]}


def predictive_power(metrics: pd.DataFrame, metric: str = "rmse") -> str:
    """Shmueli et al.'s (2019) verdict on the rows of a PLSpredict metrics table.

    ``metrics`` has the columns ``q2_predict``, ``pls_<metric>`` and
    ``lm_<metric>`` (:attr:`PLSPredict.metrics_`, or some of its rows, e.g.
    the items of the key target construct).  ``"none"`` when some item has
    ``Q2predict <= 0`` or PLS has a higher error than LM on every item,
    ``"low"`` when PLS is better on a minority of the items, ``"medium"`` on a
    majority (or half), ``"high"`` on all.
    """
    if metric not in ("rmse", "mae"):
        raise ParameterError(f"metric must be 'rmse' or 'mae'; got {metric!r}")
    if not len(metrics):
        raise ParameterError("predictive_power needs at least one item")
    if (metrics["q2_predict"] <= 0).any():
        return "none"
    better = int((metrics[f"pls_{metric}"] < metrics[f"lm_{metric}"]).sum())
    if better == len(metrics):
        return "high"
    if better == 0:
        return "none"
    return "medium" if better >= len(metrics) / 2 else "low"


class PLSPredict:
    """PLSpredict: k-fold cross-validated prediction of the endogenous indicators.

    Parameters
    ----------
    model : str or ModelSpec
        Lavaan-style description (as for :class:`~crmlab.sem.pls.PLSPM`).
    folds : int
        Number of folds (``folds = n`` is leave-one-out).
    repetitions : int
        Independent random fold assignments; metrics are averaged over them.
    technique : {"earliest", "direct"}
        ``"earliest"`` (Shmueli et al. 2016, 2019; cSEM's default): the
        exogenous constructs' scores are computed from their hold-out items and
        carried through the total effects to every endogenous construct.
        ``"direct"`` (Danks 2021; seminr's default ``predict_DA``): every
        endogenous construct is predicted from the scores of its direct
        antecedents, computed from their own hold-out items.
    scheme, scaled, tol, max_iter : see :class:`~crmlab.sem.pls.PLSPM`
    lm_predictors : {"exogenous", "all_other"}
        Predictors of the linear-model benchmark: the items of all exogenous
        constructs (Shmueli et al. 2019; cSEM) or every item outside the
        predicted construct (seminr).
    seed : int or numpy Generator, optional
        Fold assignment.

    Attributes (after ``fit``)
    --------------------------
    metrics_ : DataFrame
        One row per endogenous item: item, construct, q2_predict, pls_rmse,
        pls_mae, lm_rmse, lm_mae, lm_q2_predict, rmse_diff (pls - lm), mae_diff,
        each averaged over repetitions.
    metrics_by_repetition_ : DataFrame
        The same metrics per repetition (column ``repetition``).
    predictions_, lm_predictions_ : DataFrame
        Out-of-sample PLS and LM predictions of the endogenous items averaged
        over repetitions (index of the data rows used).
    losses_ : Series
        Per case: squared prediction error averaged over the endogenous
        items and the repetitions (CVPAT's loss).
    folds_ : ndarray (repetitions, n)
        Fold of every case.

    Notes
    -----
    A training fold gives means ``m``, standard deviations ``s``, outer weights
    ``W``, loadings ``l`` and paths ``B``.  Hold-out scores are
    ``y = ((x - m) / s) W`` (``s = 1`` when ``scaled=False``).  Earliest
    antecedents: ``eta_endo = y_exo T_exo,endo`` with ``T = (I - B)^{-1} - I``;
    direct antecedents: ``eta_k = sum_j y_j B_jk``.  The item prediction is
    ``x_hat = m + s l eta`` (the regression of the item on its unit-variance
    score).  The LM benchmark is the OLS prediction ``m_e + (x_P - m_P)
    S_PP^{-1} S_Pe`` from the training covariances, the naive benchmark the
    training mean.  Per item ``RMSE = sqrt(mean e^2)``, ``MAE = mean |e|`` and
    ``Q2predict = 1 - sum e_PLS^2 / sum e_naive^2`` over all hold-out cases of
    a repetition; repetitions are averaged (cSEM; seminr instead averages the
    predictions).  Shmueli, Sarstedt, Hair, Cheah, Ting, Vaithilingam &
    Ringle (2019), "Predictive model assessment in PLS-SEM: guidelines for
    using PLSpredict", *European Journal of Marketing* 53, 2322-2347;
    Shmueli, Ray, Velasquez Estrada & Chatla (2016), *Journal of Business
    Research* 69, 4552-4564.
    """

    def __init__(self, model, folds: int = 10, repetitions: int = 10, technique: str = "earliest",
                 scheme: str = "path", scaled: bool = True, lm_predictors: str = "exogenous",
                 tol: float = 1e-10, max_iter: int = 500, seed=None):
        self.model = model
        self.folds = folds
        self.repetitions = repetitions
        self.technique = technique
        self.scheme = scheme
        self.scaled = scaled
        self.lm_predictors = lm_predictors
        self.tol = tol
        self.max_iter = max_iter
        self.seed = seed

    def fit(self, data: pd.DataFrame):
        """Cross-validate the model on respondent-level ``data`` (listwise deletion)."""
        _check_options(self.technique, self.scheme)
        spec = parse_model(self.model)
        _check_structure(spec)
        prep = prepare_items(data, spec)
        X = prep.items.to_numpy(float)
        n = len(X)
        self.spec_, self.data_ = spec, prep
        self.folds_ = fold_assignments(n, self.folds, self.repetitions, self.seed)
        out = _cv_predict(X, spec, self.folds_, self.technique, self.scheme, self.scaled, self.tol,
                          self.max_iter, self.lm_predictors)
        items = out["items"]
        owner = {it: c for c, its in spec.constructs.items() for it in its}
        act = out["actual"][None]
        e_pls, e_lm, e_nv = act - out["pls"], act - out["lm"], act - out["naive"]
        sse_nv = (e_nv ** 2).sum(axis=1)
        per_rep = {
            "q2_predict": 1 - (e_pls ** 2).sum(axis=1) / sse_nv,
            "pls_rmse": np.sqrt((e_pls ** 2).mean(axis=1)), "pls_mae": np.abs(e_pls).mean(axis=1),
            "lm_rmse": np.sqrt((e_lm ** 2).mean(axis=1)), "lm_mae": np.abs(e_lm).mean(axis=1),
            "lm_q2_predict": 1 - (e_lm ** 2).sum(axis=1) / sse_nv}
        R = self.folds_.shape[0]
        self.metrics_by_repetition_ = pd.concat(
            [pd.DataFrame({"repetition": r, "item": items, "construct": [owner[it] for it in items],
                           **{k: v[r] for k, v in per_rep.items()}}) for r in range(R)], ignore_index=True)
        met = pd.DataFrame({"item": items, "construct": [owner[it] for it in items],
                            **{k: v.mean(axis=0) for k, v in per_rep.items()}})
        met["rmse_diff"] = met["pls_rmse"] - met["lm_rmse"]
        met["mae_diff"] = met["pls_mae"] - met["lm_mae"]
        self.metrics_ = met
        self.predictions_ = pd.DataFrame(out["pls"].mean(axis=0), index=prep.index, columns=items)
        self.lm_predictions_ = pd.DataFrame(out["lm"].mean(axis=0), index=prep.index, columns=items)
        self.losses_ = pd.Series((e_pls ** 2).mean(axis=2).mean(axis=0), index=prep.index, name="loss")
        return self

    def _check_fitted(self):
        if not hasattr(self, "metrics_"):
            raise ParameterError("call fit() before using the PLSpredict results")

    def summary(self) -> pd.DataFrame:
        """The per-item metrics table (:attr:`metrics_`)."""
        self._check_fitted()
        return self.metrics_.copy()

    def predictive_power(self, metric: str = "rmse") -> str:
        """Shmueli et al.'s (2019) verdict from the PLS vs LM comparison of every item.

        Returns ``"none"`` when some item has ``Q2predict <= 0`` or PLS has a
        higher error than LM on every item, ``"low"`` when PLS is better on a
        minority of the items, ``"medium"`` on a majority (or half), and
        ``"high"`` on all.  ``metric``: ``"rmse"`` (default) or ``"mae"`` (for
        strongly non-symmetric prediction errors).
        """
        self._check_fitted()
        return predictive_power(self.metrics_, metric)

    def to_dict(self) -> dict:
        """Results-record form: settings, verdict and the per-item table as records."""
        self._check_fitted()
        return {"folds": int(self.folds), "repetitions": int(self.repetitions), "technique": self.technique,
                "lm_predictors": self.lm_predictors, "n": int(self.data_.n_used),
                "predictive_power": self.predictive_power(),
                "items": self.metrics_.round(6).to_dict(orient="records")}

    def _repr_html_(self):
        if not hasattr(self, "metrics_"):
            return "<i>PLSPredict (not fitted)</i>"
        return (f"<b>PLSpredict</b> ({self.folds} folds x {self.repetitions} repetitions, "
                f"{self.technique} antecedents)" + self.metrics_.to_html(index=False, float_format="%.4f"))


# --------------------------------------------------------------------------
# CVPAT
# --------------------------------------------------------------------------
@dataclass
class CVPATResult:
    """Cross-validated predictive ability test of two models.

    Attributes
    ----------
    loss_established, loss_alternative : float
        Average out-of-sample loss (squared error averaged over the common
        endogenous items, the cases and the repetitions).
    difference : float
        ``loss_alternative - loss_established`` (positive: the established
        model predicts better).
    se, t, df, p_value, ci_low, ci_high : float
        Paired t-test of the per-case loss differences.
    alternative_hypothesis : str
    items : list of str
        The endogenous items both models predict (the loss is taken over them).
    losses : DataFrame
        Per case: loss_established, loss_alternative, difference.
    """

    loss_established: float
    loss_alternative: float
    difference: float
    se: float
    t: float
    df: int
    p_value: float
    ci_low: float
    ci_high: float
    alternative_hypothesis: str
    items: list
    n: int
    folds: int
    repetitions: int
    losses: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """One-row tidy table of the test."""
        keys = ("loss_established", "loss_alternative", "difference", "se", "t", "df", "p_value",
                "ci_low", "ci_high", "n", "folds", "repetitions")
        return pd.DataFrame([{k: getattr(self, k) for k in keys}])

    def to_dict(self) -> dict:
        d = self.summary().iloc[0].to_dict()
        d = {k: (int(v) if k in ("df", "n", "folds", "repetitions") else float(v)) for k, v in d.items()}
        return {**d, "alternative_hypothesis": self.alternative_hypothesis, "items": list(self.items)}

    def _repr_html_(self):
        return "<b>CVPAT</b>" + self.summary().to_html(index=False, float_format="%.4f")


def cvpat(data: pd.DataFrame, established, alternative, folds: int = 10, repetitions: int = 10,
          technique: str = "earliest", scheme: str = "path", scaled: bool = True,
          alternative_hypothesis: str = "two-sided", level: float = 0.95, seed=None) -> CVPATResult:
    """Compare the out-of-sample predictive ability of two model descriptions (CVPAT).

    Parameters
    ----------
    data : DataFrame
    established, alternative : str or ModelSpec
        The two models; they are cross-validated on the same folds.
    folds, repetitions, technique, scheme, scaled : see :class:`PLSPredict`
    alternative_hypothesis : {"two-sided", "greater", "less"}
        ``"greater"``: the established model has the lower loss
        (``difference > 0``); ``"less"``: the alternative model has.
    level : float
        Coverage of the t interval of the average loss difference.
    seed : int or numpy Generator, optional

    Returns
    -------
    CVPATResult

    Notes
    -----
    Per case ``i`` the loss of a model is ``L_i = mean_j (x_ij - x_hat_ij)^2``
    over the endogenous items ``j`` both models predict, averaged over the
    repetitions.  With ``D_i = L_i(alternative) - L_i(established)``,
    ``t = mean(D) / (sd(D) / sqrt(n))`` is referred to a t distribution with
    ``n - 1`` degrees of freedom.  When every ``D_i`` is exactly 0 (identical
    predictions) the result is ``t = 0`` and ``p = 1``.  Liengaard, Sharma,
    Hult, Jensen, Sarstedt, Hair & Ringle (2021), "Prediction: coveted, yet
    forsaken? Introducing a cross-validated predictive ability test in partial
    least squares path modeling", *Decision Sciences* 52, 362-392.
    """
    if alternative_hypothesis not in ("two-sided", "greater", "less"):
        raise ParameterError("alternative_hypothesis must be 'two-sided', 'greater' or 'less'")
    _check_options(technique, scheme)
    specs = [parse_model(established), parse_model(alternative)]
    for s, what in zip(specs, ("established", "alternative")):
        _check_structure(s, f"the {what} model")
    union = list(dict.fromkeys(specs[0].items + specs[1].items))
    both = parse_model("\n".join(f"__cvpat_{i} =~ {it}" for i, it in enumerate(union)))
    prep = prepare_items(data, both)
    X = prep.items.to_numpy(float)
    n = len(X)
    fold_ids = fold_assignments(n, folds, repetitions, seed)
    outs = [_cv_predict(X, s, fold_ids, technique, scheme, scaled, item_names=union) for s in specs]
    common = [it for it in outs[0]["items"] if it in outs[1]["items"]]
    if not common:
        raise ParameterError("the two models share no endogenous item; CVPAT compares the prediction "
                             "of the same endogenous items")
    loss = []
    for o in outs:
        q = [o["items"].index(it) for it in common]
        err = o["actual"][None, :, q] - o["pls"][:, :, q]
        loss.append((err ** 2).mean(axis=2).mean(axis=0))
    D = loss[1] - loss[0]
    dbar = float(D.mean())
    sd = float(D.std(ddof=1))
    se = sd / np.sqrt(n)
    dfree = n - 1
    if sd == 0 and dbar == 0:
        t, p = 0.0, 1.0
    else:
        t = dbar / se
        if alternative_hypothesis == "two-sided":
            p = 2 * stats.t.sf(abs(t), dfree)
        elif alternative_hypothesis == "greater":
            p = stats.t.sf(t, dfree)
        else:
            p = stats.t.cdf(t, dfree)
    qt = stats.t.ppf(1 - (1 - level) / 2, dfree)
    losses = pd.DataFrame({"loss_established": loss[0], "loss_alternative": loss[1], "difference": D},
                          index=prep.index)
    return CVPATResult(loss_established=float(loss[0].mean()), loss_alternative=float(loss[1].mean()),
                       difference=dbar, se=se, t=float(t), df=dfree, p_value=float(p),
                       ci_low=dbar - qt * se, ci_high=dbar + qt * se,
                       alternative_hypothesis=alternative_hypothesis, items=common, n=n, folds=int(folds),
                       repetitions=int(repetitions), losses=losses)
