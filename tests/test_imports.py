"""Pay only for what a command uses: which modules a fresh `reportgen` process imports.

Each command runs in its own Python process (as a user runs it) and reports `sys.modules` when it
exits; WeasyPrint, python-docx and pikepdf are slow to import, so a command that does not write
or read their format must not import them (bench/README.md has the import-cost table).
"""

from __future__ import annotations

import json
import re
import shutil
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SURREY

HEAVY = ("weasyprint", "docx", "pikepdf")

PROBE = """
import atexit, json, sys
def report():
    with open(sys.argv[1], "w") as handle:
        json.dump(sorted(sys.modules), handle)
atexit.register(report)
from generator.cli import main
main(sys.argv[2:])
"""


def imported(tmp_path, *args, in_order: bool = True) -> set[str]:
    """The modules a `reportgen ARGS` process had imported when it exited. `in_order`: every
    format written in that process (REPORTGEN_BUILD_JOBS=1); else a PDF is written by a child
    process (generator/writing.py) whose imports are not the parent's."""
    out = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if in_order:
        env["REPORTGEN_BUILD_JOBS"] = "1"
    else:
        env.pop("REPORTGEN_BUILD_JOBS", None)
    done = subprocess.run([sys.executable, "-c", PROBE, str(out), *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    return set(json.loads(out.read_text()))


def tops(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.fixture(scope="module")
def imageless(tmp_path_factory) -> Path:
    """The example without its cover's crest: checking an image reads its header as python-docx
    will (generator/stages/parse/images.py), which imports python-docx; these tests are about the
    commands' own imports."""
    report = tmp_path_factory.mktemp("imageless") / "surrey-pdu"
    shutil.copytree(SURREY, report)
    text = (report / "report.yaml").read_text(encoding="utf-8")
    (report / "report.yaml").write_text(re.sub(r"\n  logo: [^\n]*\n", "\n", text), encoding="utf-8")
    return report


@pytest.mark.parametrize("args", [("--help",), ("check", "REPORT"), ("new", "--help")], ids=["help", "check", "new"])
def test_commands_that_write_nothing_import_no_writer_library(tmp_path, args, imageless):
    modules = imported(tmp_path, *(imageless if a == "REPORT" else a for a in args))
    assert not tops(modules) & set(HEAVY), sorted(tops(modules) & set(HEAVY))
    assert not any(m.startswith(("generator.writers", "generator.checks")) for m in modules)


def test_help_imports_no_stage_and_no_pydantic(tmp_path):
    modules = imported(tmp_path, "--help")
    assert not tops(modules) & {"pydantic", "jinja2", "yaml", "markdown"}
    assert not any(m.startswith("generator.stages") for m in modules)


def test_text_and_diff_of_html_import_no_writer_library(tmp_path, surrey_build):
    html = surrey_build.outputs["html"]
    for args in (("text", html), ("diff", html, html)):
        modules = imported(tmp_path, *args)
        assert not tops(modules) & set(HEAVY), (args, sorted(tops(modules) & set(HEAVY)))


@pytest.mark.parametrize("fmt, needs, never", [
    ("html", set(), {"weasyprint", "docx", "pikepdf"}),
    ("docx", {"docx"}, {"weasyprint", "pikepdf"}),
    ("pdf", {"weasyprint", "pikepdf"}, {"docx"}),
])
def test_a_build_imports_only_its_format_s_writer_and_checker(tmp_path, fmt, needs, never, imageless):
    modules = imported(tmp_path, "build", imageless, "--format", fmt, "--out", tmp_path / "out")
    assert needs <= tops(modules) and not tops(modules) & never, sorted(tops(modules) & (needs | never))
    others = {"pdf", "docx", "html"} - {fmt}
    assert f"generator.checks.{fmt}" in modules
    assert not {f"generator.checks.{o}" for o in others} & modules
    assert not {f"generator.writers.{o}" for o in others - {"html"}} & modules
    assert "generator.writers.docx.pagination" not in modules, "LibreOffice's pass only when asked for"


def test_with_the_pdf_apart_the_build_process_imports_no_writer_library(tmp_path):
    """The PDF's own process imports WeasyPrint and pikepdf (while this one checks the report)."""
    modules = imported(tmp_path, "build", SURREY, "--out", tmp_path / "out", in_order=False)
    assert not tops(modules) & {"weasyprint", "pikepdf"}, sorted(tops(modules) & {"weasyprint", "pikepdf"})
    assert "docx" in tops(modules) and "generator.checks.docx" in modules
    assert not {"generator.checks.pdf", "generator.writers.pdf"} & modules
    assert (tmp_path / "out" / "surrey-pdu.pdf").stat().st_size > 50_000


def test_the_probe_sees_an_import(tmp_path):
    """The test can fail: a PDF build does import WeasyPrint, and the probe says so."""
    modules = imported(tmp_path, "build", SURREY, "--format", "pdf", "--out", tmp_path / "out")
    assert "weasyprint" in modules and "generator.checks.pdf" in modules
