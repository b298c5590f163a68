"""Transaction log -> customer summary: DuckDB SQL and pandas paths, against Hardie's CDNOW summary file."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab import transactions as tr
from crmlab.core.errors import DataError, ParameterError

CAL, HOLD = "1997-09-30", "1998-06-30"
ENGINES = ["duckdb", "pandas"]


@pytest.fixture(scope="module")
def cdnow_log():
    return datasets.load_cdnow_sample()


@pytest.fixture(scope="module")
def small_log():
    # customer a: first 2020-01-01, two rows on 01-01 (same day -> one transaction of 30),
    # repeats on 01-15 (20) and 02-12 (40); 03-01 in holdout (5). b: one purchase only.
    # c: first purchase after calibration_end (not in the cohort).
    return pd.DataFrame({
        "cust": ["a", "a", "a", "a", "a", "b", "c"],
        "when": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-15", "2020-02-12", "2020-03-01",
                                "2020-01-29", "2020-03-05"]),
        "value": [10.0, 20.0, 20.0, 40.0, 5.0, 12.0, 7.0],
    })


def test_summary_matches_hardie_cdnow_customer_file(cdnow_log):
    # Hardie's summary of the CDNOW sample (x, t_x, T in weeks, zbar = mean repeat spend; 2 decimals),
    # shipped with lifetimes 0.11.3 as cdnow_customers_summary_with_transactions.csv
    spec = importlib.util.find_spec("lifetimes")
    if spec is None:
        pytest.skip("lifetimes (test-only reference) not installed")
    ref = pd.read_csv(Path(spec.origin).parent / "datasets" / "cdnow_customers_summary_with_transactions.csv",
                      index_col="ID")
    s = tr.summarize(cdnow_log, calibration_end=CAL, holdout_end=HOLD).table
    assert len(s) == len(ref) == 2357
    s = s.loc[ref.index]
    np.testing.assert_array_equal(s["frequency"], ref["x"])
    np.testing.assert_allclose(s["recency"], ref["t_x"], atol=0.0051)
    np.testing.assert_allclose(s["T"], ref["T"], atol=0.0051)
    np.testing.assert_allclose(s["monetary_value"], ref["zbar"], atol=0.0051)


def test_cdnow_counts_match_fhl2005(cdnow_log):
    # FHL (2005): 2,357 customers, 946 repeat buyers, 2,457 repeat purchases in the 39-week calibration period
    out = tr.summarize(cdnow_log, calibration_end=CAL, holdout_end=HOLD)
    assert out.report["customers"] == 2357
    assert out.report["repeaters"] == 946
    assert out.report["repeat_transactions_calibration"] == 2457
    assert out.report["zero_amount_rows"] == 8 and out.report["duplicate_rows"] == 21
    assert (out.table["duration_holdout"] == 39.0).all()


def test_duckdb_and_pandas_agree_on_cdnow(cdnow_log):
    a = tr.summarize(cdnow_log, calibration_end=CAL, holdout_end=HOLD, engine="duckdb")
    b = tr.summarize(cdnow_log, calibration_end=CAL, holdout_end=HOLD, engine="pandas")
    pd.testing.assert_frame_equal(a.table, b.table, check_dtype=False)
    pd.testing.assert_series_equal(a.period_counts, b.period_counts, check_dtype=False, check_names=False)
    assert a.report == b.report
    assert a.period_counts.sum() == a.table["frequency"].sum() + a.table["frequency_holdout"].sum()


def test_duckdb_reads_csv_and_parquet_files(cdnow_log, tmp_path):
    log = cdnow_log[["customer_id", "date", "amount"]].copy()
    csv = tmp_path / "log.csv"
    log.assign(date=log["date"].dt.strftime("%Y%m%d")).to_csv(csv, index=False)
    pq = tmp_path / "log.parquet"
    log.to_parquet(pq)
    ref = tr.summarize(cdnow_log, calibration_end=CAL, holdout_end=HOLD, engine="pandas").table
    from_csv = tr.summarize(csv, calibration_end=CAL, holdout_end=HOLD, date_format="%Y%m%d").table
    from_pq = tr.summarize(pq, calibration_end=CAL, holdout_end=HOLD).table
    pd.testing.assert_frame_equal(from_csv, ref, check_dtype=False, check_index_type=False)
    pd.testing.assert_frame_equal(from_pq, ref, check_dtype=False)
    csv_pandas = tr.summarize(csv, calibration_end=CAL, holdout_end=HOLD, date_format="%Y%m%d", engine="pandas").table
    pd.testing.assert_frame_equal(csv_pandas, ref, check_dtype=False, check_index_type=False)


@pytest.mark.parametrize("engine", ENGINES)
def test_small_log_by_hand(small_log, engine):
    out = tr.summarize(small_log, customer_col="cust", date_col="when", amount_col="value",
                       calibration_end="2020-02-29", holdout_end="2020-03-06", time_unit="days", engine=engine)
    t = out.table
    assert list(t.index) == ["a", "b"]
    a, b = t.loc["a"], t.loc["b"]
    assert a["frequency"] == 2 and a["recency"] == 42 and a["T"] == 59
    assert a["monetary_value"] == 30.0  # mean of the repeat days (20, 40); first day (10+20) excluded
    assert a["spend"] == 90.0
    assert a["frequency_early"] == 1 and a["frequency_late"] == 1  # 14 <= 59/2 < 42
    assert a["frequency_holdout"] == 1 and a["spend_holdout"] == 5.0 and a["duration_holdout"] == 6
    assert b["frequency"] == 0 and b["recency"] == 0 and b["T"] == 31 and b["monetary_value"] == 0
    assert out.report["customers_first_after_calibration"] == 1
    weeks = tr.summarize(small_log, customer_col="cust", date_col="when", amount_col="value",
                         calibration_end="2020-02-29", engine=engine).table
    assert weeks.loc["a", "T"] == pytest.approx(59 / 7)


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_unparseable_dates_name_column_and_rows(engine):
    log = pd.DataFrame({"customer_id": [1, 2, 3], "date": ["2020-01-01", "2020-13-45", "soon"],
                        "amount": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match=r"2 row\(s\).*unparseable .*'date'.*soon"):
        tr.summarize(log, calibration_end="2020-06-30", engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_yyyymmdd_without_format_is_unparseable_with_hint(engine):
    log = pd.DataFrame({"customer_id": [1], "date": [19970101], "amount": [1.0]})
    with pytest.raises(DataError, match="date_format"):
        tr.summarize(log, calibration_end="1997-06-30", engine=engine)
    ok = tr.summarize(log, calibration_end="1997-06-30", date_format="%Y%m%d", engine=engine)
    assert ok.table["T"].iloc[0] == pytest.approx(180 / 7)


@pytest.mark.parametrize("engine", ENGINES)
def test_returns_rule(small_log, engine):
    log = pd.concat([small_log, pd.DataFrame({"cust": ["a"], "when": [pd.Timestamp("2020-01-20")],
                                              "value": [-20.0]})], ignore_index=True)
    kw = dict(customer_col="cust", date_col="when", amount_col="value", calibration_end="2020-02-29",
              holdout_end="2020-03-06", engine=engine)
    with pytest.raises(DataError, match="negative amount"):
        tr.summarize(log, returns="error", **kw)
    out = tr.summarize(log, returns="drop", **kw)
    assert out.report["returns_dropped"] == 1
    assert out.table.loc["a", "frequency"] == 2  # dropped: the return is not a purchase and is not netted
    # netted (the default): the refund of 20 on 01-20 cancels the purchase of 20 on 01-15, the latest before it
    out = tr.summarize(log, **kw)
    assert out.report["refund_rows_netted"] == 1 and out.report["purchases_refunded"] == 1
    assert out.table.loc["a", "frequency"] == 1 and out.table.loc["a", "monetary_value"] == 40.0
    zero = log.assign(value=log["value"].clip(lower=0))
    assert tr.summarize(zero, **kw).table.loc["a", "frequency"] == 3  # zero amounts are kept as transactions


@pytest.mark.parametrize("engine", ENGINES)
def test_duplicates_rule(small_log, engine):
    log = pd.concat([small_log, small_log.iloc[[2]]], ignore_index=True)
    kw = dict(customer_col="cust", date_col="when", amount_col="value", calibration_end="2020-02-29", engine=engine)
    with pytest.raises(DataError, match="duplicate"):
        tr.summarize(log, duplicates="error", **kw)
    kept = tr.summarize(log, **kw)
    dropped = tr.summarize(log, duplicates="drop", **kw)
    assert kept.report["duplicate_rows"] == 1 and dropped.report["duplicates_dropped"] == 1
    assert kept.table.loc["a", "monetary_value"] == 40.0 and dropped.table.loc["a", "monetary_value"] == 30.0


@pytest.mark.parametrize("engine", ENGINES)
def test_after_holdout_rule(small_log, engine):
    kw = dict(customer_col="cust", date_col="when", amount_col="value", calibration_end="2020-02-15",
              holdout_end="2020-03-02", engine=engine)
    with pytest.raises(DataError, match="after holdout_end"):
        tr.summarize(small_log, after_holdout="error", **kw)
    out = tr.summarize(small_log, **kw)
    assert out.report["after_holdout_dropped"] == 1
    assert out.table.loc["a", "frequency_holdout"] == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_column_and_bad_parameters(small_log, engine):
    with pytest.raises(DataError, match=r"has no column 'customer_id' \(parameter customer_col\)"):
        tr.summarize(small_log, date_col="when", amount_col="value", calibration_end="2020-02-29", engine=engine)
    kw = dict(customer_col="cust", date_col="when", amount_col="value", engine=engine)
    with pytest.raises(ParameterError, match="holdout_end"):
        tr.summarize(small_log, calibration_end="2020-02-29", holdout_end="2020-01-01", **kw)
    with pytest.raises(ParameterError, match="time_unit"):
        tr.summarize(small_log, calibration_end="2020-02-29", time_unit="fortnights", **kw)
    with pytest.raises(ParameterError, match="calibration_end"):
        tr.summarize(small_log, calibration_end="not a date", **kw)
    with pytest.raises(ParameterError, match=r"calibration_end \(2019-01-01\) is before the first transaction"):
        tr.summarize(small_log, calibration_end="2019-01-01", **kw)


def test_open_source_dispatch(tmp_path):
    log = tr.open_source("data/cdnow/CDNOW_sample.txt")
    assert isinstance(log, pd.DataFrame) and list(log.columns[:3]) == ["customer_id", "master_id", "date"]
    csv = tmp_path / "x.csv"
    csv.write_text("customer_id,date,amount\n1,2020-01-01,3\n")
    assert tr.open_source(csv) == csv
    with pytest.raises(DataError):
        tr.summarize(tmp_path / "missing.csv", calibration_end="2020-01-01")


def test_engines_agree_when_some_customers_start_after_calibration(small_log):
    kw = dict(customer_col="cust", date_col="when", amount_col="value", calibration_end="2020-02-29",
              holdout_end="2020-03-06", time_unit="days")
    a = tr.summarize(small_log, engine="duckdb", **kw)
    b = tr.summarize(small_log, engine="pandas", **kw)
    pd.testing.assert_frame_equal(a.table, b.table, check_dtype=False)
    assert a.report == b.report
    # repeat purchase days of the cohort (customer a only): days 14, 42 and 60 after 2020-01-01
    assert a.period_counts.to_dict() == b.period_counts.to_dict() == {14: 1.0, 42: 1.0, 60: 1.0}


def test_gbk_csv_is_read_through_the_project_reader(tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes("客户,日期,金额\n张三,2020-01-01,10\n张三,2020-02-01,20\n李四,2020-01-05,5\n".encode("gbk"))
    src = tr.open_source(p)
    assert isinstance(src, pd.DataFrame)
    out = tr.summarize(src, customer_col="客户", date_col="日期", amount_col="金额", calibration_end="2020-03-01")
    assert out.table.loc["张三", "frequency"] == 1 and out.table.loc["张三", "monetary_value"] == 20.0
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text("客户,日期,金额\n张三,2020-01-01,10\n张三,2020-02-01,20\n", encoding="utf-8")
    assert tr.open_source(utf8) == utf8
    assert tr.summarize(utf8, customer_col="客户", date_col="日期", amount_col="金额",
                        calibration_end="2020-03-01").table.loc["张三", "frequency"] == 1
