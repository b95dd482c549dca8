"""Worked example of targets and appraisal against running services (``make run``, or any ports):

    .venv/bin/python tests/oversight/worked_example.py [registry_url intake_url]

Sets 2026 targets for 嘉兴, imports a decomposition table (first with a bad row), reads the
targets board and the appraisal table, publishes a 嘉兴 scheme version and reads it again, and
fetches the printable xlsx. Prints a transcript (docs/oversight.md holds one). Not a test: it
changes the data of the services it talks to."""

import io
import json

import httpx
from example_kit import INT, REG, auth, say
from openpyxl import load_workbook

sup = auth("jx.supervisor")
orgs = httpx.get(f"{REG}/api/v1/organizations", params={"limit": 200}, headers=sup).json()["items"]
by_name = {o["name"]: o["id"] for o in orgs}
zjj, fgw = by_name["嘉兴市住房和城乡建设局"], by_name["嘉兴市发展和改革委员会"]
say("$ POST /api/v1/targets  (jx.supervisor)")
for body in ({"year": 2026, "org_id": zjj, "target_count": 3},
             {"year": 2026, "org_id": fgw, "category": "policy", "target_count": 1},
             {"year": 2026, "region_code": "330400", "target_count": 4}):
    r = httpx.post(f"{INT}/api/v1/targets", json=body, headers=sup)
    t = r.json()
    say(f"  {json.dumps(body, ensure_ascii=False)} -> {r.status_code} completed={t['completed']} remaining={t['remaining']} met={t['met']}")
r = httpx.post(f"{INT}/api/v1/targets", json={"year": 2026, "region_code": "620700", "target_count": 1}, headers=sup)
say(f"  outside the subtree (620700) -> {r.status_code} {r.json()['code']}: {r.json()['detail']}")
r = httpx.post(f"{INT}/api/v1/targets", json={"year": 2026, "region_code": "330400", "target_count": 1}, headers=auth("jx.fgw.filer"))
say(f"  as a filer -> {r.status_code} {r.json()['code']}: {r.json()['detail']}")

say("\n$ GET /api/v1/targets/template.xlsx, filled in, POST /api/v1/targets/import")
tpl = httpx.get(f"{INT}/api/v1/targets/template.xlsx", params={"year": 2026}, headers=sup)
book = load_workbook(io.BytesIO(tpl.content))
sheet = book["目标分解表"]
sheet.delete_rows(2)
sheet.append([2026, "330421", None, None, None, 2])
sheet.append([2026, "330483", None, None, "project", "两"])
buf = io.BytesIO()
book.save(buf)
r = httpx.post(f"{INT}/api/v1/targets/import", files={"file": ("分解表.xlsx", buf.getvalue())}, headers=sup)
say(f"  with a bad row -> {r.status_code} {r.json()['code']}: {r.json()['detail']}; errors={[(e['loc'], e['msg']) for e in r.json()['errors']]}")
sheet.cell(3, 6).value = 2
buf = io.BytesIO()
book.save(buf)
r = httpx.post(f"{INT}/api/v1/targets/import", files={"file": ("分解表.xlsx", buf.getvalue())}, headers=sup)
say(f"  corrected -> {r.status_code} created={r.json()['created']} replaced={r.json()['replaced']}")

say("\n$ GET /api/v1/targets?year=2026  (jx.supervisor)")
for t in httpx.get(f"{INT}/api/v1/targets", params={"year": 2026}, headers=sup).json()["items"]:
    say(f"  {t['org_name'] or t['region_code']:<14} {t['category_label'] or '全部类别':<8} 目标 {t['target_count']}  完成 {t['completed']}  {'达成' if t['met'] else '未达成'}")

def table(title: str) -> dict:
    a = httpx.get(f"{INT}/api/v1/appraisals", params={"year": 2026, "region_code": "330400"}, headers=sup).json()
    say(f"\n$ GET /api/v1/appraisals?year=2026&region_code=330400  ({title}; scheme {a['scheme']['region_code']}.v{a['scheme']['version']})")
    for kind in ("organizations", "regions"):
        for row in a[kind]:
            parts = " ".join(f"{p['indicator']}={p['points']:g}" + (f"({p['numerator']}/{p['denominator']})" if p['denominator'] is not None else f"(x{p['numerator']})") for p in row["parts"])
            say(f"  #{row['rank']} {row['name'] or row['id']:<14} {row['score']:>6} {row['grade_label']}  v{row['scheme_version']}  {parts}")
    return a
a = table("built-in scheme")
org = a["organizations"][0]
cov = next(p for p in org["parts"] if p["indicator"] == "on_time")
say(f"  drill-down of {org['name']} on_time: {[(p['number'], p['counted']) for p in cov['projects']]}")

scheme = {"weights": {"coverage": 30, "targets": 30, "on_time": 20, "first_pass": 10, "effect_evaluation": 10},
          "penalties": {"reassessment_returns": 2, "built_before_assessed": 10, "open_rectifications": 2, "accountability_actions": 5},
          "grades": {"excellent": 90, "good": 80, "passed": 60}, "note": "2026 年嘉兴方案：应评尽评与目标并重"}
r = httpx.post(f"{INT}/api/v1/appraisals/schemes/330400", json=scheme, headers=sup)
say(f"\n$ POST /api/v1/appraisals/schemes/330400 -> {r.status_code} version {r.json()['version']}")
table("after the 嘉兴 scheme v1")
x = httpx.get(f"{INT}/api/v1/appraisals/export.xlsx", params={"year": 2026, "region_code": "330400"}, headers=sup)
wb = load_workbook(io.BytesIO(x.content))
say(f"\n$ GET /api/v1/appraisals/export.xlsx -> {x.status_code} {len(x.content)} bytes, sheets {wb.sheetnames}, "
    f"{wb['单位排名'].page_setup.orientation} A4, print titles {wb['单位排名'].print_title_rows}")
