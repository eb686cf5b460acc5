"""The text a tagged PDF's content streams hold, per marked-content sequence, as assistive
technology reads it: the glyphs' Unicode (the fonts' /ToUnicode maps) in stream order, with no
space guessed from where the glyphs are drawn (pdftotext guesses; a screen reader does not).

`marked_text(pdf)` reads every page once: for each marked-content sequence with an MCID, its
text, and the baseline of its first and last text operator; `elem_text(elem, texts)` is what a
structure element says (its /ActualText if it has one, else its marked content and kids in order).
Shared by the PDF checks and the tests; it never changes the file.

`page_glyphs(pdf, page)` is the finer reading a reviewed PDF needs (generator/review/pdf.py):
each glyph with its MCID and its box on the page, from the fonts' advance widths and the text
state, so that an annotation's quad points say which words it marks. Streams are inflated within
bounds (`bounded_bytes`), and a CMap's ranges are bounded: the file may be anyone's.
"""

from __future__ import annotations

import binascii

import re
from dataclasses import dataclass

import pikepdf

from generator.formats.pdf_tree import MC, Elem

_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_BLOCK = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_TOKEN = re.compile(rb"<[0-9A-Fa-f\s]*>|\[|\]")


def _hex(token: bytes) -> bytes:
    return bytes.fromhex(re.sub(rb"\s", b"", token.strip(b"<>")).decode())


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", "replace") if len(data) % 2 == 0 else data.decode("latin-1")


def _unmapped(codes: str, table: dict) -> bool:
    return not set(map(ord, codes)) <= table.keys()


@dataclass
class FontMap:
    """One font's codes -> Unicode: `width` bytes a code, `chars` from its /ToUnicode CMap."""

    width: int
    chars: dict

    def __post_init__(self):
        # one code as one character (its number), mapped by str.translate: fast for long runs
        self.table = {int.from_bytes(code, "big"): text for code, text in self.chars.items()}

    def decode(self, data: bytes) -> str:
        """The Unicode of a string of codes (a code the map lacks reads as U+FFFD)."""
        if self.width == 2:
            codes = data[:len(data) - len(data) % 2].decode("utf-16-be", "surrogatepass")
        elif self.width == 1:
            codes = data.decode("latin-1")
        else:
            return "".join(self.chars.get(data[i:i + self.width], "\ufffd")
                           for i in range(0, len(data) - self.width + 1, self.width))
        if _unmapped(codes, self.table):
            return "".join(self.table.get(ord(c), "\ufffd") for c in codes)
        return codes.translate(self.table)


MAX_CMAP_BYTES = 4_000_000  # a CMap of every code of a 2-byte font is about 1.5 MB
MAX_CMAP_CODES = 200_000
MAX_CONTENT_BYTES = 50_000_000  # one page's content streams, decoded: a 400-page report's page is ~100 KB


def marked_content(op: str, operands, stack: list, artifact: bool, mcid):
    """A marked-content operator read: BDC and BMC open a sequence (an /Artifact, or one with its
    own /MCID), EMC closes the innermost. Returns (inside an artifact, the innermost MCID, the
    MCID this operator opened or None); `stack` keeps the open sequences' (artifact, MCID)."""
    if op == "EMC":
        if stack:
            stack.pop()
        artifact, mcid = stack[-1] if stack else (False, None)
        return artifact, mcid, None
    own = None
    if op == "BDC" and len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary):
        value = operands[1].get("/MCID")
        own = int(value) if isinstance(value, int) else None
    artifact = artifact or (bool(operands) and str(operands[0]) == "/Artifact")
    mcid = own if own is not None else mcid
    stack.append((artifact, mcid))
    return artifact, mcid, own


def bounded_bytes(stream, limit: int) -> bytes | None:
    """A stream's decoded bytes, or None when they would pass `limit`: its inflated size is counted
    first, in chunks, keeping nothing (`pdf_streams.stream_size`: a deflate bomb is inflated only
    as far as the limit), and the stream decoded only within it."""
    import zlib  # noqa: PLC0415

    from generator.formats.pdf_streams import Refused, stream_size  # noqa: PLC0415

    try:
        if stream_size(stream, limit) > limit:
            return None
        data = stream.read_bytes()
    except (Refused, pikepdf.PdfError, zlib.error, ValueError, binascii.Error):
        return None
    return data if len(data) <= limit else None


