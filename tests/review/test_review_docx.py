"""The review round trip on the Surrey draft: LibreOffice, driven over UNO (tests/review/uno_reviewer.py,
run with Debian's /usr/bin/python3), comments and tracks changes as a reviewer does and saves as
Word XML; `reportgen review` must locate every item at the right chapter line or report.yaml key;
`--apply` must turn the chapters into what the edited DOCX says; the rebuilt DOCX must read as
LibreOffice's accept-all.

The reviewed file is made once per module (a LibreOffice session costs seconds). LibreOffice 7.4
keeps no comment on footnote text when it saves a DOCX, and its UNO API makes no threaded reply:
the footnote comment and the reply are added to the saved package afterwards, as Word writes them
(word/comments.xml, w15:commentEx).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from generator.text import file_text
from tests.conftest import SURREY

HERE = Path(__file__).parent
SYSTEM_PYTHON = Path("/usr/bin/python3")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _have_uno() -> str:
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        return "LibreOffice (soffice) is not installed: scripts/system-deps.sh"
    if not SYSTEM_PYTHON.exists() or subprocess.run([str(SYSTEM_PYTHON), "-c", "import uno"],
                                                    capture_output=True, timeout=60).returncode != 0:
        return "python3-uno is not installed for /usr/bin/python3: scripts/system-deps.sh --test"
    return ""


MISSING = _have_uno()
needs_uno = pytest.mark.skipif(bool(MISSING), reason=MISSING)

# what the reviewer does: (comment phrase, its text) and the tracked changes
COMMENTS = [
    ("motivated and committed leaders", "Say who"),                                # prose, foreword
    ("Staff largely felt safe", "Staff said so in the survey?"),                  # prose, rewritten below
    ("SharePoint site", "Name it as the PDU does"),                               # prose, list item
    ("a breakfast club", "Which day?"),                                           # prose, domain-1 later
    ("There were varying degrees of quality", "Give the figure"),                 # prose, domain-2
    ("73%", "Q3 figure, not Q4"),                                                 # a table cell: a figure
    ("Does planning focus sufficiently on keeping other people safe?", "wording"),  # a table cell: the framework's
    ("Assessment: key questions", "caption"),                                     # a caption
    ("ensure all staff receive the necessary training", "by when?"),              # a recommendation
    ("Score 3/21", "explain the score"),                                          # the score
]
RATINGS = [("Overall rating: Inadequate", "harsh?"),        # the overall rating (the ratings page)
           ("Rating: Requires improvement", "why not good?")]  # P 1.1's rating
CHANGES = [
    {"op": "replace", "find": "largely", "with": "mostly"},
    {"op": "insert", "after": "was used to improve communication", "text": " greatly"},
    {"op": "delete", "find": " relatively new"},
    {"op": "replace", "find": "placed in a rating band", "with": "put in a rating band"},  # in a footnote
    {"op": "replace", "find": "46%", "with": "48%"},  # a figure: report.yaml
    {"op": "replace", "find": "inspected 26 community", "with": "inspected 27 community"},  # printed by {{ }}
]
FOOTNOTE_COMMENT = ("Source: Ministry of Justice", "a dated source?")


def _line_of(path: Path, phrase: str) -> int:
    """The 1-based line of `path` holding `phrase`: what the test expects, found without reportgen."""
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if phrase in line]
    assert len(hits) == 1, (path, phrase, hits)
    return hits[0]


def _reviewer(script: dict, work: Path) -> dict:
    (work / "script.json").write_text(json.dumps(script), encoding="utf-8")
    done = subprocess.run([str(SYSTEM_PYTHON), str(HERE / "uno_reviewer.py"), str(work / "script.json")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _add_word_comments(path: Path) -> None:
    """What LibreOffice's UNO cannot make, written as Word writes it: a comment on a footnote's
    text, and a reply (w15:commentEx paraIdParent) to the first comment."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
        infos = z.infolist()
    comments = etree.fromstring(parts["word/comments.xml"])
    ids = [int(c.get(f"{{{W}}}id")) for c in comments.findall(f"{{{W}}}comment")]
    new_id, reply_id = max(ids) + 1, max(ids) + 2
    notes = etree.fromstring(parts["word/footnotes.xml"])
    phrase, words = FOOTNOTE_COMMENT
    target = next(t for t in notes.iter(f"{{{W}}}t") if phrase in (t.text or ""))
    run = target.getparent()
    run.addprevious(etree.Element(f"{{{W}}}commentRangeStart", {f"{{{W}}}id": str(new_id)}))
    run.addnext(etree.Element(f"{{{W}}}commentRangeEnd", {f"{{{W}}}id": str(new_id)}))
    ref_run = etree.Element(f"{{{W}}}r")
    etree.SubElement(ref_run, f"{{{W}}}commentReference", {f"{{{W}}}id": str(new_id)})
    run.getnext().addnext(ref_run)
    W14 = "http://schemas.microsoft.com/office/word/2010/wordml"

    def comment(ident, text, author, para_id):
        el = etree.SubElement(comments, f"{{{W}}}comment", {f"{{{W}}}id": str(ident), f"{{{W}}}author": author,
                                                            f"{{{W}}}date": "2024-02-12T10:00:00Z"})
        p = etree.SubElement(el, f"{{{W}}}p", {f"{{{W14}}}paraId": para_id})
        etree.SubElement(etree.SubElement(p, f"{{{W}}}r"), f"{{{W}}}t").text = text
        return el

    comment(new_id, words, "Jo Smith", "0000AA01")
    first = comments.find(f"{{{W}}}comment")
    first_p = first.findall(f".//{{{W}}}p")[-1]
    first_p.set(f"{{{W14}}}paraId", "0000AA02")
    comment(reply_id, "Leaders of the PDU, and its SPOs", "Al Author", "0000AA03")
    # the reply sits at its parent's place in the body
    body = etree.fromstring(parts["word/document.xml"])
    parent_end = next(e for e in body.iter(f"{{{W}}}commentRangeEnd") if e.get(f"{{{W}}}id") == first.get(f"{{{W}}}id"))
    parent_end.addnext(etree.Element(f"{{{W}}}commentRangeEnd", {f"{{{W}}}id": str(reply_id)}))
    start = next(e for e in body.iter(f"{{{W}}}commentRangeStart") if e.get(f"{{{W}}}id") == first.get(f"{{{W}}}id"))
    start.addnext(etree.Element(f"{{{W}}}commentRangeStart", {f"{{{W}}}id": str(reply_id)}))
    W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
    extended = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:commentsEx xmlns:w15="{W15}">'
                '<w15:commentEx w15:paraId="0000AA02" w15:done="0"/>'
                '<w15:commentEx w15:paraId="0000AA03" w15:paraIdParent="0000AA02" w15:done="0"/>'
                '</w15:commentsEx>').encode()
    parts["word/comments.xml"] = etree.tostring(comments, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/footnotes.xml"] = etree.tostring(notes, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/document.xml"] = etree.tostring(body, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/commentsExtended.xml"] = extended
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in infos:
            z.writestr(info.filename, parts[info.filename])
        z.writestr("word/commentsExtended.xml", extended)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """(report copy, the reviewed DOCX, LibreOffice's accept-all DOCX, the copy's chapters before review)."""
    if MISSING:
        pytest.skip(MISSING)
    from generator.build import build

    work = tmp_path_factory.mktemp("review")
    report = work / "surrey-pdu"
    shutil.copytree(SURREY, report)
    built = build(report, work / "out", formats=("docx",), parallel=False, draft=True).outputs["docx"]
    actions = [{"op": "author", "name": "Jo Smith"}]
    actions += [{"op": "comment", "find": phrase, "text": text, "author": "Jo Smith", "date": "2024-02-10"}
                for phrase, text in COMMENTS]
    actions += [{"op": "comment", "find": phrase, "text": text, "author": "Jo Smith", "date": "2024-02-10"}
                for phrase, text in RATINGS]
    actions.append({"op": "track", "on": True})
    actions += CHANGES
    out, accepted = work / "reviewed.docx", work / "accepted.docx"
    _reviewer({"input": str(built), "output": str(out), "accepted": str(accepted), "timeout": 240,
               "actions": actions}, work)
    _add_word_comments(out)
    before = {p.name: p.read_bytes() for p in (report / "chapters").glob("*.md")}
    before["report.yaml"] = (report / "report.yaml").read_bytes()
    return report, out, accepted, before


def _items(ran) -> list[str]:
    return [line for line in ran.stdout.splitlines() if re.match(r"\S+:\d+(:\d+)?: (comment|reply|change)\[", line)]


def _find(lines: list[str], needle: str) -> str:
    hits = [line for line in lines if needle in line]
    assert len(hits) == 1, (needle, hits, lines)
    return hits[0]


@needs_uno
def test_review_locates_every_comment_and_change(reviewed, reportgen):
    report, out, _, _ = reviewed
    ran = reportgen("review", out, report)
    assert ran.returncode == 1, ran.stderr
    lines = _items(ran)
    assert len(lines) == len(COMMENTS) + len(RATINGS) + 2 + len(CHANGES), ran.stdout
    chapters = report / "chapters"
    prose = {"motivated and committed leaders": "foreword.md", "Staff largely felt safe": "domain-1.md",
             "SharePoint site": "domain-1.md", "a breakfast club": "domain-1.md",
             "There were varying degrees of quality": "domain-2.md"}
    said = dict(COMMENTS)
    for phrase, chapter in prose.items():
        line = _find(lines, f'"{said[phrase]}" on "{phrase}"')
        source_line = (chapters / chapter).read_text(encoding="utf-8").splitlines()[_line_of(chapters / chapter,
                                                                                               phrase) - 1]
        assert line.startswith(f"chapters/{chapter}:{_line_of(chapters / chapter, phrase)}:"
                               f"{source_line.index(phrase) + 1}: comment["), line
    assert _find(lines, 'on "73%"').startswith(f"report.yaml:{_line_of(report / 'report.yaml', 'P2.1:')}:")
    assert "findings.P2.1.key_questions[1]" in _find(lines, 'on "73%"')
    assert "framework hmip-pdu-2023" in _find(lines, '"wording"')
    assert "framework hmip-pdu-2023" in _find(lines, 'on "Assessment: key questions"')
    rec = _find(lines, 'on "ensure all staff receive the necessary training"')
    assert rec.startswith(f"report.yaml:{_line_of(report / 'report.yaml', 'ensure all staff receive')}:"), rec
    assert "recommendations[0].items[3]" in rec
    assert _find(lines, '"explain the score"').startswith("report.yaml:")
    overall = _find(lines, '"harsh?"')
    assert overall.startswith(f"report.yaml:{_line_of(report / 'report.yaml', 'findings:')}:") and "(findings" in overall
    p11 = _find(lines, '"why not good?"')
    assert p11.startswith(f"report.yaml:{_line_of(report / 'report.yaml', 'P1.1:')}:") and "findings.P1.1.rating" in p11
    note = _find(lines, f'"{FOOTNOTE_COMMENT[1]}"')
    assert note.startswith(f"chapters/background.md:{_line_of(chapters / 'background.md', FOOTNOTE_COMMENT[0])}:"), note
    reply = _find(lines, "reply[")
    assert reply.startswith(f"chapters/foreword.md:{_line_of(chapters / 'foreword.md', 'motivated and committed')}:")
    assert "Al Author" in reply and "reply to c" in reply
    # the changes
    assert _find(lines, '"largely" -> "mostly"').startswith(
        f"chapters/domain-1.md:{_line_of(chapters / 'domain-1.md', 'Staff largely felt safe')}:")
    assert _find(lines, '"" -> "greatly"').startswith(
        f"chapters/domain-1.md:{_line_of(chapters / 'domain-1.md', 'was used to improve communication')}:")
    assert _find(lines, '"relatively new" -> ""').startswith(
        f"chapters/domain-1.md:{_line_of(chapters / 'domain-1.md', 'remained relatively new')}:")
    footnote = _find(lines, '"placed in a rating band" -> "put in a rating band"')
    assert footnote.startswith(f"chapters/domain-2.md:{_line_of(chapters / 'domain-2.md', '[^kq-assessment]:')}:")
    figure = _find(lines, '"46%" -> "48%"')
    assert figure.startswith(f"report.yaml:{_line_of(report / 'report.yaml', 'P2.1:')}:")
    assert "findings.P2.1.key_questions[0]" in figure and "edit report.yaml" in figure
    printed = _find(lines, '"inspected 26 community" -> "inspected 27 community"')
    assert printed.startswith(f"chapters/background.md:{_line_of(chapters / 'background.md', 'We inspected')}:")
    assert "{{ sample.community_orders }}" in printed and "edit report.yaml" in printed \
        and "{{ sample.interviews }}" not in printed, printed


@needs_uno
def test_apply_then_rebuild_reads_as_libreoffice_s_accept_all(reviewed, reportgen, tmp_path):
    report, out, accepted, before = reviewed
    copy = tmp_path / "surrey-pdu"
    shutil.copytree(report, copy)
    mode = 0o640
    (copy / "chapters" / "domain-1.md").chmod(mode)
    ran = reportgen("review", out, copy, "--apply")
    assert ran.returncode == 1, ran.stderr
    applied = [line for line in ran.stdout.splitlines() if line.startswith("applied ")]
    left = [line for line in ran.stdout.splitlines() if line.startswith("left ")]
    assert len(applied) == 4, ran.stdout
    assert len(left) == 2, left
    assert "--apply: 4 change(s) applied, 2 left" in ran.stderr, ran.stderr
    figure = _find(left, "findings.P2.1.key_questions[0]")
    printed = _find(left, "change[t0]")
    assert "computed text" in printed and "{{ sample.community_orders }}" in printed \
        and "{{ sample.licences }}" not in printed, printed
    assert not any("comment[" in line for line in applied + left)
    # byte for byte: the changed lines are the edited ones, and nothing else changed
    expected = {name: data.decode("utf-8").split("\n") for name, data in before.items()}
    d1, d2 = expected["domain-1.md"], expected["domain-2.md"]
    for lines, old, new in ((d1, "Staff largely felt", "Staff mostly felt"),
                            (d1, "improve communication and", "improve communication greatly and"),
                            (d1, "remained relatively new and", "remained and"),
                            (d2, "which is placed in a rating band. [Full", "which is put in a rating band. [Full")):
        index = next(i for i, line in enumerate(lines) if old in line)
        lines[index] = lines[index].replace(old, new, 1)
    for name, lines in expected.items():
        path = copy / ("report.yaml" if name == "report.yaml" else f"chapters/{name}")
        assert path.read_bytes() == "\n".join(lines).encode("utf-8"), name
    assert (copy / "chapters" / "domain-1.md").stat().st_mode & 0o777 == mode
    assert not list(copy.rglob("*.tmp"))
    # the figure, as the listing says: report.yaml at that line and column
    where = re.match(r"left report\.yaml:(\d+):(\d+):", figure)
    yaml_lines = (copy / "report.yaml").read_text(encoding="utf-8").split("\n")
    row, col = int(where[1]) - 1, int(where[2]) - 1
    assert yaml_lines[row][col:col + 2] == "46"
    yaml_lines[row] = yaml_lines[row][:col] + "48" + yaml_lines[row][col + 2:]
    (copy / "report.yaml").write_text("\n".join(yaml_lines).replace("community_orders: 26", "community_orders: 27"),
                                      encoding="utf-8")
    # applying again changes nothing
    again = reportgen("review", out, copy, "--apply")
    assert not [line for line in again.stdout.splitlines() if line.startswith("applied ")], again.stdout
    assert len([line for line in again.stdout.splitlines()
                if line.startswith("left ") and "already in the source" in line]) == 4, again.stdout
    # rebuild: the text LibreOffice's accept-all gives (the draft's version mark and its cover are
    # the same folder's; LibreOffice leaves an empty paragraph after the contents field)
    from generator.build import build

    rebuilt = build(copy, tmp_path / "out", formats=("docx",), parallel=False, draft=True).outputs["docx"]

    def text(path):
        return [line for line in file_text(path).splitlines() if line.strip()]

    assert text(rebuilt) == text(accepted)

    # the round trip: the old reviewed file still locates its comments in the changed source
    later = reportgen("review", out, copy)
    lines = _items(later)
    assert _find(lines, '"Say who" on "motivated and committed leaders"').startswith(
        f"chapters/foreword.md:{_line_of(copy / 'chapters' / 'foreword.md', 'motivated and committed')}:")
    sharepoint = _find(lines, 'on "SharePoint site"')
    assert sharepoint.startswith(
        f"chapters/domain-1.md:{_line_of(copy / 'chapters' / 'domain-1.md', 'SharePoint site')}:"), sharepoint
    rewritten = _find(lines, '"Staff said so in the survey?" on "Staff largely felt safe"')
    assert "context changed" in rewritten and "Staff largely felt safe" in rewritten \
        and "Staff mostly felt safe" in rewritten, rewritten
    # the changes applied are listed as done, not as conflicts
    done = [line for line in lines
            if "change[" in line and line.endswith("(already in the source: applied since the build)")]
    assert len(done) == 4 and not [line for line in lines if "change[" in line and "context changed" in line], lines
    assert _find(done, '"largely" -> "mostly"').startswith(
        f"chapters/domain-1.md:{_line_of(copy / 'chapters' / 'domain-1.md', 'Staff mostly felt')}:")


@needs_uno
def test_review_page_is_written_grouped_by_part(reviewed, reportgen, tmp_path):
    report, out, _, _ = reviewed
    page = tmp_path / "review.html"
    ran = reportgen("review", out, report, "--html", page)
    assert ran.returncode == 1
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html
    assert 'lang="en' in html
    assert "Foreword" in html and "Say who" in html and "chapters/foreword.md" in html
    assert re.search(r'<h2 id="part-\d+">Foreword</h2>', html) and re.search(r'<h2 id="part-\d+">Background</h2>', html)
    assert (report / "chapters" / "foreword.md").resolve().as_uri() + "#L1" in html


@needs_uno
@pytest.mark.parametrize("width,spacing", [(1280, False), (320, True)], ids=["1280px", "320px-text-spacing"])
def test_review_page_passes_axe(reviewed, reportgen, tmp_path, browser, width, spacing):
    """axe-core (WCAG 2.2 A, AA, best practice) finds nothing on the review page, as on the report's."""
    from tests.browser import AXE_TAGS, TEXT_SPACING

    report, out, _, _ = reviewed
    page = tmp_path / "review.html"
    reportgen("review", out, report, "--html", page)
    browser.open(page, width=width)
    if spacing:
        browser.style(TEXT_SPACING)
    result = browser.axe(AXE_TAGS)
    brief = [(r["id"], r["help"], [(n["target"], n.get("any", [{}])[0].get("message", "") if n.get("any") else "") for n in r["nodes"]]) for r in result["violations"] + result["incomplete"]]
    assert result["passes"] > 10 and brief == []


# --------------------------------------------------------------------------- without LibreOffice


def test_a_final_docx_has_no_source_map_and_review_says_so(tmp_path, reportgen, surrey_copy):
    from generator.build import build

    built = build(surrey_copy, tmp_path / "out", formats=("docx",), parallel=False, draft=False).outputs["docx"]
    with zipfile.ZipFile(built) as z:
        assert not [n for n in z.namelist() if n.startswith("customXml/")]
        assert b"_rg_" not in z.read("word/document.xml")
    ran = reportgen("review", built, surrey_copy)
    assert ran.returncode == 2 and "no source map" in ran.stderr and "Traceback" not in ran.stderr
    mapped = build(surrey_copy, tmp_path / "out2", formats=("docx",), parallel=False, draft=False,
                   source_map=True).outputs["docx"]
    assert reportgen("review", mapped, surrey_copy).returncode == 0  # nothing to review


def test_a_draft_carries_the_map_with_fingerprints(tmp_path, surrey_copy):
    import hashlib

    from generator.build import build

    built = build(surrey_copy, tmp_path / "out", formats=("docx",), parallel=False, draft=True).outputs["docx"]
    with zipfile.ZipFile(built) as z:
        part = z.read("customXml/item1.xml")
        body = z.read("word/document.xml")
    root = etree.fromstring(part)
    files = {f.get("path"): f.get("sha256") for f in root.iter("{urn:reportgen:sourcemap}file")}
    assert files["report.yaml"] == hashlib.sha256((surrey_copy / "report.yaml").read_bytes()).hexdigest()
    assert files["chapters/domain-2.md"] == hashlib.sha256(
        (surrey_copy / "chapters" / "domain-2.md").read_bytes()).hexdigest()
    entries = list(root.iter("{urn:reportgen:sourcemap}p"))
    assert len(entries) > 200
    names = set(re.findall(rb'w:name="(_rg_\d+)"', body))
    assert len(names) == len([e for e in entries if not e.get("note")])


def _mapped_docx(tmp_path, surrey_copy) -> Path:
    from generator.build import build

    return build(surrey_copy, tmp_path / "out", formats=("docx",), parallel=False, draft=True).outputs["docx"]


def _rewrite(path: Path, changes: dict[str, bytes], extra: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts.update(changes)
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
          b'<w:comments xmlns:w="' + W.encode() + b'"><w:comment w:id="0"><w:p><w:r><w:t>&lol4;</w:t></w:r></w:p>'
          b'</w:comment></w:comments>')


def _with_comments_part(base: Path, dest: Path, body, comments) -> None:
    """`dest`: a copy of `base` with `body` as its document and `comments` as a new comments part."""
    shutil.copy(base, dest)
    with zipfile.ZipFile(base) as z:
        ct = z.read("[Content_Types].xml").replace(
            b"</Types>", b'<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.wordprocessingml.comments+xml"/></Types>')
    _rewrite(dest, {"word/document.xml": etree.tostring(body), "[Content_Types].xml": ct},
             {"word/comments.xml": etree.tostring(comments)})


def test_hostile_reviewed_files_give_one_line(tmp_path, reportgen, surrey_copy):
    base = _mapped_docx(tmp_path, surrey_copy)
    # not a DOCX at all
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip")
    ran = reportgen("review", fake, surrey_copy)
    assert ran.returncode == 2 and len(ran.stderr.strip().splitlines()) == 1 and "Traceback" not in ran.stderr
    # a billion laughs in comments.xml
    laughs = tmp_path / "laughs.docx"
    shutil.copy(base, laughs)
    _rewrite(laughs, {"word/comments.xml": LAUGHS})
    ran = reportgen("review", laughs, surrey_copy)
    assert ran.returncode == 2 and "DTD" in ran.stderr and len(ran.stderr.strip().splitlines()) == 1, ran.stderr
    # a zip bomb: one entry far over the ratio
    bomb = tmp_path / "bomb.docx"
    shutil.copy(base, bomb)
    _rewrite(bomb, {}, {"word/media/zeros.bin": b"\0" * 30_000_000})
    ran = reportgen("review", bomb, surrey_copy)
    assert ran.returncode == 2 and "Traceback" not in ran.stderr, ran.stderr
    # macros, an OLE object and an external relationship: listed, never followed
    risky = tmp_path / "risky.docx"
    shutil.copy(base, risky)
    with zipfile.ZipFile(base) as z:
        rels = z.read("word/_rels/document.xml.rels")
    rels = rels.replace(b"</Relationships>", b'<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/'
                        b'officeDocument/2006/relationships/attachedTemplate" Target="file:///etc/passwd" '
                        b'TargetMode="External"/></Relationships>')
    _rewrite(risky, {"word/_rels/document.xml.rels": rels},
             {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro", "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"})
    ran = reportgen("review", risky, surrey_copy)
    assert ran.returncode == 0, ran.stderr
    assert "macros" in ran.stderr and "external relationships" in ran.stderr and "never" in ran.stderr


def _with_comments(base: Path, dest: Path, count: int, on_deleted: bool = False, overlapping: bool = False) -> None:
    """`base` with `count` comments on its body paragraphs (and, if asked, a comment inside a
    deletion, and a deletion inside an insertion)."""
    with zipfile.ZipFile(base) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    paragraphs = [p for p in body.iter(f"{{{W}}}p") if p.find(f"{{{W}}}r") is not None]
    comments = etree.Element(f"{{{W}}}comments", nsmap={"w": W})
    for i in range(count):
        p = paragraphs[i % len(paragraphs)]
        run = p.find(f"{{{W}}}r")
        run.addprevious(etree.Element(f"{{{W}}}commentRangeStart", {f"{{{W}}}id": str(i)}))
        run.addnext(etree.Element(f"{{{W}}}commentRangeEnd", {f"{{{W}}}id": str(i)}))
        c = etree.SubElement(comments, f"{{{W}}}comment", {f"{{{W}}}id": str(i), f"{{{W}}}author": "Bulk"})
        etree.SubElement(etree.SubElement(etree.SubElement(c, f"{{{W}}}p"), f"{{{W}}}r"), f"{{{W}}}t").text = f"n{i}"
    if on_deleted or overlapping:  # in a mapped paragraph of prose
        p = [p for p in paragraphs if any((b.get(f"{{{W}}}name") or "").startswith("_rg_")
                                          for b in p.iter(f"{{{W}}}bookmarkStart"))][40]
        deletion = etree.SubElement(p, f"{{{W}}}del", {f"{{{W}}}id": "900", f"{{{W}}}author": "X"})
        if on_deleted:
            deletion.append(etree.Element(f"{{{W}}}commentRangeStart", {f"{{{W}}}id": str(count)}))
        r = etree.SubElement(deletion, f"{{{W}}}r")
        etree.SubElement(r, f"{{{W}}}delText").text = "gone words"
        if on_deleted:
            deletion.append(etree.Element(f"{{{W}}}commentRangeEnd", {f"{{{W}}}id": str(count)}))
            c = etree.SubElement(comments, f"{{{W}}}comment", {f"{{{W}}}id": str(count), f"{{{W}}}author": "Y"})
            etree.SubElement(etree.SubElement(etree.SubElement(c, f"{{{W}}}p"), f"{{{W}}}r"),
                             f"{{{W}}}t").text = "on deleted text"
        if overlapping:
            insertion = etree.SubElement(p, f"{{{W}}}ins", {f"{{{W}}}id": "901", f"{{{W}}}author": "Z"})
            inner = etree.SubElement(insertion, f"{{{W}}}del", {f"{{{W}}}id": "902", f"{{{W}}}author": "Z"})
            etree.SubElement(etree.SubElement(inner, f"{{{W}}}r"), f"{{{W}}}delText").text = "nested"
            etree.SubElement(etree.SubElement(insertion, f"{{{W}}}r"), f"{{{W}}}t").text = "added"
    _with_comments_part(base, dest, body, comments)


def test_ten_thousand_comments_are_all_listed(tmp_path, reportgen, surrey_copy):
    base = _mapped_docx(tmp_path, surrey_copy)
    many = tmp_path / "many.docx"
    _with_comments(base, many, 10_000)
    ran = reportgen("review", many, surrey_copy)
    assert ran.returncode == 1, ran.stderr
    assert len([line for line in ran.stdout.splitlines() if ": comment[c" in line]) == 10_000


def test_comments_on_deleted_text_and_overlapping_changes_are_listed(tmp_path, reportgen, surrey_copy):
    base = _mapped_docx(tmp_path, surrey_copy)
    odd = tmp_path / "odd.docx"
    _with_comments(base, odd, 3, on_deleted=True, overlapping=True)
    ran = reportgen("review", odd, surrey_copy)
    assert ran.returncode == 1, ran.stderr
    lines = _items(ran)
    assert lines, ran.stdout
    assert _find(lines, '"on deleted text" on "gone words"')
    assert _find(lines, '"gone words" -> ""')
    copy = tmp_path / "copy"
    shutil.copytree(surrey_copy, copy)
    applied = reportgen("review", odd, copy, "--apply")
    assert applied.returncode == 1 and "Traceback" not in applied.stderr


def test_a_map_naming_files_outside_the_folder_reads_and_writes_nothing_there(tmp_path, reportgen, surrey_copy):
    """The map is the reviewed file's, so untrusted: a path out of the report folder is never read or written."""
    base = _mapped_docx(tmp_path, surrey_copy)
    outside = tmp_path / "outside.md"
    outside.write_text("Staff largely felt safe to share their concerns\n", encoding="utf-8")
    with zipfile.ZipFile(base) as z:
        part = z.read("customXml/item1.xml")
        body = etree.fromstring(z.read("word/document.xml"))
    part = part.replace(b'path="chapters/domain-1.md"', b'path="../outside.md"')
    # a tracked deletion in a domain-1 paragraph
    t = next(t for t in body.iter(f"{{{W}}}t") if (t.text or "").startswith("Staff largely felt safe"))
    run = t.getparent()
    deletion = etree.Element(f"{{{W}}}del", {f"{{{W}}}id": "77", f"{{{W}}}author": "X"})
    run.addprevious(deletion)
    deletion.append(run)
    t.tag = f"{{{W}}}delText"
    hostile = tmp_path / "hostile.docx"
    shutil.copy(base, hostile)
    _rewrite(hostile, {"customXml/item1.xml": part, "word/document.xml": etree.tostring(body)})
    ran = reportgen("review", hostile, surrey_copy, "--apply")
    assert ran.returncode == 1 and "Traceback" not in ran.stderr
    assert not [line for line in ran.stdout.splitlines() if line.startswith("applied ")], ran.stdout
    assert outside.read_text(encoding="utf-8") == "Staff largely felt safe to share their concerns\n"


@needs_uno
def test_apply_leaves_a_change_whose_context_was_rewritten_as_a_conflict(reviewed, reportgen, tmp_path):
    report, out, _, before = reviewed
    copy = tmp_path / "surrey-pdu"
    shutil.copytree(report, copy)
    chapter = copy / "chapters" / "domain-1.md"
    text = chapter.read_text(encoding="utf-8").replace("Staff largely felt safe to share", "Staff felt quite safe to share")
    chapter.write_text(text, encoding="utf-8")
    ran = reportgen("review", out, copy, "--apply")
    lines = ran.stdout.splitlines()
    conflict = _find(lines, "left chapters/domain-1.md")
    assert "change[t" in conflict and "conflict" in conflict
    assert "Staff largely felt safe" in conflict and "Staff felt quite safe" in conflict, conflict
    assert len([line for line in lines if line.startswith("applied ")]) == 3, ran.stdout
    after = chapter.read_text(encoding="utf-8")
    assert "Staff felt quite safe to share" in after and "mostly" not in after
    assert "improve communication greatly and" in after and "remained and its impact" in after


def test_more_comments_than_the_limit_is_one_line(tmp_path, reportgen, surrey_copy, monkeypatch):
    from generator.review import docx as reader

    monkeypatch.setattr(reader, "MAX_ITEMS", 500)
    base = _mapped_docx(tmp_path, surrey_copy)
    many = tmp_path / "many.docx"
    _with_comments(base, many, 501)
    ran = reportgen("review", many, surrey_copy)
    assert ran.returncode == 2 and "more than 500 comments" in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1 and not ran.stdout


def test_the_map_adds_only_its_bookmarks_and_its_part(tmp_path, surrey_copy):
    """A final build with --source-map is the plain final build plus the `_rg_` bookmarks and the
    custom XML part: every other part byte for byte the same, and the body the same once the
    bookmarks are taken out."""
    from generator.build import build

    plain = build(surrey_copy, tmp_path / "plain", formats=("docx",), parallel=False, draft=False).outputs["docx"]
    mapped = build(surrey_copy, tmp_path / "mapped", formats=("docx",), parallel=False, draft=False,
                   source_map=True).outputs["docx"]
    with zipfile.ZipFile(plain) as a, zipfile.ZipFile(mapped) as b:
        pa, pb = {n: a.read(n) for n in a.namelist()}, {n: b.read(n) for n in b.namelist()}
    added = set(pb) - set(pa)
    assert added == {"customXml/item1.xml", "customXml/itemProps1.xml", "customXml/_rels/item1.xml.rels"}
    assert not set(pa) - set(pb)
    differ = {n for n in pa if pa[n] != pb[n]}
    assert differ == {"word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"}, differ
    body = etree.fromstring(pb["word/document.xml"])
    ids = set()
    for start in list(body.iter(f"{{{W}}}bookmarkStart")):
        if start.get(f"{{{W}}}name", "").startswith("_rg_"):
            ids.add(start.get(f"{{{W}}}id"))
            start.getparent().remove(start)
    for end in list(body.iter(f"{{{W}}}bookmarkEnd")):
        if end.get(f"{{{W}}}id") in ids:
            end.getparent().remove(end)
    assert etree.tostring(body) == etree.tostring(etree.fromstring(pa["word/document.xml"]))


def test_a_reviewers_control_characters_never_reach_the_terminal_or_the_page(tmp_path, reportgen, surrey_copy):
    """A comment's author and words are the reviewed file's: a lone CSI (U+009B, as ESC [ does, it
    starts a terminal escape sequence), a right-to-left override (U+202E) and a line break (a forged
    second listing line) show as U+FFFD or a space, in the listing and on the review page."""
    base = _mapped_docx(tmp_path, surrey_copy)
    hostile = tmp_path / "hostile.docx"
    _with_comments(base, hostile, 1)
    with zipfile.ZipFile(hostile) as z:
        comments = z.read("word/comments.xml")
    assert b'w:author="Bulk"' in comments and b">n0<" in comments
    comments = comments.replace(b'w:author="Bulk"', b'w:author="Mal&#10;report.yaml:1:1: comment[c9] forged&#x202E;"')
    comments = comments.replace(b">n0<", b">&#x9B;31mRED&#x9B;0m &#x202E;evil&#x2028;x<")
    _rewrite(hostile, {"word/comments.xml": comments})
    page = tmp_path / "review.html"
    ran = reportgen("review", hostile, surrey_copy, "--html", page)
    assert ran.returncode == 1 and "Traceback" not in ran.stderr, ran.stderr
    lines = ran.stdout.splitlines()
    assert len(lines) == 1, ran.stdout  # one comment, one line: the author's line break forged none
    assert "Mal report.yaml:1:1: comment[c9] forged\ufffd" in lines[0]
    assert '"\ufffd31mRED\ufffd0m \ufffdevil x"' in lines[0], lines[0]
    shown = ran.stdout + ran.stderr + page.read_text(encoding="utf-8")
    assert not {"\x1b", "\x9b", "\u202e", "\u2028"} & set(shown)
    # ESC itself cannot be in a Word XML part (XML 1.0 has no such character): the file is refused, in one line
    raw = tmp_path / "raw.docx"
    shutil.copy(hostile, raw)
    _rewrite(raw, {"word/comments.xml": comments.replace(b"&#x9B;31m", b"\x1b[31m")})
    ran = reportgen("review", raw, surrey_copy)
    assert ran.returncode == 2 and len(ran.stderr.strip().splitlines()) == 1 and "Traceback" not in ran.stderr
    assert "\x1b" not in ran.stderr + ran.stdout


def test_every_field_of_a_listed_item_is_printed_clean():
    """However an item was read (a DOCX, a PDF, the source map), its line holds no control
    character or bidirectional override, and is one line."""
    from generator.review.items import CHANGE, COMMENT, ReviewItem

    dirty = "a\x1b[31mb\x9bc\u202ed\u2066e\x7ff\ng\u2029h"
    comment = ReviewItem(COMMENT, "c1", author=dirty, date="2024-02-10", path="chapters/x.md", line=3, column=4,
                         text=dirty, anchor=dirty, note=dirty)
    change = ReviewItem(CHANGE, "t1", author=dirty, path="report.yaml", line=2, key=dirty, old=dirty, new=dirty)
    for line in (str(comment), str(change)):
        assert "\n" not in line and not {"\x1b", "\x9b", "\u202e", "\u2066", "\x7f", "\u2029"} & set(line), repr(line)
        assert "a\ufffd[31mb\ufffdc\ufffdd\ufffde\ufffdf g h" in line
    assert str(comment).startswith("chapters/x.md:3:4: comment[c1] a\ufffd[31mb")


def test_apply_removes_a_line_a_deletion_leaves_blank(tmp_path):
    """A deleted hard-broken line ("Follow us on Twitter  " above a link) goes with its line
    break: left as spaces, it would be a blank line and split the paragraph in two."""
    from generator.review.apply import apply
    from generator.review.items import CHANGE, ReviewItem
    from generator.review.locate import Where

    chapter = tmp_path / "chapters" / "a.md"
    chapter.parent.mkdir()
    source = "Intro.\n\nFollow us on Twitter  \n[@hmiprobation](https://x.example)\n\nThe end, in full.\n"
    chapter.write_text(source, encoding="utf-8")

    def deletion(ident, words):
        start = source.index(words)
        where = Where("chapters/a.md", source.count("\n", 0, start) + 1, 1, span=(start, start + len(words)),
                      found=True, firm=True)
        return ReviewItem(CHANGE, ident, path="chapters/a.md", line=where.line, column=1, old=words,
                          extra={"where": where})

    lines = apply([deletion("t1", "Follow us on Twitter"), deletion("t2", "in full")], tmp_path)
    assert [line.split(":")[0] for line in lines] == ["applied chapters/a.md"] * 2, lines
    assert chapter.read_text(encoding="utf-8") == "Intro.\n\n[@hmiprobation](https://x.example)\n\nThe end, .\n"


def _comment_paragraphs(base: Path, dest: Path, said: dict[str, str]) -> None:
    """`base` with a comment on the whole of each paragraph whose text is a key of `said`."""
    with zipfile.ZipFile(base) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    comments = etree.Element(f"{{{W}}}comments", nsmap={"w": W})
    for i, (words, text) in enumerate(said.items()):
        p = next(p for p in body.iter(f"{{{W}}}p") if "".join(t.text or "" for t in p.iter(f"{{{W}}}t")) == words
                 and p.find(f"{{{W}}}r/{{{W}}}t") is not None)  # its own runs (a contents entry's are in a link)
        runs = p.findall(f"{{{W}}}r")
        runs[0].addprevious(etree.Element(f"{{{W}}}commentRangeStart", {f"{{{W}}}id": str(i)}))
        runs[-1].addnext(etree.Element(f"{{{W}}}commentRangeEnd", {f"{{{W}}}id": str(i)}))
        c = etree.SubElement(comments, f"{{{W}}}comment", {f"{{{W}}}id": str(i), f"{{{W}}}author": "QA"})
        etree.SubElement(etree.SubElement(etree.SubElement(c, f"{{{W}}}p"), f"{{{W}}}r"), f"{{{W}}}t").text = text
    _with_comments_part(base, dest, body, comments)


def test_the_ratings_page_names_are_the_frameworks_and_its_date_no_figure(tmp_path, reportgen, surrey_copy):
    """On the ratings page, a standard's name, a group's title and the table's headers are the
    framework's text, at the `::: ratings` marker; the fieldwork date is report.yaml's, not "a figure"."""
    base = _mapped_docx(tmp_path, surrey_copy)
    commented = tmp_path / "commented.docx"
    _comment_paragraphs(base, commented, {"P 2.2 Planning": "name?", "2. Service delivery": "title?",
                                          "Standard": "header?", "Fieldwork started: 15 January 2024": "date?",
                                          "HM Inspectorate of Probation": "cover?"})
    ran = reportgen("review", commented, surrey_copy)
    assert ran.returncode == 1, ran.stderr
    lines = _items(ran)
    marker = f"chapters/ratings.md:{_line_of(surrey_copy / 'chapters' / 'ratings.md', '::: ratings')}:"
    for said in ('"name?" on "P 2.2 Planning"', '"title?" on "2. Service delivery"', '"header?" on "Standard"'):
        line = _find(lines, said)
        assert line.startswith(marker) and "framework hmip-pdu-2023's text" in line, line
        assert "metadata" not in line and "figure" not in line, line
    date = _find(lines, '"date?"')
    assert date.startswith(f"report.yaml:{_line_of(surrey_copy / 'report.yaml', 'fieldwork_start:')}:"), date
    assert "metadata.fieldwork_start" in date and "a figure" not in date and "computed: edit report.yaml" in date
    cover = _find(ran.stdout.splitlines(), '"cover?"')  # the cover's first line: not mapped, and said so
    assert cover.startswith("<unlocated>: comment[") and cover.endswith("(on the cover: not mapped)"), cover
    # the review page: a report.yaml key said once, as such; the framework's text not called a report.yaml key
    page = tmp_path / "review.html"
    assert reportgen("review", commented, surrey_copy, "--html", page).returncode == 1
    entries = {said: next(li for li in re.findall(r'<li class="item.*?</li>', page.read_text(encoding="utf-8"), re.S)
                          if said in li) for said in ("name?", "date?")}
    assert "report.yaml key" not in entries["name?"] and "framework hmip-pdu-2023" in entries["name?"]
    assert entries["date?"].count("metadata.fieldwork_start") == 1 and "report.yaml key" in entries["date?"]


def test_quoted_words_and_template_printed_text_are_found_after_an_edit_elsewhere(tmp_path, reportgen, surrey_copy):
    """The build's curly quotes are the author's straight ones: a comment on quoted words gets
    its column. A comment on text a `{{ }}` printed stays "computed by" it when the chapter was
    edited elsewhere since the build (not "context changed", with a wrong line)."""
    base = _mapped_docx(tmp_path, surrey_copy)
    with zipfile.ZipFile(base) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    texts = ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in body.iter(f"{{{W}}}p")]
    quoted = next(t for t in texts if t.startswith("PDU staff had identified"))
    printed = next(t for t in texts if t.startswith("Martin Jones CBE"))
    assert "\u201cpsychologically safe\u201d" in quoted
    commented = tmp_path / "commented.docx"
    _comment_paragraphs(base, commented, {quoted: "quotes", printed: "name"})
    front = surrey_copy / "chapters" / "foreword.md"
    front.write_text(front.read_text(encoding="utf-8") + "\nA line added since the build.\n", encoding="utf-8")
    ran = reportgen("review", commented, surrey_copy)
    lines = _items(ran)
    chapter = surrey_copy / "chapters" / "domain-1.md"
    line = _line_of(chapter, '"psychologically safe"')
    column = chapter.read_text(encoding="utf-8").splitlines()[line - 1].index("PDU staff had identified") + 1
    assert _find(lines, '"quotes"').startswith(f"chapters/domain-1.md:{line}:{column}:"), lines
    name = _find(lines, '"name"')
    assert name.startswith(f"chapters/foreword.md:{_line_of(front, '{{ report.chief_inspector.name }}')}:"), name
    assert "computed by {{ report.chief_inspector.name }}" in name and "context changed" not in name, name


def test_the_review_page_never_overwrites_the_reviewed_file_or_the_report(tmp_path, reportgen, surrey_copy):
    """`--html` naming the reviewed file (a slip of the keyboard) or a file in the report folder is
    refused before anything is read or written (exit 2); both are byte for byte as they were."""
    reviewed = _mapped_docx(tmp_path, surrey_copy)
    before, yaml = reviewed.read_bytes(), (surrey_copy / "report.yaml").read_bytes()
    for page in (reviewed, surrey_copy / "report.yaml", surrey_copy / "chapters" / "review.html"):
        ran = reportgen("review", reviewed, surrey_copy, "--html", page)
        assert ran.returncode == 2 and "--html" in ran.stderr and not ran.stdout, ran.stderr
        assert "Traceback" not in ran.stderr
    assert reviewed.read_bytes() == before and (surrey_copy / "report.yaml").read_bytes() == yaml
    assert not (surrey_copy / "chapters" / "review.html").exists()
    ran = reportgen("review", reviewed, surrey_copy, "--html", tmp_path / "review.html")
    assert ran.returncode == 0 and (tmp_path / "review.html").is_file(), ran.stderr


def test_a_phrase_replaced_across_runs_is_one_change(tmp_path, reportgen, surrey_copy):
    """LibreOffice records a phrase replaced across differently formatted runs as one insertion and
    a deletion per run ("Overall rating:" and "Inadequate"): side by side, they are one change, and
    --apply makes it whole."""
    base = _mapped_docx(tmp_path, surrey_copy)
    with zipfile.ZipFile(base) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    t = next(t for t in body.iter(f"{{{W}}}t") if (t.text or "").startswith("Staff largely felt safe"))
    run = t.getparent()
    rest = t.text[len("Staff largely"):]
    t.text = rest
    attrs = {f"{{{W}}}author": "QA", f"{{{W}}}date": "2024-03-01T12:00:00Z"}
    for n, (tag, words) in enumerate((("ins", "Personnel"), ("del", "Staff"), ("del", " largely"))):
        change = etree.Element(f"{{{W}}}{tag}", {f"{{{W}}}id": str(800 + n), **attrs})
        etree.SubElement(etree.SubElement(change, f"{{{W}}}r"),
                         f"{{{W}}}{'t' if tag == 'ins' else 'delText'}").text = words
        run.addprevious(change)
    edited = tmp_path / "edited.docx"
    shutil.copy(base, edited)
    _rewrite(edited, {"word/document.xml": etree.tostring(body)})
    chapter = surrey_copy / "chapters" / "domain-1.md"
    line = _line_of(chapter, "Staff largely felt safe")
    ran = reportgen("review", edited, surrey_copy, "--apply")
    changes = [item for item in _items(ran) if "change[" in item]
    assert len(changes) == 1, changes
    assert changes[0].startswith(f"chapters/domain-1.md:{line}:") and '"Staff largely" -> "Personnel"' in changes[0]
    assert chapter.read_text(encoding="utf-8").splitlines()[line - 1].startswith("- Personnel felt safe to share")


def test_a_chapter_with_windows_line_ends_and_a_bom_is_located_and_kept_so(tmp_path, reportgen, surrey_copy):
    """A chapter saved by a Windows editor (a byte-order mark, CRLF line ends) is the source as
    built, not "changed since the build"; a change in a paragraph over two lines is found, applied,
    and the file written back CRLF, with its mark, every other byte as it was."""
    front = surrey_copy / "chapters" / "front-matter.md"
    text = front.read_text(encoding="utf-8")
    assert "\r" not in text and "Follow us on Twitter  \n[@hmiprobation]" in text
    front.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    base = _mapped_docx(tmp_path, surrey_copy)
    with zipfile.ZipFile(base) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    t = next(t for t in body.iter(f"{{{W}}}t") if (t.text or "") == "Follow us on Twitter")
    run = t.getparent()
    deletion = etree.Element(f"{{{W}}}del", {f"{{{W}}}id": "900", f"{{{W}}}author": "QA"})
    run.addprevious(deletion)
    deletion.append(run)
    t.tag = f"{{{W}}}delText"
    edited = tmp_path / "edited.docx"
    shutil.copy(base, edited)
    _rewrite(edited, {"word/document.xml": etree.tostring(body)})
    ran = reportgen("review", edited, surrey_copy, "--apply")
    line = text.split("\n").index("Follow us on Twitter  ") + 1
    change = _find(_items(ran), '"Follow us on Twitter" -> ""')
    assert change.startswith(f"chapters/front-matter.md:{line}:1:") and "changed" not in change, change
    assert _find(ran.stdout.splitlines(), "applied ").startswith(f"applied chapters/front-matter.md:{line}:1:")
    expected = text.replace("Follow us on Twitter  \n", "").replace("\n", "\r\n").encode("utf-8")
    assert front.read_bytes() == b"\xef\xbb\xbf" + expected


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_a_pipe_named_as_a_reviewed_file_is_refused_unopened(tmp_path, suffix):
    """A FIFO is refused from its stat: opening it would wait for a writer forever."""
    import os
    import sys

    fifo = tmp_path / f"reviewed{suffix}"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "generator", "review", str(fifo), str(SURREY)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    assert "not a regular file" in result.stderr and "Traceback" not in result.stderr
