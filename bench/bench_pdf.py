"""Benchmark: the toolkit's whole PDF build against WeasyPrint alone on the same final HTML.

Run: `make bench` (or .venv/bin/python bench/bench_pdf.py [--runs N]). Both are measured in the
same run, interleaved, because the machine is shared and noisy; the figure that matters is the
ratio of medians (target: at most 1.2).
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    html = print_html(check(REPORT))
    toolkit, alone = [], []
    with tempfile.TemporaryDirectory() as tmp:
        toolkit_build(Path(tmp))  # warm-up: imports, font loading
        weasyprint_alone(html)
        for run in range(args.runs):
            # alternate which goes first, and start each from a collected heap: no order bias
            pair = [(toolkit, lambda: toolkit_build(Path(tmp))), (alone, lambda: weasyprint_alone(html))]
            for times, job in (pair if run % 2 == 0 else pair[::-1]):
                gc.collect()
                start = time.perf_counter()
                job()
                times.append(time.perf_counter() - start)
    t, w = statistics.median(toolkit), statistics.median(alone)
    print(f"runs: {args.runs}")
    print(f"toolkit PDF build (load..write, repair, a11y check, atomic move): median {t:.3f} s  "
          f"(min {min(toolkit):.3f})")
    print(f"WeasyPrint alone on the same HTML:            median {w:.3f} s  (min {min(alone):.3f})")
    print(f"ratio toolkit / WeasyPrint: {t / w:.3f}  (target <= 1.2)")


if __name__ == "__main__":
    main()
