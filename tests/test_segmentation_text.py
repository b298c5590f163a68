"""Study 3 words in English and Simplified Chinese: same numbers, field terms (no model fitting; fast)."""
import doctest
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import crmlab  # noqa: E402
from crmlab import segmentation_text as st  # noqa: E402
from crmlab.clv.plots import (plot_concentration, plot_holdout_by_frequency, plot_segment_counts,  # noqa: E402
                              plot_segments, plot_tracking)
from crmlab.report import format_table  # noqa: E402
from crmlab.rfm import SEGMENT_RULES  # noqa: E402
from crmlab.segment import LIFECYCLE_RULES  # noqa: E402

ERR = {"actual_repeat": 1882.0, "predicted_repeat": 1653.4, "mae_per_customer": 0.7855,
       "rmse_per_customer": 1.608, "correlation": 0.6256}


def _summary(notes=()):
    rep = {"customers": 2357, "repeaters": 946, "transactions_calibration": 4814,
           "repeat_transactions_calibration": 2457, "transactions_holdout": 1882}
    return SimpleNamespace(report=rep, calibration_end=pd.Timestamp("1997-09-30"),
                           notes=lambda lang="en": list(notes))


def _life():
    return pd.DataFrame({"customers": [0, 270, 97, 400, 1590], "value_share": [0.0, 0.287, 0.116, 0.3, 0.297]},
                        index=pd.Index(["new", "active/growing", "mature", "declining", "lapsed"], name="lifecycle"))


def test_summary_sentence_in_chinese_keeps_the_numbers():
    zh = st.summary_text(_summary(), "zh")
    assert zh == ("截至 1997-09-30，**2,357 位客户**共产生 4,814 次交易（按购买日计）；其中 946 位（40%）再次购买"
                  "（共 2,457 次重复购买）。验证期共有 1,882 次交易。没有任何一行触发数据规则。")
    en = st.summary_text(_summary(["kept 8 zero-amount rows as transactions"]), "en")
    assert en.startswith("**2,357 customers** made 4,814 transactions (purchase days) up to 1997-09-30; 946 of them (40%)")
    assert en.endswith("What was done to the log: kept 8 zero-amount rows as transactions.")


def test_segments_sentence_translates_the_segment_name_only_for_display():
    counts = pd.Series([793, 70, 444], index=["champions", "loyal", "lost"])
    zh = st.segments_text(counts, 2357, 0.598, np.array([1, 3, 4, 5]), "zh")
    assert zh.startswith("最大的客户群是**冠军客户**（占客户的 34%）。60% 的客户只购买过一次，因此消费频率得分 F 只取 [1, 3, 4, 5]")
    assert st.segments_text(counts, 2357, 0.598, [5, 1, 3, 4]).startswith(
        "The largest segment is **champions** (34% of customers). 60% of customers bought only once")


def test_holdout_and_clv_sentences_in_chinese():
    zh = st.holdout_text(39.0, "weeks", ERR, "zh")
    assert zh == ("在验证期（39 周）内，客户共进行了 **1,882 次重复购买，BG/NBD 模型预测为 1,653 次**（-12.1%）；"
                  "每位客户的平均绝对误差 (MAE) 为 0.79，均方根误差 (RMSE) 为 1.6，预测值与实际值的相关系数为 0.63。"
                  "\n\n**含义**：模型低估了验证期的重复购买（-12%），因此下文的客户价值预测偏保守。")
    en = st.holdout_text(39.0, "weeks", ERR)
    assert "Over the holdout (39 weeks)" in en and "MAE" not in en and "error per customer 0.79, RMSE 1.6" in en
    assert en.endswith("**What this means:** the model under-predicts repeat buying in the holdout (-12%), so the "
                       "value forecasts below are on the conservative side.")
    close = st.holdout_text(39.0, "weeks", ERR | {"predicted_repeat": 1900.0})
    assert "within 10%" in close and "低估" not in st.holdout_text(39.0, "weeks", ERR | {"predicted_repeat": 1900.0}, "zh")
    assert "高估" in st.holdout_text(39.0, "weeks", ERR | {"predicted_repeat": 2300.0}, "zh")
    assert "optimistic" in st.holdout_text(39.0, "weeks", ERR | {"predicted_repeat": 2300.0})
    conc = {"top10_share": 0.5675, "top20_share": 0.7129}
    zh = st.clv_text(72439.4, 30.73, 73259.2, conc, 52.0, "weeks", "zh")
    assert zh.startswith("现有客户在未来 52 周内的预期价值：**72,439**（平均每位客户 30.7；BG/NBD + Gamma-Gamma 模型；"
                         "若改用 Pareto/NBD 模型：73,259）。")
    assert "价值最高的 10% 客户占 **57%**" in zh and "前 20% 客户占 **71%**" in zh
    # what it means, from the numbers: a top-20% customer vs one outside it = (0.7129 / 0.2) / (0.2871 / 0.8)
    assert zh.endswith("**含义**：一位高价值客户（前 20%）的预期价值平均相当于其余客户的 9.9 倍，客户保留投入应首先用在这些客户身上。")
    en = st.clv_text(72439.4, 30.73, None, conc, 52.0, "weeks")
    assert "over the next 52 weeks: **72,439** (mean 30.7 per customer" in en
    assert "worth 9.9 times a customer outside it" in en
    assert "9 个月内" in st.clv_text(1.0, 1.0, None, conc, 9.0, "months", "zh")


