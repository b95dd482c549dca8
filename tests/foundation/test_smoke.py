from __future__ import annotations


async def test_every_service_is_ready(system) -> None:
    for name in ("intake", "review", "registry"):
        response = await system.client(name).get("/readyz")
        assert response.status_code == 200, (name, response.text)
        assert response.json()["checks"] == {"database": "ok", "migrations": "ok"}
