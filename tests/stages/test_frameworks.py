"""The shipped frameworks beyond PDU: youth justice (a standard rated but not scored, score out of
36), thematic (unrated: no scale, no score) and the illustrative rule-based one (ordered count
rules), with their example reports built and read back from every output."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from generator.build import build, check
from generator.diagnostics import ContentError, Diagnostics
from generator.resources import FRAMEWORKS_DIR
from generator.stages.load import is_translation, load, read_yaml
from generator.stages.resolve import overall_for, rating_counts, resolve
from generator.stages.validate import validate
from generator.stages.validate.framework_schema import Framework
from generator.text import file_text
from tests.conftest import ROOT

YJS = ROOT / "content" / "northshire-yjs"
THEMATIC = ROOT / "content" / "thematic-example"


def framework(name: str) -> Framework:
    raw = read_yaml(FRAMEWORKS_DIR / f"{name}.yaml", Diagnostics())
    return Framework.model_validate(raw.data)


def copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / src.name
    shutil.copytree(src, dest)
    return dest


def edit(report: Path, old: str, new: str, file: str = "report.yaml") -> None:
    path = report / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def resolved_of(report: Path):
    diags = Diagnostics()
    result = resolve(validate(load(report, diags), diags), diags)
    assert not diags.errors, [d.message for d in diags.items]
    return result


def diagnostics(report: Path) -> list:
    diags = Diagnostics()
    try:
        check(report, diags)
    except ContentError:
        pass
    return diags.items


def test_every_shipped_framework_is_valid():
    from generator.stages.validate.framework_checks import _check_framework

    for path in sorted(p for p in FRAMEWORKS_DIR.glob("*.yaml") if not is_translation(p)):  # not an overlay
        diags = Diagnostics()
        yaml_file = read_yaml(path, diags)
        _check_framework(Framework.model_validate(yaml_file.data), yaml_file, diags)
        assert diags.items == [], (path.name, [d.message for d in diags.items])


# --------------------------------------------------------------------------- youth justice

@pytest.mark.parametrize(("score", "label"), [
    (0, "Inadequate"), (3, "Inadequate"), (5, "Inadequate"), (6, "Inadequate"),
    (7, "Requires improvement"), (10, "Requires improvement"), (12, "Requires improvement"),
    (17, "Requires improvement"), (18, "Requires improvement"),
    (19, "Good"), (20, "Good"), (24, "Good"), (29, "Good"), (30, "Good"),
    (31, "Outstanding"), (32, "Outstanding"), (33, "Outstanding"), (34, "Outstanding"), (36, "Outstanding"),
])
def test_youth_justice_overall_band_edges(score, label):
    assert overall_for(score, framework("hmip-yjs-2021")).label == label


def test_youth_justice_scores_out_of_36_over_12_standards_and_4_1_is_not_scored():
    yjs = framework("hmip-yjs-2021")
    assert [s.id for s in yjs.standards] == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4",
                                             "3.1", "3.2", "3.3", "3.4", "4.1"]
    assert [s.id for s in yjs.standards if not s.scored] == ["4.1"]
    assert {s.id for s in yjs.standards if s.rated_by == "key_questions"} == {
        "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"}


def test_the_youth_justice_example_is_5_of_36_inadequate_with_resettlement_not_rated():
    resolved = resolved_of(YJS)
    assert (resolved.score, resolved.max_score, resolved.overall.label) == (5, 36, "Inadequate")
    assert resolved.standards["4.1"].rating is None


def test_resettlement_rated_good_is_shown_but_changes_neither_score_nor_overall(tmp_path):
    report = copy(YJS, tmp_path)
    edit(report, '"4.1": {not_rated: true}', '"4.1": {rating: Good}')
    before, after = resolved_of(YJS), resolved_of(report)
    assert after.standards["4.1"].rating.label == "Good"
    assert (after.score, after.max_score, after.overall) == (before.score, before.max_score, before.overall)
    built = build(report, tmp_path / "out")
    for fmt, output in built.outputs.items():
        lines = file_text(output).splitlines()
        assert "Score 5/36" in lines, fmt
        assert "4.1 Resettlement policy and provision Good" in lines, (fmt, [x for x in lines if "4.1" in x])


@pytest.fixture(scope="module")
def yjs_build(tmp_path_factory):
    return build(YJS, tmp_path_factory.mktemp("yjs"))


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_the_youth_justice_example_reads_back(yjs_build, fmt):
    text = file_text(yjs_build.outputs[fmt])
    lines = text.splitlines()
    assert "Score 5/36" in lines
    assert "4.1 Resettlement policy and provision Not rated" in lines
    assert "Rating: Not rated" in lines  # the standard block
    assert "The YJS manager should:" in lines and "The Management Board should:" in lines
    assert "scored 5 out of 36 and is rated Inadequate" in " ".join(text.split())  # however the lines wrap


def test_a_youth_justice_report_needs_its_unit(tmp_path):
    report = copy(YJS, tmp_path)
    edit(report, "  unit: Northshire\n", "")
    items = diagnostics(report)
    assert [(d.code, d.line) for d in items if "metadata.unit" in d.message] == [("key-missing", 7)], items


def test_a_rating_for_a_standard_the_framework_does_not_rate_is_an_error(tmp_path):
    report = copy(YJS, tmp_path)
    (report / "frameworks").mkdir()
    (report / "frameworks" / "hmip-yjs-2021.yaml").write_text(
        (FRAMEWORKS_DIR / "hmip-yjs-2021.yaml").read_text().replace(
            "        rated_by: judgement\n        scored: false", "        rated_by: not_rated\n        scored: false"))
    edit(report, '"4.1": {not_rated: true}', '"4.1": {rating: Good}')
    items = diagnostics(report)
    assert [d.code for d in items] == ["rating-unexpected"], items
    assert items[0].line == (report / "report.yaml").read_text().splitlines().index('  "4.1": {rating: Good}') + 1


def test_not_rated_together_with_a_rating_is_an_error(tmp_path):
    report = copy(YJS, tmp_path)
    edit(report, '"4.1": {not_rated: true}', '"4.1": {not_rated: true, rating: Good}')
    assert [d.code for d in diagnostics(report)] == ["rating-unexpected"]


# --------------------------------------------------------------------------- thematic (unrated)

@pytest.fixture(scope="module")
def thematic_build(tmp_path_factory):
    return build(THEMATIC, tmp_path_factory.mktemp("thematic"))


def test_the_thematic_example_has_no_scale_no_score_no_overall():
    resolved = resolved_of(THEMATIC)
    assert not resolved.framework.scale
    assert (resolved.score, resolved.max_score, resolved.overall) == (None, None, None)


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_the_thematic_example_reads_back(thematic_build, fmt):
    text = file_text(thematic_build.outputs[fmt])
    lines = text.splitlines()
    assert "HMPPS should:" in lines and "The Ministry of Justice should:" in lines
    assert "A thematic inspection: an example of an unrated report" in " ".join(lines[:4])  # the cover (wrapped in the PDF)
    for absent in ("Score", "0/0", "Overall rating", "Rating", "None"):
        assert not any(line.startswith(absent) for line in lines), (absent, fmt)


def test_ratings_in_an_unrated_report_is_a_located_error(tmp_path):
    report = copy(THEMATIC, tmp_path)
    edit(report, "## What we found\n", "::: ratings\n\n## What we found\n", "chapters/findings.md")
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name, d.line) for d in items] == [("ratings-unrated", "findings.md", 1)], items


@pytest.mark.parametrize("name", ["score", "max_score", "overall"])
def test_a_score_in_an_unrated_chapter_is_a_located_error(tmp_path, name):
    report = copy(THEMATIC, tmp_path)
    edit(report, "Placeholder findings", f"Scored {{{{ {name} }}}}. Placeholder findings", "chapters/findings.md")
    items = diagnostics(report)
    assert [(d.code, Path(d.path).name, d.line) for d in items] == [("jinja-undefined", "findings.md", 3)], items


def test_a_stated_score_in_an_unrated_report_is_an_error(tmp_path):
    report = copy(THEMATIC, tmp_path)
    edit(report, "\nrecommendations:", "\nscore: 0\nrecommendations:")
    assert [d.code for d in diagnostics(report)] == ["score-unexpected"]


# --------------------------------------------------------------------------- count rules

def cqc_rules_by_hand(ratings: list[str]) -> str:
    """DOMAIN.md's aggregation principles, written independently of the framework file."""
    n = {r: ratings.count(r) for r in ("Outstanding", "Good", "Requires improvement", "Inadequate")}
    if n["Inadequate"] >= 2:
        return "Inadequate"
    if n["Requires improvement"] >= 2 or n["Inadequate"] == 1:
        return "Requires improvement"
    if n["Outstanding"] >= 2 and n["Outstanding"] + n["Good"] == len(ratings):
        return "Outstanding"
    assert n["Inadequate"] == 0 and n["Requires improvement"] <= 1
    return "Good"


