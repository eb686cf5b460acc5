"""A framework's presentation as data (issue 23, item 4), read back from all three built formats of
tests/reports/presentation, each by its own reader (PDF: the structure tree and the text drawn in
it; DOCX: python-docx; HTML: the parsed page): captions without domain ids, standards without
codes, the framework's own typed details (`::: details` and {{ details.x }}), and no ISBN or chief
inspector where the framework does not require them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pikepdf
import pytest
import yaml

from tests.conftest import TESTS
from tests.readback import page_text, structure

REPORT = TESTS / "reports" / "presentation"
FRAMEWORK = REPORT / "frameworks" / "school-style.yaml"


def said(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from generator.build import FORMATS, build

    result = build(REPORT, tmp_path_factory.mktemp("presentation-out"), formats=FORMATS, parallel=False)
    assert set(result.outputs) == set(FORMATS)
    return result.outputs


def framework() -> dict:
    return yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))


def expected_details() -> list[list[str]]:
    """The details table as report.yaml and the framework give it, worked out here without
    reportgen: the header, then each field's label and its value (a date in words)."""
    fw, report = framework(), yaml.safe_load((REPORT / "report.yaml").read_text(encoding="utf-8"))
    rows = [fw["details"]["header"]]
    for name, field in fw["details"]["fields"].items():
        value = report["details"][name]
        if isinstance(value, dt.date):
            value = f"{value.day} {value:%B %Y}"
        rows.append([field["label"], str(value)])
    return rows


def pdf_reading(path: Path) -> tuple[list[list[str]], list[tuple[str, str]], str]:
    """(the details table's rows, every heading's (tag, text), all the tagged text) of the PDF."""
    pdf = pikepdf.open(path)
    root, drawn = structure(pdf), page_text(path)
    header = framework()["details"]["header"]
    tables = [e for e in root.walk() if e.tag == "Table"
              and any(c.tag == "TH" and said(drawn.of(c)) == header[0] for c in e.walk())]
    assert len(tables) == 1, "one tagged details table"
    rows = [[said(drawn.of(c)) for c in tr.elems() if c.tag in ("TH", "TD")]
            for group in tables[0].elems() for tr in (group.elems() if group.tag in ("THead", "TBody") else [])]
    headings = [(e.tag, said(drawn.of(e))) for e in root.walk() if e.tag in ("H1", "H2", "H3")]
    return rows, headings, said(" ".join(drawn.marked.values()))


def docx_reading(path: Path) -> tuple[list[list[str]], list[tuple[str, str]], str]:
    import docx

    document = docx.Document(str(path))
    header = framework()["details"]["header"]
    tables = [t for t in document.tables if [said(c.text) for c in t.rows[0].cells] == header]
    assert len(tables) == 1, "one details table"
    rows = [[said(c.text) for c in row.cells] for row in tables[0].rows]
    headings = [(p.style.name, said(p.text)) for p in document.paragraphs if p.style.name.startswith("Heading")]
    text = " ".join(p.text for p in document.paragraphs)
    text += " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    return rows, headings, said(text)


def html_reading(path: Path) -> tuple[list[list[str]], list[tuple[str, str]], str]:
    import lxml.html

    page = lxml.html.fromstring(path.read_bytes())
    header = framework()["details"]["header"]
    tables = [t for t in page.xpath("//table") if [said(c.text_content()) for c in t.xpath("./thead/tr/th")] == header]
    assert len(tables) == 1, "one details table"
    rows = [[said(c.text_content()) for c in tr.xpath("./th | ./td")] for tr in tables[0].xpath("./thead/tr | ./tbody/tr")]
    headings = [(h.tag, said(h.text_content())) for h in page.xpath("//main//h1 | //main//h2 | //main//h3")]
    return rows, headings, said(" ".join(page.xpath("//main")[0].itertext()))


READERS = {"pdf": pdf_reading, "docx": docx_reading, "html": html_reading}


def test_the_details_read_back_equal_in_all_three_formats_as_report_yaml_gives_them(built):
    readings = {fmt: READERS[fmt](built[fmt])[0] for fmt in READERS}
    assert readings["pdf"] == readings["docx"] == readings["html"] == expected_details()


