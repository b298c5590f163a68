"""Study 2's words: sentences, key findings and the closing summary against strings worked out by hand
from the inputs (the same numbers in both languages, only words change), items named by their codebook
labels and never by their codes."""
from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.codebook import load_codebook
from crmlab.drivers import KeyDriverAnalysis
from crmlab.report import fmt_ci, fmt_num, use_lang
from crmlab.report.i18n import use_catalog, use_codebook
from crmlab.studies.survey import findings, sentences, steps, text
from crmlab.survey import clean_survey, nps

DRIVERS = [f"q{i}" for i in range(2, 11)]
CODE = re.compile(r"\bq\d+\b")


@pytest.fixture(autouse=True)
def _catalog():
    use_catalog(text.CATALOG)   # what study.setup() does; conftest resets it after each test
    use_codebook(None)
    yield
    use_codebook(None)


@pytest.fixture
def codebook():
    cb = load_codebook("data/customersat/codebook.yaml")
    use_codebook(cb.terms())
    return cb


@pytest.fixture(scope="module")
def sat():
    return datasets.load_customer_sat()


@pytest.fixture(scope="module")
def kda(sat):
    return KeyDriverAnalysis(bootstrap=30, seed=3).fit(sat, "q1", ["q2", "q4", "q6", "q9"])


def test_items_are_named_by_their_labels_quoted_and_escaped(codebook):
    assert text.label("q4") == "“Appropriate pricing given volume”" and text.name("q4") == "Appropriate pricing given volume"
    assert text.labels(["q2", "q4", "q6"]) == ("“Setting competitive prices”, “Appropriate pricing given volume” and "
                                              "“Reaching a large number of customers”")
    with use_lang("zh"):
        assert text.labels(["q2", "q4", "q6"]) == "“价格有竞争力”、“按用量合理定价”和“覆盖大量客户”"
        assert text.labels(["q2", "q4"]) == "“价格有竞争力”和“按用量合理定价”"
    use_codebook(None)
    assert text.label("LOY~SAT_1") == "“LOY\\~SAT\\_1”" and text.labels(["a", "b"]) == "“a” and “b”"


def test_hygiene_sentence_on_customer_sat_in_both_languages(sat, codebook):
    items = ["q1"] + DRIVERS
    hyg = clean_survey(sat, items, scales=dict.fromkeys(items, (1, 10)), scale_sources=dict.fromkeys(items, "codebook"),
                       straightline_items=items)
    assert sentences.hygiene_findings(hyg, items) == (
        "**What the numbers say.** 1,811 respondents read, 1,811 used (100%). No respondent was excluded. "
        "134 respondents are flagged and kept (straight-liner: 102; same answers as an earlier respondent: 32): such "
        "patterns can be genuine, so the models below use them, and the section “Results without the flagged "
        "respondents” repeats the headline results without them. Answer scales: 1-10 for all 10 items (source: codebook).")
    with use_lang("zh"):
        assert sentences.hygiene_findings(hyg, items) == (
            "**结果解读**：共读入 1,811 名受访者，使用 1,811 名（100%）。没有受访者被排除。134 名受访者被标记但保留"
            "（直线作答 102 人；与先前受访者作答完全相同 32 人）：这类作答模式也可能是真实的，因此以下模型包括他们，"
            "“去掉被标记受访者的结果”一节给出不含他们的主要结果。量表：全部 10 个题项均为 1-10 分（来源：编码表）。")


