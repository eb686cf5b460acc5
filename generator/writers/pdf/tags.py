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
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

from generator.formats.pdf_images import images as pdf_images
from generator.formats.pdf_tree import MC, Elem, ObjRef, Tree
from generator.writers.pdf.labels import add_page_labels

# --------------------------------------------------------------------------- shadow of WeasyPrint's tagging


@dataclass(eq=False)
class Shadow:
    """What WeasyPrint's tagger made of one box: its tag and the HTML element it came from."""

    tag: str
    key: tuple | None = None  # (id(element), element_tag); the same for every piece of one element
    element: object = None  # the HTML element (kept alive so that `key` stays unique)
    leader: bool = False  # the box of a CSS leader(): dots that only lead the eye
    children: list = field(default_factory=list)
    inline: bool = False  # an inline-level box (part of a line, inline-block too), not a block
    text: str | None = None  # a Span of one text box: the text it draws
    texts: list = field(default_factory=list)  # a Link: the text of each text box drawn in it


def _element_key(box):
    if box.element is None:
        return None, None
    return (id(box.element), box.element_tag), box.element


def _shadow_box(box, parent_tag: str, parent: Shadow | None, boxes, absolute, pdf_tag):
    """Mirror of weasyprint.pdf.tags._build_box_tree (v70), yielding Shadows instead of objects."""
    if isinstance(box, absolute.AbsolutePlaceholder):
        box = box._box
    element_tag = None if box.element is None else box.element_tag
    tag = pdf_tag(element_tag)
    if element_tag in ("html", "body") or isinstance(box, boxes.PageBox):
        if isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
            for child in box.children:
                yield from _shadow_box(child, parent_tag, parent, boxes, absolute, pdf_tag)
            return
    elif isinstance(box, boxes.MarginBox):
        return  # built by WeasyPrint but never linked to the tree
    elif tag in ("TD", "TH"):
        if parent_tag in ("TD", "TH"):
            tag = "NonStruct"
    elif tag == "LI":
        no_bullet = box.element_tag == "li" and (
            "list-item" not in box.style["display"] or box.style["list_style_type"] == "none")
        if parent_tag == "LI":
            tag = "LBody"
        elif parent_tag == "LBody":
            tag = "NonStruct"
        elif box.element_tag in ("dt", "dd") or no_bullet:
            key, element = _element_key(box)
            wrapper = Shadow("LI", (key, "li-wrapper") if key else None, element)
            wrapper.children.extend(_shadow_box(box, "LI", wrapper, boxes, absolute, pdf_tag))
            yield wrapper
            return
    key, element = _element_key(box)
    shadow = Shadow(tag, key, element, leader=getattr(box, "is_leader", False),
                    inline=isinstance(box, boxes.InlineLevelBox))
    if tag == "Table" and box.is_table_wrapper:
        table = box.get_wrapped_table()
        if table:
            children = []
            for child in box.children:
                children.extend(child.children if child is table else [child])
            box = table.copy_with_children(children)
    if box.widget_annotation:
        shadow.children.append(Shadow("Form"))
    for outer in box.children:
        for child in (outer.children if isinstance(outer, boxes.LineBox) else [outer]):
            if isinstance(child, boxes.TextBox):
                if tag != "Link":
                    shadow.children.append(Shadow("Span", inline=True, text=child.text))
                else:
                    shadow.texts.append(child.text)
                continue
            nested_list = child.element_tag in ("ul", "ol") and tag == "LI"
            target = parent if nested_list and parent is not None else shadow
            index = len(target.children)
            target.children[index:index] = list(
                _shadow_box(child, target.tag, target, boxes, absolute, pdf_tag))
    yield shadow


def layout_hints(document) -> list[list[Shadow]]:
    """Per page, the top-level structure elements WeasyPrint makes, with their HTML elements."""
    from weasyprint.formatting_structure import boxes  # noqa: PLC0415 - weasyprint is slow to import
    from weasyprint.layout import absolute  # noqa: PLC0415
    from weasyprint.pdf.tags import _get_pdf_tag  # noqa: PLC0415

    return [list(_shadow_box(page._page_box, "Document", None, boxes, absolute, _get_pdf_tag))
            for page in document.pages]



