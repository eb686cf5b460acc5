"""Opening files reportgen did not write: every file given to `reportgen text`, `diff`, `a11y`,
`review` and `build --reference-doc` is untrusted, and is opened here.

The line drawn (README, "Files reportgen reads"):

- `UnreadableFile`: the file cannot be opened as its kind at all, so the command was misused
  (exit status 2, one line): an unknown suffix, not a regular file, empty, over the size limits,
  not of its kind by its first bytes (no `%PDF-` header; not a ZIP package, or a ZIP package
  whose directory cannot be read or that holds no `word/document.xml`), encrypted (a PDF that
  needs a password, an OLE "encrypted package" or an encrypted ZIP entry), an HTML file that is
  not UTF-8 text, or a ZIP package refused by the limits below.
- `DamagedFile` (a subclass): the file is of its kind (the right header; a readable Word
  package) but broken inside: a PDF whose cross-reference table cannot be recovered, an XML part
  that does not parse, an entry whose data fails its CRC. `reportgen text` refuses it like the
  above; `reportgen a11y` reports it as the accessibility failure `<kind>-readable` (exit 1).

Limits (module constants, so that a caller or a test may lower them): any file at most
`MAX_FILE_BYTES` (200 MB: far above any report, and what pikepdf, python-docx and lxml can read
in memory). A ZIP package (DOCX) is checked in its central directory before python-docx reads
it: at most `ZIP_MAX_ENTRIES` entries and a directory of at most `ZIP_MAX_DIRECTORY_BYTES`, each
entry at most `ZIP_MAX_ENTRY_BYTES` uncompressed, all of them at most `ZIP_MAX_TOTAL_BYTES`, an
entry over 1 MB compressed at most `ZIP_MAX_RATIO`:1, only stored or deflated entries, none
encrypted. The directory can lie (python's zipfile inflates a whole entry in one call before it
cuts it to the declared size), so every entry is then inflated once, in small bounded chunks,
and refused as soon as it gives more than it declares. A PDF is refused if its streams other than
images inflate to more than `PDF_MAX_INFLATED_BYTES` in all, counted in small chunks before
anything decodes one (`generator.formats.pdf_streams`; qpdf's own per-stream limits are set to
the same for what it inflates on opening).

Imports nothing heavy at module level: pikepdf and python-docx only in the function opening
their kind of file.
"""

from __future__ import annotations

import os
import re
import stat
from contextlib import contextmanager
from pathlib import Path

MB = 1_000_000
MAX_FILE_BYTES = 200 * MB
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_DIRECTORY_BYTES = 16 * MB
ZIP_MAX_ENTRY_BYTES = 100 * MB
ZIP_MAX_TOTAL_BYTES = 250 * MB
ZIP_MAX_RATIO = 250  # deflate reaches ~1030:1 on zeros; an empty 6,000-row Word table is ~170:1
ZIP_RATIO_FROM = 1 * MB  # the ratio is checked for entries larger than this (uncompressed)
PDF_MAX_INFLATED_BYTES = 250 * MB  # a PDF's streams but images, inflated (as ZIP_MAX_TOTAL_BYTES)

KINDS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}
LABELS = {"pdf": "PDF", "docx": "DOCX", "html": "HTML"}

_CHUNK = 64 * 1024  # compressed bytes read at a time when verifying an entry
_OUT_CHUNK = 1 << 20  # most bytes one inflate call may give


class UnreadableFile(Exception):
    """`path` cannot be opened as a `kind` file at all: a misuse of the command (exit status 2)."""

    def __init__(self, path, kind: str | None, reason: str):
        self.path, self.kind, self.reason = str(path), kind, reason
        super().__init__(self.about(self.path))

    def about(self, name: str) -> str:
        """The one-line message, naming the file as `name` (build checks a temporary file)."""
        if self.kind is None:
            return f"'{name}' {self.reason}"
        return f"'{name}' is not a readable {LABELS[self.kind]}: {self.reason}"


class DamagedFile(UnreadableFile):
    """`path` is a file of its kind, but broken inside (see the module's docstring)."""


def kind_of(path) -> str:
    """'pdf', 'docx' or 'html' by the file's suffix; else UnreadableFile."""
    kind = KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise UnreadableFile(path, None, "is not a PDF, DOCX or HTML file: reportgen reads .pdf, .docx, .html "
                                         "and .htm files")
    return kind


def _size(n: int) -> str:
    if n >= 1000 * MB:
        return f"{n / (1000 * MB):.1f} GB"
    if n >= 10 * MB:
        return f"{n / MB:.0f} MB"
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{n:,} bytes"


