"""Both cores within one build (generator/build.py `_write_formats`, generator/publish.py `Forked`):
with the PDF, the DOCX and HTML are written by a forked child process. The same files, the same
diagnostics, all or none published; off for a caller that runs builds in parallel itself."""

from __future__ import annotations

import os

import pytest

from generator import build as build_module
from generator.build import FORMATS, build
from generator.diagnostics import ContentError
from tests.conftest import SURREY, copy_report


def test_only_a_pdf_with_other_formats_is_written_beside_them(monkeypatch):
    monkeypatch.setattr(build_module, "can_fork", lambda: True)
    chosen = {fmts: build_module._parallel(build_module.Options(), fmts)
              for fmts in (FORMATS, ("pdf", "html"), ("pdf",), ("docx", "html"))}
    assert chosen == {FORMATS: True, ("pdf", "html"): True, ("pdf",): False, ("docx", "html"): False}
    monkeypatch.setattr(build_module, "can_fork", lambda: False)  # one core, or threads running
    assert not build_module._parallel(build_module.Options(), FORMATS)


@pytest.fixture
def can_fork(monkeypatch):
    """Fork even if an earlier test left a thread running (`can_fork` refuses then)."""
    monkeypatch.setattr(build_module, "can_fork", lambda: True)


def test_parallel_and_in_order_write_the_same_bytes_and_diagnostics(tmp_path, can_fork):
    one = build(SURREY, tmp_path / "one", parallel=False)
    two = build(SURREY, tmp_path / "two", parallel=True)
    for fmt in FORMATS:
        assert one.outputs[fmt].read_bytes() == two.outputs[fmt].read_bytes(), fmt
    assert one.diagnostics.sorted() == two.diagnostics.sorted()


def test_the_child_s_diagnostics_come_back_and_an_error_there_publishes_nothing(tmp_path, monkeypatch, can_fork):
    report = copy_report(tmp_path)
    out = tmp_path / "out"
    built = build(report, out, formats=("pdf", "docx"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = build_module.WRITERS["docx"]

    def failing(doc, report_dir, target, diags, options, inspect=None):
        real(doc, report_dir, target, diags, options, inspect)
        diags.warning("made-in-the-child", f"pid {os.getpid()}", report_dir / "report.yaml")
        diags.error("docx-failed-in-the-child", "as if an image could not be read", report_dir / "report.yaml")

    monkeypatch.setitem(build_module.WRITERS, "docx", failing)
    with pytest.raises(ContentError) as caught:
        build(report, out, formats=("pdf", "docx"), parallel=True)
    codes = {d.code: d.message for d in caught.value.diagnostics.items}
    assert "docx-failed-in-the-child" in codes
    assert codes["made-in-the-child"] != f"pid {os.getpid()}"  # it was written by another process
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing published, nothing left
    assert built.outputs


def test_an_exception_in_the_child_fails_the_build_as_here(tmp_path, monkeypatch, can_fork):
    def full_disk(doc, report_dir, target, diags, options, inspect=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(build_module.WRITERS, "html", full_disk)
    with pytest.raises(ContentError) as caught:
        build(SURREY, tmp_path / "out", formats=("pdf", "html"), parallel=True)
    assert [d.code for d in caught.value.diagnostics.errors] == ["output-failed"]
    assert "No space left on device" in caught.value.diagnostics.errors[0].message
    assert not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_pool_of_builds_turns_it_off(tmp_path, monkeypatch, how):
    def no_fork(func):
        raise AssertionError("forked although turned off")

    monkeypatch.setattr(build_module, "Forked", no_fork)
    if how == "environment":
        monkeypatch.setenv("REPORTGEN_BUILD_JOBS", "1")
    built = build(SURREY, tmp_path / "out", parallel=False if how == "option" else None)
    assert set(built.outputs) == set(FORMATS)
