"""The WordprocessingML that python-docx 1.2 lacks, in one place.

python-docx builds paragraphs, runs, tables, sections, headers and pictures; this module adds
what it has no API for: footnotes (the footnotes.xml part), fields (TOC, PAGE, NUMPAGES),
bookmarks and hyperlinks, list numbering (abstractNum/num with restarts), table header rows,
cell shading and table captions, image alt text, style definitions (borders, shading, table
styles, document defaults with the language), settings (updateFields), and a deterministic
package writer. Nothing else in the project builds WordprocessingML.

Every child element is inserted in the order the schema requires (the *_ORDER tuples), by `put`
or, for one found or else created, by `get_or_add`, because Word refuses a document whose
elements are out of order even where LibreOffice does not.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart
from docx.parts.story import StoryPart


# --------------------------------------------------------------------------- schema order

PPR_ORDER = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
             "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
             "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
             "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
             "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
             "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
RPR_ORDER = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
             "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
             "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
             "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
             "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
TBLPR_ORDER = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
               "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
               "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
TCPR_ORDER = ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
              "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")
TRPR_ORDER = ("w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter", "w:cantSplit",
              "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden")
STYLE_ORDER = ("w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine", "w:hidden",
               "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked", "w:personal",
               "w:personalCompose", "w:personalReply", "w:rsid", "w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr",
               "w:tblStylePr")
SETTINGS_ORDER = ("w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation", "w:removeDateAndTime",
                  "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape", "w:printPostScriptOverText",
                  "w:printFractionalCharacterWidth", "w:printFormsData", "w:embedTrueTypeFonts",
                  "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData", "w:mirrorMargins",
                  "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader", "w:bordersDoNotSurroundFooter",
                  "w:gutterAtTop", "w:hideSpellingErrors", "w:hideGrammaticalErrors", "w:activeWritingStyle",
                  "w:proofState", "w:formsDesign", "w:attachedTemplate", "w:linkStyles",
                  "w:stylePaneFormatFilter", "w:stylePaneSortMethod", "w:documentType", "w:mailMerge",
                  "w:revisionView", "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
                  "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
                  "w:defaultTabStop", "w:autoHyphenation", "w:consecutiveHyphenLimit", "w:hyphenationZone",
                  "w:doNotHyphenateCaps", "w:showEnvelope", "w:summaryLength", "w:clickAndTypeStyle",
                  "w:defaultTableStyle", "w:evenAndOddHeaders", "w:bookFoldRevPrinting", "w:bookFoldPrinting",
                  "w:bookFoldPrintingSheets", "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
                  "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
                  "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
                  "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
                  "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
                  "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
                  "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
                  "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
                  "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags", "w:alwaysMergeEmptyNamespace",
                  "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
                  "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
                  "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                  "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults",
                  "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
STYLES_ORDER = ("w:docDefaults", "w:latentStyles", "w:style")
FONT_ORDER = ("w:altName", "w:panose1", "w:charset", "w:family", "w:notTrueType", "w:pitch", "w:sig",
              "w:embedRegular", "w:embedBold", "w:embedItalic", "w:embedBoldItalic")
DOC_DEFAULTS_ORDER = ("w:rPrDefault", "w:pPrDefault")
ORDERS = {"w:pPr": PPR_ORDER, "w:rPr": RPR_ORDER, "w:tblPr": TBLPR_ORDER, "w:tcPr": TCPR_ORDER,
          "w:trPr": TRPR_ORDER, "w:style": STYLE_ORDER, "w:settings": SETTINGS_ORDER, "w:styles": STYLES_ORDER,
          "w:docDefaults": DOC_DEFAULTS_ORDER, "w:font": FONT_ORDER}
_ORDER_INDEX = {qn(tag): {qn(t): i for i, t in enumerate(order)} for tag, order in ORDERS.items()}
# the properties of a paragraph, run, table, row or cell come first, before any of its content
PROPERTIES_FIRST = {"w:p": "w:pPr", "w:r": "w:rPr", "w:tbl": "w:tblPr", "w:tr": "w:trPr", "w:tc": "w:tcPr"}
_FIRST = {qn(owner): qn(tag) for owner, tag in PROPERTIES_FIRST.items()}


def element(tag: str, attrs: dict | None = None, *children, text: str | None = None):
    """A new element: `element("w:ind", {"w:left": "360"})`; attribute names are prefixed."""
    node = OxmlElement(tag, {qn(k): str(v) for k, v in (attrs or {}).items()})
    for child in children:
        node.append(child)
    if text is not None:
        node.text = text
        if text != text.strip() or "  " in text:
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return node


def put(parent, child, replace: bool = True):
    """Insert `child` into `parent` at its schema place, replacing an existing one of its tag."""
    order = _ORDER_INDEX.get(parent.tag, {})
    existing = parent.find(child.tag)
    if existing is not None and replace:
        existing.addprevious(child)
        parent.remove(existing)
        return child
    if _FIRST.get(parent.tag) == child.tag:
        parent.insert(0, child)
        return child
    rank = order.get(child.tag)
    if rank is not None:
        for sibling in parent:
            if order.get(sibling.tag, -1) > rank:
                sibling.addprevious(child)
                return child
    parent.append(child)
    return child


def get_or_add(parent, tag: str):
    """The parent's `tag` child (w:pPr of a w:p or w:style, w:docDefaults, w:spacing...), created
    empty at its schema place if absent."""
    found = parent.find(qn(tag))
    return found if found is not None else put(parent, element(tag))


def set_prop(owner, prop_tag: str, tag: str, attrs: dict | None = None):
    """Set one property: `set_prop(p, "w:pPr", "w:keepNext")`."""
    return put(get_or_add(owner, prop_tag), element(tag, attrs))


# --------------------------------------------------------------------------- paragraphs and runs

def paragraph_style(p, style_id: str | None) -> None:
    if style_id:
        set_prop(p, "w:pPr", "w:pStyle", {"w:val": style_id})


def run_style(r, style_id: str | None) -> None:
    if style_id:
        set_prop(r, "w:rPr", "w:rStyle", {"w:val": style_id})


def run(text: str = "", style_id: str | None = None, bold: bool = False, italic: bool = False, lang: str = ""):
    """A w:r holding `text` (tabs and line breaks as w:tab and w:br); `lang`, a BCP 47 tag, is
    its language where it differs from the document's (w:lang)."""
    r = element("w:r")
    if style_id:
        run_style(r, style_id)
    if bold:
        set_prop(r, "w:rPr", "w:b")
    if italic:
        set_prop(r, "w:rPr", "w:i")
    if lang:
        set_prop(r, "w:rPr", "w:lang", {"w:val": lang})
    for index, line in enumerate(text.split("\n")):
        if index:
            r.append(element("w:br"))
        for tab_index, chunk in enumerate(line.split("\t")):
            if tab_index:
                r.append(element("w:tab"))
            if chunk:
                r.append(element("w:t", text=chunk))
    return r


