"""Study 4 in English and Simplified Chinese: sentences written from numbers, table headers, result HTML and
figure labels change with ``lang``; the numbers do not."""
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab import churn as ch  # noqa: E402
from crmlab import experiments as ex  # noqa: E402
from crmlab import retention_text as rt  # noqa: E402
from crmlab import survival as sv  # noqa: E402
from crmlab import uplift as up  # noqa: E402
from crmlab.report import format_table  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _inputs(alert=False, viol=("contract=One year",)):
    itt = pd.DataFrame([{"arm": "Mens E-Mail", "outcome": "visit", "estimate": 0.0766, "ci_low": 0.07,
                         "ci_high": 0.0832, "lift": 0.7214, "p_holm": 3.4e-111}])
    cuped = pd.DataFrame({"variance_reduction": [0.002, 0.029]})
    policy = SimpleNamespace(best_k=0.15, net_value=0.3012, ci_low=0.1234, ci_high=0.4567,
                             everyone={"net_value": 0.2, "gain_of_best": 0.1012, "gain_ci_low": -0.05,
                                       "gain_ci_high": 0.25})
    km_summary = pd.DataFrame({"stratum": ["Month-to-month", "Two year"], "median": [35.0, np.nan]})
    ph = pd.DataFrame({"term": ["contract=One year", "partner"], "p": [1e-5 if viol else 0.5, 0.3]})
    return dict(srm=SimpleNamespace(chi2=0.203, p=0.9037, alert=alert), max_abs_smd=0.0137, itt=itt,
                control="No E-Mail", cuped=cuped, uplift_learner="t", arm="Mens E-Mail", uplift_outcome="visit",
                qini_row={"auuc": 0.0405, "qini_random": 0.0383},
                qb={"qini_coefficient": 0.0022, "ci_low": -0.0003, "ci_high": 0.0047}, policy=policy,
                km_summary=km_summary, logrank=SimpleNamespace(chi2=2352.94, df=2, p=0.0), ph_test=ph,
                duration_col="tenure", strata_col="contract", churn_best="gbm",
                churn_metrics={"auc": 0.8423, "pr_auc": 0.6561, "brier": 0.1364}, top_decile_lift=2.94)


def test_summary_lines_in_chinese_from_known_numbers():
    lines = rt.summary_lines(**_inputs(), lang="zh")
    assert lines == [
        "随机化检查：样本比例失衡（SRM）卡方 0.203，p = 0.90（未发现样本比例失衡）；协变量最大 |SMD| 为 0.0137。",
        "男装邮件 对比 不发邮件，到访：+0.077 [0.070, 0.083]，相对提升 +72.1%，Holm 校正 p < 0.001。",
        "CUPED 回归调整的方差缩减：0.2% 至 2.9%（该值较小时，说明实验前协变量对结果的解释力很弱）。",
        "增益模型（T 学习器，男装邮件，到访）：留出样本 AUUC 为 0.0405，随机投放为 0.0383（Qini 系数 "
        "0.0022 [-0.0003, 0.0047]：与随机投放无法区分）。",
        "最优策略：联系预测增益最高的前 15% 客户；每位客户净价值 0.30 [0.12, 0.46]；联系全部客户的净价值为 0.200，"
        "不联系任何客户为 0；最优比例相对于联系全部客户的增益为 0.10 [-0.05, 0.25]。",
        "各合同类型的在网时长（月）中位数：按月合同为 35，两年合同未达到；对数秩检验卡方 2,353（自由度 2），p < 0.001。",
        "Cox 模型的比例风险假设在以下变量上被拒绝（p < 0.01）：contract=One year。这些风险比只能理解为整个在网期内的"
        "平均值，对这些变量宜以 KM 曲线 / RMST 为准。",
        "流失预警模型（梯度提升）：AUC 0.842，PR-AUC 0.656，Brier 分数 0.136；风险最高的 10% 客户的流失率是平均水平的"
        " 2.9 倍。",
    ]


