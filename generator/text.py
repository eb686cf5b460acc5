"""Stage 8, text: the normalised plain text of a built PDF, DOCX or HTML file.

Used by golden tests and by `reportgen text` / `diff`: page furniture (running header, page
numbers) is dropped, words broken by a hyphen at a line end are joined, white space is folded,
and a footnote call reads as its number in brackets, kept apart from its word (`rating[4]`) in
every format.
The file is untrusted: it is opened through `generator.formats.package`, and anything that cannot
be read raises `UnreadableFile` (`UnsupportedFile`) with a one-line message naming it.
"""

from __future__ import annotations

import html.parser
import os
import re
import selectors
import shutil
import subprocess
import time
from pathlib import Path

from generator.formats.package import DamagedFile, UnreadableFile, kind_of, one_line, open_pdf, read_html

UnsupportedFile = UnreadableFile  # the name `reportgen text` and `diff` have always caught

# pdftotext reads an untrusted PDF: each run is bounded (constants, so that a test may lower them)
PDFTOTEXT_CPU_SECONDS = 60  # CPU time (RLIMIT_CPU): the example's 22-page PDF takes 0.6 s
PDFTOTEXT_SECONDS = 300  # wall-clock time, for a machine shared with much else
PDFTOTEXT_MAX_OUTPUT = 100_000_000  # bytes of text (or of -bbox XML) taken from it
PDFTOTEXT_MAX_MEMORY = 1 << 30  # its address space (RLIMIT_AS)


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
    running header (the document's title) and "Page N of M" (in the words of the PDF's language,
    its catalog's /Lang: "Tudalen N o M" in Welsh) are page furniture.
    """
    title, language = _pdf_title(path)  # opening it first refuses what is not a readable PDF
    if shutil.which("pdftotext"):
        raw = _pdftotext("-raw", path).decode("utf-8", "replace")
        raw = _bracket_footnote_calls(raw, path)
    else:  # pragma: no cover - poppler-utils is installed by `make`
        raw = _pypdf_text(path)
    furniture = [r"Page \d+ of \d+", r"•", r"\d+\."] + ([re.escape(title)] if title else []) + _page_of(language)
    return normalise(raw, furniture)


def _limits() -> tuple:
    """The child's limits, read in the parent (a preexec_fn should do as little as it can)."""
    import resource  # noqa: PLC0415

    return ((resource.RLIMIT_AS, (PDFTOTEXT_MAX_MEMORY, PDFTOTEXT_MAX_MEMORY)),
            (resource.RLIMIT_CPU, (PDFTOTEXT_CPU_SECONDS, PDFTOTEXT_CPU_SECONDS + 1)))  # SIGXCPU, then SIGKILL


def _pdftotext(mode: str, path: Path) -> bytes:
    """`pdftotext MODE -enc UTF-8 PATH -`'s output, read as it comes: within PDFTOTEXT_CPU_SECONDS
    of CPU and PDFTOTEXT_SECONDS of wall-clock time, PDFTOTEXT_MAX_OUTPUT bytes and
    PDFTOTEXT_MAX_MEMORY of address space, else DamagedFile (the program killed and reaped)."""
    import resource  # noqa: PLC0415
    import signal  # noqa: PLC0415

    limits = _limits()

    def limit() -> None:  # in the child, before pdftotext starts
        for which, values in limits:
            resource.setrlimit(which, values)

    process = subprocess.Popen(["pdftotext", mode, "-enc", "UTF-8", str(path), "-"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit)
    out, err, problem = bytearray(), bytearray(), None
    end = time.monotonic() + PDFTOTEXT_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, out)
        selector.register(process.stderr, selectors.EVENT_READ, err)
        try:
            while selector.get_map() and problem is None:
                left = end - time.monotonic()
                if left <= 0:
                    problem = f"pdftotext took longer than {PDFTOTEXT_SECONDS:g} s (limit)"
                    break
                for key, _ in selector.select(left):
                    data = os.read(key.fd, 1 << 16)
                    if not data:
                        selector.unregister(key.fileobj)
                        continue
                    key.data.extend(data if key.data is out or len(err) < 65536 else b"")
                    if len(out) > PDFTOTEXT_MAX_OUTPUT:
                        problem = f"pdftotext gave more than {PDFTOTEXT_MAX_OUTPUT / 1e6:g} MB of text (limit)"
                        break
        finally:
            if process.poll() is None and (problem is not None or selector.get_map()):
                process.kill()
            process.wait()
            process.stdout.close()
            process.stderr.close()
    if problem is not None:
        raise DamagedFile(path, "pdf", problem)
    if process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise DamagedFile(path, "pdf", f"pdftotext used more than {PDFTOTEXT_CPU_SECONDS:g} s of CPU time (limit)")
    if process.returncode != 0:
        lines = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
        said = lines[-1].strip() if lines else (f"exit status {process.returncode}" if process.returncode > 0 else
                                                f"killed by signal {-process.returncode}")
        raise DamagedFile(path, "pdf", f"pdftotext: {said}")
    return bytes(out)


_BBOX_PAGE = re.compile(r"<page\b.*?</page>", re.S)
_BBOX_WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>')


def _footnote_calls(path: Path) -> list[list[tuple[str, str]]]:
    """Per page, the footnote calls in order, each as (the text just before it, its number).

    A call is a word of digits set smaller than the word it touches and raised above its
    baseline (`vertical-align: super`; an 8pt call may rise above the word's top by up to half
    the word's height): what `pdftotext -bbox` shows as a word of its own."""
    pages: list[list[tuple[str, str]]] = []
    for page in _BBOX_PAGE.findall(_pdftotext("-bbox", path).decode("utf-8", "replace")):
        calls: list[tuple[str, str]] = []
        before = None  # (x_max, y_min, y_max, text as it will read)
        for match in _BBOX_WORD.finditer(page):
            x_min, y_min, x_max, y_max = (float(v) for v in match.groups()[:4])
            word = html.unescape(match.group(5))
            if (before and word.isdigit() and abs(x_min - before[0]) < 1.0
                    and (y_max - y_min) < 0.8 * (before[2] - before[1])
                    and before[1] - 0.5 * (before[2] - before[1]) <= y_min and y_max < before[2]):
                calls.append((before[3], word))
                before = (x_max, before[1], before[2], f"[{word}]")
                continue
            before = (x_max, y_min, y_max, word)
        pages.append(calls)
    return pages


def _bracket_footnote_calls(raw: str, path: Path) -> str:
    """`rating4` -> `rating[4]`: each call found by its size and place (`_footnote_calls`) is
    bracketed where it stands in the page's raw text, in order."""
    pages = raw.split("\f")
    for number, calls in enumerate(_footnote_calls(path)):
        if number >= len(pages):
            break
        text, at = pages[number], 0
        for before, call in calls:
            found = re.compile(re.escape(before) + r"(\s?)" + re.escape(call) + r"(?!\d)").search(text, at)
            if found is None:
                continue
            replaced = f"{before}[{call}]"
            text = text[:found.start()] + replaced + text[found.end():]
            at = found.start() + len(before)
        pages[number] = text
    return "\f".join(pages)


def _pdf_title(path: Path) -> tuple[str | None, str | None]:
    """The PDF's title (its information dictionary's) and language (its catalog's /Lang), or None."""
    import pikepdf  # noqa: PLC0415

    with open_pdf(path) as pdf:
        info = pdf.trailer.get("/Info")
        title = info.get("/Title") if isinstance(info, pikepdf.Dictionary) else None
        lang = pdf.Root.get("/Lang")
        return (str(title) if isinstance(title, pikepdf.String) and str(title) else None,
                str(lang) if isinstance(lang, pikepdf.String) and str(lang) else None)


def _page_of(language: str | None) -> list[str]:
    """The footer "Page N of M" in the words of `language` (the default theme's, if it has that
    language; [] otherwise), as a pattern of a whole line."""
    from generator.diagnostics import Diagnostics  # noqa: PLC0415
    from generator.words import LANGUAGE_TAG, words_for  # noqa: PLC0415

    if not language or not LANGUAGE_TAG.match(language):
        return []
    words = words_for(None, language, Diagnostics())
    if words is None:
        return []
    return ["".join(re.escape(text) + (r"\d+" if name else "") for text, name in words.pieces("page_of"))]


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
        self.calls: list[bool] = []  # per open <sup>: is it a footnote call?
        self.cuts: list[tuple[int, str]] = []  # (where in `out`, id) of each <section class="part">

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "span":  # a visually hidden span is not text the page shows
            hidden = "visually-hidden" in classes
            self.spans.append(hidden)
            self.skip += hidden
        if tag == "section" and "part" in classes:
            self.cuts.append((len(self.out), dict(attrs).get("id") or ""))
        if tag == "sup":
            call = "footnote-ref" in classes
            self.calls.append(call)
            if call:
                self.out.append("[")
        elif tag in self.SKIP:
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
        if tag == "sup":
            if self.calls and self.calls.pop():
                self.out.append("]")
        elif tag in self.SKIP:
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data.replace("\n", " "))


def _html_parsed(path: Path) -> _HtmlText:
    parser = _HtmlText()
    source = read_html(path)
    source = re.sub(r'<a class="skip-link"[^>]*>.*?</a>', "", source)
    # the screen page's furniture: the contents beside the text, "Back to top" after each part
    source = re.sub(r'<nav class="side-contents".*?</nav>|<p class="back-to-top">.*?</p>', "", source, flags=re.S)
    parser.feed(source)
    return parser


def _html_normalise(pieces: list[str]) -> str:
    return normalise(re.sub(r"\n\s*\n+", "\n", "".join(pieces)))


def html_text(path: Path) -> str:
    return _html_normalise(_html_parsed(path).out)


def html_parts(path: Path) -> list[tuple[str, str]]:
    """The normalised text of a built HTML page part by part: (the part's id, its text), the
    cover first with the id "" (each part is a `<section class="part">`)."""
    parser = _html_parsed(path)
    bounds = [(0, "")] + parser.cuts + [(len(parser.out), None)]
    return [(ident, _html_normalise(parser.out[start:end]))
            for (start, ident), (end, _) in zip(bounds, bounds[1:])]


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
