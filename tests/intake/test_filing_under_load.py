"""Filing under load: the organisation-name cache never answers for another organisation, and 64
concurrent filings in one region and year get 64 distinct consecutive numbers."""

from __future__ import annotations

import asyncio
from typing import Any

from intake_kit import Projects, project_body

from wenping_intake.projects.org_names import organization_names


async def test_a_known_organisation_name_is_reused_and_never_lent_to_another(
    system: Any, projects: Projects, peer_down: Any
) -> None:
    organization_names(system.apps["intake"].state.peers).clear()
    fgw, tx = await system.auth("jx.fgw.filer"), await system.auth("tx.filer")
    first = await system.intake.post("/api/v1/projects", json=project_body(), headers=fgw)
    assert first.status_code == 201 and first.json()["responsible_org_name"] == "嘉兴市发展和改革委员会"

    peer_down("registry")
    again = await system.intake.post("/api/v1/projects", json=project_body(), headers=fgw)
    assert again.status_code == 201, again.text
    assert again.json()["responsible_org_name"] == "嘉兴市发展和改革委员会"
    assert again.json()["responsible_org_id"] == first.json()["responsible_org_id"]
    # Another organisation's name is not known here: the registry is asked, and it is down.
    before = await projects.count()
    other = await system.intake.post("/api/v1/projects", json=project_body(), headers=tx)
    assert other.status_code == 503, other.text
    assert await projects.count() == before


async def test_64_concurrent_filings_get_64_distinct_consecutive_numbers(system: Any) -> None:
    headers = await system.auth("js.zjj.filer")
    answers = await asyncio.gather(
        *[system.intake.post("/api/v1/projects", json=project_body(), headers=headers) for _ in range(64)]
    )
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers if a.status_code != 201]
    seqs = sorted(int(a.json()["number"].rsplit("-", 1)[1]) for a in answers)
    assert seqs == list(range(seqs[0], seqs[0] + 64))
    assert {a.json()["number"].rsplit("-", 2)[0] for a in answers} == {"WP-330421"}