def font_map(font) -> FontMap:
    """Parse a font's /ToUnicode (bfchar and bfrange); a simple font without one reads as Latin-1."""
    width = 2 if font.get("/Subtype") == "/Type0" else 1
    chars: dict[bytes, str] = {}
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return FontMap(1, {bytes([i]): chr(i) for i in range(256)}) if width == 1 else FontMap(2, {})
    data = bounded_bytes(cmap, MAX_CMAP_BYTES) or b""
    for kind, body in _BLOCK.findall(data):
        tokens = _TOKEN.findall(body)
        if kind == b"bfchar":
            for src, dst in zip(tokens[::2], tokens[1::2]):
                chars[_hex(src)] = _utf16(_hex(dst))
            continue
        i = 0
        while i + 2 < len(tokens):
            lo, hi, dst = _hex(tokens[i]), _hex(tokens[i + 1]), tokens[i + 2]
            n_lo, n_hi, size = int.from_bytes(lo, "big"), int.from_bytes(hi, "big"), len(lo)
            if dst == b"[":
                end = tokens.index(b"]", i + 3) if b"]" in tokens[i + 3:] else len(tokens)
                for offset, item in enumerate(tokens[i + 3:end]):
                    chars[(n_lo + offset).to_bytes(size, "big")] = _utf16(_hex(item))
                i = end + 1
                continue
            base = _hex(dst)
            # a range differs only in its last byte (ISO 32000-1 9.10.3): at most 256 codes; a hostile
            # CMap's <0000> <FFFFFFFF> must not become four billion entries
            for offset in range(max(0, min(n_hi - n_lo + 1, 256, MAX_CMAP_CODES - len(chars)))):
                value = (int.from_bytes(base, "big") + offset).to_bytes(len(base), "big")
                chars[(n_lo + offset).to_bytes(size, "big")] = _utf16(value)
            i += 3
        width = max((len(k) for k in chars), default=width)
    return FontMap(width, chars)


@dataclass
class Marked:
    """One marked-content sequence as read: its text, and where (x, y of the text origin, in page
    space) its first and last text-showing operator start (None when it shows no text)."""

    text: str = ""
    first_y: float | None = None
    last_y: float | None = None
    first_x: float | None = None
    last_x: float | None = None
    painted: int = 0  # operators that paint: text shown, paths filled or stroked, images, shadings
    shown: int = 0  # text-showing operators (with a font or not)
    drawn: int = 0  # other painting operators: paths filled or stroked, images, shadings


_PAINT = {"Do", "sh", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "INLINE IMAGE"}
_SHOW = {"Tj", "TJ", "'", '"'}
_OPS = "BDC BMC EMC BT Tf Tj TJ ' \" Tm Td TD T* cm q Q " + " ".join(sorted(_PAINT - {"INLINE IMAGE"})) + " BI"


def _multiply(m, n):
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n  # noqa: N806
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _shown_bytes(operand) -> bytes:
    """The bytes a Tj string or a TJ array shows (a TJ's numbers are spacing, not text)."""
    if isinstance(operand, pikepdf.String):
        return bytes(operand)
    raw = operand.unparse()
    if b"(" not in raw:  # hex strings only (WeasyPrint's): one pass over the unparsed array
        return bytes.fromhex(b"".join(_HEX.findall(raw)).decode())
    return b"".join(bytes(s) for s in operand if isinstance(s, pikepdf.String))


