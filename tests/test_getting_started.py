"""The README's "Getting started", as a new author meets it: `new` without a framework lists
them and gives the line to type; the unit's name keeps the capitals the framework uses (PDU, YJS);
the hints can be pasted into a shell whatever the folder is called; the key questions are listed
in order beside the figures to fill in; a `new` report filled in builds with no warning at all;
and the shell completes framework ids, theme names and formats."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from generator.scaffold import unit_name
from generator.stages.load import is_translation
from generator.text import file_text
from tests.conftest import ROOT

FRAMEWORKS = ROOT / "generator" / "frameworks"


def shipped(framework_id: str) -> dict:
    return yaml.safe_load((FRAMEWORKS / f"{framework_id}.yaml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- new without --framework


def test_new_without_a_framework_lists_them_and_gives_the_line_to_type(tmp_path, reportgen):
    folder = tmp_path / "westshire-pdu"
    result = reportgen("new", folder)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert "--framework" in lines[0]
    listed = [line.split(None, 1) for line in lines[1:-1]]
    assert listed == [[p.stem, shipped(p.stem)["name"]] for p in sorted(FRAMEWORKS.glob("*.yaml")) if not is_translation(p)]
    assert lines[-1].startswith("type: ")
    typed = shlex.split(lines[-1].removeprefix("type: "))
    assert typed == ["reportgen", "new", str(folder), "--framework", "hmip-pdu-2023"]  # the folder's PDU
    assert not folder.exists()  # nothing written
    assert reportgen(*typed[1:]).returncode == 0 and (folder / "report.yaml").is_file()


def test_the_line_to_type_keeps_the_frameworks_folder_and_quotes_the_name(tmp_path, reportgen):
    own = tmp_path / "my frameworks"
    own.mkdir()
    (own / "westshire-2025.yaml").write_text(
        (FRAMEWORKS / "hmip-thematic.yaml").read_text(encoding="utf-8")
        .replace("id: hmip-thematic", "id: westshire-2025")
        .replace("name: HM Inspectorate of Probation thematic inspection", 'name: "Westshire\\x1b[31m 2025"'),
        encoding="utf-8")
    folder = tmp_path / "westshire 2025 review"
    result = reportgen("new", folder, "--frameworks", own)
    assert result.returncode == 2
    # the names in a column after the longest id; no ESC reaches the terminal
    assert any(re.fullmatch(r"  westshire-2025 +Westshire\[31m 2025", line) for line in result.stderr.splitlines())
    typed = shlex.split(result.stderr.splitlines()[-1].removeprefix("type: "))
    assert typed == ["reportgen", "new", str(folder), "--framework", "westshire-2025", "--frameworks", str(own)]
    assert reportgen(*typed[1:]).returncode == 0


# --------------------------------------------------------------------------- the unit's name


@pytest.mark.parametrize("name, framework, unit", [
    ("westshire-pdu", "hmip-pdu-2023", "Westshire PDU"),
    ("Westshire PDU", "hmip-pdu-2023", "Westshire PDU"),
    ("northshire-yjs", "hmip-yjs-2021", "Northshire YJS"),   # YJS: in the framework's statements
    ("northshire-yjs", "hmip-pdu-2023", "Northshire Yjs"),   # a word this framework never writes in capitals
    ("newcastle-upon-tyne-pdu", "hmip-pdu-2023", "Newcastle upon Tyne PDU"),
    ("isle_of_wight", "hmip-pdu-2023", "Isle of Wight"),
    ("of-mice-and-men", "hmip-thematic", "Of Mice and Men"),
    ("McAllister-court-HMP", "hmip-thematic", "McAllister Court HMP"),
    ("westshire-iHub", "hmip-thematic", "Westshire iHub"),      # kept as typed, first letter too
    ("king's-lynn-pdu", "hmip-pdu-2023", "King's Lynn PDU"),
])
def test_the_unit_keeps_the_capitals_it_cannot_know(tmp_path, reportgen, name, framework, unit):
    folder = tmp_path / name
    assert reportgen("new", folder, "--framework", framework).returncode == 0
    data = yaml.safe_load((folder / "report.yaml").read_text(encoding="utf-8"))
    assert data["metadata"].get("unit", unit) == data["metadata"]["short_title"] == unit
    assert ("unit" in data["metadata"]) == (framework != "hmip-thematic")  # a thematic requires no unit
    assert data["metadata"]["title"] == f"An inspection of ...: {unit}"
    assert data["recommendations"][0]["addressee"] == unit


def test_title_gives_the_unit_s_name_as_written(tmp_path, reportgen):
    folder = tmp_path / "ws"
    assert reportgen("new", folder, "--framework", "hmip-pdu-2023", "--title", "Westshire Probation Delivery Unit"
                     ).returncode == 0
    data = yaml.safe_load((folder / "report.yaml").read_text(encoding="utf-8"))
    assert data["metadata"]["unit"] == data["recommendations"][0]["addressee"] == "Westshire Probation Delivery Unit"
    refused = reportgen("new", tmp_path / "x", "--framework", "hmip-pdu-2023", "--title", "Westshire\nscore: 9")
    assert refused.returncode == 2 and "Invalid value for '--title'" in refused.stderr
    assert not (tmp_path / "x").exists()


def test_unit_name_rule():
    assert unit_name("a--b__c  d") == "A B C D"
    assert unit_name("the-pdu-of-the-north", frozenset({"PDU"})) == "The PDU of the North"
    assert unit_name("p2-unit", frozenset({"P2"})) == "P2 Unit"


# --------------------------------------------------------------------------- hints to paste


@pytest.mark.parametrize("name", ["Westshire PDU", "it's $HOME; (really)", "-pdu"])
def test_hints_can_be_pasted_into_a_shell(tmp_path, reportgen, name):
    """The `next:` line and report.yaml's first comment name the folder so that a shell reads
    back exactly its path, whatever it holds (a space, a quote, $, a leading hyphen)."""
    folder = tmp_path / name
    result = reportgen("new", folder, "--framework", "hmip-pdu-2023")
    assert result.returncode == 0, result.stderr
    hint = result.stdout.strip().split("; next: ", 1)[1]
    comment = re.search(r"`(reportgen check .*)`", (folder / "report.yaml").read_text(encoding="utf-8"))[1]
    for command in (hint, comment):
        words = subprocess.run(["bash", "-c", f'printf "%s\\n" {command}'], capture_output=True, text=True,
                               timeout=30).stdout.splitlines()
        assert words == ["reportgen", "check", str(folder)], (command, words)


# --------------------------------------------------------------------------- the key questions


@pytest.mark.parametrize("framework", ["hmip-pdu-2023", "hmip-yjs-2021"])
def test_each_standard_lists_its_key_questions_in_order_beside_its_figures(tmp_path, reportgen, framework):
    folder = tmp_path / "w"
    assert reportgen("new", folder, "--framework", framework).returncode == 0
    text = (folder / "report.yaml").read_text(encoding="utf-8")
    standards = [s for d in shipped(framework)["domains"] for s in d["standards"] if s["rated_by"] == "key_questions"]
    assert standards
    for standard in standards:
        sid = re.escape(standard["id"])
        block = re.search(rf"^  (?:{sid}|'{sid}'): {{key_questions: ~}} .*\n((?:    #.*\n)*)", text, re.M)
        assert block, standard["id"]
        listed = re.findall(r"^    # +(\d+)\. (.*)$", block[1], re.M)
        assert listed == [(str(n), q) for n, q in enumerate(standard["key_questions"], 1)], standard["id"]
    assert yaml.safe_load(text)["findings"][standards[0]["id"]] == {"key_questions": None}


# --------------------------------------------------------------------------- new, filled in, built


REPORT_VALUES = {
    "region": "North West region", "published": "2025-01", "fieldwork_start": "2024-11-04",
    "lead_inspector": "A. Inspector", "isbn": "978-1-916621-99-2", "copyright_year": "2025",
    "subject": "Inspection of probation services in Westshire",
    "chief_inspector": "{name: C. Inspector, role: Chief Inspector of Probation}",
    "P1.1": "{rating: Good}", "P1.2": "{rating: Good}", "P1.3": "{rating: Outstanding}",
    "P2.1": "{key_questions: [81, 85, 90]}", "P2.2": "{key_questions: [70, 66, 90]}",
    "P2.3": "{key_questions: [50, 85, 90]}", "P2.4": "{key_questions: [49, 85, 90]}",
}


def fill_report_yaml(path) -> None:
    """Every value `new` left to fill in, given; fails naming any it does not know."""
    text = path.read_text(encoding="utf-8")
    for key, value in REPORT_VALUES.items():
        text, count = re.subn(rf"^(\s*{re.escape(key)}: )(~|\{{[^}}]*~\}})", lambda m: m[1] + value, text,
                              count=1, flags=re.M)
        assert count == 1, key
    text = text.replace("      - ~", "      - improve the quality of assessment and planning")
    text = text.replace("website: ~", "website: https://www.example.org/westshire")
    text = text.replace("An inspection of ...:", "An inspection of probation services in:")  # the title's placeholder
    left = [line for line in text.splitlines() if re.search(r"(?<![#\w])~", line.split("#", 1)[0])]
    assert not left, f"values the test does not fill in: {left}"
    path.write_text(text, encoding="utf-8")


def fill_chapter(path, number: int) -> str | None:
    """The chapter's prose written by an author: every line of it that is not a block marker, a
    heading or a template expression of `new`'s; returns a phrase the built text must hold (None:
    nothing to write)."""
    phrase = f"Inspectors read the case records of chapter {number}"
    lines, written = [], False
    for index, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip() or line.startswith((":::", "#")) or "{{" in line:
            lines.append(line)
        elif line.startswith("- "):
            lines.append(f"- Staff know the people on probation well ({number}.{index}).")
        else:
            lines.append(f"{phrase}, paragraph {index}, and found the work thorough.")
            written = True
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return phrase if written else None


def test_a_new_report_filled_in_builds_with_no_warning_at_all(tmp_path, reportgen):
    """`new`, every value and every line of prose filled in as an author would, then `check`
    and a build of all three formats, as programs: not one line on stderr, and the author's
    words, the unit's name and the computed score in each output."""
    folder = tmp_path / "content" / "westshire-pdu"
    assert reportgen("new", folder, "--framework", "hmip-pdu-2023").returncode == 0
    fill_report_yaml(folder / "report.yaml")
    phrases = [fill_chapter(p, n) for n, p in enumerate(sorted((folder / "chapters").glob("*.md")))]
    phrases = [phrase for phrase in phrases if phrase]
    assert len(phrases) >= 4  # the foreword, the recommendations' lead, both domains
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    check = subprocess.run([sys.executable, "-m", "generator", "check", folder], capture_output=True, text=True,
                           env=env, timeout=300)
    assert (check.returncode, check.stderr) == (0, ""), check.stderr
    out = tmp_path / "out"
    built = subprocess.run([sys.executable, "-m", "generator", "build", folder, "--out", out], capture_output=True,
                           text=True, env=env, timeout=600)
    assert (built.returncode, built.stderr) == (0, ""), built.stderr
    for suffix in ("pdf", "docx", "html"):
        text = " ".join(file_text(out / f"westshire-pdu.{suffix}").split())
        assert "Westshire PDU" in text and "Westshire Pdu" not in text, suffix
        assert "13/21" in text, suffix  # 2 + 2 + 3 + 3 + 2 + 1 + 0 points
        assert all(phrase in text for phrase in phrases), suffix
        assert "…" not in text, suffix


