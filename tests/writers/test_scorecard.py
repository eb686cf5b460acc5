"""Publishable as built (issue 22, items 2, 5 and 7), read back from the three built formats of the
bundled examples: the scorecard as one component (on one page, its key from the framework, "Not
rated" styled, the rating's colour filling its cell, "continued" where it runs on), curly quotes in
all printed text, one label form for standards, recommendations numbered through the report the
same in every format, a measure of about 72 characters, and the HTML page centred with whole words
in its tables.

PDF text is pdftotext's, DOCX text python-docx's and its XML, HTML text the page's own (parsed
here, or laid out by Chromium: tests/browser/)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from statistics import median

import docx
import pytest
import yaml
from lxml import etree

from generator.build import build
from tests.conftest import ROOT
from tests.readback import libreoffice_pdf, pdf_lines

# every example in content/, Surrey's first (the session's build)
EXAMPLES = ("surrey-pdu", *sorted(p.parent.name for p in (ROOT / "content").glob("*/report.yaml")
                                  if p.parent.name != "surrey-pdu"))
RATED = ("surrey-pdu", "northshire-yjs")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}


@pytest.fixture(scope="module")
def built(example_build) -> dict[str, dict[str, Path]]:
    """Each example's PDF, DOCX and HTML (the session's builds)."""
    return {name: example_build(name).outputs for name in EXAMPLES}


def framework(name: str) -> dict:
    report = yaml.safe_load((ROOT / "content" / name / "report.yaml").read_text(encoding="utf-8"))
    return yaml.safe_load((ROOT / "generator" / "frameworks" / f"{report['framework']}.yaml").read_text("utf-8"))


def standards(name: str) -> list[tuple[str, str]]:
    """(code, "code title") of each standard of the example's framework."""
    return [(s["code"], f"{s['code']} {s['title']}") for d in framework(name)["domains"] for s in d["standards"]]


def standard_labels(name: str) -> list[str]:
    return [label for _, label in standards(name)]


# --------------------------------------------------------------------------- reading each format back

def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_page_texts(path: Path) -> list[str]:
    return pdf_text(path).split("\f")[:-1]


def docx_text(path: Path) -> str:
    """Every paragraph's text, the body's, its tables', headers', footers' and notes', in order."""
    out = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if re.fullmatch(r"word/(document|footnotes|header\d*|footer\d*)\.xml", name):
                root = etree.fromstring(package.read(name))
                out += ["".join(p.xpath(".//w:t/text()", namespaces=NS)) for p in root.iter(f"{W}p")]
    return "\n".join(out)


