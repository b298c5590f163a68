"""Study 1 for a manager: the path diagram (layout checked geometrically: no arrow through another box), the key
findings and the closing summary written from a fit of the bundled ECSI survey, in both languages, with names
from the codebook instead of codes and Markdown-safe path names."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlab.core.codebook import load_codebook
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.core.paths import data_dir
from crmlab.report import use_lang
from crmlab.report.i18n import current_catalog, use_catalog, use_codebook
from crmlab.sem import PLSPM, assess_measurement
from crmlab.studies.loyalty import diagram, findings, inputs, plots, steps, text

matplotlib.use("Agg")
ECSI_EDGES = [("IMAG", "EXPE"), ("EXPE", "QUAL"), ("EXPE", "VAL"), ("QUAL", "VAL"), ("IMAG", "SAT"), ("EXPE", "SAT"),
              ("QUAL", "SAT"), ("VAL", "SAT"), ("IMAG", "LOY"), ("SAT", "LOY")]


@pytest.fixture(autouse=True)
def words():
    """The study's catalog and the ECSI codebook in use (as after ``setup`` on the bundled data)."""
    previous = current_catalog()
    use_catalog(text.CATALOG)
    use_codebook(load_codebook(data_dir() / "ecsi" / "codebook.yaml").terms())
    yield
    use_catalog(previous)
    use_codebook(None)
    plt.close("all")


@pytest.fixture(scope="module")
def fit():
    sv = inputs.open_survey(str(data_dir() / "ecsi" / "satisfaction.csv"), ECSI_MODEL)
    hyg = inputs.clean(sv)
    pls = PLSPM(sv.spec).fit(hyg.data)
    boot = pls.bootstrap(200, seed=11)
    meas = assess_measurement(pls, boot)
    cut = inputs.cutoffs(hyg.scales["sat1"], hyg.scales["loy1"])
    con = steps.contrast(hyg.data["sat1"], hyg.data["loy1"], cut)
    return sv, hyg, pls, boot, meas, cut, con


# ---------------------------------------------------------------------------------------------
# the path diagram
# ---------------------------------------------------------------------------------------------
def _segment_hits_box(p, q, c, hw, hh, steps_=400) -> bool:
    """Independent check: does any of ``steps_`` points along p-q fall inside the box centred on c?"""
    t = np.linspace(0.0, 1.0, steps_)
    x, y = p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])
    return bool(((np.abs(x - c[0]) < hw) & (np.abs(y - c[1]) < hh)).any())


def test_ecsi_layout_flows_down_by_layer_and_keeps_every_arrow_off_other_boxes():
    nodes = ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"]
    assert diagram.layers(nodes, ECSI_EDGES) == {"IMAG": 0, "EXPE": 1, "QUAL": 2, "VAL": 3, "SAT": 4, "LOY": 5}
    pos = diagram.layout(nodes, ECSI_EDGES)
    assert [pos[n][1] for n in nodes] == [0, -1, -2, -3, -4, -5]
    for s, t in ECSI_EDGES:
        for n in nodes:
            if n not in (s, t):
                assert not _segment_hits_box(pos[s], pos[t], pos[n], diagram.BOX_W / 2, diagram.BOX_H / 2), (s, t, n)
    assert diagram.layout(nodes, ECSI_EDGES) == pos            # deterministic
    with pytest.raises(ValueError, match="cycle"):
        diagram.layers(["A", "B"], [("A", "B"), ("B", "A")])
    # several constructs in one layer never overlap
    wide = diagram.layout(["A", "B", "C", "D", "Y"], [("A", "Y"), ("B", "Y"), ("C", "Y"), ("D", "Y")])
    xs = sorted(wide[n][0] for n in "ABCD")
    assert min(np.diff(xs)) >= 1.0


