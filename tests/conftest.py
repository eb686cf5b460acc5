"""Shared fixtures: the golden-file check (``pytest --update-golden``) and one build of the example."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SURREY = ROOT / "content" / "surrey-pdu"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/* from the current output; review `git diff` before committing")


@pytest.fixture
def golden(request):
    """`golden(name, actual)`: compare `actual` with tests/golden/<name>, or rewrite it."""
    update = request.config.getoption("--update-golden")

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path.name}: run `pytest --update-golden` and review the diff"
        expected = path.read_text(encoding="utf-8")
        if actual != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                f"golden/{name}", "actual", n=1))
            pytest.fail(f"output differs from golden/{name} (if intended: pytest --update-golden, "
                        f"then review git diff):\n{diff[:6000]}", pytrace=False)

    return check


@pytest.fixture(scope="session")
def surrey_copy(tmp_path_factory) -> Path:
    """A private copy of the example report folder (tests may build from it)."""
    dest = tmp_path_factory.mktemp("content") / "surrey-pdu"
    shutil.copytree(SURREY, dest)
    return dest


@pytest.fixture(scope="session")
def surrey_build(tmp_path_factory):
    """The example built once to PDF and HTML for the whole session."""
    from generator.build import build

    out = tmp_path_factory.mktemp("out")
    return build(SURREY, out, formats=("pdf", "html"))


def copy_report(tmp_path: Path) -> Path:
    dest = tmp_path / "surrey-pdu"
    shutil.copytree(SURREY, dest)
    return dest


def run_reportgen(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` as a user runs it; a traceback on stderr fails the test."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([sys.executable, "-m", "generator", *map(str, args)], capture_output=True, text=True,
                            cwd=cwd, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result
