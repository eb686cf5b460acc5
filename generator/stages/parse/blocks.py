"""The block half of `ChapterParser`: `Blocks.blocks` converts a list of block elements, one
`block_<tag>` method per block element kind (and `image`, a paragraph that is only an image)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import replace
from pathlib import Path

from generator.diagnostics import did_you_mean
from generator.model import (BlockQuote, BulletList, Callout, Heading, Image, Numbered, OrderedList, Paragraph, Source,
                             Table, Text)
from generator.stages.parse.images import check_image
from generator.stages.parse.inlines import _scheme
from generator.stages.parse.state import Marker

# Elements of Python-Markdown's tree that hold blocks (the rest are inline marks), and how each
# kind of block starts on its line in the source.
BLOCK_TAGS = {"p", "ul", "ol", "blockquote", "table", "rg-marker", "rg-callout", "div", "hr", "pre",
              "h1", "h2", "h3", "h4", "h5", "h6"}
CONTAINER_TAGS = {"li", "thead", "tbody", "tr", "th", "td", "div", "rg-callout"}
BLOCK_START_RE = {"ul": r"^\s*[-*+]\s", "ol": r"^\s*\d+[.)]\s", "blockquote": r"^\s*>", "table": r"^\s*\|",
                  "rg-marker": r"^\s*:::", "hr": r"^\s*([-*_])\s*\1\s*\1", "pre": r"^\s{8}"}
TABLE_MAX_COLUMNS = 63  # Word's limit ("Word specifications and limits")
# A caption is a paragraph of its own that starts "Figure:" (after its image) or "Table:" (before or
# after its table), as pandoc's table captions; it may end with an id, "{#fig-map}".
CAPTION_RE = re.compile(r"^\s*(Figure|Table):\s*")
CAPTION_ID_RE = re.compile(r"\s*\{:?\s*#([A-Za-z][\w-]*)\s*\}\s*$")
ALIGN_RE = re.compile(r"text-align:\s*(left|center|right)")
WIDTH_RE = re.compile(r"^(100|[1-9]\d?)%$")


class Caption:
    """A "Figure: ..." or "Table: ..." paragraph, until it is attached to its figure or table."""

    def __init__(self, kind: str, children: tuple, anchor: str, source: Source):
        self.kind, self.children, self.anchor, self.source = kind, children, anchor, source


class Blocks:
    """`ChapterParser`'s block elements: one `block_<tag>` method per element kind."""

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
        return tuple(self.attach_captions(out))

    def attach_captions(self, nodes: list) -> list:
        """Each Caption onto its figure (just before it) or table (just after it, else just before)."""
        out: list = []
        for index, node in enumerate(nodes):
            if not isinstance(node, Caption):
                out.append(node)
                continue
            after = nodes[index + 1] if index + 1 < len(nodes) else None
            before = out[-1] if out else None
            if node.kind == "Table" and isinstance(after, Table) and not after.caption:
                nodes[index + 1] = self.captioned(after, node)
            elif (isinstance(before, Table) if node.kind == "Table" else isinstance(before, Image)) \
                    and not before.caption and not getattr(before, "decorative", False):
                out[-1] = self.captioned(before, node)
            else:
                where = "just before or after its table" if node.kind == "Table" else "just after its image"
                self.state.diags.error("caption-orphan", f"'{node.kind}:' starts a caption, but it is not {where} "
                                       "(a paragraph of its own, with a blank line between)",
                                       node.source.path, node.source.line)
        return out

    def captioned(self, target, caption: Caption):
        anchor = caption.anchor or target.numbered.id
        if anchor and not self.state.claim_id(anchor):
            self.state.diags.error("anchor-duplicate", f"the anchor '#{anchor}' is used twice; anchors must be "
                                   "unique in the report", caption.source.path, caption.source.line)
        return replace(target, caption=caption.children, numbered=Numbered(anchor))

    def caption(self, el, kind: str):
        children = list(self.inlines(el))
        first = children[0]
        children[0] = Text(CAPTION_RE.sub("", first.text, count=1))
        anchor = el.get("id", "")
        last = children[-1]
        if isinstance(last, Text) and (match := CAPTION_ID_RE.search(last.text)):
            anchor = match[1]
            children[-1] = Text(last.text[:match.start()])
        children = tuple(c for c in children if not (isinstance(c, Text) and not c.text))
        if not children:
            self.error("caption-empty", f"the '{kind}:' caption has no text")
        return Caption(kind, children, anchor, self.source())

    def block_p(self, el):
        if len(el) == 1 and el[0].tag == "img" and not (el.text or "").strip() and not (el[0].tail or "").strip():
            return self.image(el[0])
        if (match := CAPTION_RE.match(el.text or "")) is not None:
            return self.caption(el, match[1])
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
        self.heading_level = level
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
        first = head if head is not None else (rows[0] if rows else [])
        align = tuple((m[1] if (m := ALIGN_RE.search(c.get("style", ""))) else "") for c in first)
        return Table(header, tuple(tuple(self.inlines(c) for c in row) for row in rows), self.source(),
                     align if any(align) else ())

    def block_rg_callout(self, el):
        """``::: example "Title"`` ... ``:::``: a boxed practice example, its title a heading one level
        below the section it is in."""
        title = el.get("title", "").strip()
        if not title:
            self.error("callout-title-missing", f"'::: {el.get('name')}' needs a title: ::: {el.get('name')} "
                       "\"Title of the example\"")
        if el.get("unclosed"):
            self.error("callout-unclosed", f"'::: {el.get('name')}' is not closed: end the box with a line ':::'")
        if self.depth:
            self.error("marker-nested", f"'::: {el.get('name')}' cannot go inside a block quote, list or box")
            return None
        level = min(getattr(self, "heading_level", 1) + 1, 6)
        source = self.source()
        self.depth += 1
        try:
            children = self.blocks(el)
        finally:
            self.depth -= 1
        return Callout(title, level, self.state.unique_id(title or "example"), children, (el.get("name"),), source)

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
        decorative = "decorative" in img.get("class", "").split()
        if decorative and alt:
            self.error("image-decorative-alt", f"image '{src}' is marked decorative but has alt text: a decorative "
                       "image is hidden from screen readers; write ![](...){: .decorative } or drop .decorative")
        elif not alt and not decorative:
            self.error("image-alt-missing", f"image '{src}' has no alt text: write ![what it shows]({src}) (or, for "
                       f"a purely decorative image, ![]({src}){{: .decorative }})")
        width = (img.get("width") or "").strip()
        if width and not WIDTH_RE.match(width):
            self.error("image-width", f"image '{src}': width={width!r}; give a percentage of the text width, "
                       "1% to 100%, e.g. {: width=50% }")
            width = ""
        anchor = img.get("id", "")
        caption = (Text(img.get("title").strip()),) if (img.get("title") or "").strip() else ()
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
        if caption and anchor and not self.state.claim_id(anchor):
            self.error("anchor-duplicate", f"the anchor '#{anchor}' is used twice; anchors must be unique in the report")
        return Image(src, alt, () if decorative else caption, self.source(), width, decorative, Numbered(anchor))