def test_hygiene_sentence_names_inferred_scales_codes_out_of_scale_rows_speeders_and_reverse_items():
    raw = pd.DataFrame({"y": [1, 2, 3, 4, 5, 3, 2, 4, 5, 1], "a": [1, 7, 3, 6, 5, 2, 4, 4, 9, 2],
                        "b": ["2", "(跳过)", "3", "4", "5", "1", "3", "2", "4", "5"],
                        "secs": ["5分", "200秒", "00:04:00", "10秒", "4:40", "300", "250", "260", "270", "280"]})
    hyg = clean_survey(raw, ["y", "a", "b"], scales={"a": (1, 7)}, scale_sources={"a": "scales_parameter"},
                       required=["y", "a"], reverse_items=["a"], duration_column="secs", straightline_items=["y", "a", "b"])
    en = sentences.hygiene_findings(hyg, ["y", "a", "b"])
    assert en == (
        "**What the numbers say.** 10 respondents read, 8 used (80%). Excluded: outside the answer scale 1; speeder 1. "
        "Answer scales: 1-5 for “y” and “b” (source: inferred from the answers); 1-7 for “a” (source: parameter scales). "
        "Scales inferred from the answers (no codebook entry, no `scales`): check them in the variables appendix, and "
        "declare them with `scales` (e.g. `{item: [1, 5]}`) when an end of a scale was never chosen. "
        "Codes for “no answer” (such as (跳过), -, N/A, 不适用 or `missing_codes`) set to missing before reading the "
        "numbers: “b” 1. Answers outside the scale of “a” (1-7): 9 at file rows 10; those respondents are excluded. "
        f"Speeders: faster than {fmt_num(265 / 3)} seconds. Reverse-keyed items recoded: “a”.")
    with use_lang("zh"):
        zh = sentences.hygiene_findings(hyg, ["y", "a", "b"])
    assert zh == (
        "**结果解读**：共读入 10 名受访者，使用 8 名（80%）。排除：超出量表范围 1 人；作答过快 1 人。"
        "量表：“y”和“b”为 1-5 分（来源：由作答推断）；“a”为 1-7 分（来源：参数 scales）。"
        "由作答推断的量表（编码表与参数 `scales` 均未给出）：请在附录“变量”中核对；若某一端的分值无人选择，"
        "请用 `scales` 声明（例如 `{题项: [1, 5]}`）。"
        "表示“未作答”的代码（如 (跳过)、-、N/A、不适用或 `missing_codes` 中的取值）在读取数值之前设为缺失：“b” 1。"
        "“a”有超出量表（1-7）的答案：9，位于文件第 10 行；这些受访者已被排除。"
        f"作答过快：用时少于 {fmt_num(265 / 3)} 秒。已反向计分的题项：“a”。")


def test_small_sample_caution_below_ten_respondents_per_driver():
    assert sentences.small_sample(90, 9) == ""
    assert sentences.small_sample(40, 9).startswith("**Small sample:** 40 respondents for 9 drivers")
    with use_lang("zh"):
        assert sentences.small_sample(40, 9).startswith("**样本较小**：9 个驱动因素只有 40 名受访者")


def test_descriptives_sentence_on_one_scale_and_on_mixed_scales(codebook):
    tb = pd.DataFrame({"mean": [5.87, 5.32, 7.81], "mean_0_100": [54.1, 48.0, 75.7], "top2box": [0.133, 0.1, 0.4]},
                      index=["q1", "q4", "q9"])
    C = np.array([[1.0, 0.29], [0.29, 1.0]])
    ten = dict.fromkeys(["q1", "q4", "q9"], (1.0, 10.0))
    with use_lang("zh"):
        zh = sentences.descriptives_findings(tb, "q1", ["q4", "q9"], C, ten)
    assert zh == ("**结果解读**：“总体满意度”的均值为 5.87（1-10 分量表），13.3% 的受访者给出高分两档（9-10 分）答案。"
                  "评分最高的属性：“发行”（7.81）；最低：“按用量合理定价”（5.32）。各属性之间的相关系数在 0.29 到 0.29 之间"
                  "（均值 0.29）：区分它们各自的作用，正是有序模型和关键驱动因素分析的任务。")
    assert sentences.descriptives_findings(tb, "q1", ["q4", "q9"], C, ten) == (
        "**What the numbers say.** The mean of “Overall satisfaction” is 5.87 on its 1-10 scale; 13.3% give a top-2-box "
        "answer (9-10). Highest-rated attribute: “Distribution” (7.81); lowest: “Appropriate pricing given volume” "
        "(5.32). The attributes correlate 0.29 to 0.29 with one another (mean 0.29): separating their effects is the "
        "job of the ordinal model and the key-driver analysis.")
    # mixed scales compare the means' positions on their own scales: 4.1 of 1-5 (78) beats 5.5 of 1-10 (50)
    mixed = pd.DataFrame({"mean": [3.0, 4.1, 5.5], "mean_0_100": [50.0, 77.5, 50.0], "top2box": [0.0004, 0.5, 0.2]},
                         index=["y", "a", "b"])
    use_codebook(None)
    en = sentences.descriptives_findings(mixed, "y", ["a", "b"], C, {"y": (1, 5), "a": (1, 5), "b": (1, 10)})
    assert "Highest-rated attribute: “a” (4.10 on 1-5, 78 of 100); lowest: “b” (5.50 on 1-10, 50 of 100)" in en
    assert "< 0.1% give a top-2-box answer (4-5)" in en   # a tiny share reads "< 0.1%", never "0.0%"


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


