"""Furniture words: everything an output prints that is neither the author's prose nor the
framework's data ("Figure", "on page", "Skip to main content", "Page 3 of 27", the month names),
as data, one file per language, chosen by the document's language (issue 25).

A theme's folder holds them (the default theme: styles/):

    words.yaml        the base language's words (English: report.yaml and the frameworks are
                      written in it); also the list of every key, which every other file must give
    words.cy.yaml     Welsh: named by the language's subtag before the extension, as an edition's
                      files are (generator/editions.py)

A theme inherits the default theme's words key by key: its own words.<lang>.yaml need give only
the words it changes, and may add a language the default lacks. A language with no words file,
or whose files leave out a key, is a located error (`words-missing`) naming the key and the
language; reportgen never prints the base language's word in its place. A value may name
placeholders in braces ("Page {page} of {pages}"; `{{` and `}}` are braces themselves): only those
its key offers (`PLACEHOLDERS`), else `words-invalid` at its line. `months` is a list of the twelve
month names.

A theme that is not shipped is untrusted: its words files are read through `generator.inputs`
(confined to its folder, regular, at most 2 MB), and each mistake is located at its line.

Imports only diagnostics, editions, inputs, resources and themes (and YAML when it reads a file).
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePath

from generator.diagnostics import Diagnostics, did_you_mean
from generator.editions import LANGUAGE_TAG, Edition, edition_path
from generator.inputs import InputError, read_input
from generator.resources import STYLES_DIR
from generator.themes import Theme, is_packaged, present, theme_or_default

WORDS_FILE = "words.yaml"
BASE_SUBTAG = "en"  # the language of the unsuffixed words.yaml
# the placeholders each key's words may name (a key not listed takes none)
PLACEHOLDERS = {
    "key_band_top": {"rating", "low"},
    "key_band": {"rating", "low", "high"},
    "page_of": {"page", "pages"},
    "key_note": {"count", "max"},
    "long_date": {"day", "month", "year"},
    "month_year": {"month", "year"},
    "cover_imprint": {"publisher", "date"},
}
LISTS = {"months": 12}  # keys whose words are a list of so many entries
TEXT_MAX = 300
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_STR = "tag:yaml.org,2002:str"


class WordsError(Exception):
    """Words a caller asked for that its `Words` lacks: a bug (words_for checked every key)."""


@dataclass(frozen=True)
class Words:
    """The furniture words of one language: `words["figure"]`, `words.fill("page_of", page=3, pages=27)`."""

    language: str  # the document's language tag, as report.yaml gives it: "cy-GB"
    values: tuple[tuple[str, str | tuple[str, ...]], ...]

    def __getitem__(self, key: str):
        for name, value in self.values:
            if name == key:
                return value
        raise WordsError(f"no words '{key}' for {self.language}")

    def fill(self, key: str, **values) -> str:
        """The words of `key` with its placeholders filled in (each placeholder's value as text)."""
        return "".join(literal + (str(values[name]) if name is not None else "")
                       for literal, name in _pieces(self[key]))

    def pieces(self, key: str) -> list[tuple[str, str | None]]:
        """The words of `key` as (text, placeholder or None) pairs: for a writer that puts a field
        (the DOCX's PAGE) or a CSS counter where a placeholder is."""
        return _pieces(self[key])

    def long_date(self, value) -> str:
        """A date in words: "15 January 2024", "15 Ionawr 2024"."""
        value = as_date(value)
        return self.fill("long_date", day=value.day, month=self["months"][value.month - 1], year=value.year)

    def month_year(self, value) -> str:
        """A month in words: "March 2024", "Mawrth 2024"."""
        value = as_date(value)
        return self.fill("month_year", month=self["months"][value.month - 1], year=value.year)


def as_date(value) -> dt.date:
    """A date, or report.yaml's "YYYY-MM-DD" / "YYYY-MM" text as one (ValueError otherwise)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value if len(value) > 7 else value + "-01")
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM)")


def _pieces(text: str) -> list[tuple[str, str | None]]:
    return [(literal, name) for literal, name, _spec, _conversion in string.Formatter().parse(text)]


def words_file_name(language: str) -> str:
    """The words file of `language`: "words.yaml" for the base language, else named by its subtag
    as an edition's files are: "cy-GB" -> "words.cy.yaml"."""
    edition = Edition(language, primary=False)
    return WORDS_FILE if edition.subtag == BASE_SUBTAG else edition_path(PurePath(WORDS_FILE), edition).name


def words_for(theme: Theme | None, language: str, diags: Diagnostics, where: tuple = ()) -> Words | None:
    """The furniture words a document in `language` (a BCP 47 tag, e.g. "cy-GB") prints, from
    `theme` (None: the default theme): its own words files laid over the default theme's, key by
    key. None, with located errors in `diags`, when the theme's words files are broken, no theme
    folder has a words file for the language (`words-missing` at `where`: (path, line, column) of
    the language's tag, e.g. report.yaml's metadata.language), or the language's files leave out a
    key the base language's words.yaml has (`words-missing` naming the key and the language).

    This is the one lookup: the build calls it once for each edition's language."""
    theme = theme_or_default(theme)
    before = len(diags.errors)
    folders = tuple(reversed(theme.folders))  # the default theme's styles/ first, the theme's own last
    base = _merged(folders, WORDS_FILE, diags)
    name = words_file_name(language)
    found = [folder for folder in folders if present(folder / name)]
    if not found:
        have = sorted({language_of(p.name) for folder in folders for p in _words_files(folder)})
        diags.error("words-missing", f"there are no words for the language '{language}' (the words reportgen "
                    "prints around the text: 'Figure', 'on page', the month names…): reportgen has them for "
                    f"{', '.join(have)}; give the report's language as one of these, or give the words in a "
                    f"theme's {name} (README, \"Words\" under \"Themes\")", *where)
        return None
    chosen = base if name == WORDS_FILE else _merged(folders, name, diags)
    if len(diags.errors) != before:
        return None
    last = found[-1] / name
    for key, (base_value, _line) in base.items():
        if key not in chosen:
            shown = base_value if isinstance(base_value, str) else ", ".join(base_value)
            diags.error("words-missing", f"'{key}' has no words in {language}: add {key}: … (the {BASE_SUBTAG} "
                        f"words are {shown!r}) to {name}", last, 1)
    if len(diags.errors) != before:
        return None
    return Words(language, tuple((key, chosen[key][0]) for key in base))


def language_of(file_name: str) -> str:
    """The language subtag a words file is for: "words.yaml" -> "en", "words.cy.yaml" -> "cy"."""
    parts = file_name.split(".")
    return parts[1] if len(parts) == 3 else BASE_SUBTAG


def _words_files(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if re.fullmatch(r"words(\.[a-z]{2,3})?\.yaml", p.name)]
    except OSError:
        return []


def _merged(folders: tuple[Path, ...], name: str, diags: Diagnostics) -> dict:
    """key -> (words, line) of `name` in `folders`, each folder's laid over the one before."""
    out: dict = {}
    for folder in folders:
        if present(folder / name):
            out.update(_read(folder, name, diags))
    return out


def _read(folder: Path, name: str, diags: Diagnostics) -> dict:
    if is_packaged(folder):
        found, problems = _read_packaged(folder / name)
        for problem in problems:
            diags.error(*problem)
        return dict(found)
    return _parse(folder / name, diags)


@lru_cache(maxsize=16)
def _read_packaged(path: Path) -> tuple[tuple, tuple]:
    """A shipped words file, read once a process (not recorded among the report's reads: it is the
    package's own, as styles/blocks.yaml is)."""
    diags = Diagnostics()
    found = _parse(path, diags, packaged=True)
    return tuple(found.items()), tuple((d.code, d.message, d.path, d.line, d.column) for d in diags.errors)


def _parse(path: Path, diags: Diagnostics, packaged: bool = False) -> dict:
    """key -> (words, line) of one words file, every mistake located in it."""
    import yaml  # noqa: PLC0415

    try:
        raw = path.read_bytes() if packaged else read_input(path, (path.parent.resolve(),), "yaml", str(path))
        text = raw.decode("utf-8")
    except InputError as exc:
        diags.error(f"theme-{exc.code}", exc.message, path)
        return {}
    except UnicodeDecodeError as exc:
        diags.error("words-invalid", f"not UTF-8 text (byte {exc.start})", path, raw[: exc.start].count(b"\n") + 1)
        return {}
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        diags.error("words-invalid", f"not valid YAML: {exc.problem or exc.context or 'invalid'}", path,
                    mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
        return {}
    except (yaml.YAMLError, RecursionError) as exc:
        diags.error("words-invalid", f"not valid YAML: {str(exc).splitlines()[0] if str(exc) else 'nested too deeply'}",
                    path, 1)
        return {}
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        diags.error("words-invalid", "a words file is a mapping of key: words", path, *_at(node))
        return {}
    base = None if path == STYLES_DIR / WORDS_FILE else _base_keys()
    out = {}
    for key_node, value_node in node.value:
        key = _string(key_node)
        if key is None:
            diags.error("words-invalid", f"{key_node.value!r} is not a key of words", path, *_at(key_node))
            continue
        if key in out:
            diags.error("words-invalid", f"'{key}' is given twice (first at line {out[key][1]})", path, *_at(key_node))
            continue
        if base is not None and key not in base:
            diags.error("words-invalid", f"unknown key '{key}': no words are printed by it"
                        + (did_you_mean(key, base) or f" (the keys are those of the default theme's {WORDS_FILE})"),
                        path, *_at(key_node))
            continue
        value = _value(key, value_node, path, diags)
        if value is not None:
            out[key] = (value, key_node.start_mark.line + 1)
    return out


def _base_keys() -> frozenset[str]:
    """Every key of words: the default theme's words.yaml's."""
    found, _problems = _read_packaged(STYLES_DIR / WORDS_FILE)
    return frozenset(key for key, _ in found)


def _value(key: str, node, path: Path, diags: Diagnostics):
    """The words of `key` (text; for a key of LISTS, a tuple of texts), or None with an error."""
    import yaml  # noqa: PLC0415

    if key in LISTS:
        count = LISTS[key]
        items = [_string(item) for item in node.value] if isinstance(node, yaml.SequenceNode) else None
        if items is None or len(items) != count or any(not _plain_text(item) for item in items):
            diags.error("words-invalid", f"{key} is a list of {count} words, each a line of text: "
                        f"[{', '.join(['…'] * 3)}]", path, *_at(node))
            return None
        return tuple(items)
    text = _string(node)
    if not _plain_text(text):
        diags.error("words-invalid", f"{key}: the words are a line of text of at most {TEXT_MAX} characters, with no "
                    "control characters", path, *_at(node))
        return None
    allowed = PLACEHOLDERS.get(key, set())
    try:
        pieces = list(string.Formatter().parse(text))
    except ValueError as exc:
        diags.error("words-invalid", f"{key}: {exc}: write a brace itself as '{{{{' or '}}}}'", path, *_at(node))
        return None
    for _literal, name, spec, conversion in pieces:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            offered = (f"its placeholders are {', '.join('{' + p + '}' for p in sorted(allowed))}" if allowed
                       else "it takes none")
            diags.error("words-invalid", f"{key}: unknown placeholder {{{name}{'!' + conversion if conversion else ''}"
                        f"{':' + spec if spec else ''}}}: {offered} (write a brace itself as '{{{{')",
                        path, *_at(node))
            return None
    return text


def _plain_text(text: str | None) -> bool:
    return text is not None and bool(text.strip()) and len(text) <= TEXT_MAX and not CONTROL.search(text)


def _at(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _string(node) -> str | None:
    import yaml  # noqa: PLC0415

    return node.value if isinstance(node, yaml.ScalarNode) and node.tag == _STR else None


def stand_in() -> Words:
    """The default theme's base-language words, for a check to go on with after `words_for` found
    none for a document's language (the build stops at that error: nothing printed with them)."""
    return words_for(None, BASE_SUBTAG, Diagnostics())


def words_of(doc) -> Words:
    """A document's words (`doc.words`, set by assemble); for a document made without them (a
    test's), the default theme's words for its language, which must be there (WordsError)."""
    words = getattr(doc, "words", None)
    if words is not None:
        return words
    diags = Diagnostics()
    words = words_for(getattr(doc, "theme", None), doc.info.language, diags)
    if words is None:
        raise WordsError("; ".join(d.message for d in diags.errors))
    return words
