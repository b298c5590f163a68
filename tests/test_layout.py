"""The house's floors hold (issue #10): import-linter contracts, ruff, module sizes, thin notebooks."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
CRMLAB = ROOT / "crmlab"


def test_every_module_is_placed_on_a_floor():
    text = (ROOT / "pyproject.toml").read_text()
    placed = set(re.findall(r"crmlab\.([A-Za-z_]+)", text))
    tops = {p.stem if p.is_file() else p.name for p in CRMLAB.iterdir()
            if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert tops - placed == set(), "modules missing from the import-linter contracts in pyproject.toml"


def test_import_contracts_hold():
    proc = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_ruff_is_clean_on_package_tests_and_notebooks():
    proc = subprocess.run([str(BIN / "ruff"), "check", "crmlab", "tests", "notebooks", "benchmarks"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in CRMLAB.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_notebooks_are_thin_and_set_the_language_once():
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        code = [("".join(c["source"]), "parameters" in c["metadata"].get("tags", []))
                for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), nb_path.name
        assert not any(c["cell_type"] == "markdown" for c in nb["cells"]), f"{nb_path.name}: narrative in text"
        body = "\n".join(src for src, is_params in code if not is_params)
        assert "pick(" not in body, nb_path.name
        lang_lines = [line for line in body.splitlines() if re.search(r"\blang\b", line)]
        assert len(lang_lines) == 1 and re.match(r"^(\w+ = )?study\.setup\(lang\b", lang_lines[0]), (nb_path.name,
                                                                                                   lang_lines)


def test_every_docstring_example_runs():
    import doctest
    import importlib

    checked = 0
    for path in sorted(CRMLAB.rglob("*.py")):
        if ">>> " not in path.read_text(encoding="utf-8"):
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        result = doctest.testmod(importlib.import_module(name))
        assert result.failed == 0, name
        checked += result.attempted
    assert checked >= 10
