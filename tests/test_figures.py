"""Figures, charts, captions, cross-references, example boxes and the glossary (issue 9), read back
from the three files built from content/figures-example: the HTML (one file, figcaption/caption,
<abbr>), the PDF (Figure with Alt and a Caption, artifacts, "on page N", sizes) and the DOCX
(Caption style with a SEQ field, REF fields to bookmarks, picture sizes, alignment, keep-with-next).
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import zipfile
from html import unescape
from pathlib import Path

import pikepdf
import pytest

from generator.build import build
from generator.model import Chart, CrossRef, Table, walk
from generator.writers.docx.page import TEXT_WIDTH
from tests.conftest import ROOT
from tests.readback import page_text, structure

EXAMPLE = ROOT / "content" / "figures-example"
TEXT_WIDTH_PX = 170 / 25.4 * 96  # A4 less 20 mm margins (styles/print.css), in the CSS px of /BBox
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(example_build):
    return example_build(EXAMPLE.name).outputs


@pytest.fixture(scope="module")
def html(built) -> str:
    return built["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def docx_xml(built) -> str:
    with zipfile.ZipFile(built["docx"]) as package:
        return package.read("word/document.xml").decode("utf-8")


# --------------------------------------------------------------------------- HTML

def test_html_is_one_file_with_every_figure_embedded(html):
    sources = re.findall(r'<img src="([^"]*)"', html)
    assert len(sources) == 6  # two figures, the decorative rule, three charts
    assert all(s.startswith("data:image/") for s in sources), [s[:40] for s in sources]
    png = next(s for s in sources if s.startswith("data:image/png"))
    assert base64.b64decode(png.split(",", 1)[1]) == (EXAMPLE / "images" / "sites.png").read_bytes()
    assert not re.search(r'(src|href)="(?!data:|#|https?:|mailto:)', html)


def test_html_captions_are_numbered_figcaptions_and_captions(html):
    captions = [unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<figcaption>(.*?)</figcaption>", html)]
    assert captions == ["Figure 1: Points for each standard, by its rating",
                        "Figure 2: The PDU’s three office sites (invented)", "Figure 3: The pathway of a case",
                        "Figure 4: Cases in the sample, by type and team (invented figures)",
                        "Figure 5: P 2.1 Assessment: key questions"]
    tables = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<caption>(.*?)</caption>", html)]
    assert "Table 1: Cases inspected, by team" in tables
    assert "Table 2: P 2.1 Assessment: key questions" in tables  # from the framework's label
    assert "Data for Figure 1" in tables and "Data for Figure 4" not in tables  # Figure 4 refers to Table 1
    assert '<figure id="fig-sites">' in html and '<table class="data small" id="table-teams">' in html


def test_html_decorative_image_has_empty_alt_and_no_figure(html):
    assert re.search(r'<div class="figure decorative"><img src="data:image/svg\+xml;base64,[^"]+" alt="">', html)


def test_html_references_say_number_or_title(html):
    refs = dict((t, h) for h, t in re.findall(r'<a href="#([^"]+)" class="xref"[^>]*>([^<]*)</a>', html))
    assert refs["Figure 2"] == "fig-sites"
    assert refs["Table 1"] == "table-teams"
    assert refs["MAPPA cases"] == "mappa-cases"
    assert refs["P 2.1 Assessment"] == "p-2-1-assessment"
    assert refs["Figure 4"] == "figure-caseload"
    for target in refs.values():
        assert f'id="{target}"' in html


def test_html_alignment_box_and_glossary(html):
    row = re.search(r"<tr><td[^>]*>North team</td>(.*?)</tr>", html)[1]
    assert row.count('class="align-right"') == 3
    assert re.search(r'<aside class="callout example" aria-labelledby="([^"]+)">\s*<h3 id="\1" class="callout-title">'
                     r"Good practice: a joint review in the North team</h3>", html)
    assert '<dt>MAPPA</dt><dd>Multi-agency public protection arrangements</dd>' in html
    abbrs = re.findall(r'<abbr title="([^"]+)">(\w+)</abbr>', html)
    assert ("Multi-agency public protection arrangements", "MAPPA") in abbrs
    assert len(abbrs) == len(set(abbrs))  # first use only


# --------------------------------------------------------------------------- PDF

def test_pdf_figures_have_alt_and_a_caption_and_decoration_is_an_artifact(built):
    drawn = page_text(built["pdf"])
    with pikepdf.open(built["pdf"]) as pdf:
        root = structure(pdf)
        figures = [e for e in root.walk() if e.tag == "Figure"]
        alts = [str(f.obj.get("/Alt", "")) for f in figures]
        assert len(figures) == 6, alts  # the cover's crest and five figures; the decorative rule is not among them
        assert all(alts), alts
        assert any(a.startswith("Bar chart: Cases in the sample") and "North team: Community orders 12" in a
                   for a in alts)
        assert alts[0].startswith("Example crest"), alts  # the cover's logo: no caption
        figures = figures[1:]
        for figure in figures:
            siblings = figure.parent.elems()
            after = siblings[siblings.index(figure) + 1:]
            caption = next(e for e in after if e.tag == "Caption")
            assert re.match(r"Figure \d: ", drawn.of(caption).strip()), drawn.of(caption)
        tables = [e for e in root.walk() if e.tag == "Table"]
        table_captions = [drawn.of(c).strip() for t in tables for c in t.elems() if c.tag == "Caption"]
        assert "Table 1: Cases inspected, by team" in table_captions
        widths = {str(f.obj.Alt)[:20]: float(f.obj.A.BBox[2]) - float(f.obj.A.BBox[0]) for f in figures}
    assert all(w <= TEXT_WIDTH_PX + 0.5 for w in widths.values()), widths
    assert widths["Sketch map of three "] == pytest.approx(TEXT_WIDTH_PX, abs=1)  # 800 px: scaled down
    assert widths["Court report, then a"] == pytest.approx(0.7 * TEXT_WIDTH_PX, abs=1)  # {: width=70% }


def test_pdf_references_say_on_which_page(built):
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(str(built["pdf"])).pages]
    caption_page = next(i for i, t in enumerate(pages, 1) if "Figure 2: The PDU’s three office sites" in t)
    table_page = next(i for i, t in enumerate(pages, 1) if "Table 1: Cases inspected, by team" in t)
    text = re.sub(r"\s+", " ", " ".join(pages))
    assert f"(Figure 2 on page {caption_page})" in text
    assert f"Table 1 on page {table_page}" in text


# --------------------------------------------------------------------------- DOCX

def test_docx_captions_are_caption_style_with_seq_fields_under_bookmarks(docx_xml):
    captions = re.findall(r'<w:p><w:pPr><w:pStyle w:val="Caption"/>.*?</w:p>', docx_xml)
    seq = [c for c in captions if "SEQ Figure" in c]
    assert len(seq) == 5
    assert len([c for c in captions if "SEQ Table" in c]) == 5  # the Markdown table, four key-question tables
    for caption in seq + [c for c in captions if "SEQ Table" in c]:
        assert "<w:bookmarkStart" in caption


def test_docx_references_are_ref_fields_to_bookmarks(docx_xml):
    """Without the pagination pass the build cannot know the DOCX's pages: a reference says
    "Figure 2", never "on page ?" (what Word showed of a PAGEREF's cached "?" until fields were
    updated); no PAGEREF field at all."""
    bookmarks = set(re.findall(r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)"', docx_xml))
    refs = re.findall(r"<w:instrText[^>]*> REF (\S+) \\h </w:instrText>", docx_xml)
    assert len(refs) >= 6
    assert set(refs) <= bookmarks
    assert "PAGEREF" not in docx_xml
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", docx_xml))
    assert "(Figure 2)" in text and "Table 1" in text and "on page" not in text
    assert not re.search(r"<w:t(?: [^>]*)?>\s*\?\s*</w:t>", docx_xml)  # no "?" standing for a page


@pytest.fixture(scope="module")
def numbered_docx(tmp_path_factory) -> Path:
    """The example's DOCX built with --docx-page-numbers (LibreOffice lays it out)."""
    built = build(EXAMPLE, tmp_path_factory.mktemp("figures-numbered"), formats=("docx",), docx_page_numbers=True)
    assert not built.diagnostics.items, [str(d) for d in built.diagnostics.items]
    return built.outputs["docx"]


