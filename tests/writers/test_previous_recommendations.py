"""`::: previous-recommendations` (issue 23, item 5): the last inspection's recommendations, their
status on the framework's progress scale (`follow_up:`) and the evidence, with the summary count,
read back from all three built formats of tests/reports/follow-up, each by its own reader (PDF:
the structure tree and the text drawn in it; DOCX: python-docx; HTML: the parsed page), and
compared with each other and with report.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import TESTS
from tests.readback import pdf_tagged_table

FOLLOW_UP = TESTS / "reports" / "follow-up"
HEADERS = ["Recommendation", "Progress", "Evidence"]
SUMMARY = "Of 8 recommendations: 3 achieved, 4 partly achieved, 1 not achieved"


def said(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from generator.build import FORMATS, build

    result = build(FOLLOW_UP, tmp_path_factory.mktemp("follow-up-out"), formats=FORMATS, parallel=False)
    assert set(result.outputs) == set(FORMATS)
    return result.outputs


def expected_rows() -> list[list[str]]:
    """Each recommendation as report.yaml gives it, read here without reportgen: its reference, the
    framework's lead for its addressee, its text; its status; its evidence."""
    items = yaml.safe_load((FOLLOW_UP / "report.yaml").read_text(encoding="utf-8"))["previous_recommendations"]
    rows = []
    for item in items:
        lead = f"{item['addressee']} should: " if "addressee" in item else ""
        rows.append([said(f"{item.get('reference', '')} {lead}{item['text']}"), item["status"], item["evidence"]])
    return rows


# --------------------------------------------------------------------------- each format, its own reader

def pdf_table(path: Path) -> tuple[str, list[list[str]], list[list[tuple[str, str]]]]:
    """(the summary paragraph, the table's rows of cell text, each row's (tag, /Scope)) from the
    PDF's structure tree: the Table whose first header cell says "Recommendation"."""
    summary, rows, tags = pdf_tagged_table(path, HEADERS[0])
    assert summary is not None, "the count is a paragraph just before the table"
    return summary, rows, tags


