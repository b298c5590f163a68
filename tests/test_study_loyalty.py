"""Study 1 (satisfaction and loyalty): sentences, display tables and figure labels in both languages
(numbers unchanged; constructs, items, paths and chains by their codebook names), and the steps between
estimator calls checked by exact recomputation."""
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlab.core.errors import ParameterError
from crmlab.loyalty import ShapeResult, fit_shapes
from crmlab.report import use_lang
from crmlab.report.i18n import current_catalog, translate_columns, use_catalog
from crmlab.sem.data import PreparedData
from crmlab.studies.loyalty import plots, sentences, steps, tables, text

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def catalog():
    """The study's words in use (as after ``setup``), the previous catalog back afterwards."""
    previous = current_catalog()
    use_catalog(text.CATALOG)
    yield
    use_catalog(previous)


@pytest.fixture
def names():
    """The bundled ECSI codebook in use (constructs, items and values by name), none afterwards."""
    from crmlab.core.codebook import load_codebook
    from crmlab.core.paths import data_dir
    from crmlab.report.i18n import use_codebook

    use_codebook(load_codebook(data_dir() / "ecsi" / "codebook.yaml").terms())
    yield
    use_codebook(None)


def _boot():
    paths = pd.DataFrame({"original": [0.474, 0.008], "se": [0.078, 0.067], "ci_low": [0.291, -0.119],
                          "ci_high": [0.591, 0.131]}, index=pd.Index(["LOY~SAT", "SAT~EXPE"], name="term"))
    return SimpleNamespace(paths=paths, n_resamples=200, n_failed=0)


def _pls():
    return SimpleNamespace(r2_=pd.Series({"SAT": 0.7019, "LOY": 0.4941}), gof_=0.6071, scheme="path",
                           data_=SimpleNamespace(n_used=250))


# --------------------------------------------------------------------------
# sentences
# --------------------------------------------------------------------------
def test_pls_sentences_name_constructs_and_paths_in_both_languages(names):
    with use_lang("zh"):
        assert sentences.pls_line(_pls(), _boot(), "SAT", "LOY") == (
            "模型对顾客满意度的决定系数 R² = 0.70，对顾客忠诚度的 R² = 0.49（GoF 0.61；自助抽样 200 次，其中 0 次未收敛）。"
            "从顾客满意度到顾客忠诚度的直接路径系数为 0.47 [0.29, 0.59]（95% 自助法置信区间；标准误 0.078）。"
            "置信区间不含零的路径：顾客满意度 → 顾客忠诚度。置信区间包含零的路径：顾客期望 → 顾客满意度。"
            "含义：在顾客忠诚度的其他前因保持不变时，顾客满意度每高一个标准差，顾客忠诚度平均高约 0.47 个标准差；"
            "置信区间不含零，这一效应明确不为零。")
        assert sentences.pls_heading(_pls()) == ("**PLS 路径模型**（内部权重：路径加权，n = 250，GoF = 0.607）。"
                                                 "决定系数 R²：顾客满意度 0.702；顾客忠诚度 0.494")
    en = sentences.pls_line(_pls(), _boot(), "SAT", "LOY")
    assert en.startswith("The model explains R² = 0.70 of Satisfaction and 0.49 of Loyalty") and "none" not in en
    assert "The direct path Satisfaction → Loyalty is 0.47 [0.29, 0.59] (95% bootstrap CI; SE 0.078)." in en
    assert ("Paths whose interval excludes zero: Satisfaction → Loyalty. Paths whose interval includes zero: "
            "Expectations → Satisfaction.") in en and "~" not in en
    assert en.endswith("respondents one standard deviation more satisfied (Satisfaction) are about 0.47 SD more loyal "
                       "(Loyalty); the interval excludes zero, so the link is clearly non-zero.")
    assert sentences.pls_heading(_pls()) == ("**PLS path model** (path scheme, n = 250, GoF = 0.607). "
                                             "R²: Satisfaction 0.702; Loyalty 0.494")


def test_without_a_codebook_the_codes_are_the_names_and_markdown_is_escaped():
    from crmlab.report.i18n import use_codebook

    use_codebook({"SAT": {"en": "Sat_isfaction*", "zh": "满意度"}})
    try:
        en = sentences.pls_line(_pls(), _boot(), "SAT", "LOY")
        assert "Sat\\_isfaction\\* → LOY" in en and "LOY~SAT" not in en
    finally:
        use_codebook(None)
    assert "The direct path SAT → LOY is 0.47" in sentences.pls_line(_pls(), _boot(), "SAT", "LOY")


