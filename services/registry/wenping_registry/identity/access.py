"""Who administers what: the one rule the registry's domains (agencies, experts) share."""

from __future__ import annotations

from wenping_shared import Principal, region_contains


def manages_region(principal: Principal, region_code: str) -> bool:
    """An administrator (a person, not a client) of ``region_code`` or of a region above it."""
    return (
        principal.kind == "user"
        and principal.has_role("admin")
        and principal.region_code is not None
        and region_contains(principal.region_code, region_code)
    )
