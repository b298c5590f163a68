"""``crmlab run``: execute study notebooks with validated parameters, in parallel.

Each notebook runs under papermill in its own process and working directory
(its output folder). Everything is written into a hidden partial folder next
to the destination and moved into place when the run is complete, so an
interrupted run never leaves a half-written report where a complete one was.
A failing notebook fails alone: the others finish, its executed copy and HTML
show the failing cell, and the run exits non-zero.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import multiprocessing as mp
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from crmlab.core.errors import ParameterError
from crmlab.report.htmlfont import embed_cjk_font
from crmlab.run.params import notebook_parameters, validate_parameters
from crmlab.core.paths import project_root
from crmlab.core.results import INPUTS_FILE, RESULTS_FILE, to_jsonable

STUDIES_FILE = "studies.yaml"
TEMPLATES = Path(__file__).with_name("templates")
KEY_PACKAGES = (
    "crmlab", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "matplotlib", "seaborn",
    "lifelines", "semopy", "pandera", "duckdb", "papermill", "nbconvert", "ipykernel",
)


@dataclass
class Job:
    """One notebook execution: which notebook, under which folder name, with which parameters."""

    name: str
    notebook: Path
    given: dict[str, Any]           # parameters passed to papermill (validated, converted)
    parameters: dict[str, Any]      # every parameter as used (defaults filled in)
    title: str = ""
    headline: list[str] | None = None  # results.json keys shown on the index page


@dataclass
class JobResult:
    name: str
    notebook: str
    status: str                     # "ok" | "failed"
    started: str
    finished: str
    duration_s: float
    error: dict[str, Any] | None = None
    headline: dict[str, Any] = field(default_factory=dict)


# --- planning: everything that can be refused is refused before a kernel starts -------------


def load_studies(path: Path | None = None) -> list[dict[str, Any]]:
    """Read ``notebooks/studies.yaml``: a list of studies (name, notebook, parameters, quick)."""
    path = path or project_root() / "notebooks" / STUDIES_FILE
    if not path.exists():
        raise ParameterError(f"{path}: studies file not found")
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    studies = spec.get("studies", [])
    for i, s in enumerate(studies):
        for key in ("name", "notebook"):
            if key not in s:
                raise ParameterError(f"{path}: study #{i + 1} has no {key!r}")
        s["notebook"] = (path.parent / s["notebook"]).resolve()
        s.setdefault("parameters", {})
        s.setdefault("quick", {})
        s.setdefault("headline", None)
    return studies


def _absolutize(value: Any, base: Path) -> Any:
    """Turn relative paths that exist under ``base`` (the caller's cwd) into absolute ones."""
    if isinstance(value, str) and value and not os.path.isabs(value) and (base / value).exists():
        return str((base / value).resolve())
    if isinstance(value, list):
        return [_absolutize(v, base) for v in value]
    return value


def plan(
    targets: list[str] | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    quick: bool = False,
    studies_file: Path | None = None,
    cwd: Path | None = None,
) -> list[Job]:
    """Build the list of jobs and validate every parameter of every job.

    ``targets`` are notebook paths or study names; none means every study in
    ``studies.yaml``. Precedence: notebook defaults < study parameters <
    study ``quick`` set (with ``quick=True``) < ``overrides``.
    """
    cwd = cwd or Path.cwd()
    overrides = {k: _absolutize(v, cwd) for k, v in (overrides or {}).items()}
    # studies.yaml is needed to run every study or to look a study up by name; plain notebook paths need none
    need_studies = not targets or studies_file is not None or any(not t.endswith(".ipynb") for t in targets)
    studies = load_studies(studies_file) if need_studies else []
    entries: list[dict[str, Any]] = []
    if not targets:
        entries = list(studies)
    else:
        for t in targets:
            by_name = [s for s in studies if s["name"] == t]
            if by_name:
                entries.extend(by_name)
                continue
            nb = Path(t) if os.path.isabs(t) else cwd / t
            if not nb.is_file():
                names = ", ".join(s["name"] for s in studies)
                raise ParameterError(f"no notebook or study named {t!r} (studies: {names or 'none'})")
            entries.append({"name": nb.stem, "notebook": nb.resolve(), "parameters": {}, "quick": {}})
    counts: dict[Path, int] = {}
    for e in entries:
        counts[e["notebook"]] = counts.get(e["notebook"], 0) + 1
    jobs, problems = [], []
    for e in entries:
        nb: Path = e["notebook"]
        folder = nb.stem if counts[nb] == 1 else f"{nb.stem}-{e['name']}"
        given = dict(e["parameters"])
        if quick:
            given.update(e.get("quick", {}))
        given.update(overrides)
        try:
            declared = notebook_parameters(nb)
            full = validate_parameters(declared, given, nb.name)
        except ParameterError as exc:
            problems.append(str(exc))
            continue
        jobs.append(Job(folder, nb, {k: full[k] for k in given}, full, e.get("title", ""), e.get("headline")))
    if problems:
        raise ParameterError("\n".join(problems))
    names = [j.name for j in jobs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParameterError(f"two jobs would write the same folder: {dupes}")
    return jobs


# --- provenance -------------------------------------------------------------------------------


def git_info(root: Path | None = None) -> dict[str, Any]:
    root = root or project_root()
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, check=True).stdout
        return {"commit": commit, "short": commit[:7], "dirty": bool(status.strip())}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "short": "nogit", "dirty": None}


