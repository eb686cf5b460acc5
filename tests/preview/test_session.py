"""The preview's state without a server: rebuilds, the diagnostics page, the PDF from memory."""

from __future__ import annotations

from generator.preview.session import Preview, problems_page, with_preview_bar
from generator.writing import Options
from tests.conftest import copy_report


def test_a_rebuild_shows_the_change_or_the_located_errors_and_recovers(tmp_path):
    report = copy_report(tmp_path)
    chapter = report / "chapters" / "foreword.md"
    preview = Preview(report)
    assert preview.rebuild() == 1 and preview.ok
    original = chapter.read_text(encoding="utf-8")
    chapter.write_text(original + "\n{{ sample.nosuch }}\n", encoding="utf-8")
    assert preview.rebuild() == 2 and not preview.ok
    page = preview.page.decode("utf-8")
    line = original.count("\n") + 2
    assert f"chapters/foreword.md:{line}: error[jinja-undefined]:" in page
    assert "Traceback" not in page
    data, problems = preview.pdf()
    assert data is None and problems
    chapter.write_text(original, encoding="utf-8")
    assert preview.rebuild() == 3 and preview.ok
    assert "jinja-undefined" not in preview.page.decode("utf-8")


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
