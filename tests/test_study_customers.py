"""Study 3 (segmentation and CLV): its words in English and Simplified Chinese (same numbers, field terms),
readable tables, figures, and the steps between estimator calls (exact recomputation and hand examples)."""
import doctest
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab import clv, rfm  # noqa: E402
from crmlab import transactions as tr  # noqa: E402
from crmlab.core import datasets  # noqa: E402
from crmlab.report import format_table, use_lang  # noqa: E402
from crmlab.report.fmt import use_currency  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from crmlab.report.i18n import translate_columns, use_catalog  # noqa: E402
from crmlab.segment import LIFECYCLE_RULES  # noqa: E402
from crmlab.studies.customers import plots, sentences, steps, tables, text  # noqa: E402

ERR = {"actual_repeat": 1882.0, "predicted_repeat": 1653.4, "mae_per_customer": 0.7855,
       "rmse_per_customer": 1.608, "correlation": 0.6256}


@pytest.fixture(autouse=True)
def _catalog():
    use_catalog(text.CATALOG)
    use_currency(None)


@contextmanager
def currency(code):
    use_currency(code)
    try:
        yield
    finally:
        use_currency(None)


def _summary(**report):
    rep = {"customers": 2357, "repeaters": 946, "transactions_calibration": 4814,
           "repeat_transactions_calibration": 2457, "transactions_holdout": 1882, **report}
    return SimpleNamespace(report=rep, calibration_end=pd.Timestamp("1997-09-30"))


def _life():
    return pd.DataFrame({"customers": [0, 270, 97, 400, 1590], "value_share": [0.0, 0.287, 0.116, 0.3, 0.297]},
                        index=pd.Index(["new", "active/growing", "mature", "declining", "lapsed"], name="lifecycle"))


# --- sentences ---------------------------------------------------------------------------------

def _ruled_log():
    # customer a: first 2020-01-01, two rows on 01-01, repeats on 01-15 and 02-12, 03-01 in the holdout;
    # b: one purchase; c: first purchase after the calibration end. Plus one duplicate row of a,
    # one return of a and one row of b after the holdout end.
    log = pd.DataFrame({
        "cust": ["a", "a", "a", "a", "a", "b", "c", "a", "a", "b"],
        "when": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-15", "2020-02-12", "2020-03-01",
                                "2020-01-29", "2020-03-05", "2020-01-15", "2020-01-20", "2021-01-01"]),
        "value": [10.0, 20.0, 20.0, 40.0, 5.0, 12.0, 7.0, 20.0, -5.0, 3.0]})
    return tr.summarize(log, customer_col="cust", date_col="when", amount_col="value",
                        calibration_end="2020-02-29", holdout_end="2020-03-31")


def test_data_notes_say_what_the_rules_did_in_both_languages():
    out = _ruled_log()
    en = sentences.data_notes(out)
    # the refund of a on 01-20 nets against a's purchase day 01-15, the latest before it
    assert en == ["dropped 1 rows dated after the holdout end", "netted 1 refund rows against their purchase",
                  "found 1 exact duplicate rows and kept them (a log without transaction ids cannot tell a double "
                  "entry from two equal items)",
                  "left out 1 customers whose first purchase is after the calibration end"]
    with use_lang("zh"):
        assert sentences.data_notes(out) == [
            "删除了 1 行日期晚于验证期结束日的记录", "将 1 行退款与其原购买相抵",
            "发现 1 行完全重复的记录，予以保留（没有交易编号的记录无法区分重复录入与两件相同的商品）",
            "排除了 1 位首次购买晚于校准期结束日的客户"]
    dropped = _summary(returns_dropped=2, header_lines_dropped=1, status_excluded=3, purchases_refunded=4,
                       refunds_unmatched=5)
    assert sentences.data_notes(dropped) == [
        "dropped 1 repeated header lines (the export was put together from several files)",
        "left out 3 rows whose status says they are not purchases (refunded, cancelled...)",
        "dropped 2 refund rows without netting them (returns='drop': the refunded purchases count in full)",
        "4 purchases were refunded in full and do not count as purchases",
        "dropped 5 refund rows with no purchase to net against"]
    with use_lang("zh"):
        assert sentences.data_notes(dropped) == [
            "删除了 1 行重复的标题行（导出文件由多个文件拼接而成）", "排除了 3 行状态为已退款、已取消等的记录（不是购买）",
            "删除了 2 行退款记录但未与原购买相抵（returns='drop'：被退款的购买仍按全额计）",
            "4 次购买被全额退款，不计为购买", "删除了 5 行找不到原购买的退款记录"]
    dropped = _summary(duplicate_rows=3, duplicates_dropped=3, zero_amount_rows=8)
    assert sentences.data_notes(dropped) == ["found 3 exact duplicate rows and dropped them",
                                             "kept 8 zero-amount rows as transactions"]
    with use_lang("zh"):
        assert sentences.data_notes(dropped) == ["发现 3 行完全重复的记录，已删除", "保留了 8 行零金额记录，计为交易"]


