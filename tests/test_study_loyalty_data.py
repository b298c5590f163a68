"""Study 1 on a researcher's own data, built in each test from the bundled ECSI survey: answers of 99 and -1
(codes for "no answer"), a 1-5 survey, Chinese construct names, an Excel export and a survey too small for its
model. Each result is checked against the same data cleaned and counted by hand; the cut-offs derived from the
answer scales reproduce the study's former defaults exactly on the 0-10 ECSI scale.

The notebook itself runs on an own export in tests/test_scenario_own_exports.py; a survey of five respondents
through ``crmlab run`` is a case of tests/test_bad_inputs.py.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab.core.errors import DataError, ParameterError
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.core.paths import data_dir
from crmlab.report import use_lang
from crmlab.report.i18n import current_catalog, use_catalog, use_codebook
from crmlab.sem import PLSPM
from crmlab.sem.data import load_survey
from crmlab.studies.loyalty import answers, findings, inputs, steps, tables, text

ECSI = data_dir() / "ecsi" / "satisfaction.csv"
CODEBOOK = data_dir() / "ecsi" / "codebook.yaml"
SAT_ITEMS = ["sat1", "sat2", "sat3", "sat4"]
ZH_MODEL = """
形象 =~ imag1 + imag2 + imag3 + imag4 + imag5
满意度 =~ sat1 + sat2 + sat3 + sat4
忠诚度 =~ loy1 + loy2 + loy3 + loy4
满意度 ~ 形象
忠诚度 ~ 形象 + 满意度
"""


@pytest.fixture(autouse=True)
def catalog():
    previous = current_catalog()
    use_catalog(text.CATALOG)
    yield
    use_catalog(previous)
    use_codebook(None)


@pytest.fixture(scope="module")
def ecsi():
    return load_survey(ECSI)


def _open(df: pd.DataFrame, tmp_path: Path, name: str = "export.csv", model=ECSI_MODEL, **kw) -> inputs.LoyaltySurvey:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return inputs.open_survey(str(path), model, kw.pop("satisfaction", "SAT"), kw.pop("loyalty", "LOY"), **kw)


def cronbach_alpha(X: pd.DataFrame) -> float:
    """Cronbach's alpha: k/(k-1) (1 - sum of item variances / variance of the sum)."""
    k = X.shape[1]
    return k / (k - 1) * (1 - X.var(ddof=1).sum() / X.sum(axis=1).var(ddof=1))


def _with_codes(ecsi: pd.DataFrame) -> tuple[pd.DataFrame, list[int], list[int]]:
    """ECSI with answers of 99 in sat1 (3 respondents) and -1 in sat3 (2 respondents), as exports code 'no answer'."""
    coded = ecsi.copy()
    nines, minus = [4, 50, 120], [7, 200]
    coded.loc[nines, "sat1"] = 99
    coded.loc[minus, "sat3"] = -1
    return coded, nines, minus


