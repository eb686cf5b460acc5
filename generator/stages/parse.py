"""Stage 5, parse: merged Markdown to model nodes that keep their source file and line.

Python-Markdown (tables, footnotes, attr_list, sane_lists) builds an element tree; two small
extensions of ours add the source line of every top-level block and the block markers
(``::: name args`` alone on a line) that assemble replaces by generated content.
"""

from __future__ import annotations

import difflib
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
from generator.stages.validate import CONTROL_RE, describe_character
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

# Elements of Python-Markdown's tree that hold blocks (the rest are inline marks), and how each
# kind of block starts on its line in the source.
BLOCK_TAGS = {"p", "ul", "ol", "blockquote", "table", "rg-marker", "div", "hr", "pre",
              "h1", "h2", "h3", "h4", "h5", "h6"}
CONTAINER_TAGS = {"li", "thead", "tbody", "tr", "th", "td", "div"}
BLOCK_START_RE = {"ul": r"^\s*[-*+]\s", "ol": r"^\s*\d+[.)]\s", "blockquote": r"^\s*>", "table": r"^\s*\|",
                  "rg-marker": r"^\s*:::", "hr": r"^\s*([-*_])\s*\1\s*\1", "pre": r"^\s{8}"}

# Nesting: Python-Markdown, the writers and WeasyPrint all recurse once per level of block quote or
# list, so a chapter may nest at most MAX_NESTING levels; deeper is refused before Markdown runs.
MAX_NESTING = 20
NESTING_MARK_RE = re.compile(r"[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))")
TAB_LENGTH = 4  # Python-Markdown's indent per level

