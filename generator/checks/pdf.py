"""Accessibility rules for PDF: PDF/UA-1, as the Matterhorn Protocol's machine-checkable points."""

from __future__ import annotations

import html
import re
from functools import cached_property
from pathlib import Path

from generator.checks.runner import reader, rule



@reader("pdf")
class PdfFile:

    def __init__(self, path: Path):
        from generator.formats.package import open_pdf  # noqa: PLC0415

        self._read(open_pdf(path))  # UnreadableFile / DamagedFile: see generator.formats.package
        self.owned = True

    @classmethod
    def of(cls, pdf) -> "PdfFile":
        """The rules' view of a PDF already open in memory (a pikepdf.Pdf the caller closes): the
        build checks the PDF it has just repaired without writing and parsing it again."""
        self = cls.__new__(cls)
        self._read(pdf)
        self.owned = False
        return self

    def _read(self, pdf) -> None:
        import pikepdf  # noqa: PLC0415 - only PDF checks need it

        self.pikepdf = pikepdf
        self.pdf = pdf
        self.root = self.pdf.Root
        self.page_numbers = {page.objgen: i + 1 for i, page in enumerate(self.pdf.pages)}

    def close(self) -> None:
        if self.owned:
            self.pdf.close()

    @cached_property
    def tree(self):
        from generator.formats.pdf_tree import Tree  # noqa: PLC0415

        return Tree(self.pdf) if "/StructTreeRoot" in self.root else None

    @cached_property
    def elements(self) -> list:
        """(elem, path) for every structure element, depth first."""
        out = []

        def visit(elem, path):
            out.append((elem, path))
            counts: dict[str, int] = {}
            for kid in elem.elems():
                counts[kid.tag] = counts.get(kid.tag, 0) + 1
                visit(kid, f"{path}/{kid.tag}[{counts[kid.tag]}]")

        if self.tree is not None:
            for top in self.tree.top:
                visit(top, top.tag)
        return out

    @cached_property
    def paths(self) -> dict[int, str]:
        """id(elem) -> its path in `elements`."""
        return {id(elem): path for elem, path in self.elements}

    def where(self, elem, path: str) -> str:
        page = elem.page or next((mc.page for mc in elem.mcs()), None)
        number = self.page_numbers.get(page.objgen) if page is not None else None
        return f"page {number}, {path}" if number else path

    @cached_property
    def marked(self) -> dict:
        """(page objgen, MCID) -> the text and painting of each marked-content sequence, in content
        order (`generator.formats.pdf_text`), read once for the rules that need it."""
        return self._content[0]

    @cached_property
    def _content(self) -> tuple[dict, dict]:
        """One pass over every content stream: `marked`, and per page what it paints outside any
        marked sequence (`unmarked`)."""
        from generator.formats.pdf_text import marked_text  # noqa: PLC0415

        loose: dict = {}
        return marked_text(self.pdf, loose), loose

    @cached_property
    def metadata(self) -> str:
        meta = self.root.get("/Metadata")
        try:
            return meta.read_bytes().decode("utf-8", "replace") if meta is not None else ""
        except Exception:  # noqa: BLE001
            return ""

    @cached_property
    def unmarked(self) -> dict[int, tuple[int, int]]:
        """Per page number: (text operators, other painting operators) neither tagged nor Artifact:
        outside any marked sequence, or in one with an MCID that no structure element reaches."""
        marked, loose = self._content
        reached = self.tree.reached() if self.tree is not None else set()
        counts = {objgen: [tally.shown, tally.drawn] for objgen, tally in loose.items()}
        for key, sequence in marked.items():
            if key not in reached:
                counts[key[0]][0] += sequence.shown
                counts[key[0]][1] += sequence.drawn
        return {number: (text, paint) for number, page in enumerate(self.pdf.pages, 1)
                for text, paint in [counts.get(page.objgen, (0, 0))] if text or paint}


