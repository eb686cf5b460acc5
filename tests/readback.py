"""Reading built files back, for tests, without the program's own readers.

PDF: `structure(pdf)`, the structure tree (pikepdf), each element with its parent, its kids in
order and the marked content it reaches; `page_text(path)`, the text drawn in each marked-content
sequence and in each artifact, by page (pypdf's text extraction, following the BDC/EMC stack).
Together they say what a tag holds: the text of a Reference, of a Note, of a Header artifact.

HTML: `html_ids(path)`, every id, in-page link, footnote call and note of a page.

DOCX: `libreoffice_pdf(docx, folder)`, the DOCX laid out by LibreOffice (headless, a private
profile) on a machine without the theme's fonts (`no_lato_fontconfig`: fontconfig knows only
DejaVu); `pdf_lines(pdf)`, each page's lines of text, as pdftotext lays them out.

SVG charts: `svg_chart(svg, font)`, a matplotlib chart's texts read back from their glyph outlines
(the font's character map and ligatures), with their size and group (tick, legend), the plot
area's right end, the tick marks and the grid lines.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pikepdf


@dataclass(eq=False)
class Elem:
    tag: str
    obj: object
    parent: "Elem | None"
    kids: list = field(default_factory=list)  # Elem, (page index, MCID), or an annotation dictionary

    def elems(self) -> list["Elem"]:
        return [k for k in self.kids if isinstance(k, Elem)]

    def walk(self):
        """This element and all below it, in reading order."""
        yield self
        for kid in self.elems():
            yield from kid.walk()

    def mcids(self) -> list[tuple[int, int]]:
        """(page index, MCID) of every marked-content sequence under this element, in order."""
        out = []
        for kid in self.kids:
            if isinstance(kid, Elem):
                out += kid.mcids()
            elif isinstance(kid, tuple):
                out.append(kid)
        return out

    def previous(self) -> "Elem | None":
        """The element just before this one among its parent's kids."""
        siblings = self.parent.elems() if self.parent is not None else []
        at = siblings.index(self)
        return siblings[at - 1] if at > 0 else None


def structure(pdf: pikepdf.Pdf) -> Elem:
    """The structure tree, under a pseudo-element tagged "StructTreeRoot"."""
    index = {page.objgen: i for i, page in enumerate(pdf.pages)}

    def load(obj, parent, page):
        page = obj.get("/Pg", page)
        elem = Elem(str(obj.get("/S", "/StructTreeRoot"))[1:], obj, parent)
        kids = obj.get("/K")
        for kid in (list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]):
            if isinstance(kid, int):
                elem.kids.append((index[page.objgen], int(kid)))
            elif kid.get("/Type") == "/MCR":
                elem.kids.append((index[kid.get("/Pg", page).objgen], int(kid.MCID)))
            elif kid.get("/Type") == "/OBJR":
                elem.kids.append(kid.Obj)
            else:
                elem.kids.append(load(kid, elem, page))
        return elem

    return load(pdf.Root.StructTreeRoot, None, None)


@dataclass
class PageText:
    marked: dict  # (page index, MCID) -> text
    artifacts: list  # (page index, Subtype name or None, text), in drawing order
    heights: dict  # (page index, MCID) -> (lowest, highest) baseline, in points from the page's foot

    def of(self, elem: Elem) -> str:
        """The text an element holds, as drawn."""
        return "".join(self.marked.get(key, "") for key in elem.mcids())

    def artifact_text(self, page: int, subtype: str) -> str:
        return " ".join(t.strip() for p, s, t in self.artifacts if p == page and s == subtype and t.strip())


