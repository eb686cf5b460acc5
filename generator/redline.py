"""`reportgen diff`: what changed between two versions of a report, as text and as a redline page.

Two built files (PDF, DOCX or HTML) are compared by their normalised text (`generator.text`);
two report folders are each built to HTML in a temporary folder and compared the same way.

The redline page (`--html FILE`) is the new text with the insertions and deletions marked,
word by word inside each changed block, grouped by part. The changed ratings and score are
called out at the top. They are read from the two *documents*, so only when the inputs are
report folders: there the computed model says which line is a standard's rating, the score and
the overall rating, with the framework's own labels; in a built file's text the same line is
only words, and telling a rating from a sentence that happens to hold a rating word would be a
guess. For two built files the page says so and the text changes still show every change.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from generator.model import Document, RatingsSummary, walk
from generator.text import file_text, html_parts


@dataclass(frozen=True)
class Side:
    """One input: its name, its whole normalised text, its parts as (id, text), its ratings."""

    name: str
    text: str
    parts: tuple[tuple[str, str], ...]
    ratings: dict[str, str] | None  # None: not known (a built file)


def ratings_of(doc: Document) -> dict[str, str]:
    """What the ratings page states, in order: each fact ("Score" -> "3/21"), the overall
    rating and each standard's rating, keyed by the framework's own words."""
    out: dict[str, str] = {}
    for part in doc.parts:
        for node in walk(part.blocks):
            if not isinstance(node, RatingsSummary):
                continue
            for label, value in node.facts:
                out[label] = value
            if node.overall is not None:
                out[node.overall.caption or node.rating_header] = node.overall.label
            for group in node.groups:
                for row in group.rows:
                    out[row.standard] = row.rating.label if row.rating else row.not_rated_label
    return out


def read(path: Path) -> Side:
    """A built file, or a report folder built to HTML in a temporary folder (raises ContentError
    if the folder's content has errors, UnreadableFile if a file cannot be read)."""
    if not path.is_dir():
        text = file_text(path)
        parts = tuple(html_parts(path)) if path.suffix.lower() in (".html", ".htm") else ((WHOLE, text),)
        return Side(str(path), text, parts, None)
    from generator.build import build  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="reportgen-diff-") as tmp:
        built = build(path, Path(tmp) / "out", formats=("html",))
        html = built.outputs["html"]
        return Side(str(path), file_text(html), tuple(html_parts(html)), ratings_of(built.document))


WHOLE = "*"  # the id of the one part of a PDF's or DOCX's text (its parts are not marked in it)


def unified(old: Side, new: Side) -> str:
    return "".join(difflib.unified_diff(old.text.splitlines(True), new.text.splitlines(True), old.name, new.name))


# ----------------------------------------------------------------------------- the redline

@dataclass
class Block:
    """A run of paragraphs: each paragraph a list of (kind, text), kind "", "ins" or "del";
    `skipped` unchanged paragraphs are left out after the first `lines` (context)."""

    changed: bool
    lines: list[list[tuple[str, str]]] = field(default_factory=list)
    skipped: int = 0
    after: list[list[tuple[str, str]]] = field(default_factory=list)


CONTEXT = 2  # unchanged paragraphs shown on each side of a change


@dataclass
class PartChange:
    title: str
    status: str  # "changed", "added", "removed", "same"
    blocks: list[Block]


_TOKENS = re.compile(r"\n|[^\S\n]+|\[\d+\]|\w+(?:['’-]\w+)*|[^\w\s]")  # a word keeps its inner ' and -


def _words(old: list[str], new: list[str]) -> list[list[tuple[str, str]]]:
    """Word-level marks between two blocks of lines, as the new block's paragraphs with the
    deleted words kept in place."""
    a, b = _TOKENS.findall("\n".join(old)), _TOKENS.findall("\n".join(new))
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            segments.append(("del", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(("ins", "".join(b[j1:j2])))
        if op == "equal":
            segments.append(("", "".join(a[i1:i2])))
    lines: list[list[tuple[str, str]]] = [[]]
    for kind, text in segments:
        for n, piece in enumerate(text.split("\n")):
            if n:
                lines.append([])
            if piece:
                lines[-1].append((kind, piece))
    return [line for line in lines if line]


def _part_blocks(old: str, new: str) -> list[Block]:
    a, b = old.splitlines(), new.splitlines()
    blocks = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            lines = [[("", line)] for line in b[j1:j2]]
            head = CONTEXT if n else 0  # context after the change before it
            tail = CONTEXT if n < len(opcodes) - 1 else 0  # context before the next change
            if len(lines) > head + tail + 1:
                blocks.append(Block(False, lines[:head], len(lines) - head - tail, lines[len(lines) - tail:]))
            else:
                blocks.append(Block(False, lines))
        else:
            blocks.append(Block(True, _words(a[i1:i2], b[j1:j2])))
    return blocks


def _title(text: str, ident: str) -> str:
    if ident in ("", WHOLE):
        return "Cover" if ident == "" else "Text"
    return next((line for line in text.splitlines() if line.strip()), ident)


def part_changes(old: Side, new: Side) -> list[PartChange]:
    """The new report's parts in order, matched with the old one's by id; a removed part after
    the part it followed (at the end if none is left). A changed part's blocks leave out its title
    line when it is the same in both (the page shows it as the part's heading)."""
    old_parts = dict(old.parts)
    new_ids = {ident for ident, _ in new.parts}
    old_order = [ident for ident, _ in old.parts]
    removed = [ident for ident in old_order if ident not in new_ids]

    def gone(ident: str) -> PartChange:
        text = old_parts[ident]
        return PartChange(_title(text, ident), "removed", [Block(True, [[("del", line)] for line in text.splitlines()
                                                                         if line])])

    changes = []
    for ident, text in new.parts:
        if ident not in old_parts:
            changes.append(PartChange(_title(text, ident), "added",
                                      [Block(True, [[("ins", line)] for line in text.splitlines() if line])]))
            continue
        before, after = old_parts[ident].splitlines(), text.splitlines()
        if before[:1] == after[:1] and ident not in ("", WHOLE):
            before, after = before[1:], after[1:]
        status = "same" if old_parts[ident] == text else "changed"
        blocks = _part_blocks("\n".join(before), "\n".join(after)) if status == "changed" else []
        changes.append(PartChange(_title(text, ident), status, blocks))
        at = old_order.index(ident) + 1
        while at < len(old_order) and old_order[at] in removed:
            changes.append(gone(old_order[at]))
            removed.remove(old_order[at])
            at += 1
    return changes + [gone(ident) for ident in removed]


def rating_changes(old: Side, new: Side) -> list[tuple[str, str, str]] | None:
    """(what, old value, new value) for each rating or fact that differs; None if not known."""
    if old.ratings is None or new.ratings is None:
        return None
    names = list(dict.fromkeys([*new.ratings, *old.ratings]))
    missing = "—"
    return [(name, old.ratings.get(name, missing), new.ratings.get(name, missing))
            for name in names if old.ratings.get(name) != new.ratings.get(name)]


def redline_html(old: Side, new: Side) -> str:
    """The self-contained redline page (inline CSS, no script)."""
    import jinja2  # noqa: PLC0415
    from markupsafe import Markup  # noqa: PLC0415

    from generator.resources import STYLES_DIR, TEMPLATES_DIR  # noqa: PLC0415

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "redline"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.get_template("redline.html.j2").render(
        old=old.name, new=new.name, same=old.text == new.text, ratings=rating_changes(old, new),
        parts=part_changes(old, new), stylesheet=Markup((STYLES_DIR / "redline.css").read_text(encoding="utf-8")))
