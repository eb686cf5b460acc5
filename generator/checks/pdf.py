"""Accessibility rules for PDF: PDF/UA-1, as the Matterhorn Protocol's machine-checkable points."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from generator.checks.runner import reader, rule



@reader("pdf")
class PdfFile:
    TEXT_OPS = {"Tj", "TJ", "'", '"'}
    PAINT_OPS = {"Do", "sh", "BI", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*"}
    OPERATORS = " ".join(sorted(TEXT_OPS | PAINT_OPS | {"BDC", "BMC", "EMC"}))

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
    def metadata(self) -> str:
        meta = self.root.get("/Metadata")
        try:
            return meta.read_bytes().decode("utf-8", "replace") if meta is not None else ""
        except Exception:  # noqa: BLE001
            return ""

    @cached_property
    def unmarked(self) -> dict[int, tuple[int, int]]:
        """Per page number: (text operators, other painting operators) neither tagged nor Artifact."""
        pikepdf = self.pikepdf
        reached = self.tree.reached() if self.tree is not None else set()
        out = {}
        for number, page in enumerate(self.pdf.pages, 1):
            stack: list[tuple[bool, bool]] = []  # (artifact, reached MCID) per open sequence
            text = paint = 0
            for instruction in pikepdf.parse_content_stream(page, self.OPERATORS):
                op = str(instruction.operator)  # operands are read only where needed: they are costly
                if op in ("BDC", "BMC"):
                    operands = instruction.operands
                    artifact = str(operands[0]) == "/Artifact"
                    mcid = None
                    if op == "BDC" and len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary):
                        mcid = operands[1].get("/MCID")
                    stack.append((artifact, mcid is not None and (page.objgen, int(mcid)) in reached))
                elif op == "EMC":
                    if stack:
                        stack.pop()
                elif op in self.TEXT_OPS or op in self.PAINT_OPS:
                    if not any(a or r for a, r in stack):
                        if op in self.TEXT_OPS:
                            text += 1
                        else:
                            paint += 1
            if text or paint:
                out[number] = (text, paint)
        return out


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
