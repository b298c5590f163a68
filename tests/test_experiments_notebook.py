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
