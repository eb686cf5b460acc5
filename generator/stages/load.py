"""Stage 1, load: read report.yaml (keeping the line of every value), the chapters and the framework.

Nothing here judges the content beyond "can it be read": syntax errors, unreadable files and
undecodable text become diagnostics; the raw data go on to `validate`. Every file is read through
`generator.inputs`: confined to the report folder (symlinks followed), regular, size-limited.
A framework is named by an id, never a path; it is looked up in the report's `frameworks/`, in
folders the user names (`--frameworks DIR`), then in the package.
"""

from __future__ import annotations

import calendar
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from generator.diagnostics import Diagnostics
from generator.editions import LANGUAGE_TAG, Edition, edition_path, edition_suffix_of, editions_of, primary_path
from generator.inputs import InputError, read_input
from generator.resources import FRAMEWORKS_DIR

REPORT_FILE = "report.yaml"
CHAPTERS_DIR = "chapters"


@dataclass
class YamlFile:
    """A parsed YAML file: plain data, and the 1-based (line, column) of every mapping key and
    sequence item, by its path of keys and indexes (see `validate.locate.line_of`)."""

    path: Path
    data: object
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    failed: set[tuple] = field(default_factory=set)  # values that could not be read (already reported)


@dataclass
class ChapterFile:
    path: Path
    name: str  # path relative to chapters/, with forward slashes
    text: str


@dataclass
class EditionFiles:
    """What a further edition reads beside the primary's files (generator/editions.py): its
    translation overlays of report.yaml and of the framework (None: no such file, or unreadable:
    `unreadable` says which), and its chapters, by the name of the primary's counterpart
    (`foreword.md` for chapters/foreword.cy.md)."""

    edition: Edition
    report: YamlFile | None = None
    report_path: Path | None = None  # report.cy.yaml, whether or not it is there
    framework: YamlFile | None = None
    framework_path: Path | None = None  # <framework>.cy.yaml beside the framework file (None: no framework)
    chapters: dict[str, ChapterFile] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # chapters (primary's names) and overlay paths not read
    moved: dict = field(default_factory=dict)  # (base path, line, column) -> (overlay path, line, column)


@dataclass
class Sources:
    report_dir: Path  # resolved: every file read lies inside it
    report: YamlFile | None
    framework: YamlFile | None = None
    chapters: dict[str, ChapterFile] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # chapters that exist but could not be read
    unreadable_folders: set[str] = field(default_factory=set)  # under chapters/, "" or "sub/": not listed
    framework_failed: bool = False  # the framework file was found but could not be read
    framework_dirs: tuple[Path, ...] = ()  # folders named with --frameworks
    theme_choice: str | Path | None = None  # --theme: a theme name or folder (wins over report.yaml's)
    framework_root: Path | None = None  # the folder the framework file was read inside
    editions: list[Edition] = field(default_factory=list)  # report.yaml's `editions:` as read (see `languages`)
    edition_files: dict[str, EditionFiles] = field(default_factory=dict)  # by subtag: each further edition's

    def edition_chapters(self) -> dict[str, dict[str, ChapterFile]]:
        """Every edition's chapters, by language (the primary's first), each under the name of the
        primary's chapter it is the counterpart of (`foreword.md` for chapters/foreword.cy.md)."""
        found = {}
        for edition in self.editions:
            files = self.edition_files.get(edition.subtag)
            found[edition.language] = self.chapters if edition.primary else (files.chapters if files else {})
        return found

    def not_read(self, name: str) -> bool:
        """True if chapter `name` (relative to chapters/) may exist but could not be read: the file
        itself, or a folder on its way that could not be listed (already reported as such)."""
        return name in self.unreadable or any(name.startswith(folder) for folder in self.unreadable_folders)


# libyaml's C parser when PyYAML has it (it does in the wheels): ten times ruamel's speed.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


FRAMEWORK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MAX_YAML_NODES = 200_000  # anchors and aliases can multiply a small file (the "billion laughs")
MAX_YAML_DEPTH = 60


_PLAIN_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _TooLarge(Exception):
    """Past MAX_YAML_NODES or MAX_YAML_DEPTH; `mark`: where, when the node knows (else see `_past_the_limit`)."""

    def __init__(self, message: str, mark=None):
        super().__init__(message)
        self.mark = mark


