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

__all__ = ["midrank_thresholds", "tier_thresholds", "all_thresholds", "score_case", "tier_case", "segment_case",
           "lifecycle_case", "quantile_linear", "aggregate", "OUTPUT_COLUMNS", "LIFECYCLE_STAGES"]

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


def _midrank_sql(table: str, col: str, n: int, n_bins: int, tag: str) -> str:
    return (f"SELECT '{tag}' AS dim, s, MIN(v) AS lo FROM (" + _running(table, col) + f"""
        SELECT CAST(floor(CAST({int(n_bins)} AS DOUBLE) * (CAST(before AS DOUBLE) + CAST(e AS DOUBLE) / 2)
                          / CAST({int(n)} AS DOUBLE)) AS BIGINT) + 1 AS s, v FROM c) x GROUP BY s""")


def _midrank_rows(df: pd.DataFrame, n_bins: int, higher_is_better: bool):
    df = df.sort_values("s")
    s = np.clip(df["s"].to_numpy(), 1, n_bins)
    if not higher_is_better:
        s = n_bins + 1 - s
    return [(float(lo), int(k)) for lo, k in zip(df["lo"], s)]


def midrank_thresholds(eng, table: str, col: str, n: int, n_bins: int = 5, *, higher_is_better: bool = True):
    """``[(lowest value, score), ...]`` of :func:`crmlab.rfm.quantile_scores` for column ``col``.

    score = floor(n_bins (midrank - 1/2) / n) + 1 with midrank - 1/2 = (values below) + (ties)/2.
    """
    return _midrank_rows(eng.query(_midrank_sql(table, col, n, n_bins, col)), n_bins, higher_is_better)


def _tier_sql(table: str, col: str, n: int, shares) -> str:
    cuts = [1 - c for c in np.cumsum(shares)]  # the same doubles value_tiers compares with
    when = " ".join(f"WHEN top >= {_lit(c)} THEN {i}" for i, c in enumerate(cuts))
    return ("SELECT 'tier' AS dim, tier AS s, MIN(v) AS lo FROM (" + _running(table, col, desc=True) + f"""
        , t AS (SELECT v, CAST(1 AS DOUBLE) - (CAST(before AS DOUBLE) + CAST(e + 1 AS DOUBLE) / 2
                                            - CAST(0.5 AS DOUBLE)) / CAST({int(n)} AS DOUBLE) AS top FROM c)
        SELECT CASE {when} ELSE {len(cuts)} END AS tier, v FROM t) x GROUP BY tier""")


def tier_thresholds(eng, table: str, col: str, n: int, shares=(0.2, 0.3), labels=("high", "medium", "low")):
    """``{label: lowest value}`` of :func:`crmlab.rfm.value_tiers` (top = 1 - (descending midrank - 1/2) / n)."""
    df = eng.query(_tier_sql(table, col, n, shares))
    return {labels[int(i)]: float(lo) for i, lo in zip(df["s"], df["lo"])}


def all_thresholds(eng, table: str, n: int, n_bins: int, shares, labels) -> dict:
    """R, F, M score thresholds and value-tier thresholds of the scored table in one query."""
    sql = " UNION ALL ".join([_midrank_sql(table, "rfm_recency", n, n_bins, "R"),
                              _midrank_sql(table, "rfm_frequency", n, n_bins, "F"),
                              _midrank_sql(table, "rfm_monetary", n, n_bins, "M"), _tier_sql(table, "clv", n, shares)])
    df = eng.query(sql)
    out = {d: _midrank_rows(df[df["dim"] == d], n_bins, d != "R") for d in ("R", "F", "M")}
    t = df[df["dim"] == "tier"]
    out["tiers"] = {labels[int(i)]: float(lo) for i, lo in zip(t["s"], t["lo"])}
    return out


