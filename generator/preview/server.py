"""The preview's HTTP server and file watcher.

The server is the standard library's `ThreadingHTTPServer`: it serves one person's browser on
127.0.0.1 (a page, an event stream, a PDF), which needs no framework; one thread per request lets
the event streams stay open while pages are served. It answers only requests addressed to
127.0.0.1 or localhost (a page elsewhere cannot reach it by a DNS name that points here).

    GET /            the report's page (or its diagnostics), with the reload script
    GET /events      server-sent events: the generation, each time the report changes
    GET /report.pdf  the current generation's PDF, made on request, from memory

The watcher is watchfiles (Rust `notify` underneath: inotify here, no polling), over the report
folder, the framework folders named with --frameworks and a --theme folder. Every batch of
changes is one rebuild, and one line on the terminal naming what was saved: an editor's save is
several events (write a temporary file, rename it over the file, chmod), which `saves` folds
into one per path, dropping the temporary files that came and went within the batch.
"""

from __future__ import annotations

import errno
import os
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.diagnostics import Diagnostics, printable
from generator.preview.session import Preview, problems_page
from generator.writing import Options

HOST = "127.0.0.1"
KEEPALIVE_SECONDS = 15.0
WAKE_MS = 200  # the watcher's wake-up with nothing changed (its first says it is watching)
WATCH_READY_SECONDS = 30.0  # the longest `serve` waits for the watcher before it says it is serving


class PortInUse(Exception):
    """The port is taken by another program."""


class WatchFailed(Exception):
    """The folders cannot be watched (the system's limit on watches, a folder unreadable)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # open event streams never hold the process at exit
    preview: Preview


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "reportgen-preview"

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass  # one person's browser: nothing worth a line on the terminal

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        return host in (HOST, "localhost")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's names
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        preview = self.server.preview
        path = self.path.split("?", 1)[0]
        if not self._host_ok():
            self._send(HTTPStatus.FORBIDDEN, b"reportgen preview: only for 127.0.0.1\n", "text/plain")
        elif path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, preview.page, "text/html; charset=utf-8")
        elif path == "/events":
            self._events(preview)
        elif path == "/report.pdf":
            data, problems = preview.pdf()
            if data is None:
                page = problems_page(preview.name, problems, "The PDF could not be made.")
                self._send(HTTPStatus.CONFLICT, page.encode("utf-8"), "text/html; charset=utf-8")
            else:
                self._send(HTTPStatus.OK, data, "application/pdf")
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")  # the browser asks; there is none
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def _events(self, preview: Preview) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = None
        try:
            while not preview.closed:
                generation = preview.wait_for_change(seen, KEEPALIVE_SECONDS)
                self.wfile.write(f"data: {generation}\n\n".encode() if generation != seen else b": alive\n\n")
                self.wfile.flush()
                seen = generation
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed or reloaded


def saves(batch) -> list[tuple[str, str]]:
    """A watchfiles batch as what the user did: ("saved", path) for each file there now,
    ("removed", path) for each file gone that was there before, by path, sorted; a file that
    came and went within the batch (an editor's temporary file) is left out."""
    from watchfiles import Change  # noqa: PLC0415 - only `serve` needs it

    changes: dict[str, set] = {}
    for change, path in batch:
        changes.setdefault(path, set()).add(change)
    done = []
    for path, kinds in sorted(changes.items()):
        if os.path.lexists(path):
            done.append(("saved", path))
        elif Change.added not in kinds:
            done.append(("removed", path))
    return done


def describe(done: list[tuple[str, str]], most: int = 3) -> str:
    """`saved chapters/a.md`, `saved a.md, b.md; removed c.md`: paths as diagnostics show them."""
    show = Diagnostics().show
    parts = []
    for verb in ("saved", "removed"):
        paths = [printable(show(path)) for kind, path in done if kind == verb]
        if paths:
            more = f" and {len(paths) - most} more" if len(paths) > most else ""
            parts.append(f"{verb} {', '.join(paths[:most])}{more}")
    return "; ".join(parts)


def watch(preview: Preview, folders: list[Path], stop: threading.Event, on_change=None,
          watching: threading.Event | None = None) -> None:
    """Rebuild `preview` after each batch of changes in `folders`, until `stop` is set;
    `on_change(preview, done)` after each, `done` as `saves` gives it. A batch of temporary
    files only changes nothing: no rebuild. `watching` is set once the watches are in place."""
    from watchfiles import watch as changes  # noqa: PLC0415 - only `serve` needs it

    # step: how long a batch waits for more changes (an editor's save is several writes);
    # debounce: the longest it waits in all. The first timeout (an empty batch) says the
    # watches are in place: watchfiles has no other sign of it.
    for batch in changes(*folders, stop_event=stop, step=30, debounce=300, raise_interrupt=False,
                         yield_on_timeout=True, rust_timeout=WAKE_MS):
        if watching is not None:
            watching.set()
        done = saves(batch)
        if not done:
            continue
        preview.rebuild()
        if on_change is not None:
            on_change(preview, done)


def serve(report_dir: Path, port: int = 8000, options: Options | None = None, on_ready=None,
          on_change=None) -> None:
    """Serve the preview of `report_dir` on 127.0.0.1:`port` until interrupted (Ctrl-C).

    `on_ready(url, preview)` is called once the server listens (port 0: any free port);
    `on_change(preview, done)` after each rebuild (`done`: what was saved, see `saves`);
    `options` as `build`'s (generator/writing.py `Options`: --frameworks, --allow-remote,
    --draft/--final, --theme). Raises PortInUse, or WatchFailed if the folders cannot be watched."""
    options = options or Options()
    preview = Preview(report_dir, options)
    try:
        server = _Server((HOST, port), _Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} on {HOST} is in use: choose another with --port") from None
        raise
    server.preview = preview
    stop, watching = threading.Event(), threading.Event()
    folders = [report_dir, *options.framework_dirs]
    theme = options.theme
    if isinstance(theme, Path) and not theme.resolve().is_relative_to(report_dir.resolve()):
        folders.append(theme)  # a theme folder outside the report: its edits show too
    failed: list[str] = []

    def watching_until_stopped():
        try:
            watch(preview, folders, stop, on_change, watching)
        except Exception as exc:  # noqa: BLE001 - said by `serve`, never a thread's traceback
            failed.append(str(exc) or type(exc).__name__)
            watching.set()

    watcher = threading.Thread(target=watching_until_stopped, daemon=True, name="reportgen-watch")
    try:
        watcher.start()  # the watches are set up while the first build runs
        preview.rebuild()
        watching.wait(timeout=WATCH_READY_SECONDS)  # a save from now on is seen
        if failed:
            raise WatchFailed(f"cannot watch {', '.join(map(str, folders))} for changes: {failed[0]}")
        if on_ready is not None:
            on_ready(f"http://{HOST}:{server.server_address[1]}/", preview)
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        preview.close()
        server.server_close()
        watcher.join(timeout=2)
