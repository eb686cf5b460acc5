"""Benchmark: `reportgen build DIR...` on 8 reports, in the process pool against one at a time.

Run: .venv/bin/python bench/bench_batch.py [--runs N]. Eight copies of the Surrey
report (surrey-1 ... surrey-8) are built to every format by the real program in a fresh process,
`--jobs 1` (one after another, in one process: the imports paid once) and with the default
`--jobs` (one worker per core), interleaved run by run. The figure is the ratio of medians,
sequential / pooled: the speed-up. Target: at least 1.5 on this 2-core machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import Timings, interleaved, runs_argument

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "content" / "surrey-pdu"
TARGET = 1.5


def copies(parent: Path, n: int = 8) -> list[Path]:
    """`n` copies of the Surrey report, each its own slug."""
    folders = []
    for i in range(1, n + 1):
        folder = parent / "content" / f"surrey-{i}"
        shutil.copytree(REPORT, folder)
        folders.append(folder)
    return folders


def build_command(folders: list[Path], out: Path, jobs: int | None) -> list[str]:
    return [sys.executable, "-m", "generator", "build", *map(str, folders), "--out", str(out),
            *(["--jobs", str(jobs)] if jobs else [])]


def bench_batch(runs: int, n: int = 8) -> Timings:
    """Time building `n` copies sequentially (`--jobs 1`) and in the pool (default jobs)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-batch-") as tmp:
        folders = copies(Path(tmp), n)

        def run(jobs):
            subprocess.run(build_command(folders, Path(tmp) / "out", jobs), check=True, cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL)

        return interleaved({"sequential": lambda: run(1), "pool": lambda: run(None)}, runs)


def main() -> int:
    runs = runs_argument(__doc__)
    timings = bench_batch(runs)
    speedup = timings.ratio("sequential", "pool")
    print(timings.header() + f"; {os.cpu_count()} cores")
    print(f"8 reports, --jobs 1:   {timings.summary('sequential')}")
    print(f"8 reports, pool:       {timings.summary('pool')}")
    print(f"speed-up sequential / pool: {speedup:.2f}  (target >= {TARGET})")
    return 0 if speedup >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
