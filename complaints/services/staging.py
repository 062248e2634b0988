"""Evidence chosen on the public form survives a failed submission and the agency search.

The form carries a random token (``upload_token_new``); files checked on any post of the form
are stored as ``StagedUpload`` rows under that token, listed on the re-rendered form with a
"keep" box each, and handed to ``complaint_submit`` when the complaint is filed, after which
the rows and their files go. Abandoned forms are cleaned up by ``staged_uploads_purge`` after
``STAGED_TTL``.
"""

import re
import secrets
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from ..files import CheckedFile
from ..models import StagedUpload

STAGED_TTL = timedelta(days=1)
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def upload_token_new() -> str:
    return secrets.token_hex(16)


def upload_token_valid(value: str | None) -> str | None:
    """``value`` when it is a token this module could have made, else None."""
    return value if value and _TOKEN_RE.match(value) else None


def staged_uploads(*, token: str) -> list[StagedUpload]:
    """The live files staged under ``token`` (an expired form's files are gone)."""
    since = timezone.now() - STAGED_TTL
    return list(StagedUpload.objects.filter(token=token, created_at__gte=since).order_by("id"))


def staged_uploads_keep(*, token: str, keep: list[str]) -> list[StagedUpload]:
    """Drop the files of ``token`` whose box was unticked; return those kept."""
    kept, dropped = [], []
    for row in staged_uploads(token=token):
        (kept if str(row.pk) in keep else dropped).append(row)
    _delete(dropped)
    return kept


def uploads_stage(*, token: str, checked: list[CheckedFile]) -> list[StagedUpload]:
    """Store ``checked`` files (already checked by content) under ``token``."""
    rows = []
    try:
        for item in checked:
            row = StagedUpload(
                token=token,
                original_name=item.name,
                content_type=item.content_type,
                size=item.size,
            )
            item.upload.seek(0)
            row.file.save("staged", item.upload, save=False)
            rows.append(row)
        with transaction.atomic():
            return StagedUpload.objects.bulk_create(rows)
    except BaseException:
        for row in rows:
            default_storage.delete(row.file.name)
        raise


def staged_as_checked(rows: list[StagedUpload]) -> list[CheckedFile]:
    """Staged rows as the intake's checked files (their type was decided when staged)."""
    return [
        CheckedFile(
            upload=row.file.open("rb"),
            name=row.original_name,
            size=row.size,
            content_type=row.content_type,
        )
        for row in rows
    ]


def staged_uploads_release(*, token: str) -> None:
    """After the complaint was filed: its copies are attachments now."""
    _delete(list(StagedUpload.objects.filter(token=token)))


def staged_uploads_purge(*, older_than: timedelta = STAGED_TTL) -> int:
    """Remove staged files of forms abandoned more than ``older_than`` ago; return how many."""
    rows = list(StagedUpload.objects.filter(created_at__lt=timezone.now() - older_than)[:1000])
    _delete(rows)
    return len(rows)


def _delete(rows: list[StagedUpload]) -> None:
    if not rows:
        return
    StagedUpload.objects.filter(pk__in=[row.pk for row in rows]).delete()
    for row in rows:
        try:
            row.file.close()
            default_storage.delete(row.file.name)
        except OSError:
            pass
