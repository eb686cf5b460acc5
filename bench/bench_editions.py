"""Benchmark: what a second edition costs (issue 25).

Run: .venv/bin/python bench/bench_editions.py [--runs N]. The bilingual example
(content/bro-wennol-pdu: English and Welsh) built from the command line as typed, each a fresh
process, interleaved (bench/timing.py: medians of at least 7 runs each):

- `build` of every format, both editions (six files) against `build --edition en-GB` (three);
- `check` of both editions (each edition loaded, overlaid, resolved and assembled, and the
  parity check of their chapters) against `check --edition en-GB`.

Target: both editions at most 1.9x one (the second edition shares the load, validation and the
framework's resolution, and its PDF renders in a process of its own beside the first's).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import interleaved, runs_argument

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "content" / "bro-wennol-pdu"
TARGET = 1.9


def main() -> None:
    runs = runs_argument(__doc__)
    out = Path(tempfile.mkdtemp(prefix="bench-editions-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*args: str):
        return lambda: subprocess.run([sys.executable, "-m", "generator", *args], check=True, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)

    jobs = {
        "build, both editions": run("build", str(REPORT), "--out", str(out / "both"), "-q"),
        "build --edition en-GB": run("build", str(REPORT), "--out", str(out / "one"), "--edition", "en-GB", "-q"),
        "check, both editions": run("check", str(REPORT), "-q"),
        "check --edition en-GB": run("check", str(REPORT), "--edition", "en-GB", "-q"),
    }
    timings = interleaved(jobs, runs)
    print(timings.header())
    for name in jobs:
        print(f"{name:24} {timings.summary(name)}")
    build = timings.ratio("build, both editions", "build --edition en-GB")
    check = timings.ratio("check, both editions", "check --edition en-GB")
    print(f"two editions / one: build {build:.2f}x, check {check:.2f}x (target <= {TARGET}x)")


if __name__ == "__main__":
    main()
