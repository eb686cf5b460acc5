"""Passes on the words a reader hears: the spaces WeasyPrint does not draw (as /ActualText), empty
marked content, a contents entry's title and page apart, an abbreviation's expansion, the
language of words in another language."""

from __future__ import annotations

import re

import pikepdf

from generator.formats.pdf_tree import MC, Elem, Tree
from generator.writers.pdf.tags.walk import (_generated, _key, _normal, _rewrite_kids, _source_text,
                                             _with_ancestors)


def leader_spaces(tree: Tree) -> None:
    """A contents entry ("Foreword ...... 4") reads "Foreword 4", not "Foreword4", once its leader
    dots are artifacts: the Link holding the leader gets its title and page number as /ActualText."""
    for elem in tree.walk():
        if elem.tag != "Link" or elem.shadow is None or elem.shadow.element is None or _generated(elem.shadow):
            continue
        inner = [e for e in elem.walk() if e is not elem]
        if not any(e.shadow is not None and e.shadow.leader for e in inner):
            continue
        after = ["".join(e.shadow.texts) for e in inner if e.tag == "Link" and e.shadow is not None
                 and not e.shadow.leader and _generated(e.shadow)]
        words = " ".join([_source_text(elem.shadow.element), *after]).split()
        elem.obj.ActualText = pikepdf.String(" ".join(words))


def abbreviation_expansions(tree: Tree) -> None:
    """An `<abbr title>` (a glossary abbreviation at its first use) is a Span with its expansion, /E."""
    for elem in tree.walk():
        element = elem.shadow.element if elem.shadow is not None else None
        if element is not None and element.tag == "abbr" and element.get("title"):
            elem.tag = "Span"
            elem.obj.E = pikepdf.String(element.get("title"))


def languages(tree: Tree) -> None:
    """An HTML element with its own `lang` (a LanguageSpan's `<span lang>`; a note called inside one,
    in the document's language) gives its structure element that /Lang, which WeasyPrint leaves
    out (Matterhorn 11-004, 11-005: the language of a passage that differs is declared on it)."""
    for elem in tree.walk():
        element = elem.shadow.element if elem.shadow is not None else None
        lang = element.get("lang") if element is not None and element.tag not in ("html", "body") else None
        if lang:
            elem.obj.Lang = pikepdf.String(lang)


def _leaves(tree: Tree) -> dict:
    """Per block element (its key), the text leaves drawn in it, in reading order: Spans of one
    text box and Links (each piece of a link is a leaf); generated content is left out."""
    blocks: dict = {}
    for elem, ancestors in _with_ancestors(tree):
        shadow = elem.shadow
        if shadow is None or not (shadow.text is not None or (elem.tag == "Link" and shadow.texts)):
            continue
        block = None
        for up in reversed((*ancestors, elem)):
            if _generated(up.shadow):
                block = None
                break
            if up is not elem and up.shadow is not None and up.shadow.element is not None and not up.shadow.inline:
                block = up
                break
        if block is not None:
            text = shadow.text if shadow.text is not None else "".join(shadow.texts)
            blocks.setdefault(block.shadow.key, (block.shadow.element, []))[1].append((elem, text))
    return blocks


def word_spaces(tree: Tree) -> None:
    """Where a word break falls at a line wrap, or between a label and its value, the space is not
    drawn (WeasyPrint strips it): the Span before it (or after it) gets an /ActualText with the
    space, so that the text read in order has its words apart (ISO 32000-1 14.8.2.5). Where the
    space falls inside a link broken over lines, the Link gets the link's text as /ActualText.

    Where the spaces belong is read from the HTML: each block element's text is matched, leaf by
    leaf, against the text drawn in it; a leaf that cannot be found (generated or hidden text)
    decides nothing.
    """
    prefix, suffix, link_inside = set(), set(), set()
    for element, leaves in _leaves(tree).values():
        source = _normal(_source_text(element))
        at, previous = 0, None
        for elem, text in leaves:
            core = _normal(text)
            if not core:
                continue
            found = source.find(core, at)
            if found < 0:
                continue
            if (previous is not None and found > at and source[at:found].isspace()
                    and not previous[1][-1:].isspace() and not text[:1].isspace()):
                before = previous[0]
                if before.tag != "Link":
                    suffix.add(id(before))
                elif elem.tag != "Link":
                    prefix.add(id(elem))
                elif _key(before) == _key(elem):
                    link_inside.add(_key(elem))
                else:
                    suffix.add(id(before))
            at, previous = found + len(core), (elem, text)
    spaced = prefix | suffix
    for elem in tree.walk():
        if id(elem) not in spaced:
            continue
        if elem.tag == "Link":
            link_inside.add(_key(elem))  # its text, with the space after it, on its first piece
            continue
        elem.obj.ActualText = pikepdf.String(" " * (id(elem) in prefix) + elem.shadow.text + " " * (id(elem) in suffix))
    pieces: dict = {}
    for elem in tree.walk():
        if elem.tag == "Link" and _key(elem) in link_inside:
            pieces.setdefault(_key(elem), []).append(elem)
    for key, elems in pieces.items():
        text = " ".join(_source_text(elems[0].shadow.element).split())
        trailing = " " if id(elems[-1]) in suffix else ""
        elems[0].obj.ActualText = pikepdf.String(text + trailing)


_EMPTY_MC = re.compile(rb"/[^\s<>/\[\]()]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC\s*(?:BT\s*ET\s*)?EMC\s*")


def empty_marked_content(tree: Tree) -> None:
    """A marked-content sequence that draws nothing (a collapsed space between a label and its
    value) leaves the content stream, and the Span or NonStruct it was all of leaves the tree."""
    empty = set()
    for page in tree.pdf.pages:
        data = tree.contents(page)
        mcids = {int(m[1]) for m in _EMPTY_MC.finditer(data)}
        if mcids:
            empty |= {(page.objgen, mcid) for mcid in mcids}
            tree.set_contents(page, _EMPTY_MC.sub(b"", data))
    if not empty:
        return

    def drop(elem: Elem) -> list:
        elem.kids = [k for k in _rewrite_kids(elem.kids, drop)
                     if not (isinstance(k, MC) and k.page is not None and (k.page.objgen, k.mcid) in empty)]
        return [] if not elem.kids and elem.tag in ("Span", "NonStruct") else [elem]

    for top in tree.top:
        top.kids = _rewrite_kids(top.kids, drop)
