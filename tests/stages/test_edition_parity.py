"""The parity check of editions (issue 25, item 4; generator/stages/parity.py): each seeded
difference of the corpus (tests/bad/cases.yaml, `parity: true`) found at both places, the Welsh
edition's and the English one's; a clean pair gives nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.stages.load import load
from generator.stages.parity import check_editions, compare_editions, editions_in
from tests.conftest import copy_report
from tests.stages.test_bad import CASES, assert_located, mutate

PARITY = [case for case in CASES if case.get("parity")]
WELSH = [other for other in PARITY[0]["also"]]  # report.yaml's editions, the Welsh foreword


def parity_lines(report: Path, monkeypatch) -> list[str]:
    """What the parity check says of the report folder's English and Welsh chapters, as printed."""
    monkeypatch.chdir(report)
    diags = Diagnostics()
    sources = load(report, Diagnostics())
    assert editions_in(sources) == ["en-GB", "cy-GB"]  # report.yaml's, as `check` reads it
    check_editions(sources.chapters, editions_in(sources), diags)
    return "\n".join(map(str, diags.sorted())).splitlines()


def test_the_corpus_seeds_each_difference_the_issue_names():
    codes = {case["id"]: case["code"] for case in PARITY}
    for seeded in ("edition-footnote-missing", "edition-part-missing", "edition-number-differs",
                   "edition-untranslated", "edition-table-missing", "edition-figure-extra",
                   "edition-template-value-missing", "edition-cross-reference-missing", "edition-marker-missing",
                   "edition-box-missing"):
        assert seeded in codes
    assert all("related" in case and case["where"].endswith(".cy.md") for case in PARITY)


@pytest.mark.parametrize("case", PARITY, ids=[c["id"] for c in PARITY])
def test_a_seeded_difference_is_found_in_both_editions(case, tmp_path, monkeypatch):
    report = copy_report(tmp_path)
    path = mutate(report, case)
    if "where" in case:
        path = report / case["where"]
    lines = parity_lines(report, monkeypatch)
    assert_located(case, report, path, lines)


def test_the_clean_pair_gives_nothing(tmp_path, monkeypatch):
    report = copy_report(tmp_path)
    for edit in WELSH:
        mutate(report, edit)
    assert parity_lines(report, monkeypatch) == []


def _chapters(tmp_path: Path, english: str, welsh: str) -> tuple[dict, dict]:
    from generator.stages.load import ChapterFile

    (tmp_path / "x.md").write_text(english, encoding="utf-8")
    (tmp_path / "x.cy.md").write_text(welsh, encoding="utf-8")
    return ({"x.md": ChapterFile(tmp_path / "x.md", "x.md", english)},
            {"x.md": ChapterFile(tmp_path / "x.cy.md", "x.cy.md", welsh)})


def _compare(tmp_path, english: str, welsh: str) -> list[str]:
    diags = Diagnostics()
    compare_editions(*_chapters(tmp_path, english, welsh), "en-GB", "cy-GB", diags)
    return [str(d) for d in diags.sorted()]


def test_names_numbers_and_template_values_alike_in_both_are_no_untranslated_paragraph(tmp_path):
    same = "Surrey Probation Delivery Unit (PDU), 2024: {{ report.unit }}\n"
    assert _compare(tmp_path, same, same) == []
    prose = "The work to keep other people safe was insufficient in the cases.\n"
    said = _compare(tmp_path, prose, prose)
    assert len(said) == 1 and "warning[edition-untranslated]" in said[0]
    assert said[0].splitlines()[1].startswith(f"{tmp_path / 'x.md'}:1:1: note: ")


def test_words_in_another_language_are_not_untranslated(tmp_path):
    """A span marked as another language (`[x]{lang=en}`: a node with a `lang`) is not prose to
    translate; its numbers still count."""
    from dataclasses import dataclass

    from generator.model import Text
    from generator.stages.parity import _Inlines, prose_words

    @dataclass(frozen=True)
    class Span:  # the shape the spans syntax gives a span in another language
        children: tuple
        lang: str = ""

    read = _Inlines().read((Span((Text("the work of the unit in 2024"),), "en"), Text(" yn dda")))
    assert prose_words(read.words) < 3 and "2024" in read.all_text
    assert prose_words(_Inlines().read((Span((Text("the work of the unit"),)),)).words) == 5


def test_a_chapter_that_does_not_parse_is_left_to_the_parse_stage(tmp_path):
    assert _compare(tmp_path, "A paragraph.\n\nAnother one.\n", "Paragraff \x1b.\n") == []


def test_two_editions_too_unlike_to_align_are_said_once_in_bounded_time(tmp_path):
    english = "".join(f"Paragraph {i} of the text.\n\n" for i in range(1100))
    welsh = "".join(f"- Eitem {i} o'r testun.\n" for i in range(1100))
    said = _compare(tmp_path, english, welsh)
    assert len(said) == 1 and "they do not meet again in the next 1100 and 1100" in said[0], said


def test_a_diagnostic_with_a_related_place_prints_a_note_line(tmp_path):
    diags = Diagnostics()
    diags.error("edition-unmatched", "missing \x1b here", tmp_path / "a.cy.md", 3, 2,
                related=[(tmp_path / "a.md", 4, 1, "there \x07")])
    assert str(diags.items[0]) == (f"{tmp_path / 'a.cy.md'}:3:2: error[edition-unmatched]: missing \\x1b here\n"
                                   f"{tmp_path / 'a.md'}:4:1: note: there \\x07")


def test_a_paragraph_added_to_a_run_of_like_paragraphs_is_found(tmp_path):
    """The start and end the editions share overlap here (every unit is a paragraph): the one left over is still named."""
    said = _compare(tmp_path, "One 1.\n\nTwo 2.\n", "Un 1.\n\nDau 2.\n\nTri 2.\n")
    assert len(said) == 1 and "error[edition-unmatched]: a paragraph 'Tri 2.' is in the cy-GB edition" in said[0], said


def test_a_cross_reference_to_the_counterpart_of_the_primary_s_anchor_is_the_same(tmp_path):
    english = "## Partnerships\n\nSee [](#staffing), [](#fig-map) and [](#background).\n\n## Staffing\n\nText of the part.\n"
    welsh = "## Partneriaethau\n\nGweler [](#staffio), [](#fig-map) a [](#cefndir).\n\n## Staffio\n\nTestun y rhan.\n"
    # #background and #cefndir: the parts' anchors, made from report.yaml's titles in each language,
    # which no chapter gives: not compared
    assert _compare(tmp_path, english, welsh) == []
    said = _compare(tmp_path, english, welsh.replace("[](#staffio)", "[](#partneriaethau)"))
    assert len(said) == 1 and "error[edition-reference-differs]: this cross-reference goes to #partneriaethau" in said[0]


def test_an_item_missing_from_a_nested_list_is_placed_at_its_neighbour(tmp_path):
    english = "- First item of the list\n    - a nested item\n    - a second nested item\n- Second item of the list\n"
    welsh = "- Eitem gyntaf y rhestr\n    - eitem nythu\n- Ail eitem y rhestr\n"
    said = _compare(tmp_path, english, welsh)
    assert len(said) == 1, said
    error, note = said[0].splitlines()
    assert error.startswith(f"{tmp_path / 'x.cy.md'}:3:1: error[edition-unmatched]: a list item 'a second nested item'")
    assert note.startswith(f"{tmp_path / 'x.md'}:3:5: note: ")
