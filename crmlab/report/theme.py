"""One look for every study's figures, with Chinese glyphs available on any machine.

The CJK font (Noto Sans CJK SC) comes from the ``mplfonts`` package on PyPI, so
Chinese labels render on a fresh machine without system fonts. It is registered
as a fallback after DejaVu Sans: Latin text keeps its usual face and each CJK
glyph falls back to Noto (matplotlib >= 3.6 falls back per glyph).
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import matplotlib as mpl
import seaborn as sns

PALETTE = ["#1f5f8b", "#e07b39", "#3a9d5d", "#c23b3b", "#7b5ea7", "#8c6d31", "#d45f9b", "#5f6b73"]
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"


@lru_cache(maxsize=1)
def cjk_font_name() -> str:
    """Register the bundled CJK font with matplotlib and return its family name."""
    import mplfonts
    from matplotlib import font_manager

    path = Path(mplfonts.__file__).with_name("fonts") / CJK_FONT_FILE
    font_manager.fontManager.addfont(str(path))
    # the font has one weight; matplotlib's note that bold falls back to regular is noise
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return font_manager.FontProperties(fname=str(path)).get_name()


def set_theme(*, context: str = "notebook") -> None:
    """Set crmlab's seaborn/matplotlib theme (call once at the top of a notebook)."""
    cjk = cjk_font_name()
    # text a little larger than seaborn's notebook context: figures stay readable when a phone shrinks them
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE, font_scale=1.2)
    mpl.rcParams.update(
        {
            "font.family": ["DejaVu Sans", cjk],
            "figure.figsize": (7.0, 4.3),
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "crmlab",
        }
    )
