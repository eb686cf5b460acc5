"""The layout hints: a shadow of the tree WeasyPrint's tagger builds, node for node, made from its
laid-out pages (`layout_hints`), and paired with the PDF's structure elements tag by tag
(`attach_hints`, all or nothing), so that a fix can know which HTML element an element came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.formats.pdf_tree import Elem, Tree


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
