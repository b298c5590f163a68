"""Command line: ``crmlab run``, ``crmlab list``, ``crmlab params``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crmlab.core.errors import CrmlabError, ParameterError
from crmlab.run.params import Overrides, load_yaml, notebook_parameters, parse_cli_value


def _parse_overrides(pairs: list[str], params_file: str | None, studies_file: str | None = None) -> Overrides:
    """``-p`` values (shared by every study of the run) and a ``--params`` YAML file: shared keys at the top,
    and a section per study (its name in studies.yaml or its notebook's stem) for that study only."""
    overrides = Overrides()
    if params_file:
        path = Path(params_file)
        if not path.is_file():
            raise ParameterError(f"--params: file {params_file!r} not found")
        data = load_yaml(path.read_text(encoding="utf-8"), params_file) or {}
        if not isinstance(data, dict):
            raise ParameterError(f"{params_file}: expected a mapping of parameter names to values "
                                 f"(and optionally a section per study)")
        names = _study_names(studies_file)
        for key, value in data.items():
            if key in names and isinstance(value, dict):
                overrides.sections[str(key)] = value
            else:
                overrides.shared[str(key)] = value
    for pair in pairs:
        if "=" not in pair:
            raise ParameterError(f"-p expects NAME=VALUE, got {pair!r}")
        name, value = pair.split("=", 1)
        overrides.shared[name.strip()] = parse_cli_value(value)
    return overrides


def _study_names(studies_file: str | None = None) -> set[str]:
    from crmlab.run.runner import load_studies

    try:
        studies = load_studies(Path(studies_file) if studies_file else None)
    except ParameterError:
        return set()
    return {s["name"] for s in studies} | {Path(s["notebook"]).stem for s in studies}


def cmd_run(args: argparse.Namespace) -> int:
    from crmlab.run import folders, runner

    overrides = _parse_overrides(args.param, args.params, args.studies)
    jobs = runner.plan(args.notebooks, overrides, quick=args.quick, pdf=args.pdf,
                       studies_file=Path(args.studies).resolve() if args.studies else None)
    if not jobs:
        print("nothing to run", file=sys.stderr)
        return 2
    requested = Path(args.out).resolve() if args.out else None
    try:
        out, results = runner.run(jobs, requested, n_jobs=args.jobs, timeout=args.timeout, no_input=args.no_input,
                                  kernel_name=args.kernel, progress=not args.no_progress)
    except folders.Interrupted as exc:
        kept = getattr(exc, "kept", None)
        where = f"; what it wrote is in {kept}" if kept else ""
        print(f"crmlab: run interrupted by {exc}: workers and kernels stopped, no complete run was "
              f"replaced{where}", file=sys.stderr)
        return exc.code
    width = max(len(r.name) for r in results)
    for r in results:
        line = f"  {r.name:<{width}}  {r.status:<6}  {r.duration_s:7.1f} s"
        if r.error:
            count = r.error.get("execution_count")
            where = f" (cell In [{count}])" if count else ""
            evalue = str(r.error.get("evalue") or "").splitlines()
            line += f"  {r.error.get('ename')}{where}: {evalue[0][:160] if evalue else ''}"
        print(line)
    failed = sum(r.status != "ok" for r in results)
    print(f"{len(results) - failed} ok, {failed} failed. Index: {out / 'index.html'}")
    if requested is not None and out != requested:
        print(f"The complete run in {requested} was kept as it was; this run (with failures) is in {out}.")
    return 1 if failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    from crmlab.run.runner import load_studies

    for s in load_studies():
        print(f"{s['name']:<28} {Path(s['notebook']).name}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from crmlab.run.runner import load_studies

    target = args.notebook
    path = Path(target)
    if not path.is_file():
        match = [s for s in load_studies() if s["name"] == target]
        if not match:
            raise ParameterError(f"no notebook or study named {target!r}")
        path = Path(match[0]["notebook"])
    for name, p in notebook_parameters(path).items():
        default = repr(p.default)
        if "\n" in default or len(default) > 60:
            default = default.replace("\\n", " ")[:57] + "..."
        print(f"{name:<22} {p.type_name:<24} default {default}")
        if p.description:
            print(f"{'':<22} {p.description}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from crmlab.run.compare import compare_runs, resolve_run

    before, after = resolve_run(args.before), resolve_run(args.after)
    table = compare_runs(before, after, changed_only=not args.all)
    if args.csv:
        table.to_csv(args.csv, index=False, lineterminator="\n")
    print(f"{before.name} -> {after.name}: {len(table)} headline figure(s) {'listed' if args.all else 'changed'}")
    if len(table):
        with pd.option_context("display.max_rows", args.limit, "display.width", 160):
            print(table.head(args.limit).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmlab", description="crmlab research workbench")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run study notebooks with validated parameters")
    run.add_argument("notebooks", nargs="*", help="notebook paths or study names (default: every study)")
    run.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="set a parameter (value parsed as YAML: 3, true, [a, b])")
    run.add_argument("--params", metavar="FILE.yaml", help="parameters from a YAML mapping")
    run.add_argument("--out", metavar="DIR", help="output folder (default outputs/<run-id>)")
    run.add_argument("--jobs", type=int, default=None, help="notebooks at once (default: cores)")
    run.add_argument("--timeout", type=int, default=None, metavar="SECONDS", help="limit per cell")
    run.add_argument("--no-input", action="store_true", help="hide code in the HTML reports")
    run.add_argument("--quick", action="store_true", help="use each study's quick parameter set")
    run.add_argument("--pdf", action="store_true", help="also print each report to PDF (headless Chromium)")
    run.add_argument("--studies", metavar="FILE.yaml",
                     help="a studies file of your own (default notebooks/studies.yaml), e.g. a sweep by region")
    run.add_argument("--kernel", default=None, help="Jupyter kernel (default: crmlab if registered)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)
    lst = sub.add_parser("list", help="list the studies in notebooks/studies.yaml")
    lst.set_defaults(func=cmd_list)
    prm = sub.add_parser("params", help="show a notebook's parameters, types and defaults")
    prm.add_argument("notebook")
    prm.set_defaults(func=cmd_params)
    cmp = sub.add_parser("compare", help="how headline figures moved between two runs")
    cmp.add_argument("before", help="run folder or run id under outputs/")
    cmp.add_argument("after", help="run folder or run id under outputs/")
    cmp.add_argument("--all", action="store_true", help="list unchanged figures too")
    cmp.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    cmp.add_argument("--limit", type=int, default=200, help="rows to print (default 200)")
    cmp.set_defaults(func=cmd_compare)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CrmlabError as exc:
        print(f"crmlab: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
