"""Accountability (追责问责): a supervisor records 约谈 / 通报批评 / 问责 on a ground that holds for
the project; officials' names only for supervisors and admins of the subtree; the ground proposal
finds what the data shows, in the caller's subtree only; the appraisal counts both."""

from __future__ import annotations

import datetime as dt
from typing import Any

from inspection_kit import inspect, inspection_body, ledger_actions, problem, tx_supervisor
from oversight_kit import JS_ZJJ, Spec, year_of_projects
from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_intake.projects.models import Project
from wenping_intake.tracking.models import TrackedMeasure
from wenping_shared import local_today, utcnow

YEAR = 2015


async def _record(system: WenpingSystem, body: dict[str, Any], user: str = "jx.supervisor", expect: int = 201) -> dict[str, Any]:
    response = await system.intake.post("/api/v1/accountability", json=body, headers=await system.auth(user))
    assert response.status_code == expect, response.text
    return dict(response.json())


async def _grounds(system: WenpingSystem, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = await system.intake.get("/api/v1/accountability/grounds", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _action(project_id: str, **overrides: Any) -> dict[str, Any]:
    return {"project_id": project_id, "kind": "accountability", "ground": "built_before_assessed",
            "decided_on": local_today().isoformat(), "description": "项目未经评估先行建设，对相关责任人问责",
            "officials_count": 2, "officials_level": "section", "official_names": ["张某", "李某"], **overrides}


async def test_grounds_are_proposed_inside_the_subtree_and_actions_hide_names(system: WenpingSystem) -> None:
    today = local_today()
    [built, late, calm] = await year_of_projects(system, "js.zjj.filer", YEAR, [
        Spec(status="assessing", already_implemented=True),
        Spec(status="assessing", deadline=today - dt.timedelta(days=40)),
        Spec(status="assessing", deadline=today - dt.timedelta(days=5)),
    ])
    [sibling] = await year_of_projects(system, "tx.filer", YEAR, [Spec(status="assessing", already_implemented=True)])

    city = {(g["ground"], g["project_id"]) for g in await _grounds(system, await system.auth("jx.supervisor"), year=YEAR)}
    assert {("built_before_assessed", built["id"]), ("built_before_assessed", sibling["id"]),
            ("deadline_missed", late["id"])} <= city
    assert not any(p == calm["id"] for _, p in city)  # 5 days late is within the 30-day margin
    strict = await _grounds(system, await system.auth("jx.supervisor"), year=YEAR, margin_days=0)
    assert ("deadline_missed", calm["id"]) in {(g["ground"], g["project_id"]) for g in strict}
    county = await _grounds(system, await tx_supervisor(system), year=YEAR)
    assert {g["project_id"] for g in county} == {sibling["id"]}
    assert all(g["region_code"] == "330483" for g in county)
    refused = await system.intake.get("/api/v1/accountability/grounds", params={"year": YEAR},
                                      headers=await system.auth("js.zjj.filer"))
    assert refused.status_code == 403

    filer = await system.intake.post("/api/v1/accountability", json=_action(built["id"]),
                                     headers=await system.auth("js.zjj.filer"))
    assert (filer.status_code, filer.json()["code"]) == (403, "accountability.supervisor_only")
    outside = await system.intake.post("/api/v1/accountability", json=_action(built["id"]), headers=await tx_supervisor(system))
    assert outside.status_code == 404
    wrong = await _record(system, _action(calm["id"]), expect=422)
    assert wrong["code"] == "accountability.ground_not_found" and "未评先建" in wrong["detail"]
    no_level = await _record(system, _action(built["id"], officials_level=None), expect=422)
    assert "级别" in no_level["detail"]

    action = await _record(system, _action(built["id"]))
    assert (action["kind_label"], action["ground_label"], action["official_names"]) == ("问责", "未评先建（报备时已实施）", ["张某", "李某"])
    assert action["org_id"] == JS_ZJJ
    path = f"/api/v1/accountability/{action['id']}"
    for user, names in (("zj.admin", ["张某", "李某"]), ("jx.reviewer", None), ("js.zjj.filer", None)):
        shown = await system.intake.get(path, headers=await system.auth(user))
        assert shown.status_code == 200 and shown.json()["official_names"] == names, user
        assert shown.json()["officials_count"] == 2
    assert (await system.intake.get(path, headers=await system.auth("tx.filer"))).status_code == 404
    assert (await system.intake.get(path, headers=await tx_supervisor(system))).status_code == 404
    listed = await system.intake.get("/api/v1/accountability", params={"project_id": built["id"]},
                                     headers=await system.auth("js.zjj.filer"))
    assert [a["official_names"] for a in listed.json()["items"]] == [None]

    entry = (await ledger_actions(system, built["id"]))[-1]
    assert entry["action"] == "accountability_action" and entry["details"]["officials_count"] == 2
    assert "张某" not in str(entry)
    again = await _grounds(system, await system.auth("jx.supervisor"), year=YEAR)
    assert next(g["actions"] for g in again if g["project_id"] == built["id"]) == 1


async def test_unrectified_findings_are_grounds_and_the_appraisal_counts_them(system: WenpingSystem) -> None:
    year = 2016
    [project] = await year_of_projects(system, "js.zjj.filer", year, [Spec(status="tracking")])
    today = local_today()
    inspection = await inspect(system, inspection_body(project["id"], today - dt.timedelta(days=20), {
        "implementation": today - dt.timedelta(days=3), "quality": today + dt.timedelta(days=20)}))
    overdue = problem(inspection, "implementation")

    found = [g for g in await _grounds(system, await system.auth("jx.supervisor"), year=today.year)
             if g["project_id"] == project["id"]]
    assert [(g["ground"], g["ground_ref"]) for g in found] == [("finding_not_rectified", overdue["id"])]
    assert "逾期 3 天未整改" in found[0]["detail"]

    bad_ref = await _record(system, _action(project["id"], kind="interview", ground="finding_not_rectified",
                                            ground_ref="no-such-finding", officials_count=0, officials_level=None,
                                            official_names=[]), expect=422)
    assert bad_ref["code"] == "accountability.ground_not_found"
    await _record(system, _action(project["id"], kind="interview", ground="finding_not_rectified", ground_ref=overdue["id"],
                                  officials_count=0, officials_level=None, official_names=[], description="约谈实施单位负责人"))

    table = await system.intake.get("/api/v1/appraisals", params={"year": year, "region_code": "330421"},
                                    headers=await system.auth("jx.supervisor"))
    assert table.status_code == 200, table.text
    row = next(r for r in table.json()["organizations"] if r["id"] == JS_ZJJ)
    parts = {p["indicator"]: p for p in row["parts"]}
    assert parts["open_rectifications"]["numerator"] == 2
    assert [p["id"] for p in parts["open_rectifications"]["projects"]] == [project["id"]]
    assert parts["accountability_actions"]["numerator"] == 1
    assert [p["id"] for p in parts["accountability_actions"]["projects"]] == [project["id"]]
    assert parts["open_rectifications"]["points"] < 0 and parts["accountability_actions"]["points"] < 0


async def test_implementation_grounds_from_tracking(system: WenpingSystem) -> None:
    """Decided to implement before any approval, a measure long overdue, an incident reported during
    implementation: each proposed with its reference, and an action may rest on it."""
    year, today = 2017, local_today()
    [project] = await year_of_projects(system, "js.zjj.filer", year, [Spec(status="implement")])
    async with system.apps["intake"].state.sessionmaker() as session:
        row = (await session.exec(select(Project).where(col(Project.id) == project["id"]))).one()
        row.decided_at = utcnow() - dt.timedelta(days=60)
        session.add(row)
        session.add(TrackedMeasure(project_id=row.id, measure_key="text:late", content="设立群众诉求受理窗口",
                                   deadline=today - dt.timedelta(days=45)))
        await session.commit()
    incident = await system.intake.post(f"/api/v1/projects/{project['id']}/incidents", headers=await system.auth("js.zjj.filer"),
                                        json={"occurred_on": (today - dt.timedelta(days=2)).isoformat(), "people_involved": 12,
                                              "description": "部分商户到现场聚集反映搬迁补偿", "response": "现场解释并登记诉求"})
    assert incident.status_code == 201, incident.text

    found = {g["ground"]: g for g in await _grounds(system, await system.auth("jx.supervisor"), year=year)
             if g["project_id"] == project["id"]}
    assert set(found) == {"implemented_before_approval", "measure_deadline_missed", "incident"}
    assert "尚未审查通过" in found["implemented_before_approval"]["detail"]
    assert "逾期 45 天仍未完成" in found["measure_deadline_missed"]["detail"]
    assert found["incident"]["ground_ref"] == incident.json()["id"]
    assert found["incident"]["since"] == (today - dt.timedelta(days=2)).isoformat()

    await _record(system, _action(project["id"], kind="criticism", ground="incident", ground_ref=incident.json()["id"],
                                  officials_count=0, officials_level=None, official_names=[]))
    await _record(system, _action(project["id"], ground="implemented_before_approval"))
    wrong_ref = await _record(system, _action(project["id"], ground="measure_deadline_missed", ground_ref="x"), expect=422)
    assert "ground_ref 不符" in wrong_ref["detail"]
    await _record(system, _action(project["id"], ground="measure_deadline_missed", ground_ref=found["measure_deadline_missed"]["ground_ref"]))
