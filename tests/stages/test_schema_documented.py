"""Every key report.yaml and a framework file accept is documented in the README: the keys are read
from the schema models themselves (generator/stages/validate/report_schema.py, framework_schema.py),
so a key added to a model without a word in README's "report.yaml fields" or "The framework file"
fails here.

A key counts as documented when one block of its section (a paragraph, a table row, a list item or
a code example) names it (in backticks, dotted or not, or as a YAML key in an example) together with
the key it sits under, if any: `scale`'s `points` must be said where `scale` is.
"""

from __future__ import annotations

import re
import typing

import pytest
from pydantic import BaseModel

from generator.stages.validate.framework_schema import Framework
from generator.stages.validate.report_schema import ReportSpec
from tests.conftest import ROOT


def models_in(annotation) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds: itself, or inside list, dict, Annotated, | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in models_in(arg)]


def keys(model: type[BaseModel], parent: str | None = None, seen=()) -> list[tuple[str | None, str]]:
    """(the key it sits under or None, key) for every key the model accepts, nested models' too."""
    out = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        out.append((parent, key))
        for inner in models_in(field.annotation):
            if inner not in seen:
                out += keys(inner, key, seen + (model,))
    return out


def section(heading: str) -> str:
    """The README's section under `### heading`, to the next heading of its level or above."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^#{{1,3}} )", readme, re.M | re.S)
    assert match, heading
    return match[1]


def blocks(text: str) -> list[str]:
    """Paragraphs, table rows, list items and fenced examples (each whole)."""
    out, current, fenced = [], [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        starts = not fenced and (not line.strip() or line.startswith(("|", "- ")))
        if starts and current:
            out.append("\n".join(current))
            current = []
        if line.strip() or fenced:
            current.append(line)
    return out + (["\n".join(current)] if current else [])


def names(block: str, key: str, top: bool = False) -> bool:
    """Whether the block names `key`: in backticks (alone, dotted, or in an example written in
    backticks), or as a key of a YAML example. `top`: a top-level key, which a span must begin
    with (`score: false`, `metadata.title`), or an example must write at the start of a line."""
    word = (r"^\{?" if top else r"(?<![\w-])") + re.escape(key) + r"(?![\w-])"
    spans = re.findall(r"`+([^`]+)`+", block)
    if any(re.search(word, span) for span in spans):
        return True
    if "```" not in block:
        return False
    return bool(re.search(rf"^{re.escape(key)}:" if top else rf"(?:^|[{{,\s]){re.escape(key)}:", block, re.M))


def undocumented(model: type[BaseModel], heading: str) -> list[str]:
    said = blocks(section(heading))
    return [f"{parent}.{key}" if parent else key for parent, key in keys(model)
            if not any(names(block, key, parent is None) and (parent is None or names(block, parent))
                       for block in said)]


@pytest.mark.parametrize("model, heading", [(ReportSpec, "report.yaml fields"), (Framework, "The framework file")])
def test_every_key_the_schema_accepts_is_in_the_readme(model, heading):
    missing = undocumented(model, heading)
    assert not missing, f"README '{heading}' says nothing of: {', '.join(missing)}"


def test_a_key_added_to_a_model_without_a_word_in_the_readme_is_found():
    """The test can fail: a model with a key the README never names, under a key it does."""

    class Extra(BaseModel):
        label: str
        colour_of_the_sky: str
        lowest_note: str  # documented, but under key_question_table, not under scale

    class WithExtra(BaseModel):
        scale: list[Extra]
        undocumented_top_level_key: int

    assert undocumented(WithExtra, "The framework file") == [
        "scale.colour_of_the_sky", "scale.lowest_note", "undocumented_top_level_key"]
    assert names("- `scale`: the ratings: `id`, `label`", "label") and not names("the label", "label")
    assert names("```yaml\nfollow_up:\n  summary_one: x\n```", "summary_one")
    assert not names("a domain says `scale: <name>`", "name", top=True) and names("`name: x`", "name", top=True)
    assert not names("```yaml\nfollow_up:\n  summary: x\n```", "summary", top=True)
