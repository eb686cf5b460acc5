"""`reportgen new`: a report folder from a framework, that `check` guides the author through."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from generator.build import build
from tests.conftest import ROOT


def fill_in(report_yaml, values: dict[str, str]) -> None:
    text = report_yaml.read_text(encoding="utf-8")
    for key, value in values.items():
        text, count = re.subn(rf"({re.escape(key)}: )~", lambda m: m[1] + value, text, count=1)
        assert count == 1, key
    report_yaml.write_text(text.replace("      - ~", "      - improve the quality of assessment"), encoding="utf-8")


def fill_in_chapters(folder) -> None:
    """The scaffold's placeholders (report.yaml's title, the chapters' text) written over."""
    report_yaml = folder / "report.yaml"
    report_yaml.write_text(report_yaml.read_text(encoding="utf-8").replace(
        "An inspection of ...:", "An inspection of probation services in:"), encoding="utf-8")
    for chapter in (folder / "chapters").glob("*.md"):
        text = chapter.read_text(encoding="utf-8")
        text = re.sub(r"^Summary of the findings for (.*)\.$", r"We inspected \1.", text, flags=re.M)
        text = text.replace("The foreword.", "We inspected the unit.").replace("- …", "- A finding.")
        chapter.write_text(text, encoding="utf-8")


def test_new_report_lists_what_to_fill_in_then_builds(tmp_path, reportgen):
    folder = tmp_path / "content" / "leeds-pdu"
    result = reportgen("new", folder, "--framework", "hmip-pdu-2023")
    assert result.returncode == 0, result.stderr
    assert (folder / "chapters" / "domain-2.md").read_text().count("::: key-questions") == 4

    check = reportgen("check", folder)
    assert check.returncode == 1
    codes = re.findall(r"error\[([a-z-]+)\]", check.stderr)
    assert codes.count("rating-missing") == 3 and codes.count("key-questions-missing") == 4
    assert "metadata.lead_inspector" in check.stderr

    fill_in(folder / "report.yaml", {
        "region": "North East region", "published": "2025-01", "fieldwork_start": "2024-11-04",
        "lead_inspector": "A. Inspector", "name": "Chief Inspector", "role": "Chief Inspector of Probation",
        "isbn": "978-1-916621-99-2", "copyright_year": "2025",
        "P1.1: {rating": "Good", "P1.2: {rating": "Good", "P1.3: {rating": "Outstanding",
        "P2.1: {key_questions": "[81, 85, 90]", "P2.2: {key_questions": "[70, 66, 90]",
        "P2.3: {key_questions": "[50, 85, 90]", "P2.4: {key_questions": "[49, 85, 90]",
    })
    # the scaffold's placeholders left in: an error each, at its line, in a final build
    left = reportgen("check", folder)
    assert left.returncode == 1
    assert set(re.findall(r"error\[([a-z-]+)\]", left.stderr)) == {"placeholder"}, left.stderr
    assert "report.yaml:6:3: error[placeholder]: 'An inspection of ...: Leeds PDU' is the placeholder" in left.stderr
    assert "foreword.md:1: error[placeholder]: 'The foreword.' is the placeholder `reportgen new` wrote: write " \
           "the foreword in its place" in left.stderr
    assert left.stderr.count("error[placeholder]: '- …'") == 2 * 7  # strengths, areas for improvement
    assert left.stderr.count("error[placeholder]: 'Summary of the findings for ") == 7
    fill_in_chapters(folder)
    assert reportgen("check", folder).returncode == 0
    built = build(folder, tmp_path / "out", formats=("html",))
    assert [p.title for p in built.document.parts[:4]] == ["Contents", "Acknowledgements", "Foreword", "Ratings"]
    html = built.outputs["html"].read_text(encoding="utf-8")
    # every part the framework requires (publication.parts) is scaffolded, and prints
    assert "This inspection was led by HM Inspector A. Inspector" in html
    assert "© Crown copyright 2025" in html and "ISBN: 978-1-916621-99-2" in html
    assert "Open Government Licence" in html
    assert "<strong>13/21</strong>" in html  # 2 + 2 + 3 + 3 + 2 + 1 + 0 points
    assert "Overall rating:</span> <span class=\"badge rating-good\"" in html


