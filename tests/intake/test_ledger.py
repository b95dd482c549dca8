"""The ledger is append-only and tamper-evident: edits and deletions are caught by verify=true."""

from __future__ import annotations

from typing import Any

from intake_kit import Projects
from sqlalchemy import delete, update
from sqlmodel import col
from system_kit import WenpingSystem

from wenping_intake.ledger.models import LedgerEntry


async def _three_rows(projects: Projects) -> dict[str, Any]:
    project = await projects.create()
    await projects.act(project["id"], "file")
    await projects.act(project["id"], "start_assessment")
    return project


async def _verify(system: WenpingSystem, project_id: str) -> dict[str, Any]:
    response = await system.intake.get(
        f"/api/v1/projects/{project_id}/ledger", params={"verify": "true"}, headers=await system.auth("jx.reviewer")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _db(system: WenpingSystem, statement: Any) -> None:
    async with system.apps["intake"].state.sessionmaker() as session:
        await session.exec(statement)
        await session.commit()


async def test_an_intact_chain_verifies(system: WenpingSystem, projects: Projects) -> None:
    project = await _three_rows(projects)
    body = await _verify(system, project["id"])
    assert body["verified"] is True and body["first_broken_seq"] is None
    items = body["items"]
    assert [e["seq"] for e in items] == [1, 2, 3]
    assert items[0]["prev_hash"] is None and items[1]["prev_hash"] == items[0]["hash"]
    plain = await system.intake.get(f"/api/v1/projects/{project['id']}/ledger", headers=await system.auth("jx.fgw.filer"))
    assert plain.json()["verified"] is None


async def test_an_edited_row_is_caught(system: WenpingSystem, projects: Projects) -> None:
    project = await _three_rows(projects)
    where = (col(LedgerEntry.project_id) == project["id"]) & (col(LedgerEntry.seq) == 2)
    await _db(system, update(LedgerEntry).where(where).values(actor_subject="user:someone-else"))
    body = await _verify(system, project["id"])
    assert body["verified"] is False and body["first_broken_seq"] == 2 and "改动" in body["broken_reason"]


async def test_edited_details_are_caught(system: WenpingSystem, projects: Projects) -> None:
    project = await _three_rows(projects)
    where = (col(LedgerEntry.project_id) == project["id"]) & (col(LedgerEntry.seq) == 1)
    await _db(system, update(LedgerEntry).where(where).values(details={"number": "WP-000000-2026-00001"}))
    body = await _verify(system, project["id"])
    assert body["verified"] is False and body["first_broken_seq"] == 1


async def test_a_deleted_row_is_caught(system: WenpingSystem, projects: Projects) -> None:
    project = await _three_rows(projects)
    where = (col(LedgerEntry.project_id) == project["id"]) & (col(LedgerEntry.seq) == 2)
    await _db(system, delete(LedgerEntry).where(where))
    body = await _verify(system, project["id"])
    assert body["verified"] is False and body["first_broken_seq"] == 2 and "缺失" in body["broken_reason"]


async def test_deleting_the_newest_row_is_caught(system: WenpingSystem, projects: Projects) -> None:
    project = await _three_rows(projects)
    where = (col(LedgerEntry.project_id) == project["id"]) & (col(LedgerEntry.seq) == 3)
    await _db(system, delete(LedgerEntry).where(where))
    body = await _verify(system, project["id"])
    assert body["verified"] is False and body["first_broken_seq"] == 3


async def test_a_recomputed_forgery_is_still_caught_by_the_next_row(system: WenpingSystem, projects: Projects) -> None:
    from wenping_intake.ledger.service import chain_hash, entry_content

    project = await _three_rows(projects)
    async with system.apps["intake"].state.sessionmaker() as session:
        rows = list((await session.exec(
            LedgerEntry.__table__.select().where(LedgerEntry.__table__.c.project_id == project["id"])  # type: ignore[attr-defined]
        )).all())
        assert len(rows) == 3
    # Rewrite row 2 consistently with its own hash: the link from row 3 no longer holds.
    async with system.apps["intake"].state.sessionmaker() as session:
        from sqlmodel import select

        row = (await session.exec(select(LedgerEntry).where(
            col(LedgerEntry.project_id) == project["id"], col(LedgerEntry.seq) == 2))).one()
        row.action = "close"
        row.hash = chain_hash(row.prev_hash, entry_content(row))
        session.add(row)
        await session.commit()
    body = await _verify(system, project["id"])
    assert body["verified"] is False and body["first_broken_seq"] == 3


async def test_ledger_is_invisible_to_other_tenants(system: WenpingSystem, projects: Projects) -> None:
    project = await projects.create()
    response = await system.intake.get(f"/api/v1/projects/{project['id']}/ledger", headers=await system.auth("zy.reviewer"))
    assert response.status_code == 404
