"""Study 4, the analyses added by issue #16: sequential monitoring, ratio metrics, budgeted targeting, the
proportional-hazards reading, churn by reason and the AFT models. Steps are checked against the estimators they
call (identities: the step returns what the estimator returns on the same inputs) or against sums computed here;
sentences are checked word for word in both languages from known numbers; tables and figures for their labels."""
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlab import aft as aftm
from crmlab import competing_risks as cr
from crmlab import fine_gray as fg
from crmlab import ratio_metrics as rm
from crmlab import sequential as sq
from crmlab import survival as sv
from crmlab import targeting as tg
from crmlab.core.errors import DataError, ParameterError
from crmlab.report import use_lang
from crmlab.report.narrative import p_phrase
from crmlab.simulate.competing_risks import simulate_competing_risks
from crmlab.studies.retention import plots, steps, tables
from crmlab.studies.retention import sentences as s
from tests.conftest import FIXTURES


@pytest.fixture(autouse=True)
def _catalog():
    """The study's words with the bundled data's codebooks, dollars and months, as a run on the bundled data has."""
    from tests.test_study_retention import bundled_words

    with bundled_words():
        yield
    plt.close("all")


def _experiment(seed=0, n=4000):
    rng = np.random.default_rng(seed)
    arm = rng.choice(["ctl", "A", "B"], n)
    visit = (rng.uniform(size=n) < 0.2 + 0.1 * (arm == "A")).astype(int)
    spend = visit * rng.gamma(2.0, 5.0, n) * (1 + 0.3 * (arm == "B"))
    return pd.DataFrame({"arm": arm, "visit": visit, "spend": spend, "history": rng.gamma(2.0, 50.0, n),
                         "x": rng.normal(size=n), "day": rng.integers(1, 8, n)})


@pytest.fixture(scope="module")
def lung():
    df = pd.read_csv(FIXTURES / "lung.csv").dropna(subset=["ph.ecog"]).reset_index(drop=True)
    return df.assign(dead=(df.status == 2).astype(int), sex=df.sex.map({1: "male", 2: "female"}))


# ------------------------------------------------------------------ sequential monitoring
def test_arrivals_simulated_with_the_seed_or_read_from_the_column():
    df = _experiment()
    a = steps.arrivals(df, None, 14, 5)
    assert a.simulated and a.n_looks == 14 and a.column is None
    assert np.array_equal(a.days, np.random.default_rng(5).integers(1, 15, len(df)))
    assert a.days.min() >= 1 and a.days.max() <= 14
    b = steps.arrivals(df, "day", 14, 5)
    assert not b.simulated and b.n_looks == 7 and b.column == "day" and np.array_equal(b.days, df["day"])
    bad = df.assign(day=df["day"].astype(float))
    bad.loc[[3, 9], "day"] = np.nan
    with pytest.raises(DataError, match=r"arrival_col 'day' is missing at rows \[4, 10\]"):
        steps.arrivals(bad, "day", 14, 5)
    with pytest.raises(DataError, match="arrival_col 'when' not found"):
        steps.arrivals(df, "when", 14, 5)
    with pytest.raises(ParameterError, match="monitoring_days"):
        steps.arrivals(df, None, 1, 5)


def test_sequential_steps_are_the_confidence_sequence_of_each_outcome():
    df = _experiment(1)
    arrival = steps.arrivals(df, "day", 14, 0)
    seq = steps.sequential_effects(df, "arm", "ctl", ["visit", "spend"], ["visit"], arrival, level=0.9)
    ref = sq.confidence_sequence(df, "arm", "ctl", "spend", "day", binary=False, level=0.9)
    pd.testing.assert_frame_equal(seq["spend"].table, ref.table)
    assert seq["visit"].binary and not seq["spend"].binary
    summary = steps.sequential_summary(seq)
    assert summary[["outcome", "arm"]].values.tolist() == [["visit", "A"], ["visit", "B"], ["spend", "A"],
                                                           ["spend", "B"]]
    assert summary.iloc[2]["estimate"] == ref.summary().iloc[0]["estimate"]
    rec = steps.sequential_record(summary, arrival, None, 0.9)
    assert rec["arrival"] == "day" and rec["n_looks"] == 7 and "aa" not in rec
    assert list(rec["effects"]) == ["A|visit", "B|visit", "A|spend", "B|spend"]
    assert list(rec["effects"]["A|visit"]) == list(steps.SEQ_FIELDS)
    never = summary["first_look"].isna()
    assert all(rec["effects"][f"{r.arm}|{r.outcome}"]["first_look"] is None for r in summary[never].itertuples())


