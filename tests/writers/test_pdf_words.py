"""Words in the PDF's tagged text: what a screen reader reads, structure element by structure
element, from the content stream (the fonts' /ToUnicode maps, /ActualText where a Span has one),
with no space guessed from where glyphs are drawn (pdftotext guesses; assistive technology does
not, ISO 32000-1 14.8.2.5).

The example's tagged text is compared word for word with its HTML text; WeasyPrint's own PDF of
the same build (`surrey_raw`) shows the joined words the repair exists for.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import pikepdf
import pytest

from generator.formats.pdf_text import block_texts, elem_text, marked_text
from generator.formats.pdf_tree import MC, Elem, Tree
from generator.text import html_text
from generator.writers.pdf import tags as pdf_tags


def _tagged_words(pdf: pikepdf.Pdf) -> tuple[Counter, Counter, list]:
    """(words of the tagged text without list and note labels, the labels' words, the Spans that say nothing)."""
    tree = Tree(pdf)
    texts = marked_text(pdf)
    words, labels = Counter(), Counter()
    for elem, text in block_texts(tree, texts):
        (labels if elem.tag == "Lbl" else words).update(text.split())
    for elem in tree.walk():  # a Note's label runs on inside it: counted as a label, not a word
        if elem.tag == "Note":
            for lbl in elem.elems():
                if lbl.tag == "Lbl":
                    said = elem_text(lbl, texts).split()
                    words.subtract(said)
                    labels.update(said)
    empty = [e for e in tree.walk() if e.tag == "Span" and not elem_text(e, texts).strip()]
    return +words, labels, empty


def _contents_page_numbers(pdf: pikepdf.Pdf) -> Counter:
    """The page numbers of the contents entries: made by the paginator, not in the HTML."""
    return Counter(str(e.obj.ActualText).split()[-1] for e in Tree(pdf).walk()
                   if e.tag == "Link" and "/ActualText" in e.obj and str(e.obj.ActualText).split()[-1].isdigit())


@pytest.fixture(scope="module")
def html_words(surrey_build) -> Counter:
    words = Counter(html_text(surrey_build.outputs["html"]).split())
    words.pop("↩", None)  # the footnotes' back links: HTML only
    return words


def test_the_tagged_text_has_the_words_of_the_html_text(surrey_build, html_words):
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        words, labels, empty = _tagged_words(pdf)
        pages = _contents_page_numbers(pdf)
    assert len(pages) >= 6 and labels  # the contents and the lists are there to be left out
    words.subtract(pages)
    assert +words == html_words, (f"in the PDF only: {(+words - html_words).most_common(20)}; "
                                  f"in the HTML only: {(html_words - words).most_common(20)}")
    assert empty == []


def test_weasyprints_own_pdf_joins_words_at_line_wraps(surrey_raw, html_words):
    """The test above can fail: without the repair, hundreds of words run together."""
    with pikepdf.open(io.BytesIO(surrey_raw.data)) as pdf:
        words, _labels, empty = _tagged_words(pdf)
    joined = [w for w in (+words - html_words) if not w.isdigit() and w != "•"]
    assert len(joined) > 300 and "Rating:Inadequate" in joined
    assert len(empty) >= 10  # the collapsed spaces between a label and its value


def test_every_actual_text_says_what_is_drawn_give_or_take_spaces(surrey_build):
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        tree, texts = Tree(pdf), marked_text(pdf)

        def drawn(elem: Elem) -> str:
            return "".join((texts[(k.page.objgen, k.mcid)].text if (k.page.objgen, k.mcid) in texts else "")
                           if isinstance(k, MC) else drawn(k) if isinstance(k, Elem) else "" for k in elem.kids)

        actual = [(str(e.obj.ActualText), drawn(e)) for e in tree.walk() if "/ActualText" in e.obj]
    assert len(actual) > 300
    for said, shown in actual:
        assert said.split() and "".join(said.split()) == "".join(shown.split()), (said, shown)


def test_the_text_reader_agrees_with_pypdf_on_every_marked_content_sequence(surrey_build, surrey_drawn):
    """Our reader (the fonts' /ToUnicode maps) against pypdf's, glyph for glyph (spaces aside:
    pypdf adds some from positions)."""
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        ours = {(index[objgen], mcid): m.text for (objgen, mcid), m in marked_text(pdf).items()}
    theirs = {key: text for key, text in surrey_drawn.marked.items() if text.strip()}
    assert len(ours) > 500
    assert {k for k, v in ours.items() if v.strip()} == set(theirs)
    for key, text in theirs.items():
        assert "".join(ours[key].split()) == "".join(text.split()), key


def test_empty_marked_content_leaves_the_stream_and_its_span_the_tree(surrey_build, surrey_raw):
    raw = pikepdf.open(io.BytesIO(surrey_raw.data))
    empty_before = sum(len(pdf_tags._EMPTY_MC.findall(Tree(raw).contents(p))) for p in raw.pages)
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        tree = Tree(pdf)
        assert empty_before >= 10
        assert sum(len(pdf_tags._EMPTY_MC.findall(tree.contents(p))) for p in pdf.pages) == 0
        assert all(e.kids for e in tree.walk() if e.tag in ("Span", "NonStruct"))


def _labels_after_their_item(pdf: pikepdf.Pdf) -> tuple[int, int]:
    """(list labels, labels whose marked content comes after the rest of their item's in the content stream),
    in the order pikepdf parses each page's operators."""
    order = {}
    for page in pdf.pages:
        at = 0
        for operands, operator in pikepdf.parse_content_stream(page, "BDC"):
            if len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                order[(page.objgen, int(operands[1].MCID))] = at
                at += 1
    labels = late = 0
    for li in Tree(pdf).walk():
        lbl = next((k for k in li.elems() if k.tag == "Lbl"), None) if li.tag == "LI" else None
        item = [mc for k in li.elems() if k is not lbl for mc in k.mcs()] if lbl is not None else []
        if not item or not lbl.mcs():
            continue
        labels += 1
        label, first = lbl.mcs()[0], item[0]
        key = (label.page.objgen, label.mcid)
        late += label.page.objgen == first.page.objgen and order[key] > order[(first.page.objgen, first.mcid)]
    return labels, late


def test_list_labels_come_before_their_items_in_the_content(surrey_build, surrey_raw):
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        labels, late = _labels_after_their_item(pdf)
    assert labels > 50 and late == 0
    with pikepdf.open(io.BytesIO(surrey_raw.data)) as raw:
        assert _labels_after_their_item(raw)[1] > 50  # WeasyPrint paints them after the page's text


def test_every_annotation_prints(surrey_build):
    """(WeasyPrint's PDF/A variant sets the flag too; its PDF/UA-1 variant does not: see
    tests/checks/test_pdf.py for the file without the repair.)"""
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        flags = [int(a.get("/F", 0)) for page in pdf.pages for a in page.obj.get("/Annots", [])]
    assert len(flags) > 30 and all(f & 4 for f in flags)


# --------------------------------------------------------------------------- PDF/A-2u + PDF/UA-1


def _claims(path) -> dict:
    with pikepdf.open(path) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        intents = list(pdf.Root.get("/OutputIntents", []))
        return {"pdfa": re.findall(r'pdfaid:(part|conformance)="([^"]*)"', xmp),
                "pdfua": re.findall(r"pdfuaid:part(?:>|=\")(\d)", xmp),
                "extension": "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp,
                "intents": [(str(i.S), i.DestOutputProfile.read_bytes()[36:40]) for i in intents]}


def test_the_default_pdf_declares_pdfa_2u_and_pdfua_1(surrey_build):
    assert _claims(surrey_build.outputs["pdf"]) == {
        "pdfa": [("part", "2"), ("conformance", "U")], "pdfua": ["1"], "extension": True,
        "intents": [("/GTS_PDFA1", b"acsp")]}  # an ICC profile: sRGB2014 as WeasyPrint ships it


def test_pdf_standard_ua1_declares_pdfua_only(reportgen, tmp_path):
    from tests.conftest import ROOT

    ran = reportgen("build", ROOT / "content" / "thematic-example", "--format", "pdf", "--out", tmp_path,
                    "--pdf-standard", "ua1")
    assert ran.returncode == 0, ran.stderr
    assert _claims(tmp_path / "thematic-example.pdf") == {"pdfa": [], "pdfua": ["1"], "extension": False,
                                                           "intents": []}
    assert reportgen("build", ROOT / "content" / "thematic-example", "--pdf-standard", "a1").returncode == 2


def test_the_command_line_offers_the_writers_standards_default_first():
    from generator.cli import PDF_STANDARDS
    from generator.writers.pdf.render import DEFAULT_PDF_STANDARD
    from generator.writers.pdf.render import PDF_STANDARDS as WRITER_STANDARDS

    assert set(PDF_STANDARDS) == set(WRITER_STANDARDS) and PDF_STANDARDS[0] == DEFAULT_PDF_STANDARD


NARROW = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Narrow</title>
<style>main { width: 42mm; }</style></head>
<body><h1>Words at line ends</h1><main><h2 class="part-title">Part</h2>
<p>A paragraph long enough to wrap over several lines in this narrow column, with
<a href="https://example.org/">a link whose text is long enough to break over two lines</a> and
<strong>strong words</strong> after it.</p>
<p>Alongidentifierwithnospaceswhatsoeverthatmustbreakinsideitself stays one word.</p>
<p>A line<br>break and <span class="rating-caption">Label:</span> <span class="badge">Value</span>.</p>
</main></body></html>"""


def test_spaces_go_where_the_html_has_them_and_nowhere_else(tmp_path):
    """A wrapped paragraph, a link broken over lines, a word too long for its line (broken inside
    itself: no space may appear there), a <br>, a label and an inline-block value."""
    from generator.writers.pdf.render import render_pdf

    out = io.BytesIO()
    render_pdf(NARROW, tmp_path, out)
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        assert len(pdf.pages) >= 1
        tree = Tree(pdf)
        texts = marked_text(pdf)
        said = [" ".join(text.split()) for elem, text in block_texts(tree, texts) if elem.tag == "P"]
        lines = sum(1 for m in texts.values() if m.text.strip())
    assert said == [
        "A paragraph long enough to wrap over several lines in this narrow column, with a link whose text is "
        "long enough to break over two lines and strong words after it.",
        "Alongidentifierwithnospaceswhatsoeverthatmustbreakinsideitself stays one word.",
        "A line break and Label: Value.",
    ]
    assert lines > 12  # the column is narrow enough that every paragraph wraps
