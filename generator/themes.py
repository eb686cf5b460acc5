"""Themes: how a report looks, as a folder of files, never as code.

A theme is a folder holding any of:

    theme.yaml        its name and the theme's colours and fonts (CSS custom properties)
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

A theme that is not shipped is untrusted input, like the report folder: each file is read
through `generator.inputs` (symlinks followed and confined to the theme's folder, regular
files only, size-limited), theme.yaml's values must be plain colours and font names, and CSS
that could end the HTML page's <style> element is refused.

Imports only diagnostics, fonts, inputs and resources (and YAML when it reads a theme.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.diagnostics import Diagnostics, did_you_mean
from generator.fonts import faces_in
from generator.inputs import InputError, read_input
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


@dataclass(frozen=True)
class Theme:
    """A chosen theme: where its files are, in lookup order, and its colours and fonts."""

    name: str
    folders: tuple[Path, ...]  # the theme's own folder first, the default theme's (styles/) last
    colours: tuple[tuple[str, str], ...] = ()  # (name, "#rrggbb"): CSS --colour-<name>
    fonts: tuple[tuple[str, str], ...] = ()  # (role, family): CSS --font-<role>
    logo: Path | None = None  # theme.yaml `logo.file`: the cover's logo when the report gives none
    logo_alt: str = ""

    def find(self, name: str) -> Path | None:
        """The first of the theme's folders that holds `name` (a file or folder), or None."""
        for folder in self.folders:
            if (folder / name).exists():
                return folder / name
        return None

    def read_text(self, name: str) -> str:
        """A theme file's text, read confined to the folder it is found in (InputError otherwise)."""
        path = self.find(name)
        if path is None:
            raise InputError("file-missing", f"theme {self.name} has no {name}")
        folder = next(f for f in self.folders if (f / name).exists())
        return read_input(path, (folder.resolve(),), "css", f"{folder}/{name}").decode("utf-8")

    def stylesheet_paths(self, media: str) -> list[Path]:
        return [path for name in STYLESHEETS[media] if (path := self.find(name)) is not None]

    def variables_css(self) -> str:
        """The theme's colours and fonts as CSS custom properties on :root."""
        lines = [f"  --colour-{key}: {value};" for key, value in self.colours]
        lines += [f'  --font-{key}: "{value}";' for key, value in self.fonts]
        return ":root {\n" + "\n".join(lines) + "\n}\n"

    def css(self, media: str) -> str:
        """Every stylesheet of `media`, variables first, as one text (for the self-contained page)."""
        return "\n".join([self.variables_css()] + [self.read_text(name) for name in STYLESHEETS[media]
                                                   if self.find(name) is not None])

    @property
    def fonts_dir(self) -> Path:
        return self.find("fonts") or STYLES_DIR / "fonts"

    def body_font(self) -> Path | None:
        """The font file of the theme's body text (theme.yaml `fonts: body:`): that family's regular
        face in the theme's fonts/ (else its first face), or None when the folder has none of it."""
        family = dict(self.fonts).get("body")
        faces = sorted((face for face in faces_in(self.fonts_dir) if face.family == family),
                       key=lambda face: (face.bold, face.italic))
        return faces[0].path if faces else None

    @property
    def reference_docx(self) -> Path:
        return self.find("reference.docx") or STYLES_DIR / "reference.docx"


def shipped_themes() -> list[str]:
    """The names of the themes shipped with reportgen, the default first."""
    names = sorted(p.name for p in THEMES_DIR.iterdir() if (p / THEME_FILE).is_file()) if THEMES_DIR.is_dir() else []
    return [DEFAULT, *(n for n in names if n != DEFAULT)]


def _parse_theme_yaml(path: Path, root: Path, diags: Diagnostics, where) -> dict | None:
    import yaml  # noqa: PLC0415 - a Theme unpickled in the PDF's process needs no YAML

    try:
        data = yaml.safe_load(read_input(path, (root,), "yaml", str(path)).decode("utf-8"))
    except InputError as exc:
        diags.error(f"theme-{exc.code}" if not exc.code.startswith("theme") else exc.code, exc.message, *where)
        return None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        diags.error("theme-invalid", f"not valid YAML: {str(exc).splitlines()[0]}", *where)
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        diags.error("theme-invalid", f"a theme.yaml is a mapping (name, colours, fonts)", *where)
        return None
    return data


def _values(data: dict, field: str, pattern: re.Pattern, what: str, path: Path, diags: Diagnostics,
            where) -> dict[str, str]:
    values = data.get(field) or {}
    if not isinstance(values, dict):
        diags.error("theme-invalid", f"{field} is a mapping of name -> {what}", *where)
        return {}
    out = {}
    for key, value in values.items():
        if not isinstance(key, str) or not KEY_RE.match(key):
            diags.error("theme-invalid", f"{field} name {key!r} must be lower-case letters, digits "
                        "and hyphens", *where)
        elif not isinstance(value, str) or not pattern.match(value):
            diags.error("theme-invalid", f"{field}.{key} is {value!r}, not {what}", *where)
        else:
            out[key] = value
    return out