def line_break():
    return element("w:r", None, element("w:br"))


def list_numbering(p, num_id: int, level: int) -> None:
    num_pr = set_prop(p, "w:pPr", "w:numPr")
    num_pr.append(element("w:ilvl", {"w:val": level}))
    num_pr.append(element("w:numId", {"w:val": num_id}))


def bookmark(p, bookmark_id: int, name: str, around: bool = True):
    """A bookmark over the whole paragraph (start after its pPr, end at its end)."""
    start = element("w:bookmarkStart", {"w:id": bookmark_id, "w:name": name})
    ppr = p.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    if around:
        p.append(bookmark_end(bookmark_id))
    return start


def bookmark_end(bookmark_id: int):
    return element("w:bookmarkEnd", {"w:id": bookmark_id})


def hyperlink(r_id: str | None = None, anchor: str | None = None):
    """A w:hyperlink to an external relationship `r_id`, or to a bookmark `anchor`."""
    attrs = {"r:id": r_id} if r_id else {"w:anchor": anchor}
    attrs["w:history"] = "1"
    return element("w:hyperlink", attrs)


def field_runs(instruction: str, result: list | None = None, style_id: str | None = None) -> list:
    """The runs of a complex field: begin, instruction, separate, cached result runs, end."""
    def char(kind):
        r = element("w:r", None, element("w:fldChar", {"w:fldCharType": kind}))
        run_style(r, style_id)
        return r

    instr = element("w:r", None, element("w:instrText", text=f" {instruction.strip()} "))
    run_style(instr, style_id)
    return [char("begin"), instr, char("separate"), *(result or []), char("end")]