def test_mediation_and_multigroup_sentences(names):
    through = pd.DataFrame({"chain": ["QUAL->SAT->LOY", "EXPE->SAT->LOY"], "estimate": [0.0654, 0.004],
                            "ci_low": [0.0123, -0.061], "ci_high": [0.1634, 0.063]})
    with use_lang("zh"):
        assert sentences.mediation_line(through, "SAT") == (
            "经过顾客满意度的 2 条中介路径中，有 1 条的置信区间不含零：感知质量 → 顾客满意度 → 顾客忠诚度 = 0.07 [0.01, 0.16]。"
            "含义：感知质量与顾客忠诚度的关联有一部分经由顾客满意度传递；间接效应最大的是 感知质量 → 顾客满意度 → 顾客忠诚度。")
        assert sentences.mediation_line(through.iloc[1:], "SAT") == "经过顾客满意度的 1 条中介路径，其置信区间都包含零。"
        assert sentences.multigroup_line(None) == "未指定 `group` 列：跳过多群组比较。"
    assert sentences.mediation_line(through, "SAT") == (
        "1 of 2 chains through Satisfaction have an interval excluding zero: Perceived quality → Satisfaction → "
        "Loyalty = 0.07 [0.01, 0.16]. What this means: part of the link from Perceived quality to Loyalty runs "
        "through Satisfaction; the largest indirect effect is Perceived quality → Satisfaction → Loyalty.")
    assert sentences.mediation_line(through.iloc[1:], "SAT") == ("0 of 1 chains through Satisfaction have an "
                                                                 "interval excluding zero.")

    tests = pd.DataFrame({"path": ["LOY~SAT", "SAT~VAL"], "group_a": ["female", "online"],
                          "group_b": ["male", "store"], "estimate_a": [0.2611, 0.5], "estimate_b": [0.7159, 0.6],
                          "difference": [-0.4548, -0.1], "p_value": [0.00999, 0.5]})
    mg = SimpleNamespace(tests=tests, n_permutations=200)
    with use_lang("zh"):
        assert sentences.multigroup_findings(mg) == ["顾客满意度 → 顾客忠诚度：女组 0.261，男组 0.716（置换检验 p = 0.010）。"]
        assert sentences.multigroup_findings(mg, alpha=0.6)[1] == ("感知价值 → 顾客满意度：online 组 0.500，store 组 0.600"
                                                                   "（置换检验 p = 0.50）。")
        assert sentences.multigroup_findings(mg, alpha=0.001) == ["在 0.1% 的显著性水平下，没有路径在组间存在差异"
                                                                  "（置换 200 次）。"]
    assert sentences.multigroup_findings(mg) == ["Satisfaction → Loyalty: female 0.261 vs male 0.716 "
                                                 "(permutation p = 0.010)."]
    assert sentences.multigroup_line(mg, micom_ran=True) == (
        "- Satisfaction → Loyalty: female 0.261 vs male 0.716 (permutation p = 0.010).\n\n"
        "With several paths tested, a single p-value near 0.05 is weak evidence.")
    assert sentences.multigroup_line(mg).startswith("MICOM did not run (parameter `micom`): the differences assume, "
                                                    "untested, that the composites mean the same in every group.\n\n- ")


def test_model_sentence_names_the_items_with_most_missing_values(names):
    spec = SimpleNamespace(names=list("ABCDEF"), items=list(range(27)), paths=list(range(10)))
    prep = PreparedData(items=None, index=None, n_total=260, n_used=250,
                        missing_by_item={"imag1": 6, "loy1": 0, "sat2": 4})
    assert sentences.data_line(prep, spec) == (
        "**Model.** 6 constructs, 27 items and 10 paths, estimated from 260 respondents; 10 dropped listwise for "
        "missing item values (“Image: reputation”: 6, “Satisfaction: expectations fulfilled”: 4); 250 used.")
    with use_lang("zh"):
        assert sentences.data_line(prep, spec) == (
            "**模型**：6 个构念、27 个题项、10 条路径；估计所用数据：共 260 名受访者；其中 10 名因题项缺失被整行删除"
            "（“形象：声誉” 6 个，“满意度：期望达成” 4 个），实际使用 250 名。")
        prep.n_total = 250
        assert sentences.data_line(prep, spec) == ("**模型**：6 个构念、27 个题项、10 条路径；估计所用数据："
                                                   "250 名作答完整的受访者。")


