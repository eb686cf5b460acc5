"""Lints of what an author really gets wrong, that Markdown would print as it is without a word:
the placeholders `reportgen new` wrote, left in place (`placeholder`: a warning in a draft build,
an error in a final one); a table row with more or fewer cells than its header (`table-cells`);
and Quarto or pandoc syntax reportgen does not read (`markdown-unsupported`, each with the
reportgen form to write instead): `@fig-id` cross-references, `[@key]` citations, `::: {.class}`
fenced divs, an `{#id}` on an image, and YAML front matter at the top of a chapter.

Run on the merged text of a chapter before Markdown (`check_authoring`), at the source line of
each finding. The scaffold writes its placeholders from `PLACEHOLDERS`, so the two cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import replace

from generator.stages.merge import MergedChapter
from generator.stages.parse.extensions import CALLOUT_RE, MARKER_RE
from generator.stages.parse.lints import source_line, source_lines
from generator.stages.parse.state import ParseState
from generator.stages.validate.locate import ordinal

# --------------------------------------------------------------------------- placeholders

# The text `reportgen new` writes for the author to replace (generator/scaffold.py uses these), and
# what to write instead. `{title}` stands for any text (a standard's title).
FOREWORD = "The foreword."
BACKGROUND = "The background."
STANDARD_SUMMARY = "Summary of the findings for {title}."
LIST_ITEM = "- …"
REPORT_TITLE = "An inspection of ...: {unit}"  # report.yaml's metadata.title
# report.yaml's `details:` (the framework's `details.fields`), a placeholder of each field's type: a
# date's and a whole number's have forms of their own; a text's and a rating's is the same
DETAIL_PLACEHOLDERS = {"text": "...", "date": "YYYY-MM-DD", "integer": "NNNNNN", "rating": "..."}

PLACEHOLDERS = {
    FOREWORD: "write the foreword in its place",
    BACKGROUND: "write the background in its place",
    STANDARD_SUMMARY: "write the summary of the findings for this standard in its place",
    LIST_ITEM: "write the point in its place, or remove the line",
    REPORT_TITLE: "write the report's title in its place",
    DETAIL_PLACEHOLDERS["text"]: "write its value in its place (the comment beside it names the field), or remove "
                                 "the line if the field is optional",
    DETAIL_PLACEHOLDERS["date"]: "write the date in its place, as YYYY-MM-DD, e.g. 2024-01-15",
    DETAIL_PLACEHOLDERS["integer"]: "write the number in its place, in digits, e.g. 123456",
}
REPORT_YAML_ONLY = {REPORT_TITLE, *DETAIL_PLACEHOLDERS.values()}  # values of report.yaml, never a chapter's lines


def _short(text: str, limit: int = 80) -> str:
    """`text` stripped, and cut at `limit` characters (a message quotes it)."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def placeholder_re(text: str) -> re.Pattern:
    """A whole line (or value) that is the placeholder `text`, its `{name}` parts any text."""
    parts = re.split(r"\{\w+\}", text)
    return re.compile(r"^\s*" + ".+".join(map(re.escape, parts)) + r"\s*$")


_PLACEHOLDER_RES = [(placeholder_re(text), text, what) for text, what in PLACEHOLDERS.items()
                    if text not in REPORT_YAML_ONLY]
_PLACEHOLDER_STARTS = tuple({text[0] for _, text, _ in _PLACEHOLDER_RES})  # a line starting otherwise is none


def placeholder_message(text: str, what: str, draft: bool) -> str:
    return (f"'{text}' is the placeholder `reportgen new` wrote: {what}"
            + (" (a final build refuses it)" if draft else
               " (a draft, status: draft or build --draft, only warns)"))


def check_title(title: str, state: ParseState, path, line: int, column: int) -> None:
    """report.yaml's metadata.title, if it is still the scaffold's."""
    if placeholder_re(REPORT_TITLE).match(title):
        title = _short(title)
        report = state.diags.warning if state.draft else state.diags.error
        report("placeholder", placeholder_message(title, PLACEHOLDERS[REPORT_TITLE], state.draft),
               path, line, column)


def is_detail_placeholder(value) -> bool:
    """Whether a value of report.yaml's `details:` is one of the scaffold's placeholders (validate
    lets it stand for a value of any type; `check_detail` warns of it, or refuses it)."""
    return isinstance(value, str) and value.strip() in DETAIL_PLACEHOLDERS.values()


