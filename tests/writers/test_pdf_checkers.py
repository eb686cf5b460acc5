"""Every bundled example's PDF (content/*, the default PDF/A-2u + PDF/UA-1) through two independent
checkers from PyPI and our own:

- `pdfua` (the machine-checkable subset of PDF/UA-1, Matterhorn), and
- `outloud` (PDF/UA-1 and WCAG 2.2, and semantic checks on what a screen reader would hear: text
  order, joined words, tables, links; Apache-2.0, reads the structure tree with pikepdf and PyMuPDF).

A finding that is a false positive is accepted only where the test shows why, one finding at a
time by rule name and what makes it false; no rule is switched off.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from generator.checks import check_file
from tests.conftest import ROOT
from tests.readback import structure

EXAMPLES = sorted(p.parent.name for p in (ROOT / "content").glob("*/report.yaml"))


@pytest.fixture(scope="module")
def example_pdfs(example_build) -> dict[str, Path]:
    """Each example's PDF (the session's builds)."""
    return {name: example_build(name).outputs["pdf"] for name in EXAMPLES}


def _tables(path: Path) -> dict[int, list[tuple[int, int, int]]]:
    """Per page (1-based): (TH, TH with /Scope /Row, TD) of each Table that starts there."""
    out: dict[int, list] = {}
    with pikepdf.open(path) as pdf:
        for table in (e for e in structure(pdf).walk() if e.tag == "Table"):
            cells = [e for e in table.walk() if e.tag in ("TH", "TD")]

            def scope(cell):
                attrs = cell.obj.get("/A")
                for a in (list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]):
                    if isinstance(a, pikepdf.Dictionary) and "/Scope" in a:
                        return str(a.Scope)
                return None

            page = table.mcids()[0][0] + 1 if table.mcids() else 0
            out.setdefault(page, []).append((sum(c.tag == "TH" for c in cells),
                                             sum(c.tag == "TH" and scope(c) == "/Row" for c in cells),
                                             sum(c.tag == "TD" for c in cells)))
    return out


def _footnotes(name: str) -> str:
    """The text of every footnote of an example's chapters, its Markdown links' brackets taken off."""
    notes = [line.split("]:", 1)[1] for chapter in sorted((ROOT / "content" / name / "chapters").glob("*.md"))
             for line in chapter.read_text(encoding="utf-8").splitlines() if re.match(r"\[\^[^\]]+\]:", line)]
    return " ".join(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", note) for note in notes)


def _false_positive(finding, tables: dict, footnotes: str = "") -> str | None:
    """Why an outloud finding is not a defect of the file, or None."""
    if finding.rule == "PAG-001" and footnotes:
        # "running header or footer lines tagged as content": a footnote called on several pages
        # (Bro Wennol's one note for its four key-question tables) is printed at the foot of each
        # of them, the same lines at the same place, and tagged as the Note it is
        lines = [line.strip().rstrip("…") for line in (finding.evidence or "").split(";")]
        if lines and all(line and line in footnotes for line in lines):
            return "a footnote called on several pages, printed at the foot of each"
    if finding.rule == "TBL-010":
        # "header cells look shredded: N header cells against M data cells": it counts every TH
        # against the TDs; a table whose rows each start with a row header (TH /Scope /Row, the
        # ratings and key-question tables) has more THs than TDs by design.
        match = re.search(r"(\d+) header cells against (\d+) data cells", finding.message)
        if match and any(th == int(match[1]) and td == int(match[2]) and th - rows <= td
                         for th, rows, td in tables.get(finding.page, [])):
            return "row headers counted as shredded column headers"
    if finding.rule == "TBL-014":
        # "a ruled grid ... holds N line(s) of text that no /Table covers": it merges the rules of
        # tables that follow one another on a page into one grid, which no single Table covers by
        # half; every one of them is tagged (the ratings page has one table per domain).
        if len(tables.get(finding.page, [])) >= 2:
            return "two tagged tables on one page taken as one ruled grid"
    return None


@pytest.mark.parametrize("name", EXAMPLES)
def test_outloud_finds_no_error_or_warning(example_pdfs, name):
    outloud = pytest.importorskip("outloud")
    path = example_pdfs[name]
    result = outloud.check(str(path))
    assert result.error is None
    tables = _tables(path)
    findings = [f for f in result.findings if f.severity in ("error", "warning")]
    real = [(f.rule, f.page, f.message) for f in findings if _false_positive(f, tables, _footnotes(name)) is None]
    assert real == []
    status = {run.rule: run.status for run in result.runs}
    assert [rule for rule, s in status.items() if s == "crashed"] == []
    assert status.get("ORD-001") == "ran"  # reading order was looked at


@pytest.mark.parametrize("name", EXAMPLES)
def test_pdfua_and_our_checks_pass_every_example(example_pdfs, name):
    pdfua = pytest.importorskip("pdfua")
    from pdfua.model import Severity
    from pdfua.rules import structure as pdfua_structure

    def as_integer(value, original=pdfua_structure.as_integer):  # see test_pdf_tags.py: a crash in pdfua 0.1.3
        return None if isinstance(value, (pikepdf.Array, pikepdf.Dictionary)) else original(value)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdfua_structure, "as_integer", as_integer)
        report = pdfua.validate(str(example_pdfs[name]))
    assert [f for o in report.outcomes for f in o.findings if f.severity in (Severity.ERROR, Severity.WARNING)] == []
    assert check_file(example_pdfs[name]) == []


def test_outloud_sees_the_defects_of_weasyprints_own_pdf(surrey_raw, tmp_path):
    """The second checker is not blind: on the example as WeasyPrint made it (before the
    structure repair), it reports defects the repair removes."""
    outloud = pytest.importorskip("outloud")
    path = tmp_path / "raw.pdf"
    path.write_bytes(surrey_raw.data)
    rules = {f.rule for f in outloud.check(str(path)).findings if f.severity in ("error", "warning")}
    assert {"ORD-001", "LST-002"} <= rules, rules  # content out of tag order; list items with no LBody


def test_no_image_of_any_example_asks_to_be_interpolated(example_pdfs):
    """PDF/A-2 6.2.8: an image's /Interpolate is false or absent. Read from every object of each
    example's file (not through the pages' resources, as the writer and the rule find them)."""
    images = {}
    for name, path in example_pdfs.items():
        with pikepdf.open(path) as pdf:
            found = [obj for obj in pdf.objects
                     if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Image]
            images[name] = len(found)
            assert [obj.objgen for obj in found if obj.get("/Interpolate") is True] == [], name
    assert images["figures-example"] >= 1, images  # the PNG figure: the test has an image to look at
