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
