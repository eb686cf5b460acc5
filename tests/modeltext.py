"""What the document model says a built file must show: plain text of inlines, footnote calls."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import FootnoteRef, Paragraph, Text, walk


def plain(inlines) -> str:
    """The text of inline nodes, as a reader sees it (a footnote call reads as its number)."""
    out = []
    for node in inlines:
        if isinstance(node, FootnoteRef):
            out.append(str(node.number))
        elif hasattr(node, "children"):
            out.append(plain(node.children))
        else:
            out.append(getattr(node, "text", ""))
    return "".join(out)


@dataclass(frozen=True)
class Call:
    """A footnote where it is called: the word before the call, the word after (None at the end
    of its paragraph), and the note."""

    number: int
    before: str
    after: str | None
    note: FootnoteRef

    @property
    def note_text(self) -> str:
        return " ".join(plain(self.note.children).split())


def footnote_calls(doc) -> list[Call]:
    calls = []
    for part in doc.parts:
        for node in walk(part.blocks):
            if not isinstance(node, Paragraph):
                continue
            kids = node.children
            for i, kid in enumerate(kids):
                if isinstance(kid, FootnoteRef):
                    before = kids[i - 1].text if i and isinstance(kids[i - 1], Text) else ""
                    after = kids[i + 1].text if i + 1 < len(kids) and isinstance(kids[i + 1], Text) else ""
                    calls.append(Call(kid.number, before.split()[-1], after.split()[0] if after.split() else None,
                                      kid))
    return calls
