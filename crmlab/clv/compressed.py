"""Fitting BG/NBD, Pareto/NBD and Gamma-Gamma on counts computed by a query engine.

Only compressed data reach the driver, so its memory does not grow with the number of
customers:

* purchase models: the number of customers per unique ``(x, t_x, T)`` (times are whole
  days in the time unit, so the number of unique rows is bounded by the calendar, not by
  the customer count);
* Gamma-Gamma: per frequency ``x`` and 5%-wide bin of total repeat spend ``s = x m_x``,
  the count, the sum of ``log m_x`` and the first eight power sums of the relative offsets
  of ``s`` from the bin centre (see :class:`GammaGammaStats`).

The tables come from an engine-resident summary (:func:`crmlab.transactions.summarize_in_engine`),
run by DuckDB or Spark with the same SQL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from crmlab.clv.bgnbd import BGNBD
from crmlab.clv.gammagamma import GammaGamma
from crmlab.clv.paretonbd import ParetoNBD
from crmlab.core.errors import DataError, ParameterError

__all__ = ["rfm_counts", "spend_stats", "GammaGammaStats", "fit_models", "SPEND_BIN_WIDTH", "SPEND_ORDER"]

#: width of the spend bins on the log scale (0.05: bins 5% wide)
SPEND_BIN_WIDTH = 0.05
#: power sums kept per bin (truncation error of log(gamma + s) below 1e-15 relative, see GammaGammaStats)
SPEND_ORDER = 8

_MODELS = {"bgnbd": BGNBD, "paretonbd": ParetoNBD}


def _by(by):
    if by is None:
        return "", "", []
    return f"{by} AS segment, ", "segment, ", ["segment"]


def rfm_counts(summary, *, by: str | None = None) -> pd.DataFrame:
    """Customers per unique ``(frequency, recency, T)`` (and ``segment``) of an engine-resident summary.

    ``by``: a column or SQL expression (DuckDB dialect) over the summary columns that names a
    segment; the counts are then per segment.
    """
    sel, grp, extra = _by(by)
    df = summary.engine.query(
        f'SELECT {sel}frequency, recency, "T", COUNT(*) AS n FROM {summary.name} '
        f'GROUP BY {grp}frequency, recency, "T" ORDER BY {grp}frequency, recency, "T"')
    return df[extra + ["frequency", "recency", "T", "n"]]


def spend_stats(summary, *, by: str | None = None, width: float = SPEND_BIN_WIDTH,
                order: int = SPEND_ORDER) -> pd.DataFrame:
    """Gamma-Gamma sufficient statistics of repeat buyers (``frequency > 0`` and ``monetary_value > 0``).

    One row per ``x`` and bin ``b = floor(log(s) / width)`` of ``s = x m_x`` with ``n``,
    ``sum_log_m`` and ``d1 .. d{order}`` (sums of ``e^k``, ``e = s / c_b - 1``,
    ``c_b = exp((b + 1/2) width)``); plus a row count of excluded repeat buyers with
    ``monetary_value <= 0`` in the frame's ``attrs["n_excluded"]``.
    """
    sel, grp, extra = _by(by)
    w = f"CAST({float(width)!r} AS DOUBLE)"
    powers = ", ".join(f"SUM({' * '.join(['e'] * k)}) AS d{k}" for k in range(1, order + 1))
    sql = f"""
    WITH r AS (SELECT {sel}frequency AS x, monetary_value AS m, monetary_value * CAST(frequency AS DOUBLE) AS s
               FROM {summary.name} WHERE frequency > 0 AND monetary_value > 0),
    b AS (SELECT {grp}x, m, s, CAST(floor(ln(s) / {w}) AS BIGINT) AS bin FROM r),
    o AS (SELECT {grp}x, bin, ln(m) AS lm, s / exp((CAST(bin AS DOUBLE) + CAST(0.5 AS DOUBLE)) * {w})
                 - CAST(1 AS DOUBLE) AS e FROM b)
    SELECT {grp}x, bin, COUNT(*) AS n, SUM(lm) AS sum_log_m, {powers} FROM o GROUP BY {grp}x, bin
    ORDER BY {grp}x, bin"""
    df = summary.engine.query(sql)
    excl = summary.engine.row(f"SELECT COUNT(*) FROM {summary.name} WHERE frequency > 0 AND monetary_value <= 0")
    df = df[extra + [c for c in df.columns if c not in extra]]
    df.attrs.update(n_excluded=int(excl[0]), width=float(width), order=int(order))
    return df


class GammaGammaStats(GammaGamma):
    r"""Gamma-Gamma fitted on binned sufficient statistics (:func:`spend_stats`) instead of customers.

    Notes
    -----
    Summed over customers, the Gamma-Gamma log-likelihood (see :class:`GammaGamma`) is

    .. math::
        \sum_i \ell_i = \sum_i [\log\Gamma(px_i+q) - \log\Gamma(px_i) - \log\Gamma(q) + q\log\gamma
            + px_i\log x_i] + \sum_i (px_i - 1)\log m_i - \sum_i (px_i+q)\log(\gamma + s_i)

    with :math:`s_i = x_i m_i`.  The first two sums need only the count and
    :math:`\sum\log m_i` per ``x``.  The last one depends on :math:`\gamma` through every
    :math:`s_i`; within a bin of centre :math:`c` with :math:`s_i = c(1+e_i)`,
    :math:`\log(\gamma+s_i) = \log(\gamma+c) + \log(1+\rho e_i)`, :math:`\rho = c/(\gamma+c) < 1`, and

    .. math::
        \sum_{i \in bin}\log(\gamma+s_i) = n\log(\gamma+c) + \sum_{k=1}^{K} \frac{(-1)^{k+1}}{k}\rho^k D_k
            + R, \quad D_k = \sum_{i \in bin} e_i^k,

    with :math:`|R| \le n |e|_{max}^{K+1}/(K+1)`.  Bins 5% wide give :math:`|e| \le 0.0254`, so with
    :math:`K = 8` the relative error of each customer's term is below :math:`10^{-15}`: the fit
    equals the customer-level fit to rounding, while the rows are bounded by (distinct x) x (bins).
    Gradients are the exact derivatives of the truncated series.
    """

    def fit_stats(self, stats: pd.DataFrame):
        """Fit on the output of :func:`spend_stats` (one segment)."""
        if len(stats) == 0 or stats["n"].sum() < 2:
            raise DataError("Gamma-Gamma needs repeat buyers with positive average spend; "
                            f"found {int(stats['n'].sum()) if len(stats) else 0}")
        width = float(stats.attrs.get("width", SPEND_BIN_WIDTH))
        dcols = sorted((c for c in stats.columns if c.startswith("d") and c[1:].isdigit()), key=lambda c: int(c[1:]))
        x = stats["x"].to_numpy(dtype=float)
        n = stats["n"].to_numpy(dtype=float)
        xs, xi = np.unique(x, return_inverse=True)
        data = {"x": x, "n": n, "xs": xs, "xi": xi, "logx": np.log(x),
                "c": np.exp((stats["bin"].to_numpy(dtype=float) + 0.5) * width),
                "sl": stats["sum_log_m"].to_numpy(dtype=float),
                "D": np.column_stack([stats[c].to_numpy(dtype=float) for c in dcols])}
        self.n_excluded_ = int(stats.attrs.get("n_excluded", 0))
        self._fit_data(data, n)
        return self

    @staticmethod
    def _log_sum(g, d):
        """Sum over a row's customers of log(gamma + s_i) and its derivative in gamma (truncated series)."""
        c, D, n = d["c"], d["D"], d["n"]
        rho = c / (g + c)
        k = np.arange(1, D.shape[1] + 1)
        rk = rho[:, None] ** k[None, :]
        sign = np.where(k % 2 == 1, 1.0, -1.0)
        lsum = n * np.log(g + c) + (sign / k * rk * D).sum(axis=1)
        dsum = (n - (sign * rk * D).sum(axis=1)) / (g + c)
        return lsum, dsum

    def _loglik(self, theta, d):
        return self._loglik_grad(theta, d)[0]

    def _grad(self, theta, d):
        return self._loglik_grad(theta, d)[1]

    def _loglik_grad(self, theta, d):
        p, q, g = theta
        xs, xi, x, n = d["xs"], d["xi"], d["x"], d["n"]
        px = p * x
        lsum, dsum = self._log_sum(g, d)
        head = (gammaln(p * xs + q) - gammaln(p * xs))[xi] - gammaln(q) + q * np.log(g) + px * d["logx"]
        rows = n * head + (px - 1) * d["sl"] - (px + q) * lsum
        gr = np.empty((len(x), 3))
        dpq = digamma(p * xs + q)[xi]
        gr[:, 0] = n * x * (dpq - digamma(p * xs)[xi] + d["logx"]) + x * d["sl"] - x * lsum
        gr[:, 1] = n * (dpq - digamma(q) + np.log(g)) - lsum
        gr[:, 2] = n * q / g - (px + q) * dsum
        return rows / n, gr / n[:, None]


