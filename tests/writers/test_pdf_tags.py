"""Accessibility: the checker (generator/a11y.py) and the repair of WeasyPrint's tags (generator/pdf_tags.py).

The example's PDF, DOCX and HTML pass every rule; small broken files, made here from a good
one by breaking one thing, each fail with the rule that names that thing. The PDF's structure
is counted against the document model, and its page content against its structure tree.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from generator.writers.pdf import tags as pdf_tags
from generator.checks import RULES, NotCheckable, check_file
from generator.build import WRITERS, build, check
from generator.model import (BulletList, Contents, Heading, OrderedList, Paragraph, Rating, RatingsSummary,
                             walk)
from generator.writers.html import print_html
from generator.writers.pdf.render import render_pdf
from tests.conftest import ROOT, SURREY
from tests.conftest import run_reportgen as run_cli

HAS_DOCX = "docx" in WRITERS


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    formats = ("pdf", "html") + (("docx",) if HAS_DOCX else ())
    return build(SURREY, tmp_path_factory.mktemp("a11y"), formats=formats)


@pytest.fixture(scope="module")
def document():
    return check(SURREY)


@pytest.fixture(scope="module")
def raw_and_hints(document):
    """WeasyPrint's own PDF of the example, before pdf_tags, and the layout hints for it."""
    captured = {}

    def keep(data, hints=None):
        captured["raw"], captured["hints"] = data, hints
        return data

    original = pdf_tags.fix_pdf
    pdf_tags.fix_pdf = keep
    try:
        render_pdf(print_html(document), SURREY, io.BytesIO())
    finally:
        pdf_tags.fix_pdf = original
    return captured["raw"], captured["hints"]


def rule_ids(path, fmt=None) -> set[str]:
    return {failure.rule for failure in check_file(Path(path), fmt)}


# =========================================================================== the example passes


def test_every_rule_has_an_id_a_reference_and_a_format():
    for rule_id, item in RULES.items():
        assert re.fullmatch(r"(pdf|docx|html)-[a-z0-9-]+", rule_id)
        assert re.fullmatch(r"(Matterhorn \d\d-\d\d\d|WCAG 2\.2 \d\.\d+\.\d+)", item.reference), rule_id


def test_example_pdf_and_html_pass(built):
    for fmt in ("pdf", "html"):
        assert check_file(built.outputs[fmt]) == [], fmt
    assert not [d for d in built.diagnostics.items if d.code.startswith("a11y-")]


@pytest.mark.skipif(not HAS_DOCX, reason="the DOCX writer (generator/write_docx.py) is not there yet")
def test_example_docx_passes(built):
    assert check_file(built.outputs["docx"]) == []


def test_cli_passes_the_example_and_exits_0(built):
    result = run_cli("a11y", *built.outputs.values())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no accessibility failures" in result.stdout


def test_cli_misuse_exits_2():
    assert run_cli("a11y").returncode == 2
    assert run_cli("a11y", ROOT / "pyproject.toml").returncode == 2
    assert run_cli("a11y", ROOT / "no-such.pdf").returncode == 2


# =========================================================================== PDF: the repaired tags