@rule("pdf-tagged", "Matterhorn 01-005", "the document is tagged: /MarkInfo /Marked true and a structure tree")
def pdf_tagged(doc: PdfFile):
    mark = doc.root.get("/MarkInfo")
    if mark is None or not bool(mark.get("/Marked", False)):
        yield "catalog", "not marked as tagged (/MarkInfo /Marked true is missing)"
    if doc.tree is None or not doc.tree.top:
        yield "catalog", "no structure tree (/StructTreeRoot): the PDF is not tagged"


@rule("pdf-untagged-content", "Matterhorn 01-005", "all page content is tagged or an Artifact")
def pdf_untagged_content(doc: PdfFile):
    for number, (text, paint) in sorted(doc.unmarked.items()):
        parts = [f"{text} text operator(s)"] * bool(text) + [f"{paint} painting operator(s)"] * bool(paint)
        yield f"page {number}", (" and ".join(parts) + " neither inside marked content that the structure tree "
                                 "reaches nor marked as /Artifact")


@rule("pdf-lang", "Matterhorn 11-001", "the catalog declares the natural language (/Lang)")
def pdf_lang(doc: PdfFile):
    if not str(doc.root.get("/Lang", "")).strip():
        yield "catalog", "no /Lang: the language of the text cannot be determined"


@rule("pdf-lang-valid", "WCAG 2.2 3.1.2", "every /Lang (the catalog's, a structure element's) is a well-formed "
      "language tag (BCP 47)")
def pdf_lang_valid(doc: PdfFile):
    from generator.formats.language import well_formed  # noqa: PLC0415

    lang = doc.root.get("/Lang")
    if lang is not None and str(lang).strip() and not well_formed(str(lang)):
        yield "catalog", f"/Lang {_said(str(lang))} is not a language tag"
    for elem, path in doc.elements:
        lang = elem.obj.get("/Lang")  # an empty one says "unknown" (ISO 32000-1 14.9.2.1): allowed
        if lang is not None and str(lang) and not well_formed(str(lang)):
            yield doc.where(elem, path), f"/Lang {_said(str(lang))} is not a language tag"


def _said(value: str) -> str:
    """A value from the file, quoted for a message: printable, at most 40 characters."""
    value = "".join(c if c.isprintable() else "?" for c in value[:40]) + ("…" if len(value) > 40 else "")
    return repr(value)


@rule("pdf-xmp", "Matterhorn 06-001", "an XMP metadata stream")
def pdf_xmp(doc: PdfFile):
    if not doc.metadata:
        yield "catalog", "no XMP metadata stream"


@rule("pdf-title", "Matterhorn 06-003", "XMP metadata holds dc:title")
def pdf_title(doc: PdfFile):
    if doc.metadata and not re.search(r"<dc:title>\s*<rdf:Alt>\s*<rdf:li[^>]*>\s*[^<\s]", doc.metadata):
        yield "XMP metadata", "no dc:title"


@rule("pdf-ua-id", "Matterhorn 06-002", "XMP metadata identifies the file as PDF/UA (pdfuaid:part)")
def pdf_ua_id(doc: PdfFile):
    if doc.metadata and not re.search(r"pdfuaid:part(=\"1\"|>\s*1\s*<)", doc.metadata):
        yield "XMP metadata", "no PDF/UA identifier (pdfuaid:part 1)"


@rule("pdf-display-title", "Matterhorn 07-001", "viewers show the title (/DisplayDocTitle true)")
def pdf_display_title(doc: PdfFile):
    prefs = doc.root.get("/ViewerPreferences")
    if prefs is None or "/DisplayDocTitle" not in prefs:
        yield "catalog", "no /ViewerPreferences /DisplayDocTitle"
    elif not bool(prefs.DisplayDocTitle):
        yield "catalog", "/DisplayDocTitle is false (Matterhorn 07-002)"


@rule("pdf-outline", "WCAG 2.2 2.4.5", "a document outline (bookmarks) when there are headings")
def pdf_outline(doc: PdfFile):
    headings = [e for e, _ in doc.elements if re.fullmatch(r"H\d?", e.tag)]
    outlines = doc.root.get("/Outlines")
    if headings and (outlines is None or "/First" not in outlines):
        yield "catalog", f"{len(headings)} headings but no bookmarks (/Outlines)"


