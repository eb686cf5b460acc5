"""Stage 1b, translate: a further edition's sources, from the primary's and its translations.

An edition other than the primary (generator/editions.py) reads the primary's files and, beside
them, its own: chapters/foreword.cy.md for chapters/foreword.md, and two **translation overlays**,
report.cy.yaml over report.yaml and <framework>.cy.yaml over the framework file. An overlay has its
base file's shape but only text (`overlay`, the one function every overlay goes through):

- mappings match by key; a list of mappings whose items carry `id` (else `code`) matches by it,
  naming it in each item; any other list matches by position, and is as long as the base's;
- every leaf is a string. Which values are text is the schema's to say (`REPORT_TEXT`,
  `FRAMEWORK_TEXT`, one entry per field of the schema in generator/stages/validate.py; a test
  holds every text field of the schema to an entry): a value that is not text (a number, a rating,
  a date, an id, a file) is shared by every edition and refused in an overlay (`translation-not-text`);
- a base text that prints and has no translation is `translation-missing`, at the base value,
  naming its key path and the language; an overlay key the base lacks is `key-unknown`.

The findings are shared data, never translated: report.yaml names a rating by its label in the
primary's language (`rating: Requires improvement`); the edition resolves the same rating (by
its id) and prints the framework's translation of its label (`relabel`). The edition's
`metadata.language` is its own language, so each output declares it.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

from generator.diagnostics import Diagnostics, did_you_mean
from generator.editions import LANGUAGE_TAG, Edition, edition_path
from generator.stages.load import CHAPTERS_DIR, REPORT_FILE, EditionFiles, Sources, YamlFile
from generator.stages.validate.characters import check_characters
from generator.stages.validate.framework_schema import Labels
from generator.stages.validate.locate import line_of, yaml_path
from generator.stages.validate.report_schema import LANGUAGE_LIMIT

# What a schema entry says of a value (anything the schema does not name is shared: not translated)
TEXT = "text"  # printed text: every edition gives its translation
OPTIONAL = "optional text"  # may be translated (a person's name): the base's prints where none is given
WHOLE = "whole"  # a mapping of texts given whole by each edition (a glossary: its abbreviations are its own)
RENAME = "rename"  # a mapping whose keys print (a chart's series): the overlay gives each key's translation


def _scale(_base) -> object:
    """A named scale is its ratings, or a mapping with them (`scored`, shared)."""
    return [_RATING] if isinstance(_base, list) else {"ratings": [_RATING]}


_RATING = {"label": TEXT, "description": TEXT}  # a description: printed in the key (issue 23)
_BAND = {"description": TEXT}

# The framework's text, by the fields of generator/stages/validate.py's `Framework`.
FRAMEWORK_TEXT = {
    "name": TEXT, "inspectorate": TEXT,
    "scale": [_RATING], "scales": {"*": _scale},
    "key_question_bands": [_BAND], "overall_bands": [_BAND],
    "key_question_table": {"question_header": TEXT, "value_header": TEXT, "lowest_note": TEXT, "caption": TEXT},
    "recommendations_lead": TEXT,
    "labels": {name: TEXT for name in Labels.model_fields},  # a label the base leaves to the words file may be given
    "publication": {"imprint": {"copyright": TEXT, "licence": TEXT, "licence_links": WHOLE, "download": TEXT,
                                "isbn": TEXT, "published_by": TEXT},
                    "acknowledgements": TEXT},
    "domains": [{"title": TEXT, "rating": {"bands": [_BAND]},
                 "standards": [{"title": TEXT, "statement": TEXT, "key_questions": [TEXT]}]}],
    "follow_up": {"scale": [{"label": TEXT, "counted": TEXT}], "recommendation_header": TEXT, "status_header": TEXT,
                  "evidence_header": TEXT, "caption": TEXT, "summary": TEXT, "summary_one": TEXT},
    "details": {"header": [TEXT], "caption": TEXT, "fields": {"*": {"label": TEXT}}},
}


def report_text(framework_data) -> dict:
    """report.yaml's text, by the fields of `ReportSpec`; a framework detail is text if its type is."""
    fields = {}
    if isinstance(framework_data, dict) and isinstance(framework_data.get("details"), dict):
        fields = framework_data["details"].get("fields") or {}

    def detail(name):
        kind = fields.get(name, {}).get("type") if isinstance(fields.get(name), dict) else None
        return TEXT if kind == "text" else None

    return {
        "metadata": {"title": TEXT, "short_title": TEXT, "unit": TEXT, "unit_long": TEXT, "region": TEXT,
                     "inspectorate": TEXT, "lead_inspector": OPTIONAL,
                     "chief_inspector": {"name": OPTIONAL, "role": TEXT},
                     "subject": TEXT, "keywords": [TEXT], "logo": {"alt": TEXT},
                     "publisher": {"name": TEXT, "address": [TEXT], "website": OPTIONAL}},
        "sample": {"*": TEXT},  # its texts ("two"); its numbers are shared
        "recommendations": [{"addressee": TEXT, "items": [TEXT]}],
        "previous_recommendations": [{"text": TEXT, "reference": OPTIONAL, "addressee": TEXT, "evidence": TEXT}],
        "details": {"*": _Keyed(detail)},
        "parts": [{"title": TEXT}],
        "glossary": WHOLE,
        "links": {"*": OPTIONAL},  # an address may have its edition's page (checked as the base's are)
        "charts": {"*": {"title": TEXT, "unit": TEXT, "categories": [TEXT], "series": RENAME, "axis": TEXT}},
    }


