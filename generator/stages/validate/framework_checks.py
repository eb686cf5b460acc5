"""A framework consistent with itself (`_check_framework`): every mistake that could make the
arithmetic or the printed words wrong is a located `framework-invalid` error: its scales, bands,
limits, the standards and domains its rules and limits name, its publication texts, its follow-up
scale and details fields. The overall rules' coverage is `generator.stages.framework_rules`.

Not here: the file's shape (`framework_schema`), nor a report weighed against it (`cross_checks`).
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from pathlib import Path

from generator.diagnostics import Diagnostics, did_you_mean
from generator.stages.framework_rules import check_rules
from generator.stages.load import YamlFile
from generator.stages.validate.framework_schema import (DETAIL_NAME, PUBLICATION_PARTS, Band, FollowUp, Framework,
                                                        Limit, ScaleItem, Standard)
from generator.stages.validate.locate import line_of
from generator.stages.validate.report_schema import MAIL_ADDRESS, WEB_ADDRESS


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
        elif "group_digits" in spec.model_fields_set and spec.type != "integer":
            error(f"details.fields.{name}: group_digits says how a whole number is printed, but it is {spec.type}: "
                  "remove group_digits", loc + ("group_digits",))
        elif spec.scale is not None and spec.type != "rating":
            error(f"details.fields.{name} names the scale '{spec.scale}', but it is {spec.type}, not a rating: "
                  "remove scale, or give it type: rating", loc + ("scale",))
        elif spec.type == "rating" and not fw.rated:
            error(f"details.fields.{name} is a rating, but {fw.id} has no scale to rate on: give its type as "
                  "text, or add a scale", loc + ("type",))
        elif spec.scale is not None and spec.scale not in fw.scales:
            names = list(fw.scales)
            error(f"details.fields.{name} is a rating on the scale '{spec.scale}', which is not one of the "
                  "framework's scales" + (did_you_mean(spec.scale, names) or (
                      f" (its scales: {', '.join(names)})" if names else
                      ": define it under scales:, or remove scale to rate on the default scale")), loc + ("scale",))


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
    if fw.presentation.key_points and (fw.has_score or not fw.rated):
        error("presentation.key_points: " + ("the framework scores, so the key shows each rating's points already"
                                            if fw.rated else "the framework has no scale, so there is no key")
              + ": remove it", ("presentation", "key_points"))
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
        needed += ["rating", "standard", "not_rated"]
        if "fieldwork_start" in fw.required_metadata:  # printed on the ratings page, before the date
            needed.append("fieldwork_started")
        if fw.has_score:
            needed.append("score")
        if fw.overall != "none":
            needed.append("overall_rating")
    for name in needed:
        value = getattr(fw.labels, name)
        if value is None or not value.strip():
            error("labels.fieldwork_started is needed (the ratings page shows it before metadata.fieldwork_start, "
                  "which required_metadata requires): give it, e.g. \"Fieldwork started:\""
                  if name == "fieldwork_started" else
                  f"labels.{name} is needed (the ratings page and standard blocks show it): give it",
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
