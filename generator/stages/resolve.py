"""Stage 3, resolve: apply the framework to the findings.

Each standard gets its rating (inspector judgement, or its lowest key question placed in the
framework's percentage bands), its points; the report gets its score, maximum and overall rating.
A rating or score the author states must agree with the computed one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from generator.diagnostics import Diagnostics
from generator.stages.validate import Validated
from generator.stages.validate.framework_schema import (Band, Domain, Framework, Rounding, ScaleItem, Standard,
                                                        rule_matches)
from generator.stages.validate.locate import line_of

ROUNDING_MODES = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN, "floor": ROUND_FLOOR}


@dataclass(frozen=True)
class KeyQuestionResult:
    question: str
    value: float  # as rounded by the framework's rule
    lowest: bool


@dataclass(frozen=True)
class ResolvedStandard:
    standard: Standard
    domain: Domain
    rating: ScaleItem | None  # None: not rated, or not applicable
    key_questions: tuple[KeyQuestionResult, ...] = ()
    band_description: str | None = None
    not_applicable: bool = False  # the standard does not apply: no rating, out of every score and count

    @property
    def id(self) -> str:
        return self.standard.id

    @property
    def points(self) -> int:
        return self.rating.points if self.rating else 0

    @property
    def lowest(self) -> float | None:
        return min((kq.value for kq in self.key_questions), default=None)


@dataclass(frozen=True)
class Resolved:
    validated: Validated
    standards: dict[str, ResolvedStandard]  # framework order
    score: int | None  # None: the framework gives no score
    max_score: int | None
    overall: ScaleItem | None  # None: the framework gives no overall rating
    domain_ratings: dict[str, ScaleItem | None] = field(default_factory=dict)  # by domain id: the domains
    # rated from points (`rating:`), each None where none of its standards counts (all not rated)

    @property
    def framework(self) -> Framework:
        return self.validated.framework


def round_percentage(value: float, rounding: Rounding) -> float:
    """The framework's one rounding rule, applied before any banding."""
    quantum = Decimal(1).scaleb(-rounding.places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUNDING_MODES[rounding.method])
    return float(rounded)


def band_for(value: float, bands: list[Band]) -> Band:
    """The band whose lower bound is the highest one not above `value`."""
    eligible = [b for b in bands if value >= b.lower]
    if not eligible:
        raise ValueError(f"{value} is below every band")
    return max(eligible, key=lambda b: b.lower)


def rate_by_key_questions(standard: Standard, figures: list[float], fw: Framework):
    values = [round_percentage(v, fw.rounding) for v in figures]
    lowest = min(values)
    band = band_for(lowest, fw.key_question_bands)
    results = tuple(KeyQuestionResult(q, v, math.isclose(v, lowest))
                    for q, v in zip(standard.key_questions, values, strict=True))
    return fw.rating_by_id(band.rating), results, band.description


def scored_standards(standards, fw: Framework | None = None) -> list[ResolvedStandard]:
    """The rated standards that count in the score and the overall rating: scored, and on a scored
    scale (the default scale is; a named one unless `scored: false`)."""
    return [s for s in standards if s.rating is not None and s.standard.scored
            and (fw is None or fw.scale_scored(s.standard))]


def rating_counts(counted) -> dict[str, int]:
    """How many of the counted standards have each rating (by scale id)."""
    counts: dict[str, int] = {}
    for s in counted:
        counts[s.rating.id] = counts.get(s.rating.id, 0) + 1
    return counts


def overall_for(score: int, fw: Framework, counts: dict[str, int] | None = None,
                rated: dict[str, str] | None = None, with_limits: bool = True) -> ScaleItem | None:
    """The overall rating: the score placed in the bands, the first rule that matches the counts
    of ratings (and the named standards' ratings, `rated`: id -> rating id), or none; then the
    framework's limits on standards (`limited`; `resolve` applies those on domains too)."""
    overall = None
    if fw.overall == "bands" and fw.overall_bands:
        overall = fw.rating_by_id(band_for(score, fw.overall_bands).rating)
    elif fw.overall == "rules":
        counts = counts or {}
        rule = next((r for r in fw.overall_rules if rule_matches(r, counts, rated)), None)
        overall = fw.rating_by_id(rule.rating) if rule else None
    return (limited(overall, fw, {("standard", sid): r for sid, r in (rated or {}).items()})[0]
            if overall is not None and with_limits else overall)


