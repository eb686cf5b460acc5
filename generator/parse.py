"""Stage 5, parse: merged Markdown to model nodes that keep their source file and line.

Python-Markdown (tables, footnotes, attr_list, sane_lists) builds an element tree; two small
extensions of ours add the source line of every top-level block and the block markers
(``::: name args`` alone on a line) that assemble replaces by generated content.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown import util as md_util
from markdown.extensions.footnotes import NBSP_PLACEHOLDER

from generator.diagnostics import Diagnostics
from generator.merge import MergedChapter
from generator.model import (BlockQuote, BulletList, Code, Emph, FootnoteRef, Heading, Image, LineBreak,
                             Link, OrderedList, Paragraph, Source, Strong, Table, Text)

MARKER_RE = re.compile(r"^:::[ \t]*([A-Za-z][\w-]*)(?:[ \t]+(.*?))?[ \t]*$")
HTML_PLACEHOLDER_RE = re.compile(re.escape(md_util.STX) + r"wzxhzdk:(\d+)" + re.escape(md_util.ETX))


@dataclass(frozen=True)
class Marker:
    """A ``::: name args`` line: a place where assemble puts generated content."""

    name: str
    args: str
    source: Source


@dataclass
class ParseState:
    """What parsing shares across the chapters of one report, in document order."""

    diags: Diagnostics
    footnotes: int = 0
    ids: set[str] = field(default_factory=set)

    def unique_id(self, text: str) -> str:
        base = slugify(text) or "section"
        candidate, n = base, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{base}-{n}"
        self.ids.add(candidate)
        return candidate


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------- Markdown extensions

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


# --------------------------------------------------------------------------- element tree to nodes

class ChapterParser:
    """Converts one chapter's element tree; one method per element kind."""

    def __init__(self, chapter: MergedChapter, md: markdown.Markdown, state: ParseState):
        self.path = chapter.source.path
        self.md = md
        self.state = state
        self.notes: dict[str, etree.Element] = {}
        self.line = 1

    def error(self, code: str, message: str) -> None:
        self.state.diags.error(code, message, self.path, self.line)

    # blocks
    def blocks(self, elements) -> tuple:
        out = []
        for el in elements:
            if el.get("data-line"):
                self.line = int(el.get("data-line"))
            converter = getattr(self, "block_" + el.tag.replace("-", "_"), None)
            if converter is None:
                self.error("markdown-unsupported", f"<{el.tag}> is not supported in a chapter")
                continue
            node = converter(el)
            if node is not None:
                out.append(node)
        return tuple(out)

    def source(self) -> Source:
        return Source(str(self.path), self.line)

    def block_p(self, el):
        if len(el) == 1 and el[0].tag == "img" and not (el.text or "").strip() and not (el[0].tail or "").strip():
            return self.image(el[0])
        return Paragraph(self.inlines(el), self.source(), tuple(el.get("class", "").split()))

    def heading(self, el, level: int):
        if level == 1:
            self.error("heading-level-1", "a chapter starts at '##': the part's title is its only level-1 heading")
        children = self.inlines(el)
        text = "".join(n.text for n in children if isinstance(n, Text))
        return Heading(level, children, el.get("id") or self.state.unique_id(text), self.source())

    def block_h1(self, el): return self.heading(el, 1)
    def block_h2(self, el): return self.heading(el, 2)
    def block_h3(self, el): return self.heading(el, 3)
    def block_h4(self, el): return self.heading(el, 4)
    def block_h5(self, el): return self.heading(el, 5)
    def block_h6(self, el): return self.heading(el, 6)

    def list_items(self, el) -> tuple:
        items = []
        for li in el:
            if len(li) and li[0].tag in ("p", "ul", "ol", "blockquote"):
                items.append(self.blocks(li))
            else:
                items.append((Paragraph(self.inlines(li), self.source()),))
        return tuple(items)

    def block_ul(self, el):
        return BulletList(self.list_items(el), self.source())

    def block_ol(self, el):
        return OrderedList(self.list_items(el), int(el.get("start", 1)), self.source())

    def block_blockquote(self, el):
        return BlockQuote(self.blocks(el), self.source())

    def block_table(self, el):
        head = el.find("thead/tr")
        rows = el.findall("tbody/tr")
        header = tuple(self.inlines(c) for c in head) if head is not None else ()
        return Table(header, tuple(tuple(self.inlines(c) for c in row) for row in rows), self.source())

    def block_rg_marker(self, el):
        return Marker(el.get("name"), el.get("args"), self.source())

    def block_div(self, el):
        if "footnote" in el.get("class", "").split():
            return None  # definitions, read by `collect_notes`
        self.error("markdown-unsupported", "raw HTML blocks are not supported in a chapter")
        return None

    def block_hr(self, el):
        self.error("markdown-unsupported", "horizontal rules are not supported; use a heading")

    def block_pre(self, el):
        self.error("markdown-unsupported", "code blocks are not supported in a report chapter")

    def image(self, img):
        alt = img.get("alt", "").strip()
        if not alt:
            self.error("image-alt-missing", f"image '{img.get('src')}' has no alt text: write ![what it shows](path)")
        return Image(img.get("src", ""), alt, (), self.source())

    # inlines
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
            out.append(Text(text[pos:match.start()]))
            raw = self.md.htmlStash.rawHtmlBlocks[int(match[1])]
            raw = raw if isinstance(raw, str) else etree.tostring(raw, encoding="unicode")
            if re.fullmatch(r"&(#\d+|#x[0-9a-fA-F]+|\w+);", raw):
                out.append(Text(html.unescape(raw)))
            else:
                self.error("html-raw", f"raw HTML {raw[:40]!r} is not supported; use Markdown")
            pos = match.end()
        out.append(Text(text[pos:]))
        return [t for t in out if t.text]

    def inline_em(self, el): return Emph(self.inlines(el))
    def inline_strong(self, el): return Strong(self.inlines(el))
    def inline_code(self, el): return Code(el.text or "")
    def inline_br(self, el): return LineBreak()

    def inline_a(self, el):
        href = (el.get("href") or "").strip()
        if not href or href == "#" or href.lower().startswith("javascript:"):
            self.error("link-empty", f"link target {href!r} is not a real address; give a URL "
                       "(or use {{ links.<name> }} from report.yaml)")
        return Link(href, self.inlines(el))

    def inline_img(self, el):
        self.error("image-inline", "an image must stand alone in its paragraph")

    def inline_sup(self, el):
        ref = el.find("a")
        if ref is None or "footnote-ref" not in ref.get("class", ""):
            return Text("".join(el.itertext()))  # a plain superscript: keep its text
        label = ref.get("href", "").removeprefix("#fn:")
        note = self.notes.get(label)
        if note is None:
            self.error("footnote-undefined", f"footnote [^{label}] has no definition in this chapter")
            return None
        self.state.footnotes += 1
        body = []
        for child in note:
            if child.tag == "p":
                if body:
                    body.append(Text(" "))
                body.extend(self.inlines(_without_backrefs(child)))
        return FootnoteRef(self.state.footnotes, f"fn-{self.state.footnotes}", tuple(_merge_text(body)))

    def collect_notes(self, root) -> None:
        for div in root.iter("div"):
            if "footnote" in div.get("class", "").split():
                for li in div.iter("li"):
                    self.notes[li.get("id", "").removeprefix("fn:")] = li


def _without_backrefs(p):
    for parent in list(p.iter()):
        for a in list(parent):
            if a.tag == "a" and "footnote-backref" in a.get("class", ""):
                parent.remove(a)
    return p


def _merge_text(nodes: list) -> list:
    out = []
    for node in nodes:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        else:
            out.append(node)
    return out


def parse_chapter(chapter: MergedChapter, state: ParseState) -> tuple:
    md = markdown_processor()
    md.convert(chapter.text)
    root = md.captured_tree
    parser = ChapterParser(chapter, md, state)
    parser.collect_notes(root)
    blocks = parser.blocks(root)
    used = {el.find("a").get("href", "").removeprefix("#fn:") for el in root.iter("sup") if el.find("a") is not None}
    for label in parser.notes:
        if label not in used:
            state.diags.warning("footnote-unused", f"footnote [^{label}] is defined but never referenced",
                                chapter.source.path)
    return blocks
