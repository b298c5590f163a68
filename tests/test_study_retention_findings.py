"""Study 4 for a manager (issues #12 and #15): the contractual shifted-beta-geometric model per contract type (fitted
where churn falls with tenure, named and explained where it does not), the key findings under the title (3-6, each
from this run's numbers with its interval and unit, linked to its section, for either part alone or both) and the
closing summary in words, in English and Chinese."""
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from crmlab import uplift as up
from crmlab.clv.sbg import ShiftedBetaGeometric
from crmlab.report import use_lang
from crmlab.studies.retention import findings, steps, tables
from crmlab.studies.retention import sentences as s
from tests.conftest import ROOT
from tests.test_study_retention import bundled_words


@pytest.fixture(autouse=True)
def _words():
    with bundled_words():
        yield


@pytest.fixture(scope="module")
def telco():
    d = pd.read_csv(ROOT / "data" / "telco_churn" / "telco_churn.csv")
    return d.assign(ev=(d["churn"] == "Yes").astype(int))


@pytest.fixture(scope="module")
def sbg(telco):
    return steps.sbg_fits(telco["tenure"], telco["ev"], telco["contract"], discount_rate=0.01,
                          values=telco["monthly_charges"])


# ------------------------------------------------------------------ the contractual model
def test_sbg_per_contract_fits_month_to_month_as_R_and_names_the_contracts_it_cannot_describe(telco, sbg):
    # R 4.2.2, optim on the sBG likelihood with right censoring, month-to-month contracts (tests/test_clv_sbg.py):
    #   alpha = 0.422618, beta = 7.393295, LL = -7679.174997
    row = sbg.table.set_index("group").loc["Month-to-month"]
    assert (row["alpha"], row["beta"]) == pytest.approx((0.422618, 7.393295), rel=2e-5)
    assert row["loglik"] == pytest.approx(-7679.174997, abs=1e-5)
    assert row["retention_1"] == pytest.approx(7.393295 / (0.422618 + 7.393295), rel=2e-5)
    mtm = telco[telco["contract"] == "Month-to-month"]
    fit = ShiftedBetaGeometric().fit(mtm["tenure"], mtm["ev"])
    assert row["derl"] == pytest.approx(float(fit.derl(0.01)), rel=1e-12)
    active = mtm[mtm["ev"] == 0]
    # residual value = sum over the active customers of DERL (given the months each has survived) x monthly charges
    assert row["residual_value"] == pytest.approx(
        float(np.sum(fit.derl(0.01, renewals=active["tenure"].to_numpy()) * active["monthly_charges"])), rel=1e-12)
    assert (row["customers"], row["churned"], row["active"]) == (len(mtm), int(mtm["ev"].sum()), len(active))
    # one- and two-year contracts: churn rises with tenure, which the sBG cannot represent
    assert set(sbg.not_fitted) == {"One year", "Two year"}
    one = telco[telco["contract"] == "One year"]
    t, ev = one["tenure"].to_numpy(), one["ev"].to_numpy()
    at_risk = [int((t >= u).sum()) for u in range(1, 73)]
    lost = [int(((t == u) & (ev == 1)).sum()) for u in range(1, 73)]
    early, late = sum(lost[:36]) / sum(at_risk[:36]), sum(lost[36:]) / sum(at_risk[36:])
    nf = sbg.not_fitted["One year"]
    assert nf["reason"] == "churn_rises_with_tenure" and late > early
    assert (nf["churn_early"], nf["churn_late"]) == pytest.approx((early, late), rel=1e-12)
    rec = steps.sbg_record(sbg)
    assert set(rec) == {"Month-to-month", "not_fitted", "discount_rate"} and rec["discount_rate"] == 0.01
    assert set(rec["Month-to-month"]) >= {"alpha", "beta", "loglik", "retention_1", "derl"}
    cmp = steps.sbg_compare(sbg, [12, 72])
    assert cmp["group"].tolist() == ["Month-to-month"] * 2 and cmp["time"].tolist() == [12, 72]
    assert cmp["fitted"].tolist() == pytest.approx(fit.survival([12, 72]).tolist(), rel=1e-12)
    # a group without churn is not fitted either, and says why
    rng = np.random.default_rng(3)
    T = rng.geometric(rng.beta(0.8, 2.5, 400))  # sBG durations, seen for at most 12 periods
    res = steps.sbg_fits(np.r_[np.minimum(T, 12), np.arange(1, 41)], np.r_[(T <= 12).astype(int), np.zeros(40)],
                         np.array(["a"] * 400 + ["b"] * 40), discount_rate=0.01)
    assert res.not_fitted["b"]["reason"] == "no_churn" and res.table["group"].tolist() == ["a"]


