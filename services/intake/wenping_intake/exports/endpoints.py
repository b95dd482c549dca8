"""GET /api/v1/projects/export.xlsx: the project list as the electronic ledger (电子台账) in Excel.

Included before the projects router, so ``export.xlsx`` is never taken for a project id.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.background import BackgroundTask

from wenping_shared import Principal, ServiceClient, local_today

from ..deps import CurrentPrincipal, limited
from ..http import XLSX, download
from ..projects.filters import ProjectFiltersDep
from ..projects.repository import ProjectFilters
from .regions import region_names
from .repository import Key, ledger_dates, project_batch, scanning
from .xlsx import LedgerWorkbook

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])

BATCH = 1000
CHUNK = 64 * 1024


async def _file_chunks(path: str) -> AsyncIterator[bytes]:
    handle = await asyncio.to_thread(open, path, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)


async def write_export(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    filters: ProjectFilters,
    path: str,
    peers: ServiceClient | None = None,
) -> tuple[int, int]:
    """Write the workbook to ``path``: (rows, bytes)."""
    today = local_today()
    names = await region_names(peers) if peers is not None else {}
    book = await asyncio.to_thread(LedgerWorkbook, "电子台账", names, today)
    after: Key | None = None
    while True:
        # Each batch is its own short transaction: on SQLite a long read would hold the writer lock.
        async with sessionmaker() as session, scanning(session):
            projects = await project_batch(session, principal, filters, today, after, BATCH)
            dates = await ledger_dates(session, [p.id for p in projects])
        if not projects:
            break
        await asyncio.to_thread(book.append, projects, dates, today)
        if len(projects) < BATCH:
            break
        after = (projects[-1].created_at, projects[-1].id)

    def save() -> int:
        with open(path, "wb") as stream:
            book.save(stream)
        return os.path.getsize(path)

    size = await asyncio.to_thread(save)
    return book.rows, size


@router.get(
    "/export.xlsx",
    summary="导出电子台账（Excel）",
    description=(
        "按与 GET /api/v1/projects 相同的筛选条件与可见范围导出项目，每行一个项目，含台账中的关键日期"
        "（报备、首次报送报告、审查通过、决策、销号，北京时间日期）与台账记录数。"
        "服务端分批读取并以流式写入临时文件，内存占用与项目数无关；响应为 xlsx 文件流，X-Row-Count 为导出的项目数。"
    ),
    response_class=StreamingResponse,
    responses=download(XLSX, "xlsx 文件"),
    dependencies=[limited("exports")],
)
async def export_projects(
    request: Request,
    principal: CurrentPrincipal,
    filters: ProjectFiltersDep,
) -> StreamingResponse:
    handle, path = tempfile.mkstemp(prefix="wenping-export-", suffix=".xlsx")
    os.close(handle)
    try:
        rows, size = await write_export(
            request.app.state.read_sessionmaker, principal, filters, path, request.app.state.peers
        )
    except BaseException:
        os.unlink(path)
        raise
    filename = f"电子台账-{local_today().isoformat()}.xlsx"
    headers = {
        "Content-Disposition": f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(filename)}",
        "Content-Length": str(size),
        "X-Row-Count": str(rows),
    }
    return StreamingResponse(
        _file_chunks(path), media_type=XLSX, headers=headers, background=BackgroundTask(os.unlink, path)
    )