def test_path_diagram_shows_names_r2_and_marks_in_both_languages(fit):
    import warnings

    from crmlab.report.theme import set_theme

    _, _, pls, boot, *_ = fit
    set_theme()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        for lang, loy, sat in (("en", "Loyalty", "Satisfaction"), ("zh", "顾客忠诚度", "顾客满意度")):
            with use_lang(lang):
                fig = diagram.plot_path_diagram(boot.paths, pls.r2_, pls.spec_.names, highlight="LOY~SAT")
                fig.canvas.draw()
            texts = [t.get_text() for t in fig.axes[0].texts]
            assert f"{loy}\nR² = {pls.r2_['LOY']:.2f}" in texts and sat + f"\nR² = {pls.r2_['SAT']:.2f}" in texts
            assert not [t for t in texts if t in ("IMAG", "SAT", "LOY") or "~" in t]
            sig = boot.paths[(boot.paths["ci_low"] > 0) | (boot.paths["ci_high"] < 0)]
            marks = [t for t in texts if t.endswith("*")]
            assert len(marks) == len(sig) and f"{boot.paths.loc['LOY~SAT', 'original']:.2f}*" in marks
            assert fig.get_size_inches()[0] <= 6.5 and min(t.get_fontsize() for t in fig.axes[0].texts) >= 11
            dashed = [p for p in fig.axes[0].patches if getattr(p, "get_linestyle", lambda: "-")() not in ("-", "solid")]
            assert len(dashed) == len(boot.paths) - len(sig)
            plt.close(fig)


def test_path_estimate_plot_names_paths_not_codes(fit):
    _, _, _, boot, *_ = fit
    fig = plots.plot_path_estimates(boot.paths)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Satisfaction → Loyalty" in labels and not [t for t in labels if "~" in t or "←" in t]


# ---------------------------------------------------------------------------------------------
# key findings and the closing summary
# ---------------------------------------------------------------------------------------------
def test_key_findings_from_this_runs_numbers_with_intervals(fit):
    sv, hyg, pls, boot, meas, cut, con = fit
    from crmlab.sem import ipma

    imap = ipma(pls, "LOY", scale=(0, 10))
    cb = type("CB", (), {"admissible": False})()
    kf = findings.key_findings(sv=sv, pls=pls, boot=boot, cut=cut, con=con, imap=imap, meas=meas, cb=cb)
    assert 3 <= len(kf) <= 6 and [k for _, k in kf] == ["pls", "pls", "not_loyal", "ipma", "measurement"]
    r = boot.paths.loc["LOY~SAT"]
    assert kf[0][0] == (f"**Satisfaction drives Loyalty**: path {r['original']:.2f} [{r['ci_low']:.2f}, "
                        f"{r['ci_high']:.2f}] (95% bootstrap interval). Customers one standard deviation more satisfied "
                        f"are about {r['original']:.2f} SD more loyal, the other drivers of Loyalty held fixed.")
    lo, hi = boot.r2.loc["LOY", ["ci_low", "ci_high"]]
    assert kf[1][0].startswith(f"**The model explains R² = {pls.r2_['LOY']:.2f} [{lo:.2f}, {hi:.2f}] of Loyalty**")
    # the merely vs completely satisfied, counted on the survey: 24 of 118 and 3 of 60 not loyal (Wilson intervals)
    assert kf[2][0].startswith("**20% [14%, 28%] of the merely satisfied are not loyal** (“Satisfaction: overall” 7-8, "
                               "n = 118), against 5% [2%, 14%] of the completely satisfied (≥ 9, n = 60): a gap of "
                               "15 [5, 24] percentage points")
    assert kf[3][0].startswith("**First place to improve for Loyalty: Satisfaction (total effect ")
    assert kf[4][0].startswith("**Caveat**: Expectations and Perceived quality (HTMT 0.98")
    assert kf[4][0].endswith("The covariance-based SEM of the same model is inadmissible for the same reason.")
    assert not [t for t, _ in kf if "~" in t or "SAT" in t or "LOY" in t]
    with use_lang("zh"):
        zh = findings.key_findings(sv=sv, pls=pls, boot=boot, cut=cut, con=con, imap=imap, meas=meas, cb=cb)
        assert zh[0][0].startswith(f"**顾客满意度驱动顾客忠诚度**：路径系数 {r['original']:.2f} [")
        assert zh[2][0].startswith("**仅仅满意的顾客中有 20% [14%, 28%] 不忠诚**（“满意度：总体评价” 7-8 分，n = 118）")


