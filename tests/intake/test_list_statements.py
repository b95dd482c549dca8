"""The project list's statement is built once per shape of request (which terms of the visibility
rule, which filters, a cursor or not) over bound parameters: each request's values still decide
what it lists, a filter's wildcard characters stay literal, and no value is kept between requests."""

from __future__ import annotations

from typing import Any

from intake_kit import Projects
from system_kit import WenpingSystem

from wenping_intake.projects import repository


async def _ids(system: WenpingSystem, user: str, **params: Any) -> set[str]:
    items = await system.every_item("intake", "/api/v1/projects", await system.auth(user), **{**params, "limit": 200})
    return {p["id"] for p in items}


async def test_one_statement_per_shape_with_each_requests_values(
    system: WenpingSystem, projects: Projects, unique: Any
) -> None:
    marker = unique("同形")
    fgw = (await projects.create("jx.fgw.filer", title=f"{marker} 发改"))["id"]
    zjj = (await projects.create("jx.zjj.filer", title=f"{marker} 住建"))["id"]
    await _ids(system, "jx.fgw.filer", q=marker)
    await _ids(system, "jx.reviewer", q=marker)
    kept = len(repository._LIST_STATEMENTS)
    # The same shape (a filer, q) for two organisations and other values, in turn.
    for _ in range(2):
        assert await _ids(system, "jx.fgw.filer", q=marker) == {fgw}
        assert await _ids(system, "jx.zjj.filer", q=marker) == {zjj}
        assert await _ids(system, "jx.zjj.filer", q=f"{marker} 发改") == set()
        assert await _ids(system, "jx.reviewer", q=f"{marker} 住建") == {zjj}
    # Other values made no statement of their own.
    assert len(repository._LIST_STATEMENTS) == kept


async def test_wildcards_in_q_are_literal(system: WenpingSystem, projects: Projects, unique: Any) -> None:
    marker = unique("通配")
    percent = (await projects.create("tx.filer", title=f"{marker} 50%折"))["id"]
    underscore = (await projects.create("tx.filer", title=f"{marker} 50_x"))["id"]
    slash = (await projects.create("tx.filer", title=f"{marker} 5/0"))["id"]
    assert await _ids(system, "tx.filer", q=marker) == {percent, underscore, slash}
    assert await _ids(system, "tx.filer", q=f"{marker} 50%") == {percent}
    assert await _ids(system, "tx.filer", q=f"{marker} 50_") == {underscore}
    assert await _ids(system, "tx.filer", q=f"{marker} 5/") == {slash}
    assert await _ids(system, "tx.filer", q=f"{marker} 5%") == set()