class _Keyed:
    """A schema entry decided by the key it sits under (a framework detail's type)."""

    def __init__(self, decide):
        self.decide = decide


_MISSING = object()  # no translation given
_ABSENT = object()  # no base value: a key the schema knows that the base file leaves to its default
LANGUAGE_NAMES = {"cy": "Welsh", "en": "English", "ga": "Irish", "gd": "Scottish Gaelic", "fr": "French"}


def language_name(language: str) -> str:
    """'Welsh (cy-GB)': the language said in a message."""
    name = LANGUAGE_NAMES.get(language.split("-", 1)[0].lower())
    return f"{name} ({language})" if name else language


class _Overlay:
    """One overlay's walk: the base and overlay files, for locating what it finds."""

    def __init__(self, base: YamlFile, over: YamlFile, language: str, diags: Diagnostics, moved: dict | None = None):
        self.base, self.over, self.language, self.diags = base, over, language, diags
        self.moved = moved if moved is not None else {}  # see `relocate`

    def shown(self, data, loc: tuple) -> str:
        """A key path as the author finds it: an item of a list matched by id named by its id
        (domains.1.standards.P1.1.title), any other item by its place."""
        named = []
        for key in loc:
            if isinstance(key, int) and isinstance(data, list) and (match := _matching_key(data)) is not None \
                    and 0 <= key < len(data):
                named.append(str(data[key][match]))
            elif isinstance(data, dict):  # a mapping's key, even a number (a chart's series 2024)
                named.append(str(key))
            else:
                named.append(key)
            try:
                data = data[key]
            except (LookupError, TypeError):
                data = None
        return yaml_path(tuple(named))

    def missing(self, bloc: tuple, what: str = "") -> None:
        self.diags.error("translation-missing", f"{self.shown(self.base.data, bloc)}{what} has no "
                         f"{language_name(self.language)} "
                         f"translation in {self.over.path.name}: give it there (that edition prints it)",
                         self.base.path, *line_of(self.base, bloc))

    def not_text(self, oloc: tuple, why: str) -> None:
        self.diags.error("translation-not-text", f"{yaml_path(oloc)}: {why}; remove it from {self.over.path.name}",
                         self.over.path, *line_of(self.over, oloc))

    def unknown(self, oloc: tuple, key, known) -> None:
        self.diags.error("key-unknown", f"'{key}' is not in {self.base.path.name} at {yaml_path(oloc[:-1])}: a "
                         "translation gives only the base file's keys"
                         + did_you_mean(str(key), [str(k) for k in known]),
                         self.over.path, *line_of(self.over, oloc))

    def walk(self, base, over, node, bloc: tuple, oloc: tuple):
        """`base` with the translations of `over` in place of its text (`node`: the schema's entry)."""
        if isinstance(node, _Keyed):
            node = node.decide(bloc[-1])
        elif callable(node) and base is _ABSENT:
            node = None
        elif callable(node):
            node = node(base)
        if node is None:  # shared by every edition
            if over is not _MISSING:
                self.not_text(oloc, "this value is shared by every edition (numbers, ratings, dates, ids and files "
                              "are the same in each), not translated")
            return base
        if node in (TEXT, OPTIONAL):
            return self._text(base, over, node, bloc, oloc)
        if node == WHOLE:
            return self._whole(base, over, bloc, oloc)
        if base is _ABSENT and not isinstance(node, dict) and node != TEXT and node != OPTIONAL:
            self.unknown(oloc, bloc[-1], [])
            return None
        if node == RENAME:
            return self._rename(base, over, bloc, oloc)
        if isinstance(node, dict):
            return self._mapping(base, over, node, bloc, oloc)
        return self._list(base, over, node[0], bloc, oloc)

    def _text(self, base, over, node, bloc, oloc):
        if base is _ABSENT:
            if not isinstance(over, str) or not over.strip():
                self.not_text(oloc, "a translation is text (a string), the words in this edition's language")
                return None
            return over
        if not isinstance(base, str):  # a number, a date, true: shared
            if over is not _MISSING:
                self.not_text(oloc, f"the base value {base!r} is not text: it is shared by every edition")
            return base
        if over is _MISSING:
            if node == TEXT and base.strip():
                self.missing(bloc)
            return base
        if not isinstance(over, str):
            self.not_text(oloc, "a translation is text (a string), the base's words in this edition's language")
            return base
        if not over.strip() and base.strip():
            self.missing(bloc, f" (blank in {self.over.path.name})")
            return base
        self.moved[(str(self.base.path), *line_of(self.base, bloc))] = (self.over.path, *line_of(self.over, oloc))
        return over

    def _whole(self, base, over, bloc, oloc):
        if over is _MISSING:
            if base:
                self.missing(bloc)
            return base
        if not isinstance(over, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in over.items()):
            self.not_text(oloc, "give it whole, as the base file does: a mapping of texts")
            return base
        return over

    def _rename(self, base, over, bloc, oloc):
        if not isinstance(base, dict):
            return base
        if over is _MISSING:
            over = {}
        if not isinstance(over, dict):
            self.not_text(oloc, "give each name's translation: a mapping from the base's names to this edition's")
            return base
        for key, value in over.items():
            if key not in base:
                self.unknown(oloc + (key,), key, base)
            elif not isinstance(value, str) or not value.strip():
                self.not_text(oloc + (key,), "a name's translation is text (the series' values are shared)")
        for key in base:
            if not isinstance(over.get(key), str) or not over[key].strip():
                if key not in over:
                    self.missing(bloc + (key,), " (a name)")
        return {(over[k] if isinstance(over.get(k), str) and over[k].strip() else k): v for k, v in base.items()}

    def _mapping(self, base, over, node, bloc, oloc):
        if base is _ABSENT:  # a mapping the base leaves to its defaults (framework labels): the schema's keys
            base = {}
        if not isinstance(base, dict):
            if over is not _MISSING:
                self.not_text(oloc, "the base value here is not a mapping")
            return base
        if over is _MISSING:
            over = {}
        elif not isinstance(over, dict):
            self.not_text(oloc, "the base value here is a mapping: give its keys' translations under it")
            return base
        result = dict(base)
        for key in over:
            if key not in base and key not in node:
                self.unknown(oloc + (key,), key, [*base, *(k for k in node if k != "*")])
            elif key not in base:  # a key of the schema the base file leaves to its default
                value = self.walk(_ABSENT, over[key], node[key], bloc + (key,), oloc + (key,))
                if value is not None and value is not _ABSENT:
                    result[key] = value
        for key, value in base.items():
            result[key] = self.walk(value, over.get(key, _MISSING), node.get(key, node.get("*")), bloc + (key,),
                                    oloc + (key,))
        return result

    def _list(self, base, over, node, bloc, oloc):
        if not isinstance(base, list):
            if over is not _MISSING:
                self.not_text(oloc, "the base value here is not a list")
            return base
        if over is _MISSING:
            over = []
        elif not isinstance(over, list):
            self.not_text(oloc, "the base value here is a list: give its items' translations as a list")
            return base
        key = _matching_key(base)
        if key is None:  # by position, as long as the base's
            for index in range(len(base), len(over)):
                self.diags.error("key-unknown", f"{yaml_path(oloc)}: item {index + 1} has no counterpart: "
                                 f"{self.base.path.name} has {len(base)} here, and a translation matches them by "
                                 "position", self.over.path, *line_of(self.over, oloc + (index,)))
            return [self.walk(item, over[i] if i < len(over) else _MISSING, node, bloc + (i,), oloc + (i,))
                    for i, item in enumerate(base)]
        ids = {item[key]: i for i, item in enumerate(base)}
        given: dict[int, tuple[dict, int]] = {}
        for o_index, item in enumerate(over):
            named = item.get(key, _MISSING) if isinstance(item, dict) else _MISSING
            if named is _MISSING:
                self.diags.error("key-unknown", f"{yaml_path(oloc + (o_index,))}: name the item it translates "
                                 f"({key}: one of {', '.join(map(str, ids))}): this list matches by {key}",
                                 self.over.path, *line_of(self.over, oloc + (o_index,)))
            elif named not in ids:
                self.unknown(oloc + (o_index, key), named, ids)
            else:
                given[ids[named]] = ({k: v for k, v in item.items() if k != key}, o_index)
        result = []
        for i, item in enumerate(base):
            found, o_index = given.get(i, (_MISSING, None))
            result.append(self.walk(item, found, node, bloc + (i,), oloc + (o_index,) if o_index is not None else oloc))
        return result