def package_versions() -> dict[str, str | None]:
    out = {}
    for name in KEY_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _input_files(parameters: dict[str, Any], workdir: Path) -> list[Path]:
    from crmlab.core.datasets import resolve_path

    found: set[Path] = set()
    values = []
    for v in parameters.values():
        values.extend(v if isinstance(v, list) else [v])
    for v in values:
        if isinstance(v, str) and v and len(v) < 4096 and "\n" not in v:
            try:
                found.add(resolve_path(v))
            except (ValueError, OSError):
                pass
    noted = workdir / INPUTS_FILE
    if noted.exists():
        found.update(Path(p) for p in json.loads(noted.read_text(encoding="utf-8")))
        noted.unlink()
    return sorted(p for p in found if p.is_file())


def _display_path(p: Path) -> str:
    try:
        return str(p.relative_to(project_root()))
    except ValueError:
        return str(p)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def new_run_id(git: dict[str, Any] | None = None) -> str:
    git = git or git_info()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{git['short']}"


# --- executing one notebook (in a worker process) ---------------------------------------------


def _error_from_notebook(nb) -> dict[str, Any] | None:
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                return {"cell_index": i, "execution_count": cell.get("execution_count"),
                        "ename": out.get("ename"), "evalue": out.get("evalue"),
                        "source": cell.source[:500]}
    return None


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