def test_summary_sentence_in_chinese_keeps_the_numbers():
    with use_lang("zh"):
        zh = sentences.summary_text(_summary())
    assert zh == ("截至 1997-09-30，**2,357 位客户**共产生 4,814 次交易（按购买日计）；其中 946 位（40%）再次购买"
                  "（共 2,457 次重复购买）。验证期共有 1,882 次交易。没有任何一行触发数据规则。")
    en = sentences.summary_text(_summary(zero_amount_rows=8))
    assert en.startswith("**2,357 customers** made 4,814 transactions (purchase days) up to 1997-09-30; "
                         "946 of them (40%)")
    assert en.endswith("What was done to the log: kept 8 zero-amount rows as transactions.")


def test_segments_sentence_translates_the_segment_name_only_for_display():
    counts = pd.Series([793, 70, 444, 1050], index=["champions", "loyal", "lost", "hibernating"])
    # 2357 customers, 1410 of them bought once (60%); frequency scores 1, 3, 4 and 5 occur
    seg = steps.Segments(counts, pd.DataFrame(), 1410 / 2357, [1, 3, 4, 5])
    with use_lang("zh"):
        zh = sentences.segments_text(seg)
    assert zh.startswith("最大的客户群是**沉睡客户**（占客户的 45%）。60% 的客户只购买过一次，"
                         "因此消费频率得分 F 只取 [1, 3, 4, 5]")
    assert sentences.segments_text(seg).startswith(
        "The largest segment is **hibernating** (45% of customers). 60% of customers bought only once")


def test_holdout_and_clv_sentences_in_both_languages():
    with use_lang("zh"):
        zh = sentences.holdout_text(39.0, "weeks", ERR)
        assert "低估" not in sentences.holdout_text(39.0, "weeks", ERR | {"predicted_repeat": 1900.0})
        assert "高估" in sentences.holdout_text(39.0, "weeks", ERR | {"predicted_repeat": 2300.0})
    assert zh == ("在验证期（39 周）内，客户共进行了 **1,882 次重复购买，BG/NBD 模型预测为 1,653 次**（-12.1%）；"
                  "每位客户的平均绝对误差 (MAE) 为 0.79 次，均方根误差 (RMSE) 为 1.6 次，预测值与实际值的相关系数为 0.63。"
                  "\n\n**含义**：模型低估了验证期的重复购买（-12%），因此下文的客户价值预测偏保守。")
    en = sentences.holdout_text(39.0, "weeks", ERR)
    assert "Over the holdout (39 weeks)" in en and "MAE" not in en and "error per customer 0.79 purchases, RMSE 1.6" in en
    assert en.endswith("**What this means:** the model under-predicts repeat buying in the holdout (-12%), so the "
                       "value forecasts below are on the conservative side.")
    assert "within 10%" in sentences.holdout_text(39.0, "weeks", ERR | {"predicted_repeat": 1900.0})
    assert "optimistic" in sentences.holdout_text(39.0, "weeks", ERR | {"predicted_repeat": 2300.0})
    conc = {"top10_share": 0.5675, "top20_share": 0.7129}
    with use_lang("zh"):
        zh = sentences.clv_text(72439.4, 30.73, 73259.2, conc, 52.0, "weeks")
        assert "9 个月内" in sentences.clv_text(1.0, 1.0, None, conc, 9.0, "months")
    assert zh.startswith("现有客户在未来 52 周内的预期价值：**72,439**（平均每位客户 30.73；BG/NBD + Gamma-Gamma 模型；"
                         "若改用 Pareto/NBD 模型：73,259）。")
    assert "价值最高的 10% 客户占 **57%**" in zh and "前 20% 客户占 **71%**" in zh
    # what it means, from the numbers: a top-20% customer vs one outside it = (0.7129 / 0.2) / (0.2871 / 0.8)
    assert zh.endswith("**含义**：一位高价值客户（前 20%）的预期价值平均相当于其余客户的 9.9 倍，"
                       "客户保留投入应首先用在这些客户身上。")
    en = sentences.clv_text(72439.4, 30.73, None, conc, 52.0, "weeks")
    assert "over the next 52 weeks: **72,439** (mean 30.73 per customer" in en
    assert "worth 9.9 times a customer outside it" in en