def _matching_key(base: list) -> str | None:
    """`id` (else `code`) if every item of the list is a mapping carrying it: items match by it."""
    for key in ("id", "code"):
        if base and all(isinstance(item, dict) and key in item for item in base):
            return key
    return None


def overlay(base: YamlFile, over: YamlFile, schema, language: str, diags: Diagnostics, moved: dict | None = None):
    """The base file's data with `over`'s translations in place of its text (a copy: the base is
    untouched), reporting every translation missing, not text or of a key the base lacks. `moved`
    gathers where each translated value is (see `relocate`)."""
    walker = _Overlay(base, over, language, diags, moved)
    return walker.walk(copy.deepcopy(base.data), over.data if over.data is not None else {}, schema, (), ())


# --------------------------------------------------------------------------- editions

def check_editions(report: YamlFile, diags: Diagnostics) -> None:
    """report.yaml's `editions:` (its type is the schema's): well-formed language tags, none twice,
    no two with one language subtag (their files would carry one suffix), the first being the
    primary's language, `metadata.language`."""
    data = report.data if isinstance(report.data, dict) else {}
    given = data.get("editions")
    if not isinstance(given, list):
        return
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    primary = metadata.get("language", "en-GB")
    seen: dict[str, int] = {}
    for index, tag in enumerate(given):
        where = line_of(report, ("editions", index))
        if not isinstance(tag, str) or not LANGUAGE_TAG.match(tag) or len(tag) > LANGUAGE_LIMIT:
            diags.error("edition-invalid", f"{yaml_path(('editions', index))}: {tag!r} is not a language tag: give "
                        f"each edition's language as a tag such as en-GB or cy-GB (at most {LANGUAGE_LIMIT} "
                        "characters)", report.path, *where)
            continue
        subtag = tag.split("-", 1)[0].lower()
        if subtag in seen:
            first = given[seen[subtag]]
            same = "is given twice" if first == tag else f"has the language subtag '{subtag}' of {first} too"
            diags.error("edition-invalid", f"editions: {tag} {same}: each edition's files are named by its language "
                        f"subtag (foreword.{subtag}.md), so two editions cannot share one; give each language once",
                        report.path, *where)
            continue
        seen[subtag] = index
        if index == 0 and tag != primary:
            diags.error("edition-invalid", f"editions: the first is the primary edition, whose files carry no suffix "
                        f"and whose language metadata.language declares ({primary}); the first is {tag}: put "
                        f"{primary} first, or make metadata.language {tag}", report.path, *where)


