"""The author lints (generator/stages/parse/authoring.py): what Markdown would print as it is.

The corpus (tests/bad/cases.yaml) holds one case of each with its message; these hold what a case
there cannot: a draft and a final build of the same chapter, the lines behind a template, what
is not said, and the limit on how many are listed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import check
from generator.diagnostics import ContentError, Diagnostics
from generator.scaffold import scaffold
from generator.stages.parse.authoring import MAX_SAID, PLACEHOLDERS
from tests.conftest import copy_report


def said(report: Path, **kwargs) -> list:
    diags = Diagnostics()
    try:
        check(report, diags, **kwargs)
    except ContentError:
        pass
    return [(d.severity, d.code, Path(d.path).name, d.line) for d in diags.items]


def append(report: Path, chapter: str, text: str) -> int:
    """Append `text` to the chapter; the line its first line lands on."""
    path = report / "chapters" / chapter
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1 + len(text) - len(text.lstrip("\n"))


def test_a_placeholder_is_a_warning_in_a_draft_and_an_error_in_a_final_build(tmp_path):
    report = copy_report(tmp_path)
    line = append(report, "foreword.md", "\n\nThe foreword.\n")
    assert [d for d in said(report, draft=True) if d[1] != "version-missing"] == \
        [("warning", "placeholder", "foreword.md", line)]
    assert said(report, draft=False) == [("error", "placeholder", "foreword.md", line)]
    assert said(report) == [("error", "placeholder", "foreword.md", line)]  # status: final, the default


def test_check_on_the_command_line_takes_draft_and_final_as_build_does(tmp_path):
    """`reportgen check --draft` warns of a placeholder (exit 0); `--final` refuses it (exit 1)."""
    from click.testing import CliRunner  # noqa: PLC0415

    from generator.cli import cli  # noqa: PLC0415

    report = copy_report(tmp_path)
    line = append(report, "foreword.md", "\n\nThe foreword.\n")
    draft = CliRunner().invoke(cli, ["check", "--draft", str(report)])
    final = CliRunner().invoke(cli, ["check", "--final", str(report)])
    assert draft.exit_code == 0, draft.output
    assert f"foreword.md:{line}: warning[placeholder]" in draft.output
    assert final.exit_code == 1, final.output
    assert f"foreword.md:{line}: error[placeholder]" in final.output


def test_every_placeholder_the_scaffold_writes_is_one_check_knows(tmp_path):
    """`new` writes its text from PLACEHOLDERS: each of its chapters' lines that is not a heading,
    marker or template is one of them, so the two cannot drift."""
    scaffold(tmp_path / "x", "hmip-thematic")
    scaffold(tmp_path / "y", "hmip-pdu-2023")
    written = {line for folder in ("x", "y") for path in (tmp_path / folder / "chapters").glob("*.md")
               for line in path.read_text(encoding="utf-8").splitlines()
               if line and not line.startswith(("#", ":::", "As a result", "We conducted", "Our rating"))}
    assert "The foreword." in written and "The background." in written and "- …" in written
    templates = [text.split("{")[0] for text in PLACEHOLDERS]
    assert all(any(line.startswith(t) for t in templates) for line in written), written


def test_the_placeholders_of_report_yaml_values_are_no_chapter_s(tmp_path):
    """A line of a chapter that reads as a details placeholder (`...`, `YYYY-MM-DD`, `NNNNNN`) or the
    title's is the author's text: those are placeholders only as report.yaml's values."""
    report = copy_report(tmp_path)
    append(report, "foreword.md", "\n\n...\n\nYYYY-MM-DD\n\nNNNNNN\n\nAn inspection of ...: Surrey PDU\n")
    assert said(report) == []


def test_a_placeholder_behind_a_template_is_found_at_its_own_line(tmp_path):
    report = copy_report(tmp_path)
    line = append(report, "foreword.md", "\n\n{% for name in ['a', 'b', 'c'] %}\n- {{ name }}\n{% endfor %}\n\n- …\n")
    assert said(report) == [("error", "placeholder", "foreword.md", line + 4)]


def test_front_matter_is_one_error_and_the_chapter_after_it_is_still_checked(tmp_path):
    report = copy_report(tmp_path)
    path = report / "chapters" / "foreword.md"
    path.write_text("---\ntitle: Foreword\n---\n\n" + path.read_text(encoding="utf-8") + "\n\n#### Too deep\n",
                    encoding="utf-8")
    lines = path.read_text(encoding="utf-8").count("\n")
    assert said(report) == [("error", "markdown-unsupported", "foreword.md", 1),
                            ("error", "heading-skip", "foreword.md", lines)]


@pytest.mark.parametrize("table", [
    "| a | b |\n|---|---|\n| `x | y` | 2 |\n",  # a pipe in a code span is no cell's end
    "| a | b |\n|---|---|\n| x \\| y | 2 |\n",  # nor an escaped one
    "a | b\n--|--\n1 | 2\n",  # no outer pipes
    "Text with a | pipe.\n\nMore text.\n",  # no table
    "| a |\n|---|\n| 1 |\n",  # one column
])
def test_a_table_whose_rows_fit_its_header_is_not_reported(tmp_path, table):
    report = copy_report(tmp_path)
    append(report, "foreword.md", "\n\n" + table)
    assert said(report) == []


@pytest.mark.parametrize("text", [
    "Write to enquiries@fig-example.org or @hmiprobation.\n",  # an address, a handle: no cross-reference
    "See [the sites](https://example.org/@fig-sites) and [mail](mailto:a@b.org).\n",  # in an address
    "A [bracketed aside with a@b.org] is no citation.\n",
    "::: example \"A box\"\nText.\n:::\n",  # reportgen's own box, and its end
])
def test_what_only_looks_like_quarto_is_not_reported(tmp_path, text):
    report = copy_report(tmp_path)
    append(report, "foreword.md", "\n\n" + text)
    assert said(report) == []


def test_at_most_so_many_findings_are_listed_a_chapter_then_how_many_more(tmp_path):
    report = copy_report(tmp_path)
    first = append(report, "foreword.md", "\n\n" + "See @fig-a.\n\n" * (MAX_SAID + 30))
    diags = Diagnostics()
    with pytest.raises(ContentError):
        check(report, diags)
    assert len(diags.items) == MAX_SAID + 1
    last = diags.sorted()[-1]
    assert last.line == first + 2 * MAX_SAID
    assert last.message.startswith("30 more problems of these kinds in this chapter, from this line on, are not listed")
