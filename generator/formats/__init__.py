"""Readers of the output file formats, shared by the writers, the checks and `text`.

A tagged PDF's structure tree (`pdf_tree`) and the text of a DOCX (`docx_text`): code that
understands a file format without knowing how our writers made it, so that the checks and the
text reader can use it without importing a writer. `package` opens a file reportgen did not
write (text, diff, a11y, --reference-doc) within size limits, or refuses it in one line;
`figures` is the gate a figure file (SVG above all) passes before any renderer reads it: at
`check`, and again in the writers on the bytes they embed or convert;
`reference` takes of a reference document only what it may contribute to a DOCX (its styles,
numbering, theme, font table, some settings, page setup) and says what it left out.
`pdf_streams` counts how far a PDF's streams inflate, for it, before anything decodes them.
Imports nothing from generator but itself.
"""
