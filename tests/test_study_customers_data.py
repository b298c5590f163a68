"""Study 3 on a researcher's own log and for a manager (issues #11, #12, #13, #15), built in each test from the
bundled CDNOW sample: a Chinese shop export (GBK, Chinese headers, ¥ amounts, order ids, a status column,
refund rows, a repeated header line), an Excel export, logs that are empty, hold one customer or end before the
calibration end; the per-customer table kept in the engine; covariates, a joined campaign and BG/BB.

References: the same log cleaned by hand (cancelled orders removed, refunds subtracted from their order in
cents) summarised by :func:`crmlab.transactions.summarize`; the study's driver path for the engine path
(same formulas, compared to 1e-8); the estimators called directly for the optional sections.
The slow test runs the notebook with the optional sections; the notebook on a shop export runs in
tests/test_scenario_own_exports.py, a calibration end after the log in tests/test_bad_inputs.py.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from crmlab import clv
from crmlab import transactions as tr
from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.report import use_lang
from crmlab.report.fmt import use_currency
from crmlab.report.i18n import use_catalog
from crmlab.studies.customers import data, extras, findings, sentences_extra, steps, text
from tests.conftest import crmlab_cli

CAL, HOLD = "1997-09-30", "1998-06-30"
HEAD = ["买家会员名", "订单编号", "付款时间", "实付金额", "订单状态"]
COLUMNS = {"customer_col": "买家会员名", "date_col": "付款时间", "amount_col": "实付金额", "order_col": "订单编号",
           "status_col": "订单状态"}


@pytest.fixture(autouse=True)
def _words(tmp_path, monkeypatch):
    monkeypatch.setenv("CRMLAB_OUTPUT_DIR", str(tmp_path / "out"))
    use_catalog(text.CATALOG)
    use_currency(None)
    yield
    use_currency(None)


@pytest.fixture(scope="module")
def cdnow():
    return datasets.load_cdnow_sample()[["customer_id", "date", "amount"]].reset_index(drop=True)


def shop_export(log: pd.DataFrame):
    """The CDNOW sample as a shop exports it, and the same orders cleaned by hand.

    Every row is an order. Every 19th order is refunded in full by a refund row 4 days later (status 退款成功),
    every 23rd (not refunded in full) by 30% of its amount, every 31st is closed unpaid (交易关闭); orders after
    1998-06-20 are not refunded (the refund would fall after the holdout end). Amounts are written ￥1,234.50
    (the full-width yuan sign GBK can encode).
    """
    orders = log.assign(order=[f"SO{i:05d}" for i in range(len(log))], status="交易成功")
    i = np.arange(len(orders))
    late = orders["date"] > pd.Timestamp("1998-06-20")
    full = (i % 19 == 0) & ~late
    part = (i % 23 == 0) & ~full & ~late
    closed = (i % 31 == 0) & ~full & ~part
    orders.loc[closed, "status"] = "交易关闭"
    cents = np.round(orders["amount"].to_numpy() * 100).astype(np.int64)
    refund_cents = np.where(full, cents, np.where(part, np.round(cents * 0.3).astype(np.int64), 0))
    refunds = orders[full | part].assign(date=lambda f: f["date"] + pd.Timedelta(days=4), status="退款成功",
                                         amount=-refund_cents[full | part] / 100)
    export = pd.concat([orders, refunds], ignore_index=True).sort_values(["date", "order"], kind="stable")
    text_amount = ["￥{:,.2f}".format(a) if a >= 0 else "-￥{:,.2f}".format(-a) for a in export["amount"]]
    out = pd.DataFrame({"买家会员名": export["customer_id"].to_numpy(), "订单编号": export["order"].to_numpy(),
                        "付款时间": export["date"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
                        "实付金额": text_amount, "订单状态": export["status"].to_numpy()})
    clean = orders[~closed & ~full].assign(amount=(cents - refund_cents)[~closed & ~full] / 100)
    counts = {"status_excluded": int(closed.sum()), "refund_rows_netted": int((full | part).sum()),
              "purchases_refunded": int(full.sum())}
    return out, clean[["customer_id", "date", "amount"]], counts


def write_export(frame: pd.DataFrame, path, *, header_at: int = 3000, encoding: str = "gbk"):
    """A concatenated export: the header line repeated at row ``header_at``."""
    lines = frame.to_csv(index=False).splitlines(keepends=True)
    path.write_bytes(("".join(lines[:header_at]) + lines[0] + "".join(lines[header_at:])).encode(encoding))
    return path


def test_a_chinese_shop_export_gives_the_summary_of_the_same_orders_cleaned_by_hand(cdnow, tmp_path):
    export, clean, counts = shop_export(cdnow)
    path = write_export(export, tmp_path / "订单导出.csv")
    log = data.open_log(str(path), columns=COLUMNS)
    assert log.file == "订单导出.csv" and not log.bundled and log.rows == len(export) + 1
    run = data.customer_summary(log, calibration_end=CAL, holdout_end=HOLD, order_col="订单编号", status_col="订单状态",
                                exclude_status=("交易关闭", "已退款"))
    ref = tr.summarize(clean, calibration_end=CAL, holdout_end=HOLD)
    pd.testing.assert_frame_equal(run.table, ref.table, check_exact=True)
    rules = steps.summary_record(run)["data_rules"]
    assert {k: rules[k] for k in counts} == counts
    assert rules["header_lines_dropped"] == 1 and rules["refunds_unmatched"] == 0 and rules["rows_read"] == len(
        export) + 1
    # the bug: refunds dropped while the refunded orders count at full value, cancelled orders kept
    naive = data.customer_summary(log, calibration_end=CAL, holdout_end=HOLD, returns="drop")
    assert naive.report["transactions_calibration"] > run.report["transactions_calibration"]
    assert naive.table["spend"].sum() > run.table["spend"].sum()


def test_key_findings_carry_the_currency_and_the_sections_speak_both_languages(cdnow, tmp_path):
    export, _, _ = shop_export(cdnow)
    path = write_export(export, tmp_path / "orders.csv", encoding="utf-8")
    log = data.open_log(str(path), columns=COLUMNS)
    run = data.customer_summary(log, calibration_end=CAL, holdout_end=HOLD, order_col="订单编号", status_col="订单状态",
                                settings={"horizon": 52.0, "discount_rate": 0.1, "warning_p_alive": 0.5})
    fits = steps.models(run)
    check = steps.holdout(fits, run)
    seg = steps.segments(run)
    val = steps.value(run, fits, horizon=52.0, discount_rate=0.1, draws=50, seed=1)
    life = steps.lifecycle_of(run, val, warning_p_alive=0.5)
    cl = steps.cluster_input(run, seg, val)
    portrait = pd.DataFrame({"customers": [500, 1000], "share": [0.3, 0.7], "value_share": [0.7, 0.3]}, index=[1, 2])
    kw = dict(run=run, seg=seg, val=val, life=life, portrait=portrait, check=check, horizon=52.0, discount_rate=0.1,
              time_unit="weeks", warning_p_alive=0.5)
    use_currency("CNY")
    en = findings.key_findings(**kw)
    with use_lang("zh"):
        zh = findings.key_findings(**kw)
        summary = findings.summary(**kw)
    assert 3 <= len(en) <= 6 and [s for _, s in en] == ["value", "value", "lifecycle", "holdout", "clusters"]
    for text_en, text_zh in zip([t for t, _ in en], [t for t, _ in zh]):
        if re.search("CLV|value|worth", text_en):
            assert "¥" in text_en, text_en
        if "价值" in text_zh:
            assert "元" in text_zh, text_zh
    total = val.worth.total
    assert f"¥{total:,.0f}" in en[0][0] and f"{total:,.0f} 元" in zh[0][0]
    lo, hi = val.interval.summary.loc["total", ["ci_low", "ci_high"]]
    assert f"95% 区间 {lo:,.0f} 至 {hi:,.0f} 元" in zh[0][0]
    assert "研究" in summary and "notebook" not in summary and "results.json" not in summary
    assert len(cl.features) == run.n_customers


def test_dates_outside_the_log_empty_logs_and_one_customer_are_named(cdnow, tmp_path):
    path = tmp_path / "log.csv"
    cdnow.assign(date=cdnow["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    log = data.open_log(str(path))
    with pytest.raises(ParameterError) as err:
        data.customer_summary(log, calibration_end="1998-07-31", holdout_end="1998-12-31")
    msg = str(err.value)
    assert msg.startswith("calibration_end (1998-07-31) is on or after the last transaction: the transactions in file "
                          "log.csv run from 1997-01-01 to 1998-06-30")
    empty = tmp_path / "empty.csv"
    empty.write_text("customer_id,date,amount\n")
    with pytest.raises(DataError, match=r"empty.csv has no transactions \(no data rows\)"):
        data.customer_summary(data.open_log(str(empty)), calibration_end=CAL, holdout_end=HOLD)
    one = tmp_path / "one.csv"
    # customer 157 bought 47 times from 1997-01-07 to 1998-06-11: the dates are fine, the customer base is not
    cdnow[cdnow["customer_id"] == 157].assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d")).to_csv(one,
                                                                                                     index=False)
    with pytest.raises(DataError, match=r"one.csv: only one customer made a purchase by calibration_end \(1997-09-30\)"):
        data.customer_summary(data.open_log(str(one)), calibration_end=CAL, holdout_end=HOLD)
    few = tmp_path / "once.csv"
    firsts = cdnow.drop_duplicates("customer_id")
    firsts.assign(date=firsts["date"].dt.strftime("%Y-%m-%d")).to_csv(few, index=False)
    with pytest.raises(DataError, match="no customer of the 2,357 bought again before calibration_end"):
        data.customer_summary(data.open_log(str(few)), calibration_end=CAL, holdout_end=None)
    with pytest.raises(DataError, match=r"log.csv: parameter 'customer_col' names column 'buyer', which is not in its "
                                        r"header.*Its columns: customer_id, date, amount"):
        data.open_log(str(path), columns={"customer_col": "buyer"})


def test_excel_folder_and_glob_logs_give_the_bundled_summary(cdnow, tmp_path):
    ref = tr.summarize(cdnow, calibration_end=CAL, holdout_end=HOLD).table
    xlsx = tmp_path / "export.xlsx"
    with pd.ExcelWriter(xlsx) as xl:
        pd.DataFrame({"说明": ["导出"]}).to_excel(xl, sheet_name="说明", index=False)
        cdnow.to_excel(xl, sheet_name="orders", index=False)
    folder = tmp_path / "parquet"
    folder.mkdir()
    for k, part in cdnow.groupby(cdnow.index % 3):
        part.to_parquet(folder / f"part{k}.parquet")
    for source, kw in ((str(xlsx), {"sheet": "orders"}), (str(folder), {}), (str(folder / "*.parquet"), {})):
        log = data.open_log(source, columns={"customer_col": "customer_id"}, **kw)
        run = data.customer_summary(log, calibration_end=CAL, holdout_end=HOLD)
        pd.testing.assert_frame_equal(run.table, ref, check_exact=True, check_freq=False)


def test_customers_kept_in_the_engine_give_the_driver_paths_numbers(cdnow):
    settings = {"horizon": 52.0, "discount_rate": 0.1, "warning_p_alive": 0.5}
    log = data.open_log("data/cdnow/CDNOW_sample.txt")
    assert log.bundled and log.codebook.currency == "USD"
    drv = data.customer_summary(log, calibration_end=CAL, holdout_end=HOLD, settings=settings)
    eng = data.customer_summary(log, calibration_end=CAL, holdout_end=HOLD, keep_in_engine="always",
                                settings=settings)
    assert eng.in_engine and not drv.in_engine and eng.report == drv.report
    assert eng.engine_record()["customers_in_engine"] is True
    f_d, f_e = steps.models(drv), steps.models(eng)
    for a, b in ((f_d.bgnbd, f_e.bgnbd), (f_d.paretonbd, f_e.paretonbd), (f_d.gammagamma, f_e.gammagamma)):
        np.testing.assert_allclose(b.params_.to_numpy(), a.params_.to_numpy(), rtol=1e-7)
    assert f_e.independence["pearson"] == pytest.approx(f_d.independence["pearson"], rel=1e-10)
    s_d, s_e = steps.segments(drv), steps.segments(eng)
    pd.testing.assert_series_equal(s_e.counts, s_d.counts, check_names=False, check_dtype=False)
    assert s_e.one_timers == pytest.approx(s_d.one_timers) and s_e.f_scores == s_d.f_scores
    h_d, h_e = steps.holdout(f_d, drv), steps.holdout(f_e, eng)
    for k, v in h_d.errors.items():
        assert h_e.errors[k] == pytest.approx(v, rel=1e-7)
    v_d = steps.value(drv, f_d, horizon=52.0, discount_rate=0.1, draws=0)
    v_e = steps.value(eng, f_e, horizon=52.0, discount_rate=0.1, draws=0)
    assert v_e.worth.total == pytest.approx(v_d.worth.total, rel=1e-7)
    assert v_e.worth.concentration["top20_share"] == pytest.approx(v_d.worth.concentration["top20_share"], rel=1e-7)
    assert v_e.record["tiers"] == v_d.record["tiers"]
    l_d, l_e = steps.lifecycle_of(drv, v_d), steps.lifecycle_of(eng, v_e)
    assert l_e.record["customers"] == l_d.record["customers"]
    assert l_e.record["value_at_risk"] == pytest.approx(l_d.record["value_at_risk"], rel=1e-9)
    assert list(l_e.warning.index[:5]) == list(l_d.warning.index[:5])
    c_e = steps.cluster_input(eng, s_e, v_e)
    c_d = steps.cluster_input(drv, s_d, v_d)
    assert c_e.sampled is None
    np.testing.assert_allclose(c_e.features.to_numpy(), c_d.features.to_numpy(), rtol=1e-7)
    desc_e, desc_d = steps.describe_customers(eng), steps.describe_customers(drv)
    np.testing.assert_allclose(desc_e[["count", "mean", "std", "min", "max"]].to_numpy(),
                               desc_d[["count", "mean", "std", "min", "max"]].to_numpy(), rtol=1e-9)
    eng.close()


def test_covariates_campaign_and_bgbb_equal_their_estimators(cdnow, tmp_path):
    log = data.open_log("data/cdnow/CDNOW_sample.txt", columns={"covariates": ["cds"]})
    run = data.customer_summary(log, calibration_end=CAL, holdout_end=HOLD, attributes=["cds"], bgbb_period="months")
    S = run.table
    # covariates from the log: each customer's CDs on the first purchase day
    first = datasets.load_cdnow_sample().sort_values("date").groupby("customer_id").apply(
        lambda g: g.loc[g["date"] == g["date"].min(), "cds"].min(), include_groups=False)
    np.testing.assert_array_equal(S["cds"].to_numpy(), first.reindex(S.index).to_numpy())
    cov = extras.covariates_of(run, ["cds"])
    direct = clv.BGNBDCovariates(purchase=["cds"], dropout=["cds"]).fit(S["frequency"], S["recency"], S["T"],
                                                                       covariates=S[["cds"]].astype(float))
    np.testing.assert_allclose(cov.bgnbd.coef_.to_numpy(), direct.coef_.to_numpy(), rtol=1e-8)
    rec = cov.records()
    assert set(rec) == {"bgnbd_cov", "paretonbd_cov"} and "ratios" in rec["bgnbd_cov"]
    # the same covariate from a customer table (ids as text, one customer missing)
    table = pd.DataFrame({"cid": S.index.astype(str)[1:], "cds": S["cds"].to_numpy()[1:]})
    table.to_csv(tmp_path / "customers.csv", index=False)
    cov2 = extras.covariates_of(run, ["cds"], customers=str(tmp_path / "customers.csv"), customers_id_col="cid")
    assert cov2.n_missing == 1 and cov2.n_used == len(S) - 1
    # a campaign randomised over the CDNOW customers, coded 0/1, with 40 unknown ids and 57 customers without an arm
    rng = np.random.default_rng(5)
    ids = np.r_[S.index.to_numpy()[57:], np.arange(90001, 90041)]
    assign = pd.DataFrame({"customer_id": ids, "group": rng.integers(0, 2, len(ids))})
    assign.to_csv(tmp_path / "assign.csv", index=False)
    res = extras.campaign_of(run, str(tmp_path / "assign.csv"), arm_col="group", control="0", horizon=52.0)
    counts = res.as_dict()["matching"]
    assert counts["n_matched"] == len(S) - 57 and counts["n_summary_only"] == 57 and counts["n_assignment_only"] == 40
    ref = clv.campaign_effect(S[["frequency", "recency", "T", "monetary_value"]],
                              assign.assign(group=assign["group"].astype(str)), arm_col="group", control="0",
                              horizon=52.0, discount_rate=0.1, time_unit_days=7.0)
    pd.testing.assert_frame_equal(res.effects, ref.effects)
    with pytest.raises(ParameterError, match=r"control='2' is not an arm of column 'group'; its arms: 0, 1"):
        extras.campaign_of(run, str(tmp_path / "assign.csv"), arm_col="group", control="2")
    dup = pd.concat([assign, assign.iloc[[3]]])
    dup.to_csv(tmp_path / "dup.csv", index=False)
    with pytest.raises(DataError, match=r"dup.csv: 2 rows repeat a customer id in column 'customer_id' \(parameter "
                                        r"'assignment_id_col'; rows 5, 2342\)"):
        extras.campaign_of(run, str(tmp_path / "dup.csv"), arm_col="group")
    with use_lang("zh"):
        words = sentences_extra.campaign_text(res, 52.0, "weeks")
    assert "实验分组表与交易记录匹配到" in words and "57 位有交易记录的客户不在分组表中" in words
    # BG/BB on whole months after each first purchase equals the estimator on the summary's columns
    bg = extras.bgbb_of(run, "months")
    keep = S["bgbb_n"] >= 1
    direct = clv.BGBB().fit(S.loc[keep, "bgbb_x"], S.loc[keep, "bgbb_tx"], S.loc[keep, "bgbb_n"])
    np.testing.assert_allclose(bg.model.params_.to_numpy(), direct.params_.to_numpy(), rtol=1e-10)
    r = bg.record()
    assert r["period"] == "months" and r["holdout"]["actual"] == float(S.loc[keep, "bgbb_x_holdout"].sum())
    assert extras.bgbb_of(run, "none") is None and extras.campaign_of(run, None) is None


@pytest.mark.slow
def test_the_notebook_runs_with_a_joined_experiment_covariates_and_bgbb_in_chinese(cdnow, tmp_path):
    rng = np.random.default_rng(11)
    ids = np.sort(cdnow["customer_id"].unique())
    pd.DataFrame({"customer_id": ids, "arm": np.where(rng.random(len(ids)) < 0.5, "coupon", "control")}).to_csv(
        tmp_path / "assign.csv", index=False)
    out = tmp_path / "run"
    proc = crmlab_cli("run", "segmentation_clv", "--quick", "--out", str(out), "--no-progress", "-p", "lang=zh",
                      "-p", f"assignment={tmp_path / 'assign.csv'}", "-p", "covariates=[cds]", "-p",
                      "bgbb_period=months")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    res = json.loads(next(out.rglob("results.json")).read_text())
    assert {"campaign", "bgnbd_cov", "paretonbd_cov", "bgbb"} <= set(res)
    assert res["campaign"]["matching"]["n_matched"] == 2357 and res["clv"]["interval_draws"] == 100
    found = json.loads(next(out.rglob("findings.json")).read_text())["findings"]
    assert found[-1]["section"] == "campaign" and "美元" in found[-1]["text"]
    html = next(out.rglob("03_segmentation_clv.html")).read_text(encoding="utf-8")
    assert "营销活动对购买、流失和 CLV 的效应" in html and "附录：变量" in html