def _looks_like(head: bytes) -> str | None:
    """What a file's first bytes say it is, for a message; None when they say nothing known."""
    for signature, what in ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
                            (b"GIF8", "a GIF image"), (b"%PDF-", "a PDF"), (b"PK\x03\x04", "a ZIP archive"),
                            (b"PK\x05\x06", "an empty ZIP archive"), (b"{\\rtf", "an RTF document"),
                            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE compound file")):
        if head.startswith(signature):
            return what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if text.startswith(b"<?xml"):
        return "an XML file"
    return None


def _like(head: bytes) -> str:
    what = _looks_like(head)
    return f": it looks like {what}" if what else ""


def _regular(path: Path, kind: str | None) -> int:
    """The size of `path`, a regular file within MAX_FILE_BYTES and not empty."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile(path, kind, "no such file") from None
    except OSError as exc:
        raise UnreadableFile(path, kind, f"cannot read it: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFile(path, kind, "it is a folder")
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(path, kind, "not a regular file")
    if info.st_size == 0:
        raise UnreadableFile(path, kind, "the file is empty")
    if info.st_size > MAX_FILE_BYTES:
        raise UnreadableFile(path, kind, f"the file is {_size(info.st_size)}; reportgen reads files of at most "
                                         f"{_size(MAX_FILE_BYTES)}")
    return info.st_size


def _head(path: Path, kind: str, n: int = 1024) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(n)
    except OSError as exc:
        raise UnreadableFile(path, kind, f"cannot read it: {exc.strerror or exc}") from None


def one_line(exc: BaseException, path=None) -> str:
    """An exception's message as one short line: no newlines, no repeated file name, at most 200 characters."""
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    if type(exc).__name__ == "XMLSyntaxError":  # lxml's, through python-docx: the part is not named
        text = f"an XML part does not parse: {getattr(exc, 'msg', None) or text}"
    text = str(text)
    if path is not None:
        for name in {str(path), os.fspath(Path(path).resolve())}:
            text = text.replace(f"{name}: ", "").replace(name, Path(path).name)
    text = re.sub(r"\s+", " ", text).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


# --------------------------------------------------------------------------- ZIP packages (DOCX)

def _end_record(handle):
    """The ZIP end-of-central-directory record (zipfile's own reader, ZIP64 included), or None."""
    import zipfile  # noqa: PLC0415

    end_record = getattr(zipfile, "_EndRecData", None)  # private, unchanged since Python 2.6
    if end_record is None:  # pragma: no cover - a future Python: zipfile's checks then stand alone
        return None
    handle.seek(0)
    try:
        return end_record(handle)
    except (OSError, EOFError, ValueError):
        return None


