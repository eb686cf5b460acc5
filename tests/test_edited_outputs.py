"""A build never replaces an output someone changed after reportgen wrote it (issue 21, item 5).

Each publish records the SHA-256 of every output in `OUT/.<slug>.outputs.json`
(generator/publish.py `OutputsRecord`); the next build refuses, all or none, to replace a file
that differs from its record, or a file with no record that differs from the new output. The
record is untrusted: damaged or hostile records never crash a build or reach outside the folder.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

THEMATIC = ROOT / "content" / "thematic-example"
SLUG = "thematic-example"
RECORD = f".{SLUG}.outputs.json"


@pytest.fixture
def report(tmp_path) -> Path:
    dest = tmp_path / SLUG
    shutil.copytree(THEMATIC, dest)
    return dest


def second_draft(report: Path, words: str = "A sentence added in the second draft.") -> None:
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def first_build(reportgen, report: Path, out: Path, formats: str = "docx,html") -> dict[str, bytes]:
    result = reportgen("build", report, "--out", out, "--format", formats)
    assert result.returncode == 0, result.stderr
    return outputs(out)


def docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_the_record_holds_each_outputs_digest(reportgen, report, tmp_path):
    import hashlib

    out = tmp_path / "out"
    first_build(reportgen, report, out)
    record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    assert {name: entry["sha256"] for name, entry in record["outputs"].items()} == {
        name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in (f"{SLUG}.docx", f"{SLUG}.html")}
    # and what each was built from (issue 24: a stale output is told by it), the same for both
    assert len({entry["inputs"] for entry in record["outputs"].values()}) == 1
    assert (out / RECORD).stat().st_mode & 0o777 == 0o644


def test_an_edited_docx_is_never_replaced_and_nothing_else_is(reportgen, report, tmp_path):
    out = tmp_path / "out"
    before = first_build(reportgen, report, out)
    docx = out / f"{SLUG}.docx"
    with open(docx, "ab") as handle:  # the smallest edit there is
        handle.write(b"\0")
    edited = docx.read_bytes()
    second_draft(report)
    result = reportgen("build", report, "--out", out, "--format", "docx,html")
    assert result.returncode == 1
    message = [line for line in result.stderr.splitlines() if "error[output-edited]" in line]
    assert len(message) == 1, result.stderr
    assert message[0].startswith(f"{docx}: error[output-edited]: it was changed after reportgen wrote it")
    assert "--overwrite-edited" in message[0] and "no output was replaced" in message[0]
    assert "Traceback" not in result.stderr
    assert docx.read_bytes() == edited  # byte for byte
    now = outputs(out)
    assert now[f"{SLUG}.html"] == before[f"{SLUG}.html"]  # all or none: the HTML is not the second draft's
    assert now[RECORD] == before[RECORD]
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no staging folder left
    # the message's next step, as typed: move it aside to the name it gives, build again, review the copy
    move = shlex.split(re.search(r"\((mv [^)]*)\)", message[0])[1])
    aside = out / f"{SLUG}-reviewed.docx"
    assert move == ["mv", str(docx), str(aside)], message[0]
    assert f"'reportgen review {aside} {report}'" in message[0]
    shutil.move(move[1], move[2])
    rebuilt = reportgen("build", report, "--out", out, "--format", "docx,html")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert aside.read_bytes() == edited and "second draft" in docx_text(docx)
    # a second reviewer's copy over the new output: the name given is the next free one
    with open(docx, "ab") as handle:
        handle.write(b"\0")
    again = reportgen("build", report, "--out", out, "--format", "docx,html")
    assert f"mv {docx} {out / f'{SLUG}-reviewed-2.docx'})" in again.stderr, again.stderr


def test_a_docx_saved_by_python_docx_is_refused_too(reportgen, report, tmp_path):
    import docx as python_docx

    out = tmp_path / "out"
    first_build(reportgen, report, out, "docx")
    path = out / f"{SLUG}.docx"
    document = python_docx.Document(str(path))
    document.add_paragraph("A reviewer's note typed into the document.")
    document.save(str(path))
    edited = path.read_bytes()
    result = reportgen("build", report, "--out", out, "--format", "docx")  # the same content, even
    assert result.returncode == 1 and "error[output-edited]" in result.stderr
    assert path.read_bytes() == edited
    assert "A reviewer's note typed" in docx_text(path)


def test_overwrite_edited_replaces_it(reportgen, report, tmp_path):
    out = tmp_path / "out"
    first_build(reportgen, report, out)
    docx = out / f"{SLUG}.docx"
    with open(docx, "ab") as handle:
        handle.write(b"\0")
    second_draft(report)
    result = reportgen("build", report, "--out", out, "--format", "docx,html", "--overwrite-edited")
    assert result.returncode == 0, result.stderr
    assert "second draft" in docx_text(docx)
    assert "second draft" in (out / f"{SLUG}.html").read_text(encoding="utf-8")
    # and it is ours again: the next build replaces it without the option
    second_draft(report, "A third draft's sentence.")
    assert reportgen("build", report, "--out", out, "--format", "docx,html").returncode == 0
    assert "third draft" in docx_text(docx)


def test_unchanged_outputs_are_replaced_as_always(reportgen, report, tmp_path):
    out = tmp_path / "out"
    first_build(reportgen, report, out)
    second_draft(report)
    result = reportgen("build", report, "--out", out, "--format", "docx,html")
    assert result.returncode == 0, result.stderr
    assert "second draft" in docx_text(out / f"{SLUG}.docx")


def test_outputs_not_rebuilt_keep_their_record(reportgen, report, tmp_path):
    """A build of the HTML alone keeps the DOCX's entry: an edit to the DOCX is still caught later."""
    out = tmp_path / "out"
    first_build(reportgen, report, out)
    docx = out / f"{SLUG}.docx"
    docx.write_bytes(docx.read_bytes() + b"\0")
    second_draft(report)
    assert reportgen("build", report, "--out", out, "--format", "html").returncode == 0
    result = reportgen("build", report, "--out", out, "--format", "docx")
    assert result.returncode == 1 and "it was changed after reportgen wrote it" in result.stderr


