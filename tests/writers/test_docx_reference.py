"""A reference document contributes styles only (issue 20, "Safe by default on every new surface").

Hostile reference documents are made here by hand (zipfile + lxml, from styles/reference.docx),
one per class of baggage (`CASES`: the corpus of hostile references) and one holding all of it.
Each is given to the DOCX writer; the test reads the built package back: none of the reference's
baggage is in it (each piece carries a marker string, searched for in every entry), the
reference's styles are, and one `docx-reference-stripped` warning names what was left out.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from generator.build import build, check
from generator.diagnostics import ContentError, Diagnostics
from generator.formats import reference as reading
from generator.writers.docx import styles as writer_styles
from generator.writers.docx.writer import write_docx
from tests.conftest import ROOT, SURREY, copy_report
from tests.readback import libreoffice_pdf

REFERENCE = ROOT / "styles" / "reference.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CTNS = "http://schemas.openxmlformats.org/package/2006/content-types"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
NS = {"w": W, "r": R, "rel": PR, "ct": CTNS}
WNS = f'xmlns:w="{W}" xmlns:r="{R}"'
EVIL = "http://evil.example/"
MARK = "HOSTILE-"  # every piece of baggage carries MARK + its name; none may reach the output


# --------------------------------------------------------------------------- making hostile references

class Package:
    """styles/reference.docx's entries, to change by hand and write out as a new package."""

    def __init__(self):
        with zipfile.ZipFile(REFERENCE) as source:
            self.entries = {name: source.read(name) for name in source.namelist()}

    def xml(self, name: str):
        return etree.fromstring(self.entries[name])

    def put_xml(self, name: str, root) -> None:
        self.entries[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def relate(self, source: str, rel_type: str, target: str, external: bool = False) -> str:
        """A relationship of `source` ("" for the package); returns its id."""
        folder, _, name = source.rpartition("/")
        rels = f"{folder}/_rels/{name}.rels" if source else "_rels/.rels"
        root = (etree.fromstring(self.entries[rels]) if rels in self.entries
                else etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR}))
        r_id = f"rIdHostile{len(root)}"
        rel = etree.SubElement(root, f"{{{PR}}}Relationship", Id=r_id, Type=RT + rel_type, Target=target)
        if external:
            rel.set("TargetMode", "External")
        self.put_xml(rels, root)
        return r_id

    def content_type(self, part: str, value: str) -> None:
        root = self.xml("[Content_Types].xml")
        for override in root.findall(f"{{{CTNS}}}Override"):
            if override.get("PartName") == "/" + part:
                root.remove(override)
        etree.SubElement(root, f"{{{CTNS}}}Override", PartName="/" + part, ContentType=value)
        self.put_xml("[Content_Types].xml", root)

    def settings(self, xml: str) -> None:
        """Insert `xml` (children of w:settings, in the w: and r: namespaces) after w:zoom."""
        root = self.xml("word/settings.xml")
        zoom = root.find(f"{{{W}}}zoom")
        for child in reversed(etree.fromstring(f"<x {WNS}>{xml}</x>")):
            zoom.addnext(child)
        self.put_xml("word/settings.xml", root)

    def body(self, xml: str, section: str = "") -> None:
        root = self.xml("word/document.xml")
        body = root.find(f"{{{W}}}body")
        sect = body.find(f"{{{W}}}sectPr")
        sect.addprevious(etree.fromstring(f"<w:p {WNS}><w:r><w:t>{xml}</w:t></w:r></w:p>"))
        if section:
            for child in reversed(etree.fromstring(f"<x {WNS}>{section}</x>")):
                sect.insert(0, child)
        self.put_xml("word/document.xml", root)

    def write(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in self.entries.items():
                out.writestr(name, data)
        return path


def house_styles(p: Package) -> None:
    """The styles the output must take: Heading 1 in 7F0000 and Georgia, and a style of its own."""
    root = p.xml("word/styles.xml")
    heading = next(s for s in root.iter(f"{{{W}}}style") if s.get(f"{{{W}}}styleId") == "Heading1")
    rpr = heading.find(f"{{{W}}}rPr")
    for tag in ("color", "rFonts"):
        for found in rpr.findall(f"{{{W}}}{tag}"):
            rpr.remove(found)
    etree.SubElement(rpr, f"{{{W}}}rFonts", {f"{{{W}}}ascii": "Georgia", f"{{{W}}}hAnsi": "Georgia"})
    etree.SubElement(rpr, f"{{{W}}}color", {f"{{{W}}}val": "7F0000"})
    root.append(etree.fromstring(f'<w:style {WNS} w:type="paragraph" w:customStyle="1" w:styleId="HouseNote">'
                                 '<w:name w:val="House Note"/><w:rPr><w:color w:val="123456"/></w:rPr></w:style>'))
    p.put_xml("word/styles.xml", root)
    theme = p.xml("word/theme/theme1.xml")  # the theme's body font, a list's numbering, a font, a tab stop
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    theme.find(f".//{{{a}}}minorFont/{{{a}}}latin").set("typeface", "House Serif")
    p.put_xml("word/theme/theme1.xml", theme)
    numbering = p.xml("word/numbering.xml")
    abstract = numbering.find(f"{{{W}}}abstractNum")
    abstract.insert(0, etree.fromstring(f'<w:multiLevelType {WNS} w:val="hybridMultilevel"/>'))
    abstract.addprevious(etree.fromstring(f'<w:abstractNum {WNS} w:abstractNumId="90"><w:nsid w:val="0A0B0C0D"/>'
                                          '<w:name w:val="House List"/></w:abstractNum>'))
    p.put_xml("word/numbering.xml", numbering)
    fonts = p.xml("word/fontTable.xml")
    fonts.append(etree.fromstring(f'<w:font {WNS} w:name="House Sans"><w:family w:val="swiss"/></w:font>'))
    p.put_xml("word/fontTable.xml", fonts)
    settings = p.xml("word/settings.xml")
    settings.find(f"{{{W}}}defaultTabStop").set(f"{{{W}}}val", "567")
    p.put_xml("word/settings.xml", settings)


def macros(p):
    p.entries["word/vbaProject.bin"] = (MARK + "macros").encode() * 8
    p.entries["word/vbaData.xml"] = f'<wne:vbaSuppData xmlns:wne="urn:x">{MARK}macros</wne:vbaSuppData>'.encode()
    p.entries["word/keyMapCustomizations.xml"] = f'<wne:tcg xmlns:wne="urn:x">{MARK}macros</wne:tcg>'.encode()
    p.relate("word/document.xml", "vbaProject", "vbaProject.bin")
    p.relate("word/vbaProject.bin", "wordVbaData", "vbaData.xml")
    p.relate("word/document.xml", "keyMapCustomizations", "keyMapCustomizations.xml")
    p.content_type("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")
    p.content_type("word/vbaProject.bin", "application/vnd.ms-office.vbaProject")


def comments(p):
    p.entries["word/comments.xml"] = (
        f'<w:comments {WNS}>' + "".join(f'<w:comment w:id="{i}" w:author="{MARK}comment author"><w:p><w:r>'
                                        f'<w:t>{MARK}comment {i}</w:t></w:r></w:p></w:comment>' for i in (0, 1))
        + "</w:comments>").encode()
    p.entries["word/commentsExtended.xml"] = f'<w15:commentsEx xmlns:w15="urn:x">{MARK}c</w15:commentsEx>'.encode()
    p.entries["word/commentsIds.xml"] = f'<w16:commentsIds xmlns:w16="urn:x">{MARK}c</w16:commentsIds>'.encode()
    p.entries["word/people.xml"] = f'<w15:people xmlns:w15="urn:x">{MARK}people</w15:people>'.encode()
    p.relate("word/document.xml", "comments", "comments.xml")
    p.relate("word/document.xml", "people", "people.xml")


def custom_xml(p):
    for n in (1, 2):
        p.entries[f"customXml/item{n}.xml"] = f"<data>{MARK}customXml {n}</data>".encode()
        p.relate("word/document.xml", "customXml", f"../customXml/item{n}.xml")
    p.entries["customXml/itemProps1.xml"] = f'<ds:datastoreItem xmlns:ds="urn:x" ds:itemID="{MARK}x"/>'.encode()
    p.relate("customXml/item1.xml", "customXmlProps", "itemProps1.xml")


def custom_properties(p):
    p.entries["docProps/custom.xml"] = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Client">'
        f"<vt:lpwstr>{MARK}custom property</vt:lpwstr></property></Properties>").encode()
    p.relate("", "custom-properties", "docProps/custom.xml")


