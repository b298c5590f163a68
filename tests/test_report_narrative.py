"""One narrative toolkit for every study (crmlab.report.narrative, i18n catalogs, keyed display)."""
import doctest

import pandas as pd
import pytest

import crmlab.report.narrative as narrative
from crmlab.core.errors import ParameterError
from crmlab.report import Catalog, current_lang, say, section, show_figure, show_table, use_lang
from crmlab.report.display import reset_numbering
from crmlab.report.i18n import check_lang, t, term, translate_columns, use_catalog
from crmlab.report.narrative import interval, join_words, md_escape, p_phrase, pct, readable

CAT = Catalog("demo", terms={"auuc": {"en": "AUUC", "zh": "Qini 曲线下面积"}, "visit": {"zh": "到访"}},
              texts={"effects": {"en": "Effects at {level} ({n:,} customers).", "zh": "{level} 效应（{n:,} 位客户）。"},
                     "plot": {"en": "A plot.", "zh": "一张图。"}},
              sections={"intro": {"en": "# Demo\n\nWords.", "zh": "# 演示\n\n文字。"}})


def test_doctests():
    assert doctest.testmod(narrative).failed == 0


def test_tiny_shares_read_below_a_tenth_of_a_percent_everywhere():
    # the study-2 rule wins over study 4's old "0.0%" (issue #10)
    assert pct(0.0004) == "< 0.1%" and pct(-0.0004) == "> -0.1%" and pct(0.0) == "0.0%"
    assert pct(0.0004, 2) == "0.04%" and pct(-0.00001) == "> -0.1%"
    assert pct(None) == "-" and pct(float("nan")) == "-"
    assert pct(1.0) == "100%" and pct(0.9996) == "100%" and pct(0.1234, sign=True) == "+12.3%"


def test_interval_keeps_whole_numbers_whole_and_shows_open_bounds():
    assert interval(3.0, 2.0, 5.0) == "3 [2, 5]"
    assert interval(0.4213, 0.3087, 0.5321) == "0.42 [0.31, 0.53]"
    assert interval(None, None, None) == "-"
    assert interval(-0.02, -0.05, 0.01, sign=True) == "-0.020 [-0.050, 0.010]"


def test_p_phrase_and_word_lists_follow_the_language():
    assert p_phrase(0.5) == "p = 0.50" and p_phrase(0.02, "p_holm") == "p_holm = 0.020"
    assert join_words(["a"]) == "a" and join_words(["a", "b"]) == "a and b" and join_words([]) == ""
    with use_lang("zh"):
        assert join_words(["甲", "乙", "丙"]) == "甲、乙 和 丙" and join_words(["x"], code=True) == "`x`"
    assert current_lang() == "en"  # the context manager restores the language


def test_markdown_escaping_keeps_model_text_readable():
    assert md_escape("LOY~SAT") == "LOY\\~SAT" and md_escape("IMAG->EXPE") == "IMAG-\\>EXPE"


def test_language_is_set_once_and_checked():
    with pytest.raises(ParameterError, match="'lang' must be one of"):
        check_lang("fr")
    with pytest.raises(ParameterError):
        use_lang("de")
    use_lang("zh")
    assert t("clv") == "客户终身价值" and t("ci_low") == "置信区间下限"
    use_lang("en")
    assert t("clv") == "Customer lifetime value"
    with pytest.raises(KeyError, match="no report term 'nosuch'"):
        t("nosuch")


def test_catalog_terms_override_the_glossary_and_texts_fill_placeholders():
    use_catalog(CAT)
    assert term("auuc") == "AUUC" and term("visit") == "visit" and term("unknown_col") == "unknown_col"
    with use_lang("zh"):
        assert term("auuc") == "Qini 曲线下面积" and term("visit") == "到访" and term("ci_low") == "置信区间下限"
        assert term("estimate [CI]") == "估计值 [置信区间]"
        assert CAT.text("effects", level="95%", n=64000) == "95% 效应（64,000 位客户）。"
    with pytest.raises(KeyError, match="catalog 'demo' has no text 'nosuch'"):
        CAT.text("nosuch")
    with pytest.raises(ValueError, match="has no \\['zh'\\]"):
        Catalog("bad", texts={"x": {"en": "only English"}})


