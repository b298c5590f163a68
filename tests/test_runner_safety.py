"""Nothing good is ever lost: destination checks, one run per folder, failed and interrupted runs (issue #11)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import psutil
import pytest

from crmlab.core.errors import ParameterError
from crmlab.run import folders
from tests.conftest import CRMLAB, FIXTURES, ROOT, crmlab_cli

OK = FIXTURES / "notebooks" / "ok.ipynb"
BROKEN = FIXTURES / "notebooks" / "broken.ipynb"
SLOW = FIXTURES / "notebooks" / "slow.ipynb"


def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_out_that_is_a_file_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"not a folder")
    proc = crmlab_cli("run", str(OK), "--out", str(target), "--no-progress")
    assert proc.returncode == 2 and "existing file, not a folder" in proc.stderr and str(target) in proc.stderr
    assert target.read_bytes() == b"not a folder" and sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_unwritable_out_is_refused_before_any_kernel_starts(tmp_path):
    t0 = time.perf_counter()
    proc = crmlab_cli("run", str(OK), "--out", "/sys/crmlab-cannot-write-here", "--no-progress")
    assert proc.returncode == 2 and "cannot write in /sys" in proc.stderr and "--out" in proc.stderr
    assert "Traceback" not in proc.stderr and time.perf_counter() - t0 < 20
    with pytest.raises(ParameterError, match="cannot create its folder"):
        folders.check_destination(OK / "inside-a-file")  # the parent is a regular file


def test_existing_unwritable_folder_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    monkeypatch.setattr(folders.os, "access", lambda path, mode: False)
    with pytest.raises(ParameterError, match="existing folder is not writable"):
        folders.check_destination(out)


def test_a_second_run_into_a_locked_folder_refuses_and_the_first_is_undisturbed(tmp_path):
    out = tmp_path / "monthly"
    with folders.RunLock(out.resolve(), "first-run"):
        proc = crmlab_cli("run", str(OK), "--out", str(out), "--no-progress")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "another crmlab run is writing there (run first-run, pid" in proc.stderr
    assert not out.exists()
    with folders.RunLock(out.resolve(), "again"):  # released: a later run takes it
        pass


def test_failed_run_into_a_complete_run_lands_beside_it(tmp_path):
    out = tmp_path / "2026-11"
    first = crmlab_cli("run", str(OK), "--out", str(out), "--no-progress")
    assert first.returncode == 0, first.stderr
    before = _tree(out)
    second = crmlab_cli("run", str(BROKEN), "--out", str(out), "--no-progress")
    assert second.returncode == 1
    assert _tree(out) == before  # results.json, tables, figures of the good run: all intact
    beside = [p for p in tmp_path.iterdir() if p.name.startswith("2026-11.failed-")]
    assert len(beside) == 1 and (beside[0] / "broken" / "broken.html").is_file()
    assert json.loads((beside[0] / "manifest.json").read_text())["status"] == "failed"
    assert f"The complete run in {out.resolve()} was kept as it was" in second.stdout
    assert not list(tmp_path.glob(".*partial*"))


def test_sigterm_stops_workers_and_kernels_and_keeps_the_complete_run(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "manifest.json").write_text('{"status": "ok"}')
    (out / "kept.txt").write_text("a complete earlier run")
    env = {k: v for k, v in os.environ.items() if k != "CRMLAB_OUTPUT_DIR"}
    proc = subprocess.Popen([CRMLAB, "run", str(SLOW), "-p", "seconds=120", "--out", str(out), "--no-progress"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    me = psutil.Process(proc.pid)
    deadline = time.time() + 90
    kernels = []
    while time.time() < deadline and not kernels:
        time.sleep(0.5)
        kernels = [p for p in me.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert kernels, "the kernel never started"
    children = me.children(recursive=True)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "interrupted by SIGTERM" in err and "no complete run was replaced" in err
    time.sleep(1)
    assert not [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]  # no orphans
    assert (out / "kept.txt").read_text() == "a complete earlier run"
    assert not list(tmp_path.glob(".*partial*"))
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("run.interrupted-")]
    assert all((p / "INTERRUPTED.txt").is_file() for p in aside)


def test_failures_are_explained_to_a_reader_without_tracebacks(tmp_path):
    out = tmp_path / "run"
    proc = crmlab_cli("run", str(FIXTURES / "notebooks" / "dies.ipynb"), str(BROKEN), "--out", str(out),
                      "--no-input", "--no-progress")
    assert proc.returncode == 1
    assert "DeadKernelError (cell In [2])" in proc.stdout
    dies = (out / "dies" / "dies.html").read_text()
    assert "The kernel died while running cell In [2]" in dies and "ran out of memory" in dies
    broken = (out / "broken" / "broken.html").read_text()
    assert "This study stopped in cell In [3]:</strong> RuntimeError: deliberate failure" in broken
    assert "Traceback" not in broken and 'File "' not in broken and "raise RuntimeError" not in broken
    assert "Traceback" in (out / "broken" / "broken.ipynb").read_text()  # the notebook keeps it for debugging
