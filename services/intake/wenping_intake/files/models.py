"""Uploaded original documents (the report's .docx / .pdf), stored on disk by id with their sha256."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


class StoredFile(TableBase, table=True):
    __tablename__ = "stored_file"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    filename: str = Field(max_length=255)
    kind: str = Field(max_length=8, description="docx | pdf, judged from the content")
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64, index=True)
    storage_path: str = Field(max_length=300, description="relative to the files directory")
    uploaded_by: str = Field(max_length=200)
    uploaded_by_org_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
