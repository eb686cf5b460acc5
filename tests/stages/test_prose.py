"""The `prose-rating` lint: a sentence stating a rating that the computed findings contradict is a
warning with the fix; the rating words are the framework's own labels; the bundled examples,
whose prose prints computed ratings, give none."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, SURREY, copy_report

P21_GOOD = ("P2.1: {key_questions: [46, 73, 32]}", "P2.1: {key_questions: [70, 73, 68]}")


def warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "warning[prose-rating]" in line]


@pytest.mark.parametrize("example", ["surrey-pdu", "northshire-yjs", "thematic-example"])
def test_the_bundled_examples_state_no_rating_their_findings_contradict(reportgen, example):
    result = reportgen("check", ROOT / "content" / example, "--strict")
    assert result.returncode == 0, result.stderr


def test_the_example_prints_its_ratings_so_a_changed_finding_changes_the_prose(tmp_path, reportgen):
    """P2.1 changed to Good: the sentence on domain two now prints 'Good' (computed), and the
    lint notices that 'all domain two standards' are no longer rated alike."""
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace(*P21_GOOD))
    result = reportgen("check", report)
    assert result.returncode == 0, result.stderr
    (line,) = warnings(result)
    assert re.search(r"chapters/domain-1\.md:3: warning\[prose-rating\]: the text says domain 2's standards are "
                     r"rated 'Good', but P 2\.2 Planning is rated 'Inadequate': write "
                     r"\{\{ standards\[\"P2\.2\"\]\.rating\.label \}\} instead of the word, or reword$", line), line


def test_a_written_rating_word_near_a_standard_is_checked_against_the_finding(tmp_path, reportgen):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace(*P21_GOOD))
    chapter = report / "chapters" / "domain-2.md"
    chapter.write_text(chapter.read_text() + "\n\nAssessment (P2.1) was rated 'Inadequate' and P2.2 was rated "
                       "Inadequate.\n\nThe overall rating was Good. Staff gave good support, which was not rated.\n")
    result = reportgen("check", report)
    lines = [line.split("warning[prose-rating]: ")[1] for line in warnings(result)]
    assert ("the text says P 2.1 Assessment is rated 'Inadequate', but the findings give 'Good': "
            "write {{ standards[\"P2.1\"].rating.label }} instead of the word, or reword") in lines
    assert not any(line.startswith("the text says P 2.2") for line in lines), "P2.2 is Inadequate: no contradiction"
    # "The overall rating was Good." sits in P2.4's block (the last `::: standard` of the chapter)
    assert any("P 2.4 Reviewing is rated 'Good', but the findings give 'Inadequate'" in line for line in lines)
    assert len(lines) == 3, f"and the domain-two sentence of domain-1.md; 'good support' is no claim: {lines}"


def test_the_rating_words_are_the_frameworks_labels(tmp_path, reportgen):
    """A framework whose worst rating is called 'Poor': 'Poor' is a rating word, 'Inadequate' is not."""
    report = copy_report(tmp_path)
    framework = (ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8")
    (report / "frameworks").mkdir()
    (report / "frameworks" / "hmip-pdu-2023.yaml").write_text(framework.replace("label: Inadequate", "label: Poor"),
                                                             encoding="utf-8")
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text() + "\n\nWe rated P 1.1 Leadership as Poor. We rated P 1.2 Staffing as "
                       "Inadequate.\n")
    result = reportgen("check", report)
    lines = warnings(result)
    assert len(lines) == 1 and "P 1.1 Leadership is rated 'Poor', but the findings give 'Requires improvement'" \
        in lines[0], result.stderr
