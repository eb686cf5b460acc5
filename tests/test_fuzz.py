"""Properties of `check` under mutation: whatever is done to report.yaml (its text or its values),
the chapters, the framework file, an SVG figure or a chart's data, `check` ends in success or in
located diagnostics: exit 0 or 1, never a traceback or an internal error, every line on stderr
`path:line[:col]: severity[code]: message` with a code the README's table lists (or a summary
line); and when `check` says ok, the build succeeds too and its outputs exist.

The suite runs a few examples of each (about 30 s in all); `make fuzz` runs 10,000 of each
(REPORTGEN_FUZZ_EXAMPLES). Themes and fonts are fuzzed in tests/test_fuzz_themes.py.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from tests.conftest import ROOT, SURREY

EXAMPLES = int(os.environ.get("REPORTGEN_FUZZ_EXAMPLES", "0"))
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def examples(default: int) -> int:
    return EXAMPLES or default


def _readme_codes() -> set[str]:
    """The codes of the README's "Diagnostic codes" table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Diagnostic codes"):]
    table = table[:table.index("\n### ", 5)]
    return {code for line in table.splitlines() if line.startswith("| `")
            for code in re.findall(r"`([a-z0-9-]+)`", line.split("|")[1])}


KNOWN_CODES = _readme_codes()
DIAGNOSTIC = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+)(?::\d+)?: (?:error|warning)\[(?P<code>[a-z0-9-]+)\]: \S.*$")
# a built file's own findings name the output, and the place inside it in the message
OUTPUT = re.compile(r"^(?P<path>\S[^\n]*?): (?:error|warning)\[(?P<code>a11y-[a-z0-9-]+|output-failed)\]: \S.*$")
NOTE = re.compile(r"^\S[^\n]*?:\d+(?::\d+)?: note: \S.*$")
SUMMARY = re.compile(r"^(?:\S.*: ok|build failed: \d+ problem\(s\); nothing was written|wrote \S.*)$")


def assert_located(err: str) -> list[str]:
    """Every line of `err` a located diagnostic with a known code, or a summary line; the codes."""
    assert "Traceback" not in err and "internal-error" not in err, err
    codes = []
    for line in err.rstrip("\n").split("\n") if err else []:
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", line), f"a control character printed raw: {line!r}"
        match = DIAGNOSTIC.match(line) or OUTPUT.match(line)
        if match is None and codes and NOTE.match(line):  # the second place of the diagnostic before it
            continue
        if match is None:
            assert SUMMARY.match(line), f"neither a located diagnostic nor a summary: {line!r}"
            continue
        code = match["code"]
        assert code in KNOWN_CODES or code.startswith("a11y-"), f"a code the README does not list: {line!r}"
        codes.append(code)
    return codes


def check_then_build(report, capsys) -> None:
    """`check` ends in 0 or 1 with located diagnostics; if 0, the build succeeds and writes its outputs."""
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(report)])
    err = capsys.readouterr().err
    assert exit_info.value.code in (0, 1), err
    codes = assert_located(err)
    if exit_info.value.code == 1:
        assert "error[" in err and codes, err
        return
    out = report.parent / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["build", str(report), "--out", str(out), "--format", "html,docx"])
    err = capsys.readouterr().err
    assert exit_info.value.code in (0, None), err
    assert_located(err)
    for fmt in ("html", "docx"):
        assert (out / f"{report.name}.{fmt}").stat().st_size > 0, fmt


# --------------------------------------------------------------------------- text edits anywhere

FILES = ["report.yaml", "chapters/foreword.md", "chapters/domain-2.md", "chapters/background.md",
         "chapters/ratings.md"]
SNIPPETS = ["{{", "}}", "{%", "%}", "{#", ":::", "::: standard P2.1", "::: key-questions", "[^ons]", "[^x]:",
            "# ", "### ", "![", "](", "<script>", "<b onclick='x'>", "\t", "- ", "1. ", ": ", "key_questions:",
            "[46, 173]", "rating: Good", "\n", "\n\n", "'", "\"", "\\", "\x00", "é", "{{ sample.cases }}",
            "{{ report.__class__ }}", "> ", "|a|b|\n|-|-|\n", "[x](#)", "[x](javascript:y)"]

edits = st.lists(st.tuples(st.sampled_from(FILES), st.floats(0, 1), st.integers(0, 40),
                           st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=12))),
                 min_size=1, max_size=4)


