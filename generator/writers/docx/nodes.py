"""The DOCX writer's functions, one per node kind, named after the kind.

Each is registered in `BLOCKS` (it writes paragraphs and tables into a `Where`) or `INLINES` (it
writes runs into an `At`), and both registries dispatch the same way (`Kinds.render`): a node
that has no function there raises `NodeNotRendered`, never silently dropped. A function
receives the writer (`w`, a `DocxWriter`) for what the body shares: paragraphs in a style,
runs, tables, bookmarks, lists, footnotes.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from docx.image.exceptions import InvalidImageStreamError, UnexpectedEndOfFileError, UnrecognizedImageError
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from generator.formats.figures import IMAGE_MAX_PIXELS, SVG_SCALE, Refused, check_svg, data_url, is_svg, raster_size
from generator.inputs import InputError, read_input
from generator.model import Emph, Heading, Node, NodeNotRendered, Strong, Text
from generator.resources import blocks_data
from generator.writers.docx import xml as X
from generator.writers.docx.page import MEASURE_RIGHT_INDENT, TEXT_WIDTH

if TYPE_CHECKING:
    from generator.writers.docx.writer import DocxWriter

LINK_SCHEMES = ("http", "https", "mailto")
PARAGRAPH_CLASSES = {"statement": "Statement", "lead": "Lead"}  # model class -> paragraph style
CONTENTS_RANGE = "_RgContents"  # bookmark over the parts the contents lists (TOC \b)
TOC_LEVELS = "1-1"  # the model's contents lists the parts: their Heading 1 titles
REMOTE_TIMEOUT, REMOTE_LIMIT = 30, 20 * 2**20  # seconds, bytes: for --allow-remote images


# --------------------------------------------------------------------------- where output goes

@dataclass(frozen=True)
class Where:
    """Where blocks go: a python-docx container (the body or a cell), and the list/quote around them."""

    container: object
    level: int = -1  # list nesting, -1 outside lists
    num_id: int | None = None  # the numbering of a list item's first paragraph
    quote: bool = False


@dataclass(frozen=True)
class At:
    """Where inlines go: a w:p or w:hyperlink element, the part it belongs to, and the marks around it."""

    target: object
    part: object
    marks: frozenset = frozenset()
    in_note: bool = False
    lang: str = ""  # the language of a LanguageSpan around the runs ("" for the document's)

    def mark(self, name: str) -> "At":
        return replace(self, marks=self.marks | {name})


# --------------------------------------------------------------------------- dispatch

class Kinds(dict):
    """Node kind -> the function that writes it, `fn(w, node, to)`: one registry for blocks, one for inlines."""

    def __init__(self, placement: str):
        super().__init__()
        self.placement = placement  # how the error names the place: "as a block", "inside a paragraph"

    def register(self, fn):
        """Decorator: `fn` writes the node kind it is named after."""
        self[fn.__name__] = fn
        return fn

    def render(self, w: "DocxWriter", nodes, to) -> None:
        for node in nodes:
            fn = self.get(node.kind) if isinstance(node, Node) else None
            if fn is None:
                source = getattr(node, "source", None)
                raise NodeNotRendered(f"the DOCX writer cannot render {type(node).__name__} {self.placement}"
                                      + (f" (from {source})" if source else ""))
            w.source = getattr(node, "source", None) or w.source
            fn(w, node, to)


BLOCKS = Kinds("as a block")
INLINES = Kinds("inside a paragraph")
block, inline = BLOCKS.register, INLINES.register


# --------------------------------------------------------------------------- inlines

@inline
def text(w: "DocxWriter", node, at: At) -> None:
    w.run(at, re.sub(r"[ \t\r\n]+", " ", node.text))  # soft line breaks are spaces, as in HTML


@inline
def emph(w, node, at: At) -> None:
    w.inlines(node.children, at.mark("emph"))


@inline
def strong(w, node, at: At) -> None:
    w.inlines(node.children, at.mark("strong"))


@inline
def language_span(w, node, at: At) -> None:
    w.inlines(node.children, replace(at, lang=node.lang))


@inline
def code(w, node, at: At) -> None:
    w.run(at.mark("code"), node.text)


@inline
def link(w, node, at: At) -> None:
    href = node.href.strip()
    scheme = urlsplit(href).scheme.lower()
    if href.startswith("#") and href[1:] in w.bookmark_names:
        target = X.hyperlink(anchor=w.bookmark_names[href[1:]])
    elif scheme in LINK_SCHEMES:
        target = X.hyperlink(r_id=at.part.relate_to(href, RT.HYPERLINK, is_external=True))
    else:
        w.warning(node, "docx-link-unsupported", f"link to {href!r} is kept as text in the DOCX: only "
                  f"{', '.join(LINK_SCHEMES)} links and links to a heading (#id) become hyperlinks")
        w.inlines(node.children, at)
        return
    at.target.append(target)
    w.inlines(node.children, replace(at, target=target).mark("link"))


@inline
def cross_ref(w, node, at: At) -> None:
    """A REF field to the bookmark of the heading, figure or table, its cached result the model's
    text ("Figure 3"); \\h makes it a link. "on page 7" (a PAGEREF field, its cached result the
    page) only where the build knows the page: the pagination pass adds it (`w.page_refs`,
    `DocxWriter.with_page_numbers`, `build --docx-page-numbers`). Without it there is no page
    rather than a "?" that Word shows until its fields are updated."""
    name = w.bookmark_names.get(node.target)
    if name is None:  # assemble reports an unknown target; a model built by hand may still hold one
        w.inlines((Text(node.text or node.target),), at)
        return
    runs = X.field_runs(f"REF {name} \\h", [X.run(node.text)])
    for r in runs:
        at.target.append(r)
    if node.page_label:
        w.page_refs.append((runs[-1], name, node.page_label, node.text))


@inline
def abbr(w, node, at: At) -> None:
    w.run(at, node.text)  # Word has no abbreviation mark-up; the glossary gives the expansion


@inline
def line_break(w, node, at: At) -> None:
    at.target.append(X.line_break())


@inline
def footnote_ref(w, node, at: At) -> None:
    if at.in_note:
        raise NodeNotRendered(f"the DOCX writer cannot put footnote {node.number} inside another footnote")
    note_id = w.footnote(node)
    at.target.append(X.footnote_reference(note_id, w.styles.id("Footnote Reference")))


# --------------------------------------------------------------------------- blocks

@block
def heading(w, node, where: Where) -> None:
    p = w.paragraph(where, f"Heading {min(node.level, 9)}")
    w.inlines(node.children, w.at(p))
    w.bookmark(p, node.id)
    w.last_heading = plain(node.children)


@block
def paragraph(w, node, where: Where) -> None:
    if where.num_id is not None:
        style = "List Paragraph"
    elif where.level >= 0:
        style = "List Continue" + ("" if where.level == 0 else f" {min(where.level + 1, 3)}")
    elif where.quote:
        style = "Quotations"  # Word's Quote, under the name LibreOffice tags BlockQuote (make_reference_docx.py)
    else:
        style = next((PARAGRAPH_CLASSES[c] for c in node.classes if c in PARAGRAPH_CLASSES), "Normal")
    p = w.paragraph(where, style)
    if where.container is w.docx:  # body text (not a table's cell): the PDF's measure
        X.set_prop(p, "w:pPr", "w:ind", {"w:right": str(MEASURE_RIGHT_INDENT)})
    if "keep" in node.classes:
        X.keep_with_next(p)
    if where.num_id is not None:
        X.list_numbering(p, where.num_id, where.level)
    w.inlines(node.children, w.at(p))


@block
def bullet_list(w, node, where: Where) -> None:
    w.list_items(node.items, where, w.lists.bullets())


@block
def ordered_list(w, node, where: Where) -> None:
    """Each ordered list is a new w:num restarting at its start: recommendations restart per list."""
    level = min(where.level + 1, 8)
    w.list_items(node.items, where, w.lists.ordered(level, node.start))


@block
def block_quote(w, node, where: Where) -> None:
    w.blocks(node.children, replace(where, quote=True))


def caption(w, node, where: Where, kind: str):
    """A Caption paragraph: "Figure " and a SEQ field (Word's own numbering, its cached result the
    model's number) under a bookmark that references point at, then ": " and the caption."""
    p = w.paragraph(where, "Caption")
    numbered = node.numbered
    if numbered.label:
        word = numbered.label.rsplit(" ", 1)[0]
        start = w.bookmark_start(p, numbered.id)
        p.append(X.run(f"{word} "))
        for r in X.field_runs(f"SEQ {kind} \\* ARABIC", [X.run(str(numbered.number))]):
            p.append(r)
        p.append(X.bookmark_end(start))
        p.append(X.run(": "))
    if isinstance(node.caption, str):
        w.inlines((Text(node.caption),), w.at(p))
    else:
        w.inlines(node.caption, w.at(p))
    return p


@block
def table(w, node, where: Where) -> None:
    """A Markdown table: its caption above it; the header row repeats; a small table is kept on one
    page (keep-with-next on every row but the last); each column aligned as the Markdown says."""
    if node.caption:
        X.keep_with_next(caption(w, node, where, "Table"))
    columns = max([len(node.header), *(len(row) for row in node.rows)] or [1])
    rows = ([node.header] if node.header else []) + list(node.rows)
    title = plain(node.caption) if node.caption else ""
    tbl, cells = w.table(where, len(rows), [1 / columns] * columns, title, header=bool(node.header))
    for index, (row_cells, row) in enumerate(zip(cells, rows)):
        for column, (cell, content) in enumerate(zip(row_cells, row)):
            w.inlines(content, w.at(cell))
            if column < len(node.align) and node.align[column]:
                X.paragraph_align(cell, node.align[column])
            if node.small and index < len(rows) - 1:
                X.keep_with_next(cell)


@block
def image(w, node, where: Where) -> None:
    source = image_source(w, node)
    if source is None:
        return  # reported as an error: the build fails and writes nothing
    width_px = None
    if isinstance(source, str):
        try:  # the file read once, and what is read goes through the figure gate before CairoSVG sees it
            data = read_input(Path(source), (Path(source).parent,), "image", node.src)
            if is_svg(data, Path(source).suffix):
                source, width_px = svg_as_png(data, node.src)
            else:
                source = io.BytesIO(data)
        except (InputError, Refused) as exc:
            w.error(node, exc.code, exc.message)
            return
    p = w.paragraph(where, "Picture")
    try:
        shape = Paragraph(p, where.container).add_run().add_picture(source)
    except (UnrecognizedImageError, InvalidImageStreamError, UnexpectedEndOfFileError):
        w.error(node, "docx-image-unsupported", f"image '{node.src}' is not a readable PNG, JPEG, GIF, BMP or "
                "TIFF file; Word cannot show it")
        p.getparent().remove(p)
        return
    picture(shape, node.width, width_px)
    if node.decorative:
        X.image_decorative(shape._inline)  # noqa: SLF001
        return
    X.image_alt_text(shape._inline, node.alt)  # noqa: SLF001
    if node.caption:
        X.keep_with_next(p)
        caption(w, node, where, "Figure")


EMU_PER_PX = 9525  # a CSS pixel (1/96 in) in English Metric Units


def picture(shape, width: str = "", width_px: int | None = None) -> None:
    """Size a picture: the author's percentage of the text width, else its own size (`width_px` CSS
    pixels for a drawing rasterised at a higher resolution), at most the text width."""
    natural = width_px * EMU_PER_PX if width_px else shape.width
    target = round(TEXT_WIDTH * int(width.rstrip("%")) / 100) if width else min(natural, TEXT_WIDTH)
    shape.height, shape.width = round(shape.height * target / shape.width), target


def svg_as_png(data: bytes, src: str) -> tuple[io.BytesIO, int]:
    """An SVG figure as PNG for Word (python-docx places only raster pictures), with CairoSVG, at
    SVG_SCALE pixels a CSS pixel. The bytes pass the figure gate first (generator/formats/figures.py:
    no reference outside, bounded size and drawing work), the picture's size is the gate's (so the
    pixels the gate bounded are the pixels drawn), CairoSVG's fetcher serves only the data: pictures
    the gate checked, and what CairoSVG still fails on is a located error (Refused), never a crash."""
    from cairocffi import CairoError  # noqa: PLC0415 - only reports with an SVG figure pay for it
    from cairosvg.surface import PNGSurface  # noqa: PLC0415

    problems = check_svg(data, src)
    if problems:
        raise Refused(*problems[0])

    def fetch(url, resource_type=None):
        embedded = data_url(url)
        if embedded is None:
            raise ValueError(f"reportgen refuses to fetch {url[:80]} from an SVG figure")
        return embedded

    from PIL import Image as PILImage  # noqa: PLC0415 - CairoSVG decodes embedded JPEG and GIF with Pillow

    width, height = raster_size(data)
    bomb, PILImage.MAX_IMAGE_PIXELS = PILImage.MAX_IMAGE_PIXELS, IMAGE_MAX_PIXELS  # the gate's bound, again
    try:
        png = PNGSurface.convert(bytestring=data, url_fetcher=fetch, unsafe=False, output_width=width,
                                 output_height=height)
    except (MemoryError, RecursionError, ValueError, ArithmeticError, OSError, LookupError, TypeError,
            CairoError) as exc:
        raise Refused("docx-image-unsupported", f"image '{src}' cannot be drawn for Word by CairoSVG "
                      f"({type(exc).__name__}: {str(exc)[:100]}): simplify it, or save it as PNG") from None
    finally:
        PILImage.MAX_IMAGE_PIXELS = bomb
    return io.BytesIO(png), round(width / SVG_SCALE)


@block
def chart(w, node, where: Where) -> None:
    """The chart's PNG (drawn with its SVG), its alt text and caption, then its data table."""
    p = w.paragraph(where, "Picture")
    shape = Paragraph(p, where.container).add_run().add_picture(io.BytesIO(node.png))
    picture(shape, "", node.width_px)
    X.image_alt_text(shape._inline, node.alt)  # noqa: SLF001
    X.keep_with_next(p)
    caption(w, node, where, "Figure")
    w.blocks((node.data,), where)  # its data table, or the paragraph naming the table that holds its numbers


@block
def callout(w, node, where: Where) -> None:
    """A boxed example: its title a heading, its blocks, every paragraph with the box's border and
    shading (colours from styles/blocks.yaml)."""
    colours = blocks_data()["callout"]
    body = w.docx.element.body if where.container is w.docx else None
    start = len(body.findall(qn("w:p"))) if body is not None else 0  # new paragraphs go before w:sectPr
    heading(w, Heading(node.level, (Text(node.title),), node.id, node.source), where)
    w.blocks(node.children, where)
    if body is not None:
        for p in body.findall(qn("w:p"))[start:]:
            X.box_paragraph(p, colours["border"], colours["background"])


@block
def glossary(w, node, where: Where) -> None:
    """Each abbreviation in bold, then what it stands for, one paragraph each."""
    for term, meaning in node.entries:
        w.inlines((Strong((Text(term),)), Text(f" {meaning}")), w.at(w.paragraph(where, "Normal")))


@block
def imprint(w, node, where: Where) -> None:
    """The imprint's paragraphs (copyright, licence, ISBN, publisher), each in the Normal style."""
    w.blocks(node.children, where)


def image_source(w: "DocxWriter", node):
    """The image file's path, or its bytes fetched from the web (--allow-remote); None on error."""
    scheme = urlsplit(node.src).scheme.lower()
    if scheme == "data" and node.src.startswith(DATA_IMAGE):  # the cover's logo, embedded by assemble
        return io.BytesIO(base64.b64decode(node.src.partition(",")[2]))
    if scheme in ("http", "https"):
        if not w.allow_remote:
            w.error(node, "url-remote", f"image '{node.src}' is on the web; use --allow-remote to fetch it")
            return None
        import urllib.request  # noqa: PLC0415 - with ssl, 25 ms to import: only for --allow-remote

        try:
            with urllib.request.urlopen(node.src, timeout=REMOTE_TIMEOUT) as response:  # noqa: S310
                return io.BytesIO(response.read(REMOTE_LIMIT + 1)[:REMOTE_LIMIT])
        except (OSError, ValueError) as exc:
            w.error(node, "docx-image-fetch", f"cannot fetch image '{node.src}': {exc}")
            return None
    base = (w.base_dir or Path.cwd()).resolve()
    path = (base / node.src).resolve()
    if scheme or not path.is_relative_to(base):
        w.error(node, "url-refused", f"image '{node.src}' must be a path inside the report folder")
    elif not path.is_file():
        w.error(node, "image-missing", f"image '{node.src}' not found")
    else:
        return str(path)
    return None


DATA_IMAGE = "data:image/"


@block
def rating(w, node, where: Where, style: str = "Rating") -> None:
    p = w.paragraph(where, style)
    X.keep_with_next(p)  # with the table or text it rates
    at = w.at(p)
    if node.caption:
        w.inlines((Strong((Text(f"{node.caption}:"),)), Text(" ")), at)
    w.rating_word(node, at)


@block
def key_question_table(w, node, where: Where) -> None:
    """Questions and values; the lowest in bold and said in words: "32% (lowest score)"."""
    if node.caption:
        X.keep_with_next(caption(w, node, where, "Table"))
    tbl, cells = w.table(where, len(node.rows) + 1, [0.78, 0.22], node.caption or w.last_heading, header=True)
    for row in cells[:-1]:  # kept on one page
        for cell in row:
            X.keep_with_next(cell)
    w.inlines((Text(node.question_header),), w.at(cells[0][0]))
    w.inlines((Text(node.value_header),), w.at(cells[0][1]))
    for (question_cell, value_cell), row in zip(cells[1:], node.rows):
        w.locate(value_cell, row.source)
        X.paragraph_align(value_cell, "right")  # the figures, right-aligned as in the PDF and HTML
        if row.lowest:
            w.inlines((Strong((Text(row.question),)),), w.at(question_cell))
            at = w.at(value_cell)
            w.inlines((Strong((Text(row.value),)), Text(" ")), at)
            at.target.append(X.run(f"({node.lowest_note})", w.styles.id("Lowest Note")))
        else:
            w.inlines((Text(row.question),), w.at(question_cell))
            w.inlines((Text(row.value),), w.at(value_cell))


SCORECARD_CAPTION_PT = 4  # above each of the scorecard's captions (a Caption's own is 8)


def cell_style(w, cells) -> None:
    """The scorecard's cells in the "Scorecard Cell" style (a little smaller than the text)."""
    style = w.styles.id("Scorecard Cell")
    for row in cells:
        for p in row:
            X.paragraph_style(p, style)


@block
def previous_recommendations(w, node, where: Where) -> None:
    """The summary count, then a table (its header row repeated on each page): each recommendation,
    its status (shaded in its colour when the scale has colours), the evidence."""
    summary = w.paragraph(where, "Normal")
    X.keep_with_next(summary)
    w.locate(summary, node.summary_source)
    w.inlines((Text(node.summary),), w.at(summary))
    if node.caption:
        X.keep_with_next(caption(w, node, where, "Table"))
    tbl, cells = w.table(where, len(node.rows) + 1, [0.42, 0.23, 0.35], node.caption or node.summary, header=True)
    for cell, header in zip(cells[0], (node.recommendation_header, node.status_header, node.evidence_header)):
        w.inlines((Text(header),), w.at(cell))
    for row_cells, row in zip(cells[1:], node.rows):
        if node.small and row is not node.rows[-1]:
            for cell in row_cells:
                X.keep_with_next(cell)
        for cell, source in zip(row_cells, row.sources):
            w.locate(cell, source)
        text_cell, status_cell, evidence_cell = row_cells
        w.inlines(row.recommendation, w.at(text_cell))
        if row.badge:
            X.cell_shading(status_cell.getparent(), row.badge.colour)
            w.rating_word(row.badge, w.at(status_cell))
        else:
            w.inlines((Text(row.status),), w.at(status_cell))
        w.inlines((Text(row.evidence),), w.at(evidence_cell))


@block
def ratings_summary(w, node, where: Where) -> None:
    """The unit, the facts, the overall rating, a table per group of standards, then the key to the
    scale and the score: one component, on one page where it fits; each heading and caption kept with
    what follows, each table whole, so that it breaks only between tables where it must (and each
    table's header row repeats on the page it runs on to)."""
    kept = []
    if node.unit:
        kept.append(w.paragraph(where, "Ratings Unit"))
        w.inlines((Text(node.unit),), w.at(kept[-1]))
    for kind, label, value in node.kinded_facts:  # the score large, as on the PDF's scorecard
        style = "Scorecard Score" if kind == "score" else "Normal"
        kept.append(w.paragraph(where, style))
        w.inlines((Text(f"{label} "), Strong((Text(value),))), w.at(kept[-1]))
    for p, source in zip(list(w.mapped)[-len(node.kinded_facts):] if node.kinded_facts else (), node.fact_sources):
        w.locate(p, source)
    if node.overall:
        rating(w, node.overall, where, "Overall Rating")
        w.locate(list(w.mapped)[-1], node.overall.source)
    framework = node.framework_source or node.source  # the titles, headers and names are the framework's
    not_rated_fill = dict(w.theme.colours).get("not-rated")
    for group in node.groups:
        title = w.paragraph(where, "Caption")
        X.space_before(title, SCORECARD_CAPTION_PT)
        kept.append(title)
        w.locate(title, framework)
        w.inlines((Text(group.title),), w.at(title))
        if group.rating:  # the domain's own rating, after its caption: "Rating: Good"
            w.inlines((Text(f" {group.rating.caption}: "),), w.at(title))
            w.rating_word(group.rating, w.at(title))
        elif group.not_rated_label:
            w.inlines((Text(f" {node.rating_header}: "), Emph((Text(group.not_rated_label),))), w.at(title))
        tbl, cells = w.table(where, len(group.rows) + 1, [0.6, 0.4], group.title, header=True)
        for header in cells[0]:
            w.locate(header, framework)
        w.inlines((Text(node.standard_header),), w.at(cells[0][0]))
        w.inlines((Text(node.rating_header),), w.at(cells[0][1]))
        for (standard_cell, rating_cell), row in zip(cells[1:], group.rows):
            w.locate(standard_cell, framework)
            w.locate(rating_cell, row.source)
            w.inlines((Text(row.standard),), w.at(standard_cell))
            if row.rating:
                X.cell_shading(rating_cell.getparent(), row.rating.colour)
                w.rating_word(row.rating, w.at(rating_cell))
            else:  # "Not rated": a fill of its own (the theme's), the word in italic
                if not_rated_fill:
                    X.cell_shading(rating_cell.getparent(), not_rated_fill)
                w.inlines((Emph((Text(row.not_rated_label),)),), w.at(rating_cell))
        kept += [cell for row in cells[:-1] for cell in row]  # each table whole (LibreOffice breaks early
        # before a table whose last row is kept with what follows)
        cell_style(w, cells)
    if node.key:
        key = node.key
        title = w.paragraph(where, "Caption")
        X.space_before(title, SCORECARD_CAPTION_PT)
        kept.append(title)
        w.locate(title, framework)
        w.inlines((Text(key.caption),), w.at(title))
        widths = list(key.widths) or {1: [1.0], 2: [0.5, 0.5], 3: [0.4, 0.25, 0.35]}[len(key.headers)]
        tbl, cells = w.table(where, len(key.rows) + 1, widths, key.caption, header=True)
        for cell, header in zip(cells[0], key.headers):
            w.locate(cell, framework)
            w.inlines((Text(header),), w.at(cell))
        for row_cells, row in zip(cells[1:], key.rows):
            X.cell_shading(row_cells[0].getparent(), row.rating.colour)
            w.rating_word(row.rating, w.at(row_cells[0]))
            for cell, value in zip(row_cells[1:], tuple(getattr(row, column) for column in key.columns)):
                w.locate(cell, framework)
                w.inlines((Text(value),), w.at(cell))
        kept += [cell for row in cells[:None if key.note else -1] for cell in row]  # whole, with its note
        cell_style(w, cells)
        if key.note:
            note = w.paragraph(where, "Normal")
            w.locate(note, framework)
            w.inlines((Text(key.note),), w.at(note))
    for p in kept:
        X.keep_with_next(p)


@block
def contents(w, node, where: Where) -> None:
    """A TOC field over the parts' Heading 1 titles; the model's entries are its cached result.

    Word updates it on open (w:updateFields in settings) and adds page numbers; until then, and
    in readers that do not update fields, the entries read right and link to their parts. Each
    entry's link is noted in `w.contents_entries`, for the page numbers of the pagination pass
    (`DocxWriter.with_page_numbers`).
    """
    instruction = f'TOC \\o "{TOC_LEVELS}" \\h \\z \\u \\b {CONTENTS_RANGE}'
    paragraphs = []
    for entry in node.entries:
        p = w.paragraph(where, "TOC 1")
        name = w.bookmark_name(entry.target)
        anchor = X.hyperlink(anchor=name)
        anchor.append(X.run(entry.title))
        p.append(anchor)
        paragraphs.append(p)
        w.contents_entries.append((anchor, name, entry.title))
    if not paragraphs:
        paragraphs.append(w.paragraph(where, "TOC 1"))
    previous = paragraphs[0].find(qn("w:pPr"))
    for r in X.field_start(instruction):
        previous.addnext(r)
        previous = r
    paragraphs[-1].append(X.field_end())
    w.contents_targets.update(entry.target for entry in node.entries)


def plain(nodes) -> str:
    """The text of inline nodes, without footnote calls (a table's caption from its heading)."""
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif hasattr(node, "children") and node.kind != "footnote_ref":
            out.append(plain(node.children))
    return "".join(out)
