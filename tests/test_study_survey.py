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
from crmlab.core.privacy import pseudonymize  # noqa: E402
from crmlab.drivers import KeyDriverAnalysis, importance_performance  # noqa: E402
from crmlab.report import fmt_num, use_lang  # noqa: E402
from crmlab.report.i18n import GLOSSARY, use_catalog  # noqa: E402
from crmlab.report.narrative import readable  # noqa: E402
from crmlab.core.codebook import load_codebook  # noqa: E402
from crmlab.studies.survey import plots, steps, tables, text  # noqa: E402
from crmlab.survey import clean_survey, item_distribution  # noqa: E402
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


def test_open_survey_checks_every_column_a_parameter_names_and_finds_the_codebook(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"y": [1, 2], "a": [3, 4], "b": [5, 6], "rec": [9, 10], "w": [1.0, 2.0]}).to_csv(path, index=False)
    sv = steps.open_survey(str(path), "y", ["a", "b"], nps_item="rec", columns=("w", None))
    assert sv.raw.shape == (2, 5) and sv.items == ["y", "a", "b"] and sv.check_items == ["y", "a", "b", "rec"]
    assert sv.file == "s.csv" and not sv.bundled and sv.codebook is None
    with pytest.raises(DataError, match=r"s.csv: missing column\(s\) \['seg'\]"):
        steps.open_survey(str(path), "y", ["a", "b"], columns=("w", "seg"))
    with pytest.raises(DataError, match=r"s.csv: parameter 'drivers' names column\(s\) \['q9'\] that the file does not "
                                        r"have; its columns: y, a, b, rec, w"):
        steps.open_survey(str(path), "y", ["a", "q9"])
    with pytest.raises(ParameterError, match="'drivers' names 1 driver"):
        steps.open_survey(str(path), "y", ["a"])
    (tmp_path / "codebook.yaml").write_text("columns:\n  y: {en: Overall, zh: 总体, min: 1, max: 5}\n", encoding="utf-8")
    assert steps.open_survey(str(path), "y", ["a", "b"]).codebook.scales() == {"y": (1.0, 5.0)}
    bundled = steps.open_survey("data/customersat/customer_sat.csv", "q1", DRIVERS)
    assert bundled.bundled and bundled.codebook.label("q4") == "Appropriate pricing given volume"


def test_scales_come_from_the_parameter_then_scale_min_max_then_the_codebook_and_nps_is_0_to_10(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"y": [1, 2], "a": [3, 4], "b": [5, 6], "rec": [9, 10]}).to_csv(path, index=False)
    (tmp_path / "codebook.yaml").write_text("columns:\n  a: {min: 1, max: 7}\n  b: {min: 1, max: 9}\n",
                                            encoding="utf-8")
    sv = steps.open_survey(str(path), "y", ["a", "b"], nps_item="rec")
    assert steps.declared_scales(sv, {"b": [0, 10]}) == (
        {"b": (0.0, 10.0), "a": (1.0, 7.0), "rec": (0.0, 10.0)},
        {"b": "scales_parameter", "a": "codebook", "rec": "nps_scale"})   # "y" is left to be inferred
    scales, src = steps.declared_scales(sv, {"b": [0, 10]}, scale_min=1, scale_max=5)
    assert scales == {"b": (0.0, 10.0), "y": (1.0, 5.0), "a": (1.0, 5.0), "rec": (0.0, 10.0)}
    assert src["a"] == "scale_min/scale_max"
    with pytest.raises(ParameterError, match=r"'scales' names \['zz'\], which are not the outcome, a driver or the NPS"):
        steps.declared_scales(sv, {"zz": [1, 5]})
    with pytest.raises(ParameterError, match=r"the scale of 'a' must be \[lowest, highest\]"):
        steps.declared_scales(sv, {"a": [5, 1]})
    with pytest.raises(ParameterError, match="give both 'scale_min' and 'scale_max'"):
        steps.declared_scales(sv, scale_min=1)