# Tags whose constructor fails on a value it was not made for (`!!timestamp nope`: AttributeError,
# `!!bool maybe`: KeyError) or reads any value as the same (`!!null x` is None), and what the value
# must be, in words. PyYAML's own patterns (those it reads untagged values by) decide, so only an
# explicitly tagged value can fail here. `!!int` and `!!float` raise ValueError themselves.
_TYPED = {"tag:yaml.org,2002:timestamp": "a date (YYYY-MM-DD)", "tag:yaml.org,2002:bool": "true or false",
          "tag:yaml.org,2002:null": "empty (~)"}
_PATTERNS = {tag: regexp for resolvers in yaml.SafeLoader.yaml_implicit_resolvers.values()
             for tag, regexp in resolvers if tag in _TYPED}


def read_yaml(path: Path, diags: Diagnostics, roots=None) -> YamlFile | None:
    """Parse a YAML file read inside `roots` (default: its own folder), keeping every position."""
    roots = roots if roots is not None else (path.parent.resolve(),)
    try:
        raw = read_input(path, roots, "yaml")
    except InputError as exc:
        diags.error(exc.code, exc.message, path)
        return None
    text = decode_utf8(raw, path, diags)
    if text is None:
        return None
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        tab = _tab_at(text, mark, problem) if mark else None
        if tab is not None:
            diags.error("yaml-syntax", "YAML syntax: a tab in the indentation: indent with spaces, not tabs "
                        "(YAML does not allow a tab there); put spaces in its place, as many as the lines around "
                        "it use", path, *tab)
            return None
        diags.error("yaml-syntax", f"YAML syntax: {problem}", path,
                    mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
        return None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, another control, U+FFFE)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
        diags.error("yaml-syntax", f"YAML syntax: the character U+{code:04X} is not allowed in a YAML file "
                    "(control characters are not); remove it", path, *_line_column(text, chr(code), exc.position))
        return None
    except (yaml.YAMLError, RecursionError) as exc:
        diags.error("yaml-syntax", f"YAML syntax: {exc if not isinstance(exc, RecursionError) else 'nested too deeply'}",
                    path)
        return None
    positions: dict[tuple, tuple[int, int]] = {}
    budget = [MAX_YAML_NODES]
    failed: set[tuple] = set()
    try:
        data = (_construct(root, (), positions, SafeConstructor(), path, diags, budget, failed)
                if root is not None else None)
    except _TooLarge as exc:
        if exc.mark is not None:
            diags.error("yaml-too-large", str(exc), path, exc.mark.line + 1, exc.mark.column + 1)
        else:
            line, column, alias = _past_the_limit(text)
            message = (f"more than {MAX_YAML_NODES:,} values once anchors are repeated: the alias *{alias} here "
                       "brings the count past the limit" if alias else
                       f"more than {MAX_YAML_NODES:,} values: the count passes the limit here" if line else str(exc))
            diags.error("yaml-too-large", message, path, line, column)
        return None
    return YamlFile(path, data, positions, failed)


def _tab_at(text: str, mark, problem: str) -> tuple[int, int] | None:
    """The 1-based line and column of the tab a YAML syntax error is about, or None: the parser
    stops at a tab used to indent ("found character that cannot start any token", "found a tab
    character that violates indentation")."""
    lines = text.split("\n")
    if not 0 <= mark.line < len(lines):
        return None
    line = lines[mark.line]
    if line[mark.column:mark.column + 1] == "\t":
        return mark.line + 1, mark.column + 1
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if "tab" in problem and "\t" in indent:
        return mark.line + 1, indent.index("\t") + 1
    return None


def _utf16(raw: bytes) -> str | None:
    """'UTF-16' (a byte-order mark), 'UTF-16LE' or 'UTF-16BE' (a NUL in every other byte: the high
    byte of each ASCII character) if `raw` looks like UTF-16 text; else None. UTF-8 text reportgen
    would take never holds a NUL, so the pattern cannot be real UTF-8."""
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return "UTF-16"  # iconv reads the byte-order mark
    head = raw[:2000]
    if len(head) < 4 or head.count(0) < len(head) // 4:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd >= len(head) // 4 and even <= odd // 8:
        return "UTF-16LE"
    if even >= len(head) // 4 and odd <= even // 8:
        return "UTF-16BE"
    return None


