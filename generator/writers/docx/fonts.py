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
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn

from generator.fonts import ALWAYS, Face, faces_in, subset
from generator.writers.docx import xml as X

OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
# the fontTable element for each face, by (bold, italic)
EMBED_TAGS = {(False, False): "w:embedRegular", (True, False): "w:embedBold",
              (False, True): "w:embedItalic", (True, True): "w:embedBoldItalic"}


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
