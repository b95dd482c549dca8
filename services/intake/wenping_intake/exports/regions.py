"""Region names for the ledger export, asked of the registry once per export."""

from __future__ import annotations

from wenping_shared import ServiceClient, ServiceUnavailable


async def region_names(peers: ServiceClient) -> dict[str, str]:
    """code -> name of every region (GB/T 2260 is public reference data).

    Empty when the registry cannot answer: the export still carries the codes, and a ledger
    without names beats no ledger.
    """
    try:
        response = await peers.request("registry", "GET", "/api/v1/regions")
    except ServiceUnavailable:
        return {}
    if response.status_code != 200:
        return {}
    return {str(r["code"]): str(r["name"]) for r in response.json() if r.get("code") and r.get("name")}
