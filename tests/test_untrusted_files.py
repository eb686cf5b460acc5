"""Files given to `reportgen text`, `diff`, `a11y` and `build --reference-doc` are untrusted.

Every class of bad file gives exit status 2 and one line naming the file, never a traceback; a
zip bomb is refused from its directory (or, when the directory lies, after at most the size it
declares) with bounded memory. `reportgen a11y` reports a file of its kind that is broken inside
as the failure `<kind>-readable` (exit 1), as before. See generator/formats/package.py.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest

from generator.cli import main
from generator.formats import package
from tests.conftest import ROOT, copy_report

REFERENCE_DOCX = ROOT / "styles" / "reference.docx"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
GOOD_HTML = ('<!DOCTYPE html>\n<html lang="en"><head><title>Small</title></head>\n'
             "<body><main><h1>Small</h1><p>A caf\u00e9 report.</p></main></body></html>\n")


# =========================================================================== making bad files

def write_zip(path: Path, entries) -> Path:
    """A ZIP package written by hand, so that a test says what its directory declares.

    `entries`: (name, method, compressed chunks, compressed size, crc, declared size, flags)."""
    central = []
    with open(path, "wb") as out:
        for name, method, chunks, csize, crc, usize, flags in entries:
            offset, raw = out.tell(), name.encode()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, csize, usize,
                                  len(raw), 0) + raw)
            for chunk in chunks:
                out.write(chunk)
            central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, csize,
                                       usize, len(raw), 0, 0, 0, 0, 0, offset) + raw)
        start = out.tell()
        for record in central:
            out.write(record)
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start,
                              start, 0))
    return path


def deflated(data: bytes):
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = packer.compress(data) + packer.flush()
    return [packed], len(packed), zlib.crc32(data), len(data)


def deflated_zeros(size: int, chunk: int = 16 << 20):
    """`size` zero bytes deflated without ever holding them: one 16 MiB block compressed once (a
    full flush makes it repeatable) and repeated. 2 GiB gives about 2 MB."""
    assert size % chunk == 0
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(chunk)) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.flush()
    crc, zeros = 0, bytes(chunk)
    for _ in range(size // chunk):
        crc = zlib.crc32(zeros, crc)
    return [block] * (size // chunk) + [tail], len(block) * (size // chunk) + len(tail), crc, size


def docx_like(path: Path, replace: dict | None = None, extra=()) -> Path:
    """styles/reference.docx (a real Word package) rewritten by hand, with some entries replaced:
    name -> (chunks, compressed size, crc, declared size) or (..., flags)."""
    replace = replace or {}
    entries = []
    with zipfile.ZipFile(REFERENCE_DOCX) as source:
        for info in source.infolist():
            parts = replace.get(info.filename) or deflated(source.read(info))
            entries.append((info.filename, zipfile.ZIP_DEFLATED, *parts[:4], parts[4] if len(parts) > 4 else 0))
    return write_zip(path, entries + list(extra))


def small_pdf(path: Path, **save) -> Path:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.docinfo["/Title"] = "Small"
        pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.generate, **save)
    return path


def truncated(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def docx_with_bad_xml(path: Path) -> Path:
    with zipfile.ZipFile(REFERENCE_DOCX) as source:
        document = source.read("word/document.xml")
    return docx_like(path, {"word/document.xml": deflated(document[: len(document) // 2])})


def docx_with_bad_crc(path: Path) -> Path:
    with zipfile.ZipFile(REFERENCE_DOCX) as source:
        chunks, csize, crc, size = deflated(source.read("word/document.xml"))
    return docx_like(path, {"word/document.xml": (chunks, csize, crc ^ 1, size)})


def zip_without_document(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return path


def ole_file(path: Path) -> Path:  # what Word saves when a .docx is given a password
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1016))
    return path


# name -> (suffix, make(path), phrase of the message, what `a11y` makes of it)
# "misuse": exit 2, one line; "failure": exit 1, the failure <kind>-readable.
CASES = {
    "pdf-empty": (".pdf", lambda p: p.write_bytes(b""), "the file is empty", "misuse"),
    "pdf-png": (".pdf", lambda p: p.write_bytes(PNG), "no PDF header (%PDF-): it looks like a PNG image", "misuse"),
    "pdf-docx": (".pdf", lambda p: p.write_bytes(REFERENCE_DOCX.read_bytes()), "it looks like a ZIP archive",
                 "misuse"),
    "pdf-encrypted": (".pdf", lambda p: small_pdf(p, encryption=pikepdf.Encryption(user="secret", owner="secret")),
                      "it is encrypted and needs a password", "misuse"),
    "pdf-truncated": (".pdf", lambda p: truncated(small_pdf(p.with_suffix(".whole")), p),
                      "unable to find trailer dictionary", "failure"),
    "pdf-damaged": (".pdf", lambda p: p.write_bytes(b"%PDF-1.7\nnot really\n"), "unable to find trailer dictionary",
                    "failure"),
    "docx-empty": (".docx", lambda p: p.write_bytes(b""), "the file is empty", "misuse"),
    "docx-png": (".docx", lambda p: p.write_bytes(PNG), "not a ZIP package (a .docx is one): it looks like a PNG image",
                 "misuse"),
    "docx-encrypted": (".docx", ole_file, "it is an OLE compound file", "misuse"),
    "docx-truncated": (".docx", lambda p: truncated(REFERENCE_DOCX, p), "a damaged ZIP package: its directory is "
                                                                         "missing", "misuse"),
    "docx-not-word": (".docx", zip_without_document, "a ZIP archive without word/document.xml", "misuse"),
    "docx-bad-xml": (".docx", docx_with_bad_xml, "an XML part does not parse", "failure"),
    "docx-bad-crc": (".docx", docx_with_bad_crc, "word/document.xml: bad CRC-32", "failure"),
    "docx-ratio": (".docx", lambda p: docx_like(p, {"word/document.xml": deflated(bytes(2_000_000))}),
                   "refused: word/document.xml is compressed", "misuse"),
    "docx-bzip2": (".docx", lambda p: docx_like(p, extra=[("word/media/x.bin", zipfile.ZIP_BZIP2,
                                                           *deflated(b"x"), 0)]),
                   "uses compression method 12", "misuse"),
    "docx-encrypted-entry": (".docx", lambda p: docx_like(p, extra=[("word/media/x.bin", zipfile.ZIP_DEFLATED,
                                                                     *deflated(b"x"), 0x1)]),
                             "word/media/x.bin is encrypted", "misuse"),
    "html-empty": (".html", lambda p: p.write_bytes(b""), "the file is empty", "misuse"),
    "html-latin-1": (".html", lambda p: p.write_bytes(GOOD_HTML.encode("latin-1")),
                     "not UTF-8 text (byte 100, line 3); save it as UTF-8", "misuse"),
    "html-png": (".html", lambda p: p.write_bytes(PNG), "not UTF-8 text (byte 0, line 1): it looks like a PNG image",
                 "misuse"),
    "html-nul": (".html", lambda p: p.write_text(GOOD_HTML.replace("report", "re\x00port"), encoding="utf-8"),
                 "it holds NUL bytes", "misuse"),
    "fifo": (".html", lambda p: os.mkfifo(p), "not a regular file", "misuse"),
    "unknown-suffix": (".txt", lambda p: p.write_text("hello"), "txt", "misuse"),
    "folder": (".pdf", lambda p: p.mkdir(), "directory", "misuse"),
    "missing": (".pdf", lambda p: None, "does not exist", "misuse"),
}
DOCX_CASES = [name for name, case in CASES.items() if case[0] == ".docx"] + ["pdf-png", "folder", "missing"]


def make(tmp_path: Path, name: str) -> Path:
    suffix, maker, _, _ = CASES[name]
    path = tmp_path / f"{name}{suffix}"
    maker(path)
    return path


def run(capsys, *args) -> tuple[int, str, str]:
    """`reportgen ARGS` in this process: (exit status, stdout, stderr); a traceback fails the test."""
    with pytest.raises(SystemExit) as done:
        main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    code = done.value.code
    return 0 if code is None else code, out, err


def the_error(err: str, path: Path) -> str:
    """The one line that says what is wrong, naming `path`: ours (`reportgen: error: ...`, alone
    on stderr) or click's usage error (Usage, Try, and one `Error: ...` line)."""
    lines = [line for line in err.splitlines() if line.strip()]
    if lines and lines[0].startswith("reportgen: error: "):
        assert len(lines) == 1, err
        line = lines[0]
    else:
        errors = [line for line in lines if line.startswith("Error: ")]
        assert len(errors) == 1, err
        line = errors[0]
    assert path.name in line, line
    return line