def _headings(doc: PdfFile):
    return [(int(e.tag[1]), e, path) for e, path in doc.elements if re.fullmatch(r"H[1-6]", e.tag)]


@rule("pdf-heading-first", "Matterhorn 14-002", "the first numbered heading is H1")
def pdf_heading_first(doc: PdfFile):
    headings = _headings(doc)
    if headings and headings[0][0] != 1:
        level, elem, path = headings[0]
        yield doc.where(elem, path), f"the first heading is H{level}, not H1"


@rule("pdf-heading-skip", "Matterhorn 14-003", "heading levels are not skipped")
def pdf_heading_skip(doc: PdfFile):
    previous = 1
    for level, elem, path in _headings(doc):
        if level > previous + 1:
            yield doc.where(elem, path), f"H{level} follows H{previous}"
        previous = level


@rule("pdf-table-structure", "Matterhorn 09-004", "tables are Table > (THead|TBody|TFoot >) TR > TH|TD")
def pdf_table_structure(doc: PdfFile):
    allowed = {"Table": {"TR", "THead", "TBody", "TFoot", "Caption"}, "THead": {"TR"}, "TBody": {"TR"},
               "TFoot": {"TR"}, "TR": {"TH", "TD"}}
    for elem, path in doc.elements:
        if elem.tag in allowed:
            wrong = sorted({k.tag for k in elem.elems()} - allowed[elem.tag])
            if wrong:
                yield doc.where(elem, path), f"{elem.tag} contains {', '.join(wrong)}"


@rule("pdf-table-header", "WCAG 2.2 1.3.1", "every data table has header cells (TH)")
def pdf_table_header(doc: PdfFile):
    for elem, path in doc.elements:
        if elem.tag == "Table" and not any(e.tag == "TH" for e in elem.walk()):
            yield doc.where(elem, path), "table without header cells (TH)"


def _table_attribute(elem, key: str):
    import pikepdf  # noqa: PLC0415

    attrs = elem.obj.get("/A")
    for attr in (list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]):
        if isinstance(attr, pikepdf.Dictionary) and key in attr:
            return attr[key]
    return None


@rule("pdf-th-scope", "Matterhorn 15-003", "every TH has /Scope (or the table uses Headers/IDs)")
def pdf_th_scope(doc: PdfFile):
    for table, _table_path in doc.elements:
        if table.tag != "Table":
            continue
        cells = [e for e in table.walk() if e.tag in ("TD", "TH")]  # this table's, never the whole tree's
        uses_headers = any(_table_attribute(e, "/Headers") for e in cells if e.tag == "TD")
        for cell in cells:
            if cell.tag == "TH" and _table_attribute(cell, "/Scope") is None:
                if not (uses_headers and "/ID" in cell.obj):
                    yield doc.where(cell, doc.paths[id(cell)]), "TH without /Scope"


@rule("pdf-list-structure", "Matterhorn 09-005", "lists are L > LI > Lbl/LBody")
def pdf_list_structure(doc: PdfFile):
    for elem, path in doc.elements:
        if elem.tag == "L":
            wrong = sorted({k.tag for k in elem.elems()} - {"LI", "Caption", "L"})
        elif elem.tag == "LI":
            wrong = sorted({k.tag for k in elem.elems()} - {"Lbl", "LBody"})
        else:
            continue
        if wrong:
            yield doc.where(elem, path), f"{elem.tag} contains {', '.join(wrong)}"


@rule("pdf-figure-alt", "Matterhorn 13-004", "every Figure has alternative text")
def pdf_figure_alt(doc: PdfFile):
    for elem, path in doc.elements:
        if elem.tag == "Figure" and not (str(elem.obj.get("/Alt", "")).strip()
                                         or str(elem.obj.get("/ActualText", "")).strip()):
            yield doc.where(elem, path), "Figure without /Alt"