def test_docx_references_cache_the_pages_libreoffice_lays_their_targets_on(numbered_docx, tmp_path):
    """With --docx-page-numbers every PAGEREF's cached result is the page of its target in
    LibreOffice's layout (read back from LibreOffice's PDF of the built DOCX, on a machine without
    Lato); nothing is "?"; and Word is not asked to update fields on opening (every number is known)."""
    from tests.readback import libreoffice_pdf

    with zipfile.ZipFile(numbered_docx) as package:
        xml = package.read("word/document.xml").decode("utf-8")
        notes = package.read("word/footnotes.xml").decode("utf-8")
        settings = package.read("word/settings.xml").decode("utf-8")
    assert "updateFields" not in settings
    cached = {}
    for part in (xml, notes):
        for name, result in re.findall(r"> PAGEREF (\S+) \\h </w:instrText>.*?<w:fldChar w:fldCharType=\"separate\"/>"
                                       r"</w:r>(.*?)<w:fldChar w:fldCharType=\"end\"/>", part):
            cached.setdefault(name, set()).add("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", result)))
    assert len(cached) >= 5 and all(len(v) == 1 for v in cached.values()), cached
    pages = subprocess.run(["pdftotext", str(libreoffice_pdf(numbered_docx, tmp_path)), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    figure_page = next(i for i, t in enumerate(pages, 1) if "Figure 2: The PDU’s three office sites" in t)
    table_page = next(i for i, t in enumerate(pages, 1) if "Table 1: Cases inspected, by team" in t)
    assert cached["_fig_sites"] == {str(figure_page)} and cached["_table_teams"] == {str(table_page)}
    text = " ".join(" ".join(pages).split())
    assert f"(Figure 2 on page {figure_page})" in text
    assert not re.search(r"<w:t(?: [^>]*)?>\s*\?\s*</w:t>", xml + notes)  # no "?" standing for a page


def test_docx_pictures_fit_the_text_width_and_decoration_is_marked(built):
    import docx

    package = docx.Document(str(built["docx"]))
    shapes = package.inline_shapes
    widths = [s.width for s in shapes]
    assert len(widths) == 7  # the cover's crest and six pictures
    assert all(w <= TEXT_WIDTH for w in widths)
    assert round(TEXT_WIDTH * 0.7) in widths  # {: width=70% }
    xml = package.element.xml
    assert xml.count("adec:decorative") == 1 or xml.count(":decorative ") == 1


def test_docx_alignment_and_keep_together(docx_xml):
    north = re.search(r"<w:tr>(?:(?!</w:tr>).)*North team(?:(?!</w:tr>).)*</w:tr>", docx_xml)[0]
    assert north.count('<w:jc w:val="right"/>') == 3
    assert "<w:keepNext/>" in north  # a small table: its rows keep with the next
    rating = re.search(r'<w:p><w:pPr><w:pStyle w:val="Rating"/>(.*?)</w:pPr>', docx_xml)[1]
    assert "<w:keepNext/>" in rating


def test_chart_node_carries_its_data_table(built):
    from generator.build import check

    doc = check(EXAMPLE)
    charts = [n for p in doc.parts for n in walk(p.blocks) if isinstance(n, Chart)]
    ratings, chart = charts[0], next(n for n in charts if "Cases" in n.alt)
    assert isinstance(ratings.data, Table)
    assert [c[0].text for c in ratings.data.header] == ["Standard", "Points"]
    assert chart.numbered.label == "Figure 4" and chart.numbered.id == "figure-caseload"
    # its numbers are Table 1's (report.yaml `table: table-teams`): it refers to the table
    assert [n.target for n in walk((chart.data,)) if isinstance(n, CrossRef)] == ["table-teams"]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_the_accessibility_checks_pass_every_output(built, fmt):
    from generator.checks import check_file

    assert check_file(built[fmt]) == []


def test_the_same_content_builds_the_same_bytes_wherever_the_folder_is(built, tmp_path):
    """Built again from a copy of the report in another folder: the same bytes. (WeasyPrint names
    an image after its URL, so the print HTML embeds each figure instead of naming its path.)"""
    moved = tmp_path / "elsewhere" / "deeper" / EXAMPLE.name
    shutil.copytree(EXAMPLE, moved)
    again = build(moved, tmp_path / "again").outputs
    for fmt in ("pdf", "docx", "html"):
        assert again[fmt].read_bytes() == built[fmt].read_bytes(), fmt


def test_every_figure_shows_in_a_browser_with_no_request_outside_the_page(browser, built):
    browser.open(built["html"], width=390)  # a phone: no figure wider than the screen
    images = browser.eval("[...document.images].map(i => [i.complete && i.naturalWidth > 0, "
                          "i.getBoundingClientRect().width, i.currentSrc.slice(0, 5)])")
    assert len(images) == 7  # the cover's crest and six figures
    assert all(loaded and src == "data:" for loaded, _, src in images), images
    assert max(width for _, width, _ in images) <= 390
    assert browser.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert browser.errors() == []


def test_a_long_table_repeats_its_header_on_each_page(tmp_path):
    import shutil

    report = tmp_path / "figures-example"
    shutil.copytree(EXAMPLE, report)
    rows = "".join(f"| Person {n} | {n} |\n" for n in range(1, 81))
    chapter = report / "chapters" / "figures.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nTable: Eighty rows\n\n| Name | Number |\n"
                       "|:--|--:|\n" + rows, encoding="utf-8")
    pdf = build(report, tmp_path / "out", formats=("pdf", "docx")).outputs
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(str(pdf["pdf"])).pages]
    holding = [t for t in pages if "Person " in t]
    assert len(holding) >= 2
    assert all("Name" in t and "Number" in t for t in holding)
    import docx

    table = next(t for t in docx.Document(str(pdf["docx"])).tables if t.cell(1, 0).text == "Person 1")
    assert table._tbl.tr_lst[0].trPr.xml.count("tblHeader") == 1  # noqa: SLF001 - Word repeats this row
    assert "keepNext" not in table._tbl.xml  # noqa: SLF001 - a long table may break between rows


