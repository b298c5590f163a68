"""Study 4 (retention experiments and time to churn): sentences, readable tables and figure labels in English and
Simplified Chinese with the names, money and time units a run on the bundled data has (the numbers do not change
with the language), the study's steps checked against references or by exact recomputation, and the catalog and
notebook complete in both languages."""
import contextlib
import json
import re
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlab import churn as ch
from crmlab import experiments as ex
from crmlab import survival as sv
from crmlab import uplift as up
from crmlab.core.errors import DataError, ParameterError
from crmlab.report import use_lang
from crmlab.report.fmt import use_currency
from crmlab.report.i18n import use_catalog, use_codebook
from crmlab.studies.retention import plots, steps, tables, text
from crmlab.studies.retention import sentences as s
from tests.conftest import ROOT

BUNDLED = [ROOT / "data" / "hillstrom" / "hillstrom.csv", ROOT / "data" / "telco_churn" / "telco_churn.csv"]


@contextlib.contextmanager
def bundled_words(currency: str | None = "USD", time_unit: str | None = "months", control="No E-Mail"):
    """The study's words as a run on the bundled data has them: the catalog, both codebooks, dollars, months."""
    cb = steps.merged_codebook(None, BUNDLED)
    use_catalog(text.CATALOG)
    use_codebook(cb.terms())
    use_currency(currency)
    text.use_data(cb, time_unit, control=control)
    try:
        yield cb
    finally:
        use_catalog(None)
        use_codebook(None)
        use_currency(None)
        text.use_data()


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """A display table with its non-breaking header spaces (kept whole on a phone) read as spaces."""
    out = df.rename(columns=lambda c: c.replace("\xa0", " ").replace("\u2060", "") if isinstance(c, str) else c)
    if isinstance(out.index.name, str):
        out.index.name = out.index.name.replace("\xa0", " ").replace("\u2060", "")
    return out


@pytest.fixture(autouse=True)
def _words():
    with bundled_words():
        yield
    plt.close("all")


ITT = pd.DataFrame({"arm": ["Mens E-Mail"] * 3, "outcome": ["visit", "conversion", "spend"],
                    "kind": ["binary", "binary", "continuous"], "mean_control": [0.1062, 0.0057, 0.6528],
                    "mean_treated": [0.1828, 0.0125, 1.4226], "estimate": [0.0766, 0.0068, 0.7698],
                    "ci_low": [0.0700, 0.0050, 0.4887], "ci_high": [0.0832, 0.0086, 1.0509],
                    "lift": [0.7214, 1.1884, 1.1793], "p": [5.7e-112, 1e-20, 1e-7], "p_holm": [3.4e-111, 0.2, 3e-7],
                    "method": ["newcombe CI, pooled z test"] * 2 + ["Welch t"]})


# ------------------------------------------------------------------ sentences
def test_effect_sentences_name_arms_and_outcomes_with_their_units_in_both_languages():
    assert s.itt_line(ITT, "No E-Mail") == (
        "2 of 3 effects hold after the Holm correction (p < 0.05). The largest relative lift is Men's e-mail on "
        "Purchase (2 weeks): +0.68 pp [0.50, 0.86], +119% over No e-mail (Holm p = 0.20).")
    assert s.target_arm_line("Mens E-Mail", "visit") == \
        "Arm of the targeting analyses: Men's e-mail (outcome: Website visit (2 weeks))."
    assert s.design_line(21000, 0.0092, 0.10, 0.451, 15.0) == (
        "With 21,000 customers per arm the minimum detectable effect is 0.920 percentage points on a 10% rate and "
        "0.451 on a mean with standard deviation 15.")
    assert s.mean_line(ITT.iloc[2]) == "+\\$0.77 [\\$0.49, \\$1.05] (control: \\$0.65)"  # dollars escaped: no maths
    with use_lang("zh"):
        assert s.itt_line(ITT, "No E-Mail") == (
            "3 个效应中有 2 个在 Holm 校正后显著（p < 0.05）。相对提升最大的是男装邮件对购买（两周内）的效应：+0.68 个"
            "百分点 [0.50, 0.86]，比不发邮件组高 119%（Holm 校正 p = 0.20）。")
        assert s.target_arm_line("Mens E-Mail", "visit") == "精准投放分析所用的实验组：男装邮件（结果变量：网站到访（两周内））。"
        assert s.design_line(21000, 0.0092, 0.10, 0.451, 15.0) == (
            "每组 21,000 位客户时，在 10% 的基准率上最小可检测效应为 0.920 个百分点，在标准差为 15 的均值上为 0.451。")
        assert s.mean_line(ITT.iloc[2]) == "+0.77 [0.49, 1.05] 美元（对照组：0.65 美元）"
    seg = pd.DataFrame({"segment": ["channel", "channel"], "level": ["Phone", "Web"], "kind": ["binary"] * 2,
                        "estimate": [0.0756, 0.083], "ci_low": [0.066, 0.063], "ci_high": [0.085, 0.103]})
    assert s.segment_line(seg, "Mens E-Mail", "visit") == (
        "The effect of Men's e-mail on Website visit (2 weeks) ranges across segments from Purchase channel in the past "
        "year = Phone: +7.6 pp [6.6, 8.5] to Purchase channel in the past year = Web: +8.3 pp [6.3, 10.3]; the "
        "intervals overlap, so these segments do not single out customers who respond more.")
    with use_lang("zh"):
        seg.loc[1, ["estimate", "ci_low", "ci_high"]] = [0.2, 0.15, 0.25]
        assert s.segment_line(seg, "Mens E-Mail", "visit").endswith("区间不重叠：过去一年的购买渠道为网站的客户响应更强。")