class PrintedText(HTMLParser):
    """The text an HTML page shows: not <style>, <code> or <pre>, and no attribute."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "code", "pre", "script"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "code", "pre", "script"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = PrintedText()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts)


READERS = {"pdf": pdf_text, "docx": docx_text, "html": html_text}


# --------------------------------------------------------------------------- typography (item 5)

@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_printed_text_has_curly_quotes_only(built, name, fmt):
    """No straight quote or apostrophe in any printed text, framework text and table headers
    included ("Percentage 'Yes'", "child's" in report.yaml); the examples print no code, and an
    address is not prose (left out)."""
    text = re.sub(r"(https?://|mailto:|www\.)\S+", "", READERS[fmt](built[name][fmt]))
    straight = [text[max(0, m.start() - 30):m.end() + 30] for m in re.finditer(r"['\"]", text)]
    assert straight == [], straight[:5]


def test_framework_text_and_report_yaml_text_are_typeset(built):
    for fmt in ("pdf", "docx", "html"):
        surrey = " ".join(READERS[fmt](built["surrey-pdu"][fmt]).split())
        assert "Percentage ‘Yes’" in surrey, fmt  # the framework's key-question table header
        northshire = " ".join(READERS[fmt](built["northshire-yjs"][fmt]).split())
        assert "address the child’s safety" in northshire, fmt  # a recommendation in report.yaml
        assert "child’s desistance" in northshire, fmt  # the framework's key questions


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
@pytest.mark.parametrize("name", RATED)
def test_one_label_form_for_standards(built, name, fmt):
    """A standard is "P 1.1 Leadership" on the ratings page and at its chapter heading alike,
    never "P 1.1. Leadership"."""
    text = " ".join(READERS[fmt](built[name][fmt]).split())
    for code, label in standards(name):
        assert text.count(label) >= 2, (label, "the ratings page and the chapter")
        assert f"{code}. " not in text, code


# --------------------------------------------------------------------------- recommendations numbering

def pdf_recommendations(path: Path) -> list[int]:
    lines = [line.strip() for page in pdf_lines(path) for line in page]
    start = next(i for i, line in enumerate(lines) if line == "Recommendations" and i > 20)
    numbers = []
    for line in lines[start + 1:]:
        if re.fullmatch(r"\d+\.\s+\S.*", line) and not re.match(r"\d+\.\s+[A-Z]", line):
            numbers.append(int(line.split(".")[0]))
        elif numbers and re.match(r"\d+\. [A-Z]", line):  # the next part's title ("1. Organisational ...")
            break
    return numbers


def html_recommendations(path: Path) -> list[int]:
    html = path.read_text(encoding="utf-8")
    part = html[html.index('id="recommendations"'):]
    part = part[:part.index("</section>")]
    numbers = []
    for start, items in re.findall(r'<ol(?: start="(\d+)")?[^>]*>(.*?)</ol>', part, re.S):
        first = int(start or 1)
        numbers += list(range(first, first + items.count("<li>")))
    return numbers


def docx_recommendations(path: Path) -> list[int]:
    """Each numbered paragraph of the Recommendations part, numbered as Word numbers it: its list's
    start (w:startOverride, else the level's w:start), counting up within the list."""
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        numbering = etree.fromstring(package.read("word/numbering.xml"))
    starts = {}
    for num in numbering.findall("w:num", NS):
        override = num.xpath("./w:lvlOverride[@w:ilvl='0']/w:startOverride/@w:val", namespaces=NS)
        abstract = num.find("w:abstractNumId", NS).get(f"{W}val")
        level = numbering.xpath(f"./w:abstractNum[@w:abstractNumId='{abstract}']/w:lvl[@w:ilvl='0']/w:start/@w:val",
                                namespaces=NS)
        starts[num.get(f"{W}numId")] = int((override or level or ["1"])[0])
    numbers, counts, inside = [], {}, False
    for p in body.iter(f"{W}p"):
        text = "".join(p.itertext())
        if p.xpath("./w:pPr/w:pStyle[@w:val='Heading1']", namespaces=NS):
            if inside:
                break
            inside = text == "Recommendations"
        num = p.xpath("./w:pPr/w:numPr/w:numId/@w:val", namespaces=NS)
        if inside and num:
            numbers.append(starts[num[0]] + counts.get(num[0], 0))
            counts[num[0]] = counts.get(num[0], 0) + 1
    return numbers


@pytest.mark.parametrize("name", ["northshire-yjs", "surrey-pdu", "thematic-example"])
def test_recommendations_are_numbered_through_the_report_the_same_in_every_format(built, name):
    """1, 2 under the first addressee, 3, 4 under the next: "recommendation 3" names one, in the
    PDF, the DOCX and the HTML alike."""
    report = yaml.safe_load((ROOT / "content" / name / "report.yaml").read_text(encoding="utf-8"))
    total = sum(len(group["items"]) for group in report["recommendations"])
    expected = list(range(1, total + 1))
    assert html_recommendations(built[name]["html"]) == expected
    assert docx_recommendations(built[name]["docx"]) == expected
    assert pdf_recommendations(built[name]["pdf"]) == expected


# --------------------------------------------------------------------------- the scorecard (item 2)

def key_rows(name: str) -> list[tuple[str, str, str]]:
    """(label, points, scores) of the key, computed here from the framework file: the bands'
    lower bounds, each up to the next band's less one, the top one to the report's maximum."""
    fw = framework(name)
    report = yaml.safe_load((ROOT / "content" / name / "report.yaml").read_text(encoding="utf-8"))
    scored = sum(1 for d in fw["domains"] for s in d["standards"] if s.get("scored", True)
                 and s["rated_by"] != "not_rated" and not report["findings"][s["id"]].get("not_rated"))
    maximum = scored * max(item["points"] for item in fw["scale"])
    bands = sorted(fw["overall_bands"], key=lambda b: -b["from"])
    ranges, top = {}, maximum
    for band in bands:
        ranges[band["rating"]] = f"{band['from']}–{top}"
        top = band["from"] - 1
    return [(item["label"], str(item["points"]), ranges[item["id"]]) for item in fw["scale"]]


@pytest.mark.parametrize("name", RATED)
def test_the_scorecard_is_on_one_page_of_the_pdf_with_its_key(built, name):
    pages = [" ".join(page.split()) for page in pdf_page_texts(built[name]["pdf"])]
    fw = framework(name)
    at = [i for i, page in enumerate(pages) if f"{fw['labels']['score']} " in page
          and fw["labels"]["overall_rating"] in page and "Key to the ratings" in page]
    assert len(at) == 1, "one page holds the score, the overall rating and the key"
    page = pages[at[0]]
    for label in standard_labels(name):
        assert label in page, label
    for label, points, scores in key_rows(name):
        assert f"{label} {points} {scores}" in page
    assert re.search(r"The score adds up the points of the \d+ scored standards, out of \d+\.", page)
    assert not any("(continued)" in p for p in pages), "nothing runs on"


@pytest.mark.parametrize("name", RATED)
def test_the_key_is_in_every_format_from_the_framework(built, name):
    for fmt in ("docx", "html"):
        text = " ".join(READERS[fmt](built[name][fmt]).split())
        for label, points, scores in key_rows(name):
            assert f"{label} {points} {scores}" in text or f"{label}{points}{scores}" in text, (fmt, label)


def test_a_scorecard_too_long_for_a_page_runs_on_whole_tables_under_a_continued_caption(tmp_path):
    """A theme that makes each row tall: the scorecard breaks between its tables, each whole with
    its caption and header row, and the page it runs on to says "Ratings (continued)" at its head;
    the pages after it do not."""
    theme = tmp_path / "tall"
    theme.mkdir()
    (theme / "theme.css").write_text("table.ratings td.rating-cell, table.ratings tbody th "
                                     "{ padding-top: 2em !important; padding-bottom: 2em !important; }\n")
    pdf = build(ROOT / "content" / "northshire-yjs", tmp_path / "out", formats=("pdf",), theme=theme).outputs["pdf"]
    pages = [[line.strip() for line in page.splitlines() if line.strip()] for page in pdf_page_texts(pdf)]
    first = next(i for i, page in enumerate(pages) if "Key to the ratings" not in " ".join(page)
                 and "Fieldwork started:" in " ".join(page) and "Ratings" in page)
    runs_on = [i for i, page in enumerate(pages) if "Ratings (continued)" in page]
    assert runs_on and runs_on[0] == first + 1 and runs_on == list(range(first + 1, first + 1 + len(runs_on)))
    for i in runs_on:
        page = pages[i]
        body = page[page.index("Ratings (continued)") + 1:]
        assert body[0].startswith(("1.", "2.", "3.", "4.", "Key to")), body[:3]  # a caption starts the page
        assert "Standard" in body[1] or "Rating" in body[1], body[:3]  # then its header row
    assert not any("(continued)" in " ".join(page) for page in pages[runs_on[-1] + 1:])


def test_docx_scorecard_key_and_not_rated_cell(built):
    """The DOCX's key: a Word table whose rating cells are shaded in the rating's colour; "Not
    rated" shaded with the theme's fill and in italic, not an empty-looking cell."""
    document = docx.Document(str(built["northshire-yjs"]["docx"]))
    key = next(t for t in document.tables if t.rows[0].cells[0].text == "Rating" and len(t.columns) == 3)
    fw = framework("northshire-yjs")
    for row, item in zip(key.rows[1:], fw["scale"]):
        assert row.cells[0].text == item["label"]
        fill = row.cells[0]._tc.xpath("./w:tcPr/w:shd/@w:fill")  # noqa: SLF001
        assert fill == [item["colour"].lstrip("#").upper()]
    not_rated = next(c for t in document.tables for r in t.rows for c in r.cells if c.text == "Not rated")
    theme = yaml.safe_load((ROOT / "styles" / "theme.yaml").read_text(encoding="utf-8"))
    assert not_rated._tc.xpath("./w:tcPr/w:shd/@w:fill") == [theme["colours"]["not-rated"].lstrip("#").upper()]  # noqa: SLF001
    assert not_rated._tc.xpath(".//w:r/w:rPr/w:i | .//w:r/w:rPr/w:rStyle")  # noqa: SLF001


def test_docx_scorecard_is_on_one_page_in_libreoffice(built, tmp_path):
    """The longest scorecard (Northshire: 13 standards and the key), laid out by LibreOffice
    without Lato installed (the DOCX embeds it): all on one page."""
    pdf = libreoffice_pdf(built["northshire-yjs"]["docx"], tmp_path)
    pages = [" ".join(page) for page in pdf_lines(pdf)]
    at = [i for i, page in enumerate(pages) if "Key to the ratings" in page and "Score 5/36" in page]
    assert len(at) == 1
    for label in standard_labels("northshire-yjs"):
        assert label in pages[at[0]], label
    assert "out of 36." in pages[at[0]]


# --------------------------------------------------------------------------- the measure (item 5)

def test_pdf_body_text_has_a_measure_of_about_72_characters(built):
    lengths = sorted(len(line) for page in pdf_page_texts(built["surrey-pdu"]["pdf"])
                     for line in page.splitlines() if len(line) > 45)
    assert 68 <= median(lengths) <= 76, median(lengths)
    assert lengths[int(len(lengths) * 0.9)] <= 82


# --------------------------------------------------------------------------- in a browser (items 2, 5, 7)

ROW_HEIGHTS = """[...document.querySelectorAll('table.ratings tbody tr, table.ratings-key tbody tr')].map(tr => {
    const cell = tr.querySelector('.rating-cell');
    return [tr.textContent.trim().slice(0, 40), tr.getBoundingClientRect().height, cell.getBoundingClientRect().height,
            getComputedStyle(cell).backgroundColor];
})"""


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", RATED)
def test_the_rating_colour_fills_its_row_at_every_width(browser, built, name, width):
    """Where a standard's name wraps (Northshire 3.4 at 1280 px, Surrey P 2.3 at 375 px) the
    rating's colour still fills the row: the coloured box is the row's height."""
    browser.open(built[name]["html"], width=width)
    rows = browser.eval(ROW_HEIGHTS)
    assert len(rows) >= len(standard_labels(name))
    for text, row, cell, background in rows:
        assert abs(row - cell) < 0.5, (text, row, cell)
        assert background not in ("rgba(0, 0, 0, 0)", "transparent"), text
    assert max(row for _, row, _, _ in rows) > min(row for _, row, _, _ in rows) + 5, "some name wraps"


def test_not_rated_is_filled_and_padded_like_a_rating(browser, built):
    browser.open(built["northshire-yjs"]["html"], width=1280)
    styles = browser.eval("""[...document.querySelectorAll('table.ratings td.rating-cell')].map(td => {
        const s = getComputedStyle(td);
        return [td.textContent, s.backgroundColor, s.paddingLeft, s.paddingTop, td.classList.contains('not-rated')];
    })""")
    not_rated = [s for s in styles if s[4]]
    rated = [s for s in styles if not s[4]]
    assert [s[0] for s in not_rated] == ["Not rated"]
    assert not_rated[0][1] not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)")
    assert not_rated[0][2:4] == rated[0][2:4], "padded as the rated cells"