def page_text(path: Path) -> PageText:
    from pypdf import PdfReader

    marked: dict = {}
    artifacts: list = []
    heights: dict = {}
    for number, page in enumerate(PdfReader(str(path)).pages):
        stack: list[tuple[str, object]] = []

        def before(op, args, cm, tm, stack=stack):
            if op == b"BDC":
                props = args[1] if len(args) > 1 and hasattr(args[1], "get") else {}
                stack.append((str(args[0]), props))
            elif op == b"BMC":
                stack.append((str(args[0]), {}))
            elif op == b"EMC" and stack:
                stack.pop()

        def text(value, cm, tm, font, size, stack=stack, number=number):
            if not value or not stack:
                return
            artifact = next((props for tag, props in stack if tag == "/Artifact"), None)
            if artifact is not None:
                subtype = artifact.get("/Subtype")
                artifacts.append((number, str(subtype)[1:] if subtype else None, value))
                return
            mcid = next((props["/MCID"] for _, props in reversed(stack) if "/MCID" in props), None)
            if mcid is not None:
                key = (number, int(mcid))
                marked[key] = marked.get(key, "") + value
                if value.strip():
                    y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                    low, high = heights.get(key, (y, y))
                    heights[key] = (min(low, y), max(high, y))

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return PageText(marked, artifacts, heights)


# --------------------------------------------------------------------------- HTML


class Ids(HTMLParser):
    """Every id, every in-page href, and each footnote call and note, in document order."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.calls: list[tuple[str, str]] = []  # (href, id) of each call's link
        self.notes: list[tuple[str, str]] = []  # (id, value) of each note
        self._in_call = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if (attrs.get("href") or "").startswith("#"):
            self.hrefs.append(attrs["href"][1:])
        if tag == "sup" and attrs.get("class") == "footnote-ref":
            self._in_call = True
        elif tag == "a" and self._in_call:
            self.calls.append((attrs["href"][1:], attrs["id"]))
            self._in_call = False
        elif tag == "li" and "value" in attrs and (attrs.get("id") or "").startswith("fn"):
            self.notes.append((attrs["id"], attrs["value"]))


def html_ids(path) -> Ids:
    parser = Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# --------------------------------------------------------------------------- DOCX, laid out by LibreOffice

def no_lato_fontconfig(folder: Path) -> dict:
    """An environment in which fontconfig knows only DejaVu: a machine without the theme's fonts."""
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    "<dir>/usr/share/fonts/truetype/dejavu</dir>"
                    f"<cachedir>{folder}/fc-cache</cachedir></fontconfig>")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, env=env).stdout
    assert "Lato" not in families
    return env


LIBREOFFICE_TAGGED = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'


def libreoffice_pdf(docx: Path, folder: Path, tagged: bool = False) -> Path:
    """`docx` converted to PDF by LibreOffice under `no_lato_fontconfig`, into `folder`; `tagged`:
    a tagged PDF (LibreOffice's structure tree, as "Export as PDF" with "Tagged PDF" makes it)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: run `make system-deps` (scripts/system-deps.sh installs it)"
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                             "--convert-to", LIBREOFFICE_TAGGED if tagged else "pdf", "--outdir", str(folder),
                             str(docx)],
                            capture_output=True, text=True, timeout=180, env=no_lato_fontconfig(folder))
    pdf = folder / f"{docx.stem}.pdf"
    assert pdf.exists(), result.stderr
    return pdf


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_lines(pdf: Path) -> list[list[str]]:
    """Each page's non-blank lines, stripped, as `pdftotext -layout` lays them out."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")[:-1]]


# --------------------------------------------------------------------------- SVG charts

@dataclass
class SvgText:
    """One text of a chart, read from its glyph outlines: what it says (spaces are not drawn, so
    none), its font size and baseline origin in the SVG's user units, the group it is in
    ("xtick", "ytick", "legend", or "" for the plot's own texts: value labels, narrow labels)."""

    text: str
    size: float
    x: float
    y: float
    group: str


@dataclass
class SvgChart:
    width: float  # the viewBox's
    texts: list[SvgText]
    axes_right: float  # where the plot area (and so its value axis) ends
    tick_xs: list[float]  # the x of each value-axis tick mark
    grid: list[tuple[float, float, float]]  # each grid line: x, top y, bottom y


