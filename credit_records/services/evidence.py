"""Evidence files of objections and repair applications, handled as complaint evidence is
(DESIGN section 11; ``complaints.files``): checked by content, size and count before anything
is written, stored under random names, removed again if the transaction fails."""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from complaints.files import CheckedFile, evidence_check, file_sha256


def evidence_checked(files) -> list[CheckedFile]:
    """The files checked (400 naming ``files`` with every problem), before any write; files
    a console form already checked (``CheckedFile``) pass as they are."""
    files = list(files or [])
    if all(isinstance(f, CheckedFile) for f in files):
        return files
    try:
        return evidence_check(files or [])
    except ValidationError as exc:
        raise ValidationError({"files": exc.messages}) from None


def evidence_store(model, checked: list[CheckedFile], *, uploaded_by, **owner) -> list:
    """Rows of ``model`` (an ``EvidenceFile``) for the checked files, owned by ``owner`` (e.g.
    ``objection=...``). Call last in the caller's transaction, after every check, so that only
    a failing insert can follow the file writes; then the files are deleted again."""
    rows, paths = [], []
    for item in checked:
        row = model(
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            sha256=file_sha256(item.upload),
            uploaded_by=uploaded_by,
            **owner,
        )
        item.upload.seek(0)
        row.file.save("evidence", item.upload, save=False)
        paths.append(row.file.name)
        rows.append(row)
    try:
        return model.objects.bulk_create(rows) if rows else []
    except BaseException:
        _remove(paths)
        raise


def _remove(paths) -> None:
    for path in paths:
        try:
            default_storage.delete(path)
        except OSError:
            pass
