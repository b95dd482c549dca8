"""Fixtures of the review API tests (helpers live in review_kit.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from review_kit import RegistryFront, System, clear_review_caches


@pytest.fixture
async def registry_front(system: System) -> AsyncIterator[RegistryFront]:
    # Messages still in the outboxes (the seed's, earlier tests') would reach the registry
    # through the front and be counted as this test's calls: deliver them first.
    await system.drain_outboxes()
    real = system.transport.apps["registry"]
    front = RegistryFront(real)
    system.transport.apps["registry"] = front
    clear_review_caches(system)
    yield front
    system.transport.apps["registry"] = real
    clear_review_caches(system)


@pytest.fixture
def fresh_caches(system: System) -> Iterator[None]:
    clear_review_caches(system)
    yield
    clear_review_caches(system)


@pytest.fixture
async def reviewer(system: System) -> AsyncIterator[dict[str, str]]:
    yield await system.auth("jx.reviewer")


@pytest.fixture(autouse=True)
async def retire_undeliverable_messages(system: System) -> AsyncIterator[None]:
    """Many tests open reviews for projects intake does not have (and decide for the sample's
    agency, unknown to the registry); their outbox messages would be refused and retried for a
    while, adding requests to other tests' peers. After each test they are marked dead."""
    yield
    from sqlmodel import col, select

    from wenping_intake.projects.models import Project
    from wenping_review.database import OutboxMessage
    from wenping_shared.contracts import samples

    async with system.apps["review"].state.sessionmaker() as s:
        pending = list(
            (
                await s.exec(
                    select(OutboxMessage).where(col(OutboxMessage.delivered_at).is_(None), col(OutboxMessage.dead).is_(False))
                )
            ).all()
        )
    if not pending:
        return
    project_ids = {m.path.split("/")[4] for m in pending if m.destination == "intake"}
    async with system.apps["intake"].state.sessionmaker() as s:
        known = set((await s.exec(select(Project.id).where(col(Project.id).in_(project_ids)))).all()) if project_ids else set()
    undeliverable = [
        m
        for m in pending
        if (m.destination == "intake" and m.path.split("/")[4] not in known)
        or (m.destination == "registry" and f"/agencies/{samples.AGENCY_ID}/" in m.path)
    ]
    if undeliverable:
        async with system.apps["review"].state.sessionmaker() as s:
            for m in undeliverable:
                m.dead = True
                s.add(m)
            await s.commit()
