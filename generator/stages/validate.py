"""Stage 2, validate: turn the raw YAML into typed objects, collecting every problem.

The schema of report.yaml and of a framework file is declared here as pydantic models, one
documented field each (see README, "report.yaml fields"). Pydantic's errors are mapped back to
the file and line of the offending value.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import string
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Literal

# reportgen installs no pydantic plugins: skip pydantic's scan of every installed package's entry
# points on the first model (about 15 ms of every cold start). A value set by the user stands.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from generator.diagnostics import Diagnostics, did_you_mean
from generator.stages.framework_rules import check_rules
from generator.stages.load import FRAMEWORK_ID, Sources, YamlFile, available_frameworks, date_problem
from generator.themes import Theme, resolve_theme

HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"

# --------------------------------------------------------------------------- what the writers can hold

# Characters no output can hold: XML 1.0 (DOCX, the PDF's tagged structure) refuses the C0 controls
# but tab, LF and CR, the surrogates and U+FFFE/U+FFFF (lxml raises, WeasyPrint draws nothing);
# DEL and the C1 controls are legal XML but invisible in every output and almost always
# Windows-1252 text read as Latin-1, so they are refused too.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB "
             "CAN EM SUB ESC FS GS RS US").split()

# Word's document properties (title, subject, author, keywords) hold at most 255 characters;
# python-docx raises beyond that. Counted in UTF-16 code units, as Word stores them.
DOCX_PROPERTY_LIMIT = 255
LANGUAGE_LIMIT = 35  # RFC 5646 4.4.1: a language tag fits in 35 characters
# Dates: a DOCX is a zip file, whose entry dates run from 1980 to 2107; reportgen accepts the years
# 1980-2099 for every date of report.yaml, so that a mistyped year is an error, not a crash.
YEAR_MIN, YEAR_MAX = 1980, 2099


def describe_character(char: str) -> str:
    """What a refused character is and why, for a message: 'control character U+001B (ESC) ...'."""
    code = ord(char)
    name = _C0_NAMES[code] if code < 0x20 else "DEL" if code == 0x7F else unicodedata.name(char, "")
    if 0xD800 <= code <= 0xDFFF:
        return f"lone surrogate U+{code:04X}, which no output can hold"
    if code in (0xFFFE, 0xFFFF):
        return f"noncharacter U+{code:04X}, which Word and PDF files cannot hold"
    out = f"control character U+{code:04X}" + (f" ({name})" if name else "")
    if code < 0x20:
        return out + ", which Word and PDF files cannot hold"
    out += ", which every output would drop"
    if 0x80 <= code <= 0x9F:
        try:
            out += f" (probably '{bytes([code]).decode('cp1252')}' from Windows-1252 text read as Latin-1)"
        except UnicodeDecodeError:
            pass
    return out


def utf16_length(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def _counted(value: str) -> str:
    """How a length was counted, when it matters."""
    if utf16_length(value) == len(value):
        return ""
    return " as Word counts them (a character beyond U+FFFF, e.g. an emoji, counts as two)"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _framework_text(value: str) -> str:
    """A word a framework gives the outputs to print must print something."""
    if not value.strip():
        raise ValueError("it is blank; the outputs print it: write the words")
    return value


NotBlankFramework = Annotated[str, AfterValidator(_framework_text)]


# --------------------------------------------------------------------------- framework

class ScaleItem(Model):
    """One point of the rating scale."""

    id: str
    label: str
    points: int
    colour: Annotated[str, Field(pattern=HEX_COLOUR)]
    text_colour: Annotated[str, Field(pattern=HEX_COLOUR)]


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


DETAIL_TYPES = ("text", "date", "integer", "rating")
DETAIL_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # readable in a chapter as {{ details.<name> }}


class DetailField(Model):
    """One fact of the framework's own about an inspection (report.yaml `details.<name>`)."""

    type: Literal["text", "date", "integer", "rating"]  # rating: a label of the framework's scale
    label: NotBlankFramework  # what `::: details` prints before its value
    required: bool = False


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

    def rating_by_label(self, label: str, standard: Standard | None = None) -> ScaleItem | None:
        """The rating with these words on the standard's scale (no standard: the default scale)."""
        scale = self.scale_of(standard) if standard is not None else self.scale
        return next((item for item in scale if item.label == label), None)

    @property
    def standards(self) -> list[Standard]:
        return [s for d in self.domains for s in d.standards]


# --------------------------------------------------------------------------- report

def _not_blank(value: str) -> str:
    """Text the outputs show must show something (a blank title, heading or list item is an empty
    element: an accessibility failure in every output)."""
    if not value.strip():
        raise PydanticCustomError("value_empty", "blank; the outputs show this text: fill it in")
    return value


NotBlank = Annotated[str, AfterValidator(_not_blank)]

ISBN_HINT = "give the ISBN as 978-…, 13 digits (hyphens allowed), e.g. 978-1-916621-16-9"


def isbn13_check_digit(first12: str) -> int:
    """The ISBN-13 check digit: weights 1, 3, 1, 3, ... on the first 12 digits, then to a multiple of 10."""
    return (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12)) % 10) % 10


def _isbn13(value: str) -> str:
    digits = re.sub(r"[-\s]", "", value)
    if not re.fullmatch(r"97[89]\d{10}", digits):
        count = sum(c.isdigit() for c in digits)
        said = (f"it has {count} digits" if digits.isdigit() and count != 13
                else "it does not start 978 or 979" if digits.isdigit()
                else "it holds characters other than digits and hyphens")
        raise PydanticCustomError("isbn_invalid", "{hint}: {said}", {"hint": ISBN_HINT, "said": said})
    expected = isbn13_check_digit(digits[:12])
    if int(digits[12]) != expected:
        raise PydanticCustomError("isbn_invalid", "{value} is not a valid ISBN: its last digit (the check digit) "
                                  "should be {expected} for the 12 digits before it; check the ISBN for a mistyped "
                                  "digit", {"value": value, "expected": expected})
    return value


Isbn = Annotated[str, AfterValidator(_isbn13)]

DOCX_DATES = " (it dates the DOCX file, a zip file, whose dates run from 1980 to 2107)"


def _year_in_range(year: int, shown: str, why: str) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PydanticCustomError("date_out_of_range", "{shown} is outside the years {low}-{high} that reportgen "
                                  "accepts{why}; check the year",
                                  {"shown": shown, "low": YEAR_MIN, "high": YEAR_MAX, "why": why})



class Person(Model):
    name: NotBlank
    role: NotBlank


class Logo(Model):
    """The publisher's logo on the cover: an image in the report folder and what it shows."""

    file: NotBlank  # relative to the report folder, PNG, JPEG or GIF
    alt: NotBlank  # its text alternative, e.g. the inspectorate's name


# an http(s) address of a host with a dot, with none of the characters a URL may not hold raw
# (quotes, angle and square brackets, braces, backslash, spaces, controls): printed as a link
WEB_ADDRESS = re.compile(r"^https?://[^\s/\"'<>\\\[\]{}|^`]+\.[^\s\"'<>\\\[\]{}|^`]+$")
MAIL_ADDRESS = re.compile(r"^mailto:[^\s@\"'<>\\\[\]{}|^`]+@[^\s@\"'<>\\\[\]{}|^`]+\.[^\s@\"'<>\\\[\]{}|^`]+$")


class Publisher(Model):
    name: NotBlank
    address: list[NotBlank]
    website: str | None = None  # the imprint's "available for download at" address (http or https)

    @field_validator("website")
    @classmethod
    def _website_is_web_address(cls, value: str | None) -> str | None:
        if value is not None and not WEB_ADDRESS.match(value):
            raise PydanticCustomError("website", "give the publisher's web address as https://…, "
                                      "e.g. https://www.justiceinspectorates.gov.uk/hmiprobation")
        return value


class Metadata(Model):
    """Facts about the publication; every one can be used in chapters as {{ report.<field> }}."""

    title: NotBlank
    short_title: NotBlank
    unit: NotBlank | None = None  # unit, region, fieldwork_start, lead_inspector: required by the framework
    unit_long: str | None = None
    region: NotBlank | None = None
    inspectorate: NotBlank
    published: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    fieldwork_start: dt.date | None = None
    lead_inspector: NotBlank | None = None
    chief_inspector: Person | None = None  # chief_inspector, isbn: required where the framework says
    isbn: Isbn | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                                   max_length=LANGUAGE_LIMIT)] = "en-GB"
    copyright_year: int
    subject: str = ""
    keywords: list[str] = []
    publisher: Publisher
    logo: Logo | None = None

    @field_validator("title", "short_title", "subject", "inspectorate")
    @classmethod
    def _fits_docx_property(cls, value: str) -> str:
        """Title, subject and author (inspectorate) are Word document properties; short_title is
        held to the same limit, being the short form of the title."""
        length = utf16_length(value)
        if length > DOCX_PROPERTY_LIMIT:
            raise PydanticCustomError("value_too_long", "{length} characters{counted}; Word's document properties "
                                      "hold at most {limit}: shorten it",
                                      {"length": length, "limit": DOCX_PROPERTY_LIMIT, "counted": _counted(value)})
        return value

    @field_validator("keywords")
    @classmethod
    def _keywords_fit_docx_property(cls, value: list[str]) -> list[str]:
        length = utf16_length(", ".join(value))
        if length > DOCX_PROPERTY_LIMIT:
            raise PydanticCustomError("value_too_long", "the keywords come to {length} characters{counted} (joined "
                                      "with ', '); Word's keywords property holds at most {limit}: use fewer or "
                                      "shorter keywords", {"length": length, "limit": DOCX_PROPERTY_LIMIT,
                                                           "counted": _counted(", ".join(value))})
        return value

    @field_validator("published")
    @classmethod
    def _published_in_range(cls, value: str) -> str:
        _year_in_range(int(value[:4]), value, DOCX_DATES)
        return value

    @field_validator("fieldwork_start")
    @classmethod
    def _fieldwork_in_range(cls, value: dt.date | None) -> dt.date | None:
        if value is None:
            return value
        _year_in_range(value.year, value.isoformat(), "")
        return value

    @field_validator("copyright_year")
    @classmethod
    def _copyright_in_range(cls, value: int) -> int:
        _year_in_range(value, str(value), "")
        return value

    @property
    def published_date(self) -> dt.date:
        year, month = self.published.split("-")
        return dt.date(int(year), int(month), 1)