# --------------------------------------------------------------------------- fixes, one function each

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


def attach_hints(tree: Tree, hints) -> None:
    """Pair each structure element with the Shadow of the box it came from; all or nothing."""
    if hints is None:
        tree.notes.append("no layout hints: split elements, footnotes and link text left as WeasyPrint made them")
        return
    shadows = [s for page in hints for s in page]
    pairs: list[tuple[Elem, Shadow]] = []

    def pair(elems, shadows_, path) -> bool:
        if len(elems) != len(shadows_):
            tree.notes.append(f"layout hints do not match the PDF at {path}: {len(elems)} elements, "
                              f"{len(shadows_)} expected")
            return False
        for elem, shadow in zip(elems, shadows_):
            if elem.tag != shadow.tag:
                tree.notes.append(f"layout hints do not match the PDF at {path}/{elem.tag}: expected {shadow.tag}")
                return False
            pairs.append((elem, shadow))
            if not pair(elem.elems(), shadow.children, f"{path}/{elem.tag}"):
                return False
        return True

    top_kids = tree.top[0].elems() if len(tree.top) == 1 and tree.top[0].tag == "Document" else []
    if pair(top_kids, shadows, "Document"):
        for elem, shadow in pairs:
            elem.shadow = shadow


def _key(elem: Elem):
    return (elem.tag, elem.shadow.key) if elem.shadow is not None and elem.shadow.key is not None else None


def _page_index(tree: Tree, elem: Elem) -> int:
    page = elem.page or next((mc.page for mc in elem.mcs()), None)
    return tree.page_numbers.get(page.objgen, -1) if page is not None else -1


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


def leaders_as_artifacts(tree: Tree) -> None:
    """The dots of a CSS leader() (contents page) are layout: Artifacts; annotations stay."""
    _elements_as_artifacts(tree, lambda e: e.shadow is not None and e.shadow.leader, keep_annotations=True)


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


def _drop_empty(tree: Tree) -> None:
    """A NonStruct left with no kids (once its own kids are rewritten) leaves the tree."""
    def drop(elem: Elem) -> list:
        elem.kids = _rewrite_kids(elem.kids, drop)
        return [] if not elem.kids and elem.tag == "NonStruct" else [elem]

    for top in tree.top:
        top.kids = _rewrite_kids(top.kids, drop)


def list_item_bodies(tree: Tree) -> None:
    """LI holds only Lbl and LBody (ISO 32000-1 Table 336): other children go into one LBody."""
    for elem in list(tree.walk()):
        if elem.tag != "LI":
            continue
        kids, run = [], []
        for kid in elem.kids + [None]:
            if kid is None or (isinstance(kid, Elem) and kid.tag in ("Lbl", "LBody")):
                if run:
                    kids.append(tree.new_elem("LBody", run, elem))
                    run = []
                if kid is not None:
                    kids.append(kid)
            else:
                run.append(kid)
        elem.kids = kids


def table_header_scope(tree: Tree) -> None:
    """Every TH gets /Scope: from the HTML scope attribute, else Column in a header row, else Row."""
    def rows(elem):
        for kid in elem.elems():
            if kid.tag == "TR":
                yield kid, elem.tag
            elif kid.tag in ("THead", "TBody", "TFoot"):
                yield from ((row, kid.tag) for row, _ in rows(kid))

    for table in tree.walk():
        if table.tag != "Table":
            continue
        for row, group in rows(table):
            cells = row.elems()
            all_th = all(c.tag == "TH" for c in cells)
            for cell in cells:
                if cell.tag != "TH":
                    continue
                scope = None
                if cell.shadow is not None and cell.shadow.element is not None:
                    scope = {"row": "Row", "col": "Column", "rowgroup": "Row", "colgroup": "Column"}.get(
                        cell.shadow.element.get("scope", ""))
                scope = scope or ("Column" if group in ("THead", "TFoot") or all_th else "Row")
                attrs = cell.obj.get("/A")
                if isinstance(attrs, Array):
                    attrs = next((a for a in attrs if isinstance(a, Dictionary) and a.get("/O") == Name.Table), None)
                if not isinstance(attrs, Dictionary):
                    attrs = Dictionary(O=Name.Table)
                    cell.obj.A = attrs
                if "/Scope" not in attrs:
                    attrs.Scope = Name("/" + scope)


