"""Where a value is and how to say it: the line and column of a path of keys and indexes
(`line_of`), the path as the author reads it ("findings.P2.1.key_questions (second item)":
`yaml_path`, `ordinal`), what to write instead (`HINTS`, `instruction`, the known keys suggested
for an unknown one), and pydantic's errors turned into located diagnostics (`_parse`,
`_valid_fields`), an empty value read as not written (`blank_as_missing`).

Not here: the schemas themselves (`report_schema`, `framework_schema`), nor any check that weighs
one value against another (`framework_checks`, `cross_checks`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from pydantic import BaseModel, TypeAdapter, ValidationError

from generator.diagnostics import Diagnostics, did_you_mean
from generator.stages.load import YamlFile, date_problem
from generator.stages.validate.report_schema import ISBN_HINT


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
