"""`reportgen build DIR DIR...`: several reports built at once, one process per core.

Each report is an ordinary `generator.build.build` in a worker process of its own (`_Pool`):
builds share nothing, so processes use every core where threads would queue on the interpreter
lock, and one report that hangs or grows fails alone. Each report goes to `PARENT/<slug>/` (the
`--out` folder), or to its own default output folder (`generator.build.default_out_dir`).
The workers are forked from a server that has already imported the writers of the formats
asked for, so the slow imports (WeasyPrint, python-docx) are paid once, not once per report.

Bounds (generator/limits.py): each worker's build stops itself at the report's time limit (an
alarm) and memory limit (its address space capped), failing with `build-limit`; a worker still
running `limits.GRACE` seconds past its time limit (stuck in a C library, out of the alarm's
reach) is killed, its staging folder removed, and its report fails the same way. A batch stopped
by SIGTERM, SIGHUP or Ctrl-C stops its workers (each cleans up as an interrupted build does),
the forkserver and multiprocessing's resource tracker before it exits; a batch killed outright
leaves workers that notice it (their lifeline pipe ends), stop, and take the servers with them.

While it runs: a progress bar on a terminal (tqdm), plain lines otherwise; as each report
finishes, one summary line; at the end, every report's diagnostics. `parallel=False` is passed to
each build in a worker (`generator.build.build`'s hook for writing the formats side by side):
the workers are the parallelism, so a build must not also run its formats in parallel; with
`--jobs 1` the reports are built in this process, one after another, with `parallel=True`
(each within its limits as a single build is: generator/limits.py).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import limits
from generator.limits import Limits
from generator.publish import interrupts_as_exceptions
from generator.writing import Options

WRITER_MODULES = {"html": ("generator.writers.html",),
                  "pdf": ("generator.writers.html", "generator.writers.pdf.render"),
                  "docx": ("generator.writers.docx.writer",)}


@dataclass(frozen=True)
class Job:
    report_dir: Path
    out_dir: Path | None
    options: Options = field(default_factory=Options)  # the batch's, the same for every report

    @property
    def formats(self) -> tuple[str, ...]:
        return self.options.formats

    @property
    def limits(self) -> Limits:
        return self.options.limits


@dataclass
class Result:
    """What became of one report: its outputs, its diagnostics (as printed), how long it took."""

    report_dir: Path
    ok: bool
    outputs: tuple[Path, ...] = ()
    diagnostics: tuple[str, ...] = ()
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0
    internal: str = ""  # a bug in reportgen: its one-line description

    def summary(self) -> str:
        name = self.report_dir.name
        if self.internal:
            return f"FAILED  {name}: internal error ({self.internal}); a bug in reportgen, please report it"
        if not self.ok:
            return f"FAILED  {name}: {self.errors or len(self.diagnostics)} problem(s); nothing was written"
        warned = f", {self.warnings} warning(s)" if self.warnings else ""
        where = _shown(self.outputs[0].parent) if self.outputs else ""
        return f"ok      {name}: {len(self.outputs)} file(s) in {where}/ ({self.seconds:.1f} s{warned})"


def _shown(path: Path) -> str:
    """A folder as a summary line shows it: relative to the working folder where it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class SameName(ValueError):
    """Two report folders of the same name: their outputs would overwrite each other."""


def plan(folders, parent: Path | None, options: Options | None = None, **changes) -> list[Job]:
    """One job per report folder (a folder named twice is built once); each to PARENT/<slug>/,
    or to its default output folder; every job with the same `options` (keywords change single
    fields, as `build`'s do). Raises SameName for two folders of the same name."""
    options = replace(options or Options(), **changes)
    if options.output is not None:
        raise ValueError("several reports cannot all be written to one file (-o): give each its folder")
    seen: dict[str, Path] = {}
    jobs = []
    for folder in dict.fromkeys(Path(f).resolve() for f in folders):
        if folder.name in seen:
            raise SameName(f"'{seen[folder.name]}' and '{folder}' have the same name '{folder.name}': their outputs "
                           "would overwrite each other")
        seen[folder.name] = folder
        jobs.append(Job(folder, parent / folder.name if parent else None, options))
    return jobs


