"""A reviewed PDF's annotations (ISO 32000-1 12.5.6: sticky notes, highlights, underlines, squiggly
lines, strike-outs, carets, free text, replies), each located in the report's source.

Each annotation is taken through its page and its /QuadPoints (else its /Rect) to the glyphs under
it (generator/formats/pdf_text.py `page_glyphs`: each glyph's box from the font's widths and the
text state), so to the words a reviewer marked; through the glyphs' marked content to the structure
element under them (the tagged PDF's structure tree), so to that element's text; and through that
text to the block of the document model, rebuilt from REPORT_DIR, that says it
(generator/review/index.py), so to the chapter file, line and column (or report.yaml key).
A PDF without a structure tree is located by the text of the marked line alone.

What each annotation becomes (generator/review/items.py):
- a reply (/IRT to another annotation, /RT /R): `reply`, at its thread's place;
- a strike-out: a deletion, `change` with the struck words as old text; with a caret grouped to
  it (/IRT and /RT /Group, as Acrobat's "replace text" makes) a replacement, the caret's
  contents the new text;
- a caret with contents: an insertion, `change` with the contents as new text;
- every other markup annotation (note, highlight, underline, squiggly, free text, shapes,
  stamps, ink): `comment`, its contents and the words under it.

The PDF is untrusted: it is opened through generator/formats/package.py's limits; only the keys
named here are read (never /A, /AA, /JS: no action, script, launch or link is followed, nor any
attached file); at most MAX_ANNOTATIONS annotations, structure trees walked with a visited set
and an element and depth bound, reply chains followed at most MAX_REPLY_DEPTH deep, and content
streams inflated within a bound.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.formats.package import UnreadableFile, open_pdf
from generator.formats.pdf_text import Glyph, page_glyphs
from generator.formats.pdf_tree import MC, Elem, as_list
from generator.review.items import CHANGE, COMMENT, REPLY, ReviewItem
from generator.review.index import Index, Unit, skeleton

MAX_ANNOTATIONS = 10_000
MAX_QUADS = 1_000  # per annotation: a highlight over a whole page has about 60
MAX_TREE_ELEMENTS = 1_000_000
MAX_TREE_DEPTH = 120
MAX_REPLY_DEPTH = 100
NEAR = 36.0  # points: how far from a note's icon the text it is on may be

MARKUP = {"/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine", "/Highlight",
          "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/FileAttachment", "/Sound",
          "/Redact"}
TEXT_MARKUP = {"Highlight", "Underline", "Squiggly", "StrikeOut"}
# structure types that are one piece of the text (a block the model holds as one unit)
UNIT_TAGS = {"P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "TD", "TH", "Caption", "Note", "LBody", "LI",
             "TOCI", "BlockQuote", "Figure"}
SKIPPED_IN_TEXT = {"Note", "Reference"}  # a footnote's text and its call, inside a paragraph


@dataclass
class _Annotation:
    obj: object
    page: int  # 0-based
    subtype: str
    ident: str
    author: str = ""
    date: str = ""
    contents: str = ""
    boxes: list = field(default_factory=list)  # (x0, y0, x1, y1): the quads' bounding boxes, else the rect
    rect: tuple | None = None
    parent: object = None  # the /IRT annotation's objgen
    reply_type: str = "/R"


# --------------------------------------------------------------------------- reading the file


# C0 and C1 controls but tab and line breaks, DEL, and the bidirectional overrides: a reviewer's
# words are printed on a terminal, where ESC [ ... (or a lone CSI, U+009B) would be obeyed
_CONTROLS = {c: "\ufffd" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
                                     *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def _text(value, limit: int = 20_000) -> str:
    """A PDF string as plain text: at most `limit` characters, control characters made visible."""
    try:
        text = str(value) if value is not None else ""
    except Exception:  # noqa: BLE001 - a hostile string object
        return ""
    return text[:limit].translate(_CONTROLS)


def _date(value) -> str:
    """An ISO date from a PDF date string (D:20240210120000Z), else ""."""
    text = _text(value, 64)
    text = text[2:] if text.startswith("D:") else text
    if len(text) >= 8 and text[:8].isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    return ""


def _numbers(value, most: int) -> list[float] | None:
    try:
        items = list(value)[: most + 1]
        numbers = [float(v) for v in items]
    except (TypeError, ValueError, Exception):  # noqa: BLE001 - not an array of numbers
        return None
    if len(numbers) > most or not all(math.isfinite(n) and abs(n) < 1e7 for n in numbers):
        return None
    return numbers


def _boxes(annot) -> tuple[list, tuple | None]:
    rect = _numbers(annot.get("/Rect"), 4)
    rect = (min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])) \
        if rect and len(rect) == 4 else None
    quads = _numbers(annot.get("/QuadPoints"), 8 * MAX_QUADS)
    boxes = []
    if quads and len(quads) % 8 == 0:
        for i in range(0, len(quads), 8):
            xs, ys = quads[i:i + 8:2], quads[i + 1:i + 8:2]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes, rect


def _annotations(pdf, path) -> list[_Annotation]:
    found: list[_Annotation] = []
    for number, page in enumerate(pdf.pages):
        annots = page.obj.get("/Annots")
        for annot in as_list(annots) if annots is not None else []:
            try:
                subtype = str(annot.get("/Subtype"))
            except Exception:  # noqa: BLE001 - not a dictionary
                continue
            if subtype not in MARKUP:
                continue  # links, widgets, popups (a popup shows its parent's text)
            if len(found) >= MAX_ANNOTATIONS:
                raise UnreadableFile(path, "pdf", f"it holds more than {MAX_ANNOTATIONS:,} annotations, more than any "
                                                  "review; reportgen lists at most that many")
            boxes, rect = _boxes(annot)
            irt = annot.get("/IRT")
            item = _Annotation(annot, number, subtype[1:], "", _text(annot.get("/T"), 200),
                               _date(annot.get("/M")) or _date(annot.get("/CreationDate")),
                               _text(annot.get("/Contents")), boxes, rect,
                               irt.objgen if irt is not None and hasattr(irt, "objgen") else None,
                               _text(annot.get("/RT"), 16) or "/R")
            found.append(item)
    for n, item in enumerate(found, 1):
        item.ident = f"a{n}"
    return found


# --------------------------------------------------------------------------- the structure tree


class _Structure:
    """The structure tree, loaded within bounds: (page objgen, MCID) -> the element holding it,
    each element's parent, and every element in reading order."""

    def __init__(self, pdf):
        self.parent: dict[int, Elem] = {}
        self.owner: dict[tuple, Elem] = {}
        self.order: list[Elem] = []
        self.position: dict[int, int] = {}
        self.complete = True
        root = pdf.Root.get("/StructTreeRoot")
        self.tagged = root is not None
        if root is None:
            return
        seen: set = set()
        stack = [(kid, None, None, 0) for kid in reversed(as_list(root.get("/K")))]
        while stack:
            obj, parent, page, depth = stack.pop()
            if len(self.order) >= MAX_TREE_ELEMENTS or depth > MAX_TREE_DEPTH:
                self.complete = False
                continue
            try:
                key = obj.objgen if obj.objgen != (0, 0) else id(obj)
                if key in seen or not hasattr(obj, "get"):
                    continue
                seen.add(key)
                own_page = obj.get("/Pg")
                page = own_page if own_page is not None else page
                elem = Elem(obj, str(obj.get("/S", "/NonStruct"))[1:], own_page, [])
            except Exception:  # noqa: BLE001 - a hostile element: left out
                continue
            if parent is not None:
                parent.kids.append(elem)
                self.parent[id(elem)] = parent
            self.position[id(elem)] = len(self.order)
            self.order.append(elem)
            later = []
            for kid in as_list(obj.get("/K")):
                if isinstance(kid, int):
                    if page is not None:
                        mc = MC(page, kid)
                        elem.kids.append(mc)
                        self.owner[(page.objgen, kid)] = elem
                elif hasattr(kid, "get"):
                    kind = kid.get("/Type")
                    if kind == "/MCR":
                        mc_page = kid.get("/Pg", page)
                        mcid = kid.get("/MCID")
                        if mc_page is not None and isinstance(mcid, int):
                            elem.kids.append(MC(mc_page, int(mcid)))
                            self.owner[(mc_page.objgen, int(mcid))] = elem
                    elif kind != "/OBJR":
                        later.append((kid, elem, page, depth + 1))
            stack.extend(reversed(later))

    def unit_of(self, elem: Elem | None) -> Elem | None:
        """The nearest element at or above `elem` that is one piece of the text (a paragraph, cell,
        heading, list item, caption, note); a note wins over the paragraph it sits in."""
        steps = 0
        while elem is not None and steps <= MAX_TREE_DEPTH:
            if elem.tag in UNIT_TAGS:
                return elem
            elem = self.parent.get(id(elem))
            steps += 1
        return None

    def preceding_units(self, elem: Elem, most: int = 12) -> list[Elem]:
        """Up to `most` unit elements before `elem` in reading order, nearest first."""
        out = []
        for n in range(self.position.get(id(elem), 0) - 1, -1, -1):
            candidate = self.order[n]
            if candidate.tag in UNIT_TAGS and candidate.tag not in ("LI", "Note"):
                out.append(candidate)
                if len(out) >= most:
                    break
        return out


