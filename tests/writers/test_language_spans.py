"""Words in another language inside a paragraph (issue 25): ``[words]{lang=cy}`` in a chapter is
`lang` on a `<span>` in the HTML, a Span structure element with /Lang in the PDF and w:lang on each
of its runs in the DOCX, read back here from the built files of the example with a paragraph of such
spans added (emphasis, a link, a footnote call and a template value inside them). LibreOffice opens
the DOCX and keeps the language; a reviewer's change inside a span comes back into the chapter with
the span kept around it. The errors of the syntax are in the bad-input corpus (tests/bad/cases.yaml)."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from generator.text import file_text
from tests.conftest import copy_report
from tests.readback import libreoffice_pdf, page_text, structure

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PARAGRAPH = ("\n\nThe unit's motto is [*Gwell* gyda'n [gilydd](https://example.org/cymraeg)[^motto]]{lang=cy}, said by "
             "[{{ report.chief_inspector.name }} a'r tîm]{lang=cy-gb}; and [AT&T \"dit\" 5 < 6]{lang=fr}.\n\n"
             "[^motto]: The motto's note, in English.\n")
SPANS = [("cy", "Gwell gyda’n gilydd"), ("cy-GB", "Martin Jones CBE a’r tîm"), ("fr", "AT&T “dit” 5 < 6")]


@pytest.fixture(scope="module")
def spans(tmp_path_factory):
    from generator.build import build

    report = copy_report(tmp_path_factory.mktemp("spans"))
    foreword = report / "chapters" / "foreword.md"
    foreword.write_text(foreword.read_text(encoding="utf-8") + PARAGRAPH, encoding="utf-8")
    built = build(report, tmp_path_factory.mktemp("spans-out"), parallel=False, draft=True)
    assert not [d for d in built.diagnostics.items if d.code.startswith(("span-", "a11y-"))], built.diagnostics.items
    return report, built


def test_html_says_each_span_s_language_on_its_span_and_escapes_its_words(spans):
    import lxml.html

    _, built = spans
    source = built.outputs["html"].read_text(encoding="utf-8")
    page = lxml.html.document_fromstring(source)
    found = [(s.get("lang"), " ".join(s.text_content().split())) for s in page.iter("span") if s.get("lang")]
    # the screen page's note call is a linked number inside the span
    assert found == [("cy", "Gwell gyda’n gilydd1"), *SPANS[1:]], found
    assert all(list(s.attrib) == ["lang"] for s in page.iter("span") if s.get("lang"))
    assert '<span lang="fr">AT&amp;T “dit” 5 &lt; 6</span>' in source
    assert page.get("lang") == "en-GB"


def _own_text(elem, text) -> str:
    """The text of an element in its own language: what is under it less what is under an element
    below it that declares a /Lang of its own (the note called in a span)."""
    out = []
    for kid in elem.kids:
        if isinstance(kid, tuple):
            out.append(text.marked.get(kid, ""))
        elif hasattr(kid, "kids") and "/Lang" not in kid.obj:
            out.append(_own_text(kid, text))
    return "".join(out)


def _span_texts(pdf_path: Path) -> tuple[list, list]:
    """(lang, text in that language) of every Span with /Lang, and (tag, lang, text) of every
    other element with a /Lang."""
    text = page_text(pdf_path)
    with pikepdf.open(pdf_path) as pdf:
        elems = [e for e in structure(pdf).walk() if "/Lang" in e.obj]
        spans = [(str(e.obj.Lang), " ".join(_own_text(e, text).split())) for e in elems if e.tag == "Span"]
        others = [(e.tag, str(e.obj.Lang), " ".join(text.of(e).split())) for e in elems if e.tag != "Span"]
        return spans, others


def test_pdf_has_a_span_element_with_the_language_and_its_words(spans):
    _, built = spans
    found, others = _span_texts(built.outputs["pdf"])
    assert found == SPANS, found
    # the note called in the Welsh words: its call (a Reference) and its text (a Note) inside the
    # Span, each declaring the document's language
    assert [(tag, lang) for tag, lang, _ in others] == [("Reference", "en-GB"), ("Note", "en-GB"), ("Lbl", "en-GB")], \
        others
    assert others[1][2].endswith("The motto’s note, in English."), others


def _run_languages(docx: Path) -> list[tuple[str, str]]:
    """(w:lang, text) of the body's runs that carry a language, runs of one language joined."""
    import docx as python_docx

    document = python_docx.Document(str(docx))
    out: list[list[str]] = []
    for paragraph in document.paragraphs:
        last = None
        for r in paragraph._p.iter(f"{{{W}}}r"):
            lang = r.find(f"{{{W}}}rPr/{{{W}}}lang")
            value = lang.get(f"{{{W}}}val") if lang is not None else None
            words = "".join(t.text or "" for t in r.iter(f"{{{W}}}t"))
            if value and value == last:
                out[-1][1] += words
            elif value:
                out.append([value, words])
            last = value if value or not words.strip() else None
    return [tuple(item) for item in out]