def test_pdf_abbreviation_at_first_use_carries_its_expansion(built):
    with pikepdf.open(built["pdf"]) as pdf:
        expansions = [(e.tag, str(e.obj.E)) for e in structure(pdf).walk() if "/E" in e.obj]
    assert ("Span", "Multi-agency public protection arrangements") in expansions
    assert len(expansions) == len(set(expansions)) == 3  # each abbreviation once: its first use


def test_a_reference_inside_a_footnote_is_resolved_in_every_format(built, html):
    from generator.text import file_text

    assert re.search(r'The team figures are in <a href="#table-teams" class="xref"[^>]*>Table 1</a>', html)
    assert "The team figures are in Table 1 on page " in file_text(built["pdf"])
    # no page the build cannot know (no --docx-page-numbers): no "on page ?"
    assert "The team figures are in Table 1; all of them" in file_text(built["docx"])


# --------------------------------------------------------------------------- the figure gate (issue 20)
# Each hostile figure is refused by `check`, at the chapter line that places it (and, where the SVG has
# one, its own line), before any renderer has read it; each accepted edge case builds in every format.

from generator.formats import figures as gate  # noqa: E402

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def _svg(body: str, size: str = 'width="100" height="100"') -> bytes:
    return f'<svg {NS} {size}>{body}</svg>'.encode()


