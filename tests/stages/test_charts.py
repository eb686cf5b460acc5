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

    charts = re.findall(r'<figure class="chart"[^>]*>\s*<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
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
