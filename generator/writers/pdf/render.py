"""The PDF writer: WeasyPrint paginates the HTML writer's print HTML as tagged PDF/A-2u + PDF/UA-1 (or PDF/UA-1 only).

The build hands it `write_html(doc, "print")`: the PDF is that HTML paginated, so the two can
never disagree, and this package never imports the HTML writer.

Fonts and styles come from the theme (the package's styles/ by default); the URL fetcher serves
files only from the report folder, styles/ and the theme's folders, read as every untrusted file
is (confined, regular, size-limited), and refuses everything else (reported as diagnostics).
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.writers.pdf import tags as pdf_tags
from generator.writers.pdf.labels import COVER_LABEL, add_page_labels
from generator.writers.pdf.watermark import watermark_css
from generator.diagnostics import Diagnostics
from generator.inputs import InputError, read_input
from generator.resources import STYLES_DIR
from generator.themes import Theme, theme_or_default

# What the PDF declares and is built to meet (`reportgen build --pdf-standard`). "a2+ua1" is
# archival PDF/A-2u and PDF/UA-1 in one file: WeasyPrint's PDF/A-2u variant (pdfaid in the XMP)
# with tags and an sRGB OutputIntent (the ICC's sRGB2014.icc as WeasyPrint ships it: "may be
# copied, distributed, embedded ... without restriction"); the structure repair adds pdfuaid to
# the XMP with the extension schema PDF/A asks for (tags.declare_pdfua) and the Print flag.
SRGB = "--reportgen-srgb"  # the CSS @color-profile name of that profile
PDF_STANDARDS = {
    "ua1": {"pdf_variant": "pdf/ua-1"},
    "a2+ua1": {"pdf_variant": "pdf/a-2u", "pdf_tags": True, "output_intent": SRGB},
}
DEFAULT_PDF_STANDARD = "a2+ua1"
FETCH_KINDS = {".css": "css", ".ttf": "font", ".otf": "font"}  # a file's size limit by its suffix; else an image's
PDF_OPTIONS = {"pdf_identifier": b"reportgen", "uncompressed_pdf": False, **PDF_STANDARDS[DEFAULT_PDF_STANDARD]}


def pdf_options(standard: str = DEFAULT_PDF_STANDARD) -> dict:
    """WeasyPrint's write_pdf options for a standard of PDF_STANDARDS."""
    return {**PDF_OPTIONS, "pdf_variant": None, "pdf_tags": False, "output_intent": None, **PDF_STANDARDS[standard]}


@lru_cache(maxsize=1)
def srgb_profile_css() -> str:
    """`@color-profile` for the sRGB OutputIntent, the profile inline (WeasyPrint's own "srgb"
    option opens the file and never closes it)."""
    from importlib.resources import files  # noqa: PLC0415

    data = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    return (f'@color-profile {SRGB} {{ components: r, g, b; '
            f'src: url("data:application/vnd.iccprofile;base64,{base64.b64encode(data).decode()}") }}')


def _fetcher_class():
    from weasyprint import URLFetcher  # noqa: PLC0415 - weasyprint is slow to import; only the PDF needs it
    from weasyprint.urls import URLFetcherResponse  # noqa: PLC0415

    class LocalFetcher(URLFetcher):
        """Serves file: URLs inside `roots`, each read through `generator.inputs` (confined,
        a regular file, size-limited by its kind: FETCH_KINDS), and data: URLs; refuses the rest."""

        def __init__(self, roots: list[Path], allow_remote: bool = False):
            super().__init__(allowed_protocols={"file", "data", "http", "https"} if allow_remote
                             else {"file", "data"}, timeout=20)
            self.roots = [root.resolve() for root in roots]
            self.allow_remote = allow_remote
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data" or (self.allow_remote and parts.scheme in ("http", "https")):
                return super().fetch(url, headers)
            if parts.scheme == "file" and not parts.netloc:
                # read as every untrusted file is: confined, a regular file (a FIFO never opened
                # for a read that waits), no more than its kind's limit
                path = Path(unquote(parts.path))
                kind = FETCH_KINDS.get(path.suffix.lower(), "image")
                try:
                    data = read_input(path, self.roots, kind, str(path))
                except InputError:
                    pass
                else:
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, data, {"Content-Type": mime})
            self.refused.append(url)
            raise ValueError(f"reportgen refuses to fetch {url}")

    return LocalFetcher


