"""What the review service asks its peers, with brief caches.

- registry: agency eligibility (`on` = the submission date), experts by ids, organisation names;
- intake: projects and submitted reports (for a reviewer-opened review and a precheck with a
  project).

Answers are cached for a few seconds (organisation names for minutes), so repeated prechecks of
a draft do not pay HTTP each time; a 404 is cached like an answer (the registry does not know
the id). A peer that is down raises `PeerDown` for the caller to decide what that means.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, Literal, TypeVar

from wenping_shared import ServiceClient, ServiceUnavailable
from wenping_shared.contracts.vocab import ProjectLevel

from .checklist import AgencyFacts, ExpertFacts, RegistryFacts

V = TypeVar("V")

ELIGIBILITY_TTL = 30.0
EXPERT_TTL = 30.0
ORGANIZATION_TTL = 600.0
PROJECT_TTL = 5.0


class Missing(Enum):
    """What `TTLCache.get` answers for a key it does not hold (None may be a cached answer); an
    enum member, so `is not MISSING` narrows the type for the checker."""

    MISSING = "missing"


MISSING = Missing.MISSING


class PeerDown(Exception):
    """A peer could not be reached or answered with an error the caller cannot interpret."""

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(detail)
        self.service = service
        self.detail = detail


class TTLCache(Generic[V]):
    """A small LRU with a time-to-live per entry (monotonic clock)."""

    def __init__(self, ttl: float, max_entries: int = 2048) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._data: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()

    def get(self, key: Hashable) -> V | Literal[Missing.MISSING]:
        entry = self._data.get(key)
        if entry is None:
            return MISSING
        expires, value = entry
        if expires < time.monotonic():
            del self._data[key]
            return MISSING
        self._data.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        self._data[key] = (time.monotonic() + self.ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def clear(self) -> None:
        self._data.clear()


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def agency_facts(body: dict[str, Any]) -> AgencyFacts:
    """The registry's eligibility answer as the engine's AgencyFacts."""
    agency = body.get("agency") or {}
    reasons = tuple(
        str(r.get("message") or r.get("code")) if isinstance(r, dict) else str(r) for r in body.get("reasons") or ()
    )
    return AgencyFacts(
        id=str(agency.get("id")),
        name=str(agency.get("name") or ""),
        org_id=agency.get("org_id"),
        status=str(agency.get("status") or "active"),
        grade=agency.get("grade"),
        grade_valid_until=_date(agency.get("grade_valid_until")),
        eligible=bool(body.get("eligible")),
        reasons=reasons,
    )


def expert_facts(item: dict[str, Any]) -> ExpertFacts:
    return ExpertFacts(
        id=str(item["id"]),
        name=str(item.get("name") or ""),
        fields=tuple(item.get("fields") or ()),
        employer_org_id=item.get("employer_org_id"),
        employer_name=item.get("employer_name"),
        status=str(item.get("status") or "active"),
    )


def _eligibility_key(agency_id: str, level: ProjectLevel, on: dt.date, region_code: str | None) -> Hashable:
    return (agency_id, level.value, on, region_code)


@dataclass(frozen=True, slots=True)
class RegistryAnswer:
    facts: RegistryFacts
    unavailable: bool  # the registry was down: registry-dependent items cannot be judged now


class RegistrySource:
    def __init__(self, peers: ServiceClient) -> None:
        self._peers = peers
        self.eligibility: TTLCache[AgencyFacts | None] = TTLCache(ELIGIBILITY_TTL)
        self.experts: TTLCache[ExpertFacts | None] = TTLCache(EXPERT_TTL, max_entries=8192)
        self.organizations: TTLCache[dict[str, Any] | None] = TTLCache(ORGANIZATION_TTL)

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> tuple[int, Any]:
        try:
            response = await self._peers.request("registry", "GET", path, params=params)
        except ServiceUnavailable as exc:
            raise PeerDown("registry", exc.detail) from exc
        if response.status_code == 404:
            return 404, None
        if response.status_code != 200:
            raise PeerDown("registry", f"注册服务返回 HTTP {response.status_code}")
        return 200, response.json()

    async def agency(
        self, agency_id: str, level: ProjectLevel, on: dt.date, region_code: str | None = None
    ) -> AgencyFacts | None:
        key = _eligibility_key(agency_id, level, on, region_code)
        cached = self.eligibility.get(key)
        if cached is not MISSING:
            return cached
        params = {"project_level": level.value, "on": on.isoformat()}
        if region_code:
            # The registry also checks the provincial filing and misconduct for the project's region.
            params["project_region_code"] = region_code
        status, body = await self._get(f"/api/v1/agencies/{agency_id}/eligibility", params)
        facts = agency_facts(body) if status == 200 else None
        self.eligibility.put(key, facts)
        return facts

    async def experts_by_id(self, ids: Iterable[str]) -> dict[str, ExpertFacts]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, ExpertFacts] = {}
        missing: list[str] = []
        for eid in wanted:
            cached = self.experts.get(eid)
            if cached is MISSING:
                missing.append(eid)
            elif cached is not None:
                found[eid] = cached
        for start in range(0, len(missing), 200):
            chunk = missing[start : start + 200]
            status, body = await self._get("/api/v1/experts", {"ids": ",".join(chunk), "limit": 200})
            items = (body or {}).get("items", []) if status == 200 else []
            answered = {str(i["id"]): expert_facts(i) for i in items if isinstance(i, dict) and "id" in i}
            for eid in chunk:
                self.experts.put(eid, answered.get(eid))
                if eid in answered:
                    found[eid] = answered[eid]
        return found

    async def facts(
        self,
        agency_id: str | None,
        expert_ids: list[str],
        level: ProjectLevel,
        on: dt.date,
        region_code: str | None = None,
    ) -> RegistryAnswer:
        """Everything the engine needs; a registry that is down gives empty facts, flagged. When
        both the agency and some experts have left the cache they are asked at once (the wait is
        the slower answer, not the sum); otherwise in turn, as a cached answer needs no task."""
        try:
            if (
                agency_id is not None
                and self.eligibility.get(_eligibility_key(agency_id, level, on, region_code)) is MISSING
                and any(self.experts.get(eid) is MISSING for eid in expert_ids)
            ):
                agency, experts = await asyncio.gather(
                    self.agency(agency_id, level, on, region_code), self.experts_by_id(expert_ids)
                )
            else:
                agency = await self.agency(agency_id, level, on, region_code) if agency_id else None
                experts = await self.experts_by_id(expert_ids) if expert_ids else {}
        except PeerDown:
            return RegistryAnswer(RegistryFacts(), unavailable=True)
        return RegistryAnswer(RegistryFacts(agency=agency, experts=experts), unavailable=False)

    async def organization(self, org_id: str) -> dict[str, Any] | None:
        cached = self.organizations.get(org_id)
        if cached is not MISSING:
            return cached
        status, body = await self._get(f"/api/v1/organizations/{org_id}")
        self.organizations.put(org_id, body if status == 200 else None)
        return body if status == 200 else None


class IntakeSource:
    def __init__(self, peers: ServiceClient) -> None:
        self._peers = peers
        self.projects: TTLCache[dict[str, Any] | None] = TTLCache(PROJECT_TTL)

    async def _get(self, path: str) -> dict[str, Any] | None:
        try:
            response = await self._peers.request("intake", "GET", path)
        except ServiceUnavailable as exc:
            raise PeerDown("intake", exc.detail) from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise PeerDown("intake", f"受理服务返回 HTTP {response.status_code}")
        body = response.json()
        return body if isinstance(body, dict) else None

    async def project(self, project_id: str, *, cached: bool = True) -> dict[str, Any] | None:
        if cached:
            hit = self.projects.get(project_id)
            if hit is not MISSING:
                return hit
        body = await self._get(f"/api/v1/projects/{project_id}")
        self.projects.put(project_id, body)
        return body

    async def report(self, project_id: str, round_: int) -> dict[str, Any] | None:
        return await self._get(f"/api/v1/projects/{project_id}/reports/{round_}")


__all__ = ["IntakeSource", "PeerDown", "RegistryAnswer", "RegistrySource", "TTLCache"]
