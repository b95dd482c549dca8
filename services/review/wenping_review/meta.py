from __future__ import annotations

from fastapi import APIRouter

from wenping_shared.contracts.vocab import enum_catalog

router = APIRouter(prefix="/api/v1/meta", tags=["meta"])


@router.get("/enums", summary="枚举值及中文名称（无需登录）")
async def enums() -> dict[str, list[dict[str, str]]]:
    return enum_catalog()
