import io

import pytest
from django.core.management import CommandError, call_command

from credit_records.imports import ImportFailed, credit_records_import
from credit_records.models import AgencyRecordChange, CreditRecord
from tests.agencies.factories import AgencyFactory

pytestmark = pytest.mark.django_db

HEADER = "agency_uscc,kind,severity,facts,amount,decided_on,source_ref\n"


@pytest.fixture
def agencies():
    return AgencyFactory(), AgencyFactory()


def csv_file(tmp_path, body, name="list.csv"):
    path = tmp_path / name
    path.write_text("\ufeff" + HEADER + body, encoding="utf-8")
    return path


def good_rows(a, b):
    return (
        f"{a.uscc},arrears,general,拖欠工程款,350000.00,2026-03-01,PAY-2026-001\n"
        f'{b.uscc},dishonest_debtor,serious,未履行判决,"1,200,000",2026-02-15,PAY-2026-002\n'
        f"{a.uscc},promise_kept,,已结清账款,,2026-04-01,PAY-2026-003\n"
    )


def test_import_writes_every_row_and_a_second_import_changes_nothing(tmp_path, agencies):
    path = csv_file(tmp_path, good_rows(*agencies))
    out = io.StringIO()
    call_command("import_credit_records", str(path), "--source", "payment_platform", stdout=out)
    assert "新增3条" in out.getvalue()
    assert CreditRecord.objects.filter(source="payment_platform").count() == 3
    assert CreditRecord.objects.get(source_ref="PAY-2026-002").amount == 1200000
    assert AgencyRecordChange.objects.count() == 3
    out = io.StringIO()
    call_command("import_credit_records", str(path), "--source", "payment_platform", stdout=out)
    assert "新增0条，已存在3条" in out.getvalue()
    assert CreditRecord.objects.count() == 3
    assert AgencyRecordChange.objects.count() == 3


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        ("99999999999999999X,arrears,general,x,,2026-03-01,R-9", "agency_uscc"),
        ("{uscc},theft,general,x,,2026-03-01,R-9", "kind"),
        ("{uscc},arrears,,x,,2026-03-01,R-9", "severity"),
        ("{uscc},promise_kept,minor,x,,2026-03-01,R-9", "severity"),
        ("{uscc},arrears,general,x,,2099-01-01,R-9", "decided_on"),
        ("{uscc},arrears,general,x,,01/03/2026,R-9", "decided_on"),
        ("{uscc},arrears,general,x,abc,2026-03-01,R-9", "amount"),
        ("{uscc},arrears,general,,,2026-03-01,R-9", "facts"),
        ("{uscc},arrears,general,x,,2026-03-01,", "source_ref"),
    ],
)
def test_one_bad_row_fails_the_whole_import_with_a_row_report(
    tmp_path, agencies, bad_row, expected
):
    a, b = agencies
    path = csv_file(tmp_path, good_rows(a, b) + bad_row.format(uscc=a.uscc) + "\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何记录"):
        call_command("import_credit_records", str(path), stderr=err)
    assert "第5行" in err.getvalue()
    assert expected in err.getvalue()
    assert not CreditRecord.objects.exists()
    assert not AgencyRecordChange.objects.exists()


def test_errors_in_later_batches_roll_back_earlier_batches(agencies):
    a, _ = agencies
    lines = (
        [HEADER]
        + [f"{a.uscc},arrears,minor,拖欠,,2026-01-01,B-{n}\n" for n in range(25)]
        + [f"{a.uscc},arrears,severe,拖欠,,2026-01-01,B-X\n"]
    )
    with pytest.raises(ImportFailed) as failed:
        credit_records_import(lines=iter(lines), batch_size=10)
    assert failed.value.report.rows == 26
    assert [line for line, _ in failed.value.report.errors] == [27]
    assert not CreditRecord.objects.exists()


def test_missing_columns_and_missing_file_are_reported(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("kind,facts\n", encoding="utf-8")
    with pytest.raises(CommandError, match="agency_uscc"):
        call_command("import_credit_records", str(path))
    with pytest.raises(CommandError):
        call_command("import_credit_records", str(tmp_path / "nope.csv"))


def test_dry_run_writes_nothing(tmp_path, agencies):
    path = csv_file(tmp_path, good_rows(*agencies))
    out = io.StringIO()
    call_command("import_credit_records", str(path), "--dry-run", stdout=out)
    assert "试运行" in out.getvalue()
    assert not CreditRecord.objects.exists()


def test_report_in_english(tmp_path, agencies):
    path = csv_file(tmp_path, good_rows(*agencies))
    out = io.StringIO()
    call_command("import_credit_records", str(path), "--language", "en", stdout=out)
    assert "3 created" in out.getvalue()
