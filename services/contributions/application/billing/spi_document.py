"""The SPI (Surat Pemberitahuan Iuran, contribution notice, C-5) as a document.

Reproducible from data: the same bill renders the same text. `render_pdf` writes a
plain PDF 1.4 by hand (Courier text, one page per 60 lines), so no PDF library is
needed; `render_text` gives the same content as plain text.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from services.contributions.adapters.bill_queries import BillRow, LineRow
from services.chassis.pdf import assemble, pdf_string

PROGRAM_COLUMNS = (("JHT", "EMPLOYER"), ("JHT", "WORKER"), ("JKK", "EMPLOYER"), ("JK", "EMPLOYER"), ("JPK", "EMPLOYER"))
LINES_PER_PAGE = 60


def _rp(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def spi_lines(bill: BillRow, lines: Sequence[LineRow], penalties: Sequence[tuple[str, str, int]] = ()) -> list[str]:
    """The notice as lines of text: header, one row per worker (a column per program share),
    totals, and the employer's unpaid penalties on the day it was issued (C-6: bill number,
    period, amount left), which are owed beside the contributions."""
    title = "SURAT PEMBERITAHUAN IURAN (SPI)" + (f" - KOREKSI {bill.sequence}" if bill.kind == "CORRECTION" else "")
    out = [
        title,
        f"Nomor         : {bill.bill_number}",
        f"Perusahaan    : {bill.employer_name} (NPP {bill.npp})",
        f"Kantor cabang : {bill.branch_code}",
        f"Periode       : {bill.period}",
        f"Jatuh tempo   : {bill.due_date.isoformat()} (C-6)",
        "",
        f"{'KPJ':<11} {'Nama':<20} {'Upah':>12} {'JHT-PK':>10} {'JHT-TK':>10} {'JKK':>10} {'JK':>10} {'JPK':>10} {'Jumlah':>12}",
    ]
    for kpj, rows in groupby(lines, key=lambda l: l.kpj):
        rows = list(rows)
        by_share = {(r.program, r.payer): r.amount_rupiah for r in rows}
        base = max((r.base_rupiah for r in rows if r.program != "JPK"), default=rows[0].base_rupiah)
        cells = " ".join(f"{_rp(by_share.get(c, 0)):>10}" for c in PROGRAM_COLUMNS)
        out.append(f"{kpj:<11} {rows[0].worker_name[:20]:<20} {_rp(base):>12} {cells} {_rp(sum(by_share.values())):>12}")
    out += [
        "",
        f"Jumlah tenaga kerja      : {bill.worker_count}",
        f"Iuran pemberi kerja      : Rp {_rp(bill.employer_rupiah)}",
        f"Iuran tenaga kerja (JHT) : Rp {_rp(bill.worker_rupiah)}",
        f"TOTAL IURAN              : Rp {_rp(bill.total_rupiah)}",
        f"Dibayar paling lambat {bill.due_date.isoformat()}; keterlambatan dikenakan denda (C-6).",
    ]
    if penalties:
        out += ["", "DENDA BELUM DIBAYAR (C-6)", f"{'SPI':<24} {'Periode':<8} {'Sisa denda':>14}"]
        out += [f"{number:<24} {period:<8} {_rp(amount):>14}" for number, period, amount in penalties]
        owed = sum(amount for _, _, amount in penalties)
        out += [f"Jumlah denda             : Rp {_rp(owed)}",
                f"TOTAL TAGIHAN            : Rp {_rp(bill.total_rupiah + owed)}",
                "Pembayaran melunasi iuran lebih dahulu, kemudian denda (C-6)."]
    return out


def render_text(bill: BillRow, lines: list[LineRow], penalties: Sequence[tuple[str, str, int]] = ()) -> str:
    return "\n".join(spi_lines(bill, lines, penalties)) + "\n"


def render_pdf(text_lines: list[str], title: str = "SPI") -> bytes:
    """A valid PDF (A4 landscape, Courier 8pt) of the lines, paginated."""
    pages = [text_lines[i:i + LINES_PER_PAGE] for i in range(0, len(text_lines), LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []  # object n is objects[n - 1]
    font_id, pages_id = 3, 2
    page_ids = []
    objects += [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"]
    for page in pages:
        stream = b"BT /F1 8 Tf 10 TL 28 560 Td " + b" ".join(pdf_string(line) + b" '" for line in page) + b" ET"
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font << /F1 %d 0 R >> >> "
                       b"/Contents %d 0 R >>" % (font_id, content_id))
        page_ids.append(len(objects))
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % i for i in page_ids), len(page_ids))
    objects.append(b"<< /Title " + pdf_string(title) + b" /Producer (Jamsos) >>")
    return assemble(objects, info_id=len(objects))
