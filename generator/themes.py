"""Themes: how a report looks, as a folder of files, never as code.

A theme is a folder holding any of:

    theme.yaml        its name and the theme's colours and fonts (CSS custom properties), its logo
    base.css          styles shared by the PDF and the HTML page
    print.css         the PDF (WeasyPrint paged media: @page, running header, footnotes)
    screen.css        the self-contained HTML page
    publication.css   the theme's design: cover, scorecard, tables (print and screen)
    theme.css         last word: a theme's own overrides
    fonts/            the font files its CSS names (embedded in the PDF and the DOCX)
    reference.docx    the DOCX's styles (pandoc's --reference-doc)

The default theme is the package's `styles/` folder. Every other theme inherits from it: a file
it lacks is the default theme's, and its theme.yaml's colours and fonts are laid over the
default's. The shipped themes live in `themes/<name>/` (in a wheel, `generator/shipped_themes/`); a report picks one with
`theme: <name>` in report.yaml (looked up in the report's own `themes/<name>/` first, then among
the shipped ones) or with `--theme NAME|DIR` on `build` and `check`, which wins.

A theme that is not shipped is untrusted input, like the report folder (`check_theme_files`):
a report's own `themes/<name>/` must lie inside the report folder; every file is read through
`generator.inputs` (symlinks followed and confined to the theme's folder, regular files only,
size-limited: stylesheets 2 MB, fonts 20 MB, images 20 MB, reference.docx 50 MB); theme.yaml's
values must be plain colours, font names and text, each mistake located at its line; each font
file must be a font fontTools reads whole and HarfBuzz subsets, with a plain family name; CSS
that could end the HTML page's <style> is refused, and its `url()`s and `@import`s (found with
tinycss2's tokenizer, escaped spellings included) may name only PNG, JPEG, GIF, TTF, OTF and CSS
files inside the theme's folder, which the self-contained page embeds (`Theme.css`). Every
string a theme puts into CSS is escaped for a CSS string (`css_text`).

Imports only diagnostics, fonts, inputs and resources (and YAML and tinycss2 when it reads a theme).
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.diagnostics import Diagnostics, did_you_mean
from generator.fonts import face_of, faces_in, font_files, font_problem, read_font
from generator.inputs import InputError, confine, read_input
from generator.resources import STYLES_DIR, THEMES_DIR

DEFAULT = "default"
THEME_FILE = "theme.yaml"
STYLESHEETS = {  # media -> the theme's stylesheets, in cascade order (a missing one is skipped)
    "print": ("base.css", "print.css", "publication.css", "theme.css"),
    "screen": ("base.css", "screen.css", "publication.css", "theme.css"),
}
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
KEY_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
COLOUR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
FONT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,63}$")
UNSAFE_CSS = re.compile(r"</|<!--", re.IGNORECASE)  # would end or confuse the HTML page's <style>
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
TEXT_MAX = 300  # characters of theme.yaml's name, description and logo alt text
MAX_FONT_FILES = 64
MAX_IMPORTS = 32  # stylesheets one theme may reach through @import, in all
# what a theme's url() and @import may name, by suffix: (limit kind of generator.inputs, media type)
URL_TARGETS = {".png": ("image", "image/png"), ".jpg": ("image", "image/jpeg"), ".jpeg": ("image", "image/jpeg"),
               ".gif": ("image", "image/gif"), ".ttf": ("font", "font/ttf"), ".otf": ("font", "font/otf"),
               ".css": ("css", "text/css")}
# CSS functions whose string arguments are URLs a browser fetches (url("x") and the image functions)
URL_FUNCTIONS = frozenset({"url", "src", "image-set", "-webkit-image-set", "image", "-webkit-image", "cross-fade",
                           "-webkit-cross-fade"})
_STR = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Theme:
    """A chosen theme: where its files are, in lookup order, and its colours and fonts."""

    name: str
    folders: tuple[Path, ...]  # the theme's own folder first, the default theme's (styles/) last
    colours: tuple[tuple[str, str], ...] = ()  # (name, "#rrggbb"): CSS --colour-<name>
    fonts: tuple[tuple[str, str], ...] = ()  # (role, family): CSS --font-<role>
    logo: Path | None = None  # theme.yaml `logo.file`: the cover's logo when the report gives none
    logo_alt: str = ""
    images: tuple[tuple[Path, Path, int], ...] = ()  # images its CSS names: (image, stylesheet, line)

    def _folder_of(self, name: str) -> Path | None:
        return next((folder for folder in self.folders if present(folder / name)), None)

    def find(self, name: str) -> Path | None:
        """The first of the theme's folders that holds `name` (a file or folder), or None."""
        folder = self._folder_of(name)
        return folder / name if folder is not None else None

    def read_bytes(self, name: str, kind: str) -> bytes:
        """A theme file's bytes, read confined to the folder it is found in (InputError otherwise)."""
        folder = self._folder_of(name)
        if folder is None:
            raise InputError("file-missing", f"theme {self.name} has no {name}")
        return read_input(folder / name, (folder.resolve(),), kind, f"{folder}/{name}")

    def read_text(self, name: str) -> str:
        return self.read_bytes(name, "css").decode("utf-8")

    def stylesheet_paths(self, media: str) -> list[Path]:
        return [path for name in STYLESHEETS[media] if (path := self.find(name)) is not None]

    def variables_css(self) -> str:
        """The theme's colours and fonts as CSS custom properties on :root."""
        lines = [f"  --colour-{key}: {value};" for key, value in self.colours if COLOUR_RE.match(value)]
        lines += [f'  --font-{key}: "{css_text(value)}";' for key, value in self.fonts]
        return ":root {\n" + "\n".join(lines) + "\n}\n"

    def css(self, media: str) -> str:
        """Every stylesheet of `media`, variables first, as one text for the self-contained page:
        each file's url()s embedded as data: URIs and its @imports inlined, so that the page
        fetches nothing."""
        sheets = []
        for name in STYLESHEETS[media]:
            folder = self._folder_of(name)
            if folder is None:
                continue
            text = self.read_text(name)
            # the package's own sheets for the page name no file (tests/test_theme_safety.py holds that)
            sheets.append(text if is_packaged(folder) else _embedded(folder / name, folder.resolve(), text, [0]))
        return "\n".join([self.variables_css(), *sheets])

    @property
    def fonts_dir(self) -> Path:
        """The theme's font folder, resolved and confined to its theme's folder (else InputError)."""
        folder = self._folder_of("fonts")
        if folder is None:
            return STYLES_DIR / "fonts"
        return confine(folder / "fonts", (folder.resolve(),), f"{folder}/fonts")

    def body_font(self) -> Path | None:
        """The font file of the theme's body text (theme.yaml `fonts: body:`): that family's regular
        face in the theme's fonts/ (else its first face), or None when the folder has none of it."""
        family = dict(self.fonts).get("body")
        faces = sorted((face for face in faces_in(self.fonts_dir) if face.family == family),
                       key=lambda face: (face.bold, face.italic))
        return faces[0].path if faces else None

    @property
    def reference_docx(self) -> Path:
        """The theme's reference document, resolved and confined to its theme's folder (else InputError)."""
        folder = self._folder_of("reference.docx")
        if folder is None:
            return STYLES_DIR / "reference.docx"
        return confine(folder / "reference.docx", (folder.resolve(),), f"{folder}/reference.docx")


