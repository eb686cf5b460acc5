"""The one document model every writer reads.

Blocks and inlines are small frozen dataclasses. Each node type has a `kind` (its writer
function's name, e.g. ``paragraph``); every writer handles every kind (tests/test_parity.py).
Blocks carry `source`, the chapter file and line they came from, for located messages.
Everything a writer shows is computed here or before: numbers, ratings, ordering.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from generator.themes import Theme
from generator.words import Words


@dataclass(frozen=True)
class Source:
    """Where a node came from: a chapter file and line, or, for text computed from the findings
    (ratings, scores, key-question figures, recommendations, metadata), report.yaml, the line of
    the value and its `key` path ("findings.P2.1.key_questions[1]"). Messages name path:line;
    the DOCX's source map and `reportgen review` also read `key`."""

    path: str
    line: int
    key: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class Node:
    kind: ClassVar[str]


class NodeNotRendered(Exception):
    """A writer met a node kind it has no function for: an error, never silently dropped."""


# --------------------------------------------------------------------------- inlines

@dataclass(frozen=True)
class Text(Node):
    kind: ClassVar[str] = "text"
    text: str


@dataclass(frozen=True)
class Emph(Node):
    kind: ClassVar[str] = "emph"
    children: tuple


@dataclass(frozen=True)
class Strong(Node):
    kind: ClassVar[str] = "strong"
    children: tuple


@dataclass(frozen=True)
class LanguageSpan(Node):
    """Words in another language than the document's, inside a paragraph (``[Surrey PDU]{lang=en}``
    in a chapter): `lang` is a well-formed BCP 47 tag in its usual case ("cy-GB"). The HTML says it
    as `lang`, the PDF as the /Lang of a Span element, the DOCX as the runs' w:lang."""

    kind: ClassVar[str] = "language_span"
    lang: str
    children: tuple


@dataclass(frozen=True)
class Code(Node):
    kind: ClassVar[str] = "code"
    text: str


@dataclass(frozen=True)
class Link(Node):
    kind: ClassVar[str] = "link"
    href: str
    children: tuple


@dataclass(frozen=True)
class CrossRef(Node):
    """A reference to a heading, figure or table of the report (``[](#id)``): `text` is what it
    says ("Figure 3", "Table 2", a heading's title), computed in assemble; `page_label` is the
    words the PDF and DOCX put before its page number ("on page", from styles/blocks.yaml)."""

    kind: ClassVar[str] = "cross_ref"
    target: str
    text: str = ""
    page_label: str = ""


@dataclass(frozen=True)
class Abbr(Node):
    """An abbreviation of the report's glossary, at its first use: `title` is its expansion."""

    kind: ClassVar[str] = "abbr"
    text: str
    title: str


@dataclass(frozen=True)
class LineBreak(Node):
    kind: ClassVar[str] = "line_break"


@dataclass(frozen=True)
class FootnoteRef(Node):
    """A footnote, at the place of its call. `number` is its place in the whole report."""

    kind: ClassVar[str] = "footnote_ref"
    number: int
    id: str
    children: tuple  # the note's inline content
    label: str = ""  # the author's label in the chapter ("kq-assessment" of [^kq-assessment]), for the source map
    lang: str = ""  # called inside a LanguageSpan: the document's language, which the note's text is in


# --------------------------------------------------------------------------- blocks

@dataclass(frozen=True)
class Heading(Node):
    kind: ClassVar[str] = "heading"
    level: int
    children: tuple
    id: str
    source: Source | None = None
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paragraph(Node):
    kind: ClassVar[str] = "paragraph"
    children: tuple
    source: Source | None = None
    classes: tuple[str, ...] = ()  # e.g. ("statement",) for a standard's statement


@dataclass(frozen=True)
class BulletList(Node):
    kind: ClassVar[str] = "bullet_list"
    items: tuple  # of tuples of blocks
    source: Source | None = None


@dataclass(frozen=True)
class OrderedList(Node):
    kind: ClassVar[str] = "ordered_list"
    items: tuple  # of tuples of blocks
    start: int = 1
    source: Source | None = None

    @property
    def counter_reset(self) -> int:
        """The list-item counter before the first item (CSS `counter-reset: list-item N`): the PDF's
        WeasyPrint numbers by it and does not read `<ol start>`."""
        return self.start - 1


@dataclass(frozen=True)
class BlockQuote(Node):
    kind: ClassVar[str] = "block_quote"
    children: tuple
    source: Source | None = None


