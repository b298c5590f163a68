"""Transaction logs as shops export them (issue #11): amounts written as ¥1,234.50, repeated header lines,
order statuses, refunds netted against their order or purchase day, Excel, dates outside the log, no
transactions; errors that name the file, the column, the rows as numbered in the file and never a raw id.

References: small logs summarised by hand (the numbers are in the comments), and identities (a log with
amounts as text equals the same log with numbers; the pandas path equals the SQL path exactly).
"""
import numpy as np
import pandas as pd
import pytest

from crmlab import transactions as tr
from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.transactions.common import parse_money

ENGINES = ["duckdb", "pandas"]

# a shop export: order ids, a status column, amounts as text, one repeated header line (a concatenated export)
#   a: 01-01 order o1 1,000.00; 01-10 o2 200.50 refunded in full on 01-15 (a refund row, status 退款成功);
#      02-01 o3 300 cancelled (status 已取消); 02-05 o4 50 with 20 refunded on 02-20 -> 30
#   b: 01-03 o5 $12.00; 01-20 o6 12 (date written 2020/01/20); 03-05 o7 40 refunded in full on 03-06 (holdout)
#   c: a refund of order o99 on 01-02 with no purchase to net against
ROWS = [("a", "o1", "2020-01-01", "¥1,000.00", "交易成功"), ("a", "o2", "2020-01-10", "¥200.50", "交易成功"),
        ("a", "o2", "2020-01-15", "-¥200.50", "退款成功"), ("a", "o3", "2020-02-01", "¥300", "已取消"),
        ("a", "o4", "2020-02-05", "50", "交易成功"), ("a", "o4", "2020-02-20", "-20", "退款成功"),
        ("b", "o5", "2020-01-03", "$12.00", "交易成功"), ("客户", "订单", "日期", "金额", "状态"),
        ("b", "o6", "2020/01/20", "12", "交易成功"), ("b", "o7", "2020-03-05", "40", "交易成功"),
        ("b", "o7", "2020-03-06", "-40", "交易成功"), ("c", "o99", "2020-01-02", "-5", "退款成功")]
COLS = ["客户", "订单", "日期", "金额", "状态"]
KW = dict(customer_col="客户", date_col="日期", amount_col="金额", status_col="状态", calibration_end="2020-02-29",
          holdout_end="2020-03-10")


@pytest.fixture(scope="module")
def shop():
    return pd.DataFrame(ROWS, columns=COLS)


def test_money_as_exported_is_read_and_anything_else_is_missing():
    got = parse_money(pd.Series(["¥1,234.50", "1,234.50", "$12.00", "-¥20", "￥8", "12.5 元", "RMB 3", "+ 7", ".5",
                                 "1.234,50", "12,5", "abc", "", None, "¥-"]))
    want = [1234.5, 1234.5, 12.0, -20.0, 8.0, 12.5, 3.0, 7.0, 0.5] + [np.nan] * 6
    np.testing.assert_array_equal(got.to_numpy(), np.array(want))


@pytest.mark.parametrize("engine", ENGINES)
def test_text_amounts_give_the_same_summary_as_numbers_on_cdnow(engine):
    log = datasets.load_cdnow_sample()
    text = log.assign(amount=["¥{:,.2f}".format(v) if i % 3 else f"{v:.2f}" for i, v in enumerate(log["amount"])])
    kw = dict(calibration_end="1997-09-30", holdout_end="1998-06-30", engine=engine)
    a, b = tr.summarize(log, **kw), tr.summarize(text, **kw)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    assert a.report == b.report


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("order", [None, "订单"])
def test_shop_export_rules_by_hand(shop, engine, order):
    out = tr.summarize(shop, order_col=order, engine=engine, **KW)
    rep = out.report
    assert {k: rep[k] for k in ("rows_read", "header_lines_dropped", "status_excluded", "refund_rows_netted",
                                "refunds_unmatched", "purchases_refunded", "returns_dropped")} == {
        "rows_read": 12, "header_lines_dropped": 1, "status_excluded": 1, "refund_rows_netted": 3,
        "refunds_unmatched": 1, "purchases_refunded": 2, "returns_dropped": 0}
    t = out.table
    assert list(t.index) == ["a", "b"]  # c only refunded something: not a customer
    # a: purchases on 01-01 (1,000) and 02-05 (50 - 20 = 30); o2 refunded in full, o3 cancelled
    assert t.loc["a", "frequency"] == 1 and t.loc["a", "monetary_value"] == 30.0 and t.loc["a", "spend"] == 1030.0
    # b: 01-03 (12) and 01-20 (12); the holdout purchase of 03-05 was refunded in full
    assert t.loc["b", "frequency"] == 1 and t.loc["b", "spend"] == 24.0 and t.loc["b", "frequency_holdout"] == 0
    assert rep["customers"] == 2 and rep["transactions_calibration"] == 4


