"""`reportgen diff`: exit status like diff(1), and the redline page read back from the written file."""

from __future__ import annotations

import html.parser
import os

import pytest

from tests.conftest import SURREY, copy_report


class Page(html.parser.HTMLParser):
    """The redline page as a reader meets it: the ratings table's rows, each part's heading and
    the text of its <ins> and <del> elements, and whether anything in it runs code."""

    def __init__(self, source: str):
        super().__init__()
        self.rows: list[list[str]] = []
        self.parts: dict[str, dict[str, list[str]]] = {}
        self.tags: list[str] = []
        self.stack: list[str] = []
        self.section = ""
        self.cell = None
        self.feed(source)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.stack.append(tag)
        if tag == "section" and dict(attrs).get("class") == "ratings-changes":
            self.section = "ratings"
        elif tag == "h3":
            self.section = "heading"
        elif tag == "tr" and self.section == "ratings":
            self.rows.append([])
        elif tag in ("td", "th") and self.section == "ratings":
            self.cell = ""
        elif tag in ("ins", "del") and self.section not in ("ratings", ""):
            self.parts[self.section][tag].append("")

    def handle_endtag(self, tag):
        self.stack.pop()
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell)
            self.cell = None
        elif tag == "section" and self.section == "ratings":
            self.section = ""

    def handle_data(self, data):
        if self.section == "heading" and self.stack[-1] == "h3":
            self.section = data.split(" (")[0]
            self.parts[self.section] = {"ins": [], "del": []}
        elif self.cell is not None:
            self.cell += data
        elif self.stack and self.stack[-1] in ("ins", "del") and self.section in self.parts:
            self.parts[self.section][self.stack[-1]][-1] += data


def p21_good(tmp_path):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace("P2.1: {key_questions: [46, 73, 32]}",
                                             "P2.1: {key_questions: [70, 73, 68]}"))
    return report


def test_the_redline_shows_the_changed_ratings_at_the_top_and_the_words_by_part(tmp_path, reportgen):
    page_file = tmp_path / "changes.html"
    result = reportgen("diff", SURREY, p21_good(tmp_path), "--html", page_file)
    assert result.returncode == 1, result.stderr
    page = Page(page_file.read_text(encoding="utf-8"))
    assert page.rows == [["What", "Was", "Now"], ["Score", "3/21", "5/21"], ["P 2.1 Assessment", "Inadequate", "Good"]]
    assert set(page.parts) == {"Ratings", "1. Organisational arrangements and activity", "2. Service delivery"}, \
        "only the changed parts, by their titles"
    # domain 1's prose prints P2.1's rating ("all domain two standards had been rated as '...'")
    assert page.parts["1. Organisational arrangements and activity"] == {"del": ["Inadequate"], "ins": ["Good"]}
    delivery = page.parts["2. Service delivery"]
    # word level: only the changed words are marked, not the whole line
    assert delivery["del"] == ["Inadequate", "46", "32"] and delivery["ins"] == ["Good", "70", "68"]
    assert page.parts["Ratings"] == {"del": ["3", "Inadequate"], "ins": ["5", "Good"]}
    assert "script" not in page.tags and "link" not in page.tags, "self-contained, nothing runs"
    style = page_file.read_text(encoding="utf-8")
    assert "ins {" in style and "text-decoration: underline" in style and "line-through" in style


def test_the_same_texts_exit_0_with_an_empty_diff_and_a_page_that_says_so(tmp_path, reportgen):
    page_file = tmp_path / "same.html"
    result = reportgen("diff", SURREY, copy_report(tmp_path), "--html", page_file)
    assert (result.returncode, result.stdout) == (0, "")
    page = Page(page_file.read_text(encoding="utf-8"))
    assert page.parts == {} and page.rows == []
    assert "No rating or score changed." in page_file.read_text(encoding="utf-8")