def _link_annotations(doc: PdfFile):
    for number, page in enumerate(doc.pdf.pages, 1):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == "/Link":
                yield number, annot


@rule("pdf-link-tagged", "Matterhorn 28-011", "every link annotation belongs to a Link element")
def pdf_link_tagged(doc: PdfFile):
    inside = {}
    for elem, _path in doc.elements:
        for kid in elem.kids:
            if hasattr(kid, "annot"):
                inside[kid.annot.objgen] = elem.tag
    for number, annot in _link_annotations(doc):
        if inside.get(annot.objgen) != "Link":
            yield f"page {number}", "link annotation not inside a Link structure element"


@rule("pdf-link-contents", "Matterhorn 28-012", "every link annotation has a /Contents description")
def pdf_link_contents(doc: PdfFile):
    for number, annot in _link_annotations(doc):
        if not str(annot.get("/Contents", "")).strip():
            yield f"page {number}", "link annotation without /Contents"


@rule("pdf-link-nested", "WCAG 2.2 2.4.4", "one Link element per link (no Link inside a Link)")
def pdf_link_nested(doc: PdfFile):
    for elem, path in doc.elements:
        if elem.tag == "Link" and any(k.tag == "Link" for k in elem.elems()):
            yield doc.where(elem, path), "Link inside a Link: the link is announced twice"


@rule("pdf-tabs", "Matterhorn 28-008", "pages with annotations set /Tabs /S")
def pdf_tabs(doc: PdfFile):
    for number, page in enumerate(doc.pdf.pages, 1):
        if page.obj.get("/Annots") and str(page.obj.get("/Tabs", "")) != "/S":
            yield f"page {number}", "annotations but no /Tabs /S (Matterhorn 28-009)"


@rule("pdf-note-id", "Matterhorn 19-003", "every Note has a unique /ID")
def pdf_note_id(doc: PdfFile):
    seen = set()
    for elem, path in doc.elements:
        if elem.tag == "Note":
            note_id = str(elem.obj.get("/ID", ""))
            if not note_id:
                yield doc.where(elem, path), "Note without /ID"
            elif note_id in seen:
                yield doc.where(elem, path), f"Note /ID '{note_id}' is not unique (Matterhorn 19-004)"
            seen.add(note_id)


@rule("pdf-part-per-page", "WCAG 2.2 1.3.1", "structure elements are not split at page breaks (one Part per page)")
def pdf_part_per_page(doc: PdfFile):
    if doc.tree is None or len(doc.tree.top) != 1:
        return
    parts = [e for e in doc.tree.top[0].elems() if e.tag in ("Part", "Art")]
    pages = [{doc.page_numbers.get(mc.page.objgen) for mc in e.mcs()} for e in parts]
    single = [min(p) for p in pages if len(p) == 1]
    if len(parts) >= 3 and len(single) == len(parts) and single == list(range(single[0], single[0] + len(single))):
        yield "Document", f"{len(parts)} {parts[0].tag} elements, one per page {single[0]}-{single[-1]}: one element split by pages"


def _fonts(doc: PdfFile):
    seen = set()
    for number, page in enumerate(doc.pdf.pages, 1):
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for name, font in fonts.items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            yield number, str(font.get("/BaseFont", name)), font


@rule("pdf-font-embedded", "Matterhorn 31-009", "every font is embedded")
def pdf_font_embedded(doc: PdfFile):
    for number, base, font in _fonts(doc):
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        if font.get("/Subtype") == "/Type3":
            continue
        if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            yield f"page {number}", f"font {base} is not embedded"


@rule("pdf-font-unicode", "Matterhorn 31-027", "every font maps its glyphs to Unicode (text extracts correctly)")
def pdf_font_unicode(doc: PdfFile):
    standard = {"/WinAnsiEncoding", "/MacRomanEncoding", "/MacExpertEncoding"}
    for number, base, font in _fonts(doc):
        if "/ToUnicode" not in font and str(font.get("/Encoding", "")) not in standard:
            yield f"page {number}", f"font {base} has no /ToUnicode map"