def test_ordinal_sentence(codebook):
    cmp = pd.DataFrame({"ordinal_coef": [0.44, 0.10, -0.05], "odds_ratio": np.exp([0.44, 0.10, -0.05]),
                        "ols_coef": [0.33, 0.01, 0.02], "ordinal_d_expected": [0.32, 0.07, -0.03]},
                       index=["q6", "q2", "q3"])
    probs = pd.DataFrame([[0.9, 0.099, 0.001], [0.5, 0.4, 0.1], [0.2, 0.655, 0.145]], columns=[1.0, 2.0, 3.0])
    with use_lang("zh"):
        zh = sentences.ordinal_findings(cmp, "q1", probs, 3.0)
    assert zh == ("**结果解读**：有序 logistic 回归中效应最强的是“覆盖大量客户”：该项每提高一个量表分，"
                  "“总体满意度”给出更高评分的优势（odds）乘以 1.55（优势比），期望评分平均提高 0.32 分（OLS：0.33）。"
                  "67% 的驱动因素在两个模型中符号一致，两者对系数的排序也相近（Spearman 相关 0.50），"
                  "因此常用的 OLS 解读在这里仍然成立；有序模型还能给出 OLS 给不出的信息：每个评分等级的概率。"
                  "所有驱动因素取第 75 百分位时，给出最高评分（3）的概率为 14.5%，取第 25 百分位时为 0.1%。")
    en = sentences.ordinal_findings(cmp, "q1", probs, 3.0)
    assert ("The strongest ordinal effect is “Reaching a large number of customers”: one more scale point multiplies "
            "the odds of a higher answer to “Overall satisfaction” by 1.55 (odds ratio)") in en
    assert "Signs agree for 67%" in en and not CODE.search(en)
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
            "均值的最大变化为 0.21 分（“q2”）。")
        assert "迭代比例拟合" not in sentences.no_weights() and "`margins`" in sentences.no_weights()
        assert sentences.sampled_accuracy(20, sampled) == (
            "20 个驱动因素：Shapley 值由 2,000 个随机排列估计；以 95% 的概率，每个值与精确值的差距不超过 ±0.012"
            "（R² 单位，Hoeffding 界）；蒙特卡洛标准误最大为 0.0021。")
    assert sentences.sampled_accuracy(20, sampled) == (
        "20 drivers: Shapley shares estimated from 2,000 random orders; every share is within ±0.012 (R² units) of "
        "the exact value with 95% probability (Hoeffding bound); Monte-Carlo SE at most 0.0021.")
    u, w = nps([10] * 6 + [3] * 4), nps([10] * 6 + [3] * 4, weights=[2] * 6 + [1] * 4)
    assert sentences.weighted_nps_line(w, u) == (f"Weighted NPS {fmt_ci(w.score, w.ci_low, w.ci_high)} (95% CI) "
                                                 f"against {fmt_ci(u.score, u.ci_low, u.ci_high)} unweighted.")


def test_drivers_sentence_has_the_numbers_of_the_fit_and_the_candidates_by_name(kda, codebook):
    ipm = kda.importance_performance(1, 10)
    candidates = steps.improvement_candidates(ipm)
    imp = kda.importance_
    r1, r2 = kda.rank_[:2]
    en = sentences.drivers_findings(kda, ipm, "q1", candidates)
    with use_lang("zh"):
        zh = sentences.drivers_findings(kda, ipm, "q1", candidates)
    ci = fmt_ci(imp.loc[r1, "shapley"], imp.loc[r1, "shapley_ci_low"], imp.loc[r1, "shapley_ci_high"])
    r2_ci = fmt_ci(kda.r2_, *kda.r2_ci_)
    for number in (f"R² = {r2_ci}", f"{fmt_num(imp.loc[r1, 'share_pct'])}%", ci,
                   f"{fmt_num(imp.loc[r2, 'share_pct'])}%", f"{100 * imp.loc[r1, 'p_top_rank']:.0f}%",
                   f"{fmt_num(kda.condition_number_)}"):
        assert number in zh and number in en
    assert candidates == ["q4", "q6"]   # important and rated below average, most important first
    assert ("Improvement candidates (high importance, below-average rating): “Appropriate pricing given volume” and "
            "“Reaching a large number of customers”.") in en
    assert "重点改进对象（重要性高、评分低于平均）：“按用量合理定价”和“覆盖大量客户”。" in zh
    assert "“按用量合理定价”（占 R² 的 " in zh and "bootstrap 重抽样中" in zh and "相对权重法" in zh
    assert not CODE.search(en)