def _use_bomb() -> bytes:
    """Ten levels of ten <use> each: 10^9 rectangles drawn from 2 KB (WeasyPrint ran past 180 s)."""
    levels = ['<rect id="a0" width="1" height="1"/>']
    levels += [f'<g id="a{i}">' + f'<use xlink:href="#a{i - 1}"/>' * 10 + "</g>" for i in range(1, 10)]
    return _svg("<defs>" + "".join(levels) + '</defs><use xlink:href="#a9"/>')


def _png_data(width: int = 4, height: int = 4) -> str:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (255, 0, 0)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


MARKER = ('<defs><marker id="m"><use xlink:href="#r"/><use xlink:href="#r"/></marker>'
          '<rect id="r" width="1" height="1"/></defs>')
HOSTILE_SVG = {  # name: (bytes, code, the line of the SVG the message names, or None)
    "use-bomb": (_use_bomb, "svg-too-complex", None),
    "declared-huge": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="9000" height="9000">'
                      b'<rect width="9" height="9"/></svg>', "image-too-large", 1),
    "declared-3000": (lambda: _svg("", size='width="3000" height="3000"'), "image-too-large", 1),  # 81 MP in Word
    "nested-50000": (lambda: _svg("<g>" * 50_000 + "</g>" * 50_000), "svg-too-complex", None),
    "nested-150": (lambda: _svg("<g>" * 150 + "<rect width='1' height='1'/>" + "</g>" * 150), "svg-too-complex", 1),
    "elements-20001": (lambda: _svg("<rect width='1' height='1'/>" * 20_001), "svg-too-complex", None),
    "use-cycle": (lambda: _svg('<g id="a"><use xlink:href="#b"/></g><g id="b"><use xlink:href="#a"/></g>'),
                  "svg-too-complex", 1),
    "use-self": (lambda: _svg('<g id="a"><rect width="1" height="1"/><use href="#a"/></g>'), "svg-too-complex", 1),
    "marker-mid-bomb": (lambda: _svg(MARKER + "<style>path { marker-mid: url(#m) }</style>\n<path d='M0 0 "
                                     + "L1 1 " * 12_000 + "'/>"), "svg-too-complex", None),
    "pattern-huge": (lambda: _svg('<defs><pattern id="p" width="30000" height="30000" patternUnits="userSpaceOnUse">'
                                  '<rect width="5" height="5"/></pattern></defs>\n<rect width="9" height="9" '
                                  'fill="url(#p)"/>'), "image-too-large", 1),
    "over-2-mib": (lambda: _svg("<!--" + "x" * (gate.SVG_MAX_BYTES) + "-->"), "image-too-large", None),
    "no-size": (lambda: _svg("<rect width='1' height='1'/>", size=""), "image-invalid", 1),
    "viewbox-zero": (lambda: _svg("", size='width="10" height="10" viewBox="0 0 0 0"'), "image-invalid", 1),
    # found by make fuzz: a nested <svg> whose viewBox is no box passed the gate, then CairoSVG failed in the DOCX
    "nested-viewbox-bad": (lambda: _svg("<svg viewBox='-5'></svg>"), "image-invalid", 1),
    "nested-width-huge": (lambda: _svg("<svg width='1e400'></svg>"), "image-invalid", 1),
    "nested-viewbox-huge": (lambda: _svg("<svg viewBox='0 0 1e400 1'></svg>"), "image-invalid", 1),
    "size-nan": (lambda: _svg("", size='width="nan" height="10" viewBox="0 0 1e400 1"'), "image-too-large", 1),
    "embedded-data-svg": (lambda: _svg('\n<image width="9" height="9" href="data:image/svg+xml;base64,'
                                       + base64.b64encode(_use_bomb()).decode() + '"/>'), "image-format", 2),
    "embedded-png-bomb": (lambda: _svg('\n\n<image width="9" height="9" xlink:href="data:image/png;base64,'
                                       + base64.b64encode(_png_header(20_000, 20_000)).decode() + '"/>'),
                          "image-too-large", 3),
    "use-data": (lambda: _svg('<use href="data:image/svg+xml;base64,' + base64.b64encode(_use_bomb()).decode()
                              + '#a9"/>'), "url-refused", 1),
    "use-nothing": (lambda: _svg('<g id="a"><use/></g>'), "image-invalid", 1),  # CairoSVG drew the file in itself
    "image-nothing": (lambda: _svg('\n<image width="9" height="9"/>'), "image-invalid", 2),  # it fetched the folder
    "href-http": (lambda: _svg('\n<image width="9" height="9" href="http://127.0.0.1:9/x.png"/>'), "url-refused", 2),
    "href-file": (lambda: _svg('<image width="9" height="9" xlink:href="file:///etc/passwd"/>'), "url-refused", 1),
    "href-sibling": (lambda: _svg('<image width="9" height="9" xlink:href="other.png"/>'), "url-refused", 1),
    "href-outside": (lambda: _svg('<use href="../../secret.svg#x"/>'), "url-refused", 1),
    "css-escaped-url": (lambda: _svg('<rect width="9" height="9" style="fill: u\\72l(http://127.0.0.1:9/x#g)"/>'),
                        "url-refused", 1),
    "css-escaped-local": (lambda: _svg('<defs><linearGradient id="g"/></defs><rect width="9" height="9" '
                                       'style="fill: url(\\23 g)"/>'), "url-refused", 1),
    "css-bad-selector": (lambda: _svg('<g/>\n<style>}}}{{{</style>'), "image-invalid", 2),  # CairoSVG stopped at it
    "css-import": (lambda: _svg('\n<style>@\\69mport "http://127.0.0.1:9/x.css";</style>'), "url-refused", 2),
    "css-font-face": (lambda: _svg('<style>@font-face { src: url(#f) }</style>'), "url-refused", 1),
    "attribute-url": (lambda: _svg('<rect width="9" height="9" fill="url(file:///etc/passwd#x)"/>'), "url-refused", 1),
    "xml-stylesheet": (lambda: b'<?xml-stylesheet href="http://127.0.0.1:9/x.css"?>' + _svg(""), "url-refused", None),
    "xinclude": (lambda: _svg('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" '
                              'parse="text"/>'), "url-refused", 1),
    "xxe": (lambda: b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + _svg("<text>&x;</text>"), "image-invalid", None),
    "doctype": (lambda: b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
                b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">' + _svg(""), "image-invalid", None),
    "script": (lambda: _svg("\n<script>alert(1)</script>"), "image-invalid", 2),
    "handler": (lambda: _svg('<rect width="9" height="9" onclick="alert(1)"/>'), "image-invalid", 1),
}


