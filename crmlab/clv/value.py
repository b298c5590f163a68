"""Customer lifetime value and holdout validation from fitted purchase and spend models."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.core.errors import ParameterError

__all__ = ["customer_value", "concentration", "holdout_by_frequency", "holdout_errors", "tracking"]


def customer_value(purchase_model, spend_model, frequency, recency, T, monetary_value, *,
                   horizon: float, discount_rate: float, time_unit_days: float = 7.0,
                   step: float = 1.0, margin: float = 1.0) -> np.ndarray:
    r"""Discounted expected residual value of each customer over ``horizon``.

    Notes
    -----
    .. math::
        CLV_i = margin \cdot E(M_i) \sum_{k=1}^{K} \frac{E[Y_i(k h)] - E[Y_i((k-1) h)]}{(1+d_h)^{k}}

    with step ``h`` (time units), ``K = horizon / h`` and the per-step rate
    ``d_h = (1 + d)^{h \cdot days/365.25} - 1`` from the annual rate ``d``;
    ``E[Y_i(t)]`` is the purchase model's conditional expectation and
    ``E(M_i)`` the Gamma-Gamma conditional expected spend.  With ``d = 0``
    the sum telescopes to ``E(M_i) E[Y_i(horizon)]``.  Same discrete scheme
    as Fader, Hardie & Lee (2005, JMR) and the ``lifetimes`` package.
    """
    if horizon <= 0 or step <= 0:
        raise ParameterError(f"horizon ({horizon}) and step ({step}) must be positive")
    if discount_rate < 0 or discount_rate >= 10:
        raise ParameterError(f"discount_rate is an annual rate such as 0.10; got {discount_rate}")
    k = int(round(horizon / step))
    if k < 1 or abs(k * step - horizon) > 1e-9 * max(1.0, horizon):
        raise ParameterError(f"horizon ({horizon}) must be a whole number of steps ({step})")
    d_step = (1 + discount_rate) ** (step * time_unit_days / 365.25) - 1
    spend = spend_model.conditional_expected_spend(frequency, monetary_value)
    value = np.zeros(len(spend))
    prev = np.zeros(len(spend))
    for i in range(1, k + 1):
        cur = purchase_model.conditional_expected_purchases(i * step, frequency, recency, T)
        value += (cur - prev) / (1 + d_step) ** i
        prev = cur
    return margin * spend * value


def concentration(values, shares=(0.1, 0.2)) -> dict:
    """Share of total value held by the top ``shares`` of customers (e.g. top 10% / 20%)."""
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    total = v.sum()
    out = {}
    for s in shares:
        n = int(np.ceil(s * len(v)))
        out[f"top{int(round(s * 100))}_share"] = float(v[:n].sum() / total) if total > 0 else float("nan")
    return out


def holdout_by_frequency(model, summary: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual vs predicted holdout repeat purchases by calibration frequency.

    ``summary`` needs ``frequency, recency, T, frequency_holdout, duration_holdout``.
    Customers with ``frequency >= max_frequency`` are pooled in the last group
    (FHL 2005, Figure 4).
    """
    pred = model.conditional_expected_purchases(summary["duration_holdout"].to_numpy(), summary["frequency"],
                                                summary["recency"], summary["T"])
    grp = np.minimum(summary["frequency"].to_numpy(), max_frequency).astype(int)
    tab = pd.DataFrame({"group": grp, "actual": summary["frequency_holdout"].to_numpy(), "predicted": pred})
    out = tab.groupby("group").agg(customers=("actual", "size"), actual=("actual", "mean"),
                                   predicted=("predicted", "mean"))
    out.index = [f"{g}+" if g == max_frequency else str(g) for g in out.index]
    out.index.name = "calibration_frequency"
    return out


def holdout_errors(model, summary: pd.DataFrame) -> dict:
    """Error metrics of per-customer holdout predictions (MAE, RMSE, totals, correlation)."""
    pred = model.conditional_expected_purchases(summary["duration_holdout"].to_numpy(), summary["frequency"],
                                                summary["recency"], summary["T"])
    act = summary["frequency_holdout"].to_numpy(dtype=float)
    err = pred - act
    return {"actual_repeat": float(act.sum()), "predicted_repeat": float(pred.sum()),
            "mae_per_customer": float(np.mean(np.abs(err))), "rmse_per_customer": float(np.sqrt(np.mean(err ** 2))),
            "correlation": float(np.corrcoef(pred, act)[0, 1]) if act.std() > 0 else float("nan")}


def tracking(model, births, actual_counts: pd.Series, *, periods: int, weights=None) -> pd.DataFrame:
    """Actual vs expected repeat transactions per period for a cohort, and cumulative.

    Parameters
    ----------
    births : array-like
        Each customer's first purchase time in time units from the start of
        the period grid (e.g. days / 7).
    actual_counts : Series
        Repeat transactions per period index (0, 1, ...); missing periods are 0.
    periods : int
        Number of periods to tabulate.
    weights : array-like, optional
        Customers per entry of ``births`` (e.g. distinct birth times with their counts from
        :meth:`crmlab.transactions.sql.EngineSummary.birth_counts`); default one each.

    Notes
    -----
    Expected cumulative repeat purchases by time ``tau`` are
    :math:`\\sum_i E[X(\\tau - t_{0i})]` over customers born before ``tau``
    (FHL 2005, Figure 3), computed once per distinct birth time.
    """
    b = np.asarray(births, dtype=float)
    if weights is None:
        ub, cnt = np.unique(b, return_counts=True)
    else:
        ub, inv = np.unique(b, return_inverse=True)
        cnt = np.bincount(inv, weights=np.asarray(weights, dtype=float), minlength=len(ub))
    edges = np.arange(1, periods + 1, dtype=float)
    age = np.clip(edges[:, None] - ub[None, :], 0, None)
    cum_pred = (model.expected_purchases(age) * cnt[None, :]).sum(axis=1)
    act = actual_counts.reindex(range(periods), fill_value=0).to_numpy(dtype=float)
    out = pd.DataFrame({"period": np.arange(1, periods + 1), "actual": act,
                        "expected": np.diff(np.concatenate([[0.0], cum_pred])),
                        "cumulative_actual": np.cumsum(act), "cumulative_expected": cum_pred})
    return out.set_index("period")