def test_the_rule_based_framework_over_every_combination_of_ratings():
    fw = framework("cqc-style-illustrative")
    assert fw.overall == "rules" and not fw.has_score
    labels = [s.label for s in fw.scale]
    by_label = {s.label: s for s in fw.scale}
    combinations = list(itertools.product(labels, repeat=len(fw.standards)))
    assert len(combinations) == 4 ** 5
    for ratings in combinations:
        counts = {}
        for label in ratings:
            counts[by_label[label].id] = counts.get(by_label[label].id, 0) + 1
        assert overall_for(0, fw, counts).label == cqc_rules_by_hand(list(ratings)), ratings


def test_no_sum_of_points_gives_the_rules():
    """DOMAIN.md's example: same points, different overall ratings."""
    fw = framework("cqc-style-illustrative")
    one_inadequate = {"inadequate": 1, "outstanding": 4}
    two_outstanding = {"outstanding": 2, "good": 3}
    assert overall_for(0, fw, one_inadequate).label == "Requires improvement"
    assert overall_for(0, fw, two_outstanding).label == "Outstanding"


def test_a_rule_based_report_builds_with_no_score(tmp_path):
    report = copy(THEMATIC, tmp_path)
    edit(report, "framework: hmip-thematic", "framework: cqc-style-illustrative")
    edit(report, "  published: 2025-09\n", "  published: 2025-09\n  unit: An example service\n"
                                            "  fieldwork_start: 2025-06-02\n")
    edit(report, "\nrecommendations:", "\nfindings:\n  safe: {rating: Good}\n  effective: {rating: Outstanding}\n"
                                       "  caring: {rating: Outstanding}\n  responsive: {rating: Good}\n"
                                       "  well-led: {rating: Requires improvement}\noverall_rating: Good\n"
                                       "recommendations:")
    edit(report, "## What we found\n", "::: ratings\n\n::: standard safe\n\n::: standard effective\n\n"
                                       "::: standard caring\n\n::: standard responsive\n\n::: standard well-led\n\n"
                                       "## What we found\n", "chapters/findings.md")
    resolved = resolved_of(report)
    assert resolved.score is None and resolved.overall.label == "Good"
    built = build(report, tmp_path / "out", formats=("html", "docx"))
    for fmt, output in built.outputs.items():
        lines = file_text(output).splitlines()
        assert "Overall rating: Good" in lines, (fmt, lines[:40])
        assert "5 Well-led Requires improvement" in lines
        assert not any(line.startswith("Score") for line in lines)


def test_a_rated_report_without_findings_is_one_located_error(tmp_path):
    report = copy(YJS, tmp_path)
    text = (report / "report.yaml").read_text()
    start, end = text.index("findings:\n"), text.index("\nscore: 5")
    (report / "report.yaml").write_text(text[:start] + text[end + 1:])
    items = diagnostics(report)
    assert [(d.code, d.line) for d in items] == [("key-missing", 1)], items
    assert "1.1" in items[0].message and "4.1" in items[0].message
