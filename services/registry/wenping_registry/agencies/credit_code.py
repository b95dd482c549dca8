"""Unified social credit code (统一社会信用代码) validation, GB 32100-2015.

Layout of the 18 characters:

====== ===================================================================
pos    meaning
====== ===================================================================
1      registration authority code (登记管理部门代码: 1 机构编制, 5 民政, 9 工商, Y 其他 ...)
2      organisation category code (机构类别代码)
3-8    region code of the registering authority (登记管理机关行政区划码, GB/T 2260, digits)
9-17   subject identification code (主体标识码, the organisation code of GB 11714)
18     check character
====== ===================================================================

Characters are drawn from the 31-symbol set ``0-9`` plus ``A-Z`` without I, O, Z, S, V; each
symbol's value is its index in that set. With weights ``3**i mod 31`` (1, 3, 9, 27, 19, 26, 16,
17, 20, 29, 25, 13, 8, 24, 10, 30, 28) the check value is ``31 - (sum mod 31)``, where 31 means 0.

Positions 1 and 2 are only checked against the character set: the authorities keep adding
codes (e.g. ``N`` agriculture, ``A`` military reform office), and the check character already
catches typing errors, so rejecting an unknown authority would refuse real agencies.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

from pydantic import BaseModel, ConfigDict

CREDIT_CODE_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH: Final = 18
_VALUES: Final = MappingProxyType({ch: i for i, ch in enumerate(CREDIT_CODE_CHARSET)})

#: Registration authority codes published with GB 32100-2015 and later notices (informational).
REGISTRATION_AUTHORITIES: Final = MappingProxyType(
    {
        "1": "机构编制",
        "2": "外交",
        "3": "司法行政",
        "4": "文化",
        "5": "民政",
        "6": "旅游",
        "7": "宗教",
        "8": "工会",
        "9": "工商（市场监管）",
        "A": "中央军委改革和编制办公室",
        "N": "农业",
        "Y": "其他",
    }
)


class CreditCodeProblem(StrEnum):
    """Why a code is invalid; stable machine codes for API error bodies."""

    length = "credit_code.length"
    charset = "credit_code.charset"
    region = "credit_code.region"
    check_char = "credit_code.check_char"


class CreditCodeCheck(BaseModel):
    """Outcome of :func:`validate_credit_code`. ``reason`` is Chinese, for users."""

    model_config = ConfigDict(frozen=True)

    code: str
    """The code as checked: surrounding whitespace stripped, letters upper-cased."""
    valid: bool
    problem: CreditCodeProblem | None = None
    reason: str | None = None
    expected_check_char: str | None = None
    """Set when only the check character is wrong, so the user sees what it should be."""
    registration_authority: str | None = None
    """Chinese name of the authority of position 1, when known."""


def normalize_credit_code(code: str) -> str:
    """Strip whitespace and upper-case: people type codes in lower case and paste with spaces."""
    return "".join(code.split()).upper()


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters (already normalised).

    Raises ``ValueError`` when the input is not 17 characters of the code's character set.
    """
    if len(first17) != CREDIT_CODE_LENGTH - 1 or any(ch not in _VALUES for ch in first17):
        raise ValueError("需要17位由数字和大写字母（不含 I、O、Z、S、V）组成的本体代码")
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> CreditCodeCheck:
    """Check a unified social credit code; the first problem found is reported."""
    normalized = normalize_credit_code(code)
    if len(normalized) != CREDIT_CODE_LENGTH:
        return CreditCodeCheck(
            code=normalized,
            valid=False,
            problem=CreditCodeProblem.length,
            reason=f"统一社会信用代码长度不是18位（实际{len(normalized)}位）",
        )
    bad = sorted({ch for ch in normalized if ch not in _VALUES})
    if bad:
        return CreditCodeCheck(
            code=normalized,
            valid=False,
            problem=CreditCodeProblem.charset,
            reason=(
                f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（只允许数字0-9和大写字母，且不含 I、O、Z、S、V）"
            ),
        )
    if not normalized[2:8].isdigit():
        return CreditCodeCheck(
            code=normalized,
            valid=False,
            problem=CreditCodeProblem.region,
            reason="统一社会信用代码第3-8位（登记管理机关行政区划码）应为6位数字",
        )
    authority = REGISTRATION_AUTHORITIES.get(normalized[0])
    expected = credit_code_check_char(normalized[:17])
    if normalized[17] != expected:
        return CreditCodeCheck(
            code=normalized,
            valid=False,
            problem=CreditCodeProblem.check_char,
            reason=f"统一社会信用代码校验码错误，应为 {expected}",
            expected_check_char=expected,
            registration_authority=authority,
        )
    return CreditCodeCheck(code=normalized, valid=True, registration_authority=authority)


def is_valid_credit_code(code: str) -> bool:
    return validate_credit_code(code).valid
