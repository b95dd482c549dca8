"""Storing an uploaded document: copy to disk while hashing, cap the size, and judge the type by
the content (PDF magic bytes; a .docx is a zip holding word/document.xml). Blocking work, meant
to run in a thread."""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import ContentMismatch, EmptyFile, FileTooLarge, UnsupportedDocument

CHUNK = 1024 * 1024
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class StoredDocument:
    kind: str
    size: int
    sha256: str
    relative_path: str


def extension_kind(filename: str) -> str | None:
    lower = filename.lower()
    for kind in CONTENT_TYPES:
        if lower.endswith("." + kind):
            return kind
    return None


def sniff(path: Path) -> str | None:
    """'pdf' or 'docx' judged from the bytes, None for anything else."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def store(source: BinaryIO, files_dir: Path, file_id: str, filename: str, max_bytes: int) -> StoredDocument:
    expected = extension_kind(filename)
    if expected is None:
        raise UnsupportedDocument("只接受 .docx 或 .pdf 格式的评估报告原件")
    partial = files_dir / "incoming" / f"{file_id}.part"
    partial.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(
                        f"文件超过 {max_bytes // (1024 * 1024) or 1} MiB 上限", max_bytes=max_bytes
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise EmptyFile()
        kind = sniff(partial)
        if kind is None:
            raise ContentMismatch(
                f"文件内容不是有效的 {expected.upper()} 文档（按文件内容判断，而非文件名）"
            )
        if kind != expected:
            raise ContentMismatch(
                f"文件扩展名为 .{expected}，但内容是 {kind.upper()} 文档"
            )
        sha = digest.hexdigest()
        relative = f"{sha[:2]}/{file_id}.{kind}"
        final = files_dir / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, final)
        return StoredDocument(kind=kind, size=size, sha256=sha, relative_path=relative)
    finally:
        partial.unlink(missing_ok=True)
