"""Charts from the report's data, for assemble's `::: chart` markers: matplotlib draws each as a
horizontal bar chart, once as SVG (HTML and PDF: vector) and once as PNG (the DOCX's picture), again
as SVG for a narrow screen, with a text alternative and a data table made from the same numbers.

The house style: the value axis ends at the scale's top (else at the first tick at or above the
largest value), never past it; its ticks are the scale's (a rating's points) or round steps, whole
numbers when every value is whole; every value is written in a column right of the axis's end, and
grid lines run only behind each category's bars, so no line crosses a label; a key names each
colour whenever colour carries meaning (a rating, a band, a series); every text is one size
(blocks.yaml `font_pt`), which the narrow drawing keeps at its own size on a 375 px phone.

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
from generator.diagnostics import Diagnostics
from generator.resources import FONTS_DIR, blocks_data
from generator.words import BASE_SUBTAG, words_for

LABEL_WIDTH, LABEL_LINES = 38, 4  # a category's label: lines and characters drawn, the rest an ellipsis
NARROW_LABEL_WIDTH = 40  # the same, in the narrow drawing, where a label has the chart's width
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
    key: tuple[tuple[str, str], ...] = ()  # (colour, what it means): the key, when colour carries meaning
    ticks: tuple[float, ...] = ()  # the value axis's ticks, when a scale gives them (a rating's points)


def number(value: float) -> str:
    return f"{value:g}"


def scale_ticks(bars: Bars) -> tuple[float, list[float]]:
    """The value axis: its end and its ticks. The end is the scale's top (`axis_max`), else the first
    tick at or above the largest value, so that no axis runs past the data's range; the ticks are the
    scale's own (`ticks`), else round steps, whole numbers when every value is whole."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    values = [v for _, vs in bars.series for v in vs]
    high = max(values, default=0.0)
    if bars.axis_max is not None:
        high = max(high, bars.axis_max)
    high = high or 1.0
    if bars.ticks:
        ticks = sorted({t for t in bars.ticks if 0 <= t})
        top = max(high, ticks[-1])
        return top, [t for t in ticks if t <= top]
    whole = all(float(v).is_integer() for v in values) and float(high).is_integer()
    found = [float(t) for t in MaxNLocator(nbins=5, integer=whole, min_n_ticks=2).tick_values(0, high) if t >= 0]
    top = high if bars.axis_max is not None else next((t for t in found if t >= high), high)
    return top, [t for t in found if t <= top]