def test_docx_runs_carry_the_language(spans):
    _, built = spans
    assert _run_languages(built.outputs["docx"]) == SPANS
    assert "The unit’s motto is Gwell gyda’n gilydd[1], said by Martin Jones CBE a’r tîm; and AT&T “dit” 5 < 6." \
        in file_text(built.outputs["docx"])


def test_libreoffice_opens_the_docx_and_keeps_the_language(spans, tmp_path):
    """LibreOffice's own tagged PDF of the DOCX marks the words with their language (it reads a bare
    cy as Welsh of the United Kingdom, cy-GB)."""
    _, built = spans
    docx = tmp_path / "spans.docx"
    shutil.copy(built.outputs["docx"], docx)
    found, _ = _span_texts(libreoffice_pdf(docx, tmp_path, tagged=True))
    langs = {lang for lang, _ in found}
    assert {"cy-GB", "fr-FR"} <= langs and "en-GB" not in langs, found
    assert "tîm" in " ".join(text for lang, text in found if lang == "cy-GB"), found


def test_plain_text_of_every_format_reads_the_words(spans):
    _, built = spans
    for fmt in ("pdf", "docx", "html"):
        text = " ".join(file_text(built.outputs[fmt]).split())
        assert "Martin Jones CBE a’r tîm; and AT&T “dit” 5 < 6." in text, fmt
        assert "{lang=" not in text and "]{" not in text, fmt


def test_a_reviewers_change_inside_a_span_comes_back_inside_it(spans, tmp_path, reportgen):
    """A tracked replacement of one Welsh word (as test_review_docx makes them) applied with
    `review --apply`: the chapter's span keeps its brackets and lang around the new word."""
    report, built = spans
    chapter = report / "chapters" / "foreword.md"
    before = chapter.read_text(encoding="utf-8")
    with zipfile.ZipFile(built.outputs["docx"]) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    t = next(t for t in body.iter(f"{{{W}}}t") if t.text == " gyda’n ")
    run = t.getparent()
    attrs = {f"{{{W}}}author": "QA", f"{{{W}}}date": "2024-03-01T12:00:00Z"}
    t.text = "’n "
    for n, (tag, words) in enumerate((("del", " gyda"), ("ins", " efo"))):
        change = etree.Element(f"{{{W}}}{tag}", {f"{{{W}}}id": str(900 + n), **attrs})
        changed = etree.SubElement(change, f"{{{W}}}r")
        changed.append(etree.fromstring(etree.tostring(run.find(f"{{{W}}}rPr"))))
        etree.SubElement(changed, f"{{{W}}}{'t' if tag == 'ins' else 'delText'}").text = words
        run.addprevious(change)
    edited = tmp_path / "edited.docx"
    with zipfile.ZipFile(built.outputs["docx"]) as z, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as out:
        for name in z.namelist():
            out.writestr(name, etree.tostring(body) if name == "word/document.xml" else z.read(name))
    try:
        ran = reportgen("review", edited, report, "--apply")
        applied = [line for line in ran.stdout.splitlines() if line.startswith("applied ")]
        line = before.splitlines().index(next(x for x in before.splitlines() if "motto is" in x)) + 1
        column = before.splitlines()[line - 1].index(" gyda'n") + 1  # the deletion is ' gyda'
        assert applied == [f'applied chapters/foreword.md:{line}:{column}: change[t900] "gyda" -> "efo"'], ran.stdout
        after = chapter.read_text(encoding="utf-8")
        assert "[*Gwell* efo'n [gilydd](https://example.org/cymraeg)[^motto]]{lang=cy}" in after, after[-400:]
        assert after.replace("efo'n", "gyda'n", 1) == before
    finally:
        chapter.write_text(before, encoding="utf-8")


def test_braces_that_are_no_span_stay_text_and_each_span_is_placed_once(tmp_path, reportgen):
    """What pandoc would not read as attributes stays text (`[sic]{1}`, `[x]{}`, a span in code,
    attr_list's `{: .x}`); two like spans on one line are two errors, each at its own column."""
    report = copy_report(tmp_path)
    foreword = report / "chapters" / "foreword.md"
    text = foreword.read_text(encoding="utf-8")
    foreword.write_text(text + "\n\nAs [sic]{1} and [x]{} and `[y]{lang=cy}` say.\n", encoding="utf-8")
    ran = reportgen("build", report, "--format", "html", "--out", tmp_path / "out")
    assert ran.returncode == 0, ran.stderr
    page = " ".join(file_text(tmp_path / "out" / "surrey-pdu.html").split())
    assert "As [sic]{1} and [x]{} and [y]{lang=cy} say." in page
    line = "Both [Da]{lang=cy .a} and [Da]{lang=cy .a}."
    foreword.write_text(text + "\n\n" + line + "\n", encoding="utf-8")
    ran = reportgen("check", report)
    number = len(text.split("\n")) + 2
    columns = [m.start() + 1 for m in re.finditer(r"\.a", line)]
    assert re.findall(r"foreword\.md:(\d+):(\d+): error\[span-attribute\]", ran.stdout + ran.stderr) == \
        [(str(number), str(c)) for c in columns], ran.stdout + ran.stderr
