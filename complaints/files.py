"""Evidence files: limits and type by content (DESIGN section 11).

The name a browser sends is never trusted: the type is decided from the bytes. PDF, JPEG and
PNG by their signatures (the ``filetype`` package); DOCX, XLSX and OFD are ZIP containers, told
apart by the members they must contain. Anything else — including HTML or an executable
renamed ``.pdf`` — is refused.
"""

import hashlib
import zipfile
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_FILES = 10
MAX_FILE_SIZE = 20 * 1024 * 1024

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFD = "application/ofd"

EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", DOCX: "docx", XLSX: "xlsx", OFD: "ofd"}
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.ofd"


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose type was decided by content; ``upload`` is the Django file object."""

    upload: object
    name: str
    size: int
    content_type: str


def sniff_content_type(upload) -> str | None:
    """The evidence type of ``upload`` by content, or None when it is not an allowed type."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if not head:
        return None
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in (PDF, JPEG, PNG):
        # A PDF must start with its header (filetype also accepts it a little later); refusing
        # a leading HTML prologue keeps a polyglot out.
        if mime == PDF and not head.startswith(b"%PDF-"):
            return None
        return mime
    if head.startswith(b"PK\x03\x04"):
        return _zip_container_type(upload)
    return None


def _zip_container_type(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    # GB/T 33190-2016: the package root holds OFD.xml.
    if "OFD.xml" in names:
        return OFD
    return None


def evidence_check(files) -> list[CheckedFile]:
    """Check count, sizes and types; raise one ValidationError listing every problem."""
    files = list(files or [])
    errors = []
    if len(files) > MAX_FILES:
        raise ValidationError(
            _("最多上传%(max)d个文件，当前为%(count)d个。"),
            code="too_many_files",
            params={"max": MAX_FILES, "count": len(files)},
        )
    checked = []
    for upload in files:
        # Shown on the case page only; control characters (a NUL, which PostgreSQL text cannot
        # hold, or a line break) are dropped.
        raw = str(getattr(upload, "name", "") or "")
        name = "".join(ch for ch in raw if ch.isprintable())[-255:] or "file"
        size = upload.size
        if size > MAX_FILE_SIZE:
            errors.append(
                ValidationError(
                    _("文件“%(name)s”超过20MB。"), code="file_too_large", params={"name": name}
                )
            )
            continue
        content_type = sniff_content_type(upload)
        if content_type is None:
            errors.append(
                ValidationError(
                    _("文件“%(name)s”类型不支持，仅接受PDF、JPEG、PNG、DOCX、XLSX、OFD文件。"),
                    code="file_type",
                    params={"name": name},
                )
            )
            continue
        checked.append(CheckedFile(upload=upload, name=name, size=size, content_type=content_type))
    if errors:
        raise ValidationError(errors)
    return checked


def download_name(*, reference: str, pk: int, content_type: str) -> str:
    """The name an evidence file is served under: made here, never the uploader's. The
    extension is the detected type's, so ``x.pdf\\0.html`` cannot come back as ``.html``
    (the uploaded name is still shown in the case page, as text)."""
    return f"{reference}-{pk}.{EXTENSIONS.get(content_type, 'bin')}"


def file_sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
    ):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def download_response(fieldfile, *, name: str, user):
    """An evidence file served as a download under ``name`` (made by ``download_name``), never
    inline and never sniffed, and the download logged (who, which file): for every
    permission-checked evidence view."""
    from django.http import FileResponse

    from integrity_portal.models import AccessKind, AccessLog, AccessVia

    AccessLog.objects.create(
        user=user, what=AccessKind.EVIDENCE_DOWNLOAD, object_ref=name[:64], via=AccessVia.CONSOLE
    )

    response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=name)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
