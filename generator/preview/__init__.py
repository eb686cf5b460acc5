"""`reportgen serve DIR`: a live preview of a report in the browser.

One warm process: the report is checked and its HTML written in memory (`build.check` and the
HTML writer, as `build` does), and again each time a file of the report folder (or of a framework
or theme folder the user named) changes. Stages keep each chapter's compiled template and Markdown tree,
keyed by its text, so a changed chapter is the only one compiled and converted again; nothing is
imported again.

- `session`: the report's current state (`Preview`): its page, generation number, and a PDF
  built on request for the current generation, held in memory (never written to out/).
- `server`: the HTTP server on 127.0.0.1 (stdlib `ThreadingHTTPServer`: a handful of local
  requests, one reader), the server-sent events that tell the page to reload, and the watcher
  (watchfiles) that rebuilds on a change and says what was saved.

A failed rebuild keeps the last good page, with its errors in a banner above it; the terminal
gets one line a save (`saved chapters/a.md: rebuilt in 0.15 s: ok`, or the first error and the
count).

The reload script, the errors' banner and the PDF link are added to the page as it is served,
never to the HTML writer's output: a built HTML file has none of it.
"""

from generator.preview.server import PortInUse, WatchFailed, serve

__all__ = ["PortInUse", "WatchFailed", "serve"]
