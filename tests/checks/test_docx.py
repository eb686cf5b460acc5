"""The DOCX accessibility rules (generator/checks/docx.py): the example passes them all; a small
DOCX made here passes, and less one thing, fails with the rule that names that thing."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.checks import check_file


def rule_ids(path) -> set[str]:
    return {failure.rule for failure in check_file(Path(path))}


def test_example_docx_passes(surrey_build):
    assert check_file(surrey_build.outputs["docx"]) == []


def make_docx(path: Path, skip: str = "") -> Path:
    """A small DOCX that passes every rule, less the one thing named by `skip`."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from PIL import Image

    document = docx.Document()
    props = document.core_properties
    props.title = "" if skip == "docx-title" else "A small report"
    props.subject, props.author = "Inspection", "HM Inspectorate"
    props.language = "" if skip == "docx-language" else "en-GB"
    document.add_paragraph("A small report", style="Title")
    document.add_heading("Findings", 1)
    words = document.add_paragraph("Some text, ").add_run("bore da")  # words in another language
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "cy_GB" if skip == "docx-language-valid" else "cy-GB")
    words._r.get_or_add_rPr().append(lang)
    document.add_heading("Detail", 3 if skip == "docx-heading-order" else 2)
    if skip == "docx-empty-paragraph":
        document.add_paragraph("")
    document.add_paragraph("An item", style="List Bullet")
    if skip == "docx-list-structure":
        document.add_paragraph("• a typed bullet")
    document.add_heading("Figures", 2)
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ("Name", "Value", "A", "1")):
        cell.text = text
    if skip != "docx-table-header":
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))
    picture = path.with_suffix(".png")
    Image.new("RGB", (8, 8), (0, 90, 0)).save(picture)
    document.add_paragraph().add_run().add_picture(str(picture))
    doc_pr = document.element.body.findall(".//" + qn("wp:docPr"))[-1]
    doc_pr.set("descr", "" if skip == "docx-alt-text" else "A green square")
    footer = document.sections[0].footer.paragraphs[0]
    footer.add_run("Page ")
    if skip == "docx-page-numbers":
        footer.add_run("1")
    else:
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, None), ("end", None)):
            run = footer.add_run()
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            elif text:
                instr = OxmlElement("w:instrText")
                instr.text = text
                run._r.append(instr)
            else:
                run.text = "1"
    document.save(path)
    return path


DOCX_BREAKS = ("docx-title", "docx-language", "docx-language-valid", "docx-heading-order", "docx-table-header", "docx-alt-text",
               "docx-empty-paragraph", "docx-list-structure", "docx-page-numbers")


def test_small_good_docx_passes(tmp_path):
    assert check_file(make_docx(tmp_path / "good.docx")) == []


@pytest.mark.parametrize("rule_id", DOCX_BREAKS)
def test_broken_docx_fails_with_its_rule(tmp_path, rule_id):
    failures = check_file(make_docx(tmp_path / f"{rule_id}.docx", skip=rule_id))
    assert {f.rule for f in failures} == {rule_id}, failures
    assert all(f.where for f in failures)


def test_a_run_s_malformed_language_is_named_with_its_words(tmp_path):
    failures = check_file(make_docx(tmp_path / "lang.docx", skip="docx-language-valid"))
    assert [(f.where, f.message) for f in failures] == [
        ("/word/document.xml", "w:lang w:val cy_GB is not a language tag (on 'bore da')")]


def test_docx_contents_heading_needs_a_toc_field(tmp_path):
    import docx

    path = make_docx(tmp_path / "toc.docx")
    document = docx.Document(str(path))
    document.add_heading("Contents", 1)
    document.save(path)
    assert "docx-toc-field" in rule_ids(path)