def attached_template(p):
    r_id = p.relate("word/settings.xml", "attachedTemplate", EVIL + "template.dotm", external=True)
    p.settings(f'<w:attachedTemplate r:id="{r_id}"/>')


def mail_merge(p):
    r_id = p.relate("word/settings.xml", "mailMergeSource", EVIL + "recipients.csv", external=True)
    p.settings(f'<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:dataType w:val="textFile"/>'
               f'<w:query w:val="SELECT * FROM {MARK}mailmerge"/><w:dataSource r:id="{r_id}"/></w:mailMerge>')


def document_variables(p):
    p.settings(f'<w:docVars><w:docVar w:name="secret" w:val="{MARK}docVar"/></w:docVars>'
               f'<w:rsids><w:rsidRoot w:val="00ABC123"/><w:rsid w:val="00ABC123"/></w:rsids>')


def protection(p):
    p.settings('<w:documentProtection w:edit="readOnly" w:enforcement="1" w:hash="HOSTILE-hash"/>'
               '<w:trackRevisions/>')


def unknown_part(p):
    p.entries["word/hostile.bin"] = (MARK + "unknown").encode()
    p.relate("word/document.xml", "hostile", "hostile.bin")


def external_in_styles(p):
    p.relate("word/styles.xml", "hyperlink", EVIL + "styles", external=True)
    p.relate("word/settings.xml", "hyperlink", EVIL + "settings", external=True)


