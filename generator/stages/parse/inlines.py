"""The inline half of `ChapterParser`: `Inlines.inlines` converts a block's content, one
`inline_<tag>` method per inline element kind (footnote calls, `<sup>`, are in `footnotes`)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import replace
from urllib.parse import urlsplit

from markdown import util as md_util
from markdown.extensions.footnotes import NBSP_PLACEHOLDER

from generator.diagnostics import did_you_mean
from generator.editions import LANGUAGE_TAG
from generator.model import (Code, CrossRef, Emph, FootnoteRef, LanguageSpan, LineBreak, Link, Strong, Text, rewrite,
                             walk)
from generator.stages.parse.extensions import SPAN_ATTR, SPAN_ATTRS_RE
from generator.stages.parse.lints import source_line, source_lines
from generator.stages.validate.characters import CONTROL_RE, describe_character

LINK_SCHEMES = {"http", "https", "mailto"}
INNER_SPAN_RE = re.compile(r"(?:\[[^\[\]\n]*)?\]" + SPAN_ATTRS_RE.pattern)  # what stays text of a span in a span
UNDEFINED_NOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
HTML_PLACEHOLDER_RE = re.compile(re.escape(md_util.STX) + r"wzxhzdk:(\d+)" + re.escape(md_util.ETX))


class Inlines:
    """`ChapterParser`'s inline elements: one `inline_<tag>` method per element kind."""

    def inlines(self, el) -> tuple:
        out = []
        if el.text:
            out.extend(self.text(el.text))
        for child in el:
            converter = getattr(self, "inline_" + child.tag.replace("-", "_"), None)
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

    def inline_rg_span(self, el):
        """``[words]{lang=cy}``: words in another language (a LanguageSpan); any other attribute, a
        malformed tag, no words or a span inside a span is an error at the span's column. A note
        called inside it keeps the document's language (the PDF's HTML sets its text at the call)."""
        raw, attrs, exact = el.get("raw"), el.get("attrs"), bool(el.get("exact"))
        children = self.inlines(el)
        braces = raw[raw.rindex("{"):]
        # offsets are from the braces, found in the chapter with the bracket before them; the span's
        # start is known only where its text is the source's, on one line
        start = -(len(raw) - len(braces)) if exact and "\n" not in raw else None
        place: list = []

        def report(code: str, message: str, offset: int | None, warning: bool = False) -> None:
            if not place:
                place.append(self.span_place("]" + braces))
            line, column = place[0]
            column = column + 1 + offset if column and offset is not None else 0
            self.span_report(code, message, line, column, warning)

        lang, bad = None, False
        for match in re.finditer(SPAN_ATTR, attrs):
            token = match[0]
            key, eq, value = token.partition("=")
            value = value[1:-1] if value[:1] in "\"'" and len(value) >= 2 and value[-1] == value[0] else value
            if eq and key == "lang" and lang is None:
                lang, at = value, braces.index(token) + len("lang=") + (value != token[5:])
                continue
            bad = True
            said = ("a second lang" if key == "lang" and eq else f"'{token}'")
            report("span-attribute", f"{said} in '{_short(braces)}': a span takes one attribute, lang=<tag> (words "
                   f"in another language than the document's); reportgen reads no classes, ids or other attributes"
                   + _attribute_hint(key if eq else token), braces.find(token))
        if lang is None:
            if not bad:
                report("span-attribute", f"'{_short(braces)}' gives the span no language: write {{lang=<tag>}}, "
                       "e.g. {lang=en}", 0)
            return children
        tag = canonical_tag(lang)
        if tag is None:
            report("span-language", f"'{_short(lang)}' is not a language tag (BCP 47): write the language's code, "
                   "e.g. lang=en, lang=en-GB or lang=cy" + _tag_hint(lang), at)
            return children
        if not any(isinstance(n, Text) and n.text.strip() for n in walk(children)):
            report("span-empty", f"the span '{_short(raw)}' has no words: put the words in another language "
                   "between the brackets, or remove it", start)
            return children
        inner = next((m[0] for n in walk(children) if isinstance(n, Text) for m in [INNER_SPAN_RE.search(n.text)] if m),
                     None)
        if inner is not None:  # Markdown reads no span inside a span (nor inside a link in one): it stays text
            said = inner if inner.startswith("[") else "…" + inner
            report("span-nested", f"another span ('{_short(said)}') is inside the span '{_short(raw)}': a span marks "
                   "words in one language; close the first before the second begins",
                   start + raw.find(inner) if start is not None and inner in raw else None)
            return children
        doc = self.state.language
        if doc and (tag.lower() == doc.lower() or doc.lower().startswith(tag.lower() + "-")):
            report("span-same-language", f"lang={lang} is the document's language ({doc}) already: the span "
                   f"changes nothing; remove '{_short(braces)}' and the brackets", 0, warning=True)
        if doc:
            children = rewrite(children, lambda n: replace(n, lang=doc) if isinstance(n, FootnoteRef) else n)
        return LanguageSpan(tag, children)

    def span_place(self, last: str) -> tuple[int, int]:
        """(merged line, column from 1) where `last`, the end of a span, is in the chapter: searched
        from the block's line, past the spans of the block already placed (so each is found once,
        and a long line is read once for all its spans); (the block's line, 0) if not found."""
        cursor = getattr(self, "span_cursor", None)
        if cursor is None or cursor[0] != self.line:
            cursor = (self.line, self.line, 0)  # (block line, line, index) to search from
        _, number, index = cursor
        while number <= len(self.lines):
            found = self.lines[number - 1].find(last, index)
            if found >= 0:
                self.span_cursor = (self.line, number, found + 1)
                return number, found + 1
            number, index = number + 1, 0
        return self.line, 0

    def span_report(self, code: str, message: str, line: int, column: int, warning: bool) -> None:
        """At the source line behind merged line `line`; the column only where the source line is
        the merged one (a template value did not move it)."""
        known = self.__dict__.setdefault("span_sources", {})
        if line not in known:
            source = source_line(self.chapter, line)
            lines = self.__dict__.get("span_source_lines")
            if lines is None:
                lines = self.span_source_lines = source_lines(self.chapter.source.text)
            known[line] = (source, lines[source - 1:source] == self.lines[line - 1:line])
        source, same = known[line]
        add = self.state.diags.warning if warning else self.state.diags.error
        add(code, message, self.path, source, column if same else 0)


def canonical_tag(tag: str) -> str | None:
    """A well-formed BCP 47 tag in its usual case ("en-gb" -> "en-GB", "sr-latn" -> "sr-Latn"), or
    None. Tags are case-insensitive; the check is generator/editions.py's, as for metadata.language."""
    parts = tag.split("-")
    parts = [parts[0].lower()] + [p.upper() if len(p) == 2 else p.title() if len(p) == 4 and p.isalpha()
                                  else p.lower() for p in parts[1:]]
    tag = "-".join(parts)
    return tag if LANGUAGE_TAG.match(tag) else None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _attribute_hint(name: str) -> str:
    if name == "dir":
        return ": the direction follows the language; remove it"
    if name.startswith(".") or name.startswith("#") or name == "-":
        return ": remove it"
    return ": remove it" + did_you_mean(name, ["lang"])


def _tag_hint(value: str) -> str:
    fixed = canonical_tag(value.strip().replace("_", "-"))
    return f"; did you mean '{fixed}'?" if fixed and fixed != value else ""


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
