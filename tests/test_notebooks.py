"""Every study notebook, end to end, with its quick parameter set (notebooks/studies.yaml).

- nbval (lax mode) executes a parameterised copy of each study notebook;
- ``crmlab run --quick`` runs them all into a temporary folder, twice: every study
  must succeed, write its HTML, results.json, manifest.json, and the two runs must give
  byte-identical results.json and tables (same inputs, parameters and seed).
"""
from __future__ import annotations

import pytest

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from crmlab.run.runner import load_studies

# every test of this module shares the studies' quick runs: one worker computes them once (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("studies")

STUDIES = load_studies()


def test_nbval_lax_on_every_study_notebook(tmp_path):
    copies = []
    for s in STUDIES:
        dest = tmp_path / f"{s['name']}.ipynb"
        node = load_notebook_node(str(s["notebook"]))
        node = parameterize_notebook(node, {**s["parameters"], **s["quick"]})
        nbformat.write(node, str(dest))
        copies.append(str(dest))
    env_out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", "-o", "addopts=", "-o", "testpaths=", "--rootdir", str(tmp_path), *copies],
        cwd=tmp_path, capture_output=True, text=True, timeout=1200,
        env={**os.environ, "CRMLAB_OUTPUT_DIR": str(env_out)},
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and " failed" not in proc.stdout


def test_every_study_runs_end_to_end(quick_runs):
    base, procs = quick_runs
    proc = procs[0]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = base / "run1"
    manifest = json.loads((run / "manifest.json").read_text())
    assert [n["name"] for n in manifest["notebooks"]] == [Path(s["notebook"]).stem for s in STUDIES]
    index = (run / "index.html").read_text()
    for s in STUDIES:
        stem = Path(s["notebook"]).stem
        folder = run / stem
        assert (folder / f"{stem}.ipynb").is_file() and (folder / f"{stem}.html").is_file()
        results = json.loads((folder / "results.json").read_text())
        assert results, f"{stem} recorded no results"
        m = json.loads((folder / "manifest.json").read_text())
        assert m["status"] == "ok" and m["inputs"], stem
        assert f'href="{stem}/{stem}.html"' in index
        if s["headline"]:  # the study's declared headline figures were recorded and are on the index page
            shown = [h for h in s["headline"] if html.escape(h.get("en", h["key"])) in index]
            assert len(shown) >= min(3, len(s["headline"])), (stem, s["headline"])


def test_same_inputs_parameters_and_seed_give_identical_files(quick_runs):
    base, procs = quick_runs
    assert procs[1].returncode == 0, procs[1].stdout + procs[1].stderr
    compared = 0
    for s in STUDIES:
        stem = Path(s["notebook"]).stem
        a, b = base / "run1" / stem, base / "run2" / stem
        files = ["results.json"] + [str(p.relative_to(a)) for p in sorted((a / "tables").glob("*.csv"))]
        for name in files:
            assert (a / name).read_bytes() == (b / name).read_bytes(), f"{stem}/{name} differs between runs"
            compared += 1
    assert compared >= 2 * len(STUDIES)