@pytest.mark.parametrize("engine", ENGINES)
def test_returns_drop_counts_refunded_purchases_in_full(shop, engine):
    """The behaviour before issue #11: refunds dropped, the refunded order counted at full value."""
    out = tr.summarize(shop, returns="drop", engine=engine, **KW)
    assert out.report["returns_dropped"] == 4 and out.report["purchases_refunded"] == 0
    assert out.table.loc["a", "frequency"] == 2 and out.table.loc["a", "spend"] == 1250.5
    with pytest.raises(DataError, match=r"4 row\(s\) .*negative amount .*'金额'.*returns='net'"):
        tr.summarize(shop, returns="error", engine=engine, **KW)


def test_pandas_path_equals_the_sql_path_on_a_refunded_cdnow_export():
    log = datasets.load_cdnow_sample().reset_index(drop=True)
    log["order"] = [f"o{i}" for i in range(len(log))]
    refunds = log.iloc[::13].assign(amount=lambda f: -f["amount"] * np.where(np.arange(len(f)) % 2, 1.0, 0.5),
                                    date=lambda f: f["date"] + pd.Timedelta(days=3))
    full = pd.concat([log, refunds], ignore_index=True)
    for order in (None, "order"):
        kw = dict(calibration_end="1997-09-30", holdout_end="1998-06-30", order_col=order)
        a, b = tr.summarize(full, **kw), tr.summarize(full, engine="pandas", **kw)
        pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
        assert a.report == b.report and a.report["refund_rows_netted"] > 0 and a.report["purchases_refunded"] > 0


@pytest.mark.parametrize("engine", ENGINES)
def test_repeated_header_line_far_into_a_csv(tmp_path, engine):
    """DuckDB guesses CSV types from a sample: a header line beyond it is read by guessing from every row."""
    log = datasets.load_cdnow_sample()[["customer_id", "date", "amount"]]
    log = log.assign(date=log["date"].dt.strftime("%Y-%m-%d"))
    big = pd.concat([log] * 4, ignore_index=True)
    path = tmp_path / "concatenated.csv"
    text = big.to_csv(index=False)
    lines = text.splitlines(keepends=True)
    path.write_text("".join(lines[:24001]) + lines[0] + "".join(lines[24001:]), encoding="utf-8")
    out = tr.summarize(path, calibration_end="1997-09-30", holdout_end="1998-06-30", engine=engine)
    assert out.report["header_lines_dropped"] == 1 and out.report["rows_read"] == len(big) + 1
    ref = tr.summarize(big, calibration_end="1997-09-30", holdout_end="1998-06-30", engine=engine)
    # once the header lines are gone the ids are whole numbers again, read as the reader would have read them
    pd.testing.assert_frame_equal(out.table, ref.table, check_exact=True)


