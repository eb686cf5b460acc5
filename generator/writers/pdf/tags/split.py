"""Pass: pieces of one HTML element split at page breaks (or a link broken over lines) join into one
element; a table header repeated on a later page becomes page furniture."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

from generator.formats.pdf_tree import Elem, Tree
from generator.writers.pdf.tags.walk import _key, _page_index


def merge_split_elements(tree: Tree) -> None:
    """Pieces of one HTML element on later pages join its first piece (one P, one Part, ...), and
    the pieces of a link broken over lines join into one Link.

    A repeated table header (THead/TFoot on a continuation page) is page furniture: its content
    becomes an Artifact and its cells' IDs are mapped to the first header's.
    """
    id_map: dict[str, str] = {}

    def merge(kids: list) -> list:
        out, first = [], {}
        for kid in kids:
            key = _key(kid) if isinstance(kid, Elem) and kid.tag != "Span" else None
            earlier = first.get(key) if key else None
            # pieces of one element sit on later pages; a link broken over lines is pieces on one page too
            if earlier is not None and (kid.tag == "Link" or _page_index(tree, kid) > _page_index(tree, earlier)):
                if kid.tag in ("THead", "TFoot"):
                    _map_ids(earlier, kid, id_map)
                    tree.make_artifact(kid, Dictionary(Type=Name.Pagination))
                else:
                    earlier.kids.extend(kid.kids)
                continue
            if key:
                first[key] = kid
            out.append(kid)
        for kid in out:
            if isinstance(kid, Elem):
                kid.kids = merge(kid.kids)
        return out

    if len(tree.top) == 1:
        tree.top[0].kids = merge(tree.top[0].kids)
    if id_map:
        for elem in tree.walk():
            attrs = elem.obj.get("/A")
            if elem.tag == "TD" and isinstance(attrs, Dictionary) and "/Headers" in attrs:
                attrs.Headers = Array([pikepdf.String(id_map.get(str(h), str(h))) for h in attrs.Headers])


def _map_ids(first: Elem, repeat: Elem, id_map: dict) -> None:
    ths = {_key(e): e for e in first.walk() if e.tag == "TH"}
    for elem in repeat.walk():
        original = ths.get(_key(elem)) if elem.tag == "TH" else None
        if original is not None and "/ID" in elem.obj and "/ID" in original.obj:
            id_map[str(elem.obj.ID)] = str(original.obj.ID)
