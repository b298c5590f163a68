"""Engine path on DuckDB: compressed fits and engine-side scoring against the customer-level functions.

References: the customer-level estimators and functions of crmlab.clv / crmlab.rfm / crmlab.segment
(identities: the engine computes the same numbers from counts and thresholds), the published CDNOW
estimates of Fader, Hardie & Lee (2005) and Fader & Hardie (2013), and pandas' quantile.
"""

import numpy as np
import pandas as pd
import pytest

from crmlab import clv, rfm, segment
from crmlab import engine as engines
from crmlab import transactions as tr
from crmlab.clv import compressed, engine_rank, scoring
from crmlab.core import datasets
from crmlab.core.privacy import pseudonymize

CAL, HOLD = "1997-09-30", "1998-06-30"


@pytest.fixture(scope="module")
def cdnow_log():
    return datasets.load_cdnow_sample()


@pytest.fixture(scope="module")
def engine_summary(cdnow_log):
    es = tr.summarize_in_engine(cdnow_log, calibration_end=CAL, holdout_end=HOLD)
    yield es
    es.close()


@pytest.fixture(scope="module")
def fits(engine_summary):
    return compressed.fit_models(engine_summary)


@pytest.fixture(scope="module")
def scored(engine_summary, fits, tmp_path_factory):
    out = tmp_path_factory.mktemp("scores") / "scores"
    with pytest.MonkeyPatch.context() as mp:  # the key of conftest's (function-scoped) autouse fixture
        mp.setenv("CRMLAB_PSEUDONYM_KEY", "test-key-not-secret")
        res = scoring.score_customers(engine_summary, bgnbd=fits["bgnbd"], gammagamma=fits["gammagamma"],
                                      paretonbd=fits["paretonbd"], horizon=52, discount_rate=0.1, out=out)
    table = engine_summary.engine.query(f"SELECT * FROM {res.table} ORDER BY customer_id").set_index("customer_id")
    return res, table


def test_engine_summary_collects_to_the_pandas_path_summary(cdnow_log, engine_summary):
    ref = tr.summarize(cdnow_log, calibration_end=CAL, holdout_end=HOLD, engine="pandas")
    got = engine_summary.to_customer_summary()
    pd.testing.assert_frame_equal(got.table, ref.table, check_dtype=False, rtol=1e-12)
    assert got.report == ref.report
    births = engine_summary.birth_counts()
    ub, cnt = np.unique(ref.births(), return_counts=True)
    np.testing.assert_allclose(births.index.to_numpy(), ub, rtol=1e-13)
    np.testing.assert_array_equal(births.to_numpy(), cnt)
    # tracking from (birth, count) pairs equals tracking from every customer's birth
    bg = clv.BGNBD().fit(ref.table["frequency"], ref.table["recency"], ref.table["T"])
    pd.testing.assert_frame_equal(
        clv.tracking(bg, births.index.to_numpy(), ref.period_counts, periods=78, weights=births.to_numpy()),
        clv.tracking(bg, ref.births(), ref.period_counts, periods=78), rtol=1e-12)