def test_aa_simulation_is_the_error_rate_simulation_of_an_experiment_like_this_one():
    df = _experiment(2)
    assert steps.aa_outcome(["spend", "visit"], ["visit"]) == ("visit", True)
    assert steps.aa_outcome(["spend"], []) == ("spend", False)
    aa = steps.aa_simulation(df, "arm", "ctl", "A", "visit", True, 10, 300, level=0.95, seed=3)
    sub = df[df["arm"].isin(["ctl", "A"])]
    p_ctl = sub.loc[sub["arm"] == "ctl", "visit"].mean()
    ref = sq.sequential_error_rates(300, 10, round(len(sub) / 10), share_treated=(sub["arm"] == "A").mean(),
                                    level=0.95, seed=3, outcome="binary", p_control=p_ctl)
    assert {k: aa[k] for k in ref} == ref and aa["base"] == p_ctl and aa["arm"] == "A"
    assert aa["cs_error"] <= 0.05 < aa["naive_error"]  # the point of the section, at this seed
    t = steps.aa_table(aa)
    assert t["method"].tolist() == ["confidence_sequence", "naive_daily", "fixed_end"]
    assert t["mc_se"].iloc[1] == pytest.approx(np.sqrt(aa["naive_error"] * (1 - aa["naive_error"]) / 300))
    assert steps.aa_simulation(df, "arm", "ctl", "A", "visit", True, 10, 0, level=0.95, seed=3) is None
    normal = steps.aa_simulation(df, "arm", "ctl", "A", "spend", False, 5, 50, level=0.95, seed=3)
    assert normal["outcome"] == "normal" and normal["base"] == pytest.approx(
        sub.loc[sub["arm"] == "ctl", "spend"].mean())


# ------------------------------------------------------------------ ratio metrics
def test_parse_ratios_accepts_texts_and_pairs():
    assert steps.parse_ratios(["spend/visit", ["orders", "active"], " a / b "]) == [
        ("spend", "visit"), ("orders", "active"), ("a", "b")]
    assert steps.parse_ratios([]) == [] and steps.parse_ratios(None) == []
    for bad in (["spend"], ["a/b/c"], ["/visit"]):
        with pytest.raises(ParameterError, match="ratio_metrics"):
            steps.parse_ratios(bad)


def test_ratio_table_is_ratio_effects_per_metric_and_the_plain_ratio_of_sums():
    df = _experiment(3)
    t = steps.ratio_table(df, "arm", "ctl", [("spend", "visit")], [], level=0.95)
    sums = df.groupby("arm")[["spend", "visit"]].sum()
    ratio = sums["spend"] / sums["visit"]
    assert t["arm"].tolist() == ["A", "B"] and (t["metric"] == "spend/visit").all()
    assert t["estimate"].to_numpy() == pytest.approx((ratio[["A", "B"]] - ratio["ctl"]).to_numpy(), rel=1e-12)
    adj = steps.ratio_table(df, "arm", "ctl", [("spend", "visit"), ("visit", "history")], ["x"], level=0.9)
    ref = rm.ratio_effects(df, "arm", "ctl", "spend", "visit", covariates=["x"], level=0.9)
    assert adj.iloc[:2]["estimate"].tolist() == ref["estimate"].tolist()
    rec = steps.ratio_record(adj)
    assert list(rec) == ["A|spend/visit", "B|spend/visit", "A|visit/history", "B|visit/history"]
    assert list(rec["A|spend/visit"]) == list(steps.RATIO_FIELDS)
    with pytest.raises(DataError, match=r"spend/visits names column\(s\) \['visits'\]"):
        steps.ratio_table(df, "arm", "ctl", [("spend", "visits")], [], level=0.95)


# ------------------------------------------------------------------ budgeted targeting
def test_budget_run_is_the_budget_policy_and_its_curve_on_the_same_folds():
    rng = np.random.default_rng(4)
    n = 3000
    t = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    value = rng.gamma(2.0, 1.0, n) + t * np.maximum(x, 0)
    score = np.maximum(x, 0) + rng.normal(0, 0.3, n)
    folds = tg.fold_ids(t, 3, 0)
    pol, curve = steps.budget_run(value, t, score, folds, cost=0.2, budget=100.0, level=0.9)
    ref = tg.budget_policy(value, t, score, cost=0.2, budget=100.0, folds=folds, level=0.9, only_positive=True)
    assert pol.summary().equals(ref.summary())
    assert curve["budget"].iloc[0] == 0 and curve["budget"].iloc[-1] == pytest.approx(0.2 * n)
    at = curve[np.isclose(curve["budget"], pol.cost)].iloc[0]  # the policy's own point is on the curve
    assert at["net_value"] == pytest.approx(pol.net_value, rel=1e-12)
    rec = steps.budget_record(pol, curve, "t")
    assert rec["n_contacts"] == round(pol.n_contacts) and rec["value_learner"] == "t" and rec["per"] == "total"
    assert rec["curve_best_net_value"] == curve["net_value"].max()
    by_count = steps.budget_run(value, t, score, folds, cost=0.2, n_contacts=300, level=0.9)[0]
    assert by_count.n_contacts <= 300


# ------------------------------------------------------------------ proportional hazards
def test_ph_steps_read_the_cox_zph_table_and_residuals(lung):
    cox = sv.cox_ph(lung, "time", "dead", ["age", "sex", "ph.ecog"])
    ph = cox.ph_test.assign(p=[0.001, 0.2, 0.0001, 0.01])  # known p-values: ph.ecog, then age, violate
    assert steps.ph_violations(ph, 0.005) == ["ph.ecog", "age"]
    assert steps.ph_violations(ph, 0.00001) == []
    rec = steps.ph_test_record(cox.ph_test, "km")
    assert list(rec) == ["age", "sex", "ph.ecog", "GLOBAL", "transform"] and rec["transform"] == "km"
    assert rec["GLOBAL"]["df"] == 3 and rec["sex"]["chisq"] == cox.ph_test.iloc[1]["chisq"]
    tr = steps.ph_trends(cox.zph, ["sex", "age"])
    r = cox.zph.residuals.sort_values("time", kind="stable")
    k = len(r) // 3
    assert tr.iloc[0]["early"] == pytest.approx(r["sex"].iloc[:k].mean(), rel=1e-12)
    assert tr.iloc[0]["late"] == pytest.approx(r["sex"].iloc[-k:].mean(), rel=1e-12)
    assert tr.iloc[0]["average"] == cox.summary.set_index("term").loc["sex=male", "coef"]  # dummy named by level
    assert tr["kind"].tolist() == ["multiplier", "coef"]  # sex enters as the dummy "sex=male": a factor term
    assert tr.iloc[0]["early_until"] == r["time"].iloc[k - 1] and tr.iloc[0]["late_from"] == r["time"].iloc[-k]