def test_summary_lines_alert_and_no_ph_violation_in_both_languages():
    zh = rt.summary_lines(**_inputs(alert=True, viol=()), lang="zh")
    assert "警报：以下效应不可信" in zh[0]
    assert zh[-2] == "Cox 模型的比例风险假设对所有变量均未被拒绝。"
    en = rt.summary_lines(**_inputs(alert=True, viol=()), lang="en")
    assert "ALERT: do not trust the effects below" in en[0]
    assert en[-2] == "Proportional hazards not rejected for any term."


def test_summary_lines_in_english_keep_the_original_wording():
    en = rt.summary_lines(**_inputs(), lang="en")
    assert en[0] == ("Randomisation: SRM chi-square 0.203, p = 0.90 (no mismatch); largest covariate |SMD| 0.0137.")
    assert en[1] == ("Mens E-Mail vs No E-Mail, visit: +0.077 [0.070, 0.083], relative lift +72.1%, "
                     "Holm p < 0.001.")
    assert en[4] == ("Best policy: contact the top 15%; net value 0.30 [0.12, 0.46] per customer; contacting "
                     "everyone nets 0.200, no one 0; gain of the best k over everyone 0.10 [-0.05, 0.25].")
    assert en[5] == ("Median tenure by contract: Month-to-month: 35, Two year: not reached; "
                     "log-rank chi-square 2,353 on 2 df, p < 0.001.")
    assert en[-1] == ("Churn model (gbm): AUC 0.842, PR-AUC 0.656, Brier 0.136; "
                      "the top decile holds 2.9x the average churn rate.")
    # the same numbers in both languages
    zh = rt.summary_lines(**_inputs(), lang="zh")
    for a, b in zip(en, zh):
        assert [n for n in ("0.0405", "0.0383", "0.30 [0.12, 0.46]", "2,353", "0.842") if n in a] == \
            [n for n in ("0.0405", "0.0383", "0.30 [0.12, 0.46]", "2,353", "0.842") if n in b]


def test_short_sentences_in_chinese():
    assert rt.experiment_line(64000, ["No E-Mail", "Mens E-Mail"], ["visit", "spend"], "zh") == \
        "共 64,000 位客户；实验组：不发邮件、男装邮件；结果变量：到访、消费金额"
    assert rt.design_line(21000, 0.0092, 0.10, 0.451, 15.0, "zh") == \
        "每组 21,000 位客户时，在 10% 的基准率上最小可检测效应为 0.00920，在标准差为 15 的均值上为 0.451。"
    assert rt.design_line(21000, 0.0092, 0.10, 0.451, 15.0) == \
        "With 21,000 customers per arm the minimum detectable effect is 0.00920 on a 10% rate and 0.451 on a mean " \
        "with sd 15."
    assert rt.qini_line("t", {"qini_coefficient": 0.0022, "ci_low": -0.0003, "ci_high": 0.0047}, "zh") == \
        "T 学习器的 Qini 系数：0.0022 [-0.0003, 0.0047]（固定排序的泊松自助法区间）：与随机投放无法区分。"
    assert rt.balance_line(0.0137, "zh") == "协变量最大 |SMD| = 0.0137"
    assert rt.target_arm_line("offer", "retained", "zh") == "精准投放分析所用的实验组：offer（结果变量：保留）"


def test_show_translates_headers_and_words_for_display_only():
    df = pd.DataFrame({"arm": ["Mens E-Mail", "call"], "outcome": ["visit", "x1"], "p_holm": [0.01, 0.2]})
    zh = rt.show(df, "zh")
    assert list(zh.columns) == ["实验组", "结果变量", "Holm 校正 p 值"]
    assert zh["实验组"].tolist() == ["男装邮件", "call"]  # unknown labels are shown as they are
    assert zh["结果变量"].tolist() == ["到访", "x1"]
    assert rt.show(df, "en").equals(df)
    assert list(df.columns) == ["arm", "outcome", "p_holm"]  # the input is not changed
    km_at = pd.DataFrame({12: [0.9]}, index=pd.Index(["Two year"], name="stratum"))
    assert rt.show(km_at, "zh").index.tolist() == ["两年合同"]
    assert rt.show(km_at.rename_axis(None), "zh", index_words=True).index.tolist() == ["两年合同"]
    assert rt.show(km_at.rename_axis(None), "en", index_words=True).index.tolist() == ["Two year"]


