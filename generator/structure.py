"""The structure of a built PDF, DOCX or HTML file, for `reportgen diff` between two editions.

Two editions in different languages differ in every word, so `reportgen diff` compares their
*structure* instead (generator/stages/parity.py, the same core as the check of the editions'
chapters): this module is its producer for built files. It reads, in reading order, each heading
(and its level), paragraph, list item, table (its columns and rows), figure, quotation and footnote,
and, from an HTML file, each cross-reference and the numbers written in each block: a PDF's and a
DOCX's text carry page numbers ("on page 12") that may rightly differ between editions, so their
numbers are not compared.
A place is a line and column of the HTML file, a page and structure path of the PDF ("page 3,
Document/Part[1]/Sect[2]/P[4]"), a paragraph or table of the DOCX ("paragraph 41").

The files are untrusted: they are opened through `generator.formats.package` and read by the
accessibility checks' own readers (`generator.checks.pdf`, `generator.checks.docx`).
"""

from __future__ import annotations

import html.parser
import re
from collections import Counter
from pathlib import Path

from generator.stages.parity import Place, Unit, numbers_in


def language_of(path: Path) -> str:
    """The language a built file declares (HTML `lang`, PDF /Lang, DOCX core property or default
    w:lang), "" if none. Raises UnreadableFile for a file that cannot be read."""
    from generator.formats.package import kind_of, read_html  # noqa: PLC0415

    kind = kind_of(path)
    if kind == "html":
        head = read_html(path)[:65536]  # the <html> tag opens the file; a hostile one is searched no further
        match = re.search(r"<html\b[^>]{0,2000}?\blang\s*=\s*[\"']?([A-Za-z0-9-]+)", head, re.I)
        return match[1] if match else ""
    if kind == "pdf":
        from generator.checks.pdf import PdfFile  # noqa: PLC0415

        doc = PdfFile(path)
        try:
            return str(doc.root.get("/Lang", "")).strip()
        finally:
            doc.close()
    from generator.checks.docx import DocxFile, _xp  # noqa: PLC0415

    doc = DocxFile(path)
    return ((doc.document.core_properties.language or "").strip()
            or _xp(doc.document.styles.element, "string(./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val)"))


def units_of(path: Path, shown: str) -> list[Unit]:
    """The units of a built file (`shown`: its name as messages show it)."""
    from generator.formats.package import kind_of  # noqa: PLC0415

    kind = kind_of(path)
    return {"html": _html_units, "pdf": _pdf_units, "docx": _docx_units}[kind](path, shown)


# ----------------------------------------------------------------------------- HTML

