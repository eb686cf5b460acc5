"""Passes on lists: an LI holds only Lbl and LBody; each label's marked content is moved before its
item's body in the content stream (the page looks the same)."""

from __future__ import annotations

import re

from generator.formats.pdf_tree import Elem, Tree


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