def test_measurement_findings_from_known_numbers_in_both_languages():
    from crmlab.sem.measurement import MeasurementResult

    names = ["EXPE", "QUAL", "SAT"]
    table = pd.DataFrame({"items": [5, 2, 1], "alpha": [0.65, 0.8, np.nan], "omega": [0.7, np.nan, np.nan],
                          "rho_c": [0.8, 0.85, np.nan], "ave": [0.45, 0.6, np.nan]},
                         index=pd.Index(names, name="construct"))
    ht = pd.DataFrame([[np.nan, 0.98, 0.5], [0.98, np.nan, 0.87], [0.5, 0.87, np.nan]], index=names, columns=names)
    fl = pd.DataFrame([[0.67, 0.85, 0.3], [0.85, 0.77, 0.4], [0.3, 0.4, 1.0]], index=names, columns=names)
    ci = pd.DataFrame({"ci_low": [0.93], "ci_high": [1.019]}, index=["EXPE|QUAL"])
    meas = MeasurementResult(table=table, loadings=pd.DataFrame(), htmt=ht, fornell_larcker=fl, htmt_ci=ci)
    with use_lang("zh"):
        assert sentences.measurement_problems(meas) == [
            "QUAL只有两个题项：McDonald's ω 至少需要三个题项，因此不报告。",
            "SAT只有一个题项：α、ω、组合信度与 AVE 均无定义。",
            "EXPE与QUAL的 HTMT 为 0.98，高于 0.90：两个构念在经验上无法区分（即使按宽松标准，区分效度也不成立）。",
            "QUAL与SAT的 HTMT 为 0.87，高于严格标准 0.85、低于 0.90：区分效度存疑。",
            "HTMT 推断：HTMT（EXPE，QUAL）的自助法置信区间上限达到 1.02 ≥ 1，数据无法排除二者是同一个构念。",
            "Fornell-Larcker 准则：EXPE与QUAL的相关系数（0.85）超过了其中至少一个构念 AVE 的平方根。",
            "EXPE：平均方差抽取量 AVE 为 0.45 < 0.50（题项方差中被构念解释的部分不到一半）。",
            "EXPE：Cronbach's α 为 0.65 < 0.70。",
        ]
        assert sentences.measurement_findings(meas).startswith("**结果解读**：\n\n- QUAL只有两个题项")
    en = sentences.measurement_problems(meas)
    assert en[:3] == ["QUAL has two items: McDonald's omega needs at least three and is not reported.",
                      "SAT has a single item: alpha, omega, ρc and AVE are not defined.",
                      ("HTMT of EXPE and QUAL is 0.98, above 0.90: the two constructs are not empirically distinct "
                       "(discriminant validity fails even by the liberal rule).")]
    assert en[-1] == "EXPE: Cronbach's alpha 0.65 < 0.70." and len(en) == 8
    proper = MeasurementResult(table=table.iloc[:1].assign(alpha=0.9, ave=0.6), loadings=pd.DataFrame(),
                               htmt=ht.iloc[:1, :1], fornell_larcker=fl.iloc[:1, :1])
    assert sentences.measurement_problems(proper) == [
        "All constructs meet the usual reliability (>= 0.70) and AVE (>= 0.50) thresholds; no HTMT above 0.85."]


_ISSUES = [("inadmissible", {"path": True, "lval": "VAL", "rval": "EXPE", "value": -1.788}),
           ("heywood", {"var": "qual2", "value": -0.0123}),
           ("near_singular", {"a": "EXPE", "b": "QUAL", "value": 0.9931}), ("not_finite", {})]


def _cb(issues=_ISSUES):
    return SimpleNamespace(n=250, issues=issues, fit={"chisq": 1165.72, "df": 314, "pvalue": 0.0, "cfi": 0.8271,
                                                      "tli": 0.806, "rmsea": 0.1042, "srmr": 0.0781})


def test_cbsem_fit_and_problems_in_both_languages(names):
    with use_lang("zh"):
        assert sentences.cbsem_fit(_cb()) == ("**模型拟合**较差：χ²(314) = 1165.7, CFI 0.827, TLI 0.806, "
                                              "RMSEA 0.104, SRMR 0.078。")
        assert sentences.cbsem_findings(_cb()) == [
            "不可接受的解：标准化路径 顾客期望 → 感知价值 = -1.79，超出 ±1。",
            "Heywood 情形：质量 2的方差估计为负（-0.012）。",
            "近似奇异：模型隐含的顾客期望与感知质量的相关系数为 0.993；"
            "这两个构念在经验上无法区分，涉及它们的路径无法解释。",
            "部分拟合指标不是有限值：优化器没有得到正常的解。"]
        assert sentences.cbsem_findings(_cb([]))[0].startswith("最大似然解是可接受的")
    assert sentences.cbsem_fit(_cb()) == ("**Fit** is poor: χ²(314) = 1165.7, CFI 0.827, TLI 0.806, RMSEA 0.104, "
                                          "SRMR 0.078.")
    assert sentences.cbsem_findings(_cb())[0] == ("Inadmissible: standardized path Expectations → Perceived value = "
                                                  "-1.79 lies beyond ±1.")
    loading = [("inadmissible", {"path": False, "lval": "QUAL", "rval": "qual2", "value": 1.2})]
    assert sentences.cbsem_findings(_cb(loading)) == ["Inadmissible: standardized loading Perceived quality → "
                                                      "Quality 2 = 1.20 lies beyond ±1."]
    assert sentences.cbsem_verdict(_cb()).startswith("**Fit** is poor: χ²(314) = 1165.7, CFI 0.827, TLI 0.806, "
                                                     "RMSEA 0.104, SRMR 0.078.\n\n- Inadmissible: standardized path")
    with pytest.raises(ValueError, match="unknown problem kind 'odd'"):
        sentences.cbsem_problem("odd", {})


