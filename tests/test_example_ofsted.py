"""The invented school report card (content/marram-hill-academy, under the shipped
ofsted-schools-2025 framework; issue 23 item 8), built to PDF, DOCX and HTML and read back from each
with the project's text readers (generator/text.py `file_text`): every evaluation area's grade as
report.yaml states it, on the report card and at its own section; "Not applicable" (early years)
and "Not rated" (the sixth form) exactly there and nowhere else; safeguarding Met on its own scale;
no overall grade and no score anywhere; the details table as report.yaml and the framework give it.

What is expected is worked out here from report.yaml and the framework file as an author and a
framework's editor write them (plain YAML), never from reportgen's own model."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

EXAMPLE = ROOT / "content" / "marram-hill-academy"
FRAMEWORK = ROOT / "generator" / "frameworks" / "ofsted-schools-2025.yaml"
FORMATS = ("pdf", "docx", "html")


def report() -> dict:
    return yaml.safe_load((EXAMPLE / "report.yaml").read_text(encoding="utf-8"))


def framework() -> dict:
    return yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))


def standards() -> list[dict]:
    """Every standard of the framework, each with its domain's scale name (None: the default)."""
    return [{**s, "scale": s.get("scale", d.get("scale"))} for d in framework()["domains"] for s in d["standards"]]


def expected_grade(standard: dict) -> str:
    """What report.yaml says an area is: its rating, or the framework's label for not applicable /
    not rated."""
    finding, labels = report()["findings"][standard["id"]], framework()["labels"]
    if finding.get("not_applicable"):
        return labels["not_applicable"]
    if finding.get("not_rated"):
        return labels["not_rated"]
    return finding["rating"]


def scale_labels(name: str | None) -> list[str]:
    fw = framework()
    return [r["label"] for r in (fw["scale"] if name is None else fw["scales"][name]["ratings"])]


def test_every_grade_s_words_have_enough_contrast_on_its_colour():
    """Every scale's badges: the label on its colour at 4.5:1 at least (WCAG AA text)."""
    from tests.stages.test_framework import contrast

    fw = framework()
    ratings = fw["scale"] + [r for named in fw["scales"].values() for r in named["ratings"]]
    assert len(ratings) == 11
    for rating in ratings:
        assert contrast(rating["colour"], rating["text_colour"]) >= 4.5, rating["label"]


@pytest.fixture(scope="module")
def built(example_build) -> dict[str, Path]:
    """The example built once to all three formats (the session's build)."""
    result = example_build(EXAMPLE.name)
    assert set(result.outputs) == set(FORMATS)
    return result.outputs


@pytest.fixture(scope="module")
def texts(built) -> dict[str, list[str]]:
    """Each format read back by the project's text reader, as lines."""
    from generator.text import file_text

    return {fmt: file_text(built[fmt]).splitlines() for fmt in FORMATS}


def test_the_example_grades_what_it_should_show():
    """The example itself: every area has a finding; one is not applicable, one not rated, the
    rest rated; safeguarding on its own scale (the test below would prove little otherwise)."""
    grades = {s["id"]: expected_grade(s) for s in standards()}
    assert set(grades) == set(report()["findings"])
    assert list(grades.values()).count("Not applicable") == 1 and grades["early-years"] == "Not applicable"
    assert list(grades.values()).count("Not rated") == 1 and grades["sixth-form"] == "Not rated"
    assert grades["safeguarding"] == "Met"
    assert "overall_rating" not in report() and "score" not in report()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_area_reads_back_with_its_grade_on_the_report_card_and_at_its_section(texts, fmt):
    lines = texts[fmt]
    for standard in standards():
        grade = expected_grade(standard)
        row = f"{standard['title']} {grade}"  # the report card's row: the area, then its grade
        assert lines.count(row) == 1, (fmt, row)
        heading = lines.index(standard["title"])  # the area's own section: its heading ...
        after = lines[heading + 1:heading + 12]
        grade_lines = [line for line in after if line.startswith("Grade:")]
        assert grade_lines and grade_lines[0] == f"Grade: {grade}", (fmt, standard["id"], after)  # ... then its grade