def test_a_file_with_no_record_is_replaced_only_if_it_is_what_the_build_writes(reportgen, report, tmp_path):
    out = tmp_path / "out"
    first_build(reportgen, report, out)
    (out / RECORD).unlink()  # as an out folder of a reportgen from before the record
    assert reportgen("build", report, "--out", out, "--format", "docx,html").returncode == 0  # the same bytes
    assert (out / RECORD).is_file()
    (out / RECORD).unlink()
    second_draft(report)
    before = outputs(out)
    result = reportgen("build", report, "--out", out, "--format", "docx,html")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "error[output-edited]" in line]
    assert len(lines) == 2, result.stderr  # the DOCX and the HTML: neither is known
    assert all("reportgen has no record of writing it" in line for line in lines)
    assert "reportgen review" not in next(line for line in lines if ".html:" in line)  # only DOCX and PDF are reviewed
    assert outputs(out) == before


def test_a_file_put_where_an_output_goes_is_not_replaced(reportgen, report, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dropped = out / f"{SLUG}.docx"
    dropped.write_bytes(b"a reviewer's copy, sent back by email")
    result = reportgen("build", report, "--out", out, "--format", "docx,html")
    assert result.returncode == 1 and "no record of writing it" in result.stderr
    assert dropped.read_bytes() == b"a reviewer's copy, sent back by email"
    assert not (out / f"{SLUG}.html").exists()  # none of that build's outputs


def test_a_symlink_where_an_output_goes_is_replaced_and_its_file_kept(reportgen, report, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text("someone's own page")
    (out / f"{SLUG}.html").symlink_to(elsewhere)
    assert reportgen("build", report, "--out", out, "--format", "html").returncode == 0
    assert not (out / f"{SLUG}.html").is_symlink() and elsewhere.read_text() == "someone's own page"


HOSTILE_RECORDS = {
    "not JSON": b"{\"outputs\": {",
    "not UTF-8": b"\xff\xfe\x00{",
    "a list": b"[1, 2, 3]",
    "outputs a string": b"{\"outputs\": \"all of them\"}",
    "nested past the parser": b"[" * 100_000 + b"]" * 100_000,
    "over 1 MB": b"{\"outputs\": {}, \"padding\": \"" + b"x" * 1_200_000 + b"\"}",
}


@pytest.mark.parametrize("content", HOSTILE_RECORDS.values(), ids=HOSTILE_RECORDS.keys())
def test_a_damaged_record_counts_as_none(reportgen, report, tmp_path, content):
    out = tmp_path / "out"
    first_build(reportgen, report, out)
    (out / RECORD).write_bytes(content)
    assert reportgen("build", report, "--out", out, "--format", "docx,html").returncode == 0  # the same bytes
    json.loads((out / RECORD).read_text(encoding="utf-8"))  # written afresh
    second_draft(report)
    (out / RECORD).write_bytes(content)
    before = outputs(out)
    result = reportgen("build", report, "--out", out, "--format", "docx,html")
    assert result.returncode == 1 and "its record .thematic-example.outputs.json being damaged" in result.stderr
    assert "Traceback" not in result.stderr and outputs(out) == before


def test_a_record_naming_paths_outside_is_never_followed(reportgen, report, tmp_path):
    out = tmp_path / "out"
    first_build(reportgen, report, out)
    victim = tmp_path / "victim.txt"
    victim.write_text("not reportgen's")
    real = json.loads((out / RECORD).read_text(encoding="utf-8"))["outputs"]
    hostile = {**real, "../victim.txt": {"sha256": "0" * 64}, f"{SLUG}.docx/../../victim.txt": {"sha256": "1" * 64},
               str(victim): {"sha256": "2" * 64}, "other-report.html": {"sha256": "3" * 64},
               f"{SLUG}.pdf": {"sha256": "not a digest"}, f"{SLUG}.html": ["not", "an", "entry"]}
    (out / RECORD).write_text(json.dumps({"outputs": hostile}), encoding="utf-8")
    second_draft(report)
    result = reportgen("build", report, "--out", out, "--format", "docx,html")
    # the DOCX's entry is good: replaced; the HTML's is not an entry: it has no record, and differs
    assert result.returncode == 1 and result.stderr.count("error[output-edited]") == 1
    assert f"{SLUG}.html: error[output-edited]: reportgen has no record" in result.stderr
    assert victim.read_text() == "not reportgen's"
    assert reportgen("build", report, "--out", out, "--format", "docx,html", "--overwrite-edited").returncode == 0
    assert victim.read_text() == "not reportgen's"
    kept = json.loads((out / RECORD).read_text(encoding="utf-8"))["outputs"]
    assert sorted(kept) == [f"{SLUG}.docx", f"{SLUG}.html"]  # only this report's own outputs are written back


def test_a_record_that_is_a_symlink_or_a_fifo_is_not_read(reportgen, report, tmp_path):
    out = tmp_path / "out"
    first_build(reportgen, report, out)
    (out / RECORD).unlink()
    os.mkfifo(out / RECORD)  # opening it to read would block
    second_draft(report)
    result = reportgen("build", report, "--out", out, "--format", "docx,html")
    assert result.returncode == 1 and "being damaged" in result.stderr
    (out / RECORD).unlink()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({"outputs": {}}))
    (out / RECORD).symlink_to(forged)
    result = reportgen("build", report, "--out", out, "--format", "docx,html")
    assert result.returncode == 1 and "being damaged" in result.stderr
    assert reportgen("build", report, "--out", out, "--format", "docx,html", "--overwrite-edited").returncode == 0
    assert forged.read_text() == json.dumps({"outputs": {}})  # the link is replaced, its target untouched
    assert not (out / RECORD).is_symlink()


def test_a_batch_build_refuses_the_edited_report_and_builds_the_others(reportgen, report, tmp_path):
    other = tmp_path / "northshire-yjs"
    shutil.copytree(ROOT / "content" / "northshire-yjs", other)
    out = tmp_path / "out"
    result = reportgen("build", report, other, "--out", out, "--format", "html", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    page = out / SLUG / f"{SLUG}.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- a reviewer's note -->", encoding="utf-8")
    edited = page.read_bytes()
    second_draft(report)
    second_draft(other)
    result = reportgen("build", report, other, "--out", out, "--format", "html", "--jobs", "1")
    assert result.returncode == 1
    assert f"FAILED  {SLUG}: 1 problem(s); nothing was written" in result.stdout
    assert "ok      northshire-yjs" in result.stdout and "error[output-edited]" in result.stderr
    assert page.read_bytes() == edited
    assert "second draft" in (out / "northshire-yjs" / "northshire-yjs.html").read_text(encoding="utf-8")
    result = reportgen("build", report, other, "--out", out, "--format", "html", "--jobs", "1", "--overwrite-edited")
    assert result.returncode == 0, result.stderr
    assert "second draft" in page.read_text(encoding="utf-8") and "a reviewer's note" not in page.read_text(encoding="utf-8")


def test_a_known_edit_is_refused_before_anything_is_written(report, tmp_path, monkeypatch):
    """An output that differs from its record is found before the writers run: no time spent."""
    from generator import build as build_module
    from generator.diagnostics import ContentError

    out = tmp_path / "out"
    build_module.build(report, out, formats=("html",), parallel=False)
    page = out / f"{SLUG}.html"
    page.write_bytes(page.read_bytes() + b"\n")

    def never(*args):
        raise AssertionError("the writer ran")

    monkeypatch.setitem(build_module.WRITERS, "html", never)
    with pytest.raises(ContentError) as caught:
        build_module.build(report, out, formats=("html",), parallel=False)
    assert [d.code for d in caught.value.diagnostics.errors] == ["output-edited"]