def score_case(col: str, thresholds) -> str:
    """``CASE`` giving each value the score of the highest threshold at or below it."""
    parts = [f"WHEN {col} >= {_lit(lo)} THEN {k}" for lo, k in sorted(thresholds, reverse=True)]
    return "CASE " + " ".join(parts) + f" ELSE {sorted(thresholds)[0][1]} END"


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
    g = eng.query(f"""SELECT GROUPING(value_tier) AS g_tier, GROUPING(segment) AS g_seg,
                             GROUPING(lifecycle) AS g_life, value_tier, segment, lifecycle, COUNT(*) AS customers,
                             SUM(clv) AS clv_total, SUM(clv_paretonbd) AS clv_total_paretonbd,
                             SUM(p_alive) AS s_p_alive, SUM(spend) AS s_spend, SUM(rfm_recency) AS s_rec,
                             SUM(CAST(rfm_frequency AS DOUBLE)) AS s_freq, SUM(rfm_monetary) AS s_mon,
                             SUM(CAST(frequency AS DOUBLE)) AS s_x, SUM(expected_purchases) AS s_ep
                      FROM {table} GROUP BY GROUPING SETS ((value_tier), (segment), (lifecycle), ())""")
    allrow = g[(g["g_tier"] == 1) & (g["g_seg"] == 1) & (g["g_life"] == 1)].iloc[0]
    totals = {"customers": int(allrow["customers"]), "clv_total": float(allrow["clv_total"]),
              "clv_mean": float(allrow["clv_total"]) / n,
              "clv_total_paretonbd": (None if pd.isna(allrow["clv_total_paretonbd"])
                                      else float(allrow["clv_total_paretonbd"])),
              "expected_purchases_total": float(allrow["s_ep"]), "p_alive_mean": float(allrow["s_p_alive"]) / n,
              "past_spend_total": float(allrow["s_spend"])}
    t = g[g["g_tier"] == 0].set_index("value_tier")
    tiers = pd.DataFrame({"customers": t["customers"], "clv_mean": t["clv_total"] / t["customers"],
                          "clv_total": t["clv_total"], "p_alive": t["s_p_alive"] / t["customers"],
                          "past_spend": t["s_spend"] / t["customers"]})
    tiers = tiers.reindex([x for x in tier_labels if x in tiers.index])
    tiers.index.name = "value_tier"
    tiers["value_share"] = tiers["clv_total"] / totals["clv_total"]
    sg = g[g["g_seg"] == 0].set_index("segment")
    segs = pd.DataFrame({"customers": sg["customers"], "recency": sg["s_rec"] / sg["customers"],
                         "frequency": sg["s_freq"] / sg["customers"], "monetary": sg["s_mon"] / sg["customers"]})
    from crmlab.rfm import SEGMENT_RULES

    order = list(dict.fromkeys(list(SEGMENT_RULES["segment"]) + ["other"]))
    segs = segs.reindex([s for s in order if s in segs.index] + [s for s in segs.index if s not in order])
    segs.index.name = "segment"
    segs["share"] = segs["customers"] / n
    lg = g[g["g_life"] == 0].set_index("lifecycle")
    life = pd.DataFrame({"customers": lg["customers"], "clv_total": lg["clv_total"],
                         "p_alive": lg["s_p_alive"] / lg["customers"], "frequency": lg["s_x"] / lg["customers"]})
    life = life.reindex(LIFECYCLE_STAGES)
    life.index.name = "lifecycle"
    life["customers"] = life["customers"].fillna(0).astype("int64")
    life["clv_total"] = life["clv_total"].fillna(0.0)
    life["value_share"] = life["clv_total"] / totals["clv_total"]
    ks = {share: int(np.ceil(share * n)) for share in (0.1, 0.2)}
    sums = ", ".join(f"""SUM(CASE WHEN before + e <= {k} THEN v * CAST(e AS DOUBLE)
                                  WHEN before < {k} THEN v * CAST({k} - before AS DOUBLE) ELSE CAST(0 AS DOUBLE) END)"""
                     for k in ks.values())
    top_sums = eng.row(_running(table, "clv", desc=True) + f"SELECT {sums} FROM c")
    conc = {f"top{int(round(share * 100))}_share": (float(v) / totals["clv_total"] if totals["clv_total"] > 0
                                                    else float("nan")) for share, v in zip(ks, top_sums)}
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
    ew = eng.query(f"""SELECT customer_id, spend, frequency, recency, "T", p_alive, clv,
                              spend * (CAST(1 AS DOUBLE) - p_alive) AS value_at_risk, value_tier, segment, lifecycle,
                              COUNT(*) OVER () AS n_all, SUM(spend * (CAST(1 AS DOUBLE) - p_alive)) OVER () AS var_all,
                              SUM(spend) OVER () AS spend_all
                       FROM {table} WHERE {cond} ORDER BY value_at_risk DESC, customer_id LIMIT {int(top)}""")
    first = ew.iloc[0] if len(ew) else None
    ew_summary = {"customers": 0 if first is None else int(first["n_all"]),
                  "value_at_risk": 0.0 if first is None else float(first["var_all"]),
                  "spend": 0.0 if first is None else float(first["spend_all"]), "spend_cut": cut}
    ew = ew.drop(columns=["n_all", "var_all", "spend_all"])
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
        preds = ["predicted_holdout_bgnbd"] + (["predicted_holdout_paretonbd"] if has_paretonbd else [])
        errs = _holdout_errors(eng, table, preds, n)
        errors = errs[0]
        if has_paretonbd:
            errors["paretonbd"] = errs[1]
    return {"totals": totals, "tiers": tiers, "segments": segs, "lifecycle": life, "concentration": conc,
            "early_warning": ew, "early_warning_summary": ew_summary, "holdout_by_frequency": by_f,
            "holdout_errors": errors}


def _holdout_errors(eng, table, preds, n) -> list[dict]:
    """:func:`crmlab.clv.holdout_errors` from engine sums (MAE, RMSE, totals, Pearson correlation)."""
    a = "CAST(frequency_holdout AS DOUBLE)"
    parts = [f"SUM({a})"]
    for p in preds:
        parts += [f"SUM({p})", f"SUM(abs({p} - {a}))", f"SUM(({p} - {a}) * ({p} - {a}))", f"SUM({p} * {p})",
                  f"SUM({p} * {a})"]
    parts.append(f"SUM({a} * {a})")
    r = [float(v) for v in eng.row(f"SELECT {', '.join(parts)} FROM {table}")]
    sa, saa = r[0], r[-1]
    out = []
    for i in range(len(preds)):
        sp, sabs, ssq, spp, spa = r[1 + 5 * i: 6 + 5 * i]
        cov = spa / n - (sa / n) * (sp / n)
        va, vp = saa / n - (sa / n) ** 2, spp / n - (sp / n) ** 2
        out.append({"actual_repeat": sa, "predicted_repeat": sp, "mae_per_customer": sabs / n,
                    "rmse_per_customer": math.sqrt(ssq / n),
                    "correlation": cov / math.sqrt(va * vp) if va > 0 and vp > 0 else float("nan")})
    return out