def test_new_never_overwrites_and_knows_its_frameworks(tmp_path, reportgen):
    (tmp_path / "notes.txt").write_text("an existing file")
    again = reportgen("new", tmp_path, "--framework", "hmip-pdu-2023")
    assert again.returncode == 1 and "new-exists" in again.stderr
    unknown = reportgen("new", tmp_path / "x", "--framework", "hmip-pdu-2032")
    assert unknown.returncode == 1 and "did you mean 'hmip-pdu-2023'?" in unknown.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("framework", ["hmip-yjs-2021", "hmip-thematic", "cqc-style-illustrative", "ofsted-schools-2025"])
def test_new_from_every_shipped_framework_lists_only_what_to_fill_in(tmp_path, reportgen, framework):
    folder = tmp_path / "content" / "example"
    assert reportgen("new", folder, "--framework", framework).returncode == 0
    check = reportgen("check", folder)
    assert check.returncode == 1
    codes = set(re.findall(r"error\[([a-z-]+)\]", check.stderr))
    assert codes <= {"value-empty", "key-missing", "rating-missing", "key-questions-missing"}, check.stderr
    assert (folder / "chapters" / "ratings.md").exists() == (framework != "hmip-thematic")
    assert "::: imprint" in (folder / "chapters" / "front-matter.md").read_text()


VALIDATOR_WORDING = re.compile(r"Input should|got None|valid string|valid integer|String should|pattern|\^|\$|\[key\]")
INSTRUCTION = re.compile(r": (give|write|say|put|remove|list|use)\b|: .*[:;] (give|write|say|put|remove|use)\b")


@pytest.mark.parametrize("framework", ["hmip-pdu-2023", "hmip-yjs-2021", "hmip-thematic", "cqc-style-illustrative", "ofsted-schools-2025"])
def test_every_diagnostic_of_a_fresh_report_is_an_instruction_to_the_author(tmp_path, reportgen, framework):
    """What `check` says about a report just made by `new`: every line tells the author what to
    write, in their terms, never a validator's wording (types, None, regular expressions)."""
    folder = tmp_path / "content" / "fresh"
    assert reportgen("new", folder, "--framework", framework).returncode == 0
    lines = reportgen("check", folder).stderr.strip().splitlines()
    assert lines
    for line in lines:
        message = line.split("]: ", 1)[1]
        assert not VALIDATOR_WORDING.search(message), line
        assert INSTRUCTION.search(": " + message), f"not an instruction: {line}"
    assert any("warning[value-empty]: metadata.subject is not given" in line for line in lines), \
        "the scaffold leaves the subject to fill in, and check says so"


@pytest.mark.parametrize("isbn, said", [
    ("978-0-000000-00-1", "is not a valid ISBN: its last digit (the check digit) should be 2"),
    ("978-1-916621-16", "give the ISBN as 978-…, 13 digits (hyphens allowed), e.g. 978-1-916621-16-9: it has 12 digits"),
    ("ISBN 978-1-916621-16-9", "it holds characters other than digits and hyphens"),
    ("123-1-916621-16-9", "it does not start 978 or 979"),
])
def test_an_isbn_is_checked_to_its_check_digit(tmp_path, reportgen, isbn, said):
    from tests.conftest import copy_report

    report = copy_report(tmp_path)
    yaml = report / "report.yaml"
    yaml.write_text(yaml.read_text().replace("isbn: 978-1-916621-16-9", f"isbn: {isbn}"))
    result = reportgen("check", report)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "error[isbn-invalid]: metadata.isbn: " in line and said in line, line


# --------------------------------------------------------------------------- names and values that are data


@pytest.mark.parametrize("case", ["under a file", "a 300-character name", "a line break in the name",
                                  "a line separator in the name"])
