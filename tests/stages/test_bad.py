"""The corpus of broken reports (every tests/bad/*.yaml, each a list of cases): each gives its
diagnostic, at its line, with exit status 1 (warnings: 0, and 1 under --strict), and never a
traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, TESTS, copy_report

CORPUS = sorted((TESTS / "bad").glob("*.yaml"))
CASES = [dict(case, corpus=path.name) for path in CORPUS
         for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []]
LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<severity>error|warning)\[(?P<code>[a-z0-9-]+)\]: "
                  r"(?P<message>.+)$")
# the other place a diagnostic is about, on the line after it (generator/diagnostics.py `Related`)
NOTE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+)(?::(?P<column>\d+))?: note: (?P<message>.+)$")


def mutate(report: Path, case: dict) -> Path:
    for other in case.get("also", ()):  # another file the case needs changed first (e.g. a framework)
        mutate(report, other)
    path = report / (case.get("file") or case["add"])
    path.parent.mkdir(parents=True, exist_ok=True)
    if "copy" in case:  # start from a file of the checkout (e.g. a shipped framework), then edit it
        path.write_text((ROOT / case["copy"]).read_text(encoding="utf-8"), encoding="utf-8")
    if "write" in case:
        path.write_text(case["write"], encoding="utf-8")
        return path
    text = path.read_text(encoding="utf-8")
    if "replace" in case:
        assert case["replace"] in text, f"{case['id']}: '{case['replace']}' not in {path.name}"
        text = text.replace(case["replace"], case["with"], 1)
    for find, replacement in case.get("then", []):  # further edits of the same file, in order
        assert find in text, f"{case['id']}: '{find}' not in {path.name}"
        text = text.replace(find, replacement, 1)
    if "append" in case:
        text += case["append"]
    path.write_bytes(text.encode("latin-1" if case.get("latin1") else case.get("encoding", "utf-8")))
    return path


def _line_of(path: Path, case: dict, at: str, occurrence: int = 1) -> int:
    text = path.read_bytes().decode(case.get("encoding", "utf-8"), errors="replace").splitlines()
    return [i for i, line in enumerate(text, 1) if at in line][occurrence - 1]


def assert_located(case: dict, report: Path, path: Path, lines: list[str]) -> list:
    """The case's diagnostic is among `lines` (each a diagnostic, or a note after one) with its
    code, severity, line, message and column, and its note (`related`) where the case says;
    returns the diagnostics' matches."""
    notes = {i - 1: NOTE.match(line) for i, line in enumerate(lines) if i and NOTE.match(line)}  # by its diagnostic
    matches = [(i, LINE.match(line)) for i, line in enumerate(lines) if i - 1 not in notes]
    assert all(m for _, m in matches), f"unlocated or malformed lines: {lines}"
    parsed = [m for _, m in matches]
    hits = [(i, m) for i, m in matches if m["code"] == case["code"]]
    assert hits, f"expected {case['code']}, got {lines}"
    severity = case.get("severity", "error")
    assert any(m["severity"] == severity for _, m in hits), lines
    placed = hits
    if case.get("line") != "any":
        expected = _line_of(path, case, case["at"], case.get("occurrence", 1)) if "at" in case else case["line"]
        assert any(int(m["line"]) == expected and Path(m["path"]).name == path.name for _, m in hits), \
            f"expected {case['code']} at {path.name}:{expected}, got {lines}"
        placed = [(i, m) for i, m in hits if int(m["line"]) == expected and Path(m["path"]).name == path.name]
    if "message" in case:
        assert any(case["message"] in m["message"] for _, m in hits), lines
    if "column" in case:
        assert any(m["column"] == str(case["column"]) for _, m in hits), lines
    if "related" in case:  # the other place, on the note after the diagnostic
        related = case["related"]
        other = report / related["file"]
        line = _line_of(other, case, related["at"]) if "at" in related else related["line"]
        found = [notes.get(i) for i, m in placed
                 if "column" not in case or m["column"] == str(case["column"])]
        assert any(n and int(n["line"]) == line and Path(n["path"]).name == other.name
                   and ("column" not in related or n["column"] == str(related["column"])) for n in found), \
            f"expected a note at {other.name}:{line}, got {lines}"
    return parsed


def test_the_corpus_is_large_enough_and_every_file_is_read():
    assert "cases.yaml" in [p.name for p in CORPUS]
    assert len(CASES) >= 30
    ids = [c["id"] for c in CASES]
    assert len(set(ids)) == len(ids), "case ids are unique across tests/bad/*.yaml"
    for path in CORPUS:
        assert any(c["corpus"] == path.name for c in CASES), f"{path.name} holds no case"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_broken_report_gives_its_located_diagnostic(case, tmp_path, reportgen):
    report = copy_report(tmp_path, case.get("example", "surrey-pdu"))
    path = mutate(report, case)
    if "where" in case:  # the diagnostic is in another file than the one mutated
        path = report / case["where"]
    if case.get("parity"):
        pytest.skip("an edition's chapters are compared by tests/stages/test_edition_parity.py until check loads "
                    "editions (issue 25's editions loader)")
    result = reportgen("check", report, "--strict")
    status, lines = result.returncode, result.stderr.strip().splitlines()
    assert status == 1, lines
    parsed = assert_located(case, report, path, lines)
    if case.get("alone"):  # nothing else said: no second, false, diagnostic beside it
        assert len(parsed) == 1, lines
    if case.get("severity", "error") == "warning":  # without --strict, a warning alone does not fail the check
        only_warnings = all(m["severity"] == "warning" for m in parsed)
        assert reportgen("check", report).returncode == (0 if only_warnings else 1)