def field_start(instruction: str) -> list:
    """The opening runs of a field whose result spans several paragraphs (a TOC)."""
    return field_runs(instruction)[:3]


def field_end():
    return element("w:r", None, element("w:fldChar", {"w:fldCharType": "end"}))


def footnote_reference(note_id: int, style_id: str | None):
    r = element("w:r")
    run_style(r, style_id)
    r.append(element("w:footnoteReference", {"w:id": note_id}))
    return r


# --------------------------------------------------------------------------- tables

def table_properties(tbl, style_id: str | None, caption: str = "", width_pct: int = 100) -> None:
    """Table style, full width, which conditional formats apply (header row only), caption."""
    tbl_pr = get_or_add(tbl, "w:tblPr")
    if style_id:
        put(tbl_pr, element("w:tblStyle", {"w:val": style_id}))
    put(tbl_pr, element("w:tblW", {"w:w": width_pct * 50, "w:type": "pct"}))
    put(tbl_pr, element("w:tblLayout", {"w:type": "fixed"}))
    put(tbl_pr, element("w:tblLook", {"w:val": "0620", "w:firstRow": "1", "w:lastRow": "0", "w:firstColumn": "0",
                                      "w:lastColumn": "0", "w:noHBand": "1", "w:noVBand": "1"}))
    if caption:
        put(tbl_pr, element("w:tblCaption", {"w:val": caption}))


def column_widths(tbl, widths_twips: list[int]) -> None:
    grid = tbl.find(qn("w:tblGrid"))
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_twips):
        col.set(qn("w:w"), str(width))
    for tr in tbl.findall(qn("w:tr")):
        for tc, width in zip(tr.findall(qn("w:tc")), widths_twips):
            put(get_or_add(tc, "w:tcPr"), element("w:tcW", {"w:w": width, "w:type": "dxa"}))


def header_row(tr) -> None:
    """Mark a row "repeat as header row at the top of each page"."""
    put(get_or_add(tr, "w:trPr"), element("w:tblHeader"))


def cant_split(tr) -> None:
    put(get_or_add(tr, "w:trPr"), element("w:cantSplit"))


