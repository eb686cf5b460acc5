"""The schema of report.yaml, as pydantic models, one documented field each (README, "report.yaml
fields"): metadata, findings, recommendations and the last inspection's, parts, links and charts,
with the limits the outputs set on their values (Word's document properties, the years a DOCX can
date, what a chart can lay out).

A value is checked here on its own. Against the framework (a standard it has, a rating on its
scale, a field it requires) it is checked in `cross_checks`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from generator.stages.validate.framework_schema import Model


# Word's document properties (title, subject, author, keywords) hold at most 255 characters;
# python-docx raises beyond that. Counted in UTF-16 code units, as Word stores them.
DOCX_PROPERTY_LIMIT = 255
LANGUAGE_LIMIT = 35  # RFC 5646 4.4.1: a language tag fits in 35 characters
# Dates: a DOCX is a zip file, whose entry dates run from 1980 to 2107; reportgen accepts the years
# 1980-2099 for every date of report.yaml, so that a mistyped year is an error, not a crash.
YEAR_MIN, YEAR_MAX = 1980, 2099


def utf16_length(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def _counted(value: str) -> str:
    """How a length was counted, when it matters."""
    if utf16_length(value) == len(value):
        return ""
    return " as Word counts them (a character beyond U+FFFF, e.g. an emoji, counts as two)"


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

    @field_validator("links")
    @classmethod
    def _links_have_schemes(cls, links: dict[str, str]) -> dict[str, str]:
        for key, url in links.items():
            if not re.match(r"^(https?://|mailto:)", url) and "@" not in url:
                raise ValueError(f"link '{key}' must be an http(s) URL, got {url!r}")
        return links