def test_arms_coded_as_numbers_are_named_as_arms():
    text.use_data(None, None, control="0")
    assert [text.arm_name(a) for a in ("0", "1", "Mens E-Mail", "call")] == \
        ["control (0)", "arm 1", "Men's e-mail", "call"]
    with use_lang("zh"):
        assert [text.arm_name(a) for a in ("0", "1")] == ["对照组（0）", "实验组 1"]
        assert text.arm_names(["1", "2"]) == "实验组 1和实验组 2"


def test_policy_sentences_carry_the_currency_and_say_when_everyone_or_no_one_is_best():
    ev = {"net_value": 0.2, "ci_low": 0.1, "ci_high": 0.3, "gain_of_best": 0.1012, "gain_ci_low": -0.05,
          "gain_ci_high": 0.25}
    pol = up.PolicyResult(pd.DataFrame(), 0.15, 0.3012, 0.1234, 0.4567, ev)
    assert s.policy_note(pol) == "Best policy: contact the top 15%; net value \\$0.30 [\\$0.12, \\$0.46] per customer."
    assert s.policy_line(pol) == (
        "Best policy: contact the top 15%; net value \\$0.30 [\\$0.12, \\$0.46] per customer; contacting everyone nets "
        "\\$0.20 [\\$0.10, \\$0.30], no one \\$0.00; gain of the best share over contacting everyone +\\$0.10 [-\\$0.05, "
        "\\$0.25] per customer.")
    with use_lang("zh"):
        assert s.policy_note(pol) == "最优策略：联系前 15% 的客户；每位客户净价值 0.30 [0.12, 0.46] 美元。"
    everyone = up.PolicyResult(pd.DataFrame(), 1.0, 0.67, 0.41, 0.94, ev)
    assert s.policy_note(everyone) == "Best policy: contact everyone; net value \\$0.67 [\\$0.41, \\$0.94] per customer."
    assert s.policy_line(everyone).startswith("Contacting everyone is the best of these policies")
    nobody = up.PolicyResult(pd.DataFrame(), 0.0, 0.0, 0.0, 0.0, ev)
    assert s.policy_note(nobody) == "Best policy: contact no one (no share contacted pays for its contacts)."
    with use_lang("zh"):
        assert s.policy_line(nobody).startswith("在这些策略中，不联系任何客户最好")
    use_currency(None)  # own data without a currency: the amount alone
    assert s.policy_note(pol) == "Best policy: contact the top 15%; net value 0.30 [0.12, 0.46] per customer."


def test_time_sentences_carry_the_unit_of_time():
    rm = pd.DataFrame({"group": ["Month-to-month", "Two year"], "rmst": [29.31, 47.96], "diff": [np.nan, 18.65],
                       "ci_low": [np.nan, 17.96], "ci_high": [np.nan, 19.34]})
    assert s.rmst_line(rm, 48.0, "tenure") == (
        "Within the first 48 months, Month-to-month customers stay 29.3 months on average (restricted mean); "
        "difference to them: Two year +18.6 [18.0, 19.3] months.")
    km_summary = pd.DataFrame({"stratum": ["Month-to-month", "Two year"], "median": [35.0, np.nan]})
    lr = SimpleNamespace(chi2=2352.94, df=2, p=0.0)
    assert s.km_line(km_summary, lr, "tenure", "contract") == (
        "Median time to churn by Contract: Month-to-month: 35 months, Two year: not reached (more than half still "
        "customers); log-rank chi-square 2,353 on 2 df, p < 0.001.")
    with use_lang("zh"):
        assert s.rmst_line(rm, 48.0, "tenure") == (
            "在前 48 个月内，按月合同客户平均仍为客户 29.3 个月（限制平均生存时间）；与之相比，两年合同相差 "
            "+18.6 [18.0, 19.3] 个月。")
        assert s.km_line(km_summary, lr, "tenure", "contract") == (
            "各合同类型的流失时间中位数：按月合同为 35 个月，两年合同未降到 50%；对数秩检验卡方 2,353（自由度 2），"
            "p < 0.001。")
    text.use_data(None, None)  # own data with no unit given: "periods", never a bare number
    assert s.rmst_line(rm, 48.0, "tenure").startswith("Within the first 48 periods, Month-to-month customers stay "
                                                      "29.3 periods")