def test_drivers_sentence_without_bootstrap_claims_no_interval(sat):
    plain = KeyDriverAnalysis().fit(sat, "q1", ["q2", "q4", "q6", "q9"])
    en = sentences.drivers_findings(plain, plain.importance_performance(1, 10), "q1", [])
    r1 = plain.rank_[0]
    assert f"Shapley share {fmt_num(plain.importance_.loc[r1, 'shapley'])} in R² units) and" in en
    assert "bootstrap" not in en and "CI" not in en and "lead. Relative weights" in en
    assert f"R² = {fmt_num(plain.r2_)} of" in en and "No driver is both important and below-average rated." in en
    with use_lang("zh"):
        zh = sentences.drivers_findings(plain, plain.importance_performance(1, 10), "q1", [])
    assert "置信区间" not in zh and "居前。相对权重法" in zh and "没有哪个驱动因素既重要、评分又低于平均。" in zh


def test_collinearity_in_both_languages(kda, codebook):
    vif = kda.importance_["vif"]
    with use_lang("zh"):
        zh = sentences.collinearity(kda)
        worst = text.label(vif.idxmax())
    assert zh.startswith(f"条件数 {fmt_num(kda.condition_number_)}，最大 VIF {fmt_num(vif.max())}（{worst}）：")
    assert "不存在值得担心的多重共线性" in zh
    assert sentences.collinearity(kda).startswith(f"Condition number {fmt_num(kda.condition_number_)}, largest VIF")
    use_codebook(None)
    strong = SimpleNamespace(importance_=pd.DataFrame({"vif": [12.0, 6.0, 2.0]}, index=["a", "b", "c"]),
                             condition_number_=31.0)
    assert sentences.collinearity(strong) == (
        "Condition number 31, largest VIF 12 (“a”): strong multicollinearity. VIF above 5 for “a” and “b”: their "
        "individual OLS coefficients are unstable, which is why the decomposition (Shapley/relative weights) rather "
        "than the coefficients ranks the drivers.")


def test_scale_usage_sentences():
    summ = {"corr_scale_mean_outcome": 0.77, "mean_item_corr_raw": 0.49, "mean_item_corr_within": -0.11,
            "r2_raw": 0.676, "r2_within": 0.079, "rank_raw": ["q4", "q6", "q2", "q5"],
            "rank_within": ["q6", "q4", "q10", "q2"], "rows_not_standardisable": 66}
    sens = pd.DataFrame({"rank_change": [0, 2, -3]}, index=["q4", "q2", "q10"])
    with use_lang("zh"):
        zh = sentences.scale_usage_findings(summ, sens, "q1")
        assert sentences.no_scale_usage(2) == "只有 2 个驱动因素：受访者内标准化需要至少 3 个驱动因素，因此跳过这一敏感性检验。"
    assert zh.startswith("**结果解读**：受访者对各驱动因素的平均评分与“q1”的相关系数为 0.77；"
                         "驱动因素之间的平均相关系数在原始评分上为 0.49，标准化后为 -0.11；"
                         "R² 从 0.676 降至 0.0790：被解释方差中有 88% 来自受访者使用量表的方式")
    assert "原始评分下的前三位驱动因素：“q4”、“q6”和“q2”；受访者内标准化后：“q6”、“q4”和“q10”。" in zh
    assert "排名变动两位或以上的驱动因素：“q2”和“q10”。" in zh and "66 名受访者" in zh
    en = sentences.scale_usage_findings(summ, sens, "q1")
    assert "88% of the explained variance" in en
    assert "Top drivers raw: “q4”, “q6” and “q2”; within respondent: “q6”, “q4” and “q10”." in en
    assert sentences.no_scale_usage(2).startswith("Only 2 drivers")


