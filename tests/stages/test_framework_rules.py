"""The ordered count rules' coverage, decided over the counts (generator/stages/framework_rules.py)
rather than over every combination: the decision agrees with trying every combination on small
frameworks, holds for frameworks far past what enumeration could try, and where it cannot decide it
says so, and a report that then meets no rule is a located error, never `ok`."""

from __future__ import annotations

import itertools
import re

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.stages import framework_rules
from generator.stages.framework_rules import Box, CountSpace, analyse, box_of, check_rules
from generator.stages.validate.framework_schema import Rule, rule_matches
from tests.conftest import ROOT, copy_report


def every_count(ids: list[str], total: int):
    """Every count of ratings `ids` of at most `total` standards, fewest ratings first, then in the
    order of `ids` (the first id's count rising slowest)."""
    def exactly(ids, total):
        if len(ids) <= 1:
            yield [total] if ids else []
            return
        for n in range(total + 1):
            for rest in exactly(ids[1:], total - n):
                yield [n, *rest]
    for n in range(total + 1):
        for counts in exactly(ids, n):
            yield dict(zip(ids, counts))


def brute_force(ids: list[str], rules: list[Rule], total: int):
    """What trying every combination finds: the first counts no rule meets, which rules are ever
    first, and for each rule the rules that hold first where it holds too."""
    uncovered, first_of, taken = None, [False] * len(rules), [set() for _ in rules]
    for counts in every_count(ids, total):
        holding = [r for r, rule in enumerate(rules) if rule_matches(rule, counts)]
        if not holding:
            uncovered = uncovered or counts
            continue
        first_of[holding[0]] = True
        for r in holding[1:]:
            taken[r].add(holding[0])
    return uncovered, first_of, [sorted(t) for t in taken]


def space_of(ids: list[str], total: int) -> CountSpace:
    return CountSpace(tuple(ids), (0,) * len(ids), (total,))


def boxes_of(rules: list[Rule], space: CountSpace):
    return [box_of([(c.rating, c.at_least, c.at_most) for c in rule.when], space) for rule in rules]


@st.composite
def small_frameworks(draw):
    ids = [f"r{i}" for i in range(draw(st.integers(1, 4)))]
    total = draw(st.integers(0, 7))
    bound = st.none() | st.integers(0, total + 2)
    condition = st.builds(lambda rating, low, high: {"rating": rating, "at_least": low, "at_most": high},
                          st.sampled_from(ids), bound, bound)
    rules = draw(st.lists(st.builds(lambda rating, when: Rule(rating=rating, when=when),
                                    st.sampled_from(ids), st.lists(condition, max_size=3)), min_size=1, max_size=6))
    return ids, rules, total


@settings(max_examples=250, deadline=None, derandomize=True)
@given(small_frameworks())
def test_deciding_over_the_counts_agrees_with_trying_every_combination(framework):
    ids, rules, total = framework
    space = space_of(ids, total)
    found = analyse(space, boxes_of(rules, space))
    uncovered, first_of, taken = brute_force(ids, rules, total)
    assert found.complete
    assert found.uncovered == uncovered
    assert found.applies == first_of
    assert found.taken_by == taken


@settings(max_examples=150, deadline=None, derandomize=True)
@given(small_frameworks())
def test_the_messages_name_exactly_the_rules_that_never_apply(framework):
    ids, rules, total = framework
    rules = [r for r in rules if all(c.at_least is None or c.at_most is None or c.at_least <= c.at_most
                                     for c in r.when)]  # validate reports a single impossible condition itself
    if not rules:
        return
    _, first_of, taken = brute_force(ids, rules, total)
    problems = check_rules(rules, ids, total)
    never = {int(m[1]) - 1 for _, message, _ in problems if (m := re.match(r"overall_rules: rule (\d+) ", message))}
    assert never == {r for r, first in enumerate(first_of) if not first}
    for severity, message, loc in problems:
        assert severity == "error"
        if "holds first" in message or "hold first" in message:  # an earlier rule takes it: the ones named
            named = [int(n) - 1 for n in re.findall(r"(\d+) \('", message.split("wherever")[1])]
            assert named == taken[loc[1]] and all(n < loc[1] for n in named)


