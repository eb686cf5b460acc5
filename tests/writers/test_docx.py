"""The DOCX of the example, read back from the file: one test per promise of the DOCX writer.

The DOCX is the session's build of the example (tests/conftest.py); structure is read with
python-docx and lxml (XPath over the package's parts), text with `generator.text.file_text`, and a
real client (LibreOffice, installed by scripts/system-deps.sh) opens it.
"""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from generator.build import build
from generator.diagnostics import ContentError
from generator.writers.docx.xml import run_properties
from generator.model import BlockQuote, BulletList, FootnoteRef, Heading, Link, OrderedList, Paragraph, walk
from generator.text import file_text
from generator.writers.docx.writer import write_docx
from tests.conftest import GOLDEN, ROOT, SURREY, copy_report
from tests.readback import libreoffice_pdf, pdf_lines, pdf_pages
from tests.seedtext import coverage

NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/"}
W = "{%s}" % NS["w"]


def xp(node, path: str) -> list:
    return node.xpath(path, namespaces=NS)


def texts(node) -> str:
    return "".join(xp(node, ".//w:t/text()"))


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def doc(surrey_doc):
    return surrey_doc


@pytest.fixture(scope="module")
def path(surrey_build) -> Path:
    assert not surrey_build.diagnostics.items, surrey_build.diagnostics.items
    return surrey_build.outputs["docx"]


@pytest.fixture(scope="module")
def parts(path) -> dict:
    """Every XML part of the package, parsed, by its name in the zip."""
    with zipfile.ZipFile(path) as package:
        return {name: etree.fromstring(package.read(name)) for name in package.namelist()
                if name.endswith((".xml", ".rels"))}


@pytest.fixture(scope="module")
def body(parts):
    return xp(parts["word/document.xml"], "/w:document/w:body")[0]


@pytest.fixture(scope="module")
def paragraphs(body) -> list:
    return xp(body, "./w:p")


@pytest.fixture(scope="module")
def styles(parts) -> dict:
    """Style id -> w:style element."""
    return {s.get(W + "styleId"): s for s in xp(parts["word/styles.xml"], "//w:style")}


def style_of(p) -> str:
    return (xp(p, "./w:pPr/w:pStyle/@w:val") or ["Normal"])[0]


def rels(parts, name: str) -> dict:
    """rId -> (type, target, mode) of a part's relationships."""
    folder, _, file = name.rpartition("/")
    root = parts.get(f"{folder}/_rels/{file}.rels")
    return {r.get("Id"): (r.get("Type"), r.get("Target"), r.get("TargetMode")) for r in xp(root, "//rel:Relationship")}


def tables_after(body, heading_text: str) -> list:
    """The tables of the part whose Heading 1 reads `heading_text`."""
    out, inside = [], False
    for child in body:
        if child.tag == W + "p" and style_of(child) == "Heading1":
            inside = texts(child) == heading_text
        elif inside and child.tag == W + "tbl":
            out.append(child)
    return out


# --------------------------------------------------------------------------- section 4, point by point

def test_pages_are_a4_with_the_pdf_margins(body):
    sections = xp(body, ".//w:sectPr")
    assert len(sections) == 1
    size, margins = xp(sections[0], "./w:pgSz")[0], xp(sections[0], "./w:pgMar")[0]
    assert (int(size.get(W + "w")), int(size.get(W + "h"))) == (11906, 16838)  # 210 x 297 mm in twips
    mm = {side: round(int(margins.get(W + side)) / 1440 * 25.4, 1) for side in ("top", "bottom", "left", "right")}
    assert mm == {"top": 25.0, "bottom": 25.0, "left": 20.0, "right": 20.0}  # styles/print.css @page


def test_cover_comes_first_without_header_or_footer(doc, body, paragraphs):
    cover = paragraphs[:4]
    assert [style_of(p) for p in cover] == ["CoverInspectorate", "Title", "CoverRegion", "CoverImprint"]
    assert texts(cover[0]) == doc.cover.inspectorate
    assert texts(cover[1]) == doc.cover.lead + doc.cover.unit and xp(cover[1], ".//w:br")
    assert texts(cover[3]) == doc.cover.imprint
    section = xp(body, "./w:sectPr")[0]
    assert xp(section, "./w:titlePg"), "the first page has its own (blank) header and footer"
    assert not xp(section, "./w:headerReference[@w:type='first'] | ./w:footerReference[@w:type='first']")
    assert style_of(paragraphs[4]) == "Heading1"


