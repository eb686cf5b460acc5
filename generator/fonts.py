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
import logging
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.inputs import InputError, read_input
from generator.resources import cache_load, cache_store

FONT_FORMATS = {".ttf", ".otf"}
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))  # printable ASCII: a reader's search, an edit, a field

HB_MEMORY_MODE_DUPLICATE = 0
HB_SUBSET_FLAGS_NO_HINTING = 0x1  # screen hinting: a third of the size, and not what the PDF shows either
HB_SUBSET_FLAGS_NOTDEF_OUTLINE = 0x40
NAME_IDS = (21, 16, 1)  # WWS family, typographic family, family: the first a face has (as fontTools' getBestFamilyName)
FS_SELECTION = 62  # offset of OS/2.fsSelection: bit 0 italic, bit 5 bold


class _FontDates(logging.Filter):
    """Drops fontTools' notes on a font file's own dates ("'created' timestamp seems very low;
    regarding as unix timestamp", Lato's and others' created date of 0): about the font's header,
    nothing a report's author can act on, and printed on stderr by Python's last-resort handler
    on every draft build (the watermark reads the shipped font). Only those two messages of the
    head table's logger; every other record of fontTools, and every diagnostic of ours, passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and ("timestamp seems very low" in record.msg
                                                     or "timestamp out of range" in record.msg))


_FONT_DATES = _FontDates()


def quiet_font_dates() -> None:
    """Install `_FontDates` on fontTools' head-table logger (once; before fontTools reads a font)."""
    logger = logging.getLogger("fontTools.ttLib.tables._h_e_a_d")
    if _FONT_DATES not in logger.filters:
        logger.addFilter(_FONT_DATES)


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


def font_files(folder: Path) -> list[Path]:
    """The font files (.ttf, .otf, any case) in `folder`, in name order (whatever kind of file they are)."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_FORMATS)


def read_font(path: Path, root: Path | None = None) -> bytes:
    """A font file's bytes, read as every untrusted file is (`generator.inputs`): symlinks followed
    and confined to `root` (default: the file's own folder), a regular file, at most the font limit."""
    return read_input(path, (Path(root or Path(path).parent).resolve(),), "font")


def face_of(data: bytes, path: Path) -> Face:
    """The family and style of the font in `data` (its name table's family, else the file's name)."""
    with _Face(data) as face:
        family = next((name for name in map(face.name, NAME_IDS) if name), path.stem)
        os2 = face.table("OS/2")
    style = struct.unpack_from(">H", os2, FS_SELECTION)[0] if len(os2) >= FS_SELECTION + 2 else 0
    return Face(path, family, bold=bool(style & 0x20), italic=bool(style & 0x01))


@lru_cache(maxsize=4)
def faces_in(folder: Path) -> tuple[Face, ...]:
    """The font faces (.ttf, .otf) in `folder`, with the family and style their own tables give.

    `folder` is a theme's font folder, already confined to its theme (`Theme.fonts_dir`); each file
    is read confined to it. A file that cannot be read so is not a face (`check` reported it:
    `themes.check_fonts`)."""
    found = []
    root = folder.resolve()
    for path in font_files(root):
        try:
            data = read_font(path, root)
        except InputError:
            continue
        found.append(face_of(data, path.resolve()))
    return tuple(found)


MAX_GLYPHS = 65_535  # what a TrueType or CFF font can number


def font_problem(data: bytes) -> str | None:
    """Why the font in `data` cannot be used, or None. fontTools reads its table directory and the
    bytes of every table (a truncated file fails here) and decompiles the small tables every
    writer reads; HarfBuzz reads its names and subsets it to printable ASCII, as the DOCX and the
    page do; fontTools then reads that subset whole, every glyph's outline included, as the
    page's WOFF2 encoding does. A damaged, truncated or random file gives a reason, never an
    exception (some 0.1 s for Lato: the big tables are read by HarfBuzz, which is made for it)."""
    import logging  # noqa: PLC0415

    from fontTools.ttLib import TTFont  # noqa: PLC0415 - only `check` of a theme with fonts pays for it

    quiet = logging.getLogger("fontTools")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        font = TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False)  # tables read when asked
        if font.sfntVersion not in ("\0\1\0\0", "OTTO", "true"):
            return "it is not a TrueType or OpenType font"
        outlines = "glyf" if "glyf" in font else "CFF " if "CFF " in font else None
        missing = [tag for tag in ("head", "hhea", "maxp", "cmap", "name", "hmtx", "post", "OS/2") if tag not in font]
        if missing or outlines is None:
            return f"it has no {', '.join(missing) or 'glyf or CFF'} table"
        for tag in font.reader.keys():
            font.reader[tag]  # noqa: B018 - the table's bytes, all there
        for tag in ("head", "hhea", "maxp", "OS/2", "post", "hmtx", *(("loca",) if outlines == "glyf" else ())):
            font[tag]  # noqa: B018 - decompiling the table is the check
        if font["maxp"].numGlyphs > MAX_GLYPHS:
            return f"it has {font['maxp'].numGlyphs} glyphs"
        with _Face(data) as face:
            if not any(map(face.name, NAME_IDS)):
                return "it has no family name"
        sample = subset_bytes(data, ALWAYS)
        if sample is None:
            return "HarfBuzz cannot subset it"
        small = TTFont(io.BytesIO(sample), lazy=False, recalcTimestamp=False, recalcBBoxes=False)
        if not small.getBestCmap():
            return "it maps no printable ASCII character to a glyph"
        if "glyf" in small:
            for name in small.getGlyphOrder():
                small["glyf"][name].expand(small["glyf"])
    except SubsetterMissing:
        return None  # no HarfBuzz here: the build says so itself
    except Exception as exc:  # noqa: BLE001 - fontTools raises whatever a damaged table makes it raise
        return f"fontTools cannot read it ({type(exc).__name__}: {str(exc)[:120] or 'damaged'})"
    finally:
        quiet.setLevel(level)
    return None


def subset_bytes(data: bytes, text: str) -> bytes | None:
    """The font in `data` with only the glyphs `text` needs, or None when HarfBuzz cannot subset it."""
    with _Face(data) as face:
        hb = face.hb
        request = hb.hb_subset_input_create_or_fail()
        try:
            unicodes = hb.hb_subset_input_unicode_set(request)
            for char in text:
                hb.hb_set_add(unicodes, ord(char))
            hb.hb_subset_input_set_flags(request, HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_NOTDEF_OUTLINE)
            result = hb.hb_subset_or_fail(face.face, request)
            if not result:
                return None
            blob = hb.hb_face_reference_blob(result)
            try:
                return _blob_bytes(hb, blob)
            finally:
                hb.hb_blob_destroy(blob)
                hb.hb_face_destroy(result)
        finally:
            hb.hb_subset_input_destroy(request)


def subset(path: Path, text: str) -> bytes:
    """The face at `path` with only the glyphs `text` needs (and what its layout features reach)."""
    data = subset_bytes(read_font(path), text)
    if data is None:
        raise SubsetterMissing(f"HarfBuzz could not subset {path.name}")
    return data


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
    data = read_font(path)
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
