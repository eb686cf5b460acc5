"""Stage 1, load: read report.yaml (keeping the line of every value), the chapters and the framework.

Nothing here judges the content beyond "can it be read": syntax errors, unreadable files and
undecodable text become diagnostics; the raw data go on to `validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from generator.diagnostics import Diagnostics
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
    report_dir: Path
    report: YamlFile | None
    framework: YamlFile | None = None
    chapters: dict[str, ChapterFile] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # chapters that exist but could not be read


# libyaml's C parser when PyYAML has it (it does in the wheels): ten times ruamel's speed.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, diags: Diagnostics) -> YamlFile | None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        diags.error("encoding", f"not UTF-8 text (byte {exc.start})", path, line)
        return None
    except OSError as exc:
        diags.error("file-unreadable", f"cannot read: {exc.strerror}", path)
        return None
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        diags.error("yaml-syntax", f"YAML syntax: {problem}", path,
                    mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - the parser raises marked errors for syntax
        diags.error("yaml-syntax", f"YAML syntax: {exc}", path)
        return None
    positions: dict[tuple, tuple[int, int]] = {}
    data = _construct(root, (), positions, SafeConstructor(), path, diags) if root is not None else None
    return YamlFile(path, data, positions)


def _construct(node, loc: tuple, positions: dict, constructor: SafeConstructor, path: Path, diags: Diagnostics):
    """Plain data from a composed node, recording where each key and item is."""
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)  # merge keys (<<)
        out = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                diags.error("yaml-key-invalid", "a key must be a plain word or number", path, *where)
                continue
            if key in out:
                diags.error("yaml-duplicate-key", f"the key '{key}' is given twice (first at line "
                            f"{positions[loc + (key,)][0]})", path, *where)
                continue
            positions[loc + (key,)] = where
            out[key] = _construct(value_node, loc + (key,), positions, constructor, path, diags)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            positions[loc + (index,)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_construct(item, loc + (index,), positions, constructor, path, diags))
        return items
    return constructor.construct_object(node, deep=True)


def framework_candidates(report_dir: Path, framework_id: str) -> list[Path]:
    """Where a framework is looked for: the content folder, its parent's frameworks/, the package."""
    name = f"{framework_id}.yaml"
    return [report_dir / "frameworks" / name, report_dir.parent / "frameworks" / name,
            FRAMEWORKS_DIR / name]


def available_frameworks(report_dir: Path) -> list[str]:
    found = set()
    for folder in (report_dir / "frameworks", report_dir.parent / "frameworks", FRAMEWORKS_DIR):
        if folder.is_dir():
            found.update(p.stem for p in folder.glob("*.yaml"))
    return sorted(found)


def load(report_dir: Path, diags: Diagnostics) -> Sources:
    report_path = report_dir / REPORT_FILE
    if not report_path.is_file():
        diags.error("report-missing", f"no {REPORT_FILE} in this folder", report_dir)
        return Sources(report_dir, None)
    sources = Sources(report_dir, read_yaml(report_path, diags))
    _load_framework(sources, diags)
    _load_chapters(sources, diags)
    return sources


def _load_framework(sources: Sources, diags: Diagnostics) -> None:
    data = sources.report.data if sources.report else None
    framework_id = data.get("framework") if hasattr(data, "get") else None
    if not isinstance(framework_id, str):
        return  # validate reports the missing or mistyped field
    for candidate in framework_candidates(sources.report_dir, framework_id):
        if candidate.is_file():
            sources.framework = read_yaml(candidate, diags)
            return


def _load_chapters(sources: Sources, diags: Diagnostics) -> None:
    folder = sources.report_dir / CHAPTERS_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*.md")):
        name = path.relative_to(folder).as_posix()
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            diags.error("encoding", f"not UTF-8 text (byte {exc.start}); save the chapter as UTF-8",
                        path, line)
            sources.unreadable.add(name)
            continue
        except OSError as exc:
            diags.error("file-unreadable", f"cannot read: {exc.strerror}", path)
            sources.unreadable.add(name)
            continue
        sources.chapters[name] = ChapterFile(path, name, text.lstrip("\ufeff"))