def _theme_logo(folder: Path, diags: Diagnostics) -> tuple[Path | None, str]:
    """theme.yaml's `logo: {file, alt}`: a file inside the theme's folder, and its text alternative."""
    import yaml  # noqa: PLC0415

    path = folder / THEME_FILE
    data = yaml.safe_load(read_input(path, (folder.resolve(),), "yaml", str(path))) if path.exists() else None
    logo = data.get("logo") if isinstance(data, dict) else None
    if logo is None:
        return None, ""
    if not (isinstance(logo, dict) and isinstance(logo.get("file"), str) and isinstance(logo.get("alt"), str)
            and logo["alt"].strip() and set(logo) == {"file", "alt"}):
        diags.error("theme-invalid", "logo is {file: <image in the theme's folder>, alt: <what it shows>}", path)
        return None, ""
    file = (folder / logo["file"]).resolve()
    if not file.is_relative_to(folder.resolve()):
        diags.error("theme-path-outside", f"logo '{logo['file']}' is outside the theme's folder", path)
        return None, ""
    if not file.is_file():
        diags.error("theme-file-missing", f"logo '{logo['file']}' not found", path)
        return None, ""
    return file, logo["alt"].strip()


def _theme_data(folder: Path, diags: Diagnostics, where) -> tuple[dict[str, str], dict[str, str]]:
    path = folder / THEME_FILE
    if not path.exists():
        return {}, {}
    where = (path,)  # a mistake inside a theme's file is located in that file
    data = _parse_theme_yaml(path, folder.resolve(), diags, where)
    if data is None:
        return {}, {}
    fields = ["name", "description", "colours", "fonts", "logo"]
    unknown = sorted(set(data) - set(fields))
    for key in unknown:
        diags.error("theme-invalid", f"unknown field '{key}'" + did_you_mean(str(key), fields), *where)
    return (_values(data, "colours", COLOUR_RE, "a colour #rgb or #rrggbb", path, diags, where),
            _values(data, "fonts", FONT_RE, "a font family name", path, diags, where))


def _check_css(theme: Theme, diags: Diagnostics, where) -> None:
    """Every stylesheet of an untrusted theme: readable within its limits, and safe to inline."""
    own = theme.folders[0]
    for name in sorted({n for names in STYLESHEETS.values() for n in names}):
        if not (own / name).exists():
            continue
        where = (own / name,)
        try:
            text = read_input(own / name, (own.resolve(),), "css", f"{own}/{name}").decode("utf-8")
        except InputError as exc:
            diags.error(f"theme-{exc.code}", exc.message, *where)
            continue
        except UnicodeDecodeError:
            diags.error("theme-invalid", f"not UTF-8 text", *where)
            continue
        if UNSAFE_CSS.search(text):
            diags.error("theme-invalid", f"'</' or '<!--' cannot appear in a stylesheet "
                        "that is inlined in the HTML page", *where)


def theme_folder(report_dir: Path, name: str) -> Path | None:
    """Where a theme named in report.yaml is: the report's themes/<name>/, then the shipped ones."""
    if name == DEFAULT:
        return STYLES_DIR
    for folder in (report_dir / "themes" / name, THEMES_DIR / name):
        if folder.is_dir():
            return folder
    return None


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
            local = [p.name for p in (report_dir / "themes").iterdir() if p.is_dir()] \
                if (report_dir / "themes").is_dir() else []
            choices = sorted(set(shipped_themes()) | set(local))
            diags.error("theme-unknown", f"no theme '{name}' (themes: {', '.join(choices)})"
                        + did_you_mean(name, choices), *where)
            return None
    before = len(diags.errors)
    colours, fonts = _theme_data(STYLES_DIR, diags, where)
    if folder.resolve() != STYLES_DIR.resolve():
        own_colours, own_fonts = _theme_data(folder, diags, where)
        colours, fonts = {**colours, **own_colours}, {**fonts, **own_fonts}
    folders = (folder,) if folder.resolve() == STYLES_DIR.resolve() else (folder, STYLES_DIR)
    logo, logo_alt = (None, "") if diags.errors[before:] else _theme_logo(folder, diags)
    theme = Theme(name, folders, tuple(colours.items()), tuple(fonts.items()), logo, logo_alt)
    if not folder.resolve().is_relative_to(THEMES_DIR.resolve()) and folder.resolve() != STYLES_DIR.resolve():
        _check_css(theme, diags, where)
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
