"""A reference document (a house template, as pandoc's --reference-doc) contributes styles only.

A reference document is untrusted: a .docx from anywhere may carry macros, comments, customXml,
custom properties, an attached template at a URL (Word fetches it on opening), a mail merge data
source, embedded objects and ActiveX controls. None of that may reach the published DOCX, so the
reference is read by an allow-list, never by deleting known-bad parts: `read_reference` takes out
of it only

- the style sheet (word/styles.xml), the list numbering (numbering.xml), the theme
  (theme1.xml), the font table (fontTable.xml): each re-parsed with lxml (no entity expanded,
  no network; a part declaring a DTD is refused, as Word never writes one) and re-serialised,
  with every relationship id dropped (so nothing in them can point at another part or outside:
  picture bullets, a theme's picture fills and embedded fonts go), and revision ids
  (`w:rsid*`, which differ with every save) dropped;
- the settings in `SETTINGS_KEPT` (tab stops, hyphenation, compatibility, maths, theme colour
  mapping...), and nothing else of settings.xml (no attached template, mail merge, document
  variables, protection, revision ids);
- the page setup: the body's w:sectPr, without its headers, footers and printer settings;

and lists, for one warning, what it left out (`Reference.left_out`). The DOCX writer builds the
output from reportgen's own clean package (styles/reference.docx) with these put in
(generator/writers/docx/styles.py), so the output's parts, relationships and content types are
always reportgen's: never a macro-enabled type, never a part of the reference's but these.

The body's content is a reference's sample text (styles/reference.docx shows each style), and
is left out without a word; everything else left out is named: macros, comments, customXml,
custom properties, external relationships (the attached template, a mail merge data source, any
other), document variables, protection, a glossary, embedded objects, ActiveX controls,
headers and footers, embedded fonts, picture bullets and pictures in the theme, other parts.

Read through `package.check_zip` (its limits hold before anything is inflated), from the very
handle it checked; a part taken that is not well-formed XML, or is not what its relationship
says, is `DamagedFile`.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from generator.formats.package import DamagedFile, UnreadableFile, checked_zip

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
OFFICE_DOCUMENT = RT + "officeDocument"
MACRO_ENABLED = "application/vnd.ms-word.document.macroEnabled.main+xml"
MACRO_ENABLED_TEMPLATE = "application/vnd.ms-word.template.macroEnabledTemplate.main+xml"

# The parts a reference contributes, by the type of the main part's relationship to them.
KEPT = {"styles": RT + "styles", "numbering": RT + "numbering", "theme": RT + "theme",
        "fontTable": RT + "fontTable", "settings": RT + "settings"}
ROOTS = {"styles": f"{{{W}}}styles", "numbering": f"{{{W}}}numbering", "theme": f"{{{A}}}theme",
         "fontTable": f"{{{W}}}fonts", "settings": f"{{{W}}}settings"}  # what each kept part must be
# The children of w:settings taken from a reference: how text is laid out, nothing that names a
# file, a program, data or a person.
SETTINGS_KEPT = tuple(f"{{{W}}}{t}" for t in (
    "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
    "characterSpacingControl", "noPunctuationKerning", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "compat", "themeFontLang", "clrSchemeMapping", "decimalSymbol", "listSeparator",
)) + (f"{{{M}}}mathPr",)
# The children of the body's w:sectPr taken: the page's layout, not its headers, footers, printer.
SECTION_KEPT = tuple(f"{{{W}}}{t}" for t in (
    "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "lnNumType", "pgBorders", "pgNumType", "cols",
    "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid"))
# settings.xml children that are named when left out (the rest go silently: revision ids, view,
# proof state, what reportgen sets itself)
SETTINGS_NAMED = {f"{{{W}}}documentProtection": "document protection",
                  f"{{{W}}}writeProtection": "write protection",
                  f"{{{W}}}trackRevisions": "track changes"}
MACRO_PARTS = ("word/vbaProject.bin", "word/vbaData.xml", "word/keyMapCustomizations.xml",
               "word/attachedToolbars.bin", "word/customizations.xml")
COMMENT_PARTS = ("word/comments.xml", "word/commentsExtended.xml", "word/commentsIds.xml",
                 "word/commentsExtensible.xml", "word/people.xml")
# Left out without a word: the package's own furniture, the body and what only the body uses, and
# the printer's settings Word keeps with a section.
SILENT = re.compile(r"(\[Content_Types\]\.xml|(.*/)?_rels/[^/]*\.rels|docProps/(core|app)\.xml"
                    r"|docProps/thumbnail\.\w+|word/(webSettings|stylesWithEffects|footnotes|endnotes)\.xml"
                    r"|word/media/[^/]+|word/printerSettings/[^/]+)$")
MAX_SHOWN = 60  # characters of a name or address shown in the warning

_PARSER = None


@dataclass(frozen=True)
class Reference:
    """What a reference document contributes: `parts` (name in KEPT -> serialised XML; settings:
    a w:settings holding only the SETTINGS_KEPT it has), `section` (the body's w:sectPr,
    serialised, or None), and `left_out` (what it holds beyond them, for the warning)."""

    parts: dict = field(default_factory=dict)
    section: bytes | None = None
    left_out: tuple[str, ...] = ()
    macro_enabled: bool = False


def _parser():
    global _PARSER  # noqa: PLW0603 - one parser, made on first use (lxml imported only here)
    if _PARSER is None:
        from lxml import etree  # noqa: PLC0415

        _PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                  remove_blank_text=True)
    return _PARSER


def _parse(data: bytes, name: str, path):
    from lxml import etree  # noqa: PLC0415

    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise DamagedFile(path, "docx", f"{name}: an XML part does not parse: {exc.msg or exc}") from None
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        raise DamagedFile(path, "docx", f"{name} declares a DTD (<!DOCTYPE>), which no Word document does")
    return root


def _remove(node) -> None:
    """Remove `node`, keeping the text that follows it."""
    parent = node.getparent()
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _local(root) -> str:
    """An element's name as a message shows it: <numbering>."""
    return "<" + shown(str(root.tag).rpartition("}")[2]) + ">"


