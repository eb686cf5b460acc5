"""The HTML accessibility rules (generator/checks/html.py): the example passes them all; a small
page made here passes, and broken in one way, fails with the rule that names that thing."""

from __future__ import annotations

import re

import pytest

from generator.checks import check_file


def test_example_html_passes(surrey_build):
    assert check_file(surrey_build.outputs["html"]) == []


GOOD_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>A small report</title></head>
<body><a class="skip-link" href="#main">Skip to main content</a>
<header><p>HM Inspectorate</p></header>
<nav><a href="#findings">Findings</a></nav>
<main id="main"><h1 id="findings">Findings</h1><h2>Ratings</h2>
<p><span class="badge" style="background-color: #d4351c; color: #ffffff">Inadequate</span></p>
<table><thead><tr><th scope="col">Standard</th><th scope="col">Rating</th></tr></thead>
<tbody><tr><th scope="row">Leadership</th><td>Good</td></tr></tbody></table>
<figure><img src="data:image/png;base64,AA==" alt="A chart"></figure>
<p>Read <a href="https://example.org/report">the full report</a>.</p></main>
<footer><p>Crown copyright</p></footer></body></html>
"""

HTML_BREAKS = {
    "html-lang": lambda h: h.replace(' lang="en-GB"', ""),
    "html-lang-valid": lambda h: h.replace("Read <a", 'Read <span lang="en_GB">this</span> <a'),
    "html-title": lambda h: h.replace("<title>A small report</title>", ""),
    "html-landmarks": lambda h: h.replace("<main id=\"main\">", "<div id=\"main\">").replace("</main>", "</div>"),
    "html-heading-order": lambda h: h.replace("<h2>Ratings</h2>", "<h3>Ratings</h3>"),
    "html-th-scope": lambda h: h.replace('<th scope="row">', "<th>"),
    "html-table-header": lambda h: re.sub(r"<thead>.*?</thead>", "", h).replace(
        '<th scope="row">Leadership</th>', "<td>Leadership</td>"),
    "html-img-alt": lambda h: h.replace(' alt="A chart"', ""),
    "html-link-text": lambda h: h.replace(">the full report<", ">click here<"),
    "html-skip-link": lambda h: h.replace('<a class="skip-link" href="#main">Skip to main content</a>', ""),
    "html-contrast": lambda h: h.replace("color: #ffffff", "color: #f47738"),
    "html-colour-only": lambda h: h.replace(">Inadequate</span>", "></span>"),
    "html-focus-visible": lambda h: h.replace("</head>", "<style>a:focus { outline: none }</style></head>"),
}


def test_a_language_tag_is_checked_on_every_element(tmp_path):
    """A span's well-formed tag passes (any case; private use); a name or a malformed one is a
    finding at its element, the <html>'s too; an empty lang ("unknown") is not."""
    path = tmp_path / "langs.html"
    page = GOOD_PAGE.replace("Read <a", '<span lang="CY-gb">Darllen</span> <span lang="x-klingon">a</span> '
                             '<span lang="">b</span> <span lang="welsh">c</span> Read <a')
    path.write_text(page, encoding="utf-8")
    assert [(f.rule, f.message) for f in check_file(path)] == [("html-lang-valid", "lang='welsh' is not a language tag")]
    path.write_text(page.replace('lang="welsh"', 'lang="cy"').replace('<html lang="en-GB"', '<html lang="en GB"'),
                    encoding="utf-8")
    assert [(f.where, f.message) for f in check_file(path)] == [("line 2 <html>", "lang='en GB' is not a language tag")]


def test_small_good_html_passes(tmp_path):
    path = tmp_path / "good.html"
    path.write_text(GOOD_PAGE, encoding="utf-8")
    assert check_file(path) == []


@pytest.mark.parametrize("rule_id", sorted(HTML_BREAKS))
def test_broken_html_fails_with_its_rule(tmp_path, rule_id):
    path = tmp_path / f"{rule_id}.html"
    path.write_text(HTML_BREAKS[rule_id](GOOD_PAGE), encoding="utf-8")
    failures = check_file(path)
    assert rule_id in {f.rule for f in failures}, failures
    assert all(f.where for f in failures)
