"""The images a PDF's pages can paint, and the graphics states they use, found through the pages'
resources (not every object in the file: an object no page reaches is never painted).

Shared by the PDF writer (which takes `/Interpolate true` off WeasyPrint's images: PDF/A-2 forbids
it) and the PDF/A checks, so that the checks read the images without importing the writer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf
from pikepdf import Dictionary, Name, Stream

# how deep resources may nest (a form XObject's resources holding a form ...); a hostile file's
# nesting beyond it is not followed (each object is visited once anyway: cycles end)
MAX_DEPTH = 32


def _is(obj, kind: type) -> bool:
    return isinstance(obj, kind)


def resources_objects(pdf: pikepdf.Pdf) -> Iterator[tuple[str, str, object]]:
    """(where, kind, object) for every XObject ('image' or 'xobject'), soft mask or alternate of an
    image ('image'), and graphics state dictionary ('extgstate') the pages reach: through their
    /Resources, form XObjects', tiling patterns' and Type 3 fonts' /Resources, the soft masks of
    graphics states, and the appearance streams of annotations. Each object once."""
    seen: set = set()

    def once(obj) -> bool:
        if obj.objgen == (0, 0):
            return True  # a direct object: held by one parent only, and in no cycle
        if obj.objgen in seen:
            return False
        seen.add(obj.objgen)
        return True

    def image(where: str, obj) -> Iterator:
        if not _is(obj, Stream) or not once(obj):
            return
        yield where, "image", obj
        for key in ("/SMask", "/Mask"):
            mask = obj.get(key)
            if _is(mask, Stream):
                yield from image(f"{where} {key[1:]}", mask)
        for alternate in obj.get("/Alternates", []) if _is(obj.get("/Alternates"), pikepdf.Array) else []:
            if _is(alternate, Dictionary) and _is(alternate.get("/Image"), Stream):
                yield from image(f"{where} Alternates", alternate.get("/Image"))

    def resources(where: str, res, depth: int) -> Iterator:
        if not _is(res, Dictionary) or depth > MAX_DEPTH or not once(res):
            return
        xobjects = res.get("/XObject")
        for name, obj in (xobjects.items() if _is(xobjects, Dictionary) else []):
            if not _is(obj, Stream):
                continue
            if obj.get("/Subtype") == Name.Image:
                yield from image(f"{where} XObject {name}", obj)
            elif once(obj):
                yield f"{where} XObject {name}", "xobject", obj
                yield from resources(f"{where} XObject {name}", obj.get("/Resources"), depth + 1)
        states = res.get("/ExtGState")
        for name, state in (states.items() if _is(states, Dictionary) else []):
            if not _is(state, Dictionary) or not once(state):
                continue
            yield f"{where} ExtGState {name}", "extgstate", state
            mask = state.get("/SMask")
            group = mask.get("/G") if _is(mask, Dictionary) else None
            if _is(group, Stream):
                yield from resources(f"{where} ExtGState {name} SMask", group.get("/Resources"), depth + 1)
        patterns = res.get("/Pattern")
        for name, pattern in (patterns.items() if _is(patterns, Dictionary) else []):
            if _is(pattern, Stream):
                yield from resources(f"{where} Pattern {name}", pattern.get("/Resources"), depth + 1)
        fonts = res.get("/Font")
        for name, font in (fonts.items() if _is(fonts, Dictionary) else []):
            if _is(font, Dictionary) and font.get("/Subtype") == Name.Type3:
                yield from resources(f"{where} Font {name}", font.get("/Resources"), depth + 1)

    for number, page in enumerate(pdf.pages, 1):
        where = f"page {number} resources"
        yield from resources(where, page.obj.get("/Resources"), 0)
        for annot in page.obj.get("/Annots", []) if _is(page.obj.get("/Annots"), pikepdf.Array) else []:
            appearances = annot.get("/AP") if _is(annot, Dictionary) else None
            for state in (appearances.values() if _is(appearances, Dictionary) else []):
                streams = [state] if _is(state, Stream) else list(state.values()) if _is(state, Dictionary) else []
                for stream in streams:
                    if _is(stream, Stream):
                        yield from resources(f"{where} annotation", stream.get("/Resources"), 1)


def images(pdf: pikepdf.Pdf) -> Iterator[tuple[str, object]]:
    """(where, image XObject) for every image the pages reach, its soft mask and mask too."""
    for where, kind, obj in resources_objects(pdf):
        if kind == "image":
            yield where, obj
