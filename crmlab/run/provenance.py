"""Provenance of a run: git commit and dirty flag, package versions, input files and their hashes."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from crmlab.core.paths import project_root
from crmlab.core.results import INPUTS_FILE

KEY_PACKAGES = (
    "crmlab", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "matplotlib", "seaborn",
    "lifelines", "semopy", "pandera", "duckdb", "papermill", "nbconvert", "ipykernel",
)


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


def input_files(parameters: dict[str, Any], workdir: Path) -> list[Path]:
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


def display_path(p: Path) -> str:
    try:
        return str(p.relative_to(project_root()))
    except ValueError:
        return str(p)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def new_run_id(git: dict[str, Any] | None = None) -> str:
    git = git or git_info()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{git['short']}"


