"""Stage 4, merge: render each chapter as a Jinja2 template over the resolved findings.

A chapter is untrusted text, so the template engine is bounded on every side:

- it sees **plain data only**: strings, numbers, booleans, None, tuples and read-only mappings of
  them (`context()`); no model object, and no method of any value is callable (`is_safe_attribute`
  refuses every callable attribute, `str.format` included); the callables are the declared filters
  and a bounded `range`;
- it **cannot build huge values**: `*`, `**`, `+`, `%` and `~` check the size of their result
  before computing it; filter arguments and results are bounded; `range` draws on a budget of
  iterations per chapter;
- each render has a **time limit and an output-size limit**, and so has the whole merge; going
  over is a located `jinja-limit` error, never a hang. A memory ceiling (RLIMIT_AS) is a last guard.

A misspelt name is a located error, never an empty string. Errors are reported at the chapter's
own file and line. A chapter whose template fails is still handed on, as its text with the
template constructs blanked (`complete=False`, `templated_lines`), so that parse can report its
Markdown problems on the lines no construct touches: every problem at once.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from generator.diagnostics import Diagnostics, did_you_mean
from generator.limits import memory_ceiling
from generator.stages.load import ChapterFile
from generator.stages.resolve import Resolved, ResolvedStandard
from generator.stages.validate.cross_checks import details_values
from generator.words import Words, stand_in, words_for


@dataclass(frozen=True)
class MergedChapter:
    source: ChapterFile
    text: str
    complete: bool = True  # False: the template failed; `text` is the source with its constructs blanked
    templated_lines: frozenset[int] = frozenset()  # (incomplete) the source lines a construct touched
    reads: frozenset[tuple[str, str]] = frozenset()  # what it read of report.yaml's data bags (READ_TRACKED):
    # ("sample", "licences"); ("links", "*") where it used the whole mapping (a loop, a filter)


TEMPLATE_CONSTRUCT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
PLACEHOLDER = "template-value"  # what an expression of an unmerged chapter reads as


def unmerged(chapter: ChapterFile) -> MergedChapter:
    """A chapter whose template failed, as the Markdown around its template: every construct
    blanked (PLACEHOLDER for an expression, nothing for a statement or comment), its line breaks kept, so
    that each line stays where it was; the lines a construct touched are named."""
    touched: set[int] = set()

    def blank(match: re.Match) -> str:
        first = chapter.text.count("\n", 0, match.start()) + 1
        touched.update(range(first, first + match[0].count("\n") + 1))
        return (PLACEHOLDER if match[0].startswith("{{") else "") + "\n" * match[0].count("\n")

    return MergedChapter(chapter, TEMPLATE_CONSTRUCT.sub(blank, chapter.text), False, frozenset(touched))


class Limits:
    """The bounds of one merge; a class attribute each, so tests can tighten them."""

    chapter_seconds = 5.0  # one chapter's render
    merge_seconds = 20.0  # all chapters together
    chapter_output = 5 * 1024 * 1024  # characters one chapter may render to
    merge_output = 20 * 1024 * 1024
    value_size = 1024 * 1024  # characters (or items) one computed value may hold
    iterations = 1_000_000  # items `range` may produce in one chapter
    argument = 10_000  # the largest number a filter takes as an argument (a width, a count)
    memory_headroom = 1024 * 1024 * 1024  # bytes of address space a render may add


class TemplateLimit(Exception):
    """A chapter went over one of the Limits."""


class PrintedObject(Exception):
    """A chapter printed something that is not text or a number (a mapping, a list, None)."""


def printable(value):
    """The `finalize` of every `{{ ... }}`: text and numbers print; a mapping, a list or None is a
    slip (`{{ standards["P2.1"].rating }}`) that would print Python internals: `PrintedObject`,
    with what to write instead."""
    if isinstance(value, (str, int, float, jinja2.Undefined)) and not isinstance(value, bool):
        return value  # an Undefined raises its own located jinja-undefined when printed
    if value is None:
        raise PrintedObject("this prints nothing (the value is empty, e.g. the rating of a standard that is "
                            "not rated): test it first ({% if ... %}) or give a default (| default('...'))")
    if isinstance(value, MappingProxyType):
        keys = list(value)
        hint = next((k for k in ("label", "title", "name", "value") if k in value), None)
        instead = (f"write '.{hint}' to print its {hint}" if hint
                   else f"print one of its fields ({', '.join(keys[:8])}{', ...' if len(keys) > 8 else ''})")
        raise PrintedObject(f"this prints a whole mapping, not text: {instead}")
    if isinstance(value, (tuple, list)):
        raise PrintedObject("this prints a list, not text: loop over it ({% for x in ... %}) or write "
                            "| join(', ')")
    if isinstance(value, bool):
        raise PrintedObject("this prints True or False: test it with {% if ... %} instead")
    raise PrintedObject(f"this prints a {type(value).__name__}, not text or a number")


# --------------------------------------------------------------------------- plain data

def date_filters(words: Words) -> dict:
    """The chapters' date filters, in the document's words (generator/words.py): `long_date`
    (15 January 2024, 15 Ionawr 2024) and `month_year` (March 2024, Mawrth 2024)."""
    return {"long_date": words.long_date, "month_year": words.month_year}


def _no_words(value) -> str:
    raise RuntimeError("the date filters are the document's: merge() sets them")


def plain(value):
    """`value` as plain immutable data: str, int, float, bool, None, tuples and read-only mappings;
    dates become ISO strings. Anything else is a programming error, never handed to a template."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return tuple(plain(v) for v in value)
    if isinstance(value, dict) or isinstance(value, MappingProxyType):
        return MappingProxyType({str(k): plain(v) for k, v in value.items()})
    if hasattr(value, "model_dump"):  # a validated (pydantic) value: its fields, as data
        return plain(value.model_dump(by_alias=False))
    raise TypeError(f"not plain data: {type(value).__name__}")


