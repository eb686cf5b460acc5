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
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
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