def test_a_report_folder_with_errors_is_trouble_not_a_difference(tmp_path, reportgen):
    report = copy_report(tmp_path)
    (report / "report.yaml").write_text((report / "report.yaml").read_text().replace("framework:", "framwork:"))
    result = reportgen("diff", SURREY, report)
    assert result.returncode == 2
    assert "error[" in result.stderr and "nothing compared" in result.stderr


def test_two_built_files_redline_says_ratings_need_report_folders(surrey_build, tmp_path, reportgen):
    html_file = surrey_build.outputs["html"]
    edited = tmp_path / "edited.html"
    edited.write_text(html_file.read_text(encoding="utf-8").replace("<strong>3/21</strong>", "<strong>4/21</strong>"),
                      encoding="utf-8")
    page_file = tmp_path / "files.html"
    assert reportgen("diff", html_file, edited, "--html", page_file).returncode == 1
    page = Page(page_file.read_text(encoding="utf-8"))
    assert page.parts == {"Ratings": {"del": ["3"], "ins": ["4"]}}
    assert "compared only between two report folders" in page_file.read_text(encoding="utf-8")


def test_parts_added_and_removed_are_shown_where_they_stood():
    from generator.redline import Side, part_changes

    old = Side("old", "", (("", "Cover"), ("x", "X\nold text"), ("y", "Y\nsame")), None)
    new = Side("new", "", (("", "Cover"), ("y", "Y\nsame"), ("z", "Z\nnew text")), None)
    shown = [(p.title, p.status, [text for block in p.blocks for line in block.lines for _, text in line])
             for p in part_changes(old, new)]
    assert shown == [("Cover", "same", []), ("X", "removed", ["X", "old text"]), ("Y", "same", []),
                     ("Z", "added", ["Z", "new text"])]


def test_the_text_of_a_pdf_or_docx_is_one_part_called_text():
    from generator.redline import WHOLE, Side, part_changes

    old, new = Side("a.pdf", "x\ny\n", ((WHOLE, "x\ny"),), None), Side("b.pdf", "x\nz\n", ((WHOLE, "x\nz"),), None)
    (part,) = part_changes(old, new)
    assert (part.title, part.status) == ("Text", "changed")
    assert [line for block in part.blocks for line in block.lines] == [[("", "x")], [("del", "y"), ("ins", "z")]]


def _two_pages(tmp_path):
    old, new = tmp_path / "old.html", tmp_path / "new.html"
    old.write_text("<!DOCTYPE html><html lang='en'><body><p>The old text.</p></body></html>", encoding="utf-8")
    new.write_text("<!DOCTYPE html><html lang='en'><body><p>The new text.</p></body></html>", encoding="utf-8")
    return old, new


def _spellings(tmp_path, old, new, how):
    if how == "the same path":
        return new
    if how == "another spelling":
        (tmp_path / "sub").mkdir()
        return tmp_path / "sub" / ".." / new.name
    if how == "a symlink":
        (tmp_path / "page.html").symlink_to(new)
        return tmp_path / "page.html"
    if how == "a hard link":
        os.link(old, tmp_path / "page.html")
        return tmp_path / "page.html"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["the same path", "another spelling", "a symlink", "a hard link"])
def test_the_redline_page_never_overwrites_a_file_it_compares(tmp_path, reportgen, how):
    old, new = _two_pages(tmp_path)
    before = {p: p.read_bytes() for p in (old, new)}
    target = _spellings(tmp_path, old, new, how)
    result = reportgen("diff", old, new, "--html", target)
    assert result.returncode == 2, result
    assert "--html" in result.stderr and "would overwrite it" in result.stderr
    assert result.stdout == ""  # refused before anything was compared or written
    assert {p: p.read_bytes() for p in (old, new)} == before


def test_the_redline_page_is_written_beside_its_inputs(tmp_path, reportgen):
    old, new = _two_pages(tmp_path)
    result = reportgen("diff", old, new, "--html", tmp_path / "changes.html")
    assert result.returncode == 1
    page = Page((tmp_path / "changes.html").read_text(encoding="utf-8"))
    assert page.parts == {"Cover": {"del": ["old"], "ins": ["new"]}}  # a page with no parts is all cover
