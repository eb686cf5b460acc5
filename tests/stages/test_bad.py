"""The corpus of broken reports (tests/bad/cases.yaml): each gives its diagnostic, at its line,
with exit status 1 (warnings: 0, and 1 under --strict), and never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from tests.conftest import copy_report

CASES = yaml.safe_load((Path(__file__).parent.parent / "bad" / "cases.yaml").read_text(encoding="utf-8"))
LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+)(?::\d+)?: (?P<severity>error|warning)\[(?P<code>[a-z0-9-]+)\]: "
                  r"(?P<message>.+)$")


def mutate(report: Path, case: dict) -> Path:
    path = report / (case.get("file") or case["add"])
    if "write" in case:
        path.write_text(case["write"], encoding="utf-8")
        return path
    text = path.read_text(encoding="utf-8")
    if "replace" in case:
        assert case["replace"] in text, f"{case['id']}: '{case['replace']}' not in {path.name}"
        text = text.replace(case["replace"], case["with"], 1)
    if "append" in case:
        text += case["append"]
    path.write_bytes(text.encode("latin-1" if case.get("latin1") else "utf-8"))
    return path


def run_cli(args, capsys) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.err.strip().splitlines()


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_broken_report_gives_its_located_diagnostic(case, tmp_path, capsys):
    report = copy_report(tmp_path)
    path = mutate(report, case)
    status, lines = run_cli(["check", str(report), "--strict"], capsys)
    assert status == 1, lines
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), f"unlocated or malformed lines: {lines}"
    hits = [m for m in parsed if m["code"] == case["code"]]
    assert hits, f"expected {case['code']}, got {lines}"
    severity = case.get("severity", "error")
    assert any(m["severity"] == severity for m in hits), lines
    if case.get("line") != "any":
        if "at" in case:
            text = path.read_bytes().decode("utf-8", errors="replace").splitlines()
            lines_with = [i for i, line in enumerate(text, 1) if case["at"] in line]
            expected = lines_with[case.get("occurrence", 1) - 1]
        else:
            expected = case["line"]
        assert any(int(m["line"]) == expected and Path(m["path"]).name == path.name for m in hits), \
            f"expected {case['code']} at {path.name}:{expected}, got {lines}"
    if "message" in case:
        assert any(case["message"] in m["message"] for m in hits), lines
    if severity == "warning":  # without --strict, a warning alone does not fail the check
        only_warnings = all(m["severity"] == "warning" for m in parsed)
        status, _ = run_cli(["check", str(report)], capsys)
        assert status == (0 if only_warnings else 1)