# ------------------------------------------------------------------ competing risks
def test_reason_data_simulated_or_from_a_reason_column():
    rd = steps.reason_data(pd.DataFrame(), None, None, None, "contract", [], n_simulated=800, seed=9)
    sim = simulate_competing_risks(800, seed=9)
    assert rd.simulated and rd.censor_value == "none" and rd.covariates == ["contract", "senior", "charges"]
    assert rd.data["status"].tolist() == sim.data["reason"].tolist()
    assert rd.causes == ["involuntary", "voluntary"]
    assert rd.events == {c: int((sim.data["reason"] == c).sum()) for c in rd.causes}
    df = pd.DataFrame({"tenure": [1, 5, 7, 9], "reason": ["price", None, "moved", "  "], "plan": list("abab"),
                       "x": [0.1, 0.2, 0.3, 0.4]})
    obs = steps.reason_data(df, df["tenure"], np.array([1, 0, 1, 0]), "reason", "plan", ["x"], n_simulated=0,
                            seed=0)
    assert not obs.simulated and obs.data["status"].tolist() == ["price", "(still a customer)", "moved",
                                                                 "(still a customer)"]
    assert obs.data["group"].tolist() == list("abab") and obs.causes == ["moved", "price"]
    with pytest.raises(DataError, match=r"empty for 1 churned customers \(rows \[4\]"):
        steps.reason_data(df, df["tenure"], np.array([1, 0, 1, 1]), "reason", "plan", ["x"], n_simulated=0,
                          seed=0)


@pytest.fixture(scope="module")
def reasons():
    rd = steps.reason_data(pd.DataFrame(), None, None, None, "contract", [], n_simulated=1500, seed=11)
    return rd, steps.cif_run(rd), steps.cr_regression(rd, level=0.95)


def test_cif_and_regression_steps_are_the_estimators_with_the_truth_beside(reasons):
    rd, ci, reg = reasons
    d = rd.data
    ref = cr.cumulative_incidence(d["duration"], d["status"], d["group"], censor_value="none")
    pd.testing.assert_frame_equal(ci.table, ref.table)
    tab = steps.cif_table(ci, [12, 24], rd)
    assert list(tab.columns) == ["group", "cause", "time", "cif", "se", "cif_true"]
    row = tab[(tab.group == "Two year") & (tab.cause == "voluntary") & (tab.time == 24)].iloc[0]
    assert row["cif_true"] == pytest.approx(rd.sim.true_cif([24], "voluntary", "Two year")[0], rel=1e-12)
    assert row["cif"] == ci.at([24]).set_index(["group", "cause"]).loc[("Two year", "voluntary"), "cif"]
    long = fg.competing_risks_regression(d, "duration", "status", rd.covariates, censor_value="none")
    fgv = long[(long.model == "fine_gray") & (long.cause == "voluntary") & (long.term == "senior")].iloc[0]
    r = reg[(reg.cause == "voluntary") & (reg.term == "senior")].iloc[0]
    assert (r["shr"], r["shr_ci_low"]) == (fgv["ratio"], fgv["ci_low"])
    assert r["hr_true"] == pytest.approx(np.exp(rd.sim.truth["voluntary"]["senior"]), rel=1e-12)
    rec = steps.competing_record(rd, ci, reg, [12, 24])
    assert rec["data"] == "simulated" and rec["n"] == 1500 and list(rec["gray"]) == ["involuntary", "voluntary"]
    assert set(rec["cif"]["One year"]["voluntary"]) == {"12", "24"}
    assert rec["regression"]["involuntary"]["charges"]["hr_true"] == pytest.approx(np.exp(-0.25))
    truth = steps.true_cif(rd)
    assert truth["time"].max() == d["duration"].max() and steps.true_cif(
        SimpleNamespace(simulated=False), [1]) is None


# ------------------------------------------------------------------ AFT
@pytest.fixture(scope="module")
def aft_fits(lung):
    cox = sv.cox_ph(lung, "time", "dead", ["age", "sex", "ph.ecog"])
    return cox, steps.aft_models(lung, "time", "dead", ["age", "sex", "ph.ecog"], level=0.95)


