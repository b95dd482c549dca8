"""The review checklist (审查标准) as typed, versioned, cached models.

The checklist ships inside the package as YAML (a verbatim copy of the spec's
checklist-v1.yaml); nothing is read from outside the package at run time. It is read with
PyYAML's safe loader (duplicate keys refused), validated into frozen models and cached per
version, so every caller shares one object.
"""

from __future__ import annotations

import functools
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs installed
from pydantic import BaseModel, ConfigDict, Field, model_validator

from wenping_shared.contracts.vocab import ItemMode, Severity

AVAILABLE_VERSIONS: tuple[str, ...] = ("v1",)
_FILES = {"v1": "checklist_v1.yaml"}
POINTS_PER_CATEGORY = 10


class ChecklistItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    title: str
    mode: ItemMode
    severity: Severity
    rule: str = Field(description="what the item checks, in words ('none' for pure manual items)")
    require: str = Field(description="rectification sentence for the feedback letter")

    @property
    def has_rule(self) -> bool:
        return self.rule.strip().lower() != "none"


class ChecklistCategory(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    title: str
    title_en: str
    items: tuple[ChecklistItem, ...]


class Checklist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    title: str
    categories: tuple[ChecklistCategory, ...]

    @model_validator(mode="after")
    def _unique_codes(self) -> Checklist:
        codes = [i.code for c in self.categories for i in c.items]
        if len(codes) != len(set(codes)):
            raise ValueError("duplicate item codes in checklist")
        for cat in self.categories:
            if not cat.items:
                raise ValueError(f"category {cat.code} has no items")
        return self

    @functools.cached_property
    def items(self) -> tuple[ChecklistItem, ...]:
        """All items in checklist order."""
        return tuple(i for c in self.categories for i in c.items)

    @functools.cached_property
    def by_code(self) -> MappingProxyType[str, ChecklistItem]:
        return MappingProxyType({i.code: i for i in self.items})

    @functools.cached_property
    def category_of(self) -> MappingProxyType[str, ChecklistCategory]:
        """Item code -> its category."""
        return MappingProxyType({i.code: c for c in self.categories for i in c.items})

    def item(self, code: str) -> ChecklistItem:
        return self.by_code[code]


# --- loading -------------------------------------------------------------------------------


class ChecklistFormatError(ValueError):
    pass


class _StrictLoader(yaml.SafeLoader):  # type: ignore[misc]  # yaml has no stubs: its classes are Any
    """safe_load semantics, but a duplicated key is an error (PyYAML keeps the last silently,
    which would let a typo override an item's severity unnoticed)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ChecklistFormatError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def parse_checklist_yaml(text: str) -> Checklist:
    """Parse (yaml.safe_load rules, duplicate keys refused) and validate a checklist."""
    try:
        # _StrictLoader is a SafeLoader subclass: no arbitrary objects (bandit B506 justified).
        data = yaml.load(text, Loader=_StrictLoader)  # nosec B506
    except yaml.YAMLError as exc:
        raise ChecklistFormatError(f"invalid checklist YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ChecklistFormatError("a checklist is a YAML mapping")
    return Checklist.model_validate(data)


def load_checklist(version: str = "v1") -> Checklist:
    """The checklist of that version, parsed once per process (the same object every call)."""
    return _load(version)


@functools.cache
def _load(version: str) -> Checklist:
    try:
        name = _FILES[version]
    except KeyError:
        raise LookupError(f"unknown checklist version {version!r}") from None
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return parse_checklist_yaml(text)


__all__ = [
    "AVAILABLE_VERSIONS",
    "POINTS_PER_CATEGORY",
    "Checklist",
    "ChecklistCategory",
    "ChecklistFormatError",
    "ChecklistItem",
    "load_checklist",
    "parse_checklist_yaml",
]