def test_new_refuses_a_folder_it_cannot_make_and_writes_nothing(tmp_path, reportgen, case):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    folder = {"under a file": tmp_path / "notes.txt" / "leeds-pdu",
              "a 300-character name": tmp_path / ("x" * 300),
              "a line break in the name": tmp_path / "evil\nscore: 99\nx",
              "a line separator in the name": tmp_path / "evil\u2028score: 99"}[case]
    before = sorted(tmp_path.rglob("*"))
    result = reportgen("new", folder, "--framework", "hmip-pdu-2023")
    assert result.returncode == 2, result
    said = {"under a file": "is a file, not a folder: a report folder cannot be made inside it",
            "a 300-character name": "is 300 bytes long; a folder's name may be at most 255 bytes here",
            "a line break in the name": "a line break or control character (U+000A)",
            "a line separator in the name": "a line break or control character (U+2028)"}[case]
    assert "Invalid value for 'DIR'" in result.stderr and said in result.stderr, result.stderr
    assert sorted(tmp_path.rglob("*")) == before  # nothing written


def test_new_fails_whole_when_it_cannot_write(tmp_path, reportgen, monkeypatch):
    """A write that fails half way (a full disk) leaves nothing behind: no half-made report folder."""
    import builtins

    real_open, opened = builtins.open, []

    def failing_open(file, mode="r", *args, **kwargs):
        if "x" in mode:
            opened.append(file)
            if len(opened) == 3:
                raise OSError(28, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", failing_open)
    result = reportgen("new", tmp_path / "content" / "leeds-pdu", "--framework", "hmip-pdu-2023")
    assert result.returncode == 1
    assert "error[new-failed]: cannot write the report folder: No space left on device; nothing was written" \
        in result.stderr
    assert len(opened) == 3 and not (tmp_path / "content").exists()


def test_every_value_new_writes_is_yaml_escaped(tmp_path, reportgen):
    """The folder's name and a framework's strings are data: whatever they hold (quotes, `: `, `#`,
    line breaks, a line separator), report.yaml reads back with exactly the keys `new` means and
    these values, and no file is written outside the new folder."""
    shared = tmp_path / "shared"
    shared.mkdir()
    text = (ROOT / "generator/frameworks/hmip-pdu-2023.yaml").read_text(encoding="utf-8")
    hostile = {
        "name: HM Inspectorate of Probation PDU inspection framework (2023)":
            'name: "A name\\nscore: 99\\u2028status: draft # and a comment"',
        "inspectorate: HM Inspectorate of Probation":
            'inspectorate: "HM \\"Inspectorate\\": of #1\\nversion: \'9\'"',
        "title: Leadership": 'title: "Leadership\\nstatus: draft"',
        '  - id: "1"': '  - id: "../../../escape\\nx: y"',
    }
    for old, new in hostile.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    (shared / "hmip-pdu-2023.yaml").write_text(text, encoding="utf-8")
    name = "it's: #1 \"quoted\" - {x} & [y]"
    folder = tmp_path / "content" / name
    result = reportgen("new", folder, "--framework", "hmip-pdu-2023", "--frameworks", shared)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((folder / "report.yaml").read_text(encoding="utf-8"))
    assert set(data) == {"framework", "metadata", "sample", "findings", "recommendations", "links", "parts"}
    unit = "It's: #1 \"quoted\" {x} & [y]"  # split at its hyphen; words in lower case given a capital
    assert data["metadata"]["unit"] == data["metadata"]["short_title"] == unit
    assert data["metadata"]["title"] == f"An inspection of ...: {unit}"
    assert data["metadata"]["inspectorate"] == "HM \"Inspectorate\": of #1\nversion: '9'"
    assert data["metadata"]["publisher"] == {"name": data["metadata"]["inspectorate"], "website": None, "address": []}
    assert set(data["findings"]) == {"P1.1", "P1.2", "P1.3", "P2.1", "P2.2", "P2.3", "P2.4"}
    assert [p.get("domain") for p in data["parts"]][-2:] == ["../../../escape\nx: y", "2"]
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert all(p.startswith(f"content/{name}/") or p.startswith("shared/") for p in written), written
    assert (folder / "chapters" / data["parts"][-2]["file"]).is_file()


# --------------------------------------------------------------------------- the framework's own requirements

SHIPPED = sorted(p.stem for p in (ROOT / "generator" / "frameworks").glob("*.yaml") if "." not in p.stem)
FIXTURE = "scaffold-fixture"  # a framework with details of every type, a follow-up scale, and only `unit` required


def fixture_framework(folder) -> None:
    """The test framework school-style (tests/reports/presentation: details of each type, only `unit`
    required) with the follow-up scale of tests/reports/follow-up, as `FIXTURE`, in `folder`."""
    school = (ROOT / "tests/reports/presentation/frameworks/school-style.yaml").read_text(encoding="utf-8")
    follow_up = (ROOT / "tests/reports/follow-up/frameworks/follow-up-thematic.yaml").read_text(encoding="utf-8")
    block = re.search(r"^follow_up:\n(?:  .*\n)+", follow_up, re.M)[0]
    folder.mkdir(exist_ok=True)
    (folder / f"{FIXTURE}.yaml").write_text(school.replace("id: school-style", f"id: {FIXTURE}") + "\n" + block,
                                            encoding="utf-8")


def framework_of(framework: str, shared):
    from generator.stages.validate.framework_schema import Framework  # noqa: PLC0415

    path = shared / f"{framework}.yaml" if framework == FIXTURE else ROOT / "generator/frameworks" / f"{framework}.yaml"
    return Framework.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def fill_in_what_check_asks_for(folder, fw) -> None:
    """Every `~` of a fresh report.yaml (what `check` lists as missing) given a value of its kind, any
    framework's; a version for the draft's cover. The scaffold's placeholders are left as they are."""
    values = {"region": "North East", "published": "2025-01", "fieldwork_start": "2024-11-04",
              "lead_inspector": "A. Inspector", "isbn": "978-1-916621-99-2", "copyright_year": "2025",
              "subject": "An inspection of the unit.", "website": "https://www.example.org",
              "name": "A. Chief", "role": "Chief Inspector", "overall_rating": json.dumps(fw.scale[0].label)
              if fw.scale else "~"}
    standards = {s.id: s for s in fw.standards}

    def finding(match) -> str:
        standard = standards[yaml.safe_load(match[1])]
        if match[2] == "rating":
            return f"{match[1]}: {{rating: {json.dumps(fw.scale_of(standard)[0].label)}"
        return f"{match[1]}: {{key_questions: {[80] * len(standard.key_questions)}"

    path = folder / "report.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^(  \S+): \{(rating|key_questions): ~", finding, text, flags=re.M)
    text = re.sub(r"\b(\w+): ~", lambda m: f"{m[1]}: {values[m[1]]}", text)
    text = text.replace("      - ~", "      - improve the quality of assessment")
    assert "~" not in re.sub(r"#.*", "", text), text
    path.write_text(text + 'version: "0.1"\n', encoding="utf-8")