_SKIP_CLASSES = {"back-to-top", "skip-link", "footnotes", "contents", "visually-hidden"}
MAX_UNCLOSED = 32
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _HtmlUnits(html.parser.HTMLParser):
    def __init__(self, shown: str):
        super().__init__(convert_charrefs=True)
        self.shown = shown
        self.units: list[Unit] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped subtree)
        self.skipped = 0  # entries of `stack` that skip their subtree
        self.calls = 0  # <sup> entries of `stack` (a footnote call's number is no text of its block)
        self.in_main = 0
        self.open: Unit | None = None  # the paragraph, item or heading whose text is being read
        self.open_tag = ""
        self.text: list[str] = []
        self.table: list | None = None  # [unit, columns of the first row, cells in this row, body rows]

    @property
    def skipping(self) -> bool:
        return self.skipped > 0

    def place(self) -> Place:
        line, column = self.getpos()
        return Place(self.shown, line, column + 1)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skipped = bool(classes & _SKIP_CLASSES) or tag in ("nav", "script", "style", "svg", "template")
        if tag not in _VOID:
            self.stack.append((tag, skipped))
            self.skipped += skipped
            self.calls += tag == "sup"
        if tag == "main":
            self.in_main += 1
        if not self.in_main or self.skipping:
            return
        if re.fullmatch(r"h[1-6]", tag):
            self.start(Unit(("heading", int(tag[1])), "a heading", self.place()), tag)
        elif tag == "li":
            self.start(Unit(("list item",), "a list item", self.place()), tag)
        elif tag == "p" and self.open is None and self.table is None:
            self.start(Unit(("paragraph",), "a paragraph", self.place()), tag)
        elif tag == "blockquote":
            self.add(Unit(("quotation",), "a quotation", self.place()))
        elif tag == "figure":
            self.add(Unit(("figure",), "a figure", self.place()))
        elif tag == "table":
            self.table = [Unit(("table",), "a table", self.place()), 0, 0, 0]
            self.add(self.table[0])
        elif tag == "tr" and self.table is not None:
            self.table[2] = 0
            self.table[3] += 1
        elif tag in ("td", "th") and self.table is not None:
            self.table[2] += 1
        elif tag == "sup" and "footnote-ref" in classes:
            self.add(Unit(("footnote",), "a footnote", self.place()))
        elif tag == "a" and "xref" in classes:
            self.add(Unit(("cross-reference",), f"a cross-reference to {attrs.get('href') or ''}", self.place()))

    def start(self, unit: Unit, tag: str) -> None:
        self.finish()
        self.add(unit)
        self.open, self.open_tag, self.text = unit, tag, []

    def add(self, unit: Unit) -> None:
        self.units.append(unit)

    def finish(self) -> None:
        if self.open is not None:
            text = " ".join("".join(self.text).split())
            self.open.numbers = Counter(n for n, _ in numbers_in(text))
            self.open.what = f"{self.open.what} '{_short(text)}'" if text else self.open.what
            self.open = None

    def handle_endtag(self, tag):
        if self.in_main and not self.skipping:
            if tag == self.open_tag and self.open is not None:
                self.finish()
            elif tag == "tr" and self.table is not None and self.table[1] == 0:
                self.table[1] = self.table[2]
            elif tag == "table" and self.table is not None:
                unit, columns, _, rows = self.table
                unit.key = ("table", columns, rows)
                unit.what = f"a table ({columns} columns, {rows} rows)"
                self.table = None
        if tag == "main":
            self.in_main -= 1
        # close up to the matching open tag, looked for among the innermost MAX_UNCLOSED (a stray end
        # tag of a hostile file is dropped, in bounded time)
        for i in range(len(self.stack) - 1, max(-1, len(self.stack) - 1 - MAX_UNCLOSED), -1):
            if self.stack[i][0] == tag:
                closed = self.stack[i:]
                self.skipped -= sum(skipped for _, skipped in closed)
                self.calls -= sum(name == "sup" for name, _ in closed)
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.open is not None and self.in_main and not self.skipping and not self.in_footnote_call():
            self.text.append(data)

    def in_footnote_call(self) -> bool:
        return self.calls > 0


def _html_units(path: Path, shown: str) -> list[Unit]:
    from generator.formats.package import read_html  # noqa: PLC0415

    parser = _HtmlUnits(shown)
    parser.feed(read_html(path))
    parser.close()
    parser.finish()
    return parser.units


# ----------------------------------------------------------------------------- PDF

_PDF_KINDS = {"P": ("paragraph",), "LI": ("list item",), "Figure": ("figure",), "BlockQuote": ("quotation",),
              "Note": ("footnote",)}


def _pdf_units(path: Path, shown: str) -> list[Unit]:
    from generator.checks.pdf import PdfFile  # noqa: PLC0415

    doc = PdfFile(path)
    try:
        units = []
        for elem, where in doc.elements:
            inside = where.split("/")[:-1]
            if any(part.split("[")[0] in ("LI", "Table", "Note", "Figure") for part in inside):
                continue  # a paragraph of an item, a cell, a note: the unit is the item, table or note
            tag = elem.tag
            place = Place(shown, 0, 0, doc.where(elem, where))
            if re.fullmatch(r"H[1-6]", tag):
                units.append(Unit(("heading", int(tag[1])), "a heading", place))
            elif tag in _PDF_KINDS:
                units.append(Unit(_PDF_KINDS[tag], "a " + _PDF_KINDS[tag][0], place))
            elif tag == "Table":
                rows = [kid for part in elem.elems() for kid in (part.elems() if part.tag in ("THead", "TBody", "TFoot")
                                                                 else [part]) if kid.tag == "TR"]
                body = sum(1 for part in elem.elems() if part.tag == "TBody" for kid in part.elems() if kid.tag == "TR")
                columns = sum(1 for cell in rows[0].elems() if cell.tag in ("TH", "TD")) if rows else 0
                units.append(Unit(("table", columns, body or len(rows)), f"a table ({columns} columns)", place))
        return units
    finally:
        doc.close()


# ----------------------------------------------------------------------------- DOCX

