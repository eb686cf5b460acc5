"""Properties of `check` under mutation: whatever is done to report.yaml (its text or its values),
the chapters or the framework file, `check` ends in success or located diagnostics (exit 0 or 1,
never a traceback or an internal error), and when `check` says ok, the build succeeds too.

The suite runs a few hundred examples; `make fuzz` runs 10,000 of each (REPORTGEN_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from tests.conftest import ROOT, SURREY

EXAMPLES = int(os.environ.get("REPORTGEN_FUZZ_EXAMPLES", "0"))
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def examples(default: int) -> int:
    return EXAMPLES or default


def check_then_build(report, capsys) -> None:
    """`check` ends in 0 or 1 with diagnostics; if 0, the build succeeds."""
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(report)])
    err = capsys.readouterr().err
    assert exit_info.value.code in (0, 1), err
    assert "Traceback" not in err and "internal-error" not in err
    if exit_info.value.code == 1:
        assert "error[" in err
        return
    with pytest.raises(SystemExit) as exit_info:
        main(["build", str(report), "--out", str(report.parent / "out"), "--format", "html,docx"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 0, err


# --------------------------------------------------------------------------- text edits anywhere

FILES = ["report.yaml", "chapters/foreword.md", "chapters/domain-2.md", "chapters/background.md",
         "chapters/ratings.md"]
SNIPPETS = ["{{", "}}", "{%", "%}", "{#", ":::", "::: standard P2.1", "::: key-questions", "[^ons]", "[^x]:",
            "# ", "### ", "![", "](", "<script>", "<b onclick='x'>", "\t", "- ", "1. ", ": ", "key_questions:",
            "[46, 173]", "rating: Good", "\n", "\n\n", "'", "\"", "\\", "\x00", "é", "{{ sample.cases }}",
            "{{ report.__class__ }}", "> ", "|a|b|\n|-|-|\n", "[x](#)", "[x](javascript:y)"]

edits = st.lists(st.tuples(st.sampled_from(FILES), st.floats(0, 1), st.integers(0, 40),
                           st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=12))),
                 min_size=1, max_size=4)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=HEALTH)
@given(edits=edits)
def test_any_mutation_gives_success_or_diagnostics(edits, tmp_path_factory, capsys):
    report = tmp_path_factory.mktemp("fuzz") / "surrey-pdu"
    shutil.copytree(SURREY, report)
    for name, where, cut, insert in edits:
        path = report / name
        text = path.read_text(encoding="utf-8")
        at = int(where * len(text))
        path.write_text(text[:at] + insert + text[at + cut:], encoding="utf-8", errors="surrogatepass")
    check_then_build(report, capsys)


# --------------------------------------------------------------------------- values, frameworks, chapters

FRAMEWORK = ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml"
VALUE_FILES = ["report.yaml", "frameworks/hmip-pdu-2023.yaml", "chapters/domain-2.md", "chapters/ratings.md"]
VALUES = ["~", "[]", "{}", "''", "0", "-1", "1e309", "99999999999999999999", "true", "x", "'\x1b'", "\"\\0\"",
          "2024-02-30", "9999-12", "!!python/name:os.system", "!!binary AAAA", "&a [1]", "*a", "[*a, *a]",
          "{from: 101, rating: good}", "{from: -5, rating: nope}", "[{id: a, label: A, points: 1, colour: '#000000', "
          "text_colour: '#ffffff'}]", "'" + "w" * 300 + "'", "'\U0001F600'", "[1, 'two', 3]", "{a: 1}",
          "'{{ 7 * 7 }}'", "'::: standard P1.1'"]
VALUE_SNIPPETS = ["{{", "{{ standards['P2.1'].rating.label }}", "::: key-questions", "::: standard P2.2", "> ",
                  "[^x]", "\x00", "{% for i in range(10) %}x{% endfor %}", "{{ score }}/{{ max_score }}", "\n\n", "### "]
VALUE_LINE = re.compile(r"^(\s*-?\s*[\w.]+:\s)(.+)$")

value_edits = st.lists(st.tuples(st.sampled_from(VALUE_FILES), st.floats(0, 1),
                                 st.sampled_from(VALUES + VALUE_SNIPPETS), st.booleans()), min_size=1, max_size=3)


def mutate_line(text: str, where: float, insert: str, replace_value: bool) -> str:
    """Replace the value of the key on the line at `where`, or insert `insert` in that line's middle."""
    lines = text.split("\n")
    index = min(int(where * len(lines)), len(lines) - 1)
    match = VALUE_LINE.match(lines[index])
    if replace_value and match:
        lines[index] = match[1] + insert
    else:
        lines[index] = lines[index][: len(lines[index]) // 2] + insert + lines[index][len(lines[index]) // 2:]
    return "\n".join(lines)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=HEALTH)
@given(edits=value_edits)
def test_mutated_values_frameworks_and_chapters_never_traceback(edits, tmp_path_factory, capsys):
    report = tmp_path_factory.mktemp("fuzz") / "surrey-pdu"
    shutil.copytree(SURREY, report)
    (report / "frameworks").mkdir()
    shutil.copy(FRAMEWORK, report / "frameworks" / FRAMEWORK.name)
    for name, where, insert, replace_value in edits:
        path = report / name
        path.write_text(mutate_line(path.read_text(encoding="utf-8"), where, insert, replace_value), encoding="utf-8")
    check_then_build(report, capsys)
