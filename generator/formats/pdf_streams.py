"""How far an untrusted PDF's streams inflate, counted before anything decodes them whole.

A 1.2 MB PDF can hold a content stream that inflates to 1.2 GB (deflate reaches about 1030:1 on
zeros; two FlateDecode filters in a row, far more). pikepdf's `read_bytes`, its content-stream
parser and pdftotext each inflate a stream whole, in memory. So `inflated_size` streams every
stream but images through its filters in small chunks, keeping nothing, and stops as soon as
the total passes a budget (`generator.formats.package.PDF_MAX_INFLATED_BYTES`).

Counted: FlateDecode, LZWDecode, RunLengthDecode, ASCIIHexDecode and ASCII85Decode, in any
chain (the filters that expand text, fonts and forms); a stream with none counts its own length.
Image XObjects are not counted: nothing that reads text decodes them. A chain reaching a filter
that only images use (DCT, JPX, JBIG2, CCITT) counts what it has inflated up to there. Predictors
(/DecodeParms) only ever shrink the data, so the inflated size is an upper bound of the decoded.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from typing import Iterable, Iterator

IN_CHUNK = 64 * 1024  # compressed bytes fed at a time
OUT_CHUNK = 1 << 20  # most bytes one step may give
LZW_MAX_RAW_BYTES = 8_000_000  # LZW is decoded in Python: a bigger LZW stream is refused (no modern writer uses LZW)

ALIASES = {"/Fl": "/FlateDecode", "/LZW": "/LZWDecode", "/RL": "/RunLengthDecode", "/AHx": "/ASCIIHexDecode",
           "/A85": "/ASCII85Decode"}


class Refused(Exception):
    """A stream the count cannot bound (an LZW stream over LZW_MAX_RAW_BYTES)."""


def _chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), IN_CHUNK):
        yield data[start:start + IN_CHUNK]


def _flate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflate = zlib.decompressobj()
    for chunk in chunks:
        pending = chunk
        while pending and not inflate.eof:
            try:
                out = inflate.decompress(pending, OUT_CHUNK)
            except zlib.error:
                return  # damaged data: readers stop where it breaks, and so does the count
            pending = inflate.unconsumed_tail
            if out:
                yield out
        if inflate.eof:
            return


def _hex(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b">")
        digits = carry + re.sub(rb"[^0-9A-Fa-f]", b"", chunk if end < 0 else chunk[:end])
        carry, digits = (digits[-1:], digits[:-1]) if len(digits) % 2 else (b"", digits)
        if digits:
            yield binascii.unhexlify(digits)
        if end >= 0:
            break
    if carry:
        yield binascii.unhexlify(carry + b"0")


def _a85(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b"~")
        text = carry + re.sub(rb"\s", b"", chunk if end < 0 else chunk[:end]).replace(b"z", b"!!!!!")
        whole = len(text) - len(text) % 5
        carry = text[whole:]
        try:
            if whole:
                yield base64.a85decode(text[:whole])
        except ValueError:
            return
        if end >= 0:
            break
    try:
        if carry:
            yield base64.a85decode(carry)
    except ValueError:
        return


def _run_length(chunks: Iterable[bytes]) -> Iterator[bytes]:
    data, at = b"", 0
    for chunk in chunks:
        data, at = data[at:] + chunk, 0
        out = bytearray()
        while at < len(data):
            length = data[at]
            if length == 128:
                yield bytes(out)
                return
            need = length + 2 if length < 128 else 2
            if at + need > len(data):
                break
            out += data[at + 1:at + need] if length < 128 else data[at + 1:at + 2] * (257 - length)
            at += need
            if len(out) >= OUT_CHUNK:
                yield bytes(out)
                out = bytearray()
        if out:
            yield bytes(out)


def _lzw(chunks: Iterable[bytes], early: int = 1) -> Iterator[bytes]:
    """LZWDecode (ISO 32000-1 7.4.4), EarlyChange `early`."""
    table: list[bytes] = [bytes([i]) for i in range(256)] + [b"", b""]
    width, previous, bits, nbits = 9, None, 0, 0
    out = bytearray()
    for chunk in chunks:
        for byte in chunk:
            bits, nbits = (bits << 8) | byte, nbits + 8
            while nbits >= width:
                nbits -= width
                code = (bits >> nbits) & ((1 << width) - 1)
                bits &= (1 << nbits) - 1
                if code == 256:  # clear
                    del table[258:]
                    width, previous = 9, None
                    continue
                if code == 257:  # end of data
                    if out:
                        yield bytes(out)
                    return
                if code < len(table):
                    entry = table[code]
                elif code == len(table) and previous is not None:
                    entry = previous + previous[:1]
                else:
                    return  # damaged
                if previous is not None:
                    table.append(previous + entry[:1])
                previous = entry
                out += entry
                if len(table) + early >= (1 << width) and width < 12:
                    width += 1
                if len(out) >= OUT_CHUNK:
                    yield bytes(out)
                    out = bytearray()
    if out:
        yield bytes(out)


DECODERS = {"/FlateDecode": _flate, "/LZWDecode": _lzw, "/RunLengthDecode": _run_length,
            "/ASCIIHexDecode": _hex, "/ASCII85Decode": _a85}


def _filters(stream) -> list[str]:
    import pikepdf  # noqa: PLC0415

    value = stream.get("/Filter")
    names = list(value) if isinstance(value, pikepdf.Array) else [] if value is None else [value]
    return [ALIASES.get(str(name), str(name)) for name in names]


def stream_size(stream, budget: int) -> int:
    """The bytes `stream` (a pikepdf.Stream) inflates to through its filters, counted in chunks;
    past `budget` the count stops and returns a number over it."""
    raw = stream.read_raw_bytes()
    filters = _filters(stream)
    if "/LZWDecode" in filters and len(raw) > LZW_MAX_RAW_BYTES:
        raise Refused(f"an LZW-compressed stream of {len(raw):,} bytes (reportgen inflates LZW streams of at most "
                      f"{LZW_MAX_RAW_BYTES:,} bytes)")
    chunks: Iterable[bytes] = _chunks(raw)
    for name in filters:
        if name not in DECODERS:
            break  # an image codec: what reaches it is what is counted
        chunks = DECODERS[name](chunks)
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > budget:
            break
    return total


def is_image(stream) -> bool:
    return str(stream.get("/Subtype", "")) == "/Image"


def inflated_size(pdf, budget: int) -> tuple[int, object]:
    """The total the streams of `pdf` other than images inflate to, stopping once it passes
    `budget`: (the total, the object that passed it, else None)."""
    import pikepdf  # noqa: PLC0415

    total = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or is_image(obj):
            continue
        total += stream_size(obj, budget - total)
        if total > budget:
            return total, obj
    return total, None
