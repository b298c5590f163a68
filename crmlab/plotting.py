"""One look for every study's figures."""
from __future__ import annotations

import matplotlib as mpl
import seaborn as sns

PALETTE = ["#1f5f8b", "#e07b39", "#3a9d5d", "#c23b3b", "#7b5ea7", "#8c6d31", "#d45f9b", "#5f6b73"]


def set_theme(*, context: str = "notebook") -> None:
    """Set crmlab's seaborn/matplotlib theme (call once at the top of a notebook)."""
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": (7.5, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "crmlab",
        }
    )