def fit_models(summary, *, models=("bgnbd", "paretonbd", "gammagamma"), by: str | None = None,
               skip_failures: bool = True) -> dict:
    """Fit the purchase and spend models on engine-computed counts.

    Returns ``{"bgnbd": BGNBD, "paretonbd": ParetoNBD or None, "gammagamma": GammaGamma}``
    (a model that raised :class:`~crmlab.core.errors.ConvergenceError` is ``None`` with the error
    in ``["errors"]`` when ``skip_failures``); with ``by``, one such dict per segment value.
    The fitted models are ordinary crmlab models (``params_``, ``se_``, ``summary()``,
    predictions), fitted on data equal to the customer-level data.
    """
    from crmlab.core.errors import ConvergenceError

    unknown = [m for m in models if m not in (*_MODELS, "gammagamma")]
    if unknown:
        raise ParameterError(f"models must be among {sorted([*_MODELS, 'gammagamma'])}; got {unknown}")
    rfm = rfm_counts(summary, by=by) if any(m in _MODELS for m in models) else None
    spend = spend_stats(summary, by=by) if "gammagamma" in models else None
    segments = [None] if by is None else sorted(set(rfm["segment"] if rfm is not None else spend["segment"]))
    out = {}
    for seg in segments:
        fits, errors = {}, {}
        for name in models:
            try:
                if name == "gammagamma":
                    st = spend if seg is None else spend[spend["segment"] == seg]
                    st.attrs = spend.attrs
                    fits[name] = GammaGammaStats().fit_stats(st)
                else:
                    r = rfm if seg is None else rfm[rfm["segment"] == seg]
                    fits[name] = _MODELS[name]().fit(r["frequency"].to_numpy(), r["recency"].to_numpy(),
                                                     r["T"].to_numpy(), weights=r["n"].to_numpy(dtype=float))
            except ConvergenceError as exc:
                if not skip_failures:
                    raise
                fits[name], errors[name] = None, str(exc)
        fits["errors"] = errors
        if seg is None:
            return fits
        out[seg] = fits
    return out
