"""Study 4's notebook works on any experiment and churn table by changing only its parameters:
run it on simulated data with known truth (the bundled-data run is in test_notebooks.py)."""
import json

import numpy as np
import pytest

from crmlab.simulate import retention as sim
from tests.conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "04_retention_experiments.ipynb"


@pytest.mark.slow
def test_notebook_runs_on_another_experiment_and_churn_table(tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    from jupyter_client.kernelspec import KernelSpecManager

    s = sim.simulate_experiment(9000, arms=("control", "call", "offer"), ate={"call": 0.02, "offer": 0.06},
                                spend_ate={"call": 1.0, "offer": 3.0}, seed=11)
    s.data.drop(columns=["true_uplift", "true_uplift_if_treated"]).to_csv(tmp_path / "exp.csv", index=False)
    churn = sim.simulate_churn(3000, seed=12)
    rng = np.random.default_rng(13)
    churn["customer_id"] = [f"C{100000 + i}" for i in range(len(churn))]
    churn["monthly_fee"] = rng.uniform(20, 80, len(churn)).round(2)
    churn.to_csv(tmp_path / "churn.csv", index=False)
    out = tmp_path / "out"
    monkeypatch.setenv("CRMLAB_OUTPUT_DIR", str(out))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout's crmlab
    kernels = KernelSpecManager().find_kernel_specs()
    params = dict(
        experiment=str(tmp_path / "exp.csv"), arm_col="arm", control="control", outcomes=["retained", "spend"],
        binary_outcomes=["retained"], covariates=["x1", "x2", "x3", "pre_spend"], expected_split=None,
        value_per_outcome={"spend": 0.5}, cost_per_contact=0.5, uplift_outcome="retained",
        compare_learners=[], uplift_folds=2, segments=["segment"], policy_bootstrap=100,
        survival_data=str(tmp_path / "churn.csv"), duration_col="tenure", event_col="churn",
        strata_col="stratum", cox_covariates=["stratum", "treated"], km_times=[6, 12, 24], rmst_tau=24.0,
        churn_exclude=[], value_col="monthly_fee", id_col="customer_id", cv_folds=2, top_n=5,
        ratio_metrics=["spend/retained"], ratio_covariates=["pre_spend"], aa_reps=100, reason_n=800,
        budget=None, n_contacts=1000)
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "run.ipynb"), parameters=params,
                               kernel_name="crmlab" if "crmlab" in kernels else "python3", cwd=str(tmp_path),
                               progress_bar=False)
    res = json.loads((out / "results.json").read_text())
    for key in ("srm", "itt", "cuped", "uplift", "policy", "survival", "churn_model", "sequential", "ratio",
                "budget_policy", "cox", "competing_risks", "aft"):
        assert key in res
    assert set(res["ratio"]) == {"call|spend/retained", "offer|spend/retained"}
    assert res["budget_policy"]["n_contacts"] <= 1000 and res["sequential"]["arrival"] == "simulated"
    itt = res["itt"]["offer|retained"]
    assert itt["ci_low"] < 0.06 < itt["ci_high"]
    assert res["uplift"]["arm"] == "offer"
    assert res["survival"]["cox"]["treated"] == pytest.approx(np.log(0.7), abs=0.25)
    assert set(res["survival"]["km"]) == {"Month-to-month", "One year", "Two year"}
    top = (out / "tables" / "churn_risk_value_top.csv").read_text()
    assert "C10" not in top and "c_" in top  # raw customer ids never reach a table


# ------------------------------------------------------------------ own data, as exported, through crmlab run
def _run(tmp_path, params: dict, name: str):
    """``crmlab run retention_experiments --params <yaml>`` with this checkout's crmlab in the kernel."""
    import os
    import subprocess
    import sys

    import yaml

    cfg = tmp_path / f"{name}.yaml"
    cfg.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    out = tmp_path / name
    env = {**{k: v for k, v in os.environ.items() if k != "CRMLAB_OUTPUT_DIR"}, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "crmlab.run.cli", "run", "retention_experiments", "--params",
                           str(cfg), "--out", str(out), "--no-progress"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=env)
    return proc, out / "04_retention_experiments"