@settings(max_examples=examples(12), deadline=None, suppress_health_check=HEALTH)
@given(edits=edits)
def test_any_mutation_gives_success_or_diagnostics(edits, tmp_path_factory, capsys):
    report = tmp_path_factory.mktemp("fuzz") / "surrey-pdu"
    shutil.copytree(SURREY, report)
    for name, where, cut, insert in edits:
        path = report / name
        text = path.read_text(encoding="utf-8")
        at = int(where * len(text))
        path.write_text(text[:at] + insert + text[at + cut:], encoding="utf-8", errors="surrogatepass")
    check_then_build(report, capsys)


# --------------------------------------------------------------------------- values, frameworks, chapters

FRAMEWORK = ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml"
VALUE_FILES = ["report.yaml", "frameworks/hmip-pdu-2023.yaml", "chapters/domain-2.md", "chapters/ratings.md"]
VALUES = ["~", "[]", "{}", "''", "0", "-1", "1e309", "99999999999999999999", "true", "x", "'\x1b'", "\"\\0\"",
          "2024-02-30", "9999-12", "!!python/name:os.system", "!!binary AAAA", "&a [1]", "*a", "[*a, *a]",
          "{from: 101, rating: good}", "{from: -5, rating: nope}", "[{id: a, label: A, points: 1, colour: '#000000', "
          "text_colour: '#ffffff'}]", "'" + "w" * 300 + "'", "'\U0001F600'", "[1, 'two', 3]", "{a: 1}",
          "'{{ 7 * 7 }}'", "'::: standard P1.1'"]
VALUE_SNIPPETS = ["{{", "{{ standards['P2.1'].rating.label }}", "::: key-questions", "::: standard P2.2", "> ",
                  "[^x]", "\x00", "{% for i in range(10) %}x{% endfor %}", "{{ score }}/{{ max_score }}", "\n\n", "### "]
VALUE_LINE = re.compile(r"^(\s*-?\s*[\w.]+:\s)(.+)$")

value_edits = st.lists(st.tuples(st.sampled_from(VALUE_FILES), st.floats(0, 1),
                                 st.sampled_from(VALUES + VALUE_SNIPPETS), st.booleans()), min_size=1, max_size=3)


def mutate_line(text: str, where: float, insert: str, replace_value: bool) -> str:
    """Replace the value of the key on the line at `where`, or insert `insert` in that line's middle."""
    lines = text.split("\n")
    index = min(int(where * len(lines)), len(lines) - 1)
    match = VALUE_LINE.match(lines[index])
    if replace_value and match:
        lines[index] = match[1] + insert
    else:
        lines[index] = lines[index][: len(lines[index]) // 2] + insert + lines[index][len(lines[index]) // 2:]
    return "\n".join(lines)


@settings(max_examples=examples(24), deadline=None, suppress_health_check=HEALTH)
@given(edits=value_edits)
def test_mutated_values_frameworks_and_chapters_never_traceback(edits, tmp_path_factory, capsys):
    report = tmp_path_factory.mktemp("fuzz") / "surrey-pdu"
    shutil.copytree(SURREY, report)
    (report / "frameworks").mkdir()
    shutil.copy(FRAMEWORK, report / "frameworks" / FRAMEWORK.name)
    for name, where, insert, replace_value in edits:
        path = report / name
        path.write_text(mutate_line(path.read_text(encoding="utf-8"), where, insert, replace_value), encoding="utf-8")
    check_then_build(report, capsys)


# --------------------------------------------------------------------------- SVG figures

from generator.formats import figures as gate  # noqa: E402

SVG_CODES = {"image-invalid", "image-format", "image-too-large", "url-refused", "svg-too-complex"}
TAGS = ["g", "use", "rect", "path", "polyline", "pattern", "mask", "marker", "image", "style", "defs", "symbol", "a",
        "text", "svg", "clipPath", "linearGradient", "filter", "feImage", "circle"]
tags = st.one_of(st.sampled_from(TAGS), st.sampled_from(TAGS), st.sampled_from(TAGS + ["script", "foreignObject"]))
NAMES = ["id", "href", "xlink:href", "style", "fill", "stroke", "mask", "clip-path", "filter", "marker-mid",
         "marker-start", "marker", "width", "height", "viewBox", "x", "y", "d", "points", "transform",
         "patternUnits", "maskUnits", "patternContentUnits", "preserveAspectRatio", "class"]
names = st.one_of(st.sampled_from(NAMES), st.sampled_from(NAMES), st.sampled_from(NAMES + ["onload", "xml:base"]))
TINY_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGP8z4AATAxEcQAz0QEH"
            "OoQ+uAAAAABJRU5ErkJggg==")
