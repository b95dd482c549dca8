"""Expert opinions (issue 12, point 5): a drawn expert submits written opinions; the assessor
records for each whether it was adopted before the report round that answers it; adoption rates
per expert, project and region."""

from __future__ import annotations

from collections import Counter
from typing import Any

from expert_kit import assessing_project, chosen, draw, expert_accounts, submit_report
from system_kit import WenpingSystem


async def _opinion(system: WenpingSystem, project_id: str, who: str, text: str = "建议补充征迁安置方案的公众意见调查样本") -> Any:
    return await system.intake.post(f"/api/v1/projects/{project_id}/expert-opinions", json={"text": text},
                                     headers=await system.auth(who))


async def _adopt(system: WenpingSystem, project_id: str, opinion: dict[str, Any], who: str, adoption: str,
                 version: int | None = None) -> Any:
    headers = {**await system.auth(who), "If-Match": f'"{version or opinion["version"]}"'}
    return await system.intake.put(f"/api/v1/projects/{project_id}/expert-opinions/{opinion['id']}/adoption",
                                   json={"adoption": adoption, "reason": "已在风险防范措施中体现"}, headers=headers)


async def test_opinions_must_be_answered_before_the_next_report_round(system: WenpingSystem) -> None:
    await expert_accounts(system, 3, "environment")
    filer = "jx.fgw.filer"
    project = await assessing_project(system, filer)
    first, second = chosen(await draw(system, project["id"], "environment", 2))
    pid = project["id"]

    made = await _opinion(system, pid, first.username)
    assert made.status_code == 201, made.text
    one = made.json()
    assert (one["expert_id"], one["answered_by_round"], one["adoption"]) == (first.expert_id, 1, None)
    assert (await _opinion(system, pid, "expert.jx1")).status_code == 404  # not drawn: the project is unseen
    refused = await _opinion(system, pid, filer)
    assert refused.status_code == 403 and refused.json()["code"] == "expert_opinion.forbidden"
    assert (await _opinion(system, pid, first.username, "意见\x00")).status_code == 422
    two = (await _opinion(system, pid, second.username, "建议明确施工期噪声扰民的补偿标准")).json()

    for who in (filer, first.username, "jx.reviewer"):
        listed = await system.intake.get(f"/api/v1/projects/{pid}/expert-opinions", headers=await system.auth(who))
        assert [o["id"] for o in listed.json()] == [one["id"], two["id"]], who
    assert (await system.intake.get(f"/api/v1/projects/{pid}/expert-opinions",
                                    headers=await system.auth("expert.jx1"))).status_code == 404

    # No round while an opinion waits for its answer: the refusal names them.
    waiting = await submit_report(system, pid, filer)
    assert waiting.status_code == 409 and waiting.json()["code"] == "expert_opinion.unanswered", waiting.text
    assert waiting.json()["unanswered_opinion_ids"] == [one["id"], two["id"]]
    assert one["expert_name"] in waiting.json()["detail"]

    # Only the assessor (here the filer: self-assessed) records the answer, with If-Match.
    for who in ("jx.reviewer", first.username):
        denied = await _adopt(system, pid, one, who, "adopted")
        assert denied.status_code == 403 and denied.json()["code"] == "expert_opinion.adoption_forbidden"
    no_etag = await system.intake.put(f"/api/v1/projects/{pid}/expert-opinions/{one['id']}/adoption",
                                      json={"adoption": "adopted", "reason": "已采纳"}, headers=await system.auth(filer))
    assert no_etag.status_code == 428
    answered = await _adopt(system, pid, one, filer, "adopted")
    assert answered.status_code == 200, answered.text
    assert (answered.json()["adoption_label"], answered.json()["version"]) == ("采纳", 2)
    assert (await _adopt(system, pid, one, filer, "not_adopted", version=1)).status_code == 412

    still = await submit_report(system, pid, filer)
    assert still.status_code == 409 and still.json()["unanswered_opinion_ids"] == [two["id"]]
    assert (await _adopt(system, pid, two, filer, "partly_adopted")).status_code == 200
    submitted = await submit_report(system, pid, filer)
    assert submitted.status_code == 201, submitted.text

    # Round 1 answered them: their answers stand; a new opinion waits for round 2.
    late = await _adopt(system, pid, one, filer, "not_adopted", version=2)
    assert late.status_code == 409 and late.json()["code"] == "expert_opinion.already_answered"
    later = (await _opinion(system, pid, second.username, "整改时请补充维稳预案演练记录")).json()
    assert later["answered_by_round"] == 2

    ledger = (await system.intake.get(f"/api/v1/projects/{pid}/ledger", headers=await system.auth(filer))).json()
    actions = Counter(e["action"] for e in ledger["items"])
    assert (actions["expert_drawn"], actions["expert_opinion"], actions["expert_opinion_adoption"]) == (2, 3, 2)


