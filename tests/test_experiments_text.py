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
        "随机化检查：样本比例失衡（SRM）卡方 0.20，p = 0.904（未发现样本比例失衡）；协变量最大 |SMD| 为 0.014。",
        "男装邮件 对比 不发邮件，到访：+0.0766（+0.07 至 +0.0832），相对提升 +72%，Holm 校正 p = 3.4e-111。",
        "CUPED 回归调整的方差缩减：0.2% 至 2.9%（该值较小时，说明实验前协变量对结果的解释力很弱）。",
        "增益模型（T 学习器，男装邮件，到访）：留出样本 AUUC 为 0.0405，随机投放为 0.0383（Qini 系数 0.0022，"
        "区间 -0.0003 至 0.0047：与随机投放无法区分）。",
        "最优策略：联系预测增益最高的前 15% 客户；每位客户净价值 0.301（0.123 至 0.457）；联系全部客户的净价值为 "
        "0.200，不联系任何客户为 0；最优比例相对于联系全部客户的增益为 0.101（-0.050 至 0.250）。",
        "各合同类型的在网时长（月）中位数：按月合同为 35，两年合同未达到；对数秩检验卡方 2352.9（自由度 2），p = 0。",
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
    assert en[0] == ("Randomisation: SRM chi-square 0.20, p = 0.904 (no mismatch); largest covariate |SMD| 0.014.")
    assert en[1] == ("Mens E-Mail vs No E-Mail, visit: +0.0766 (+0.07 to +0.0832), relative lift +72%, "
                     "Holm p = 3.4e-111.")
    assert en[5] == ("Median tenure by contract: Month-to-month: 35, Two year: not reached; "
                     "log-rank chi-square 2352.9 on 2 df, p = 0.")
    assert en[-1] == ("Churn model (gbm): AUC 0.842, PR-AUC 0.656, Brier 0.136; "
                      "the top decile holds 2.9x the average churn rate.")
    # the same numbers in both languages
    zh = rt.summary_lines(**_inputs(), lang="zh")
    for a, b in zip(en, zh):
        assert [n for n in ("0.0405", "0.0383", "0.301", "2352.9", "0.842") if n in a] == \
            [n for n in ("0.0405", "0.0383", "0.301", "2352.9", "0.842") if n in b]


def test_short_sentences_in_chinese():
    assert rt.experiment_line(64000, ["No E-Mail", "Mens E-Mail"], ["visit", "spend"], "zh") == \
        "共 64,000 位客户；实验组：不发邮件、男装邮件；结果变量：到访、消费金额"
    assert rt.design_line(21000, 0.0092, 0.10, 0.451, 15.0, "zh") == \
        "每组 21,000 位客户时，在 10% 的基准率上最小可检测效应为 0.0092，在标准差为 15.0 的均值上为 0.451。"
    assert rt.design_line(21000, 0.0092, 0.10, 0.451, 15.0) == \
        "With 21,000 customers per arm the minimum detectable effect is 0.0092 on a 10% rate and 0.451 on a mean " \
        "with sd 15.0."
    assert rt.qini_line("t", {"qini_coefficient": 0.0022, "ci_low": -0.0003, "ci_high": 0.0047}, "zh") == \
        "T 学习器的 Qini 系数：0.0022（-0.0003 至 0.0047，固定排序的泊松自助法区间）"
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
    assert "SRM 卡方" in zh and "<th>实际数</th>" in zh and f"{srm.chi2:.3f}" in zh
    t = np.r_[1, 2, 3, 4, 5, 6.0]
    e = np.r_[1, 1, 0, 1, 1, 0]
    g = np.array(["A", "A", "A", "B", "B", "B"])
    lr = sv.logrank_test(t, e, g)
    assert "对数秩检验卡方" in lr.html("zh") and "log-rank chi-square" in lr._repr_html_()
    assert "<th>中位生存时间</th>" in sv.kaplan_meier(t, e, g).html("zh")
    cm = ch.ChurnModelResult(pd.DataFrame({"model": ["gbm"], "auc": [0.8]}), pd.DataFrame(), "gbm")
    assert "最优模型：梯度提升" in cm.html("zh") and "best model by Brier score: gbm" in cm._repr_html_()
    pol = up.PolicyResult(pd.DataFrame({"fraction": [0.0, 1.0], "net_value": [0.0, 0.1]}), 1.0, 0.1, 0.0, 0.2)
    assert "最优策略：联系前 100% 的客户" in pol.html("zh") and "<th>净价值</th>" in pol.html("zh")


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
