"""crmlab.survival against published R `survival` output (aml, lung) and lifelines.

R figures quoted here (R itself is not used):
* aml: ``summary(survfit(Surv(time, status) ~ x, data = aml))``, group
  Maintained, as printed in RPubs "AML survival analysis"
  (https://rstudio-pubs-static.s3.amazonaws.com/610133_9d2b480275e04433aae84c8c4c4a7527.html);
* aml: ``survdiff(Surv(time, status) ~ x, data = aml)`` printout
  (Observed 7 / 11, Expected 10.69 / 7.31, Chisq = 3.4 on 1 df, p = 0.0653);
* aml: ``print(survfit(...))`` medians 31 (0.95LCL 18, UCL NA) and 23 (8, NA);
* aml: ``coxph(Surv(time, status) ~ x, aml)``: coef 0.9155, se 0.5119, p 0.0737
  (survival package vignette / ?coxph examples);
* lung: ``summary(coxph(Surv(time, status) ~ age + sex, lung))`` from the
  survival package help page summary.coxph (rdocumentation.org, version
  2.37-4): age 0.017 se 0.00922, sex -0.513 se 0.16745, p 0.0650 / 0.0022.

R figures computed here (R 4.2.2, survival 3.5.3), for the confidence level::

    fit <- survfit(Surv(time, status) ~ x, data = aml, conf.int = 0.9)   # conf.type "log"
    summary(fit)  # Maintained: lower 0.77713529447 0.64761427801 0.51939396541 0.40759384918
                  #   0.28318727866 0.17801236987 0.04671058946; upper 1 1 0.9867766293
                  #   0.9238353021 0.8509977449 0.7615080420 0.7255199132 (times 9 13 18 23 31 34 48)
    summary(coxph(Surv(time, status) ~ age + sex, data = lung), conf.int = 0.9)$conf.int
    #     exp(coef)    lower .90    upper .90
    # age 1.0171914324 1.0018761548 1.0327408286
    # sex 0.5985659804 0.4544522852 0.7883803086
"""
import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_lung
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import restricted_mean_survival_time

from crmlab import survival as sv
from crmlab.core.errors import ConvergenceError, DataError, ParameterError

