"""Study 3's analyses run when their parameters ask for them (issue #15): the purchase models with
time-invariant covariates, a randomised campaign joined from its assignment table, and the discrete-time
BG/BB model of purchase opportunities. Each needs the per-customer table on the driver.

Language-free; the words are in :mod:`.sentences` and :mod:`.tables`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError

#: a categorical covariate with more levels than this is refused (each level is a coefficient per process)
MAX_LEVELS = 12


def _read(path, sheet=None) -> tuple[pd.DataFrame, str]:
    from crmlab.core import datasets

    p = datasets.resolve_path(path)
    return datasets.read_table(p, sheet=sheet), p.name


def align_ids(ids: pd.Series, like: pd.Index) -> pd.Series:
    """Customer ids of another table in the summary's id type: whole numbers written as text (or read as
    floats from a spreadsheet) match integer ids, integers match text ids."""
    if pd.api.types.is_integer_dtype(like.dtype):
        num = pd.to_numeric(ids, errors="coerce")
        if num.notna().all() and (num == np.round(num)).all():
            return num.astype("int64")
        return ids
    if like.dtype == object and not pd.api.types.is_object_dtype(ids.dtype):
        if pd.api.types.is_float_dtype(ids) and (ids.dropna() == np.round(ids.dropna())).all():
            return ids.astype("Int64").astype(str)
        return ids.astype(str)
    return ids


def _check_table(frame: pd.DataFrame, name: str, named: dict) -> None:
    missing = {p: c for p, c in named.items() if c not in frame.columns}
    if missing:
        said = "; ".join(f"parameter {p!r} names column {c!r}, which is not in it" for p, c in missing.items())
        raise DataError(f"{name}: {said}. Its columns: {', '.join(map(str, list(frame.columns)[:40]))}")


def _repeated(ids: pd.Series, name: str, col: str, param: str) -> None:
    from crmlab.core.errors import file_rows

    dup = ids.duplicated(keep=False) & ids.notna()
    if dup.any():
        raise DataError(f"{name}: {int(dup.sum())} rows repeat a customer id in column {col!r} (parameter "
                        f"{param!r}; {file_rows(np.flatnonzero(dup.to_numpy()))}); each customer must appear once")


# -- covariates --------------------------------------------------------------------------------------

@dataclass
class CovariateFits:
    """The purchase models with covariates: the design columns (0/1 dummies for categories, named
    ``column=level``, against the most frequent level) with the covariate each comes from, the fitted
    :class:`crmlab.clv.BGNBDCovariates` and :class:`crmlab.clv.ParetoNBDCovariates` (None when a fit did not
    converge, the message in ``errors``), the customers used and those left out for a missing value."""

    design: list
    origin: dict
    reference: dict
    bgnbd: object | None
    paretonbd: object | None
    errors: dict
    n_used: int
    n_missing: int
    source: str
    varying: int = 0

    def records(self, level: float = 0.95) -> dict:
        """``results.json`` entries ``bgnbd_cov`` and ``paretonbd_cov`` (fit, parameters, rate ratios)."""
        out = {}
        for key, m in (("bgnbd_cov", self.bgnbd), ("paretonbd_cov", self.paretonbd)):
            base = {"covariates": list(self.design), "reference_levels": dict(self.reference),
                    "customers_missing_covariates": self.n_missing, "source": self.source}
            out[key] = ({**m.as_dict(level), **base} if m is not None
                        else {"error": self.errors.get(key, "not fitted"), **base})
        return out

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """One row per (model, process, covariate): the ratio with its interval and p-value."""
        rows = []
        for model, m in (("BG/NBD", self.bgnbd), ("Pareto/NBD", self.paretonbd)):
            if m is None:
                continue
            tab = m.summary(level)
            for name, r in tab.iloc[len(m.base_names):].iterrows():
                rows.append({"model": model, "process": r["process"], "covariate": r["covariate"],
                             "ratio": r["ratio"], "ratio_ci_low": r["ratio_ci_low"],
                             "ratio_ci_high": r["ratio_ci_high"], "p_value": r["p_value"]})
        return pd.DataFrame(rows)


def covariate_design(frame: pd.DataFrame, columns) -> tuple[pd.DataFrame, dict, dict]:
    """Numeric covariates as they are; text or category columns as 0/1 dummies against their most frequent
    level (``column=level``). Returns the design, the design column -> covariate map and the reference levels.

    Raises
    ------
    DataError
        A covariate with one value only, or more than :data:`MAX_LEVELS` levels.
    """
    out, origin, ref = {}, {}, {}
    for c in columns:
        s = frame[c]
        num = pd.to_numeric(s, errors="coerce") if not pd.api.types.is_bool_dtype(s) else s.astype(float)
        if num.notna().sum() == s.notna().sum() and s.notna().any():
            if num.dropna().nunique() < 2:
                raise DataError(f"covariate {c!r} takes one value for every customer, so its effect cannot be "
                                "estimated; drop it from parameter 'covariates'")
            out[c], origin[c] = num.astype(float), c
            continue
        counts = s.dropna().astype(str).value_counts()
        if len(counts) < 2:
            raise DataError(f"covariate {c!r} takes one value for every customer, so its effect cannot be "
                            "estimated; drop it from parameter 'covariates'")
        if len(counts) > MAX_LEVELS:
            raise DataError(f"covariate {c!r} has {len(counts)} categories; at most {MAX_LEVELS} are modelled (each "
                            "is a coefficient on both processes): group them first or drop it from 'covariates'")
        levels = sorted(counts.index, key=lambda v: (-counts[v], v))
        ref[c] = levels[0]
        text = s.astype("string")
        for lev in sorted(levels[1:]):
            name = f"{c}={lev}"
            out[name] = (text == lev).astype(float).where(s.notna())
            origin[name] = c
    return pd.DataFrame(out, index=frame.index), origin, ref


def covariates_of(run, covariates, *, customers=None, customers_id_col: str = "customer_id", sheet=None,
                  on: str = "both") -> CovariateFits | None:
    """BG/NBD and Pareto/NBD with time-invariant covariates (Fader & Hardie 2007, note 019).

    The covariates come from the customer table ``customers`` (one row per customer, id in
    ``customers_id_col``) or, without one, from the log: each customer's value on the first purchase day
    (carried by the summary). ``on``: the processes they act on (``both``, ``purchase``, ``dropout``).
    None when no covariate is named.
    """
    from crmlab import clv

    covariates = [covariates] if isinstance(covariates, str) else list(covariates or [])
    if not covariates:
        return None
    if on not in ("both", "purchase", "dropout"):
        raise ParameterError(f"covariates_on must be 'both', 'purchase' or 'dropout'; got {on!r}")
    S = run.table
    if customers:
        frame, name = _read(customers, sheet=None)
        _check_table(frame, name, {"customers_id_col": customers_id_col,
                                   **{f"covariates ({c})": c for c in covariates}})
        ids = align_ids(frame[customers_id_col], S.index)
        _repeated(ids, name, customers_id_col, "customers_id_col")
        cov = frame.assign(_id=ids.to_numpy()).set_index("_id")[covariates].reindex(S.index)
        source = name
    else:
        cov = S[covariates]
        source = "log"
    design, origin, ref = covariate_design(cov, covariates)
    ok = design.notna().all(axis=1)
    if ok.sum() < 10:
        raise DataError(f"only {int(ok.sum())} customers have every covariate ({', '.join(covariates)}); the models "
                        "need many more (check parameter 'customers' and the id column)")
    cols = list(design.columns)
    data = S.loc[ok.to_numpy()]
    X = design.loc[ok.to_numpy()]
    fits, errors = {}, {}
    for key, cls in (("bgnbd_cov", clv.BGNBDCovariates), ("paretonbd_cov", clv.ParetoNBDCovariates)):
        try:
            fits[key] = cls(purchase=cols if on in ("both", "purchase") else (),
                            dropout=cols if on in ("both", "dropout") else ()).fit(
                data["frequency"], data["recency"], data["T"], covariates=X)
        except DataError as exc:  # ConvergenceError included
            fits[key], errors[key] = None, str(exc)
    return CovariateFits(cols, origin, ref, fits["bgnbd_cov"], fits["paretonbd_cov"], errors, int(ok.sum()),
                         int((~ok).sum()), source, int(run.report.get("attributes_varying", 0)) if not customers else 0)


# -- a campaign joined from its assignment table ---------------------------------------------------------

def campaign_of(run, assignment, *, id_col: str = "customer_id", arm_col: str = "arm", control=None,
                horizon: float = 52.0, discount_rate: float = 0.10, model: str = "bgnbd", sheet=None):
    """The campaign's effect on purchasing, drop-out and CLV (:func:`crmlab.clv.campaign_effect`), the
    assignment table (one row per customer: id, arm) joined to the customer summary. Arms are compared as
    text (``control: 0`` matches arms coded 0/1). None without an assignment table.

    Raises
    ------
    DataError
        Missing columns, repeated ids, missing arms, or no customer of the log in the table, naming the
        file, the rows and the parameters (never a raw customer id).
    """
    from crmlab import clv
    from crmlab.core.errors import file_rows

    if not assignment:
        return None
    frame, name = _read(assignment, sheet=sheet)
    _check_table(frame, name, {"assignment_id_col": id_col, "assignment_arm_col": arm_col})
    S = run.table
    ids = align_ids(frame[id_col], S.index)
    _repeated(ids, name, id_col, "assignment_id_col")
    arms = frame[arm_col]
    if arms.isna().any():
        raise DataError(f"{name}: {int(arms.isna().sum())} rows have no arm in column {arm_col!r} (parameter "
                        f"'assignment_arm_col'; {file_rows(np.flatnonzero(arms.isna().to_numpy()))})")
    if pd.api.types.is_float_dtype(arms) and (arms == np.round(arms)).all():
        arms = arms.astype("int64")
    arms = arms.astype(str).str.strip()
    labels = sorted(arms.unique())
    if control is not None and str(control).strip() not in labels:
        raise ParameterError(f"{name}: control={control!r} is not an arm of column {arm_col!r}; its arms: "
                             f"{', '.join(labels)} (parameter 'control')")
    if control is None and not ({"0", "1"} >= set(labels) or sum(v.lower() == "control" for v in labels) == 1):
        raise ParameterError(f"{name}: cannot tell which arm is the control among {', '.join(labels)}; set parameter "
                             "'control' to one of them")
    ctrl = str(control).strip() if control is not None else ("0" if "0" in labels else
                                                             next(v for v in labels if v.lower() == "control"))
    matched = int(pd.Index(ids).isin(S.index).sum())
    if matched == 0:
        raise DataError(f"{name}: no customer id of column {id_col!r} (parameter 'assignment_id_col') is a customer of "
                        f"the log ({run.log.file}); check that both hold the same ids")
    table = pd.DataFrame({id_col: ids.to_numpy(), arm_col: arms.to_numpy()})
    if id_col in S.columns:
        raise ParameterError(f"the customer summary already has a column {id_col!r}; rename the id column")
    res = clv.campaign_effect(S[["frequency", "recency", "T", "monetary_value"]], table, model=model, id_col=id_col,
                              arm_col=arm_col, control=ctrl, horizon=horizon, discount_rate=discount_rate,
                              time_unit_days=run.time_unit_days)
    return res


# -- discrete time: BG/BB -----------------------------------------------------------------------------

@dataclass
class BGBBResult:
    """The BG/BB fit on purchase opportunities (periods of ``period`` from each first purchase): the model,
    customers and opportunities used, mean P(alive), the holdout check in transacting periods and the mean
    discounted expected residual transactions (DERT)."""

    period: str
    model: object
    customers: int
    opportunities: float
    p_alive_mean: float
    holdout: dict | None
    dert_mean: float
    discount_per_period: float
    extra: dict = field(default_factory=dict)

    def record(self, level: float = 0.95) -> dict:
        """``results.json["bgbb"]``."""
        par = self.model.summary(level)
        return {"period": self.period, "customers": self.customers, "opportunities_mean": self.opportunities,
                **{k: float(v) for k, v in self.model.params_.items()}, "loglik": self.model.loglik_,
                "ci": {k: [float(par.loc[k, "ci_low"]), float(par.loc[k, "ci_high"])] for k in par.index},
                "p_alive_mean": self.p_alive_mean, "holdout": self.holdout, "dert_mean": self.dert_mean,
                "discount_per_period": self.discount_per_period}


def bgbb_of(run, period: str, *, discount_rate: float = 0.10) -> BGBBResult | None:
    """BG/BB (Fader, Hardie & Shang 2010) on each customer's whole periods after the first purchase: fit,
    P(alive) at the next opportunity, the holdout's transacting periods against the model's expectation and
    DERT at the annual ``discount_rate`` turned into a rate per period. None when ``period`` is ``none``."""
    from crmlab import clv
    from crmlab.studies.customers.data import BGBB_PERIODS

    if period in (None, "none"):
        return None
    S = run.table
    keep = S["bgbb_n"] >= 1
    if keep.sum() < 10:
        raise DataError(f"only {int(keep.sum())} customers have a whole {period[:-1]} after their first purchase "
                        "before calibration_end; choose a shorter bgbb_period or a later calibration_end")
    D = S.loc[keep]
    x, tx, n = D["bgbb_x"], D["bgbb_tx"], D["bgbb_n"]
    model = clv.BGBB().fit(x, tx, n)
    pa = model.p_alive(x, tx, n)
    days = BGBB_PERIODS[period]
    d = (1 + discount_rate) ** (days / 365.25) - 1
    dert = model.dert(d, x, tx, n) if d > 0 else np.full(len(D), np.nan)
    hold = None
    nh = D["bgbb_n_holdout"].to_numpy()
    if run.holdout_end is not None and (nh >= 1).any():
        h = nh >= 1
        pred = np.zeros(len(D))
        pred[h] = model.conditional_expected_purchases(nh[h], x[h], tx[h], n[h])
        act = D["bgbb_x_holdout"].to_numpy(dtype=float)
        hold = {"actual": float(act.sum()), "predicted": float(pred.sum()),
                "mae_per_customer": float(np.abs(pred - act).mean()), "periods_mean": float(nh.mean())}
    return BGBBResult(period, model, int(len(D)), float(n.mean()), float(pa.mean()), hold,
                      float(np.nanmean(dert)), float(d))
