"""`reportgen diff` between two editions in different languages (issue 25, item 4): compared by
structure (generator/structure.py over generator/stages/parity.py's core), "same structure" for a
clean pair of built files or report folders, each difference named on both sides for a broken one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.build import build
from generator.structure import language_of
from tests.conftest import ROOT

WELSH = {"the": "y", "and": "a", "of": "o", "was": "oedd", "were": "roedd", "to": "i", "in": "yn", "with": "gyda",
         "had": "wedi", "for": "ar gyfer", "that": "bod", "this": "hyn", "is": "yw", "are": "yw", "by": "gan",
         "on": "ar", "not": "ddim", "we": "ni", "our": "ein", "a": "un", "as": "fel", "be": "bod", "or": "neu",
         "an": "un", "from": "o"}
# what stays as it is: template constructs, attributes, link targets, footnote labels
KEPT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?\}|\]\([^)]*\)|\[\^[^\]]*\]")


def welsh(text: str) -> str:
    """The chapter with its common English words in Welsh: other words, the same structure."""
    out = []
    for line in text.split("\n"):
        if line.lstrip().startswith(":::"):
            out.append(line)
            continue
        pieces, kept = KEPT.split(line), KEPT.findall(line) + [""]
        out.append("".join(re.sub(r"\b[a-z]+\b", lambda m: WELSH.get(m[0], m[0]), piece) + keep
                           for piece, keep in zip(pieces, kept)))
    return "\n".join(out)


def welsh_copy(dest: Path) -> Path:
    shutil.copytree(ROOT / "content" / "surrey-pdu", dest)
    for chapter in (dest / "chapters").glob("*.md"):
        chapter.write_text(welsh(chapter.read_text(encoding="utf-8")), encoding="utf-8")
    report = dest / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("language: en-GB", "language: cy-GB"), encoding="utf-8")
    return dest


def break_edition(report: Path, chapter: str = "background.md") -> None:
    """Seed differences: a footnote dropped, a number changed in prose, a paragraph added (with a
    cross-reference)."""
    background = report / "chapters" / chapter
    text = background.read_text(encoding="utf-8")
    assert "1,205,616,[^ons]" in text and "20.4 per cent" in text
    background.write_text(text.replace("1,205,616,[^ons]", "1,205,616,").replace("20.4 per cent", "20.5 per cent"),
                          encoding="utf-8")
    domain = report / "chapters" / chapter.replace("background", "domain-1")
    domain.write_text(domain.read_text(encoding="utf-8").replace("### Strengths:", "### Strengths:\n\nParagraff newydd ([](#background)).",
                                                                 1), encoding="utf-8")


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    root = tmp_path_factory.mktemp("editions")
    en = root / "en"
    shutil.copytree(ROOT / "content" / "surrey-pdu", en)
    cy = welsh_copy(root / "cy")
    broken = welsh_copy(root / "broken")
    break_edition(broken)
    built = {name: build(folder, root / f"out-{name}").outputs for name, folder in
             (("en", en), ("cy", cy), ("broken", broken))}
    return {"en": en, "cy": cy, "broken": broken, "built": built}


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_two_built_editions_of_one_structure_say_same_structure(editions, fmt, reportgen):
    en, cy = editions["built"]["en"][fmt], editions["built"]["cy"][fmt]
    assert (language_of(en), language_of(cy)) == ("en-GB", "cy-GB")  # read back from the files
    result = reportgen("diff", en, cy)
    assert (result.returncode, result.stdout) == (0, "same structure\n"), result.stdout


def _said(out: str) -> list[tuple[str, str]]:
    """Each difference as (its line, the note line after it)."""
    lines = out.splitlines()
    return [(line, lines[i + 1]) for i, line in enumerate(lines) if "error[" in line]


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_a_broken_built_edition_has_each_difference_named_on_both_sides(editions, fmt, reportgen):
    en, broken = editions["built"]["en"][fmt], editions["built"]["broken"][fmt]
    result = reportgen("diff", en, broken)
    assert result.returncode == 1, result.stdout
    said = _said(result.stdout)
    footnotes = [(a, b) for a, b in said if "footnote" in a]
    paragraphs = [(a, b) for a, b in said if "is in the cy-GB edition but not in the en-GB edition" in a
                  and "cross-reference" not in a]
    assert len(footnotes) == 1 and len(paragraphs) == 1, result.stdout
    for error, note in footnotes + paragraphs:
        assert error.startswith(str(broken)) and note.startswith(str(en)) and ": note: " in note, result.stdout
    if fmt == "html":  # the numbers of a PDF or DOCX hold page numbers, which editions may differ in
        assert any("a cross-reference to #background is in the cy-GB edition" in a for a, _ in said), result.stdout
        numbers = [(a, b) for a, b in said if "edition-number-differs" in a]
        assert len(numbers) == 1 and "20.5 here but 20.4 in the en-GB edition" in numbers[0][0], result.stdout
        assert re.match(re.escape(str(broken)) + r":\d+:\d+: ", numbers[0][0])
    assert result.stdout.splitlines()[-1] == f"{len(said)} structural difference(s)"


def test_two_report_folders_in_two_languages_compare_their_chapters(editions, reportgen, monkeypatch):
    monkeypatch.chdir(editions["en"].parent)
    clean = reportgen("diff", "en", "cy")
    assert clean.returncode == 0 and clean.stdout.splitlines()[-1] == "same structure", clean.stdout
    assert "error[" not in clean.stdout
    result = reportgen("diff", "en", "broken")
    assert result.returncode == 1
    said = dict(_said(result.stdout))
    background = (Path("broken/chapters/background.md").read_text(encoding="utf-8")).splitlines()
    line = next(i for i, text in enumerate(background, 1) if "20.5 per cent" in text)
    number = next(a for a in said if "edition-number-differs" in a)
    assert number.startswith(f"broken/chapters/background.md:{line}:{background[line - 1].index('20.5') + 1}: ")
    english = Path("en/chapters/background.md").read_text(encoding="utf-8").splitlines()
    assert said[number].startswith(f"en/chapters/background.md:{line}:{english[line - 1].index('20.4') + 1}: note:")
    footnote = next(a for a in said if "the footnote [^ons]" in a)
    assert footnote.startswith(f"broken/chapters/background.md:{line}:")
    assert said[footnote].startswith(f"en/chapters/background.md:{line}:{english[line - 1].index('[^ons]') + 1}: note:")


def test_one_folders_editions_are_compared_with_editions(tmp_path, reportgen, monkeypatch):
    report = tmp_path / "bilingual"
    shutil.copytree(ROOT / "content" / "surrey-pdu", report)
    for chapter in list((report / "chapters").glob("*.md")):
        chapter.with_name(chapter.stem + ".cy.md").write_text(welsh(chapter.read_text(encoding="utf-8")),
                                                            encoding="utf-8")
    yaml_file = report / "report.yaml"
    yaml_file.write_text("editions: [en-GB, cy-GB]\n" + yaml_file.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    clean = reportgen("diff", "bilingual", "--editions")
    assert clean.returncode == 0 and clean.stdout.splitlines()[-1] == "same structure", clean.stdout
    break_edition(report, "background.cy.md")
    result = reportgen("diff", "bilingual", "--editions")
    assert result.returncode == 1
    footnote = next((a, b) for a, b in _said(result.stdout) if "the footnote [^ons]" in a)
    assert footnote[0].startswith("bilingual/chapters/background.cy.md:7:")
    assert footnote[1].startswith("bilingual/chapters/background.md:7:")
    (report / "chapters" / "ratings.cy.md").unlink()
    missing = reportgen("diff", "bilingual", "--editions")
    assert "the chapter ratings.md of the en-GB edition has no counterpart in the cy-GB edition" in missing.stdout


def test_editions_needs_a_folder_with_two(tmp_path, reportgen):
    report = tmp_path / "one"
    shutil.copytree(ROOT / "content" / "surrey-pdu", report)
    result = reportgen("diff", report, "--editions")
    assert result.returncode == 2 and "has one edition (en-GB)" in result.stderr
    assert reportgen("diff", report).returncode == 2  # one side and no --editions: misuse


def test_a_hostile_html_edition_is_read_in_bounded_time(tmp_path, reportgen):
    """Deep nesting and stray end tags: each tag costs the same, whatever came before it."""
    from generator.structure import units_of

    page = ("<!DOCTYPE html><html lang='cy-GB'><body><main>" + "<div>" * 100_000 + "</p>" * 100_000
            + "<p>Paragraff 1.</p></main></body></html>")
    (tmp_path / "a.html").write_text(page, encoding="utf-8")
    units = units_of(tmp_path / "a.html", "a.html")
    assert [u.key for u in units] == [("paragraph",)] and units[0].numbers == {"1": 1}
    assert language_of(tmp_path / "a.html") == "cy-GB"
