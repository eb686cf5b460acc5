"""The DOCX pagination pass (generator/writers/docx/pagination.py, `build --docx-page-numbers`):
the contents' page numbers are the pages LibreOffice lays each part out on.

The numbers are read back from the built DOCX as LibreOffice shows it, on a machine without
Lato (tests/readback.py `libreoffice_pdf`), and compared with the page each part starts on there;
the cases LibreOffice cannot give right numbers for (missing, failing, pages that do not settle)
are made with a monkeypatch.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from generator.build import ToolMissing, build
from generator.diagnostics import Diagnostics
from generator.writers.docx import pagination
from generator.writers.docx.writer import write_docx
from tests.conftest import ROOT, SURREY
from tests.readback import libreoffice_pdf, pdf_lines, pdf_pages

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    """The example's DOCX built with --docx-page-numbers (the real LibreOffice)."""
    built = build(SURREY, tmp_path_factory.mktemp("numbered"), formats=("docx",), docx_page_numbers=True)
    assert not built.diagnostics.items, [str(d) for d in built.diagnostics.items]
    return built


def contents_lines(docx: Path) -> list[tuple[str, str]]:
    """(title, page or "") of each TOC 1 paragraph of the DOCX's body: the field's cached result."""
    with zipfile.ZipFile(docx) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    style_ids = {"TOC1"}
    out = []
    for p in body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is None or style.get(f"{W}val") not in style_ids:
            continue
        text = "".join("\t" if el.tag == f"{W}tab" else el.text or "" for el in p.iter(f"{W}t", f"{W}tab"))
        title, _, page = text.partition("\t")
        out.append((title, page))
    return out


def test_the_contents_numbers_are_the_pages_libreoffice_starts_each_part_on(numbered, tmp_path, surrey_build):
    pdf = libreoffice_pdf(numbered.outputs["docx"], tmp_path)
    assert abs(pdf_pages(pdf) - pdf_pages(surrey_build.outputs["pdf"])) <= 1, "lays out like the PDF, within a page"
    pages = [lines[1:] for lines in pdf_lines(pdf)]  # less the running header
    contents = next(lines for lines in pages if lines[:1] == ["Contents"])
    model = next(n for part in numbered.document.parts for n in part.blocks if n.kind == "contents")
    assert len(model.entries) == 7
    for entry in model.entries:
        line = next((line for line in contents if line.startswith(entry.title)), None)
        number = re.fullmatch(re.escape(entry.title) + r"\.{3,} ?(\d+)", line or "")
        assert number, (entry.title, line)  # the title, a dot leader, the number
        page = pages[int(number[1]) - 1]
        assert page[0] == entry.title, (entry.title, number[1])  # the page's first body line
        assert page[-1] == f"Page {number[1]} of {len(pages)}", "the number LibreOffice's own footer gives it"
    import pypdf  # noqa: PLC0415

    reader = pypdf.PdfReader(surrey_build.outputs["pdf"])
    starts = {item.title: str(reader.get_destination_page_number(item) + 1)
              for item in reader.outline if not isinstance(item, list)}
    assert [page for _, page in contents_lines(numbered.outputs["docx"])] == [
        starts[entry.title] for entry in model.entries], "LibreOffice 7.4 starts the parts on the PDF's pages"


def test_the_numbers_are_in_the_fields_cached_result_after_a_tab(numbered, surrey_build):
    with zipfile.ZipFile(numbered.outputs["docx"]) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        settings = package.read("word/settings.xml")
    # every number known: Word is not asked to update fields on opening; without them it is
    assert b"updateFields" not in settings
    with zipfile.ZipFile(surrey_build.outputs["docx"]) as package:
        assert b'<w:updateFields w:val="true"/>' in package.read("word/settings.xml")
    entries = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "TOC1"]
    assert len(entries) == 7
    assert entries[0].find(f"{W}r/{W}fldChar").get(f"{W}fldCharType") == "begin"
    assert "".join(entries[0].itertext()).strip().startswith("TOC ")
    assert entries[-1].findall(f"{W}r/{W}fldChar")[-1].get(f"{W}fldCharType") == "end"
    for p in entries:  # in the entry's link, as Word writes them: the title, a tab, the number
        [link] = p.findall(f"{W}hyperlink")
        assert [child.tag for child in link.iter(f"{W}tab", f"{W}t")][-2:] == [f"{W}tab", f"{W}t"]


def test_the_same_content_gives_the_same_bytes(numbered, surrey_doc):
    again = io.BytesIO()
    write_docx(surrey_doc, SURREY, again, page_numbers=True)
    assert again.getvalue() == numbered.outputs["docx"].read_bytes()


def test_without_the_option_the_contents_has_no_numbers(surrey_build):
    lines = contents_lines(surrey_build.outputs["docx"])
    assert len(lines) == 7 and all(page == "" for _, page in lines)


def test_batch_builds_pass_the_option_on(tmp_path):
    from generator.batch import build_one, plan

    (job,) = plan([ROOT / "content" / "thematic-example"], tmp_path / "out", formats=("docx",), docx_page_numbers=True)
    result = build_one(job)
    assert result.ok and not result.diagnostics, result.diagnostics
    lines = contents_lines(tmp_path / "out" / "thematic-example" / "thematic-example.docx")
    assert lines and all(page.isdigit() for _, page in lines), lines


# --------------------------------------------------------------------------- when LibreOffice cannot say