def test_sbg_words_say_where_it_fits_and_why_not_elsewhere(sbg):
    cmp = steps.sbg_compare(sbg, [12, 24, 48, 72])
    en = s.sbg_line(sbg, cmp, "contract")
    assert en.startswith("Month-to-month: the sBG fits α = 0.42 [0.36, 0.48], β = 7.4 [5.6, 9.2]; 94.6% renew after "
                         "the first period")
    assert "discounted expected residual lifetime (DERL) is 41.4 months" in en
    assert "active customers hold \\$8,231,557 of discounted expected value still to come" in en
    assert "After 72 months the model expects 36.1% still to be customers against 12.9% observed: that far out it " \
           "misses" in en
    assert re.search(r"One year and Two year cannot be described by the sBG: their churn rises with tenure \(One "
                     r"year 0\.11% a period in the first half against 0\.68% in the second", en)
    assert "Kaplan-Meier curves above" in en
    from tests.test_study_retention import plain

    assert plain(tables.sbg(sbg.table)).columns.tolist() == [
        "group", "customers", "churned", "α", "β", "retention, period 1", "DERL (months)", "residual value ($)"]
    with use_lang("zh"):
        zh = s.sbg_line(sbg, cmp, "contract")
        assert zh.startswith("按月合同：sBG 模型拟合结果 α = 0.42 [0.36, 0.48]，β = 7.4 [5.6, 9.2]；首期保留率 94.6%")
        assert "新客户的折现预期剩余期数（DERL）为 41.4 个月" in zh and "8,231,557 美元" in zh
        assert "一年合同和两年合同无法用 sBG 模型描述：其流失率随时长上升" in zh
        assert s.sbg_skipped("fractional").startswith("sBG 模型需要以整期计的时长")
    assert s.sbg_skipped("off") == "The contractual model was not fitted (`sbg = False`)."


# ------------------------------------------------------------------ key findings and summary
def _experiment_results(alert=False):
    itt = pd.DataFrame({"arm": ["Mens E-Mail", "Mens E-Mail"], "outcome": ["visit", "spend"],
                        "kind": ["binary", "continuous"], "mean_control": [0.1062, 0.6528],
                        "mean_treated": [0.1828, 1.4226], "estimate": [0.0766, 0.7698], "ci_low": [0.0700, 0.4887],
                        "ci_high": [0.0832, 1.0509], "lift": [0.7214, 1.1793], "p_holm": [3.4e-111, 3e-7]})
    ev = {"net_value": 0.67, "ci_low": 0.41, "ci_high": 0.94, "gain_of_best": 0.1, "gain_ci_low": 0.02,
          "gain_ci_high": 0.2}
    return dict(srm=SimpleNamespace(alert=alert, p=0.9037 if not alert else 1e-6, chi2=0.2), max_smd=0.0137, itt=itt,
                arm="Mens E-Mail", outcome="visit", learner="t",
                qb={"qini_coefficient": 0.0022, "ci_low": -0.0003, "ci_high": 0.0047},
                policy=up.PolicyResult(pd.DataFrame(), 0.4, 0.77, 0.5, 1.0, ev),
                budget=SimpleNamespace(budget=1000.0, n_contacts=9999.0, share_contacted=0.2346, net_value=6354.3,
                                       ci_low=-350.0, ci_high=13058.3, roi=6.355))


