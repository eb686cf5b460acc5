"""Every problem at once: a chapter whose template fails (merge) still has its Markdown checked
(parse, assemble) on the lines no template construct touches, and so have the other chapters;
what the blanked constructs would make up is never reported."""

from __future__ import annotations

import re

from tests.conftest import copy_report


def located(stderr: str) -> list[tuple[str, int, str]]:
    return [(m[1], int(m[2]), m[3]) for m in re.finditer(r"chapters/([\w-]+\.md):(\d+): \w+\[([a-z0-9-]+)\]", stderr)]


def test_a_template_error_hides_no_markdown_problem_of_its_chapter_or_the_others(tmp_path, reportgen):
    report = copy_report(tmp_path)
    background = report / "chapters" / "background.md"
    background.write_text(background.read_text().replace("{{ sample.licences }}", "{{ sample.licenses }}")
                          .replace("[^ons]:", "[^onss]:"))
    foreword = report / "chapters" / "foreword.md"
    foreword.write_text(foreword.read_text() + "\n\n#### Too deep\n")
    domain1 = report / "chapters" / "domain-1.md"
    lines = domain1.read_text().count("\n")
    domain1.write_text(domain1.read_text() + "\n{{ nosuch }}\n\n![](images/none.png)\n")
    result = reportgen("check", report)
    assert result.returncode == 1
    found = located(result.stderr)
    assert ("background.md", 1, "jinja-undefined") in found
    assert ("background.md", 7, "footnote-undefined") in found, "the same chapter's Markdown, below its template error"
    assert ("foreword.md", 21, "heading-skip") in found, "another chapter's Markdown"
    assert ("domain-1.md", lines + 2, "jinja-undefined") in found
    assert ("domain-1.md", lines + 4, "image-alt-missing") in found and ("domain-1.md", lines + 4, "image-missing") in found
    assert len(found) == 7, result.stderr


def test_what_a_blanked_expression_would_make_up_is_not_reported(tmp_path, reportgen):
    """domain-2.md's footnotes link to {{ links.data_workbook }}: misspelt, the link has no target
    while its Markdown is checked; only the template error is said, at its line."""
    report = copy_report(tmp_path)
    chapter = report / "chapters" / "domain-2.md"
    chapter.write_text(chapter.read_text().replace("{{ links.data_workbook }}", "{{ links.data_workbok }}"))
    result = reportgen("check", report)
    assert result.returncode == 1
    assert [(name, code) for name, _, code in located(result.stderr)] == [("domain-2.md", "jinja-undefined")], \
        result.stderr
    assert "template-value" not in result.stderr


def test_the_rating_of_a_standard_not_rated_is_said_so(tmp_path, reportgen):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace("  P1.1: {rating: Requires improvement}", "  P1.1: {not_rated: true}"))
    result = reportgen("check", report)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "chapters/domain-1.md:3: error[jinja-undefined]: 'standards[\"P1.1\"].rating' is empty here (the standard is "
        "not rated), so 'standards[\"P1.1\"].rating.label' cannot be printed: reword the sentence, or test it first "
        "({% if ... %})")