@pytest.mark.parametrize("name", HOSTILE_SVG)
def test_check_refuses_a_hostile_svg_at_its_line_before_any_renderer(name, tmp_path, reportgen, monkeypatch):
    from tests.conftest import copy_report

    def no_renderer(*args, **kwargs):
        raise AssertionError("a renderer was given a hostile SVG")

    import cairosvg.surface

    monkeypatch.setattr(cairosvg.surface.PNGSurface, "convert", no_renderer)
    make, code, svg_line = HOSTILE_SVG[name]
    report = copy_report(tmp_path)
    (report / "images").mkdir()
    (report / "images" / f"{name}.svg").write_bytes(make())
    chapter = report / "chapters" / "foreword.md"
    text = chapter.read_text(encoding="utf-8") + f"\n\n![A figure](images/{name}.svg)\n"
    chapter.write_text(text, encoding="utf-8")
    result = reportgen("check", report)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, lines
    where = f" (line {svg_line} of the SVG)" if svg_line else ""
    assert f"foreword.md:{text.count(chr(10))}: error[{code}]: image 'images/{name}.svg'{where} " in lines[0], lines


@pytest.mark.parametrize("fmt", ["docx", "html", "pdf"])
def test_a_hostile_svg_written_after_check_is_refused_by_every_writer(fmt, tmp_path, monkeypatch):
    """Each writer passes the bytes it embeds or hands CairoSVG through the gate again (the HTML
    writer's are the PDF's too): a figure the check did not see (changed after it) is a located
    error, never a crash or a 2.9 GB picture, and nothing is written."""
    from generator.diagnostics import ContentError
    from generator.stages.parse import blocks
    from tests.conftest import copy_report

    report = copy_report(tmp_path)
    (report / "images").mkdir()
    (report / "images" / "late.svg").write_bytes(HOSTILE_SVG["declared-huge"][0]())
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\n![A figure](images/late.svg)\n", encoding="utf-8")
    monkeypatch.setattr(blocks, "check_image", lambda path, src: [])  # as if the file changed after the check
    with pytest.raises(ContentError) as failed:
        build(report, tmp_path / "out", formats=(fmt,))
    found = [(d.code, Path(d.path).name, d.line) for d in failed.value.diagnostics.errors]
    assert found == [("image-too-large", "foreword.md", chapter.read_text(encoding="utf-8").count("\n"))], found
    assert not (tmp_path / "out" / f"surrey-pdu.{fmt}").exists()


