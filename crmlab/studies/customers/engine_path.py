"""Study 3 when the per-customer table stays in the engine (DuckDB or Spark; ``keep_in_engine``).

The models are fitted on compressed counts (:func:`crmlab.clv.compressed.fit_models`), every customer is
scored where the data is (:func:`crmlab.clv.scoring.score_customers`: P(alive), expected purchases, CLV,
RFM scores and segments, value tiers, lifecycle stages, the early-warning list) and written as Parquet
partitioned by value tier with pseudonymous ids; only aggregates, a systematic sample of customers for the
clustering and the top of the early-warning list reach the driver. Every number equals the driver path's
(the same rules and formulas; see the tests), except the clustering when the sample is smaller than the base.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: customers the clustering sees when the table stays in the engine (every k-th customer in id order)
CLUSTER_SAMPLE = 20_000


def fits(run):
    """The study's :class:`~crmlab.studies.customers.steps.Fits`, fitted on engine-computed counts (cached)."""
    from crmlab.clv import compressed
    from crmlab.studies.customers.records import Fits

    if "fits" not in run.cache:
        es = run.es
        f = compressed.fit_models(es)
        r = es.engine.row(f"""SELECT COUNT(*), SUM(x), SUM(m), SUM(x * x), SUM(m * m), SUM(x * m)
                              FROM (SELECT CAST(frequency AS DOUBLE) AS x, monetary_value AS m FROM {es.name}
                                    WHERE frequency > 0 AND monetary_value > 0) t""")
        n, sx, sm, sxx, smm, sxm = (float(v or 0) for v in r)
        cov, vx, vm = sxm / n - sx * sm / n ** 2, sxx / n - (sx / n) ** 2, smm / n - (sm / n) ** 2
        pearson = cov / np.sqrt(vx * vm) if n > 2 and vx > 0 and vm > 0 else float("nan")
        indep = {"pearson": float(pearson), "spearman": float("nan"), "n": int(n)}
        err = f["errors"].get("paretonbd")
        run.cache["fits"] = Fits(f["bgnbd"], f["paretonbd"], f["gammagamma"], indep,
                                 None if err is None else RuntimeError(err))
    return run.cache["fits"]


def scores(run):
    """Every customer scored in the engine (cached): a :class:`crmlab.clv.scoring.ScoreResult`; the scores are
    written to ``scores/`` of the run's output folder (Parquet by value tier, pseudonymous ids)."""
    from crmlab.clv import scoring
    from crmlab.core.results import output_dir

    if "scores" not in run.cache:
        f, st = fits(run), run.settings
        run.cache["scores"] = scoring.score_customers(
            run.es, bgnbd=f.bgnbd, gammagamma=f.gammagamma, paretonbd=f.paretonbd, horizon=st["horizon"],
            discount_rate=st["discount_rate"], out=output_dir() / "scores", warning_p_alive=st["warning_p_alive"],
            top=st.get("top", 15))
    return run.cache["scores"]


def segments(run):
    """RFM segments from the engine's scores: counts, the segment table, the share of one-time buyers and the
    frequency scores that occur."""
    from crmlab.studies.customers.records import Segments

    sc = scores(run)
    tab = sc.segments
    one = run.es.engine.row(f"SELECT AVG(CASE WHEN rfm_frequency = 1 THEN 1.0 ELSE 0.0 END) FROM {sc.table}")[0]
    f_scores = sorted({int(k) for _, k in sc.thresholds["F"]})
    return Segments(tab["customers"].astype("int64"), tab, float(one), f_scores, None)


def holdout(run, fitted):
    """The holdout check from engine sums (:class:`~crmlab.studies.customers.steps.HoldoutCheck`)."""
    from crmlab import clv
    from crmlab.studies.customers.records import HoldoutCheck

    es, sc = run.es, scores(run)
    by_f = sc.holdout_by_frequency.rename(columns={"bgnbd": "BG/NBD", "paretonbd": "Pareto/NBD"})
    errors = dict(sc.holdout_errors)
    pn_err = errors.pop("paretonbd", None)
    record = errors | ({"paretonbd": pn_err} if pn_err is not None else {})
    periods = int(np.ceil((es.holdout_end - es.start).days / es.time_unit_days))
    births = es.birth_counts()
    track = clv.tracking(fitted.bgnbd, births.index, es.period_counts, periods=periods, weights=births.to_numpy())
    if fitted.paretonbd is not None:
        pn = clv.tracking(fitted.paretonbd, births.index, es.period_counts, periods=periods,
                          weights=births.to_numpy())
        track["expected_paretonbd"] = pn["expected"]
        track["cumulative_expected_paretonbd"] = pn["cumulative_expected"]
    track = track.rename(columns={"cumulative_expected": "cumulative_expected_bgnbd", "expected": "expected_bgnbd"})
    cal_periods = (es.calibration_end - es.start).days / es.time_unit_days
    return HoldoutCheck(by_f, errors, record, track, cal_periods)


def value(run):
    """Total and mean CLV, concentration and value tiers from the engine's aggregates."""
    from crmlab.studies.customers.records import Worth

    sc = scores(run)
    t = sc.totals
    worth = Worth(None, None, dict(sc.concentration), total_=t["clv_total"], mean_=t["clv_mean"],
                  total_paretonbd_=t["clv_total_paretonbd"])
    tiers = sc.tiers.copy()
    return worth, tiers


def cluster_sample(run) -> tuple[pd.DataFrame, int | None]:
    """The clustering features (and the portrait columns) of every k-th customer in id order, at most
    :data:`CLUSTER_SAMPLE` customers; the sample size when it is a sample (None: every customer)."""
    sc, n = scores(run), run.n_customers
    k = max(1, int(np.ceil(n / CLUSTER_SAMPLE)))
    cols = ("customer_id, rfm_recency AS recency, CAST(rfm_frequency AS DOUBLE) AS frequency, "
            "rfm_monetary AS monetary, clv, p_alive, spend, expected_purchases")
    if k == 1:
        df = run.es.engine.query(f"SELECT {cols} FROM {sc.table} ORDER BY customer_id")
    else:
        df = run.es.engine.query(f"""SELECT {cols} FROM (SELECT *, row_number() OVER (ORDER BY customer_id) AS rn
                                     FROM {sc.table}) s WHERE rn % {k} = 0 ORDER BY customer_id""")
    from crmlab.core.privacy import pseudonymize

    df.index = pd.Index(pseudonymize(df.pop("customer_id")).to_numpy(), name="customer")
    return df, (len(df) if k > 1 else None)


def lifecycle(run):
    """Lifecycle stages and the early-warning list (top rows, pseudonymous ids) from the engine."""
    sc = scores(run)
    life = sc.lifecycle.copy()
    ew = sc.early_warning
    summary = dict(sc.early_warning_summary)
    return life, ew, summary
