"""An Idempotency-Key reserved by a process that died before its work committed (kill -9): a fresh
reservation still answers 409 (its request may be running), an old one is taken over by the retry,
which then does the work once. On both databases; the real kill is in test_process_faults.py."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from fault_kit import project_body
from sqlmodel import col, func, select
from system_kit import WenpingSystem

from wenping_intake.database import IdempotencyRecord
from wenping_intake.projects.models import Project
from wenping_shared import utcnow
from wenping_shared._idempotency import _body_hash
from wenping_shared.demo import user_id


async def reserve(system: WenpingSystem, subject: str, key: str, raw: bytes, age: timedelta) -> None:
    async with system.apps["intake"].state.sessionmaker() as session:
        session.add(IdempotencyRecord(subject=subject, key=key, endpoint="POST /api/v1/projects",
                                      request_hash=_body_hash(raw), created_at=utcnow() - age))
        await session.commit()


async def projects_titled(system: WenpingSystem, title: str) -> int:
    async with system.apps["intake"].state.sessionmaker() as session:
        return int((await session.exec(select(func.count()).select_from(Project).where(col(Project.title) == title))).one())


async def test_a_dead_requests_reservation_is_taken_over_a_live_ones_is_not(system: WenpingSystem) -> None:
    headers = await system.auth("jx.fgw.filer")
    subject = user_id("jx.fgw.filer")
    stale_after = system.settings["intake"].idempotency_stale_seconds

    for age, expected in ((timedelta(seconds=1), 409), (timedelta(seconds=stale_after + 60), 201)):
        body = project_body()
        raw = json.dumps(body, ensure_ascii=False).encode()
        key = f"takeover-{uuid.uuid4().hex}"
        await reserve(system, subject, key, raw, age)
        sent = {**headers, "Idempotency-Key": key, "Content-Type": "application/json"}
        answer = await system.intake.post("/api/v1/projects", content=raw, headers=sent)
        assert answer.status_code == expected, answer.text
        if expected == 409:
            assert answer.json()["code"] == "idempotency.in_progress"
            assert await projects_titled(system, body["title"]) == 0
        else:
            again = await system.intake.post("/api/v1/projects", content=raw, headers=sent)
            assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
            assert again.json()["id"] == answer.json()["id"]
            assert await projects_titled(system, body["title"]) == 1
