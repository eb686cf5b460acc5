"""Furniture words (generator/words.py, issue 25 item 2): every word an output prints that is neither
the author's prose nor the framework's data comes from the words file of the document's language.

The Welsh build reads the text of every output back (the PDF's page text, header and footer, page
labels and figures' alternative text; every part of the DOCX, its header, footer and properties;
the page's text and attributes) and finds every English furniture phrase (each value of
styles/words.yaml, its placeholders standing for anything) nowhere, and the Welsh ones there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree, html as lxml_html

from generator.diagnostics import Diagnostics
from generator.resources import STYLES_DIR, THEMES_DIR
from generator.themes import resolve_theme
from generator.words import PLACEHOLDERS, Words, _pieces, words_file_name, words_for
from tests.conftest import ROOT, copy_report

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def words(language: str, theme=None) -> Words:
    diags = Diagnostics()
    found = words_for(theme, language, diags)
    assert found is not None, [str(d) for d in diags.items]
    return found


# --------------------------------------------------------------------------- the words files


def test_every_shipped_words_file_is_complete_and_valid():
    """Every language of every shipped theme has every key, with no error (words_for says so)."""
    folders = [STYLES_DIR, *(p for p in THEMES_DIR.iterdir() if p.is_dir())]
    files = sorted({p.name for folder in folders for p in folder.glob("words*.yaml")})
    assert files == ["words.cy.yaml", "words.yaml"]
    en, cy = words("en-GB"), words("cy-GB")
    assert [k for k, _ in en.values] == [k for k, _ in cy.values]
    assert dict(en.values)["figure"] == "Figure" and dict(cy.values)["figure"] == "Ffigur"


def test_dates_are_in_the_language():
    cy, en = words("cy-GB"), words("en")
    assert cy["months"] == ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi",
                            "Hydref", "Tachwedd", "Rhagfyr")
    assert cy.long_date("2026-12-07") == "7 Rhagfyr 2026"
    assert cy.month_year("2024-03") == "Mawrth 2024"
    assert en.long_date("2024-01-15") == "15 January 2024"
    assert en.month_year("2024-03") == "March 2024"


def test_a_words_file_is_named_by_the_language_subtag():
    assert words_file_name("en-GB") == words_file_name("en") == "words.yaml"
    assert words_file_name("cy-GB") == words_file_name("cy") == "words.cy.yaml"


def test_an_unknown_language_is_a_located_error_never_english():
    diags = Diagnostics()
    assert words_for(None, "fr-FR", diags, ("report.yaml", 22, 3)) is None
    (error,) = diags.errors
    assert (error.code, error.line) == ("words-missing", 22)
    assert "'fr-FR'" in error.message and "cy, en" in error.message


def theme_with(tmp_path: Path, files: dict[str, str]):
    folder = tmp_path / "house"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    diags = Diagnostics()
    return resolve_theme(tmp_path, folder, diags), diags


def test_a_theme_overrides_words_key_by_key_and_may_add_a_language(tmp_path):
    theme, diags = theme_with(tmp_path, {"words.cy.yaml": "back_to_top: I'r brig\n",
                                         "words.ga.yaml": "".join(f"{k}: {v!r}\n" if isinstance(v, str) else
                                                                  f"{k}: [{', '.join(v)}]\n"
                                                                  for k, v in words("en").values)})
    assert theme is not None, [str(d) for d in diags.items]
    cy = words("cy-GB", theme)
    assert cy["back_to_top"] == "I'r brig" and cy["figure"] == "Ffigur"  # the rest: the default theme's Welsh
    assert words("ga-IE", theme)["figure"] == "Figure"  # a language only the theme has


def test_a_key_missing_from_a_language_is_named_with_the_language(tmp_path):
    theme, _ = theme_with(tmp_path, {"words.ga.yaml": "figure: Fíor\n"})
    diags = Diagnostics()
    assert words_for(theme, "ga-IE", diags) is None
    missing = {re.match(r"'(\w+)'", d.message)[1] for d in diags.errors}
    assert {d.code for d in diags.errors} == {"words-missing"}
    assert missing == {k for k, _ in words("en").values} - {"figure"}
    assert all("in ga-IE" in d.message and d.path.endswith("words.ga.yaml") for d in diags.errors)


@pytest.mark.parametrize(("value", "said"), [
    ('"Tudalen {page} o {cyfanswm}"', "unknown placeholder {cyfanswm}"),
    ('"Page {page!r} of {pages}"', "unknown placeholder {page!r}"),
    ('"Page {page:>99999} of {pages}"', "unknown placeholder {page:>99999}"),
    ('"Page {} of {pages}"', "unknown placeholder {}"),
    ('"Page {0} of {pages}"', "unknown placeholder {0}"),
    ('"Page {page.__class__} of {pages}"', "unknown placeholder {page.__class__}"),
    ('"Page {page"', "expected '}' before end of string"),
    ('"Page \\x1b {page}"', "no control characters"),
    ("[Page]", "a line of text"),
    ('""', "a line of text"),
])
def test_a_words_value_is_checked_at_its_line(tmp_path, value, said):
    theme, diags = theme_with(tmp_path, {"words.yaml": f"# the house's\nfigure: Fig.\npage_of: {value}\n"})
    assert theme is not None
    assert words_for(theme, "en-GB", diags) is None
    (error,) = diags.errors
    assert (error.code, error.line) == ("words-invalid", 3) and said in error.message, str(error)


def test_braces_written_twice_are_braces():
    theme_words = Words("en", (("page_of", "{{{page}}} / {pages}"),))
    assert theme_words.fill("page_of", page=3, pages=9) == "{3} / 9"
    assert set(PLACEHOLDERS["page_of"]) == {"page", "pages"}


def test_a_theme_words_file_is_read_confined(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("figure: Secret\n", encoding="utf-8")
    theme, _ = theme_with(tmp_path, {})
    (tmp_path / "house" / "words.yaml").symlink_to(outside)
    diags = Diagnostics()
    assert words_for(theme, "en-GB", diags) is None
    assert [d.code for d in diags.errors] == ["theme-path-outside"]
    (tmp_path / "house" / "words.yaml").unlink()
    (tmp_path / "house" / "words.yaml").write_bytes(b"figure: x\n" + b"#" * (3 * 1024 * 1024))
    diags = Diagnostics()
    assert words_for(theme, "en-GB", diags) is None
    assert [d.code for d in diags.errors] == ["theme-file-too-large"]


# --------------------------------------------------------------------------- a Welsh report, built

WELSH_CHAPTERS = {
    "contents.md": "::: contents\n",
    "front-matter.md": "::: acknowledgements\n\n::: imprint\n",
    "foreword.md": ("Arolygwyd {{ report.unit }} ym mis {{ report.published | month_year }}; dechreuodd y gwaith maes "
                    "ar {{ report.fieldwork_start | long_date }}.[^nodyn]\n\n[^nodyn]: Nodyn ar y testun.\n"),
    "ratings.md": "::: ratings\n\n::: chart ratings\n",
    "recommendations.md": "::: recommendations\n",
    "background.md": ("Gwelsom {{ sample.community_orders }} gorchymyn cymunedol, {{ sample.licences }} trwydded a "
                      "{{ sample.interviews }} cyfweliad dros {{ sample.fieldwork_weeks }} wythnos: gweler "
                      "[](#siart-p21).\n\n::: chart achosion\n"),
    "domain-1.md": "".join(f"::: standard P1.{n}\n\nTestun y safon.\n\n" for n in (1, 2, 3)),
    "domain-2.md": "".join(f"::: standard P2.{n}\n\nTestun y safon.\n\n::: key-questions\n\n" for n in (1, 2, 3, 4))
                   + "Y cwestiynau allweddol, mewn siart:\n\n::: chart key-questions P2.1 {#siart-p21}\n",
    "annexe-web-links.md": ("Mae [y llyfr gwaith]({{ links.data_workbook }}), [yr eirfa]({{ links.glossary }}) a "
                            "[@hmiprobation]({{ links.twitter }}) ar ein gwefan.\n"),
}
WELSH_TITLES = {"Contents": "Cynnwys", "Acknowledgements": "Cydnabyddiaethau", "Foreword": "Rhagair",
                "Ratings": "Sgoriau", "Recommendations": "Argymhellion", "Background": "Cefndir",
                "Annexe one – Web links": "Atodiad un – Dolenni gwe"}
# what the Welsh words make of the example (every one a furniture word of words.cy.yaml)
WELSH = {
    "pdf": ["Ffigur 1", "Tabl 1", "ar dudalen", "Data ar gyfer Ffigur 1", "Am y rhifau yn y siart hwn, gweler Tabl 1",
            "15 Ionawr 2024", "Mawrth 2024", "Allwedd i’r graddau", "Pwyntiau am safon", "Gradd gyffredinol am sgôr o",
            "Mae’r sgôr yn adio pwyntiau’r 7 safon a sgoriwyd, allan o 21.", "DRAFFT · Fersiwn 0.3", "Tudalen 2 o",
            "Siart bar:", "Categori", "Clawr"],
    "docx": ["Ffigur 1", "Tabl 1", "Data ar gyfer Ffigur 1", "Am y rhifau yn y siart hwn, gweler Tabl 1",
             "15 Ionawr 2024", "Mawrth 2024", "Allwedd i’r graddau", "DRAFFT · Fersiwn 0.3", "Tudalen ", " o ",
             "Siart bar:", "Categori"],
    "html": ["Ffigur 1", "Tabl 1", "ar dudalen", "Data ar gyfer Ffigur 1", "15 Ionawr 2024", "Mawrth 2024",
             "Allwedd i’r graddau", "DRAFFT · Fersiwn 0.3", "Siart bar:", "Categori", "Neidio i’r prif gynnwys",
             "Yn ôl i’r testun", "Yn ôl i’r brig", "Sgoriau (parhad)"],
}


NUMBER = r"\d[\d.,]*%?"
PLACEHOLDER = {"page": NUMBER, "pages": NUMBER, "low": NUMBER, "high": NUMBER, "count": NUMBER, "max": NUMBER,
               "day": NUMBER, "year": NUMBER}  # the rest (a rating's words, a publisher): any text on the line


def english_furniture() -> dict[str, re.Pattern]:
    """Each value of the base words file as a pattern of whole words, its placeholders standing for
    what they are filled with (a number, any text: `PLACEHOLDER`), month names each on its own;
    values only of placeholders and punctuation are none."""
    found = {}
    for key, value in words("en").values:
        for text in (value if isinstance(value, tuple) else (value,)):
            pieces = _pieces(text)
            if not any(re.search(r"[A-Za-z]{2}", literal) for literal, _ in pieces):
                continue
            pattern = "".join(re.escape(literal) + (PLACEHOLDER.get(name, r"[^\n]+?") if name else "")
                              for literal, name in pieces)
            found[f"{key}: {text}"] = re.compile(r"(?<!\w)" + pattern.strip() + r"(?!\w)")
    return found


@pytest.fixture(scope="module")
def welsh_build(tmp_path_factory):
    """A copy of the Surrey example with `metadata.language: cy-GB` and its prose in Welsh (so that
    nothing English in it is the author's: the framework's labels are still English until its
    translation lands), its framework without the `draft`/`version` labels it gives (so that the
    words file's are printed), built as a draft to all three formats."""
    report = copy_report(tmp_path_factory.mktemp("welsh"))
    yaml_path = report / "report.yaml"
    text = yaml_path.read_text(encoding="utf-8").replace("language: en-GB", "language: cy-GB")
    for english, welsh in WELSH_TITLES.items():
        text = text.replace(f"title: {english}", f"title: {welsh}")
    yaml_path.write_text(text.replace("\nrecommendations:", '\nversion: "0.3"\ncharts:\n  achosion: {title: Achosion yn y '
                                      'sampl, axis: Achosion, categories: [Gorchmynion, Trwyddedau], series: '
                                      '{Achosion: [26, 11]}}\nrecommendations:'), encoding="utf-8")
    for name, chapter in WELSH_CHAPTERS.items():
        (report / "chapters" / name).write_text(chapter, encoding="utf-8")
    framework = (ROOT / "generator/frameworks/hmip-pdu-2023.yaml").read_text(encoding="utf-8")
    (report / "frameworks").mkdir()
    (report / "frameworks/hmip-pdu-2023.yaml").write_text(
        framework.replace("  draft: DRAFT\n", "").replace("  version: Version\n", ""), encoding="utf-8")
    from generator.build import build

    out = tmp_path_factory.mktemp("welsh-out")
    built = build(report, out, draft=True)
    assert not built.diagnostics.errors, [str(d) for d in built.diagnostics.items]
    return built


def pdf_everything(path: Path) -> str:
    """The PDF's text as pdftotext reads it (the page header and footer too), its page labels and
    every /Alt of its structure elements."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    with pikepdf.open(path) as pdf:
        labels = [str(n.get("/P", "")) for n in pdf.Root.PageLabels.Nums if isinstance(n, pikepdf.Dictionary)]
        alts = [str(o.Alt) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/Alt" in o]
    return "\n".join([text, *labels, *alts])


def docx_everything(path: Path) -> str:
    """The text of every XML part of the DOCX (body, footnotes, header, footer), run by run, and its
    document properties; each paragraph a line."""
    out = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if not name.endswith(".xml"):
                continue
            root = etree.fromstring(package.read(name))
            if name.startswith("docProps/"):
                out.extend(t.strip() for t in root.itertext() if t.strip())
                continue
            for p in root.iter(f"{W}p"):
                out.append("".join(t.text or "" for t in p.iter(f"{W}t", f"{W}instrText") if t.tag == f"{W}t"))
            out.extend(e.get("descr") for e in root.iter("{*}docPr") if e.get("descr"))
    return "\n".join(out)


def html_everything(path: Path) -> str:
    """The page's text and every attribute a reader or assistive technology may show."""
    root = lxml_html.parse(str(path)).getroot()
    for style in root.iter("style", "script"):
        style.drop_tree()
    said = [" ".join(root.itertext())]
    for element in root.iter():
        said += [element.get(a) for a in ("alt", "title", "aria-label", "data-continued", "data-on-page", "content")
                 if element.get(a)]
    return "\n".join(said)


READ = {"pdf": pdf_everything, "docx": docx_everything, "html": html_everything}


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_a_welsh_report_prints_no_english_furniture(welsh_build, fmt):
    text = READ[fmt](welsh_build.outputs[fmt])
    english = {key: pattern.search(text)[0] for key, pattern in english_furniture().items() if pattern.search(text)}
    assert not english, f"English furniture in the Welsh {fmt}: {english}"
    missing = [word for word in WELSH[fmt] if word not in text]
    assert not missing, f"Welsh furniture missing from the {fmt}: {missing}"


def test_the_english_check_can_fail(surrey_build):
    """The same reading of the English example finds its furniture: the check above can fail."""
    for fmt in ("pdf", "docx", "html"):
        text = READ[fmt](surrey_build.outputs[fmt])
        found = {key for key, pattern in english_furniture().items() if pattern.search(text)}
        assert {"table: Table", "scale_key: Key to the ratings", "months: March"} <= found, (fmt, found)
        assert ("page_of: Page {page} of {pages}" in found) == (fmt != "html"), (fmt, found)


def test_the_pages_fonts_draw_its_furniture(welsh_build):
    """The page embeds its fonts cut to the characters it shows: the words it prints only as
    furniture are among them (here a "ŵ" that nothing else of the report holds)."""
    import base64
    import dataclasses
    import io

    from fontTools.ttLib import TTFont

    from generator.writers.html import write_html

    doc = welsh_build.document
    values = tuple((k, "Yn ôl i’r brig ŵ" if k == "back_to_top" else v) for k, v in doc.words.values)
    page = write_html(dataclasses.replace(doc, words=Words("cy-GB", values)), "screen")
    assert "ŵ" not in page.replace("Yn ôl i’r brig ŵ", "")
    faces = re.findall(r'@font-face \{ font-family: "Lato"; font-weight: normal; font-style: normal;.*?'
                       r"src: url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", page)
    drawn = set(map(chr, TTFont(io.BytesIO(base64.b64decode(faces[0]))).getBestCmap()))
    assert {"ŵ", "ô"} <= drawn


def test_every_format_declares_the_language(welsh_build):
    with pikepdf.open(welsh_build.outputs["pdf"]) as pdf:
        assert str(pdf.Root.Lang) == "cy-GB"
    page = lxml_html.parse(str(welsh_build.outputs["html"])).getroot()
    assert page.get("lang") == "cy-GB"
    with zipfile.ZipFile(welsh_build.outputs["docx"]) as package:
        styles = etree.fromstring(package.read("word/styles.xml"))
        settings = etree.fromstring(package.read("word/settings.xml"))
        core = etree.fromstring(package.read("docProps/core.xml"))
    assert styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang").get(f"{W}val") == "cy-GB"
    assert {e.get(f"{W}val") for e in styles.iter(f"{W}lang")} == {"cy-GB"}
    assert settings.find(f"{W}themeFontLang").get(f"{W}val") == "cy-GB"
    assert core.findtext("{http://purl.org/dc/elements/1.1/}language") == "cy-GB"


def test_a_house_reference_documents_styles_say_the_documents_language(welsh_build, tmp_path):
    """A reference document whose styles name a language of their own (Word's templates say en-GB
    on Normal): the DOCX of a Welsh report says cy-GB on every one of them."""
    from docx import Document as open_docx

    from generator.writers.docx.writer import write_docx

    house = tmp_path / "house.docx"
    reference = open_docx(str(STYLES_DIR / "reference.docx"))
    for name in ("Normal", "Heading 1", "Caption"):
        rpr = reference.styles[name].element.get_or_add_rPr()
        lang = etree.SubElement(rpr, f"{W}lang")
        lang.set(f"{W}val", "en-GB")
    reference.save(str(house))
    target = tmp_path / "out.docx"
    diags = Diagnostics()
    write_docx(welsh_build.document, None, target, diags, reference_doc=house)
    with zipfile.ZipFile(target) as package:
        styles = etree.fromstring(package.read("word/styles.xml"))
    named = {s.findtext(f"{W}name/[@{W}val]") or s.find(f"{W}name").get(f"{W}val"): s.find(f"{W}rPr/{W}lang")
             for s in styles.iter(f"{W}style")}
    assert {name: lang.get(f"{W}val") for name, lang in named.items() if lang is not None} \
        == {"Normal": "cy-GB", "heading 1": "cy-GB", "caption": "cy-GB"}


def test_welsh_is_never_hyphenated_by_another_languages_patterns():
    """Body text is never hyphenated (styles/base.css `hyphens: manual`); and were a theme to turn
    hyphenation on, WeasyPrint takes Pyphen's dictionary by the text's `lang`, and Pyphen ships no
    Welsh one: a cy-GB word is then not hyphenated at all, never at English break points. Should a
    Pyphen release bring Welsh patterns, this fails: check them, and say so in README."""
    import pyphen
    from weasyprint import HTML

    assert pyphen.language_fallback("cy_GB") is None
    long = "cyfrifoldebau gwasanaethau canlyniadau " * 4

    def lines(lang: str) -> list[str]:
        page = HTML(string=f'<html lang="{lang}"><p style="hyphens: auto; width: 5em; font-size: 10pt">{long}</p>'
                    "</html>").render()
        found = []

        def visit(box):
            if type(box).__name__ == "TextBox":
                found.append(box.text)
            for child in getattr(box, "children", ()):
                visit(child)

        visit(page.pages[0]._page_box)  # noqa: SLF001
        return found

    english = lines("en-GB")  # English patterns break these Welsh words, and wrongly ("gwasan‐aethau")
    assert "gwasan\u2010" in english and any(text.endswith("\u2010") for text in english)
    welsh = lines("cy-GB")
    assert not any(text.endswith(("\u2010", "-")) for text in welsh) and "gwasanaethau" in welsh
    assert "hyphens: manual" in (STYLES_DIR / "base.css").read_text(encoding="utf-8")


def test_an_english_report_is_unchanged(surrey_build):
    """The words the English example prints are words.yaml's (the byte-for-byte comparison with the
    outputs before the words moved to data is in the closing note of issue 25)."""
    text = READ["pdf"](surrey_build.outputs["pdf"])
    assert "Page 2 of" in text and "HM Inspectorate of Probation, March 2024" in text and "Cover" in text
    assert shutil.which("pdftotext")


def test_the_text_of_a_welsh_pdf_leaves_out_its_footer(welsh_build):
    """`reportgen text` (and `diff`) drop the footer as page furniture in the PDF's own language
    (its /Lang): "Tudalen 3 o 27" as "Page 3 of 27"."""
    from generator.text import pdf_text

    text = pdf_text(welsh_build.outputs["pdf"])
    assert "Ffigur 1" in text and not re.search(r"Tudalen \d+ o \d+", text)
