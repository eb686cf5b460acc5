"""A tagged PDF's structure tree as Python objects: read once with pikepdf, changed, written back once.

Shared by the PDF writer's structure repair (`generator.writers.pdf.tags`) and the PDF
accessibility checks (`generator.checks.pdf`), so that the checks read the tree without
importing the writer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name



@dataclass(eq=False)
class MC:
    """A marked-content sequence: its page (a pikepdf page object) and MCID."""

    page: object
    mcid: int


@dataclass(eq=False)
class ObjRef:
    obj: object  # the OBJR dictionary
    annot: object


@dataclass(eq=False)
class Elem:
    obj: object  # the StructElem dictionary
    tag: str
    page: object  # pikepdf page dictionary of /Pg, or None
    kids: list
    shadow: object = None  # the writer's layout hint for this element, if any
    loaded: tuple = ()  # (tag, parent Elem or None, kids) as read, to write back only what changed

    def elems(self):
        return [k for k in self.kids if isinstance(k, Elem)]

    def walk(self):
        """This element and every element under it, depth first in reading order (no recursion:
        the fixes walk the whole tree many times)."""
        stack = [self]
        while stack:
            elem = stack.pop()
            yield elem
            stack.extend(k for k in reversed(elem.kids) if isinstance(k, Elem))

    def mcs(self, out: list | None = None) -> list:
        """Every marked-content sequence under this element, in reading order."""
        out = [] if out is None else out
        for kid in self.kids:
            if isinstance(kid, MC):
                out.append(kid)
            elif isinstance(kid, Elem):
                kid.mcs(out)
        return out

    def changed(self, parent) -> bool:
        tag, loaded_parent, kids = self.loaded or (None, None, ())
        return (tag != self.tag or loaded_parent is not parent or len(kids) != len(self.kids)
                or any(a is not b for a, b in zip(kids, self.kids)))


MCR, OBJR = Name.MCR, Name.OBJR


def as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, Array):
        return list(value)
    return [value]


class Tree:
    """The document's structure tree, loaded once, changed in Python, written back once."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.pages = {page.objgen: page for page in pdf.pages}
        self.top = [self._load(k, None, None) for k in as_list(self.root.get("/K")) if isinstance(k, Dictionary)]
        self.page_numbers = {page.objgen: i for i, page in enumerate(pdf.pages)}
        self.artifacts: dict[tuple, dict[int, Dictionary]] = {}  # page objgen -> mcid -> Artifact properties
        self.notes: list[str] = []
        self._contents: dict[tuple, bytes] = {}

    def _load(self, obj, page, parent) -> Elem:
        own_page = obj.get("/Pg")
        page = own_page if own_page is not None else page
        kids = []
        elem = Elem(obj, str(obj.get("/S", "/NonStruct"))[1:], own_page, kids)
        for kid in as_list(obj.get("/K")):
            if isinstance(kid, int):
                kids.append(MC(page, kid))
            elif isinstance(kid, Dictionary):
                kind = kid.get("/Type")
                if kind == MCR:
                    kids.append(MC(kid.get("/Pg", page), int(kid.MCID)))
                elif kind == OBJR:
                    kids.append(ObjRef(kid, kid.Obj))
                else:
                    kids.append(self._load(kid, page, elem))
        elem.loaded = (elem.tag, parent, tuple(kids))
        return elem

    def walk(self):
        for top in self.top:
            yield from top.walk()

    def contents(self, page) -> bytes:
        """The page's content stream, decoded once."""
        if page.objgen not in self._contents:
            self._contents[page.objgen] = page_contents(page)
        return self._contents[page.objgen]

    def set_contents(self, page, data: bytes) -> None:
        """Replace the page's content stream (and the decoded copy kept here)."""
        self._contents[page.objgen] = data
        page.obj.Contents = self.pdf.make_stream(data)

    def new_elem(self, tag: str, kids: list, like: Elem) -> Elem:
        obj = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + tag)))
        return Elem(obj, tag, like.page, kids)

    def reached(self) -> set[tuple]:
        return {(mc.page.objgen, mc.mcid) for top in self.top for mc in top.mcs() if mc.page is not None}

    def make_artifact(self, elem: Elem, properties: Dictionary) -> None:
        for mc in elem.mcs():
            self.artifacts.setdefault(mc.page.objgen, {})[mc.mcid] = properties

    # ----------------------------------------------------------------------- writing back

    def write(self) -> None:
        by_mc: dict[tuple, object] = {}
        by_annot: list[tuple[object, object]] = []

        def write_elem(elem: Elem, parent: Elem | None, parent_obj) -> None:
            obj = elem.obj
            if not elem.changed(parent):  # as read: only record where its content is
                for kid in elem.kids:
                    if isinstance(kid, Elem):
                        write_elem(kid, elem, obj)
                    elif isinstance(kid, MC):
                        by_mc[(kid.page.objgen, kid.mcid)] = obj
                    else:
                        by_annot.append((kid.annot, obj))
                return
            obj.S = Name("/" + elem.tag)
            obj.P = parent_obj
            first_mc = next((k for k in elem.kids if isinstance(k, MC)), None)
            if elem.page is None and first_mc is not None:
                elem.page = first_mc.page
            if elem.page is not None:
                obj.Pg = elem.page
            kids = Array()
            for kid in elem.kids:
                if isinstance(kid, Elem):
                    write_elem(kid, elem, obj)
                    kids.append(kid.obj)
                elif isinstance(kid, MC):
                    by_mc[(kid.page.objgen, kid.mcid)] = obj
                    if elem.page is not None and kid.page.objgen == elem.page.objgen:
                        kids.append(kid.mcid)
                    else:
                        kids.append(Dictionary(Type=Name.MCR, Pg=kid.page, MCID=kid.mcid))
                else:
                    kids.append(kid.obj)
                    by_annot.append((kid.annot, obj))
            obj.K = kids

        for top in self.top:
            write_elem(top, None, self.root)
        self.root.K = Array([top.obj for top in self.top])
        nums, per_page = {}, {}
        for (objgen, mcid), obj in by_mc.items():
            per_page.setdefault(objgen, {})[mcid] = obj
        for page in self.pdf.pages:
            if "/StructParents" not in page.obj:
                continue
            mcids = per_page.get(page.objgen, {})
            array = Array([mcids.get(i) for i in range(max(mcids) + 1)] if mcids else [])
            nums[int(page.obj.StructParents)] = self.pdf.make_indirect(array)
        for annot, obj in by_annot:
            if "/StructParent" in annot:
                nums[int(annot.StructParent)] = obj
        flat = Array()
        for key in sorted(nums):
            flat.extend([key, nums[key]])
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=flat))
        self.root.ParentTreeNextKey = max(nums, default=-1) + 1
        ids = {}
        for elem in self.walk():
            if "/ID" in elem.obj:
                ids[str(elem.obj.ID)] = elem.obj
        if ids:
            flat_ids = Array()
            for key in sorted(ids):
                flat_ids.extend([pikepdf.String(key), ids[key]])
            self.root.IDTree = Dictionary(Names=flat_ids)
        elif "/IDTree" in self.root:
            del self.root["/IDTree"]




def page_contents(page) -> bytes:
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes() if contents is not None else b""

