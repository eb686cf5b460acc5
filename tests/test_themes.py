"""Themes (generator/themes.py): chosen by report.yaml or --theme, a shipped one and a user's
folder build all three formats, and a user's theme is untrusted input."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics
from generator.resources import STYLES_DIR, THEMES_DIR
from generator.themes import resolve_theme, shipped_themes
from tests.conftest import copy_report


def test_the_default_and_plain_themes_are_shipped():
    assert shipped_themes()[:1] == ["default"] and "plain" in shipped_themes()
    theme = resolve_theme(STYLES_DIR, "plain", Diagnostics())
    assert theme.folders == (THEMES_DIR / "plain", STYLES_DIR)  # inherits every file it lacks
    assert theme.find("print.css") == STYLES_DIR / "print.css"
    colours = dict(theme.colours)
    assert colours["brand"] == "#ffffff" and colours["text"] == "#000000"
    assert dict(resolve_theme(STYLES_DIR, None, Diagnostics()).colours)["brand"] != "#ffffff"


def _user_theme(root: Path) -> Path:
    folder = root / "house"
    folder.mkdir()
    (folder / "theme.yaml").write_text('colours:\n  brand: "#7a0019"\n', encoding="utf-8")
    (folder / "theme.css").write_text("h2 { color: var(--colour-brand); letter-spacing: 0.01em; }\n", encoding="utf-8")
    return folder


def _house_font(path: Path) -> None:
    """Lato renamed "House Sans" (family and PostScript name): no system has it, so a PDF or page
    that shows it took it from the theme."""
    from fontTools.ttLib import TTFont

    font = TTFont(STYLES_DIR / "fonts" / "Lato-Regular.ttf")
    for record in font["name"].names:
        if record.nameID in (1, 4, 16, 21):
            record.string = "House Sans"
        elif record.nameID == 6:
            record.string = "HouseSans-Regular"
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(path)


def _pdf_fonts(path: Path) -> dict[str, bool]:
    """Each font a PDF's pages use (its name without the subset tag) -> whether its file is embedded."""
    import pikepdf

    found = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = (font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font
                              else font.get("/FontDescriptor", {}))
                name = str(font.BaseFont).lstrip("/").split("+")[-1]
                found[name] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def _pdf_colours(path: Path) -> set[str]:
    """The fill colours ("r g b" of each rg operator) drawn on a PDF's first page."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        contents = pdf.pages[0].Contents
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        data = b"".join(stream.read_bytes() for stream in streams)
    return set(re.findall(r"([0-9.]+ [0-9.]+ [0-9.]+) rg", data.decode("latin-1")))


def test_a_users_theme_folder_builds_every_format(tmp_path, reportgen):
    """A theme's colour, its own font file and its CSS reach every output: read back from each."""
    import zipfile

    report = copy_report(tmp_path)
    theme = _user_theme(tmp_path)
    _house_font(theme / "fonts" / "HouseSans-Regular.ttf")
    shutil.copy(STYLES_DIR / "fonts" / "Lato-Bold.ttf", theme / "fonts")  # the DOCX embeds the faces its styles name
    (theme / "theme.css").write_text('@font-face { font-family: "House Sans"; src: url(fonts/HouseSans-Regular.ttf); }\n'
                                     '.cover-inspectorate { font-family: "House Sans"; }\n'
                                     "h2 { color: var(--colour-brand); letter-spacing: 0.01em; }\n", encoding="utf-8")
    ran = reportgen("build", report, "--out", tmp_path / "out", "--theme", theme)
    assert ran.returncode == 0, ran.stderr
    html = (tmp_path / "out" / "surrey-pdu.html").read_text(encoding="utf-8")
    assert "--colour-brand: #7a0019;" in html and "letter-spacing: 0.01em" in html
    assert "--colour-link: #1d5d90;" in html  # the default's colours where the theme gives none
    assert '@font-face { font-family: "House Sans"; font-weight: normal' in html  # the theme's face, as WOFF2
    fonts = _pdf_fonts(tmp_path / "out" / "surrey-pdu.pdf")
    assert fonts.get("House-Sans-Bold") is True, sorted(fonts)  # the theme's own font file (made bold), embedded
    assert "0.478431 0 0.098039" in _pdf_colours(tmp_path / "out" / "surrey-pdu.pdf")  # #7a0019: the cover band
    with zipfile.ZipFile(tmp_path / "out" / "surrey-pdu.docx") as package:
        table = package.read("word/fontTable.xml").decode("utf-8")
    lato = re.search(r'<w:font w:name="Lato">.*?</w:font>', table, re.S)[0]
    assert "w:embedBold " in lato and "w:embedRegular" not in lato  # the theme's fonts/, which has only the bold


