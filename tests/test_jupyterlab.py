"""A study notebook opened in a running JupyterLab with the crmlab kernel (headless Chromium).

The notebook is copied to a temporary folder first, so JupyterLab's checkpoints and the
kernel's outputs never touch the checkout.
"""
from __future__ import annotations

import json
import os
import re
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
    # study 1 in Chinese: its parameters cell set to lang = "zh", as a user would edit it
    nb = json.loads((ROOT / "notebooks" / "01_satisfaction_loyalty.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            src = "".join(cell["source"])
            cell["source"] = re.sub(r'(?m)^(lang(?::[^=]*)?=\s*)"en"', r'\1"zh"', src)
            assert cell["source"] != src
    (work / "study1_zh.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
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
        # run the first three cells one by one (parameters, setup with the title, the sizes section)
        page.click(".jp-Notebook .jp-Cell >> nth=0")
        for _ in range(3):
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


def test_a_chinese_study_shows_only_chinese_narrative_in_jupyterlab(lab, monkeypatch):
    """The parameters and setup cells of study 1 with ``lang = "zh"`` (title, key-findings box, introduction),
    executed by the crmlab kernel beforehand and opened in JupyterLab: only Chinese narrative is visible.
    (Running cells from the browser is the other test's part; here a busy CI machine cannot time it out.)"""
    import nbclient
    import nbformat

    url, tmp = lab
    work = tmp / "lab"
    monkeypatch.setenv("CRMLAB_OUTPUT_DIR", str(tmp / "out"))
    nb = nbformat.read(work / "study1_zh.ipynb", as_version=4)
    nb.cells = nb.cells[:2]
    nbclient.NotebookClient(nb, timeout=600, kernel_name="crmlab",
                            resources={"metadata": {"path": str(work)}}).execute()
    nbformat.write(nb, work / "study1_zh_run.ipynb")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(f"{url}/lab/tree/study1_zh_run.ipynb?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_selector(".jp-RenderedMarkdown h1", timeout=90_000)
        page.screenshot(path=str(tmp / "jupyterlab-zh.png"))
        visible = page.evaluate("""Array.from(document.querySelectorAll('.jp-RenderedMarkdown'))
            .filter(e => e.offsetParent !== null).map(e => e.innerText)""")
        narrative = "\n".join(visible)
        assert re.search(r"[\u4e00-\u9fff]", narrative), narrative[:500]
        # no English narrative cell is visible: no markdown cells at all, and no English sentence in the outputs
        assert page.locator(".jp-MarkdownCell").count() == 0
        english = [t for t in visible if len(re.findall(r"[A-Za-z]{4,}", t)) > 12
                   and not re.search(r"[\u4e00-\u9fff]", t)]
        assert english == [], english[:2]
        browser.close()
