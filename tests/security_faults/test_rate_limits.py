"""Per-principal rate limits on the expensive operations: over the allowance a 429 problem with
Retry-After, audited in every service; the allowance lives in the service's database, so separate
processes (here: separate engines, as separate processes would have) spend from one allowance and
together never get more than the limit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete
from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_intake.database import RateWindow as IntakeRateWindow
from wenping_registry.database import RateWindow as RegistryRateWindow
from wenping_review.database import RateWindow as ReviewRateWindow
from wenping_shared import Principal, RateWindowFields, TooManyRequests, create_engine, create_sessionmaker
from wenping_shared._rate_limit import spend
from wenping_shared.contracts.samples import complete_report
from wenping_shared.demo import user_id

LIMIT = 2
TABLES: dict[str, type[RateWindowFields]] = {
    "intake": IntakeRateWindow, "review": ReviewRateWindow, "registry": RegistryRateWindow,
}


@pytest.fixture
def low_limits(system: WenpingSystem) -> Iterator[None]:
    """Every service allows LIMIT requests of each operation per minute, for this test only."""
    names = ("rate_limit_expert_draws", "rate_limit_exports", "rate_limit_prechecks", "rate_limit_report_submissions")
    saved = {(s, n): getattr(system.apps[s].state.settings, n) for s in TABLES for n in names}
    for service, name in saved:
        setattr(system.apps[service].state.settings, name, LIMIT)
    yield
    for (service, name), value in saved.items():
        setattr(system.apps[service].state.settings, name, value)


async def fresh_allowance(system: WenpingSystem, service: str, subject: str) -> None:
    """Forget what earlier tests spent (the suite's demo principals are shared)."""
    table = TABLES[service]
    async with system.apps[service].state.sessionmaker() as session:
        await session.exec(delete(table).where(col(table.principal) == subject))  # type: ignore[call-overload]
        await session.commit()


CASES: list[tuple[str, str, str, str, str, dict[str, Any] | None]] = [
    # service, principal, method, path, operation, body
    ("registry", "jx.reviewer", "POST", "/api/v1/expert-draws", "expert_draws",
     {"project_id": "no-such-project", "region_code": "330400", "count": 1, "fields": ["construction"]}),
    ("registry", "jx.reviewer", "GET", "/api/v1/experts/export.xlsx", "exports", None),
    ("intake", "jx.reviewer", "GET", "/api/v1/projects/export.xlsx", "exports", None),
    ("review", "agency.jx", "POST", "/api/v1/precheck", "prechecks", {"report": complete_report()}),
    ("intake", "agency.jx", "POST", "/api/v1/projects/no-such-project/reports", "report_submissions", {}),
]


@pytest.mark.parametrize(("service", "user", "method", "path", "operation", "body"), CASES,
                         ids=[f"{c[0]}:{c[4]}:{c[3]}" for c in CASES])
async def test_over_the_allowance_answers_429_with_retry_after(
    system: WenpingSystem, low_limits: None, service: str, user: str, method: str, path: str, operation: str,
    body: dict[str, Any] | None,
) -> None:
    headers = await system.auth(user)
    subject = user_id(user)
    await fresh_allowance(system, service, subject)
    client = system.client(service)
    for _ in range(LIMIT):
        r = await client.request(method, path, json=body, headers=headers)
        assert r.status_code != 429, r.text
    r = await client.request(method, path, json=body, headers=headers)
    assert r.status_code == 429, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == "request.rate_limited"
    assert "秒后再试" in problem["detail"]
    retry_after = int(r.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    # Another principal still has its own allowance.
    other = "zy.reviewer" if user == "jx.reviewer" else "agency.zy"
    await fresh_allowance(system, service, user_id(other))
    r = await client.request(method, path, json=body, headers=await system.auth(other))
    assert r.status_code != 429, r.text
    # Every service audits the refusal (the security audit trail, wenping_shared._audit).
    audit = system.apps[service].state.audit.model
    async with system.apps[service].state.sessionmaker() as session:
        refusals = (await session.exec(select(audit).where(
            audit.action == f"rate_limit.{operation}", audit.actor == subject))).all()
    assert refusals and refusals[-1].result == "denied" and refusals[-1].status == 429
    assert refusals[-1].detail["retry_after"] == retry_after


async def test_service_tokens_are_not_limited(system: WenpingSystem, low_limits: None) -> None:
    headers = await system.service_headers("registry", "intake")
    for _ in range(LIMIT + 2):
        r = await system.intake.get("/api/v1/projects/export.xlsx", headers=headers)
        assert r.status_code == 200, r.text


async def test_processes_share_one_allowance(system: WenpingSystem) -> None:
    """Six engines on the review database (six processes, as far as the database can tell) take 40
    requests at once from an allowance of 25: exactly 25 pass, the other 15 are refused."""
    url = system.settings["review"].resolved_database_url
    engines = [create_engine(url) for _ in range(6)]
    try:
        makers = [create_sessionmaker(e) for e in engines]
        caller = Principal(subject="rate-limit-probe", kind="user", roles=frozenset({"agency"}))
        await fresh_allowance(system, "review", caller.subject)

        async def attempt(i: int) -> bool:
            try:
                await spend(makers[i % len(makers)], ReviewRateWindow, caller, "prechecks", limit=25, window_seconds=600)
            except TooManyRequests:
                return False
            return True

        outcomes = await asyncio.gather(*(attempt(i) for i in range(40)))
        assert outcomes.count(True) == 25
        assert outcomes.count(False) == 15
    finally:
        for engine in engines:
            await engine.dispose()


async def test_the_window_ends_and_the_allowance_returns(system: WenpingSystem) -> None:
    maker = system.apps["intake"].state.sessionmaker
    caller = Principal(subject="rate-limit-window-probe", kind="user")
    await fresh_allowance(system, "intake", caller.subject)
    await spend(maker, IntakeRateWindow, caller, "exports", limit=1, window_seconds=0.5)
    with pytest.raises(TooManyRequests) as refused:
        await spend(maker, IntakeRateWindow, caller, "exports", limit=1, window_seconds=0.5)
    assert refused.value.headers["Retry-After"] == "1"
    await asyncio.sleep(0.6)
    await spend(maker, IntakeRateWindow, caller, "exports", limit=1, window_seconds=0.5)
    await spend(maker, IntakeRateWindow, caller, "exports", limit=0, window_seconds=0.5)  # 0: no limit
