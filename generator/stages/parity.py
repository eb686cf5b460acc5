"""Parity of editions (issue 25): is the other edition's prose the same report as the primary's?

One core, two producers. A producer turns one side into a sequence of `Unit`s, the things the
editions must have alike, in reading order: each heading, paragraph, list item, table, figure,
block marker (``::: standard P1.1``, ``::: chart caseload``), ``::: example`` box, and, after the
block they are in, each footnote, cross-reference and template value (``{{ … }}``). `compare`
aligns two such sequences and says what differs.

- `chapter_units` is the producer of a chapter's source (the check, `compare_editions`, and
  `reportgen diff` of report folders): the chapter is parsed by the parse stage itself, with its
  template constructs blanked (merge's `unmerged`: an expression reads as one placeholder), so
  that nothing is computed and a template value stays a thing to count. Its places are the
  chapter's own line and column.
- `generator.structure` is the producer of a built PDF, DOCX or HTML file (`reportgen diff` of two
  built editions); its places are pages, paragraphs or lines of the file.

**Alignment, by structure, not by words.** The words of two editions always differ, so a unit is
aligned by its *kind* alone: ``("heading", 2)``, ``("paragraph",)``, ``("list item", depth)``,
``("table", columns, rows)``, ``("marker", "standard", "P1.1")``; a footnote by its label too (``("footnote", "ons")``) and a
template value by its expression (``("template value", "report.unit")``): identifiers, the same in
every edition, which keep two footnotes of one paragraph from being taken one for the other.
difflib's SequenceMatcher (no junk heuristic; the editions' common start and end taken off first,
and a middle past MAX_ALIGNED said once rather than aligned: the matcher is quadratic where kinds
repeat) finds the longest runs of the same kinds in the same order; what it matches is compared
further (the numbers written in it; whether its words are the other edition's, unchanged), and
what it cannot match is a unit present in one edition and missing from the other, named at its own
place and at the place in the other edition where it would be. A longest common subsequence of
kinds is what a reviewer does with two editions side by side: find the same headings, the same
runs of paragraphs and lists, and see where one has a block the other lacks. It cannot tell which
of two like paragraphs was dropped from a run of paragraphs (it names one of them, at the run's
end); the numbers of the paragraphs around usually say which.

What it cannot know: whether a translation *says* what the original says (it compares structure,
numbers written in digits, and sameness of words, nothing of meaning); numbers written as words
("five", "pump"); whether a paragraph the same in both is a name, a quotation or an oversight
(it warns unless the paragraph is only names, numbers and template values, or is marked as the
other language).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import WARNING, Diagnostics, ERROR
from generator.model import (BlockQuote, BulletList, Callout, Code, CrossRef, FootnoteRef, Heading, Image, Link,
                             OrderedList, Paragraph, Table, Text)
from generator.stages.load import ChapterFile
from generator.stages.merge import PLACEHOLDER, unmerged
from generator.stages.parse import Marker, ParseState, parse_chapter

UNMATCHED = "edition-unmatched"
NUMBER = "edition-number-differs"
UNTRANSLATED = "edition-untranslated"
REFERENCE = "edition-reference-differs"

# A number as prose writes it: "1,205,616" (thousands grouped by commas), "20.4", "21" of "21%",
# "3" and "21" of "3/21", "2024". Not one inside a code or name ("P1.1", "CAS3"): before it, no
# letter, digit, point or comma. Welsh writes the same digits.
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
MIN_PROSE_WORDS = 3  # lower-case words a paragraph needs to be prose (fewer: names, numbers, a label)

# How each inline kind is written in a chapter's source, to find its line and column.
_RAW = {"footnote": re.compile(r"\[\^[^\]\s]+\](?!:)"), "template value": re.compile(r"\{\{.*?\}\}", re.S),
        "cross-reference": re.compile(r"\]\(#[^)\s]*\)")}
# How far a unit's place is looked for in the source from its block's line: a chapter of any size
# is placed in time linear in its length (a construct not found there is placed at its block).
SEARCH_CHARS = 20_000
SEARCH_LINES = 200
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d+[.)])[ \t]")


@dataclass(frozen=True)
class Place:
    """Where a unit is: a file, and its line and column there (0 where not known: a built file's
    place is its `label`, "page 3")."""

    path: str
    line: int = 0
    column: int = 0
    label: str = ""

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "") + (f":{self.column}" if self.line and self.column else "")
        return where + (f" ({self.label})" if self.label else "")


@dataclass
class Unit:
    """One thing the editions must have alike. `key`: what aligns it (its kind); `what`: how a
    message names it; `numbers`: the numbers written in its prose; `text`: its words, for the
    sameness test ("" where not compared); `prose`: the count of its lower-case words outside
    names, numbers, template values and other-language spans."""

    key: tuple
    what: str
    place: Place
    numbers: Counter = field(default_factory=Counter)
    text: str = ""
    prose: int = 0
    number_places: dict = field(default_factory=dict)  # a number -> its place (its first)
    ident: str = ""  # the anchor it carries (a heading's id, a figure's or table's), if any
    target: str = ""  # a cross-reference's: the anchor it goes to


@dataclass(frozen=True)
class Difference:
    """A difference between the primary edition (`primary`: its place) and another (`other`).
    `message` is said at the other edition's place (the translation follows the primary), `note` at
    the primary's."""

    code: str
    severity: str
    other: Place
    primary: Place
    message: str
    note: str