# ---------------------------------------------------------------------------------------------
# answers of 99 and -1
# ---------------------------------------------------------------------------------------------
def test_answers_of_99_and_minus_1_never_reach_the_models(ecsi, tmp_path):
    coded, nines, minus = _with_codes(ecsi)
    # the bug: taken as answers, the codes wreck satisfaction's reliability (alpha 0.89 on the survey as it is)
    assert cronbach_alpha(ecsi[SAT_ITEMS]) == pytest.approx(0.8945, abs=5e-4)
    assert cronbach_alpha(coded[SAT_ITEMS]) < 0.5
    # the codebook declares 0-10: the five respondents are excluded, named by item, value and file row
    sv = _open(coded, tmp_path, codebook=str(CODEBOOK))
    hyg = inputs.clean(sv)
    bad = sorted(nines + minus)
    assert sorted(hyg.exclusions["file_row"]) == [r + 2 for r in bad]
    assert set(hyg.exclusions["reason"]) == {"out_of_range"} and hyg.rows_used == 245
    by_hand = ecsi.drop(index=bad)
    pd.testing.assert_frame_equal(hyg.data[list(ecsi.columns)].reset_index(drop=True),
                                  by_hand.astype({c: float for c in sv.items}).reset_index(drop=True))
    assert cronbach_alpha(hyg.data[SAT_ITEMS]) == pytest.approx(cronbach_alpha(by_hand[SAT_ITEMS]), rel=1e-12)
    warned = {w["item"]: w for w in hyg.warnings if w["kind"] == "out_of_scale"}
    assert warned["sat1"]["file_rows"] == [r + 2 for r in nines] and warned["sat3"]["values"] == [-1.0]
    words = answers.hygiene_findings(hyg, sv.items)
    assert ("**Answers outside the scale** of “sat1” (0-10): 99, from file rows 6, 52, 122; those respondents are "
            "excluded (if such a value means “no answer”, list it in `missing_codes`).") in words
    # declared as missing codes, the same respondents drop out as missing answers, and the codes are counted
    hyg2 = inputs.clean(sv, missing_codes=[99, -1])
    assert sorted(hyg2.exclusions["file_row"]) == [r + 2 for r in bad] and set(hyg2.exclusions["reason"]) == {"missing"}
    assert hyg2.to_record()["missing_codes"] == {"sat1": 3, "sat3": 2}
    pd.testing.assert_frame_equal(hyg2.data[sv.items], hyg.data[sv.items])


def test_codes_without_a_codebook_or_in_bulk_are_refused_naming_item_rows_and_parameter(ecsi, tmp_path):
    coded, nines, _ = _with_codes(ecsi)
    sv = _open(coded, tmp_path)           # no codebook beside the file: scales are inferred and meet the code 99
    assert sv.codebook is None
    with pytest.raises(DataError, match=r"export\.csv: item 'sat1': the highest answer 99 \(file rows 6, 52, 122\) "
                                        r"looks like a code for 'no answer'.*`missing_codes`.*`scales`"):
        inputs.clean(sv)
    assert inputs.clean(sv, missing_codes=[99, -1]).rows_used == 245
    many = ecsi.copy()
    many.loc[::10, "loy2"] = 99           # 25 answers: the scale, not a few respondents, is wrong
    with pytest.raises(DataError, match=r"export\.csv: item 'loy2': 25 of 250 answers \(10%\) lie outside its scale "
                                        r"0-10 \(codebook\).*file rows 2, 12, 22, 32, 42 \(and 20 more\).*`scales`"):
        inputs.clean(_open(many, tmp_path, codebook=str(CODEBOOK)))
    with pytest.raises(ParameterError, match=r"parameter 'scales' names \['q1'\], which are not items"):
        inputs.clean(sv, scales={"q1": [1, 5]})


def test_out_of_scale_respondents_are_named_by_pseudonymous_id(ecsi, tmp_path):
    coded, nines, _ = _with_codes(ecsi)
    coded.insert(0, "respondent", [f"cust{i:03d}@example.com" for i in range(len(coded))])
    coded.loc[9, "respondent"] = coded.loc[8, "respondent"]          # a repeated id
    sv = _open(coded, tmp_path, codebook=str(CODEBOOK), columns={"id_column": "respondent"})
    hyg = inputs.clean(sv, id_column="respondent")
    assert hyg.excluded_by_reason["duplicate"] == 1 and hyg.exclusions.loc[
        hyg.exclusions["reason"] == "duplicate", "file_row"].tolist() == [11]
    words = answers.hygiene_findings(hyg, sv.items)
    assert "@" not in words and "from respondents r_" in words and "(file row 6)" in words
    saved = inputs.exclusions_table(hyg)
    assert saved["respondent"].str.startswith("r_").all() and not saved["respondent"].str.contains("@").any()


# ---------------------------------------------------------------------------------------------
# a 1-5 survey: scales inferred, cut-offs from the scale
# ---------------------------------------------------------------------------------------------
def to_five(x):
    """0-10 answers on a 1-5 scale: 0-1 -> 1, 2-3 -> 2, 4-5 -> 3, 6-7 -> 4, 8-10 -> 5."""
    return (np.minimum(np.floor(x / 2), 4) + 1).astype(int)