def test_model_cluster_lifecycle_and_warning_sentences_in_both_languages():
    bg = SimpleNamespace(loglik_=-9582.43, n_customers_=2357, n_rows_=1218,
                         params_={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    gg = SimpleNamespace(n_customers_=946, mean_spend=lambda: 35.08)
    indep = {"pearson": 0.114, "spearman": 0.25}
    with use_lang("zh"):
        zh = sentences.models_text(bg, None, gg, indep)
        assert "谨慎" in sentences.models_text(bg, None, gg, {"pearson": 0.5, "spearman": 0.5})
    assert "BG/NBD 模型的对数似然为 -9,582.4，基于 2,357 位客户（1,218 个不同的 (x, t_x, T) 组合）" in zh
    assert "每次交易的平均消费额为 35.08。" in zh
    assert "相关系数为 0.11（Spearman 相关 0.25）；相关很弱，该假设可以成立。" in zh
    # what the parameters mean: rate r/alpha = 0.055 a week, drop-out a/(a+b) = 25% after each purchase
    assert zh.endswith("**含义**：仍然活跃的客户平均每周重复购买 0.055 次（约每 18 周一次）；"
                       "每次购买之后，客户平均有 25% 的可能从此不再购买。")
    en = sentences.models_text(bg, None, gg, indep, "months")
    assert en.endswith("**What this means:** while still active, the average customer makes 0.055 repeat purchases per "
                       "month (about one every 18 months), and after each purchase a customer stops buying for good "
                       "with a 25% chance on average.")
    assert "log-likelihood -9,582.4 on 2,357 customers" in en and "mean spend per transaction 35.08." in en

    ari = pd.Series([0.9, 0.95, 0.85])
    with use_lang("zh"):
        zh = sentences.clusters_text("kmeans", 2, 0.583, "gmm", 8, ari)
        assert "不稳定" in sentences.clusters_text("kmeans", 2, 0.5, "gmm", 8, pd.Series([0.3, 0.5]))
    assert zh == ("k-means 选择了 **k = 2**（轮廓系数 0.58）；高斯混合模型 (GMM) 会选择 k = 8（依据 BIC）。"
                  "自助法稳定性：3 次重抽样的调整兰德指数 (ARI) 均值为 0.90（最小值 0.85）——聚类划分可以复现。")
    assert sentences.clusters_text("gmm", 3, 0.4, "kmeans", 2, ari) == (
        "gmm chose **k = 3** (silhouette 0.40); kmeans would choose k = 2 (silhouette). Bootstrap stability: mean "
        "adjusted Rand index 0.90 (min 0.85) over 3 resamples - a reproducible partition.")

    with use_lang("zh"):
        zh = sentences.lifecycle_text(_life(), 2357)
    assert zh == ("大多数客户处于**流失/休眠**阶段（67%）；270 位客户处于成长/活跃阶段，占预期价值的 29%；"
                  "1,590 位客户已流失/休眠；没有新客户（所有客户的首次购买都在 13 周以前）。"
                  "\n\n**含义**：预期价值最多的是**衰退**阶段的客户（30%）——这部分价值正在流失，下面的流失预警名单正是针对这些客户。")
    steady = _life().assign(value_share=[0.0, 0.5, 0.2, 0.2, 0.1])
    assert sentences.lifecycle_text(steady, 2357).endswith("the **active/growing** customers hold the largest share "
                                                           "of expected value (50%).")
    assert sentences.lifecycle_text(_life(), 2357).startswith("Most customers are **lapsed** (67%); 270 are "
                                                              "active/growing")
    portrait = pd.DataFrame({"customers": [1825, 532], "share": [0.7743, 0.2257], "recency": [31.16, 7.709],
                             "frequency": [1.346, 4.430], "p_alive": [0.3362, 0.8240], "value_share": [0.2776, 0.7224]},
                            index=pd.Index([1, 2], name="cluster"))
    with use_lang("zh"):
        assert sentences.portraits_text(portrait, "weeks") == (
            "**含义**：第 2 类是价值最高的客户群：532 位客户（23%）占预期价值的 **72%**；"
            "他们平均购买 4.4 次，距上次购买 7.7 周，存活概率 P(alive) 为 0.82。"
            "其余 1,825 位客户平均只购买 1.3 次，P(alive) 为 0.34。")
    assert sentences.portraits_text(portrait) == (
        "**What this means:** cluster 2 is the valuable group: 532 customers (23%) hold **72%** of expected value; "
        "they bought 4.4 times on average, last 7.7 weeks ago, with P(alive) 0.82. The other 1,825 customers bought "
        "1.3 times on average, with P(alive) 0.34.")
    assert "The other" not in sentences.portraits_text(portrait.iloc[[1]])

    with use_lang("zh"):
        zh = sentences.early_warning_text(85, 23456.7, 0.5, 15)
        assert sentences.no_holdout_text().startswith("未指定验证期")
        assert "未收敛" in sentences.pareto_failed_text("no luck")
    assert zh.startswith("**流失预警**：按历史消费额排名前 20% 的客户中，有 85 位的存活概率 P(alive) 低于 0.5；"
                         "他们迄今共消费 23,457。")
    assert sentences.early_warning_text(85, 23456.7, 0.5, 15).startswith(
        "**Early warning:** 85 of the top-20% customers by past spend have P(alive) below 0.5; together they spent "
        "23,457 so far. The 15 with")
    assert sentences.no_holdout_text().startswith("No holdout period")


# --- words, captions and readable tables --------------------------------------------------------

def test_every_caption_and_section_exists_in_both_languages():
    values = {"units": "weeks", "unit": "week", "level": "95%", "horizon": 52.0, "method": "kmeans",
              "other": "gmm", "shown": 15, "n": 173, "money": "$", "draws": "1,000", "reference": "app",
              "control": "control", "period": "months"}
    for lang in ("en", "zh"):
        with use_lang(lang):
            for key in text.TEXTS:
                body = text.CATALOG.text(key, **values)
                assert "{" not in body and body.endswith("." if lang == "en" else "。"), key
            for key in ("intro", "intro_own", "summary", "rfm", "models", "holdout", "value", "clusters", "lifecycle",
                        "covariates", "campaign", "bgbb", "conclusion", "variables"):
                assert text.CATALOG.section(key, file="f.csv", rows="", columns="c", currency_note="").startswith(
                    "#"), key
    with use_lang("zh"):
        assert text.CATALOG.text("value_tiers", horizon=52.0, **text.unit_words("months")).startswith(
            "按未来 52 个月预期价值划分")
        assert text.CATALOG.text("tracking_per_period", **text.unit_words("months")).startswith("每月的")


def test_time_unit_names_have_one_rule():
    assert [steps.unit_name(u) for u in ("weeks", "W", "week", "days", "D", "day", "months", "M", "month", 3.5, "x")] \
        == ["week"] * 3 + ["day"] * 3 + ["month"] * 3 + ["unit", "unit"]
    # every name the summary accepts has a word (crmlab.transactions.TIME_UNITS)
    assert set(tr.TIME_UNITS) == set(steps.UNIT_NAMES)
    assert text.unit_words("W") == {"unit": "week", "units": "weeks"}
    with use_lang("zh"):
        assert text.unit_words("months") == {"unit": "月", "units": "个月"}
        assert text.unit_words(2.0) == {"unit": "时间单位", "units": "个时间单位"}
        assert text.unit_word("days") == "天" and text.method_name("gmm") == "高斯混合模型 (GMM)"
    assert text.method_name("gmm") == "gmm" and text.level_words(0.975) == "97.5%"


def test_display_copies_translate_names_but_not_numbers():
    seg = pd.DataFrame({"customers": [793, 70], "recency": [12.6, 29.8], "frequency": [3.8, 2.4],
                        "monetary": [35.5, 31.2], "share": [0.34, 0.03]},
                       index=pd.CategoricalIndex(["champions", "loyal"], name="segment"))
    with use_lang("zh"):
        zh = tables.readable(seg)
    assert list(zh.index) == ["冠军客户", "忠诚客户"] and zh.index.name == "RFM 客户群"
    assert list(zh.columns) == ["客户数", "最近一次消费（距今时长）", "消费频率（交易次数）", "消费金额（每次平均）",
                                "客户占比"]
    assert zh.iloc[0].tolist() == ["793", "12.6", "3.80", "35.5", "34.0%"]
    en = tables.readable(seg)
    # English headers read as words too (issue #12), never snake_case
    assert list(en.index) == ["champions", "loyal"] and list(en.columns) == [
        "Customers", "Time since last purchase", "Purchases", "Spend per purchase", "Share of customers"]
    with currency("USD"):
        assert tables.readable(seg).columns[3] == "Spend per purchase ($)"
        with use_lang("zh"):
            assert tables.readable(seg).columns[3] == "消费金额（每次平均，美元）"

    desc = pd.DataFrame({"mean": [0.5, 2.0], "std": [1.0, 1.5]}, index=["frequency", "recency"])
    with use_lang("zh"):
        z = tables.readable(desc, summary=True, time_unit="weeks")
    assert list(z.index) == ["重复购买次数 x", "末次购买时点 t_x（周）"] and list(z.columns) == ["均值", "标准差"]
    assert z.index.name == "指标"
    assert list(tables.readable(desc, summary=True, time_unit="weeks").index) == [
        "Repeat purchases x", "Last purchase t_x (weeks)"]

    sel = pd.DataFrame({"silhouette": [0.58], "bic_gmm": [-3e4]}, index=pd.Index([2], name="k"))
    with use_lang("zh"):
        assert list(tables.readable(sel).columns) == ["轮廓系数", "BIC（GMM）"]
        ew = pd.DataFrame({"frequency": [3], "weeks_since_last": [24.6]}, index=pd.Index(["c_1"], name="customer"))
        z = tables.readable(ew, summary=True)
    assert list(z.columns) == ["重复购买次数 x", "距上次购买（周）"] and list(z.index) == ["c_1"]
    assert z.index.name == "客户（假名）"
    # headers a display copy leaves in stable names are translated by show_table
    with use_lang("zh"):
        assert list(translate_columns(pd.DataFrame(columns=["clv", "T", "ci_low"])).columns) == [
            "客户终身价值 CLV", "客户年龄 T", "置信区间下限"]
    assert list(translate_columns(pd.DataFrame(columns=["clv", "T", "p_alive", "value_at_risk"])).columns) == [
        "CLV", "Customer age T", "P(alive)", "Value at risk"]


def test_readable_numbers_in_displayed_tables():
    assert doctest.testmod(tables).failed == 0 and doctest.testmod(steps).failed == 0
    assert tables.fmt_money(float("nan")) == "-" and tables.fmt_money(6.0) == "6"
    assert tables.fmt_money(-12.345) == "-12.3"
    assert tables.fmt_prob(0.0009) == "< 0.001" and tables.fmt_prob(0.0) == "0.000" and tables.fmt_prob(None) == "-"
    tiers = pd.DataFrame({"customers": [471, 1188], "clv_mean": [109.5788, 9.0483], "clv_total": [51611.6, 10749.4],
                          "p_alive": [0.7861, 2.4e-08], "value_share": [0.71248, 0.0004],
                          "weeks_since_last": [24.5714, 14.0]},
                         index=pd.CategoricalIndex(["high", "low"], name="value_tier"))
    en = format_table(tables.readable(tiers))
    # shares by the report's rule: a tiny share is "< 0.1%", never "0.0%"
    assert en.to_dict(orient="list") == {"Customers": ["471", "1,188"], "Mean CLV": ["110", "9.05"],
                                         "Total CLV": ["51,612", "10,749"], "P(alive)": ["0.786", "< 0.001"],
                                         "Share of value": ["71.2%", "< 0.1%"],
                                         "Weeks since last purchase": ["24.6", "14.0"]}
    assert list(en.index) == ["high value", "low value"] and en.index.name == "Value tier"
    with use_lang("zh"):
        zh = tables.readable(tiers)
    assert list(zh.index) == ["高价值客户", "低价值客户"] and zh.columns[1] == "CLV 均值" and zh.iloc[0, 1] == "110"
    assert tiers.loc["high", "clv_mean"] == 109.5788  # the table itself is untouched

    fits = pd.DataFrame({"estimate": [0.24259, 11.6687], "se": [0.012557, 6.2111], "ci_low": [0.21798, -0.5049],
                         "ci_high": [0.26721, 23.8424]},
                        index=pd.MultiIndex.from_tuples([("BG/NBD", "r"), ("Pareto/NBD", "beta")],
                                                        names=["model", "parameter"]))
    shown = tables.parameters_table(fits)
    assert shown.to_dict(orient="list") == {"Estimate [95% CI]": ["0.243 [0.218, 0.267]", "12 [-1, 24]"],
                                            "SE": ["0.013", "6.2"]}
    with use_lang("zh"):
        zh = tables.parameters_table(fits, level=0.9)
    assert list(zh.columns) == ["估计值 [90% 置信区间]", "标准误"] and list(zh.index.names) == ["模型", "参数"]


def test_rule_tables_in_chinese_keep_the_rules():
    with use_lang("zh"):
        z = tables.segment_rules(rfm.SEGMENT_RULES)
        lz = tables.lifecycle_rules(LIFECYCLE_RULES)
    assert list(z.iloc[:, 0]) == ["冠军客户", "忠诚客户", "流失风险", "新近客户", "潜力客户", "需要关注", "沉睡客户",
                                  "已流失"]
    assert not any(d.isascii() for d in z["说明"])
    np.testing.assert_array_equal(z.iloc[:, 1:7].to_numpy(), rfm.SEGMENT_RULES.iloc[:, 1:7].astype(str).to_numpy())
    en = tables.segment_rules(rfm.SEGMENT_RULES)
    assert en["RFM segment"].tolist() == rfm.SEGMENT_RULES["segment"].tolist()
    assert en["Description"].tolist() == rfm.SEGMENT_RULES["description"].tolist()
    assert list(lz["阶段"]) == ["流失/休眠", "新客户", "衰退", "成长/活跃", "成熟"]
    assert all(r != e for r, e in zip(lz["规则"], LIFECYCLE_RULES["rule"]))
    assert tables.lifecycle_rules(LIFECYCLE_RULES)["Rule"].tolist() == LIFECYCLE_RULES["rule"].tolist()


# --- figures -----------------------------------------------------------------------------------

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
    from crmlab.report.theme import set_theme

    set_theme()  # registers the CJK font
    by_f = pd.DataFrame({"customers": [10, 5], "actual": [0.2, 0.7], "BG/NBD": [0.2, 0.5], "Pareto/NBD": [0.1, 0.6]},
                        index=pd.Index(["0", "1+"], name="calibration_frequency"))
    track = pd.DataFrame({"actual": [0.0, 3.0], "expected_bgnbd": [1.0, 2.0], "cumulative_actual": [0.0, 3.0],
                          "cumulative_expected_bgnbd": [1.0, 3.0]}, index=pd.Index([1, 2], name="period"))
    portrait = pd.DataFrame({"customers": [8, 2], "share": [0.8, 0.2], "clv": [5.0, 50.0]}, index=[1, 2])
    counts = pd.Series([5, 3], index=pd.Index(["champions", "lost"], name="segment"))
    with use_lang(lang):
        texts = (_texts(plots.holdout_by_frequency(by_f)) + _texts(plots.tracking(track, 1.5, "weeks"))
                 + _texts(plots.concentration(np.array([1.0, 2.0, 30.0])))
                 + _texts(plots.portraits(portrait, ["share", "clv"])) + _texts(plots.segment_counts(counts)))
    joined = " | ".join(texts)
    if lang == "zh":
        for word in ("验证期", "实际", "预期（BG/NBD）", "校准期结束", "累计重复购买次数", "客户价值集中度", "客户画像",
                     "客户终身价值 CLV", "冠军客户", "已流失", "RFM 客户细分", "第 1 类（n=8）", "时间（周）"):
            assert word in joined, word
        assert "actual" not in texts and "champions" not in joined
    else:
        for word in ("Holdout: actual vs predicted repeat purchases", "expected (BG/NBD)", "end of calibration",
                     "Concentration of customer value", "Segment portraits", "champions", "RFM segments", "1 (n=8)",
                     "week"):
            assert word in joined, word
        assert "Customer lifetime value" not in joined  # the column "clv" keeps its short name


# --- steps -------------------------------------------------------------------------------------

def test_rfm_steps_by_hand():
    s = pd.DataFrame({"frequency": [0, 1, 5, 9, 0], "recency": [0.0, 10.0, 30.0, 38.0, 0.0],
                      "T": [38.0, 38.0, 38.0, 39.0, 5.0], "spend": [10.0, 40.0, 120.0, 500.0, 20.0]},
                     index=pd.Index(list("abcde"), name="customer_id"))
    R = steps.rfm_segments(s)
    assert list(R["segment"]) == ["lost", "at risk", "loyal", "champions", "promising"]
    counts = steps.segment_counts(R)
    assert steps.counts_record(counts) == {"champions": 1, "loyal": 1, "at risk": 1, "promising": 1, "lost": 1}
    tab = steps.segment_table(R)
    assert tab.loc["loyal", "recency"] == 8.0 and tab.loc["champions", "monetary"] == 50.0
    assert tab["share"].sum() == pytest.approx(1.0) and tab["customers"].sum() == 5


def test_clustering_rules_and_tables():
    assert list(steps.k_range(8)) == list(range(2, 9)) and list(steps.k_range(2)) == [2, 3]
    assert steps.n_clusters("auto") == "auto" and steps.n_clusters("4") == 4 and steps.n_clusters(3) == 3
    assert steps.other_method("kmeans") == "gmm" and steps.other_method("gmm") == "kmeans"
    with pytest.raises(Exception, match="cluster_method"):
        steps.other_method("dbscan")
    fitted = SimpleNamespace(k_=2, silhouette_=0.5, method="kmeans", labels_=pd.Series([2, 1, 1]),
                             selection_=pd.DataFrame({"silhouette": [0.5, 0.4]}, index=pd.Index([2, 3], name="k")))
    alt = steps.Alternative("gmm", pd.DataFrame({"bic": [9.0, 7.0]}, index=pd.Index([2, 3], name="k")), 3)
    rec = steps.cluster_record(fitted, pd.Series([0.9, 0.7]), alt)
    assert rec == {"k": 2, "silhouette": 0.5, "method": "kmeans", "k_gmm": 3, "stability_ari_mean": pytest.approx(0.8),
                   "stability_ari_min": 0.7, "sizes": {"1": 2, "2": 1}}
    assert list(steps.selection_table(fitted, alt).columns) == ["silhouette", "bic_gmm"]


def test_lifecycle_and_early_warning_steps_by_hand():
    scored = pd.DataFrame({"clv": [10.0, 30.0, 60.0], "p_alive": [0.2, 0.9, 0.8], "frequency": [0, 2, 4],
                           "lifecycle": pd.Categorical(["lapsed", "mature", "mature"],
                                                       categories=["new", "active/growing", "mature", "declining",
                                                                   "lapsed"])})
    life = steps.lifecycle_table(scored)
    assert steps.counts_record(life["customers"]) == {"new": 0, "active/growing": 0, "mature": 2, "declining": 0,
                                                      "lapsed": 1}
    assert life.loc["mature", "value_share"] == pytest.approx(0.9) and life.loc["mature", "frequency"] == 3
    assert steps.new_within(7.0) == 13 and steps.new_within(1.0) == 91
    warning = pd.DataFrame({"spend": [500.0, 300.0], "frequency": [3, 1], "recency": [10.0, 0.0], "T": [30.0, 20.0],
                            "p_alive": [0.1, 0.4], "clv": [2.0, 5.0], "value_at_risk": [450.0, 180.0],
                            "monetary_value": [1.0, 2.0]}, index=pd.Index(["c_1", "c_2"], name="customer"))
    table = steps.early_warning_table(warning, "days")
    assert list(table.columns) == ["spend", "frequency", "p_alive", "days_since_last", "clv", "value_at_risk"]
    assert table["days_since_last"].tolist() == [20.0, 20.0]
    assert steps.early_warning_record(warning) == {"customers": 2, "value_at_risk": 630.0}
    assert steps.shown_rows(warning) == 2 and steps.shown_rows(pd.DataFrame(index=range(40))) == 15


@pytest.fixture(scope="module")
def cdnow():
    return tr.summarize(datasets.load_cdnow_sample(), calibration_end="1997-09-30", holdout_end="1998-06-30")


@pytest.fixture(scope="module")
def fits(cdnow):
    return steps.fit_models(cdnow.table)


def test_model_steps_on_cdnow_match_the_estimators(cdnow, fits):
    S = cdnow.table
    rec = steps.summary_record(cdnow)
    assert {k: v for k, v in rec.items() if k != "data_rules"} == {
        "customers": 2357, "repeaters": 946, "transactions": 4814, "repeat_transactions": 2457,
        "holdout_transactions": 1882}
    # FHL (2005) keep CDNOW's 8 zero-amount rows and 21 exact duplicates; nothing else needs a rule
    assert {k: v for k, v in rec["data_rules"].items() if v} == {"rows_read": 6919, "zero_amount_rows": 8,
                                                                 "duplicate_rows": 21}
    desc = steps.describe_customers(S)
    assert "first_purchase" not in desc.index and desc.loc["frequency", "count"] == 2357
    rec = steps.model_records(fits)
    assert list(rec) == ["bgnbd", "paretonbd", "gammagamma"]
    # FHL (2005): BG/NBD LL = -9582.4; Fader & Hardie (2013): 946 repeat buyers in the Gamma-Gamma
    assert rec["bgnbd"]["loglik"] == pytest.approx(-9582.4, abs=0.05) and rec["gammagamma"]["customers"] == 946
    params = steps.parameter_table(fits)
    assert list(params.index.get_level_values("model").unique()) == ["BG/NBD", "Pareto/NBD", "Gamma-Gamma"]
    pd.testing.assert_frame_equal(params.loc["BG/NBD"], fits.bgnbd.summary())

    check = steps.holdout_check(fits, cdnow)
    assert check.record["paretonbd"] == clv.holdout_errors(fits.paretonbd, S) and check.errors == clv.holdout_errors(
        fits.bgnbd, S)
    assert list(check.by_frequency.columns) == ["customers", "actual", "BG/NBD", "Pareto/NBD"]
    assert check.tracking["cumulative_actual"].iloc[-1] == 4339 and len(check.tracking) == 78
    assert check.calibration_periods == pytest.approx((pd.Timestamp("1997-09-30") - cdnow.start).days / 7)

    worth = steps.customer_worth(fits, S, horizon=52.0, discount_rate=0.1, time_unit_days=7.0)
    scored = steps.score_customers(fits, S, worth, horizon=52.0)
    np.testing.assert_array_equal(scored["p_alive"], fits.paretonbd.p_alive(S["frequency"], S["recency"], S["T"]))
    tiers = steps.tier_table(scored, worth)
    assert tiers["customers"].sum() == 2357 and tiers["value_share"].sum() == pytest.approx(1.0)
    rec = steps.clv_record(worth, tiers, horizon=52.0, discount_rate=0.1)
    assert list(rec) == ["total", "mean", "top10_share", "top20_share", "total_paretonbd", "horizon",
                         "discount_rate", "tiers", "ci_low", "ci_high", "top20_share_ci_low", "top20_share_ci_high",
                         "interval_draws", "interval_level"]
    assert rec["ci_low"] is None and rec["interval_draws"] == 0
    assert rec["total"] == pytest.approx(scored["clv"].sum(), rel=1e-12)


def test_a_pareto_nbd_that_does_not_converge_is_left_out(cdnow, monkeypatch):
    def fail(self, *args, **kwargs):
        raise clv.ConvergenceError("Pareto/NBD fit did not converge")

    monkeypatch.setattr(clv.ParetoNBD, "fit", fail)
    fits = steps.fit_models(cdnow.table)
    assert fits.paretonbd is None and "did not converge" in str(fits.pareto_error)
    assert list(steps.model_records(fits)) == ["bgnbd", "gammagamma"]
    assert "Pareto/NBD" not in steps.parameter_table(fits).index.get_level_values("model")
    check = steps.holdout_check(fits, cdnow)
    assert "Pareto/NBD" not in check.by_frequency.columns and "paretonbd" not in check.record
    assert "expected_paretonbd" not in check.tracking.columns
    worth = steps.customer_worth(fits, cdnow.table, horizon=52.0, discount_rate=0.1, time_unit_days=7.0)
    assert worth.total_paretonbd is None


# --- units and the optional sections' words (issues #12, #15) ------------------------------------

def test_money_and_time_carry_their_units_in_both_languages():
    with currency("USD"):
        # Markdown: "$" escaped, or Jupyter reads $...$ as mathematics
        assert text.money(72439.4) == "\\$72,439" and text.signed_money(5.6) == "+\\$5.60"
        assert text.money_range(65255.1, 80079.4) == "\\$65,255 to \\$80,079"
        assert text.money_range(-4.4, 15.6, signed=True) == "-\\$4.40 to +\\$15.60"
        assert tables.with_unit("Actual (mean)", "$") == "Actual (mean, $)"
        with use_lang("zh"):
            assert text.money_range(65255.1, 80079.4) == "65,255 至 80,079 美元"
            assert text.money_word() == "美元" and tables.money_header("clv_mean") == "CLV 均值（美元）"
            assert tables.time_header("recency", "months") == "最近一次消费（距今时长，个月）"
    assert text.money(72439.4) == "72,439" and text.money_word() == "the data's currency"
    interval = SimpleNamespace(summary=pd.DataFrame({"ci_low": [65255.1, 0.6858], "ci_high": [80079.4, 0.7405]},
                                                    index=["total", "top20_share"]), info={"draws": 1000})
    conc = {"top10_share": 0.5675, "top20_share": 0.7129}
    with currency("USD"):
        en = sentences.clv_text(72439.4, 30.73, None, conc, 52.0, "weeks", interval)
        with use_lang("zh"):
            zh = sentences.clv_text(72439.4, 30.73, None, conc, 52.0, "weeks", interval)
    assert ("**\\$72,439** (95% interval \\$65,255 to \\$80,079 from 1,000 parameter draws) (mean \\$30.73 per "
            "customer" in en) and "the top 20% hold **71%** (95% interval 69% to 74%) of it" in en
    assert "**72,439 美元**（95% 区间 65,255 至 80,079 美元，由 1,000 组参数抽样得到）（平均每位客户 30.73 美元" in zh
    assert "前 20% 客户占 **71%**（95% 区间 69% 至 74%）" in zh


def test_bgbb_and_not_requested_sections_in_both_languages():
    model = SimpleNamespace(params_={"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.78})
    res = SimpleNamespace(model=model, period="months", customers=11104, opportunities=6.0, p_alive_mean=0.55,
                          holdout={"actual": 100.0, "predicted": 90.0, "mae_per_customer": 0.5}, dert_mean=3.2,
                          discount_per_period=0.008)
    from crmlab.studies.customers import sentences_extra

    en = sentences_extra.bgbb_text(res)
    with use_lang("zh"):
        zh = sentences_extra.bgbb_text(res)
        assert sentences_extra.not_requested("campaign").startswith("未关联实验（参数 `assignment`")
    # alpha / (alpha + beta) = 0.615; gamma / (gamma + delta) = 0.192
    assert "buys in a month with a 62% chance on average and drops out before each month with a 19% chance" in en
    assert "100 customer-months had a purchase against 90 predicted (-10%)" in en
    assert "仍然活跃的客户在一个月内购买的平均概率为 62%，在每个月开始前流失的平均概率为 19%" in zh
    assert "各客户有购买的月数合计为 100，模型预测为 90（-10%）" in zh
    assert sentences_extra.not_requested("bgbb").startswith("The discrete-time view was not asked for")
