"""The HTML writer: the document model through Jinja2 templates that only loop and print.

`templates/html/nodes.html.j2` has one macro per node kind; `render` dispatches on `node.kind`.
The same writer makes the HTML that WeasyPrint paginates (media "print": footnotes float to the
foot of the page) and the self-contained page for screens (media "screen": notes after each part,
styles inline).
"""

from __future__ import annotations

from functools import cached_property, lru_cache

import jinja2
from markupsafe import Markup

from generator.model import Document, Node, NodeNotRendered
from generator.resources import TEMPLATES_DIR
from generator.themes import theme_of

MEDIA = ("print", "screen")


def css_string(value: str) -> str:
    """Quote-safe content for a CSS string literal."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """One environment per process: it keeps the compiled templates."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "html"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["css_string"] = css_string
    return env


class HtmlWriter:
    def __init__(self, media: str = "print"):
        if media not in MEDIA:
            raise ValueError(f"media must be one of {MEDIA}")
        self.media = media
        self.env = environment()

    @cached_property
    def nodes(self):
        return self.env.get_template("nodes.html.j2").make_module({"render": self.render, "media": self.media})

    def handles(self, kind: str) -> bool:
        return callable(getattr(self.nodes, kind, None))

    def render(self, item) -> Markup:
        if isinstance(item, (tuple, list)):
            return Markup("").join(self.render(node) for node in item)
        if not isinstance(item, Node) or not self.handles(item.kind):
            raise NodeNotRendered(f"the HTML writer cannot render {type(item).__name__}")
        return Markup(getattr(self.nodes, item.kind)(item))

    def document(self, doc: Document) -> str:
        stylesheet = ""
        if self.media == "screen":
            stylesheet = Markup(theme_of(doc).css("screen"))  # checked safe to inline (generator/themes.py)
        template = self.env.get_template("report.html.j2")
        return template.render(info=doc.info, cover=doc.cover, parts=doc.parts, render=self.render,
                               media=self.media, stylesheet=stylesheet)


def write_html(doc: Document, media: str = "screen") -> str:
    return HtmlWriter(media).document(doc)


def print_html(doc: Document) -> str:
    """The HTML that the PDF writer paginates (media "print")."""
    return write_html(doc, "print")
