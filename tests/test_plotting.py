"""The theme renders Chinese glyphs with the CJK font shipped from PyPI (no system font)."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import crmlab  # noqa: E402
from crmlab.report.theme import cjk_font_name  # noqa: E402


def _raster(text: str):
    """Pixels of ``text`` drawn alone in a small figure."""
    import numpy as np

    fig = plt.figure(figsize=(1, 1), dpi=50)
    fig.text(0.1, 0.3, text, fontsize=30)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., 0].copy()
    plt.close(fig)
    return pixels


def test_chinese_labels_render_without_missing_glyphs():
    crmlab.set_theme()
    assert cjk_font_name() == "Noto Sans CJK SC"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        fig, ax = plt.subplots()
        ax.set_title("顾客满意度与顾客忠诚度")
        ax.set_xlabel("客户终身价值 (CLV)")
        fig.canvas.draw()
        plt.close(fig)
    # a missing glyph is drawn as the same box for every character; real glyphs differ
    a, b = _raster("满"), _raster("忠")
    assert (a < 128).sum() > 20 and (b < 128).sum() > 20  # ink on the page
    assert (a != b).sum() > 20