def test_a_fit_that_did_not_converge_is_said_so_first():
    issues = [("not_converged", {"iterations": 1, "message": "Iteration limit reached"})] + _ISSUES[:1]
    en = sentences.cbsem_findings(_cb(issues))
    assert en[0] == ("Not converged: the optimiser stopped after 1 iterations (Iteration limit reached); the estimates "
                     "and fit above are those of its last iterate, not a maximum-likelihood solution, and are no "
                     "findings.")
    with use_lang("zh"):
        assert sentences.cbsem_findings(_cb(issues))[0].startswith(
            "未收敛：优化器在 1 次迭代后停止（Iteration limit reached）；")


def test_cbsem_heading_reads_p_and_large_numbers():
    cb = SimpleNamespace(n=250, fit={"chisq": 1165.72, "df": 314, "pvalue": 0.0, "cfi": 0.8271, "srmr": 0.07752})
    assert sentences.cbsem_heading(cb) == ("**CB-SEM (ML, semopy)** n = 250: chisq = 1,166, df = 314, p < 0.001, "
                                           "cfi = 0.827, srmr = 0.0775")
    with use_lang("zh"):
        assert sentences.cbsem_heading(cb).endswith("n = 250：chisq = 1,166, df = 314, p < 0.001, cfi = 0.827, "
                                                     "srmr = 0.0775")


def _shape(best, best_aic="linear", threshold=float("nan")):
    return ShapeResult(table=pd.DataFrame(), best=best, best_aic=best_aic, threshold=threshold, fitted={})


def test_shape_sentence_in_both_languages(names):
    args = (_shape("piecewise", "spline", -1.234), _shape("linear"), _shape("spline"), "sat1", "loy1")
    with use_lang("zh"):
        assert sentences.shapes_line(*args).startswith(
            "按交叉验证，PLS 得分之间的关系以**分段线性（阈值）**形式描述最好（AIC 偏好样条）；"
            "在题项均值上选出的是**线性**，在总体题项（“满意度：总体评价”与“忠诚度：会再次选择该银行”）上是**样条**。"
            "分段模型在得分尺度上估计的阈值位于 -1.23 个标准差处。")
    en = sentences.shapes_line(*args)
    assert en.startswith("By cross-validation the **piecewise** form") and "-1.23 SD" in en
    assert "(“Satisfaction: overall” and “Loyalty: would choose the bank again”) **spline**" in en


def test_not_loyal_sentence_in_both_languages():
    tab = pd.DataFrame({"level": ["very dissatisfied", "neutral", "highly satisfied"], "n": [8, 0, 60],
                        "share": [1.0, np.nan, 0.05]})
    con = {"n_completely": 60, "n_merely": 118, "not_loyal_completely": 0.05, "not_loyal_merely": 0.2034,
           "difference": 0.1534, "ci_low": 0.0461, "ci_high": 0.2411, "p_fisher": 0.007243}
    with use_lang("zh"):
        assert sentences.not_loyal_line(tab, con, [7, 8], 9) == (
            "不忠诚比例从 100%（非常不满意，n = 8）变化到 5%（非常满意，n = 60）；样本少的组置信区间较宽。"
            "仅仅满意（7-8 分）的受访者中 20% 不忠诚（n = 118）；完全满意（≥ 9 分）的受访者中为 5%"
            "（n = 60）。两者相差 15 [5, 24] 个百分点（95% 置信区间；Fisher 精确检验 p = 0.007）。")
        assert "“Kotler 流失率”列" in sentences.not_loyal_line(tab.assign(kotler=[0.8, 0.2, 0.015]), con, [7, 8], 9)
    assert "Difference 15 [5, 24] percentage points (95% CI; Fisher p = 0.007)." in \
        sentences.not_loyal_line(tab, con, [7, 8], 9)
    assert "Kotler's figures (column “Kotler's loss”)" in sentences.not_loyal_line(tab.assign(kotler=0.1), con, [7, 8], 9)
    # an empty group: no contrast, the levels still described (the empty group is named in section 1)
    assert sentences.not_loyal_line(tab, None, [4, 4], 5).endswith("small groups have wide intervals.")
    with use_lang("zh"):
        assert sentences.not_loyal_line(tab, con, [4, 4], 5).count("仅仅满意（4 分）") == 1


def test_prca_sentence_in_both_languages():
    tab = pd.DataFrame({"attribute": ["QUAL", "VAL"], "penalty": [-0.487, -1.689], "reward": [0.124, 1.006],
                        "p_asymmetry": [0.367, 0.012], "factor": ["performance", "basic"]})
    with use_lang("zh"):
        assert sentences.prca_line(tab) == (
            "**QUAL** 属于绩效因素（罚分 -0.487，奖励 0.124，非对称性检验 p = 0.37）；"
            "**VAL** 属于基本因素（罚分 -1.69，奖励 1.01，非对称性检验 p = 0.012）。")
    tab.loc[1, "factor"] = "excitement"
    assert "**VAL** acts as an excitement factor (penalty -1.69" in sentences.prca_line(tab)
    tab.loc[1, "p_asymmetry"] = 0.0002
    assert sentences.prca_line(tab).endswith("(penalty -1.69, reward 1.01, asymmetry p < 0.001).")