# --------------------------------------------------------------------------- shell completion


def complete(*words: str, shell: str = "bash") -> list[str]:
    """What the shell is offered for the last of `words` (the one being typed), through click's
    completion protocol in a `reportgen` process as the shell's script calls it."""
    env = {**os.environ, "_REPORTGEN_COMPLETE": f"{shell}_complete", "COMP_WORDS": " ".join(("reportgen",) + words),
           "COMP_CWORD": str(len(words))}
    done = subprocess.run([sys.executable, "-m", "generator"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60)
    assert done.returncode == 0 and done.stderr == "", done
    return [line for line in done.stdout.splitlines() if line]


def test_completion_offers_the_framework_ids_with_their_names():
    ids = sorted(p.stem for p in FRAMEWORKS.glob("*.yaml") if not is_translation(p))
    assert complete("new", "x", "--framework", "") == [f"plain,{i}" for i in ids]
    assert complete("new", "x", "--framework", "hmip-y") == ["plain,hmip-yjs-2021"]
    zsh = complete("new", "x", "--framework", "hmip-p", shell="zsh")
    assert zsh == ["plain", "hmip-pdu-2023", shipped("hmip-pdu-2023")["name"]]


def test_completion_offers_the_formats_not_yet_in_the_list():
    assert complete("build", "--format", "") == ["plain,pdf", "plain,docx", "plain,html"]
    assert complete("build", "--format", "pdf,") == ["plain,pdf,docx", "plain,pdf,html"]
    assert complete("build", "--format", "html,d") == ["plain,html,docx"]
    assert complete("build", "--format", "pdf,docx,html,") == []


@pytest.mark.parametrize("command", ["build", "check"])
def test_completion_offers_the_shipped_themes_and_folders(command):
    from generator.themes import shipped_themes

    assert complete(command, "--theme", "") == ["dir,", *(f"plain,{t}" for t in shipped_themes())]
    assert complete(command, "--theme", "pl") == ["dir,pl", "plain,plain"]
    assert complete(command, "--theme", "themes/") == ["dir,themes/"]


def test_the_completion_script_the_readme_gives_is_reportgen_s():
    done = subprocess.run([sys.executable, "-m", "generator"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "_REPORTGEN_COMPLETE": "bash_source"})
    assert done.returncode == 0 and "_reportgen_completion()" in done.stdout, done
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_REPORTGEN_COMPLETE={shell}_source reportgen" in readme, shell