@pytest.mark.parametrize("width", [375, 1280])
def test_the_lowest_key_question_is_marked_inside_the_tables_border(browser, built, width):
    """The lowest row is tinted and says "(lowest score)": its cells' borders are the other rows'
    (a thicker rule on its edge stuck out past the table's border and was explained nowhere)."""
    browser.open(built["surrey-pdu"]["html"], width=width)
    rows = browser.eval("""[...document.querySelectorAll('table.key-questions tbody tr')].map(tr =>
        [tr.classList.contains('lowest'), tr.textContent,
         [...tr.children].map(c => [getComputedStyle(c).borderRightWidth, getComputedStyle(c).borderLeftWidth,
                                    getComputedStyle(c).backgroundColor])])""")
    lowest = [cells for is_lowest, _, cells in rows if is_lowest]
    others = {tuple(c[:2]) for is_lowest, _, cells in rows if not is_lowest for c in cells}
    assert len(lowest) >= 4 and others
    assert all("(lowest score)" in text for is_lowest, text, _ in rows if is_lowest)
    for cells in lowest:
        assert {tuple(c[:2]) for c in cells} <= others, (cells, others)
        assert all(c[2] not in ("rgba(0, 0, 0, 0)", "transparent") for c in cells), cells


@pytest.mark.parametrize("width", [375, 1280])
def test_the_ratings_part_title_outranks_the_unit(browser, built, width):
    browser.open(built["northshire-yjs"]["html"], width=width)
    title, unit = browser.eval("""[parseFloat(getComputedStyle(document.querySelector('#ratings-title')).fontSize),
        parseFloat(getComputedStyle(document.querySelector('.ratings-unit')).fontSize)]""")
    assert title >= unit * 1.2, (title, unit)