@pytest.mark.parametrize("fmt", FORMATS)
def test_not_applicable_and_not_rated_are_printed_exactly_where_they_belong(texts, fmt):
    """"Not applicable" only for early years and "Not rated" only for the sixth form: the report
    card's row and the area's "Grade:" line, and nowhere else in the document."""
    lines = texts[fmt]
    for label, title in (("Not applicable", "Early years"), ("Not rated", "Sixth form")):
        holding = [line for line in lines if label in line]
        assert holding == [f"{title} {label}", f"Grade: {label}"], (fmt, label, holding)
        grade_at = lines.index(f"Grade: {label}")
        assert title in lines[grade_at - 6:grade_at], (fmt, label, lines[grade_at - 6:grade_at])


@pytest.mark.parametrize("fmt", FORMATS)
def test_safeguarding_is_met_on_its_own_scale(texts, fmt):
    lines, (safeguarding,) = texts[fmt], [s for s in standards() if s["id"] == "safeguarding"]
    assert scale_labels(safeguarding["scale"]) == ["Met", "Not met"]
    assert f"{safeguarding['title']} Met" in lines and "Grade: Met" in lines
    assert not any("Not met" in line for line in lines), fmt
    five_point = scale_labels(None)
    assert not any(label in line for line in lines if "Safeguarding" in line for label in five_point)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_overall_grade_or_score_is_printed(texts, fmt):
    """Report cards give no overall grade: every line that holds a grade of the five-point scale is
    an area's row, an area's "Grade:" line, or the key to the grades (the label alone), so no
    overall grade can be printed anywhere; and no score or "Overall" caption."""
    lines = texts[fmt]
    five_point = scale_labels(None)
    allowed = {f"{s['title']} {expected_grade(s)}" for s in standards()}
    allowed |= {f"Grade: {expected_grade(s)}" for s in standards()} | set(five_point)
    graded = [line for line in lines if any(re.search(rf"\b{re.escape(label)}\b", line) for label in five_point)]
    assert graded and set(graded) <= allowed, (fmt, sorted(set(graded) - allowed))
    for label in five_point:  # the key names each grade once, on a line of its own
        assert lines.count(label) == 1, (fmt, label)
    text = "\n".join(lines)
    # "overall" only in the details' label of the previous inspection's grade
    assert [line for line in lines if "overall" in line.lower()] == ["Previous overall effectiveness grade Good"], fmt
    assert not re.search(r"\bScore\b", text), fmt
    assert not re.search(r"\b\d+ ?/ ?\d+\b|\bout of \d+\b", text), fmt  # no "12/35", no "out of 35"
    assert "Points" not in text and "Overall rating for a score" not in text, fmt  # the key has no score column


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_isbn_and_no_chief_inspector_where_the_framework_asks_for_neither(texts, fmt):
    text = "\n".join(texts[fmt])
    assert "ISBN" not in text and "Chief Inspector" not in text and "None" not in text, fmt
    assert "© Crown copyright 2026" in texts[fmt]  # the imprint is there, without an ISBN line


def expected_details() -> list[str]:
    """The details table's lines: the header, then each field's label and value, in the framework's
    order (a date in words, as the report prints it)."""
    fw, values = framework()["details"], report()["details"]
    rows = [" ".join(fw["header"])]
    for name, field in fw["fields"].items():
        value = values[name]
        if isinstance(value, dt.date):
            value = f"{value.day} {value:%B %Y}"
        elif isinstance(value, int) and field.get("group_digits", True):
            value = f"{value:,}"  # a whole number as English groups it
        rows.append(f"{field['label']} {value}")
    return rows


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_details_table_reads_back_as_report_yaml_gives_it(texts, fmt):
    lines, rows = texts[fmt], expected_details()
    caption = [line for line in lines if line.endswith(framework()["details"]["caption"])]
    assert len(caption) == 1 and re.fullmatch(r"Table \d+: .+", caption[0]), (fmt, caption)
    start = lines.index(caption[0]) + 1
    assert lines[start:start + len(rows)] == rows, (fmt, lines[start:start + len(rows)])
    assert "URN" in rows[1] and "999123" in rows[1]  # a reference number as given (group_digits: false)
    assert "Number of pupils on the school roll 1,046" in rows  # a count grouped as English writes it


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_previous_grade_is_a_rating_on_the_old_four_point_scale(texts, fmt):
    """The school's previous grade is on the framework's previous-grade scale (Outstanding to
    Inadequate), not the report card's five points: it reads back in the details table, and that
    scale is nowhere a grade of an area (the key lists the report card's five alone)."""
    field = framework()["details"]["fields"]["previous_grade"]
    assert field["type"] == "rating" and field["scale"] == "previous-grade"
    old = scale_labels("previous-grade")
    assert old == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    grade = report()["details"]["previous_grade"]
    assert grade in old and grade not in scale_labels(None)
    assert f"{field['label']} {grade}" in texts[fmt]
    assert not [line for line in texts[fmt] if line in old], fmt  # no badge or key cell of the old scale