def decode_utf8(raw: bytes, path: Path, diags: Diagnostics) -> str | None:
    """`raw` as UTF-8 text, or None with an `encoding` error that says where the first byte that is
    not UTF-8 is (line and column), which bytes, what they probably are, and how to convert the file
    (a UTF-16 file, as Windows Notepad and Excel save "Unicode" text, has its own message)."""
    name = shlex.quote(path.name)  # said in a command to paste
    utf16 = _utf16(raw)
    if utf16 is not None:
        diags.error("encoding", f"{name} is saved as UTF-16 (\"Unicode\" in Windows' save dialog), not UTF-8: "
                    "reportgen reads UTF-8 text; save it again as UTF-8 (your editor's Save As, Encoding: UTF-8), "
                    f"or convert it: iconv -f {utf16} -t UTF-8 {name} > {name}.utf8 && "
                    f"mv {name}.utf8 {name}", path, 1, 1)
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        start, end = exc.start, exc.end
    line_start = raw.rfind(b"\n", 0, start) + 1
    line = raw.count(b"\n", 0, start) + 1
    column = len(raw[line_start:start].decode("utf-8", errors="replace")) + 1
    bad = raw[start:end]
    count = len(re.findall("[\udc80-\udcff]", raw.decode("utf-8", errors="surrogateescape")))
    try:
        raw.decode("cp1252")
        encoding, source = "Windows-1252 (cp1252)", "CP1252"
    except UnicodeDecodeError:
        encoding, source = "Latin-1 (ISO-8859-1)", "LATIN1"
    shown = bad.decode("cp1252" if source == "CP1252" else "latin-1", errors="replace")
    more = f" ({count} such bytes in the file)" if count > 1 else ""
    said = " ".join(f"0x{b:02X}" for b in bad)
    meaning = f", in which {said} is '{shown}'" if shown.isprintable() else ""
    diags.error("encoding", f"not UTF-8 text: the byte {said} here is not UTF-8{more}; the file looks like "
                f"{encoding} text{meaning}. Save it again as UTF-8 "
                f"(your editor's Save As, Encoding: UTF-8), or convert it: iconv -f {source} -t UTF-8 {name} > "
                f"{name}.utf8 && mv {name}.utf8 {name}", path, line, column)
    return None


def _line_column(text: str, char: str, position: int | None) -> tuple[int, int]:
    """The 1-based line and column of the first `char` in `text` (the first character the YAML
    reader refuses is the first of its kind: libyaml counts its position in bytes, PyYAML in
    characters, so the character is found again rather than counted)."""
    at = text.find(char)
    if at < 0:
        at = position if isinstance(position, int) and 0 <= position <= len(text) else -1
    if at < 0:
        return 0, 0
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def _past_the_limit(text: str) -> tuple[int, int, str | None]:
    """Where a YAML file, its aliases expanded, passes MAX_YAML_NODES values: the line and column of
    the event (an alias, or a value) that brings the count past it, and the alias's anchor if it is
    one. Counted over the parser's events, which know where each alias is written (a composed alias
    is the anchored node itself, whose mark is the anchor's)."""
    sizes: dict[str, int] = {}  # anchor -> how many values it stands for
    stack: list[list] = []  # [anchor, values so far] of each open collection
    total = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, count = stack.pop()
                if anchor:
                    sizes[anchor] = count
                if stack:
                    stack[-1][1] += count
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                continue
            size = sizes.get(event.anchor, 1) if isinstance(event, yaml.AliasEvent) else 1
            total += size
            if total > MAX_YAML_NODES:
                alias = event.anchor if isinstance(event, yaml.AliasEvent) else None
                return event.start_mark.line + 1, event.start_mark.column + 1, alias
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append([event.anchor, 1])
                continue
            if isinstance(event, yaml.ScalarEvent) and event.anchor:
                sizes[event.anchor] = 1
            if stack:
                stack[-1][1] += size
    except (yaml.YAMLError, IndexError):
        pass
    return 0, 0, None


