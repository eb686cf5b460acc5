"""Reviewed files come back: comments, replies, tracked changes and PDF annotations, each located
in the report's source (a chapter file and line, or the report.yaml key of computed text).

`items` holds what every reader gives (one `ReviewItem` per thing a reviewer did) and how it is
printed; each reviewed format has its own reader module beside it. The package may import the
model, diagnostics, `formats` (to open an untrusted reviewed file within limits) and the stages
and `build` (to rebuild the model it locates against); never a writer or a check, and nothing
but `cli` imports it.
"""