def page_marked_text(page, fonts: dict | None = None, loose: Marked | None = None) -> dict[int, Marked]:
    """MCID -> Marked for one page (text in an /Artifact sequence is left out). `loose`, if given,
    counts the painting done outside any Artifact or MCID sequence (`shown`, `drawn`): content
    neither tagged nor an artifact, read in the same pass."""
    fonts = {} if fonts is None else fonts  # objgen -> FontMap, shared between pages
    loose = Marked() if loose is None else loose
    resources = page.obj.get("/Resources", {}).get("/Font", {})
    out: dict[int, Marked] = {}
    # per open sequence: (inside an Artifact, the innermost MCID around it): what the whole stack says
    stack: list[tuple[bool, int | None]] = []
    artifact, mcid = False, None  # the top of the stack, for the painting operators
    ctm, saved = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), []
    tm = line = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    leading = 0.0
    font: FontMap | None = None
    for operands, operator in pikepdf.parse_content_stream(page, _OPS):
        op = str(operator)
        if op in _SHOW:
            if artifact:
                continue
            marked = loose if mcid is None else out.setdefault(mcid, Marked())
            marked.shown += 1
            if mcid is None or font is None:
                continue
            text = font.decode(_shown_bytes(operands[0] if op == "TJ" else operands[-1]))
            a, b, c, d, e, f = ctm
            x, y = tm[4] * a + tm[5] * c + e, tm[4] * b + tm[5] * d + f  # the text origin in page space
            marked.text += text
            marked.painted += 1
            if text:
                if marked.first_y is None:
                    marked.first_x, marked.first_y = x, y
                marked.last_x, marked.last_y = x, y
        elif op == "Tm":
            tm = line = tuple(map(float, operands))
        elif op == "BT":
            tm = line = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        elif op == "Tf":
            obj = resources.get(str(operands[0]))
            if obj is None:
                font = None
            else:
                if obj.objgen not in fonts:
                    fonts[obj.objgen] = font_map(obj)
                font = fonts[obj.objgen]
        elif op in ("BDC", "BMC", "EMC"):
            artifact, mcid, own = marked_content(op, operands, stack, artifact, mcid)
            if own is not None and not artifact:
                out.setdefault(own, Marked())
        elif op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop() if saved else ctm
        elif op == "cm":
            ctm = _multiply(tuple(map(float, operands)), ctm)
        elif op in ("Td", "TD", "T*"):
            tx, ty = (float(operands[0]), float(operands[1])) if op != "T*" else (0.0, -leading)
            if op == "TD":
                leading = -ty
            tm = line = _multiply((1, 0, 0, 1, tx, ty), line)
        elif op in _PAINT:
            if artifact:
                continue
            marked = loose if mcid is None else out.setdefault(mcid, Marked())
            marked.drawn += 1
            marked.painted += mcid is not None
    return out


def marked_text(pdf, loose: dict | None = None) -> dict[tuple, Marked]:
    """(page objgen, MCID) -> Marked, for every page of `pdf`. `loose`, if given, is filled with
    page objgen -> the Marked tally of what that page paints outside any marked sequence."""
    fonts: dict = {}
    out = {}
    for page in pdf.pages:
        tally = Marked()
        out.update(((page.objgen, mcid), marked) for mcid, marked in page_marked_text(page, fonts, tally).items())
        if loose is not None:
            loose[page.objgen] = tally
    return out


def elem_text(elem: Elem, texts: dict) -> str:
    """What a structure element says: its /ActualText, else its content and kids in order."""
    actual = elem.obj.get("/ActualText")
    if actual is not None:
        return str(actual)
    parts = []
    for kid in elem.kids:
        if isinstance(kid, MC):
            marked = texts.get((kid.page.objgen, kid.mcid)) if kid.page is not None else None
            parts.append(marked.text if marked else "")
        elif isinstance(kid, Elem):
            parts.append(elem_text(kid, texts))
    return "".join(parts)


# Block-level structure types (ISO 32000-1 14.8.4.2-14.8.4.3, with the list and table elements):
# what a reader hears as separate pieces. Everything else (Span, Link, Note, Reference, Quote,
# Code, ...) runs on in the text around it, so only the text itself keeps words apart.
BLOCKS = {"Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
          "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody", "Table", "THead",
          "TBody", "TFoot", "TR", "TH", "TD", "Figure", "Formula", "Form"}


def is_block(elem: Elem) -> bool:
    if elem.tag in BLOCKS:
        return True
    return elem.tag == "NonStruct" and any(is_block(k) for k in elem.elems())