@pytest.fixture
def good_html(tmp_path) -> Path:
    path = tmp_path / "good.html"
    path.write_text(GOOD_HTML, encoding="utf-8")
    return path


# =========================================================================== every class, every command

@pytest.mark.parametrize("name", CASES)
def test_text_refuses_a_bad_file_in_one_line(tmp_path, capsys, name):
    path = make(tmp_path, name)
    code, out, err = run(capsys, "text", path)
    assert code == 2 and out == ""
    assert CASES[name][2] in the_error(err, path)


@pytest.mark.parametrize("name", CASES)
def test_diff_refuses_a_bad_file_in_one_line(tmp_path, capsys, good_html, name):
    path = make(tmp_path, name)
    for args in ((path, good_html), (good_html, path)):
        code, out, err = run(capsys, "diff", *args)
        assert code == 2 and out == ""
        line = the_error(err, path)
        assert ("is a folder but" if name == "folder" else CASES[name][2]) in line


@pytest.mark.parametrize("name", CASES)
def test_a11y_refuses_what_is_not_its_kind_and_fails_what_is_broken_inside(tmp_path, capsys, name):
    path = make(tmp_path, name)
    code, out, err = run(capsys, "a11y", path)
    if CASES[name][3] == "misuse":
        assert code == 2 and out == ""
        line = the_error(err, path)
        assert CASES[name][2] in line
    else:  # a PDF or Word package broken inside: an accessibility failure, as before
        kind = path.suffix.lstrip(".")
        assert code == 1
        assert out.splitlines() == [out.splitlines()[0]]
        assert out.startswith(f"{path}: file: {kind}-readable [WCAG 2.2 4.1.1]: cannot be read as {kind.upper()}: ")
        assert CASES[name][2] in out