def test_result_html_in_both_languages():
    srm = ex.srm_test({"a": 100, "b": 130})
    assert srm._repr_html_() == srm.html("en")
    assert "SRM chi-square" in srm.html("en") and "<th>observed</th>" in srm.html("en")
    zh = srm.html("zh")
    assert "SRM 卡方" in zh and "<th>实际数</th>" in zh and f"{srm.chi2:.3g}" in zh
    t = np.r_[1, 2, 3, 4, 5, 6.0]
    e = np.r_[1, 1, 0, 1, 1, 0]
    g = np.array(["A", "A", "A", "B", "B", "B"])
    lr = sv.logrank_test(t, e, g)
    assert "对数秩检验卡方" in lr.html("zh") and "log-rank chi-square" in lr._repr_html_()
    assert "<th>中位生存时间 [置信区间]</th>" in sv.kaplan_meier(t, e, g).html("zh")
    cm = ch.ChurnModelResult(pd.DataFrame({"model": ["gbm"], "auc": [0.8]}), pd.DataFrame(), "gbm")
    assert "最优模型：梯度提升" in cm.html("zh") and "best model by Brier score: gbm" in cm._repr_html_()
    pol = up.PolicyResult(pd.DataFrame({"fraction": [0.0, 1.0], "net_value": [0.0, 0.1]}), 1.0, 0.1, 0.0, 0.2)
    assert "最优策略：联系前 100% 的客户" in pol.html("zh") and "<th>净价值</th>" in pol.html("zh")


def test_readable_numbers_intervals_percent_and_p_values():
    assert rt.interval(0.0766, 0.0700, 0.0832, sign=True) == "+0.077 [0.070, 0.083]"
    assert rt.interval(-0.5, -0.9, -0.1, sign=True) == "-0.50 [-0.90, -0.10]"
    assert rt.interval(float("nan"), 72.0, float("nan")) == "- [72, -]"
    assert [rt.pct(x) for x in (0.721404, 0.0029, 0.05, 1.0, float("nan"))] == ["72.1%", "0.3%", "5.0%", "100%", "-"]
    assert rt.pct(1.1884, sign=True) == "+119%" and rt.pct(-0.02, sign=True) == "-2.0%"
    assert rt.pct(0.15, decimals=0) == "15%" and rt.pct(-0.0001) == "0.0%"
    assert rt.interval(float("nan"), float("nan"), float("nan")) == "-"
    lift = pd.DataFrame({"bin": [1], "churn_rate": [0.78], "lift": [2.94], "share_targeted": [0.1]})
    assert rt.readable(lift).iloc[0].tolist() == ["1", "78.0%", "2.94", "10%"]  # a ratio here, not a change
    assert list(rt.readable(lift, "zh").columns) == ["分组（十分位）", "流失率", "提升度（倍）", "覆盖客户比例"]
    assert rt.p_eq(1e-40) == "p < 0.001" and rt.p_eq(0.0234) == "p = 0.023" and rt.p_eq(0.5) == "p = 0.50"
    itt = pd.DataFrame({"arm": ["Mens E-Mail"], "outcome": ["visit"], "estimate": [0.07659], "ci_low": [0.06995],
                        "ci_high": [0.08323], "lift": [0.7214], "p": [5.7e-112], "p_holm": [3.4e-111],
                        "n_treated": [21307]})
    en = rt.readable(itt)
    assert list(en.columns) == ["arm", "outcome", "estimate [CI]", "lift", "p", "p_holm", "n_treated"]
    assert en["p"].tolist() == [5.7e-112]  # left for format_table (show_table) to format once
    assert format_table(en).iloc[0].tolist() == ["Mens E-Mail", "visit", "+0.077 [0.070, 0.083]", "+72.1%",
                                                 "< 0.001", "< 0.001", "21,307"]
    zh = rt.readable(itt, "zh")
    assert list(zh.columns) == ["实验组", "结果变量", "估计值 [置信区间]", "相对提升", "p 值", "Holm 校正 p 值", "处理组样本数"]
    assert zh.iloc[0].tolist()[:3] == ["男装邮件", "到访", "+0.077 [0.070, 0.083]"]
    assert list(itt.columns)[2] == "estimate"  # the input is not changed
    cox = pd.DataFrame({"term": ["partner"], "coef": [-0.55436], "hr": [0.57444], "ci_low": [0.51625],
                        "ci_high": [0.63918], "p": [2.6e-24]})
    assert format_table(rt.readable(cox)).iloc[0].tolist() == ["partner", "-0.554", "0.57 [0.52, 0.64]", "< 0.001"]
    assert rt.readable(cox, "zh").iloc[0].tolist() == ["partner", "-0.554", "0.57 [0.52, 0.64]", "< 0.001"]
    assert rt.readable(pd.DataFrame({"p_not_better": [0.2]})).iloc[0].tolist() == ["0.20"]
    km = pd.DataFrame({"stratum": ["One year"], "n": [1473], "median": [np.nan], "median_ci_low": [72.0],
                       "median_ci_high": [np.nan]})
    assert rt.readable(km, "zh").iloc[0].tolist() == ["一年合同", "1,473", "- [72, -]"]
    assert "<td>+0.077 [0.070, 0.083]</td>" in rt.table_html(itt)


