"""Profiles used by the data-overview study (checked by exact recomputation)."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from crmlab.overview import describe_missingness, plot_distributions, profile  # noqa: E402


def _frame():
    return pd.DataFrame({"id": [1, 2, 3, 4], "x": [1.0, np.nan, 3.0, 5.0], "g": ["a", "b", "a", None]})


def test_profile_counts_and_summaries():
    p = profile(_frame()).set_index("column")
    assert p.loc["x", "n_missing"] == 1 and p.loc["x", "pct_missing"] == 25.0
    assert p.loc["x", "mean"] == 3.0 and p.loc["x", "min"] == 1.0 and p.loc["x", "max"] == 5.0
    assert p.loc["g", "top"] == "a" and p.loc["g", "n_unique"] == 2
    assert list(p.columns) == ["dtype", "n", "n_missing", "pct_missing", "n_unique", "min", "mean", "max", "top"]


def test_identifier_columns_are_not_plotted():
    fig = plot_distributions(_frame())
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["x", "g"]


def test_missingness_sentence_is_written_from_the_data():
    text = describe_missingness({"a": _frame(), "b": pd.DataFrame({"y": [1, 2]})})
    assert text == "2 datasets, 6 rows in all. 2 cells are missing, all in a: x (1 rows), g (1 rows)."
    assert describe_missingness({"b": pd.DataFrame({"y": [1]})}) == "1 dataset, 1 rows in all. No cell is missing."


def test_size_table_and_dataset_selection():
    import pytest

    from crmlab.core.errors import ParameterError
    from crmlab.overview import load_datasets, size_table

    frames = load_datasets(["ecsi", "telco_churn"])
    sizes = size_table(frames)
    assert sizes.to_dict(orient="index") == {"ecsi": {"rows": 250, "columns": 28, "missing_cells": 0},
                                             "telco_churn": {"rows": 7043, "columns": 20, "missing_cells": 11}}
    with pytest.raises(ParameterError, match=r"unknown dataset\(s\) \['nosuch'\]"):
        load_datasets(["ecsi", "nosuch"])


def test_missingness_sentence_in_chinese():
    text = describe_missingness({"a": _frame(), "b": pd.DataFrame({"y": [1, 2]})}, lang="zh")
    assert text == "共 2 个数据集，合计 6 行。缺失 2 个单元格，全部在 a: x (1 行), g (1 行)。"


def test_display_headers_translate_but_saved_names_stay():
    from crmlab.report.i18n import check_lang, t, translate_columns

    shown = translate_columns(profile(_frame()).set_index("column"), "zh")
    assert list(shown.columns[:3]) == ["类型", "样本数", "缺失数"] and shown.index.name == "列"
    assert list(translate_columns(profile(_frame()), "en").columns[:2]) == ["column", "type"]
    assert t("clv", "zh") == "客户终身价值" and t("clv", "fr") == "Customer lifetime value"
    import pytest

    from crmlab.core.errors import ParameterError

    with pytest.raises(ParameterError, match="'lang' must be one of"):
        check_lang("de")
    with pytest.raises(KeyError, match="no report term 'nosuch'"):
        t("nosuch")


def test_pick_and_extra_terms():
    from crmlab.report.i18n import pick, translate_columns

    assert pick("zh", en="Loyalty", zh="忠诚度") == "忠诚度" and pick("en", en="Loyalty", zh="忠诚度") == "Loyalty"
    df = pd.DataFrame({"r2": [0.5], "other": [1]})
    assert list(translate_columns(df, "zh", extra={"r2": {"en": "R²", "zh": "决定系数 R²"}}).columns) == [
        "决定系数 R²", "other"]


def test_translate_columns_handles_multi_level_indexes():
    from crmlab.report.i18n import translate_columns

    idx = pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["dataset", "n"])
    df = pd.DataFrame({"rows": [1, 2]}, index=idx)
    out = translate_columns(df, "zh")
    assert list(out.index.names) == ["数据集", "样本数"] and list(out.columns) == ["行数"]
    assert list(df.index.names) == ["dataset", "n"]  # the input is left alone
