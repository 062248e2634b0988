"""Unified social credit code (统一社会信用代码, GB 32100-2015).

Validation is python-stdnum's ``cn.uscc`` (maintained, implements the check character); we add
normalisation (upper case, no spaces or dashes) and messages that tell the user which rule failed.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

# GB 32100-2015 alphabet: digits and upper-case letters except I, O, Z, S, V.
_USCC_ALPHABET = re.compile(r"^[0-9ABCDEFGHJKLMNPQRTUWXY]*$")


def normalize_uscc(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def validate_uscc(value: str) -> str:
    """Return the normalised code or raise a ValidationError saying what is wrong."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)d位。"),
            code="uscc_length",
            params={"length": len(code)},
        )
    if not _USCC_ALPHABET.match(code):
        raise ValidationError(
            _("统一社会信用代码含有非法字符（不得使用 I、O、Z、S、V 及标点）。"),
            code="uscc_characters",
        )
    try:
        stdnum_uscc.validate(code)
    except InvalidChecksum:
        raise ValidationError(
            _("统一社会信用代码校验位错误，请核对后重新输入。"), code="uscc_checksum"
        ) from None
    except (InvalidFormat, InvalidLength):
        raise ValidationError(
            _("统一社会信用代码格式不正确（登记管理部门码或行政区划码无效）。"),
            code="uscc_format",
        ) from None
    return code
