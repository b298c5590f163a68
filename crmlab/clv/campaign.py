r"""A randomised campaign's effect on purchasing, dropout and customer lifetime value.

The experiment's assignment table is joined to the customers' transaction
summary; the arm enters the BG/NBD or Pareto/NBD model as a time-invariant
covariate (Fader & Hardie 2007, note 019) on the purchase process, the
dropout process or both; the fitted coefficients give the campaign's rate
ratios and, with the Gamma-Gamma spend model and the discounted CLV of
:mod:`crmlab.clv.value`, its effect on expected customer value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from crmlab.clv.base import compress
from crmlab.clv.bgnbd_cov import BGNBDCovariates
from crmlab.clv.gammagamma import GammaGamma
from crmlab.clv.paretonbd_cov import ParetoNBDCovariates
from crmlab.clv.value import customer_value
from crmlab.core.errors import DataError, ParameterError

__all__ = ["join_assignment", "campaign_effect", "AssignmentJoin", "CampaignResult"]

_MODELS = {"bgnbd": BGNBDCovariates, "paretonbd": ParetoNBDCovariates}


@dataclass
class AssignmentJoin:
    """Customers of a transaction summary matched to an experiment's arms.

    Attributes
    ----------
    data : DataFrame
        The matched rows of the summary, with the arm column and one 0/1
        column per non-control arm (named ``"<arm_col>=<label>"``).
    control : object
        Label of the control arm.
    dummies : dict
        Non-control arm label -> its 0/1 column.
    counts : dict
        ``n_summary``, ``n_assignment``, ``n_matched``, ``n_summary_only``
        (customers with transactions but no arm), ``n_assignment_only``
        (assigned ids without a row in the summary, e.g. never bought before
        the calibration end) and ``by_arm`` (matched customers per arm).
    summary_only_ids, assignment_only_ids : Index
        The unmatched ids themselves.
    """

    data: pd.DataFrame
    control: object
    dummies: dict
    counts: dict
    summary_only_ids: pd.Index = field(repr=False)
    assignment_only_ids: pd.Index = field(repr=False)


def _dup_rows(ids: pd.Index, what: str, id_col: str):
    dup = ids.duplicated(keep=False)
    if dup.any():
        rows = (np.flatnonzero(dup)[:5] + 1).tolist()
        raise DataError(f"{what} has {int(dup.sum())} rows with a repeated '{id_col}' (e.g. rows {rows}, ids "
                        f"{ids[dup][:5].tolist()}); each customer must appear once")


def join_assignment(summary: pd.DataFrame, assignment, *, id_col: str = "customer_id", arm_col: str = "arm",
                    control=None, unmatched: str = "drop") -> AssignmentJoin:
    """Join an assignment table (customer id, arm) to a transaction summary.

    Parameters
    ----------
    summary : DataFrame
        One row per customer; the id is the column ``id_col`` or else the index.
    assignment : DataFrame or Series
        Columns ``id_col`` and ``arm_col`` (a Series: index = id, values = arm).
        Ids may be of any hashable type but must equal the summary's ids
        (``17`` and ``"17"`` do not match).
    control : label, optional
        The control arm; inferred when the arms are {0, 1} / {False, True} or
        exactly one is called "control".
    unmatched : {"drop", "raise"}
        Customers found in only one table are counted and listed in the result
        (``"drop"``: analysed without them) or raise ``DataError``.

    Returns
    -------
    AssignmentJoin
    """
    if not isinstance(summary, pd.DataFrame):
        raise DataError(f"summary must be a DataFrame; got {type(summary).__name__}")
    if unmatched not in ("drop", "raise"):
        raise ParameterError(f"unmatched must be 'drop' or 'raise'; got {unmatched!r}")
    sum_ids = pd.Index(summary[id_col] if id_col in summary.columns else summary.index)
    if isinstance(assignment, pd.Series):
        a_ids, arms = pd.Index(assignment.index), assignment.to_numpy()
    elif isinstance(assignment, pd.DataFrame):
        if arm_col not in assignment.columns:
            raise DataError(f"assignment has no column '{arm_col}' (the arm); columns: {list(assignment.columns)} "
                            "(set arm_col=...)")
        if id_col in assignment.columns:
            a_ids = pd.Index(assignment[id_col])
        elif assignment.index.name == id_col:
            a_ids = pd.Index(assignment.index)
        else:
            raise DataError(f"assignment has no column '{id_col}' (the customer id); columns: "
                            f"{list(assignment.columns)} (set id_col=...)")
        arms = assignment[arm_col].to_numpy()
    else:
        raise DataError(f"assignment must be a DataFrame or Series; got {type(assignment).__name__}")
    _dup_rows(a_ids, "the assignment table", id_col)
    _dup_rows(sum_ids, "the summary", id_col)
    missing = pd.isna(arms)
    if missing.any():
        rows = (np.flatnonzero(missing)[:5] + 1).tolist()
        raise DataError(f"the assignment table has {int(missing.sum())} rows without an arm in '{arm_col}' "
                        f"(e.g. rows {rows})")
    in_sum = sum_ids.isin(a_ids)
    in_assign = a_ids.isin(sum_ids)
    n_matched = int(in_sum.sum())
    if n_matched == 0:
        hint = ""
        if len(sum_ids) and len(a_ids) and pd.Index(sum_ids.astype(str)).isin(a_ids.astype(str)).any():
            hint = (f"; the ids match as text: the summary's are {sum_ids.dtype}, the assignment's "
                    f"{a_ids.dtype} -- convert one, e.g. assignment['{id_col}'].astype(int)")
        raise DataError(f"no customer of the summary appears in the assignment table (summary ids e.g. "
                        f"{sum_ids[:3].tolist()}, assignment ids e.g. {a_ids[:3].tolist()}){hint}")
    summary_only, assignment_only = sum_ids[~in_sum], a_ids[~in_assign]
    if unmatched == "raise" and (len(summary_only) or len(assignment_only)):
        raise DataError(f"{len(summary_only)} customers of the summary have no arm (e.g. {summary_only[:5].tolist()}) "
                        f"and {len(assignment_only)} assigned ids have no transactions "
                        f"(e.g. {assignment_only[:5].tolist()}); pass unmatched='drop' to analyse the matched ones")
    arm_of = pd.Series(arms, index=a_ids)
    arm_values = arm_of.reindex(sum_ids[in_sum]).to_numpy()
    labels = list(pd.unique(arm_values))
    if control is None:
        if set(labels) <= {0, 1}:
            control = next(v for v in labels if v == 0) if any(v == 0 for v in labels) else None
        else:
            named = [v for v in labels if isinstance(v, str) and v.strip().lower() == "control"]
            control = named[0] if len(named) == 1 else None
        if control is None:
            raise ParameterError(f"cannot tell which arm is the control among {labels}; pass control=<label>")
    elif control not in labels:
        raise ParameterError(f"control={control!r} is not among the matched customers' arms {labels}")
    others = sorted((v for v in labels if v != control), key=str)
    if not others:
        raise DataError(f"all {n_matched} matched customers are in the control arm {control!r}: nothing to compare")
    data = summary.loc[np.asarray(in_sum)].copy()
    dummies = {v: f"{arm_col}={v}" for v in others}
    clash = [c for c in [arm_col, *dummies.values()] if c in data.columns]
    if clash:
        raise DataError(f"the summary already has column(s) {clash}; rename them or set arm_col=...")
    data[arm_col] = arm_values
    for v, col in dummies.items():
        data[col] = (arm_values == v).astype(float)
    by_arm = {str(v): int(np.sum(arm_values == v)) for v in [control, *others]}
    counts = {"n_summary": len(sum_ids), "n_assignment": len(a_ids), "n_matched": n_matched,
              "n_summary_only": len(summary_only), "n_assignment_only": len(assignment_only), "by_arm": by_arm}
    return AssignmentJoin(data=data, control=control, dummies=dummies, counts=counts,
                          summary_only_ids=summary_only, assignment_only_ids=assignment_only)


class _NewCustomerIncrements:
    """Purchase-model stand-in for ``customer_value``: expected purchases of a customer of age T in (T, T+t],
    *not* conditioned on the purchase history (E[X(T+t)] - E[X(T)] for a new customer with these covariates).
    The expectations on the grid T + j * step, j = 0..K, are computed once, in one vectorised call."""

    def __init__(self, model, covariates, coef, T, step, k):
        self.step = step
        grid = np.asarray(T, dtype=float)[None, :] + step * np.arange(k + 1)[:, None]
        self.cum = model.expected_purchases(grid, covariates, coef=coef)

    def conditional_expected_purchases(self, t, frequency, recency, T):
        j = int(round(float(t) / self.step))
        return self.cum[j] - self.cum[0]


class _MeanSpend:
    """Spend-model stand-in for ``customer_value``: the population mean spend per transaction."""

    def __init__(self, mean):
        self.mean = mean

    def conditional_expected_spend(self, frequency, monetary_value):
        return np.full(len(frequency), self.mean)


def _delta(fn, theta, V, rel=1e-5):
    """Value of ``fn`` at ``theta`` and its delta-method covariance (central-difference Jacobian)."""
    f0 = np.atleast_1d(fn(theta))
    J = np.empty((len(f0), len(theta)))
    for i in range(len(theta)):
        h = rel * max(1.0, abs(theta[i]))
        e = np.zeros(len(theta))
        e[i] = h
        J[:, i] = (np.atleast_1d(fn(theta + e)) - np.atleast_1d(fn(theta - e))) / (2 * h)
    return f0, J @ V @ J.T


@dataclass
class CampaignResult:
    """Output of :func:`campaign_effect`.

    Attributes
    ----------
    effects : DataFrame
        One row per (arm, effect): ``coef``, ``se``, ``ratio`` with ``ci_low``,
        ``ci_high`` and ``p_value`` (H0: no effect).
    value : DataFrame
        Per non-control arm: expected residual purchases and CLV per customer
        with the campaign and without it (counterfactual), their difference
        per customer and in total over the arm's customers, with intervals;
        with ``per_customer``, also ``*_history_campaign`` / ``*_history_control``:
        the arm means of the history-based predictions (``customers``).
    customers : DataFrame or None
        Per matched customer: arm, P(alive), expected purchases over the
        horizon and CLV given the own history and arm.
    join : AssignmentJoin
    model : BGNBDCovariates or ParetoNBDCovariates
    spend_model : GammaGamma
    settings : dict
    """

    effects: pd.DataFrame
    value: pd.DataFrame
    customers: pd.DataFrame | None
    join: AssignmentJoin
    model: object
    spend_model: object
    settings: dict

    def as_dict(self) -> dict:
        """Headline figures as plain numbers (for ``crmlab.core.results.record``)."""
        arms = {}
        for arm, grp in self.effects.groupby("arm", sort=False):
            d = arms.setdefault(str(arm), {})
            for _, row in grp.iterrows():
                d[row["effect"]] = {k: float(row[k]) for k in ("ratio", "ci_low", "ci_high", "p_value")}
        for arm, row in self.value.iterrows():
            d = arms.setdefault(str(arm), {})
            d["n_customers"] = int(row["n_customers"])
            for key in ("purchases", "clv"):
                d[f"{key}_per_customer"] = {k: float(row[f"{key}_{k}"]) for k in
                                            ("campaign", "counterfactual", "effect", "ci_low", "ci_high")}
            d["clv_total"] = {k: float(row[f"clv_total_{k}"]) for k in ("effect", "ci_low", "ci_high")}
        out = {"model": self.model.model_name, "matching": self.join.counts, "control": str(self.join.control),
               "interval": self.settings["interval"], "arms": arms, "settings": self.settings}
        if len(arms) == 1:  # two-arm experiment: the headline figures at the top level
            out.update(next(iter(arms.values())))
        return out


def campaign_effect(summary: pd.DataFrame, assignment, *, model: str = "bgnbd", on=("purchase", "dropout"),
                    purchase_covariates=(), dropout_covariates=(), id_col: str = "customer_id", arm_col: str = "arm",
                    control=None, unmatched: str = "drop", horizon: float = 52.0, step: float = 1.0,
                    discount_rate: float = 0.10, time_unit_days: float = 7.0, margin: float = 1.0,
                    level: float = 0.95, interval: str = "delta", n_draws: int = 500, seed=0, spend_model=None,
                    per_customer: bool = True) -> CampaignResult:
    r"""Effect of a randomised campaign on purchasing, dropout and expected CLV.

    Parameters
    ----------
    summary : DataFrame
        Transaction summary (``frequency, recency, T, monetary_value``, one row per customer).
    assignment : DataFrame or Series
        The experiment's arms, see :func:`join_assignment`.
    model : {"bgnbd", "paretonbd"}
    on : sequence of {"purchase", "dropout"}
        Processes the campaign may act on (a 0/1 column per non-control arm).
    purchase_covariates, dropout_covariates : sequence of str
        Further covariate columns of ``summary`` (e.g. stratification variables).
    id_col, arm_col, control, unmatched
        See :func:`join_assignment`.
    horizon, step, discount_rate, time_unit_days, margin
        Residual value over ``horizon`` time units, as in
        :func:`crmlab.clv.value.customer_value` (annual ``discount_rate``).
    level : float
    interval : {"delta", "bootstrap"}
        Interval for the value effects: delta method (default) or parametric
        bootstrap (``n_draws`` draws of the parameters from their asymptotic normal, percentile interval, ``seed``).
    spend_model : GammaGamma, optional
        Fitted spend model; default: fitted on the matched repeat buyers (pooled over arms).
    per_customer : bool
        Also tabulate each customer's P(alive), expected purchases and CLV.

    Returns
    -------
    CampaignResult

    Notes
    -----
    Rate effects: :math:`e^{\gamma}` of the arm's dummy.  On purchasing it is
    the ratio of mean purchase rates E(lambda) (both models); on dropout it is
    the ratio of mean dropout rates E(mu) (Pareto/NBD).  For the BG/NBD the
    dummy moves ``a`` and ``b`` separately (note 019); ``dropout_a_ratio`` and
    ``dropout_b_ratio`` are :math:`e^{\gamma_2}, e^{\gamma_3}` and
    ``dropout_probability_ratio`` is the ratio of mean dropout probabilities
    :math:`\bar E(p | arm) / \bar E(p | control)` averaged over the arm's
    customers (delta-method interval on the log scale).

    Value effects (model-based counterfactual): for each customer *i* of the
    arm, with age :math:`T_i` and own other covariates,

    .. math::
        V_i(k) = margin\,\bar m \sum_{j=1}^{K}
            \frac{E_k X(T_i + jh) - E_k X(T_i + (j-1)h)}{(1+d_h)^j}

    with :math:`E_k X(t)` the expected purchases of a new customer with the
    dummy set to arm *k* (campaign) or to control (counterfactual) -- the
    purchase history is averaged over, not conditioned on, because the
    history itself is an outcome of the campaign -- and :math:`\bar m = p\gamma/(q-1)`
    the Gamma-Gamma mean spend (the campaign is assumed not to change spend
    per transaction).  The discounting is :func:`crmlab.clv.value.customer_value`'s.
    Reported: the means over the arm's customers of :math:`V_i(k)`, of the
    counterfactual, their difference, and the difference times the number
    of the arm's customers (total).  Ages are rounded to whole days for this
    average.  Intervals: delta method with a central-difference Jacobian in
    the log-linear model parameters and the log spend parameters (their
    covariance block-diagonal: separate likelihoods), or the parametric
    bootstrap; both reflect parameter uncertainty only.  The campaign is a
    time-invariant covariate: it must have acted since each customer's first
    purchase (e.g. randomised at acquisition); a campaign sent mid-life needs
    time-varying covariates (Fader & Hardie note 040), not provided here.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). Incorporating time-invariant
    covariates into the Pareto/NBD and BG/NBD models. http://www.brucehardie.com/notes/019/
    """
    if model not in _MODELS:
        raise ParameterError(f"model must be one of {sorted(_MODELS)}; got {model!r}")
    on = (on,) if isinstance(on, str) else tuple(on)
    if not on or not set(on) <= {"purchase", "dropout"}:
        raise ParameterError(f"on must name 'purchase' and/or 'dropout'; got {on!r}")
    if interval not in ("delta", "bootstrap"):
        raise ParameterError(f"interval must be 'delta' or 'bootstrap'; got {interval!r}")
    if not 0 < level < 1:
        raise ParameterError(f"level must be between 0 and 1; got {level}")
    n_steps = int(round(horizon / step)) if step > 0 else 0
    if horizon <= 0 or n_steps < 1 or abs(n_steps * step - horizon) > 1e-9 * max(1.0, horizon):
        raise ParameterError(f"horizon ({horizon}) must be a positive whole number of steps ({step})")
    j = join_assignment(summary, assignment, id_col=id_col, arm_col=arm_col, control=control, unmatched=unmatched)
    data = j.data
    for c in ("frequency", "recency", "T"):
        if c not in data.columns:
            raise DataError(f"summary has no column '{c}'; expected the output of crmlab.transactions.summarize")
    dcols = list(j.dummies.values())
    purchase = list(purchase_covariates) + (dcols if "purchase" in on else [])
    dropout = list(dropout_covariates) + (dcols if "dropout" in on else [])
    est = _MODELS[model](purchase=purchase, dropout=dropout).fit(data["frequency"], data["recency"], data["T"],
                                                                  covariates=data)
    if spend_model is None:
        if "monetary_value" not in data.columns:
            raise DataError("summary has no column 'monetary_value' for the spend model; pass spend_model=...")
        spend_model = GammaGamma().fit(data["frequency"], data["monetary_value"])
    if not spend_model.params_["q"] > 1:
        raise DataError(f"the spend model has q = {spend_model.params_['q']:.3f} <= 1, so the mean spend per "
                        "transaction p gamma / (q - 1) is not finite and CLV is undefined")
    zq = stats.norm.ppf(0.5 + level / 2)
    phi, V = est.coef_.to_numpy(), est.vcov_.to_numpy()
    names = list(est.coef_.index)
    arm_v = data[arm_col].to_numpy()
    extra = list(dict.fromkeys(list(purchase_covariates) + list(dropout_covariates)))
    effects, values = [], []
    rng = np.random.default_rng(seed)
    gg_theta = spend_model.params_.to_numpy()
    gg_V = spend_model.covariance_.to_numpy() / np.outer(gg_theta, gg_theta)
    psi = np.concatenate([phi, np.log(gg_theta)])
    Vpsi = np.zeros((len(psi), len(psi)))
    Vpsi[:len(phi), :len(phi)] = V
    Vpsi[len(phi):, len(phi):] = gg_V
    for lab, col in j.dummies.items():
        mine = arm_v == lab
        # distinct (age in days, other covariates) among the arm's customers
        T_day = np.round(data["T"].to_numpy()[mine] * time_unit_days) / time_unit_days
        cols, cnt, _ = compress(T_day, *[data[c].to_numpy()[mine] for c in extra])
        w = cnt / cnt.sum()
        base = pd.DataFrame({c: v for c, v in zip(extra, cols[1:])}, index=pd.RangeIndex(len(cols[0])))
        scen = {}
        for key, on_arm in (("campaign", True), ("counterfactual", False)):
            cv = base.copy()
            for other in dcols:
                cv[other] = 1.0 if (other == col and on_arm) else 0.0
            scen[key] = cv

        def coef_row(pname, effect, process, lab=lab):
            i = names.index(pname)
            g, se = phi[i], np.sqrt(V[i, i])
            effects.append({"arm": lab, "effect": effect, "process": process, "coef": g, "se": se,
                            "ratio": np.exp(g), "ci_low": np.exp(g - zq * se), "ci_high": np.exp(g + zq * se),
                            "p_value": 2 * stats.norm.sf(abs(g / se)) if se > 0 else np.nan})

        if "purchase" in on:
            coef_row(f"purchase:{col}", "purchase_rate_ratio", "purchase")
        if "dropout" in on and model == "paretonbd":
            coef_row(f"dropout:{col}", "dropout_rate_ratio", "dropout")
        elif "dropout" in on:
            coef_row(f"dropout_a:{col}", "dropout_a_ratio", "dropout")
            coef_row(f"dropout_b:{col}", "dropout_b_ratio", "dropout")

            def log_ratio(ph, scen=scen, w=w):
                return np.log(w @ est.mean_dropout(scen["campaign"], coef=ph)
                              / (w @ est.mean_dropout(scen["counterfactual"], coef=ph)))

            lr, var = _delta(log_ratio, phi, V)
            se = float(np.sqrt(var[0, 0]))
            effects.append({"arm": lab, "effect": "dropout_probability_ratio", "process": "dropout", "coef": lr[0],
                            "se": se, "ratio": np.exp(lr[0]), "ci_low": np.exp(lr[0] - zq * se),
                            "ci_high": np.exp(lr[0] + zq * se), "p_value": 2 * stats.norm.sf(abs(lr[0] / se))})

        def value_fn(ps, scen=scen, w=w, T_u=cols[0]):
            ph, (p, q, g) = ps[:len(phi)], np.exp(ps[len(phi):])
            spend = _MeanSpend(p * g / (q - 1))
            zero = np.zeros(len(T_u))
            out = []
            for key in ("campaign", "counterfactual"):
                inc = _NewCustomerIncrements(est, scen[key], ph, T_u, step, n_steps)
                v = customer_value(inc, spend, zero, zero, T_u, zero, horizon=horizon, discount_rate=discount_rate,
                                   time_unit_days=time_unit_days, step=step, margin=margin)
                out += [w @ inc.conditional_expected_purchases(horizon, zero, zero, T_u), w @ v]
            return np.array([out[0], out[2], out[0] - out[2], out[1], out[3], out[1] - out[3]])

        if interval == "delta":
            f0, cov = _delta(value_fn, psi, Vpsi)
            se = np.sqrt(np.clip(np.diag(cov), 0, None))
            lo, hi = f0 - zq * se, f0 + zq * se
        else:
            f0 = value_fn(psi)
            draws = rng.multivariate_normal(psi, Vpsi, size=n_draws, method="eigh")
            draws = draws[np.exp(draws[:, -2]) > 1.0]  # q > 1: finite mean spend
            sims = np.array([value_fn(d) for d in draws])
            se = sims.std(axis=0, ddof=1)
            lo, hi = np.quantile(sims, [(1 - level) / 2, (1 + level) / 2], axis=0)
        n_arm = int(mine.sum())
        values.append({"arm": lab, "n_customers": n_arm,
                       "purchases_campaign": f0[0], "purchases_campaign_se": se[0],
                       "purchases_counterfactual": f0[1], "purchases_counterfactual_se": se[1],
                       "purchases_effect": f0[2], "purchases_se": se[2], "purchases_ci_low": lo[2],
                       "purchases_ci_high": hi[2],
                       "clv_campaign": f0[3], "clv_counterfactual": f0[4], "clv_effect": f0[5], "clv_se": se[5],
                       "clv_ci_low": lo[5], "clv_ci_high": hi[5], "clv_total_effect": n_arm * f0[5],
                       "clv_total_se": n_arm * se[5], "clv_total_ci_low": n_arm * lo[5],
                       "clv_total_ci_high": n_arm * hi[5]})
    customers = None
    if per_customer:
        f, r, T = data["frequency"], data["recency"], data["T"]
        bound = est.bind(data)
        customers = pd.DataFrame({arm_col: arm_v, "p_alive": bound.p_alive(f, r, T),
                                  "expected_purchases": bound.conditional_expected_purchases(horizon, f, r, T)},
                                 index=data.index)
        if "monetary_value" in data.columns:
            customers["clv"] = customer_value(bound, spend_model, f, r, T, data["monetary_value"], horizon=horizon,
                                              discount_rate=discount_rate, time_unit_days=time_unit_days, step=step,
                                              margin=margin)
    value = pd.DataFrame(values).set_index("arm")
    # randomised comparison of the history-based predictions (law of total expectation: close to the model-based
    # means above, up to sampling error)
    for key, col in (("purchases", "expected_purchases"), ("clv", "clv")):
        for lab in value.index:
            ok = customers is not None and col in customers.columns
            value.loc[lab, f"{key}_history_campaign"] = customers.loc[arm_v == lab, col].mean() if ok else np.nan
            value.loc[lab, f"{key}_history_control"] = (customers.loc[arm_v == j.control, col].mean()
                                                        if ok else np.nan)
    settings = {"model": model, "on": list(on), "purchase_covariates": list(purchase_covariates),
                "dropout_covariates": list(dropout_covariates), "horizon": horizon, "step": step,
                "discount_rate": discount_rate, "time_unit_days": time_unit_days, "margin": margin, "level": level,
                "interval": interval, "n_draws": n_draws if interval == "bootstrap" else None}
    return CampaignResult(effects=pd.DataFrame(effects), value=value,
                          customers=customers, join=j, model=est, spend_model=spend_model, settings=settings)