def decorative_figures(tree: Tree) -> None:
    """A Figure from `<img alt="">` is decoration: an Artifact, out of the tree."""
    _elements_as_artifacts(tree, lambda e: (e.tag == "Figure" and "/Alt" not in e.obj and e.shadow is not None
                                            and e.shadow.element is not None and e.shadow.element.get("alt") == ""),
                           keep_annotations=False)


def abbreviation_expansions(tree: Tree) -> None:
    """An `<abbr title>` (a glossary abbreviation at its first use) is a Span with its expansion, /E."""
    for elem in tree.walk():
        element = elem.shadow.element if elem.shadow is not None else None
        if element is not None and element.tag == "abbr" and element.get("title"):
            elem.tag = "Span"
            elem.obj.E = pikepdf.String(element.get("title"))


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


def margin_content_as_artifacts(tree: Tree) -> None:
    """Marked content no structure element reaches (WeasyPrint's page margins) becomes an Artifact."""
    reached = tree.reached()
    for page in tree.pdf.pages:
        for mcid in _page_mcids(tree, page):
            if (page.objgen, mcid) not in reached:
                tree.artifacts.setdefault(page.objgen, {}).setdefault(mcid, None)


def _page_mcids(tree: Tree, page) -> list[int]:
    return [int(m[1]) for m in _BDC.finditer(tree.contents(page))]


# an array (a TJ's, a dash pattern) is one token: half the tokens of a page of text
_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<<|>>|<[0-9A-Fa-f\s]*>|\[(?:\((?:\\.|[^\\)])*\)|[^\]()])*\]|\[|\]"
                    rb"|/[^\s/\[\]()<>{}%]+|[^\s/\[\]()<>{}%]+")
_STATE_OPS = {b"cm", b"Tc", b"Tw", b"Tz", b"TL", b"Ts", b"Tr"}  # what a moved sequence inherits


def _marked_spans(data: bytes) -> dict[int, tuple[int, int, tuple]]:
    """MCID -> (start, end, state) of each marked-content sequence in a content stream: where its
    tag begins, where its EMC ends, and the transformation and text state in force at its start."""
    out: dict[int, tuple[int, int, tuple]] = {}
    state: dict = {}
    saved: list[dict] = []
    open_: list[tuple[int | None, int, tuple]] = []  # (mcid, start, state) per open BDC/BMC
    operands: list[tuple[int, bytes]] = []
    for match in _TOKEN.finditer(data):
        token = match[0]
        if token[:1] in b"(<[]/" or token[:1].isdigit() or token[:1] in b"-.+" or token == b">>":
            operands.append((match.start(), token))
            continue
        if token == b"q":
            saved.append(dict(state))
        elif token == b"Q":
            state = saved.pop() if saved else {}
        elif token == b"cm":
            state[b"cm"] = state.get(b"cm", ()) + (tuple(t for _, t in operands[-6:]),)
        elif token in _STATE_OPS:
            state[token] = operands[-1][1] if operands else None
        elif token in (b"BDC", b"BMC"):
            start = next((at for at, t in reversed(operands) if t[:1] == b"/" and (token == b"BMC" or t != b"/MCID")),
                         match.start())
            mcid = next((int(t) for (_, k), (_, t) in zip(operands, operands[1:]) if k == b"/MCID"), None)
            open_.append((mcid, start, tuple(sorted(state.items()))))
        elif token == b"EMC" and open_:
            mcid, start, at_start = open_.pop()
            if mcid is not None:
                out[mcid] = (start, match.end(), at_start)
        operands = []
    return out


