"""Accessibility checks of built files: PDF (PDF/UA-1, Matterhorn), DOCX and HTML (WCAG 2.2).

Each machine-checkable point of shared/design/ACCESSIBILITY.md is one rule: a small function
registered in `RULES` under a stable id with the PDF/UA (Matterhorn checkpoint) or WCAG
reference it enforces. A rule yields `(where, message)` pairs; `check_file` turns them into
`Failure`s. The checks read any file, not only ours: an untagged PDF fails them.

`reportgen a11y FILE...` prints every failure; `reportgen build` reports them as diagnostics
(code ``a11y-<rule-id>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Iterator

FORMATS = ("pdf", "docx", "html")


@dataclass(frozen=True)
class Rule:
    id: str
    format: str
    reference: str  # "Matterhorn 14-003" or "WCAG 2.2 1.3.1"
    title: str
    check: Callable


@dataclass(frozen=True, order=True)
class Failure:
    path: str
    where: str
    rule: str
    reference: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.rule} [{self.reference}]: {self.message}"


class NotCheckable(Exception):
    """The file is of a kind this checker does not read (a usage error, not a failure)."""


RULES: dict[str, Rule] = {}


def rule(rule_id: str, reference: str, title: str):
    """Register a check: `@rule("pdf-lang", "Matterhorn 11-001", "...")` on `def f(doc)`."""
    def register(func):
        RULES[rule_id] = Rule(rule_id, rule_id.split("-", 1)[0], reference, title, func)
        return func
    return register


def format_of(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "tmp":  # build's temporary files: name.pdf.tmp
        suffix = Path(path.stem).suffix.lower().lstrip(".")
    return {"htm": "html"}.get(suffix, suffix) if suffix in FORMATS + ("htm",) else None


def check_file(path: Path, fmt: str | None = None, shown: str | None = None) -> list[Failure]:
    """Every failure of every rule for `path`. Raises NotCheckable for an unknown kind of file."""
    path = Path(path)
    fmt = fmt or format_of(path)
    if fmt not in FORMATS:
        raise NotCheckable(f"cannot check '{path.name}': known kinds are .pdf, .docx and .html")
    shown = shown or str(path)
    try:
        doc = READERS[fmt](path)
    except NotCheckable:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken file is a failure to report, not a crash
        return [Failure(shown, "file", f"{fmt}-readable", "WCAG 2.2 4.1.1", f"cannot be read as {fmt.upper()}: {exc}")]
    failures = []
    try:
        for item in RULES.values():
            if item.format == fmt:
                try:
                    failures.extend(Failure(shown, where, item.id, item.reference, message)
                                    for where, message in item.check(doc))
                except Exception as exc:  # noqa: BLE001 - an odd file must not hide the other rules
                    failures.append(Failure(shown, "file", item.id, item.reference,
                                            f"could not be checked ({type(exc).__name__}: {exc})"))
    finally:
        doc.close()
    return failures


def check_files(paths: Iterable[Path]) -> list[Failure]:
    return [failure for path in paths for failure in check_file(Path(path))]


# =========================================================================== PDF


class PdfFile:
    TEXT_OPS = {"Tj", "TJ", "'", '"'}
    PAINT_OPS = {"Do", "sh", "BI", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*"}
    OPERATORS = " ".join(sorted(TEXT_OPS | PAINT_OPS | {"BDC", "BMC", "EMC"}))

    def __init__(self, path: Path):
        import pikepdf  # noqa: PLC0415 - only PDF checks need it

        self.pikepdf = pikepdf
        self.pdf = pikepdf.open(path)
        self.root = self.pdf.Root
        self.page_numbers = {page.objgen: i + 1 for i, page in enumerate(self.pdf.pages)}

    def close(self) -> None:
        self.pdf.close()

    @cached_property
    def tree(self):
        from generator.pdf_tags import Tree  # noqa: PLC0415

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
    for table, table_path in doc.elements:
        if table.tag != "Table":
            continue
        uses_headers = any(_table_attribute(e, "/Headers") for e in table.walk() if e.tag == "TD")
        for cell, path in doc.elements:
            if cell.tag == "TH" and path.startswith(table_path + "/") and _table_attribute(cell, "/Scope") is None:
                if not (uses_headers and "/ID" in cell.obj):
                    yield doc.where(cell, path), "TH without /Scope"


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


# =========================================================================== DOCX

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "a14": "http://schemas.microsoft.com/office/drawing/2010/main",
      "adec": "http://schemas.microsoft.com/office/drawing/2017/decorative",
      "v": "urn:schemas-microsoft-com:vml"}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


class DocxFile:
    def __init__(self, path: Path):
        import docx  # noqa: PLC0415

        self.document = docx.Document(str(path))
        self.body = self.document.element.body
        self.styles = {s.style_id: s for s in self.document.styles}

    def close(self) -> None:
        pass

    @cached_property
    def blocks(self) -> list:
        """Body paragraphs and tables in order, as (kind, index, element); index counts each kind from 1."""
        out, counts = [], {"p": 0, "tbl": 0}
        for child in self.body.iterchildren(_w("p"), _w("tbl")):
            kind = child.tag.rsplit("}", 1)[1]
            counts[kind] += 1
            out.append((kind, counts[kind], child))
        return out

    def paragraphs(self):
        return [(i, p) for kind, i, p in self.blocks if kind == "p"]

    def style_chain(self, p) -> list:
        style_id = _xp(p, "string(./w:pPr/w:pStyle/@w:val)")
        chain, seen = [], set()
        style = self.styles.get(style_id) if style_id else self.document.styles.default(1)
        while style is not None and style.style_id not in seen:
            seen.add(style.style_id)
            chain.append(style)
            style = style.base_style
        return chain

    def style_name(self, p) -> str:
        chain = self.style_chain(p)
        return chain[0].name if chain else ""

    def heading_level(self, p) -> int | None:
        for style in self.style_chain(p):
            match = re.fullmatch(r"heading (\d)", (style.name or "").lower())
            if match:
                return int(match[1])
        return None

    def num_pr(self, p):
        """(numId, ilvl) of a real list paragraph, directly or through its style, else None."""
        for node in [p] + [s.element for s in self.style_chain(p)]:
            num = node.find(f"./{_w('pPr')}/{_w('numPr')}")
            if num is not None:
                num_id = num.find(_w("numId"))
                if num_id is not None and num_id.get(_w("val")) not in (None, "0"):
                    level = num.find(_w("ilvl"))
                    return num_id.get(_w("val")), int(level.get(_w("val"))) if level is not None else 0
        return None

    @cached_property
    def numbering_formats(self) -> dict:
        """numId -> {ilvl: numFmt} from numbering.xml."""
        try:
            numbering = self.document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return {}
        abstract = {}
        for item in numbering.findall(_w("abstractNum")):
            abstract[item.get(_w("abstractNumId"))] = {
                int(lvl.get(_w("ilvl"))): _xp(lvl, "string(./w:numFmt/@w:val)") for lvl in item.findall(_w("lvl"))}
        out = {}
        for num in numbering.findall(_w("num")):
            ref = _xp(num, "string(./w:abstractNumId/@w:val)")
            out[num.get(_w("numId"))] = abstract.get(ref, {})
        return out

    def parts_xml(self, prefix: str) -> list:
        from lxml import etree  # noqa: PLC0415

        out = []
        for part in self.document.part.package.parts:
            if str(part.partname).startswith(prefix) and str(part.partname).endswith(".xml"):
                out.append((str(part.partname), etree.fromstring(part.blob)))
        return out

    @cached_property
    def headers_footers(self) -> list:
        return self.parts_xml("/word/header") + self.parts_xml("/word/footer")

    @cached_property
    def all_parts(self) -> list:
        return [("/word/document.xml", self.document.element)] + self.headers_footers


def _xp(node, expr: str):
    """XPath with the WordprocessingML prefixes, on python-docx and plain lxml elements alike."""
    from lxml import etree  # noqa: PLC0415

    return etree._Element.xpath(node, expr, namespaces=NS)  # noqa: SLF001


def _text(node) -> str:
    """The text a reader sees: w:t only (not field codes, not deleted text)."""
    return "".join(t.text or "" for t in node.iter(_w("t"))) if node is not None else ""


def _instructions(node) -> str:
    return " ".join([t.text or "" for t in node.iter(_w("instrText"))] +
                    [f.get(_w("instr"), "") for f in node.iter(_w("fldSimple"))])


@rule("docx-title", "WCAG 2.2 2.4.2", "core properties give the title")
def docx_title(doc: DocxFile):
    if not (doc.document.core_properties.title or "").strip():
        yield "core properties", "no title"


@rule("docx-properties", "WCAG 2.2 2.4.2", "core properties give the subject and the author")
def docx_properties(doc: DocxFile):
    props = doc.document.core_properties
    for name in ("subject", "author"):
        if not (getattr(props, name) or "").strip():
            yield "core properties", f"no {name}"


@rule("docx-language", "WCAG 2.2 3.1.1", "the language is declared (core property and default w:lang)")
def docx_language(doc: DocxFile):
    if not (doc.document.core_properties.language or "").strip():
        yield "core properties", "no language"
    styles = doc.document.styles.element
    if not _xp(styles, "string(./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val)"):
        yield "styles", "no default language (w:docDefaults w:lang)"


@rule("docx-title-style", "WCAG 2.2 1.3.1", "the title uses the Title style")
def docx_title_style(doc: DocxFile):
    if doc.paragraphs() and not any(doc.style_name(p) == "Title" for _, p in doc.paragraphs()):
        yield "body", "no paragraph uses the Title style"


@rule("docx-heading-order", "WCAG 2.2 1.3.1", "headings use Heading 1-n and skip no level")
def docx_heading_order(doc: DocxFile):
    previous = 0
    for index, p in doc.paragraphs():
        level = doc.heading_level(p)
        if level is None:
            continue
        if level > previous + 1:
            yield f"paragraph {index}", f"Heading {level} follows {'Heading ' + str(previous) if previous else 'the start'}"
        previous = level


_FAKE_BULLET = re.compile(r"^\s*(?:[•▪◦●\-–*]\s|\(?\d{1,2}[.)]\s)")


@rule("docx-list-structure", "WCAG 2.2 1.3.1", "lists are real Word lists (numbering.xml), not typed markers")
def docx_list_structure(doc: DocxFile):
    for index, p in doc.paragraphs():
        numbered = doc.num_pr(p)
        name = doc.style_name(p)
        if numbered is None and (name.startswith("List ") or name == "List Paragraph"):
            yield f"paragraph {index}", f"style '{name}' but not part of a numbered or bulleted list"
        elif numbered is None and _FAKE_BULLET.match(_text(p)) and doc.heading_level(p) is None and \
                not name.lower().startswith(("toc", "caption", "title")):
            yield f"paragraph {index}", f"typed list marker: '{_text(p)[:30]}'"


@rule("docx-list-restart", "WCAG 2.2 1.3.1", "each new numbered list restarts its numbering")
def docx_list_restart(doc: DocxFile):
    seen, previous = {}, None
    for kind, index, node in doc.blocks:
        current = doc.num_pr(node) if kind == "p" else None
        if current is not None and current[1] == 0 and current != previous:
            fmt = doc.numbering_formats.get(current[0], {}).get(0, "")
            if fmt not in ("bullet", "none", "") and current[0] in seen:
                yield f"paragraph {index}", (f"a new numbered list continues the numbering of the list at "
                                             f"paragraph {seen[current[0]]}")
            seen.setdefault(current[0], index)
        previous = current if current is not None else None


@rule("docx-table-header", "WCAG 2.2 1.3.1", "each table's first row repeats as a header row (w:tblHeader)")
def docx_table_header(doc: DocxFile):
    for kind, index, table in doc.blocks:
        if kind == "tbl":
            first = table.find(_w("tr"))
            if first is None or first.find(f"./{_w('trPr')}/{_w('tblHeader')}") is None or \
                    _xp(first, "string(./w:trPr/w:tblHeader/@w:val)") in ("0", "false"):
                yield f"table {index}", "first row is not marked as a header row"


@rule("docx-table-merged", "WCAG 2.2 1.3.1", "no merged cells in data tables")
def docx_table_merged(doc: DocxFile):
    for kind, index, table in doc.blocks:
        if kind == "tbl" and _xp(table, ".//w:tcPr/w:gridSpan[@w:val > 1] | .//w:tcPr/w:vMerge"):
            yield f"table {index}", "merged cells"


@rule("docx-table-caption", "WCAG 2.2 1.3.1", "each table has a caption or a heading before it")
def docx_table_caption(doc: DocxFile):
    previous = None
    for kind, index, node in doc.blocks:
        if kind == "tbl":
            caption = _xp(node, "string(./w:tblPr/w:tblCaption/@w:val)")
            before_ok = previous is not None and (doc.heading_level(previous) is not None
                                                  or doc.style_name(previous) == "Caption")
            if not caption and not before_ok:
                yield f"table {index}", "no caption (w:tblCaption or a Caption/heading paragraph before it)"
        previous = node if kind == "p" else None


@rule("docx-alt-text", "WCAG 2.2 1.1.1", "every image has alt text or is marked decorative")
def docx_alt_text(doc: DocxFile):
    for number, pr in enumerate(doc.body.iter(f"{{{NS['wp']}}}docPr"), 1):
        decorative = _xp(pr, ".//adec:decorative[@val='1' or @val='true']")
        if not (pr.get("descr") or "").strip() and not decorative:
            yield f"image {number} ('{pr.get('name', '')}')", "no alt text (wp:docPr/@descr) and not marked decorative"


@rule("docx-empty-paragraph", "WCAG 2.2 1.3.1", "no empty paragraphs used for spacing")
def docx_empty_paragraph(doc: DocxFile):
    for index, p in doc.paragraphs():
        if _text(p).strip() or _xp(p, ".//w:drawing | .//w:br | .//w:fldChar | .//w:fldSimple | ./w:pPr/w:sectPr"
                                       " | .//w:footnoteReference | .//w:object | .//w:pict"):
            continue
        yield f"paragraph {index}", "empty paragraph (use spacing in the style instead)"


@rule("docx-text-box", "WCAG 2.2 1.3.2", "no text boxes or floating objects for body content")
def docx_text_box(doc: DocxFile):
    for index, p in doc.paragraphs():
        if _xp(p, ".//w:txbxContent"):
            yield f"paragraph {index}", "text box (its text is outside the reading order)"
        elif _xp(p, ".//wp:anchor"):
            yield f"paragraph {index}", "floating object (wp:anchor)"


@rule("docx-footnotes", "WCAG 2.2 1.3.1", "footnotes are real Word footnotes, not typed superscript numbers")
def docx_footnotes(doc: DocxFile):
    for index, p in doc.paragraphs():
        for run in p.iter(_w("r")):
            superscript = _xp(run, "string(./w:rPr/w:vertAlign/@w:val)") == "superscript"
            if superscript and re.fullmatch(r"\s*\[?\d{1,3}\]?\s*", _text(run)) and run.find(_w("footnoteReference")) is None:
                yield f"paragraph {index}", f"typed footnote number '{_text(run).strip()}'"


@rule("docx-toc-field", "WCAG 2.2 2.4.5", "a contents page is a real TOC field")
def docx_toc_field(doc: DocxFile):
    says_contents = any(_text(p).strip().lower() in ("contents", "table of contents") or
                        doc.style_name(p).lower().startswith("toc") for _, p in doc.paragraphs())
    if says_contents and not re.search(r"(^|\s)TOC\b", _instructions(doc.body)) and \
            not _xp(doc.body, ".//w:sdt[.//w:docPartGallery[@w:val='Table of Contents']]"):
        yield "body", "a contents page without a TOC field"


@rule("docx-page-numbers", "WCAG 2.2 2.4.8", "page numbers are PAGE fields in a header or footer")
def docx_page_numbers(doc: DocxFile):
    if not any(re.search(r"(^|\s)PAGE\b", _instructions(xml)) for _, xml in doc.headers_footers):
        yield "headers and footers", "no PAGE field: page numbers are missing or typed"
    for name, xml in doc.headers_footers:
        for p in xml.iter(_w("p")):
            if re.search(r"\bPage \d+", _text(p)) and not re.search(r"(^|\s)PAGE\b", _instructions(p)):
                yield name, f"a typed page number: '{_text(p).strip()[:30]}'"


# =========================================================================== HTML


class HtmlFile:
    def __init__(self, path: Path):
        import lxml.html  # noqa: PLC0415

        self.source = path.read_text(encoding="utf-8")
        self.root = lxml.html.document_fromstring(self.source)

    def close(self) -> None:
        pass

    @staticmethod
    def where(node) -> str:
        ident = f"#{node.get('id')}" if node.get("id") else ""
        return f"line {node.sourceline} <{node.tag}{ident}>"

    @cached_property
    def styles(self) -> str:
        return "\n".join(s.text_content() for s in self.root.iter("style"))


def _accessible_text(node) -> str:
    text = node.get("aria-label") or " ".join(node.text_content().split())
    if not text:
        text = " ".join(img.get("alt", "") for img in node.iter("img")).strip()
    return text.strip()


@rule("html-lang", "WCAG 2.2 3.1.1", "<html> has a lang attribute")
def html_lang(doc: HtmlFile):
    if not (doc.root.get("lang") or "").strip():
        yield "<html>", "no lang attribute"


@rule("html-title", "WCAG 2.2 2.4.2", "the page has a non-empty <title>")
def html_title(doc: HtmlFile):
    titles = [t for t in doc.root.iter("title") if t.text_content().strip()]
    if not titles:
        yield "<head>", "no <title>"


LANDMARKS = {"header", "nav", "main", "footer", "aside"}


@rule("html-landmarks", "WCAG 2.2 1.3.1", "one <main>; all content inside landmarks (header, nav, main, footer)")
def html_landmarks(doc: HtmlFile):
    mains = list(doc.root.iter("main")) + _xp(doc.root, "//*[@role='main']")
    if len(mains) != 1:
        yield "<body>", f"{len(mains)} <main> elements (one expected)"
    body = doc.root.find("body")
    for child in (body if body is not None else []):
        if not isinstance(child.tag, str) or child.tag in LANDMARKS | {"script", "style", "template"}:
            continue
        if child.get("role") in ("banner", "navigation", "main", "contentinfo", "complementary"):
            continue
        if child.tag == "a" and (child.get("href") or "").startswith("#"):
            continue  # a skip link
        if child.text_content().strip():
            yield doc.where(child), "content outside any landmark"


@rule("html-skip-link", "WCAG 2.2 2.4.1", "a skip link to the main content comes first")
def html_skip_link(doc: HtmlFile):
    focusable = _xp(doc.root, "//body//a[@href] | //body//button | //body//input | //body//*[@tabindex]")
    mains = list(doc.root.iter("main"))
    target = mains[0].get("id") if mains else None
    if not focusable or not target or focusable[0].get("href") != f"#{target}":
        yield "<body>", "the first link does not skip to <main>" + ("" if target else " (which has no id)")


@rule("html-heading-order", "WCAG 2.2 1.3.1", "headings start at h1 and skip no level")
def html_heading_order(doc: HtmlFile):
    previous = 0
    for node in doc.root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        level = int(node.tag[1])
        if level > previous + 1:
            yield doc.where(node), f"h{level} follows {'h' + str(previous) if previous else 'the start'}"
        if not node.text_content().strip():
            yield doc.where(node), "empty heading"
        previous = level


@rule("html-table-header", "WCAG 2.2 1.3.1", "every table has header cells")
def html_table_header(doc: HtmlFile):
    for table in doc.root.iter("table"):
        if table.get("role") != "presentation" and not list(table.iter("th")):
            yield doc.where(table), "table without <th>"


@rule("html-th-scope", "WCAG 2.2 1.3.1", "every <th> has scope (or cells name their headers)")
def html_th_scope(doc: HtmlFile):
    for th in doc.root.iter("th"):
        if th.get("scope") not in ("col", "row", "colgroup", "rowgroup") and not th.get("id"):
            yield doc.where(th), f"<th> without scope: '{th.text_content().strip()[:40]}'"


@rule("html-img-alt", "WCAG 2.2 1.1.1", "every image has alt (empty only if decorative)")
def html_img_alt(doc: HtmlFile):
    for img in doc.root.iter("img"):
        if img.get("alt") is None and img.get("role") not in ("presentation", "none"):
            yield doc.where(img), f"<img src='{img.get('src', '')[:60]}'> without alt"


VAGUE_LINKS = {"click here", "here", "read more", "more", "link", "this link", "click", "this"}


@rule("html-link-text", "WCAG 2.2 2.4.4", "every link has text that says where it goes")
def html_link_text(doc: HtmlFile):
    for a in doc.root.iter("a"):
        if a.get("href") is None:
            continue
        text = _accessible_text(a)
        if not text:
            yield doc.where(a), f"link to {a.get('href')[:60]} has no text"
        elif text.lower().strip(".:! ") in VAGUE_LINKS:
            yield doc.where(a), f"link text '{text}' does not say where it goes"


@rule("html-focus-visible", "WCAG 2.2 2.4.7", "focus is never hidden (no outline: none on :focus)")
def html_focus_visible(doc: HtmlFile):
    for match in re.finditer(r"([^{}]*:focus[^{}]*)\{([^}]*)\}", doc.styles):
        if re.search(r"outline\s*:\s*(none|0)\b", match[2]) and not re.search(r"box-shadow|border", match[2]):
            yield "<style>", f"'{match[1].strip()[:60]}' hides the focus outline"


def _rgb(value: str):
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return tuple(int(c * 2, 16) for c in value[1:])
    match = re.fullmatch(r"rgba?\((\d+)\s*,\s*(\d+)\s*,\s*(\d+)(?:\s*,\s*[\d.]+)?\)", value)
    return tuple(int(x) for x in match.groups()) if match else None


def contrast(fg, bg) -> float:
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@rule("html-contrast", "WCAG 2.2 1.4.3", "text on a coloured background (rating badges) has contrast of 4.5:1")
def html_contrast(doc: HtmlFile):
    for node in _xp(doc.root, "//*[@style]"):
        style = dict((k.strip().lower(), v) for k, _, v in
                     (part.partition(":") for part in node.get("style").split(";") if ":" in part))
        fg, bg = _rgb(style.get("color", "")), _rgb(style.get("background-color", style.get("background", "")))
        if fg and bg and contrast(fg, bg) < 4.5:
            yield doc.where(node), (f"'{node.text_content().strip()[:30]}': contrast {contrast(fg, bg):.2f}:1 "
                                    "is below 4.5:1")


@rule("html-colour-only", "WCAG 2.2 1.4.1", "a coloured badge always says its meaning in words")
def html_colour_only(doc: HtmlFile):
    for node in _xp(doc.root, "//*[contains(concat(' ', normalize-space(@class), ' '), ' badge ')]"):
        if not node.text_content().strip():
            yield doc.where(node), "a badge with colour and no words"


READERS = {"pdf": PdfFile, "docx": DocxFile, "html": HtmlFile}


def rules_table() -> Iterator[str]:
    """One line per rule: id, reference, what it checks (for the README and `--list`)."""
    for item in RULES.values():
        yield f"{item.id}\t{item.reference}\t{item.title}"
