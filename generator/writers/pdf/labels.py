"""PDF page labels (ISO 32000-1 §12.4.2): what a viewer shows as a page's number.

The footer says "Page N of M" counting the cover as page 1 (print.css: counter(page)), so the
labels say the same: the cover is labelled "Cover" (it carries no number; the document's words
`cover_page`, "Clawr" in Welsh), every other page its footer's number. A viewer then shows "5"
where the footer says "Page 5 of 22", and "Cover" rather than "1" for the cover.
"""

from __future__ import annotations

import pikepdf

COVER_LABEL = "Cover"  # styles/words.yaml's cover_page: for a PDF repaired without its document (tests)


def add_page_labels(pdf: pikepdf.Pdf, cover: str = COVER_LABEL) -> None:
    """Set /PageLabels on an open PDF: the first page `cover` (the HTML writer puts the cover first, on
    a page of its own), then decimal from 2 (as the footer)."""
    if len(pdf.pages) == 0:
        return
    nums = [0, pikepdf.Dictionary(P=pikepdf.String(cover))]
    if len(pdf.pages) > 1:
        nums += [1, pikepdf.Dictionary(S=pikepdf.Name.D, St=2)]
    pdf.Root.PageLabels = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
