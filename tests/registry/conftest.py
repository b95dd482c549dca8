"""Fixtures for the registry's expert, draw and agency tests.

Draw tests need candidate pools nobody else touches, so they get counties of their own
(real GB/T 2260 codes that the demo data does not use), inserted straight into the registry's
database once per session.
"""

from __future__ import annotations

from typing import Any

import pytest

from wenping_registry.identity.models import Region

#: Counties reserved for these tests: (code, name, parent).
TEST_COUNTIES: tuple[tuple[str, str, str], ...] = (
    ("330424", "海盐县", "330400"),
    ("330481", "海宁市", "330400"),
    ("330482", "平湖市", "330400"),
    ("620721", "肃南裕固族自治县", "620700"),
    ("620722", "民乐县", "620700"),
    ("620723", "临泽县", "620700"),
    ("620725", "山丹县", "620700"),
)


@pytest.fixture(scope="session")
async def test_counties(system: Any) -> dict[str, str]:
    async with system.apps["registry"].state.sessionmaker() as session:
        for code, name, parent in TEST_COUNTIES:
            if await session.get(Region, code) is None:
                session.add(Region(code=code, name=name, parent_code=parent, level="county"))
        await session.commit()
    return {code: name for code, name, _ in TEST_COUNTIES}