@pytest.mark.parametrize("width", [375, 1280, 1600])
@pytest.mark.parametrize("name", RATED)
def test_the_page_is_centred(browser, built, name, width):
    """As much room on the left as on the right, of the page's content and of the cover band."""
    browser.open(built[name]["html"], width=width)
    body, cover, viewport = browser.eval("""[document.body.getBoundingClientRect(),
        document.querySelector('.cover').getBoundingClientRect(), document.documentElement.clientWidth]
        .map(r => typeof r === 'number' ? r : [r.left, r.right])""")
    assert abs(body[0] - (viewport - body[1])) <= 1, (body, viewport)
    assert abs(cover[0] - (viewport - cover[1])) <= 1, (cover, viewport)
    main = browser.eval("(() => { const r = document.querySelector('main').getBoundingClientRect(); "
                        "return [r.left, r.right]; })()")
    assert abs(main[0] - (viewport - main[1])) <= 1 + 0.1 * viewport * (width < 1024), main


MEASURE = """(() => {
  const lines = [];
  for (const p of document.querySelectorAll('main p, main li')) {
    if (p.closest('table, .ratings-summary, nav, .footnotes, figure, .callout') || p.querySelector('p')) continue;
    const byTop = new Map();
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g; let m;
      while ((m = re.exec(node.data))) {
        const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
        const rect = r.getClientRects()[0]; if (!rect) continue;
        const top = Math.round(rect.top / 4);
        byTop.set(top, (byTop.get(top) || 0) + m[0].length + 1);
      }
    }
    lines.push(...[...byTop.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1] - 1).slice(0, -1));
  }
  return lines.sort((a, b) => a - b);
})()"""


