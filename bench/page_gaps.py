"""The largest blank space at the foot of a page of a built PDF, where the page is not the end of
a part (a part always starts a new page, so its last page may end anywhere).

    .venv/bin/python bench/page_gaps.py out/surrey-pdu/surrey-pdu.pdf

Prints each such page's blank space at its foot (mm, from the last line of body text to the top of
the footnotes or, with none, to the bottom of the text area) and the largest. Lines come from
poppler's `pdftotext -bbox-layout`; part starts from the PDF's level-1 bookmarks (pikepdf).
The running header and footer (outside the text area) are ignored. tests/writers/test_pdf.py holds the
largest under a bound.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pikepdf

PT_PER_MM = 72 / 25.4
TEXT_TOP_MM, TEXT_BOTTOM_MM = 25, 297 - 25  # print.css: @page margin 25mm top and bottom
NOTE_LINE_MAX_PT = 9.5  # pdftotext gives a line the height of its font: footnotes are 8.5pt, body 10.5pt


def _lines(pdf: Path) -> list[list[tuple[float, float]]]:
    """Per page, the (top, bottom) in mm of each text line inside the text area."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", out, flags=re.S):
        lines = []
        for y0, y1 in re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page):
            top, bottom = float(y0) / PT_PER_MM, float(y1) / PT_PER_MM
            if top >= TEXT_TOP_MM - 1 and bottom <= TEXT_BOTTOM_MM + 1:
                lines.append((top, bottom))
        pages.append(sorted(lines))
    return pages


def part_starts(pdf: Path) -> set[int]:
    """0-based indexes of the pages a level-1 bookmark (a part) points to."""
    starts = set()
    with pikepdf.open(pdf) as doc:
        pages = {page.objgen: i for i, page in enumerate(doc.pages)}
        with doc.open_outline() as outline:
            for item in outline.root:
                dest = item.destination
                if dest is None and item.action is not None:
                    dest = item.action.get("/D")
                if isinstance(dest, pikepdf.Array) and len(dest):
                    starts.add(pages.get(dest[0].objgen, -1))
    return starts


def foot_gaps(pdf: Path) -> dict[int, float]:
    """1-based page number -> blank space (mm) at its foot, for pages followed by more of their part."""
    pages = _lines(pdf)
    starts = part_starts(pdf)
    gaps = {}
    for i, lines in enumerate(pages):
        if i + 1 >= len(pages) or (i + 1) in starts or not lines or i == 0:
            continue  # the cover, the last page, a part's last page
        body = [line for line in lines if (line[1] - line[0]) * PT_PER_MM > NOTE_LINE_MAX_PT]
        notes = [line for line in lines if line not in body and body and line[0] > body[-1][1]]
        body_end = max(bottom for _, bottom in body) if body else TEXT_TOP_MM
        # the footnotes sit at the foot: the blank is above their first line (and its rule, 4 mm)
        foot = min(top for top, _ in notes) - 4 if notes else TEXT_BOTTOM_MM
        gaps[i + 1] = round(max(0.0, foot - body_end), 1)
    return gaps


def main(argv: list[str]) -> None:
    gaps = foot_gaps(Path(argv[0]))
    for page, gap in sorted(gaps.items()):
        print(f"page {page}: {gap} mm")
    if not gaps:  # every page is the cover, a part's last page or the last page
        print("largest: none (no page is followed by more of its part)")
        return
    worst = max(gaps, key=gaps.get)
    print(f"largest: {gaps[worst]} mm at the foot of page {worst}")


if __name__ == "__main__":
    main(sys.argv[1:])
