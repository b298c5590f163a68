"""The runner: validation before any kernel, failure isolation, outputs, determinism, atomicity."""
from __future__ import annotations

import json

import nbformat
import pytest
import yaml

from crmlab.run import folders, runner
from crmlab.core.errors import ParameterError
from tests.conftest import FIXTURES, crmlab_cli

OK = FIXTURES / "notebooks" / "ok.ipynb"
BROKEN = FIXTURES / "notebooks" / "broken.ipynb"


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    """One CLI run of a working and a deliberately broken notebook."""
    out = tmp_path_factory.mktemp("mixed") / "run"
    proc = crmlab_cli("run", str(OK), str(BROKEN), "-p", "seed=11", "--out", str(out), "--jobs", "2",
                      "--no-progress")
    return out, proc


def test_failing_notebook_does_not_stop_the_other(mixed_run):
    out, proc = mixed_run
    assert proc.returncode == 1, proc.stderr
    assert "1 ok, 1 failed" in proc.stdout
    ok = out / "ok"
    for name in ("ok.ipynb", "ok.html", "results.json", "manifest.json", "figures/hist.png",
                 "tables/describe.csv"):
        assert (ok / name).is_file(), name
    results = json.loads((ok / "results.json").read_text())
    assert results["fixture"]["n"] == 500 and results["fixture"]["label"] is None
    assert set(results["fixture"]["mean"]) == {"a", "b"}