def test_result_notes_are_sentences_with_readable_numbers():
    srm = ex.srm_test({"a": 100, "b": 100})
    assert s.srm_note(srm) == "SRM chi-square = 0 on 1 df, p = 1.00: no mismatch"
    alert = ex.srm_test({"a": 100, "b": 300})
    assert s.srm_note(alert).endswith("p < 0.001: **ALERT: sample-ratio mismatch**")
    with use_lang("zh"):
        assert s.srm_note(alert).endswith("p < 0.001：**警报：样本比例失衡**")
    cm = ch.ChurnModelResult(pd.DataFrame({"model": ["gbm"], "auc": [0.8]}), pd.DataFrame(), "gbm",
                             ["email", "phone_no"])
    assert s.churn_note(cm) == ("Best model by Brier score: gradient boosting.\n\nLeft out of the predictors as "
                                "identifier-like (almost every value distinct): email, phone\\_no.")
    with use_lang("zh"):
        assert s.churn_note(cm).split("\n\n")[0] == "按 Brier 分数选出的最优模型：梯度提升。"
    metrics = pd.Series({"auc": 0.8423, "auc_ci_low": 0.832, "auc_ci_high": 0.852, "pr_auc": 0.6561, "brier": 0.1364})
    assert s.churn_line("gbm", metrics, 2.94) == (
        "Churn model (gradient boosting): AUC 0.842 [0.832, 0.852], PR-AUC 0.656, Brier score 0.136; the riskiest 10% "
        "of customers churn at 2.9 times the average rate.")
    with use_lang("zh"):
        assert s.churn_line("gbm", metrics, 2.94) == (
            "流失预警模型（梯度提升）：AUC 0.842 [0.832, 0.852]，PR-AUC 0.656，Brier 分数 0.136；风险最高的 10% 客户的"
            "流失率是平均水平的 2.9 倍。")
    assert s.cox_note(SimpleNamespace(concordance=0.84567)) == "Cox proportional hazards model, concordance 0.846."
    assert s.qini_line("t", {"qini_coefficient": 0.0022, "ci_low": -0.0003, "ci_high": 0.0047}) == (
        "Qini coefficient of the T-learner: 0.0022 [-0.0003, 0.0047] (Poisson bootstrap with the ranking held fixed): "
        "not distinguishable from random targeting.")
    cuped = pd.DataFrame({"estimate": [0.0761, 0.77], "estimate_unadjusted": [0.0766, 0.77],
                          "se_unadjusted": [0.0034, 0.145], "variance_reduction": [0.0004, 0.029]})
    assert s.cuped_line(cuped).startswith("CUPED reduces the variance by < 0.1% to 2.9%")  # never "0.0%"
    assert [s.whole_pct(x) for x in (0.15, 0.125, 1.0, 0.0)] == ["15%", "12.5%", "100%", "0%"]