def test_an_svg_with_an_embedded_picture_is_drawn_in_every_format(tmp_path):
    """A data: PNG inside an SVG (it crashed the DOCX writer): CairoSVG is served the bytes the gate
    checked, so Word's picture shows the red square; the HTML page and the PDF embed the SVG."""
    from PIL import Image as PILImage

    from tests.conftest import copy_report

    report = copy_report(tmp_path)
    (report / "images").mkdir()
    svg = _svg(f'<image x="0" y="0" width="100" height="100" preserveAspectRatio="none" href="{_png_data()}"/>')
    (report / "images" / "embedded.svg").write_bytes(svg)
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\n![A red square](images/embedded.svg)\n",
                       encoding="utf-8")
    outputs = build(report, tmp_path / "out", formats=("docx", "html", "pdf")).outputs
    with zipfile.ZipFile(outputs["docx"]) as package:
        pictures = [n for n in package.namelist() if n.startswith("word/media/")]
        drawn = [PILImage.open(io.BytesIO(package.read(n))).convert("RGB") for n in pictures]
    square = next(im for im in drawn if im.size == (300, 300))  # 100 CSS px at 3 pixels a pixel
    assert square.getpixel((150, 150)) == (255, 0, 0)
    html = outputs["html"].read_text(encoding="utf-8")
    assert base64.b64encode(svg).decode() in html
    with pikepdf.open(outputs["pdf"]) as pdf:
        alts = [str(e.obj.get("/Alt", "")) for e in structure(pdf).walk() if e.tag == "Figure"]
    assert "A red square" in alts


