"""Accessibility rules for DOCX (WCAG 2.2 as it applies to a Word document)."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from generator.checks.runner import reader, rule


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "a14": "http://schemas.microsoft.com/office/drawing/2010/main",
      "adec": "http://schemas.microsoft.com/office/drawing/2017/decorative",
      "v": "urn:schemas-microsoft-com:vml"}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@reader("docx")
class DocxFile:
    def __init__(self, path: Path):
        from generator.formats.package import open_docx  # noqa: PLC0415 - python-docx only for a DOCX

        self.document = open_docx(path)  # UnreadableFile / DamagedFile: see generator.formats.package
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
        """The paragraph's style and the styles it is based on, nearest first."""
        style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        return self._chain(style.get(_w("val"), "") if style is not None else "")

    @cached_property
    def _chains(self) -> dict:
        return {}

    def _chain(self, style_id: str) -> list:
        if style_id not in self._chains:
            self._chains[style_id] = self._base_styles(style_id)
        return self._chains[style_id]

    def _base_styles(self, style_id: str) -> list:
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


_XPATHS: dict = {}


def _xp(node, expr: str):
    """XPath with the WordprocessingML prefixes, on python-docx and plain lxml elements alike
    (each expression compiled once)."""
    compiled = _XPATHS.get(expr)
    if compiled is None:
        from lxml import etree  # noqa: PLC0415

        compiled = _XPATHS[expr] = etree.XPath(expr, namespaces=NS)
    return compiled(node)


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


@rule("docx-language-valid", "WCAG 2.2 3.1.2", "every language (the core property, each w:lang) is a "
      "well-formed language tag (BCP 47)")
def docx_language_valid(doc: DocxFile):
    from generator.formats.language import well_formed  # noqa: PLC0415

    language = (doc.document.core_properties.language or "").strip()
    if language and not well_formed(language):
        yield "core properties", f"language {_said(language)} is not a language tag"
    parts = doc.all_parts + [("/word/styles.xml", doc.document.styles.element)] + doc.parts_xml("/word/footnotes")
    for name, root in parts:
        for lang in root.iter(_w("lang")):
            for attr in ("val", "eastAsia", "bidi"):
                value = lang.get(_w(attr))
                if value is not None and not well_formed(value):
                    yield name, f"w:lang w:{attr} {_said(value)} is not a language tag (on '{_said(_run_text(lang))}')"


def _run_text(lang) -> str:
    """The text of the run whose properties hold `lang` (empty for a style's or the defaults')."""
    run = lang.getparent().getparent() if lang.getparent() is not None else None
    return _text(run) if run is not None and run.tag == _w("r") else ""


def _said(value: str) -> str:
    """A value from the file, for a message: printable, at most 40 characters."""
    return "".join(c if c.isprintable() else "?" for c in value[:40]) + ("…" if len(value) > 40 else "")


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
