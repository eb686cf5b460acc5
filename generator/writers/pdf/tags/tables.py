"""Pass: every TH gets /Scope."""

from __future__ import annotations

from pikepdf import Array, Dictionary, Name

from generator.formats.pdf_tree import Tree


def table_header_scope(tree: Tree) -> None:
    """Every TH gets /Scope: from the HTML scope attribute, else Column in a header row, else Row."""
    def rows(elem):
        for kid in elem.elems():
            if kid.tag == "TR":
                yield kid, elem.tag
            elif kid.tag in ("THead", "TBody", "TFoot"):
                yield from ((row, kid.tag) for row, _ in rows(kid))

    for table in tree.walk():
        if table.tag != "Table":
            continue
        for row, group in rows(table):
            cells = row.elems()
            all_th = all(c.tag == "TH" for c in cells)
            for cell in cells:
                if cell.tag != "TH":
                    continue
                scope = None
                if cell.shadow is not None and cell.shadow.element is not None:
                    scope = {"row": "Row", "col": "Column", "rowgroup": "Row", "colgroup": "Column"}.get(
                        cell.shadow.element.get("scope", ""))
                scope = scope or ("Column" if group in ("THead", "TFoot") or all_th else "Row")
                attrs = cell.obj.get("/A")
                if isinstance(attrs, Array):
                    attrs = next((a for a in attrs if isinstance(a, Dictionary) and a.get("/O") == Name.Table), None)
                if not isinstance(attrs, Dictionary):
                    attrs = Dictionary(O=Name.Table)
                    cell.obj.A = attrs
                if "/Scope" not in attrs:
                    attrs.Scope = Name("/" + scope)
