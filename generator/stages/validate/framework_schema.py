"""The schema of a framework file, as pydantic models (README, "The framework file"): scales, bands,
rules and limits, domains and standards, labels, presentation, publication, follow-up and details
fields; and what later stages ask of a framework (a standard's scale, a rating by its words,
whether an overall rule matches: `rule_matches`). `Model`, the base of both schemas, is here.

The file's shape only: whether a framework is consistent with itself is `framework_checks`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator


HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _framework_text(value: str) -> str:
    """A word a framework gives the outputs to print must print something."""
    if not value.strip():
        raise ValueError("it is blank; the outputs print it: write the words")
    return value


NotBlankFramework = Annotated[str, AfterValidator(_framework_text)]


class ScaleItem(Model):
    """One point of the rating scale."""

    id: str
    label: str
    points: int
    colour: Annotated[str, Field(pattern=HEX_COLOUR)]
    text_colour: Annotated[str, Field(pattern=HEX_COLOUR)]
    description: NotBlankFramework | None = None  # what the rating means, in the scorecard's key


def _scale_list(value):
    """A named scale is its ratings (`met: [...]`), or a mapping with them and `scored`."""
    return {"ratings": value} if isinstance(value, list) else value


class NamedScale(Model):
    """A scale of its own beside the default (`scales: {met: [...]}`): its ratings, best first, each
    with its own label, points and colours; `scored: false` (`met: {scored: false, ratings: [...]}`):
    standards on it are rated and shown, but out of the score, its maximum and the rules' counts."""

    ratings: list[ScaleItem]
    scored: bool = True


class Band(Model):
    """Values at or above `from` (and below the previous band) get `rating`."""

    lower: Annotated[float, Field(alias="from")]
    rating: str
    description: str | None = None


class Rounding(Model):
    """How a percentage is rounded before banding: one rule, in one place."""

    method: Literal["half-up", "half-even", "floor"] = "half-up"
    places: Annotated[int, Field(ge=0, le=3)] = 0


class Standard(Model):
    id: str
    code: str | None = None  # required unless the framework's presentation.standard_codes is false
    title: str
    statement: str
    rated_by: Literal["judgement", "key_questions", "not_rated"]
    key_questions: list[str] = []
    scored: bool = True  # False: rated and shown, but left out of the score and its maximum
    scale: str | None = None  # a name of `scales`: the scale it is rated on (default: its domain's)


class DomainRating(Model):
    """A domain's rating computed from its standards' points (`rating: {by: points, bands: [...]}`):
    their sum, or (`by: percent`) that sum as a percentage of the domain's maximum, rounded by the
    framework's rounding rule, placed in `bands` (as `overall_bands`) on the domain's scale. Not rated
    and not applicable standards are out of both the points and the maximum."""

    by: Literal["points", "percent"]
    bands: list[Band]


class Domain(Model):
    id: str
    title: str
    standards: list[Standard]
    scale: str | None = None  # a name of `scales`: its standards' scale (default: the framework's `scale`)
    rating: DomainRating | None = None  # None: the domain has no rating of its own


class KeyQuestionTableLabels(Model):
    question_header: str
    value_header: str
    lowest_note: str
    caption: str | None = None  # the table's caption; may name {code} and {title} of the standard


class Labels(Model):
    score: str | None = None
    overall_rating: str | None = None
    fieldwork_started: str | None = None
    rating: str | None = None
    standard: str | None = None
    not_rated: str | None = None  # shown wherever a rating would be, for a standard not rated
    not_applicable: str | None = None  # shown wherever a rating would be, for a standard that does not apply
    draft: str = "DRAFT"  # a draft build's watermark, banner and DOCX header
    version: str = "Version"  # before a draft's version on its cover
    ratings_chart: str | None = None  # the caption of `::: chart ratings`
    points: str | None = None  # the axis of `::: chart ratings`
    # the scorecard's key (the ratings page): its caption, its columns' headers beside `rating`, and
    # what the score counts ({count} scored standards, out of {max}); a page it runs on to says `continued`
    scale_key: str = "Key to the ratings"
    key_points: str = "Points for a standard"
    key_scores: str = "Overall rating for a score of"
    key_description: str = "What it means"  # the key's column of the scale's descriptions, where it has any
    key_note: str = "The score adds up the points of the {count} scored standards, out of {max}."
    continued: str = "continued"


