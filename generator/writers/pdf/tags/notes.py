"""Pass: footnotes become Notes with an /ID, placed right after their call, their label read apart."""

from __future__ import annotations

import pikepdf

from generator.formats.pdf_tree import Tree
from generator.writers.pdf.tags.walk import _drop_empty


def note_label_spaces(tree: Tree) -> None:
    """A Note placed after its call (footnotes_as_notes) reads "per cent.2 2. The ...", not
    "cent.22.": its Lbl gets its text with a space before it as /ActualText."""
    for note in tree.walk():
        if note.tag != "Note":
            continue
        for lbl in note.elems():
            if lbl.tag == "Lbl":
                text = "".join(e.shadow.text or "" for e in lbl.walk() if e.shadow is not None)
                if text and not text[:1].isspace():
                    lbl.obj.ActualText = pikepdf.String(" " + text)


def footnotes_as_notes(tree: Tree) -> None:
    """A footnote becomes a Note with an ID, placed right after its call (a Reference) in the text."""
    calls, notes = {}, []
    parents = {id(kid): elem for elem in tree.walk() for kid in elem.elems()}
    for elem in tree.walk():
        shadow = elem.shadow
        if shadow is None or shadow.element is None:
            continue
        tag = shadow.key[1] if shadow.key else ""
        if tag.endswith("::footnote-call"):
            calls[id(shadow.element)] = elem
        elif elem.tag == "Span" and "footnote" in (shadow.element.get("class") or "").split():
            notes.append(elem)
    for number, note in enumerate(notes, 1):
        call = calls.get(id(note.shadow.element))
        holder = parents.get(id(note))
        where = parents.get(id(call)) if call is not None else None
        if call is None or holder is None or where is None:
            continue
        holder.kids.remove(note)
        where.kids.insert(where.kids.index(call) + 1, note)
        note.tag, call.tag = "Note", "Reference"
        for kid in note.elems():
            if kid.shadow is not None and kid.shadow.key and kid.shadow.key[1].endswith("::footnote-marker"):
                kid.tag = "Lbl"
        note.obj.ID = pikepdf.String(note.shadow.element.get("id") or f"note-{number}")
    _drop_empty(tree)
