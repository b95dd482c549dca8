"""C04 评估依据: enough legal basis, in force, cited properly, with local and sectoral rules."""

from __future__ import annotations

import re
from typing import Any

from wenping_shared.contracts.vocab import DocumentKind, label

from .context import RuleContext
from .evidence import is_blank, text_of
from .outcome import RuleOutcome, failed, failed_on, not_applicable, passed, rule


@rule("C04.1")
def basis_sufficient(context: RuleContext) -> RuleOutcome:
    docs = context.report.basis
    minimum = context.config.basis_min_documents
    laws = [d for d in docs if d.kind in (DocumentKind.law, DocumentKind.administrative_regulation)]
    details = {"field": "basis", "documents": len(docs), "threshold": minimum, "laws_or_regulations": len(laws)}
    problems = []
    if len(docs) < minimum:
        problems.append(f"引用依据文件 {len(docs)} 件，少于 {minimum} 件")
    if not laws:
        problems.append("未引用法律或行政法规")
    return failed_on(problems, details) or passed(
        f"引用依据文件 {len(docs)} 件（不少于 {minimum} 件），其中法律、行政法规 {len(laws)} 件", details
    )


_YEAR_IN_NUMBER = re.compile(r"〔(\d{4})〕")


@rule("C04.2")
def basis_in_force(context: RuleContext) -> RuleOutcome:
    docs = context.report.basis
    if not docs:
        return not_applicable("未引用依据文件（见C04.1）", {"field": "basis"})
    repealed = {s.strip() for s in context.config.repealed_documents}
    max_age = context.config.document_max_age_years
    flagged: list[str] = []
    rows: list[dict[str, Any]] = []
    for i, d in enumerate(docs):
        name = f"第{i + 1}项《{(d.title or '').strip()}》"
        if repealed and ((d.title or "").strip() in repealed or (d.number or "").strip() in repealed):
            flagged.append(f"{name}已列入本地区废止文件清单")
            rows.append({"index": i, "reason": "repealed"})
        year = d.year
        if year is None and d.number:
            m = _YEAR_IN_NUMBER.search(d.number)
            year = int(m.group(1)) if m else None
        if year is not None and context.submitted_on.year - year > max_age:
            flagged.append(f"{name}发布于 {year} 年，距报送已逾 {max_age} 年，请核实是否现行有效")
            rows.append({"index": i, "reason": "old", "year": year})
    details = {"field": "basis", "threshold_years": max_age, "flagged": rows}
    return failed_on(flagged, details) or passed(f"引用文件均未列入废止清单，且发布时间均在 {max_age} 年以内", details)


_NUMBER_SHAPES = (
    re.compile(r"[^\s〔〕\[\]【】()（）]+〔\d{4}〕\d+号"),
    re.compile(r"[^\s〔〕\[\]【】()（）]+令第\d+号"),
)
_NEEDS_NUMBER = (DocumentKind.administrative_regulation, DocumentKind.rule, DocumentKind.normative_document)


@rule("C04.3")
def basis_cited_properly(context: RuleContext) -> RuleOutcome:
    docs = context.report.basis
    if not docs:
        return not_applicable("未引用依据文件（见C04.1）", {"field": "basis"})
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for i, d in enumerate(docs):
        name = f"第{i + 1}项" + (f"《{text_of(d.title)}》" if not is_blank(d.title) else "")
        if is_blank(d.title):
            problems.append(f"{name}未载明文件名称")
            rows.append({"index": i, "field": "title"})
        if is_blank(d.issuer):
            problems.append(f"{name}未载明发文机关")
            rows.append({"index": i, "field": "issuer"})
        if d.kind in _NEEDS_NUMBER:
            if is_blank(d.number):
                problems.append(f"{name}（{label(d.kind)}）未载明文号")
                rows.append({"index": i, "field": "number", "value": None})
            elif not any(s.fullmatch(text_of(d.number)) for s in _NUMBER_SHAPES):
                problems.append(
                    f"{name}文号「{d.number}」不规范（应为“…〔年份〕序号号”或“…令第N号”，年份用六角括号〔〕）"
                )
                rows.append({"index": i, "field": "number", "value": d.number})
    details = {"field": "basis", "problems": rows}
    return failed_on(problems, details) or passed(
        f"引用的 {len(docs)} 件文件均载明名称和发文机关，行政法规、规章和规范性文件文号规范", details
    )


_LOCAL_ISSUER = re.compile(r"[省市县区州盟旗]")


@rule("C04.4")
def local_rules_considered(context: RuleContext) -> RuleOutcome:
    docs = context.report.basis
    if not docs:
        return not_applicable("未引用依据文件（见C04.1）", {"field": "basis"})
    local = [
        d
        for d in docs
        if d.kind in (DocumentKind.local_regulation, DocumentKind.rule, DocumentKind.standard, DocumentKind.plan)
        or (d.kind == DocumentKind.normative_document and d.issuer and _LOCAL_ISSUER.search(d.issuer))
    ]
    details = {"field": "basis", "local_or_sectoral": len(local)}
    if not local:
        return failed("未引用地方性法规、规章、行业标准或相关规划", details)
    names = "、".join(f"《{(d.title or '').strip()}》" for d in local[:3])
    return passed(f"已引用地方性、行业性规定或规划 {len(local)} 件，如{names}", details)