def test_a_one_to_five_survey_gets_its_own_scale_and_cut_offs(ecsi, tmp_path):
    five = ecsi.copy()
    items = [c for c in ecsi.columns if c != "gender"]
    five[items] = five[items].apply(to_five)
    sv = _open(five, tmp_path)
    hyg = inputs.clean(sv)
    assert set(hyg.scales.values()) == {(1.0, 5.0)} and set(hyg.scale_source.values()) == {"inferred"}
    cut = inputs.cutoffs(hyg.scales["sat1"], hyg.scales["loy1"], sat_item="sat1", loy_item="loy1")
    assert (cut.loyal_min, cut.satisfied_min, cut.completely_min, cut.merely) == (4, 4, 5, (4, 4))
    assert cut.levels == [["very dissatisfied", 1, 1], ["somewhat dissatisfied", 2, 2], ["neutral", 3, 3],
                          ["satisfied", 4, 4], ["highly satisfied", 5, 5]]
    s, l_ = hyg.data["sat1"], hyg.data["loy1"]
    con = steps.contrast(s, l_, cut)
    # counted by hand: merely = answer 4, completely = answer 5, not loyal = loyalty below 4
    merely, completely = five["sat1"] == 4, five["sat1"] == 5
    assert con["n_merely"] == merely.sum() and con["n_completely"] == completely.sum()
    assert con["not_loyal_merely"] == pytest.approx((five.loc[merely, "loy1"] < 4).mean(), rel=1e-12)
    assert con["not_loyal_completely"] == pytest.approx((five.loc[completely, "loy1"] < 4).mean(), rel=1e-12)
    assert inputs.empty_groups(s, l_, cut) == []
    # the former fixed defaults (loyal from 7, completely satisfied from 9) are refused on this scale, by name
    with pytest.raises(ParameterError, match=r"parameter 'completely_min' = 9 does not lie .* 1-5 answer scale of "
                                             r"'sat1'.*None to derive it from the scale"):
        inputs.cutoffs(hyg.scales["sat1"], hyg.scales["loy1"], sat_item="sat1", completely_min=9)
    with pytest.raises(ParameterError, match=r"parameter 'levels' covers 0-10, but 'sat1' is answered on 1-5"):
        inputs.cutoffs((1, 5), (1, 5), sat_item="sat1", levels=[["low", 0, 6], ["high", 7, 10]])
    line = answers.cutoffs_line(cut, "sat1", "loy1")
    assert line.startswith("**Cut-offs** (all derived from the answer scales): loyal is “loy1” ≥ 4 (on 1-5)")


def test_cut_offs_derived_from_the_scale_reproduce_the_former_defaults_on_0_to_10():
    cut = inputs.cutoffs((0, 10), (0, 10))
    assert (cut.loyal_min, cut.satisfied_min, cut.completely_min, cut.merely) == (7, 7, 9, (7, 8))
    assert cut.levels == [["very dissatisfied", 0, 2], ["somewhat dissatisfied", 3, 4], ["neutral", 5, 6],
                          ["satisfied", 7, 8], ["highly satisfied", 9, 10]]          # Kotler's five levels
    assert cut.derived == ["loyal_min", "satisfied_min", "completely_min", "merely", "levels"]
    assert [(c.satisfied_min, c.completely_min, c.merely) for c in
            (inputs.cutoffs((1, 7), (1, 7)), inputs.cutoffs((1, 10), (1, 10)))] == [(5, 6, (5, 5)), (7, 9, (7, 8))]
    given = inputs.cutoffs((0, 10), (1, 5), loyal_min=5, merely=[6, 8])
    assert given.loyal_min == 5 and given.merely == (6, 8) and "loyal_min" not in given.derived
    with pytest.raises(ParameterError, match="parameter 'merely'"):
        inputs.cutoffs((0, 10), (0, 10), merely=[8, 9])
    # an empty group names the parameters that change it
    groups = inputs.empty_groups([7, 8, 8], [9, 9, 10], cut)
    assert groups == [("completely", ("completely_min",)), ("dissatisfied", ("satisfied_min",)),
                      ("not_loyal", ("loyal_min",))]
    assert steps.contrast([7, 8, 8], [9, 9, 10], cut) is None
    line = answers.empty_groups_line(groups, cut, "sat1", "loy1")
    assert line.startswith("**Empty groups**: no respondent is completely satisfied (change `completely_min`); "
                           "below the satisfied cut-off (change `satisfied_min`); not loyal (change `loyal_min`).")
    with use_lang("zh"):
        assert answers.empty_groups_line(groups, cut, "sat1", "loy1").startswith(
            "**空组**：没有受访者属于以下组：完全满意（请调整 `completely_min`）；")