def test_libreoffice_missing_is_a_usage_error_and_nothing_is_written(monkeypatch, tmp_path, reportgen):
    monkeypatch.setattr(pagination, "libreoffice", lambda: None)
    out = tmp_path / "out"
    with pytest.raises(ToolMissing, match="make system-deps"):
        build(SURREY, out, formats=("docx",), docx_page_numbers=True)
    ran = reportgen("build", SURREY, "--out", out, "--docx-page-numbers")
    assert ran.returncode == 2
    assert ran.stderr.startswith("reportgen: error: --docx-page-numbers lays the DOCX out with LibreOffice")
    assert "`make system-deps`" in ran.stderr and "Traceback" not in ran.stderr
    several = reportgen("build", SURREY, ROOT / "content" / "thematic-example", "--out", out, "--docx-page-numbers")
    assert several.returncode == 2 and "`make system-deps`" in several.stderr
    assert not out.exists()
    assert reportgen("build", SURREY, "--out", out, "--docx-page-numbers", "--format", "pdf").returncode == 0


def fake_layouts(monkeypatch, layouts: list) -> list:
    """LibreOffice replaced: each layout gives the next of `layouts` ({bookmark: page} for every
    bookmark, from a function of the bookmark's index) or raises it; returns the DOCXs laid out."""
    seen = []

    def lay_out(data, bookmarks, soffice, work):
        seen.append(data)
        layout = layouts[len(seen) - 1]
        if isinstance(layout, Exception):
            raise layout
        return {b: layout(i) for i, b in enumerate(bookmarks)}

    monkeypatch.setattr(pagination, "lay_out", lay_out)
    monkeypatch.setattr(pagination, "libreoffice", lambda: "/usr/bin/soffice")
    return seen


def build_docx(surrey_doc, **kwargs) -> tuple[bytes, Diagnostics]:
    diags, out = Diagnostics(), io.BytesIO()
    write_docx(surrey_doc, SURREY, out, diags, **kwargs)
    return out.getvalue(), diags


def numbers_in(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "x.docx"
    path.write_bytes(data)
    return [page for _, page in contents_lines(path)]


def test_numbers_that_move_are_laid_out_again_until_they_settle(monkeypatch, surrey_doc, tmp_path):
    # the numbers lengthen the contents by a page: every part moves on by one, then stays there
    seen = fake_layouts(monkeypatch, [lambda i: 4 + i, lambda i: 5 + i, lambda i: 5 + i])
    data, diags = build_docx(surrey_doc, page_numbers=True)
    assert not diags.items
    assert len(seen) == 3
    assert numbers_in(data, tmp_path) == [str(5 + i) for i in range(7)]
    assert numbers_in(seen[0], tmp_path) == [""] * 7, "the first layout is of the DOCX without numbers"


def test_pages_that_do_not_settle_warn_and_leave_the_numbers_out(monkeypatch, surrey_doc, tmp_path):
    seen = fake_layouts(monkeypatch, [lambda i: 4 + i, lambda i: 5 + i, lambda i: 4 + i])
    data, diags = build_docx(surrey_doc, page_numbers=True)
    assert len(seen) == pagination.MAX_PASSES
    [warning] = diags.items
    assert warning.code == "docx-page-numbers" and "did not settle in 3 layouts" in warning.message
    assert "'Foreword' 4 -> 5 -> 4" in warning.message
    assert numbers_in(data, tmp_path) == [""] * 7
    plain, _ = build_docx(surrey_doc)
    assert data == plain, "exactly the DOCX built without the option"


def test_a_failed_layout_warns_and_leaves_the_numbers_out(monkeypatch, surrey_doc, tmp_path):
    fake_layouts(monkeypatch, [lambda i: 4 + i, pagination.LayoutFailed("LibreOffice took more than 0.3 s")])
    data, diags = build_docx(surrey_doc, page_numbers=True)
    assert [(d.code, d.message) for d in diags.items] == [
        ("docx-page-numbers", "the DOCX contents has no page numbers: LibreOffice took more than 0.3 s")]
    assert numbers_in(data, tmp_path) == [""] * 7


def test_the_writer_alone_without_libreoffice_warns(monkeypatch, surrey_doc, tmp_path):
    monkeypatch.setattr(pagination, "libreoffice", lambda: None)
    data, diags = build_docx(surrey_doc, page_numbers=True)
    [warning] = diags.items
    assert warning.code == "docx-page-numbers" and "`make system-deps`" in warning.message
    assert numbers_in(data, tmp_path) == [""] * 7


def test_a_destination_name_is_the_bookmark_as_libreoffice_writes_it():
    assert pagination.destination_name("_foreword") == "5Fforeword"
    assert pagination.destination_name("_2_service_delivery") == "5F25Fservice5Fdelivery"


def test_a_layout_past_its_time_limit_ends_libreoffice_and_says_so(monkeypatch, numbered, tmp_path):
    monkeypatch.setattr(pagination, "TIMEOUT", 0.3)  # LibreOffice starting in a new profile takes longer
    with pytest.raises(pagination.LayoutFailed, match="LibreOffice took more than 0.3 s"):
        pagination.lay_out(numbered.outputs["docx"].read_bytes(), ["_foreword"], pagination.libreoffice(), tmp_path)
    profile = str(tmp_path / "profile")
    left = []
    for proc in Path("/proc").iterdir():
        try:
            if (proc.name.isdigit() and profile in (proc / "cmdline").read_bytes().decode(errors="replace")
                    and (proc / "stat").read_text().split(") ")[1][0] != "Z"):  # an ended one not yet reaped
                left.append(proc.name)
        except OSError:  # a process that ended meanwhile
            continue
    assert not left, "soffice and soffice.bin are ended with their process group"
