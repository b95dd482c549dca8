"""GET /api/v1/appraisals: a small year recomputed by hand, to the point; drill-down, ranking,
the versioned scheme recorded with every result, the printable xlsx, and who may see what."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook
from oversight_kit import JS_ZJJ, TX_ZRZY, Spec, set_target, year_of_projects
from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_intake.targets.models import OversightChange

YEAR = 2011
OK, REASSESS = "approved", "returned_for_reassessment"


async def _appraise(system: WenpingSystem, user: str = "jx.supervisor", expect: int = 200, **params: Any) -> dict[str, Any]:
    response = await system.intake.get("/api/v1/appraisals", params=params, headers=await system.auth(user))
    assert response.status_code == expect, response.text
    return dict(response.json())


def _parts(row: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {p["indicator"]: (p["numerator"], p["denominator"], p["points"]) for p in row["parts"]}


async def _small_year(system: WenpingSystem) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """嘉善县住建局 (A, 330421) and 桐乡市自规局 (B, 330483) in 2011, with three targets."""
    a = await year_of_projects(system, "js.zjj.filer", YEAR, [
        # a1: listed, approved first time on 3 March, before its 1 April deadline.
        Spec(status="approved", deadline=dt.date(YEAR, 4, 1), verdicts=[(OK, dt.date(YEAR, 3, 1))]),
        # a2: listed, still being assessed.
        Spec(status="assessing"),
        # a3: filed ad hoc after it was already built (未评先建); sent back for reassessment once,
        # approved on 10 June, nine days past its deadline; now in tracking, not yet evaluated.
        Spec(listed=False, status="tracking", deadline=dt.date(YEAR, 6, 1), already_implemented=True,
             verdicts=[(REASSESS, dt.date(YEAR, 5, 1)), (OK, dt.date(YEAR, 6, 10))]),
    ])
    b = await year_of_projects(system, "tx.filer", YEAR, [
        # b1: listed, approved first time on its deadline day, evaluated.
        Spec(status="evaluated", deadline=dt.date(YEAR, 5, 1), verdicts=[(OK, dt.date(YEAR, 5, 1))], evaluated=True),
    ])
    await set_target(system, year=YEAR, org_id=JS_ZJJ, target_count=2)  # a1, a3 approved: met
    await set_target(system, year=YEAR, org_id=TX_ZRZY, target_count=3)  # b1 only: not met
    await set_target(system, year=YEAR, region_code="330421", target_count=1)  # met
    return a, b


async def test_a_small_year_recomputed_by_hand(system: WenpingSystem) -> None:
    a, _ = await _small_year(system)
    table = await _appraise(system, year=YEAR, region_code="330400")
    # Nobody set a scheme for 嘉兴 or 浙江: the built-in one, version 0, on the table and on every row.
    assert (table["scheme"]["region_code"], table["scheme"]["version"]) == ("000000", 0)
    orgs = {row["id"]: row for row in table["organizations"]}
    assert set(orgs) == {JS_ZJJ, TX_ZRZY}

    # A, by hand (weights 25/20/20/20/15; 2 per reassessment, 5 per 未评先建):
    # coverage a1 of a1,a2 = 1/2 → 12.5; targets 1/1 → 20; on time a1 of a1,a3 → 10;
    # first pass a1 of a1,a3 → 10; evaluated 0 of a3 → 0; −2 (a3 reassessed once); −5 (a3 built first) = 45.5.
    assert _parts(orgs[JS_ZJJ]) == {
        "coverage": (1, 2, 12.5), "targets": (1, 1, 20), "on_time": (1, 2, 10), "first_pass": (1, 2, 10),
        "effect_evaluation": (0, 1, 0), "reassessment_returns": (1, None, -2), "built_before_assessed": (1, None, -5),
        "open_rectifications": (0, None, 0), "accountability_actions": (0, None, 0), "incidents": (0, None, 0),
    }
    assert (orgs[JS_ZJJ]["score"], orgs[JS_ZJJ]["grade"], orgs[JS_ZJJ]["grade_label"]) == (45.5, "fail", "不合格")
    # B: coverage 1/1 → 25; targets 0/1 → 0; on time 1/1 → 20; first pass 1/1 → 20; evaluated 1/1 → 15 = 80.
    assert (orgs[TX_ZRZY]["score"], orgs[TX_ZRZY]["grade"]) == (80, "good")
    assert [(r["id"], r["rank"]) for r in table["organizations"]] == [(TX_ZRZY, 1), (JS_ZJJ, 2)]

    # Regions: 嘉兴 covers all four (no target of its own: full 20):
    # coverage 2/3 → 16.67; on time 2/3 → 13.33; first pass 2/3 → 13.33; evaluated 1/2 → 7.5; −7 = 63.83.
    regions = {row["id"]: row for row in table["regions"]}
    assert _parts(regions["330400"])["coverage"] == (2, 3, 16.67)
    assert regions["330400"]["score"] == 63.83 and regions["330400"]["grade"] == "pass"
    assert regions["330421"]["score"] == 45.5  # A's projects and the county's own target (met)
    assert regions["330483"]["score"] == 100 and regions["330483"]["grade"] == "excellent"
    # Regions are ranked against their own level: the city alone, then its counties.
    assert [(r["id"], r["rank"]) for r in table["regions"]] == [("330400", 1), ("330483", 1), ("330421", 2)]
    assert _parts(regions["330483"])["built_before_assessed"] == (0, None, 0) and str(_parts(regions["330483"])["built_before_assessed"][2]) == "0.0"
    assert {(r["scheme_region_code"], r["scheme_version"]) for r in [*table["organizations"], *table["regions"]]} == {("000000", 0)}

    # Drill-down: the projects behind each part, counted or not.
    coverage = next(p for p in orgs[JS_ZJJ]["parts"] if p["indicator"] == "coverage")
    assert [(p["number"], p["counted"]) for p in coverage["projects"]] == [(a[0]["number"], True), (a[1]["number"], False)]
    built = next(p for p in orgs[JS_ZJJ]["parts"] if p["indicator"] == "built_before_assessed")
    assert [p["number"] for p in built["projects"]] == [a[2]["number"]]
    targets = next(p for p in orgs[TX_ZRZY]["parts"] if p["indicator"] == "targets")
    assert len(targets["targets"]) == 1 and targets["rate"] == 0

    # A county's supervisor view is its own subtree only; another city's region is refused.
    county = await _appraise(system, year=YEAR, region_code="330421")
    assert [r["id"] for r in county["organizations"]] == [JS_ZJJ]
    refused = await _appraise(system, expect=403, year=YEAR, region_code="620700")
    assert refused["code"] == "oversight.outside_subtree"
    filer = await _appraise(system, "js.zjj.filer", expect=403, year=YEAR)
    assert filer["code"] == "oversight.reader_only"

    # The printable workbook: the same ranking, A4 landscape, fitted to the page width, header repeated.
    response = await system.intake.get("/api/v1/appraisals/export.xlsx", params={"year": YEAR, "region_code": "330400"},
                                       headers=await system.auth("jx.supervisor"))
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["单位排名", "区划排名", "得分明细"]
    sheet = book["单位排名"]
    assert [sheet.cell(r, 4).value for r in (2, 3)] == [80, 45.5]
    assert sheet.cell(3, 2).value == "嘉善县住房和城乡建设局"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$1" and "2011 年度稳评工作考核" in sheet.oddHeader.center.text


async def test_a_new_scheme_version_changes_scores_and_is_recorded(system: WenpingSystem) -> None:
    year = 2005  # a year of its own: test_inspections works in 2014 in the same region
    await year_of_projects(system, "js.zjj.filer", year, [
        Spec(status="approved", deadline=dt.date(year, 4, 1), verdicts=[(OK, dt.date(year, 5, 1))]),  # late
    ])
    before = await _appraise(system, year=year, region_code="330421")
    assert before["organizations"][0]["score"] == 80  # on time 0/1 → 0 of 20

    scheme = {
        "weights": {"coverage": 10, "targets": 10, "on_time": 60, "first_pass": 10, "effect_evaluation": 10},
        "penalties": {"reassessment_returns": 1, "built_before_assessed": 10, "open_rectifications": 1, "accountability_actions": 1},
        "grades": {"excellent": 95, "good": 85, "passed": 70},
        "note": "按时完成权重提高",
    }
    response = await system.intake.post("/api/v1/appraisals/schemes/330421", json=scheme, headers=await system.auth("jx.supervisor"))
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 1
    after = await _appraise(system, year=year, region_code="330421")
    row = after["organizations"][0]
    assert (row["score"], row["grade"], row["scheme_region_code"], row["scheme_version"]) == (40, "fail", "330421", 1)
    second = await system.intake.post("/api/v1/appraisals/schemes/330421", json=scheme, headers=await system.auth("jx.supervisor"))
    assert second.json()["version"] == 2
    current = await system.intake.get("/api/v1/appraisals/schemes/330421", headers=await system.auth("jx.reviewer"))
    assert current.json()["version"] == 2
    async with system.apps["intake"].state.sessionmaker() as session:
        audit = (await session.exec(select(OversightChange).where(col(OversightChange.area) == "appraisal_scheme"))).all()
    assert {c.object_id for c in audit} >= {"330421.v1", "330421.v2"}

    bad = {**scheme, "weights": {**scheme["weights"], "on_time": 50}}
    refused = await system.intake.post("/api/v1/appraisals/schemes/330421", json=bad, headers=await system.auth("jx.supervisor"))
    assert refused.status_code == 422 and "100" in refused.text
    not_supervisor = await system.intake.post("/api/v1/appraisals/schemes/330421", json=scheme, headers=await system.auth("jx.reviewer"))
    assert (not_supervisor.status_code, not_supervisor.json()["code"]) == (403, "oversight.supervisor_only")
