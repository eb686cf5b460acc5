"""Draft mode (`build --draft`, report.yaml `status: draft`): a watermark on every PDF page that is
an Artifact and in no reader's text, a banner in the HTML, a header line and Word's watermark in the
DOCX (shown by LibreOffice on every page), the version
on every cover; none of it in a final build. Read back from the built files."""

from __future__ import annotations

import os
import re
import subprocess

import pikepdf
import pytest
from docx import Document as DocxDocument

from generator.build import build
from generator.provenance import folder_version
from tests.conftest import SURREY, copy_report

@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    report = copy_report(tmp_path_factory.mktemp("draft"))
    text = (report / "report.yaml").read_text(encoding="utf-8")
    (report / "report.yaml").write_text(text.replace("\nrecommendations:", '\nversion: "0.3 for review"\n'
                                                     "recommendations:", 1), encoding="utf-8")
    return build(report, tmp_path_factory.mktemp("draft-out"), draft=True)


def _pages_text(pdf) -> list[str]:
    count = len(pikepdf.open(pdf).pages)
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, count + 1)]


def _watermarked_pages(pdf) -> list[bool]:
    """For each page: does an image drawn inside an /Artifact sequence cover most of the page?"""
    found = []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            images = {str(k) for k, v in page.Resources.get("/XObject", {}).items()
                      if v.get("/Subtype") in ("/Form", "/Image")}
            artifact_draws, depth, artifact = set(), [], False
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "BDC":
                    depth.append(str(operands[0]) == "/Artifact")
                elif op == "BMC":
                    depth.append(str(operands[0]) == "/Artifact")
                elif op == "EMC" and depth:
                    depth.pop()
                elif op == "Do" and any(depth):
                    artifact_draws.add(str(operands[0]))
            found.append(bool(artifact_draws & images))
    return found


def test_every_pdf_page_has_the_watermark_as_an_artifact(draft, surrey_build):
    assert all(_watermarked_pages(draft.outputs["pdf"]))
    # the final build draws no such background: the check can fail
    assert not any(_watermarked_pages(surrey_build.outputs["pdf"]))


def test_the_watermark_is_in_no_text_only_the_cover_says_draft(draft):
    pages = _pages_text(draft.outputs["pdf"])
    assert len(pages) > 10
    assert "DRAFT · Version 0.3 for review" in pages[0]  # the cover's stamp, in the text on purpose
    assert [n for n, text in enumerate(pages[1:], 2) if "DRAFT" in text] == []
    from tests.readback import page_text  # the structure tree's marked text, by another reader
    marked = page_text(draft.outputs["pdf"]).marked
    assert [k for k, text in marked.items() if "DRAFT" in text and k[0] > 0] == []


def test_the_html_has_a_banner_and_the_docx_a_header_line(draft):
    html = draft.outputs["html"].read_text(encoding="utf-8")
    assert re.search(r'<p class="draft-banner" role="note">DRAFT · Version 0.3 for review</p>', html)
    docx = DocxDocument(str(draft.outputs["docx"]))
    section = docx.sections[-1]
    assert section.header.paragraphs[0].text == "DRAFT · Version 0.3 for review"
    assert section.first_page_header.paragraphs[0].text == "DRAFT · Version 0.3 for review"
    cover = [p for p in docx.paragraphs[:8] if "DRAFT" in p.text]  # the imprint's paragraph, on the cover
    assert len(cover) == 1 and cover[0].text.endswith("\nDRAFT · Version 0.3 for review")
    assert "March 2024" in cover[0].text


def test_the_titles_and_the_docx_status_say_draft(draft):
    """The HTML page's <title> (so the PDF's title, made from the same HTML) and the DOCX's core
    title carry the mark first; the DOCX's status and version are the draft's."""
    title = "DRAFT · Version 0.3 for review – An inspection of probation services in: Surrey PDU"
    html = draft.outputs["html"].read_text(encoding="utf-8")
    assert re.search(r"<title>(.*?)</title>", html)[1] == title
    with pikepdf.open(draft.outputs["pdf"]) as pdf:
        assert str(pdf.docinfo["/Title"]) == title
        assert title in pdf.open_metadata()["dc:title"]
    props = DocxDocument(str(draft.outputs["docx"])).core_properties
    assert (props.title, props.content_status, props.version) == (title, "DRAFT", "Version 0.3 for review")