def check_zip(source, path=None, kind: str = "docx") -> None:
    """Refuse the ZIP package `source` (a path, or a binary file open on it, named `path` in
    messages) unless it is within the limits: see the module's docstring. Nothing is decompressed
    before the directory has been checked, and then only in bounded chunks. For kind "docx" the
    package must hold word/document.xml."""
    if isinstance(source, (str, os.PathLike)):
        _regular(Path(source), kind)
        try:
            with open(source, "rb") as handle:
                check_zip(handle, path or source, kind)
        except OSError as exc:
            raise UnreadableFile(path or source, kind, f"cannot read it: {exc.strerror or exc}") from None
        return
    import zipfile  # noqa: PLC0415

    handle = source
    head = _head_of(handle)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnreadableFile(path, kind, "it is an OLE compound file, not a ZIP package: a password-protected "
                                         "(encrypted) Office document, or an old .doc; save an unprotected .docx")
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise UnreadableFile(path, kind, f"not a ZIP package (a .docx is one){_like(head)}")
    end = _end_record(handle)
    if end is None:
        raise UnreadableFile(path, kind, "a damaged ZIP package: its directory is missing (is the file truncated?)")
    entries, directory = end[4], end[5]  # zipfile._ECD_ENTRIES_TOTAL, _ECD_SIZE
    if entries > ZIP_MAX_ENTRIES:
        raise UnreadableFile(path, kind, f"refused: the package has {entries:,} entries (limit {ZIP_MAX_ENTRIES:,})")
    if directory > ZIP_MAX_DIRECTORY_BYTES:
        raise UnreadableFile(path, kind, f"refused: the package's directory is {_size(directory)} "
                                         f"(limit {_size(ZIP_MAX_DIRECTORY_BYTES)})")
    handle.seek(0)
    try:
        package = zipfile.ZipFile(handle)
    except Exception as exc:  # noqa: BLE001 - zipfile raises many kinds on a damaged directory
        raise UnreadableFile(path, kind, f"a damaged ZIP package: {one_line(exc)}") from None
    with package:
        infos = package.infolist()
        if len(infos) > ZIP_MAX_ENTRIES:
            raise UnreadableFile(path, kind, f"refused: the package has {len(infos):,} entries "
                                             f"(limit {ZIP_MAX_ENTRIES:,})")
        if kind == "docx" and "word/document.xml" not in package.NameToInfo:
            raise UnreadableFile(path, kind, "a ZIP archive without word/document.xml: not a Word document")
        total = 0
        for info in infos:
            name = info.filename
            if info.flag_bits & 0x1:
                raise UnreadableFile(path, kind, f"{name} is encrypted; save an unprotected copy")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnreadableFile(path, kind, f"refused: {name} uses compression method {info.compress_type} "
                                                 "(a .docx uses only stored or deflated entries)")
            if info.file_size > ZIP_MAX_ENTRY_BYTES:
                raise UnreadableFile(path, kind, f"refused: {name} expands to {_size(info.file_size)} "
                                                 f"(limit {_size(ZIP_MAX_ENTRY_BYTES)} per entry)")
            if info.file_size > ZIP_RATIO_FROM and info.file_size > ZIP_MAX_RATIO * info.compress_size:
                raise UnreadableFile(path, kind, f"refused: {name} is compressed "
                                                 f"{info.file_size // max(info.compress_size, 1):,}:1 "
                                                 f"(limit {ZIP_MAX_RATIO}:1)")
            total += info.file_size
            if total > ZIP_MAX_TOTAL_BYTES:
                raise UnreadableFile(path, kind, f"refused: the package expands to more than "
                                                 f"{_size(ZIP_MAX_TOTAL_BYTES)} (limit)")
        for info in infos:
            _verify_entry(handle, info, path, kind)


def _head_of(handle) -> bytes:
    handle.seek(0)
    return handle.read(8)


def _verify_entry(handle, info, path, kind: str) -> None:
    """Inflate one entry in bounded chunks: it must give exactly its declared size and CRC.

    More than declared is refused at once (a directory that lies about a bomb); less, a broken
    stream or a wrong CRC is damage."""
    import struct  # noqa: PLC0415
    import zipfile  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    name = info.filename
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise DamagedFile(path, kind, f"{name}: no local header where the directory says")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, given, crc = info.compress_size, 0, 0
    pending = b""
    while True:
        if not pending:
            if left <= 0:
                break
            pending = handle.read(min(left, _CHUNK))
            if not pending:
                raise DamagedFile(path, kind, f"{name}: the package ends inside this entry")
            left -= len(pending)
        if inflate is None:
            out, pending = pending, b""
        else:
            try:
                out = inflate.decompress(pending, _OUT_CHUNK)
            except zlib.error as exc:
                raise DamagedFile(path, kind, f"{name}: damaged compressed data ({exc})") from None
            pending = inflate.unconsumed_tail
        given += len(out)
        if given > info.file_size:
            raise UnreadableFile(path, kind, f"refused: {name} holds more data than the package's directory "
                                             f"declares ({_size(info.file_size)})")
        crc = zlib.crc32(out, crc)
        if inflate is not None and inflate.eof:
            break
    if inflate is not None and not inflate.eof:
        raise DamagedFile(path, kind, f"{name}: the compressed data ends early")
    if given != info.file_size:
        raise DamagedFile(path, kind, f"{name}: {given:,} bytes where the directory declares {info.file_size:,}")
    if crc != info.CRC:
        raise DamagedFile(path, kind, f"{name}: bad CRC-32")


# --------------------------------------------------------------------------- the kinds

def check_file(path, kind: str | None = None) -> None:
    """Refuse `path` (UnreadableFile) unless it can be opened as `kind` (else by its suffix) within
    the limits; parses nothing (DOCX: checks the whole ZIP package; HTML: reads and decodes it)."""
    path = Path(path)
    kind = kind or kind_of(path)
    if kind == "html":
        read_html(path)
        return
    if kind == "docx":
        check_zip(path, path, kind)
        return
    _regular(path, kind)
    _check_pdf_head(path)


def _check_pdf_head(path: Path) -> None:
    head = _head(path, "pdf")
    if b"%PDF-" not in head:  # the header may follow up to 1024 bytes of junk (ISO 32000-1, annex H)
        raise UnreadableFile(path, "pdf", f"no PDF header (%PDF-){_like(head)}")


