"""Worked example of inspections and accountability against running services (``make run``, or any ports):

    .venv/bin/python tests/oversight/inspections_example.py [registry_url intake_url]

The 嘉兴 stability office inspects the seeded old-town renewal project (four checks, two problems),
the unit is reminded, reports, is sent back once, reports again and is accepted; a circular of the
month is issued and its .docx fetched; a project filed as already built is proposed as a ground and
an accountability action is recorded on it (names for supervisors only); the ledger and the appraisal
show it all. Prints a transcript (docs/oversight.md holds one). Not a test: it changes the data of
the services it talks to. The sibling of worked_example.py (targets and appraisal)."""

import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import httpx
from docx import Document
from example_kit import INT, auth, say

TODAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


sup, filer, reviewer = auth("jx.supervisor"), auth("jx.zjj.filer"), auth("jx.reviewer")
old_town = httpx.get(f"{INT}/api/v1/projects", params={"q": "老旧片区城市更新", "limit": 5}, headers=sup).json()["items"][0]
say(f"project: {old_town['number']} {old_town['title']} ({old_town['status']}, {old_town['responsible_org_name']})")

say("\n$ POST /api/v1/inspections  (jx.supervisor)")
checks = [
    {"check": "procedure", "finding": "台账中缺少风险评估公示材料", "problem": True,
     "requirement": "补齐公示材料，按规定重新公示不少于 7 日", "deadline": days(-2)},
    {"check": "implementation", "finding": "补偿安置方案已公示，分户结果送达 312 户"},
    {"check": "quality", "finding": "复核申请 9 件均在办理，未发生群体性事件"},
    {"check": "closure", "finding": "帮扶专班尚未建立工作台账", "problem": True,
     "requirement": "建立逐户帮扶台账并报维稳办", "deadline": days(10)},
]
body = {"project_id": old_town["id"], "inspected_on": days(-15), "inspectors": ["李明", "王芳"], "checks": checks}
r = httpx.post(f"{INT}/api/v1/inspections", json=body, headers=auth("jx.fgw.filer"))
say(f"  as a filer -> {r.status_code} {r.json()['code']}: {r.json()['detail']}")
r = httpx.post(f"{INT}/api/v1/inspections", json={**body, "checks": checks[:3]}, headers=sup)
say(f"  three checks -> {r.status_code} {r.json()['code']}: {r.json()['detail']}")
r = httpx.post(f"{INT}/api/v1/inspections", json=body, headers=sup)
inspection = r.json()
say(f"  -> {r.status_code} open_rectifications={inspection['open_rectifications']}")
for f in inspection["findings"]:
    state = f"{f['state']}（{f['state_label']}） deadline {f['deadline']} overdue={f['overdue']}" if f["problem"] else "no problem"
    say(f"    {f['check_label']:<10} {f['finding']}  [{state}]")
late = next(f for f in inspection["findings"] if f["check"] == "procedure")
soon = next(f for f in inspection["findings"] if f["check"] == "closure")

say("\n$ GET /api/v1/reminders?kind=rectification_deadline&within_days=14  (jx.zjj.filer, the inspected unit)")
for rem in httpx.get(f"{INT}/api/v1/reminders", params={"kind": "rectification_deadline", "within_days": 14},
                     headers=filer).json()["items"]:
    say(f"  {rem['due_date']} {rem['severity_label']:<6} days_left={rem['days_left']:>3} {rem['title']}")


def act(finding: dict, action: str, who: dict, payload: dict, version: int | None = None) -> httpx.Response:
    etag = f'"{version if version is not None else finding["version"]}"'
    return httpx.post(f"{INT}/api/v1/inspections/findings/{finding['id']}/{action}", json=payload,
                      headers={**who, "If-Match": etag})


say("\n$ rectification of the procedure finding (If-Match: the finding's version)")
r = act(late, "accept", sup, {})
say(f"  accept before a report -> {r.status_code} {r.json()['code']}: {r.json()['detail']}")
r = act(late, "report", filer, {"report": "已补齐公示材料，9 月 3 日至 9 月 10 日重新公示"})
say(f"  report (jx.zjj.filer) -> {r.status_code} {r.json()['state_label']}")
r = act(late, "return", sup, {"note": "公示照片不清晰，请补充现场照片", "deadline": days(5)}, r.json()["version"])
say(f"  return (jx.supervisor) -> {r.status_code} {r.json()['state_label']}, new deadline {r.json()['deadline']}: {r.json()['decision_note']}")
r = act(late, "report", filer, {"report": "已补充公示现场照片 6 张"}, r.json()["version"])
say(f"  report again -> {r.status_code} {r.json()['state_label']}")
r = act(late, "accept", sup, {"note": "整改到位，予以销号"}, r.json()["version"])
say(f"  accept -> {r.status_code} {r.json()['state_label']}")
r = act(late, "accept", sup, {}, 1)
say(f"  accept with a stale If-Match -> {r.status_code} {r.json()['code']}")