def _survival_results(sbg_res):
    km = SimpleNamespace(summary=pd.DataFrame({"stratum": ["Month-to-month", "One year", "Two year"],
                                               "median": [35.0, np.nan, np.nan], "median_ci_low": [32.0, 72.0, np.nan],
                                               "median_ci_high": [38.0, np.nan, np.nan]}))
    rm = pd.DataFrame({"group": ["Month-to-month", "One year", "Two year"], "rmst": [29.31, 46.75, 47.96],
                       "diff": [np.nan, 17.44, 18.65], "ci_low": [np.nan, 16.68, 17.96],
                       "ci_high": [np.nan, 18.19, 19.34]})
    ph = pd.DataFrame({"term": ["contract", "monthly_charges", "partner", "GLOBAL"], "chisq": [92.4, 110, 0.5, 249],
                       "df": [2, 1, 1, 9], "p": [8.7e-21, 1.1e-25, 0.48, 1.6e-48]})
    churn = SimpleNamespace(best="gbm", metrics=pd.DataFrame({"model": ["gbm"], "auc": [0.8423], "auc_ci_low": [0.832],
                                                              "auc_ci_high": [0.852], "pr_auc": [0.656],
                                                              "brier": [0.136]}))
    return dict(km=km, logrank=SimpleNamespace(chi2=2352.9, df=2, p=0.0), cox=SimpleNamespace(ph_test=ph), rmst=rm,
                rmst_tau=48.0, sbg=sbg_res, churn=churn, lift=pd.DataFrame({"lift": [2.94]}))


def _parts(exp=True, surv=True):
    e = SimpleNamespace(control="No E-Mail") if exp else None
    v = SimpleNamespace(strata_col="contract", duration_col="tenure") if surv else None
    return SimpleNamespace(exp=e, surv=v)


def test_key_findings_from_both_parts_with_intervals_units_and_links(sbg):
    f = findings.Found(_parts())
    f.add(**_experiment_results(), **_survival_results(sbg))
    kf = findings.key_findings(f)
    assert 3 <= len(kf) <= 6
    assert [k for _, k in kf] == ["effects", "policy", "survival", "survival", "contractual", "churn"]
    text_ = [t for t, _ in kf]
    assert text_[0] == ("Men's e-mail has the largest effect on Website visit (2 weeks): +7.7 pp [7.0, 8.3] (95% "
                        "interval), from 10.6% under No e-mail to 18.3%; it holds after the Holm correction (Holm p < "
                        "0.001).")
    assert text_[1] == ("Contacting only the top 40% by predicted uplift nets \\$0.77 [\\$0.50, \\$1.00] per customer "
                        "against \\$0.67 [\\$0.41, \\$0.94] for contacting everyone (a gain of +\\$0.10 [\\$0.02, "
                        "\\$0.20] per customer): target.")
    assert text_[2] == ("Month-to-month customers churn soonest (Contract): within the first 48 months they stay 29.3 "
                        "months on average, 18.6 [18.0, 19.3] months less than Two year customers; half of them are "
                        "gone within 35 [32, 38] months.")
    assert "Monthly charges and Contract change with tenure" in text_[3]
    assert "Month-to-month: 94.6% renew after the first period" in text_[4] and "41.4 months" in text_[4]
    assert "One year and Two year: churn rises with tenure, which the sBG cannot describe." in text_[4]
    assert text_[5].startswith("The churn model (gradient boosting) ranks customers by risk with an out-of-fold AUC of "
                               "0.842 [0.832, 0.852] (95% DeLong interval)")
    with use_lang("zh"):
        zh = [t for t, _ in findings.key_findings(f)]
        assert zh[0] == ("男装邮件对网站到访（两周内）的效应最大：+7.7 个百分点 [7.0, 8.3]（95% 置信区间），从不发邮件的 "
                         "10.6% 到 18.3%；效应在 Holm 校正后仍然显著（Holm 校正 p < 0.001）。")
        assert zh[1].startswith("只联系预测增益最高的前 40% 客户，每位客户净价值 0.77 [0.50, 1.00] 美元，高于联系全部客户的 "
                                "0.67 [0.41, 0.94] 美元")
        assert zh[2].startswith("按合同类型看，按月合同客户流失最快：前 48 个月内平均仍为客户 29.3 个月，比两年合同客户少 "
                                "18.6 [18.0, 19.3] 个月")
        assert "按月合同首期保留率 94.6%" in zh[4] and "一年合同和两年合同的流失率随时长上升" in zh[4]


