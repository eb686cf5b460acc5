"""Diagnostics: problems found in a user's content, as values with stable codes.

Every stage appends to a `Diagnostics` list instead of raising; the build stops between stages
if any error was found, and all problems are reported at once as
``path:line[:col]: severity[code]: message``.
"""

from __future__ import annotations

import difflib
import re
import os
from dataclasses import dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with each control character (a user's, quoted in a message: a NUL, an ESC that would
    drive the terminal, a line break that would split the one line a diagnostic is) written as its
    escape, `\\x1b`, `\\x0a`; tab is left."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def _where(path: str, line: int, column: int) -> str:
    where = path
    if line:
        where += f":{line}"
        if column:
            where += f":{column}"
    return where


@dataclass(frozen=True, order=True)
class Related:
    """A second place a diagnostic is about (the other edition's paragraph a difference is between),
    printed on the line after it as ``path:line[:col]: note: message``."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{_where(self.path, self.line, self.column)}: note: {self.message}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    severity: str
    code: str
    message: str
    related: tuple[Related, ...] = ()

    def __str__(self) -> str:
        return "".join([f"{_where(self.path, self.line, self.column)}: {self.severity}[{self.code}]: {self.message}",
                        *("\n" + str(r) for r in self.related)])


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics; paths are shown relative to `base`."""

    base: Path | None = None
    items: list[Diagnostic] = field(default_factory=list)

    def add(self, code: str, message: str, path: Path | str | None = None, line: int = 0,
            column: int = 0, severity: str = ERROR, related=()) -> None:
        """`related`: (path, line, column, message) of each other place the problem is about."""
        self.items.append(Diagnostic(printable(self._show(path)), line or 0, column or 0, severity, code,
                                     printable(message),
                                     tuple(Related(printable(self._show(p)), n or 0, c or 0, printable(m))
                                           for p, n, c, m in related)))

    def error(self, code: str, message: str, path=None, line: int = 0, column: int = 0, related=()) -> None:
        self.add(code, message, path, line, column, ERROR, related)

    def warning(self, code: str, message: str, path=None, line: int = 0, column: int = 0, related=()) -> None:
        self.add(code, message, path, line, column, WARNING, related)

    def show(self, path: Path | str | None) -> str:
        """A path as messages show it: relative to the working folder where possible."""
        return self._show(path)

    def _show(self, path: Path | str | None) -> str:
        if path is None:
            return "<reportgen>"
        path = Path(path)
        try:
            # realpath, not Path.resolve: a symlink loop (a chapter linked to itself) is a path to
            # show like any other, never a RuntimeError
            return str(Path(os.path.realpath(path)).relative_to(os.path.realpath(Path.cwd())))
        except (ValueError, OSError):
            return str(path)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    def has_errors(self, strict: bool = False) -> bool:
        return any(d.severity == ERROR or strict for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items))


class ContentError(Exception):
    """Raised between stages when the content has errors; carries every diagnostic."""

    def __init__(self, diagnostics: Diagnostics):
        super().__init__(f"{len(diagnostics.errors)} error(s)")
        self.diagnostics = diagnostics


def did_you_mean(word: str, choices) -> str:
    """A suggestion suffix for a misspelt name, or an empty string."""
    choices = [str(c) for c in choices]
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return f"; did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return ""