def test_html_body_text_has_a_measure_of_about_72_characters(browser, built):
    browser.open(built["surrey-pdu"]["html"], width=1280)
    lengths = browser.eval(MEASURE)
    assert len(lengths) > 100
    assert 68 <= median(lengths) <= 76, median(lengths)
    assert lengths[int(len(lengths) * 0.9)] <= 82


BROKEN_WORDS = """[...document.querySelectorAll('main td, main th, main caption')].flatMap(cell => {
    const out = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[\\p{L}\\p{N}’]+/gu; let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange(); range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) out.push(m[0]);
      }
    }
    return out;
})"""


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_word_is_broken_in_a_table_at_320_px(browser, built, name):
    """"Com/muni/ty" no more: at 320 px every word of every table is whole (each fits its column)."""
    browser.open(built[name]["html"], width=320)
    assert browser.eval(BROKEN_WORDS) == []
    assert browser.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_a_scale_with_descriptions_keys_them_beside_points_and_scores_in_all_three_formats(tmp_path):
    """A scored framework whose scale points carry a `description`: the key gains a last column of
    them (`labels.key_description`), beside the points and the scores that give each overall
    rating, read back as one table from the PDF's tags, the DOCX and the HTML."""
    import shutil

    from tests.test_example_prisons import _docx_table, _html_table, _pdf_table

    folder = tmp_path / "surrey-pdu"
    shutil.copytree(ROOT / "content" / "surrey-pdu", folder, ignore=shutil.ignore_patterns("out"))
    fw = yaml.safe_load((ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8"))
    described = {"outstanding": "Work of the highest quality.", "good": "The service's work is good.",
                 "requires-improvement": "Work that must improve.", "inadequate": "Work that falls short."}
    text = (ROOT / "generator" / "frameworks" / "hmip-pdu-2023.yaml").read_text(encoding="utf-8")
    for item in fw["scale"]:
        line = next(line for line in text.splitlines() if line.startswith(f"  - {{id: {item['id']}, "))
        text = text.replace(line, line[:-1] + f", description: {yaml.safe_dump(described[item['id']]).split(chr(10))[0]}}}")
    (folder / "frameworks").mkdir()
    (folder / "frameworks" / "hmip-pdu-2023.yaml").write_text(text, encoding="utf-8")
    assert [i.get("description") for i in yaml.safe_load(text)["scale"]] == list(described.values())
    outputs = build(folder, tmp_path / "out", formats=("pdf", "docx", "html"), parallel=False).outputs
    labels = fw["labels"]
    header = [labels["rating"], "Points for a standard", "Overall rating for a score of", "What it means"]
    expected = [header] + [[label, points, scores, described[item["id"]].replace("'", "’")]
                           for (label, points, scores), item in zip(key_rows("surrey-pdu"), fw["scale"])]
    assert _docx_table(outputs["docx"], header)[1] == expected
    assert _pdf_table(outputs["pdf"], "What it means")[1] == expected
    assert _html_table(outputs["html"], header[0])[1] == expected


def test_markup_in_a_scale_point_s_description_is_printed_as_text_in_every_format(tmp_path):
    """A framework file is untrusted: `<script>` and `<b>` in a rating's description (the key's
    column) come out as text in the HTML page (no element made of them), the DOCX and the PDF."""
    import shutil

    report = tmp_path / "hmp-fenmoor"
    shutil.copytree(ROOT / "content" / "hmp-fenmoor", report)
    (report / "frameworks").mkdir()
    source = (ROOT / "generator" / "frameworks" / "hmiprisons-healthy-prison.yaml").read_text(encoding="utf-8")
    hostile = "</td><script>alert(1)</script><b>bold</b> & more"
    old = ("      Outcomes for prisoners are good: there is no evidence that they are being adversely affected\n"
           "      in any significant area.\n")
    assert old in source
    (report / "frameworks" / "hmiprisons-healthy-prison.yaml").write_text(
        source.replace(old, f"      {hostile}\n"), encoding="utf-8")
    result = build(report, tmp_path / "out", formats=("html", "docx", "pdf"), parallel=False)
    page = result.outputs["html"].read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; more" in page
    cells = [c.text for t in docx.Document(str(result.outputs["docx"])).tables for r in t.rows for c in r.cells]
    assert hostile in cells
    from generator.text import file_text

    assert hostile in " ".join(file_text(result.outputs["pdf"]).split())
