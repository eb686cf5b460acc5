"""stages/typography.py: the chapters' typography (SmartyPants, as Python-Markdown's smarty) for
every printed string of the model, and nothing else touched."""

from __future__ import annotations

from generator.model import (Code, Heading, KeyQuestionRow, KeyQuestionTable, Link, Paragraph, Source,
                             Text)
from generator.stages.typography import typeset, typeset_text


def test_quotes_apostrophes_dashes_and_ellipses():
    assert typeset_text("Percentage 'Yes'") == "Percentage ‘Yes’"
    assert typeset_text("the child's safety") == "the child’s safety"
    assert typeset_text('He said "no" -- then...') == "He said “no” – then…"
    assert typeset_text("O'Neil's") == "O’Neil’s"


def test_nothing_else_changes():
    for text in ("*not emphasis* `not code` <b>&amp; & 1 < 2", "a_b_c", "[x](y)", "plain text."):
        assert typeset_text(text) == text
    assert typeset_text("'a' & <b>") == "‘a’ & <b>"


def test_the_model_pass_leaves_code_addresses_ids_and_sources_alone():
    source = Source("it's.md", 3, "findings.P2.1")
    blocks = (Heading(2, (Text("P 2.1 'Assessment'"),), "p-21-assessment--x", source),
              Paragraph((Text("child's"), Code("it's 'code'"), Link("https://x.test/it's", (Text("it's"),))), source),
              KeyQuestionTable("caption's", "Key question", "Percentage 'Yes'", "lowest", (
                  KeyQuestionRow("Is it 'done'?", "40%", True, source),)))
    out = typeset(blocks)
    heading, paragraph, table = out
    assert heading.children[0].text == "P 2.1 ‘Assessment’" and heading.id == "p-21-assessment--x"
    assert heading.source is source
    text, code, link = paragraph.children
    assert text.text == "child’s" and code.text == "it's 'code'"
    assert link.href == "https://x.test/it's" and link.children[0].text == "it’s"
    assert table.value_header == "Percentage ‘Yes’" and table.caption == "caption’s"
    assert table.rows[0].question == "Is it ‘done’?"
    assert typeset(out) == out, "typesetting twice changes nothing"
