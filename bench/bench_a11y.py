"""Benchmark: what repairing the PDF's tags (pdf_tags) and checking it (a11y) add to a PDF build.

Run: .venv/bin/python bench/bench_a11y.py [--runs N]. The same `reportgen build --format pdf`
is timed with and without the two steps, interleaved run by run (the machine is shared and
noisy); the figure that matters is the ratio of medians (target: at most 1.15). Timed
assertions live here, not in the test suite.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import checks as a11y
from generator.writers.pdf import tags as pdf_tags  # noqa: E402
from generator.build import build  # noqa: E402

REPORT = ROOT / "content" / "surrey-pdu"


def with_steps(out: Path) -> None:
    build(REPORT, out, formats=("pdf",))


def without_steps(out: Path) -> None:
    with mock.patch.object(pdf_tags, "fix_pdf", lambda data, hints=None: data), \
            mock.patch.object(pdf_tags, "layout_hints", lambda document: None), \
            mock.patch.object(a11y, "check_file", lambda *args, **kwargs: []):
        build(REPORT, out, formats=("pdf",))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs of each (at least 5)")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    timings: dict[str, list[float]] = {"with": [], "without": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        with_steps(out)  # warm-up: imports, fonts
        without_steps(out)
        for run in range(runs):
            # alternate which goes first, and start each from a collected heap: no order bias
            pair = (("without", without_steps), ("with", with_steps))
            for name, step in (pair if run % 2 == 0 else pair[::-1]):
                gc.collect()
                start = time.perf_counter()
                step(out)
                timings[name].append(time.perf_counter() - start)
    base, full = statistics.median(timings["without"]), statistics.median(timings["with"])
    ratio = full / base
    print(f"runs: {runs} of each, interleaved")
    print(f"PDF build without repair and check: median {base:.3f} s  (min {min(timings['without']):.3f})")
    print(f"PDF build with repair and check:    median {full:.3f} s  (min {min(timings['with']):.3f})")
    print(f"ratio with / without: {ratio:.3f}  (target <= 1.15)")
    return 0 if ratio <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
