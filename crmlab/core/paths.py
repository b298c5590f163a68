"""Where the checkout lives (kept import-light: the CLI reads it before anything heavy)."""
from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout crmlab was installed from (holds ``data/``, ``notebooks/``, ``outputs/``)."""
    return Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Folder of the bundled data (``CRMLAB_DATA_DIR`` overrides)."""
    return Path(os.environ.get("CRMLAB_DATA_DIR", project_root() / "data"))


def outputs_root() -> Path:
    """``outputs/`` of the checkout: default home of runs, ``latest`` and the runs index."""
    return project_root() / "outputs"