def shading(fill: str) -> object:
    return element("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill.lstrip("#").upper()})


def cell_shading(tc, fill: str) -> None:
    put(get_or_add(tc, "w:tcPr"), shading(fill))


# --------------------------------------------------------------------------- images

def image_alt_text(inline, alt: str) -> None:
    """Alt text on the drawing (wp:docPr/@descr, what Word and screen readers read) and the picture;
    no wrap distances (LibreOffice otherwise indents an inline picture by its default 0.13 in)."""
    for side in ("distT", "distB", "distL", "distR"):
        inline.set(side, "0")
    for tag in ("wp:docPr", "pic:cNvPr"):
        for node in inline.iter(qn(tag)):
            node.set("descr", alt)


DECORATIVE_EXT = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"  # Office's "Mark as decorative"


def image_decorative(inline) -> None:
    """Mark a picture decorative (Word's "Mark as decorative"): screen readers skip it."""
    image_alt_text(inline, "")
    doc_pr = inline.find(qn("wp:docPr"))
    ext = parse_xml(f'<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
                    f'<a:ext uri="{DECORATIVE_EXT}"><adec:decorative '
                    f'xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/decorative" val="1"/>'
                    f'</a:ext></a:extLst>')
    doc_pr.append(ext)


def keep_with_next(p) -> None:
    set_prop(p, "w:pPr", "w:keepNext")


def paragraph_align(p, align: str) -> None:
    set_prop(p, "w:pPr", "w:jc", {"w:val": {"left": "left", "center": "center", "right": "right"}[align]})


BOX_INDENT = 220  # twips between a box's border and its text


def box_paragraph(p, border: str, fill: str) -> None:
    """A paragraph of a boxed block: a left border and shading, as the PDF's box."""
    ppr = get_or_add(p, "w:pPr")
    level = ppr.find(f"{qn('w:numPr')}/{qn('w:ilvl')}")
    if level is None:
        paragraph_properties(ppr, left_border=(4, border, 8), left_twips=BOX_INDENT)
    else:  # a list item: its numbering's indent, moved into the box
        paragraph_properties(ppr, left_border=(4, border, 8), hanging_twips=LIST_INDENT,
                             left_twips=BOX_INDENT + LIST_INDENT * (int(level.get(qn("w:val"))) + 1))
    put(ppr, element("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill.lstrip("#").upper()}))


# --------------------------------------------------------------------------- numbering

BULLETS = ("\u2022", "\u2013", "\u25aa")
NUMBER_FORMATS = (("decimal", "%{n}."), ("lowerLetter", "%{n}."), ("lowerRoman", "%{n}."))
LIST_INDENT = 360  # twips per level


def get_or_add_numbering(document_part):
    """The numbering part, created (python-docx 1.2 cannot) when the reference has none."""
    try:
        return document_part.part_related_by(RT.NUMBERING).element
    except KeyError:
        root = parse_xml(f"<w:numbering {nsdecls('w')}/>")
        part = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, root, document_part.package)
        document_part.relate_to(part, RT.NUMBERING)
        return root


def add_abstract_numbering(numbering, kind: str) -> int:
    """A nine-level list definition, `kind` "bullet" or "decimal"; returns its abstractNumId."""
    used = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    abstract_id = max(used, default=-1) + 1
    abstract = element("w:abstractNum", {"w:abstractNumId": abstract_id},
                       element("w:nsid", {"w:val": f"{0x52470000 + abstract_id:08X}"}),
                       element("w:multiLevelType", {"w:val": "hybridMultilevel"}))
    for level in range(9):
        if kind == "bullet":
            fmt, text = "bullet", BULLETS[level % len(BULLETS)]
        else:
            fmt, pattern = NUMBER_FORMATS[level % len(NUMBER_FORMATS)]
            text = pattern.format(n=level + 1)
        left = LIST_INDENT * (level + 1)
        lvl = element("w:lvl", {"w:ilvl": level},
                      element("w:start", {"w:val": 1}),
                      element("w:numFmt", {"w:val": fmt}),
                      element("w:lvlText", {"w:val": text}),
                      element("w:lvlJc", {"w:val": "left"}),
                      element("w:pPr", None, element("w:ind", {"w:left": left, "w:hanging": LIST_INDENT})))
        abstract.append(lvl)
    last = numbering.findall(qn("w:abstractNum"))
    if last:
        last[-1].addnext(abstract)
    else:
        numbering.insert(0, abstract)
    return abstract_id


def add_numbering_instance(numbering, abstract_id: int, restart: tuple[int, int] | None = None) -> int:
    """A w:num on `abstract_id`; `restart` = (level, start) restarts that level (a new list)."""
    used = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    num_id = max(used, default=0) + 1
    num = element("w:num", {"w:numId": num_id}, element("w:abstractNumId", {"w:val": abstract_id}))
    if restart is not None:
        level, start = restart
        num.append(element("w:lvlOverride", {"w:ilvl": level}, element("w:startOverride", {"w:val": start})))
    numbering.append(num)
    return num_id


# --------------------------------------------------------------------------- footnotes

class FootnotesPart(StoryPart):
    """word/footnotes.xml: python-docx 1.2 loads it as an opaque blob; this makes it an XML story."""


PartFactory.part_type_for.setdefault(CT.WML_FOOTNOTES, FootnotesPart)

_SEPARATORS = (("separator", "w:separator"), ("continuationSeparator", "w:continuationSeparator"))


def get_or_add_footnotes(document_part, settings) -> tuple[FootnotesPart, object, int]:
    """(part, w:footnotes, first free id): the reference's separators kept, its notes removed."""
    try:
        part = document_part.part_related_by(RT.FOOTNOTES)
    except KeyError:
        part = None
    if part is not None and not isinstance(part, FootnotesPart):
        raise TypeError("the document was opened before generator.docx_xml registered its footnotes part")
    if part is None:
        root = parse_xml(f"<w:footnotes {nsdecls('w', 'r')}/>")
        for note_id, (kind, tag) in zip((-1, 0), _SEPARATORS):
            root.append(element("w:footnote", {"w:type": kind, "w:id": note_id},
                                element("w:p", None,
                                        element("w:pPr", None, element("w:spacing", {"w:after": 0, "w:line": 240,
                                                                                     "w:lineRule": "auto"})),
                                        element("w:r", None, element(tag)))))
        part = FootnotesPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, root, document_part.package)
        document_part.relate_to(part, RT.FOOTNOTES)
    root = part.element
    kept = []
    for note in root.findall(qn("w:footnote")):
        if note.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
            kept.append(note)
        else:
            root.remove(note)
    ids = [int(n.get(qn("w:id"))) for n in kept]
    foot_pr = element("w:footnotePr")
    for note in kept:
        if note.get(qn("w:type")) in ("separator", "continuationSeparator"):
            foot_pr.append(element("w:footnote", {"w:id": note.get(qn("w:id"))}))
    put(settings, foot_pr)
    return part, root, max(ids, default=0) + 1


def add_footnote(root, note_id: int, text_style: str | None, mark_style: str | None):
    """A new w:footnote; returns its paragraph, which holds the note mark and a space."""
    p = element("w:p")
    paragraph_style(p, text_style)
    mark = element("w:r")
    run_style(mark, mark_style)
    mark.append(element("w:footnoteRef"))
    p.append(mark)
    p.append(run(" "))
    root.append(element("w:footnote", {"w:id": note_id}, p))
    return p


# --------------------------------------------------------------------------- settings and styles

def update_fields_on_open(settings, on: bool = True) -> None:
    """w:updateFields: Word asks, on opening, to update the document's fields (`on`), or not (the
    element left out)."""
    for found in settings.findall(qn("w:updateFields")):
        settings.remove(found)
    if on:
        put(settings, element("w:updateFields", {"w:val": "true"}))


def theme_font_language(settings, language: str) -> None:
    put(settings, element("w:themeFontLang", {"w:val": language}))


def document_defaults(styles, language: str | None = None, font: str | None = None, size_pt: float | None = None,
                      colour: str | None = None, space_after_pt: float | None = None,
                      line: int | None = None) -> None:
    """Set w:docDefaults: the language (w:lang), and optionally font, size, colour, spacing."""
    defaults = get_or_add(styles, "w:docDefaults")
    rpr = get_or_add(get_or_add(defaults, "w:rPrDefault"), "w:rPr")
    run_properties(rpr, font=font, size_pt=size_pt, colour=colour)
    if language:
        get_or_add(rpr, "w:lang").set(qn("w:val"), language)
    if space_after_pt is not None or line is not None:
        ppr = get_or_add(get_or_add(defaults, "w:pPrDefault"), "w:pPr")
        paragraph_properties(ppr, space_after_pt=space_after_pt, line=line)


def styles_language(styles, language: str) -> None:
    """Every style's own language (w:style/w:rPr/w:lang w:val) made `language`; a style that names
    none takes the document defaults' (`document_defaults`). The East Asian and bidirectional
    languages (w:eastAsia, w:bidi: other scripts) are left as they are."""
    for lang in styles.iterfind(f"{qn('w:style')}/{qn('w:rPr')}/{qn('w:lang')}"):
        if lang.get(qn("w:val")) is not None:
            lang.set(qn("w:val"), language)


def run_properties(rpr, font: str | None = None, size_pt: float | None = None, colour: str | None = None,
                   bold: bool | None = None, italic: bool | None = None, fill: str | None = None,
                   underline: str | None = None, superscript: bool = False) -> None:
    """Set character properties on a w:rPr (of a style or of docDefaults); theme fonts are removed."""
    if font:
        put(rpr, element("w:rFonts", {"w:ascii": font, "w:hAnsi": font, "w:eastAsia": font, "w:cs": font}))
    if bold is not None:
        put(rpr, element("w:b", None if bold else {"w:val": "0"}))
        put(rpr, element("w:bCs", None if bold else {"w:val": "0"}))
    if italic is not None:
        put(rpr, element("w:i", None if italic else {"w:val": "0"}))
        put(rpr, element("w:iCs", None if italic else {"w:val": "0"}))
    if colour:
        put(rpr, element("w:color", {"w:val": colour.lstrip("#").upper()}))
    if size_pt:
        put(rpr, element("w:sz", {"w:val": round(size_pt * 2)}))
        put(rpr, element("w:szCs", {"w:val": round(size_pt * 2)}))
    if underline:
        put(rpr, element("w:u", {"w:val": underline}))
    if fill:
        put(rpr, shading(fill))
    if superscript:
        put(rpr, element("w:vertAlign", {"w:val": "superscript"}))


def paragraph_properties(ppr, space_before_pt: float | None = None, space_after_pt: float | None = None,
                         line: int | None = None, keep_next: bool | None = None,
                         page_break_before: bool | None = None, left_twips: int | None = None,
                         hanging_twips: int | None = None, align: str | None = None,
                         left_border: tuple[float, str, float] | None = None,
                         top_border: tuple[float, str, float] | None = None,
                         right_tab_twips: int | None = None, tab_leader: str = "none",
                         outline_level: int | None = None, contextual_spacing: bool | None = None,
                         keep_lines: bool | None = None, line_rule: str = "auto",
                         bottom_border: tuple[float, str, float] | None = None, fill: str | None = None,
                         right_border: tuple[float, str, float] | None = None,
                         right_twips: int | None = None) -> None:
    """Set paragraph properties on a w:pPr (of a style or of docDefaults). `line` is in 240ths of a
    line (`line_rule` "auto") or in twentieths of a point ("atLeast", "exact")."""
    if keep_next is not None:
        put(ppr, element("w:keepNext", None if keep_next else {"w:val": "0"}))
    if keep_lines is not None:
        put(ppr, element("w:keepLines", None if keep_lines else {"w:val": "0"}))
    if page_break_before is not None:
        put(ppr, element("w:pageBreakBefore", None if page_break_before else {"w:val": "0"}))
    borders = [(side, spec) for side, spec in (("w:top", top_border), ("w:left", left_border),
                                               ("w:bottom", bottom_border), ("w:right", right_border)) if spec]
    if borders:
        pbdr = element("w:pBdr")
        for side, (width_pt, colour, space_pt) in borders:
            pbdr.append(element(side, {"w:val": "single", "w:sz": round(width_pt * 8), "w:space": round(space_pt),
                                       "w:color": colour.lstrip("#").upper()}))
        put(ppr, pbdr)
    if fill:
        put(ppr, element("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill.lstrip("#").upper()}))
    if right_tab_twips is not None:
        put(ppr, element("w:tabs", None, element("w:tab", {"w:val": "right", "w:leader": tab_leader,
                                                           "w:pos": right_tab_twips})))
    if space_before_pt is not None or space_after_pt is not None or line is not None:
        spacing = get_or_add(ppr, "w:spacing")
        if space_before_pt is not None:
            spacing.set(qn("w:before"), str(round(space_before_pt * 20)))
        if space_after_pt is not None:
            spacing.set(qn("w:after"), str(round(space_after_pt * 20)))
        if line is not None:
            spacing.set(qn("w:line"), str(line))
            spacing.set(qn("w:lineRule"), line_rule)
    if left_twips is not None or hanging_twips is not None or right_twips is not None:
        attrs = {"w:left": left_twips or 0}
        if right_twips is not None:
            attrs["w:right"] = right_twips
        if hanging_twips:
            attrs["w:hanging"] = hanging_twips
        put(ppr, element("w:ind", attrs))
    if contextual_spacing is not None:
        put(ppr, element("w:contextualSpacing", None if contextual_spacing else {"w:val": "0"}))
    if align:
        put(ppr, element("w:jc", {"w:val": align}))
    if outline_level is not None:
        put(ppr, element("w:outlineLvl", {"w:val": outline_level}))


def reset_style(style) -> None:
    """Drop a style's own formatting (keeping its outline level), to define it afresh."""
    outline = style.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    for tag in ("w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr"):
        for found in style.findall(qn(tag)):
            style.remove(found)
    if outline is not None:
        put(get_or_add(style, "w:pPr"), outline)


def table_style(style, border_colour: str, border_pt: float, header_fill: str, cell_margins_twips: tuple[int, int],
                space_after_pt: float = 0) -> None:
    """A table style: grid borders, cell margins, and a header row (firstRow) bold on a fill."""
    reset_style(style)
    ppr = get_or_add(style, "w:pPr")
    paragraph_properties(ppr, space_before_pt=0, space_after_pt=space_after_pt)
    tbl_pr = get_or_add(style, "w:tblPr")
    borders = element("w:tblBorders")
    for side in ("w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV"):
        borders.append(element(side, {"w:val": "single", "w:sz": round(border_pt * 8), "w:space": 0,
                                      "w:color": border_colour.lstrip("#").upper()}))
    put(tbl_pr, borders)
    vertical, horizontal = cell_margins_twips
    margins = element("w:tblCellMar")
    for side, value in (("w:top", vertical), ("w:left", horizontal), ("w:bottom", vertical),
                        ("w:right", horizontal)):
        margins.append(element(side, {"w:w": value, "w:type": "dxa"}))
    put(tbl_pr, margins)
    first_row = element("w:tblStylePr", {"w:type": "firstRow"},
                        element("w:rPr", None, element("w:b"), element("w:bCs")),
                        element("w:trPr", None, element("w:tblHeader")),
                        element("w:tcPr", None, shading(header_fill)))
    put(style, first_row)


def style_element(styles, style_id: str):
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) == style_id:
            return style
    return None


def copy_style(source_styles, target_styles, style_id: str) -> bool:
    """Copy the style `style_id` (and the styles it is based on or linked to) between style sheets."""
    style = style_element(source_styles, style_id)
    if style is None or style_element(target_styles, style_id) is not None:
        return style is not None
    target_styles.append(copy.deepcopy(style))
    for tag in ("w:basedOn", "w:link", "w:next"):
        ref = style.find(qn(tag))
        if ref is not None:
            copy_style(source_styles, target_styles, ref.get(qn("w:val")))
    return True


def character_style(styles, style_id: str, name: str, **run_props):
    """A new character style (for a rating: bold, its colour, its fill)."""
    style = element("w:style", {"w:type": "character", "w:customStyle": "1", "w:styleId": style_id},
                    element("w:name", {"w:val": name}),
                    element("w:basedOn", {"w:val": "DefaultParagraphFont"}),
                    element("w:uiPriority", {"w:val": 1}),
                    element("w:qFormat"))
    run_properties(get_or_add(style, "w:rPr"), **run_props)
    styles.append(style)
    return style


def font_entry(fonts, name: str, alt_name: str, family: str, panose: str) -> None:
    """Declare a font in fontTable.xml with the font Word substitutes when it is missing."""
    for font in fonts.findall(qn("w:font")):
        if font.get(qn("w:name")) == name:
            fonts.remove(font)
    fonts.insert(0, element("w:font", {"w:name": name},
                            element("w:altName", {"w:val": alt_name}),
                            element("w:panose1", {"w:val": panose}),
                            element("w:charset", {"w:val": "00"}),
                            element("w:family", {"w:val": family}),
                            element("w:pitch", {"w:val": "variable"})))


def theme_fonts(theme_xml: bytes, latin: str) -> bytes:
    """The theme (word/theme/theme1.xml) with `latin` as its heading and body font."""
    root = parse_xml(theme_xml)
    for scheme in root.iter(qn("a:majorFont"), qn("a:minorFont")):
        face = scheme.find(qn("a:latin"))
        face.set("typeface", latin)
        for attr in ("panose", "pitchFamily", "charset"):
            face.attrib.pop(attr, None)
    return serialize(root)


def parse_part(blob: bytes):
    return parse_xml(blob)


# --------------------------------------------------------------------------- the package

def deterministic_package(data: bytes, when: dt.date) -> bytes:
    """The same package with fixed entry times and modes, [Content_Types].xml and rels first."""
    date_time = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        first = [n for n in ("[Content_Types].xml", "_rels/.rels") if n in names]
        for name in first + sorted(n for n in names if n not in first):
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()


def serialize(root) -> bytes:
    from docx.opc.oxml import serialize_part_xml  # noqa: PLC0415

    return serialize_part_xml(root)


def save(document, when: dt.date) -> bytes:
    """The document's package as bytes, made deterministic (python-docx stamps zip entries with now)."""
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic_package(buffer.getvalue(), when)


def app_properties(application: str) -> bytes:
    """A minimal docProps/app.xml naming the application that made the file."""
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    return (f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f'<Properties xmlns="{ns}" xmlns:vt="{vt}"><Template>Normal.dotm</Template>'
            f"<Application>{application}</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
            f"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
            f"<HyperlinksChanged>false</HyperlinksChanged></Properties>").encode()


def remove_default(styles, tag: str) -> None:
    """Remove a run property (e.g. w:color) from the document defaults."""
    for found in styles.findall(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn(tag)}"):
        found.getparent().remove(found)


def space_before(p, points: float) -> None:
    """Paragraph spacing above one paragraph (w:spacing/@w:before)."""
    paragraph_properties(get_or_add(p, "w:pPr"), space_before_pt=points)


CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"


def add_custom_xml(document_part, data: bytes, item_id: str) -> None:
    """A custom XML part (customXml/item1.xml, related from the document part, with its
    datastore item properties): data Word and LibreOffice keep through a save."""
    from docx.opc.part import Part  # noqa: PLC0415

    package = document_part.package
    item = Part(PackURI("/customXml/item1.xml"), CT.XML, data, package)
    props = Part(PackURI("/customXml/itemProps1.xml"), CUSTOM_XML_PROPS,
                 ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
                  f'<ds:datastoreItem ds:itemID="{item_id}" xmlns:ds="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/customXml"><ds:schemaRefs/></ds:datastoreItem>').encode(), package)
    item.relate_to(props, RT.CUSTOM_XML_PROPS)
    document_part.relate_to(item, RT.CUSTOM_XML)


def paragraph_text(p) -> str:
    """The text of a w:p as a reader sees it: its w:t, tabs and breaks (field instructions left out)."""
    out = []
    for el in p.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        out.append(el.text or "" if el.tag == qn("w:t") else ("\t" if el.tag == qn("w:tab") else "\n"))
    return "".join(out)


# Word's own watermark (Design > Watermark): a VML WordArt shape ("PowerPlusWaterMarkObject", the
# name Word and LibreOffice know a watermark by) in the page header, centred on the margins,
# rotated 315 degrees, behind the text. Word's shapetype 136 (a text path), as Word writes it.
_WATERMARK_SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(f'<v:f eqn="{eqn}"/>' for eqn in (
        "sum #0 0 10800", "prod #0 2 1", "sum 21600 0 @1", "sum 0 0 @2", "sum 21600 0 @3", "if @0 @3 0",
        "if @0 21600 @1", "if @0 0 @2", "if @0 @4 21600", "mid @5 @6", "mid @8 @5", "mid @7 @8", "mid @6 @7",
        "sum @6 0 @5"))
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" '
    'o:connectangles="270,180,90,0"/><v:textpath on="t" fitshape="t"/><v:handles>'
    '<v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/>'
    '</v:shapetype>')


