"""The theme's font files, as the writers that embed them need them: which faces a folder holds
(family and style from each file's own name and OS/2 tables), a face subset to some characters,
and a subset face wrapped as WOFF for a web page.

All three go through HarfBuzz (libharfbuzz-subset0, which scripts/system-deps.sh installs for
WeasyPrint too) by the standard library's ctypes: subsetting is some 50 times faster than
fontTools' subsetter on Lato (a quarter of a second a face), and neither fontTools (90 ms to
import) nor cffi's declaration parser (pycparser, 50 ms) is loaded on a build that embeds fonts,
which the DOCX (`writers/docx/fonts.py`) and the HTML page (`writers/html.py`) both do.
"""

from __future__ import annotations

import ctypes
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONT_FORMATS = {".ttf", ".otf"}
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))  # printable ASCII: a reader's search, an edit, a field

HB_MEMORY_MODE_DUPLICATE = 0
HB_SUBSET_FLAGS_NO_HINTING = 0x1  # screen hinting: a third of the size, and not what the PDF shows either
HB_SUBSET_FLAGS_NOTDEF_OUTLINE = 0x40
NAME_IDS = (21, 16, 1)  # WWS family, typographic family, family: the first a face has (as fontTools' getBestFamilyName)
FS_SELECTION = 62  # offset of OS/2.fsSelection: bit 0 italic, bit 5 bold


@dataclass(frozen=True)
class Face:
    path: Path
    family: str
    bold: bool
    italic: bool


class SubsetterMissing(RuntimeError):
    pass


_SIGNATURES = {  # name: (result type, argument types)
    "hb_blob_create": (ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p,
                                         ctypes.c_void_p]),
    "hb_blob_destroy": (None, [ctypes.c_void_p]),
    "hb_blob_get_data": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint)]),
    "hb_face_create": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_uint]),
    "hb_face_destroy": (None, [ctypes.c_void_p]),
    "hb_face_reference_blob": (ctypes.c_void_p, [ctypes.c_void_p]),
    "hb_face_reference_table": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_uint32]),
    "hb_ot_name_get_utf8": (ctypes.c_uint, [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p,
                                            ctypes.POINTER(ctypes.c_uint), ctypes.c_char_p]),
    "hb_set_add": (None, [ctypes.c_void_p, ctypes.c_uint32]),
    "hb_subset_input_create_or_fail": (ctypes.c_void_p, []),
    "hb_subset_input_destroy": (None, [ctypes.c_void_p]),
    "hb_subset_input_unicode_set": (ctypes.c_void_p, [ctypes.c_void_p]),
    "hb_subset_input_set_flags": (None, [ctypes.c_void_p, ctypes.c_uint]),
    "hb_subset_or_fail": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_void_p]),
}


@lru_cache(maxsize=1)
def _harfbuzz() -> ctypes.CDLL:
    """libharfbuzz-subset (and, through it, libharfbuzz), its functions typed."""
    for name in ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "harfbuzz-subset"):
        try:
            hb = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        raise SubsetterMissing("libharfbuzz-subset is not installed (scripts/system-deps.sh installs it)")
    for function, (result, arguments) in _SIGNATURES.items():
        getattr(hb, function).restype = result
        getattr(hb, function).argtypes = arguments
    return hb


def _blob_bytes(hb, blob) -> bytes:
    length = ctypes.c_uint()
    pointer = hb.hb_blob_get_data(blob, ctypes.byref(length))
    return ctypes.string_at(pointer, length.value) if pointer else b""


class _Face:
    """A HarfBuzz face over a font's bytes, destroyed on leaving the `with`."""

    def __init__(self, data: bytes):
        self.hb = _harfbuzz()
        self.blob = self.hb.hb_blob_create(data, len(data), HB_MEMORY_MODE_DUPLICATE, None, None)
        self.face = self.hb.hb_face_create(self.blob, 0)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.hb.hb_face_destroy(self.face)
        self.hb.hb_blob_destroy(self.blob)

    def name(self, name_id: int) -> str:
        size = ctypes.c_uint(256)
        text = ctypes.create_string_buffer(size.value)
        self.hb.hb_ot_name_get_utf8(self.face, name_id, None, ctypes.byref(size), text)
        return text.value.decode("utf-8")

    def table(self, tag: str) -> bytes:
        blob = self.hb.hb_face_reference_table(self.face, int.from_bytes(tag.encode("ascii"), "big"))
        try:
            return _blob_bytes(self.hb, blob)
        finally:
            self.hb.hb_blob_destroy(blob)


@lru_cache(maxsize=4)
def faces_in(folder: Path) -> tuple[Face, ...]:
    """The TrueType faces in `folder`, with the family and style their own tables give."""
    found = []
    for path in sorted(p for p in folder.glob("*") if p.suffix.lower() in FONT_FORMATS and p.is_file()):
        with _Face(path.read_bytes()) as face:
            family = next((name for name in map(face.name, NAME_IDS) if name), path.stem)
            os2 = face.table("OS/2")
        style = struct.unpack_from(">H", os2, FS_SELECTION)[0] if len(os2) >= FS_SELECTION + 2 else 0
        found.append(Face(path, family, bold=bool(style & 0x20), italic=bool(style & 0x01)))
    return tuple(found)


def subset(path: Path, text: str) -> bytes:
    """The face at `path` with only the glyphs `text` needs (and what its layout features reach)."""
    with _Face(path.read_bytes()) as face:
        hb = face.hb
        request = hb.hb_subset_input_create_or_fail()
        try:
            unicodes = hb.hb_subset_input_unicode_set(request)
            for char in text:
                hb.hb_set_add(unicodes, ord(char))
            hb.hb_subset_input_set_flags(request, HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_NOTDEF_OUTLINE)
            result = hb.hb_subset_or_fail(face.face, request)
            if not result:
                raise SubsetterMissing(f"HarfBuzz could not subset {path.name}")
            blob = hb.hb_face_reference_blob(result)
            try:
                return _blob_bytes(hb, blob)
            finally:
                hb.hb_blob_destroy(blob)
                hb.hb_face_destroy(result)
        finally:
            hb.hb_subset_input_destroy(request)


def woff(sfnt: bytes) -> bytes:
    """`sfnt` (a TrueType or OpenType font's bytes) as WOFF 1.0 (W3C, 2012): each table
    zlib-compressed where that makes it smaller, in the font's own table order by tag, no
    metadata. WOFF rather than WOFF2: WOFF2's Brotli at the quality fonts are made with and its
    glyph transform took 0.27 s a build for Surrey's four faces, against 0.01 s, for 14 KB less."""
    flavor, count = struct.unpack_from(">IH", sfnt, 0)
    entries = sorted(struct.unpack_from(">4sIII", sfnt, 12 + 16 * i) for i in range(count))
    directory, tables = [], []
    offset = 44 + 20 * count
    total = 12 + 16 * count
    for tag, checksum, start, length in entries:
        data = sfnt[start:start + length]
        packed = zlib.compress(data, 9)
        stored = packed if len(packed) < length else data
        directory.append(struct.pack(">4sIIII", tag, offset, len(stored), length, checksum))
        tables.append(stored + b"\0" * (-len(stored) % 4))
        offset += len(tables[-1])
        total += length + (-length % 4)
    header = struct.pack(">IIIHHIHHIIIII", 0x774F4646, flavor, offset, count, 0, total, 1, 0, 0, 0, 0, 0, 0)
    return header + b"".join(directory) + b"".join(tables)
