"""Index pages of a run and of all runs, rendered with Jinja in the run's language.

The run's index lists every study with its title, status, duration and headline
figures (formatted for readers: thousands separators, no scientific notation,
``< 0.001`` for p-values) and what moved since the previous run of the same
studies. ``outputs/index.html`` lists every complete run.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jinja2

from crmlab.report.fmt import fmt_num, fmt_p
from crmlab.report.narrative import pct

TEMPLATES = Path(__file__).with_name("templates") / "index"

LABELS: dict[str, dict[str, str]] = {
    "run_title": {"en": "Research run of {date}", "zh": "{date} 的研究运行"},
    "runs_title": {"en": "crmlab runs", "zh": "crmlab 运行记录"},
    "run": {"en": "Run", "zh": "运行"},
    "started": {"en": "Started", "zh": "开始"},
    "finished": {"en": "finished", "zh": "结束"},
    "commit": {"en": "commit", "zh": "代码版本"},
    "uncommitted": {"en": "uncommitted changes", "zh": "含未提交的修改"},
    "status": {"en": "Status", "zh": "状态"},
    "ok": {"en": "ok", "zh": "成功"},
    "failed": {"en": "failed", "zh": "失败"},
    "study": {"en": "Study", "zh": "研究"},
    "duration": {"en": "Duration", "zh": "用时"},
    "key_figures": {"en": "Key figures", "zh": "关键数字"},
    "open_report": {"en": "Open the report", "zh": "打开报告"},
    "in_cell": {"en": "in cell", "zh": "出错单元格"},
    "since_previous": {"en": "Since the previous run", "zh": "与上次运行相比"},
    "no_change": {"en": "No headline figure changed since run {prev}.",
                  "zh": "自运行 {prev} 以来，没有关键数字发生变化。"},
    "moved": {"en": "Headline figures that moved since run {prev}:", "zh": "自运行 {prev} 以来发生变化的关键数字："},
    "figure": {"en": "Figure", "zh": "指标"},
    "before": {"en": "Before", "zh": "之前"},
    "now": {"en": "Now", "zh": "现在"},
    "change": {"en": "Change", "zh": "变化"},
    "more": {"en": "{n} more: crmlab compare {prev} THIS_RUN", "zh": "另有 {n} 项：crmlab compare {prev} THIS_RUN"},
    "machine": {"en": "Machine-readable: manifest.json; each study folder holds results.json, tables/ and figures/.",
                "zh": "机器可读：manifest.json；每个研究文件夹包含 results.json、tables/ 和 figures/。"},
    "notebooks": {"en": "Studies", "zh": "研究"},
    "key_findings": {"en": "Key findings", "zh": "主要发现"},
    "pdf": {"en": "PDF", "zh": "PDF"},
    "moved_words": {"en": "{label}: {before} → {after} ({change})", "zh": "{label}：{before} → {after}（{change}）"},
    "all_changes": {"en": "Every figure that moved", "zh": "所有变化的数字"},
    "failed_note": {"en": "This study failed; its report shows where and why.",
                    "zh": "本研究运行失败；报告中说明了出错的位置和原因。"},
    "n_ok": {"en": "{ok}/{n} ok", "zh": "{ok}/{n} 成功"},
}


def run_lang(manifest: dict[str, Any]) -> str:
    """The run's language: Chinese when every study ran in Chinese, else English."""
    langs = {r.get("lang", "en") for r in manifest.get("notebooks", [])}
    return "zh" if langs == {"zh"} else "en"


def labels(lang: str) -> dict[str, str]:
    return {k: v.get(lang, v["en"]) for k, v in LABELS.items()}


def headline(results: dict[str, Any], keys: list[str] | None = None, limit: int = 6) -> dict[str, Any]:
    """Headline figures of a results.json as ``{dotted key: number}``.

    ``keys`` (a study's ``headline`` list in studies.yaml) picks them by name, in order,
    skipping any the run did not record; without it the first ``limit`` numbers are shown.
    """
    from crmlab.run.compare import flatten

    flat = flatten(results)
    if keys:
        return {k: flat[k] for k in keys if k in flat}
    return dict(list(flat.items())[:limit])


def is_p_key(key: str) -> bool:
    """True for results keys that hold p-values (``srm.p``, ``logrank.p``, ``x.p_holm``)."""
    last = key.rsplit(".", 1)[-1]
    return last in ("p", "p_value", "pvalue", "p_holm") or last.startswith("p_")