def test_a11y_with_one_bad_file_among_good_ones_is_misuse(tmp_path, capsys, good_html):
    path = make(tmp_path, "pdf-png")
    code, out, err = run(capsys, "a11y", good_html, path)
    assert code == 2
    assert "no PDF header" in the_error(err, path)


@pytest.mark.parametrize("name", DOCX_CASES)
def test_build_refuses_a_bad_reference_doc_before_building(tmp_path, capsys, name):
    path = make(tmp_path, name)
    code, out, err = run(capsys, "build", ROOT / "content" / "surrey-pdu", "--format", "docx",
                         "--out", tmp_path / "out", "--reference-doc", path)
    assert code == 2 and out == ""
    line = the_error(err, path)
    assert "--reference-doc" in line
    if name == "pdf-png":
        assert "not a ZIP package (a .docx is one): it looks like a PNG image" in line
    elif name not in ("folder", "missing"):
        assert CASES[name][2] in line
    assert not (tmp_path / "out").exists()


# =========================================================================== what still reads

def test_good_files_still_read(tmp_path, capsys, good_html):
    pdf = small_pdf(tmp_path / "small.pdf")
    owner_only = small_pdf(tmp_path / "owner-only.pdf", encryption=pikepdf.Encryption(user="", owner="secret"))
    for path in (good_html, pdf, owner_only, REFERENCE_DOCX):
        code, out, err = run(capsys, "text", path)
        assert code == 0, err
    assert run(capsys, "text", good_html)[1] == "Small\nA café report.\n"
    assert run(capsys, "diff", good_html, good_html)[:2] == (0, "")


def test_an_xhtml_page_with_an_xml_declaration_is_checked(tmp_path, capsys, good_html):
    path = tmp_path / "page.xhtml.html"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + GOOD_HTML.split("\n", 1)[1], encoding="utf-8")
    code, out, err = run(capsys, "a11y", path)
    assert "html-readable" not in out
    assert "html-lang" not in out


# =========================================================================== the limits

