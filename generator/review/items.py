"""One thing a reviewer did, located in the source, and the one line `reportgen review` prints for it.

    chapters/domain-2.md:23:41: comment[c3] J. Smith, 2024-02-10: "Q3 figure, not Q4" on "47 per cent"
    chapters/domain-2.md:31:12: change[t7] J. Smith: "most" -> "many"
    report.yaml:88:9: change[t9] J. Smith: findings.P2.1.key_questions[1]: 46 -> 48 (a figure: edit report.yaml)

Every reader (DOCX comments and tracked changes, PDF annotations) returns these; the listing,
the HTML review page and `--apply` read nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMMENT = "comment"
REPLY = "reply"
CHANGE = "change"


# What a reviewer's words may not bring to a terminal or a page: C0 and C1 control characters (ESC
# starts an escape sequence; U+009B is a lone CSI), DEL, and the bidirectional embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder what is shown. Each shows
# as U+FFFD; line breaks and tabs (and U+2028, U+2029) are spaces: one item, one line.
_SPACES = dict.fromkeys((0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029), " ")
_UNSAFE = {**dict.fromkeys([*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                            *range(0x2066, 0x206A)], "\ufffd"), **_SPACES}


def clean(text: str) -> str:
    """`text` safe to print on one line: control characters and bidirectional overrides shown as
    U+FFFD, line breaks as spaces."""
    return str(text).translate(_UNSAFE)


def quoted(text: str, limit: int = 120) -> str:
    """Text as the listing quotes it: one line, cut at `limit` characters with an ellipsis, cleaned."""
    flat = " ".join(clean(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return '"' + flat.replace('"', '\\"') + '"'


@dataclass(frozen=True)
class ReviewItem:
    kind: str                 # COMMENT, REPLY or CHANGE
    ident: str                # "c3", "t7": stable within one reviewed file
    author: str = ""
    date: str = ""            # ISO date (YYYY-MM-DD) when the file gives one
    path: str = ""            # relative to the report folder: "chapters/domain-2.md", "report.yaml"; "" unlocated
    line: int = 0
    column: int = 0
    key: str = ""             # report.yaml key path of computed text, e.g. "findings.P2.1.key_questions[1]"
    text: str = ""            # a comment's or reply's words
    anchor: str = ""          # the text a comment is on, or a change's context
    old: str = ""             # a change: the text deleted ("" for an insertion)
    new: str = ""             # a change: the text inserted ("" for a deletion)
    part: str = ""            # the part (chapter title) it falls in, for grouping
    context: str = ""         # the paragraph around it, as built
    note: str = ""            # e.g. "a figure: edit report.yaml", "context changed: was ..."
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def located(self) -> bool:
        return bool(self.path)

    def where(self) -> str:
        if not self.path:
            return "<unlocated>"
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        who = self.author or "unknown"
        if self.kind in (COMMENT, REPLY):
            head = f"{who}, {self.date}" if self.date else who
            body = quoted(self.text)
            if self.anchor:
                body += f" on {quoted(self.anchor)}"
        else:
            head = who
            body = f"{quoted(self.old)} -> {quoted(self.new)}"
            if self.key:
                body = f"{self.key}: {body}"
        line = f"{self.where()}: {self.kind}[{self.ident}] {head}: {body}"
        if self.note:
            line += f" ({self.note})"
        return clean(line)  # the author, the note and the map's path and key are the reviewed file's too