# R survival::aml (Miller 1981): weeks to relapse, maintenance chemotherapy or not
AML = pd.DataFrame({
    "time": [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    "status": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    "x": ["Maintained"] * 11 + ["Nonmaintained"] * 12,
})


def test_km_matches_r_survfit_aml_maintained():
    km = sv.kaplan_meier(AML.time, AML.status, AML.x)
    t = km.table.query("stratum == 'Maintained' and n_event > 0")
    # time n.risk n.event survival std.err lower95 upper95 (R, conf.type = "log")
    r = np.array([[9, 11, 1, 0.909, 0.0867, 0.7541, 1.000],
                  [13, 10, 1, 0.818, 0.1163, 0.6192, 1.000],
                  [18, 8, 1, 0.716, 0.1397, 0.4884, 1.000],
                  [23, 7, 1, 0.614, 0.1526, 0.3769, 0.999],
                  [31, 5, 1, 0.491, 0.1642, 0.2549, 0.946]])
    got = t[["time", "n_risk", "n_event", "survival", "std_err", "ci_low", "ci_high"]].to_numpy()[:5]
    assert got[:, :3] == pytest.approx(r[:, :3])
    assert got[:, 3] == pytest.approx(r[:, 3], abs=5e-4)
    assert got[:, 4:] == pytest.approx(r[:, 4:], abs=5e-5 * 10)


def test_km_median_and_ci_match_r_print_survfit_aml():
    s = sv.kaplan_meier(AML.time, AML.status, AML.x).summary.set_index("stratum")
    assert s.loc["Maintained", ["n", "events", "median", "median_ci_low"]].tolist() == [11, 7, 31, 18]
    assert s.loc["Nonmaintained", ["n", "events", "median", "median_ci_low"]].tolist() == [12, 11, 23, 8]
    assert s["median_ci_high"].isna().all()


def test_km_matches_lifelines_on_lung():
    lung = load_lung()
    km = sv.kaplan_meier(lung.time, lung.status, conf_type="log-log")
    ref = KaplanMeierFitter().fit(lung.time, lung.status)
    times = [100, 200, 365, 500, 800]
    got = km.survival_at(times).loc["all"].to_numpy()
    assert got == pytest.approx(ref.survival_function_at_times(times).to_numpy(), rel=1e-12)
    # lifelines' default band is log(-log) Greenwood, as conf_type="log-log"
    tab = km.table.set_index("time")
    ci = ref.confidence_interval_survival_function_
    common = tab.index.intersection(ci.index[1:])
    assert tab.loc[common, "ci_low"].to_numpy() == pytest.approx(ci.loc[common].iloc[:, 0].to_numpy(), rel=1e-6)


def test_survival_at_is_a_right_continuous_step():
    km = sv.kaplan_meier(AML.time, AML.status, AML.x)
    s = km.survival_at([0, 9, 12.9, 13, 200])
    assert s.loc["Maintained", 0] == 1.0 and s.loc["Maintained", 9] == pytest.approx(10 / 11)
    assert s.loc["Maintained", 12.9] == pytest.approx(10 / 11)
    assert s.loc["Maintained", 13] == pytest.approx(10 / 11 * 9 / 10)
    assert np.isnan(s.loc["Maintained", 200])  # beyond follow-up and curve not at 0


def test_logrank_matches_r_survdiff_aml():
    lr = sv.logrank_test(AML.time, AML.status, AML.x)
    assert round(lr.chi2, 1) == 3.4 and round(lr.p, 4) == 0.0653
    tab = lr.table.set_index("group")
    assert tab["observed"].tolist() == [7, 11]
    assert tab["expected"].round(2).tolist() == [10.69, 7.31]


def test_logrank_k_groups_matches_lifelines():
    lung = load_lung().dropna(subset=["ph.ecog"])
    lr = sv.logrank_test(lung.time, lung.status, lung["ph.ecog"].astype(int))
    ref = multivariate_logrank_test(lung.time, lung["ph.ecog"], lung.status)
    assert lr.chi2 == pytest.approx(ref.test_statistic, rel=1e-9) and lr.df == 3


def test_cox_matches_r_coxph_lung_and_aml():
    c = sv.cox_ph(load_lung(), "time", "status", ["age", "sex"]).summary.set_index("term")
    assert c.loc["age", "coef"] == pytest.approx(0.017, abs=5e-4)
    assert c.loc["sex", "coef"] == pytest.approx(-0.513, abs=5e-4)
    assert c.loc["age", "se"] == pytest.approx(0.00922, abs=5e-6)
    assert c.loc["sex", "se"] == pytest.approx(0.16745, abs=1e-5)  # printed to 5 digits
    assert c.loc[["age", "sex"], "z"].round(2).tolist() == [1.85, -3.06]
    assert c.loc[["age", "sex"], "p"].to_numpy() == pytest.approx([0.0650, 0.0022], abs=5e-4)
    aml = AML.assign(x=AML.x)
    a = sv.cox_ph(aml, "time", "status", ["x"]).summary.iloc[0]
    assert (round(a["coef"], 4), round(a["se"], 4), round(a["p"], 4)) == (0.9155, 0.5119, 0.0737)


def test_cox_ph_check_flags_non_proportional_hazards():
    rng = np.random.default_rng(5)
    n = 3000
    g = rng.integers(0, 2, n)
    # group 1: high early hazard, low late hazard (crossing) -> PH violated
    t = np.where(g == 1, rng.weibull(0.5, n) * 10, rng.weibull(2.0, n) * 10)
    df = pd.DataFrame({"t": np.minimum(t, 30), "e": (t < 30).astype(int), "g": g, "noise": rng.normal(size=n)})
    ph = sv.cox_ph(df, "t", "e", ["g", "noise"]).ph_test.set_index("term")
    assert ph.loc["g", "p"] < 1e-6 and ph.loc["noise", "p"] > 0.001


def test_rmst_matches_lifelines_point_and_exact_variance():
    mu, se = sv.rmst(AML.time[:11], AML.status[:11], 40)
    ref = restricted_mean_survival_time(KaplanMeierFitter().fit(AML.time[:11], AML.status[:11]), t=40)
    assert mu == pytest.approx(ref, rel=1e-12)
    # exact recomputation of the Greenwood-type variance on a 5-customer example
    t = np.array([2.0, 3, 3, 5, 8])
    e = np.array([1, 1, 0, 1, 0])
    # S: 1 on [0,2), 4/5 on [2,3), 4/5*3/4=3/5 on [3,5), 3/5*1/2=3/10 on [5,6]
    mu, se = sv.rmst(t, e, 6)
    assert mu == pytest.approx(2 + 0.8 * 1 + 0.6 * 2 + 0.3 * 1)
    a2, a3, a5 = 0.8 + 1.2 + 0.3, 1.2 + 0.3, 0.3
    var = a2**2 * 1 / (5 * 4) + a3**2 * 1 / (4 * 3) + a5**2 * 1 / (2 * 1)
    assert se == pytest.approx(np.sqrt(var))


def test_rmst_difference_interval():
    d = sv.rmst_difference(AML.time, AML.status, AML.x, 40, reference="Nonmaintained").set_index("group")
    m, s = sv.rmst(AML.time[:11], AML.status[:11], 40)
    m0, s0 = sv.rmst(AML.time[11:], AML.status[11:], 40)
    assert d.loc["Maintained", "diff"] == pytest.approx(m - m0)
    assert d.loc["Maintained", "diff_se"] == pytest.approx(np.hypot(s, s0))
    with pytest.raises(ParameterError, match="tau"):
        sv.rmst_difference(AML.time, AML.status, AML.x, 100)


def test_bad_survival_input_names_column_and_rows_as_numbered_in_the_file():
    df = pd.DataFrame({"tenure": [1, 5, -2, 7, np.nan], "churn": ["Yes", "No", "No", "Maybe", "Yes"]})
    # rows as a reader finds them in the file: the header is row 1, the first customer row 2
    with pytest.raises(DataError, match=r"'tenure' is missing or not numeric at row 6 "):
        sv.check_survival(df, "tenure", "churn")
    with pytest.raises(DataError, match=r"'tenure' is negative at row 4 "):
        sv.check_survival(df.iloc[:4], "tenure", "churn")
    with pytest.raises(DataError, match=r"'churn' holds labels that are neither.*\['Maybe'\] at row 4.*event_values"):
        sv.check_survival(df.iloc[[0, 1, 3]], "tenure", "churn")
    with pytest.raises(DataError, match=r"declared event \['Yes'\].*\['Maybe'\] at row 4.*event_values"):
        sv.check_survival(df.iloc[[0, 1, 3]], "tenure", "churn", event_values=["Yes"], censor_values=["No"])
    d, e, g = sv.check_survival(df.iloc[[0, 1]], "tenure", "churn")
    assert e.tolist() == [1, 0]
    with pytest.raises(DataError, match="not found"):
        sv.check_survival(df, "months", "churn")
    with pytest.raises(DataError, match=r"'churn' is empty at row 3 "):
        sv.encode_event(["Yes", None, "No"], column="churn")


def test_event_labels_as_exports_write_them_are_recognised():
    for labels in (["是", "否", "是"], ["Yes", "no", "YES"], ["Y", "N", "y"], ["true", "False", "TRUE"],
                   [1, 0, 1], ["1", "0", "1"], [True, False, True], [1.0, 0.0, 1.0]):
        assert sv.encode_event(labels).tolist() == [1, 0, 1], labels
    # declared labels are matched as written, whatever the case or the number type
    assert sv.encode_event(["流失", "在网"], event_values=["流失"], censor_values=["在网"]).tolist() == [1, 0]
    assert sv.encode_event([1.0, 0.0], event_values=["1"], censor_values=["0"]).tolist() == [1, 0]
    # a 0/1 column under the old default declaration still reads as 0/1
    assert sv.encode_event([1, 0], event_values=["Yes"], censor_values=["No"]).tolist() == [1, 0]
    with pytest.raises(DataError, match="share"):
        sv.encode_event(["a", "b"], event_values=["a"], censor_values=["a", "b"])


def test_event_coding_declared_values_and_r_style_1_2_status():
    df = pd.DataFrame({"time": [3.0, 4.0, 5.0], "status": [2, 1, 2]})  # R's lung codes 1 = censored, 2 = dead
    with pytest.raises(DataError, match=r"'status' holds labels that are neither"):
        sv.check_survival(df, "time", "status")
    _, e, _ = sv.check_survival(df, "time", "status", event_values=[2], censor_values=[1])
    assert e.tolist() == [1, 0, 1]


def test_missing_group_labels_are_refused():
    with pytest.raises(DataError, match=r"groups are missing at rows \[1\]"):
        sv.kaplan_meier([1, 2, 3], [1, 0, 1], ["a", None, "b"])


def test_km_bands_at_level_090_match_r_survfit_conf_int_090_aml():
    km = sv.kaplan_meier(AML.time, AML.status, AML.x, level=0.90)
    assert km.level == 0.90
    tab = km.table[(km.table.stratum == "Maintained") & (km.table.n_event > 0)]
    assert tab["time"].tolist() == [9, 13, 18, 23, 31, 34, 48]
    assert tab["ci_low"].to_numpy() == pytest.approx([0.77713529447, 0.64761427801, 0.51939396541, 0.40759384918,
                                                      0.28318727866, 0.17801236987, 0.04671058946], rel=1e-9)
    assert tab["ci_high"].to_numpy() == pytest.approx([1, 1, 0.9867766293, 0.9238353021, 0.8509977449,
                                                       0.7615080420, 0.7255199132], rel=1e-9)


def test_cox_hazard_ratio_interval_at_level_090_matches_r_coxph_lung():
    # coefficients polished by exact Newton steps: R's printed digits to 1e-8 (lifelines alone: ~2e-6)
    c = sv.cox_ph(load_lung(), "time", "status", ["age", "sex"], level=0.90).summary.set_index("term")
    assert c.loc[["age", "sex"], "hr"].to_numpy() == pytest.approx([1.0171914324, 0.5985659804], rel=1e-8)
    assert c.loc[["age", "sex"], "ci_low"].to_numpy() == pytest.approx([1.0018761548, 0.4544522852], rel=1e-8)
    assert c.loc[["age", "sex"], "ci_high"].to_numpy() == pytest.approx([1.0327408286, 0.7883803086], rel=1e-8)


def test_cox_that_cannot_converge_raises_the_one_convergence_error():
    lung = load_lung().assign(constant=1.0)
    with pytest.raises(ConvergenceError, match=r"Cox model on \['age', 'constant'\] did not converge"):
        sv.cox_ph(lung, "time", "status", ["age", "constant"])


def test_rmst_difference_interval_at_level():
    d = sv.rmst_difference(AML.time, AML.status, AML.x, 40, level=0.80).iloc[1]
    assert d["ci_high"] - d["diff"] == pytest.approx(1.2815515655446004 * d["diff_se"], rel=1e-12)  # z_0.90
    with pytest.raises(ParameterError, match="level"):
        sv.rmst_difference(AML.time, AML.status, AML.x, 40, level=1.5)


# R 4.2.2 Patched (r83330), survival 3.5.3, on the telco design of study 4, printed with digits = 15:
#   d <- read.csv("data/telco_churn/telco_churn.csv"); d$event <- as.integer(d$churn == "Yes")
#   fit <- coxph(Surv(tenure, event) ~ contract + monthly_charges + senior_citizen + partner + dependents +
#                internet_service + paperless_billing, data = d)
#   cbind(coef(fit), sqrt(diag(vcov(fit)))); cox.zph(fit)$table
#   fit2 <- coxph(Surv(tenure, event) ~ monthly_charges + partner + strata(contract), data = d)
#   cbind(coef(fit2), sqrt(diag(vcov(fit2)))); cox.zph(fit2)$table
TELCO_COVS = ["contract", "monthly_charges", "senior_citizen", "partner", "dependents", "internet_service",
              "paperless_billing"]
R_TELCO_COX = {  # term: (coef, se)
    "contract=One year": (-1.8316853867468184, 0.08669787213741706),
    "contract=Two year": (-3.6086916032111893, 0.16236277439371563),
    "monthly_charges": (-0.0298341140044990, 0.00210863279056256),
    "senior_citizen": (-0.0577151485525934, 0.05583477541222531),
    "partner": (-0.5543632496491258, 0.05448816356262583),
    "dependents": (-0.0993609242251208, 0.06806750509644766),
    "internet_service=Fiber optic": (1.4535852056283967, 0.09966840831904476),
    "internet_service=No": (-1.1785940136183040, 0.12315597415067074),
    "paperless_billing": (0.1873036291937818, 0.05586857034733616),
}
# cox.zph(fit)$table (transform "km"): chisq, df, p
R_TELCO_ZPH = {
    "contract": (92.390319885632792, 2, 8.66357114573210e-21),
    "monthly_charges": (109.844337445506284, 1, 1.05995852973626e-25),
    "senior_citizen": (0.486490966294769, 1, 4.85496793581913e-01),
    "partner": (23.934500084140048, 1, 9.96695090921453e-07),
    "dependents": (1.042044113753551, 1, 3.07346541255981e-01),
    "internet_service": (40.335039835405915, 2, 1.74324081680017e-09),
    "paperless_billing": (3.845454168012982, 1, 4.98810107379973e-02),
    "GLOBAL": (249.049333293756888, 9, 1.58362907287808e-48),
}


@pytest.fixture(scope="module")
def telco():
    from crmlab.core import datasets

    df = datasets.read_table(datasets.resolve_path("data/telco_churn/telco_churn.csv"))
    return df.assign(event=(df.churn == "Yes").astype(int))


def test_cox_ph_coefficients_and_ph_check_match_R_coxph_and_cox_zph_on_telco(telco):
    c = sv.cox_ph(telco, "tenure", "event", TELCO_COVS)
    s = c.summary.set_index("term")
    assert set(s.index) == set(R_TELCO_COX)
    for name, (coef, se) in R_TELCO_COX.items():  # lifelines alone stops ~1.6e-4 short; polished: 1e-8
        assert s.loc[name, "coef"] == pytest.approx(coef, rel=1e-8, abs=1e-10)
        assert s.loc[name, "se"] == pytest.approx(se, rel=1e-7)
    ph = c.ph_test
    assert list(ph.columns) == ["term", "chisq", "df", "p"]
    assert ph["term"].tolist() == list(R_TELCO_ZPH)  # covariate order, factors as one term, GLOBAL last
    assert ph["df"].tolist() == [v[1] for v in R_TELCO_ZPH.values()]
    assert ph["chisq"].to_numpy() == pytest.approx([v[0] for v in R_TELCO_ZPH.values()], rel=1e-6)
    assert ph["p"].to_numpy() == pytest.approx([v[2] for v in R_TELCO_ZPH.values()], rel=1e-6)
    assert c.zph.transform == "km" and len(c.zph.residuals) == 1869


def test_cox_ph_check_is_invariant_to_row_order_on_telco(telco):
    # the old lifelines rank-time check gave paperless_billing chi-square 0.451 -> 0.242 -> 0.217 on shuffles
    base = sv.cox_ph(telco, "tenure", "event", TELCO_COVS).ph_test
    for seed in (1, 2):
        shuffled = telco.iloc[np.random.default_rng(seed).permutation(len(telco))].reset_index(drop=True)
        again = sv.cox_ph(shuffled, "tenure", "event", TELCO_COVS).ph_test
        assert again["chisq"].to_numpy() == pytest.approx(base["chisq"].to_numpy(), rel=1e-9)


def test_stratified_cox_ph_matches_R_on_telco(telco):
    c = sv.cox_ph(telco, "tenure", "event", ["monthly_charges", "partner"], strata="contract")
    s = c.summary.set_index("term")
    assert s.loc[["monthly_charges", "partner"], "coef"].to_numpy() == pytest.approx(
        [0.00131946325823081, -0.60679791189033194], rel=1e-7)
    assert s.loc[["monthly_charges", "partner"], "se"].to_numpy() == pytest.approx(
        [0.000906568125769903, 0.049936125771108467], rel=1e-7)
    assert c.ph_test["chisq"].to_numpy() == pytest.approx([70.9765497325132, 22.1143782608780, 86.6490062610137],
                                                          rel=1e-6)
    assert c.ph_test["p"].to_numpy() == pytest.approx([3.61496179050919e-17, 2.56878507281351e-06,
                                                       1.52899955572330e-19], rel=1e-6)


def test_cox_ph_transform_choice_and_no_check(telco):
    rank = sv.cox_ph(telco, "tenure", "event", TELCO_COVS, ph_transform="rank").ph_test
    # R: cox.zph(fit, transform = "rank")$table[, "chisq"] for contract and GLOBAL (tests/test_ph_test.py)
    assert rank["chisq"].iloc[[0, -1]].to_numpy() == pytest.approx([96.608511559665487, 240.734779167188663],
                                                                   rel=1e-6)
    none = sv.cox_ph(telco, "tenure", "event", ["partner"], ph_check=False)
    assert none.ph_test.empty and list(none.ph_test.columns) == ["term", "chisq", "df", "p"] and none.zph is None
    with pytest.raises(ParameterError, match="ph_transform"):
        sv.cox_ph(telco, "tenure", "event", ["partner"], ph_transform="loglog")