# --------------------------------------------------------------------------- the reader


class _Reader:
    def __init__(self, pdf, index: Index):
        self.pdf, self.index = pdf, index
        self.structure = _Structure(pdf)
        self.fonts: dict = {}
        self.glyphs: dict[int, list[Glyph]] = {}
        self.lines: dict[int, tuple[list[float], list[Glyph]]] = {}
        self.drawn: dict[int, dict[int, int]] = {}  # page -> id(glyph) -> its place in the drawing order
        self.by_mcid: dict[tuple, list[Glyph]] = {}
        self.hits: dict[tuple, list[Glyph]] = {}  # (page, box) -> the glyphs under it
        self.page_numbers = {page.objgen: n for n, page in enumerate(pdf.pages)}
        self.unit_cache: dict[int, tuple[Unit | None, str]] = {}

    def page_glyphs(self, number: int) -> list[Glyph]:
        if number not in self.glyphs:
            page = self.pdf.pages[number]
            try:
                self.glyphs[number] = page_glyphs(self.pdf, page, self.fonts)
            except Exception:  # noqa: BLE001 - a content stream qpdf cannot parse: no text on it
                self.glyphs[number] = []
            ordered = sorted(self.glyphs[number], key=lambda g: g.box[1])
            self.lines[number] = ([g.box[1] for g in ordered], [(g, *g.centre) for g in ordered])
            self.drawn[number] = {id(g): i for i, g in enumerate(self.glyphs[number])}
            for g in self.glyphs[number]:
                self.by_mcid.setdefault((number, g.mcid), []).append(g)
        return self.glyphs[number]

    def marked(self, number: int, mcid) -> list[Glyph]:
        """The glyphs of one marked-content sequence of a page, in drawing order."""
        self.page_glyphs(number)
        return self.by_mcid.get((number, mcid), []) if mcid is not None else []

    def under(self, number: int, boxes) -> list[list[Glyph]]:
        """The glyphs whose centre lies in each box, in the page's drawing order."""
        self.page_glyphs(number)
        bottoms, ordered = self.lines[number]
        order = self.drawn[number]
        out = []
        for x0, y0, x1, y1 in boxes:
            key = (number, x0, y0, x1, y1)
            if key not in self.hits:
                hits = []
                for glyph, cx, cy in ordered[bisect.bisect_left(bottoms, y0 - 40):]:
                    if glyph.box[1] > y1:
                        break
                    if x0 - 0.5 <= cx <= x1 + 0.5 and y0 - 0.5 <= cy <= y1 + 0.5:
                        hits.append(glyph)
                self.hits[key] = sorted(hits, key=lambda g: order[id(g)])
            out.append(self.hits[key])
        return out

    def nearest(self, number: int, x: float, y: float) -> Glyph | None:
        best, distance = None, NEAR
        for glyph in self.page_glyphs(number):
            x0, y0, x1, y1 = glyph.box
            d = math.hypot(max(x0 - x, 0, x - x1), max(y0 - y, 0, y - y1))
            if d < distance or (d == distance == 0 and best is None):
                best, distance = glyph, d
        return best

    def line_of(self, number: int, glyph: Glyph) -> list[Glyph]:
        """The glyphs drawn with `glyph`: its marked content; in an untagged PDF, its line (the
        glyphs whose middle is level with its own), in drawing order."""
        if glyph.mcid is not None:
            return self.marked(number, glyph.mcid)
        middle, half = glyph.centre[1], (glyph.box[3] - glyph.box[1]) / 2
        bottoms, ordered = self.lines[number]
        level = [g for g, _, cy in ordered[bisect.bisect_left(bottoms, middle - 3 * half):]
                 if g.box[1] <= middle + half and abs(cy - middle) < half and g.mcid is None]
        order = self.drawn[number]
        return sorted(level, key=lambda g: order[id(g)])

    def following(self, number: int, glyph: Glyph) -> Glyph:
        """The glyph drawn after `glyph` in its marked content (itself if it is the last)."""
        same = self.line_of(number, glyph)
        at = next((i for i, g in enumerate(same) if g is glyph), len(same) - 1)
        return same[at + 1] if at + 1 < len(same) else glyph

    def mc_text(self, page_objgen, mcid) -> str:
        number = self.page_numbers.get(page_objgen)
        if number is None:
            return ""
        return "".join(g.text for g in self.marked(number, mcid))

    def elem_text(self, elem: Elem, depth: int = 0) -> str:
        actual = elem.obj.get("/ActualText")
        if actual is not None:
            return _text(actual)
        if depth > MAX_TREE_DEPTH:
            return ""
        parts = []
        for kid in elem.kids:
            if isinstance(kid, MC):
                parts.append(self.mc_text(kid.page.objgen, kid.mcid) if kid.page is not None else "")
            elif isinstance(kid, Elem) and kid.tag not in SKIPPED_IN_TEXT:
                if elem.tag == "LI" and kid.tag == "Lbl":
                    continue
                parts.append(self.elem_text(kid, depth + 1))
        return "".join(parts)

    def unit_for(self, elem: Elem) -> tuple[Unit | None, str]:
        """The model's unit for a structure element, and the element's text."""
        if id(elem) in self.unit_cache:
            return self.unit_cache[id(elem)]
        text = self.elem_text(elem)
        unit = None
        if elem.tag == "Note":
            label = next((k for k in elem.elems() if k.tag == "Lbl"), None)
            digits = "".join(c for c in (self.elem_text(label) if label else "") if c.isdigit())
            unit = self.index.footnote(int(digits)) if digits and len(digits) < 7 else None
            if label is not None:
                text = text.replace(self.elem_text(label), "", 1)
        if unit is None:
            before = [self.elem_text(e) for e in self.structure.preceding_units(elem)]
            unit = self.index.match(text, before)
        self.unit_cache[id(elem)] = (unit, text)
        return unit, text

    # ------------------------------------------------------------------- one annotation

    def locate(self, annot: _Annotation) -> dict:
        """The fields of an annotation's item that say where it is and what it is on."""
        glyphs: list[Glyph] = []
        anchor = ""
        if annot.subtype in TEXT_MARKUP:
            runs = self.under(annot.page, annot.boxes or ([annot.rect] if annot.rect else []))
            glyphs = [g for run in runs for g in run]
            anchor = " ".join(" ".join("".join(g.text for g in run).split()) for run in runs if run).strip()
        elif annot.rect is not None:
            x0, y0, x1, y1 = annot.rect
            if annot.subtype == "Caret":
                point = ((x0 + x1) / 2, y1)  # the caret's apex, at the gap where the words go
            elif annot.subtype == "Text":
                point = (x0, y1)  # a note's icon hangs from the point clicked
            else:
                point = None
                inside = self.under(annot.page, [annot.rect])[0]
                glyphs = inside[:1]
            if point is not None:
                glyph = self.nearest(annot.page, *point)
                if glyph is not None and annot.subtype == "Caret" and point[0] > glyph.centre[0]:
                    glyph = self.following(annot.page, glyph)  # the words go after this glyph
                glyphs = [glyph] if glyph else []
        where = {"extra": {"page": annot.page + 1, "subtype": annot.subtype}}
        if annot.subtype in TEXT_MARKUP:
            where["anchor"] = anchor
        if not glyphs:
            where["note"] = f"page {annot.page + 1}: on no text of the page"
            return where
        first = glyphs[0]
        page_objgen = self.pdf.pages[annot.page].objgen
        same_line = self.line_of(annot.page, first)
        position = next((i for i, g in enumerate(same_line) if g is first), 0)
        prefix = "".join(g.text for g in same_line[:position])
        if not anchor:  # a note or a caret: the words from the point it marks, to find the column by
            search = "".join(g.text for g in same_line[position:position + 16])
        else:
            search = anchor
        elem = self.structure.owner.get((page_objgen, first.mcid)) if first.mcid is not None else None
        unit_elem = self.structure.unit_of(elem)
        unit, text = (None, "")
        if unit_elem is not None:
            unit, text = self.unit_for(unit_elem)
        if unit is None:  # no structure (an untagged PDF) or no match: the marked line's own text
            line_text = "".join(g.text for g in same_line) or anchor
            unit = self.index.match(line_text) if len(skeleton(line_text)) >= 8 else None
        if unit is None:
            where["note"] = (f"page {annot.page + 1}: the text under it is not in the report's source"
                             + ("" if self.structure.tagged else " (the PDF has no structure tree)"))
            return where
        line, column = self.index.position(unit, search, prefix)
        where.update(path=unit.path, line=line, column=column, key=unit.key, part=unit.part, context=unit.text)
        if unit.note:
            where["note"] = unit.note
        elif anchor and not column and unit.path.endswith(".md"):  # the words are not in the file as typed
            printed = _TEMPLATE.findall(self.index.lines.get(unit.path, [""] * line)[line - 1] if line else "")
            if printed:  # as the DOCX's listing says it (generator/review/locate.py)
                where["note"] = f"computed by {', '.join(printed)}: edit report.yaml"
        return where


