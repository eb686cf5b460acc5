"""Reading built files back, for tests, without the program's own readers.

PDF: `structure(pdf)`, the structure tree (pikepdf), each element with its parent, its kids in
order and the marked content it reaches; `page_text(path)`, the text drawn in each marked-content
sequence and in each artifact, by page (pypdf's text extraction, following the BDC/EMC stack).
Together they say what a tag holds: the text of a Reference, of a Note, of a Header artifact.

HTML: `html_ids(path)`, every id, in-page link, footnote call and note of a page.

DOCX: `libreoffice_pdf(docx, folder)`, the DOCX laid out by LibreOffice (headless, a private
profile) on a machine without the theme's fonts (`no_lato_fontconfig`: fontconfig knows only
DejaVu); `pdf_lines(pdf)`, each page's lines of text, as pdftotext lays them out.
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
