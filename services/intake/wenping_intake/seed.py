"""Demo data for the intake service (development only; idempotent)."""

from __future__ import annotations

from .config import IntakeSettings


async def seed_demo(settings: IntakeSettings) -> None:
    return None
