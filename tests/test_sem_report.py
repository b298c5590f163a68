"""Study 1 in Chinese: display tables, interpretation sentences and figure labels (numbers unchanged)."""
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import crmlab  # noqa: E402
from crmlab.sem import report as rep  # noqa: E402
from crmlab.sem.plots import plot_not_loyal, plot_path_estimates, plot_typology  # noqa: E402


def _boot():
    paths = pd.DataFrame({"original": [0.474, 0.008], "se": [0.078, 0.067], "ci_low": [0.291, -0.119],
                          "ci_high": [0.591, 0.131]}, index=pd.Index(["LOY~SAT", "SAT~EXPE"], name="term"))
    return SimpleNamespace(paths=paths, n_resamples=200, n_failed=0)


def _pls():
    return SimpleNamespace(r2_=pd.Series({"SAT": 0.7019, "LOY": 0.4941}), gof_=0.6071, scheme="path",
                           data_=SimpleNamespace(n_used=250))


def test_pls_sentence_in_chinese():
    assert rep.describe_pls(_pls(), _boot(), "SAT", "LOY", "zh") == (
        "模型对 SAT 的决定系数 R² = 0.70，对 LOY 的 R² = 0.49（GoF 0.61；自助抽样 200 次，其中 0 次未收敛）。"
        "直接路径 SAT → LOY 的系数为 0.47 [0.29, 0.59]（95% 自助法置信区间；标准误 0.078）。"
        "置信区间不含零的路径：LOY~SAT。置信区间包含零的路径：SAT~EXPE。"
        "含义：在 LOY 的其他前因保持不变时，SAT 每高一个标准差，LOY 平均高约 0.47 个标准差；置信区间不含零，这一效应明确不为零。")
    en = rep.describe_pls(_pls(), _boot(), "SAT", "LOY")
    assert en.startswith("The model explains R² = 0.70 of SAT and 0.49 of LOY") and "none" not in en
    assert "The direct path SAT → LOY is 0.47 [0.29, 0.59] (95% bootstrap CI; SE 0.078)." in en
    assert en.endswith("respondents one standard deviation more satisfied (SAT) are about 0.47 SD more loyal "
                       "(LOY); the interval excludes zero, so the link is clearly non-zero.")
    assert rep.pls_heading(_pls(), "zh") == ("**PLS 路径模型**（内部权重：路径加权，n = 250，GoF = 0.607）。"
                                             "决定系数 R²：SAT: 0.702, LOY: 0.494")


def test_mediation_multigroup_and_data_sentences_in_chinese():
    through = pd.DataFrame({"chain": ["QUAL->SAT->LOY", "EXPE->SAT->LOY"], "estimate": [0.0654, 0.004],
                            "ci_low": [0.0123, -0.061], "ci_high": [0.1634, 0.063]})
    assert rep.describe_mediation(through, "SAT", "zh") == (
        "经过 SAT 的 2 条中介路径中，有 1 条的置信区间不含零：QUAL->SAT->LOY = 0.07 [0.01, 0.16]。"
        "含义：QUAL 与 LOY 的关联有一部分经由 SAT 传递；间接效应最大的是 QUAL->SAT->LOY。")
    assert rep.describe_mediation(through.iloc[1:], "SAT", "zh") == "经过 SAT 的 1 条中介路径，其置信区间都包含零。"
    assert rep.describe_mediation(through, "SAT") == (
        "1 of 2 chains through SAT have an interval excluding zero: QUAL->SAT->LOY = 0.07 [0.01, 0.16]. "
        "What this means: part of the link from QUAL to LOY runs through SAT; the largest indirect effect is "
        "QUAL->SAT->LOY.")
    assert rep.describe_mediation(through.iloc[1:], "SAT") == "0 of 1 chains through SAT have an interval excluding zero."
    assert rep.describe_multigroup(None, "zh") == "未指定 `group` 列：跳过多群组比较。"
    prep = SimpleNamespace(summary=lambda lang="en": "250 名受访者，题项没有缺失值。" if lang == "zh" else "x.")
    spec = SimpleNamespace(names=list("ABCDEF"), items=list(range(27)), paths=list(range(10)))
    assert rep.describe_data(prep, spec, "zh") == ("**数据**：250 名受访者，题项没有缺失值。模型：6 个构念、27 个题项、"
                                                  "10 条路径。缺失值按列表删除法（listwise）处理。")


