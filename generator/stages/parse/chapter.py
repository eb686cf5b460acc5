"""`ChapterParser`, the blocks, inlines, footnotes and raw HTML mixins composed with what they
share (position, diagnostics, the checks of the whole tree), and `parse_chapter`, the entry point."""

from __future__ import annotations

import copy
import threading
import xml.etree.ElementTree as etree
from functools import lru_cache

from generator.model import Source
from generator.stages.merge import MergedChapter
from generator.stages.parse.authoring import check_authoring
from generator.stages.parse.blocks import BLOCK_TAGS, CONTAINER_TAGS, Blocks
from generator.stages.parse.extensions import markdown_processor
from generator.stages.parse.footnotes import Footnotes
from generator.stages.parse.inlines import Inlines
from generator.stages.parse.lints import MAX_NESTING, check_characters, check_nesting, source_lines
from generator.stages.parse.raw_html import RawHtml
from generator.stages.parse.state import ParseState


class ChapterParser(Blocks, Inlines, Footnotes, RawHtml):
    """Converts one chapter's element tree; one method per element kind."""

    def __init__(self, chapter: MergedChapter, stashed: tuple, state: ParseState):
        self.path = chapter.source.path
        self.chapter = chapter
        self.lines = source_lines(chapter.text)
        self.stashed = stashed  # the raw HTML Python-Markdown set aside, by its placeholder's number
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


_PROCESSOR: list = []  # one Python-Markdown instance per process, made on first use
_CONVERTING = threading.Lock()  # reset and convert are one step (`reportgen serve` has threads)


@lru_cache(maxsize=64)
def _markdown_tree(text: str) -> tuple[tuple, object]:
    """Python-Markdown's element tree of a merged chapter, and the raw HTML it set aside: a pure
    function of the text, kept, so that a process that parses again (`reportgen serve`) converts
    only the chapters whose merged text changed. Callers copy the tree. One processor serves every
    chapter, reset between them (making one costs some 3 ms: its extensions and their patterns)."""
    with _CONVERTING:
        if not _PROCESSOR:
            _PROCESSOR.append(markdown_processor())
        md = _PROCESSOR[0]
        md.reset()
        md.convert(text)
        return tuple(md.htmlStash.rawHtmlBlocks), md.captured_tree


def parse_chapter(chapter: MergedChapter, state: ParseState) -> tuple:
    if not chapter.text.strip():
        state.diags.warning("chapter-empty", "the chapter is empty", chapter.source.path, 1)
        return ()
    if not check_characters(chapter, state.diags) or not check_nesting(chapter, state.diags):
        return ()
    chapter = check_authoring(chapter, state)
    stashed, tree = _markdown_tree(chapter.text)
    root = copy.deepcopy(tree)  # the parser takes footnote back-links out of its tree
    parser = ChapterParser(chapter, stashed, state)
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
