"""Study 4 (retention experiments and time to churn): sentences, readable tables and figure labels in English and
Simplified Chinese (the numbers do not change with the language), the study's steps checked against references or
by exact recomputation, and the catalog complete in both languages."""
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
from crmlab.report import format_table, use_lang
from crmlab.report.i18n import use_catalog
from crmlab.studies.retention import plots, steps, tables, text
from crmlab.studies.retention import sentences as s
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _catalog():
    use_catalog(text.CATALOG)
    yield
    use_catalog(None)
    plt.close("all")


def _inputs(alert=False, viol=("contract=One year",)):
    itt = pd.DataFrame([{"arm": "Mens E-Mail", "outcome": "visit", "estimate": 0.0766, "ci_low": 0.07,
                         "ci_high": 0.0832, "lift": 0.7214, "p_holm": 3.4e-111}])
    cuped = pd.DataFrame({"variance_reduction": [0.002, 0.029]})
    policy = SimpleNamespace(best_k=0.15, net_value=0.3012, ci_low=0.1234, ci_high=0.4567,
                             everyone={"net_value": 0.2, "gain_of_best": 0.1012, "gain_ci_low": -0.05,
                                       "gain_ci_high": 0.25})
    km_summary = pd.DataFrame({"stratum": ["Month-to-month", "Two year"], "median": [35.0, np.nan]})
    ph = pd.DataFrame({"term": ["contract", "partner", "GLOBAL"], "chisq": [92.39, 0.9, 249.05], "df": [2, 1, 9],
                       "p": [1e-5 if viol else 0.5, 0.3, 1.6e-48]})
    return dict(srm=SimpleNamespace(chi2=0.203, p=0.9037, alert=alert), max_abs_smd=0.0137, itt=itt,
                control="No E-Mail", cuped=cuped, uplift_learner="t", arm="Mens E-Mail", uplift_outcome="visit",
                qini_row={"auuc": 0.0405, "qini_random": 0.0383},
                qb={"qini_coefficient": 0.0022, "ci_low": -0.0003, "ci_high": 0.0047}, policy=policy,
                km_summary=km_summary, logrank=SimpleNamespace(chi2=2352.94, df=2, p=0.0), ph_test=ph,
                duration_col="tenure", strata_col="contract", churn_best="gbm",
                churn_metrics={"auc": 0.8423, "pr_auc": 0.6561, "brier": 0.1364}, top_decile_lift=2.94)


# ------------------------------------------------------------------ sentences
def test_summary_lines_in_chinese_from_known_numbers():
    with use_lang("zh"):
        lines = s.summary_lines(**_inputs())
    assert lines == [
        "随机化检查：样本比例失衡（SRM）卡方 0.203，p = 0.90（未发现样本比例失衡）；协变量最大 |SMD| 为 0.0137。",
        "男装邮件 对比 不发邮件，到访：+0.077 [0.070, 0.083]，相对提升 +72.1%，Holm 校正 p < 0.001。",
        "CUPED 回归调整的方差缩减：0.2% 至 2.9%（该值较小时，说明实验前协变量对结果的解释力很弱）。",
        "增益模型（T 学习器，男装邮件，到访）：留出样本 AUUC 为 0.0405，随机投放为 0.0383（Qini 系数 "
        "0.0022 [-0.0003, 0.0047]：与随机投放无法区分）。",
        "最优策略：联系预测增益最高的前 15% 客户；每位客户净价值 0.30 [0.12, 0.46]；联系全部客户的净价值为 0.200，"
        "不联系任何客户为 0；最优比例相对于联系全部客户的增益为 0.10 [-0.05, 0.25]。",
        "各合同类型的在网时长（月）中位数：按月合同为 35，两年合同未达到；对数秩检验卡方 2,353（自由度 2），"
        "p < 0.001。",
        "比例风险检验（与 R 的 cox.zph 一致）：合同类型的假设被拒绝（p < 0.01；整体检验卡方 249（自由度 9），"
        "p < 0.001）；它们的风险比应理解为整个在网期内的平均值，或改用分层 / 时变效应模型。",
        "流失预警模型（梯度提升）：AUC 0.842，PR-AUC 0.656，Brier 分数 0.136；风险最高的 10% 客户的流失率是平均水平的"
        " 2.9 倍。",
    ]