# Images: what all three writers take. python-docx reads BMP, GIF, JPEG, PNG and TIFF; WeasyPrint
# what Pillow reads, and SVG; browsers neither TIFF nor (reliably) BMP: PNG, JPEG and GIF are common
# to all. Pillow names a JPEG with several pictures (cameras) "MPO": it is a JPEG to the writers.
IMAGE_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "GIF": "GIF"}
IMAGE_MAX_BYTES = 20 * 2**20  # the DOCX writer's limit on a fetched image, for every image
IMAGE_MAX_PIXELS = 50_000_000  # a 50-megapixel camera picture; decoding it takes 200 MB
# The DOCX sizes a picture by its resolution (pixels / dpi), python-docx reading it, 72 when the file
# gives none. 0 dpi divides by zero; below 20 dpi or above 4800 (the finest scanners) the
# resolution field is wrong and the picture would be metres wide or millimetres small in Word.
IMAGE_DPI_MIN, IMAGE_DPI_MAX = 20, 4800
EXIF_ORIENTATION = 0x0112
TABLE_MAX_COLUMNS = 63  # Word's limit ("Word specifications and limits")
# The pixel modes WeasyPrint 70 draws (RGB, RGBA, L, LA, CMYK) or converts first ("1", "P", "I");
# any other (a 16-bit greyscale PNG is "I;16") comes out as garbage in the PDF.
IMAGE_MODES = {"1", "P", "I", "L", "LA", "RGB", "RGBA", "CMYK"}


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
        self.lines = source_lines(chapter.text)
        self.md = md
        self.state = state
        self.notes: dict[str, etree.Element] = {}
        self.line = 1
        self.skipping: str | None = None  # inside a removed <script>/<style>...: drop text
        self.depth = 0  # block quotes and list items around the block being converted
        self.in_note: str | None = None  # the label of the footnote whose text is being converted
        self.in_link: str | None = None  # the target of the link whose text is being converted
        self.reported: set[tuple] = set()  # (code, label): a note called twice is reported once

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

    def check_inline_nesting(self, root) -> bool:
        """False (with an error at its block) if emphasis, links and other inline marks nest deeper
        than MAX_NESTING anywhere (Python-Markdown builds such trees; the writers would recurse)."""
        ok = True
        tops = []
        for top in root:
            if top.tag == "div" and "footnote" in top.get("class", "").split():
                tops.extend((li, self.locate(f"[^{li.get('id', '').removeprefix('fn:')}]:"))
                            for li in top.findall("ol/li"))
            else:
                tops.append((top, int(top.get("data-line") or self.line)))
        for top, line in tops:
            deepest, stack = 0, [(top, 0)]
            while stack:
                el, depth = stack.pop()
                depth += el.tag not in BLOCK_TAGS | CONTAINER_TAGS
                deepest = max(deepest, depth)
                stack.extend((child, depth) for child in el)
            if deepest > MAX_NESTING:
                ok = False
                self.state.diags.error("nesting-too-deep", f"emphasis, links and other marks nest {deepest} levels "
                                       f"deep here; a report nests at most {MAX_NESTING}", self.path, line)
        return ok

    def locate(self, snippet: str, from_line: int = 1) -> int:
        """The first line of the chapter (from `from_line`) holding `snippet` (for content Markdown
        moved or removed)."""
        snippet = snippet.strip().split("\n", 1)[0]
        return next((i for i, line in enumerate(self.lines, 1) if i >= from_line and snippet and snippet in line),
                    self.line)

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
        self.depth += 1
        try:
            return tuple(self.list_item(li) for li in el)
        finally:
            self.depth -= 1

    def list_item(self, li) -> tuple:
        """A list item's blocks. In a tight list an item's text is loose in the <li>, before its
        sublist (`<li>item<ul>...</ul></li>`): it becomes a paragraph, never dropped."""
        out = []
        run = etree.Element("p")
        run.text = li.text

        def flush():
            if (run.text or "").strip() or len(run):
                out.append(Paragraph(self.inlines(run), self.source()))

        for child in li:
            if child.tag in BLOCK_TAGS:
                flush()
                out.extend(self.blocks((child,)))
                run = etree.Element("p")
                run.text = child.tail
            else:
                run.append(child)
        flush()
        return tuple(out) or (Paragraph((), self.source()),)

    def block_ul(self, el):
        return BulletList(self.list_items(el), self.source())

    def block_ol(self, el):
        return OrderedList(self.list_items(el), int(el.get("start", 1)), self.source())

    def block_blockquote(self, el):
        self.depth += 1
        try:
            return BlockQuote(self.blocks(el), self.source())
        finally:
            self.depth -= 1

    def block_table(self, el):
        head = el.find("thead/tr")
        rows = el.findall("tbody/tr")
        columns = max([len(row) for row in ([head] if head is not None else []) + rows] or [0])
        if columns > TABLE_MAX_COLUMNS:
            self.error("table-too-wide", f"the table has {columns} columns; a Word table has at most "
                       f"{TABLE_MAX_COLUMNS}: split it, or turn it round")
        header = tuple(self.inlines(c) for c in head) if head is not None else ()
        return Table(header, tuple(tuple(self.inlines(c) for c in row) for row in rows), self.source())

    def block_rg_marker(self, el):
        if self.depth:
            pattern = re.compile(r":::[ \t]*" + re.escape(el.get("name")) + r"\b")
            self.line = next((i for i, line in enumerate(self.lines, 1) if i >= self.line and pattern.search(line)),
                             self.line)
            self.error("marker-nested", f"'::: {el.get('name')}' is inside a block quote or list, where generated "
                       "content cannot go: put the marker on a line of its own, outside the quote or list")
            return None
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
        scheme = _scheme(src)
        if scheme is None:
            self.error("url-invalid", f"image {src!r} is not a valid address or path")
        elif scheme in ("http", "https"):
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
            else:
                for code, message in check_image(path, src):
                    self.error(code, message)
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
                for match in CONTROL_RE.finditer(node.text):  # raw ones stop the chapter before Markdown
                    line = self.locate("&#", from_line=self.line)
                    self.state.diags.error("control-character", f"a character reference ('&#...;') here makes "
                                           f"{describe_character(match[0])}; remove it", self.path, line)
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

    def inline_sup(self, el):
        ref = el.find("a")
        if ref is None or "footnote-ref" not in ref.get("class", ""):
            return Text("".join(el.itertext()))  # a plain superscript: keep its text
        label = ref.get("href", "").removeprefix("#fn:")
        note = self.notes.get(label)
        if note is None:
            self.error("footnote-undefined", f"footnote [^{label}] has no definition in this chapter")
            return None
        if self.in_link is not None:  # the PDF's Link element cannot hold a Note
            self.line = self.locate(f"[^{label}]", from_line=self.line)
            self.error("footnote-in-link", f"footnote [^{label}] is called inside the text of the link to "
                       f"{self.in_link!r}: put the call after the link")
            return None
        if self.in_note is not None:
            if ("footnote-nested", label, self.in_note) not in self.reported:
                self.reported.add(("footnote-nested", label, self.in_note))
                self.state.diags.error(
                    "footnote-nested", f"footnote [^{self.in_note}] calls footnote [^{label}]: a footnote cannot "
                    "hold another; write the second note's text into the first", self.path,
                    self.note_call_line(self.in_note, label))
            return None
        self.state.footnotes += 1
        body = []
        self.in_note = label
        try:
            for child in note:
                if child.tag == "p":
                    if body:
                        body.append(Text(" "))
                    body.extend(self.inlines(_without_backrefs(child)))
                elif ("footnote-block", label) not in self.reported:
                    self.reported.add(("footnote-block", label))
                    start = self.locate(f"[^{label}]:")
                    shape = BLOCK_START_RE.get(child.tag, r"^\s*#")  # else a heading
                    line = next((i for i, text in enumerate(self.lines, 1) if i > start and re.match(shape, text)),
                                start)
                    self.state.diags.error(
                        "footnote-block", f"footnote [^{label}] holds {_describe_block(child)}: a footnote can hold "
                        "only paragraphs of text", self.path, line)
        finally:
            self.in_note = None
        return FootnoteRef(self.state.footnotes, f"fn-{self.state.footnotes}", tuple(_merge_text(body)))

    def note_call_line(self, outer: str, inner: str) -> int:
        """The line where the definition of note `outer` calls note `inner`."""
        start = self.locate(f"[^{outer}]:")
        call = re.compile(re.escape(f"[^{inner}]") + r"(?!:)")
        for number in range(start, len(self.lines) + 1):
            text = self.lines[number - 1]
            if number == start:
                text = text.split(f"[^{outer}]:", 1)[-1]
            if call.search(text):
                return number
        return start

    def collect_notes(self, root) -> None:
        for div in root.iter("div"):
            if "footnote" in div.get("class", "").split():
                for li in div.findall("ol/li"):  # the notes, not the items of a list inside one
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


