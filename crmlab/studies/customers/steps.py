"""Steps of the segmentation and CLV study between estimator calls: the tables it builds, the
rules it applies (time-unit names, the range of k, the competing clustering method, the "new
customer" window) and the dictionaries it records in ``results.json``.

Each section of the notebook calls one function here with the section-1 :class:`.data.Run`; it works on
the per-customer table on the driver, or, when the table stays in the engine, through
:mod:`.engine_path` (aggregates and a sample only). Everything here is language-free; words are in
:mod:`.text`, :mod:`.sentences`, :mod:`.findings` and :mod:`.tables`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab import clv, rfm, segment
from crmlab.core.errors import ParameterError
from crmlab.studies.customers.records import Fits, HoldoutCheck, Segments, Worth

#: time-unit parameter -> English singular (names the early-warning column ``<unit>s_since_last``);
#: the accepted names are those of :func:`crmlab.transactions.summarize`; a number of days is a "unit"
UNIT_NAMES = {"weeks": "week", "W": "week", "week": "week", "days": "day", "D": "day", "day": "day",
              "months": "month", "M": "month", "month": "month"}

#: clustering features (log-transformed and standardised by :func:`crmlab.segment.behaviour_features`)
FEATURES = ("recency", "frequency", "monetary", "clv", "p_alive")
#: portrait columns shown side by side in the portrait figure
PORTRAIT_COLUMNS = ("share", "recency", "frequency", "monetary", "clv", "p_alive", "value_share")
#: a customer whose first purchase is at most this many weeks before the end of calibration is "new"
NEW_WITHIN_WEEKS = 13
#: customers of the early-warning list shown in the report (the saved table has all)
EARLY_WARNING_SHOWN = 15


def unit_name(time_unit) -> str:
    """English singular of a time-unit parameter: ``"weeks"``/``"W"``/``"week"`` -> ``"week"``; a number -> ``"unit"``.

    >>> unit_name("weeks"), unit_name("M"), unit_name(3.5)
    ('week', 'month', 'unit')
    """
    return UNIT_NAMES.get(time_unit, "unit") if isinstance(time_unit, str) else "unit"


# -- 1. customer summary ------------------------------------------------------------------------

def summary_record(summary) -> dict:
    """``results.json["summary"]``: customers, repeaters and transactions of a customer summary
    (:class:`crmlab.transactions.CustomerSummary` or :class:`.data.Run`), and ``data_rules``: what each data
    rule did (rows counted per rule, zeros included)."""
    from crmlab.transactions.common import REPORT_RULES

    rep = summary.report
    return {"customers": rep["customers"], "repeaters": rep["repeaters"],
            "transactions": rep["transactions_calibration"],
            "repeat_transactions": rep["repeat_transactions_calibration"],
            "holdout_transactions": rep["transactions_holdout"],
            "data_rules": {k: int(rep[k]) for k in REPORT_RULES if k in rep}}


#: summary columns described in section 1 (the discrete-time and attribute columns are not)
DESCRIBED = ("frequency", "recency", "T", "monetary_value", "spend", "frequency_early", "frequency_late",
             "frequency_holdout", "spend_holdout", "duration_holdout")


def describe_customers(table) -> pd.DataFrame:
    """Distribution of each numeric measure of the customer summary across customers (one row per measure).

    ``table`` is the per-customer table or a :class:`.data.Run` (in the engine: count, mean, SD, min and max
    computed there)."""
    if hasattr(table, "in_engine"):
        if not table.in_engine:
            return describe_customers(table.table)
        es = table.es
        parts = ", ".join(f'COUNT("{c}") AS m{i}_count, AVG(CAST("{c}" AS DOUBLE)) AS m{i}_mean, '
                          f'stddev_samp(CAST("{c}" AS DOUBLE)) AS m{i}_std, MIN("{c}") AS m{i}_min, '
                          f'MAX("{c}") AS m{i}_max' for i, c in enumerate(DESCRIBED))
        row = es.engine.query(f"SELECT {parts} FROM {es.name}").iloc[0]
        stats = ("count", "mean", "std", "min", "max")
        return pd.DataFrame([[row[f"m{i}_{s}"] for s in stats] for i in range(len(DESCRIBED))],
                            index=list(DESCRIBED), columns=list(stats)).astype(float)
    cols = [c for c in DESCRIBED if c in table.columns]
    return table[cols].describe().T


# -- 2. RFM -------------------------------------------------------------------------------------

def rfm_segments(table: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """RFM values, scores (:func:`crmlab.rfm.rfm_table`) and the named ``segment`` of each customer."""
    out = rfm.rfm_table(table)
    out["segment"] = rfm.assign_segments(out, rules)
    return out


def segment_counts(rfm_table: pd.DataFrame) -> pd.Series:
    """Customers per RFM segment in rule order, segments without customers left out."""
    seg = rfm_table["segment"]
    counts = seg.value_counts().reindex(seg.cat.categories, fill_value=0)
    return counts[counts > 0]


def segment_table(rfm_table: pd.DataFrame) -> pd.DataFrame:
    """Per segment: customers, mean recency, frequency and monetary value, and the share of customers."""
    tab = rfm_table.groupby("segment", observed=True).agg(
        customers=("R", "size"), recency=("recency", "mean"), frequency=("frequency", "mean"),
        monetary=("monetary", "mean"))
    tab["share"] = tab["customers"] / len(rfm_table)
    return tab


def segments(run) -> Segments:
    """Section 2 from the section-1 :class:`.data.Run` (RFM scores and named segments)."""
    if run.in_engine:
        from crmlab.studies.customers import engine_path

        return engine_path.segments(run)
    R = rfm_segments(run.table)
    return Segments(segment_counts(R), segment_table(R), float((R["frequency"] == 1).mean()),
                    sorted(int(s) for s in R["F"].unique()), R)


def counts_record(counts: pd.Series) -> dict:
    """A count per label for ``results.json`` (labels as strings, counts as ints, in the order given)."""
    return {str(k): int(v) for k, v in counts.items()}


# -- 3. purchase and spend models ----------------------------------------------------------------

def fit_models(table: pd.DataFrame) -> Fits:
    """Fit BG/NBD, Pareto/NBD and Gamma-Gamma to a customer summary.

    A Pareto/NBD that does not converge is left out (``paretonbd=None``, the error in ``pareto_error``):
    the study goes on with the BG/NBD. Gamma-Gamma is fitted on repeat buyers with positive spend.
    """
    f, r, T, m = table["frequency"], table["recency"], table["T"], table["monetary_value"]
    bg = clv.BGNBD().fit(f, r, T)
    try:
        pn, error = clv.ParetoNBD().fit(f, r, T), None
    except clv.ConvergenceError as exc:
        pn, error = None, exc
    repeat = (f > 0) & (m > 0)
    gg = clv.GammaGamma().fit(f[repeat], m[repeat])
    return Fits(bg, pn, gg, clv.independence_check(f, m), error)


def models(run) -> Fits:
    """Section 3 from the section-1 :class:`.data.Run`: customer-level fits, or fits on engine counts."""
    if run.in_engine:
        from crmlab.studies.customers import engine_path

        return engine_path.fits(run)
    return fit_models(run.table)


def model_records(fits: Fits) -> dict[str, dict]:
    """``results.json`` entries of the models: parameters, log-likelihood and standard errors by results key."""
    out = {}
    for key, model in fits.purchase_models.items():
        out[key] = {**{k: float(v) for k, v in model.params_.items()}, "loglik": model.loglik_,
                    "se": {k: float(v) for k, v in model.se_.items()}}
    gg = fits.gammagamma
    out["gammagamma"] = {**{k: float(v) for k, v in gg.params_.items()}, "loglik": gg.loglik_,
                         "customers": gg.n_customers_, "independence_pearson": fits.independence["pearson"]}
    return out


def parameter_table(fits: Fits, level: float = 0.95) -> pd.DataFrame:
    """Every model's :meth:`summary` stacked (index ``model, parameter``; ``estimate, se, ci_low, ci_high``)."""
    models = [m for m in (fits.bgnbd, fits.paretonbd, fits.gammagamma) if m is not None]
    return pd.concat({m.model_name: m.summary(level) for m in models}, names=["model"])