def _reached_and_tags(pdf):
    """(page objgen, MCID) pairs the structure tree reaches, and each element's tag, walking the tree."""
    reached, tags = set(), Counter()

    def visit(node, page):
        page = node.get("/Pg", page)
        kids = node.get("/K")
        for kid in (list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, int):
                reached.add((page.objgen, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary):
                if kid.get("/Type") == "/MCR":
                    reached.add((kid.get("/Pg", page).objgen, int(kid.MCID)))
                elif kid.get("/Type") != "/OBJR":
                    tags[str(kid.S)[1:]] += 1
                    visit(kid, page)

    visit(pdf.Root.StructTreeRoot, None)
    return reached, tags


def orphaned_text_operators(data: bytes) -> tuple[int, int, int]:
    """(tagged, artifact, orphaned) text-showing operators over all pages."""
    counts = Counter()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        reached, _ = _reached_and_tags(pdf)
        for page in pdf.pages:
            stack = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    props = operands[1] if op == "BDC" else None
                    mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
                    stack.append((str(operands[0]), None if mcid is None else int(mcid)))
                elif op == "EMC":
                    stack.pop()
                elif op in ("Tj", "TJ", "'", '"'):
                    if any(tag == "/Artifact" for tag, _ in stack):
                        counts["artifact"] += 1
                    elif any(m is not None and (page.objgen, m) in reached for _, m in stack):
                        counts["tagged"] += 1
                    else:
                        counts["orphaned"] += 1
    return counts["tagged"], counts["artifact"], counts["orphaned"]


def test_no_text_operator_is_orphaned(built, raw_and_hints):
    tagged, artifact, orphaned = orphaned_text_operators(built.outputs["pdf"].read_bytes())
    assert orphaned == 0
    assert tagged > 500 and artifact >= 2 * 21  # running header and page number on pages 2-22
    assert orphaned_text_operators(raw_and_hints[0])[2] == 42, "WeasyPrint's raw output changed: recount"


def model_counts(doc) -> Counter:
    """What the PDF must hold, counted on the model.

    P: every Paragraph; every Rating (the standard's "Rating: X" line, a <p class="rating">);
       the ratings summary's unit line, one line per fact and its overall rating line; the
       cover's five lines (inspectorate, lead, unit, region, imprint).
    L: every bullet and ordered list, and the contents list.
    H: every Heading at its level, and each part's title as the part's only H1.
    LI: every list item, and each contents entry.
    """
    counts = Counter(P=5, H1=len(doc.parts))
    for part in doc.parts:
        for node in walk(part.blocks):
            if isinstance(node, (Paragraph, Rating)):
                counts["P"] += 1
            elif isinstance(node, RatingsSummary):
                counts["P"] += 1 + len(node.facts) + (node.overall is not None)
            elif isinstance(node, (BulletList, OrderedList)):
                counts["L"] += 1
                counts["LI"] += len(node.items)
            elif isinstance(node, Contents):
                counts["L"] += 1
                counts["LI"] += len(node.entries)
            elif isinstance(node, Heading):
                counts[f"H{node.level}"] += 1
    return counts


def test_paragraphs_lists_and_headings_match_the_model_exactly(built, document):
    with pikepdf.open(built.outputs["pdf"]) as pdf:
        _, tags = _reached_and_tags(pdf)
    expected = model_counts(document)
    for tag in ("P", "L", "LI", "H1", "H2", "H3", "H4", "H5", "H6"):
        assert tags[tag] == expected[tag], (tag, tags[tag], expected[tag])
    assert tags["Part"] == 1, "<main> is one Part, not one per page"
    assert tags["Note"] == sum(len(p.footnotes) for p in document.parts)


def test_raw_weasyprint_output_splits_elements(raw_and_hints, document):
    """The defect the repair exists for: more P and Part elements than the HTML has."""
    with pikepdf.open(io.BytesIO(raw_and_hints[0])) as pdf:
        _, tags = _reached_and_tags(pdf)
    assert tags["Part"] > 1
    assert tags["P"] > model_counts(document)["P"]


def test_one_link_element_per_link_and_descriptive_contents(built, document):
    from generator.model import Link

    links = sum(isinstance(n, Link) for part in document.parts for n in walk(part.blocks))
    entries = sum(len(n.entries) for part in document.parts for n in walk(part.blocks) if isinstance(n, Contents))
    with pikepdf.open(built.outputs["pdf"]) as pdf:
        _, tags = _reached_and_tags(pdf)
        contents = {str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])
                    if a.get("/Subtype") == "/Link"}
    assert tags["Link"] == links + entries
    assert "Foreword" in contents and not any(c.startswith("https://") for c in contents), contents


def test_every_th_has_a_scope(built):
    with pikepdf.open(built.outputs["pdf"]) as pdf:
        scopes = Counter()
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/TH":
                scopes[str(obj.A.get("/Scope"))] += 1
    assert set(scopes) == {"/Column", "/Row"}, scopes


