"""The imprint (`::: imprint`) read back from each example's PDF, DOCX and HTML with readers that
are not reportgen's own: every line the imprint must print (report.yaml's metadata, the framework's
publication.imprint text) is in a paragraph of each output, in order; in the PDF, in tagged P
elements (real content, not artifacts)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest
import yaml

from tests.conftest import ROOT
from tests.readback import page_text, structure

EXAMPLES = sorted(p.parent.name for p in (ROOT / "content").glob("*/report.yaml"))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def expected_lines(name: str) -> list[str]:
    """What the imprint must print, from the files an author and a framework's editor write."""
    report = yaml.safe_load((ROOT / "content" / name / "report.yaml").read_text(encoding="utf-8"))
    meta, publisher = report["metadata"], report["metadata"]["publisher"]
    text = yaml.safe_load((ROOT / "generator" / "frameworks" / f"{report['framework']}.yaml")
                          .read_text(encoding="utf-8"))["publication"]["imprint"]
    lines = [text["copyright"].replace("{year}", str(meta["copyright_year"])).replace("{publisher}", publisher["name"]),
             text["licence"]]
    if publisher.get("website"):
        lines.append(f"{text['download']} {re.sub('^https?://', '', publisher['website'])}")
    if meta.get("isbn"):  # a framework that asks for none (ofsted-schools-2025) prints no ISBN line
        lines.append(f"{text['isbn']} {meta['isbn']}")
    lines += [text["published_by"], " ".join([publisher["name"], *publisher["address"]])]
    return [squeeze(line) for line in lines]


@pytest.fixture(scope="module")
def built(example_build) -> dict[str, dict[str, Path]]:
    """Each example's outputs (the session's builds)."""
    return {name: example_build(name).outputs for name in EXAMPLES}


class Paragraphs(HTMLParser):
    """The text of each <p> of a page."""

    def __init__(self):
        super().__init__()
        self.paragraphs: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.depth += 1
            self.paragraphs.append("")
        elif tag == "br" and self.depth:
            self.paragraphs[-1] += " "

    def handle_endtag(self, tag):
        if tag == "p":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.paragraphs[-1] += data


def paragraphs(path: Path) -> list[str]:
    if path.suffix == ".pdf":
        with pikepdf.open(path) as pdf:
            drawn = page_text(path)
            # a line broken after a '/' or a '-' of an address goes on with no space
            return [squeeze(re.sub(r"([/-])\n", r"\1", drawn.of(e))) for e in structure(pdf).walk() if e.tag == "P"]
    if path.suffix == ".docx":
        import docx

        return [squeeze(p.text) for p in docx.Document(str(path)).paragraphs]
    parser = Paragraphs()
    parser.feed(path.read_text(encoding="utf-8"))
    return [squeeze(p) for p in parser.paragraphs]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_prints_its_full_imprint_in_every_format(built, name, fmt):
    found = paragraphs(built[name][fmt])
    at = [next((i for i, p in enumerate(found) if p == line), None) for line in expected_lines(name)]
    missing = [line for line, i in zip(expected_lines(name), at) if i is None]
    assert not missing, (fmt, missing, [p for p in found if "ISBN" in p or "©" in p])
    assert at == sorted(at), f"{fmt}: the imprint's lines are out of order"


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_the_surrey_imprint_is_the_published_one(built, fmt):
    """Word for word what the published report prints (the inspectorate's PDF, March 2024)."""
    found = paragraphs(built["surrey-pdu"][fmt])
    for line in ("© Crown copyright 2024",
                 "You may re-use this information (excluding logos) free of charge in any format or medium, under "
                 "the terms of the Open Government Licence. To view this licence, visit "
                 "www.nationalarchives.gov.uk/doc/open-government-licence or email psi@nationalarchives.gsi.gov.uk.",
                 "This publication is available for download at: www.justiceinspectorates.gov.uk/hmiprobation",
                 "ISBN: 978-1-916621-16-9", "Published by:",
                 "HM Inspectorate of Probation 1st Floor Civil Justice Centre 1 Bridge Street West Manchester M3 3FX",
                 "This inspection was led by HM Inspector Leon Bonas, supported by a team of inspectors and colleagues "
                 "from across the Inspectorate. We would like to thank all those who participated in any way in this "
                 "inspection. Without their help and cooperation, the inspection would not have been possible."):
        assert line in found, (fmt, line)
