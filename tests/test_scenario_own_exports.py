"""A researcher's own exports through studies 1-4, by parameters only (issue #11's scenario).

Four exports are built from the bundled data the way Chinese platforms write them:
- study 1: a satisfaction survey as a GBK CSV, Chinese item headers, Chinese construct names in the model
  text, 99 for "no answer" in two rows;
- study 2: a survey-platform export as a GBK CSV: Chinese headers, respondent ids, completion times as text
  (``2分10秒``, ``00:02:10``), skip codes ``(跳过)``, items on 1-5, 1-7 and a 0-10 recommendation item;
- study 3: a shop's order export (GBK): ``￥1,234.50`` amounts, order ids and statuses, refund rows, a
  repeated header line;
- study 4: a coupon experiment in Excel (second sheet): arms 0/1, 是/否 outcomes, no churn table.
All four run in one ``crmlab run --studies`` (quick settings); each study's numbers are compared with the
same data cleaned by hand and given to the estimators directly.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from crmlab import clv, experiments
from crmlab import transactions as tr
from crmlab.core import datasets
from crmlab.sem import PLSPM
from tests.conftest import ROOT, crmlab_cli, once_per_session
from tests.test_experiments_notebook import COUPON, QUICK
from tests.test_study_customers_data import shop_export, write_export

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scenario")]  # one worker runs the four studies once

ECSI_ZH = {**{f"imag{i}": f"形象{i}" for i in range(1, 6)}, **{f"sat{i}": f"满意{i}" for i in range(1, 5)},
           **{f"loy{i}": f"忠诚{i}" for i in range(1, 5)}}
MODEL_ZH = """
企业形象 =~ 形象1 + 形象2 + 形象3 + 形象4 + 形象5
满意度 =~ 满意1 + 满意2 + 满意3 + 满意4
忠诚度 =~ 忠诚1 + 忠诚2 + 忠诚3 + 忠诚4
满意度 ~ 企业形象
忠诚度 ~ 企业形象 + 满意度
"""
SURVEY_ZH = {"q1": "总体满意度", **{f"q{i}": f"属性{i - 1}" for i in range(2, 11)}}


def _loyalty_export(tmp):
    ecsi = pd.read_csv(ROOT / "data" / "ecsi" / "satisfaction.csv", index_col=0).reset_index(drop=True)
    export = ecsi.astype(object)
    export.loc[[4, 50], "sat1"] = 99
    export = export.rename(columns=ECSI_ZH)
    export.insert(0, "编号", range(1, len(export) + 1))
    path = tmp / "满意度调查.csv"
    export.to_csv(path, index=False, encoding="gbk")
    params = {"data": str(path), "model": MODEL_ZH, "satisfaction": "满意度", "loyalty": "忠诚度",
              "missing_codes": [99], "id_column": "编号", "group": None, "lang": "zh"}
    return params, ecsi.drop(index=[4, 50]).rename(columns=ECSI_ZH)


def _survey_export(tmp):
    sat = datasets.load_customer_sat().head(600).reset_index(drop=True)
    items = list(SURVEY_ZH)
    export = sat.copy()
    export[items[:5]] = ((export[items[:5]] - 1) // 2 + 1).clip(1, 5)          # 1-10 answers on a 1-5 scale
    export[items[5:]] = ((export[items[5:]] - 1) * 6 // 9 + 1).clip(1, 7)      # and on a 1-7 scale
    export["推荐意愿"] = sat["q1"]                                              # 1-10 answers of a 0-10 item
    clean = export.rename(columns=SURVEY_ZH).copy()
    export = export.astype(object)
    export.loc[[5, 6, 7], "q3"] = "(跳过)"
    export.insert(0, "所用时间", [f"{120 + (i * 37) % 300}秒" if i % 2 else f"00:0{2 + i % 5}:10" for i in range(600)])
    export.insert(0, "答卷编号", [f"R{1000 + i}" for i in range(600)])
    path = tmp / "问卷星导出.csv"
    export.rename(columns=SURVEY_ZH).to_csv(path, index=False, encoding="gbk")
    params = {"data": str(path), "outcome": "总体满意度", "drivers": [SURVEY_ZH[f"q{i}"] for i in range(2, 11)],
              "id_column": "答卷编号", "duration_column": "所用时间", "nps_item": "推荐意愿"}
    return params, clean.drop(index=[5, 6, 7])


def _shop_export(tmp):
    log = datasets.load_cdnow_sample()[["customer_id", "date", "amount"]].reset_index(drop=True)
    export, clean, _ = shop_export(log)
    path = write_export(export, tmp / "订单导出.csv")
    params = {"transactions": str(path), "customer_col": "买家会员名", "date_col": "付款时间", "amount_col": "实付金额",
              "order_col": "订单编号", "status_col": "订单状态", "currency": "CNY"}
    return params, clean


def _coupon_export(tmp):
    h = pd.read_csv(ROOT / "data" / "hillstrom" / "hillstrom.csv")
    h = h[h["segment"].isin(["Mens E-Mail", "No E-Mail"])].iloc[:3000].reset_index(drop=True)
    yn = {1: "是", 0: "否"}
    df = pd.DataFrame({"组别": (h["segment"] == "Mens E-Mail").astype(int), "是否到访": h["visit"].map(yn),
                       "是否购买": h["conversion"].map(yn), "消费金额": h["spend"], "最近购买月数": h["recency"],
                       "历史消费": h["history"], "渠道": h["channel"], "新客户": h["newbie"].map(yn)})
    path = tmp / "优惠券实验.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"说明": ["导出说明"]}).to_excel(w, sheet_name="说明", index=False)
        df.to_excel(w, sheet_name="券实验", index=False)
    return {**QUICK, **COUPON, "experiment": str(path)}, h


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return once_per_session(tmp_path_factory, "own_exports", _run_scenario)


def _run_scenario(tmp):
    quick = {s["name"]: s.get("quick", {}) for s in
             yaml.safe_load((ROOT / "notebooks" / "studies.yaml").read_text(encoding="utf-8"))["studies"]}
    built = {"satisfaction_loyalty": (_loyalty_export(tmp), "01_satisfaction_loyalty.ipynb"),
             "survey_regression": (_survey_export(tmp), "02_survey_regression.ipynb"),
             "segmentation_clv": (_shop_export(tmp), "03_segmentation_clv.ipynb"),
             "retention_experiments": (_coupon_export(tmp), "04_retention_experiments.ipynb")}
    entries = [{"name": name, "notebook": str(ROOT / "notebooks" / nb), "parameters": {**quick[name], **params}}
               for name, ((params, _), nb) in built.items()]
    spec = tmp / "own_exports.yaml"
    spec.write_text(yaml.safe_dump({"studies": entries}, allow_unicode=True), encoding="utf-8")
    out = tmp / "run"
    proc = crmlab_cli("run", "--studies", str(spec), "--out", str(out), "--jobs", "2", "--no-progress", timeout=1800)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return {name: (out / nb.removesuffix(".ipynb"), ref) for name, ((_, ref), nb) in built.items()}


def _results(folder):
    return json.loads(next(folder.glob("results.json")).read_text(encoding="utf-8"))


def _html(folder):
    return next(folder.glob("*.html")).read_text(encoding="utf-8")


def test_study_1_on_a_gbk_survey_with_chinese_items_and_constructs_matches_the_hand_cleaned_fit(scenario):
    folder, clean = scenario["satisfaction_loyalty"]
    res = _results(folder)
    assert res["hygiene"]["rows_used"] == 248 and res["hygiene"]["missing_codes"] == {"满意1": 2}
    by_hand = PLSPM(MODEL_ZH).fit(clean)
    for path in ("满意度~企业形象", "忠诚度~企业形象", "忠诚度~满意度"):
        assert res["pls"]["paths"][path] == pytest.approx(by_hand.paths_[path], rel=1e-9)
    assert res["cutoffs"]["loyal_min"] == 7 and res["cutoffs"]["derived"][0] == "loyal_min"
    html = _html(folder)
    assert "满意度调查.csv" in html and "西班牙" not in html and 'id="key-findings"' in html
    assert "满意度 → 忠诚度" in html and "忠诚度~满意度" not in html.split('id="sec-variables"')[0]


def test_study_2_on_a_platform_export_matches_the_survey_cleaned_by_hand(scenario):
    folder, clean = scenario["survey_regression"]
    res = _results(folder)
    hyg = res["hygiene"]
    assert hyg["rows_used"] == 597 and hyg["excluded_by_reason"]["missing"] == 3
    assert hyg["scales"]["总体满意度"] == [1.0, 5.0] and hyg["scales"]["属性9"] == [1.0, 7.0]
    assert hyg["scales"]["推荐意愿"] == [0.0, 10.0]
    assert res["descriptives"]["top2box"]["总体满意度"] == pytest.approx((clean["总体满意度"] >= 4).mean(), rel=1e-12)
    rec = clean["推荐意愿"]
    assert res["nps"]["score"] == pytest.approx(100 * ((rec >= 9).mean() - (rec <= 6).mean()), rel=1e-12)
    X = np.column_stack([np.ones(len(clean)), clean[[f"属性{i}" for i in range(1, 10)]].to_numpy(float)])
    y = clean["总体满意度"].to_numpy(float)
    resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    assert res["ols"]["r2"] == pytest.approx(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())), rel=1e-10)
    html = _html(folder)
    assert "问卷星导出.csv" in html and "600 respondents" in html and "Yellow Pages" not in html
    assert "R1000" not in html  # respondent ids are shown by their pseudonyms


def test_study_3_on_a_shop_export_with_refunds_matches_the_orders_cleaned_by_hand(scenario):
    folder, clean = scenario["segmentation_clv"]
    res = _results(folder)
    summary = tr.summarize(clean, calibration_end="1997-09-30", holdout_end="1998-06-30")
    assert res["summary"]["customers"] == len(summary.table) == 2246
    assert res["summary"]["data_rules"]["header_lines_dropped"] == 1
    t = summary.table
    bg = clv.BGNBD().fit(t["frequency"], t["recency"], t["T"])
    assert [res["bgnbd"][k] for k in ("r", "alpha", "a", "b")] == pytest.approx(
        [bg.params_[k] for k in ("r", "alpha", "a", "b")], rel=1e-6)
    found = json.loads(next(folder.glob("findings.json")).read_text(encoding="utf-8"))["findings"]
    assert any("元" in f["text"] or "¥" in f["text"] or "CN¥" in f["text"] for f in found)
    html = _html(folder)
    assert "订单导出.csv" in html and "2,357 customers who first bought in Q1 1997" not in html


def test_study_4_on_a_coupon_export_with_yes_no_outcomes_matches_the_estimator_on_the_clean_table(scenario):
    folder, h = scenario["retention_experiments"]
    res = _results(folder)
    assert res["data"]["experiment"]["value_maps"]["是否购买"] == {"否": 0, "是": 1}
    for outcome, ref_col in (("是否到访", "visit"), ("是否购买", "conversion")):
        ref = experiments.itt_effects(h, "segment", "No E-Mail", [ref_col], binary={ref_col: True}).iloc[0]
        got = res["itt"][f"1|{outcome}"]
        assert (got["estimate"], got["ci_low"], got["ci_high"]) == pytest.approx(
            (ref["estimate"], ref["ci_low"], ref["ci_high"]), rel=1e-10)
    assert not {"survival", "cox", "sbg", "churn_model"} & set(res) and res["data"]["survival"] is None
    found = json.loads(next(folder.glob("findings.json")).read_text(encoding="utf-8"))
    assert found["lang"] == "zh" and 3 <= len(found["findings"]) <= 6
    words = " ".join(f["text"] for f in found["findings"])
    assert "个百分点" in words and "元" in words and "实验组 1" in words
    html = _html(folder)
    assert "优惠券实验.xlsx" in html and "主要发现" in html and "是 → 1" in html and "未提供流失表" in html
