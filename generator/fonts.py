"""The theme's font files, as the writers that embed them need them: which faces a folder holds
(family and style from each file's own name table) and a face subset to some characters.

Subsetting is HarfBuzz's (libharfbuzz-subset0, which scripts/system-deps.sh installs for WeasyPrint
too), through cffi: some 50 times faster than fontTools' subsetter on Lato (a quarter of a second
a face), which the DOCX (`writers/docx/fonts.py`) and the HTML page (`writers/html.py`) would
otherwise pay on every build.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONT_FORMATS = {".ttf", ".otf"}
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))  # printable ASCII: a reader's search, an edit, a field


@dataclass(frozen=True)
class Face:
    path: Path
    family: str
    bold: bool
    italic: bool


@lru_cache(maxsize=4)
def faces_in(folder: Path) -> tuple[Face, ...]:
    """The TrueType faces in `folder`, with the family and style their own name tables give."""
    from fontTools.ttLib import TTFont  # noqa: PLC0415

    found = []
    for path in sorted(p for p in folder.glob("*") if p.suffix.lower() in FONT_FORMATS and p.is_file()):
        font = TTFont(path, lazy=True)
        family = font["name"].getBestFamilyName()
        style = font["OS/2"].fsSelection
        found.append(Face(path, family, bold=bool(style & 0x20), italic=bool(style & 0x01)))
        font.close()
    return tuple(found)


_HB_DECLARATIONS = """
typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t; typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode, void *user_data, void *destroy);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_set_add (hb_set_t *set, uint32_t codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
HB_MEMORY_MODE_DUPLICATE = 0
HB_SUBSET_FLAGS_NO_HINTING = 0x1  # screen hinting: a third of the size, and not what the PDF shows either
HB_SUBSET_FLAGS_NOTDEF_OUTLINE = 0x40


class SubsetterMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def _harfbuzz():
    """The cffi binding of libharfbuzz-subset."""
    import cffi  # noqa: PLC0415

    ffi = cffi.FFI()
    ffi.cdef(_HB_DECLARATIONS)
    for name in ("libharfbuzz-subset.so.0", "harfbuzz-subset", "libharfbuzz-subset.0.dylib"):
        try:
            return ffi, ffi.dlopen(name)
        except OSError:
            continue
    raise SubsetterMissing("libharfbuzz-subset is not installed (scripts/system-deps.sh installs it)")


def subset(path: Path, text: str) -> bytes:
    """The face at `path` with only the glyphs `text` needs (and what its layout features reach)."""
    ffi, hb = _harfbuzz()
    data = path.read_bytes()
    blob = hb.hb_blob_create(data, len(data), HB_MEMORY_MODE_DUPLICATE, ffi.NULL, ffi.NULL)
    face = hb.hb_face_create(blob, 0)
    request = hb.hb_subset_input_create_or_fail()
    try:
        unicodes = hb.hb_subset_input_unicode_set(request)
        for char in text:
            hb.hb_set_add(unicodes, ord(char))
        hb.hb_subset_input_set_flags(request, HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_NOTDEF_OUTLINE)
        result = hb.hb_subset_or_fail(face, request)
        if result == ffi.NULL:
            raise SubsetterMissing(f"HarfBuzz could not subset {path.name}")
        out = hb.hb_face_reference_blob(result)
        length = ffi.new("unsigned int *")
        pointer = hb.hb_blob_get_data(out, length)
        subsetted = bytes(ffi.buffer(pointer, length[0]))
        hb.hb_blob_destroy(out)
        hb.hb_face_destroy(result)
        return subsetted
    finally:
        hb.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