def test_an_svg_within_every_bound_is_accepted(tmp_path):
    """The bounds leave room for real drawings: 19,000 elements, 90 levels, 1,500 <use> of 11 elements
    (18,001 drawn), a marker on 1,000 vertices, a size of 2,000 x 2,000 CSS px."""
    uses = "<defs><g id='ten'>" + "<rect width='1' height='1'/>" * 10 + "</g></defs>" + "<use href='#ten'/>" * 1_500
    cases = {
        "elements": _svg("<rect width='1' height='1'/>" * 19_000),
        "nesting": _svg("<g>" * 89 + "<rect width='1' height='1'/>" + "</g>" * 89),
        "uses": _svg(uses),
        "marker": _svg(MARKER + "<path marker-mid='url(#m)' d='M0 0 " + "L1 1 " * 1_000 + "'/>"),
        "size": _svg("<rect width='1' height='1'/>", size='width="2000" height="2000"'),
    }
    for name, data in cases.items():
        assert gate.check_svg(data, name) == [], name


def test_pillow_reads_only_the_header_of_a_picture_too_large(tmp_path, monkeypatch):
    """The size comes from the header (Image.open is lazy): a 20000 x 20000 PNG is refused before any
    pixel is decoded."""
    from PIL import Image as PILImage

    from generator.stages.parse.images import check_image

    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(20_000, 20_000))

    def no_decoding(self, *args):
        raise AssertionError("decoded")

    monkeypatch.setattr(PILImage.Image, "load", no_decoding)
    monkeypatch.setattr(PILImage.Image, "verify", no_decoding)
    assert [code for code, _ in check_image(path, "bomb.png")] == ["image-too-large"]


def test_an_unreadable_image_is_a_located_error(tmp_path, reportgen, monkeypatch):
    """A figure the build may not read (mode 000 for another user; as root, the read itself is made to
    fail) is `file-unreadable` at the line that places it, not a crash."""
    import os

    from tests.conftest import copy_report

    report = copy_report(tmp_path)
    (report / "images").mkdir()
    locked = report / "images" / "locked.png"
    locked.write_bytes(_png_header(10, 10))
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads a mode-000 file: refuse the open as the kernel would for anyone else
        real_open = os.open

        def refusing(path, flags, *args, **kwargs):
            if str(path).endswith("locked.png"):
                raise PermissionError(13, "Permission denied")
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing)
    chapter = report / "chapters" / "foreword.md"
    text = chapter.read_text(encoding="utf-8") + "\n\n![A locked figure](images/locked.png)\n"
    chapter.write_text(text, encoding="utf-8")
    result = reportgen("check", report)
    assert result.returncode == 1, result.stderr
    assert f"foreword.md:{text.count(chr(10))}: error[file-unreadable]: image " in result.stderr
    assert "Permission denied" in result.stderr


# --------------------------------------------------------------------------- the chart house style (issue 22)