def open_pdf(path):
    """The PDF at `path` opened with pikepdf, after `check_file`. A PDF that needs a password is
    UnreadableFile; one qpdf cannot recover is DamagedFile. The caller closes it."""
    path = Path(path)
    _regular(path, "pdf")
    _check_pdf_head(path)
    import pikepdf  # noqa: PLC0415 - only when a PDF is read

    # qpdf's own bound on what one stream may inflate to, for the streams it reads itself (object
    # streams, on opening); process-wide, and far above what any stream of ours holds
    pikepdf.settings.set_qpdf_limits(flate_max_memory=PDF_MAX_INFLATED_BYTES,
                                     run_length_max_memory=PDF_MAX_INFLATED_BYTES,
                                     png_max_memory=PDF_MAX_INFLATED_BYTES, tiff_max_memory=PDF_MAX_INFLATED_BYTES)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise UnreadableFile(path, "pdf", "it is encrypted and needs a password; give an unprotected copy") from None
    except Exception as exc:  # noqa: BLE001 - qpdf's errors, and anything else a hostile file provokes
        raise DamagedFile(path, "pdf", one_line(exc, path)) from None
    try:
        _check_pdf_streams(pdf, path)
    except BaseException:
        pdf.close()
        raise
    return pdf


def _check_pdf_streams(pdf, path: Path) -> None:
    """Refuse a PDF whose streams other than images inflate past PDF_MAX_INFLATED_BYTES, counted
    in small chunks before anything decodes one whole (generator.formats.pdf_streams)."""
    from generator.formats.pdf_streams import Refused, inflated_size  # noqa: PLC0415

    try:
        total, culprit = inflated_size(pdf, PDF_MAX_INFLATED_BYTES)
    except Refused as exc:
        raise UnreadableFile(path, "pdf", f"refused: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - qpdf's errors on what it reads itself (its own limit included)
        if "memory limit exceeded" in str(exc):
            raise UnreadableFile(path, "pdf", "refused: a stream inflates to more than "
                                              f"{_size(PDF_MAX_INFLATED_BYTES)} (limit)") from None
        raise DamagedFile(path, "pdf", one_line(exc, path)) from None
    if culprit is not None:
        where = f" (object {culprit.objgen[0]} passed it)" if culprit.objgen[0] else ""
        raise UnreadableFile(path, "pdf", f"refused: its streams other than images inflate to more than "
                                          f"{_size(PDF_MAX_INFLATED_BYTES)} (limit){where}")


@contextmanager
def checked_zip(path: Path):
    """The Word package at `path` as an open binary handle, at its start: a regular file within the
    file limits (a FIFO or device is refused before it is opened), its ZIP directory and every
    entry checked by `check_zip`. Every reader of a DOCX reads this very handle, so what it reads
    is what was checked."""
    _regular(path, "docx")
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UnreadableFile(path, "docx", f"cannot read it: {exc.strerror or exc}") from None
    with handle:
        check_zip(handle, path, "docx")
        handle.seek(0)
        yield handle


def open_docx(path):
    """The DOCX at `path` as a python-docx Document, read from the handle `checked_zip` checked.
    A Word package python-docx cannot read (bad XML, missing parts) is DamagedFile."""
    path = Path(path)
    with checked_zip(path) as handle:
        import docx  # noqa: PLC0415 - only when a DOCX is read

        try:
            return docx.Document(handle)
        except Exception as exc:  # noqa: BLE001 - python-docx, lxml and zipfile errors
            raise DamagedFile(path, "docx", one_line(exc, path)) from None


def read_html(path) -> str:
    """The text of the HTML file at `path`: UTF-8 (a byte-order mark is dropped), no NUL byte."""
    path = Path(path)
    _regular(path, "html")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(path, "html", f"cannot read it: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        what = _looks_like(data[:16])
        what = f": it looks like {what}" if what and not what.endswith(("HTML page", "XML file")) else ""
        raise UnreadableFile(path, "html", f"not UTF-8 text (byte {exc.start}, line {line}){what}; "
                                           "save it as UTF-8") from None
    if "\x00" in text:
        raise UnreadableFile(path, "html", "it holds NUL bytes: a binary file, not HTML text")
    return text


OPENERS = {"pdf": open_pdf, "docx": open_docx, "html": read_html}


def open_untrusted(path, kind: str | None = None):
    """`path` opened as `kind` (else by its suffix): a pikepdf Pdf, a python-docx Document or the
    HTML text. Raises UnreadableFile (DamagedFile when the file is of its kind but broken)."""
    return OPENERS[kind or kind_of(path)](path)