def svg_chart(svg: str, font_file: Path) -> SvgChart:
    """A matplotlib chart read back from its SVG: its glyph outlines turned back into characters with
    the font's own character map (matplotlib names each glyph `<font>-<glyph index in hex>`)."""
    import re

    from fontTools.ttLib import TTFont
    from lxml import etree

    font = TTFont(font_file)
    names: dict[str, str] = {}
    for code, name in sorted(font.getBestCmap().items(), reverse=True):  # the lowest code wins: " ", not U+00A0
        names[name] = chr(code)
    if "GSUB" in font:  # a ligature ("ti", "ffi") drawn as one glyph: its components' characters
        for lookup in font["GSUB"].table.LookupList.Lookup:
            for table in lookup.SubTable:
                table = getattr(table, "ExtSubTable", table)
                for first, ligatures in (getattr(table, "ligatures", None) or {}).items():
                    for lig in ligatures:
                        names.setdefault(lig.LigGlyph, "".join(names.get(g, "?") for g in [first, *lig.Component]))
    chars = {font.getGlyphID(name): text for name, text in names.items()}
    ns = {"s": "http://www.w3.org/2000/svg", "x": "http://www.w3.org/1999/xlink"}
    root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    width = float(root.get("viewBox").split()[2])
    texts = []
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        match = re.match(r"translate\(([-\d.e]+) ([-\d.e]+)\) scale\(([-\d.e]+) -", g.get("transform") or "")
        if not match:
            continue
        glyphs = [u.get("{http://www.w3.org/1999/xlink}href") for u in g.iterfind(".//s:use", namespaces=ns)]
        text = "".join(chars.get(int(h.rsplit("-", 1)[1], 16), "?") for h in glyphs if h)
        group = next((a.get("id").split("_")[0] for a in g.iterancestors()
                      if (a.get("id") or "").startswith(("xtick_", "ytick_", "legend_"))), "")
        texts.append(SvgText(text, float(match[3]) * 100, float(match[1]), float(match[2]), group))
    axes = root.find(".//s:g[@id='axes_1']", ns)
    patch = axes.find("s:g[@id='patch_2']/s:path", ns)
    numbers = [float(n) for n in re.findall(r"[-\d.]+", patch.get("d"))]
    ticks = [float(next(g.iterfind(".//s:use", ns)).get("x")) for g in axes.iterfind(".//s:g", ns)
             if (g.get("id") or "").startswith("xtick_")]
    grid = []
    for g in axes.iterfind(".//s:g", ns):
        if (g.get("id") or "").startswith("LineCollection_"):
            for path in g.iterfind("s:path", ns):
                x0, y0, x1, y1 = (float(n) for n in re.findall(r"[-\d.]+", path.get("d"))[:4])
                grid.append((x0, min(y0, y1), max(y0, y1)))
    return SvgChart(width, texts, max(numbers[0::2]), ticks, grid)


def pdf_tagged_table(path: Path, first_header: str) -> tuple[str | None, list[list[str]], list[list[tuple[str, str]]]]:
    """The one tagged Table of a PDF whose first header cell says `first_header`, read from the
    structure tree: (the text of the paragraph just before it, None if what comes before is no P;
    its rows of cell text; each cell's (group/tag, /Scope)), whitespace squeezed."""
    def said(text: str) -> str:
        return " ".join(text.split())

    pdf = pikepdf.open(path)  # held while its objects are read
    root, drawn = structure(pdf), page_text(path)
    tables = [e for e in root.walk() if e.tag == "Table"
              and any(c.tag == "TH" and said(drawn.of(c)) == first_header for c in e.walk())]
    assert len(tables) == 1, f"one tagged Table headed {first_header!r}"
    table = tables[0]
    before = table.previous()
    rows, tags = [], []
    for group in table.elems():
        for tr in (group.elems() if group.tag in ("THead", "TBody") else []):
            assert tr.tag == "TR", tr.tag
            cells = [c for c in tr.elems() if c.tag in ("TH", "TD")]
            rows.append([said(drawn.of(c)) for c in cells])
            scopes = []
            for cell in cells:
                attrs = cell.obj.get("/A")
                scope = attrs.get("/Scope") if isinstance(attrs, pikepdf.Dictionary) else None
                scopes.append((f"{group.tag}/{cell.tag}", str(scope) if scope is not None else ""))
            tags.append(scopes)
    return (said(drawn.of(before)) if before is not None and before.tag == "P" else None), rows, tags