def test_repaired_pdf_reads_in_qpdf_pdfinfo_and_pdftotext(built):
    pdf = built.outputs["pdf"]
    subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Tagged:\s+yes", info) and re.search(r"Pages:\s+22", info)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Overall rating: Inadequate" in text


def test_repair_is_deterministic(raw_and_hints):
    raw, hints = raw_and_hints
    assert pdf_tags.fix_pdf(raw, hints) == pdf_tags.fix_pdf(raw, hints)


def test_hints_that_do_not_match_are_refused_not_guessed(raw_and_hints):
    result = pdf_tags.fix_tree(raw_and_hints[0], [])
    assert any("do not match" in note for note in result.notes)
    assert orphaned_text_operators(result.data)[2] == 0  # the fixes that need no hints still ran
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert _reached_and_tags(pdf)[1]["Part"] > 1  # split elements left as they were


def test_pdfua_reports_no_errors_or_warnings(built):
    """An independent checker (PyPI `pdfua`).

    pdfua 0.1.3's rule UA-14-001 (empty headings) crashes with pikepdf 10: its `as_integer`
    calls getattr(value, "is_integer", False) on a pikepdf Array, which raises ValueError rather
    than AttributeError. The rule is run here with that one helper made to answer None for an
    Array (what it means), so that the rule is evaluated rather than skipped.
    """
    pdfua = pytest.importorskip("pdfua")
    from pdfua.model import Severity
    from pdfua.rules import structure

    original = structure.as_integer

    def as_integer(value):
        return None if isinstance(value, (pikepdf.Array, pikepdf.Dictionary)) else original(value)

    structure.as_integer = as_integer
    try:
        report = pdfua.validate(str(built.outputs["pdf"]))
    finally:
        structure.as_integer = original
    findings = [f for o in report.outcomes for f in o.findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    assert findings == []
    assert [o.rule_id for o in report.outcomes if o.skipped_reason] == []


# =========================================================================== PDF: small broken files

GOOD_HTML = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>A small report</title></head>
<body><main id="main"><section><h1>Findings</h1><p>One paragraph of text.</p>
<ul><li><p>An item.</p></li></ul>
<h2>Table</h2><table class="data"><thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
<tbody><tr><td>A</td><td>1</td></tr></tbody></table>
<figure><img src="dot.png" alt="A red dot"><figcaption>A figure.</figcaption></figure>
</section></main></body></html>"""

PDF_BREAKS = {
    "pdf-figure-alt": lambda h: h.replace(' alt="A red dot"', ""),
    "pdf-heading-skip": lambda h: h.replace("<h2>Table</h2>", "<h3>Table</h3>"),
    "pdf-table-header": lambda h: re.sub(r"<thead>.*?</thead>", "", h),
    "pdf-title": lambda h: h.replace("<title>A small report</title>", ""),
    "pdf-lang": lambda h: h.replace(' lang="en-GB"', ""),
}


@pytest.fixture(scope="module")
def pdf_dir(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("pdf-fixtures")
    Image.new("RGB", (12, 12), (200, 0, 0)).save(folder / "dot.png")
    return folder


def make_pdf(folder: Path, name: str, html: str) -> Path:
    target = folder / f"{name}.pdf"
    render_pdf(html, folder, target)
    return target


def test_small_good_pdf_passes(pdf_dir):
    assert check_file(make_pdf(pdf_dir, "good", GOOD_HTML)) == []


@pytest.mark.parametrize("rule_id", sorted(PDF_BREAKS))
def test_broken_pdf_fails_with_its_rule(pdf_dir, rule_id):
    path = make_pdf(pdf_dir, rule_id, PDF_BREAKS[rule_id](GOOD_HTML))
    assert rule_id in rule_ids(path)


def test_untagged_pdf_fails(pdf_dir):
    from weasyprint import HTML

    path = pdf_dir / "untagged.pdf"
    HTML(string=GOOD_HTML, base_url=str(pdf_dir) + "/").write_pdf(path)
    assert {"pdf-tagged", "pdf-untagged-content", "pdf-xmp"} <= rule_ids(path)
    result = run_cli("a11y", path)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "pdf-untagged-content" in line)
    assert re.match(rf"{re.escape(str(path))}: page 1: pdf-untagged-content \[Matterhorn 01-005\]: ", line), line


def test_decorative_image_becomes_an_artifact(pdf_dir):
    path = make_pdf(pdf_dir, "decorative", GOOD_HTML.replace('alt="A red dot"', 'alt=""'))
    with pikepdf.open(path) as pdf:
        _, tags = _reached_and_tags(pdf)
        content = pdf.pages[0].Contents.read_bytes()
    assert tags["Figure"] == 0 and b"/Artifact" in content
    assert check_file(path) == []


def test_a_broken_pdf_file_is_a_failure_not_a_crash(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nnot really\n")
    assert rule_ids(path) == {"pdf-readable"}


# =========================================================================== DOCX: small broken files


def make_docx(path: Path, skip: str = "") -> Path:
    """A small DOCX that passes every rule, less the one thing named by `skip`."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from PIL import Image

    document = docx.Document()
    props = document.core_properties
    props.title = "" if skip == "docx-title" else "A small report"
    props.subject, props.author = "Inspection", "HM Inspectorate"
    props.language = "" if skip == "docx-language" else "en-GB"
    document.add_paragraph("A small report", style="Title")
    document.add_heading("Findings", 1)
    document.add_paragraph("Some text.")
    document.add_heading("Detail", 3 if skip == "docx-heading-order" else 2)
    if skip == "docx-empty-paragraph":
        document.add_paragraph("")
    document.add_paragraph("An item", style="List Bullet")
    if skip == "docx-list-structure":
        document.add_paragraph("• a typed bullet")
    document.add_heading("Figures", 2)
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ("Name", "Value", "A", "1")):
        cell.text = text
    if skip != "docx-table-header":
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))
    picture = path.with_suffix(".png")
    Image.new("RGB", (8, 8), (0, 90, 0)).save(picture)
    document.add_paragraph().add_run().add_picture(str(picture))
    doc_pr = document.element.body.findall(".//" + qn("wp:docPr"))[-1]
    doc_pr.set("descr", "" if skip == "docx-alt-text" else "A green square")
    footer = document.sections[0].footer.paragraphs[0]
    footer.add_run("Page ")
    if skip == "docx-page-numbers":
        footer.add_run("1")
    else:
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, None), ("end", None)):
            run = footer.add_run()
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            elif text:
                instr = OxmlElement("w:instrText")
                instr.text = text
                run._r.append(instr)
            else:
                run.text = "1"
    document.save(path)
    return path