def test_clean_gives_the_nps_item_its_own_0_to_10_range_and_names_rows_by_file_row():
    raw = pd.DataFrame({"y": [1, 5, 7, 9, 4], "a": [2, 6, 3, 8, 4], "b": [3, 4, 8, 2, 6], "rec": [0, 10, 11, 5, 7]})
    sv = steps.Survey(raw, "s.csv", "s.csv", False, None, "y", ["a", "b"], "rec", ["y", "a", "b"],
                      ["y", "a", "b", "rec"])
    hyg = steps.clean(sv, scale_min=1, scale_max=9)
    ref = clean_survey(raw, ["y", "a", "b", "rec"], required=["y", "a", "b"], scale_min=1, scale_max=9,
                       extra_ranges={"rec": (0, 10)})
    assert hyg.exclusions.to_dict() == ref.exclusions.to_dict()
    # rows 0 and 1 answer the NPS item 0 and 10, outside the 1-9 scale of the ratings but inside 0-10
    assert hyg.exclusions["file_row"].tolist() == [4] and hyg.exclusions["reason"].tolist() == ["out_of_range"]
    saved = steps.exclusions_table(hyg)
    assert saved.to_dict(orient="list") == {"file_row": [4], "reason": ["out_of_range"], "action": ["excluded"],
                                            "detail": ["rec=11"]}
    with pytest.raises(DataError, match=r"^s.csv: item 'y': .* lie outside its scale 1-3 \(scale_min/scale_max\)"):
        steps.clean(sv, scale_min=1, scale_max=3)


def test_exclusion_table_names_respondents_by_pseudonym_and_file_row():
    raw = pd.DataFrame({"id": ["ann@x.cn", "bob@x.cn", "ann@x.cn", "cy@x.cn"], "y": [1, 2, 3, 2], "a": [4, 2, 5, 2],
                        "b": [2, 3, 4, 2]})
    sv = steps.Survey(raw, "s.csv", "s.csv", False, None, "y", ["a", "b"], None, ["y", "a", "b"], ["y", "a", "b"])
    hyg = steps.clean(sv, scale_min=1, scale_max=5, id_column="id")
    saved = steps.exclusions_table(hyg)
    assert saved[["file_row", "reason", "action"]].values.tolist() == [[4, "duplicate", "excluded"],
                                                                       [5, "straight_liner", "flagged"]]
    assert saved["respondent"].tolist() == pseudonymize(["ann@x.cn", "cy@x.cn"], prefix="r_").tolist()
    assert not saved["respondent"].str.contains("@").any()


def test_too_few_respondents_for_the_drivers_is_named_with_the_counts_and_parameters():
    sat = datasets.load_customer_sat()
    sv = steps.Survey(sat.iloc[:5], "five.csv", "five.csv", False, None, "q1", DRIVERS, None, ["q1"] + DRIVERS,
                      ["q1"] + DRIVERS)
    hyg = steps.clean(sv, scale_min=1, scale_max=10)
    with pytest.raises(DataError, match=r"five.csv: too few respondents for 9 drivers: 5 usable of 5 read \(0 excluded "
                                        r"by the hygiene checks\)\. A regression on 9 drivers needs at least 11 .*"
                                        r"parameter 'data'.*parameter 'drivers'"):
        steps.check_sample(sv, hyg)


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
# display copies, captions, figures
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def codebook():
    from crmlab.report.i18n import use_codebook

    cb = load_codebook("data/customersat/codebook.yaml")
    use_codebook(cb.terms())
    yield cb
    use_codebook(None)


def test_display_tables_translate_names_but_not_numbers(codebook):
    summary = pd.DataFrame({"action": ["flagged", "used"], "rows": [3, 97], "example_rows": ["2, 3, 6", ""]},
                           index=pd.Index(["straight_liner", "kept"], name="reason"))
    with use_lang("zh"):
        zh = tables.hygiene_table(summary)
        thr = tables.thresholds_table(pd.Series([0.1, 0.2], index=pd.Index(["1|2", "2|3"], name="threshold"),
                                                name="threshold"))
        ipm = readable(importance_performance({"a": 40, "b": 10}, {"a": 5, "b": 9}, 1, 10), words=["quadrant"])
        tb = tables.top_box_table(pd.DataFrame({"mean": [5.87], "mean_0_100": [54.1], "top2box": [0.133],
                                                "bottom2box": [0.1]}, index=pd.Index(["q1"], name="item")))
    assert list(zh.columns) == ["处理", "行数", "示例（文件行号）"] and zh["行数"].tolist() == ["3", "97"]
    assert zh.index.name == "原因" and list(zh.index) == ["直线作答", "使用的受访者"] and zh["处理"].tolist() == ["标记并保留", "使用"]
    en = tables.hygiene_table(summary)
    assert list(en.columns) == ["action", "rows", "example file rows"] and list(en.index) == ["straight-liner",
                                                                                             "respondents used"]
    assert list(summary.columns) == ["action", "rows", "example_rows"]   # the saved frame is untouched
    assert thr.index.tolist() == ["阈值"] and thr.columns.name == "阈值" and thr.iloc[0].tolist() == ["0.100", "0.200"]
    assert list(ipm.columns) == ["重要性（占 R² 的百分比）", "绩效（0-100）", "象限"]
    assert ipm["象限"].tolist() == ["重点改进", "过度投入"]
    assert tb.to_dict(orient="index") == {"总体满意度": {"均值": "5.87", "均值（换算为 0-100）": "54.1",
                                                     "高分两档占比": "13.3%", "低分两档占比": "10.0%"}}


