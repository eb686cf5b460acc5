"""Editions (issue 25): one report's findings built as an English and a Welsh edition.

The two-edition report is the example with `editions: [en-GB, cy-GB]`, each chapter's .cy.md
counterpart, report.cy.yaml and a framework overlay in its frameworks/ (tests/conftest.py
`make_bilingual`). Everything is read back out of the built files."""

from __future__ import annotations

import json
import re
import typing
import zipfile
from pathlib import Path

import pikepdf
import pytest
from pydantic import BaseModel

from generator.stages.load import is_translation
from generator.text import file_text
from tests.conftest import copy_report, make_bilingual

FORMATS = ("pdf", "docx", "html")
EN_RATINGS = {"Outstanding": "outstanding", "Good": "good", "Requires improvement": "requires-improvement",
              "Inadequate": "inadequate", "Not rated": "not rated"}
CY_RATINGS = {"Rhagorol": "outstanding", "Da": "good", "Angen gwella": "requires-improvement",
              "Annigonol": "inadequate", "Heb ei raddio": "not rated"}
EN_DOMAINS = ("Organisational arrangements and activity", "Service delivery")
CY_DOMAINS = ("Trefniadau a gweithgarwch sefydliadol", "Cyflawni gwasanaethau")


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    """The two-edition report, built once to every format of both editions."""
    from generator.build import build

    folder = tmp_path_factory.mktemp("bilingual")
    report = make_bilingual(copy_report(folder))
    # a standard not rated (its words are the framework's too) and the ratings chart (its key's words)
    text = (report / "report.yaml").read_text(encoding="utf-8")
    (report / "report.yaml").write_text(text.replace("P1.3: {rating: Requires improvement}", "P1.3: {not_rated: true}"),
                                        encoding="utf-8")
    for name in ("ratings.md", "ratings.cy.md"):
        chapter = report / "chapters" / name
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\n::: chart ratings\n", encoding="utf-8")
    built = build(report, folder / "out")
    return report, folder / "out", built


def _text(out: Path, name: str) -> str:
    return file_text(out / name)


def test_one_build_writes_every_editions_outputs(bilingual):
    _, out, built = bilingual
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(
        f"surrey-pdu{suffix}.{fmt}" for suffix in ("", ".cy") for fmt in FORMATS)
    assert {lang: sorted(p.name for p in made.values()) for lang, made in built.editions.items()} == {
        "en-GB": sorted(f"surrey-pdu.{fmt}" for fmt in FORMATS),
        "cy-GB": sorted(f"surrey-pdu.cy.{fmt}" for fmt in FORMATS)}
    record = (out / ".surrey-pdu.outputs.json").read_text(encoding="utf-8")
    for fmt in FORMATS:  # the record of outputs covers both editions' files
        assert f'"surrey-pdu.cy.{fmt}"' in record and f'"surrey-pdu.{fmt}"' in record


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_welsh_edition_prints_the_translations_and_not_the_english(bilingual, fmt):
    _, out, _ = bilingual
    welsh, english = _text(out, f"surrey-pdu.cy.{fmt}"), _text(out, f"surrey-pdu.{fmt}")
    for word in ("Angen gwella", "Annigonol", "Rhagorol", "Heb ei raddio", *CY_DOMAINS):
        assert word in welsh, word
        assert word not in english, word
    for word in ("Requires improvement", "Inadequate", "Outstanding", "Not rated", *EN_DOMAINS,
                 "Points for a standard"):
        assert word in english, word
        assert word not in welsh, word
    assert "Testun Cymraeg." in welsh and "Testun Cymraeg." not in english  # each edition's own chapters


