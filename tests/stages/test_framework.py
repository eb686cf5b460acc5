"""The framework arithmetic: rounding, band edges, points, score and overall rating."""

from __future__ import annotations

import pytest

from generator.stages.load import read_yaml
from generator.diagnostics import Diagnostics
from generator.stages.resolve import band_for, overall_for, rate_by_key_questions, round_percentage
from generator.resources import FRAMEWORKS_DIR
from generator.stages.validate.framework_schema import Framework, Rounding


@pytest.fixture(scope="module")
def pdu() -> Framework:
    raw = read_yaml(FRAMEWORKS_DIR / "hmip-pdu-2023.yaml", Diagnostics())
    return Framework.model_validate(raw.data)


@pytest.mark.parametrize(("lowest", "label"), [
    (0, "Inadequate"), (49, "Inadequate"), (50, "Requires improvement"), (64, "Requires improvement"),
    (65, "Good"), (79, "Good"), (80, "Outstanding"), (100, "Outstanding"),
])
def test_key_question_band_edges(pdu, lowest, label):
    standard = next(s for s in pdu.standards if s.id == "P2.1")
    rating, results, _ = rate_by_key_questions(standard, [100, lowest, 100], pdu)
    assert rating.label == label
    assert results[1].lowest and results[1].value == lowest


@pytest.mark.parametrize(("points", "label"), [
    (0, "Inadequate"), (5, "Inadequate"), (6, "Requires improvement"), (10, "Requires improvement"),
    (11, "Good"), (15, "Good"), (16, "Outstanding"), (21, "Outstanding"),
])
def test_overall_band_edges(pdu, points, label):
    assert overall_for(points, pdu).label == label


def test_points_of_the_scale(pdu):
    assert {s.label: s.points for s in pdu.scale} == {
        "Outstanding": 3, "Good": 2, "Requires improvement": 1, "Inadequate": 0}


@pytest.mark.parametrize(("value", "method", "expected"), [
    (49.5, "half-up", 50), (49.4, "half-up", 49), (64.5, "half-even", 64), (65.5, "half-even", 66),
    (79.9, "floor", 79),
])
def test_rounding_rule_is_applied_before_banding(value, method, expected):
    assert round_percentage(value, Rounding(method=method, places=0)) == expected


def test_a_rounded_figure_crosses_a_band_edge(pdu):
    standard = next(s for s in pdu.standards if s.id == "P2.1")
    rating, _, _ = rate_by_key_questions(standard, [90, 49.5, 90], pdu)
    assert rating.label == "Requires improvement"  # 49.5 rounds half-up to 50


def test_ties_for_lowest_are_all_marked(pdu):
    standard = next(s for s in pdu.standards if s.id == "P2.4")
    _, results, _ = rate_by_key_questions(standard, [32, 59, 32], pdu)
    assert [r.lowest for r in results] == [True, False, True]


def test_seed_assessment_is_inadequate(pdu):
    standard = next(s for s in pdu.standards if s.id == "P2.1")
    rating, results, description = rate_by_key_questions(standard, [46, 73, 32], pdu)
    assert (rating.label, description) == ("Inadequate", "minority")
    assert [r.lowest for r in results] == [False, False, True]


def test_band_for_rejects_values_below_every_band(pdu):
    with pytest.raises(ValueError):
        band_for(-1, pdu.key_question_bands)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_rating_badges_have_enough_contrast(pdu):
    for item in pdu.scale:
        assert contrast(item.colour, item.text_colour) >= 4.5, item.label


def test_contrast_helper_knows_black_on_white():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
