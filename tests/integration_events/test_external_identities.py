"""Outside identities: a throwaway identity provider on 127.0.0.1 (its own key, its own JWKS) is
trusted by configuration; its mapped tokens work on all three services as a linked local user,
and anything unmapped, untrusted or wrongly signed is refused with 401 problem+json."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from events_kit import SERVICES, EventsSystem, IdentityProvider
from sqlmodel import col, select

from wenping_registry.audit.models import AuditEntry
from wenping_registry.identity.models import ExternalIdentityLink, User
from wenping_shared.demo import org_id
from wenping_shared.tokens import generate_private_key_pem


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _filer_claims(**overrides: Any) -> dict[str, Any]:
    return {"roles": ["WP_FILER", "SOMETHING_ELSE"], "org": "JX-FGW", "region": "JX", "name": "外部报备员", **overrides}


async def test_a_mapped_outside_token_works_on_all_three_services_as_a_linked_local_user(
    events: EventsSystem, idp: IdentityProvider
) -> None:
    subject = f"sso-{uuid.uuid4().hex[:8]}"
    token = idp.token(subject, **_filer_claims())
    seen = {}
    for service in SERVICES:
        who = await events.clients[service].get("/api/v1/whoami", headers=_bearer(token))
        assert who.status_code == 200, (service, who.text)
        seen[service] = who.json()
    local_user = seen["intake"]["subject"]
    assert {s["subject"] for s in seen.values()} == {local_user} and local_user != subject
    assert all(s["kind"] == "user" and s["roles"] == ["filer"] and s["region_code"] == "330400" for s in seen.values())
    assert seen["review"]["org_id"] == org_id("嘉兴市发展和改革委员会")

    # It works, not just authenticates: the outside filer files a project, and the ledger names the local user.
    created = await events.intake.post("/api/v1/projects", headers=_bearer(token), json={
        "title": "外部身份报备的项目", "category": "project", "sub_kind": "urban_renewal", "initiation": "initiation",
        "filing_batch": "ad_hoc", "interests": ["demolition"], "affected_population": 100,
        "implementing_unit_name": "城市建设投资有限公司", "planned_decision_date": "2026-12-31",
    })
    assert created.status_code == 201, created.text
    ledger = (await events.intake.get(f"/api/v1/projects/{created.json()['id']}/ledger", headers=_bearer(token))).json()
    assert [(e["action"], e["actor_subject"]) for e in ledger["items"]] == [("create", local_user)]

    async with events.apps["registry"].state.sessionmaker() as session:
        links = (await session.exec(select(ExternalIdentityLink).where(ExternalIdentityLink.subject == subject))).all()
        user = await session.get(User, local_user)
        audit = (await session.exec(select(AuditEntry).where(col(AuditEntry.object_id) == local_user))).all()
    assert [(link.issuer, link.user_id) for link in links] == [(idp.issuer, local_user)]  # one link, three services
    assert user is not None and user.roles == ["filer"] and user.display_name == "外部报备员"
    assert [(a.actor, a.action) for a in audit] == [(local_user, "identity.external_link")]
    assert audit[0].changes["issuer"] == idp.issuer and audit[0].changes["subject"] == subject

    # The outside user cannot use a password at the registry.
    login = await events.registry.post("/api/v1/auth/token", data={"grant_type": "password", "username": user.username,
                                                                   "password": "!external-identity"})
    assert login.status_code == 401


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unmapped_role", "auth.unmapped_claim"),
        ("unmapped_org", "auth.unmapped_claim"),
        ("missing_region", "auth.unmapped_claim"),
        ("wrong_issuer", None),
        ("wrong_audience", "auth.wrong_audience"),
        ("foreign_key", "auth.unknown_external_key"),
        ("expired", "auth.token_expired"),
    ],
)
async def test_an_unmapped_claim_a_wrong_issuer_or_a_bad_signature_is_refused_401(
    events: EventsSystem, idp: IdentityProvider, case: str, code: str | None
) -> None:
    subject = f"sso-{uuid.uuid4().hex[:8]}"
    token = {
        "unmapped_role": lambda: idp.token(subject, **_filer_claims(roles=["WP_ADMIN_OF_EVERYTHING"])),
        "unmapped_org": lambda: idp.token(subject, **_filer_claims(org="SOMEWHERE")),
        "missing_region": lambda: idp.token(subject, **_filer_claims(region=None)),
        "wrong_issuer": lambda: idp.token(subject, issuer="https://evil.example/idp", **_filer_claims()),
        "wrong_audience": lambda: idp.token(subject, audience="another-platform", **_filer_claims()),
        "foreign_key": lambda: idp.token(subject, private_pem=generate_private_key_pem(), **_filer_claims()),
        "expired": lambda: idp.token(subject, ttl=-120, **_filer_claims()),
    }[case]()
    for service in SERVICES:
        response = await events.clients[service].get("/api/v1/whoami", headers=_bearer(token))
        assert response.status_code == 401, (service, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        if code is not None:
            assert problem["code"] == code, (service, problem)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"])  # a Chinese sentence
    async with events.apps["registry"].state.sessionmaker() as session:
        assert (await session.exec(select(ExternalIdentityLink).where(ExternalIdentityLink.subject == subject))).all() == []