def test_summary_lines_alert_and_no_ph_violation_in_both_languages():
    with use_lang("zh"):
        zh = s.summary_lines(**_inputs(alert=True, viol=()))
    assert "警报：以下效应不可信" in zh[0]
    assert zh[-2] == ("比例风险检验（与 R 的 cox.zph 一致）：所有变量均未被拒绝（p < 0.01；整体检验卡方 249"
                      "（自由度 9），p < 0.001）。")
    en = s.summary_lines(**_inputs(alert=True, viol=()))
    assert "ALERT: do not trust the effects below" in en[0]
    assert en[-2] == ("Proportional hazards (R's cox.zph test): not rejected for any term (p < 0.01; global test "
                      "chi-square 249 on 9 df, p < 0.001).")
    assert s.bullets(["a", "b"]) == "- a\n- b"


def test_summary_lines_in_english_keep_the_original_wording():
    en = s.summary_lines(**_inputs())
    assert en[0] == ("Randomisation: SRM chi-square 0.203, p = 0.90 (no mismatch); largest covariate |SMD| 0.0137.")
    assert en[1] == ("Mens E-Mail vs No E-Mail, visit: +0.077 [0.070, 0.083], relative lift +72.1%, "
                     "Holm p < 0.001.")
    assert en[4] == ("Best policy: contact the top 15%; net value 0.30 [0.12, 0.46] per customer; contacting "
                     "everyone nets 0.200, no one 0; gain of the best k over everyone 0.10 [-0.05, 0.25].")
    assert en[5] == ("Median tenure by contract: Month-to-month: 35, Two year: not reached; "
                     "log-rank chi-square 2,353 on 2 df, p < 0.001.")
    assert en[-1] == ("Churn model (gbm): AUC 0.842, PR-AUC 0.656, Brier 0.136; "
                      "the top decile holds 2.9x the average churn rate.")
    with use_lang("zh"):  # the same numbers in both languages
        zh = s.summary_lines(**_inputs())
    numbers = ("0.0405", "0.0383", "0.30 [0.12, 0.46]", "2,353", "0.842")
    for a, b in zip(en, zh):
        assert [n for n in numbers if n in a] == [n for n in numbers if n in b]


def test_short_sentences_in_both_languages():
    with use_lang("zh"):
        assert s.experiment_line(64000, ["No E-Mail", "Mens E-Mail"], ["visit", "spend"]) == \
            "共 64,000 位客户；实验组：不发邮件、男装邮件；结果变量：到访、消费金额"
        assert s.design_line(21000, 0.0092, 0.10, 0.451, 15.0) == \
            "每组 21,000 位客户时，在 10% 的基准率上最小可检测效应为 0.00920，在标准差为 15 的均值上为 0.451。"
        assert s.qini_line("t", {"qini_coefficient": 0.0022, "ci_low": -0.0003, "ci_high": 0.0047}) == \
            "T 学习器的 Qini 系数：0.0022 [-0.0003, 0.0047]（固定排序的泊松自助法区间）：与随机投放无法区分。"
        assert s.balance_line(0.0137) == "协变量最大 |SMD| = 0.0137"
        assert s.target_arm_line("offer", "retained") == "精准投放分析所用的实验组：offer（结果变量：保留）"
    assert s.design_line(21000, 0.0092, 0.10, 0.451, 15.0) == \
        "With 21,000 customers per arm the minimum detectable effect is 0.00920 on a 10% rate and 0.451 on a mean " \
        "with sd 15."
    # English names the arms as the data spells them (Markdown-escaped brackets render as typed)
    assert s.experiment_line(64000, ["No E-Mail"], ["visit"]) == \
        "64,000 customers; arms: \\['No E-Mail'\\]; outcomes: \\['visit'\\]"
    assert [s.whole_pct(x) for x in (0.15, 0.125, 1.0, 0.0)] == ["15%", "12.5%", "100%", "0%"]


