"""Stage 6, assemble: the whole `Document`, in the order report.yaml gives.

Chapters are parsed in part order (so footnotes are numbered through the report), then each
block marker is replaced by content generated from the resolved findings. The markers are a
registry of named generators, one function each.
"""

from __future__ import annotations

import base64
import dataclasses
import re
import shlex
from dataclasses import dataclass, field, replace

from generator.diagnostics import Diagnostics, did_you_mean
from generator.provenance import folder_version
from generator.inputs import InputError, read_input, reads_so_far
from generator.stages.merge import PLACEHOLDER, MergedChapter
from generator.model import (Abbr, Callout, Chart, Contents, ContentsEntry, Cover, CrossRef, Document, DocumentInfo,
                             DocxReference, Draft, FootnoteRef, Glossary, Heading, Image, Imprint, KeyQuestionRow,
                             KeyQuestionTable, LineBreak, Link, Numbered, OrderedList, Paragraph, Part,
                             PreviousRecommendationRow, PreviousRecommendations, Rating, RatingsGroup, RatingsRow,
                             RatingsSummary, ScaleKey, ScaleKeyRow, Source, Strong, Table, Text, rewrite, walk)
from generator.resources import blocks_data
from generator.themes import theme_or_default
from generator.stages.parse import Marker, ParseState, parse_chapter
from generator.stages.parse.authoring import blocks_said, check_detail, check_title, is_detail_placeholder
from generator.stages.parse.prose import ProseRatings
from generator.stages.resolve import Resolved, ResolvedStandard, band_for
from generator.stages.typography import typeset
from generator.stages.validate.characters import CONTROL_RE, describe_character
from generator.stages.validate.cross_checks import details_values
from generator.stages.validate.framework_schema import ScaleItem
from generator.stages.validate.locate import line_of
from generator.words import Words, stand_in, words_for


def rating_node(item: ScaleItem, caption: str = "", source: Source | None = None) -> Rating:
    return Rating(item.label, item.id, item.colour, item.text_colour, caption, source)


