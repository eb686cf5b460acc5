"""Resolving the example, and what changing a finding does to ratings, score and overall rating."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from generator.build import build, check
from generator.diagnostics import ContentError, Diagnostics
from generator.stages.load import load
from generator.stages.resolve import resolve
from generator.text import file_text
from generator.stages.validate import validate
from tests.conftest import SURREY, copy_report


def resolved_of(report_dir: Path):
    diags = Diagnostics()
    resolved = resolve(validate(load(report_dir, diags), diags), diags)
    assert not diags.items, [str(d) for d in diags.items]
    return resolved


def set_key_questions(report_dir: Path, standard: str, figures: list[int]) -> None:
    path = report_dir / "report.yaml"
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(rf"(  {re.escape(standard)}: {{key_questions: )\[[^\]]*\]",
                         lambda m: m[1] + "[" + ", ".join(map(str, figures)) + "]", text)
    assert count == 1
    path.write_text(new, encoding="utf-8")


def test_the_example_scores_3_of_21_inadequate():
    resolved = resolved_of(SURREY)
    assert (resolved.score, resolved.max_score, resolved.overall.label) == (3, 21, "Inadequate")
    ratings = {sid: rs.rating.label for sid, rs in resolved.standards.items()}
    assert ratings == {"P1.1": "Requires improvement", "P1.2": "Requires improvement",
                       "P1.3": "Requires improvement", "P2.1": "Inadequate", "P2.2": "Inadequate",
                       "P2.3": "Inadequate", "P2.4": "Inadequate"}


def test_changing_one_figure_changes_rating_score_and_overall(tmp_path):
    report = copy_report(tmp_path)
    set_key_questions(report, "P2.1", [70, 73, 68])  # lowest 68: Good (2 points)
    resolved = resolved_of(report)
    assert resolved.standards["P2.1"].rating.label == "Good"
    assert (resolved.score, resolved.overall.label) == (5, "Inadequate")
    set_key_questions(report, "P2.1", [81, 90, 80])  # Outstanding: 3 points -> 6/21
    resolved = resolved_of(report)
    assert resolved.standards["P2.1"].rating.label == "Outstanding"
    assert (resolved.score, resolved.overall.label) == (6, "Requires improvement")


def test_raising_reviewing_above_80_changes_nothing_else(tmp_path, surrey_build):
    """The issue's acceptance line: Reviewing Outstanding, 6/21 Requires improvement, no other change."""
    before = surrey_build.outputs["html"]
    report = copy_report(tmp_path)
    set_key_questions(report, "P2.4", [81, 85, 90])
    after = build(report, tmp_path / "after", formats=("html",)).outputs["html"]
    diff = [line for line in difflib.unified_diff(file_text(before).splitlines(), file_text(after).splitlines(),
                                                  n=0, lineterm="")
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert sorted(diff) == sorted([
        "-Score 3/21", "+Score 6/21",
        "-Overall rating: Inadequate", "+Overall rating: Requires improvement",
        "-P 2.4 Reviewing Inadequate", "+P 2.4 Reviewing Outstanding",
        "-Rating: Inadequate", "+Rating: Outstanding",
        "-Does reviewing focus sufficiently on supporting the compliance and engagement of the person on "
        "probation? 59%",
        "+Does reviewing focus sufficiently on supporting the compliance and engagement of the person on "
        "probation? 81% (lowest score)",
        "-Does reviewing focus sufficiently on supporting desistance? 32%",
        "+Does reviewing focus sufficiently on supporting desistance? 85%",
        "-Does reviewing focus sufficiently on keeping other people safe? 27% (lowest score)",
        "+Does reviewing focus sufficiently on keeping other people safe? 90%",
    ])


def test_a_stated_rating_that_disagrees_is_an_error_naming_both(tmp_path):
    report = copy_report(tmp_path)
    path = report / "report.yaml"
    path.write_text(path.read_text().replace("P2.1: {key_questions: [46, 73, 32]}",
                                             "P2.1: {key_questions: [46, 73, 32], rating: Good}"))
    with pytest.raises(ContentError) as err:
        check(report)
    messages = [str(d) for d in err.value.diagnostics.items]
    assert len(messages) == 1
    assert re.search(r"report\.yaml:\d+:\d+: error\[rating-disagrees\]: P2\.1 is stated as 'Good' but its key "
                     r"questions give 'Inadequate' \(lowest 32%\)", messages[0])


def test_a_stated_score_and_overall_rating_are_checked(tmp_path):
    report = copy_report(tmp_path)
    path = report / "report.yaml"
    path.write_text(path.read_text().replace("\nrecommendations:", "\nscore: 4\noverall_rating: Good\n"
                                             "recommendations:"))
    with pytest.raises(ContentError) as err:
        check(report)
    codes = sorted((d.code, d.message) for d in err.value.diagnostics.items)
    assert codes == [("rating-disagrees", "overall rating is stated as 'Good' but the score 3/21 gives 'Inadequate'"),
                     ("score-disagrees", "score is stated as 4 but the ratings give 3/21")]


def test_stated_values_that_agree_are_accepted(tmp_path):
    report = copy_report(tmp_path)
    path = report / "report.yaml"
    path.write_text(path.read_text().replace("\nrecommendations:", "\nscore: 3\noverall_rating: Inadequate\n"
                                             "recommendations:"))
    diags = Diagnostics()
    document = check(report, diags)
    assert diags.items == []
    summary = next(n for part in document.parts for n in part.blocks if n.kind == "ratings_summary")
    assert ("Score", "3/21") in summary.facts and summary.overall.label == "Inadequate"


def test_a_not_rated_standard_is_out_of_the_score_and_its_maximum(tmp_path):
    """`not_rated: true` takes the standard out of the score, and its points out of the maximum:
    the maximum is the scale's top points times the number of *rated* standards."""
    report = copy_report(tmp_path)
    path = report / "report.yaml"
    path.write_text(path.read_text().replace("  P1.1: {rating: Requires improvement}\n", "  P1.1: {not_rated: true}\n"))
    # the example's prose prints P1.1's rating ("an overall rating of '...'"): a standard not rated
    # has none to print (a located jinja-undefined error), so the sentence is reworded
    chapter = report / "chapters" / "domain-1.md"
    chapter.write_text(chapter.read_text().replace("""an overall rating of '{{ standards["P1.1"].rating.label }}' has been""",
                                                   "no rating has been"))
    before, after = resolved_of(SURREY), resolved_of(report)
    top = max(item.points for item in after.framework.scale)
    assert after.standards["P1.1"].rating is None
    assert after.max_score == before.max_score - top == 18
    assert after.score == before.score - before.standards["P1.1"].points == 2
    built = build(report, tmp_path / "out", formats=("html", "docx"))
    for fmt, output in built.outputs.items():
        lines = file_text(output).splitlines()  # the ratings page's lines among them
        assert "Score 2/18" in lines, (fmt, [line for line in lines if line.startswith("Score")])
        assert "P 1.1 Leadership Not rated" in lines, "the standard is listed with the framework's not-rated label"
        assert "P 1.2 Staffing Requires improvement" in lines


def test_not_applicable_is_its_own_state_printed_in_every_format_and_out_of_the_score(tmp_path):
    """`not_applicable: true` shows the framework's `labels.not_applicable` where the standard's
    rating would be (the ratings page and the standard's rating sentence), distinct from a standard
    `not_rated: true` beside it; both are out of the score and its maximum, in PDF, DOCX and HTML."""
    report = copy_report(tmp_path)
    framework = report / "frameworks" / "hmip-pdu-2023.yaml"
    framework.parent.mkdir()
    text = (SURREY.parent.parent / "generator" / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8")
    assert "  not_rated: Not rated\n" in text
    framework.write_text(text.replace("  not_rated: Not rated\n", "  not_rated: Not rated\n"
                                      "  not_applicable: Not applicable\n"), encoding="utf-8")
    path = report / "report.yaml"
    path.write_text(path.read_text().replace("  P1.1: {rating: Requires improvement}\n", "  P1.1: {not_rated: true}\n")
                    .replace("  P1.3: {rating: Requires improvement}\n", "  P1.3: {not_applicable: true}\n"))
    chapter = report / "chapters" / "domain-1.md"
    chapter.write_text(chapter.read_text().replace("""an overall rating of '{{ standards["P1.1"].rating.label }}' has been""",
                                                   "no rating has been"))
    before, after = resolved_of(SURREY), resolved_of(report)
    top = max(item.points for item in after.framework.scale)
    assert after.standards["P1.3"].rating is None and after.standards["P1.3"].not_applicable
    assert not after.standards["P1.1"].not_applicable
    assert after.max_score == before.max_score - 2 * top == 15
    assert after.score == before.score - before.standards["P1.1"].points - before.standards["P1.3"].points == 1
    built = build(report, tmp_path / "out", formats=("pdf", "html", "docx"))
    assert sorted(built.outputs) == ["docx", "html", "pdf"]
    for fmt, output in built.outputs.items():
        lines = file_text(output).splitlines()
        assert "Score 1/15" in lines, (fmt, [line for line in lines if line.startswith("Score")])
        ratings = [line for line in lines if line.startswith("P 1.")]  # the ratings page's rows
        assert "P 1.1 Leadership Not rated" in ratings, (fmt, ratings)
        assert "P 1.2 Staffing Requires improvement" in ratings, (fmt, ratings)
        assert "P 1.3 Services Not applicable" in ratings, (fmt, ratings)
        sentences = [line for line in lines if line.startswith("Rating:")]  # each standard's rating, in order
        assert sentences[:3] == ["Rating: Not rated", "Rating: Requires improvement", "Rating: Not applicable"], \
            (fmt, sentences)
