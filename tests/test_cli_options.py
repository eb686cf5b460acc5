"""The command line's conventions (issue 24, items 7 and 8): one options value every build path
takes, -o FILE, -q/-v, colour only on a terminal, `check` in the current folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator.limits import Limits
from generator.writing import Options
from tests.conftest import ROOT

CONTENT = ROOT / "content"
THEMATIC = CONTENT / "thematic-example"


# --------------------------------------------------------------------------- one options value


def test_every_field_of_the_options_is_one_click_option_of_build():
    """A new option is a field of Options and its click option named as the field: nothing else
    to thread. `parallel` is the batch's own (not a user's choice); `limits` is made of two."""
    from generator.cli import cli

    params = {p.name for p in cli.commands["build"].params}
    fields = {f.name for f in dataclasses.fields(Options)}
    assert fields - params == {"parallel", "limits"}
    assert {"time_limit", "memory_limit"} <= params


def _captured(monkeypatch):
    """What generator.build.build and generator.batch.build_one are handed, instead of building."""
    import generator.batch
    import generator.build

    seen = []

    def build(report_dir, out_dir, options, **kwargs):
        seen.append(("build", Path(report_dir).name, options))
        return generator.build.Built(None, {}, generator.build.Diagnostics())

    def build_many(jobs, workers=None, **kwargs):
        seen.extend(("batch", job.report_dir.name, job.options) for job in jobs)
        return []

    monkeypatch.setattr(generator.build, "build", build)
    monkeypatch.setattr(generator.batch, "build_many", build_many)
    return seen


ARGS = ["--format", "html,docx", "--strict", "--allow-remote", "--draft", "--theme", "plain", "--pdf-standard", "ua1",
        "--overwrite-edited", "--time-limit", "50", "--memory-limit", "900", "--frameworks", str(CONTENT)]
EXPECTED = Options(formats=("html", "docx"), strict=True, allow_remote=True, draft=True, theme="plain",
                   pdf_standard="ua1", overwrite_edited=True, limits=Limits(50, 900), framework_dirs=(CONTENT,))


def test_one_report_and_several_get_the_same_options_value(monkeypatch, reportgen, tmp_path):
    seen = _captured(monkeypatch)
    assert reportgen("build", THEMATIC, "--out", tmp_path, *ARGS).returncode == 0
    reportgen("build", THEMATIC, CONTENT / "northshire-yjs", "--out", tmp_path, *ARGS)
    assert seen == [("build", "thematic-example", EXPECTED), ("batch", "thematic-example", EXPECTED),
                    ("batch", "northshire-yjs", EXPECTED)]


def test_the_defaults_are_the_options_defaults_but_the_pdf_standard(monkeypatch, reportgen, tmp_path):
    seen = _captured(monkeypatch)
    reportgen("build", THEMATIC, "--out", tmp_path)
    assert seen[0][2] == Options(pdf_standard="a2+ua1")


def test_a_batch_job_builds_with_its_options_and_parallel_false(monkeypatch, tmp_path):
    import generator.build
    from generator.batch import build_one, plan

    seen = []
    monkeypatch.setattr(generator.build, "build", lambda report_dir, out_dir, options, **kw: seen.append(
        (options, kw)) or generator.build.Built(None, {}, generator.build.Diagnostics()))
    (job,) = plan([THEMATIC], tmp_path, EXPECTED)
    build_one(job)
    assert seen == [(EXPECTED, {"parallel": False})]


def test_the_preview_takes_the_options_value(tmp_path):
    from generator.preview.session import Preview
    from tests.conftest import copy_report

    preview = Preview(copy_report(tmp_path), Options(draft=True, theme="plain"))
    preview.rebuild()
    page = preview.page.decode("utf-8")
    assert 'class="draft-banner"' in page


def test_options_keywords_change_single_fields():
    from generator.build import check

    with pytest.raises(TypeError):
        check(THEMATIC, None, Options(), no_such_option=True)


# --------------------------------------------------------------------------- helpers


def thematic(tmp_path: Path, name: str = "thematic-example") -> Path:
    """A copy of the small example (outside any git repository)."""
    import shutil

    dest = tmp_path / name
    shutil.copytree(THEMATIC, dest)
    return dest


def with_warning(report: Path) -> Path:
    """The report as a draft with no version, outside git: `version-missing`, a warning."""
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "status: draft\n", encoding="utf-8")
    return report


def with_error(report: Path) -> Path:
    yaml = report / "report.yaml"
    text = yaml.read_text(encoding="utf-8")
    assert "framework:" in text
    yaml.write_text(text.replace("framework:", "framwork:", 1), encoding="utf-8")
    return report


def program(*args, cwd: Path = ROOT, env: dict | None = None, tty: bool = False, timeout: float = 120) -> tuple[int, str]:
    """`python -m generator ARGS` in another process; stdout and stderr together as one text. With
    `tty`, on a pseudo-terminal (80 columns) as a user's terminal is; else through a pipe."""
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "generator", *map(str, args)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for name in [k for k, v in environment.items() if v is None]:
        del environment[name]
    if not tty:
        done = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, timeout=timeout)
        return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(command, cwd=cwd, env=environment, stdin=child_fd, stdout=child_fd, stderr=child_fd,
                               close_fds=True)
    os.close(child_fd)
    chunks, end = [], time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([main_fd], [], [], 0.5)
            if ready:
                try:
                    data = os.read(main_fd, 65536)
                except OSError:  # EIO: the child side closed
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        os.close(main_fd)
    return process.returncode, b"".join(chunks).decode("utf-8", "replace")