# --------------------------------------------------------------------------- the text as read in order

def _runs(doc: PdfFile):
    """(block element, path, pieces) for each run of inline content in a block-level element, in
    reading order; a piece is (text, first Marked, last Marked) of one marked-content sequence, or
    of an inline element with /ActualText (`generator.formats.pdf_text.Marked`: where text starts)."""
    from generator.formats.pdf_text import is_block  # noqa: PLC0415
    from generator.formats.pdf_tree import MC, Elem  # noqa: PLC0415

    marked = doc.marked

    def add(kid, pieces: list) -> None:
        if isinstance(kid, MC):
            m = marked.get((kid.page.objgen, kid.mcid)) if kid.page is not None else None
            if m is not None and m.text:
                pieces.append((m.text, m, m))
        elif isinstance(kid, Elem) and "/ActualText" in kid.obj:
            shown = [marked[(mc.page.objgen, mc.mcid)] for mc in kid.mcs()
                     if mc.page is not None and (mc.page.objgen, mc.mcid) in marked]
            shown = [m for m in shown if m.text]
            pieces.append((str(kid.obj.ActualText), shown[0] if shown else None, shown[-1] if shown else None))
        elif isinstance(kid, Elem):
            for inner in kid.kids:
                add(inner, pieces)

    for elem, path in doc.elements:
        if not is_block(elem) or "/ActualText" in elem.obj:
            continue
        pieces: list = []
        for kid in elem.kids:
            if isinstance(kid, Elem) and is_block(kid):
                if pieces:
                    yield elem, path, pieces
                pieces = []
            else:
                add(kid, pieces)
        if pieces:
            yield elem, path, pieces


_WORD_END = re.compile(r"[\w.,;:!?)\]'\"’”%]\Z")
_WORD_START = re.compile(r"[\w(\['\"‘“]")


@rule("pdf-joined-words", "ISO 32000-1 14.8.2.5", "a line that ends at a word break ends with a space in the text (or /ActualText)")
def pdf_joined_words(doc: PdfFile):
    for elem, path, pieces in _runs(doc):
        for (a, _, end), (b, start, _) in zip(pieces, pieces[1:]):
            if end is None or start is None or abs(end.last_y - start.first_y) < 1 or start.first_x > end.last_x:
                continue  # the same line (or raised, as a note's call): a gap there is for the eye to judge
            if _WORD_END.search(a) and _WORD_START.match(b):
                joined = (a.split() or [""])[-1] + (b.split() or [""])[0]
                yield doc.where(elem, path), (f'"{joined}": the line ends without a space before the next, '
                                              "so the words run together when read")


@rule("pdf-empty-content", "WCAG 2.2 1.3.1", "no marked content that draws nothing, no Span with nothing in it")
def pdf_empty_content(doc: PdfFile):
    empty = {key for key, m in doc.marked.items() if not m.painted}
    for elem, path in doc.elements:
        mcs = [k for k in elem.kids if hasattr(k, "mcid")]
        hollow = [mc.mcid for mc in mcs if mc.page is not None and (mc.page.objgen, mc.mcid) in empty]
        if hollow:
            yield doc.where(elem, path), f"{elem.tag} holds marked content that draws nothing (MCID {', '.join(map(str, hollow))})"
        elif elem.tag == "Span" and not elem.kids and "/ActualText" not in elem.obj:
            yield doc.where(elem, path), "empty Span"


@rule("pdf-annotation-print", "PDF/A-2 6.3.2", "every annotation prints (/F Print set; Hidden, Invisible, NoView clear)")
def pdf_annotation_print(doc: PdfFile):
    for number, page in enumerate(doc.pdf.pages, 1):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == "/Popup":
                continue
            flags = int(annot.get("/F", 0))
            if not flags & 4 or flags & (1 | 2 | 32):
                yield f"page {number}", f"{str(annot.get('/Subtype', '/Annot'))[1:]} annotation with /F {flags}: not printed as shown"


