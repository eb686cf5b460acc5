"""Our Python-Markdown extensions: the source line of every top-level block (`_LineParser`), the
block markers (``::: name args`` alone on a line, `_MarkerProcessor`), pandoc's bracketed span
(``[words]{lang=cy}``, `_SpanProcessor`), and the element tree kept for `ChapterParser`
(`_Capture`); `markdown_processor` is the configured Markdown."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import NOIMG, LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor

MARKER_RE = re.compile(r"^:::[ \t]*([A-Za-z][\w-]*)(?:[ \t]+(.*?))?[ \t]*$")


def _newlines(blocks) -> int:
    """How many newlines "\n\n".join(blocks) holds."""
    return sum(block.count("\n") for block in blocks) + 2 * max(len(blocks) - 1, 0)


class _LineParser(BlockParser):
    """Records the source line of each top-level block as a data-line attribute.

    The line of the first block is the document's line count less the newlines still ahead of
    it. Block processors only change the front of the list, so after each one the count is
    carried over from the first block of the old list that is still there (found by identity
    among the next few), and only the new front is counted: linear in the chapter's size, where
    recounting every remaining block each time was quadratic (a 4.5 MB chapter took 8.6 s)."""

    WINDOW = 8  # old blocks looked for at the new list's front

    def parseDocument(self, lines):
        self._total_lines = len(lines)
        return super().parseDocument(lines)

    def parseBlocks(self, parent, blocks):
        if parent is not getattr(self, "root", None):
            return super().parseBlocks(parent, blocks)
        remaining = _newlines(blocks)
        while blocks:
            line = self._total_lines - remaining
            window = blocks[: self.WINDOW + 1]
            before = len(parent)
            for processor in self.blockprocessors:
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break
            for element in parent[before:]:
                element.set("data-line", str(max(line, 1)))
            remaining = self._carry(blocks, window, remaining)

    def _carry(self, blocks, window, remaining: int) -> int:
        """Newlines in "\n\n".join(blocks), from `remaining`, the count for the list that began
        with `window` before the processor ran."""
        tail_after: dict[int, int] = {}  # id of an old block -> newlines from it to the end
        shared: set[int] = set()
        ahead = remaining
        for old in window:  # `window` keeps the old blocks alive, so their ids stay theirs
            if len(old) > 1:  # CPython shares the empty and one-character strings: no identity
                if id(old) in tail_after:
                    shared.add(id(old))  # the same object twice: its place is ambiguous
                else:
                    tail_after[id(old)] = ahead
            ahead -= old.count("\n") + 2
        for index, block in enumerate(blocks[: self.WINDOW]):
            if id(block) in tail_after and id(block) not in shared:
                return _newlines(blocks[:index]) + (2 if index else 0) + tail_after[id(block)]
        return _newlines(blocks)


class _MarkerProcessor(BlockProcessor):
    def test(self, parent, block):
        return bool(MARKER_RE.match(block.split("\n", 1)[0]))

    def run(self, parent, blocks):
        first, _, rest = blocks.pop(0).partition("\n")
        if rest.strip():
            blocks.insert(0, rest)
        match = MARKER_RE.match(first)
        etree.SubElement(parent, "rg-marker", {"name": match[1], "args": match[2] or ""})


CALLOUTS = ("example",)  # the boxed blocks: ``::: example "Title"`` ... ``:::``
CALLOUT_RE = re.compile(r"^:::[ \t]*(" + "|".join(CALLOUTS) + r")\b[ \t]*(?:\"([^\"]*)\"|(.*?))[ \t]*$")
CALLOUT_END_RE = re.compile(r"^:::[ \t]*$", re.MULTILINE)


class _CalloutProcessor(BlockProcessor):
    """``::: example "Title"``, the blocks of the box, then ``:::`` alone on a line: an `rg-callout`
    element holding the blocks (parsed as any others)."""

    def test(self, parent, block):
        return bool(CALLOUT_RE.match(block.split("\n", 1)[0]))

    def run(self, parent, blocks):
        first, _, rest = blocks.pop(0).partition("\n")
        match = CALLOUT_RE.match(first)
        inner, unclosed = [], True
        pending = [rest] if rest.strip() else []
        while pending or blocks:
            block = pending.pop(0) if pending else blocks.pop(0)
            end = CALLOUT_END_RE.search(block)
            if end is None:
                inner.append(block)
                continue
            inner.append(block[:end.start()].rstrip("\n"))
            after = block[end.end():].lstrip("\n")
            if after.strip():
                blocks.insert(0, after)
            unclosed = False
            break
        attrs = {"name": match[1], "title": (match[2] if match[2] is not None else match[3] or "").strip()}
        if unclosed:
            attrs["unclosed"] = "1"
        box = etree.SubElement(parent, "rg-callout", attrs)
        self.parser.parseBlocks(box, [b for b in inner if b.strip()])


# pandoc's bracketed span, ``[words]{lang=cy}``: the braces right after the closing bracket, holding
# what pandoc reads as attributes (``#id``, ``.class``, ``key=value``, ``-``). Anything else in
# braces (``[sic]{1}``) is text, as in pandoc. Bounded: no newline or brace inside the braces.
SPAN_ATTR = r"""(?:[#.][^\s{}]*|[^\s{}=]*=(?:"[^"{}\n]*"|'[^'{}\n]*'|[^\s{}]*)|-)"""
SPAN_ATTRS_RE = re.compile(r"\{[ \t]*(" + SPAN_ATTR + r"(?:[ \t]+" + SPAN_ATTR + r")*)[ \t]*\}")
SPAN_TAG = "rg-span"


class _SpanProcessor(LinkInlineProcessor):
    """``[words]{attributes}``: an `rg-span` element holding the words (parsed as any inline text:
    emphasis, links, footnote calls), the attributes as written (`attrs`) and the span (`raw`,
    as the source has it where `exact`), for `Inlines.inline_rg_span` to check. The brackets nest
    as a link's do; without the braces right after them, it is no span (a link, a reference, or
    text). It runs before references (170), after footnote calls (175), escapes and code spans."""

    def handleMatch(self, m, data):
        text, index, handled = self.getText(data, m.end(0))
        if not handled:
            return None, None, None
        attrs = SPAN_ATTRS_RE.match(data, index)
        if attrs is None:
            return None, None, None
        raw = data[m.start(0):attrs.end(0)]  # holds placeholders for what earlier patterns took: code, notes
        el = etree.Element(SPAN_TAG, {"attrs": attrs[1], "raw": self.unescape(raw),
                                      "exact": "" if markdown.util.STX in raw else "1"})
        el.text = text
        return el, m.start(0), attrs.end(0)


class _Capture(Treeprocessor):
    def run(self, root):
        self.md.captured_tree = root


class ReportgenExtension(Extension):
    def extendMarkdown(self, md):
        parser = _LineParser(md)
        parser.blockprocessors = md.parser.blockprocessors
        md.parser = parser
        for processor in parser.blockprocessors:
            processor.parser = parser
        parser.blockprocessors.register(_MarkerProcessor(parser), "rg-marker", 95)
        parser.blockprocessors.register(_CalloutProcessor(parser), "rg-callout", 96)
        md.inlinePatterns.register(_SpanProcessor(NOIMG + r"\[", md), "rg-span", 172)  # before references (170)
        md.treeprocessors.register(_Capture(md), "rg-capture", -100)
        md.treeprocessors.deregister("prettify")


def markdown_processor() -> markdown.Markdown:
    # smarty: curly quotes and apostrophes, en and em dashes (-- and ---), ellipses, as SmartyPants;
    # never inside code spans, code blocks or URLs (those are atomic to Python-Markdown's inline
    # patterns). Its entities come back as text through raw_html's entity rule.
    return markdown.Markdown(extensions=["tables", "footnotes", "attr_list", "sane_lists", "smarty",
                                         ReportgenExtension()],
                             extension_configs={"footnotes": {"UNIQUE_IDS": False},
                                                "smarty": {"smart_angled_quotes": False}})
