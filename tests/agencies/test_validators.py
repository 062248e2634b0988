"""USCC (统一社会信用代码, GB 32100-2015) validation table."""

import pytest
from django.core.exceptions import ValidationError

from agencies.validators import validate_uscc

VALID = [
    "91110000600037341L",  # a business (registration authority 9, SAIC)
    "11330100002493152L",  # an organ of state (机构编制, 机关)
    "12330100470116361A",  # a public institution (事业单位)
    "91330106MA27XK8L1G",  # letters in the organisation code
    "52330000MJ88456206",  # a social organisation (民政)
    "11100000000013127D",  # central level
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass_unchanged(code):
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91330106ma27xk8l1g", "91330106MA27XK8L1G"),
        (" 9133 0106 MA27 XK8L 1G ", "91330106MA27XK8L1G"),
        ("91330106-MA27XK8L1-G", "91330106MA27XK8L1G"),
        ("\t12330100470116361a\n", "12330100470116361A"),
    ],
    ids=["lowercase", "spaces", "dashes", "tab-newline-lowercase"],
)
def test_lowercase_spaces_and_dashes_are_normalised(raw, expected):
    assert validate_uscc(raw) == expected


def _error_code(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(value)
    return excinfo.value.error_list[0].code


@pytest.mark.parametrize(
    "code",
    ["91110000600037341M", "11330100002493152X", "12330100470116361B", "91330106MA27XK8L10"],
)
def test_wrong_check_character_is_rejected(code):
    assert _error_code(code) == "uscc_checksum"


@pytest.mark.parametrize(
    "code",
    ["", "9111000060003734", "91110000600037341L0", "91110000600037341", "9" * 30],
    ids=["empty", "16", "19", "17", "30"],
)
def test_wrong_length_is_rejected(code):
    assert _error_code(code) == "uscc_length"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_each_letter_the_standard_excludes_is_rejected(letter):
    # Put the letter in the organisation code, where letters are otherwise allowed.
    code = f"91330106M{letter}27XK8L1G"
    assert _error_code(code) == "uscc_characters"
    assert _error_code(code.lower()) == "uscc_characters"


@pytest.mark.parametrize("code", ["91110000600037341!", "9111000060003734。L"])
def test_punctuation_is_rejected(code):
    assert _error_code(code) in {"uscc_characters", "uscc_length"}


def test_letters_in_the_region_part_are_a_format_error():
    assert _error_code("9111A000600037341L") == "uscc_format"