RED, YELLOW, BOLD = "\x1b[31m", "\x1b[33m", "\x1b[1m"


# --------------------------------------------------------------------------- -o FILE


def test_o_writes_the_one_format_to_the_file_named(reportgen, tmp_path):
    report = thematic(tmp_path)
    target = tmp_path / "elsewhere" / "inspection.html"
    result = reportgen("build", report, "-o", target)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {target}\n"
    assert sorted(p.name for p in target.parent.iterdir()) == [".thematic-example.outputs.json", "inspection.html"]
    from generator.text import file_text

    assert "A thematic inspection: an example of an unrated report" in file_text(target)


def test_o_with_format_checks_the_suffix_and_takes_one_format_and_one_folder(reportgen, tmp_path):
    report = thematic(tmp_path)
    mismatched = reportgen("build", report, "--format", "docx", "-o", tmp_path / "r.pdf")
    assert mismatched.returncode == 2
    assert "-o '" in mismatched.stderr and "ends in '.pdf' but the format is docx" in mismatched.stderr
    assert "name the file r.docx" in mismatched.stderr
    several = reportgen("build", report, "--format", "docx,html", "-o", tmp_path / "r.docx")
    assert several.returncode == 2 and "--format asks for 2 (docx, html)" in several.stderr
    folders = reportgen("build", report, THEMATIC.parent / "northshire-yjs", "-o", tmp_path / "r.html")
    assert folders.returncode == 2 and "give one DIR" in folders.stderr
    unknown = reportgen("build", report, "-o", tmp_path / "r.txt")
    assert unknown.returncode == 2 and "FILE.pdf, FILE.docx or FILE.html" in unknown.stderr
    both = reportgen("build", report, "-o", tmp_path / "r.html", "--out", tmp_path / "o")
    assert both.returncode == 2
    ours = reportgen("build", report, "-o", tmp_path / ".thematic-example.outputs.json", "--format", "html")
    assert ours.returncode == 2
    assert not any(tmp_path.glob("r.*")) and not (tmp_path / "o").exists()
    right = reportgen("build", report, "--format", "docx", "-o", tmp_path / "r.DOCX")
    assert right.returncode == 0, right.stderr
    assert (tmp_path / "r.DOCX").read_bytes()[:2] == b"PK"