# ----------------------------------------------------------------------------- the core

def compare(primary: list[Unit], other: list[Unit], primary_language: str, language: str,
            words: bool = True, pairs: list | None = None) -> list[Difference]:
    """What differs between two editions' units: a unit in one and not the other, numbers that
    differ in aligned units, and (with `words`) a unit whose words are the same in both. The
    aligned (primary, other) pairs are added to `pairs` if given (for `references`)."""
    out: list[Difference] = []
    for tag, i1, i2, j1, j2 in _opcodes([u.key for u in primary], [u.key for u in other]):
        if tag == "unaligned":  # too long a stretch to align in bounded time: said once, where it starts
            a, b = _near(primary, i1, False), _near(other, j1, False)
            out.append(Difference(
                UNMATCHED, ERROR, b, a,
                f"the {language} edition's structure parts from the {primary_language} edition's here ({a}) and "
                f"they do not meet again in the next {i2 - i1} and {j2 - j1} blocks, footnotes and values: "
                "more than reportgen aligns; make the editions' parts, paragraphs and lists the same, and check again",
                f"where the {primary_language} edition's structure parts from the {language} edition's"))
            continue
        if tag == "equal":
            for a, b in zip(primary[i1:i2], other[j1:j2]):
                out.extend(_aligned(a, b, primary_language, language, words))
            if pairs is not None:
                pairs.extend(zip(primary[i1:i2], other[j1:j2]))
            continue
        for a in primary[i1:i2]:  # in the primary, not in the other: where it would be in the other
            where = _near(other, j1, a.key[0] in INLINE)
            out.append(Difference(
                UNMATCHED, ERROR, where, a.place,
                f"{a.what} of the {primary_language} edition ({a.place}) is missing from the {language} edition: "
                f"add it here, where it falls in the {primary_language} edition's order",
                f"the {primary_language} edition's {_bare(a.what)}"))
        for b in other[j1:j2]:  # in the other, not in the primary
            where = _near(primary, i1, b.key[0] in INLINE)
            out.append(Difference(
                UNMATCHED, ERROR, b.place, where,
                f"{b.what} is in the {language} edition but not in the {primary_language} edition "
                f"(about {where}): remove it, or add it to the {primary_language} edition",
                f"where the {language} edition's {_bare(b.what)} would be in the {primary_language} edition"))
    return out


