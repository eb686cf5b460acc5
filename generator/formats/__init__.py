"""Readers of the output file formats, shared by the writers, the checks and `text`.

A tagged PDF's structure tree (`pdf_tree`) and the text of a DOCX (`docx_text`): code that
understands a file format without knowing how our writers made it, so that the checks and the
text reader can use it without importing a writer. `package` opens a file reportgen did not
write (text, diff, a11y, --reference-doc) within size limits, or refuses it in one line. `figures`
is the gate a figure file (SVG above all) passes before any renderer reads it: at `check`, and again
in the writers on the bytes they embed or convert.
Imports nothing from generator but itself.
"""
