"""Passes for the file's conformance (PDF/A-2, PDF/UA-1) rather than its structure: the Print flag on
every annotation, pdfuaid in the XMP, no image asking to be interpolated."""

from __future__ import annotations

from pikepdf import Name

from generator.formats.pdf_images import images as pdf_images
from generator.formats.pdf_tree import Tree


def annotations_printable(tree: Tree) -> None:
    """Every annotation carries the Print flag (/F bit 3): PDF/A requires it, and a printed copy
    keeps what the screen shows (ISO 19005-2 6.3.2)."""
    for page in tree.pdf.pages:
        for annot in page.obj.get("/Annots", []):
            annot.F = int(annot.get("/F", 0)) | 4


_PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"


_PDFUA_EXTENSION = f"""<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>{_PDFUA_NS}</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="{_PDFUA_NS}"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
"""


def declare_pdfua(tree: Tree) -> None:
    """A PDF/A file (WeasyPrint's PDF/A-2u variant) declares PDF/UA-1 too: pdfuaid:part in its XMP,
    with the extension schema that PDF/A requires for a property outside its predefined schemas
    (ISO 19005-2 6.6.2.3). A file that already says pdfuaid is left as it is."""
    meta = tree.pdf.Root.get("/Metadata")
    xmp = meta.read_bytes() if meta is not None else b""
    if b"pdfaid" not in xmp or _PDFUA_NS.encode() in xmp or b"</rdf:RDF>" not in xmp:
        return
    xmp = xmp.replace(b"</rdf:RDF>", _PDFUA_EXTENSION.encode() + b"</rdf:RDF>", 1)
    tree.pdf.Root.Metadata = tree.pdf.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)


def images_not_interpolated(tree: Tree) -> None:
    """No image asks the viewer to smooth it: WeasyPrint writes `/Interpolate true` on every raster
    image (CSS `image-rendering: auto`), which PDF/A-2 forbids (ISO 19005-2 6.2.8); the key goes
    (false is its default). Every image the pages reach, soft masks too."""
    for _where, image in pdf_images(tree.pdf):
        if "/Interpolate" in image:
            del image["/Interpolate"]