# ------------------------------------------------------------------ readable tables
def test_effect_tables_show_names_and_units_not_codes():
    en = plain(tables.itt(ITT))
    assert list(en.columns) == ["arm", "outcome", "control mean", "effect [CI]", "relative lift", "p", "Holm p",
                                "method"]
    assert "effect\xa0[CI]" in tables.itt(ITT).columns  # "[CI]" never wraps onto a line of its own
    assert en["outcome"].tolist() == ["Website visit (2 weeks)", "Purchase (2 weeks)", "Spend (2 weeks)"]
    assert en["effect [CI]"].tolist() == ["+7.7 pp [7.0, 8.3]", "+0.68 pp [0.50, 0.86]", "+$0.77 [$0.49, $1.05]"]
    assert en["control mean"].tolist() == ["10.6%", "0.6%", "$0.65"]
    with use_lang("zh"):
        zh = plain(tables.itt(ITT))
        assert zh.iloc[2][["分组", "结果变量", "对照组均值", "效应 [置信区间]"]].tolist() == \
            ["男装邮件", "消费额（两周内）", "0.65 美元", "+0.77 [0.49, 1.05] 美元"]
    seg = pd.DataFrame({"segment": ["channel"], "level": ["Web"], "outcome": ["visit"], "kind": ["binary"],
                        "n_treated": [9490], "n_control": [9373], "estimate": [0.0756], "ci_low": [0.0652],
                        "ci_high": [0.0859], "p_holm": [1e-40]})
    # the segment column is named, not taken for the e-mail campaign column ("segment") of the data
    assert plain(tables.segments(seg)).iloc[0].tolist() == ["Purchase channel in the past year", "Web", "9,490",
                                                            "9,373", "+7.6 pp [6.5, 8.6]", "< 0.001"]
    assert list(plain(tables.segments(seg)).columns)[:2] == ["segmented by", "customer segment"]
    cuped = pd.DataFrame({"arm": ["Mens E-Mail"], "outcome": ["spend"], "estimate": [0.77], "ci_low": [0.48],
                          "ci_high": [1.05], "p": [1e-7], "estimate_unadjusted": [0.7698], "variance_reduction": [0.003]})
    assert plain(tables.cuped(cuped, {"spend": "continuous"})).iloc[0].tolist() == [
        "Men's e-mail", "Spend (2 weeks)", "+$0.77 [$0.48, $1.05]", "+$0.77", "< 0.001", "0.3%"]


def test_english_headers_are_readable_terms_with_units():
    rm = pd.DataFrame({"group": ["Month-to-month"], "tau": [48.0], "rmst": [29.31], "se": [0.35], "diff": [np.nan],
                       "diff_se": [np.nan], "ci_low": [np.nan], "ci_high": [np.nan], "p": [np.nan]})
    assert list(plain(tables.readable(rm)).columns) == ["group", "horizon (months)", "RMST (months)", "SE",
                                                        "difference (months) [CI]", "SE (difference)", "p"]
    pol = pd.DataFrame({"fraction": [0.05, 0.125], "incremental_value": [0.07, 0.2], "cost": [0.005, 0.0125],
                        "net_value": [0.065, 0.19], "ci_low": [0.0, 0.1], "ci_high": [0.2, 0.3], "roi": [1.5, 2.0]})
    shown = plain(tables.readable(pol))
    assert list(shown.columns) == ["share contacted", "incremental value ($)", "contact cost ($)",
                                   "net value ($) [CI]", "ROI"]
    assert shown["share contacted"].tolist() == ["5%", "12%"]  # a grid of whole percents
    rank = pd.DataFrame({"customer": ["c_1"], "p_churn": [0.9372], "value": [1217.4], "value_at_risk": [1141.01],
                         "rank": [1]})
    assert plain(tables.risk_top(rank)).iloc[0].tolist() == ["1", "c_1", "93.7%", "1,217", "1,141"]
    assert list(plain(tables.risk_top(rank)).columns) == ["rank", "customer (pseudonym)", "P(churn)",
                                                          "value at stake ($)", "value at risk ($)"]
    lift = pd.DataFrame({"bin": [1], "churn_rate": [0.78], "lift": [2.94], "share_targeted": [0.1]})
    assert list(plain(tables.readable(lift)).columns) == ["risk decile", "churn rate", "lift (x average)",
                                                   "share of customers"]
    for df in (rm, pol, rank, lift, pd.DataFrame({"o_minus_e_sq_over_v": [1.0], "qini_coefficient": [0.1],
                                                  "auc": [0.8], "auc_ci_low": [0.7], "auc_ci_high": [0.9]})):
        assert not [c for c in plain(tables.readable(df)).columns if "_" in c], df.columns
    with use_lang("zh"):
        assert list(plain(tables.readable(lift)).columns) == ["风险十分位", "流失率", "提升度（倍）", "覆盖客户比例"]
        assert list(plain(tables.readable(pol)).columns)[1:4] == ["增量价值（美元）", "联系成本（美元）",
                                                                  "净价值（美元） [置信区间]"]
        assert "净价值\u2060（美元）\u2060\xa0\u2060[置信区间]" in tables.readable(pol).columns  # a Chinese header never breaks
    cox = pd.DataFrame({"term": ["partner", "contract=One year"], "coef": [-0.55436, -1.83], "hr": [0.57444, 0.16],
                        "ci_low": [0.51625, 0.135], "ci_high": [0.63918, 0.19], "p": [2.6e-24, 1e-99]})
    assert plain(tables.readable(cox))["term"].tolist() == ["Has a partner", "Contract (One year)"]
    with use_lang("zh"):
        assert plain(tables.readable(cox))["变量"].tolist() == ["有伴侣", "合同类型（一年合同）"]
    km_at = pd.DataFrame({12: [0.703], 24: [0.586]}, index=pd.Index(["Month-to-month"], name="stratum"))
    assert plain(tables.km_at(km_at)).columns.tolist() == ["12 months", "24 months"]
    with use_lang("zh"):
        assert plain(tables.km_at(km_at)).index.tolist() == ["按月合同"]
        assert plain(tables.km_at(km_at)).iloc[0].tolist() == ["70.3%", "58.6%"]