def test_aft_steps_compare_with_cox_and_give_remaining_time(lung, aft_fits):
    cox, models = aft_fits
    assert list(models) == ["weibull", "loglogistic"]
    comp = steps.aft_comparison(models, cox)
    assert comp["model"].tolist() == ["cox", "weibull", "loglogistic"] and np.isnan(comp["aic"].iloc[0])
    w = models["weibull"]
    assert comp.iloc[1]["aic"] == pytest.approx(-2 * w.loglik_ + 2 * (len(w.coef_) + 1), rel=1e-12)
    assert steps.best_aft(models) == comp.iloc[1:].set_index("model")["aic"].idxmin()
    co = steps.aft_coefficients(models, cox)
    assert co["term"].tolist() == cox.summary["term"].tolist()
    # identity: a Weibull AFT is a PH model with log HR = -coef x shape
    assert co["hr_weibull"].to_numpy() == pytest.approx(co["time_ratio_weibull"].to_numpy() ** -w.shape_, rel=1e-12)
    assert co.set_index("term").loc["age", "time_ratio_loglogistic"] == pytest.approx(
        np.exp(models["loglogistic"].coef_["age"]), rel=1e-12)
    rem = steps.remaining_table(models, lung, "time", "dead", "sex", horizon=180)
    ref = aftm.remaining_tenure_by_segment(models["loglogistic"], lung, "time", "dead", "sex", horizon=180)
    assert rem["remaining_loglogistic"].tolist() == ref["mean_remaining"].tolist()
    assert (rem[["remaining_weibull", "remaining_loglogistic"]] <= 180).all().all()
    rec = steps.aft_record(models, comp, co, rem, 180)
    assert rec["best"] == steps.best_aft(models) and rec["horizon"] == 180
    assert list(rec["remaining"]) == ["female", "male"] and set(rec["remaining"]["male"]) == {
        "n_active", "mean_tenure", "weibull", "loglogistic"}


# ------------------------------------------------------------------ sentences
def _seq_summary():
    return pd.DataFrame({
        "outcome": ["visit", "visit", "spend"], "arm": ["Mens E-Mail", "Womens E-Mail", "Womens E-Mail"],
        "n_looks": [14, 14, 14], "first_look": pd.array([1, 3, pd.NA], dtype="Int64"), "first_time": [1, 3, pd.NA],
        "n_at_first_look": pd.array([3000, 9000, pd.NA], dtype="Int64"),
        "naive_first_look": pd.array([1, 1, 4], dtype="Int64"), "estimate": [0.0766, 0.0452, 0.42],
        "ci_low": [0.066, 0.035, -0.03], "ci_high": [0.087, 0.055, 0.87], "fixed_ci_low": [0.07, 0.039, 0.17],
        "fixed_ci_high": [0.083, 0.052, 0.68], "fixed_p": [1e-9, 1e-9, 0.001], "p_anytime": [1e-9, 1e-5, 0.08],
        "width_ratio": [1.5486, 1.5486, 1.5486]})


AA = {"cs_error": 0.009, "naive_error": 0.2255, "fixed_error": 0.0525, "mc_se": 0.0049, "n_reps": 2000, "n_looks": 14,
      "n_per_look": 3044, "outcome": "binary", "base": 0.106, "level": 0.95}


def test_sequential_sentences_in_both_languages():
    summary = _seq_summary()
    assert s.sequential_line(summary, 0.95) == (
        "Looking every day, the always-valid interval excludes zero (the effect could have been called) for Men's "
        "e-mail on Website visit (2 weeks) from day 1; Women's e-mail on Website visit (2 weeks) from day 3. Still "
        "open at the last look: Women's e-mail on Spend (2 weeks). Naive daily 95% intervals would have called 2 of "
        "them earlier - at the false-alarm risk simulated "
        "below. On the last day the confidence sequence is 1.55 times as wide as the fixed-horizon interval: the "
        "price of being allowed to look every day.")
    assert s.aa_line(AA) == (
        "In 2,000 simulated A/A experiments shaped like this one (14 daily looks, 3,044 customers a day, base rate "
        "10.6%), stopping at the first look whose interval excludes zero raised a false alarm (type I error) in 0.9% "
        "with the confidence sequence and in 22.6% with naive daily 95% intervals (one look at the end: 5.2%; Monte "
        "Carlo standard error about 0.5%).")
    assert s.sequential_summary_line(summary, AA) == (
        "Sequential monitoring: 2 of 3 effects could be called during the monitoring (the first on day 1); false "
        "alarms under daily looks in simulated A/A experiments: 0.9% with the confidence sequence against 22.6% with "
        "naive daily intervals.")
    assert s.arrival_note(True, 14, 7).startswith("**The experiment table has no arrival day, so each customer is "
                                                  "given a simulated one**, uniform over 14 days (seed 7).")
    assert s.arrival_note(False, 30, 7, "day") == ("Customers are counted from their arrival day (day); one look per "
                                                   "arrival time (30 looks).")
    with use_lang("zh"):
        assert s.sequential_line(summary, 0.95) == (
            "每天查看一次时，随时有效的置信序列排除 0（效应可以宣布成立）的时间为：男装邮件对网站到访（两周内）：第 1 天；"
            "女装邮件对网站到访（两周内）：第 3 天。直到最后一次查看仍未排除 0 的有：女装邮件对消费额（两周内）。"
            "若每天重复计算常规的 95% 置信区间，"
            "有 2 个效应会更早被宣布——但代价是下文模拟的误报率。最后一天置信序列的宽度是固定样本量区间的 1.55 倍，"
            "这是允许每天查看所付出的代价。")
        assert s.aa_line(AA) == (
            "在 2,000 次与本实验规模相同的模拟 A/A 实验中（14 次逐日查看，每天 3,044 位客户，基准率 10.6%），"
            "在区间首次排除 0 时即停止并宣布效应：置信序列的误报率（第一类错误率）为 0.9%，每天重复计算常规 95% "
            "置信区间的误报率为 22.6%（只在最后查看一次：5.2%；蒙特卡洛标准误约 0.5%）。")
        assert s.sequential_summary_line(summary, AA) == (
            "序贯监控：3 个效应中有 2 个在监控期内可以宣布成立（最早在第 1 天）；模拟 A/A 实验中逐日查看的误报率："
            "置信序列 0.9%，每日常规区间 22.6%。")
        assert s.arrival_note(True, 14, 7).startswith("**实验表中没有客户进入实验的日期，因此为每位客户模拟了一个"
                                                      "进入日**，在 14 天内均匀分布（随机种子 7）。")
        assert s.sequential_skipped() == "未进行序贯监控（`sequential = False`）。"
    assert s.when(pd.Timestamp("2024-03-05 10:00")) == "2024-03-05" and s.when(np.int64(3)) == "day 3"
    none_called = summary.assign(first_look=pd.array([pd.NA] * 3, dtype="Int64"))
    assert s.sequential_line(none_called, 0.95).startswith("No confidence sequence excludes zero")


