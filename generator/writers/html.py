"""The HTML writer: the document model through Jinja2 templates that only loop and print.

`templates/html/nodes.html.j2` has one macro per node kind; `render` dispatches on `node.kind`.
The same writer makes the HTML that WeasyPrint paginates (media "print": footnotes float to the
foot of the page) and the self-contained page for screens (media "screen": notes after each part,
styles inline).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from generator.diagnostics import ContentError, Diagnostics
from generator.fonts import ALWAYS, faces_in, web_font
from generator.formats.figures import check_figure
from generator.inputs import InputError, read_input
from generator.model import Code, Contents, Document, FootnoteRef, Heading, Node, NodeNotRendered, Part, Text, walk
from generator.resources import TEMPLATES_DIR, template_cache
from generator.themes import css_text, theme_of
from generator.words import Words, words_of

MEDIA = ("print", "screen")


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


IMAGE_TYPES = ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"), (b"GIF8", "image/gif"))


def data_uri(data: bytes) -> str:
    """A figure file as a data: URI (the screen page stays one file); SVG when it is none of the others."""
    kind = next((mime for magic, mime in IMAGE_TYPES if data.startswith(magic)), "image/svg+xml")
    return f"data:{kind};base64," + base64.b64encode(data).decode("ascii")


def css_string(value: str) -> Markup:
    """`value` as the inside of a CSS string literal ("..."), safe as it stands in the raw text of an
    HTML <style> element (`themes.css_text`: every character that could end the string or the
    element as a CSS escape, which CSS reads back as the character). Markup, so that the
    template's autoescape leaves it alone: a <style> element's text is never entity-decoded, so an
    HTML escape there (`&amp;`) would be printed as written."""
    return Markup(css_text(value))


def page_of_css(words: Words) -> Markup:
    """The PDF footer's content, "Page 3 of 27" in the document's words (`page_of`): each piece of
    text a CSS string (`css_string`), each placeholder its counter: `"Page " counter(page) " of "
    counter(pages)`."""
    out = []
    for text, name in words.pieces("page_of"):
        if text:
            out.append(f'"{css_text(text)}"')
        if name:
            out.append(f"counter({name})")  # words.py allows only page and pages here
    return Markup(" ".join(out))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """One environment per process: it keeps the compiled templates."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "html"), autoescape=True,
                             undefined=jinja2.StrictUndefined, bytecode_cache=template_cache())
    env.filters["css_string"] = css_string
    env.filters["svg_data_uri"] = svg_data_uri
    return env


@dataclass(frozen=True)
class Section:
    """A stretch of a part, from one level-2 heading to the next, with the notes it calls: the
    page shows each section's notes right after it (a reader finds them near their calls)."""

    blocks: tuple
    notes: tuple[FootnoteRef, ...]


def sections(part: Part) -> list[Section]:
    """`part`'s blocks cut before each level-2 heading, each piece with its footnotes."""
    pieces: list[list] = [[]]
    for block in part.blocks:
        if isinstance(block, Heading) and block.level == 2:
            pieces.append([])
        pieces[-1].append(block)
    return [Section(tuple(blocks), tuple(n for n in walk(tuple(blocks)) if isinstance(n, FootnoteRef)))
            for blocks in pieces if blocks]


@lru_cache(maxsize=16)
def _web_font(path: Path, mtime: float, characters: str) -> str:
    """The font at `path` subset to `characters` as WOFF2 (generator/fonts.py), base64."""
    return base64.b64encode(web_font(path, characters)).decode("ascii")


def font_faces(theme, text: str) -> str:
    """@font-face rules for the theme's font files (fonts/*.ttf), each subset to the characters of
    `text` and embedded as a WOFF2 data URI: the page stays self-contained and shows the theme's
    type without a download (about 51 KB for the Surrey report's four faces)."""
    characters = "".join(sorted(set(text) | set(ALWAYS)))
    rules = []
    for face in faces_in(theme.fonts_dir):
        data = _web_font(face.path, face.path.stat().st_mtime, characters)
        rules.append(f'@font-face {{ font-family: "{css_text(face.family)}"; '
                     f'font-weight: {"bold" if face.bold else "normal"}; '
                     f'font-style: {"italic" if face.italic else "normal"}; font-display: swap; '
                     f'src: url(data:font/woff2;base64,{data}) format("woff2"); }}')
    return "\n".join(rules)