# ------------------------------------------------------------------ figures
def _labels(fig):
    return [t for ax in fig.axes for t in (ax.get_xlabel(), ax.get_ylabel(), ax.get_title(),
                                          *[x.get_text() for x in (ax.get_legend().get_texts()
                                                                   if ax.get_legend() else [])])]


@pytest.mark.filterwarnings("ignore:Glyph")  # no CJK font outside a study run: labels are checked as text
def test_figure_labels_follow_the_language_with_names_and_units():
    curves = steps.power_curves(0.1, [0.01, 0.02], alpha=0.05, n_arms=3, n_grid=[100, 1000])
    assert {"power", "rate +1 pp", "rate +2 pp"} <= set(_labels(plots.plot_power_curve(curves)))
    bal = pd.DataFrame({"arm": ["Mens E-Mail"], "covariate": ["channel=Web"], "smd": [0.01]})
    eff = pd.DataFrame({"arm": ["Mens E-Mail"], "outcome": ["visit"], "kind": ["binary"], "estimate": [0.1],
                        "ci_low": [0.0], "ci_high": [0.2]})
    q = pd.DataFrame({"fraction": [0, 1], "qini": [0, 0.1], "random": [0, 0.1]})
    pt = pd.DataFrame({"fraction": [0.5, 1], "net_value": [0.1, 0.2], "ci_low": [0, 0], "ci_high": [1, 1],
                       "roi": [1.0, 2.0]})
    km = sv.kaplan_meier(np.r_[1, 2, 3, 4.0], np.r_[1, 0, 1, 1], np.array(["One year"] * 2 + ["Two year"] * 2))
    y = np.r_[np.zeros(20), np.ones(20)]
    p = np.linspace(0.01, 0.99, 40)
    cm = ch.ChurnModelResult(pd.DataFrame(), pd.DataFrame({"gbm": p, "logistic": p}), "gbm")
    fig = plots.plot_love(bal)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Purchase channel in the past year (Web)"]
    assert {"T-learner", "random targeting", "incremental Website visit (2 weeks) (Qini)"} <= \
        set(_labels(plots.plot_qini({"t": q}, outcome="visit")))
    assert {"Tenure (months)", "share still a customer", "One year"} <= \
        set(_labels(plots.plot_km(km, duration_col="tenure")))
    assert "effect vs control (90% CI, percentage points)" in _labels(plots.plot_rate_effects(eff, level=0.90))
    assert "net value per customer ($)" in _labels(plots.plot_policy(pt))
    with use_lang("zh"):
        assert {"统计功效", "比率 +1 个百分点"} <= set(_labels(plots.plot_power_curve(curves)))
        assert {"与对照组的 |标准化均值差|", "男装邮件"} <= set(_labels(plots.plot_love(bal)))
        fig = plots.plot_rate_effects(eff)
        assert {"相对对照组的效应（95% 置信区间，百分点）", "各比率指标的效应"} <= set(_labels(fig))
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["男装邮件 | 网站到访（两周内）"]
        seg = eff.assign(segment="channel", level="Web")
        fig = plots.plot_segment_effects(seg, "Mens E-Mail", "visit")
        assert "男装邮件：对网站到访（两周内）的效应（按客户细分）" in _labels(fig)
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["过去一年的购买渠道 | 网站"]
        assert {"T 学习器", "随机投放"} <= set(_labels(plots.plot_qini({"t": q})))
        assert {"每位客户的净价值（美元）", "ROI（净价值 / 联系成本）"} <= set(_labels(plots.plot_policy(pt)))
        assert {"在网时长（月）", "仍为客户的比例（生存率）", "一年合同", "两年合同"} <= \
            set(_labels(plots.plot_km(km, duration_col="tenure")))
        labs = _labels(plots.plot_churn_models(y, cm))
        assert {"预测流失概率", "实际流失率", "梯度提升", "逻辑回归", "随机", "捕获的流失客户比例"} <= set(labs)


