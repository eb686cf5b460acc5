"""`reportgen new DIR --framework ID`: a report folder laid out from a framework.

The folder gets a report.yaml with the metadata fields the framework requires (`required_metadata`)
and one finding per rated standard (left for the author to fill in: `reportgen check` then lists
what is missing), the framework's own `details` fields as placeholders of their types (which `check`
warns of in a draft and refuses in a final build: `authoring.PLACEHOLDERS`), a commented example of
the last inspection's recommendations where the framework follows them up, the usual parts, and
one chapter per part with the block markers in place.

The folder's name and the framework's strings are data: every value written into report.yaml
goes through PyYAML's emitter (`_yaml`), every comment is one line of printable text (`_comment`),
so no name can add a key. A name no folder can have here (a line break or control character in
it, a part too long for the file system, a path through a file) is refused before anything is
written (`NameRefused`, a usage error); a failure while writing removes what was written.

The unit's name comes from the folder's (`unit_name`: "westshire-pdu" is "Westshire PDU", the
framework's own capitals kept) unless `title` gives it; each standard rated by key questions lists
them, in order, as comments beside the figures to fill in.
"""

from __future__ import annotations

import os
import re
import shlex
import unicodedata
from pathlib import Path

import yaml

from generator.diagnostics import ContentError, Diagnostics, did_you_mean
from generator.stages.load import available_frameworks, framework_candidates, read_yaml
from generator.stages.parse.authoring import (BACKGROUND, DETAIL_PLACEHOLDERS, FOREWORD, LIST_ITEM, REPORT_TITLE,
                                              STANDARD_SUMMARY)
from generator.stages.validate.framework_schema import Framework
from generator.stages.validate.locate import _parse

# Every {field} below is a YAML value made by `_yaml` (PyYAML's emitter), or a comment made by `_comment`.
REPORT_YAML = """\
# A report of the {framework_text} framework ({name}).
# Fill in every field; `reportgen check {check}` lists what is still missing or wrong.
framework: {framework}

metadata:
  title: {title}
  short_title: {unit}
{unit_field}{region_field}  inspectorate: {inspectorate}
  published: ~         # YYYY-MM
{fieldwork_start_field}{lead_inspector_field}{chief_inspector_field}{isbn_field}  language: en-GB
  copyright_year: ~
  subject: ~          # one sentence: what the report is about
  keywords: []
  publisher: {{name: {inspectorate}, {website}address: []}}

sample: {{}}
{details}{overall}
# One finding per rated standard: `rating:` (a scale label) for standards rated by judgement,
# `key_questions: [..]` (percentages, in the order of the key questions listed) for the others.
# Scale: {labels}.
findings:
{findings}

recommendations:
  - addressee: {unit}
    items:
      - ~
{previous_recommendations}
links: {{}}

parts:
  - {{file: contents.md, title: Contents, contents: false}}
{front_part}  - {{file: foreword.md, title: Foreword}}
{ratings_part}  - {{file: recommendations.md, title: Recommendations}}
  - {{file: background.md, title: Background}}
{domain_parts}
"""


# The metadata fields a framework may require (its `required_metadata`), as `new` writes each: only
# those the framework requires are written. `{unit}` is the unit's name, a YAML value.
METADATA_FIELDS = {
    "unit": "  unit: {unit}\n",
    "region": "  region: ~            # every ~ is for you to fill in\n",
    "fieldwork_start": "  fieldwork_start: ~   # YYYY-MM-DD\n",
    "lead_inspector": "  lead_inspector: ~\n",
    "chief_inspector": "  chief_inspector: {{name: ~, role: ~}}\n",
    "isbn": "  isbn: ~\n",
}
DETAIL_KINDS = {"text": "text", "date": "a date", "integer": "a whole number"}  # said in the comment beside each


class NameRefused(ValueError):
    """The folder cannot be made where and as it is named: a usage error (exit 2), nothing written."""


class TitleRefused(NameRefused):
    """The unit's name given (`title`) is not one line of plain characters: a usage error, nothing written."""


