"""A draft's watermark: the label (the framework's `labels.draft`) drawn diagonally on every page.

The letters are outlines (glyph paths, by fontTools, from the shipped font that
styles/watermark.svg's data-font names), in an SVG that is the page's background: WeasyPrint
paints page backgrounds as Artifacts, and outlines are no text, so the word is in no reader's
text (structure tree, pdftotext, copy and paste). The SVG, its colour and its font are
styles/watermark.svg (a solid light colour drawn under the text: no transparency, which PDF/A
would have to declare); only the glyphs are computed here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from generator.resources import STYLES_DIR


@lru_cache(maxsize=8)
def watermark_css(label: str) -> tuple[str, list[str]]:
    """A style sheet putting `label` on every page, and the characters the font could not draw."""
    from fontTools.pens.svgPathPen import SVGPathPen  # noqa: PLC0415 - only a draft needs it
    from fontTools.pens.transformPen import TransformPen  # noqa: PLC0415
    from fontTools.ttLib import TTFont  # noqa: PLC0415

    from generator.fonts import quiet_font_dates  # noqa: PLC0415

    quiet_font_dates()
    template = (STYLES_DIR / "watermark.svg").read_text(encoding="utf-8")
    font = TTFont(STYLES_DIR / re.search(r'data-font="([^"]+)"', template)[1])
    glyphs, cmap, metrics = font.getGlyphSet(), font.getBestCmap(), font["hmtx"]
    pen, advance, missing = SVGPathPen(glyphs), 0, []
    for char in label:
        name = cmap.get(ord(char))
        if name is None:
            missing.append(char)
            continue
        glyphs[name].draw(TransformPen(pen, (1, 0, 0, -1, advance, 0)))  # font units: y up; SVG: y down
        advance += metrics[name][0]
    cap = font["OS/2"].sCapHeight or font["head"].unitsPerEm * 0.7
    size = round(max(advance, 1) / 1.3)  # the label across the square's diagonal, with a margin
    svg = template.format(size=size, centre=size / 2, shift_x=-advance / 2, shift_y=cap / 2,
                          path=pen.getCommands())
    css = f'@page {{ background: url("data:image/svg+xml,{quote(svg)}") no-repeat center / 90% auto; }}'
    return css, missing
