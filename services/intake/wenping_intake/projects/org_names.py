"""Organisation names for new projects, remembered for a few minutes per process.

Every filing copies the responsible organisation's name onto the project; asking the registry
for it on every request was half of a filing's time under load (pyinstrument, bench/http_bench.py).
Only the name is kept — never anything that decides who may do what (kind, region, eligibility
are asked fresh where they matter) — and it is keyed by the organisation id taken from the
caller's verified token, so a caller only ever gets its own organisation's name back. A rename
reaches new filings within ``TTL_SECONDS``.
"""

from __future__ import annotations

import time
from weakref import WeakKeyDictionary

from wenping_shared import ServiceClient

TTL_SECONDS = 300.0
MAX_ENTRIES = 10_000


class OrganizationNames:
    def __init__(self) -> None:
        self._names: dict[str, tuple[float, str]] = {}

    def get(self, org_id: str) -> str | None:
        entry = self._names.get(org_id)
        if entry is None or time.monotonic() - entry[0] > TTL_SECONDS:
            return None
        return entry[1]

    def clear(self) -> None:
        self._names.clear()

    def remember(self, org_id: str, name: str) -> None:
        if len(self._names) >= MAX_ENTRIES:
            self.clear()  # rare; a bounded dict without an eviction policy to get wrong
        self._names[org_id] = (time.monotonic(), name)


# One cache per application (its one ServiceClient), so two apps in one process never share names.
_BY_CLIENT: WeakKeyDictionary[ServiceClient, OrganizationNames] = WeakKeyDictionary()


def organization_names(peers: ServiceClient) -> OrganizationNames:
    names = _BY_CLIENT.get(peers)
    if names is None:
        names = _BY_CLIENT[peers] = OrganizationNames()
    return names
