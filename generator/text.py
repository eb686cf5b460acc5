"""Stage 8, text: the normalised plain text of a built PDF or HTML file.

Used by golden tests and by `reportgen text` / `diff`: page furniture (running header, page
numbers) is dropped, words broken by a hyphen at a line end are joined, white space is folded.
"""

from __future__ import annotations

import html.parser
import re
import shutil
import subprocess
from pathlib import Path


class UnsupportedFile(Exception):
    pass


def normalise(text: str, furniture: list[str] = ()) -> str:
    text = text.replace("\u00ad", "").replace("\r", "").replace("\f", "\n")
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t\u00a0]+", " ", line).strip()
        if any(re.fullmatch(pattern, line) for pattern in furniture):
            continue
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)  # hyphen breaks (never present in our own output)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                             capture_output=True).stdout.decode("utf-8")
    else:  # pragma: no cover - poppler-utils is installed by `make`
        from pypdf import PdfReader  # noqa: PLC0415
        raw = "\f".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    pages = raw.split("\f")
    title = _first_line_header(pages)
    furniture = [r"Page \d+ of \d+"] + ([re.escape(title)] if title else [])
    return normalise("\n".join(pages), furniture)


def _first_line_header(pages: list[str]) -> str | None:
    """The running header: the first line shared by most pages."""
    firsts = [p.strip().split("\n", 1)[0].strip() for p in pages if p.strip()]
    if len(firsts) < 3:
        return None
    best = max(set(firsts), key=firsts.count)
    return best if firsts.count(best) >= len(firsts) // 2 else None


class _HtmlText(html.parser.HTMLParser):
    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "caption", "header",
              "section", "figure", "figcaption", "div", "br", "aside", "nav", "ol", "ul", "table"}
    SKIP = {"style", "script", "title", "head"}

    def __init__(self):
        super().__init__()
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data.replace("\n", " "))


def html_text(path: Path) -> str:
    parser = _HtmlText()
    source = path.read_text(encoding="utf-8")
    source = re.sub(r'<a class="skip-link"[^>]*>.*?</a>', "", source)
    parser.feed(source)
    text = "".join(parser.out)
    return normalise(re.sub(r"\n\s*\n+", "\n", text))


READERS = {".pdf": pdf_text, ".html": html_text, ".htm": html_text}


def file_text(path: Path) -> str:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnsupportedFile(f"cannot read text from '{path.suffix}' files; known: {', '.join(READERS)}")
    return reader(path)
