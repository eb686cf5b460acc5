"""Property: whatever is done to a report's YAML values, its chapters or its framework file, `check`
ends in success or located diagnostics (exit 0 or 1, never a traceback), and when `check` says ok,
the build succeeds too.

200 examples run in the suite; `make fuzz` runs 10,000 (REPORTGEN_FUZZ_EXAMPLES).
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

EXAMPLES = int(os.environ.get("REPORTGEN_FUZZ_EXAMPLES", "200"))
FRAMEWORK = ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml"
FILES = ["report.yaml", "frameworks/hmip-pdu-2023.yaml", "chapters/domain-2.md", "chapters/ratings.md"]
VALUES = ["~", "[]", "{}", "''", "0", "-1", "1e309", "99999999999999999999", "true", "x", "'\x1b'", "\"\\0\"",
          "2024-02-30", "9999-12", "!!python/name:os.system", "!!binary AAAA", "&a [1]", "*a", "[*a, *a]",
          "{from: 101, rating: good}", "{from: -5, rating: nope}", "[{id: a, label: A, points: 1, colour: '#000000', "
          "text_colour: '#ffffff'}]", "'" + "w" * 300 + "'", "'\U0001F600'", "[1, 'two', 3]", "{a: 1}",
          "'{{ 7 * 7 }}'", "'::: standard P1.1'"]
SNIPPETS = ["{{", "{{ standards['P2.1'].rating.label }}", "::: key-questions", "::: standard P2.2", "> ", "[^x]",
            "\x00", "{% for i in range(10) %}x{% endfor %}", "{{ score }}/{{ max_score }}", "\n\n", "### "]

edits = st.lists(st.tuples(st.sampled_from(FILES), st.floats(0, 1), st.sampled_from(VALUES + SNIPPETS),
                           st.booleans()), min_size=1, max_size=3)
VALUE_LINE = re.compile(r"^(\s*-?\s*[\w.]+:\s)(.+)$")


def mutate(text: str, where: float, insert: str, replace_value: bool) -> str:
    lines = text.split("\n")
    index = min(int(where * len(lines)), len(lines) - 1)
    match = VALUE_LINE.match(lines[index])
    if replace_value and match:  # a key's value becomes something else
        lines[index] = match[1] + insert
    else:
        lines[index] = lines[index][: len(lines[index]) // 2] + insert + lines[index][len(lines[index]) // 2:]
    return "\n".join(lines)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
@given(edits=edits)
def test_mutated_values_frameworks_and_chapters_never_traceback(edits, tmp_path_factory, capsys):
    report = tmp_path_factory.mktemp("fuzz") / "surrey-pdu"
    shutil.copytree(SURREY, report)
    (report / "frameworks").mkdir()
    shutil.copy(FRAMEWORK, report / "frameworks" / FRAMEWORK.name)
    for name, where, insert, replace_value in edits:
        path = report / name
        path.write_text(mutate(path.read_text(encoding="utf-8"), where, insert, replace_value), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(report)])
    err = capsys.readouterr().err
    assert exit_info.value.code in (0, 1), err
    assert "Traceback" not in err and "internal-error" not in err
    if exit_info.value.code == 1:
        assert "error[" in err
        return
    out = report.parent / "out"
    with pytest.raises(SystemExit) as exit_info:  # check: ok means the build succeeds
        main(["build", str(report), "--out", str(out), "--format", "html,docx"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 0, err
