"""A judged overall and a computed one under the framework's limits (issue 23, item 2), read back
from all three built formats of tests/reports/limits, each by its own reader (PDF: the text drawn,
pdftotext; DOCX: python-docx; HTML: the parsed page). Two test frameworks beside the report:
limited-judged (overall: judged) and limited-rules (overall: rules, one rule naming a standard),
each with a fix (`when: {standard: safeguarding, rating: not-effective} then: inadequate`) and a cap
(`at_most: {standard: leadership}`). A domain cannot be named yet (a domain has no rating): that is
a located error, in tests/bad/frameworks.yaml."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import TESTS
from tests.readback import pdf_lines

REPORT = TESTS / "reports" / "limits"
LABEL = "Overall effectiveness:"


def said(text: str) -> str:
    return " ".join(text.split())


def pdf_overall(path: Path) -> str:
    lines = [line for page in pdf_lines(path) for line in page if line.startswith(LABEL)]
    assert len(lines) == 1, lines
    return said(lines[0][len(LABEL):])


def docx_overall(path: Path) -> str:
    import docx

    found = [said(p.text) for p in docx.Document(str(path)).paragraphs if p.text.startswith(LABEL)]
    assert len(found) == 1, found
    return found[0][len(LABEL):].strip()


def html_overall(path: Path) -> str:
    import lxml.html

    page = lxml.html.fromstring(path.read_bytes())
    found = [said(p.text_content()) for p in page.xpath("//main//p") if said(p.text_content()).startswith(LABEL)]
    assert len(found) == 1, found
    return found[0][len(LABEL):].strip()


READERS = {"pdf": pdf_overall, "docx": docx_overall, "html": html_overall}


def report_with(tmp_path: Path, framework: str, ratings: dict[str, str], overall: str | None) -> Path:
    """The test report under `framework`, its standards rated `ratings`, its overall stated or not."""
    folder = tmp_path / "limits"
    shutil.copytree(REPORT, folder)
    data = (folder / "report.yaml").read_text(encoding="utf-8")
    data = data.replace("framework: limited-judged", f"framework: {framework}")
    for sid, label in ratings.items():
        data, n = re.subn(rf"^  {sid}: \{{rating: [^}}]*\}}$", f"  {sid}: {{rating: {label}}}", data, flags=re.M)
        assert n == 1, sid
    data, n = re.subn(r"^overall_rating: .*\n", f"overall_rating: {overall}\n" if overall else "", data, flags=re.M)
    assert n == 1
    (folder / "report.yaml").write_text(data, encoding="utf-8")
    return folder


def built_overall(folder: Path, out: Path) -> dict[str, str]:
    from generator.build import FORMATS, build

    result = build(folder, out, formats=FORMATS, parallel=False)
    assert set(result.outputs) == set(FORMATS)
    return {fmt: READERS[fmt](result.outputs[fmt]) for fmt in READERS}


# (framework, ratings, stated overall, the overall every format prints): each limit kind, for a
# judged overall and for a computed one
CASES = {
    "judged, no limit holds": ("limited-judged", {"leadership": "Outstanding", "education": "Good",
                                                  "safeguarding": "Effective"}, "Outstanding", "Outstanding"),
    "judged, the fix holds": ("limited-judged", {"leadership": "Good", "education": "Good",
                                                 "safeguarding": "Not effective"}, "Inadequate", "Inadequate"),
    "judged, at the cap": ("limited-judged", {"leadership": "Requires improvement", "education": "Outstanding",
                                              "safeguarding": "Effective"}, "Requires improvement",
                           "Requires improvement"),
    "rules, a rule naming a standard": ("limited-rules", {"leadership": "Outstanding", "education": "Outstanding",
                                                          "safeguarding": "Effective"}, None, "Outstanding"),
    "rules, the last rule": ("limited-rules", {"leadership": "Outstanding", "education": "Good",
                                               "safeguarding": "Effective"}, None, "Good"),
    "rules, capped": ("limited-rules", {"leadership": "Requires improvement", "education": "Outstanding",
                                        "safeguarding": "Effective"}, None, "Requires improvement"),
    "rules, fixed": ("limited-rules", {"leadership": "Outstanding", "education": "Outstanding",
                                       "safeguarding": "Not effective"}, None, "Inadequate"),
    "rules, fixed over a cap": ("limited-rules", {"leadership": "Inadequate", "education": "Good",
                                                  "safeguarding": "Not effective"}, "Inadequate", "Inadequate"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_overall_reads_back_as_the_limits_give_it_in_all_three_formats(tmp_path, case):
    framework, ratings, stated, expected = CASES[case]
    folder = report_with(tmp_path, framework, ratings, stated)
    assert built_overall(folder, tmp_path / "out") == {fmt: expected for fmt in READERS}


def framework_line(name: str, text: str) -> int:
    lines = (REPORT / "frameworks" / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


# a judged overall that breaks a limit: (ratings, stated, the limit's line text, what the message says)
BROKEN = {
    "the fix": ({"leadership": "Good", "education": "Good", "safeguarding": "Not effective"}, "Good",
                "- when: {standard: safeguarding, rating: not-effective}",
                "(when: {standard: safeguarding, rating: not-effective} then: inadequate) holds: safeguarding is "
                "rated 'Not effective', so the overall is 'Inadequate'"),
    "the cap": ({"leadership": "Requires improvement", "education": "Outstanding", "safeguarding": "Effective"},
                "Good", "- at_most: {standard: leadership}",
                "(at_most: {standard: leadership}) holds: leadership is rated 'Requires improvement', so the "
                "overall can be no better than 'Requires improvement'"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_judged_overall_that_breaks_a_limit_is_a_located_error_quoting_it(tmp_path, case, reportgen):
    ratings, stated, limit_line, why = BROKEN[case]
    folder = report_with(tmp_path, "limited-judged", ratings, stated)
    result = reportgen("check", folder)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = (folder / "report.yaml").read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines, 1) if line.startswith("overall_rating:"))
    fw_at = framework_line("limited-judged", limit_line)
    errors = [line for line in result.stderr.splitlines() if "error[" in line]
    assert len(errors) == 1, result.stderr
    assert re.search(rf"report\.yaml:{at}:\d+: error\[overall-limited\]: overall rating is stated as '{stated}', "
                     rf"but the framework's limit at \S*frameworks/limited-judged\.yaml:{fw_at}:\d+ ", errors[0]), errors
    assert why in errors[0], errors[0]
    # the built outputs are not written
    from generator.build import FORMATS, build

    with pytest.raises(Exception):
        build(folder, tmp_path / "out", formats=FORMATS, parallel=False)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_judged_overall_is_required_and_checked_against_the_scale(tmp_path, reportgen):
    folder = report_with(tmp_path, "limited-judged", {}, None)
    result = reportgen("check", folder)
    assert result.returncode == 1
    assert re.search(r"report\.yaml:1:1: error\[key-missing\]: overall_rating is missing: under limited-judged the "
                     r"overall rating is the inspectors' judgement \(overall: judged\): give it, one of Outstanding, "
                     r"Good, Requires improvement, Inadequate", result.stderr), result.stderr
    folder = report_with(tmp_path / "again", "limited-judged", {}, "Goood")
    result = reportgen("check", folder)
    assert result.returncode == 1
    assert "error[rating-unknown]: 'Goood' is not a rating of limited-judged; did you mean 'Good'?" in result.stderr, \
        result.stderr


def test_the_test_frameworks_are_what_the_cases_assume():
    """The cases above rest on these limits and rules; a changed test framework fails here first."""
    for name in ("limited-judged", "limited-rules"):
        fw = yaml.safe_load((REPORT / "frameworks" / f"{name}.yaml").read_text(encoding="utf-8"))
        assert fw["limits"] == [{"when": {"standard": "safeguarding", "rating": "not-effective"}, "then": "inadequate"},
                                {"at_most": {"standard": "leadership"}}]


@pytest.mark.parametrize("framework", ["limited-judged", "limited-rules"])
def test_a_fix_wins_over_a_cap_judged_or_computed(tmp_path, framework):
    """The order: a cap first, then a fix that holds replaces the overall. With a fix to 'good' on
    education rated outstanding and leadership rated requires improvement (its cap), the overall is
    Good, judged (no overall-limited) or computed (the rules' Outstanding, capped, then fixed)."""
    folder = report_with(tmp_path, framework, {"leadership": "Requires improvement", "education": "Outstanding",
                                               "safeguarding": "Effective"}, "Good")
    path = folder / "frameworks" / f"{framework}.yaml"
    text = path.read_text(encoding="utf-8")
    fixed = text.replace("  - when: {standard: safeguarding, rating: not-effective}\n    then: inadequate\n",
                         "  - when: {standard: education, rating: outstanding}\n    then: good\n")
    assert fixed != text
    path.write_text(fixed, encoding="utf-8")
    assert built_overall(folder, tmp_path / "out") == {fmt: "Good" for fmt in READERS}


DOMAIN_RATED = ("    title: The school\n    rating:\n      by: points\n      bands:\n        - {from: 5, rating: outstanding}\n"
                "        - {from: 3, rating: good}\n        - {from: 1, rating: requires-improvement}\n"
                "        - {from: 0, rating: inadequate}\n")


def with_domain_limits(folder: Path, framework: str, limits: str) -> None:
    """The test framework with the domain rated from its scored standards' points (leadership and
    education, 0 to 6) and these limits in place of its own."""
    path = folder / "frameworks" / f"{framework}.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("limits:\n"), text.index("required_metadata:")
    text = text[:start] + limits + text[end:]
    text = text.replace("    title: The school\n", DOMAIN_RATED)
    path.write_text(text, encoding="utf-8")


# (framework, ratings, stated, the limits, the overall read back): limits naming the rated domain
DOMAIN_CASES = {
    "judged, at the domain's cap": ("limited-judged", {"leadership": "Good", "education": "Requires improvement"},
                                    "Good", "limits:\n  - at_most: {domain: school}\n", "Good"),
    "judged, the domain's fix": ("limited-judged", {"leadership": "Inadequate", "education": "Inadequate"},
                                 "Inadequate", "limits:\n  - when: {domain: school, rating: inadequate}\n    then: inadequate\n",
                                 "Inadequate"),
    "rules, capped by the domain": ("limited-rules", {"leadership": "Requires improvement", "education": "Outstanding"},
                                    None, "limits:\n  - at_most: {domain: school}\n", "Good"),
    "rules, fixed by the domain": ("limited-rules", {"leadership": "Inadequate", "education": "Good"}, None,
                                   "limits:\n  - when: {domain: school, rating: requires-improvement}\n"
                                   "    then: requires-improvement\n", "Requires improvement"),
}


@pytest.mark.parametrize("case", list(DOMAIN_CASES))
def test_limits_naming_a_rated_domain_read_back_in_all_three_formats(tmp_path, case):
    """A domain rated from its standards' points (2 + 1 = 3: Good; 0: Inadequate; 1 + 3 = 4: Good;
    0 + 2 = 2: Requires improvement) caps or fixes the overall as a standard does."""
    framework, ratings, stated, limits, expected = DOMAIN_CASES[case]
    folder = report_with(tmp_path, framework, ratings, stated)
    with_domain_limits(folder, framework, limits)
    assert built_overall(folder, tmp_path / "out") == {fmt: expected for fmt in READERS}


def test_a_judged_overall_above_the_domains_rating_is_a_located_error(tmp_path, reportgen):
    folder = report_with(tmp_path, "limited-judged", {"leadership": "Good", "education": "Requires improvement"},
                         "Outstanding")
    with_domain_limits(folder, "limited-judged", "limits:\n  - at_most: {domain: school}\n")
    result = reportgen("check", folder)
    assert result.returncode == 1
    fw_lines = (folder / "frameworks" / "limited-judged.yaml").read_text(encoding="utf-8").splitlines()
    fw_at = next(n for n, line in enumerate(fw_lines, 1) if "at_most: {domain: school}" in line)
    assert re.search(rf"report\.yaml:\d+:\d+: error\[overall-limited\]: overall rating is stated as 'Outstanding', but "
                     rf"the framework's limit at \S*limited-judged\.yaml:{fw_at}:\d+ \(at_most: {{domain: school}}\) "
                     r"holds: the domain 'school' is rated 'Good', so the overall can be no better than 'Good'$",
                     result.stderr.strip()), result.stderr
