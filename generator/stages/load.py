"""Stage 1, load: read report.yaml (keeping the line of every value), the chapters and the framework.

Nothing here judges the content beyond "can it be read": syntax errors, unreadable files and
undecodable text become diagnostics; the raw data go on to `validate`. Every file is read through
`generator.inputs`: confined to the report folder (symlinks followed), regular, size-limited.
A framework is named by an id, never a path; it is looked up in the report's `frameworks/`, in
folders the user names (`--frameworks DIR`), then in the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from generator.diagnostics import Diagnostics
from generator.inputs import InputError, read_input
from generator.resources import FRAMEWORKS_DIR

REPORT_FILE = "report.yaml"
CHAPTERS_DIR = "chapters"


@dataclass
class YamlFile:
    """A parsed YAML file: plain data, and the 1-based (line, column) of every mapping key and
    sequence item, by its path of keys and indexes (see `validate.line_of`)."""

    path: Path
    data: object
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)


@dataclass
class ChapterFile:
    path: Path
    name: str  # path relative to chapters/, with forward slashes
    text: str


@dataclass
class Sources:
    report_dir: Path  # resolved: every file read lies inside it
    report: YamlFile | None
    framework: YamlFile | None = None
    chapters: dict[str, ChapterFile] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # chapters that exist but could not be read
    framework_failed: bool = False  # the framework file was found but could not be read
    framework_dirs: tuple[Path, ...] = ()  # folders named with --frameworks
    theme_choice: str | Path | None = None  # --theme: a theme name or folder (wins over report.yaml's)


# libyaml's C parser when PyYAML has it (it does in the wheels): ten times ruamel's speed.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


FRAMEWORK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MAX_YAML_NODES = 200_000  # anchors and aliases can multiply a small file (the "billion laughs")
MAX_YAML_DEPTH = 60


_PLAIN_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _TooLarge(Exception):
    pass


def read_yaml(path: Path, diags: Diagnostics, roots=None) -> YamlFile | None:
    """Parse a YAML file read inside `roots` (default: its own folder), keeping every position."""
    roots = roots if roots is not None else (path.parent.resolve(),)
    try:
        raw = read_input(path, roots, "yaml")
        text = raw.decode("utf-8")
    except InputError as exc:
        diags.error(exc.code, exc.message, path)
        return None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        diags.error("encoding", f"not UTF-8 text (byte {exc.start})", path, line)
        return None
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        diags.error("yaml-syntax", f"YAML syntax: {problem}", path,
                    mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
        return None
    except (yaml.YAMLError, RecursionError) as exc:
        diags.error("yaml-syntax", f"YAML syntax: {exc if not isinstance(exc, RecursionError) else 'nested too deeply'}",
                    path)
        return None
    positions: dict[tuple, tuple[int, int]] = {}
    budget = [MAX_YAML_NODES]
    try:
        data = (_construct(root, (), positions, SafeConstructor(), path, diags, budget)
                if root is not None else None)
    except _TooLarge as exc:
        diags.error("yaml-too-large", str(exc), path)
        return None
    return YamlFile(path, data, positions)


def _construct(node, loc: tuple, positions: dict, constructor: SafeConstructor, path: Path, diags: Diagnostics,
               budget: list[int]):
    """Plain data from a composed node, recording where each key and item is."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge(f"more than {MAX_YAML_NODES:,} values (anchors and aliases repeated?)")
    if len(loc) > MAX_YAML_DEPTH:
        raise _TooLarge(f"values nested more than {MAX_YAML_DEPTH} deep")
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_COLLECTIONS:
        diags.error("yaml-value", f"the tag {node.tag} is not read: only plain YAML values are read",
                    path, node.start_mark.line + 1, node.start_mark.column + 1)
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
            out[key] = _construct(value_node, loc + (key,), positions, constructor, path, diags, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            positions[loc + (index,)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_construct(item, loc + (index,), positions, constructor, path, diags, budget))
        return items
    return _scalar(node, constructor, path, diags)


def _scalar(node, constructor: SafeConstructor, path: Path, diags: Diagnostics):
    """A scalar as PyYAML's safe constructor makes it; a value it rejects (an unknown !!tag, a date
    that does not exist) is a located error, not a traceback."""
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as exc:
        _constructor_error(exc, node, path, diags)
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. 2024-13-45 parsed as a timestamp
        diags.error("yaml-value", f"'{node.value}' cannot be read: {exc}; quote it to keep it as text",
                    path, node.start_mark.line + 1, node.start_mark.column + 1)
    return None


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
            found.update(p.stem for p in folder.glob("*.yaml") if FRAMEWORK_ID.match(p.stem))
    return sorted(found)


def load(report_dir: Path, diags: Diagnostics, framework_dirs=(), theme=None) -> Sources:
    report_dir = report_dir.resolve()
    report_path = report_dir / REPORT_FILE
    if not report_path.exists() and not report_path.is_symlink():
        diags.error("report-missing", f"no {REPORT_FILE} in this folder", report_dir)
        return Sources(report_dir, None)
    sources = Sources(report_dir, read_yaml(report_path, diags, (report_dir,)),
                      framework_dirs=tuple(Path(d).resolve() for d in framework_dirs), theme_choice=theme)
    _load_framework(sources, diags, sources.framework_dirs)
    _load_chapters(sources, diags)
    return sources


def _load_framework(sources: Sources, diags: Diagnostics, framework_dirs) -> None:
    data = sources.report.data if sources.report else None
    framework_id = data.get("framework") if isinstance(data, dict) else None
    if not isinstance(framework_id, str):
        return  # validate reports the missing or mistyped field
    for candidate, root in framework_candidates(sources.report_dir, framework_id, framework_dirs):
        if candidate.exists() or candidate.is_symlink():
            sources.framework = read_yaml(candidate, diags, (root,))
            sources.framework_failed = sources.framework is None
            return


def _load_chapters(sources: Sources, diags: Diagnostics) -> None:
    folder = sources.report_dir / CHAPTERS_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*.md")):
        name = path.relative_to(folder).as_posix()
        try:
            raw = read_input(path, (sources.report_dir,), "chapter")
            text = raw.decode("utf-8")
        except InputError as exc:
            diags.error(exc.code, exc.message, path)
            sources.unreadable.add(name)
            continue
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            diags.error("encoding", f"not UTF-8 text (byte {exc.start}); save the chapter as UTF-8",
                        path, line)
            sources.unreadable.add(name)
            continue
        sources.chapters[name] = ChapterFile(path, name, text.lstrip("\ufeff"))