def check_detail(name: str, value, state: ParseState, path, line: int, column: int) -> None:
    """report.yaml's details.<name>, if it is still the scaffold's placeholder."""
    if is_detail_placeholder(value):
        report = state.diags.warning if state.draft else state.diags.error
        report("placeholder", f"details.{name}: " + placeholder_message(value.strip(), PLACEHOLDERS[value.strip()],
                                                                         state.draft), path, line, column)


MAX_SAID = 100  # findings of these lints listed per chapter (a hostile chapter could hold millions)


class _Report:
    """Says a finding at the source line behind a merged line, up to MAX_SAID a chapter; then how
    many more there are, once (`close`)."""

    def __init__(self, chapter: MergedChapter, state: ParseState, same: bool):
        self.chapter, self.state, self.said = chapter, state, 0
        self.same = same  # the merged text has the source's lines: no need to look for each
        self.more: list[tuple[str, int, bool]] = []  # (code, merged line, warning) of those not listed

    def line(self, number: int) -> int:
        return number if self.same else source_line(self.chapter, number)

    @property
    def full(self) -> bool:
        return self.said >= MAX_SAID

    def __call__(self, code: str, message: str, number: int, warning: bool = False) -> None:
        if self.full:
            self.more.append((code, number, warning))
            return
        self.said += 1
        add = self.state.diags.warning if warning else self.state.diags.error
        add(code, message, self.chapter.source.path, self.line(number))

    def close(self) -> None:
        if self.more:
            code, number, _ = self.more[0]
            warning = all(w for _, _, w in self.more)
            add = self.state.diags.warning if warning else self.state.diags.error
            add(code, f"{len(self.more)} more problems of these kinds in this chapter, from this line on, are not "
                f"listed (at most {MAX_SAID} are): correct those listed, then check again", self.chapter.source.path,
                self.line(number))


def _placeholders(lines: list[str], report: _Report, draft: bool) -> None:
    for number, line in enumerate(lines, 1):
        if not line.lstrip().startswith(_PLACEHOLDER_STARTS):
            continue
        for pattern, text, what in _PLACEHOLDER_RES:
            if pattern.match(line):
                report("placeholder", placeholder_message(_short(line), what, draft), number, warning=draft)


# --------------------------------------------------------------------------- table rows

class _Tables:
    """Python-Markdown's own table processor, to tell a table and split its rows exactly as the
    `tables` extension does (escaped pipes, pipes in code spans)."""

    def __init__(self):
        from markdown.extensions.tables import TableProcessor  # noqa: PLC0415

        class _Parser:  # what BlockProcessor.__init__ reads of its parser
            class md:  # noqa: N801
                tab_length = 4

        self.processor = TableProcessor(_Parser(), {"use_align_attribute": False})

    def rows(self, block: str) -> list[int] | None:
        """The cell count of the header and of each body row of `block`, or None if it is no table."""
        if not self.processor.test(None, block):
            return None
        rows = block.split("\n")
        return [len(self.processor._split_row(row.strip(" "))) for row in rows[:1] + rows[2:]]


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _cells(count: int) -> str:
    return "1 cell" if count == 1 else f"{count} cells"


def _table_rows(lines: list[str], report: _Report) -> None:
    tables = None
    start = 0
    for end in range(len(lines) + 1):
        if end < len(lines) and lines[end].strip():
            continue
        block = lines[start:end]
        first = start
        start = end + 1
        if len(block) < 3 or "|" not in block[0] or block[0].startswith((" ", "\t")):
            continue
        tables = tables or _Tables()
        caption = next((i for i, line in enumerate(block) if PANDOC_CAPTION_RE.match(line)), None)
        if caption is not None and caption >= 2:  # said by _quarto; not a row of the table
            block = block[:caption]
        counts = tables.rows("\n".join(block))
        if not counts:
            continue
        header = counts[0]
        headers = tables.processor._split_row(block[0].strip(" "))
        for index, count in enumerate(counts[1:]):
            if count == header:
                continue
            number = first + 3 + index  # header, separator, then the rows
            if report.full:
                report("table-cells", "", number)
                continue
            cells = tables.processor._split_row(block[2 + index].strip(" "))
            many = abs(header - count) > 1
            if count < header:
                missing = _and([f"'{headers[i].strip()}'" if headers[i].strip() else f"the {ordinal(i)} column"
                                for i in range(count, header)])
                said = (f"the cell{'s' if many else ''} for {missing} {'are' if many else 'is'} missing (printed "
                        f"empty): add {'them' if many else 'it'} ('| |' is an empty cell)")
            else:
                extra = _and([ordinal(i) for i in range(header, count)])
                values = ", ".join(f"'{cells[i].strip()}'" for i in range(header, count))
                said = (f"the {extra} cell{'s' if many else ''} ({values}) {'have' if many else 'has'} no column "
                        f"and would be dropped: remove {'them' if many else 'it'}, or add a column to the header")
            report("table-cells", f"the {ordinal(index)} row of this table has {_cells(count)}, its header "
                   f"{_cells(header)}: {said}", number)


