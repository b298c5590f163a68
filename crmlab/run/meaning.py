"""Parameters checked by meaning before any kernel starts: files, columns, model texts, dates.

Only headers are read, so the checks take milliseconds on files of any size, and a study
pointed at new data whose column parameters still hold the bundled defaults says so at once.
"""
from __future__ import annotations

import datetime as dt
import glob
import os
from pathlib import Path
from typing import Any

from crmlab.core.errors import DataError, ParameterError


def locate(value: str, base: Path | None = None) -> Path | None:
    """A data path as the study will read it (the working directory first, then the checkout and its
    ``data/``); folders and globs (of Parquet files) are accepted. None when nothing is there."""
    from crmlab.core.paths import data_dir, project_root

    if not isinstance(value, str) or not value or len(value) > 4096 or "\n" in value:
        return None
    p = Path(value).expanduser()
    roots = [] if p.is_absolute() else [base or Path.cwd(), project_root(), data_dir()]
    for cand in ([p] if p.is_absolute() else [r / p for r in roots]):
        try:
            if cand.is_file() or cand.is_dir():
                return cand.resolve()
        except OSError:  # a name too long for the file system, say
            return None
        if any(ch in str(cand) for ch in "*?[") and glob.glob(str(cand)):
            return Path(sorted(glob.glob(str(cand)))[0]).resolve()
    return None


def _has(p, kind: str) -> bool:
    return any(a.kind == kind for a in p.alts)


def _shown(path: str) -> str:
    return repr(path)


def check_meaning(declared: dict, values: dict[str, Any], given: set[str], *, base: Path | None = None) -> list[str]:
    """Problems with what the values mean (an empty list when there are none)."""
    from crmlab.core.datasets import read_header

    problems: list[str] = []
    headers: dict[str, list[str] | None] = {}
    sheet = values.get("sheet")

    def header_of(file_param: str) -> list[str] | None:
        if file_param not in headers:
            headers[file_param] = None
            path = values.get(file_param)
            where = locate(path, base) if isinstance(path, str) else None
            if where is not None:
                try:
                    headers[file_param] = read_header(where, sheet=sheet)
                except DataError as exc:
                    problems.append(f"parameter {file_param!r}: {exc}")
        return headers[file_param]

    for name, p in declared.items():
        value = values.get(name)
        if value is None:
            continue
        if _has(p, "file") and isinstance(value, str):
            where = locate(value, base)
            if where is None:
                looked = ", ".join(str(r) for r in ([base or Path.cwd()] if not os.path.isabs(value) else []))
                problems.append(f"parameter {name!r}: data file {_shown(value)} not found"
                                + (f" (relative paths are read from {looked} and the checkout)" if looked else "")
                                + f"; set -p {name}=PATH")
            elif where.is_file() and not os.access(where, os.R_OK):
                problems.append(f"parameter {name!r}: data file {_shown(value)} is not readable (permissions)")
        for alt in p.alts:
            if alt.kind in ("column", "columns") and alt.arg in values:
                header = header_of(alt.arg)
                if header is None:
                    continue
                wanted = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
                missing = [c for c in wanted if isinstance(c, str) and c not in header]
                if missing:
                    cols = ", ".join(header[:40]) + (f", ... ({len(header)} in all)" if len(header) > 40 else "")
                    what = f"column {missing[0]!r} is" if len(missing) == 1 else f"columns {missing} are"
                    problems.append(f"parameter {name!r}: {what} not in the header of {values.get(alt.arg)!r} "
                                    f"(parameter {alt.arg!r}); its columns: {cols}. Set -p {name}=...")
            if alt.kind == "model" and isinstance(value, str):
                problems.extend(_check_model(name, value, alt.arg, header_of if alt.arg in values else None,
                                             values.get(alt.arg)))
            if alt.kind == "date" and alt.arg and isinstance(value, str):
                other = values.get(alt.arg)
                if isinstance(other, str):
                    try:
                        if dt.date.fromisoformat(value[:10]) <= dt.date.fromisoformat(other[:10]):
                            problems.append(f"parameter {name!r} = {value} must be after {alt.arg!r} = {other}")
                    except ValueError:
                        pass
    return problems


def _check_model(name: str, text: str, file_param: str | None, header_of, file_value) -> list[str]:
    from crmlab.core.modeltext import parse_model

    try:
        spec = parse_model(text)
    except ParameterError as exc:
        return [f"parameter {name!r}: {exc}"]
    if header_of is None:
        return []
    header = header_of(file_param)
    if header is None:
        return []
    items = [i for block in spec.constructs.values() for i in block if i not in spec.constructs]
    missing = [i for i in items if i not in header]
    if not missing:
        return []
    return [f"parameter {name!r}: the model's item(s) {missing} are not columns of {file_value!r} "
            f"(parameter {file_param!r}); its columns: {', '.join(header[:40])}"]