def test_title_and_heading_styles_without_skipped_levels(doc, paragraphs, styles):
    assert [style_of(p) for p in paragraphs].count("Title") == 1
    levels = [int(style_of(p)[len("Heading"):]) for p in paragraphs if style_of(p).startswith("Heading")]
    expected = []
    for part in doc.parts:
        expected += [1] + [n.level for n in walk(part.blocks) if isinstance(n, Heading)]
    assert levels == expected, "part title = Heading 1, model heading level n = Heading n"
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), "no skipped levels"
    heading_1 = [texts(p) for p in paragraphs if style_of(p) == "Heading1"]
    assert heading_1 == [part.title for part in doc.parts]
    for level in (1, 2, 3):  # the built-in heading styles, with their outline level (navigation pane)
        style = styles[f"Heading{level}"]
        assert xp(style, "./w:name/@w:val") == [f"heading {level}"]
        assert xp(style, "./w:pPr/w:outlineLvl/@w:val") == [str(level - 1)]
    assert xp(styles["Title"], "./w:name/@w:val") == ["Title"]


def test_a_standards_statement_and_rating_keep_with_what_follows(styles):
    """Word keeps a standard's statement and its rating on the page of the content they head."""
    for name in ("Statement", "Rating"):
        assert xp(styles[name], "./w:pPr/w:keepNext"), name
        assert xp(styles[name], "./w:pPr/w:keepNext/@w:val") in ([], ["1"], ["true"]), name


def test_contents_is_a_real_toc_field_that_word_updates_on_open(doc, parts, body, paragraphs):
    settings = parts["word/settings.xml"]
    assert xp(settings, "//w:updateFields/@w:val") == ["true"]  # its page numbers: only Word can add them
    start = next(i for i, p in enumerate(paragraphs) if style_of(p) == "Heading1" and texts(p) == "Contents")
    toc = paragraphs[start + 1:]
    instruction = "".join(xp(toc[0], ".//w:instrText/text()")).strip()
    assert instruction.startswith("TOC ") and '\\o "1-1"' in instruction and "\\h" in instruction
    assert xp(toc[0], "./w:r[1]/w:fldChar/@w:fldCharType") == ["begin"]
    contents = next(n for part in doc.parts for n in part.blocks if n.kind == "contents")
    entries = toc[:len(contents.entries)]
    assert [texts(p) for p in entries] == [e.title for e in contents.entries], "the cached result reads right"
    assert all(style_of(p) == "TOC1" for p in entries)
    assert xp(entries[-1], "./w:r[last()]/w:fldChar/@w:fldCharType") == ["end"]
    bookmarks = {b.get(W + "name"): b for b in xp(body, ".//w:bookmarkStart")}
    for p, entry in zip(entries, contents.entries):
        anchor = xp(p, "./w:hyperlink/@w:anchor")[0]
        heading = bookmarks[anchor].getparent()
        assert style_of(heading) == "Heading1" and texts(heading) == entry.title
    # the field's \b range holds exactly the listed parts, so Word's update lists the same titles
    name = instruction.split("\\b ")[1].split()[0]
    start_id = bookmarks[name].get(W + "id")
    inside, listed = False, []
    for child in body:
        inside = inside or bool(xp(child, f"descendant-or-self::w:bookmarkStart[@w:id='{start_id}']"))
        if inside and child.tag == W + "p" and style_of(child) == "Heading1":
            listed.append(texts(child))
        inside = inside and not xp(child, f"descendant-or-self::w:bookmarkEnd[@w:id='{start_id}']")
    assert listed == [e.title for e in contents.entries]


def test_running_header_is_the_report_title(doc, parts, body):
    section = xp(body, "./w:sectPr")[0]
    r_id = xp(section, "./w:headerReference[@w:type='default']/@r:id")[0]
    target = rels(parts, "word/document.xml")[r_id][1]
    header = parts[f"word/{target}"]
    assert texts(header) == doc.info.title
    assert [style_of(p) for p in xp(header, "//w:p")] == ["Header"]


