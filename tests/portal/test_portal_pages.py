"""The portal in process against the real apps: sign-in, sessions, CSRF, each role's pages, a peer down."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from markupsafe import escape
from portal_kit import AGENCY, COOKIE, Browser, commissioned_project, submitted_review

from wenping_shared.demo import org_id


async def test_root_is_the_sign_in_page_with_a_strict_httponly_cookie(browser: Browser) -> None:
    response = await browser.get("/")
    assert response.status_code == 200
    assert "登录稳评平台" in response.text and 'lang="zh-CN"' in response.text
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "cdn" not in response.text.lower() and "https://" not in response.text


async def test_wrong_password_is_refused_in_chinese(browser: Browser) -> None:
    response = await browser.sign_in("jx.fgw.filer", "not-the-password")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.text
    assert (await browser.get("/projects")).url.path == "/"  # still signed out


async def test_the_token_stays_on_the_server(person: Any, system: Any) -> None:
    filer = await person("jx.fgw.filer")
    page = await filer.get("/projects")
    assert page.status_code == 200 and "我的项目" in page.text
    token = await system.token("jx.fgw.filer")
    header = token.split(".")[0]  # every ES256 token of the registry starts with the same header
    assert header not in page.text
    cookie = filer.client.cookies.get(COOKIE)
    assert cookie and header not in cookie and len(cookie) < 200


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(person: Any) -> None:
    filer = await person("jx.fgw.filer")
    title = f"未带令牌的报备-{dt.datetime.now().timestamp()}"
    response = await filer.client.post("/projects/new", data={"title": title, "category": "policy"})
    assert response.status_code == 403 and "表单已失效" in response.text
    forged = await filer.client.post("/projects/new", data={"title": title, "category": "policy", "csrf_token": "forged"})
    assert forged.status_code == 403
    listing = await filer.get("/projects", params={"q": title})
    assert "没有符合条件的项目" in listing.text


async def test_filer_files_a_project_and_sees_only_the_allowed_actions(person: Any) -> None:
    filer = await person("jx.fgw.filer")
    await filer.get("/projects/new")
    title = f"嘉兴市公交票价调整-{dt.datetime.now().timestamp()}"
    created = await filer.post("/projects/new", {
        "title": title, "category": "policy", "initiation": "initiation", "filing_batch": "ad_hoc",
        "interests": "pricing", "affected_population": "120000",
        "planned_decision_date": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
        "deadline": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
    })
    assert created.status_code == 200 and title in created.text
    assert "草稿" in created.text and 'value="file"' in created.text
    assert 'value="close"' not in created.text  # not allowed now, so not shown
    project_path = created.url.path
    filed = await filer.post(project_path + "/transitions", {"action": "file"})
    assert "已报备" in filed.text and 'value="start_assessment"' in filed.text
    assert "报备" in filed.text and "电子台账" in filed.text
    # A filing the API refuses comes back to the form with its Chinese reason.
    refused = await filer.post("/projects/new", {"title": "缺少子类", "category": "project"})
    assert refused.status_code == 200 and "工程子类" in refused.text


async def test_each_role_starts_on_its_own_page_and_is_kept_out_of_others(person: Any) -> None:
    starts = {
        "jx.fgw.filer": ("/projects", "我的项目"),
        "agency.jx": ("/projects", "受托项目"),
        "jx.reviewer": ("/reviews", "审查队列"),
        "jx.supervisor": ("/dashboard", "工作台"),
        "zj.admin": ("/admin/experts", "专家库"),
    }
    for username, (path, heading) in starts.items():
        browser = await person(username)
        home = await browser.get("/")
        assert home.url.path == path and heading in home.text, username
    filer = await person("jx.fgw.filer")
    assert (await filer.get("/reviews")).status_code == 403
    assert (await filer.get("/admin/users")).status_code == 403
    assert "审查队列" not in (await filer.get("/projects")).text


async def test_supervisor_dashboard_has_server_drawn_charts(person: Any) -> None:
    supervisor = await person("jx.supervisor")
    page = await supervisor.get("/dashboard")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 5 and "按时完成率" in page.text and "退回原因" in page.text
    # Region codes with their names; the year's appraisal and the inspections, where the platform has them.
    assert re.search(r"嘉兴市 <span class=\"muted\">330400</span>", page.text), page.text[-3000:]
    assert 'id="appraisal"' in page.text and "年度考核" in page.text and "等次" in page.text
    assert 'id="inspections"' in page.text and "督查与整改" in page.text
    assert 'id="risk-board"' in page.text and "风险监测看板" in page.text and "否决预警" in page.text
    assert (await supervisor.get("/reminders")).status_code == 200
    assert (await supervisor.get("/decision-lists")).status_code == 200


async def test_admin_pages(person: Any) -> None:
    admin = await person("zj.admin")
    experts = await admin.get("/admin/experts")
    assert experts.status_code == 200 and "导出 Excel" in experts.text
    assert '嘉兴市 <span class="muted">330400</span>' in experts.text  # region codes with their names
    export = await admin.client.get("/admin/experts/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    for path in ("/admin/agencies", "/admin/users", "/admin/draws"):
        assert (await admin.get(path)).status_code == 200, path
    agency_link = re.search(r'href="(/admin/agencies/[^"]+)"', (await admin.get("/admin/agencies")).text)
    assert agency_link and (await admin.get(agency_link.group(1))).status_code == 200


async def test_a_peer_down_gives_a_chinese_page_not_a_trace(person: Any, peer_down: Any) -> None:
    filer = await person("jx.fgw.filer")
    peer_down("intake")
    page = await filer.get("/projects")
    assert page.status_code == 503
    assert "受理服务暂时无法访问" in page.text and "Traceback" not in page.text


async def test_sign_out_ends_the_session(person: Any) -> None:
    filer = await person("jx.fgw.filer")
    await filer.get("/projects")
    old_cookie = filer.client.cookies.get(COOKIE)
    await filer.post("/sign-out")
    filer.client.cookies.set(COOKIE, old_cookie or "")
    assert (await filer.get("/projects")).url.path == "/"


async def test_reviewer_sees_45_items_by_category_and_judges_with_the_etag(person: Any, system: Any) -> None:
    project = await commissioned_project(system)
    review_id = await submitted_review(system, project)
    reviewer = await person("jx.reviewer")
    queue = await reviewer.get("/reviews")
    assert f"/reviews/{review_id}" in queue.text
    page = await reviewer.get(f"/reviews/{review_id}")
    assert page.status_code == 200, page.text[-3000:]
    assert page.text.count('class="item"') == 45
    assert "C06 意见征求（五必听）" in page.text and "依据：" in page.text and "反馈意见预览" in page.text
    # Only what needs reading: the items passed automatically are hidden.
    focused = await reviewer.get(f"/reviews/{review_id}", params={"show": "open"})
    shown = re.findall(r'<article class="item" id="item-([^"]+)"', focused.text)
    assert 0 < len(shown) < 45 and "显示全部 45 项" in focused.text and "C01.1" not in shown
    before = (await system.review.get(f"/api/v1/reviews/{review_id}", headers=await system.auth("jx.reviewer"))).json()
    assert before["pending_items"] and set(shown) >= set(before["pending_items"])
    judged = await reviewer.post(f"/reviews/{review_id}/items/C09.3", {"result": "fail", "comment": "措施缺少资金保障"})
    assert judged.status_code == 200 and "C09.3 已判定" in judged.text
    assert "措施缺少资金保障" in judged.text  # in the item and in the letter preview
    answer = (await system.review.get(f"/api/v1/reviews/{review_id}", headers=await system.auth("jx.reviewer"))).json()
    assert {i["code"]: i["result"] for i in answer["items"]}["C09.3"] == "fail"
    # Several at once: the ticked items get one judgement and comment, each by its own audited call.
    ticked = [c for c in answer["pending_items"]][:2]
    assert len(ticked) == 2 and 'form="bulk-judge"' in judged.text
    bulk = await reviewer.post(f"/reviews/{review_id}/items", {"codes": ticked, "result": "fail", "comment": "逐项补充佐证材料",
                                                               "scope": "selected"})
    assert f"已判定 2 项：{'、'.join(ticked)}" in bulk.text
    # Then every item still pending, each by its own suggestion.
    rest = await reviewer.post(f"/reviews/{review_id}/items", {"result": "suggested", "scope": "pending"})
    after = (await system.review.get(f"/api/v1/reviews/{review_id}", headers=await system.auth("jx.reviewer"))).json()
    items = {i["code"]: i for i in after["items"]}
    for code in ticked:
        assert items[code]["result"] == "fail" and items[code]["comment"] == "逐项补充佐证材料"
        assert items[code]["judged_by_name"]
    suggested = [c for c in answer["pending_items"][2:] if items[c].get("suggestion")]
    assert suggested and f"已判定 {len(suggested)} 项" in rest.text
    assert all(items[c]["result"] == items[c]["suggestion"] for c in suggested)
    assert set(after["pending_items"]) == {c for c in answer["pending_items"][2:] if not items[c].get("suggestion")}


async def test_a_malformed_form_gets_a_chinese_page(person: Any) -> None:
    filer = await person("jx.fgw.filer")
    await filer.get("/projects")
    answer = await filer.post("/projects/some-id/tracking", {"measure": "第一项", "progress_percent": "很多", "status": "x"})
    assert answer.status_code == 422
    assert "填写有误" in answer.text and "progress_percent" in answer.text


async def test_agency_drafts_a_report_by_section_and_precheck_flags_what_is_missing(
    person: Any, system: Any, portal_app: Any
) -> None:
    project = await commissioned_project(system)
    editor_path = f"/projects/{project['id']}/report"
    filer = await person("jx.fgw.filer")
    assert (await filer.get(editor_path)).status_code == 403  # commissioned: the agency writes it
    agency = await person("agency.jx")
    editor = await agency.get(editor_path)
    assert editor.status_code == 200
    assert "尚未保存草稿" in editor.text and project["title"] in editor.text  # started from the project's facts
    assert "JSON" not in editor.text and "<textarea id=\"content-" not in editor.text
    # Vocabularies are choices with their Chinese labels; lists of texts one line each.
    assert '<option value="questionnaire"' not in editor.text  # no consultation rows yet
    assert re.search(r'<select id="f-filing_form-risk_level" name="r.filing_form.risk_level">.*?>低</option>',
                     editor.text, re.S)
    # 添加一行 without a script: a round trip that saves what was typed and adds an empty row.
    row = {"r.consultations.0.group": "stakeholders", "r.consultations.0.method": "questionnaire",
           "r.consultations.0.date": "2026-03-12", "r.consultations.0.participants": "420",
           "r.consultations.0.support_rate": "0.86", "r.consultations.0.summary": "问卷调查"}
    added = await agency.post(f"{editor_path}/sections/consultations", {"add": "consultations"})
    assert added.status_code == 200 and 'id="row-consultations-0"' in added.text
    assert 'name="r.consultations.0.group"' in added.text and "意见征求 第 1 项" in added.text
    assert re.search(r'<option value="questionnaire"[^>]*>问卷调查</option>', added.text)
    # The empty row is no error: the precheck goes on without it.
    assert re.search(r'id="pre-C06\.1" data-result="fail"', added.text)
    saved = await agency.post(f"{editor_path}/sections/consultations", {**row, "add": "consultations.0.concerns"})
    assert 'name="r.consultations.0.concerns.0.text"' in saved.text
    assert "草稿最近由 agency.jx 保存" in saved.text and "问卷调查" in saved.text
    assert re.search(r'id="pre-C06\.5" data-result="fail"', saved.text)  # no experts heard
    assert re.search(r'id="pre-C06\.1" data-result="pass"', saved.text)
    draft = await portal_app.state.drafts.get(project["id"], org_id(AGENCY))
    assert draft.report["consultations"] == [{
        "group": "stakeholders", "method": "questionnaire", "date": "2026-03-12", "participants": 420,
        "support_rate": 0.86, "summary": "问卷调查", "concerns": [{}]}]
    # A value the contract refuses: the API's 422 is shown in Chinese beside the field it concerns.
    wrong = await agency.post(f"{editor_path}/sections/consultations",
                              {**row, "r.consultations.0.support_rate": "1.5", "r.consultations.0.concerns.0.text": "补偿"})
    assert 'id="f-consultations-0-support_rate" name="r.consultations.0.support_rate" value="1.5"' in wrong.text
    assert 'aria-invalid="true" aria-describedby="f-consultations-0-support_rate-error"' in wrong.text
    beside = re.search(r'<p class="field-error" id="f-consultations-0-support_rate-error">([^<]+)</p>', wrong.text)
    assert beside and re.search(r"[\u4e00-\u9fff]", beside.group(1)), wrong.text[-4000:]
    assert 'href="#f-consultations-0-support_rate"' in wrong.text  # and listed in the precheck panel
    # 删除 takes the row out.
    removed = await agency.post(f"{editor_path}/sections/consultations", {**row, "remove": "consultations.0.concerns.0"})
    assert 'name="r.consultations.0.concerns.0.text"' not in removed.text
    # The live precheck: the section as typed, not saved.
    live = await agency.post(f"{editor_path}/precheck", {"section": "consultations"})
    assert re.search(r'id="pre-C06\.1" data-result="fail"', live.text)
    again = await agency.get(editor_path)
    assert re.search(r'id="pre-C06\.1" data-result="pass"', again.text)  # the draft is unchanged
    # Fields of every kind land in the draft with their types.
    await agency.post(f"{editor_path}/sections/conclusion", {"r.conclusion.initial_level": "medium",
                                                             "r.conclusion.residual_level": "low",
                                                             "r.conclusion.recommendation": "implement_with_measures",
                                                             "r.conclusion.text": "结论"})
    await agency.post(f"{editor_path}/sections/overview", {
        "r.overview.category": "project", "r.overview.interests": ["demolition", "employment"],
        "r.overview.stakeholder_groups": "被征收居民、沿街商户，周边居民", "r.overview.investment_wan_yuan": "1250.5",
        "r.overview.affected_population": "3860", "add": "overview.prior_approvals"})
    draft = await portal_app.state.drafts.get(project["id"], org_id(AGENCY))
    assert draft.report["conclusion"] == {"initial_level": "medium", "residual_level": "low",
                                          "recommendation": "implement_with_measures", "text": "结论"}
    assert draft.report["overview"] == {
        "category": "project", "interests": ["demolition", "employment"], "investment_wan_yuan": 1250.5,
        "stakeholder_groups": ["被征收居民", "沿街商户", "周边居民"], "affected_population": 3860, "prior_approvals": [{}]}
    # A row button only ever names a list of records of the contract in its own section.
    for bogus in ({"add": "overview.category"}, {"add": "consultations"}, {"remove": "overview.interests.0"}):
        await agency.post(f"{editor_path}/sections/overview", {"r.overview.category": "project", **bogus})
    after = await portal_app.state.drafts.get(project["id"], org_id(AGENCY))
    assert after.report["overview"] == {"category": "project", "stakeholder_groups": [], "interests": [], "prior_approvals": []}
    assert after.report["consultations"] == draft.report["consultations"]


async def test_the_agency_picker_offers_only_agencies_that_may_take_the_project(person: Any, system: Any) -> None:
    filer = await person("jx.fgw.filer")
    await filer.get("/projects/new")
    created = await filer.post("/projects/new", {
        "title": f"机构资格-{dt.datetime.now().timestamp()}", "category": "policy", "interests": "pricing",
        "planned_decision_date": (dt.date.today() + dt.timedelta(days=90)).isoformat()})
    page = created.text
    picker = re.search(r'<select id="agency_id" name="agency_id">(.*?)</select>', page, re.S)
    assert picker, page[-3000:]
    offered = re.findall(r'<option value="([^"]+)"', picker.group(1))
    assert AGENCY in picker.group(1)
    token = await system.auth("jx.fgw.filer")
    listed = (await system.registry.get("/api/v1/agencies", params={"limit": 100}, headers=token)).json()["items"]
    project = (await system.intake.get(f"/api/v1/projects/{created.url.path.rsplit('/', 1)[-1]}", headers=token)).json()
    for agency in listed:
        answer = (await system.registry.get(f"/api/v1/agencies/{agency['id']}/eligibility", headers=token, params={
            "project_level": project["level"], "project_region_code": project["region_code"]})).json()
        assert (agency["id"] in offered) == answer["eligible"], agency["name"]
        if not answer["eligible"]:  # shown apart, with the registry's reason
            assert str(escape(answer["reasons"][0]["message"])) in page
    assert len(offered) < len(listed) and "不能承接本项目的机构" in page
