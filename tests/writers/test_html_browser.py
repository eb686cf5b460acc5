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


# --------------------------------------------------------------------------- axe-core, every example

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.browser import AXE_TAGS, TEXT_SPACING  # noqa: E402

import yaml  # noqa: E402

CONTENT = Path(__file__).resolve().parents[2] / "content"


def _pages() -> list[str]:
    """Each bundled example's HTML page: `surrey-pdu`, and a further edition's as `bro-wennol-pdu.cy`."""
    pages = []
    for report in sorted(CONTENT.glob("*/report.yaml")):
        editions = yaml.safe_load(report.read_text(encoding="utf-8")).get("editions") or []
        pages += [report.parent.name] + [f"{report.parent.name}.{tag.split('-')[0].lower()}" for tag in editions[1:]]
    return pages


EXAMPLES = _pages()


@pytest.fixture(scope="module")
def example_html(example_build):
    """Each bundled example's HTML page (content/*, the session's builds), every edition's."""
    pages = {}
    for name in sorted({page.split(".")[0] for page in EXAMPLES}):
        built = example_build(name)
        for made in (built.editions or {"": built.outputs}).values():
            pages[made["html"].name.removesuffix(".html")] = made["html"]
    assert set(pages) == set(EXAMPLES)
    return pages


def _brief(results: list) -> list:
    return [(r["id"], r["help"], [n["target"] for n in r["nodes"]]) for r in results]


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("width,spacing", [(1280, False), (320, True)], ids=["1280px", "320px-text-spacing"])
def test_axe_finds_nothing_to_report(browser, example_html, name, width, spacing):
    """axe-core (WCAG 2.2 A and AA and best practice): no violation and nothing left to check by
    hand ("incomplete"), on the desktop and on a 320 px screen with WCAG 1.4.12 text spacing."""
    browser.open(example_html[name], width=width)
    if spacing:
        browser.style(TEXT_SPACING)
    result = browser.axe(AXE_TAGS)
    assert result["passes"] > 10
    assert _brief(result["violations"]) == []
    assert _brief(result["incomplete"]) == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_horizontal_scroll_at_320_px_with_text_spacing(browser, example_html, name):
    """WCAG 1.4.10 Reflow and 1.4.12 Text Spacing: nothing wider than a 320 px screen."""
    browser.open(example_html[name], width=320)
    browser.style(TEXT_SPACING)
    overflow = browser.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = browser.eval("""[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40))""")
    assert overflow <= 0, wide


def test_first_tab_is_the_skip_link_and_enter_moves_focus_into_main(browser, surrey_build):
    browser.open(surrey_build.outputs["html"])
    first = browser.press("Tab")
    assert first["href"] == "#main" and "Skip" in first["text"]
    assert browser.eval("getComputedStyle(document.activeElement).left") != "-999px"  # it shows when focused
    landed = browser.press("Enter")
    assert landed["tag"] == "main" and landed["id"] == "main"
    after = browser.press("Tab")  # the next stop is inside the report, not back at the top
    assert browser.eval("document.querySelector('main').contains(document.activeElement)"), after
