"""/api/v1/meta/enums: every vocabulary with its Chinese labels."""

from __future__ import annotations

from fastapi import APIRouter

from wenping_shared.contracts.vocab import enum_catalog

router = APIRouter(prefix="/api/v1/meta", tags=["meta"])


@router.get("/enums", summary="枚举值及中文名称", description="所有词表：{名称: [{value, label}]}。无需令牌。")
async def enums() -> dict[str, list[dict[str, str]]]:
    return enum_catalog()
