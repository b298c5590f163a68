"""Codebooks: labels, scales and units from YAML or CSV, found beside the data; names reach every table."""
from __future__ import annotations

import pandas as pd
import pytest

from crmlab.core.codebook import find_codebook, is_bundled, load_codebook
from crmlab.core.errors import DataError
from crmlab.report import use_lang
from crmlab.report.i18n import term, use_codebook


def test_bundled_codebooks_name_every_column_of_their_dataset():
    from crmlab.core.datasets import FILES, LOADERS

    for name, path in FILES.items():
        cb = find_codebook(None, path)
        assert cb is not None and is_bundled(path), name
        frame = LOADERS[name]()
        unnamed = [c for c in frame.columns if c not in cb.columns]
        assert unnamed == [], (name, unnamed)
        assert all(c.en and c.zh for c in cb.columns.values()), name
    sat = find_codebook(None, FILES["customer_sat"])
    assert sat.columns["q2"].en == "Setting competitive prices" and sat.scales()["q1"] == (1.0, 10.0)
    assert find_codebook(None, FILES["ecsi"]).constructs["SAT"]["zh"] == "顾客满意度"


def test_yaml_and_csv_codebooks_read_the_same(tmp_path):
    (tmp_path / "cb.yaml").write_text("currency: CNY\ncolumns:\n  q1: {en: Overall, zh: 总体满意度, min: 1, max: 5}\n"
                                      "  q9: {en: Wait, zh: 等待时间, min: 1, max: 7, reverse: true}\n"
                                      "constructs:\n  SAT: {en: Satisfaction, zh: 满意度}\n"
                                      "values:\n  Month-to-month: {zh: 按月合同}\n", encoding="utf-8")
    pd.DataFrame({"column": ["q1", "q9"], "label_en": ["Overall", "Wait"], "label_zh": ["总体满意度", "等待时间"],
                  "min": [1, 1], "max": [5, 7], "reverse": ["", "是"]}).to_csv(tmp_path / "cb.csv", index=False,
                                                                              encoding="gbk")
    y, c = load_codebook(tmp_path / "cb.yaml"), load_codebook(tmp_path / "cb.csv")
    assert y.columns == c.columns and y.reversed() == ["q9"] == c.reversed() and y.currency == "CNY"
    use_codebook(y.terms())
    with use_lang("zh"):
        assert term("q1") == "总体满意度" and term("SAT") == "满意度" and term("Month-to-month") == "按月合同"
    assert term("q1") == "Overall" and term("Month-to-month") == "Month-to-month" and term("other") == "other"


def test_a_codebook_that_makes_no_sense_is_refused_naming_file_and_column(tmp_path):
    bad = tmp_path / "cb.yaml"
    bad.write_text("columns:\n  q1: {min: 5, max: 1}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"cb.yaml: column 'q1' has min 5 >= max 1"):
        load_codebook(bad)
    (tmp_path / "t.csv").write_text("name,label\nq1,x\n", encoding="utf-8")
    with pytest.raises(DataError, match="needs a 'column' column"):
        load_codebook(tmp_path / "t.csv")


def test_no_codebook_beside_own_data_means_column_names(tmp_path):
    data = tmp_path / "export.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    assert find_codebook(None, data) is None and not is_bundled(data)