@dataclass(frozen=True)
class Numbered:
    """What a captioned figure or table has (computed in assemble): its id, its number through the
    report and its label, e.g. "Figure 3" (the caption is the node's own)."""

    id: str = ""
    number: int = 0
    label: str = ""  # "Figure 3", "Table 2": said before the caption, and by a reference to it


@dataclass(frozen=True)
class Table(Node):
    """A data table from Markdown: one header row, then body rows; cells are inline tuples.
    `align` is each column's alignment ("", "left", "center" or "right"); a table of at most
    `SMALL_TABLE_ROWS` rows is never split across pages."""

    kind: ClassVar[str] = "table"
    header: tuple
    rows: tuple
    source: Source | None = None
    align: tuple[str, ...] = ()
    caption: tuple = ()
    numbered: Numbered = Numbered()

    @property
    def small(self) -> bool:
        """Small enough to keep on one page (never split); a longer table repeats its header."""
        return len(self.rows) <= SMALL_TABLE_ROWS


SMALL_TABLE_ROWS = 12


@dataclass(frozen=True)
class Image(Node):
    """A figure. `width` is the author's (e.g. "50%", of the text width; "" is the image's own size,
    at most the text width); `decorative` (alt="" on purpose, ``{: .decorative}``) makes it an
    artifact, with no caption."""

    kind: ClassVar[str] = "image"
    src: str  # path relative to the report folder
    alt: str
    caption: tuple = ()
    source: Source | None = None
    width: str = ""
    decorative: bool = False
    numbered: Numbered = Numbered()


@dataclass(frozen=True)
class Chart(Node):
    """A chart drawn from the report's data (stages/charts.py): the same drawing as SVG (HTML, PDF)
    and PNG (DOCX), again as SVG for a narrow screen, its text alternative, and its data: a table for
    screen readers, or (when a numbered table of the report holds the same numbers) a paragraph
    referring to that table. `data_in` names that table before assemble resolves it: a table's id,
    or "key-questions <standard id>"; `data_in_source` is where report.yaml names it."""

    kind: ClassVar[str] = "chart"
    svg: str
    png: bytes
    width_px: int
    height_px: int
    alt: str
    caption: tuple
    data: "Table | Paragraph"
    source: Source | None = None
    numbered: Numbered = Numbered()
    narrow_svg: str = ""
    narrow_width_px: int = 0
    narrow_height_px: int = 0
    data_in: str = ""
    data_in_source: Source | None = None


@dataclass(frozen=True)
class Callout(Node):
    """A boxed practice example (``::: example "Title"`` ... ``:::``): a heading at `level`, then blocks."""

    kind: ClassVar[str] = "callout"
    title: str
    level: int
    id: str
    children: tuple
    classes: tuple[str, ...] = ("example",)
    source: Source | None = None


@dataclass(frozen=True)
class Glossary(Node):
    """The report's abbreviations and their meanings (report.yaml `glossary:`), in order."""

    kind: ClassVar[str] = "glossary"
    entries: tuple[tuple[str, str], ...]
    source: Source | None = None


@dataclass(frozen=True)
class Imprint(Node):
    """The publication's imprint (`::: imprint`): its copyright line, licence, download address,
    ISBN and publisher, as paragraphs (`children`) made in assemble from report.yaml's metadata
    and the framework's `publication.imprint` text, each paragraph with its own source."""

    kind: ClassVar[str] = "imprint"
    children: tuple
    source: Source | None = None


@dataclass(frozen=True)
class Rating(Node):
    """A rating as a labelled badge: the word always, the colour only as support."""

    kind: ClassVar[str] = "rating"
    label: str
    scale_id: str
    colour: str
    text_colour: str
    caption: str = ""  # e.g. "Rating" or "Overall rating", said before the word
    source: Source | None = None  # report.yaml: the finding it is computed from


@dataclass(frozen=True)
class KeyQuestionRow:
    question: str
    value: str  # formatted, e.g. "32%"
    lowest: bool
    source: Source | None = None  # report.yaml: the figure's key


@dataclass(frozen=True)
class KeyQuestionTable(Node):
    kind: ClassVar[str] = "key_question_table"
    caption: str
    question_header: str
    value_header: str
    lowest_note: str
    rows: tuple[KeyQuestionRow, ...]
    source: Source | None = None
    numbered: Numbered = Numbered()
    standard: str = ""  # the id of the standard whose key questions these are ("P2.1")