def render_pdf(html: str, base_dir: Path, target, diags: Diagnostics | None = None,
               allow_remote: bool = False, standard: str = DEFAULT_PDF_STANDARD, inspect=None,
               watermark: str | None = None, theme: Theme | None = None, cover_label: str = COVER_LABEL) -> None:
    """Paginate `html` (the HTML writer's print media) into `target`, a path or a binary file.

    `inspect(pdf)`, if given, is called with the repaired PDF (an open pikepdf.Pdf) before it is
    written: the build checks it there, so that the PDF is parsed once and written once.
    `watermark`: a draft's label, drawn on every page as an Artifact (`watermark.py`).
    `theme`: the report's theme (its print stylesheets); None: the default.
    `cover_label`: the cover's page label, in the document's words (`cover_page`)."""
    from weasyprint import CSS, HTML  # noqa: PLC0415
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

    theme = theme_or_default(theme)
    fetcher = _fetcher_class()([base_dir, STYLES_DIR, *theme.folders], allow_remote)
    fonts = FontConfiguration()
    stylesheets = theme_stylesheets(theme, fetcher, fonts)
    options = pdf_options(standard)
    profiles: dict = {}  # filled by the @color-profile rule as WeasyPrint reads it
    if options["output_intent"] == SRGB:
        stylesheets.append(CSS(string=srgb_profile_css(), url_fetcher=fetcher, font_config=fonts,
                               color_profiles=profiles))
    if watermark:
        css, missing = watermark_css(watermark)
        stylesheets.append(CSS(string=css, font_config=fonts))
        if missing and diags is not None:
            diags.warning("watermark-glyph", f"the watermark cannot draw {''.join(missing)!r} in the theme's "
                          "font: those characters are left out", base_dir / "report.yaml")
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        document = HTML(string=html, base_url=str(base_dir.resolve()) + "/", url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=fonts, color_profiles=profiles,
            output_intent=options["output_intent"])
        with _page_references_kept():
            raw = document.write_pdf(**options)
        hints = pdf_tags.layout_hints(document)
        del document  # WeasyPrint's pages: the hints hold what the repair needs of them
        # Repair WeasyPrint's structure tree: artifacts, split elements, links, TH scope (tags/).
        with pdf_tags.repaired(raw, hints) as (pdf, _notes):
            add_page_labels(pdf, cover_label)  # the cover's in the document's words
            if inspect is not None:
                inspect(pdf)
            pdf_tags.save(pdf, target)
    finally:
        logger.removeHandler(handler)
    if diags is not None:
        for url in fetcher.refused:
            diags.error("url-refused", f"refused to fetch {url}: only files inside the report folder are read",
                        base_dir / "report.yaml")


@contextmanager
def _page_references_kept():
    """pydyf (0.13) builds the tuple of every page's reference anew on each read of
    `PDF.page_references`, and WeasyPrint 70's tagger reads it once per structure element: quadratic
    in pages (some 10 million steps at 400 pages). While a PDF is written, the tuple is kept until
    a page is added. The same bytes; nothing is changed if pydyf has no such property."""
    import pydyf  # noqa: PLC0415 - WeasyPrint's PDF writer, imported with it

    original = getattr(pydyf.PDF, "page_references", None)
    if not isinstance(original, property) or original.fget is None:
        yield
        return

    def kept(pdf):
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_reportgen_page_references")
        if cached is None or cached[0] != len(kids):
            cached = pdf.__dict__["_reportgen_page_references"] = (len(kids), original.fget(pdf))
        return cached[1]

    pydyf.PDF.page_references = property(kept)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original


def theme_stylesheets(theme: Theme, fetcher, fonts) -> list:
    """The theme's print stylesheets, its colour and font variables first; each file read through
    the theme (confined, size-limited), its url()s resolved against its own folder."""
    from weasyprint import CSS  # noqa: PLC0415

    sheets = [CSS(string=theme.variables_css(), url_fetcher=fetcher, font_config=fonts)]
    for path in theme.stylesheet_paths("print"):
        sheets.append(CSS(string=theme.read_text(path.name), base_url=str(path.resolve()),
                          url_fetcher=fetcher, font_config=fonts))
    return sheets


class _Collect(logging.Handler):
    """Keeps WeasyPrint's messages off the user's terminal; they are not content errors."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


write_pdf = render_pdf