# ---------------------------------------------------------------------------------------------
# Chinese construct names, end to end through the steps
# ---------------------------------------------------------------------------------------------
def test_chinese_construct_names_run_from_the_file_to_the_key_findings(ecsi, tmp_path):
    sv = _open(ecsi, tmp_path, model=ZH_MODEL, satisfaction="满意度", loyalty="忠诚度", codebook=str(CODEBOOK))
    assert sv.spec.names == ["形象", "满意度", "忠诚度"] and (sv.sat_item, sv.loy_item) == ("sat1", "loy1")
    hyg = inputs.clean(sv)
    prep = steps.prepare(hyg.data, sv.spec, sv.sat_item, sv.loy_item)
    pls = PLSPM(sv.spec).fit(hyg.data, prepared=prep)
    boot = pls.bootstrap(60, seed=1)
    # the same model with ASCII names gives the same numbers
    ascii_model = ZH_MODEL.replace("形象", "IMAG").replace("满意度", "SAT").replace("忠诚度", "LOY")
    ref = PLSPM(ascii_model).fit(hyg.data)
    np.testing.assert_allclose(pls.paths_.to_numpy(), ref.paths_.to_numpy(), rtol=1e-12)
    cut = inputs.cutoffs(hyg.scales["sat1"], hyg.scales["loy1"])
    kf = findings.key_findings(sv=sv, pls=pls, boot=boot, cut=cut, con=steps.contrast(prep.items["sat1"],
                                                                                         prep.items["loy1"], cut))
    assert kf[0][0].startswith(f"**满意度 drives 忠诚度**: path {boot.paths.loc['忠诚度~满意度', 'original']:.2f} [")
    assert [k for _, k in kf] == ["pls", "pls", "not_loyal"]
    use_codebook(sv.codebook.terms())
    with use_lang("zh"):
        assert tables.pls_paths(pls.summary()).index.tolist() == ["形象 → 满意度", "形象 → 忠诚度", "满意度 → 忠诚度"]
        assert findings.key_findings(sv=sv, pls=pls, boot=boot, cut=cut)[0][0].startswith("**满意度驱动忠诚度**：路径系数")


# ---------------------------------------------------------------------------------------------
# Excel, too few respondents, columns that are not there
# ---------------------------------------------------------------------------------------------
def test_an_excel_export_is_read_from_the_named_sheet_like_its_csv(ecsi, tmp_path):
    path = tmp_path / "问卷导出.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame({"说明": ["平台导出"]}).to_excel(xl, sheet_name="说明", index=False)
        ecsi.to_excel(xl, sheet_name="数据", index=False)
    sv = inputs.open_survey(str(path), ECSI_MODEL, sheet="数据", codebook=str(CODEBOOK))
    pd.testing.assert_frame_equal(sv.raw, ecsi, check_dtype=False)
    assert sv.file == "问卷导出.xlsx" and not sv.bundled
    hyg = inputs.clean(sv)
    assert hyg.rows_used == 250 and hyg.flagged_by_reason["straight_liner"] == 1
    with pytest.raises(DataError, match=r"问卷导出.xlsx: the model \(parameter 'model'\) names item"):
        inputs.open_survey(str(path), ECSI_MODEL, sheet="说明")