def limited(overall: ScaleItem, fw: Framework, rated: dict[tuple, str]) -> tuple[ScaleItem, list[int]]:
    """The overall after the framework's limits, and the limits (by index) that changed or fixed it:
    first every cap (`at_most`: the worse of the overall and the standard's rating; a standard not
    rated or not applicable caps nothing), then a fix (`when` .. `then`) that holds, which wins
    (validation lets no two fixes that can hold together disagree)."""
    order = [item.id for item in fw.scale]  # best first
    applied: list[int] = []
    for i, limit in enumerate(fw.limits):
        if limit.at_most is not None:
            cap = rated.get(limit.at_most.subject)
            if cap in order and order.index(cap) > order.index(overall.id):
                overall = fw.rating_by_id(cap)
                applied.append(i)
    for i, limit in enumerate(fw.limits):
        if limit.when is not None and rated.get(limit.when.subject) == limit.when.rating:
            overall = fw.rating_by_id(limit.then)
            applied.append(i)
            break
    return overall, applied


def _said(named) -> str:
    """A limit's standard or domain as messages name it: "leadership", "the domain 'school'"."""
    return f"the domain '{named.domain}'" if named.domain is not None else named.standard


def limit_subjects(standards: dict[str, ResolvedStandard], domain_ratings: dict[str, ScaleItem | None]) -> dict:
    """The ratings a limit may name, by (kind, id): each rated standard's and each rated domain's."""
    subjects: dict[tuple, str] = {("standard", sid): s.rating.id for sid, s in standards.items() if s.rating is not None}
    subjects.update({("domain", did): r.id for did, r in domain_ratings.items() if r is not None})
    return subjects


def check_judged(stated: ScaleItem, fw: Framework, rated: dict[tuple, str]) -> tuple[int, str] | None:
    """The first limit a judged overall breaks, and how (None: it keeps every limit)."""
    for i, limit in enumerate(fw.limits):
        if limit.when is not None and rated.get(limit.when.subject) == limit.when.rating \
                and limit.then != stated.id:
            return i, (f"{_said(limit.when)} is rated '{fw.rating_by_id(limit.when.rating).label}', so the overall "
                       f"is '{fw.rating_by_id(limit.then).label}'")
    if any(limit.when is not None and rated.get(limit.when.subject) == limit.when.rating for limit in fw.limits):
        return None  # a fix holds and the stated overall is it: a fix wins over every cap
    order = [item.id for item in fw.scale]
    for i, limit in enumerate(fw.limits):
        if limit.at_most is not None:
            cap = rated.get(limit.at_most.subject)
            if cap in order and order.index(cap) > order.index(stated.id):
                return i, (f"{_said(limit.at_most)} is rated '{fw.rating_by_id(cap).label}', so the overall can be "
                           f"no better than '{fw.rating_by_id(cap).label}'")
    return None


def domain_rating(domain: Domain, standards: dict[str, ResolvedStandard], fw: Framework) -> ScaleItem | None:
    """A domain's rating from its counted standards' points (summed, or as a percentage of their
    maximum rounded by the framework's rule) placed in its bands; None where none counts."""
    counted = scored_standards([standards[s.id] for s in domain.standards], fw)
    if domain.rating is None or not counted:
        return None
    points = sum(s.points for s in counted)
    if domain.rating.by == "percent":
        maximum = sum(max((item.points for item in fw.scale_of(s.standard)), default=0) for s in counted)
        value = round_percentage(100 * points / maximum, fw.rounding) if maximum else 0.0
    else:
        value = points
    return fw.rating_by_id(band_for(value, domain.rating.bands).rating)