# -- 4. holdout ---------------------------------------------------------------------------------

#: ``results.json["holdout"]`` when there is no holdout period
NO_HOLDOUT = {"actual_repeat": None, "predicted_repeat": None, "mae_per_customer": None}


def holdout(fits: Fits, run) -> HoldoutCheck | None:
    """Section 4 from the section-1 :class:`.data.Run` (None without a holdout period)."""
    if run.holdout_end is None:
        return None
    if run.in_engine:
        from crmlab.studies.customers import engine_path

        return engine_path.holdout(run, fits)
    return holdout_check(fits, run.summary)


def holdout_check(fits: Fits, summary) -> HoldoutCheck:
    """Conditional expectations by calibration frequency, error metrics and the cohort's tracking table.

    ``summary`` is a :class:`~crmlab.transactions.CustomerSummary` with a holdout period.
    """
    S, bg, pn = summary.table, fits.bgnbd, fits.paretonbd
    if summary.holdout_end is None:
        raise ParameterError("the holdout check needs a holdout period (holdout_end)")
    by_f = clv.holdout_by_frequency(bg, S).rename(columns={"predicted": "BG/NBD"})
    if pn is not None:
        by_f["Pareto/NBD"] = clv.holdout_by_frequency(pn, S)["predicted"]
    err = clv.holdout_errors(bg, S)
    record = err | ({"paretonbd": clv.holdout_errors(pn, S)} if pn is not None else {})
    periods = int(np.ceil((summary.holdout_end - summary.start).days / summary.time_unit_days))
    track = clv.tracking(bg, summary.births(), summary.period_counts, periods=periods)
    if pn is not None:
        track_pn = clv.tracking(pn, summary.births(), summary.period_counts, periods=periods)
        track["expected_paretonbd"] = track_pn["expected"]
        track["cumulative_expected_paretonbd"] = track_pn["cumulative_expected"]
    track = track.rename(columns={"cumulative_expected": "cumulative_expected_bgnbd", "expected": "expected_bgnbd"})
    cal_periods = (summary.calibration_end - summary.start).days / summary.time_unit_days
    return HoldoutCheck(by_f, err, record, track, cal_periods)


