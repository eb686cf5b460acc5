"""Benchmark: what `--docx-page-numbers` costs (the DOCX pagination pass, LibreOffice headless).

Run: .venv/bin/python bench/bench_docx_pages.py [--runs N]. Measured, interleaved (bench/timing.py:
medians of at least 7 runs each): `write_docx` of the Surrey report without and with
`page_numbers=True` (the pass: two layouts by LibreOffice in a new private profile, the first of
which starts it), and the command line `build content/surrey-pdu` (all three formats, the DOCX
beside the PDF in a second process) without and with `--docx-page-numbers`, each a fresh
process. Prints the medians, the differences and the DOCX's size with and without the numbers.
Needs LibreOffice (`make system-deps`); says so and exits 0 without it. No target: information
for README ("The outputs", DOCX).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import interleaved, runs_argument

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import check  # noqa: E402
from generator.writers.docx.pagination import libreoffice  # noqa: E402
from generator.writers.docx.writer import write_docx  # noqa: E402

REPORT = ROOT / "content" / "surrey-pdu"


def main() -> None:
    runs = runs_argument(__doc__)
    if libreoffice() is None:
        print("LibreOffice is not installed (make system-deps): nothing to measure")
        return
    doc = check(REPORT)
    sizes = {}

    def writer(page_numbers: bool):
        def job():
            out = io.BytesIO()
            write_docx(doc, REPORT, out, page_numbers=page_numbers)
            sizes[page_numbers] = len(out.getvalue())
        return job

    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONWARNINGS": "ignore"}
    with tempfile.TemporaryDirectory() as tmp:
        def cli(*options: str):
            def job():
                subprocess.run([sys.executable, "-m", "generator", "build", str(REPORT), "--out", f"{tmp}/out",
                                *options], cwd=ROOT, env=env, check=True, capture_output=True)
            return job

        timings = interleaved({"write_docx": writer(False), "write_docx page_numbers": writer(True),
                               "build": cli(), "build --docx-page-numbers": cli("--docx-page-numbers")}, runs)
    print(timings.header())
    for name in timings.seconds:
        print(f"{name:28} {timings.summary(name)}")
    for label, without, with_pass in (("the pass (write_docx)", "write_docx", "write_docx page_numbers"),
                                      ("the pass (build, 3 formats)", "build", "build --docx-page-numbers")):
        print(f"{label:28} +{timings.median(with_pass) - timings.median(without):.2f} s")
    print(f"DOCX size: {sizes[False]} bytes without the numbers, {sizes[True]} with ({sizes[True] - sizes[False]:+d})")


if __name__ == "__main__":
    main()
