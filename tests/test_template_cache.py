"""The package's own templates compiled once and kept between runs (generator/resources.py
`template_cache`): the same page with a fresh, a warm, a damaged or an unwritable cache."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SURREY


def build_html(tmp_path, cache, name: str) -> bytes:
    out = tmp_path / name
    env = {**os.environ, "REPORTGEN_CACHE_DIR": str(cache), "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, "-m", "generator", "build", str(SURREY), "--format", "html",
                           "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return (out / "surrey-pdu.html").read_bytes()


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cache")
    cache = tmp / "cache"
    return tmp, cache, build_html(tmp, cache, "first")


def test_a_first_run_fills_the_cache_and_a_second_uses_it_for_the_same_page(warm, tmp_path):
    tmp, cache, first = warm
    kept = sorted((cache / "templates").iterdir())
    assert len(kept) == 2 and all(p.stat().st_size > 1000 for p in kept)  # nodes.html.j2, report.html.j2
    stamps = {p: p.stat().st_mtime_ns for p in kept}
    assert build_html(tmp_path, cache, "second") == first
    assert {p: p.stat().st_mtime_ns for p in kept} == stamps  # read, not written again


def test_a_damaged_cache_is_compiled_afresh(warm, tmp_path):
    _, cache, first = warm
    damaged = tmp_path / "damaged"
    (damaged / "templates").mkdir(parents=True)
    for kept in (cache / "templates").iterdir():
        (damaged / "templates" / kept.name).write_bytes(kept.read_bytes()[:40])
    assert build_html(tmp_path, damaged, "damaged") == first


def test_a_cache_that_cannot_be_made_is_no_cache(warm, tmp_path):
    _, _, first = warm
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert build_html(tmp_path, blocker / "cache", "uncached") == first
