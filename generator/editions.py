"""Editions: one report's findings printed in several languages (issue 25).

report.yaml's `editions: [en-GB, cy-GB]` (default: the one `metadata.language`) lists the
languages; the first is the primary edition. Every file the primary edition reads in the author's
language has its edition's counterpart *beside* it, named by the edition's suffix (the language
subtag, lower case) before the file's extension:

    chapters/foreword.md      chapters/foreword.cy.md
    report.yaml               report.cy.yaml        (a translation overlay: text values only)
    hmip-pdu-2023.yaml        hmip-pdu-2023.cy.yaml (a framework's translation overlay)
    out/surrey-pdu.pdf        out/surrey-pdu.cy.pdf

Beside, not in a folder per language: a pair sorts together in a listing, so a missing translation
shows, and one diff of a change shows both sides. The primary edition's names are today's, so a
report with one edition reads and writes exactly the files it did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Edition:
    language: str  # a BCP 47 tag as report.yaml gives it: "cy-GB"
    primary: bool  # the first edition: its files and outputs carry no suffix

    @property
    def subtag(self) -> str:
        """The language subtag, lower case: "cy" for "cy-GB"."""
        return self.language.split("-", 1)[0].lower()

    @property
    def suffix(self) -> str:
        """What the edition's files carry before their extension: "" for the primary, else ".cy"."""
        return "" if self.primary else "." + self.subtag


def editions_of(languages: list[str]) -> list[Edition]:
    """The editions, in report.yaml's order: the first is the primary. (Validation has already
    refused an empty list, a malformed tag and two editions with one language subtag.)"""
    return [Edition(language, i == 0) for i, language in enumerate(languages)]


def edition_path(path: PurePath, edition: Edition) -> PurePath:
    """The edition's counterpart of a primary-edition file: `foreword.md` -> `foreword.cy.md`."""
    if edition.primary:
        return path
    return path.with_name(path.stem + edition.suffix + path.suffix)


def primary_path(path: PurePath, edition: Edition) -> PurePath:
    """The primary-edition file an edition's file is the counterpart of: `foreword.cy.md` ->
    `foreword.md` (the inverse of `edition_path`; `path` carries the edition's suffix)."""
    if edition.primary:
        return path
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    if not stem.endswith(edition.suffix):
        raise ValueError(f"{path} is not a file of the {edition.language} edition")
    return path.with_name(stem[: -len(edition.suffix)] + path.suffix)


def edition_suffix_of(path: PurePath, subtags) -> str | None:
    """The edition subtag a file's name carries ("cy" for `foreword.cy.md`) if it is one of
    `subtags`, else None: such a file is another edition's, not a part of its own."""
    parts = path.name.split(".")
    if len(parts) >= 3 and parts[-2] in subtags:
        return parts[-2]
    return None
