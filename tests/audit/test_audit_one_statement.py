"""PostgreSQL chains a request's single record in one statement, hashing in the database the
canonical JSON cut around the head's values: the cut must give back exactly what ``record_hash``
hashes, whatever the detail holds (keys and text that look like the head's fields), and the
records so chained verify like any other."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from system_kit import WenpingSystem

from wenping_shared._audit import _canonical, _canonical_around_head, append, new_audit_record, record_hash

TRICKY_DETAILS: list[dict[str, Any]] = [
    {},
    {"prev_hash": "", "seq": 0},
    {"nested": {"prev_hash": "", "seq": 0, "z": [1, {"seq": 0}]}},
    {"text": ',"prev_hash":"","seq":0', "quote": '"', "中文": "备案，审查"},
]


@pytest.mark.parametrize("detail", TRICKY_DETAILS)
def test_the_cut_gives_back_the_canonical_json(system: WenpingSystem, detail: dict[str, Any]) -> None:
    model = system.apps["intake"].state.audit.model
    record = new_audit_record(model, ',"seq":0', ',"prev_hash":""', "project", '","seq":0', detail=detail)
    record.request_id = ',"seq":0,"prev_hash":""'
    before, between, after = _canonical_around_head(record)
    head_hash, seq = "ab" * 32, 12345
    assert before + head_hash + between + str(seq) + after == _canonical(record, seq, head_hash)
    record.seq, record.prev_hash = seq, head_hash
    assert hashlib.sha256((before + head_hash + between + str(seq) + after).encode()).hexdigest() == record_hash(record)


async def test_records_chained_in_one_statement_verify(system: WenpingSystem) -> None:
    model = system.apps["intake"].state.audit.model
    async with system.apps["intake"].state.sessionmaker() as session:
        for detail in TRICKY_DETAILS:
            record = new_audit_record(model, "one-statement-probe", "probe.write", "probe", None, detail=detail)
            await append(session, [record])
            assert record.hash == record_hash(record)
        await session.commit()
    r = await system.intake.get("/api/v1/audit/intake/verify", headers=await system.auth("zj.admin"))
    assert r.status_code == 200 and r.json()["intact"] is True, r.text
