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


@pytest.fixture(scope="session")
def quick_runs(tmp_path_factory):
    """Every study with its quick parameters, run twice by ``crmlab run`` (shared by several test modules);
    the first run also prints every report to PDF."""
    base = tmp_path_factory.mktemp("studies")
    procs = [crmlab_cli("run", "--quick", "--out", str(base / f"run{i}"), "--no-progress", *(["--pdf"] if i == 1 else []),
                        timeout=1500)
             for i in (1, 2)]
    return base, procs


@pytest.fixture(scope="session")
def quick_run_zh(tmp_path_factory):
    """Every study with its quick parameters in Chinese (``-p lang=zh``)."""
    out = tmp_path_factory.mktemp("studies_zh") / "zh"
    proc = crmlab_cli("run", "--quick", "-p", "lang=zh", "--out", str(out), "--no-progress", timeout=1500)
    return out, proc