def check_said(reportgen, folder, *flags) -> tuple[int, list[tuple[str, str, str]]]:
    """The exit status and (severity, code, where: message) of each line `check` prints."""
    result = reportgen("check", folder, "--frameworks", folder.parent.parent / "shared", *flags)
    said = re.findall(r"^(\S+): (error|warning)\[([a-z-]+)\]: (.*)$", result.stderr, re.M)
    return result.returncode, [(severity, code, f"{where}: {message}") for where, severity, code, message in said]


@pytest.mark.parametrize("framework", SHIPPED + [FIXTURE])
def test_new_writes_what_the_framework_requires_and_check_warns_of_each_placeholder(tmp_path, reportgen, framework):
    """`new` under any framework: exactly its required metadata (no ISBN or chief inspector unless it
    requires them), each of its details fields as a placeholder of its type. Once what `check` lists
    as missing is given, a draft check says nothing but the placeholders (warnings), and a final
    check refuses each of them, at the same lines."""
    from generator.stages.validate.framework_schema import OPTIONAL_METADATA  # noqa: PLC0415

    shared = tmp_path / "shared"
    fixture_framework(shared)
    fw = framework_of(framework, shared)
    folder = tmp_path / "content" / "examplevale"
    assert reportgen("new", folder, "--framework", framework, "--frameworks", shared).returncode == 0
    data = yaml.safe_load((folder / "report.yaml").read_text(encoding="utf-8"))
    assert {key for key in data["metadata"] if key in OPTIONAL_METADATA} == set(fw.required_metadata)
    assert set(data.get("details", {})) == set(fw.details.fields if fw.details else ())

    status, said = check_said(reportgen, folder, "--draft")  # fresh: only what to fill in is an error
    assert status == 1
    assert {code for severity, code, _ in said if severity == "error"} <= {
        "value-empty", "key-missing", "rating-missing", "key-questions-missing"}, said
    assert not [line for line in said if "details" in line[2]], said

    fill_in_what_check_asks_for(folder, fw)
    status, draft = check_said(reportgen, folder, "--draft")
    assert status == 0, draft
    assert {(severity, code) for severity, code, _ in draft} == {("warning", "placeholder")}, draft
    for name, field in (fw.details.fields.items() if fw.details else ()):
        from generator.stages.parse.authoring import DETAIL_PLACEHOLDERS  # noqa: PLC0415

        assert any(f"details.{name}: '{DETAIL_PLACEHOLDERS[field.type]}' is the placeholder" in where
                   for _, _, where in draft), (name, draft)
    status, final = check_said(reportgen, folder, "--final")
    assert status == 1
    assert [(severity, code) for severity, code, _ in final] == [("error", "placeholder")] * len(draft)
    assert [where.split(": ")[0] for _, _, where in final] == [where.split(": ")[0] for _, _, where in draft]


