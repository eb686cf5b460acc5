"""Chapter-level lints run on the merged text before Markdown: control characters
(`check_characters`) and nesting depth (`check_nesting`); and the line counting they and
`ChapterParser` share (`source_lines`, `source_line`: the template line behind a merged line)."""

from __future__ import annotations

import difflib
import re

from generator.diagnostics import Diagnostics
from generator.stages.merge import MergedChapter
from generator.stages.validate.characters import CONTROL_RE, describe_character

# Nesting: Python-Markdown, the writers and WeasyPrint all recurse once per level of block quote or
# list, so a chapter may nest at most MAX_NESTING levels; deeper is refused before Markdown runs.
MAX_NESTING = 20
NESTING_MARK_RE = re.compile(r"[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))")
TAB_LENGTH = 4  # Python-Markdown's indent per level


def source_lines(text: str) -> list[str]:
    """The lines of a chapter as Python-Markdown and editors count them (str.splitlines would also
    break at form feeds, U+2028 and other characters that are not line ends here)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def source_line(chapter: MergedChapter, merged_line: int) -> int:
    """The line of the chapter's source that made line `merged_line` of its merged text: the same
    line where the template left the text as it was, else the template line (an expression or
    statement) that produced it."""
    source, merged = source_lines(chapter.source.text), source_lines(chapter.text)
    if source == merged:
        return merged_line
    index = merged_line - 1
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, source, merged, autojunk=False).get_opcodes():
        if not j1 <= index < j2:
            continue
        if tag == "equal":
            return i1 + index - j1 + 1
        if i1 < i2:  # replaced lines: the most alike of them
            return max(range(i1, i2), key=lambda i: (difflib.SequenceMatcher(None, source[i], merged[index]).ratio(),
                                                     -i)) + 1
        # inserted lines (a loop's output): the nearest template line above
        above = [i for i in range(min(i1, len(source)) - 1, -1, -1) if "{%" in source[i] or "{{" in source[i]]
        return (above[0] if above else min(i1, max(len(source) - 1, 0))) + 1
    return max(min(merged_line, len(source)), 1)


def check_characters(chapter: MergedChapter, diags: Diagnostics) -> bool:
    """No control character (see validate.characters.CONTROL_RE) in the chapter, as written (at its line and
    column) or as merged (a value or expression can bring one in). False if any was found: the
    chapter is not parsed (Python-Markdown itself uses STX and ETX as markers)."""
    path = chapter.source.path
    found = False
    for number, line in enumerate(source_lines(chapter.source.text), 1):
        for match in CONTROL_RE.finditer(line):
            found = True
            diags.error("control-character", f"{describe_character(match[0])}; remove it", path, number,
                        match.start() + 1)
    if found:
        return False
    for number, line in enumerate(source_lines(chapter.text), 1):
        for match in CONTROL_RE.finditer(line):
            found = True
            diags.error("control-character", f"the text merged from this line holds {describe_character(match[0])}; "
                        "remove it from the value or expression", path, source_line(chapter, number))
    return not found


def nesting_depth(line: str) -> int:
    """How deep a line nests at most: its block-quote and list markers, and its indentation in
    steps of TAB_LENGTH (an upper bound of what Python-Markdown will nest)."""
    indent = len(line.expandtabs(TAB_LENGTH)) - len(line.expandtabs(TAB_LENGTH).lstrip())
    depth, pos = indent // TAB_LENGTH, 0
    while (match := NESTING_MARK_RE.match(line, pos)) is not None:
        depth += 1
        pos = match.end()
    return depth


def check_nesting(chapter: MergedChapter, diags: Diagnostics) -> bool:
    """False (with an error on each offending line) if a line nests deeper than MAX_NESTING."""
    deep = [(number, depth) for number, line in enumerate(source_lines(chapter.text), 1)
            if len(line) > MAX_NESTING and (depth := nesting_depth(line)) > MAX_NESTING]
    if deep:  # the first such line; the rest are most often the same structure going on
        number, depth = deep[0]
        more = f" ({len(deep) - 1} more lines nest deeper than {MAX_NESTING})" if len(deep) > 1 else ""
        diags.error("nesting-too-deep", f"this line nests {depth} levels deep (block quotes, lists and "
                    f"indentation of {TAB_LENGTH} spaces); a report nests at most {MAX_NESTING}{more}",
                    chapter.source.path, source_line(chapter, number))
    return not deep