def key_path(loc: tuple) -> str:
    """A report.yaml key path as the review listing names it: ("findings", "P2.1", "key_questions", 1)
    -> "findings.P2.1.key_questions[1]"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def yaml_source(resolved: Resolved, loc: tuple) -> Source:
    """The source of text computed from report.yaml's value at `loc`: the file, the value's line
    (or its nearest parent's) and the key path."""
    report = resolved.validated.sources.report
    line, _ = line_of(report, loc)
    return Source(str(report.path), line, key_path(loc))


def finding_loc(rs: ResolvedStandard) -> tuple:
    """Where report.yaml gives what `rs`'s rating comes from: its stated rating, else its key questions."""
    return ("findings", rs.id, "key_questions" if rs.key_questions else "rating")




def format_percentage(value: float) -> str:
    return f"{value:g}%"


@dataclass
class PartContext:
    """What a marker's generator may read: the report, and where in it we are."""

    resolved: Resolved
    contents: tuple[ContentsEntry, ...]
    state: ParseState
    domain: str | None = None
    standard: ResolvedStandard | None = None
    placed: dict[str, Source] = field(default_factory=dict)
    part_title: str = ""  # the title of the part being assembled
    words: Words | None = None  # the furniture words of the document's language (generator/words.py)
    tables: set[str] = field(default_factory=set)
    printed: set[str] = field(default_factory=set)  # what the markers printed: "imprint", "chart caseload", ...

    @property
    def diags(self) -> Diagnostics:
        return self.state.diags


# --------------------------------------------------------------------------- marker generators

def marker_contents(marker: Marker, ctx: PartContext) -> list:
    return [Contents(ctx.contents, marker.source)]


def framework_label(fw, name: str, words: Words) -> str:
    """A label the framework may give (`labels.<name>`): its own when its file gives it, else the
    furniture words of the document's language (styles/words.yaml)."""
    return getattr(fw.labels, name) if name in fw.labels.model_fields_set else words[name]


def no_rating_label(fw, rs) -> str:
    """The words shown where a standard's rating would be when it has none: the framework's
    `labels.not_applicable` for a standard that does not apply, else its `labels.not_rated`."""
    return (fw.labels.not_applicable if rs.not_applicable else fw.labels.not_rated) or ""


def marker_ratings(marker: Marker, ctx: PartContext) -> list:
    resolved, fw = ctx.resolved, ctx.resolved.framework
    if not fw.rated:
        ctx.diags.error("ratings-unrated", f"'::: ratings': {fw.id} rates nothing (it has no scale), so there is "
                        "no ratings page: remove the marker", marker.source.path, marker.source.line)
        return []
    meta = resolved.validated.report.metadata
    groups = []
    for domain in fw.domains:
        rows = tuple(RatingsRow(fw.standard_caption(s),
                                rating_node(resolved.standards[s.id].rating)
                                if resolved.standards[s.id].rating else None,
                                no_rating_label(fw, resolved.standards[s.id]),
                                yaml_source(resolved, finding_loc(resolved.standards[s.id])))
                     for s in domain.standards)
        rated = resolved.domain_ratings.get(domain.id)
        groups.append(RatingsGroup(fw.domain_caption(domain), rows,
                                   rating_node(rated, fw.labels.rating, yaml_source(resolved, ("findings",)))
                                   if rated else None,
                                   fw.labels.not_rated or "" if domain.id in resolved.domain_ratings else ""))
    facts, kinds, sources = [], [], []
    if meta.fieldwork_start is not None:
        facts.append((fw.labels.fieldwork_started, ctx.words.long_date(meta.fieldwork_start)))
        kinds.append("fieldwork")
        sources.append(yaml_source(resolved, ("metadata", "fieldwork_start")))
    if resolved.score is not None:
        facts.append((fw.labels.score, f"{resolved.score}/{resolved.max_score}"))
        kinds.append("score")
        sources.append(yaml_source(resolved, ("findings",)))
    continued = framework_label(fw, "continued", ctx.words)
    overall = (rating_node(resolved.overall, fw.labels.overall_rating, yaml_source(resolved, ("findings",)))
               if resolved.overall else None)
    ctx.printed.add("ratings")
    return [RatingsSummary(meta.unit or "", tuple(facts), overall, fw.labels.standard, fw.labels.rating,
                           tuple(groups), yaml_source(resolved, ("metadata", "unit")), tuple(kinds), tuple(sources),
                           replace(marker.source, key=f"framework {fw.id}: ratings"), scale_key(resolved, ctx.words),
                           f"{ctx.part_title} ({continued})" if ctx.part_title else continued)]


def score_bands(resolved: Resolved) -> dict[str, list[tuple[int, int]]]:
    """The whole scores (0 to the report's maximum) that give each overall rating under `overall:
    bands`, by scale id, as (lowest, highest) runs; {} when the framework has no score bands."""
    fw = resolved.framework
    if resolved.max_score is None or fw.overall != "bands" or not fw.overall_bands:
        return {}
    runs: dict[str, list[tuple[int, int]]] = {}
    for score in range(resolved.max_score + 1):
        rating = band_for(score, fw.overall_bands).rating
        ranges = runs.setdefault(rating, [])
        if ranges and ranges[-1][1] == score - 1:
            ranges[-1] = (ranges[-1][0], score)
        else:
            ranges.append((score, score))
    return runs


# a key with a column of descriptions: each column's share of the width, the descriptions taking what
# the rating, its points and its scores leave (the DOCX's table and the HTML's and PDF's colgroup)
KEY_WIDTHS = {2: (0.3, 0.7), 3: (0.25, 0.13, 0.62), 4: (0.22, 0.12, 0.18, 0.48)}


def scale_key(resolved: Resolved, words: Words) -> ScaleKey:
    """The scorecard's key: every rating of the scale, its points and (with score bands) the scores
    that give it overall, and what the score counts: "3/21" read as 7 scored standards of at most 3 points."""
    fw = resolved.framework
    labels = fw.labels
    scored = resolved.max_score is not None
    points = scored or fw.presentation.key_points  # shown though not scored, where the framework says
    bands = score_bands(resolved)
    headers, columns = [labels.rating or ""], []
    if points:
        headers.append(framework_label(fw, "key_points", words))
        columns.append("points")
    if bands:
        headers.append(framework_label(fw, "key_scores", words))
        columns.append("scores")
    if any(item.description for item in fw.scale):
        headers.append(framework_label(fw, "key_description", words))
        columns.append("description")
    rows = tuple(ScaleKeyRow(rating_node(item), str(item.points) if points else "",
                             ", ".join(f"{lo}" if lo == hi else f"{lo}–{hi}" for lo, hi in bands.get(item.id, ())),
                             typeset(item.description or ""))  # prose: curly quotes (the key is not typeset whole)
                 for item in fw.scale)
    note = ""
    if scored:
        count = sum(1 for s in resolved.standards.values() if s.rating is not None and s.standard.scored)
        if "key_note" in labels.model_fields_set:
            note = labels.key_note.replace("{count}", str(count)).replace("{max}", str(resolved.max_score))
        else:
            note = words.fill("key_note", count=count, max=resolved.max_score)
    widths = KEY_WIDTHS[len(headers)] if "description" in columns else ()
    return ScaleKey(framework_label(fw, "scale_key", words), tuple(headers), rows, note, tuple(columns), widths)


def marker_recommendations(marker: Marker, ctx: PartContext) -> list:
    """Each addressee's lead ("The YJS manager should:") and its recommendations, numbered through the
    report (1, 2 under the first addressee, 3, 4 under the next): "recommendation 3" names one."""
    fw = ctx.resolved.framework
    ctx.printed.add("recommendations")
    blocks = []
    number = 1
    for g, group in enumerate(ctx.resolved.validated.report.recommendations):
        blocks.append(Paragraph((Text(fw.recommendations_lead.format(addressee=group.addressee)),),
                                yaml_source(ctx.resolved, ("recommendations", g, "addressee")), ("lead",)))
        items = tuple((Paragraph((Text(item),), yaml_source(ctx.resolved, ("recommendations", g, "items", i))),)
                      for i, item in enumerate(group.items))
        blocks.append(OrderedList(items, number, yaml_source(ctx.resolved, ("recommendations", g))))
        number += len(items)
    return blocks


def marker_standard(marker: Marker, ctx: PartContext) -> list:
    rs = ctx.resolved.standards.get(marker.args.strip())
    if rs is None:  # suggest an unplaced standard of this part's domain first
        standards = ctx.resolved.standards
        here = [sid for sid, s in standards.items() if s.domain.id == ctx.domain and sid not in ctx.placed]
        ctx.diags.error("standard-unknown", f"'{marker.args}' is not a standard of {ctx.resolved.framework.id}"
                        + (did_you_mean(marker.args, here) or did_you_mean(marker.args, standards)),
                        marker.source.path, marker.source.line)
        return []
    if rs.id in ctx.placed:
        first = ctx.placed[rs.id]
        ctx.diags.error("standard-duplicate", f"standard {rs.id} is already placed at "
                        f"{ctx.diags.show(first.path)}:{first.line}",
                        marker.source.path, marker.source.line)
    ctx.placed[rs.id] = marker.source
    ctx.standard = rs
    fw = ctx.resolved.framework
    # the title and statement are the framework's: located at the marker, named as computed
    framework = replace(marker.source, key=f"framework {fw.id}: standard {rs.id}")
    heading = fw.standard_caption(rs.standard)
    blocks = [Heading(2, (Text(heading),), ctx.state.unique_id(heading),
                      framework, ("standard",)),
              Paragraph((Text(rs.standard.statement),), framework, ("statement",))]
    if rs.rating:
        blocks.append(rating_node(rs.rating, fw.labels.rating, yaml_source(ctx.resolved, finding_loc(rs))))
    elif fw.rated and no_rating_label(fw, rs):
        blocks.append(Paragraph((Strong((Text(f"{fw.labels.rating}:"),)), Text(" "), Text(no_rating_label(fw, rs))),
                                marker.source, ("not-applicable" if rs.not_applicable else "not-rated",)))
    return blocks


def marker_key_questions(marker: Marker, ctx: PartContext) -> list:
    rs = ctx.standard
    if rs is not None and not rs.key_questions and rs.standard.rated_by == "key_questions":
        said = "not_applicable" if rs.not_applicable else "not_rated"
        ctx.diags.error("key-questions-misplaced", f"'::: key-questions': {rs.id} is marked {said}, so it has no "
                        "key-question figures to print: remove the marker", marker.source.path, marker.source.line)
        return []
    if rs is None or not rs.key_questions:
        ctx.diags.error("key-questions-misplaced", "'::: key-questions' must follow a '::: standard' "
                        "marker of a standard rated by key questions", marker.source.path, marker.source.line)
        return []
    ctx.tables.add(rs.id)
    labels = ctx.resolved.framework.key_question_table
    rows = tuple(KeyQuestionRow(kq.question, format_percentage(kq.value), kq.lowest,
                                yaml_source(ctx.resolved, ("findings", rs.id, "key_questions", i)))
                 for i, kq in enumerate(rs.key_questions))
    # the caption, headers and questions are the framework's (each figure has its own source)
    framework = replace(marker.source, key=f"framework {ctx.resolved.framework.id}: standard {rs.id}")
    return [KeyQuestionTable(key_questions_caption(rs, ctx), labels.question_header, labels.value_header,
                             labels.lowest_note, rows, framework, standard=rs.id)]


def key_questions_caption(rs: ResolvedStandard, ctx: PartContext) -> str:
    """The framework's `key_question_table.caption` for `rs` ("P 2.1 Assessment: key questions"), or ""."""
    template = ctx.resolved.framework.key_question_table.caption
    return template.replace("{code}", rs.standard.code or "").replace("{title}", rs.standard.title) if template else ""


def marker_chart(marker: Marker, ctx: PartContext) -> list:
    """`::: chart key-questions P2.1`, `::: chart ratings` or `::: chart NAME` (report.yaml `charts:`),
    each optionally followed by a caption in double quotes."""
    from generator.stages import charts  # noqa: PLC0415 - matplotlib only for reports with a chart

    def fail(message: str) -> list:
        ctx.diags.error("chart-invalid", message, marker.source.path, marker.source.line)
        return []

    anchor_match = re.search(r"\s*\{#([A-Za-z][\w-]*)\}\s*$", marker.args)
    anchor = anchor_match[1] if anchor_match else ""
    if anchor and not ctx.state.claim_id(anchor):
        return fail(f"the anchor '#{anchor}' is used twice; anchors must be unique in the report")
    try:
        args = shlex.split(marker.args[:anchor_match.start()] if anchor_match else marker.args)
    except ValueError:
        return fail(f"'::: chart {marker.args}': a caption goes in double quotes, \"like this\"")
    fw, spec = ctx.resolved.framework, ctx.resolved.validated.report
    kinds = ["key-questions", "ratings", *spec.charts]
    if not args:
        return fail("'::: chart' needs what to draw: " + ", ".join(kinds))
    what, rest = args[0], args[1:]
    caption = rest[-1] if rest and (len(rest) > 1 or what != "key-questions") else ""
    style = blocks_data()["chart"]
    if what == "key-questions":
        rs = ctx.resolved.standards.get(rest[0] if rest else "")
        if rs is None or not rs.key_questions:
            rated = [s for s, r in ctx.resolved.standards.items() if r.key_questions]
            return fail(f"'::: chart key-questions' needs a standard rated by key questions, e.g. "
                        f"'::: chart key-questions {rated[0] if rated else 'P2.1'}'"
                        + did_you_mean(rest[0] if rest else "", rated))
        labels = fw.key_question_table
        colours = tuple(fw.rating_by_id(band_for(kq.value, fw.key_question_bands).rating).colour
                        for kq in rs.key_questions)
        bars = charts.Bars(tuple(kq.question for kq in rs.key_questions),
                           ((labels.value_header, tuple(kq.value for kq in rs.key_questions)),), (colours,),
                           "%", 100, labels.value_header,
                           tuple(labels.lowest_note if kq.lowest else "" for kq in rs.key_questions),
                           labels.question_header, _band_key(fw, "%", ctx.words))
        caption = caption or key_questions_caption(rs, ctx)
        data_in, data_in_source = f"key-questions {rs.id}", None
    elif what == "ratings":
        if not fw.rated:
            return fail(f"'::: chart ratings': {fw.id} rates nothing")
        rated = [r for r in ctx.resolved.standards.values() if r.rating is not None]
        points = fw.labels.points or fw.labels.rating or ""
        bars = charts.Bars(tuple(fw.standard_caption(r.standard) for r in rated),
                           ((points, tuple(float(r.points) for r in rated)),), (tuple(r.rating.colour for r in rated),),
                           "", float(max(item.points for item in fw.standards_ratings)), points,
                           tuple(r.rating.label for r in rated), fw.labels.standard or "",
                           tuple((item.colour, item.label) for item in fw.standards_ratings),  # the key: every scale
                           tuple(sorted({float(item.points) for item in fw.standards_ratings}, reverse=True)))
        caption = caption or fw.labels.ratings_chart or ""
        data_in, data_in_source = "", None
    elif what in spec.charts:
        ctx.printed.add(f"chart {what}")
        data = spec.charts[what]
        series = tuple((name, tuple(values)) for name, values in data.series.items())
        colours = tuple((style["series"][i % len(style["series"])],) * len(data.categories) for i in range(len(series)))
        bars = charts.Bars(tuple(data.categories), series, colours, data.unit, None, data.axis)
        caption = caption or data.title
        data_in = data.table or ""
        data_in_source = yaml_source(ctx.resolved, ("charts", what, "table")) if data.table else None
    else:
        return fail(f"'::: chart {what}': there is no such chart; draw one of: {', '.join(kinds)}"
                    + did_you_mean(what, kinds))
    if not caption:
        return fail(f"'::: chart {marker.args}' needs a caption: add it in double quotes after the marker")
    if charts.too_many(bars):
        return fail(f"'::: chart {what}': {charts.too_many(bars)}")
    bars, caption = typeset(bars), typeset(caption)  # drawn as printed: curly quotes (stages/typography.py)
    drawn = charts.chart(bars, caption, marker.source, theme_or_default(ctx.resolved.validated.theme).body_font(),
                         data_in, data_in_source, ctx.words)
    return [replace(drawn, numbered=Numbered(anchor))] if anchor else [drawn]


def _band_key(fw, unit: str, words: Words) -> tuple[tuple[str, str], ...]:
    """The key of a key-question chart: each band's colour, and its rating and range
    ("Good: 65% to 79%"), in the document's words (styles/words.yaml)."""
    from generator.stages.charts import number  # noqa: PLC0415 - with marker_chart's import

    step = 10.0 ** -fw.rounding.places
    bands = sorted(fw.key_question_bands, key=lambda b: -b.lower)
    key = []
    for index, band in enumerate(bands):
        rating = fw.rating_by_id(band.rating)
        low = number(band.lower) + unit
        if index == 0:
            key.append((rating.colour, words.fill("key_band_top", rating=rating.label, low=low)))
        else:
            high = number(round(bands[index - 1].lower - step, fw.rounding.places)) + unit
            key.append((rating.colour, words.fill("key_band", rating=rating.label, low=low, high=high)))
    return tuple(key)


def marker_glossary(marker: Marker, ctx: PartContext) -> list:
    glossary = ctx.resolved.validated.report.glossary
    if not glossary:
        ctx.diags.error("glossary-empty", "'::: glossary' but report.yaml has no glossary: add "
                        "'glossary: {ABBR: what it stands for, ...}'", marker.source.path, marker.source.line)
        return []
    ctx.printed.add("glossary")
    return [Glossary(tuple(sorted(glossary.items(), key=lambda kv: kv[0].casefold())), marker.source)]


def detail_text(fw, field, value, words: Words) -> str:
    """A detail's value as printed: a date in words, a rating by its label, a number or text as given."""
    return words.long_date(value) if field.type == "date" and not is_detail_placeholder(value) else str(value)


def marker_details(marker: Marker, ctx: PartContext) -> list:
    """`::: details`: the framework's own facts about the inspection (report.yaml `details:`), a
    two-column table of label and value, in the framework's order."""
    fw, spec = ctx.resolved.framework, ctx.resolved.validated.report
    if fw.details is None or not spec.details:
        ctx.diags.error("details-empty", f"'::: details' but {'report.yaml gives no details' if fw.details else f'{fw.id} declares no details (details.fields)'}: "
                        "give them, or remove the marker", marker.source.path, marker.source.line)
        return []
    ctx.printed.add("details")
    values = details_values(fw, spec.details, ctx.words)
    rows = tuple(((Text(fw.details.fields[name].label),),
                  (Text(detail_text(fw, fw.details.fields[name], value, ctx.words)),))
                 for name, value in values.items())
    # its values are report.yaml's: a reviewer's change to one is sent there, not to the chapter
    return [Table(tuple((Text(word),) for word in fw.details.header), rows, yaml_source(ctx.resolved, ("details",)),
                  caption=(Text(fw.details.caption),))]


def _framework_text(text: str, **values) -> str:
    """A text of the framework with its `{name}` fields filled in ('{{' a brace); validate allowed
    only the names given here."""
    return text.format(**values)


def marker_imprint(marker: Marker, ctx: PartContext) -> list:
    """The imprint: copyright, licence, download address, ISBN and publisher, each a paragraph, from
    report.yaml's metadata and the framework's `publication.imprint` text."""
    fw, meta = ctx.resolved.framework, ctx.resolved.validated.report.metadata
    text = fw.publication.imprint
    if text is None:
        ctx.diags.error("imprint-undefined", f"'::: imprint': {fw.id} gives no imprint text (publication.imprint: "
                        "its copyright line and licence): add it to the framework, or remove the marker",
                        marker.source.path, marker.source.line)
        return []
    ctx.printed.add("imprint")
    here = replace(marker.source, key=f"framework {fw.id}: publication.imprint")

    def yaml(*loc) -> Source:
        return yaml_source(ctx.resolved, ("metadata", *loc))

    copyright_line = _framework_text(text.copyright, year=meta.copyright_year, publisher=meta.publisher.name)
    blocks = [Paragraph((Text(copyright_line),), yaml("copyright_year"), ("copyright",)),
              Paragraph(_linked(_framework_text(text.licence), text.licence_links), here, ("licence",))]
    if text.download and meta.publisher.website:
        ctx.printed.add("imprint website")
        shown = re.sub(r"^https?://", "", meta.publisher.website).rstrip("/")
        blocks.append(Paragraph((Text(f"{_framework_text(text.download)} "),
                                 Link(meta.publisher.website, (Text(shown),))), yaml("publisher", "website")))
    if meta.isbn:  # required where the framework says (required_metadata)
        blocks.append(Paragraph((Text(f"{_framework_text(text.isbn)} {meta.isbn}"),), yaml("isbn"), ("isbn",)))
    blocks.append(Paragraph((Text(_framework_text(text.published_by)),), here, ("keep",)))
    lines: list = [Text(meta.publisher.name)]
    for line in meta.publisher.address:
        lines += [LineBreak(), Text(line)]
    blocks.append(Paragraph(tuple(lines), yaml("publisher"), ("publisher",)))
    return [Imprint(tuple(blocks), here)]


def _linked(text: str, links: dict[str, str]) -> tuple:
    """`text` as inlines, each piece of it that `links` names a link to its address (longest first)."""
    if not links:
        return (Text(text),)
    pattern = re.compile("|".join(re.escape(k) for k in sorted(links, key=len, reverse=True)))
    out, pos = [], 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            out.append(Text(text[pos:match.start()]))
        out.append(Link(links[match[0]], (Text(match[0]),)))
        pos = match.end()
    if pos < len(text):
        out.append(Text(text[pos:]))
    return tuple(out)


def marker_acknowledgements(marker: Marker, ctx: PartContext) -> list:
    """The framework's acknowledgement of the lead inspector (`publication.acknowledgements`)."""
    fw, meta = ctx.resolved.framework, ctx.resolved.validated.report.metadata
    if not fw.publication.acknowledgements or not meta.lead_inspector:
        missing = ("report.yaml names no lead inspector (metadata.lead_inspector)" if fw.publication.acknowledgements
                   else f"{fw.id} gives no acknowledgements text (publication.acknowledgements)")
        ctx.diags.error("acknowledgements-undefined", f"'::: acknowledgements': {missing}: give it, or remove the "
                        "marker", marker.source.path, marker.source.line)
        return []
    ctx.printed.add("acknowledgements")
    return [Paragraph((Text(_framework_text(fw.publication.acknowledgements, lead_inspector=meta.lead_inspector)),),
                      yaml_source(ctx.resolved, ("metadata", "lead_inspector")), ("acknowledgements",))]
def follow_up_summary(resolved: Resolved) -> str:
    """The count of the last inspection's recommendations by status, in the scale's order, in the
    framework's words: "Of 8 recommendations: 3 achieved, 4 partly achieved, 1 not achieved"."""
    follow_up, items = resolved.framework.follow_up, resolved.validated.report.previous_recommendations
    counts = {item.id: 0 for item in follow_up.scale}
    for item in items:
        counts[follow_up.status_by_label(item.status).id] += 1
    said = ", ".join(f"{counts[item.id]} {item.counted_as}" for item in follow_up.scale)
    template = follow_up.summary_one if len(items) == 1 and follow_up.summary_one else follow_up.summary
    return template.format(total=len(items), counts=said)  # validate: it names only these two


def marker_previous_recommendations(marker: Marker, ctx: PartContext) -> list:
    """The summary count, then a table: each recommendation (its reference and addressee first),
    its status, the evidence."""
    resolved, fw = ctx.resolved, ctx.resolved.framework
    items = resolved.validated.report.previous_recommendations
    if not items or fw.follow_up is None:
        ctx.diags.error("previous-recommendations-empty", "'::: previous-recommendations' but report.yaml lists "
                        "none: add previous_recommendations: [{text: ..., status: ..., evidence: ...}], or remove "
                        "the marker", marker.source.path, marker.source.line)
        return []
    ctx.printed.add("previous_recommendations")
    follow_up = fw.follow_up
    rows = []
    for index, item in enumerate(items):
        loc = ("previous_recommendations", index)
        said = []
        if item.reference:
            said += [Strong((Text(item.reference),)), Text(" ")]
        lead = fw.recommendations_lead.format(addressee=item.addressee) + " " if item.addressee else ""
        said.append(Text(lead + item.text))
        status = follow_up.status_by_label(item.status)
        badge = (Rating(status.label, status.id, status.colour, status.text_colour, "",
                        yaml_source(resolved, loc + ("status",))) if status.colour else None)
        rows.append(PreviousRecommendationRow(tuple(said), status.label, item.evidence or "", badge,
                                              tuple(yaml_source(resolved, loc + (key,))
                                                    for key in ("text", "status", "evidence"))))
    framework = replace(marker.source, key=f"framework {fw.id}: follow_up")  # the headers and caption
    return [PreviousRecommendations(follow_up_summary(resolved), follow_up.caption or "",
                                    follow_up.recommendation_header, follow_up.status_header,
                                    follow_up.evidence_header, tuple(rows), framework,
                                    summary_source=yaml_source(resolved, ("previous_recommendations",)))]


KEEP_BEFORE = ("key-questions", "chart")  # the paragraph just before these introduces them: never left behind

MARKERS = {
    "contents": marker_contents,
    "ratings": marker_ratings,
    "recommendations": marker_recommendations,
    "standard": marker_standard,
    "key-questions": marker_key_questions,
    "chart": marker_chart,
    "glossary": marker_glossary,
    "imprint": marker_imprint,
    "acknowledgements": marker_acknowledgements,
    "previous-recommendations": marker_previous_recommendations,
    "details": marker_details,
}


# --------------------------------------------------------------------------- assembly

def expand(blocks: tuple, ctx: PartContext) -> tuple:
    out = []
    for block in blocks:
        if not isinstance(block, Marker):
            if isinstance(block, Heading) and block.level == 2:
                ctx.standard = None  # a new section ends the standard's findings
            out.append(block)
            continue
        generator = MARKERS.get(block.name)
        if generator is None:
            ctx.diags.error("marker-unknown", f"unknown block '::: {block.name}'"
                            + (did_you_mean(block.name, MARKERS) or f"; {blocks_said(MARKERS)}"),
                            block.source.path, block.source.line)
            continue
        if block.name in KEEP_BEFORE and out and isinstance(out[-1], Paragraph):
            out[-1] = replace(out[-1], classes=(*out[-1].classes, "keep"))  # kept on the page of its table
        out.extend(generator(block, ctx))
    return tuple(out)


def _check_heading_order(blocks: tuple, diags: Diagnostics) -> None:
    level = 1
    for block in blocks:
        if isinstance(block, Heading):
            if block.level > level + 1:
                where = block.source or Source("<generated>", 0)
                diags.error("heading-skip", f"heading level {block.level} follows level {level}; "
                            f"use {'#' * (level + 1)}", where.path, where.line)
            level = block.level


def _check_standards_placed(ctx: PartContext) -> None:
    report = ctx.resolved.validated.sources.report
    parts = ctx.resolved.validated.report.parts
    for rs in ctx.resolved.standards.values():
        if rs.rating is None and not rs.key_questions:
            continue
        if rs.id not in ctx.placed:
            index = next((i for i, p in enumerate(parts) if p.domain == rs.domain.id), None)
            line, col = line_of(report, ("parts", index) if index is not None else ("parts",))
            ctx.diags.error("standard-unplaced", f"standard {rs.id} ({rs.standard.title}) is not placed in any "
                            f"chapter: add '::: standard {rs.id}' to its domain's chapter", report.path, line, col)
        elif rs.key_questions and rs.id not in ctx.tables:
            where = ctx.placed[rs.id]
            ctx.diags.error("key-questions-unplaced", f"standard {rs.id} is rated by key questions but its table "
                            "is not placed: add '::: key-questions' after its rating sentence", where.path, where.line)


def _check_anatomy(ctx: PartContext, merged: dict[str, MergedChapter]) -> None:
    """The publication's anatomy, as its framework's `publication:` gives it: every required part is
    printed, and every piece of report.yaml's data that a part can print is printed by one (a
    recommendation, a chart, the glossary, the imprint's fields, the last inspection's
    recommendations): nothing is silently left out."""
    resolved, diags = ctx.resolved, ctx.diags
    spec, fw = resolved.validated.report, resolved.framework
    meta, report = spec.metadata, resolved.validated.sources.report

    def error(code: str, message: str, loc: tuple) -> None:
        diags.error(code, message, report.path, *line_of(report, loc))

    unprinted = set()
    for g, group in enumerate(spec.recommendations):
        if "recommendations" not in ctx.printed:
            unprinted.add("recommendations")
            one = len(group.items) == 1
            error("data-unprinted", f"recommendations: the {len(group.items)} recommendation{'' if one else 's'} for "
                  f"{group.addressee!r} {'is' if one else 'are'} printed by no part: place '::: recommendations' in "
                  "a part (e.g. chapters/recommendations.md)", ("recommendations", g))
    for name in spec.charts:
        if f"chart {name}" not in ctx.printed:
            error("data-unprinted", f"charts.{name}: the chart '{name}' is drawn by no part: place "
                  f"'::: chart {name}' where it belongs, or remove it from charts:", ("charts", name))
    if spec.previous_recommendations and "previous_recommendations" not in ctx.printed:
        error("data-unprinted", "previous_recommendations are listed but no chapter prints them: add "
              "'::: previous-recommendations' where the report follows them up", ("previous_recommendations",))
    if spec.glossary and "glossary" not in ctx.printed:
        terms, one = list(spec.glossary), len(spec.glossary) == 1
        error("data-unprinted", f"glossary: its {len(terms)} entr{'y' if one else 'ies'} ({', '.join(terms[:5])}"
              f"{', …' if len(terms) > 5 else ''}) {'is' if one else 'are'} printed by no part: place '::: glossary' "
              "in a part (e.g. a Glossary annexe)", ("glossary",))
    if "imprint" not in ctx.printed and "imprint" not in fw.publication.parts:
        unprinted.add("imprint")
        for key in ("isbn", "copyright_year", "publisher") if meta.isbn else ("copyright_year", "publisher"):
            error("data-unprinted", f"metadata.{key} is printed by no part: place '::: imprint' in a part "
                  "(e.g. the front matter)", ("metadata", key))
    if spec.details and "details" not in ctx.printed and all(chapter.complete for chapter in merged.values()):
        reads = set().union(*(chapter.reads for chapter in merged.values()))
        if ("details", "*") not in reads:
            for key in spec.details:
                if ("details", key) not in reads:
                    error("data-unprinted", f"details.{key} is printed by no part: place '::: details' in a part, "
                          f"or write {{{{ details.{key} }}}} where it belongs, or remove it", ("details", key))
    if "imprint" in ctx.printed and meta.publisher.website and "imprint website" not in ctx.printed:
        error("data-unprinted", f"metadata.publisher.website is printed by no part: {fw.id}'s imprint has no "
              "publication.imprint.download text to print it with; add it, or remove the website",
              ("metadata", "publisher", "website"))
    if all(chapter.complete for chapter in merged.values()):  # else what a failed chapter reads is unknown
        reads = set().union(*(chapter.reads for chapter in merged.values()))
        if ("sample", "cases") in reads and "cases" not in spec.sample:  # computed from these two
            reads |= {("sample", "community_orders"), ("sample", "licences")}
        for bag, values in (("sample", spec.sample), ("links", spec.links)):
            if (bag, "*") in reads:
                continue
            for key in values:
                if (bag, key) not in reads:
                    error("data-unprinted", f"{bag}.{key} is used by no chapter, so no part prints it: write "
                          f"{{{{ {bag}.{key} }}}} where it belongs, or remove it", (bag, key))
    wanted = [p for p in fw.publication.parts
              if p not in ctx.printed and p not in unprinted
              and (p != "acknowledgements" or meta.lead_inspector) and (p != "ratings" or fw.rated)]
    for name in wanted:
        what = {"imprint": "its imprint (copyright, licence, ISBN, publisher)", "ratings": "its ratings page",
                "recommendations": "its recommendations",
                "acknowledgements": "its acknowledgements (of the lead inspector)"}[name]
        error("part-missing", f"the publication needs {what}: {fw.id} requires it (publication.parts), but no part "
              f"prints it: place '::: {name}' in a part", ("parts",))


def assemble(resolved: Resolved, merged: dict[str, MergedChapter], diags: Diagnostics,
             allow_remote: bool = False, draft: bool | None = None) -> Document | None:
    """The document; `draft` True or False overrides report.yaml's `status` (build --draft, --final)."""
    spec, fw = resolved.validated.report, resolved.framework
    meta = spec.metadata
    state = ParseState(diags, resolved.validated.sources.report_dir, allow_remote,
                       draft if draft is not None else spec.status == "draft", tuple(MARKERS),
                       language=meta.language)
    check_title(meta.title, state, resolved.validated.sources.report.path,
                *line_of(resolved.validated.sources.report, ("metadata", "title")))
    for name, value in spec.details.items():
        check_detail(name, value, state, resolved.validated.sources.report.path,
                     *line_of(resolved.validated.sources.report, ("details", name)))
    report = resolved.validated.sources.report
    words = words_for(resolved.validated.theme, meta.language, diags,
                      (report.path, *line_of(report, ("metadata", "language"))))
    words = words or stand_in()  # to go on checking the chapters: the build stops at the error above
    domains = {d.id: d for d in fw.domains}
    titles = [p.title or fw.domain_caption(domains[p.domain]) for p in spec.parts]
    ids = [state.unique_id(title) for title in titles]
    contents = tuple(ContentsEntry(t, i) for p, t, i in zip(spec.parts, titles, ids) if p.contents)
    ctx = PartContext(resolved, contents, state, words=words)
    prose = ProseRatings(resolved)
    parts = []
    for part, title, part_id in zip(spec.parts, titles, ids):
        ctx.domain, ctx.standard, ctx.part_title = part.domain, None, title
        chapter = merged[part.file]
        before = len(diags.items)
        if chapter.complete:
            prose.check(chapter, diags)
        blocks = expand(parse_chapter(chapter, state), ctx)
        if not chapter.complete:  # its template failed: only what its Markdown alone says stands
            _drop_templated(diags, before, chapter)
        _check_heading_order(blocks, diags)
        parts.append(Part(part_id, title, blocks, (), part.contents))  # its footnotes: below, when final
    _check_standards_placed(ctx)
    _check_anatomy(ctx, merged)
    parts = _number(parts, state, words)
    parts = _chart_data_in(parts, diags, words)
    targets = _targets(parts)  # ids and titles: the same before and after the rewrites below
    parts = _cross_references(parts, targets, diags, words)
    parts = _abbreviations(parts, spec.glossary)
    parts = [replace(p, footnotes=tuple(n for n in walk(p.blocks) if isinstance(n, FootnoteRef))) for p in parts]
    _check_anchors(parts, targets, diags)
    if diags.errors:
        return None
    unit = meta.unit or ""
    lead = meta.title.removesuffix(unit).strip() if unit and meta.title.endswith(unit) else meta.title
    if not unit:  # a report of no one unit (a thematic): the title is the cover's large line
        lead, unit = "", meta.title
    cover = Cover(meta.inspectorate, lead, unit, meta.region or "",
                  words.fill("cover_imprint", publisher=meta.inspectorate, date=words.month_year(meta.published_date)),
                  _cover_logo(resolved, diags))
    info = DocumentInfo(meta.title, meta.short_title, meta.language, meta.inspectorate, meta.subject,
                        tuple(meta.keywords), meta.published_date.isoformat())
    document = Document(info, cover, tuple(parts), _docx_reference(resolved), _draft(resolved, draft, diags, words),
                        resolved.validated.theme, words)
    document = typeset(document)  # curly quotes in every printed string, not only the chapters'
    _check_writable_text(document, resolved, diags)
    return None if diags.errors else document


def _plain(nodes) -> str:
    return "".join(n.text for n in walk(nodes) if isinstance(n, Text))


def _number(parts: list[Part], state: ParseState, words: Words) -> list[Part]:
    """Figures (captioned images, charts) and captioned tables numbered through the report, in
    reading order: "Figure 3", "Table 2" (the document's words: styles/words.yaml); each gets an id,
    the author's or `figure-<caption>` / `table-<caption>`. A chart's data table is captioned after it."""
    counts = {"figure": 0, "table": 0}

    def number(node):
        if isinstance(node, (Image, Chart)) and node.caption:
            kind, caption = "figure", _plain(node.caption)
        elif isinstance(node, Table) and node.caption:
            kind, caption = "table", _plain(node.caption)
        elif isinstance(node, (KeyQuestionTable, PreviousRecommendations)) and node.caption:
            kind, caption = "table", node.caption
        else:
            return node
        counts[kind] += 1
        label = f"{words[kind]} {counts[kind]}"
        anchor = node.numbered.id or state.unique_id(f"{kind}-{caption}")
        node = replace(node, numbered=Numbered(anchor, counts[kind], label))
        if isinstance(node, Chart):
            node = replace(node, data=replace(node.data, caption=(Text(f"{words['chart_data']} {label}"),)))
        return node

    return [replace(part, blocks=rewrite(part.blocks, number)) for part in parts]


def _chart_data_in(parts: list[Part], diags: Diagnostics, words: Words) -> list[Part]:
    """A chart whose numbers a numbered table of the report already holds (its standard's key-question
    table, or the table report.yaml's `table:` names) refers to that table instead of repeating its
    data; a `table:` naming no numbered table is an error at its line."""
    tables = {}
    for part in parts:
        for node in walk(part.blocks):
            if isinstance(node, (Table, KeyQuestionTable)) and node.numbered.label:
                tables[node.numbered.id] = node.numbered.id
                if isinstance(node, KeyQuestionTable) and node.standard:
                    tables[f"key-questions {node.standard}"] = node.numbered.id

    def refer(node):
        if not isinstance(node, Chart) or not node.data_in:
            return node
        target = tables.get(node.data_in)
        if target is None:
            if node.data_in_source is not None:  # the author's `table:`; a standard's unnumbered table: none
                where = node.data_in_source
                named = [t for t in tables if not t.startswith("key-questions ")]
                diags.error("chart-invalid", f"'table: {node.data_in}' names no numbered table of the report "
                            "(a table with a caption)" + did_you_mean(node.data_in, named), where.path, where.line)
            return node
        note = Paragraph((Text(words["chart_data_in"] + " "), CrossRef(target), Text(".")), node.source,
                         ("chart-data",))
        return replace(node, data=note)

    return [replace(part, blocks=rewrite(part.blocks, refer)) for part in parts]


def _targets(parts: list[Part]) -> dict[str, str]:
    """Every id a reference or link may name, and what a reference to it says."""
    targets = {part.id: part.title for part in parts}
    for part in parts:
        for node in walk(part.blocks):
            if isinstance(node, Heading):
                targets[node.id] = _plain(node.children)
            elif isinstance(node, Callout):
                targets[node.id] = node.title
            elif isinstance(getattr(node, "numbered", None), Numbered) and node.numbered.label:
                targets[node.numbered.id] = node.numbered.label
    return targets


def _cross_references(parts: list[Part], targets: dict[str, str], diags: Diagnostics, words: Words) -> list[Part]:
    """Each `[](#id)` says what it names ("Figure 3", a heading's title: `targets`); an unknown id
    is an error."""
    on_page = words["on_page"]
    out = []
    for part in parts:
        blocks = []
        for block in part.blocks:
            def resolve(node, block=block):
                if not isinstance(node, CrossRef):
                    return node
                if node.target not in targets:
                    where = getattr(block, "source", None) or Source("<generated>", 0)
                    diags.error("xref-unknown", f"reference '[](#{node.target})' names no heading, figure or table "
                                "of the report" + did_you_mean(node.target, targets), where.path, where.line)
                    return node
                return replace(node, text=targets[node.target], page_label=on_page)
            blocks.extend(rewrite((block,), resolve))
        out.append(replace(part, blocks=tuple(blocks)))
    return out


def _abbreviations(parts: list[Part], glossary: dict[str, str]) -> list[Part]:
    """The first use of each glossary abbreviation in the text becomes an `Abbr` with its expansion."""
    if not glossary:
        return parts
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in sorted(glossary, key=len, reverse=True))
                         + r")(?!\w)")
    first: dict[int, set[str]] = {}  # id(Text) -> the terms first used in it
    seen: set[str] = set()
    for part in parts:
        for node in walk(part.blocks):
            if isinstance(node, (Heading, Link)):
                continue
            for child in getattr(node, "children", ()):
                if isinstance(child, Text):
                    for match in pattern.finditer(child.text):
                        if match[1] not in seen:
                            seen.add(match[1])
                            first.setdefault(id(child), set()).add(match[1])

    def split(node):
        if isinstance(node, (Heading, Link)) or not any(id(c) in first for c in getattr(node, "children", ())):
            return node
        children = []
        for child in node.children:
            terms = first.get(id(child)) if isinstance(child, Text) else None
            if not terms:
                children.append(child)
                continue
            pos = 0
            for match in pattern.finditer(child.text):
                if match[1] in terms:
                    terms = terms - {match[1]}
                    children.extend([Text(child.text[pos:match.start()]), Abbr(match[1], glossary[match[1]])])
                    pos = match.end()
            children.append(Text(child.text[pos:]))
        return replace(node, children=tuple(c for c in children if not (isinstance(c, Text) and not c.text)))

    return [replace(part, blocks=rewrite(part.blocks, split)) for part in parts]


