"""Domain ratings from scores (issue 23 item 6): a domain rated from its standards' points, summed
(`by: points`) or as a percentage of the domain's maximum (`by: percent`), through bands, printed
where the ratings page captions the domain in every format and offered to chapters. The test
framework is the Surrey report's, with domain 1 rated by percent and domain 2 by points."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build
from generator.text import file_text
from tests.conftest import ROOT, copy_report
from tests.stages.test_resolve import resolved_of

SHIPPED = ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml"
# domain 1: three judged standards, 0 to 9 points; its percentage (of 9) in these bands
PERCENT = ("    rating:\n      by: percent\n      bands:\n        - {from: 70, rating: outstanding}\n"
           "        - {from: 50, rating: good}\n        - {from: 30, rating: requires-improvement}\n"
           "        - {from: 0, rating: inadequate}\n")
# domain 2: four standards rated by key questions, 0 to 12 points, in these bands
POINTS = ("    rating:\n      by: points\n      bands:\n        - {from: 9, rating: outstanding}\n"
          "        - {from: 6, rating: good}\n        - {from: 3, rating: requires-improvement}\n"
          "        - {from: 0, rating: inadequate}\n")
LABELS = {3: "Outstanding", 2: "Good", 1: "Requires improvement", 0: "Inadequate"}
FIGURES = {3: "[90, 90, 90]", 2: "[70, 70, 70]", 1: "[55, 55, 55]", 0: "[10, 10, 10]"}


def expected(value: float, bands: list[tuple[float, str]]) -> str:
    return next(label for lower, label in bands if value >= lower)


PERCENT_BANDS = [(70, "Outstanding"), (50, "Good"), (30, "Requires improvement"), (0, "Inadequate")]
POINTS_BANDS = [(9, "Outstanding"), (6, "Good"), (3, "Requires improvement"), (0, "Inadequate")]


def spread(total: int, count: int) -> list[int]:
    """`count` standards' points (0 to 3 each) adding up to `total`, best first."""
    points = []
    for _ in range(count):
        points.append(min(3, total))
        total -= points[-1]
    assert total == 0
    return points


def with_domain_ratings(report: Path, domain1: int, domain2: int, not_rated: str | None = None) -> Path:
    """The Surrey report under the test framework, its domain 1 standards adding up to `domain1`
    points and its domain 2 standards to `domain2` (`not_rated`: that standard marked not rated)."""
    text = SHIPPED.read_text(encoding="utf-8")
    for title, block in (("Organisational arrangements and activity", PERCENT), ("Service delivery", POINTS)):
        old = f"    title: {title}\n"
        assert text.count(old) == 1, title
        text = text.replace(old, old + block)
    (report / "frameworks").mkdir(exist_ok=True)
    (report / "frameworks" / "hmip-pdu-2023.yaml").write_text(text, encoding="utf-8")
    path = report / "report.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    values = {f"P1.{i + 1}": f"{{rating: {LABELS[p]}}}" for i, p in enumerate(spread(domain1, 3))}
    values |= {f"P2.{i + 1}": f"{{key_questions: {FIGURES[p]}}}" for i, p in enumerate(spread(domain2, 4))}
    if not_rated:
        values[not_rated] = "{not_rated: true}"
    for index, line in enumerate(lines):
        key = line.strip().split(":")[0]
        if line.startswith("  ") and not line.startswith("   ") and key in values:
            lines[index] = f"  {key}: {values.pop(key)}\n"
    assert not values, values
    path.write_text("".join(lines), encoding="utf-8")
    return report


# one point either side of every edge: percent edges 30, 50, 70 of 9 points; points edges 3, 6, 9
EDGES = [(p, q) for p, q in zip([2, 3, 4, 5, 6, 7, 2, 3, 4], [2, 3, 4, 5, 6, 7, 8, 9, 10])]


