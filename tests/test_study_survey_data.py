"""Study 2 on a researcher's own data, built in each test from the bundled customerSat survey: a 1-5 survey,
mixed 1-5 and 1-7 items, text completion times and skip codes as survey platforms export them, a survey of
5 respondents and an Excel export. Each result is checked against the same data cleaned and counted by hand.

The slow test reads the bundled data's quick report: no bare ``q<digit>`` code in an English table before the
variables appendix. The notebook on a platform export runs in tests/test_scenario_own_exports.py.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError
from crmlab.studies.survey import steps
from crmlab.survey import item_distribution, top_box

ITEMS = [f"q{i}" for i in range(1, 11)]
DRIVERS = ITEMS[1:]


@pytest.fixture(scope="module")
def sat():
    return datasets.load_customer_sat()


def to_five(x):
    """1-10 answers on a 1-5 scale: 1-2 -> 1, 3-4 -> 2, ..., 9-10 -> 5."""
    return np.ceil(x / 2).astype(int)


def to_seven(x):
    """1-10 answers on a 1-7 scale: 1 + round((x - 1) * 6 / 9)."""
    return (1 + np.round((x - 1) * 6 / 9)).astype(int)


def _survey(df: pd.DataFrame, tmp_path: Path, name: str = "export.csv", **kw) -> steps.Survey:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return steps.open_survey(str(path), "q1", DRIVERS, **kw)


def test_a_one_to_five_survey_gets_its_own_scale_not_the_old_default_of_one_to_ten(sat, tmp_path):
    five = sat.apply(to_five)
    sv = _survey(five, tmp_path)
    hyg = steps.clean(sv)   # no codebook beside the file, no scales: inferred from the answers
    assert hyg.scales == dict.fromkeys(ITEMS, (1.0, 5.0)) and set(hyg.scale_source.values()) == {"inferred"}
    tb = top_box(hyg.data, ITEMS, scales=hyg.scales)
    # top-2-box on 1-5 = answers 4-5 = answers 7-10 of the original survey, counted by hand on the kept rows
    np.testing.assert_allclose(tb["top2box"], (sat.loc[hyg.data.index, ITEMS] >= 7).mean(), rtol=1e-12)
    assert (tb["top2box"] > 0.2).all()
    # the bug: read on the old default 1-10 scale, every item reported 0.0% top-2-box with status ok
    assert (top_box(hyg.data, ITEMS, scale_min=1, scale_max=10)["top2box"] == 0).all()
    # declared 1-10 by mistake, nothing lies outside the scale, so the report warns, naming each item
    wrong = steps.clean(sv, scale_min=1, scale_max=10)
    assert [(w["kind"], w["item"], w["observed"]) for w in wrong.warnings] == [("scale_unused", c, (1.0, 5.0))
                                                                               for c in ITEMS]
    from crmlab.report.i18n import use_catalog
    from crmlab.studies.survey import sentences, text

    use_catalog(text.CATALOG)
    words = sentences.hygiene_findings(wrong, ITEMS)
    assert ("Every answer to “q1” lies between 1 and 5, in the lower half of its declared scale 1-10: check that "
            "scale (`scales` or the codebook); on a wrong scale the top-2-box share is 0%.") in words
    assert not steps.clean(sv).warnings


def test_mixed_one_to_five_and_one_to_seven_items_each_on_their_own_scale(sat, tmp_path):
    mixed = sat.copy()
    mixed[ITEMS[:5]] = sat[ITEMS[:5]].apply(to_five)
    mixed[ITEMS[5:]] = sat[ITEMS[5:]].apply(to_seven)
    sv = _survey(mixed, tmp_path)
    hyg = steps.clean(sv)
    want = {**dict.fromkeys(ITEMS[:5], (1.0, 5.0)), **dict.fromkeys(ITEMS[5:], (1.0, 7.0))}
    assert hyg.scales == want
    declared = steps.clean(sv, scales={c: list(s) for c, s in want.items()})
    assert declared.scale_source == dict.fromkeys(ITEMS, "scales_parameter")
    pd.testing.assert_frame_equal(declared.data, hyg.data)
    df = hyg.data
    tb = top_box(df, ITEMS, scales=hyg.scales)
    np.testing.assert_allclose(tb.loc[ITEMS[:5], "top2box"], (df[ITEMS[:5]] >= 4).mean(), rtol=1e-12)
    np.testing.assert_allclose(tb.loc[ITEMS[5:], "top2box"], (df[ITEMS[5:]] >= 6).mean(), rtol=1e-12)
    np.testing.assert_allclose(tb.loc[ITEMS[5:], "bottom2box"], (df[ITEMS[5:]] <= 2).mean(), rtol=1e-12)
    dist = item_distribution(df, ITEMS, scales=hyg.scales)
    assert dist.loc["q2", [6, 7]].isna().all() and dist.loc["q7"].notna().all()
    from crmlab.drivers import KeyDriverAnalysis

    kda = KeyDriverAnalysis().fit(df, "q1", DRIVERS)
    ipm = kda.importance_performance(scales=hyg.scales)
    lo = np.array([1.0] * 4 + [1.0] * 5)
    hi = np.array([5.0] * 4 + [7.0] * 5)
    np.testing.assert_allclose(ipm["performance"], 100 * (df[DRIVERS].mean().to_numpy() - lo) / (hi - lo), rtol=1e-12)


def test_text_durations_and_skip_codes_give_the_hand_cleaned_survey(sat, tmp_path):
    rng = np.random.default_rng(7)
    secs = np.round(rng.lognormal(np.log(240), 0.5, len(sat))).astype(int)
    formats = [lambda s: f"{s}秒", lambda s: f"{s // 60}分{s % 60}秒", lambda s: f"00:{s // 60:02d}:{s % 60:02d}",
               lambda s: str(s)]
    export = sat.astype(object).copy()
    export.insert(0, "用时", [formats[i % 4](int(s)) for i, s in enumerate(secs)])
    export.insert(0, "序号", np.arange(1001, 1001 + len(sat)))
    skipped = {"q3": (range(10, 30), "(跳过)"), "q5": (range(40, 50), "-"), "q8": (range(60, 65), "N/A"),
               "q9": (range(70, 75), "不适用")}
    for col, (rows, code) in skipped.items():
        export.loc[list(rows), col] = code
    sv = _survey(export, tmp_path, columns=("用时", "序号"))
    hyg = steps.clean(sv, id_column="序号", duration_column="用时")
    # by hand: every skip code is a missing answer (those 40 respondents are excluded), speeders are below a
    # third of the median of the seconds, straight-liners and repeated answers among the rest are flagged
    missing = np.zeros(len(sat), dtype=bool)
    for rows, _ in skipped.values():
        missing[list(rows)] = True
    assert hyg.excluded_by_reason["missing"] == missing.sum() == 40
    fast = (secs < np.median(secs) / 3) & ~missing
    assert hyg.excluded_by_reason["speeder"] == fast.sum() > 0
    assert hyg.min_duration == pytest.approx(np.median(secs) / 3)
    kept = ~missing & ~fast
    assert hyg.data.index.tolist() == np.flatnonzero(kept).tolist()
    pd.testing.assert_frame_equal(hyg.data[ITEMS].astype(float), sat.loc[kept, ITEMS].astype(float))
    # "N/A" is read as an empty cell by the CSV reader already; the other codes are counted as codes
    assert hyg.recoded["missing_codes"] == {**dict.fromkeys(ITEMS, 0), "q3": 20, "q5": 10, "q9": 5}
    saved = steps.exclusions_table(hyg)
    assert saved.loc[saved["reason"] == "missing", "file_row"].tolist() == [r + 2 for r in np.flatnonzero(missing)]
    assert saved["respondent"].str.startswith("r_").all()


def test_unreadable_durations_and_likely_missing_codes_are_refused_naming_file_column_and_rows(sat, tmp_path):
    export = sat.head(200).assign(用时=["很快"] + ["129秒"] * 199)
    sv = _survey(export, tmp_path, columns=("用时",))
    with pytest.raises(DataError, match=r"export.csv: column '用时': completion times \['很快'\] are not durations "
                                        r"\(file rows 2\)"):
        steps.clean(sv, duration_column="用时")
    coded = sat.head(200).copy()
    coded.loc[[3, 17], "q4"] = 99
    sv = _survey(coded, tmp_path, name="coded.csv")
    with pytest.raises(DataError, match=r"coded.csv: item 'q4': the highest answer 99 \(file rows 5, 19\) looks like a "
                                        r"code for 'no answer'.*`missing_codes`"):
        steps.clean(sv)
    assert steps.clean(sv, missing_codes=[99]).excluded_by_reason["missing"] == 2


def test_a_survey_of_five_respondents_is_too_small_for_nine_drivers(sat, tmp_path):
    sv = _survey(sat.head(5), tmp_path, name="five.csv")
    hyg = steps.clean(sv)
    with pytest.raises(DataError, match=r"five.csv: too few respondents for 9 drivers: 5 usable of 5 read") as e:
        steps.check_sample(sv, hyg)
    assert "collinear" not in str(e.value)


def test_an_excel_export_is_read_from_the_named_sheet_like_its_csv(sat, tmp_path):
    path = tmp_path / "问卷导出.xlsx"
    data = sat.head(300).assign(用时=["2分10秒", "00:03:15", "188", "95秒"] * 75)
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame({"说明": ["平台导出"]}).to_excel(xl, sheet_name="说明", index=False)
        data.to_excel(xl, sheet_name="数据", index=False)
    by_name = steps.open_survey(str(path), "q1", DRIVERS, sheet="数据", columns=("用时",))
    by_position = steps.open_survey(str(path), "q1", DRIVERS, sheet=1, columns=("用时",))
    csv = _survey(data, tmp_path, columns=("用时",))
    pd.testing.assert_frame_equal(by_name.raw, by_position.raw)
    pd.testing.assert_frame_equal(by_name.raw, csv.raw, check_dtype=False)
    assert by_name.file == "问卷导出.xlsx"
    h_x, h_c = steps.clean(by_name, duration_column="用时"), steps.clean(csv, duration_column="用时")
    pd.testing.assert_frame_equal(h_x.data[ITEMS], h_c.data[ITEMS], check_dtype=False)
    assert h_x.min_duration == pytest.approx((130 + 188) / 2 / 3)   # median of 130, 195, 188, 95 seconds
    with pytest.raises(DataError, match=r"has 2 sheet\(s\) \['说明', '数据'\]; sheet number 5 does not exist"):
        steps.open_survey(str(path), "q1", DRIVERS, sheet=5)
    with pytest.raises(DataError, match=r"parameter 'outcome' names column\(s\) \['q1'\]"):
        steps.open_survey(str(path), "q1", DRIVERS)   # the first sheet holds notes, not the answers


# ---------------------------------------------------------------------------------------------
# the notebook on own data and on the bundled survey (crmlab run)
# ---------------------------------------------------------------------------------------------

def _tables_before_the_appendix(html: str) -> list[str]:
    body = html.split('id="sec-variables"')[0]
    return re.findall(r'<table class="[^"]*crmlab-table[^"]*".*?</table>', body, flags=re.S)


@pytest.mark.slow
@pytest.mark.xdist_group("studies")
def test_the_bundled_report_shows_names_not_codes_before_the_variables_appendix(quick_runs):
    base, procs = quick_runs   # every study's quick run, shared with the notebook and browser tests
    assert procs[0].returncode == 0, procs[0].stdout[-3000:] + procs[0].stderr[-3000:]
    html = (base / "run1" / "02_survey_regression" / "02_survey_regression.html").read_text(encoding="utf-8")
    shown = _tables_before_the_appendix(html)
    assert len(shown) >= 8 and not [t for t in shown if re.search(r">\s*q\d+\s*<", t)]
    assert "Appropriate pricing given volume" in html and 'id="key-findings"' in html
