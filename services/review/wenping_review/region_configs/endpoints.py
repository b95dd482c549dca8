from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from ..deps import CurrentPrincipal, SessionDep
from .schemas import EffectiveRegionConfig, RegionConfigUpdate, RegionConfigVersionPublic
from .service import RegionConfigService, ResolvedConfig, resolve

router = APIRouter(prefix="/api/v1/region-configs", tags=["region-configs"])

RegionCode = Annotated[str, Path(pattern=r"^\d{6}$", description="GB/T 2260 六位行政区划代码")]


def _effective(resolved_region: str, svc_result: ResolvedConfig) -> EffectiveRegionConfig:
    return EffectiveRegionConfig(
        region_code=resolved_region,
        source_region_code=svc_result.source_region_code,
        version=svc_result.version,
        overrides=svc_result.overrides,
        config=svc_result.config.model_dump(mode="json"),
    )


@router.get("/{region_code}", response_model=EffectiveRegionConfig, summary="地区生效的审查配置（本级或最近上级）")
async def get_region_config(region_code: RegionCode, session: SessionDep, principal: CurrentPrincipal) -> EffectiveRegionConfig:
    return _effective(region_code, await RegionConfigService(session).read(principal, region_code))


@router.get(
    "/{region_code}/versions", response_model=list[RegionConfigVersionPublic], summary="本地区审查配置的历史版本"
)
async def list_region_config_versions(
    region_code: RegionCode, session: SessionDep, principal: CurrentPrincipal
) -> list[RegionConfigVersionPublic]:
    rows = await RegionConfigService(session).versions(principal, region_code)
    return [RegionConfigVersionPublic.model_validate(r, from_attributes=True) for r in rows]


@router.put(
    "/{region_code}",
    response_model=EffectiveRegionConfig,
    summary="设置本地区审查配置（新增一个版本；管理员或维稳办负责人，本辖区）",
    description="阈值（公示天数、样本比例、评估周期、风险等级判定方案、整改期限等）按地区配置；"
    "下级地区未设置时适用最近上级的配置。已开启的审查使用开启时的配置，不受之后的版本影响。",
)
async def put_region_config(
    region_code: RegionCode, data: RegionConfigUpdate, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> EffectiveRegionConfig:
    row = await RegionConfigService(session).store(principal, region_code, data.overrides, data.comment)
    request.app.state.region_configs.clear()
    return _effective(region_code, resolve(row, region_code))
