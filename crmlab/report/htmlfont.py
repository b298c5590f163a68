"""Chinese text in self-contained HTML reports, readable on any machine.

A report opened from an e-mail attachment cannot fetch a web font, and a
machine without CJK system fonts (a fresh server, a headless browser) draws
Chinese as empty boxes. So the report carries its own font: the Noto Sans CJK
SC face shipped by ``mplfonts`` (the one the figures use), subset with
fontTools to exactly the CJK characters of the page and embedded as a data URL.
A page without CJK text is left as it is.
"""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path

FONT_FAMILY = "crmlab-cjk"
# CJK symbols and punctuation, Hiragana/Katakana, CJK unified ideographs (ext. A and basic),
# compatibility ideographs, full-width forms
_CJK = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# The embedded face comes first and claims only CJK code points (unicode-range): Latin text
# falls through to the usual fonts, and no system font (which may answer for CJK with boxes
# at some weights) gets a say on CJK characters.
_UNICODE_RANGE = "U+3000-30FF,U+3400-4DBF,U+4E00-9FFF,U+F900-FAFF,U+FF00-FFEF"
_MONO = f'"{FONT_FAMILY}", "DejaVu Sans Mono", Menlo, Consolas, monospace'
_STACK = (f'"{FONT_FAMILY}", system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
          '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif')


def cjk_characters(text: str) -> str:
    """The distinct CJK characters of ``text``, sorted."""
    return "".join(sorted(set(_CJK.findall(text))))


def subset_font(chars: str) -> bytes:
    """An OpenType font holding only ``chars`` (plus .notdef), cut from Noto Sans CJK SC."""
    import mplfonts
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from crmlab.report.theme import CJK_FONT_FILE

    path = Path(mplfonts.__file__).with_name("fonts") / CJK_FONT_FILE
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = TTFont(str(path), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def embed_cjk_font(page: str) -> str:
    """Embed a font for the page's CJK characters and put it in every font stack.

    The ``<style>`` goes just before ``</head>``; JupyterLab's font variables and
    the crmlab banner then fall back to it glyph by glyph.
    """
    chars = cjk_characters(page)
    if not chars or "</head>" not in page:
        return page
    data = base64.b64encode(subset_font(chars)).decode("ascii")
    style = (
        "<style>"
        f'@font-face{{font-family:"{FONT_FAMILY}";src:url(data:font/otf;base64,{data}) format("opentype");'
        f"unicode-range:{_UNICODE_RANGE};}}"
        f":root{{--jp-content-font-family:{_STACK};--jp-ui-font-family:{_STACK};}}"
        # every element, whatever its stylesheet says, falls back to the embedded face; code stays monospace
        f"body *{{font-family:{_STACK} !important;}}"
        f"pre,code,pre *,code *,.highlight *,.jp-InputArea-editor *{{font-family:{_MONO} !important;}}"
        "</style>"
    )
    head, rest = page.split("</head>", 1)
    return head + style + "</head>" + rest
