"""`reportgen serve`: the preview in a real browser (Debian's chromium, tests/browser/), and the
server as a user meets it (127.0.0.1 only, a taken port, Ctrl-C, the PDF, nothing in out/)."""

from __future__ import annotations

import os
import re
import socket
import sys
import time

from generator.diagnostics import Diagnostics
from generator.preview.server import describe, saves
from generator.text import file_text
from tests.conftest import run_reportgen
from tests.preview.conftest import start_serving

LOCATED_ERROR = r"chapters/background.md:1: error[jinja-undefined]: 'sample.nosuch' is not defined"
SECONDS = r"\d+\.\d\d s"


def editor_save(path, text: str) -> None:
    """Save `text` into `path` as an editor does: a temporary file beside it, chmod, renamed over it."""
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def shown(path) -> str:
    """`path` as serve's lines and the diagnostics show it (serve runs in the checkout, as the tests)."""
    return Diagnostics().show(path)


def until(condition, what: str, bound: float = 60.0):
    """Poll `condition()` until it is truthy, at most `bound` seconds (a bound, never a timing)."""
    end = time.monotonic() + bound
    while not (value := condition()):
        assert time.monotonic() < end, f"{what}: not within {bound} s"
        time.sleep(0.05)
    return value


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


BANNER = "document.getElementById('reportgen-errors')"


def test_a_broken_build_shows_its_errors_above_the_last_good_page_until_fixed(browser, served):
    chapter = served.report / "chapters" / "background.md"
    browser.open(served.url)
    assert browser.eval(f"{BANNER} === null")
    _edit(chapter, "{{ report.unit }}", "{{ sample.nosuch }}")
    browser.wait(f"{BANNER} !== null", timeout=20)
    banner = browser.eval(f"""(() => {{ const b = {BANNER}, main = document.querySelector('main');
        return {{ role: b.getAttribute('role'), text: b.innerText, items: b.querySelectorAll('li').length,
                 before: !!(b.compareDocumentPosition(main) & Node.DOCUMENT_POSITION_FOLLOWING),
                 top: b.getBoundingClientRect().top, mainTop: main.getBoundingClientRect().top,
                 page: main.innerText }}; }})()""")
    assert banner["role"] == "alert"
    assert LOCATED_ERROR in banner["text"] and banner["items"] == 1 and "1 error" in banner["text"]
    assert banner["before"] and banner["top"] < banner["mainTop"]  # above the page, first in the document
    assert "Surrey PDU is one of five PDUs" in banner["page"]  # the last good render, still there
    assert "Traceback" not in banner["text"]
    # the keyboard reaches it: the first Tab from the top of the page
    browser.open(served.url)
    assert browser.press("Tab")["id"] == "reportgen-errors"
    assert browser.axe()["violations"] == []
    _edit(chapter, "{{ sample.nosuch }}", "{{ report.unit }}")
    browser.wait(f"{BANNER} === null", timeout=20)
    assert "Surrey PDU is one of five PDUs" in browser.eval("document.body.innerText")
    assert browser.errors() == []
    code, err = served.stop()
    assert code in (0, 130) and "Traceback" not in err


def test_each_save_is_one_line_with_its_result(served, reportgen):
    """One line a save, naming the file: `rebuilt in 0.15 s: ok`, or the count of errors and the
    first, as `check` prints them; an editor's temporary file that comes and goes makes no line."""
    assert re.fullmatch(rf"serving \S+ at http://127\.0\.0\.1:\d+/ \(Ctrl-C stops\): built in {SECONDS}: ok",
                        served.first)
    chapter = served.report / "chapters" / "background.md"
    probe = chapter.with_name("4913")  # vim's probe: made and removed before it writes
    probe.write_text("", encoding="utf-8")
    probe.unlink()
    editor_save(chapter, chapter.read_text(encoding="utf-8").replace("one of five PDUs", "one of seven PDUs"))
    line = served.line()
    assert re.fullmatch(rf"saved {re.escape(shown(chapter))}: rebuilt in {SECONDS}: ok", line), line
    assert b"one of seven PDUs" in served.get("/")[1]

    yaml = served.report / "report.yaml"
    original = yaml.read_text(encoding="utf-8")
    assert "\n  region:" in original
    editor_save(yaml, original.replace("\n  region:", "\n  regoin:", 1))
    line = served.line()
    checked = reportgen("check", served.report)
    errors = [e for e in checked.stderr.splitlines() if ": error[" in e]
    assert checked.returncode == 1 and errors
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    assert re.fullmatch(rf"saved {re.escape(shown(yaml))}: failed in {SECONDS} \({count}\): {re.escape(errors[0])}",
                        line), (line, errors)
    assert errors[0].startswith(f"{shown(yaml)}:")  # located in report.yaml

    editor_save(yaml, original)
    assert re.fullmatch(rf"saved {re.escape(shown(yaml))}: rebuilt in {SECONDS}: ok", served.line())
    code, rest = served.stop()
    assert code in (0, 130) and rest == "stopped\n"  # nothing more: one line a save