class Condition(Model):
    """How many standards have `rating`: at least and/or at most so many; or, naming a `standard`,
    that this standard is rated `rating` (no at_least or at_most then). `domain` is refused with a
    located error: a domain has no rating of its own yet."""

    rating: str
    at_least: Annotated[int, Field(ge=0)] | None = None
    at_most: Annotated[int, Field(ge=0)] | None = None
    standard: str | None = None
    domain: str | None = None


class Rule(Model):
    """The overall rating is `rating` when every condition holds (first matching rule wins)."""

    rating: str
    when: list[Condition] = []


def rule_matches(rule: Rule, counts: dict[str, int], rated: dict[str, str] | None = None) -> bool:
    """Whether every condition of an overall rule holds for these counts of ratings (by scale id)
    and, for a condition naming a standard, its rating (`rated`: standard id -> rating id)."""
    rated = rated or {}
    return all((rated.get(c.standard) == c.rating) if c.standard is not None else
               ((c.at_least is None or counts.get(c.rating, 0) >= c.at_least)
                and (c.at_most is None or counts.get(c.rating, 0) <= c.at_most)) for c in rule.when)


class LimitOn(Model):
    """What an `at_most` limit names: the overall can be no better than this standard's rating, or
    this domain's (a domain rated from its standards' points: `rating: {by: ..}`)."""

    standard: str | None = None
    domain: str | None = None

    @property
    def kind(self) -> str:
        return "domain" if self.domain is not None else "standard"

    @property
    def named(self) -> str | None:
        return self.domain if self.domain is not None else self.standard

    @property
    def subject(self) -> tuple[str, str | None]:
        """The key of its rating among a report's (see resolve.limit_subjects)."""
        return self.kind, self.named


class LimitWhen(LimitOn):
    """A limit's condition: the standard (or rated domain) named is rated `rating` (an id of its scale)."""

    rating: str


class Limit(Model):
    """A condition that fixes the overall (`when` .. `then`) or caps it (`at_most`). Applied after a
    computed overall (bands or rules): first every cap that applies (the overall becomes the worse of
    itself and the standard's rating), then a fix, which wins; a judged overall must agree."""

    when: LimitWhen | None = None
    then: str | None = None
    at_most: LimitOn | None = None

    def text(self) -> str:
        """The limit as the framework writes it, for messages."""
        if self.at_most is not None:
            return f"at_most: {{{self.at_most.kind}: {self.at_most.named}}}"
        when = self.when
        return f"when: {{{when.kind}: {when.named}, rating: {when.rating}}} then: {self.then}" if when else ""


class ScaleEntry(Model):
    """A point of a scale that is shown but not scored: an id, the word printed, and colours
    optional (given, both: the word on `colour`, as a rating's badge)."""

    id: str
    label: NotBlankFramework
    colour: Annotated[str, Field(pattern=HEX_COLOUR)] | None = None
    text_colour: Annotated[str, Field(pattern=HEX_COLOUR)] | None = None


class ProgressItem(ScaleEntry):
    """One status of the progress scale: `counted` is how the summary count says it ("partly
    achieved" in "4 partly achieved"), default the label."""

    counted: NotBlankFramework | None = None

    @property
    def counted_as(self) -> str:
        return self.counted or self.label


