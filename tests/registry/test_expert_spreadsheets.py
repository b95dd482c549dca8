"""Expert import (all or nothing, row errors in Chinese), template and export over HTTP."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook
from registry_kit import id_number, unique
from system_kit import WenpingSystem

from wenping_registry.experts import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet(rows: list[list[Any]], headers: tuple[str, ...] = xlsx.HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = xlsx.SHEET_NAME
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(name: str, region: str = "330411", **over: Any) -> list[Any]:
    values = {
        xlsx.H_NAME: name, xlsx.H_FIELDS: "法律政策、社会管理", xlsx.H_TITLE: "教授", xlsx.H_EMPLOYER: "嘉兴学院",
        xlsx.H_REGION: region, xlsx.H_PHONE: "13912345678", xlsx.H_ID: id_number(region),
        xlsx.H_START: "2025-01-01", xlsx.H_END: "2027-12-31", xlsx.H_STATUS: "在库", **over,
    }
    return [values[h] for h in xlsx.HEADERS]


async def upload(system: WenpingSystem, data: bytes, caller: str = "zj.admin", filename: str = "专家.xlsx") -> Any:
    return await system.registry.post("/api/v1/experts/import", files={"file": (filename, data, XLSX)},
                                      headers=await system.auth(caller))


async def names_in_pool(system: WenpingSystem, tag: str) -> list[str]:
    r = await system.registry.get("/api/v1/experts", params={"q": tag, "limit": 200}, headers=await system.auth("zj.admin"))
    return sorted(e["name"] for e in r.json()["items"])


async def test_template_downloads_and_describes_the_layout(system: WenpingSystem) -> None:
    r = await system.registry.get("/api/v1/experts/import-template.xlsx", headers=await system.auth("jx.fgw.filer"))
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert "attachment" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert [c.value for c in wb[xlsx.SHEET_NAME][1]] == list(xlsx.HEADERS)
    assert xlsx.NOTES_SHEET_NAME in wb.sheetnames
    assert (await system.registry.get("/api/v1/experts/import-template.xlsx")).status_code == 401


async def test_import_all_rows_then_update_by_id_number(system: WenpingSystem) -> None:
    tag = unique("导入")
    rows = [row(f"{tag}甲"), row(f"{tag}乙", region="330411", **{xlsx.H_EMPLOYER: None, xlsx.H_FIELDS: "water"})]
    r = await upload(system, sheet(rows))
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2 and r.json()["updated"] == 0
    assert await names_in_pool(system, tag) == [f"{tag}乙", f"{tag}甲"]
    first = await system.registry.get(f"/api/v1/experts/{r.json()['expert_ids'][0]}", headers=await system.auth("jx.reviewer"))
    body = first.json()
    assert body["fields"] == ["law_policy", "social_governance"] and body["employer_name"] == "嘉兴学院"
    assert body["employer_org_id"] is not None and body["contact"]["phone"] == "13912345678"

    # The same people again (edited): updated in place, nobody duplicated.
    rows[0][xlsx.HEADERS.index(xlsx.H_TITLE)] = "研究员"
    rows[1][xlsx.HEADERS.index(xlsx.H_STATUS)] = "暂停"
    again = await upload(system, sheet(rows))
    assert again.status_code == 200 and again.json() == {"created": 0, "updated": 2, "expert_ids": r.json()["expert_ids"]}
    suspended = await system.registry.get("/api/v1/experts", params={"q": tag, "status": "suspended"},
                                          headers=await system.auth("zj.admin"))
    assert [e["name"] for e in suspended.json()["items"]] == [f"{tag}乙"]


async def test_a_bad_row_imports_nothing_and_names_every_problem(system: WenpingSystem) -> None:
    tag = unique("坏行")
    rows = [
        row(f"{tag}一"),
        row(f"{tag}二", **{xlsx.H_FIELDS: "占星术"}),
        row(f"{tag}三", **{xlsx.H_ID: "330481197805120002"}),
        row(f"{tag}四", **{xlsx.H_PHONE: "12345"}),
        row(f"{tag}五", region="620724"),  # another province: not this admin's
        row(f"{tag}六", **{xlsx.H_EMPLOYER: "不存在的单位"}),
    ]
    r = await upload(system, sheet(rows))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "expert_import.invalid" and "未导入任何专家" in problem["detail"]
    by_row = {(e["row"], e["column"]): e["message"] for e in problem["errors"]}
    assert "未知的专业领域" in by_row[(3, xlsx.H_FIELDS)]
    assert "校验码" in by_row[(4, xlsx.H_ID)]
    assert "手机号" in by_row[(5, xlsx.H_PHONE)]
    assert "不存在" in by_row[(7, xlsx.H_EMPLOYER)]
    assert await names_in_pool(system, tag) == []

    # Outside the admin's subtree is a row error too (the rest being fine).
    outside = await upload(system, sheet([row(f"{tag}七"), row(f"{tag}八", region="620724", **{xlsx.H_EMPLOYER: None})]))
    assert outside.status_code == 422
    assert outside.json()["errors"] == [{"row": 3, "column": xlsx.H_REGION, "message": "所属地区 620724 不在本辖区内"}]
    assert await names_in_pool(system, tag) == []


async def test_bad_files_and_callers(system: WenpingSystem) -> None:
    not_xlsx = await upload(system, b"name,phone\n", filename="experts.csv")
    assert not_xlsx.status_code == 422 and "Excel" in not_xlsx.json()["errors"][0]["message"]
    missing = await upload(system, sheet([["张三"]], headers=(xlsx.H_NAME,)))
    assert missing.status_code == 422 and "缺少必填列" in missing.json()["errors"][0]["message"]
    empty = await upload(system, sheet([]))
    assert empty.status_code == 422
    for caller in ("jx.reviewer", "jx.fgw.filer"):
        assert (await upload(system, sheet([row(unique("无权"))]), caller=caller)).status_code == 403
    no_file = await system.registry.post("/api/v1/experts/import", headers=await system.auth("zj.admin"))
    assert no_file.status_code == 422


async def test_export_follows_the_filters_and_the_personal_data_rule(system: WenpingSystem) -> None:
    tag = unique("导出")
    imported = await upload(system, sheet([row(f"{tag}甲"), row(f"{tag}乙", **{xlsx.H_FIELDS: "heritage"})]))
    assert imported.status_code == 200, imported.text

    async def export(caller: str, **params: Any) -> list[dict[str, Any]]:
        r = await system.registry.get("/api/v1/experts/export.xlsx", params={"q": tag, **params},
                                      headers=await system.auth(caller))
        assert r.status_code == 200 and r.headers["content-type"] == XLSX, r.text
        ws = load_workbook(io.BytesIO(r.content))[xlsx.SHEET_NAME]
        values = list(ws.iter_rows(values_only=True))
        return [dict(zip(values[0], v, strict=True)) for v in values[1:]]

    full = await export("jx.reviewer")
    assert sorted(r[xlsx.H_NAME] for r in full) == [f"{tag}乙", f"{tag}甲"]
    assert all(r[xlsx.H_PHONE] == "13912345678" and len(r[xlsx.H_ID]) == 18 for r in full)
    assert [r[xlsx.H_NAME] for r in await export("zj.admin", field="heritage")] == [f"{tag}乙"]
    plain = await export("jx.supervisor")
    assert len(plain) == 2 and xlsx.H_PHONE not in plain[0] and xlsx.H_ID not in plain[0]
    assert await export("zy.admin") == []

    # An export with personal data re-imports as updates (the layouts are one).
    r = await system.registry.get("/api/v1/experts/export.xlsx", params={"q": tag}, headers=await system.auth("zj.admin"))
    again = await upload(system, r.content)
    assert again.status_code == 200 and again.json()["updated"] == 2 and again.json()["created"] == 0


async def test_import_replays_with_the_same_idempotency_key(system: WenpingSystem) -> None:
    """A retry resends the same bytes (here the .xlsx as the request body itself)."""
    data = sheet([row(unique("幂等"))])
    headers = {**await system.auth("zj.admin"), "Idempotency-Key": unique("import-"), "Content-Type": XLSX}
    first = await system.registry.post("/api/v1/experts/import", content=data, headers=headers)
    again = await system.registry.post("/api/v1/experts/import", content=data, headers=headers)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json()["created"] == 1
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    other = await system.registry.post("/api/v1/experts/import", content=sheet([row(unique("幂等"))]), headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency.key_reused"
