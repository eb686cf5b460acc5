"""Stage 4, merge: render each chapter as a Jinja2 template over the resolved findings.

The environment is sandboxed and strict: a misspelt name is a located error, never an empty
string. Errors are reported at the chapter's own file and line.
"""

from __future__ import annotations

import datetime as dt
import re
import traceback
from dataclasses import dataclass
from types import MappingProxyType

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from generator.diagnostics import Diagnostics, did_you_mean
from generator.stages.load import ChapterFile
from generator.stages.resolve import Resolved


@dataclass(frozen=True)
class MergedChapter:
    source: ChapterFile
    text: str


def long_date(value: dt.date) -> str:
    """15 January 2024"""
    return f"{value.day} {value:%B %Y}"


def month_year(value: dt.date) -> str:
    """March 2024"""
    return f"{value:%B %Y}"


FILTERS = {"long_date": long_date, "month_year": month_year}


def context(resolved: Resolved) -> dict:
    """What a chapter can read: names documented in README, "Using findings in Markdown"."""
    spec = resolved.validated.report
    sample = dict(spec.sample)
    if {"community_orders", "licences"} <= sample.keys():
        sample.setdefault("cases", sample["community_orders"] + sample["licences"])
    return {
        "report": spec.metadata,
        "sample": MappingProxyType(sample),
        "links": MappingProxyType(dict(spec.links)),
        "standards": MappingProxyType(resolved.standards),
        "score": resolved.score,
        "max_score": resolved.max_score,
        "overall": resolved.overall.label if resolved.overall else None,
    }


def environment() -> SandboxedEnvironment:
    # Comments are {## ... ##}, so that Markdown's attribute lists ({#anchor}) pass through.
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False,
                               keep_trailing_newline=True, comment_start_string="{##",
                               comment_end_string="##}")
    env.filters.update(FILTERS)
    return env


def _names(value) -> list[str]:
    """The names an expression can read on `value`: mapping keys or public attributes."""
    if hasattr(value, "keys"):
        return [str(k) for k in value.keys()]
    fields = getattr(type(value), "model_fields", None)
    return list(fields) if fields else [n for n in dir(value) if not n.startswith("_")]


def undefined_message(message: str, source_line: str, ctx: dict) -> str:
    """Jinja's 'X object has no attribute Y' said in the author's terms: the expression as written
    in the chapter, and the names that do exist there."""
    missing = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined", message)
    if missing is None:
        return message
    name = missing[1] or missing[2]
    if missing[2]:  # a top-level name
        return f"'{name}' is not defined" + (did_you_mean(name, ctx) or f"; names available: {', '.join(sorted(ctx))}")
    written = re.search(rf"([A-Za-z_]\w*(?:\.\w+|\[[^\]]+\])*)\.{re.escape(name)}\b", source_line)
    if written is None:
        return f"no '{name}' here"
    owner, value = written[1], None
    parts = re.findall(r"\w+", owner)
    value = ctx.get(parts[0])
    for part in parts[1:]:
        value = value.get(part) if hasattr(value, "get") else getattr(value, part, None)
    known = _names(value) if value is not None else []
    return f"'{owner}.{name}' is not defined: '{owner}' has no '{name}'" + (
        did_you_mean(name, known) or (f"; it has: {', '.join(known)}" if known else ""))


def _template_line(exc: BaseException, filename: str) -> int:
    """The line of the chapter template where a runtime error happened (Jinja rewrites frames)."""
    line = 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno or line
    return line


def merge_chapter(env: SandboxedEnvironment, chapter: ChapterFile, ctx: dict,
                  diags: Diagnostics) -> MergedChapter | None:
    filename = str(chapter.path)
    try:
        code = env.compile(chapter.text, name=chapter.name, filename=filename)
    except jinja2.TemplateSyntaxError as exc:
        diags.error("jinja-syntax", f"template syntax: {exc.message}", chapter.path, exc.lineno)
        return None
    try:
        text = env.template_class.from_code(env, code, env.globals, None).render(ctx)
    except jinja2.UndefinedError as exc:
        line = _template_line(exc, filename)
        source_line = chapter.text.splitlines()[line - 1] if 0 < line <= chapter.text.count("\n") + 1 else ""
        diags.error("jinja-undefined", undefined_message(exc.message or "", source_line, ctx), chapter.path, line)
        return None
    except SecurityError as exc:
        diags.error("jinja-unsafe", f"not allowed in a chapter: {exc}", chapter.path,
                    _template_line(exc, filename))
        return None
    except Exception as exc:  # any other runtime error inside an author's expression
        diags.error("jinja-error", f"{type(exc).__name__}: {exc}", chapter.path,
                    _template_line(exc, filename))
        return None
    return MergedChapter(chapter, text)


def merge(resolved: Resolved, diags: Diagnostics) -> dict[str, MergedChapter]:
    env = environment()
    ctx = context(resolved)
    chapters = resolved.validated.sources.chapters
    wanted = [p.file for p in resolved.validated.report.parts]
    merged = {}
    for name in dict.fromkeys(wanted):
        result = merge_chapter(env, chapters[name], ctx, diags)
        if result:
            merged[name] = result
    return merged