def _construct(node, loc: tuple, positions: dict, constructor: SafeConstructor, path: Path, diags: Diagnostics,
               budget: list[int], failed: set):
    """Plain data from a composed node, recording where each key and item is, and in `failed` the
    path of each value that could not be read (reported here: not to be called missing later)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge(f"more than {MAX_YAML_NODES:,} values (anchors and aliases repeated?)")
    if len(loc) > MAX_YAML_DEPTH:
        raise _TooLarge(f"values nested more than {MAX_YAML_DEPTH} deep", node.start_mark)
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_COLLECTIONS:
        diags.error("yaml-value", f"the tag {node.tag} is not read: only plain YAML values are read",
                    path, node.start_mark.line + 1, node.start_mark.column + 1)
        failed.add(loc)
        return None
    if isinstance(node, yaml.MappingNode):
        try:
            constructor.flatten_mapping(node)  # merge keys (<<)
        except yaml.MarkedYAMLError as exc:
            _constructor_error(exc, node, path, diags)
            return {}
        out = {}
        for key_node, value_node in node.value:
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            key = _scalar(key_node, constructor, path, diags) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int, float, bool)) or key is None:
                diags.error("yaml-key-invalid", "a key must be a plain word or number", path, *where)
                continue
            if key in out:
                diags.error("yaml-duplicate-key", f"the key '{key}' is given twice (first at line "
                            f"{positions[loc + (key,)][0]})", path, *where)
                continue
            positions[loc + (key,)] = where
            out[key] = _construct(value_node, loc + (key,), positions, constructor, path, diags, budget, failed)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            positions[loc + (index,)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_construct(item, loc + (index,), positions, constructor, path, diags, budget, failed))
        return items
    reported = len(diags.items)
    value = _scalar(node, constructor, path, diags)
    if len(diags.items) > reported:
        failed.add(loc)
    return value


def _scalar(node, constructor: SafeConstructor, path: Path, diags: Diagnostics):
    """A scalar as PyYAML's safe constructor makes it; a value it rejects (an unknown !!tag, a date
    that does not exist, `!!timestamp nope`) is a located error, not a traceback."""
    where = (node.start_mark.line + 1, node.start_mark.column + 1)
    pattern = _PATTERNS.get(node.tag)
    if pattern is not None and not pattern.match(node.value):  # `!!timestamp nope`, `!!bool maybe`
        diags.error("yaml-value", f"'{_shorten(node.value)}' is tagged !!{node.tag.rsplit(':', 1)[-1]} but is not "
                    f"{_TYPED[node.tag]}: remove the tag, or quote the value to keep it as text", path, *where)
        return None
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as exc:
        _constructor_error(exc, node, path, diags)
    except (ValueError, TypeError, OverflowError, LookupError, AttributeError) as exc:  # e.g. 2024-13-45
        written = node.end_mark.line == node.start_mark.line and \
            node.end_mark.column - node.start_mark.column == len(node.value)
        if node.tag == "tag:yaml.org,2002:timestamp" and written:
            # an untagged date that does not exist (2024-13-01): read as the text it is, so that the
            # field's own check says what is wrong with it, the same as for "2024-13-01" in quotes
            return node.value
        problem = date_problem(node.value) if node.tag == "tag:yaml.org,2002:timestamp" else None
        diags.error("yaml-value", f"'{_shorten(node.value)}' is not a date: {problem}; write it as YYYY-MM-DD"
                    if problem else f"'{_shorten(node.value)}' cannot be read: {exc}; quote it to keep it as text",
                    path, *where)
    return None


_DATE_SHAPE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[Tt ].*)?$")
_MONTHS = ("January February March April May June July August September October November December").split()


def date_problem(value) -> str | None:
    """What is wrong with a date-shaped text (YYYY-MM or YYYY-MM-DD) that is no date, in words
    ('the month is 13; a month is 01 to 12'), or None if it is none such."""
    match = _DATE_SHAPE.match(str(value))
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return f"the month is {match[2]} (a month is 01 to 12)"
    if match[3] is None:
        return None
    day = int(match[3])
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"the day is {match[3]}, and {_MONTHS[month - 1]} {year} has {days} days"
    return None


def _shorten(value, limit: int = 60) -> str:
    value = str(value)
    return value if len(value) <= limit else value[:limit] + "…"


def _constructor_error(exc, node, path: Path, diags: Diagnostics) -> None:
    mark = exc.problem_mark or node.start_mark
    tag = f" (tag {node.tag})" if node.tag and not node.tag.startswith("tag:yaml.org,2002:") else ""
    diags.error("yaml-value", f"{exc.problem or exc}{tag}: only plain YAML values are read", path,
                mark.line + 1, mark.column + 1)


def framework_folders(report_dir: Path, framework_dirs=()) -> list[Path]:
    """Where frameworks are looked for, in order: the report's frameworks/, the folders the user
    named on the command line, the package's own."""
    return [report_dir / "frameworks", *map(Path, framework_dirs), FRAMEWORKS_DIR]