# -- 5. customer lifetime value -----------------------------------------------------------------

def customer_worth(fits: Fits, table: pd.DataFrame, *, horizon: float, discount_rate: float,
                   time_unit_days: float) -> Worth:
    """Discounted CLV of every customer over ``horizon`` time units (:func:`crmlab.clv.customer_value`)."""
    f, r, T, m = table["frequency"], table["recency"], table["T"], table["monetary_value"]
    kw = dict(horizon=horizon, discount_rate=discount_rate, time_unit_days=time_unit_days)
    value = clv.customer_value(fits.bgnbd, fits.gammagamma, f, r, T, m, **kw)
    value_pn = None if fits.paretonbd is None else clv.customer_value(fits.paretonbd, fits.gammagamma, f, r, T, m,
                                                                       **kw)
    return Worth(value, value_pn, clv.concentration(value, (0.1, 0.2)))


def score_customers(fits: Fits, table: pd.DataFrame, worth: Worth, *, horizon: float) -> pd.DataFrame:
    """The customer summary with ``clv``, ``p_alive_bgnbd``, ``p_alive``, ``expected_purchases`` and ``value_tier``.

    ``p_alive`` comes from the Pareto/NBD when it was fitted (the BG/NBD gives P(alive) = 1 to every
    customer without repeat purchases), from the BG/NBD otherwise; ``expected_purchases`` are the BG/NBD's
    over ``horizon``; tiers by :func:`crmlab.rfm.value_tiers` on CLV.
    """
    f, r, T = table["frequency"], table["recency"], table["T"]
    bg, pn = fits.bgnbd, fits.paretonbd
    out = table.assign(clv=worth.value, p_alive_bgnbd=bg.p_alive(f, r, T),
                       p_alive=(pn.p_alive(f, r, T) if pn is not None else bg.p_alive(f, r, T)),
                       expected_purchases=bg.conditional_expected_purchases(horizon, f, r, T))
    out["value_tier"] = rfm.value_tiers(out["clv"])
    return out


