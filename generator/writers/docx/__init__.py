"""The DOCX writer: `writer` (DocxWriter, write_docx) writes the body with the functions of `nodes`,
one per node kind; `styles` is the reference document and its style sheet, `page` the page setup,
header and footer, `numbering` the list numbering and footnotes; `xml` is the only place that
builds raw WordprocessingML. Imports the model, diagnostics, resources only."""