def test_o_keeps_the_edited_output_protection(reportgen, tmp_path):
    report = thematic(tmp_path)
    target = tmp_path / "r.html"
    assert reportgen("build", report, "-o", target).returncode == 0
    assert reportgen("build", report, "-o", target).returncode == 0, "its own output, as recorded: replaced"
    target.write_text(target.read_text(encoding="utf-8") + "<!-- mine -->", encoding="utf-8")
    edited = target.read_bytes()
    refused = reportgen("build", report, "-o", target)
    assert refused.returncode == 1 and "error[output-edited]" in refused.stderr
    assert target.read_bytes() == edited
    stranger = tmp_path / "s.html"
    stranger.write_text("somebody's page", encoding="utf-8")
    assert reportgen("build", report, "-o", stranger).returncode == 1, "a file reportgen never wrote"
    assert stranger.read_text(encoding="utf-8") == "somebody's page"
    assert reportgen("build", report, "-o", stranger, "--overwrite-edited").returncode == 0
    assert "<html" in stranger.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if ".build-" in p.name], "no staging folder left"


def test_o_inside_the_report_folder_is_refused(reportgen, tmp_path):
    report = thematic(tmp_path)
    result = reportgen("build", report, "-o", report / "x.html")
    assert result.returncode == 1 and "error[out-inside-content]: the output file" in result.stderr
    assert not (report / "x.html").exists()


# --------------------------------------------------------------------------- -q, -v


def test_quiet_prints_errors_only(reportgen, tmp_path):
    report = with_warning(thematic(tmp_path))
    loud = reportgen("check", report)
    assert loud.returncode == 0 and "warning[version-missing]" in loud.stderr and loud.stdout
    quiet = reportgen("check", report, "-q")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    built = reportgen("build", report, "--format", "html", "--out", tmp_path / "out", "--quiet")
    assert (built.returncode, built.stdout, built.stderr) == (0, "", "")
    assert (tmp_path / "out" / "thematic-example.html").is_file()
    failed = reportgen("check", with_error(report), "-q")
    assert failed.returncode == 1 and "error[key-" in failed.stderr and "warning[" not in failed.stderr


def test_quiet_with_strict_still_shows_the_warnings_that_fail_it(reportgen, tmp_path):
    report = with_warning(thematic(tmp_path))
    result = reportgen("check", report, "-q", "--strict")
    assert result.returncode == 1 and "warning[version-missing]" in result.stderr


def test_quiet_batch_prints_nothing_when_all_is_well(reportgen, tmp_path):
    result = reportgen("build", THEMATIC, CONTENT / "northshire-yjs", "--format", "html", "--out", tmp_path,
                       "--jobs", "1", "-q")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "northshire-yjs" / "northshire-yjs.html").is_file()


def test_verbose_prints_each_stage_and_its_time(reportgen, tmp_path):
    import re

    result = reportgen("build", thematic(tmp_path), "--format", "html,docx", "--out", tmp_path / "out", "-v")
    assert result.returncode == 0, result.stderr
    stages = re.findall(r"^reportgen: (.+?) +(\d+\.\d\d) s$", result.stderr, re.M)
    assert [name for name, _ in stages] == ["load", "validate", "resolve", "merge", "parse and assemble",
                                            "write html", "write docx", "publish", "built in"]
    checked = reportgen("check", THEMATIC, "--verbose")
    assert "reportgen: parse and assemble" in checked.stderr and "write" not in checked.stderr
    assert "reportgen: load" not in reportgen("check", THEMATIC).stderr


def test_quiet_and_verbose_together_are_misuse(reportgen):
    result = reportgen("check", THEMATIC, "-q", "-v")
    assert result.returncode == 2 and "give one" in result.stderr


# --------------------------------------------------------------------------- check in the current folder


