"""Outputs that say what they are (issue 24, item 6): a build of some formats marks the others
stale, a draft from an edited work tree says `+edited`, no third-party noise on stderr, and the
batch's progress bar moves as each report finishes."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_provenance import GIT, git

THEMATIC = ROOT / "content" / "thematic-example"
LOCATED = re.compile(r"^(?P<path>[^:\n]+)(:\d+(:\d+)?)?: (error|warning)\[(?P<code>[a-z0-9-]+)\]: .+$")
SLUG = "thematic-example"


def thematic(tmp_path: Path) -> Path:
    dest = tmp_path / SLUG
    shutil.copytree(THEMATIC, dest)
    return dest


def edit(report: Path, text: str = "\nA sentence added since.\n") -> None:
    chapter = report / "chapters" / "summary.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + text, encoding="utf-8")


def stale_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "[output-stale]" in line]


# --------------------------------------------------------------------------- stale outputs


def test_a_build_of_some_formats_says_which_others_are_stale_and_keeps_them(reportgen, tmp_path):
    report, out = thematic(tmp_path), tmp_path / "out"
    first = reportgen("build", report, "--format", "html,docx", "--out", out)
    assert first.returncode == 0 and not stale_lines(first.stderr)
    same = reportgen("build", report, "--format", "docx", "--out", out)
    assert same.returncode == 0 and not stale_lines(same.stderr), "the HTML is built from the same files"
    html = (out / f"{SLUG}.html").read_bytes()
    edit(report)
    partial = reportgen("build", report, "--format", "docx", "--out", out)
    assert partial.returncode == 0, partial.stderr
    (line,) = stale_lines(partial.stderr)
    assert LOCATED.match(line) and line.startswith(f"{out / SLUG}.html: warning[output-stale]: ")
    assert "build it again (--format html), or remove it" in line
    assert (out / f"{SLUG}.html").read_bytes() == html, "kept as it was"
    again = reportgen("build", report, "--format", "docx", "--out", out, "--strict")
    assert again.returncode == 0, "still stale, said again; a stale other file fails no build, --strict or not"
    assert len(stale_lines(again.stderr)) == 1
    caught_up = reportgen("build", report, "--format", "html", "--out", out)
    assert caught_up.returncode == 0 and not stale_lines(caught_up.stderr)
    assert not stale_lines(reportgen("build", report, "--format", "docx", "--out", out).stderr)


def test_a_draft_beside_a_final_is_stale_too(reportgen, tmp_path):
    report, out = thematic(tmp_path), tmp_path / "out"
    assert reportgen("build", report, "--format", "html,docx", "--out", out).returncode == 0
    drafted = reportgen("build", report, "--format", "docx", "--draft", "--out", out)
    assert [line.split(":")[0] for line in stale_lines(drafted.stderr)] == [f"{out / SLUG}.html"]


def test_stale_is_never_said_of_a_file_reportgen_did_not_write_or_one_edited_since(reportgen, tmp_path):
    report, out = thematic(tmp_path), tmp_path / "out"
    assert reportgen("build", report, "--format", "html,docx", "--out", out).returncode == 0
    (out / f"{SLUG}.pdf").write_bytes(b"%PDF-1.7 someone's own")
    page = out / f"{SLUG}.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- a reviewer's note -->", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != f"{SLUG}.docx" and not p.name.startswith(".")}
    edit(report)
    result = reportgen("build", report, "--format", "docx", "--out", out)
    assert result.returncode == 0 and not stale_lines(result.stderr)
    assert {name: (out / name).read_bytes() for name in before} == before


def test_an_older_record_without_what_was_built_from_says_it_cannot_tell(reportgen, tmp_path):
    import json

    report, out = thematic(tmp_path), tmp_path / "out"
    assert reportgen("build", report, "--format", "html,docx", "--out", out).returncode == 0
    record = out / f".{SLUG}.outputs.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    for entry in data["outputs"].values():
        del entry["inputs"]
    record.write_text(json.dumps(data), encoding="utf-8")
    (line,) = stale_lines(reportgen("build", report, "--format", "docx", "--out", out).stderr)
    assert "what reportgen cannot tell" in line


# --------------------------------------------------------------------------- +edited


pytestmark_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def porcelain(folder: Path) -> str:
    """What real git says is changed in the folder (run by the test, with a clean configuration)."""
    return git(folder, "status", "--porcelain", "--untracked-files=all", "--", ".")


def draft_version(folder: Path) -> str:
    from generator.build import check

    return check(folder, draft=True).draft.version


def committed_report(tmp_path: Path, *init: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", *init)
    report = repo / "reports" / SLUG
    report.parent.mkdir()
    shutil.copytree(THEMATIC, report)
    (report / "notes.txt").write_text("not read by the build\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "report")
    return report


def agree(report: Path, edited: bool) -> None:
    changed = porcelain(report)
    version = draft_version(report)
    assert re.fullmatch(r"Version [0-9a-f]{7,}(\+edited)? \(\d{4}-\d\d-\d\d\)", version), version
    assert bool(changed) is edited, changed
    assert ("+edited" in version) is edited, (version, changed)


@pytestmark_git
@pytest.mark.parametrize("init", [(), ("--object-format=sha256",)], ids=["sha1", "sha256"])
def test_edited_agrees_with_git_status(tmp_path, init):
    if init:
        probe = subprocess.run([GIT, "init", "-q", "--object-format=sha256", str(tmp_path / "probe")],
                               capture_output=True, timeout=60)
        if probe.returncode != 0:
            pytest.skip("this git makes no SHA-256 repositories")
    report = committed_report(tmp_path, *init)
    agree(report, False)
    summary = report / "chapters" / "summary.md"
    original = summary.read_bytes()
    edit(report)
    agree(report, True)  # a file the build reads, changed
    git(report, "add", "-A")
    agree(report, True)  # staged, not committed
    git(report, "reset", "-q")
    summary.write_bytes(original)
    agree(report, False)  # back as committed
    (report / "chapters" / "extra.md").write_text("# Extra\n\nNot listed.\n", encoding="utf-8")
    agree(report, True)  # a file the build reads that the commit lacks
    (report / "chapters" / "extra.md").unlink()
    (report / "notes.txt").unlink()
    agree(report, True)  # a file of the commit deleted
    git(report, "commit", "-q", "-a", "-m", "notes gone")
    agree(report, False)
    git(report.parent.parent, "gc", "-q")  # packed: trees as deltas
    agree(report, False)
    edit(report)
    agree(report, True)


@pytestmark_git
def test_an_untracked_file_the_build_does_not_read_leaves_the_version_clean(tmp_path):
    """Where reportgen and `git status` part: a stray file the build never reads is no edit of
    what the draft shows (git lists it as untracked)."""
    report = committed_report(tmp_path)
    (report / "scratch.txt").write_text("mine\n", encoding="utf-8")
    assert porcelain(report).startswith("?? ")
    assert "+edited" not in draft_version(report)


@pytestmark_git
def test_the_built_draft_carries_plus_edited(tmp_path, reportgen):
    report = committed_report(tmp_path)
    edit(report)
    result = reportgen("build", report, "--draft", "--format", "html", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    from generator.text import file_text

    assert re.search(r"Version [0-9a-f]{7,}\+edited \(", file_text(tmp_path / "out" / f"{SLUG}.html"))


# --------------------------------------------------------------------------- stderr


def test_a_draft_build_prints_only_our_lines_on_stderr(tmp_path):
    report = thematic(tmp_path)  # outside git: a draft without a version, our own warning
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "NO_COLOR")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "generator", "build", report, "--draft", "--format", "pdf,html",
                           "--out", tmp_path / "out"], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines, "the draft's version-missing warning at least"
    assert [line for line in lines if not LOCATED.match(line)] == []
    assert "timestamp" not in done.stderr


def test_the_font_date_filter_drops_those_notes_only():
    import logging

    from generator.fonts import quiet_font_dates

    logger = logging.getLogger("fontTools.ttLib.tables._h_e_a_d")
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    handler = Keep()
    logger.addHandler(handler)
    try:
        quiet_font_dates()
        quiet_font_dates()  # once is enough; twice adds nothing
        logger.warning("'%s' timestamp seems very low; regarding as unix timestamp", "created")
        logger.warning("extra bytes at the end of 'head' table")
    finally:
        logger.removeHandler(handler)
    assert seen == ["extra bytes at the end of 'head' table"]
    assert len(logger.filters) == 1


# --------------------------------------------------------------------------- the progress bar


def test_the_progress_bar_moves_as_each_report_finishes(monkeypatch):
    """Two reports ending together, right after the bar appears: each is counted and drawn as
    it ends (tqdm left an update within its `mininterval` undrawn: the bar sat at 0/2)."""
    from generator.batch import Job, Result, _Progress

    screen = io.StringIO()
    monkeypatch.setattr(sys, "stderr", screen)
    lines = io.StringIO()
    progress = _Progress(2, lines, tty=True)
    progress.started(Job(Path("a"), None))
    progress.started(Job(Path("b"), None))
    assert "building a, b" in screen.getvalue(), "the bar names the reports being built"
    progress.done(Result(Path("a"), True, (Path("out/a/a.html"),)))
    after_first = screen.getvalue()
    progress.done(Result(Path("b"), True, (Path("out/b/b.html"),)))
    after_second = screen.getvalue()
    progress.close()
    assert "1/2" in after_first and "2/2" not in after_first
    assert "2/2" in after_second[len(after_first):]
    assert lines.getvalue().splitlines()[0].startswith("ok      a: 1 file(s)")


@pytestmark_git
def test_a_fetched_thin_pack_whose_delta_bases_come_last_is_read(tmp_path):
    """A fetch keeps a thin pack completed by index-pack --fix-thin: its ref deltas' bases are
    appended at the pack's end, after the deltas (the main checkout's repository had them; the
    version was lost, a delta 'whose base is not before it')."""
    from generator.provenance import folder_version
    from tests.test_provenance import git_says

    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q")
    folder = origin / "report"
    folder.mkdir()
    for n in range(60):
        (folder / f"file-{n:02}.md").write_text(f"# File {n}\n\n" + "Some words of a chapter.\n" * 40, encoding="utf-8")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "first")
    git(tmp_path, "clone", "-q", "--no-local", f"file://{origin}", "copy")
    copy = tmp_path / "copy"
    (folder / "file-07.md").write_text("# File 7\n\nChanged.\n" + "Some words of a chapter.\n" * 40, encoding="utf-8")
    git(origin, "commit", "-q", "-a", "-m", "second", when=1_764_100_000)
    git(copy, "-c", "fetch.unpackLimit=1", "fetch", "-q", "origin")
    git(copy, "merge", "-q", "--ff-only", "origin/main")
    packs = list((copy / ".git" / "objects" / "pack").glob("*.pack"))
    assert len(packs) == 2, "the fetch kept its pack"
    read = [(copy / "report" / "file-07.md").resolve()]  # +edited lists the folder's tree: a delta on a later base
    assert folder_version(copy / "report", read) == git_says(copy / "report") is not None
    (copy / "report" / "file-07.md").write_text("edited\n", encoding="utf-8")
    assert folder_version(copy / "report", read) == git_says(copy / "report").replace(" (", "+edited (")


@pytestmark_git
def test_edited_is_bounded_runs_nothing_and_never_blocks(tmp_path, monkeypatch):
    from generator import provenance
    from generator.provenance import folder_version

    report = committed_report(tmp_path)
    read = sorted(p.resolve() for p in report.rglob("*.md"))
    clean = folder_version(report, read)
    assert clean is not None and "+edited" not in clean

    def refuse(*args, **kwargs):
        raise AssertionError(f"a program was started: {args!r}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    for name in ("system", "execv", "execve", "execvp", "posix_spawn", "posix_spawnp", "fork"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse)
    assert folder_version(report, read) == clean
    fifo = report / "chapters" / "summary.md"
    fifo.unlink()
    os.mkfifo(fifo)  # a FIFO where a file the build read was: never opened for a blocking read
    assert folder_version(report, read) == clean.replace(" (", "+edited (")
    monkeypatch.setattr(provenance, "MAX_LISTED", 3)
    assert folder_version(report, read) is None, "a folder of more entries than listed: no version, as for a bound"
    monkeypatch.setattr(provenance, "MAX_LISTED", 100_000)
    monkeypatch.setattr(provenance, "MAX_HASHED", 10)
    fifo.unlink()
    assert folder_version(report, [p for p in read if p != fifo]) is None
