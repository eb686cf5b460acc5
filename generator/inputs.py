"""Every file a build reads from a report folder, read one safe way.

A report folder is untrusted: its files may be symlinks pointing anywhere, FIFOs that block a
read forever, or files too large to hold. `read_input` resolves the path with symlinks followed,
refuses it unless it lies inside one of the allowed roots (the report folder, the package's own
data, or a folder the user named on the command line), refuses anything that is not a regular
file, and never reads more than a size limit. Problems are `InputError`s carrying a stable
diagnostic code; the stages turn them into located diagnostics.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

MB = 1024 * 1024
LIMITS = {  # bytes; what one file of each kind may weigh
    "yaml": 2 * MB,
    "chapter": 5 * MB,
    "image": 20 * MB,
    "docx": 50 * MB,
    "css": 2 * MB,  # a theme's stylesheet
    "font": 20 * MB,  # a theme's font file (.ttf, .otf)
}


LOOP = "it is a symbolic link that leads back to itself (a loop); point it at a file, or remove it"


class InputError(Exception):
    """A file the build may not or cannot read; `code` is the diagnostic code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# The files read while `recording()` is on (the build's check: generator/build.py): resolved path
# -> SHA-256 of the bytes read. What the outputs were built from (publish.py's record of outputs
# keeps its fingerprint, to tell a stale output) and which files of the report a draft's version
# must find in its commit (provenance.py `edited`). One dictionary per thread or task.
_READS: ContextVar[dict[Path, str] | None] = ContextVar("reportgen_reads", default=None)


@contextmanager
def recording():
    """Record every file `read_input` reads while the block runs: the dictionary it yields."""
    reads: dict[Path, str] = {}
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def reads_so_far() -> dict[Path, str]:
    """The files read since `recording()` began (empty outside it)."""
    return dict(_READS.get() or {})


def confine(path: Path, roots: tuple[Path, ...] | list[Path], shown: str | None = None) -> Path:
    """`path` resolved (symlinks followed); InputError unless it lies inside one of `roots`."""
    shown = shown or str(path)
    try:
        resolved = Path(path).resolve(strict=True)
    except FileNotFoundError:
        raise InputError("file-missing", f"'{shown}' not found") from None
    except RuntimeError:  # pathlib's word for a symlink loop (ELOOP)
        raise InputError("file-unreadable", f"cannot read '{shown}': {LOOP}") from None
    except OSError as exc:  # a permission problem on the way, a loop
        reason = LOOP if exc.errno == errno.ELOOP else exc.strerror or exc
        raise InputError("file-unreadable", f"cannot read '{shown}': {reason}") from None
    if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
        raise InputError("path-outside", f"'{shown}' points outside the report folder (to {resolved}); "
                         "reportgen reads only files inside the report folder")
    return resolved


def read_input(path: Path, roots, kind: str, shown: str | None = None) -> bytes:
    """The bytes of `path`, confined to `roots`, a regular file, at most LIMITS[kind] bytes."""
    shown = shown or str(path)
    resolved = confine(path, roots, shown)
    limit = LIMITS[kind]
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        reason = LOOP if exc.errno == errno.ELOOP else exc.strerror
        raise InputError("file-unreadable", f"cannot read '{shown}': {reason}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("file-not-regular", f"'{shown}' is not a regular file (a folder, device or pipe)")
        if info.st_size > limit:
            raise InputError("file-too-large", f"'{shown}' is {info.st_size / MB:.1f} MB; a {kind} file may be "
                             f"at most {limit // MB} MB")
        chunks, total = [], 0
        while True:
            try:
                chunk = os.read(fd, min(1 * MB, limit + 1 - total))
            except OSError as exc:
                raise InputError("file-unreadable", f"cannot read '{shown}': {exc.strerror}") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # the file grew while we read it
                raise InputError("file-too-large", f"'{shown}' is over {limit // MB} MB")
        data = b"".join(chunks)
        reads = _READS.get()
        if reads is not None:
            reads[resolved] = hashlib.sha256(data).hexdigest()
        return data
    finally:
        os.close(fd)


def is_inside(path: Path, roots) -> bool:
    """True if `path` resolves (symlinks followed) inside one of `roots`; False if it does not exist."""
    try:
        confine(path, roots)
    except InputError:
        return False
    return True