def test_result_notes_are_sentences_with_readable_numbers():
    srm = ex.srm_test({"a": 100, "b": 100})
    assert s.srm_note(srm) == "SRM chi-square = 0 on 1 df, p = 1.00: no mismatch"
    alert = ex.srm_test({"a": 100, "b": 300})
    assert s.srm_note(alert).endswith("p < 0.001: **ALERT: sample-ratio mismatch**")
    with use_lang("zh"):
        assert s.srm_note(alert).endswith("p < 0.001：**警报：样本比例失衡**")
    pol = up.PolicyResult(pd.DataFrame({"fraction": [0.0, 1.0], "net_value": [0.0, 0.1]}), 0.15, 0.3012, 0.1234,
                          0.4567)
    assert s.policy_note(pol) == "best policy: contact top 15%; net value per customer 0.30 [0.12, 0.46]"
    with use_lang("zh"):
        assert s.policy_note(pol) == "最优策略：联系前 15% 的客户；每位客户净价值 0.30 [0.12, 0.46]"
    cm = ch.ChurnModelResult(pd.DataFrame({"model": ["gbm"], "auc": [0.8]}), pd.DataFrame(), "gbm",
                             ["email", "phone_no"])
    assert s.churn_note(cm) == ("best model by Brier score: gbm\n\nLeft out of the predictors as identifier-like "
                                "(almost every value distinct): email, phone\\_no")
    with use_lang("zh"):
        assert s.churn_note(cm).split("\n\n")[0] == "按 Brier 分数选出的最优模型：梯度提升"
        assert "未作为预测变量" in s.churn_note(cm)
    lr = sv.logrank_test(np.r_[1, 2, 3, 4, 5, 6.0], np.r_[1, 1, 0, 1, 1, 0], np.array(["A"] * 3 + ["B"] * 3))
    assert s.logrank_note(lr).startswith("log-rank chi-square = ")
    with use_lang("zh"):
        assert s.logrank_note(lr).startswith("对数秩检验卡方 = ")
    cox = SimpleNamespace(concordance=0.84567)
    assert s.cox_note(cox) == "Cox PH, concordance 0.846"
    with use_lang("zh"):
        assert s.cox_note(cox) == "Cox 比例风险模型，一致性指数（C 指数）0.846"


def test_what_this_means_lines_from_numbers():
    itt = pd.DataFrame({"arm": ["Mens E-Mail", "Mens E-Mail"], "outcome": ["visit", "conversion"],
                        "estimate": [0.0766, 0.0068], "ci_low": [0.0700, 0.0050], "ci_high": [0.0832, 0.0086],
                        "lift": [0.7214, 1.1884], "p_holm": [3.4e-111, 0.2]})
    assert s.itt_line(itt, "No E-Mail") == (
        "1 of 2 effects hold after the Holm correction (p < 0.05). The largest relative lift is Mens E-Mail on "
        "conversion: +0.0068 [0.0050, 0.0086], +119% over No E-Mail (Holm p = 0.20).")
    cuped = pd.DataFrame({"estimate": [0.0761, 0.77], "estimate_unadjusted": [0.0766, 0.77],
                          "se_unadjusted": [0.0034, 0.145], "variance_reduction": [0.0295, 0.0026]})
    assert s.cuped_line(cuped) == ("CUPED reduces the variance by 0.3% to 2.9%; the adjusted estimates move by at "
                                   "most 0.15 standard errors, so the conclusions do not depend on the adjustment.")
    seg = pd.DataFrame({"segment": ["channel", "channel"], "level": ["Phone", "Web"], "estimate": [0.0756, 0.083],
                        "ci_low": [0.066, 0.063], "ci_high": [0.085, 0.103]})
    assert s.segment_line(seg, "Mens E-Mail", "visit") == (
        "The effect of Mens E-Mail on visit ranges across segments from channel = Phone: +0.076 [0.066, 0.085] to "
        "channel = Web: +0.083 [0.063, 0.103]; the intervals overlap, so these segments do not single out customers "
        "who respond more.")
    rm = pd.DataFrame({"group": ["Month-to-month", "Two year"], "rmst": [29.31, 47.96], "diff": [np.nan, 18.65],
                       "ci_low": [np.nan, 17.96], "ci_high": [np.nan, 19.34]})
    assert s.rmst_line(rm, 48.0, "tenure") == ("Within tenure up to 48, Month-to-month customers stay 29.3 on "
                                               "average (restricted mean); difference to them: Two year "
                                               "+18.6 [18.0, 19.3].")
    with use_lang("zh"):
        assert s.itt_line(itt, "No E-Mail") == (
            "2 个效应中有 1 个在 Holm 校正后显著（p < 0.05）。相对提升最大的是男装邮件对转化的效应：+0.0068 [0.0050, "
            "0.0086]，比不发邮件组高 119%（Holm 校正 p = 0.20）。")
        assert s.cuped_line(cuped).startswith("CUPED 回归调整使方差缩减 0.3% 至 2.9%；")
        seg.loc[1, ["estimate", "ci_low", "ci_high"]] = [0.2, 0.15, 0.25]
        assert s.segment_line(seg, "Mens E-Mail", "visit").endswith("区间不重叠：渠道 = Web 的客户响应更强。")
        assert s.rmst_line(rm, 48.0, "tenure") == ("在网时长（月）以 48 为上限时，按月合同客户平均留存 29.3"
                                                   "（限制平均生存时间）；与之相比，两年合同相差 +18.6 [18.0, 19.3]。")
    # a tiny non-zero share is "< 0.1%", never "0.0%" (the project's rule)
    tiny = cuped.assign(variance_reduction=[0.0004, 0.029])
    assert s.cuped_line(tiny).startswith("CUPED reduces the variance by < 0.1% to 2.9%")


