"""Every build within its bounds: wall-clock time and memory, per report.

A report folder is untrusted, and one that makes a build hang (a FIFO where a file should be, a
renderer's endless loop) or grow without end must fail alone, with a located error, and leave
the earlier outputs as they were. `Limits` holds the two bounds (`build --time-limit`,
`--memory-limit`); `bounded` applies them to a build running in this process:

- time: an alarm (SIGALRM, main thread only) raises `LimitExceeded` in the build wherever it is,
  a blocking system call included (a FIFO's open), so that its clean-up runs as for an
  interruption. Python code only: a C library looping without returning is stopped only from
  outside, which is why a batch (generator/batch.py) also kills a report's process outright
  `GRACE` seconds after its limit;
- memory: the address space (RLIMIT_AS) is capped at what the process holds when the build
  starts plus the limit; an allocation past it raises MemoryError, which the build reports as the
  limit. The PDF's process (generator/writing.py), the one that grows most, caps its own.

The error: `content/x: error[build-limit]: the build took longer than 300 s (the limit; raise it
with --time-limit SECONDS)`.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

MB = 1_000_000
DEFAULT_SECONDS = 300  # the 213-page benchmark report builds in about 16 s (bench/README.md)
DEFAULT_MEMORY_MB = 2000  # the example report's build holds about 350 MB of address space
GRACE = 10  # seconds a batch waits past a report's time limit before killing its process outright


@dataclass(frozen=True)
class Limits:
    seconds: float = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB  # address space above what the process holds at the start

    @property
    def memory(self) -> int:
        return self.memory_mb * MB

    def time_message(self) -> str:
        return f"the build took longer than {self.seconds:g} s (the limit; raise it with --time-limit SECONDS)"

    def memory_message(self) -> str:
        return (f"the build needed more than {self.memory_mb:,} MB of memory (the limit; raise it with "
                "--memory-limit MB)")


class LimitExceeded(BaseException):
    """The build went past its time limit (a BaseException, so that no `except Exception` in the
    pipeline swallows it; clean-up runs as for `publish.Interrupted`)."""

    def __reduce__(self):  # from a forked writer back to the build
        return LimitExceeded, self.args


@contextmanager
def deadline(seconds: float):
    """Raise LimitExceeded in this (main) thread once `seconds` have passed; elsewhere, or with
    an alarm already set by someone else, nothing."""
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def ring(signum, frame):
        raise LimitExceeded("time")

    global _ringing
    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _ringing = True
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _ringing = False
        signal.signal(signal.SIGALRM, previous)


_ringing = False  # an alarm of `deadline` is set


def stop_clock() -> None:
    """The build is past its last step that may hang (publishing is a few renames): no alarm now."""
    if _ringing and threading.current_thread() is threading.main_thread():
        signal.setitimer(signal.ITIMER_REAL, 0)


def _address_space() -> int:
    import resource  # noqa: PLC0415 - POSIX only

    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _lower_ceiling(headroom: int) -> tuple[int, int] | None:
    """Cap this process's address space at what it holds now plus `headroom` (never above a cap
    already set); the limits it replaced, or None where they cannot be set (not POSIX)."""
    try:
        import resource  # noqa: PLC0415 - POSIX only

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        ceiling = _address_space() + headroom
        for cap in (soft, hard):
            if cap != resource.RLIM_INFINITY:
                ceiling = min(ceiling, cap)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    except (ImportError, OSError, ValueError):
        return None
    return soft, hard


@contextmanager
def memory_ceiling(headroom: int):
    """The address-space cap of `_lower_ceiling` until the block ends: an allocation past it raises
    MemoryError in Python instead of exhausting the machine."""
    previous = _lower_ceiling(headroom)
    try:
        yield
    finally:
        if previous is not None:
            import resource  # noqa: PLC0415

            resource.setrlimit(resource.RLIMIT_AS, previous)


def cap_memory(headroom: int) -> None:
    """For a child process that ends with its job: the same cap, for good."""
    _lower_ceiling(headroom)


@contextmanager
def bounded(limits: Limits):
    """Run a build within `limits` in this process: LimitExceeded("time") past its time,
    LimitExceeded("memory") for a MemoryError (the cap reached)."""
    try:
        with deadline(limits.seconds), memory_ceiling(limits.memory):
            yield
    except MemoryError:
        raise LimitExceeded("memory") from None


def message(exc: LimitExceeded, limits: Limits) -> str:
    return limits.memory_message() if exc.args and exc.args[0] == "memory" else limits.time_message()

