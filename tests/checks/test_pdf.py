"""The PDF accessibility rules (generator/checks/pdf.py): the example passes them all; small files
made here from a good one, each broken in one way, fail with the rule that names that thing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest

from generator.checks import check_file
from generator.writers.pdf.render import render_pdf
from tests.readback import structure


def rule_ids(path, fmt=None) -> set[str]:
    return {failure.rule for failure in check_file(Path(path), fmt)}


def test_example_pdf_passes(surrey_build):
    assert check_file(surrey_build.outputs["pdf"]) == []
    assert not [d for d in surrey_build.diagnostics.items if d.code.startswith("a11y-")]


def test_two_notes_with_one_id_fail(surrey_build, tmp_path):
    """Matterhorn 19-003/19-004: each Note has an /ID of its own (the example's, with one changed)."""
    path = tmp_path / "notes.pdf"
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        notes = [e.obj for e in structure(pdf).walk() if e.tag == "Note"]
        assert [str(n.ID) for n in notes] == [f"fn-{i}" for i in range(1, 8)]
        notes[1].ID = pikepdf.String(str(notes[0].ID))
        del notes[2]["/ID"]
        pdf.save(path)
    failures = [f for f in check_file(path) if f.rule == "pdf-note-id"]
    assert sorted(f.message for f in failures) == ["Note /ID 'fn-1' is not unique (Matterhorn 19-004)",
                                                   "Note without /ID"]
    assert all(f.where.startswith("page ") and "/Note[" in f.where for f in failures), failures


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
    # the tag repair gives the Span the span's lang as /Lang (a name, not a tag); and the catalog's
    "pdf-lang-valid": lambda h: h.replace("One paragraph", 'One <span lang="welsh">paragraph</span>'),
    "pdf-lang-valid-catalog": lambda h: h.replace(' lang="en-GB"', ' lang="en_GB"'),
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
    assert rule_id.removesuffix("-catalog") in rule_ids(path)


def test_a_span_s_language_is_read_from_its_element_and_a_wrong_one_named(pdf_dir):
    """The small page with words in Welsh passes; their Span's /Lang read back is the tag; the
    same page with a name for a tag fails at the Span's own place."""
    good = make_pdf(pdf_dir, "span-good", GOOD_HTML.replace("One paragraph", 'One <span lang="cy">paragraph</span>'))
    assert check_file(good) == []
    with pikepdf.open(good) as pdf:
        assert [str(e.obj.Lang) for e in structure(pdf).walk() if "/Lang" in e.obj] == ["cy"]
    bad = make_pdf(pdf_dir, "span-bad", PDF_BREAKS["pdf-lang-valid"](GOOD_HTML))
    failures = [f for f in check_file(bad) if f.rule == "pdf-lang-valid"]
    assert [f.message for f in failures] == ["/Lang 'welsh' is not a language tag"]
    assert re.fullmatch(r"page 1, Document/.*P\[1\]/Span\[\d+\]", failures[0].where), failures[0].where


def test_untagged_pdf_fails(pdf_dir, reportgen):
    from weasyprint import HTML

    path = pdf_dir / "untagged.pdf"
    HTML(string=GOOD_HTML, base_url=str(pdf_dir) + "/").write_pdf(path)
    assert {"pdf-tagged", "pdf-untagged-content", "pdf-xmp"} <= rule_ids(path)
    result = reportgen("a11y", path)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "pdf-untagged-content" in line)
    assert re.match(rf"{re.escape(str(path))}: page 1: pdf-untagged-content \[Matterhorn 01-005\]: ", line), line


