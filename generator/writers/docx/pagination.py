"""The pagination pass: the contents' page numbers as LibreOffice lays the DOCX out.

Opt-in (`reportgen build --docx-page-numbers`); a build that did not ask never imports this.
A DOCX has no pages until a program lays it out: Word updates the contents field when it opens
the file (w:updateFields), LibreOffice never does and shows the field's cached result as it is.
So the pass lays the built DOCX out with LibreOffice (headless, a private profile in a temporary
folder, a time limit), reads the page of each part from LibreOffice's PDF (the named destination
LibreOffice exports for each Word bookmark: the part's Heading 1, which starts its page), writes
those numbers into the field's cached result, and lays it out again to confirm that they did not
move the parts (the numbers may lengthen a contents line). It repeats to a fixed point, at most
MAX_PASSES layouts; if the pages do not settle, or LibreOffice fails, it warns
(`docx-page-numbers`) and the DOCX carries no numbers: a wrong number is worse than none.

The numbers are the pages as LibreOffice's own footer counts them ("Page N of M"): the cover is
page 1. The same content laid out by the same LibreOffice gives the same numbers, so the same bytes.
The pass runs in the DOCX writer, before the build publishes anything.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

from generator.diagnostics import Diagnostics

MAX_PASSES = 3  # layouts by LibreOffice, the first of the DOCX without numbers
TIMEOUT = 180  # seconds for one layout (LibreOffice's first start in a new profile is the slow part)
# LibreOffice 7.4's JSON filter options: export each Word bookmark as a named destination
EXPORT_FILTER = 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'
INSTALL_HINT = "install it with `make system-deps` (Debian: apt-get install libreoffice-writer)"


class LayoutFailed(Exception):
    """LibreOffice did not lay the DOCX out: the reason, in a sentence."""


def libreoffice() -> str | None:
    """The path of LibreOffice's `soffice` (or `libreoffice`) on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def destination_name(bookmark: str) -> str:
    """A Word bookmark's name as LibreOffice names its PDF destination: each character other than
    an ASCII letter or digit as its two hex digits ("_foreword" -> "5Fforeword")."""
    return "".join(c if c.isascii() and c.isalnum() else f"{ord(c):02X}" for c in bookmark)


def pages_of(pdf_path: Path, bookmarks: list[str]) -> dict[str, int]:
    """{bookmark: page number (1 the first)} of `bookmarks` in LibreOffice's PDF, from its named
    destinations; raises LayoutFailed naming one it lacks."""
    import pikepdf  # noqa: PLC0415

    with pikepdf.open(pdf_path) as pdf:
        numbers = {page.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        dests = {}
        if "/Dests" in pdf.Root:  # PDF 1.1 style, as LibreOffice writes them
            dests.update((str(k)[1:], v) for k, v in pdf.Root.Dests.items())
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            dests.update((str(k), v) for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items())
        pages = {}
        for bookmark in bookmarks:
            dest = dests.get(destination_name(bookmark))
            if isinstance(dest, pikepdf.Dictionary):
                dest = dest.get("/D")
            page = numbers.get(dest[0].objgen) if isinstance(dest, pikepdf.Array) and len(dest) else None
            if page is None:
                raise LayoutFailed(f"LibreOffice's PDF has no page for bookmark '{bookmark}' "
                                   "(LibreOffice 7.4 or later exports bookmarks as destinations)")
            pages[bookmark] = page
    return pages


def lay_out(data: bytes, bookmarks: list[str], soffice: str, work: Path) -> dict[str, int]:
    """Convert the DOCX `data` to PDF with LibreOffice (its profile in `work`/profile) and read
    the page of each bookmark. Raises LayoutFailed."""
    source, pdf = work / "report.docx", work / "report.pdf"
    pdf.unlink(missing_ok=True)
    source.write_bytes(data)
    command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", EXPORT_FILTER, "--outdir", str(work), str(source)]
    # a session of its own: on a time limit or an interruption, the whole group (the soffice
    # script and soffice.bin) is ended, by its id
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          start_new_session=True) as process:
        try:
            output, _ = process.communicate(timeout=TIMEOUT)
        except BaseException as exc:
            _end_group(process)
            if isinstance(exc, subprocess.TimeoutExpired):
                raise LayoutFailed(f"LibreOffice took more than {TIMEOUT} s") from None
            raise
    if process.returncode != 0 or not pdf.is_file():
        said = " ".join(output.decode(errors="replace").split())[-300:]
        raise LayoutFailed(f"LibreOffice did not convert it (exit status {process.returncode}): {said}")
    return pages_of(pdf, bookmarks)


def _end_group(process: subprocess.Popen, wait: float = 2.0) -> None:
    """Kill the process group `process` leads (its id is the group's) and wait, a little, until
    none of it is left: soffice.bin is soffice's grandchild, not ours to wait for."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)


def paginate(data: bytes, bookmarks: dict[str, str], numbered: Callable[[dict], bytes],
             diags: Diagnostics, soffice: str | None = None) -> bytes:
    """The DOCX `data` with each contents entry's page, as LibreOffice lays it out.

    `bookmarks`: {bookmark: title} of the parts the contents lists; `numbered(pages)`: the DOCX
    with those numbers in the contents. The numbers are written only when
    a layout of the numbered DOCX puts every part on the page its number says; otherwise a
    warning and `data` as it was."""
    soffice = soffice or libreoffice()
    if soffice is None:  # the build checked first (writing.require_tools); a caller of the writer may not have
        diags.warning("docx-page-numbers", f"LibreOffice is not installed, so the DOCX contents has no page "
                      f"numbers: {INSTALL_HINT}")
        return data
    with tempfile.TemporaryDirectory(prefix="reportgen-pages-", ignore_cleanup_errors=True) as folder:
        work = Path(folder)
        try:
            pages = lay_out(data, list(bookmarks), soffice, work)
            history = [pages]
            for _ in range(MAX_PASSES - 1):
                candidate = numbered(pages)
                pages = lay_out(candidate, list(bookmarks), soffice, work)
                if pages == history[-1]:
                    return candidate
                history.append(pages)
        except LayoutFailed as exc:
            diags.warning("docx-page-numbers", f"the DOCX contents has no page numbers: {exc}")
            return data
    moved = ", ".join(f"'{title}' {' -> '.join(str(h[b]) for h in history)}"
                      for b, title in bookmarks.items() if len({h[b] for h in history}) > 1)
    diags.warning("docx-page-numbers", f"the DOCX contents has no page numbers: the pages did not settle in "
                  f"{MAX_PASSES} layouts by LibreOffice (pages by layout: {moved})")
    return data
