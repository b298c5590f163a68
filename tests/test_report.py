"""Number formatting and numbered captions (crmlab.report)."""
import doctest

import numpy as np
import pandas as pd

import crmlab.report as report
from crmlab.report import caption, fmt_ci, fmt_num, fmt_p, format_table, reset_numbering


def test_doctests():
    assert doctest.testmod(report).failed == 0


def test_significant_digits():
    assert fmt_num(0.000123456) == "0.000123"
    assert fmt_num(1.0) == "1" and fmt_num(10.0) == "10" and fmt_num(1.5) == "1.50"
    assert fmt_num(-2.71828) == "-2.72"
    assert fmt_num(np.int64(64000)) == "64,000"
    assert fmt_num(float("nan")) == "-" and fmt_num(float("inf")) == "∞"


def test_interval_precision_follows_its_width():
    # the width (0.0131, 18.7) gets two significant digits; the estimate follows
    assert fmt_ci(0.0771, 0.0703, 0.0834) == "0.077 [0.070, 0.083]"
    assert fmt_ci(12.5, 3.2, 21.9) == "12 [3, 22]"
    assert fmt_ci(1523.4, 1400.2, 1650.9) == "1,523 [1,400, 1,651]"
    assert fmt_ci(0.5, None, 0.6) == "0.500"


def test_p_values():
    assert fmt_p(0.0009999) == "< 0.001"
    assert fmt_p(0.001) == "0.001"
    assert fmt_p(0.0999) == "0.100"
    assert fmt_p(0.2) == "0.20"


def test_captions_number_in_order_per_kind_and_language():
    from crmlab.report import use_lang

    reset_numbering()
    assert caption("table", "sizes", "Sizes") == "**Table 1.** Sizes"
    assert caption("figure", "shape", "Shape") == "**Figure 1.** Shape"
    with use_lang("zh"):
        assert caption("table", "scale", "规模") == "**表 2.** 规模"
        assert caption("table", "sizes", "规模") == "**表 1.** 规模"  # shown again: same number
    reset_numbering()
    with use_lang("zh"):
        assert caption("figure", "x", "x") == "**图 1.** x"


def test_format_table_keeps_text_and_formats_p():
    df = pd.DataFrame({"term": ["a", "b"], "coef": [0.123456, 12.0], "p": [0.00001, 0.3]})
    out = format_table(df)
    assert out.to_dict(orient="list") == {"term": ["a", "b"], "coef": ["0.123", "12"], "p": ["< 0.001", "0.30"]}
    mixed = format_table(pd.DataFrame({"min": [0.0, 3, None], "top": [None, "x", None]}, dtype=object))
    assert mixed.to_dict(orient="list") == {"min": ["0", "3", "-"], "top": ["-", "x", "-"]}


def test_show_table_without_a_name_displays_but_saves_nothing(monkeypatch):
    import IPython.display

    import crmlab
    from crmlab.report import Catalog, show_table, use_lang
    from crmlab.report.i18n import use_catalog

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    use_catalog(Catalog("t", texts={"view": {"en": "A view", "zh": "一个视图"}, "kept": {"en": "Saved", "zh": "已保存"}}))
    reset_numbering()
    with use_lang("zh"):
        show_table(pd.DataFrame({"x": [1.23456]}), "view", name=None)
    assert not (crmlab.output_dir() / "tables").exists()
    show_table(pd.DataFrame({"x": [1.23456]}), "kept")
    assert (crmlab.output_dir() / "tables" / "kept.csv").read_text() == "x\n1.23456\n"
    assert [shown[0].data, shown[2].data] == ["**表 1.** 一个视图", "**Table 2.** Saved"]
    assert '<div class="crmlab-frame">' in shown[1].data and '<td class="num">1.23</td>' in shown[1].data
    assert "<th></th>" not in shown[1].data  # no row numbers for a plain index