def test_show_translates_headers_and_words_not_numbers():
    nl = pd.DataFrame({"level": ["very dissatisfied", "my own level"], "n": [8, 60], "share": [1.0, 0.05],
                       "ci_low": [0.676, 0.017], "kotler": [0.8, 0.015]})
    shown = rep.show(nl, "zh")
    assert list(shown.columns) == ["满意度等级", "样本数", "占比", "置信区间下限", "Kotler 流失率"]
    assert shown["满意度等级"].tolist() == ["非常不满意", "my own level"]
    np.testing.assert_array_equal(shown.iloc[:, 1:].to_numpy(), nl.iloc[:, 1:].to_numpy())
    assert list(nl.columns) == ["level", "n", "share", "ci_low", "kotler"]  # the saved table is untouched
    assert rep.show(nl, "en") is nl
    meas = pd.DataFrame({"items": [5], "alpha": [0.82], "ave": [0.6]}, index=pd.Index(["IMAG"], name="construct"))
    zh = rep.show(meas, "zh")
    assert list(zh.columns) == ["题项数", "Cronbach's α", "平均方差抽取量 AVE"] and zh.index.name == "构念"


@pytest.fixture
def theme():
    """The crmlab theme (CJK font); a glyph missing from the fonts fails the test."""
    import warnings

    crmlab.set_theme()
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
    fig = plot_path_estimates(_boot().paths, lang="zh")
    assert _texts(fig)[:2] == ["PLS 路径系数", "标准化路径系数（95% 自助法置信区间）"]
    nl = pd.DataFrame({"level": ["neutral", "highly satisfied"], "n": [48, 60], "share": [0.56, 0.05],
                       "ci_low": [0.42, 0.02], "ci_high": [0.69, 0.14]})
    t = _texts(plot_not_loyal(nl, lang="zh", satisfaction="sat1", loyalty="loy1", loyal_min=7))
    assert t[0] == "不同 sat1 等级的不忠诚比例（loy1 < 7）" and t[2] == "不忠诚比例" and t[3:5] == ["中立", "非常满意"]
    labels = pd.Series(pd.Categorical(["apostle", "defector", "apostle"],
                                      categories=["apostle", "mercenary", "hostage", "defector"]))
    t = _texts(plot_typology([9, 2, 8], [9, 1, 8], labels, 7, 7, lang="zh"))
    assert t[:3] == ["Jones & Sasser 顾客类型", "满意度", "忠诚度"]
    assert t[-4:] == ["使徒 (2)", "雇佣兵 (0)", "人质 (0)", "叛逃者 (1)"]
    assert _texts(plot_typology([9, 2, 8], [9, 1, 8], labels, 7, 7))[0] == "Jones & Sasser typology"
    fig.canvas.draw()


def test_shape_figure_in_chinese(theme):
    from crmlab.loyalty import fit_shapes
    from crmlab.sem.plots import plot_shapes

    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, 120)
    res = fit_shapes(x, x + rng.normal(0, 1, 120), n_splits=3, seed=1)
    fig = plot_shapes(res, res, res, "SAT", "LOY", "sat1", "loy1", lang="zh")
    assert [a.get_title() for a in fig.axes] == ["PLS 得分", "题项均值", "总体题项"]
    assert fig.axes[1].get_xlabel() == "SAT (题项均值)"
    fig.canvas.draw()  # renders every label (a missing glyph would warn)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    zh = {"linear": "线性", "piecewise": "分段线性（阈值）", "spline": "样条"}
    assert legend == ["受访者"] + [zh[m] + ("（最优）" if m == res.best else "") for m in zh]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_displayed_column_has_a_chinese_name(lang):
    cols = ["construct", "items", "alpha", "omega", "rho_c", "ave", "original", "mean", "se", "ci_low", "ci_high",
            "path", "source", "target", "estimate", "t", "std_estimate", "p", "model", "params", "rss", "aic", "bic",
            "cv_mse", "cv_se", "scores", "level", "low", "high", "not_loyal", "share", "kotler", "type",
            "attribute", "low_cut", "high_cut", "n_low", "n_high", "penalty", "reward", "se_penalty",
            "se_reward", "p_asymmetry", "factor", "chain", "direct", "share_mediated", "group_a", "group_b",
            "estimate_a", "estimate_b", "difference", "p_value"]
    shown = rep.show(pd.DataFrame(columns=cols), lang)
    if lang == "en":
        assert list(shown.columns) == cols
    else:
        assert not set(shown.columns) & (set(cols) - {"aic", "bic"})