def test_model_cluster_lifecycle_and_warning_sentences_in_chinese():
    bg = SimpleNamespace(loglik_=-9582.43, n_customers_=2357, n_rows_=1218,
                         params_={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    gg = SimpleNamespace(n_customers_=946, mean_spend=lambda: 35.08)
    zh = st.models_text(bg, None, gg, {"pearson": 0.114, "spearman": 0.25}, "zh")
    assert "BG/NBD 模型的对数似然为 -9,582.4，基于 2,357 位客户（1,218 个不同的 (x, t_x, T) 组合）" in zh
    assert "每次交易的平均消费额为 35.1。" in zh
    assert "相关系数为 0.11（Spearman 相关 0.25）；相关很弱，该假设可以成立。" in zh
    # what the parameters mean: rate r/alpha = 0.055 a week, drop-out a/(a+b) = 25% after each purchase
    assert zh.endswith("**含义**：仍然活跃的客户平均每周重复购买 0.055 次（约每 18 周一次）；每次购买之后，客户平均有 25% 的可能从此不再购买。")
    en = st.models_text(bg, None, gg, {"pearson": 0.114, "spearman": 0.25}, "en", "months")
    assert en.endswith("**What this means:** while still active, the average customer makes 0.055 repeat purchases per "
                       "month (about one every 18 months), and after each purchase a customer stops buying for good "
                       "with a 25% chance on average.")
    assert "log-likelihood -9,582.4 on 2,357 customers" in en and "mean spend per transaction 35.1." in en
    assert "谨慎" in st.models_text(bg, None, gg, {"pearson": 0.5, "spearman": 0.5}, "zh")

    ari = pd.Series([0.9, 0.95, 0.85])
    zh = st.clusters_text("kmeans", 2, 0.583, "gmm", 8, ari, "zh")
    assert zh == ("k-means 选择了 **k = 2**（轮廓系数 0.58）；高斯混合模型 (GMM) 会选择 k = 8（依据 BIC）。"
                  "自助法稳定性：3 次重抽样的调整兰德指数 (ARI) 均值为 0.90（最小值 0.85）——聚类划分可以复现。")
    assert "不稳定" in st.clusters_text("kmeans", 2, 0.5, "gmm", 8, pd.Series([0.3, 0.5]), "zh")

    zh = st.lifecycle_text(_life(), 2357, "zh")
    assert zh == ("大多数客户处于**流失/休眠**阶段（67%）；270 位客户处于成长/活跃阶段，占预期价值的 29%；"
                  "1,590 位客户已流失/休眠；没有新客户（所有客户的首次购买都在 13 周以前）。"
                  "\n\n**含义**：预期价值最多的是**衰退**阶段的客户（30%）——这部分价值正在流失，下面的流失预警名单正是针对这些客户。")
    steady = _life().assign(value_share=[0.0, 0.5, 0.2, 0.2, 0.1])
    assert st.lifecycle_text(steady, 2357).endswith("the **active/growing** customers hold the largest share of "
                                                    "expected value (50%).")
    portrait = pd.DataFrame({"customers": [1825, 532], "share": [0.7743, 0.2257], "recency": [31.16, 7.709],
                             "frequency": [1.346, 4.430], "p_alive": [0.3362, 0.8240], "value_share": [0.2776, 0.7224]},
                            index=pd.Index([1, 2], name="cluster"))
    assert st.portraits_text(portrait, "weeks", "zh") == (
        "**含义**：第 2 类是价值最高的客户群：532 位客户（23%）占预期价值的 **72%**；他们平均购买 4.4 次，距上次购买 7.7 周，"
        "存活概率 P(alive) 为 0.82。其余 1,825 位客户平均只购买 1.3 次，P(alive) 为 0.34。")
    assert st.portraits_text(portrait) == (
        "**What this means:** cluster 2 is the valuable group: 532 customers (23%) hold **72%** of expected value; "
        "they bought 4.4 times on average, last 7.7 weeks ago, with P(alive) 0.82. The other 1,825 customers bought "
        "1.3 times on average, with P(alive) 0.34.")
    assert "The other" not in st.portraits_text(portrait.iloc[[1]])

    assert st.lifecycle_text(_life(), 2357).startswith("Most customers are **lapsed** (67%); 270 are active/growing")

    zh = st.early_warning_text(85, 23456.7, 0.5, 15, "zh")
    assert zh.startswith("**流失预警**：按历史消费额排名前 20% 的客户中，有 85 位的存活概率 P(alive) 低于 0.5；"
                         "他们迄今共消费 23,457。")
    assert st.no_holdout_text("zh").startswith("未指定验证期")
    assert "未收敛" in st.pareto_failed_text("no luck", "zh")


def test_show_translates_display_names_but_not_numbers():
    seg = pd.DataFrame({"customers": [793, 70], "recency": [12.6, 29.8], "frequency": [3.8, 2.4],
                        "monetary": [35.5, 31.2], "share": [0.34, 0.03]},
                       index=pd.CategoricalIndex(["champions", "loyal"], name="segment"))
    zh = st.show(seg, "zh")
    assert list(zh.index) == ["冠军客户", "忠诚客户"] and zh.index.name == "RFM 客户群"
    assert list(zh.columns) == ["客户数", "最近一次消费（距今时长）", "消费频率（交易次数）", "消费金额（每次平均）", "占比"]
    np.testing.assert_array_equal(zh.to_numpy(), seg.to_numpy())
    assert st.show(seg, "en") is seg

    desc = pd.DataFrame({"mean": [0.5], "std": [1.0]}, index=["frequency"])
    assert list(st.show(desc, "zh", summary=True).index) == ["重复购买次数 x"]
    assert list(st.show(desc, "zh", summary=True).columns) == ["均值", "标准差"]

    fits = pd.DataFrame({"estimate": [0.24], "se": [0.01]},
                        index=pd.MultiIndex.from_tuples([("BG/NBD", "r")], names=["model", "parameter"]))
    zf = st.show(fits, "zh")
    assert list(zf.index.names) == ["模型", "参数"] and list(zf.columns) == ["估计值", "标准误"]
    assert zf.index[0] == ("BG/NBD", "r")

    sel = pd.DataFrame({"silhouette": [0.58], "bic_gmm": [-3e4]}, index=pd.Index([2], name="k"))
    assert list(st.show(sel, "zh").columns) == ["轮廓系数", "BIC（GMM）"]
    ew = pd.DataFrame({"weeks_since_last": [24.6]}, index=pd.Index(["c_1"], name="customer"))
    z = st.show(ew, "zh", summary=True)
    assert list(z.columns) == ["距上次购买（周）"] and list(z.index) == ["c_1"] and z.index.name == "客户（假名）"


def test_readable_numbers_in_displayed_tables():
    assert doctest.testmod(st).failed == 0
    assert st.fmt_money(float("nan")) == "-" and st.fmt_money(6.0) == "6" and st.fmt_money(-12.345) == "-12.3"
    assert st.fmt_prob(0.0009) == "< 0.001" and st.fmt_prob(0.0) == "0.000" and st.fmt_prob(None) == "-"
    assert st.fmt_pct(0.71248) == "71.2%" and st.fmt_pct(float("nan")) == "-"
    tiers = pd.DataFrame({"customers": [471, 1188], "clv_mean": [109.5788, 9.0483], "clv_total": [51611.6, 10749.4],
                          "p_alive": [0.7861, 2.4e-08], "value_share": [0.71248, 0.14839],
                          "weeks_since_last": [24.5714, 14.0]},
                         index=pd.CategoricalIndex(["high", "low"], name="value_tier"))
    en = format_table(st.readable(tiers, "en"))
    assert en.to_dict(orient="list") == {"customers": ["471", "1,188"], "clv_mean": ["110", "9.05"],
                                         "clv_total": ["51,612", "10,749"], "p_alive": ["0.786", "< 0.001"],
                                         "value_share": ["71.2%", "14.8%"], "weeks_since_last": ["24.6", "14.0"]}
    zh = st.readable(tiers, "zh")
    assert list(zh.index) == ["高价值客户", "低价值客户"] and zh.columns[1] == "CLV 均值" and zh.iloc[0, 1] == "110"
    assert tiers.loc["high", "clv_mean"] == 109.5788  # the table itself is untouched

    fits = pd.DataFrame({"estimate": [0.24259, 11.6687], "se": [0.012557, 6.2111], "lower95": [0.21798, -0.5049],
                         "upper95": [0.26721, 23.8424]},
                        index=pd.MultiIndex.from_tuples([("BG/NBD", "r"), ("Pareto/NBD", "beta")],
                                                        names=["model", "parameter"]))
    shown = st.parameters_table(fits)
    assert shown.to_dict(orient="list") == {"estimate [95% CI]": ["0.243 [0.218, 0.267]", "12 [-1, 24]"],
                                            "se": ["0.013", "6.2"]}
    zh = st.parameters_table(fits, "zh")
    assert list(zh.columns) == ["估计值 [95% 置信区间]", "标准误"] and list(zh.index.names) == ["模型", "参数"]


def test_rule_tables_in_chinese_keep_the_rules():
    z = st.segment_rules(SEGMENT_RULES, "zh")
    assert list(z.iloc[:, 0]) == ["冠军客户", "忠诚客户", "流失风险", "新近客户", "潜力客户", "需要关注", "沉睡客户", "已流失"]
    assert not any(d.isascii() for d in z["说明"])
    np.testing.assert_array_equal(z.iloc[:, 1:7].to_numpy(), SEGMENT_RULES.iloc[:, 1:7].to_numpy())
    assert st.segment_rules(SEGMENT_RULES, "en") is SEGMENT_RULES
    lz = st.lifecycle_rules(LIFECYCLE_RULES, "zh")
    assert list(lz["阶段"]) == ["流失/休眠", "新客户", "衰退", "成长/活跃", "成熟"]
    assert all(r != e for r, e in zip(lz["规则"], LIFECYCLE_RULES["rule"]))


def _texts(fig):
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels() + ax.texts]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_label_in_the_report_language(lang):
    crmlab.set_theme()  # registers the CJK font
    by_f = pd.DataFrame({"customers": [10, 5], "actual": [0.2, 0.7], "BG/NBD": [0.2, 0.5], "Pareto/NBD": [0.1, 0.6]},
                        index=pd.Index(["0", "1+"], name="calibration_frequency"))
    track = pd.DataFrame({"actual": [0.0, 3.0], "expected_bgnbd": [1.0, 2.0], "cumulative_actual": [0.0, 3.0],
                          "cumulative_expected_bgnbd": [1.0, 3.0]}, index=pd.Index([1, 2], name="period"))
    portrait = pd.DataFrame({"customers": [8, 2], "share": [0.8, 0.2], "clv": [5.0, 50.0]}, index=[1, 2])
    counts = pd.Series([5, 3], index=pd.Index(["champions", "lost"], name="segment"))
    texts = (_texts(plot_holdout_by_frequency(by_f, lang=lang)) + _texts(plot_tracking(track, 1.5, unit="周", lang=lang))
             + _texts(plot_concentration(np.array([1.0, 2.0, 30.0]), lang=lang))
             + _texts(plot_segments(portrait, ["share", "clv"], lang=lang))
             + _texts(plot_segment_counts(counts, lang=lang)))
    joined = " | ".join(texts)
    if lang == "zh":
        for word in ("验证期", "实际", "预期（BG/NBD）", "校准期结束", "累计重复购买次数", "客户价值集中度", "客户画像",
                     "客户终身价值 CLV", "冠军客户", "已流失", "RFM 客户细分", "第 1 类（n=8）"):
            assert word in joined, word
        assert "actual" not in texts and "champions" not in joined
    else:
        for word in ("Holdout: actual vs predicted repeat purchases", "expected bgnbd", "end of calibration",
                     "Concentration of customer value", "Segment portraits", "champions", "RFM segments", "1 (n=8)"):
            assert word in joined, word
