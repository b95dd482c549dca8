"""How ``python -m wenping_<service> serve`` runs uvicorn."""

from __future__ import annotations

from wenping_registry.config import RegistrySettings
from wenping_shared.cli import serve_options


def test_serve_runs_on_the_loop_that_accepts_every_waiting_connection_at_once() -> None:
    """uvloop's libuv accepts one connection per turn of its loop: clients connecting to a busy
    service wait a turn each (bench/http_bench.py: p99 3-5x the bare app's from that alone).
    asyncio's loop accepts all that are waiting; httptools stays the parser."""
    options = serve_options(RegistrySettings(environment="test"))
    assert (options["loop"], options["http"]) == ("asyncio", "httptools")
