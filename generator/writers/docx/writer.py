"""Stage 7c, write DOCX: python-docx over the document model, never over HTML.

The writer, by what each module does:

- `writer` (here): `write_docx`, and `DocxWriter`, which assembles the document (cover, parts,
  the contents range) and gives the node functions what the body is built with: paragraphs in
  a style, runs, tables, bookmarks, list items, footnotes;
- `nodes`: one function per node kind, registered in `BLOCKS` or `INLINES`; a node that has no
  function raises `NodeNotRendered` (never silently dropped);
- `styles`: the reference document, as with pandoc's --reference-doc (styles/reference.docx, the
  report's `docx_reference:` or `reportgen build --reference-doc FILE`): it contributes styles
  only (its styles, numbering, theme, font table, some settings and page setup, put into our own
  package; generator/formats/reference.py), and a style a house template lacks is copied from
  styles/reference.docx;
- `page`: page size and margins (the PDF's, styles/print.css, whatever the reference says), the
  running header and the footer;
- `numbering`: list numbering and footnotes;
- `fonts`: the theme's fonts embedded in the package (subset, obfuscated, in fontTable.xml);
- `xml`: what python-docx has no API for (footnotes, fields, bookmarks, hyperlinks, list
  numbering, table header rows, alt text, language, settings); no other module builds raw
  WordprocessingML.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from docx.oxml.ns import qn

from generator.diagnostics import Diagnostics
from generator.model import Callout, Document, Heading, Numbered, Rating, walk
from generator.themes import theme_of
from generator.words import words_of
from generator.writers.docx import xml as X
from generator.writers.docx.fonts import embed_fonts
from generator.writers.docx.nodes import BLOCKS, CONTENTS_RANGE, INLINES, At, Where
from generator.writers.docx.numbering import Footnotes, Lists
from generator.writers.docx.page import TEXT_WIDTH_TWIPS, setup_page
from generator.writers.docx.styles import REFERENCE, Styles, open_reference, reference_for

__all__ = ["BLOCKS", "INLINES", "At", "DocxWriter", "Where", "reference_for", "write_docx"]

AFTER_TABLE_PT = 12  # space above the paragraph that follows a table (the PDF's table margin)


@dataclass
class DocxWriter:
    """Writes one `Document` as DOCX bytes. `DocxWriter.handles(kind)` says which kinds it renders."""

    reference: Path = REFERENCE
    base_dir: Path | None = None
    diags: Diagnostics = field(default_factory=Diagnostics)
    allow_remote: bool = False  # http(s) images are fetched (--allow-remote), as the PDF does
    source: object = None  # the chapter file and line of the block being written, for messages
    source_map: bool = False  # bookmark each paragraph and store the source map (generator/review/sourcemap.py)

    @staticmethod
    def handles(kind: str) -> bool:
        return kind in BLOCKS or kind in INLINES

    # ---- dispatch (nodes.Kinds.render)
    def blocks(self, nodes, where: Where) -> None:
        BLOCKS.render(self, nodes, where)

    def inlines(self, nodes, at: At) -> None:
        INLINES.render(self, nodes, at)

    # ---- the document
    def document(self, doc: Document) -> bytes:
        self.docx = open_reference(self.reference)
        self.theme = theme_of(doc)  # its colours: the scorecard's "Not rated" fill
        self.part = self.docx.part
        self.styles = Styles(self.docx.styles.element, self.reference)
        self.lists = Lists(self.part)
        settings = self.docx.settings.element
        self.notes = Footnotes(self.part, settings)
        self.bookmark_names: dict[str, str] = {}
        self.bookmark_id = 0
        self.contents_targets: set[str] = set()
        self.contents_entries: list = []  # (the entry's w:hyperlink, its part's bookmark, title): nodes.contents
        self.page_number_runs: list = []  # the runs with_page_numbers added
        self.page_refs: list = []  # (the REF field's last run, bookmark, "on page", its text): nodes.cross_ref
        self.last_heading = ""
        self.after_table = None
        self.mapped: dict = {}  # w:p -> (Source or None, footnote id): the source map's entries, in order
        for node_id in _ids(doc):
            self.bookmark_name(node_id)

        body = self.docx.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        setup_page(self.docx, doc.info.title, self.styles, doc.draft.mark if doc.draft else "",
                   doc.draft.label if doc.draft else "", words_of(doc).pieces("page_of"))
        self.styles.language(settings, doc.info.language)
        _core_properties(self.docx, doc)

        where = Where(self.docx)
        self._cover(doc, where)
        spans = {}
        for part in doc.parts:
            h1 = self.paragraph(where, "Heading 1")
            self.locate(h1, None)  # the part's title: report.yaml's or the framework's, not the last block's
            h1.append(X.run(part.title))
            self.bookmark(h1, part.id)
            self.last_heading = part.title
            self.blocks(part.blocks, where)
            spans[part.id] = (h1, body[-2])
        self._contents_range(doc, spans)
        if self.contents_entries:  # the contents' page numbers: Word fills them in when it updates fields
            X.update_fields_on_open(self.docx.settings.element)
        embed_fonts(self.docx, theme_of(doc).fonts_dir)
        if self.source_map:
            self._source_map()
        self.date = dt.date.fromisoformat(doc.info.date)
        return X.save(self.docx, self.date)

    def contents_bookmarks(self) -> dict[str, str]:
        """{bookmark: title} of the parts the contents lists, in its order, then of the targets of
        cross-references that say on which page (after `document`): what the pagination pass
        reads the page of."""
        out = {name: title for _, name, title in self.contents_entries}
        for _, name, _, text in self.page_refs:
            out.setdefault(name, text)
        return out

    def with_page_numbers(self, pages: dict[str, int]) -> bytes:
        """The document `document` made, again, its contents entries each followed by a tab and
        the page of its part (`pages`: bookmark -> page; the TOC 1 style sets the tab stop: right
        aligned, dot leader), and each cross-reference that says on which page followed by "on
        page" and a PAGEREF field whose cached result is its target's page. Every number is
        known, so Word is not asked to update fields on opening (no w:updateFields): it shows
        these, LibreOffice's layout's, until fields are updated (F9, or printing)."""
        for r in self.page_number_runs:
            r.getparent().remove(r)
        self.page_number_runs = []
        for anchor, name, _ in self.contents_entries:
            runs = [X.run("\t"), X.run(str(pages[name]))]
            anchor.extend(runs)
            self.page_number_runs.extend(runs)
        for last, name, label, _ in self.page_refs:
            runs = [X.run(f" {label} "), *X.field_runs(f"PAGEREF {name} \\h", [X.run(str(pages[name]))])]
            for r in reversed(runs):
                last.addnext(r)
            self.page_number_runs.extend(runs)
        X.update_fields_on_open(self.docx.settings.element, False)
        return X.save(self.docx, self.date)

    def _cover(self, doc: Document, where: Where) -> None:
        cover = doc.cover
        band = self.paragraph(where, "Cover Inspectorate")
        if cover.logo is not None:  # in the band, as the PDF's: the picture, then the name under it
            self.blocks((cover.logo,), where)
            picture = band.getnext()
            if picture is not None and picture.find(qn("w:r")) is not None:
                band.extend(picture.findall(qn("w:r")))
                band.append(X.line_break())
                picture.getparent().remove(picture)
                self.mapped.pop(picture, None)
        band.append(X.run(cover.inspectorate))
        title = self.paragraph(where, "Title")
        if cover.lead:
            title.append(X.run(cover.lead))
        if cover.unit:
            if cover.lead:
                title.append(X.line_break())
            title.append(X.run(cover.unit, self.styles.id("Cover Unit")))
        if cover.region:
            self.paragraph(where, "Cover Region").append(X.run(cover.region))
        imprint = self.paragraph(where, "Cover Imprint")
        imprint.append(X.run(cover.imprint))
        if doc.draft and doc.draft.version:  # the same paragraph: the style ends the cover's page
            imprint.extend((X.line_break(), X.run(doc.draft.mark)))

    def locate(self, p, source, note: str = "") -> None:
        """Say where paragraph `p` came from (None: nowhere the map tells), instead of the block being written."""
        self.mapped[p] = (source, note)

    def _source_map(self) -> None:
        """Bookmark each located paragraph `_rg_<n>` and store the map with the sources'
        fingerprints (generator/review/sourcemap.py; only drafts, or `build --source-map`)."""
        from generator.inputs import InputError, read_input  # noqa: PLC0415
        from generator.review import sourcemap as SM  # noqa: PLC0415

        root = Path(self.base_dir).resolve() if self.base_dir else None
        out = SM.SourceMap()
        n = 0
        for p, (source, note) in self.mapped.items():
            if source is None:
                continue
            path = Path(source.path)
            try:
                rel = path.resolve().relative_to(root).as_posix() if root else path.name
            except ValueError:
                rel = path.name  # outside the report folder (a framework file): its name only
            n += 1
            self.bookmark_id += 1
            if not note:  # a footnote's bookmark would not survive an editor's save: notes go by order
                X.bookmark(p, self.bookmark_id, SM.bookmark_name(n))
            out.entries[n] = SM.Entry(n, rel, source.line, getattr(source, "key", ""), note, X.paragraph_text(p))
            if root and rel not in out.files and (root / rel).is_file():
                try:
                    out.files[rel] = SM.fingerprint(read_input(root / rel, (root,), "chapter"))
                except InputError:
                    pass
        X.add_custom_xml(self.part, out.to_xml(), SM.ITEM_ID)

    def _contents_range(self, doc: Document, spans: dict) -> None:
        """Bookmark the parts the contents lists, so that Word's update lists just those (TOC \\b).

        The field's cached result carries page numbers only from the pagination pass
        (`pagination.py`, `build --docx-page-numbers`): they are the pages LibreOffice lays the
        DOCX out on, not the PDF's, and a number that is wrong is worse than none. Word fills
        them in anyway when it updates fields on opening."""
        if not self.contents_targets:
            return
        listed = [i for i, part in enumerate(doc.parts) if part.id in self.contents_targets]
        if not listed:
            return
        first, last = listed[0], listed[-1]
        skipped = [p.title for p in doc.parts[first:last + 1] if p.id not in self.contents_targets]
        if skipped:
            self.diags.warning("docx-contents-range", "the DOCX contents field lists the parts from "
                               f"'{doc.parts[first].title}' to '{doc.parts[last].title}'; when Word updates it, "
                               f"it will also list {', '.join(repr(t) for t in skipped)}")
        self.bookmark_id += 1
        start_p = spans[doc.parts[first].id][0]
        X.bookmark(start_p, self.bookmark_id, CONTENTS_RANGE, around=False)
        spans[doc.parts[last].id][1].addnext(X.bookmark_end(self.bookmark_id))

    # ---- what the node functions build with
    def paragraph(self, where: Where, style: str):
        """A new w:p at the end of `where`, in `style`.

        A Word table has no space below it: the paragraph after one gets AFTER_TABLE_PT above it
        (paragraph spacing, never an empty paragraph), unless its style brings its own.
        """
        p = where.container.add_paragraph()._p  # noqa: SLF001
        X.paragraph_style(p, self.styles.id(style))
        self.mapped[p] = (self.source, "")
        if self.after_table is where.container:
            if not style.startswith(("Heading", "Caption")):
                X.space_before(p, AFTER_TABLE_PT)
            self.after_table = None
        return p

    def at(self, p) -> At:
        return At(p, self.part)

    def run(self, at: At, value: str) -> None:
        if not value:
            return
        marks = at.marks
        style = ("Hyperlink" if "link" in marks else "Verbatim Char" if "code" in marks
                 else "Strong" if "strong" in marks else "Emphasis" if "emph" in marks else None)
        at.target.append(X.run(value, self.styles.id(style) if style else None,
                               bold="strong" in marks and style != "Strong",
                               italic="emph" in marks and style != "Emphasis", lang=at.lang))

    def rating_word(self, node: Rating, at: At) -> None:
        at.target.append(X.run(node.label, self.styles.rating(node)))

    def bookmark_name(self, node_id: str) -> str:
        name = self.bookmark_names.get(node_id)
        if name is None:
            base = "_" + re.sub(r"[^A-Za-z0-9_]", "_", node_id)[:35]
            name, n = base, 1
            while name in self.bookmark_names.values():
                n += 1
                name = f"{base}_{n}"
            self.bookmark_names[node_id] = name
        return name

    def bookmark(self, p, node_id: str) -> None:
        self.bookmark_id += 1
        X.bookmark(p, self.bookmark_id, self.bookmark_name(node_id))

    def bookmark_start(self, p, node_id: str) -> int:
        """Open a bookmark at the end of `p` (the caller appends the runs, then `X.bookmark_end`)."""
        self.bookmark_id += 1
        p.append(X.element("w:bookmarkStart", {"w:id": self.bookmark_id, "w:name": self.bookmark_name(node_id)}))
        return self.bookmark_id

    def list_items(self, items, where: Where, num_id: int) -> None:
        level = min(where.level + 1, 8)
        for item in items:
            for index, node in enumerate(item):
                self.blocks((node,), Where(where.container, level, num_id if index == 0 else None, where.quote))

    def table(self, where: Where, rows: int, fractions: list[float], caption: str, header: bool):
        """A table in the "Report Table" style, full width; returns (w:tbl, [[cell w:p]]).

        The first row, if `header`, is marked to repeat on each page; no row breaks across pages.
        """
        tbl = where.container.add_table(rows, len(fractions))._tbl  # noqa: SLF001
        self.after_table = where.container
        X.table_properties(tbl, self.styles.id("Report Table"), caption=caption)
        X.column_widths(tbl, [round(TEXT_WIDTH_TWIPS * f) for f in fractions])
        compact = self.styles.id("Compact")
        cells = []
        for index, tr in enumerate(tbl.findall(qn("w:tr"))):
            X.cant_split(tr)
            if header and index == 0:
                X.header_row(tr)
            row = []
            for tc in tr.findall(qn("w:tc")):
                p = tc.find(qn("w:p"))
                X.paragraph_style(p, compact)
                self.mapped[p] = (self.source, "")
                row.append(p)
            cells.append(row)
        return tbl, cells

    def footnote(self, node) -> int:
        note_id, p = self.notes.add(self.styles.id("Footnote Text"), self.styles.id("Footnote Reference"))
        self.mapped[p] = (self.source, node.label or node.id)
        self.inlines(node.children, At(p, self.notes.part, in_note=True))
        return note_id

    def error(self, node, code: str, message: str) -> None:
        self.diags.error(code, message, *self.where(node))

    def warning(self, node, code: str, message: str) -> None:
        self.diags.warning(code, message, *self.where(node))

    def where(self, node) -> tuple:
        """(path, line) of `node`, or of the block being written (inlines carry no source)."""
        source = getattr(node, "source", None) or self.source
        return (source.path, source.line) if source else (None, 0)


def _ids(doc: Document) -> list[str]:
    """Every id a link or reference may name: parts, headings, boxes, numbered figures and tables."""
    ids = []
    for part in doc.parts:
        ids.append(part.id)
        for node in walk(part.blocks):
            if isinstance(node, (Heading, Callout)):
                ids.append(node.id)
            elif isinstance(getattr(node, "numbered", None), Numbered) and node.numbered.id:
                ids.append(node.numbered.id)
    return ids


def _core_properties(document, doc: Document) -> None:
    """docProps/core.xml from the model: title (a draft's marked), subject, author, keywords,
    language, fixed dates; a draft's label as its status and its version as its version."""
    info = doc.info
    when = dt.datetime.combine(dt.date.fromisoformat(info.date), dt.time(), dt.timezone.utc)
    props = document.core_properties
    props.title, props.subject, props.author = doc.title, info.subject, info.author
    props.keywords = ", ".join(info.keywords)
    props.language = info.language
    props.last_modified_by = info.author
    props.comments = props.category = props.identifier = ""
    props.content_status, props.version = (doc.draft.label, doc.draft.version) if doc.draft else ("", "")
    props.created = props.modified = when
    if props.last_printed is not None:
        props.last_printed = when
    props.revision = 1


def write_docx(doc: Document, base_dir: Path | None, target, diags: Diagnostics | None = None,
               reference_doc: Path | None = None, allow_remote: bool = False, page_numbers: bool = False,
               source_map: bool | None = None) -> None:
    """Write `doc` as DOCX to `target` (a path or a binary file); problems go to `diags`.

    `source_map`: carry the map `reportgen review` reads (generator/review/sourcemap.py); None, the
    default: a draft does, a final build does not (a published file names no author's files).

    `page_numbers`: the contents carries each part's page as LibreOffice lays the DOCX out (the
    pagination pass, `pagination.py`: LibreOffice must be installed; a pass that cannot give
    right numbers warns and leaves them out)."""
    diags = diags if diags is not None else Diagnostics()
    reference = reference_for(doc, reference_doc, diags)
    if reference is None:
        return
    if source_map is None:
        source_map = doc.draft is not None
    writer = DocxWriter(reference, base_dir, diags, allow_remote, source_map=source_map)
    data = writer.document(doc)
    if page_numbers and (writer.contents_entries or writer.page_refs) and not diags.errors:
        from generator.writers.docx.pagination import paginate  # noqa: PLC0415 - only a build that asks

        data = paginate(data, writer.contents_bookmarks(), writer.with_page_numbers, diags)
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(data)
    else:
        target.write(data)