def resolve(validated: Validated, diags: Diagnostics) -> Resolved | None:
    fw, spec = validated.framework, validated.report
    report_file = validated.sources.report
    standards: dict[str, ResolvedStandard] = {}
    for domain in fw.domains:
        for standard in domain.standards:
            finding = spec.findings.get(standard.id)
            if standard.rated_by == "not_rated" or finding is None or finding.not_rated or finding.not_applicable:
                standards[standard.id] = ResolvedStandard(standard, domain, None,
                                                          not_applicable=finding is not None and finding.not_applicable)
                continue
            stated = fw.rating_by_label(finding.rating, standard) if finding.rating else None
            if standard.rated_by == "judgement":
                standards[standard.id] = ResolvedStandard(standard, domain, stated)
                continue
            rating, results, description = rate_by_key_questions(standard, finding.key_questions, fw)
            if stated is not None and stated != rating:
                line, col = line_of(report_file, ("findings", standard.id, "rating"))
                diags.error("rating-disagrees",
                            f"{standard.id} is stated as '{stated.label}' but its key questions give "
                            f"'{rating.label}' (lowest {min(r.value for r in results):g}%)",
                            report_file.path, line, col)
            standards[standard.id] = ResolvedStandard(standard, domain, rating, results, description)
    counted = scored_standards(standards.values(), fw)
    score = sum(s.points for s in counted)
    # each counted standard's top points on its own scale (one scale: the count times its top)
    max_score = sum(max((item.points for item in fw.scale_of(s.standard)), default=0) for s in counted)
    rated = {sid: s.rating.id for sid, s in standards.items() if s.rating is not None}
    domain_ratings = {d.id: domain_rating(d, standards, fw) for d in fw.domains if d.rating is not None}
    subjects = limit_subjects(standards, domain_ratings)
    framework_file = validated.sources.framework

    def limit_at(i: int) -> str:
        """A limit as messages quote it: where the framework gives it, and its text."""
        where = (f"{diags.show(framework_file.path)}:{':'.join(map(str, line_of(framework_file, ('limits', i))))}"
                 if framework_file else f"limits[{i + 1}]")
        return f"the framework's limit at {where} ({fw.limits[i].text()})"

    computed = overall_for(score, fw, rating_counts(counted), rated, with_limits=False)
    overall, applied = limited(computed, fw, subjects) if computed is not None else (None, [])
    if fw.overall == "judged" and spec.overall_rating is not None:
        overall = fw.rating_by_label(spec.overall_rating)
        broken = check_judged(overall, fw, subjects) if overall is not None else None
        if broken is not None:
            i, why = broken
            diags.error("overall-limited", f"overall rating is stated as '{spec.overall_rating}', but {limit_at(i)} "
                        f"holds: {why}", report_file.path, *line_of(report_file, ("overall_rating",)))
    if fw.overall == "rules" and overall is None:  # only where the framework check could not decide
        counts = rating_counts(counted)
        shown = ", ".join(f"{counts[s.id]} {s.id}" for s in fw.all_ratings if counts.get(s.id)) or "nothing (all not rated)"
        diags.error("overall-unmatched", f"overall_rules: no rule applies to this report, whose scored standards are "
                    f"rated {shown}, so it would have no overall rating: end the rules with one that has no "
                    "conditions (when: [])", framework_file.path if framework_file else None,
                    *(line_of(framework_file, ("overall_rules",)) if framework_file else (0, 0)))
    if not fw.has_score:
        score = max_score = None
    if spec.score is not None and score is not None and spec.score != score:
        line, col = line_of(report_file, ("score",))
        diags.error("score-disagrees", f"score is stated as {spec.score} but the ratings give "
                    f"{score}/{max_score}", report_file.path, line, col)
    if fw.overall != "judged" and spec.overall_rating is not None and overall is not None \
            and spec.overall_rating != overall.label:
        line, col = line_of(report_file, ("overall_rating",))
        given = f"the score {score}/{max_score}" if score is not None else "the ratings"
        how = f"{given} gives '{computed.label}'"
        if applied:
            how += ", and " + " and ".join(limit_at(i) for i in applied) + f" make{'s' if len(applied) == 1 else ''} it " \
                f"'{overall.label}'"
        diags.error("rating-disagrees", f"overall rating is stated as '{spec.overall_rating}' but {how}",
                    report_file.path, line, col)
    if diags.errors:
        return None
    return Resolved(validated, standards, score, max_score, overall, domain_ratings)