@rule("pdf-label-order", "WCAG 2.2 1.3.2", "a list item's label comes before its body in the content, as in the tags")
def pdf_label_order(doc: PdfFile):
    order = {key: i for i, key in enumerate(doc.marked)}
    for elem, path in doc.elements:
        if elem.tag != "LI":
            continue
        lbl = next((k for k in elem.elems() if k.tag == "Lbl"), None)
        rest = [mc for k in elem.elems() if k is not lbl for mc in k.mcs()] if lbl is not None else []
        label = lbl.mcs()[:1] if lbl is not None else []
        if not label or not rest or label[0].page is None or rest[0].page is None:
            continue
        a, b = (label[0].page.objgen, label[0].mcid), (rest[0].page.objgen, rest[0].mcid)
        if a[0] == b[0] and a in order and b in order and order[a] > order[b]:
            yield doc.where(elem, path), "the label is drawn after the item's text: read in content order, it follows the item"


# --------------------------------------------------------------------------- PDF/A (when the file claims it)
#
# The rules below run on a file whose XMP claims PDF/A (pdfaid:part); they are the machine-checkable
# points of ISO 19005-2 that a reader of the file's objects can decide. What they cannot decide is
# listed in PDFA_NOT_CHECKED: `reportgen a11y` says so for each file that claims PDF/A.

PDFA_NOT_CHECKED = (
    "the embedded ICC profile's own validity (6.2.4.2)",
    "glyph widths in each font program against the /Widths and /W arrays (6.2.11.5)",
    "every glyph used is in its embedded font program, and CIDSet/CharSet completeness (6.2.11.4)",
    "the colour space of every painting operator against the OutputIntent (6.2.4.3)",
    "XMP syntax beyond the properties read here, and the extension schemas' value types (6.6.2.3)",
    "content stream operators and their operands against ISO 32000-1 (6.2.2)",
    "inline images in content streams (their /I, 6.2.8) and JPEG 2000 images' own headers (6.2.8.3)",
    "halftone dictionaries' types and transfer functions (6.2.5)",
)
PDFA_VALIDATOR = "veraPDF (https://verapdf.org), the PDF Association's reference validator"


def _pdfa(doc: PdfFile) -> tuple[str, str] | None:
    """(part, conformance) the XMP claims, or None."""
    match = re.search(r"pdfaid:part(?:=\"|>\s*)(\d)", doc.metadata)
    if not match:
        return None
    level = re.search(r"pdfaid:conformance(?:=\"|>\s*)([ABUabu])", doc.metadata)
    return match[1], (level[1].upper() if level else "")


def pdfa_unchecked(path: Path) -> str | None:
    """For a PDF that claims PDF/A: one line saying which of its rules the checks cannot decide.
    None for any other file, and for one that cannot be read (`check_file` reports that)."""
    try:
        doc = PdfFile(path)
    except Exception:  # noqa: BLE001 - unreadable or damaged: already a failure or a usage error
        return None
    try:
        claim = _pdfa(doc)
    finally:
        doc.close()
    if claim is None:
        return None
    return (f"{path}: claims PDF/A-{claim[0]}{claim[1].lower()}; not checked here: " + "; ".join(PDFA_NOT_CHECKED)
            + f". Only {PDFA_VALIDATOR} can confirm them.")


