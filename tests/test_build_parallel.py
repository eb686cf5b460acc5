"""Both cores within one build (generator/writing.py `PdfProcess`, generator/publish.py `Forked`):
the PDF is written by a forked child process, started before the report is read, while this one
writes the DOCX and HTML. The same files, the same diagnostics, all or none published; off for a
caller that runs builds in parallel itself."""

from __future__ import annotations

import os

import pytest

from generator import build as build_module
from generator import writing
from generator.build import FORMATS, build
from generator.diagnostics import ContentError
from tests.conftest import SURREY, copy_report


def test_every_build_with_a_pdf_writes_it_apart(monkeypatch):
    monkeypatch.setattr(writing, "can_fork", lambda: True)
    chosen = {fmts: writing.pdf_apart(writing.Options(), fmts)
              for fmts in (FORMATS, ("pdf", "html"), ("pdf",), ("docx", "html"))}
    assert chosen == {FORMATS: True, ("pdf", "html"): True, ("pdf",): True, ("docx", "html"): False}
    monkeypatch.setattr(writing, "can_fork", lambda: False)  # one core, or threads running
    assert not writing.pdf_apart(writing.Options(), FORMATS)


@pytest.fixture
def can_fork(monkeypatch):
    """Fork even if an earlier test left a thread running (`can_fork` refuses then)."""
    monkeypatch.setattr(writing, "can_fork", lambda: True)


def test_apart_and_in_order_write_the_same_bytes_and_diagnostics(tmp_path, can_fork):
    one = build(SURREY, tmp_path / "one", parallel=False)
    two = build(SURREY, tmp_path / "two", parallel=True)
    for fmt in FORMATS:
        assert one.outputs[fmt].read_bytes() == two.outputs[fmt].read_bytes(), fmt
    assert one.diagnostics.sorted() == two.diagnostics.sorted()
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted([".surrey-pdu.outputs.json",
                                                                          *(f"surrey-pdu.{f}" for f in FORMATS)])


def test_the_child_s_diagnostics_come_back_and_an_error_there_publishes_nothing(tmp_path, monkeypatch, can_fork):
    report = copy_report(tmp_path)
    out = tmp_path / "out"
    built = build(report, out, formats=("pdf", "docx"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = writing.write_pdf_job

    def failing(job, target, diags, inspect=None):
        real(job, target, diags, inspect)
        diags.warning("made-in-the-child", f"pid {os.getpid()}", job.report_dir / "report.yaml")
        diags.error("pdf-failed-in-the-child", "as if an image could not be read", job.report_dir / "report.yaml")

    monkeypatch.setattr(writing, "write_pdf_job", failing)
    with pytest.raises(ContentError) as caught:
        build(report, out, formats=("pdf", "docx"), parallel=True)
    codes = {d.code: d.message for d in caught.value.diagnostics.items}
    assert "pdf-failed-in-the-child" in codes
    assert codes["made-in-the-child"] != f"pid {os.getpid()}"  # it was written by another process
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing published, nothing left
    assert built.outputs


@pytest.mark.parametrize("where", ["child", "parent"])
def test_an_exception_on_either_side_fails_the_build_as_in_order(tmp_path, monkeypatch, can_fork, where):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if where == "child":
        monkeypatch.setattr(writing, "write_pdf_job", full_disk)
    else:
        monkeypatch.setitem(writing.WRITERS, "html", full_disk)
    with pytest.raises(ContentError) as caught:
        build(SURREY, tmp_path / "out", formats=("pdf", "html"), parallel=True)
    assert [d.code for d in caught.value.diagnostics.errors] == ["output-failed"]
    assert "No space left on device" in caught.value.diagnostics.errors[0].message
    assert not list((tmp_path / "out").iterdir())  # no staging folder, no job file left


def test_a_report_with_errors_stops_the_waiting_child(tmp_path, can_fork, monkeypatch):
    started = []
    real = writing.PdfProcess

    class Watched(real):
        def __init__(self, *args):
            super().__init__(*args)
            started.append(self._child.pid)

    monkeypatch.setattr(build_module, "PdfProcess", Watched)
    report = copy_report(tmp_path)
    (report / "report.yaml").write_text("metadata: [", encoding="utf-8")
    with pytest.raises(ContentError):
        build(report, tmp_path / "out")
    (pid,) = started
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_pool_of_builds_turns_it_off(tmp_path, monkeypatch, how):
    def no_fork():
        raise AssertionError("forked although turned off")

    monkeypatch.setattr(build_module, "PdfProcess", no_fork)
    if how == "environment":
        monkeypatch.setenv("REPORTGEN_BUILD_JOBS", "1")
    built = build(SURREY, tmp_path / "out", parallel=False if how == "option" else None)
    assert set(built.outputs) == set(FORMATS)


def test_a_child_that_fails_to_start_fails_the_build_with_its_own_reason(tmp_path, monkeypatch, can_fork):
    """The PDF's process dies while importing (WeasyPrint's libraries missing, say): the build
    reports that reason, not a broken pipe, and publishes nothing."""
    def missing_library():
        raise OSError("cannot load library 'libpango-1.0-0': not found")

    monkeypatch.setattr(writing, "_warm_up", missing_library)
    with pytest.raises(ContentError) as caught:
        build(SURREY, tmp_path / "out", formats=("pdf", "html"))
    (error,) = caught.value.diagnostics.errors
    assert error.code == "output-failed" and "libpango" in error.message, error
    assert not list((tmp_path / "out").iterdir())
