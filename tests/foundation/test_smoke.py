from __future__ import annotations

import gc


async def test_every_service_is_ready(system) -> None:
    for name in ("intake", "review", "registry"):
        response = await system.client(name).get("/readyz")
        assert response.status_code == 200, (name, response.text)
        assert response.json()["checks"] == {"database": "ok", "migrations": "ok"}


async def test_a_running_service_leaves_requests_garbage_to_reference_counting(system) -> None:
    # Start-up's heap is frozen out of the collector's passes, and young collections wait for
    # 10,000 net allocations instead of CPython's 700 (64 requests in flight set off a young pass
    # every few requests, and full passes of up to 90 ms, at the default).
    assert (await system.client("intake").get("/readyz")).status_code == 200
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == 10_000
