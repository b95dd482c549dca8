"""Fixtures for the intake tests; the helpers themselves live in intake_kit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from intake_kit import Projects, Reports


@pytest.fixture
def reports(system: Any) -> Reports:
    return Reports(system)


@pytest.fixture
def projects(system: Any) -> Projects:
    return Projects(system)


@pytest.fixture
def unique() -> Callable[[str], str]:
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"