def docx_table(path: Path) -> tuple[str, list[list[str]], bool]:
    """(the summary paragraph, the rows of the Word table, whether its first row repeats as a header)."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    tables = [t for t in document.tables if [said(c.text) for c in t.rows[0].cells] == HEADERS]
    assert len(tables) == 1, "one Word table"
    table = tables[0]
    body = list(document.element.body)
    at = body.index(table._tbl)  # noqa: SLF001
    before = [e for e in body[:at] if e.tag == qn("w:p")]
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in before]
    summary = next(said(t) for t in reversed(texts) if said(t).startswith("Of "))
    header = table.rows[0]._tr.find(qn("w:trPr"))  # noqa: SLF001
    repeats = header is not None and header.find(qn("w:tblHeader")) is not None
    return summary, [[said(c.text) for c in row.cells] for row in table.rows], repeats


def html_table(path: Path) -> tuple[str, list[list[str]], list[list[tuple[str, str]]]]:
    """(the summary paragraph, the table's rows, each row's (tag, scope)) from the parsed page."""
    import lxml.html

    page = lxml.html.fromstring(path.read_bytes())
    tables = page.xpath("//table[contains(concat(' ', @class, ' '), ' previous-recommendations ')]")
    assert len(tables) == 1
    table = tables[0]
    summary = table.getprevious()
    assert summary.tag == "p"
    rows = table.xpath("./thead/tr | ./tbody/tr")
    return (said(summary.text_content()), [[said(c.text_content()) for c in tr.xpath("./th | ./td")] for tr in rows],
            [[(c.tag, c.get("scope", "")) for c in tr.xpath("./th | ./td")] for tr in rows])


# --------------------------------------------------------------------------- the tests

def test_the_table_and_count_read_back_equal_in_all_three_formats_and_as_report_yaml_says(built):
    pdf_summary, pdf_rows, _ = pdf_table(built["pdf"])
    docx_summary, docx_rows, _ = docx_table(built["docx"])
    html_summary, html_rows, _ = html_table(built["html"])
    assert pdf_rows == docx_rows == html_rows
    assert html_rows == [HEADERS, *expected_rows()]
    assert pdf_summary == docx_summary == html_summary == SUMMARY


def test_the_count_is_counted_from_the_statuses_in_the_scales_order():
    """Counted here from report.yaml, independently: the summary says each status of the scale, in
    the scale's order, with its count (the fixture's statuses are not listed in that order)."""
    statuses = [row[1] for row in expected_rows()]
    framework = yaml.safe_load((FOLLOW_UP / "frameworks" / "follow-up-thematic.yaml").read_text(encoding="utf-8"))
    scale = framework["follow_up"]["scale"]
    counted = ", ".join(f"{statuses.count(s['label'])} {s['counted']}" for s in scale)
    assert SUMMARY == f"Of {len(statuses)} recommendations: {counted}"
    assert statuses[:3] == ["Achieved", "Partly achieved", "Not achieved"] and statuses != sorted(statuses)


def test_the_pdf_tags_a_real_table_with_headers(built):
    _, rows, tags = pdf_table(built["pdf"])
    assert tags[0] == [("THead/TH", "/Column")] * 3
    assert all(row == [("TBody/TH", "/Row"), ("TBody/TD", ""), ("TBody/TD", "")] for row in tags[1:])
    assert len(tags) == 9


def test_the_docx_table_repeats_its_header_row(built):
    _, rows, repeats = docx_table(built["docx"])
    assert repeats and rows[0] == HEADERS and len(rows) == 9


def test_the_html_table_has_th_scope(built):
    _, _, tags = html_table(built["html"])
    assert tags[0] == [("th", "col")] * 3
    assert all(row == [("th", "row"), ("td", ""), ("td", "")] for row in tags[1:])
    html = built["html"].read_text(encoding="utf-8")
    assert "58 &lt;cases&gt; &amp; rising" in html, "report.yaml's text is escaped, never markup"


def test_the_status_badges_carry_the_frameworks_colours(built):
    import lxml.html

    page = lxml.html.fromstring(built["html"].read_bytes())
    badges = page.xpath("//table[contains(@class, 'previous-recommendations')]//td/span[contains(@class, 'badge')]")
    assert [(b.text, b.get("style")) for b in badges[:3]] == [
        ("Achieved", "background-color: #00703C; color: #FFFFFF"),
        ("Partly achieved", "background-color: #FFDD00; color: #0B0C0C"),
        ("Not achieved", "background-color: #D4351C; color: #FFFFFF")]


def test_a11y_is_clean_on_all_three(built, reportgen):
    result = reportgen("a11y", built["pdf"], built["docx"], built["html"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a11y-" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_one_recommendation_uses_summary_one_and_says_every_status(tmp_path, reportgen):
    """With one recommendation, the framework's `summary_one`; a status nobody has is counted 0."""
    from generator.build import check

    report = tmp_path / "follow-up"
    shutil.copytree(FOLLOW_UP, report)
    path = report / "report.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("  - reference: \"2.\""), text.index("\nparts:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    document = check(report)
    node = next(b for p in document.parts for b in p.blocks if b.kind == "previous_recommendations")
    assert node.summary == "Of the one recommendation: 1 achieved, 0 partly achieved, 0 not achieved"
    assert len(node.rows) == 1


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _comment(base: Path, dest: Path, said: dict[str, str]) -> None:
    """`base` with a reviewer's comment on the whole of each paragraph whose text is a key of `said`."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(base) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    body = etree.fromstring(parts["word/document.xml"])
    comments = etree.Element(f"{{{W}}}comments", nsmap={"w": W})
    for i, (words, text) in enumerate(said.items()):
        p = next(p for p in body.iter(f"{{{W}}}p") if "".join(t.text or "" for t in p.iter(f"{{{W}}}t")) == words)
        runs = p.findall(f"{{{W}}}r")
        runs[0].addprevious(etree.Element(f"{{{W}}}commentRangeStart", {f"{{{W}}}id": str(i)}))
        runs[-1].addnext(etree.Element(f"{{{W}}}commentRangeEnd", {f"{{{W}}}id": str(i)}))
        c = etree.SubElement(comments, f"{{{W}}}comment", {f"{{{W}}}id": str(i), f"{{{W}}}author": "QA"})
        etree.SubElement(etree.SubElement(etree.SubElement(c, f"{{{W}}}p"), f"{{{W}}}r"), f"{{{W}}}t").text = text
    parts["word/document.xml"] = etree.tostring(body)
    parts["word/comments.xml"] = etree.tostring(comments)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.comments+xml"/></Types>')
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_review_locates_a_comment_on_each_cell_at_its_report_yaml_key(tmp_path, reportgen):
    """A draft's DOCX maps the count, each recommendation, status and evidence to report.yaml."""
    from generator.build import build

    report = tmp_path / "follow-up"
    shutil.copytree(FOLLOW_UP, report)
    base = build(report, tmp_path / "out", formats=("docx",), parallel=False, draft=True).outputs["docx"]
    commented = tmp_path / "commented.docx"
    _comment(base, commented, {SUMMARY: "count?", "Not achieved": "really?",
                               "Vacancies fell from 30% to 18%.": "source?",
                               "7. HMPPS should: provide interpreters promptly": "wording?"})
    ran = reportgen("review", commented, report)
    lines = ran.stdout.splitlines()
    yaml_lines = (report / "report.yaml").read_text(encoding="utf-8").splitlines()

    def line_of(text: str, after: int = 0) -> int:
        return next(n for n, line in enumerate(yaml_lines, 1) if n > after and text in line)

    def item(comment: str) -> str:
        hits = [line for line in lines if f'"{comment}"' in line]
        assert len(hits) == 1, (comment, lines)
        return hits[0]

    assert item("count?").startswith(f"report.yaml:{line_of('previous_recommendations:')}:")
    third = line_of('reference: "3."')
    assert item("really?").startswith(f"report.yaml:{line_of('status: Not achieved', third)}:")
    assert "previous_recommendations[2].status" in item("really?")
    assert item("source?").startswith(f"report.yaml:{line_of('Vacancies fell')}:")
    assert "previous_recommendations[5].evidence" in item("source?")
    assert item("wording?").startswith(f"report.yaml:{line_of('provide interpreters promptly')}:")
