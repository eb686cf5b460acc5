"""Passes: one Link element per link, holding all its annotations, each described by the link's text."""

from __future__ import annotations

import pikepdf

from generator.formats.pdf_tree import Elem, ObjRef, Tree
from generator.writers.pdf.tags.walk import _rewrite_kids


def one_link_per_link(tree: Tree) -> None:
    """A Link inside a Link (an `<a>` and its ::after) becomes one Link holding every annotation."""

    def flatten(elem: Elem) -> list:
        return _rewrite_kids(elem.kids, flatten) if elem.tag == "Link" else [elem]

    for elem in tree.walk():
        if elem.tag == "Link":
            elem.kids = _rewrite_kids(elem.kids, flatten)


def link_descriptions(tree: Tree) -> None:
    """Each link annotation's /Contents says what the link says, not its bare URL or anchor."""
    for elem in tree.walk():
        if elem.tag != "Link" or elem.shadow is None or elem.shadow.element is None:
            continue
        text = " ".join("".join(elem.shadow.element.itertext()).split())
        if not text:
            continue
        for kid in elem.kids:
            if isinstance(kid, ObjRef):
                kid.annot.Contents = pikepdf.String(text)
