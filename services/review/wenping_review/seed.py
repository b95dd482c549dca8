"""Demo data for the review service (development only; idempotent)."""

from __future__ import annotations

from .config import ReviewSettings


async def seed_demo(settings: ReviewSettings) -> None:
    return None
