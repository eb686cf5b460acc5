"""What the timed benchmarks share: jobs timed interleaved, medians, ratios.

The machine is shared and noisy, so a benchmark never compares with a figure measured at another
time: it times its reference in the same run, interleaved. Each job runs once first to warm up
(imports, fonts, caches); then every run times each job once, each from a collected heap, in
the given order on even runs and the reverse order on odd ones, so that no job always goes
first. The figures are medians over at least MIN_RUNS runs, and ratios of medians.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

MIN_RUNS = 7


def runs_argument(description: str | None) -> int:
    """The benchmark's `--runs N` (default and minimum MIN_RUNS)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help=f"runs of each (at least {MIN_RUNS})")
    return max(parser.parse_args().runs, MIN_RUNS)


@dataclass
class Timings:
    """The seconds each job took, run by run."""

    runs: int
    seconds: dict[str, list[float]]

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])

    def ratio(self, name: str, reference: str) -> float:
        """Median of `name` over median of `reference`, both from this run."""
        return self.median(name) / self.median(reference)

    def summary(self, name: str) -> str:
        return f"median {self.median(name):.3f} s  (min {min(self.seconds[name]):.3f})"

    def header(self) -> str:
        return f"runs: {self.runs} of each, interleaved"


def interleaved(jobs: dict[str, Callable[[], object]], runs: int = MIN_RUNS) -> Timings:
    """Time every job of `jobs` (name -> no-argument callable) `runs` times, interleaved."""
    runs = max(runs, MIN_RUNS)
    for job in jobs.values():
        job()  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in jobs}
    order = list(jobs.items())
    for run in range(runs):
        for name, job in (order if run % 2 == 0 else order[::-1]):
            gc.collect()
            start = time.perf_counter()
            job()
            seconds[name].append(time.perf_counter() - start)
    return Timings(runs, seconds)