QUICK = {"aa_reps": 100, "policy_bootstrap": 100, "compare_learners": [], "uplift_folds": 2, "monitoring_days": 7,
         "reason_n": 500, "cv_folds": 3}


@pytest.fixture(scope="module")
def coupon_xlsx(tmp_path_factory):
    """A coupon experiment exported to Excel (data on the second sheet), Chinese headers, arms 0/1, 是/否 outcomes,
    built from the bundled Hillstrom experiment's men's e-mail and no-e-mail customers."""
    import pandas as pd

    h = pd.read_csv(ROOT / "data" / "hillstrom" / "hillstrom.csv")
    h = h[h["segment"].isin(["Mens E-Mail", "No E-Mail"])].iloc[:3000].reset_index(drop=True)
    yn = {1: "是", 0: "否"}
    df = pd.DataFrame({"组别": (h["segment"] == "Mens E-Mail").astype(int), "是否到访": h["visit"].map(yn),
                       "是否购买": h["conversion"].map(yn), "消费金额": h["spend"], "最近购买月数": h["recency"],
                       "历史消费": h["history"], "渠道": h["channel"], "新客户": h["newbie"].map(yn)})
    path = tmp_path_factory.mktemp("coupon") / "coupon.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"说明": ["导出说明"]}).to_excel(w, sheet_name="说明", index=False)
        df.to_excel(w, sheet_name="券实验", index=False)
    return path, h


COUPON = {"sheet": "券实验", "arm_col": "组别", "control": "0", "outcomes": ["是否到访", "是否购买", "消费金额"],
          "binary_outcomes": ["是否到访", "是否购买"], "covariates": ["最近购买月数", "历史消费", "渠道", "新客户"],
          "segments": ["渠道", "新客户"], "ratio_metrics": ["消费金额/是否到访"], "ratio_covariates": ["最近购买月数", "历史消费"],
          "uplift_outcome": "是否到访", "value_per_outcome": {"消费金额": 1.0}, "cost_per_contact": 0.5, "budget": 200,
          "currency": "CNY", "survival_data": None, "lang": "zh"}


@pytest.mark.slow
def test_churn_table_alone_runs_and_no_raw_id_reaches_an_output(tmp_path):
    import pandas as pd

    t = pd.read_csv(ROOT / "data" / "telco_churn" / "telco_churn.csv").iloc[:1500]
    t = t.assign(churn=t["churn"].map({"Yes": "是", "No": "否"}))
    t.insert(0, "email", [f"kunde{i:04d}@example.com" for i in range(len(t))])
    t.to_csv(tmp_path / "churn.csv", index=False, encoding="gb18030")
    proc, out = _run(tmp_path, {**QUICK, "experiment": None, "survival_data": str(tmp_path / "churn.csv"),
                                "id_col": "email", "churn_exclude": ["total_charges", "email"]}, "churn")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {"survival", "cox", "sbg", "churn_model", "data"} <= set(res) and "itt" not in res
    assert res["sbg"]["not_fitted"]["One year"]["reason"] == "churn_rises_with_tenure"
    assert res["data"]["experiment"] is None and res["data"]["survival"]["event_map"] == {"否": 0, "是": 1}
    kf = json.loads((out / "findings.json").read_text(encoding="utf-8"))["findings"]
    assert 3 <= len(kf) <= 6 and [f["section"] for f in kf][0] == "survival"
    for f in [*out.rglob("*.json"), *out.rglob("*.csv"), *out.rglob("*.html"), *out.rglob("*.ipynb")]:
        assert "@example.com" not in f.read_text(encoding="utf-8", errors="ignore"), f.name


@pytest.mark.slow
def test_a_control_that_is_not_an_arm_is_named_with_the_file_and_parameter(tmp_path, coupon_xlsx):
    path, _ = coupon_xlsx
    proc, out = _run(tmp_path, {**QUICK, **COUPON, "experiment": str(path), "control": "2"}, "bad")
    assert proc.returncode != 0
    said = proc.stdout + proc.stderr + (out / "04_retention_experiments.html").read_text(encoding="utf-8")
    assert "coupon.xlsx: the control arm &#x27;2&#x27; (parameter control) is not a label of column" in said or \
        "coupon.xlsx: the control arm '2' (parameter control) is not a label of column" in said