def test_raking_and_weighted_drivers_sentences():
    d = SimpleNamespace(deff=1.1893, n_eff=504.49, n=600)
    rk = SimpleNamespace(diagnostics=d, converged=True, iterations=3, trimmed=0)
    assert sentences.raking_line(rk) == ("**Raking**: converged in 3 iterations; design effect 1.19, effective n 504 "
                                         "of 600; 0 weights trimmed.")
    with use_lang("zh"):
        assert sentences.raking_line(rk) == ("**迭代比例拟合（raking）**：已收敛（3 次迭代）；设计效应 1.19，"
                                             "有效样本量 504（共 600 人）；0 个权重被截尾。")
    wu = pd.DataFrame({"shapley_weighted": [0.31, 0.12, 0.10], "shapley_unweighted": [0.27, 0.09, 0.13],
                       "rank_weighted": [1, 2, 3], "rank_unweighted": [1, 3, 2]}, index=["q3", "q2", "q5"])
    assert sentences.weighted_drivers_findings(wu) == (
        "**What the numbers say.** “q3” ranks first with and without weights; drivers whose rank changes: “q2” and "
        "“q5”; the largest change of a Shapley share is 0.040 (“q3”, R² units).")
    with use_lang("zh"):
        assert sentences.weighted_drivers_findings(wu) == (
            "**结果解读**：加权与未加权时排名第一的都是“q3”；排名发生变化的驱动因素：“q2”和“q5”；"
            "Shapley 值的最大变化为 0.040（“q3”，R² 单位）。")


# ---------------------------------------------------------------------------------------------
# the flagged respondents, key findings and the summary on the bundled survey
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run(sat):
    """The study's steps on customerSat with the bundled codebook (bootstrap 50: the findings need intervals)."""
    sv = steps.open_survey("data/customersat/customer_sat.csv", "q1", DRIVERS)
    hyg = steps.clean(sv)
    from crmlab.survey import top_box
    from crmlab.survey_models import fit_ols

    tb = top_box(hyg.data, sv.items, scales=hyg.scales)
    kda = KeyDriverAnalysis(bootstrap=50, seed=1).fit(hyg.data, "q1", DRIVERS)
    ipm = kda.importance_performance(scales=hyg.scales)
    ols = fit_ols(hyg.data, "q1", DRIVERS)
    wf = steps.without_flagged(hyg, sv, kda, ols, tb, ipm)
    _, summ = steps.scale_usage(hyg.data, "q1", DRIVERS)
    return SimpleNamespace(sv=sv, hyg=hyg, tb=tb, kda=kda, ipm=ipm, cands=steps.improvement_candidates(ipm), wf=wf,
                           summ=summ)


def test_results_without_the_flagged_respondents_equal_the_old_exclusion_default(run, sat):
    # the old defaults dropped straight-liners and repeated answers: the same 1,677 rows and R² 0.676
    old = clean_survey(sat, ["q1"] + DRIVERS, scale_min=1, scale_max=10, straightliners="exclude", duplicates="exclude")
    assert old.rows_used == 1677 and run.wf.record["rows_used"] == 1677
    ref = KeyDriverAnalysis().fit(old.data, "q1", DRIVERS)
    assert run.wf.record["drivers"]["r2"] == pytest.approx(ref.r2_, abs=1e-12) == pytest.approx(0.676, abs=5e-4)
    assert run.kda.r2_ == pytest.approx(0.717, abs=5e-4)   # all 1,811 respondents (the new default, flag)
    assert run.wf.record["drivers"]["rank"] == ref.rank_
    t = run.wf.table
    assert t.loc["respondents"].tolist() == [1811, 1677] and t.loc["top_driver_1"].tolist() == ["q4", "q4"]
    assert set(run.wf.changed) == {"r2", "ols_r2", "outcome_mean", "outcome_top2box"}


