"""Parameters checked by meaning before any kernel starts (issue #11): choices, ranges, files, header
columns, model texts, dates, YAML traps, long values, params files with a section per study."""
from __future__ import annotations

import json
import time

import pandas as pd
import pytest

from crmlab.core.errors import ParameterError
from crmlab.run.params import notebook_parameters, parse_cli_value, validate_parameters
from crmlab.run.runner import plan
from tests.conftest import FIXTURES, ROOT, crmlab_cli

NB = FIXTURES / "notebooks" / "meaning.ipynb"


@pytest.fixture(scope="module")
def declared():
    return notebook_parameters(NB)


def _check(declared, **given):
    return validate_parameters(declared, {k: parse_cli_value(v) if isinstance(v, str) else v
                                          for k, v in given.items()}, "meaning.ipynb", base=ROOT)


@pytest.mark.parametrize("name,value,fragment", [
    ("lang", "fr", "parameter 'lang' expects one of 'en', 'zh', got fr"),
    ("bootstrap", "-5", "parameter 'bootstrap' expects a number >= 0, got -5"),
    ("n_segments", "3.7", "parameter 'n_segments' expects a number >= 2 | one of 'auto', got 3.7"),
    ("n_segments", "1", "expects a number >= 2"),
    ("alpha", "1.5", "parameter 'alpha' expects a number from 0 to 1, got 1.5"),
    ("start", "1997-13-45", "parameter 'start' expects a date (YYYY-MM-DD)"),
])
def test_choices_and_ranges_are_refused_naming_the_parameter_and_what_it_accepts(declared, name, value, fragment):
    with pytest.raises(ParameterError, match=fragment.replace("(", r"\(").replace(")", r"\)").replace("|", r"\|")):
        _check(declared, **{name: value})


def test_accepted_values_convert_by_meaning(declared):
    out = _check(declared, n_segments="4", event_values="[yes, no]", lang="zh", end="null")
    assert out["n_segments"] == 4 and out["event_values"] == ["yes", "no"] and out["lang"] == "zh"
    assert out["end"] is None and _check(declared, n_segments="auto")["n_segments"] == "auto"


def test_missing_file_is_refused_at_once_naming_the_parameter(declared):
    t0 = time.perf_counter()
    with pytest.raises(ParameterError, match=r"parameter 'data': data file 'data/nosuch\.csv' not found"):
        _check(declared, data="data/nosuch.csv")
    assert time.perf_counter() - t0 < 2


def test_columns_are_checked_against_the_header_only(declared, tmp_path):
    other = tmp_path / "export.csv"
    pd.DataFrame({"respondent": [1], "总体满意度": [5], "服务": [4]}).to_csv(other, index=False, encoding="gbk")
    with pytest.raises(ParameterError) as err:
        _check(declared, data=str(other))  # new data, the column parameters still hold the bundled defaults
    msg = str(err.value)
    assert "parameter 'outcome': column 'q1' is not in the header of" in msg and "(parameter 'data')" in msg
    assert "its columns: respondent, 总体满意度, 服务" in msg and "parameter 'drivers': columns ['q2', 'q3']" in msg
    out = _check(declared, data=str(other), outcome="总体满意度", drivers="[服务]", model="SAT =~ 服务")
    assert out["drivers"] == ["服务"]


def test_excel_headers_and_sheets(declared, tmp_path):
    book = tmp_path / "survey.xlsx"
    with pd.ExcelWriter(book) as xl:
        pd.DataFrame({"a": [1]}).to_excel(xl, sheet_name="notes", index=False)
        pd.DataFrame({"q1": [1], "q2": [2], "q3": [3]}).to_excel(xl, sheet_name="answers", index=False)
    with pytest.raises(ParameterError, match="column 'q1' is not in the header"):
        _check(declared, data=str(book))  # the first sheet
    assert _check(declared, data=str(book), sheet="answers")["outcome"] == "q1"
    with pytest.raises(ParameterError, match=r"no sheet named 'nosuch'; sheets: \['notes', 'answers'\]"):
        _check(declared, data=str(book), sheet="nosuch")
    from crmlab.core.datasets import read_table

    assert read_table(book, sheet="answers").to_dict("list") == {"q1": [1], "q2": [2], "q3": [3]}


def test_model_text_parses_before_the_kernel(declared):
    with pytest.raises(ParameterError, match=r"parameter 'model': model line 2: expected '=~', '<~' or '~'"):
        _check(declared, model="SAT =~ q1 + q2\nLOY q3")
    long_model = "SAT =~ " + " + ".join(["q1", "q2", "q3"] * 40)
    with pytest.raises(ParameterError, match="lists an item twice"):  # parsed, never stat()ed as a path
        _check(declared, model=long_model)


def test_dates_in_order(declared):
    with pytest.raises(ParameterError, match="parameter 'end' = 1996-12-31 must be after 'start' = 1997-01-01"):
        _check(declared, end="1996-12-31")


def test_descriptions_come_from_the_trailing_comments(declared):
    assert declared["outcome"].description == "overall satisfaction item"
    proc = crmlab_cli("params", str(NB))
    assert proc.returncode == 0 and "bootstrap resamples" in proc.stdout and "a number >= 0" in proc.stdout


def test_params_file_sections_and_shared_keys(tmp_path):
    spec = tmp_path / "monthly.yaml"
    spec.write_text("lang: zh\nsatisfaction_loyalty:\n  bootstrap: 300\nretention_experiments:\n"
                    "  event_values: [yes]\n  policy_bootstrap: 50\n", encoding="utf-8")
    from crmlab.run.cli import _parse_overrides

    ov = _parse_overrides([], str(spec))
    jobs = {j.name: j for j in plan(["satisfaction_loyalty", "retention_experiments"], ov, cwd=ROOT)}
    assert jobs["01_satisfaction_loyalty"].parameters["bootstrap"] == 300
    assert jobs["01_satisfaction_loyalty"].parameters["lang"] == "zh"
    r = jobs["04_retention_experiments"].parameters
    assert r["event_values"] == ["yes"] and r["policy_bootstrap"] == 50 and r["lang"] == "zh"


def test_shared_key_no_study_declares_is_refused():
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) \['bootstrapp'\]: no study of this run"):
        plan(["satisfaction_loyalty", "retention_experiments"], {"bootstrapp": 1}, cwd=ROOT)


def test_malformed_params_file_gives_exit_2_with_line_and_column(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("lang: zh\nbootstrap: [1, 2\nseed: 3\n", encoding="utf-8")
    proc = crmlab_cli("run", str(NB), "--params", str(spec), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and f"{spec}: line 3, column 5: not valid YAML" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_notebook_gets_the_values_as_converted(tmp_path):
    out = tmp_path / "run"
    model = "SAT =~ q1 +\n  q2"
    proc = crmlab_cli("run", str(NB), "-p", "event_values=[yes, no]", "-p", f"model={model}", "-p",
                      "n_segments=3", "--out", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    values = json.loads((out / "meaning" / "results.json").read_text())["values"]
    assert values["event_values"] == ["yes", "no"] and values["model"] == model and values["n_segments"] == 3
