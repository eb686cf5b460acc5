"""Passes: what is layout, not content, becomes an Artifact (decorative figures, leader dots, the
page margins' content), and the content streams are rewritten once to mark them (`_rewrite_artifacts`)."""

from __future__ import annotations

import re

from generator.formats.pdf_tree import Tree
from generator.writers.pdf.tags.walk import _BDC, _elements_as_artifacts, _page_mcids


def leaders_as_artifacts(tree: Tree) -> None:
    """The dots of a CSS leader() (contents page) are layout: Artifacts; annotations stay."""
    _elements_as_artifacts(tree, lambda e: e.shadow is not None and e.shadow.leader, keep_annotations=True)


def decorative_figures(tree: Tree) -> None:
    """A Figure from `<img alt="">` is decoration: an Artifact, out of the tree."""
    _elements_as_artifacts(tree, lambda e: (e.tag == "Figure" and "/Alt" not in e.obj and e.shadow is not None
                                            and e.shadow.element is not None and e.shadow.element.get("alt") == ""),
                           keep_annotations=False)


def margin_content_as_artifacts(tree: Tree) -> None:
    """Marked content no structure element reaches (WeasyPrint's page margins) becomes an Artifact."""
    reached = tree.reached()
    for page in tree.pdf.pages:
        for mcid in _page_mcids(tree, page):
            if (page.objgen, mcid) not in reached:
                tree.artifacts.setdefault(page.objgen, {}).setdefault(mcid, None)


_CM = re.compile(rb"((?:-?[\d.]+\s+){6})cm\b")


_TM = re.compile(rb"((?:-?[\d.]+\s+){6})Tm\b")


def _rewrite_artifacts(tree: Tree) -> None:
    """Turn each marked-content sequence listed in tree.artifacts into an /Artifact sequence.

    Works on the bytes of WeasyPrint's content streams (one per page, `/Tag <</MCID n>> BDC`),
    which is several times faster than parsing and unparsing every operator. A Pagination
    artifact is a /Header above the middle of the page, else a /Footer: its first text matrix
    is placed by the transformations at the start of the page (WeasyPrint's flip and scale).
    """
    for page in tree.pdf.pages:
        todo = tree.artifacts.get(page.objgen)
        if not todo:
            continue
        data = tree.contents(page)
        height = float(page.mediabox[3]) - float(page.mediabox[1])
        first = _BDC.search(data)
        ctm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        for match in _CM.finditer(data, 0, first.start() if first else 0):
            ctm = _multiply(tuple(float(x) for x in match[1].split()), ctm)

        def replace(match):
            mcid = int(match[1])
            if mcid not in todo:
                return match[0]
            properties = todo[mcid]
            if properties is None:
                properties = {"Type": "Pagination"}
                end = data.find(b"EMC", match.end())
                tm = _TM.search(data, match.end(), end if end >= 0 else len(data))
                if tm is not None:
                    numbers = [float(x) for x in tm[1].split()]
                    y = _apply(ctm, numbers[4], numbers[5])[1]
                    properties["Subtype"] = "Header" if y > height / 2 else "Footer"
            else:
                properties = {str(k)[1:]: str(v)[1:] for k, v in properties.items()}
            entries = " ".join(f"/{k} /{v}" for k, v in properties.items())
            return f"/Artifact <<{entries}>> BDC".encode()

        page.obj.Contents = tree.pdf.make_stream(_BDC.sub(replace, data))


def _multiply(m, n):
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n  # noqa: N806
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m, x, y):
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f
