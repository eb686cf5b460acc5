"""From a place in a reviewed paragraph to a place in the source: the chapter file, line and
column (or report.yaml's key), by the source map's entry and the paragraph's text.

The entry gives the block's first line. The text a reviewer marked is found in the block by
itself with as much of its surrounding paragraph text as still matches (a Markdown block holds
markup the DOCX does not show, `**`, `[^note]`, so the context shrinks until the text is found
once). When the file changed since the build (its SHA-256 is not the map's), the block may have
moved: the text is searched in the whole file, and if it is nowhere, the item is reported as
"context changed" with the text as built and the text now at the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.review import sourcemap as SM

# (left, right) characters of context tried in turn: the first that matches once wins
CONTEXTS = ((40, 40), (20, 20), (40, 0), (0, 40), (12, 12), (20, 0), (0, 20), (12, 0), (0, 12), (6, 6), (6, 0),
            (0, 6), (3, 0), (0, 3), (0, 0))
# the typographic quotes the build makes of straight ones: compared as straight, one character for one
QUOTES = str.maketrans("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f", "''''\"\"\"\"")
TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


@dataclass
class Where:
    path: str
    line: int
    column: int = 0
    key: str = ""
    note: str = ""
    span: tuple[int, int] | None = None  # the marked text's place in the file's text (chapters)
    found: bool = False  # the marked text was found in the current source
    ambiguous: bool = False
    computed: str = ""  # why the text is not the author's prose ("" when it is)
    built: str = ""  # the paragraph's text as built
    current: str = ""  # the source's text at the line now
    stale: bool = False  # the file changed since the build
    firm: bool = False  # found with its context on both sides (12 characters, or up to the paragraph's edge)


class Locator:
    def __init__(self, source_map: SM.SourceMap, report_dir: Path | None):
        self.map = source_map
        self.root = Path(report_dir).resolve() if report_dir else None
        self.texts: dict[str, str | None] = {}
        self.raw: dict[str, bytes] = {}  # each file's bytes, for its fingerprint

    def text(self, rel: str) -> str | None:
        """The current text of `rel` in the report folder, or None (no folder, no such file, unreadable)."""
        if rel not in self.texts:
            self.texts[rel] = None
            if self.root is not None and rel and not rel.startswith(("/", "..")):
                from generator.inputs import InputError, read_input  # noqa: PLC0415

                try:
                    data = read_input(self.root / rel, (self.root,), "chapter")
                    self.texts[rel] = as_lf(data.decode("utf-8-sig"))[0]
                    self.raw[rel] = data
                except (InputError, UnicodeDecodeError, OSError):
                    pass
        return self.texts[rel]

    def changed(self, rel: str) -> bool:
        text = self.text(rel)
        return text is not None and SM.fingerprint(self.raw[rel]) != self.map.files.get(rel)

    def locate(self, entry: SM.Entry | None, para, start: int, snippet: str, change=None) -> Where | None:
        if entry is None:
            return None
        built = entry.text
        if entry.key:
            return self._computed(entry, snippet)
        text = self.text(entry.path)
        if text is None:
            return Where(entry.path, entry.line, 0, note="the source file is not in the report folder",
                         built=built)
        block = self.block(text, entry)
        before = para.before if para is not None else built
        end = start + len(snippet)
        hit = find(text, before, start, end, block)
        moved = False
        if hit is None and self.changed(entry.path):
            hit, moved = find(text, before, start, end, (0, len(text))), True
        current = current_text(text, block)
        if hit is not None and not hit[2] and self.changed(entry.path):
            hit = None  # found only by a scrap of its context in a changed file: not the same text
        if hit is None:
            jinja = printed_by(text[block[0]:block[1]], before, start, end)
            line, col = line_col(text, block[0])
            if self.changed(entry.path) and not reads_as(text[block[0]:block[1]], before):
                line, current = closest_line(text, block, before)
                return Where(entry.path, line, 1, note=f"context changed: was {_q(snippet or before)}, now "
                                                       f"{_q(current)}", built=built, current=current, stale=True)
            if jinja:
                return Where(entry.path, line, col, computed=f"the text comes from {', '.join(jinja)}: edit the "
                             "report.yaml value it prints", note=f"computed by {', '.join(jinja)}: edit report.yaml",
                             built=built, current=current)
            return Where(entry.path, line, col, note="not found as such in the source (markup between?)",
                         built=built, current=current)
        pos, ambiguous, firm = hit
        line, col = line_col(text, pos)
        span = (pos, pos + len(snippet))
        inside = next((m[0] for m in TEMPLATE.finditer(text) if m.start() < span[1] and span[0] < m.end()
                       or m.start() < span[0] < m.end()), "")
        where = Where(entry.path, line, col, span=span, found=True, ambiguous=ambiguous, built=built, current=current,
                      note="the source moved since the build" if moved else "", stale=self.changed(entry.path),
                      firm=firm)
        if inside:
            where.computed = f"the text is inside {inside}"
        return where

    def _computed(self, entry: SM.Entry, snippet: str) -> Where:
        line, col = entry.line, 1
        text = self.text(entry.path) if entry.path == "report.yaml" else None
        note = ""
        if text is not None:
            lines = text.splitlines()
            if self.changed(entry.path):
                note = "report.yaml changed since the build: the line may have moved"
            if 0 < line <= len(lines):
                here = lines[line - 1]
                wanted = snippet.strip()
                found = here.find(wanted) if wanted else -1
                if found < 0 and re.fullmatch(r"[\d.]+\s*%", wanted):  # "73%" is 73 in report.yaml
                    match = re.search(r"(?<![\d.])" + re.escape(wanted.rstrip("% ")) + r"(?![\d.])", here)
                    found = match.start() if match else -1
                col = found + 1 if found >= 0 else len(here) - len(here.lstrip()) + 1
        if not entry.path.endswith(".yaml"):
            what = f"{entry.key.split(':')[0]}'s text, not the report's"
            return Where(entry.path, line, col, key=entry.key, note=what, computed=what, built=entry.text)
        return Where(entry.path, line, col, key=entry.key, computed=f"a value of report.yaml: edit {entry.key}",
                     note="; ".join(filter(None, ("a figure: edit report.yaml"
                                                  if entry.key.startswith("findings") and _figure(snippet or entry.text)
                                                  else "computed: edit report.yaml", note))), built=entry.text)

    def block(self, text: str, entry: SM.Entry) -> tuple[int, int]:
        """(start, end) in `text` of the Markdown block the entry names: from its line to the
        next blank line; for a footnote, its definition `[^id]:` and the indented lines after it."""
        lines = text.split("\n")
        starts = [0]
        for ln in lines:
            starts.append(starts[-1] + len(ln) + 1)
        first = max(0, min(entry.line - 1, len(lines) - 1))
        if entry.note:
            mark = f"[^{entry.note}]:"
            found = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith(mark)), None)
            if found is not None:
                last = found + 1
                while last < len(lines) and lines[last].startswith(("    ", "\t")) and lines[last].strip():
                    last += 1
                return starts[found], starts[last] - 1
        last = first + 1
        while last < len(lines) and lines[last].strip():
            last += 1
        return starts[first], max(starts[first], starts[last] - 1)


def find(text: str, before: str, start: int, end: int, region: tuple[int, int]) -> tuple[int, bool, bool] | None:
    """Where `before[start:end]` is in text[region], found with its context: (position, ambiguous,
    firm) or None; firm: with 12 characters of context each side, or all there is up to the
    paragraph's edge. Newlines in the source count as the spaces the DOCX shows (the same length)."""
    flat = text[region[0]:region[1]].replace("\n", " ").translate(QUOTES)
    before = before.translate(QUOTES)  # the build's curly quotes are the author's straight ones (same length)
    snippet = before[start:end]
    several = None
    for left, right in CONTEXTS:
        ctx_l, ctx_r = before[max(0, start - left):start], before[end:end + right]
        pattern = ctx_l + snippet + ctx_r
        if not pattern.strip() or (len(pattern.strip()) < 3 and not snippet):
            continue
        hits = [m.start() for m in re.finditer(re.escape(pattern), flat)]
        firm = (len(ctx_l) >= 12 or start - len(ctx_l) <= 0) and (len(ctx_r) >= 12 or end + len(ctx_r) >= len(before))
        if len(hits) == 1:
            return region[0] + hits[0] + len(ctx_l), False, firm
        if hits and several is None:
            several = region[0] + hits[0] + len(ctx_l)
    return (several, True, False) if several is not None else None


