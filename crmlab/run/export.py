"""The HTML report of an executed notebook: self-contained, with a provenance banner and contents."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from crmlab.core.results import to_jsonable
from crmlab.report.htmlfont import embed_cjk_font

TEMPLATES = Path(__file__).with_name("templates")


#: errors a user causes and can act on (bad data, bad parameters, a model the data cannot fit):
#: the report shows their message, never a traceback through crmlab's code
USER_ERRORS = ("CrmlabError", "DataError", "ParameterError", "ConvergenceError", "RunLockedError")

FAILURE = {
    "DeadKernelError": {
        "en": "**The kernel died while running cell In [{cell}].** The most likely cause is that the study ran out "
              "of memory: run it on a sample of the data, with fewer notebooks at once (`--jobs 1`), or on a machine "
              "with more memory. The results above this cell are complete; nothing below it ran.",
        "zh": "**内核在运行单元格 In [{cell}] 时终止。** 最可能的原因是内存不足：请用数据的抽样运行，"
              "或减少同时运行的笔记本数（`--jobs 1`），或换用内存更大的机器。此单元格之前的结果是完整的；"
              "之后的内容没有运行。"},
    "CellTimeoutError": {
        "en": "**Cell In [{cell}] did not finish within the time limit** (`--timeout`). Nothing below it ran; raise "
              "`--timeout` or use a smaller setting of the study's parameters.",
        "zh": "**单元格 In [{cell}] 未能在时限内完成**（`--timeout`）。其后的内容没有运行；请调高 `--timeout`，"
              "或减小研究参数的规模。"},
    "other": {
        "en": "**This study stopped in cell In [{cell}]:** {ename}: {evalue}",
        "zh": "**本研究在单元格 In [{cell}] 处停止：** {ename}: {evalue}"},
}


def failure_text(error: dict[str, Any], lang: str = "en") -> str:
    """What a reader is told about a failed study, in the report's language."""
    entry = FAILURE.get(str(error.get("ename")), FAILURE["other"])
    cell = error.get("execution_count") or "?"
    return entry.get(lang, entry["en"]).format(cell=cell, ename=error.get("ename"),
                                               evalue=str(error.get("evalue") or "").strip())


def readable_failure(nb, error: dict[str, Any] | None, *, lang: str = "en", no_input: bool = False):
    """The executed notebook as a reader should see a failure (the saved .ipynb keeps every traceback).

    A note at the failing cell says what happened (a dead kernel: probably memory); an error a user
    caused (:data:`USER_ERRORS`), or any error in a ``--no-input`` report, shows its message only,
    not a traceback through code the reader never sees.
    """
    if not error:
        return nb
    import nbformat

    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error" and (no_input or out.get("ename") in USER_ERRORS):
                out["traceback"] = [f"{out.get('ename')}: {out.get('evalue')}"]
    i = error.get("cell_index")
    note = failure_text(error, lang)
    # papermill marks the failure twice (a red line at the top, one above the cell): ours replaces both
    marks = [c for c in nb.cells if "papermill-error-cell-tag" in c.get("metadata", {}).get("tags", [])]
    at_cell = [c for c in marks if 'id="papermill-error-cell"' in c.source]
    if at_cell:
        at_cell[0].source = note
        nb.cells = [c for c in nb.cells if c not in marks or c is at_cell[0]]
    else:
        cell = nbformat.v4.new_markdown_cell(note)
        nb.cells.insert(i if isinstance(i, int) and 0 <= i <= len(nb.cells) else len(nb.cells), cell)
    return nb


def export_html(nb_path: Path, html_path: Path, *, no_input: bool = False,
                banner: dict[str, Any] | None = None, error: dict[str, Any] | None = None) -> None:
    """Self-contained HTML of an executed notebook.

    Images are embedded and nothing is fetched from the network. With ``banner``
    (see :func:`banner_info`) the page opens with a provenance banner and a table
    of contents, and code is folded behind a toggle; ``no_input`` leaves code out.
    With ``error`` the failure is explained where it happened (:func:`readable_failure`)
    and in the banner.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    from crmlab.report.i18n import LANGS

    exporter = HTMLExporter(template_name="crmlab_report", extra_template_basedirs=[str(TEMPLATES)],
                            embed_images=True, exclude_input=no_input,
                            exclude_input_prompt=no_input, exclude_output_prompt=no_input)
    # narrative cells tagged lang-en / lang-zh: the report keeps those of its own language
    lang = (banner or {}).get("lang", "en")
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={f"lang-{x}" for x in LANGS if x != lang}), enabled=True)
    resources = {"crmlab": {**banner, "code_toggle": not no_input,
                            "failure": failure_text(error, lang) if error else ""}} if banner else {}
    nb = readable_failure(nbformat.read(str(nb_path), as_version=4), error, lang=lang, no_input=no_input)
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    html_path.write_text(embed_cjk_font(body), encoding="utf-8")


def notebook_title(nb, lang: str = "en") -> str:
    """The first level-1 heading of a notebook: in a Markdown cell of ``lang`` (cells tagged for another
    language skipped) or in the Markdown a study's code displays (its ``section("intro")``)."""
    for cell in nb.cells:
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if t.startswith("lang-")]
        if cell.cell_type == "markdown" and (not tags or f"lang-{lang}" in tags):
            texts = [cell.source]
        elif cell.cell_type == "code":
            texts = [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        else:
            continue
        for source in texts:
            source = "".join(source) if isinstance(source, list) else source
            for line in source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def banner_info(*, title: str, run_id: str, status: str, git: dict[str, Any], inputs: list[dict[str, str]],
                parameters: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    """What the report's provenance banner shows, with labels in the report's language."""
    from crmlab.report.i18n import t, use_lang

    with use_lang(lang if lang in ("en", "zh") else "en"):
        labels = {k: t(k) for k in ("run", "date", "commit", "uncommitted", "data", "parameters", "status",
                                    "ok", "failed", "contents", "show_code", "hide_code", "details")}
    shown, long = [], []
    for k, v in parameters.items():
        if isinstance(v, str) and ("\n" in v.strip() or len(v) > 120):
            long.append((k, v.strip("\n")))  # a model text: formatted in the details, not dumped inline
            continue
        text = json.dumps(to_jsonable(v), ensure_ascii=False)
        if len(text) > 120:
            long.append((k, json.dumps(to_jsonable(v), ensure_ascii=False, indent=1)))
        else:
            shown.append((k, text))
    inputs = [{**f, "name": Path(f["path"]).name} for f in inputs]
    return {
        "title": title, "run_id": run_id, "status": status, "lang": lang, "labels": labels,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git.get("commit") or "unknown", "dirty": bool(git.get("dirty")),
        "inputs": inputs, "parameters": shown, "long_parameters": long,
    }




def chromium() -> str | None:
    """The headless browser that prints reports to PDF (Debian's ``chromium``), if installed."""
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def export_pdf(html_path: Path, pdf_path: Path, *, timeout: int = 180) -> Path:
    """Print a report to PDF with headless Chromium (its print styles keep tables and figures whole).

    Raises
    ------
    RuntimeError
        Chromium is not installed, or printing failed (the message says which).
    """
    import subprocess
    import tempfile

    exe = chromium()
    if exe is None:
        raise RuntimeError("a PDF needs Chromium (Debian package 'chromium'); install it, or run without --pdf")
    with tempfile.TemporaryDirectory(prefix="crmlab-pdf-") as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", "--virtual-time-budget=10000",
               f"--print-to-pdf={pdf_path}", Path(html_path).resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium did not write {pdf_path.name} (exit {proc.returncode}): {proc.stderr[-500:]}")
    return pdf_path
