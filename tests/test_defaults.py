"""`reportgen build` with no --out, run as an author does: from inside the report folder
(`build .`, or `build` with no folder), and from the project root. The outputs go to
`out/<slug>/` in the project root (the nearest folder whose content/ holds the report), else
beside the report folder; never inside it, never relative to the working folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

THEMATIC = ROOT / "content" / "thematic-example"


def program(*args, cwd):
    """The real program in another process, run from `cwd` (this checkout's code on the path)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([sys.executable, "-m", "generator", *map(str, args)], capture_output=True, text=True,
                            cwd=cwd, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.parametrize("args", [("build", ".", "--format", "html"), ("build", "--format", "html")],
                         ids=["build-dot", "build-no-folder"])
def test_build_from_inside_the_report_writes_to_the_project_root_out(tmp_path, args):
    report = tmp_path / "project" / "content" / "thematic-example"
    shutil.copytree(THEMATIC, report)
    result = program(*args, cwd=report)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "project" / "out" / "thematic-example" / "thematic-example.html"
    assert result.stdout.splitlines() == [f"wrote {written}"]
    assert written.is_file() and not (report / "out").exists()
    assert program("check", ".", cwd=report).returncode == 0


def test_a_report_outside_any_content_folder_is_built_beside_itself(tmp_path):
    report = tmp_path / "drafts" / "thematic-example"
    shutil.copytree(THEMATIC, report)
    result = program("build", "--format", "html", cwd=report)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "drafts" / "out" / "thematic-example" / "thematic-example.html").is_file()


def test_from_the_project_root_and_from_elsewhere_the_same_folder(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(THEMATIC, project / "content" / "thematic-example")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd in (project, elsewhere):
        result = program("build", project / "content" / "thematic-example", "--format", "html", cwd=cwd)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"wrote {project / 'out' / 'thematic-example' / 'thematic-example.html'}"
    assert not (elsewhere / "out").exists()


def test_build_with_no_folder_outside_a_report_is_misuse(tmp_path):
    result = program("build", cwd=tmp_path)
    assert result.returncode == 2 and "give the report folder: reportgen build DIR" in result.stderr