@dataclass(frozen=True)
class PreviousRecommendationRow:
    """A recommendation of the last inspection: `recommendation` (inlines: its reference, its
    addressee's lead, its text), its status (the word; `badge` when the scale has colours) and the
    evidence. `sources`: report.yaml's keys of the recommendation, its status and its evidence."""

    recommendation: tuple
    status: str
    evidence: str
    badge: Rating | None = None
    sources: tuple = ()


@dataclass(frozen=True)
class PreviousRecommendations(Node):
    """What became of the last inspection's recommendations (`::: previous-recommendations`): the
    summary count ("Of 8 recommendations: 3 achieved, ..."), then a table of each, its status and
    the evidence; every word of the headers, statuses and count is the framework's (`follow_up`)."""

    kind: ClassVar[str] = "previous_recommendations"
    summary: str
    caption: str
    recommendation_header: str
    status_header: str
    evidence_header: str
    rows: tuple[PreviousRecommendationRow, ...]
    source: Source | None = None
    numbered: Numbered = Numbered()
    summary_source: Source | None = None  # report.yaml: the list the count is computed from

    @property
    def small(self) -> bool:
        return len(self.rows) <= SMALL_TABLE_ROWS


@dataclass(frozen=True)
class RatingsRow:
    standard: str  # "P 1.1 Leadership"
    rating: Rating | None
    not_rated_label: str = ""
    source: Source | None = None  # report.yaml: the standard's finding


@dataclass(frozen=True)
class RatingsGroup:
    title: str
    rows: tuple[RatingsRow, ...]
    rating: Rating | None = None  # the domain's own rating (computed from its standards' points)
    not_rated_label: str = ""  # said instead where the domain is rated from points but none counts


@dataclass(frozen=True)
class ScaleKeyRow:
    rating: Rating  # the rating's word and colours, as the scorecard shows them
    points: str  # what a standard so rated adds to the score ("3"); "" without a score
    scores: str  # the scores that give this overall rating ("31–36"); "" where no band gives it
    description: str = ""  # what the rating means (the framework's scale point `description`)


@dataclass(frozen=True)
class ScaleKey:
    """The key to the scorecard: each rating of the framework's scale, best first, with its points
    and the band of scores that gives it overall, and what the score counts (all computed in assemble
    from the framework; the words are its labels)."""

    caption: str  # "Key to the ratings"
    headers: tuple[str, ...]  # one per column: the rating, and (with a score) points and score band
    rows: tuple[ScaleKeyRow, ...]
    note: str = ""  # "The score adds up the points of the 7 scored standards, out of 21."
    columns: tuple[str, ...] = ()  # what each column after the rating's holds: of ScaleKeyRow's points,
    # scores, description, in that order (one per header after the first)
    widths: tuple[float, ...] = ()  # each column's share of the width where the key has a column of
    # descriptions (they take what the others leave); () the writers' own, as before


@dataclass(frozen=True)
class RatingsSummary(Node):
    """The ratings page: unit, fieldwork date, score, overall rating, each standard's rating."""

    kind: ClassVar[str] = "ratings_summary"
    unit: str
    facts: tuple[tuple[str, str], ...]  # (label, value), e.g. ("Score", "3/21")
    overall: Rating | None
    standard_header: str
    rating_header: str
    groups: tuple[RatingsGroup, ...]
    source: Source | None = None
    fact_kinds: tuple[str, ...] = ()  # what each of `facts` is ("fieldwork", "score"), for the design
    fact_sources: tuple = ()  # report.yaml: where each of `facts` comes from (Source or None)
    framework_source: Source | None = None  # the marker, keyed as the framework's: the groups' titles, headers, names
    key: ScaleKey | None = None  # the key to the scale and the score
    continued: str = ""  # said at the head of a page the scorecard runs on to ("Ratings (continued)")

    @property
    def kinded_facts(self) -> tuple[tuple[str, str, str], ...]:
        """(kind, label, value) of each fact; "fact" where assemble gave no kind."""
        kinds = self.fact_kinds or ("fact",) * len(self.facts)
        return tuple((kind, label, value) for kind, (label, value) in zip(kinds, self.facts))


@dataclass(frozen=True)
class ContentsEntry:
    title: str
    target: str  # the part's id


@dataclass(frozen=True)
class Contents(Node):
    kind: ClassVar[str] = "contents"
    entries: tuple[ContentsEntry, ...]
    source: Source | None = None


# --------------------------------------------------------------------------- document

