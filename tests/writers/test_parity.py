"""Every writer handles every node type: what the HTML writer renders, the DOCX writer renders too,
and both files read back with the same text.

A node a writer has no function for is an error (NodeNotRendered), never silently dropped.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import pytest

from generator.model import (NODE_TYPES, Abbr, Callout, CrossRef, Glossary, Imprint, Numbered, NodeNotRendered, BlockQuote, BulletList, Code, Contents, ContentsEntry, Cover, Document,
                             DocumentInfo, Emph, FootnoteRef, Heading, Image, KeyQuestionRow, KeyQuestionTable,
                             LanguageSpan, LineBreak, Link, Node, OrderedList, Paragraph, Part, PreviousRecommendationRow,
                             PreviousRecommendations, Rating, RatingsGroup, RatingsRow, RatingsSummary, Strong, Table,
                             Text, walk)
from generator.stages.charts import Bars, chart
from generator.text import docx_text, file_text
from generator.writers.docx.writer import BLOCKS, INLINES, DocxWriter, write_docx
from generator.writers.html import HtmlWriter
from tests.modeltext import plain


def test_docx_writer_functions_are_named_after_the_kinds():
    kinds = {t.kind for t in NODE_TYPES}
    for registry in (BLOCKS, INLINES):
        for kind, fn in registry.items():
            assert fn.__name__ == kind and kind in kinds, kind
    assert set(BLOCKS) | set(INLINES) == kinds
    assert not set(BLOCKS) & set(INLINES)


def info() -> DocumentInfo:
    return DocumentInfo("A test report", "Test", "en-GB", "A tester", "Testing", ("a", "b"), "2024-05-01")


def cover() -> Cover:
    return Cover("The Inspectorate", "An inspection of:", "Unit", "Region", "The Inspectorate, May 2024")


def one_part(*blocks) -> Document:
    return Document(info(), cover(), (Part("part", "Part", tuple(blocks)),))


@dataclass(frozen=True)
class Unknown(Node):
    kind: ClassVar[str] = "unknown_widget"
    text: str = "never dropped"


@pytest.mark.parametrize("blocks", [(Unknown(),), (Paragraph((Unknown(),)),), (Text("an inline as a block"),),
                                    (Paragraph((Paragraph((Text("a block inside a paragraph"),)),)),)],
                         ids=["unknown-block", "unknown-inline", "inline-as-block", "block-as-inline"])
def test_a_node_the_docx_writer_cannot_render_is_an_error(blocks):
    with pytest.raises(NodeNotRendered):
        DocxWriter().document(one_part(*blocks))


def every_node_type(image_src: str) -> Document:
    """A small document with at least one node of every type of the model."""
    note = FootnoteRef(1, "fn-1", (Text("The note, with a "), Link("https://example.org/n", (Text("link"),)),
                                   Text(".")))
    ratings = (Rating("Good", "good", "#00703C", "#FFFFFF", "Rating"),
               Rating("Inadequate", "inadequate", "#D4351C", "#FFFFFF"))
    blocks = (
        Contents((ContentsEntry("Everything", "everything"),)),
        Heading(2, (Text("Inlines"),), "inlines"),
        Paragraph((Text("Plain, "), Emph((Text("emphasis"),)), Text(", "), Strong((Text("strong "),
                   Emph((Text("and both"),)))), Text(", "), Code("code()"), Text(", "),
                   Link("mailto:someone@example.org", (Text("a mail link"),)), Text(", "),
                   Link("#inlines", (Text("a link to a heading"),)), LineBreak(), Text("after a break"),
                   note, Text(" end.")), None, ("lead",)),
        Heading(3, (Text("Blocks"),), "blocks"),
        BulletList(((Paragraph((Text("bullet one"),)),),
                    (Paragraph((Text("bullet two"),)), BulletList(((Paragraph((Text("nested bullet"),)),),)),
                     Paragraph((Text("bullet two, second paragraph"),))))),
        OrderedList(((Paragraph((Text("third item"),)),), (Paragraph((Text("fourth item"),)),)), start=3),
        BlockQuote((Paragraph((Text("A quotation."),)),)),
        Table(((Text("Name"),), (Text("Value"),)), (((Text("alpha"),), (Strong((Text("1"),)),)),)),
        Image(image_src, "A blue rectangle", (Text("Figure 1: a caption"),)),
        ratings[0],
        KeyQuestionTable("Key questions", "Key question", "Percentage", "lowest score",
                         (KeyQuestionRow("Is it good?", "80%", False), KeyQuestionRow("Is it safe?", "20%", True))),
        RatingsSummary("Unit", (("Score", "5/9"),), ratings[1], "Standard", "Rating",
                       (RatingsGroup("Domain", (RatingsRow("S 1", ratings[0]),
                                                RatingsRow("S 2", None, "Not rated"))),)),
        Paragraph((Text("See "), CrossRef("blocks", "Blocks", "on page"), Text(" about the "),
                   Abbr("PDU", "Probation delivery unit"), Text(", "),
                   LanguageSpan("cy", (Text("bore "), Emph((Text("da"),)))), Text("."))),
        Callout("An example", 3, "an-example", (Paragraph((Text("Inside the box."),)),)),
        Glossary((("PDU", "Probation delivery unit"),)),
        Imprint((Paragraph((Text("© Crown copyright 2024"),)), Paragraph((Text("ISBN: 978-1-916621-16-9"),)))),
        PreviousRecommendations("Of 2 recommendations: 1 achieved, 1 not achieved", "Progress", "Recommendation",
                                "Status", "Evidence",
                                (PreviousRecommendationRow((Strong((Text("R1"),)), Text(" Recruit staff")), "Achieved",
                                                           "All posts filled.",
                                                           Rating("Achieved", "achieved", "#00703C", "#FFFFFF")),
                                 PreviousRecommendationRow((Text("Train staff"),), "Not achieved", "No training."))),
        replace(chart(Bars(("North", "South"), (("Cases", (3.0, 5.0)),), (("#1d70b8", "#1d70b8"),)), "Cases by team",
                      None), numbered=Numbered("figure-cases", 2, "Figure 2")),
    )
    return Document(info(), cover(), (Part("everything", "Everything", blocks, (note,)),))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A report folder holding the one image `every_node_type` shows."""
    from PIL import Image as PILImage

    path = tmp_path_factory.mktemp("parity")
    (path / "images").mkdir()
    PILImage.new("RGB", (300, 150), (29, 93, 144)).save(path / "images" / "figure.png")
    return path


