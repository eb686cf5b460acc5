"""A theme that is not shipped is untrusted input (issue 20): every string it writes into the page
is escaped or refused, every file it has is read confined to its folder, regular and size-capped,
its CSS reaches nothing outside the page, and a damaged font or unreadable file is a located
error at `check`, never a crash, a hang or a leak. Each case asserts the exact code and where."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.resources import STYLES_DIR
from tests.conftest import ROOT, SURREY, copy_report

LATO = STYLES_DIR / "fonts" / "Lato-Regular.ttf"
PAYLOADS = ["</style><script>alert(1)</script>", "</script><script>alert(2)</script>", "<!--", "]]>"]


class Elements(HTMLParser):
    """The start tags of a page, with their attributes, and the text of each <style>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"
        if self._in_style:
            self.styles.append("")

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles[-1] += data

    def names(self) -> list[str]:
        return [tag for tag, _ in self.tags]


@pytest.fixture(scope="module")
def small_doc():
    """The smallest example's document model (`check`, no build)."""
    from generator.build import check

    return check(ROOT / "content" / "thematic-example")


def renamed_font(path: Path, family: str) -> None:
    """Lato with `family` as every name of its family (as an attacker's font would carry it)."""
    from fontTools.ttLib import TTFont

    font = TTFont(LATO)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16, 21):
            record.string = family
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(path)


def theme_dir(root: Path, name: str = "house", yaml: str = "name: House\n") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "theme.yaml").write_text(yaml, encoding="utf-8")
    return folder


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


# --------------------------------------------------------------------------- strings into the page


def test_a_font_whose_family_name_ends_the_style_is_refused_at_check(tmp_path, reportgen):
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    renamed_font(theme / "fonts" / "Evil.ttf", PAYLOADS[0])
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    assert (f"{theme}/fonts/Evil.ttf: error[theme-font-invalid]: 'Evil.ttf': its family name "
            f"'{PAYLOADS[0]}' is not a plain font name") in ran.stderr


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_font_family_name_is_escaped_in_the_page_even_past_check(tmp_path, small_doc, payload):
    """The page's writer escapes what a font carries, whatever check let through: no element of
    it reaches the page, and the style sheet is one piece."""
    from generator.themes import Theme, css_text
    from generator.writers.html import write_html

    theme = theme_dir(tmp_path)
    renamed_font(theme / "fonts" / "Evil.ttf", payload)
    (theme / "theme.css").write_text(f"p {{ color: red }}/* {payload} */{payload}\n", encoding="utf-8")  # refused at check
    doc = replace(small_doc, theme=Theme("house", (theme, STYLES_DIR), fonts=(("body", payload),)))
    page = Elements(write_html(doc, "screen"))
    assert "script" not in page.names() and page.names().count("style") == 1
    assert f'@font-face {{ font-family: "{css_text(payload)}"' in page.styles[0] and "<" not in page.styles[0]


def test_chromium_runs_nothing_a_theme_carries_even_past_check(tmp_path, small_doc, browser):
    """The page written with a font, a font name and a stylesheet that end the <style> and open a
    <script> (what check refuses), opened in Chromium: no script ran, and the style sheet is one."""
    from generator.themes import Theme
    from generator.writers.html import write_html

    payload = "</style><script>window.pwned = 1</script><style>"
    theme = theme_dir(tmp_path)
    renamed_font(theme / "fonts" / "Evil.ttf", payload)
    (theme / "theme.css").write_text(f"body {{ outline-color: rgb(1, 2, 3) }}\n/* {payload} */\n"
                                     f'h3::before {{ content: "{payload}" }}\n{payload}\n', encoding="utf-8")
    doc = replace(small_doc, theme=Theme("house", (theme, STYLES_DIR), fonts=(("body", payload),)))
    page = tmp_path / "page.html"
    page.write_text(write_html(doc, "screen"), encoding="utf-8")
    browser.open(page)
    assert browser.eval("typeof window.pwned") == "undefined"
    assert browser.eval("document.querySelectorAll('script, style').length") == 1
    assert browser.eval("getComputedStyle(document.body).outlineColor") == "rgb(1, 2, 3)"  # the sheet was read


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["colours: {brand: '%s'}", "fonts: {body: '%s'}", "colours: {'%s': '#ffffff'}",
                                   "fonts: {'%s': Lato}", "logo: {file: '%s', alt: x}", "font: '%s'"])
