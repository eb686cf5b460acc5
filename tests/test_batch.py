"""`reportgen build DIR DIR...`: several reports at once in a process pool, a summary line each,
exit 1 if any failed (its diagnostics shown), the same bytes as building each alone."""

from __future__ import annotations

import io
import shutil

from generator.batch import Job, build_many
from generator.build import build
from generator.writing import Options
from tests.conftest import ROOT

CONTENT = ROOT / "content"


def test_several_reports_build_in_a_pool_each_into_its_own_folder(tmp_path, reportgen):
    folders = [CONTENT / "thematic-example", CONTENT / "northshire-yjs"]
    result = reportgen("build", *folders, "--format", "html,docx", "--out", tmp_path / "out", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sorted(line.split(":")[0] for line in lines[:2]) == ["ok      northshire-yjs", "ok      thematic-example"]
    assert "\r" not in result.stdout + result.stderr, "no progress bar when not on a terminal"
    assert lines[2:] == ["2 of 2 report(s) built"] and result.stderr == ""
    for folder in folders:
        alone = build(folder, tmp_path / "alone" / folder.name, formats=("html", "docx"))
        for fmt, path in alone.outputs.items():
            pooled = tmp_path / "out" / folder.name / path.name
            assert pooled.read_bytes() == path.read_bytes(), f"{folder.name}.{fmt}: same bytes as a build alone"


def test_a_failed_report_fails_the_batch_shows_its_problems_and_spares_the_others(tmp_path, reportgen):
    broken = tmp_path / "broken"
    shutil.copytree(CONTENT / "thematic-example", broken)
    yaml = broken / "report.yaml"
    yaml.write_text(yaml.read_text().replace("framework:", "framwork:", 1))
    result = reportgen("build", CONTENT / "thematic-example", broken, "--format", "html",
                       "--out", tmp_path / "out", "--jobs", "2")
    assert result.returncode == 1
    assert "FAILED  broken: 2 problem(s); nothing was written" in result.stdout.splitlines()
    assert "error[key-unknown]: unknown key 'framwork'; did you mean 'framework'?" in result.stderr
    assert result.stderr.strip().endswith("1 of 2 report(s) built; failed: broken")
    assert (tmp_path / "out" / "thematic-example" / "thematic-example.html").is_file()
    assert not (tmp_path / "out" / "broken").exists() or not any((tmp_path / "out" / "broken").iterdir())


def test_two_reports_of_the_same_name_are_misuse(tmp_path, reportgen):
    twin = tmp_path / "thematic-example"
    shutil.copytree(CONTENT / "thematic-example", twin)
    result = reportgen("build", CONTENT / "thematic-example", twin, "--out", tmp_path / "out")
    assert result.returncode == 2 and "have the same name 'thematic-example'" in result.stderr


def test_on_a_terminal_a_progress_bar_counts_the_reports(tmp_path, capsys):
    jobs = [Job(CONTENT / "thematic-example", tmp_path / "t", Options(formats=("html",)))]
    lines = io.StringIO()
    (result,) = build_many(jobs, 1, stream=lines, tty=True)
    assert result.ok and result.outputs == (tmp_path / "t" / "thematic-example.html",)
    assert lines.getvalue().startswith("ok      thematic-example: 1 file(s) in ")
    assert "0/1 [" in capsys.readouterr().err, "the bar, on stderr"


def test_a_pooled_build_does_not_also_write_its_formats_in_parallel(monkeypatch, tmp_path):
    """The hook for parallel formats inside one build (issue 12): the pool's workers pass
    parallel=False (the pool is the parallelism); --jobs 1 builds in this process, parallel=True."""
    import generator.build

    seen = []
    monkeypatch.setattr(generator.build, "build", lambda *args, parallel, **options: seen.append(parallel) or
                        generator.build.Built(None, {}, generator.build.Diagnostics()))
    job = Job(CONTENT / "thematic-example", tmp_path, Options(formats=("html",)))
    from generator.batch import build_one

    build_one(job)
    build_many([job], 1, stream=io.StringIO(), tty=False)
    assert seen == [False, True]