def test_a_final_build_has_no_draft_mark(surrey_build):
    html = surrey_build.outputs["html"].read_text(encoding="utf-8")
    assert 'class="draft-banner"' not in html and 'class="cover-version"' not in html and "DRAFT" not in html
    assert "<title>An inspection of probation services in: Surrey PDU</title>" in html
    assert not any("DRAFT" in text for text in _pages_text(surrey_build.outputs["pdf"]))
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        assert str(pdf.docinfo["/Title"]) == "An inspection of probation services in: Surrey PDU"
    docx = DocxDocument(str(surrey_build.outputs["docx"]))
    headers = [p.text for s in docx.sections for h in (s.header, s.first_page_header) for p in h.paragraphs]
    assert not any("DRAFT" in t for t in headers)
    props = docx.core_properties
    assert (props.title, props.content_status, props.version) == ("An inspection of probation services in: Surrey PDU",
                                                                  "", "")


def test_status_draft_makes_a_draft_and_a_final_build_of_it_is_a_warning(tmp_path):
    report = copy_report(tmp_path)
    text = (report / "report.yaml").read_text(encoding="utf-8")
    (report / "report.yaml").write_text(text.replace("\nrecommendations:", "\nstatus: draft\nrecommendations:", 1),
                                        encoding="utf-8")
    drafted = build(report, tmp_path / "a", formats=("html",))
    assert drafted.document.draft is not None
    assert 'class="draft-banner"' in drafted.outputs["html"].read_text(encoding="utf-8")
    final = build(report, tmp_path / "b", formats=("html",), draft=False)
    assert final.document.draft is None
    assert 'class="draft-banner"' not in final.outputs["html"].read_text(encoding="utf-8")
    warned = [d for d in final.diagnostics.items if d.code == "status-draft"]
    assert len(warned) == 1 and warned[0].severity == "warning"
    assert warned[0].line == text.replace("\nrecommendations:", "\nstatus: draft\nrecommendations:", 1) \
        .splitlines().index("status: draft") + 1
    assert not [d for d in drafted.diagnostics.items if d.code == "status-draft"]


def test_the_version_is_the_git_commit_of_the_folder_as_git_log_prints_it(tmp_path):
    """Real git's answer, run here with no configuration at all (tests/test_provenance.py holds
    the hostile repositories)."""
    done = subprocess.run(["git", "log", "-1", "--format=%h %cs", "--", "."], cwd=SURREY, capture_output=True,
                          text=True, timeout=60, check=True,
                          env={"PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"})
    short, day = done.stdout.split()
    assert re.fullmatch(r"[0-9a-f]{7,}", short) and re.fullmatch(r"\d{4}-\d\d-\d\d", day)
    assert folder_version(SURREY) == f"{short} ({day})"
    assert folder_version(tmp_path) is None  # not in a repository


def test_a_draft_with_no_version_anywhere_is_a_warning(tmp_path):
    report = copy_report(tmp_path)  # tmp_path is in no git repository
    built = build(report, tmp_path / "out", formats=("html",), draft=True)
    assert built.document.draft.version == ""
    assert [d.code for d in built.diagnostics.items if d.code == "version-missing"] == ["version-missing"]


def test_the_draft_banner_passes_axe_in_chromium(browser, draft):
    """The banner is inside the cover's header landmark, with enough contrast (axe-core)."""
    from tests.browser import AXE_TAGS

    browser.open(draft.outputs["html"], width=1280)
    assert browser.eval("document.querySelector('header .draft-banner').textContent").startswith("DRAFT")
    result = browser.axe(AXE_TAGS)
    assert [(r["id"], [n["target"] for n in r["nodes"]]) for r in result["violations"]] == []
    assert [(r["id"], [n["target"] for n in r["nodes"]]) for r in result["incomplete"]] == []


def test_batch_builds_pass_draft_on(tmp_path):
    from generator.batch import build_one, plan

    report = copy_report(tmp_path)
    (job,) = plan([report], tmp_path / "out", formats=("html",), draft=True)
    assert build_one(job).ok
    assert 'class="draft-banner"' in (tmp_path / "out" / "surrey-pdu" / "surrey-pdu.html").read_text(encoding="utf-8")


VML = "{urn:schemas-microsoft-com:vml}"