# ------------------------------------------------------------------ readable tables
def test_readable_tables_translate_words_and_headers_for_display_only():
    df = pd.DataFrame({"arm": ["Mens E-Mail", "call"], "outcome": ["visit", "x1"], "p_holm": [0.01, 0.2]})
    with use_lang("zh"):
        zh = tables.readable(df)
    assert list(zh.columns) == ["实验组", "结果变量", "Holm 校正 p 值"]
    assert zh["实验组"].tolist() == ["男装邮件", "call"]  # unknown labels are shown as they are
    assert zh["结果变量"].tolist() == ["到访", "x1"]
    assert tables.readable(df).values.tolist() == [["Mens E-Mail", "visit", "0.010"], ["call", "x1", "0.20"]]
    assert list(df.columns) == ["arm", "outcome", "p_holm"]  # the input is not changed
    km_at = pd.DataFrame({12: [0.9]}, index=pd.Index(["Two year"], name="stratum"))
    with use_lang("zh"):
        assert tables.readable(km_at).index.tolist() == ["两年合同"]
        assert tables.readable(km_at.rename_axis(None), index_words=True).index.tolist() == ["两年合同"]
    assert tables.readable(km_at.rename_axis(None), index_words=True).index.tolist() == ["Two year"]
    metrics = pd.DataFrame({"model": ["gbm", "logistic"], "auc": [0.8, 0.7]})
    qini = pd.DataFrame({"learner": ["t", "dr"], "auuc": [0.04, 0.03]})
    with use_lang("zh"):
        assert tables.readable(metrics)["模型"].tolist() == ["梯度提升", "逻辑回归"]
        assert tables.readable(qini)["学习器"].tolist() == ["T 学习器", "DR 学习器"]
    assert tables.readable(metrics)["model"].tolist() == ["gbm", "logistic"]


def test_readable_numbers_intervals_percent_and_p_values():
    lift = pd.DataFrame({"bin": [1], "churn_rate": [0.78], "lift": [2.94], "share_targeted": [0.1]})
    assert tables.readable(lift).iloc[0].tolist() == ["1", "78.0%", "2.94", "10%"]  # a ratio here, not a change
    assert list(tables.readable(lift).columns) == ["bin", "churn_rate", "lift", "share_targeted"]
    with use_lang("zh"):
        assert list(tables.readable(lift).columns) == ["分组（十分位）", "流失率", "提升度（倍）", "覆盖客户比例"]
    itt = pd.DataFrame({"arm": ["Mens E-Mail"], "outcome": ["visit"], "estimate": [0.07659], "ci_low": [0.06995],
                        "ci_high": [0.08323], "lift": [0.7214], "p": [5.7e-112], "p_holm": [3.4e-111],
                        "n_treated": [21307]})
    en = tables.readable(itt)
    assert list(en.columns) == ["arm", "outcome", "estimate [CI]", "lift", "p", "p_holm", "n_treated"]
    assert format_table(en).iloc[0].tolist() == ["Mens E-Mail", "visit", "+0.077 [0.070, 0.083]", "+72.1%",
                                                 "< 0.001", "< 0.001", "21,307"]
    with use_lang("zh"):
        zh = tables.readable(itt)
    assert list(zh.columns) == ["实验组", "结果变量", "估计值 [置信区间]", "相对提升", "p 值", "Holm 校正 p 值",
                                "处理组样本数"]
    assert zh.iloc[0].tolist()[:3] == ["男装邮件", "到访", "+0.077 [0.070, 0.083]"]
    assert list(itt.columns)[2] == "estimate"  # the input is not changed
    cox = pd.DataFrame({"term": ["partner"], "coef": [-0.55436], "hr": [0.57444], "ci_low": [0.51625],
                        "ci_high": [0.63918], "p": [2.6e-24]})
    assert tables.readable(cox).iloc[0].tolist() == ["partner", "-0.554", "0.57 [0.52, 0.64]", "< 0.001"]
    with use_lang("zh"):
        assert tables.readable(cox).iloc[0].tolist() == ["partner", "-0.554", "0.57 [0.52, 0.64]", "< 0.001"]
        assert list(tables.readable(cox).columns) == ["变量", "系数", "风险比 (HR) [置信区间]", "p 值"]
        km = pd.DataFrame({"stratum": ["One year"], "n": [1473], "median": [np.nan], "median_ci_low": [72.0],
                           "median_ci_high": [np.nan]})
        assert tables.readable(km).iloc[0].tolist() == ["一年合同", "1,473", "- [72, -]"]
        ci = tables.readable(pd.DataFrame({"ci_low": [0.1], "ci_high": [0.2]}))
        assert list(ci.columns) == ["置信区间下限", "置信区间上限"]  # the glossary's term, as in every study
    assert tables.readable(pd.DataFrame({"p_not_better": [0.2]})).iloc[0].tolist() == ["0.20"]
    pol = pd.DataFrame({"fraction": [0.05, 0.125], "net_value": [0.1, 0.2], "ci_low": [0.0, 0.1],
                        "ci_high": [0.2, 0.3], "roi": [1.5, 2.0]})
    assert tables.readable(pol)["fraction"].tolist() == ["5%", "12%"]  # a grid of whole percents


