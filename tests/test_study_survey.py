"""Study 2 (survey regression and key drivers): its steps checked by exact recomputation, its sentences
against strings worked out by hand from the inputs (the same numbers in both languages, only words
change), its display copies, figure labels and catalog, and the notebook's shape.

Saved tables and results.json keep stable English names; only what the reader sees is translated.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab.core import datasets  # noqa: E402
from crmlab.core.errors import DataError, ParameterError  # noqa: E402
from crmlab.drivers import KeyDriverAnalysis, importance_performance  # noqa: E402
from crmlab.report import fmt_ci, fmt_num, use_lang  # noqa: E402
from crmlab.report.i18n import GLOSSARY, use_catalog  # noqa: E402
from crmlab.report.narrative import readable  # noqa: E402
from crmlab.studies.survey import plots, sentences, steps, text  # noqa: E402
from crmlab.survey import clean_survey, item_distribution, nps  # noqa: E402
from crmlab.survey_models import compare_models, fit_ols, fit_ordinal  # noqa: E402
from crmlab.weighting import rake, weight_diagnostics  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_survey_regression.ipynb"
DRIVERS = [f"q{i}" for i in range(2, 11)]


@pytest.fixture(autouse=True)
def _catalog():
    use_catalog(text.CATALOG)   # what study.setup() does; conftest resets it after each test
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sat():
    return datasets.load_customer_sat()


@pytest.fixture(scope="module")
def kda(sat):
    return KeyDriverAnalysis(bootstrap=30, seed=3).fit(sat, "q1", ["q2", "q4", "q6", "q9"])


# ---------------------------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------------------------

def test_survey_items_put_the_outcome_first_and_refuse_it_among_the_drivers():
    assert steps.survey_items("q1", ["q2", "q3"]) == ["q1", "q2", "q3"]
    with pytest.raises(ParameterError, match="outcome 'q1' is also listed in drivers"):
        steps.survey_items("q1", ["q2", "q1"])


def test_load_survey_checks_every_column_a_parameter_names(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"y": [1, 2], "a": [3, 4], "b": [5, 6], "rec": [9, 10], "w": [1.0, 2.0]}).to_csv(path, index=False)
    raw, items, check = steps.load_survey(str(path), "y", ["a", "b"], nps_item="rec", columns=("w", None))
    assert raw.shape == (2, 5) and items == ["y", "a", "b"] and check == ["y", "a", "b", "rec"]
    with pytest.raises(DataError, match=r"missing column\(s\) \['seg'\]"):
        steps.load_survey(str(path), "y", ["a", "b"], columns=("w", "seg"))


def test_clean_gives_the_nps_item_its_own_0_to_10_range():
    raw = pd.DataFrame({"y": [1, 5, 7, 9, 4], "a": [2, 6, 3, 8, 4], "b": [3, 4, 8, 2, 6], "rec": [0, 10, 11, 5, 7]})
    hyg = steps.clean(raw, ["y", "a", "b"], ["y", "a", "b", "rec"], scale_min=1, scale_max=9, nps_item="rec")
    ref = clean_survey(raw, ["y", "a", "b", "rec"], required=["y", "a", "b"], scale_min=1, scale_max=9,
                       extra_ranges={"rec": (0, 10)})
    assert hyg.exclusions.to_dict() == ref.exclusions.to_dict()
    assert hyg.exclusions["row"].tolist() == [2] and hyg.exclusions["reason"].tolist() == ["out_of_range"]
    # rows 0 and 1 answer the NPS item 0 and 10, outside the 1-9 scale of the ratings but inside 0-10
    saved = steps.exclusions_table(hyg)
    assert list(saved.columns) == ["row_number", "reason", "detail"] and saved["row_number"].tolist() == [2]


def test_ordinal_vs_ols_adds_the_average_effect_and_both_intervals(sat):
    sub = sat.iloc[:250]
    drivers = ["q2", "q4", "q6"]
    ordfit, olsfit = fit_ordinal(sub, "q1", drivers), fit_ols(sub, "q1", drivers)
    out = steps.ordinal_vs_ols(ordfit, olsfit, sub)
    me = ordfit.marginal_effects(sub)
    pd.testing.assert_frame_equal(out.table.drop(columns="ordinal_d_expected"), compare_models(ordfit, olsfit))
    pd.testing.assert_series_equal(out.table["ordinal_d_expected"], me["d_expected"], check_names=False)
    pd.testing.assert_frame_equal(out.marginal_effects, me)
    w = out.with_intervals
    assert list(w.columns) == list(out.table.columns) + ["odds_ratio_ci_low", "odds_ratio_ci_high",
                                                         "ols_coef_ci_low", "ols_coef_ci_high"]
    np.testing.assert_array_equal(w["odds_ratio_ci_low"], ordfit.coef["ci_low"])
    np.testing.assert_array_equal(w["ols_coef_ci_high"], olsfit.coef.loc[drivers, "ci_high"])


def test_driver_profiles_are_rounded_quantiles_and_named_profiles_fill_in_medians():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6, 7, 8], "b": [2, 2, 3, 3, 9, 9, 10, 10]})
    prof = steps.driver_profiles(df, ["a", "b"], {"high a": {"a": 9}})
    # numpy's linear quantiles: a -> 2.75, 4.5, 6.25; b -> 2.75, 6, 9.25; rounded half to even
    assert prof.index.tolist() == list(steps.PROFILES) + ["high a"]
    assert prof.to_numpy().tolist() == [[3.0, 3.0], [4.0, 6.0], [6.0, 9.0], [9.0, 6.0]]
    with pytest.raises(ParameterError, match=r"profiles name drivers \['c'\] that are not in `drivers`"):
        steps.driver_profiles(df, ["a", "b"], {"p": {"c": 1}})


def test_survey_weights_from_margins_from_a_column_or_none(tmp_path):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"region": rng.choice(["n", "s"], 200, p=[0.7, 0.3]), "w": rng.uniform(0.5, 2, 200)})
    none = steps.survey_weights(df)
    assert not none.weighted and none.array is None and none.raking is None
    col = steps.survey_weights(df, weights="w")
    np.testing.assert_array_equal(col.array, df["w"].to_numpy())
    assert col.record() == weight_diagnostics(df["w"]).to_record()
    (tmp_path / "m.yaml").write_text("region: {n: 0.5, s: 0.5}\n", encoding="utf-8")
    raked = steps.survey_weights(df, margins=str(tmp_path / "m.yaml"), weights="w", trim=5.0)
    ref = rake(df, {"region": {"n": 0.5, "s": 0.5}}, base_weights="w", trim=5.0)
    np.testing.assert_allclose(raked.array, ref.weights.to_numpy(), rtol=1e-15)
    assert raked.raking.max_margin_error < 1e-9
    assert list(raked.record()) == ["converged"] + list(ref.diagnostics.to_record())
    bad = df.assign(w=df["w"].where(df.index != 7, -1.0))
    with pytest.raises(DataError, match=r"weights are negative in rows 7"):
        steps.survey_weights(bad, weights="w")


def test_weighted_comparison_with_equal_weights_reproduces_the_unweighted_results(sat):
    sub = sat.iloc[:300]
    olsfit = fit_ols(sub, "q1", DRIVERS)
    sw = steps.SurveyWeights(pd.Series(2.0, index=sub.index))
    wc = steps.weighted_comparison(sub, ["q1"] + DRIVERS, "q1", DRIVERS, sw, olsfit)
    np.testing.assert_allclose(wc.means["weighted"], wc.means["unweighted"], rtol=1e-12)
    np.testing.assert_allclose(wc.coef["ols_weighted"], wc.coef["ols_unweighted"], rtol=1e-9)
    assert wc.coef.index.tolist() == ["const"] + DRIVERS and wc.ols.weighted


def test_drivers_record_adds_the_sampled_bound_only_when_shares_were_sampled(sat):
    exact = KeyDriverAnalysis().fit(sat, "q1", DRIVERS)
    assert steps.drivers_record(exact) == exact.to_record()
    sampled = KeyDriverAnalysis(max_exact=4, n_permutations=300, seed=2).fit(sat, "q1", DRIVERS)
    rec = steps.drivers_record(sampled)
    assert rec.pop("sampled_bound") == sampled.sampled_["bound"] and rec == sampled.to_record()
    wu = steps.drivers_weighted_vs_unweighted(sampled, exact)
    assert wu.loc["q4"].tolist() == [sampled.importance_.loc["q4", "shapley"], exact.importance_.loc["q4", "shapley"],
                                     sampled.importance_.loc["q4", "rank"], exact.importance_.loc["q4", "rank"]]


# ---------------------------------------------------------------------------------------------
# sentences
# ---------------------------------------------------------------------------------------------

def test_hygiene_sentence_in_both_languages():
    by = {"non_numeric": 0, "out_of_range": 2, "missing": 0, "straight_liner": 102, "speeder": 0, "duplicate": 32}
    with use_lang("zh"):
        zh = sentences.hygiene_findings(1811, 1675, by, ["q3"])
        assert "没有行被排除" in sentences.hygiene_findings(10, 10, {k: 0 for k in by})
    assert zh == ("**结果解读**：共读入 1,811 行，使用 1,675 行（92.5%）。2 行因超出量表范围被排除；"
                  "102 行因直线作答被排除；32 行因重复受访者被排除。已反向计分的题项：`q3`。"
                  "直线作答者（对所有题项给出相同答案）不能说明哪个属性更重要，还会抬高所有相关系数；"
                  "以下所有模型都不包括他们。")
    en = sentences.hygiene_findings(1811, 1675, by, ["q3"])
    assert en.startswith("**What the numbers say.** 1,811 rows in, 1,675 used (92.5%). 2 excluded as out of range; "
                         "102 excluded as straight liner; 32 excluded as duplicate. Reverse-keyed items recoded: q3. ")


def test_descriptives_sentence():
    tb = pd.DataFrame({"mean": [5.87, 5.32, 7.81], "top2box": [0.133, 0.1, 0.4]}, index=["q1", "q4", "q9"])
    C = np.array([[1.0, 0.29], [0.29, 1.0]])
    with use_lang("zh"):
        zh = sentences.descriptives_findings(tb, "q1", ["q4", "q9"], C, 1, 10)
    assert zh == ("**结果解读**：`q1` 的均值为 5.87（1-10 量表），13.3% 的受访者给出高分两档（top-2-box）答案。"
                  "评分最高的属性：`q9`（7.81）；最低：`q4`（5.32）。各属性之间的相关系数在 0.29 到 0.29 之间"
                  "（均值 0.29）：区分它们各自的作用，正是第 4 节和第 6 节的任务。")
    assert "Highest-rated attribute: `q9` (7.81); lowest: `q4` (5.32)" in sentences.descriptives_findings(
        tb, "q1", ["q4", "q9"], C, 1, 10)
    # a tiny top-2-box share reads "< 0.1%", never "0.0%" (the project's rule)
    assert "< 0.1% give a top-2-box answer" in sentences.descriptives_findings(
        tb.assign(top2box=[0.0004, 0.1, 0.4]), "q1", ["q4", "q9"], C, 1, 10)


def test_nps_sentence_from_hand_counted_scores():
    res = nps([10, 9, 9, 8, 7, 6, 3, 0, 10, 10])   # 5 promoters, 2 passives, 3 detractors: NPS 20
    # variance (0.5 + 0.3 - 0.2²) / 10 = 0.076: 20 ± 1.96 * 27.6 = -34 to 74
    with use_lang("zh"):
        assert sentences.nps_findings(res) == ("**净推荐值 NPS = 20 [-34, 74]**（95% 置信区间；推荐者 50%，贬损者 30%，"
                                               "n = 10）。区间包含 0：这个样本无法判断推荐者与贬损者哪一方更多。")
        assert "`nps_item`" in sentences.no_nps() and "净推荐值" in sentences.no_nps()
    assert sentences.nps_findings(res) == ("**NPS = 20 [-34, 74]** (95% CI; 50% promoters, 30% detractors, n = 10). "
                                           "The interval includes 0: this sample cannot tell whether promoters or "
                                           "detractors are more numerous.")
    many = nps([10] * 60 + [9] * 20 + [3] * 20)   # NPS 60, interval well above 0
    few = nps([0] * 80 + [10] * 20)
    assert "promoters outnumber detractors" in sentences.nps_findings(many)
    assert "detractors outnumber promoters" in sentences.nps_findings(few)
    with use_lang("zh"):
        assert "推荐者多于贬损者" in sentences.nps_findings(many) and "贬损者多于推荐者" in sentences.nps_findings(few)


def test_ordinal_sentence():
    cmp = pd.DataFrame({"ordinal_coef": [0.44, 0.10, -0.05], "odds_ratio": np.exp([0.44, 0.10, -0.05]),
                        "ols_coef": [0.33, 0.01, 0.02], "ordinal_d_expected": [0.32, 0.07, -0.03]},
                       index=["q6", "q2", "q3"])
    probs = pd.DataFrame([[0.9, 0.099, 0.001], [0.5, 0.4, 0.1], [0.2, 0.655, 0.145]], columns=[1.0, 2.0, 3.0])
    with use_lang("zh"):
        zh = sentences.ordinal_findings(cmp, "q1", probs, 3.0)
    assert zh == ("**结果解读**：有序 logistic 回归中效应最强的是 `q6`：该项每提高一个量表分，"
                  "`q1` 给出更高评分的优势（odds）乘以 1.55（优势比），期望评分平均提高 0.32 分（OLS：0.33）。"
                  "67% 的驱动因素在两个模型中符号一致，两者对系数的排序也相近（Spearman 相关 0.50），"
                  "因此熟悉的 OLS 解读在这里仍然成立；有序模型还给出了 OLS 无法给出的信息：每个评分等级的概率。"
                  "所有驱动因素取第 75 百分位时，给出最高评分（3）的概率为 14.5%，取第 25 百分位时为 0.1%。")
    en = sentences.ordinal_findings(cmp, "q1", probs, 3.0)
    assert "multiplies the odds of a higher `q1` answer by 1.55 (odds ratio)" in en and "Signs agree for 67%" in en
    # with the odds ratio's interval and p-value (steps.ordinal_vs_ols(...).with_intervals)
    full = cmp.assign(odds_ratio_ci_low=[1.31, 0.9, 0.8], odds_ratio_ci_high=[1.83, 1.2, 1.1],
                      ordinal_p=[0.00001, 0.2, 0.6])
    assert "by 1.55 [1.31, 1.83] (odds ratio, p < 0.001)" in sentences.ordinal_findings(full, "q1", probs, 3.0)
    with use_lang("zh"):
        assert "乘以 1.55 [1.31, 1.83]（优势比，p < 0.001）" in sentences.ordinal_findings(full, "q1", probs, 3.0)


def test_weights_sentences():
    wv = pd.DataFrame({"shift": [0.05, -0.21]}, index=["q1", "q2"])
    assert "Design effect 1.44" in sentences.weights_findings(1.44, 1257.6, wv)
    assert "1,258 unweighted" in sentences.weights_findings(1.44, 1257.6, wv)
    sampled = {"n_permutations": 2000, "bound": 0.0123, "se": np.array([0.001, 0.0021])}
    with use_lang("zh"):
        assert sentences.weights_findings(1.44, 1257.6, wv) == (
            "**结果解读**：设计效应 1.44：加权样本所含的信息相当于 1,258 名未加权受访者（有效样本量）。"
            "均值的最大变化为 0.21 分（`q2`）。")
        assert "迭代比例拟合" in sentences.no_weights()
        assert sentences.sampled_accuracy(20, sampled) == (
            "20 个驱动因素：Shapley 值由 2,000 个随机排列估计；以 95% 的概率，每个值与精确值的差距不超过 ±0.012"
            "（R² 单位，Hoeffding 界）；蒙特卡洛标准误最大为 0.0021。")
    assert sentences.sampled_accuracy(20, sampled) == (
        "20 drivers: Shapley shares estimated from 2,000 random orders; every share is within ±0.012 (R² units) of "
        "the exact value with 95% probability (Hoeffding bound); Monte-Carlo SE at most 0.0021.")
    u, w = nps([10] * 6 + [3] * 4), nps([10] * 6 + [3] * 4, weights=[2] * 6 + [1] * 4)
    assert sentences.weighted_nps_line(w, u) == (f"Weighted NPS {fmt_ci(w.score, w.ci_low, w.ci_high)} (95% CI) "
                                                 f"against {fmt_ci(u.score, u.ci_low, u.ci_high)} unweighted.")


def test_drivers_sentence_has_the_numbers_of_the_fit(kda):
    ipm = kda.importance_performance(1, 10)
    imp = kda.importance_
    r1, r2 = kda.rank_[:2]
    en = sentences.drivers_findings(kda, ipm, "q1")
    with use_lang("zh"):
        zh = sentences.drivers_findings(kda, ipm, "q1")
    ci = fmt_ci(imp.loc[r1, "shapley"], imp.loc[r1, "shapley_ci_low"], imp.loc[r1, "shapley_ci_high"])
    assert ci.count("[") == 1 and ci.endswith("]")
    for number in (f"R² = {fmt_num(kda.r2_)}", f"{fmt_num(imp.loc[r1, 'share_pct'])}%", ci,
                   f"{fmt_num(imp.loc[r2, 'share_pct'])}%", f"{100 * imp.loc[r1, 'p_top_rank']:.0f}%",
                   f"{fmt_num(kda.condition_number_)}"):
        assert number in zh and number in en
    assert f"`{r1}`（占 R² 的 " in zh and "bootstrap 重抽样中" in zh and "相对权重法" in zh
    focus = ipm.index[ipm["quadrant"] == "Concentrate here"].tolist()
    if focus:
        assert "重点改进对象（重要性高、评分低于平均）：" + "、".join(f"`{d}`" for d in focus) in zh


def test_drivers_sentence_without_bootstrap_claims_no_interval(sat):
    # the old sentence needed p_top_rank and failed without bootstrap
    plain = KeyDriverAnalysis().fit(sat, "q1", ["q2", "q4", "q6", "q9"])
    en = sentences.drivers_findings(plain, plain.importance_performance(1, 10), "q1")
    r1 = plain.rank_[0]
    assert f"Shapley share {fmt_num(plain.importance_.loc[r1, 'shapley'])} in R² units) and" in en
    assert "bootstrap" not in en and "CI" not in en and "lead. Relative weights" in en
    with use_lang("zh"):
        zh = sentences.drivers_findings(plain, plain.importance_performance(1, 10), "q1")
    assert "置信区间" not in zh and "居前。相对权重法" in zh


def test_collinearity_in_both_languages(kda):
    vif = kda.importance_["vif"]
    with use_lang("zh"):
        zh = sentences.collinearity(kda)
    assert zh.startswith(f"条件数 {fmt_num(kda.condition_number_)}，最大 VIF {fmt_num(vif.max())}（{vif.idxmax()}）：")
    assert "不存在值得担心的多重共线性" in zh
    assert sentences.collinearity(kda).startswith(f"Condition number {fmt_num(kda.condition_number_)}, largest VIF")
    strong = SimpleNamespace(importance_=pd.DataFrame({"vif": [12.0, 6.0, 2.0]}, index=["a", "b", "c"]),
                             condition_number_=31.0)
    assert sentences.collinearity(strong) == (
        "Condition number 31, largest VIF 12 (a): strong multicollinearity. VIF above 5 for a, b: their individual "
        "OLS coefficients are unstable, which is why the decomposition (Shapley/relative weights) rather than the "
        "coefficients ranks the drivers.")


def test_scale_usage_sentence():
    summ = {"corr_scale_mean_outcome": 0.77, "mean_item_corr_raw": 0.49, "mean_item_corr_within": -0.11,
            "r2_raw": 0.676, "r2_within": 0.079, "rank_raw": ["q4", "q6", "q2", "q5"],
            "rank_within": ["q6", "q4", "q10", "q2"], "rows_not_standardisable": 66}
    sens = pd.DataFrame({"rank_change": [0, 2, -3]}, index=["q4", "q2", "q10"])
    with use_lang("zh"):
        zh = sentences.scale_usage_findings(summ, sens, "q1")
    assert zh.startswith("**结果解读**：受访者对各驱动因素的平均评分与 `q1` 的相关系数为 0.77；"
                         "驱动因素之间的平均相关系数在原始评分上为 0.49，标准化后为 -0.11；"
                         "R² 从 0.676 降至 0.0790：被解释方差中有 88% 来自受访者使用量表的方式")
    assert "原始评分下的前三位驱动因素：`q4`、`q6`、`q2`；受访者内标准化后：`q6`、`q4`、`q10`。" in zh
    assert "排名变动两位或以上的驱动因素：`q2`、`q10`。" in zh and "66 名受访者" in zh
    en = sentences.scale_usage_findings(summ, sens, "q1")
    assert "88% of the explained variance" in en
    assert "Top drivers raw: q4, q6, q2; within respondent: q6, q4, q10." in en


def test_raking_sentence():
    d = SimpleNamespace(deff=1.1893, n_eff=504.49, n=600)
    rk = SimpleNamespace(diagnostics=d, converged=True, iterations=3, trimmed=0)
    assert sentences.raking_line(rk) == ("**Raking**: converged in 3 iterations; design effect 1.19, effective n 504 "
                                         "of 600; 0 weights trimmed.")
    with use_lang("zh"):
        assert sentences.raking_line(rk) == ("**迭代比例拟合（raking）**：已收敛（3 次迭代）；设计效应 1.19，"
                                             "有效样本量 504（共 600 人）；0 个权重被截尾。")
    rk.converged = False
    assert "did not converge in 3 iterations" in sentences.raking_line(rk)
    with use_lang("zh"):
        assert "未收敛" in sentences.raking_line(rk)


def test_weighted_drivers_sentence():
    wu = pd.DataFrame({"shapley_weighted": [0.31, 0.12, 0.10], "shapley_unweighted": [0.27, 0.09, 0.13],
                       "rank_weighted": [1, 2, 3], "rank_unweighted": [1, 3, 2]}, index=["q3", "q2", "q5"])
    assert sentences.weighted_drivers_findings(wu) == (
        "**What the numbers say.** `q3` ranks first with and without weights; drivers whose rank changes: q2, q5; "
        "the largest change of a Shapley share is 0.040 (`q3`, R² units).")
    with use_lang("zh"):
        assert sentences.weighted_drivers_findings(wu) == (
            "**结果解读**：加权与未加权时排名第一的都是 `q3`；排名发生变化的驱动因素：`q2`、`q5`；"
            "Shapley 值的最大变化为 0.040（`q3`，R² 单位）。")
    same = wu.assign(rank_unweighted=[2, 1, 3])
    assert "`q3` ranks first with weights, `q2` without" in sentences.weighted_drivers_findings(same)


def test_data_line():
    assert sentences.data_line("d.csv", 1811, 10, "q1", 9, 1, 10) == (
        "**Data:** `d.csv`: 1,811 rows, 10 columns. Outcome `q1`, 9 drivers, scale 1-10.")
    with use_lang("zh"):
        assert sentences.data_line("d.csv", 1811, 10, "q1", 9, 1, 10) == (
            "**数据**：`d.csv`：1,811 行，10 列。结果变量 `q1`，9 个驱动因素，量表 1-10。")


# ---------------------------------------------------------------------------------------------
# display copies, captions, figures
# ---------------------------------------------------------------------------------------------

def test_display_tables_translate_names_but_not_numbers():
    summary = pd.DataFrame({"rows": [3, 97], "example_rows": ["1, 2, 5", ""]},
                           index=pd.Index(["straight_liner", "kept"], name="reason"))
    with use_lang("zh"):
        zh = text.plain_table(summary)
        thr = text.thresholds_table(pd.Series([0.1, 0.2], index=pd.Index(["1|2", "2|3"], name="threshold"),
                                              name="threshold"))
        ipm = readable(importance_performance({"a": 40, "b": 10}, {"a": 5, "b": 9}, 1, 10), words=["quadrant"])
    assert list(zh.columns) == ["行数", "示例行号"] and zh["行数"].tolist() == ["3", "97"]
    assert zh.index.name == "排除原因" and list(zh.index) == ["直线作答", "保留"]
    en = text.plain_table(summary)
    assert list(en.columns) == ["rows", "example_rows"] and list(en.index) == ["straight_liner", "kept"]
    assert list(summary.columns) == ["rows", "example_rows"]   # the saved frame is untouched
    assert thr.index.tolist() == ["阈值"] and thr.columns.name == "阈值" and thr.iloc[0].tolist() == ["0.100", "0.200"]
    assert list(ipm.columns) == ["重要性", "绩效", "象限"] and ipm["象限"].tolist() == ["重点改进", "过度投入"]


def test_importance_table_merges_intervals_with_their_95_percent_label():
    imp = pd.DataFrame({"shapley": [0.0796], "share_pct": [11.77], "relative_weight": [0.0839], "rank": [3],
                        "vif": [2.81298], "mean": [5.67], "shapley_ci_low": [0.0669], "shapley_ci_high": [0.0940],
                        "relative_weight_ci_low": [0.0712], "relative_weight_ci_high": [0.098],
                        "rank_ci_low": [3], "rank_ci_high": [4], "p_top_rank": [0.123]},
                       index=pd.Index(["q2"], name="driver"))
    en = text.importance_table(imp)
    assert en.to_dict(orient="list") == {"shapley [95% CI]": ["0.080 [0.067, 0.094]"], "share_pct": ["11.8"],
                                         "relative_weight [95% CI]": ["0.084 [0.071, 0.098]"],
                                         "rank [95% CI]": ["3 [3, 4]"], "p_top_rank": ["12.3%"], "vif": ["2.81"]}
    with use_lang("zh"):
        zh = text.importance_table(imp)
        point = text.importance_table(imp[["shapley", "share_pct", "relative_weight", "rank", "vif"]])
    assert list(zh.columns) == ["Shapley 值 [95% 置信区间]", "占 R² 比例 (%)", "相对权重 [95% 置信区间]",
                                "排名 [95% 置信区间]", "排名第一的概率", "VIF"] and zh.index.name == "驱动因素"
    assert list(point.columns) == ["Shapley 值", "占 R² 比例 (%)", "相对权重", "排名", "VIF"]


def test_ordinal_profile_and_nps_tables():
    cmp = pd.DataFrame({"ordinal_coef": [0.151], "odds_ratio": [1.163], "ordinal_p": [1e-6], "ols_coef": [0.112],
                        "ols_p_hc3": [0.0234], "ordinal_d_expected": [0.109], "odds_ratio_ci_low": [1.10],
                        "odds_ratio_ci_high": [1.23], "ols_coef_ci_low": [0.06], "ols_coef_ci_high": [0.17]},
                       index=pd.Index(["q2"], name="driver"))
    assert text.ordinal_table(cmp).iloc[0].tolist() == ["0.151", "1.16 [1.10, 1.23]", "< 0.001", "0.11 [0.06, 0.17]",
                                                        "0.023", "0.109"]
    probs = pd.DataFrame([[0.9996, 0.0004]], index=["all at median"], columns=pd.Index([1.0, 2.0], name="q1"))
    with use_lang("zh"):
        shown = text.profile_table(probs)
        seg = text.nps_segment_table(pd.DataFrame({"n": [10], "score": [20.0], "ci_low": [-34.2], "ci_high": [74.2]},
                                                  index=pd.Index(["all"], name="segment")))
    assert shown.index.tolist() == ["所有驱动因素取中位数"] and shown.iloc[0].tolist() == ["100%", "< 0.1%"]
    assert list(shown.columns) == ["1", "2"]
    assert seg.to_dict(orient="list") == {"样本数": ["10"], "净推荐值 NPS [95% 置信区间]": ["20 [-34, 74]"]}
    assert seg.index.tolist() == ["全部"]


def test_captions_need_their_values_and_bootstrap_words_follow_the_fit(kda, sat):
    values = {"outcome": "q1", "segment": "region", "scale_min": 1, "scale_max": 10}
    for lang in ("en", "zh"):
        with use_lang(lang):
            for key in text.TEXTS:
                words = {"r2": "0.676", **text.bootstrap_words(kda)}
                assert "{" not in text.CATALOG.text(key, **values, **words), key
    assert text.CATALOG.text("driver_shares", outcome="q1", **text.bootstrap_words(kda)) == (
        "Shapley share of R² per driver of `q1` with 95% bootstrap intervals.")
    plain = KeyDriverAnalysis().fit(sat, "q1", ["q2", "q4"])
    assert text.CATALOG.text("driver_importance", outcome="q1", **text.bootstrap_words(plain)) == (
        "Importance of each driver of `q1`: Shapley share of R² and relative weight, rank, and VIF.")
    with use_lang("zh"):
        assert text.CATALOG.text("driver_shares", outcome="q1", **text.bootstrap_words(plain)) == (
            "`q1` 各驱动因素的 Shapley 值（对 R² 的贡献）。")


def test_one_chinese_term_per_concept():
    # the study uses the shared glossary's terms (ci_low is 置信区间下限 everywhere) and does not redefine them
    assert not set(text.TERMS) & set(GLOSSARY)
    for name, entry in text.TERMS.items():
        if name.endswith(" [CI]"):
            assert entry["zh"].endswith("[95% 置信区间]") and entry["en"] == name.replace("[CI]", "[95% CI]")


def test_figure_labels_in_both_languages(kda, sat):
    with use_lang("zh"):
        ax = plots.importance_performance(kda.importance_performance(1, 10)).axes[0]
        shares = plots.driver_shares(kda).axes[0]
        div = plots.item_distributions(item_distribution(sat, ["q1", "q2"], 1, 10)).axes[0]
        corr = plots.item_correlations(sat, ["q1", "q2"]).axes[0]
    assert {"重点改进", "继续保持", "低优先级", "过度投入"} <= {t.get_text() for t in ax.texts}
    assert ax.get_xlabel().startswith("绩效") and ax.get_ylabel().startswith("重要性")
    assert ax.get_title() == "重要性-绩效分析图"
    assert shares.get_title() == "q1 的关键驱动因素" and f"R² = {fmt_num(kda.r2_)}" in shares.get_xlabel()
    assert div.get_title() == "各题项的作答分布" and div.get_xlabel().startswith("作答比例")
    assert corr.get_title() == "题项间的相关系数"
    assert plots.driver_shares(kda).axes[0].get_title() == "Key drivers of q1"
    assert plots.item_correlations(sat, ["q1", "q2"]).axes[0].get_title() == "Item correlations"
    en = {t.get_text() for t in plots.importance_performance(kda.importance_performance(1, 10)).axes[0].texts}
    assert {"Concentrate here", "Keep up the good work", "Low priority", "Possible overkill"} <= en


def test_driver_shares_draws_an_interval_that_excludes_its_estimate():
    # a percentile interval need not contain the estimate (sampled Shapley with many drivers did this)
    imp = pd.DataFrame({"shapley": [0.10, 0.30], "shapley_ci_low": [0.12, 0.25], "shapley_ci_high": [0.15, 0.35]},
                       index=pd.Index(["a", "b"], name="driver"))
    fig = plots.driver_shares(SimpleNamespace(importance_=imp, r2_=0.4, outcome_="y"))
    ax = fig.axes[0]
    segments = [seg for coll in ax.collections for seg in coll.get_segments()]
    spans = sorted((round(float(s[0][0]), 12), round(float(s[1][0]), 12)) for s in segments)
    assert spans == [(0.12, 0.15), (0.25, 0.35)]
    assert [p.get_width() for p in ax.patches] == [0.10, 0.30]


# ---------------------------------------------------------------------------------------------
# the notebook
# ---------------------------------------------------------------------------------------------

def test_notebook_keeps_only_calls_and_its_sections_exist_in_both_languages():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert all(c["cell_type"] == "code" and c["outputs"] == [] and c["execution_count"] is None for c in cells)
    params = cells[0]
    assert "parameters" in params["metadata"]["tags"]
    assert "".join(params["source"]).rstrip().splitlines()[-1] == 'lang: str = "en"'
    code = ["".join(c["source"]) for c in cells[1:]]
    assert "study.setup(lang)" in code[0]
    keys = [re.match(r'section\("(\w+)"\)', src).group(1) for src in code[1:]]
    assert keys == ["hygiene", "descriptives", "nps", "ordinal", "weights", "drivers", "scale_usage", "summary"]
    for src in code:
        assert "pick(" not in src and "Markdown" not in src and "display(" not in src.replace("display=", "")
        assert "lang" not in src.replace("study.setup(lang)", "")
    for lang in ("en", "zh"):
        with use_lang(lang):
            assert text.CATALOG.section("intro").startswith("# ")
            for key in keys:
                assert text.CATALOG.section(key).startswith("## ")