# --------------------------------------------------------------------------- Quarto and pandoc syntax

# Every pattern runs in time linear in the line (a chapter is untrusted): no two unbounded parts can
# match the same characters, and a bracket, image or attribute list is found first, then searched.
XREF_RE = re.compile(r"(?<![\w@.\-/])@((fig|tbl|sec|eq|lst)-[\w-]+)")
BRACKETS_RE = re.compile(r"\[([^\[\]\n]*)\](?!\()")  # [text] that is no link's
CITATION_KEY_RE = re.compile(r"(?:^|[\s;])-?@([A-Za-z0-9_][\w:.#$%&+?<>~/-]*)")
DIV_OPEN_RE = re.compile(r"^[ \t]*:{3,}[ \t]*(\{[^}\n]*\}|[.#][\w-]+)")
FENCE_CLOSE_RE = re.compile(r"^[ \t]*:{3,}[ \t]*$")
PANDOC_CAPTION_RE = re.compile(r"^:[ \t]+\S")  # pandoc's table caption, ": Caption {#tbl-x}"
IMAGE_ATTRS_RE = re.compile(r"!\[[^\[\]\n]*\]\([^()\n]*\)[ \t]*\{([^{}\n]*)\}")
ID_RE = re.compile(r"#([A-Za-z][\w-]*)")
_XREF_KIND = {"fig": ("Figure 2", "the figure's caption: 'Figure: <caption> {#%s}'"),
              "tbl": ("Table 1", "the table's caption: 'Table: <caption> {#%s}'"),
              "sec": ("the heading's title", "the heading: '## <title> {#%s}'"),
              "eq": ("the equation's label", "the heading or caption it names: '{#%s}'"),
              "lst": ("the listing's label", "the heading or caption it names: '{#%s}'")}
# Front matter fields an author types (Quarto, pandoc, Jekyll) and where each goes instead.
FRONT_MATTER_FIELDS = {
    "title": "goes in this chapter's entry of report.yaml parts: (title: ...); the report's own is metadata.title",
    "subtitle": "goes in report.yaml metadata.title (the report has one title)",
    "author": "goes in report.yaml metadata.lead_inspector",
    "authors": "goes in report.yaml metadata.lead_inspector",
    "date": "goes in report.yaml metadata.published, as YYYY-MM",
    "lang": "goes in report.yaml metadata.language",
    "language": "goes in report.yaml metadata.language",
    "keywords": "goes in report.yaml metadata.keywords",
    "abstract": "goes in report.yaml metadata.subject",
    "description": "goes in report.yaml metadata.subject",
    "subject": "goes in report.yaml metadata.subject",
    "bibliography": "is not read: cite in footnotes, [^key]",
    "format": "is not needed: reportgen build --format chooses the outputs",
    "toc": "is a part of its own: '::: contents' in a chapter listed in report.yaml parts",
}


def _front_matter(lines: list[str]) -> tuple[int, list[str]] | None:
    """(the number of lines, the keys) of YAML front matter at the top of a chapter: '---', then
    lines of YAML, then '---' or '...'; or None."""
    if not lines or lines[0].strip() != "---":
        return None
    keys = []
    for index, line in enumerate(lines[1:101], 1):
        if line.strip() in ("---", "...") and index > 1:
            return index + 1, keys
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:(\s|$)", line)
        if match:
            keys.append(match[1])
        elif line.strip() and not line.startswith((" ", "\t", "- ", "#")):
            return None  # not YAML: a rule, then text
    return None


_MARKER_ARGS = {"standard": " <id>", "chart": " <name>"}


def blocks_said(markers) -> str:
    """The blocks a chapter can hold, for a message: the box and each marker of `markers`."""
    said = ", ".join(f"::: {name}{_MARKER_ARGS.get(name, '')}" for name in markers)
    return ("reportgen's blocks are ::: example \"Title\" … ::: (a boxed example)"
            + (f" and the markers {said}" if said else ""))


