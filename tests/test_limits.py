"""Each build within its time and memory (generator/limits.py, `build --time-limit`, `--memory-limit`):
past either, the report fails alone with a located `build-limit` error and its earlier outputs
unchanged; a batch goes on with its other reports, and a batch stopped by SIGTERM leaves no
process behind. The hangs come from tests/hooks/sitecustomize.py (test-only), loaded into every
process of a `reportgen` subprocess run by `run_hooked`."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import generator.build
import generator.writing
from tests.conftest import ROOT

CONTENT = ROOT / "content"
HOOKS = Path(__file__).resolve().parent / "hooks"


def hooked_env(hang: str, **extra) -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(HOOKS), str(ROOT)]), "PYTHONWARNINGS": "ignore",
            "REPORTGEN_TEST_HANG": hang, **extra}


def session_processes(sid: int) -> list[str]:
    """The processes of session `sid` (a `reportgen` started in a session of its own), as
    'pid command' lines; their parent chain leads to it or to what it spawned (the forkserver)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(f"{entry.name} {command[:120]}")
    return found


def two_reports(tmp_path: Path) -> tuple[Path, Path]:
    good, bad = tmp_path / "good", tmp_path / "hangs"
    shutil.copytree(CONTENT / "thematic-example", good)
    shutil.copytree(CONTENT / "thematic-example", bad)
    return good, bad


def earlier_outputs(out: Path, *names: str) -> dict[Path, bytes]:
    """Outputs 'from an earlier build' for each report, to be found unchanged."""
    kept = {}
    for name in names:
        (out / name).mkdir(parents=True)
        for fmt in ("html", "docx"):
            path = out / name / f"{name}.{fmt}"
            path.write_bytes(f"earlier {name}.{fmt}".encode())
            kept[path] = path.read_bytes()
    return kept


@pytest.mark.parametrize("mode", ["hang", "stuck"])
def test_a_report_that_hangs_fails_alone_in_a_batch(tmp_path, mode):
    """`hang` (in its first stage): stopped by the worker's own alarm at the limit; `stuck` (while
    writing, the alarm blocked, as in a C library): killed by the batch once the limit and the
    grace have passed, and its staging folder removed."""
    good, bad = two_reports(tmp_path)
    out = tmp_path / "out"
    kept = earlier_outputs(out, "hangs")
    env = hooked_env("hangs", REPORTGEN_TEST_HANG_MODE=mode, REPORTGEN_TEST_GRACE="1",
                     REPORTGEN_TEST_HANG_AT="load" if mode == "hang" else "write")
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", good, bad, "--format", "html,docx",
                                "--out", out, "--jobs", "2", "--time-limit", "3"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in stderr, stderr
    assert process.returncode == 1, stderr
    assert "FAILED  hangs: 1 problem(s); nothing was written" in stdout.splitlines()
    assert f"{bad.relative_to(tmp_path)}: error[build-limit]: the build took longer than 3 s (the limit; raise it " \
           "with --time-limit SECONDS)" in stderr.splitlines()
    assert stderr.splitlines()[-1] == "1 of 2 report(s) built; failed: hangs"
    assert "<title>A thematic inspection" in (out / "good" / "good.html").read_text(encoding="utf-8")
    assert (out / "good" / "good.docx").stat().st_size > 1000
    assert {path: path.read_bytes() for path in kept} == kept, "the hung report's earlier outputs are unchanged"
    assert sorted(p.name for p in (out / "hangs").iterdir()) == ["hangs.docx", "hangs.html"], "no staging left"
    assert session_processes(process.pid) == [], "no worker, forkserver or resource tracker left"


