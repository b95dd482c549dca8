"""A route's documented answers (FastAPI's ``responses=``), stated as status and text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Responses = dict[int | str, dict[str, Any]]


def described(descriptions: Mapping[int, str]) -> Responses:
    """A route's ``responses``, one description per status (the problem+json body is added to every
    error status by the OpenAPI contract)."""
    return {status: {"description": text} for status, text in descriptions.items()}