@pytest.mark.parametrize("fmt", list(READERS))
def test_chapters_read_the_details_typed(built, fmt):
    """{{ details.urn }}, a date through long_date and a rating on the framework's scale, as printed."""
    text = READERS[fmt](built[fmt])[2]
    assert ("This inspection of the school (unique reference number 104321) ended on 12 March 2026; at its "
            "last inspection the school was graded Requires improvement.") in text


@pytest.mark.parametrize("fmt", list(READERS))
def test_captions_carry_no_ids_and_standards_no_codes(built, fmt):
    """The parts are titled by the domains' titles alone and each standard by its title: no
    "leadership. Leadership and management", no ". Governance", and the ratings page the same."""
    fw = framework()
    _, headings, text = READERS[fmt](built[fmt])
    shown = [words for _, words in headings]
    for domain in fw["domains"]:
        assert domain["title"] in shown, (domain["title"], shown)
        assert f"{domain['id']}. {domain['title']}" not in text
        for standard in domain["standards"]:
            assert standard["title"] in shown, (standard["title"], shown)  # the whole heading: no ". " before it
    assert all(not words.startswith((".", "None")) for words in shown), shown
    assert "Governance Good" in text and "Curriculum Outstanding" in text  # the ratings page's rows


@pytest.mark.parametrize("fmt", list(READERS))
def test_no_isbn_or_chief_inspector_where_the_framework_does_not_require_them(built, fmt):
    text = READERS[fmt](built[fmt])[2]
    assert "ISBN" not in text and "None" not in text
    assert "© An illustrative inspectorate 2026" in text  # the imprint is there, without an ISBN line


def test_a11y_is_clean_on_all_three(built, reportgen):
    result = reportgen("a11y", built["pdf"], built["docx"], built["html"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a11y-" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_a_reviewer_is_sent_to_report_yaml_for_a_detail_not_to_the_chapter():
    """The review round trip (generator/review) finds where each printed text comes from: a detail's
    value is report.yaml's (its `details:`), never the chapter line of `::: details`."""
    from generator.review.index import Index

    index = Index(REPORT)
    lines = (REPORT / "report.yaml").read_text(encoding="utf-8").splitlines()
    details_line = lines.index("details:") + 1
    unit = next(u for u in index.units if u.text == "104321")
    assert (unit.path, unit.line) == ("report.yaml", details_line), unit
    assert "edit report.yaml" in unit.note, unit


def test_a_chapter_naming_the_code_of_a_standard_without_one_is_a_located_error(tmp_path, reportgen):
    """Under standard_codes: false there is no code to print: {{ standards.x.code }} is an error at
    its line, never a printed "None"."""
    import json
    import shutil

    report = tmp_path / "presentation"
    shutil.copytree(REPORT, report)
    chapter = report / "chapters" / "education.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nCode: {{ standards['curriculum'].code }}.\n",
                       encoding="utf-8")
    result = reportgen("check", report)
    assert result.returncode == 1, result.stderr
    assert "education.md:5:" in result.stderr and "error[jinja-undefined]" in result.stderr, result.stderr


def test_markup_in_a_text_detail_is_printed_as_text_in_every_format(tmp_path):
    """A text detail is the author's words, not markup: `<script>` and `<b>` come out as text in the
    HTML page (no element made of them) and in the DOCX, and the PDF draws them as characters."""
    import json
    import shutil

    import docx

    from generator.build import build
    from generator.text import file_text

    report = tmp_path / "presentation"
    shutil.copytree(REPORT, report)
    path = report / "report.yaml"
    hostile = "</td><script>alert(1)</script><b>bold</b> & more"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "provider_kind: Community primary school", "provider_kind: " + json.dumps(hostile)),
        encoding="utf-8")
    result = build(report, tmp_path / "out", formats=("html", "docx", "pdf"), parallel=False)
    page = result.outputs["html"].read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; more" in page
    cells = [c.text for t in docx.Document(str(result.outputs["docx"])).tables for r in t.rows for c in r.cells]
    assert hostile in cells
    assert hostile in said(file_text(result.outputs["pdf"]))
