"""stages/charts.py: charts drawn from the report's data, deterministic, in colours of enough
contrast, and matplotlib imported only by a report that has a chart. (What each output shows of a
chart is read back in tests/test_figures.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.resources import blocks_data
from tests.conftest import ROOT


def test_chart_is_deterministic_and_has_no_date():
    from generator.stages import charts

    bars = charts.Bars(("a", "b"), (("n", (1.0, 2.0)),), (("#1d70b8", "#1d70b8"),))
    one, two = charts.draw(bars), charts.draw(bars)
    assert one == two
    assert "<dc:date>" not in one[0] and "Matplotlib" not in one[0]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("colour", [*blocks_data()["chart"]["series"], blocks_data()["chart"]["edge"],
                                    blocks_data()["chart"]["grid"], blocks_data()["callout"]["border"]])
def test_chart_colours_contrast_three_to_one_with_white(colour):
    assert (1.05) / (_luminance(colour) + 0.05) >= 3, colour


def test_matplotlib_is_imported_only_for_a_report_with_a_chart():
    code = ("import sys; from pathlib import Path; from generator.build import check; "
            "check(Path('content/surrey-pdu')); print('matplotlib' in sys.modules); "
            "check(Path('content/figures-example')); print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_key_question_bars_take_the_colour_of_their_band_and_say_the_lowest():
    from generator.build import check

    doc = check(ROOT / "content" / "figures-example")
    from generator.model import Chart, walk

    chart = next(n for p in doc.parts for n in walk(p.blocks) if isinstance(n, Chart) and "key questions" in n.alt)
    # P2.1 is [81, 74, 66]: outstanding (80+), good (65+), good; the lowest is said in words
    assert "81%; " in chart.alt and "66% (lowest score)" in chart.alt
    assert "#00703C" in chart.svg.upper() or "#00703c" in chart.svg  # outstanding's colour, from the framework


def _chart_glyph_fonts(html: str) -> set[str]:
    """The fonts of the glyph outlines in the built page's charts (matplotlib names each glyph's
    path "<PostScript name>-<n>")."""
    import base64
    import re

    figures = re.findall(r'<figure class="chart".*?</figure>', html, re.S)
    charts = [d for f in figures for d in re.findall(r'data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)', f)]
    assert charts
    return {font for data in charts
            for font in re.findall(r'<path id="([A-Za-z][\w-]*?)-\d+"', base64.b64decode(data).decode("utf-8"))}


def test_charts_are_drawn_in_the_report_themes_body_font(tmp_path):
    """A theme whose body font is another family (theme.yaml `fonts: body:`, its file in the theme's
    fonts/) has its charts' text drawn in that font, not in the default theme's Lato."""
    import shutil

    import matplotlib

    from generator.build import build

    theme = tmp_path / "house"
    (theme / "fonts").mkdir(parents=True)
    shutil.copy(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf", theme / "fonts")
    (theme / "theme.yaml").write_text("fonts:\n  body: DejaVu Sans\n", encoding="utf-8")
    report = ROOT / "content" / "figures-example"
    default = build(report, tmp_path / "default", formats=("html",)).outputs["html"]
    themed = build(report, tmp_path / "themed", formats=("html",), theme=theme).outputs["html"]
    assert _chart_glyph_fonts(default.read_text(encoding="utf-8")) == {"Lato-Regular"}
    assert _chart_glyph_fonts(themed.read_text(encoding="utf-8")) == {"DejaVuSans"}


# --------------------------------------------------------------------------- hostile chart data (issue 20)

def _glyph_id(char: str) -> str:
    """The id matplotlib gives the outline of `char` in Lato (its glyph index, in hex)."""
    from fontTools.ttLib import TTFont

    from generator.resources import FONTS_DIR

    font = TTFont(FONTS_DIR / "Lato-Regular.ttf")
    return f"Lato-Regular-{font.getGlyphID(font.getBestCmap()[ord(char)]):x}"


MATHTEXT = ["$\\frac{1}{$", "$" + "\\frac{" * 200 + "$", "cost $5 to $x$", "$x^2$", "\\$$$", "$\\sqrt[", "$$"]


def test_labels_are_drawn_as_written_never_as_mathtext():
    """A `$` is a dollar sign: broken or deeply nested mathtext (`$\\frac{1}{$` crashed the check)
    draws as the text it is, in every label: categories, series (the legend), unit, axis."""
    import re

    from generator.stages import charts

    bars = charts.Bars(tuple(MATHTEXT), tuple((name, tuple(float(i) for i in range(len(MATHTEXT))))
                                              for name in ("$\\frac{1}{$", "$y$")),
                       (("#1d70b8",) * len(MATHTEXT), ("#b58840",) * len(MATHTEXT)), "$", None, "$\\frac{$")
    svg = charts.draw(bars)[0]
    dollar = _glyph_id("$")
    drawn = re.findall(r'xlink:href="#([\w-]+)"', svg)
    # every dollar sign of the labels is drawn: categories (as wrapped), the legend's two names, the axis
    # label, the unit after each value
    expected = sum(charts._wrap(c).count("$") for c in MATHTEXT) + 4 + 2 + 2 * len(MATHTEXT)
    assert drawn.count(dollar) == expected


def test_a_label_of_any_length_is_drawn_in_a_few_short_lines():
    """The drawing is bounded whatever the label's source (a framework's key question has no limit of
    its own): a 200,000-character word (37 s in check before) is four lines of 38 characters."""
    from generator.stages import charts

    for label in ("x" * 200_000, "word " * 40_000, "a " + "y" * 100 + " b"):
        lines = charts._wrap(label).split("\n")
        assert len(lines) <= charts.LABEL_LINES
        assert all(len(line.rstrip("…")) <= charts.LABEL_WIDTH for line in lines), lines
    assert charts._wrap("North team") == "North team"
    assert charts._wrap("a " + "y" * 100 + " b").split("\n")[:3] == ["a", "y" * 38, "y" * 38]


def test_too_many_bars_are_refused_before_drawing():
    from generator.stages import charts

    def bars(count: int):
        return charts.Bars(tuple(f"c{i}" for i in range(count)), (("n", (1.0,) * count),), (("#1d70b8",) * count,))

    assert charts.too_many(bars(charts.MAX_BARS)) is None
    assert f"{charts.MAX_BARS + 1} bars" in charts.too_many(bars(charts.MAX_BARS + 1))


def test_a_chart_with_dollar_labels_builds_and_reads_back_literally(tmp_path, reportgen):
    from generator.text import file_text
    from tests.conftest import copy_report

    report = copy_report(tmp_path)
    data = report / "report.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace(
        "\nparts:", "\ncharts:\n  money:\n    title: Spend in $ by team\n    unit: \" $\"\n    axis: $\\frac{1}{$ spent\n"
        "    categories: ['$\\frac{1}{$ team', 'The $x$ team']\n    series: {'$y$': [12, 1e12]}\nparts:", 1),
        encoding="utf-8")
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\n::: chart money\n", encoding="utf-8")
    out = tmp_path / "out"
    result = reportgen("build", report, "--out", out, "--format", "html,docx")
    assert result.returncode == 0, result.stderr
    for fmt in ("html", "docx"):
        text = file_text(out / f"surrey-pdu.{fmt}")
        assert "$\\frac{1}{$ team" in text and "The $x$ team" in text and "1e+12 $" in text, fmt


def test_a_chart_naming_no_numbered_table_is_a_located_error(tmp_path, reportgen):
    """report.yaml `table:` names the numbered table holding a chart's numbers; an id no captioned
    table has is an error at that line, with the nearest id suggested."""
    import shutil

    report = tmp_path / "figures-example"
    shutil.copytree(ROOT / "content" / "figures-example", report)
    data = report / "report.yaml"
    text = data.read_text(encoding="utf-8")
    assert "table: table-teams" in text
    data.write_text(text.replace("table: table-teams", "table: table-team"), encoding="utf-8")
    line = next(i for i, row in enumerate(data.read_text(encoding="utf-8").splitlines(), 1) if "table: table-team" in row)
    result = reportgen("check", report)
    assert result.returncode == 1, result.stderr
    assert f"report.yaml:{line}: error[chart-invalid]: 'table: table-team' names no numbered table" in result.stderr
    assert "did you mean 'table-teams'?" in result.stderr
