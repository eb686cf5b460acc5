"""The PDF writer: `render` paginates the print HTML with WeasyPrint (PDF/UA-1); `tags` repairs
the structure tree WeasyPrint makes. Imports the model, diagnostics, resources and formats only."""
