"""Shared fixtures. Tests never write into the checkout: outputs go to pytest's tmp_path."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CRMLAB = str(Path(sys.executable).with_name("crmlab"))


@pytest.fixture(autouse=True)
def _isolated_output(tmp_path, monkeypatch):
    """Anything a test records goes into its own temporary folder."""
    monkeypatch.setenv("CRMLAB_OUTPUT_DIR", str(tmp_path / "crmlab_output"))
    monkeypatch.setenv("CRMLAB_PSEUDONYM_KEY", "test-key-not-secret")
    from crmlab.report.fmt import use_currency
    from crmlab.report.i18n import use_catalog, use_codebook, use_lang

    def reset():
        use_lang("en")
        use_catalog(None)
        use_codebook(None)
        use_currency(None)

    reset()
    yield
    reset()


def crmlab_cli(*args: str, cwd: Path | None = None, timeout: int = 600):
    """Run the installed ``crmlab`` command; return the CompletedProcess."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "CRMLAB_OUTPUT_DIR"}
    return subprocess.run([CRMLAB, *args], cwd=cwd or ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def once_per_session(tmp_path_factory, name: str, make):
    """``make(folder)`` computed once per test run, also when pytest-xdist spreads the tests over workers
    (each worker has its own session): the first worker to ask computes it in a folder all workers share,
    the others wait on a lock and read the pickled value. A failure is not kept (the next one to ask tries
    again and fails the same way)."""
    import fcntl
    import pickle
    import shutil

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    done = root / f"{name}.pickle"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.is_file():
            return pickle.loads(done.read_bytes())
        folder = root / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        value = make(folder)
        done.write_bytes(pickle.dumps(value))
        return value


@pytest.fixture(scope="session")
def quick_runs(tmp_path_factory):
    """Every study with its quick parameters, run twice by ``crmlab run`` (shared by several test modules);
    the first run also prints every report to PDF."""
    def make(base):
        return base, [crmlab_cli("run", "--quick", "--out", str(base / f"run{i}"), "--no-progress",
                                 *(["--pdf"] if i == 1 else []), timeout=1500) for i in (1, 2)]
    return once_per_session(tmp_path_factory, "studies", make)


@pytest.fixture(scope="session")
def quick_run_zh(tmp_path_factory):
    """Every study with its quick parameters in Chinese (``-p lang=zh``)."""
    def make(base):
        out = base / "zh"
        return out, crmlab_cli("run", "--quick", "-p", "lang=zh", "--out", str(out), "--no-progress", timeout=1500)
    return once_per_session(tmp_path_factory, "studies_zh", make)