def test_typology_sentence_and_the_tiny_share_rule():
    typ = pd.DataFrame({"type": ["apostle", "mercenary", "hostage", "defector"], "n": [151, 27, 23, 49],
                        "share": [0.604, 0.108, 0.092, 0.196]})
    assert sentences.typology_line(typ, 7, 7) == (
        "60% of respondents are apostles (satisfaction ≥ 7 and loyalty ≥ 7, n = 151), 20% defectors (n = 49) and "
        "9% hostages (n = 23). 15% of the satisfied (27 of 178) are mercenaries: satisfaction alone does not "
        "secure their loyalty, so they need retention levers beyond satisfaction.")
    with use_lang("zh"):
        assert sentences.typology_line(typ, 7, 7) == (
            "60% 的受访者是使徒（满意度 ≥ 7 且忠诚度 ≥ 7，n = 151），20% 是叛逃者（n = 49），9% 是人质（n = 23）。"
            "满意的受访者中有 15%（27/178）是雇佣兵：满意本身并不能保证忠诚，这部分顾客需要满意度之外的留存手段。")
    none_satisfied = typ.assign(n=[0, 0, 23, 49], share=[0.0, 0.0, 0.32, 0.68])
    assert "mercenaries" not in sentences.typology_line(none_satisfied, 7, 7)
    # a tiny non-zero share never reads 0% (project rule of crmlab.report.narrative.pct)
    few = typ.assign(n=[996, 0, 4, 0], share=[0.996, 0.0, 0.004, 0.0])
    assert "< 1% hostages (n = 4)" in sentences.typology_line(few, 7, 7)


def test_percentage_points_and_doctests():
    import doctest

    assert sentences.pct_points(0.1534, 0.0461, 0.2411) == "15 [5, 24]"
    assert sentences.pct_points(0.0153, 0.0046, 0.0241) == "1.5 [0.5, 2.4]"
    assert doctest.testmod(sentences).failed == 0


# --------------------------------------------------------------------------
# display tables
# --------------------------------------------------------------------------
def test_display_copies_translate_headers_and_words_not_numbers():
    nl = pd.DataFrame({"level": ["very dissatisfied", "my own level"], "low": [0.0, 3.0], "high": [2.0, 4.0],
                       "n": [8, 60], "not_loyal": [8, 3], "share": [1.0, 0.05], "ci_low": [0.676, 0.017],
                       "ci_high": [1.0, 0.14], "kotler": [0.8, 0.015]})
    with use_lang("zh"):
        shown = tables.not_loyal(nl)
        assert list(shown.columns) == ["下限", "上限", "样本数", "不忠诚人数", "占比 [95% 置信区间]", "Kotler 流失率"]
        assert shown.index.name == "满意度等级" and shown.index.tolist() == ["非常不满意", "my own level"]
        assert shown.iloc[:, 4:].values.tolist() == [["1.00 [0.68, 1.00]", "0.80"], ["0.05 [0.02, 0.14]", "0.015"]]
        meas = pd.DataFrame({"items": [5], "alpha": [0.82], "ave": [0.6]}, index=pd.Index(["IMAG"], name="construct"))
        zh = tables.measurement(meas)
        assert list(zh.columns) == ["题项数", "Cronbach's α", "平均方差抽取量 AVE"] and zh.index.name == "构念"
    assert list(nl.columns)[:3] == ["level", "low", "high"]  # the saved table is untouched
    en = tables.not_loyal(nl)
    assert list(en.columns) == ["lowest answer", "highest answer", "n", "not loyal", "share [95% CI]", "Kotler's loss"]
    assert en.index.name == "satisfaction level" and en.index.tolist() == ["very dissatisfied", "my own level"]


