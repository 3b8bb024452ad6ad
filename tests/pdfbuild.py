"""Small PDFs for the PDF reader's tests: text placed line by line with reportlab, and a many-page PDF by hand."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class Text:
    """One string drawn at ``x``, with its baseline ``y`` points below the top of the page."""

    x: float
    y: float
    text: str
    size: float = 9.0
    font: str = "Helvetica"


def write_pdf(
    path: Path,
    pages: Sequence[Iterable[Text]],
    *,
    user_password: str | None = None,
    owner_password: str = "owner",
    image_only: bool = False,
) -> Path:
    """Write ``pages`` of text to ``path``; with ``user_password`` the file is encrypted (``""``: opens without one).

    ``image_only`` draws each page as a grey picture and no text, as a scanner does.
    """
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    encrypt = None
    if user_password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        encrypt = StandardEncryption(user_password, owner_password, strength=128)
    pdf = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H), encrypt=encrypt, invariant=1)
    fonts = {"Helvetica", "Helvetica-Bold", "Times-Roman"}
    for items in pages:
        if image_only:
            from PIL import Image, ImageDraw

            picture = Image.new("L", (200, 280), 255)
            ImageDraw.Draw(picture).rectangle((20, 20, 180, 40), fill=0)
            pdf.drawImage(ImageReader(picture), 0, 0, PAGE_W, PAGE_H)
        for item in items:
            if item.font not in fonts:
                _register(item.font)
                fonts.add(item.font)
            pdf.setFont(item.font, item.size)
            pdf.drawString(item.x, PAGE_H - item.y, item.text)
        pdf.showPage()
    pdf.save()
    return path


def _register(name: str) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if name != "DejaVuSans":
        raise ValueError(f"unknown font {name}")
    pdfmetrics.registerFont(TTFont(name, str(UNICODE_FONT)))


def width(text: str, font: str = "Helvetica", size: float = 9.0) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def wrap(text: str, max_width: float, *, size: float = 9.0, first_width: float | None = None) -> list[str]:
    """``text`` cut at spaces into lines no wider than ``max_width`` (``first_width`` for the first line)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        limit = first_width if first_width is not None and not lines else max_width
        candidate = f"{current} {word}".strip()
        if current and width(candidate, size=size) > limit:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


@dataclass
class Flow:
    """Lays out lines down columns and pages: ``columns`` x positions, ``top`` and ``bottom`` in points."""

    columns: Sequence[float] = (56.0,)
    top: float = 90.0
    bottom: float = 770.0
    leading: float = 11.0
    size: float = 9.0

    def __post_init__(self) -> None:
        self.pages: list[list[Text]] = [[]]
        self.column = 0
        self.y = self.top

    def line(self, text: str, *, indent: float = 0.0, size: float | None = None, gap: float = 0.0) -> None:
        """Add one line (``gap`` extra points above it), moving to the next column or page when this one is full."""
        self.y += gap
        if self.y > self.bottom:
            self.column += 1
            self.y = self.top
            if self.column == len(self.columns):
                self.column = 0
                self.pages.append([])
        self.pages[-1].append(Text(self.columns[self.column] + indent, self.y, text, size or self.size))
        self.y += self.leading

    def furniture(self, header: str, *, footer_numbers: bool = True) -> list[list[Text]]:
        """The pages with a running header and (optionally) a page number in the footer."""
        out = []
        for number, items in enumerate(self.pages, 1):
            extra = [Text(56, 40, header, 8)]
            if footer_numbers:
                extra.append(Text(PAGE_W / 2, 810, str(number), 8))
            out.append([*extra, *items])
        return out


def write_many_pages(path: Path, count: int) -> Path:
    """A valid PDF of ``count`` empty pages, written directly (reportlab would take minutes for 10,000 pages)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets: list[int] = []

    def obj(number: int, body: bytes) -> None:
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    obj(2, b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count)
    for i in range(count):
        obj(3 + i, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (count + 3))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count + 3, start))
    path.write_bytes(out.getvalue())
    return path