def test_what_this_means_lines_from_numbers():
    itt = pd.DataFrame({"arm": ["Mens E-Mail", "Mens E-Mail"], "outcome": ["visit", "conversion"],
                        "estimate": [0.0766, 0.0068], "ci_low": [0.0700, 0.0050], "ci_high": [0.0832, 0.0086],
                        "lift": [0.7214, 1.1884], "p_holm": [3.4e-111, 0.2]})
    assert rt.itt_line(itt, "No E-Mail") == (
        "1 of 2 effects hold after the Holm correction (p < 0.05). The largest relative lift is Mens E-Mail on "
        "conversion: +0.0068 [0.0050, 0.0086], +119% over No E-Mail (Holm p = 0.20).")
    assert rt.itt_line(itt, "No E-Mail", lang="zh") == (
        "2 个效应中有 1 个在 Holm 校正后显著（p < 0.05）。相对提升最大的是男装邮件对转化的效应：+0.0068 [0.0050, 0.0086]，"
        "比不发邮件组高 119%（Holm 校正 p = 0.20）。")
    cuped = pd.DataFrame({"estimate": [0.0761, 0.77], "estimate_unadjusted": [0.0766, 0.77],
                          "se_unadjusted": [0.0034, 0.145], "variance_reduction": [0.0295, 0.0026]})
    assert rt.cuped_line(cuped) == ("CUPED reduces the variance by 0.3% to 2.9%; the adjusted estimates move by at "
                                    "most 0.15 standard errors, so the conclusions do not depend on the adjustment.")
    assert rt.cuped_line(cuped, "zh").startswith("CUPED 回归调整使方差缩减 0.3% 至 2.9%；")
    seg = pd.DataFrame({"segment": ["channel", "channel"], "level": ["Phone", "Web"], "estimate": [0.0756, 0.083],
                        "ci_low": [0.066, 0.063], "ci_high": [0.085, 0.103]})
    assert rt.segment_line(seg, "Mens E-Mail", "visit").startswith(
        "The effect of Mens E-Mail on visit ranges across segments from channel = Phone: +0.076 [0.066, 0.085] to "
        "channel = Web: +0.083 [0.063, 0.103]; the intervals overlap, so these segments do not single out customers "
        "who respond more.")
    seg.loc[1, ["estimate", "ci_low", "ci_high"]] = [0.2, 0.15, 0.25]
    assert rt.segment_line(seg, "Mens E-Mail", "visit", "zh").endswith("区间不重叠：渠道 = Web 的客户响应更强。")
    rm = pd.DataFrame({"group": ["Month-to-month", "Two year"], "rmst": [29.31, 47.96], "diff": [np.nan, 18.65],
                       "ci_low": [np.nan, 17.96], "ci_high": [np.nan, 19.34]})
    assert rt.rmst_line(rm, 48.0, "tenure") == ("Within tenure up to 48, Month-to-month customers stay 29.3 on "
                                                "average (restricted mean); difference to them: Two year "
                                                "+18.6 [18.0, 19.3].")
    assert rt.rmst_line(rm, 48.0, "tenure", "zh") == ("在网时长（月）以 48 为上限时，按月合同客户平均留存 29.3"
                                                      "（限制平均生存时间）；与之相比，两年合同相差 +18.6 [18.0, 19.3]。")


