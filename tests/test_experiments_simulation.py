"""Parameter recovery on crmlab.simulate.retention: coverage of the 95% intervals for the
average effect, CUPED variance reduction, uplift ranking of true responders, churn hazards."""
import numpy as np
import pytest

from crmlab import experiments as ex
from crmlab import survival as sv
from crmlab import uplift as up
from crmlab.simulate import retention as sim


def test_ate_intervals_cover_truth_93_to_97_percent():
    # 2,000 repetitions: the Monte Carlo standard error of a 95% coverage is 0.5 points
    cov = sim.ate_coverage(n_reps=2000, n=2000, seed=20261124)
    assert 0.93 <= cov["binary"] <= 0.97
    assert 0.93 <= cov["continuous"] <= 0.97


def test_generator_recovers_ate_segments_and_cuped_reduction():
    s = sim.simulate_experiment(60_000, arms=("control", "call", "offer"), ate={"call": 0.02, "offer": 0.05},
                                spend_ate={"call": 1.0, "offer": 3.0}, seed=1)
    itt = ex.itt_effects(s.data, "arm", "control", ["retained", "spend"]).set_index(["arm", "outcome"])
    for arm in ("call", "offer"):
        row = itt.loc[(arm, "retained")]
        assert row["ci_low"] < s.ate[arm] < row["ci_high"]
        assert abs(row["estimate"] - s.ate[arm]) < 3 * row["se"]
    cup = ex.cuped_effects(s.data, "arm", "control", ["spend"], ["pre_spend"]).set_index("arm")
    assert cup.loc["offer", "variance_reduction"] == pytest.approx(s.truth["cuped_variance_reduction"], abs=0.03)
    assert cup.loc["offer", "ci_low"] < 3.0 < cup.loc["offer", "ci_high"]
    # segment effects (x1 > 0 responds more)
    d = s.data[s.data.arm.isin(["control", "offer"])]
    for seg in ("high", "low"):
        e = ex.itt_effects(d[d.segment == seg], "arm", "control", ["retained"]).iloc[0]
        assert e["ci_low"] < s.truth["segment_ate"]["offer"][seg] < e["ci_high"]


def test_uplift_model_ranks_true_responders_above_random():
    s = sim.simulate_experiment(10_000, heterogeneity=0.12, ate=0.04, base_rate=0.4, seed=2)
    d = s.data
    X = d[["x1", "x2", "x3"]].to_numpy()
    t = (d.arm == "offer").astype(int).to_numpy()
    score = up.cross_fit_cate(X, t, d.retained, learner="t", n_folds=3, seed=0)
    truth = d["true_uplift_if_treated"].to_numpy()
    assert np.corrcoef(score, truth)[0, 1] > 0.5
    q = up.qini_summary(up.qini_curve(d.retained, t, score))
    assert q["auuc"] > q["qini_random"]
    # with the true uplift as the score the Qini area is (about) as large
    qt = up.qini_summary(up.qini_curve(d.retained, t, truth))
    assert q["qini_coefficient"] > 0.5 * qt["qini_coefficient"] > 0


def test_churn_generator_recovers_hazards_and_hazard_ratio():
    df = sim.simulate_churn(20_000, treatment_hr=0.7, seed=3)
    _, e, _ = sv.check_survival(df, "tenure", "churn")
    df = df.assign(event=e)
    cox = sv.cox_ph(df, "tenure", "event", ["treated"], strata="stratum", ph_check=False).summary.iloc[0]
    assert abs(cox["coef"] - np.log(0.7)) < 3 * cox["se"]
    ctrl = df[df.treated == 0]
    km = sv.kaplan_meier(ctrl.tenure, ctrl.event, ctrl.stratum)
    s12 = km.survival_at([12]).iloc[:, 0]
    for name, lam in {"Month-to-month": 0.05, "One year": 0.012, "Two year": 0.004}.items():
        assert s12[name] == pytest.approx(np.exp(-12 * lam), abs=0.02)
    mu, se = sv.rmst(ctrl.tenure[ctrl.stratum == "Month-to-month"], ctrl.event[ctrl.stratum == "Month-to-month"], 24)
    assert abs(mu - (1 - np.exp(-0.05 * 24)) / 0.05) < 3 * se


def test_rmst_interval_coverage_under_censoring():
    # exponential(0.05) churn, uniform(10, 40) follow-up; true RMST to 24 = (1 - exp(-1.2)) / 0.05
    rng = np.random.default_rng(20261124)
    truth = (1 - np.exp(-0.05 * 24)) / 0.05
    hits = 0
    reps = 600
    for _ in range(reps):
        t = rng.exponential(20, 300)
        c = rng.uniform(10, 40, 300)
        mu, se = sv.rmst(np.minimum(t, c), (t <= c).astype(int), 24)
        hits += abs(mu - truth) <= 1.96 * se
    assert 0.93 <= hits / reps <= 0.97
