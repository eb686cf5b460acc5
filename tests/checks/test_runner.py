"""What the accessibility checks share (generator/checks/runner.py): the rule registry, checking
any file, `reportgen a11y`, and `reportgen build` reporting failures as diagnostics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build
from generator.checks import FORMATS, RULES, NotCheckable, check_file, format_of, rules_table
from tests.conftest import ROOT, SURREY


def test_every_rule_has_an_id_a_reference_and_a_format():
    for rule_id, item in RULES.items():
        assert re.fullmatch(r"(pdf|docx|html)-[a-z0-9-]+", rule_id)
        assert re.fullmatch(r"(Matterhorn \d\d-\d\d\d|WCAG 2\.2 \d\.\d+\.\d+|ISO 32000-1 \d+(\.\d+)*"
                            r"|PDF/A-2 \d+(\.\d+)*(, \d+(\.\d+)*)*)", item.reference), rule_id


def test_every_format_has_rules_and_rules_table_lists_each_once():
    assert {item.format for item in RULES.values()} == set(FORMATS) == {"pdf", "docx", "html"}
    table = list(rules_table())
    assert [line.split("\t")[0] for line in table] == list(RULES)
    assert "pdf-th-scope\tMatterhorn 15-003\t" in "\n".join(table)


def test_a_file_s_kind_is_its_suffix_even_as_a_build_temporary():
    assert [format_of(Path(p)) for p in ("a.PDF", "b.htm", "c.docx", ".x.pdf.tmp", "d.txt", "e")] == \
        ["pdf", "html", "docx", "pdf", None, None]


def test_cli_passes_the_example_and_exits_0(surrey_build, reportgen):
    result = reportgen("a11y", *surrey_build.outputs.values())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "3 file(s): no accessibility failures\n"


def test_cli_reports_each_failure_on_its_line_and_exits_1(tmp_path, reportgen):
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html><html><head><title>t</title></head><body><main><h1>T</h1>'
                    '<img src="data:image/png;base64,AA=="></main></body></html>', encoding="utf-8")
    result = reportgen("a11y", page)
    assert result.returncode == 1
    rules = re.findall(rf"^{re.escape(str(page))}: [^:]+: (html-[a-z-]+) \[WCAG 2\.2 [\d.]+\]: .+$", result.stdout, re.M)
    assert {"html-lang", "html-img-alt"} <= set(rules) and len(rules) == len(result.stdout.splitlines())
    assert result.stderr == f"{len(rules)} accessibility failure(s) in 1 file(s)\n"


def test_cli_misuse_exits_2(reportgen):
    assert reportgen("a11y").returncode == 2
    assert reportgen("a11y", ROOT / "pyproject.toml").returncode == 2
    assert reportgen("a11y", ROOT / "no-such.pdf").returncode == 2


def test_unknown_kind_of_file_is_not_checkable(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(NotCheckable):
        check_file(path)


def test_build_reports_a11y_failures_as_warnings_and_strict_makes_them_fatal(tmp_path, monkeypatch):
    from generator import checks as a11y
    from generator.diagnostics import ContentError

    def one_failure(path, fmt=None, shown=None):
        return [a11y.Failure(shown or str(path), "page 1", "pdf-lang", "Matterhorn 11-001", "no /Lang")]

    monkeypatch.setattr(a11y, "check_file", one_failure)
    built = build(SURREY, tmp_path / "lax", formats=("html",))
    codes = [(d.severity, d.code) for d in built.diagnostics.items]
    assert ("warning", "a11y-pdf-lang") in codes
    with pytest.raises(ContentError) as caught:
        build(SURREY, tmp_path / "strict", formats=("html",), strict=True)
    assert "a11y-pdf-lang" in {d.code for d in caught.value.diagnostics.items}
    assert not (tmp_path / "strict" / "surrey-pdu.html").exists()


def test_a_pdf_build_parses_its_pdf_once_and_checks_it_as_the_file_reads(tmp_path, monkeypatch):
    """The structure repair and the accessibility check share one in-memory PDF (parsed once, from
    WeasyPrint's bytes, never reopened from the file), and the check finds there exactly what
    `reportgen a11y` finds in the written file. Without the repair the PDF has failures to find."""
    import pikepdf

    from generator.writers.pdf import tags as pdf_tags

    opened = []
    original = pikepdf.open

    def counting(source, *args, **kwargs):
        opened.append(source)
        return original(source, *args, **kwargs)

    monkeypatch.setattr(pikepdf, "open", counting)
    monkeypatch.setattr(pdf_tags, "FIXES", {})  # WeasyPrint's own tags: the rules fail
    built = build(SURREY, tmp_path, formats=("pdf",), parallel=False)  # counted in this process
    assert len(opened) == 1 and not isinstance(opened[0], (str, Path))
    in_build = sorted((d.code, d.message) for d in built.diagnostics.items if d.code.startswith("a11y-"))
    from_file = sorted((f"a11y-{f.rule}", f"{f.where}: {f.message} ({f.reference})")
                       for f in check_file(built.outputs["pdf"]))
    assert in_build and in_build == from_file