def _ratio_table():
    return pd.DataFrame({"metric": ["spend/visit", "spend/visit"], "numerator": ["spend", "spend"],
                         "denominator": ["visit", "visit"], "arm": ["Mens E-Mail", "Womens E-Mail"],
                         "ratio_control": [6.1487, 6.1487], "ratio_treated": [7.7842, 7.1149],
                         "estimate": [1.6297, 0.9619], "ci_low": [-0.305, -0.995], "ci_high": [3.564, 2.919],
                         "p": [0.0987, 0.335], "lift": [0.265, 0.1564], "lift_ci_low": [-0.0986, -0.1899],
                         "lift_ci_high": [0.6286, 0.5028], "variance_reduction": [7.9e-5, 7.4e-5]})


def test_ratio_sentences_in_both_languages():
    t = _ratio_table()
    # names from the codebook, the spend per visit in dollars; brackets and dollars escaped: Markdown shows them as
    # typed (a pair of dollars would read as mathematics in JupyterLab)
    assert s.ratio_line(t, "No E-Mail", ["recency", "history"]) == (
        "Ratio metrics (delta method, sums over customers): Spend (2 weeks) per Website visit (2 weeks) (No e-mail: "
        "\\$6.15): Men's e-mail +\\$1.6 \\[-\\$0.3, \\$3.6\\] (+26.5% \\[-9.9%, 62.9%\\]), Women's e-mail +\\$1.0 "
        "\\[-\\$1.0, \\$2.9\\] (+15.6% \\[-19.0%, 50.3%\\]). CUPED on Months since last purchase and Spend in the past year "
        "reduces the variance by < 0.1%.")
    assert s.ratio_line(t.assign(variance_reduction=[0.02, 0.05]), "No E-Mail", []).endswith(
        "No CUPED adjustment (`ratio_covariates` is empty).")
    with use_lang("zh"):
        assert s.ratio_line(t.assign(variance_reduction=[0.02, 0.05]), "No E-Mail", ["history"]) == (
            "比率指标（Delta 方法，按客户加总后相除）：消费额（两周内）/网站到访（两周内）（不发邮件为 6.15 美元）："
            "男装邮件 +1.6 [-0.3, 3.6] 美元（相对提升 +26.5% [-9.9%, 62.9%]），女装邮件 +1.0 [-1.0, 2.9] 美元"
            "（相对提升 +15.6% [-19.0%, 50.3%]）。以过去一年消费额做 CUPED 调整，方差缩减 2.0% 至 5.0%。")
        assert s.ratio_skipped() == "未指定比率指标（`ratio_metrics` 为空）。"


def _policy(ci_low=-350.0, cost=999.9):
    return SimpleNamespace(budget=1000.0, n_contacts=9999.0, share_contacted=0.2346, cost=cost, net_value=6354.3,
                           ci_low=ci_low, ci_high=13058.3, roi=6.355, level=0.95)


def test_budget_sentences_in_both_languages():
    curve = pd.DataFrame({"budget": [0.0, 1000.0, 4048.2], "net_value": [0.0, 6354.3, 24394.6],
                          "ci_low": [0.0, -350.0, 12809.0], "ci_high": [0.0, 13058.3, 35981.0]})
    assert s.budget_line(_policy(), curve, 0.1, 42613) == (
        "With a budget of \\$1,000 at \\$0.10 per contact, the policy contacts the 9,999 customers (23.5% of 42,613) "
        "with the highest predicted net value; on held-out folds it nets \\$6,354 [-\\$350, \\$13,058] in total, ROI "
        "6.36; the interval includes zero: the data do not establish that this policy pays. Across budgets the "
        "held-out net value is highest at \\$4,048 (\\$24,395 [\\$12,809, \\$35,981]).")
    short = s.budget_line(_policy(ci_low=120.0, cost=500.0), curve, 0.1, 42613)
    assert "its value is established at the 95% level." in short
    assert "Only these customers have a positive predicted net value, so it spends \\$500." in short
    assert s.budget_summary_line(_policy()) == ("Budgeted targeting (budget \\$1,000): contact 9,999 customers "
                                                "(23.5%); held-out net value \\$6,354 [-\\$350, \\$13,058] in total, "
                                                "ROI 6.36.")
    with use_lang("zh"):
        assert s.budget_line(_policy(), curve, 0.1, 42613) == (
            "预算 1,000 美元、每次联系成本 0.10 美元时，策略联系预测净价值最高的 9,999 位客户（占 42,613 位的 "
            "23.5%）；在留出样本上总净价值为 6,354 [-350, 13,058] 美元，ROI 6.36；区间包含 0：数据不能证明该策略能带来"
            "正的净价值。在各预算水平中，留出样本净价值最高的预算为 4,048 美元（净价值 24,395 [12,809, 35,981] 美元）。")
        assert s.budget_skipped() == "未指定预算约束下的投放策略（`budget` 与 `n_contacts` 均为 None）。"