def _docx_units(path: Path, shown: str) -> list[Unit]:
    from generator.checks.docx import DocxFile, _text, _w  # noqa: PLC0415

    doc = DocxFile(path)
    units = []
    for kind, index, element in doc.blocks:
        if kind == "tbl":
            rows = element.findall(_w("tr"))
            columns = len(rows[0].findall(_w("tc"))) if rows else 0
            units.append(Unit(("table", columns, max(len(rows) - 1, 0)), f"a table ({columns} columns)",
                              Place(shown, 0, 0, f"table {index}")))
            continue
        place = Place(shown, 0, 0, f"paragraph {index}")
        text = " ".join(_text(element).split())
        level = doc.heading_level(element)
        if element.find(f".//{_w('drawing')}") is not None:
            units.append(Unit(("figure",), "a figure", place))
        elif level is not None:
            units.append(Unit(("heading", level), f"a heading '{_short(text)}'", place))
        elif "caption" in doc.style_name(element).lower() or not text:
            continue
        elif doc.num_pr(element) is not None:
            units.append(Unit(("list item",), f"a list item '{_short(text)}'", place))
        else:
            units.append(Unit(("paragraph",), f"a paragraph '{_short(text)}'", place))
        for _ in element.iter(_w("footnoteReference")):
            units.append(Unit(("footnote",), "a footnote", place))
    return units


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# ----------------------------------------------------------------------------- `reportgen diff` between editions

class NotComparable(Exception):
    """A side that cannot be compared (a report folder whose files cannot be read, a folder with one
    edition given to --editions): a usage problem, not a difference."""


def _report(folder: Path):
    from generator.diagnostics import ContentError, Diagnostics  # noqa: PLC0415
    from generator.stages.load import load  # noqa: PLC0415

    diags = Diagnostics()
    sources = load(folder, diags)
    if diags.errors or sources.report is None or not isinstance(sources.report.data, dict):
        raise ContentError(diags) if diags.errors else NotComparable(f"'{folder}' has no report.yaml to read")
    return sources


def language_of_side(path: Path) -> str:
    """The language of a built file or of a report folder's (primary) edition; "" if it says none."""
    if path.is_dir():
        from generator.stages.load import report_languages  # noqa: PLC0415

        return report_languages(path)[0]  # the primary's (editions: or metadata.language), report.yaml alone
    return language_of(path)


def differ_in_language(old: Path, new: Path) -> bool:
    """True if the two sides declare languages whose primary subtags differ ("en-GB", "cy-GB")."""
    a, b = language_of_side(old), language_of_side(new)
    return bool(a and b) and a.split("-")[0].lower() != b.split("-")[0].lower()


def structure_differences(old: Path, new: Path, show=str) -> list:
    """What differs in structure between two editions: two built files (their structure) or two
    report folders (their chapters' source, as the check compares an edition's chapters)."""
    from generator.stages.parity import compare, compare_chapters  # noqa: PLC0415

    language_a, language_b = language_of_side(old) or str(old), language_of_side(new) or str(new)
    if old.is_dir():
        return compare_chapters(_report(old).chapters, _report(new).chapters,
                                language_a, language_b, show, missing=True)
    return compare(units_of(old, show(old)), units_of(new, show(new)), language_a, language_b, words=False)


def edition_differences(folder: Path, show=str) -> list:
    """What differs between a report folder's editions (report.yaml `editions:`): each edition's
    chapters (`x.cy.md`) against the primary's (`x.md`), as `load` pairs them."""
    from generator.stages.parity import compare_chapters  # noqa: PLC0415

    sources = _report(folder)
    editions = sources.editions
    if len(editions) < 2:
        raise NotComparable(f"'{folder}' has one edition ({editions[0].language}): "
                            "report.yaml's editions: lists the languages, e.g. editions: [en-GB, cy-GB]")
    chapters = sources.edition_chapters()
    out = []
    for edition in editions[1:]:
        out.extend(compare_chapters(chapters[editions[0].language], chapters[edition.language],
                                    editions[0].language, edition.language, show, missing=True))
    return out


def said(difference) -> str:
    """A difference as `reportgen diff` prints it: where it is in the second side, what, and on the
    next line where it is in the first."""
    return (f"{difference.other}: {difference.severity}[{difference.code}]: {difference.message}\n"
            f"{difference.primary}: note: {difference.note}")