def test_a_changes_batch_is_what_the_user_saved_and_removed(tmp_path):
    from watchfiles import Change

    kept, gone, temporary = tmp_path / "a.md", tmp_path / "b.md", tmp_path / ".a.md.tmp1"
    kept.write_text("x", encoding="utf-8")
    batch = {(Change.added, str(temporary)), (Change.modified, str(temporary)), (Change.deleted, str(temporary)),
             (Change.added, str(kept)), (Change.deleted, str(gone))}
    done = saves(batch)
    assert done == [("saved", str(kept)), ("removed", str(gone))]
    assert describe(done) == f"saved {shown(kept)}; removed {shown(gone)}"
    assert saves({(Change.added, str(temporary)), (Change.deleted, str(temporary))}) == []
    many = [("saved", str(tmp_path / f"{n}.md")) for n in range(5)]
    assert describe(many).endswith(f"{shown(tmp_path / '2.md')} and 2 more")
    assert "\n" not in describe([("saved", str(tmp_path / "a\nb.md"))])  # a file's name cannot split the line


def test_open_starts_the_browser_once_the_server_listens(surrey_copy, tmp_path):
    """--open: Python's webbrowser runs $BROWSER with the URL; the fake browser fetches it at once."""
    record = tmp_path / "opened.txt"
    fake = tmp_path / "fake-browser"
    fake.write_text(f"#!{sys.executable}\n"
                    "import os, sys, urllib.request\n"
                    "with urllib.request.urlopen(sys.argv[1], timeout=30) as response:\n"
                    "    status = response.status\n"
                    f"open({str(record)!r} + '.part', 'w').write(sys.argv[1] + ' ' + str(status))\n"
                    f"os.replace({str(record)!r} + '.part', {str(record)!r})\n", encoding="utf-8")
    fake.chmod(0o755)
    served = start_serving(surrey_copy, "--open", env={"BROWSER": str(fake)})
    try:
        until(record.exists, "the browser was started")
        assert record.read_text(encoding="utf-8") == f"{served.url} 200"  # its URL, and the server answered
    finally:
        code, rest = served.stop()
    assert code in (0, 130) and rest == "stopped\n"


def test_serve_takes_theme_and_draft_as_build_does_and_watches_the_theme(surrey_copy, tmp_path):
    theme = tmp_path / "house"
    theme.mkdir()
    (theme / "theme.yaml").write_text('colours:\n  brand: "#7a0019"\n', encoding="utf-8")
    served = start_serving(surrey_copy, "--theme", theme, "--draft")
    try:
        page = served.get("/")[1].decode("utf-8")
        assert "#7a0019" in page and 'class="draft-banner"' in page
        # a draft outside git has no version to show: a warning, said with the count
        warned = r"ok \(1 warning\): \S+: warning\[version-missing\]: .*"
        assert re.fullmatch(rf"serving .*: built in {SECONDS}: {warned}", served.first), served.first
        editor_save(theme / "theme.yaml", 'colours:\n  brand: "#00703c"\n')
        line = served.line()
        assert re.fullmatch(rf"saved {re.escape(shown(theme / 'theme.yaml'))}: rebuilt in {SECONDS}: {warned}", line)
        page = served.get("/")[1].decode("utf-8")
        assert "#00703c" in page and "#7a0019" not in page
    finally:
        served.stop()
    final = start_serving(surrey_copy, "--final")
    try:
        assert 'class="draft-banner"' not in final.get("/")[1].decode("utf-8")
    finally:
        final.stop()


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


def test_open_says_so_when_no_browser_starts(monkeypatch, capsys):
    import webbrowser

    from generator.cli import _open_browser

    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    _open_browser("http://127.0.0.1:8000/")
    assert capsys.readouterr().err == "no web browser could be started: open http://127.0.0.1:8000/ in yours\n"
