"""The HTML writer: the session's self-contained page of the example, read back from the file."""

from __future__ import annotations

import re

from generator.text import file_text
from generator.model import FootnoteRef, Heading, walk
from tests.modeltext import footnote_calls, plain
from tests.readback import html_ids
from tests.seedtext import coverage


def test_html_holds_98_percent_of_seed_sentences(surrey_build):
    found, total, missing = coverage(file_text(surrey_build.outputs["html"]))
    assert found / total >= 0.98, missing


def test_html_golden_text(surrey_build, golden):
    golden("surrey-pdu.html.txt", file_text(surrey_build.outputs["html"]))


def test_html_is_self_contained_and_semantic(surrey_build):
    html = surrey_build.outputs["html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\">")
    assert "<title>An inspection of probation services in: Surrey PDU</title>" in html
    assert not re.search(r"""(src|href)=["'](?!https?:|mailto:|#|data:image/png;base64,)""", html), \
        "external or relative reference"  # the cover's crest is embedded
    assert "<link" not in html and "<script" not in html
    assert html.count("<main") == 1 and html.count('<main id="main" tabindex="-1">') == 1
    # one <h1>, the report's title; each part's title an <h2>
    assert html.count("<h1") == 1 and re.search(r"<h1[^>]*>.*An inspection of probation services in:.*Surrey PDU.*</h1>",
                                                 html)
    assert html.count('<h2 class="part-title"') == len(surrey_build.document.parts) == 9
    assert '<th scope="col">Key question</th>' in html
    assert not re.search(r"<h[1-6][^>]*>\s*</h[1-6]>", html)


def test_every_id_is_unique_and_every_in_page_link_has_a_target(surrey_build):
    page = html_ids(surrey_build.outputs["html"])
    assert len(page.ids) == len(set(page.ids)), sorted(i for i in page.ids if page.ids.count(i) > 1)
    assert set(page.hrefs) <= set(page.ids), set(page.hrefs) - set(page.ids)


def test_footnotes_follow_their_part_with_links_both_ways(surrey_build, surrey_doc):
    html = surrey_build.outputs["html"].read_text(encoding="utf-8")
    page = html_ids(surrey_build.outputs["html"])
    calls = footnote_calls(surrey_doc)
    numbers = [str(c.number) for c in calls]
    assert page.calls == [(f"fn-{n}", f"fn-{n}-ref") for n in numbers], "each call links to its note"
    assert page.notes == [(f"fn-{n}", n) for n in numbers], "notes numbered 1..N through the report"
    for call in calls:
        note = re.search(rf'<li id="fn-{call.number}" value="{call.number}">(.*?)</li>', html, re.S)[1]
        assert f'href="#fn-{call.number}-ref"' in note, "each note links back to its call"
        assert " ".join(re.sub(r"<[^>]+>", "", note).split()).startswith(call.note_text)
    asides = re.findall(r'<div class="footnotes">(.*?)</div>', html, re.S)
    expected = []  # each section (a part's start, or a level-2 heading to the next) with the notes it calls
    for part in surrey_doc.parts:
        current = (part.title, [])
        for block in part.blocks:
            if isinstance(block, Heading) and block.level == 2:
                expected.append(current)
                current = (plain(block.children), [])
            current[1].extend(f"fn-{n.number}" for n in walk((block,)) if isinstance(n, FootnoteRef))
        expected.append(current)
    expected = [notes for title, notes in expected if notes]
    assert [re.findall(r'<li id="(fn-\d+)"', body) for body in asides] == expected, \
        "each section's notes in a block right after it"
    assert len(expected) > len([p for p in surrey_doc.parts if p.footnotes]), "some part has notes in two sections"


def test_footnotes_are_no_landmark_inside_a_section_and_back_links_say_what_they_show(surrey_build):
    """Notes are no landmark inside a part's <section> (an aside nested in a labelled section is a
    landmark inside a landmark): each section's notes are a plain block after it; a back link's "↩"
    is hidden from screen readers, which hear words instead, so its accessible name holds no text
    that is not shown (WCAG 2.5.3)."""
    html = surrey_build.outputs["html"].read_text(encoding="utf-8")
    parts = re.findall(r"<section class=\"part[^\"]*\".*?</section>", html, re.S)
    assert len(parts) == 9 and not any("<aside" in part for part in parts)
    assert '<aside' not in html and html.count('<div class="footnotes">') > 0
    backs = re.findall(r'<a href="#[^"]+-ref" class="back">(.*?)</a>', html)
    assert backs and set(backs) == {'<span aria-hidden="true">↩</span><span class="visually-hidden">Back to the text</span>'}
    assert "aria-label=\"Back to" not in html


def test_a_heading_is_one_level_below_its_model_level_and_past_h6_an_aria_heading():
    from generator.model import Heading, Text
    from generator.writers.html import HtmlWriter

    writer = HtmlWriter("screen")
    assert str(writer.render(Heading(2, (Text("Findings"),), "findings"))) == '<h3 id="findings">Findings</h3>\n'
    assert str(writer.render(Heading(5, (Text("Deep"),), "deep"))).startswith('<h6 id="deep">')
    assert str(writer.render(Heading(6, (Text("Deeper"),), "deeper"))) == (
        '<p role="heading" aria-level="7" id="deeper" class="deep-heading">Deeper</p>\n')