def _standard(rs: ResolvedStandard) -> dict:
    code = {"code": rs.standard.code} if rs.standard.code is not None else {}  # none: using it is jinja-undefined
    return {
        "id": rs.id, **code, "title": rs.standard.title, "statement": rs.standard.statement,
        "rated_by": rs.standard.rated_by, "domain": {"id": rs.domain.id, "title": rs.domain.title},
        "rating": rs.rating.model_dump() if rs.rating else None, "points": rs.points,
        "key_questions": [{"question": kq.question, "value": kq.value, "lowest": kq.lowest}
                          for kq in rs.key_questions],
        "lowest": rs.lowest, "band_description": rs.band_description,
    }


FILTERS = {"long_date": _no_words, "month_year": _no_words}  # compiled against; merge() gives the document's

# report.yaml's bags of data that only a chapter prints: assemble checks each key is read by one
# (a sample size or a link no chapter uses is data no part prints)
READ_TRACKED = ("sample", "links", "details")


def context(resolved: Resolved, words: Words) -> MappingProxyType:
    """What a chapter can read (README, "Using findings inside Markdown"): plain data only, a
    number grouped in the document's words."""
    spec = resolved.validated.report
    sample = dict(spec.sample)
    if isinstance(sample.get("community_orders"), int) and isinstance(sample.get("licences"), int):
        sample.setdefault("cases", sample["community_orders"] + sample["licences"])
    names = {
        "report": spec.metadata,
        "sample": sample,
        "links": dict(spec.links),
        "standards": {sid: _standard(rs) for sid, rs in resolved.standards.items()},
        "details": details_values(resolved.framework, spec.details, words),  # the framework's own facts, typed
        # each domain; `rating` only where the framework rates it from points (None: none of its standards counts)
        "domains": {d.id: {"id": d.id, "title": d.title,
                           **({"rating": rated.model_dump() if (rated := resolved.domain_ratings[d.id]) else None}
                              if d.id in resolved.domain_ratings else {})}
                    for d in resolved.framework.domains},
    }
    # a framework that gives no score (or no overall rating) offers none: using one is a located
    # jinja-undefined error, never a printed "None" or "0/0"
    if resolved.score is not None:
        names.update(score=resolved.score, max_score=resolved.max_score)
    if resolved.overall is not None:
        names["overall"] = resolved.overall.label
    return plain(names)


# --------------------------------------------------------------------------- the bounded sandbox

def _size(value) -> int:
    return len(value) if isinstance(value, (str, tuple, list, bytes)) else 0


def _check_size(value, what: str = "a value"):
    if _size(value) > Limits.value_size:
        raise TemplateLimit(f"{what} would hold {_size(value):,} characters; at most {Limits.value_size:,}")
    return value


