import pytest
from django.core.exceptions import ValidationError

from complaints.files import (
    DOCX,
    JPEG,
    MAX_FILE_SIZE,
    OFD,
    PDF,
    PNG,
    XLSX,
    evidence_check,
    sniff_content_type,
)
from tests.complaints import evidence


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.pdf", evidence.PDF_BYTES, PDF),
        ("a.png", evidence.PNG_BYTES, PNG),
        ("a.jpg", evidence.JPEG_BYTES, JPEG),
        ("a.docx", evidence.DOCX_BYTES, DOCX),
        ("a.xlsx", evidence.XLSX_BYTES, XLSX),
        ("a.ofd", evidence.OFD_BYTES, OFD),
        # The name never decides: a PDF named .png is a PDF.
        ("scan.png", evidence.PDF_BYTES, PDF),
    ],
)
def test_allowed_types_are_recognised_by_content(name, content, expected):
    assert sniff_content_type(evidence.upload(name, content)) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", evidence.HTML_BYTES),
        ("invoice.pdf", evidence.ELF_BYTES),
        ("invoice.pdf", evidence.EXE_BYTES),
        ("archive.docx", evidence.PLAIN_ZIP_BYTES),
        ("empty.pdf", b""),
        ("text.pdf", b"just some text"),
        ("prologue.pdf", b"<html>" + evidence.PDF_BYTES),
    ],
)
def test_html_executables_and_unknown_content_are_refused_whatever_the_name(name, content):
    assert sniff_content_type(evidence.upload(name, content)) is None
    with pytest.raises(ValidationError):
        evidence_check([evidence.upload(name, content)])


def test_an_eleventh_file_is_refused():
    with pytest.raises(ValidationError):
        evidence_check([evidence.pdf(f"{i}.pdf") for i in range(11)])


def test_ten_files_are_accepted():
    assert len(evidence_check([evidence.pdf(f"{i}.pdf") for i in range(10)])) == 10


def test_a_file_over_20_mb_is_refused():
    big = evidence.upload("big.pdf", evidence.PDF_BYTES + b"0" * MAX_FILE_SIZE)
    with pytest.raises(ValidationError):
        evidence_check([big])
