"""A reviewed DOCX: its comments, replies and tracked changes, each located in the source by the
source map the draft carries (generator/review/sourcemap.py).

The file is untrusted. It is checked within the ZIP limits of generator/formats/package.py (size,
entries, ratio, every entry inflated in bounded chunks) before anything is parsed; then only the
parts named below are read, straight from the package, never through its relationships: no
external relationship, macro (vbaProject.bin), OLE object or linked file is ever followed, opened
or run. Each XML part is parsed without a DTD, entity expansion or network (a part declaring a
DOCTYPE is refused: Word writes none), at most `MAX_PART_BYTES`, at most `MAX_ITEMS` comments
and changes.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from generator.formats.package import UnreadableFile, checked_zip
from generator.review import sourcemap as SM
from generator.review.items import CHANGE, COMMENT, REPLY, ReviewItem

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
MAX_PART_BYTES = 64 * 1_000_000
MAX_ITEMS = 20_000  # comments plus changes: beyond it, the file is refused (a review has dozens)
APPLIED = "already in the source: applied since the build"
RISKY_PARTS = (("word/vbaProject.bin", "macros"), ("word/embeddings/", "embedded (OLE) objects"),
               ("word/activeX/", "ActiveX controls"))


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class NoSourceMap(Exception):
    """The DOCX carries no source map: it was not built as a draft (or with --source-map)."""


PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                         huge_tree=False, remove_comments=True, remove_pis=True)


def parse_part(path: Path, name: str, data: bytes):
    """An XML part, defused: no DTD (so no entity can expand), no network."""
    head = data[:4096].lstrip()
    if b"<!DOCTYPE" in data[:65536].upper() or b"<!ENTITY" in data[:65536].upper():
        raise UnreadableFile(path, "docx", f"the XML part {name} declares a DTD or entities; a Word document has "
                                           "none (refused: entity expansion)")
    if not head:
        raise UnreadableFile(path, "docx", f"the XML part {name} is empty")
    try:
        return etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(path, "docx", f"the XML part {name} does not parse: {exc.msg}") from None


# --------------------------------------------------------------------------- what a paragraph holds

@dataclass
class Piece:
    kind: str  # "same", "ins", "del"
    text: str
    ident: str = ""
    author: str = ""
    date: str = ""


@dataclass
class Para:
    """One paragraph of the reviewed file: its pieces, its map number, where its comments fall."""

    n: int | None
    pieces: list[Piece] = field(default_factory=list)
    heading: str = ""  # the last Heading 1 before it (its part)
    note: int = 0  # its footnote's order (1-based) for a footnote paragraph, else 0

    @property
    def before(self) -> str:
        return "".join(p.text for p in self.pieces if p.kind != "ins")

    @property
    def after(self) -> str:
        return "".join(p.text for p in self.pieces if p.kind != "del")

    def offset(self) -> int:
        """Where the next piece starts in `before`."""
        return len(self.before)


@dataclass
class Change:
    ident: str
    author: str
    date: str
    para: Para
    start: int  # in para.before
    old: str
    new: str


@dataclass
class Comment:
    ident: str
    author: str = ""
    date: str = ""
    text: str = ""
    para_id: str = ""  # w14:paraId of its last paragraph, for replies
    parent: str = ""  # the comment it replies to (w15:commentEx/@paraIdParent)
    start: tuple | None = None  # (Para, offset in before)
    end: tuple | None = None


@dataclass
class Review:
    """Everything read from a reviewed DOCX, before it is located."""

    map: SM.SourceMap
    paras: list[Para]
    comments: dict[str, Comment]
    changes: list[Change]
    notes: list[str]  # one-line notes: macros present, and so on


def _date(value: str | None) -> str:
    m = re.match(r"(\d{4}-\d{2}-\d{2})", value or "")
    return m[1] if m and not m[1].startswith("0000") else ""


class Walker:
    def __init__(self, comments: dict[str, Comment]):
        self.comments = comments
        self.paras: list[Para] = []
        self.changes: list[Change] = []
        self.heading = ""
        self.count = 0
        self.note_parts: list[str] = []  # the part of each footnote's call, in order

    def story(self, root, note: int = 0) -> None:
        for p in root.iter(w("p")):
            if _inside(p, w("txbxContent")):
                continue
            self.paragraph(p, note)

    def paragraph(self, p, note: int = 0) -> None:
        heading = self.note_parts[note - 1] if 0 < note <= len(self.note_parts) else self.heading
        para = Para(None, heading=heading, note=note)
        self.walk(p, para, None)
        style = p.find(f"{w('pPr')}/{w('pStyle')}")
        if not note and style is not None and re.fullmatch(r"Heading ?1", style.get(w("val"), "")):
            self.heading = para.before.strip()
            para.heading = self.heading
        self.paras.append(para)
        self.group(para)

    def walk(self, el, para: Para, change) -> None:
        for child in el:
            tag = child.tag
            if tag == w("bookmarkStart"):
                n = SM.number_of(child.get(w("name")))
                if n is not None and para.n is None:
                    para.n = n
            elif tag in (w("ins"), w("del")):
                kind = "ins" if tag == w("ins") else "del"
                self.walk(child, para, (kind, child.get(w("id"), ""), child.get(w("author"), ""),
                                        _date(child.get(w("date")))))
            elif tag == w("r"):
                self.run(child, para, change)
            elif tag in (w("hyperlink"), w("smartTag"), w("customXml"), w("fldSimple"), w("sdt"), w("sdtContent")):
                self.walk(child, para, change)
            elif tag == w("commentRangeStart"):
                self.comment(child).start = (para, para.offset())
            elif tag == w("commentRangeEnd"):
                self.comment(child).end = (para, para.offset())

    def comment(self, el) -> Comment:
        ident = el.get(w("id"), "")
        if ident not in self.comments and len(self.comments) >= MAX_ITEMS:
            raise TooMany()
        return self.comments.setdefault(ident, Comment(ident))

    def run(self, r, para: Para, change) -> None:
        in_field = False
        for el in r:
            if el.tag == w("fldChar"):
                in_field = el.get(w("fldCharType")) == "begin"
            elif el.tag in (w("t"), w("delText")) and not in_field:
                self.text(para, el.text or "", change)
            elif el.tag == w("tab"):
                self.text(para, "\t", change)
            elif el.tag in (w("br"), w("cr")):
                self.text(para, "\n", change)
            elif el.tag == w("footnoteReference") and not para.note:
                self.note_parts.append(self.heading)
            elif el.tag == w("commentReference"):
                comment = self.comment(el)
                if comment.start is None:  # a point comment: no range
                    comment.start = (para, para.offset())
                if comment.end is None:
                    comment.end = comment.start

    def text(self, para: Para, text: str, change) -> None:
        if not text:
            return
        kind, ident, author, date = change or ("same", "", "", "")
        last = para.pieces[-1] if para.pieces else None
        if last and last.kind == kind and last.ident == ident:
            last.text += text
        else:
            para.pieces.append(Piece(kind, text, ident, author, date))

    def group(self, para: Para) -> None:
        """The paragraph's tracked changes: adjacent deletions and an insertion (either order) by one
        author are one change, a replaced word "most" -> "many"."""
        pos, i, pieces = 0, 0, para.pieces
        while i < len(pieces):
            piece = pieces[i]
            if piece.kind == "same":
                pos += len(piece.text)
                i += 1
                continue
            old = new = ""
            start, ident, author, date = pos, piece.ident, piece.author, piece.date
            # a deletion after the insertion starts a new change; deletions side by side are one (a
            # replaced phrase whose runs differ in format: "Overall rating: " and "Inadequate")
            while i < len(pieces) and pieces[i].kind != "same" and pieces[i].author == author \
                    and not (old and new and pieces[i].kind == "del" and pieces[i - 1].kind != "del"):
                if pieces[i].kind == "del":
                    old += pieces[i].text
                    pos += len(pieces[i].text)
                else:
                    new += pieces[i].text
                i += 1
            self.count += 1
            if self.count > MAX_ITEMS:
                raise TooMany()
            self.changes.append(Change(f"t{ident}", author, date, para, start, old, new))


class TooMany(Exception):
    pass


def _inside(el, tag: str) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def read_review(path: Path) -> Review:
    """Read a reviewed DOCX. Raises UnreadableFile (not a DOCX, over the limits, a refused part)
    or NoSourceMap."""
    path = Path(path)
    with checked_zip(path) as handle:  # a FIFO or device refused unopened; the ZIP limits first
        try:
            package = zipfile.ZipFile(handle)
        except zipfile.BadZipFile as exc:
            raise UnreadableFile(path, "docx", str(exc)) from None
        names = set(package.namelist())

        def read(name: str) -> bytes | None:
            if name not in names:
                return None
            info = package.getinfo(name)
            if info.file_size > MAX_PART_BYTES:
                raise UnreadableFile(path, "docx", f"the part {name} is larger than {MAX_PART_BYTES // 1_000_000} MB")
            return package.read(name)

        notes = [f"it holds {what} ({name}); reportgen never opens or runs them"
                 for name, what in RISKY_PARTS if any(n.startswith(name) for n in names)]
        rels = read("word/_rels/document.xml.rels") or b""
        if any(b'TargetMode="External"' in rel and not rel.split(b'Type="', 1)[-1].split(b'"')[0].endswith(b"/hyperlink")
               for rel in rels.split(b"<Relationship ")[1:]):
            notes.append("it has external relationships (links to files or sites); reportgen never follows them")
        source_map = None
        for name in sorted(n for n in names if re.fullmatch(r"customXml/item\d+\.xml", n)):
            data = read(name) or b""
            if SM.is_map(data):
                try:
                    source_map = SM.from_xml(data, lambda d, name=name: parse_part(path, name, d))
                except SM.BadMap as exc:
                    raise UnreadableFile(path, "docx", f"its source map ({name}) cannot be read: {exc}") from None
                break
        if source_map is None:
            raise NoSourceMap(f"'{path}' carries no source map: review a draft's DOCX (reportgen build --draft), "
                              "or a final one built with --source-map")
        document = read("word/document.xml")
        if document is None:
            raise UnreadableFile(path, "docx", "it has no word/document.xml")
        comments: dict[str, Comment] = {}
        walker = Walker(comments)
        try:
            walker.story(parse_part(path, "word/document.xml", document))
            footnotes = read("word/footnotes.xml")
            if footnotes:
                order = 0
                for note in parse_part(path, "word/footnotes.xml", footnotes).findall(w("footnote")):
                    if note.get(w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                        continue
                    order += 1
                    walker.story(note, order)
            data = read("word/comments.xml")
            if data:
                for el in parse_part(path, "word/comments.xml", data).findall(w("comment")):
                    if len(comments) > MAX_ITEMS:
                        raise TooMany()
                    c = comments.setdefault(el.get(w("id"), ""), Comment(el.get(w("id"), "")))
                    c.author, c.date = el.get(w("author"), ""), _date(el.get(w("date")))
                    paras = el.findall(f".//{w('p')}")
                    c.text = "\n".join("".join(t.text or "" for t in p.iter(w("t"))) for p in paras).strip()
                    if paras:
                        c.para_id = paras[-1].get(f"{{{W14}}}paraId", "")
            data = read("word/commentsExtended.xml")
            if data:
                by_para = {c.para_id: c for c in comments.values() if c.para_id}
                for el in parse_part(path, "word/commentsExtended.xml", data).iter(f"{{{W15}}}commentEx"):
                    parent = el.get(f"{{{W15}}}paraIdParent")
                    child = by_para.get(el.get(f"{{{W15}}}paraId", ""))
                    if parent and child and parent in by_para:
                        child.parent = by_para[parent].ident
        except TooMany:
            raise UnreadableFile(path, "docx", f"it holds more than {MAX_ITEMS} comments and changes") from None
        except RecursionError:
            raise UnreadableFile(path, "docx", "its XML is nested too deeply") from None
    # a comment defined in comments.xml but anchored nowhere stays listed, unlocated
    return Review(source_map, walker.paras, comments, walker.changes, notes)


# --------------------------------------------------------------------------- locating

def review_items(path: Path, report_dir: Path | None) -> tuple[list[ReviewItem], list[str]]:
    """Every comment, reply and tracked change of the reviewed DOCX at `path`, located in the
    sources in `report_dir`; and the notes to print. Raises UnreadableFile or NoSourceMap."""
    from generator.review.apply import already_applied  # noqa: PLC0415
    from generator.review.locate import Locator  # noqa: PLC0415

    review = read_review(path)
    locator = Locator(review.map, report_dir)
    items: list[ReviewItem] = []
    note_entries = review.map.notes()
    index = {id(p): i for i, p in enumerate(review.paras)}
    for c in sorted(review.comments.values(), key=lambda c: _order(c, index)):
        kind = REPLY if c.parent else COMMENT
        para, start = c.start or (None, 0)
        end = c.end[1] if c.end and c.end[0] is para else (len(para.before) if para else 0)
        anchor = para.before[start:end] if para else ""
        where = locator.locate(entry_of(para, review.map, note_entries), para, start, anchor) if para else None
        items.append(item_from(kind, f"c{c.ident}", c.author, c.date, where, para, text=c.text, anchor=anchor,
                               note=("reply to c" + c.parent) if c.parent else ""))
    for ch in review.changes:
        where = locator.locate(entry_of(ch.para, review.map, note_entries), ch.para, ch.start, ch.old or "",
                               change=ch)
        item = item_from(CHANGE, ch.ident, ch.author, ch.date, where, ch.para, old=ch.old, new=ch.new)
        item.extra.update(para_before=ch.para.before, start=ch.start)
        if where is not None and where.stale and not where.found and already_applied(item, where):
            # the chapter says what the change made (--apply, or the author by hand): not a conflict
            item = replace(item, note=APPLIED, extra=item.extra)
        items.append(item)
    return items, review.notes


def _order(c: Comment, index: dict[int, int]) -> tuple:
    """Reading order: by paragraph, then place, then number (a comment anchored nowhere last)."""
    number = int(c.ident) if c.ident.isdigit() and len(c.ident) < 12 else 0
    if c.start is None:
        return (len(index), 0, number)
    return (index.get(id(c.start[0]), len(index)), c.start[1], number)


def entry_of(para: Para | None, source_map: SM.SourceMap, note_entries: list) -> SM.Entry | None:
    if para is None:
        return None
    if para.note:
        return note_entries[para.note - 1] if para.note <= len(note_entries) else None
    return source_map.entries.get(para.n) if para.n is not None else None


def item_from(kind, ident, author, date, where, para, **fields) -> ReviewItem:
    note = fields.pop("note", "")
    if where is not None:
        key = where.key if kind != CHANGE and where.path.endswith(".yaml") else ""
        notes = "; ".join(x for x in (note, key, where.note) if x)
        return ReviewItem(kind, ident, author, date, where.path, where.line, where.column, where.key,
                          part=(para.heading if para else "") or where.path, context=para.before if para else "",
                          note=notes, extra={"where": where}, **fields)
    # before the first part's title: the cover (its words are report.yaml's metadata and the framework's)
    why = "on the cover: not mapped" if para is not None and not para.heading and not para.note \
        else "not in the source map"
    return ReviewItem(kind, ident, author, date, part=para.heading if para else "",
                      context=para.before if para else "", note="; ".join(x for x in (note, why) if x), **fields)