PH = pd.DataFrame({"term": ["contract", "monthly_charges", "partner", "GLOBAL"], "chisq": [92.39, 109.8, 0.5, 249.0],
                   "df": [2, 1, 1, 9], "p": [8.7e-21, 1.1e-25, 0.48, 1.6e-48]})
TRENDS = pd.DataFrame({"term": ["monthly_charges", "contract"], "kind": ["coef", "multiplier"],
                       "early": [-0.0527, 1.179], "late": [-0.009, 0.6], "average": [-0.0298, 1.0],
                       "early_until": [4.0, 4.0], "late_from": [20.0, 20.0]})


def test_ph_sentences_say_which_terms_violate_and_what_it_means():
    assert s.ph_line(PH, TRENDS, 0.01, "tenure") == (
        "Proportional hazards is rejected (p < 0.01; global test chi-square 249 on 9 df, p < 0.001) for "
        "Monthly charges and Contract. Their hazard ratios are averages over tenure of effects that change with it: "
        "Monthly charges: hazard ratio 0.949 over the first third of churn events (Tenure up to 4 months) against 0.991 "
        "over the last third (from 20 months), 0.971 on average; Contract: its effect is 1.18 times its average over "
        "the first third of churn events (Tenure up to 4 months) and 0.600 times over the last third (from 20 months). "
        "Read them with "
        "care: stratify the Cox model by such a term (each level gets its own baseline hazard and no hazard ratio; a "
        "numeric term in bands), or give it a time-varying effect (its coefficient times a function of tenure, shaped "
        "as the plots below suggest); the KM curves and the RMST compare groups without the assumption.")
    assert s.ph_line(PH, TRENDS.iloc[:0], 0.01, "tenure") == (
        "Proportional hazards is not rejected for any term (p < 0.01; global test chi-square 249 on 9 df, p < 0.001): "
        "the hazard ratios can be read as constant over tenure.")
    assert s.ph_summary_line(PH, 0.01) == (
        "Proportional hazards (R's cox.zph test): rejected for Monthly charges and Contract (p < 0.01; global test "
        "chi-square 249 on 9 df, p < 0.001); read their hazard ratios as averages over tenure, or stratify / model "
        "time-varying effects.")
    with use_lang("zh"):
        assert s.ph_line(PH, TRENDS, 0.01, "tenure") == (
            "比例风险假设在以下变量上被拒绝（p < 0.01；整体检验卡方 249（自由度 9），p < 0.001）：月费和合同类型。"
            "它们的风险比只是随在网时长变化的效应的平均值：月费：风险比在前三分之一的流失事件中"
            "（在网时长不超过 4 个月）为 0.949，在后三分之一中（20 个月及以上）为 0.991，平均为 0.971；合同类型：其效应在"
            "前三分之一的流失事件中是平均效应的 1.18 倍（在网时长不超过 4 个月），在后三分之一中为 0.600 倍"
            "（20 个月及以上）。解读时宜谨慎："
            "可按该变量对 Cox 模型分层（每个取值有各自的基准风险，不再给出该变量的风险比；数值变量可先分段），或为其"
            "设定时变效应（系数乘以在网时长的某个函数，形状可参照下图）；KM 曲线和 RMST 则不依赖这一假设即可比较各组。")
        assert s.ph_summary_line(PH.assign(p=[0.5, 0.2, 0.3, 0.4]), 0.01) == (
            "比例风险检验（与 R 的 cox.zph 一致）：所有变量均未被拒绝（p < 0.01；整体检验卡方 249（自由度 9），"
            "p = 0.40）。")


def _cif():
    t = np.r_[1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11.0]
    status = np.array(["a", "b", "none", "a", "a", "none", "b", "a", "none", "b", "a", "none"])
    group = np.array(["g1"] * 6 + ["g2"] * 6)
    return cr.cumulative_incidence(t, status, group, censor_value="none")


