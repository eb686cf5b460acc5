"""`check: ok` means `build` succeeds (issue "Safe by default, for real").

Values the writers cannot take are refused by `check` as located errors with stable codes:
the corpus tests/bad/writer_needs.yaml (text mutations) and the images below (binary files).
Values `check` accepts, however extreme, build in every format with nothing lost.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import struct
import zlib
from pathlib import Path

import docx
import pikepdf
import pytest
import yaml
from PIL import Image as PILImage

from generator.build import build, check
from generator.diagnostics import ContentError
from generator.text import file_text
from tests.conftest import copy_report
from generator.cli import main
from tests.stages.test_bad import mutate

CASES = yaml.safe_load((Path(__file__).parent.parent / "bad" / "writer_needs.yaml").read_text(encoding="utf-8"))


def run_cli(args, capsys) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return exit_info.value.code, capsys.readouterr().err.strip().splitlines()


# --------------------------------------------------------------------------- the corpus

def test_the_writer_needs_corpus_is_well_formed():
    assert len(CASES) >= 30
    assert len({c["id"] for c in CASES}) == len(CASES)


# Every case of tests/bad/writer_needs.yaml runs in tests/stages/test_bad.py, with the other corpus files.


def test_control_character_in_a_chapter_has_its_column(tmp_path, capsys):
    report = copy_report(tmp_path)
    mutate(report, next(c for c in CASES if c["id"] == "chapter-esc"))
    _, lines = run_cli(["check", str(report)], capsys)
    line = next(line for line in lines if "control-character" in line)
    source = (report / "chapters" / "background.md").read_text(encoding="utf-8").splitlines()
    row = next(i for i, text in enumerate(source, 1) if "\x1b" in text)
    assert f"background.md:{row}:{source[row - 1].index(chr(27)) + 1}: error[control-character]" in line


# --------------------------------------------------------------------------- the framework file

@pytest.mark.parametrize("lead, code", [("{x} {addressee} should:", "framework-invalid"),
                                        ("{addressee.__class__} should:", "framework-invalid"),
                                        ("{addressee} should {", "framework-invalid"),
                                        ("{addressee} \\e should:", "control-character")])
def test_a_framework_of_the_report_is_held_to_the_same_rules(lead, code, tmp_path):
    from generator.resources import FRAMEWORKS_DIR  # noqa: PLC0415

    report = copy_report(tmp_path)
    (report / "frameworks").mkdir()
    text = (FRAMEWORKS_DIR / "hmip-pdu-2023.yaml").read_text(encoding="utf-8")
    assert 'recommendations_lead: "{addressee} should:"' in text
    (report / "frameworks" / "hmip-pdu-2023.yaml").write_text(
        text.replace('recommendations_lead: "{addressee} should:"', f'recommendations_lead: "{lead}"'), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        check(report)
    found = [d for d in err.value.diagnostics.errors if d.code == code]
    assert found and found[0].path.endswith("frameworks/hmip-pdu-2023.yaml") and found[0].line > 0


# --------------------------------------------------------------------------- images

def _png(image: PILImage.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny file claiming a huge picture (a decompression bomb's header)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + _chunk(b"IEND", b""))


def _with_phys(png: bytes, px_per_metre: int) -> bytes:
    """The PNG with a pHYs chunk (after IHDR) of `px_per_metre` both ways."""
    return png[:33] + _chunk(b"pHYs", struct.pack(">IIB", px_per_metre, px_per_metre, 1)) + png[33:]


def _save(image: PILImage.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def _corrupt(data: bytes) -> bytes:
    broken = bytearray(data)
    broken[len(broken) // 2] ^= 0xFF
    return bytes(broken)


def _rotated_jpeg() -> bytes:
    image = PILImage.new("RGB", (64, 32), (200, 0, 0))
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees to show"
    return _save(image, "JPEG", exif=exif)


RGB = PILImage.new("RGB", (300, 200), (29, 112, 184))
REFUSED = {
    "truncated.png": (lambda: _png(RGB)[:200], "image-invalid"),
    "corrupt.png": (lambda: _corrupt(_png(PILImage.effect_noise((300, 200), 50))), "image-invalid"),
    "empty.png": (lambda: b"", "image-invalid"),
    "notes.png": (lambda: b"these are not pixels", "image-format"),
    # SVG figures are taken (tests/test_figures.py); one that is not self-contained is refused
    "linked.svg": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                   b'<image xlink:href="file:///etc/passwd" width="9" height="9"/></svg>', "url-refused"),
    "styled.svg": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://example.org/x.css";'
                   b'</style><rect style="fill: url(http://example.org/p.svg#g)" width="9" height="9"/></svg>',
                   "url-refused"),
    "script.svg": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                   "image-invalid"),
    "entity.svg": (lambda: b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>'
                   b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "image-invalid"),
    "notsvg.svg": (lambda: b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "image-format"),
    "chart.webp": (lambda: _save(RGB, "WEBP"), "image-format"),
    "chart.tif": (lambda: _save(RGB, "TIFF"), "image-format"),
    "chart.bmp": (lambda: _save(RGB, "BMP"), "image-format"),
    "grey16.png": (lambda: _png(PILImage.new("I;16", (120, 80), 3000)), "image-format"),  # WeasyPrint: garbage
    "bomb.png": (lambda: _png_header_only(20000, 20000), "image-too-large"),
    "huge.png": (lambda: _png_header_only(8000, 7000), "image-too-large"),  # 56 MP: under Pillow's own guard
    "zero-dpi.png": (lambda: _with_phys(_png(RGB), 10), "image-dpi"),  # 0 dpi: python-docx divides by it
    "absurd-dpi.png": (lambda: _png(RGB, dpi=(100000, 100000)), "image-dpi"),
    "stretched.png": (lambda: _png(RGB, dpi=(72, 300)), "image-dpi"),
    "cmyk.jpg": (lambda: _save(PILImage.new("CMYK", (64, 48), (0, 50, 100, 0)), "JPEG"), "image-invalid"),
    "rotated.jpg": (_rotated_jpeg, "image-orientation"),
}


def _add_figure(report: Path, name: str, data: bytes, alt: str = "A chart of the ratings") -> int:
    (report / "images").mkdir(exist_ok=True)
    (report / "images" / name).write_bytes(data)
    chapter = report / "chapters" / "foreword.md"
    text = chapter.read_text(encoding="utf-8") + f"\n\n![{alt}](images/{name})\n"
    chapter.write_text(text, encoding="utf-8")
    return text.count("\n")  # the figure's line


@pytest.mark.parametrize("name", REFUSED)
def test_check_refuses_an_image_a_writer_would_drop_or_crash_on(name, tmp_path, capsys):
    import weasyprint  # noqa: F401, PLC0415 - it makes Pillow accept truncated files, process-wide

    make, code = REFUSED[name]
    report = copy_report(tmp_path)
    line = _add_figure(report, name, make())
    status, lines = run_cli(["check", str(report)], capsys)
    assert status == 1, lines
    assert any(f"foreword.md:{line}: error[{code}]: image 'images/{name}'" in text for text in lines), lines
    assert len(lines) == 1, lines


def test_the_image_check_leaves_pillow_as_it_found_it(tmp_path):
    from PIL import ImageFile  # noqa: PLC0415

    report = copy_report(tmp_path)
    _add_figure(report, "truncated.png", REFUSED["truncated.png"][0]())
    before = (ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS)
    with pytest.raises(ContentError):
        check(report)
    assert (ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS) == before


ACCEPTED = {
    "rgb.png": lambda: _png(RGB),
    "rgba.png": lambda: _png(PILImage.new("RGBA", (120, 80), (29, 112, 184, 128))),
    "palette.png": lambda: _png(PILImage.new("P", (120, 80), 1), transparency=1),
    "bilevel.png": lambda: _png(PILImage.new("1", (120, 80), 1)),
    "no-dpi-unit.png": lambda: _png(RGB)[:33] + _chunk(b"pHYs", struct.pack(">IIB", 0, 0, 0)) + _png(RGB)[33:],
    "print.jpg": lambda: _save(RGB, "JPEG", dpi=(300, 300)),
    "grey.jpg": lambda: _save(PILImage.new("L", (120, 80), 90), "JPEG"),
    "animated.gif": lambda: _save(PILImage.new("P", (40, 40), 0), "GIF", save_all=True,
                                  append_images=[PILImage.new("P", (40, 40), i) for i in range(1, 4)]),
    "jpeg-named.png": lambda: _save(RGB, "JPEG"),
}


def test_every_image_check_accepts_is_in_every_output(tmp_path, caplog):
    report = copy_report(tmp_path)
    for name, make in ACCEPTED.items():
        _add_figure(report, name, make(), alt=f"Figure {name}")
    check(report)
    caplog.set_level(logging.WARNING, logger="weasyprint")
    built = build(report, tmp_path / "out", formats=("pdf", "docx", "html"))
    assert not [r for r in caplog.records if "image" in r.getMessage().lower()], caplog.records
    with pikepdf.open(built.outputs["pdf"]) as pdf:
        figures = {id(obj): obj for page in pdf.pages for obj in _image_xobjects(page)}
    assert len(figures) >= len(ACCEPTED)
    package = docx.Document(str(built.outputs["docx"]))
    alts = [d.get("descr") for d in package.element.body.iter("{*}docPr")]
    assert [f"Figure {name}" for name in ACCEPTED] == [a for a in alts if a and a.startswith("Figure ")]
    html = built.outputs["html"].read_text(encoding="utf-8")
    # the page is one file: each figure is embedded, byte for byte, as a data: URI
    embedded = {alt: base64.b64decode(data) for data, alt in
                re.findall(r'src="data:image/[a-z+]+;base64,([^"]+)" alt="([^"]+)"', html)}
    for name in ACCEPTED:
        assert embedded[f"Figure {name}"] == (report / "images" / name).read_bytes(), name
    assert 'src="images/' not in html


def _image_xobjects(page):
    resources = page.obj.get("/Resources", {})
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Image":
            yield xobject
        elif xobject.get("/Subtype") == "/Form":
            for inner in xobject.get("/Resources", {}).get("/XObject", {}).values():
                if inner.get("/Subtype") == "/Image":
                    yield inner


# --------------------------------------------------------------------------- accepted edge values build

ASTRAL = "\U0001D400\U0001D401 \U0001F600"  # mathematical bold A B, a smiling face: outside the BMP
TITLE_END = " An inspection \U0001D400 of probation services in: Surrey PDU"
TITLE = ("Very long " * 30)[:255 - len(TITLE_END.encode("utf-16-le")) // 2] + TITLE_END  # 255: Word's limit
SUBJECT = "Subject " * 31 + "end"  # 251 characters
RECOMMENDATIONS = 1000  # 10,000 build too (80 s for the PDF): too slow for the suite
DEEP = 20  # the nesting limit itself


def _edge_report(tmp_path: Path) -> Path:
    report = copy_report(tmp_path)
    path = report / "report.yaml"
    text = path.read_text(encoding="utf-8")
    edits = {
        'title: "An inspection of probation services in: Surrey PDU"': f'title: "{TITLE}"',
        "subject: Inspection of probation services": f"subject: {SUBJECT}",
        "region: The Probation Service – Kent, Surrey and Sussex region":
            f"region: Région {ASTRAL} مرحبا עברית e\u0301",
        "published: 2024-03": "published: 2099-12",
        "fieldwork_start: 2024-01-15": "fieldwork_start: 1980-01-01",
        "keywords: [probation,": "keywords: [" + ", ".join(["k" * 45] * 4) + ", probation,",  # 253 in all
        "recommendations:\n": "recommendations:\n  - addressee: The \U0001F600 Board\n    items:\n"
                              + "".join(f"      - recommendation {i} \U0001D400\n" for i in range(RECOMMENDATIONS)),
    }
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    chapter = report / "chapters" / "foreword.md"
    quote = ">" * DEEP + f" The deepest quote {ASTRAL}."
    items = "".join("    " * i + f"- level {i + 1}\n" for i in range(DEEP))
    marks = "".join(("*" if i % 2 else "_") + f"m{i} " for i in range(DEEP - 1)) + "deepest" \
        + "".join("*" if i % 2 else "_" for i in reversed(range(DEEP - 1)))
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n\n{quote}\n\n{items}\nMarks: {marks}.\n",
                       encoding="utf-8")
    return report


def test_accepted_edge_values_build_in_every_format_and_read_back(tmp_path, capsys):
    """`reportgen check --strict` passes, so `reportgen build --strict` must too (not a warning)."""
    report = _edge_report(tmp_path)
    out = tmp_path / "out"
    assert run_cli(["check", str(report), "--strict"], capsys) == (0, [])
    status, lines = run_cli(["build", str(report), "--format", "pdf,docx,html", "--out", str(out), "--strict"], capsys)
    assert status == 0 and not lines, lines
    outputs = {fmt: out / f"surrey-pdu.{fmt}" for fmt in ("pdf", "docx", "html")}
    for fmt, path in outputs.items():
        text = " ".join(file_text(path).split())  # a 20-deep quote is a word a line wide in the PDF
        for expected in (ASTRAL, "Région", "مرحبا", "The deepest quote", "level 20", "deepest",
                         f"recommendation {RECOMMENDATIONS - 1} \U0001D400", "The \U0001F600 Board should:"):
            assert expected in text, f"{fmt}: {expected!r} not read back"
    props = docx.Document(str(outputs["docx"])).core_properties
    assert (props.title, props.subject) == (TITLE, SUBJECT)
    assert props.created.year == 2099
    with pikepdf.open(outputs["pdf"]) as pdf:
        assert (str(pdf.docinfo["/Title"]), str(pdf.docinfo["/Subject"])) == (TITLE, SUBJECT)
    html = outputs["html"].read_text(encoding="utf-8")
    assert f"<title>{TITLE}</title>" in html


LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 8  # 360 letters, no break opportunity


def test_a_long_word_reads_back_from_docx_and_html(tmp_path):
    report = copy_report(tmp_path)
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n\nA long word: {LONG_WORD}.\n", encoding="utf-8")
    built = build(report, tmp_path / "out", formats=("docx", "html"))
    for path in built.outputs.values():
        assert LONG_WORD in file_text(path)


def test_a_long_word_reads_back_from_the_pdf(tmp_path):
    report = copy_report(tmp_path)
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n\nA long word: {LONG_WORD}.\n", encoding="utf-8")
    built = build(report, tmp_path / "out", formats=("pdf",))
    assert LONG_WORD in re.sub(r"\s+", "", file_text(built.outputs["pdf"]))
