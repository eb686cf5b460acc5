"""The figure gate: an image file from a report folder (or a theme), checked as bytes before any
renderer reads it. Parse calls it at `check` for every figure and logo; the writers call it again
(`check_figure`) on the very bytes they embed (HTML, and so the PDF) or hand CairoSVG (DOCX).

An SVG is a program for a renderer (WeasyPrint for the PDF, the reader's browser for the HTML page,
CairoSVG for the DOCX's picture), so it is held to more than well-formedness. `check_svg` parses it
with lxml hardened (no DTD loaded, no entity resolved, no network, libxml2's own depth and size
limits kept) and refuses, each as `(code, message)`:

- a DTD or entities, script, event handlers, foreign content, XInclude (`image-invalid`);
- a reference outside the file: an `href` that is not `#id` (a `data:` picture on `<image>` alone),
  a CSS `url()` or `@import` that is not `#id`, read with a real CSS tokenizer (tinycss2, as the
  renderers read it, so `u\\72l(...)` is seen), a `url()` written with CSS escapes (the renderers
  read escapes differently: one draws, another draws nothing), an `xml-stylesheet`
  (`url-refused`);
- more than SVG_MAX_BYTES, a declared size whose DOCX picture (SVG_SCALE pixels a CSS pixel)
  would pass IMAGE_MAX_PIXELS, and the same for every pattern and mask (`image-too-large`);
- more than SVG_MAX_DEPTH levels of nesting, or more than SVG_MAX_ELEMENTS elements drawn, each
  `<use>` and `url(#id)` counted as everything it draws, transitively (a reference cycle is refused),
  a marker once for each vertex it is drawn at, an embedded picture one element for each
  PIXELS_PER_ELEMENT pixels (`svg-too-complex`);
- an embedded picture that is not a PNG, JPEG or GIF within the figure limits (`image-format`,
  `image-too-large`, `image-invalid`).

Imports nothing from generator (lxml, tinycss2 and cssselect2 come with python-docx and WeasyPrint;
Pillow is imported only to read an embedded picture's header).
"""

from __future__ import annotations

import base64
import io
import math
import re
from urllib.parse import unquote_to_bytes

IMAGE_MAX_PIXELS = 50_000_000  # a 50-megapixel camera picture; decoding it takes 200 MB
SVG_MAX_BYTES = 2 * 1024 * 1024  # a detailed map from Inkscape is well under; 2 MB of path data draws in ~20 s
SVG_MAX_ELEMENTS = 20_000  # drawn, references expanded: WeasyPrint draws 10,000 in ~10 s on a busy core
SVG_MAX_DEPTH = 100  # CairoSVG recurses per level (Python's stack ends near 400); drawings nest under 30
SVG_SCALE = 3  # the DOCX's picture of an SVG figure: 3 pixels per CSS pixel (288 dpi)
PIXELS_PER_ELEMENT = 2_500  # an embedded picture's decoding, in elements: 50 megapixels is the whole budget
EMBEDDED_FORMATS = {"PNG", "JPEG", "MPO", "GIF"}

SVG = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XINCLUDE = "http://www.w3.org/2001/XInclude"
REFUSED_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
NOT_DRAWN = {"defs", "symbol", "marker", "pattern", "clipPath", "mask", "linearGradient", "radialGradient",
             "filter", "style", "title", "desc", "metadata"}  # drawn only where referenced
REFERRING = {"use", "image", "feImage"}  # elements that draw what their href names
# CSS pixels per unit (CairoSVG's and CSS's 96 dpi); em and ex taken large (16 px) to be safe
UNITS = {"px": 1, "": 1, "pt": 96 / 72, "pc": 16, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96, "em": 16, "ex": 16,
         "ch": 16}
LENGTH_RE = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z%]*)\s*$")
NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
PLAIN_URL_RE = re.compile(r"url\(\s*(?:'#[^'\\]*'|\"#[^\"\\]*\"|#[^'\"\\()\s]*)\s*\)", re.IGNORECASE)
MARKERS = ("marker-start", "marker-mid", "marker-end", "marker")
URL_FUNCTIONS = {"url", "src", "image", "image-set", "cross-fade", "element"}


