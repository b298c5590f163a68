"""Parameter declarations (the notebook's ``parameters`` cell) and their validation."""
import pytest

from crmlab.core.errors import ParameterError
from crmlab.run.params import (notebook_parameters, parse_cli_value, parse_parameters_source,
                           validate_parameters)
from tests.conftest import FIXTURES, ROOT

SOURCE = '''
seed: int = 42
data: str = "data/ecsi/satisfaction.csv"
group: str | None = "gender"
alpha = 0.05
bootstrap = 5000
quick = False
drivers: list = ["q2", "q3"]
margins = None
ratio: float = 1
'''


def test_parse_declared_types_and_defaults():
    p = parse_parameters_source(SOURCE)
    assert list(p) == ["seed", "data", "group", "alpha", "bootstrap", "quick", "drivers", "margins", "ratio"]
    assert p["seed"].types == (int,) and p["seed"].default == 42
    assert p["group"].types == (str,) and p["group"].optional
    assert p["alpha"].types == (float,)
    assert p["quick"].types == (bool,)
    assert p["drivers"].types == (list,) and p["drivers"].default == ["q2", "q3"]
    assert p["margins"].types == () and p["margins"].optional
    assert p["ratio"].types == (float,) and p["ratio"].default == 1


def test_unknown_parameter_is_refused_naming_it_and_listing_valid_ones():
    declared = parse_parameters_source(SOURCE)
    with pytest.raises(ParameterError) as err:
        validate_parameters(declared, {"nosuch": 1, "seed": 3}, "study.ipynb")
    msg = str(err.value)
    assert "'nosuch'" in msg and "study.ipynb" in msg
    assert "seed (int)" in msg and "group (str | None)" in msg


def test_values_are_converted_to_the_declared_type():
    declared = parse_parameters_source(SOURCE)
    out = validate_parameters(declared, {"seed": 3.0, "alpha": 1, "group": None, "drivers": "q9",
                                         "bootstrap": "200", "data": 2024, "ratio": "0.5"}, "nb")
    assert out["seed"] == 3 and isinstance(out["seed"], int)
    assert out["alpha"] == 1.0 and isinstance(out["alpha"], float)
    assert out["group"] is None
    assert out["drivers"] == ["q9"]
    assert out["bootstrap"] == 200
    assert out["data"] == "2024"
    assert out["ratio"] == 0.5
    assert out["quick"] is False  # default filled in


@pytest.mark.parametrize("name,value", [("seed", "abc"), ("seed", 2.5), ("quick", "maybe"),
                                        ("bootstrap", True), ("data", None), ("drivers", {"a": 1})])
def test_inconvertible_values_are_refused(name, value):
    declared = parse_parameters_source(SOURCE)
    with pytest.raises(ParameterError, match=f"parameter '{name}' expects"):
        validate_parameters(declared, {name: value}, "nb")


def test_all_problems_reported_at_once():
    declared = parse_parameters_source(SOURCE)
    with pytest.raises(ParameterError) as err:
        validate_parameters(declared, {"a": 1, "seed": "x"}, "nb")
    assert "'a'" in str(err.value) and "'seed'" in str(err.value)


@pytest.mark.parametrize("source,fragment", [
    ("x = foo()", "must be a literal"),
    ("import os", "only 'name = literal'"),
    ("x: set = 1", "unsupported type annotation"),
    ("x = (", "line 1"),
])
def test_bad_parameters_cell_is_explained(source, fragment):
    with pytest.raises(ParameterError, match=fragment):
        parse_parameters_source(source)


def test_cli_values_are_read_by_the_declared_type():
    declared = parse_parameters_source(SOURCE + "names: list[str] = []\nanything = None\n")

    def cli(name, text):
        return validate_parameters(declared, {name: parse_cli_value(text)}, "nb")[name]
    assert cli("seed", "3") == 3 and cli("alpha", "0.5") == 0.5 and cli("quick", "true") is True
    assert cli("drivers", "[q2, q3]") == ["q2", "q3"] and cli("group", "null") is None
    assert cli("data", "data/x.csv") == "data/x.csv" and cli("data", "") == ""
    assert cli("names", "[yes, no, 1]") == ["yes", "no", "1"]  # YAML 1.1 booleans are text here
    assert cli("data", "line 1\nline 2") == "line 1\nline 2"  # newlines kept
    assert cli("anything", "[1, yes]") == [1, "yes"]


def test_every_study_notebook_declares_parseable_parameters():
    from crmlab.run.runner import load_studies

    studies = load_studies()
    assert studies, "notebooks/studies.yaml lists no study"
    for s in studies:
        declared = notebook_parameters(s["notebook"])
        validate_parameters(declared, s["parameters"], s["name"])
        validate_parameters(declared, {**s["parameters"], **s["quick"]}, s["name"] + " (quick)")


def test_fixture_notebook_parameters():
    p = notebook_parameters(FIXTURES / "notebooks" / "ok.ipynb")
    assert set(p) == {"seed", "n", "scale", "label", "cols"}
    assert (ROOT / "notebooks" / "studies.yaml").exists()
