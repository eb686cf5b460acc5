"""Typography for the text that does not come through Markdown: curly quotes and apostrophes, en and
em dashes, ellipses, with the very rules the chapters get (Python-Markdown's `smarty`, SmartyPants).

Framework text (standard titles, statements, key questions, table headers such as "Percentage 'Yes'"),
report.yaml text (recommendations, part titles, metadata) and the labels of generated parts enter the
document model in assemble; `typeset` is the one pass over the finished model that gives every printed
string the chapters' typography, so that no writer does it and all three outputs print the same
characters. Chapter text has had `smarty` already (the pass leaves it as it is: it has no straight
quote left to change). Never touched: code (`Code` nodes), addresses, ids, class names, colours, image
sources and the chart's drawing (its labels are typeset before it is drawn: `typeset_text`).
"""

from __future__ import annotations

import dataclasses
import html
import xml.etree.ElementTree as etree
from functools import lru_cache

import markdown

from generator.model import Code, Node, Source

# Fields that are not prose: left as they are wherever they appear.
NOT_PROSE = frozenset({"id", "target", "href", "src", "scale_id", "colour", "text_colour", "svg", "narrow_svg", "png", "classes", "data_in",
                       "align", "width", "language", "date", "key", "path", "source", "theme", "docx_reference",
                       "fact_kinds", "fact_sources", "framework_source", "draft", "page_label", "label_id"})

_AMP = "\ue000"  # stands for "&" while the text passes through the serializer (which keeps entities)


@lru_cache(maxsize=1)
def _markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=["smarty"], extension_configs={"smarty": {"smart_angled_quotes": False}})


@lru_cache(maxsize=4096)
def typeset_text(text: str) -> str:
    """`text` with SmartyPants' typography: "Percentage 'Yes'" -> "Percentage ‘Yes’", "child's" ->
    "child’s", "--" -> "–", "..." -> "…". Nothing else changes (no Markdown is read: `*` stays `*`)."""
    if "'" not in text and '"' not in text and "--" not in text and "..." not in text:
        return text
    md = _markdown()
    md.reset()
    root = etree.Element("div")
    p = etree.SubElement(root, "p")
    p.text = text.replace("&", _AMP)
    md.treeprocessors["smarty"].run(root)
    out = md.serializer(p)
    for processor in md.postprocessors:
        out = processor.run(out)
    out = out.removeprefix("<p>").removesuffix("</p>")
    return html.unescape(out).replace(_AMP, "&")


def typeset(value):
    """`value` (the Document, or any part of the model) with every printed string typeset: each
    dataclass's string fields (and strings in its tuples), except code and the fields in NOT_PROSE."""
    if isinstance(value, str):
        return typeset_text(value)
    if isinstance(value, tuple):
        return tuple(typeset(v) for v in value)
    if isinstance(value, (Code, Source)) or not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    changes = {}
    for f in dataclasses.fields(value):
        if f.name in NOT_PROSE or not f.init:
            continue
        old = getattr(value, f.name)
        new = typeset(old) if isinstance(old, (str, tuple, Node)) or dataclasses.is_dataclass(old) else old
        if new is not old and new != old:
            changes[f.name] = new
    return dataclasses.replace(value, **changes) if changes else value