def _quarto(lines: list[str], report: _Report, markers: tuple[str, ...]) -> None:
    def error(message: str, number: int) -> None:
        report("markdown-unsupported", message, number)

    opened: list[str] = []  # "box" (reportgen's ::: example) or "div" (a fenced div reported)
    for number, line in enumerate(lines, 1):
        if "@" in line or "{" in line:
            _inline_syntax(line, number, error)
        if PANDOC_CAPTION_RE.match(line):
            words = line[1:].strip()
            error(f"'{_short(line)}' is a pandoc table caption, which reportgen does not read: write it as a "
                  f"paragraph of its own before the table (a blank line between): 'Table: {_short(words)}'", number)
            continue
        if not line.lstrip(" \t").startswith(":::"):
            continue
        if CALLOUT_RE.match(line):
            opened.append("box")
            continue
        if FENCE_CLOSE_RE.match(line):
            if opened:
                opened.pop()
            else:
                error("':::' here closes no box: remove it (a box opens with ::: example \"Title\" and closes "
                      "with ::: on a line of its own)", number)
            continue
        marker = MARKER_RE.match(line)
        if marker and markers and marker[1] not in markers:
            opened.append("div")  # an unknown block (assemble says so): its closing ':::', if any, with it
            continue
        div = DIV_OPEN_RE.match(line)
        if div and not MARKER_RE.match(line):
            classes = re.findall(r"\.([\w-]+)", div[1])
            what = (f"'{_short(line)}' is a Quarto/pandoc fenced div, which reportgen does not read: "
                    f"{blocks_said(markers)}")
            if any(c.startswith("callout") for c in classes):
                what += "; for a callout box write ::: example \"Note\", the text, then ::: on a line of its own"
            error(what, number)
            opened.append("div")


def _inline_syntax(line: str, number: int, error) -> None:
    """Quarto cross-references, pandoc citations and an id on an image, in one line."""
    for match in XREF_RE.finditer(line):
        printed, where = _XREF_KIND[match[2]]
        name = _short(match[1], 60)
        error(f"'@{name}' is a Quarto cross-reference, which reportgen does not read: write "
              f"[](#{name}) (a link with no text prints '{printed}'), with the id on " + (where % name), number)
    for match in BRACKETS_RE.finditer(line) if "@" in line else ():
        key = CITATION_KEY_RE.search(match[1])
        if key is None or XREF_RE.search(match[0]):
            continue  # not a citation, or a cross-reference (said above)
        label = _short(key[1], 40)
        error(f"'{_short(match[0])}' is a pandoc citation, which reportgen does not read: cite the source in a "
              f"footnote, [^{label}] here and a line '[^{label}]: <the reference>' in this chapter", number)
    for match in IMAGE_ATTRS_RE.finditer(line) if "{" in line else ():
        found = ID_RE.search(match[1])
        if found:
            name = _short(found[1], 60)
            error(f"the id '#{name}' on an image is not kept (a figure is numbered and linked by its "
                  f"caption): put it at the end of the caption, the paragraph after the image: 'Figure: "
                  f"<caption> {{#{name}}}'", number)


def check_authoring(chapter: MergedChapter, state: ParseState) -> MergedChapter:
    """Report the author's likely mistakes (see the module's docstring); the chapter to parse, its
    YAML front matter (reported) blanked, so that it is not also read as rules and headings."""
    lines = source_lines(chapter.text)
    same = lines == source_lines(chapter.source.text)
    front = _front_matter(lines)
    if front is not None:
        count, keys = front
        unknown = "has no place: report.yaml has no such field"
        where = "; ".join(f"{_short(key, 40)} {FRONT_MATTER_FIELDS.get(key.lower(), unknown)}"
                          for key in list(dict.fromkeys(keys))[:12]) + ("; …" if len(set(keys)) > 12 else "")
        state.diags.error("markdown-unsupported", "a chapter takes no YAML front matter (this '---' block): a "
                          "report's fields are in report.yaml" + (f": {where}" if where else "")
                          + "; then remove the block", chapter.source.path, source_line(chapter, 1))
        lines = [""] * count + lines[count:]
        chapter = replace(chapter, text="\n".join(lines))
    report = _Report(chapter, state, same)
    _placeholders(lines, report, state.draft)
    _table_rows(lines, report)
    _quarto(lines, report, state.markers)
    report.close()
    return chapter
