"""The theme's font files, as the writers that embed them need them: which faces a folder holds
(family and style from each file's own name and OS/2 tables), a face subset to some characters,
and a subset face as WOFF2 for a web page.

Reading and subsetting go through HarfBuzz (libharfbuzz-subset0, which scripts/system-deps.sh
installs for WeasyPrint too) by the standard library's ctypes: subsetting is some 50 times faster
than fontTools' subsetter on Lato (a quarter of a second a face), and neither fontTools (90 ms to
import) nor cffi's declaration parser (pycparser, 50 ms) is loaded on a build that embeds fonts,
which the DOCX (`writers/docx/fonts.py`) and the HTML page (`writers/html.py`) both do; fontTools
encodes WOFF2 only when the cache has no such entry (`web_font`).
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.resources import cache_load, cache_store

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
    """The font faces (.ttf, .otf) in `folder`, with the family and style their own tables give."""
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


WEB_FONT_FORMAT = b"woff2 1"  # part of each cache key: a change of encoding misses the old entries


def web_font(path: Path, characters: str) -> bytes:
    """The face at `path` subset to `characters`, as WOFF2 for a web page.

    WOFF2's Brotli (at the quality fonts are made with) and its glyph transform cost 0.27 s for
    Surrey's four faces, against 0.01 s for WOFF, which is 14 KB larger (65 KB against 51 KB).
    The page is read far more often than it is built, so it gets WOFF2, and each encoding is kept
    in the cache folder (`resources.cache_load`, `cache_store`: signed entries in a private
    folder), keyed by the font's bytes and the characters: an author's next build, with the same
    characters, reads it back. An entry that is missing, or fails its signature (anyone else's,
    or damaged), is encoded afresh and replaced; a cache that cannot be written is no cache."""
    data = path.read_bytes()
    name = hashlib.sha256(b"\0".join((WEB_FONT_FORMAT, data, characters.encode("utf-8")))).hexdigest() + ".woff2"
    kept = cache_load("fonts", name)
    if kept is not None and kept[:4] == b"wOF2" and len(kept) > 12 and \
            struct.unpack_from(">I", kept, 8)[0] == len(kept):
        return kept
    encoded = _woff2(subset(path, characters))
    cache_store("fonts", name, encoded)
    return encoded


def _woff2(sfnt: bytes) -> bytes:
    import logging  # noqa: PLC0415

    from fontTools.ttLib import TTFont  # noqa: PLC0415 - only when the cache has no entry

    quiet = logging.getLogger("fontTools")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # Lato's 'created' date of 0 draws a warning on the terminal
    try:
        font = TTFont(io.BytesIO(sfnt), recalcTimestamp=False)
        font.flavor = "woff2"
        out = io.BytesIO()
        font.save(out)
    finally:
        quiet.setLevel(level)
    return out.getvalue()
