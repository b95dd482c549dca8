from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class CategoryCount(BaseModel):
    code: str
    title: str
    count: int = Field(description="至少有一项不通过的已决审查数")


class ItemCount(BaseModel):
    code: str
    title: str
    category_code: str
    category_title: str
    severity: str
    count: int = Field(description="该项不通过的已决审查数")


class ReturnReasons(BaseModel):
    region_code: str
    from_: dt.date | None = Field(alias="from", serialization_alias="from")
    to: dt.date | None
    decided_reviews: int
    returned_reviews: int
    categories: list[CategoryCount]
    items: list[ItemCount]


__all__ = ["CategoryCount", "ItemCount", "ReturnReasons"]