class Refused(Exception):
    """The first reason a figure is refused: `code` and `message` (said of `src`)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def is_svg(data: bytes, suffix: str = "") -> bool:
    head = data[:4096].lstrip()
    return suffix.lower() == ".svg" or head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head)


def data_url(url: str) -> bytes | None:
    """The bytes of a `data:` URL, decoded as urllib (WeasyPrint's fetcher) decodes them; None if it
    is no data: URL."""
    if not url[:5].lower() == "data:" or "," not in url:
        return None
    header, _, body = url[5:].partition(",")
    data = unquote_to_bytes(body)
    if header.lower().endswith(";base64"):
        try:
            data = base64.decodebytes(data)
        except ValueError:
            return b""
    return data


def svg_size(root) -> tuple[float, float]:
    """The CSS pixel size an `<svg>` element declares (width and height, else its viewBox), as the
    DOCX's conversion draws it; (0, 0) where it says none."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = _numbers(root.get("viewBox") or "")
    if len(box) == 4:
        width, height = width or box[2], height or box[3]
    return width, height


def raster_size(data: bytes) -> tuple[int, int]:
    """The pixel size of the DOCX's picture of the SVG `data` (checked by `check_svg` first)."""
    width, height = svg_size(_parse(data).getroot())
    return max(1, round(width * SVG_SCALE)), max(1, round(height * SVG_SCALE))


def check_svg(data: bytes, src: str) -> list[tuple[str, str]]:
    """Why the SVG `data` (the figure `src`) may not reach a renderer, as [(code, message)]; [] if it may."""
    try:
        _Gate(data, src).run()
    except Refused as refused:
        return [(refused.code, refused.message)]
    return []


def check_figure(data: bytes, src: str) -> list[tuple[str, str]]:
    """The gate for the bytes a writer is about to embed or convert (the file may have changed since
    `check`): an SVG's whole check; a picture's format and pixels, from its header."""
    if is_svg(data):
        return check_svg(data, src)
    try:
        check_embedded(data, f"image '{src}'")
    except Refused as refused:
        return [(refused.code, refused.message)]
    return []


def check_embedded(data: bytes, what: str) -> int:
    """Pixels of an embedded picture (`what` names it in messages), after the checks a figure gets:
    a PNG, JPEG or GIF, within IMAGE_MAX_PIXELS, not damaged in its header. Raises Refused."""
    from PIL import Image as PILImage  # noqa: PLC0415 - only figures with embedded pictures pay for Pillow
    from PIL import UnidentifiedImageError  # noqa: PLC0415

    limit = PILImage.MAX_IMAGE_PIXELS
    PILImage.MAX_IMAGE_PIXELS = None  # our bound, below, before any decoding
    try:
        with PILImage.open(io.BytesIO(data)) as im:  # the header only
            kind, (width, height) = im.format, im.size
            if kind in EMBEDDED_FORMATS and width * height <= IMAGE_MAX_PIXELS:
                im.verify()
    except UnidentifiedImageError:
        raise Refused("image-format", f"{what} is not a PNG, JPEG or GIF picture (the only pictures an SVG figure "
                      "may embed: an SVG inside an SVG is refused)") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        raise Refused("image-invalid", f"{what} is damaged ({str(exc)[:80] or type(exc).__name__})") from None
    finally:
        PILImage.MAX_IMAGE_PIXELS = limit
    if kind not in EMBEDDED_FORMATS:
        raise Refused("image-format", f"{what} is {kind}: an SVG figure may embed only PNG, JPEG or GIF pictures")
    if width * height > IMAGE_MAX_PIXELS:
        raise Refused("image-too-large", f"{what} is {width} x {height} pixels; a picture may have at most "
                      f"{IMAGE_MAX_PIXELS // 1_000_000} megapixels")
    return width * height


# --------------------------------------------------------------------------- the SVG gate

def _parse(data: bytes):
    from lxml import etree  # noqa: PLC0415

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             dtd_validation=False, remove_comments=True)
    return etree.parse(io.BytesIO(data), parser)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _length(value: str | None) -> float:
    """A length in CSS pixels; 0 for none, a percentage (CairoSVG takes the root's as 0) or an unknown unit;
    inf for a number too large to be one."""
    match = LENGTH_RE.match(value or "")
    if not match or match[2].lower() not in UNITS:
        return 0.0
    number = float(match[1]) * UNITS[match[2].lower()]
    return number if math.isfinite(number) else math.inf


def _numbers(text: str) -> list[float]:
    return [float(n) for n in NUMBER_RE.findall(text)]