def test_a_broken_pdf_file_is_a_failure_not_a_crash(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nnot really\n")
    assert rule_ids(path) == {"pdf-readable"}


def test_a_th_without_scope_fails_once_at_its_own_place(surrey_build, tmp_path):
    """Matterhorn 15-003: the TH that lost its /Scope is named by its path, once, and no other."""
    path = tmp_path / "scope.pdf"
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        ths = [e for e in structure(pdf).walk() if e.tag == "TH"]
        assert len(ths) > 3
        attrs = ths[3].obj.A
        attrs = next(a for a in attrs if "/Scope" in a) if isinstance(attrs, pikepdf.Array) else attrs
        del attrs["/Scope"]
        if "/ID" in ths[3].obj:  # else its table's Headers/IDs would stand in for the scope
            del ths[3].obj["/ID"]
        pdf.save(path)
    failures = [f for f in check_file(path) if f.rule == "pdf-th-scope"]
    assert [f.message for f in failures] == ["TH without /Scope"]
    assert re.fullmatch(r"page \d+, Document/.*Table\[\d+\]/.*TH\[\d+\]", failures[0].where), failures[0].where


@pytest.mark.parametrize("fix,rule_id,at_least", [("word-spaces", "pdf-joined-words", 300),
                                                  ("empty-content", "pdf-empty-content", 10),
                                                  ("print-flag", "pdf-annotation-print", 30),
                                                  ("label-order", "pdf-label-order", 50)])
def test_the_example_repaired_without_one_fix_fails_that_rule(surrey_raw, tmp_path, fix, rule_id, at_least):
    """The rules that found WeasyPrint's gaps: the example's PDF, repaired with every fix but the
    one for that gap, fails that rule (and only that one) where the gap is."""
    from generator.writers.pdf import tags

    raw = surrey_raw.data
    if fix == "print-flag":  # WeasyPrint's PDF/A variant sets the flag itself; its PDF/UA-1 variant does not
        with pikepdf.open(io.BytesIO(raw)) as pdf:
            for page in pdf.pages:
                for annot in page.obj.get("/Annots", []):
                    del annot["/F"]
            out = io.BytesIO()
            pdf.save(out)
            raw = out.getvalue()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tags, "FIXES", {name: f for name, f in tags.FIXES.items() if name != fix})
        data = tags.fix_pdf(raw, surrey_raw.hints)
    path = tmp_path / "without.pdf"
    path.write_bytes(data)
    failures = check_file(path)
    assert {f.rule for f in failures} == {rule_id}
    assert len(failures) >= at_least
    assert all(f.where.startswith("page ") for f in failures)


def test_joined_words_name_the_words(surrey_build, tmp_path):
    """Without the Spans' /ActualText, the words each line wrap runs together are named."""
    path = tmp_path / "joined.pdf"
    with pikepdf.open(surrey_build.outputs["pdf"]) as pdf:
        for elem in structure(pdf).walk():
            if elem.tag == "Span" and "/ActualText" in elem.obj:
                del elem.obj["/ActualText"]
        pdf.save(path)
    messages = [f.message for f in check_file(path) if f.rule == "pdf-joined-words"]
    assert any(m.startswith('"teamof"') for m in messages), messages[:5]  # "a team / of inspectors" (Acknowledgements)


# --------------------------------------------------------------------------- PDF/A


def _broken_pdfa(source: Path, path: Path, breaks) -> Path:
    with pikepdf.open(source) as pdf:
        breaks(pdf)
        pdf.save(path)
    return path


def _set_xmp(pdf, edit):
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    pdf.Root.Metadata = pdf.make_stream(edit(xmp).encode("utf-8"), Type=pikepdf.Name.Metadata,
                                        Subtype=pikepdf.Name.XML)


def _transparent(pdf):
    del pdf.Root["/OutputIntents"]
    pdf.pages[1].Resources.ExtGState["/half"] = pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0.5)


def _interpolated_image(pdf):
    """A raster image asking to be smoothed, as WeasyPrint writes one (CSS image-rendering: auto)."""
    image = pdf.make_stream(b"\xff\x00\x00" * 4, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                            Width=2, Height=2, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                            Interpolate=True)
    page = pdf.pages[1]
    if "/XObject" not in page.Resources:
        page.Resources.XObject = pikepdf.Dictionary()
    page.Resources.XObject["/Im9"] = image
    page.contents_add(pdf.make_stream(b"/Artifact BMC q 10 0 0 10 0 0 cm /Im9 Do Q EMC"))