def test_folder_and_glob_inputs_equal_the_single_file(cdnow_log, tmp_path):
    log = cdnow_log[["customer_id", "date", "amount"]]
    one = tmp_path / "log.parquet"
    log.to_parquet(one)
    folder = tmp_path / "parts"
    cuts = [0, len(log) // 3, 2 * len(log) // 3, len(log)]
    for i, part in enumerate(log.iloc[a:b] for a, b in zip(cuts, cuts[1:])):
        (folder / f"year={1997 + i}").mkdir(parents=True)
        part.to_parquet(folder / f"year={1997 + i}" / "p.parquet")
    ref = tr.summarize(one, calibration_end=CAL, holdout_end=HOLD).table
    pd.testing.assert_frame_equal(tr.summarize(folder, calibration_end=CAL, holdout_end=HOLD).table, ref)
    pd.testing.assert_frame_equal(
        tr.summarize(str(folder / "*" / "*.parquet"), calibration_end=CAL, holdout_end=HOLD).table, ref)
    assert tr.open_source(folder) == folder.resolve()
    assert tr.open_source(str(folder / "*.parquet")).endswith("*.parquet")
    with pytest.raises(tr.summary.DataError, match="no file matches"):
        tr.summarize(str(tmp_path / "nothing*.parquet"), calibration_end=CAL)


def test_compressed_fits_equal_customer_level_fits_and_fhl2005_on_cdnow(engine_summary, fits):
    S = engine_summary.to_customer_summary().table
    f, r, T = S["frequency"], S["recency"], S["T"]
    bg, pn = clv.BGNBD().fit(f, r, T), clv.ParetoNBD().fit(f, r, T)
    for ref, got in ((bg, fits["bgnbd"]), (pn, fits["paretonbd"])):
        np.testing.assert_allclose(got.params_, ref.params_, rtol=1e-10)
        assert got.loglik_ == pytest.approx(ref.loglik_, rel=1e-12)
        assert got.n_customers_ == 2357
    # published: BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4 (FHL 2005)
    np.testing.assert_allclose(fits["bgnbd"].params_, [0.243, 4.414, 0.793, 2.426], atol=6e-4)
    assert fits["bgnbd"].loglik_ == pytest.approx(-9582.4, abs=0.06)
    np.testing.assert_allclose(fits["paretonbd"].params_, [0.553, 10.578, 0.606, 11.669], atol=6e-4)


def test_gamma_gamma_on_binned_statistics_equals_customer_level_fit_on_cdnow(engine_summary, fits):
    # identity: the binned likelihood equals the customer-level one to ~1e-15 (see GammaGammaStats)
    S = engine_summary.to_customer_summary().table
    keep = (S["frequency"] > 0) & (S["monetary_value"] > 0)
    ref = clv.GammaGamma().fit(S["frequency"][keep], S["monetary_value"][keep])
    got = fits["gammagamma"]
    np.testing.assert_allclose(got.params_, ref.params_, rtol=1e-9)
    assert got.loglik_ == pytest.approx(ref.loglik_, rel=1e-12)
    np.testing.assert_allclose(got.se_, ref.se_, rtol=1e-6)
    assert got.n_customers_ == ref.n_customers_ == 946
    assert got.n_rows_ < ref.n_rows_
    # Fader & Hardie (2013) on the 946 CDNOW repeat buyers: p = 6.25, q = 3.74, gamma = 15.44
    np.testing.assert_allclose(got.params_, [6.25, 3.74, 15.44], atol=6e-3)


def test_gamma_gamma_statistics_on_wide_spend_range_equal_customer_fit():
    # a second, synthetic check over four decades of spend and frequencies up to 40
    rng = np.random.default_rng(7)
    x = rng.integers(1, 40, 3000)
    nu = rng.gamma(3.0, 1 / 20.0, 3000)
    m = rng.gamma(4.0 * x, 1.0) / (x * nu)
    frame = pd.DataFrame({"frequency": x, "monetary_value": m})
    eng = engines.connect("duckdb")
    try:
        eng.register_source("s", frame)

        class Stub:
            engine, name = eng, "s"

        stats = compressed.spend_stats(Stub())
        got = compressed.GammaGammaStats().fit_stats(stats)
    finally:
        eng.close()
    ref = clv.GammaGamma().fit(x, m)
    np.testing.assert_allclose(got.params_, ref.params_, rtol=1e-9)
    assert got.loglik_ == pytest.approx(ref.loglik_, rel=1e-12)


def test_fit_models_by_segment_equals_fitting_each_segment(engine_summary):
    S = engine_summary.to_customer_summary().table
    by = compressed.fit_models(engine_summary, models=("bgnbd",), by="CAST(customer_id % 2 AS BIGINT)")
    for seg in (0, 1):
        part = S[S.index % 2 == seg]
        ref = clv.BGNBD().fit(part["frequency"], part["recency"], part["T"])
        np.testing.assert_allclose(by[seg]["bgnbd"].params_, ref.params_, rtol=1e-10)


def test_engine_scores_equal_customer_level_functions_on_cdnow(engine_summary, fits, scored):
    res, sc = scored
    S = engine_summary.to_customer_summary().table
    bg, pn, gg = fits["bgnbd"], fits["paretonbd"], fits["gammagamma"]
    f, r, T, m = S["frequency"], S["recency"], S["T"], S["monetary_value"]
    value = clv.customer_value(bg, gg, f, r, T, m, horizon=52, discount_rate=0.1, time_unit_days=7)
    np.testing.assert_allclose(sc["clv"], value, rtol=1e-12)
    np.testing.assert_allclose(sc["clv_paretonbd"], clv.customer_value(pn, gg, f, r, T, m, horizon=52,
                                                                       discount_rate=0.1, time_unit_days=7), rtol=1e-12)
    np.testing.assert_allclose(sc["p_alive"], pn.p_alive(f, r, T), rtol=1e-12)
    np.testing.assert_allclose(sc["p_alive_bgnbd"], bg.p_alive(f, r, T), rtol=1e-12)
    np.testing.assert_allclose(sc["expected_purchases"], bg.conditional_expected_purchases(52, f, r, T), rtol=1e-12)
    np.testing.assert_allclose(sc["expected_spend"], gg.conditional_expected_spend(f, m), rtol=1e-12)
    R = rfm.rfm_table(S)
    for c in ("R", "F", "M", "RFM"):
        assert (sc[c].to_numpy() == R[c].to_numpy()).all(), c
    assert (sc["segment"].to_numpy() == rfm.assign_segments(R).astype(str).to_numpy()).all()
    assert (sc["value_tier"].to_numpy() == rfm.value_tiers(pd.Series(value)).astype(str).to_numpy()).all()
    S2 = S.assign(clv=value, p_alive=pn.p_alive(f, r, T))
    assert (sc["lifecycle"].to_numpy() == segment.lifecycle(S2, S2["p_alive"]).astype(str).to_numpy()).all()
    ew = segment.early_warning(S2, value_col="spend", p_alive_col="p_alive", top_share=0.2, p_alive_below=0.5)
    assert res.early_warning_summary["customers"] == len(ew)
    assert res.early_warning_summary["value_at_risk"] == pytest.approx(ew["value_at_risk"].sum(), rel=1e-12)
    assert list(res.early_warning.index) == list(ew.index[:15])
    np.testing.assert_allclose(res.early_warning["value_at_risk"], ew["value_at_risk"].iloc[:15], rtol=1e-12)
    conc = clv.concentration(value)
    assert res.concentration == pytest.approx(conc, rel=1e-12)
    tiers = S2.assign(value_tier=rfm.value_tiers(S2["clv"])).groupby("value_tier", observed=True).agg(
        customers=("clv", "size"), clv_total=("clv", "sum"))
    np.testing.assert_array_equal(res.tiers["customers"], tiers["customers"])
    np.testing.assert_allclose(res.tiers["clv_total"], tiers["clv_total"], rtol=1e-12)
    by_f = clv.holdout_by_frequency(bg, S)
    np.testing.assert_array_equal(res.holdout_by_frequency["customers"], by_f["customers"])
    np.testing.assert_allclose(res.holdout_by_frequency["bgnbd"], by_f["predicted"], rtol=1e-12)
    np.testing.assert_allclose(res.holdout_by_frequency["actual"], by_f["actual"], rtol=1e-12)
    err = clv.holdout_errors(bg, S)
    for k, v in err.items():
        assert res.holdout_errors[k] == pytest.approx(v, rel=1e-9), k
    assert res.totals["clv_total"] == pytest.approx(value.sum(), rel=1e-12)


def test_scores_parquet_is_partitioned_by_tier_with_pseudonymous_ids(engine_summary, scored):
    res, sc = scored
    parts = sorted(p.name for p in __import__("pathlib").Path(res.path).iterdir() if p.is_dir())
    assert parts == ["value_tier=high", "value_tier=low", "value_tier=medium"]
    out = pd.read_parquet(res.path)
    assert "customer_id" not in out.columns and len(out) == 2357
    expected = pseudonymize(pd.Series(sc.index))
    assert set(out["customer"]) == set(expected)
    one = out.set_index("customer").loc[expected.iloc[0]]
    assert one["clv"] == sc["clv"].iloc[0] and str(one["value_tier"]) == sc["value_tier"].iloc[0]


def test_midrank_thresholds_reproduce_quantile_scores_and_value_tiers_with_ties():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"v": rng.integers(0, 12, 997).astype(float), "w": rng.gamma(0.5, 2.0, 997).round(1)})
    eng = engines.connect("duckdb")
    try:
        eng.register_source("t", frame)
        for col in ("v", "w"):
            for better in (True, False):
                thr = engine_rank.midrank_thresholds(eng, "t", col, len(frame), 5, higher_is_better=better)
                got = eng.query(f"SELECT {engine_rank.score_case(col, thr)} AS s FROM t")["s"].to_numpy()
                np.testing.assert_array_equal(got, rfm.quantile_scores(frame[col], 5, higher_is_better=better))
            tiers = engine_rank.tier_thresholds(eng, "t", col, len(frame))
            got = eng.query(f"SELECT {engine_rank.tier_case(col, tiers, ('high', 'medium', 'low'))} AS t FROM t")
            np.testing.assert_array_equal(got["t"].to_numpy(), rfm.value_tiers(frame[col]).astype(str).to_numpy())
    finally:
        eng.close()


