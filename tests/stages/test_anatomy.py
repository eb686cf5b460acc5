"""The anatomy of a publication (framework `publication:`): what `check` says when a report leaves
out a part its framework requires, or holds data that no part prints; the cases that take more
than one edit (the single-edit ones are in tests/bad/)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, copy_report

PDU = (ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8")


def own_framework(report, old: str, new: str) -> None:
    """The report's own copy of hmip-pdu-2023 (looked up before the shipped one), edited."""
    assert old in PDU, old
    (report / "frameworks").mkdir(exist_ok=True)
    (report / "frameworks" / "hmip-pdu-2023.yaml").write_text(PDU.replace(old, new, 1), encoding="utf-8")


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def located(stderr: str, code: str) -> list[tuple[str, int, str]]:
    return [(m[1], int(m[2]), m[3]) for m in re.finditer(rf"^(.+?):(\d+)(?::\d+)?: error\[{code}\]: (.+)$", stderr, re.M)]


def line_of(path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_imprint_fields_no_part_prints_are_each_an_error_where_the_framework_does_not_require_one(tmp_path, reportgen):
    report = copy_report(tmp_path)
    own_framework(report, "parts: [imprint, ratings,", "parts: [ratings,")
    assert reportgen("check", report).returncode == 0  # not required, and printed
    edit(report / "chapters" / "front-matter.md", "::: imprint\n", "")
    result = reportgen("check", report)
    assert result.returncode == 1
    errors = located(result.stderr, "data-unprinted")
    yaml_file = report / "report.yaml"
    assert {(line, message.split(" ")[0]) for _, line, message in errors} == {
        (line_of(yaml_file, "isbn:"), "metadata.isbn"),
        (line_of(yaml_file, "copyright_year:"), "metadata.copyright_year"),
        (line_of(yaml_file, "publisher:"), "metadata.publisher")}
    assert "part-missing" not in result.stderr


def test_an_imprint_marker_under_a_framework_with_no_imprint_text_is_located(tmp_path, reportgen):
    report = copy_report(tmp_path)
    start, end = PDU.index("  imprint:\n"), PDU.index("\ndomains:")
    own_framework(report, PDU[start:end], "")
    edit(report / "frameworks" / "hmip-pdu-2023.yaml", "parts: [imprint, ratings,", "parts: [ratings,")
    result = reportgen("check", report)
    assert result.returncode == 1
    chapter = report / "chapters" / "front-matter.md"
    ((path, line, message),) = located(result.stderr, "imprint-undefined")
    assert path.endswith("front-matter.md") and line == line_of(chapter, "::: imprint")
    assert "hmip-pdu-2023 gives no imprint text" in message


def test_ratings_required_under_a_framework_with_no_scale_is_a_framework_error(tmp_path, reportgen):
    report = copy_report(tmp_path, "thematic-example")
    text = (ROOT / "generator" / "frameworks" / "hmip-thematic.yaml").read_text(encoding="utf-8")
    (report / "frameworks").mkdir()
    (report / "frameworks" / "hmip-thematic.yaml").write_text(
        text.replace("parts: [imprint, recommendations]", "parts: [imprint, ratings, recommendations]"), encoding="utf-8")
    result = reportgen("check", report)
    assert result.returncode == 1
    assert "error[framework-invalid]: publication.parts: 'ratings' is required, but the framework has no scale" \
        in result.stderr


def test_a_required_acknowledgements_part_is_not_asked_of_a_report_with_no_lead_inspector(tmp_path, reportgen):
    report = copy_report(tmp_path, "northshire-yjs")
    yjs = (ROOT / "generator" / "frameworks" / "hmip-yjs-2021.yaml").read_text(encoding="utf-8")
    (report / "frameworks").mkdir()
    (report / "frameworks" / "hmip-yjs-2021.yaml").write_text(
        yjs.replace("required_metadata: [unit, region, fieldwork_start, lead_inspector]",
                    "required_metadata: [unit, region, fieldwork_start]")
        if "required_metadata:" in yjs else yjs + "\nrequired_metadata: [unit, region, fieldwork_start]\n",
        encoding="utf-8")
    edit(report / "chapters" / "front-matter.md", "::: acknowledgements\n", "")
    assert reportgen("check", report).returncode == 1  # a lead inspector is named: acknowledge them
    text = (report / "report.yaml").read_text(encoding="utf-8")
    (report / "report.yaml").write_text(re.sub(r"  lead_inspector: .*\n", "", text), encoding="utf-8")
    result = reportgen("check", report)
    assert result.returncode == 0, result.stderr


def test_a_chapter_that_prints_a_whole_mapping_or_reads_a_key_by_subscript_prints_it(tmp_path, reportgen):
    report = copy_report(tmp_path)
    edit(report / "report.yaml", "  twitter: https://twitter.com/hmiprobation\n",
         "  twitter: https://twitter.com/hmiprobation\n  spare: https://example.org/spare\n")
    edit(report / "report.yaml", "  interviews: 31\n", "  interviews: 31\n  visits: 4\n")
    assert "links.spare is used by no chapter" in reportgen("check", report).stderr
    with (report / "chapters" / "annexe-web-links.md").open("a", encoding="utf-8") as f:
        f.write('\n\n{% for name, url in links | dictsort %}- [{{ name }}]({{ url }})\n{% endfor %}\n'
                'We made {{ sample["visits"] }} visits.\n')
    result = reportgen("check", report)
    assert result.returncode == 0, result.stderr


def test_sample_cases_prints_the_two_figures_it_is_computed_from(tmp_path, reportgen):
    report = copy_report(tmp_path, "figures-example")
    edit(report / "chapters" / "figures.md", "{{ sample.community_orders }} community orders and\n"
         "{{ sample.licences }} licences.", "community orders and licences.")
    result = reportgen("check", report)
    assert result.returncode == 0, result.stderr  # {{ sample.cases }} is still there
    edit(report / "chapters" / "figures.md", "{{ sample.cases }}", "44")
    result = reportgen("check", report)
    assert result.returncode == 1
    assert [line for _, line, _ in located(result.stderr, "data-unprinted")] == [
        line_of(report / "report.yaml", "community_orders:"), line_of(report / "report.yaml", "licences:")]


def test_a_chapter_whose_template_fails_gives_no_unprinted_data_error(tmp_path, reportgen):
    """What a failed chapter would have read is unknown: its own error is the one to fix first."""
    report = copy_report(tmp_path)
    edit(report / "chapters" / "background.md", "{{ sample.licences }}", "{{ sample.licenses }}")
    result = reportgen("check", report)
    assert result.returncode == 1 and "jinja-undefined" in result.stderr
    assert "data-unprinted" not in result.stderr


@pytest.mark.parametrize("example", sorted(p.parent.name for p in (ROOT / "content").glob("*/report.yaml")))
def test_every_example_prints_everything_its_report_yaml_holds(reportgen, example):
    """Each example has every part its framework requires and prints all its data: check says nothing."""
    result = reportgen("check", ROOT / "content" / example, "--strict")
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