def test_the_plain_theme_builds_every_format_from_report_yaml(tmp_path, reportgen):
    import pikepdf

    from generator.formats.docx_text import read_text

    report = copy_report(tmp_path)
    (report / "report.yaml").write_text("theme: plain\n" + (report / "report.yaml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    ran = reportgen("build", report, "--out", tmp_path / "out")
    assert ran.returncode == 0, ran.stderr
    html = (tmp_path / "out" / "surrey-pdu.html").read_text(encoding="utf-8")
    assert "--colour-brand: #ffffff;" in html and "--colour-brand: #1d3c6e" not in html
    with pikepdf.open(tmp_path / "out" / "surrey-pdu.pdf") as pdf:
        assert len(pdf.pages) > 15
    colours = _pdf_colours(tmp_path / "out" / "surrey-pdu.pdf")
    assert "0.113725 0.235294 0.431373" not in colours and "0 0 0" in colours  # no navy band; black text
    assert all(_pdf_fonts(tmp_path / "out" / "surrey-pdu.pdf").values())
    assert "Surrey PDU" in read_text(tmp_path / "out" / "surrey-pdu.docx")


def test_a_theme_on_the_command_line_wins_and_is_checked(tmp_path, reportgen):
    report = copy_report(tmp_path)
    ran = reportgen("check", report, "--theme", "plian")
    assert ran.returncode == 1
    assert "--theme: error[theme-unknown]: no theme 'plian'" in ran.stderr and "did you mean 'plain'?" in ran.stderr
    assert reportgen("check", report, "--theme", tmp_path / "nowhere").returncode == 2


def test_a_users_theme_is_untrusted(tmp_path, reportgen):
    report = copy_report(tmp_path)
    theme = _user_theme(tmp_path)
    (theme / "theme.css").write_text("p { color: red }</style><script>alert(1)</script>", encoding="utf-8")
    (theme / "theme.yaml").write_text('colours:\n  brand: "red; } body { display: none"\nfont: x\n', encoding="utf-8")
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    assert f"{theme}/theme.css:1:17: error[theme-invalid]: '</'" in ran.stderr
    assert re.search(r"theme.yaml:2:10: error\[theme-invalid\]: colours.brand is .* not a colour", ran.stderr)
    assert "theme.yaml:3:1: error[theme-invalid]: unknown field 'font'; did you mean 'fonts'?" in ran.stderr


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_theme_file_may_not_point_outside_its_folder(tmp_path, reportgen):
    report = copy_report(tmp_path)
    theme = _user_theme(tmp_path)
    secret = tmp_path / "secret.css"
    secret.write_text("p {}", encoding="utf-8")
    (theme / "theme.css").unlink()
    (theme / "theme.css").symlink_to(secret)
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1 and "error[theme-path-outside]" in ran.stderr


def test_a_theme_in_the_report_folder_is_found_by_name(tmp_path, reportgen):
    report = copy_report(tmp_path)
    shutil.copytree(_user_theme(tmp_path), report / "themes" / "house")
    (report / "report.yaml").write_text("theme: house\n" + (report / "report.yaml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    ran = reportgen("build", report, "--out", tmp_path / "out", "--format", "html")
    assert ran.returncode == 0, ran.stderr
    assert "#7a0019" in (tmp_path / "out" / "surrey-pdu.html").read_text(encoding="utf-8")