def list_labels_first(tree: Tree) -> None:
    """WeasyPrint paints a page's list markers after its text: each label's marked content moves
    (kept in q/Q) to just before its item's body, so that a tool reading the content in order
    reads "1. Item" and not the label after the item. Moved only where the transformation and text
    state are the same at both places, so the page looks exactly as before."""
    wanted: dict[tuple, list[tuple[int, list[int]]]] = {}
    for li in tree.walk():
        if li.tag != "LI":
            continue
        lbl = next((k for k in li.elems() if k.tag == "Lbl"), None)
        body = next((k for k in li.elems() if k.tag == "LBody"), None)
        if lbl is None or body is None or len(lbl.mcs()) != 1:
            continue
        label = lbl.mcs()[0]
        bodies = [mc.mcid for mc in body.mcs() if mc.page is not None and mc.page.objgen == label.page.objgen]
        if bodies:
            wanted.setdefault(label.page.objgen, []).append((label.mcid, bodies))
    for page in tree.pdf.pages:
        todo = wanted.get(page.objgen)
        if not todo:
            continue
        data = tree.contents(page)
        spans = _marked_spans(data)
        edits = []  # (offset, bytes to delete from there, bytes to insert there)
        for label, bodies in todo:
            first = min((spans[b] for b in bodies if b in spans), default=None, key=lambda s: s[0])
            if label not in spans or first is None:
                continue
            start, end, state = spans[label]
            if start > first[0] and state == first[2] and data.count(b"BDC", start, end) == 1:
                edits.append((first[0], 0, b"q\n" + data[start:end] + b"\nQ\n"))
                edits.append((start, end - start, b""))
        if edits:
            out, at = [], 0
            for offset, length, insert in sorted(edits, key=lambda e: (e[0], e[1])):
                out += [data[at:offset], insert]
                at = offset + length
            tree.set_contents(page, b"".join(out) + data[at:])


def annotations_printable(tree: Tree) -> None:
    """Every annotation carries the Print flag (/F bit 3): PDF/A requires it, and a printed copy
    keeps what the screen shows (ISO 19005-2 6.3.2)."""
    for page in tree.pdf.pages:
        for annot in page.obj.get("/Annots", []):
            annot.F = int(annot.get("/F", 0)) | 4


_PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
_PDFUA_EXTENSION = f"""<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>{_PDFUA_NS}</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="{_PDFUA_NS}"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
"""


def declare_pdfua(tree: Tree) -> None:
    """A PDF/A file (WeasyPrint's PDF/A-2u variant) declares PDF/UA-1 too: pdfuaid:part in its XMP,
    with the extension schema that PDF/A requires for a property outside its predefined schemas
    (ISO 19005-2 6.6.2.3). A file that already says pdfuaid is left as it is."""
    meta = tree.pdf.Root.get("/Metadata")
    xmp = meta.read_bytes() if meta is not None else b""
    if b"pdfaid" not in xmp or _PDFUA_NS.encode() in xmp or b"</rdf:RDF>" not in xmp:
        return
    xmp = xmp.replace(b"</rdf:RDF>", _PDFUA_EXTENSION.encode() + b"</rdf:RDF>", 1)
    tree.pdf.Root.Metadata = tree.pdf.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)


def images_not_interpolated(tree: Tree) -> None:
    """No image asks the viewer to smooth it: WeasyPrint writes `/Interpolate true` on every raster
    image (CSS `image-rendering: auto`), which PDF/A-2 forbids (ISO 19005-2 6.2.8); the key goes
    (false is its default). Every image the pages reach, soft masks too."""
    for _where, image in pdf_images(tree.pdf):
        if "/Interpolate" in image:
            del image["/Interpolate"]


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
    "margin-artifacts": margin_content_as_artifacts,
    "label-order": list_labels_first,
    "print-flag": annotations_printable,
    "pdfua-id": declare_pdfua,
    "no-interpolate": images_not_interpolated,
}


# --------------------------------------------------------------------------- content streams

_BDC = re.compile(rb"/[^\s<>/\[\]()]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
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