def test_key_findings_of_either_part_alone(sbg):
    f = findings.Found(_parts(surv=False))
    f.add(**_experiment_results())
    kf = findings.key_findings(f)
    assert [k for _, k in kf] == ["checks", "effects", "policy", "budget"]
    assert kf[0][0].startswith("The randomisation checks pass: arm sizes as designed (p = 0.90) and covariates "
                               "balanced (largest |SMD| 0.0137)")
    assert "\\$6,354 [-\\$350, \\$13,058]" in kf[3][0]
    f = findings.Found(_parts(exp=False))
    f.add(**_survival_results(sbg))
    kf = findings.key_findings(f)
    assert [k for _, k in kf] == ["survival", "survival", "contractual", "churn"]
    assert not any("e-mail" in t for t, _ in kf)
    # an alert is the first thing a reader sees, and the effect finding says not to trust it
    f = findings.Found(_parts())
    f.add(**_experiment_results(alert=True), **_survival_results(sbg))
    kf = findings.key_findings(f)
    assert kf[0][1] == "checks" and kf[0][0].startswith("Randomisation check failed")
    assert kf[1][0].startswith("**Sample-ratio mismatch: the arms are not as designed, so do not trust the effects.**")
    assert len(kf) == 6


def test_targeting_finding_when_no_one_or_everyone_is_best():
    ev = {"net_value": -0.3, "ci_low": -1.0, "ci_high": 0.6, "gain_of_best": 0.3, "gain_ci_low": -0.6,
          "gain_ci_high": 1.0}
    f = findings.Found(_parts(surv=False))
    f.add(policy=up.PolicyResult(pd.DataFrame(), 0.0, 0.0, 0.0, 0.0, ev))
    assert findings.targeting_finding(f).startswith("No one is worth contacting")
    f.add(policy=up.PolicyResult(pd.DataFrame(), 1.0, 0.67, 0.41, 0.94, ev))
    assert findings.targeting_finding(f) == ("Targeting does not beat contacting everyone: contacting all customers "
                                             "nets the most, \\$0.67 [\\$0.41, \\$0.94] per customer.")
    f.add(policy=up.PolicyResult(pd.DataFrame(), 0.15, 0.30, 0.12, 0.46, {**ev, "net_value": 0.2, "ci_low": 0.1,
                                                                           "ci_high": 0.3, "gain_of_best": 0.1,
                                                                           "gain_ci_low": -0.05}))
    assert findings.targeting_finding(f).endswith("so the data do not show that targeting beats contacting everyone.")


def test_closing_summary_summarises_in_words(sbg):
    f = findings.Found(_parts())
    f.add(**_experiment_results(), **_survival_results(sbg))
    for lang in ("en", "zh"):
        with use_lang(lang):
            text_ = findings.summary(f)
            assert "results.json" not in text_ and "tables/" not in text_ and "`itt`" not in text_
            heads = ("**The experiment.**", "**Time to churn.**") if lang == "en" else ("**实验。**", "**流失时间。**")
            assert all(h in text_ for h in heads)
    f = findings.Found(_parts(exp=False))
    f.add(**_survival_results(sbg))
    out = findings.summary(f)
    assert out.startswith("This run had no experiment table: it covers time to churn and churn early warning.")
    assert "**The experiment.**" not in out
    with pytest.raises(AttributeError, match="no field 'nonsense'"):
        f.add(nonsense=1)