def build_one(job: Job, parallel: bool = False) -> Result:
    """One report, as the pool's worker runs it (`parallel=False`: the pool is the parallelism),
    or in this process with --jobs 1 (`parallel=True`: the build may run its formats side by side)."""
    from generator.build import build  # noqa: PLC0415
    from generator.diagnostics import ERROR, ContentError  # noqa: PLC0415

    start = time.perf_counter()
    try:
        built = build(job.report_dir, job.out_dir, job.options, parallel=parallel)
    except ContentError as exc:
        items = exc.diagnostics.sorted()
        return Result(job.report_dir, False, (), tuple(map(str, items)),
                      sum(d.severity == ERROR for d in items), sum(d.severity != ERROR for d in items),
                      time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - one report's bug must not lose the others' results
        return Result(job.report_dir, False, seconds=time.perf_counter() - start,
                      internal=f"{type(exc).__name__}: {str(exc)[:200]}")
    items = built.diagnostics.sorted()
    return Result(job.report_dir, True, built.all_outputs, tuple(map(str, items)),
                  0, len(items), time.perf_counter() - start)


def _context(formats):
    """Workers forked from a server that has imported the pipeline and the writers once.

    forkserver, not fork: the parent may have threads (a test runner's, the progress bar's),
    and forking a threaded process can deadlock its children."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows, some macOS builds
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    modules = ["generator.build", *dict.fromkeys(m for f in formats for m in WRITER_MODULES[f])]
    context.set_forkserver_preload(modules)
    return context


def _work(job: Job, results, lifeline) -> None:
    """One report in a worker process: its Result back through `results`. A thread waits on
    `lifeline`, a pipe the batch's process never writes to: when that process is gone (killed
    outright), the pipe ends and the worker stops its build as SIGTERM would, so that no worker
    goes on building, or publishing, for a batch that no longer exists."""
    from generator.publish import Interrupted  # noqa: PLC0415

    def watch() -> None:
        try:
            lifeline.recv_bytes()
        except (EOFError, OSError):
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()
    try:
        result = build_one(job)
    except Interrupted:  # stopped by the batch, or orphaned: the build has cleaned up
        return
    results.send(result)
    results.close()


def _limit_result(job: Job, seconds: float) -> Result:
    from generator.diagnostics import Diagnostics  # noqa: PLC0415

    diags = Diagnostics()
    diags.error("build-limit", job.limits.time_message(), job.report_dir)
    return Result(job.report_dir, False, (), tuple(map(str, diags.sorted())), 1, 0, seconds)


def _lost_result(job: Job, exitcode: int | None, seconds: float) -> Result:
    """A worker that ended without sending its result: killed by a signal (the kernel's OOM
    killer, someone's kill) is the report's failure, located; any other end is a bug of ours."""
    from generator.diagnostics import Diagnostics  # noqa: PLC0415

    _clean_after(job)
    if exitcode is not None and exitcode < 0:
        diags = Diagnostics()
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        diags.error("build-limit", f"the build's process was killed by {name} (by the system, short of memory?); "
                    "nothing was written", job.report_dir)
        return Result(job.report_dir, False, (), tuple(map(str, diags.sorted())), 1, 0, seconds)
    return Result(job.report_dir, False, seconds=seconds,
                  internal=f"its process ended without a result (exit status {exitcode})")


def _clean_after(job: Job) -> None:
    """What a killed worker left (its staging folder) removed, as the next build would."""
    from generator.build import default_out_dir  # noqa: PLC0415
    from generator.publish import recover  # noqa: PLC0415

    try:
        recover((job.out_dir or default_out_dir(job.report_dir)).resolve(), job.report_dir.name)
    except OSError:
        pass


def _stop_servers() -> None:
    """The forkserver and multiprocessing's resource tracker end with the batch (both private to
    multiprocessing, which otherwise leaves them to end with the interpreter, or never when it is
    killed); started again by the next batch in this process."""
    from multiprocessing import forkserver, resource_tracker  # noqa: PLC0415

    for server in (getattr(forkserver, "_forkserver", None), getattr(resource_tracker, "_resource_tracker", None)):
        stop = getattr(server, "_stop", None)
        if stop is not None:
            try:
                stop()
            except (OSError, ChildProcessError, AttributeError):  # pragma: no cover - already gone
                pass


class _Pool:
    """`workers` reports at a time, each in a process of its own, each within its time limit:
    a worker still running `GRACE` seconds past it (stuck where its alarm cannot reach) is killed
    and its report fails with `build-limit`. Leaving the block (an interruption) stops every
    worker (SIGTERM: each cleans up as a build does; then SIGKILL), the forkserver and the
    resource tracker: a stopped batch leaves no process behind."""

    def __init__(self, jobs: list[Job], workers: int, on_start=None):
        self.jobs, self.workers, self.on_start = jobs, workers, on_start
        self.context = _context(jobs[0].formats)
        self.lifeline, self._keep = self.context.Pipe(duplex=False)  # never written: ends with this process
        self.running: dict = {}  # connection -> (n, job, process, started, deadline)

    def _start(self, n: int, job: Job) -> None:
        receive, send = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_work, args=(job, send, self.lifeline),
                                       name=f"reportgen {job.report_dir.name}")
        process.start()
        send.close()
        now = time.monotonic()
        self.running[receive] = (n, job, process, now, now + job.limits.seconds + limits.GRACE)
        if self.on_start is not None:
            self.on_start(job)

    def results(self):
        """(n, Result) for each job as it finishes."""
        waiting = list(enumerate(self.jobs))
        while waiting or self.running:
            while waiting and len(self.running) < self.workers:
                self._start(*waiting.pop(0))
            soonest = min(entry[4] for entry in self.running.values())
            for receive in multiprocessing.connection.wait(list(self.running), max(0.0, soonest - time.monotonic())):
                n, job, process, started, _ = self.running.pop(receive)
                try:
                    result = receive.recv()
                except (EOFError, OSError):  # ended without a result: killed (by the system, short of memory?)
                    process.join()
                    result = _lost_result(job, process.exitcode, time.monotonic() - started)
                receive.close()
                process.join()
                yield n, result
            now = time.monotonic()
            for receive, (n, job, process, started, deadline) in list(self.running.items()):
                if now >= deadline:
                    del self.running[receive]
                    process.kill()
                    process.join()
                    receive.close()
                    _clean_after(job)
                    yield n, _limit_result(job, now - started)

    def close(self) -> None:
        try:
            for _, _, process, _, _ in self.running.values():
                process.terminate()
            end = time.monotonic() + limits.GRACE
            for receive, (_, job, process, _, _) in self.running.items():
                process.join(max(0.0, end - time.monotonic()))
                if process.is_alive():
                    process.kill()
                    process.join()
                    _clean_after(job)
                receive.close()
            self.running.clear()
        finally:
            self.lifeline.close()
            self._keep.close()
            _stop_servers()


class _Progress:
    """A tqdm bar on stderr when it is a terminal; the summary lines only elsewhere (a log, a
    pipe, CI). tqdm rather than rich: a bar is all that is needed, and tqdm is one small
    package with no dependencies that imports in a fraction of rich's time."""

    def __init__(self, total: int, stream, tty: bool | None = None, quiet: bool = False):
        self.stream, self.quiet = stream, quiet
        self.building: list[str] = []
        self.bar = None
        if sys.stderr.isatty() if tty is None else tty:
            from tqdm import tqdm  # noqa: PLC0415 - only on a terminal

            self.bar = tqdm(total=total, unit="report", file=sys.stderr, leave=False, dynamic_ncols=True)

    def started(self, job: Job) -> None:
        """A report's build began: the bar names the reports being built."""
        self.building.append(job.report_dir.name)
        self._name_them()

    def _name_them(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"building {', '.join(self.building)}" if self.building else "", refresh=True)

    def done(self, result: Result) -> None:
        if result.report_dir.name in self.building:
            self.building.remove(result.report_dir.name)
            self._name_them()
        if self.quiet and result.ok:
            return
        if self.bar is not None:
            # counted and drawn now, whatever tqdm's rate limit (an update within `mininterval` of
            # the last drawing, as when two reports end together or right after the bar appeared,
            # is otherwise left undrawn until the next: the bar sat at 0/2 until the end)
            self.bar.update(1)
            self.bar.write(result.summary(), file=self.stream)  # clears the bar, prints, draws it again
            self.bar.refresh()
        else:
            print(result.summary(), file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def build_many(jobs: list[Job], workers: int | None = None, stream=None, tty: bool | None = None,
               quiet: bool = False) -> list[Result]:
    """Build every job, `workers` at a time (default: one per core, at most one per report),
    printing one summary line per report as it finishes (`quiet`: only a failed report's, and no
    bar); the results in the order given."""
    stream = stream if stream is not None else sys.stdout
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    progress = _Progress(len(jobs), stream, False if quiet else tty, quiet)
    results: dict[int, Result] = {}
    try:
        if workers == 1:
            for n, job in enumerate(jobs):
                progress.started(job)
                results[n] = build_one(job, parallel=True)
                progress.done(results[n])
        else:
            pool = _Pool(jobs, workers, progress.started)
            try:
                with interrupts_as_exceptions():
                    for n, result in pool.results():
                        results[n] = result
                        progress.done(result)
            finally:
                pool.close()
    finally:
        progress.close()
    return [results[n] for n in range(len(jobs))]