# ------------------------------------------------------------------ steps
def _experiment(seed=0, n=3000):
    rng = np.random.default_rng(seed)
    arm = rng.choice(["ctl", "A", "B"], n)
    x = rng.normal(size=n)
    ch_ = rng.choice(["web", "phone"], n)
    visit = (rng.uniform(size=n) < 0.2 + 0.05 * (arm == "A") + 0.05 * (x > 0) * (arm == "A")).astype(int)
    spend = 10 + 3 * x + 1.0 * (arm == "B") + rng.normal(0, 2, n)
    return pd.DataFrame({"arm": arm, "x": x, "channel": ch_, "visit": visit, "spend": spend})


def test_design_table_matches_statsmodels_with_bonferroni_alpha():
    from statsmodels.stats.power import NormalIndPower, TTestIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    d = steps.design_table(0.10, [0.01, 0.02], 0.5, 15.0, power=0.8, alpha=0.05, n_arms=3)
    assert d[["outcome", "effect"]].values.tolist() == [["rate", 0.01], ["rate", 0.02], ["mean", 0.5]]
    ref = [NormalIndPower().solve_power(proportion_effectsize(0.10 + e, 0.10), power=0.8, alpha=0.025)
           for e in (0.01, 0.02)] + [TTestIndPower().solve_power(0.5 / 15.0, power=0.8, alpha=0.025)]
    assert d["n_per_arm"].tolist() == [int(np.ceil(r)) for r in ref]
    assert (d["n_total"] == 3 * d["n_per_arm"]).all()
    assert tables.design(d)["effect"].tolist() == ["+1.00 pp", "+2.00 pp", "0.500"]  # a rate's effect in points
    mde = steps.design_mde(0.10, 15.0, 21000, power=0.8, alpha=0.05, n_arms=3)
    assert list(mde) == ["n_arms", "mde_rate", "mde_mean", "n_per_arm_for_mde"]
    assert NormalIndPower().power(proportion_effectsize(0.10 + mde["mde_rate"], 0.10), nobs1=21000,
                                  alpha=0.025) == pytest.approx(0.8, abs=1e-8)
    assert TTestIndPower().power(mde["mde_mean"] / 15.0, nobs1=21000, alpha=0.025) == pytest.approx(0.8, abs=1e-8)
    grid = steps.power_grid()
    assert grid[0] == 200 and grid[-1] == 200_000 and np.all(np.diff(grid) > 0)
    curves = steps.power_curves(0.10, [0.01, 0.02], alpha=0.05, n_arms=3)
    assert len(curves) == 2 * grid.size and curves["effect"].unique().tolist() == [0.01, 0.02]
    assert (curves.groupby("effect")["power"].apply(lambda p: np.all(np.diff(p) >= 0) and p.iloc[-1] > 0.99)).all()


def test_records_hold_the_stable_keys_and_the_table_values():
    df = _experiment()
    itt = ex.itt_effects(df, "arm", "ctl", ["visit", "spend"], binary={"visit": True})
    rec = steps.effects_record(itt, steps.ITT_FIELDS)
    # the dict the notebook used to build inline
    old = {f"{r.arm}|{r.outcome}": {"estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high, "p": r.p,
                                    "p_holm": r.p_holm, "lift": r.lift} for r in itt.itertuples()}
    assert json.dumps(rec) == json.dumps(old)
    assert steps.outcome_kinds(itt) == {"visit": "binary", "spend": "continuous"}
    srm = ex.srm_test(df["arm"])
    assert steps.srm_record(srm) == {"chi2": srm.chi2, "p": srm.p, "alert": srm.alert}
    bal = ex.balance_table(df, "arm", "ctl", ["x", "channel"])
    assert steps.max_abs_smd(bal) == float(bal["smd"].abs().max())
    km = sv.kaplan_meier(np.r_[1, 2, 3, 4, 6.0], np.r_[1, 0, 1, 1, 0], np.array(["a", "a", "b", "b", "b"]))
    assert steps.km_record(km.survival_at([1, 3, 10])) == {"a": {"1": 0.5, "3": None, "10": None},
                                                           "b": {"1": 1.0, "3": 1 - 1 / 3, "10": None}}
    rm = sv.rmst_difference(np.r_[1, 2, 3, 4, 6.0], np.r_[1, 0, 1, 1, 0], np.array(["a", "a", "b", "b", "b"]), 2.0)
    r = steps.rmst_record(rm)
    assert list(r) == ["a", "b"] and list(r["b"]) == ["rmst", "diff", "ci_low", "ci_high"]
    assert r["b"]["diff"] == rm.loc[1, "rmst"] - rm.loc[0, "rmst"]
    cox = SimpleNamespace(summary=pd.DataFrame({"term": ["x", "y"], "coef": [0.5, -1.0]}),
                          ph_test=pd.DataFrame({"term": ["x", "y"], "p": [0.2, 0.01]}))
    assert steps.cox_records(cox) == ({"x": 0.5, "y": -1.0}, {"x": 0.2, "y": 0.01})
    pol = up.PolicyResult(pd.DataFrame(), 0.15, 0.3, 0.1, 0.5, {"net_value": 0.2, "ci_low": 0, "ci_high": 1,
                                                                 "gain_of_best": 0.1, "gain_ci_low": -0.1,
                                                                 "gain_ci_high": 0.3})
    assert steps.policy_record(pol) == {"best_k": 0.15, "net_value": 0.3, "ci_low": 0.1, "ci_high": 0.5,
                                        "everyone_net_value": 0.2, "gain_vs_everyone": 0.1, "gain_ci_low": -0.1,
                                        "gain_ci_high": 0.3, "per": "customer"}
    lr = SimpleNamespace(chi2=3.0, p=0.08, df=1)
    assert list(steps.logrank_record(lr)) == ["chi2", "p", "df"]


