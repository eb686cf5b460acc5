"""What parsing shares across the chapters of one report: `ParseState` (the anchors taken and the
footnotes numbered so far), `Marker` (a ``::: name args`` line, left for assemble) and `slugify`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Diagnostics
from generator.model import Source


@dataclass(frozen=True)
class Marker:
    """A ``::: name args`` line: a place where assemble puts generated content."""

    name: str
    args: str
    source: Source


@dataclass
class ParseState:
    """What parsing shares across the chapters of one report, in document order."""

    diags: Diagnostics
    report_dir: Path | None = None  # images are looked up here
    allow_remote: bool = False  # http(s) images allowed (--allow-remote)
    draft: bool = False  # a draft build: a placeholder left in is a warning, not an error
    markers: tuple[str, ...] = ()  # the block markers assemble knows, for messages
    language: str = ""  # the document's language (metadata.language): a span in it says nothing
    footnotes: int = 0
    ids: set[str] = field(default_factory=set)

    def claim_id(self, anchor: str) -> bool:
        """Reserve an author-given anchor; False if it is taken already."""
        if anchor in self.ids:
            return False
        self.ids.add(anchor)
        return True

    def unique_id(self, text: str) -> str:
        base = slugify(text) or "section"
        candidate, n = base, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{base}-{n}"
        self.ids.add(candidate)
        return candidate


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