def test_importance_table_merges_intervals_with_their_95_percent_label(codebook):
    imp = pd.DataFrame({"shapley": [0.0796], "share_pct": [11.77], "relative_weight": [0.0839], "rank": [3],
                        "vif": [2.81298], "mean": [5.67], "shapley_ci_low": [0.0669], "shapley_ci_high": [0.0940],
                        "relative_weight_ci_low": [0.0712], "relative_weight_ci_high": [0.098],
                        "rank_ci_low": [3], "rank_ci_high": [4], "p_top_rank": [0.123]},
                       index=pd.Index(["q2"], name="driver"))
    en = tables.importance_table(imp)
    assert en.to_dict(orient="list") == {"Shapley share [95% CI]": ["0.080 [0.067, 0.094]"], "share of R² (%)": ["11.8"],
                                         "relative weight [95% CI]": ["0.084 [0.071, 0.098]"],
                                         "rank [95% CI]": ["3 [3, 4]"], "ranks first in": ["12.3%"], "VIF": ["2.81"]}
    assert en.index.tolist() == ["Setting competitive prices"] and en.index.name == "driver"
    with use_lang("zh"):
        zh = tables.importance_table(imp)
        point = tables.importance_table(imp[["shapley", "share_pct", "relative_weight", "rank", "vif"]])
    assert list(zh.columns) == ["Shapley 值 [95% 置信区间]", "占 R² 比例 (%)", "相对权重 [95% 置信区间]",
                                "排名 [95% 置信区间]", "排名第一的概率", "VIF"] and zh.index.name == "驱动因素"
    assert list(point.columns) == ["Shapley 值", "占 R² 比例 (%)", "相对权重", "排名", "VIF"]
    assert zh.index.tolist() == ["价格有竞争力"]


def test_ordinal_profile_and_nps_tables(codebook):
    cmp = pd.DataFrame({"ordinal_coef": [0.151], "odds_ratio": [1.163], "ordinal_p": [1e-6], "ols_coef": [0.112],
                        "ols_p_hc3": [0.0234], "ordinal_d_expected": [0.109], "odds_ratio_ci_low": [1.10],
                        "odds_ratio_ci_high": [1.23], "ols_coef_ci_low": [0.06], "ols_coef_ci_high": [0.17]},
                       index=pd.Index(["q2"], name="driver"))
    shown_cmp = tables.ordinal_table(cmp)
    assert shown_cmp.iloc[0].tolist() == ["0.151", "1.16 [1.10, 1.23]", "< 0.001", "0.11 [0.06, 0.17]", "0.023", "0.109"]
    assert shown_cmp.index.tolist() == ["Setting competitive prices"]
    probs = pd.DataFrame([[0.9996, 0.0004]], index=["all at median"], columns=pd.Index([1.0, 2.0], name="q1"))
    assert tables.profile_table(probs).columns.name == "Overall satisfaction"
    with use_lang("zh"):
        shown = tables.profile_table(probs)
        seg = tables.nps_segment_table(pd.DataFrame({"n": [10], "score": [20.0], "ci_low": [-34.2],
                                                     "ci_high": [74.2]}, index=pd.Index(["all"], name="segment")))
    assert shown.index.tolist() == ["所有驱动因素取中位数"] and shown.iloc[0].tolist() == ["100%", "< 0.1%"]
    assert list(shown.columns) == ["1", "2"] and shown.columns.name == "总体满意度"
    assert seg.to_dict(orient="list") == {"样本数": ["10"], "净推荐值 NPS [95% 置信区间]": ["20 [-34, 74]"]}
    assert seg.index.tolist() == ["全部"]


