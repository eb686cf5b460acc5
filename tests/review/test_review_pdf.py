"""A reviewed PDF's annotations come back to the chapter line (issue 21, item 4).

The Surrey draft PDF is built once, then annotated by a real PDF tool: PyMuPDF (MuPDF 1.2x, the
library behind the MuPDF viewer and many others), whose `add_*_annot` calls make each annotation
as a viewer does (quad points over the words found, appearance streams, popups, /IRT replies).
`read_pdf_review` must give each one's chapter file, line and column and the words it marks.
Hostile PDFs (10,000 annotations, scripts, broken quad points, reply loops, cyclic structure
trees, a deflate bomb, no structure at all) give a clear result: a listing or a one-line refusal.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pikepdf
import pytest

from generator.formats.package import UnreadableFile
from generator.formats.pdf_tree import page_contents
from generator.review.items import CHANGE, COMMENT, REPLY
from generator.review.pdf import MAX_ANNOTATIONS, read_pdf_review
from tests.conftest import SURREY

pymupdf = pytest.importorskip("pymupdf")  # the test-only tool that annotates, as a viewer does


def source_line(chapter: str, needle: str) -> tuple[int, str]:
    """The (1-based line, text) of the first line of chapters/`chapter` holding `needle`."""
    lines = (SURREY / "chapters" / chapter).read_text(encoding="utf-8").splitlines()
    return next((n, line) for n, line in enumerate(lines, 1) if needle in line)


def column(chapter: str, needle: str, word: str | None = None) -> tuple[int, int]:
    line, text = source_line(chapter, needle)
    return line, text.index(word or needle) + 1


@pytest.fixture(scope="module")
def draft_pdf(tmp_path_factory) -> Path:
    from generator.build import build

    out = tmp_path_factory.mktemp("draft")
    return build(SURREY, out, formats=("pdf",), draft=True, parallel=False).outputs["pdf"]


def background(doc) -> int:
    """The index of the example's Background page (where the tests' annotations go)."""
    return next(i for i, page in enumerate(doc) if page.search_for("Surrey PDU is one of five PDUs"))


def _find(doc, text: str, nth: int = 0):
    """The page and quad of the `nth` place `text` is drawn in the document."""
    seen = [(page, quad) for page in doc for quad in page.search_for(text, quads=True)]
    if nth >= len(seen):
        pytest.fail(f"{text!r} is not found {nth + 1} times")
    return seen[nth]


def _phrase(doc, text: str):
    for page in doc:
        quads = page.search_for(text, quads=True)
        if quads:
            return page, quads
    pytest.fail(f"{text!r} not in the PDF")


@pytest.fixture(scope="module")
def reviewed(draft_pdf, tmp_path_factory) -> dict[str, object]:
    """The draft annotated with PyMuPDF; {name: item} of what read_pdf_review gives back."""
    doc = pymupdf.open(str(draft_pdf))

    page, quads = _phrase(doc, "Surrey PDU is one of five PDUs")
    q = quads[0]
    note = page.add_text_annot((q.ul.x + 1, (q.ul.y + q.ll.y) / 2), "Is it five? The map shows six.")
    note.set_info(title="J. Smith", creationDate="D:20240210120000Z", modDate="D:20240210120000Z")
    note.update()
    reply = page.add_text_annot((q.ul.x + 30, q.ul.y), "Five: checked with the region.")
    reply.set_info(title="A. Author")
    reply.set_irt_xref(note.xref)
    reply.update()

    page, quads = _phrase(doc, "in 95 per cent of cases")
    highlight = page.add_highlight_annot(quads)
    highlight.set_info(content="Q3 figure, not Q4", title="J. Smith")
    highlight.update()

    page, quads = _phrase(doc, "unitary authority and is responsible for strategic services")
    assert len(quads) == 2  # the phrase wraps: one quad a line
    wrapped = page.add_highlight_annot(quads)
    wrapped.set_info(content="Which services?", title="QA")
    wrapped.update()

    page, quads = _phrase(doc, "(December 2022)")  # in footnote 1
    strike = page.add_strikeout_annot(quads)
    strike.set_info(content="wrong date", title="QA")
    strike.update()

    page, quads = _phrase(doc, "Interim leadership")
    q = page.search_for("Interim", quads=True)[0]
    # MuPDF draws a caret as a 20 x 14 box hanging from the point, its apex at the box's top centre:
    # here over the right half of "Interim"'s last letter, so the words go after it
    caret = page.add_caret_annot((q.ur.x - 1 - 10, q.ll.y - 3))
    caret.set_info(content="temporary", title="QA")
    caret.update()

    page, quad = _find(doc, "Strengths:", 1)  # the second of four such headings in domain 1
    under = page.add_underline_annot([quad])
    under.set_info(content="Say whose strengths.", title="Editor")
    under.update()

    page, quads = _phrase(doc, "meaningfully engaged in their assessment")
    squiggle = page.add_squiggly_annot(quads)
    squiggle.set_info(content="Plain English?", title="Editor")
    squiggle.update()

    page, quads = _phrase(doc, "32% (lowest score)")  # a key-question table's cell: computed
    cell = page.add_highlight_annot(quads)
    cell.set_info(content="Was it 34%?", title="QA")
    cell.update()

    # Acrobat's "replace text": a strike-out, and a caret grouped with it (/IRT, /RT /Group)
    page, quads = _phrase(doc, "routinely considering")
    replaced = page.add_strikeout_annot(quads)
    replaced.set_info(title="J. Smith")
    replaced.update()
    q = quads[0]
    grouped = page.add_caret_annot((q.ur.x - 10, q.ll.y - 3))
    grouped.set_info(content="often considering", title="J. Smith")
    grouped.set_irt_xref(replaced.xref)
    grouped.update()
    doc.xref_set_key(grouped.xref, "RT", "/Group")

    page, quads = _phrase(doc, "Interim leadership arrangements")
    free = page.add_freetext_annot(pymupdf.Rect(quads[0].rect.x0, quads[0].rect.y0, quads[0].rect.x0 + 60,
                                                quads[0].rect.y1), "Since when?")
    free.set_info(title="Editor")
    free.update()

    background, _ = _phrase(doc, "Surrey PDU is one of five PDUs")
    margin = background.add_text_annot((5, 5), "A note in the margin, on no text.")  # the page's corner
    margin.update()

    path = tmp_path_factory.mktemp("reviewed") / "reviewed.pdf"
    doc.save(str(path))
    items = read_pdf_review(path, SURREY)
    names = ["note", "reply", "highlight", "wrapped", "strike", "caret", "under", "squiggle", "cell", "replaced",
             "free", "margin"]
    by_page_order = sorted(items, key=lambda item: (item.extra.get("page", 0)))
    assert len(items) == len(names), [str(i) for i in items]
    found = {}
    for item in by_page_order:
        for name, check in MATCHERS.items():
            if name not in found and check(item):
                found[name] = item
                break
    assert sorted(found) == sorted(names), [str(i) for i in items]
    return {"items": items, **found}


MATCHERS = {
    "note": lambda i: i.kind == COMMENT and i.text.startswith("Is it five"),
    "reply": lambda i: i.kind == REPLY,
    "highlight": lambda i: i.text == "Q3 figure, not Q4",
    "wrapped": lambda i: i.text == "Which services?",
    "strike": lambda i: i.kind == CHANGE and "wrong date" in i.text,
    "caret": lambda i: i.kind == CHANGE and i.new == "temporary",
    "under": lambda i: i.text == "Say whose strengths.",
    "squiggle": lambda i: i.text == "Plain English?",
    "cell": lambda i: i.text == "Was it 34%?",
    "replaced": lambda i: i.kind == CHANGE and i.new == "often considering",
    "free": lambda i: i.text == "Since when?",
    "margin": lambda i: i.text.startswith("A note in the margin"),
}


def test_a_sticky_note_on_a_paragraph(reviewed):
    item = reviewed["note"]
    assert (item.path, item.line, item.column) == ("chapters/background.md", *column("background.md", "Surrey PDU is one of five PDUs"))
    assert (item.author, item.date, item.anchor, item.part) == ("J. Smith", "2024-02-10", "", "Background")
    assert str(item).startswith('chapters/background.md:3:1: comment[a1] J. Smith, 2024-02-10: "Is it five?')


def test_a_reply_is_listed_where_its_thread_is(reviewed):
    item, note = reviewed["reply"], reviewed["note"]
    assert (item.path, item.line, item.column) == (note.path, note.line, note.column)
    assert item.text == "Five: checked with the region." and item.author == "A. Author"
    assert item.note == f"reply to {note.ident}"


def test_a_highlight_gives_its_words_and_their_column(reviewed):
    item = reviewed["highlight"]
    assert item.anchor == "in 95 per cent of cases"
    assert (item.path, item.line, item.column) == ("chapters/domain-2.md", *column("domain-2.md", "in 95 per cent of cases"))
    assert item.part == "2. Service delivery"
    assert str(item).endswith('comment[' + item.ident + '] J. Smith: "Q3 figure, not Q4" on "in 95 per cent of cases"')


def test_a_highlight_over_two_lines_reads_as_one_phrase(reviewed):
    item = reviewed["wrapped"]
    assert item.anchor == "unitary authority and is responsible for strategic services"
    assert (item.path, item.line, item.column) == ("chapters/background.md", *column("background.md", "unitary authority"))


def test_a_strike_out_in_a_footnote_is_a_deletion_at_the_note_s_definition(reviewed):
    item = reviewed["strike"]
    assert (item.kind, item.old, item.new) == (CHANGE, "(December 2022)", "")
    line, text = source_line("background.md", "[^ons]:")
    assert (item.path, item.line, item.column) == ("chapters/background.md", line, text.index("December") + 1)
    assert 'comment: "wrong date"' in item.note


def test_a_caret_is_an_insertion_before_the_word_it_points_at(reviewed):
    item = reviewed["caret"]
    assert (item.kind, item.old, item.new) == (CHANGE, "", "temporary")
    assert (item.path, item.line, item.column) == ("chapters/background.md",
                                                  *column("background.md", "Interim leadership", "leadership"))


def test_a_repeated_heading_is_told_apart_by_what_comes_before_it(reviewed):
    item = reviewed["under"]
    lines = [n for n, line in enumerate((SURREY / "chapters" / "domain-1.md").read_text().splitlines(), 1)
             if line.startswith("### Strengths:")]
    assert item.anchor == "Strengths:"
    assert (item.path, item.line, item.column) == ("chapters/domain-1.md", lines[1], 5)


def test_a_squiggly_line_in_a_list_item_finds_the_item_s_own_line(reviewed):
    item = reviewed["squiggle"]
    assert item.anchor == "meaningfully engaged in their assessment"
    assert (item.path, item.line, item.column) == ("chapters/domain-2.md",
                                                  *column("domain-2.md", "meaningfully engaged in their assessment"))


def test_computed_text_says_it_is_computed(reviewed):
    """A key-question figure is the report.yaml value that printed it: its key and its line."""
    item = reviewed["cell"]
    assert item.anchor == "32% (lowest score)"
    assert item.key.startswith("findings.P2.1.key_questions[")
    lines = (SURREY / "report.yaml").read_text(encoding="utf-8").splitlines()
    assert item.path == "report.yaml" and "P2.1" in lines[item.line - 1] and "32" in lines[item.line - 1]


def test_a_grouped_strike_out_and_caret_is_one_replacement(reviewed):
    item = reviewed["replaced"]
    assert (item.kind, item.old, item.new) == (CHANGE, "routinely considering", "often considering")
    assert (item.path, item.line, item.column) == ("chapters/domain-2.md", *column("domain-2.md", "routinely considering"))
    assert not any(i.kind == CHANGE and i.old == "" and i.new == "often considering" for i in reviewed["items"])


def test_free_text_over_words_is_located_there(reviewed):
    item = reviewed["free"]
    assert (item.path, item.line) == ("chapters/background.md", source_line("background.md", "Interim leadership")[0])


def test_a_note_on_no_text_is_listed_unlocated_with_its_page(reviewed, draft_pdf):
    item = reviewed["margin"]
    assert not item.located and item.note == f"page {background(pymupdf.open(str(draft_pdf))) + 1}: on no text of the page"
    assert str(item).startswith("<unlocated>: comment[")


def test_the_column_is_the_marked_occurrence_and_a_note_its_own_definition(draft_pdf, tmp_path):
    """"Surrey PDU aligns with Surrey County Council": the second "Surrey" is found after the words
    before it; the second footnote of a chapter is located at its own `[^label]:` line."""
    doc = pymupdf.open(str(draft_pdf))
    page = doc[background(doc)]
    height = page.rect.height
    county = page.search_for("Surrey County", quads=True)[0]
    second = next(q for q in page.search_for("Surrey", quads=True) if abs(q.ul.x - county.ul.x) < 0.5
                  and abs(q.ul.y - county.ul.y) < 0.5)
    words = (second.ll.x, height - second.ll.y, second.ur.x, height - second.ur.y)
    note = _over_words(draft_pdf, "Proven reoffending statistics")
    path = _with_annotations(draft_pdf, tmp_path / "second.pdf", [_highlight(words, "which Surrey?"),
                                                                  _highlight(note, "which year?")])
    first, footnote = read_pdf_review(path, SURREY)
    line, text = source_line("background.md", "Surrey PDU aligns with Surrey County Council")
    assert (first.anchor, first.line, first.column) == ("Surrey", line, text.index("Surrey County") + 1)
    line, text = source_line("background.md", "[^moj]:")
    assert (footnote.anchor, footnote.line, footnote.column) == ("Proven reoffending statistics", line,
                                                                 text.index("Proven") + 1)


# =========================================================================== hostile PDFs


def _with_annotations(source: Path, target: Path, annots, page: int | None = None, edit=None) -> Path:
    """`source` with `annots` on its page `page` (by default the Background page), saved as `target`."""
    if page is None:
        page = background(pymupdf.open(str(source)))
    with pikepdf.open(source) as pdf:
        made = [pdf.make_indirect(pikepdf.Dictionary(a) if isinstance(a, dict) else a) for a in annots]
        pdf.pages[page].obj.Annots = pikepdf.Array(made)
        if edit is not None:
            edit(pdf, made)
        pdf.save(target)
    return target


def _highlight(rect, contents="x", **more) -> dict:
    x0, y0, x1, y1 = rect
    return {"/Type": pikepdf.Name.Annot, "/Subtype": pikepdf.Name.Highlight, "/Rect": pikepdf.Array(rect),
            "/QuadPoints": pikepdf.Array([x0, y1, x1, y1, x0, y0, x1, y0]), "/Contents": pikepdf.String(contents),
            **more}


def _over_words(draft_pdf, words: str) -> tuple[float, float, float, float]:
    doc = pymupdf.open(str(draft_pdf))
    quad = doc[background(doc)].search_for(words, quads=True)[0]
    height = doc[background(doc)].rect.height
    return (quad.ll.x, height - quad.ll.y, quad.ur.x, height - quad.ur.y)


def test_ten_thousand_annotations_are_listed(draft_pdf, tmp_path):
    rect = _over_words(draft_pdf, "three main offices")
    path = _with_annotations(draft_pdf, tmp_path / "many.pdf", [_highlight(rect, f"n{n}") for n in range(MAX_ANNOTATIONS)])
    items = read_pdf_review(path, SURREY)
    assert len(items) == MAX_ANNOTATIONS
    assert {(i.path, i.line, i.anchor) for i in items} == {("chapters/background.md",
                                                           source_line("background.md", "three main offices")[0],
                                                           "three main offices")}


def test_more_annotations_than_the_limit_is_refused_in_one_line(draft_pdf, tmp_path):
    rect = (0, 0, 1, 1)
    path = _with_annotations(draft_pdf, tmp_path / "too-many.pdf", [_highlight(rect) for _ in range(MAX_ANNOTATIONS + 1)])
    with pytest.raises(UnreadableFile) as refused:
        read_pdf_review(path, SURREY)
    assert "more than 10,000 annotations" in str(refused.value) and "\n" not in str(refused.value)


def test_scripts_launches_and_links_in_annotations_are_never_followed(draft_pdf, tmp_path, monkeypatch):
    import os
    import subprocess

    def refuse(*args, **kwargs):
        raise AssertionError("a program was started")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "system", refuse)
    rect = _over_words(draft_pdf, "three main offices")
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x'); this.exportDataObject({})"))
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("/bin/sh"), Win=pikepdf.Dictionary(F=pikepdf.String("calc.exe")))
    uri = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://127.0.0.1:9/beacon"))
    annots = [_highlight(rect, "script", **{"/A": js, "/AA": pikepdf.Dictionary(E=js, X=launch),
                                            "/T": pikepdf.String("\x1b]0;owned\x07\x1b[2J\u009b31m\u202eevil")}),
              _highlight(rect, "launch", **{"/A": launch}),
              _highlight(rect, "uri", **{"/A": uri}),
              {"/Type": pikepdf.Name.Annot, "/Subtype": pikepdf.Name.FileAttachment, "/Rect": pikepdf.Array(rect),
               "/Contents": pikepdf.String("attached"),
               "/FS": pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("/etc/passwd"))}]

    def open_action(pdf, made):
        pdf.Root.OpenAction = js

    path = _with_annotations(draft_pdf, tmp_path / "scripts.pdf", annots, edit=open_action)
    items = read_pdf_review(path, SURREY)
    assert [i.text for i in items] == ["script", "launch", "uri", "attached"]
    assert items[0].author == "\ufffd]0;owned\ufffd\ufffd[2J\ufffd31m\ufffdevil"  # nothing a terminal obeys
    assert all(i.path == "chapters/background.md" for i in items)


BROKEN_QUADS = {
    "odd count": [1, 2, 3],
    "strings": [pikepdf.String("a")] * 8,
    "huge numbers": [9e9] * 8,
    "too many": [100.0] * (8 * 2000),
    "a name": pikepdf.Name.Foo,
}


@pytest.mark.parametrize("quads", BROKEN_QUADS.values(), ids=BROKEN_QUADS.keys())
def test_broken_quad_points_fall_back_to_the_rectangle(draft_pdf, tmp_path, quads):
    rect = _over_words(draft_pdf, "three main offices")
    annot = _highlight(rect, "broken")
    annot["/QuadPoints"] = pikepdf.Array(quads) if isinstance(quads, list) else quads
    path = _with_annotations(draft_pdf, tmp_path / "broken.pdf", [annot])
    [item] = read_pdf_review(path, SURREY)
    assert item.path == "chapters/background.md" and item.anchor == "three main offices"


def test_no_rectangle_and_no_quads_is_listed_on_no_text(draft_pdf, tmp_path):
    annot = {"/Type": pikepdf.Name.Annot, "/Subtype": pikepdf.Name.Highlight, "/Contents": pikepdf.String("lost"),
             "/Rect": pikepdf.Array([pikepdf.Name.X])}
    path = _with_annotations(draft_pdf, tmp_path / "nowhere.pdf", [annot])
    [item] = read_pdf_review(path, SURREY)
    assert item.text == "lost" and not item.located and "on no text" in item.note


def test_reply_loops_and_long_chains_end(draft_pdf, tmp_path):
    rect = _over_words(draft_pdf, "three main offices")

    def loops(pdf, made):
        made[0].IRT, made[1].IRT = made[1], made[0]  # a replies to b, b to a
        made[2].IRT = made[2]  # c replies to itself
        for previous, annot in zip(made[3:], made[4:]):
            annot.IRT = previous  # a chain 3,000 long

    path = _with_annotations(draft_pdf, tmp_path / "loops.pdf", [_highlight(rect, f"r{n}") for n in range(3003)],
                             edit=loops)
    items = read_pdf_review(path, SURREY)
    assert len(items) == 3003
    assert [i.kind for i in items[:3]] == [REPLY, REPLY, REPLY]
    assert items[3].kind == COMMENT and all(i.kind == REPLY for i in items[4:])
    assert {i.path for i in items[3:]} == {"chapters/background.md"}


def test_a_cyclic_or_deep_structure_tree_is_walked_within_bounds(draft_pdf, tmp_path):
    rect = _over_words(draft_pdf, "three main offices")

    def cyclic(pdf, made):
        root = pdf.Root.StructTreeRoot
        first = root.K if isinstance(root.K, pikepdf.Dictionary) else root.K[0]
        loop = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Div))
        loop.K = pikepdf.Array([loop, first])  # holds itself, and the document again
        deep = loop
        for _ in range(5000):
            deep = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Div,
                                                        K=pikepdf.Array([deep])))
        root.K = pikepdf.Array([deep, first])

    path = _with_annotations(draft_pdf, tmp_path / "cyclic.pdf", [_highlight(rect, "in a loop")], edit=cyclic)
    [item] = read_pdf_review(path, SURREY)
    assert item.anchor == "three main offices" and item.path == "chapters/background.md"


def test_an_untagged_pdf_is_located_by_the_line_s_text(draft_pdf, tmp_path):
    rect = _over_words(draft_pdf, "three main offices")

    def untag(pdf, made):
        del pdf.Root["/StructTreeRoot"]
        del pdf.Root["/MarkInfo"]

    def strip_marks(pdf, made):
        untag(pdf, made)
        for page in pdf.pages:  # and no marked content at all: a PDF from a tool that does not tag
            data = page_contents(page)
            page.obj.Contents = pdf.make_stream(re.sub(rb"/\w+\s*<<[^>]*>>\s*BDC|/\w+\s*BMC|\bEMC\b", b"", data))

    short = _over_words(draft_pdf, "main")  # too short to find alone: found by the words of its line
    for edit in (untag, strip_marks):
        path = _with_annotations(draft_pdf, tmp_path / "untagged.pdf", [_highlight(rect, "no tags"),
                                                                         _highlight(short, "short")], edit=edit)
        items = read_pdf_review(path, SURREY)
        line, text = source_line("background.md", "three main offices")
        assert [(i.path, i.line, i.column, i.anchor) for i in items] == [
            ("chapters/background.md", line, text.index("three main offices") + 1, "three main offices"),
            ("chapters/background.md", line, text.index("main offices") + 1, "main")]


def test_a_pdf_of_other_words_is_listed_unlocated(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    font = SURREY.parent.parent / "styles" / "fonts" / "Lato-Regular.ttf"
    page.insert_font(fontname="lato", fontfile=str(font))
    page.insert_text((72, 72), "Words that are in no chapter of the report at all.", fontname="lato")
    quads = page.search_for("no chapter", quads=True)
    page.add_highlight_annot(quads).set_info(content="elsewhere")
    doc.save(str(tmp_path / "other.pdf"))
    [item] = read_pdf_review(tmp_path / "other.pdf", SURREY)
    assert item.anchor == "no chapter" and not item.located
    assert item.note == "page 1: the text under it is not in the report's source (the PDF has no structure tree)"


def test_a_deflate_bomb_page_shows_no_text_and_does_not_blow_up(draft_pdf, tmp_path):
    rect = _over_words(draft_pdf, "three main offices")

    def bomb(pdf, made):
        stream = pikepdf.Stream(pdf, zlib.compress(b" " * 80_000_000, 9))
        stream.Filter = pikepdf.Name.FlateDecode
        pdf.pages[background(pymupdf.open(str(draft_pdf)))].obj.Contents = stream

    path = _with_annotations(draft_pdf, tmp_path / "bomb.pdf", [_highlight(rect, "bomb")], edit=bomb)
    [item] = read_pdf_review(path, SURREY)
    assert item.text == "bomb" and "on no text" in item.note


def test_a_file_that_is_no_pdf_is_refused_in_one_line(tmp_path):
    path = tmp_path / "reviewed.pdf"
    path.write_bytes(b"PK\x03\x04 not a pdf")
    with pytest.raises(UnreadableFile) as refused:
        read_pdf_review(path, SURREY)
    assert "is not a readable PDF: no PDF header" in str(refused.value)


# =========================================================================== the command line


def test_reportgen_review_lists_a_pdf_s_annotations(draft_pdf, tmp_path, reportgen):
    rect = _over_words(draft_pdf, "three main offices")
    path = _with_annotations(draft_pdf, tmp_path / "one.pdf", [_highlight(rect, "Four offices now", **{
        "/T": pikepdf.String("J. Smith")})])
    result = reportgen("review", path, SURREY)
    line, text = source_line("background.md", "three main offices")
    assert result.returncode == 1, result.stderr  # something to review
    assert (f'chapters/background.md:{line}:{text.index("three main offices") + 1}: comment[a1] J. Smith: '
            '"Four offices now" on "three main offices"') in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


# =========================================================================== the readers' bounds


def test_a_content_stream_is_inflated_only_as_far_as_its_bound():
    from generator.formats.pdf_text import bounded_bytes

    pdf = pikepdf.new()
    bomb = pikepdf.Stream(pdf, zlib.compress(b" " * 5_000_000, 9))
    bomb.Filter = pikepdf.Name.FlateDecode
    assert bounded_bytes(bomb, 1_000_000) is None
    assert bounded_bytes(bomb, 5_000_000) == b" " * 5_000_000
    plain = pikepdf.Stream(pdf, b"BT ET")
    assert bounded_bytes(plain, 5) == b"BT ET" and bounded_bytes(plain, 4) is None


def test_a_hostile_cmap_range_is_bounded():
    from generator.formats.pdf_text import MAX_CMAP_CODES, font_map

    pdf = pikepdf.new()
    cmap = pikepdf.Stream(pdf, b"1 beginbfrange\n<00000000> <FFFFFFFF> <0041>\nendbfrange\n"
                               b"1 beginbfrange\n<0000> <00FF> [<0042>\nendbfrange\n")
    font = pikepdf.Dictionary(Subtype=pikepdf.Name.Type0, ToUnicode=cmap)
    mapping = font_map(font)
    assert len(mapping.chars) <= MAX_CMAP_CODES and mapping.chars[b"\0\0\0\0"] == "A"


def test_replace_text_with_the_caret_as_the_primary_is_one_replacement(draft_pdf, tmp_path):
    """The other way round: the strike-out grouped with (/IRT, /RT /Group) a caret holding the new words."""
    rect = _over_words(draft_pdf, "three main offices")
    x0, y0, x1, y1 = rect
    caret = {"/Type": pikepdf.Name.Annot, "/Subtype": pikepdf.Name.Caret, "/Contents": pikepdf.String("two"),
             "/Rect": pikepdf.Array([x0 - 10, y0 - 14, x0 + 10, y0 + 4])}
    strike = _highlight(rect, "")
    strike["/Subtype"] = pikepdf.Name.StrikeOut

    def group(pdf, made):
        made[1].IRT = made[0]
        made[1].RT = pikepdf.Name.Group

    path = _with_annotations(draft_pdf, tmp_path / "replace.pdf", [caret, strike], edit=group)
    [item] = read_pdf_review(path, SURREY)
    assert (item.kind, item.old, item.new, item.path) == (CHANGE, "three main offices", "two", "chapters/background.md")



def test_the_ratings_page_is_located_as_the_docx_locates_it(draft_pdf, tmp_path):
    """On the PDF's ratings page: the overall rating and the fieldwork date at their report.yaml
    keys (the overall rating never taken for another standard's "Inadequate"), a standard's name
    and a group's title at the `::: ratings` marker as the framework's text; a comment on computed
    text names its key, as the DOCX's listing does."""
    doc = pymupdf.open(str(draft_pdf))
    ratings = next(page for page in doc if page.search_for("Fieldwork started:"))
    for words, said in (("Overall rating:", "harsh?"), ("P 2.2 Planning", "name?"),
                        ("Fieldwork started:", "date?"), ("2. Service delivery", "title?")):
        page, quad = ratings, ratings.search_for(words, quads=True)[0]  # on the ratings page (the contents lists it too)
        annot = page.add_highlight_annot([quad])
        annot.set_info(content=said, title="QA")
        annot.update()
    path = tmp_path / "ratings.pdf"
    doc.save(str(path))
    lines = {item.text: str(item) for item in read_pdf_review(path, SURREY)}
    yaml = (SURREY / "report.yaml").read_text(encoding="utf-8").splitlines()
    findings = next(n for n, line in enumerate(yaml, 1) if line.startswith("findings:"))
    fieldwork = next(n for n, line in enumerate(yaml, 1) if "fieldwork_start:" in line)
    marker = source_line("ratings.md", "::: ratings")[0]
    assert lines["harsh?"].startswith(f"report.yaml:{findings}:") and "(findings; computed" in lines["harsh?"]
    assert lines["date?"].startswith(f"report.yaml:{fieldwork}:") and "metadata.fieldwork_start" in lines["date?"]
    for said in ("name?", "title?"):
        assert lines[said].startswith(f"chapters/ratings.md:{marker}")
        assert "framework hmip-pdu-2023's text" in lines[said]


def test_words_a_template_printed_name_the_expression_as_the_docx_does(draft_pdf, tmp_path):
    """A highlight on words a `{{ }}` printed (the chief inspector's name) is at its chapter line,
    with no column, and names the expression and report.yaml, as the DOCX's listing does."""
    doc = pymupdf.open(str(draft_pdf))
    page, quad = _find(doc, "Martin Jones CBE")
    annot = page.add_highlight_annot([quad])
    annot.set_info(content="full name?", title="QA")
    annot.update()
    path = tmp_path / "printed.pdf"
    doc.save(str(path))
    (item,) = read_pdf_review(path, SURREY)
    line = source_line("foreword.md", "{{ report.chief_inspector.name }}")[0]
    assert (item.path, item.line, item.column) == ("chapters/foreword.md", line, 0)
    assert str(item).endswith('on "Martin Jones CBE" (computed by {{ report.chief_inspector.name }}: edit report.yaml)'), \
        str(item)
