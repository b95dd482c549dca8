"""What changed between two report rounds: a JSON diff listing changed paths.

Objects compare key by key, lists index by index (a report's lists are ordered: consultations,
risks, measures); a path looks like `consultations[0].participants`.
"""

from __future__ import annotations

from typing import Any

MAX_CHANGES = 500


class _Full(Exception):
    pass


def _path(base: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


def json_diff(before: Any, after: Any, *, limit: int = MAX_CHANGES) -> tuple[list[dict[str, Any]], bool]:
    """([{path, change, before, after}] of at most `limit` entries, whether more were cut)."""
    out: list[dict[str, Any]] = []

    def emit(path: str, change: str, a: Any, b: Any) -> None:
        out.append({"path": path or "$", "change": change, "before": a, "after": b})
        if len(out) > limit:
            raise _Full

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in list(a) + [k for k in b if k not in a]:
                if key not in b:
                    emit(_path(path, key), "removed", a[key], None)
                elif key not in a:
                    emit(_path(path, key), "added", None, b[key])
                else:
                    walk(a[key], b[key], _path(path, key))
        elif isinstance(a, list) and isinstance(b, list):
            for i in range(max(len(a), len(b))):
                if i >= len(b):
                    emit(_path(path, i), "removed", a[i], None)
                elif i >= len(a):
                    emit(_path(path, i), "added", None, b[i])
                else:
                    walk(a[i], b[i], _path(path, i))
        elif a != b or isinstance(a, bool) != isinstance(b, bool):
            emit(path, "changed", a, b)

    try:
        walk(before, after, "")
    except _Full:
        return out[:limit], True
    return out, False
