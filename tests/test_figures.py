"""Figures, charts, captions, cross-references, example boxes and the glossary (issue 9), read back
from the three files built from content/figures-example: the HTML (one file, figcaption/caption,
<abbr>), the PDF (Figure with Alt and a Caption, artifacts, "on page N", sizes) and the DOCX
(Caption style with a SEQ field, REF fields to bookmarks, picture sizes, alignment, keep-with-next).
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import zipfile
from html import unescape

import pikepdf
import pytest

from generator.build import build
from generator.model import Chart, Table, walk
from generator.writers.docx.page import TEXT_WIDTH
from tests.conftest import ROOT
from tests.readback import page_text, structure

EXAMPLE = ROOT / "content" / "figures-example"
TEXT_WIDTH_PX = 170 / 25.4 * 96  # A4 less 20 mm margins (styles/print.css), in the CSS px of /BBox
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(EXAMPLE, tmp_path_factory.mktemp("figures") / "out").outputs


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
    assert "Data for Figure 4" in tables
    assert '<figure id="fig-sites">' in html and '<table class="data small" id="table-teams">' in html


def test_html_decorative_image_has_empty_alt_and_no_figure(html):
    assert re.search(r'<div class="figure decorative"><img src="data:image/svg\+xml;base64,[^"]+" alt="">', html)


def test_html_references_say_number_or_title(html):
    refs = dict((t, h) for h, t in re.findall(r'<a href="#([^"]+)" class="xref"[^>]*>([^<]*)</a>', html))
    assert refs["Figure 2"] == "fig-sites"
    assert refs["Table 1"] == "table-teams"
    assert refs["MAPPA cases"] == "mappa-cases"
    assert refs["P 2.1. Assessment"] == "p-2-1-assessment"
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
        assert len(figures) == 5, alts  # the decorative rule is not among them
        assert all(alts), alts
        assert any(a.startswith("Bar chart: Cases in the sample") and "North team: Community orders 12" in a
                   for a in alts)
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
    assert widths["Three office sites j"] == pytest.approx(TEXT_WIDTH_PX, abs=1)  # 800 px: scaled down
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
    bookmarks = set(re.findall(r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)"', docx_xml))
    refs = re.findall(r"<w:instrText[^>]*> REF (\S+) \\h </w:instrText>", docx_xml)
    pagerefs = re.findall(r"<w:instrText[^>]*> PAGEREF (\S+) \\h </w:instrText>", docx_xml)
    assert len(refs) >= 6
    assert set(refs) <= bookmarks and pagerefs == refs
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", docx_xml))
    assert "(Figure 2 on page ?)" in text and "Table 1" in text  # the page: Word fills it in


def test_docx_references_get_their_page_when_laid_out(built, tmp_path):
    """PAGEREF fields to the same bookmarks; LibreOffice, laying the DOCX out, fills in the page of
    each target (Word does the same when it updates fields on opening)."""
    import shutil

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: run `make system-deps`"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(built["docx"])], capture_output=True, timeout=180)
    pages = subprocess.run(["pdftotext", str(tmp_path / "figures-example.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    figure_page = next(i for i, t in enumerate(pages, 1) if "Figure 2: The PDU’s three office sites" in t)
    text = " ".join(" ".join(pages).split())
    assert f"(Figure 2 on page {figure_page})" in text


def test_docx_pictures_fit_the_text_width_and_decoration_is_marked(built):
    import docx

    package = docx.Document(str(built["docx"]))
    shapes = package.inline_shapes
    widths = [s.width for s in shapes]
    assert len(widths) == 6
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
    chart = next(n for p in doc.parts for n in walk(p.blocks) if isinstance(n, Chart) and "Cases" in n.alt)
    assert isinstance(chart.data, Table)
    assert [c[0].text for c in chart.data.header] == ["Category", "Community orders", "Licences"]
    assert chart.numbered.label == "Figure 4" and chart.numbered.id == "figure-caseload"


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
    assert len(images) == 6
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
    assert "The team figures are in Table 1 on page ?" in file_text(built["docx"])