Percentage = Annotated[float, Field(ge=0, le=100)]


class Finding(Model):
    """What the inspectors found for one standard: a judgement, key-question figures, not rated, or
    not applicable (the provider has nothing the standard could judge: no sixth form)."""

    rating: str | None = None
    key_questions: list[Percentage] | None = None
    not_rated: bool = False
    not_applicable: bool = False


class PreviousRecommendation(Model):
    """A recommendation of the last inspection and what became of it: `status` is a label of the
    framework's progress scale (`follow_up.scale`), `evidence` a short note saying why."""

    text: NotBlank
    reference: NotBlank | None = None  # its number in the last report, printed before it ("3.")
    addressee: NotBlank | None = None  # whom it was for: "<addressee> should:" (recommendations_lead)
    status: str | None = None
    evidence: NotBlank | None = None


class RecommendationGroup(Model):
    addressee: NotBlank
    items: Annotated[list[NotBlank], Field(min_length=1)]


class Part(Model):
    """One part of the report, in order: a chapter file, under a title or a framework domain."""

    file: str
    title: str | None = None
    domain: str | None = None
    contents: bool = True


# A chart's data is drawn by matplotlib at `check`: what it cannot lay out, or lays out for minutes, is
# refused here, at the value's line. Labels are drawn as written (no mathtext: stages/charts.py).
CHART_LABEL_LIMIT = 200  # characters of a category, a series' name or a title (a 200,000 took 37 s)
CHART_UNIT_LIMIT = 20  # characters of the unit said after every value
CHART_MAX_VALUE = 1e15  # matplotlib lays out axes up to far beyond; 1.6e308 overflows them to inf


def _chart_label(value: str, limit: int = CHART_LABEL_LIMIT) -> str:
    if len(value) > limit:
        raise PydanticCustomError("value_too_long", "{length} characters; a chart's label may be at most {limit}: "
                                  "shorten it", {"length": len(value), "limit": limit})
    return value


def _chart_value(value: float) -> float:
    if not math.isfinite(value) or not 0 <= value <= CHART_MAX_VALUE:
        raise ValueError(f"a chart's value is a number from 0 to {CHART_MAX_VALUE:g} (not {value!r})")
    return value


ChartLabel = Annotated[NotBlank, AfterValidator(_chart_label)]
ChartValue = Annotated[float, AfterValidator(_chart_value)]


class ChartSpec(Model):
    """A small table of numbers drawn as a bar chart by `::: chart NAME` (report.yaml `charts:`)."""

    title: ChartLabel  # the chart's caption
    unit: Annotated[str, AfterValidator(lambda v: _chart_label(v, CHART_UNIT_LIMIT))] = ""  # "%" or " cases"
    categories: Annotated[list[ChartLabel], Field(min_length=1, max_length=30)]
    series: Annotated[dict[str, list[ChartValue]], Field(min_length=1, max_length=6)]
    axis: ChartLabel  # what the values count ("Cases"): the value axis's label; no chart without labels
    table: Annotated[str, Field(pattern=r"^[A-Za-z][\w-]*$")] | None = None  # the id of a numbered table
    # holding the same numbers: the chart refers to it instead of repeating them as a data table

    @model_validator(mode="after")
    def _series_fit(self) -> "ChartSpec":
        for name, values in self.series.items():
            shown = repr(name[:40])  # a name may hold anything a YAML key can: never printed raw
            if len(name) > CHART_LABEL_LIMIT:
                raise PydanticCustomError("value_too_long", "series {name}…: {length} characters in its name; a "
                                          "chart's label may be at most {limit}: shorten it",
                                          {"name": repr(name[:20]), "length": len(name), "limit": CHART_LABEL_LIMIT})
            if not name.strip():
                raise ValueError("a series needs a name")
            control = next((c for c in name if unicodedata.category(c) in ("Cc", "Cs") and c not in "\t"), None)
            if control is not None:
                raise ValueError(f"series {shown}: its name holds the control character U+{ord(control):04X}, which "
                                 "Word and PDF files cannot hold; remove it")
            if len(values) != len(self.categories):
                raise ValueError(f"series {shown} has {len(values)} values for {len(self.categories)} categories")
        return self


class ReportSpec(Model):
    framework: str
    metadata: Metadata
    sample: dict[str, int | str] = {}
    findings: dict[str, Finding] = {}
    score: int | None = None
    overall_rating: str | None = None
    recommendations: list[RecommendationGroup] = []
    previous_recommendations: list[PreviousRecommendation] = []  # the last inspection's, followed up
    details: dict[str, object] = {}  # the framework's own facts (framework `details.fields`), checked there
    links: dict[str, str] = {}
    parts: Annotated[list[Part], Field(min_length=1)]
    docx_reference: str | None = None  # a .docx whose styles the DOCX uses, relative to the report folder
    status: Literal["draft", "final"] = "final"  # draft: builds are marked as drafts unless --final
    version: NotBlank | None = None  # a draft's version on its cover; else the git commit and date
    theme: str | None = None  # a theme's name: the report's themes/<name>/ or a shipped theme (generator/themes.py)
    glossary: dict[NotBlank, NotBlank] = {}  # abbreviation -> what it stands for (`::: glossary`, <abbr>)
    charts: dict[str, ChartSpec] = {}  # name -> a table of numbers, drawn by `::: chart NAME`
    editions: Annotated[list[str], Field(min_length=1)] | None = None  # languages, the primary first (editions.py)

    @field_validator("links")
    @classmethod
    def _links_have_schemes(cls, links: dict[str, str]) -> dict[str, str]:
        for key, url in links.items():
            if not re.match(r"^(https?://|mailto:)", url) and "@" not in url:
                raise ValueError(f"link '{key}' must be an http(s) URL, got {url!r}")
        return links


@dataclass
class Validated:
    sources: Sources
    framework: Framework
    report: ReportSpec
    theme: Theme | None = None


# --------------------------------------------------------------------------- locating values

def line_of(yaml_file: YamlFile, loc: tuple) -> tuple[int, int]:
    """1-based (line, column) of the value at `loc` (a path of keys and indexes), or of its
    nearest parent that is in the file."""
    for end in range(len(loc), 0, -1):
        where = yaml_file.positions.get(tuple(loc[:end]))
        if where:
            return where
    return 1, 1


def _model_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """The declared field names of the (sub)model at `loc`, for suggestions."""
    for key in loc:
        if isinstance(key, int):
            continue
        field_info = model.model_fields.get(key)
        if field_info is None:
            return []
        annotation = field_info.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        models = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
        if not models:
            inner_args = [arg for a in inner for arg in getattr(a, "__args__", ())]
            models = [a for a in inner_args if isinstance(a, type) and issubclass(a, BaseModel)]
        if not models:
            return []
        model = models[0]
    return [f.alias or name for name, f in model.model_fields.items()]


CUSTOM_CODES = {"value_too_long": "value-too-long", "date_out_of_range": "date-out-of-range",
                "value_empty": "value-empty", "isbn_invalid": "isbn-invalid"}

# What to write, in the author's terms, for each field of report.yaml (`*`: any key or index).
HINTS = {
    "framework": "give the id of the rating framework, e.g. hmip-pdu-2023",
    "metadata": "give the metadata: block (title, unit, dates, ISBN...; see the README)",
    "metadata.title": "give the report's title, e.g. \"An inspection of probation services in: Surrey PDU\"",
    "metadata.short_title": "give a short name for the report, e.g. Surrey PDU",
    "metadata.unit": "give the inspected unit, e.g. Surrey PDU",
    "metadata.unit_long": "give the unit's long name, or remove the line",
    "metadata.region": "give the region, e.g. South East and Eastern",
    "metadata.inspectorate": "give the inspectorate's name, e.g. HM Inspectorate of Probation",
    "metadata.published": "give the month of publication as YYYY-MM, e.g. 2024-03",
    "metadata.fieldwork_start": "give the day fieldwork started as YYYY-MM-DD, e.g. 2024-01-15",
    "metadata.lead_inspector": "give the lead inspector's name",
    "metadata.chief_inspector": "give the chief inspector who signs the foreword as {name: ..., role: ...}",
    "metadata.chief_inspector.name": "give the name of the chief inspector who signs the foreword",
    "metadata.chief_inspector.role": "give the chief inspector's role, e.g. HM Chief Inspector of Probation",
    "metadata.isbn": ISBN_HINT,
    "metadata.language": "give the language as a tag such as en-GB or cy",
    "metadata.copyright_year": "give the copyright year as four digits, e.g. 2024",
    "metadata.subject": "say in one sentence what the report is about (the documents' description)",
    "metadata.keywords": "give the keywords as a list, e.g. [probation, inspection]",
    "metadata.keywords.*": "write the keyword, or remove it",
    "metadata.publisher": "give the publisher as {name: ..., address: [lines]}",
    "metadata.publisher.name": "give the publisher's name",
    "metadata.publisher.address": "give the address as a list of lines, e.g. [1st Floor, Civil Justice Centre]",
    "metadata.publisher.address.*": "write the address line, or remove it",
    "sample.*": "give a number or a short text",
    "findings.*.rating": "give the rating, one of the framework's scale",
    "findings.*.key_questions": "give the key questions' figures as percentages in order, e.g. [46, 73, 32]",
    "findings.*.key_questions.*": "give the figure as a percentage, 0-100",
    "score": "give the score as a whole number, or remove the line (it is computed)",
    "recommendations": "give the recommendations as a list of {addressee, items}",
    "recommendations.*.addressee": "say who the recommendations are for, e.g. Surrey PDU",
    "recommendations.*.items": "give at least one recommendation, one '- ' line each",
    "recommendations.*.items.*": "write the recommendation, or remove the line",
    "previous_recommendations": "list the last inspection's recommendations, each {text, status, evidence}",
    "previous_recommendations.*.text": "give the recommendation's text as the last report wrote it",
    "previous_recommendations.*.reference": "give its number in the last report, e.g. \"3\", or remove the line",
    "previous_recommendations.*.addressee": "say whom it was for, e.g. Surrey PDU, or remove the line",
    "previous_recommendations.*.status": "give its progress, one of the framework's follow_up scale",
    "previous_recommendations.*.evidence": "say in a sentence what was found, or remove the line",
    "links.*": "give the address, starting https:// or mailto:",
    "parts": "list the parts of the report in order, each {file: <name>.md, title: <title>}",
    "parts.*.file": "give the chapter's file name, e.g. foreword.md",
    "parts.*.title": "give the part's title, or a domain: of the framework",
    "docx_reference": "give a .docx file in the report folder, or remove the line",
}

