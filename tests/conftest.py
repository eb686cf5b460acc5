"""Shared fixtures: the golden-file check (``pytest --update-golden``), the example built once for
the whole session, and the command line run in-process or, where that is the point, as a program.

The example (content/surrey-pdu) is built once to PDF, DOCX and HTML (`surrey_build`); every test
that only reads those files shares it. The same build keeps WeasyPrint's own PDF and the layout
hints it gave the structure repair (`surrey_raw`), so that the repair can be tested on its real
input without paginating the example again.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden"
SURREY = ROOT / "content" / "surrey-pdu"


def pytest_configure(config):
    """The suite's own cache folder and key (generator/resources.py `cache_dir`), not the user's."""
    import tempfile

    os.environ.setdefault("REPORTGEN_CACHE_DIR", tempfile.mkdtemp(prefix="reportgen-test-cache-"))
    os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="reportgen-test-state-"))  # the cache's key


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


# --------------------------------------------------------------------------- the example, built once


@dataclass(frozen=True)
class RawPdf:
    """WeasyPrint's PDF of the example before the structure repair, and the hints the repair got."""

    data: bytes
    hints: list


@pytest.fixture(scope="session")
def _surrey(tmp_path_factory):
    from generator.build import FORMATS, build
    from generator.writers.pdf import tags

    captured = []
    original = tags.repaired

    def keep(data, hints=None):  # pass-through: the build's output is what it always is
        captured.append(RawPdf(data, hints))
        return original(data, hints)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tags, "repaired", keep)
        # in this process, where the pass-through is (tests/test_build_parallel.py: the same bytes apart)
        built = build(SURREY, tmp_path_factory.mktemp("surrey-out"), formats=FORMATS, parallel=False)
    assert set(built.outputs) == set(FORMATS) and len(captured) == 1
    return built, captured[0]


@pytest.fixture(scope="session")
def surrey_build(_surrey):
    """The example built once to PDF, DOCX and HTML for the whole session (read it, never change it)."""
    return _surrey[0]


@pytest.fixture(scope="session")
def example_build(tmp_path_factory, surrey_build):
    """`example_build(name)`: the bundled example content/<name> built once for the whole session,
    to PDF, DOCX and HTML and every edition (Surrey's is `surrey_build`); read it, never change it."""
    from generator.build import FORMATS, build

    built = {"surrey-pdu": surrey_build}

    def get(name: str):
        if name not in built:
            built[name] = build(ROOT / "content" / name, tmp_path_factory.mktemp(f"example-{name}"), formats=FORMATS)
        return built[name]

    return get


@pytest.fixture(scope="session")
def surrey_raw(_surrey) -> RawPdf:
    """WeasyPrint's own PDF of the session's build, before `tags.repaired`, and its layout hints."""
    return _surrey[1]


@pytest.fixture(scope="session")
def surrey_doc(surrey_build):
    """The example's document model: `check(SURREY)`, as the session's build made it."""
    return surrey_build.document


@pytest.fixture(scope="session")
def surrey_drawn(surrey_build):
    """The text drawn in each marked-content sequence and artifact of the session's PDF
    (tests/readback.py: `page_text`)."""
    from tests.readback import page_text

    return page_text(surrey_build.outputs["pdf"])


@pytest.fixture(scope="session")
def surrey_copy(tmp_path_factory) -> Path:
    """A private copy of the example report folder (tests may build from it)."""
    dest = tmp_path_factory.mktemp("content") / "surrey-pdu"
    shutil.copytree(SURREY, dest)
    return dest


def copy_report(tmp_path: Path, example: str = "surrey-pdu") -> Path:
    """A copy of an example report (content/<example>, the Surrey report unless named)."""
    dest = tmp_path / example
    shutil.copytree(ROOT / "content" / example, dest)
    return dest


