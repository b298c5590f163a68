"""How headline figures moved between two runs of the same studies.

Researchers re-run the same study every month or quarter; comparing the
``results.json`` of two runs (never their HTML) shows what changed.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from crmlab.core.errors import ParameterError
from crmlab.core.paths import outputs_root

COLUMNS = ["study", "key", "before", "after", "change", "pct_change"]


def flatten(results: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a results.json as ``{"a.b.c": value}`` (lists are indexed ``a.0``)."""
    out: dict[str, float] = {}
    items = results.items() if isinstance(results, dict) else enumerate(results)
    for k, v in items:
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, (dict, list)):
            out.update(flatten(v, key))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = float(v)
    return out


def resolve_run(ref: str | Path, outputs: Path | None = None) -> Path:
    """A run folder from a path or a run id under ``outputs/``."""
    p = Path(ref)
    for cand in (p, (outputs or outputs_root()) / str(ref)):
        if (cand / "manifest.json").is_file():
            return cand.resolve()
    raise ParameterError(f"no run found at {str(ref)!r} (a run folder holds manifest.json)")


def study_results(run: Path) -> dict[str, dict[str, Any]]:
    """``{study folder: results}`` for every study of a run."""
    out = {}
    for folder in sorted(p for p in run.iterdir() if p.is_dir()):
        res = folder / "results.json"
        if res.is_file():
            out[folder.name] = json.loads(res.read_text(encoding="utf-8"))
    return out


def compare_runs(before: Path, after: Path, *, changed_only: bool = True, rel_tol: float = 1e-12) -> pd.DataFrame:
    """Headline figures of the studies present in both runs, side by side.

    Returns
    -------
    DataFrame with columns ``study, key, before, after, change, pct_change``
    (``change = after - before``; ``pct_change`` is null when ``before`` is 0).
    Keys present in only one run appear with the other side null.
    """
    a, b = study_results(Path(before)), study_results(Path(after))
    rows = []
    for study in sorted(set(a) & set(b)):
        fa, fb = flatten(a[study]), flatten(b[study])
        for key in sorted(set(fa) | set(fb)):
            x, y = fa.get(key), fb.get(key)
            if x is not None and y is not None:
                if changed_only and math.isclose(x, y, rel_tol=rel_tol, abs_tol=0.0):
                    continue
                change = y - x
                pct = 100.0 * change / abs(x) if x != 0 else None
            else:
                change = pct = None
            rows.append({"study": study, "key": key, "before": x, "after": y, "change": change, "pct_change": pct})
    return pd.DataFrame(rows, columns=COLUMNS)


def previous_run(outputs: Path, current: str) -> Path | None:
    """The newest complete run in ``outputs`` older than ``current`` (run ids sort by time)."""
    runs = sorted(p.name for p in outputs.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
                  and (p / "manifest.json").is_file() and p.name < current)
    return outputs / runs[-1] if runs else None
