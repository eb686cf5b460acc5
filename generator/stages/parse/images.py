"""The image check: `check_image` refuses a figure file any writer would drop or refuse (format,
size, damage, colour mode, orientation, resolution), reading it as Pillow and python-docx will."""

from __future__ import annotations

import io
from pathlib import Path

from generator.formats.figures import IMAGE_MAX_PIXELS, check_svg, is_svg
from generator.inputs import InputError, read_input

# Images: what all three writers take. python-docx reads BMP, GIF, JPEG, PNG and TIFF; WeasyPrint
# what Pillow reads, and SVG; browsers neither TIFF nor (reliably) BMP: PNG, JPEG and GIF are common
# to all. Pillow names a JPEG with several pictures (cameras) "MPO": it is a JPEG to the writers.
IMAGE_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "GIF": "GIF"}
IMAGE_MAX_BYTES = 20 * 2**20  # the DOCX writer's limit on a fetched image, for every image (inputs.LIMITS)
# The DOCX sizes a picture by its resolution (pixels / dpi), python-docx reading it, 72 when the file
# gives none. 0 dpi divides by zero; below 20 dpi or above 4800 (the finest scanners) the
# resolution field is wrong and the picture would be metres wide or millimetres small in Word.
IMAGE_DPI_MIN, IMAGE_DPI_MAX = 20, 4800
EXIF_ORIENTATION = 0x0112
# The pixel modes WeasyPrint 70 draws (RGB, RGBA, L, LA, CMYK) or converts first ("1", "P", "I");
# any other (a 16-bit greyscale PNG is "I;16") comes out as garbage in the PDF.
IMAGE_MODES = {"1", "P", "I", "L", "LA", "RGB", "RGBA", "CMYK"}


def check_image(path: Path, src: str) -> list[tuple[str, str]]:
    """Problems that would make a writer drop or refuse the image at `path`, as (code, message):
    the checks each writer's own reader makes (Pillow for WeasyPrint, python-docx's header
    parser for Word), done here so that a report that checks clean builds with every figure."""
    from PIL import Image as PILImage  # noqa: PLC0415 - only reports with images pay for Pillow
    from PIL import ImageFile, UnidentifiedImageError  # noqa: PLC0415

    try:
        size = path.stat().st_size
    except OSError as exc:
        return [("image-invalid", f"image '{src}' cannot be read: {exc.strerror}")]
    if size == 0:
        return [("image-invalid", f"image '{src}' is an empty file")]
    if size > IMAGE_MAX_BYTES:
        return [("image-too-large", f"image '{src}' is {size / 2**20:.1f} MiB; a figure may be at most "
                 f"{IMAGE_MAX_BYTES // 2**20} MiB: save it smaller (fewer pixels, or as JPEG)")]
    try:  # one read, of a regular file within the limit: what is checked below is what was read
        data = read_input(path, (Path(path).resolve().parent,), "image", src)
    except InputError as exc:  # unreadable (mode 000), not a regular file, grown past the limit
        return [(exc.code, f"image {exc.message}")]
    if is_svg(data, path.suffix):
        return check_svg(data, src)
    save_again = "save it again from an image editor as PNG or JPEG"
    kind = "image"
    # Pillow's own settings, for the time of the check: damage must show (WeasyPrint sets
    # LOAD_TRUNCATED_IMAGES on import), and the pixel limit is ours (Pillow's is first a warning).
    truncated, bomb = ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS = False, None
    try:
        with PILImage.open(io.BytesIO(data)) as im:  # the header only: the size is bounded before decoding
            kind, (width, height) = im.format, im.size
        if kind not in IMAGE_FORMATS:
            return [("image-format", f"image '{src}' is {kind}: Word, PDF and HTML outputs all take only "
                     f"PNG, JPEG or GIF; save it as PNG")]
        if width * height > IMAGE_MAX_PIXELS:
            return [("image-too-large", f"image '{src}' is {width} x {height} pixels ({width * height / 1e6:.0f} "
                     f"megapixels); a figure may have at most {IMAGE_MAX_PIXELS // 1_000_000} megapixels: "
                     "scale it down")]
        with PILImage.open(io.BytesIO(data)) as im:
            im.verify()  # PNG: every chunk's checksum
        with PILImage.open(io.BytesIO(data)) as im:
            im.load()  # the pixels, decoded: the size was bounded above
            orientation = im.getexif().get(EXIF_ORIENTATION, 1)  # after load: a PNG's may follow its pixels
            mode = im.mode
    except UnidentifiedImageError:
        return [("image-format", f"image '{src}' is not an image reportgen can read: the outputs take PNG, JPEG, "
                 "GIF and SVG; save it as PNG or SVG")]
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        return [("image-invalid", f"image '{src}' is a damaged {kind} file ({_reason(exc)}): {save_again}")]
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS = truncated, bomb
    if mode not in IMAGE_MODES:
        return [("image-format", f"image '{src}' is a {IMAGE_FORMATS[kind]} in a colour mode the PDF writer "
                 f"cannot draw ({mode}" + (", 16 bits a sample" if "16" in mode else "") + "): save it as an "
                 "8-bit RGB or greyscale PNG")]
    problems = []
    if orientation not in (1, None):
        problems.append(("image-orientation", f"image '{src}' is stored turned or flipped, with an Exif "
                         f"orientation ({orientation}) saying how to show it: PDF and HTML follow it, Word does "
                         "not; rotate the picture itself in an image editor and save it without the orientation"))
    try:
        from docx.image.image import Image as DocxImage  # noqa: PLC0415 - the header parser the DOCX writer uses

        header = DocxImage.from_blob(data)
        dpi = (header.horz_dpi, header.vert_dpi)
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a header it cannot read
        extra = (" (a JPEG needs a JFIF or Exif header; CMYK JPEGs often lack one)"
                 if IMAGE_FORMATS[kind] == "JPEG" else "")
        problems.append(("image-invalid", f"image '{src}': Word documents cannot read this {IMAGE_FORMATS[kind]} "
                         f"file{extra}: {save_again}, in RGB colour"))
        return problems
    if not all(IMAGE_DPI_MIN <= d <= IMAGE_DPI_MAX for d in dpi):
        problems.append(("image-dpi", f"image '{src}' says its resolution is {dpi[0]} x {dpi[1]} dpi; Word sizes a "
                         f"picture by it, and {IMAGE_DPI_MIN}-{IMAGE_DPI_MAX} dpi is sane: set it (e.g. to 96 or "
                         "300 dpi) in an image editor"))
    elif dpi[0] != dpi[1]:
        problems.append(("image-dpi", f"image '{src}' has a different resolution across ({dpi[0]} dpi) and down "
                         f"({dpi[1]} dpi): Word would stretch it, PDF and HTML would not; give it one resolution "
                         "(e.g. 96 or 300 dpi) in an image editor"))
    return problems


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text[:120] or type(exc).__name__
