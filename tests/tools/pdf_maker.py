"""Small valid PDFs written by hand for the tests: text pages in Helvetica, optional metadata."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

_LEADING = 14
_TOP = 740


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _column(lines: list[str], x: int) -> list[bytes]:
    ops = [b"BT /F1 11 Tf %d TL %d %d Td" % (_LEADING, x, _TOP)]
    for i, line in enumerate(lines):
        ops.append((b"T* " if i else b"") + b"(" + _escape(line) + b") Tj")
    ops.append(b"ET")
    return ops


def _page_stream(page: str | tuple[str, str]) -> bytes:
    if not page:
        # a drawn box and no text operator: what a scanned page looks like to a text extractor
        return b"0.5 g 72 72 468 648 re f"
    if isinstance(page, tuple):
        left, right = page
        return b"\n".join(_column(left.split("\n"), 50) + _column(right.split("\n"), 320))
    return b"\n".join(_column(page.split("\n"), 72))


def make_pdf(pages: list[str], *, title: str | None = None, created: str | None = None) -> bytes:
    """A PDF with one page per string (lines split on newlines; an empty string draws no text).

    `created` is a PDF date such as "D:20260315090000Z".
    """
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the page numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for page in pages:
        stream = _page_stream(page)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    info = []
    if title is not None:
        info.append(b"/Title (" + _escape(title) + b")")
    if created is not None:
        info.append(b"/CreationDate (" + created.encode() + b")")
    objects.append(b"<< " + b" ".join(info) + b" >>")

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, len(objects), xref)
    )
    return out.getvalue()


def encrypt_pdf(data: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    """The same PDF encrypted (RC4-128, which pypdf writes without extra packages)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