def _bounded_binop(operator: str, left, right):
    numbers = (int, float)
    if operator == "%" and isinstance(left, str):
        raise SecurityError("string formatting ('%') is not allowed in a chapter; use {{ }} and filters")
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, tuple, list)) and isinstance(count, int) and count * len(seq) > Limits.value_size:
                raise TemplateLimit(f"a repeated value would hold {count * len(seq):,} items; "
                                    f"at most {Limits.value_size:,}")
    if operator == "**" and isinstance(left, numbers) and isinstance(right, numbers):
        if abs(right) > 1024 or (abs(left) > 1 and right * math.log2(abs(left)) > 1024):
            raise TemplateLimit(f"{left} ** {right} is too large a number")
    if operator == "+" and _size(left) + _size(right) > Limits.value_size:
        raise TemplateLimit(f"joining two values of {_size(left):,} and {_size(right):,} characters")
    result = ImmutableSandboxedEnvironment.default_binop_table[operator](left, right)
    if isinstance(result, int) and not isinstance(result, bool) and result.bit_length() > 4096:
        raise TemplateLimit("a number too large to print")
    return result


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` (and implicit concatenation) through the environment's bounded join."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:  # noqa: N802 - Jinja's visitor name
        self.write("environment.bounded_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _bounded_filter(name: str, func):
    """A built-in filter whose numeric arguments and result are bounded."""
    skip = 1 if hasattr(func, "jinja_pass_arg") else 0  # the context Jinja passes first

    def wrapper(*args, **kwargs):
        value, rest = (args[skip] if len(args) > skip else None), list(args[skip + 1:]) + list(kwargs.values())
        for arg in rest:
            if isinstance(arg, (int, float)) and not isinstance(arg, bool) and abs(arg) > Limits.argument:
                raise TemplateLimit(f"filter '{name}': argument {arg} is larger than {Limits.argument:,}")
        if name == "replace" and len(rest) >= 2 and isinstance(value, str):
            old, new = str(rest[0]), str(rest[1])
            estimate = len(value) + (value.count(old) if old else len(value) + 1) * len(new)
            if estimate > Limits.value_size:
                raise TemplateLimit(f"filter 'replace' would make {estimate:,} characters; at most "
                                    f"{Limits.value_size:,}")
        return _check_size(func(*args, **kwargs), f"the result of filter '{name}'")

    wrapper.__name__ = func.__name__
    if skip:
        wrapper.jinja_pass_arg = func.jinja_pass_arg
    return wrapper


# The built-in filters a report needs; the others (format, center, indent, wordwrap, pprint, random,
# xmlattr, urlize, attr, safe, ...) are not available in a chapter.
ALLOWED_FILTERS = ("abs", "capitalize", "count", "d", "default", "dictsort", "first", "float", "int", "items",
                   "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr",
                   "replace", "reverse", "round", "select", "selectattr", "sort", "string", "striptags", "sum",
                   "title", "trim", "truncate", "unique", "upper", "wordcount", "batch", "slice", "groupby",
                   "filesizeformat", "e", "escape")


class ChapterEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox chapters render in: plain data, declared filters, bounded everything."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def __init__(self):
        # Comments are {## ... ##}, so that Markdown's attribute lists ({#anchor}) pass through.
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
                         comment_start_string="{##", comment_end_string="##}", finalize=printable)
        self.filters = {name: _bounded_filter(name, self.filters[name]) for name in ALLOWED_FILTERS}
        self.filters.update(FILTERS)
        self.globals.clear()  # no lipsum, cycler, joiner, namespace, dict
        self.globals["range"] = self._range
        self.iterations = Limits.iterations
        self.reads: set[tuple[str, str]] = set()
        self.tracked: dict[int, str] = {}  # id of a READ_TRACKED mapping of the context -> its name (merge sets it)

    def _range(self, *args):
        for arg in args:
            if not isinstance(arg, int) or isinstance(arg, bool):
                raise TemplateLimit(f"range() takes whole numbers, not {arg!r}")
        items = range(*args)
        self.iterations -= len(items)
        if self.iterations < 0:
            raise TemplateLimit(f"loops over range() went past {Limits.iterations:,} items in this chapter")
        return items

    def bounded_join(self, parts) -> str:
        strings = [str(p) for p in parts]
        total = sum(map(len, strings))
        if total > Limits.value_size:
            raise TemplateLimit(f"'~' would make a value of {total:,} characters; at most {Limits.value_size:,}")
        return "".join(strings)

    def call_binop(self, context, operator, left, right):
        return _bounded_binop(operator, left, right)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        # Plain data only: no method of any value (str.upper, dict.items, str.format) is callable.
        return not callable(value) and super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value):
        return None  # str.format and format_map are methods like any other: refused

    def getattr(self, obj, attribute):
        # A mapping's keys come before its methods: `sample.items` is the sample called "items".
        if isinstance(obj, MappingProxyType) and attribute in obj:
            self._note_read(obj, attribute)
            return obj[attribute]
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        if isinstance(obj, MappingProxyType) and isinstance(argument, str) and argument in obj:
            self._note_read(obj, argument)
        return super().getitem(obj, argument)

    def _note_read(self, obj, key: str) -> None:
        name = self.tracked.get(id(obj))
        if name is not None:
            self.reads.add((name, key))


def environment() -> ChapterEnvironment:
    return ChapterEnvironment()


_COMPILER = environment()  # compiles only: rendering uses a fresh environment per merge


@contextmanager
def _deadline(filename: str, seconds: float):
    """Raise TemplateLimit inside the template's own code once `seconds` have passed (a trace on the
    template's frames only; filters and the engine run untraced)."""
    end = time.monotonic() + seconds
    previous = sys.gettrace()

    def local(frame, event, arg):
        if time.monotonic() > end:
            raise TemplateLimit(f"the chapter took more than {seconds:g} s to render")
        return local

    def tracer(frame, event, arg):
        if frame.f_code.co_filename == filename:
            if time.monotonic() > end:
                raise TemplateLimit(f"the chapter took more than {seconds:g} s to render")
            return local
        return None

    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


def _names(value) -> list[str]:
    """The names an expression can read on `value`: a mapping's keys."""
    return [str(k) for k in value.keys()] if isinstance(value, MappingProxyType) else []


def undefined_message(message: str, source_line: str, ctx: dict) -> str:
    """Jinja's 'X object has no attribute Y' said in the author's terms: the expression as written
    in the chapter, and the names that do exist there."""
    missing = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined", message)
    if missing is None:
        return message
    name = missing[1] or missing[2]
    if missing[2]:  # a top-level name
        return f"'{name}' is not defined" + (did_you_mean(name, ctx) or f"; names available: {', '.join(sorted(ctx))}")
    candidates = [m[1] for m in re.finditer(rf"([A-Za-z_]\w*(?:\.\w+|\[[^\]]+\])*)\.{re.escape(name)}\b",
                                            source_line)]
    if not candidates:
        return f"no '{name}' here"
    # the expression of the line whose owner really lacks the name (a line may have several)
    owner = next((c for c in candidates if not _has(_lookup(c, ctx), name)), candidates[0])
    value = _lookup(owner, ctx)
    if value is None:
        why = " (the standard is not rated)" if re.search(r"^standards\[[^\]]+\]\.rating$", owner) else ""
        return (f"'{owner}' is empty here{why}, so '{owner}.{name}' cannot be printed: reword the sentence, "
                "or test it first ({% if ... %})")
    known = _names(value) if value is not _UNKNOWN else []
    return f"'{owner}.{name}' is not defined: '{owner}' has no '{name}'" + (
        did_you_mean(name, known) or (f"; it has: {', '.join(known)}" if known else ""))


_UNKNOWN = object()
_STEP = re.compile(r"\.(\w+)|\[\s*(?:'([^']*)'|\"([^\"]*)\"|(\d+))\s*\]")


def _lookup(expression: str, ctx):
    """The value of `name.attr["key"][0]...` in the context, or _UNKNOWN."""
    first = re.match(r"[A-Za-z_]\w*", expression)
    value = ctx.get(first[0], _UNKNOWN) if first else _UNKNOWN
    at = first.end() if first else len(expression)
    while at < len(expression) and value is not _UNKNOWN:
        step = _STEP.match(expression, at)
        if step is None:
            return _UNKNOWN
        at = step.end()
        if step[4] is not None:
            value = value[int(step[4])] if isinstance(value, tuple) and int(step[4]) < len(value) else _UNKNOWN
        else:
            key = step[1] or step[2] or step[3] or ""
            value = value.get(key, _UNKNOWN) if isinstance(value, MappingProxyType) else _UNKNOWN
    return value


def _has(value, name: str) -> bool:
    return value is _UNKNOWN or (isinstance(value, MappingProxyType) and name in value)


def _template_line(exc: BaseException, filename: str) -> int:
    """The line of the chapter template where a runtime error happened (Jinja rewrites frames)."""
    line = 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno or line
    return line


def _render(env: ChapterEnvironment, template, ctx, filename: str, seconds: float) -> str:
    """Render through `generate()`, counting output as it comes, under the deadline and ceiling."""
    env.iterations = Limits.iterations
    out, size = [], 0
    with memory_ceiling(Limits.memory_headroom), _deadline(filename, seconds):
        for chunk in template.generate(ctx):
            size += len(chunk)
            if size > Limits.chapter_output:
                raise TemplateLimit(f"the chapter renders to more than {Limits.chapter_output:,} characters")
            out.append(chunk)
    return "".join(out)


@lru_cache(maxsize=64)
def _compiled(text: str, name: str, filename: str):
    """A chapter's template compiled to Python code: a pure function of its text and name, kept,
    so that a process that merges again (`reportgen serve`) recompiles only the chapters that
    changed. Compiling does not depend on the environment's state (only on its class and syntax)."""
    return _COMPILER.compile(text, name=name, filename=filename)


def merge_chapter(env: ChapterEnvironment, chapter: ChapterFile, ctx, diags: Diagnostics,
                  seconds: float | None = None) -> MergedChapter | None:
    filename = str(chapter.path)
    seconds = Limits.chapter_seconds if seconds is None else seconds
    try:
        code = _compiled(chapter.text, chapter.name, filename)
    except jinja2.TemplateSyntaxError as exc:
        diags.error("jinja-syntax", f"template syntax: {exc.message}", chapter.path, exc.lineno)
        return None
    except RecursionError:
        diags.error("jinja-limit", "the chapter's template is nested too deeply", chapter.path, 1)
        return None
    try:
        template = env.template_class.from_code(env, code, env.globals, None)
        env.reads = set()
        text = _render(env, template, ctx, filename, seconds)
    except jinja2.UndefinedError as exc:
        line = _template_line(exc, filename)
        source_line = chapter.text.splitlines()[line - 1] if 0 < line <= chapter.text.count("\n") + 1 else ""
        diags.error("jinja-undefined", undefined_message(exc.message or "", source_line, ctx), chapter.path, line)
        return None
    except PrintedObject as exc:
        line = _template_line(exc, filename)
        diags.error("jinja-object", str(exc), chapter.path, line)
        return None
    except SecurityError as exc:
        diags.error("jinja-unsafe", f"not allowed in a chapter: {exc}", chapter.path,
                    _template_line(exc, filename))
        return None
    except (TemplateLimit, MemoryError, RecursionError) as exc:
        reason = {MemoryError: "the chapter used too much memory while rendering",
                  RecursionError: "the chapter's template recursed too deeply"}.get(type(exc), str(exc))
        diags.error("jinja-limit", reason, chapter.path, _template_line(exc, filename))
        return None
    except Exception as exc:  # noqa: BLE001 - any other runtime error inside an author's expression
        diags.error("jinja-error", f"{type(exc).__name__}: {exc}", chapter.path, _template_line(exc, filename))
        return None
    return MergedChapter(chapter, text, reads=frozenset(env.reads | _wholly_used(chapter.text, chapter.name)))


@lru_cache(maxsize=64)
def _wholly_used(text: str, name: str) -> frozenset[tuple[str, str]]:
    """(bag, "*") for each READ_TRACKED name the template uses otherwise than by a key (`links |
    dictsort`, `for k in sample`): all of it may be printed, as far as a check can tell."""
    found = set()
    ast = _COMPILER.parse(text, name=name)
    keyed = {id(n.node) for n in ast.find_all((nodes.Getattr, nodes.Getitem))
             if isinstance(n.node, nodes.Name) and (isinstance(n, nodes.Getattr) or isinstance(n.arg, nodes.Const))}
    for node in ast.find_all(nodes.Name):
        if node.name in READ_TRACKED and node.ctx == "load" and id(node) not in keyed:
            found.add((node.name, "*"))
    return frozenset(found)


def merge(resolved: Resolved, diags: Diagnostics) -> dict[str, MergedChapter]:
    env = environment()
    # the dates in the document's language: assemble reports a language with no words (words-missing)
    words = words_for(resolved.validated.theme, resolved.validated.report.metadata.language, Diagnostics()) or stand_in()
    env.filters.update(date_filters(words))
    ctx = context(resolved, words)
    env.tracked = {id(ctx[name]): name for name in READ_TRACKED}
    chapters = resolved.validated.sources.chapters
    wanted = [p.file for p in resolved.validated.report.parts]
    merged, total = {}, 0
    end = time.monotonic() + Limits.merge_seconds
    for name in dict.fromkeys(wanted):
        remaining = end - time.monotonic()
        if remaining <= 0 or total > Limits.merge_output:
            diags.error("jinja-limit", f"the chapters together took more than {Limits.merge_seconds:g} s or "
                        f"{Limits.merge_output:,} characters to render; stopped before this one",
                        chapters[name].path, 1)
            break
        result = merge_chapter(env, chapters[name], ctx, diags, min(Limits.chapter_seconds, remaining))
        if result:
            merged[name] = result
            total += len(result.text)
        else:  # its Markdown can still be checked
            merged[name] = unmerged(chapters[name])
    return merged