def test_check_defaults_to_the_current_folder(reportgen, tmp_path, monkeypatch):
    report = thematic(tmp_path)
    monkeypatch.chdir(report)
    result = reportgen("check")
    assert (result.returncode, result.stdout) == (0, ".: ok\n"), result.stderr
    monkeypatch.chdir(tmp_path)
    outside = reportgen("check")
    assert outside.returncode == 2 and "reportgen check DIR" in outside.stderr


# --------------------------------------------------------------------------- colour


def test_colour_on_a_terminal_errors_red_warnings_yellow_paths_bold(tmp_path):
    report = with_error(with_warning(thematic(tmp_path)))
    status, out = program("check", report, tty=True, env={"NO_COLOR": None})
    assert status == 1
    error = next(line for line in out.splitlines() if "error[" in line)
    assert error.startswith(BOLD) and f"{RED}" in error and "\x1b[0m" in error
    assert "error[key-" in error


def test_colour_on_a_terminal_for_a_warning(tmp_path):
    status, out = program("check", with_warning(thematic(tmp_path)), tty=True, env={"NO_COLOR": None})
    assert status == 0
    assert f"{YELLOW}" in next(line for line in out.splitlines() if "warning[" in line)


@pytest.mark.parametrize("env, args", [({"NO_COLOR": "1"}, ()), ({"NO_COLOR": "anything"}, ()),
                                       ({"NO_COLOR": None}, ("--no-color",))])
def test_no_colour_with_no_color_set_or_no_color_given(tmp_path, env, args):
    status, out = program("check", with_error(thematic(tmp_path)), *args, tty=True, env=env)
    assert status == 1 and "error[key-" in out
    assert "\x1b[" not in out


def test_no_colour_through_a_pipe_unless_asked(tmp_path):
    report = with_error(thematic(tmp_path))
    status, out = program("check", report, env={"NO_COLOR": None})
    assert status == 1 and "error[key-" in out and "\x1b[" not in out
    status, out = program("--color", "check", report, env={"NO_COLOR": "1"})
    assert status == 1 and RED in out, "--color wins over NO_COLOR (no-color.org)"


def test_a_users_escape_sequence_in_a_message_stays_escaped_in_colour(tmp_path, reportgen):
    from generator.cli import styled

    line = "a.md:3: error[x]: \\x1b[2J"
    assert styled(line).endswith(": \\x1b[2J") and "\x1b[2J" not in styled(line)
    assert styled("build failed: 2 problem(s)") == "build failed: 2 problem(s)"


def test_one_file_takes_one_format_and_one_report_in_the_api_too(tmp_path):
    from generator.batch import plan
    from generator.build import build

    with pytest.raises(ValueError):
        build(THEMATIC, None, Options(output=tmp_path / "x.html", formats=("html", "docx")))
    with pytest.raises(ValueError):
        plan([THEMATIC], tmp_path, Options(output=tmp_path / "x.html", formats=("html",)))
    assert not any(tmp_path.iterdir())


def test_colour_through_click_s_runner(tmp_path, monkeypatch):
    """click's own test runner, told the stream is coloured: red errors, unless --no-color or NO_COLOR."""
    from click.testing import CliRunner

    from generator.cli import cli

    report = with_error(thematic(tmp_path))
    monkeypatch.delenv("NO_COLOR", raising=False)
    runner = CliRunner()
    coloured = runner.invoke(cli, ["check", str(report)], color=True)
    assert coloured.exit_code == 1 and RED in coloured.output
    plain = runner.invoke(cli, ["check", "--no-color", str(report)], color=True)
    assert plain.exit_code == 1 and "error[key-" in plain.output and "\x1b[" not in plain.output
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in runner.invoke(cli, ["check", str(report)], color=True).output
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set, as no-color.org says
    assert RED in runner.invoke(cli, ["check", str(report)], color=True).output
