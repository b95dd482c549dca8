"""Uploading and reading original report documents."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

from fastapi import UploadFile
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal

from ..errors import FileNotFound, UploadForbidden
from ..projects.access import sees_loaded
from ..projects.models import Project
from ..reports.models import ReportRound
from .models import StoredFile
from .storage import CONTENT_TYPES, store

UPLOADER_ROLES = ("filer", "agency")


def clean_filename(raw: str | None) -> str:
    name = Path((raw or "").replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:255] or "document"


class FileService:
    def __init__(self, session: AsyncSession, files_dir: Path, max_bytes: int) -> None:
        self.session = session
        self.files_dir = files_dir
        self.max_bytes = max_bytes

    async def upload(self, principal: Principal, upload: UploadFile) -> StoredFile:
        if principal.kind != "user" or not principal.has_role(*UPLOADER_ROLES) or not principal.org_id:
            raise UploadForbidden()
        file_id = str(uuid.uuid4())
        filename = clean_filename(upload.filename)
        # Copying, hashing and unzipping a large document would block the event loop.
        stored = await asyncio.to_thread(store, upload.file, self.files_dir, file_id, filename, self.max_bytes)
        record = StoredFile(
            id=file_id,
            filename=filename,
            kind=stored.kind,
            content_type=CONTENT_TYPES[stored.kind],
            size=stored.size,
            sha256=stored.sha256,
            storage_path=stored.relative_path,
            uploaded_by=principal.subject,
            uploaded_by_org_id=principal.org_id,
        )
        self.session.add(record)
        await self.session.flush()
        return record

    async def visible(self, principal: Principal, file_id: str) -> StoredFile:
        """The uploader's organisation, service tokens, and whoever sees a project whose report uses it."""
        record = await self.session.get(StoredFile, file_id)
        if record is None:
            raise FileNotFound()
        if principal.kind == "service" or (principal.org_id and principal.org_id == record.uploaded_by_org_id):
            return record
        projects = await self.session.exec(
            select(Project)
            .join(ReportRound, col(ReportRound.project_id) == col(Project.id))
            .where(col(ReportRound.document_file_id) == file_id)
        )
        for project in projects.all():
            if await sees_loaded(self.session, principal, project):
                return record
        raise FileNotFound()

    def path_of(self, record: StoredFile) -> Path:
        return self.files_dir / record.storage_path
