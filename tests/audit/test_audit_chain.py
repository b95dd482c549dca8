"""Tampering with the audit chain is detected (an altered field, a deleted record, two records
swapped, a forged purge checkpoint); a purge keeps the chain verifiable; writers in separate
processes never fork it. Each tampering is undone at the end of its test (the suite shares the
service databases). The trail tampered with is review's."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import update
from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_shared import AuditRecordFields, AuditTrail, audit_trail, create_engine, create_sessionmaker
from wenping_shared._audit import append, new_audit_record

SERVICE = "review"


async def verify(system: WenpingSystem) -> dict[str, Any]:
    r = await system.review.get(f"/api/v1/audit/{SERVICE}/verify", headers=await system.auth("zj.admin"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def trail(system: WenpingSystem) -> AuditTrail:
    return system.apps[SERVICE].state.audit  # type: ignore[no-any-return]


async def run(system: WenpingSystem, *statements: Any) -> None:
    async with system.apps[SERVICE].state.sessionmaker() as session:
        for statement in statements:
            await session.exec(statement)
        await session.commit()


async def newest(system: WenpingSystem, count: int) -> list[AuditRecordFields]:
    model = trail(system).model
    async with system.apps[SERVICE].state.sessionmaker() as session:
        rows = (await session.exec(select(model).order_by(col(model.seq).desc()).limit(count))).all()
    return list(reversed(rows))


@pytest.fixture
async def records(system: WenpingSystem) -> AsyncIterator[list[AuditRecordFields]]:
    """Three fresh records at the end of review's chain (refusals: three anonymous reads)."""
    for _ in range(3):
        assert (await system.review.get("/api/v1/reviews")).status_code == 401
    yield await newest(system, 3)
    assert (await verify(system))["intact"] is True  # each test undoes its tampering


async def test_an_altered_field_is_detected(system: WenpingSystem, records: list[AuditRecordFields]) -> None:
    model, target = trail(system).model, records[1]
    assert (await verify(system))["intact"] is True
    await run(system, update(model).where(col(model.seq) == target.seq).values(actor="someone-else"))
    try:
        outcome = await verify(system)
        assert outcome["intact"] is False and outcome["first_broken_seq"] == target.seq
        assert "修改" in outcome["problem"]
    finally:
        await run(system, update(model).where(col(model.seq) == target.seq).values(actor=target.actor))


@asynccontextmanager
async def removed(system: WenpingSystem, record: AuditRecordFields) -> AsyncIterator[None]:
    """``record`` deleted from the trail, and put back afterwards."""
    model = trail(system).model
    async with system.apps[SERVICE].state.sessionmaker() as session:
        await session.delete(await session.get(model, record.seq))
        await session.commit()
    try:
        yield
    finally:
        async with system.apps[SERVICE].state.sessionmaker() as session:
            session.add(model.model_validate(record.model_dump()))
            await session.commit()


async def test_a_deleted_record_is_detected(system: WenpingSystem, records: list[AuditRecordFields]) -> None:
    async with removed(system, records[1]):
        outcome = await verify(system)
        assert outcome["intact"] is False and outcome["first_broken_seq"] == records[1].seq
        assert "删除" in outcome["problem"]
    # The newest record removed (and the head left as it was) is detected too.
    last = (await newest(system, 1))[0]
    async with removed(system, last):
        outcome = await verify(system)
        assert outcome["intact"] is False and outcome["first_broken_seq"] == last.seq


async def test_two_swapped_records_are_detected(system: WenpingSystem, records: list[AuditRecordFields]) -> None:
    model = trail(system).model
    first, second = records[0].seq, records[1].seq

    def renumber(old: int, new: int) -> Any:
        return update(model).where(col(model.seq) == old).values(seq=new)

    await run(system, renumber(first, -1), renumber(second, first), renumber(-1, second))
    try:
        outcome = await verify(system)
        assert outcome["intact"] is False and outcome["first_broken_seq"] == first
    finally:
        await run(system, renumber(second, -1), renumber(first, second), renumber(-1, first))


