"""Rules the intake input models share."""

from __future__ import annotations


def required_text(value: str) -> str:
    """The text without surrounding blanks; blanks alone are refused (``field_validator(...)(required_text)``)."""
    value = value.strip()
    if not value:
        raise ValueError("不能为空")
    return value
