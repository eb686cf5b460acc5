"""Charts from the report's data, for assemble's `::: chart` markers: matplotlib draws each as a
horizontal bar chart, once as SVG (HTML and PDF: vector) and once as PNG (the DOCX's picture), with
a text alternative and a data table made from the same numbers.

Every label is drawn as written: mathtext and TeX are off (`text.parse_math`, `text.usetex`), so a
`$` is a dollar sign and `$\\frac{1}{$` is text, never a formula that fails to parse. What is drawn is
bounded whatever the labels' source (report.yaml, whose values validate bounds at their lines, or a
framework): a category at most LABEL_LINES lines of LABEL_WIDTH characters, a legend entry
LEGEND_WIDTH, at most MAX_BARS bars (`too_many`, a located error at the chart's marker).

matplotlib is imported only when a report has a chart. Output is deterministic: a fixed
`svg.hashsalt` (the SVG's ids), no date or creator in the metadata, and text drawn as outlines in
the font file the caller names: the report's theme's body font (`Theme.body_font`), else the one of
styles/blocks.yaml (so no font lookup differs between machines). Every colour comes from data: a
rating's from the framework's scale, the rest from styles/blocks.yaml.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.model import Chart, Table, Text
from generator.resources import FONTS_DIR, blocks_data

LABEL_WIDTH, LABEL_LINES = 38, 4  # a category's label: lines and characters drawn, the rest an ellipsis
LEGEND_WIDTH = 60
MAX_BARS = 180  # a named chart's most (30 categories, 6 series); a framework's ratings chart with more
# standards would be metres tall


@dataclass(frozen=True)
class Bars:
    """What a chart shows: one bar per category and series, each bar's colour, the axis limit."""

    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]  # (name, values), in order
    colours: tuple[tuple[str, ...], ...]  # per series, per category
    unit: str = ""
    axis_max: float | None = None
    axis_label: str = ""
    notes: tuple[str, ...] = ()  # said after a category's value in the text alternative, e.g. a rating
    category_label: str = ""  # the data table's first column ("Key question"); else blocks.yaml's


def number(value: float) -> str:
    return f"{value:g}"


def draw(bars: Bars, font: Path | None = None) -> tuple[str, bytes, int, int]:
    """The chart as (SVG text, PNG bytes, width and height in CSS pixels), its text in the font
    file `font` (None: styles/blocks.yaml's)."""
    import matplotlib  # noqa: PLC0415 - only reports with a chart pay for matplotlib
    from matplotlib.figure import Figure  # noqa: PLC0415

    style = blocks_data()["chart"]
    family = _font_family(font or FONTS_DIR / style["font"])
    rows = len(bars.categories) * max(1, len(bars.series))
    width, height = float(style["width_in"]), 0.9 + float(style["bar_in"]) * rows + 0.3 * (len(bars.series) > 1)
    settings = {"svg.hashsalt": "reportgen", "svg.fonttype": "path", "font.family": family, "font.size": 9,
                "text.parse_math": False, "text.usetex": False, "axes.formatter.use_mathtext": False,
                "text.color": style["text"], "axes.edgecolor": style["text"], "axes.labelcolor": style["text"],
                "xtick.color": style["text"], "ytick.color": style["text"]}
    with matplotlib.rc_context(settings), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. tight_layout giving up on long labels: the chart is still drawn
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        count = max(1, len(bars.series))
        thickness = 0.8 / count
        positions = range(len(bars.categories))
        for index, ((name, values), colours) in enumerate(zip(bars.series, bars.colours)):
            ys = [p + (index - (count - 1) / 2) * thickness for p in positions]
            drawn = ax.barh(ys, values, height=thickness * 0.92, color=colours, edgecolor=style["edge"],
                            linewidth=0.8, label=_short(name, LEGEND_WIDTH))
            labels = [number(v) + bars.unit + (f"  {note}" if note else "")
                      for v, note in zip(values, bars.notes or ("",) * len(values))]
            ax.bar_label(drawn, labels=labels, padding=3, fontsize=8.5,  # on white, over the grid lines
                         bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
        ax.set_yticks(list(positions), [_wrap(c) for c in bars.categories])
        ax.invert_yaxis()
        top = bars.axis_max if bars.axis_max is not None else max((v for _, vs in bars.series for v in vs),
                                                                  default=1) or 1
        ax.set_xlim(0, top * 1.25)  # room for the value labels; ticks only up to the scale's top
        ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= top])
        if bars.axis_label:
            ax.set_xlabel(bars.axis_label)
        ax.grid(axis="x", color=style["grid"], linewidth=0.5)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if len(bars.series) > 1:
            ax.legend(loc="lower right", frameon=True, framealpha=1, facecolor="white", edgecolor="white")
        fig.tight_layout()
        svg, png = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        fig.savefig(png, format="png", dpi=int(style["dpi"]), metadata={"Software": None})
    return svg.getvalue().decode("utf-8"), png.getvalue(), round(width * 96), round(height * 96)


@lru_cache(maxsize=4)
def _font_family(font: Path) -> str:
    """The family name of the font file `font`, registered with matplotlib once per process."""
    from matplotlib import font_manager  # noqa: PLC0415

    font_manager.fontManager.addfont(str(font))
    return font_manager.FontProperties(fname=str(font)).get_name()


def too_many(bars: Bars) -> str | None:
    """Why `bars` cannot be drawn (too many bars), or None."""
    count = len(bars.categories) * max(1, len(bars.series))
    if count > MAX_BARS:
        return f"the chart would have {count} bars; a chart may have at most {MAX_BARS}: split it"
    return None


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """At most LABEL_LINES lines of at most `width` characters (a word longer than a line is cut)."""
    words, lines, line = text.split(), [], ""
    for word in words:
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
            if len(lines) > LABEL_LINES:
                break
        if len(lines) > LABEL_LINES:
            break
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line and len(lines) <= LABEL_LINES:
        lines.append(line)
    return "\n".join(lines[:LABEL_LINES]) + ("…" if len(lines) > LABEL_LINES else "")


def chart(bars: Bars, caption: str, source, font: Path | None = None) -> Chart:
    """The Chart node: drawing (its text in the font file `font`, None: the default's), text
    alternative and data table, from one `Bars`."""
    labels = blocks_data()["labels"]
    svg, png, width, height = draw(bars, font)
    items = []
    for index, category in enumerate(bars.categories):
        values = ", ".join((f"{name} " if len(bars.series) > 1 else "") + number(vs[index]) + bars.unit
                           for name, vs in bars.series)
        note = f" ({bars.notes[index]})" if bars.notes and bars.notes[index] else ""
        items.append(f"{category}: {values}{note}")
    alt = f"{labels['bar_chart']}: {caption}. " + "; ".join(items) + "."
    names = (bars.category_label or labels["category"],) + tuple(name for name, _ in bars.series)
    header = tuple((Text(name),) for name in names)
    rows = tuple(((Text(category),),) + tuple((Text(number(vs[index]) + bars.unit
                                                     + (f" ({bars.notes[index]})" if bars.notes and bars.notes[index]
                                                        else "")),) for _, vs in bars.series)
                 for index, category in enumerate(bars.categories))
    data = Table(header, rows, source, ("",) + ("right",) * len(bars.series))
    return Chart(svg, png, width, height, alt, (Text(caption),), data, source)