SAFE_VALUES = ["a", "b", "m", "p", "#a", "#b", "#m", "#p", "#nowhere", "url(#a)", "url(#m)", "url(#p)", "url( '#b' )",
               TINY_PNG, "-5", "0", "10", "50%", "12em", "3in", "1 1 10 10", "M0 0 L1 1 L2 2 Z",
               "M0 0" + " L1 1" * 50, "0,0 1,1 2,0", "fill: url(#a)", "marker-mid: url(#m); marker: url(#m)",
               "scale(2)", "rotate(45) translate(3)", "userSpaceOnUse", "objectBoundingBox", "none",
               "xMidYMid slice", "red", ""]
HOSTILE_VALUES = ["u\\72l(#a)", "url(\\23 a)", "url(http://127.0.0.1:9/x#a)", "url(data:image/png;base64,AAAA)",
                  "data:image/svg+xml;base64,PHN2Zy8+", "data:,", "data:image/png;base64,!!!!", "file:///etc/passwd",
                  "other.svg", "../x.png", "javascript:alert(1)", "1e400", "nan", "-inf", "9000", "1e5", "100%",
                  "0 0 0 0", "0 0 -1 5", "0 0 1e400 1", "fill: u\\72l(#p)", "@import 'x.css'", "scale(1000)",
                  "scale(nan)", "rotate(45) translate(1e300)", "\\", "&amp;", "\u00e9\u2028"]
SIZES = ['width="100" height="80"', 'width="10mm" height="2in" viewBox="0 0 50 50"', 'viewBox="0 0 640 160"',
         'width="100%" height="100%" viewBox="-5 -5 20 20"', 'width="2000" height="2000"']
CSS_TEXT = ["", "", "", "path { marker-mid: url(#m) }", "rect { fill: url(#p) } * { mask: url(#m) }", "@import url(x.css);",
            "@media print { g { fill: url(#a) } }", "@font-face { src: url(f.woff) }", "@\\69mport 'x';",
            ".a { fill: u\\72l(http://x/y) }", "g { marker: url(#m) }", "}}}{{{", "<![CDATA[ g{fill:url(#a)} ]]>"]

safe_values = st.sampled_from(SAFE_VALUES)
attribute_values = st.one_of(safe_values, safe_values, safe_values, st.sampled_from(HOSTILE_VALUES), st.text(max_size=12))
elements = st.recursive(
    st.tuples(tags, st.dictionaries(names, attribute_values, max_size=4), st.just(())),
    lambda children: st.tuples(tags, st.dictionaries(names, attribute_values, max_size=4),
                               st.lists(children, max_size=4).map(tuple)),
    max_leaves=30)


def _attribute(value: str) -> str:
    from xml.sax.saxutils import quoteattr

    return quoteattr("".join(c for c in value if c in "\t\n" or (ord(c) >= 32 and c not in "\ufffe\uffff")
                             and not 0xD800 <= ord(c) <= 0xDFFF))


def _serialise(element, css: str) -> str:
    tag, attrs, children = element
    attributes = "".join(f" {name}={_attribute(value)}" for name, value in attrs.items())
    inner = css if tag == "style" else "".join(_serialise(child, css) for child in children)
    return f"<{tag}{attributes}>{inner}</{tag}>"