def check_image(path: Path, src: str) -> list[tuple[str, str]]:
    """Problems that would make a writer drop or refuse the image at `path`, as (code, message):
    the checks each writer's own reader makes (Pillow for WeasyPrint, python-docx's header
    parser for Word), done here so that a report that checks clean builds with every figure."""
    from PIL import Image as PILImage  # noqa: PLC0415 - only reports with images pay for Pillow
    from PIL import ImageFile, UnidentifiedImageError  # noqa: PLC0415

    try:
        size = path.stat().st_size
    except OSError as exc:
        return [("image-invalid", f"image '{src}' cannot be read: {exc.strerror}")]
    if size == 0:
        return [("image-invalid", f"image '{src}' is an empty file")]
    if size > IMAGE_MAX_BYTES:
        return [("image-too-large", f"image '{src}' is {size / 2**20:.1f} MiB; a figure may be at most "
                 f"{IMAGE_MAX_BYTES // 2**20} MiB: save it smaller (fewer pixels, or as JPEG)")]
    save_again = "save it again from an image editor as PNG or JPEG"
    kind = "image"
    # Pillow's own settings, for the time of the check: damage must show (WeasyPrint sets
    # LOAD_TRUNCATED_IMAGES on import), and the pixel limit is ours (Pillow's is first a warning).
    truncated, bomb = ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS = False, None
    try:
        with PILImage.open(path) as im:  # the header only
            kind, (width, height) = im.format, im.size
        if kind not in IMAGE_FORMATS:
            return [("image-format", f"image '{src}' is {kind}: Word, PDF and HTML outputs all take only "
                     f"PNG, JPEG or GIF; save it as PNG")]
        if width * height > IMAGE_MAX_PIXELS:
            return [("image-too-large", f"image '{src}' is {width} x {height} pixels ({width * height / 1e6:.0f} "
                     f"megapixels); a figure may have at most {IMAGE_MAX_PIXELS // 1_000_000} megapixels: "
                     "scale it down")]
        with PILImage.open(path) as im:
            im.verify()  # PNG: every chunk's checksum
        with PILImage.open(path) as im:
            im.load()  # the pixels, decoded: the size was bounded above
            orientation = im.getexif().get(EXIF_ORIENTATION, 1)  # after load: a PNG's may follow its pixels
            mode = im.mode
    except UnidentifiedImageError:
        what = "an SVG drawing" if b"<svg" in path.read_bytes()[:4096].lower() else "not an image reportgen can read"
        return [("image-format", f"image '{src}' is {what}: Word, PDF and HTML outputs all take only PNG, JPEG "
                 "or GIF; save it as PNG")]
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        return [("image-invalid", f"image '{src}' is a damaged {kind} file ({_reason(exc)}): {save_again}")]
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS = truncated, bomb
    if mode not in IMAGE_MODES:
        return [("image-format", f"image '{src}' is a {IMAGE_FORMATS[kind]} in a colour mode the PDF writer "
                 f"cannot draw ({mode}" + (", 16 bits a sample" if "16" in mode else "") + "): save it as an "
                 "8-bit RGB or greyscale PNG")]
    problems = []
    if orientation not in (1, None):
        problems.append(("image-orientation", f"image '{src}' is stored turned or flipped, with an Exif "
                         f"orientation ({orientation}) saying how to show it: PDF and HTML follow it, Word does "
                         "not; rotate the picture itself in an image editor and save it without the orientation"))
    try:
        from docx.image.image import Image as DocxImage  # noqa: PLC0415 - the header parser the DOCX writer uses

        header = DocxImage.from_file(str(path))
        dpi = (header.horz_dpi, header.vert_dpi)
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a header it cannot read
        extra = (" (a JPEG needs a JFIF or Exif header; CMYK JPEGs often lack one)"
                 if IMAGE_FORMATS[kind] == "JPEG" else "")
        problems.append(("image-invalid", f"image '{src}': Word documents cannot read this {IMAGE_FORMATS[kind]} "
                         f"file{extra}: {save_again}, in RGB colour"))
        return problems
    if not all(IMAGE_DPI_MIN <= d <= IMAGE_DPI_MAX for d in dpi):
        problems.append(("image-dpi", f"image '{src}' says its resolution is {dpi[0]} x {dpi[1]} dpi; Word sizes a "
                         f"picture by it, and {IMAGE_DPI_MIN}-{IMAGE_DPI_MAX} dpi is sane: set it (e.g. to 96 or "
                         "300 dpi) in an image editor"))
    elif dpi[0] != dpi[1]:
        problems.append(("image-dpi", f"image '{src}' has a different resolution across ({dpi[0]} dpi) and down "
                         f"({dpi[1]} dpi): Word would stretch it, PDF and HTML would not; give it one resolution "
                         "(e.g. 96 or 300 dpi) in an image editor"))
    return problems


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text[:120] or type(exc).__name__


