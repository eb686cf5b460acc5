"""`reportgen new`: a report folder from a framework, that `check` guides the author through."""

from __future__ import annotations

import re

import pytest

from generator.build import build


def fill_in(report_yaml, values: dict[str, str]) -> None:
    text = report_yaml.read_text(encoding="utf-8")
    for key, value in values.items():
        text, count = re.subn(rf"({re.escape(key)}: )~", lambda m: m[1] + value, text, count=1)
        assert count == 1, key
    report_yaml.write_text(text.replace("      - ~", "      - improve the quality of assessment"), encoding="utf-8")


def test_new_report_lists_what_to_fill_in_then_builds(tmp_path, reportgen):
    folder = tmp_path / "content" / "leeds-pdu"
    result = reportgen("new", folder, "--framework", "hmip-pdu-2023")
    assert result.returncode == 0, result.stderr
    assert (folder / "chapters" / "domain-2.md").read_text().count("::: key-questions") == 4

    check = reportgen("check", folder)
    assert check.returncode == 1
    codes = re.findall(r"error\[([a-z-]+)\]", check.stderr)
    assert codes.count("rating-missing") == 3 and codes.count("key-questions-missing") == 4
    assert "metadata.lead_inspector" in check.stderr

    fill_in(folder / "report.yaml", {
        "region": "North East region", "published": "2025-01", "fieldwork_start": "2024-11-04",
        "lead_inspector": "A. Inspector", "name": "Chief Inspector", "role": "Chief Inspector of Probation",
        "isbn": "978-1-916621-99-9", "copyright_year": "2025",
        "P1.1: {rating": "Good", "P1.2: {rating": "Good", "P1.3: {rating": "Outstanding",
        "P2.1: {key_questions": "[81, 85, 90]", "P2.2: {key_questions": "[70, 66, 90]",
        "P2.3: {key_questions": "[50, 85, 90]", "P2.4: {key_questions": "[49, 85, 90]",
    })
    assert reportgen("check", folder).returncode == 0
    built = build(folder, tmp_path / "out", formats=("html",))
    assert built.document.parts[2].title == "Ratings"
    html = built.outputs["html"].read_text(encoding="utf-8")
    assert "<strong>13/21</strong>" in html  # 2 + 2 + 3 + 3 + 2 + 1 + 0 points
    assert "Overall rating:</span> <span class=\"badge rating-good\"" in html


def test_new_never_overwrites_and_knows_its_frameworks(tmp_path, reportgen):
    (tmp_path / "notes.txt").write_text("an existing file")
    again = reportgen("new", tmp_path, "--framework", "hmip-pdu-2023")
    assert again.returncode == 1 and "new-exists" in again.stderr
    unknown = reportgen("new", tmp_path / "x", "--framework", "hmip-pdu-2032")
    assert unknown.returncode == 1 and "did you mean 'hmip-pdu-2023'?" in unknown.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("framework", ["hmip-yjs-2021", "hmip-thematic", "cqc-style-illustrative"])
def test_new_from_every_shipped_framework_lists_only_what_to_fill_in(tmp_path, reportgen, framework):
    folder = tmp_path / "content" / "example"
    assert reportgen("new", folder, "--framework", framework).returncode == 0
    check = reportgen("check", folder)
    assert check.returncode == 1
    codes = set(re.findall(r"error\[([a-z-]+)\]", check.stderr))
    assert codes <= {"value-invalid", "key-missing", "rating-missing", "key-questions-missing"}, check.stderr
    assert (folder / "chapters" / "ratings.md").exists() == (framework != "hmip-thematic")
