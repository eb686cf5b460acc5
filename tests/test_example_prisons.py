"""The invented prison example (content/hmp-fenmoor) under the shipped HM Inspectorate of Prisons
framework (generator/frameworks/hmiprisons-healthy-prison.yaml; issue 23, item 8), built once to
PDF, DOCX and HTML and read back from each by its own reader: the text of each format through
generator.text (pdftotext, the DOCX's XML, the parsed page); the tables through the PDF's structure
tree and the text drawn in it (tests/readback.py), python-docx, and the parsed page.

What is expected is worked out here from report.yaml and the framework file with yaml alone, never
from reportgen's model: each test's score as report.yaml states it, no overall grade and no score,
the previous-recommendations table (every row: text, status, evidence) and its summary count equal
across the three formats, and the fact page (`::: details`)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_reportgen
from tests.readback import pdf_tagged_table

REPORT = ROOT / "content" / "hmp-fenmoor"
FORMATS = ("pdf", "docx", "html")


def said(text: str) -> str:
    return " ".join(text.split())


def report() -> dict:
    return yaml.safe_load((REPORT / "report.yaml").read_text(encoding="utf-8"))


def framework() -> dict:
    path = ROOT / "generator" / "frameworks" / f"{report()['framework']}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(example_build) -> dict[str, Path]:
    """The example built once to all three formats (the session's build)."""
    result = example_build(REPORT.name)
    assert set(result.outputs) == set(FORMATS)
    return result.outputs


@pytest.fixture(scope="module")
def texts(built) -> dict[str, str]:
    """Each format's text as `reportgen text` reads it, white space folded."""
    from generator.text import file_text

    return {fmt: said(file_text(built[fmt])) for fmt in FORMATS}


# --------------------------------------------------------------------------- expected, from the YAML

def scored_tests() -> list[tuple[dict, str]]:
    """(the framework's test, the label report.yaml states for it), in the framework's order."""
    findings = report()["findings"]
    return [(s, findings[s["id"]]["rating"]) for d in framework()["domains"] for s in d["standards"]]


def expected_rows() -> list[list[str]]:
    """The previous-recommendations table: the framework's headers, then each recommendation's
    text (after its reference, if any), its status and its evidence."""
    follow_up = framework()["follow_up"]
    rows = [[follow_up["recommendation_header"], follow_up["status_header"], follow_up["evidence_header"]]]
    for item in report()["previous_recommendations"]:
        rows.append([said(f"{item.get('reference', '')} {item['text']}"), item["status"], item["evidence"]])
    return rows


def expected_summary() -> str:
    """Every status of the framework's progress scale in its order, with how many have it."""
    follow_up = framework()["follow_up"]
    statuses = [item["status"] for item in report()["previous_recommendations"]]
    counts = ", ".join(f"{statuses.count(s['label'])} {s['counted']}" for s in follow_up["scale"])
    return follow_up["summary"].replace("{total}", str(len(statuses))).replace("{counts}", counts)


def expected_details() -> list[list[str]]:
    fw, given = framework()["details"], report()["details"]
    rows = [fw["header"]]
    for name, field in fw["fields"].items():
        value = given[name]
        rows.append([field["label"], f"{value.day} {value:%B %Y}" if isinstance(value, dt.date) else str(value)])
    return rows


# --------------------------------------------------------------------------- tables, each format's own reader

def _pdf_table(path: Path, first_header: str) -> tuple[str, list[list[str]], list[list[tuple[str, str]]]]:
    """(the paragraph just before it, its rows, each cell's (group/tag, /Scope)) of the one tagged
    Table whose first header cell says `first_header`."""
    before, rows, tags = pdf_tagged_table(path, first_header)
    return before or "", rows, tags


def _docx_table(path: Path, header: list[str]) -> tuple[str, list[list[str]]]:
    """(the last paragraph before it, its caption aside, and its rows) of the one Word table whose first
    row is `header`: a Word table's caption is a paragraph of its own just before it."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    tables = [t for t in document.tables if [said(c.text) for c in t.rows[0].cells] == header]
    assert len(tables) == 1, f"one Word table headed {header}"
    table = tables[0]
    body = list(document.element.body)
    before = [e for e in body[:body.index(table._tbl)] if e.tag == qn("w:p")  # noqa: SLF001
              and e.xpath("./w:pPr/w:pStyle/@w:val") != ["Caption"]]
    texts = [said("".join(t.text or "" for t in p.iter(qn("w:t")))) for p in before]
    return next((t for t in reversed(texts) if t), ""), [[said(c.text) for c in row.cells] for row in table.rows]


def _html_table(path: Path, first_header: str) -> tuple[str, list[list[str]], list[list[tuple[str, str]]]]:
    import lxml.html

    page = lxml.html.fromstring(path.read_bytes())
    tables = [t for t in page.xpath("//table") if [said(c.text_content()) for c in t.xpath("./thead/tr/th")][:1]
              == [first_header]]
    assert len(tables) == 1, f"one table headed {first_header!r}"
    table = tables[0]
    before = table.getprevious()
    rows = table.xpath("./thead/tr | ./tbody/tr")
    return (said(before.text_content()) if before is not None and before.tag == "p" else "",
            [[said(c.text_content()) for c in tr.xpath("./th | ./td")] for tr in rows],
            [[(c.tag, c.get("scope", "")) for c in tr.xpath("./th | ./td")] for tr in rows])


def tables(built, header: list[str]) -> dict[str, tuple[str, list[list[str]]]]:
    """{format: (the paragraph before the table, its rows)} for the table headed `header`."""
    pdf_before, pdf_rows, _ = _pdf_table(built["pdf"], header[0])
    html_before, html_rows, _ = _html_table(built["html"], header[0])
    return {"pdf": (pdf_before, pdf_rows), "docx": _docx_table(built["docx"], header),
            "html": (html_before, html_rows)}


# --------------------------------------------------------------------------- each test's score, no overall

@pytest.mark.parametrize("fmt", FORMATS)
def test_the_scorecard_states_each_tests_score_as_report_yaml_does(texts, fmt):
    """The ratings page's rows, between its header and its key, are the four tests with the scores
    report.yaml gives, in the framework's order, and nothing else."""
    labels = framework()["labels"]
    text = texts[fmt]
    header = f"{labels['standard']} {labels['rating']} "
    assert text.count(header) == 1, "one scorecard"
    rows = text[text.index(header) + len(header):]
    rows = rows[:rows.index(labels["scale_key"])].strip()
    assert rows == " ".join(f"{test['title']} {score}" for test, score in scored_tests())


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_tests_section_states_its_score_under_its_expected_outcome(texts, fmt):
    rating = framework()["labels"]["rating"]
    for test, score in scored_tests():
        assert f"{said(test['statement'])} {rating}: {score}" in texts[fmt], (fmt, test["id"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_overall_grade_or_score_is_printed(texts, fmt):
    """Four scores, never added up: no overall rating, no "Score n/m", no "Not rated" or "Not
    applicable" (a full inspection scores every test; the example says so)."""
    text = texts[fmt]
    fw = framework()
    # the ratings page goes from the unit straight to the tests' table: no overall, no score between
    assert f"{report()['metadata']['unit']} {fw['domains'][0]['title']} {fw['labels']['standard']} " in text
    assert not re.search(r"(?i)overall (rating|grade|effectiveness):?\s", text.replace("no overall grade.", ""))
    assert not re.search(r"\b\d+\s?/\s?\d+\b", text), re.search(r"\b\d+\s?/\s?\d+\b", text)
    assert not re.search(r"\bScore:? \d", text)
    assert "Not rated" not in text and "Not applicable" not in text


def test_the_html_page_has_no_overall_or_score_element(built):
    import lxml.html

    page = lxml.html.fromstring(built["html"].read_bytes())
    assert page.xpath("//*[contains(@class, 'overall-rating') or contains(@class, 'fact-score')]") == []
    cells = page.xpath("//table[contains(@class, 'ratings') and not(contains(@class, 'ratings-key'))]"
                       "//td[contains(@class, 'rating-cell')]")
    assert [said(c.text_content()) for c in cells] == [score for _, score in scored_tests()]
    # the key: each score a row header over its number and its description, and no score band
    # (nothing is added up, so no total gives any score)
    key = page.xpath("//table[contains(@class, 'ratings-key')]")
    assert len(key) == 1
    assert [said(c.text_content()) for c in key[0].xpath("./tbody/tr/th[@scope='row']")] == [
        s["label"] for s in framework()["scale"]]
    assert [len(tr.xpath("./td")) for tr in key[0].xpath("./tbody/tr")] == [2] * len(framework()["scale"])


# --------------------------------------------------------------------------- previous recommendations

def test_the_previous_recommendations_and_their_count_read_back_equal_in_all_three_formats(built):
    header = expected_rows()[0]
    read = tables(built, header)
    assert read["pdf"] == read["docx"] == read["html"]
    assert read["html"] == (expected_summary(), expected_rows())
    assert len(expected_rows()) == 9 and expected_summary().startswith("Of the 8 recommendations")
    assert {row[1] for row in expected_rows()[1:]} == {s["label"] for s in framework()["follow_up"]["scale"]}, \
        "the example uses every status"


def test_the_pdf_tags_the_previous_recommendations_as_a_real_table(built):
    _, rows, tags = _pdf_table(built["pdf"], expected_rows()[0][0])
    assert tags[0] == [("THead/TH", "/Column")] * 3
    assert tags[1:] == [[("TBody/TH", "/Row"), ("TBody/TD", ""), ("TBody/TD", "")]] * (len(expected_rows()) - 1)


def test_the_html_table_has_header_cells_with_scope(built):
    _, _, tags = _html_table(built["html"], expected_rows()[0][0])
    assert tags[0] == [("th", "col")] * 3
    assert tags[1:] == [[("th", "row"), ("td", ""), ("td", "")]] * (len(expected_rows()) - 1)


# --------------------------------------------------------------------------- the fact page

def test_the_fact_page_reads_back_equal_in_all_three_formats_as_report_yaml_gives_it(built):
    """`::: details`: the framework's labels and report.yaml's values (dates in words, the last
    inspection's scores as labels of the scale)."""
    read = tables(built, expected_details()[0])
    assert read["pdf"][1] == read["docx"][1] == read["html"][1] == expected_details()


# --------------------------------------------------------------------------- as published

def test_accessibility_checks_pass_on_all_three(built, reportgen):
    result = reportgen("a11y", built["pdf"], built["docx"], built["html"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a11y-" not in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_example_says_it_is_invented_and_prints_no_isbn(texts, fmt):
    text = texts[fmt]
    assert "HMP Fenmoor does not exist" in text and "An example report (fictional prison)" in text
    assert "ISBN" not in text


def test_a_build_in_another_process_writes_the_same_bytes(built, tmp_path):
    result = run_reportgen("build", REPORT, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    for fmt, ours in built.items():
        assert (tmp_path / f"hmp-fenmoor.{fmt}").read_bytes() == ours.read_bytes(), fmt


# --------------------------------------------------------------------------- the key: what each score means

def expected_key() -> list[list[str]]:
    """The key to the scores as the framework file gives it: its header (the rating's label, the
    points' and the descriptions' columns), then each score's label, its number (shown though
    nothing is added up: presentation.key_points) and its description, best first (as printed:
    curly apostrophes)."""
    fw = framework()
    assert fw["score"] is False and fw["presentation"]["key_points"] is True
    return [[fw["labels"]["rating"], fw["labels"]["key_points"], fw["labels"]["key_description"]]] + [
        [item["label"], str(item["points"]), " ".join(item["description"].split()).replace("'", "’")]
        for item in fw["scale"]]


def test_each_score_s_number_and_description_read_back_in_the_key_in_all_three_formats(built):
    """Each scale point's number (4 to 1) and `description` (the outcome it stands for) are printed
    beside it in the scorecard's key, the same in the PDF, the DOCX and the HTML; the appendix
    no longer repeats them in a table of its own."""
    assert all(item.get("description") for item in framework()["scale"])
    header = expected_key()[0]
    pdf = _pdf_table(built["pdf"], header[1])[1]  # the one tagged Table with that header cell
    docx = _docx_table(built["docx"], header)[1]
    html = _html_table(built["html"], header[0])[1]  # the one table whose first header cell is that
    assert pdf == docx == html == expected_key()
    appendix = (REPORT / "chapters" / "appendix.md").read_text(encoding="utf-8")
    assert "The key to the scores" in appendix and "| Score |" not in appendix