# What a value must be, by pydantic's error type: for a value of the wrong kind.
KINDS = {
    "string_type": "give text", "int_type": "give a whole number", "int_parsing": "give a whole number",
    "int_from_float": "give a whole number", "float_type": "give a number", "float_parsing": "give a number",
    "bool_type": "give true or false", "bool_parsing": "give true or false",
    "date_type": "give a date as YYYY-MM-DD", "date_parsing": "give a date as YYYY-MM-DD",
    "date_from_datetime_parsing": "give a date as YYYY-MM-DD", "date_from_datetime_inexact": "give a date as YYYY-MM-DD",
    "list_type": "give a list, [a, b] or one '- item' a line", "dict_type": "give a mapping, one 'key: value' a line",
    "model_type": "give a mapping, one 'key: value' a line", "model_attributes_type": "give a mapping, one 'key: value' a line",
}


def hint(loc: tuple) -> str | None:
    """The instruction for the field at `loc`, or None."""
    keys = [str(k) for k in loc]
    for pattern, text in HINTS.items():
        parts = pattern.split(".")
        if len(parts) == len(keys) and all(p in ("*", k) for p, k in zip(parts, keys)):
            return text
    return None


_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()


def ordinal(index: int) -> str:
    """A 0-based index as the author counts: 0 -> 'first', 11 -> '12th'."""
    number = index + 1
    if number <= len(_ORDINALS):
        return _ORDINALS[index]
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def yaml_path(loc: tuple) -> str:
    """A path of keys and indexes as the author reads it: keys joined by dots, each index counted
    from one, in words: ('findings', 'P2.1', 'key_questions', 1) -> 'findings.P2.1.key_questions
    (second item)'; control characters escaped."""
    out = ""
    for key in loc:
        if isinstance(key, int) and not isinstance(key, bool):
            out += f" ({ordinal(key)} item)"
        else:
            out += ("." if out else "") + str(key)
    return _printable(out) or "(top level)"


def _shown(value) -> str:
    """A value as the author wrote it (YAML reads 2024-03-01 as a date, yes as true)."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, (dt.date, int, float)):
        text = str(value)
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def instruction(err: dict, loc: tuple) -> str:
    """What to write instead of a value pydantic refused, in the author's terms."""
    kind, given, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    field_hint = hint(loc)
    problem = date_problem(given) if isinstance(given, str) and kind != "string_type" else None
    if problem:  # a date or month that does not exist, as text (quoted, or unquoted: see load._scalar)
        what = "a date" if given.count("-") >= 2 else "a month"
        return f"{given.strip()} is not {what}: {problem}; {field_hint or 'give a date as YYYY-MM-DD'}"
    if kind == "string_type" and isinstance(given, (int, float, bool)):  # YAML read it as a number or true/false
        what = "true or false" if isinstance(given, bool) else "a number"
        return f"{field_hint or 'give text'}: {_shown(given)} reads as {what}; put it in quotes"
    if kind == "string_pattern_mismatch" or kind in KINDS:
        return f"{field_hint or KINDS.get(kind, 'give a value of the right form')} (not {_shown(given)})"
    if kind == "literal_error":
        return f"give one of {ctx.get('expected', '')} (not {_shown(given)})"
    if kind in ("too_short", "too_long", "string_too_long", "string_too_short"):
        return f"{field_hint + ': ' if field_hint else ''}{err['msg'][0].lower()}{err['msg'][1:]}"
    return f"{err['msg'].removeprefix('Value error, ')}" + (f"; {field_hint}" if field_hint else "")


def _printable(text: str) -> str:
    """`text` with its control characters escaped (a key may hold any): a diagnostic never prints one raw."""
    return "".join(c if unicodedata.category(c) not in ("Cc", "Cs") else repr(c)[1:-1] for c in text)


def _scale_list_loc(loc: tuple, yaml_file: YamlFile) -> tuple:
    """A named scale written as a list (`met: [...]`) is read as `{ratings: [...]}`: its errors are
    located at the list's items, as written."""
    if len(loc) > 2 and loc[0] == "scales" and loc[2] == "ratings" and isinstance(yaml_file.data, dict):
        scales = yaml_file.data.get("scales")
        if isinstance(scales, dict) and isinstance(scales.get(loc[1]), list):
            return loc[:2] + loc[3:]
    return loc