def framework_candidates(report_dir: Path, framework_id: str, framework_dirs=()) -> list[tuple[Path, Path]]:
    """(file, the folder it must stay inside) for each place a framework id may be; none for an id
    that is not a plain name (a path is never followed)."""
    if not FRAMEWORK_ID.match(framework_id) or ".." in framework_id:
        return []
    candidates = []
    for folder in framework_folders(report_dir, framework_dirs):
        root = report_dir if folder == report_dir / "frameworks" else folder
        candidates.append((folder / f"{framework_id}.yaml", root.resolve()))
    return candidates


def available_frameworks(report_dir: Path, framework_dirs=()) -> list[str]:
    found = set()
    for folder in framework_folders(report_dir, framework_dirs):
        if folder.is_dir():
            found.update(p.stem for p in folder.glob("*.yaml") if FRAMEWORK_ID.match(p.stem)
                         and not is_translation(p))
    return sorted(found)


_TRANSLATION = re.compile(r"^(?P<base>.+)\.[a-z]{2,3}$")


def is_translation(path: Path) -> bool:
    """`hmip-pdu-2023.cy.yaml` beside `hmip-pdu-2023.yaml`: a framework's translation (an edition's
    overlay, generator/editions.py), not a framework of its own."""
    match = _TRANSLATION.match(path.stem)
    return match is not None and path.with_name(match["base"] + path.suffix).is_file()


def load(report_dir: Path, diags: Diagnostics, framework_dirs=(), theme=None) -> Sources:
    report_dir = report_dir.resolve()
    report_path = report_dir / REPORT_FILE
    try:
        present = report_path.exists() or report_path.is_symlink()
    except OSError as exc:  # a folder that cannot be searched (mode 000)
        diags.error("file-unreadable", f"cannot read the report folder: {exc.strerror or exc}", report_dir)
        return Sources(report_dir, None)
    if not present:
        diags.error("report-missing", f"no {REPORT_FILE} in this folder", report_dir)
        return Sources(report_dir, None)
    sources = Sources(report_dir, read_yaml(report_path, diags, (report_dir,)),
                      framework_dirs=tuple(Path(d).resolve() for d in framework_dirs), theme_choice=theme)
    sources.editions = editions_of(languages(sources.report))
    _load_framework(sources, diags, sources.framework_dirs)
    _load_chapters(sources, diags)
    _load_edition_files(sources, diags)
    return sources


def report_languages(report_dir: Path) -> list[str]:
    """The editions' languages, from report.yaml alone (see `languages`; the primary's alone if it
    cannot be read): for the command line, without loading the report folder."""
    path = Path(report_dir) / REPORT_FILE
    try:
        report = read_yaml(path, Diagnostics(), (Path(report_dir).resolve(),)) if path.is_file() else None
    except OSError:
        report = None
    return languages(report)


def languages(report: YamlFile | None) -> list[str]:
    """The editions' languages as report.yaml gives them, read leniently (validate reports what is
    wrong with them): `editions:` if it is a list of well-formed tags with one language subtag each,
    else the one `metadata.language` (default en-GB)."""
    data = report.data if report is not None and isinstance(report.data, dict) else {}
    metadata = data.get("metadata")
    language = metadata.get("language") if isinstance(metadata, dict) else None
    primary = language if isinstance(language, str) and LANGUAGE_TAG.match(language) else "en-GB"
    given = data.get("editions")
    if (isinstance(given, list) and given and all(isinstance(tag, str) and LANGUAGE_TAG.match(tag) for tag in given)
            and len({tag.split("-", 1)[0].lower() for tag in given}) == len(given) and given[0] == primary):
        return list(given)
    return [primary]


