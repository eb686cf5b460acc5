"""Stage 5, parse: merged Markdown to model nodes that keep their source file and line.

Python-Markdown (tables, footnotes, attr_list, sane_lists) builds an element tree; two small
extensions of ours add the source line of every top-level block and the block markers
(``::: name args`` alone on a line) that assemble replaces by generated content.
"""

from __future__ import annotations

import html
import html.parser
import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown import util as md_util
from markdown.extensions.footnotes import NBSP_PLACEHOLDER

from generator.diagnostics import Diagnostics, did_you_mean
from generator.stages.merge import MergedChapter
from generator.model import (BlockQuote, BulletList, Code, Emph, FootnoteRef, Heading, Image, LineBreak,
                             Link, OrderedList, Paragraph, Source, Strong, Table, Text, walk)

LINK_SCHEMES = {"http", "https", "mailto"}
MARKER_RE = re.compile(r"^:::[ \t]*([A-Za-z][\w-]*)(?:[ \t]+(.*?))?[ \t]*$")
UNDEFINED_NOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
ENTITY_RE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|\w+);")
TAG_RE = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)/?>")
EVENT_RE = re.compile(r"\bon[a-z]+\s*=", re.I)
HTML_TRANSPARENT = {"b", "i", "em", "strong", "sup", "sub", "abbr", "span", "small", "u", "mark", "cite", "q"}
HTML_DANGEROUS = {"script", "style", "iframe", "object", "embed", "link", "meta", "base", "form", "input",
                  "button", "frame", "frameset", "applet", "svg", "math", "template", "textarea", "select"}
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
    report_dir: Path | None = None  # images are looked up here
    allow_remote: bool = False  # http(s) images allowed (--allow-remote)
    footnotes: int = 0
    ids: set[str] = field(default_factory=set)

    def claim_id(self, anchor: str) -> bool:
        """Reserve an author-given anchor; False if it is taken already."""
        if anchor in self.ids:
            return False
        self.ids.add(anchor)
        return True

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
        self.lines = chapter.text.splitlines()
        self.md = md
        self.state = state
        self.notes: dict[str, etree.Element] = {}
        self.line = 1
        self.skipping: str | None = None  # inside a removed <script>/<style>...: drop text

    def error(self, code: str, message: str) -> None:
        self.state.diags.error(code, message, self.path, self.line)

    def warning(self, code: str, message: str) -> None:
        self.state.diags.warning(code, message, self.path, self.line)

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

    def check_attributes(self, root) -> None:
        """attr_list lets an author set any attribute; event handlers are dropped with a warning
        (the model keeps no arbitrary attributes, so nothing else reaches an output)."""
        for top in root:
            self.line = int(top.get("data-line") or self.line)
            for name in (n for sub in top.iter() for n in sub.attrib if n.lower().startswith("on")):
                self.warning("html-event-handler", f"attribute '{name}' removed: event handlers are not allowed")

    def locate(self, snippet: str) -> int:
        """The first line of the chapter holding `snippet` (for content Markdown moved or removed)."""
        snippet = snippet.strip().split("\n", 1)[0]
        return next((i for i, line in enumerate(self.lines, 1) if snippet and snippet in line), self.line)

    def source(self) -> Source:
        return Source(str(self.path), self.line)

    def block_p(self, el):
        if len(el) == 1 and el[0].tag == "img" and not (el.text or "").strip() and not (el[0].tail or "").strip():
            return self.image(el[0])
        children = self.inlines(el)
        if not children:
            return None  # e.g. a raw HTML block that was removed
        return Paragraph(children, self.source(), tuple(el.get("class", "").split()))

    def heading(self, el, level: int):
        if level == 1:
            self.error("heading-level-1", "a chapter starts at '##': the part's title is its only level-1 heading")
        children = self.inlines(el)
        text = "".join(n.text for n in children if isinstance(n, Text))
        anchor = el.get("id")
        if anchor and not self.state.claim_id(anchor):
            self.error("anchor-duplicate", f"the anchor '#{anchor}' is used twice; anchors must be unique in the report")
        return Heading(level, children, anchor or self.state.unique_id(text), self.source())

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
        src = (img.get("src") or "").strip()
        alt = img.get("alt", "").strip()
        if not alt:
            self.error("image-alt-missing", f"image '{src}' has no alt text: write ![what it shows]({src})")
        scheme = urlsplit(src).scheme.lower()
        if scheme in ("http", "https"):
            if not self.state.allow_remote:
                self.error("url-remote", f"image '{src}' is on the web; reportgen reads only files inside the "
                           "report folder (use --allow-remote to fetch it)")
        elif scheme or src.startswith("/"):
            self.error("url-refused", f"image '{src}' must be a path inside the report folder")
        elif self.state.report_dir is not None:
            path = (self.state.report_dir / src).resolve()
            if not path.is_relative_to(self.state.report_dir.resolve()):
                self.error("url-refused", f"image '{src}' is outside the report folder")
            elif not path.is_file():
                near = did_you_mean(Path(src).name, [p.name for p in path.parent.glob("*")] if path.parent.is_dir() else [])
                self.error("image-missing", f"image '{src}' not found" + near)
        return Image(src, alt, (), self.source())

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
            if not self.skipping:
                out.append(Text(text[pos:match.start()]))
            raw = self.md.htmlStash.rawHtmlBlocks[int(match[1])]
            raw = raw if isinstance(raw, str) else etree.tostring(raw, encoding="unicode")
            out.extend(self.raw_html(raw))
            pos = match.end()
        if not self.skipping:
            out.append(Text(text[pos:]))
        for node in out:
            if isinstance(node, Text):
                for label in UNDEFINED_NOTE_RE.findall(node.text):
                    self.error("footnote-undefined", f"footnote [^{label}] has no definition in this chapter: "
                               f"add a line '[^{label}]: ...'" + did_you_mean(label, self.notes))
        return [t for t in out if not isinstance(t, Text) or t.text]

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
        return []

    def inline_em(self, el): return Emph(self.inlines(el))
    def inline_strong(self, el): return Strong(self.inlines(el))
    def inline_code(self, el): return Code(el.text or "")
    def inline_br(self, el): return LineBreak()

    def inline_a(self, el):
        href = (el.get("href") or "").strip()
        scheme = urlsplit(href).scheme.lower()
        if not href or href == "#":
            self.error("link-empty", f"link target {href!r} is not a real address; give a URL "
                       "(or use {{ links.<name> }} from report.yaml)")
        elif scheme not in LINK_SCHEMES and not href.startswith("#"):
            self.error("link-scheme", f"link target {href!r}: only {', '.join(sorted(LINK_SCHEMES - {''}))} "
                       "addresses are allowed")
        if "attachment" in (el.get("rel") or "").lower().split():
            self.error("attachment-refused", f"rel=\"attachment\" on {href!r}: reportgen never attaches files "
                       "to the PDF from chapter content; link to the file instead")
        children = self.inlines(el)
        if not any(isinstance(n, Text) and n.text.strip() for n in walk(children)):
            self.error("link-text-missing", f"the link to {href!r} has no text")
        return Link(href, children)

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
    if not chapter.text.strip():
        state.diags.warning("chapter-empty", "the chapter is empty", chapter.source.path, 1)
        return ()
    md = markdown_processor()
    md.convert(chapter.text)
    root = md.captured_tree
    parser = ChapterParser(chapter, md, state)
    parser.collect_notes(root)
    parser.check_attributes(root)
    blocks = parser.blocks(root)
    used = {el.find("a").get("href", "").removeprefix("#fn:") for el in root.iter("sup") if el.find("a") is not None}
    for label in parser.notes:
        if label not in used:
            state.diags.warning("footnote-unused", f"footnote [^{label}] is defined but never referenced",
                                chapter.source.path, parser.locate(f"[^{label}]:"))
    return blocks
