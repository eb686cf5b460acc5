"""Our Python-Markdown extensions: the source line of every top-level block (`_LineParser`), the
block markers (``::: name args`` alone on a line, `_MarkerProcessor`), and the element tree kept
for `ChapterParser` (`_Capture`); `markdown_processor` is the configured Markdown."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

MARKER_RE = re.compile(r"^:::[ \t]*([A-Za-z][\w-]*)(?:[ \t]+(.*?))?[ \t]*$")


class _LineParser(BlockParser):
    """Records the source line of each top-level block as a data-line attribute."""

    def parseDocument(self, lines):
        self._total_lines = len(lines)
        return super().parseDocument(lines)

    def parseBlocks(self, parent, blocks):
        if parent is not getattr(self, "root", None):
            return super().parseBlocks(parent, blocks)
        while blocks:
            line = self._total_lines - "\n\n".join(blocks).count("\n")
            before = len(parent)
            for processor in self.blockprocessors:
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break
            for element in parent[before:]:
                element.set("data-line", str(max(line, 1)))


class _MarkerProcessor(BlockProcessor):
    def test(self, parent, block):
        return bool(MARKER_RE.match(block.split("\n", 1)[0]))

    def run(self, parent, blocks):
        first, _, rest = blocks.pop(0).partition("\n")
        if rest.strip():
            blocks.insert(0, rest)
        match = MARKER_RE.match(first)
        etree.SubElement(parent, "rg-marker", {"name": match[1], "args": match[2] or ""})


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
        md.treeprocessors.register(_Capture(md), "rg-capture", -100)
        md.treeprocessors.deregister("prettify")


def markdown_processor() -> markdown.Markdown:
    return markdown.Markdown(extensions=["tables", "footnotes", "attr_list", "sane_lists",
                                         ReportgenExtension()],
                             extension_configs={"footnotes": {"UNIQUE_IDS": False}})
