"""A running service leaves a request's garbage to reference counting: start-up's heap is frozen out
of the collector's passes, and young collections wait for 10,000 net allocations instead of
CPython's 700 (at the default, 64 requests in flight set off a young pass every few requests, and
full passes of up to 90 ms under load). Start-up itself loads its modules with the collector off."""

from __future__ import annotations

import gc
import subprocess
import sys

from asgi_lifespan import LifespanManager

from wenping_registry.main import create_app as create_registry


async def test_a_running_service_freezes_its_heap_and_collects_young_garbage_rarely(system) -> None:
    assert (await system.client("intake").get("/readyz")).status_code == 200
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == 10_000


async def test_a_service_started_with_the_collector_off_turns_it_back_on(system) -> None:
    """``python -m wenping_<service>`` loads its modules with the collector off (its ``__main__``):
    the lifespan freezes start-up's heap and turns it back on, or the process would never collect."""
    gc.disable()
    try:
        async with LifespanManager(create_registry(system.settings["registry"], transport=system.transport)):
            assert gc.isenabled()
    finally:
        gc.enable()


def test_a_services_main_module_loads_with_the_collector_off() -> None:
    for service in ("intake", "registry", "review"):
        # Read as the interpreter runs it: the module's first statements, before any import of the service.
        probe = (
            "import gc, runpy, sys; sys.argv = ['x', '--help']\n"
            f"try: runpy.run_module('wenping_{service}', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "print(gc.isenabled())"
        )
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
        # --help exits in argparse before a command is chosen, so nothing has turned the collector on.
        assert done.stdout.strip().splitlines()[-1] == "False", done.stdout