def _figures(rows: list[tuple[str, str | None]]) -> dict[str, Any]:
    """By hand: opinions, answered, each state and both rates of (group key, adoption) rows."""
    states = Counter(state for _, state in rows)
    answered = len(rows) - states[None]
    return {
        "opinions": len(rows), "answered": answered, "adopted": states["adopted"],
        "partly_adopted": states["partly_adopted"], "not_adopted": states["not_adopted"],
        "adoption_rate": round((states["adopted"] + states["partly_adopted"]) / answered, 4) if answered else None,
        "full_adoption_rate": round(states["adopted"] / answered, 4) if answered else None,
    }


async def test_adoption_rates_per_expert_project_and_region(system: WenpingSystem) -> None:
    filer = "tx.filer"  # 桐乡 (330483): no other test makes expert opinions there
    await expert_accounts(system, 3, "transport")
    plan = {  # project -> the adoption of each opinion of its first and second expert
        "a": (["adopted", "adopted", "not_adopted"], ["partly_adopted"]),
        "b": (["adopted"], [None]),
    }
    made: list[tuple[str, str, str | None]] = []  # (expert id, project id, adoption)
    for key in plan:
        project = await assessing_project(system, filer)
        experts = chosen(await draw(system, project["id"], "transport", 2))
        for expert, adoptions in zip(experts, plan[key], strict=True):
            for adoption in adoptions:
                opinion = (await _opinion(system, project["id"], expert.username)).json()
                if adoption is not None:
                    assert (await _adopt(system, project["id"], opinion, filer, adoption)).status_code == 200
                made.append((expert.expert_id, project["id"], adoption))

    stats = (await system.intake.get("/api/v1/stats/expert-opinions", headers=await system.auth(filer))).json()
    figures = {group: {row.pop("key"): row for row in stats[group]} for group in ("by_expert", "by_project", "by_region")}
    for expert_id in {e for e, _, _ in made}:
        assert {k: v for k, v in figures["by_expert"][expert_id].items() if k != "name"} == \
            _figures([(e, a) for e, _, a in made if e == expert_id])
    for project_id in {p for _, p, _ in made}:
        assert {k: v for k, v in figures["by_project"][project_id].items() if k != "name"} == \
            _figures([(p, a) for _, p, a in made if p == project_id])
    region = {k: v for k, v in figures["by_region"]["330483"].items() if k != "name"}
    assert region == _figures([("330483", a) for _, _, a in made])
    assert (region["opinions"], region["answered"], region["adoption_rate"], region["full_adoption_rate"]) == (6, 5, 0.8, 0.6)

    # Another unit's filer sees none of these projects, so none of their figures.
    other = (await system.intake.get("/api/v1/stats/expert-opinions", headers=await system.auth("js.zjj.filer"))).json()
    assert "330483" not in {row["key"] for row in other["by_region"]}


async def test_drawn_expert_reads_the_projects_sub_resources_until_declining(system: WenpingSystem) -> None:
    """A drawn expert reads what anyone who sees the project reads (report rounds, the report's
    file, tracking, ledger); not another project's; nothing once they declined."""
    await expert_accounts(system, 2, "environment")
    filer = "jx.fgw.filer"
    project, other = [await assessing_project(system, filer) for _ in range(2)]
    drawn = await draw(system, project["id"], "environment", 1)
    [expert] = chosen(drawn)
    files: dict[str, str] = {}
    for p in (project, other):
        submitted = await submit_report(system, p["id"], filer)
        assert submitted.status_code == 201, submitted.text
        files[p["id"]] = submitted.json()["document_file_id"]

    def routes(pid: str) -> list[str]:
        return [f"/api/v1/projects/{pid}/reports", f"/api/v1/projects/{pid}/reports/1", f"/api/v1/files/{files[pid]}",
                f"/api/v1/files/{files[pid]}/content", f"/api/v1/projects/{pid}/tracking",
                f"/api/v1/projects/{pid}/incidents", f"/api/v1/projects/{pid}/ledger"]

    async def statuses(pid: str) -> list[int]:
        headers = await system.auth(expert.username)
        return [(await system.intake.get(route, headers=headers)).status_code for route in routes(pid)]

    assert await statuses(project["id"]) == [200] * 7
    assert await statuses(other["id"]) == [404] * 7

    declined = await system.registry.post(f"/api/v1/expert-draws/{drawn['id']}/declines",
                                          json={"reason": "与项目单位有合作关系，申请回避"},
                                          headers=await system.auth(expert.username))
    assert declined.status_code == 201, declined.text
    await system.drain_outboxes()
    assert await statuses(project["id"]) == [404] * 7
