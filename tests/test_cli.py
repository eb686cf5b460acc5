"""The command line as a user meets it: exit status, located messages, no tracebacks, nothing lost."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, SURREY, copy_report
from tests.conftest import run_reportgen as run

LOCATED = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+)(:\d+)?: (error|warning)\[(?P<code>[a-z0-9-]+)\]: .+$")


def test_check_the_example_succeeds():
    result = run("check", SURREY)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_misuse_exits_2():
    assert run("build", "no/such/folder").returncode == 2
    assert run("build", SURREY, "--format", "pdf,odt").returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("text", ROOT / "pyproject.toml").returncode == 2


def test_content_errors_exit_1_located_and_all_at_once(tmp_path):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace("P1.2: {rating: Requires improvement}", "P1.2: {rating: Requires improvment}")
                    .replace("lead_inspector:", "lead_inspecter:"))
    chapter = report / "chapters" / "background.md"
    chapter.write_text(chapter.read_text().replace("{{ sample.licences }}", "{{ sample.licenses }}"))
    result = run("check", report)
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


def test_undefined_name_in_a_chapter_is_located_at_its_line(tmp_path):
    report = copy_report(tmp_path)
    chapter = report / "chapters" / "background.md"
    chapter.write_text(chapter.read_text().replace("{{ sample.licences }}", "{{ sample.licenses }}"))
    result = run("check", report)
    assert result.returncode == 1
    match = LOCATED.match(result.stderr.splitlines()[0])
    assert match["code"] == "jinja-undefined" and match["path"].endswith("chapters/background.md")
    assert "sample.licenses" in chapter.read_text().splitlines()[int(match["line"]) - 1]


def test_a_failed_build_leaves_earlier_outputs_as_they_were(tmp_path):
    out = tmp_path / "out"
    report = copy_report(tmp_path)
    assert run("build", report, "--format", "html", "--out", out).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace("[46, 73, 32]", "[46, 173, 32]"))
    result = run("build", report, "--format", "html", "--out", out)
    assert result.returncode == 1
    assert "error[figure-out-of-range]" in result.stderr and "173 is not a percentage" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_build_writes_slug_named_outputs_and_text_reads_them(tmp_path):
    out = tmp_path / "o"
    result = run("build", SURREY, "--format", "html", "--out", out)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["surrey-pdu.html"]
    text = run("text", out / "surrey-pdu.html")
    assert text.returncode == 0 and "Score 3/21" in text.stdout


def test_build_refuses_to_write_inside_the_content_folder(tmp_path):
    report = copy_report(tmp_path)
    result = run("build", report, "--format", "html", "--out", report / "out")
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
def test_broken_report_yaml_never_tracebacks(tmp_path, case):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(BROKEN_YAML[case](yaml.read_text()))
    result = run("check", report)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and all(LOCATED.match(line) for line in lines), result.stderr


def test_diff_of_two_drafts_shows_only_what_changed(tmp_path):
    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace("[59, 32, 27]", "[81, 85, 90]"))
    result = run("diff", SURREY, report)
    assert result.returncode == 0, result.stderr
    changed = [line for line in result.stdout.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert "-Score 3/21" in changed and "+Score 6/21" in changed
    assert "+Overall rating: Requires improvement" in changed
    assert len(changed) == 14
    assert run("diff", SURREY, ROOT / "pyproject.toml").returncode == 2
