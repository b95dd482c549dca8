"""A running service leaves a request's garbage to reference counting: start-up's heap is frozen out
of the collector's passes, and young collections wait for 10,000 net allocations instead of
CPython's 700 (at the default, 64 requests in flight set off a young pass every few requests, and
full passes of up to 90 ms under load)."""

from __future__ import annotations

import gc


async def test_a_running_service_freezes_its_heap_and_collects_young_garbage_rarely(system) -> None:
    assert (await system.client("intake").get("/readyz")).status_code == 200
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == 10_000
