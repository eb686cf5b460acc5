"""Footnotes in `ChapterParser`: `collect_notes` reads a chapter's definitions, `inline_sup`
converts a call (or a plain superscript) into a `FootnoteRef` holding the note's text."""

from __future__ import annotations

import re

from generator.model import FootnoteRef, Text
from generator.stages.parse.blocks import BLOCK_START_RE
from generator.stages.parse.inlines import _merge_text


class Footnotes:
    """`ChapterParser`'s footnote calls and definitions (its `notes`, `in_note`, `in_link`, `reported`)."""

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
        return FootnoteRef(self.state.footnotes, f"fn-{self.state.footnotes}", tuple(_merge_text(body)), label)

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
