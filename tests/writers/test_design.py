"""The default theme's design, read back from the built files: a cover with a band of the theme's
colour and an optional logo with its alt text, and a scorecard that is still a real table."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pikepdf
import pytest
from PIL import Image as PILImage

from generator.build import build
from tests.conftest import ROOT, copy_report
from tests.readback import structure


def _pixel(pdf, page: int, x_mm: float, y_mm: float, tmp_path) -> tuple:
    """The colour of the pixel at (x, y) mm from the top left of a page rendered at 50 dpi."""
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True)
    with PILImage.open(tmp_path / "page.png") as im:
        return im.convert("RGB").getpixel((round(x_mm / 25.4 * 50), round(y_mm / 25.4 * 50)))


def test_the_cover_has_a_band_of_the_themes_colour(surrey_build, tmp_path):
    assert _pixel(surrey_build.outputs["pdf"], 1, 5, 5, tmp_path) == (0x1d, 0x3c, 0x6e)  # styles/theme.yaml brand
    assert _pixel(surrey_build.outputs["pdf"], 1, 5, 150, tmp_path) == (255, 255, 255)


def test_the_scorecard_is_a_real_table_with_headers(surrey_build):
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        tables = [e for e in structure(pdf).walk() if e.tag == "Table"]
        ths = [e for t in tables for e in t.walk() if e.tag == "TH"]
        assert len(tables) >= 2 and len(ths) >= 2 * 2 + 7  # each table's two column headers, a row header a standard
    assert not surrey_build.diagnostics.items  # the build's accessibility checks (pdf-th-scope among them) pass
    html = surrey_build.outputs["html"].read_text(encoding="utf-8")
    assert html.count('<table class="ratings">') == 2 and '<th scope="row">P 1.1 Leadership</th>' in html


@pytest.fixture(scope="module")
def with_logo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("logo")
    report = copy_report(tmp)
    (report / "images").mkdir(exist_ok=True)
    PILImage.new("RGB", (200, 60), (255, 255, 255)).save(report / "images" / "logo.png", dpi=(96, 96))
    text = (report / "report.yaml").read_text(encoding="utf-8")
    text = re.sub(r"\n  logo: [^\n]*\n", "\n  logo: {file: images/logo.png, alt: HM Inspectorate of Probation logo}\n", text)
    (report / "report.yaml").write_text(text, encoding="utf-8")
    return build(report, tmp / "out")


def test_a_logo_from_the_report_folder_is_on_the_cover_with_its_alt_text(with_logo):
    assert not [d for d in with_logo.diagnostics.items if d.code.startswith("a11y")], with_logo.diagnostics.items
    html = with_logo.outputs["html"].read_text(encoding="utf-8")
    # embedded, so that the page stays self-contained
    assert re.search(r'<img class="cover-logo" src="data:image/png;base64,[A-Za-z0-9+/=]+" '
                     r'alt="HM Inspectorate of Probation logo">', html)
    with pikepdf.open(with_logo.outputs["pdf"]) as pdf:
        figures = [e for e in structure(pdf).walk() if e.tag == "Figure"]
        assert [str(f.obj.get("/Alt")) for f in figures][:1] == ["HM Inspectorate of Probation logo"]
        assert {page for page, _ in figures[0].mcids()} == {0}
    with zipfile.ZipFile(with_logo.outputs["docx"]) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert 'descr="HM Inspectorate of Probation logo"' in body
    assert body.index("HM Inspectorate of Probation logo") < body.index("An inspection of probation services in:")


def test_a_themes_logo_is_the_cover_logo_when_the_report_gives_none(tmp_path, reportgen):
    report = copy_report(tmp_path)
    text = (report / "report.yaml").read_text(encoding="utf-8")
    (report / "report.yaml").write_text(re.sub(r"\n  logo: [^\n]*\n", "\n", text), encoding="utf-8")
    theme = tmp_path / "house"
    theme.mkdir()
    PILImage.new("RGB", (120, 40), (0, 0, 0)).save(theme / "mark.png", dpi=(96, 96))
    (theme / "theme.yaml").write_text("logo: {file: mark.png, alt: House mark}\n", encoding="utf-8")
    ran = reportgen("build", report, "--out", tmp_path / "out", "--theme", theme, "--format", "html,docx")
    assert ran.returncode == 0, ran.stderr
    assert 'alt="House mark"' in (tmp_path / "out" / "surrey-pdu.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "out" / "surrey-pdu.docx") as package:
        assert 'descr="House mark"' in package.read("word/document.xml").decode("utf-8")
    (theme / "theme.yaml").write_text("logo: {file: ../secret.png, alt: x}\n", encoding="utf-8")
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1 and "error[theme-path-outside]: logo '../secret.png' is outside" in ran.stderr


# --------------------------------------------------------------------------- the cover of every example

EXAMPLES = sorted(p.parent for p in (ROOT / "content").glob("*/report.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_has_an_invented_crest_with_its_alt_text(example):
    """Each example's cover carries a logo: its own invented crest (cover/crest.svg, drawn as
    crest.png), never a real inspectorate's mark."""
    from generator.build import check

    doc = check(example)
    assert doc.cover.logo is not None and doc.cover.logo.alt.startswith("Example crest")
    assert "(invented)" in doc.cover.logo.alt
    assert (example / "cover" / "crest.svg").read_text(encoding="utf-8").count("not any inspectorate's mark") == 1