def _report_errors(exc: ValidationError, model: type[BaseModel], yaml_file: YamlFile,
                   diags: Diagnostics, emptied: frozenset = frozenset()) -> None:
    """Pydantic's errors as instructions, each at its value's line. `emptied`: the keys whose
    value was empty (`~` or blank text), reported as empty rather than missing."""
    for err in exc.errors():
        loc = _scale_list_loc(tuple(k for k in err["loc"] if not (isinstance(k, str) and k.startswith("function-"))),
                              yaml_file)
        if any(loc[:end] in yaml_file.failed for end in range(len(loc) + 1)):
            continue  # a value load could not read, reported there: not also missing or of the wrong kind
        dotted = yaml_path(loc)
        line, col = line_of(yaml_file, loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            known = _model_fields(model, loc[:-1])
            diags.error("key-unknown", f"unknown key '{loc[-1]}'" + did_you_mean(str(loc[-1]), known),
                        yaml_file.path, line, col)
        elif kind == "missing" or (err.get("input") is None and kind in KINDS):
            how = hint(loc) or "give it"
            if kind == "missing" and loc not in emptied:
                diags.error("key-missing", f"{dotted} is missing: {how}", yaml_file.path, line, col)
            else:
                diags.error("value-empty", f"{dotted} is empty: {how}", yaml_file.path, line, col)
        elif kind in CUSTOM_CODES:
            diags.error(CUSTOM_CODES[kind], f"{dotted}: {err['msg']}", yaml_file.path, line, col)
        elif "key_questions" in loc and kind in ("less_than_equal", "greater_than_equal"):
            diags.error("figure-out-of-range", f"{dotted}: {err.get('input')!r} is not a percentage: give a figure "
                        "from 0 to 100", yaml_file.path, line, col)
        elif loc and loc[-1] == "[key]" and kind == "string_type":
            diags.error("value-invalid", f"{yaml_path(loc[:-2])}: the key {err.get('input')!r} reads as a "
                        f"number: put it in quotes, \"{err.get('input')}\":", yaml_file.path, line, col)
        else:
            diags.error("value-invalid", f"{dotted}: {instruction(err, loc)}", yaml_file.path, line, col)


def blank_as_missing(data, loc: tuple = (), emptied: set | None = None, failed=frozenset()):
    """report.yaml with every empty value (`~`, "" or blanks) of a mapping left out, as if not
    written, and an empty list item as None; `emptied` collects the keys left out (not those of
    `failed`, values load could not read)."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                if emptied is not None and loc + (key,) not in failed:
                    emptied.add(loc + (key,))
                continue
            out[key] = blank_as_missing(value, loc + (key,), emptied, failed)
        return out
    if isinstance(data, list):
        return [None if isinstance(item, str) and not item.strip()
                else blank_as_missing(item, loc + (index,), emptied, failed) for index, item in enumerate(data)]
    return data


def _parse(model: type[BaseModel], yaml_file: YamlFile, diags: Diagnostics, emptied: frozenset = frozenset()):
    """The whole typed model, or None; errors are reported, each at its value's line."""
    if yaml_file.data is None:
        diags.error("file-empty", "the file is empty: it needs the fields described in the README", yaml_file.path, 1)
        return None
    if not isinstance(yaml_file.data, dict):
        diags.error("yaml-not-mapping", "expected a mapping of fields (key: value) at the top level",
                    yaml_file.path, 1)
        return None
    try:
        return model.model_validate(yaml_file.data)
    except ValidationError as exc:
        _report_errors(exc, model, yaml_file, diags, emptied)
        return None


def _valid_fields(model: type[BaseModel], yaml_file: YamlFile) -> dict:
    """The top-level fields that are valid on their own, so cross-checks can still run on them
    when another part of the file is broken (every problem is reported at once)."""
    data = yaml_file.data if isinstance(yaml_file.data, dict) else {}
    valid = {}
    for name, info in model.model_fields.items():
        if name in data:
            try:
                valid[name] = TypeAdapter(info.annotation).validate_python(data[name])
            except ValidationError:
                pass
    return valid


# --------------------------------------------------------------------------- characters

_NAMED_ESCAPES = {0x00: "0", 0x07: "a", 0x08: "b", 0x0B: "v", 0x0C: "f", 0x1B: "e", 0x85: "N"}


def _hex(value: int, digits: int) -> str:
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{value:0{digits}x}")


def _escape_re(char: str) -> re.Pattern:
    """The ways a YAML double-quoted string can write `char` (it cannot appear raw: the YAML reader
    refuses non-printable characters)."""
    code = ord(char)
    forms = [re.escape("\\" + _NAMED_ESCAPES[code])] if code in _NAMED_ESCAPES else []
    if code <= 0xFF:
        forms.append(r"\\x" + _hex(code, 2))
    if code <= 0xFFFF:
        forms.append(r"\\u" + _hex(code, 4))
    forms.append(r"\\U" + _hex(code, 8))
    return re.compile("|".join(forms))


def check_characters(yaml_file: YamlFile, diags: Diagnostics) -> None:
    """Every string of a YAML file (keys too) must be text the outputs can hold: no control
    characters (see CONTROL_RE). Each is reported at the escape that wrote it where it can be
    found, else at its key."""
    try:
        lines = yaml_file.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    starts = sorted({line for line, _ in yaml_file.positions.values()})

    def where(loc: tuple, value: str, index: int) -> tuple[int, int]:
        line, col = line_of(yaml_file, loc)
        if loc not in yaml_file.positions:
            return line, col
        end = next((s for s in starts if s > line), len(lines) + 1)
        pattern = _escape_re(value[index])
        nth = value[:index].count(value[index])
        seen = 0
        for number in range(line, min(end, len(lines) + 1)):
            text = lines[number - 1]
            for match in pattern.finditer(text, col - 1 if number == line else 0):
                if seen == nth:
                    return number, match.start() + 1
                seen += 1
        return line, col

    def report(loc: tuple, value: str, what: str) -> None:
        for match in CONTROL_RE.finditer(value):
            line, col = where(loc, value, match.start())
            diags.error("control-character", f"{what}, character {match.start() + 1}: "
                        f"{describe_character(match[0])}; remove it", yaml_file.path, line, col)

    def visit(value, loc: tuple) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    report(loc + (key,), key, f"the key {key!r}")
                visit(item, loc + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, loc + (index,))
        elif isinstance(value, str):
            report(loc, value, yaml_path(loc))

    visit(yaml_file.data, ())


# --------------------------------------------------------------------------- cross-checks

def _duplicates(values: list) -> list[tuple[int, object, int]]:
    """(index, value, index of the first) for each value seen before."""
    seen: dict = {}
    out = []
    for index, value in enumerate(values):
        if value in seen:
            out.append((index, value, seen[value]))
        else:
            seen[value] = index
    return out


def rule_matches(rule: Rule, counts: dict[str, int], rated: dict[str, str] | None = None) -> bool:
    """Whether every condition of an overall rule holds for these counts of ratings (by scale id)
    and, for a condition naming a standard, its rating (`rated`: standard id -> rating id)."""
    rated = rated or {}
    return all((rated.get(c.standard) == c.rating) if c.standard is not None else
               ((c.at_least is None or counts.get(c.rating, 0) >= c.at_least)
                and (c.at_most is None or counts.get(c.rating, 0) <= c.at_most)) for c in rule.when)


def _yaml_quoted(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z][A-Za-z0-9 ._-]*", text) else '"' + text.replace('"', '\\"') + '"'


def _bands_not_finite(key: str, bands: list[Band], low: float, high: float, integers: bool, error,
                      base: tuple | None = None) -> bool:
    """A band from .inf never applies (the best rating is out of reach); from -.inf or .nan is no
    bound at all. Each is an error; True if any."""
    kind = "whole number" if integers else "number"
    found = False
    for index, band in enumerate(bands):
        if math.isfinite(band.lower):
            continue
        found = True
        if band.lower == math.inf:
            why = (f"can never apply: no {'score' if integers else 'value'} reaches infinity, so '{band.rating}' "
                   "could never be given")
        else:
            why = "is no bound: it is not a number" if math.isnan(band.lower) else "is no bound: it is minus infinity"
        shown = ".nan" if math.isnan(band.lower) else ".inf" if band.lower > 0 else "-.inf"
        error(f"{key}: the band from {shown} ({band.rating}) {why}; start it at a {kind} from {low:g} to {high:g}",
              (base or (key,)) + (index, "from"))
    return found


RATING_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
                               "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})


def _same_words(text: str) -> str:
    """A label as a reader compares it: case, spaces and the shape of quotes aside."""
    text = unicodedata.normalize("NFKC", text).translate(RATING_QUOTES).casefold()
    return "".join(text.split())


def _check_not_rated_label(fw: Framework, error) -> None:
    """A standard nobody rated, or one that does not apply, must not read as rated: labels.not_rated
    and labels.not_applicable are none of the rating words, nor each other."""
    if not fw.rated:
        return
    for name in ("not_rated", "not_applicable"):
        label = getattr(fw.labels, name)
        if label is None or not label.strip():
            continue
        same = next((item for item in fw.all_ratings if _same_words(item.label) == _same_words(label)), None)
        if same is not None:
            nobody = "nobody rated" if name == "not_rated" else "that does not apply"
            example = "not_rated: Not rated" if name == "not_rated" else "not_applicable: Not applicable"
            error(f"labels.{name} is '{label}', which reads as the rating '{same.label}' ({same.id}): a standard "
                  f"{nobody} would be shown as rated; give words of its own, e.g. {example}", ("labels", name))
    not_rated, not_applicable = fw.labels.not_rated, fw.labels.not_applicable
    if not_rated and not_applicable and _same_words(not_rated) == _same_words(not_applicable):
        error(f"labels.not_applicable is '{not_applicable}', the same words as labels.not_rated: a standard that "
              "does not apply would read as one nobody rated; give each its own words",
              ("labels", "not_applicable"))


def _check_scale(scale: list[ScaleItem], where: str, base: tuple, error) -> None:
    """A scale's ids, labels and points are unique, points not negative, and it is best first."""
    for index, value, first in _duplicates([s.id for s in scale]):
        error(f"{where}: the id '{value}' is given twice (first at scale item {first + 1})", base + (index, "id"))
    for index, value, first in _duplicates([s.label for s in scale]):
        error(f"{where}: the label '{value}' is given twice (first at scale item {first + 1})",
              base + (index, "label"))
    for index, value, first in _duplicates([s.points for s in scale]):
        error(f"{where}: {value} points are given twice (first at scale item {first + 1}); each rating needs its "
              "own points", base + (index, "points"))
    for index in range(1, len(scale)):
        if scale[index].points > scale[index - 1].points:
            error(f"{where}: the scale is listed best first, but '{scale[index].id}' has more points "
                  f"({scale[index].points}) than '{scale[index - 1].id}' ({scale[index - 1].points}) "
                  "before it", base + (index, "points"))
    for index, item in enumerate(scale):
        if item.points < 0:
            error(f"{where}: points cannot be negative ({item.id}: {item.points})", base + (index, "points"))


def _check_score_can_score(fw: Framework, scored: list[Standard], error) -> None:
    """A score whose maximum is 0 ("Score 0/0") is no score: no rating can score."""
    if not fw.has_score:
        return
    if max(item.points for item in fw.scale) == 0:
        error("scale: every rating has 0 points, so every report would score 0/0 and no rating could score: give "
              "the ratings points (the best the most), or write score: false", ("scale", 0, "points"))
    elif not scored:
        error("no standard is scored (each is rated_by: not_rated or scored: false), so every report would score "
              "0/0: score a standard, or write score: false", ("score",) if "score" in fw.model_fields_set
              else ("domains",))


def _check_details(fw: Framework, error) -> None:
    """The framework's own fields (`details.fields`): names a chapter can read, ratings only on a scale."""
    if fw.details is None:
        return
    for name, spec in fw.details.fields.items():
        loc = ("details", "fields", name)
        if not DETAIL_NAME.match(name):
            error(f"details.fields: {name!r} is not a field name a chapter can read as {{{{ details.<name> }}}}: "
                  "use small letters, digits and _, starting with a letter, e.g. previous_grade", loc)
        elif spec.type == "rating" and not fw.rated:
            error(f"details.fields.{name} is a rating, but {fw.id} has no scale to rate on: give its type as "
                  "text, or add a scale", loc + ("type",))


def _check_bands(key: str, bands: list[Band], base: tuple, low: float, high: float, integers: bool,
                 scale_ids: list[str], points: dict[str, int], error) -> None:
    """One table of bands (the key questions', the overall's, a domain's), named `key` in messages and
    located under `base`: every rating on the scale, the lowest band at `low`, every band reachable
    by a value from `low` to `high` (whole numbers where `integers`), and a higher value never rating
    worse."""
    for index, band in enumerate(bands):
        if band.rating not in scale_ids:
            error(f"{key}: rating '{band.rating}' is not on the scale" + did_you_mean(band.rating, scale_ids),
                  base + (index, "rating"))
    if _bands_not_finite(key, bands, low, high, integers, error, base):
        return  # the checks below weigh numbers
    for index, value, first in _duplicates([b.lower for b in bands]):
        error(f"{key}: two bands start at {value:g} (the first is band {first + 1}); only one can apply",
              base + (index, "from"))
    lowest = min(b.lower for b in bands)
    if lowest > low:
        index = next(i for i, b in enumerate(bands) if b.lower == lowest)
        error(f"{key}: the lowest band starts at {lowest:g}, so a value from {low:g} to below {lowest:g} has "
              f"no rating: make the lowest band start at {low:g}", base + (index, "from"))
    ordered = sorted(enumerate(bands), key=lambda ib: -ib[1].lower)
    for position, (index, band) in enumerate(ordered):
        upper = ordered[position - 1][1].lower if position else math.inf
        if band.lower == upper:
            continue  # a duplicate start, reported above
        start = max(band.lower, low)
        if integers:
            start = math.ceil(start)
        reachable = start < upper and start <= high
        if not reachable:
            error(f"{key}: the band from {band.lower:g} ({band.rating}) can never apply: "
                  + (f"the highest possible value is {high:g}" if band.lower > high
                     else f"no {'whole number' if integers else 'value'} from {band.lower:g} reaches it before "
                     f"the next band at {upper:g}"), base + (index, "from"))
        if position and band.rating in points and ordered[position - 1][1].rating in points \
                and points[band.rating] > points[ordered[position - 1][1].rating]:
            error(f"{key}: the band from {band.lower:g} gives '{band.rating}', better than the higher band from "
                  f"{upper:g} ('{ordered[position - 1][1].rating}'): a higher value must never rate worse",
                  base + (index, "rating"))


def _check_domain_ratings(fw: Framework, error) -> None:
    """A domain rated from its standards' points: its bands checked as the overall's are, over the
    points its scored standards can add up to (or 0 to 100 per cent), rating on the domain's scale."""
    for d, domain in enumerate(fw.domains):
        if domain.rating is None:
            continue
        base = ("domains", d, "rating")
        scored = [st for st in domain.standards if st.rated_by != "not_rated" and st.scored and fw.scale_scored(st)]
        if not scored:
            error(f"domain '{domain.id}' is rated from its standards' points, but none of its standards is scored "
                  "(each is not rated, scored: false, or on a scale with scored: false): remove its rating",
                  base + ("by",))
            continue
        scale = fw.scales[domain.scale].ratings if domain.scale in fw.scales else fw.scale
        key = f"domain '{domain.id}' rating.bands"
        if not domain.rating.bands:
            error(f"{key} is empty: give at least one band from 0", base + ("bands",))
            continue
        if domain.rating.by == "points":
            low, high = 0.0, float(sum(max((item.points for item in fw.scale_of(st)), default=0) for st in scored))
        else:
            low, high = 0.0, 100.0
        _check_bands(key, domain.rating.bands, base + ("bands",), low, high, domain.rating.by == "points",
                     [item.id for item in scale], {item.id: item.points for item in scale}, error)


def _check_framework(fw: Framework, yaml_file: YamlFile, diags: Diagnostics) -> None:
    """Every mistake in a framework that could make the arithmetic wrong is a located error."""

    def error(message: str, loc: tuple) -> None:
        diags.error("framework-invalid", message, yaml_file.path, *line_of(yaml_file, loc))

    stem = Path(str(yaml_file.path)).stem
    if fw.id != stem:
        error(f"id '{fw.id}' must match the file's name ('{stem}.yaml'): write id: {stem}", ("id",))
    scale_ids = [s.id for s in fw.scale]
    try:  # assemble fills in {addressee}, and nothing else
        fields = [(name, spec, conversion) for _, name, spec, conversion
                  in string.Formatter().parse(fw.recommendations_lead) if name is not None]
    except ValueError as exc:
        fields = [(str(exc), "", None)]
    if any(f != ("addressee", "", None) for f in fields):
        names = [f[0] for f in fields if f[0] != "addressee"]
        hint = did_you_mean(names[0], ["addressee"]) if names else ""
        error("recommendations_lead may name only {addressee} (write '{{' and '}}' "
              f"for braces): {fw.recommendations_lead!r}{hint}", ("recommendations_lead",))
    _check_publication(fw, error)
    _check_details(fw, error)
    caption = fw.key_question_table.caption if fw.key_question_table else None
    if caption and not fw.presentation.standard_codes and "{code}" in caption:
        error(f"key_question_table.caption names {{code}}, but presentation.standard_codes is false, so standards "
              f"have no code: name {{title}} alone: {caption!r}", ("key_question_table", "caption"))
    unknown = sorted(set(re.findall(r"\{([^{}]*)\}", caption or "")) - {"code", "title"})
    if unknown:  # assemble fills in {code} and {title}, and nothing else
        error(f"key_question_table.caption may name only {{code}} and {{title}}: {caption!r}"
              + did_you_mean(unknown[0], ["code", "title"]), ("key_question_table", "caption"))
    if fw.follow_up is not None:
        _check_follow_up(fw.follow_up, error)
    # the scale: unique ids and labels, points unique and best first; each named scale the same
    _check_scale(fw.scale, "scale", ("scale",), error)
    raw_scales = yaml_file.data.get("scales") if isinstance(yaml_file.data, dict) else None
    seen_rating: dict[str, str] = {item.id: "scale" for item in fw.scale}
    for name, named in fw.scales.items():
        raw = raw_scales.get(name) if isinstance(raw_scales, dict) else None
        base = ("scales", name, "ratings") if isinstance(raw, dict) else ("scales", name)
        if not name.strip():
            error("scales: a scale's name is blank: give it a name, e.g. met", ("scales", name))
        if not named.ratings:
            error(f"scales.{name} is empty: give its ratings, best first, e.g. {{id: met, label: Met, points: 1, "
                  "colour: \"#00703C\", text_colour: \"#FFFFFF\"}}", base)
        _check_scale(named.ratings, f"scales.{name}", base, error)
        for index, item in enumerate(named.ratings):
            if seen_rating.get(item.id, f"scales.{name}") != f"scales.{name}":
                error(f"scales.{name}: the id '{item.id}' is also a rating of {seen_rating[item.id]}: an id names one "
                      "rating across every scale (bands, rules and styles name ratings by id); give it another",
                      base + (index, "id"))
            seen_rating.setdefault(item.id, f"scales.{name}")
    if fw.scales and not fw.scale:
        error("scales: given, but there is no default scale: give scale: too (the ratings of the standards that "
              "name no scale, and of the overall rating)", ("scales",))
    scale_names = list(fw.scales)

    def unknown_scale(name: str, whose: str, loc: tuple) -> None:
        hint = did_you_mean(name, scale_names) or (f" (its scales: {', '.join(scale_names)})" if scale_names
                                                   else ": define it under scales:, or remove the line")
        error(f"{whose} is rated on the scale '{name}', which is not one of the framework's scales" + hint, loc)

    for d, domain in enumerate(fw.domains):
        if domain.scale is not None and domain.scale not in fw.scales:
            unknown_scale(domain.scale, f"domain '{domain.id}'", ("domains", d, "scale"))
    points = {s.id: s.points for s in fw.scale}
    # domains and standards
    for index, value, first in _duplicates([d.id for d in fw.domains]):
        error(f"domains: the domain id '{value}' is given twice", ("domains", index, "id"))
    all_standards = [(d, s, st) for d, domain in enumerate(fw.domains) for s, st in enumerate(domain.standards)]
    seen_ids: dict[str, tuple] = {}
    for d, s, standard in all_standards:
        loc = ("domains", d, "standards", s)
        if standard.id in seen_ids:
            error(f"the standard id '{standard.id}' is given twice (first in domain "
                  f"'{fw.domains[seen_ids[standard.id][0]].id}')", loc + ("id",))
        seen_ids.setdefault(standard.id, (d, s))
        if standard.rated_by == "key_questions" and not standard.key_questions:
            error(f"standard {standard.id} is rated by key questions but lists none", loc)
        if standard.rated_by != "key_questions" and standard.key_questions:
            error(f"standard {standard.id} lists key questions but is rated by {standard.rated_by}: write "
                  "rated_by: key_questions, or remove them", loc + ("key_questions",))
        if not fw.rated and standard.rated_by != "not_rated":
            error(f"standard {standard.id} is rated by {standard.rated_by}, but the framework has no scale: "
                  "write rated_by: not_rated, or add a scale", loc + ("rated_by",))
        if standard.scale is not None and standard.scale not in fw.scales:
            unknown_scale(standard.scale, f"standard {standard.id}", loc + ("scale",))
        elif standard.rated_by == "key_questions" and fw.scale_name(standard) in fw.scales:
            error(f"standard {standard.id} is rated by key questions, whose bands rate on the default scale, but it "
                  f"is on the scale '{fw.scale_name(standard)}': rate it by judgement, or keep it on the default "
                  "scale", loc + (("scale",) if standard.scale is not None else ("rated_by",)))
        if fw.presentation.standard_codes and not (standard.code or "").strip():
            error(f"standard {standard.id} has {'no' if standard.code is None else 'a blank'} code, which every "
                  f"output prints before its title: give its code, e.g. code: {_yaml_quoted(standard.id)}, or say "
                  "the framework's standards carry none (presentation: {standard_codes: false})",
                  loc + (() if standard.code is None else ("code",)))
        elif not fw.presentation.standard_codes and standard.code is not None:
            error(f"standard {standard.id} has code {_yaml_quoted(standard.code)}, but presentation.standard_codes "
                  "is false, so no output prints it: remove it", loc + ("code",))
    for d, domain in enumerate(fw.domains):
        if not domain.standards:
            error(f"domain '{domain.id}' has no standards, so its table and chapter would be empty: give its "
                  "standards, or remove the domain", ("domains", d, "standards"))
    kq_standards = [st for _, _, st in all_standards if st.rated_by == "key_questions"]
    scored = [st for _, _, st in all_standards if st.rated_by != "not_rated" and st.scored and fw.scale_scored(st)]
    # labels the generated parts need
    needed = []
    if fw.rated:
        needed += ["rating", "standard", "not_rated", "fieldwork_started"]
        if fw.has_score:
            needed.append("score")
        if fw.overall != "none":
            needed.append("overall_rating")
    for name in needed:
        value = getattr(fw.labels, name)
        if value is None or not value.strip():
            error(f"labels.{name} is needed (the ratings page and standard blocks show it): give it",
                  ("labels", name) if value is not None else ("labels",))
    _check_not_rated_label(fw, error)
    _check_score_can_score(fw, scored, error)
    if kq_standards and fw.key_question_table is None:
        error("key_question_table is needed: standards are rated by key questions", ("domains",))
    if not fw.rated:
        for key in ("key_question_bands", "overall_bands", "overall_rules"):
            if getattr(fw, key):
                error(f"{key} is given but the framework has no scale: remove it, or add a scale", (key,))
        if fw.overall != "none":
            error("a framework with no scale has no overall rating: write overall: none", ("overall",))
        for d, domain in enumerate(fw.domains):
            if domain.rating is not None:
                error(f"domain '{domain.id}' is rated from points, but the framework has no scale: remove its "
                      "rating, or add a scale", ("domains", d, "rating"))
        return
    _check_limits(fw, error)
    # band tables
    band_tables = [("key_question_bands", 0.0, 100.0, False)]
    if fw.overall == "bands":
        low = 0  # points are never negative, and a report may mark every standard not rated
        high = sum(max((item.points for item in fw.scale_of(st)), default=0) for st in scored)
        band_tables.append(("overall_bands", float(low), float(high), True))
    elif fw.overall_bands:
        error(f"overall_bands is given but the overall rating is by {fw.overall}: remove it, or write "
              "overall: bands", ("overall_bands",))
    if fw.overall != "rules" and fw.overall_rules:
        error(f"overall_rules is given but the overall rating is by {fw.overall}: remove it, or write "
              "overall: rules", ("overall_rules",))
    for key, low, high, integers in band_tables:
        bands = getattr(fw, key)
        if not bands:
            if key == "overall_bands" or kq_standards:
                error(f"{key} is empty: give at least one band from {low:g}"
                      + ("" if key == "key_question_bands" else " (or write overall: none or overall: rules)"),
                      (key,))
            continue
        _check_bands(key, bands, (key,), low, high, integers, scale_ids, points, error)
    _check_domain_ratings(fw, error)
    # ordered count rules
    if fw.overall == "rules":
        rules = fw.overall_rules
        if not rules:
            error("overall: rules, but overall_rules is empty: give the rules, first match wins", ("overall_rules",))
            return
        valid = True
        # the rules count ratings per scale: the default scale's, and each scored named scale's,
        # each over the scored standards on it
        groups = [(scale_ids, sum(1 for st in scored if fw.scale_name(st) not in fw.scales))]
        groups += [([item.id for item in named.ratings], sum(1 for st in scored if fw.scale_name(st) == name))
                   for name, named in fw.scales.items() if named.scored]
        counted_ids = [rating for ids, _ in groups for rating in ids]
        names_standard = False
        for r, rule in enumerate(rules):
            if rule.rating not in scale_ids:
                valid = False
                error(f"overall_rules: rating '{rule.rating}' is not on the scale" + did_you_mean(rule.rating, scale_ids),
                      ("overall_rules", r, "rating"))
            for c, condition in enumerate(rule.when):
                if condition.domain is not None or condition.standard is not None:
                    names_standard = True
                    if not _named_standard_ok(fw, condition, ("overall_rules", r, "when", c), "overall_rules: a condition",
                                              error):
                        valid = False
                    elif condition.at_least is not None or condition.at_most is not None:
                        valid = False
                        error("overall_rules: a condition naming a standard holds when that standard has the rating: "
                              "remove at_least and at_most, or the standard to count ratings",
                              ("overall_rules", r, "when", c))
                    continue
                if condition.rating not in counted_ids:
                    valid = False
                    error(f"overall_rules: a condition counts '{condition.rating}', which is not on the scale"
                          + (" or a scored scale" if fw.scales else "")
                          + did_you_mean(condition.rating, counted_ids), ("overall_rules", r, "when", c, "rating"))
                if condition.at_least is None and condition.at_most is None:
                    valid = False
                    error("overall_rules: a condition needs at_least or at_most", ("overall_rules", r, "when", c))
                elif condition.at_least is not None and condition.at_most is not None \
                        and condition.at_least > condition.at_most:
                    valid = False
                    error(f"overall_rules: at_least {condition.at_least} is more than at_most {condition.at_most}: "
                          "the condition never holds", ("overall_rules", r, "when", c))
        if not valid:
            return
        named = None
        if names_standard:  # each named standard: its scale's ratings and the group it is counted in (or None)
            scored_names = [None] + [name for name, named_scale in fw.scales.items() if named_scale.scored]
            by_id = {st.id: st for st in fw.standards}
            named = {}
            for rule in rules:
                for condition in rule.when:
                    if condition.standard is not None:
                        st = by_id[condition.standard]
                        named[st.id] = ([item.id for item in fw.scale_of(st)],
                                        scored_names.index(fw.scale_name(st)) if st in scored else None)
        for severity, message, loc in check_rules(rules, scale_ids, len(scored),
                                                  groups=groups if (fw.scales or named) else None, named=named):
            if severity == "warning":
                diags.warning("framework-unchecked", message, yaml_file.path, *line_of(yaml_file, loc))
            else:
                error(message, loc)


def _named_standard_ok(fw: Framework, named, loc: tuple, whose: str, error, rating: bool = True,
                       domains: bool = False) -> bool:
    """A limit's or rule's `standard:` (and `rating:`, on that standard's own scale) name what the
    framework has; `domain:` (`domains`: a limit's) a domain rated from its standards' points (rule
    conditions name standards only). True if so."""
    ids = [st.id for st in fw.standards]
    if named.domain is not None and named.standard is not None:
        error(f"{whose} names both a standard and a domain: name one", loc)
        return False
    if named.domain is not None:
        domain_ids = [d.id for d in fw.domains]
        domain = next((d for d in fw.domains if d.id == named.domain), None)
        if not domains:
            error(f"{whose} names the domain '{named.domain}': a rule's condition names a standard (a domain's "
                  "rating comes from its standards' points, which the rules' check does not weigh): name one of its "
                  "standards, or write the limit under limits:", loc + ("domain",))
            return False
        if domain is None:
            error(f"{whose} names the domain '{named.domain}', which the framework does not have"
                  + did_you_mean(named.domain, domain_ids), loc + ("domain",))
            return False
        if domain.rating is None:
            error(f"{whose} names the domain '{domain.id}', which has no rating of its own: give the domain one "
                  "(rating: {by: points, bands: [...]}) or name one of its standards", loc + ("domain",))
            return False
        if rating:
            own = [item.id for item in (fw.scales[domain.scale].ratings if domain.scale in fw.scales else fw.scale)]
            if named.rating not in own:
                error(f"{whose}: '{named.rating}' is not a rating of the domain '{domain.id}' (its scale: "
                      f"{', '.join(own)})" + did_you_mean(named.rating, own), loc + ("rating",))
                return False
        return True
    if named.standard is None:
        error(f"{whose} names no standard: give standard: <id>", loc)
        return False
    standard = next((st for st in fw.standards if st.id == named.standard), None)
    if standard is None:
        error(f"{whose} names the standard '{named.standard}', which the framework does not have"
              + did_you_mean(named.standard, ids), loc + ("standard",))
        return False
    if standard.rated_by == "not_rated":
        error(f"{whose} names the standard '{standard.id}', which is never rated (rated_by: not_rated), so it can "
              "never apply", loc + ("standard",))
        return False
    if rating:
        own = [item.id for item in fw.scale_of(standard)]
        if named.rating not in own:
            error(f"{whose}: '{named.rating}' is not a rating of the standard '{standard.id}' (its scale: "
                  f"{', '.join(own)})" + did_you_mean(named.rating, own), loc + ("rating",))
            return False
    return True


def _check_limits(fw: Framework, error) -> None:
    """`limits:` each fix (`when` .. `then`) or cap (`at_most`) the overall, naming a standard the
    framework has, with ratings on the right scales; two fixes that can hold at once agree."""
    if not fw.limits:
        return
    if fw.overall == "none":
        error("limits are given but the framework gives no overall rating (overall: none): remove them, or "
              "write overall: judged, bands or rules", ("limits",))
        return
    scale_ids = [item.id for item in fw.scale]
    fixes: list[tuple[int, Limit]] = []
    for i, limit in enumerate(fw.limits):
        loc = ("limits", i)
        if (limit.at_most is None) == (limit.when is None):
            error("a limit is either when: {standard: <id>, rating: <id>} then: <rating> (it fixes the overall) or "
                  "at_most: {standard: <id>} (the overall can be no better than that standard): give one", loc)
            continue
        if limit.at_most is not None:
            if limit.then is not None:
                error("limits: at_most takes no then: remove it, or write when: instead of at_most:", loc + ("then",))
            elif _named_standard_ok(fw, limit.at_most, loc + ("at_most",), "limits: at_most", error, rating=False,
                                    domains=True):
                if limit.at_most.domain is not None:
                    scale = next(d for d in fw.domains if d.id == limit.at_most.domain).scale
                else:
                    scale = fw.scale_name(next(st for st in fw.standards if st.id == limit.at_most.standard))
                if scale is not None:
                    error(f"limits: at_most names the {limit.at_most.kind} '{limit.at_most.named}', rated on the scale "
                          f"'{scale}', not the overall's: 'no better than' compares ratings of one "
                          f"scale; name a {limit.at_most.kind} on the default scale, or write when: .. then:",
                          loc + ("at_most",))
            continue
        if limit.then is None:
            error("limits: when: needs then: <rating>, the overall it gives", loc)
            continue
        ok = _named_standard_ok(fw, limit.when, loc + ("when",), "limits: when", error, domains=True)
        if limit.then not in scale_ids:
            error(f"limits: then '{limit.then}' is not on the scale" + did_you_mean(limit.then, scale_ids),
                  loc + ("then",))
            ok = False
        if ok:
            fixes.append((i, limit))
    # two fixes contradict when both can hold at once (other standards, or the same standard and
    # rating) and give different ratings
    for a, (i, first) in enumerate(fixes):
        for j, second in fixes[a + 1:]:
            same = first.when.subject == second.when.subject
            if first.then != second.then and (not same or first.when.rating == second.when.rating):
                error(f"limits: this limit ({second.text()}) and limit {i + 1} ({first.text()}) can both apply to one "
                      f"report and give different overall ratings ('{second.then}' and '{first.then}'): make them "
                      "agree, or remove one", ("limits", j))


def _format_names(text: str) -> list[str]:
    """The names a text's `{name}` fields give, as str.format reads them ('{' and '}' doubled are
    braces); a field with a conversion or format spec, or a text str.format refuses, gives a name
    no check allows."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion
                  in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        return [str(exc)]
    return [name if not spec and conversion is None else f"{name}!{conversion or ''}:{spec}"
            for name, spec, conversion in fields]


def _check_publication(fw: Framework, error) -> None:
    """The anatomy (`publication:`): known parts, once each, and the text each generated part needs."""
    pub = fw.publication
    for index, name in enumerate(pub.parts):
        if name not in PUBLICATION_PARTS:
            error(f"publication.parts: '{name}' is not a part reportgen generates; the parts are "
                  f"{', '.join(PUBLICATION_PARTS)}" + did_you_mean(name, PUBLICATION_PARTS),
                  ("publication", "parts", index))
    for index, value, first in _duplicates(pub.parts):
        error(f"publication.parts: '{value}' is given twice (first at item {first + 1})", ("publication", "parts", index))
    if "ratings" in pub.parts and not fw.rated:
        error("publication.parts: 'ratings' is required, but the framework has no scale, so there is no ratings "
              "page: remove it", ("publication", "parts", pub.parts.index("ratings")))
    if "imprint" in pub.parts and pub.imprint is None:
        error("publication.parts: 'imprint' is required, but publication.imprint is not given: give its "
              "copyright and licence text", ("publication", "parts", pub.parts.index("imprint")))
    if "acknowledgements" in pub.parts and not (pub.acknowledgements or "").strip():
        error("publication.parts: 'acknowledgements' is required, but publication.acknowledgements is not given: "
              "give its text, e.g. 'This inspection was led by {lead_inspector}.'",
              ("publication", "parts", pub.parts.index("acknowledgements")))
    texts = [(("publication", "acknowledgements"), pub.acknowledgements, ("lead_inspector",))]
    if pub.imprint is not None:
        imprint = pub.imprint
        texts.append((("publication", "imprint", "copyright"), imprint.copyright, ("year", "publisher")))
        for key in ("licence", "download", "isbn", "published_by"):
            texts.append((("publication", "imprint", key), getattr(imprint, key), ()))
        for key in ("copyright", "licence"):
            if not getattr(imprint, key).strip():
                error(f"publication.imprint.{key} is empty: give the text the imprint prints",
                      ("publication", "imprint", key))
        for shown, url in imprint.licence_links.items():
            loc = ("publication", "imprint", "licence_links", shown)
            if not shown.strip() or shown not in imprint.licence:
                error(f"publication.imprint.licence_links: {shown!r} is not in the licence text, so it links "
                      "nothing: give a piece of the licence as it is written", loc)
            if not (WEB_ADDRESS.match(url) or MAIL_ADDRESS.match(url)):
                error(f"publication.imprint.licence_links: {url!r} is no address; give an http(s):// or mailto: "
                      "address", loc)
    for loc, text, allowed in texts:
        if text is None:
            continue
        names = _format_names(text)
        wrong = [n for n in names if n not in allowed]
        if wrong:
            named = " and ".join("{" + n + "}" for n in allowed) if allowed else "no {field}"
            error(f"{'.'.join(loc)} may name {'only ' if allowed else ''}{named} (write '{{{{' and '}}}}' for "
                  f"braces): {text!r}" + did_you_mean(wrong[0], allowed), loc)
SUMMARY_FIELDS = ("total", "counts")  # what assemble fills into follow_up.summary


def _check_follow_up(follow_up: FollowUp, error) -> None:
    """The progress scale: statuses given, unique, coloured all or none (each with both colours);
    the summary names only {total} and {counts}."""
    scale = follow_up.scale
    if not scale:
        error("follow_up.scale is empty: give the statuses a recommendation can have, in order, e.g. "
              "{id: achieved, label: Achieved}", ("follow_up", "scale"))
    for what in ("id", "label", "counted_as"):
        for index, value, first in _duplicates([getattr(item, what) for item in scale]):
            said = "the words" if what == "counted_as" else f"the {what}"
            error(f"follow_up.scale: {said} '{value}' given twice (first at status {first + 1}); each status "
                  "needs its own", ("follow_up", "scale", index, "counted" if what == "counted_as" else what))
    coloured = [item.colour is not None for item in scale]
    for index, item in enumerate(scale):
        if (item.colour is None) != (item.text_colour is None):
            missing = "text_colour" if item.text_colour is None else "colour"
            error(f"follow_up.scale: '{item.id}' has one colour but not its {missing}: give both colour and "
                  "text_colour (the word on its background), or neither", ("follow_up", "scale", index))
        elif any(coloured) and not coloured[index]:
            first = scale[coloured.index(True)].id
            error(f"follow_up.scale: '{item.id}' has no colours but '{first}' has: colour every status, or none",
                  ("follow_up", "scale", index))
    for key in ("summary", "summary_one"):
        template = getattr(follow_up, key)
        if template is None:
            continue
        try:
            names = [(name, spec, conversion) for _, name, spec, conversion
                     in string.Formatter().parse(template) if name is not None]
        except ValueError as exc:
            names = [(str(exc), "", None)]
        wrong = [n for n, spec, conversion in names if n not in SUMMARY_FIELDS or spec or conversion]
        if wrong or "{counts}" not in template:
            error(f"follow_up.{key} may name only {{total}} and {{counts}}, and must name {{counts}} (write '{{{{' "
                  f"and '}}}}' for braces): {template!r}" + (did_you_mean(wrong[0], SUMMARY_FIELDS) if wrong else ""),
                  ("follow_up", key))


def _check_previous_recommendations(fields: dict, fw: Framework, rf: YamlFile, diags: Diagnostics,
                                    emptied: frozenset) -> None:
    """Each status is on the framework's progress scale (and there is one); each is given."""
    items = fields.get("previous_recommendations", [])
    follow_up = fw.follow_up
    if follow_up is None:
        stated = [(i, item) for i, item in enumerate(items) if item.status is not None]
        for index, item in stated:
            diags.error("status-unexpected", f"'{item.status}': {fw.id} has no progress scale for the last "
                        "inspection's recommendations (follow_up: in the framework), so no status can be checked "
                        "or counted: use a framework that has one, or remove previous_recommendations",
                        rf.path, *line_of(rf, ("previous_recommendations", index, "status")))
        if items and not stated:
            diags.error("status-unexpected", f"previous_recommendations: {fw.id} has no progress scale for the last "
                        "inspection's recommendations (follow_up: in the framework), so they cannot be printed: "
                        "use a framework that has one, or remove previous_recommendations",
                        rf.path, *line_of(rf, ("previous_recommendations",)))
        return
    labels = [item.label for item in follow_up.scale]
    for index, item in enumerate(items):
        if item.status is None:
            loc = ("previous_recommendations", index, "status")
            empty = loc in emptied
            diags.error("value-empty" if empty else "key-missing", f"{yaml_path(loc)} is "
                        f"{'empty' if empty else 'missing'}: give its progress, one of {', '.join(labels)}",
                        rf.path, *line_of(rf, loc))
        elif follow_up.status_by_label(item.status) is None:
            diags.error("status-unknown", f"'{item.status}' is not a status of {fw.id}'s progress scale (one of "
                        f"{', '.join(labels)})" + did_you_mean(item.status, labels),
                        rf.path, *line_of(rf, ("previous_recommendations", index, "status")))


def detail_value(field: DetailField, value: object) -> object:
    """report.yaml's `value` for `field` as its type holds it (a date, a whole number, a rating's
    label, a text), or raise ValueError saying what to write."""
    if field.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"is not a whole number: give {field.label} as digits, e.g. 123456")
        return value
    if field.type == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        raise ValueError(f"is not a date: give {field.label} as YYYY-MM-DD, e.g. 2024-01-15")
    if not isinstance(value, str):
        raise ValueError(f"is not text: give {field.label} as words" + (" (in quotes)" if field.type == "text" else ""))
    return value


