"""`reportgen review REVIEWED.docx --apply`: the tracked insertions and deletions that fall in the
authors' prose, written back into the chapter files.

A change is applied only where it was found in the current source with its context (locate.py),
once, in text the author typed: never in computed text (report.yaml values, the framework's
titles, text printed by a template's `{{ }}`: the listing names the key to edit instead), never
where the context no longer matches (a conflict, with both texts), never two changes that
overlap. Comments are never applied. Each file is written whole, atomically (a temporary file in
its folder, then os.replace), keeping its mode; a file is written only if a change to it applies.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from generator.review.items import CHANGE, ReviewItem, clean
from generator.review.locate import as_lf


def apply(items: list[ReviewItem], report_dir: Path) -> list[str]:
    """Apply what can be applied; one line per change saying what became of it."""
    lines: list[str] = []
    edits: dict[str, list[tuple[int, int, str, ReviewItem]]] = {}
    for item in items:
        if item.kind != CHANGE:
            continue
        where = item.extra.get("where")
        reason = _refusal(item, where)
        if reason:
            lines.append(f"left {item.where()}: change[{item.ident}]: {reason}")
            continue
        start, end = where.span
        edits.setdefault(item.path, []).append((start, end, item.new, item))
    root = Path(report_dir)
    for rel, changes in sorted(edits.items()):
        path = root / rel
        try:
            data = path.read_bytes()
            bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
            text, crlf = as_lf(data.decode("utf-8-sig"))  # the places were found in it so (locate.py)
        except (OSError, UnicodeDecodeError) as exc:
            lines.extend(f"left {c[3].where()}: change[{c[3].ident}]: cannot read {rel}: {exc}" for c in changes)
            continue
        changes.sort(key=lambda c: (c[0], c[1]))
        kept, last_end = [], -1
        for change in changes:
            if change[0] < last_end or (kept and change[0] == kept[-1][0] and change[1] == kept[-1][1]):
                other = kept[-1][3] if kept else None
                lines.append(f"left {change[3].where()}: change[{change[3].ident}]: overlaps change"
                             f"[{other.ident if other else '?'}]; apply it by hand")
                continue
            kept.append(change)
            last_end = change[1]
        for start, end, new, item in reversed(kept):
            text = _replace(text, start, end, new)
        _write_atomic(path, bom + (text.replace("\n", "\r\n") if crlf else text))
        for start, end, new, item in kept:
            lines.append(f"applied {item.where()}: change[{item.ident}] {_describe(item)}")
    return [clean(line) for line in lines]  # the reviewer's words and the source's, printed


def _replace(text: str, start: int, end: int, new: str) -> str:
    """`text` with [start:end] replaced by `new`; a line the change leaves blank (a deletion of all
    its words, as of a line ended by a hard break) goes with its line break, as a blank line would
    end the paragraph in Markdown."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    changed = text[:start] + new + text[end:]
    now_end = line_end + len(new) - (end - start)
    if text[line_start:line_end].strip() and not changed[line_start:now_end].strip():
        return changed[:line_start] + changed[now_end + 1:]
    return changed


def _refusal(item: ReviewItem, where) -> str:
    """Why `item` is not applied, or ""."""
    if where is None or not item.path:
        return "not located in the source"
    if not item.path.endswith(".md") and not item.key:
        return f"{item.path} is not a chapter file: only chapters are edited"
    if item.key:
        return f"computed text: edit {item.key} in report.yaml" if item.path.endswith(".yaml") else \
            f"computed text ({item.key}): not in the report's files"
    if where.computed:
        return f"computed text: {where.computed}"
    if where.stale and already_applied(item, where):
        return "already in the source (applied before?)"
    if not where.found or where.span is None:
        return (f"conflict: the source no longer matches: built {_q(where.built)}, now {_q(where.current)}"
                if where.current else "conflict: the text was not found in the source")
    if where.ambiguous:
        return "the text is found more than once around there: apply it by hand"
    if where.stale and not where.firm:
        return (f"conflict: the source changed since the build and the text around it no longer matches: built "
                f"{_q(where.built)}, now {_q(where.current)}")
    return ""


def already_applied(item: ReviewItem, where) -> bool:
    """Whether the changed text, with its context as built, is what the source now says."""
    built = where.built
    at = built.find(item.old) if item.old else -1
    para = item.extra.get("para_before") or built
    start = item.extra.get("start", at)
    if start is None or start < 0:
        return False
    end = start + len(item.old)
    now = " ".join(where.current.split())
    left, right = para[max(0, start - 12):start], para[end:end + 12]
    # with its context on one side at least (the other may hold markup the DOCX does not show)
    forms = [left + item.new + right] + ([left + item.new, item.new + right] if item.new.strip() else [])
    return any(len(form.strip()) >= 8 and " ".join(form.split()) in now for form in forms)


def _describe(item: ReviewItem) -> str:
    if item.old and item.new:
        return f"{_q(item.old)} -> {_q(item.new)}"
    return f"inserted {_q(item.new)}" if item.new else f"deleted {_q(item.old)}"


def _q(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return '"' + (flat if len(flat) <= limit else flat[: limit - 1] + "…") + '"'


def _write_atomic(path: Path, text: str) -> None:
    """`text` as `path`'s new content: a temporary file beside it, its mode, then os.replace."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