def test_flagged_findings_and_key_findings_in_both_languages(run, codebook):
    r2a, r2b = fmt_num(run.kda.r2_), fmt_num(run.wf.record["drivers"]["r2"])
    en = findings.flagged_findings(run.wf, run.hyg)
    assert en == (f"**What the numbers say.** Without the 134 flagged respondents (straight-liner: 102; same answers as "
                  f"an earlier respondent: 32), R² is {r2b} (all respondents: {r2a}), the top three drivers stay the "
                  "same, and the improvement candidates stay the same. The headline conclusions do not depend on them.")
    with use_lang("zh"):
        assert findings.flagged_findings(run.wf, run.hyg) == (
            f"**结果解读**：去掉 134 名被标记的受访者（直线作答 102 人；与先前受访者作答完全相同 32 人）后，R² 为 {r2b}"
            f"（全部受访者为 {r2a}），前三位驱动因素不变，重点改进对象不变。主要结论不取决于这些受访者。")
    kf = findings.key_findings(sv=run.sv, kda=run.kda, candidates=run.cands, flagged=run.wf, hyg=run.hyg,
                               scale=run.summ)
    assert 3 <= len(kf) <= 6 and [k for _, k in kf] == ["drivers", "drivers", "drivers", "flagged", "scale_usage"]
    imp = run.kda.importance_
    s4, s6 = (fmt_ci(imp.loc[d, "shapley"], imp.loc[d, "shapley_ci_low"], imp.loc[d, "shapley_ci_high"])
              for d in ("q4", "q6"))
    assert kf[0][0] == ("“Appropriate pricing given volume” and “Reaching a large number of customers” matter most for "
                        f"“Overall satisfaction”: {fmt_num(imp.loc['q4', 'share_pct'])}% and "
                        f"{fmt_num(imp.loc['q6', 'share_pct'])}% of the explained variance (Shapley shares {s4} and "
                        f"{s6}, 95% CI).")
    assert kf[1][0] == ("Improvement candidates (important, but rated below average): “Appropriate pricing given volume”, "
                        "“Reaching a large number of customers” and “Setting competitive prices”: work on these first.")
    assert kf[2][0] == (f"The 9 attributes together explain R² = {fmt_ci(run.kda.r2_, *run.kda.r2_ci_)} of the variance "
                        "of “Overall satisfaction” (95% bootstrap interval).")
    assert kf[3][0].startswith("134 respondents are flagged and kept") and "the top three drivers are the same." in kf[3][0]
    for finding, _ in kf:
        assert not CODE.search(finding), finding
    with use_lang("zh"):
        zh = findings.key_findings(sv=run.sv, kda=run.kda, candidates=run.cands, flagged=run.wf, hyg=run.hyg,
                                   scale=run.summ)
        res = nps([10, 9, 9, 8, 7, 6, 3, 0, 10, 10])
        with_nps = findings.key_findings(sv=run.sv, kda=run.kda, candidates=run.cands, nps_result=res,
                                         flagged=run.wf, hyg=run.hyg, scale=run.summ)
    assert zh[1][0] == "重点改进对象（重要但评分低于平均）：“按用量合理定价”、“覆盖大量客户”和“价格有竞争力”，应优先改进。"
    assert zh[2][0].startswith("9 个属性共解释了“总体满意度”方差的 R² = ") and zh[2][0].endswith("（95% bootstrap 置信区间）。")
    assert len(with_nps) == 6 and with_nps[3] == ("净推荐值 NPS = 20 [-34, 74]（95% 置信区间，n = 10）："
                                                  "无法判断推荐者与贬损者哪一方更多。", "nps")


def test_summary_says_what_was_used_and_found_without_pointing_at_files(run, codebook):
    en = findings.summary(sv=run.sv, hyg=run.hyg, tb=run.tb, kda=run.kda, candidates=run.cands, flagged=run.wf,
                          scale=run.summ)
    assert en.startswith(f"This study used 1,811 of 1,811 respondents (134 of them flagged and kept). “Overall "
                         f"satisfaction” averages {fmt_num(run.tb.loc['q1', 'mean'])} on its 1-10 scale")
    assert "work on these first" in en and "results.json" not in en and "tables/" not in en and not CODE.search(en)
    with use_lang("zh"):
        zh = findings.summary(sv=run.sv, hyg=run.hyg, tb=run.tb, kda=run.kda, candidates=run.cands, flagged=run.wf,
                              scale=run.summ)
    assert zh.startswith("本研究使用了 1,811 名受访者（共读入 1,811 名，其中 134 名被标记但保留）。") and "应优先改进" in zh
    assert findings.flagged_findings(None, SimpleNamespace(rows_flagged=0)).startswith("No respondent was flagged")