class _Gate:
    def __init__(self, data: bytes, src: str):
        self.data, self.src = data, src
        self.refs: dict = {}  # element -> [(id, times)]: what it draws besides its children
        self.matchers: list = []  # (cssselect2.Matcher, its <style> element): rules that make references

    def refuse(self, code: str, message: str, el=None):
        where = f" (line {el.sourceline} of the SVG)" if el is not None and el.sourceline else ""
        raise Refused(code, f"image '{self.src}'{where} {message}")

    def run(self) -> None:
        from lxml import etree  # noqa: PLC0415

        if len(self.data) > SVG_MAX_BYTES:
            self.refuse("image-too-large", f"is an SVG of {len(self.data) / 2**20:.1f} MiB; an SVG figure may be at "
                        f"most {SVG_MAX_BYTES // 2**20} MiB: simplify it, or save it as PNG")
        try:
            tree = _parse(self.data)
        except etree.XMLSyntaxError as exc:
            if "depth" in str(exc).lower():
                self.refuse("svg-too-complex", f"nests its elements more than {SVG_MAX_DEPTH} deep: flatten its "
                            "groups, or save it as PNG")
            self.refuse("image-invalid", f"is a damaged SVG file ({str(exc)[:120]}): save it again")
        info = tree.docinfo
        if info.doctype or info.internalDTD is not None or info.externalDTD is not None or b"<!ENTITY" in self.data:
            self.refuse("image-invalid", "is an SVG with a DTD or entities; save it again without them "
                        "(e.g. 'Plain SVG' in Inkscape)")
        root = tree.getroot()
        if root.tag != f"{{{SVG}}}svg":
            self.refuse("image-format", "is XML but not an SVG drawing")
        for node in root.itersiblings(preceding=True):
            if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-stylesheet":  # noqa: SLF001
                self.refuse("url-refused", "names a stylesheet (xml-stylesheet): an SVG figure must be "
                            "self-contained; put its styles in a <style> element")
        elements = self.walk(root)
        self.check_size(root)
        self.styles(root)
        self.count(root, elements)

    def walk(self, root) -> list:
        """Every element, checked for what it may not hold; depth and count bounded."""
        elements, stack = [], [(root, 1)]
        while stack:
            el, depth = stack.pop()
            if not isinstance(el.tag, str):  # a processing instruction, an unresolved entity
                if _local(getattr(el, "target", "")) == "xml-stylesheet":
                    self.refuse("url-refused", "names a stylesheet (xml-stylesheet): an SVG figure must be "
                                "self-contained", el)
                continue
            if depth > SVG_MAX_DEPTH:
                self.refuse("svg-too-complex", f"nests its elements more than {SVG_MAX_DEPTH} deep: flatten its "
                            "groups, or save it as PNG", el)
            elements.append(el)
            if len(elements) > SVG_MAX_ELEMENTS:
                self.refuse("svg-too-complex", f"has more than {SVG_MAX_ELEMENTS:,} elements: simplify it, or save "
                            "it as PNG")
            self.element(el)
            stack.extend((child, depth + 1) for child in reversed(el))
        return elements

    def element(self, el) -> None:
        name = _local(el.tag)
        if el.tag.startswith(f"{{{XINCLUDE}}}"):
            self.refuse("url-refused", "includes another file (XInclude): an SVG figure must be self-contained", el)
        if name in REFUSED_ELEMENTS:
            self.refuse("image-invalid", f"holds <{name}>: a figure may not run code or embed other content; save "
                        "it as plain SVG or PNG", el)
        refs = self.refs.setdefault(el, [])
        if name in REFERRING and not (el.get("href") or el.get(XLINK_HREF) or "").strip():
            # CairoSVG reads a missing address as the file's own: it fetches the folder, or draws the
            # drawing inside itself until Python's stack ends
            self.refuse("image-invalid", f"has a <{name}> that names nothing to draw (no href): remove it", el)
        for attr, value in el.attrib.items():
            local = _local(attr)
            if local.lower().startswith("on"):
                self.refuse("image-invalid", f"has an event handler ({local}): save it as plain SVG", el)
            if attr in ("href", XLINK_HREF):
                target = value.strip()
                if target.startswith("#") and len(target) > 1:
                    refs.append((target[1:], 1))
                elif target[:5].lower() == "data:" and name in ("image", "feImage"):
                    refs.append((None, self.embedded(target, el)))
                else:
                    self.refuse("url-refused", f"refers to {target[:80]!r}: an SVG figure must be self-contained "
                                "(embed its pictures as data: PNG, JPEG or GIF)", el)
            elif attr == "style" or "url" in value.lower() or "\\" in value:
                declarations = value if attr == "style" else f"{local}: {value}"
                refs.extend(self.declarations(declarations, el, self.vertices(el)))
        if name == "style":
            self.stylesheet("".join(el.itertext()), el)

    def embedded(self, url: str, el) -> int:
        """The cost, in elements, of drawing the data: picture `url` once (it is decoded each time)."""
        try:
            pixels = check_embedded(data_url(url) or b"", "embeds a picture that")
        except Refused as refused:
            self.refuse(refused.code, refused.message, el)
        return 1 + pixels // PIXELS_PER_ELEMENT

    # ----------------------------------------------------------------------- CSS, read as the renderers read it

    def urls(self, tokens, text: str, el) -> list[str]:
        """The `#id` of every url() among `tinycss2` `tokens` (of `text`); anything else refused."""
        found = []
        for token in tokens:
            value = None
            if token.type == "url":
                value = token.value
            elif token.type == "function" and token.lower_name in URL_FUNCTIONS:
                strings = [t.value for t in token.arguments if t.type == "string"]
                value = strings[0] if strings else ""
                if token.lower_name != "url":
                    self.refuse("url-refused", f"uses {token.name}() in its styles: an SVG figure must be "
                                "self-contained", el)
            if token.type in ("function", "() block", "[] block", "{} block"):
                found += self.urls(getattr(token, "arguments", None) or getattr(token, "content", None) or [], text, el)
            if value is None:
                continue
            value = value.strip()
            if not value.startswith("#"):
                self.refuse("url-refused", f"refers to {value[:80]!r} in its styles: an SVG figure must be "
                            "self-contained", el)
            if not PLAIN_URL_RE.match(text, _offset(text, token.source_line, token.source_column)):
                self.refuse("url-refused", f"writes a url() with CSS escapes ({value[:40]!r}), which the renderers "
                            "do not all read alike (one draws it, another nothing): write url(#id) plainly", el)
            found.append(value[1:])
        return found

    def declarations(self, text: str, el, vertices: int) -> list[tuple[str, int]]:
        """References made by CSS declarations `text` (a style attribute, a presentation attribute, a
        rule's block): (id, times drawn), a marker in the middle of a path once per vertex."""
        import tinycss2  # noqa: PLC0415

        text = _normal(text)
        refs = []
        for decl in tinycss2.parse_declaration_list(text):
            if decl.type != "declaration":
                continue
            times = vertices if decl.lower_name in ("marker-mid", "marker") else 1
            times += 2 if decl.lower_name == "marker" else 0  # the shorthand: start and end too
            refs += [(ref, times) for ref in self.urls(decl.value, text, el)]
        return refs

    def stylesheet(self, css: str, el) -> None:
        """A <style> element: no @import or other url() than #id; a rule's references are made by every
        element its selector matches (as CairoSVG and WeasyPrint apply it, with cssselect2)."""
        import cssselect2  # noqa: PLC0415
        import tinycss2  # noqa: PLC0415

        css = _normal(css)
        matcher = cssselect2.Matcher()
        if self.rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), css, el, matcher):
            self.matchers.append((matcher, el))

    def rules(self, rules, css: str, el, matcher) -> bool:
        """Add `rules` that make references to `matcher`; True if any does."""
        import cssselect2  # noqa: PLC0415
        import tinycss2  # noqa: PLC0415

        found = False
        for rule in rules:
            if rule.type == "at-rule":
                if rule.lower_at_keyword in ("import", "font-face", "namespace"):
                    self.refuse("url-refused", f"has @{rule.lower_at_keyword} in its styles: an SVG figure must be "
                                "self-contained", el)
                self.urls(rule.prelude, css, el)
                if rule.content and self.urls(rule.content, css, el):  # @media and the like: rules inside
                    inner = tinycss2.serialize(rule.content)
                    found |= self.rules(tinycss2.parse_stylesheet(inner, True, True), inner, el, matcher)
                continue
            if rule.type != "qualified-rule":
                continue
            try:
                selectors = cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.SelectorError as exc:  # CairoSVG stops at it (the browser skips the rule)
                self.refuse("image-invalid", f"has a style rule whose selector cannot be read "
                            f"({tinycss2.serialize(rule.prelude).strip()[:40]!r}: {str(exc)[:60]}): correct or "
                            "remove it", el)
            if not self.urls(rule.content, css, el):
                continue
            for selector in selectors:
                matcher.add_selector(selector, tinycss2.serialize(rule.content))
            found = True
        return found

    def styles(self, root) -> None:
        """References that <style> rules give the elements their selectors match."""
        import cssselect2  # noqa: PLC0415

        for matcher, style_el in self.matchers:
            for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
                for *_, block in matcher.match(wrapper):
                    self.refs.setdefault(wrapper.etree_element, []).extend(
                        self.declarations(block, style_el, self.vertices(wrapper.etree_element)))

    def vertices(self, el) -> int:
        """At most how many vertices the shape `el` has (a marker-mid is drawn at each)."""
        text = el.get("d") or el.get("points") or ""
        return max(1, len(NUMBER_RE.findall(text)) // 2) if text else 1

    # ----------------------------------------------------------------------- sizes and the count

    def check_size(self, root) -> None:
        for el in root.iter():  # the root's, and a nested <svg>'s, <symbol>'s, <marker>'s, <pattern>'s, <view>'s
            if not isinstance(el.tag, str):
                continue
            box = el.get("viewBox")
            numbers = _numbers(box or "")
            if box is not None and not (len(numbers) == 4 and (el is root or all(map(math.isfinite, numbers)))
                                        and all(n > 0 for n in numbers[2:])):
                self.refuse("image-invalid", f"has viewBox={box[:40]!r}: a viewBox is four numbers, x y width "
                            "height, the width and height above 0", el)
            for name in ("width", "height", "x", "y"):  # a length too large to be a number breaks the drawing
                if el is not root and _length(el.get(name)) == math.inf:
                    self.refuse("image-invalid", f"gives <{_local(el.tag)}> {name}={el.get(name)[:40]!r}, too large "
                                "to draw: give a size in pixels", el)
        width, height = svg_size(root)
        if not (width > 0 and height > 0):
            self.refuse("image-invalid", "does not say its size: give the <svg> element a width and a height (or a "
                        "viewBox), as a drawing program does when it saves", root)
        self.pixels(width, height, "its size", root)
        for el in root.iter(f"{{{SVG}}}pattern", f"{{{SVG}}}mask"):
            absolute = el.get("patternUnits" if _local(el.tag) == "pattern" else "maskUnits") == "userSpaceOnUse"
            if absolute:
                self.pixels(_length(el.get("width")), _length(el.get("height")), f"a <{_local(el.tag)}>", el)

    def pixels(self, width: float, height: float, what: str, el) -> None:
        pixels = width * SVG_SCALE * height * SVG_SCALE
        if not pixels <= IMAGE_MAX_PIXELS:  # also NaN and inf
            self.refuse("image-too-large", f"gives {what} as {width:g} x {height:g} pixels, which the Word document's "
                        f"picture ({SVG_SCALE} pixels a pixel) makes {pixels / 1e6:,.0f} megapixels; at most "
                        f"{IMAGE_MAX_PIXELS // 1_000_000} are drawn: give it a smaller width and height (a viewBox "
                        "keeps the drawing)", el)

    def count(self, root, elements: list) -> None:
        """Elements drawn, each reference expanded into what it draws (iteratively: a chain of references
        may be long), a cycle refused."""
        ids: dict[str, object] = {}
        for el in elements:
            ids.setdefault(el.get("id"), el)
        limit = SVG_MAX_ELEMENTS + 1
        cost: dict = {}
        state: dict = {}  # el -> 1 being counted, 2 counted
        stack = [(root, False)]
        while stack:
            el, ready = stack.pop()
            if ready:
                total = 1
                for child in el:
                    if isinstance(child.tag, str) and _local(child.tag) not in NOT_DRAWN:
                        total += cost[child]
                for ref, times in self.refs.get(el, ()):
                    if ref is None:
                        total += times
                    elif ref in ids:
                        total += times * cost[ids[ref]]
                    total = min(total, limit)
                cost[el], state[el] = total, 2
                continue
            if state.get(el) == 2:
                continue
            state[el] = 1
            stack.append((el, True))
            for ref, _ in self.refs.get(el, ()):
                target = ids.get(ref) if ref is not None else None
                if target is None:
                    continue
                if state.get(target) == 1 or target is el or _is_ancestor(target, el):
                    self.refuse("svg-too-complex", f"refers to '#{ref}' from inside itself (a cycle of references): "
                                "the drawing would never end", el)
                if state.get(target) is None:
                    stack.append((target, False))
            for child in reversed(el):
                if isinstance(child.tag, str) and state.get(child) == 1:
                    self.refuse("svg-too-complex", "refers to an element that holds the reference (a cycle of "
                                "references): the drawing would never end", child)
                if isinstance(child.tag, str) and state.get(child) is None:
                    stack.append((child, False))
        total = cost[root]
        if total > SVG_MAX_ELEMENTS:
            self.refuse("svg-too-complex", f"draws more than {SVG_MAX_ELEMENTS:,} elements once its <use> and url(#id) "
                        "references are counted as what they draw: simplify it, or save it as PNG")


def _is_ancestor(candidate, el) -> bool:
    return any(parent is candidate for parent in el.iterancestors())


def _normal(text: str) -> str:
    """CSS text with its newlines as tinycss2 counts them (its columns are then offsets in this text)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + column - 1
