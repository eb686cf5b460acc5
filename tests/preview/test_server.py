"""`reportgen serve`: the preview in a real browser (Debian's chromium, tests/browser/), and the
server as a user meets it (127.0.0.1 only, a taken port, Ctrl-C, the PDF, nothing in out/)."""

from __future__ import annotations

import socket

from generator.text import file_text
from tests.conftest import run_reportgen

LOCATED_ERROR = r"chapters/background.md:1: error[jinja-undefined]: 'sample.nosuch' is not defined"


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edited_chapter_shows_in_the_open_page(browser, served):
    browser.open(served.url)
    assert "Surrey PDU is one of five PDUs" in browser.eval("document.body.innerText")
    _edit(served.report / "chapters" / "background.md", "Surrey PDU is one of five PDUs",
          "Surrey PDU is one of seven PDUs")
    browser.wait("document.body.innerText.includes('Surrey PDU is one of seven PDUs')", timeout=20)
    assert "one of five PDUs" not in browser.eval("document.body.innerText")
    assert browser.errors() == []
    code, err = served.stop()
    assert code in (0, 130) and "Traceback" not in err


def test_a_broken_chapter_shows_its_located_error_and_the_fix_recovers(browser, served):
    chapter = served.report / "chapters" / "background.md"
    browser.open(served.url)
    _edit(chapter, "{{ report.unit }}", "{{ sample.nosuch }}")
    browser.wait("document.querySelector('ul.diagnostics') !== null", timeout=20)
    text = browser.eval("document.body.innerText")
    assert LOCATED_ERROR in text
    assert "Traceback" not in text and "Surrey PDU is one of five" not in text
    _edit(chapter, "{{ sample.nosuch }}", "{{ report.unit }}")
    browser.wait("document.body.innerText.includes('Surrey PDU is one of five PDUs')", timeout=20)
    assert browser.eval("document.querySelector('main ul.diagnostics')") is None
    code, err = served.stop()
    assert code in (0, 130) and "Traceback" not in err


def test_the_pdf_link_gives_the_current_report_and_writes_nothing_to_out(served, tmp_path):
    _, page, _ = served.get("/")
    assert b'href="/report.pdf"' in page
    status, data, kind = served.get("/report.pdf")
    assert status == 200 and kind == "application/pdf"
    pdf = tmp_path / "preview.pdf"
    pdf.write_bytes(data)
    assert "Surrey PDU is one of five PDUs" in file_text(pdf)
    assert not (served.report.parent / "out").exists()
    served.stop()


def test_only_local_host_names_are_answered(served):
    assert served.get("/")[0] == 200
    assert served.get("/", host="attacker.example")[0] == 403
    served.stop()


def test_a_taken_port_is_a_usage_error_not_a_traceback(surrey_copy):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_reportgen("serve", surrey_copy, "--port", port)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr


def test_ctrl_c_stops_cleanly(served):
    code, err = served.stop()
    assert code in (0, 130)
    assert "Traceback" not in err and "stopped" in err


def test_the_built_html_has_no_preview_script(surrey_build, served):
    built = surrey_build.outputs["html"].read_text(encoding="utf-8")
    _, page, _ = served.get("/")
    assert "EventSource" in page.decode("utf-8")  # the served page reloads itself
    assert "EventSource" not in built and "reportgen-preview" not in built and "<script" not in built
    served.stop()
