"""Fixtures of the review API tests (helpers live in review_kit.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from review_kit import RegistryFront, clear_review_caches


@pytest.fixture
def registry_front(system: Any) -> Iterator[RegistryFront]:
    real = system.transport.apps["registry"]
    front = RegistryFront(real)
    system.transport.apps["registry"] = front
    clear_review_caches(system)
    yield front
    system.transport.apps["registry"] = real
    clear_review_caches(system)


@pytest.fixture
def fresh_caches(system: Any) -> Iterator[None]:
    clear_review_caches(system)
    yield
    clear_review_caches(system)


@pytest.fixture
async def reviewer(system: Any) -> AsyncIterator[dict[str, str]]:
    yield await system.auth("jx.reviewer")