DETAIL_VALUES = {"text": ("Academy", "Academy"), "date": ("2024-11-08", "8 November 2024"),
                 "integer": ("123456", "123456")}


def test_details_and_the_last_recommendations_written_over_their_placeholders_build(tmp_path, reportgen):
    """Under a framework with details and a follow-up scale: each details placeholder written over
    with a value of its type, and the commented previous_recommendations example taken as it is
    written, the report builds and prints them (read back from the HTML)."""
    from generator.stages.parse.authoring import DETAIL_PLACEHOLDERS  # noqa: PLC0415

    shared = tmp_path / "shared"
    fixture_framework(shared)
    fw = framework_of(FIXTURE, shared)
    folder = tmp_path / "content" / "examplevale"
    assert reportgen("new", folder, "--framework", FIXTURE, "--frameworks", shared).returncode == 0
    text = (folder / "report.yaml").read_text(encoding="utf-8")
    assert "isbn" not in text and "chief_inspector" not in text
    # each field's comment names its label, and a rating's the labels it may have
    assert re.search(r"previous_grade: \S+ +# Previous grade: one of Outstanding, Good, Requires improvement, "
                     r"Inadequate \(optional\)$", text, re.M), text
    assert "# Its status is one of: Achieved, Partly achieved, Not achieved." in text
    fill_in_what_check_asks_for(folder, fw)
    printed = {}
    for name, field in fw.details.fields.items():
        value, shown = DETAIL_VALUES.get(field.type, (json.dumps(fw.scale[1].label), fw.scale[1].label))
        text = (folder / "report.yaml").read_text(encoding="utf-8")
        text, count = re.subn(rf"^  {name}: {re.escape(yaml.safe_dump(DETAIL_PLACEHOLDERS[field.type]).split(chr(10))[0])}",
                              f"  {name}: {value}", text, flags=re.M)
        assert count == 1, (name, text)
        (folder / "report.yaml").write_text(text, encoding="utf-8")
        printed[field.label] = shown
    text = (folder / "report.yaml").read_text(encoding="utf-8")  # the example, its #s removed as it says
    text = re.sub(r"^# (previous_recommendations:|  .*)$", r"\1", text, flags=re.M)
    (folder / "report.yaml").write_text(text, encoding="utf-8")
    with open(folder / "chapters" / "background.md", "a", encoding="utf-8") as chapter:
        chapter.write("\n::: previous-recommendations\n")
    fill_in_chapters(folder)
    (folder / "chapters" / "background.md").write_text(
        (folder / "chapters" / "background.md").read_text(encoding="utf-8").replace(
            "The background.", "We inspected the school."), encoding="utf-8")
    status, said = check_said(reportgen, folder, "--final")
    assert (status, said) == (0, []), said
    built = build(folder, tmp_path / "out", formats=("html",), framework_dirs=(shared,))
    import lxml.html  # noqa: PLC0415

    page = lxml.html.fromstring(built.outputs["html"].read_bytes())
    tables = {" ".join(t.xpath("string(./caption)").split()): [[" ".join(c.text_content().split())
                                                                  for c in tr.xpath("./th | ./td")]
                                                                 for tr in t.xpath("./thead/tr | ./tbody/tr")]
              for t in page.xpath("//table")}
    details = next(rows for caption, rows in tables.items() if caption.endswith(fw.details.caption))
    assert details == [fw.details.header] + [[label, shown] for label, shown in printed.items()]
    follow_up = next(rows for caption, rows in tables.items() if caption.endswith(fw.follow_up.caption))
    assert follow_up[1:] == [["The recommendation, as the last report wrote it.", fw.follow_up.scale[0].label,
                              "What the inspection found, in a sentence."]], follow_up


