"""Helpers of the registry's expert, draw and agency tests."""

from __future__ import annotations

import uuid
from typing import Any

from system_kit import WenpingSystem

from wenping_registry.experts.xlsx import id_number_check_char


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"

_seq = iter(range(1, 10**6))


def id_number(region: str = "330411") -> str:
    """A valid resident ID number nobody else in the session uses."""
    seq = next(_seq)
    first17 = f"{region}19{seq // 1000 % 100:02d}{1 + seq % 12:02d}{1 + seq % 28:02d}{seq % 1000:03d}"
    return first17 + id_number_check_char(first17)


async def make_expert(system: WenpingSystem, admin: str, region: str, fields: list[str], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": unique("专家"),
        "fields": fields,
        "employer_name": extra.pop("employer_name", None) or unique("某研究院"),
        "region_code": region,
        "phone": "13700001234",
        "id_number": id_number(region),
        **extra,
    }
    r = await system.registry.post("/api/v1/experts", json=body, headers=await system.auth(admin))
    assert r.status_code == 201, r.text
    return r.json()


async def make_project(system: WenpingSystem, filer: str, **extra: Any) -> dict[str, Any]:
    body = {"title": unique("测试项目"), "category": "project", "sub_kind": "urban_renewal", **extra}
    r = await system.intake.post("/api/v1/projects", json=body, headers=await system.auth(filer))
    assert r.status_code == 201, r.text
    return r.json()
