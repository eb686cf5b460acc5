"""The DOCX's source map: which paragraph of the document came from which source line, and what
the sources were when it was built. Written by the DOCX writer (drafts, or `build --source-map`),
read by `reportgen review`.

The carrier was chosen by experiment (tests/review/carrier_experiment.py, README "Reviewing a
draft"): what survives LibreOffice 7.4 opening the file, a reviewer commenting and tracking
changes, and saving it as Word XML again.

- each mapped body paragraph (prose, heading, list item, table cell, caption) holds a bookmark
  `_rg_<n>` from its start to its end: body bookmarks survive the save, at their paragraph;
- the table itself, one entry per `n`, and a SHA-256 of each chapter and of report.yaml as they
  were at build time, are a custom XML part (customXml/item<k>.xml, root `map` in `NAMESPACE`),
  which survives too. Footnote paragraphs are entries with `note` set (their bookmarks do not
  survive LibreOffice's save, so a reader takes them in note order).

An entry: `n`, `path` (relative to the report folder: "chapters/domain-2.md", "report.yaml"),
`line`, `key` (non-empty: the text is computed, from that report.yaml key or the framework), `note`
(a footnote's id, for footnote paragraphs), and the paragraph's text as built.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lxml import etree

NAMESPACE = "urn:reportgen:sourcemap"
VERSION = "1"
BOOKMARK_PREFIX = "_rg_"
ITEM_ID = "{5D3F7A1E-52C4-4E6B-9A51-7265706F7274}"  # the custom XML part's datastore id: fixed, so builds are deterministic
MAX_ENTRIES = 200_000
MAX_TEXT = 100_000  # characters of one entry's text


def bookmark_name(n: int) -> str:
    return f"{BOOKMARK_PREFIX}{n}"


def number_of(name: str | None) -> int | None:
    """`n` of a map bookmark's name, or None for any other bookmark."""
    if not name or not name.startswith(BOOKMARK_PREFIX):
        return None
    rest = name[len(BOOKMARK_PREFIX):]
    return int(rest) if rest.isdigit() and len(rest) < 9 else None


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Entry:
    n: int
    path: str
    line: int
    key: str = ""
    note: str = ""
    text: str = ""

    @property
    def computed(self) -> bool:
        return bool(self.key)


@dataclass
class SourceMap:
    entries: dict[int, Entry] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256 at build time

    def notes(self) -> list[Entry]:
        """The footnote entries, in note order."""
        return [e for e in self.entries.values() if e.note]

    def to_xml(self) -> bytes:
        root = etree.Element(f"{{{NAMESPACE}}}map", nsmap={"rg": NAMESPACE}, version=VERSION)
        for path, digest in sorted(self.files.items()):
            etree.SubElement(root, f"{{{NAMESPACE}}}file", path=path, sha256=digest)
        for n in sorted(self.entries):
            e = self.entries[n]
            el = etree.SubElement(root, f"{{{NAMESPACE}}}p", n=str(n), path=e.path, line=str(e.line))
            if e.key:
                el.set("key", e.key)
            if e.note:
                el.set("note", e.note)
            el.text = e.text
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class BadMap(ValueError):
    """The part is not a source map this reportgen reads."""


def from_xml(data: bytes, parse) -> SourceMap:
    """The map in `data` (a custom XML part's bytes), parsed with `parse` (a defused XML parser:
    bytes -> root element). Raises BadMap."""
    root = parse(data)
    if root.tag != f"{{{NAMESPACE}}}map":
        raise BadMap("not a reportgen source map")
    if root.get("version") != VERSION:
        raise BadMap(f"a source map of version {root.get('version')!r}; this reportgen reads version {VERSION}")
    out = SourceMap()
    for el in root:
        if el.tag == f"{{{NAMESPACE}}}file":
            out.files[str(el.get("path", ""))] = str(el.get("sha256", ""))
        elif el.tag == f"{{{NAMESPACE}}}p":
            if len(out.entries) >= MAX_ENTRIES:
                raise BadMap(f"more than {MAX_ENTRIES} entries")
            try:
                n, line = int(el.get("n", "")), int(el.get("line", "0"))
            except ValueError:
                raise BadMap("an entry without a number") from None
            out.entries[n] = Entry(n, str(el.get("path", "")), line, str(el.get("key", "")), str(el.get("note", "")),
                                   (el.text or "")[:MAX_TEXT])
    return out


def is_map(data: bytes) -> bool:
    """Whether a custom XML part's bytes look like ours (cheap: before parsing it)."""
    return NAMESPACE.encode() in data[:4096]
