"""The reports in a real browser: headless Chromium (Debian's package) driven by Playwright.

For the index page and every report of a quick run: no console errors, every image
decoded, every table-of-contents link resolves, the code toggle shows and hides code.
For a Chinese run (``-p lang=zh``): Chinese text is drawn with a real CJK face, not
the fallback box. Screenshots go to the test's temporary folder.

Chromium comes from Debian (``.ci/run`` installs it when missing); nothing is
downloaded at test time. Without it the tests are skipped locally and fail in CI.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from crmlab.run.params import notebook_parameters
from crmlab.run.runner import load_studies
from tests.conftest import crmlab_cli

# every test of this module shares the studies' quick runs: one worker computes them once (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("studies")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is missing in CI: .ci/run should have installed Debian's chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path, shots: Path):
    """Open a local page; return (page, console errors)."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{path.parent.name}-{path.stem}.png"))
    return page, errors


def _assert_images_decoded(page, where):
    sizes = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert all(done and width > 0 for done, width in sizes), f"{where}: undecoded image(s) {sizes}"
    return len(sizes)


def _assert_toc_resolves(page, where):
    # follow each link as the browser does (location.hash) and ask which element became :target
    targets = page.evaluate("""Array.from(document.querySelectorAll('#crmlab-toc a')).map(a => {
        location.hash = a.getAttribute('href');
        const t = document.querySelector(':target');
        return [a.getAttribute('href'), t !== null && /^H[1-6]$/.test(t.tagName)];
    })""")
    assert targets, f"{where}: empty table of contents"
    assert all(ok for _, ok in targets), f"{where}: unresolved contents links {[t for t, ok in targets if not ok]}"


def _code_visible(page) -> bool:
    return page.evaluate("""(() => { const e = document.querySelector('.jp-CodeCell .jp-Cell-inputWrapper');
        return e !== null && e.offsetParent !== null; })()""")


def _narrative_visible(page) -> bool:
    return page.evaluate("""(() => { const hs = Array.from(document.querySelectorAll('.jp-RenderedMarkdown h2'));
        return hs.length > 0 && hs.every(h => h.offsetParent !== null); })()""")


def _reports(run: Path) -> list[Path]:
    manifest = json.loads((run / "manifest.json").read_text())
    return [run / n["name"] / f"{Path(n['notebook']).stem}.html" for n in manifest["notebooks"]]


def test_index_and_every_report_render_cleanly(browser, quick_runs, tmp_path):
    base, procs = quick_runs
    assert procs[0].returncode == 0, procs[0].stdout + procs[0].stderr
    run = base / "run1"
    page, errors = _open(browser, run / "index.html", tmp_path)
    links = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert not errors, errors
    for href in links:
        if href.startswith("file:"):
            assert Path(href.removeprefix("file://").split("#")[0]).exists(), href
    reports = _reports(run)
    assert len(reports) == len(load_studies())
    n_images = 0
    for report in reports:
        page, errors = _open(browser, report, tmp_path)
        assert not errors, f"{report.name}: console errors {errors}"
        n_images += _assert_images_decoded(page, report.name)
        _assert_toc_resolves(page, report.name)
        # code folded by default; the toggle shows it and hides it again
        assert not _code_visible(page), f"{report.name}: code visible before the toggle"
        assert _narrative_visible(page), f"{report.name}: headings hidden with the code"
        page.click("#crmlab-toggle-code")
        assert _code_visible(page), f"{report.name}: the toggle did not show the code"
        page.click("#crmlab-toggle-code")
        assert not _code_visible(page)
        page.close()
    assert n_images >= len(reports)  # every study shows at least one figure on average


def test_no_input_report_has_no_code_and_no_toggle(browser, tmp_path):
    out = tmp_path / "noinput"
    proc = crmlab_cli("run", "data_overview", "--quick", "--no-input", "--out", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    page, errors = _open(browser, out / "00_data_overview" / "00_data_overview.html", tmp_path)
    assert not errors
    assert page.evaluate("document.querySelectorAll('.jp-CodeCell .jp-InputArea, #crmlab-toggle-code').length") == 0
    assert _narrative_visible(page)
    _assert_images_decoded(page, "no-input report")


def _platform_fonts(page, selector: str) -> list[dict]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_chinese_reports_draw_chinese_glyphs(browser, quick_run_zh, tmp_path):
    assert all("lang" in notebook_parameters(s["notebook"]) for s in load_studies())
    out, proc = quick_run_zh
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for report in _reports(out):
        page, errors = _open(browser, report, tmp_path / "zh")
        assert not errors, errors
        title = page.text_content("#crmlab-banner .crmlab-title")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title), f"{report.name}: title not in Chinese: {title!r}"
        # the title's ideographs are drawn by the embedded CJK face, not a system font's box glyph
        fonts = _platform_fonts(page, "#crmlab-banner .crmlab-title")
        assert any(f["isCustomFont"] and "CJK" in f["familyName"] for f in fonts), fonts
        # and a rendered ideograph has a real advance: about one em, unlike a zero-width or tiny box
        width = page.evaluate("""(() => { const s = document.createElement('span');
            s.style.fontSize = '40px'; s.textContent = '满意度'; document.body.appendChild(s);
            const w = s.getBoundingClientRect().width; s.remove(); return w; })()""")
        assert 100 < width < 140, width
        _assert_toc_resolves(page, report.name)
        page.close()
