"""Stage 5, parse: merged Markdown to model nodes that keep their source file and line.

Python-Markdown (tables, footnotes, attr_list, sane_lists) builds an element tree; two small
extensions of ours add the source line of every top-level block and the block markers
(``::: name args`` alone on a line) that assemble replaces by generated content.

`chapter` holds `parse_chapter`, the entry point: the lints of `lints` on the merged text
(control characters, nesting depth; `source_line` finds the template line behind a merged line),
then the Markdown of `extensions`, then `ChapterParser`, which converts the element tree with one
method per element kind, dispatched by name (``[words]{lang=cy}``, words in another language,
is `inlines.Inlines.inline_rg_span`: a LanguageSpan, or a located error). It is composed of mixins: `blocks.Blocks`
(`block_<tag>`), `inlines.Inlines` (`inline_<tag>`), `footnotes.Footnotes` (calls and
definitions) and `raw_html.RawHtml` (the safe subset of raw HTML). `images.check_image` checks a
figure file as the writers will read it; `state` holds what the chapters of one report share.
`authoring` holds the lints of what Markdown would print as it is (the scaffold's placeholders,
whose list `reportgen new` writes from; table rows that do not fit their header; Quarto and
pandoc syntax), run by `parse_chapter` before the Markdown. `prose` holds the `prose-rating` lint
(a sentence stating a rating the findings contradict), run by assemble on each merged chapter,
since it needs the computed ratings.

Like every stage, the package imports earlier stages (`merge`, `validate`), `generator.model` and
`generator.diagnostics`; never a writer, a check, `build` or `cli` (tests/test_layout.py). Inside
it, imports run one way: `state`, `extensions`, `lints`, `images`, `raw_html` -> `authoring`,
`inlines` -> `blocks` -> `footnotes` -> `chapter` -> this file, which only re-exports; `prose` imports
`extensions` and `lints` (and the `resolve` stage).
"""

from generator.stages.parse.chapter import ChapterParser, parse_chapter
from generator.stages.parse.state import Marker, ParseState, slugify

__all__ = ["ChapterParser", "Marker", "ParseState", "parse_chapter", "slugify"]