def draw(bars: Bars, font: Path | None = None, narrow: bool = False) -> tuple[str, bytes, int, int]:
    """The chart as (SVG text, PNG bytes, width and height in CSS pixels), its text in the font
    file `font` (None: styles/blocks.yaml's). `narrow`: drawn for a phone's screen (each category's
    label above its bars, `narrow_width_px` wide, so that its text keeps `font_pt` there); no PNG."""
    import matplotlib  # noqa: PLC0415 - only reports with a chart pay for matplotlib
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    style = blocks_data()["chart"]
    family = _font_family(font or FONTS_DIR / style["font"])
    size = float(style["font_pt"])  # every text of the chart: one size, the floor the narrow page holds
    count = max(1, len(bars.series))
    bar_in = float(style["bar_in"])
    line_in = size * 1.25 / 72
    wrap = LABEL_WIDTH if not narrow else NARROW_LABEL_WIDTH
    notes = bars.notes or ("",) * len(bars.categories)  # narrow: said after the label, not the value
    labels = [_wrap(c + (f" ({note})" if narrow and note else ""), wrap) for c, note in zip(bars.categories, notes)]
    legend = [Patch(facecolor=colour, edgecolor=style["edge"], linewidth=0.8, label=_short(words, LEGEND_WIDTH))
              for colour, words in bars.key]
    if not legend and len(bars.series) > 1:
        legend = [Patch(facecolor=colours[0], edgecolor=style["edge"], linewidth=0.8, label=_short(name, LEGEND_WIDTH))
                  for (name, _), colours in zip(bars.series, bars.colours)]
    columns = 1 if narrow else 2
    legend_in = (0.15 + line_in * 1.15 * -(-len(legend) // columns)) if legend else 0.0
    # the bars: one row of `bar_in` per category and series; narrow, each category's label above them
    centres: list[list[float]] = [[] for _ in range(count)]
    groups, y = [], 0.0
    for label in labels:
        if narrow:
            y += 0.08 + line_in * (label.count("\n") + 1)
        top = y
        for index in range(count):
            centres[index].append(y + bar_in / 2)
            y += bar_in
        groups.append((top, y))
        y += 0.12 if narrow else 0.25
    plot_in = y
    width = float(style["narrow_width_px"]) / 96 if narrow else float(style["width_in"])
    height = plot_in + 0.75 + legend_in
    settings = {"svg.hashsalt": "reportgen", "svg.fonttype": "path", "font.family": family, "font.size": size,
                "legend.fontsize": size, "xtick.labelsize": size, "ytick.labelsize": size, "axes.labelsize": size,
                "text.parse_math": False, "text.usetex": False, "axes.formatter.use_mathtext": False,
                "text.color": style["text"], "axes.edgecolor": style["text"], "axes.labelcolor": style["text"],
                "xtick.color": style["text"], "ytick.color": style["text"]}
    with matplotlib.rc_context(settings), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. the layout giving up on long labels: the chart is still drawn
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
        top, ticks = scale_ticks(bars)
        for index, ((_, values), colours) in enumerate(zip(bars.series, bars.colours)):
            ax.barh(centres[index], values, height=bar_in * 0.85, color=colours, edgecolor=style["edge"],
                    linewidth=0.8)
            # each value in a column right of the axis's end: clear of every grid line
            for centre, value, note in zip(centres[index], values, bars.notes or ("",) * len(values)):
                ax.annotate(number(value) + bars.unit + (f"  {note}" if note and not narrow else ""),
                            xy=(1, centre), xycoords=("axes fraction", "data"), xytext=(5, 0),
                            textcoords="offset points", va="center", ha="left", annotation_clip=False)
        ax.set_xlim(0, top)
        ax.set_ylim(plot_in - (0.12 if narrow else 0.25) + 0.1, -0.1 if narrow else -0.15)
        ax.set_xticks(ticks, [number(t) for t in ticks])
        for top_y, bottom_y in groups:  # grid lines behind each category's bars only, never through a label
            ax.vlines([t for t in ticks if 0 < t], top_y, bottom_y, colors=style["grid"],
                      linewidth=0.5, zorder=0)
        if narrow:
            ax.set_yticks([])
            for label, (top_y, _) in zip(labels, groups):
                ax.text(0, top_y - 0.04, label, va="bottom", ha="left")
            ax.spines["left"].set_visible(False)
        else:
            ax.set_yticks([(a + b) / 2 for a, b in groups], labels)
        if bars.axis_label:
            ax.set_xlabel(bars.axis_label)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if legend:
            fig.legend(handles=legend, loc="outside lower left", ncols=columns, frameon=False,
                       handlelength=1.6, alignment="left")
        svg, png = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        if not narrow:
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


def chart(bars: Bars, caption: str, source, font: Path | None = None, data_in: str = "",
          data_in_source=None, words=None) -> Chart:
    """The Chart node: drawings (wide and narrow, their text in the font file `font`, None: the
    default's), text alternative and data table, from one `Bars`; `data_in` names the numbered table
    that holds the same numbers, if any (assemble then refers to it instead of the data table);
    `words`: the document's furniture words (generator/words.py; None: the default theme's English)."""
    labels = words if words is not None else words_for(None, BASE_SUBTAG, Diagnostics())
    svg, png, width, height = draw(bars, font)
    narrow, _, narrow_width, narrow_height = draw(bars, font, narrow=True)
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
    return Chart(svg, png, width, height, alt, (Text(caption),), data, source, narrow_svg=narrow,
                 narrow_width_px=narrow_width, narrow_height_px=narrow_height, data_in=data_in,
                 data_in_source=data_in_source)
