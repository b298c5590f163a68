"""``crmlab run``: execute study notebooks with validated parameters, in parallel.

Each notebook runs under papermill in its own process and working directory
(its output folder). Everything is written into a hidden partial folder next
to the destination and moved into place when the run is complete, so an
interrupted run never leaves a half-written report where a complete one was.
A failing notebook fails alone: the others finish, its executed copy and HTML
show the failing cell, and the run exits non-zero.
"""
from __future__ import annotations

import html
import json
import logging
import multiprocessing as mp
import os
import platform
import shutil
import socket
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


from crmlab.core.errors import ParameterError
from crmlab.core.paths import outputs_root, project_root
from crmlab.core.results import RESULTS_FILE, to_jsonable
from crmlab.report.htmlfont import embed_cjk_font
from crmlab.run import folders
from crmlab.run.export import banner_info, export_html, export_pdf, notebook_title
from crmlab.run.index import headline, render_index, render_runs_index
from crmlab.run.params import Overrides, load_yaml, notebook_parameters, validate_parameters
from crmlab.run.provenance import display_path, git_info, input_files, new_run_id, now, package_versions, sha256

STUDIES_FILE = "studies.yaml"


@dataclass
class Job:
    """One notebook execution: which notebook, under which folder name, with which parameters."""

    name: str
    notebook: Path
    given: dict[str, Any]           # parameters passed to papermill (validated, converted)
    parameters: dict[str, Any]      # every parameter as used (defaults filled in)
    title: str = ""
    headline: list[dict[str, Any]] | None = None  # results.json keys shown on the index page, with labels
    pdf: bool = False                              # also write the report as PDF


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
    title: str = ""
    lang: str = "en"
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # headline key -> {en, zh, unit}
    findings: list[dict[str, Any]] = field(default_factory=list)      # the study's key findings (findings.json)
    pdf: str | None = None


# --- planning: everything that can be refused is refused before a kernel starts -------------


def load_studies(path: Path | None = None) -> list[dict[str, Any]]:
    """Read ``notebooks/studies.yaml``: a list of studies (name, notebook, parameters, quick)."""
    path = path or project_root() / "notebooks" / STUDIES_FILE
    if not path.exists():
        raise ParameterError(f"{path}: studies file not found")
    spec = load_yaml(path.read_text(encoding="utf-8"), str(path)) or {}
    studies = spec.get("studies", []) if isinstance(spec, dict) else None
    if not isinstance(studies, list):
        raise ParameterError(f"{path}: expected a mapping with a 'studies' list")
    for i, s in enumerate(studies):
        for key in ("name", "notebook"):
            if key not in s:
                raise ParameterError(f"{path}: study #{i + 1} has no {key!r}")
        s["notebook"] = (path.parent / s["notebook"]).resolve()
        s.setdefault("parameters", {})
        s.setdefault("quick", {})
        s["headline"] = _headline_spec(s.get("headline"), path, s["name"])
        s.setdefault("pdf", False)
    return studies


def _headline_spec(entries, path: Path, name: str) -> list[dict[str, Any]] | None:
    """A study's ``headline`` list: keys, or mappings ``{key, en, zh, unit}`` that label them for readers."""
    if entries is None:
        return None
    out = []
    for e in entries:
        if isinstance(e, str):
            out.append({"key": e})
        elif isinstance(e, dict) and isinstance(e.get("key"), str):
            out.append(dict(e))
        else:
            raise ParameterError(f"{path}: study {name!r}: each headline entry is a results key or "
                                 f"{{key: ..., en: ..., zh: ...}}, got {e!r}")
    return out


def _absolute_files(declared: dict, values: dict[str, Any], given: set[str], base: Path) -> dict[str, Any]:
    """Relative data paths the user gave that exist under ``base`` (their working directory), made
    absolute: the kernel runs in the study's output folder and must read the same file."""
    out = dict(values)
    for name in given:
        p, v = declared.get(name), values.get(name)
        if p is None or not isinstance(v, str) or os.path.isabs(v) or not any(a.kind == "file" for a in p.alts):
            continue
        try:
            if (base / v).exists():
                out[name] = str((base / v).resolve())
        except OSError:  # not a path at all
            pass
    return out


