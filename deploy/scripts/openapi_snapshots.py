"""Write each service's OpenAPI document to tests/openapi/<service>.json (`make openapi-snapshots`).

tests/integration/test_openapi_contract.py compares the live documents with these files, so a
change to the contract shows up in review as a diff of the snapshot, committed with the change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SNAPSHOTS = Path(__file__).resolve().parents[2] / "tests" / "openapi"
#: Fixed so the documents do not depend on the environment they are generated in.
REGISTRY_URL = "http://127.0.0.1:8003"


def documents() -> dict[str, dict[str, Any]]:
    from wenping_intake.config import IntakeSettings
    from wenping_intake.main import create_app as intake
    from wenping_registry.config import RegistrySettings
    from wenping_registry.main import create_app as registry
    from wenping_review.config import ReviewSettings
    from wenping_review.main import create_app as review

    common: dict[str, Any] = {"registry_url": REGISTRY_URL, "cors_origins": [], "log_json": True, "log_level": "WARNING"}
    return {
        "intake": intake(IntakeSettings(**common)).openapi(),
        "review": review(ReviewSettings(**common)).openapi(),
        "registry": registry(RegistrySettings(**common)).openapi(),
    }


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for name, spec in documents().items():
        path = SNAPSHOTS / f"{name}.json"
        path.write_text(render(spec), encoding="utf-8")
        print(f"{path.relative_to(SNAPSHOTS.parents[1])}: {sum(len(v) for v in spec['paths'].values())} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