def _computed(text: str, ratings: dict[str, str], score_word: str) -> dict:
    """The ratings page's computed content, by id: each standard's rating, the score, the overall."""
    labels = "|".join(map(re.escape, ratings))
    standards = {m[1]: ratings[m[2]] for m in re.finditer(rf"^(P \d\.\d) .+? ({labels})$", text, re.M)}
    score = re.search(rf"^{score_word} (\d+/\d+)$", text, re.M)
    overall = re.search(rf": ({labels})$", text, re.M)
    return {"standards": standards, "score": score and score[1], "overall": overall and ratings[overall[1]]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_ratings_and_score_are_the_same_data_in_both_editions(bilingual, fmt):
    _, out, _ = bilingual
    english = _computed(_text(out, f"surrey-pdu.{fmt}"), EN_RATINGS, "Score")
    welsh = _computed(_text(out, f"surrey-pdu.cy.{fmt}"), CY_RATINGS, "Sgôr")
    assert len(english["standards"]) == 7 and english["standards"]["P 1.3"] == "not rated"
    assert english["score"] == "2/18" and english["overall"] == "inadequate"
    assert welsh == english
    percentages = [re.findall(r"\b\d+%", _text(out, f"surrey-pdu{s}.{fmt}")) for s in ("", ".cy")]
    assert percentages[0] and percentages[0] == percentages[1]  # the key questions' figures


def test_each_edition_declares_its_language(bilingual):
    _, out, _ = bilingual
    for suffix, language in (("", "en-GB"), (".cy", "cy-GB")):
        with pikepdf.open(out / f"surrey-pdu{suffix}.pdf") as pdf:
            assert str(pdf.Root.Lang) == language
        html = (out / f"surrey-pdu{suffix}.html").read_text(encoding="utf-8")
        assert re.search(rf'<html[^>]* lang="{language}"', html)
        with zipfile.ZipFile(out / f"surrey-pdu{suffix}.docx") as docx:
            styles = docx.read("word/styles.xml").decode("utf-8")
            core = docx.read("docProps/core.xml").decode("utf-8")
        assert re.search(rf'<w:docDefaults>.*<w:lang w:val="{language}"', styles, re.S)
        assert f">{language}</dc:language>" in core


def test_edition_misuse_is_a_usage_error(bilingual, reportgen, tmp_path):
    report, _, _ = bilingual
    result = reportgen("build", report, "--edition", "fr-FR", "--out", tmp_path / "o")
    assert result.returncode == 2 and "its editions: en-GB, cy-GB" in result.stderr
    result = reportgen("check", report, "--edition", "ga")
    assert result.returncode == 2 and "en-GB, cy-GB" in result.stderr
    result = reportgen("build", report, "-o", tmp_path / "one.html")
    assert result.returncode == 2 and "--edition" in result.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "one.html").exists()
    result = reportgen("build", report, "--edition", "cy", "-o", tmp_path / "one.html")
    assert result.returncode == 0, result.stderr
    assert 'lang="cy-GB"' in (tmp_path / "one.html").read_text(encoding="utf-8")
    assert reportgen("check", report, "--edition", "cy-GB").returncode == 0


