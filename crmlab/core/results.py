"""Where a study writes its headline figures, tables and figures.

A notebook run by ``crmlab run`` executes with ``CRMLAB_OUTPUT_DIR`` set to its
own output folder. Run interactively (JupyterLab), the folder is
``crmlab_output/<study>/`` under the working directory (ignored by git), once the
study's setup has named it (:func:`use_default_output`), else ``crmlab_output/``.

``results.json`` is the machine-readable face of a run: tests, scheduled jobs
and run comparisons read it, never the HTML. Keys are stable and documented
in each study notebook; numbers are plain JSON numbers, missing values null.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RESULTS_FILE = "results.json"
INPUTS_FILE = ".inputs.json"


_default = {"dir": Path("crmlab_output")}


def use_default_output(study: str) -> None:
    """Interactive runs of ``study`` write to ``crmlab_output/<study>/`` (``CRMLAB_OUTPUT_DIR`` wins)."""
    _default["dir"] = Path("crmlab_output") / study


def output_dir() -> Path:
    """The folder this study writes into (created on first use)."""
    out = Path(os.environ.get("CRMLAB_OUTPUT_DIR", _default["dir"]))
    out.mkdir(parents=True, exist_ok=True)
    return out


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas values to plain JSON types (NaN and inf become null)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return {str(k): to_jsonable(row) for k, row in value.to_dict(orient="index").items()}
    if isinstance(value, (list, tuple, np.ndarray, pd.Index)):
        return [to_jsonable(v) for v in list(value)]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, (str, Path)):
        return str(value)
    raise TypeError(f"crmlab.record cannot store a value of type {type(value).__name__}: {value!r}")


def read_results(path: str | os.PathLike | None = None) -> dict:
    """Read a results.json (default: this study's)."""
    p = Path(path) if path is not None else output_dir() / RESULTS_FILE
    if not p.exists():
        return {}
    return json.loads(p.read_text(encoding="utf-8"))


def _write_json_atomic(path: Path, obj: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def record(key: str, value: Any) -> Any:
    """Record a headline figure under a stable key in ``results.json``.

    Parameters
    ----------
    key : str
        Dotted keys nest: ``record("pls.paths", {...})`` stores
        ``results["pls"]["paths"]``. Recording a key again replaces it.
    value : number, str, bool, list, dict, Series or DataFrame
        numpy and pandas values are converted to plain JSON types.

    Returns
    -------
    The value as stored (plain JSON types), handy for display.
    """
    if not isinstance(key, str) or not key or any(not part for part in key.split(".")):
        raise ValueError(f"record() needs a non-empty dotted key, got {key!r}")
    stored = to_jsonable(value)
    path = output_dir() / RESULTS_FILE
    results = read_results(path)
    node = results
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = stored
    _write_json_atomic(path, results)
    return stored


def save_table(df: pd.DataFrame | pd.Series, name: str, *, index: bool | None = None) -> Path:
    """Write a table to ``tables/<name>.csv`` (UTF-8, ``\\n`` line ends).

    The index is written when it is named or is not a plain RangeIndex,
    unless ``index`` says otherwise.
    """
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if index is None:
        index = not (isinstance(df.index, pd.RangeIndex) and df.index.name is None)
    folder = output_dir() / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    df.to_csv(path, index=index, lineterminator="\n", encoding="utf-8")
    return path


def save_figure(fig, name: str, *, dpi: int = 110) -> Path:
    """Save a matplotlib figure (or seaborn grid) as ``figures/<name>.png``.

    The figure stays open so that the notebook still displays it.
    """
    folder = output_dir() / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    target = getattr(fig, "figure", fig)  # seaborn FacetGrid/JointGrid hold .figure
    target.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return path


def note_input(path: str | os.PathLike) -> None:
    """Remember that this study read ``path`` (the runner hashes it into the manifest).

    Only under the runner (``CRMLAB_OUTPUT_DIR`` set); interactive use writes nothing.
    """
    if "CRMLAB_OUTPUT_DIR" not in os.environ:
        return
    out = output_dir() / INPUTS_FILE
    seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else []
    p = str(Path(path).resolve())
    if p not in seen:
        seen.append(p)
        _write_json_atomic(out, sorted(seen))
