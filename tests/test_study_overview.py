"""The data-overview study: steps checked by exact recomputation, sentences in both languages."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab.core.errors import ParameterError  # noqa: E402
from crmlab.report import use_lang  # noqa: E402
from crmlab.report.i18n import translate_columns, use_catalog  # noqa: E402
from crmlab.studies.overview import plots, steps, text  # noqa: E402


def _frame():
    return pd.DataFrame({"id": [1, 2, 3, 4], "x": [1.0, np.nan, 3.0, 5.0], "g": ["a", "b", "a", None]})


def test_profile_counts_and_summaries():
    p = steps.profile(_frame()).set_index("column")
    assert p.loc["x", "n_missing"] == 1 and p.loc["x", "pct_missing"] == 25.0
    assert p.loc["x", "mean"] == 3.0 and p.loc["x", "min"] == 1.0 and p.loc["x", "max"] == 5.0
    assert p.loc["g", "top"] == "a" and p.loc["g", "n_unique"] == 2
    assert list(p.columns) == ["dtype", "n", "n_missing", "pct_missing", "n_unique", "min", "mean", "max", "top"]


def test_identifier_columns_are_not_plotted():
    fig = plots.plot_distributions(_frame())
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["x", "g"]


def test_missingness_sentence_is_written_from_the_data():
    frames = {"a": _frame(), "b": pd.DataFrame({"y": [1, 2]})}
    assert text.missingness(frames) == ("2 datasets, 6 rows in all. 2 cells are missing, all in a: x (1 rows), "
                                        "g (1 rows).")
    assert text.missingness({"b": pd.DataFrame({"y": [1]})}) == "1 dataset, 1 rows in all. No cell is missing."
    with use_lang("zh"):
        assert text.missingness(frames) == "共 2 个数据集，合计 6 行。缺失 2 个单元格，全部在 a: x (1 行), g (1 行)。"
        assert text.dataset_heading("a", _frame()) == "### a：4 行 × 3 列"


def test_size_table_and_dataset_selection():
    frames = steps.load_datasets(["ecsi", "telco_churn"])
    sizes = steps.size_table(frames)
    assert sizes.to_dict(orient="index") == {"ecsi": {"rows": 250, "columns": 28, "missing_cells": 0},
                                             "telco_churn": {"rows": 7043, "columns": 20, "missing_cells": 11}}
    with pytest.raises(ParameterError, match=r"unknown dataset\(s\) \['nosuch'\]"):
        steps.load_datasets(["ecsi", "nosuch"])


def test_display_headers_translate_but_saved_names_stay():
    use_catalog(text.CATALOG)
    with use_lang("zh"):
        shown = translate_columns(steps.profile(_frame()).set_index("column"))
    assert list(shown.columns[:3]) == ["类型", "样本数", "缺失数"] and shown.index.name == "列"
    assert list(translate_columns(steps.profile(_frame())).columns[:2]) == ["column", "type"]


def test_every_caption_and_section_exists_in_both_languages():
    for lang in ("en", "zh"):
        with use_lang(lang):
            assert text.CATALOG.section("intro").startswith("# ")
            assert "{" not in text.CATALOG.text("profile", dataset="ecsi")
