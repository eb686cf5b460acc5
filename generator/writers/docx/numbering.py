"""List numbering and footnotes: the numbering and footnotes parts the body adds to as it goes."""

from __future__ import annotations

from generator.writers.docx import xml as X


class Lists:
    """word/numbering.xml: one abstract numbering per kind, one bullet instance, a new instance per
    ordered list (so that each restarts at its own start)."""

    def __init__(self, document_part):
        self.numbering = X.get_or_add_numbering(document_part)
        self.abstract_ids: dict[str, int] = {}
        self.bullet_num_id: int | None = None

    def abstract(self, kind: str) -> int:
        if kind not in self.abstract_ids:
            self.abstract_ids[kind] = X.add_abstract_numbering(self.numbering, kind)
        return self.abstract_ids[kind]

    def bullets(self) -> int:
        """The numbering of every bulleted list."""
        if self.bullet_num_id is None:
            self.bullet_num_id = X.add_numbering_instance(self.numbering, self.abstract("bullet"))
        return self.bullet_num_id

    def ordered(self, level: int, start: int) -> int:
        """A new numbering for one ordered list whose items are at `level`, counting from `start`."""
        return X.add_numbering_instance(self.numbering, self.abstract("decimal"), restart=(level, start))


class Footnotes:
    """word/footnotes.xml: the reference's separators kept, its notes removed, ours added."""

    def __init__(self, document_part, settings):
        self.part, self.root, self.next_id = X.get_or_add_footnotes(document_part, settings)

    def add(self, text_style: str, mark_style: str) -> tuple[int, object]:
        """A new footnote: (its id, its paragraph, which holds the note mark and a space)."""
        note_id = self.next_id
        self.next_id += 1
        return note_id, X.add_footnote(self.root, note_id, text_style, mark_style)