def details_values(fw: Framework, given: dict) -> dict:
    """The report's details, typed, in the framework's order (what `::: details` prints and chapters read)."""
    fields = fw.details.fields if fw.details else {}
    return {name: detail_value(field, given[name]) for name, field in fields.items() if name in given}


def _check_details_given(fw: Framework, rf: YamlFile, diags: Diagnostics, emptied: frozenset) -> None:
    """report.yaml `details:` against the framework's `details.fields`: each known, of its type, the
    required ones given."""
    data = rf.data.get("details") if isinstance(rf.data, dict) else None
    fields = fw.details.fields if fw.details else {}
    if data is not None and not isinstance(data, dict):
        return  # the schema reports the mistyped field
    data = data or {}
    for name, value in data.items():
        loc = ("details", name)
        field = fields.get(name)
        if field is None:
            known = [f for f in fields if f not in data]
            diags.error("field-unknown", f"details.{name}: '{name}' is not a field of {fw.id}" + (
                (did_you_mean(str(name), known) or did_you_mean(str(name), fields)) if fields else
                ": it declares no details (framework details.fields): remove it"), rf.path, *line_of(rf, loc))
            continue
        try:
            detail_value(field, value)
        except ValueError as exc:
            shown = value.isoformat() if isinstance(value, dt.date) else repr(value)[:40]
            diags.error("value-invalid", f"details.{name}: {shown} {exc}", rf.path, *line_of(rf, loc))
            continue
        if field.type == "rating" and fw.rating_by_label(value) is None:
            labels = [s.label for s in fw.scale]
            diags.error("rating-unknown", f"details.{name}: '{value}' is not a rating of {fw.id} (one of "
                        f"{', '.join(labels)})" + did_you_mean(value, labels), rf.path, *line_of(rf, loc))
    for name, field in fields.items():
        if field.required and name not in data and ("details", name) not in rf.failed:
            empty = ("details", name) in emptied
            diags.error("value-empty" if empty else "key-missing", f"details.{name} "
                        f"{'is empty, and' if empty else 'is missing, and'} {fw.id} requires it: give its "
                        f"{field.label} ({field.type})", rf.path,
                        *line_of(rf, ("details", name) if empty else ("details",)))


