"""Reviewed files come back: comments, replies, tracked changes and PDF annotations, each located
in the report's source (a chapter file and line, or the report.yaml key of computed text).

`items` holds what every reader gives (one `ReviewItem` per thing a reviewer did) and how it is
printed; each reviewed format has its own reader module beside it (pdf.py: PDF annotations);
locate.py rebuilds the report's document model and finds built words in the chapter files.

It may import `build` (to rebuild the model, writing nothing), the stages, the model, `formats`
(to open reviewed files within their limits) and diagnostics; never `cli` or a writer.
"""
