"""Stage 8, text: the normalised plain text of a built PDF, DOCX or HTML file.

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
    text = re.sub(r"(?:\s*\.){4,}\s*", " ", text)  # contents leaders: "Foreword ....... 4"
    # A line that ends in a hyphen: our outputs are never hyphenated, so the hyphen is a real
    # one ("high-quality" broken after its hyphen); join the lines and keep it.
    text = re.sub(r"(\w-)\n(?=\w)", r"\1", text)
    # A URL broken after a slash (never with a hyphen): join it back.
    text = re.sub(r"((?:https?://|www\.)\S*/)\n(?=\S)", r"\1", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def pdf_text(path: Path) -> str:
    """Text in content-stream order (pdftotext -raw: real hyphens kept, nothing de-hyphenated).

    WeasyPrint draws list markers after a page's text, so lines holding only a marker are
    dropped; the running header (the document's title) and "Page N of M" are page furniture.
    """
    if shutil.which("pdftotext"):
        raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True,
                             capture_output=True).stdout.decode("utf-8")
    else:  # pragma: no cover - poppler-utils is installed by `make`
        raw = "\f".join(page.extract_text() or "" for page in _reader(path).pages)
    title = (_reader(path).metadata or {}).get("/Title")
    furniture = [r"Page \d+ of \d+", r"•", r"\d+\."] + ([re.escape(str(title))] if title else [])
    return normalise(raw, furniture)


def _reader(path: Path):
    from pypdf import PdfReader  # noqa: PLC0415

    return PdfReader(str(path))


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


def docx_text(path: Path) -> str:
    """Body paragraphs and table rows one a line (a footnote reference reads as its number, as
    in the PDF), then the footnotes after a blank line, each as "N. text"."""
    from generator.formats.docx_text import read_text  # noqa: PLC0415 - python-docx only when reading a DOCX

    return normalise(read_text(path))


READERS = {".pdf": pdf_text, ".html": html_text, ".htm": html_text, ".docx": docx_text}


def file_text(path: Path) -> str:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnsupportedFile(f"cannot read text from '{path.suffix}' files; known: {', '.join(READERS)}")
    return reader(path)


def diff_text(old: Path, new: Path) -> str:
    """A unified diff of the normalised text of two built files, or of two report folders (each
    built to HTML in a temporary folder: the same text as every format's, without pagination)."""
    import difflib  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    if old.is_dir():
        from generator.build import build  # noqa: PLC0415

        with tempfile.TemporaryDirectory() as tmp:
            texts = [file_text(build(folder, Path(tmp) / str(i), formats=("html",)).outputs["html"])
                     for i, folder in enumerate((old, new))]
    else:
        texts = [file_text(old), file_text(new)]
    return "".join(difflib.unified_diff(texts[0].splitlines(True), texts[1].splitlines(True), str(old), str(new)))