def tier_table(scored: pd.DataFrame, worth: Worth) -> pd.DataFrame:
    """Per value tier: customers, mean and total CLV, mean P(alive), mean past spend, share of total value."""
    tiers = scored.groupby("value_tier", observed=True).agg(
        customers=("clv", "size"), clv_mean=("clv", "mean"), clv_total=("clv", "sum"), p_alive=("p_alive", "mean"),
        past_spend=("spend", "mean"))
    tiers["value_share"] = tiers["clv_total"] / worth.value.sum()
    return tiers


def clv_record(worth: Worth, tiers: pd.DataFrame, *, horizon: float, discount_rate: float, interval=None,
               level: float = 0.95) -> dict:
    """``results.json["clv"]``: total and mean value, concentration, the Pareto/NBD total, settings and tier sizes;
    with ``interval`` (:func:`crmlab.clv.clv_interval`), the total's interval ``ci_low``/``ci_high``, the top-20%
    share's ``top20_share_ci_low``/``top20_share_ci_high``, ``interval_draws`` and ``interval_level``."""
    rec = {"total": worth.total, "mean": worth.mean, **worth.concentration,
           "total_paretonbd": worth.total_paretonbd, "horizon": horizon, "discount_rate": discount_rate,
           "tiers": counts_record(tiers["customers"])}
    if interval is not None:
        tab = interval.summary
        rec.update(ci_low=float(tab.loc["total", "ci_low"]), ci_high=float(tab.loc["total", "ci_high"]),
                   top20_share_ci_low=float(tab.loc["top20_share", "ci_low"]),
                   top20_share_ci_high=float(tab.loc["top20_share", "ci_high"]),
                   interval_draws=int(interval.info["draws"]), interval_level=level)
    else:
        rec.update(ci_low=None, ci_high=None, top20_share_ci_low=None, top20_share_ci_high=None, interval_draws=0,
                   interval_level=level)
    return rec


@dataclass
class Value:
    """Section 5: the customers' worth, the value tiers, the scored customers (driver path), the CLV interval
    (None without draws or in the engine) and ``results.json["clv"]``."""

    worth: Worth
    tiers: pd.DataFrame
    scored: pd.DataFrame | None
    interval: object | None
    record: dict