def _drop_templated(diags: Diagnostics, before: int, chapter: MergedChapter) -> None:
    """Of the diagnostics given since `before` on a chapter whose template failed, drop those on
    lines a template construct touched or about a blanked expression (they would mislead), and
    those not at a line of the chapter."""
    where = diags.show(chapter.source.path)
    diags.items[before:] = [d for d in diags.items[before:]
                            if d.path == where and d.line and d.line not in chapter.templated_lines
                            and PLACEHOLDER not in d.message]


def _check_anchors(parts: list[Part], targets: dict[str, str], diags: Diagnostics) -> None:
    """A link to '#id' must name a part, a heading, a figure or a table of the report (`targets`):
    the DOCX can only link to those (as bookmarks), and in HTML and PDF it would go nowhere."""
    anchors = set(targets)
    for part in parts:
        for block in part.blocks:
            for node in walk((block,)):
                anchor = node.href[1:] if isinstance(node, Link) and node.href.startswith("#") else None
                if anchor and anchor not in anchors:  # a bare '#' is parse's link-empty
                    where = getattr(block, "source", None) or Source("<generated>", 0)
                    diags.error("link-anchor-unknown", f"link target '{node.href}' is no heading or part of the "
                                "report" + did_you_mean(anchor, anchors), where.path, where.line)