def edition_sources(sources: Sources, primary_framework, edition: Edition, diags: Diagnostics) -> Sources | None:
    """The sources of a further edition: the primary's report.yaml and framework with this edition's
    translations, its language, and its chapters (under the primary's names); None, with located
    errors, when a file it needs is missing or a translation is wrong. `primary_framework`: the
    primary's validated Framework (report.yaml names ratings by its labels)."""
    files = sources.edition_files.get(edition.subtag) or EditionFiles(edition)
    reported = len(diags.errors)
    _check_chapters(sources, files, diags)
    for over in (files.report, files.framework):
        if over is not None:  # what the outputs cannot hold, located in the translation
            check_characters(over, diags)
    language = edition.language
    report_data = _overlaid(sources.report, files.report, files.report_path, report_text(
        sources.framework.data if sources.framework else None), language, diags, files)
    framework_data = _overlaid(sources.framework, files.framework, files.framework_path, FRAMEWORK_TEXT, language,
                               diags, files) if sources.framework is not None else None
    if len(diags.errors) > reported:
        return None
    report_data = relabel(report_data, sources.framework.data, framework_data, primary_framework)
    report_data.pop("editions", None)  # the edition's data names only itself: its language, below
    if isinstance(report_data.get("metadata"), dict):
        report_data["metadata"]["language"] = language
    return replace(sources, report=replace(sources.report, data=report_data),
                   framework=replace(sources.framework, data=framework_data),
                   chapters=dict(files.chapters), unreadable=set(files.unreadable), unreadable_folders=set(),
                   edition_files={edition.subtag: files})