def test_readable_merges_intervals_formats_shares_and_p_values_and_translates_headers():
    use_catalog(CAT)
    df = pd.DataFrame({"outcome": ["visit"], "estimate": [0.0766], "ci_low": [0.07], "ci_high": [0.0832],
                       "lift": [0.0004], "p": [1e-6], "auuc": [0.51234]})
    with use_lang("zh"):
        out = readable(df, intervals=[("estimate", "ci_low", "ci_high")], percent=["lift"], words=["outcome"],
                       sign=["estimate"])
    assert list(out.columns) == ["outcome", "估计值 [置信区间]", "lift", "p 值", "Qini 曲线下面积"]
    assert out.iloc[0].tolist() == ["到访", "+0.077 [0.070, 0.083]", "< 0.1%", "< 0.001", "0.512"]
    assert list(df.columns)[:2] == ["outcome", "estimate"]  # the input is left alone


def test_keyed_tables_keep_their_numbers_when_a_cell_runs_again(monkeypatch):
    import IPython.display

    import crmlab

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: shown.extend(objs))
    use_catalog(CAT)
    reset_numbering()
    df = pd.DataFrame({"auuc": [1.23456]})
    show_table(df, "effects", level="95%", n=10)
    show_table(df, "effects", name="effects_b", level="90%", n=5)
    show_table(df, "effects", level="95%", n=10)  # the first cell again: same number
    captions = [o.data for o in shown if hasattr(o, "data") and isinstance(o.data, str) and o.data.startswith("**")]
    assert captions == ["**Table 1.** Effects at 95% (10 customers).", "**Table 2.** Effects at 90% (5 customers).",
                        "**Table 1.** Effects at 95% (10 customers)."]
    assert (crmlab.output_dir() / "tables" / "effects.csv").read_text() == "auuc\n1.23456\n"
    tables = [o.data for o in shown if hasattr(o, "data") and "crmlab-frame" in str(o.data)]
    assert '<th class="num">AUUC</th>' in tables[0] and '<td class="num">1.23</td>' in tables[0]
    shown.clear()
    with use_lang("zh"):
        section("intro")
        say("一句话。")
        import matplotlib.pyplot as plt

        show_figure(plt.figure(), "plot")
    texts = [o.data for o in shown if hasattr(o, "data") and isinstance(o.data, str)]
    assert texts == ['<a id="sec-intro"></a>\n\n# 演示\n\n文字。', "一句话。", "**图 1.** 一张图。"]
    assert (crmlab.output_dir() / "figures" / "plot.png").exists()


def test_translate_columns_handles_multi_level_indexes():
    use_catalog(CAT)
    idx = pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["dataset", "n"])
    df = pd.DataFrame({"rows": [1, 2]}, index=idx)
    with use_lang("zh"):
        out = translate_columns(df)
    assert list(out.index.names) == ["数据集", "样本数"] and list(out.columns) == ["行数"]
    assert list(df.index.names) == ["dataset", "n"]


def test_key_findings_link_to_their_sections_and_are_saved_for_the_index(monkeypatch):
    import json

    import IPython.display

    import crmlab

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    use_catalog(CAT)
    with use_lang("zh"):
        from crmlab.report import key_findings

        stored = key_findings([("**访问率**提升 7.7 个百分点 [7.0, 8.3]", "intro"), ("无链接", None)])
    box = [o.data for o in shown if "crmlab-findings" in str(getattr(o, "data", ""))][0]
    assert "<h3>主要发现</h3>" in box and '<a href="#sec-intro">→ 演示</a>' in box and "<strong>访问率</strong>" in box
    saved = json.loads((crmlab.output_dir() / "findings.json").read_text())
    assert saved == {"lang": "zh", "findings": stored} and stored[1] == {"text": "无链接", "section": None}