PDFA_BREAKS = {
    "pdf-a-output-intent": lambda pdf: pdf.Root.__delitem__("/OutputIntents"),
    "pdf-a-xmp-extension": lambda pdf: _set_xmp(pdf, lambda x: re.sub(r"<pdfaSchema:namespaceURI>[^<]*<", "<", x)),
    "pdf-a-info-matches-xmp": lambda pdf: setattr(pdf.trailer.Info, "Title", pikepdf.String("Another title")),
    "pdf-a-forbidden": lambda pdf: setattr(pdf.Root, "OpenAction", pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))),
    "pdf-a-transparency": _transparent,
    "pdf-a-image": _interpolated_image,
}


@pytest.mark.parametrize("rule_id", sorted(PDFA_BREAKS))
def test_a_pdfa_file_broken_one_way_fails_that_rule(surrey_build, tmp_path, rule_id):
    path = _broken_pdfa(surrey_build.outputs["pdf"], tmp_path / "broken.pdf", PDFA_BREAKS[rule_id])
    rules = rule_ids(path)
    assert rule_id in rules
    assert rules <= {rule_id, "pdf-a-output-intent"}, rules  # taking the OutputIntent out is part of one break


@pytest.mark.parametrize("key, value, says", [
    ("/Interpolate", True, "/Interpolate true"), ("/BitsPerComponent", 12, "/BitsPerComponent 12"),
    ("/OPI", pikepdf.Dictionary(), "/OPI")])
def test_pdfa_image_names_the_image_and_what_is_wrong(surrey_build, tmp_path, key, value, says):
    def breaks(pdf):
        _interpolated_image(pdf)
        image = pdf.pages[1].Resources.XObject["/Im9"]
        del image["/Interpolate"]
        image[key] = value
        smask = pdf.make_stream(b"\x00" * 4, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=2,
                                Height=2, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8)
        image.SMask = smask  # a clean soft mask: only the image itself is named

    path = _broken_pdfa(surrey_build.outputs["pdf"], tmp_path / "image.pdf", breaks)
    failures = [f for f in check_file(path) if f.rule == "pdf-a-image"]
    # WeasyPrint's pages share one resource dictionary: the first page that reaches it is named
    assert [(f.where.split(" resources ")[1], says in f.message) for f in failures] == [("XObject /Im9", True)]


def test_pdfa_image_reads_soft_masks_and_graphics_states(surrey_build, tmp_path):
    def breaks(pdf):
        _interpolated_image(pdf)
        image = pdf.pages[1].Resources.XObject["/Im9"]
        del image["/Interpolate"]
        image.SMask = pdf.make_stream(b"\x00" * 4, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=2,
                                      Height=2, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                                      Interpolate=True)
        pdf.pages[1].Resources.ExtGState["/tr"] = pikepdf.Dictionary(Type=pikepdf.Name.ExtGState,
                                                                     TR=pikepdf.Name.Identity)

    path = _broken_pdfa(surrey_build.outputs["pdf"], tmp_path / "smask.pdf", breaks)
    failures = sorted((f.where.split(" resources ")[1], f.message.split(" (")[0])
                      for f in check_file(path) if f.rule == "pdf-a-image")
    assert failures == [("ExtGState /tr", "graphics state with a transfer function /TR"),
                        ("XObject /Im9 SMask", "image with /Interpolate true")]


def test_pdfa_rules_leave_a_file_that_claims_no_pdfa_alone(surrey_build, tmp_path):
    def unclaim(pdf):
        _set_xmp(pdf, lambda x: re.sub(r'pdfaid:(part|conformance)="[^"]*"', "", x))
        del pdf.Root["/OutputIntents"]
        pdf.trailer.Info.Title = pikepdf.String("Another title")

    path = _broken_pdfa(surrey_build.outputs["pdf"], tmp_path / "plain.pdf", unclaim)
    assert rule_ids(path) == set()


def test_a11y_says_which_pdfa_rules_it_cannot_check(surrey_build, reportgen):
    ran = reportgen("a11y", surrey_build.outputs["pdf"])
    assert ran.returncode == 0
    assert "claims PDF/A-2u; not checked here:" in ran.stderr and "veraPDF" in ran.stderr
    assert "glyph widths" in ran.stderr
