"""Who administers what: the one rule the registry's domains (agencies, experts) share."""

from __future__ import annotations

from typing import Protocol, TypeVar

from wenping_shared import Forbidden, Principal, region_contains


class InRegion(Protocol):
    @property
    def region_code(self) -> str: ...


Administered = TypeVar("Administered", bound=InRegion)


def manages_region(principal: Principal, region_code: str) -> bool:
    """An administrator (a person, not a client) of ``region_code`` or of a region above it."""
    return (
        principal.kind == "user"
        and principal.has_role("admin")
        and principal.region_code is not None
        and region_contains(principal.region_code, region_code)
    )


def administered(principal: Principal, row: Administered, refusal: type[Forbidden]) -> Administered:
    """``row`` when ``principal`` administers its region, else the ``refusal``."""
    if not manages_region(principal, row.region_code):
        raise refusal()
    return row