def as_lf(text: str) -> tuple[str, bool]:
    """(text, crlf): a file whose every line ends CRLF (as Windows editors write it) as LF, so that
    its lines and columns are found as a Unix file's; `--apply` writes it back CRLF. A file with
    mixed line ends is left as it is."""
    crlf = "\r\n" in text and text.count("\n") == text.count("\r\n")
    return (text.replace("\r\n", "\n"), True) if crlf else (text, False)


def reads_as(block: str, built: str) -> bool:
    """Whether a block with `{{ }}` expressions still reads as the paragraph as built, whatever
    the expressions printed: its literal pieces, in order, from the paragraph's start to its end
    (spaces as one). So a change elsewhere in the file does not make a comment on text a template
    printed (a name, a figure) look rewritten."""
    pieces = [" ".join(piece.split()) for piece in TEMPLATE.split(block)]
    if len(pieces) < 2:
        return False
    flat = " ".join(built.split())
    if not flat.startswith(pieces[0]) or not flat.endswith(pieces[-1]):
        return False
    at, end = len(pieces[0]), len(flat) - len(pieces[-1])
    for piece in pieces[1:-1]:
        found = flat.find(piece, at, end) if piece else at
        if found < 0:
            return False
        at = found + len(piece)
    return at <= end


def printed_by(block: str, before: str, start: int, end: int) -> list[str]:
    """The `{{ }}` expressions of `block` that printed the built text `before[start:end]`: those
    whose literal neighbours in the source (8 characters each side) stand around the change in
    the built paragraph; all of the block's if none does."""
    exprs = [m for m in TEMPLATE.finditer(block) if m[0].startswith("{{")]
    near = []
    for m in exprs:
        left = TEMPLATE.sub("", block[max(0, m.start() - 8):m.start()]).replace("\n", " ")
        right = TEMPLATE.sub("", block[m.end():m.end() + 8]).replace("\n", " ")
        if not (left.strip() or right.strip()):
            continue
        # what the expression printed: between its literal neighbours in the built paragraph
        for hit in re.finditer(re.escape(left) + r"(.{1,80}?)" + re.escape(right), before):
            if hit.start(1) < max(end, start + 1) and start < hit.end(1):
                near.append(m[0])
                break
    return near or [m[0] for m in exprs]


def closest_line(text: str, block: tuple[int, int], built: str) -> tuple[int, str]:
    """(line, text) of the line of `block` most like the paragraph as built (a list's items are
    one block: the item the reviewer marked is the one most like it)."""
    import difflib  # noqa: PLC0415

    first = text.count("\n", 0, block[0]) + 1
    lines = text[block[0]:block[1]].split("\n")
    scores = [difflib.SequenceMatcher(None, built[:2000], ln[:2000], autojunk=False).ratio() for ln in lines]
    best = max(range(len(lines)), key=lambda i: scores[i]) if lines else 0
    return first + best, " ".join(lines[best].split()) if lines else ""


def line_col(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def current_text(text: str, block: tuple[int, int]) -> str:
    return " ".join(text[block[0]:block[1]].split())


def _q(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return '"' + (flat if len(flat) <= limit else flat[: limit - 1] + "…") + '"'


def _figure(text: str) -> bool:
    return bool(re.search(r"\d", text))
