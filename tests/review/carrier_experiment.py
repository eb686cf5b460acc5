"""Which source-map carrier survives a reviewer's save in LibreOffice? (README, "Reviewing a draft")

    PYTHONPATH=. .venv/bin/python tests/review/carrier_experiment.py BUILT.docx WORK_DIR

Puts every candidate carrier into a copy of BUILT.docx: a bookmark `_rg_<n>` around each body
paragraph and each footnote paragraph, a block content control (w:sdt, w:tag `rg-<n>`) around
the first ten body paragraphs, a w14:paraId on every body paragraph, a custom XML part
(customXml/item1.xml) and a docProps/custom.xml property; has LibreOffice (tests/review/
uno_reviewer.py) comment, track a replacement and save as "MS Word 2007 XML"; then counts what
of each is still there. Prints one line per carrier. Not a test: the experiment behind the
choice, kept to run again on another LibreOffice.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = {"w": W, "w14": W14}
HERE = Path(__file__).parent


def w(tag):
    return f"{{{W}}}{tag}"


def mark_paragraphs(xml: bytes, prefix: str, sdt: int, para_ids: bool) -> tuple[bytes, int]:
    root = etree.fromstring(xml)
    n = 0
    for p in root.iter(w("p")):
        n += 1
        name = f"_rg_{prefix}{n}"
        start = etree.Element(w("bookmarkStart"), {w("id"): str(90000 + n + (5000 if prefix else 0)), w("name"): name})
        end = etree.Element(w("bookmarkEnd"), {w("id"): start.get(w("id"))})
        ppr = p.find(w("pPr"))
        (ppr.addnext if ppr is not None else lambda e: p.insert(0, e))(start)
        p.append(end)
        if para_ids:
            p.set(f"{{{W14}}}paraId", f"{0x10000000 + n:08X}")
    if sdt:
        body = root.find(w("body"))
        for i, p in enumerate([p for p in body if p.tag == w("p")][:sdt]):
            box = etree.Element(w("sdt"))
            pr = etree.SubElement(box, w("sdtPr"))
            etree.SubElement(pr, w("tag"), {w("val"): f"rg-{i + 1}"})
            content = etree.SubElement(box, w("sdtContent"))
            p.addprevious(box)
            content.append(p)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), n


CUSTOM_XML = b'<?xml version="1.0" encoding="UTF-8"?><rg:map xmlns:rg="urn:reportgen:sourcemap">probe</rg:map>'
ITEM_PROPS = (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?><ds:datastoreItem ds:itemID="{5D3F7A1E-0000-4000-8000-000000000001}" '
              b'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs/></ds:datastoreItem>')
CUSTOM_PROPS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="reportgen-map"><vt:lpwstr>probe-value</vt:lpwstr>'
                b'</property></Properties>')


def with_carriers(src: Path, dst: Path) -> dict:
    counts = {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                data, counts["body"] = mark_paragraphs(data, "", 10, True)
            elif info.filename == "word/footnotes.xml":
                data, counts["notes"] = mark_paragraphs(data, "n", 0, False)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/customXml/itemProps1.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.customXmlProperties+xml"/><Override PartName='
                                    b'"/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                                    b'custom-properties+xml"/></Types>')
            elif info.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdC1" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
                                    b'</Relationships>')
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdX1" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/customXml" Target="../customXml/item1.xml"/>'
                                    b'</Relationships>')
            zout.writestr(info, data)
        zout.writestr("customXml/item1.xml", CUSTOM_XML)
        zout.writestr("customXml/itemProps1.xml", ITEM_PROPS)
        zout.writestr("customXml/_rels/item1.xml.rels", b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
                      b'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps" '
                      b'Target="itemProps1.xml"/></Relationships>')
        zout.writestr("docProps/custom.xml", CUSTOM_PROPS)
    return counts


def survey(path: Path) -> dict:
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        doc = z.read("word/document.xml")
        notes = z.read("word/footnotes.xml") if "word/footnotes.xml" in names else b""
        custom_xml = [n for n in names if n.startswith("customXml/item") and "Props" not in n]
        custom_props = z.read("docProps/custom.xml") if "docProps/custom.xml" in names else b""
    root = etree.fromstring(doc)
    marks = {b.get(w("name")) for b in root.iter(w("bookmarkStart"))}
    note_marks = {b.get(w("name")) for b in etree.fromstring(notes).iter(w("bookmarkStart"))} if notes else set()
    return {
        "bookmarks in body": len([m for m in marks if re.fullmatch(r"_rg_\d+", m or "")]),
        "bookmarks in footnotes": len([m for m in note_marks | marks if (m or "").startswith("_rg_n")]),
        "content controls (w:sdt tag rg-)": len([t for t in root.iter(w("tag")) if t.get(w("val"), "").startswith("rg-")]),
        "w14:paraId kept (ours)": len([p for p in root.iter(w("p"))
                                       if (p.get(f"{{{W14}}}paraId") or "").startswith("1000")]),
        "custom XML part": sum(b"urn:reportgen:sourcemap" in zipfile.ZipFile(path).read(n) for n in custom_xml),
        "docProps/custom.xml property": int(b"probe-value" in custom_props),
        "comments": len(etree.fromstring(zipfile.ZipFile(path).read("word/comments.xml")).findall(w("comment")))
        if "word/comments.xml" in names else 0,
    }


def main(built: Path, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    probe, reviewed = work / "probe.docx", work / "probe-reviewed.docx"
    counts = with_carriers(built, probe)
    script = {"input": str(probe), "output": str(reviewed), "timeout": 120, "actions": [
        {"op": "author", "name": "Jo Smith"},
        {"op": "comment", "find": "motivated", "text": "probe comment", "author": "Jo Smith", "date": "2024-02-10"},
        {"op": "track", "on": True},
        {"op": "replace", "find": "committed", "with": "devoted"}]}
    (work / "script.json").write_text(json.dumps(script))
    subprocess.run(["/usr/bin/python3", str(HERE / "uno_reviewer.py"), str(work / "script.json")], check=True,
                   timeout=180)
    print(f"written: {counts['body']} body paragraphs, {counts['notes']} footnote paragraphs, 10 content controls")
    before, after = survey(probe), survey(reviewed)
    for key in before:
        print(f"{key}: {before[key]} -> {after[key]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
