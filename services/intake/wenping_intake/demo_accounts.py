"""The demo accounts as the intake seeds act through them (no tokens involved)."""

from __future__ import annotations

from wenping_shared import Principal
from wenping_shared.demo import ACCOUNTS, org_id, user_id

#: The review service, as its events act on projects.
REVIEW_SERVICE = Principal(subject="service:review", kind="service", roles=frozenset({"service"}), name="审查服务")


def demo_user(username: str) -> Principal:
    """The demo account ``username`` (wenping_shared.demo) as a principal."""
    for name, display, role, org, region in ACCOUNTS:
        if name == username:
            return Principal(
                subject=user_id(name), kind="user", roles=frozenset({role}), org_id=org_id(org),
                region_code=region, name=display,
            )
    raise KeyError(username)