def _load_framework(sources: Sources, diags: Diagnostics, framework_dirs) -> None:
    data = sources.report.data if sources.report else None
    framework_id = data.get("framework") if isinstance(data, dict) else None
    if not isinstance(framework_id, str):
        return  # validate reports the missing or mistyped field
    for candidate, root in framework_candidates(sources.report_dir, framework_id, framework_dirs):
        try:
            present = candidate.exists() or candidate.is_symlink()
        except OSError as exc:  # a frameworks/ folder that cannot be searched
            diags.error("file-unreadable", f"cannot read the folder: {exc.strerror or exc}", candidate.parent)
            sources.framework_failed = True
            return
        if present:
            sources.framework = read_yaml(candidate, diags, (root,))
            sources.framework_failed = sources.framework is None
            sources.framework_root = root
            return


def _load_chapters(sources: Sources, diags: Diagnostics) -> None:
    folder = sources.report_dir / CHAPTERS_DIR
    if not folder.is_dir():
        return
    further = {edition.subtag: edition for edition in sources.editions if not edition.primary}
    for edition in further.values():
        sources.edition_files[edition.subtag] = EditionFiles(edition)
    for path in _chapter_paths(folder, sources, diags):
        name = path.relative_to(folder).as_posix()
        subtag = edition_suffix_of(path, further)
        if subtag is not None:  # another edition's (`foreword.cy.md`): never a part of the primary's
            _load_edition_chapter(sources.edition_files[subtag], path, folder, sources.report_dir, diags)
            continue
        text = _read_chapter(path, sources.report_dir, diags)
        if text is None:
            sources.unreadable.add(name)
            continue
        sources.chapters[name] = ChapterFile(path, name, text)


def _read_chapter(path: Path, report_dir: Path, diags: Diagnostics) -> str | None:
    """A chapter's text (confined, size-limited, UTF-8, without a BOM); None, reported, if it cannot be read."""
    try:
        raw = read_input(path, (report_dir,), "chapter")
    except InputError as exc:
        diags.error(exc.code, exc.message, path)
        return None
    text = decode_utf8(raw, path, diags)
    return None if text is None else text.lstrip("\ufeff")


def _load_edition_chapter(files: EditionFiles, path: Path, folder: Path, report_dir: Path, diags: Diagnostics) -> None:
    """chapters/foreword.cy.md, kept under its primary counterpart's name (foreword.md)."""
    name = primary_path(path, files.edition).relative_to(folder).as_posix()
    text = _read_chapter(path, report_dir, diags)
    if text is None:
        files.unreadable.add(name)
        return
    files.chapters[name] = ChapterFile(path, name, text)


def _load_edition_files(sources: Sources, diags: Diagnostics) -> None:
    """Each further edition's translation overlays, beside the primary's files: report.cy.yaml in
    the report folder, <framework>.cy.yaml beside the framework file (inside the folder the
    framework was read inside). Its chapters are read with the primary's (`_load_chapters`)."""
    for edition in sources.editions:
        if edition.primary:
            continue
        files = sources.edition_files.setdefault(edition.subtag, EditionFiles(edition))
        files.report_path = edition_path(sources.report_dir / REPORT_FILE, edition)
        files.report = _read_overlay(files.report_path, (sources.report_dir,), files, diags)
        if sources.framework is not None and sources.framework_root is not None:
            files.framework_path = edition_path(sources.framework.path, edition)
            files.framework = _read_overlay(files.framework_path, (sources.framework_root,), files, diags)


def _read_overlay(path: Path, roots, files: EditionFiles, diags: Diagnostics) -> YamlFile | None:
    try:
        present = path.exists() or path.is_symlink()
    except OSError as exc:
        diags.error("file-unreadable", f"cannot read the folder: {exc.strerror or exc}", path.parent)
        present = False
    if not present:
        return None
    read = read_yaml(path, diags, roots)
    if read is None:
        files.unreadable.add(str(path))
    return read


def _chapter_paths(folder: Path, sources: Sources, diags: Diagnostics) -> list[Path]:
    """Every `*.md` under `folder` (symlinked folders not followed), sorted; a folder that cannot be
    listed (mode 000) is a located `file-unreadable`, and the chapters under it are not called missing."""

    def failed(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        relative = where.relative_to(folder).as_posix() if where.is_relative_to(folder) else ""
        sources.unreadable_folders.add("" if relative in ("", ".") else relative + "/")
        diags.error("file-unreadable", f"cannot read the folder: {exc.strerror or exc}; the chapters in it "
                    "are not read", where)

    found = []
    for parent, folders, files in os.walk(folder, onerror=failed):
        found.extend(Path(parent, name) for name in folders + files if name.endswith(".md"))
    return sorted(found)