def _header_watermarks(docx) -> dict[str, list[tuple[str, str]]]:
    """Per header reference of the body's section (default, first): (shape id, text) of each VML
    shape in its header part, as Word keeps a watermark."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    r = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(docx) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        rels = etree.fromstring(package.read("word/_rels/document.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        out = {}
        for ref in body.iter(f"{w}headerReference"):
            header = etree.fromstring(package.read("word/" + targets[ref.get(f"{r}id")]))
            out[ref.get(f"{w}type")] = [(shape.get("id"), shape.find(f"{VML}textpath").get("string"))
                                        for shape in header.iter(f"{VML}shape")]
    return out


def test_the_docx_has_words_own_watermark_in_every_header(draft, surrey_build):
    """Word's watermark form: a WordArt shape named PowerPlusWaterMarkObject in the header of every
    page, the cover's (first page) too, saying the framework's draft label."""
    marks = _header_watermarks(draft.outputs["docx"])
    assert set(marks) == {"default", "first"}
    for shapes in marks.values():
        assert len(shapes) == 1
        shape_id, text = shapes[0]
        assert shape_id.startswith("PowerPlusWaterMarkObject") and text == "DRAFT"
    assert len({shapes[0][0] for shapes in marks.values()}) == 2, "each shape its own id"
    final = _header_watermarks(surrey_build.outputs["docx"])
    assert final and all(shapes == [] for shapes in final.values())


def _watermark_pixels(pdf, folder) -> list[int]:
    """Per page of `pdf` at 40 dpi: how many pixels are the watermark's colour (styles/watermark.svg)."""
    from PIL import Image

    from generator.resources import STYLES_DIR

    fill = re.search(r'fill="#([0-9a-f]{6})"', (STYLES_DIR / "watermark.svg").read_text(), re.I)[1]
    colour = tuple(int(fill[i:i + 2], 16) for i in (0, 2, 4))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "page")], check=True, timeout=120)
    counts = []
    for png in sorted(folder.glob("page-*.png")):
        image = Image.open(png).convert("RGB")
        pixels = image.tobytes()
        counts.append(sum(1 for i in range(0, len(pixels), 3)
                          if all(abs(pixels[i + k] - colour[k]) <= 2 for k in range(3))))
    return counts


def test_libreoffice_shows_the_docx_watermark_on_every_page(draft, surrey_build, tmp_path):
    from tests.readback import libreoffice_pdf

    (tmp_path / "draft").mkdir()
    (tmp_path / "final").mkdir()
    drafted = _watermark_pixels(libreoffice_pdf(draft.outputs["docx"], tmp_path / "draft"), tmp_path / "draft")
    final = _watermark_pixels(libreoffice_pdf(surrey_build.outputs["docx"], tmp_path / "final"), tmp_path / "final")
    assert len(drafted) > 10 and abs(len(drafted) - len(final)) <= 1
    # the word across the page, on every page, the cover's too (about 3,500 to 5,000 pixels a page);
    # a final page has only the anti-aliased edges of text and rules in that colour (under 400)
    assert min(drafted) > 2000, drafted
    assert max(final) < 1000, final


def _cover_lines_outside(pdf) -> list[tuple[str, tuple]]:
    """(text, box) of each line of the cover (page 1) with a glyph closer than the page's 20 mm
    side margins to an edge of the paper (glyph boxes from the content stream: pdf_text.page_glyphs)."""
    from generator.formats.pdf_text import page_glyphs

    margin = 20 / 25.4 * 72 - 0.01  # 20 mm, less rounding in the PDF
    with pikepdf.open(pdf) as doc:
        page = doc.pages[0]
        width, height = float(page.mediabox[2]), float(page.mediabox[3])
        lines: dict[int, list] = {}
        for glyph in page_glyphs(doc, page):
            if glyph.text.strip():
                lines.setdefault(round(glyph.box[1]), []).append(glyph)
    assert len(lines) >= 4, "the cover has its lines of text"
    out = []
    for glyphs in lines.values():
        box = (min(g.box[0] for g in glyphs), min(g.box[1] for g in glyphs),
               max(g.box[2] for g in glyphs), max(g.box[3] for g in glyphs))
        if box[0] < margin or box[2] > width - margin or box[1] < margin or box[3] > height - margin:
            out.append(("".join(g.text for g in glyphs), box))
    return out


def test_every_cover_line_is_inside_the_margins(draft, surrey_build):
    """The draft's version line too (it started at x=0)."""
    assert _cover_lines_outside(draft.outputs["pdf"]) == []
    assert _cover_lines_outside(surrey_build.outputs["pdf"]) == []