def test_competing_risk_sentences_in_both_languages():
    ci = _cif()
    at = ci.at([3]).set_index(["group", "cause"])["cif"]
    line = s.cif_line(ci, [3, 20], "tenure")  # 20 is past the follow-up of g1: the sentence uses 3
    pa, pb = (p_phrase(ci.tests.set_index("cause").loc[c, "p"]) for c in ("a", "b"))
    # Aalen-Johansen by hand for g1: a at 1 (1/6); b at 2 (5/6 x 1/5), one censored at 2; a at 3 (4/6 x 1/3)
    assert at[("g1", "a")] == pytest.approx(1 / 6 + 2 / 9) and at[("g1", "b")] == pytest.approx(1 / 6)
    assert line == (f"Share lost within the first 3 months, by reason - a: g1 38.9%, g2 0.0% (Gray's test {pa}); b: "
                    f"g1 16.7%, g2 0.0% (Gray's test {pb}).")
    reg = pd.DataFrame({"cause": ["involuntary", "voluntary"], "term": ["contract=One year", "senior"],
                        "hr_true": [0.741, 1.35], "hr": [0.77, 1.32], "hr_ci_low": [0.63, 1.17],
                        "hr_ci_high": [0.94, 1.50], "shr": [1.10, 1.22]})
    assert s.cr_line(reg, 0.95) == (
        "The 95% intervals of the cause-specific hazard ratios cover 2 of the 2 true values. The two models answer "
        "different questions: the cause-specific hazard ratio says how a covariate changes the rate of leaving for a "
        "reason among customers still here; the Fine-Gray subdistribution ratio how it changes the share who "
        "eventually leave for it. They differ most for Contract (One year) on involuntary churn: HR 0.770 against SHR "
        "1.10 - a covariate that keeps customers from leaving for one reason leaves more of them exposed to the "
        "other.")
    assert s.reasons_note(True, 5000, {"involuntary": 556, "voluntary": 1675}).startswith(
        "**The churn table records no churn reasons, so this section runs on simulated data**: 5,000 customers")
    assert s.reasons_note(False, 10, {"price": 3}, "why") == ("Churn reasons from why: 10 customers; churn events by "
                                                              "reason: price 3.")
    assert s.reasons_summary_line(True, ci, [3], "tenure").startswith("Churn by reason (simulated data): Share lost")
    with use_lang("zh"):
        assert s.cif_line(ci, [3], "tenure").startswith("前 3 个月内各原因的累积流失比例——a：g1 ")
        assert s.cr_line(reg.drop(columns="hr_true"), 0.95) == (
            "两种模型回答不同的问题：特定原因风险比表示在仍为客户的人中，该变量如何改变因这一原因流失的速度；Fine-Gray "
            "子分布风险比表示它如何改变最终因这一原因流失的客户比例。两者差别最大的是"
            "合同类型（一年合同）对被动流失的影响：风险比 0.770，子分布风险比 1.10——"
            "一个变量若让客户较少因另一原因离开，就会有更多客户继续面临这一原因的流失风险。")
        assert s.reasons_note(True, 5000, {"involuntary": 556, "voluntary": 1675}).startswith(
            "**流失表中没有记录流失原因，因此本节使用模拟数据**：5,000 位客户")
        assert "被动流失 556，主动流失 1,675" in s.reasons_note(True, 5000, {"involuntary": 556, "voluntary": 1675})
        assert s.reasons_skipped() == "未分析按原因划分的流失（`competing_risks = False`）。"


def test_aft_sentences_in_both_languages():
    comp = pd.DataFrame({"model": ["cox", "weibull", "loglogistic"], "likelihood": ["partial", "full", "full"],
                         "aic": [np.nan, 18300.3, 18223.6], "concordance": [0.8412, 0.8406, 0.8423]})
    coefs = pd.DataFrame({"term": ["partner", "contract=Two year"], "hr": [0.574, 0.0271],
                          "hr_weibull": [0.597, 0.0478]})
    assert s.aft_line(comp, coefs) == (
        "By AIC the log-logistic model fits better (18,224 / 18,300; Cox's partial likelihood is on another scale); "
        "concordance: Cox 0.841, Weibull 0.841, log-logistic 0.842. The Weibull model is also a proportional-hazards "
        "model; its implied hazard ratios differ from Cox's by up to 76% (Contract (Two year): 0.0478 against 0.0271), "
        "because it also fixes the shape of the baseline hazard. The log-logistic model does not assume proportional "
        "hazards: its hazard ratios move towards 1 as tenure grows (a proportional-odds model), one way to "
        "accommodate effects that fade with tenure.")
    rem = pd.DataFrame({"segment": ["Month-to-month", "Two year"], "remaining_weibull": [18.98, 23.87],
                        "remaining_loglogistic": [19.2, 23.85]})
    assert s.remaining_line(rem, 24.0, "loglogistic", "tenure", explain=False) == (
        "Over the next 24 months, an active customer is expected to stay on average: Month-to-month 19.2 months, "
        "Two year 23.9 months (log-logistic, the better fit; Weibull: 19.0, 23.9).")
    assert s.remaining_line(rem, 24.0, "loglogistic", "tenure").endswith("so only the restricted mean is reported.")
    with use_lang("zh"):
        assert s.aft_line(comp, coefs).startswith(
            "按 AIC，对数逻辑斯蒂模型拟合更好（18,224 / 18,300；Cox 的偏似然不在同一尺度上）；一致性指数：Cox 0.841，"
            "Weibull 0.841，对数逻辑斯蒂 0.842。Weibull 模型同时也是比例风险模型")
        assert s.remaining_line(rem, 24.0, "loglogistic", "tenure", explain=False) == (
            "在未来 24 个月内，现有客户预计平均还会保留（对数逻辑斯蒂模型，拟合更好）：按月合同 19.2 个月，"
            "两年合同 23.9 个月（Weibull：19.0、23.9）。")
        assert s.aft_skipped() == "未拟合参数化的流失时间模型（`aft = False`）。"