def test_display_copies_join_intervals_and_format_p_values_in_both_languages(names):
    summary = pd.DataFrame({"path": ["LOY~SAT", "SAT~EXPE"], "source": ["SAT", "EXPE"], "target": ["LOY", "SAT"],
                            "estimate": [0.4213, 0.0081], "se": [0.0785, 0.0668], "t": [6.037, 0.127],
                            "ci_low": [0.3087, -0.119], "ci_high": [0.5321, 0.131]})
    en = tables.pls_paths(summary)
    assert list(en.columns) == ["estimate [95% CI]", "SE", "t"] and en.index.name == "path"
    assert en.index.tolist() == ["Satisfaction → Loyalty", "Expectations → Satisfaction"]
    assert en["estimate [95% CI]"].tolist() == ["0.42 [0.31, 0.53]", "0.01 [-0.12, 0.13]"]
    assert en["t"].tolist() == ["6.04", "0.127"]
    with use_lang("zh"):
        zh = tables.pls_paths(summary)
    assert list(zh.columns) == ["估计值 [95% 置信区间]", "标准误", "t 值"] and zh.index.name == "路径"
    assert zh.index.tolist() == ["顾客满意度 → 顾客忠诚度", "顾客期望 → 顾客满意度"]
    med = pd.DataFrame({"chain": ["IMAG->EXPE->QUAL->VAL->SAT->LOY"], "source": ["IMAG"], "target": ["LOY"],
                        "estimate": [0.086], "ci_low": [0.037], "ci_high": [0.134]})
    assert tables.mediation(med).index.tolist() == [
        "Image → Expectations → Perceived quality → Perceived value → Satisfaction → Loyalty"]
    cb = pd.DataFrame({"path": ["LOY~SAT"], "estimate": [0.768], "p": [5.3e-15]})
    assert tables.cbsem_paths(cb)["p"].tolist() == ["< 0.001"]
    with use_lang("zh"):
        assert tables.cbsem_paths(cb)["p 值"].tolist() == ["< 0.001"]
    prca = pd.DataFrame({"attribute": ["VAL"], "penalty": [-1.689], "p_asymmetry": [0.07812], "factor": ["basic"]})
    for lang, factor in (("en", "basic"), ("zh", "基本因素")):
        with use_lang(lang):
            assert tables.penalty_reward(prca).iloc[0].tolist() == ["-1.69", "0.078", factor]
    htmt = pd.DataFrame({"original": [0.9819], "mean": [0.982], "se": [0.022], "t": [44.6], "ci_low": [0.938],
                         "ci_high": [1.023]}, index=pd.Index(["EXPE|QUAL"], name="term"))
    shown = tables.htmt(htmt)
    assert list(shown.columns) == ["HTMT [95% CI]", "mean", "SE"] and shown.index.name == "pair"
    assert shown.index.tolist() == ["Expectations ↔ Perceived quality"]
    assert shown.iloc[0].tolist() == ["0.982 [0.938, 1.023]", "0.982", "0.0220"]
    with use_lang("zh"):
        assert list(tables.htmt(htmt).columns) == ["HTMT [95% 置信区间]", "自助法均值", "标准误"]
    shapes = pd.DataFrame({"model": ["piecewise"], "params": [4], "aic": [-143.19621], "scores": ["items sat1/loy1"]})
    with use_lang("zh"):
        assert tables.shape_fit(shapes).iloc[0].tolist() == ["分段线性（阈值）", "4", "-143.2",
                                                             "总体题项 满意度：总体评价 / 忠诚度：会再次选择该银行"]
    assert tables.shape_fit(shapes).iloc[0].tolist() == ["piecewise", "4", "-143.2", "overall items Satisfaction: "
                                                         "overall / Loyalty: would choose the bank again"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_displayed_column_has_a_chinese_name(lang):
    cols = ["construct", "items", "alpha", "omega", "rho_c", "ave", "original", "bootstrap_mean", "se", "ci_low",
            "ci_high", "path", "source", "target", "estimate", "t", "std_estimate", "p", "model", "params", "rss",
            "aic",
            "bic", "cv_mse", "cv_se", "scores", "satisfaction_level", "low", "high", "n", "not_loyal", "share",
            "kotler", "type", "attribute", "low_cut", "high_cut", "n_low", "n_high", "penalty", "reward",
            "se_penalty", "se_reward", "p_asymmetry", "factor", "chain", "direct", "share_mediated", "group_a",
            "group_b", "estimate_a", "estimate_b", "difference", "p_value", "pair", "estimate [CI]", "share [CI]",
            "HTMT [CI]", "rho_a", "q2_predict", "pls_rmse", "lm_rmse", "pls_mae", "lm_mae", "normality_p",
            "copula [CI]", "p_joint", "path_estimate", "path_with_copula", "groups", "c", "c_quantile",
            "p_composition", "mean_diff", "mean_range", "p_mean", "logvar_diff", "logvar_range", "p_logvar",
            "invariance", "interpretable", "importance", "performance_0_100", "rescaled_weight", "negative_weight"]
    with use_lang(lang):
        shown = list(translate_columns(pd.DataFrame(columns=cols)).columns)
    if lang == "en":
        renamed = {"bootstrap_mean": "mean", "estimate [CI]": "estimate [95% CI]",
                   "share [CI]": "share [95% CI]", "HTMT [CI]": "HTMT [95% CI]"}
        renamed.update({c: text.TERMS[c]["en"] for c in cols if "en" in text.TERMS.get(c, {})})
        assert shown == [renamed.get(c, c) for c in cols]
        assert not [c for c in shown if "_" in c]   # readable English headers, no snake_case
    else:
        assert not set(shown) & set(cols)
        assert len(set(shown)) == len(cols) - 1  # one Chinese term per concept: original and estimate are 估计值


# --------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------
@pytest.fixture
def theme():
    """The crmlab theme (CJK font); a glyph missing from the fonts fails the test."""
    import warnings

    from crmlab.report.theme import set_theme

    set_theme()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        yield
    plt.close("all")


def _texts(fig):
    ax = fig.axes[0]
    out = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()] + [t.get_text() for t in ax.get_xticklabels()]
    leg = ax.get_legend()
    return out + ([t.get_text() for t in leg.get_texts()] if leg else [])


