"""Where a piece of a reviewed PDF's text came from (the PDF reader's index; the DOCX reader locates through
its source map instead, generator/review/locate.py): the report's document model, rebuilt from REPORT_DIR
(stages load to assemble, nothing written), as a list of `Unit`s (each paragraph, heading, list
item, table cell, caption and footnote, in reading order, with its chapter file and line, or the
report.yaml key of computed text), and the exact line and column of words inside one.

Text is compared by its *skeleton*: its letters and digits, lower-cased. Typography the build
adds (curly quotes, dashes, ellipses), Markdown marks (`**`, `_`, link targets, footnote calls,
attribute lists) and Jinja2 expressions (`{{ ... }}`: their values are not in the template) all
drop out, so built words are found in the chapter file as the author typed them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator import model as m
from generator.build import check
from generator.diagnostics import Diagnostics
from generator.stages.load import load

WINDOW_LINES = 400  # how far below a block's first line its words are looked for (a long list)
_MARKUP = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\]\([^)]*\)|\[\^[^\]]*\]|\{:[^}]*\}|\{#[^}]*\}|<[^>]*>")


def skeleton(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def mapped_skeleton(line: str) -> tuple[str, list[int]]:
    """A chapter line's skeleton, and for each of its characters the column (0-based) it came from;
    template expressions and Markdown link targets, footnote calls and attribute lists left out."""
    chars, where = [], []
    hidden = [False] * len(line)
    for match in _MARKUP.finditer(line):
        for i in range(match.start(), match.end()):
            hidden[i] = True
    for i, c in enumerate(line):
        if hidden[i] or not c.isalnum():
            continue
        for low in c.lower():
            chars.append(low)
            where.append(i)
    return "".join(chars), where


@dataclass(frozen=True)
class Unit:
    """One located piece of the built text."""

    text: str
    part: str  # the part's title
    path: str = ""  # relative to the report folder ("chapters/x.md", "report.yaml"); "" not located
    line: int = 0
    key: str = ""  # report.yaml key of computed text (model Source.key, when the build gives it)
    kind: str = "text"  # "text", "footnote", "computed"
    number: int = 0  # a footnote's number
    note: str = ""
    skel: str = ""  # skeleton(text), kept

    def __post_init__(self):
        object.__setattr__(self, "skel", skeleton(self.text))


def _inline_text(nodes) -> str:
    out = []
    for node in nodes:
        if isinstance(node, m.FootnoteRef):
            continue  # the note's text is a unit of its own; its call number is not in the text
        if isinstance(node, (m.Text, m.Code)):
            out.append(node.text)
        elif isinstance(node, m.CrossRef):
            out.append(node.text)
        elif isinstance(node, m.Abbr):
            out.append(node.text)
        elif isinstance(node, m.LineBreak):
            out.append(" ")
        else:
            out.append(_inline_text(getattr(node, "children", ())))
    return "".join(out)


class Index:
    """The units of a report, and the chapter files' lines to find words in."""

    def __init__(self, report_dir: Path, framework_dirs=()):
        self.report_dir = Path(report_dir).resolve()
        diags = Diagnostics()
        self.document = check(self.report_dir, diags, framework_dirs=framework_dirs)  # ContentError: not located
        sources = load(self.report_dir, Diagnostics(), framework_dirs)
        self.lines: dict[str, list[str]] = {}
        for chapter in sources.chapters.values():
            self.lines[self._relative(chapter.path)] = chapter.text.splitlines()
        self.key_lines: dict[str, tuple[int, int]] = {}
        if sources.report is not None:
            for loc, where in sources.report.positions.items():
                self.key_lines[_key_path(loc)] = where
        self.units: list[Unit] = []
        self._windows: dict = {}
        self._matches: dict = {}
        for part in self.document.parts:
            self._blocks(part, part.blocks, None)
            self._footnotes(part)
        self.by_skel: dict[str, list[int]] = {}
        for n, unit in enumerate(self.units):
            self.by_skel.setdefault(unit.skel, []).append(n)

    # ----------------------------------------------------------------------- the units

    def _relative(self, path) -> str:
        try:
            return Path(path).resolve().relative_to(self.report_dir).as_posix()
        except ValueError:
            return str(path)

    def _add(self, text: str, part: m.Part, source, kind: str = "text", **extra) -> None:
        if not skeleton(text):
            return
        key = getattr(source, "key", "") if source is not None else ""
        path, line = ("", 0)
        if source is not None and source.path and not source.path.startswith("<"):
            path, line = self._relative(source.path), source.line  # report.yaml's line for a key of it
        elif key in self.key_lines:
            path, line = "report.yaml", self.key_lines[key][0]
        if kind == "computed" and not key:
            extra.setdefault("note", "text reportgen computes: edit report.yaml or the framework, not the chapter")
        elif key.startswith("framework "):  # as the DOCX's listing says it (generator/review/locate.py)
            extra.setdefault("note", f"{key.split(':')[0]}'s text, not the report's")
        elif key:
            figure = key.startswith("findings") and any(c.isdigit() for c in text)
            extra.setdefault("note", "a figure: edit report.yaml" if figure else "computed: edit report.yaml")
        self.units.append(Unit(" ".join(text.split()), part.title, path, line, key, kind, **extra))

    def _blocks(self, part: m.Part, blocks, inherited) -> None:
        for block in blocks:
            source = getattr(block, "source", None) or inherited
            if isinstance(block, (m.Heading, m.Paragraph)):
                self._add(_inline_text(block.children), part, source)
            elif isinstance(block, (m.BulletList, m.OrderedList)):
                for item in block.items:
                    self._blocks(part, item, source)
            elif isinstance(block, m.BlockQuote):
                self._blocks(part, block.children, source)
            elif isinstance(block, m.Callout):
                self._add(block.title, part, source)
                self._blocks(part, block.children, source)
            elif isinstance(block, m.Table):
                self._add(_inline_text(block.caption), part, source)
                for row in (block.header, *block.rows):
                    for cell in row:
                        self._add(_inline_text(cell), part, source)
            elif isinstance(block, (m.Image, m.Chart)):
                self._add(_inline_text(block.caption), part, source)
                if isinstance(block, m.Chart):
                    self._blocks(part, (block.data,), source)
            elif isinstance(block, m.KeyQuestionTable):
                self._add(block.caption, part, source, "computed")
                for row in block.rows:
                    self._add(row.question, part, source, "computed")
                    value = f"{row.value} {block.lowest_note}" if row.lowest else row.value
                    self._add(value, part, row.source or source, "computed")  # the figure's own key
            elif isinstance(block, m.Rating):
                self._add(block.label, part, source, "computed")
            elif isinstance(block, m.RatingsSummary):
                self._add(block.unit, part, source, "computed")
                for (_, label, value), fact in zip(block.kinded_facts, block.fact_sources or ()):
                    self._add(f"{label} {value}", part, fact or source, "computed")  # its report.yaml key
                if block.overall is not None:
                    overall = block.overall
                    self._add(f"{overall.caption} {overall.label}", part, overall.source or source, "computed")
                framework = block.framework_source or source  # titles, headers, names: the framework's
                for group in block.groups:
                    self._add(group.title, part, framework, "computed")
                    for row in group.rows:
                        self._add(row.standard, part, framework, "computed")
                        if row.rating is not None:
                            self._add(row.rating.label, part, row.source or source, "computed")
            elif isinstance(block, m.PreviousRecommendations):
                self._add(block.summary, part, block.summary_source or source, "computed")
                self._add(block.caption, part, source, "computed")
                for row in block.rows:
                    said = (_inline_text(row.recommendation), row.status, row.evidence)
                    for text, key in zip(said, row.sources or (source,) * 3):
                        self._add(text, part, key or source, "computed")
            elif isinstance(block, m.Contents):
                for entry in block.entries:
                    self._add(entry.title, part, source, "computed")
            elif isinstance(block, m.Glossary):
                for abbreviation, meaning in block.entries:
                    self._add(f"{abbreviation} {meaning}", part, source, "computed")

    def _footnotes(self, part: m.Part) -> None:
        """Each note of the part, at its definition line (`[^label]: ...`) in its chapter."""
        paths = {self._relative(b.source.path) for b in part.blocks if getattr(b, "source", None)}
        for note in part.footnotes:
            text = _inline_text(note.children)
            where = self._definition(paths, text)
            source = m.Source(*where) if where else None
            self._add(text, part, source, "footnote", number=note.number)

    def _definition(self, paths, text: str) -> tuple[str, int] | None:
        want = skeleton(text)[:40]
        for path in sorted(paths):
            for n, line in enumerate(self.lines.get(path, ()), 1):
                if line.startswith("[^") and want and want in mapped_skeleton(line)[0]:
                    return str(self.report_dir / path), n
        return None

    # ----------------------------------------------------------------------- finding things

    def match(self, text: str, before: "list[str] | None" = None) -> Unit | None:
        """The unit whose text is `text` (else the one holding it, else the one it holds, the
        longest); among equal ones, the first after the unit that `before` (texts of preceding
        blocks, nearest first) names uniquely."""
        skel = skeleton(text)
        if not skel:
            return None
        if not before:
            if skel not in self._matches:
                self._matches[skel] = self._match(skel, None)
            return self._matches[skel]
        return self._match(skel, before)

    def _match(self, skel: str, before) -> Unit | None:
        found = self.by_skel.get(skel, [])
        if not found:
            found = [n for n, u in enumerate(self.units) if skel in u.skel] if len(skel) >= 8 else []
        if not found:
            holding = [n for n, u in enumerate(self.units) if len(u.skel) >= 8 and u.skel in skel]
            found = sorted(holding, key=lambda n: -len(self.units[n].skel))[:1]
        if not found:
            return None
        if len(found) > 1 and before:
            for previous in before:
                known = self.by_skel.get(skeleton(previous), [])
                if len(known) == 1:
                    later = [n for n in found if n > known[0]]
                    if later:
                        return self.units[later[0]]
                    break
        return self.units[found[0]]

    def footnote(self, number: int) -> Unit | None:
        return next((u for u in self.units if u.kind == "footnote" and u.number == number), None)

    def _window(self, path: str, first: int) -> tuple[str, list[tuple[int, int]]]:
        """The skeleton of WINDOW_LINES lines of `path` from line `first`, and each of its
        characters' (line, column), 1-based; kept, since many annotations fall in one block."""
        key = (path, first)
        if key not in self._windows:
            skel, where = [], []
            for offset, line in enumerate(self.lines[path][first - 1: first - 1 + WINDOW_LINES]):
                chars, cols = mapped_skeleton(line)
                skel.append(chars)
                where.extend((first + offset, col + 1) for col in cols)
            self._windows[key] = ("".join(skel), where)
        return self._windows[key]

    def position(self, unit: Unit, anchor: str, prefix: str = "") -> tuple[int, int]:
        """The (line, column) in `unit`'s chapter where `anchor` (words as built) starts, looked for
        after `prefix` (the built words just before it) when that helps; (unit's line, 0) when
        the words are not in the file as typed (e.g. a template expression's value)."""
        lines = self.lines.get(unit.path)
        if not lines or not unit.line:
            return unit.line, 0
        text, where = self._window(unit.path, unit.line)
        start = text.find(unit.skel[:40]) if unit.skel else -1
        start = max(start, 0)
        want, before = skeleton(anchor), skeleton(prefix)[-30:]
        if want:
            if before:
                at = text.find(before + want, start)
                if at >= 0:
                    return where[at + len(before)]
            at = text.find(want, start)
            if at < 0:
                at = text.find(want)
            if at >= 0:
                return where[at]
        if unit.skel and text.find(unit.skel[:40]) >= 0:
            return where[start][0], 0
        return unit.line, 0


def _key_path(loc: tuple) -> str:
    """A report.yaml position as a key path: findings.P2.1.key_questions[1]."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
