"""The same queries on Apache Spark (local[2]): identical summaries, fits and scores to DuckDB's, same DataErrors.

Reference: the DuckDB engine (itself checked against the pandas path, Hardie's CDNOW summary and
the customer-level estimators in test_transactions.py and test_engine_duckdb.py).  One Spark
session serves the whole module.  Skipped when PySpark or Java is missing.
"""

import os
import shutil

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark")
pytest.importorskip("sqlglot")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17 (openjdk-17-jre-headless)", allow_module_level=True)

from crmlab import transactions as tr  # noqa: E402
from crmlab.clv import compressed, scoring  # noqa: E402
from crmlab.core import datasets  # noqa: E402
from crmlab.core.errors import DataError  # noqa: E402
from crmlab.engine import spark_session  # noqa: E402

pytestmark = pytest.mark.slow

CAL, HOLD = "1997-09-30", "1998-06-30"


@pytest.fixture(scope="module")
def spark():
    # small data: two shuffle partitions, and the JVM's quick compiler only (C2 warm-up costs more than it saves)
    session = spark_session("local[2]", driver_memory="1g",
                            config={"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2",
                                    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def cdnow_log():
    return datasets.load_cdnow_sample()


def _both(source, spark, **kw):
    a = tr.summarize(source, engine="duckdb", **kw)
    b = tr.summarize(source, engine="spark", spark_master=spark, **kw)
    return a, b


def test_spark_summary_equals_duckdb_exactly_on_cdnow_sample_and_master(spark, cdnow_log):
    master = datasets.load_cdnow_master()
    for log, end, hold in ((cdnow_log, CAL, HOLD), (master, CAL, HOLD)):
        a, b = _both(log, spark, calibration_end=end, holdout_end=hold)
        # integers exactly; times and means are the same IEEE expressions of exact integer sums
        pd.testing.assert_frame_equal(b.table, a.table, check_exact=True)
        assert b.report == a.report
        pd.testing.assert_series_equal(b.period_counts, a.period_counts, check_exact=True)
    assert a.report["customers"] == 23570


def test_spark_fit_and_scores_equal_duckdb_on_cdnow_sample(spark, cdnow_log, tmp_path, monkeypatch):
    out = {}
    for engine in ("duckdb", "spark"):
        es = tr.summarize_in_engine(cdnow_log, calibration_end=CAL, holdout_end=HOLD, engine=engine,
                                    spark_master=spark)
        fits = compressed.fit_models(es)
        res = scoring.score_customers(es, bgnbd=fits["bgnbd"], gammagamma=fits["gammagamma"],
                                      paretonbd=fits["paretonbd"], horizon=52, discount_rate=0.1,
                                      out=tmp_path / engine)
        table = es.engine.query(f"SELECT * FROM {res.table} ORDER BY customer_id").set_index("customer_id")
        out[engine] = fits, res, table
        es.close()
    (fa, ra, ta), (fb, rb, tb) = out["duckdb"], out["spark"]
    for m in ("bgnbd", "paretonbd", "gammagamma"):
        np.testing.assert_allclose(fb[m].params_, fa[m].params_, rtol=1e-8)
    num = ["p_alive", "p_alive_bgnbd", "expected_purchases", "expected_spend", "clv", "clv_paretonbd"]
    np.testing.assert_allclose(tb[num].to_numpy(), ta[num].to_numpy(), rtol=1e-8)
    for c in ("R", "F", "M", "RFM", "segment", "lifecycle", "value_tier"):
        assert (tb[c].to_numpy() == ta[c].to_numpy()).all(), c
    assert rb.early_warning_summary["customers"] == ra.early_warning_summary["customers"]
    assert list(rb.early_warning.index) == list(ra.early_warning.index)
    pd.testing.assert_frame_equal(rb.tiers, ra.tiers, check_dtype=False, rtol=1e-8)
    pd.testing.assert_frame_equal(rb.holdout_by_frequency, ra.holdout_by_frequency, check_dtype=False, rtol=1e-8)
    pa_, pb_ = (pd.read_parquet(r.path).set_index("customer").sort_index() for r in (ra, rb))
    assert list(pb_.index) == list(pa_.index)
    np.testing.assert_allclose(pb_["clv"], pa_["clv"], rtol=1e-8)


def test_spark_bad_input_raises_the_same_data_errors(spark, tmp_path):
    kw = dict(engine="spark", spark_master=spark)
    log = pd.DataFrame({"customer_id": [1, 2, 3], "date": ["2020-01-01", "2020-13-45", "soon"],
                        "amount": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match=r"2 row\(s\).*unparseable .*'date'.*soon"):
        tr.summarize(log, calibration_end="2020-06-30", **kw)
    with pytest.raises(DataError, match=r"no column\(s\) \['cust'\]"):
        tr.summarize(log, customer_col="cust", calibration_end="2020-06-30", **kw)
    csv = tmp_path / "log.csv"
    csv.write_text("customer_id,date,amount\n1,19970101,5\n1,19970301,-2\n2,19970105,3\n")
    with pytest.raises(DataError, match="date_format"):
        tr.summarize(csv, calibration_end="1997-06-30", **kw)
    with pytest.raises(DataError, match="negative amount"):
        tr.summarize(csv, calibration_end="1997-06-30", date_format="%Y%m%d", returns="error", **kw)
    ok = tr.summarize(csv, calibration_end="1997-06-30", date_format="%Y%m%d", **kw)
    ref = tr.summarize(csv, calibration_end="1997-06-30", date_format="%Y%m%d")
    assert ok.report == ref.report and ok.report["returns_dropped"] == 1
    pd.testing.assert_frame_equal(ok.table, ref.table, check_exact=True)
