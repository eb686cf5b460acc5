"""Reasoning over ordered count rules without enumerating every combination of ratings.

A framework's `overall_rules` are conditions on counts: each rule holds when every count it names
lies in a range (`at_least` .. `at_most`). A report's counts are whole numbers, each at least 0,
and together at most the number of standards counted (some may be marked not rated), so the
possible counts are the whole points of a simplex, and each rule's are the whole points of a box.

Along each count, the rules' bounds cut 0..total into a few intervals; every rule holds on a whole
interval or on none of it. So the simplex falls into cells (one interval per count) inside which
every point meets the same rules, and one point of each cell (its lowest corner) decides the cell.
The number of cells depends on the rules' bounds, not on the number of standards: 40 standards
weigh as fast as 4. Cells whose lowest corner is outside the simplex are skipped, a branch no
rule can meet any more is settled at once, and the walk stops after `budget` steps (a framework
with thousands of distinct bounds, or more than a thousand rules), saying so.

The space is general on purpose: counts are grouped, each group with its own total (today one
group, the scale's ratings over the scored standards; a second scale is a second group), and a
rule is a box over any of the counts.

A rule may also name a standard (`{standard: safeguarding, rating: not-effective}`). That splits
the space by the named standards' states (each rating of its own scale, or none: not rated or not
applicable): for each combination of them, a rule holds only if its named conditions do, the named
standards leave the free counts (their group's total is less by as many), and their ratings shift
the rules' bounds on the counts by as much; the counts are then reasoned over as above. So the check
stays exact; it walks at most `NAMED_LIMIT` combinations of named standards, beyond which it says it
could not decide.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

CELL_BUDGET = 200_000  # steps of the walk (under a second); beyond, the check says it could not decide
RULES_LIMIT = 1_000  # rules weighed at most (a real framework has a dozen); beyond, the same
NAMED_LIMIT = 4_096  # combinations of the named standards' states weighed at most; beyond, the same


@dataclass(frozen=True)
class CountSpace:
    """Counts (`names`), each in a group; the counts of a group sum to at most its total."""

    names: tuple[str, ...]
    groups: tuple[int, ...]  # the group of each count
    totals: tuple[int, ...]  # each group's total


@dataclass(frozen=True)
class Box:
    """Where a rule holds: per count (by index into the space's names), the lowest and highest
    value allowed (None: unbounded above). Counts it does not name are free."""

    bounds: dict[int, tuple[int, int | None]]


@dataclass
class RulesAnalysis:
    complete: bool  # False: the walk ran out of budget; `uncovered` and `applies` are not known
    uncovered: dict[str, int] | None = None  # the first counts (fewest ratings first) that meet no rule
    applies: list[bool] = field(default_factory=list)  # per rule: it is the first to hold somewhere
    # per rule: the earlier rules that hold first wherever it holds (meaningful where it never applies)
    taken_by: list[list[int]] = field(default_factory=list)
    steps: int = 0
    given: dict[str, str | None] | None = None  # with `uncovered`: the named standards' states there


def box_of(conditions, space: CountSpace) -> Box:
    """The box of a rule from its conditions, (count name, at_least, at_most) each; several
    conditions on one count narrow it."""
    index = {name: i for i, name in enumerate(space.names)}
    bounds: dict[int, tuple[int, int | None]] = {}
    for name, at_least, at_most in conditions:
        i = index[name]
        low, high = bounds.get(i, (0, None))
        if at_least is not None:
            low = max(low, at_least)
        if at_most is not None:
            high = at_most if high is None else min(high, at_most)
        bounds[i] = (low, high)
    return Box(bounds)


def contradiction(box: Box) -> int | None:
    """The count whose bounds cannot both hold (at least more than at most), or None."""
    return next((i for i, (low, high) in sorted(box.bounds.items()) if high is not None and low > high), None)


def needs_more_than(box: Box, space: CountSpace) -> int | None:
    """The group whose total is less than the counts the box needs at least, or None."""
    need = [0] * len(space.totals)
    for i, (low, _) in box.bounds.items():
        need[space.groups[i]] += low
    return next((g for g, total in enumerate(space.totals) if need[g] > total), None)


def analyse(space: CountSpace, boxes: list[Box], budget: int | None = None) -> RulesAnalysis:
    """Which counts meet no rule, and which rules are ever the first to hold (first match wins)."""
    budget = CELL_BUDGET if budget is None else budget
    if len(boxes) > RULES_LIMIT:
        return RulesAnalysis(False)
    n, totals, groups = len(space.names), space.totals, space.groups
    steps = 0
    # the intervals of each count, as their starts; every rule holds on the whole of an interval or
    # on none of it, so on its start iff on all of it
    cuts: list[set[int]] = [{0} for _ in range(n)]
    for box in boxes:
        for i, (low, high) in box.bounds.items():
            cuts[i].add(low)
            if high is not None:
                cuts[i].add(high + 1)
    starts = [sorted(c for c in cuts[i] if c <= totals[groups[i]]) for i in range(n)]
    # masks[i][j]: the rules (as bits) that hold on interval j of count i
    every = (1 << len(boxes)) - 1
    masks = [[every] * len(s) for s in starts]
    for r, box in enumerate(boxes):
        for i, (low, high) in box.bounds.items():
            steps += len(starts[i])
            if steps > budget:
                return RulesAnalysis(False, steps=steps)
            for j, start in enumerate(starts[i]):
                if start < low or (high is not None and start > high):
                    masks[i][j] &= ~(1 << r)
    # walk the cells count by count (only the counts some rule cuts; the others stay at 0), without
    # recursion: a scale may be long
    order = [i for i in range(n) if len(starts[i]) > 1]
    first_mask = every
    for i in range(n):
        if len(starts[i]) == 1:
            first_mask &= masks[i][0]
    first_of = [False] * len(boxes)
    also_hold = [0] * len(boxes)  # per rule: the later rules that also hold where it holds first
    best = None  # (fewest ratings, counts): the first counts no rule meets
    used = [0] * len(totals)  # per group: the counts chosen so far
    chosen = [0] * n
    depth, levels = 0, len(order)
    index = [-1] * levels
    mask_at = [0] * (levels + 1)
    mask_at[0] = first_mask
    entering = True
    while depth >= 0:
        if entering:
            steps += 1
            if steps > budget:
                return RulesAnalysis(False, steps=steps)
            mask = mask_at[depth]
            if mask == 0 or depth == levels:
                if mask == 0:  # no rule holds anywhere below: its lowest corner is the first such counts
                    key = (sum(chosen), list(chosen))
                    if best is None or key < best:
                        best = key
                else:
                    first = (mask & -mask).bit_length() - 1
                    first_of[first] = True
                    also_hold[first] |= mask & (mask - 1)
                depth -= 1
                entering = False
                continue
            index[depth] = -1
        i = order[depth]
        group = groups[i]
        if index[depth] >= 0:
            used[group] -= starts[i][index[depth]]
        index[depth] += 1
        j = index[depth]
        if j < len(starts[i]) and used[group] + starts[i][j] <= totals[group]:
            used[group] += starts[i][j]
            chosen[i] = starts[i][j]
            mask_at[depth + 1] = mask_at[depth] & masks[i][j]
            depth += 1
            entering = True
        else:  # starts ascend: the rest lie outside the simplex too
            chosen[i] = 0
            depth -= 1
            entering = False
    uncovered = dict(zip(space.names, best[1])) if best else None
    firsts = [s for s, first in enumerate(first_of) if first]
    return RulesAnalysis(True, uncovered, first_of,
                         [[s for s in firsts if also_hold[s] >> r & 1] for r in range(len(boxes))], steps)


def analyse_named(space: CountSpace, boxes: list[Box], named_when: list[dict[str, str] | None],
                  named: dict[str, tuple[list[str], int | None]], budget: int | None = None) -> RulesAnalysis:
    """`analyse` for rules that also name standards: `named_when[r]`, rule r's conditions on named
    standards (standard id -> rating id; None: two of them clash, so it never holds); `named`, each named standard's rating ids and the group it
    is counted in (None: not counted). Each combination of the named standards' states (a rating, or
    None) is a space of its own; the answers are joined (the first uncovered counts over all)."""
    budget = CELL_BUDGET if budget is None else budget
    names = sorted(named)
    states = [named[n][0] + [None] for n in names]
    if len(boxes) > RULES_LIMIT or math.prod(len(s) for s in states) > NAMED_LIMIT:
        return RulesAnalysis(False)
    index = {name: i for i, name in enumerate(space.names)}
    totals = list(space.totals)
    for n in names:  # the named standards are counted by their state, not among the free counts
        if named[n][1] is not None:
            totals[named[n][1]] -= 1
    applies, taken = [False] * len(boxes), [set() for _ in boxes]
    best, steps = None, 0
    for combination in itertools.product(*states):
        given = dict(zip(names, combination))
        fixed = [0] * len(space.names)
        for n, rating in given.items():
            if rating is not None and named[n][1] is not None:
                fixed[index[rating]] += 1
        keep, sub = [], []
        for r, box in enumerate(boxes):
            if named_when[r] is None or any(given[sid] != rating for sid, rating in named_when[r].items()):
                continue
            bounds = {i: (max(0, low - fixed[i]), None if high is None else high - fixed[i])
                      for i, (low, high) in box.bounds.items()}
            if any(high is not None and high < 0 for _, high in bounds.values()):
                continue
            keep.append(r)
            sub.append(Box(bounds))
        steps += len(boxes)  # weighing each rule for this combination
        found = analyse(CountSpace(space.names, space.groups, tuple(totals)), sub, max(budget - steps, 0))
        steps += found.steps
        if not found.complete or steps > budget:
            return RulesAnalysis(False, steps=steps)
        if found.uncovered is not None:
            counts = [found.uncovered[name] + fixed[i] for i, name in enumerate(space.names)]
            key = (sum(counts), counts, [names.index(n) for n in names if given[n] is None])
            if best is None or key < best[0]:
                best = (key, dict(zip(space.names, counts)), given)
        for k, r in enumerate(keep):
            if found.applies[k]:
                applies[r] = True
            else:
                taken[r] |= {keep[s] for s in found.taken_by[k]}
    return RulesAnalysis(True, best[1] if best else None, applies,
                         [sorted(taken[r]) if not applies[r] else [] for r in range(len(boxes))], steps,
                         best[2] if best else None)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _named(rules, numbers: list[int], most: int = 6) -> str:
    shown = [f"{n + 1} ('{rules[n].rating}')" for n in numbers[:most]]
    if len(numbers) > most:
        shown.append(f"{len(numbers) - most} more")
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return ("rule " if len(shown) == 1 else "rules ") + listed


def check_rules(rules, scale_ids: list[str], scored: int, budget: int | None = None,
                groups: list[tuple[list[str], int]] | None = None,
                named: dict[str, tuple[list[str], int | None]] | None = None) -> list[tuple[str, str, tuple]]:
    """The problems of a framework's ordered count rules (each with a `rating` and conditions
    `when`: `rating`, `at_least`, `at_most`, every rating on the scale), as (severity, message,
    location under the framework): a rule that can never apply, and why; counts of ratings that
    meet no rule; or, past the budget, that this could not be decided. `scored`: how many
    standards are counted. `groups`, for a framework of several scales: each scored scale's rating ids
    and how many scored standards are on it (each group's counts sum to at most its own total).
    `named`: the standards rules name (a condition with `standard`), each with its scale's rating ids
    and its group (None where it is not counted)."""
    budget = CELL_BUDGET if budget is None else budget
    if groups is None:
        space = CountSpace(tuple(scale_ids), (0,) * len(scale_ids), (scored,))
    else:
        space = CountSpace(tuple(r for ids, _ in groups for r in ids),
                           tuple(g for g, (ids, _) in enumerate(groups) for _ in ids), tuple(n for _, n in groups))
    boxes = [box_of([(c.rating, c.at_least, c.at_most) for c in rule.when if getattr(c, "standard", None) is None],
                    space) for rule in rules]
    named_when: list[dict[str, str] | None] = [{} for _ in rules]
    out: list[tuple[str, str, tuple]] = []
    alone = [True] * len(rules)  # the rule's own conditions can hold together
    for r, (rule, box) in enumerate(zip(rules, boxes)):
        head = f"overall_rules: rule {r + 1} ('{rule.rating}') can never apply: "
        two = None
        for c in rule.when:
            if getattr(c, "standard", None) is not None:
                if named_when[r].setdefault(c.standard, c.rating) != c.rating:
                    two = (c.standard, named_when[r][c.standard], c.rating)
        clash = contradiction(box)
        if two is not None:
            alone[r] = False
            named_when[r] = None
            out.append(("error", head + f"its conditions on the standard '{two[0]}' cannot both hold (rated "
                        f"'{two[1]}' and '{two[2]}')", ("overall_rules", r)))
        elif clash is not None:
            alone[r] = False
            low, high = box.bounds[clash]
            out.append(("error", head + f"its conditions on '{space.names[clash]}' cannot both hold (at least {low} "
                        f"and at most {high})", ("overall_rules", r)))
        elif needs_more_than(box, space) is not None:
            alone[r] = False
            needs = " and ".join(f"at least {low} '{space.names[i]}'"
                                 for i, (low, _) in sorted(box.bounds.items()) if low)
            out.append(("error", head + (f"no combination of {_plural(scored, 'rating')} has {needs} (the rules "
                                         f"count the ratings of {_plural(scored, 'scored standard')})" if scored else
                                         f"it needs {needs}, but the rules count no standard (each is rated_by: "
                                         "not_rated or scored: false)"), ("overall_rules", r)))
    found = analyse_named(space, boxes, named_when, named, budget) if named else analyse(space, boxes, budget)
    if not found.complete:
        out.append(("warning", f"overall_rules: could not check that every count of ratings meets a rule and that "
                    f"every rule can apply: {len(rules):,} rules and their bounds are more than reportgen weighs "
                    f"(at most {RULES_LIMIT:,} rules, {budget:,} cases"
                    + (f", {NAMED_LIMIT:,} combinations of the standards the rules name" if named else "")
                    + "); a report "
                    "whose ratings meet no rule is an error when it is checked or built (overall-unmatched)",
                    ("overall_rules",)))
        return out
    if found.uncovered is not None:
        shown = ", ".join(f"{n} {sid}" for sid, n in found.uncovered.items() if n)
        if found.given is not None:
            shown = (shown or "nothing (all not rated)") + ", with " + ", ".join(
                f"{sid} {'not rated' if rating is None else 'rated ' + repr(rating)}" for sid, rating in found.given.items())
        out.append(("error", f"overall_rules: no rule applies when the scored standards are rated "
                    f"{shown or 'nothing (all not rated)'}: end the rules with one that has no conditions "
                    "(when: []) or cover every case", ("overall_rules",)))
    for r, rule in enumerate(rules):
        if alone[r] and not found.applies[r]:
            out.append(("error", f"overall_rules: rule {r + 1} ('{rule.rating}') can never apply: wherever its "
                        f"conditions hold, {_named(rules, found.taken_by[r])} "
                        f"{'holds' if len(found.taken_by[r]) == 1 else 'hold'} first", ("overall_rules", r)))
    return out