def test_the_zip_limits_are_each_enforced(tmp_path, monkeypatch):
    path = docx_like(tmp_path / "x.docx")
    package.check_file(path, "docx")  # within every limit
    entries = len(zipfile.ZipFile(path).infolist())
    for limit, value, phrase in (("ZIP_MAX_ENTRIES", entries - 1, f"the package has {entries} entries"),
                                 ("ZIP_MAX_ENTRY_BYTES", 1000, "(limit 1,000 bytes per entry)"),
                                 ("ZIP_MAX_TOTAL_BYTES", 50_000, "the package expands to more than 50,000 bytes"),
                                 ("ZIP_MAX_DIRECTORY_BYTES", 100, "the package's directory is"),
                                 ("MAX_FILE_BYTES", 1000, "reportgen reads files of at most 1,000 bytes")):
        with monkeypatch.context() as patch:
            patch.setattr(package, limit, value)
            with pytest.raises(package.UnreadableFile) as refused:
                package.check_file(path, "docx")
            assert phrase in str(refused.value), (limit, str(refused.value))
            assert str(refused.value).startswith(f"'{path}' is not a readable DOCX: ")


def test_every_reader_opens_through_the_one_module():
    """text, the checks and --reference-doc open files only through generator.formats.package."""
    for module in ("generator/text.py", "generator/formats/docx_text.py", "generator/checks/pdf.py",
                   "generator/checks/docx.py", "generator/checks/html.py"):
        source = (ROOT / module).read_text(encoding="utf-8")
        assert "pikepdf.open(" not in source and "docx.Document(" not in source and "read_text(encoding" not in source
        assert "generator.formats.package" in source


def test_the_command_line_imports_no_file_library_until_it_reads_a_file():
    code = ("import sys; import generator.cli, generator.formats.package, generator.text, generator.checks.runner;"
            "print(sorted({'docx', 'pikepdf', 'pypdf', 'lxml', 'zipfile'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


# =========================================================================== zip bombs

BOMB_SIZE = 2 << 30  # 2 GiB of zeros in one entry, about 2 MB compressed
RUN_BOUNDED = """
import resource, sys
limit = 1 << 30  # a regression runs out of address space at once instead of taking the machine
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from generator.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (large) pytest process across fork+exec
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(f"peak_kb={peak} code={code}")
"""


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    honest = docx_like(folder / "bomb.docx", {"word/document.xml": deflated_zeros(BOMB_SIZE)})
    chunks, csize, crc, _ = deflated_zeros(BOMB_SIZE)
    # The directory lies: it declares 50 MB (within every limit) for the same 2 GiB stream.
    lying = docx_like(folder / "lying-bomb.docx", {"word/document.xml": (chunks, csize, crc, 50_000_000)})
    return {"bomb": honest, "lying-bomb": lying}


@pytest.mark.parametrize("bomb", ["bomb", "lying-bomb"])
@pytest.mark.parametrize("command", ["text", "a11y", "diff", "build"])
def test_a_zip_bomb_is_refused_with_bounded_memory(tmp_path, bombs, bomb, command):
    path = bombs[bomb]
    assert path.stat().st_size < 3_000_000
    args = {"text": ["text", path], "a11y": ["a11y", path], "diff": ["diff", REFERENCE_DOCX, path],
            "build": ["build", ROOT / "content" / "surrey-pdu", "--format", "docx", "--out", tmp_path / "out",
                      "--reference-doc", path]}[command]
    result = subprocess.run([sys.executable, "-c", RUN_BOUNDED, *map(str, args)], capture_output=True, text=True,
                            cwd=ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    *_, last = result.stdout.splitlines()
    peak_kb, code = (int(field.split("=")[1]) for field in last.split())
    assert code == 2
    assert [line for line in result.stderr.splitlines() if line.strip()] == [result.stderr.strip()]
    message = {"bomb": "refused: word/document.xml expands to 2.1 GB (limit 100 MB per entry)",
               "lying-bomb": "refused: word/document.xml holds more data than the package's directory declares "
                             "(50 MB)"}[bomb]
    assert message in result.stderr and f"'{path}'" in result.stderr
    assert peak_kb < 300_000, f"peak memory {peak_kb} KB"


def test_a_zip_bomb_as_docx_reference_in_report_yaml_is_refused_by_check(tmp_path, bombs, reportgen):
    report = copy_report(tmp_path)
    (report / "house.docx").write_bytes(bombs["bomb"].read_bytes())
    path = report / "report.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("framework: hmip-pdu-2023\n",
                                                            "framework: hmip-pdu-2023\ndocx_reference: house.docx\n"))
    result = reportgen("check", report)
    assert result.returncode == 1
    assert ("report.yaml:5:1: error[docx-reference-invalid]: 'house.docx' is not a readable DOCX: refused: "
            "word/document.xml expands to 2.1 GB") in result.stderr


