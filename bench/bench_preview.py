"""Benchmark: `reportgen serve`, the live preview, on a copy of the example.

Run: .venv/bin/python bench/bench_preview.py [--runs N]. Three figures, each a median:

1. **edit to page**: one chapter saved until the page open in a real browser (Debian's chromium,
   tests/browser/) shows the change: watcher, rebuild, server-sent event, reload (target < 0.3 s);
2. **warm PDF**: after a chapter change, GET /report.pdf from the running server, against a cold
   `reportgen build --format pdf` in a new process minus that process's import time (a new
   process importing what the PDF build imports), interleaved (target: warm below cold minus
   imports);
3. **rebuild**: the in-process rebuild (check + HTML) with the per-chapter caches (compiled
   templates, Markdown trees) against the same with the caches emptied first.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from timing import MIN_RUNS, interleaved, runs_argument

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.preview.session import Preview  # noqa: E402
from generator.stages.merge import _compiled  # noqa: E402
from generator.stages.parse.chapter import _markdown_tree  # noqa: E402
from tests.browser import Browser  # noqa: E402
from tests.preview.conftest import start_serving  # noqa: E402

REPORT = ROOT / "content" / "surrey-pdu"
IMPORTS = ("import generator.cli, generator.build, generator.writers.html, generator.writers.pdf.render, "
           "generator.checks.pdf, weasyprint")


class Chapter:
    """A chapter whose first line gets a new marker word at each edit."""

    def __init__(self, path: Path):
        self.path, self.original, self.count = path, path.read_text(encoding="utf-8"), 0
        self.prefix = path.stem.replace("-", "")  # markers of two chapters never match each other

    def edit(self) -> str:
        self.count += 1
        marker = f"Edited{self.prefix}{self.count}x"
        self.path.write_text(self.original.replace("Surrey PDU is one of five", f"{marker} is one of five", 1),
                             encoding="utf-8")
        return marker


def edit_to_page(served, runs: int) -> list[float]:
    browser = Browser()
    try:
        browser.open(served.url)
        chapter = Chapter(served.report / "chapters" / "background.md")
        seconds = []
        for run in range(runs + 1):  # the first is a warm-up
            time.sleep(0.5)  # let the previous reload settle
            start = time.perf_counter()
            marker = chapter.edit()
            browser.wait(f"document.body.innerText.includes('{marker}')", timeout=20)
            if run:
                seconds.append(time.perf_counter() - start)
        return seconds
    finally:
        browser.close()


def main() -> None:
    runs = runs_argument(__doc__.splitlines()[0])
    work = Path(tempfile.mkdtemp(prefix="bench-preview-"))
    try:
        report = work / "surrey-pdu"
        shutil.copytree(REPORT, report)
        served = start_serving(report)
        try:
            page = edit_to_page(served, runs)
            print(f"edit to page (chromium): median {statistics.median(page):.3f} s  (min {min(page):.3f}, "
                  f"max {max(page):.3f}; {runs} edits)")

            chapter = Chapter(report / "chapters" / "foreword.md")
            chapter.original = chapter.original.rstrip("\n") + "\n\nSurrey PDU is one of five.\n"

            pdf_seconds: list[float] = []

            def warm_pdf():
                marker = chapter.edit()
                while marker.encode() not in served.get("/")[1]:  # the rebuild (measured above)
                    time.sleep(0.01)
                start = time.perf_counter()
                status, data, _ = served.get("/report.pdf")
                assert status == 200 and data.startswith(b"%PDF-")
                pdf_seconds.append(time.perf_counter() - start)

            def cold_build():
                subprocess.run([sys.executable, "-m", "generator", "build", str(REPORT), "--format", "pdf",
                                "--out", str(work / "cold")], cwd=ROOT, check=True, capture_output=True)

            def imports():
                subprocess.run([sys.executable, "-c", IMPORTS], cwd=ROOT, check=True, capture_output=True)

            timings = interleaved({"edit, rebuild, warm PDF": warm_pdf, "cold build --format pdf": cold_build,
                                   "imports alone": imports}, runs)
        finally:
            served.stop()
        print(timings.header())
        for name in timings.seconds:
            print(f"  {name:34} {timings.summary(name)}")
        warm = statistics.median(pdf_seconds[1:])  # the first was the warm-up
        print(f"  {'of which the PDF request':34} median {warm:.3f} s  (min {min(pdf_seconds[1:]):.3f})")
        cold = timings.median("cold build --format pdf") - timings.median("imports alone")
        print(f"warm PDF {warm:.3f} s; cold build minus imports {cold:.3f} s: ratio {warm / cold:.2f}")

        preview = Preview(report)

        def uncached():
            _compiled.cache_clear()
            _markdown_tree.cache_clear()
            preview.rebuild()

        rebuilds = interleaved({"rebuild, chapters cached": preview.rebuild, "rebuild, caches emptied": uncached},
                               max(runs, MIN_RUNS * 3))
        print(rebuilds.header())
        for name in rebuilds.seconds:
            print(f"  {name:34} {rebuilds.summary(name)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