def test_without_flagged_and_variables_tables_show_names_and_words(codebook):
    cmp = pd.DataFrame({"with_flagged": [1811, 0.717, 0.170, "q4", "q2", None],
                        "without_flagged": [1677, 0.676, 0.133, "q4", "q2", "q6"]},
                       index=pd.Index(["respondents", "r2", "outcome_top2box", "top_driver_1", "improvement_candidate_1",
                                       "improvement_candidate_2"], name="result"), dtype=object)
    en = tables.without_flagged_table(cmp)
    assert en.to_dict(orient="list") == {"all respondents used": ["1,811", "0.717", "17.0%", "Appropriate pricing given volume",
                                                                  "Setting competitive prices", "-"],
                                         "without the flagged": ["1,677", "0.676", "13.3%",
                                                                 "Appropriate pricing given volume",
                                                                 "Setting competitive prices",
                                                                 "Reaching a large number of customers"]}
    assert en.index.tolist() == ["respondents", "R² explained by the drivers", "top-2-box of the outcome",
                                 "driver ranked 1", "improvement candidate 1", "improvement candidate 2"]
    variables = pd.DataFrame({"label_en": ["Overall satisfaction", ""], "label_zh": ["总体满意度", ""],
                              "role": ["outcome", "driver"], "scale_min": [1.0, 0.0], "scale_max": [10.0, 6.0],
                              "scale_source": ["codebook", "inferred"], "reverse": [False, True]},
                             index=pd.Index(["q1", "x"], name="variable"))
    with use_lang("zh"):
        zh = tables.variables_table(variables)
    assert zh.to_dict(orient="list") == {"变量": ["q1", "x"], "名称": ["总体满意度", "-"], "角色": ["结果变量", "驱动因素"],
                                         "量表": ["1-10", "0-6"], "量表来源": ["编码表", "由作答推断"],
                                         "反向计分": ["否", "是"]}


def test_captions_need_their_values_and_bootstrap_words_follow_the_fit(kda, sat, codebook):
    values = {"outcome": "“x”", "segment": "“region”", "n": "134"}
    for lang in ("en", "zh"):
        with use_lang(lang):
            for key in text.TEXTS:
                words = {"r2": "0.676", **text.bootstrap_words(kda)}
                assert "{" not in text.CATALOG.text(key, **values, **words), key
    assert text.CATALOG.text("driver_shares", outcome=text.label("q1"), **text.bootstrap_words(kda)) == (
        "Shapley share of R² per driver of “Overall satisfaction” with 95% bootstrap intervals.")
    plain = KeyDriverAnalysis().fit(sat, "q1", ["q2", "q4"])
    assert text.CATALOG.text("driver_importance", outcome=text.label("q1"), **text.bootstrap_words(plain)) == (
        "Importance of each driver of “Overall satisfaction”: Shapley share of R² and relative weight, rank, and VIF.")
    with use_lang("zh"):
        assert text.CATALOG.text("driver_shares", outcome=text.label("q1"), **text.bootstrap_words(plain)) == (
            "“总体满意度”各驱动因素的 Shapley 值（对 R² 的贡献）。")


def test_one_chinese_term_per_concept_and_every_term_in_both_languages():
    # the study uses the shared glossary's terms (ci_low is 置信区间下限 everywhere) and does not redefine them
    assert not set(text.TERMS) & set(GLOSSARY)
    for name, entry in text.TERMS.items():
        assert entry.get("en") and entry.get("zh"), name
        if name.endswith(" [CI]"):
            assert entry["zh"].endswith("[95% 置信区间]") and entry["en"].endswith("[95% CI]")
    # one Chinese word per concept: no two terms share a Chinese label unless they share the English one
    by_zh = {}
    for name, entry in text.TERMS.items():
        by_zh.setdefault(entry["zh"], set()).add(entry["en"])
    assert all(len(en) == 1 for en in by_zh.values()), {zh: en for zh, en in by_zh.items() if len(en) > 1}


