"""Clearances (稳评备案证明): issued on approval and again on the decision, revoked when the project
is later withdrawn or rejected, and verified by a third party that holds only the public keys."""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
import zipfile
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from docx import Document
from events_kit import EventsSystem

from wenping_intake.clearances.form import _qr_png, clearance_docx
from wenping_registry.identity.models import ApiClient
from wenping_registry.passwords import hash_password
from wenping_shared.demo import INTEGRATION_CLIENT


class Refused(Exception):
    pass


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def third_party_verify(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """What an agenda system does with nothing but the published JWKS: check the ES256 signature with
    ``cryptography`` alone, then issuer, audience, lifetime and status."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(_b64(header_b64))
    if header.get("alg") != "ES256":
        raise Refused("algorithm")
    key = next((k for k in jwks["keys"] if k["kid"] == header.get("kid")), None)
    if key is None:
        raise Refused("unknown key")
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_b64(key["x"]), "big"), int.from_bytes(_b64(key["y"]), "big"), ec.SECP256R1()
    ).public_key()
    raw = _b64(signature_b64)
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(signature, f"{header_b64}.{payload_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise Refused("signature") from exc
    claims = json.loads(_b64(payload_b64))
    if claims["iss"] != "https://wenping.gov.cn/clearances" or claims["aud"] != "wenping-clearance":
        raise Refused("issuer or audience")
    if not claims["nbf"] <= time.time() < claims["exp"]:
        raise Refused("lifetime")
    if claims["status"] != "valid":
        raise Refused(f"status {claims['status']}: {claims.get('revocation_reason')}")
    return dict(claims)


async def _demo_client(events: EventsSystem) -> dict[str, str]:
    client_id, secret, _region, _scopes = INTEGRATION_CLIENT
    return await events.client_auth(client_id, secret)


async def _check(events: EventsSystem, number: str, headers: dict[str, str], expect: int = 200) -> dict[str, Any]:
    response = await events.intake.get(f"/api/v1/clearances/{number}", headers=headers)
    assert response.status_code == expect, response.text
    return dict(response.json())


async def test_third_party_with_only_the_public_keys_accepts_a_genuine_clearance_and_refuses_a_tampered_one(
    events: EventsSystem,
) -> None:
    project, review_id = await events.approved_project("jx.fgw.filer")
    jwks = (await events.intake.get("/api/v1/clearances/jwks.json")).json()  # no token needed
    assert [k["alg"] for k in jwks["keys"]] == ["ES256"] and "d" not in jwks["keys"][0]

    answer = await _check(events, project["number"], await _demo_client(events))
    assert answer["may_proceed"] is True and answer["status"] == "valid" and answer["basis"] == "review_approved"
    claims = third_party_verify(answer["clearance"], jwks)
    assert claims["sub"] == project["number"] and claims["jti"] == answer["clearance_id"]
    assert claims["project"]["title"] == project["title"] and claims["project"]["region_code"] == "330400"
    assert claims["project"]["responsible_org_id"] == project["responsible_org_id"]
    assert claims["review"] == {"review_id": review_id, "round": 1, "verdict": "approved"}
    assert claims["project"]["risk_level"] and claims["dates"]["approved_on"] and "准予提交" in claims["permits"]

    header, payload, signature = answer["clearance"].split(".")
    forged = dict(claims, project={**claims["project"], "risk_level": "low", "title": "另一个项目"})
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(Refused, match="signature"):
        third_party_verify(f"{header}.{forged_payload}.{signature}", jwks)
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(Refused, match="signature"):
        third_party_verify(f"{header}.{payload}.{flipped}", jwks)
    other_key = {"keys": [dict(jwks["keys"][0], kid="someone-else")]}
    with pytest.raises(Refused, match="unknown key"):
        third_party_verify(answer["clearance"], other_key)

    ledger = (await events.intake.get(f"/api/v1/projects/{project['id']}/ledger", params={"verify": "true"},
                                      headers=await events.auth("jx.fgw.filer"))).json()
    issued = [e for e in ledger["items"] if e["action"] == "clearance_issued"]
    assert ledger["verified"] is True and len(issued) == 1 and issued[0]["details"]["clearance_id"] == claims["jti"]


async def test_the_decision_reissues_and_a_withdrawn_or_rejected_project_revokes(events: EventsSystem) -> None:
    client = await _demo_client(events)
    jwks = (await events.intake.get("/api/v1/clearances/jwks.json")).json()

    decided, _ = await events.approved_project("jx.fgw.filer")
    first = await _check(events, decided["number"], client)
    await events.act(decided["id"], "decide", "jx.fgw.filer", outcome="implement_with_measures")
    second = await _check(events, decided["number"], client)
    assert second["may_proceed"] is True and second["basis"] == "decision_recorded"
    assert second["clearance_id"] != first["clearance_id"]
    assert third_party_verify(second["clearance"], jwks)["decision"]["outcome"] == "implement_with_measures"

    withdrawn, _ = await events.approved_project("jx.fgw.filer")
    held = await _check(events, withdrawn["number"], client)  # what the agenda system saved earlier
    await events.act(withdrawn["id"], "withdraw", "jx.fgw.filer", reason="规划调整，暂不推进")
    revoked = await _check(events, withdrawn["number"], client)
    assert revoked["may_proceed"] is False and revoked["status"] == "revoked"
    assert revoked["reason"] == "项目已撤回：规划调整，暂不推进" and revoked["revoked_at"]
    with pytest.raises(Refused, match="status revoked: 项目已撤回"):
        third_party_verify(revoked["clearance"], jwks)  # the signed statement of revocation
    assert json.loads(_b64(revoked["clearance"].split(".")[1]))["jti"] == held["clearance_id"]

    rejected, _ = await events.approved_project("jx.fgw.filer")
    await events.act(rejected["id"], "decide", "jx.fgw.filer", outcome="reject")
    answer = await _check(events, rejected["number"], client)
    assert answer["status"] == "revoked" and answer["reason"] == "决策结果为不予实施"
    ledger = (await events.intake.get(f"/api/v1/projects/{rejected['id']}/ledger", params={"verify": "true"},
                                      headers=await events.auth("jx.fgw.filer"))).json()
    actions = [e["action"] for e in ledger["items"]]
    assert ledger["verified"] is True and actions[-3:] == ["clearance_issued", "decide", "clearance_revoked"]


async def test_the_check_needs_the_scope_and_the_region(events: EventsSystem) -> None:
    project, _ = await events.approved_project("jx.fgw.filer")
    async with events.apps["registry"].state.sessionmaker() as session:
        for client_id, region, scopes in (("gate-zy", "620700", ["clearances:read"]),
                                          ("gate-noscope", "330400", ["projects:read"])):
            if await session.get(ApiClient, client_id) is None:
                session.add(ApiClient(client_id=client_id, name=client_id, kind="integration",
                                      secret_hash=hash_password("gate-secret"), region_code=region, scopes=scopes))
        await session.commit()
    elsewhere = await _check(events, project["number"], await events.client_auth("gate-zy", "gate-secret"), 404)
    assert elsewhere["code"] == "clearance.project_not_found" and "辖区" in elsewhere["detail"]
    no_scope = await _check(events, project["number"], await events.client_auth("gate-noscope", "gate-secret"), 403)
    assert no_scope["code"] == "clearance.read_forbidden" and "clearances:read" in no_scope["detail"]
    client = await _demo_client(events)
    assert (await _check(events, f"WP-330400-2026-{uuid.uuid4().int % 10**6:06d}", client, 404))["code"] == (
        "clearance.project_not_found"
    )
    fresh = await events.file_project("jx.fgw.filer")
    none = await _check(events, fresh["number"], client)
    assert none["status"] == "none" and none["may_proceed"] is False and none["clearance"] is None
    assert "尚未经审查通过" in none["reason"]
    assert (await events.intake.get(f"/api/v1/clearances/{fresh['number']}/form.docx", headers=client)).json()[
        "code"] == "clearance.not_issued"
    # The filer who can see the project may check it too.
    assert (await _check(events, project["number"], await events.auth("jx.fgw.filer")))["may_proceed"] is True


async def test_the_printable_form_is_also_a_pdf(events: EventsSystem) -> None:
    project, _ = await events.approved_project("jx.fgw.filer")
    response = await events.intake.get(f"/api/v1/clearances/{project['number']}/form.pdf",
                                       headers=await _demo_client(events))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    assert f"clearance-{project['number']}.pdf" in response.headers["content-disposition"]


async def test_the_printable_form_is_a_docx_carrying_the_signed_clearance_as_a_qr_code(events: EventsSystem) -> None:
    project, _ = await events.approved_project("jx.fgw.filer")
    response = await events.intake.get(f"/api/v1/clearances/{project['number']}/form.docx",
                                       headers=await _demo_client(events))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    document = Document(io.BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert project["number"] in cells and project["title"] in cells and "核验码" in cells
    assert len(document.inline_shapes) == 1

    # The picture is exactly the QR code of the signed text it was given.
    token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJXUC0xIn0.c2lnbmF0dXJl"
    form = clearance_docx({"project": {"number": "WP-1"}, "jti": "x"}, token, "http://intake.test/api/v1/clearances/WP-1")
    with zipfile.ZipFile(io.BytesIO(form)) as archive:
        images = [archive.read(n) for n in archive.namelist() if n.startswith("word/media/")]
    assert images == [_qr_png(token)]
