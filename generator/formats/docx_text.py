"""The text of a DOCX as a reader sees it: body paragraphs and table rows, then the footnotes.

Reads any .docx (ours or anyone's) with python-docx and lxml, opened through
`generator.formats.package` (the ZIP package's limits); used by `generator.text`.
"""

from __future__ import annotations

from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from generator.formats.package import open_docx

_SKIP = {qn("w:instrText"), qn("w:delText")}


def _inline_text(node, notes: dict[str, int], out: list[str]) -> None:
    for child in node:
        tag = child.tag
        if tag == qn("w:t"):
            out.append(child.text or "")
        elif tag == qn("w:tab") and node.tag == qn("w:r"):
            out.append("\t")
        elif tag in (qn("w:br"), qn("w:cr")):
            out.append("\n")
        elif tag == qn("w:noBreakHyphen"):
            out.append("-")
        elif tag == qn("w:softHyphen"):
            out.append("\u00ad")
        elif tag == qn("w:footnoteReference"):
            note_id = child.get(qn("w:id"))
            notes.setdefault(note_id, len(notes) + 1)
            out.append(f"[{notes[note_id]}]")
        elif tag in _SKIP or tag in (qn("w:del"), qn("w:pPr"), qn("w:rPr"), qn("w:footnoteRef")):
            continue
        else:
            _inline_text(child, notes, out)


def _blocks_text(container, notes: dict[str, int], lines: list[str]) -> None:
    for child in container:
        if child.tag == qn("w:p"):
            out: list[str] = []
            _inline_text(child, notes, out)
            lines.append("".join(out))
        elif child.tag == qn("w:tbl"):
            for tr in child.findall(qn("w:tr")):
                cells = []
                for tc in tr.findall(qn("w:tc")):
                    inner: list[str] = []
                    _blocks_text(tc, notes, inner)
                    cells.append(" ".join(line for line in inner if line))
                lines.append(" ".join(cells))
        elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
            _blocks_text(child, notes, lines)


def read_text(path: Path) -> str:
    """The text of a DOCX: body paragraphs and table rows one a line, then "N. note" per footnote.

    A footnote reference reads as its number in brackets where it stands ("1,205,616[1]"), as in
    the PDF's and the HTML's text;
    the notes follow the body after a blank line, in the order of their references.
    """
    document = open_docx(path)
    notes: dict[str, int] = {}
    lines: list[str] = []
    _blocks_text(document.element.body, notes, lines)
    try:
        part = document.part.part_related_by(RT.FOOTNOTES)
    except KeyError:
        part = None
    if part is not None and notes:
        root = part.element if hasattr(part, "element") else parse_xml(part.blob)
        bodies = {}
        for note in root.findall(qn("w:footnote")):
            note_lines: list[str] = []
            _blocks_text(note, {}, note_lines)
            bodies[note.get(qn("w:id"))] = " ".join(line.strip() for line in note_lines if line.strip())
        lines.append("")
        for note_id, number in sorted(notes.items(), key=lambda item: item[1]):
            lines.append(f"{number}. {bodies.get(note_id, '')}")
    return "\n".join(lines)
