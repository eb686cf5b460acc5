"""The inline half of `ChapterParser`: `Inlines.inlines` converts a block's content, one
`inline_<tag>` method per inline element kind (footnote calls, `<sup>`, are in `footnotes`)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

from markdown import util as md_util
from markdown.extensions.footnotes import NBSP_PLACEHOLDER

from generator.diagnostics import did_you_mean
from generator.model import Code, CrossRef, Emph, LineBreak, Link, Strong, Text, walk
from generator.stages.validate.characters import CONTROL_RE, describe_character

LINK_SCHEMES = {"http", "https", "mailto"}
UNDEFINED_NOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
HTML_PLACEHOLDER_RE = re.compile(re.escape(md_util.STX) + r"wzxhzdk:(\d+)" + re.escape(md_util.ETX))


class Inlines:
    """`ChapterParser`'s inline elements: one `inline_<tag>` method per element kind."""

    def inlines(self, el) -> tuple:
        out = []
        if el.text:
            out.extend(self.text(el.text))
        for child in el:
            converter = getattr(self, "inline_" + child.tag, None)
            if converter is None:
                self.error("markdown-unsupported", f"<{child.tag}> is not supported inside a paragraph")
            else:
                node = converter(child)
                if node is not None:
                    out.append(node)
            if child.tail:
                out.extend(self.text(child.tail))
        return tuple(_merge_text(out))

    def text(self, text: str) -> list:
        text = text.replace(md_util.AMP_SUBSTITUTE, "&").replace(NBSP_PLACEHOLDER, "")
        out = []
        pos = 0
        for match in HTML_PLACEHOLDER_RE.finditer(text):
            if not self.skipping:
                out.append(Text(text[pos:match.start()]))
            raw = self.stashed[int(match[1])]
            raw = raw if isinstance(raw, str) else etree.tostring(raw, encoding="unicode")
            out.extend(self.raw_html(raw))
            pos = match.end()
        if not self.skipping:
            out.append(Text(text[pos:]))
        for node in out:
            if isinstance(node, Text):
                for match in CONTROL_RE.finditer(node.text):  # raw ones stop the chapter before Markdown
                    line = self.locate("&#", from_line=self.line)
                    self.state.diags.error("control-character", f"a character reference ('&#...;') here makes "
                                           f"{describe_character(match[0])}; remove it", self.path, line)
                for label in UNDEFINED_NOTE_RE.findall(node.text):
                    self.error("footnote-undefined", f"footnote [^{label}] has no definition in this chapter: "
                               f"add a line '[^{label}]: ...'" + did_you_mean(label, self.notes))
        return [t for t in out if not isinstance(t, Text) or t.text]

    def inline_em(self, el): return Emph(self.inlines(el))
    def inline_strong(self, el): return Strong(self.inlines(el))
    def inline_code(self, el): return Code(el.text or "")
    def inline_br(self, el): return LineBreak()

    def inline_a(self, el):
        href = (el.get("href") or "").strip()
        if href.startswith("#") and len(href) > 1 and not (el.text or "").strip() and not len(el):
            return CrossRef(href[1:])  # [](#id): says "Figure 3", "Table 2" or the heading (assemble)
        scheme = _scheme(href)
        if scheme is None:
            self.error("url-invalid", f"link target {href!r} is not a valid address (check its brackets and "
                       "characters)")
        elif not href or href == "#":
            self.error("link-empty", f"link target {href!r} is not a real address; give a URL "
                       "(or use {{ links.<name> }} from report.yaml)")
        elif scheme not in LINK_SCHEMES and not href.startswith("#"):
            self.error("link-scheme", f"link target {href!r}: only {', '.join(sorted(LINK_SCHEMES - {''}))} "
                       "addresses are allowed")
        if "attachment" in (el.get("rel") or "").lower().split():
            self.error("attachment-refused", f"rel=\"attachment\" on {href!r}: reportgen never attaches files "
                       "to the PDF from chapter content; link to the file instead")
        outer, self.in_link = self.in_link, href
        try:
            children = self.inlines(el)
        finally:
            self.in_link = outer
        if not any(isinstance(n, Text) and n.text.strip() for n in walk(children)):
            self.error("link-text-missing", f"the link to {href!r} has no text")
        return Link(href, children)

    def inline_img(self, el):
        self.error("image-inline", "an image must stand alone in its paragraph")


def _scheme(url: str) -> str | None:
    """The URL's scheme, lower case ('' for a relative path); None if it cannot be parsed at all
    (e.g. unbalanced brackets in the host: 'https://[x')."""
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return None


def _merge_text(nodes: list) -> list:
    out = []
    for node in nodes:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        else:
            out.append(node)
    return out