@rule("pdf-a-output-intent", "PDF/A-2 6.2.3", "a PDF/A file has an OutputIntent GTS_PDFA1 with an ICC profile")
def pdfa_output_intent(doc: PdfFile):
    if _pdfa(doc) is None:
        return
    intents = [i for i in doc.root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFA1"]
    if not intents:
        yield "catalog", "claims PDF/A but has no /OutputIntents entry with /S /GTS_PDFA1"
    elif len({i.get("/DestOutputProfile").objgen if i.get("/DestOutputProfile") is not None else None
              for i in intents}) > 1:
        yield "catalog", "more than one PDF/A OutputIntent profile (6.2.3: they must be the same)"
    for intent in intents:
        profile = intent.get("/DestOutputProfile")
        if profile is None or int(profile.get("/N", 0)) not in (1, 3, 4):
            yield "catalog", "the PDF/A OutputIntent has no ICC profile (/DestOutputProfile with /N 1, 3 or 4)"
        elif profile.read_bytes()[36:40] != b"acsp":
            yield "catalog", "the OutputIntent's /DestOutputProfile is not an ICC profile (no 'acsp' signature)"


_PDFA_PREDEFINED = {  # XMP namespaces PDF/A-2 takes as known (ISO 19005-2 6.6.2.3.2, XMP 2005)
    "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/xap/1.0/", "http://ns.adobe.com/xap/1.0/rights/",
    "http://ns.adobe.com/xap/1.0/mm/", "http://ns.adobe.com/xap/1.0/bj/", "http://ns.adobe.com/xap/1.0/t/pg/",
    "http://ns.adobe.com/xmp/1.0/DynamicMedia/", "http://ns.adobe.com/pdf/1.3/", "http://ns.adobe.com/photoshop/1.0/",
    "http://ns.adobe.com/camera-raw-settings/1.0/", "http://ns.adobe.com/exif/1.0/", "http://ns.adobe.com/exif/1.0/aux/",
    "http://ns.adobe.com/tiff/1.0/", "http://www.aiim.org/pdfa/ns/id/", "http://www.aiim.org/pdfa/ns/extension/",
    "http://www.aiim.org/pdfa/ns/schema#", "http://www.aiim.org/pdfa/ns/property#", "http://www.aiim.org/pdfa/ns/type#",
    "http://www.aiim.org/pdfa/ns/field#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "adobe:ns:meta/",
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#", "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
    "http://ns.adobe.com/xap/1.0/sType/Version#", "http://ns.adobe.com/xap/1.0/sType/Job#",
    "http://ns.adobe.com/xap/1.0/sType/Font#", "http://ns.adobe.com/xap/1.0/sType/Dimensions#",
    "http://ns.adobe.com/xap/1.0/g/", "http://ns.adobe.com/xap/1.0/g/img/", "http://ns.adobe.com/xmp/Identifier/qual/1.0/",
}


@rule("pdf-a-xmp-extension", "PDF/A-2 6.6.2.3", "every XMP namespace outside PDF/A's predefined ones has an extension schema")
def pdfa_xmp_extension(doc: PdfFile):
    if _pdfa(doc) is None:
        return
    used = set(re.findall(r'xmlns:[\w.-]+="([^"]+)"', doc.metadata))
    described = set(re.findall(r"<pdfaSchema:namespaceURI>\s*([^<\s]+)\s*<", doc.metadata))
    for namespace in sorted(used - _PDFA_PREDEFINED - described):
        yield "XMP metadata", f"namespace {namespace} has no PDF/A extension schema (pdfaExtension:schemas)"


def _xmp_value(metadata: str, prop: str) -> str | None:
    match = re.search(rf"<{prop}>\s*(?:<rdf:(?:Alt|Seq|Bag)>\s*<rdf:li[^>]*>)?([^<]*)<", metadata) or \
        re.search(rf'{prop}="([^"]*)"', metadata)
    # the XMP is XML: `&amp;` in it is `&` in the document information
    return html.unescape(match[1]).strip() if match else None


@rule("pdf-a-info-matches-xmp", "PDF/A-2 6.6.3", "the document information dictionary says what the XMP says")
def pdfa_info_matches_xmp(doc: PdfFile):
    if _pdfa(doc) is None:
        return
    info = doc.pdf.trailer.get("/Info")
    if info is None:
        return
    for key, prop in (("/Title", "dc:title"), ("/Author", "dc:creator"), ("/Subject", "dc:description"),
                      ("/Producer", "pdf:Producer"), ("/Keywords", "pdf:Keywords"), ("/Creator", "xmp:CreatorTool")):
        if key in info:
            value = _xmp_value(doc.metadata, prop)
            if value is None or value != str(info[key]).strip():
                yield "document information", f"{key[1:]} '{info[key]}' but XMP {prop} {value!r}"


@rule("pdf-a-forbidden", "PDF/A-2 6.1.3, 6.6.1, 6.8", "a PDF/A file is not encrypted and has no JavaScript, launch actions or embedded non-PDF/A files")
def pdfa_forbidden(doc: PdfFile):
    if _pdfa(doc) is None:
        return
    if doc.pdf.is_encrypted or "/Encrypt" in doc.pdf.trailer:
        yield "trailer", "encrypted"
    names = doc.root.get("/Names", {})
    if "/JavaScript" in names:
        yield "catalog", "document-level JavaScript"
    if "/EmbeddedFiles" in names:
        yield "catalog", "embedded files (PDF/A-2 allows only PDF/A files; not checked: say none)"
    actions = [doc.root.get("/OpenAction")] + [a.get("/A") for page in doc.pdf.pages for a in page.obj.get("/Annots", [])]
    for action in actions:
        kind = str(action.get("/S", "")) if isinstance(action, doc.pikepdf.Dictionary) else ""
        if kind in _PDFA_ACTIONS:
            yield "action", f"{kind[1:]} action (not allowed in PDF/A-2)"


_PDFA_ACTIONS = {"/JavaScript", "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState",
                 "/Rendition", "/Trans", "/GoTo3DView"}


@rule("pdf-a-transparency", "PDF/A-2 6.2.10", "pages with transparency have a blending colour space (the OutputIntent or a page Group /CS)")
def pdfa_transparency(doc: PdfFile):
    if _pdfa(doc) is None or any(i.get("/S") == "/GTS_PDFA1" for i in doc.root.get("/OutputIntents", [])):
        return
    for number, page in enumerate(doc.pdf.pages, 1):
        states = page.obj.get("/Resources", {}).get("/ExtGState", {})
        transparent = any((s.get("/SMask") not in (None, "/None")) or float(s.get("/ca", 1)) < 1
                          or float(s.get("/CA", 1)) < 1 for s in states.values())
        group = page.obj.get("/Group")
        if transparent and (group is None or "/CS" not in group):
            yield f"page {number}", "transparency with no PDF/A OutputIntent and no page Group /CS"


_PDFA_BITS = {1, 2, 4, 8, 16}


@rule("pdf-a-image", "PDF/A-2 6.2.5, 6.2.8, 6.2.9", "images have no /Interpolate true, /Alternates or /OPI and 1, 2, 4, 8 or 16 bits per "
      "component; no PostScript or reference XObjects; graphics states set no transfer function or halftone origin")
def pdfa_image(doc: PdfFile):
    if _pdfa(doc) is None:
        return
    from generator.formats.pdf_images import resources_objects  # noqa: PLC0415

    for where, kind, obj in resources_objects(doc.pdf):
        if kind == "image":
            if obj.get("/Interpolate") is True:
                yield where, "image with /Interpolate true (6.2.8: it must be false or absent)"
            for key in ("/Alternates", "/OPI"):
                if key in obj:
                    yield where, f"image with {key} (6.2.8: not allowed)"
            bits = obj.get("/BitsPerComponent")
            if bits is not None and obj.get("/ImageMask") is not True and not (
                    isinstance(bits, int) and int(bits) in _PDFA_BITS):
                yield where, f"image with /BitsPerComponent {bits} (6.2.8: 1, 2, 4, 8 or 16)"
        elif kind == "xobject":
            if obj.get("/Subtype") == "/PS" or obj.get("/Subtype2") == "/PS":
                yield where, "PostScript XObject (6.2.9: not allowed)"
            for key in ("/Ref", "/OPI"):
                if key in obj:
                    yield where, f"form XObject with {key} (6.2.9: not allowed)"
        elif kind == "extgstate":
            if "/TR" in obj:
                yield where, "graphics state with a transfer function /TR (6.2.5: not allowed)"
            if "/TR2" in obj and obj.get("/TR2") != "/Default":
                yield where, "graphics state with /TR2 other than /Default (6.2.5)"
            if "/HTO" in obj:
                yield where, "graphics state with a halftone origin /HTO (6.2.5: not allowed)"