def references(pairs: list[tuple[Unit, Unit]], primary_language: str, language: str) -> list[Difference]:
    """Aligned cross-references that go to different places: the other edition's anchor is taken to
    its counterpart in the primary (the anchor of the heading, figure or table aligned with the one
    it names: a heading's anchor is made from its words, so differs between editions). An anchor
    neither edition's chapters give (a part's, made from report.yaml's title) is not compared."""
    counterpart = {b.ident: a.ident for a, b in pairs if a.ident and b.ident}
    anchors = {a.ident for a, _ in pairs if a.ident}
    out = []
    for a, b in pairs:
        if a.key[0] != "cross-reference" or not (b.target in counterpart or b.target in anchors):
            continue
        goes = counterpart.get(b.target, b.target)
        if goes != a.target:
            via = f" (the counterpart of the {primary_language} edition's #{goes})" if goes != b.target else ""
            out.append(Difference(
                REFERENCE, ERROR, b.place, a.place,
                f"this cross-reference goes to #{b.target}{via}, but the {primary_language} edition's ({a.place}) "
                f"goes to #{a.target}: make it go to the {language} edition's counterpart of #{a.target}",
                f"the {primary_language} edition's cross-reference to #{a.target}"))
    return out


MAX_ALIGNED = 1_000_000  # units of one edition times the other's, aligned in detail (some 0.3 s at most)


