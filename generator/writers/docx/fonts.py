"""The theme's fonts, embedded in the DOCX, so that Word and LibreOffice lay it out the same on a
machine that does not have them (ISO/IEC 29500-1 §17.8.1, "Font Embedding").

Each face is subset to the characters the document uses (plus printable ASCII, so that fields
Word updates, and small edits, still find their glyphs), obfuscated as the format requires (the
first 32 bytes XORed with the font key, a GUID), stored as word/fonts/fontN.odttf, and declared
in fontTable.xml (w:embedRegular, w:embedBold, ...). settings.xml says w:embedTrueTypeFonts and
w:saveSubsetFonts.

Which fonts: the faces in the theme's font folder (styles/fonts/*.ttf) whose family the
document's styles name (w:rFonts); a house reference document in another font embeds nothing.
The font key is derived from the face's bytes, so the same content gives the same file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn

from generator.writers.docx import xml as X

OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
# the fontTable element for each face, by (bold, italic)
EMBED_TAGS = {(False, False): "w:embedRegular", (True, False): "w:embedBold",
              (False, True): "w:embedItalic", (True, True): "w:embedBoldItalic"}
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))  # printable ASCII


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
    for path in sorted(folder.glob("*.ttf")):
        font = TTFont(path, lazy=True)
        family = font["name"].getBestFamilyName()
        style = font["OS/2"].fsSelection
        found.append(Face(path, family, bold=bool(style & 0x20), italic=bool(style & 0x01)))
        font.close()
    return tuple(found)


def used_fonts(styles_root, document_roots) -> set[str]:
    """The font names the styles and the document's runs ask for (w:rFonts/@w:ascii, @w:hAnsi)."""
    names = set()
    for root in (styles_root, *document_roots):
        for fonts in root.iter(qn("w:rFonts")):
            for attr in ("w:ascii", "w:hAnsi", "w:cs"):
                value = fonts.get(qn(attr))
                if value:
                    names.add(value)
    return names


def used_characters(roots) -> str:
    chars = set(ALWAYS)
    for root in roots:
        for t in root.iter(qn("w:t")):
            chars.update(t.text or "")
        for lvl_text in root.iter(qn("w:lvlText")):  # list labels: bullets, "1."
            chars.update(lvl_text.get(qn("w:val"), ""))
    return "".join(sorted(chars))


def font_key(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:32].upper()
    return f"{{{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}}}"


def obfuscate(data: bytes, key: str) -> bytes:
    """XOR the first 32 bytes with the key's 16 bytes, in reverse order (§17.8.1)."""
    guid = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ guid[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


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
    """HarfBuzz's subsetter (libharfbuzz-subset0, which scripts/system-deps.sh installs for
    WeasyPrint too): some 50 times faster than fontTools' on Lato, which costs a quarter second a face."""
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


def embed_fonts(document, folder: Path) -> list[Face]:
    """Embed, in `document` (python-docx), the faces from `folder` its styles use; returns them."""
    package = document.part.package
    font_table = next((p for p in package.iter_parts() if p.partname == "/word/fontTable.xml"), None)
    if font_table is None:
        return []
    roots = [part.element for part in package.iter_parts() if hasattr(part, "element")]
    wanted = used_fonts(document.styles.element, roots)
    faces = [face for face in faces_in(folder) if face.family in wanted]
    if not faces:
        return []
    text = used_characters(roots)
    fonts_root = X.parse_part(font_table.blob)
    for number, face in enumerate(faces, start=1):
        data = subset(face.path, text)
        key = font_key(data)
        part = Part(PackURI(f"/word/fonts/font{number}.odttf"), OBFUSCATED_FONT, obfuscate(data, key), package)
        r_id = font_table.relate_to(part, RT.FONT)
        entry = _font_entry(fonts_root, face.family)
        X.put(entry, X.element(EMBED_TAGS[face.bold, face.italic], {"r:id": r_id, "w:fontKey": key}))
    font_table._blob = X.serialize(fonts_root)  # noqa: SLF001  (a plain Part keeps its bytes)
    settings = document.settings.element
    X.put(settings, X.element("w:embedTrueTypeFonts"))
    X.put(settings, X.element("w:saveSubsetFonts"))
    return faces


def _font_entry(fonts_root, family: str):
    for font in fonts_root.findall(qn("w:font")):
        if font.get(qn("w:name")) == family:
            return font
    return X.put(fonts_root, X.element("w:font", {"w:name": family}))
