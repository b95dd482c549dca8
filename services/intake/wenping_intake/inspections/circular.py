"""The circular (通报) as an official document: its words as blocks, laid out by the platform's one
GB/T 9704 builder (``wenping_shared.official_document``, the same as the review's feedback letter).
Pure and blocking; endpoints run ``render_docx`` in a thread."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from wenping_shared.contracts.vocab import InspectionCheck, label_of
from wenping_shared.official_document import (
    Block,
    DocumentProperties,
    cn_numeral,
    format_cn_date,
    render_docx,
    sentence,
)

from .schemas import CircularPublic

CATEGORY = "督查通报"


def _period(circular: CircularPublic) -> str:
    return f"{format_cn_date(circular.period_start)}至{format_cn_date(circular.period_end)}"


def default_title(start_text: str, end_text: str) -> str:
    return f"关于{start_text}至{end_text}社会稳定风险评估督查发现问题的通报"


def blocks(circular: CircularPublic) -> list[Block]:
    projects = {f.project_id for f in circular.findings}
    units = [a.org_name or a.org_id for a in circular.addressees]
    out = [
        Block("docnum", circular.document_number),
        Block("title", circular.title, space_before=True),
        Block("addressee", "、".join(units) + "：", space_before=True),
        Block(
            "body",
            f"{_period(circular)}，{circular.issuing_office}对{len(projects)}个重大决策社会稳定风险评估项目开展了现场督查，"
            "查台账看程序、查进度看落实、查效果看质量、查整改看销号，"
            f"共发现问题{len(circular.findings)}个。现将有关情况通报如下：",
        ),
        Block("heading1", "一、发现的问题"),
    ]
    by_check: dict[str, list[int]] = defaultdict(list)
    for index, finding in enumerate(circular.findings):
        by_check[finding.check].append(index)
    for number, check in enumerate((c for c in InspectionCheck if c in by_check), start=1):
        out.append(Block("heading2", f"（{cn_numeral(number)}）{label_of(InspectionCheck, check)}方面"))
        for item, index in enumerate(by_check[check], start=1):
            f = circular.findings[index]
            unit = f.org_name or f.org_id
            text = f"{item}.《{f.project_title}》（{f.project_number}，{unit}）：{sentence(f.finding)}"
            if f.requirement:
                text += f"整改要求：{sentence(f.requirement)}"
            if f.deadline:
                text += f"整改时限：{format_cn_date(f.deadline)}。"
            out.append(Block("body", text))
    out += [
        Block("heading1", "二、整改要求"),
        Block(
            "body",
            "请各有关单位对照通报的问题逐项整改，在整改时限前通过稳评信息平台报告整改情况，由维稳办验收销号。"
            "逾期未整改或整改不到位的，将依规约谈、通报批评或追责问责。",
        ),
        Block("office", circular.issuing_office, space_before=True),
        Block("date", format_cn_date(circular.issued_on)),
    ]
    return out


def imprint(circular: CircularPublic) -> list[tuple[str, str]]:
    return [(circular.issuing_office, f"{format_cn_date(circular.issued_on)}印发")]


def render(circular: CircularPublic) -> bytes:
    properties = DocumentProperties(
        author=circular.issuing_office, title=circular.title, subject=circular.document_number,
        category=CATEGORY, issued_on=circular.issued_on,
    )
    return render_docx(circular.issuing_office, blocks(circular), imprint(circular), properties)


def unit_names(findings: Sequence[tuple[str, str | None]]) -> list[dict[str, str | None]]:
    """The addressees: each unit concerned once, in the order its first finding appears."""
    seen: dict[str, str | None] = {}
    for org_id, org_name in findings:
        seen.setdefault(org_id, org_name)
    return [{"org_id": k, "org_name": v} for k, v in seen.items()]