say("\n$ POST /api/v1/inspections/circulars  (the month's problems)")
cbody = {"period_start": days(-30), "period_end": days(0), "issuing_office": "嘉兴市委政法委", "number_prefix": "嘉政法督"}
r = httpx.post(f"{INT}/api/v1/inspections/circulars", json=cbody, headers=sup)
circular = r.json()
say(f"  -> {r.status_code} {circular['document_number']} 《{circular['title']}》")
say(f"     to: {'、'.join(a['org_name'] or a['org_id'] for a in circular['addressees'])}; findings: "
    + "; ".join(f"{f['project_number']} {f['check_label']} {f['state_label']}" for f in circular["findings"]))
d = httpx.get(f"{INT}/api/v1/inspections/circulars/{circular['id']}/circular.docx", headers=filer)
doc = Document(io.BytesIO(d.content))
say(f"$ GET .../circulars/{{id}}/circular.docx (jx.zjj.filer) -> {d.status_code} {len(d.content)} bytes, {d.headers['content-disposition']}")
for p in [p for p in doc.paragraphs if p.text.strip()][:9]:
    say(f"     | {p.text}")
say(f"     | 版记: {' / '.join(c.text for c in doc.tables[0].rows[-1].cells)}")

say("\n$ a project filed as already built (js.zjj.filer), then GET /api/v1/accountability/grounds?year=2026")
js = auth("js.zjj.filer")
p = httpx.post(f"{INT}/api/v1/projects", headers=js, json={
    "title": f"嘉善县某镇农贸市场改建工程-{uuid.uuid4().hex[:4]}", "category": "project", "sub_kind": "other",
    "initiation": "initiation", "interests": ["employment"], "already_implemented": True}).json()
httpx.post(f"{INT}/api/v1/projects/{p['id']}/transitions", json={"action": "file"},
           headers={**js, "If-Match": f'"{p["version"]}"'}).raise_for_status()
grounds = httpx.get(f"{INT}/api/v1/accountability/grounds", params={"year": TODAY.year, "region_code": "330400"}, headers=sup).json()
say(f"  {len(grounds['items'])} grounds (margin {grounds['margin_days']} days), e.g.:")
shown: set[str] = set()
for g in grounds["items"]:
    if g["ground"] in shown and g["project_id"] != p["id"]:
        continue
    shown.add(g["ground"])
    say(f"    {g['ground_label']:<16} {g['project_number']} {g['org_name']}: {g['detail']}  (actions {g['actions']})")
r = httpx.get(f"{INT}/api/v1/accountability/grounds", params={"year": TODAY.year}, headers=js)
say(f"  as a filer -> {r.status_code} {r.json()['code']}")

say("\n$ POST /api/v1/accountability  (jx.supervisor)")
abody = {"project_id": p["id"], "kind": "accountability", "ground": "built_before_assessed", "decided_on": days(0),
         "description": "农贸市场改建未经社会稳定风险评估先行施工，对相关责任人问责", "officials_count": 2,
         "officials_level": "section", "official_names": ["张某某", "刘某某"]}
r = httpx.post(f"{INT}/api/v1/accountability", json={**abody, "ground": "deadline_missed"}, headers=sup)
say(f"  on a ground that does not hold -> {r.status_code} {r.json()['code']}: {r.json()['detail']}")
r = httpx.post(f"{INT}/api/v1/accountability", json=abody, headers=sup)
action = r.json()
say(f"  -> {r.status_code} {action['kind_label']} / {action['ground_label']} / {action['officials_count']} 人 {action['officials_level_label']} / names {action['official_names']}")
r = httpx.post(f"{INT}/api/v1/accountability", headers=sup, json={
    "project_id": old_town["id"], "kind": "interview", "ground": "finding_not_rectified", "ground_ref": soon["id"],
    "decided_on": days(0), "description": "约谈南湖区住建部门负责人，督促建立帮扶台账"})
say(f"  约谈 on the open closure finding -> {r.status_code} {r.json()['kind_label']} / {r.json()['ground_label']}")
for who, headers in (("jx.reviewer", reviewer), ("js.zjj.filer", js), ("zj.admin", auth("zj.admin"))):
    a = httpx.get(f"{INT}/api/v1/accountability/{action['id']}", headers=headers).json()
    say(f"  GET as {who:<12} -> officials_count {a['officials_count']}, names {a['official_names']}")

say(f"\n$ GET /api/v1/projects/{{id}}/ledger?verify=true  ({old_town['number']}, the last entries)")
ledger = httpx.get(f"{INT}/api/v1/projects/{old_town['id']}/ledger", params={"verify": "true"}, headers=sup).json()
for e in ledger["items"][-7:]:
    say(f"  #{e['seq']} {e['action']:<24} by {e['actor_name'] or e['actor_subject']}")
say(f"  verified={ledger['verified']}")

a = httpx.get(f"{INT}/api/v1/appraisals", params={"year": 2026, "region_code": "330400"}, headers=sup).json()
say("\n$ GET /api/v1/appraisals?year=2026&region_code=330400  (the penalty parts)")
for row in a["organizations"]:
    parts = {x["indicator"]: x for x in row["parts"]}
    o, ac = parts["open_rectifications"], parts["accountability_actions"]
    if o["numerator"] or ac["numerator"]:
        say(f"  {row['name']}: open_rectifications x{o['numerator']} {o['points']:g} {[x['number'] for x in o['projects']]}, "
            f"accountability_actions x{ac['numerator']} {ac['points']:g} {[x['number'] for x in ac['projects']]}")