def test_markup_in_a_theme_value_that_is_written_into_css_is_a_located_error(tmp_path, reportgen, field, payload):
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path, yaml="name: House\n" + field.replace("%s", payload.replace("'", "''")) + "\n")
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    code = "theme-file-missing" if field.startswith("logo") else "theme-invalid"
    assert f"{theme}/theme.yaml:2:" in ran.stderr and f"error[{code}]" in ran.stderr, ran.stderr
    assert "report.yaml" not in ran.stderr


@pytest.mark.parametrize("yaml", ['description: "a\\x1bb"', "name: ''", "logo: {file: mark.png, alt: \"\\x00\"}",
                                  "name: " + "x" * 301, "description: [a, b]"])
def test_theme_text_is_a_line_of_plain_text(tmp_path, reportgen, yaml):
    from PIL import Image

    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path, yaml="colours: {brand: '#000'}\n" + yaml + "\n")
    Image.new("RGB", (60, 20)).save(theme / "mark.png", dpi=(96, 96))
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    assert f"{theme}/theme.yaml:2:" in ran.stderr and "error[theme-invalid]" in ran.stderr
    assert "is a line of text of at most 300 characters, with no control characters" in ran.stderr


def test_markup_in_theme_text_is_escaped_in_every_output(tmp_path, reportgen):
    """name, description and the logo's alt text take any text: the page and the DOCX hold it as
    text, never as markup."""
    from PIL import Image

    report = copy_report(tmp_path)
    yaml_file = report / "report.yaml"  # the report's own logo would take the theme's place on the cover
    kept = [line for line in yaml_file.read_text(encoding="utf-8").splitlines(True) if not line.startswith("  logo:")]
    yaml_file.write_text("".join(kept), encoding="utf-8")
    text = "".join(PAYLOADS)
    theme = theme_dir(tmp_path, yaml=f"name: '{text}'\ndescription: '{text}'\nlogo: {{file: mark.png, alt: '{text}'}}\n")
    Image.new("RGB", (60, 20), (0, 0, 0)).save(theme / "mark.png", dpi=(96, 96))
    (theme / "theme.css").write_text('/* ]]> */ h2 { letter-spacing: 0.01em; }\nh3::before { content: "a<b"; }\n',
                                     encoding="utf-8")
    ran = reportgen("build", report, "--out", tmp_path / "out", "--theme", theme, "--format", "html,docx")
    assert ran.returncode == 0, ran.stderr
    page = Elements((tmp_path / "out" / "surrey-pdu.html").read_text(encoding="utf-8"))
    assert "script" not in page.names() and page.names().count("style") == 1
    assert "letter-spacing: 0.01em" in page.styles[0] and "<" not in page.styles[0]
    from generator.stages.typography import typeset_text  # every printed string is typeset: "--" an en dash

    assert [attrs.get("alt") for tag, attrs in page.tags if tag == "img"][0] == typeset_text(text)
    from generator.formats.docx_text import read_text

    assert "<script>" not in read_text(tmp_path / "out" / "surrey-pdu.docx")


# --------------------------------------------------------------------------- confinement and limits