def test_target_arm_and_uplift_sample():
    df = _experiment(1)
    itt = ex.itt_effects(df, "arm", "ctl", ["visit", "spend"])
    assert steps.target_arm(itt, "visit") == "A" and steps.target_arm(itt, "spend") == "B"
    assert steps.target_arm(itt, "visit", "B") == "B"
    with pytest.raises(ParameterError, match="parameter 'uplift_outcome' = 'retained'"):
        steps.target_arm(itt, "retained")
    with pytest.raises(ParameterError, match=r"'target_arm' = 'Z' is not a treated arm; the treated arms: \['A', 'B'\]"):
        steps.target_arm(itt, "visit", "Z")
    sub, X, treated = steps.uplift_sample(df, "arm", "ctl", "A", ["x", "channel"])
    assert set(sub["arm"]) == {"A", "ctl"} and len(sub) == int(df["arm"].isin(["A", "ctl"]).sum())
    assert list(X.columns) == ["x", "channel_phone", "channel_web"] and (X.iloc[:, 1:].sum(axis=1) == 1).all()
    assert treated.tolist() == (sub["arm"] == "A").astype(int).tolist()
    assert steps.learners("t", ["x", "t", "dr"]) == ["t", "x", "dr"]


def test_fit_uplift_is_cross_fit_cate_with_its_qini_areas():
    df = _experiment(2, n=1500)
    sub, X, treated = steps.uplift_sample(df, "arm", "ctl", "A", ["x", "channel"])
    scores, curves, qini = steps.fit_uplift(X, treated, sub["visit"], ["t", "x"], n_folds=2, seed=3)
    assert qini["learner"].tolist() == ["t", "x"]
    ref = up.cross_fit_cate(X, treated, sub["visit"], learner="x", n_folds=2, seed=3)
    assert np.array_equal(scores["x"], ref)
    areas = up.qini_summary(up.qini_curve(sub["visit"], treated, ref))
    assert qini.iloc[1][["auuc", "qini_random", "qini_coefficient"]].tolist() == list(areas.values())
    qb = {"ci_low": -0.1, "ci_high": 0.2}
    rec = steps.uplift_record(qini, qb, "t", "A", "visit")
    assert rec == {"auuc": qini.iloc[0]["auuc"], "qini_random": qini.iloc[0]["qini_random"],
                   "qini_coefficient": qini.iloc[0]["qini_coefficient"], "qini_ci_low": -0.1, "qini_ci_high": 0.2,
                   "learner": "t", "arm": "A", "outcome": "visit"}


