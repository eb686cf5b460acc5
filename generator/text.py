"""Stage 8, text: the normalised plain text of a built PDF, DOCX or HTML file.

Used by golden tests and by `reportgen text` / `diff`: page furniture (running header, page
numbers) is dropped, words broken by a hyphen at a line end are joined, white space is folded.
The file is untrusted: it is opened through `generator.formats.package`, and anything that cannot
be read raises `UnreadableFile` (`UnsupportedFile`) with a one-line message naming it.
"""

from __future__ import annotations

import html.parser
import re
import shutil
import subprocess
from pathlib import Path

from generator.formats.package import DamagedFile, UnreadableFile, kind_of, one_line, open_pdf, read_html

UnsupportedFile = UnreadableFile  # the name `reportgen text` and `diff` have always caught


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

    Our PDFs hold each list marker just before its item (the PDF writer moves them there); other
    PDFs may paint markers after a page's text, so lines holding only a marker are dropped. The
    running header (the document's title) and "Page N of M" are page furniture.
    """
    title = _pdf_title(path)  # opening it first refuses what is not a readable PDF
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True)
        if done.returncode != 0:
            lines = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
            said = lines[-1].strip() if lines else f"exit status {done.returncode}"
            raise DamagedFile(path, "pdf", f"pdftotext: {said}")
        raw = done.stdout.decode("utf-8", "replace")
    else:  # pragma: no cover - poppler-utils is installed by `make`
        raw = _pypdf_text(path)
    furniture = [r"Page \d+ of \d+", r"•", r"\d+\."] + ([re.escape(title)] if title else [])
    return normalise(raw, furniture)


def _pdf_title(path: Path) -> str | None:
    import pikepdf  # noqa: PLC0415

    with open_pdf(path) as pdf:
        info = pdf.trailer.get("/Info")
        title = info.get("/Title") if isinstance(info, pikepdf.Dictionary) else None
        return str(title) if isinstance(title, pikepdf.String) and str(title) else None


def _pypdf_text(path: Path) -> str:  # pragma: no cover - poppler-utils is installed by `make`
    from pypdf import PdfReader  # noqa: PLC0415

    try:
        return "\f".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    except Exception as exc:  # noqa: BLE001 - pypdf's errors on a damaged file
        raise DamagedFile(path, "pdf", one_line(exc, path)) from None


class _HtmlText(html.parser.HTMLParser):
    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "caption", "header",
              "section", "figure", "figcaption", "div", "br", "aside", "nav", "ol", "ul", "table"}
    SKIP = {"style", "script", "title", "head"}

    def __init__(self):
        super().__init__()
        self.out: list[str] = []
        self.skip = 0
        self.spans: list[bool] = []  # per open <span>: is it text for screen readers only?

    def handle_starttag(self, tag, attrs):
        if tag == "span":  # a visually hidden span is not text the page shows
            hidden = "visually-hidden" in (dict(attrs).get("class") or "").split()
            self.spans.append(hidden)
            self.skip += hidden
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")
        elif tag in ("td", "th", "dd"):
            self.out.append(" ")
        elif tag == "dt":  # a glossary entry: "term meaning" on a line, as in the DOCX
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag == "span" and self.spans:
            self.skip -= self.spans.pop()
        if tag in self.SKIP:
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data.replace("\n", " "))


def html_text(path: Path) -> str:
    parser = _HtmlText()
    source = read_html(path)
    source = re.sub(r'<a class="skip-link"[^>]*>.*?</a>', "", source)
    # the screen page's furniture: the contents beside the text, "Back to top" after each part
    source = re.sub(r'<nav class="side-contents".*?</nav>|<p class="back-to-top">.*?</p>', "", source, flags=re.S)
    parser.feed(source)
    text = "".join(parser.out)
    return normalise(re.sub(r"\n\s*\n+", "\n", text))


def docx_text(path: Path) -> str:
    """Body paragraphs and table rows one a line (a footnote reference reads as its number, as
    in the PDF), then the footnotes after a blank line, each as "N. text"."""
    from generator.formats.docx_text import read_text  # noqa: PLC0415 - python-docx only when reading a DOCX

    try:
        return normalise(read_text(path))
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - opened, but its XML holds what python-docx cannot walk
        raise DamagedFile(path, "docx", f"{type(exc).__name__}: {one_line(exc, path)}") from None


READERS = {".pdf": pdf_text, ".html": html_text, ".htm": html_text, ".docx": docx_text}


def file_text(path: Path) -> str:
    """The normalised text of a PDF, DOCX or HTML file (by its suffix). Raises UnreadableFile."""
    path = Path(path)
    kind_of(path)  # an unknown suffix is refused, naming the file
    return READERS[path.suffix.lower()](path)


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