def test_failed_notebook_shows_its_failing_cell(mixed_run):
    out, proc = mixed_run
    broken = out / "broken"
    # In [1] parameters, In [2] papermill's injected parameters, In [3] record, In [4] raise
    assert "broken  failed" in proc.stdout and "RuntimeError (cell In [4])" in proc.stdout
    manifest = json.loads((broken / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["error"]["ename"] == "RuntimeError"
    assert "deliberate failure" in manifest["error"]["evalue"]
    executed = nbformat.read(str(broken / "broken.ipynb"), as_version=4)
    assert executed.cells[manifest["error"]["cell_index"]].source.startswith("raise RuntimeError")
    page = (broken / "broken.html").read_text()
    assert "deliberate failure for the runner tests" in page
    assert "RuntimeError" in page and "This study stopped in cell In [4]" in page
    # the cell after the failure never ran; the one before it did
    assert json.loads((broken / "results.json").read_text()) == {"before_failure": 1}


def test_manifest_records_provenance(mixed_run):
    out, _ = mixed_run
    m = json.loads((out / "ok" / "manifest.json").read_text())
    assert m["parameters"] == {"seed": 11, "n": 500, "scale": 1.0, "label": None, "cols": ["a", "b"]}
    assert m["parameters_given"] == {"seed": 11} and m["seed"] == 11
    assert set(m["git"]) == {"commit", "short", "dirty"}
    assert m["packages"]["numpy"] and m["python"].startswith("3.11")
    assert m["host"] and m["started"] <= m["finished"] and m["duration_s"] > 0
    assert m["inputs"] == [{"path": "data/ecsi/satisfaction.csv",
                            "sha256": "7472dc1222129c94ecb4b1f0fdab1e9d82bd15023b09eb55f527ba4c6bc9d5e9"}]
    run = json.loads((out / "manifest.json").read_text())
    assert [n["name"] for n in run["notebooks"]] == ["ok", "broken"]
    assert run["status"] == "failed"


def test_index_lists_every_notebook_with_status_and_links(mixed_run):
    out, _ = mixed_run
    page = (out / "index.html").read_text()
    assert 'href="ok/ok.html"' in page and 'href="broken/broken.html"' in page
    assert '<span class="ok">ok</span>' in page and '<span class="failed">failed</span>' in page
    assert "fixture.mean.a" in page  # a headline figure from results.json
    assert not list(out.parent.glob(".*partial*"))


def test_html_is_self_contained(mixed_run):
    out, _ = mixed_run
    page = (out / "ok" / "ok.html").read_text()
    assert "data:image/png;base64," in page
    assert "src=\"http" not in page and "href=\"http" not in page.split("<main>")[0]  # nothing fetched


def test_timeout_and_dead_kernel_fail_only_their_notebook(tmp_path):
    out = tmp_path / "run"
    proc = crmlab_cli("run", str(FIXTURES / "notebooks" / "slow.ipynb"), str(FIXTURES / "notebooks" / "dies.ipynb"),
                      "--timeout", "3", "--out", str(out), "--no-progress")
    assert proc.returncode == 1
    run = json.loads((out / "manifest.json").read_text())
    errors = {n["name"]: n["error"] for n in run["notebooks"]}
    assert errors["slow"]["ename"] == "CellTimeoutError" and errors["slow"]["execution_count"] == 2
    assert errors["dies"]["ename"] == "DeadKernelError"
    for name in ("slow", "dies"):
        assert (out / name / f"{name}.html").is_file() and (out / name / "manifest.json").is_file()


def test_unknown_parameter_is_refused_before_any_kernel(tmp_path):
    out = tmp_path / "never"
    proc = crmlab_cli("run", "notebooks/00_data_overview.ipynb", "-p", "nosuch=1", "--out", str(out))
    assert proc.returncode == 2
    assert "unknown parameter 'nosuch'" in proc.stderr and "Valid parameters: datasets" in proc.stderr
    assert not out.exists()


def test_badly_typed_parameter_is_refused(tmp_path):
    proc = crmlab_cli("run", str(OK), "-p", "n=many", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "parameter 'n' expects int, got many" in proc.stderr


def test_unknown_study_name_is_refused():
    with pytest.raises(ParameterError, match="no notebook or study named 'nosuch'"):
        runner.plan(["nosuch"])


def test_sweep_and_determinism(tmp_path, mixed_run):
    """Two parameter sets of one notebook get their own folders; same seed, same bytes."""
    studies = tmp_path / "studies.yaml"
    studies.write_text(yaml.safe_dump({"studies": [
        {"name": "north", "notebook": str(OK), "parameters": {"seed": 11}},
        {"name": "south", "notebook": str(OK), "parameters": {"seed": 11}},
        {"name": "east", "notebook": str(OK), "parameters": {"seed": 12}},
    ]}))
    jobs = runner.plan(None, studies_file=studies)
    assert [j.name for j in jobs] == ["ok-north", "ok-south", "ok-east"]
    out, results = runner.run(jobs, tmp_path / "sweep", n_jobs=2, progress=False)
    assert all(r.status == "ok" for r in results)
    first_run = mixed_run[0] / "ok"
    for name in ("results.json", "tables/describe.csv"):
        ref = (first_run / name).read_bytes()
        assert (out / "ok-north" / name).read_bytes() == ref
        assert (out / "ok-south" / name).read_bytes() == ref
        assert (out / "ok-east" / name).read_bytes() != ref  # another seed, other numbers


def test_outputs_move_into_place_only_when_complete(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "outputs_root", lambda: tmp_path)
    dest = tmp_path / "run1"
    dest.mkdir()
    (dest / "old-report.txt").write_text("a complete earlier run")
    jobs = runner.plan([str(OK)], {"n": 50})

    def boom(*args):
        raise KeyboardInterrupt  # the run is interrupted after the notebooks ran

    monkeypatch.setattr(runner, "render_index", boom)
    with pytest.raises(folders.Interrupted) as info:
        runner.run(jobs, dest, progress=False)
    assert info.value.code == 130
    assert (dest / "old-report.txt").read_text() == "a complete earlier run"
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != ".run1.lock")
    assert names[0] == "run1" and [n.split("-")[0] for n in names[1:]] == ["run1.interrupted"]  # no partial
    interrupted = tmp_path / names[1]
    assert (interrupted / "INTERRUPTED.txt").is_file() and (interrupted / "ok" / "results.json").is_file()

    monkeypatch.undo()
    monkeypatch.setattr(runner, "outputs_root", lambda: tmp_path)
    out, results = runner.run(jobs, dest, progress=False)
    assert not (dest / "old-report.txt").exists() and (dest / "ok" / "results.json").exists()
    assert (tmp_path / "latest").resolve() == dest.resolve()
    assert "run1/index.html" in (tmp_path / "index.html").read_text()
