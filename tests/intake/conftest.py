"""Fixtures for the intake tests; the helpers themselves live in intake_kit."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from intake_kit import Projects, Reports
from system_kit import WenpingSystem


@pytest.fixture
def reports(system: WenpingSystem) -> Reports:
    return Reports(system)


@pytest.fixture
def projects(system: WenpingSystem) -> Projects:
    return Projects(system)


@pytest.fixture
def unique() -> Callable[[str], str]:
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"