def value(run, fits: Fits, *, horizon: float, discount_rate: float, draws: int = 1000, seed=0,
          level: float = 0.95) -> Value:
    """Section 5 from the section-1 :class:`.data.Run`: discounted CLV of every customer over ``horizon``, the
    tiers and, with ``draws`` >= 20, the parameter-uncertainty interval of the total and of the top-20% share
    (:func:`crmlab.clv.clv_interval`, BG/NBD + Gamma-Gamma, ``draws`` parameter draws)."""
    from crmlab.core.errors import ParameterError

    if draws and draws < 20:
        raise ParameterError(f"interval_draws must be 0 (no interval) or at least 20; got {draws}")
    if run.in_engine:
        from crmlab.studies.customers import engine_path

        worth, tiers = engine_path.value(run)
        return Value(worth, tiers, None, None, clv_record(worth, tiers, horizon=horizon, discount_rate=discount_rate,
                                                             level=level))
    S = run.table
    worth = customer_worth(fits, S, horizon=horizon, discount_rate=discount_rate, time_unit_days=run.time_unit_days)
    scored = score_customers(fits, S, worth, horizon=horizon)
    tiers = tier_table(scored, worth)
    interval = None
    if draws:
        interval = clv.clv_interval(fits.bgnbd, fits.gammagamma, S["frequency"], S["recency"], S["T"],
                                    S["monetary_value"], horizon=horizon, discount_rate=discount_rate,
                                    time_unit_days=run.time_unit_days, draws=int(draws), level=level, seed=seed)
        scored["clv_ci_low"] = interval.customers["ci_low"].to_numpy()
        scored["clv_ci_high"] = interval.customers["ci_high"].to_numpy()
    return Value(worth, tiers, scored, interval, clv_record(worth, tiers, horizon=horizon,
                                                              discount_rate=discount_rate, interval=interval,
                                                              level=level))


# -- 6. clustering ------------------------------------------------------------------------------

def k_range(k_max: int) -> range:
    """Candidate numbers of clusters: 2 .. max(3, k_max)."""
    return range(2, max(3, int(k_max)) + 1)


def n_clusters(n_segments):
    """The ``n_segments`` parameter as :class:`crmlab.segment.Clustering` takes it: ``"auto"`` or an int."""
    return "auto" if str(n_segments) == "auto" else int(n_segments)


def other_method(method: str) -> str:
    """The clustering method the study compares with ``method`` (k-means <-> Gaussian mixture)."""
    if method not in segment.METHODS:
        raise ParameterError(f"cluster_method must be one of {sorted(segment.METHODS)}; got {method!r}")
    return "gmm" if method == "kmeans" else "kmeans"


