"""The HTML page as a GOV.UK-style publication, in a real browser (tests/browser/): the theme's
fonts embedded and used, one contents list, in view beside the text on a wide screen, back-to-top
links, each section's notes right after it, and no horizontal scroll at 320px with WCAG 1.4.12
text spacing."""

from __future__ import annotations

import re

from tests.browser import TEXT_SPACING


def test_the_themes_fonts_are_embedded_subset_and_used(browser, surrey_build):
    html = surrey_build.outputs["html"].read_text(encoding="utf-8")
    faces = re.findall(r"@font-face \{ font-family: \"Lato\"; font-weight: (\w+); font-style: (\w+);.*?"
                       r"src: url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", html)
    assert sorted((w, s) for w, s, _ in faces) == [("bold", "italic"), ("bold", "normal"),
                                                  ("normal", "italic"), ("normal", "normal")]
    assert all(len(data) < 30_000 for _, _, data in faces), "each face is a subset (the TTF is 660 KB)"
    browser.open(surrey_build.outputs["html"], width=1280)
    browser.wait("document.fonts.status === 'loaded'")
    assert browser.eval("document.fonts.check('bold 16px Lato')") is True
    assert browser.eval("[...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Lato' "
                        "&& f.status === 'loaded').length") >= 2


CONTENTS_LISTS = """[...document.querySelectorAll('nav, ol, ul')].filter(e => e.offsetParent !== null
    && !e.parentElement.closest('nav, ol, ul')
    && [...e.querySelectorAll('a')].some(a => a.getAttribute('href') === '#ratings')).length"""


def test_one_contents_list_in_view_beside_the_text_on_a_wide_screen_and_in_place_on_a_narrow_one(
        browser, surrey_build, surrey_doc):
    """The page has one contents list (the Contents part's, with the model's entries) at every
    width: beside the text and kept in view on a wide screen, in its place on a narrow one."""
    from generator.model import Contents, walk

    entries = [f"#{e.target}" for part in surrey_doc.parts for n in walk(part.blocks) if isinstance(n, Contents)
               for e in n.entries]
    html = surrey_build.outputs["html"].read_text(encoding="utf-8")
    assert html.count('href="#ratings"') == 1, "one list names the parts"
    browser.open(surrey_build.outputs["html"], width=1280)
    assert browser.eval(CONTENTS_LISTS) == 1
    browser.eval("window.scrollTo(0, document.body.scrollHeight / 2)")
    box = browser.eval("(() => { const r = document.querySelector('#contents').getBoundingClientRect(); "
                       "const m = document.querySelector('#foreword').getBoundingClientRect(); "
                       "return [r.top, r.width, r.right, m.left]; })()")
    assert 0 <= box[0] <= 40 and box[1] > 100 and box[2] < box[3], box  # beside the text, stuck to the top
    links = browser.eval("[...document.querySelectorAll('#contents nav a')].map(a => a.getAttribute('href'))")
    assert links == entries and all(browser.eval(f"!!document.getElementById('{href[1:]}')") for href in links)
    browser.open(surrey_build.outputs["html"], width=320)
    assert browser.eval(CONTENTS_LISTS) == 1
    assert browser.eval("getComputedStyle(document.querySelector('#contents')).position") == "static"


def test_back_to_top_after_each_part_and_notes_after_their_section(browser, surrey_build):
    browser.open(surrey_build.outputs["html"], width=1280)
    parts = browser.eval("document.querySelectorAll('section.part').length")
    assert browser.eval("document.querySelectorAll('section.part > p.back-to-top > a[href=\"#top\"]').length") == parts
    assert browser.eval("!!document.getElementById('top')")
    # each note is in the first notes list after its call, and no level-2 heading comes between
    misplaced = browser.eval("""[...document.querySelectorAll('.footnote-ref a')].filter(call => {
        const note = document.getElementById(call.getAttribute('href').slice(1));
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
        walker.currentNode = call;
        let node;
        while ((node = walker.nextNode())) {
            if (node.matches('div.footnotes')) return !node.contains(note);
            if (node.matches('h3, section.part')) return true;  // a chapter's ## is an <h3>
        }
        return true;
    }).map(a => a.textContent)""")
    assert misplaced == []


def test_no_horizontal_scroll_at_320_px_with_text_spacing(browser, surrey_build):
    browser.open(surrey_build.outputs["html"], width=320)
    browser.style(TEXT_SPACING)
    overflow = browser.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = browser.eval("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right >
        document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)""")
    assert overflow <= 0 and wide == [], wide