def test_figures_label_in_chinese(theme):
    with use_lang("zh"):
        fig = plots.plot_path_estimates(_boot().paths)
        assert _texts(fig)[:2] == ["PLS 路径系数", "标准化路径系数（95% 自助法置信区间）"]
        nl = pd.DataFrame({"level": ["neutral", "highly satisfied"], "n": [48, 60], "share": [0.56, 0.05],
                           "ci_low": [0.42, 0.02], "ci_high": [0.69, 0.14]})
        t = _texts(plots.plot_not_loyal(nl, satisfaction="sat1", loyalty="loy1", loyal_min=7))
        assert t[0] == "不同“sat1”等级的不忠诚比例\n（loy1 < 7）" and t[2] == "不忠诚比例"
        assert t[3:5] == ["中立", "非常满意"]
        labels = pd.Series(pd.Categorical(["apostle", "defector", "apostle"],
                                          categories=["apostle", "mercenary", "hostage", "defector"]))
        t = _texts(plots.plot_typology([9, 2, 8], [9, 1, 8], labels, 7, 7))
        assert t[:3] == ["Jones & Sasser 顾客类型", "满意度", "忠诚度"]
        assert t[-4:] == ["使徒 (2)", "雇佣兵 (0)", "人质 (0)", "叛逃者 (1)"]
        fig.canvas.draw()
    assert _texts(plots.plot_typology([9, 2, 8], [9, 1, 8], labels, 7, 7))[0] == "Jones & Sasser typology"


def test_shape_figure_in_chinese(theme):
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, 120)
    res = fit_shapes(x, x + rng.normal(0, 1, 120), n_splits=3, seed=1)
    with use_lang("zh"):
        fig = plots.plot_shapes(res, res, res, "SAT", "LOY", "sat1", "loy1")
        assert [a.get_title() for a in fig.axes] == ["PLS 得分", "题项均值", "总体题项"]
        assert fig.axes[1].get_xlabel() == "SAT (题项均值)"
        fig.canvas.draw()  # renders every label (a missing glyph would warn)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    zh = {"linear": "线性", "piecewise": "分段线性（阈值）", "spline": "样条"}
    assert legend == ["受访者"] + [zh[m] + ("（最优）" if m == res.best else "") for m in zh]
    ax = plots.plot_shape(res)
    assert ax.get_legend().get_texts()[0].get_text() == "respondents"


# --------------------------------------------------------------------------
# steps
# --------------------------------------------------------------------------
MODEL = "IMAG =~ imag1 + imag2\nSAT =~ sat1 + sat2\nLOY =~ loy1 + loy2\nSAT ~ IMAG\nLOY ~ IMAG + SAT"


def test_model_is_checked_against_the_construct_parameters():
    spec = steps.model_spec(MODEL, "SAT", "LOY")
    assert spec.names == ["IMAG", "SAT", "LOY"]
    with pytest.raises(ParameterError, match=r"loyalty construct 'LOYAL' is not in the model; constructs: "
                                             r"\['IMAG', 'SAT', 'LOY'\]"):
        steps.model_spec(MODEL, "SAT", "LOYAL")
    assert steps.overall_items(spec, "SAT", "LOY") == ("sat1", "loy1")
    assert steps.overall_items(spec, "SAT", "LOY", "overall", None) == ("overall", "loy1")
    assert steps.prca_attributes(spec, "SAT") == ["IMAG"] and steps.prca_attributes(spec, "SAT", ("x",)) == ["x"]


def test_prepare_requires_the_overall_items_complete():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.integers(1, 10, (30, 6)).astype(float),
                      columns=["imag1", "imag2", "sat1", "sat2", "loy1", "loy2"]).assign(overall=5.0)
    df.loc[[3, 4], "overall"] = np.nan
    spec = steps.model_spec(MODEL, "SAT", "LOY")
    assert steps.prepare(df, spec).n_used == 30
    prep = steps.prepare(df, spec, "overall")
    assert prep.n_used == 28 and 3 not in prep.index
    assert steps.data_record(prep) == {"respondents": 30, "used": 28, "dropped_missing": 2}


