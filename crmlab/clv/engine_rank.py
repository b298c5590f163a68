"""RFM scores, value tiers, segments, lifecycle stages and early warning computed by a query engine.

Each ranking is reduced to a few thresholds computed from the distinct values of a column
with their counts and running counts (one window over the distinct values), so the
per-customer labels are ``CASE`` expressions and the driver holds a handful of numbers.
The rules and the floating-point arithmetic are those of :func:`crmlab.rfm.quantile_scores`,
:func:`crmlab.rfm.value_tiers`, :func:`crmlab.rfm.assign_segments`, :func:`crmlab.segment.lifecycle`
and :func:`crmlab.segment.early_warning`, so the labels are identical to theirs.  All SQL is
DuckDB dialect (transpiled for Spark by :mod:`crmlab.engine`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["midrank_thresholds", "tier_thresholds", "score_case", "tier_case", "segment_case", "lifecycle_case",
           "quantile_linear", "aggregate", "OUTPUT_COLUMNS", "LIFECYCLE_STAGES"]

OUTPUT_COLUMNS = ["frequency", "recency", "T", "monetary_value", "spend", "frequency_holdout", "p_alive",
                  "p_alive_bgnbd", "p_alive_paretonbd", "expected_purchases", "expected_spend", "clv",
                  "clv_paretonbd", "predicted_holdout_bgnbd", "R", "F", "M", "RFM", "segment", "lifecycle",
                  "value_tier"]
LIFECYCLE_STAGES = ["new", "active/growing", "mature", "declining", "lapsed"]


def _lit(v: float) -> str:
    return f"CAST({float(v)!r} AS DOUBLE)"


def _s(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _running(table: str, col: str, desc: bool = False) -> str:
    order = "DESC" if desc else ""
    return (f"WITH v AS (SELECT {col} AS v, COUNT(*) AS e FROM {table} GROUP BY 1), "
            f"c AS (SELECT v, e, SUM(e) OVER (ORDER BY v {order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
            f" - e AS before FROM v) ")


def midrank_thresholds(eng, table: str, col: str, n: int, n_bins: int = 5, *, higher_is_better: bool = True):
    """``[(lowest value, score), ...]`` of :func:`crmlab.rfm.quantile_scores` for column ``col``.

    score = floor(n_bins (midrank - 1/2) / n) + 1 with midrank - 1/2 = (values below) + (ties)/2.
    """
    df = eng.query(_running(table, col) + f"""
        SELECT CAST(floor(CAST({int(n_bins)} AS DOUBLE) * (CAST(before AS DOUBLE) + CAST(e AS DOUBLE) / 2)
                          / CAST({int(n)} AS DOUBLE)) AS BIGINT) + 1 AS s, MIN(v) AS lo
        FROM c GROUP BY 1 ORDER BY 1""")
    s = np.clip(df["s"].to_numpy(), 1, n_bins)
    if not higher_is_better:
        s = n_bins + 1 - s
    return [(float(lo), int(k)) for lo, k in zip(df["lo"], s)]


def score_case(col: str, thresholds) -> str:
    """``CASE`` giving each value the score of the highest threshold at or below it."""
    parts = [f"WHEN {col} >= {_lit(lo)} THEN {k}" for lo, k in sorted(thresholds, reverse=True)]
    return "CASE " + " ".join(parts) + f" ELSE {sorted(thresholds)[0][1]} END"


def tier_thresholds(eng, table: str, col: str, n: int, shares=(0.2, 0.3), labels=("high", "medium", "low")):
    """``{label: lowest value}`` of :func:`crmlab.rfm.value_tiers` (top = 1 - (descending midrank - 1/2) / n)."""
    cuts = [1 - c for c in np.cumsum(shares)]  # the same doubles value_tiers compares with
    when = " ".join(f"WHEN top >= {_lit(c)} THEN {i}" for i, c in enumerate(cuts))
    df = eng.query(_running(table, col, desc=True) + f"""
        , t AS (SELECT v, CAST(1 AS DOUBLE) - (CAST(before AS DOUBLE) + CAST(e + 1 AS DOUBLE) / 2
                                            - CAST(0.5 AS DOUBLE)) / CAST({int(n)} AS DOUBLE) AS top FROM c)
        SELECT CASE {when} ELSE {len(cuts)} END AS tier, MIN(v) AS lo FROM t GROUP BY 1 ORDER BY 1""")
    return {labels[int(i)]: float(lo) for i, lo in zip(df["tier"], df["lo"])}


def tier_case(col: str, thresholds: dict, labels) -> str:
    parts = [f"WHEN {col} >= {_lit(thresholds[lab])} THEN {_s(lab)}" for lab in labels[:-1] if lab in thresholds]
    return "CASE " + " ".join(parts) + f" ELSE {_s(labels[-1])} END" if parts else _s(labels[-1])


def segment_case(rules=None, other: str = "other") -> str:
    """:func:`crmlab.rfm.assign_segments` as a ``CASE`` (first matching rule wins)."""
    from crmlab.rfm import SEGMENT_RULES

    rules = SEGMENT_RULES if rules is None else rules
    parts = [f'WHEN "R" BETWEEN {int(r.r_min)} AND {int(r.r_max)} AND "F" BETWEEN {int(r.f_min)} AND {int(r.f_max)} '
             f'AND "M" BETWEEN {int(r.m_min)} AND {int(r.m_max)} THEN {_s(r.segment)}'
             for r in rules.itertuples()]
    return "CASE " + " ".join(parts) + f" ELSE {_s(other)} END"


def lifecycle_case(*, new_within: float, lapsed_below: float, declining_below: float) -> str:
    """:func:`crmlab.segment.lifecycle` as a ``CASE`` (same rules, same order)."""
    return (f"CASE WHEN p_alive < {_lit(lapsed_below)} THEN 'lapsed' "
            f'WHEN "T" <= {_lit(new_within)} THEN \'new\' '
            f"WHEN p_alive < {_lit(declining_below)} OR frequency_late < frequency_early THEN 'declining' "
            f"WHEN frequency_late > frequency_early THEN 'active/growing' ELSE 'mature' END")


def quantile_linear(lower: float, upper: float, n: int, q: float) -> float:
    """``pandas.Series.quantile(q)`` (linear) given the two order statistics around its position."""
    qq = (q * 100.0) / 100  # pandas passes percentages to numpy.percentile, which divides by 100
    t = (n - 1) * qq - math.floor((n - 1) * qq)
    diff = upper - lower
    return upper - diff * (1 - t) if t >= 0.5 else lower + diff * t


def _order_stat_positions(n: int, q: float) -> tuple[int, int]:
    qq = (q * 100.0) / 100
    k = int(math.floor((n - 1) * qq))
    return k, min(k + 1, n - 1)


def aggregate(eng, table: str, *, n: int, tier_labels, warning_top_share: float, warning_p_alive: float,
              top: int, pseudo, holdout: bool, max_frequency: int, has_paretonbd: bool) -> dict:
    """Tables the study shows, computed from the scored customers in ``table``."""
    t = eng.row(f"""SELECT SUM(clv), AVG(clv), SUM(clv_paretonbd), SUM(expected_purchases), AVG(p_alive),
                           SUM(spend), COUNT(*) FROM {table}""")
    totals = {"customers": int(t[6]), "clv_total": float(t[0]), "clv_mean": float(t[1]),
              "clv_total_paretonbd": None if t[2] is None else float(t[2]),
              "expected_purchases_total": float(t[3]), "p_alive_mean": float(t[4]), "past_spend_total": float(t[5])}
    tiers = eng.query(f"""SELECT value_tier, COUNT(*) AS customers, AVG(clv) AS clv_mean, SUM(clv) AS clv_total,
                                 AVG(p_alive) AS p_alive, AVG(spend) AS past_spend FROM {table} GROUP BY 1""")
    tiers = tiers.set_index("value_tier").reindex([x for x in tier_labels if x in set(tiers["value_tier"])])
    tiers["value_share"] = tiers["clv_total"] / totals["clv_total"]
    segs = eng.query(f"""SELECT segment, COUNT(*) AS customers, AVG(rfm_recency) AS recency,
                                AVG(CAST(rfm_frequency AS DOUBLE)) AS frequency, AVG(rfm_monetary) AS monetary
                         FROM {table} GROUP BY 1""").set_index("segment")
    from crmlab.rfm import SEGMENT_RULES

    order = list(dict.fromkeys(list(SEGMENT_RULES["segment"]) + ["other"]))
    segs = segs.reindex([s for s in order if s in segs.index] + [s for s in segs.index if s not in order])
    segs["share"] = segs["customers"] / n
    life = eng.query(f"""SELECT lifecycle, COUNT(*) AS customers, SUM(clv) AS clv_total, AVG(p_alive) AS p_alive,
                                AVG(CAST(frequency AS DOUBLE)) AS frequency FROM {table} GROUP BY 1""")
    life = life.set_index("lifecycle").reindex(LIFECYCLE_STAGES)
    life["customers"] = life["customers"].fillna(0).astype("int64")
    life["clv_total"] = life["clv_total"].fillna(0.0)
    life["value_share"] = life["clv_total"] / totals["clv_total"]
    conc = {}
    for share in (0.1, 0.2):
        k = int(np.ceil(share * n))
        s = eng.row(_running(table, "clv", desc=True) + f"""
            SELECT SUM(CASE WHEN before + e <= {k} THEN v * CAST(e AS DOUBLE)
                            WHEN before < {k} THEN v * CAST({k} - before AS DOUBLE) ELSE CAST(0 AS DOUBLE) END)
            FROM c""")[0]
        conc[f"top{int(round(share * 100))}_share"] = float(s) / totals["clv_total"] if totals["clv_total"] > 0 \
            else float("nan")
    # early warning: spend at or above its (1 - top_share) quantile and P(alive) below the threshold
    q = 1 - warning_top_share
    k0, k1 = _order_stat_positions(n, q)
    st = eng.query(_running(table, "spend") + f"SELECT v, before, e FROM c WHERE before <= {k1} AND before + e > {k0}")
    vals = {}
    for v, b, e in st.itertuples(index=False):
        for k in (k0, k1):
            if b <= k < b + e:
                vals[k] = float(v)
    cut = quantile_linear(vals[k0], vals[k1], n, q)
    cond = f"spend >= {_lit(cut)} AND p_alive < {_lit(warning_p_alive)}"
    w = eng.row(f"SELECT COUNT(*), SUM(spend * (CAST(1 AS DOUBLE) - p_alive)), SUM(spend) FROM {table} WHERE {cond}")
    ew_summary = {"customers": int(w[0]), "value_at_risk": float(w[1] or 0.0), "spend": float(w[2] or 0.0),
                  "spend_cut": cut}
    ew = eng.query(f"""SELECT customer_id, spend, frequency, recency, "T", p_alive, clv,
                              spend * (CAST(1 AS DOUBLE) - p_alive) AS value_at_risk, value_tier, segment, lifecycle
                       FROM {table} WHERE {cond} ORDER BY value_at_risk DESC, customer_id LIMIT {int(top)}""")
    ew.index = pd.Index(pseudo(ew.pop("customer_id")).to_numpy(), name="customer")
    by_f = errors = None
    if holdout:
        pn_cols = ", AVG(predicted_holdout_paretonbd) AS paretonbd" if has_paretonbd else ""
        by_f = eng.query(f"""SELECT LEAST(frequency, {int(max_frequency)}) AS grp, COUNT(*) AS customers,
                                    AVG(CAST(frequency_holdout AS DOUBLE)) AS actual,
                                    AVG(predicted_holdout_bgnbd) AS bgnbd{pn_cols}
                             FROM {table} GROUP BY 1 ORDER BY 1""")
        by_f.index = [f"{g}+" if g == max_frequency else str(g) for g in by_f.pop("grp")]
        by_f.index.name = "calibration_frequency"
        errors = _holdout_errors(eng, table, "predicted_holdout_bgnbd", n)
        if has_paretonbd:
            errors["paretonbd"] = _holdout_errors(eng, table, "predicted_holdout_paretonbd", n)
    return {"totals": totals, "tiers": tiers, "segments": segs, "lifecycle": life, "concentration": conc,
            "early_warning": ew, "early_warning_summary": ew_summary, "holdout_by_frequency": by_f,
            "holdout_errors": errors}


def _holdout_errors(eng, table, pred, n) -> dict:
    """:func:`crmlab.clv.holdout_errors` from engine sums (MAE, RMSE, totals, Pearson correlation)."""
    a = "CAST(frequency_holdout AS DOUBLE)"
    r = eng.row(f"""SELECT SUM({a}), SUM({pred}), SUM(abs({pred} - {a})), SUM(({pred} - {a}) * ({pred} - {a})),
                           SUM({pred} * {pred}), SUM({a} * {a}), SUM({pred} * {a}) FROM {table}""")
    sa, sp, sabs, ssq, spp, saa, spa = (float(v) for v in r)
    cov = spa / n - (sa / n) * (sp / n)
    va, vp = saa / n - (sa / n) ** 2, spp / n - (sp / n) ** 2
    return {"actual_repeat": sa, "predicted_repeat": sp, "mae_per_customer": sabs / n,
            "rmse_per_customer": math.sqrt(ssq / n),
            "correlation": cov / math.sqrt(va * vp) if va > 0 and vp > 0 else float("nan")}
