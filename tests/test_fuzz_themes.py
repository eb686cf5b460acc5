"""Properties of `check` and `build` under hostile themes: whatever a theme's theme.yaml, CSS and font
files hold (random text, markup, URLs however escaped, random or truncated font bytes), `check`
ends in success or well-formed located diagnostics (exit 0 or 1, never a traceback), and when it
says ok, the page built with the theme holds no script element and fetches nothing from outside.

The suite runs a few dozen examples; `make fuzz` runs 10,000 (REPORTGEN_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.resources import STYLES_DIR
from tests.conftest import ROOT

EXAMPLES = int(os.environ.get("REPORTGEN_FUZZ_EXAMPLES", "0"))
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
SMALL = ROOT / "content" / "thematic-example"  # the smallest example: a check in a tenth of a second
LATO = (STYLES_DIR / "fonts" / "Lato-Regular.ttf").read_bytes()
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
DIAGNOSTIC = re.compile(r"^\S.*?(:\d+(:\d+)?)?: (error|warning)\[[a-z0-9-]+\]: \S.*$|^\S.*: ok$")


def examples(default: int) -> int:
    return EXAMPLES or default


MARKUP = ["</style>", "</script>", "<script>alert(1)</script>", "<!--", "]]>", "\"", "'", "\\", "\x00", "\x1b", "é",
          "\u2028", "#fff", "#7a0019", "red", "Lato", "DejaVu Sans", "x" * 400, "", "~", "[1, 2]", "{a: b}",
          "!!python/object:os.system", "&a x", "*a", "2024-02-30", "1e309", ":", "\n"]
FIELDS = ["name", "description", "colours", "fonts", "logo", "font", "colour", 7]

yaml_values = st.recursive(st.one_of(st.sampled_from(MARKUP), st.text(max_size=20), st.integers(), st.none()),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.one_of(st.sampled_from(MARKUP + ["brand", "body",
                                                                                                       "file", "alt"]),
                                                                             st.text(max_size=8)),
                                                                   inner, max_size=3)),
                           max_leaves=8)
structured_yaml = st.dictionaries(st.sampled_from(FIELDS), yaml_values, max_size=4)
theme_yaml = st.one_of(structured_yaml.map(lambda data: ("structured", data)),
                       st.text(max_size=200).map(lambda text: ("text", text)),
                       st.lists(st.sampled_from(MARKUP + ["name: ", "colours:\n  brand: ", "fonts: {body: ",
                                                          "logo: {file: mark.png, alt: ", "}", "\n  "]),
                                max_size=8).map(lambda parts: ("text", "".join(parts))))

CSS_SNIPPETS = ["url(mark.png)", "url(\"mark.png\")", "url(fonts/House.ttf)", "url(http://evil.example/x.png)",
                "u\\72l(//evil.example/y)", "\\75rl(https://evil.example/z)", "url(data:image/png;base64,AA)",
                "url(../outside.png)", "url(/etc/passwd)", "url(%2e%2e/x.png)", "@import \"extra.css\";",
                "@import url(https://evil.example/a.css);", "@\\69mport 'x.css';", "image-set(\"http://e.x/a.png\" 1x)",
                "src(\"http://e.x/f.ttf\")", "h1 { background: ", "; }", "{", "}", "(", ")", "\"", "'", "\\", "/*", "*/",
                "</style>", "<!--", "]]>", "@media print {", "@font-face { font-family: X; src: ", "color: red;",
                "\x00", "\n", "url(", "url()", "url(mark.png?x)", "url(#frag)", "expression(alert(1))"]
css_text = st.lists(st.one_of(st.sampled_from(CSS_SNIPPETS), st.text(max_size=10)), max_size=12).map("".join)


def _font_bytes(kind: str, cut: float, flips: list[tuple[float, int]], noise: bytes) -> bytes:
    if kind == "lato":
        return LATO
    if kind == "truncated":
        return LATO[: int(cut * len(LATO))]
    if kind == "flipped":
        data = bytearray(LATO)
        for where, value in flips:
            data[int(where * (len(data) - 1))] = value
        return bytes(data)
    return noise


font_files = st.builds(_font_bytes, st.sampled_from(["lato", "truncated", "flipped", "random"]), st.floats(0, 1),
                       st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=6),
                       st.binary(max_size=4000))


def write_theme(root: Path, yaml_choice, sheets: dict[str, str], font: bytes | None) -> Path:
    import yaml

    theme = root / "house"
    theme.mkdir()
    how, value = yaml_choice
    text = yaml.safe_dump(value, allow_unicode=True) if how == "structured" else value
    (theme / "theme.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    for name, css in sheets.items():
        (theme / name).write_text(css, encoding="utf-8", errors="surrogatepass")
    (theme / "mark.png").write_bytes(PNG)
    (root / "outside.png").write_bytes(PNG)
    if font is not None:
        (theme / "fonts").mkdir()
        (theme / "fonts" / "House.ttf").write_bytes(font)
    return theme


def run(args, capsys) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    return exit_info.value.code or 0, capsys.readouterr().err


def assert_well_formed(code: int, err: str) -> None:
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal-error" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    bad = [line for line in lines if not DIAGNOSTIC.match(line)]
    assert not bad, bad
    if code == 1:
        assert any("error[" in line for line in lines), err


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.style = ""
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data


def assert_self_contained(html: str) -> None:
    """No script element, one style element, and nothing the page would fetch: every url() a data:
    URI, no @import, no src= or href= to another host."""
    import tinycss2

    page = Page(html)
    assert "script" not in page.tags and page.tags.count("style") == 1
    assert "<" not in page.style
    urls = []

    def walk(tokens):
        for token in tokens or ():
            if token.type == "url":
                urls.append(token.value)
            elif token.type == "function":
                if token.lower_name in ("url", "src", "image-set", "-webkit-image-set", "image", "cross-fade"):
                    urls.extend(a.value for a in token.arguments if a.type == "string")
                walk(token.arguments)
            elif token.type in ("() block", "[] block", "{} block"):
                walk(token.content)
            elif token.type == "at-keyword":
                assert token.lower_value != "import"

    for rule in tinycss2.parse_stylesheet(page.style):
        assert not (rule.type == "at-rule" and rule.lower_at_keyword == "import")
        walk(getattr(rule, "prelude", None))
        walk(getattr(rule, "content", None))
    assert all(url.startswith("data:") for url in urls), urls


@settings(max_examples=examples(30), deadline=None, suppress_health_check=HEALTH)
@given(yaml_choice=theme_yaml, screen=css_text, theme_css=css_text, font=st.none() | font_files)
def test_any_theme_gives_success_or_located_diagnostics(yaml_choice, screen, theme_css, font, tmp_path_factory,
                                                        capsys):
    root = tmp_path_factory.mktemp("fuzz-theme")
    report = root / "report"
    shutil.copytree(SMALL, report)
    (root / "extra.css").write_text("p {}", encoding="utf-8")
    theme = write_theme(root, yaml_choice, {"screen.css": screen, "theme.css": theme_css}, font)
    code, err = run(["check", report, "--theme", theme], capsys)
    assert_well_formed(code, err)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=HEALTH)
@given(yaml_choice=structured_yaml.map(lambda data: ("structured", data)), screen=css_text, theme_css=css_text,
       font=st.none() | font_files)
def test_a_theme_that_checks_ok_builds_a_page_that_runs_and_fetches_nothing(yaml_choice, screen, theme_css, font,
                                                                           tmp_path_factory, capsys):
    root = tmp_path_factory.mktemp("fuzz-theme-build")
    report = root / "report"
    shutil.copytree(SMALL, report)
    theme = write_theme(root, yaml_choice, {"screen.css": screen, "theme.css": theme_css}, font)
    code, err = run(["check", report, "--theme", theme], capsys)
    assert_well_formed(code, err)
    if code != 0:
        return
    code, err = run(["build", report, "--theme", theme, "--out", root / "out", "--format", "html,docx"], capsys)
    assert code == 0, err
    assert_self_contained((root / "out" / "report.html").read_text(encoding="utf-8"))


def test_the_page_check_can_fail():
    """The property's own check sees a script, a second style and a fetched URL."""
    for page in ["<style>p{}</style><script>x</script>", "<style>p{}</style><style></style>",
                 "<style>p { background: url(http://e.x/a.png) }</style>", "<style>@import 'a.css';</style>",
                 "<style>p { background: image-set('http://e.x/a.png' 1x) }</style>"]:
        with pytest.raises(AssertionError):
            assert_self_contained(page)
    assert_self_contained("<style>p { background: url(data:image/png;base64,AA) }</style>")
