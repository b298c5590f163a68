"""Survey hygiene, descriptives and NPS.

References: exact recomputation by hand on small frames; the NPS variance is
the multinomial variance of a difference of two shares,
``[p_P + p_D - (p_P - p_D)^2] / n`` (Rocks 2016, MeasuringU, "Confidence
intervals for the Net Promoter Score"), checked by hand and by coverage.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.survey import (
    clean_survey,
    item_distribution,
    nps,
    nps_by_segment,
    plot_correlation,
    plot_diverging,
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


def test_hygiene_flags_each_problem_once_and_keeps_the_rest():
    rep = clean_survey(messy(), ITEMS, scale_min=1, scale_max=5, missing_codes=[99])
    reasons = dict(zip(rep.exclusions["row"], rep.exclusions["reason"]))
    assert reasons == {
        12: "non_numeric",      # "seven"
        13: "out_of_range",     # b = 11
        14: "missing",          # c = 99 is a missing code
        18: "missing",          # c = None
        11: "straight_liner",   # 4,4,4,4
        15: "straight_liner",   # 5,5,5,5
        16: "duplicate",        # 4,4,4,4 again -> but straight-liner first
    } | {16: "straight_liner"}
    assert rep.rows_in == 10
    assert rep.rows_used == 3
    assert sum(rep.excluded_by_reason.values()) == rep.rows_in - rep.rows_used
    assert rep.data.index.tolist() == [10, 17, 19]
    assert rep.recoded["missing_codes"]["c"] == 1
    assert "seven" in rep.exclusions.set_index("row").loc[12, "detail"]
    s = rep.summary()
    assert s.loc["kept", "rows"] == 3 and s.loc["missing", "rows"] == 2


def test_duplicates_and_reverse_items():
    df = pd.DataFrame({"a": [1, 2, 1, 5], "b": [2, 3, 2, 4], "c": [5, 1, 5, 4]})
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, reverse_items=["c"])
    assert rep.exclusions[["row", "reason"]].values.tolist() == [[2, "duplicate"]]
    # reverse-keyed: x -> 1 + 5 - x
    assert rep.data["c"].tolist() == [1.0, 5.0, 2.0]
    assert rep.to_record() == {"rows_in": 4, "rows_used": 3,
                               "excluded_by_reason": {"non_numeric": 0, "out_of_range": 0, "missing": 0,
                                                      "straight_liner": 0, "speeder": 0, "duplicate": 1}}


def test_speeders_below_a_third_of_the_median_time():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 3, 4, 5, 1], "c": [3, 1, 5, 2, 4],
                       "secs": [300, 90, 240, 310, 280]})
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, duration_column="secs")
    assert rep.exclusions[["row", "reason"]].values.tolist() == [[1, "speeder"]]   # 90 < 280 / 3
    rep2 = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, duration_column="secs", min_duration=250)
    assert sorted(rep2.exclusions["row"]) == [1, 2]


def test_duplicates_by_row_or_by_items():
    df = pd.DataFrame({"ts": ["t1", "t2", "t3"], "a": [1, 1, 1], "b": [2, 2, 2], "c": [3, 3, 3]})
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5)
    assert rep.rows_used == 3                 # different timestamps: chance-identical answers are kept
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, duplicates="items")
    assert rep.exclusions["row"].tolist() == [1, 2]
    with pytest.raises(ParameterError, match="duplicates"):
        clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, duplicates="maybe")


def test_duplicate_ids():
    df = pd.DataFrame({"id": ["x", "y", "x"], "a": [1, 2, 3], "b": [2, 3, 4], "c": [3, 1, 5]})
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5, id_column="id")
    assert rep.exclusions["row"].tolist() == [2]
    assert rep.exclusions["detail"].iloc[0] == "repeated respondent id"


def test_straight_lining_judged_on_main_scale_items_only():
    df = pd.DataFrame({"a": [3, 1], "b": [3, 2], "c": [3, 4], "nps": [7, 10]})
    rep = clean_survey(df, ["a", "b", "c", "nps"], scale_min=1, scale_max=5, extra_ranges={"nps": (0, 10)})
    assert rep.exclusions[["row", "reason"]].values.tolist() == [[0, "straight_liner"]]
    assert rep.data["nps"].tolist() == [10.0]


def test_non_integer_answers_are_out_of_range():
    df = pd.DataFrame({"a": [1, 2.5, 3], "b": [2, 3, 4], "c": [3, 1, 5]})
    rep = clean_survey(df, ["a", "b", "c"], scale_min=1, scale_max=5)
    assert rep.exclusions[["row", "reason"]].values.tolist() == [[1, "out_of_range"]]


def test_customer_sat_hygiene_counts_add_up():
    df = datasets.load_customer_sat()
    rep = clean_survey(df, [f"q{i}" for i in range(1, 11)], scale_min=1, scale_max=10)
    assert rep.rows_in == 1811
    by = rep.excluded_by_reason
    assert by["non_numeric"] == by["out_of_range"] == by["missing"] == 0
    # recount straight-liners and exact duplicates directly
    X = df.to_numpy()
    sl = (X.max(1) == X.min(1))
    assert by["straight_liner"] == sl.sum()
    assert by["duplicate"] == pd.DataFrame(X[~sl]).duplicated().sum()
    assert rep.rows_used == 1811 - sl.sum() - by["duplicate"]


def test_hygiene_bad_parameters():
    with pytest.raises(DataError, match="not in the data"):
        clean_survey(messy(), ["a", "zz"], scale_min=1, scale_max=5)
    with pytest.raises(ParameterError, match="reverse_items"):
        clean_survey(messy(), ITEMS, scale_min=1, scale_max=5, reverse_items=["q"])
    with pytest.raises(ParameterError):
        clean_survey(messy(), ITEMS, scale_min=5, scale_max=1)


def test_validate_items_names_item_and_rows():
    with pytest.raises(DataError, match=r"'a' holds non-numeric answers \['seven'\] in rows 12"):
        validate_items(messy(), ITEMS)
    df = messy().drop(index=12).assign(a=lambda d: d["a"].astype(int), c=lambda d: d["c"].fillna(1))
    with pytest.raises(DataError, match=r"'b' has answers outside the 1-5 scale \(\[11\]\) in rows 13"):
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


def test_plots_draw():
    df = datasets.load_customer_sat()
    fig = plot_diverging(item_distribution(df, ["q1", "q2"], 1, 10))
    assert len(fig.axes[0].patches) == 20
    fig2 = plot_correlation(df, ["q1", "q2", "q3"])
    assert fig2.axes
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