def is_packaged(folder: Path) -> bool:
    """Whether `folder` is the package's own (styles/ or a shipped theme): trusted, never checked."""
    resolved = Path(folder).resolve()
    return resolved == STYLES_DIR.resolve() or resolved.is_relative_to(THEMES_DIR.resolve())


def present(path: Path) -> bool:
    """Whether something is at `path` (a broken symlink, and a file we may not look at, included:
    reading it then says what is wrong)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def _confined(path: Path, root: Path, shown: str) -> Path:
    """`path` resolved and inside `root` (`inputs.confine`); a path that leads out is `path-outside`
    even when nothing is there."""
    if not Path(path).resolve().is_relative_to(root):
        raise InputError("path-outside", f"'{shown}' points outside the theme's folder")
    return confine(path, (root,), shown)


def css_text(value: str) -> str:
    """`value` as the inside of a double-quoted CSS string: every character but ASCII letters,
    digits, space and `-_.,` as a hex escape, so that no quote, backslash, line break or `<`
    (which could end the HTML page's <style>) is ever written as itself."""
    return "".join(ch if (ch.isascii() and ch.isalnum()) or ch in " -_.," else f"\\{ord(ch):X} " for ch in value)


def shipped_themes() -> list[str]:
    """The names of the themes shipped with reportgen, the default first."""
    names = sorted(p.name for p in THEMES_DIR.iterdir() if (p / THEME_FILE).is_file()) if THEMES_DIR.is_dir() else []
    return [DEFAULT, *(n for n in names if n != DEFAULT)]


# --------------------------------------------------------------------------- theme.yaml


def _at(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _string(node) -> str | None:
    import yaml  # noqa: PLC0415

    return node.value if isinstance(node, yaml.ScalarNode) and node.tag == _STR else None


def _compose(path: Path, root: Path, diags: Diagnostics):
    """theme.yaml's top node (PyYAML's composed nodes keep every line), or None with an error."""
    import yaml  # noqa: PLC0415 - a Theme unpickled in the PDF's process needs no YAML

    try:
        raw = read_input(path, (root,), "yaml", str(path))
        text = raw.decode("utf-8")
    except InputError as exc:
        diags.error(f"theme-{exc.code}", exc.message, path)
        return None
    except UnicodeDecodeError as exc:
        diags.error("theme-invalid", f"not UTF-8 text (byte {exc.start})", path, raw[: exc.start].count(b"\n") + 1)
        return None
    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        diags.error("theme-invalid", f"not valid YAML: {exc.problem or exc.context or 'invalid'}", path,
                    mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
    except (yaml.YAMLError, RecursionError) as exc:
        diags.error("theme-invalid", f"not valid YAML: {str(exc).splitlines()[0] if str(exc) else 'nested too deeply'}",
                    path, 1)
    return None


def _mapping(node, field: str, what: str, pattern: re.Pattern, path: Path, diags: Diagnostics) -> dict[str, str]:
    import yaml  # noqa: PLC0415

    if not isinstance(node, yaml.MappingNode):
        diags.error("theme-invalid", f"{field} is a mapping of name -> {what}", path, *_at(node))
        return {}
    out = {}
    for key_node, value_node in node.value:
        key, value = _string(key_node), _string(value_node)
        if key is None or not KEY_RE.match(key):
            diags.error("theme-invalid", f"{field} name {key_node.value if key is None else key!r} must be lower-case "
                        "letters, digits and hyphens", path, *_at(key_node))
        elif value is None or not pattern.match(value):
            shown = value if value is not None else getattr(value_node, "value", "a list or mapping")
            diags.error("theme-invalid", f"{field}.{key} is {shown!r}, not {what}", path, *_at(value_node))
        else:
            out[key] = value
    return out


def _text(node, field: str, path: Path, diags: Diagnostics) -> str | None:
    value = _string(node)
    if value is None or not value.strip() or len(value) > TEXT_MAX or CONTROL.search(value):
        diags.error("theme-invalid", f"{field} is a line of text of at most {TEXT_MAX} characters, with no control characters", path, *_at(node))
        return None
    return value


def _logo(node, folder: Path, path: Path, diags: Diagnostics) -> tuple[Path | None, str]:
    """theme.yaml's `logo: {file, alt}`: an image inside the theme's folder, and what it shows."""
    import yaml  # noqa: PLC0415

    fields = {_string(k): v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}
    if set(fields) != {"file", "alt"} or _string(fields["file"]) is None:
        diags.error("theme-invalid", "logo is {file: <image in the theme's folder>, alt: <what it shows>}", path,
                    *_at(node))
        return None, ""
    alt = _text(fields["alt"], "logo.alt", path, diags)
    file = _string(fields["file"])
    try:
        resolved = _confined(folder / file, folder.resolve(), file)
        read_input(resolved, (folder.resolve(),), "image", file)
    except InputError as exc:
        message = (f"logo '{file}' is outside the theme's folder" if exc.code == "path-outside" else exc.message)
        diags.error(f"theme-{exc.code}", message, path, *_at(fields["file"]))
        return None, ""
    return (resolved, alt.strip()) if alt is not None else (None, "")


def _theme_data(folder: Path, diags: Diagnostics) -> tuple[dict[str, str], dict[str, str], Path | None, str]:
    """theme.yaml's colours, fonts and logo; every mistake located in the theme's file."""
    import yaml  # noqa: PLC0415

    path = folder / THEME_FILE
    if not present(path):
        return {}, {}, None, ""
    node = _compose(path, folder.resolve(), diags)
    if node is None:
        return {}, {}, None, ""
    if not isinstance(node, yaml.MappingNode):
        diags.error("theme-invalid", "a theme.yaml is a mapping (name, description, colours, fonts, logo)", path,
                    *_at(node))
        return {}, {}, None, ""
    fields = ["name", "description", "colours", "fonts", "logo"]
    colours, fonts, logo, alt = {}, {}, None, ""
    seen = set()
    for key_node, value_node in node.value:
        key = _string(key_node)
        if key not in fields:
            diags.error("theme-invalid", f"unknown field '{key_node.value}'" + did_you_mean(str(key_node.value), fields),
                        path, *_at(key_node))
        elif key in seen:
            diags.error("theme-invalid", f"the field '{key}' is given twice", path, *_at(key_node))
        elif key in ("name", "description"):
            _text(value_node, key, path, diags)
        elif key == "colours":
            colours = _mapping(value_node, key, "a colour #rgb or #rrggbb", COLOUR_RE, path, diags)
        elif key == "fonts":
            fonts = _mapping(value_node, key, "a font family name (letters, digits, spaces, hyphens)", FONT_RE,
                             path, diags)
        elif key == "logo":
            logo, alt = _logo(value_node, folder, path, diags)
        seen.add(key)
    return colours, fonts, logo, alt


# --------------------------------------------------------------------------- stylesheets


class _Refused(Exception):
    def __init__(self, code: str, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.code, self.message, self.line, self.column = code, message, line, column


@dataclass
class _Ref:
    """A URL a stylesheet names: where it is (to replace it) and whether it is an @import."""

    value: str
    line: int
    column: int
    parent: list | None  # the token list holding it, and its index there (None: an @import rule)
    index: int
    is_import: bool = False
    media: str = ""  # an @import's media query


def _walk(tokens: list | None, found: list[_Ref], top: bool = False) -> None:
    """The URLs among `tokens` and inside them: url() tokens (however escaped), the string of
    url("x") and src("x"), each string of the image functions. An @import anywhere but first at
    the top (`top`: tokens of the whole sheet, where an @import rule is skipped to its `;`) is refused."""
    skipping = False
    for index, token in enumerate(tokens or ()):
        if skipping:
            skipping = not (token.type == "literal" and token.value == ";")
            continue
        if token.type == "url":
            found.append(_Ref(token.value, token.source_line, token.source_column, tokens, index))
        elif token.type == "function":
            if token.lower_name in ("url", "src"):  # url("x"): the function is replaced, and located
                strings = [argument for argument in token.arguments if argument.type == "string"]
                if strings:
                    found.append(_Ref(strings[0].value, token.source_line, token.source_column, tokens, index))
            elif token.lower_name in URL_FUNCTIONS:  # image-set("x" 1x): each string is a URL
                for at, argument in enumerate(token.arguments):
                    if argument.type == "string":
                        found.append(_Ref(argument.value, argument.source_line, argument.source_column,
                                          token.arguments, at))
            _walk(token.arguments, found)
        elif token.type in ("() block", "[] block", "{} block"):
            _walk(token.content, found)
        elif token.type == "at-keyword" and token.lower_value == "import":
            if not top:
                raise _Refused("theme-url-refused", "@import must come first in a stylesheet, outside any rule",
                               token.source_line, token.source_column)
            skipping = True


def _refs(rules) -> list[_Ref]:
    """Every URL in a stylesheet parsed by tinycss2 (`_walk`), and its top-level @import rules."""
    import tinycss2  # noqa: PLC0415

    found: list[_Ref] = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            prelude = [t for t in rule.prelude if t.type not in ("whitespace", "comment")]
            first = prelude[0] if prelude else None
            if first is not None and first.type == "function" and first.lower_name == "url":
                strings = [a for a in first.arguments if a.type == "string"]
                value = strings[0].value if strings else None
            else:
                value = first.value if first is not None and first.type in ("url", "string") else None
            rest = prelude[1:]
            if value is None or rule.content is not None or any(
                    t.type == "function" and t.lower_name in ("layer", "supports") for t in rest) \
                    or any(t.type == "ident" and t.lower_value == "layer" for t in rest):
                raise _Refused("theme-url-refused", "@import is written @import \"file.css\"; or with a media "
                               "query after it (no layer() or supports())", rule.source_line, rule.source_column)
            found.append(_Ref(value, rule.source_line, rule.source_column, None, 0, True,
                              tinycss2.serialize(rest).strip()))
        elif rule.type in ("at-rule", "qualified-rule"):
            _walk(rule.prelude, found)
            _walk(rule.content, found)
    return found


def _all_refs(text: str) -> list[_Ref]:
    """What `check` holds a stylesheet to: the URLs of its rules and @imports (`_refs`), and any
    URL in text that is no rule (the page drops such text, but no URL is let by unseen)."""
    import tinycss2  # noqa: PLC0415

    found = _refs(_parse(text))
    seen = {(ref.line, ref.column) for ref in found}
    loose: list[_Ref] = []
    _walk(tinycss2.parse_component_value_list(text, skip_comments=True), loose, top=True)
    return found + [ref for ref in loose if (ref.line, ref.column) not in seen]


def _parse(text: str):
    import tinycss2  # noqa: PLC0415 - installed with WeasyPrint; only themes with CSS of their own pay for it

    return tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=False)


def _target(ref: _Ref, sheet: Path, root: Path) -> tuple[Path, str, str]:
    """The file `ref` names, relative to `sheet`: (resolved path, limit kind, media type); _Refused
    unless it is a plain relative path to a PNG, JPEG, GIF, TTF, OTF (or, for @import, CSS) file
    inside the theme's folder `root`."""
    value = ref.value
    where = (ref.line, ref.column)
    if not value.strip() or CONTROL.search(value) or "\\" in value:
        raise _Refused("theme-url-refused", f"url({value!r}) is not a file name", *where)
    parts = urlsplit(value.strip())
    value = value if len(value) <= 80 else value[:77] + "..."
    if parts.scheme.lower() == "data":
        raise _Refused("theme-url-refused", f"'{value}': a theme embeds no data: URL; put the file in the theme's "
                       "folder and name it (reportgen checks it and embeds it)", *where)
    if parts.scheme or parts.netloc or value.strip().startswith("/"):
        raise _Refused("theme-url-refused", f"'{value}' reaches outside the page: a theme's url() and @import may "
                       "name only files in the theme's folder, by a relative path (reportgen embeds them)", *where)
    if parts.query or parts.fragment:
        raise _Refused("theme-url-refused", f"'{value}': a theme's url() names a file, with no ?query or #fragment",
                       *where)
    suffix = Path(unquote(parts.path)).suffix.lower()
    allowed = (".css",) if ref.is_import else tuple(s for s in URL_TARGETS if s != ".css")
    if suffix not in allowed:
        raise _Refused("theme-url-refused", f"'{value}': a theme's {'@import' if ref.is_import else 'url()'} may "
                       f"name only {', '.join(s[1:].upper() for s in allowed)} files", *where)
    try:
        resolved = _confined(sheet.parent / unquote(parts.path), root, value)
    except InputError as exc:
        message = (f"'{value}' points outside the theme's folder ({root}): a theme reads only its own files"
                   if exc.code == "path-outside" else exc.message)
        raise _Refused(f"theme-{exc.code}", message, *where) from None
    kind, media = URL_TARGETS[suffix]
    return resolved, kind, media


def _embedded(sheet: Path, root: Path, text: str, count: list[int]) -> str:
    """`text` (the stylesheet at `sheet`) with each url() a data: URI of its file and each @import
    replaced by the imported sheet (itself embedded); unchanged when it names no file."""
    import tinycss2  # noqa: PLC0415

    rules = _parse(text)
    refs = _refs(rules)
    imports = {}
    for ref in refs:
        path, kind, media = _target(ref, sheet, root)
        data = read_input(path, (root,), kind, ref.value)
        if ref.is_import:
            count[0] += 1
            if count[0] > MAX_IMPORTS:
                raise InputError("file-too-large", f"more than {MAX_IMPORTS} stylesheets imported")
            inner = _embedded(path, root, data.decode("utf-8"), count)
            imports[ref.line, ref.column] = f"@media {ref.media} {{\n{inner}\n}}" if ref.media else inner
            continue
        uri = f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"
        ref.parent[ref.index] = tinycss2.ast.URLToken(ref.line, ref.column, uri, f"url({uri})")
    # every rule written again, so that what is no rule (a parse error: text a browser would drop
    # too, or join to the next file's first rule) is left out, and every block and comment is closed
    return "".join(imports.get((rule.source_line, rule.source_column), "") if rule.type == "at-rule"
                   and rule.lower_at_keyword == "import" else "" if rule.type == "error"
                   else tinycss2.serialize([rule]) for rule in rules)


def _check_stylesheet(sheet: Path, root: Path, diags: Diagnostics, seen: set[Path],
                      images: list[tuple[Path, Path, int]]) -> None:
    """One stylesheet of an untrusted theme, and every file it names: readable within its limits,
    safe to inline in the HTML page, reaching nothing outside the theme's folder."""
    try:
        text = read_input(sheet, (root,), "css", str(sheet)).decode("utf-8")
    except InputError as exc:
        diags.error(f"theme-{exc.code}", exc.message, sheet)
        return
    except UnicodeDecodeError as exc:
        diags.error("theme-invalid", f"not UTF-8 text (byte {exc.start})", sheet)
        return
    if (unsafe := UNSAFE_CSS.search(text)) is not None:
        line = text.count("\n", 0, unsafe.start()) + 1
        diags.error("theme-invalid", "'</' or '<!--' cannot appear in a stylesheet that is inlined in the HTML "
                    "page (write '<' in a CSS string as \\3C)", sheet, line, unsafe.start() - text.rfind("\n", 0,
                                                                                                      unsafe.start()))
    try:
        refs = _all_refs(text)
    except _Refused as exc:
        diags.error(exc.code, exc.message, sheet, exc.line, exc.column)
        return
    except RecursionError:
        diags.error("theme-invalid", "the stylesheet nests blocks too deeply", sheet)
        return
    for ref in refs:
        try:
            path, kind, _media = _target(ref, sheet, root)
            data = read_input(path, (root,), kind, ref.value)
        except _Refused as exc:
            diags.error(exc.code, exc.message, sheet, exc.line, exc.column)
            continue
        except InputError as exc:
            diags.error(f"theme-{exc.code}", exc.message, sheet, ref.line, ref.column)
            continue
        if kind == "font" and (problem := font_problem(data)) is not None:
            diags.error("theme-font-invalid", f"'{ref.value}' cannot be used as a font: {problem}", sheet, ref.line,
                        ref.column)
        elif kind == "image":
            images.append((path, sheet, ref.line))
        elif kind == "css" and path not in seen:
            seen.add(path)
            if len(seen) > MAX_IMPORTS:
                diags.error("theme-invalid", f"more than {MAX_IMPORTS} stylesheets imported", sheet, ref.line)
                return
            _check_stylesheet(path, root, diags, seen, images)


def check_fonts(folder: Path, diags: Diagnostics) -> None:
    """An untrusted theme's fonts/: a folder inside the theme's, each .ttf and .otf in it a font that
    fontTools reads whole and HarfBuzz subsets, with a family name that is a plain font name."""
    fonts = folder / "fonts"
    if not present(fonts):
        return
    try:
        resolved = confine(fonts, (folder.resolve(),), str(fonts))
        files = font_files(resolved)
    except InputError as exc:
        message = (f"'{fonts}' points outside the theme's folder (to {Path(fonts).resolve()})"
                   if exc.code == "path-outside" else exc.message)
        diags.error(f"theme-{exc.code}", message, fonts)
        return
    except NotADirectoryError:
        diags.error("theme-file-not-regular", f"'{fonts}' is not a folder of font files", fonts)
        return
    except OSError as exc:
        diags.error("theme-file-unreadable", f"cannot read '{fonts}': {exc.strerror}", fonts)
        return
    if len(files) > MAX_FONT_FILES:
        diags.error("theme-invalid", f"{len(files)} font files; a theme may have at most {MAX_FONT_FILES}", fonts)
        return
    for path in files:
        try:
            data = read_font(path, resolved)
        except InputError as exc:
            message = (f"'{path}' points outside the theme's font folder (to {path.resolve()})"
                       if exc.code == "path-outside" else exc.message)
            diags.error(f"theme-{exc.code}", message, path)
            continue
        if (problem := font_problem(data)) is not None:
            diags.error("theme-font-invalid", f"'{path.name}' cannot be used as a font: {problem}", path)
            continue
        family = face_of(data, path).family
        if not FONT_RE.match(family):
            diags.error("theme-font-invalid", f"'{path.name}': its family name {family[:80]!r} is not a plain font "
                        "name (letters, digits, spaces and hyphens, at most 64)", path)


def check_theme_files(theme: Theme, diags: Diagnostics) -> Theme:
    """Every file of an untrusted theme's own folder, as `check` sees it: its stylesheets (and what
    they name), its fonts and its reference document. Returns the theme with the images its CSS
    names (for the stage that checks images)."""
    own = theme.folders[0]
    root = own.resolve()
    images: list[tuple[Path, Path, int]] = []
    seen: set[Path] = set()
    for name in sorted({n for names in STYLESHEETS.values() for n in names}):
        if present(own / name):
            _check_stylesheet(own / name, root, diags, seen, images)
    check_fonts(own, diags)
    if present(own / "reference.docx"):
        try:
            read_input(own / "reference.docx", (root,), "docx", str(own / "reference.docx"))
        except InputError as exc:
            diags.error(f"theme-{exc.code}", exc.message, own / "reference.docx")
    return replace(theme, images=tuple(images))


# --------------------------------------------------------------------------- choosing a theme


def theme_folder(report_dir: Path, name: str) -> Path | None:
    """Where a theme named in report.yaml is: the report's themes/<name>/, then the shipped ones."""
    if name == DEFAULT:
        return STYLES_DIR
    for folder in (report_dir / "themes" / name, THEMES_DIR / name):
        if present(folder):
            return folder
    return None


def _local_themes(report_dir: Path) -> list[str]:
    try:
        return [p.name for p in (report_dir / "themes").iterdir() if p.is_dir()]
    except OSError:
        return []


def resolve_theme(report_dir: Path, choice: str | Path | None, diags: Diagnostics, where=()) -> Theme | None:
    """The theme `choice` names (a name, or a folder given on the command line), or the default.

    `where` is (path, line, column) of the choice for messages. None, with errors, when the theme
    cannot be used."""
    if choice is None or choice == DEFAULT:
        folder = STYLES_DIR
        name = DEFAULT
    elif isinstance(choice, Path):
        folder = choice
        name = choice.name
        if not folder.is_dir():
            diags.error("theme-missing", f"theme folder '{choice}' not found", *where)
            return None
    else:
        name = str(choice)
        if not NAME_RE.match(name):
            diags.error("theme-invalid", f"theme '{name}' is not a theme name (lower-case letters, digits, "
                        "'-' and '_'); to use a folder, pass --theme DIR", *where)
            return None
        folder = theme_folder(report_dir, name)
        if folder is None:
            choices = sorted(set(shipped_themes()) | set(_local_themes(report_dir)))
            diags.error("theme-unknown", f"no theme '{name}' (themes: {', '.join(choices)})"
                        + did_you_mean(name, choices), *where)
            return None
        if folder == report_dir / "themes" / name:
            try:
                confine(folder, (Path(report_dir).resolve(),), str(folder))
            except InputError as exc:
                diags.error(f"theme-{exc.code}", f"the theme folder '{folder}' points outside the report folder "
                            f"(to {Path(folder).resolve()}); a report's themes/ holds its themes themselves"
                            if exc.code == "path-outside" else exc.message, *where)
                return None
            if not folder.is_dir():
                diags.error("theme-file-not-regular", f"'{folder}' is not a theme folder", *where)
                return None
    before = len(diags.errors)
    colours, fonts, _logo_file, _alt = _theme_data(STYLES_DIR, diags)
    trusted = is_packaged(folder)
    logo, logo_alt = None, ""
    if folder.resolve() != STYLES_DIR.resolve():
        own_colours, own_fonts, logo, logo_alt = _theme_data(folder, diags)
        colours, fonts = {**colours, **own_colours}, {**fonts, **own_fonts}
    folders = (folder,) if folder.resolve() == STYLES_DIR.resolve() else (folder, STYLES_DIR)
    theme = Theme(name, folders, tuple(colours.items()), tuple(fonts.items()), logo, logo_alt)
    if not trusted:
        theme = check_theme_files(theme, diags)
    return theme if len(diags.errors) == before else None


def theme_of(doc) -> Theme:
    """A document's theme (`doc.theme`), or the default theme when it has none."""
    return theme_or_default(getattr(doc, "theme", None))


def theme_or_default(theme: Theme | None) -> Theme:
    return theme or _default_theme()


@lru_cache(maxsize=1)
def _default_theme() -> Theme:
    diags = Diagnostics()
    theme = resolve_theme(STYLES_DIR, None, diags)
    if theme is None:  # the package's own theme.yaml is broken: a bug, not the user's mistake
        raise RuntimeError("the default theme is invalid: " + "; ".join(d.message for d in diags.errors))
    return theme
