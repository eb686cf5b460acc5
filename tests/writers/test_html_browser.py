"""The HTML publication in a real browser (Debian's chromium, tests/browser/)."""

from __future__ import annotations


def test_the_report_opens_in_chromium_with_no_script_errors(browser, surrey_build):
    html = surrey_build.outputs["html"]
    loaded = browser.open(html)
    assert loaded["url"].startswith("file://")
    title = browser.eval("document.title")
    assert "Surrey" in title
    # the page's text is the report's, laid out (not an empty page or an error page)
    text = browser.eval("document.body.innerText")
    assert "Inadequate" in text and len(text) > 20000
    assert browser.errors() == []


def test_the_page_has_no_horizontal_scroll_at_1280_px(browser, surrey_build):
    browser.open(surrey_build.outputs["html"], width=1280)
    overflow = browser.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
