"""Accessibility rules for HTML (WCAG 2.2)."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from generator.checks.runner import reader, rule



@reader("html")
class HtmlFile:
    def __init__(self, path: Path):
        import lxml.html  # noqa: PLC0415

        from generator.formats.package import read_html  # noqa: PLC0415

        self.source = read_html(path)  # UnreadableFile: see generator.formats.package
        # Bytes, so that an XHTML page's `<?xml ... encoding=...?>` declaration is accepted.
        self.root = lxml.html.document_fromstring(self.source.encode("utf-8"),
                                                  parser=lxml.html.HTMLParser(encoding="utf-8"))

    def close(self) -> None:
        pass

    @staticmethod
    def where(node) -> str:
        ident = f"#{node.get('id')}" if node.get("id") else ""
        return f"line {node.sourceline} <{node.tag}{ident}>"

    @cached_property
    def styles(self) -> str:
        return "\n".join(s.text_content() for s in self.root.iter("style"))


def _accessible_text(node) -> str:
    text = node.get("aria-label") or " ".join(node.text_content().split())
    if not text:
        text = " ".join(img.get("alt", "") for img in node.iter("img")).strip()
    return text.strip()


@rule("html-lang", "WCAG 2.2 3.1.1", "<html> has a lang attribute")
def html_lang(doc: HtmlFile):
    if not (doc.root.get("lang") or "").strip():
        yield "<html>", "no lang attribute"


@rule("html-lang-valid", "WCAG 2.2 3.1.2", "every lang attribute is a well-formed language tag (BCP 47)")
def html_lang_valid(doc: HtmlFile):
    from generator.formats.language import well_formed  # noqa: PLC0415

    for node in doc.root.iter():
        if not isinstance(node.tag, str):
            continue
        for name in ("lang", "{http://www.w3.org/XML/1998/namespace}lang", "xml:lang"):
            value = node.get(name)
            if value and value.strip() and not well_formed(value.strip()):
                said = "".join(c if c.isprintable() else "?" for c in value[:40]) + ("…" if len(value) > 40 else "")
                yield doc.where(node), f"lang={said!r} is not a language tag"


@rule("html-title", "WCAG 2.2 2.4.2", "the page has a non-empty <title>")
def html_title(doc: HtmlFile):
    titles = [t for t in doc.root.iter("title") if t.text_content().strip()]
    if not titles:
        yield "<head>", "no <title>"


LANDMARKS = {"header", "nav", "main", "footer", "aside"}


@rule("html-landmarks", "WCAG 2.2 1.3.1", "one <main>; all content inside landmarks (header, nav, main, footer)")
def html_landmarks(doc: HtmlFile):
    mains = list(doc.root.iter("main")) + doc.root.xpath("//*[@role='main']")
    if len(mains) != 1:
        yield "<body>", f"{len(mains)} <main> elements (one expected)"
    body = doc.root.find("body")
    for child in (body if body is not None else []):
        if not isinstance(child.tag, str) or child.tag in LANDMARKS | {"script", "style", "template"}:
            continue
        if child.get("role") in ("banner", "navigation", "main", "contentinfo", "complementary"):
            continue
        if child.tag == "a" and (child.get("href") or "").startswith("#"):
            continue  # a skip link
        if child.text_content().strip():
            yield doc.where(child), "content outside any landmark"


@rule("html-skip-link", "WCAG 2.2 2.4.1", "a skip link to the main content comes first")
def html_skip_link(doc: HtmlFile):
    focusable = doc.root.xpath("//body//a[@href] | //body//button | //body//input | //body//*[@tabindex]")
    mains = list(doc.root.iter("main"))
    target = mains[0].get("id") if mains else None
    if not focusable or not target or focusable[0].get("href") != f"#{target}":
        yield "<body>", "the first link does not skip to <main>" + ("" if target else " (which has no id)")


@rule("html-heading-order", "WCAG 2.2 1.3.1", "headings start at h1 and skip no level")
def html_heading_order(doc: HtmlFile):
    previous = 0
    for node in doc.root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        level = int(node.tag[1])
        if level > previous + 1:
            yield doc.where(node), f"h{level} follows {'h' + str(previous) if previous else 'the start'}"
        if not node.text_content().strip():
            yield doc.where(node), "empty heading"
        previous = level


@rule("html-table-header", "WCAG 2.2 1.3.1", "every table has header cells")
def html_table_header(doc: HtmlFile):
    for table in doc.root.iter("table"):
        if table.get("role") != "presentation" and not list(table.iter("th")):
            yield doc.where(table), "table without <th>"


@rule("html-th-scope", "WCAG 2.2 1.3.1", "every <th> has scope (or cells name their headers)")
def html_th_scope(doc: HtmlFile):
    for th in doc.root.iter("th"):
        if th.get("scope") not in ("col", "row", "colgroup", "rowgroup") and not th.get("id"):
            yield doc.where(th), f"<th> without scope: '{th.text_content().strip()[:40]}'"


@rule("html-img-alt", "WCAG 2.2 1.1.1", "every image has alt (empty only if decorative)")
def html_img_alt(doc: HtmlFile):
    for img in doc.root.iter("img"):
        if img.get("alt") is None and img.get("role") not in ("presentation", "none"):
            yield doc.where(img), f"<img src='{img.get('src', '')[:60]}'> without alt"


VAGUE_LINKS = {"click here", "here", "read more", "more", "link", "this link", "click", "this"}


@rule("html-link-text", "WCAG 2.2 2.4.4", "every link has text that says where it goes")
def html_link_text(doc: HtmlFile):
    for a in doc.root.iter("a"):
        if a.get("href") is None:
            continue
        text = _accessible_text(a)
        if not text:
            yield doc.where(a), f"link to {a.get('href')[:60]} has no text"
        elif text.lower().strip(".:! ") in VAGUE_LINKS:
            yield doc.where(a), f"link text '{text}' does not say where it goes"


@rule("html-focus-visible", "WCAG 2.2 2.4.7", "focus is never hidden (no outline: none on :focus)")
def html_focus_visible(doc: HtmlFile):
    # every innermost rule, once (a pattern that looks for ":focus" first rescans every long
    # declaration, such as an embedded font's data URI, from each of its characters: quadratic)
    for match in re.finditer(r"([^{}]*)\{([^{}]*)\}", doc.styles):
        if ":focus" not in match[1]:
            continue
        if re.search(r"outline\s*:\s*(none|0)\b", match[2]) and not re.search(r"box-shadow|border", match[2]):
            yield "<style>", f"'{match[1].strip()[:60]}' hides the focus outline"


def _rgb(value: str):
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return tuple(int(c * 2, 16) for c in value[1:])
    match = re.fullmatch(r"rgba?\((\d+)\s*,\s*(\d+)\s*,\s*(\d+)(?:\s*,\s*[\d.]+)?\)", value)
    return tuple(int(x) for x in match.groups()) if match else None


def contrast(fg, bg) -> float:
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@rule("html-contrast", "WCAG 2.2 1.4.3", "text on a coloured background (rating badges) has contrast of 4.5:1")
def html_contrast(doc: HtmlFile):
    for node in doc.root.xpath("//*[@style]"):
        style = dict((k.strip().lower(), v) for k, _, v in
                     (part.partition(":") for part in node.get("style").split(";") if ":" in part))
        fg, bg = _rgb(style.get("color", "")), _rgb(style.get("background-color", style.get("background", "")))
        if fg and bg and contrast(fg, bg) < 4.5:
            yield doc.where(node), (f"'{node.text_content().strip()[:30]}': contrast {contrast(fg, bg):.2f}:1 "
                                    "is below 4.5:1")


@rule("html-colour-only", "WCAG 2.2 1.4.1", "a coloured badge always says its meaning in words")
def html_colour_only(doc: HtmlFile):
    for node in doc.root.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' badge ')]"):
        if not node.text_content().strip():
            yield doc.where(node), "a badge with colour and no words"
