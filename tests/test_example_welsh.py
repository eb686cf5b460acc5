"""The bilingual example (content/bro-wennol-pdu: an invented Welsh PDU, editions en-GB and cy-GB;
issue 25), built once to all three formats in both editions and read back from the files:

- each of the six outputs declares its edition's language and passes `reportgen a11y`;
- the Welsh edition prints no English furniture word (styles/words.yaml) and none of the English
  framework's words (rating words, domain and standard names, key questions, labels), and the
  English edition none of the Welsh ones;
- the computed content is the same data in both: every standard's rating (through the framework's
  ids: English label in one, its Welsh label in the other), the score, every key question's figure;
- `reportgen diff --editions` says "same structure" of the example, and names a difference seeded
  in a copy at both places; `reportgen diff` of the two built HTML pages says so too.

What is expected is worked out from the YAML files an author and a translator write, never from
reportgen's model."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

EXAMPLE = ROOT / "content" / "bro-wennol-pdu"
FRAMEWORK = ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml"
FORMATS = ("pdf", "docx", "html")
EDITIONS = {"en-GB": "", "cy-GB": ".cy"}


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _phrases(texts: list[str]) -> set[str]:
    """The words of furniture or framework texts, split at placeholders, as whole phrases."""
    out = set()
    for text in texts:
        for piece in re.split(r"\{[^}]*\}", text):
            piece = piece.strip(" :.,;()")
            if len(piece) >= 4 and not piece.startswith(("http", "www.")) and re.search(r"[a-z]", piece):
                out.add(piece)
    return out


def framework_words(framework: dict) -> list[str]:
    """What a framework prints in words: rating labels, domain and standard titles, key questions, labels."""
    words = [r["label"] for r in framework["scale"]]
    for domain in framework["domains"]:
        words.append(domain["title"])
        for standard in domain["standards"]:
            words.append(standard["title"])
            words += standard.get("key_questions") or []
    words += [v for k, v in framework.get("labels", {}).items() if isinstance(v, str)]
    return words


@pytest.fixture(scope="module")
def built(example_build) -> dict[str, dict[str, Path]]:
    """Both editions built once (the session's build): language -> format -> file."""
    result = example_build(EXAMPLE.name)
    assert set(result.editions) == set(EDITIONS)
    for language, suffix in EDITIONS.items():
        assert {fmt: path.name for fmt, path in result.editions[language].items()} == \
            {fmt: f"bro-wennol-pdu{suffix}.{fmt}" for fmt in FORMATS}
    return result.editions


@pytest.fixture(scope="module")
def texts(built) -> dict[tuple[str, str], str]:
    from generator.text import file_text

    return {(language, fmt): file_text(path) for language, made in built.items() for fmt, path in made.items()}


@pytest.mark.parametrize("language", EDITIONS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_each_output_declares_its_edition_s_language(built, language, fmt):
    from generator.structure import language_of

    assert language_of(built[language][fmt]) == language


def test_a11y_is_clean_on_all_six(built, reportgen):
    files = [path for made in built.values() for path in made.values()]
    result = reportgen("a11y", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a11y-" not in result.stdout + result.stderr


def _found(phrases: set[str], text: str) -> list[str]:
    return sorted(p for p in phrases if re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", text))


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_welsh_edition_prints_no_english_furniture_or_framework_word(texts, fmt):
    english = _phrases(_strings(_yaml(ROOT / "styles" / "words.yaml")) + framework_words(_yaml(FRAMEWORK)))
    welsh = _phrases(_strings(_yaml(ROOT / "styles" / "words.cy.yaml")))
    english -= welsh  # a word both languages write alike is no English word in a Welsh page
    assert len(english) > 60
    assert _found(english, texts["cy-GB", fmt]) == []
    found_in_english = _found(english, texts["en-GB", fmt])  # the check can fail: the English edition has them
    assert len(found_in_english) > 20, found_in_english


def _welsh_labels() -> dict[str, str]:
    """English rating label -> Welsh, through the scale's ids (the framework and its overlay)."""
    welsh = {r["id"]: r["label"] for r in _yaml(FRAMEWORK.with_name("hmip-pdu-2023.cy.yaml"))["scale"]}
    return {r["label"]: welsh[r["id"]] for r in _yaml(FRAMEWORK)["scale"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_computed_content_is_the_same_data_in_both_editions(texts, fmt):
    report = _yaml(EXAMPLE / "report.yaml")
    welsh_label = _welsh_labels()
    english, welsh = texts["en-GB", fmt], texts["cy-GB", fmt]
    for code, finding in report["findings"].items():
        shown = code.replace("P", "P ", 1)  # the framework prints "P 1.1"
        if "rating" in finding:
            rows = {"en-GB": [line for line in english.splitlines() if line.startswith(shown + " ")],
                    "cy-GB": [line for line in welsh.splitlines() if line.startswith(shown + " ")]}
            assert any(line.endswith(" " + finding["rating"]) for line in rows["en-GB"]), (code, rows)
            assert any(line.endswith(" " + welsh_label[finding["rating"]]) for line in rows["cy-GB"]), (code, rows)
        for figure in finding.get("key_questions") or []:
            assert f"{figure}%" in english and f"{figure}%" in welsh, (code, figure)
    assert re.findall(r"\b\d+%", english) == re.findall(r"\b\d+%", welsh)  # every figure, in the same order
    scores = [re.findall(r"\b\d+/21\b", text) for text in (english, welsh)]
    assert scores[0] and scores[0] == scores[1]


def test_diff_of_the_editions_says_same_structure_and_names_a_seeded_difference(reportgen, tmp_path, built):
    result = reportgen("diff", EXAMPLE, "--editions")
    assert (result.returncode, result.stdout.strip()) == (0, "same structure"), result.stdout + result.stderr
    pages = reportgen("diff", built["en-GB"]["html"], built["cy-GB"]["html"])
    assert (pages.returncode, pages.stdout.strip()) == (0, "same structure"), pages.stdout + pages.stderr
    broken = tmp_path / "bro-wennol-pdu"
    shutil.copytree(EXAMPLE, broken)
    foreword = broken / "chapters" / "foreword.cy.md"
    text = foreword.read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    del paragraphs[1]  # the Welsh foreword loses its second paragraph
    foreword.write_text("\n\n".join(paragraphs), encoding="utf-8")
    result = reportgen("diff", broken, "--editions")
    assert result.returncode == 1, result.stdout + result.stderr
    said = result.stdout
    assert "foreword.cy.md:" in said and "foreword.md:" in said and "edition-unmatched" in said, said