def test_a_report_whose_process_is_killed_fails_alone_in_a_batch(tmp_path):
    """A worker killed outright (the kernel's OOM killer, short of memory) while writing: a located
    error for its report, its staging folder removed, the other report built."""
    good, bad = two_reports(tmp_path)
    out = tmp_path / "out"
    kept = earlier_outputs(out, "hangs")
    env = hooked_env("hangs", REPORTGEN_TEST_HANG_MODE="killed", REPORTGEN_TEST_HANG_AT="write")
    result = subprocess.run([sys.executable, "-m", "generator", "build", good, bad, "--format", "html", "--out", out,
                             "--jobs", "2"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert f"{bad.relative_to(tmp_path)}: error[build-limit]: the build's process was killed by SIGKILL (by the " \
           "system, short of memory?); nothing was written" in result.stderr.splitlines()
    assert "<title>A thematic inspection" in (out / "good" / "good.html").read_text(encoding="utf-8")
    assert {path: path.read_bytes() for path in kept} == kept
    assert sorted(p.name for p in (out / "hangs").iterdir()) == ["hangs.docx", "hangs.html"], "no staging left"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_batch_stopped_by_a_signal_leaves_no_process_behind(tmp_path, signum):
    """SIGTERM: the batch stops its workers and servers itself. SIGKILL: each worker finds its
    batch gone (its lifeline pipe ends) and stops itself; the servers end with the last of them."""
    good, bad = tmp_path / "a", tmp_path / "b"
    shutil.copytree(CONTENT / "thematic-example", good)
    shutil.copytree(CONTENT / "thematic-example", bad)
    out = tmp_path / "out"
    kept = earlier_outputs(out, "a", "b")
    # files, not pipes: a process left behind would hold a pipe open, and the test would wait on it
    with open(tmp_path / "stderr", "w+") as errors:
        process = subprocess.Popen([sys.executable, "-m", "generator", "build", good, bad, "--format", "html,docx",
                                    "--out", out, "--jobs", "2"], cwd=tmp_path, env=hooked_env("a,b"),
                                   stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
    try:
        # both workers building (the parent, the forkserver, the resource tracker and two workers)
        for _ in range(600):
            if len(session_processes(process.pid)) >= 5 or process.poll() is not None:
                break
            time.sleep(0.1)
        assert len(session_processes(process.pid)) >= 5, session_processes(process.pid)
        process.send_signal(signum)
        process.wait(timeout=120)
        for _ in range(300):  # the orphans of a SIGKILL stop on their own, in a moment
            left = session_processes(process.pid)
            if not left:
                break
            time.sleep(0.1)
        time.sleep(1)  # and nothing is started again
        left = session_processes(process.pid)
        stderr = (tmp_path / "stderr").read_text()
    finally:
        os.killpg(process.pid, signal.SIGKILL) if session_processes(process.pid) else None
        process.wait()
    assert left == [], "a stopped batch leaves no process behind"
    assert "Traceback" not in stderr, stderr
    if signum == signal.SIGTERM:
        assert process.returncode == 128 + signal.SIGTERM
        assert stderr.strip().splitlines()[-1] == ("reportgen: interrupted (interrupted by SIGTERM); the previous "
                                                   "outputs are unchanged")
    assert {path: path.read_bytes() for path in kept} == kept
    assert sorted(p.name for p in out.rglob("*")) == ["a", "a.docx", "a.html", "b", "b.docx", "b.html"]


# --------------------------------------------------------------------------- one build, in this process

def test_a_build_that_hangs_stops_at_its_time_limit(tmp_path, reportgen, monkeypatch):
    report, _ = two_reports(tmp_path)
    out = tmp_path / "out"
    kept = earlier_outputs(out, "good")

    def hang(*args, **kwargs):
        while True:
            time.sleep(3600)

    monkeypatch.setattr(generator.build, "load", hang)
    result = reportgen("build", report, "--format", "html,docx", "--out", out, "--time-limit", "1")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{report}: error[build-limit]: the build took longer than 1 s (the limit; raise it with --time-limit SECONDS)",
        "build failed: 1 problem(s); nothing was written"]
    assert {path: path.read_bytes() for path in kept} == kept
    assert sorted(p.name for p in (out / "good").iterdir()) == ["good.docx", "good.html"]


def test_a_build_that_needs_too_much_memory_stops_at_its_limit(tmp_path, reportgen, monkeypatch):
    report, _ = two_reports(tmp_path)
    out = tmp_path / "out"
    kept = earlier_outputs(out, "good")
    load = generator.build.load

    def greedy(*args, **kwargs):
        held = bytearray(3 << 30)  # 3 GB: past a 500 MB limit
        return load(*args, **kwargs) if held else None

    monkeypatch.setattr(generator.build, "load", greedy)
    result = reportgen("build", report, "--format", "html", "--out", out, "--memory-limit", "500")
    assert result.returncode == 1
    assert f"{report}: error[build-limit]: the build needed more than 500 MB of memory (the limit; raise it with " \
           "--memory-limit MB)" in result.stderr.splitlines()
    assert {path: path.read_bytes() for path in kept} == kept


def test_the_pdf_process_is_held_to_the_memory_limit(tmp_path, monkeypatch):
    """The PDF is written in a forked process (generator/writing.py), which caps its own memory
    (started here as the command line starts it, whatever threads this test run has)."""
    from generator.diagnostics import ContentError
    from generator.limits import Limits

    report, _ = two_reports(tmp_path)
    out = tmp_path / "out"
    kept = earlier_outputs(out, "good")
    write = generator.writing.write_pdf_job
    in_parent = os.getpid()

    def greedy(*args, **kwargs):
        assert os.getpid() != in_parent, "the PDF is written apart"
        held = bytearray(3 << 30)
        return write(*args, **kwargs) if held else None

    monkeypatch.setattr(generator.writing, "write_pdf_job", greedy)
    limits = Limits(memory_mb=500)
    with pytest.raises(ContentError) as failed:
        generator.build.build(report, out, formats=("pdf", "html"), pdf_process=generator.writing.PdfProcess(limits.memory),
                              limits=limits)
    assert [str(d) for d in failed.value.diagnostics.sorted()] == [
        f"{failed.value.diagnostics.show(report)}: error[build-limit]: the build needed more than 500 MB of memory "
        "(the limit; raise it with --memory-limit MB)"]
    assert {path: path.read_bytes() for path in kept} == kept


def test_a_batch_in_this_process_leaves_no_helper_process_running(tmp_path):
    """The forkserver and resource tracker a batch starts end with it, not with the interpreter
    (a long-lived caller, such as this test run, would keep them otherwise)."""
    from generator.batch import Job, build_many
    from generator.writing import Options

    def helpers() -> list[str]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[2] if entry.name.isdigit() else ""
                if parent == str(os.getpid()):
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    found += [command[:100]] if "multiprocessing" in command else []
            except OSError:
                continue
        return found

    jobs = [Job(CONTENT / name, tmp_path / name, Options(formats=("html",))) for name in ("thematic-example", "northshire-yjs")]
    results = build_many(jobs, 2, stream=io.StringIO(), tty=False)
    assert [r.ok for r in results] == [True, True]
    assert (tmp_path / "northshire-yjs" / "northshire-yjs.html").is_file()
    assert helpers() == []
