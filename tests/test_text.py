"""`reportgen text` and `reportgen diff`: the normalised text of any built file (generator/text.py),
which the golden files and draft diffs compare."""

from __future__ import annotations

import pytest

from generator.text import UnsupportedFile, file_text, normalise


def test_a_line_ending_in_a_hyphen_is_joined_keeping_the_hyphen():
    assert normalise("a high-\nquality service") == "a high-quality service\n"


def test_a_url_broken_after_a_slash_is_joined():
    assert normalise("see https://example.org/data/\nworkbook.xlsx now") == "see https://example.org/data/workbook.xlsx now\n"


def test_contents_leaders_furniture_and_spacing_are_dropped():
    text = "Foreword . . . . . . 4\r\nPage 3 of 22\n  two   spaces\u00a0here \n\n\n\nsoft\u00adhyphen"
    assert normalise(text, [r"Page \d+ of \d+"]) == "Foreword 4\ntwo spaces here\n\nsofthyphen\n"


def test_pdf_text_has_no_page_furniture(surrey_build, surrey_doc):
    lines = file_text(surrey_build.outputs["pdf"]).splitlines()
    assert surrey_doc.info.title not in lines, "the running header is furniture"
    assert not [line for line in lines if line.startswith("Page ") and " of " in line]
    assert "Score 3/21" in lines


def test_reportgen_text_prints_each_format_s_text(surrey_build, reportgen, golden):
    for fmt, path in surrey_build.outputs.items():
        result = reportgen("text", path)
        assert result.returncode == 0 and result.stderr == ""
        golden(f"surrey-pdu.{fmt}.txt", result.stdout)


def test_text_of_an_unknown_kind_of_file_is_refused(tmp_path, reportgen):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(UnsupportedFile):
        file_text(notes)
    result = reportgen("text", notes)
    assert result.returncode == 2 and "is not a PDF, DOCX or HTML file" in result.stderr and "notes.txt" in result.stderr


def test_diff_of_two_built_files_shows_the_changed_lines(surrey_build, tmp_path, reportgen):
    html = surrey_build.outputs["html"]
    edited = tmp_path / "edited.html"
    edited.write_text(html.read_text(encoding="utf-8").replace("<strong>3/21</strong>", "<strong>4/21</strong>"),
                      encoding="utf-8")
    result = reportgen("diff", html, edited)
    assert result.returncode == 1, "like diff(1): 1 when the texts differ"
    changed = [line for line in result.stdout.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-Score 3/21", "+Score 4/21"]
    same = reportgen("diff", html, html)
    assert (same.returncode, same.stdout) == (0, "")
    assert reportgen("diff", html, tmp_path).returncode == 2, "a file and a folder"