@pytest.mark.parametrize("engine", ENGINES)
def test_errors_name_file_column_and_file_rows_never_a_raw_id(tmp_path, engine):
    p = tmp_path / "orders.csv"
    p.write_text('cust,date,amount\nalice@example.org,2020-01-01,"¥1.234,50"\nbob@example.org,2020-01-02,12\n'
                 "bob@example.org,2020-02-02,abc\n", encoding="utf-8")
    kw = dict(customer_col="cust", calibration_end="2020-01-20", engine=engine)
    with pytest.raises(DataError) as err:
        tr.summarize(p, **kw)
    msg = str(err.value)
    assert msg.startswith("2 row(s) of file orders.csv have an amount that is not a number in column 'amount' "
                          "(rows 2, 4); e.g. '¥1.234,50', 'abc'")
    assert "@" not in msg and "amount_col" in msg
    p.write_text("cust,date,amount\nalice@example.org,2020-01-01,1\n,2020-01-02,12\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"1 row\(s\) .*missing customer id in column 'cust' \(row 3\)"):
        tr.summarize(p, **kw)
    p.write_text("cust,date,amount\nalice@example.org,2020-01-01,1\nalice@example.org,2020-01-01,1\n"
                 "bob@example.org,2020-01-05,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"exact duplicate.*c_[0-9a-f]{12} on 2020-01-01") as err:
        tr.summarize(p, duplicates="error", **kw)
    assert "@" not in str(err.value)
    p.write_text("cust,date,amount,order\na,2020-01-01,1,o1\nb,2020-01-02,1,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"missing order id in column 'order' \(row 3\).*order_col"):
        tr.summarize(p, order_col="order", **kw)
    with pytest.raises(DataError, match=r"orders.csv has no column 'when' \(parameter date_col\); its columns: cust"):
        tr.summarize(p, date_col="when", **kw)


@pytest.mark.parametrize("engine", ENGINES)
def test_dates_outside_the_log_are_refused_naming_the_parameter(shop, engine):
    kw = {**KW, "engine": engine}
    # the log runs from 2020-01-01 to 2020-03-06
    with pytest.raises(ParameterError, match=r"calibration_end \(2020-03-06\) is on or after the last transaction.*"
                                             r"2020-01-01 to 2020-03-06"):
        tr.summarize(shop, **{**kw, "calibration_end": "2020-03-06", "holdout_end": "2020-06-30"})
    with pytest.raises(ParameterError, match=r"holdout_end \(2020-06-30\) is after the last transaction"):
        tr.summarize(shop, **{**kw, "holdout_end": "2020-06-30"})
    with pytest.raises(ParameterError, match=r"calibration_end \(2019-12-01\) is before the first transaction"):
        tr.summarize(shop, **{**kw, "calibration_end": "2019-12-01"})
    # without a holdout, a calibration end after the data is a legitimate scoring date
    assert tr.summarize(shop, **{**kw, "calibration_end": "2020-06-30", "holdout_end": None}).report["customers"] == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_no_transactions_is_named_as_such(tmp_path, shop, engine):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty.csv is empty: no transactions"):
        tr.open_source(empty)
    head = tmp_path / "header_only.csv"
    head.write_text("customer_id,date,amount\n")
    with pytest.raises(DataError, match=r"header_only.csv has no transactions \(no data rows\)"):
        tr.summarize(tr.open_source(head), calibration_end="2020-01-01", engine=engine)
    cancelled = shop.assign(状态="已取消")
    with pytest.raises(DataError, match=r"no purchases left after the data rules \(12 rows read; header lines dropped: "
                                        r"1, status excluded: 7"):
        tr.summarize(cancelled, engine=engine, **KW)


def test_excel_export_is_read_with_its_sheet(tmp_path, shop):
    path = tmp_path / "订单导出.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"说明": ["店铺后台导出"]}).to_excel(xl, sheet_name="说明", index=False)
        shop.to_excel(xl, sheet_name="订单", index=False)
    src = tr.open_source(path, sheet="订单")
    assert isinstance(src, pd.DataFrame) and src.attrs["file"] == "订单导出.xlsx"
    out = tr.summarize(src, order_col="订单", **KW)
    ref = tr.summarize(shop, order_col="订单", **KW)
    pd.testing.assert_frame_equal(out.table, ref.table, check_exact=True)
    bad = shop.copy()
    bad.loc[4, "金额"] = "五十"
    with pd.ExcelWriter(path) as xl:
        bad.to_excel(xl, sheet_name="订单", index=False)
    with pytest.raises(DataError, match=r"1 row\(s\) of file 订单导出.xlsx have an amount .* \(row 6\); e.g. '五十'"):
        tr.summarize(tr.open_source(path), **KW)


@pytest.mark.parametrize("engine", ENGINES)
def test_discrete_time_view_and_attributes_by_hand(engine):
    # weekly opportunities from each first purchase; calibration end 2020-02-29 is day 59 for a (first 01-01):
    # whole weeks 1..7 (n = floor(60 / 7) - 1); a bought in weeks 2 (01-15) and 6 (02-12): x = 2, t_x = 6.
    # holdout to 2020-03-07 (day 66): whole weeks up to 8 (floor(67 / 7) - 1); a bought in week 8 (03-01, day 60).
    # b: first 01-29 (day 31 at the end): n = floor(32 / 7) - 1 = 3, no repeat; holdout week 4 (floor(39 / 7) - 1)
    log = pd.DataFrame({"cust": ["a", "a", "a", "a", "a", "b", "b"],
                        "when": pd.to_datetime(["2020-01-01", "2020-01-15", "2020-01-16", "2020-02-12", "2020-03-01",
                                                "2020-01-29", "2020-01-29"]),
                        "value": [10.0, 20.0, 5.0, 40.0, 5.0, 12.0, 3.0],
                        "channel": ["web", "app", "app", "app", "app", "store", "app"]})
    out = tr.summarize(log, customer_col="cust", date_col="when", amount_col="value", calibration_end="2020-02-29",
                       holdout_end="2020-03-07", opportunity_days=7, attributes=["channel"], engine=engine)
    t = out.table
    assert t.loc["a", ["bgbb_x", "bgbb_tx", "bgbb_n", "bgbb_x_holdout", "bgbb_n_holdout"]].tolist() == [2, 6, 7, 1, 1]
    assert t.loc["b", ["bgbb_x", "bgbb_tx", "bgbb_n", "bgbb_x_holdout", "bgbb_n_holdout"]].tolist() == [0, 0, 3, 0, 1]
    # each customer's attribute on the first purchase day (the smallest of several): a web, b app
    assert t["channel"].tolist() == ["web", "app"] and out.report["attributes_varying"] == 2
    with pytest.raises(ParameterError, match="share a name with a column of the customer summary"):
        tr.summarize(log.rename(columns={"channel": "spend"}), customer_col="cust", date_col="when",
                     amount_col="value", calibration_end="2020-02-29", attributes=["spend"], engine=engine)