def block_texts(tree, texts: dict | None = None) -> list[tuple[Elem, str]]:
    """Each block-level element's own text (its inline kids' text run on; a block kid is a piece
    of its own), in reading order: what the words of a document are read from."""
    texts = marked_text(tree.pdf) if texts is None else texts
    out: list[tuple[Elem, str]] = []

    def visit(elem: Elem) -> None:
        parts: list[str] = []
        if "/ActualText" in elem.obj:
            out.append((elem, str(elem.obj.ActualText)))
            return
        for kid in elem.kids:
            if isinstance(kid, Elem) and is_block(kid):
                if parts:
                    out.append((elem, "".join(parts)))
                    parts = []
                visit(kid)
            elif isinstance(kid, Elem):
                parts.append(elem_text(kid, texts))
            elif isinstance(kid, MC):
                marked = texts.get((kid.page.objgen, kid.mcid)) if kid.page is not None else None
                parts.append(marked.text if marked else "")
        if parts:
            out.append((elem, "".join(parts)))

    for top in tree.top:
        visit(top)
    return out




# --------------------------------------------------------------------------- glyphs and where they are


@dataclass(frozen=True)
class Glyph:
    """One glyph shown on a page: its Unicode, the MCID of the marked content around it (None
    outside any), and its box in default user space (x0, y0, x1, y1; y up), from the font's
    advance widths and the text state (ISO 32000-1 9.4.4). The box runs from a quarter of the
    font size below the baseline to nine tenths above: enough to tell which line a point is on."""

    text: str
    mcid: int | None
    box: tuple[float, float, float, float]

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


MAX_WIDTH_ENTRIES = 70_000


@dataclass
class _Metrics:
    """A font's codes as `FontMap` decodes them, and each code's advance width (thousandths of an em)."""

    map: FontMap
    widths: dict
    default: float
    vertical_scale: float = 0.001  # Type 3 fonts have their own matrix; others are in thousandths


def _metrics(font) -> _Metrics:
    mapping = font_map(font)
    widths: dict[int, float] = {}
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        cid = descendants[0] if isinstance(descendants, pikepdf.Array) and len(descendants) else {}
        default = _number(cid.get("/DW"), 1000.0)
        array = cid.get("/W")
        items = list(array)[:MAX_WIDTH_ENTRIES] if isinstance(array, pikepdf.Array) else []
        i = 0
        while i + 1 < len(items) and len(widths) < MAX_WIDTH_ENTRIES:
            first = _number(items[i], None)
            if first is None:
                break
            if isinstance(items[i + 1], pikepdf.Array):
                for offset, width in enumerate(list(items[i + 1])[:MAX_WIDTH_ENTRIES]):
                    widths[int(first) + offset] = _number(width, default)
                i += 2
            elif i + 2 < len(items):
                last, width = _number(items[i + 1], first), _number(items[i + 2], default)
                for code in range(int(first), int(first) + max(0, min(int(last) - int(first) + 1, MAX_WIDTH_ENTRIES))):
                    widths[code] = width
                i += 3
            else:
                break
        return _Metrics(mapping, widths, default)
    first = int(_number(font.get("/FirstChar"), 0))
    array = font.get("/Widths")
    for offset, width in enumerate(list(array)[:256] if isinstance(array, pikepdf.Array) else []):
        widths[first + offset] = _number(width, 0.0)
    scale = 0.001
    if font.get("/Subtype") == "/Type3":
        matrix = font.get("/FontMatrix")
        scale = _number(matrix[0], 0.001) if isinstance(matrix, pikepdf.Array) and len(matrix) == 6 else 0.001
    return _Metrics(mapping, widths, 500.0, scale)


def _number(value, default):
    try:
        number = float(value)
    except (TypeError, ValueError, pikepdf.PdfError):
        return default
    return number if abs(number) < 1e9 else default