@st.composite
def svg_files(draw) -> bytes:
    """An SVG built to hurt: references between the few ids used, url()s written every way, sizes
    from nothing to infinite, embedded pictures, styles; sometimes a prolog or a cut."""
    size = draw(st.one_of(st.sampled_from(SIZES), st.sampled_from(SIZES), st.sampled_from(SIZES), st.just("")))
    root_attrs = draw(st.dictionaries(st.sampled_from(["width", "height", "viewBox", "style", "id"]),
                                      attribute_values, max_size=2 if not size else 0))
    body = "".join(_serialise(e, draw(st.sampled_from(CSS_TEXT))) for e in draw(st.lists(elements, max_size=3)))
    prolog = draw(st.sampled_from(["", "", "", "<?xml version='1.0'?>", "<?xml-stylesheet href='x.css'?>",
                                   "<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"]))
    attributes = (f" {size}" if size else "") + "".join(f" {k}={_attribute(v)}" for k, v in root_attrs.items())
    text = f'{prolog}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"{attributes}>'
    data = (text + body + "</svg>").encode("utf-8")
    if draw(st.integers(0, 19)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    return data


@settings(max_examples=examples(80), deadline=None, suppress_health_check=HEALTH)
@given(data=svg_files())
def test_the_svg_gate_refuses_with_a_known_code_or_the_docx_picture_is_drawn(data):
    """What the gate lets through, CairoSVG draws for the DOCX (the build does not fail where the
    check passed); what it refuses is one known code, said of the figure."""
    from generator.writers.docx.nodes import svg_as_png

    problems = gate.check_svg(data, "images/fuzz.svg")
    assert len(problems) <= 1
    for code, message in problems:
        assert code in SVG_CODES and code in KNOWN_CODES, (code, message)
        assert message.startswith("image 'images/fuzz.svg' "), message
    if not problems:
        png, width = svg_as_png(data, "images/fuzz.svg")
        assert png.getvalue().startswith(b"\x89PNG") and width >= 0


@settings(max_examples=examples(3), deadline=None, suppress_health_check=HEALTH)
@given(data=svg_files())
def test_an_svg_figure_gives_success_or_located_diagnostics(data, tmp_path_factory, capsys):
    report = tmp_path_factory.mktemp("fuzz") / "surrey-pdu"
    shutil.copytree(SURREY, report)
    (report / "images").mkdir()
    (report / "images" / "fuzz.svg").write_bytes(data)
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\n![A figure](images/fuzz.svg)\n", encoding="utf-8")
    check_then_build(report, capsys)


# --------------------------------------------------------------------------- chart data

CHART_LABELS = ["North team", "$\\frac{1}{$", "$" + "\\frac{" * 60 + "$", "$x$", "$", "\\", "x" * 200, "w " * 100,
                "\U0001F600", "e\u0301", "\u202e", "{{ 7 * 7 }}", "::: chart c", "<script>", "a\nb"]
HOSTILE_LABELS = ["x" * 201, "\x1b", "", " ", "\x00"]
good_labels = st.sampled_from(CHART_LABELS)
chart_labels = st.one_of(good_labels, good_labels, good_labels, st.sampled_from(HOSTILE_LABELS), st.text(max_size=40))
good_values = st.one_of(st.floats(0, 1e15), st.integers(0, 10**6), st.sampled_from([0, 5e-324, 1e15, 1e-300]))
chart_values = st.one_of(good_values, good_values, good_values, good_values,
                         st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                         st.sampled_from([1.6e308, 1e15 * 1.01, -0.0]), st.text(max_size=5), st.none(),
                         st.lists(st.integers(), max_size=2))


@st.composite
def chart_specs(draw) -> dict:
    """A chart's table: mostly well formed (so that matplotlib draws it), its labels and values hostile."""
    count = draw(st.integers(0, 32))
    rows = st.one_of(st.lists(chart_values, min_size=count, max_size=count),
                     st.lists(chart_values, min_size=count, max_size=count), st.lists(chart_values, max_size=32))
    spec = {"title": draw(chart_labels), "categories": draw(st.lists(chart_labels, min_size=count, max_size=count)),
            "series": draw(st.dictionaries(chart_labels, rows, min_size=draw(st.integers(0, 1)), max_size=7))}
    if draw(st.integers(0, 5)):  # mostly labelled: a chart without `axis` is refused (key-missing)
        spec["axis"] = draw(chart_labels)
    if draw(st.booleans()):
        spec["unit"] = draw(st.one_of(st.sampled_from(["%", " $", "$", " cases", "x" * 21]), st.text(max_size=8)))
    return spec


charts = st.dictionaries(st.sampled_from(["c", "money", "ratings", "key-questions", "two words", "$x$"]), chart_specs(),
                         min_size=1, max_size=3)


@settings(max_examples=examples(10), deadline=None, suppress_health_check=HEALTH)
@given(data=charts, markers=st.lists(st.sampled_from(["c", "money", "ratings", "key-questions P2.1", "two words",
                                                      "$x$", "c \"$\\frac{1}{$\"", "money \"" + "y" * 300 + "\""]),
                                     min_size=1, max_size=3))
def test_chart_data_gives_success_or_located_diagnostics(data, markers, tmp_path_factory, capsys):
    """Any table of numbers and labels in report.yaml `charts:`, drawn by any markers: values that
    overflow, are not numbers or are negative, labels long, empty or full of mathtext, too many."""
    import yaml

    report = tmp_path_factory.mktemp("fuzz") / "surrey-pdu"
    shutil.copytree(SURREY, report)
    path = report / "report.yaml"
    block = yaml.safe_dump({"charts": data}, allow_unicode=True, width=10**6, sort_keys=False)
    path.write_text(path.read_text(encoding="utf-8").replace("\nparts:", "\n" + block + "parts:", 1),
                    encoding="utf-8")
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "".join(f"\n\n::: chart {m}\n" for m in markers),
                       encoding="utf-8")
    check_then_build(report, capsys)
