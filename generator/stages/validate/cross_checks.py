"""report.yaml against its framework and its folder (`_check_report`): each finding on a standard
the framework has, rated on that standard's own scale; the metadata and details fields it requires
given, each of its type; the overall rating as the framework gives it; previous recommendations on
its progress scale; the parts' chapter files and domains, the logo, the reference document. And the
report's details as their types hold them, for the later stages (`details_values`).

Not here: either file's shape on its own (`report_schema`, `framework_schema`), nor the framework's
consistency (`framework_checks`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.diagnostics import Diagnostics, did_you_mean
from generator.stages.load import Sources, YamlFile
from generator.stages.validate.framework_schema import DetailField, Framework
from generator.stages.validate.locate import hint, line_of, yaml_path


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


class GroupedInt(int):
    """A whole number of the report's details that prints with its digits grouped as its language
    groups them ("1,046"); a number still (a chapter may compare it or add to it)."""

    separator: str

    def __new__(cls, value: int, separator: str):
        number = super().__new__(cls, value)
        number.separator = separator
        return number

    def __str__(self) -> str:
        return f"{int(self):,}".replace(",", self.separator)


def _grouped(field: DetailField, value: object, separator: str | None) -> object:
    if field.type == "integer" and field.group_digits and separator is not None:
        return GroupedInt(value, separator)
    return value


def details_values(fw: Framework, given: dict, words) -> dict:
    """The report's details, typed, in the framework's order (what `::: details` prints and chapters read),
    a whole number grouped as the document's `words` (generator/words.py) say its language writes it
    (`group_separator`; unless its field says `group_digits: false`);
    a placeholder `new` wrote, as it is (a draft prints it; a final build refuses it)."""
    from generator.stages.parse.authoring import is_detail_placeholder  # noqa: PLC0415 - a later stage's data

    fields = fw.details.fields if fw.details else {}
    separator = words["group_separator"]
    return {name: given[name] if is_detail_placeholder(given[name]) else
            _grouped(field, detail_value(field, given[name]), separator)
            for name, field in fields.items() if name in given}


def _check_details_given(fw: Framework, rf: YamlFile, diags: Diagnostics, emptied: frozenset) -> None:
    """report.yaml `details:` against the framework's `details.fields`: each known, of its type, the
    required ones given. A placeholder `new` wrote stands for a value of any type (assemble warns
    of it in a draft, and refuses it in a final build)."""
    from generator.stages.parse.authoring import is_detail_placeholder  # noqa: PLC0415 - a later stage's data

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
        if is_detail_placeholder(value):
            continue
        try:
            detail_value(field, value)
        except ValueError as exc:
            shown = value.isoformat() if isinstance(value, dt.date) else repr(value)[:40]
            diags.error("value-invalid", f"details.{name}: {shown} {exc}", rf.path, *line_of(rf, loc))
            continue
        labels = [s.label for s in fw.detail_scale(field)]
        known_scale = field.scale is None or field.scale in fw.scales  # else: the framework's error says so
        if field.type == "rating" and known_scale and value not in labels:
            scale = f"{fw.id}'s scale '{field.scale}'" if field.scale in fw.scales else fw.id
            diags.error("rating-unknown", f"details.{name}: '{value}' is not a rating of {scale} (one of "
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
        if (metadata.get("fieldwork_start") is not None and fw.rated and "fieldwork_start" not in fw.required_metadata
                and not (fw.labels.fieldwork_started or "").strip()):
            diags.error("field-unknown", f"metadata.fieldwork_start: {fw.id} prints no fieldwork date (it neither "
                        "requires one nor gives labels.fieldwork_started, the words the ratings page shows before "
                        "it): remove it", rf.path, *line_of(rf, ("metadata", "fieldwork_start")))
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