def _describe_block(el) -> str:
    return {"ul": "a list", "ol": "a list", "blockquote": "a block quote", "table": "a table",
            "rg-marker": f"the block marker '::: {el.get('name')}'", "pre": "a code block",
            "hr": "a horizontal rule"}.get(el.tag, "a heading" if re.fullmatch(r"h\d", el.tag) else f"<{el.tag}>")


def _without_backrefs(p):
    for parent in list(p.iter()):
        for a in list(parent):
            if a.tag == "a" and "footnote-backref" in a.get("class", ""):
                parent.remove(a)
    return p


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


def source_lines(text: str) -> list[str]:
    """The lines of a chapter as Python-Markdown and editors count them (str.splitlines would also
    break at form feeds, U+2028 and other characters that are not line ends here)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def source_line(chapter: MergedChapter, merged_line: int) -> int:
    """The line of the chapter's source that made line `merged_line` of its merged text: the same
    line where the template left the text as it was, else the template line (an expression or
    statement) that produced it."""
    source, merged = source_lines(chapter.source.text), source_lines(chapter.text)
    if source == merged:
        return merged_line
    index = merged_line - 1
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, source, merged, autojunk=False).get_opcodes():
        if not j1 <= index < j2:
            continue
        if tag == "equal":
            return i1 + index - j1 + 1
        if i1 < i2:  # replaced lines: the most alike of them
            return max(range(i1, i2), key=lambda i: (difflib.SequenceMatcher(None, source[i], merged[index]).ratio(),
                                                     -i)) + 1
        # inserted lines (a loop's output): the nearest template line above
        above = [i for i in range(min(i1, len(source)) - 1, -1, -1) if "{%" in source[i] or "{{" in source[i]]
        return (above[0] if above else min(i1, max(len(source) - 1, 0))) + 1
    return max(min(merged_line, len(source)), 1)


def check_characters(chapter: MergedChapter, diags: Diagnostics) -> bool:
    """No control character (see validate.CONTROL_RE) in the chapter, as written (at its line and
    column) or as merged (a value or expression can bring one in). False if any was found: the
    chapter is not parsed (Python-Markdown itself uses STX and ETX as markers)."""
    path = chapter.source.path
    found = False
    for number, line in enumerate(source_lines(chapter.source.text), 1):
        for match in CONTROL_RE.finditer(line):
            found = True
            diags.error("control-character", f"{describe_character(match[0])}; remove it", path, number,
                        match.start() + 1)
    if found:
        return False
    for number, line in enumerate(source_lines(chapter.text), 1):
        for match in CONTROL_RE.finditer(line):
            found = True
            diags.error("control-character", f"the text merged from this line holds {describe_character(match[0])}; "
                        "remove it from the value or expression", path, source_line(chapter, number))
    return not found


def nesting_depth(line: str) -> int:
    """How deep a line nests at most: its block-quote and list markers, and its indentation in
    steps of TAB_LENGTH (an upper bound of what Python-Markdown will nest)."""
    indent = len(line.expandtabs(TAB_LENGTH)) - len(line.expandtabs(TAB_LENGTH).lstrip())
    depth, pos = indent // TAB_LENGTH, 0
    while (match := NESTING_MARK_RE.match(line, pos)) is not None:
        depth += 1
        pos = match.end()
    return depth


def check_nesting(chapter: MergedChapter, diags: Diagnostics) -> bool:
    """False (with an error on each offending line) if a line nests deeper than MAX_NESTING."""
    deep = [(number, depth) for number, line in enumerate(source_lines(chapter.text), 1)
            if len(line) > MAX_NESTING and (depth := nesting_depth(line)) > MAX_NESTING]
    if deep:  # the first such line; the rest are most often the same structure going on
        number, depth = deep[0]
        more = f" ({len(deep) - 1} more lines nest deeper than {MAX_NESTING})" if len(deep) > 1 else ""
        diags.error("nesting-too-deep", f"this line nests {depth} levels deep (block quotes, lists and "
                    f"indentation of {TAB_LENGTH} spaces); a report nests at most {MAX_NESTING}{more}",
                    chapter.source.path, source_line(chapter, number))
    return not deep


def parse_chapter(chapter: MergedChapter, state: ParseState) -> tuple:
    if not chapter.text.strip():
        state.diags.warning("chapter-empty", "the chapter is empty", chapter.source.path, 1)
        return ()
    if not check_characters(chapter, state.diags) or not check_nesting(chapter, state.diags):
        return ()
    md = markdown_processor()
    md.convert(chapter.text)
    root = md.captured_tree
    parser = ChapterParser(chapter, md, state)
    if not parser.check_inline_nesting(root):
        return ()
    parser.collect_notes(root)
    parser.check_attributes(root)
    blocks = parser.blocks(root)
    used = {el.find("a").get("href", "").removeprefix("#fn:") for el in root.iter("sup") if el.find("a") is not None}
    for label in parser.notes:
        if label not in used:
            state.diags.warning("footnote-unused", f"footnote [^{label}] is defined but never referenced",
                                chapter.source.path, parser.locate(f"[^{label}]:"))
    return blocks
