"""Safe by default: no fetching, reading or attaching what the content should not reach."""

from __future__ import annotations

import http.server
import io
import threading
from pathlib import Path

import pytest
from PIL import Image as PILImage
from pypdf import PdfReader

from generator.build import build, check
from generator.diagnostics import ContentError, Diagnostics
from generator.writers.pdf.render import _fetcher_class, render_pdf
from tests.conftest import copy_report


class _Server:
    """An HTTP server on 127.0.0.1 that counts the requests it gets and serves one PNG."""

    def __init__(self):
        buffer = io.BytesIO()
        PILImage.new("RGB", (8, 8), (29, 112, 184)).save(buffer, "PNG")
        png = buffer.getvalue()
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the stdlib's name
                outer.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    with _Server() as srv:
        yield srv


def append(report: Path, chapter: str, text: str) -> None:
    path = report / "chapters" / chapter
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + text + "\n", encoding="utf-8")


def codes(exc_info) -> set[str]:
    return {d.code for d in exc_info.value.diagnostics.items}


def test_remote_image_is_refused_and_never_fetched(tmp_path, server):
    report = copy_report(tmp_path)
    append(report, "foreword.md", f"![A chart]({server.url}/chart.png)")
    with pytest.raises(ContentError) as err:
        build(report, tmp_path / "out", formats=("pdf", "html"))
    assert "url-remote" in codes(err)
    assert server.requests == []
    assert not (tmp_path / "out").exists()  # check failed before anything was written


def test_links_to_a_server_are_links_not_fetches(tmp_path, server):
    report = copy_report(tmp_path)
    append(report, "foreword.md", f"See [the data]({server.url}/data.xlsx).")
    built = build(report, tmp_path / "out", formats=("pdf", "html"))
    assert server.requests == []
    uris = [a.get_object()["/A"]["/URI"] for page in PdfReader(str(built.outputs["pdf"])).pages
            for a in page.get("/Annots", []) if "/URI" in a.get_object().get("/A", {})]
    assert f"{server.url}/data.xlsx" in uris


def test_allow_remote_fetches_the_image(tmp_path, server):
    report = copy_report(tmp_path)
    append(report, "foreword.md", f"![A chart]({server.url}/chart.png)")
    build(report, tmp_path / "out", formats=("pdf",), allow_remote=True)
    assert server.requests == ["/chart.png"]


def test_fetcher_serves_only_allowed_folders(tmp_path):
    inside = tmp_path / "report"
    inside.mkdir()
    (inside / "a.txt").write_text("ok")
    fetcher = _fetcher_class()([inside])
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch((inside / ".." / "x").resolve().as_uri())
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:9/x.png")
    assert len(fetcher.refused) == 3
    assert fetcher.fetch((inside / "a.txt").as_uri()).read() == b"ok"
    assert len(fetcher.refused) == 3


def test_html_that_names_a_local_file_is_refused_with_a_diagnostic(tmp_path):
    diags = Diagnostics()
    html = '<html lang="en"><head><title>t</title></head><body><img src="file:///etc/passwd" alt="x"></body></html>'
    render_pdf(html, tmp_path, io.BytesIO(), diags)
    assert [d.code for d in diags.items] == ["url-refused"]
    assert "file:///etc/passwd" in diags.items[0].message


def test_sandbox_blocks_python_internals(tmp_path):
    report = copy_report(tmp_path)
    append(report, "foreword.md", "{{ report.__class__.__init__.__globals__ }}")
    with pytest.raises(ContentError) as err:
        check(report)
    assert codes(err) == {"jinja-unsafe"}


def test_script_and_handlers_never_reach_an_output(tmp_path):
    report = copy_report(tmp_path)
    append(report, "foreword.md", '<script>alert("x")</script>\n\n<iframe src="https://example.org"></iframe>\n\n'
                                  'Some <b onclick="alert(2)">bold</b> text.')
    built = build(report, tmp_path / "out", formats=("pdf", "html"))
    html = built.outputs["html"].read_text(encoding="utf-8")
    assert "alert" not in html and "<iframe" not in html and "onclick" not in html
    assert "Some bold text." in html
    assert {"html-removed", "html-event-handler"} <= {d.code for d in built.diagnostics.items}
    assert not built.diagnostics.errors


def test_nothing_is_attached_to_the_pdf(surrey_build):
    root = PdfReader(str(surrey_build.outputs["pdf"])).trailer["/Root"]
    assert "/EmbeddedFiles" not in root.get("/Names", {})
    assert "/AF" not in root


def test_build_never_writes_inside_the_content_folder(tmp_path):
    report = copy_report(tmp_path)
    before = sorted(p.relative_to(report) for p in report.rglob("*"))
    build(report, tmp_path / "out", formats=("html",))
    assert sorted(p.relative_to(report) for p in report.rglob("*")) == before
