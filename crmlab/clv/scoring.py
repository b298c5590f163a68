"""Scoring every customer where the data is: P(alive), expected purchases, spend and discounted CLV.

The purchase-model quantities depend on a customer only through ``(x, t_x, T)``, so they are
computed once per unique row of the engine-resident summary by a pandas function run by the
engine (Spark ``mapInPandas``; DuckDB Arrow batches) with the fitted models shipped to the
workers, then joined back to every customer.  Gamma-Gamma spend and CLV
(``margin * E(M) * discounted purchases``) are one SQL expression per customer.  RFM scores,
named segments, value tiers, lifecycle stages and the early-warning list are computed by the
engine too (:mod:`crmlab.clv.engine_rank`); the scores are written as Parquet partitioned by
value tier, with pseudonymous ids (:func:`crmlab.core.privacy.pseudonymize`, same keyed hash).
Only aggregates and the top of the early-warning list come back to the driver.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.clv import engine_rank as rank
from crmlab.clv.value import customer_value
from crmlab.core.errors import ParameterError

__all__ = ["score_customers", "ScoreResult", "pseudonym_function", "KEY_COLUMNS"]

KEY_COLUMNS = ("frequency", "recency", "T")


class _UnitSpend:
    """Spend model with E(M) = 1: ``customer_value`` then returns the discounted expected purchases."""

    @staticmethod
    def conditional_expected_spend(frequency, monetary_value):
        return np.ones(len(np.asarray(frequency)))


def _key_scores(batch: pd.DataFrame, bg, pn, *, horizon, discount_rate, time_unit_days, step, duration):
    """Purchase-model scores of unique (x, t_x, T) rows (runs on the workers)."""
    x, tx, T = (batch[c].to_numpy(dtype=float) for c in KEY_COLUMNS)
    out = batch[list(KEY_COLUMNS)].copy()
    unit = _UnitSpend()
    out["p_alive_bgnbd"] = bg.p_alive(x, tx, T)
    out["expected_purchases"] = bg.conditional_expected_purchases(horizon, x, tx, T)
    out["value_bgnbd"] = customer_value(bg, unit, x, tx, T, x, horizon=horizon, discount_rate=discount_rate,
                                        time_unit_days=time_unit_days, step=step)
    out["predicted_holdout_bgnbd"] = (bg.conditional_expected_purchases(duration, x, tx, T) if duration > 0
                                      else np.zeros(len(x)))
    if pn is not None:
        out["p_alive_paretonbd"] = pn.p_alive(x, tx, T)
        out["value_paretonbd"] = customer_value(pn, unit, x, tx, T, x, horizon=horizon,
                                                discount_rate=discount_rate, time_unit_days=time_unit_days, step=step)
        out["predicted_holdout_paretonbd"] = (pn.conditional_expected_purchases(duration, x, tx, T)
                                              if duration > 0 else np.zeros(len(x)))
    return out


_KEY_SCHEMA = {"frequency": "BIGINT", "recency": "DOUBLE", "T": "DOUBLE", "p_alive_bgnbd": "DOUBLE",
               "expected_purchases": "DOUBLE", "value_bgnbd": "DOUBLE", "predicted_holdout_bgnbd": "DOUBLE"}
_PN_COLUMNS = ("p_alive_paretonbd", "value_paretonbd", "predicted_holdout_paretonbd")


def pseudonym_function(*, prefix: str = "c_", length: int = 12):
    """A vectorised ``Series -> Series`` of keyed-hash pseudonyms, equal to :func:`crmlab.core.privacy.pseudonymize`.

    The key is read once on the driver and travels inside the function (never in SQL text,
    plans or logs).
    """
    from crmlab.core import privacy

    key = privacy._key()

    def pseudo(ids: pd.Series) -> pd.Series:
        text = ids.astype(str)
        return pd.Series([prefix + hmac.new(key, t.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
                          for t in text], index=ids.index, dtype=object)

    return pseudo


def _lit(v: float) -> str:
    return f"CAST({float(v)!r} AS DOUBLE)"


@dataclass
class ScoreResult:
    """Aggregates of the scored customers (the per-customer scores are in ``path`` and engine table ``table``)."""

    totals: dict
    tiers: pd.DataFrame
    segments: pd.DataFrame
    lifecycle: pd.DataFrame
    concentration: dict
    early_warning: pd.DataFrame
    early_warning_summary: dict
    holdout_by_frequency: pd.DataFrame | None
    holdout_errors: dict | None
    thresholds: dict
    table: str
    path: str | None = None
    columns: list = field(default_factory=list)


def score_customers(summary, *, bgnbd, gammagamma, paretonbd=None, horizon: float, discount_rate: float,
                    margin: float = 1.0, step: float = 1.0, out=None, n_bins: int = 5, segment_rules=None,
                    tier_shares=(0.2, 0.3), tier_labels=("high", "medium", "low"), warning_top_share: float = 0.2,
                    warning_p_alive: float = 0.5, top: int = 15, new_within: float | None = None,
                    lapsed_below: float = 0.3, declining_below: float = 0.7, max_frequency: int = 7) -> ScoreResult:
    """Score every customer of an engine-resident summary and aggregate the scores in the engine.

    Parameters
    ----------
    summary : EngineSummary
        From :func:`crmlab.transactions.summarize_in_engine`.
    bgnbd, gammagamma, paretonbd : fitted models
        E.g. from :func:`crmlab.clv.compressed.fit_models`.  CLV uses the BG/NBD (``clv``) and,
        when given, the Pareto/NBD (``clv_paretonbd``); ``p_alive`` is the Pareto/NBD's when
        given (it does not set P(alive) = 1 for one-time buyers), else the BG/NBD's.
    horizon, discount_rate, margin, step
        As in :func:`crmlab.clv.customer_value` (time units; annual rate).
    out : path, optional
        Folder for the per-customer scores, Parquet partitioned by ``value_tier``, ids replaced
        by pseudonyms (column ``customer``).
    n_bins, segment_rules
        RFM scores 1..n_bins and the rule table (default :data:`crmlab.rfm.SEGMENT_RULES`).
    tier_shares, tier_labels
        Value tiers on CLV as :func:`crmlab.rfm.value_tiers`.
    warning_top_share, warning_p_alive, top
        Early warning as :func:`crmlab.segment.early_warning` on past spend; ``top`` rows return.
    new_within, lapsed_below, declining_below
        Lifecycle rules as :func:`crmlab.segment.lifecycle` (``new_within`` default: 13 weeks).
    max_frequency
        Pooling of :func:`crmlab.clv.holdout_by_frequency`.

    Returns
    -------
    ScoreResult

    Notes
    -----
    Per customer, ``expected_spend = p (gamma + x m_x) / (p x + q - 1)`` (Gamma-Gamma) and
    ``clv = margin * expected_spend * V(x, t_x, T)`` with ``V`` the discounted expected purchases
    of :func:`crmlab.clv.customer_value` (which factorises the same way), so every number equals
    the customer-level functions of :mod:`crmlab.clv`, :mod:`crmlab.rfm` and :mod:`crmlab.segment`.
    """
    if horizon <= 0:
        raise ParameterError(f"horizon must be positive; got {horizon}")
    eng, unit = summary.engine, summary.time_unit_days
    new_within = 13 * 7 / unit if new_within is None else new_within
    duration = 0.0 if summary.holdout_end is None else (summary.holdout_end - summary.calibration_end).days / unit
    keys, kscores, base, scored = (summary.temp(w) for w in ("keys", "kscores", "base", "scores"))
    eng.table(keys, f'SELECT frequency, recency, "T", COUNT(*) AS n FROM {summary.name} GROUP BY 1, 2, 3')
    bg, pn = bgnbd, paretonbd
    kw = dict(horizon=horizon, discount_rate=discount_rate, time_unit_days=unit, step=step, duration=duration)

    def fn(batch):
        return _key_scores(batch, bg, pn, **kw)

    schema = dict(_KEY_SCHEMA, **({c: "DOUBLE" for c in _PN_COLUMNS} if pn is not None else {}))
    eng.map_batches(kscores, f'SELECT frequency, recency, "T" FROM {keys}', fn, schema)
    pn_cols = ", ".join(f"k.{c}" if pn is not None else f"CAST(NULL AS DOUBLE) AS {c}" for c in _PN_COLUMNS)
    p, q, g = (float(v) for v in gammagamma.params_)
    spend = (f"{_lit(p)} * ({_lit(g)} + CAST(s.frequency AS DOUBLE) * CASE WHEN s.frequency > 0 "
             f"THEN s.monetary_value ELSE CAST(0 AS DOUBLE) END) / ({_lit(p)} * CAST(s.frequency AS DOUBLE) "
             f"+ {_lit(q)} - CAST(1 AS DOUBLE))")
    eng.view(base, f"""
        SELECT s.*, {spend} AS expected_spend, k.p_alive_bgnbd, {pn_cols},
               {"k.p_alive_paretonbd" if pn is not None else "k.p_alive_bgnbd"} AS p_alive, k.expected_purchases,
               k.value_bgnbd, k.predicted_holdout_bgnbd,
               s."T" - s.recency AS rfm_recency, s.frequency + 1 AS rfm_frequency,
               s.spend / CAST(s.frequency + 1 AS DOUBLE) AS rfm_monetary
        FROM {summary.name} s JOIN {kscores} k
          ON s.frequency = k.frequency AND s.recency = k.recency AND s."T" = k."T" """)
    m = _lit(margin)
    eng.view(scored + "_v", f"""SELECT *, {m} * expected_spend * value_bgnbd AS clv,
                                {m} * expected_spend * value_paretonbd AS clv_paretonbd FROM {base}""")
    n = summary.n_customers
    thr = rank.all_thresholds(eng, scored + "_v", n, n_bins, tier_shares, tier_labels)
    tiers = thr.pop("tiers")
    rules = rank.segment_case(segment_rules)
    life = rank.lifecycle_case(new_within=new_within, lapsed_below=lapsed_below, declining_below=declining_below)
    eng.table(scored, f"""
        WITH r AS (SELECT *, {rank.score_case("rfm_recency", thr["R"])} AS "R",
                             {rank.score_case("rfm_frequency", thr["F"])} AS "F",
                             {rank.score_case("rfm_monetary", thr["M"])} AS "M",
                             {rank.tier_case("clv", tiers, tier_labels)} AS value_tier, {life} AS lifecycle
                   FROM {scored}_v)
        SELECT *, CAST("R" AS VARCHAR) || CAST("F" AS VARCHAR) || CAST("M" AS VARCHAR) AS "RFM",
               {rules} AS segment FROM r""")
    res = rank.aggregate(eng, scored, n=n, tier_labels=tier_labels, warning_top_share=warning_top_share,
                         warning_p_alive=warning_p_alive, top=top, pseudo=pseudonym_function(),
                         holdout=summary.holdout_end is not None, max_frequency=max_frequency,
                         has_paretonbd=pn is not None)
    cols = rank.OUTPUT_COLUMNS
    path = None
    if out is not None:
        eng.register_udf("crm_pseudonym", pseudonym_function(), "VARCHAR")
        # str(id) in pseudonymize = CAST(id AS VARCHAR) for whole-number and text ids
        listed = ", ".join(_q(c) for c in cols)
        eng.write_parquet(f"SELECT crm_pseudonym(CAST(customer_id AS VARCHAR)) AS customer, {listed} FROM {scored}",
                          out, partition_by=("value_tier",))
        path = str(out)
    return ScoreResult(thresholds={**thr, "tiers": tiers}, table=scored, path=path, columns=["customer", *cols],
                       **res)


def _q(c: str) -> str:
    return f'"{c}"'

