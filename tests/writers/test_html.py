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
    assert not re.search(r"""(src|href)=["'](?!https?:|mailto:|#)""", html), "external or relative reference"
    assert "<link" not in html and "<script" not in html
    assert html.count("<main") == 1 and html.count("<h1") == len(surrey_build.document.parts) == 9
    assert '<th scope="col">Key question</th>' in html
    assert not re.search(r"<h1[^>]*>\s*</h1>", html)


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
    asides = re.findall(r'<aside class="footnotes" aria-label="Notes: ([^"]*)">(.*?)</aside>', html, re.S)
    expected = []  # each section (a part's start, or a level-2 heading to the next) with the notes it calls
    for part in surrey_doc.parts:
        current = (part.title, [])
        for block in part.blocks:
            if isinstance(block, Heading) and block.level == 2:
                expected.append(current)
                current = (plain(block.children), [])
            current[1].extend(f"fn-{n.number}" for n in walk((block,)) if isinstance(n, FootnoteRef))
        expected.append(current)
    expected = [(title, notes) for title, notes in expected if notes]
    assert [(title, re.findall(r'<li id="(fn-\d+)"', body)) for title, body in asides] == expected, \
        "each section's notes in an aside right after it"
    assert len(expected) > len([p for p in surrey_doc.parts if p.footnotes]), "some part has notes in two sections"