@pytest.mark.parametrize("n", [2, 5, 997, 2357])
def test_quantile_linear_equals_pandas_quantile(n):
    v = np.sort(np.random.default_rng(n).gamma(1.0, 30.0, n))
    for q in (0.8, 0.5, 0.95, 0.1, 1 - 0.2):
        k0, k1 = engine_rank._order_stat_positions(n, q)
        assert engine_rank.quantile_linear(v[k0], v[k1], n, q) == pd.Series(v).quantile(q)


def test_spark_sql_transpilation_keeps_types_and_date_formats():
    sql = engines.to_spark_sql("SELECT CAST(try_strptime(CAST(d AS VARCHAR), '%Y%m%d') AS DATE), "
                               "CAST(7.0 AS DOUBLE), date_diff('day', a, b) FROM t")
    assert "try_to_timestamp(CAST(d AS STRING), 'yyyyMMdd')" in sql.replace("TRY_TO_TIMESTAMP", "try_to_timestamp")
    assert "CAST(7.0 AS DOUBLE)" in sql and "DATEDIFF(DAY, a, b)" in sql


def test_engine_info_names_the_engine_without_starting_it():
    import duckdb

    assert engines.engine_info("duckdb") == {"name": "duckdb", "version": duckdb.__version__, "spark_master": None}
    with pytest.raises(tr.summary.ParameterError, match="engine must be one of"):
        engines.connect("polars")
