"""The state of one previewed report: the page to show, its generation, and its PDF.

`Preview.rebuild()` runs the pipeline as `build` does (`build.check`, then the HTML writer) in
memory. A report with errors gives a page of its located diagnostics (`path:line: error[code]:
message`), never a blank page or a traceback; the next good rebuild replaces it. Every rebuild
bumps `generation` and wakes whoever waits for a change (the server's event streams).

The PDF is made on request for the current generation, by the PDF writer into memory, and kept
until the next change: it is never written into the user's out/ folder.
"""

from __future__ import annotations

import html
import io
import threading
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import WRITERS, Options, check
from generator.diagnostics import ContentError, Diagnostics

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


def _items(lines) -> str:
    return "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)


def problems_page(report: str, lines: list[str], lead: str) -> str:
    """A page listing `lines` (diagnostics as `path:line: error[code]: message`)."""
    title = f"{report}: {len(lines)} problem{'s' if len(lines) != 1 else ''}"
    return _PROBLEMS.format(title=html.escape(title), lead=html.escape(lead), items=_items(lines))


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
    closed: bool = False
    _document: object = None
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
            diags = Diagnostics()
            document = None
            try:
                document = check(self.report_dir, diags, self.options)
                out = io.BytesIO()
                WRITERS["html"](document, self.report_dir, out, diags, self.options)
                page, ok = out.getvalue().decode("utf-8"), True
            except ContentError:
                document = None
                page, ok = problems_page(self.name, [str(d) for d in diags.sorted() if d.severity == "error"],
                                         "The report cannot be built until these are fixed. Save a fix and "
                                         "this page reloads."), False
            except OSError as exc:  # the folder was removed or renamed while watched
                document = None
                page, ok = problems_page(self.name, [f"{self.report_dir}: error[report-unreadable]: {exc}"],
                                         "The report folder cannot be read."), False
            except Exception as exc:  # noqa: BLE001 - a bug in reportgen: said in the page, the watch goes on
                document = None
                page, ok = problems_page(self.name, [f"reportgen: internal-error: {type(exc).__name__}: "
                                                     f"{str(exc)[:300]}"],
                                         "This is a bug in reportgen, not in your report. Please report it "
                                         "(`reportgen --debug build` shows the details)."), False
            warnings = [str(d) for d in diags.sorted() if d.severity != "error"] if ok else []
            with self._changed:
                self.generation += 1
                self.page = with_preview_bar(page, self.generation, warnings).encode("utf-8")
                self.ok, self._document = ok, document
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