def fmt_value(key: str, value, unit: str | None = None, lang: str = "en") -> str:
    """A headline figure for readers: p-values as ``< 0.001``, shares as percentages (``unit: pct``),
    differences of shares in percentage points (``unit: pp``), other numbers to 3 significant digits
    with thousands separators, never scientific notation."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "pp":
        v = 100 * float(value)
        return f"{'+' if v > 0 else ''}{v:.1f} {'个百分点' if lang == 'zh' else 'pp'}"
    if unit == "p" or (unit is None and is_p_key(key)):
        return fmt_p(value)
    if unit == "pct":
        return pct(value)
    return fmt_num(value)


def _label(key: str, labels: dict, lang: str) -> str:
    entry = labels.get(key) or {}
    return entry.get(lang) or entry.get("en") or key


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _change_rows(table, limit: int = 60) -> list[dict[str, str]]:
    rows = []
    for r in table.head(limit).itertuples():
        pc = r.pct_change
        rows.append({"study": r.study, "key": r.key, "before": fmt_value(r.key, r.before),
                     "after": fmt_value(r.key, r.after),
                     "change": "-" if r.change is None or r.change != r.change else fmt_num(r.change),
                     "pct": "" if pc is None or pc != pc else pct(pc / 100, sign=True)})
    return rows


def render_index(manifest: dict[str, Any], changes: tuple[str, Any] | None = None) -> str:
    """The run's index page, read like a report: each study's title, key findings in words and labelled
    headline figures; with ``changes`` (previous run id, :func:`crmlab.run.compare.compare_runs` table), what
    moved since, in words for the labelled figures."""
    lang = run_lang(manifest)
    studies, labels_by_study = [], {}
    for r in manifest["notebooks"]:
        e = r.get("error") or None
        known = r.get("labels") or {}
        labels_by_study[r["name"]] = known
        studies.append({
            "name": r["name"], "title": r.get("title") or r["name"], "status": r["status"],
            "href": f"{r['name']}/{Path(r['notebook']).stem}.html", "duration": f"{r['duration_s']:.1f} s",
            "pdf": f"{r['name']}/{r['pdf']}" if r.get("pdf") else None,
            "findings": [_markdown(f.get("text", "")) for f in r.get("findings") or []],
            "figures": [(_label(k, known, lang), fmt_value(k, v, (known.get(k) or {}).get("unit"), lang))
                        for k, v in r.get("headline", {}).items()],
            "error": e and {"ename": str(e.get("ename")), "cell": e.get("execution_count"),
                            "evalue": str(e.get("evalue"))[:300]},
        })
    top = [s["findings"][0] for s in studies if s["findings"]][:6]
    prev, table = changes if changes else (None, None)
    words = []
    if table is not None:
        L = labels(lang)
        for r in table.itertuples():
            lab = labels_by_study.get(r.study, {}).get(r.key)
            if lab is None or r.before is None or r.after is None:
                continue
            unit = lab.get("unit")
            change = r.after - r.before
            shown = (fmt_value(r.key, change, "pp", lang) if unit in ("pct", "pp") else
                     ("+" if change > 0 else "") + fmt_num(change))
            words.append(L["moved_words"].format(label=_label(r.key, {r.key: lab}, lang),
                                                 before=fmt_value(r.key, r.before, unit, lang),
                                                 after=fmt_value(r.key, r.after, unit, lang), change=shown))
    return _environment().get_template("run.html.j2").render(
        lang=lang, L=labels(lang), manifest=manifest, git=manifest.get("git", {}), studies=studies,
        date=str(manifest.get("started", ""))[:10], prev=prev, top=top, words=words,
        changes=_change_rows(table) if table is not None else None,
        more=(len(table) - 60) if table is not None and len(table) > 60 else 0)


def _markdown(text: str):
    """A finding's Markdown as safe HTML for the index (links to sections of the report are dropped)."""
    import re

    import mistune
    from markupsafe import Markup

    html = mistune.html(re.sub(r"\s*\[→[^\]]*\]\(#[^)]*\)", "", text)).strip()
    if html.startswith("<p>") and html.endswith("</p>"):
        html = html[3:-4]
    return Markup(html)


def render_runs_index(outputs: Path, lang: str = "en") -> str:
    """``outputs/index.html``: every complete run, newest first."""
    runs = []
    for d in sorted((p for p in outputs.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True):
        m = d / "manifest.json"
        if d.is_symlink() or not m.exists():
            continue
        try:
            man = json.loads(m.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        nbs = man.get("notebooks", [])
        runs.append({"name": d.name, "status": man.get("status"), "started": man.get("started", ""),
                     "ok": sum(r["status"] == "ok" for r in nbs), "n": len(nbs)})
    return _environment().get_template("runs.html.j2").render(lang=lang, L=labels(lang), runs=runs)
