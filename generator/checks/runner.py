"""The accessibility checks' shared runner: rules, failures, and checking a file.

Each machine-checkable point of shared/design/ACCESSIBILITY.md is one rule: a small function
registered in `RULES` under a stable id with the PDF/UA (Matterhorn checkpoint) or WCAG
reference it enforces. A rule yields `(where, message)` pairs; `check_file` turns them into
`Failure`s. The checks read any file, not only ours: an untagged PDF fails them.

`reportgen a11y FILE...` prints every failure; `reportgen build` reports them as diagnostics
(code ``a11y-<rule-id>``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from generator.formats.package import DamagedFile, UnreadableFile

FORMATS = ("pdf", "docx", "html")


@dataclass(frozen=True)
class Rule:
    id: str
    format: str
    reference: str  # "Matterhorn 14-003" or "WCAG 2.2 1.3.1"
    title: str
    check: Callable


@dataclass(frozen=True, order=True)
class Failure:
    path: str
    where: str
    rule: str
    reference: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.rule} [{self.reference}]: {self.message}"


class NotCheckable(Exception):
    """The file is of a kind this checker does not read, or cannot be opened as its kind at all
    (`generator.formats.package.UnreadableFile`: empty, wrong kind, encrypted, over the limits):
    a usage error, not a failure. A file of its kind but broken inside (`DamagedFile`) is the
    failure `<format>-readable`."""


RULES: dict[str, Rule] = {}


def rule(rule_id: str, reference: str, title: str):
    """Register a check: `@rule("pdf-lang", "Matterhorn 11-001", "...")` on `def f(doc)`."""
    def register(func):
        RULES[rule_id] = Rule(rule_id, rule_id.split("-", 1)[0], reference, title, func)
        return func
    return register


def format_of(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "tmp":  # build's temporary files: name.pdf.tmp
        suffix = Path(path.stem).suffix.lower().lstrip(".")
    return {"htm": "html"}.get(suffix, suffix) if suffix in FORMATS + ("htm",) else None


def check_file(path: Path, fmt: str | None = None, shown: str | None = None) -> list[Failure]:
    """Every failure of every rule for `path`. Raises NotCheckable for an unknown kind of file and
    for one that cannot be opened as its kind (see `NotCheckable`)."""
    path = Path(path)
    fmt = fmt or format_of(path)
    if fmt not in FORMATS:
        raise NotCheckable(f"cannot check '{path.name}': known kinds are .pdf, .docx and .html")
    shown = shown or str(path)
    load(fmt)
    try:
        doc = READERS[fmt](path)
    except NotCheckable:
        raise
    except DamagedFile as exc:  # of its kind, broken inside: a failure to report
        return [Failure(shown, "file", f"{fmt}-readable", "WCAG 2.2 4.1.1",
                        f"cannot be read as {fmt.upper()}: {exc.reason}")]
    except UnreadableFile as exc:  # not a file of its kind at all: misuse
        raise NotCheckable(exc.about(shown)) from None
    except Exception as exc:  # noqa: BLE001 - a broken file is a failure to report, not a crash
        return [Failure(shown, "file", f"{fmt}-readable", "WCAG 2.2 4.1.1", f"cannot be read as {fmt.upper()}: {exc}")]
    try:
        return run_rules(doc, fmt, shown)
    finally:
        doc.close()


def run_rules(doc, fmt: str, shown: str) -> list[Failure]:
    """Every failure of every rule of `fmt` on `doc`, an open reader (see `READERS`): for a caller
    that already holds the document (the build checks the PDF it has just repaired in memory)."""
    load(fmt)
    failures = []
    for item in RULES.values():
        if item.format == fmt:
            try:
                failures.extend(Failure(shown, where, item.id, item.reference, message)
                                for where, message in item.check(doc))
            except Exception as exc:  # noqa: BLE001 - an odd file must not hide the other rules
                failures.append(Failure(shown, "file", item.id, item.reference,
                                        f"could not be checked ({type(exc).__name__}: {exc})"))
    return failures


def check_open(opened, fmt: str, shown: str) -> list[Failure]:
    """Every failure of `fmt`'s rules for a document already open in memory (for a PDF, a
    pikepdf.Pdf: the build's repaired PDF before it is written). The caller closes it."""
    load(fmt)
    doc = READERS[fmt].of(opened)
    try:
        return run_rules(doc, fmt, shown)
    finally:
        doc.close()


def check_files(paths: Iterable[Path]) -> list[Failure]:
    return [failure for path in paths for failure in check_file(Path(path))]


READERS: dict[str, Callable] = {}  # format -> class opening a file for the rules (set by each format's module)


def reader(fmt: str):
    """Register the class that opens a file of `fmt` for its rules."""
    def register(cls):
        READERS[fmt] = cls
        return cls
    return register


def load(fmt: str) -> None:
    """Import the module of `fmt`'s rules (`generator.checks.<fmt>`), which registers them."""
    if fmt not in READERS:
        importlib.import_module(f"generator.checks.{fmt}")


def load_all() -> dict[str, Rule]:
    """Every format's rules, format by format (pdf, docx, html), whichever was loaded first."""
    for fmt in FORMATS:
        load(fmt)
    return {rule_id: item for fmt in FORMATS for rule_id, item in RULES.items() if item.format == fmt}


def rules_table() -> Iterator[str]:
    """One line per rule: id, reference, what it checks (for the README and `--list`)."""
    for item in load_all().values():
        yield f"{item.id}\t{item.reference}\t{item.title}"