def test_the_pdf_cover_shows_the_crest_in_the_band_and_the_imprint_at_its_foot(surrey_build):
    from generator.formats.pdf_text import page_glyphs

    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        figures = [e for e in structure(pdf).walk() if e.tag == "Figure"]
        assert str(figures[0].obj.get("/Alt")).startswith("Example crest") and \
            {page for page, _ in figures[0].mcids()} == {0}
        page = pdf.pages[0]
        glyphs = [g for g in page_glyphs(pdf, page) if g.text.strip()]
    height = 297 / 25.4 * 72
    imprint = [g for g in glyphs if g.box[1] < height / 4]  # the lowest quarter of the page
    assert "".join(g.text for g in imprint) == "HMInspectorateofProbation,March2024"
    assert min(g.box[1] for g in imprint) > 20 / 25.4 * 72  # above the 20 mm margin (and the foot band)


def test_the_docx_cover_band_runs_from_margin_to_margin_with_the_crest_in_it(surrey_build, tmp_path):
    """Laid out by LibreOffice: the band of the theme's colour starts and ends at the 20 mm margins
    (it ran into the left margin and stopped short of the right); the crest is in the band's paragraph."""
    from tests.readback import libreoffice_pdf

    with zipfile.ZipFile(surrey_build.outputs["docx"]) as package:
        body = package.read("word/document.xml").decode("utf-8")
    band = re.search(r'<w:p><w:pPr><w:pStyle w:val="CoverInspectorate"/>.*?</w:p>', body)[0]
    assert 'descr="Example crest' in band and "HM Inspectorate of Probation" in band
    pdf = libreoffice_pdf(surrey_build.outputs["docx"], tmp_path)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(tmp_path / "cover")], check=True, timeout=120)
    with PILImage.open(tmp_path / "cover.png") as im:
        rgb = im.convert("RGB")
        row = next(y for y in range(rgb.height) if rgb.getpixel((rgb.width // 2, y)) == (0x1d, 0x3c, 0x6e))
        columns = [x for x in range(rgb.width) if rgb.getpixel((x, row + 2)) == (0x1d, 0x3c, 0x6e)]
    left, right = columns[0] / 100 * 25.4, (columns[-1] + 1) / 100 * 25.4
    assert left == pytest.approx(20, abs=0.6) and right == pytest.approx(190, abs=0.6), (left, right)