def _yaml(value) -> str:
    """`value` as one line of YAML, written by PyYAML (so read back as exactly `value`): plain where
    that is safe, else quoted; a string with a line break in double quotes with escapes."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=float("inf"))
    text = text.removesuffix("\n").removesuffix("\n...")
    if "\n" in text:
        text = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=float("inf")).removesuffix("\n")
    return text


def _comment(value) -> str:
    """`value` as text that stays inside a one-line YAML comment: whitespace runs (line breaks,
    U+2028 and U+0085 too) made one space, nothing that is not printable."""
    return "".join(char for char in " ".join(str(value).split()) if char.isprintable())


def _finding(standard) -> str:
    """The finding to fill in for `standard`; one rated by its key questions lists them below it,
    numbered in the order its figures are given."""
    field = "key_questions" if standard.rated_by == "key_questions" else "rating"
    line = f"  {_yaml(standard.id)}: {{{field}: ~}}   # {_comment(standard.title)}"
    if field == "rating":
        return line
    return "\n".join([line + ": its key questions, in order (a percentage for each):",
                      *(f"    #   {number}. {_comment(question)}"
                        for number, question in enumerate(standard.key_questions, 1))])


def _details(fw: Framework) -> str:
    """The framework's own fields (`details.fields`), each a placeholder of its type (`DETAIL_PLACEHOLDERS`,
    which `check` warns of in a draft and a final build refuses), a comment naming its label and, for
    a rating, the labels it may have; "" for a framework that declares none."""
    if fw.details is None or not fw.details.fields:
        return ""
    lines = ["", "# The framework's own facts about the inspection, printed by `::: details` (chapters/background.md):",
             "# write each value over its placeholder; remove an optional one the report does not have."]
    lines.append("details:")
    for name, field in fw.details.fields.items():
        kind = (f"one of {', '.join(item.label for item in fw.detail_scale(field))}" if field.type == "rating"
                else DETAIL_KINDS[field.type])
        said = _comment(f"{field.label}: {kind}" + ("" if field.required else " (optional)"))
        lines.append(f"  {_yaml(name)}: {_yaml(DETAIL_PLACEHOLDERS[field.type])}   # {said}")
    return "\n".join(lines) + "\n"


def _overall(fw: Framework) -> str:
    """overall_rating to fill in, where the framework's overall is the inspectors' judgement."""
    if fw.overall != "judged":
        return ""
    labels = _comment(", ".join(item.label for item in fw.scale))
    return f"\n# The inspectors' overall judgement, one of: {labels}.\noverall_rating: ~\n"


def _previous_recommendations(fw: Framework) -> str:
    """A commented example of the last inspection's recommendations, where the framework follows
    them up (`follow_up`), naming the statuses its progress scale allows; "" where it does not."""
    if fw.follow_up is None or not fw.follow_up.scale:
        return ""
    statuses = _comment(", ".join(item.label for item in fw.follow_up.scale))
    return ("\n# The last inspection's recommendations and what became of each: to follow them up, remove the #s,\n"
            "# write one entry a recommendation, and place `::: previous-recommendations` in a part.\n"
            f"# Its status is one of: {statuses}.\n"
            "# previous_recommendations:\n"
            "#   - text: The recommendation, as the last report wrote it.\n"
            f"#     status: {_comment(_yaml(fw.follow_up.scale[0].label))}\n"
            "#     evidence: What the inspection found, in a sentence.\n")


# words a name keeps in lower case after its first ("Newcastle upon Tyne", "Isle of Wight")
_SMALL_WORDS = frozenset("a an and at by de for in la le of on or the to upon with".split())
# a word written in capitals, two or more of them, digits allowed: PDU, YJS, HMPPS (not P2)
_CAPITALS = re.compile(r"\b[A-Z0-9]*[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*\b")


def framework_capitals(fw) -> frozenset[str]:
    """The words the framework itself writes in capitals (its name, inspectorate, titles,
    statements and key questions): the abbreviations a unit's name may hold, PDU or YJS."""
    texts = [fw.name, fw.inspectorate, *(d.title for d in fw.domains)]
    for standard in fw.standards:
        texts += [standard.title, standard.statement, *standard.key_questions]
    return frozenset(word for text in texts for word in _CAPITALS.findall(text))


def unit_name(folder_name: str, capitals=frozenset()) -> str:
    """The inspected unit's name as the folder's name spells it, words split at '-', '_' and
    spaces. A word with a capital in it is kept as written (PDU, McAllister); a word in lower case
    is written in capitals if it is one of `capitals` (pdu: PDU), kept in lower case if it is a
    small word after the first (upon, of), else given a capital first letter (westshire: Westshire)."""
    words = [word for word in re.split(r"[-_\s]+", folder_name) if word]
    named = []
    for position, word in enumerate(words):
        if word != word.lower():
            named.append(word)
        elif word.upper() in capitals:
            named.append(word.upper())
        elif position and word in _SMALL_WORDS:
            named.append(word)
        else:
            named.append(word[:1].upper() + word[1:])
    return " ".join(named)


