"""Error details written for the person who reads them (issue 9 point 7, issue 10 F6).

Clients show ``detail`` and ``errors[].msg`` as they are: Chinese only, the field named by its
Chinese description and its key, enum choices with their labels, an impossible date called
impossible, a cross-field rule reported against its fields, and a body that is not JSON a 400.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

_ENGLISH = re.compile(r"[A-Za-z]{4,}")
_KEYS = re.compile(r"（[a-z_0-9.]+）|[a-z_]+_[a-z_]+|\b[a-z]+\b(?=）)")


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": f"错误信息测试-{uuid.uuid4().hex[:8]}",
        "category": "policy",
        "initiation": "initiation",
        "filing_batch": "ad_hoc",
        "interests": ["pricing"],
        "affected_population": 1000,
        "planned_decision_date": "2027-03-01",
        "deadline": "2027-02-01",
        **overrides,
    }


def _no_english(problem: dict[str, Any]) -> None:
    """No English words in what a person reads, apart from the field keys and enum values quoted."""
    texts = [problem["detail"], *(e["msg"] for e in problem.get("errors", []))]
    for text in texts:
        stripped = re.sub(r"（[^）]*）|\([^)]*\)|RFC 3339|YYYY-MM-DD|UTF-8|JSON|multipart/form-data|true/false|UUID|URL",
                          "", text)
        assert not _ENGLISH.search(stripped), text


async def _file(system: Any, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await system.intake.post("/api/v1/projects", json=body, headers={**await system.auth("jx.fgw.filer"), **headers})


async def test_field_is_named_by_its_chinese_description_and_key(system: Any) -> None:
    response = await _file(system, _body(title=""))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["field"] == "事项名称（title）"
    assert problem["detail"].startswith("请求数据校验失败：事项名称（title）")
    _no_english(problem)


async def test_enum_choices_are_listed_with_their_labels(system: Any) -> None:
    response = await _file(system, _body(interests=["bulldozing"]))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == ["interests", 0]
    assert "拆迁（demolition）" in error["msg"] and "价格调整（pricing）" in error["msg"], error["msg"]
    _no_english(response.json())


async def test_a_service_vocabulary_lists_its_labels_too(system: Any) -> None:
    response = await system.review.get("/api/v1/reviews?status=bogus", headers=await system.auth("jx.reviewer"))
    assert response.status_code == 422
    msg = response.json()["errors"][0]["msg"]
    assert "待审（pending）" in msg and "已出结论（decided）" in msg, msg
    _no_english(response.json())


async def test_impossible_date_is_reported_as_impossible(system: Any) -> None:
    response = await _file(system, _body(planned_decision_date="2026-02-30"))
    assert response.status_code == 422
    problem = response.json()
    error = problem["errors"][0]
    assert error["loc"] == ["planned_decision_date"] and error["field"] == "计划决策日期（planned_decision_date）"
    assert "日期不存在" in error["msg"] and "2026-02-30" in error["msg"] and "格式" not in error["msg"]
    wrong_format = (await _file(system, _body(planned_decision_date="2026/03/01"))).json()["errors"][0]
    assert "格式" in wrong_format["msg"]
    _no_english(problem)


async def test_cross_field_rule_is_reported_against_its_fields(system: Any) -> None:
    response = await _file(system, _body(category="project"))  # a construction project needs its sub-kind
    assert response.status_code == 422
    problem = response.json()
    assert [e["loc"] for e in problem["errors"]] == [["sub_kind"]]
    assert problem["errors"][0]["field"] == "工程项目子类（sub_kind）"
    late = (await _file(system, _body(deadline="2027-04-01"))).json()
    assert [e["loc"] for e in late["errors"]] == [["deadline"], ["planned_decision_date"]]
    assert "body" not in str(late)


async def test_upload_of_the_wrong_type_says_so_in_chinese(system: Any) -> None:
    response = await system.intake.post("/api/v1/files", data={"file": "not a file"},
                                        headers=await system.auth("jx.fgw.filer"))
    assert response.status_code == 422
    problem = response.json()
    assert "UploadFile" not in response.text and "class" not in response.text
    assert problem["errors"][0]["msg"] == "应为上传的文件（multipart/form-data 中的文件部分）"
    assert problem["errors"][0]["field"].endswith("（file）")
    _no_english(problem)


async def test_query_parameter_errors_are_chinese(system: Any) -> None:
    response = await system.intake.get("/api/v1/projects?limit=abc", headers=await system.auth("jx.fgw.filer"))
    assert response.status_code == 422
    _no_english(response.json())
    assert response.json()["errors"][0]["msg"] == "应为整数"
    assert response.json()["errors"][0]["field"] == "每页条数（limit）"


async def test_malformed_json_invalid_utf8_and_deep_nesting_are_400_in_chinese(system: Any) -> None:
    headers = {**await system.auth("jx.fgw.filer"), "content-type": "application/json"}
    bodies = {
        "malformed": b'{"title": ',
        "invalid utf-8": b'{"title": "\xff\xfe"}',
        "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    }
    for name, content in bodies.items():
        response = await system.intake.post("/api/v1/projects", content=content, headers=headers)
        assert response.status_code == 400, (name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "request.malformed_body", name
        assert "There was an error" not in response.text
        _no_english(problem)
