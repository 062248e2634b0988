"""CSV import of the agency directory: all-or-nothing, idempotent, row-numbered report."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from agencies.imports import ImportFailed, agencies_import
from agencies.models import Agency
from tests.agencies.factories import AgencyFactory, make_uscc

pytestmark = pytest.mark.django_db

CITY = make_uscc(900_001, "11330100")
EDU = make_uscc(900_002, "11330100")
SCHOOL = make_uscc(900_003, "12330100")
XIHU = make_uscc(900_004, "11330106")

HEADER = "name,uscc,kind,region_code,supervisor_uscc\n"
# The school comes before its bureau, and the bureau before the government: order is free.
GOOD = (
    HEADER
    + f"杭州市第一中学,{SCHOOL},institution,330100,{EDU}\n"
    + f"杭州市教育局,{EDU},department,330100,{CITY}\n"
    + f"杭州市人民政府,{CITY},government,330100,\n"
    + f"杭州市西湖区人民政府,{XIHU},government,330106,{CITY}\n"
)


@pytest.fixture(autouse=True)
def _no_language_env(monkeypatch):
    monkeypatch.delenv("LANGUAGE", raising=False)


def write(tmp_path, text, *, bom=False, name="agencies.csv"):
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def run(path, *args):
    from io import StringIO

    out = StringIO()
    call_command("import_agencies", str(path), *args, stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(
        Agency.objects.values_list(
            "uscc", "name", "kind", "region_id", "supervisor__uscc", "updated_at"
        )
    )


@pytest.mark.parametrize("bom", [False, True], ids=["plain-utf8", "utf8-with-bom"])
def test_good_file_creates_every_agency_with_its_supervisor(tmp_path, bom):
    output = run(write(tmp_path, GOOD, bom=bom))

    assert "新增 4，更新 0，未变化 0" in output
    school = Agency.objects.get(uscc=SCHOOL)
    assert school.supervisor.uscc == EDU
    assert school.supervisor.supervisor.uscc == CITY
    assert Agency.objects.get(uscc=XIHU).region_id == "330106"
    assert Agency.objects.get(uscc=CITY).supervisor is None


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write(tmp_path, GOOD)
    run(path)
    before = snapshot()

    output = run(path)

    assert "新增 0，更新 0，未变化 4" in output
    assert snapshot() == before


def test_changed_row_updates_only_that_agency(tmp_path):
    run(write(tmp_path, GOOD))
    moved = GOOD.replace(
        f"杭州市第一中学,{SCHOOL},institution,330100,{EDU}",
        f"杭州市第一中学,{SCHOOL},institution,330106,{XIHU}",
    )

    output = run(write(tmp_path, moved, name="moved.csv"))

    assert "新增 0，更新 1，未变化 3" in output
    school = Agency.objects.get(uscc=SCHOOL)
    assert (school.region_id, school.supervisor.uscc) == ("330106", XIHU)


def test_supervisor_may_be_an_agency_already_in_the_directory(tmp_path):
    existing = AgencyFactory(name="杭州市财政局")
    text = HEADER + f"杭州市财政局下属中心,{SCHOOL},institution,,{existing.uscc.lower()}\n"

    run(write(tmp_path, text))

    assert Agency.objects.get(uscc=SCHOOL).supervisor == existing


def test_lowercase_and_spaced_codes_are_normalised(tmp_path):
    spaced = " ".join([EDU[:6], EDU[6:12], EDU[12:].lower()])
    run(write(tmp_path, HEADER + f"杭州市教育局,{spaced},department,330100,\n"))
    assert Agency.objects.get().uscc == EDU


def test_chinese_kind_labels_are_accepted(tmp_path):
    run(write(tmp_path, HEADER + f"杭州市人民政府,{CITY},人民政府,330100,\n"))
    assert Agency.objects.get().kind == "government"


BAD_ROWS = [
    pytest.param(f"杭州市教育局,{EDU[:-1]}X,department,330100,", "uscc", "校验位", id="check-char"),
    pytest.param(f"杭州市教育局,{EDU[:-2]},department,330100,", "uscc", "18位", id="length"),
    pytest.param(
        "杭州市教育局,1133010000000000I1,department,330100,", "uscc", "非法字符", id="letter-I"
    ),
    pytest.param("杭州市教育局,,department,330100,", "uscc", "不能为空", id="missing-uscc"),
    pytest.param(f",{EDU},department,330100,", "name", "名称不能为空", id="missing-name"),
    pytest.param(f"杭州市教育局,{EDU},bureau,330100,", "kind", "未知的机构类型", id="unknown-kind"),
    pytest.param(
        f"杭州市教育局,{EDU},department,3301,", "region_code", "6位数字", id="region-5-digits"
    ),
    pytest.param(
        f"杭州市教育局,{EDU},department,33010A,", "region_code", "6位数字", id="region-letter"
    ),
    pytest.param(
        f"杭州市教育局,{EDU},department,999999,",
        "region_code",
        "未知的行政区划代码",
        id="region-unknown",
    ),
    pytest.param(
        f"杭州市教育局,{EDU},department,330100,{XIHU}",
        "supervisor_uscc",
        "既不在本文件中",
        id="supervisor-unknown",
    ),
    pytest.param(
        f"杭州市教育局,{EDU},department,330100,{EDU}",
        "supervisor_uscc",
        "不能是自己的上级",
        id="own-supervisor",
    ),
]


@pytest.mark.parametrize(("row", "column", "reason"), BAD_ROWS)
def test_a_bad_row_is_reported_with_its_row_number_and_nothing_is_written(
    tmp_path, row, column, reason
):
    # Row 2 is good; the bad row is row 3 (the header is row 1).
    text = HEADER + f"杭州市人民政府,{CITY},government,330100,\n" + row + "\n"

    with pytest.raises(CommandError) as excinfo:
        run(write(tmp_path, text))

    report = str(excinfo.value)
    assert f"第3行 {column}" in report
    assert reason in report
    assert "第2行" not in report
    assert "未写入任何数据" in report
    assert not Agency.objects.exists()


def test_every_bad_row_is_reported_not_only_the_first(tmp_path):
    text = (
        HEADER
        + f"杭州市教育局,{EDU[:-1]}X,department,330100,\n"
        + f"杭州市人民政府,{CITY},government,999999,\n"
        + f"杭州市财政局,{XIHU},ministry,330100,\n"
    )
    with pytest.raises(ImportFailed) as excinfo:
        agencies_import(text)

    assert [(e.row, e.column) for e in excinfo.value.errors] == [
        (2, "uscc"),
        (3, "region_code"),
        (4, "kind"),
    ]


def test_duplicate_uscc_within_the_file_names_the_first_row(tmp_path):
    text = (
        HEADER
        + f"杭州市教育局,{EDU},department,330100,\n"
        + f"杭州市财政局,{EDU},department,330100,\n"
    )

    with pytest.raises(CommandError, match="第3行 uscc：统一社会信用代码与第2行重复"):
        run(write(tmp_path, text))
    assert not Agency.objects.exists()


def test_uscc_of_an_existing_agency_with_another_name_is_refused(tmp_path):
    AgencyFactory(name="杭州市财政局", uscc=EDU)
    text = HEADER + f"杭州市教育局,{EDU},department,330100,\n"

    with pytest.raises(CommandError, match="已属于机构“杭州市财政局”"):
        run(write(tmp_path, text))
    assert Agency.objects.get(uscc=EDU).name == "杭州市财政局"


def test_allow_rename_accepts_a_new_name_for_a_known_uscc(tmp_path):
    AgencyFactory(name="杭州市教育委员会", uscc=EDU, region_id="330100")
    text = HEADER + f"杭州市教育局,{EDU},department,330100,\n"

    output = run(write(tmp_path, text), "--allow-rename")

    assert "更新 1" in output
    assert Agency.objects.get(uscc=EDU).name == "杭州市教育局"


@pytest.mark.parametrize(
    "edges",
    [
        pytest.param([("A", "B"), ("B", "A")], id="A-B-A"),
        pytest.param([("A", "B"), ("B", "C"), ("C", "D"), ("D", "A")], id="four-long"),
    ],
)
def test_supervisor_loop_inside_the_file_is_refused(tmp_path, edges):
    codes = {k: make_uscc(910_000 + i, "11330100") for i, k in enumerate("ABCD")}
    text = HEADER + "".join(f"机构{a},{codes[a]},department,330100,{codes[b]}\n" for a, b in edges)

    with pytest.raises(CommandError) as excinfo:
        run(write(tmp_path, text))

    report = str(excinfo.value)
    for row in range(2, 2 + len(edges)):
        assert f"第{row}行 supervisor_uscc：上级部门会形成循环的隶属关系" in report
    assert not Agency.objects.exists()


def test_loop_closed_through_the_directory_is_refused(tmp_path):
    # Directory: B under A. File: A under B → A → B → A.
    a = AgencyFactory(name="机构A")
    AgencyFactory(name="机构B", uscc=XIHU, supervisor=a)
    text = HEADER + f"机构A,{a.uscc},department,330106,{XIHU}\n"
    before = snapshot()

    with pytest.raises(CommandError, match="第2行 supervisor_uscc：上级部门会形成循环"):
        run(write(tmp_path, text))
    assert snapshot() == before


def test_swapping_a_supervisor_pair_in_one_file_is_not_a_loop(tmp_path):
    # Directory: B under A. File: A under B, and B has no supervisor any more.
    a = AgencyFactory(name="机构A", region_id="330100")
    b = AgencyFactory(name="机构B", supervisor=a, region_id="330100")
    text = (
        HEADER
        + f"机构A,{a.uscc},department,330100,{b.uscc}\n"
        + f"机构B,{b.uscc},department,330100,\n"
    )

    output = run(write(tmp_path, text))

    assert "更新 2" in output
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.supervisor, b.supervisor) == (b, None)


def test_missing_column_is_reported(tmp_path):
    with pytest.raises(CommandError, match="缺少列：supervisor_uscc"):
        run(write(tmp_path, "name,uscc,kind,region_code\n杭州市教育局,x,department,330100\n"))


def test_file_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(GOOD.encode("gbk"))
    with pytest.raises(CommandError, match="UTF-8"):
        run(path)
    assert not Agency.objects.exists()


def test_dry_run_counts_without_writing(tmp_path):
    output = run(write(tmp_path, GOOD), "--dry-run")
    assert "新增 4" in output
    assert not Agency.objects.exists()


def test_report_is_in_english_with_the_language_option(tmp_path):
    text = HEADER + f"杭州市教育局,{EDU},department,999999,\n"
    with pytest.raises(CommandError) as excinfo:
        run(write(tmp_path, text), "--language", "en")
    assert "Row 2 region_code: Unknown region code: 999999." in str(excinfo.value)


def test_report_follows_the_language_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en_US:en")
    text = HEADER + f"杭州市教育局,{EDU},department,999999,\n"
    with pytest.raises(CommandError, match="Unknown region code"):
        run(write(tmp_path, text))


def test_report_follows_the_active_language(tmp_path):
    text = HEADER + f"杭州市教育局,{EDU},department,999999,\n"
    with translation.override("en"), pytest.raises(CommandError, match="Unknown region code"):
        run(write(tmp_path, text))


def test_import_of_many_rows_uses_a_bounded_number_of_queries_to_validate(
    django_assert_max_num_queries,
):
    rows = [
        f"机构{i},{make_uscc(920_000 + i, '11330100')},department,330100,{CITY}" for i in range(300)
    ]
    text = HEADER + f"杭州市人民政府,{CITY},government,330100,\n" + "\n".join(rows) + "\n"
    from agencies.imports import agencies_validate, read_csv

    with django_assert_max_num_queries(5):
        agencies_validate(read_csv(text))


def test_a_chain_deeper_than_the_limit_is_reported_not_crashed_on(tmp_path):
    from agencies.services import MAX_SUPERVISOR_DEPTH

    codes = [make_uscc(930_000 + i, "11330100") for i in range(MAX_SUPERVISOR_DEPTH + 3)]
    rows = [
        f"机构{i},{code},department,330100,{codes[i - 1] if i else ''}"
        for i, code in enumerate(codes)
    ]
    with pytest.raises(CommandError, match="层级超过"):
        run(write(tmp_path, HEADER + "\n".join(rows) + "\n"))
    assert not Agency.objects.exists()


@pytest.mark.parametrize(
    ("option", "environment", "expected"),
    [
        ("en", "", "en"),
        ("", "en_US:en", "en"),
        ("", "en_US.UTF-8", "en"),
        ("", "zh_CN:zh", "zh-hans"),
        ("zh-hans", "en_US", "zh-hans"),  # the option wins
        ("", "", None),  # keep the active language
        ("fr", "", None),  # unsupported: keep the active language
    ],
)
def test_report_language_is_chosen_from_option_then_environment(
    monkeypatch, option, environment, expected
):
    from agencies.management.commands._language import command_language

    monkeypatch.setenv("LANGUAGE", environment)
    assert command_language(option or None) == expected


def test_import_of_many_new_rows_writes_in_batches(django_assert_max_num_queries):
    rows = [
        f"机构{i},{make_uscc(940_000 + i, '11330100')},department,330100,{CITY}" for i in range(600)
    ]
    text = HEADER + f"杭州市人民政府,{CITY},government,330100,\n" + "\n".join(rows) + "\n"

    with django_assert_max_num_queries(15):
        result = agencies_import(text)

    assert (result.created, result.updated, result.unchanged) == (601, 0, 0)
    assert Agency.objects.filter(supervisor__uscc=CITY).count() == 600
    assert Agency.objects.exclude(created_at=None).exclude(updated_at=None).count() == 601