def test_new_asks_for_a_judged_overall_and_writes_a_framework_s_own_strings_as_data(tmp_path, reportgen):
    """A framework whose overall is the inspectors' judgement gets `overall_rating: ~`, which check
    asks for at its line; the names and labels of its details fields and its statuses, whatever they
    hold, stay values and comments (report.yaml reads back with the keys `new` means)."""
    shared = tmp_path / "shared"
    fixture_framework(shared)
    path = shared / f"{FIXTURE}.yaml"
    text = path.read_text(encoding="utf-8").replace("overall: none", "overall: judged")
    hostile = {"provider_kind: {type: text, label: Type of provider}":
               'provider_kind: {type: text, label: "Type\\nscore: 99 # of provider"}\n    '
               '"kind: 1\\nscore": {type: text, label: Kind}',
               "label: Achieved,": 'label: "Achieved\\nscore: 99",'}
    for old, new in hostile.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    folder = tmp_path / "content" / "examplevale"
    assert reportgen("new", folder, "--framework", FIXTURE, "--frameworks", shared).returncode == 0
    written = (folder / "report.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(written)
    assert "score" not in data and data["overall_rating"] is None
    assert list(data["details"]) == ["urn", "inspection_end", "previous_grade", "provider_kind", "kind: 1\nscore"]
    assert '#     status: "Achieved\\nscore: 99"' in written
    status, said = check_said(reportgen, folder)
    line = written.splitlines().index("overall_rating: ~") + 1
    assert ("error", "value-empty", f"{folder / 'report.yaml'}:{line}:1: overall_rating is empty: under {FIXTURE} "
            "the overall rating is the inspectors' judgement (overall: judged): give it, one of Outstanding, Good, "
            "Requires improvement, Inadequate") in said, said


def test_a_details_rating_on_a_named_scale_is_commented_with_that_scale_s_labels(tmp_path, reportgen):
    """Ofsted's previous grade is on the framework's previous-grade scale (the old four points), so
    `new` lists those labels beside it, not the report card's five."""
    folder = tmp_path / "content" / "school"
    assert reportgen("new", folder, "--framework", "ofsted-schools-2025").returncode == 0
    text = (folder / "report.yaml").read_text(encoding="utf-8")
    assert re.search(r"^  previous_grade: \S+ +# Previous overall effectiveness grade: one of Outstanding, Good, "
                     r"Requires improvement, Inadequate \(optional\)$", text, re.M), text
