"""The page and what is on every page: size and margins, running header, footer with page numbers.

Page size and margins are the PDF's (styles/print.css), whatever the reference says; the
reference's own headers and footers are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from docx.shared import Mm

from generator.resources import STYLES_DIR
from generator.writers.docx import xml as X

# The PDF's page (styles/print.css @page): A4, 25 mm top and bottom, 20 mm left and right.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP = MARGIN_BOTTOM = Mm(25)
MARGIN_LEFT = MARGIN_RIGHT = Mm(20)
HEADER_DISTANCE = FOOTER_DISTANCE = Mm(12.5)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # EMU
TEXT_WIDTH_TWIPS = round(TEXT_WIDTH / 635)  # EMU -> twentieths of a point
# The measure of body text, as the PDF's (styles/base.css: main p { max-width: 33.5em } at 10.5pt):
# about 72 characters a line; tables, figures and headings take the whole width.
MEASURE_TWIPS = round(33.5 * 10.5 * 20)
MEASURE_RIGHT_INDENT = TEXT_WIDTH_TWIPS - MEASURE_TWIPS


def setup_page(document, title: str, styles, draft: str = "", watermark: str = "", page_of=()) -> None:
    """The last section of `document` (python-docx): the PDF's page, the title in the running
    header, "Page N of M" in the footer (`page_of`: the document's words `page_of`, as (text,
    placeholder) pieces: each placeholder a PAGE or NUMPAGES field), neither on the first page (the
    cover). A draft's line
    (`draft`) heads every page's header, the cover's too, and its label (`watermark`) lies across
    every page, the cover's too, as Word's own watermark (`watermark_runs`)."""
    section = document.sections[-1]
    for hf in (section.header, section.first_page_header, section.even_page_header,
               section.footer, section.first_page_footer, section.even_page_footer):
        hf.is_linked_to_previous = True  # drop the reference's own
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
    section.gutter = 0
    section.different_first_page_header_footer = True  # the cover has neither
    section.header.is_linked_to_previous = False
    header = section.header.paragraphs[0]._p  # noqa: SLF001
    X.paragraph_style(header, styles.id("Header"))
    header.append(X.run(title))
    if draft:
        for part in (section.header, section.first_page_header):
            part.is_linked_to_previous = False
            line = part.paragraphs[0].insert_paragraph_before()._p  # noqa: SLF001
            X.paragraph_style(line, styles.id("Header"))
            line.append(X.run(draft))
    if watermark:
        for number, part in enumerate((section.header, section.first_page_header), start=1):
            part.is_linked_to_previous = False
            part.paragraphs[0]._p.append(watermark_run(watermark, number))  # noqa: SLF001
    section.footer.is_linked_to_previous = False
    footer = section.footer.paragraphs[0]._p  # noqa: SLF001
    X.paragraph_style(footer, styles.id("Footer"))
    for text, name in page_of:
        if text:
            footer.append(X.run(text))
        if name:
            footer.extend(X.field_runs(FIELDS[name], [X.run("1")]))


FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}  # page_of's placeholders (generator/words.py)


# the watermark across the text area, rotated 45 degrees: the diagonal of a square as wide as the text
WATERMARK_SPAN_PT = TEXT_WIDTH / 12700 * 2 ** 0.5 * 0.9


@lru_cache(maxsize=8)
def watermark_look(label: str) -> tuple[str, bool, str, float]:
    """(font family, bold, colour, height / width of the label's box) of the draft's watermark, as
    the PDF's: the font and fill of styles/watermark.svg (its data-font, read with fontTools)."""
    from fontTools.ttLib import TTFont  # noqa: PLC0415 - only a draft needs it

    template = (STYLES_DIR / "watermark.svg").read_text(encoding="utf-8")
    font = TTFont(STYLES_DIR / re.search(r'data-font="([^"]+)"', template)[1])
    names = font["name"]
    family = str(names.getDebugName(16) or names.getDebugName(1))
    bold = font["OS/2"].usWeightClass >= 700
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    advance = sum(metrics[cmap[ord(c)]][0] for c in label if ord(c) in cmap) or font["head"].unitsPerEm
    line = font["hhea"].ascent - font["hhea"].descent
    return family, bold, re.search(r'fill="(#[0-9A-Fa-f]{6})"', template)[1], line / advance


def watermark_run(label: str, number: int):
    """Word's watermark shape saying `label`, its box the label's proportions: the label's length
    and the diagonal of the text area shared between the box's width and height."""
    family, bold, colour, ratio = watermark_look(label)
    width = WATERMARK_SPAN_PT / (1 + ratio)
    return X.watermark_run(label, number, family, bold, colour, width, width * ratio)