def test_edition_builds_one_and_leaves_the_others(reportgen, tmp_path):
    report = make_bilingual(copy_report(tmp_path))
    out = tmp_path / "out"
    assert reportgen("build", report, "--format", "html", "--out", out).returncode == 0
    english = (out / "surrey-pdu.html").read_bytes()
    (report / "chapters" / "foreword.cy.md").write_text(  # words changed, the structure kept (the parity check)
        (report / "chapters" / "foreword.cy.md").read_text(encoding="utf-8").replace("Testun Cymraeg.", "Ail destun."),
        encoding="utf-8")
    result = reportgen("build", report, "--format", "html", "--edition", "cy-GB", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Ail destun." in _text(out, "surrey-pdu.cy.html")
    assert (out / "surrey-pdu.html").read_bytes() == english
    assert "output-stale" not in result.stderr  # the English does not read the Welsh chapters
    (report / "chapters" / "foreword.md").write_text(
        (report / "chapters" / "foreword.md").read_text(encoding="utf-8").replace("In Surrey", "In all of Surrey", 1),
        encoding="utf-8")
    result = reportgen("build", report, "--format", "html", "--edition", "en-GB", "--out", out)
    assert result.returncode == 0 and "output-stale" not in result.stderr  # nor the Welsh the English chapters
    text = (report / "report.yaml").read_text(encoding="utf-8")  # a finding, shared by both editions
    (report / "report.yaml").write_text(text.replace("P1.1: {rating: Requires improvement}", "P1.1: {rating: Good}"),
                                        encoding="utf-8")
    result = reportgen("build", report, "--format", "html", "--edition", "cy", "--out", out)
    assert result.returncode == 0, result.stderr
    stale = [line for line in result.stderr.splitlines() if "warning[output-stale]" in line]
    assert len(stale) == 1 and stale[0].startswith(f"{out / 'surrey-pdu.html'}:"), result.stderr


def test_a_failed_welsh_edition_leaves_both_editions_outputs_as_they_were(reportgen, tmp_path):
    report = make_bilingual(copy_report(tmp_path))
    out = tmp_path / "out"
    assert reportgen("build", report, "--format", "html,docx", "--out", out).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(before) == 5  # four outputs and the record
    for chapter in ("foreword.md", "foreword.cy.md"):  # a change to both, and a Welsh error
        path = report / "chapters" / chapter
        path.write_text(path.read_text(encoding="utf-8") + "\nNew text.\n", encoding="utf-8")
    overlay = report / "report.cy.yaml"
    overlay.write_text(overlay.read_text(encoding="utf-8") + "findings:\n  P1.1: {rating: Da}\n", encoding="utf-8")
    result = reportgen("build", report, "--format", "html,docx", "--out", out)
    assert result.returncode == 1 and "translation-not-text" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # an edited Welsh output: refused, and the English is not replaced either
    overlay.write_text(overlay.read_text(encoding="utf-8").replace("findings:\n  P1.1: {rating: Da}\n", ""),
                       encoding="utf-8")
    (out / "surrey-pdu.cy.html").write_bytes(before["surrey-pdu.cy.html"] + b"<!-- edited -->")
    result = reportgen("build", report, "--format", "html,docx", "--out", out)
    assert result.returncode == 1 and "output-edited" in result.stderr
    assert (out / "surrey-pdu.html").read_bytes() == before["surrey-pdu.html"]


def test_the_other_editions_chapters_are_not_parts_of_the_primary(reportgen, tmp_path):
    report = make_bilingual(copy_report(tmp_path))
    result = reportgen("check", report, "--strict")
    assert result.returncode == 0, result.stderr
    assert "chapter-unused" not in result.stderr
    # one edition: a file named like another edition's is a chapter of its own, as before
    one = copy_report(tmp_path / "one")
    (one / "chapters" / "spare.cy.md").write_text("Spare.\n", encoding="utf-8")
    result = reportgen("check", one)
    assert "chapters/spare.cy.md is not listed" in result.stderr


def test_one_edition_named_builds_what_no_editions_builds(reportgen, tmp_path):
    plain = copy_report(tmp_path / "a")
    named = copy_report(tmp_path / "b")
    text = (named / "report.yaml").read_text(encoding="utf-8")
    (named / "report.yaml").write_text(text.replace("framework: hmip-pdu-2023\n",
                                                    "framework: hmip-pdu-2023\neditions: [en-GB]\n"), encoding="utf-8")
    for folder in (plain, named):
        assert reportgen("build", folder, "--format", "html,docx", "--out", folder.parent / "out").returncode == 0
    for fmt in ("html", "docx"):
        assert (tmp_path / "a" / "out" / f"surrey-pdu.{fmt}").read_bytes() == \
            (tmp_path / "b" / "out" / f"surrey-pdu.{fmt}").read_bytes()
    assert sorted(p.name for p in (tmp_path / "b" / "out").iterdir()) == \
        [".surrey-pdu.outputs.json", "surrey-pdu.docx", "surrey-pdu.html"]


# --------------------------------------------------------------------------- the overlay itself

def _yaml(tmp_path: Path, name: str, text: str):
    from generator.diagnostics import Diagnostics
    from generator.stages.load import read_yaml

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_yaml(path, Diagnostics())


def test_overlay_matches_by_id_then_code_then_position(tmp_path):
    from generator.diagnostics import Diagnostics
    from generator.stages.translate import TEXT, overlay

    base = _yaml(tmp_path, "b.yaml", "a: [{id: x, t: One}, {id: y, t: Two}]\nb: [{code: C1, t: Three}]\n"
                                     "c: [Four, Five]\nn: 3\n")
    over = _yaml(tmp_path, "b.cy.yaml", "a: [{id: y, t: Dau}, {id: x, t: Un}]\nb: [{code: C1, t: Tri}]\n"
                                        "c: [Pedwar, Pump]\n")
    diags = Diagnostics()
    schema = {"a": [{"t": TEXT}], "b": [{"t": TEXT}], "c": [TEXT]}
    merged = overlay(base, over, schema, "cy-GB", diags)
    assert not diags.items
    assert merged == {"a": [{"id": "x", "t": "Un"}, {"id": "y", "t": "Dau"}], "b": [{"code": "C1", "t": "Tri"}],
                      "c": ["Pedwar", "Pump"], "n": 3}
    assert base.data["a"][0]["t"] == "One"  # the base is untouched


def test_every_text_field_of_the_framework_schema_is_classified():
    """A field of the framework's schema that holds words is in FRAMEWORK_TEXT (translated) or
    named here as shared: a new field cannot print English in a Welsh edition unnoticed."""
    from generator.stages.translate import FRAMEWORK_TEXT
    from generator.stages.validate import Framework

    shared = {"id", "code", "colour", "text_colour", "rating", "rated_by", "scale", "method", "standard", "domain",
              "then", "overall", "required_metadata", "parts", "type", "by", "ratings", "when", "at_most"}
    missing = []

    def models(annotation):
        for arg in typing.get_args(annotation) or (annotation,):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield arg
            elif typing.get_args(arg):
                yield from models(arg)

    def words(annotation) -> bool:
        return annotation is str or any(words(a) for a in typing.get_args(annotation))

    def visit(model, schema, where):
        for name, field in model.model_fields.items():
            key = field.alias or name
            entry = schema.get(key, schema.get("*")) if isinstance(schema, dict) else None
            while isinstance(entry, list):
                entry = entry[0]
            if callable(entry):
                entry = entry([])
                entry = entry[0] if isinstance(entry, list) else entry
            inner = list(models(field.annotation))
            if inner:
                for sub in inner:
                    visit(sub, entry if isinstance(entry, dict) else
                          (entry.get("*") if isinstance(entry, dict) else {}), f"{where}{key}.")
            elif words(field.annotation) and entry is None and key not in shared:
                missing.append(where + key)

    visit(Framework, FRAMEWORK_TEXT, "")
    assert not missing, missing


def test_a_charts_text_is_translated_and_its_numbers_are_shared(tmp_path):
    from generator.diagnostics import Diagnostics
    from generator.stages.translate import overlay, report_text

    base = _yaml(tmp_path, "report.yaml", "charts:\n  caseload:\n    title: Caseload\n    unit: ' cases'\n"
                                          "    categories: [North, South]\n    series: {2023: [1, 2], 2024: [3, 4]}\n"
                                          "    axis: Cases\n")
    over = _yaml(tmp_path, "report.cy.yaml", "charts:\n  caseload:\n    title: Llwyth achosion\n    unit: ' achos'\n"
                                             "    categories: [Gogledd, De]\n    series: {2023: Blwyddyn 2023}\n"
                                             "    axis: Achosion\n")
    diags = Diagnostics()
    merged = overlay(base, over, report_text(None), "cy-GB", diags)
    assert merged["charts"]["caseload"] == {"title": "Llwyth achosion", "unit": " achos",
                                            "categories": ["Gogledd", "De"],
                                            "series": {"Blwyddyn 2023": [1, 2], 2024: [3, 4]}, "axis": "Achosion"}
    assert [(d.code, d.line) for d in diags.items] == [("translation-missing", 6)]  # series 2024 has no name
    assert "charts.caseload.series.2024" in diags.items[0].message


@pytest.mark.parametrize("name", ["report.cy.yaml", "chapters/foreword.cy.md", "frameworks/hmip-pdu-2023.cy.yaml"])
def test_an_editions_file_is_read_inside_the_folder_only(reportgen, tmp_path, name):
    report = make_bilingual(copy_report(tmp_path))
    secret = tmp_path / "secret.txt"
    secret.write_text("metadata: {title: SECRET-WORDS}\n", encoding="utf-8")
    (report / name).unlink()
    (report / name).symlink_to(secret)
    result = reportgen("check", report)
    assert result.returncode == 1
    assert f"{name}: error[path-outside]" in result.stderr, result.stderr
    assert "SECRET-WORDS" not in result.stderr + result.stdout
    assert "edition-missing" not in result.stderr  # said once: the file is there, and refused


def test_a_hostile_overlay_is_refused_located(reportgen, tmp_path):
    report = make_bilingual(copy_report(tmp_path))
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefg", "bcdefgh"))
    (report / "report.cy.yaml").write_text(laughs, encoding="utf-8")
    result = reportgen("check", report)
    assert result.returncode == 1 and "report.cy.yaml" in result.stderr and "yaml-too-large" in result.stderr
    (report / "report.cy.yaml").unlink()
    import os

    os.mkfifo(report / "report.cy.yaml")  # never opened: a check that read it would hang here
    result = reportgen("check", report)
    assert result.returncode == 1 and "report.cy.yaml: error[file-not-regular]" in result.stderr, result.stderr


def test_the_preview_serves_the_primary_or_the_edition_asked_for(tmp_path):
    from generator.preview.session import Preview
    from generator.writing import Options

    report = make_bilingual(copy_report(tmp_path))
    primary, welsh = Preview(report), Preview(report, Options(edition="cy-GB"))
    assert primary.rebuild() == 1 and primary.ok and welsh.rebuild() == 1 and welsh.ok
    english, cymraeg = primary.page.decode("utf-8"), welsh.page.decode("utf-8")
    assert re.search(r'<html[^>]* lang="en-GB"', english) and "Angen gwella" not in english
    assert re.search(r'<html[^>]* lang="cy-GB"', cymraeg) and "Angen gwella" in cymraeg
    # an error in the other edition shows in the primary's preview too: every edition is checked
    (report / "chapters" / "foreword.cy.md").unlink()
    assert primary.rebuild() == 2 and not primary.ok and "edition-missing" in primary.page.decode("utf-8")


def test_the_naming_contract_round_trips():
    from pathlib import PurePath

    from generator.editions import edition_path, edition_suffix_of, editions_of, primary_path

    english, welsh = editions_of(["en-GB", "cy-GB"])
    for name in ("chapters/foreword.md", "chapters/sub/annexe.one.md", "report.yaml", "out/surrey-pdu.pdf"):
        path = PurePath(name)
        assert edition_path(path, english) == path
        counterpart = edition_path(path, welsh)
        assert counterpart.name.split(".")[-2] == "cy" and edition_suffix_of(counterpart, {"cy"}) == "cy"
        assert primary_path(counterpart, welsh) == path
        assert edition_suffix_of(path, {"cy"}) is None
    with pytest.raises(ValueError):
        primary_path(PurePath("chapters/foreword.md"), welsh)


def test_a_frameworks_translation_is_not_listed_as_a_framework(tmp_path):
    from generator.stages.load import available_frameworks

    report = make_bilingual(copy_report(tmp_path))
    (report / "frameworks" / "house.cy.yaml").write_text("id: house.cy\n", encoding="utf-8")  # no house.yaml
    found = available_frameworks(report)
    assert "hmip-pdu-2023" in found and "hmip-pdu-2023.cy" not in found and "house.cy" in found


def test_each_editions_chapters_by_language(tmp_path):
    from generator.diagnostics import Diagnostics
    from generator.stages.load import load

    report = make_bilingual(copy_report(tmp_path))
    chapters = load(report, Diagnostics()).edition_chapters()
    assert list(chapters) == ["en-GB", "cy-GB"]
    assert chapters["en-GB"].keys() == chapters["cy-GB"].keys() and "foreword.md" in chapters["cy-GB"]
    assert chapters["cy-GB"]["foreword.md"].path.name == "foreword.cy.md"
    assert "Testun Cymraeg." in chapters["cy-GB"]["foreword.md"].text
    assert "Testun Cymraeg." not in chapters["en-GB"]["foreword.md"].text


HOSTILE_OVERLAYS = ["{}", "[]", "x", "5", "~", "domains: x", "domains: [5, x, ~, {id: nope}, {title: T}]",
                    "scale: {a: 1}", "labels: [1]", "scales: 7", "scales: {met: {ratings: 5}}",
                    "publication: {imprint: {licence_links: [a]}}", "details: {fields: {x: {label: [1]}}}",
                    "follow_up: {scale: [{label: 1}]}", "key_question_bands: [{description: [a]}, 1, 2, 3, 4, 5]",
                    "name: {a: b}", "id: other", "'1': x\n2: y"]


@pytest.mark.parametrize("framework", sorted(p.name for p in (Path(__file__).parent.parent / "generator" /
                                                                "frameworks").glob("*.yaml")
                                              if not is_translation(p)))
def test_any_overlay_of_a_shipped_framework_is_read_or_refused_located(tmp_path, framework):
    import yaml as pyyaml

    from generator.diagnostics import Diagnostics
    from generator.stages.translate import FRAMEWORK_TEXT, overlay

    source = Path(__file__).parent.parent / "generator" / "frameworks" / framework
    base = _yaml(tmp_path, framework, source.read_text(encoding="utf-8"))
    for text in HOSTILE_OVERLAYS:
        diags = Diagnostics()
        merged = overlay(base, _yaml(tmp_path, "x.cy.yaml", text), FRAMEWORK_TEXT, "cy-GB", diags)
        assert isinstance(merged, dict) and merged["id"] == base.data["id"]
        assert all(d.line > 0 and d.code in ("translation-missing", "translation-not-text", "key-unknown")
                   for d in diags.items), (text, diags.items)
    # the base file given back whole as its translation: every key known and every text found (its
    # shared values refused as such), and the data the same
    mirror = pyyaml.safe_dump(overlay(base, _yaml(tmp_path, "e.cy.yaml", "{}"), FRAMEWORK_TEXT, "cy-GB",
                                      Diagnostics()))
    diags = Diagnostics()
    mirrored = overlay(base, _yaml(tmp_path, "m.cy.yaml", mirror), FRAMEWORK_TEXT, "cy-GB", diags)
    assert mirrored == base.data
    assert diags.items and {d.code for d in diags.items} == {"translation-not-text"}


def test_markup_in_a_translation_is_printed_as_text_in_every_format(tmp_path):
    """An overlay is untrusted: `<script>` and `<b>` in a translated rating word (the key lists
    every rating) come out as text in the Welsh HTML page (no element made of them), DOCX and PDF."""
    import docx

    from generator.build import build

    report = make_bilingual(copy_report(tmp_path))
    overlay = report / "frameworks" / "hmip-pdu-2023.cy.yaml"
    hostile = "</td><script>alert(1)</script><b>Rhagorol</b> & mwy"
    text = overlay.read_text(encoding="utf-8")
    assert "  label: Rhagorol\n" in text
    overlay.write_text(text.replace("  label: Rhagorol\n", f"  label: {json.dumps(hostile)}\n", 1), encoding="utf-8")
    result = build(report, tmp_path / "out", formats=("html", "docx", "pdf"), parallel=False)
    welsh = result.editions["cy-GB"]
    page = welsh["html"].read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<b>Rhagorol" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Rhagorol&lt;/b&gt; &amp; mwy" in page
    cells = [c.text for t in docx.Document(str(welsh["docx"])).tables for r in t.rows for c in r.cells]
    assert hostile in cells
    drawn = "".join(file_text(welsh["pdf"]).split())  # a narrow key cell breaks it where it can
    assert "".join(hostile.split()) in drawn