def test_the_key_to_the_grades_is_data_cells_under_its_one_header(built):
    """With no score the key has one column, the grades: each is a data cell under the "Grade"
    header (a row header there would head no data cell: axe's th-has-data-cells)."""
    import lxml.html

    page = lxml.html.fromstring(built["html"].read_bytes())
    (key,) = [t for t in page.xpath("//table") if " ".join(t.xpath("./caption")[0].text_content().split())
              == framework()["labels"]["scale_key"]]
    assert [" ".join(c.text_content().split()) for c in key.xpath("./tbody/tr/td")] == scale_labels(None)
    assert key.xpath("./tbody//th") == [] and [h.get("scope") for h in key.xpath("./thead//th")] == ["col"]


def test_a11y_is_clean_on_all_three(built, reportgen):
    result = reportgen("a11y", built["pdf"], built["docx"], built["html"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a11y-" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_the_same_content_builds_the_same_bytes_wherever_the_folder_is(built, tmp_path):
    """Built again, in parallel (as `make demo` does), from a copy in another folder: the same bytes."""
    import shutil

    from generator.build import build

    moved = tmp_path / "elsewhere" / EXAMPLE.name
    shutil.copytree(EXAMPLE, moved)
    again = build(moved, tmp_path / "again", formats=FORMATS).outputs
    for fmt in FORMATS:
        assert again[fmt].read_bytes() == built[fmt].read_bytes(), fmt


def test_a_scale_only_a_details_field_uses_is_not_in_the_ratings_chart_s_key(tmp_path):
    """`::: chart ratings` keys every scale an area is graded on; the previous-grade scale grades no
    area, so the chart is drawn as it would be without that scale (the previous grade then text)."""
    import shutil

    from generator.build import build

    fw_text = FRAMEWORK.read_text(encoding="utf-8")
    start = fw_text.index("  # The grades of the framework before")
    without = fw_text[:start] + fw_text[fw_text.index("\noverall:", start) + 1:]
    without = without.replace("{type: rating, scale: previous-grade, label", "{type: text, label")
    assert list(yaml.safe_load(without)["scales"]) == ["safeguarding"]
    drawn = []
    for name, text in (("with", fw_text), ("without", without)):
        folder = tmp_path / name / "marram-hill-academy"
        shutil.copytree(EXAMPLE, folder)
        (folder / "frameworks").mkdir()
        (folder / "frameworks" / "ofsted-schools-2025.yaml").write_text(text, encoding="utf-8")
        with open(folder / "chapters" / "areas.md", "a", encoding="utf-8") as chapter:
            chapter.write('\n::: chart ratings "The grades of the evaluation areas"\n')
        html = build(folder, tmp_path / name / "out", formats=("html",), parallel=False).outputs["html"]
        drawn.append(re.findall(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", html.read_text(encoding="utf-8")))
    assert drawn[0] and drawn[0] == drawn[1]


def test_a_chapter_prints_a_whole_number_of_the_details_grouped_and_can_still_compare_it(tmp_path):
    """{{ details.pupils }} in a chapter prints as ::: details does (1,046); the URN, group_digits:
    false, as given; and the value is still a number to a template."""
    import shutil

    from generator.build import build
    from generator.text import file_text

    folder = tmp_path / "marram-hill-academy"
    shutil.copytree(EXAMPLE, folder)
    with open(folder / "chapters" / "about-school.md", "a", encoding="utf-8") as chapter:
        chapter.write("\nThe school had {{ details.pupils }} pupils{% if details.pupils > 1000 %}, over a thousand"
                      "{% endif %} ({{ details.pupils + 1 - 1 }} counted again), URN {{ details.urn }}.\n")
    html = build(folder, tmp_path / "out", formats=("html",), parallel=False).outputs["html"]
    text = " ".join(file_text(html).split())
    assert "The school had 1,046 pupils, over a thousand (1046 counted again), URN 999123." in text
