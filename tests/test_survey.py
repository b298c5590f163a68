"""Survey hygiene, descriptives and NPS.

References: exact recomputation by hand on small frames; the NPS variance is
the multinomial variance of a difference of two shares,
``[p_P + p_D - (p_P - p_D)^2] / n`` (Rocks 2016, MeasuringU, "Confidence
intervals for the Net Promoter Score"), checked by hand and by coverage.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.survey import (
    REASONS,
    TEXT_MISSING,
    clean_survey,
    declared_scales,
    exclusions_table,
    infer_scale,
    infer_scales,
    item_distribution,
    nps,
    nps_by_segment,
    plot_correlation,
    plot_diverging,
    parse_durations,
    to_numeric_answers,
    top_box,
    validate_items,
)

ITEMS = ["a", "b", "c", "d"]


def messy():
    return pd.DataFrame(
        {
            "a": [5, 4, "seven", 3, 2, 5, 4, 1, 3, 4],
            "b": [4, 4, 3, 11, 2, 5, 4, 2, 3, 5],
            "c": [3, 4, 3, 3, 99, 5, 4, 3, None, 2],
            "d": [2, 4, 2, 2, 2, 5, 4, 4, 3, 1],
        },
        index=[10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
    )


def test_hygiene_excludes_unusable_rows_and_flags_straight_liners_by_default():
    rep = clean_survey(messy(), ITEMS, scale_min=1, scale_max=5, missing_codes=[99])
    assert dict(zip(rep.exclusions["row"], rep.exclusions["reason"])) == {
        12: "non_numeric",      # "seven"
        13: "out_of_range",     # b = 11
        14: "missing",          # c = 99 is a missing code
        18: "missing",          # c = None
    }
    # 4,4,4,4 / 5,5,5,5 / 4,4,4,4 again: flagged, kept (the repeat is a straight-liner first)
    assert dict(zip(rep.flags["row"], rep.flags["reason"])) == {11: "straight_liner", 15: "straight_liner",
                                                                16: "straight_liner"}
    assert rep.rows_in == 10 and rep.rows_used == 6 and rep.rows_flagged == 3
    assert sum(rep.excluded_by_reason.values()) == rep.rows_in - rep.rows_used
    assert rep.data.index.tolist() == [10, 11, 15, 16, 17, 19]
    assert rep.data_unflagged.index.tolist() == [10, 17, 19]
    # rows are named by their line in the file: position + 2 below the header
    assert rep.exclusions.set_index("row")["file_row"].to_dict() == {12: 4, 13: 5, 14: 6, 18: 10}
    assert rep.recoded["missing_codes"]["c"] == 1
    assert "seven" in rep.exclusions.set_index("row").loc[12, "detail"]
    s = rep.summary()
    assert s.loc["kept", "rows"] == 6 and s.loc["missing", "rows"] == 2
    assert s.loc["straight_liner"].tolist() == ["flagged", 3, "3, 7, 8"]
    assert s.loc["missing", "example_rows"] == "6, 10"
    excluded = clean_survey(messy(), ITEMS, scale_min=1, scale_max=5, missing_codes=[99], straightliners="exclude")
    assert excluded.rows_used == 3 and excluded.excluded_by_reason["straight_liner"] == 3 and excluded.flags.empty
    assert excluded.data.index.tolist() == [10, 17, 19]


def test_identical_answers_are_flagged_repeated_ids_excluded_and_reverse_items_use_their_own_scale():
    df = pd.DataFrame({"a": [1, 2, 1, 5], "b": [2, 3, 2, 4], "c": [5, 1, 5, 4]})
    scales = {"a": (1, 5), "b": (1, 5), "c": (1, 7)}
    rep = clean_survey(df, ["a", "b", "c"], scales=scales, reverse_items=["c"])
    assert rep.exclusions.empty and rep.flags[["row", "reason"]].values.tolist() == [[2, "same_answers"]]
    assert rep.data["c"].tolist() == [3.0, 7.0, 3.0, 4.0]   # reverse-keyed on 1-7: x -> 1 + 7 - x
    rec = rep.to_record()
    assert rec["excluded_by_reason"] == {r: 0 for r in REASONS}
    assert rec["flagged_by_reason"] == {"straight_liner": 0, "speeder": 0, "same_answers": 1}
    assert rec["scales"] == {"a": [1.0, 5.0], "b": [1.0, 5.0], "c": [1.0, 7.0]} and rec["rows_flagged"] == 1
    dropped = clean_survey(df, ["a", "b", "c"], scales=scales, duplicates="exclude")
    assert dropped.exclusions[["row", "file_row", "reason"]].values.tolist() == [[2, 4, "same_answers"]]
    ids = df.assign(id=["x", "y", "x", "z"])
    by_id = clean_survey(ids.assign(a=[1, 2, 3, 5]), ["a", "b", "c"], scales=scales, id_column="id")
    assert by_id.exclusions[["row", "respondent", "reason", "detail"]].values.tolist() == [
        [2, "x", "duplicate", "repeated respondent id"]]
    with pytest.raises(ParameterError, match="'duplicates' must be 'flag' or 'exclude'"):
        clean_survey(df, ["a", "b", "c"], scales=scales, duplicates="row")


def test_speeders_from_seconds_and_from_text_durations_alike():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 3, 4, 5, 1], "c": [3, 1, 5, 2, 4],
                       "secs": [300, 90, 240, 310, 280]})
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, duration_column="secs")
    assert rep.exclusions[["row", "reason"]].values.tolist() == [[1, "speeder"]]   # 90 < 280 / 3
    assert rep.min_duration == pytest.approx(280 / 3)
    text = df.assign(secs=["5分", "1分30秒", "00:04:00", "310秒", "4:40"])   # the same times as platforms write them
    rep_t = clean_survey(text, ["a", "b", "c"], scale_min=1, scale_max=5, duration_column="secs")
    assert rep_t.exclusions[["row", "reason"]].values.tolist() == [[1, "speeder"]]
    rep2 = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, duration_column="secs", min_duration=250)
    assert sorted(rep2.exclusions["row"]) == [1, 2]
    flagged = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, duration_column="secs", speeders="flag")
    assert flagged.rows_used == 5 and flagged.flags["reason"].tolist() == ["speeder"]
    none = clean_survey(df.assign(secs=["(跳过)"] * 5), ["a", "b", "c"], scale_min=1, scale_max=5,
                        duration_column="secs")
    assert none.rows_used == 5 and none.warnings == [{"kind": "no_durations", "column": "secs"}]


def test_durations_as_platforms_write_them():
    values = [129, "129秒", "2分10秒", "2分钟10秒", "00:02:09", "2:09", "129s", "2m10s", "1小时2分3秒", "1:02:03",
              dt.time(0, 2, 9), pd.Timedelta(seconds=129), "(跳过)", "-", None, "１２９秒"]
    got = parse_durations(pd.Series(values, dtype=object), column="用时").tolist()
    want = [129, 129, 130, 130, 129, 129, 129, 130, 3723, 3723, 129, 129, np.nan, np.nan, np.nan, 129]
    np.testing.assert_array_equal(got, want)
    with pytest.raises(DataError, match=r"column '用时': completion times \['很快'\] are not durations \(file rows 4\)"):
        parse_durations(pd.Series([129, 130, "很快"], dtype=object), column="用时")


def test_missing_codes_as_text_and_numbers_are_set_to_missing_before_conversion():
    col = pd.Series(["5", "(跳过)", "-", "N/A", "不适用", "（跳过）", "５", " 4 ", "99", "-1", "seven", None, "不知道"])
    x, coded, text = to_numeric_answers(col, missing_codes=[99, -1, "不知道"])
    np.testing.assert_array_equal(x, [5.0, *[np.nan] * 5, 5.0, 4.0, *[np.nan] * 5])
    assert coded.tolist() == [False, True, True, True, True, True, False, False, True, True, False, False, True]
    assert text.tolist() == [False] * 10 + [True, False, False]   # only "seven" is text that is not a code
    assert TEXT_MISSING >= {"(跳过)", "-", "n/a", "不适用"}
    df = pd.DataFrame({"a": ["5", "(跳过)", "4", "3", "2"], "b": [4, 99, 3, 2, 1], "c": ["1", "2", "不适用", "4", "5"]})
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, missing_codes=[99], required=["a"])
    assert rep.recoded["missing_codes"] == {"a": 1, "b": 1, "c": 1}
    assert rep.exclusions[["file_row", "reason"]].values.tolist() == [[3, "missing"]]
    assert rep.data["c"].isna().sum() == 1 and rep.to_record()["missing_codes"] == {"a": 1, "b": 1, "c": 1}


def test_scales_per_item_declared_given_for_all_or_inferred():
    df = pd.DataFrame({"five": [1, 2, 3, 4, 4, 2], "seven": [1, 7, 3, 6, 5, 2], "ten": [0, 10, 5, 3, 8, 9],
                       "four": [1, 2, 3, 4, 3, 2], "fives": [2, 5, 3, 4, 1, 1]})
    rep = clean_survey(df, list(df), scales={"ten": (0, 10)}, scale_sources={"ten": "codebook"})
    # nobody chose 5 on "five" but 4 is one short of another item's top, 5 (a 1-4 item is read as 1-5 too)
    assert rep.scales == {"five": (1.0, 5.0), "seven": (1.0, 7.0), "ten": (0.0, 10.0), "four": (1.0, 5.0),
                          "fives": (1.0, 5.0)}
    assert rep.scale_source == {"ten": "codebook", "five": "inferred", "seven": "inferred", "four": "inferred",
                                "fives": "inferred"}
    assert infer_scales(df, ["four", "seven"]) == {"four": (1.0, 4.0), "seven": (1.0, 7.0)}
    assert infer_scale([0, 3, 10]) == (0.0, 10.0) and infer_scale([2, 3]) == (1.0, 3.0)
    with pytest.raises(ParameterError, match="scale_min and scale_max"):
        clean_survey(df, list(df), scale_min=1)
    with pytest.raises(ParameterError, match="scales are given for \\['nope'\\]"):
        clean_survey(df, list(df), scales={"nope": (1, 5)})
    with pytest.raises(ParameterError, match="lowest point below its highest"):
        clean_survey(df, list(df), scales={"five": (5, 1)})



def test_declared_scales_take_the_parameter_then_one_scale_for_all_then_the_codebook_then_fixed_ones():
    # worked by hand: "b" from `scales`, "y"/"a" from scale_min/scale_max (before the codebook's 1-7 for "a"),
    # the NPS item "rec" fixed at 0-10; without scale_min/scale_max "a" takes the codebook and "y" is left out
    book = {"a": (1, 7), "rec": (1, 5)}
    fixed = {"rec": ((0, 10), "nps_scale")}
    assert declared_scales(["y", "a", "b"], scales={"b": [0, 10]}, scale_min=1, scale_max=5, codebook=book,
                           fixed=fixed) == (
        {"b": (0.0, 10.0), "y": (1.0, 5.0), "a": (1.0, 5.0), "rec": (0.0, 10.0)},
        {"b": "scales_parameter", "y": "scale_min/scale_max", "a": "scale_min/scale_max", "rec": "nps_scale"})
    assert declared_scales(["y", "a", "b"], scales={"rec": (1, 10)}, codebook=book, fixed=fixed) == (
        {"rec": (1.0, 10.0), "a": (1.0, 7.0)}, {"rec": "scales_parameter", "a": "codebook"})
    assert declared_scales(["y"]) == ({}, {})


def test_declared_scales_errors_name_the_parameter_and_what_the_items_are():
    with pytest.raises(ParameterError, match=r"^parameter 'scales' names \['zz'\], which are not the outcome or a "
                                             r"driver \(y, a, rec\)$"):
        declared_scales(["y", "a"], scales={"zz": [1, 5]}, fixed={"rec": ((0, 10), "nps_scale")},
                        what="the outcome or a driver")
    for bad in ([5, 1], [1, "5"], [1, 2, 3], 5):
        with pytest.raises(ParameterError, match=r"the scale of 'a' must be \[lowest, highest\], e\.g\. \[1, 5\]"):
            declared_scales(["a"], scales={"a": bad})
    with pytest.raises(ParameterError, match="give both 'scale_min' and 'scale_max', or neither"):
        declared_scales(["a"], scale_max=5)
    with pytest.raises(ParameterError, match=r"'scale_min' \(5\) must be below 'scale_max' \(1\)"):
        declared_scales(["a"], scale_min=5, scale_max=1)


def test_exclusions_table_lists_excluded_then_flagged_rows_in_file_order_with_pseudonymised_ids():
    from crmlab.core.privacy import pseudonymize

    df = pd.DataFrame({"id": ["ann@x.cn", "bob@x.cn", "ann@x.cn", "cy@x.cn", "di@x.cn"], "a": [1, 2, 3, 2, 9],
                       "b": [4, 3, 5, 2, 1], "c": [2, 4, 1, 2, 3]})
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, id_column="id")
    saved = exclusions_table(rep)
    # by hand: row 3 repeats ann's id (excluded), row 4 answers 2, 2, 2 (flagged), row 5 answers a=9 (excluded)
    assert saved.drop(columns="respondent").values.tolist() == [
        [4, "duplicate", "excluded", "repeated respondent id"], [5, "straight_liner", "flagged", "all answers = 2"],
        [6, "out_of_range", "excluded", "a=9"]]
    assert saved["respondent"].tolist() == pseudonymize(["ann@x.cn", "cy@x.cn", "di@x.cn"], prefix="r_").tolist()
    no_ids = exclusions_table(clean_survey(df.drop(columns="id"), ["a", "b", "c"], scale_min=1, scale_max=5))
    assert list(no_ids) == ["file_row", "reason", "action", "detail"] and no_ids["file_row"].tolist() == [5, 6]

def test_answers_outside_a_declared_scale_are_excluded_and_named_or_the_item_refused():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5] * 10, "b": [2, 3, 4, 5, 1] * 10})
    few = df.copy()
    few.loc[7, "a"] = 6
    rep = clean_survey(few, ["a", "b"], scales={"a": (1, 5), "b": (1, 5)})
    assert rep.exclusions[["file_row", "reason", "detail"]].values.tolist() == [[9, "out_of_range", "a=6"]]
    assert rep.warnings == [{"kind": "out_of_scale", "item": "a", "scale": (1.0, 5.0), "values": [6.0],
                             "file_rows": [9]}]
    wide = df.assign(a=df["a"] * 2)   # answers 2-10 against a declared 1-5 scale: the scale is wrong, not 30 people
    with pytest.raises(DataError, match=r"item 'a': 30 of 50 answers \(60%\) lie outside its scale 1-5 \(codebook\), "
                                        r"e\.g\. 6, 8, 10 at file rows 4, 5, 6, 9, 10 \(and 25 more\).*`scales`"):
        clean_survey(wide, ["a", "b"], scales={"a": (1, 5), "b": (1, 5)}, scale_sources={"a": "codebook"})
    coded = df.assign(a=[99 if i % 9 == 0 else v for i, v in enumerate(df["a"])])
    with pytest.raises(DataError, match=r"item 'a': the highest answer 99 \(file rows 2, 11, 20.*`missing_codes`"):
        clean_survey(coded, ["a", "b"])
    assert clean_survey(coded, ["a", "b"], missing_codes=[99]).scales["a"] == (1.0, 5.0)
    texts = df.assign(a=["非常满意"] * 10 + list(df["a"][10:]))
    with pytest.raises(DataError, match=r"item 'a': 10 of 50 answers are text.*'非常满意'.*file rows 2, 3"):
        clean_survey(texts, ["a", "b"])


def test_straight_lining_judged_within_each_scale_and_not_on_the_nps_item():
    df = pd.DataFrame({"a": [3, 1], "b": [3, 2], "c": [3, 4], "nps": [7, 10]})
    rep = clean_survey(df, ["a", "b", "c", "nps"], scale_min=1, scale_max=5, extra_ranges={"nps": (0, 10)})
    assert rep.flags[["row", "reason"]].values.tolist() == [[0, "straight_liner"]]
    assert rep.data["nps"].tolist() == [7.0, 10.0]
    # all 5s on the 1-5 grid and all 7s on the 1-7 grid: a straight-liner; 5s and 6s: not one
    mixed = pd.DataFrame({"a": [5, 5], "b": [5, 5], "c": [5, 5], "x": [7, 6], "y": [7, 7], "z": [7, 7]})
    rep = clean_survey(mixed, list(mixed), scales={**dict.fromkeys("abc", (1, 5)), **dict.fromkeys("xyz", (1, 7))})
    assert rep.flags["row"].tolist() == [0]


def test_non_integer_answers_are_out_of_range():
    df = pd.DataFrame({"a": [1, 2.5, 3], "b": [2, 3, 4], "c": [3, 1, 5]})
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5)
    assert rep.exclusions[["row", "reason"]].values.tolist() == [[1, "out_of_range"]]


def test_customer_sat_hygiene_counts_add_up():
    df = datasets.load_customer_sat()
    rep = clean_survey(df, [f"q{i}" for i in range(1, 11)], scale_min=1, scale_max=10)
    assert rep.rows_in == rep.rows_used == 1811
    assert sum(rep.excluded_by_reason.values()) == 0
    # recount straight-liners and repeated answer patterns directly: 102 and 32, flagged and kept
    X = df.to_numpy()
    sl = (X.max(1) == X.min(1))
    flagged = rep.flagged_by_reason
    assert flagged["straight_liner"] == sl.sum() == 102
    assert flagged["same_answers"] == pd.DataFrame(X[~sl]).duplicated().sum() == 32
    assert len(rep.data_unflagged) == 1811 - 134
    old = clean_survey(df, [f"q{i}" for i in range(1, 11)], scale_min=1, scale_max=10, straightliners="exclude",
                       duplicates="exclude")
    assert old.rows_used == 1677 and old.data.index.equals(rep.data_unflagged.index)


def test_hygiene_bad_parameters():
    with pytest.raises(DataError, match="not in the data"):
        clean_survey(messy(), ["a", "zz"], scale_min=1, scale_max=5)
    with pytest.raises(ParameterError, match="reverse_items"):
        clean_survey(messy(), ITEMS, scale_min=1, scale_max=5, reverse_items=["q"])
    with pytest.raises(ParameterError):
        clean_survey(messy(), ITEMS, scale_min=5, scale_max=1)
    with pytest.raises(ParameterError, match="'straightliners' must be 'flag' or 'exclude', got 'drop'"):
        clean_survey(messy(), ITEMS, scale_min=1, scale_max=5, straightliners="drop")
    with pytest.raises(DataError, match="no rows"):
        clean_survey(messy().iloc[:0], ITEMS, scale_min=1, scale_max=5)


def test_validate_items_names_item_and_file_rows():
    with pytest.raises(DataError, match=r"'a' holds non-numeric answers \['seven'\] at file rows 4"):
        validate_items(messy(), ITEMS)
    df = messy().drop(index=12).assign(a=lambda d: d["a"].astype(int), c=lambda d: d["c"].fillna(1))
    with pytest.raises(DataError, match=r"'b' has answers outside the 1-5 scale \(\[11\]\) at file rows 4"):
        validate_items(df, ITEMS, scale_min=1, scale_max=5)


def test_distribution_and_top_box_by_hand():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 5], "b": [5, 5, 5, 4, 1, 2]})
    dist = item_distribution(df, ["a", "b"], 1, 5)
    assert dist.loc["a"].tolist() == pytest.approx([1 / 6, 1 / 6, 1 / 6, 1 / 6, 2 / 6])
    np.testing.assert_allclose(dist.sum(1), 1)
    tb = top_box(df, ["a", "b"], scale_max=5, scale_min=1)
    assert tb.loc["a", "top2box"] == pytest.approx(3 / 6)
    assert tb.loc["b", "top2box"] == pytest.approx(4 / 6)
    assert tb.loc["b", "bottom2box"] == pytest.approx(2 / 6)
    w = np.array([1, 1, 1, 1, 1, 5.0])
    assert top_box(df, ["a"], 5, weights=w).loc["a", "top2box"] == pytest.approx(7 / 10)


def test_top_box_and_distribution_on_each_items_own_scale_by_hand():
    # the bug this replaces: a 1-5 survey read on the default 1-10 scale gave 0% top-2-box for every item
    df = pd.DataFrame({"five": [1, 4, 5, 5, 3, 2], "seven": [7, 6, 5, 1, 2, 7]})
    tb = top_box(df, ["five", "seven"], scales={"five": (1, 5), "seven": (1, 7)})
    assert tb["top2box"].tolist() == pytest.approx([3 / 6, 3 / 6])       # 4-5 and 6-7
    assert tb["bottom2box"].tolist() == pytest.approx([2 / 6, 2 / 6])    # 1-2 on both
    assert tb.loc["five", "mean_0_100"] == pytest.approx(100 * (20 / 6 - 1) / 4)
    assert top_box(df, ["five", "seven"])["top2box"].tolist() == pytest.approx([3 / 6, 3 / 6])   # scales inferred
    dist = item_distribution(df, ["five", "seven"], scales={"five": (1, 5), "seven": (1, 7)})
    assert list(dist.columns) == [1, 2, 3, 4, 5, 6, 7] and dist.loc["five", [6, 7]].isna().all()
    np.testing.assert_allclose(dist.sum(1), 1)


def test_plots_draw():
    df = datasets.load_customer_sat()
    fig = plot_diverging(item_distribution(df, ["q1", "q2"], 1, 10), labels=["Overall", "Prices"])
    assert len(fig.axes[0].patches) == 20
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Overall", "Prices"]
    fig2 = plot_correlation(df, ["q1", "q2", "q3"], labels=["A", "B", "C"])
    assert [t.get_text() for t in fig2.axes[0].get_xticklabels()] == ["A", "B", "C"]
    # mixed scales: each item split on its own scale (5 + 7 bars), the legend names the two ends
    mixed = pd.DataFrame({"five": [1, 4, 5, 5, 3, 2], "seven": [7, 6, 5, 1, 2, 7]})
    fig3 = plot_diverging(item_distribution(mixed, ["five", "seven"]), legend_ends=("low", "high"))
    ax = fig3.axes[0]
    assert len(ax.patches) == 12 and [t.get_text() for t in ax.get_legend().get_texts()] == ["low", "high"]
    # 1-5: 1/6 + 1/6 and half of the 3s (1/12) lie left of zero
    assert min(p.get_x() for p in ax.patches[:5]) == pytest.approx(-100 * (2 / 6 + 1 / 12))
    import matplotlib.pyplot as plt

    plt.close("all")


def test_nps_by_hand():
    x = [10, 9, 9, 8, 7, 6, 3, 0, 10, 10]   # 5 promoters, 2 passives, 3 detractors
    r = nps(x)
    pp, pd_ = 0.5, 0.3
    se = np.sqrt((pp + pd_ - (pp - pd_) ** 2) / 10)
    assert r.score == pytest.approx(20.0)
    assert r.se == pytest.approx(100 * se)
    assert r.ci_low == pytest.approx(20 - 1.959963985 * 100 * se)
    assert (r.promoters, r.passives, r.detractors) == pytest.approx((50, 20, 30))


def test_nps_weighted_equals_replication():
    x = np.array([10, 9, 7, 3, 0, 8])
    w = np.array([2, 1, 3, 1, 2, 1])
    assert nps(x, w).score == pytest.approx(nps(np.repeat(x, w)).score)


def test_nps_interval_coverage():
    rng = np.random.default_rng(0)
    probs = np.r_[np.full(7, 0.3 / 7), 0.15, 0.15, 0.2, 0.2]     # true NPS = 40 - 30 = 10
    hits = 0
    for _ in range(4000):
        r = nps(rng.choice(11, size=300, p=probs))
        hits += r.ci_low <= 10 <= r.ci_high
    # nominal 95%; Monte-Carlo SE of the coverage is 0.0035
    assert 0.935 <= hits / 4000 <= 0.962


def test_nps_by_segment_and_bad_input():
    df = pd.DataFrame({"rec": [10, 9, 0, 5, 10, 8], "seg": ["a", "a", "a", "b", "b", "b"]})
    t = nps_by_segment(df, "rec", "seg")
    assert t.loc["a", "score"] == pytest.approx(100 * (2 - 1) / 3)
    assert t.loc["b", "score"] == pytest.approx(0.0)
    assert t.loc["all", "n"] == 6
    with pytest.raises(DataError, match=r"0-10.*\['11'\].*rows 1"):
        nps(pd.Series([3, 11]))
    with pytest.raises(DataError, match=r"'great'"):
        nps(pd.Series([3, "great"]))