def test_the_path_finding_says_how_it_differs_between_groups_when_micom_allows():
    mg = type("MG", (), {"tests": pd.DataFrame({"path": ["LOY~SAT", "LOY~IMAG"], "group_a": "female",
                                                "group_b": "male", "estimate_a": [0.261, 0.47],
                                                "estimate_b": [0.716, 0.08], "p_value": [0.01, 0.025]})})()
    clause = findings.group_difference("LOY~SAT", mg, {"LOY~SAT|female-male": True}, "gender")
    assert clause == " It differs by Gender: female 0.26, male 0.72 (permutation p = 0.010)."
    assert findings.group_difference("LOY~SAT", mg, {"LOY~SAT|female-male": False}, "gender") == ""
    with use_lang("zh"):
        assert findings.group_difference("LOY~SAT", mg, None, "gender") == "该路径因性别而异：女 0.26，男 0.72（置换检验 p = 0.010）。"


def test_the_closing_summary_speaks_in_words_not_in_files(fit):
    sv, hyg, pls, boot, meas, cut, con = fit
    typ = pd.DataFrame({"type": ["apostle", "mercenary", "hostage", "defector"], "n": [151, 27, 23, 49]})
    for lang in ("en", "zh"):
        with use_lang(lang):
            s = findings.summary(sv=sv, hyg=hyg, pls=pls, boot=boot, cut=cut, con=con, typ=typ, meas=meas)
            assert "results.json" not in s and "tables/" not in s and "figures/" not in s and "~" not in s
            assert s.count("\n\n") == 2 and "**" not in s
    assert s.startswith("本研究使用了 250 名受访者（共读入 250 名，其中 1 名被标记但保留），模型有 6 个构念")
    with use_lang("en"):
        en = findings.summary(sv=sv, hyg=hyg, pls=pls, boot=boot, cut=cut, con=con, typ=typ, meas=meas)
    assert en.startswith("This study used 250 of 250 respondents (1 of them flagged and kept) and a model of 6 "
                         "constructs (Image, Expectations, Perceived quality, Perceived value, Satisfaction and "
                         "Loyalty) measured by 27 items.")
    assert "15% of the satisfied are mercenaries (satisfied but not loyal)" in en


def test_the_shape_finding_says_straight_line_or_threshold_in_both_languages():
    from crmlab.loyalty import ShapeResult

    def shape(best, threshold=float("nan")):
        return ShapeResult(table=pd.DataFrame(), best=best, best_aic=best, threshold=threshold, fitted={})

    assert findings.shape_finding(shape("linear"), shape("linear"), "sat1", "loy1") == (
        "**The link is a straight line**: cross-validation finds no threshold above which loyalty rises faster, on "
        "the construct scores and on the overall items. Every step up in satisfaction counts.")
    bent = findings.shape_finding(shape("piecewise", -1.234), shape("linear"), "sat1", "loy1")
    assert bent == ("**The link is not a straight line**: cross-validation prefers the piecewise form, with a "
                    "threshold at -1.2 SD of the satisfaction score, on the construct scores (on the overall items "
                    "“Satisfaction: overall” and “Loyalty: would choose the bank again”: linear); gains in satisfaction "
                    "count most around that point.")
    with use_lang("zh"):
        assert findings.shape_finding(shape("linear"), shape("linear"), "sat1", "loy1") == (
            "**二者呈直线关系**：交叉验证没有发现忠诚度在某个阈值之上加速上升（基于构念得分与总体题项）。"
            "满意度每提高一步都有作用。")
        assert findings.shape_finding(shape("piecewise", 0.5), shape("piecewise"), "sat1", "loy1").startswith(
            "**二者并非直线关系**：交叉验证选出的是分段线性（阈值）形式，阈值位于满意度得分 0.50 个标准差处"
            "（基于构念得分与总体题项）")
        assert findings.shape_finding(shape("spline"), shape("spline"), "sat1", "loy1") == (
            "**二者并非直线关系**：交叉验证选出的是曲线（样条）（基于构念得分与总体题项）；关系形状图显示了忠诚度上升最快的区间。")
