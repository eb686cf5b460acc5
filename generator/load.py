"""Stage 1, load: read report.yaml (keeping the line of every value), the chapters and the framework.

Nothing here judges the content beyond "can it be read": syntax errors, unreadable files and
undecodable text become diagnostics; the raw data go on to `validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from generator.diagnostics import Diagnostics
from generator.resources import FRAMEWORKS_DIR

REPORT_FILE = "report.yaml"
CHAPTERS_DIR = "chapters"


@dataclass
class YamlFile:
    """A parsed YAML file; `data` is ruamel's round-trip tree, which knows the line of each value."""

    path: Path
    data: object


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


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


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
        data = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        diags.error("yaml-syntax", f"YAML syntax: {problem}", path,
                    mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
        return None
    except YAMLError as exc:  # pragma: no cover - ruamel raises marked errors for syntax
        diags.error("yaml-syntax", f"YAML syntax: {exc}", path)
        return None
    return YamlFile(path, data)


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
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            diags.error("encoding", f"not UTF-8 text (byte {exc.start}); save the chapter as UTF-8",
                        path, line)
            continue
        name = path.relative_to(folder).as_posix()
        sources.chapters[name] = ChapterFile(path, name, text.lstrip("\ufeff"))