def page_glyphs(pdf, page, fonts: dict | None = None, contents: bytes | None = None) -> list[Glyph]:
    """Every glyph a page of `pdf` shows outside artifacts, in stream order, with its
    MCID and box. `contents`: the page's content bytes if already read (bounded by the caller);
    else read here within MAX_CONTENT_BYTES (a page past it shows no glyphs). Form XObjects are
    not entered (our PDFs draw text in the page itself)."""
    fonts = {} if fonts is None else fonts
    if contents is None:
        contents = bounded_page_contents(page)
        if contents is None:
            return []
    resources = page.obj.get("/Resources", {}).get("/Font", {})
    out: list[Glyph] = []
    stack: list[tuple[bool, int | None]] = []
    artifact, mcid = False, None
    ctm, saved = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), []
    tm = line = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    leading = char_spacing = word_spacing = rise = 0.0
    scale = 1.0
    size = 0.0
    font: _Metrics | None = None
    for operands, operator in pikepdf.parse_content_stream(pikepdf.Stream(pdf, contents), _GLYPH_OPS):
        op = str(operator)
        if op in _SHOW:
            if op == "'" or op == '"':
                if op == '"' and len(operands) == 3:
                    word_spacing, char_spacing = _number(operands[0], 0.0), _number(operands[1], 0.0)
                tm = line = _multiply((1, 0, 0, 1, 0.0, -leading), line)
            if font is None or not operands:
                continue
            pieces = operands[0] if op == "TJ" else operands[-1]
            items = list(pieces) if isinstance(pieces, pikepdf.Array) else [pieces]
            for item in items:
                if not isinstance(item, pikepdf.String):
                    tm = _multiply((1, 0, 0, 1, -_number(item, 0.0) / 1000 * size * scale, 0), tm)
                    continue
                data = bytes(item)
                width = font.map.width if font.map.width in (1, 2) else 1
                for start in range(0, len(data) - width + 1, width):
                    code = data[start:start + width]
                    number = int.from_bytes(code, "big")
                    advance = font.widths.get(number, font.default) * font.vertical_scale * size
                    advance = (advance + char_spacing + (word_spacing if width == 1 and number == 32 else 0.0)) * scale
                    if not artifact:
                        m = _multiply(tm, ctm)
                        xs, ys = [], []
                        for x, y in ((0.0, -0.25 * size + rise), (advance, -0.25 * size + rise),
                                     (0.0, 0.9 * size + rise), (advance, 0.9 * size + rise)):
                            xs.append(x * m[0] + y * m[2] + m[4])
                            ys.append(x * m[1] + y * m[3] + m[5])
                        out.append(Glyph(font.map.decode(code), mcid, (min(xs), min(ys), max(xs), max(ys))))
                    tm = _multiply((1, 0, 0, 1, advance, 0), tm)
        elif op == "Tm" and len(operands) == 6:
            tm = line = tuple(_number(v, 0.0) for v in operands)
        elif op == "BT":
            tm = line = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        elif op == "Tf" and len(operands) == 2:
            size = _number(operands[1], 0.0)
            obj = resources.get(str(operands[0])) if isinstance(operands[0], pikepdf.Name) else None
            if not isinstance(obj, pikepdf.Dictionary):
                font = None
            else:
                if obj.objgen not in fonts or not isinstance(fonts[obj.objgen], _Metrics):
                    fonts[obj.objgen] = _metrics(obj)
                font = fonts[obj.objgen]
        elif op == "Tc" and operands:
            char_spacing = _number(operands[0], 0.0)
        elif op == "Tw" and operands:
            word_spacing = _number(operands[0], 0.0)
        elif op == "Tz" and operands:
            scale = _number(operands[0], 100.0) / 100
        elif op == "TL" and operands:
            leading = _number(operands[0], 0.0)
        elif op == "Ts" and operands:
            rise = _number(operands[0], 0.0)
        elif op in ("BDC", "BMC", "EMC"):
            artifact, mcid, _ = marked_content(op, operands, stack, artifact, mcid)
        elif op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop() if saved else ctm
        elif op == "cm" and len(operands) == 6:
            ctm = _multiply(tuple(_number(v, 0.0) for v in operands), ctm)
        elif op in ("Td", "TD", "T*"):
            if op == "T*":
                tx, ty = 0.0, -leading
            elif len(operands) == 2:
                tx, ty = _number(operands[0], 0.0), _number(operands[1], 0.0)
            else:
                continue
            if op == "TD":
                leading = -ty
            tm = line = _multiply((1, 0, 0, 1, tx, ty), line)
    return out


_GLYPH_OPS = "BDC BMC EMC BT Tf Tj TJ ' \" Tm Td TD T* Tc Tw Tz TL Ts cm q Q"


def bounded_page_contents(page, limit: int = MAX_CONTENT_BYTES) -> bytes | None:
    """A page's content streams decoded and joined, or None past `limit` (or unreadable)."""
    contents = page.obj.get("/Contents")
    parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    out, total = [], 0
    for part in parts[:10_000]:
        if not isinstance(part, pikepdf.Stream):
            continue
        data = bounded_bytes(part, limit - total)
        if data is None:
            return None
        total += len(data)
        out.append(data)
    return b"\n".join(out)
