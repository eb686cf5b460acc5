"""Benchmark: the toolkit's whole PDF build against WeasyPrint alone on the same final HTML.

Run: `make bench` (or .venv/bin/python bench/bench_pdf.py [--runs N]). Both are measured in the
same run, interleaved, because the machine is shared and noisy; the figure that matters is the
ratio of medians (target: at most 1.2).
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from timing import interleaved, runs_argument

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from generator.build import build, check  # noqa: E402
from generator.resources import STYLES_DIR  # noqa: E402
from generator.writers.html import print_html  # noqa: E402
from generator.writers.pdf.render import PDF_OPTIONS  # noqa: E402

REPORT = ROOT / "content" / "surrey-pdu"


def toolkit_build(out: Path) -> None:
    build(REPORT, out, formats=("pdf",))


def weasyprint_alone(html: str) -> None:
    fonts = FontConfiguration()
    sheets = [CSS(filename=str(STYLES_DIR / n), font_config=fonts) for n in ("base.css", "print.css")]
    HTML(string=html, base_url=str(REPORT) + "/").render(stylesheets=sheets, font_config=fonts).write_pdf(
        io.BytesIO(), **PDF_OPTIONS)


def main() -> None:
    runs = runs_argument(__doc__)
    html = print_html(check(REPORT))
    with tempfile.TemporaryDirectory() as tmp:
        timings = interleaved({"toolkit": lambda: toolkit_build(Path(tmp)), "alone": lambda: weasyprint_alone(html)},
                              runs)
    print(timings.header())
    print(f"toolkit PDF build (load..write, repair, a11y check, atomic move): {timings.summary('toolkit')}")
    print(f"WeasyPrint alone on the same HTML:            {timings.summary('alone')}")
    print(f"ratio toolkit / WeasyPrint: {timings.ratio('toolkit', 'alone'):.3f}  (target <= 1.2)")


if __name__ == "__main__":
    main()
