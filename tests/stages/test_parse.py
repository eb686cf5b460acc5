"""Parsing chapters: what the author writes becomes model nodes numbered through the whole report.

Footnote labels are the author's and only unique within a chapter (`[^1]` may start every
chapter); the notes' numbers and ids are the report's own: 1..N in reading order, unique in
every output.
"""

from __future__ import annotations

import re

from generator.model import FootnoteRef, walk
from generator.text import file_text
from tests.readback import html_ids


def test_the_same_label_in_two_chapters_gives_two_notes_numbered_through_the_report(relabelled_build):
    doc = relabelled_build.document
    refs = [n for part in doc.parts for n in walk(part.blocks) if isinstance(n, FootnoteRef)]
    assert [(r.number, r.id) for r in refs] == [(n, f"fn-{n}") for n in range(1, 8)]
    assert [n.id for part in doc.parts for n in part.footnotes] == [r.id for r in refs]


def test_the_same_label_in_two_chapters_gives_unique_ids_in_the_html(relabelled_build):
    html = relabelled_build.outputs["html"]
    page = html_ids(html)
    assert len(page.ids) == len(set(page.ids)), sorted({i for i in page.ids if page.ids.count(i) > 1})
    numbers = [str(n) for n in range(1, 8)]
    assert page.calls == [(f"fn-{n}", f"fn-{n}-ref") for n in numbers]
    assert page.notes == [(f"fn-{n}", n) for n in numbers]
    source = html.read_text(encoding="utf-8")
    first = re.search(r'<li id="fn-1" value="1">(.*?)</li>', source, re.S)[1]
    fourth = re.search(r'<li id="fn-4" value="4">(.*?)</li>', source, re.S)[1]
    assert first.startswith("Source: Office for National Statistics.")  # background.md's [^1]
    assert fourth.startswith("The rating for the standard is driven by the score")  # domain-2.md's [^1]


def test_the_same_label_in_two_chapters_reads_the_same_in_every_format(relabelled_build, surrey_build):
    """Relabelling changes nothing a reader sees."""
    for fmt in ("html", "docx"):
        assert file_text(relabelled_build.outputs[fmt]) == file_text(surrey_build.outputs[fmt]), fmt


# --------------------------------------------------------------------------- source lines, carried


def test_source_lines_carried_block_to_block_equal_a_full_recount(monkeypatch):
    """The line parser carries its count of remaining newlines from block to block (linear in the
    chapter's size); on any mix of Markdown constructs it must equal counting them all again."""
    import random

    from generator.stages.parse import extensions

    carried = extensions._LineParser._carry
    compared = []

    def checked(self, blocks, window, remaining):
        compared.append((carried(self, blocks, window, remaining), extensions._newlines(blocks)))
        return compared[-1][1]

    pieces = ["- a\n- b\n\n    continued\n", "> q\nlazy\n\n> q2", "1. x\n2. y\n\n   para\n", "    code\n\n    more",
              "x", "", "\n\n\n", "::: standard P1.1", "|a|b|\n|-|-|\n|1|2|", "## h\ntext", "[^n]: note\n    more",
              "- x\n\n\n- y", "a\n\n\n\nb", "Text[^n] here."]
    rng = random.Random(7)
    monkeypatch.setattr(extensions._LineParser, "_carry", checked)
    for _ in range(400):
        extensions.markdown_processor().convert("\n\n".join(rng.choice(pieces) for _ in range(rng.randint(1, 25))))
    assert len(compared) > 3000
    assert [c for c in compared if c[0] != c[1]] == []


def test_quotes_become_curly_but_never_inside_code_or_urls(tmp_path):
    """Python-Markdown's smarty extension: "x" and it's in prose become “x” and it’s in every
    format; a code span and a link's address keep their straight quotes."""
    from generator.build import build
    from tests.conftest import copy_report

    report = copy_report(tmp_path)
    chapter = report / "chapters" / "foreword.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\nStaff said \"it's better\" and "
                       "ran `grep \"it's\"` at [the 'site'](https://example.org/it's/).\n", encoding="utf-8")
    built = build(report, tmp_path / "out", formats=("html", "docx"))
    for fmt in ("html", "docx"):
        text = file_text(built.outputs[fmt])
        assert "Staff said “it’s better” and ran grep \"it's\" at the ‘site’." in text, fmt
    html = built.outputs["html"].read_text(encoding="utf-8")
    assert '<a href="https://example.org/it&#39;s/">' in html and "<code>grep &#34;it&#39;s&#34;</code>" in html
