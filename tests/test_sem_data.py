"""Bad input: missing items, non-numeric answers, constant items, missing values."""
import numpy as np
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError
from crmlab.sem.data import prepare_items
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL


@pytest.fixture
def ecsi():
    return datasets.load_ecsi()


def test_missing_item_names_item_and_construct(ecsi):
    with pytest.raises(DataError, match="item 'sat4' of construct 'SAT'"):
        prepare_items(ecsi.drop(columns="sat4"), ECSI_MODEL)


def test_non_numeric_answers_show_example_rows(ecsi):
    df = ecsi.astype({"qual2": object})
    df.loc[[3, 8], "qual2"] = "very good"
    with pytest.raises(DataError, match=r"item 'qual2' of construct 'QUAL' has non-numeric answers, e.g. rows \['3', '8'\]"):
        prepare_items(df, ECSI_MODEL)


def test_constant_item_is_rejected(ecsi):
    df = ecsi.assign(loy2=5)
    with pytest.raises(DataError, match="item 'loy2' of construct 'LOY' \\(always 5\\)"):
        PLSPM(ECSI_MODEL).fit(df)


def test_missing_values_are_dropped_listwise_and_counted(ecsi):
    df = ecsi.copy()
    df[["sat1", "loy3"]] = df[["sat1", "loy3"]].astype(float)
    df.loc[[0, 1, 2], "sat1"] = np.nan
    df.loc[[2, 5], "loy3"] = np.nan
    prep = prepare_items(df, ECSI_MODEL)
    assert prep.n_total == 250 and prep.n_used == 246 and prep.n_dropped == 4
    assert prep.missing_by_item["sat1"] == 3 and prep.missing_by_item["loy3"] == 2
    assert prep.summary().head(2).values.tolist() == [["sat1", 3], ["loy3", 2]]
    m = PLSPM(ECSI_MODEL).fit(df)
    assert len(m.scores_) == 246 and list(m.scores_.index[:3]) == [3, 4, 6]


def test_too_few_rows(ecsi):
    with pytest.raises(DataError, match="complete rows"):
        prepare_items(ecsi.head(5), ECSI_MODEL)


def test_load_survey_drops_r_row_numbers_and_keeps_any_columns(tmp_path):
    from crmlab.sem.data import load_survey, summated_scores

    f = tmp_path / "s.csv"
    f.write_text('"","a1","a2","grp"\n"1",3,4,"x"\n"2",5,6,"y"\n', encoding="utf-8")
    df = load_survey(str(f))
    assert list(df.columns) == ["a1", "a2", "grp"]
    means = summated_scores(df, "A =~ a1 + a2")
    assert means["A"].tolist() == [3.5, 5.5]


def test_summary_counts_missing_values_most_first_ties_in_model_order():
    from crmlab.sem.data import PreparedData

    prep = PreparedData(items=None, index=None, n_total=260, n_used=250,
                        missing_by_item={"imag1": 6, "loy1": 0, "sat2": 4, "sat3": 4})
    assert prep.summary().to_dict(orient="list") == {"item": ["imag1", "sat2", "sat3", "loy1"],
                                                     "n_missing": [6, 4, 4, 0]}
    assert prep.n_dropped == 10