_REFUSED_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}  # controls (line breaks), surrogates, line/paragraph separators


def _refused_char(text: str) -> str | None:
    return next((char for char in text if unicodedata.category(char) in _REFUSED_CATEGORIES
                 or char in "\ufffe\uffff"), None)


def _check_name(folder: Path) -> None:
    """NameRefused unless `folder` can be made as named: no line break or control character in its
    name, every part within the file system's limit, no file where a folder must be."""
    bad = _refused_char(str(folder))
    if bad is not None:
        raise NameRefused(f"the folder's name holds a line break or control character (U+{ord(bad):04X}): "
                          "name the folder in plain characters")
    existing = Path(os.path.abspath(folder))
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NameRefused(f"'{existing}' is a file, not a folder: a report folder cannot be made inside it")
    try:
        name_max = os.pathconf(existing, "PC_NAME_MAX")
        path_max = os.pathconf(existing, "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    for part in Path(os.path.abspath(folder)).parts:
        if len(os.fsencode(part)) > name_max:
            raise NameRefused(f"'{part[:40]}…' is {len(os.fsencode(part))} bytes long; a folder's name may be at "
                              f"most {name_max} bytes here: give a shorter name")
    # the longest file written: chapters/recommendations.md
    if len(os.fsencode(os.path.abspath(folder))) + 40 > path_max:
        raise NameRefused(f"the path is too long for this file system (at most {path_max} bytes): give a shorter one")


def _write(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write `files` (name under `folder` -> text), never over an existing file; on any failure,
    remove every file and folder this made, then raise the OSError."""
    made: list[Path] = []
    written: list[Path] = []
    inside = os.path.abspath(folder) + os.sep
    try:
        for name, text in files.items():
            target = folder / name
            if not os.path.abspath(target).startswith(inside):
                raise OSError(f"'{name}' is not a name inside the folder")
            missing = []
            parent = target.parent
            while not os.path.lexists(parent):
                missing.append(parent)
                parent = parent.parent
            for path in reversed(missing):
                path.mkdir()
                made.append(path)
            with open(target, "x", encoding="utf-8") as handle:
                made.append(target)
                handle.write(text)
            written.append(target)
    except OSError:
        for path in reversed(made):
            try:
                path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
            except OSError:
                pass
        raise
    return written


def _chapter_name(domain_id: str) -> str:
    """The chapter file of a domain: `domain-<id>.md`, the id made a safe file name (a framework's
    domain id is data, never a path)."""
    return "domain-" + (re.sub(r"[^A-Za-z0-9._-]+", "-", domain_id).strip("-") or "x") + ".md"


def _domain_chapter(domain) -> str:
    blocks = []
    for standard in domain.standards:
        if standard.rated_by == "not_rated":
            continue
        blocks.append(f"::: standard {standard.id}\n\n{STANDARD_SUMMARY.format(title=standard.title.lower())}\n")
        if standard.rated_by == "key_questions":
            blocks.append("Our rating for this standard is driven by the lowest score:\n\n::: key-questions\n")
        blocks.append(f"### Strengths:\n\n{LIST_ITEM}\n\n### Areas for improvement:\n\n{LIST_ITEM}\n")
    return "\n".join(blocks)


def _front_matter(fw: Framework) -> str:
    """The front matter's markers: the parts the framework's `publication.parts` requires that the
    front matter holds (acknowledgements, imprint); "" when it requires neither."""
    required = fw.publication.parts
    return "\n".join(f"::: {name}\n" for name in ("acknowledgements", "imprint") if name in required)


def framework_choices(folder: Path, framework_dirs=()) -> list[tuple[str, str]]:
    """(id, name) of each framework `new` can lay `folder` out from, by id; the name as one line of
    printable text ("" for a file that does not read as a framework)."""
    choices = []
    for framework_id in available_frameworks(folder, framework_dirs):
        found = next(((p, root) for p, root in framework_candidates(folder, framework_id, framework_dirs)
                      if p.exists() or p.is_symlink()), None)
        data = read_yaml(found[0], Diagnostics(), (found[1],)) if found else None
        name = data.data.get("name") if data is not None and isinstance(data.data, dict) else None
        choices.append((framework_id, _comment(name)[:100] if isinstance(name, str) else ""))
    return choices


def likely_framework(folder: Path, framework_ids) -> str | None:
    """The framework id that shares most words with the folder's name (westshire-pdu:
    hmip-pdu-2023), else the first."""
    words = {word.lower() for word in re.split(r"[-_\s.]+", folder.name) if not word.isdigit()}
    ids = list(framework_ids)
    return max(ids, key=lambda i: len(words & set(i.lower().split("-"))), default=None)


def scaffold(folder: Path, framework_id: str, framework_dirs=(), title: str | None = None) -> list[Path]:
    """Create `folder` from the framework; returns the files written. Never overwrites; NameRefused
    (nothing written) for a name that cannot be a report folder here. `title`: the unit's name
    as it is written (default: `unit_name` of the folder's name)."""
    diags = Diagnostics()
    _check_name(folder)
    if title is not None and (_refused_char(title) is not None or not title.strip()):
        raise TitleRefused("give the unit's name on one line, in plain characters, e.g. --title 'Westshire PDU'")
    try:
        if folder.exists() and any(folder.iterdir()):
            diags.error("new-exists", "the folder exists and is not empty; reportgen new never overwrites", folder)
            raise ContentError(diags)
    except OSError as exc:
        diags.error("new-failed", f"cannot read the folder: {exc.strerror or exc}; nothing was written", folder)
        raise ContentError(diags) from None
    found = next(((p, root) for p, root in framework_candidates(folder, framework_id, framework_dirs)
                  if p.exists() or p.is_symlink()), None)
    if found is None:
        diags.error("framework-unknown", f"unknown framework '{framework_id}' (give a framework id, not a path; "
                    "use --frameworks DIR for a folder of your own)"
                    + did_you_mean(Path(framework_id).stem, available_frameworks(folder, framework_dirs)), folder)
        raise ContentError(diags)
    yaml_file = read_yaml(found[0], diags, (found[1],))
    fw = _parse(Framework, yaml_file, diags) if yaml_file else None
    if fw is None:
        raise ContentError(diags)
    unit = title.strip() if title is not None else unit_name(folder.name, framework_capitals(fw))
    files = {
        "report.yaml": REPORT_YAML.format(
            framework=_yaml(fw.id), framework_text=_comment(fw.id), name=_comment(fw.name),
            check=_comment(shlex.quote(str(folder))),
            title=_yaml(REPORT_TITLE.format(unit=unit)), unit=_yaml(unit), inspectorate=_yaml(fw.inspectorate),
            **{f"{name}_field": text.format(unit=_yaml(unit)) if name in fw.required_metadata else ""
               for name, text in METADATA_FIELDS.items()},
            details=_details(fw), overall=_overall(fw), previous_recommendations=_previous_recommendations(fw),
            labels=_comment(", ".join(s.label for s in fw.scale)),
            findings="\n".join(_finding(s) for s in fw.standards if s.rated_by != "not_rated") or "  {}",
            ratings_part="  - {file: ratings.md, title: Ratings}\n" if fw.rated else "",
            front_part="  - {file: front-matter.md, title: Acknowledgements, contents: false}\n"
            if _front_matter(fw) else "",
            website="website: ~, " if fw.publication.imprint and fw.publication.imprint.download else "",
            domain_parts="\n".join(f"  - {{file: {_yaml(_chapter_name(d.id))}, domain: {_yaml(d.id)}}}"
                                    for d in fw.domains)),
        "chapters/contents.md": "::: contents\n",
        "chapters/foreword.md": FOREWORD + "\n",
        "chapters/recommendations.md": "As a result of our inspection findings, we have made these recommendations.\n"
                                       "\n::: recommendations\n",
        "chapters/background.md": "We conducted fieldwork in {{ report.unit }}, beginning "
                                  "{{ report.fieldwork_start | long_date }}.\n"
                                  if {"unit", "fieldwork_start"} <= set(fw.required_metadata) else BACKGROUND + "\n",
    }
    if _details(fw):  # the framework's own facts print in the background
        files["chapters/background.md"] += "\n::: details\n"
    if _front_matter(fw):  # the parts the framework requires (publication.parts) that open a report
        files["chapters/front-matter.md"] = _front_matter(fw)
    if fw.rated:  # an unrated framework (a thematic) has no ratings page
        files["chapters/ratings.md"] = "::: ratings\n"
    for domain in fw.domains:
        files["chapters/" + _chapter_name(domain.id)] = _domain_chapter(domain)
    try:
        return _write(folder, files)
    except OSError as exc:
        diags.error("new-failed", f"cannot write the report folder: {exc.strerror or exc}; nothing was written",
                    folder)
        raise ContentError(diags) from None
