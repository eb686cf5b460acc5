"""The preview's state without a server: rebuilds, the diagnostics page, the PDF from memory."""

from __future__ import annotations

import re

from generator.preview.session import Outcome, Preview, problems_page, with_errors_banner, with_preview_bar
from generator.writing import Options
from tests.conftest import copy_report

BANNER = 'id="reportgen-errors" role="alert"'


def test_a_failed_rebuild_shows_its_errors_above_the_last_good_page_and_recovers(tmp_path):
    report = copy_report(tmp_path)
    chapter = report / "chapters" / "foreword.md"
    preview = Preview(report)
    assert preview.rebuild() == 1 and preview.ok and preview.outcome.ok
    good = preview.page.decode("utf-8")
    assert BANNER not in good
    original = chapter.read_text(encoding="utf-8")
    chapter.write_text(original + "\n{{ sample.nosuch }}\n", encoding="utf-8")
    assert preview.rebuild() == 2 and not preview.ok
    page = preview.page.decode("utf-8")
    line = original.count("\n") + 2
    error = re.search(rf"[^>]*chapters/foreword\.md:{line}: error\[jinja-undefined\]: [^<]*", page)[0]
    # the banner first in the body, then the last good page as it was: the old text still there
    body = page.index("<body>") + len("<body>")
    assert page.index(BANNER) < page.index('class="skip-link"') and page[body:].lstrip().startswith("<div " + BANNER)
    assert "1 error: this is the last preview that built" in page
    assert page.count("Surrey PDU") == good.count("Surrey PDU") and "Traceback" not in page
    # the terminal's side: the same error, the count, and no warnings
    assert preview.outcome.errors == (error.replace("&#x27;", "'"),) and preview.outcome.warnings == ()
    data, problems = preview.pdf()
    assert data is None and problems
    chapter.write_text(original, encoding="utf-8")
    assert preview.rebuild() == 3 and preview.ok
    assert BANNER not in preview.page.decode("utf-8") and "jinja-undefined" not in preview.page.decode("utf-8")


def test_before_any_good_build_the_page_lists_the_errors_alone(tmp_path):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text("title: [\n" + yaml.read_text(encoding="utf-8"), encoding="utf-8")
    preview = Preview(report)
    preview.rebuild()
    page = preview.page.decode("utf-8")
    assert not preview.ok and BANNER not in page and "Surrey PDU is one of five" not in page
    assert re.search(r"report\.yaml:\d+(:\d+)?: error\[yaml-syntax\]", page)
    assert preview.outcome.summary().startswith("failed in ")


def test_the_terminal_summary_gives_the_result_the_count_and_the_first_problem():
    assert Outcome(True, 0.151).summary() == "rebuilt in 0.15 s: ok"
    assert Outcome(True, 0.4).summary("built") == "built in 0.40 s: ok"
    warned = Outcome(True, 0.2, (), ("a.md:3: warning[w]: one", "b.md:1: warning[w]: two"))
    assert warned.summary() == "rebuilt in 0.20 s: ok (2 warnings): a.md:3: warning[w]: one"
    failed = Outcome(False, 0.09, ("r.yaml:3: error[x]: first", "r.yaml:9: error[y]: second"),
                     ("a.md:3: warning[w]: w",))
    assert failed.summary() == "failed in 0.09 s (2 errors, 1 warning): r.yaml:3: error[x]: first"
    only = Outcome(False, 0.01, ("r.yaml:1: error[x]: only",))
    assert only.summary() == "failed in 0.01 s (1 error): r.yaml:1: error[x]: only"


def test_the_errors_banner_escapes_what_it_lists():
    page = with_errors_banner("<html><body><p>old</p></body></html>", ["a.md:1: error[x]: <script>alert(1)</script>"],
                              "lead")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.index(BANNER) < page.index("<p>old</p>")


def test_a_theme_given_to_the_preview_wins_over_report_yaml(tmp_path):
    theme = tmp_path / "house"
    theme.mkdir()
    (theme / "theme.yaml").write_text('colours:\n  brand: "#7a0019"\n', encoding="utf-8")
    report = copy_report(tmp_path)
    themed, plain = Preview(report, Options(theme=theme)), Preview(report)
    themed.rebuild(), plain.rebuild()
    assert themed.ok and "#7a0019" in themed.page.decode("utf-8") and "#7a0019" not in plain.page.decode("utf-8")


def test_waiting_for_a_change_returns_the_new_generation(tmp_path):
    preview = Preview(copy_report(tmp_path))
    preview.rebuild()
    assert preview.wait_for_change(None, 0.01) == 1
    assert preview.wait_for_change(1, 0.01) == 1  # no change: back after the timeout
    preview.close()
    assert preview.wait_for_change(1, 30) == 1  # closed: back at once


def test_the_problems_page_escapes_what_it_lists():
    page = problems_page("r", ["a.md:1: error[x]: <script>alert(1)</script>"], "lead")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "r: 1 problem" in page


def test_the_bar_goes_before_the_end_of_the_body():
    page = with_preview_bar("<html><body><p>x</p></body></html>", 7, ["w.md:2: warning[y]: z"])
    assert page.index('var shown = "7"') < page.index("</body>")
    assert "1 warning" in page and "w.md:2: warning[y]: z" in page


def test_a_draft_preview_has_the_banner_and_a_final_one_not(tmp_path):
    preview = Preview(copy_report(tmp_path), Options(draft=True))
    preview.rebuild()
    assert 'class="draft-banner"' in preview.page.decode("utf-8")
    final = Preview(preview.report_dir)
    final.rebuild()
    assert 'class="draft-banner"' not in final.page.decode("utf-8")


def test_an_error_the_html_writer_raises_is_shown_and_counted(tmp_path, monkeypatch):
    """A figure changed between check and write: the writer raises its own located error."""
    from generator.diagnostics import ContentError, Diagnostics
    from generator.preview import session

    preview = Preview(copy_report(tmp_path))
    preview.rebuild()

    def failing_writer(document, report_dir, out, diags, options):
        own = Diagnostics()
        own.error("writer-test", "image 'images/x.png' changed", report_dir / "chapters" / "domain-1.md", 7)
        raise ContentError(own)

    monkeypatch.setitem(session.WRITERS, "html", failing_writer)
    preview.rebuild()
    assert not preview.ok and len(preview.outcome.errors) == 1
    assert "chapters/domain-1.md:7: error[writer-test]: image 'images/x.png' changed" in preview.outcome.summary()
    assert "domain-1.md:7: error[writer-test]" in preview.page.decode("utf-8")
