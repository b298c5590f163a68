"""A study notebook opened in a running JupyterLab with the crmlab kernel (headless Chromium).

The notebook is copied to a temporary folder first, so JupyterLab's checkpoints and the
kernel's outputs never touch the checkout.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_browser import ARGS, CHROMIUM, sync_api  # skips/fails exactly as the browser tests do

TOKEN = "crmlab-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    work = tmp_path / "lab"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_data_overview.ipynb", work)
    port = _free_port()
    env = {**os.environ, "CRMLAB_OUTPUT_DIR": str(tmp_path / "out"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", f"--ServerApp.port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((tmp_path / "lab.log").read_text())
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text())
    yield url, tmp_path
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_notebook_runs_its_first_cells_in_jupyterlab_with_the_crmlab_kernel(lab):
    url, tmp = lab
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(f"{url}/lab/tree/00_data_overview.ipynb?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        # the kernel named in the notebook, started and idle
        page.wait_for_selector(".jp-Toolbar-kernelName:has-text('Python (crmlab)')", timeout=60_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
        # run the first seven cells one by one (two titles, parameters, imports, two headings, data)
        page.click(".jp-Notebook .jp-Cell >> nth=0")
        for _ in range(7):
            page.keyboard.press("Shift+Enter")
        page.wait_for_function(
            "document.querySelectorAll('.jp-CodeCell .jp-InputPrompt').length > 0 && "
            "Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))"
            ".slice(0, 3).every(e => /\\[\\d+\\]/.test(e.textContent))", timeout=120_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        page.screenshot(path=str(tmp / "jupyterlab.png"))
        errors = page.evaluate("""Array.from(document.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).map(e => e.textContent)""")
        assert not errors, errors
        # the data cell rendered its table of dataset sizes
        assert page.locator(".jp-OutputArea-output table").count() >= 1
        assert "ecsi" in page.locator(".jp-OutputArea-output table").first.text_content()
        browser.close()
