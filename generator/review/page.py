"""`reportgen review ... --html PAGE`: the review page, self-contained (inline CSS, no script, no
remote resource), the items grouped by the part they fall in, each with its context and a link
to its source file and line."""

from __future__ import annotations

from pathlib import Path

from generator.review.items import ReviewItem, clean


def review_page(items: list[ReviewItem], reviewed: Path, report_dir: Path) -> str:
    import jinja2  # noqa: PLC0415

    from generator.resources import TEMPLATES_DIR  # noqa: PLC0415

    root = Path(report_dir).resolve()
    groups: dict[str, list[dict]] = {}
    for item in items:
        href = ""
        if item.path:
            target = (root / item.path).resolve()
            if target.is_relative_to(root):
                href = target.as_uri() + (f"#L{item.line}" if item.line else "")
        # a report.yaml key is shown as such, once (not again at the head of the note); a framework's
        # text is said so by its note alone
        key = item.key if item.path.endswith(".yaml") else ""
        note = item.note.removeprefix(f"{key}; ") if key else item.note
        # the reviewer's words, cleaned as the listing's: no control character or bidirectional override
        groups.setdefault(clean(item.part or item.path or "Not located"), []).append({
            "kind": item.kind, "ident": clean(item.ident), "author": clean(item.author), "date": item.date,
            "where": clean(item.where()), "href": href, "key": clean(key), "text": clean(item.text),
            "anchor": clean(item.anchor), "old": clean(item.old), "new": clean(item.new),
            "context": " ".join(clean(item.context).split()), "note": clean(note)})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "review"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.get_template("review.html.j2").render(
        reviewed=Path(reviewed).name, count=len(items),
        groups=[{"title": title, "entries": entries} for title, entries in groups.items()])