def relocate(sources: Sources, diags: Diagnostics) -> None:
    """A problem the later stages find in a translated value (a Welsh label given twice, a title
    too long) is located at the translation, in the overlay file, not at the base value it stands
    for: the edition's data keeps the base file's positions, so its diagnostics are moved here."""
    moved = {}
    for files in sources.edition_files.values():
        moved.update(files.moved)
    if not moved:
        return
    shown = {diags.show(Path(path)): path for path, _, _ in moved}
    for index, item in enumerate(diags.items):
        path = shown.get(item.path)
        target = moved.get((path, item.line, item.column)) if path is not None else None
        if target is not None:
            over, line, column = target
            diags.items[index] = replace(item, path=diags.show(over), line=line, column=column)


def _overlaid(base: YamlFile, over: YamlFile | None, over_path: Path | None, schema, language: str,
              diags: Diagnostics, files: EditionFiles):
    if over is None:
        if over_path is not None and str(over_path) not in files.unreadable:
            shown = diags.show(over_path)
            diags.error("edition-missing", f"the {language_name(language)} edition has no {over_path.name}: the "
                        f"translation of {base.path.name}'s text (its shape, text values only; README \"Editions\"); "
                        f"write {shown}", base.path, 1, 1)
        return copy.deepcopy(base.data)
    return overlay(base, over, schema, language, diags, files.moved)


def _check_chapters(sources: Sources, files: EditionFiles, diags: Diagnostics) -> None:
    """Every chapter of the primary has its counterpart in the edition, and no edition's chapter
    is without one."""
    folder = sources.report_dir / CHAPTERS_DIR
    name = language_name(files.edition.language)
    for chapter_name, chapter in sorted(sources.chapters.items()):
        if chapter_name not in files.chapters and chapter_name not in files.unreadable:
            counterpart = edition_path(chapter.path, files.edition)
            diags.error("edition-missing", f"chapters/{chapter_name} has no {name} counterpart "
                        f"{diags.show(counterpart)}: every chapter is in every edition; write it", chapter.path, 1)
    for chapter_name, chapter in sorted(files.chapters.items()):
        if chapter_name not in sources.chapters and not sources.not_read(chapter_name):
            diags.error("edition-orphan", f"{chapter.path.name} is the {name} edition of chapters/{chapter_name}, "
                        f"which does not exist: rename it, or write {diags.show(folder / chapter_name)}",
                        chapter.path, 1)


def _scale_pairs(base, merged) -> list[tuple[str, str]]:
    """(base label, edition label) of every rating and progress status, by id."""
    pairs = []

    def items(data):
        if not isinstance(data, dict):
            return []
        found = [data.get("scale")]
        for named in (data.get("scales") or {}).values() if isinstance(data.get("scales"), dict) else ():
            found.append(named.get("ratings") if isinstance(named, dict) else named)
        follow = data.get("follow_up")
        if isinstance(follow, dict):
            found.append(follow.get("scale"))
        return [item for scale in found if isinstance(scale, list) for item in scale if isinstance(item, dict)]

    for b, m in zip(items(base), items(merged)):
        if isinstance(b.get("label"), str) and isinstance(m.get("label"), str):
            pairs.append((b["label"], m["label"]))
    return pairs


def relabel(report_data, base_framework, edition_framework, primary_framework) -> dict:
    """report.yaml's ratings and progress statuses, named by their labels in the primary's language,
    named by the edition's labels of the same ratings: the same findings, printed in its words."""
    words = dict(_scale_pairs(base_framework, edition_framework))
    if not isinstance(report_data, dict):
        return report_data

    def swap(value):
        return words.get(value, value) if isinstance(value, str) else value

    findings = report_data.get("findings")
    for finding in findings.values() if isinstance(findings, dict) else ():
        if isinstance(finding, dict) and "rating" in finding:
            finding["rating"] = swap(finding["rating"])
    if "overall_rating" in report_data:
        report_data["overall_rating"] = swap(report_data["overall_rating"])
    for item in report_data.get("previous_recommendations") or () if isinstance(
            report_data.get("previous_recommendations"), list) else ():
        if isinstance(item, dict) and "status" in item:
            item["status"] = swap(item["status"])
    details = report_data.get("details")
    if isinstance(details, dict) and primary_framework is not None and primary_framework.details is not None:
        for name, field in primary_framework.details.fields.items():
            if field.type == "rating" and name in details:
                details[name] = swap(details[name])
    return report_data


__all__ = ["FRAMEWORK_TEXT", "REPORT_FILE", "check_editions", "edition_sources", "overlay", "relabel", "relocate",
           "report_text"]
