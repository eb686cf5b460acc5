"""The DOCX as another program tags it: LibreOffice's "Export as PDF" with "Tagged PDF".

LibreOffice tags a paragraph by its style's name (a structure type of that name, mapped to P in
the RoleMap), so a style named as a standard structure type ("Figure", "Quote") became a standard
type remapped, which PDF/UA-1 forbids, and a paragraph tagged Figure with no alternative text.
These tests export the built DOCX and read LibreOffice's structure tree back (pikepdf).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from tests.readback import libreoffice_pdf

# ISO 32000-1 14.8.4 (PDF 1.7, on which PDF/UA-1 rests): the standard structure types
STANDARD = set("""Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4
H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot Ruby
RB RT RP Warichu WT WP Figure Formula Form""".split())


@pytest.fixture(scope="module")
def tagged(tmp_path_factory, surrey_build, example_build) -> dict[str, tuple[Path, Path]]:
    """(DOCX, LibreOffice's tagged PDF of it) of the Surrey example (block quotes) and the figures
    example (pictures, a decorative one among them)."""
    figures = example_build("figures-example").outputs["docx"]
    out = {}
    for name, docx in (("surrey-pdu", surrey_build.outputs["docx"]), ("figures-example", figures)):
        out[name] = docx, libreoffice_pdf(docx, tmp_path_factory.mktemp(f"tagged-{name}"), tagged=True)
    return out


def role_map(pdf) -> dict[str, str]:
    return {str(k)[1:]: str(v)[1:] for k, v in pdf.Root.StructTreeRoot.get("/RoleMap", {}).items()}


def elements(pdf):
    """(type, element) of every structure element, depth first."""
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        kid = stack.pop()
        if isinstance(kid, pikepdf.Array):
            stack.extend(reversed(list(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield str(kid.S)[1:], kid
            stack.append(kid.get("/K"))


def decorative_pictures(docx: Path) -> int:
    with zipfile.ZipFile(docx) as package:
        return len(re.findall(rb"<adec:decorative\b[^>]*\bval=\"1\"", package.read("word/document.xml")))


def libreoffice_reads_decorative() -> bool:
    """LibreOffice 7.5 and later read Word's "Mark as decorative" (adec:decorative) and export such a
    picture as an Artifact; 7.4 (Debian 12) has no such property and tags it a Figure."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    said = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=60).stdout
    version = re.search(r"LibreOffice (\d+)\.(\d+)", said)
    return version is not None and (int(version[1]), int(version[2])) >= (7, 5)


@pytest.mark.parametrize("name", ["surrey-pdu", "figures-example"])
def test_no_standard_structure_type_is_remapped(tagged, name):
    with pikepdf.open(tagged[name][1]) as pdf:
        remapped = {k: v for k, v in role_map(pdf).items() if k in STANDARD and k != v}
        assert remapped == {}
        used = Counter(role_map(pdf).get(s, s) for s, _ in elements(pdf))
    assert used["P"] > 0


def test_a_block_quote_is_a_blockquote(tagged):
    """The Surrey example's quotes are in Word's Quote under LibreOffice's name for a block quotation."""
    with pikepdf.open(tagged["surrey-pdu"][1]) as pdf:
        kinds = Counter(s for s, _ in elements(pdf))
    assert kinds["BlockQuote"] == 3 and kinds["Quote"] == 0


def test_every_figure_has_alternative_text_and_decoration_is_marked(tagged):
    docx, pdf_path = tagged["figures-example"]
    with pikepdf.open(pdf_path) as pdf:
        roles = role_map(pdf)
        figures = [e for s, e in elements(pdf) if roles.get(s, s) == "Figure"]
        without = [e for e in figures if not str(e.get("/Alt", "")).strip()]
    assert len(figures) >= 5  # the example's pictures and charts
    assert decorative_pictures(docx) == 1  # rule.svg, marked as Word marks it ("Mark as decorative")
    # the picture marked decorative is the only Figure without Alt, and only where LibreOffice cannot
    # read the mark (7.4); from 7.5 it is an Artifact
    assert len(without) == (0 if libreoffice_reads_decorative() else decorative_pictures(docx))