def _check_report(fields: dict, fw: Framework, sources: Sources, diags: Diagnostics,
                  emptied: frozenset = frozenset()) -> None:
    """Checks across report.yaml and the framework, on whichever top-level fields are valid.
    `emptied`: the keys whose value was empty (`~`, `null`, blank or "")."""
    rf = sources.report
    standards = {s.id: s for s in fw.standards}
    findings = fields.get("findings", {})
    for sid, finding in findings.items():
        line, col = line_of(rf, ("findings", sid))
        standard = standards.get(sid)
        if standard is None:  # suggest a standard that has no finding yet, if one is close
            missing = [s for s in standards if s not in findings]
            diags.error("standard-unknown", f"'{sid}' is not a standard of {fw.id}"
                        + (did_you_mean(sid, missing) or did_you_mean(sid, standards)), rf.path, line, col)
            continue
        if standard.rated_by == "not_rated" and (finding.rating is not None or finding.key_questions is not None):
            diags.error("rating-unexpected", f"{sid} is not rated in {fw.id}, so the rating or figures given here "
                        "would be ignored: remove them", rf.path, line, col)
            continue
        if finding.not_rated and (finding.rating is not None or finding.key_questions is not None):
            diags.error("rating-unexpected", f"{sid} is marked not_rated but is also given a rating or figures: "
                        "remove one or the other", rf.path, line, col)
            continue
        if finding.not_applicable and (finding.rating is not None or finding.key_questions is not None
                                       or finding.not_rated):
            diags.error("rating-unexpected", f"{sid} is marked not_applicable but is also given a rating, figures "
                        "or not_rated: remove one or the other", rf.path, line, col)
            continue
        if finding.not_applicable and not (fw.labels.not_applicable or "").strip():
            nline, ncol = line_of(rf, ("findings", sid, "not_applicable"))
            diags.error("rating-unexpected", f"{sid} is marked not_applicable, but {fw.id} has no words for a "
                        "standard that does not apply (labels.not_applicable): mark it not_rated, or give the "
                        "framework labels: {not_applicable: Not applicable}", rf.path, nline, ncol)
            continue
        words = [item.label for item in fw.scale_of(standard)]  # the words of its own scale
        if finding.rating is not None and fw.rating_by_label(finding.rating, standard) is None:
            rline, rcol = line_of(rf, ("findings", sid, "rating"))
            name = fw.scale_name(standard)
            said = (f"'{finding.rating}' is not a rating of {fw.id}" if not fw.scales else
                    f"'{finding.rating}' is not a rating of {sid}'s scale "
                    f"{repr(name) if name in fw.scales else '(the default)'}: one of {', '.join(words)}")
            diags.error("rating-unknown", said + did_you_mean(finding.rating, words), rf.path, rline, rcol)
        if standard.rated_by == "key_questions" and not (finding.not_rated or finding.not_applicable):
            if finding.key_questions is None:
                diags.error("key-questions-missing", f"{sid} ({standard.title}) is rated by its "
                            f"{len(standard.key_questions)} key questions: give key_questions: "
                            f"[{', '.join(['..'] * len(standard.key_questions))}], a percentage for each, in order",
                            rf.path, line, col)
            elif len(finding.key_questions) != len(standard.key_questions):
                kline, kcol = line_of(rf, ("findings", sid, "key_questions"))
                diags.error("key-questions-count", f"{sid} has {len(standard.key_questions)} key questions, "
                            f"but {len(finding.key_questions)} figures are given", rf.path, kline, kcol)
        if standard.rated_by == "judgement" and finding.rating is None and not (finding.not_rated
                                                                                  or finding.not_applicable):
            diags.error("rating-missing", f"{sid} ({standard.title}) is rated by inspector judgement: give "
                        f"rating: one of {', '.join(words)}", rf.path, line, col)
    rated = [s for s in fw.standards if s.rated_by != "not_rated"]
    if rated and isinstance(rf.data, dict) and "findings" not in rf.data and ("findings",) not in rf.failed:
        empty = ("findings",) in emptied  # `findings: ~`: empty, as every required field written empty
        diags.error("value-empty" if empty else "key-missing",
                    f"findings{' is empty' if empty else ''}: {fw.id} rates {len(rated)} standards: give findings: "
                    f"with one entry each ({', '.join(s.id for s in rated)})", rf.path,
                    *(line_of(rf, ("findings",)) if empty else (1, 0)))
        rated = []
    for standard in rated:
        if "findings" in fields and standard.id not in findings:
            line, col = line_of(rf, ("findings",))
            diags.error("standard-missing", f"no finding for standard {standard.id} ({standard.title})",
                        rf.path, line, col)
    metadata = rf.data.get("metadata") if isinstance(rf.data, dict) else None
    if isinstance(metadata, dict):  # raw: reported even when another metadata field is invalid
        for name in fw.required_metadata:
            if metadata.get(name) is None and ("metadata", name) not in rf.failed:
                line, col = line_of(rf, ("metadata", name))  # else metadata: line_of falls back to the parent
                if ("metadata", name) in emptied:  # as for every required field: empty, however written
                    diags.error("value-empty", f"metadata.{name} is empty, and {fw.id} requires it: "
                                f"{hint(('metadata', name))}", rf.path, line, col)
                else:
                    diags.error("key-missing", f"metadata.{name} is required by {fw.id}: "
                                f"{hint(('metadata', name))}", rf.path, line, col)
    _check_details_given(fw, rf, diags, emptied)
    if fields.get("score") is not None and not fw.has_score:
        line, col = line_of(rf, ("score",))
        diags.error("score-unexpected", f"{fw.id} gives no score: remove score", rf.path, line, col)
    overall = fields.get("overall_rating")
    labels = [item.label for item in fw.scale]  # the overall's words: the default scale's
    if overall is not None and fw.overall == "none":
        line, col = line_of(rf, ("overall_rating",))
        diags.error("rating-unexpected", f"{fw.id} gives no overall rating: remove overall_rating", rf.path, line, col)
    elif overall is None and fw.overall == "judged" and ("overall_rating",) not in rf.failed:
        empty = ("overall_rating",) in emptied
        line, col = line_of(rf, ("overall_rating",)) if empty else (1, 1)
        diags.error("value-empty" if empty else "key-missing",
                    f"overall_rating{' is empty' if empty else ' is missing'}: under {fw.id} the overall rating is the "
                    f"inspectors' judgement (overall: judged): give it, one of {', '.join(labels)}", rf.path, line, col)
    elif overall is not None and fw.rating_by_label(overall) is None:
        line, col = line_of(rf, ("overall_rating",))
        diags.error("rating-unknown", f"'{overall}' is not a rating of {fw.id}"
                    + did_you_mean(overall, labels), rf.path, line, col)
    _check_previous_recommendations(fields, fw, rf, diags, emptied)
    _check_logo(fields, sources, diags)
    reference = fields.get("docx_reference")
    if reference:
        line, col = line_of(rf, ("docx_reference",))
        base = sources.report_dir.resolve()
        path = (base / reference).resolve()
        if not path.is_relative_to(base):
            diags.error("docx-reference-outside", f"docx_reference '{reference}' is outside the report folder; "
                        "use --reference-doc for a shared house template", rf.path, line, col)
        elif not path.is_file():
            diags.error("docx-reference-missing", f"reference document '{reference}' not found"
                        + did_you_mean(Path(reference).name, [p.name for p in base.glob("*.docx")]),
                        rf.path, line, col)
        else:  # untrusted: read within the zip limits as the DOCX writer reads it, so build cannot fail on it
            from generator.formats.package import UnreadableFile  # noqa: PLC0415
            from generator.formats.reference import left_out_message, read_reference  # noqa: PLC0415 - lxml

            try:
                taken = read_reference(path)
            except UnreadableFile as exc:
                diags.error("docx-reference-invalid", str(exc.about(reference)), rf.path, line, col)
            else:  # what the DOCX will not take of it (macros, comments, an attached template...)
                if taken.left_out:
                    diags.warning("docx-reference-stripped", left_out_message(Path(reference).name, taken),
                                  rf.path, line, col)
    domains = {d.id for d in fw.domains}
    used = {part.file for part in fields.get("parts", [])}
    if "parts" in fields:
        for name, chapter in sources.chapters.items():
            if name not in used:
                diags.warning("chapter-unused", f"chapters/{name} is not listed in report.yaml parts", chapter.path, 1)
    for index, part in enumerate(fields.get("parts", [])):
        line, col = line_of(rf, ("parts", index))
        if part.file not in sources.chapters and not sources.not_read(part.file):
            diags.error("chapter-missing", f"chapter file 'chapters/{part.file}' not found"
                        + did_you_mean(part.file, sources.chapters), rf.path, line, col)
        if part.domain is None and not part.title:
            diags.error("part-title-missing", "a part needs a title: give title: <the part's title>, or a domain: "
                        "of the framework",
                        rf.path, line, col)
        if part.domain is not None and part.domain not in domains:
            diags.error("domain-unknown", f"'{part.domain}' is not a domain of {fw.id}"
                        + did_you_mean(part.domain, domains), rf.path, line, col)


