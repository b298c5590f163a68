"""Study 2 in English and Simplified Chinese: sentences written from known numbers, table display
names, figure labels, and the bilingual structure of the notebook.

The sentences are checked against strings worked out by hand from the inputs; the numbers must be
the same in both languages (only words change) and machine-read names (saved tables) stay English.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab import survey_text as st
from crmlab.drivers import KeyDriverAnalysis, importance_performance
from crmlab.report import fmt_ci, fmt_num
from crmlab.survey import nps

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_survey_regression.ipynb"


@pytest.fixture(scope="module")
def kda():
    df = datasets.load_customer_sat()
    return KeyDriverAnalysis(bootstrap=30, seed=3).fit(df, "q1", ["q2", "q4", "q6", "q9"])


def test_hygiene_sentence_in_both_languages():
    by = {"non_numeric": 0, "out_of_range": 2, "missing": 0, "straight_liner": 102, "speeder": 0, "duplicate": 32}
    zh = st.hygiene_text(1811, 1675, by, ["q3"], lang="zh")
    assert zh == ("**结果解读**：共读入 1,811 行，使用 1,675 行（92.5%）。2 行因超出量表范围被排除；102 行因直线作答被排除；"
                  "32 行因重复受访者被排除。已反向计分的题项：`q3`。直线作答者（对所有题项给出相同答案）"
                  "不能说明哪个属性更重要，还会抬高所有相关系数；以下所有模型都不包括他们。")
    en = st.hygiene_text(1811, 1675, by, ["q3"])
    assert en.startswith("**What the numbers say.** 1,811 rows in, 1,675 used (92.5%). 2 excluded as out of range; "
                         "102 excluded as straight liner; 32 excluded as duplicate. Reverse-keyed items recoded: q3. ")
    assert "没有行被排除" in st.hygiene_text(10, 10, {k: 0 for k in by}, lang="zh")


def test_descriptives_sentence():
    tb = pd.DataFrame({"mean": [5.87, 5.32, 7.81], "top2box": [0.133, 0.1, 0.4]}, index=["q1", "q4", "q9"])
    C = np.array([[1.0, 0.29], [0.29, 1.0]])
    zh = st.descriptives_text(tb, "q1", ["q4", "q9"], C, 1, 10, lang="zh")
    assert zh == ("**结果解读**：`q1` 的均值为 5.87（1-10 量表），13.3% 的受访者给出高分两档（top-2-box）答案。"
                  "评分最高的属性：`q9`（7.81）；最低：`q4`（5.32）。各属性之间的相关系数在 0.29 到 0.29 之间"
                  "（均值 0.29）：区分它们各自的作用，正是第 4 节和第 6 节的任务。")
    assert "Highest-rated attribute: `q9` (7.81); lowest: `q4` (5.32)" in st.descriptives_text(tb, "q1", ["q4", "q9"],
                                                                                                   C, 1, 10)


def test_nps_sentence_from_hand_counted_scores():
    res = nps([10, 9, 9, 8, 7, 6, 3, 0, 10, 10])   # 5 promoters, 2 passives, 3 detractors: NPS 20
    zh = st.nps_text(res, "zh")
    # variance (0.5 + 0.3 - 0.2²) / 10 = 0.076: 20 ± 1.96 * 27.6 = -34 to 74
    assert zh == ("**净推荐值 NPS = 20 [-34, 74]**（95% 置信区间；推荐者 50%，贬损者 30%，n = 10）。"
                  "区间包含 0：这个样本无法判断推荐者与贬损者哪一方更多。")
    assert st.nps_text(res) == ("**NPS = 20 [-34, 74]** (95% CI; 50% promoters, 30% detractors, n = 10). "
                                "The interval includes 0: this sample cannot tell whether promoters or detractors "
                                "are more numerous.")
    many = nps([10] * 60 + [9] * 20 + [3] * 20)   # NPS 60, interval well above 0
    assert "推荐者多于贬损者" in st.nps_text(many, "zh") and "promoters outnumber detractors" in st.nps_text(many)
    few = nps([0] * 80 + [10] * 20)
    assert "贬损者多于推荐者" in st.nps_text(few, "zh") and "detractors outnumber promoters" in st.nps_text(few)
    assert "`nps_item`" in st.no_nps_text("zh") and "净推荐值" in st.no_nps_text("zh")


def test_ordinal_sentence():
    cmp = pd.DataFrame({"ordinal_coef": [0.44, 0.10, -0.05], "odds_ratio": np.exp([0.44, 0.10, -0.05]),
                        "ols_coef": [0.33, 0.01, 0.02], "ordinal_d_expected": [0.32, 0.07, -0.03]},
                       index=["q6", "q2", "q3"])
    probs = pd.DataFrame([[0.9, 0.099, 0.001], [0.5, 0.4, 0.1], [0.2, 0.655, 0.145]], columns=[1.0, 2.0, 3.0])
    zh = st.ordinal_text(cmp, "q1", probs, 3.0, lang="zh")
    assert zh == ("**结果解读**：有序 logistic 回归中效应最强的是 `q6`：该项每提高一个量表分，`q1` 给出更高评分的优势"
                  "（odds）乘以 1.55（优势比），期望评分平均提高 0.32 分（OLS：0.33）。67% 的驱动因素在两个模型中符号一致，"
                  "两者对系数的排序也相近（Spearman 相关 0.50），因此熟悉的 OLS 解读在这里仍然成立；有序模型还给出了 OLS "
                  "无法给出的信息：每个评分等级的概率。所有驱动因素取第 75 百分位时，给出最高评分（3）的概率为 14.5%，"
                  "取第 25 百分位时为 0.1%。")
    en = st.ordinal_text(cmp, "q1", probs, 3.0)
    assert "multiplies the odds of a higher `q1` answer by 1.55 (odds ratio)" in en and "Signs agree for 67%" in en
    # with the odds ratio's interval and p-value (the notebook passes them beside the saved columns)
    full = cmp.assign(or_lo=[1.31, 0.9, 0.8], or_hi=[1.83, 1.2, 1.1], ordinal_p=[0.00001, 0.2, 0.6])
    assert "乘以 1.55 [1.31, 1.83]（优势比，p < 0.001）" in st.ordinal_text(full, "q1", probs, 3.0, lang="zh")
    assert "by 1.55 [1.31, 1.83] (odds ratio, p < 0.001)" in st.ordinal_text(full, "q1", probs, 3.0)


def test_weights_sentences():
    wv = pd.DataFrame({"shift": [0.05, -0.21]}, index=["q1", "q2"])
    zh = st.weights_text(1.44, 1257.6, wv, "zh")
    assert zh == ("**结果解读**：设计效应 1.44：加权样本所含的信息相当于 1,258 名未加权受访者（有效样本量）。"
                  "均值的最大变化为 0.21 分（`q2`）。")
    assert "Design effect 1.44" in st.weights_text(1.44, 1257.6, wv) and "1,258 unweighted" in st.weights_text(
        1.44, 1257.6, wv)
    assert "迭代比例拟合" in st.no_weights_text("zh")
    sampled = {"n_permutations": 2000, "bound": 0.0123, "se": np.array([0.001, 0.0021])}
    assert st.sampled_text(20, sampled, "zh") == ("20 个驱动因素：Shapley 值由 2,000 个随机排列估计；以 95% 的概率，"
                                                  "每个值与精确值的差距不超过 ±0.012（R² 单位，Hoeffding 界）；"
                                                  "蒙特卡洛标准误最大为 0.0021。")


def test_drivers_sentence_has_the_numbers_of_the_fit(kda):
    ipm = kda.importance_performance(1, 10)
    imp = kda.importance_
    r1, r2 = kda.rank_[:2]
    zh = st.drivers_text(kda, ipm, "q1", "zh")
    en = st.drivers_text(kda, ipm, "q1", "en")
    ci = fmt_ci(imp.loc[r1, "shapley"], imp.loc[r1, "shapley_lo"], imp.loc[r1, "shapley_hi"])
    assert ci.count("[") == 1 and ci.endswith("]")
    for number in (f"R² = {fmt_num(kda.r2_)}", f"{fmt_num(imp.loc[r1, 'share_pct'])}%", ci,
                   f"{fmt_num(imp.loc[r2, 'share_pct'])}%", f"{100 * imp.loc[r1, 'p_top_rank']:.0f}%",
                   f"{fmt_num(kda.condition_number_)}"):
        assert number in zh and number in en
    assert f"`{r1}`（占 R² 的 " in zh and "bootstrap 重抽样中" in zh and "相对权重法" in zh
    focus = ipm.index[ipm["quadrant"] == "Concentrate here"].tolist()
    if focus:
        assert "重点改进对象（重要性高、评分低于平均）：" + "、".join(f"`{d}`" for d in focus) in zh


def test_collinearity_in_chinese(kda):
    zh = kda.collinearity_text("zh")
    vif = kda.importance_["vif"]
    assert zh.startswith(f"条件数 {fmt_num(kda.condition_number_)}，最大 VIF {fmt_num(vif.max())}（{vif.idxmax()}）：")
    assert "多重共线性" in zh
    assert kda.collinearity_text().startswith(f"Condition number {fmt_num(kda.condition_number_)}, largest VIF")


def test_scale_usage_sentence():
    summ = {"corr_scale_mean_outcome": 0.77, "mean_item_corr_raw": 0.49, "mean_item_corr_within": -0.11,
            "r2_raw": 0.676, "r2_within": 0.079, "rank_raw": ["q4", "q6", "q2", "q5"],
            "rank_within": ["q6", "q4", "q10", "q2"], "rows_not_standardisable": 66}
    sens = pd.DataFrame({"rank_change": [0, 2, -3]}, index=["q4", "q2", "q10"])
    zh = st.scale_usage_text(summ, sens, "q1", "zh")
    assert zh.startswith("**结果解读**：受访者对各驱动因素的平均评分与 `q1` 的相关系数为 0.77；驱动因素之间的平均相关系数"
                         "在原始评分上为 0.49，标准化后为 -0.11；R² 从 0.676 降至 0.0790：被解释方差中有 88% "
                         "来自受访者使用量表的方式")
    assert "原始评分下的前三位驱动因素：`q4`、`q6`、`q2`；受访者内标准化后：`q6`、`q4`、`q10`。" in zh
    assert "排名变动两位或以上的驱动因素：`q2`、`q10`。" in zh and "66 名受访者" in zh
    assert "88% of the explained variance" in st.scale_usage_text(summ, sens, "q1")


def test_display_tables_translate_names_but_not_numbers():
    summary = pd.DataFrame({"rows": [3, 97], "example_rows": ["1, 2, 5", ""]},
                           index=pd.Index(["straight_liner", "kept"], name="reason"))
    zh = st.show(summary, "zh")
    assert list(zh.columns) == ["行数", "示例行号"]
    assert zh.index.name == "排除原因" and list(zh.index) == ["直线作答", "保留"]
    assert zh["行数"].tolist() == [3, 97]
    assert st.show(summary, "en") is summary and list(summary.columns) == ["rows", "example_rows"]
    ipm = importance_performance({"a": 40, "b": 10}, {"a": 5, "b": 9}, 1, 10)
    z = st.show(ipm, "zh")
    assert list(z.columns) == ["重要性", "绩效", "象限"] and z["象限"].tolist() == ["重点改进", "过度投入"]
    assert ipm["quadrant"].tolist() == ["Concentrate here", "Possible overkill"]   # saved values stay English
    thr = pd.Series([0.1, 0.2], index=pd.Index(["1|2", "2|3"], name="threshold"), name="threshold").to_frame().T
    assert st.show(thr, "zh").index.tolist() == ["阈值"] and st.show(thr, "zh").columns.name == "阈值"


def test_figure_labels_in_chinese(kda):
    import matplotlib.pyplot as plt

    from crmlab.drivers import plot_driver_shares, plot_importance_performance
    from crmlab.survey import item_distribution, plot_correlation, plot_diverging

    ax = plot_importance_performance(kda.importance_performance(1, 10), lang="zh").axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"重点改进", "继续保持", "低优先级", "过度投入"} <= texts
    assert ax.get_xlabel().startswith("绩效") and ax.get_ylabel().startswith("重要性")
    assert ax.get_title() == "重要性-绩效分析图"
    ax = plot_driver_shares(kda, lang="zh").axes[0]
    assert ax.get_title() == "q1 的关键驱动因素" and f"R² = {kda.r2_:.3f}" in ax.get_xlabel()
    assert plot_driver_shares(kda).axes[0].get_title() == "Key drivers of q1"
    df = datasets.load_customer_sat()
    ax = plot_diverging(item_distribution(df, ["q1", "q2"], 1, 10), lang="zh").axes[0]
    assert ax.get_title() == "各题项的作答分布" and ax.get_xlabel().startswith("作答比例")
    assert plot_correlation(df, ["q1", "q2"], lang="zh").axes[0].get_title() == "题项间的相关系数"
    assert plot_correlation(df, ["q1", "q2"]).axes[0].get_title() == "Item correlations"
    plt.close("all")


def _headings(text: str) -> list[str]:
    """Markdown heading levels and their numbers ("## 1." -> "## 1")."""
    out = []
    for line in text.splitlines():
        if line.startswith("#"):
            level, _, rest = line.partition(" ")
            num = rest.split(" ")[0].rstrip(".") if rest[:1].isdigit() else ""
            out.append(f"{level} {num}".strip())
    return out


def test_notebook_is_bilingual_and_stored_without_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = nb["cells"]
    params = next(c for c in cells if "parameters" in c["metadata"].get("tags", []))
    assert "".join(params["source"]).rstrip().splitlines()[-1] == 'lang: str = "en"'
    md = [c for c in cells if c["cell_type"] == "markdown"]
    assert md and all(set(c["metadata"].get("tags", [])) & {"lang-en", "lang-zh"} for c in md)
    for i, c in enumerate(cells):
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None
        if "lang-en" in c["metadata"].get("tags", []):
            zh = cells[i + 1]
            assert "lang-zh" in zh["metadata"].get("tags", [])
            assert _headings("".join(c["source"])) == _headings("".join(zh["source"]))
            assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(zh["source"]))


def test_readable_numbers_for_display():
    assert st.pct(0.1453) == "14.5%" and st.pct(0.0004) == "< 0.1%" and st.pct(0.0) == "0.0%"
    assert st.pct(float("nan")) == "-" and st.pct(0.5, digits=0) == "50%"
    assert st.p_text(0.00001) == "p < 0.001" and st.p_text(0.0234) == "p = 0.023" and st.p_text(0.51) == "p = 0.51"
    assert st.interval(0.4213, 0.3087, 0.5321) == "0.42 [0.31, 0.53]"
    assert st.interval(3, 2, 4) == "3 [2, 4]" and st.interval(1.0, 1.0, 2.0) == "1 [1, 2]"


def test_display_table_intervals_p_values_percent_and_chinese_names():
    imp = pd.DataFrame({"shapley": [0.0796], "shapley_lo": [0.0669], "shapley_hi": [0.0940], "rank": [3],
                        "rank_lo": [3], "rank_hi": [4], "ordinal_p": [0.00001], "p_top_rank": [0.123],
                        "vif": [2.81298]}, index=pd.Index(["q2"], name="driver"))
    en = st.display_table(imp, intervals=[("shapley", "shapley_lo", "shapley_hi"), ("rank", "rank_lo", "rank_hi")],
                          p_columns=["ordinal_p"], percent=["p_top_rank"])
    assert en.to_dict(orient="list") == {"shapley [95% CI]": ["0.080 [0.067, 0.094]"], "rank [95% CI]": ["3 [3, 4]"],
                                         "ordinal_p": ["< 0.001"], "p_top_rank": ["12.3%"], "vif": ["2.81"]}
    zh = st.display_table(imp, "zh", intervals=[("shapley", "shapley_lo", "shapley_hi")],
                          columns=["shapley [95% CI]", "vif"])
    assert list(zh.columns) == ["Shapley 值 [95% 置信区间]", "VIF"] and zh.index.name == "驱动因素"
    assert list(imp.columns)[:3] == ["shapley", "shapley_lo", "shapley_hi"]   # the saved frame is untouched


def test_raking_sentence():
    from types import SimpleNamespace

    d = SimpleNamespace(deff=1.1893, n_eff=504.49, n=600)
    rk = SimpleNamespace(diagnostics=d, converged=True, iterations=3, trimmed=0)
    assert st.raking_text(rk) == ("**Raking**: converged in 3 iterations; design effect 1.19, effective n 504 of 600; "
                                  "0 weights trimmed.")
    assert st.raking_text(rk, "zh") == ("**迭代比例拟合（raking）**：已收敛（3 次迭代）；设计效应 1.19，有效样本量 504"
                                        "（共 600 人）；0 个权重被截尾。")
    rk.converged = False
    assert "did not converge in 3 iterations" in st.raking_text(rk) and "未收敛" in st.raking_text(rk, "zh")


def test_weighted_drivers_sentence():
    wu = pd.DataFrame({"shapley_weighted": [0.31, 0.12, 0.10], "shapley_unweighted": [0.27, 0.09, 0.13],
                       "rank_weighted": [1, 2, 3], "rank_unweighted": [1, 3, 2]}, index=["q3", "q2", "q5"])
    assert st.weighted_drivers_text(wu) == ("**What the numbers say.** `q3` ranks first with and without weights; "
                                            "drivers whose rank changes: q2, q5; the largest change of a Shapley "
                                            "share is 0.040 (`q3`, R² units).")
    assert st.weighted_drivers_text(wu, "zh") == ("**结果解读**：加权与未加权时排名第一的都是 `q3`；排名发生变化的驱动因素："
                                                  "`q2`、`q5`；Shapley 值的最大变化为 0.040（`q3`，R² 单位）。")
    same = wu.assign(rank_unweighted=[2, 1, 3])
    assert "`q3` ranks first with weights, `q2` without" in st.weighted_drivers_text(same)