def test_footer_is_page_n_of_m_as_fields(parts, body):
    section = xp(body, "./w:sectPr")[0]
    r_id = xp(section, "./w:footerReference[@w:type='default']/@r:id")[0]
    footer = parts["word/" + rels(parts, "word/document.xml")[r_id][1]]
    instructions = [t.strip() for t in xp(footer, "//w:instrText/text()")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert xp(footer, "//w:fldChar/@w:fldCharType") == ["begin", "separate", "end"] * 2
    assert re.fullmatch(r"Page \d+ of \d+", texts(footer))


def test_footnotes_are_real_word_footnotes(doc, parts, body):
    assert RT.FOOTNOTES in {t for t, _, _ in rels(parts, "word/document.xml").values()}
    notes = {n.get(W + "id"): n for n in xp(parts["word/footnotes.xml"], "/w:footnotes/w:footnote[not(@w:type)]")}
    model = [n for part in doc.parts for n in walk(part.blocks) if isinstance(n, FootnoteRef)]
    assert len(model) == 7 and len(notes) == 7
    references = xp(body, ".//w:footnoteReference")
    assert [r.get(W + "id") for r in references] == list(notes), "one reference per note, in order"
    for reference in references:
        assert xp(reference, "../w:rPr/w:rStyle/@w:val") == ["FootnoteReference"]
    for note, ref in zip(notes.values(), model):
        assert xp(note, ".//w:footnoteRef"), "Word numbers the note itself"
        assert [style_of(p) for p in xp(note, "./w:p")] == ["FootnoteText"]
        assert " ".join(texts(note).split()) == " ".join(file_text_of(ref.children).split())
    links_in_notes = xp(parts["word/footnotes.xml"], "//w:hyperlink/@r:id")
    note_rels = rels(parts, "word/footnotes.xml")
    assert links_in_notes and all(note_rels[r][2] == "External" for r in links_in_notes)


def file_text_of(inlines) -> str:
    out = []
    for node in inlines:
        out.append(getattr(node, "text", "") if not hasattr(node, "children") else file_text_of(node.children))
    return "".join(out)


def numbering_of(parts) -> tuple[dict, dict]:
    """(numId -> (abstractNumId, {level: startOverride}), abstractNumId -> level-0 numFmt)."""
    numbering = parts["word/numbering.xml"]
    nums = {}
    for num in xp(numbering, "//w:num"):
        overrides = {o.get(W + "ilvl"): xp(o, "./w:startOverride/@w:val")[0] for o in xp(num, "./w:lvlOverride")}
        nums[num.get(W + "numId")] = (xp(num, "./w:abstractNumId/@w:val")[0], overrides)
    formats = {a.get(W + "abstractNumId"): xp(a, "./w:lvl[@w:ilvl='0']/w:numFmt/@w:val")[0]
               for a in xp(numbering, "//w:abstractNum")}
    return nums, formats


def list_paragraphs(paragraphs) -> list:
    return [(p, xp(p, "./w:pPr/w:numPr/w:numId/@w:val")[0], xp(p, "./w:pPr/w:numPr/w:ilvl/@w:val")[0])
            for p in paragraphs if xp(p, "./w:pPr/w:numPr")]


def test_recommendations_are_numbered_lists_restarting_per_list(doc, parts, paragraphs):
    nums, formats = numbering_of(parts)
    items = list_paragraphs(paragraphs)
    ordered = [(p, n) for p, n, _ in items if formats[nums[n][0]] == "decimal"]
    model = [n for part in doc.parts for n in walk(part.blocks) if isinstance(n, OrderedList)]
    recommendations = next(part for part in doc.parts if part.id == "recommendations")
    lists = [n for n in recommendations.blocks if isinstance(n, OrderedList)]
    assert len(ordered) == sum(len(lst.items) for lst in model)
    assert [texts(p) for p, _ in ordered][:len(lists[0].items)] == [
        file_text_of(item[0].children) for item in lists[0].items]
    by_list: dict[str, int] = {}
    for _, num_id in ordered:
        by_list[num_id] = by_list.get(num_id, 0) + 1
    assert list(by_list.values()) == [len(lst.items) for lst in model], "one w:num per ordered list"
    for num_id in by_list:
        assert nums[num_id][1] == {"0": "1"}, "each list restarts at its start (lvlOverride/startOverride)"
    assert len({nums[n][0] for n in by_list}) == 1, "the lists share one decimal definition"
    assert all(style_of(p) == "ListParagraph" for p, _ in ordered)
    assert "1." not in {texts(p)[:2] for p, _ in ordered}, "no typed numbers"


def test_bullet_lists_are_real_lists(doc, parts, paragraphs):
    nums, formats = numbering_of(parts)
    bullets = [(p, level) for p, n, level in list_paragraphs(paragraphs) if formats[nums[n][0]] == "bullet"]
    model = [n for part in doc.parts for n in walk(part.blocks) if isinstance(n, BulletList)]
    assert len(bullets) == sum(len(lst.items) for lst in model) > 50
    assert all(level == "0" and style_of(p) == "ListParagraph" for p, level in bullets)
    assert not any(texts(p).lstrip().startswith(("•", "-", "*")) for p, _ in bullets), "no typed bullets"


def test_ratings_table_is_a_word_table_with_a_repeating_styled_header_row(doc, styles, body):
    summary = next(n for part in doc.parts for n in part.blocks if n.kind == "ratings_summary")
    tables = tables_after(body, "Ratings")[:len(summary.groups)]  # then the key (tests/writers/test_scorecard.py)
    assert len(tables) == len(summary.groups) == 2
    for tbl, group in zip(tables, summary.groups):
        rows = xp(tbl, "./w:tr")
        assert xp(rows[0], "./w:trPr/w:tblHeader"), "header row repeats on each page"
        assert not any(xp(r, "./w:trPr/w:tblHeader") for r in rows[1:])
        assert [texts(c) for c in xp(rows[0], "./w:tc")] == [summary.standard_header, summary.rating_header]
        assert not xp(rows[0], ".//w:rPr/w:b | .//w:tcPr/w:shd"), "header cells are styled by the table style"
        assert xp(tbl, "./w:tblPr/w:tblLook/@w:firstRow") == ["1"]
        assert xp(tbl, "./w:tblPr/w:tblCaption/@w:val") == [group.title]
        assert not xp(tbl, ".//w:gridSpan | .//w:vMerge"), "no merged cells"
        for tr, row in zip(rows[1:], group.rows):
            standard, rating = xp(tr, "./w:tc")
            assert texts(standard) == row.standard
            assert texts(rating) == row.rating.label, "the rating is its word"
            assert xp(rating, "./w:tcPr/w:shd/@w:fill") == [row.rating.colour.lstrip("#").upper()]
            word_style = styles[xp(rating, ".//w:rStyle/@w:val")[0]]
            assert xp(word_style, "./w:rPr/w:color/@w:val") == [row.rating.text_colour.lstrip("#").upper()]
    style = styles[xp(tables[0], "./w:tblPr/w:tblStyle/@w:val")[0]]
    assert xp(style, "./w:name/@w:val") == ["Report Table"]
    assert xp(style, "./w:tblStylePr[@w:type='firstRow']/w:rPr/w:b")
    assert xp(style, "./w:tblStylePr[@w:type='firstRow']/w:tcPr/w:shd/@w:fill") == ["DEE0E2"]


def test_key_question_tables_mark_the_lowest_in_words_and_bold(doc, body):
    model = [n for part in doc.parts for n in part.blocks if n.kind == "key_question_table"]
    tables = [t for t in xp(body, "./w:tbl") if texts(xp(t, "./w:tr[1]/w:tc[1]")[0]) == model[0].question_header]
    assert len(tables) == len(model) == 4
    for tbl, node in zip(tables, model):
        rows = xp(tbl, "./w:tr")
        assert xp(rows[0], "./w:trPr/w:tblHeader")
        assert [texts(c) for c in xp(rows[0], "./w:tc")] == [node.question_header, node.value_header]
        for tr, row in zip(rows[1:], node.rows):
            question, value = xp(tr, "./w:tc")
            assert texts(question) == row.question
            assert xp(value, "./w:p/w:pPr/w:jc/@w:val") == ["right"] and not xp(question, ".//w:jc")
            bold = xp(tr, ".//w:rStyle[@w:val='Strong']")
            if row.lowest:
                assert texts(value) == f"{row.value} ({node.lowest_note})", "marked in words"
                assert xp(question, ".//w:rStyle/@w:val") == ["Strong"]
                assert xp(value, ".//w:r[w:rPr/w:rStyle/@w:val='Strong']/w:t/text()") == [row.value]
            else:
                assert texts(value) == row.value and not bold
        assert sum(row.lowest for row in node.rows) >= 1


def test_quotes_use_the_quote_style(doc, paragraphs, styles):
    """Word's Quote, under the name LibreOffice tags BlockQuote ("Quotations", based on Quote)."""
    quoted = [p for part in doc.parts for q in walk(part.blocks) if isinstance(q, BlockQuote)
              for p in q.children if isinstance(p, Paragraph)]
    in_docx = [texts(p) for p in paragraphs if style_of(p) == "Quotations"]
    assert xp(styles["Quotations"], "./w:basedOn/@w:val") == ["Quote"]
    assert len(in_docx) == len(quoted) == 3
    assert in_docx == [file_text_of(p.children) for p in quoted]


def test_hyperlinks_are_real_and_only_web_or_mail(doc, parts, body):
    links = xp(body, ".//w:hyperlink[@r:id]")
    model = [n for part in doc.parts for n in walk(part.blocks) if isinstance(n, Link)]
    in_notes = [n for part in doc.parts for ref in walk(part.blocks) if isinstance(ref, FootnoteRef)
                for n in walk(ref.children) if isinstance(n, Link)]
    assert len(links) == len(model) - len(in_notes) > 3
    document_rels = rels(parts, "word/document.xml")
    for link, node in zip(links, [n for n in model if n not in in_notes]):
        kind, target, mode = document_rels[link.get(f"{{{NS['r']}}}id")]
        assert kind == RT.HYPERLINK and mode == "External" and target == node.href
        assert target.split(":")[0] in ("http", "https", "mailto")
        assert xp(link, ".//w:rStyle/@w:val")[:1] == ["Hyperlink"]


def png(path: Path, size=(240, 120)) -> Path:
    from PIL import Image as PILImage

    path.parent.mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", size, (29, 93, 144)).save(path)
    return path


def test_images_carry_their_alt_text(tmp_path):
    report = copy_report(tmp_path)
    png(report / "images" / "offices.png")
    chapter = report / "chapters" / "background.md"
    alt = "A map of Surrey showing the three offices"
    chapter.write_text(chapter.read_text() + f"\n![{alt}](images/offices.png)\n")
    built = build(report, tmp_path / "out", formats=("docx",))
    with zipfile.ZipFile(built.outputs["docx"]) as package:
        document = etree.fromstring(package.read("word/document.xml"))
        media = [n for n in package.namelist() if n.startswith("word/media/")]
    drawings = [d for d in xp(document, "//w:drawing/wp:inline") if xp(d, "./wp:docPr/@descr") == [alt]]
    # the figure and the cover's crest
    assert len(drawings) == 1 and media == ["word/media/image1.png", "word/media/image2.png"]
    assert not xp(document, "//wp:anchor"), "inline, never floating"
    assert style_of(xp(drawings[0], "ancestor::w:p")[0]) == "Picture"  # not a PDF structure type's name


def test_core_properties_and_default_language(doc, parts, styles):
    core = parts["docProps/core.xml"]
    info = doc.info
    assert xp(core, "//dc:title/text()") == [info.title]
    assert xp(core, "//dc:subject/text()") == [info.subject]
    assert xp(core, "//dc:creator/text()") == [info.author]
    assert xp(core, "//cp:keywords/text()") == [", ".join(info.keywords)]
    assert xp(core, "//dc:language/text()") == [info.language] == ["en-GB"]
    assert xp(core, "//dcterms:created/text()") == xp(core, "//dcterms:modified/text()") == [f"{info.date}T00:00:00Z"]
    defaults = parts["word/styles.xml"]
    assert xp(defaults, "/w:styles/w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val") == ["en-GB"]


def test_no_empty_paragraphs_or_typed_breaks_for_spacing(body, paragraphs, styles):
    for p in paragraphs:
        assert texts(p).strip() or xp(p, ".//w:drawing | .//w:fldChar"), f"empty paragraph ({style_of(p)})"
    assert not xp(body, ".//w:br[@w:type='page'] | .//w:lastRenderedPageBreak")
    assert xp(styles["Heading1"], "./w:pPr/w:pageBreakBefore"), "each part starts a page by its style"
    assert not xp(body, ".//w:p/w:pPr/w:pageBreakBefore")


# --------------------------------------------------------------------------- the rest of the issue

def test_the_same_content_gives_the_same_bytes(doc, path):
    again = io.BytesIO()
    write_docx(doc, SURREY, again)
    assert again.getvalue() == path.read_bytes()
    with zipfile.ZipFile(path) as package:
        infos = package.infolist()
    assert {i.date_time for i in infos} == {(2024, 3, 1, 0, 0, 0)}, "entry times from the report's date"
    assert infos[0].filename == "[Content_Types].xml"


def test_normalised_text_matches_golden(path, golden):
    golden("surrey-pdu.docx.txt", file_text(path))


def test_text_has_the_seed_sentences(path):
    found, total, missing = coverage(file_text(path))
    assert found / total >= 0.98, f"{total - found} of {total} seed sentences missing, e.g. {missing[:5]}"


def test_libreoffice_without_lato_lays_it_out_in_the_embedded_lato(path, tmp_path, surrey_build):
    pdf = libreoffice_pdf(path, tmp_path)
    pages = pdf_pages(pdf)
    assert abs(pages - pdf_pages(surrey_build.outputs["pdf"])) <= 1, "lays out like the PDF, within a page"
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert f"Page 2 of {pages}" in text and "32% (lowest score)" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    used = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert used == {"Lato-Regular", "Lato-Bold", "Lato-Italic", "Lato-BoldItalic"}, used
    # Built without --docx-page-numbers, the contents field's cached result carries no page numbers
    # (tests/writers/test_docx_pagination.py has them): LibreOffice shows the titles alone
    contents = next(lines[1:] for lines in pdf_lines(pdf) if lines[1:2] == ["Contents"])
    for title in ("Foreword", "Ratings", "Background", "2. Service delivery"):
        assert title in contents, contents


def deobfuscated_fonts(path: Path, parts: dict) -> dict:
    """{w:embed* tag: (font, family)} from fontTable.xml and the word/fonts/*.odttf parts."""
    from fontTools.ttLib import TTFont

    table = parts["word/fontTable.xml"]
    targets = {rel.get("Id"): rel.get("Target") for rel in parts["word/_rels/fontTable.xml.rels"]}
    found = {}
    for embed in table.iter(f"{W}embedRegular", f"{W}embedBold", f"{W}embedItalic", f"{W}embedBoldItalic"):
        key = bytes.fromhex(embed.get(f"{W}fontKey").strip("{}").replace("-", ""))[::-1]
        with zipfile.ZipFile(path) as package:
            data = bytearray(package.read("word/" + targets[embed.get(f"{{{NS['r']}}}id")]))
        for i in range(32):
            data[i] ^= key[i % 16]
        font = TTFont(io.BytesIO(bytes(data)))
        family = embed.getparent().get(f"{W}name")
        assert font["name"].getBestFamilyName() == family
        found[etree.QName(embed).localname] = (font, family)
    return found


def test_the_theme_fonts_are_embedded_subset_and_obfuscated(parts, path):
    fonts = deobfuscated_fonts(path, parts)
    assert set(fonts) == {"embedRegular", "embedBold", "embedItalic", "embedBoldItalic"}
    assert {family for _, family in fonts.values()} == {"Lato"}
    settings = parts["word/settings.xml"]
    assert settings.find(f"{W}embedTrueTypeFonts") is not None and settings.find(f"{W}saveSubsetFonts") is not None
    types = parts["[Content_Types].xml"]
    assert [o.get("ContentType") for o in types if o.get("PartName", "").endswith(".odttf")] == \
        ["application/vnd.openxmlformats-officedocument.obfuscatedFont"] * 4
    # every character of the text has a glyph in the regular face; the face is a subset
    regular = fonts["embedRegular"][0]
    cmap = regular.getBestCmap()
    text = file_text(path)
    missing = {c for c in text if not c.isspace() and ord(c) not in cmap}
    assert not missing, missing
    from fontTools.ttLib import TTFont

    assert len(cmap) < len(TTFont(ROOT / "styles" / "fonts" / "Lato-Regular.ttf").getBestCmap()) / 4


def test_a_house_template_in_another_font_embeds_nothing(tmp_path):
    document = docx.Document(str(ROOT / "styles" / "reference.docx"))
    for fonts in document.styles.element.iter(W + "rFonts"):
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            if fonts.get(W + attr) == "Lato":
                fonts.set(W + attr, "Arial")
    document.save(str(tmp_path / "house.docx"))
    built = build(SURREY, tmp_path / "out", formats=("docx",), reference_doc=tmp_path / "house.docx")
    with zipfile.ZipFile(built.outputs["docx"]) as package:
        assert not [name for name in package.namelist() if name.endswith(".odttf")]
        assert b"embedRegular" not in package.read("word/fontTable.xml")


def test_reference_docx_is_what_the_script_makes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_reference_docx", ROOT / "scripts" / "make_reference_docx.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.make(tmp_path / "reference.docx") == (ROOT / "styles" / "reference.docx").read_bytes(), \
        "styles/reference.docx is stale: run scripts/make_reference_docx.py"


def house_template(path: Path, drop_style: str = "Statement") -> Path:
    """styles/reference.docx with Heading 1 in dark red and one style the writer needs removed."""
    document = docx.Document(str(ROOT / "styles" / "reference.docx"))
    styles = document.styles.element
    heading = next(s for s in styles.iterchildren(W + "style") if s.get(W + "styleId") == "Heading1")
    run_properties(heading.find(W + "rPr"), colour="7F0000")
    styles.remove(next(s for s in styles.iterchildren(W + "style") if s.get(W + "styleId") == drop_style))
    document.save(str(path))
    return path


def styles_of(docx_path: Path) -> dict:
    with zipfile.ZipFile(docx_path) as package:
        root = etree.fromstring(package.read("word/styles.xml"))
    return {s.get(W + "styleId"): s for s in xp(root, "//w:style")}


def test_a_house_template_given_with_reference_doc_styles_the_output(tmp_path):
    template = house_template(tmp_path / "house.docx")
    built = build(SURREY, tmp_path / "out", formats=("docx",), reference_doc=template)
    styles = styles_of(built.outputs["docx"])
    assert xp(styles["Heading1"], "./w:rPr/w:color/@w:val") == ["7F0000"]
    assert "Statement" in styles, "a style the template lacks is copied from styles/reference.docx"


def test_docx_reference_in_report_yaml_is_relative_to_the_report(tmp_path):
    report = copy_report(tmp_path)
    house_template(report / "house.docx")
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text() + "\ndocx_reference: house.docx\n")
    built = build(report, tmp_path / "out", formats=("docx",))
    assert xp(styles_of(built.outputs["docx"])["Heading1"], "./w:rPr/w:color/@w:val") == ["7F0000"]