class FollowUp(Model):
    """What became of the last inspection's recommendations (report.yaml `previous_recommendations`,
    printed by `::: previous-recommendations`): the progress scale, in order, and the table's words.
    The scale sits beside the rating scale (`scale:`), with no points: it is never scored."""

    scale: list[ProgressItem]
    recommendation_header: NotBlankFramework
    status_header: NotBlankFramework
    evidence_header: NotBlankFramework
    caption: NotBlankFramework | None = None  # the table's caption (numbered as a table)
    summary: NotBlankFramework  # the count: names {total} and {counts}: "Of {total} recommendations: {counts}"
    summary_one: NotBlankFramework | None = None  # the same for one recommendation; default `summary`

    def status_by_label(self, label: str) -> ProgressItem | None:
        return next((item for item in self.scale if item.label == label), None)


OPTIONAL_METADATA = ("unit", "region", "fieldwork_start", "lead_inspector", "isbn", "chief_inspector")


class Presentation(Model):
    """How the outputs name a domain and a standard (README "The framework file"). The defaults are
    the HM Inspectorate of Probation's: "1. Organisational arrangements", "P 1.1. Leadership"."""

    domain_ids: bool = True  # false: a domain's caption is its title alone, not "<id>. <title>"
    standard_codes: bool = True  # false: standards carry no code, and none is printed
    key_points: bool = False  # true: the scorecard's key shows each rating's points though nothing is
    # scored (score: false): "Good 4", as HMI Prisons scores its tests 4 to 1 without adding them


DETAIL_TYPES = ("text", "date", "integer", "rating")
DETAIL_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # readable in a chapter as {{ details.<name> }}


class DetailField(Model):
    """One fact of the framework's own about an inspection (report.yaml `details.<name>`)."""

    type: Literal["text", "date", "integer", "rating"]  # rating: a label of the framework's scale
    label: NotBlankFramework  # what `::: details` prints before its value
    required: bool = False
    scale: str | None = None  # a rating's scale, by its name under `scales:` (default: the default scale)
    group_digits: bool = True  # an integer printed as its language groups it ("1,046"); false: as given (a URN)


class Details(Model):
    """The framework's own facts about an inspection ("Unique reference number", "Previous grade"),
    given in report.yaml `details:`, printed by `::: details` as a two-column table (`header`) and
    readable in chapters as {{ details.<name> }}."""

    header: list[NotBlankFramework]  # the two columns' headers: [Detail, Value]
    caption: NotBlankFramework  # the table's caption (numbered as a table), e.g. "About the school"
    fields: dict[str, DetailField]

    @field_validator("header")
    @classmethod
    def _two_columns(cls, value: list[str]) -> list[str]:
        if len(value) != 2:
            raise ValueError(f"{len(value)} header{'' if len(value) == 1 else 's'}; the table has two columns, "
                             "the field's label and its value: give two, e.g. [Detail, Value]")
        return value

# The generated parts a publication can be required to have (framework `publication.parts`): each
# is placed by its block marker (`::: imprint`, ...); assemble checks the report places each.
PUBLICATION_PARTS = ("imprint", "ratings", "recommendations", "acknowledgements")


class ImprintText(Model):
    """What the imprint (`::: imprint`) prints besides report.yaml's values: data, never code."""

    copyright: str  # "© Crown copyright {year}": may name {year} (metadata.copyright_year) and {publisher}
    licence: str  # the licence paragraph, as published
    licence_links: dict[str, str] = {}  # a piece of the licence text -> the address it links to
    download: str | None = None  # said before metadata.publisher.website ("This publication is available ...")
    isbn: str = "ISBN:"
    published_by: str = "Published by:"


class Publication(Model):
    """The anatomy of a publication: the parts it must have and what the generated ones print."""

    parts: list[str] = []  # of PUBLICATION_PARTS; ratings only where the framework rates,
    # acknowledgements only where the report names a lead inspector
    imprint: ImprintText | None = None
    acknowledgements: str | None = None  # `::: acknowledgements`: may name {lead_inspector}


