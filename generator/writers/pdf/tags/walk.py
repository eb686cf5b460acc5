"""What the passes share: rewriting an element's kids, an element's key and page, the text of its
HTML element, elements made Artifacts."""

from __future__ import annotations

import re

from pikepdf import Dictionary, Name

from generator.formats.pdf_tree import Elem, ObjRef, Tree


PAGINATION = "Pagination"


def _rewrite_kids(kids: list, replace) -> list:
    """`kids` rewritten depth first: `replace(elem)` says what stands for each element among them.

    None keeps the element and rewrites its own kids the same way; a list (empty to drop it,
    `[elem]` to keep it as it is, other kids to splice in) stands in its place as it is. Marked
    content and annotations are kept.
    """
    out = []
    for kid in kids:
        instead = replace(kid) if isinstance(kid, Elem) else [kid]
        if instead is None:
            kid.kids = _rewrite_kids(kid.kids, replace)
            instead = [kid]
        out.extend(instead)
    return out


def _key(elem: Elem):
    return (elem.tag, elem.shadow.key) if elem.shadow is not None and elem.shadow.key is not None else None


def _page_index(tree: Tree, elem: Elem) -> int:
    page = elem.page or next((mc.page for mc in elem.mcs()), None)
    return tree.page_numbers.get(page.objgen, -1) if page is not None else -1


def _elements_as_artifacts(tree: Tree, is_artifact, keep_annotations: bool) -> None:
    """Every element `is_artifact(elem)` accepts becomes a Layout Artifact, out of the tree; with
    `keep_annotations`, the annotations it held stay in the tree at its place."""
    def replace(elem: Elem) -> list | None:
        if not is_artifact(elem):
            return None
        tree.make_artifact(elem, Dictionary(Type=Name.Layout))
        return [k for k in elem.kids if isinstance(k, ObjRef)] if keep_annotations else []

    for top in tree.top:
        top.kids = _rewrite_kids(top.kids, replace)


def _drop_empty(tree: Tree) -> None:
    """A NonStruct left with no kids (once its own kids are rewritten) leaves the tree."""
    def drop(elem: Elem) -> list:
        elem.kids = _rewrite_kids(elem.kids, drop)
        return [] if not elem.kids and elem.tag == "NonStruct" else [elem]

    for top in tree.top:
        top.kids = _rewrite_kids(top.kids, drop)


def _with_ancestors(tree: Tree):
    """(elem, ancestors) for every element, depth first in reading order."""
    stack = [(top, ()) for top in reversed(tree.top)]
    while stack:
        elem, ancestors = stack.pop()
        yield elem, ancestors
        stack.extend((kid, ancestors + (elem,)) for kid in reversed(elem.elems()))


def _generated(shadow) -> bool:
    """The box of a pseudo-element (::marker, ::footnote-call, ::after): text the CSS made."""
    return shadow is not None and shadow.key is not None and "::" in shadow.key[1]


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def _source_text(element) -> str:
    """An HTML element's text as a reader hears it: its text nodes in order, a <br> as a space."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(" " if child.tag.rpartition("}")[2] == "br" else _source_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


_BDC = re.compile(rb"/[^\s<>/\[\]()]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


def _page_mcids(tree: Tree, page) -> list[int]:
    return [int(m[1]) for m in _BDC.finditer(tree.contents(page))]