@pytest.mark.parametrize("domain1, domain2", EDGES)
def test_each_domain_is_rated_from_its_points_at_the_band_edges(tmp_path, domain1, domain2):
    resolved = resolved_of(with_domain_ratings(copy_report(tmp_path), domain1, domain2))
    percent = round(100 * domain1 / 9)
    assert resolved.domain_ratings["1"].label == expected(percent, PERCENT_BANDS), (domain1, percent)
    assert resolved.domain_ratings["2"].label == expected(domain2, POINTS_BANDS), domain2
    assert resolved.score == domain1 + domain2, "the report's score is as before"


def test_a_not_rated_standard_is_out_of_the_domains_points_and_maximum(tmp_path):
    """P1.3 not rated: domain 1 is 3 of 6 points (50%, Good), not 3 of 9 (33%, Requires improvement)."""
    resolved = resolved_of(with_domain_ratings(copy_report(tmp_path), 3, 0, not_rated="P1.3"))
    assert resolved.domain_ratings["1"].label == "Good"
    resolved = resolved_of(with_domain_ratings(copy_report(tmp_path / "all"), 3, 0))
    assert resolved.domain_ratings["1"].label == "Requires improvement"


def domain_one_not_rated(tmp_path: Path) -> Path:
    """A copy whose domain 1 has every standard not rated (nothing counts), domain 2 at 5 points."""
    report = with_domain_ratings(copy_report(tmp_path), 0, 5)
    path = report / "report.yaml"
    text = path.read_text(encoding="utf-8")
    for standard in ("P1.1", "P1.2", "P1.3"):
        text = text.replace(f"  {standard}: {{rating: Inadequate}}", f"  {standard}: {{not_rated: true}}")
    path.write_text(text, encoding="utf-8")
    return report


def test_a_domain_with_nothing_counted_has_no_rating(tmp_path):
    report = domain_one_not_rated(tmp_path)
    resolved = resolved_of(report)
    assert resolved.domain_ratings == {"1": None, "2": resolved.framework.rating_by_id("requires-improvement")}


def ratings_page_captions(output: Path) -> list[str]:
    lines = file_text(output).splitlines()
    return [line for line in lines if line.startswith(("1. Organisational", "2. Service delivery"))]


@pytest.mark.parametrize("domain1, domain2, words", [
    (4, 5, ("Requires improvement", "Requires improvement")),  # 44% and 5 points: below the edges 50% and 6
    (5, 6, ("Good", "Good")),  # 56% and 6 points: at or above them
])
def test_the_domain_rating_prints_in_its_caption_in_every_format(tmp_path, domain1, domain2, words):
    report = with_domain_ratings(copy_report(tmp_path), domain1, domain2)
    chapter = report / "chapters" / "domain-2.md"
    chapter.write_text(chapter.read_text(encoding="utf-8")
                       + "\n\nThe domain is rated {{ domains['2'].rating.label }} from its points.\n", encoding="utf-8")
    built = build(report, tmp_path / "out", formats=("pdf", "html", "docx"))
    assert sorted(built.outputs) == ["docx", "html", "pdf"]
    for fmt, output in built.outputs.items():
        captions = ratings_page_captions(output)
        assert f"1. Organisational arrangements and activity Rating: {words[0]}" in captions, (fmt, captions)
        assert f"2. Service delivery Rating: {words[1]}" in captions, (fmt, captions)
        assert f"The domain is rated {words[1]} from its points." in " ".join(file_text(output).split()), fmt


def test_a_domain_with_nothing_counted_says_not_rated_in_its_caption(tmp_path):
    report = domain_one_not_rated(tmp_path)
    chapter = report / "chapters" / "domain-1.md"  # its prose prints P1.1's rating, which it now has none of
    old = "an overall rating of '{{ standards[\"P1.1\"].rating.label }}' has been evidenced"
    assert old in chapter.read_text(encoding="utf-8")
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(old, "no rating has been given"), encoding="utf-8")
    built = build(report, tmp_path / "out", formats=("html", "docx"))
    for fmt, output in built.outputs.items():
        captions = ratings_page_captions(output)
        assert "1. Organisational arrangements and activity Rating: Not rated" in captions, (fmt, captions)
        assert "2. Service delivery Rating: Requires improvement" in captions, (fmt, captions)