def plan(
    targets: list[str] | None = None,
    overrides: dict[str, Any] | Overrides | None = None,
    *,
    quick: bool = False,
    studies_file: Path | None = None,
    cwd: Path | None = None,
    pdf: bool = False,
) -> list[Job]:
    """Build the list of jobs and check every parameter of every job, before any kernel starts.

    ``targets`` are notebook paths or study names; none means every study in
    ``studies.yaml`` (a notebook path listed there once runs as that study, with its parameters
    and quick set). Precedence: notebook defaults < study parameters < study ``quick`` set
    (with ``quick=True``) < shared overrides < the study's own section of the overrides.
    A shared override applies to the studies that declare it; one that no study of the run
    declares is refused.
    """
    cwd = cwd or Path.cwd()
    ov = overrides if isinstance(overrides, Overrides) else Overrides(shared=dict(overrides or {}))
    # studies.yaml is needed to run every study or to look a study up by name; plain notebook paths need none
    need_studies = (not targets or studies_file is not None or bool(ov.sections)
                    or any(not t.endswith(".ipynb") for t in targets))
    studies = load_studies(studies_file) if need_studies or _studies_file_exists(studies_file) else []
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
            listed = [s for s in studies if s["notebook"] == nb.resolve()]
            entries.append(listed[0] if len(listed) == 1 else
                           {"name": nb.stem, "notebook": nb.resolve(), "parameters": {}, "quick": {}})
    known = {s["name"] for s in studies} | {Path(s["notebook"]).stem for s in studies} | {
        e["name"] for e in entries} | {Path(e["notebook"]).stem for e in entries}
    stray = sorted(set(ov.sections) - known)
    if stray:
        raise ParameterError(f"--params: section(s) {stray} name no study (studies: {', '.join(sorted(known))})")
    counts: dict[Path, int] = {}
    for e in entries:
        counts[e["notebook"]] = counts.get(e["notebook"], 0) + 1
    jobs, problems, used = [], [], set()
    for e in entries:
        nb: Path = e["notebook"]
        folder = nb.stem if counts[nb] == 1 else f"{nb.stem}-{e['name']}"
        given = dict(e["parameters"])
        if quick:
            given.update(e.get("quick", {}))
        try:
            declared = notebook_parameters(nb)
            names = {e["name"], nb.stem}
            own = {k: v for n in sorted(names) for k, v in ov.sections.get(n, {}).items()}
            given.update({k: v for k, v in ov.shared.items() if k in declared or len(entries) == 1})
            given.update(own)
            used.update(k for k in ov.shared if k in declared)
            full = validate_parameters(declared, given, nb.name, base=cwd)
            full = _absolute_files(declared, full, set(given), cwd)
        except ParameterError as exc:
            problems.append(str(exc))
            continue
        title = e.get("title", "")
        if isinstance(title, dict):
            title = title.get(full.get("lang") if isinstance(full.get("lang"), str) else "en") or title.get("en", "")
        jobs.append(Job(folder, nb, {k: full[k] for k in given}, full, title, e.get("headline"),
                        bool(e.get("pdf")) or pdf))
    unused = sorted(set(ov.shared) - used)
    if unused and len(entries) > 1:
        problems.append(f"unknown parameter(s) {unused}: no study of this run declares them "
                        f"(crmlab params NAME lists a study's parameters)")
    if problems:
        raise ParameterError("\n".join(problems))
    names = [j.name for j in jobs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParameterError(f"two jobs would write the same folder: {dupes}")
    return jobs


def _studies_file_exists(studies_file: Path | None) -> bool:
    return (studies_file or project_root() / "notebooks" / STUDIES_FILE).exists()


# --- executing one notebook (in a worker process) ---------------------------------------------


def _error_from_notebook(nb) -> dict[str, Any] | None:
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                return {"cell_index": i, "execution_count": cell.get("execution_count"),
                        "ename": out.get("ename"), "evalue": out.get("evalue"),
                        "source": cell.source[:500]}
    return None


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
    started, t0 = now(), time.perf_counter()
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
        elif error is not None:  # a dead kernel leaves no error output: the last cell that started is the one
            started_cells = [i for i, c in enumerate(executed.cells) if c.cell_type == "code"
                             and c.get("metadata", {}).get("papermill", {}).get("start_time")]
            if started_cells:
                i = started_cells[-1]
                ordinal = sum(c.cell_type == "code" for c in executed.cells[:i + 1])  # In [n] when run in order
                count = executed.cells[i].get("execution_count") or ordinal
                error = {**error, "cell_index": i, "execution_count": count, "source": executed.cells[i].source[:500]}
    else:  # the kernel never started: keep a readable copy with the reason
        executed = nbformat.read(str(job.notebook), as_version=4)
        executed.cells.insert(0, nbformat.v4.new_markdown_cell(
            f"**This notebook did not run:** `{html.escape(str(error and error['evalue']))}`"))
        nbformat.write(executed, str(out_nb))
    inputs = [{"path": display_path(p), "sha256": sha256(p)} for p in input_files(job.parameters, workdir)]
    lang = job.parameters.get("lang") if isinstance(job.parameters.get("lang"), str) else "en"
    title = job.title or notebook_title(executed, lang) or job.notebook.stem  # studies.yaml names it best
    banner = banner_info(title=title,
                         run_id=run_info.get("run_id", ""), status="failed" if error else "ok",
                         git=run_info.get("git", {}), inputs=inputs, parameters=job.parameters, lang=lang)
    try:
        export_html(out_nb, workdir / f"{job.notebook.stem}.html", no_input=no_input, banner=banner, error=error)
    except Exception as exc:  # keep the run going; say so in the manifest
        error = error or {"ename": "HTMLExportError", "evalue": str(exc)[:2000]}
    results_path = workdir / RESULTS_FILE
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    keys = [h["key"] for h in job.headline] if job.headline else None
    labels = {h["key"]: {k: v for k, v in h.items() if k != "key"} for h in job.headline or []}
    findings_path = workdir / "findings.json"
    findings = json.loads(findings_path.read_text(encoding="utf-8")).get("findings", []) \
        if findings_path.exists() and not error else []
    pdf_name = None
    if job.pdf:
        try:
            pdf_name = export_pdf(workdir / f"{job.notebook.stem}.html", workdir / f"{job.notebook.stem}.pdf").name
        except Exception as exc:  # keep the run going; say so in the manifest
            error = error or {"ename": "PDFExportError", "evalue": str(exc)[:2000]}
    result = JobResult(job.name, display_path(job.notebook), "failed" if error else "ok", started,
                       now(), round(duration, 3), error, headline(results, keys), title, lang, labels, findings,
                       pdf_name)
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
        stamp = now()
        return JobResult(job.name, display_path(job.notebook), "failed", stamp, stamp, 0.0,
                         {"ename": type(exc).__name__, "evalue": str(exc)[:2000]})


# --- the run ----------------------------------------------------------------------------------


def default_kernel() -> str:
    from jupyter_client.kernelspec import find_kernel_specs

    return "crmlab" if "crmlab" in find_kernel_specs() else "python3"


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
    """Execute ``jobs`` into ``out`` (default ``outputs/<run-id>``); return the folder the run landed in
    and the results.

    The destination is checked and locked before any kernel starts (:mod:`crmlab.run.folders`).
    A failed run never replaces a complete one: it lands beside it as ``<out>.failed-<run-id>``
    (the returned folder then differs from ``out``). SIGTERM and SIGINT stop workers and kernels,
    set what was written aside as ``<out>.interrupted-<run-id>`` and raise
    :class:`~crmlab.run.folders.Interrupted` (exit code 143 / 130).
    """
    git = git_info()
    run_id = new_run_id(git)
    out = (Path(out) if out else outputs_root() / run_id).resolve()
    folders.check_destination(out)
    with folders.RunLock(out, run_id):
        try:
            old_handlers = folders.raise_on_signals()
        except ValueError:  # not the main thread: no signal handling
            old_handlers = {}
        partial = out.parent / f".{out.name}.partial-{os.getpid()}"
        try:
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            results = _execute_all(jobs, partial, run_id, git, n_jobs=n_jobs, timeout=timeout, no_input=no_input,
                                   kernel_name=kernel_name, progress=progress)
            status = _finish(partial, out, results)
            landed = folders.place(partial, out, run_id, status)
        except folders.Interrupted as exc:
            where = folders.set_aside_interrupted(partial, out, run_id, str(exc))
            exc.kept = where
            raise
        except KeyboardInterrupt:
            folders.set_aside_interrupted(partial, out, run_id, "SIGINT")
            raise folders.Interrupted(2) from None
        finally:
            shutil.rmtree(partial, ignore_errors=True)
            folders.restore_signals(old_handlers)
        if landed == out and out.parent == outputs_root().resolve():  # a custom --out leaves outputs/ alone
            _atomic_symlink(out.name, out.parent / "latest")
            _write_atomic(out.parent / "index.html", render_runs_index(out.parent))
    return landed, results


def _execute_all(jobs, partial: Path, run_id: str, git: dict[str, Any], *, n_jobs, timeout, no_input,
                 kernel_name, progress) -> list[JobResult]:
    from tqdm.auto import tqdm

    kernel_name = kernel_name or default_kernel()
    run_info = {
        "run_id": run_id,
        "git": git,
        "python": platform.python_version(),
        "packages": package_versions(),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "kernel": kernel_name,
        "started": now(),
    }
    n_jobs = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs) or 1))
    results: list[JobResult] = []
    pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context("spawn"),
                               initializer=folders.worker_ignores_sigint)
    try:
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
    except BaseException:  # interrupted: stop the workers and their kernels, then let the caller decide
        folders.stop_processes(list(getattr(pool, "_processes", None) or {}))
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    order = {j.name: i for i, j in enumerate(jobs)}
    results.sort(key=lambda r: order[r.name])
    manifest = {
        **run_info,
        "finished": now(),
        "status": "ok" if all(r.status == "ok" for r in results) else "failed",
        "command": sys.argv,
        "notebooks": [asdict(r) for r in results],
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    return results


def _finish(partial: Path, out: Path, results: list[JobResult]) -> str:
    """Write the run's index page (with what moved since the previous run); return the run's status."""
    manifest = json.loads((partial / "manifest.json").read_text(encoding="utf-8"))
    changes = None
    if out.parent == outputs_root().resolve():
        from crmlab.run.compare import compare_runs, previous_run

        prev = previous_run(out.parent, out.name)
        if prev is not None:
            changes = (prev.name, compare_runs(prev, partial))
    (partial / "index.html").write_text(embed_cjk_font(render_index(manifest, changes)), encoding="utf-8")
    return manifest["status"]


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