def _texts(ax):
    return ([ax.get_title(), ax.get_xlabel(), ax.get_ylabel()] + [t.get_text() for t in ax.texts]
            + [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
            + ([t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []))


def test_figure_labels_name_the_items_in_both_languages_and_never_show_a_code(kda, sat, codebook):
    from crmlab.report.theme import set_theme

    with matplotlib.rc_context():
        set_theme()   # the CJK face, as in a report
        _figure_labels(kda, sat)


def _figure_labels(kda, sat):
    with use_lang("zh"):
        ax = plots.importance_performance(kda.importance_performance(1, 10)).axes[0]
        shares = plots.driver_shares(kda).axes[0]
        div = plots.item_distributions(item_distribution(sat, ["q1", "q2"], 1, 10)).axes[0]
        corr = plots.item_correlations(sat, ["q1", "q2"]).axes[0]
    assert {"重点改进", "继续保持", "低优先级", "过度投入", "按用量合理定价"} <= {t.get_text() for t in ax.texts}
    assert ax.get_xlabel().startswith("绩效") and ax.get_ylabel().startswith("重要性")
    assert ax.get_title() == "重要性-绩效分析图"
    assert shares.get_title() == "总体满意度的关键驱动因素" and f"R² = {fmt_num(kda.r2_)}" in shares.get_xlabel()
    assert [t.get_text() for t in shares.get_yticklabels()][-1] == "按用量合理定价"   # the largest share on top
    assert div.get_title() == "各题项的作答分布" and div.get_xlabel().startswith("作答比例")
    assert [t.get_text() for t in div.get_yticklabels()] == ["总体满意度", "价格有竞争力"]
    assert corr.get_title() == "题项间的相关系数"
    en_axes = [plots.importance_performance(kda.importance_performance(1, 10)).axes[0], plots.driver_shares(kda).axes[0],
               plots.item_distributions(item_distribution(sat, ["q1"] + DRIVERS, 1, 10)).axes[0],
               plots.item_correlations(sat, ["q1"] + DRIVERS).axes[0]]
    assert en_axes[1].get_title() == "Key drivers of Overall satisfaction"
    assert en_axes[3].get_title() == "Item correlations"
    assert {"Concentrate here", "Keep up the good work", "Low priority", "Possible overkill"} <= set(_texts(en_axes[0]))
    assert "Appropriate pricing\ngiven volume" in _texts(en_axes[0])
    for ax in en_axes:
        assert not [t for t in _texts(ax) if re.search(r"\bq\d+\b", t)], _texts(ax)
    # labels of the map do not cover one another
    fig = en_axes[0].figure
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in en_axes[0].texts if type(t).__name__ == "Annotation"]
    assert len(boxes) == 4 and not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


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
    from crmlab.run.params import parse_parameters_source

    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert all(c["cell_type"] == "code" and c["outputs"] == [] and c["execution_count"] is None for c in cells)
    params = cells[0]
    assert "parameters" in params["metadata"]["tags"]
    declared = parse_parameters_source("".join(params["source"]))
    assert all(p.description for p in declared.values()), [n for n, p in declared.items() if not p.description]
    assert declared["straightliners"].default == "flag" and declared["duplicates"].default == "flag"
    assert declared["scale_min"].default is None and declared["scales"].default == {}
    code = ["".join(c["source"]) for c in cells[1:]]
    assert "study.setup(lang, data=data, sheet=sheet, codebook=codebook" in code[0]
    keys = [re.match(r'section\("(\w+)"\)', src).group(1) for src in code[1:]]
    assert keys == ["hygiene", "descriptives", "nps", "ordinal", "weights", "drivers", "scale_usage", "flagged",
                    "summary", "variables"]
    assert "key_findings(findings.key_findings(" in code[keys.index("summary") + 1]
    for src in code:
        assert "pick(" not in src and "Markdown" not in src and "display(" not in src.replace("display=", "")
        assert "lang" not in src.replace("study.setup(lang", "")
    for lang in ("en", "zh"):
        with use_lang(lang):
            for intro in ("intro", "intro_own"):
                assert text.CATALOG.section(intro, rows="10", file="f.csv", columns="3", outcome="“y”",
                                            n_drivers="2", drivers="“a” and “b”", extra="").startswith("# ")
            for key in keys:
                assert text.CATALOG.section(key).startswith("## ")