# ------------------------------------------------------------------ figures
def _labels(fig):
    return [t for ax in fig.axes for t in (ax.get_xlabel(), ax.get_ylabel(), ax.get_title(),
                                          *[x.get_text() for x in (ax.get_legend().get_texts()
                                                                   if ax.get_legend() else [])])]


def test_figure_labels_follow_the_language():
    curves = steps.power_curves(0.1, [0.01, 0.02], alpha=0.05, n_arms=3, n_grid=[100, 1000])
    assert {"power", "rate +0.01", "rate +0.02"} <= set(_labels(plots.plot_power_curve(curves)))
    bal = pd.DataFrame({"arm": ["Mens E-Mail"], "covariate": ["recency"], "smd": [0.01]})
    eff = pd.DataFrame({"arm": ["a"], "outcome": ["visit"], "kind": ["binary"], "estimate": [0.1], "ci_low": [0.0],
                        "ci_high": [0.2]})
    q = pd.DataFrame({"fraction": [0, 1], "qini": [0, 0.1], "random": [0, 0.1]})
    pt = pd.DataFrame({"fraction": [0.5, 1], "net_value": [0.1, 0.2], "ci_low": [0, 0], "ci_high": [1, 1],
                       "roi": [1.0, 2.0]})
    km = sv.kaplan_meier(np.r_[1, 2, 3, 4.0], np.r_[1, 0, 1, 1], np.array(["One year"] * 2 + ["Two year"] * 2))
    y = np.r_[np.zeros(20), np.ones(20)]
    p = np.linspace(0.01, 0.99, 40)
    cm = ch.ChurnModelResult(pd.DataFrame(), pd.DataFrame({"gbm": p, "logistic": p}), "gbm")
    assert {"t", "random targeting"} <= set(_labels(plots.plot_qini({"t": q})))
    assert {"tenure (months)", "share still a customer", "One year"} <= set(_labels(plots.plot_km(km)))
    assert "effect vs control (90% CI)" in _labels(plots.plot_rate_effects(eff, level=0.90))
    with use_lang("zh"):
        assert {"统计功效", "比率 +0.01"} <= set(_labels(plots.plot_power_curve(curves)))
        assert {"与对照组的 |标准化均值差|", "男装邮件"} <= set(_labels(plots.plot_love(bal)))
        fig = plots.plot_rate_effects(eff)
        assert {"相对对照组的效应（95% 置信区间）", "各比率指标的效应"} <= set(_labels(fig))
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a | 到访"]
        seg = eff.assign(segment="channel", level="Web")
        fig = plots.plot_segment_effects(seg, "Mens E-Mail", "visit")
        assert "男装邮件：对到访的效应（按客户细分）" in _labels(fig)
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["渠道 | Web"]
        assert {"T 学习器", "随机投放", "增量结果（Qini）"} <= set(_labels(plots.plot_qini({"t": q})))
        assert {"每位客户的净价值", "ROI（净价值 / 联系成本）"} <= set(_labels(plots.plot_policy(pt)))
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
    with pytest.raises(ParameterError, match="uplift_outcome 'retained'"):
        steps.target_arm(itt, "retained")
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
    with pytest.raises(DataError, match=r"unknown outcome column\(s\) \['margin'\]"):
        steps.customer_value(rows, {"margin": 1.0})
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
    with pytest.raises(DataError, match="value column 'fee'"):
        steps.value_at_stake(telco, "fee", 12)
    cm = ch.ChurnModelResult(pd.DataFrame({"model": ["gbm", "logistic"], "auc": [0.8, 0.82], "pr_auc": [0.6, 0.62],
                                           "brier": [0.14, 0.13]}), pd.DataFrame(), "logistic")
    assert steps.churn_record(cm) == {"auc": 0.82, "pr_auc": 0.62, "brier": 0.13, "model": "logistic"}