# =========================================================================== PDF stream bombs

PDF_BOMB_SIZE = 1 << 30  # 1 GiB of zeros in one content stream, about 1 MB deflated


def pdf_with_content(path: Path, data: bytes, filters) -> Path:
    """A one-page PDF whose content stream is `data`, already encoded with `filters` (kept as is)."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        stream = pikepdf.Stream(pdf, b"")
        stream.write(data, filter=[pikepdf.Name(f) for f in filters])
        pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
        pdf.save(path, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return path


def zlib_zeros(size: int) -> bytes:
    """`size` zeros as a zlib stream (what /FlateDecode reads), compressed 16 MiB at a time."""
    chunks, *_ = deflated_zeros(size)
    raw = b"".join(chunks)
    crc_free = zlib.compressobj(9, zlib.DEFLATED, 15)  # the zlib header, then the raw deflate data
    header = crc_free.compress(b"") + crc_free.flush(zlib.Z_SYNC_FLUSH)
    adler = 1
    zeros = bytes(16 << 20)
    for _ in range(size // len(zeros)):
        adler = zlib.adler32(zeros, adler)
    return header[:2] + raw + struct.pack(">L", adler)


@pytest.fixture(scope="module")
def pdf_bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf-bombs")
    bomb = zlib_zeros(PDF_BOMB_SIZE)
    assert zlib.decompressobj().decompress(bomb, 100) == bytes(100)
    return {"flate": pdf_with_content(folder / "flate-bomb.pdf", bomb, ["/FlateDecode"]),
            # deflated twice: a few KB for the same gigabyte
            "flate-twice": pdf_with_content(folder / "flate-twice.pdf", zlib.compress(bomb, 9),
                                            ["/FlateDecode", "/FlateDecode"])}


RUN_MEASURED = """
import resource, sys
from generator.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # pdftotext, if it ran
print(f"peak_kb={max(int(peak), children)} code={code}")
"""


@pytest.mark.parametrize("bomb", ["flate", "flate-twice"])
@pytest.mark.parametrize("command", ["text", "a11y", "diff"])
def test_a_pdf_stream_bomb_is_refused_with_bounded_memory(pdf_bombs, bomb, command, tmp_path):
    path = pdf_bombs[bomb]
    assert path.stat().st_size < 3_000_000
    args = {"text": ["text", path], "a11y": ["a11y", path], "diff": ["diff", small_pdf(tmp_path / "a.pdf"), path]}
    result = subprocess.run([sys.executable, "-c", RUN_MEASURED, *map(str, args[command])], capture_output=True,
                            text=True, cwd=ROOT, timeout=600)
    assert "Traceback" not in result.stderr, result.stderr
    *_, last = result.stdout.splitlines()
    peak_kb, code = (int(field.split("=")[1]) for field in last.split())
    assert code == 2
    assert result.stderr == (f"reportgen: error: '{path}' is not a readable PDF: refused: its streams other than "
                             "images inflate to more than 250 MB (limit) (object 4 passed it)\n")
    assert peak_kb < 300_000, f"peak memory {peak_kb} KB"


def test_the_pdf_stream_count_reads_every_filter_chain(tmp_path):
    """Each filter the count knows gives the size the stream decodes to (as qpdf decodes it)."""
    import base64

    from generator.formats.pdf_streams import stream_size

    text = b"BT /F1 12 Tf (hello world) Tj ET\n" * 3000
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        streams = []
        for filters, encode in [([], lambda d: d), (["/FlateDecode"], zlib.compress),
                                (["/ASCIIHexDecode", "/FlateDecode"], lambda d: zlib.compress(d).hex().encode() + b">"),
                                (["/ASCII85Decode"], lambda d: base64.a85encode(d) + b"~>"),
                                (["/RunLengthDecode"], lambda d: b"".join(bytes([len(d[i:i + 100]) - 1]) + d[i:i + 100]
                                                                          for i in range(0, len(d), 100)) + b"\x80")]:
            stream = pikepdf.Stream(pdf, b"")
            stream.write(encode(text), filter=[pikepdf.Name(f) for f in filters])
            streams.append(stream)
        for stream in streams:
            assert len(stream.read_bytes(pikepdf.StreamDecodeLevel.specialized)) == len(text)
            assert stream_size(stream, 10 << 20) == len(text)
            assert stream_size(stream, 1000) > 1000, "it stops past the budget, saying so"


def test_an_lzw_stream_is_counted_as_qpdf_decodes_it(tmp_path):
    """LZW: a real encoder's stream (LibreOffice-era writers), decoded by the count as by qpdf."""
    from generator.formats.pdf_streams import _lzw

    def lzw(data: bytes) -> bytes:  # a plain LZW encoder, EarlyChange 1
        table = {bytes([i]): i for i in range(256)}
        width, codes, word = 9, [256], b""
        for byte in data:
            grown = word + bytes([byte])
            if grown in table:
                word = grown
                continue
            codes.append((table[word], width))
            table[grown] = len(table) + 2
            if len(table) + 2 >= 1 << width and width < 12:
                width += 1
            word = bytes([byte])
        codes.append((table[word], width))
        codes.append((257, width))
        bits = "".join(format(code, f"0{w}b") for code, w in ((c, w) for c, w in codes[1:]))
        bits = format(256, "09b") + bits
        bits += "0" * (-len(bits) % 8)
        return int(bits, 2).to_bytes(len(bits) // 8, "big")

    text = b"BT /F1 12 Tf (the quick brown fox) Tj ET\n" * 200
    with pikepdf.new() as pdf:
        stream = pikepdf.Stream(pdf, b"")
        stream.write(lzw(text), filter=pikepdf.Name.LZWDecode)
        assert stream.read_bytes() == text
        assert b"".join(_lzw([stream.read_raw_bytes()])) == text


# =========================================================================== pdftotext's bounds

def fake_pdftotext(tmp_path: Path, monkeypatch, script: str) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "pdftotext"
    program.write_text(f"#!{sys.executable}\nimport os, sys, time\n"
                       f"open({str(tmp_path / 'pid')!r}, 'w').write(str(os.getpid()))\n" + script)
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return tmp_path / "pid"


@pytest.mark.parametrize("name, script, limit, message", [
    ("time", "time.sleep(3600)\n", ("PDFTOTEXT_SECONDS", 1), "pdftotext took longer than 1 s (limit)"),
    ("cpu", "while True:\n    pass\n", ("PDFTOTEXT_CPU_SECONDS", 1),
     "pdftotext used more than 1 s of CPU time (limit)"),
    ("output", "while True:\n    sys.stdout.write('x' * 65536)\n", ("PDFTOTEXT_MAX_OUTPUT", 1_000_000),
     "pdftotext gave more than 1 MB of text (limit)"),
    ("memory", "held = bytearray(3 << 30)\nprint('it had 3 GB')\n", ("PDFTOTEXT_MAX_MEMORY", 1 << 30),
     "pdftotext: MemoryError"),
])
def test_pdftotext_runs_within_time_output_and_memory(tmp_path, monkeypatch, capsys, name, script, limit, message):
    import generator.text

    pid = fake_pdftotext(tmp_path, monkeypatch, script)
    monkeypatch.setattr(generator.text, "PDFTOTEXT_SECONDS", 60)  # a bound past which another limit failed
    monkeypatch.setattr(generator.text, *limit)
    path = small_pdf(tmp_path / "small.pdf")
    code, out, err = run(capsys, "text", path)
    assert (code, out) == (2, "")
    assert err == f"reportgen: error: '{path}' is not a readable PDF: {message}\n"
    assert not Path(f"/proc/{pid.read_text()}").exists(), "pdftotext was killed and reaped"
