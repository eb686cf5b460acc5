"""Outputs go into place all or none.

A build writes every output into a private staging folder beside its targets
(`OUT/.<slug>.build-<pid>-<random>/`). Only when every format is written and checked does
`Staging.publish` move them into place: it first writes a journal naming the targets, keeps a
hard link to each previous output, renames the new files over the old ones, and removes the
journal (the commit point). If a rename fails, or the build is interrupted (SIGTERM, SIGHUP,
SIGINT: `interrupts_as_exceptions`), the outputs already moved are put back from those links.
If the process is killed outright (SIGKILL, power loss), the staging folder stays behind; the
next build of the same report finds it (its process is gone), rolls back an unfinished publish
from the journal, and removes it (`recover`). So the previous outputs are never lost, and no
temporary file outlives the next build.

A build also never replaces an output someone changed after it was written (a reviewer's DOCX
or annotated PDF left in the out folder). Each publish records what it wrote, the SHA-256 of each
output, in `OUT/.<slug>.outputs.json` (`OutputsRecord`), moved into place in the same all-or-none
step as the outputs; the next build compares each file it would replace with that record
(`OutputsRecord.edited`) and refuses if any differs. A file with no entry (put there by someone,
or written by a reportgen from before the record) is replaced only when it is byte for byte what
the build would write. The record is read as untrusted: at most 1 MB, a regular file (never
through a symlink, never a FIFO), and only entries naming this report's own outputs, plain names
in the out folder, are ever consulted; a damaged record counts as no record.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import signal
import stat
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

JOURNAL = "publishing.json"
PREVIOUS = "previous"
OUTPUT_MODE = 0o644


class Interrupted(BaseException):
    """The build got SIGTERM, SIGHUP or SIGINT; raised so that clean-up runs (a BaseException, so
    no `except Exception` swallows it)."""

    def __init__(self, signum: int):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum

    def __reduce__(self):  # from a forked writer back to the build (see `Forked`)
        return Interrupted, (self.signum,)


@contextmanager
def interrupts_as_exceptions():
    """While building, turn SIGTERM, SIGHUP and SIGINT into `Interrupted` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [s for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT) if s is not None]

    def handler(signum, frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in wanted}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def _staging_re(slug: str) -> re.Pattern:
    return re.compile(rf"^\.{re.escape(slug)}\.build-(\d+)-[^/]+$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _rollback(folder: Path, targets: dict[str, str], moved: list[str] | None = None) -> None:
    """Put back the previous outputs of `targets` (name -> final path) from `folder`/previous.
    `moved`: the names already renamed into place (None: unknown, after a crash: all of them)."""
    for name in (moved if moved is not None else list(targets)):
        final, backup = Path(targets[name]), folder / PREVIOUS / name
        if backup.exists():
            os.replace(backup, final)
        elif moved is not None or not (folder / name).exists():
            # there was no previous output: remove what this build put there
            final.unlink(missing_ok=True)


def recover(out_dir: Path, slug: str) -> list[Path]:
    """Clean up after earlier builds of `slug` that were killed: roll back an unfinished publish,
    remove their staging folders and legacy temporary files. Returns what was removed."""
    removed = []
    if not out_dir.is_dir():
        return removed
    pattern = _staging_re(slug)
    for entry in sorted(out_dir.iterdir()):
        match = pattern.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink():
            if _alive(int(match[1])):
                continue  # a build running now
            journal = entry / JOURNAL
            if journal.exists():
                try:
                    targets = json.loads(journal.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    targets = {}
                _rollback(entry, {k: v for k, v in targets.items()
                                  if Path(v).parent.resolve() == out_dir.resolve()})
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        elif entry.name.startswith(f".{slug}.") and entry.name.endswith(".tmp") and entry.is_file():
            entry.unlink(missing_ok=True)  # temporary files of reportgen 0.1
            removed.append(entry)
    return removed


class Staging:
    """A private folder beside the outputs, holding a build's files until they are published."""

    def __init__(self, out_dir: Path, slug: str):
        self.out_dir = out_dir
        self.dir = Path(tempfile.mkdtemp(prefix=f".{slug}.build-{os.getpid()}-", dir=out_dir))

    def path(self, name: str) -> Path:
        return self.dir / name

    def publish(self, targets: dict[str, Path]) -> None:
        """Move each staged `name` to its final path, all or none."""
        plan = {name: str(final) for name, final in targets.items()}
        for name in plan:
            os.chmod(self.dir / name, OUTPUT_MODE)
        (self.dir / PREVIOUS).mkdir()
        journal = self.dir / JOURNAL
        with open(journal, "w", encoding="utf-8") as handle:
            json.dump(plan, handle)
            handle.flush()
            os.fsync(handle.fileno())
        for name, final in targets.items():
            if final.is_file() and not final.is_symlink():
                try:
                    os.link(final, self.dir / PREVIOUS / name)
                except OSError:  # a file system without hard links
                    shutil.copy2(final, self.dir / PREVIOUS / name)
        _fsync_dir(self.dir)
        moved: list[str] = []
        try:
            for name, final in targets.items():
                os.replace(self.dir / name, final)
                moved.append(name)
        except BaseException:
            _rollback(self.dir, plan, moved)
            raise
        journal.unlink()  # the commit point: from here on, the new outputs stand
        _fsync_dir(self.out_dir)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


# --------------------------------------------------------------------------- the record of outputs

RECORD_MAX_BYTES = 1_000_000  # a record names a few outputs: ~100 bytes each
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def record_name(slug: str) -> str:
    """The record's file name in the out folder: hidden, and one per report (two reports may share
    an --out folder)."""
    return f".{slug}.outputs.json"


def file_digest(path: Path) -> str:
    """SHA-256 of a regular file's bytes, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Edited:
    """An output the build would replace that is not as reportgen last wrote it."""

    name: str
    path: Path
    recorded: bool  # True: the record holds another digest (changed); False: no record of it


@dataclass(frozen=True)
class Stale:
    """An output of this report that the last build did not write, built from other files."""

    name: str
    path: Path
    why: str  # "an earlier version of the report", or why that cannot be told


@dataclass
class OutputsRecord:
    """What the last publish of `slug` into `out_dir` wrote: output name -> SHA-256, and what each
    was built from (`inputs`: the fingerprint of the files the build read, build.fingerprint)."""

    out_dir: Path
    slug: str
    digests: dict[str, str] = field(default_factory=dict)
    damaged: bool = False  # the file exists but is not a record reportgen wrote (or was cut short)
    also: tuple[str, ...] = ()  # other names it may speak for: the file of `build -o FILE`
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.out_dir / record_name(self.slug)

    def _ours(self, name: str) -> bool:
        """A name this record may speak for: one of this report's outputs, a plain name in the out
        folder (never a path: the record is as untrusted as the folder it sits in)."""
        return (isinstance(name, str) and (name.startswith(f"{self.slug}.") or name in self.also) and "/" not in name
                and "\\" not in name and "\0" not in name and name not in (".", "..") and len(name) <= 255
                and name != record_name(self.slug))

    @classmethod
    def read(cls, out_dir: Path, slug: str, also: tuple[str, ...] = ()) -> "OutputsRecord":
        """The record of `slug`'s outputs in `out_dir`; `also`: names of outputs not named after the
        slug that this build writes (`-o FILE`), whose entries are read too."""
        record = cls(out_dir, slug, also=tuple(also))
        try:
            fd = os.open(record.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return record
        except OSError:  # a symlink (O_NOFOLLOW), unreadable: no record we can trust
            record.damaged = True
            return record
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > RECORD_MAX_BYTES:
                record.damaged = True
                return record
            data = os.read(fd, RECORD_MAX_BYTES + 1)
        except OSError:
            record.damaged = True
            return record
        finally:
            os.close(fd)
        try:
            parsed = json.loads(data.decode("utf-8")) if len(data) <= RECORD_MAX_BYTES else None
        except (ValueError, RecursionError):  # not UTF-8, not JSON, nested past the parser's depth
            parsed = None
        outputs = parsed.get("outputs") if isinstance(parsed, dict) else None
        if not isinstance(outputs, dict):
            record.damaged = True
            return record
        for name, entry in outputs.items():
            digest = entry.get("sha256") if isinstance(entry, dict) else None
            if record._ours(name) and isinstance(digest, str) and _DIGEST.match(digest):
                record.digests[name] = digest
                built_from = entry.get("inputs")
                if isinstance(built_from, str) and _DIGEST.match(built_from):
                    record.inputs[name] = built_from
        return record

    def edited(self, targets: dict[str, Path], staged: dict[str, str] | None = None) -> list[Edited]:
        """The targets (name -> final path) whose file would be lost: a regular file whose digest is
        not the recorded one, or that has no record and is not the very bytes about to replace it
        (`staged`: name -> digest of the new output; None: before writing, only recorded files are
        judged). A missing target, a symlink (replacing it loses no file) or a folder (publish
        refuses that itself) is never edited."""
        found = []
        for name, final in targets.items():
            try:
                info = os.lstat(final)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            recorded = self.digests.get(name)
            if recorded is None and staged is None:
                continue
            try:
                digest = file_digest(final)
            except OSError:
                continue  # unreadable: the publish reports what it cannot do
            if recorded is not None and digest != recorded:
                found.append(Edited(name, final, True))
            elif recorded is None and digest != staged.get(name):
                found.append(Edited(name, final, False))
        return found

    def updated(self, written: dict[str, str], built_from=None) -> str:
        """The record's text after a publish of `written` (name -> digest), each built from
        `built_from` (a fingerprint, or a function of an output's name giving its own): the
        entries of outputs not rebuilt this time are kept (they are still as written, and what they
        were built from is how `stale` tells them), sorted, deterministic."""
        outputs = {**self.digests, **written}
        of = built_from if callable(built_from) else (lambda name: built_from)  # a report's editions: each its own
        inputs = {**self.inputs, **({name: of(name) for name in written} if built_from else {})}
        body = {"reportgen": "the outputs this report's last build wrote, to refuse replacing one edited since, "
                             "and what each was built from, to say when one is stale",
                "outputs": {name: {"sha256": outputs[name], **({"inputs": inputs[name]} if name in inputs else {})}
                            for name in sorted(outputs)}}
        return json.dumps(body, indent=1, sort_keys=True) + "\n"

    def stale(self, built_from, exclude) -> list[Stale]:
        """This report's outputs in the out folder that a build from `built_from` (a fingerprint, or
        a function of an output's name giving its own) did not write (`exclude`: the names it
        wrote) and that were built from other files: each still as reportgen wrote it (an output
        someone changed since is theirs, never called stale), a regular file, named after the
        report. Read before the publish (the record in hand)."""
        of = built_from if callable(built_from) else (lambda name: built_from)
        found = []
        for name in sorted(self.digests):
            if name in exclude or not name.startswith(f"{self.slug}.") or self.inputs.get(name) == of(name):
                continue
            path = self.out_dir / name
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode) or file_digest(path) != self.digests[name]:
                    continue
            except OSError:
                continue
            why = ("another version of the report (other files, or the other of draft and final)" if name in self.inputs else
                   "what reportgen cannot tell (its record, from an older reportgen, does not say)")
            found.append(Stale(name, path, why))
        return found


# --------------------------------------------------------------------------- a second process

def can_fork() -> bool:
    """A forked child is safe here: POSIX fork, more than one core, and no other thread running
    (forking a threaded process may copy a lock held by another thread)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return hasattr(os, "fork") and cores > 1 and threading.active_count() == 1


class Forked:
    """`func()` run in a forked child process while this one goes on; `result()` waits for its
    (picklable) return value, or raises what it raised.

    The child is a copy of this process at the fork: it writes into the same staging folder. A
    Ctrl-C reaches both and stops both: whatever the child raises (KeyboardInterrupt, or
    `Interrupted` if it was forked inside `interrupts_as_exceptions`) goes back to the parent
    without a traceback on the terminal. Leaving the `with` block before `result()` (an error or
    an interruption in this process) kills the child and waits for it, so that the staging folder
    is removed after the child has stopped writing into it. On Linux the child is also killed if
    this process dies (SIGKILL): the next build's `recover` then removes what they left."""

    def __init__(self, func):
        self._read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: run, send the outcome, never return into the parent's stack
            os.close(self._read)
            _die_with_parent()
            status = 0
            try:
                try:
                    outcome = ("value", func())
                except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
                    status = 1
                    outcome = ("raised", exc)
                try:
                    data = pickle.dumps(outcome)
                except Exception:  # noqa: BLE001 - an exception that does not pickle
                    data = pickle.dumps(("raised", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
                with os.fdopen(write, "wb") as handle:
                    handle.write(data)
            finally:
                os._exit(status)
        os.close(write)
        self._done = False

    def result(self):
        handle, self._read = os.fdopen(self._read, "rb"), None
        with handle:
            data = handle.read()
        os.waitpid(self.pid, 0)
        self._done = True
        if not data:
            raise RuntimeError("the build's second process ended without a result")
        kind, value = pickle.loads(data)  # noqa: S301 - our own child's bytes, over a private pipe
        if kind == "raised":
            raise value
        return value

    def stop(self) -> None:
        """Kill the child if it is still running, and reap it."""
        if self._done:
            return
        self._done = True
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        if self._read is not None:
            os.close(self._read)
            self._read = None

    def __enter__(self) -> "Forked":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG); elsewhere nothing."""
    try:
        import ctypes  # noqa: PLC0415

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
