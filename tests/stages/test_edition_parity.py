"""The parity check of editions (issue 25, item 4; generator/stages/parity.py): each seeded
difference of the corpus (tests/bad/cases.yaml, `parity: true`) found at both places, the Welsh
edition's and the English one's; a clean pair gives nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.editions import edition_suffix_of
from generator.stages.load import load
from generator.stages.parity import compare_editions, edition_chapters
from tests.conftest import copy_report
from tests.stages.test_bad import CASES, assert_located, mutate

PARITY = [case for case in CASES if case.get("parity")]
WELSH_FOREWORD = next(other for other in PARITY[0]["also"] if other.get("add") == "chapters/foreword.cy.md")


def parity_lines(report: Path, monkeypatch) -> list[str]:
    """What the parity check says of the report folder's English and Welsh chapters, as printed."""
    monkeypatch.chdir(report)
    sources = load(report, Diagnostics())
    primary = {name: chapter for name, chapter in sources.chapters.items()
               if edition_suffix_of(Path(name), ("cy",)) is None}
    diags = Diagnostics()
    compare_editions(primary, edition_chapters(sources.chapters, "cy"), "en-GB", "cy-GB", diags)
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
    mutate(report, WELSH_FOREWORD)
    assert parity_lines(report, monkeypatch) == []