def test_summary_inputs_feed_summary_lines():
    inputs = _inputs()
    got = steps.summary_inputs(
        srm=inputs["srm"], balance=pd.DataFrame({"smd": [0.01, -0.0137]}), itt=inputs["itt"], control="No E-Mail",
        cuped=inputs["cuped"], learner="t", arm="Mens E-Mail", outcome="visit",
        qini=pd.DataFrame([{"learner": "t", "auuc": 0.0405, "qini_random": 0.0383}]), qb=inputs["qb"],
        policy=inputs["policy"], km=SimpleNamespace(summary=inputs["km_summary"]), logrank=inputs["logrank"],
        cox=SimpleNamespace(ph_test=inputs["ph_test"]), duration_col="tenure", strata_col="contract",
        churn=ch.ChurnModelResult(pd.DataFrame([{"model": "gbm", "auc": 0.8423, "pr_auc": 0.6561,
                                                 "brier": 0.1364}]), pd.DataFrame(), "gbm"),
        lift=pd.DataFrame({"lift": [2.94, 1.0]}))
    assert s.summary_lines(**got) == s.summary_lines(**inputs)


# ------------------------------------------------------------------ catalog and notebook
def test_every_caption_and_section_exists_in_both_languages():
    values = dict(power=0.8, k=3, alpha=0.05, p_control=0.1, control="c", level=0.95, arm="a", outcome="o", cost=0.1,
                  duration="d", strata="s", times="12, 24", tau=48.0, folds=5, model="gbm", top=20, transform="km",
                  shown="x", reps=200, looks=14, n=42613, group="g", horizon=24.0)
    for lang in ("en", "zh"):
        with use_lang(lang):
            for key in text.TEXTS:
                body = text.CATALOG.text(key, **values)
                assert "{" not in body and body.endswith(("。", ".")), (lang, key)
            for key in ("intro", "design", "checks", "effects", "monitoring", "ratio", "uplift", "policy", "budget",
                        "survival", "reasons", "aft", "churn", "summary", "reading"):
                assert text.CATALOG.section(key).startswith("#"), (lang, key)
    assert text.CATALOG.text("itt_effects", control="c", level=1 - 0.05).endswith("with 95% intervals, relative lift "
                                                                                   "and Holm-adjusted p-values.")


def test_notebook_is_thin_calls_with_keys_only():
    nb = json.loads((ROOT / "notebooks" / "04_retention_experiments.ipynb").read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert all(c["cell_type"] == "code" for c in cells)
    assert cells[0]["metadata"]["tags"] == ["parameters"]
    code = ["".join(c["source"]) for c in cells[1:]]
    assert "study.setup(lang)" in code[0]
    for src in code:
        assert "pick(" not in src and "Markdown" not in src and "display(" not in src
        assert re.findall(r"\blang\b", src) in ([], ["lang"]) and ("lang" not in src or "study.setup(lang)" in src)
    assert [re.match(r'section\("(\w+)"\)', src).group(1) for src in code[1:]] == [
        "design", "checks", "effects", "monitoring", "ratio", "uplift", "policy", "budget", "survival", "reasons",
        "aft", "churn", "summary", "reading"]
    keys = re.findall(r'show_(?:table|figure)\([^,]+, "(\w+)"', "\n".join(code))
    assert keys and set(keys) <= set(text.TEXTS)
