"""Reports a manager acts on, checked in headless Chromium (issue #12): the key findings on the first
laptop screen, nothing spilling off a phone screen but inside a scroll frame, names instead of codes,
money with its currency, an index that reads like a report, and PDFs that hold the key findings."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.test_browser import _open, _reports, browser  # noqa: F401  (the browser fixture; skips as they do)

# every test of this module shares the studies' quick runs: one worker computes them once (make test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("studies")

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _runs(quick_runs, quick_run_zh):
    base, procs = quick_runs
    out_zh, proc_zh = quick_run_zh
    assert procs[0].returncode == 0, procs[0].stdout + procs[0].stderr
    assert proc_zh.returncode == 0, proc_zh.stdout + proc_zh.stderr
    return {"en": base / "run1", "zh": out_zh}


def _page(browser, path: Path, viewport):  # noqa: F811
    page = browser.new_page(viewport=viewport)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def test_key_findings_are_on_the_first_laptop_screen(browser, quick_runs, quick_run_zh, tmp_path):  # noqa: F811
    for lang, run in _runs(quick_runs, quick_run_zh).items():
        for report in _reports(run):
            page = _page(browser, report, LAPTOP)
            box = page.evaluate("""(() => { const b = document.querySelector('#key-findings');
                if (!b) return null; const r = b.getBoundingClientRect();
                return {top: r.top, bottom: r.bottom, items: b.querySelectorAll('li').length}; })()""")
            page.screenshot(path=str(tmp_path / f"{lang}-{report.stem}-1366.png"))
            assert box is not None, f"{lang} {report.name}: no key-findings box"
            assert 0 <= box["top"] < LAPTOP["height"] - 60, f"{lang} {report.name}: box starts at {box['top']} px"
            assert 2 <= box["items"] <= 6, f"{lang} {report.name}: {box['items']} findings"
            page.close()


def test_nothing_spills_off_a_phone_screen_except_inside_a_scroll_frame(browser, quick_runs, quick_run_zh,  # noqa: F811
                                                                       tmp_path):
    for lang, run in _runs(quick_runs, quick_run_zh).items():
        for page_path in [run / "index.html", *_reports(run)]:
            page = _page(browser, page_path, PHONE)
            page.screenshot(path=str(tmp_path / f"{lang}-{page_path.stem}-390.png"))
            offenders = page.evaluate("""(() => { const w = document.documentElement.clientWidth; const out = [];
                for (const e of document.body.querySelectorAll('*')) {
                  const r = e.getBoundingClientRect();
                  if (r.width === 0 || r.height === 0) continue;
                  if (r.right > w + 1 && !e.closest('.crmlab-frame, .frame')) {
                    out.push(e.tagName + '.' + e.className + ': ' + Math.round(r.right)); }
                } return out.slice(0, 8); })()""")
            assert offenders == [], f"{lang} {page_path.name}: {offenders}"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 1, f"{lang} {page_path.name}: page is {width} px wide"
            # a table wider than the screen scrolls in its frame, with a cue saying so
            cues = page.evaluate("""Array.from(document.querySelectorAll('.crmlab-frame.crmlab-overflows'))
                .map(f => f.nextElementSibling && getComputedStyle(f.nextElementSibling).display !== 'none')""")
            assert all(cues), f"{lang} {page_path.name}: a scrolling table without its cue"
            # Chinese headers never wrap one character per line
            narrow = page.evaluate("""Array.from(document.querySelectorAll('.crmlab-frame th')).filter(th => {
                const t = th.textContent.trim(); if (t.length < 3) return false;
                const r = document.createRange(); r.selectNodeContents(th);
                const tops = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top)));
                return tops.size >= t.length; }).map(th => th.textContent)""")
            assert narrow == [], f"{lang} {page_path.name}: headers broken one character per line {narrow}"
            page.close()


def test_index_reads_like_a_report(browser, quick_runs, quick_run_zh):  # noqa: F811
    from crmlab.run.runner import load_studies

    runs = _runs(quick_runs, quick_run_zh)
    for lang, run in runs.items():
        text = (run / "index.html").read_text(encoding="utf-8")
        for s in load_studies():
            title = s["title"][lang] if isinstance(s["title"], dict) else s["title"]
            assert title in text, (lang, title)
        body = re.sub(r"<[^>]+>", " ", text.split("<body>", 1)[1])
        assert not re.search(r"\d(\.\d+)?e[+-]\d", body), f"{lang}: scientific notation on the index"
        assert "主要发现" in text if lang == "zh" else "Key findings" in text


def test_every_report_has_a_pdf_that_holds_its_key_findings(quick_runs):
    base, procs = quick_runs
    assert procs[0].returncode == 0
    run = base / "run1"
    for report in _reports(run):
        pdf = report.with_suffix(".pdf")
        assert pdf.is_file(), f"no PDF for {report.name}"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert 2 <= pages <= 80, (report.name, pages)
        text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                                  text=True).stdout)
        findings = json.loads((report.parent / "findings.json").read_text())["findings"]
        first = re.sub(r"\s+", " ", re.sub(r"[*`]|\[→[^\]]*\]\([^)]*\)", "", findings[0]["text"])).strip()
        assert first[:40] in text, (report.name, first[:40])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_money_in_study_3_key_findings_carries_the_currency(quick_runs, quick_run_zh, lang):
    run = _runs(quick_runs, quick_run_zh)[lang]
    findings = json.loads((run / "03_segmentation_clv" / "findings.json").read_text())["findings"]
    money = [f["text"] for f in findings if re.search(r"CLV|value|价值", f["text"])]
    assert money, findings
    for text in money:
        assert ("$" in text) if lang == "en" else ("美元" in text), text
