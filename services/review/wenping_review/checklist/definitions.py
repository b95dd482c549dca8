"""The review checklist (审查标准) as typed, versioned, cached models.

The checklist ships inside the package as YAML (a transcription of the spec's
checklist-v1.yaml); nothing is read from outside the package at run time. The project has no
YAML library, and the file uses only block mappings, block sequences and plain one-line
scalars, so a small parser for exactly that subset lives here; it refuses anything else rather
than guess.
"""

from __future__ import annotations

import functools
from importlib import resources
from types import MappingProxyType
from typing import Any

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


# --- the YAML subset parser ------------------------------------------------------------------


class ChecklistFormatError(ValueError):
    pass


def _tokenise(text: str) -> list[tuple[int, int, str]]:
    """(line number, indent, content) of every meaningful line."""
    out: list[tuple[int, int, str]] = []
    for no, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise ChecklistFormatError(f"line {no}: tabs in indentation")
        out.append((no, len(raw) - len(raw.lstrip(" ")), raw.strip()))
    return out


def _scalar(text: str, no: int) -> str:
    if text[:1] in {"'", '"', "[", "{", "|", ">", "&", "*", "!"}:
        raise ChecklistFormatError(f"line {no}: unsupported YAML scalar {text!r}")
    if " #" in text:
        raise ChecklistFormatError(f"line {no}: trailing comment not supported")
    return text


def _parse(lines: list[tuple[int, int, str]], pos: int, indent: int) -> tuple[Any, int]:
    no, ind, text = lines[pos]
    if text.startswith("- "):
        seq: list[Any] = []
        while pos < len(lines) and lines[pos][1] == indent and lines[pos][2].startswith("- "):
            no, ind, text = lines[pos]
            # "- key: value" opens a mapping whose keys sit two columns further in.
            lines[pos] = (no, ind + 2, text[2:].lstrip())
            value, pos = _parse(lines, pos, ind + 2)
            seq.append(value)
        return seq, pos
    mapping: dict[str, Any] = {}
    while pos < len(lines) and lines[pos][1] == indent and not lines[pos][2].startswith("- "):
        no, ind, text = lines[pos]
        key, sep, rest = text.partition(":")
        if not sep or not key or (rest and not rest.startswith(" ")):
            raise ChecklistFormatError(f"line {no}: expected 'key: value'")
        if key in mapping:
            raise ChecklistFormatError(f"line {no}: duplicate key {key!r}")
        rest = rest.strip()
        pos += 1
        if rest:
            mapping[key] = _scalar(rest, no)
        else:
            if pos >= len(lines) or lines[pos][1] < indent or (
                lines[pos][1] == indent and not lines[pos][2].startswith("- ")
            ):
                raise ChecklistFormatError(f"line {no}: empty value for {key!r}")
            mapping[key], pos = _parse(lines, pos, lines[pos][1])
    if pos < len(lines) and lines[pos][1] > indent:
        raise ChecklistFormatError(f"line {lines[pos][0]}: unexpected indentation")
    return mapping, pos


def parse_checklist_yaml(text: str) -> Checklist:
    lines = _tokenise(text)
    if not lines:
        raise ChecklistFormatError("empty checklist")
    data, pos = _parse(lines, 0, lines[0][1])
    if pos != len(lines):
        raise ChecklistFormatError(f"line {lines[pos][0]}: unexpected content")
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