def style_text(css: str) -> str:
    """CSS safe inside an HTML <style> element: each `<` written as the CSS escape `\\3C ` (to CSS
    the same character, in a string or a comment, the only places it may be), so that no
    `</style>` or `<!--` can end the element or hide what follows, whatever a theme holds."""
    return css.replace("<", "\\3C ")


LONG_WORD = 18  # characters: a word this long cannot sit whole in a column of a table on a 320 px screen


def long_words(table) -> bool:
    """Whether a table (Table, KeyQuestionTable) holds a word of LONG_WORD characters or more (a
    pasted identifier, a long compound): the page lets such a table's cells break inside a word on a
    narrow screen, rather than be wider than it; any other table keeps its words whole."""
    texts = [n.text for n in walk((table,)) if isinstance(n, (Text, Code))]
    texts += [getattr(table, name, "") for name in ("question_header", "value_header")]
    texts += [row.question + " " + row.value for row in getattr(table, "rows", ()) if hasattr(row, "question")]
    return any(len(word) >= LONG_WORD for text in texts for word in text.split())


def contents_part(doc: Document) -> str:
    """The id of the part that is the report's contents list and nothing else (`::: contents` alone),
    or "": the screen page shows it beside the text on a wide screen, so the page has one contents
    list at every width."""
    return next((part.id for part in doc.parts
                 if part.blocks and all(isinstance(b, Contents) for b in part.blocks)), "")


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
                                                                    "heading_level": heading_level,
                                                                    "long_words": long_words})

    def image_url(self, node) -> str:
        """Each figure file embedded (a data: URI), read from the report folder (parse checked it
        is there, inside it): the screen page stays one file, and the PDF does not depend on where
        the report folder is (WeasyPrint names an image after its URL). Without a folder, or for a
        remote image (--allow-remote), the URL as written, for WeasyPrint's confined fetcher."""
        if self.base_dir is None or urlsplit(node.src).scheme:
            return node.src
        base = Path(self.base_dir).resolve()
        try:  # read once, and the bytes embedded pass the figure gate (the file may have changed since check)
            data = read_input(base / node.src, (base,), "image", node.src)
            problems = check_figure(data, node.src)
        except InputError as exc:
            problems = [(exc.code, f"image {exc.message}")]
        if problems:
            diags = Diagnostics()
            for code, message in problems:
                diags.error(code, message, *((node.source.path, node.source.line) if node.source else ()))
            raise ContentError(diags)
        return data_uri(data)

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
            theme = theme_of(doc)
            # the theme's CSS is checked safe to inline (generator/themes.py), and every string a
            # theme gives is escaped for CSS; `style_text` makes sure no `<` can end the <style>
            stylesheet = Markup(style_text(font_faces(theme, _document_text(doc)) + "\n" + theme.css("screen")))
        template = self.env.get_template("report.html.j2")
        words = words_of(doc)
        return template.render(info=doc.info, title=doc.title, cover=doc.cover, parts=doc.parts, draft=doc.draft,
                               render=self.render, media=self.media, stylesheet=stylesheet, sections=sections,
                               contents_part=contents_part(doc), words=words, page_of=page_of_css(words))


def _document_text(doc: Document) -> str:
    """Every character the page may show: the model's strings (text, titles, labels)."""
    seen: list[str] = []

    def visit(value) -> None:
        if isinstance(value, str):
            seen.append(value)
        elif isinstance(value, (tuple, list)):
            for item in value:
                visit(item)
        elif hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
            for name in value.__dataclass_fields__:
                if name not in ("theme", "source", "docx_reference", "words"):
                    visit(getattr(value, name))

    visit(doc)
    words = words_of(doc)  # of its words, those the page prints
    return "".join(seen) + "↩↑" + "".join(words[key] for key in ("skip_to_content", "back_to_text", "back_to_top"))


def write_html(doc: Document, media: str = "screen", base_dir: Path | None = None) -> str:
    return HtmlWriter(media, base_dir).document(doc)


def print_html(doc: Document) -> str:
    """The HTML that the PDF writer paginates (media "print")."""
    return write_html(doc, "print")