def _serialise(root) -> bytes:
    from lxml import etree  # noqa: PLC0415

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def left_out_message(name: str, reference: Reference) -> str:
    """The `docx-reference-stripped` warning's message for the reference file called `name`."""
    return f"{shown(name)}: left out of the output: " + ", ".join(reference.left_out)


def shown(text: str) -> str:
    """A name or address from the file as a warning may print it: printable, at most MAX_SHOWN."""
    text = "".join(c if c.isprintable() else "?" for c in str(text))
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relationships(package, part: str, path) -> list[tuple[str, str, str, bool]]:
    """(id, type, target, external) of each relationship of `part` ("" for the package)."""
    name = _rels_name(part) if part else "_rels/.rels"
    if name not in package.NameToInfo:
        return []
    root = _parse(package.read(name), name, path)
    out = []
    for rel in root.iter(f"{{{PR}}}Relationship"):
        external = (rel.get("TargetMode") or "").lower() == "external"
        target = rel.get("Target") or ""
        if not external:  # the part's name in the package: relative to the source's folder, or absolute
            target = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                        else posixpath.join(posixpath.dirname(part), target))
        out.append((rel.get("Id") or "", rel.get("Type") or "", target, external))
    return out


def _strip(root) -> None:
    """Drop every relationship id (r:*) and revision id (w:rsid*, w:rsid) in `root`."""
    for node in list(root.iter()):
        if not isinstance(node.tag, str):
            continue
        if node.tag == f"{{{W}}}rsid":
            _remove(node)
            continue
        for attr in list(node.attrib):
            if attr.startswith(f"{{{R}}}") or attr.startswith(f"{{{W}}}rsid"):
                del node.attrib[attr]


def _has_content(root) -> bool:
    """Whether a header or footer shows anything: text, a picture, an object."""
    if any((t.text or "").strip() for t in root.iter(f"{{{W}}}t")):
        return True
    return any(True for _ in root.iter(f"{{{W}}}drawing", f"{{{W}}}pict", f"{{{W}}}object"))