def test_a_survey_too_small_for_its_model_is_refused_as_such(ecsi, tmp_path):
    sv = _open(ecsi.head(5), tmp_path, name="five.csv", codebook=str(CODEBOOK))
    hyg = inputs.clean(sv)
    assert inputs.minimum_sample(sv.spec) == (40, "SAT", 4)      # 10 x the 4 arrows into SAT; 27 items + 1 = 28
    with pytest.raises(DataError, match=r"five\.csv: too few respondents for this model: 5 usable of 5 read .* "
                                        r"more respondents than items .*parameter 'data'.*parameter 'model'"):
        inputs.check_sample(sv, hyg)
    small = _open(ecsi.head(35), tmp_path, codebook=str(CODEBOOK))  # estimable, below the ten-times rule: warned
    assert "fewer than the 40 the ten-times rule" in inputs.check_sample(small, inputs.clean(small))
    enough = _open(ecsi.head(40), tmp_path, codebook=str(CODEBOOK))
    assert inputs.check_sample(enough, inputs.clean(enough)) is None


def test_columns_named_by_the_model_or_a_parameter_must_be_in_the_file(ecsi, tmp_path):
    with pytest.raises(DataError, match=r"export\.csv: the model \(parameter 'model'\) names item\(s\) \['loy4'\]"):
        _open(ecsi.drop(columns="loy4"), tmp_path)
    with pytest.raises(DataError, match=r"parameter 'satisfaction_item' names column 'overall'.*its columns: imag1"):
        _open(ecsi, tmp_path, satisfaction_item="overall")
    with pytest.raises(DataError, match=r"parameter 'group' names column 'region'"):
        _open(ecsi, tmp_path, columns={"group": "region"})
    with pytest.raises(ParameterError, match="loyalty construct 'LOYAL' is not in the model"):
        _open(ecsi, tmp_path, loyalty="LOYAL")


# ---------------------------------------------------------------------------------------------
# with and without the flagged respondents; the appendix; the introduction
# ---------------------------------------------------------------------------------------------
def test_results_without_the_flagged_respondent_are_the_model_refitted_without_them(ecsi):
    sv = inputs.open_survey(str(ECSI), ECSI_MODEL)
    hyg = inputs.clean(sv)
    assert hyg.flags["file_row"].tolist() == [194] and hyg.rows_used == 250      # the one straight-liner, kept
    pls = PLSPM(sv.spec).fit(hyg.data)
    boot = pls.bootstrap(100, seed=2)
    cut = inputs.cutoffs(hyg.scales["sat1"], hyg.scales["loy1"])
    con = steps.contrast(hyg.data["sat1"], hyg.data["loy1"], cut)
    wf = steps.without_flagged(hyg, sv, pls, boot, cut, con)
    by_hand = PLSPM(ECSI_MODEL).fit(ecsi.drop(index=192))
    np.testing.assert_allclose(pd.Series(wf.record["pls"]["paths"]), by_hand.paths_, rtol=1e-12)
    assert wf.table.loc["respondents"].tolist()[:2] == [250, 249] and wf.changed == []
    assert "path:LOY~SAT" in wf.headline and "path:QUAL~EXPE" not in wf.headline
    assert answers.flagged_findings(wf, hyg, "SAT", "LOY").endswith("the conclusions do not depend on them.")
    shown = tables.without_flagged(wf.table, wf.headline)
    assert shown.index.tolist()[0] == "respondents" and "IMAG → LOY" in shown.index
    # nothing flagged: no comparison, said so
    assert steps.without_flagged(inputs.clean(sv, straightliners="exclude"), sv, pls, boot, cut, con) is None


def test_variables_appendix_lists_codes_labels_constructs_and_scales(ecsi):
    sv = inputs.open_survey(str(ECSI), ECSI_MODEL, columns={"group": "gender"})
    assert sv.bundled and sv.codebook is not None
    hyg = inputs.clean(sv)
    var = inputs.variables_table(sv, hyg)
    assert var.index.tolist() == sv.spec.items + ["gender"]
    assert var.loc["sat1", ["label_en", "construct", "role", "scale_min", "scale_max", "scale_source"]].tolist() == [
        "Satisfaction: overall", "SAT", "satisfaction_item", 0.0, 10.0, "codebook"]
    use_codebook(sv.codebook.terms())
    with use_lang("zh"):
        shown = tables.variables(var)
        assert shown.loc[shown["变量"] == "imag1"].iloc[0].tolist() == ["imag1", "形象：声誉", "企业形象 (IMAG)",
                                                                       "模型题项", "0-10", "编码表", "否"]
        assert tables.constructs(inputs.constructs_table(sv)).iloc[0].tolist() == ["IMAG", "企业形象", "反映型", "5",
                                                                                    "0"]