def test_customer_value_and_churn_inputs():
    rows = pd.DataFrame({"visit": [1, 0, 1], "spend": [10.0, 0.0, 2.5]})
    assert steps.customer_value(rows, {"spend": 1.0, "visit": 2}).tolist() == [12.0, 0.0, 4.5]
    with pytest.raises(DataError, match=r"'value_per_outcome' names column\(s\) \['margin'\].*its columns: visit"):
        steps.customer_value(rows, {"margin": 1.0})
    assert steps.money_columns({"spend": 1.0, "visit": 2}, "monthly_charges") == ["spend", "monthly_charges"]
    telco = pd.DataFrame({"id": ["a", "b"], "tenure": [1, 5], "churn": ["Yes", "No"], "total_charges": [1.0, 2.0],
                          "monthly_charges": [20.0, 30.0]})
    assert list(steps.churn_features(telco, "churn", ["total_charges", "absent"], "id").columns) == \
        ["tenure", "monthly_charges"]
    # the churn reason is known only after churn: never a predictor
    assert list(steps.churn_features(telco.assign(why=["price", None]), "churn", ["total_charges"], "id",
                                     "why").columns) == ["tenure", "monthly_charges"]
    assert steps.customer_ids(telco, "id").tolist() == ["a", "b"]
    assert steps.customer_ids(telco).tolist() == [0, 1]
    assert steps.value_at_stake(telco, "monthly_charges", 12).tolist() == [240.0, 360.0]
    with pytest.raises(DataError, match="parameter 'value_col' names column 'fee'"):
        steps.value_at_stake(telco, "fee", 12)
    with pytest.raises(DataError, match=r"'monthly_charges' \(parameter value_col\) is empty or not a number at row 3"):
        steps.value_at_stake(telco.assign(monthly_charges=[20.0, None]), "monthly_charges", 12)
    cm = ch.ChurnModelResult(pd.DataFrame({"model": ["gbm", "logistic"], "auc": [0.8, 0.82], "pr_auc": [0.6, 0.62],
                                           "brier": [0.14, 0.13], "auc_ci_low": [0.7, 0.72],
                                           "auc_ci_high": [0.9, 0.92]}), pd.DataFrame(), "logistic")
    assert steps.churn_record(cm) == {"auc": 0.82, "pr_auc": 0.62, "brier": 0.13, "model": "logistic",
                                      "auc_ci_low": 0.72, "auc_ci_high": 0.92}


# ------------------------------------------------------------------ catalog and notebook
SECTIONS = ["design", "checks", "effects", "monitoring", "ratio", "uplift", "policy", "budget", "survival", "reasons",
            "aft", "contractual", "churn", "summary", "reading", "variables"]


def test_every_caption_and_section_exists_in_both_languages():
    values = dict(power=0.8, k=3, alpha=0.05, p_control=0.1, control="c", level=0.95, arm="a", outcome="o", cost="$1",
                  duration="d", strata="s", times="12, 24", tau="48 months", folds=5, model="gbm", top=20,
                  transform="km", shown="x", reps=200, looks=14, n=42613, group="g", horizon="24 months", unit="months",
                  rate="1.0%", value="v")
    for lang in ("en", "zh"):
        with use_lang(lang):
            for key in text.TEXTS:
                body = text.CATALOG.text(key, **values)
                assert "{" not in body and body.endswith(("。", ".")), (lang, key)
            for key in SECTIONS:
                assert text.CATALOG.section(key).startswith("## "), (lang, key)  # no numbers: parts may be left out
            intro = text.CATALOG.section("intro", data="D", steps="S")
            assert intro.startswith("# ") and "D" in intro and "Hillstrom" not in intro and "telco" not in intro
            assert "本 notebook" not in str(text.CATALOG.sections) and "诚实验证" not in str(text.CATALOG.sections)
    assert text.CATALOG.text("itt_effects", control="c", level=1 - 0.05).endswith("with 95% intervals, relative lift "
                                                                                   "and Holm-adjusted p-values.")


def test_notebook_is_thin_calls_with_keys_only():
    nb = json.loads((ROOT / "notebooks" / "04_retention_experiments.ipynb").read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert all(c["cell_type"] == "code" for c in cells)
    assert cells[0]["metadata"]["tags"] == ["parameters"]
    from crmlab.run.params import notebook_parameters

    declared = notebook_parameters(ROOT / "notebooks" / "04_retention_experiments.ipynb")
    assert len(declared) > 60 and not [n for n, p in declared.items() if not p.description]  # every one described
    assert {"sheet", "survival_sheet", "codebook", "currency", "outcome_values", "time_unit", "sbg",
            "discount_rate"} <= set(declared)
    code = ["".join(c["source"]) for c in cells[1:]]
    assert "parts = study.setup(lang, experiment=experiment," in code[0]
    for src in code:
        assert "pick(" not in src and "Markdown" not in src and "display(" not in src
        assert re.findall(r"\blang\b", src) in ([], ["lang"]) and ("lang" not in src or "study.setup(lang" in src)
    # one cell per section; a part's sections run only with its table (E: the experiment, S: the churn table)
    heads = [re.match(r'(?:if ([ES]) is not None:\n    )?section\("(\w+)"\)', src) for src in code[1:]]
    assert [m.group(2) for m in heads] == SECTIONS
    assert [m.group(1) for m in heads] == ["E"] * 8 + ["S"] * 5 + [None] * 3
    keys = re.findall(r'show_(?:table|figure)\([^,]+, "(\w+)"', "\n".join(code))
    assert keys and set(keys) <= set(text.TEXTS)
