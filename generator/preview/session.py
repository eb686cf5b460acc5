"""The state of one previewed report: the page to show, its generation, and its PDF.

`Preview.rebuild()` runs the pipeline as `build` does (`build.check`, then the HTML writer) in
memory, and keeps its `Outcome` (how long it took, its errors and warnings) for the terminal. A
report with errors keeps the last good render on the page, with a banner above it listing the
located diagnostics (`path:line: error[code]: message`): never a blank page or a traceback; the
next good rebuild takes the banner away. Before any good render there is nothing to keep: the
page is the list of diagnostics alone. Every rebuild bumps `generation` and wakes whoever waits
for a change (the server's event streams).

The PDF is made on request for the current generation, by the PDF writer into memory, and kept
until the next change: it is never written into the user's out/ folder.
"""

from __future__ import annotations

import html
import io
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import WRITERS, Options, check
from generator.diagnostics import ContentError, Diagnostics, printable

# What the served page gets before </body>: a bar with the PDF link and the warnings, and the
# script that reloads the page when the server says the report changed (server-sent events).
_BAR = """
<div id="reportgen-preview" role="region" aria-label="Preview" style="position:fixed;bottom:0;right:0;z-index:9;\
background:#fff;color:#0b0c0c;border:2px solid #0b0c0c;padding:0.4em 0.8em;font:14px/1.4 sans-serif;\
max-width:60em;max-height:40vh;overflow:auto">
<a href="/report.pdf" target="_blank">Open a fresh PDF</a> · preview {generation}{warnings}
</div>
<script>
(function () {{
  var shown = "{generation}";
  var events = new EventSource("/events");
  events.onmessage = function (e) {{ if (e.data !== shown) {{ events.close(); location.reload(); }} }};
  // the errors' banner stays at the top while the page scrolls: keep what gets focus clear of it
  var banner = document.getElementById("reportgen-errors");
  if (banner) {{ document.documentElement.style.scrollPaddingTop = (banner.offsetHeight + 8) + "px"; }}
}})();
</script>
"""

_PROBLEMS = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font: 16px/1.5 sans-serif; margin: 2em; color: #0b0c0c; }}
li {{ margin: 0.4em 0; }} code {{ white-space: pre-wrap; }}</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{lead}</p>
<ul class="diagnostics">
{items}
</ul>
</main>
</body>
</html>
"""


# What a failed rebuild puts first in the last good page's <body>: its errors, in a region that
# is announced (role="alert"), first in the keyboard's order (tabindex="0": it scrolls when
# long), and stays at the top of the window while the page below scrolls.
_BANNER = """
<div id="reportgen-errors" role="alert" tabindex="0" lang="en" aria-labelledby="reportgen-errors-title" \
style="position:sticky;top:0;z-index:10;background:#fff;color:#0b0c0c;border:4px solid #d4351c;\
padding:0.6em 1em;font:16px/1.5 sans-serif;max-height:40vh;overflow:auto">
<h2 id="reportgen-errors-title" style="font-size:1.2em;margin:0 0 0.3em">{title}</h2>
<p style="margin:0 0 0.3em">{lead}</p>
<ul class="diagnostics" style="margin:0;padding-left:1.2em">
{items}
</ul>
</div>
"""

_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _items(lines) -> str:
    return "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)


def problems_page(report: str, lines: list[str], lead: str) -> str:
    """A page listing `lines` (diagnostics as `path:line: error[code]: message`)."""
    title = f"{report}: {len(lines)} problem{'s' if len(lines) != 1 else ''}"
    return _PROBLEMS.format(title=html.escape(title), lead=html.escape(lead), items=_items(lines))


def with_errors_banner(page: str, lines: list[str], lead: str) -> str:
    """The last good `page` with a banner listing `lines` (the errors) first in its body."""
    title = f"{_plural(len(lines), 'error')}: this is the last preview that built"
    banner = _BANNER.format(title=html.escape(title), lead=html.escape(lead), items=_items(lines))
    match = _BODY.search(page)
    at = match.end() if match else 0
    return page[:at] + banner + page[at:]


@dataclass(frozen=True)
class Outcome:
    """One rebuild's result, for the terminal: how long it took, its errors and warnings (as printed)."""

    ok: bool = False
    seconds: float = 0.0
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def summary(self, verb: str = "rebuilt") -> str:
        """`rebuilt in 0.15 s: ok`, or `failed in 0.09 s (2 errors, 1 warning): <the first error>`."""
        if not self.ok:
            counts = _plural(len(self.errors), "error")
            if self.warnings:
                counts += f", {_plural(len(self.warnings), 'warning')}"
            return f"failed in {self.seconds:.2f} s ({counts}): {self.errors[0] if self.errors else 'see the page'}"
        done = f"{verb} in {self.seconds:.2f} s: ok"
        if self.warnings:
            done += f" ({_plural(len(self.warnings), 'warning')}): {self.warnings[0]}"
        return done


