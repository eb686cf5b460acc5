"""The PDF writer: the session's PDF of the example, read back from the file."""

from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

from generator.text import file_text
from tests.seedtext import coverage


@pytest.fixture(scope="module")
def pdf(surrey_build):
    return surrey_build.outputs["pdf"]


@pytest.fixture(scope="module")
def pdf_text(pdf):
    return file_text(pdf)


def pdfinfo(path) -> dict:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def test_pdf_is_tagged_titled_a4_with_language(pdf):
    info = {k: v.strip() for k, v in pdfinfo(pdf).items()}
    assert info["Tagged"] == "yes"
    assert info["Title"] == "An inspection of probation services in: Surrey PDU"
    assert info["Page size"].startswith("595.276 x 841.89")
    reader = PdfReader(str(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert str(root["/MarkInfo"]["/Marked"]).lower() == "true"
    assert "/StructTreeRoot" in root
    assert str(root["/ViewerPreferences"]["/DisplayDocTitle"]).lower() == "true"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part=\"1\"" in xmp or "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "An inspection of probation services in: Surrey PDU" in xmp


def test_every_font_is_embedded_with_unicode_map(pdf):
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "no fonts listed"
    for row in rows:
        emb, sub, uni = row.split()[-5:-2]
        assert (emb, uni) == ("yes", "yes"), row
        assert "Lato" in row, row


def test_bookmarks_follow_the_headings(pdf):
    outline = PdfReader(str(pdf)).outline
    top = [item.title for item in outline if not isinstance(item, list)]
    assert top[:4] == ["Contents", "Acknowledgements", "Foreword", "Ratings"]
    assert "1. Organisational arrangements and activity" in top
    children = next(item for item in outline if isinstance(item, list) and any(
        getattr(c, "title", "") == "P 1.1. Leadership" for c in item))
    assert children


def test_the_score_and_overall_rating_are_shown(pdf_text):
    assert "Score 3/21" in pdf_text
    assert "Overall rating: Inadequate" in pdf_text


def test_contents_has_real_page_numbers(pdf, pdf_text):
    reader = PdfReader(str(pdf))
    pages = [page.extract_text() for page in reader.pages]
    for title in ("Foreword", "Ratings", "Background", "2. Service delivery"):
        number = int(re.search(rf"^{re.escape(title)} (\d+)$", pdf_text, re.M)[1])
        assert pages[number - 1].lstrip().startswith(title) or f"\n{title}\n" in pages[number - 1], title


def test_footnotes_sit_at_the_foot_of_the_page_of_their_call(pdf):
    reader = PdfReader(str(pdf))
    for page in reader.pages:
        text = page.extract_text()
        for number in re.findall(r"^(\d)\. (?:Source|Prioritisation|The rating)", text, re.M):
            assert re.search(rf"[a-z,.]{number}\s", text), f"footnote {number} is not on its call's page"
    full = "\n".join(p.extract_text() for p in reader.pages)
    assert len(re.findall(r"^\d\. (?:Source|Prioritisation|The rating)", full, re.M)) == 7


def test_lowest_key_question_is_marked_in_words(pdf_text):
    assert "Does assessment focus sufficiently on keeping other people safe? 32% (lowest score)" in pdf_text
    assert "Does assessment focus sufficiently on engaging the person on probation? 46%\n" in pdf_text


def test_no_link_is_empty_or_hash(pdf):
    reader = PdfReader(str(pdf))
    uris = [a.get_object()["/A"].get("/URI") for page in reader.pages for a in page.get("/Annots", [])
            if a.get_object().get("/A") and a.get_object()["/A"].get("/URI")]
    assert uris, "no external links found"
    assert all(uri.startswith(("https://", "mailto:")) for uri in uris), uris


def test_pdf_holds_98_percent_of_seed_sentences(pdf_text):
    found, total, missing = coverage(pdf_text)
    assert found / total >= 0.98, missing


def test_pdf_golden_text(pdf_text, golden):
    golden("surrey-pdu.pdf.txt", pdf_text)
