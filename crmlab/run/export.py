"""The HTML report of an executed notebook: self-contained, with a provenance banner and contents."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from crmlab.core.results import to_jsonable
from crmlab.report.htmlfont import embed_cjk_font

TEMPLATES = Path(__file__).with_name("templates")


def export_html(nb_path: Path, html_path: Path, *, no_input: bool = False,
                banner: dict[str, Any] | None = None) -> None:
    """Self-contained HTML of an executed notebook.

    Images are embedded and nothing is fetched from the network. With ``banner``
    (see :func:`banner_info`) the page opens with a provenance banner and a table
    of contents, and code is folded behind a toggle; ``no_input`` leaves code out.
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
    resources = {"crmlab": {**banner, "code_toggle": not no_input}} if banner else {}
    body, _ = exporter.from_notebook_node(nbformat.read(str(nb_path), as_version=4), resources=resources)
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
                                    "ok", "failed", "contents", "show_code", "hide_code")}
    shown = []
    for k, v in parameters.items():
        text = json.dumps(to_jsonable(v), ensure_ascii=False)
        shown.append((k, text if len(text) <= 120 else text[:117] + "..."))
    return {
        "title": title, "run_id": run_id, "status": status, "lang": lang, "labels": labels,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git.get("commit") or "unknown", "dirty": bool(git.get("dirty")),
        "inputs": inputs, "parameters": shown,
    }


