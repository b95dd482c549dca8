"""Unified social credit code (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wenping_registry.agencies.credit_code import (
    CREDIT_CODE_CHARSET,
    CreditCodeProblem,
    credit_code_check_char,
    is_valid_credit_code,
    validate_credit_code,
)

# Codes seen in public material (their check characters were re-computed before use) and codes
# computed for this test with the GB 32100 algorithm (see _reference_check).
VALID_CODES = [
    "91350100M000100Y43",  # a widely published sample code
    "91110000600037341L",
    "91440300708461136T",
    "91330000142916567N",
    "91330400MA29GK7P17",  # Jiaxing-registered company, MA-style subject code
    "91330421MA2B8C4L02",  # Jiashan county
    "52330402MA29F1X8XF",  # civil-affairs registered (5), private non-enterprise (2)
    "12330400002566314F",  # public institution (机构编制 1)
    "913304020000000130",  # sum mod 31 == 0 -> check value 31 -> "0"
]


def _reference_check(first17: str) -> str:
    # Independent re-statement of the standard: weights are 3**i mod 31.
    total = sum(CREDIT_CODE_CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_codes_pass(code: str) -> None:
    result = validate_credit_code(code)
    assert result.valid, result.reason
    assert result.reason is None
    assert result.code == code


def test_charset_excludes_ambiguous_letters() -> None:
    assert len(CREDIT_CODE_CHARSET) == 31
    assert not set("IOZSV") & set(CREDIT_CODE_CHARSET)


def test_authority_label_is_reported() -> None:
    assert validate_credit_code("91350100M000100Y43").registration_authority == "工商（市场监管）"
    assert validate_credit_code("52330402MA29F1X8XF").registration_authority == "民政"


def test_lower_case_and_spaces_are_normalised() -> None:
    result = validate_credit_code("  91330400ma29gk7p17 ")
    assert result.valid
    assert result.code == "91330400MA29GK7P17"


@pytest.mark.parametrize("code", ["", "9135010", "91350100M000100Y4", "91350100M000100Y433"])
def test_wrong_length(code: str) -> None:
    result = validate_credit_code(code)
    assert not result.valid
    assert result.problem is CreditCodeProblem.length
    assert result.reason is not None and "长度不是18位" in result.reason


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_forbidden_letters(letter: str) -> None:
    code = "91350100M000100Y4" + letter
    result = validate_credit_code(code)
    assert not result.valid
    assert result.problem is CreditCodeProblem.charset
    assert result.reason is not None
    assert "不允许的字符" in result.reason and letter in result.reason
    assert "I、O、Z、S、V" in result.reason


def test_other_characters_rejected() -> None:
    result = validate_credit_code("91350100M00010-Y43")
    assert result.problem is CreditCodeProblem.charset


def test_region_must_be_digits() -> None:
    result = validate_credit_code("9135A100M000100Y43")
    assert result.problem is CreditCodeProblem.region


def test_wrong_check_char_names_the_right_one() -> None:
    result = validate_credit_code("91350100M000100Y44")
    assert not result.valid
    assert result.problem is CreditCodeProblem.check_char
    assert result.expected_check_char == "3"
    assert result.reason == "统一社会信用代码校验码错误，应为 3"


def test_single_character_typo_is_caught() -> None:
    # Changing any one of the first 17 characters must change the check character.
    base = "91330400MA29GK7P17"
    for pos in range(17):
        for ch in CREDIT_CODE_CHARSET:
            if ch == base[pos] or (2 <= pos < 8 and not ch.isdigit()):
                continue
            typo = base[:pos] + ch + base[pos + 1 :]
            assert not is_valid_credit_code(typo), typo


def test_check_char_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        credit_code_check_char("91350100M000100")
    with pytest.raises(ValueError):
        credit_code_check_char("91350100M000100YI")


_body = st.tuples(
    st.text(alphabet=CREDIT_CODE_CHARSET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=CREDIT_CODE_CHARSET, min_size=9, max_size=9),
).map("".join)


@given(_body)
def test_check_char_matches_reference(body: str) -> None:
    expected = _reference_check(body)
    assert credit_code_check_char(body) == expected
    assert is_valid_credit_code(body + expected)