def watermark_run(text: str, number: int, family: str, bold: bool, colour: str, width_pt: float,
                  height_pt: float):
    """A w:r holding Word's watermark shape saying `text` (`number`: unique in the document), in
    `family` and `colour` (#rrggbb), `width_pt` by `height_pt` before its rotation. Each header part
    gets the shape type its shape refers to, as Word writes it."""
    from html import escape  # noqa: PLC0415

    weight = "font-weight:bold;" if bold else ""
    font = escape(f'font-family:"{family}";font-size:1pt;{weight}', quote=True)
    return parse_xml(
        f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        f'xmlns:w10="urn:schemas-microsoft-com:office:word"><w:rPr><w:noProof/></w:rPr><w:pict>'
        f'{_WATERMARK_SHAPETYPE}'
        f'<v:shape id="PowerPlusWaterMarkObject{number}" o:spid="_x0000_s{2048 + number}" type="#_x0000_t136" '
        f'style="position:absolute;margin-left:0;margin-top:0;width:{width_pt:.1f}pt;height:{height_pt:.1f}pt;'
        f'rotation:315;z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
        f'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
        f'fillcolor="{escape(colour, quote=True)}" stroked="f">'
        f'<v:textpath style="{font}" string="{escape(text, quote=True)}"/>'
        f'<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>')