def test_the_introduction_describes_the_users_file_not_the_bundled_survey(ecsi, tmp_path):
    sv = _open(ecsi, tmp_path, name="my survey_2024.csv", codebook=str(CODEBOOK), columns={"group": "gender"})
    use_codebook(sv.codebook.terms())
    values = inputs.intro_values(sv)
    assert values["file"] == "my survey\\_2024.csv" and values["rows"] == "250" and values["n_items"] == "27"
    assert values["constructs"] == ("Image, Expectations, Perceived quality, Perceived value, Satisfaction and "
                                    "Loyalty") and values["extra"] == "; groups compared by “Gender”"
    intro = text.CATALOG.section("intro_own", **values)
    assert "my survey\\_2024.csv, 250 respondents and 28 columns" in intro and "Spanish bank" not in intro
    with use_lang("zh"):
        zh = text.CATALOG.section("intro_own", **inputs.intro_values(sv))
        assert "**顾客满意度是否驱动顾客忠诚度？" in zh and "250 名受访者，28 列" in zh and "分组变量为“性别”" in zh


def test_hygiene_and_cut_off_sentences_in_chinese(ecsi, tmp_path):
    coded, _, _ = _with_codes(ecsi)
    sv = _open(coded, tmp_path, codebook=str(CODEBOOK))
    hyg = inputs.clean(sv)
    use_codebook(sv.codebook.terms())
    with use_lang("zh"):
        words = answers.hygiene_findings(hyg, sv.items)
        assert words.startswith("**结果解读**：共读入 250 名受访者，使用 245 名（98%）。排除：超出量表范围 5 人。"
                                "1 名受访者被标记但保留（直线作答 1 人）")
        assert ("**超出量表的答案**：“满意度：总体评价”（0-10 分）出现 99，来自文件第 6、52、122 行；这些受访者已被排除"
                "（若该取值表示“未作答”，请列入 `missing_codes`）。") in words
        cut = inputs.cutoffs((0, 10), (0, 10))
        assert answers.cutoffs_line(cut, "sat1", "loy1") == (
            "**分界值**（均按量表确定）：忠诚为“忠诚度：会再次选择该银行” ≥ 7（0-10 分量表）；满意为“满意度：总体评价” ≥ 7，"
            "完全满意 ≥ 9，仅仅满意为 7-8 分（0-10 分量表）；满意度等级：非常不满意 0-2、有些不满意 3-4、中立 5-6、"
            "满意 7-8、非常满意 9-10。")


def test_a_group_column_with_one_large_group_and_a_constant_item_are_named_not_tracebacks(ecsi, tmp_path):
    from crmlab.studies.loyalty import sentences

    one = ecsi.assign(gender=["male"] * 240 + ["female"] * 10)
    sv = _open(one, tmp_path, codebook=str(CODEBOOK), columns={"group": "gender"})
    assert steps.run_multigroup(one, sv.spec, "gender", n_permutations=5, seed=1) is None
    assert steps.run_multigroup(one, sv.spec, None) is None
    use_codebook(sv.codebook.terms())
    assert sentences.multigroup_line(None, group="gender") == (
        "No two groups of Gender have at least 20 complete respondents: the multi-group comparison cannot run "
        "(parameter `group`; None: no comparison).")
    flat = ecsi.assign(sat2=5)
    with pytest.raises(DataError, match=r"export\.csv: constant items carry no information: item 'sat2' of construct "
                                        r"'SAT' \(always 5\) \(parameter 'model' names the items\)"):
        steps.prepare(flat, sv.spec, "sat1", "loy1", file="export.csv")
