"""The command line as a user meets it: exit status, located messages, no tracebacks, nothing lost.

Commands run in this process (`generator.cli.main`, the `reportgen` fixture); two tests run the
program as a user does, `python -m generator`, where a second process is the point: the exit
status of the real program, and a build that must give the same bytes in another process.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SURREY, copy_report, run_reportgen

LOCATED = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+)(:\d+)?: (error|warning)\[(?P<code>[a-z0-9-]+)\]: .+$")


def test_check_the_example_succeeds(reportgen):
    result = reportgen("check", SURREY)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == f"{SURREY}: ok\n"


def test_misuse_exits_2(reportgen):
    assert reportgen("build", "no/such/folder").returncode == 2
    assert reportgen("build", SURREY, "--format", "pdf,odt").returncode == 2
    assert reportgen("frobnicate").returncode == 2
    assert reportgen("text", ROOT / "pyproject.toml").returncode == 2


def test_the_program_exits_2_on_misuse_with_a_message_not_a_traceback():
    result = run_reportgen("build", "no/such/folder")
    assert result.returncode == 2
    assert "'no/such/folder' is not a folder" in result.stderr and result.stdout == ""


def test_a_plain_build_in_another_process_writes_the_same_bytes(tmp_path, surrey_build):
    """Output is deterministic across processes (the PDF repair keys on object ids, which differ
    from process to process), and a build with no --format writes PDF, DOCX and HTML."""
    result = run_reportgen("build", SURREY, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [f"wrote {tmp_path / 'surrey-pdu'}.{fmt}" for fmt in ("pdf", "docx", "html")]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".surrey-pdu.outputs.json", "surrey-pdu.docx",
                                                          "surrey-pdu.html", "surrey-pdu.pdf"]
    for fmt, ours in surrey_build.outputs.items():
        assert (tmp_path / f"surrey-pdu.{fmt}").read_bytes() == ours.read_bytes(), fmt


def test_content_errors_exit_1_located_and_all_at_once(tmp_path, reportgen):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace("P1.2: {rating: Requires improvement}", "P1.2: {rating: Requires improvment}")
                    .replace("lead_inspector:", "lead_inspecter:"))
    chapter = report / "chapters" / "background.md"
    chapter.write_text(chapter.read_text().replace("{{ sample.licences }}", "{{ sample.licenses }}"))
    result = reportgen("check", report)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert all(LOCATED.match(line) for line in lines), lines
    codes = {LOCATED.match(line)["code"] for line in lines}
    assert {"rating-unknown", "key-unknown", "key-missing"} <= codes
    rating = next(line for line in lines if "rating-unknown" in line)
    assert "did you mean 'Requires improvement'?" in rating
    line_no = int(LOCATED.match(rating)["line"])
    assert "Requires improvment" in yaml.read_text().splitlines()[line_no - 1]
    key = next(line for line in lines if "key-unknown" in line)
    assert "did you mean 'lead_inspector'?" in key


def test_undefined_name_in_a_chapter_is_located_at_its_line(tmp_path, reportgen):
    report = copy_report(tmp_path)
    chapter = report / "chapters" / "background.md"
    chapter.write_text(chapter.read_text().replace("{{ sample.licences }}", "{{ sample.licenses }}"))
    result = reportgen("check", report)
    assert result.returncode == 1
    match = LOCATED.match(result.stderr.splitlines()[0])
    assert match["code"] == "jinja-undefined" and match["path"].endswith("chapters/background.md")
    assert "sample.licenses" in chapter.read_text().splitlines()[int(match["line"]) - 1]


def test_a_failed_build_leaves_earlier_outputs_as_they_were(tmp_path, reportgen):
    out = tmp_path / "out"
    report = copy_report(tmp_path)
    assert reportgen("build", report, "--format", "html", "--out", out).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace("[46, 73, 32]", "[46, 173, 32]"))
    result = reportgen("build", report, "--format", "html", "--out", out)
    assert result.returncode == 1
    assert "error[figure-out-of-range]" in result.stderr and "173 is not a percentage" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_build_writes_slug_named_outputs_and_text_reads_them(tmp_path, reportgen):
    out = tmp_path / "o"
    result = reportgen("build", SURREY, "--format", "html", "--out", out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".surrey-pdu.outputs.json", "surrey-pdu.html"]
    text = reportgen("text", out / "surrey-pdu.html")
    assert text.returncode == 0 and "Score 3/21" in text.stdout


def test_build_refuses_to_write_inside_the_content_folder(tmp_path, reportgen):
    report = copy_report(tmp_path)
    result = reportgen("build", report, "--format", "html", "--out", report / "out")
    assert result.returncode == 1
    assert "out-inside-content" in result.stderr
    assert not (report / "out").exists()


BROKEN_YAML = {
    "unknown-framework": lambda text: text.replace("framework: hmip-pdu-2023", "framework: hmip-pdu-2032"),
    "syntax": lambda text: text.replace("metadata:\n", "metadata: [\n", 1),
    "empty": lambda text: "",
    "not-a-mapping": lambda text: "- just\n- a list\n",
    "tab-indent": lambda text: text.replace("  title:", "\ttitle:", 1),
}


@pytest.mark.parametrize("case", sorted(BROKEN_YAML))
def test_broken_report_yaml_never_tracebacks(tmp_path, case, reportgen):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(BROKEN_YAML[case](yaml.read_text()))
    result = reportgen("check", report)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and all(LOCATED.match(line) for line in lines), result.stderr


def test_diff_of_two_drafts_shows_only_what_changed(tmp_path, reportgen):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace("[59, 32, 27]", "[81, 85, 90]"))
    result = reportgen("diff", SURREY, report)
    assert result.returncode == 1, result.stderr  # like diff(1): 1 when they differ
    changed = [line for line in result.stdout.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert "-Score 3/21" in changed and "+Score 6/21" in changed
    assert "+Overall rating: Requires improvement" in changed
    assert len(changed) == 14
    assert reportgen("diff", SURREY, ROOT / "pyproject.toml").returncode == 2


@pytest.mark.parametrize("call, frozen", [("main()", True), ("main(['--version'])", False)])
def test_the_program_skips_python_s_last_full_collection_and_a_caller_keeps_its_own(call, frozen):
    """Run as the program (`main()`, argv from the command line), reportgen freezes what is left
    before Python shuts down (its last full collection would walk every object for nothing); a
    caller that passes its own argv (a test, another tool) keeps its garbage collector as it was.
    The exit status and atexit handlers are as before."""
    probe = ("import atexit, gc, sys\n"
             "atexit.register(lambda: print('frozen', gc.get_freeze_count(), file=sys.stderr))\n"
             "sys.argv = ['reportgen', '--version']\n"
             f"from generator.cli import main\n{call}\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "reportgen" in done.stdout, done.stderr
    count = int(re.search(r"frozen (\d+)", done.stderr)[1])
    assert (count > 1000) is frozen, count