DOCX_BREAKS = ("docx-title", "docx-language", "docx-heading-order", "docx-table-header", "docx-alt-text",
               "docx-empty-paragraph", "docx-list-structure", "docx-page-numbers")


def test_small_good_docx_passes(tmp_path):
    assert check_file(make_docx(tmp_path / "good.docx")) == []


@pytest.mark.parametrize("rule_id", DOCX_BREAKS)
def test_broken_docx_fails_with_its_rule(tmp_path, rule_id):
    failures = check_file(make_docx(tmp_path / f"{rule_id}.docx", skip=rule_id))
    assert {f.rule for f in failures} == {rule_id}, failures
    assert all(f.where for f in failures)


def test_docx_contents_heading_needs_a_toc_field(tmp_path):
    import docx

    path = make_docx(tmp_path / "toc.docx")
    document = docx.Document(str(path))
    document.add_heading("Contents", 1)
    document.save(path)
    assert "docx-toc-field" in rule_ids(path)


# =========================================================================== HTML: small broken files

GOOD_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>A small report</title></head>
<body><a class="skip-link" href="#main">Skip to main content</a>
<header><p>HM Inspectorate</p></header>
<nav><a href="#findings">Findings</a></nav>
<main id="main"><h1 id="findings">Findings</h1><h2>Ratings</h2>
<p><span class="badge" style="background-color: #d4351c; color: #ffffff">Inadequate</span></p>
<table><thead><tr><th scope="col">Standard</th><th scope="col">Rating</th></tr></thead>
<tbody><tr><th scope="row">Leadership</th><td>Good</td></tr></tbody></table>
<figure><img src="data:image/png;base64,AA==" alt="A chart"></figure>
<p>Read <a href="https://example.org/report">the full report</a>.</p></main>
<footer><p>Crown copyright</p></footer></body></html>
"""

HTML_BREAKS = {
    "html-lang": lambda h: h.replace(' lang="en-GB"', ""),
    "html-title": lambda h: h.replace("<title>A small report</title>", ""),
    "html-landmarks": lambda h: h.replace("<main id=\"main\">", "<div id=\"main\">").replace("</main>", "</div>"),
    "html-heading-order": lambda h: h.replace("<h2>Ratings</h2>", "<h3>Ratings</h3>"),
    "html-th-scope": lambda h: h.replace('<th scope="row">', "<th>"),
    "html-table-header": lambda h: re.sub(r"<thead>.*?</thead>", "", h).replace(
        '<th scope="row">Leadership</th>', "<td>Leadership</td>"),
    "html-img-alt": lambda h: h.replace(' alt="A chart"', ""),
    "html-link-text": lambda h: h.replace(">the full report<", ">click here<"),
    "html-skip-link": lambda h: h.replace('<a class="skip-link" href="#main">Skip to main content</a>', ""),
    "html-contrast": lambda h: h.replace("color: #ffffff", "color: #f47738"),
    "html-colour-only": lambda h: h.replace(">Inadequate</span>", "></span>"),
    "html-focus-visible": lambda h: h.replace("</head>", "<style>a:focus { outline: none }</style></head>"),
}


def test_small_good_html_passes(tmp_path):
    path = tmp_path / "good.html"
    path.write_text(GOOD_PAGE, encoding="utf-8")
    assert check_file(path) == []


@pytest.mark.parametrize("rule_id", sorted(HTML_BREAKS))
def test_broken_html_fails_with_its_rule(tmp_path, rule_id):
    path = tmp_path / f"{rule_id}.html"
    path.write_text(HTML_BREAKS[rule_id](GOOD_PAGE), encoding="utf-8")
    failures = check_file(path)
    assert rule_id in {f.rule for f in failures}, failures
    assert all(f.where for f in failures)


def test_unknown_kind_of_file_is_not_checkable(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(NotCheckable):
        check_file(path)


# =========================================================================== build reports failures


def test_build_reports_a11y_failures_as_warnings_and_strict_makes_them_fatal(tmp_path, monkeypatch):
    from generator import checks as a11y
    from generator.diagnostics import ContentError

    def one_failure(path, fmt=None, shown=None):
        return [a11y.Failure(shown or str(path), "page 1", "pdf-lang", "Matterhorn 11-001", "no /Lang")]

    monkeypatch.setattr(a11y, "check_file", one_failure)
    built = build(SURREY, tmp_path / "lax", formats=("html",))
    codes = [(d.severity, d.code) for d in built.diagnostics.items]
    assert ("warning", "a11y-pdf-lang") in codes
    with pytest.raises(ContentError) as caught:
        build(SURREY, tmp_path / "strict", formats=("html",), strict=True)
    assert "a11y-pdf-lang" in {d.code for d in caught.value.diagnostics.items}
    assert not (tmp_path / "strict" / "surrey-pdu.html").exists()


def test_running_header_and_page_number_are_pagination_artifacts(built):
    with pikepdf.open(built.outputs["pdf"]) as pdf:
        data = pdf.pages[2].Contents.read_bytes()
    assert b"/Artifact <</Type /Pagination /Subtype /Header>> BDC" in data
    assert b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC" in data
