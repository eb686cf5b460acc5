"""Benchmark: what repairing the PDF's tags (pdf_tags) and checking it (a11y) add to a PDF build.

Run: .venv/bin/python bench/bench_a11y.py [--runs N]. The same `reportgen build --format pdf`
is timed with and without the two steps, interleaved run by run (the machine is shared and
noisy); the figure that matters is the ratio of medians (target: at most 1.15). Timed
assertions live here, not in the test suite.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from unittest import mock

from timing import interleaved, runs_argument

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import checks as a11y  # noqa: E402
from generator.build import build  # noqa: E402
from generator.writers.pdf import tags as pdf_tags  # noqa: E402

REPORT = ROOT / "content" / "surrey-pdu"


def with_steps(out: Path) -> None:
    build(REPORT, out, formats=("pdf",))


def without_steps(out: Path) -> None:
    with mock.patch.object(pdf_tags, "repair", lambda pdf, hints=None: []), \
            mock.patch.object(pdf_tags, "layout_hints", lambda document: None), \
            mock.patch.object(a11y, "check_open", lambda *args, **kwargs: []), \
            mock.patch.object(a11y, "check_file", lambda *args, **kwargs: []):
        build(REPORT, out, formats=("pdf",))


def main() -> int:
    runs = runs_argument(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        timings = interleaved({"without": lambda: without_steps(out), "with": lambda: with_steps(out)}, runs)
    ratio = timings.ratio("with", "without")
    print(timings.header())
    print(f"PDF build without repair and check: {timings.summary('without')}")
    print(f"PDF build with repair and check:    {timings.summary('with')}")
    print(f"ratio with / without: {ratio:.3f}  (target <= 1.15)")
    return 0 if ratio <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
