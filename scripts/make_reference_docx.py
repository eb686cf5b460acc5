#!/usr/bin/env python3
"""Generate styles/reference.docx, the DOCX writer's style sheet, from python-docx's default template.

    .venv/bin/python scripts/make_reference_docx.py [OUT]     (default: styles/reference.docx)

The output is deterministic (fixed dates, fixed zip entry times), so regenerating it without a
change to this script gives the same bytes; tests/test_docx.py checks that the committed file
matches. What it sets, mirroring styles/base.css and styles/print.css:

- document defaults: Lato (Word substitutes Arial where Lato is not installed), 10.5 pt, 10 pt
  after each paragraph, language en-GB (the writer sets the report's own); Normal: text #0B0C0C;
- the theme's heading and body fonts: Lato;
- Title, Heading 1-9 (Heading 1 starts a new page: every part does), Quote and Quotations (based
  on it: the style the writer uses), Caption, Header,
  Footer, TOC 1, Footnote Text and Footnote Reference, Hyperlink, Strong, Emphasis, List
  Paragraph, List Continue 1-3, and the report's own: Cover Inspectorate, Cover Unit, Cover
  Region, Cover Imprint, Statement, Lead, Rating, Overall Rating, Scorecard Score, Ratings Unit,
  Compact (table cells), Picture (a figure's paragraph), Lowest Note, Verbatim Char;
- "Report Table", a table style: 0.75 pt grid in #505A5F, header row bold on #DEE0E2;
- A4 pages, margins 25 mm top and bottom, 20 mm left and right;
- a specimen of each style in the body, so that a house template can be made by opening this file
  in Word, changing the styles, and saving it under another name (the writer drops the body).

The 100 table styles of Word 2010 that the default template carries are dropped (keeping Normal
Table and Table Grid), and so are its thumbnail, customXml item and stylesWithEffects part.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
import yaml  # noqa: E402
from docx.opc.constants import RELATIONSHIP_TYPE as RT  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Mm  # noqa: E402

from generator.writers.docx import xml as X  # noqa: E402

OUT = ROOT / "styles" / "reference.docx"
DATE = dt.date(2024, 1, 1)

# The default theme's colours and fonts (styles/theme.yaml), as the PDF and the HTML page use them.
THEME = yaml.safe_load((ROOT / "styles" / "theme.yaml").read_text(encoding="utf-8"))
COLOURS = {name: value.lstrip("#").upper() for name, value in THEME["colours"].items()}
FONT, MONO = THEME["fonts"]["body"], "Courier New"
TEXT, GREY, LINK, RULE, HEAD_FILL = (COLOURS[n] for n in ("text", "muted", "link", "rule", "table-head"))
BRAND, BRAND_TEXT, BRAND_INK = COLOURS["brand"], COLOURS["brand-text"], COLOURS["brand-ink"]
TEXT_WIDTH = round(170 / 25.4 * 1440)  # A4 less 20 mm margins, in twips
BAND_SIDE_PT = 14  # the cover band: the spacing of its side borders (6 pt of the band's colour)
BAND_INDENT = (BAND_SIDE_PT + 6) * 20  # twips: the band's name that far in, its shading from margin to margin

# (style id, name as Word knows it, type, based on, next, built in, run properties, paragraph properties)
PARAGRAPH, CHARACTER = "paragraph", "character"
STYLES = [
    # the text colour is Normal's, not a document default: LibreOffice applies document defaults in
    # a styled table over character styles, which would darken the white word of a red rating
    # line-height 1.4 as the PDF (10.5pt text, 14.7pt lines: at least, so larger inline text still fits)
    ("Normal", "Normal", PARAGRAPH, None, None, True, {"colour": TEXT}, {"line": 294, "line_rule": "atLeast"}),
    ("Title", "Title", PARAGRAPH, "Normal", "Normal", True, {"size_pt": 18},
     {"space_before_pt": 110, "space_after_pt": 0, "line": 240}),
    # the cover's band: the inspectorate's name (and the logo) on the theme's colour (shading,
    # widened by borders of the same colour, whose spacing Word shades too), centred on the text
    # area: indented on both sides by the side borders' spacing and width, so that the shading
    # runs from margin to margin
    ("CoverInspectorate", "Cover Inspectorate", PARAGRAPH, "Normal", "Normal", False,
     {"size_pt": 22, "bold": True, "colour": BRAND_TEXT},
     {"space_after_pt": 0, "line": 240, "fill": BRAND, "top_border": (6, BRAND, 24), "bottom_border": (6, BRAND, 24),
      "left_border": (6, BRAND, BAND_SIDE_PT), "right_border": (6, BRAND, BAND_SIDE_PT),
      "left_twips": BAND_INDENT, "right_twips": BAND_INDENT}),
    ("CoverRegion", "Cover Region", PARAGRAPH, "Normal", "Normal", False, {"size_pt": 13},
     {"space_before_pt": 22, "space_after_pt": 0}),
    # the foot of the cover, as the PDF's: who publishes it and when, on a rule of the theme's colour
    ("CoverImprint", "Cover Imprint", PARAGRAPH, "Normal", "Normal", False,
     {"size_pt": 14, "bold": True, "colour": BRAND_INK},
     {"space_before_pt": 260, "space_after_pt": 0, "top_border": (1.5, BRAND, 8)}),
    ("Heading1", "heading 1", PARAGRAPH, "Normal", "Normal", True, {"size_pt": 20, "bold": True, "colour": BRAND_INK},
     {"space_before_pt": 0, "space_after_pt": 16, "keep_next": True, "page_break_before": True, "line": 240}),
    ("Heading2", "heading 2", PARAGRAPH, "Normal", "Normal", True, {"size_pt": 14, "bold": True},
     {"space_before_pt": 20, "space_after_pt": 7, "keep_next": True, "line": 240}),
    ("Heading3", "heading 3", PARAGRAPH, "Normal", "Normal", True, {"size_pt": 11.5, "bold": True},
     {"space_before_pt": 14, "space_after_pt": 5, "keep_next": True, "line": 240}),
    *[(f"Heading{n}", f"heading {n}", PARAGRAPH, "Normal", "Normal", True, {"size_pt": 10.5, "bold": True},
       {"space_before_pt": 12, "space_after_pt": 4, "keep_next": True}) for n in range(4, 10)],
    ("Quote", "Quote", PARAGRAPH, "Normal", "Normal", True, {"italic": True},
     {"left_twips": 425, "left_border": (3, RULE, 8), "space_before_pt": 8, "space_after_pt": 8}),
    # what the writer puts a block quote in: Word's own Quote, under LibreOffice's name for a
    # block quotation ("Quotations", which its tagged PDF export tags BlockQuote; "Quote" is the
    # standard type of an inline quotation, and a paragraph in the Quote style came out as a
    # Quote remapped to P). A house template's Quote still styles it.
    ("Quotations", "Quotations", PARAGRAPH, "Quote", "Normal", False, {}, {}),
    ("Caption", "caption", PARAGRAPH, "Normal", "Normal", True, {"bold": True},
     {"space_before_pt": 8, "space_after_pt": 4, "keep_next": True}),
    ("Header", "header", PARAGRAPH, "Normal", "Header", True, {"size_pt": 8.5, "colour": GREY},
     {"space_after_pt": 0, "line": 240}),
    ("Footer", "footer", PARAGRAPH, "Normal", "Footer", True, {"size_pt": 8.5, "colour": GREY},
     {"space_after_pt": 0, "line": 240, "align": "right"}),
    ("TOC1", "toc 1", PARAGRAPH, "Normal", "Normal", True, {},
     {"space_after_pt": 6, "right_tab_twips": TEXT_WIDTH, "tab_leader": "dot"}),
    ("FootnoteText", "footnote text", PARAGRAPH, "Normal", "FootnoteText", True, {"size_pt": 8.5},
     {"space_after_pt": 2, "line": 240}),
    # a list item is never split over two pages (the PDF's li { break-inside: avoid }); spaced as
    # the PDF's, where each item's text is a paragraph (<li><p>) with Normal's margins: 10 pt
    # after, not 4 (LibreOffice then lays the Surrey DOCX out on the PDF's 22 pages, not 21)
    ("ListParagraph", "List Paragraph", PARAGRAPH, "Normal", "ListParagraph", True, {},
     {"space_after_pt": 10, "contextual_spacing": False, "keep_lines": True}),
    *[(f"ListContinue{'' if n == 1 else n}", f"List Continue{'' if n == 1 else f' {n}'}", PARAGRAPH, "Normal",
       None, True, {}, {"left_twips": X.LIST_INDENT * n, "space_after_pt": 10, "contextual_spacing": False})
      for n in (1, 2, 3)],
    ("Compact", "Compact", PARAGRAPH, "Normal", "Compact", False, {}, {"space_before_pt": 0, "space_after_pt": 0}),
    # the scorecard's cells: a little smaller, so that 13 standards and the key share one page
    ("ScorecardCell", "Scorecard Cell", PARAGRAPH, "Compact", "Compact", False, {"size_pt": 9.5},
     {"space_before_pt": 0, "space_after_pt": 0, "line": 240}),
    ("Statement", "Statement", PARAGRAPH, "Normal", "Normal", False, {"bold": True, "italic": True},
     {"space_after_pt": 8, "keep_next": True}),
    ("Lead", "Lead", PARAGRAPH, "Normal", "Normal", False, {"bold": True}, {"space_after_pt": 6, "keep_next": True}),
    ("Rating", "Rating", PARAGRAPH, "Normal", "Normal", False, {}, {"space_before_pt": 6, "space_after_pt": 10,
                                                                  "keep_next": True}),
    ("ScorecardScore", "Scorecard Score", PARAGRAPH, "Normal", "Normal", False, {"size_pt": 20},
     {"space_before_pt": 4, "space_after_pt": 2, "keep_next": True, "line": 240,
      "left_border": (4, BRAND_INK, 8)}),
    ("OverallRating", "Overall Rating", PARAGRAPH, "Rating", "Normal", False, {"size_pt": 16},
     {"space_before_pt": 0, "space_after_pt": 8, "line": 240, "left_border": (4, BRAND_INK, 8)}),
    ("RatingsUnit", "Ratings Unit", PARAGRAPH, "Normal", "Normal", False, {"size_pt": 14, "bold": True, "colour": BRAND_INK},
     {"space_after_pt": 6, "keep_next": True}),
    # the paragraph holding a picture. Not named "Figure": LibreOffice's tagged PDF export tags a
    # paragraph by its style's name (role P), and "Figure" is a standard structure type (PDF/UA-1
    # forbids remapping one; a paragraph tagged Figure is a figure without alternative text)
    ("Picture", "Picture", PARAGRAPH, "Normal", "Caption", False, {}, {"space_after_pt": 4, "keep_next": True}),
    ("Strong", "Strong", CHARACTER, "DefaultParagraphFont", None, True, {"bold": True}, {}),
    ("Emphasis", "Emphasis", CHARACTER, "DefaultParagraphFont", None, True, {"italic": True}, {}),
    ("Hyperlink", "Hyperlink", CHARACTER, "DefaultParagraphFont", None, True,
     {"colour": LINK, "underline": "single"}, {}),
    ("FootnoteReference", "footnote reference", CHARACTER, "DefaultParagraphFont", None, True,
     {"superscript": True}, {}),
    ("VerbatimChar", "Verbatim Char", CHARACTER, "DefaultParagraphFont", None, False,
     {"font": MONO, "size_pt": 9.5}, {}),
    ("CoverUnit", "Cover Unit", CHARACTER, "DefaultParagraphFont", None, False,
     {"size_pt": 30, "bold": True, "colour": BRAND_INK}, {}),
    ("LowestNote", "Lowest Note", CHARACTER, "DefaultParagraphFont", None, False,
     {"italic": True, "bold": False}, {}),
]
TABLE_STYLE = ("ReportTable", "Report Table")
KEEP_TABLE_STYLES = {"TableNormal", "TableGrid"}


def define_style(styles, style_id, name, kind, based_on, next_id, builtin, run_props, para_props):
    style = X.style_element(styles, style_id)
    if style is None:
        attrs = {"w:type": kind, "w:styleId": style_id}
        if not builtin:
            attrs["w:customStyle"] = "1"
        style = X.element("w:style", attrs, X.element("w:name", {"w:val": name}))
        styles.append(style)
    X.reset_style(style)
    for tag in ("w:basedOn", "w:next", "w:rsid"):
        for found in style.findall(qn(tag)):
            style.remove(found)
    if based_on:
        X.put(style, X.element("w:basedOn", {"w:val": based_on}))
    if next_id:
        X.put(style, X.element("w:next", {"w:val": next_id}))
    for tag in ("w:semiHidden", "w:unhideWhenUsed"):  # show every style the writer uses
        for found in style.findall(qn(tag)):
            style.remove(found)
    X.put(style, X.element("w:qFormat"))
    if para_props:
        X.paragraph_properties(X.get_or_add(style, "w:pPr"), **para_props)
    if run_props:
        X.run_properties(X.get_or_add(style, "w:rPr"), **run_props)
    link = style.find(qn("w:link"))
    if link is not None:  # a linked character style ("Heading 1 Char") formats like its paragraph style
        linked = X.style_element(styles, link.get(qn("w:val")))
        if linked is not None:
            X.reset_style(linked)
            if run_props:
                X.run_properties(X.get_or_add(linked, "w:rPr"), **run_props)
    return style


def build_styles(styles) -> None:
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in KEEP_TABLE_STYLES:
            styles.remove(style)
    X.document_defaults(styles, language="en-GB", font=FONT, size_pt=10.5, space_after_pt=10, line=276)
    X.remove_default(styles, "w:color")
    for spec in STYLES:
        define_style(styles, *spec)
    table_id, table_name = TABLE_STYLE
    style = X.style_element(styles, table_id)
    if style is None:
        style = X.element("w:style", {"w:type": "table", "w:customStyle": "1", "w:styleId": table_id},
                          X.element("w:name", {"w:val": table_name}),
                          X.element("w:basedOn", {"w:val": "TableNormal"}),
                          X.element("w:uiPriority", {"w:val": 59}))
        styles.append(style)
    X.table_style(style, border_colour=GREY, border_pt=0.75, header_fill=HEAD_FILL, cell_margins_twips=(60, 100))


def specimen(document) -> None:
    """One paragraph in each style, so that the file shows what it defines when opened in Word."""
    def para(style_id, *runs):
        p = document.add_paragraph()
        X.paragraph_style(p._p, style_id)  # noqa: SLF001
        for text, char_style in runs:
            p._p.append(X.run(text, char_style))  # noqa: SLF001
        return p

    para("CoverInspectorate", ("HM Inspectorate of Example", None))
    para("Title", ("An inspection of:", None), ("\n", None), ("Example unit", "CoverUnit"))
    para("CoverRegion", ("Cover Region", None))
    para("CoverImprint", ("Cover Imprint", None))
    for level in (1, 2, 3):
        para(f"Heading{level}", (f"Heading {level}", None))
    para("Statement", ("Statement: what the standard asks.", None))
    para("Rating", ("Rating:", "Strong"), (" ", None), ("Rating word", None))
    para("Normal", ("Normal text with ", None), ("Strong", "Strong"), (", ", None), ("Emphasis", "Emphasis"),
         (", ", None), ("Hyperlink", "Hyperlink"), (", ", None), ("Verbatim Char", "VerbatimChar"),
         (" and a note.", None), ("1", "FootnoteReference"))
    para("Lead", ("Lead: the addressee should:", None))
    para("ListParagraph", ("List Paragraph", None))
    para("ListContinue", ("List Continue", None))
    para("Quotations", ("Quotations (a Quote)", None))
    para("RatingsUnit", ("Ratings Unit", None))
    para("ScorecardScore", ("Score ", None), ("3/21", "Strong"))
    para("OverallRating", ("Overall rating:", "Strong"), (" ", None), ("Rating word", None))
    para("Caption", ("Caption", None))
    table = document.add_table(rows=2, cols=2)
    X.table_properties(table._tbl, TABLE_STYLE[0], caption="Report Table")  # noqa: SLF001
    X.header_row(table.rows[0]._tr)  # noqa: SLF001
    for cell, (text, char_style) in zip(table._cells, (("Header", None), ("Header", None),  # noqa: SLF001
                                                       ("Compact", None), ("Lowest Note", "LowestNote"))):
        X.paragraph_style(cell.paragraphs[0]._p, "Compact")  # noqa: SLF001
        cell.paragraphs[0]._p.append(X.run(text, char_style))  # noqa: SLF001
    para("FootnoteText", ("Footnote Text", None))
    para("TOC1", ("TOC 1\t1", None))


def page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(20)
    section.header_distance = section.footer_distance = Mm(12.5)
    section.gutter = 0


def drop_extras(document) -> None:
    part = document.part
    for r_id, rel in list(part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"):
            part.rels.pop(r_id)
    package_rels = part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(r_id)


def fonts_and_theme(document) -> None:
    part = document.part
    fonts = part.part_related_by(RT.FONT_TABLE)
    root = X.parse_part(fonts.blob)
    X.font_entry(root, FONT, "Arial", "swiss", "020F0502020204030203")
    fonts._blob = X.serialize(root)  # noqa: SLF001 - python-docx keeps fontTable.xml as bytes
    theme = part.part_related_by(RT.THEME)
    theme._blob = X.theme_fonts(theme.blob, FONT)  # noqa: SLF001
    app = part.package.part_related_by(RT.EXTENDED_PROPERTIES)
    app._blob = X.app_properties("reportgen")  # noqa: SLF001 - the template says "Microsoft Macintosh Word"


def settings(document) -> None:
    root = document.settings.element
    X.theme_font_language(root, "en-GB")
    for tag in ("w:rsids", "w:savePreviewPicture"):
        for found in root.findall(qn(tag)):
            root.remove(found)


def properties(document) -> None:
    props = document.core_properties
    when = dt.datetime(DATE.year, DATE.month, DATE.day, tzinfo=dt.timezone.utc)
    props.title = "reportgen reference document"
    props.subject = "Styles for reportgen's DOCX writer"
    props.author = props.last_modified_by = "reportgen"
    props.comments = "Generated by scripts/make_reference_docx.py; edit the script, not this file."
    props.keywords = props.category = ""
    props.language = "en-GB"
    props.created = props.modified = when
    props.revision = 1


def make(out: Path = OUT) -> bytes:
    document = docx.Document()
    build_styles(document.styles.element)
    page_setup(document)
    drop_extras(document)
    fonts_and_theme(document)
    settings(document)
    properties(document)
    specimen(document)
    data = X.save(document, DATE)
    out.write_bytes(data)
    return data


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    make(target)
    print(f"wrote {target}")
