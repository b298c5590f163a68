"""RFM scores, segments and value tiers: pandas.qcut on tie-free data, hand-worked examples, tie rules."""

import numpy as np
import pandas as pd
import pytest

from crmlab import rfm
from crmlab.core.errors import DataError, ParameterError


def test_scores_equal_pandas_qcut_without_ties():
    rng = np.random.default_rng(1)
    v = rng.gamma(2.0, 10.0, size=1000)
    ours = rfm.quantile_scores(v, 5)
    ref = pd.qcut(v, 5, labels=False) + 1
    np.testing.assert_array_equal(ours, ref)
    np.testing.assert_array_equal(rfm.quantile_scores(v, 5, higher_is_better=False), 6 - ref)


def test_ties_share_a_score_regardless_of_row_order():
    v = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 5], dtype=float)
    s = rfm.quantile_scores(v, 5)
    # six tied ones: midrank 3.5 -> floor(5 * 3.0 / 10) + 1 = 2; then 2,3,4,5 -> ranks 7..10 -> 4,4,5,5
    np.testing.assert_array_equal(s, [2, 2, 2, 2, 2, 2, 4, 4, 5, 5])
    perm = np.random.default_rng(0).permutation(10)
    np.testing.assert_array_equal(rfm.quantile_scores(v[perm], 5), s[perm])


def _summary():
    return pd.DataFrame({"frequency": [0, 1, 5, 9, 0], "recency": [0.0, 10.0, 30.0, 38.0, 0.0],
                         "T": [38.0, 38.0, 38.0, 39.0, 5.0], "spend": [10.0, 40.0, 120.0, 500.0, 20.0]},
                        index=pd.Index(list("abcde"), name="customer_id"))


def test_rfm_table_values_and_segments_by_hand():
    t = rfm.rfm_table(_summary())
    np.testing.assert_allclose(t["recency"], [38, 28, 8, 1, 5])
    np.testing.assert_array_equal(t["frequency"], [1, 2, 6, 10, 1])
    np.testing.assert_allclose(t["monetary"], [10, 20, 20, 50, 20])
    np.testing.assert_array_equal(t["R"], [1, 2, 3, 5, 4])       # most recent -> 5
    np.testing.assert_array_equal(t["F"], [2, 3, 4, 5, 2])       # tied ones: midrank 1.5 -> floor(5 * 1 / 5) + 1 = 2
    assert t.loc["d", "RFM"] == "555"
    seg = rfm.assign_segments(t)
    assert list(seg) == ["lost", "at risk", "loyal", "champions", "promising"]


def test_default_rules_cover_every_score_combination():
    grid = pd.DataFrame([(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)],
                        columns=["R", "F", "M"])
    assert (rfm.assign_segments(grid) != "other").all()


def test_edited_rule_table_and_bad_rules():
    t = rfm.rfm_table(_summary())
    rules = pd.DataFrame([("big spenders", 1, 5, 1, 5, 5, 5)],
                         columns=["segment", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max"])
    seg = rfm.assign_segments(t, rules)
    assert list(seg) == ["other", "other", "other", "big spenders", "other"]
    with pytest.raises(ParameterError, match="rule 0 .*r_min=4"):
        rfm.assign_segments(t, rules.assign(r_min=4, r_max=2))
    with pytest.raises(ParameterError, match="lacks column"):
        rfm.assign_segments(t, rules.drop(columns="m_max"))
    with pytest.raises(DataError, match="spend"):
        rfm.rfm_table(_summary().drop(columns="spend"))


def test_value_tiers_shares_and_ties():
    v = pd.Series(np.arange(100, dtype=float))
    tiers = rfm.value_tiers(v)
    assert tiers.value_counts().to_dict() == {"high": 20, "medium": 30, "low": 50}
    assert (tiers[v >= 80] == "high").all() and (tiers[v < 50] == "low").all()
    tied = rfm.value_tiers(pd.Series([5.0] * 10))
    assert tied.nunique() == 1
    with pytest.raises(ParameterError):
        rfm.value_tiers(v, shares=(0.6, 0.5))
    with pytest.raises(ParameterError):
        rfm.quantile_scores(v, 1)