@pytest.mark.parametrize("value, code", [("missing.docx", "docx-reference-missing"),
                                         ("../outside.docx", "docx-reference-outside"),
                                         ("report.yaml", "docx-reference-invalid")])
def test_a_bad_docx_reference_is_a_located_error_and_nothing_is_written(tmp_path, value, code):
    report = copy_report(tmp_path)
    (tmp_path / "outside.docx").write_bytes((ROOT / "styles" / "reference.docx").read_bytes())
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text() + f"\ndocx_reference: {value}\n")
    with pytest.raises(ContentError) as failure:
        build(report, tmp_path / "out", formats=("docx",))
    diag = next(d for d in failure.value.diagnostics.errors if d.code == code)
    assert diag.path.endswith("report.yaml") and yaml.read_text().splitlines()[diag.line - 1].startswith("docx_ref")
    assert not list((tmp_path / "out").glob("*.docx"))


def test_build_with_format_docx_writes_only_the_docx(tmp_path, path, reportgen):
    result = reportgen("build", SURREY, "--format", "docx", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {tmp_path / 'surrey-pdu.docx'}\n"
    # the DOCX and the record of what was written (generator/publish.py OutputsRecord)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".surrey-pdu.outputs.json", "surrey-pdu.docx"]
    assert (tmp_path / "surrey-pdu.docx").read_bytes() == path.read_bytes()


def test_reportgen_text_reads_a_docx(path, reportgen):
    result = reportgen("text", path)
    assert result.returncode == 0
    assert result.stdout == (GOLDEN / "surrey-pdu.docx.txt").read_text(encoding="utf-8")
    assert result.stdout.rstrip().endswith("is placed in a rating band, indicated in bold in the table.")
    assert "\n1. Source: Office for National Statistics." in result.stdout, "footnotes at the end, numbered"
    assert "1,205,616,[1] with" in result.stdout, "a reference reads as its number in brackets where it stands"