@dataclass(frozen=True)
class Part:
    """One top-level part: its title is the part's only level-1 heading."""

    id: str
    title: str
    blocks: tuple
    footnotes: tuple[FootnoteRef, ...] = ()  # in order: the notes the part calls (writers place each at its call)
    in_contents: bool = True


@dataclass(frozen=True)
class Cover:
    inspectorate: str
    lead: str  # "An inspection of probation services in:"
    unit: str
    region: str
    imprint: str  # "HM Inspectorate of Probation, March 2024"
    logo: Image | None = None  # metadata.logo: the publisher's logo, with its alt text


@dataclass(frozen=True)
class DocumentInfo:
    title: str
    short_title: str
    language: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    date: str  # ISO date of publication, used for every date in the outputs


@dataclass(frozen=True)
class DocxReference:
    """A house template whose styles the DOCX takes (report.yaml `docx_reference:`)."""

    path: str  # the .docx, inside the report folder
    declared_at: Source  # report.yaml and the line naming it, for messages


@dataclass(frozen=True)
class Draft:
    """A draft build's marks (`build --draft` or report.yaml `status: draft`): the PDF's watermark
    and the HTML's banner say `label`; the DOCX's header and every cover say `label` and `version`."""

    label: str  # the framework's labels.draft, e.g. "DRAFT"
    version: str  # "Version 0.3", or "Version 1a2b3c4 (2026-11-27)" from git

    @property
    def mark(self) -> str:
        """What the HTML's banner, the DOCX's header line and the covers say: "DRAFT · Version 0.3"
        (the label alone when there is no version)."""
        return " · ".join(filter(None, (self.label, self.version)))


@dataclass(frozen=True)
class Document:
    info: DocumentInfo
    cover: Cover
    parts: tuple[Part, ...]
    docx_reference: DocxReference | None = None
    draft: Draft | None = None  # None: a final build, with no draft mark anywhere
    theme: Theme | None = None  # None: the default theme (generator/themes.py)
    words: Words | None = None  # the furniture words of its language (generator/words.py `words_of`)

    @property
    def title(self) -> str:
        """The title a viewer shows (the HTML's <title>, so the PDF's, and the DOCX's core title):
        the report's, after a draft's mark ("DRAFT · Version 0.3 – An inspection of ...")."""
        return f"{self.draft.mark} – {self.info.title}" if self.draft else self.info.title


BLOCK_TYPES: tuple[type[Node], ...] = (Heading, Paragraph, BulletList, OrderedList, BlockQuote, Table,
                                       Image, Chart, Callout, Glossary, Imprint, Rating, KeyQuestionTable,
                                       RatingsSummary, Contents, PreviousRecommendations)
INLINE_TYPES: tuple[type[Node], ...] = (Text, Emph, Strong, Code, Link, CrossRef, Abbr, LineBreak, FootnoteRef,
                                        LanguageSpan)
NODE_TYPES = BLOCK_TYPES + INLINE_TYPES


def walk(blocks) -> "list[Node]":
    """Every node under `blocks`, depth first, in reading order."""
    out = []

    def visit(node):
        out.append(node)
        for child in _children(node):
            visit(child)

    for block in blocks:
        visit(block)
    return out


def _children(node) -> list:
    if isinstance(node, (BulletList, OrderedList)):
        return [b for item in node.items for b in item]
    if isinstance(node, (Image, Chart)):
        return list(node.caption) + ([node.data] if isinstance(node, Chart) else [])
    if isinstance(node, Table):
        return [i for row in (node.header, *node.rows) for cell in row for i in cell] + list(node.caption)
    if isinstance(node, PreviousRecommendations):
        return [i for row in node.rows for i in row.recommendation]
    return list(getattr(node, "children", ()))


def rewrite(nodes: tuple, fn) -> tuple:
    """`nodes` with every node replaced by `fn(node)`, children first (the model is frozen: changed
    nodes are copies). Walks the fields that hold nodes: tuples of nodes, of tuples of them, and nodes."""
    def value(v):
        if isinstance(v, Node):
            return node(v)
        if isinstance(v, tuple):
            return tuple(value(x) for x in v)
        return v

    def node(n):
        changes = {f.name: value(getattr(n, f.name)) for f in dataclasses.fields(n)
                   if isinstance(getattr(n, f.name), (Node, tuple))}
        return fn(dataclasses.replace(n, **changes) if changes else n)

    return tuple(value(n) for n in nodes)
