"""Autogenerate a migration: revision.py <service> <message> (against a scratch SQLite DB at head)."""
import importlib
import sys
import tempfile
from pathlib import Path

from alembic import command

from wenping_shared._migrations import alembic_config

service, message = sys.argv[1], sys.argv[2]
mig = Path(importlib.import_module(f"wenping_{service}.main").MIGRATIONS)
with tempfile.TemporaryDirectory() as d:
    url = f"sqlite+aiosqlite:///{d}/scratch.db"
    cfg = alembic_config(mig, url)
    command.upgrade(cfg, "head")
    command.revision(cfg, message=message, autogenerate=True)
