"""What a build keeps in the cache folder for the next (generator/resources.py `cache_dir`): the
package's own templates compiled (`template_cache`) and the HTML page's fonts as WOFF2
(generator/fonts.py `web_font`). The same page with a fresh, a warm, a damaged or an unwritable
cache; and the cache as trusted as the package: a folder others can write, a symlink or another
user's folder refused (one `cache-refused` warning, then no cache), and an entry not signed with
the user's key (a planted compiled template, a replaced font) never loaded."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import marshal
import os
import pickle
import re
import shutil
import stat
import subprocess
import sys

import jinja2.bccache
import pytest

from generator import resources
from tests.conftest import ROOT, SURREY

SIGNATURE = 32  # bytes of HMAC-SHA256 before each entry


def build_html(tmp_path, cache, name: str, state=None, refused: int = 0, says: str = "") -> bytes:
    """The example's page built by the command line with `cache` as its cache folder (and
    `state` as the folder of the cache's key); `refused`: how many cache-refused warnings."""
    out = tmp_path / name
    env = {**os.environ, "REPORTGEN_CACHE_DIR": str(cache), "PYTHONWARNINGS": "ignore"}
    if state is not None:
        env["XDG_STATE_HOME"] = str(state)
    done = subprocess.run([sys.executable, "-m", "generator", "build", str(SURREY), "--format", "html",
                           "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("warning[cache-refused]") == refused, done.stderr
    assert says in done.stderr
    return (out / "surrey-pdu.html").read_bytes()


def embedded_fonts(page: bytes) -> set[bytes]:
    return {base64.b64decode(data) for data in re.findall(rb"data:font/woff2;base64,([A-Za-z0-9+/=]+)", page)}


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cache")
    cache = tmp / "cache"
    return tmp, cache, build_html(tmp, cache, "first")


@pytest.fixture(scope="module")
def uncached(tmp_path_factory):
    """The page built with no cache at all (a cache folder that cannot be made)."""
    tmp = tmp_path_factory.mktemp("uncached")
    (tmp / "a-file").write_text("not a folder")
    return build_html(tmp, tmp / "a-file" / "cache", "uncached")


def test_a_first_run_fills_the_cache_and_a_second_uses_it_for_the_same_page(warm, tmp_path):
    tmp, cache, first = warm
    templates = sorted((cache / "templates").iterdir())
    assert len(templates) == 2 and all(p.stat().st_size > 1000 for p in templates)  # nodes, report
    fonts = sorted((cache / "fonts").iterdir())
    assert len(fonts) == 4 and all(p.read_bytes()[SIGNATURE:SIGNATURE + 4] == b"wOF2" for p in fonts)  # Lato's faces
    assert embedded_fonts(first) == {p.read_bytes()[SIGNATURE:] for p in fonts}
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


def test_a_cache_that_cannot_be_made_is_no_cache_and_the_page_is_the_same_bytes(warm, uncached):
    assert uncached == warm[2]


def test_the_cache_is_private_folders_0700_and_entries_0600(warm, tmp_path):
    _, cache, _ = warm
    for folder in (cache, cache / "templates", cache / "fonts"):
        assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o700, folder
    for entry in (*(cache / "templates").iterdir(), *(cache / "fonts").iterdir()):
        assert stat.S_IMODE(os.lstat(entry).st_mode) == 0o600, entry
    made = tmp_path / "new" / "parents" / "cache"  # every folder reportgen makes is 0700
    build_html(tmp_path, made, "made-out")
    for folder in (tmp_path / "new", tmp_path / "new" / "parents", made):
        assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o700, folder


def refused_and_unused(tmp_path, cache, first, look_in, says: str) -> None:
    assert build_html(tmp_path, cache, "refused", refused=1, says=f"{cache}: warning[cache-refused]: {says}") == first
    assert not (look_in / "templates").exists() and not (look_in / "fonts").exists()


def test_a_cache_folder_others_can_write_is_refused_and_not_used(warm, tmp_path):
    cache = tmp_path / "open"
    cache.mkdir()
    cache.chmod(0o777)
    refused_and_unused(tmp_path, cache, warm[2], cache, "the cache folder can be written by other users (mode 777)")
    cache.chmod(0o770)  # group-writable: refused too
    refused_and_unused(tmp_path, cache, warm[2], cache, "the cache folder can be written by other users (mode 770)")
    cache.chmod(0o700)
    (cache / "fonts").mkdir(mode=0o777)  # a folder inside it
    (cache / "fonts").chmod(0o777)
    assert build_html(tmp_path, cache, "inner", refused=1) == warm[2]
    assert list((cache / "fonts").iterdir()) == []


def test_a_symlinked_cache_folder_is_refused_and_not_used(warm, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "cache"
    link.symlink_to(target)
    refused_and_unused(tmp_path, link, warm[2], target, "the cache folder is a symbolic link")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the folder to another user")
def test_a_cache_folder_of_another_user_is_refused_and_not_used(warm, tmp_path):
    cache = tmp_path / "theirs"
    cache.mkdir(mode=0o700)
    os.chown(cache, 12345, 12345)
    refused_and_unused(tmp_path, cache, warm[2], cache, "the cache folder belongs to another user (uid 12345)")


def test_a_cache_key_others_can_read_is_refused(warm, tmp_path):
    state = tmp_path / "state"
    build_html(tmp_path, tmp_path / "c1", "keyed", state=state)
    key = state / "reportgen" / "cache-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.stat().st_size == 32
    key.chmod(0o644)
    assert build_html(tmp_path, tmp_path / "c2", "open-key", state=state, refused=1) == warm[2]
    assert not (tmp_path / "c2" / "fonts").exists() or list((tmp_path / "c2" / "fonts").iterdir()) == []


def signed(key: bytes, kind: str, name: str, data: bytes) -> bytes:
    mac = hmac.new(key, f"reportgen cache 1\0{kind}/{name}\0".encode("ascii") + data, hashlib.sha256).digest()
    return mac + data


def planted_bytecode(entry: bytes, marker) -> bytes:
    """A bytecode entry as Jinja writes it (magic, the template's checksum, marshal of a code
    object) whose code writes `marker` when Jinja loads it."""
    stream = io.BytesIO(entry)
    magic = stream.read(len(jinja2.bccache.bc_magic))
    checksum = pickle.load(stream)
    code = compile(f"open({str(marker)!r}, 'w').write('ran')", "<planted>", "exec")
    out = io.BytesIO()
    out.write(magic)
    pickle.dump(checksum, out, 2)
    marshal.dump(code, out)
    return out.getvalue()


def test_a_planted_compiled_template_is_not_loaded(warm, tmp_path):
    _, cache, first = warm
    copy = tmp_path / "cache"
    shutil.copytree(cache, copy)
    marker = tmp_path / "RAN"
    entries = sorted((copy / "templates").iterdir())
    for entry in entries:
        kept = entry.read_bytes()
        entry.write_bytes(kept[:SIGNATURE] + planted_bytecode(kept[SIGNATURE:], marker))  # the old signature
    assert build_html(tmp_path, copy, "planted") == first
    assert not marker.exists()
    for entry in entries:  # rebuilt over the bad entries, and signed
        assert b"<planted>" not in entry.read_bytes()
    # the same entries signed with the user's key are loaded (so the case above tests the signature)
    key = (resources.key_path()).read_bytes()
    for entry in entries:
        kept = entry.read_bytes()
        entry.write_bytes(signed(key, "templates", entry.name, planted_bytecode(kept[SIGNATURE:], marker)))
    subprocess.run([sys.executable, "-m", "generator", "build", str(SURREY), "--format", "html", "--out",
                    str(tmp_path / "signed")], cwd=ROOT, env={**os.environ, "REPORTGEN_CACHE_DIR": str(copy)},
                   capture_output=True, timeout=300, check=False)
    assert marker.read_text() == "ran"


def test_a_replaced_font_entry_is_not_published(warm, tmp_path):
    _, cache, first = warm
    copy = tmp_path / "cache"
    shutil.copytree(cache, copy)
    fonts = sorted((copy / "fonts").iterdir())
    other = fonts[0].read_bytes()[SIGNATURE:]  # a real WOFF2, of another face
    moved = fonts[1].read_bytes()
    fonts[0].write_bytes(moved)  # a good entry, signed, moved to another name
    for entry in fonts[1:]:
        entry.write_bytes(entry.read_bytes()[:SIGNATURE] + other)  # its own signature, another font
    page = build_html(tmp_path, copy, "replaced")
    assert page == first
    assert embedded_fonts(page) == embedded_fonts(first) and len(embedded_fonts(page)) == 4


def test_the_refusal_is_reported_once_a_process(tmp_path, monkeypatch):
    from generator.build import build

    cache = tmp_path / "open"
    cache.mkdir()
    cache.chmod(0o777)
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(resources, "_refusals", {})
    from generator.writers import html as html_writer

    html_writer._web_font.cache_clear()  # an earlier test's page fonts, kept in this process, would skip the cache
    first = build(SURREY, tmp_path / "a", formats=("html",))
    warned = [d for d in first.diagnostics.items if d.code == "cache-refused"]
    assert len(warned) == 1 and warned[0].severity == "warning" and warned[0].path == str(cache)
    assert "can be written by other users (mode 777)" in warned[0].message
    second = build(SURREY, tmp_path / "b", formats=("html",))
    assert not [d for d in second.diagnostics.items if d.code == "cache-refused"]