@pytest.mark.parametrize("case", ["fonts-folder", "font-file", "logo", "reference", "stylesheet"])
def test_a_theme_file_that_points_outside_the_theme_is_refused(tmp_path, reportgen, case):
    report = copy_report(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(LATO, outside / "Secret.ttf")
    (outside / "secret.css").write_text("p { color: red }", encoding="utf-8")
    shutil.copy(ROOT / "styles" / "reference.docx", outside / "secret.docx")
    from PIL import Image

    Image.new("RGB", (60, 20)).save(outside / "secret.png", dpi=(96, 96))
    theme = theme_dir(tmp_path)
    where = {"fonts-folder": theme / "fonts", "font-file": theme / "fonts" / "Lato.ttf",
             "logo": theme / "theme.yaml", "reference": theme / "reference.docx", "stylesheet": theme / "theme.css"}
    if case == "fonts-folder":
        (theme / "fonts").symlink_to(outside)
    elif case == "font-file":
        (theme / "fonts").mkdir()
        (theme / "fonts" / "Lato.ttf").symlink_to(outside / "Secret.ttf")
    elif case == "logo":
        (theme / "mark.png").symlink_to(outside / "secret.png")
        (theme / "theme.yaml").write_text("name: House\nlogo: {file: mark.png, alt: Mark}\n", encoding="utf-8")
    elif case == "reference":
        (theme / "reference.docx").symlink_to(outside / "secret.docx")
    else:
        (theme / "theme.css").symlink_to(outside / "secret.css")
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    located = f"{where[case]}:2:" if case == "logo" else f"{where[case]}: "
    assert f"{located}" in ran.stderr and "error[theme-path-outside]" in ran.stderr, ran.stderr


def test_a_reports_theme_folder_that_is_a_symlink_out_of_the_report_is_refused(tmp_path, reportgen):
    report = copy_report(tmp_path)
    outside = theme_dir(tmp_path, "house")
    (outside / "theme.css").write_text("p { color: red }", encoding="utf-8")
    (report / "themes").mkdir()
    (report / "themes" / "house").symlink_to(outside)
    (report / "report.yaml").write_text("theme: house\n" + (report / "report.yaml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    ran = reportgen("check", report)
    assert ran.returncode == 1
    assert f"{report}/report.yaml:1:1: error[theme-path-outside]: the theme folder" in ran.stderr


def test_a_sparse_huge_font_is_refused_before_it_is_read(tmp_path, reportgen):
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    (theme / "fonts").mkdir()
    with open(theme / "fonts" / "Huge.ttf", "wb") as handle:
        handle.truncate(3 * 1024 ** 3)
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    assert (f"{theme}/fonts/Huge.ttf: error[theme-file-too-large]: '{theme}/fonts/Huge.ttf' is 3072.0 MB; "
            "a font file may be at most 20 MB") in ran.stderr


def _check_bounded(report: Path, theme: Path) -> subprocess.CompletedProcess:
    """`reportgen check` in its own process, stopped after 120 s (a FIFO would block a reader forever)."""
    return subprocess.run([sys.executable, "-m", "generator", "check", str(report), "--theme", str(theme)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


@pytest.mark.parametrize("case", ["url", "font", "reference", "stylesheet"])
def test_a_fifo_in_a_theme_is_refused_without_being_opened_for_reading(tmp_path, case):
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    fifo = {"url": theme / "pipe.png", "font": theme / "fonts" / "Pipe.ttf", "reference": theme / "reference.docx",
            "stylesheet": theme / "screen.css"}[case]
    fifo.parent.mkdir(exist_ok=True)
    os.mkfifo(fifo)
    if case == "url":
        (theme / "theme.css").write_text("\nbody { background: url(pipe.png); }\n", encoding="utf-8")
    ran = _check_bounded(report, theme)
    assert ran.returncode == 1 and "Traceback" not in ran.stderr
    located = f"{theme}/theme.css:2:20:" if case == "url" else f"{fifo}:"
    assert f"{located} error[theme-file-not-regular]" in ran.stderr, ran.stderr


def test_the_pdfs_fetcher_reads_no_fifo_no_huge_file_and_nothing_outside(tmp_path):
    """Past check, WeasyPrint's fetches go through the same confined reader (render.py)."""
    from generator.writers.pdf.render import _fetcher_class

    root = tmp_path / "theme"
    root.mkdir()
    os.mkfifo(root / "pipe.png")
    with open(root / "huge.ttf", "wb") as handle:
        handle.truncate(3 * 1024 ** 3)
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    (root / "link.png").symlink_to(tmp_path / "secret.png")
    (root / "ok.css").write_text("p {}", encoding="utf-8")
    fetcher = _fetcher_class()([root])
    results = {}

    def fetch_all():
        for name in ("pipe.png", "huge.ttf", "link.png", "ok.css"):
            try:
                results[name] = fetcher.fetch((root / name).as_uri()).read()
            except ValueError:
                results[name] = None

    worker = threading.Thread(target=fetch_all, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "a fetch blocked"
    assert results == {"pipe.png": None, "huge.ttf": None, "link.png": None, "ok.css": b"p {}"}
    assert len(fetcher.refused) == 3


# --------------------------------------------------------------------------- CSS reaches nothing outside the page

URLS = [
    ("url(http://evil.example/x.png)", "theme-url-refused", "reaches outside the page"),
    ("u\\72l(//evil.example/y.png)", "theme-url-refused", "reaches outside the page"),
    ("\\75rl(https://evil.example/y.png)", "theme-url-refused", "reaches outside the page"),
    ("URL('file:///etc/passwd')", "theme-url-refused", "reaches outside the page"),
    ("url(/etc/hostname.png)", "theme-url-refused", "reaches outside the page"),
    ("url(data:image/png;base64,AAAA)", "theme-url-refused", "embeds no data: URL"),
    ("url(../secret.png)", "theme-path-outside", "points outside the theme's folder"),
    ("url(sub/%2e%2e/%2e%2e/secret.png)", "theme-path-outside", "points outside the theme's folder"),
    ("image-set(\"https://evil.example/z.png\" 1x)", "theme-url-refused", "reaches outside the page"),
    ("image-set(url(https://evil.example/n.png) 1x)", "theme-url-refused", "reaches outside the page"),
    ("var(--x, url(https://evil.example/v.png))", "theme-url-refused", "reaches outside the page"),
    ("url(notes.txt)", "theme-url-refused", "may name only PNG"),
    ("url(mark.png?x=1)", "theme-url-refused", "no ?query"),
    ("url(nothere.png)", "theme-file-missing", "not found"),
]


@pytest.mark.parametrize("value,code,says", URLS, ids=[u[0] for u in URLS])
@pytest.mark.parametrize("sheet", ["screen.css", "print.css"])
def test_a_theme_url_outside_the_theme_is_a_located_error_in_its_stylesheet(tmp_path, reportgen, value, code,
                                                                             says, sheet):
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    (theme / sheet).write_text(f"/* a house style */\nh1 {{ background: {value}; }}\n", encoding="utf-8")
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    line = f"h1 {{ background: {value}; }}"
    column = (line.index('"https') if value.startswith('image-set("') else line.index("url(") if
              value.startswith(("image-set(", "var(")) else line.index(value)) + 1
    assert f"{theme}/{sheet}:2:{column}: error[{code}]: " in ran.stderr and says in ran.stderr, ran.stderr
    assert "report.yaml" not in ran.stderr


def test_an_import_inside_a_rule_is_refused(tmp_path, reportgen):
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    (theme / "extra.css").write_text("p {}", encoding="utf-8")
    (theme / "screen.css").write_text('\n@media print { @import "extra.css"; }\n', encoding="utf-8")
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    assert (f"{theme}/screen.css:2:16: error[theme-url-refused]: @import must come first in a stylesheet, "
            "outside any rule") in ran.stderr, ran.stderr


@pytest.mark.parametrize("rule", ['@import "https://evil.example/a.css";', "@import url(//evil.example/a.css);",
                                  '@\\69mport "http://evil.example/a.css";', '@import "../x.css";'])
def test_an_import_outside_the_theme_is_a_located_error(tmp_path, reportgen, rule):
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    (tmp_path / "x.css").write_text("p {}", encoding="utf-8")
    (theme / "screen.css").write_text(f"\n{rule}\n", encoding="utf-8")
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    assert f"{theme}/screen.css:2:1: error[theme-" in ran.stderr and ("url-refused" in ran.stderr
                                                                      or "path-outside" in ran.stderr), ran.stderr


def test_what_an_imported_stylesheet_names_is_checked_too(tmp_path, reportgen):
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    (theme / "screen.css").write_text('@import "extra.css";\n', encoding="utf-8")
    (theme / "extra.css").write_text("p {}\nh1 { background: url(http://evil.example/x.png); }\n", encoding="utf-8")
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    assert f"{theme}/extra.css:2:18: error[theme-url-refused]: 'http://evil.example/x.png'" in ran.stderr, ran.stderr


def test_the_writers_own_reads_of_a_theme_stay_confined(tmp_path):
    """Past check, the theme's font folder and faces are still read confined: a symlinked fonts/
    is refused, a symlinked face is no face."""
    from generator.fonts import faces_in
    from generator.inputs import InputError
    from generator.themes import Theme

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(LATO, outside / "Secret.ttf")
    linked = theme_dir(tmp_path, "linked")
    (linked / "fonts").symlink_to(outside)
    with pytest.raises(InputError, match="points outside"):
        Theme("linked", (linked, STYLES_DIR)).fonts_dir  # noqa: B018
    (linked / "reference.docx").symlink_to(outside / "Secret.ttf")
    with pytest.raises(InputError, match="points outside"):
        Theme("linked", (linked, STYLES_DIR)).reference_docx  # noqa: B018
    own = theme_dir(tmp_path, "own")
    (own / "fonts").mkdir()
    (own / "fonts" / "Secret.ttf").symlink_to(outside / "Secret.ttf")
    shutil.copy(LATO, own / "fonts" / "Lato.ttf")
    assert [face.path.name for face in faces_in(Theme("own", (own, STYLES_DIR)).fonts_dir)] == ["Lato.ttf"]


def test_a_fontfile_named_in_css_is_checked_as_a_font(tmp_path, reportgen):
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    (theme / "bad.ttf").write_bytes(LATO.read_bytes()[:3000])
    (theme / "theme.css").write_text('@font-face { font-family: X; src: url("bad.ttf"); }\n', encoding="utf-8")
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    assert f"{theme}/theme.css:1:35: error[theme-font-invalid]: 'bad.ttf' cannot be used as a font" in ran.stderr


def tinycss2_rules(css: str) -> list[str]:
    """The top-level rules of `css`, each written out by tinycss2."""
    import tinycss2

    return [tinycss2.serialize([rule]) for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True,
                                                                             skip_comments=True)
            if rule.type != "error"]


def test_the_page_embeds_a_themes_files_and_fetches_nothing(tmp_path, reportgen):
    """url()s and @imports inside the theme are embedded in the self-contained page: no url() but
    data: URIs, no @import, the imported rules present."""
    import re

    from PIL import Image

    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    (theme / "img").mkdir()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(theme / "img" / "bg.png", dpi=(96, 96))
    (theme / "screen.css").write_text('@import "extra.css" screen;\nbody { background: url(img/bg.png); }\n'
                                      "h4 { color: blue } url(img/bg.png)", encoding="utf-8")  # ends in no rule
    (theme / "extra.css").write_text('h2 { border-image: image-set("img/bg.png" 1x) 1; word-spacing: 0.02em; }\n'
                                     "@media print { h3 { color: red } /* unclosed", encoding="utf-8")
    ran = reportgen("build", report, "--out", tmp_path / "out", "--theme", theme, "--format", "html")
    assert ran.returncode == 0, ran.stderr
    style = Elements((tmp_path / "out" / "surrey-pdu.html").read_text(encoding="utf-8")).styles[0]
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", style)
    assert urls and all(url.startswith("data:") for url in urls), urls
    assert sum(url.startswith("data:image/png;base64,") for url in urls) == 2  # body, the imported image-set
    assert "@import" not in style and "@media screen {" in style and "word-spacing: 0.02em" in style
    publication = (STYLES_DIR / "publication.css").read_text(encoding="utf-8")
    assert publication.strip() in style  # the next file's rules: not swallowed by the open block or comment
    page_rules, own_rules = tinycss2_rules(style), tinycss2_rules(publication)
    assert page_rules[-len(own_rules):] == own_rules  # the last file's rules are rules of the page


# --------------------------------------------------------------------------- damaged fonts, unreadable files


@pytest.mark.parametrize("damage", ["truncated-header", "truncated-tables", "truncated-glyphs", "random", "empty"])
def test_a_damaged_font_is_a_located_error_not_a_crash(tmp_path, reportgen, damage):
    import random

    data = LATO.read_bytes()
    content = {"truncated-header": data[:40], "truncated-tables": data[:5000],
               "truncated-glyphs": data[: len(data) * 2 // 3],
               "random": random.Random(7).randbytes(20_000), "empty": b""}[damage]
    report = copy_report(tmp_path)
    theme = theme_dir(tmp_path)
    (theme / "fonts").mkdir()
    (theme / "fonts" / "House.ttf").write_bytes(content)
    ran = reportgen("check", report, "--theme", theme)
    assert ran.returncode == 1
    assert f"{theme}/fonts/House.ttf: error[theme-font-invalid]: 'House.ttf' cannot be used as a font" in ran.stderr


def _without_root(command: list[str]) -> list[str]:
    """`command` run without the power to read past file modes (root's CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH dropped by util-linux's setpriv), so that mode 000 means what it means."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("needs setpriv (util-linux) to drop root's file-reading capabilities")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]


@pytest.mark.parametrize("case", ["folder", "fonts", "font", "stylesheet", "theme.yaml"])
def test_an_unreadable_theme_file_is_a_located_error(case):
    """Mode 000 on a theme's folder or file: a located error (run as an unprivileged user, since
    root reads anything)."""
    base = Path(tempfile.mkdtemp(prefix="reportgen-mode000-"))
    theme = base / "house"
    try:
        report = base / "surrey-pdu"
        shutil.copytree(SURREY, report)
        theme = theme_dir(base)
        (theme / "fonts").mkdir()
        shutil.copy(LATO, theme / "fonts" / "House.ttf")
        (theme / "theme.css").write_text("p { color: red }", encoding="utf-8")
        target = {"folder": theme, "fonts": theme / "fonts", "font": theme / "fonts" / "House.ttf",
                  "stylesheet": theme / "theme.css", "theme.yaml": theme / "theme.yaml"}[case]
        target.chmod(0)
        ran = subprocess.run(_without_root([sys.executable, "-m", "generator", "check", str(report), "--theme",
                                            str(theme)]), capture_output=True, text=True, cwd=ROOT, timeout=120,
                             env={**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(ROOT)})
        assert ran.returncode == 1 and "Traceback" not in ran.stderr and "internal-error" not in ran.stderr, ran.stderr
        assert f"{target if case != 'folder' else theme / 'theme.yaml'}: error[theme-file-unreadable]" in ran.stderr, \
            ran.stderr
    finally:
        for path in (theme, theme / "fonts", theme / "fonts" / "House.ttf", theme / "theme.css", theme / "theme.yaml"):
            path.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_the_packages_own_page_stylesheets_name_no_file():
    """The page inlines the package's own sheets as they are (they are not embedded): so none may
    name a file, or the page would fetch it."""
    from generator.resources import THEMES_DIR
    from generator.themes import STYLESHEETS, _parse, _refs

    sheets = [folder / name for folder in (STYLES_DIR, *THEMES_DIR.iterdir()) for name in STYLESHEETS["screen"]
              if (folder / name).is_file()]
    assert len(sheets) >= 3
    for sheet in sheets:
        assert _refs(_parse(sheet.read_text(encoding="utf-8"))) == [], sheet