def validate(sources: Sources, diags: Diagnostics) -> Validated | None:
    if sources.report is None:
        return None
    check_characters(sources.report, diags)
    if sources.framework is not None:
        check_characters(sources.framework, diags)
    emptied: set = set()  # an empty value is as if not written (`subject: ""` is no subject)
    sources = replace(sources, report=replace(sources.report, data=blank_as_missing(
        sources.report.data, (), emptied, sources.report.failed)))
    spec = _parse(ReportSpec, sources.report, diags, frozenset(emptied))
    from generator.stages.translate import check_editions  # noqa: PLC0415 - it reads this module's schema

    check_editions(sources.report, diags)
    framework_id = sources.report.data.get("framework") if isinstance(sources.report.data, dict) else None
    if isinstance(framework_id, str) and sources.framework is None and not sources.framework_failed:
        line, col = line_of(sources.report, ("framework",))
        known = available_frameworks(sources.report_dir, sources.framework_dirs)
        if not FRAMEWORK_ID.match(framework_id) or ".." in framework_id:
            diags.error("framework-unknown", f"framework must be the id of a framework (a plain name such as "
                        f"{known[0] if known else 'hmip-pdu-2023'}), not a path: '{framework_id}'"
                        + did_you_mean(Path(framework_id).stem, known), sources.report.path, line, col)
        else:
            diags.error("framework-unknown", f"unknown framework '{framework_id}'" + did_you_mean(framework_id, known),
                        sources.report.path, line, col)
    framework = _parse(Framework, sources.framework, diags) if sources.framework else None
    if framework:
        _check_framework(framework, sources.framework, diags)
    if framework:
        fields = dict(spec) if spec else _valid_fields(ReportSpec, sources.report)
        _check_report(fields, framework, sources, diags, frozenset(emptied))
    metadata = sources.report.data.get("metadata") if isinstance(sources.report.data, dict) else None
    if isinstance(metadata, dict) and "subject" not in metadata:  # raw: warned even beside other errors
        line, col = line_of(sources.report, ("metadata", "subject"))
        diags.warning("value-empty", "metadata.subject is not given: say in one sentence what the report is about; "
                      "it is the documents' description, and without it a build warns a11y-docx-properties",
                      sources.report.path, line, col)
    theme = _theme(sources, diags)
    if spec is None or framework is None or diags.errors:
        return None
    return Validated(sources, framework, spec, theme)


