"""Rendering the member cards (M-5, B-JPK-1) as PNG (Pillow) or a one-page PDF.

Cards are rendered on demand from data, never stored as files: the same card record and
member record always give the same content. The PDF is written here by hand (one page,
the standard Helvetica font, WinAnsi text), so no PDF library is needed.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw, ImageFont
from services.chassis.pdf import assemble, pdf_string

TITLES = {
    "KPJ": "KARTU PESERTA JAMSOSTEK (KPJ)",
    "KPK": "KARTU PEMELIHARAAN KESEHATAN (KPK)",
}


@dataclass(frozen=True)
class CardView:
    """What a card shows. `nik_masked` already hides all but the last 4 digits."""

    card_type: str  # "KPJ" or "KPK"
    card_number: str
    holder_name: str
    kpj: str
    nik_masked: str
    npp: str
    programs: tuple[str, ...]
    issued_on: date

    @property
    def title(self) -> str:
        return TITLES[self.card_type]

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("Nama", self.holder_name),
            ("No. KPJ", self.kpj),
            ("NIK", self.nik_masked),
            ("NPP", self.npp),
            ("Program", ", ".join(self.programs)),
            ("Diterbitkan", self.issued_on.isoformat()),
            ("No. Kartu", self.card_number),
        ]


def mask_nik(nik: str) -> str:
    """All but the last 4 digits hidden: the card must not expose the whole NIK."""
    return "*" * (len(nik) - 4) + nik[-4:]


# ---- PNG --------------------------------------------------------------------------------
PNG_SIZE = (856, 540)  # ISO/IEC 7810 ID-1 (85.6 x 54 mm) at 10 px per mm


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError, ImportError):  # Pillow built without FreeType: the bitmap font
        return ImageFont.load_default()


def render_png(view: CardView) -> bytes:
    image = Image.new("RGB", PNG_SIZE, "white")
    draw = ImageDraw.Draw(image)
    band = (0, 122, 61) if view.card_type == "KPJ" else (0, 84, 147)
    draw.rectangle((0, 0, PNG_SIZE[0], 96), fill=band)
    draw.text((32, 28), view.title, fill="white", font=_font(34))
    label_font, value_font = _font(24), _font(28)
    y = 130
    for label, value in view.lines():
        draw.text((40, y), label, fill=(90, 90, 90), font=label_font)
        draw.text((250, y - 2), value, fill="black", font=value_font)
        y += 54
    draw.rectangle((0, 0, PNG_SIZE[0] - 1, PNG_SIZE[1] - 1), outline=band, width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# ---- PDF --------------------------------------------------------------------------------
PDF_PAGE = (324, 204)  # the ID-1 card size (85.6 x 54 mm) scaled by 4/3, in points


def _content(view: CardView) -> bytes:
    width, height = PDF_PAGE
    ops = [
        b"0.9 w 6 6 %d %d re S" % (width - 12, height - 12),
        b"BT /F2 11 Tf 16 %d Td " % (height - 28) + pdf_string(view.title) + b" Tj ET",
    ]
    y = height - 52
    for label, value in view.lines():
        ops.append(b"BT /F1 8 Tf 16 %d Td " % y + pdf_string(label) + b" Tj ET")
        ops.append(b"BT /F2 9 Tf 92 %d Td " % y + pdf_string(value) + b" Tj ET")
        y -= 19
    return b"\n".join(ops)


def render_pdf(view: CardView) -> bytes:
    content = _content(view)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>" % PDF_PAGE,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + pdf_string(f"{view.title} {view.kpj}") + b" /Producer (Jamsos membership) >>",
    ]
    return assemble(objects, info_id=len(objects))