def with_preview_bar(page: str, generation: int, warnings: list[str]) -> str:
    """`page` with the preview's bar and reload script before its </body>: served pages only."""
    listed = ""
    if warnings:
        listed = (f" · {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
                  f"<ul class=\"diagnostics\">{_items(warnings)}</ul>")
    bar = _BAR.format(generation=generation, warnings=listed)
    head, marker, tail = page.rpartition("</body>")
    return head + bar + marker + tail if marker else page + bar


@dataclass
class Preview:
    report_dir: Path
    options: Options = field(default_factory=Options)  # as `build`'s (its formats aside: the page is HTML)
    generation: int = 0
    page: bytes = b""
    ok: bool = False  # the current generation built without errors
    outcome: Outcome = Outcome()  # the last rebuild's, for the terminal
    closed: bool = False
    _document: object = None
    _good: str | None = None  # the last good render's page (without the bar)
    _pdf: tuple[int, bytes | None, list[str]] | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _building: threading.Lock = field(default_factory=threading.Lock)
    _pdf_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def name(self) -> str:
        return self.report_dir.resolve().name

    def rebuild(self) -> int:
        """Check the report and write its HTML again; returns the new generation."""
        with self._building:
            start = time.perf_counter()
            diags = Diagnostics()
            document = page = None
            internal: list[str] = []
            lead = "Your latest save cannot be built until these are fixed. Save a fix and this page reloads."
            try:
                document = check(self.report_dir, diags, self.options)
                out = io.BytesIO()
                WRITERS["html"](document, self.report_dir, out, diags, self.options)
                if not diags.errors:  # a writer's error (as `build` refuses to publish on one)
                    page = out.getvalue().decode("utf-8")
            except ContentError as exc:  # the stages' errors are in `diags`; a writer's may be its own
                if exc.diagnostics is not diags:
                    diags.items.extend(exc.diagnostics.items)
            except OSError as exc:  # the folder was removed or renamed while watched
                diags.error("file-unreadable", f"cannot read the report folder: {exc.strerror or exc}",
                            self.report_dir)
                lead = "The report folder cannot be read."
            except Exception as exc:  # noqa: BLE001 - a bug in reportgen: said in the page, the watch goes on
                internal = [printable(f"reportgen: internal-error: {type(exc).__name__}: {str(exc)[:300]}")]
                lead = ("This is a bug in reportgen, not in your report. Please report it "
                        "(`reportgen --debug build` shows the details).")
            ok = page is not None
            errors = internal + [str(d) for d in diags.sorted() if d.severity == "error"]
            warnings = [str(d) for d in diags.sorted() if d.severity != "error"]
            with self._changed:
                self.generation += 1
                if ok:
                    self._good = page
                    shown = with_preview_bar(page, self.generation, warnings)
                elif self._good is not None:  # errors above the last good render
                    shown = with_preview_bar(with_errors_banner(self._good, errors, lead),
                                             self.generation, [])
                else:  # nothing good yet: the errors alone
                    shown = with_preview_bar(problems_page(self.name, errors, lead), self.generation, [])
                self.page = shown.encode("utf-8")
                self.ok, self._document = ok, (document if ok else None)
                self.outcome = Outcome(ok, time.perf_counter() - start, tuple(errors), tuple(warnings))
                self._changed.notify_all()
            return self.generation

    def wait_for_change(self, seen: int | None, timeout: float) -> int:
        """The generation once it differs from `seen` (or after `timeout` seconds, or on close)."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != seen or self.closed, timeout)
            return self.generation

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def pdf(self) -> tuple[bytes | None, list[str]]:
        """The current generation's PDF (made now if not yet), or None and the diagnostics why not."""
        with self._pdf_lock:
            with self._changed:
                generation, document = self.generation, self._document
            if self._pdf is not None and self._pdf[0] == generation:
                return self._pdf[1], self._pdf[2]
            if document is None:
                result = (None, ["the report has errors: the page lists them"])
            else:
                diags, out = Diagnostics(), io.BytesIO()
                WRITERS["pdf"](document, self.report_dir, out, diags, self.options)
                problems = [str(d) for d in diags.sorted() if d.severity == "error"]
                result = (None if problems else out.getvalue(), problems)
            self._pdf = (generation, *result)
            return result
