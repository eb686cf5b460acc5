"""What a build keeps in the cache folder for the next (generator/resources.py `cache_dir`): the
package's own templates compiled (`template_cache`) and the HTML page's fonts as WOFF2
(generator/fonts.py `web_font`). The same page with a fresh, a warm, a damaged or an unwritable
cache."""

from __future__ import annotations

import base64
import os
import re
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
    templates = sorted((cache / "templates").iterdir())
    assert len(templates) == 2 and all(p.stat().st_size > 1000 for p in templates)  # nodes, report
    fonts = sorted((cache / "fonts").iterdir())
    assert len(fonts) == 4 and all(p.read_bytes()[:4] == b"wOF2" for p in fonts)  # Lato's four faces
    embedded = {base64.b64decode(data) for data in re.findall(rb"data:font/woff2;base64,([A-Za-z0-9+/=]+)", first)}
    assert embedded == {p.read_bytes() for p in fonts}
    kept = templates + fonts
    stamps = {p: p.stat().st_mtime_ns for p in kept}
    assert build_html(tmp_path, cache, "second") == first
    assert {p: p.stat().st_mtime_ns for p in kept} == stamps  # read, not written again


def test_a_damaged_cache_is_compiled_afresh(warm, tmp_path):
    _, cache, first = warm
    damaged = tmp_path / "damaged"
    for folder in ("templates", "fonts"):
        (damaged / folder).mkdir(parents=True)
        for kept in (cache / folder).iterdir():
            (damaged / folder / kept.name).write_bytes(kept.read_bytes()[:40])
    assert build_html(tmp_path, damaged, "damaged") == first


def test_a_cache_that_cannot_be_made_is_no_cache(warm, tmp_path):
    _, _, first = warm
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert build_html(tmp_path, blocker / "cache", "uncached") == first