def cluster_features(rfm_table: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """RFM recency, frequency and monetary value with CLV and P(alive), one row per customer."""
    return rfm_table[["recency", "frequency", "monetary"]].join(scored[["clv", "p_alive"]])


@dataclass
class Alternative:
    """What the other clustering method would choose: its method, :func:`~crmlab.segment.select_k` table and k."""

    method: str
    selection: pd.DataFrame
    k: int


def alternative(X: pd.DataFrame, method: str, *, k_max: int, seed) -> Alternative:
    """Select k with the method that is not ``method`` (:func:`other_method`), by :func:`crmlab.segment.best_k`."""
    other = other_method(method)
    sel = segment.select_k(X, method=other, k_range=k_range(k_max), seed=seed)
    return Alternative(other, sel, segment.best_k(sel, other))


def cluster_record(clustering, ari: pd.Series, alt: Alternative) -> dict:
    """``results.json["clusters"]``: k, silhouette, method, the other method's k, stability and cluster sizes."""
    return {"k": clustering.k_, "silhouette": clustering.silhouette_, "method": clustering.method,
            f"k_{alt.method}": alt.k, "stability_ari_mean": float(ari.mean()), "stability_ari_min": float(ari.min()),
            "sizes": counts_record(clustering.labels_.value_counts().sort_index())}


def selection_table(clustering, alt: Alternative) -> pd.DataFrame:
    """The fitted method's k-selection table beside the other method's (columns suffixed ``_<method>``)."""
    return clustering.selection_.join(alt.selection.add_suffix(f"_{alt.method}"), how="outer")


def portrait_source(features: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """The columns described in the customer portraits: the clustering features, past spend and expected purchases."""
    return features.join(scored[["spend", "expected_purchases"]])


@dataclass
class ClusterInput:
    """Section 6's customers: the clustering features, the portrait columns and, when the table stays in the
    engine and the base is large, the size of the systematic sample clustered (None: every customer)."""

    features: pd.DataFrame
    portrait: pd.DataFrame
    sampled: int | None = None


def cluster_input(run, seg: Segments, val: Value) -> ClusterInput:
    """Section 6's input from sections 2 and 5 (driver) or a sample from the engine."""
    if run.in_engine:
        from crmlab.studies.customers import engine_path

        df, sampled = engine_path.cluster_sample(run)
        return ClusterInput(df[list(FEATURES)], df[list(FEATURES) + ["spend", "expected_purchases"]], sampled)
    features = cluster_features(seg.rfm_table, val.scored)
    return ClusterInput(features, portrait_source(features, val.scored))


# -- 7. lifecycle and early warning -------------------------------------------------------------

def new_within(time_unit_days: float) -> float:
    """:data:`NEW_WITHIN_WEEKS` in the summary's time unit (``new_within`` of :func:`crmlab.segment.lifecycle`)."""
    return NEW_WITHIN_WEEKS * 7 / time_unit_days


def lifecycle_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Per lifecycle stage (all stages, empty ones too): customers, total CLV, mean P(alive), mean repeat
    purchases and the share of expected value."""
    life = scored.groupby("lifecycle", observed=False).agg(
        customers=("clv", "size"), clv_total=("clv", "sum"), p_alive=("p_alive", "mean"),
        frequency=("frequency", "mean"))
    life["value_share"] = life["clv_total"] / scored["clv"].sum()
    return life


@dataclass
class Life:
    """Section 7: customers per lifecycle stage, the early-warning list (all of it on the driver, its top in the
    engine), its saved table, ``results.json["early_warning"]`` and the rows shown."""

    table: pd.DataFrame
    warning: pd.DataFrame
    warning_table: pd.DataFrame
    record: dict
    shown: int
    spend: float


def lifecycle_of(run, val: Value, *, warning_p_alive: float = 0.5, time_unit="weeks") -> Life:
    """Section 7 from the section-1 :class:`.data.Run` and section 5 (stages added to ``val.scored``)."""
    if run.in_engine:
        from crmlab.studies.customers import engine_path

        life, ew, summ = engine_path.lifecycle(run)
        rec = {"customers": int(summ["customers"]), "value_at_risk": float(summ["value_at_risk"])}
        shown = min(EARLY_WARNING_SHOWN, len(ew))
        return Life(life, ew, early_warning_table(ew, time_unit), rec, shown, float(summ["spend"]))
    S = val.scored
    S["lifecycle"] = segment.lifecycle(S, S["p_alive"], new_within=new_within(run.time_unit_days))
    life = lifecycle_table(S)
    ew = segment.early_warning(S, value_col="spend", p_alive_col="p_alive", top_share=0.2,
                               p_alive_below=warning_p_alive)
    return Life(life, ew, early_warning_table(ew, time_unit), early_warning_record(ew), shown_rows(ew),
                float(ew["spend"].sum()))


def early_warning_table(warning: pd.DataFrame, time_unit) -> pd.DataFrame:
    """The early-warning list as saved: spend, repeat purchases, P(alive), ``<unit>s_since_last``
    (T - recency), CLV (with ``clv_ci_low``/``clv_ci_high`` when the CLV interval was computed) and value at risk."""
    cols = ["spend", "frequency", "recency", "T", "p_alive", "clv", "value_at_risk"]
    cols[6:6] = [c for c in ("clv_ci_low", "clv_ci_high") if c in warning.columns]
    out = warning[cols].copy()
    out.insert(3, f"{unit_name(time_unit)}s_since_last", out.pop("T") - out.pop("recency"))
    return out


def early_warning_record(warning: pd.DataFrame) -> dict:
    """``results.json["early_warning"]``: customers on the list and their total value at risk."""
    return {"customers": int(len(warning)), "value_at_risk": float(warning["value_at_risk"].sum())}


def shown_rows(warning: pd.DataFrame) -> int:
    """Rows of the early-warning list shown in the report (at most :data:`EARLY_WARNING_SHOWN`)."""
    return min(EARLY_WARNING_SHOWN, len(warning))
