"""Stage 7b, after WeasyPrint: repair the structure tree of its tagged PDF (pikepdf).

WeasyPrint 70 tags each page on its own (weasyprint/pdf/tags.py), which leaves these gaps:

- page-margin content (running header, "Page N of M") is marked content that no structure
  element reaches, and is not an Artifact;
- an element that crosses a page break becomes one structure element per page (a paragraph
  split in two, `<main>` as one Part per page);
- an `<a>` with a `::after` (the contents page's leader and page number) is a Link inside a
  Link inside a Link, and every annotation's /Contents is the bare URL or anchor name;
- TH cells have no /Scope; LI holds its P with no LBody; footnotes are Spans in a stray
  NonStruct at the end of each page, not Notes reachable from their call.
- an element's own `lang` (words in another language) is not its structure element's /Lang;
- the space at each line wrap is not drawn, and a collapsed space between a label and its value
  is an empty marked-content sequence, so the text read in order runs words together; list
  markers are painted after the page's text; annotations lack the Print flag.

`fix_pdf(data, hints)` fixes all of them and returns the new bytes. Most fixes read the PDF alone;
the ones that need to know which HTML element a structure element came from (merging split
elements, footnotes, link text, decorative images) use `hints`, made by `layout_hints(document)`
from WeasyPrint's laid-out pages: a shadow of the tree WeasyPrint builds, node for node. The
shadow is checked against the PDF tag by tag; if it does not match (another WeasyPrint
version), those fixes are skipped, never guessed.

The fixes are a registry (`FIXES`), one small function each, run in order over a `Tree`.

The passes are a package, one module per pass (imports the model, diagnostics, resources and formats
only, as the PDF writer does): `hints` (the shadow and its pairing), `artifacts`, `words`, `notes`,
`split`, `links`, `lists`, `tables`, `conformance`; `walk` holds what they share. This module keeps
the registry and the entry point.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass

import pikepdf

from generator.formats.pdf_tree import Tree
from generator.writers.pdf.labels import add_page_labels
from generator.writers.pdf.tags.artifacts import (_rewrite_artifacts, decorative_figures, leaders_as_artifacts,
                                                  margin_content_as_artifacts)
from generator.writers.pdf.tags.conformance import annotations_printable, declare_pdfua, images_not_interpolated
from generator.writers.pdf.tags.hints import Shadow, attach_hints, layout_hints
from generator.writers.pdf.tags.links import link_descriptions, one_link_per_link
from generator.writers.pdf.tags.lists import list_item_bodies, list_labels_first
from generator.writers.pdf.tags.notes import footnotes_as_notes, note_label_spaces
from generator.writers.pdf.tags.split import merge_split_elements
from generator.writers.pdf.tags.tables import table_header_scope
from generator.writers.pdf.tags.words import (_EMPTY_MC, abbreviation_expansions, empty_marked_content, languages,
                                              leader_spaces, word_spaces)

__all__ = ["FIXES", "NO_TREE", "Result", "Shadow", "_EMPTY_MC", "declare_pdfua", "fix_pdf", "fix_tree",
           "layout_hints", "repair", "repaired", "save"]


FIXES = {  # in order; `attach_hints` runs before them all (fix_tree)
    "decorative-figures": decorative_figures,
    "empty-content": empty_marked_content,
    "word-spaces": word_spaces,  # before merge-split: it reads each piece of a split link
    "footnotes": footnotes_as_notes,
    "note-labels": note_label_spaces,
    "merge-split": merge_split_elements,
    "leader-spaces": leader_spaces,
    "leaders": leaders_as_artifacts,
    "one-link": one_link_per_link,
    "link-text": link_descriptions,
    "list-bodies": list_item_bodies,
    "th-scope": table_header_scope,
    "abbreviations": abbreviation_expansions,
    "languages": languages,
    "margin-artifacts": margin_content_as_artifacts,
    "label-order": list_labels_first,
    "print-flag": annotations_printable,
    "pdfua-id": declare_pdfua,
    "no-interpolate": images_not_interpolated,
}


# --------------------------------------------------------------------------- entry point

@dataclass
class Result:
    data: bytes
    notes: list[str]


def repair(pdf: pikepdf.Pdf, hints=None) -> list[str]:
    """Repair the structure tree of the open `pdf` in place (every fix of `FIXES`); the notes say
    what was left as WeasyPrint made it. Nothing is saved: see `save`."""
    if "/StructTreeRoot" not in pdf.Root:
        return [NO_TREE]
    tree = Tree(pdf)
    attach_hints(tree, hints)
    for fix in FIXES.values():
        fix(tree)
    tree.write()
    _rewrite_artifacts(tree)
    add_page_labels(pdf)
    return tree.notes


NO_TREE = "no structure tree: nothing to fix"


@contextmanager
def repaired(data: bytes, hints=None):
    """(pdf, notes): WeasyPrint's PDF `data`, parsed once, its structure tree repaired in memory;
    the caller may read it (the build's accessibility check) and then writes it with `save`."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        yield pdf, repair(pdf, hints)


def save(pdf: pikepdf.Pdf, target) -> None:
    """Write `pdf` to `target` (a path or a binary file): same input, same bytes."""
    pdf.save(target, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate,
             stream_decode_level=pikepdf.StreamDecodeLevel.none)


def fix_tree(data: bytes, hints=None) -> Result:
    with repaired(data, hints) as (pdf, notes):
        if notes == [NO_TREE]:
            return Result(data, notes)
        out = io.BytesIO()
        save(pdf, out)
        return Result(out.getvalue(), notes)


def fix_pdf(data: bytes, hints=None) -> bytes:
    """The repaired PDF's bytes (same input, same bytes)."""
    return fix_tree(data, hints).data