def test_readable_joins_intervals_and_formats_p_values_in_both_languages():
    from crmlab.report import format_table

    paths = pd.DataFrame({"source": ["SAT", "EXPE"], "target": ["LOY", "SAT"], "estimate": [0.4213, 0.0081],
                          "se": [0.0785, 0.0668], "t": [6.037, 0.127], "ci_low": [0.3087, -0.119],
                          "ci_high": [0.5321, 0.131]}, index=pd.Index(["LOY~SAT", "SAT~EXPE"], name="path"))
    ci = {"estimate [95% CI]": ("estimate", "ci_low", "ci_high")}
    en = format_table(rep.readable(paths, "en", ci))
    assert list(en.columns) == ["source", "target", "estimate [95% CI]", "se", "t"]
    assert en["estimate [95% CI]"].tolist() == ["0.42 [0.31, 0.53]", "0.01 [-0.12, 0.13]"]
    assert en["t"].tolist() == ["6.04", "0.127"] and en.index.name == "path"
    zh = format_table(rep.readable(paths, "zh", ci))
    assert list(zh.columns) == ["起点", "终点", "估计值 [95% 置信区间]", "标准误", "t 值"] and zh.index.name == "路径"
    assert list(paths.columns) == ["source", "target", "estimate", "se", "t", "ci_low", "ci_high"]  # untouched
    # p-values: "< 0.001" in both languages, also under a translated header format_table does not know
    cb = pd.DataFrame({"estimate": [0.768], "p": [5.3e-15]})
    assert format_table(rep.readable(cb, "en"))["p"].tolist() == ["< 0.001"]
    assert format_table(rep.readable(cb, "zh"))["p 值"].tolist() == ["< 0.001"]
    prca = pd.DataFrame({"attribute": ["VAL"], "penalty": [-1.689], "p_asymmetry": [0.07812], "factor": ["basic"]})
    for lang in ("en", "zh"):
        shown = format_table(rep.readable(prca, lang))
        assert shown.iloc[0].tolist() == ["VAL", "-1.69", "0.078", "basic" if lang == "en" else "基本因素"]
    nl = pd.DataFrame({"level": ["neutral"], "share": [0.5625], "ci_low": [0.4228], "ci_high": [0.693],
                       "kotler": [0.015]})
    shown = format_table(rep.readable(nl, "zh", {"share [95% CI]": ("share", "ci_low", "ci_high")},
                                      sig={"kotler": 2}))
    assert shown.iloc[0].tolist() == ["中立", "0.56 [0.42, 0.69]", "0.015"]
    assert list(shown.columns) == ["满意度等级", "占比 [95% 置信区间]", "Kotler 流失率"]
    by_level = rep.readable(nl, "zh", sig={"kotler": 2}, index="level")
    assert by_level.index.name == "满意度等级" and by_level.index.tolist() == ["中立"]
    assert list(by_level.columns) == ["占比", "置信区间下限", "置信区间上限", "Kotler 流失率"]
    assert rep.readable(nl, "en", index="level").index.tolist() == ["neutral"]


def test_cbsem_heading_reads_p_and_large_numbers():
    cb = SimpleNamespace(n=250, fit={"chisq": 1165.72, "df": 314, "pvalue": 0.0, "cfi": 0.8271, "srmr": 0.07752})
    assert rep.cbsem_heading(cb) == ("**CB-SEM (ML, semopy)** n = 250: chisq = 1,166, df = 314, p < 0.001, "
                                     "cfi = 0.827, srmr = 0.0775")
    assert rep.cbsem_heading(cb, "zh").endswith("n = 250：chisq = 1,166, df = 314, p < 0.001, cfi = 0.827, "
                                                "srmr = 0.0775")


def test_doctests():
    import doctest

    assert doctest.testmod(rep).failed == 0
