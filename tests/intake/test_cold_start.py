"""Cold start: a service imports no migration tool, PDF, spreadsheet, Word or QR-code library until
it needs one (alembic, fpdf and openpyxl were about two seconds and 60 MB of every start; python-docx
with lxml, and qrcode with Pillow, another 11 MB of intake's resident memory), and /readyz still
tells a database behind the migration scripts from one at their heads, without alembic."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from wenping_shared import create_engine, migrations_current, upgrade_to_head
from wenping_shared._migrations import alembic_config, script_heads

SERVICES = ("intake", "review", "registry")
DEFERRED = ("alembic", "fpdf", "openpyxl", "docx", "lxml", "qrcode", "PIL")


def migrations(service: str) -> Path:
    return Path(importlib.import_module(f"wenping_{service}.main").MIGRATIONS)


def test_a_service_starts_without_the_heavy_libraries() -> None:
    check = (
        "import sys\n"
        + "".join(f"import wenping_{s}.main\nwenping_{s}.main.create_app()\n" for s in SERVICES)
        + f"print(sorted(m for m in {DEFERRED!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("service", SERVICES)
def test_script_heads_are_alembics(service: str) -> None:
    location = migrations(service)
    assert script_heads(location) == set(ScriptDirectory.from_config(alembic_config(location, "sqlite://")).get_heads())


async def test_readiness_tells_pending_from_current(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'review.db'}"
    engine = create_engine(url)
    try:
        assert not await migrations_current(engine, migrations("review"))  # no alembic_version table yet
        await asyncio.to_thread(upgrade_to_head, migrations("review"), url)
        assert await migrations_current(engine, migrations("review"))
        assert not await migrations_current(engine, migrations("intake"))  # another set of heads
    finally:
        await engine.dispose()