# ------------------------------------------------------------------ tables and figures
def test_readable_tables_of_the_new_sections():
    from tests.test_study_retention import plain

    kinds = {"visit": "binary", "spend": "continuous"}
    seq = plain(tables.sequential(_seq_summary(), kinds))
    assert list(seq.columns)[:4] == ["outcome", "arm", "called on", "naive call (look)"]
    # each effect in its unit: a rate in percentage points, the spend in dollars
    assert seq.iloc[2][["called on", "confidence sequence"]].tolist() == ["-", "+$0.42 [-$0.03, $0.87]"]
    assert seq.iloc[0]["fixed interval"] == "+7.7 pp [7.0, 8.3]"
    with use_lang("zh"):
        zh = plain(tables.sequential(_seq_summary(), kinds))
        assert zh.iloc[0][["结果变量", "分组", "宣布时间"]].tolist() == ["网站到访（两周内）", "男装邮件", "第 1 天"]
        rt = plain(tables.ratio(_ratio_table()))
        assert rt.iloc[0]["相对提升 [置信区间]"] == "+26.5% [-9.9%, 62.9%]" and rt.iloc[0]["方差缩减"] == "< 0.1%"
        ph = plain(tables.ph_check(PH))
        assert ph["变量"].tolist() == ["合同类型", "月费", "有伴侣", "整体（全部变量）"]
        aa = plain(tables.aa(steps.aa_table(AA)))
        assert aa["方法"].tolist() == ["置信序列", "每日常规区间", "仅在最后查看一次"] and aa.iloc[0, 1] == "0.9%"
    at = pd.DataFrame({"group": ["A", "A", "B", "B"], "cause": ["x", "x", "x", "x"], "time": [12.0, 24.0, 12.0, 24.0],
                       "cif": [0.1, 0.2, 0.05, np.nan], "se": [0.01] * 4, "cif_true": [0.11, 0.19, 0.06, 0.1]})
    wide = plain(tables.cif(at))
    assert list(wide.columns) == ["12 months", "24 months"] and wide.index.tolist() == ["x | A", "x | B"]
    assert wide.loc["x | B", "24 months"] == "- (10.0%)" and wide.loc["x | A", "12 months"] == "10.0% (11.0%)"
    with use_lang("zh"):
        assert plain(tables.cif(at.assign(cause="voluntary"))).index.name == "流失原因 | 组别"
    reg = pd.DataFrame({"cause": ["voluntary"], "term": ["senior"], "hr_true": [1.35], "hr": [1.32],
                        "hr_ci_low": [1.17], "hr_ci_high": [1.5], "hr_p": [1e-5], "shr": [1.22], "shr_ci_low": [1.08],
                        "shr_ci_high": [1.39], "shr_p": [0.002]})
    assert list(plain(tables.cr_regression(reg)).columns) == ["reason", "term", "true HR", "cause-specific HR [CI]",
                                                              "Fine-Gray HR [CI]"]
    with use_lang("zh"):
        assert tables.cr_regression(reg).iloc[0].tolist()[:3] == ["主动流失", "老年客户", "1.35"]


@pytest.mark.filterwarnings("ignore:Glyph")  # no CJK font outside a study run: labels are checked as text
def test_new_figures_are_labelled_in_the_current_language(lung, reasons):
    cox = sv.cox_ph(lung, "time", "dead", ["age", "sex", "ph.ecog"])
    fig = plots.plot_ph_residuals(cox.zph, ["age", "sex", "ph.ecog"], "time")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 4 and len(visible) == 3
    assert visible[0].get_ylabel() == "β(t) of age (log HR)"
    assert visible[1].get_ylabel() == "sex: effect / its average"
    df = _experiment(5)
    seq = steps.sequential_effects(df, "arm", "ctl", ["visit"], ["visit"], steps.arrivals(df, "day", 7, 0), level=0.95)
    rd, ci, _ = reasons
    with use_lang("zh"):
        f = plots.plot_sequential(seq, steps.sequential_summary(seq), level=0.95)
        assert f.axes[0].get_title() == "网站到访（两周内）"
        assert f.axes[0].get_ylabel() == "相对对照组的效应（95% 置信序列）"
        f = plots.plot_cif(ci, steps.true_cif(rd), "tenure")
        assert [a.get_title() for a in f.axes] == ["被动流失", "主动流失"]
        assert f.axes[0].get_xlabel() == "在网时长（月）"  # the codebook's name with the unit of time
        assert len(f.axes[0].lines) == 6  # three contracts, estimate and truth
        pol = SimpleNamespace(cost=50.0)
        curve = pd.DataFrame({"budget": [0, 50, 100], "net_value": [0, 10, 12], "ci_low": [0, 1, 2],
                              "ci_high": [0, 20, 22], "roi": [np.nan, 0.2, 0.12]})
        f = plots.plot_budget(curve, pol)
        assert f.axes[0].get_xlabel() == "预算（美元）" and f.axes[1].get_ylabel() == "ROI（净价值 / 成本）"
        assert f.axes[0].get_ylabel() == "留出样本净价值（总额）（美元）"
        f = plots.plot_ph_residuals(cox.zph, ["age"], "time")
        assert f.axes[0].get_ylabel() == "age 的 β(t)（对数风险比）"


def test_sequential_figure_reads_arrival_dates_as_dates():
    df = _experiment(6).assign(day=lambda d: "2024-03-0" + d["day"].astype(str))
    seq = steps.sequential_effects(df, "arm", "ctl", ["visit"], ["visit"], steps.arrivals(df, "day", 7, 0), level=0.95)
    fig = plots.plot_sequential(seq, steps.sequential_summary(seq))
    x = fig.axes[0].lines[0].get_xdata()
    assert np.issubdtype(np.asarray(x).dtype, np.datetime64) and len(x) == 7