def _check_logo(fields: dict, sources: Sources, diags: Diagnostics) -> None:
    """metadata.logo: a file inside the report folder that every writer can draw."""
    from generator.stages.parse.images import check_image  # noqa: PLC0415 - Pillow, only with a logo

    metadata = fields.get("metadata")
    logo = getattr(metadata, "logo", None)
    if logo is None:
        return
    rf = sources.report
    line, col = line_of(rf, ("metadata", "logo", "file"))
    base = sources.report_dir.resolve()
    path = (base / logo.file).resolve()
    if not path.is_relative_to(base):
        diags.error("path-outside", f"logo '{logo.file}' is outside the report folder", rf.path, line, col)
    elif not path.is_file():
        diags.error("image-missing", f"logo '{logo.file}' not found", rf.path, line, col)
    else:
        for code, message in check_image(path, logo.file):
            diags.error(code, message, rf.path, line, col)


def _theme(sources: Sources, diags: Diagnostics) -> Theme | None:
    """The theme: --theme if given, else report.yaml's `theme:`, else the default."""
    if sources.theme_choice is not None:
        return _check_theme_logo(resolve_theme(sources.report_dir, sources.theme_choice, diags, ("--theme",)), diags)
    data = sources.report.data if isinstance(sources.report.data, dict) else {}
    choice = data.get("theme")
    if choice is not None and not isinstance(choice, str):
        return None  # the schema reports the mistyped field
    line, col = line_of(sources.report, ("theme",))
    return _check_theme_logo(resolve_theme(sources.report_dir, choice, diags, (sources.report.path, line, col)),
                             diags)


def _check_theme_logo(theme: Theme | None, diags: Diagnostics) -> Theme | None:
    """A theme's logo is drawn by every writer, as a report's is, and the images its CSS names by
    the PDF and the page: checked the same way (each file was confined and size-limited by
    `themes.check_theme_files`)."""
    if theme is None or (theme.logo is None and not theme.images):
        return theme
    from generator.stages.parse.images import check_image  # noqa: PLC0415 - Pillow, only with a logo

    images = [(theme.logo, theme.logo.name, theme.folders[0] / "theme.yaml", 0)] if theme.logo is not None else []
    images += [(image, image.name, sheet, line) for image, sheet, line in theme.images]
    failed = False
    for path, shown, where, line in images:
        for code, message in check_image(path, shown):
            diags.error(code, message, where, line)
            failed = True
    return None if failed else theme