def one_block_with(kind: str) -> tuple:
    """The first block of `every_node_type` that holds a node of `kind`, and the notes it calls."""
    blocks = every_node_type("images/figure.png").parts[0].blocks
    block = next(b for b in blocks if any(n.kind == kind for n in walk((b,))))
    return block, tuple(n for n in walk((block,)) if isinstance(n, FootnoteRef))


def read_back(doc: Document, folder: Path, name: str) -> tuple[str, str]:
    """(HTML text, DOCX text) of `doc`, each written to a file and read back, after the cover."""
    html, docx = folder / f"{name}.html", folder / f"{name}.docx"
    html.write_text(HtmlWriter("screen").document(doc), encoding="utf-8")
    write_docx(doc, folder, docx)
    texts = []
    for path in (html, docx):
        lines = [line for line in file_text(path).splitlines() if line]
        assert lines[:5] == [doc.cover.inspectorate, doc.cover.lead, doc.cover.unit, doc.cover.region,
                             doc.cover.imprint]
        texts.append("\n".join(lines[5:]))
    # a note: in HTML after its part (its number is the list's), with a link back; in DOCX "N. text"
    return texts[0].replace(" ↩", ""), re.sub(r"^\d+\. ", "", texts[1], flags=re.M)


@pytest.mark.parametrize("node_type", NODE_TYPES, ids=lambda t: t.kind)
def test_html_and_docx_show_the_same_text_for_every_node_type(node_type, folder):
    block, notes = one_block_with(node_type.kind)
    doc = Document(info(), cover(), (Part("part", "Part", (block,), notes),))
    html_text, docx_text_ = read_back(doc, folder, node_type.kind)
    assert html_text == docx_text_
    assert html_text.startswith("Part\n") and len(html_text) > len("Part\n"), html_text
    node = next(n for n in walk((block,)) if n.kind == node_type.kind)
    own = " ".join(plain((node,)).split()) if isinstance(node, (Text, Emph, Strong, Code, Link, Heading)) else ""
    assert own in " ".join(html_text.split()), (own, html_text)


def test_a_document_with_every_node_type_renders_every_node(folder):
    tmp_path = folder
    doc = every_node_type("images/figure.png")
    kinds = {n.kind for part in doc.parts for n in walk(part.blocks)}
    assert kinds == {t.kind for t in NODE_TYPES}, "the fixture covers every node type"
    html = HtmlWriter("screen").document(doc)
    assert 'alt="A blue rectangle"' in html and '<ol start="3">' in html and "<blockquote>" in html
    target = tmp_path / "every.docx"
    write_docx(doc, tmp_path, target)
    text = docx_text(target)
    for expected in ("Plain, emphasis, strong and both, code(), a mail link, a link to a heading\nafter a break[1] end.",
                     "bullet one", "nested bullet", "bullet two, second paragraph", "third item", "A quotation.",
                     "Name Value", "alpha 1", "Figure 1: a caption", "Rating: Good", "Is it safe? 20% (lowest score)",
                     "Score 5/9", "\nInadequate\n", "S 2 Not rated",
                     "Of 2 recommendations: 1 achieved, 1 not achieved", "R1 Recruit staff Achieved All posts filled.",
                     "Train staff Not achieved No training.",
                     "1. The note, with a link."):
        assert expected in text, expected
    with zipfile.ZipFile(target) as package:
        document = package.read("word/document.xml").decode()
        numbering = package.read("word/numbering.xml").decode()
    assert 'descr="A blue rectangle"' in document
    assert 'w:anchor="_inlines"' in document
    assert '<w:startOverride w:val="3"/>' in numbering, "an ordered list keeps its start"
    assert document.count("<w:ilvl w:val=\"1\"/>") == 1, "the nested bullet is one level in"


def test_the_writer_needs_no_report_folder_for_a_document_without_images(tmp_path):
    buffer = io.BytesIO()
    write_docx(one_part(Paragraph((Text("Hello"),))), None, buffer)
    target = tmp_path / "hello.docx"
    target.write_bytes(buffer.getvalue())
    assert docx_text(target).splitlines()[-2:] == ["Part", "Hello"]