@st.composite
def grouped_spaces(draw):
    """Counts in several groups, each with its own total (as several scales would be), and boxes."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    totals = tuple(draw(st.integers(0, 4)) for _ in sizes)
    groups = tuple(g for g, size in enumerate(sizes) for _ in range(size))
    space = CountSpace(tuple(f"c{i}" for i in range(len(groups))), groups, totals)
    bound = st.none() | st.integers(0, 5)
    box = st.dictionaries(st.integers(0, len(groups) - 1),
                          st.tuples(st.integers(0, 5), bound), max_size=3).map(Box)
    return space, draw(st.lists(box, min_size=1, max_size=5))


@settings(max_examples=250, deadline=None, derandomize=True)
@given(grouped_spaces())
@example((CountSpace(("c0", "c1", "c2"), (0, 1, 1), (4, 1)), [Box({1: (1, None), 2: (1, None)})]))  # needs 2 of 1
def test_several_groups_of_counts_agree_with_trying_every_combination(case):
    space, boxes = case
    names = space.names
    per_group = [[names[i] for i in range(len(names)) if space.groups[i] == g] for g in range(len(space.totals))]
    uncovered, first_of, taken = None, [False] * len(boxes), [set() for _ in boxes]
    for parts in itertools.product(*(list(every_count(ids, total)) for ids, total in zip(per_group, space.totals))):
        counts = [{k: v for part in parts for k, v in part.items()}[name] for name in names]
        holding = [r for r, box in enumerate(boxes) if all(
            low <= counts[i] and (high is None or counts[i] <= high) for i, (low, high) in box.bounds.items())]
        if not holding:
            key = (sum(counts), counts)
            uncovered = key if uncovered is None or key < uncovered else uncovered
            continue
        first_of[holding[0]] = True
        for r in holding[1:]:
            taken[r].add(holding[0])
    found = analyse(space, boxes)
    assert found.uncovered == (dict(zip(names, uncovered[1])) if uncovered else None)
    assert found.applies == first_of
    assert found.taken_by == [sorted(s) for s in taken]


def cqc_style(ratings: list[str]) -> list[Rule]:
    best, good, ri, inadequate = ratings[0], ratings[1], ratings[-2], ratings[-1]
    return [Rule(rating=inadequate, when=[{"rating": inadequate, "at_least": 2}]),
            Rule(rating=ri, when=[{"rating": inadequate, "at_least": 1}]),
            Rule(rating=ri, when=[{"rating": ri, "at_least": 10}]),
            Rule(rating=best, when=[{"rating": best, "at_least": 20}, {"rating": ri, "at_most": 0},
                                    {"rating": inadequate, "at_most": 0}]),
            Rule(rating=good, when=[{"rating": inadequate, "at_most": 0}, {"rating": ri, "at_most": 9}])]


RATINGS = ["outstanding", "good", "adequate", "requires-improvement", "inadequate"]


def test_forty_standards_on_five_ratings_are_decided_without_enumerating():
    # 1,221,759 counts of ratings (C(45, 5)): past what the enumeration tried (it skipped the check)
    rules = cqc_style(RATINGS)
    assert check_rules(rules, RATINGS, 40) == []
    found = analyse(space_of(RATINGS, 40), boxes_of(rules, space_of(RATINGS, 40)))
    assert found.complete and found.steps < 1_000
    gap = rules[:-1] + [Rule(rating="good", when=[{"rating": "inadequate", "at_most": 0},
                                                   {"rating": "requires-improvement", "at_most": 5}])]
    assert [m for _, m, _ in check_rules(gap, RATINGS, 40)] == [
        "overall_rules: no rule applies when the scored standards are rated 6 requires-improvement: end the rules "
        "with one that has no conditions (when: []) or cover every case"]
    late = [Rule(rating="good")] + rules
    messages = [m for _, m, _ in check_rules(late, RATINGS, 40)]
    assert messages[0] == ("overall_rules: rule 2 ('inadequate') can never apply: wherever its conditions hold, "
                           "rule 1 ('good') holds first")
    assert len(messages) == 5


def test_two_thousand_standards_are_decided_as_fast_as_forty():
    rules = cqc_style(RATINGS)
    small = analyse(space_of(RATINGS, 40), boxes_of(rules, space_of(RATINGS, 40)))
    large = analyse(space_of(RATINGS, 2000), boxes_of(rules, space_of(RATINGS, 2000)))
    assert large.complete and large.steps == small.steps


def test_past_the_budget_it_says_it_could_not_check():
    rules = cqc_style(RATINGS)
    space = space_of(RATINGS, 40)
    steps = analyse(space, boxes_of(rules, space)).steps
    assert analyse(space, boxes_of(rules, space), budget=steps).complete
    assert not analyse(space, boxes_of(rules, space), budget=steps - 1).complete  # the walk's last step
    assert not analyse(space, boxes_of(rules, space), budget=3).complete  # building the cells
    problems = check_rules(rules, RATINGS, 40, budget=10)
    assert [(s, loc) for s, _, loc in problems] == [("warning", ("overall_rules",))]
    assert "could not check" in problems[0][1]


def rules_framework(report, rules: list[dict]) -> None:
    """The report's framework made rule-based with `rules` (its 7 standards scored)."""
    path = report / "frameworks" / "hmip-pdu-2023.yaml"
    path.parent.mkdir(exist_ok=True)
    data = yaml.safe_load((ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8"))
    del data["overall_bands"]
    data.update(overall="rules", overall_rules=rules)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_a_report_no_rule_meets_is_a_located_error_when_the_rules_could_not_be_checked(tmp_path, reportgen,
                                                                                       monkeypatch):
    # the example's 7 standards: 3 requires improvement, 4 inadequate; no rule covers 4 inadequate
    report = copy_report(tmp_path)
    rules_framework(report, [{"rating": "inadequate", "when": [{"rating": "inadequate", "at_least": 5}]},
                             {"rating": "good", "when": [{"rating": "inadequate", "at_most": 3}]}])
    result = reportgen("check", report)
    assert result.returncode == 1
    assert "error[framework-invalid]: overall_rules: no rule applies when the scored standards are rated 4 " \
           "inadequate" in result.stderr
    monkeypatch.setattr(framework_rules, "CELL_BUDGET", 3)  # as a framework too large to weigh
    result = reportgen("check", report)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert any(re.match(r".*frameworks/hmip-pdu-2023\.yaml:\d+:1: warning\[framework-unchecked\]: overall_rules: "
                        r"could not check", line) for line in lines), lines
    line = (report / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8").splitlines().index(
        "overall_rules:") + 1
    assert any(f"frameworks/hmip-pdu-2023.yaml:{line}:1: error[overall-unmatched]: overall_rules: no rule applies "
               "to this report, whose scored standards are rated 3 requires-improvement, 4 inadequate" in text
               for text in lines), lines
    assert not any(text.endswith(": ok") for text in lines)
    out = tmp_path / "out"
    assert reportgen("build", report, "--format", "html", "--out", out).returncode == 1
    assert not out.exists() or not any(out.iterdir())


def test_a_framework_that_scores_nothing_is_an_error(tmp_path, reportgen):
    report = copy_report(tmp_path)
    path = report / "frameworks" / "hmip-pdu-2023.yaml"
    path.parent.mkdir()
    text = (ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8")
    path.write_text(re.sub(r"(\n( +)rated_by: \w+\n)", r"\1\2scored: false\n", text), encoding="utf-8")
    result = reportgen("check", report)
    assert result.returncode == 1
    line = text.splitlines().index("domains:") + 1
    assert f"hmip-pdu-2023.yaml:{line}:1: error[framework-invalid]: no standard is scored (each is rated_by: " \
           "not_rated or scored: false), so every report would score 0/0: score a standard, or write score: false" \
        in result.stderr


def test_the_shipped_rule_framework_gives_no_problem():
    path = ROOT / "generator" / "frameworks" / "cqc-style-illustrative.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = [Rule.model_validate(r) for r in data["overall_rules"]]
    assert check_rules(rules, [s["id"] for s in data["scale"]], 5) == []


def test_more_rules_than_it_weighs_is_said_plainly():
    limit = framework_rules.RULES_LIMIT
    problems = check_rules([Rule(rating="good")] * (limit + 1), RATINGS, 40)
    assert [(s, loc) for s, _, loc in problems] == [("warning", ("overall_rules",))]
    assert f"{limit + 1:,} rules and their bounds are more than reportgen weighs" in problems[0][1]
    problems = check_rules([Rule(rating="good")] * limit, RATINGS, 40)
    assert len(problems) == limit - 1 and all(s == "error" for s, _, _ in problems)
    assert problems[-1][1].endswith(f"rule {limit} ('good') can never apply: wherever its conditions hold, "
                                    "rule 1 ('good') holds first")


def test_a_rule_needing_ratings_when_no_standard_is_counted():
    rules = [Rule(rating="inadequate", when=[{"rating": "inadequate", "at_least": 1}]), Rule(rating="good")]
    assert [m for _, m, _ in check_rules(rules, RATINGS, 0)] == [
        "overall_rules: rule 1 ('inadequate') can never apply: it needs at least 1 'inadequate', but the rules count "
        "no standard (each is rated_by: not_rated or scored: false)"]


# --------------------------------------------------------------------------- rules naming a standard

@st.composite
def frameworks_naming_standards(draw):
    """Standards s0.. (each scored or not), ratings r0.., and rules mixing count conditions with
    conditions on a named standard's rating."""
    ids = [f"r{i}" for i in range(draw(st.integers(1, 3)))]
    scored = draw(st.lists(st.booleans(), min_size=1, max_size=4))
    standards = [f"s{i}" for i in range(len(scored))]
    bound = st.none() | st.integers(0, len(standards) + 1)
    count = st.builds(lambda rating, low, high: {"rating": rating, "at_least": low, "at_most": high},
                      st.sampled_from(ids), bound, bound).filter(
        lambda c: c["at_least"] is None or c["at_most"] is None or c["at_least"] <= c["at_most"])
    named = st.builds(lambda sid, rating: {"standard": sid, "rating": rating}, st.sampled_from(standards),
                      st.sampled_from(ids))
    rules = draw(st.lists(st.builds(lambda rating, when: Rule(rating=rating, when=when), st.sampled_from(ids),
                                    st.lists(count | named, max_size=3)), min_size=1, max_size=5))
    return ids, dict(zip(standards, scored)), rules


@settings(max_examples=300, deadline=None, derandomize=True)
@given(frameworks_naming_standards())
def test_rules_naming_standards_agree_with_trying_every_report(framework):
    """Every report: each standard rated any rating or none; the counts are of the scored ones."""
    ids, scored, rules = framework
    standards = list(scored)
    uncovered, first_of, taken = False, [False] * len(rules), [set() for _ in rules]
    for states in itertools.product(*([*ids, None] for _ in standards)):
        rated = {sid: rating for sid, rating in zip(standards, states) if rating is not None}
        counts: dict[str, int] = {}
        for sid, rating in rated.items():
            if scored[sid]:
                counts[rating] = counts.get(rating, 0) + 1
        holding = [r for r, rule in enumerate(rules) if rule_matches(rule, counts, rated)]
        if not holding:
            uncovered = True
            continue
        first_of[holding[0]] = True
        for r in holding[1:]:
            taken[r].add(holding[0])
    space = space_of(ids, sum(scored.values()))
    boxes = [box_of([(c.rating, c.at_least, c.at_most) for c in rule.when if c.standard is None], space)
             for rule in rules]
    named_when = [{c.standard: c.rating for c in rule.when if c.standard is not None} for rule in rules]
    named = {sid: (ids, 0 if scored[sid] else None) for when in named_when for sid in when}
    if not named:
        return
    # a rule naming one standard twice (two ratings) never holds: check_rules reports it on its own
    clash = [any(len({c.rating for c in rule.when if c.standard == sid}) > 1 for sid in named) for rule in rules]
    named_when = [None if clash[r] else when for r, when in enumerate(named_when)]
    found = framework_rules.analyse_named(space, boxes, named_when, named)
    assert found.complete
    assert (found.uncovered is not None) == uncovered
    for r in range(len(rules)):
        if clash[r]:
            assert not first_of[r]
            continue
        assert found.applies[r] == first_of[r], r
        if not first_of[r]:
            assert found.taken_by[r] == sorted(taken[r]), r
    if found.uncovered is not None:  # the counts and states it names are a report no rule meets
        rated = {sid: rating for sid, rating in found.given.items() if rating is not None}
        counts = {k: v for k, v in found.uncovered.items() if v}
        assert not any(rule_matches(rule, counts, rated) for rule in rules)


def test_a_rule_taken_by_an_earlier_count_rule_through_its_named_standard():
    """'P1.1 rated inadequate' implies at least one inadequate: an earlier rule on that count always
    holds first, and the message says so; and the rules' end is found uncovered with the standard's
    state named."""
    from generator.stages.validate.framework_schema import Condition

    rules = [Rule(rating="requires-improvement", when=[Condition(rating="inadequate", at_least=1)]),
             Rule(rating="inadequate", when=[Condition(standard="P1.1", rating="inadequate")]),
             Rule(rating="good", when=[Condition(standard="P1.1", rating="good")])]
    ratings = ["outstanding", "good", "requires-improvement", "inadequate"]
    messages = [m for _, m, _ in check_rules(rules, ratings, 3, groups=[(ratings, 3)],
                                             named={"P1.1": (ratings, 0)})]
    assert messages == [
        "overall_rules: no rule applies when the scored standards are rated nothing (all not rated), with P1.1 "
        "not rated: end the rules with one that has no conditions (when: []) or cover every case",
        "overall_rules: rule 2 ('inadequate') can never apply: wherever its conditions hold, rule 1 "
        "('requires-improvement') holds first"], messages


def test_too_many_named_standards_or_steps_say_the_check_could_not_decide():
    """Six named standards on five states are 15,625 combinations, past what is weighed: a warning
    that says so (and a report meeting no rule is then overall-unmatched), never a long walk; the
    same within the combinations but past the step budget."""
    from generator.stages.validate.framework_schema import Condition

    ratings = ["outstanding", "good", "requires-improvement", "inadequate"]
    named = {f"S{i}": (ratings, 0) for i in range(6)}
    rules = [Rule(rating="inadequate", when=[Condition(standard=sid, rating="inadequate")]) for sid in named]
    rules.append(Rule(rating="good"))
    problems = check_rules(rules, ratings, 6, groups=[(ratings, 6)], named=named)
    assert [(severity, "4,096 combinations of the standards the rules name" in message)
            for severity, message, _ in problems] == [("warning", True)], problems
    few = {sid: named[sid] for sid in list(named)[:2]}
    problems = check_rules(rules[:2] + rules[-1:], ratings, 6, groups=[(ratings, 6)], named=few, budget=10)
    assert [severity for severity, _, _ in problems] == ["warning"], problems
    assert check_rules(rules[:2] + rules[-1:], ratings, 6, groups=[(ratings, 6)], named=few) == []