def test_tables_and_records_are_assembled_from_the_results():
    boot = pd.DataFrame({"original": [0.5, 0.2], "t": [5.0, 1.0], "ci_low": [0.4, -0.1], "ci_high": [0.6, 0.5]},
                        index=["A|B", "A|C"])
    assert steps.intervals(boot) == {"A|B": [0.4, 0.6], "A|C": [-0.1, 0.5]}
    assert list(steps.htmt_bootstrap(SimpleNamespace(htmt=boot)).columns) == ["original", "ci_low", "ci_high"]
    cb = SimpleNamespace(fit={"chisq": 10.0, "df": 5, "pvalue": 0.07, "cfi": 0.99, "tli": 0.98, "rmsea": 0.03,
                              "srmr": 0.02})
    assert list(steps.fit_record(cb)) == ["chisq", "df", "cfi", "tli", "rmsea", "srmr"]
    res = [SimpleNamespace(table=pd.DataFrame({"model": ["linear"], "aic": [float(i)]})) for i in range(3)]
    tab = steps.shape_table(*res, "sat1", "loy1")
    assert tab[["aic", "scores"]].values.tolist() == [[0.0, "PLS scores"], [1.0, "raw means"], [2.0, "items sat1/loy1"]]
    nl = pd.DataFrame({"level": ["very dissatisfied", "somewhat dissatisfied", "neutral", "satisfied",
                                 "highly satisfied"], "share": [0.9, 0.8, 0.5, 0.2, 0.05]})
    levels = [[lv, 0, 0] for lv in nl["level"]]
    assert steps.with_kotler(nl, levels)["kotler"].tolist() == [0.80, 0.40, 0.20, 0.10, 0.015]
    assert "kotler" not in steps.with_kotler(nl, levels[:4] + [["top", 9, 10]])
    assert steps.shares(nl, "level")["neutral"] == 0.5
    raw = pd.DataFrame({"SAT": [1.5, 2.5], "sat1": [9.0, 9.0]})
    items = pd.DataFrame({"sat1": [1.0, 2.0], "sat2": [2.0, 3.0]})
    assert steps.prca_source(raw, items).to_dict(orient="list") == {"SAT": [1.5, 2.5], "sat1": [9.0, 9.0],
                                                                     "sat2": [2.0, 3.0]}
    prca = pd.DataFrame({"attribute": ["VAL"], "penalty": [-1.7], "reward": [1.0], "factor": ["basic"]})
    assert steps.prca_record(prca) == {"VAL": {"penalty": -1.7, "reward": 1.0, "factor": "basic"}}


def test_mediation_shows_the_chains_through_satisfaction_when_there_are_any():
    med = pd.DataFrame({"chain": ["A->SAT->LOY", "SAT->B->LOY", "A->B->SAT"], "estimate": [0.1, 0.2, 0.3],
                        "ci_low": [0.0, 0.1, 0.2], "ci_high": [0.2, 0.3, 0.4]})
    through = steps.through(med, "SAT")
    assert through["chain"].tolist() == ["A->SAT->LOY"]
    key, shown = steps.mediation_shown(med, through)
    assert key == "mediation_through" and shown is through
    key, shown = steps.mediation_shown(med, steps.through(med, "C"))
    assert key == "mediation_all" and shown is med
    assert steps.mediation_record(med.iloc[:1]) == {"A->SAT->LOY": {"estimate": 0.1, "ci_low": 0.0, "ci_high": 0.2}}
    mg = SimpleNamespace(tests=pd.DataFrame({"path": ["LOY~SAT"], "group_a": ["female"], "group_b": ["male"],
                                             "difference": [-0.45], "p_value": [0.003]}))
    assert steps.multigroup_record(mg) == {"LOY~SAT|female-male": {"difference": -0.45, "p": 0.003}}


def test_every_caption_and_section_exists_in_both_languages():
    values = {"loy_item": "loy1", "sat_item": "sat1", "loyal_min": 7.0, "satisfied_min": 7.0,
              "satisfaction": "SAT", "group": "gender", "folds": 10, "repetitions": 10, "target": "LOY", "n": "3"}
    for lang in ("en", "zh"):
        with use_lang(lang):
            assert text.CATALOG.section("intro").startswith("# ")
            for key in text.TEXTS:
                assert "{" not in text.CATALOG.text(key, **values), key
    with use_lang("en"):
        assert text.CATALOG.text("not_loyal_by_level", **values).startswith("Share of respondents not loyal (loy1 < 7)")
    assert list(text.CATALOG.sections) == ["intro", "intro_own", "hygiene", "measurement", "pls", "plspredict",
                                           "copula", "cbsem", "shape", "not_loyal", "typology", "prca", "mediation",
                                           "micom", "multigroup", "ipma", "flagged", "summary", "variables"]
    own = {"file": "f.csv", "rows": "9", "columns": "3", "satisfaction": "S", "loyalty": "L", "n_constructs": "2",
           "constructs": "S and L", "n_items": "4", "sat_item": "s1", "loy_item": "l1", "extra": ""}
    for lang in ("en", "zh"):
        with use_lang(lang):
            intro = text.CATALOG.section("intro_own", **own)
            assert "{" not in intro and "f.csv" in intro and "ECSI" not in intro
            assert "ECSI" in text.CATALOG.section("intro", rows="250")
            # the literature review stays, under the title (where the key findings go)
            assert "Oliver 1999" in intro and text.CATALOG.section("intro", rows="250").startswith("# ")
        assert "研究一" not in text.CATALOG.section("intro", rows="250") and "notebook" not in \
            text.CATALOG.section("intro", rows="250").lower()