def _check_writable_text(document: Document, resolved: Resolved, diags: Diagnostics) -> None:
    """The last word on what reaches the writers: no string of the document holds a character
    they cannot write (validate and parse report each at its source; this catches any way round
    them, at the nearest block's source)."""
    seen: set[str] = set()

    def visit(value, where: Source | None) -> None:
        if isinstance(value, str):
            match = CONTROL_RE.search(value)
            if match and value not in seen:
                seen.add(value)
                path, line = (where.path, where.line) if where else (resolved.validated.sources.report.path, 0)
                diags.error("control-character", f"the text {value[:40]!r} holds {describe_character(match[0])}; "
                            "remove it", path, line)
        elif isinstance(value, (tuple, list)):
            for item in value:
                visit(item, where)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            where = getattr(value, "source", None) or where
            for f in dataclasses.fields(value):
                if f.name != "source":
                    visit(getattr(value, f.name), where)

    visit(document, None)


def _draft(resolved: Resolved, wanted: bool | None, diags: Diagnostics, words: Words) -> Draft | None:
    """The draft marks of a draft build, or None. A final build of a report whose status is
    draft is a warning; a draft's version is report.yaml's, else its folder's git commit."""
    spec, sources = resolved.validated.report, resolved.validated.sources
    if wanted is None:
        wanted = spec.status == "draft"
    if not wanted:
        if spec.status == "draft":
            line, col = line_of(sources.report, ("status",))
            diags.warning("status-draft", "this is a final build of a report whose status is draft: set "
                          "'status: final' when it is ready, or build it with --draft", sources.report.path, line, col)
        return None
    version = spec.version or folder_version(sources.report_dir, reads_so_far())
    if version is None:
        diags.warning("version-missing", "a draft shows its version on the cover: give 'version:' (e.g. "
                      "version: \"0.3\"), or keep the report in a git repository", sources.report.path, 1)
    fw = resolved.framework
    label, said = framework_label(fw, "draft", words), framework_label(fw, "version", words)
    return Draft(label, f"{said} {version}" if version else "")


IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8": "image/jpeg", b"GIF8": "image/gif"}


def _cover_logo(resolved: Resolved, diags: Diagnostics) -> Image | None:
    """The report's logo (metadata.logo), else the theme's, embedded as a data: URI so that the
    HTML page stays self-contained and a theme's file needs no path outside the report folder.
    Both were checked (a PNG, JPEG or GIF every writer draws) by validate."""
    meta, theme = resolved.validated.report.metadata, resolved.validated.theme
    if meta.logo is not None:
        path, root, alt = resolved.validated.sources.report_dir / meta.logo.file, resolved.validated.sources.report_dir, meta.logo.alt
    elif theme is not None and theme.logo is not None:
        path, root, alt = theme.logo, theme.folders[0], theme.logo_alt
    else:
        return None
    try:
        data = read_input(path, (root.resolve(),), "image")
    except InputError as exc:
        diags.error(exc.code, exc.message, resolved.validated.sources.report.path)
        return None
    kind = next((mime for magic, mime in IMAGE_TYPES.items() if data.startswith(magic)), "image/png")
    return Image(f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}", alt)


def _docx_reference(resolved: Resolved) -> DocxReference | None:
    sources, value = resolved.validated.sources, resolved.validated.report.docx_reference
    if not value:
        return None
    line, _ = line_of(sources.report, ("docx_reference",))
    return DocxReference(str((sources.report_dir / value).resolve()), Source(str(sources.report.path), line))