def read_reference(path) -> Reference:
    """What the reference document at `path` contributes (see the module's docstring): checked
    within the ZIP limits first (UnreadableFile), each part it takes parsed (DamagedFile). Read
    once while the file is unchanged."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError:
        info = None
    return _read(str(path), (info.st_mtime_ns, info.st_size) if info else None)


@lru_cache(maxsize=4)
def _read(name: str, stamp) -> Reference:
    path = Path(name)
    with checked_zip(path) as handle, zipfile.ZipFile(handle) as package:  # the very handle checked is read
        return _take(package, path)


def _take(package, path) -> Reference:
    names = set(package.NameToInfo)
    accounted: set[str] = set()
    main = next((t for _, kind, t, ext in _relationships(package, "", path) if kind == OFFICE_DOCUMENT and not ext),
                "word/document.xml")
    if main not in names:
        raise DamagedFile(path, "docx", f"the main document part {shown(main)} is missing")
    macro_enabled = _main_type(package, main, path) in (MACRO_ENABLED, MACRO_ENABLED_TEMPLATE)
    accounted.add(main)

    # -- the parts kept, and their own relationships (never followed; external ones named)
    parts, external, in_settings, in_parts = {}, [], [], []
    relationships = _relationships(package, main, path)
    for key, kind in KEPT.items():
        target = next((t for _, k, t, ext in relationships if k == kind and not ext and t in names), None)
        if target is None:
            continue
        accounted.add(target)
        root = _parse(package.read(target), target, path)
        if root.tag != ROOTS[key]:
            raise DamagedFile(path, "docx", f"{shown(target)} is not a {key} part (it holds {_local(root)})")
        if key == "settings":
            root, in_settings = _settings(root, _relationships(package, target, path))
        else:
            in_parts += _kept_part(key, root)
            external += [t for _, k, t, ext in _relationships(package, target, path) if ext]
        _strip(root)
        parts[key] = _serialise(root)
    document = _parse(package.read(main), main, path)
    if document.tag != f"{{{W}}}document":
        raise DamagedFile(path, "docx", f"{shown(main)} is not a Word document (it holds {_local(document)})")
    section = _section(document)

    # -- every other entry of the package, by what it is; named in this order
    left: list[str] = []
    macros = sorted(n for n in names if n in MACRO_PARTS)
    if macros:
        left.append(f"macros ({', '.join(shown(n) for n in macros)})")
    if macro_enabled:
        left.append("its macro-enabled type (.docm)")
    comments = [n for n in COMMENT_PARTS if n in names]
    if comments:
        count = (len(_parse(package.read("word/comments.xml"), "word/comments.xml", path).findall(f"{{{W}}}comment"))
                 if "word/comments.xml" in names else 0)
        left.append(_plural(count, "comment") if count else f"comment data ({', '.join(comments)})")
    custom_xml = [n for n in names if n.startswith("customXml/") and not n.endswith(".rels")]
    if custom_xml:
        left.append(f"customXml ({_plural(len(custom_xml), 'part')})")
    if "docProps/custom.xml" in names:
        left.append("custom properties (docProps/custom.xml)")
    left += in_settings
    for name in sorted(names):  # external relationships of any other part (the body's, headers', notes' aside)
        if name.endswith(".rels") and name != "_rels/.rels" and name != _rels_name(main):
            source = posixpath.join(posixpath.dirname(posixpath.dirname(name)), posixpath.basename(name)[:-5])
            if source in accounted or re.fullmatch(r"word/(header|footer)\d*\.xml|word/(foot|end)notes\.xml",
                                                   source):
                continue
            external += [t for _, k, t, ext in _relationships(package, source, path) if ext]
    if external:
        left.append(f"{_plural(len(external), 'external link')} ({shown(sorted(external)[0])}"
                    + (", …)" if len(external) > 1 else ")"))
    if any(n.startswith("word/glossary/") for n in names):
        left.append("a glossary document (building blocks)")
    embedded = [n for n in names if n.startswith("word/embeddings/")]
    if embedded:
        left.append(f"embedded objects ({len(embedded)})")
    activex = [n for n in names if n.startswith("word/activeX/") and n.endswith(".xml") and "/_rels/" not in n]
    if activex or any(n.startswith("word/activeX/") for n in names):
        left.append(f"ActiveX controls ({len(activex) or 1})")
    headers = [n for n in names if re.fullmatch(r"word/(header|footer)\d*\.xml", n)]
    shown_headers = [n for n in headers if _has_content(_parse(package.read(n), n, path))]
    if shown_headers:
        left.append(f"headers and footers ({len(shown_headers)})")
    fonts = [n for n in names if n.startswith("word/fonts/")]
    if fonts:
        left.append(f"embedded fonts ({len(fonts)})")
    left += in_parts
    known = (set(MACRO_PARTS) | set(COMMENT_PARTS) | {"docProps/custom.xml"} | set(headers) | accounted)
    other = sorted(n for n in names if n not in known and not SILENT.fullmatch(n) and not n.endswith("/")
                   and not n.startswith(("customXml/", "word/glossary/", "word/embeddings/", "word/activeX/",
                                         "word/fonts/")))
    if other:
        left.append(f"other parts ({', '.join(shown(n) for n in other[:3])}{', …' if len(other) > 3 else ''})")
    return Reference(parts, section, tuple(left), macro_enabled)


def _main_type(package, main: str, path) -> str:
    if "[Content_Types].xml" not in package.NameToInfo:
        return ""
    root = _parse(package.read("[Content_Types].xml"), "[Content_Types].xml", path)
    for override in root.iter(f"{{{CT}}}Override"):
        if (override.get("PartName") or "").lstrip("/") == main:
            return override.get("ContentType") or ""
    return ""


def _kept_part(key: str, root) -> list[str]:
    """What of a kept part is left out (named): picture bullets, the theme's pictures, embedded
    fonts' entries (their files are counted with the package's fonts)."""
    left = []
    if key == "numbering":
        pictures = root.findall(f"{{{W}}}numPicBullet")
        for node in pictures:
            root.remove(node)
        for node in list(root.iter(f"{{{W}}}lvlPicBulletId")):
            _remove(node)
        if pictures:
            left.append(_plural(len(pictures), "picture bullet"))
    elif key == "theme":
        from lxml import etree  # noqa: PLC0415

        fills = list(root.iter(f"{{{A}}}blipFill"))
        for node in fills:  # a fill of a picture (a relationship) becomes the placeholder colour
            solid = etree.Element(f"{{{A}}}solidFill")
            etree.SubElement(solid, f"{{{A}}}schemeClr", val="phClr")
            solid.tail = node.tail
            node.getparent().replace(node, solid)
        if fills:
            left.append(f"pictures in the theme ({len(fills)})")
    elif key == "fontTable":
        tags = tuple(f"{{{W}}}{t}" for t in ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic"))
        for node in list(root.iter(*tags)):
            _remove(node)
    return left


def _settings(root, relationships) -> tuple[object, list[str]]:
    """A w:settings holding only the SETTINGS_KEPT children of `root`; and what is named as left out."""
    from lxml import etree  # noqa: PLC0415

    named = []
    external = [(kind.rsplit("/", 1)[-1], target) for _, kind, target, ext in relationships if ext]
    templates = [t for kind, t in external if kind == "attachedTemplate"]
    if root.find(f"{{{W}}}attachedTemplate") is not None or templates:
        named.append(f"an attached template ({shown(templates[0])})" if templates else "an attached template")
    sources = [t for kind, t in external if kind.startswith("mailMerge") or kind == "recipientData"]
    if root.find(f"{{{W}}}mailMerge") is not None or sources:
        named.append(f"a mail merge data source ({shown(sources[0])})" if sources else "a mail merge data source")
    for tag, what in SETTINGS_NAMED.items():
        if root.find(tag) is not None:
            named.append(what)
    variables = root.find(f"{{{W}}}docVars")
    if variables is not None:
        named.append(_plural(len(variables), "document variable"))
    others = sorted(t for kind, t in external if kind != "attachedTemplate" and t not in sources)
    if others:
        named.append(f"{_plural(len(others), 'external link')} in the settings ({shown(others[0])}"
                     + (", …)" if len(others) > 1 else ")"))
    kept = etree.Element(root.tag, nsmap=root.nsmap)
    for child in root:
        if child.tag in SETTINGS_KEPT:
            kept.append(child)
    return kept, named


def _section(document) -> bytes | None:
    """The body's own w:sectPr with only its SECTION_KEPT children, serialised; None if it has none."""
    body = document.find(f"{{{W}}}body")
    section = body.find(f"{{{W}}}sectPr") if body is not None else None
    if section is None:
        return None
    for child in list(section):
        if child.tag not in SECTION_KEPT:
            section.remove(child)
    _strip(section)
    return _serialise(section)