async def test_a_purge_leaves_a_signed_checkpoint(system: WenpingSystem, records: list[AuditRecordFields]) -> None:
    service = trail(system)
    before = await verify(system)
    # Retention 185 days, as of 185 days after the second fresh record: everything before it goes.
    now = records[1].at + timedelta(days=185)
    outcome = await service.purge(system.apps[SERVICE].state.sessionmaker, 185, now=now)
    assert outcome.through_seq == records[0].seq and outcome.purged >= 1

    after = await verify(system)
    assert after["intact"] is True, after
    checkpoint = after["checkpoint"]
    assert checkpoint["purged_through_seq"] == records[0].seq and checkpoint["signature_valid"] is True
    assert checkpoint["purged_count"] >= outcome.purged
    assert after["head_seq"] == before["head_seq"] + 2  # the first verify (a read of the trail) and the purge
    [purge] = [r for r in await newest(system, 3) if r.action == "audit.purge"]
    assert purge.detail["through_seq"] == records[0].seq

    # Purging again with nothing older does nothing.
    assert (await service.purge(system.apps[SERVICE].state.sessionmaker, 185, now=now)).purged == 0

    # A forged checkpoint (hiding one more deleted record) fails the signature.
    chain = service.chain
    await run(system, update(chain).values(purged_count=chain.purged_count + 1))
    try:
        forged = await verify(system)
        assert forged["intact"] is False and forged["checkpoint"]["signature_valid"] is False
        assert "签名" in forged["problem"]
    finally:
        await run(system, update(chain).values(purged_count=chain.purged_count - 1))

    # The same checkpoint under another key does not verify either.
    other = audit_trail(service.model, system.settings[SERVICE].model_copy(update={"audit_checkpoint_secret": SecretStr("x")}))
    async with system.apps[SERVICE].state.sessionmaker() as session:
        assert (await other.verify(session)).intact is False


async def test_writers_in_separate_processes_keep_one_chain(system: WenpingSystem) -> None:
    """Four engines (as four processes would have) append 40 records at once: one unforked chain."""
    model = trail(system).model
    engines = [create_engine(system.settings[SERVICE].resolved_database_url) for _ in range(4)]
    try:
        makers = [create_sessionmaker(e) for e in engines]

        async def write(i: int) -> None:
            async with makers[i % 4]() as session:
                await append(session, [new_audit_record(model, "chain-probe", "probe.write", "probe", str(i))])
                await session.commit()

        await asyncio.gather(*(write(i) for i in range(40)))
    finally:
        for engine in engines:
            await engine.dispose()
    probes = [r for r in await newest(system, 60) if r.actor == "chain-probe"]
    assert sorted(int(r.object_id or "") for r in probes) == list(range(40))
    assert len({r.seq for r in probes}) == 40
    assert (await verify(system))["intact"] is True


async def test_verifying_while_others_write_finds_the_chain_intact(system: WenpingSystem) -> None:
    """Verifications running while four engines append 40 records: records committed after a
    verification read the head are not taken for tampering."""
    model = trail(system).model
    engines = [create_engine(system.settings[SERVICE].resolved_database_url) for _ in range(4)]
    try:
        makers = [create_sessionmaker(e) for e in engines]

        async def writer(k: int) -> None:
            for i in range(10):
                async with makers[k]() as session:
                    await append(session, [new_audit_record(model, "chain-probe", "probe.write", "probe", str(i))])
                    await session.commit()

        writers = asyncio.gather(*(writer(k) for k in range(4)))
        outcomes: list[bool] = []
        while not writers.done():
            async with system.apps[SERVICE].state.read_sessionmaker() as session:  # as GET .../verify reads
                outcomes.append((await trail(system).verify(session)).intact)
        await writers
    finally:
        for engine in engines:
            await engine.dispose()
    assert outcomes and all(outcomes), outcomes


async def test_a_record_inserted_past_the_head_is_detected(
    system: WenpingSystem, records: list[AuditRecordFields]
) -> None:
    model, last = trail(system).model, records[-1]
    head_seq = (await verify(system))["head_seq"]  # this read is recorded: the head moves by one
    stray = model.model_validate(
        {**last.model_dump(), "seq": head_seq + 10, "prev_hash": last.hash, "actor": "intruder"}
    )
    async with system.apps[SERVICE].state.sessionmaker() as session:
        session.add(stray)
        await session.commit()
    try:
        outcome = await verify(system)
        assert outcome["intact"] is False and "插入" in outcome["problem"]
    finally:
        async with system.apps[SERVICE].state.sessionmaker() as session:
            await session.delete(await session.get(model, head_seq + 10))
            await session.commit()


def test_the_command_line_verifies_and_purges(system: WenpingSystem) -> None:
    env = {**os.environ, "WENPING_REVIEW_DATABASE_URL": system.settings[SERVICE].resolved_database_url,
           "WENPING_REVIEW_LOG_LEVEL": "WARNING"}

    def command(name: str) -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-m", "wenping_review", name], env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout.strip().removeprefix("review: ")))

    verified = command("audit-verify")
    assert verified["intact"] is True and verified["checked"] >= 1
    # Nothing in this run's trail is 185 days old: the purge removes nothing.
    assert command("audit-purge")["purged"] == 0