def _drawings(html: str) -> dict[str, list]:
    """Each chart's drawings, read back from the page: {its caption's label ("Figure 5"): [the
    narrow drawing, the wide one]}."""
    from generator.resources import FONTS_DIR
    from tests.readback import svg_chart

    charts = {}
    for figure in re.findall(r'<figure class="chart".*?</figure>', html, re.S):
        label = re.search(r'<span class="caption-label">([^<:]+):', figure)[1]
        svgs = [base64.b64decode(d).decode("utf-8")
                for d in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", figure)]
        charts[label] = [svg_chart(svg, FONTS_DIR / "Lato-Regular.ttf") for svg in svgs]
    return charts


def _words(texts) -> list[str]:
    import unicodedata

    return [unicodedata.normalize("NFKC", t.text) for t in texts]


def test_a_chart_whose_colours_mean_something_has_a_key(html):
    """Colour by rating (Figure 1), by band (Figure 5) or by series (Figure 4): a key in every drawing,
    in the framework's words; a band's key says its range."""
    charts = _drawings(html)
    assert set(charts) == {"Figure 1", "Figure 4", "Figure 5"}
    expected = {"Figure 1": ["Outstanding", "Good", "Requires improvement", "Inadequate"],
                "Figure 4": ["Community orders", "Licences"],
                "Figure 5": ["Outstanding: 80% or more", "Good: 65% to 79%", "Requires improvement: 50% to 64%",
                             "Inadequate: 0% to 49%"]}
    for label, drawings in charts.items():
        assert len(drawings) == 2, label  # narrow and wide
        for drawing in drawings:
            assert _words(t for t in drawing.texts if t.group == "legend") == expected[label], label


def test_chart_ticks_come_from_the_scale_and_the_axis_stops_at_its_top(html):
    """Whole points on a whole-point scale (no 0.5), percentages to 100 and no further, a count to its
    largest value; the value axis ends at its last tick."""
    expected = {"Figure 1": ["0", "1", "2", "3"], "Figure 4": ["0", "3", "6", "9", "12"],
                "Figure 5": ["0", "20", "40", "60", "80", "100"]}
    for label, drawings in _drawings(html).items():
        for drawing in drawings:
            ticks = _words(t for t in drawing.texts if t.group == "xtick")
            assert ticks == expected[label], label
            assert all(float(t).is_integer() for t in ticks)
            assert drawing.tick_xs[-1] == pytest.approx(drawing.axes_right, abs=0.01), label  # nothing past it


def test_no_grid_line_crosses_a_label(html):
    """Values are written right of the axis's end, and grid lines run only behind the bars: no grid
    line crosses any text (a text's box: from its baseline origin, at most 0.6 em a character)."""
    for label, drawings in _drawings(html).items():
        for drawing in drawings:
            assert drawing.grid, label
            values = [t for t in drawing.texts if t.group == "" and re.fullmatch(r"[\d.]+%?(\s.*)?", t.text)]
            assert values and all(t.x > drawing.axes_right for t in values), label
            for t in drawing.texts:
                left, right = t.x, t.x + 0.6 * t.size * len(t.text)
                top, bottom = t.y - 0.8 * t.size, t.y + 0.22 * t.size
                crossing = [g for g in drawing.grid if left < g[0] < right and g[1] < bottom and g[2] > top]
                assert not crossing, (label, t.text, crossing)


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_chart_text_is_at_least_12_px_on_a_phone_and_a_desktop(browser, built, width):
    """Each chart's smallest text, as the browser draws the drawing it chose at this width (its
    font size in the SVG, times the drawn width over the viewBox's): 12 CSS px or more."""
    from generator.resources import FONTS_DIR
    from tests.readback import svg_chart

    browser.open(built["html"], width=width)
    drawn = browser.eval("[...document.querySelectorAll('figure.chart img')].map(i => "
                         "[i.currentSrc, i.getBoundingClientRect().width])")
    assert len(drawn) == 3
    for src, shown in drawn:
        chart = svg_chart(base64.b64decode(src.split(",", 1)[1]).decode("utf-8"), FONTS_DIR / "Lato-Regular.ttf")
        smallest = min(t.size for t in chart.texts) * shown / chart.width
        assert smallest >= 12 - 0.01, (width, shown, smallest)


def test_a_chart_refers_to_the_numbered_table_that_holds_its_numbers(built):
    """Figure 4 (Table 1's numbers, report.yaml `table:`) and Figure 5 (its standard's key-question
    table) say where their numbers are instead of repeating them; Figure 1, whose numbers no
    numbered table holds, keeps its data table. In every format."""
    from generator.text import file_text

    for fmt in ("pdf", "docx", "html"):
        text = re.sub(r"\s+", " ", file_text(built[fmt]))
        assert "Data for Figure 4" not in text and "Data for Figure 5" not in text, fmt
        assert "The numbers in this chart are in Table 1" in text, fmt
        assert "The numbers in this chart are in Table 2" in text, fmt
        assert "Data for Figure 1" in text, fmt