def test_result_notes_are_sentences_with_readable_numbers():
    srm = ex.srm_test({"a": 100, "b": 100})
    assert srm.note() == "SRM chi-square = 0 on 1 df, p = 1.00: no mismatch"
    alert = ex.srm_test({"a": 100, "b": 300})
    assert alert.note("zh").endswith("p < 0.001：**警报：样本比例失衡**")
    assert "<b style='color:#b00'>ALERT: sample-ratio mismatch</b>" in alert.html()
    pol = up.PolicyResult(pd.DataFrame({"fraction": [0.0, 1.0], "net_value": [0.0, 0.1]}), 0.15, 0.3012, 0.1234,
                          0.4567)
    assert pol.note() == "best policy: contact top 15%; net value per customer 0.30 [0.12, 0.46]"
    cm = ch.ChurnModelResult(pd.DataFrame({"model": ["gbm"], "auc": [0.8]}), pd.DataFrame(), "gbm", ["email"])
    assert cm.note("zh").split("\n\n")[0] == "按 Brier 分数选出的最优模型：梯度提升"
    assert cm.html().count("<p>") == 2


def _labels(fig):
    return [t for ax in fig.axes for t in (ax.get_xlabel(), ax.get_ylabel(), ax.get_title(),
                                          *[x.get_text() for x in (ax.get_legend().get_texts()
                                                                   if ax.get_legend() else [])])]


def test_figure_labels_follow_lang():
    curves = pd.DataFrame({"n_total": [100, 200], "power": [0.2, 0.5], "scenario": ["s", "s"]})
    assert "统计功效" in _labels(ex.plot_power_curve(curves, lang="zh"))
    assert "power" in _labels(ex.plot_power_curve(curves))
    bal = pd.DataFrame({"arm": ["Mens E-Mail"], "covariate": ["recency"], "smd": [0.01]})
    assert {"与对照组的 |标准化均值差|", "男装邮件"} <= set(_labels(ex.plot_love(bal, lang="zh")))
    eff = pd.DataFrame({"arm": ["a"], "outcome": ["visit"], "estimate": [0.1], "ci_low": [0.0], "ci_high": [0.2]})
    fig = ex.plot_effects(eff, lang="zh")
    assert "相对对照组的效应（95% 置信区间）" in _labels(fig)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a | 到访"]
    q = pd.DataFrame({"fraction": [0, 1], "qini": [0, 0.1], "random": [0, 0.1]})
    assert {"T 学习器", "随机投放", "增量结果（Qini）"} <= set(_labels(up.plot_qini({"t": q}, lang="zh")))
    assert {"t", "random targeting"} <= set(_labels(up.plot_qini({"t": q})))
    pt = pd.DataFrame({"fraction": [0.5, 1], "net_value": [0.1, 0.2], "ci_low": [0, 0], "ci_high": [1, 1],
                       "roi": [1.0, 2.0]})
    assert {"每位客户的净价值", "ROI（净价值 / 联系成本）"} <= set(_labels(up.plot_policy(pt, lang="zh")))
    km = sv.kaplan_meier(np.r_[1, 2, 3, 4.0], np.r_[1, 0, 1, 1], np.array(["One year"] * 2 + ["Two year"] * 2))
    assert {"在网时长（月）", "仍为客户的比例（生存率）", "一年合同", "两年合同"} <= set(_labels(sv.plot_km(km, lang="zh")))
    assert {"tenure (months)", "share still a customer", "One year"} <= set(_labels(sv.plot_km(km)))
    y = np.r_[np.zeros(20), np.ones(20)]
    p = np.linspace(0.01, 0.99, 40)
    labs = _labels(ch.plot_calibration(y, {"gbm": p, "logistic": p}, n_bins=4, lang="zh"))
    assert {"预测流失概率", "实际流失率", "梯度提升", "逻辑回归"} <= set(labs)
    assert {"随机", "捕获的流失客户比例"} <= set(_labels(ch.plot_gain(y, {"gbm": p}, lang="zh")))