# The two-edition test report (issue 25): the example with `editions: [en-GB, cy-GB]`, each chapter's
# counterpart, report.cy.yaml and a copy of the framework with its overlay in the report's frameworks/
# (tests/editions/: placeholder words but for the ratings and the domains' names). A counterpart is a
# stand-in translation of the same structure: its rating words in Welsh, "Testun Cymraeg." before its
# first paragraph, and every other word with an "e" spelt with "é" (so no paragraph is word for word
# the English one: the parity check's `edition-untranslated`), but never inside what both editions
# share: template values, footnote labels, link targets, ids, code, addresses, the `Table:`/`Figure:`
# of a caption and the `:::` lines (an "é" folds to "e" in a heading's id, so ids stay the same).
WELSH_WORDS = {"'Requires improvement'": "'Angen gwella'", "'Inadequate'": "'Annigonol'"}
_SHARED = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\[\^[^\]]*\]|\]\([^)]*\)|\{#[^}]*\}|`[^`]*`|<[^>]*>|https?://\S+"
                     r"|^\s*(?:Table|Figure):|^\s*:::.*$")


def stand_in_welsh(text: str) -> str:
    """An English chapter as its stand-in Welsh counterpart (above)."""
    for english, cymraeg in WELSH_WORDS.items():
        text = text.replace(english, cymraeg)
    lines, marked = [], False
    for line in text.split("\n"):
        pieces, at = [], 0
        for shared in _SHARED.finditer(line):
            pieces += [line[at:shared.start()].replace("e", "é"), shared.group()]
            at = shared.end()
        line = "".join(pieces) + line[at:].replace("e", "é")
        if not marked and line[:1].isalpha() and not re.match(r"(?:Table|Figure):", line):
            line, marked = "Testun Cymraeg. " + line, True
        lines.append(line)
    return "\n".join(lines)


def make_bilingual(report: Path) -> Path:
    text = (report / "report.yaml").read_text(encoding="utf-8")
    assert "framework: hmip-pdu-2023\n" in text
    (report / "report.yaml").write_text(text.replace("framework: hmip-pdu-2023\n",
                                                     "framework: hmip-pdu-2023\neditions: [en-GB, cy-GB]\n", 1),
                                        encoding="utf-8")
    for chapter in sorted((report / "chapters").glob("*.md")):
        chapter.with_name(chapter.stem + ".cy.md").write_text(stand_in_welsh(chapter.read_text(encoding="utf-8")),
                                                               encoding="utf-8")
    shutil.copy(TESTS / "editions" / "report.cy.yaml", report / "report.cy.yaml")
    (report / "frameworks").mkdir(exist_ok=True)
    shutil.copy(ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml", report / "frameworks")
    shutil.copy(TESTS / "editions" / "hmip-pdu-2023.cy.yaml", report / "frameworks")
    return report


RELABELLED = {"chapters/background.md": "ons", "chapters/domain-2.md": "kq-assessment"}


@pytest.fixture(scope="session")
def relabelled_build(tmp_path_factory):
    """The example with a footnote of background.md and one of domain-2.md both labelled `[^1]`
    (a label is the author's, and only unique within its chapter), built once to all formats."""
    from generator.build import build

    report = copy_report(tmp_path_factory.mktemp("relabelled"))
    for name, label in RELABELLED.items():
        path = report / name
        text = path.read_text(encoding="utf-8")
        assert text.count(f"[^{label}]") == 2, name  # its call and its definition
        path.write_text(text.replace(f"[^{label}]", "[^1]"), encoding="utf-8")
    return build(report, tmp_path_factory.mktemp("relabelled-out"))


# --------------------------------------------------------------------------- the command line


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def reportgen(capsys):
    """`reportgen(*args)`: the command line run in this process (`generator.cli.main`).

    An exception that escapes main (a traceback, for a user) fails the test; the exit status,
    stdout and stderr come back as from a subprocess."""
    from generator.cli import main

    def run(*args) -> Ran:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main([str(a) for a in args])
        out = capsys.readouterr()
        code = exit_info.value.code
        return Ran(0 if code is None else code, out.out, out.err)

    return run


def run_reportgen(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` as a user runs it; a traceback on stderr fails the test.

    A subprocess costs half a second: use the `reportgen` fixture unless a second process is the
    point of the test."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([sys.executable, "-m", "generator", *map(str, args)], capture_output=True, text=True,
                            cwd=cwd, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result


# --------------------------------------------------------------------------- a real browser


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by puppeteer-core (tests/browser/): one browser for the session."""
    from tests.browser import Browser

    session = Browser()  # raises with what to install when `make test-deps` has not run
    yield session
    session.close()
