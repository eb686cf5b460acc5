"""Several scales in one framework (`scales:` beside the default `scale:`, `scale:` on a domain or
standard): a rating is checked against its own standard's scale, printed in its words in every
format, and counted in the score and the rules only where its scale is scored."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build, check
from generator.diagnostics import ContentError, Diagnostics
from generator.stages.framework_rules import check_rules
from generator.stages.validate.framework_schema import Condition, Rule
from generator.text import file_text
from tests.conftest import ROOT, copy_report
from tests.stages.test_resolve import resolved_of

SHIPPED = ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml"
MET = ('    - {id: met, label: Met, points: 1, colour: "#00703C", text_colour: "#FFFFFF"}\n'
       '    - {id: not-met, label: Not met, points: 0, colour: "#D4351C", text_colour: "#FFFFFF"}\n')


def with_met_scale(report: Path, scored: bool, rating: str = "Met") -> Path:
    """The Surrey report under a copy of its framework whose standard P1.3 is on a scale `met`
    (scored or not), rated `rating` there."""
    text = SHIPPED.read_text(encoding="utf-8")
    named = f"scales:\n  met:\n{MET}" if scored else \
        "scales:\n  met:\n    scored: false\n    ratings:\n" + MET.replace("    - ", "      - ")
    assert text.count("scale:\n  - {id: outstanding,") == 1 and text.count("        title: Services\n") == 1
    text = text.replace("scale:\n  - {id: outstanding,", named + "scale:\n  - {id: outstanding,")
    text = text.replace("        title: Services\n", "        title: Services\n        scale: met\n")
    (report / "frameworks").mkdir(exist_ok=True)
    (report / "frameworks" / "hmip-pdu-2023.yaml").write_text(text, encoding="utf-8")
    path = report / "report.yaml"
    old = "  P1.3: {rating: Requires improvement}\n"
    assert old in path.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace(old, f"  P1.3: {{rating: {rating}}}\n"), encoding="utf-8")
    return report


def test_a_standard_on_an_unscored_scale_prints_its_words_and_is_out_of_the_score(tmp_path):
    report = with_met_scale(copy_report(tmp_path), scored=False)
    resolved = resolved_of(report)
    assert resolved.standards["P1.3"].rating.label == "Met"
    assert (resolved.score, resolved.max_score) == (2, 18), "P1.3 (1 point on its scale) is in neither"
    built = build(report, tmp_path / "out", formats=("pdf", "html", "docx"))
    assert sorted(built.outputs) == ["docx", "html", "pdf"]
    for fmt, output in built.outputs.items():
        lines = file_text(output).splitlines()
        assert "Score 2/18" in lines, (fmt, [line for line in lines if line.startswith("Score")])
        assert "P 1.3 Services Met" in lines, (fmt, [line for line in lines if line.startswith("P 1.")])
        assert "P 1.2 Staffing Requires improvement" in lines, fmt
        sentences = [line for line in lines if line.startswith("Rating:")]
        assert sentences[:3] == ["Rating: Requires improvement", "Rating: Requires improvement", "Rating: Met"], \
            (fmt, sentences)


def test_a_standard_on_a_scored_scale_counts_its_own_points_and_top(tmp_path):
    """The maximum is each counted standard's top points on its own scale: 6 standards at 3, and
    P1.3 at 1 (Met)."""
    resolved = resolved_of(with_met_scale(copy_report(tmp_path), scored=True))
    assert (resolved.score, resolved.max_score) == (3, 6 * 3 + 1)
    resolved = resolved_of(with_met_scale(copy_report(tmp_path / "not"), scored=True, rating="Not met"))
    assert (resolved.score, resolved.max_score) == (2, 19)


@pytest.mark.parametrize("standard, rating, message", [
    ("P1.3", "Requires improvement", "'Requires improvement' is not a rating of P1.3's scale 'met': one of Met, Not met"),
    ("P1.3", "Not mett", "'Not mett' is not a rating of P1.3's scale 'met': one of Met, Not met; did you mean 'Not met'?"),
    ("P1.2", "Met", "'Met' is not a rating of P1.2's scale (the default): one of Outstanding, Good, "
                    "Requires improvement, Inadequate"),
    ("P1.3", None, "P1.3 (Services) is rated by inspector judgement: give rating: one of Met, Not met"),
])
def test_a_rating_is_checked_against_its_own_standards_scale(tmp_path, standard, rating, message):
    report = with_met_scale(copy_report(tmp_path), scored=False)
    path = report / "report.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(f"  {standard}: "))
    path.write_text(text.replace(line, f"  {standard}: {{rating: {rating}}}" if rating else f"  {standard}: {{}}"),
                    encoding="utf-8")
    with pytest.raises(ContentError) as err:
        check(report, Diagnostics())
    found = [(d.code, d.message, d.line) for d in err.value.diagnostics.items]
    number = text.splitlines().index(line) + 1
    assert ("rating-unknown" if rating else "rating-missing", message, number) in found, found


def test_the_rules_count_each_scale_over_its_own_standards():
    """Two groups: the default scale over 3 standards, `met` over 1. A rule needing two 'not-met'
    can never apply (one standard is on that scale), though 4 standards are counted in all."""
    rules = [Rule(rating="inadequate", when=[Condition(rating="not-met", at_least=2)]),
             Rule(rating="inadequate", when=[Condition(rating="not-met", at_least=1)]),
             Rule(rating="good", when=[])]
    groups = [(["outstanding", "good", "requires-improvement", "inadequate"], 3), (["met", "not-met"], 1)]
    problems = [m for _, m, _ in check_rules(rules, groups[0][0], 4, groups=groups)]
    assert len(problems) == 1 and problems[0].startswith("overall_rules: rule 1 ('inadequate') can never apply"), problems
    assert check_rules(rules[1:], groups[0][0], 4, groups=groups) == []
    one_scale = [m for _, m, _ in check_rules(rules, groups[0][0] + groups[1][0], 4)]
    assert one_scale == [], "one group of 4: two 'not-met' would be possible, so the groups make the difference"


BANDS = ("overall_bands:\n  - {from: 16, rating: outstanding}\n  - {from: 11, rating: good}\n"
         "  - {from: 6, rating: requires-improvement}\n  - {from: 0, rating: inadequate}\n")
RULES = ("overall: rules\noverall_rules:\n  - {rating: inadequate, when: [{rating: not-met, at_least: 1}]}\n"
         "  - {rating: good, when: []}\n")


def with_rules(report: Path) -> Path:
    path = report / "frameworks" / "hmip-pdu-2023.yaml"
    text = path.read_text(encoding="utf-8")
    assert BANDS in text
    path.write_text(text.replace(BANDS, RULES), encoding="utf-8")
    return report


def test_a_rule_counts_the_ratings_of_a_scored_named_scale(tmp_path):
    met = resolved_of(with_rules(with_met_scale(copy_report(tmp_path / "met"), scored=True)))
    assert met.overall.label == "Good"
    not_met = resolved_of(with_rules(with_met_scale(copy_report(tmp_path / "not"), scored=True, rating="Not met")))
    assert not_met.overall.label == "Inadequate"


def test_a_rule_cannot_count_the_ratings_of_an_unscored_scale(tmp_path):
    report = with_rules(with_met_scale(copy_report(tmp_path), scored=False))
    with pytest.raises(ContentError) as err:
        check(report, Diagnostics())
    found = [(d.code, d.message, d.line) for d in err.value.diagnostics.items]
    framework = (report / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(framework, 1) if "rating: not-met, at_least: 1" in text)
    assert ("framework-invalid", "overall_rules: a condition counts 'not-met', which is not on the scale or a "
            "scored scale", line) in found, found