def _opcodes(a: list, b: list) -> list[tuple]:
    """SequenceMatcher's opcodes of `a` and `b`, after their common start and end (linear: a pair
    of editions alike is aligned in no time). A middle too long to align within MAX_ALIGNED (the
    matcher is quadratic where kinds repeat, as paragraphs do) is one "unaligned" stretch."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    ops = [("equal", 0, start, 0, start)] if start else []
    middle_a, middle_b = a[start:len(a) - end], b[start:len(b) - end]
    if len(middle_a) * len(middle_b) > MAX_ALIGNED:
        ops.append(("unaligned", start, len(a) - end, start, len(b) - end))
    elif middle_a or middle_b:
        matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        ops += [(tag, i1 + start, i2 + start, j1 + start, j2 + start) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    if end:
        ops.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return ops


def _bare(what: str) -> str:
    return re.sub(r"^(the|a|an) ", "", what)


INLINE = {"footnote", "cross-reference", "template value"}  # units inside the block before them


def _near(units: list[Unit], start: int, inline: bool) -> Place:
    """The place in one edition where the other's unmatched unit would go: for a footnote,
    cross-reference or template value, the unit before the gap (the block that would hold it);
    for a block, the unit after the gap (the first of those it replaces); else the nearest there is."""
    if inline and start > 0:
        return units[start - 1].place
    if start < len(units):
        return units[start].place
    if units:
        return units[-1].place
    return Place("", 1, 1)


def _aligned(a: Unit, b: Unit, primary_language: str, language: str, words: bool) -> list[Difference]:
    out = []
    if a.numbers != b.numbers:
        lost, added = a.numbers - b.numbers, b.numbers - a.numbers
        said = []
        if added:
            said.append(f"{_list(added)} here")
        if lost:
            said.append(f"{_list(lost)} in the {primary_language} edition")
        place = b.number_places.get(min(added, key=_order), b.place) if added else b.place
        out.append(Difference(
            NUMBER, ERROR, place, a.number_places.get(min(lost, key=_order), a.place) if lost else a.place,
            f"a number in {b.what} differs from the {primary_language} edition's ({a.place}): "
            f"{' but '.join(said)}; the editions state the same numbers: correct the one that is wrong",
            f"the {primary_language} edition's {_bare(a.what)}"))
    if words and a.text and a.text == b.text and b.prose >= MIN_PROSE_WORDS:
        out.append(Difference(
            UNTRANSLATED, WARNING, b.place, a.place,
            f"{b.what} is word for word the {primary_language} edition's ({a.place}): probably not translated; "
            f"translate it, or mark words that stay in another language as such: [words]{{lang=...}}",
            f"the {primary_language} edition's {_bare(a.what)}"))
    return out


def _list(numbers: Counter) -> str:
    return ", ".join(sorted(numbers.elements(), key=_order))


def _order(number: str):
    try:
        return (0, float(number.replace(",", "")), number)
    except ValueError:
        return (1, 0.0, number)


def numbers_in(text: str) -> list[tuple[str, int]]:
    """Each number written in `text`, as one form ("1,024" and "1024" are one number), with its offset."""
    return [(_one_form(m[0]), m.start()) for m in _NUMBER.finditer(text)]


def _one_form(number: str) -> str:
    """"1,024" -> "1024", "04" -> "4": the number, as one string whatever its writing."""
    whole, point, fraction = number.replace(",", "").partition(".")
    return (whole.lstrip("0") or "0") + point + fraction


def prose_words(text: str) -> int:
    """How many words of `text` are prose to translate: lower-case words (names start with a
    capital; numbers and template values are not words)."""
    return sum(1 for w in _WORD.findall(text.replace(PLACEHOLDER, " ")) if w[0].islower() and len(w) > 1)


# ----------------------------------------------------------------------------- the source's producer

class _Inlines:
    """What a block's inline content holds: its words, its prose words, its footnotes,
    cross-references and template values, in order."""

    def __init__(self):
        self.text: list[str] = []
        self.fixed: list[str] = []  # words not to translate (code, other-language spans): numbers only
        self.inline: list[tuple[str, str]] = []  # ("footnote", label) / ("cross-reference", target) / ("template value", "")
        self.notes: list[FootnoteRef] = []

    def read(self, nodes, fixed: bool = False) -> "_Inlines":
        for node in nodes:
            if isinstance(node, Text):
                self._text(node.text, fixed)
            elif isinstance(node, Code):
                self.fixed.append(node.text)
            elif isinstance(node, FootnoteRef):
                self.inline.append(("footnote", node.label or node.id))
                self.notes.append(node)
            elif isinstance(node, CrossRef):
                self.inline.append(("cross-reference", node.target))
            else:
                # a span in another language (`[Surrey PDU]{lang=en}`: any node with a `lang`) is not
                # prose to translate; its numbers still count
                self.read(getattr(node, "children", ()) or (), fixed or bool(getattr(node, "lang", "")))
                if not hasattr(node, "children") and hasattr(node, "text"):  # Abbr and the like
                    self._text(node.text, fixed)
                if isinstance(node, Link) and PLACEHOLDER in node.href:  # [text]({{ links.x }}): after its text
                    self.inline.append(("template value", ""))
        return self

    def _text(self, text: str, fixed: bool) -> None:
        for _ in range(text.count(PLACEHOLDER)):
            self.inline.append(("template value", ""))
        (self.fixed if fixed else self.text).append(text)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).replace(PLACEHOLDER, " ").split())

    @property
    def all_text(self) -> str:
        return " ".join(self.text + self.fixed).replace(PLACEHOLDER, " ")


class _Source:
    """A chapter's source lines, to place units: a block's line (the parser's), an item's line, an
    inline construct's line and column."""

    def __init__(self, chapter: ChapterFile, shown: str):
        self.path = shown
        self.text = chapter.text
        self.lines = chapter.text.splitlines()
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.definitions: dict[str, int] = {}  # a footnote's label -> the offset of its definition
        for match in re.finditer(r"^[ \t]*\[\^([^\]\s]+)\]:", self.text, re.M):
            self.definitions.setdefault(match[1], match.start())

    def place(self, line: int, column: int = 0) -> Place:
        line = max(1, min(line, len(self.lines) or 1))
        if not column:
            text = self.lines[line - 1] if self.lines else ""
            column = len(text) - len(text.lstrip()) + 1
        return Place(self.path, line, column)

    def at(self, offset: int) -> Place:
        line = max(1, min(bisect.bisect_right(self.starts, offset), len(self.starts) - 1))
        return Place(self.path, line, offset - self.starts[line - 1] + 1)

    def offset(self, line: int) -> int:
        return self.starts[max(0, min(line - 1, len(self.starts) - 1))]

    def find_line(self, snippet: str, start: int) -> int:
        """The first line from `start` holding the first words of `snippet`, else `start`."""
        words = _WORD.findall(snippet)[:4]
        if not words:
            return start
        pattern = re.compile(r"\W+".join(map(re.escape, words)))
        return next((i for i in range(start, min(len(self.lines), start + SEARCH_LINES) + 1)
                     if pattern.search(self.lines[i - 1])), start)

    def items(self, line: int, count: int, nested: bool = False) -> list[int]:
        """The lines of the first `count` items of a list starting at `line` (same indentation); of a
        list `nested` in the item on `line`, those indented deeper than that item."""
        out, indent = [], None
        item = _LIST_ITEM.match(self.lines[line - 1]) if nested and 0 < line <= len(self.lines) else None
        deeper = len(item[1]) if item else -1
        for i in range(line, min(len(self.lines), line + count * SEARCH_LINES) + 1):
            match = _LIST_ITEM.match(self.lines[i - 1])
            if match and len(match[1]) > deeper and (indent is None or len(match[1]) == indent):
                indent = len(match[1])
                out.append(i)
                if len(out) == count:
                    break
        return out + [line] * (count - len(out))


def chapter_units(chapter: ChapterFile, shown: str | None = None) -> list[Unit] | None:
    """The units of a chapter's source, placed in it (`shown`: its path as messages show it); None
    if the chapter cannot be parsed (the parse stage reports it)."""
    source = _Source(chapter, shown or str(chapter.path))
    state = ParseState(Diagnostics())  # its problems are the parse stage's to report, not ours
    blocks = parse_chapter(unmerged(chapter), state)
    if not blocks and chapter.text.strip():  # not parsed (a control character, nesting too deep): the
        return None  # parse stage says why; compared once it parses
    units: list[Unit] = []
    _Producer(source, units).blocks(blocks, None)
    return units


class _Producer:
    def __init__(self, source: _Source, units: list[Unit]):
        self.source = source
        self.units = units
        self.cursor = {kind: 0 for kind in _RAW}  # where the search for each inline kind goes on from

    def blocks(self, blocks, container: int | None, depth: int = 0) -> None:
        """The units of `blocks`; `container`: the line of the quote, box or item they are in;
        `depth`: how many lists they are in."""
        for block in blocks:
            line = block.source.line if getattr(block, "source", None) else (container or 1)
            if isinstance(block, Heading):
                self.unit(("heading", block.level), "the heading", line, block.children, container, quote=True,
                          ident=block.id)
            elif isinstance(block, Paragraph):
                self.unit(("paragraph",), "a paragraph", line, block.children, container)
            elif isinstance(block, (BulletList, OrderedList)):
                lines = self.source.items(line, len(block.items), nested=container is not None and line == container)
                for item, item_line in zip(block.items, lines):
                    self.item(item, item_line, depth)
            elif isinstance(block, BlockQuote):
                self.add(Unit(("quotation",), "a quotation", self.source.place(line)))
                self.blocks(block.children, line, depth)
            elif isinstance(block, Table):
                cells = [c for row in (block.header, *block.rows) for c in row]
                shape = f"{_count(len(block.header), 'column')}, {_count(len(block.rows), 'row')}"
                self.unit(("table", len(block.header), len(block.rows)), f"a table ({shape})", line, block.caption,
                          container, extra=cells, quote=bool(block.caption), ident=block.numbered.id)
            elif isinstance(block, Image):
                self.unit(("figure",), "a figure", line, block.caption, container,
                          alt=block.alt if not block.decorative else "", ident=block.numbered.id)
            elif isinstance(block, Marker):
                marker = f"::: {block.name} {block.args}".strip()
                anchor = re.search(r"\{:?\s*#([A-Za-z][\w-]*)\s*\}", block.args or "")
                self.add(Unit(("marker", block.name, block.args), f"the block '{marker}'", self.source.place(line),
                              ident=anchor[1] if anchor else ""))
            elif isinstance(block, Callout):
                name = block.classes[0] if block.classes else "example"
                self.unit(("box", name), f"the '::: {name}' box", line, (Text(block.title),), container, quote=True,
                          ident=block.id)
                self.blocks(block.children, line)

    def item(self, item, line: int, depth: int) -> None:
        first = next((b for b in item if isinstance(b, Paragraph)), None)
        self.unit(("list item", depth), "a list item", line, first.children if first else (), line)
        self.blocks(tuple(b for b in item if b is not first), line, depth + 1)

    def add(self, unit: Unit) -> None:
        self.units.append(unit)
        for kind in _RAW:  # what a block marker's line holds is not the next block's
            self.cursor[kind] = max(self.cursor[kind], self.source.offset(unit.place.line))

    def unit(self, key, what: str, line: int, children, container, extra=(), alt: str = "",
             quote: bool = False, ident: str = "") -> None:
        read = _Inlines().read(children)
        for cell in extra:
            read.read(cell)
        if container is not None and line == container and read.words:  # a block inside a quote or box:
            line = self.source.find_line(read.words, line)  # the parser gives the container's line
        words = _Inlines().read(children).words if extra else read.words  # a table: its caption's words
        if quote or key[0] in ("paragraph", "list item"):
            what = f"{what} '{_short(words)}'" if words else what
        if alt:
            words = (words + " " + alt).strip()
        unit = Unit(key, what, self.source.place(line), text=words, prose=prose_words(words), ident=ident)
        self.add(unit)
        self.numbers(unit, read.all_text + (" " + alt if alt else ""))
        notes = iter(read.notes)
        for kind, name in read.inline:
            place = self.locate(kind, unit.place)
            if kind == "footnote":  # the note's own words go with its call: numbers and sameness
                note = _Inlines().read(next(notes).children)
                footnote = Unit(("footnote", name), f"the footnote [^{name}]", place, text=note.words,
                                prose=prose_words(note.words))
                self.units.append(footnote)
                self.numbers(footnote, note.all_text, self.locate_definition(name, place))
            elif kind == "cross-reference":
                self.units.append(Unit(("cross-reference",), f"the cross-reference to #{name}", place, target=name))
            else:  # aligned by its expression, the same in every edition
                raw = self.raw_at(kind, place)
                expression = " ".join(raw.strip("{} ").split())
                self.units.append(Unit(("template value", expression), f"the template value {raw}".strip(), place))

    def numbers(self, unit: Unit, text: str, source: Place | None = None) -> None:
        found = numbers_in(text)
        unit.numbers = Counter(n for n, _ in found)
        # where each number is, for a message's column: searched in the source from the unit's line
        start = self.source.offset((source or unit.place).line)
        wanted = set(unit.numbers)
        for match in _NUMBER.finditer(self.source.text, start, min(len(self.source.text), start + SEARCH_CHARS)):
            number = _one_form(match[0])
            if number in wanted and number not in unit.number_places:
                unit.number_places[number] = self.source.at(match.start())
                if len(unit.number_places) == len(wanted):
                    break

    def locate(self, kind: str, fallback: Place) -> Place:
        """The next source occurrence of an inline construct, from its block's line on."""
        start = max(self.cursor[kind], self.source.offset(fallback.line))
        match = _RAW[kind].search(self.source.text, start, start + SEARCH_CHARS)
        if match is None:
            return fallback
        self.cursor[kind] = match.end()
        return self.source.at(match.start())

    def raw_at(self, kind: str, place: Place) -> str:
        match = _RAW[kind].match(self.source.text, self.source.offset(place.line) + place.column - 1)
        return " ".join(match[0].split()) if match else ""

    def locate_definition(self, label: str, fallback: Place) -> Place:
        offset = self.source.definitions.get(label)
        return self.source.at(offset) if offset is not None else fallback


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# ----------------------------------------------------------------------------- the check's entry

def edition_chapters(chapters: dict[str, ChapterFile], subtag: str) -> dict[str, ChapterFile]:
    """Of a folder's chapters (load's, every `*.md` under chapters/), the edition `subtag`'s, by the
    primary chapter's name they translate: `foreword.cy.md` under "foreword.md"."""
    from generator.editions import edition_suffix_of  # noqa: PLC0415

    out = {}
    for name, chapter in chapters.items():
        if edition_suffix_of(Path(name), (subtag,)) == subtag:
            out[name.removesuffix(f".{subtag}.md") + ".md"] = chapter
    return out


def compare_chapters(primary: dict[str, ChapterFile], other: dict[str, ChapterFile], primary_language: str,
                     language: str, show=str, missing: bool = False) -> list[Difference]:
    """Each chapter of the primary edition (name -> ChapterFile) against the other edition's chapter
    of the same name, then the cross-references of all of them (an anchor may be another chapter's).
    With `missing`, a chapter only one side has is a difference too (`reportgen diff`; the check
    leaves a missing file to the editions loader). A chapter that does not parse is not compared."""
    out: list[Difference] = []
    pairs: list[tuple[Unit, Unit]] = []
    for name in sorted(primary.keys() | other.keys()):
        if name not in primary or name not in other:
            if missing:
                present, side, lacking = ((primary[name], primary_language, language) if name in primary
                                          else (other[name], language, primary_language))
                place = Place(show(present.path), 1, 1)
                out.append(Difference(UNMATCHED, ERROR, place, place, f"the chapter {name} of the {side} edition has "
                                      f"no counterpart in the {lacking} edition", f"the {side} edition's chapter"))
            continue
        a = chapter_units(primary[name], show(primary[name].path))
        b = chapter_units(other[name], show(other[name].path))
        if a is not None and b is not None:
            out.extend(compare(a, b, primary_language, language, pairs=pairs))
    return out + references(pairs, primary_language, language)


def compare_editions(primary: dict[str, ChapterFile], other: dict[str, ChapterFile], primary_language: str,
                     language: str, diags: Diagnostics) -> None:
    """The parity check: each chapter of the primary edition (name -> ChapterFile) against the
    other edition's chapter of the same name (its `x.cy.md`, keyed "x.md"), every difference
    reported at the other edition's place with a note at the primary's. A chapter only one side
    has is not compared (the editions loader reports a missing file)."""
    for difference in compare_chapters(primary, other, primary_language, language, diags.show):
        report(difference, diags)


def editions_in(sources) -> list[str]:
    """report.yaml's `editions:` as load read it (validate has refused a malformed list), else []."""
    data = sources.report.data if sources.report is not None else None
    editions = data.get("editions") if isinstance(data, dict) else None
    return [e for e in editions if isinstance(e, str)] if isinstance(editions, list) else []


def check_editions(chapters: dict[str, ChapterFile], languages: list[str], diags: Diagnostics) -> None:
    """The parity check of a report's editions (report.yaml `editions:`, the primary first) over the
    chapters `load` read (every `*.md` under chapters/, each edition's `x.cy.md` among them)."""
    from generator.editions import edition_suffix_of, editions_of  # noqa: PLC0415

    editions = editions_of(languages)
    subtags = tuple(edition.subtag for edition in editions[1:])
    primary = {name: chapter for name, chapter in chapters.items() if edition_suffix_of(Path(name), subtags) is None}
    for edition in editions[1:]:
        compare_editions(primary, edition_chapters(chapters, edition.subtag), editions[0].language, edition.language,
                         diags)


def report(difference: Difference, diags: Diagnostics) -> None:
    d, p = difference.other, difference.primary
    diags.add(difference.code, difference.message, d.path, d.line, d.column, difference.severity,
              related=[(p.path, p.line, p.column, difference.note)])