def execute_job(job: Job, run_dir: Path, run_info: dict[str, Any], *, kernel_name: str,
                timeout: int | None, no_input: bool) -> JobResult:
    """Run one notebook into ``run_dir/<job.name>/`` and write its HTML and manifest."""
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    workdir = run_dir / job.name
    (workdir / "figures").mkdir(parents=True, exist_ok=True)
    (workdir / "tables").mkdir(parents=True, exist_ok=True)
    out_nb = workdir / f"{job.notebook.stem}.ipynb"
    os.environ["CRMLAB_OUTPUT_DIR"] = str(workdir)
    # crmlab validated the parameters already; papermill's own parser cannot read multi-line
    # annotated defaults and would warn about parameters it merely failed to parse
    logging.getLogger("papermill").setLevel(logging.ERROR)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    started, t0 = _now(), time.perf_counter()
    error = None
    try:
        pm.execute_notebook(
            str(job.notebook), str(out_nb), parameters=job.given, kernel_name=kernel_name,
            cwd=str(workdir), progress_bar=False, execution_timeout=timeout,
            log_output=False, start_timeout=120,
        )
    except PapermillExecutionError:  # a cell raised: the cell's own error says it best
        error = {"ename": "PapermillExecutionError", "evalue": ""}
    except Exception as exc:  # a timeout or a dead kernel: this notebook only
        error = {"ename": type(exc).__name__, "evalue": str(exc)[:2000]}
    duration = time.perf_counter() - t0
    if out_nb.exists():
        executed = nbformat.read(str(out_nb), as_version=4)
        cell_error = _error_from_notebook(executed) if error is not None else None
        if cell_error and error["ename"] == "PapermillExecutionError":
            error = cell_error
        elif cell_error:  # keep the cause (timeout), name the cell it struck
            error = {**cell_error, "ename": error["ename"], "evalue": error["evalue"]}
    else:  # the kernel never started: keep a readable copy with the reason
        executed = nbformat.read(str(job.notebook), as_version=4)
        executed.cells.insert(0, nbformat.v4.new_markdown_cell(
            f"**This notebook did not run:** `{html.escape(str(error and error['evalue']))}`"))
        nbformat.write(executed, str(out_nb))
    inputs = [{"path": _display_path(p), "sha256": sha256(p)} for p in _input_files(job.parameters, workdir)]
    lang = job.parameters.get("lang") if isinstance(job.parameters.get("lang"), str) else "en"
    banner = banner_info(title=notebook_title(executed, lang) or job.title or job.notebook.stem,
                         run_id=run_info.get("run_id", ""), status="failed" if error else "ok",
                         git=run_info.get("git", {}), inputs=inputs, parameters=job.parameters, lang=lang)
    try:
        export_html(out_nb, workdir / f"{job.notebook.stem}.html", no_input=no_input, banner=banner)
    except Exception as exc:  # keep the run going; say so in the manifest
        error = error or {"ename": "HTMLExportError", "evalue": str(exc)[:2000]}
    results_path = workdir / RESULTS_FILE
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    result = JobResult(job.name, _display_path(job.notebook), "failed" if error else "ok", started,
                       _now(), round(duration, 3), error, headline(results, job.headline))
    manifest = {
        **run_info,
        "notebook": result.notebook,
        "name": job.name,
        "status": result.status,
        "started": started,
        "finished": result.finished,
        "duration_s": result.duration_s,
        "parameters": to_jsonable(job.parameters),
        "parameters_given": to_jsonable(job.given),
        "seed": job.parameters.get("seed"),
        "inputs": inputs,
        "error": error,
    }
    (workdir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def _worker(job: Job, run_dir: Path, run_info: dict[str, Any], kernel_name: str,
            timeout: int | None, no_input: bool) -> JobResult:
    try:
        return execute_job(job, run_dir, run_info, kernel_name=kernel_name, timeout=timeout, no_input=no_input)
    except Exception as exc:  # never let one notebook take the pool down
        now = _now()
        return JobResult(job.name, _display_path(job.notebook), "failed", now, now, 0.0,
                         {"ename": type(exc).__name__, "evalue": str(exc)[:2000]})


# --- the run ----------------------------------------------------------------------------------


def default_kernel() -> str:
    from jupyter_client.kernelspec import find_kernel_specs

    return "crmlab" if "crmlab" in find_kernel_specs() else "python3"


def outputs_root() -> Path:
    """``outputs/`` of the checkout: default home of runs, ``latest`` and the runs index."""
    return project_root() / "outputs"


def _atomic_symlink(target: str, link: Path) -> None:
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def run(
    jobs: list[Job],
    out: Path | None = None,
    *,
    n_jobs: int | None = None,
    timeout: int | None = None,
    no_input: bool = False,
    kernel_name: str | None = None,
    progress: bool = True,
) -> tuple[Path, list[JobResult]]:
    """Execute ``jobs`` into ``out`` (default ``outputs/<run-id>``); return the folder and results."""
    from tqdm.auto import tqdm

    git = git_info()
    run_id = new_run_id(git)
    out = Path(out) if out else outputs_root() / run_id
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    kernel_name = kernel_name or default_kernel()
    run_info = {
        "run_id": run_id,
        "git": git,
        "python": platform.python_version(),
        "packages": package_versions(),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "kernel": kernel_name,
    }
    started = _now()
    n_jobs = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs) or 1))
    results: list[JobResult] = []
    try:
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context("spawn")) as pool:
            futures = {pool.submit(_worker, j, partial, run_info, kernel_name, timeout, no_input): j for j in jobs}
            bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
            failed = 0
            bar.set_postfix(running=min(n_jobs, len(jobs)), failed=0)
            for fut in as_completed(futures):
                res = fut.result()
                results.append(res)
                failed += res.status != "ok"
                bar.update(1)
                bar.set_postfix(running=min(n_jobs, len(jobs) - len(results)), failed=failed)
            bar.close()
        order = {j.name: i for i, j in enumerate(jobs)}
        results.sort(key=lambda r: order[r.name])
        run_manifest = {
            **run_info,
            "started": started,
            "finished": _now(),
            "status": "ok" if all(r.status == "ok" for r in results) else "failed",
            "command": sys.argv,
            "notebooks": [asdict(r) for r in results],
        }
        (partial / "manifest.json").write_text(json.dumps(run_manifest, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        changes = None
        if out.parent == outputs_root().resolve():
            from crmlab.run.compare import compare_runs, previous_run

            prev = previous_run(out.parent, out.name)
            if prev is not None:
                changes = (prev.name, compare_runs(prev, partial))
        (partial / "index.html").write_text(embed_cjk_font(render_index(run_manifest, changes)), encoding="utf-8")
        # move into place: the old complete run (if any) stays until the new one is complete
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(partial, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    if out.parent == outputs_root().resolve():  # a custom --out elsewhere leaves outputs/ alone
        _atomic_symlink(out.name, out.parent / "latest")
        (out.parent / "index.html").write_text(render_runs_index(out.parent), encoding="utf-8")
    return out, results


# --- index pages --------------------------------------------------------------------------------

_CSS = """body{font-family:system-ui,'Noto Sans CJK SC','Noto Sans SC',sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.4rem .8rem;text-align:left;vertical-align:top}
.ok{color:#2e7d32;font-weight:600}.failed{color:#c62828;font-weight:600}code{font-size:.85em}
.kv{font-size:.85em;color:#444}"""


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    return f"{v:.4g}" if isinstance(v, float) else html.escape(str(v))


def render_changes(prev_id: str, table) -> str:
    """Index section: headline figures that moved since the previous run of the same studies."""
    if table is None or not len(table):
        return (f"<h2>Since the previous run</h2><p>No headline figure changed since run "
                f"<code>{html.escape(prev_id)}</code>.</p>")
    rows = "".join(
        f"<tr><td>{html.escape(r.study)}</td><td>{html.escape(r.key)}</td><td>{_fmt(r.before)}</td>"
        f"<td>{_fmt(r.after)}</td><td>{_fmt(r.change)}</td>"
        f"<td>{'' if r.pct_change is None or r.pct_change != r.pct_change else f'{r.pct_change:+.1f}%'}</td></tr>"
        for r in table.head(60).itertuples())
    more = f"<p class='kv'>{len(table) - 60} more: <code>crmlab compare {html.escape(prev_id)} THIS_RUN</code></p>" \
        if len(table) > 60 else ""
    return (f"<h2>Since the previous run</h2><p>Headline figures that moved since run <code>{html.escape(prev_id)}"
            f"</code>:</p><table><thead><tr><th>Study</th><th>Figure</th><th>Before</th><th>Now</th><th>Change</th>"
            f"<th>%</th></tr></thead><tbody>{rows}</tbody></table>{more}")


def render_index(manifest: dict[str, Any], changes: tuple[str, Any] | None = None) -> str:
    """The run's index page: every notebook with status, duration, headline figures and a link;
    with ``changes`` (previous run id, :func:`crmlab.run.compare.compare_runs` table), what moved since."""
    rows = []
    for r in manifest["notebooks"]:
        stem = Path(r["notebook"]).stem
        figures = "<br>".join(f"{html.escape(k)} = {_fmt(v)}" for k, v in r["headline"].items())
        err = ""
        if r.get("error"):
            e = r["error"]
            where = f" in cell In [{e['execution_count']}]" if e.get("execution_count") else ""
            err = f"<br><code>{html.escape(str(e.get('ename')))}{where}: {html.escape(str(e.get('evalue'))[:300])}</code>"
        rows.append(
            f"<tr><td><a href='{html.escape(r['name'])}/{html.escape(stem)}.html'>{html.escape(r['name'])}</a></td>"
            f"<td class='{r['status']}'>{r['status']}{err}</td><td>{r['duration_s']:.1f} s</td>"
            f"<td class='kv'>{figures}</td></tr>"
        )
    git = manifest["git"]
    dirty = " (uncommitted changes)" if git.get("dirty") else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>crmlab run {html.escape(manifest['run_id'])}</title>
<style>{_CSS}</style></head><body>
<h1>crmlab run {html.escape(manifest['run_id'])}</h1>
<p>Started {html.escape(manifest['started'])}, finished {html.escape(manifest['finished'])};
commit <code>{html.escape(str(git.get('commit')))}</code>{dirty}; status <span class='{manifest['status']}'>{manifest['status']}</span>.</p>
<table><thead><tr><th>Study</th><th>Status</th><th>Duration</th><th>Key figures</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
{render_changes(*changes) if changes else ''}
<p class='kv'>Machine-readable: <a href='manifest.json'>manifest.json</a>; each study folder holds results.json, tables/ and figures/.</p>
</body></html>
"""


def render_runs_index(outputs: Path) -> str:
    """``outputs/index.html``: every complete run, newest first."""
    rows = []
    for d in sorted((p for p in outputs.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True):
        m = d / "manifest.json"
        if d.is_symlink() or not m.exists():
            continue
        try:
            man = json.loads(m.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        n_ok = sum(r["status"] == "ok" for r in man.get("notebooks", []))
        rows.append(f"<tr><td><a href='{html.escape(d.name)}/index.html'>{html.escape(d.name)}</a></td>"
                    f"<td class='{man.get('status')}'>{man.get('status')}</td>"
                    f"<td>{n_ok}/{len(man.get('notebooks', []))} ok</td><td>{html.escape(man.get('started', ''))}</td></tr>")
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>crmlab runs</title><style>{_CSS}</style></head>
<body><h1>crmlab runs</h1><table><thead><tr><th>Run</th><th>Status</th><th>Notebooks</th><th>Started</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></body></html>
"""
