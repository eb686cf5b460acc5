"""The safe subset of raw HTML (README, "Raw HTML"): `RawHtml.raw_html`, the `ChapterParser` method
for raw HTML in a paragraph, and `_HtmlBlock`, the reader of a whole raw HTML block."""

from __future__ import annotations

import html
import html.parser
import re

from generator.model import LineBreak, Text

ENTITY_RE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|\w+);")
TAG_RE = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)/?>")
EVENT_RE = re.compile(r"\bon[a-z]+\s*=", re.I)
LANG_RE = re.compile(r"(?<![\w:-])(?:xml:)?lang\s*=", re.I)
HTML_TRANSPARENT = {"b", "i", "em", "strong", "sup", "sub", "abbr", "span", "small", "u", "mark", "cite", "q"}
HTML_DANGEROUS = {"script", "style", "iframe", "object", "embed", "link", "meta", "base", "form", "input",
                  "button", "frame", "frameset", "applet", "svg", "math", "template", "textarea", "select"}


class RawHtml:
    """`ChapterParser`'s raw HTML (its `skipping`, `line`, `locate` and `warning`)."""

    def raw_html(self, raw: str) -> list:
        """The safe subset of raw HTML (README, "Raw HTML"): entities and <br> are kept, formatting
        tags are reduced to their text, dangerous tags are removed with their content."""
        raw = raw.strip()
        if ENTITY_RE.fullmatch(raw):
            return [Text(html.unescape(raw))]
        tag = TAG_RE.fullmatch(raw)
        if tag is None:  # a block of HTML: keep its text, report what was removed
            self.line = self.locate(raw)
            reader = _HtmlBlock()
            reader.feed(raw)
            reader.close()
            for name in sorted(reader.removed):
                self.warning("html-removed", f"<{name}> removed: not allowed in a report")
            for name in sorted(reader.unsupported):
                self.warning("html-unsupported", f"<{name}> is not supported; only its text is kept")
            if reader.handlers:
                self.warning("html-event-handler", "event-handler attributes (on...) removed")
            return [Text(reader.text())] if reader.text().strip() else []
        closing, name, attrs = tag[1] == "/", tag[2].lower(), tag[3]
        if EVENT_RE.search(attrs):
            self.warning("html-event-handler", f"event-handler attribute removed from <{name}>")
        if name in HTML_DANGEROUS:
            if not closing:
                self.warning("html-removed", f"<{name}> removed with its content: not allowed in a report")
            self.skipping = None if closing else name
            return []
        if name == "br":
            return [LineBreak()]
        if name not in HTML_TRANSPARENT and not closing:
            self.warning("html-unsupported", f"<{name}> is not supported; only its text is kept")
        elif not closing and LANG_RE.search(attrs):
            self.state.diags.warning("html-unsupported", f"the lang of <{name}> is not kept, only its text: mark "
                                     "words in another language as [the words]{lang=cy} (pandoc's bracketed span)",
                                     self.path, self.locate(raw, from_line=self.line))
        return []


class _HtmlBlock(html.parser.HTMLParser):
    """Text of a raw HTML block, without dangerous elements and their content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.removed: set[str] = set()
        self.unsupported: set[str] = set()
        self.handlers = False
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if any(name.lower().startswith("on") for name, _ in attrs):
            self.handlers = True
        if tag in HTML_DANGEROUS:
            self.removed.add(tag)
            self.skip += tag not in ("link", "meta", "base", "input")
        elif tag not in HTML_TRANSPARENT and tag != "br":
            self.unsupported.add(tag)

    def handle_endtag(self, tag):
        if tag in HTML_DANGEROUS and self.skip and tag not in ("link", "meta", "base", "input"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.parts)).strip()
