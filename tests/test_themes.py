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


def test_a_users_theme_folder_builds_every_format(tmp_path, reportgen):
    from generator.formats.package import open_docx

    report = copy_report(tmp_path)
    theme = _user_theme(tmp_path)
    ran = reportgen("build", report, "--out", tmp_path / "out", "--theme", theme)
    assert ran.returncode == 0, ran.stderr
    html = (tmp_path / "out" / "surrey-pdu.html").read_text(encoding="utf-8")
    assert "--colour-brand: #7a0019;" in html and "letter-spacing: 0.01em" in html
    assert "--colour-link: #1d5d90;" in html  # the default's colours where the theme gives none
    pdf = (tmp_path / "out" / "surrey-pdu.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert open_docx(tmp_path / "out" / "surrey-pdu.docx")


def test_the_plain_theme_builds_every_format_from_report_yaml(tmp_path, reportgen):
    import pikepdf

    report = copy_report(tmp_path)
    (report / "report.yaml").write_text("theme: plain\n" + (report / "report.yaml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    ran = reportgen("build", report, "--out", tmp_path / "out")
    assert ran.returncode == 0, ran.stderr
    html = (tmp_path / "out" / "surrey-pdu.html").read_text(encoding="utf-8")
    assert "--colour-brand: #ffffff;" in html
    with pikepdf.open(tmp_path / "out" / "surrey-pdu.pdf") as pdf:
        assert len(pdf.pages) > 15


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