_TEMPLATE = re.compile(r"\{\{.*?\}\}")


def read_pdf_review(path: Path, report_dir: Path, framework_dirs=()) -> list[ReviewItem]:
    """Every comment, reply and suggested change in the reviewed PDF at `path`, located in the
    report at `report_dir` (rebuilt in memory: nothing is written), in the order of the pages.

    Raises UnreadableFile for a file that cannot be read as a PDF or past the limits (a misuse,
    exit 2), and ContentError when the report folder has errors (its source cannot be mapped)."""
    index = Index(Path(report_dir), framework_dirs)
    pdf = open_pdf(path)
    with pdf:
        annotations = _annotations(pdf, path)
        reader = _Reader(pdf, index)
        by_objgen = {a.obj.objgen: a for a in annotations if a.obj.objgen != (0, 0)}
        located: dict[str, dict] = {}
        items: list[ReviewItem] = []
        grouped: dict[str, _Annotation] = {}  # a strike-out's ident -> the caret grouped with it

        def root_of(annot: _Annotation) -> _Annotation:
            seen, current = {id(annot)}, annot
            for _ in range(MAX_REPLY_DEPTH):
                parent = by_objgen.get(current.parent) if current.parent else None
                if parent is None or id(parent) in seen:
                    break
                seen.add(id(parent))
                current = parent
            return current

        told: set[str] = set()  # carets told with their strike-out
        for annot in annotations:  # "replace text": a strike-out and a caret grouped, either one the primary
            parent = by_objgen.get(annot.parent) if annot.parent else None
            if parent is None or annot.reply_type != "/Group":
                continue
            pair = {annot.subtype: annot, parent.subtype: parent}
            if set(pair) == {"Caret", "StrikeOut"} and pair["StrikeOut"].ident not in grouped:
                grouped[pair["StrikeOut"].ident] = pair["Caret"]
                told.add(pair["Caret"].ident)
        for annot in annotations:
            if annot.ident in told:
                continue
            try:
                items.extend(_items(annot, by_objgen, root_of, reader, located, grouped))
            except (RecursionError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
                items.append(ReviewItem(COMMENT, annot.ident, annot.author, annot.date, text=annot.contents,
                                        note=f"page {annot.page + 1}: could not be placed ({type(exc).__name__})"))
        return items


def _items(annot, by_objgen, root_of, reader: _Reader, located: dict, grouped: dict) -> list[ReviewItem]:
    parent = by_objgen.get(annot.parent) if annot.parent else None
    if parent is not None and annot.reply_type == "/Group":
        parent = None  # grouped with another, not a reply to it: an annotation of its own
    if parent is not None:  # a reply: where its thread is
        root = root_of(annot)
        if root.ident not in located:
            located[root.ident] = reader.locate(root)
        where = {k: v for k, v in located[root.ident].items() if k not in ("anchor", "note")}
        note = f"reply to {parent.ident}"
        return [ReviewItem(REPLY, annot.ident, annot.author, annot.date, text=annot.contents, note=note, **where)]
    if annot.ident not in located:
        located[annot.ident] = reader.locate(annot)
    where = dict(located[annot.ident])
    anchor = where.pop("anchor", "")
    note = where.pop("note", "")
    if annot.subtype == "StrikeOut":
        caret = grouped.get(annot.ident)
        new = caret.contents if caret is not None else ""
        said = f'comment: "{" ".join(annot.contents.split())[:200]}"' if annot.contents.strip() else ""
        return [ReviewItem(CHANGE, annot.ident, annot.author, annot.date, old=anchor, new=new, anchor=anchor,
                           text=annot.contents, note="; ".join(filter(None, (note, said))), **where)]
    if annot.subtype == "Caret" and annot.contents.strip():
        return [ReviewItem(CHANGE, annot.ident, annot.author, annot.date, old="", new=annot.contents,
                           note=note, **where)]
    if where.get("key") and where.get("path", "").endswith(".yaml"):  # as the DOCX's listing names it
        note = "; ".join(filter(None, (where["key"], note)))
    return [ReviewItem(COMMENT, annot.ident, annot.author, annot.date, text=annot.contents, anchor=anchor,
                       note=note, **where)]



