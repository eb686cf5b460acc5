"""The HTML writer: the document model through Jinja2 templates that only loop and print.

`templates/html/nodes.html.j2` has one macro per node kind; `render` dispatches on `node.kind`.
The same writer makes the HTML that WeasyPrint paginates (media "print": footnotes float to the
foot of the page) and the self-contained page for screens (media "screen": notes after each part,
styles inline).
"""

from __future__ import annotations

import base64
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from generator.model import Document, Node, NodeNotRendered
from generator.resources import STYLES_DIR, TEMPLATES_DIR

MEDIA = ("print", "screen")


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


IMAGE_TYPES = ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"), (b"GIF8", "image/gif"))


def data_uri(data: bytes) -> str:
    """A figure file as a data: URI (the screen page stays one file); SVG when it is none of the others."""
    kind = next((mime for magic, mime in IMAGE_TYPES if data.startswith(magic)), "image/svg+xml")
    return f"data:{kind};base64," + base64.b64encode(data).decode("ascii")


def css_string(value: str) -> str:
    """Quote-safe content for a CSS string literal."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """One environment per process: it keeps the compiled templates."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "html"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["css_string"] = css_string
    env.filters["svg_data_uri"] = svg_data_uri
    return env


def heading_level(level: int) -> int:
    """The HTML level of a heading of the model: the report's title is the page's one <h1>, a
    part's title (model level 1) an <h2>, and so on down (past <h6>, an ARIA heading level)."""
    return level + 1


class HtmlWriter:
    def __init__(self, media: str = "print", base_dir: Path | None = None):
        if media not in MEDIA:
            raise ValueError(f"media must be one of {MEDIA}")
        self.media = media
        self.base_dir = base_dir
        self.env = environment()

    @cached_property
    def nodes(self):
        return self.env.get_template("nodes.html.j2").make_module({"render": self.render, "media": self.media,
                                                                    "image_url": self.image_url,
                                                                    "heading_level": heading_level})

    def image_url(self, node) -> str:
        """The screen page embeds each figure file (data: URI), read from the report folder (parse
        checked it is there, inside it); the print HTML names it, for WeasyPrint's confined fetcher."""
        if self.media == "print" or self.base_dir is None or urlsplit(node.src).scheme:
            return node.src
        return data_uri((Path(self.base_dir) / node.src).read_bytes())

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
            stylesheet = Markup("\n".join((STYLES_DIR / name).read_text(encoding="utf-8")
                                          for name in ("base.css", "screen.css")))
        template = self.env.get_template("report.html.j2")
        return template.render(info=doc.info, cover=doc.cover, parts=doc.parts, draft=doc.draft,
                               render=self.render, media=self.media, stylesheet=stylesheet)


def write_html(doc: Document, media: str = "screen", base_dir: Path | None = None) -> str:
    return HtmlWriter(media, base_dir).document(doc)


def print_html(doc: Document) -> str:
    """The HTML that the PDF writer paginates (media "print")."""
    return write_html(doc, "print")
