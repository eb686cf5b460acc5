"""Benchmark: writing the Surrey report as DOCX, against pandoc converting the same text.

Run: .venv/bin/python bench/bench_docx.py [--runs N]. Measured: `write_docx` on the checked
document (the DOCX writer alone: reference loading, every node, footnotes, the deterministic
zip; target: median at most 0.5 s), and, in the same run and interleaved (the machine is shared
and noisy), `pandoc -f html -t docx` on the print HTML of the same document when pandoc is
installed (apt-get install pandoc). Prints the medians and their ratio. Also timed, for
context: the whole `build --format docx` (load..write, atomic move).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import interleaved, runs_argument

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import build, check  # noqa: E402
from generator.writers.docx.writer import write_docx  # noqa: E402
from generator.writers.html import print_html  # noqa: E402

REPORT = ROOT / "content" / "surrey-pdu"
TARGET = 0.5  # seconds, median of the DOCX writer


def main() -> None:
    runs = runs_argument(__doc__)
    doc = check(REPORT)
    pandoc = shutil.which("pandoc")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        html = tmp / "print.html"
        html.write_text(print_html(doc), encoding="utf-8")

        def docx_writer():
            write_docx(doc, REPORT, io.BytesIO())

        def pandoc_docx():
            subprocess.run([pandoc, "-f", "html", "-t", "docx", "-o", str(tmp / "pandoc.docx"), str(html)],
                           check=True, cwd=REPORT)

        def build_docx():
            build(REPORT, tmp / "out", formats=("docx",))

        jobs = {"writer": docx_writer, "whole": build_docx}
        if pandoc:
            jobs["pandoc"] = pandoc_docx
        timings = interleaved(jobs, runs)
    w = timings.median("writer")
    print(timings.header())
    print(f"reportgen DOCX writer (write_docx):     {timings.summary('writer')}  "
          f"target <= {TARGET} s: {'ok' if w <= TARGET else 'MISSED'}")
    print(f"reportgen build --format docx (whole):  {timings.summary('whole')}")
    if pandoc:
        version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        print(f"{version} -f html -t docx:      {timings.summary('pandoc')}")
        print(f"ratio reportgen writer / pandoc: {timings.ratio('writer', 'pandoc'):.3f}")
    else:
        print("pandoc not installed (apt-get install pandoc): no comparison")


if __name__ == "__main__":
    main()