def glossary(p):
    p.entries["word/glossary/document.xml"] = (f'<w:glossaryDocument {WNS}><w:docParts><w:docPart><w:docPartBody>'
                                               f'<w:p><w:r><w:t>{MARK}glossary</w:t></w:r></w:p></w:docPartBody>'
                                               '</w:docPart></w:docParts></w:glossaryDocument>').encode()
    p.relate("word/document.xml", "glossaryDocument", "glossary/document.xml")
    p.content_type("word/glossary/document.xml",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document.glossary+xml")


def embedded_objects(p):
    p.entries["word/embeddings/oleObject1.bin"] = (MARK + "ole").encode()
    p.relate("word/document.xml", "oleObject", "embeddings/oleObject1.bin")
    p.entries["word/activeX/activeX1.xml"] = f'<ax:ocx xmlns:ax="urn:x" ax:classid="{MARK}activex"/>'.encode()
    p.entries["word/activeX/activeX1.bin"] = (MARK + "activex").encode()
    p.relate("word/document.xml", "control", "activeX/activeX1.xml")


def printer(p):
    """What Word writes in a section: its printer's settings (a binary part), an art page border."""
    p.entries["word/printerSettings/printerSettings1.bin"] = (MARK + "printer").encode()
    r_id = p.relate("word/document.xml", "printerSettings", "printerSettings/printerSettings1.bin")
    p.body("", f'<w:pgBorders><w:top w:val="apples" w:sz="20" w:space="24" r:id="{r_id}"/></w:pgBorders>'
               f'<w:printerSettings r:id="{r_id}"/>')


def header(p):
    p.entries["word/header1.xml"] = f'<w:hdr {WNS}><w:p><w:r><w:t>{MARK}header</w:t></w:r></w:p></w:hdr>'.encode()
    r_id = p.relate("word/document.xml", "header", "header1.xml")
    p.content_type("word/header1.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml")
    p.body(f"{MARK}body", f'<w:headerReference w:type="default" r:id="{r_id}"/>')


def theme_picture(p):
    p.entries["word/media/image1.png"] = (MARK + "theme picture").encode()
    r_id = p.relate("word/theme/theme1.xml", "image", "../media/image1.png")
    root = p.xml("word/theme/theme1.xml")
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    fills = root.find(f".//{{{a}}}bgFillStyleLst")
    fills[-1].addprevious(etree.fromstring(f'<a:blipFill xmlns:a="{a}" xmlns:r="{R}"><a:blip r:embed="{r_id}"/>'
                                           '<a:stretch><a:fillRect/></a:stretch></a:blipFill>'))
    fills.remove(fills[-1])
    p.put_xml("word/theme/theme1.xml", root)


def picture_bullet(p):
    p.entries["word/media/bullet.png"] = (MARK + "bullet").encode()
    r_id = p.relate("word/numbering.xml", "image", "media/bullet.png")
    root = p.xml("word/numbering.xml")
    root.insert(0, etree.fromstring(f'<w:numPicBullet {WNS} xmlns:v="urn:schemas-microsoft-com:vml" '
                                    f'w:numPicBulletId="0"><w:pict><v:shape><v:imagedata r:id="{r_id}"/>'
                                    '</v:shape></w:pict></w:numPicBullet>'))
    p.put_xml("word/numbering.xml", root)


def embedded_font(p):
    p.entries["word/fonts/font1.odttf"] = (MARK + "font").encode() * 4
    r_id = p.relate("word/fontTable.xml", "font", "fonts/font1.odttf")
    root = p.xml("word/fontTable.xml")
    for font in (root[0], etree.SubElement(root, f"{{{W}}}font", {f"{{{W}}}name": "House Embedded"})):
        font.append(etree.fromstring(f'<w:embedRegular {WNS} r:id="{r_id}" w:fontKey="{{00000000-0000-0000-0000-'
                                     '000000000000}"/>'))
    p.put_xml("word/fontTable.xml", root)


def xml_entities(p, use: str = "&xxe;&c;"):
    """A DTD in styles.xml: an external entity (a file outside) and a billion-laughs entity, used
    (`use`) in the text after Normal's name."""
    text = p.entries["word/styles.xml"].decode()
    head, body = text.split("?>", 1)
    dtd = ('<!DOCTYPE w:styles [<!ENTITY xxe SYSTEM "file:///etc/hostname"><!ENTITY a "HOSTILE-entity">'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    body = body.replace('<w:name w:val="Normal"/>', '<w:name w:val="Normal"/>' + use, 1)
    p.entries["word/styles.xml"] = (head + "?>" + dtd + body).encode()


# name -> (make, what the warning must say; None: nothing is named)
CASES = {
    "macros": (macros, ["macros (word/keyMapCustomizations.xml, word/vbaData.xml, word/vbaProject.bin)",
                        "its macro-enabled type (.docm)"]),
    "comments": (comments, ["2 comments"]),
    "custom-xml": (custom_xml, ["customXml (3 parts)"]),
    "custom-properties": (custom_properties, ["custom properties (docProps/custom.xml)"]),
    "attached-template": (attached_template, [f"an attached template ({EVIL}template.dotm)"]),
    "mail-merge": (mail_merge, [f"a mail merge data source ({EVIL}recipients.csv)"]),
    "document-variables": (document_variables, ["1 document variable"]),
    "protection": (protection, ["document protection", "track changes"]),
    "unknown-part": (unknown_part, ["other parts (word/hostile.bin)"]),
    "external-in-styles": (external_in_styles, [f"1 external link ({EVIL}styles)",
                                                f"1 external link in the settings ({EVIL}settings)"]),
    "glossary": (glossary, ["a glossary document"]),
    "embedded-objects": (embedded_objects, ["embedded objects (1)", "ActiveX controls (1)"]),
    "header": (header, ["headers and footers (1)"]),
    "printer": (printer, None),  # what Word writes in every template saved on Windows: left out silently
    "theme-picture": (theme_picture, ["pictures in the theme (1)"]),
    "picture-bullet": (picture_bullet, ["1 picture bullet"]),
    "embedded-font": (embedded_font, ["embedded fonts (1)"]),
}


def hostile(path: Path, *names: str) -> Path:
    p = Package()
    house_styles(p)
    for name in names:
        CASES[name][0](p)
    return p.write(path)


# --------------------------------------------------------------------------- reading the output back

@pytest.fixture(scope="module")
def surrey():
    return check(SURREY, Diagnostics())


def write(doc, reference: Path) -> tuple[bytes, Diagnostics]:
    diags = Diagnostics()
    out = io.BytesIO()
    write_docx(doc, SURREY, out, diags, reference_doc=reference)
    return out.getvalue(), diags


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        assert len(names) == len(set(names)), f"duplicate entries: {sorted(n for n in names if names.count(n) > 1)}"
        return {name: package.read(name) for name in names}


def assert_clean(package: dict[str, bytes]) -> None:
    """Nothing of a hostile reference's baggage in the output package."""
    for name, data in package.items():
        assert MARK.encode() not in data, f"{name} holds the reference's baggage"
        assert b"evil.example" not in data, name
    names = set(package)
    assert not {n for n in names if n.startswith(("customXml/", "word/glossary/", "word/embeddings/",
                                                  "word/activeX/"))}, names
    # the only picture is the report's own (its cover's crest), never one of the reference's
    crest = (SURREY / "cover" / "crest.png").read_bytes()
    assert [n for n in names if n.startswith("word/media/") and package[n] != crest] == [], names
    assert not names & {"word/vbaProject.bin", "word/vbaData.xml", "word/keyMapCustomizations.xml",
                        "word/comments.xml", "word/commentsExtended.xml", "word/commentsIds.xml",
                        "word/people.xml", "docProps/custom.xml"}, names
    types = package["[Content_Types].xml"].decode()
    assert "macroEnabled" not in types and "vbaProject" not in types
    for name, data in package.items():
        if name.endswith(".rels"):
            for rel in etree.fromstring(data).iter(f"{{{PR}}}Relationship"):
                if rel.get("TargetMode") == "External":  # only the report's own links, in its body
                    assert name in ("word/_rels/document.xml.rels", "word/_rels/footnotes.xml.rels"), name
                    assert rel.get("Type") == RT + "hyperlink", name
    numbering = package["word/numbering.xml"]
    assert b"numPicBullet" not in numbering and b"lvlPicBulletId" not in numbering
    assert b"blipFill" not in package["word/theme/theme1.xml"]
    for name in ("word/styles.xml", "word/numbering.xml", "word/theme/theme1.xml", "word/settings.xml"):
        root = etree.fromstring(package[name])
        assert not [a for node in root.iter() for a in node.attrib if a.startswith(f"{{{R}}}")], name
        assert not [n for n in root.iter() if isinstance(n.tag, str) and n.tag.startswith(f"{{{W}}}rsid")
                    or any(a.startswith(f"{{{W}}}rsid") for a in n.attrib)], f"{name}: revision ids"
    fonts = etree.fromstring(package["word/fontTable.xml"])
    targets = {r.get("Id"): r.get("Target") for r in etree.fromstring(package["word/_rels/fontTable.xml.rels"])
               } if "word/_rels/fontTable.xml.rels" in package else {}
    for embed in fonts.xpath("//w:embedRegular|//w:embedBold|//w:embedItalic|//w:embedBoldItalic", namespaces=NS):
        assert "word/" + targets[embed.get(f"{{{R}}}id")] in package, "only the writer's own embedded fonts"
    section = etree.fromstring(package["word/document.xml"]).xpath("/w:document/w:body/w:sectPr", namespaces=NS)[0]
    assert [c.tag.split("}")[1] for c in section if c.get(f"{{{R}}}id")] in (
        ["headerReference", "headerReference", "footerReference"], ["headerReference", "footerReference"]), \
        "the writer's own header and footer, and no other relationship, in the page setup"
    assert not section.xpath("./w:printerSettings", namespaces=NS)
    settings = etree.fromstring(package["word/settings.xml"])
    for tag in ("attachedTemplate", "mailMerge", "docVars", "rsids", "documentProtection", "writeProtection"):
        assert settings.find(f"{{{W}}}{tag}") is None, tag
    assert not [a for node in settings.iter() for a in node.attrib if a.startswith(f"{{{R}}}")]


def style(package: dict[str, bytes], style_id: str):
    root = etree.fromstring(package["word/styles.xml"])
    return next((s for s in root.iter(f"{{{W}}}style") if s.get(f"{{{W}}}styleId") == style_id), None)


def assert_house_styles(package: dict[str, bytes]) -> None:
    """What the reference contributes is in the output: its styles, theme, numbering, fonts, settings."""
    heading = style(package, "Heading1")
    assert heading.xpath("./w:rPr/w:color/@w:val", namespaces=NS) == ["7F0000"]
    assert heading.xpath("./w:rPr/w:rFonts/@w:ascii", namespaces=NS) == ["Georgia"]
    assert style(package, "HouseNote") is not None, "a style of the reference's own is taken"
    assert b'<a:latin typeface="House Serif"/>' in package["word/theme/theme1.xml"]
    assert b'<w:name w:val="House List"/>' in package["word/numbering.xml"]
    assert b'w:name="House Sans"' in package["word/fontTable.xml"]
    assert b'<w:defaultTabStop w:val="567"/>' in package["word/settings.xml"]


def stripped(diags: Diagnostics) -> list:
    return [d for d in diags.items if d.code == "docx-reference-stripped"]


# --------------------------------------------------------------------------- the corpus, one class at a time

@pytest.mark.parametrize("name", CASES)
def test_a_hostile_reference_contributes_its_styles_and_nothing_else(tmp_path, surrey, name):
    path = hostile(tmp_path / f"{name}.docx", name)
    data, diags = write(surrey, path)
    package = entries(data)
    assert_clean(package)
    assert_house_styles(package)
    assert not diags.errors, diags.items
    warnings = stripped(diags)
    expected = CASES[name][1]
    if expected is None:
        assert not warnings, warnings
        return
    assert len(warnings) == 1, warnings
    warning = warnings[0]
    assert warning.severity == "warning" and warning.message.startswith(f"{name}.docx: left out of the output: ")
    for phrase in expected:
        assert phrase in warning.message, (phrase, warning.message)


def test_a_reference_with_everything_gets_one_warning_naming_each_thing_and_libreoffice_opens_the_output(
        tmp_path, surrey):
    path = hostile(tmp_path / "house.docx", *CASES)
    data, diags = write(surrey, path)
    package = entries(data)
    assert_clean(package)
    assert_house_styles(package)
    [warning] = stripped(diags)
    assert warning.path.endswith("house.docx") and warning.line == 0
    for _, phrases in CASES.values():
        for phrase in phrases or ():
            assert phrase in warning.message, (phrase, warning.message)
    assert [d.code for d in diags.items] == ["docx-reference-stripped"], diags.items
    out = tmp_path / "out.docx"
    out.write_bytes(data)
    assert docx.Document(str(out)).paragraphs, "python-docx opens it"
    text = subprocess.run(["pdftotext", str(libreoffice_pdf(out, tmp_path)), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    assert "Surrey PDU" in text and "HOSTILE" not in text


def test_the_reference_page_setup_is_taken_without_its_headers(tmp_path, surrey):
    p = Package()
    header(p)
    root = p.xml("word/document.xml")
    cols = root.find(f".//{{{W}}}body/{{{W}}}sectPr/{{{W}}}cols")
    cols.set(f"{{{W}}}space", "567")
    p.put_xml("word/document.xml", root)
    package = entries(write(surrey, p.write(tmp_path / "house.docx"))[0])
    section = etree.fromstring(package["word/document.xml"]).xpath("/w:document/w:body/w:sectPr", namespaces=NS)[0]
    assert section.xpath("./w:cols/@w:space", namespaces=NS) == ["567"], "the reference's page setup is taken"
    for kind in ("headerReference", "footerReference"):
        for ref in section.findall(f"{{{W}}}{kind}"):  # only the writer's own: the title and the page numbers
            assert MARK.encode() not in package["word/" + _target(package, ref.get(f"{{{R}}}id"))]
    assert section.xpath("./w:pgSz/@w:w", namespaces=NS) == ["11906"], "page size is always the PDF's"


def _target(package, r_id: str) -> str:
    rels = etree.fromstring(package["word/_rels/document.xml.rels"])
    return next(r.get("Target") for r in rels.iter(f"{{{PR}}}Relationship") if r.get("Id") == r_id)


def test_the_shipped_reference_and_a_python_docx_save_of_it_give_no_warning(tmp_path, surrey):
    document = docx.Document(str(REFERENCE))
    document.save(str(tmp_path / "saved.docx"))
    for path in (REFERENCE, tmp_path / "saved.docx"):
        data, diags = write(surrey, path)
        assert not diags.items, diags.items
        assert_clean(entries(data))


def test_the_same_reference_gives_the_same_bytes(tmp_path, surrey):
    path = hostile(tmp_path / "house.docx", *CASES)
    first, _ = write(surrey, path)
    copy = tmp_path / "copy" / "house.docx"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    reading._read.cache_clear()
    writer_styles._package.cache_clear()
    assert write(surrey, copy)[0] == first


def test_a_docx_reportgen_built_is_a_reference_without_duplicate_entries(tmp_path, surrey):
    built, diags = write(surrey, REFERENCE)
    earlier = tmp_path / "earlier.docx"
    earlier.write_bytes(built)
    data, diags = write(surrey, earlier)
    package = entries(data)  # no duplicate names
    fonts = [n for n in package if n.startswith("word/fonts/")]
    assert len(fonts) == 4, fonts
    [warning] = stripped(diags)
    assert "headers and footers (2)" in warning.message and "embedded fonts (4)" in warning.message
    out = tmp_path / "again.docx"
    out.write_bytes(data)
    assert docx.Document(str(out)).paragraphs
    text = subprocess.run(["pdftotext", str(libreoffice_pdf(out, tmp_path)), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    assert "Surrey PDU" in text
    assert "Page 2 of" in text, "the footer is the writer's own"
    assert data == write(surrey, earlier)[0], "deterministic"


# --------------------------------------------------------------------------- where the warning and errors are

def test_the_warning_is_located_at_docx_reference_in_report_yaml_and_check_gives_it(tmp_path, reportgen):
    report = copy_report(tmp_path)
    hostile(report / "house.docx", "macros", "attached-template")
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text() + "\ndocx_reference: house.docx\n")
    line = len(yaml.read_text().splitlines())
    checked = reportgen("check", report)
    assert checked.returncode == 0
    assert f"report.yaml:{line}:1: warning[docx-reference-stripped]: house.docx: left out of the output: " \
           "macros (" in checked.stderr
    assert reportgen("check", report, "--strict").returncode == 1
    built = build(report, tmp_path / "out", formats=("docx",))
    [warning] = stripped(built.diagnostics)
    assert warning.path.endswith("report.yaml")
    assert yaml.read_text().splitlines()[warning.line - 1].startswith("docx_reference:")
    assert warning.message == ("house.docx: left out of the output: macros (word/keyMapCustomizations.xml, "
                               "word/vbaData.xml, word/vbaProject.bin), its macro-enabled type (.docm), "
                               f"an attached template ({EVIL}template.dotm)")
    assert_clean(entries(built.outputs["docx"].read_bytes()))
    with pytest.raises(ContentError):  # --strict: the warning fails the build
        build(report, tmp_path / "strict", formats=("docx",), strict=True)
    assert not (tmp_path / "strict").exists() or not list((tmp_path / "strict").glob("*.docx"))


def test_reference_doc_on_the_command_line_is_where_the_warning_points(tmp_path, reportgen):
    path = hostile(tmp_path / "house.docx", "comments")
    result = reportgen("build", SURREY, "--format", "docx", "--out", tmp_path / "out", "--reference-doc", path)
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stderr.splitlines() if "docx-reference-stripped" in line]
    assert line == f"{path}: warning[docx-reference-stripped]: house.docx: left out of the output: 2 comments"


@pytest.mark.parametrize("use", ["&xxe;&c;", '<w:aliases w:val="&c;"/>', '<w:aliases w:val="&xxe;"/>'])
def test_a_part_declaring_a_dtd_is_refused(tmp_path, surrey, use):
    p = Package()
    xml_entities(p, use)
    data, diags = write(surrey, p.write(tmp_path / "house.docx"))
    assert data == b""
    [error] = diags.errors
    assert error.code == "docx-reference-invalid"
    assert "word/styles.xml" in error.message and ("declares a DTD" in error.message or "parse" in error.message)


@pytest.mark.parametrize("part", ["word/theme/theme1.xml", "word/fontTable.xml"])
def test_a_part_taken_that_does_not_parse_is_a_located_error_at_check(tmp_path, reportgen, part):
    report = copy_report(tmp_path)
    p = Package()
    p.entries[part] = p.entries[part][:200]
    p.write(report / "house.docx")
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text() + "\ndocx_reference: house.docx\n")
    result = reportgen("check", report)
    assert result.returncode == 1
    line = len(yaml.read_text().splitlines())
    assert (f"report.yaml:{line}:1: error[docx-reference-invalid]: 'house.docx' is not a readable DOCX: "
            f"{part}: an XML part does not parse") in result.stderr


def test_a_warning_prints_no_control_character_from_the_file(tmp_path, surrey):
    p = Package()
    house_styles(p)
    r_id = p.relate("word/settings.xml", "attachedTemplate", EVIL + "a\u202eb\u0085c" + "x" * 100, external=True)
    p.settings(f'<w:attachedTemplate r:id="{r_id}"/>')
    [warning] = stripped(write(surrey, p.write(tmp_path / "house.docx"))[1])
    assert "\u202e" not in warning.message and "\u0085" not in warning.message
    assert "…)" in warning.message and len(warning.message) < 200


def test_a_themes_reference_is_where_the_warning_points(tmp_path):
    theme = tmp_path / "house-theme"
    theme.mkdir()
    (theme / "theme.yaml").write_text("name: House\n")
    hostile(theme / "reference.docx", "custom-properties")
    built = build(SURREY, tmp_path / "out", formats=("docx",), theme=theme)
    [warning] = stripped(built.diagnostics)
    assert Path(warning.path).resolve() == (theme / "reference.docx").resolve()
    assert warning.message == ("reference.docx: left out of the output: custom properties (docProps/custom.xml)")
    package = entries(built.outputs["docx"].read_bytes())
    assert_clean(package)
    assert_house_styles(package)


def minimal(path: Path, files: dict[str, str]) -> Path:
    """A Word package holding only `files` (and the content types and package relationships)."""
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", f'<Types xmlns="{CTNS}"><Default Extension="xml" '
                                                'ContentType="application/xml"/></Types>')
        package.writestr("_rels/.rels", f'<Relationships xmlns="{PR}"><Relationship Id="rId1" '
                                        f'Type="{RT}officeDocument" Target="word/document.xml"/></Relationships>')
        for name, text in files.items():
            package.writestr(name, text)
    return path


STYLES_ONLY = {"word/_rels/document.xml.rels": f'<Relationships xmlns="{PR}"><Relationship Id="rId1" '
                                               f'Type="{RT}styles" Target="/word/styles.xml"/></Relationships>'}


@pytest.mark.parametrize("files, error", [
    ({"word/document.xml": f"<w:document {WNS}><w:body/></w:document>"}, None),
    ({"word/document.xml": f"<w:document {WNS}><w:body/></w:document>", **STYLES_ONLY,
      "word/styles.xml": f"<w:styles {WNS}/>"}, None),
    ({"word/document.xml": f"<w:document {WNS}><w:body/></w:document>", **STYLES_ONLY,
      "word/styles.xml": f"<w:numbering {WNS}/>"}, "word/styles.xml is not a styles part (it holds <numbering>)"),
    ({"word/document.xml": f"<w:glossaryDocument {WNS}/>"},
     "word/document.xml is not a Word document (it holds <glossaryDocument>)"),
], ids=["no-parts", "empty-styles", "styles-of-another-kind", "not-a-document"])
def test_a_reference_with_little_or_the_wrong_thing_in_it(tmp_path, surrey, files, error):
    """What a reference lacks is ours; a part that is not what its relationship says is an error."""
    data, diags = write(surrey, minimal(tmp_path / "house.docx", files))
    if error is None:
        assert not diags.errors, diags.items
        out = tmp_path / "out.docx"
        out.write_bytes(data)
        assert "Surrey PDU" in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
        assert style(entries(data), "Heading1") is not None, "a style the reference lacks is ours"
    else:
        [diag] = diags.errors
        assert diag.code == "docx-reference-invalid" and diag.message.endswith(error), diag.message
        assert data == b""
