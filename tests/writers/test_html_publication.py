"""The HTML page as a GOV.UK-style publication, in a real browser (tests/browser/): the theme's
fonts embedded and used, the contents in view beside the text on a wide screen, back-to-top
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


def test_the_contents_stays_in_view_on_a_wide_screen_only(browser, surrey_build):
    browser.open(surrey_build.outputs["html"], width=1280)
    browser.eval("window.scrollTo(0, document.body.scrollHeight / 2)")
    box = browser.eval("(() => { const r = document.querySelector('.side-contents').getBoundingClientRect(); "
                       "return [r.top, r.bottom, r.width]; })()")
    assert 0 <= box[0] <= 40 and box[2] > 100, box  # stuck to the top while the text scrolls
    links = browser.eval("[...document.querySelectorAll('.side-contents a')].map(a => a.getAttribute('href'))")
    assert links[:2] == ["#contents", "#acknowledgements"] and all(
        browser.eval(f"!!document.getElementById('{href[1:]}')") for href in links)
    browser.open(surrey_build.outputs["html"], width=320)
    assert browser.eval("getComputedStyle(document.querySelector('.side-contents')).display") == "none"


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
