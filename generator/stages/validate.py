"""Stage 2, validate: turn the raw YAML into typed objects, collecting every problem.

The schema of report.yaml and of a framework file is declared here as pydantic models, one
documented field each (see README, "report.yaml fields"). Pydantic's errors are mapped back to
the file and line of the offending value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from generator.diagnostics import Diagnostics, did_you_mean
from generator.stages.load import FRAMEWORK_ID, Sources, YamlFile, available_frameworks

HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- framework

class ScaleItem(Model):
    """One point of the rating scale."""

    id: str
    label: str
    points: int
    colour: Annotated[str, Field(pattern=HEX_COLOUR)]
    text_colour: Annotated[str, Field(pattern=HEX_COLOUR)]


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
    code: str
    title: str
    statement: str
    rated_by: Literal["judgement", "key_questions", "not_rated"]
    key_questions: list[str] = []


class Domain(Model):
    id: str
    title: str
    standards: list[Standard]


class KeyQuestionTableLabels(Model):
    question_header: str
    value_header: str
    lowest_note: str


class Labels(Model):
    score: str
    overall_rating: str
    fieldwork_started: str
    rating: str
    standard: str


class Framework(Model):
    """A rating framework: scale, bands, domains and standards. Data, never code."""

    id: str
    name: str
    inspectorate: str
    scale: list[ScaleItem]
    rounding: Rounding = Rounding()
    key_question_bands: list[Band] = []
    overall_bands: list[Band] = []
    key_question_table: KeyQuestionTableLabels
    recommendations_lead: str
    labels: Labels
    domains: list[Domain]

    def rating_by_id(self, rating_id: str) -> ScaleItem:
        return next(item for item in self.scale if item.id == rating_id)

    def rating_by_label(self, label: str) -> ScaleItem | None:
        return next((item for item in self.scale if item.label == label), None)

    @property
    def standards(self) -> list[Standard]:
        return [s for d in self.domains for s in d.standards]


# --------------------------------------------------------------------------- report

class Person(Model):
    name: str
    role: str


class Publisher(Model):
    name: str
    address: list[str]


class Metadata(Model):
    """Facts about the publication; every one can be used in chapters as {{ report.<field> }}."""

    title: str
    short_title: str
    unit: str
    unit_long: str | None = None
    region: str
    inspectorate: str
    published: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    fieldwork_start: dt.date
    lead_inspector: str
    chief_inspector: Person
    isbn: Annotated[str, Field(pattern=r"^97[89]-?[0-9-]{10,14}$")]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en-GB"
    copyright_year: int
    subject: str = ""
    keywords: list[str] = []
    publisher: Publisher

    @property
    def published_date(self) -> dt.date:
        year, month = self.published.split("-")
        return dt.date(int(year), int(month), 1)


Percentage = Annotated[float, Field(ge=0, le=100)]


class Finding(Model):
    """What the inspectors found for one standard: a judgement, key-question figures, or not rated."""

    rating: str | None = None
    key_questions: list[Percentage] | None = None
    not_rated: bool = False


class RecommendationGroup(Model):
    addressee: str
    items: Annotated[list[str], Field(min_length=1)]


class Part(Model):
    """One part of the report, in order: a chapter file, under a title or a framework domain."""

    file: str
    title: str | None = None
    domain: str | None = None
    contents: bool = True


class ReportSpec(Model):
    framework: str
    metadata: Metadata
    sample: dict[str, int | str] = {}
    findings: dict[str, Finding]
    score: int | None = None
    overall_rating: str | None = None
    recommendations: list[RecommendationGroup] = []
    links: dict[str, str] = {}
    parts: Annotated[list[Part], Field(min_length=1)]
    docx_reference: str | None = None  # a .docx whose styles the DOCX uses, relative to the report folder

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


def _report_errors(exc: ValidationError, model: type[BaseModel], yaml_file: YamlFile,
                   diags: Diagnostics) -> None:
    for err in exc.errors():
        loc = tuple(k for k in err["loc"] if not (isinstance(k, str) and k.startswith("function-")))
        dotted = ".".join(str(k) for k in loc) or "(top level)"
        line, col = line_of(yaml_file, loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            known = _model_fields(model, loc[:-1])
            diags.error("key-unknown", f"unknown key '{loc[-1]}'" + did_you_mean(str(loc[-1]), known),
                        yaml_file.path, line, col)
        elif kind == "missing":
            diags.error("key-missing", f"missing required field '{dotted}'", yaml_file.path, line, col)
        elif "key_questions" in loc and kind in ("less_than_equal", "greater_than_equal"):
            diags.error("figure-out-of-range", f"{dotted}: {err.get('input')!r} is not a percentage (0-100)",
                        yaml_file.path, line, col)
        else:
            msg = err["msg"].removeprefix("Value error, ")
            diags.error("value-invalid", f"{dotted}: {msg} (got {err.get('input')!r})"
                        if kind != "value_error" else f"{dotted}: {msg}",
                        yaml_file.path, line, col)


def _parse(model: type[BaseModel], yaml_file: YamlFile, diags: Diagnostics):
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
        _report_errors(exc, model, yaml_file, diags)
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


# --------------------------------------------------------------------------- cross-checks

def _check_framework(fw: Framework, yaml_file: YamlFile, diags: Diagnostics) -> None:
    scale_ids = [s.id for s in fw.scale]
    for key in ("key_question_bands", "overall_bands"):
        for index, band in enumerate(getattr(fw, key)):
            if band.rating not in scale_ids:
                diags.error("framework-invalid", f"{key}: rating '{band.rating}' is not on the scale"
                            + did_you_mean(band.rating, scale_ids), yaml_file.path,
                            *line_of(yaml_file, (key, index, "rating")))
    for d, domain in enumerate(fw.domains):
        for s, standard in enumerate(domain.standards):
            if standard.rated_by == "key_questions" and not standard.key_questions:
                diags.error("framework-invalid", f"standard {standard.id} is rated by key questions but lists none",
                            yaml_file.path, *line_of(yaml_file, ("domains", d, "standards", s)))


def _check_report(fields: dict, fw: Framework, sources: Sources, diags: Diagnostics) -> None:
    """Checks across report.yaml and the framework, on whichever top-level fields are valid."""
    rf = sources.report
    standards = {s.id: s for s in fw.standards}
    labels = [s.label for s in fw.scale]
    findings = fields.get("findings", {})
    for sid, finding in findings.items():
        line, col = line_of(rf, ("findings", sid))
        standard = standards.get(sid)
        if standard is None:  # suggest a standard that has no finding yet, if one is close
            missing = [s for s in standards if s not in findings]
            diags.error("standard-unknown", f"'{sid}' is not a standard of {fw.id}"
                        + (did_you_mean(sid, missing) or did_you_mean(sid, standards)), rf.path, line, col)
            continue
        if finding.rating is not None and fw.rating_by_label(finding.rating) is None:
            rline, rcol = line_of(rf, ("findings", sid, "rating"))
            diags.error("rating-unknown", f"'{finding.rating}' is not a rating of {fw.id}"
                        + did_you_mean(finding.rating, labels), rf.path, rline, rcol)
        if standard.rated_by == "key_questions" and not finding.not_rated:
            if finding.key_questions is None:
                diags.error("key-questions-missing", f"{sid} is rated by its key questions: "
                            f"give key_questions: [{', '.join(['..'] * len(standard.key_questions))}]",
                            rf.path, line, col)
            elif len(finding.key_questions) != len(standard.key_questions):
                kline, kcol = line_of(rf, ("findings", sid, "key_questions"))
                diags.error("key-questions-count", f"{sid} has {len(standard.key_questions)} key questions, "
                            f"but {len(finding.key_questions)} figures are given", rf.path, kline, kcol)
        if standard.rated_by == "judgement" and finding.rating is None and not finding.not_rated:
            diags.error("rating-missing", f"{sid} is rated by inspector judgement: give rating: "
                        f"one of {', '.join(labels)}", rf.path, line, col)
    for standard in fw.standards:
        if "findings" in fields and standard.rated_by != "not_rated" and standard.id not in findings:
            line, col = line_of(rf, ("findings",))
            diags.error("standard-missing", f"no finding for standard {standard.id} ({standard.title})",
                        rf.path, line, col)
    overall = fields.get("overall_rating")
    if overall is not None and fw.rating_by_label(overall) is None:
        line, col = line_of(rf, ("overall_rating",))
        diags.error("rating-unknown", f"'{overall}' is not a rating of {fw.id}"
                    + did_you_mean(overall, labels), rf.path, line, col)
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
    domains = {d.id for d in fw.domains}
    used = {part.file for part in fields.get("parts", [])}
    if "parts" in fields:
        for name, chapter in sources.chapters.items():
            if name not in used:
                diags.warning("chapter-unused", f"chapters/{name} is not listed in report.yaml parts", chapter.path, 1)
    for index, part in enumerate(fields.get("parts", [])):
        line, col = line_of(rf, ("parts", index))
        if part.file not in sources.chapters and part.file not in sources.unreadable:
            diags.error("chapter-missing", f"chapter file 'chapters/{part.file}' not found"
                        + did_you_mean(part.file, sources.chapters), rf.path, line, col)
        if part.domain is None and not part.title:
            diags.error("part-title-missing", "a part needs a title, or a domain: of the framework",
                        rf.path, line, col)
        if part.domain is not None and part.domain not in domains:
            diags.error("domain-unknown", f"'{part.domain}' is not a domain of {fw.id}"
                        + did_you_mean(part.domain, domains), rf.path, line, col)


def validate(sources: Sources, diags: Diagnostics) -> Validated | None:
    if sources.report is None:
        return None
    spec = _parse(ReportSpec, sources.report, diags)
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
        _check_report(fields, framework, sources, diags)
    if spec is None or framework is None or diags.errors:
        return None
    return Validated(sources, framework, spec)