class Framework(Model):
    """A rating framework: scale, bands, domains and standards. Data, never code."""

    id: str
    name: str
    inspectorate: str
    scale: list[ScaleItem] = []  # empty: an unrated framework (thematic inspections); the default scale
    scales: dict[str, Annotated[NamedScale, BeforeValidator(_scale_list)]] = {}  # more scales, by name
    rounding: Rounding = Rounding()
    key_question_bands: list[Band] = []
    overall: Literal["bands", "rules", "judged", "none"] = "bands"  # judged: report.yaml's overall_rating
    overall_bands: list[Band] = []
    overall_rules: list[Rule] = []
    limits: list[Limit] = []  # conditions that cap or fix the overall, after bands or rules
    score: bool = True  # False: no score is shown or offered to chapters
    required_metadata: list[Literal["unit", "region", "fieldwork_start", "lead_inspector", "isbn",
                                    "chief_inspector"]] = list(OPTIONAL_METADATA)
    key_question_table: KeyQuestionTableLabels | None = None
    recommendations_lead: str
    labels: Labels = Labels()
    publication: Publication = Publication()
    domains: list[Domain] = []
    follow_up: FollowUp | None = None  # the progress scale of the last inspection's recommendations
    presentation: Presentation = Presentation()
    details: Details | None = None  # the framework's own facts about an inspection (report.yaml details:)

    def domain_caption(self, domain: Domain) -> str:
        """A domain as captions, headings and the ratings page name it."""
        return f"{domain.id}. {domain.title}" if self.presentation.domain_ids else domain.title

    def standard_caption(self, standard: Standard) -> str:
        """A standard as every part of the report names it (the ratings page, its heading, charts):
        its code and title, "P 1.1 Leadership"; its title alone where the framework's standards
        carry no code."""
        if not self.presentation.standard_codes:
            return standard.title
        return f"{standard.code} {standard.title}"

    def rating_by_id(self, rating_id: str) -> ScaleItem:
        return next(item for item in self.all_ratings if item.id == rating_id)

    @property
    def all_ratings(self) -> list[ScaleItem]:
        """Every rating of every scale: the default scale's, then each named scale's (ids are unique
        across them)."""
        return self.scale + [item for named in self.scales.values() for item in named.ratings]

    @property
    def standards_ratings(self) -> list[ScaleItem]:
        """Every rating a standard can have: the default scale's, then each named scale's that a domain
        or standard is on (not a scale only a details field uses, such as a previous grade)."""
        used = {self.scale_name(s) for s in self.standards}
        return self.scale + [item for name, named in self.scales.items() if name in used for item in named.ratings]

    def scale_name(self, standard: Standard) -> str | None:
        """The name of the scale a standard is rated on (None: the default scale)."""
        if standard.scale is not None:
            return standard.scale
        return next((d.scale for d in self.domains if any(s.id == standard.id for s in d.standards)), None)

    def _named_scale(self, standard: Standard) -> NamedScale | None:
        name = self.scale_name(standard)
        return self.scales.get(name) if name is not None else None

    def scale_of(self, standard: Standard) -> list[ScaleItem]:
        named = self._named_scale(standard)
        return named.ratings if named is not None else self.scale

    def scale_scored(self, standard: Standard) -> bool:
        """Whether the standard's scale counts in the score and the rules (the default scale does)."""
        named = self._named_scale(standard)
        return named.scored if named is not None else True

    @property
    def rated(self) -> bool:
        return bool(self.scale)

    @property
    def has_score(self) -> bool:
        return self.rated and self.score

    def detail_scale(self, field: DetailField) -> list[ScaleItem]:
        """The ratings a details field of type rating may take: its named scale's, else the default's."""
        named = self.scales.get(field.scale) if field.scale is not None else None
        return named.ratings if named is not None else self.scale

    def rating_by_label(self, label: str, standard: Standard | None = None) -> ScaleItem | None:
        """The rating with these words on the standard's scale (no standard: the default scale)."""
        scale = self.scale_of(standard) if standard is not None else self.scale
        return next((item for item in scale if item.label == label), None)

    @property
    def standards(self) -> list[Standard]:
        return [s for d in self.domains for s in d.standards]
