"""Property: whatever an author does to report.yaml or a chapter, the outcome is a successful
check or diagnostics with exit status 1, never an exception."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from tests.conftest import SURREY

FILES = ["report.yaml", "chapters/foreword.md", "chapters/domain-2.md", "chapters/background.md",
         "chapters/ratings.md"]
SNIPPETS = ["{{", "}}", "{%", "%}", "{#", ":::", "::: standard P2.1", "::: key-questions", "[^ons]", "[^x]:",
            "# ", "### ", "![", "](", "<script>", "<b onclick='x'>", "\t", "- ", "1. ", ": ", "key_questions:",
            "[46, 173]", "rating: Good", "\n", "\n\n", "'", "\"", "\\", "\x00", "é", "{{ sample.cases }}",
            "{{ report.__class__ }}", "> ", "|a|b|\n|-|-|\n", "[x](#)", "[x](javascript:y)"]

edits = st.lists(st.tuples(st.sampled_from(FILES), st.floats(0, 1), st.integers(0, 40),
                           st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=12))),
                 min_size=1, max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=edits)
def test_any_mutation_gives_success_or_diagnostics(edits, tmp_path_factory, capsys):
    report = tmp_path_factory.mktemp("fuzz") / "surrey-pdu"
    shutil.copytree(SURREY, report)
    for name, where, cut, insert in edits:
        path = report / name
        text = path.read_text(encoding="utf-8")
        at = int(where * len(text))
        path.write_text(text[:at] + insert + text[at + cut:], encoding="utf-8", errors="surrogatepass")
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(report)])
    err = capsys.readouterr().err
    assert exit_info.value.code in (0, 1), err
    assert "Traceback" not in err
    if exit_info.value.code == 1:
        assert "error[" in err
