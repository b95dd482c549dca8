"""The three services as real uvicorn processes on 127.0.0.1, shared by the integration tests
(generated clients, the browser on /docs, the guide's curl examples). Started once per session,
on the embedded database, and stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from process_kit import embedded_database_only, running

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts"


@pytest.fixture(scope="session")
def live_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """{service: base URL} of freshly migrated and seeded processes."""
    embedded_database_only("the process-level tests")
    with running(tmp_path_factory.mktemp("live"), settings={"OUTBOX_POLL_SECONDS": "0.2"}) as urls:
        yield urls


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Screenshots and generated output kept for people to look at (git-ignored)."""
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS
