"""What intake's public views derive alike (the views themselves: ``wenping_shared.public_view``)."""

from __future__ import annotations

from enum import StrEnum

from wenping_shared.contracts.vocab import label_of


def label_or_none(enum_type: type[StrEnum], value: str | None) -> str | None:
    """The label of an optional vocabulary value (no value, no label)."""
    return label_of(enum_type, value) if value else None
